//! The sandbox pushes as a provider would: each Laaffic call report as its call completes
//! (to [`SandboxBuilder::laaffic_report_url`](crate::SandboxBuilder::laaffic_report_url)) and
//! each longlonglong callback (to
//! [`SandboxBuilder::longlonglong_callback_url`](crate::SandboxBuilder::longlonglong_callback_url)),
//! so that a receiver can be tested against retries, duplicates and outages.
//!
//! Delivery: one `POST` at a time, in the order queued, `Content-Type:
//! application/json;charset=UTF-8`, one JSON object per push (the report fields of the
//! documentation, times as millisecond epochs). Any `2xx` is an acknowledgement; a non-2xx
//! answer, a refused connection or a timeout is retried with exponential backoff
//! ([`SandboxBuilder::push_retry`](crate::SandboxBuilder::push_retry)), and a push never
//! acknowledged after the last attempt is abandoned (counted in [`PushStats::abandoned`]).
//! A share of first acknowledgements can be "lost"
//! ([`SandboxBuilder::push_duplicate_share`](crate::SandboxBuilder::push_duplicate_share)):
//! the sandbox then delivers the push again although the receiver answered `2xx`, as a
//! provider does when the answer does not reach it. The queue is bounded
//! ([`MAX_QUEUED_PUSHES`]); a push beyond it is dropped and counted.
//!
//! Only `http://` URLs are delivered to (the sandbox speaks no TLS): a receiver under test
//! listens on loopback.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use url::Url;

use crate::laaffic::state::CallRecord;

/// The most pushes waiting for delivery; more are dropped (and counted in
/// [`PushStats::overflowed`]), so that a dead receiver cannot grow the sandbox's memory.
pub const MAX_QUEUED_PUSHES: usize = 100_000;

/// How long connecting to a receiver may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a receiver may take to answer once the push is sent.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What the sandbox pushed so far, for tests and operators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushStats {
    /// Pushes queued: one per call report or callback.
    pub queued: u64,
    /// Pushes queued and not yet finished (delivered or abandoned).
    pub pending: u64,
    /// Pushes whose acknowledgement the sandbox kept: delivered for good.
    pub delivered: u64,
    /// `POST`s sent, first deliveries and retries alike.
    pub attempts: u64,
    /// Attempts answered with a non-2xx status, or that failed to connect or to get an
    /// answer in time.
    pub failed_attempts: u64,
    /// First acknowledgements the sandbox pretended not to receive.
    pub acks_dropped: u64,
    /// Deliveries of a push made after its acknowledgement was dropped that reached the
    /// receiver (got an answer): the duplicates a receiver had to recognise.
    pub duplicates: u64,
    /// Pushes given up after the last attempt.
    pub abandoned: u64,
    /// Pushes dropped because the queue was full.
    pub overflowed: u64,
}

/// The push settings of a [`SandboxBuilder`](crate::SandboxBuilder).
#[derive(Debug, Clone)]
pub(crate) struct PushConfig {
    pub laaffic_report_url: Option<String>,
    pub longlonglong_callback_url: Option<String>,
    pub duplicate_share: f64,
    pub max_attempts: u32,
    pub first_backoff: Duration,
}

impl Default for PushConfig {
    fn default() -> Self {
        PushConfig {
            laaffic_report_url: None,
            longlonglong_callback_url: None,
            duplicate_share: 0.0,
            max_attempts: 6,
            first_backoff: Duration::from_millis(200),
        }
    }
}

fn parse_url(url: &str) -> std::io::Result<Url> {
    let invalid = |why: &str| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("push URL {url:?}: {why}"),
        )
    };
    let parsed = Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if parsed.scheme() != "http" || parsed.host().is_none() {
        return Err(invalid("an http:// URL with a host is required"));
    }
    Ok(parsed)
}

