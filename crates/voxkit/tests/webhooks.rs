//! Issue 17, end to end: the sandbox runs IVR tasks and pushes every call report to the
//! SDK's receiver, dropping a share of first acknowledgements and living through a
//! receiver restart; the handler sees each report exactly once. And what the receiver
//! refuses never reaches the handler: a forged push without the token, a malformed body,
//! an oversized one.
#![cfg(all(feature = "laaffic", feature = "webhooks"))]

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use voxkit::core::async_trait;
use voxkit::laaffic::webhooks::{self, BoxError, SeenStore};
use voxkit::laaffic::{Callee, Client, NewTask, VoiceFileId, VoiceReport, VoiceSource};
use voxkit_sandbox::{LAAFFIC_API_KEY, LAAFFIC_API_SECRET, Sandbox};

const TOKEN: &str = "s3cret-t0ken-for-tests";

/// A de-duplication store kept in a file, reopened by the restarted receiver: what a
/// durable store (a database table) gives a real deployment.
struct FileStore {
    path: PathBuf,
    keys: Mutex<HashSet<String>>,
}

impl FileStore {
    fn open(path: PathBuf) -> Self {
        let keys = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect();
        FileStore {
            path,
            keys: Mutex::new(keys),
        }
    }
}

#[async_trait]
impl SeenStore for FileStore {
    async fn seen(&self, key: &str) -> Result<bool, BoxError> {
        Ok(self.keys.lock().unwrap().contains(key))
    }

    async fn record(&self, key: &str) -> Result<(), BoxError> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        writeln!(file, "{key}")?;
        file.sync_all()?;
        self.keys.lock().unwrap().insert(key.to_owned());
        Ok(())
    }
}

type Seen = Arc<Mutex<HashMap<String, u32>>>;

/// Serves a receiver counting each report's handler calls in `seen`, on `listener`.
fn serve(listener: TcpListener, seen: Seen, store: Arc<dyn SeenStore>) -> JoinHandle<()> {
    let app = webhooks::voice_reports(move |report: VoiceReport| {
        *seen.lock().unwrap().entry(report.voice_id).or_default() += 1;
        async { Ok::<(), BoxError>(()) }
    })
    .token(TOKEN)
    .allow("127.0.0.0/8".parse().unwrap())
    .store(store)
    .router();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    })
}

fn laaffic(sandbox: &Sandbox) -> Client {
    Client::builder()
        .credentials(LAAFFIC_API_KEY, LAAFFIC_API_SECRET)
        .base_url(sandbox.url())
        .build()
        .unwrap()
}

