//! What the paging suites share: a wiremock server answering one route, and a client of
//! it that retries fast.

use voxkit_core::RetryPolicy;
use voxkit_core::test_util::fast_retries;
use voxkit_longlonglong::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Respond};

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
