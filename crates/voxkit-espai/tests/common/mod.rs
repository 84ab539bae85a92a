//! What the ESP-AI wire suites share: a raw JSON answer, a card as the list answers hold
//! it, the count of requests a server received and the check of a listing's error.

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

use serde_json::{Value, json};
use voxkit_core::Error;
use wiremock::{MockServer, ResponseTemplate};

/// A 200 answer with exactly this body as `application/json`.
pub fn json_response(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json")
}

/// A card with the id `id` (and the code `code-{id}`), in the documented shape of a list
/// answer's `data` item.
pub fn card_json(id: &str) -> Value {
    json!({ "id": id, "create_time": 1743506056109u64, "update_time": null,
            "code": format!("code-{id}"), "user_id": "u1", "api_limit": 1,
            "type": "1", "user_phone": 15916888888u64, "user_name": "琳琅" })
}

/// How many requests `server` received.
pub async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

/// Asserts that `err`, the error ending a listing stream, is a decode error whose message
/// says every one of `says`.
pub fn assert_listing_error(err: &Error, says: &[&str]) {
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let text = err.to_string();
    for said in says {
        assert!(text.contains(said), "{said:?} not in {text}");
    }
}
