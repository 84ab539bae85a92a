//! What the suites share: a wiremock server answering one route, a client of it that
//! retries fast, raw JSON answers and a server that fails once before it answers.

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

use std::time::Duration;

use voxkit_core::RetryPolicy;
use voxkit_core::test_util::fast_retries;
use voxkit_longlonglong::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

/// A server answering `GET route` with `responder`.
pub async fn serve(route: &str, responder: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(responder)
        .mount(&server)
        .await;
    server
}

/// A client of `url`: two attempts a call, backoff of a few milliseconds.
pub fn client(url: &str) -> Client {
    Client::builder()
        .token("test-token")
        .base_url(url)
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            ..fast_retries()
        })
        .build()
        .unwrap()
}

/// A client of `url` as the wire suites use it: the default three attempts with fast
/// backoff, 5 s an attempt.
pub fn wire_client(url: &str) -> Client {
    Client::builder()
        .token("test-token")
        .base_url(url)
        .retry_policy(fast_retries())
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// An answer with exactly this body as `application/json`.
pub fn raw(status: u16, body: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_owned(), "application/json")
}

/// A server whose first `verb` request is answered 503, and every later one with
/// `then`: the shape of every "a read is retried after a 5xx" test.
pub async fn a_503_then(verb: &str, then: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method(verb))
        .respond_with(then)
        .mount(&server)
        .await;
    server
}