impl PushConfig {
    /// Checks the settings; `None` when nothing is to be pushed.
    pub(crate) fn start(self, rng_seed: u64) -> std::io::Result<Option<(Outbox, Worker)>> {
        if !(0.0..=1.0).contains(&self.duplicate_share) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the push duplicate share must be between 0 and 1",
            ));
        }
        let laaffic = self
            .laaffic_report_url
            .as_deref()
            .map(parse_url)
            .transpose()?;
        let longlonglong = self
            .longlonglong_callback_url
            .as_deref()
            .map(parse_url)
            .transpose()?;
        if laaffic.is_none() && longlonglong.is_none() {
            return Ok(None);
        }
        let (tx, rx) = mpsc::channel(MAX_QUEUED_PUSHES);
        let (stats, _) = watch::channel(PushStats::default());
        let stats = Arc::new(stats);
        let outbox = Outbox {
            tx,
            stats: stats.clone(),
            laaffic: laaffic.map(Arc::new),
            longlonglong: longlonglong.map(Arc::new),
        };
        let worker = Worker {
            rx,
            stats,
            rng: fastrand::Rng::with_seed(rng_seed ^ 0x9e37_79b9_7f4a_7c15),
            duplicate_share: self.duplicate_share,
            max_attempts: self.max_attempts.max(1),
            first_backoff: self.first_backoff,
        };
        Ok(Some((outbox, worker)))
    }
}

/// One push to deliver.
struct Job {
    url: Arc<Url>,
    body: Vec<u8>,
}

/// Where pushes are queued: cheap to clone, held by the state that makes reports.
#[derive(Clone)]
pub(crate) struct Outbox {
    tx: mpsc::Sender<Job>,
    stats: Arc<watch::Sender<PushStats>>,
    laaffic: Option<Arc<Url>>,
    longlonglong: Option<Arc<Url>>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").finish_non_exhaustive()
    }
}

impl Outbox {
    fn enqueue(&self, url: &Arc<Url>, body: Vec<u8>) -> bool {
        let job = Job {
            url: url.clone(),
            body,
        };
        // Counted before the worker can see it, so `pending` never goes below zero.
        self.stats.send_modify(|s| {
            s.queued += 1;
            s.pending += 1;
        });
        if self.tx.try_send(job).is_ok() {
            return true;
        }
        self.stats.send_modify(|s| {
            s.queued -= 1;
            s.pending -= 1;
            s.overflowed += 1;
        });
        false
    }

    /// Queues the voice status report of a completed call, if reports are pushed.
    pub(crate) fn laaffic_report(&self, record: &CallRecord) {
        if let Some(url) = &self.laaffic {
            self.enqueue(url, report_body(record).to_string().into_bytes());
        }
    }

    /// Queues a longlonglong callback; false when callbacks are not pushed or the queue
    /// is full.
    pub(crate) fn longlonglong_callback(&self, body: &Value) -> bool {
        match &self.longlonglong {
            Some(url) => self.enqueue(url, body.to_string().into_bytes()),
            None => false,
        }
    }

    /// The figures so far.
    pub(crate) fn stats(&self) -> PushStats {
        *self.stats.borrow()
    }

    /// Waits until the figures satisfy `done`, and returns them.
    pub(crate) async fn wait(&self, done: impl FnMut(&PushStats) -> bool) -> PushStats {
        let mut rx = self.stats.subscribe();
        // The sender lives as long as `self`: `wait_for` cannot fail here.
        rx.wait_for(done).await.map(|s| *s).unwrap_or_default()
    }
}

