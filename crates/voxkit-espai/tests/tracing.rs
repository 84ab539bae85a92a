//! Everything traced at TRACE level during successful, retried and failed calls: one span
//! per call with provider, operation, attempt and status, and never the key.

use voxkit_core::test_util::{capture_traces, fast_retries};
use voxkit_espai::{CardFilter, CardKey, Client};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "test-key-SENTINEL-91c3";

#[tokio::test]
async fn traces_name_the_call_and_never_the_key() {
    let (capture, _guard) = capture_traces();

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
        .api_key(KEY)
        .base_url(server.uri())
        .retry_policy(fast_retries())
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

    let logs = capture.text();
    assert!(logs.contains("voxkit.call"), "{logs}");
    assert!(logs.contains("provider=\"espai\""), "{logs}");
    assert!(logs.contains("operation=\"list_cards\""), "{logs}");
    assert!(logs.contains("operation=\"transfer\""), "{logs}");
    assert!(logs.contains("attempt=2"), "{logs}");
    assert!(logs.contains("status=503"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    assert!(!logs.contains(KEY), "{logs}");
}
