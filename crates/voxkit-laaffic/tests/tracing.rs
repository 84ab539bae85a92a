//! Everything traced at TRACE level during successful, retried and failed calls: one
//! span per call with provider, operation, attempt and status, and never a credential.

mod common;

use common::{a_503_then, in_turn};
use voxkit_core::test_util::{capture_traces, fast_retries};
use voxkit_laaffic::Client;
use wiremock::{MockServer, ResponseTemplate};

const KEY: &str = "SENTINEL-KEY-5c1d";
const SECRET: &str = "SENTINEL-SECRET-77e0";

/// A client of `server` with the sentinel credentials, retrying fast.
fn client(server: &MockServer) -> Client {
    Client::builder()
        .credentials(KEY, SECRET)
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

#[tokio::test]
async fn traces_name_the_call_and_never_the_credentials() {
    let (capture, _guard) = capture_traces();

    let server = in_turn(
        "GET",
        [
            ResponseTemplate::new(503).set_body_string(format!("echo {KEY}")),
            ResponseTemplate::new(200)
                .set_body_string(r#"{"status":"0","balance":"1","gift":"0","credit":"0"}"#),
            ResponseTemplate::new(200).set_body_string(r#"{"status":"-16","reason":"expired"}"#),
        ],
    )
    .await;
    let client = client(&server);
    client.balance().await.unwrap(); // 503, then success
    client.balance().await.unwrap_err(); // -16, corrected, -16 again

    let logs = capture.text();
    assert!(logs.contains("voxkit.call"), "{logs}");
    assert!(logs.contains("provider=\"laaffic\""), "{logs}");
    assert!(logs.contains("operation=\"balance\""), "{logs}");
    assert!(logs.contains("attempt=2"), "{logs}");
    assert!(logs.contains("status=503"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    let signs: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.headers.get("sign").unwrap().to_str().unwrap().to_owned())
        .collect();
    assert!(!logs.contains(KEY));
    assert!(!logs.contains(SECRET));
    for sign in signs {
        assert!(!logs.contains(&sign));
    }
}

/// The IVR operations are traced by name; request bodies (a voice file's content, a
/// task's numbers and texts) are never traced.
#[tokio::test]
async fn ivr_calls_are_traced_by_name_without_their_bodies() {
    use voxkit_laaffic::{Callee, NewTask, TaskId, VoiceSource};
    const CONTENT: &[u8] = b"SENTINEL-CONTENT-0b3e";
    // The base64 of CONTENT, as it travels.
    const CONTENT_B64: &str = "U0VOVElORUwtQ09OVEVOVC0wYjNl";
    const NUMBER: &str = "8613599990000";
    let (capture, _guard) = capture_traces();

    let server = a_503_then(
        "POST",
        ResponseTemplate::new(200).set_body_string(
            r#"{"status":"0","reason":"success","code":"0","msg":"success","data":"f.mp3"}"#,
        ),
    )
    .await;
    let client = client(&server);
    client.pause_tasks(&[TaskId(1)]).await.unwrap(); // 503, then success
    client.upload_voice_file("test.mp3", CONTENT).await.unwrap();
    let task = NewTask::new(
        "app",
        "name",
        VoiceSource::text_to_speech("SENTINEL-TEXT-19aa", voxkit_laaffic::Lan::English),
        [Callee::new(NUMBER)],
    );
    client.create_task(&task).await.unwrap();

    let logs = capture.text();
    for name in ["pause_tasks", "upload_voice_file", "create_task"] {
        assert!(logs.contains(&format!("operation=\"{name}\"")), "{logs}");
    }
    assert!(logs.contains("status=503"), "{logs}");
    let sent = server.received_requests().await.unwrap();
    assert!(String::from_utf8_lossy(&sent[2].body).contains(CONTENT_B64));
    for secret in [KEY, SECRET, CONTENT_B64, "SENTINEL", NUMBER] {
        assert!(!logs.contains(secret), "{secret} in {logs}");
    }
}