/// The voice status report of a call record, with the fields of the push page
/// (语音状态报告推送): times as millisecond epochs, `terminationCode` `"0"` for success
/// (the SIP code in `sipCode`), `callStatus` 50 connected, 20 not answered, 10 busy.
fn report_body(r: &CallRecord) -> Value {
    let ms = |t: chrono::DateTime<chrono::FixedOffset>| t.timestamp_millis();
    let call_status = match r.termination_code.as_str() {
        "200" => 50,
        "486" => 10,
        _ => 20,
    };
    let per_minute = crate::laaffic::state::rate();
    json!({
        "voiceId": r.voice_id,
        "type": 1,
        "callee": r.callee,
        "displayNum": r.display_num,
        "submitTime": ms(r.submit_time),
        "callTime": ms(r.call_time),
        "ringingTime": ms(r.ringing_time),
        "answerTime": r.answer_time.map(ms),
        "hangupTime": ms(r.hangup_time),
        "callDuration": r.call_duration,
        "chargedDuration": r.charged_duration,
        "billPeriod": "20+20",
        "code": "Sandbox",
        "voiceFileId": r.voice_file_id,
        "recordingFileId": null,
        "rate": per_minute.to_string(),
        "baseCost": r.cost.to_string(),
        "cost": r.cost.to_string(),
        "terminationCode": if r.answered { "0" } else { r.termination_code.as_str() },
        "terminationReason": r.termination_reason,
        "sipCode": r.termination_code,
        "feedbackValue": "-1",
        "calledInfo": "",
        "ringDuration": (r.answer_time.unwrap_or(r.hangup_time) - r.ringing_time).num_seconds(),
        "currency": "EUR",
        "settleRate": null,
        "quoteExchange": null,
        "settlePay": null,
        "outRecallCount": 0,
        "taskId": r.task_id,
        "sourceTaskId": null,
        "scriptId": null,
        "intent": null,
        "dimensionId": null,
        "callStatus": call_status,
    })
}

/// The delivery loop: one push at a time, retried as documented in the module.
pub(crate) struct Worker {
    rx: mpsc::Receiver<Job>,
    stats: Arc<watch::Sender<PushStats>>,
    rng: fastrand::Rng,
    duplicate_share: f64,
    max_attempts: u32,
    first_backoff: Duration,
}

impl Worker {
    /// Delivers until every [`Outbox`] is gone.
    pub(crate) async fn run(mut self) {
        while let Some(job) = self.rx.recv().await {
            let delivered = self.deliver(&job).await;
            self.stats.send_modify(|s| {
                s.pending -= 1;
                if delivered {
                    s.delivered += 1;
                } else {
                    s.abandoned += 1;
                }
            });
        }
    }

