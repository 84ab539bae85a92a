//! What the suites share: a wiremock server answering one route, a client of it that
//! retries fast, raw JSON answers and a server that fails once before it answers; the
//! matchers of the documented headers, the requests a server received, and the checks
//! several suites make of a query or an exactly-once outcome.

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use voxkit_core::test_util::fast_retries;
use voxkit_core::{Error, ExactlyOnceOutcome, RetryPolicy};
use voxkit_longlonglong::Client;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, Request, Respond, ResponseTemplate};

/// A server answering `GET route` with `responder`.
pub async fn serve(route: &str, responder: impl Respond + 'static) -> MockServer {
    mounted(
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(responder),
    )
    .await
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

/// The documented success envelope around `data` (`"message": "ok"`).
pub fn ok(data: Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(json!({"code": 200, "status": "success", "message": "ok", "data": data}))
}

/// The matchers of `verb route` with the headers every agent-API request carries: the
/// bearer test token, JSON content type, JSON accept.
pub fn given(verb: &str, route: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(route))
        .and(header("authorization", "Bearer test-token"))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
}

/// A fresh server with `mock` mounted.
pub async fn mounted(mock: Mock) -> MockServer {
    let server = MockServer::start().await;
    mock.mount(&server).await;
    server
}

/// A server answering `verb route` with `answer`, and a [`wire_client`] of it.
pub async fn serving(verb: &str, route: &str, answer: ResponseTemplate) -> (MockServer, Client) {
    let server = mounted(
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(answer),
    )
    .await;
    let client = wire_client(&server.uri());
    (server, client)
}

/// Every request `server` received, in order.
pub async fn sent(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap()
}

/// The JSON body of `request`.
pub fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("a JSON body")
}

/// Asserts that the query of `request` holds each of `pairs` (among others, in any order).
pub fn assert_query_has(request: &Request, pairs: &[(&str, &str)]) {
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    for pair in pairs {
        assert!(
            query.contains(&(pair.0.into(), pair.1.into())),
            "{pair:?} in {query:?}"
        );
    }
}

/// Asserts that `err` is an unknown outcome and that `server` received exactly one
/// request: the lost answer of a non-repeatable call, never re-sent.
pub async fn assert_unknown_after_one_request(err: &Error, server: &MockServer) {
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(sent(server).await.len(), 1);
}

/// Asserts the outcome of an exactly-once call that cannot be reconciled: undetermined,
/// saying so.
pub fn assert_unreconcilable(outcome: &ExactlyOnceOutcome) {
    assert!(
        matches!(outcome, ExactlyOnceOutcome::Undetermined { why, .. } if why.contains("cannot be reconciled")),
        "{outcome:?}"
    );
}

/// Asserts that an exactly-once call ended applied.
pub fn assert_applied(outcome: &ExactlyOnceOutcome) {
    assert!(
        matches!(outcome, ExactlyOnceOutcome::Applied { .. }),
        "{outcome:?}"
    );
}
