//! Helpers shared by the facade's reliability and security suites: clients of every
//! provider over one counting transport, a driver that runs a call on tokio's paused clock
//! without letting a timeout fire while a request is still on its way, and a capturing
//! `tracing` writer.

#![allow(dead_code)] // each suite uses its own part

pub mod ops;

use std::future::Future;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use voxkit::core::transport::http_client_builder;
use voxkit::core::{
    HttpRequest, HttpResponse, ReqwestTransport, RetryPolicy, Transport, TransportError,
    async_trait,
};
use voxkit::{espai, laaffic, longlonglong};

/// The retry policy of the suites: the default's three attempts, backoff from 100 ms.
pub fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
        max_retry_after: Duration::from_secs(5),
    }
}

/// One plain `reqwest::Client` (voxkit's own set-up), shared by the transports of a test.
pub fn http_client() -> voxkit::core::reqwest::Client {
    http_client_builder()
        .expect("TLS configuration")
        .build()
        .expect("reqwest client")
}

/// A [`Transport`] that counts the attempts the client makes and knows when one is on
/// its way.
#[derive(Debug)]
pub struct Counting {
    inner: ReqwestTransport,
    started: AtomicUsize,
    in_flight: AtomicUsize,
    changed: Notify,
}

impl Counting {
    /// Counts the sends through `client`.
    pub fn new(client: voxkit::core::reqwest::Client) -> Arc<Counting> {
        Arc::new(Counting {
            inner: ReqwestTransport::new(client),
            started: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            changed: Notify::new(),
        })
    }

    /// Attempts started so far.
    pub fn attempts(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }

    fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }
}

/// Ends an attempt when dropped: answered, failed, or abandoned by the client's timeout.
struct Landed<'a>(&'a Counting);

impl Drop for Landed<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_one();
    }
}

#[async_trait]
impl Transport for Counting {
    async fn send(
        &self,
        request: HttpRequest,
        max_body: usize,
    ) -> Result<HttpResponse, TransportError> {
        self.started.fetch_add(1, Ordering::SeqCst);
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.changed.notify_one();
        let _landed = Landed(self);
        self.inner.send(request, max_body).await
    }
}

/// Runs `call` on tokio's paused clock (`#[tokio::test(start_paused = true)]`).
///
/// A paused clock jumps to the next timer whenever the runtime is idle, and a runtime
/// waiting for loopback I/O looks idle: left alone, an attempt timeout could fire before
/// the server even read the request. So while an attempt is on its way the clock is held
/// still (this task keeps yielding), and only once it has landed (answered or failed) or,
/// with `read_by_server`, once the server has read every request sent (a stalled server:
/// only the timeout can end that attempt) is the runtime left idle for the clock to
/// advance: to a backoff, a `Retry-After` or an attempt timeout.
pub async fn drive<F: Future>(
    call: F,
    transport: &Counting,
    read_by_server: Option<&dyn Fn() -> usize>,
) -> F::Output {
    let mut call = std::pin::pin!(call);
    let watchdog = std::time::Instant::now();
    loop {
        let on_its_way = transport.in_flight() > 0
            && read_by_server.is_none_or(|read| read() < transport.attempts());
        if on_its_way {
            assert!(
                watchdog.elapsed() < Duration::from_secs(60),
                "a request made no progress for a minute of real time"
            );
            tokio::select! {
                biased;
                out = &mut call => return out,
                () = tokio::task::yield_now() => {}
            }
        } else {
            tokio::select! {
                biased;
                out = &mut call => return out,
                () = transport.changed.notified() => {}
            }
        }
    }
}

/// A client of each provider, all pointed at one base URL through one transport.
pub struct Clients {
    /// longlonglong.
    pub longlonglong: longlonglong::Client,
    /// longlonglong's dialogue API (对话接口), with its own token.
    pub dialogue: longlonglong::DialogueClient,
    /// Laaffic.
    pub laaffic: laaffic::Client,
    /// ESP-AI.
    pub espai: espai::Client,
}

/// Timeouts and caps of the clients.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Time allowed for one attempt.
    pub attempt_timeout: Duration,
    /// Time allowed for a whole call.
    pub deadline: Option<Duration>,
    /// The largest answer accepted.
    pub max_response_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            attempt_timeout: Duration::from_secs(2),
            deadline: Some(Duration::from_secs(30)),
            max_response_bytes: 64 * 1024,
        }
    }
}

macro_rules! configure {
    ($builder:expr, $settings:expr, $transport:expr, $url:expr) => {{
        let builder = $builder
            .base_url($url)
            .retry_policy(policy())
            .transport($transport)
            .attempt_timeout($settings.attempt_timeout)
            .max_response_bytes($settings.max_response_bytes);
        match $settings.deadline {
            Some(deadline) => builder.deadline(deadline),
            None => builder,
        }
    }};
}

/// The credentials of the three clients.
#[derive(Debug, Clone, Copy)]
pub struct Credentials {
    /// longlonglong's bearer token.
    pub token: &'static str,
    /// longlonglong's dialogue token (对话接口, AI 客户联络).
    pub dialogue_token: &'static str,
    /// Laaffic's API key.
    pub laaffic_key: &'static str,
    /// Laaffic's API secret.
    pub laaffic_secret: &'static str,
    /// ESP-AI's open API key.
    pub espai_key: &'static str,
}

/// The credentials the sandbox accepts.
pub const SANDBOX: Credentials = Credentials {
    token: voxkit_sandbox::LONGLONGLONG_TOKEN,
    dialogue_token: voxkit_sandbox::LONGLONGLONG_DIALOGUE_TOKEN,
    laaffic_key: voxkit_sandbox::LAAFFIC_API_KEY,
    laaffic_secret: voxkit_sandbox::LAAFFIC_API_SECRET,
    espai_key: voxkit_sandbox::ESPAI_OPEN_API_KEY,
};

/// A client of each provider with the sandbox's credentials (which the fault server
/// ignores), all pointed at `url` through `transport`.
pub fn clients(url: &str, transport: Arc<dyn Transport>, settings: Settings) -> Clients {
    clients_as(SANDBOX, url, transport, settings)
}

/// Like [`clients`], with these credentials.
pub fn clients_as(
    credentials: Credentials,
    url: &str,
    transport: Arc<dyn Transport>,
    settings: Settings,
) -> Clients {
    let Credentials {
        token,
        dialogue_token,
        laaffic_key,
        laaffic_secret,
        espai_key,
    } = credentials;
    Clients {
        longlonglong: configure!(
            longlonglong::Client::builder().token(token),
            settings,
            transport.clone(),
            url
        )
        .build()
        .expect("longlonglong client"),
        dialogue: configure!(
            longlonglong::DialogueClient::builder().token(dialogue_token),
            settings,
            transport.clone(),
            url
        )
        .build()
        .expect("longlonglong dialogue client"),
        laaffic: configure!(
            laaffic::Client::builder().credentials(laaffic_key, laaffic_secret),
            settings,
            transport.clone(),
            url
        )
        .build()
        .expect("laaffic client"),
        espai: configure!(
            espai::Client::builder().api_key(espai_key),
            settings,
            transport,
            url
        )
        .build()
        .expect("espai client"),
    }
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("capture lock")).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("capture lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}
