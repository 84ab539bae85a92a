//! What Laaffic's suites share: raw JSON answers, mounting one answer for every request of
//! a method, and servers answering in turn (the 503-then-answer shape of every "retried
//! after a 5xx" test).

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A 200 answer with exactly this body as `application/json`.
pub fn json_answer(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json")
}

/// Mounts `answer` on `server` for every later `verb` request (after any mounted before
/// it that still answer).
pub async fn mount(server: &MockServer, verb: &str, answer: ResponseTemplate) {
    Mock::given(method(verb))
        .respond_with(answer)
        .mount(server)
        .await;
}

/// A server answering its `verb` requests with `answers` in turn: each one answers one
/// request, the last every request after.
pub async fn in_turn(
    verb: &str,
    answers: impl IntoIterator<Item = ResponseTemplate>,
) -> MockServer {
    let server = MockServer::start().await;
    let mut answers = answers.into_iter().peekable();
    while let Some(answer) = answers.next() {
        let mock = Mock::given(method(verb)).respond_with(answer);
        let mock = if answers.peek().is_some() {
            mock.up_to_n_times(1)
        } else {
            mock
        };
        mock.mount(&server).await;
    }
    server
}

/// A server whose first `verb` request is answered 503, and every later one with `then`.
pub async fn a_503_then(verb: &str, then: ResponseTemplate) -> MockServer {
    in_turn(verb, [ResponseTemplate::new(503), then]).await
}
