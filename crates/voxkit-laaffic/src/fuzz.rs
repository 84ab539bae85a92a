//! **Not part of the API**: hidden from the documentation and free to change in any
//! release.
//!
//! This crate's decoders on raw bytes, exactly as the client runs them, for the
//! `cargo fuzz` targets under `fuzz/` and for the property tests.

use std::sync::OnceLock;
use std::time::SystemTime;

use voxkit_core::reqwest::StatusCode;
use voxkit_core::reqwest::header::{DATE, HeaderMap, HeaderValue};
use voxkit_core::{Error, HttpResponse};

use crate::balance::decode_balance_response;
use crate::signing::learn_date;
use crate::{Balance, Status, VoiceReport};

/// Decodes `body` as the answer of `balance` (a family-A envelope), with `date` as the
/// response's `Date` header when it is a valid header value. Returns the decoded balance
/// or a clean [`Error::Decode`] / [`Error::Api`], and the server time the skew correction
/// would learn (set only for a `-16` answer with a usable `Date`). Never panics.
pub fn decode_balance(date: &[u8], body: &[u8]) -> (Result<Balance, Error>, Option<SystemTime>) {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(date) {
        headers.insert(DATE, value);
    }
    let response = HttpResponse {
        status: StatusCode::OK,
        headers,
        body: body.to_vec().into(),
    };
    let server_date = OnceLock::new();
    let result = learn_date(decode_balance_response(&response), &response, &server_date);
    (result, server_date.get().copied())
}

/// The status parser: [`Status::from_code`] on arbitrary text.
pub fn parse_status(text: &str) -> Status {
    Status::from_code(text)
}

/// Decodes `body` as the answer of the operation named `operation` (any entry of
/// [`OPERATIONS`](crate::OPERATIONS)) with its declared decoder
/// ([`TEST_HOOKS`](crate::TEST_HOOKS), feature `test-util`), as an HTTP 200 answer.
/// Returns `Ok(())` for a decoded answer, or a clean [`Error::Decode`] / [`Error::Api`];
/// an unknown operation name is [`Error::InvalidInput`]. Never panics.
#[cfg(any(test, feature = "test-util"))]
pub fn decode_answer(operation: &str, body: &[u8]) -> Result<(), Error> {
    match voxkit_core::declare::hooks_of(crate::TEST_HOOKS, operation) {
        Some(hooks) => hooks.decode_body(200, body),
        None => Err(Error::invalid_input(
            voxkit_core::Origin::new(crate::PROVIDER, "fuzz"),
            "not an operation of this crate",
        )),
    }
}

/// The pushed call report's decoder: [`VoiceReport::decode`] on arbitrary bytes.
pub fn decode_report(body: &[u8]) -> Result<Vec<VoiceReport>, serde_json::Error> {
    VoiceReport::decode(body)
}
