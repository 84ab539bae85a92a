//! Helpers shared by the sandbox's integration tests: the SDK clients pointed at a sandbox,
//! a plain HTTP client, signed Laaffic requests and key-carrying ESP-AI posts (for what the
//! SDK would refuse to send).

#![allow(dead_code)] // Each test file uses its own part.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use voxkit_core::RetryPolicy;
use voxkit_sandbox::{
    ESPAI_OPEN_API_KEY, LAAFFIC_API_KEY, LAAFFIC_API_SECRET, LONGLONGLONG_TOKEN, Sandbox,
};

/// The retry policy of these tests: core's fast one, waiting out a `Retry-After` of up
/// to 2 s (the sandbox's injected 429 and 503 send one).
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retry_after: Duration::from_secs(2),
        ..voxkit_core::test_util::fast_retries()
    }
}

/// The client of `builder` (any provider's, its credentials set) at `sandbox`, with
/// [`fast_retries`]: how every SDK client of these tests is made.
pub fn at_sandbox<P: voxkit_core::Provider>(
    builder: voxkit_core::Builder<P>,
    sandbox: &Sandbox,
) -> P::Client {
    builder
        .base_url(sandbox.url())
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

/// The longlonglong SDK client at `sandbox`, with `token`.
pub fn longlonglong_with_token(sandbox: &Sandbox, token: &str) -> voxkit_longlonglong::Client {
    at_sandbox(voxkit_longlonglong::Client::builder().token(token), sandbox)
}

/// The longlonglong SDK client at `sandbox`, with the sandbox's token.
pub fn longlonglong_client(sandbox: &Sandbox) -> voxkit_longlonglong::Client {
    longlonglong_with_token(sandbox, LONGLONGLONG_TOKEN)
}

/// The Laaffic SDK client at `sandbox`, with the sandbox's key and secret.
pub fn laaffic_client(sandbox: &Sandbox) -> voxkit_laaffic::Client {
    let builder =
        voxkit_laaffic::Client::builder().credentials(LAAFFIC_API_KEY, LAAFFIC_API_SECRET);
    at_sandbox(builder, sandbox)
}

/// The ESP-AI SDK client at `sandbox`, with the sandbox's key.
pub fn espai_client(sandbox: &Sandbox) -> voxkit_espai::Client {
    at_sandbox(
        voxkit_espai::Client::builder().api_key(ESPAI_OPEN_API_KEY),
        sandbox,
    )
}

/// An ESP-AI POST with the sandbox key, as (HTTP status, JSON body).
pub async fn espai_post(sandbox: &Sandbox, path: &str, body: Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}{path}", sandbox.url()))
        .header("authorization", ESPAI_OPEN_API_KEY)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("an answer, not a dropped connection");
    status_and_json(response).await
}

/// An answer as (HTTP status, JSON body): what every raw request helper returns, so that a
/// body that is not JSON fails the test the same way everywhere.
pub async fn status_and_json(response: voxkit_core::reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&body).expect("a JSON envelope"),
    )
}

/// A plain HTTP client.
pub fn http() -> voxkit_core::reqwest::Client {
    voxkit_core::transport::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
}

/// Now, in Unix seconds (Laaffic's `Timestamp`).
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A Laaffic request signed for `timestamp`, as (HTTP status, JSON body).
pub async fn laaffic_at(
    sandbox: &Sandbox,
    method: &str,
    path: &str,
    body: Option<Value>,
    timestamp: i64,
) -> (u16, Value) {
    let sign = voxkit_laaffic::signature(LAAFFIC_API_KEY, LAAFFIC_API_SECRET, timestamp);
    let mut request = http()
        .request(method.parse().unwrap(), format!("{}{path}", sandbox.url()))
        .header("Content-Type", "application/json;charset=UTF-8")
        .header("Api-Key", LAAFFIC_API_KEY)
        .header("Timestamp", timestamp)
        .header("Sign", sign);
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let response = request
        .send()
        .await
        .expect("an answer, not a dropped connection");
    status_and_json(response).await
}

/// A Laaffic request signed now, as (HTTP status, JSON body).
pub async fn laaffic_now(
    sandbox: &Sandbox,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    laaffic_at(sandbox, method, path, body, now_secs()).await
}
