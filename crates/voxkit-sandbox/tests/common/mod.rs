//! Helpers shared by the sandbox's integration tests: a plain HTTP client and signed
//! Laaffic requests (for what the SDK would refuse to send).

#![allow(dead_code)] // Each test file uses its own part.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use voxkit_sandbox::{LAAFFIC_API_KEY, LAAFFIC_API_SECRET, Sandbox};

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
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&body).expect("a JSON envelope"),
    )
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
