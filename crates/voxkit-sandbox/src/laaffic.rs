//! Laaffic v3: `Api-Key`, `Timestamp` and `Sign` = md5(key + secret + timestamp) checked on
//! every request; `{status, reason, ...}` envelopes.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use md5::{Digest, Md5};
use serde_json::json;

use crate::{LAAFFIC_API_KEY, LAAFFIC_API_SECRET, Shared};

/// The accepted distance between the request's `Timestamp` and the server clock.
const WINDOW_SECS: i64 = 300;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v3/getBalance", get(balance))
        .merge(crate::ivr::routes())
        .route_layer(axum::middleware::from_fn(signed))
}

fn status(code: &str, reason: &str) -> Response {
    axum::Json(json!({"status": code, "reason": reason})).into_response()
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `-1` 认证错误 for a wrong key or sign, `-16` 超出时间范围限制 outside the window.
async fn signed(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if text("Api-Key") != Some(LAAFFIC_API_KEY) {
        return status("-1", "认证错误");
    }
    let Some(timestamp) = text("Timestamp").and_then(|t| t.parse::<i64>().ok()) else {
        return status("-1", "认证错误");
    };
    let expected = md5_hex(&format!("{LAAFFIC_API_KEY}{LAAFFIC_API_SECRET}{timestamp}"));
    // "MD5-32-bit string (case-insensitive)".
    if !text("Sign").is_some_and(|s| s.eq_ignore_ascii_case(&expected)) {
        return status("-1", "认证错误");
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    // `abs_diff`: `Timestamp: -9223372036854775808` is far outside, not an overflow.
    if now.abs_diff(timestamp) > WINDOW_SECS.unsigned_abs() {
        return status("-16", "超出时间范围限制");
    }
    next.run(request).await
}

async fn balance(State(shared): State<Shared>) -> Response {
    let data = shared.lock();
    let l = &data.laaffic;
    // Strings, as documented ("99.990000").
    axum::Json(json!({
        "status": "0", "reason": "success",
        "balance": l.balance.to_string(), "gift": l.gift.to_string(), "credit": l.credit.to_string(),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_sign_vector() {
        assert_eq!(
            md5_hex("bDqJFiq97bz1lzh91630468800"),
            "05d7a50893e22a5c4bb3216ae3396c7c"
        );
    }
}