    async fn deliver(&mut self, job: &Job) -> bool {
        let mut backoff = self.first_backoff;
        let mut ack_dropped = false;
        for attempt in 1..=self.max_attempts {
            if attempt > 1 {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            self.stats.send_modify(|s| s.attempts += 1);
            match post(&job.url, &job.body).await {
                Ok(status) => {
                    if ack_dropped {
                        self.stats.send_modify(|s| s.duplicates += 1);
                    }
                    if !(200..300).contains(&status) {
                        self.stats.send_modify(|s| s.failed_attempts += 1);
                        continue;
                    }
                    // Drop the first acknowledgement of a share of pushes, while an
                    // attempt is left to deliver it again.
                    if !ack_dropped
                        && attempt < self.max_attempts
                        && self.duplicate_share > 0.0
                        && self.rng.f64() < self.duplicate_share
                    {
                        ack_dropped = true;
                        self.stats.send_modify(|s| s.acks_dropped += 1);
                        continue;
                    }
                    return true;
                }
                Err(e) => {
                    tracing::debug!(url = %job.url, error = %e, "push attempt failed");
                    self.stats.send_modify(|s| s.failed_attempts += 1);
                }
            }
        }
        tracing::warn!(url = %job.url, attempts = self.max_attempts, "push abandoned");
        false
    }
}

/// Aborts the delivery loop when the sandbox is dropped.
pub(crate) struct Pusher {
    pub outbox: Outbox,
    pub task: JoinHandle<()>,
}

impl Drop for Pusher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One `POST` over a fresh connection (`Connection: close`): the answer's status code.
async fn post(url: &Url, body: &[u8]) -> Result<u16, String> {
    let host = match url.host() {
        Some(url::Host::Ipv6(addr)) => addr.to_string(),
        Some(host) => host.to_string(),
        None => return Err("no host".to_owned()),
    };
    let port = url.port_or_known_default().unwrap_or(80);
    let mut stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host, port)))
        .await
        .map_err(|_| "connect timed out".to_owned())?
        .map_err(|e| format!("connect: {e}"))?;
    let authority = &url[url::Position::BeforeHost..url::Position::BeforePath];
    let target = &url[url::Position::BeforePath..url::Position::AfterQuery];
    let head = format!(
        "POST {target} HTTP/1.1\r\nHost: {authority}\r\n\
         Content-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\n\
         Connection: close\r\nUser-Agent: voxkit-sandbox\r\n\r\n",
        body.len()
    );
    let exchange = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        stream.flush().await?;
        let mut answer = Vec::with_capacity(256);
        let mut buf = [0u8; 1024];
        while !answer.windows(2).any(|w| w == b"\r\n") && answer.len() < 8192 {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(ANSWER_TIMEOUT, exchange)
        .await
        .map_err(|_| "no answer in time".to_owned())?
        .map_err(|e| format!("exchange: {e}"))?;
    let line = answer.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = std::str::from_utf8(line).map_err(|_| "garbled status line".to_owned())?;
    let mut parts = line.split(' ');
    match (parts.next(), parts.next().map(str::parse::<u16>)) {
        (Some(v), Some(Ok(status))) if v.starts_with("HTTP/1.") => Ok(status),
        _ => Err(format!("not an HTTP answer: {line:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_with_a_host_are_pushed_to() {
        assert!(parse_url("http://127.0.0.1:9/laaffic/t0ken?x=1").is_ok());
        for bad in ["https://example.com/", "ftp://x/", "nowhere", "http://"] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
        let config = PushConfig {
            duplicate_share: 1.5,
            laaffic_report_url: Some("http://127.0.0.1:9/".into()),
            ..PushConfig::default()
        };
        assert!(config.start(1).is_err());
        assert!(PushConfig::default().start(1).unwrap().is_none());
    }

    /// A receiver that refuses the first connection's push, then accepts: the push is
    /// retried and delivered once; the figures say so.
    #[tokio::test]
    async fn a_refused_push_is_retried_until_acknowledged() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let mut seen = Vec::new();
            for status in ["503 Service Unavailable", "200 OK"] {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                // Read the head and the body (Content-Length 2: `{}`).
                while !request.ends_with(b"{}") {
                    let n = socket.read(&mut buf).await.unwrap();
                    assert!(n > 0);
                    request.extend_from_slice(&buf[..n]);
                }
                seen.push(String::from_utf8(request).unwrap());
                let answer = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n");
                socket.write_all(answer.as_bytes()).await.unwrap();
            }
            seen
        });
        let config = PushConfig {
            longlonglong_callback_url: Some(format!("http://{addr}/cb/t0ken?a=b")),
            first_backoff: Duration::from_millis(1),
            ..PushConfig::default()
        };
        let (outbox, worker) = config.start(7).unwrap().unwrap();
        let task = tokio::spawn(worker.run());
        assert!(outbox.longlonglong_callback(&json!({})));
        let stats = outbox.wait(|s| s.pending == 0).await;
        assert_eq!(
            (
                stats.queued,
                stats.delivered,
                stats.attempts,
                stats.failed_attempts
            ),
            (1, 1, 2, 1)
        );
        let seen = server.await.unwrap();
        assert!(
            seen[0].starts_with("POST /cb/t0ken?a=b HTTP/1.1\r\n"),
            "{}",
            seen[0]
        );
        assert!(seen[1].contains("\r\nContent-Length: 2\r\n"));
        task.abort();
    }
}
