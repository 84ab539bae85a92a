//! Everything traced at TRACE level during successful, retried and failed calls: one span
//! per call with provider, operation, attempt and status, and never the key.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use voxkit_core::RetryPolicy;
use voxkit_espai::{CardFilter, CardKey, Client};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "test-key-SENTINEL-91c3";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[tokio::test]
async fn traces_name_the_call_and_never_the_key() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cdkey/list"))
        .respond_with(ResponseTemplate::new(503).set_body_string(format!("echo {KEY}")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/cdkey/list"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"success":true,"totalNumber":0,"data":[]}"#),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/cdkey/transfer"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"success":false,"message":"系统错误：{KEY}","code":500}}"#
        )))
        .mount(&server)
        .await;
    let client = Client::builder()
        .open_api_key(KEY)
        .base_url(server.uri())
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    client.list_cards(&CardFilter::new()).await.unwrap(); // 503, then success
    client
        .transfer(
            &CardKey::new("15916888888", "wNaa1GDw"),
            &CardKey::new("17516888888", "3AoPbLSQ"),
            10,
        )
        .await
        .unwrap_err(); // provider error

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("voxkit.call"), "{logs}");
    assert!(logs.contains("provider=\"espai\""), "{logs}");
    assert!(logs.contains("operation=\"list_cards\""), "{logs}");
    assert!(logs.contains("operation=\"transfer\""), "{logs}");
    assert!(logs.contains("attempt=2"), "{logs}");
    assert!(logs.contains("status=503"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    assert!(!logs.contains(KEY), "{logs}");
}
