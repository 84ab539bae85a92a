//! The operation declarations against the calls: every operation's example call (its test
//! hooks, feature `test-util`) sends the method and path its declaration names, once, and
//! the answer its decoder accepts is what the call accepts. This replaces the test that
//! scanned the client's source text to keep the operation list in sync.

#![cfg(feature = "test-util")]

use voxkit_core::RetryPolicy;
use voxkit_espai::{Client, OPERATIONS, TEST_HOOKS};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// An answer every operation's decoder accepts: a list, a card, a URL or nothing, as the
/// operation reads `data`.
fn answer(operation: &str) -> &'static str {
    match operation {
        "card_detail" => {
            r#"{"success":true,"data":{"id":"i","code":"c","api_limit":1,"type":"1"}}"#
        }
        "pay" => r#"{"success":true,"data":"https://pay.example/x"}"#,
        "add_agent" => r#"{"success":true,"data":{"id":"679f9af935e047639ddb98f35e103e8f"}}"#,
        _ => r#"{"success":true,"message":"请求成功","data":[],"totalNumber":0}"#,
    }
}

#[tokio::test]
async fn every_declared_example_sends_its_declared_operation_once() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .api_key("test-key")
        .base_url(server.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(TEST_HOOKS.len(), OPERATIONS.len());
    for hooks in TEST_HOOKS {
        let spec = hooks.spec;
        server.reset().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_string(answer(spec.name)))
            .mount(&server)
            .await;
        (hooks.example)(&client)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
        hooks
            .decode_body(200, answer(spec.name).as_bytes())
            .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
        let sent = server.received_requests().await.unwrap();
        let seen: Vec<(String, String)> = sent
            .iter()
            .map(|r| (r.method.to_string(), r.url.path().to_owned()))
            .collect();
        assert_eq!(
            seen,
            [(spec.method.to_string(), format!("/{}", spec.path))],
            "{}",
            spec.name
        );
    }
}