/// Creates a task calling `n` numbers and runs it to completion (two life-cycle steps).
async fn run_task(sandbox: &Sandbox, client: &Client, name: &str, n: usize) {
    let file = VoiceFileId(sandbox.seed().laaffic_voice_file.clone());
    let numbers = (0..n).map(|i| Callee::new(format!("86135{i:08}")));
    let task = NewTask::new("app", name, VoiceSource::File(file), numbers);
    client.create_task(&task).await.unwrap().unwrap();
    sandbox.advance_laaffic_tasks();
    sandbox.advance_laaffic_tasks();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_reaches_the_handler_exactly_once_through_lost_acks_and_a_restart() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let store_path = std::env::temp_dir().join(format!(
        "voxkit-webhooks-{}-{}.seen",
        std::process::id(),
        addr.port()
    ));
    let _ = std::fs::remove_file(&store_path);
    let sandbox = Sandbox::builder()
        .laaffic_report_url(format!("http://{addr}/laaffic/report/{TOKEN}"))
        .push_duplicate_share(0.3)
        .push_retry(12, Duration::from_millis(5))
        .rng_seed(17)
        .start()
        .await
        .unwrap();
    let before = sandbox.laaffic_call_records().len();
    let client = laaffic(&sandbox);
    let seen: Seen = Arc::default();

    // Phase 1: the receiver is up.
    let first = serve(
        listener,
        seen.clone(),
        Arc::new(FileStore::open(store_path.clone())),
    );
    run_task(&sandbox, &client, "campaign one", 40).await;
    let stats = sandbox.wait_pushes(|s| s.pending == 0).await;
    assert_eq!(stats.delivered, 40);

    // Phase 2: the receiver goes down while the second task's reports are pushed, and
    // comes back (a new process: a new router, the store reopened from its file).
    first.abort();
    let _ = first.await;
    let failed_before = stats.failed_attempts;
    run_task(&sandbox, &client, "campaign two", 30).await;
    sandbox
        .wait_pushes(|s| s.failed_attempts > failed_before)
        .await;
    let listener = TcpListener::bind(addr).await.unwrap();
    let second = serve(
        listener,
        seen.clone(),
        Arc::new(FileStore::open(store_path.clone())),
    );
    let stats = sandbox.wait_pushes(|s| s.pending == 0).await;
    second.abort();
    let _ = std::fs::remove_file(&store_path);

    let records: Vec<String> = sandbox.laaffic_call_records()[before..]
        .iter()
        .map(|r| r.voice_id.clone())
        .collect();
    let seen = seen.lock().unwrap().clone();
    let handler_calls: u32 = seen.values().sum();
    eprintln!(
        "reports pushed {}, duplicates delivered {}, acknowledgements dropped {}, \
         failed attempts (outage) {}, attempts {}, handler calls {handler_calls}",
        stats.queued, stats.duplicates, stats.acks_dropped, stats.failed_attempts, stats.attempts
    );
    assert_eq!(records.len(), 70);
    assert_eq!(stats.queued, 70, "one push per call");
    assert_eq!((stats.delivered, stats.abandoned), (70, 0));
    assert!(
        stats.duplicates >= 5,
        "a share of the reports was delivered twice: {stats:?}"
    );
    assert!(stats.failed_attempts > failed_before, "the outage was seen");
    assert_eq!(handler_calls, 70, "each report once: {seen:?}");
    for id in &records {
        assert_eq!(seen.get(id), Some(&1), "report {id}");
    }
}

/// A minimal report body.
fn report(voice_id: &str) -> String {
    format!(r#"{{"voiceId":"{voice_id}","type":1,"callee":"63123456788","terminationCode":"0"}}"#)
}

#[tokio::test]
async fn forged_malformed_and_oversized_pushes_never_reach_the_handler() {
    let calls = Arc::new(Mutex::new(0u32));
    let counted = calls.clone();
    let app = webhooks::voice_reports(move |_: VoiceReport| {
        *counted.lock().unwrap() += 1;
        async { Ok::<(), BoxError>(()) }
    })
    .token(TOKEN)
    .max_body(4096)
    .router();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = voxkit::core::transport::http_client_builder()
        .unwrap()
        .build()
        .unwrap();
    let post = |path: String, body: String| {
        let request = http.post(format!("{base}{path}")).body(body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        }
    };

    let forged = [
        post("/report".into(), report("1")).await,
        post("/report/not-the-token".into(), report("1")).await,
        post("/report?token=s3cret".into(), report("1")).await,
    ];
    for (status, body) in &forged {
        assert_eq!(*status, 401, "{body}");
        assert!(!body.contains(TOKEN));
    }
    let (status, body) = post(format!("/report/{TOKEN}"), "<html>".into()).await;
    assert_eq!(status, 400);
    assert!(body.starts_with("malformed Laaffic voice report"), "{body}");
    let (status, _) = post(format!("/report/{TOKEN}"), r#"{"type":1}"#.into()).await;
    assert_eq!(status, 400, "no voiceId");
    let padding = " ".repeat(5000);
    let (status, _) = post(format!("/report/{TOKEN}"), report("2") + &padding).await;
    assert_eq!(status, 413);
    assert_eq!(
        *calls.lock().unwrap(),
        0,
        "nothing refused reached the handler"
    );

    let (status, body) = post(format!("/report/{TOKEN}"), report("3")).await;
    assert_eq!((status, body.as_str()), (200, webhooks::ACK));
    let (status, _) = post(format!("/report?token={TOKEN}"), report("3")).await;
    assert_eq!(status, 200, "a redelivery is acknowledged");
    assert_eq!(*calls.lock().unwrap(), 1, "the real report, once");
    server.abort();
}
