//! **Not part of the API**: hidden from the documentation and free to change in any
//! release.
//!
//! This crate's decoders on raw bytes, exactly as the client runs them, for the
//! `cargo fuzz` targets under `fuzz/` and for the property tests.

use std::sync::OnceLock;
use std::time::SystemTime;

use voxkit_core::reqwest::StatusCode;
use voxkit_core::reqwest::header::{DATE, HeaderMap, HeaderValue};
use voxkit_core::{Error, HttpResponse, Origin};

use serde::de::IgnoredAny;

use crate::client::{Data, MaybeId, decode};
use crate::{
    Balance, CallRecord, OPERATIONS, PROVIDER, Page, Status, TaskDetail, TaskSummary, VoiceFileId,
    VoiceReport,
};

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
    let result = decode::<Balance>(Origin::new(PROVIDER, "balance"), &response, &server_date);
    (result, server_date.get().copied())
}

/// The status parser: [`Status::from_code`] on arbitrary text.
pub fn parse_status(text: &str) -> Status {
    Status::from_code(text)
}

/// Decodes `body` as the answer of the operation named `operation` (any entry of
/// [`OPERATIONS`]), with the decoder and payload type the client uses for it, and no
/// `Date` header. Returns `Ok(())` for a decoded answer, or a clean [`Error::Decode`] /
/// [`Error::Api`]; an unknown operation name is [`Error::InvalidInput`]. Never panics.
pub fn decode_answer(operation: &str, body: &[u8]) -> Result<(), Error> {
    let response = HttpResponse {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: body.to_vec().into(),
    };
    let Some((name, _)) = OPERATIONS.iter().find(|(name, _)| *name == operation) else {
        return Err(Error::invalid_input(
            Origin::new(PROVIDER, "fuzz"),
            "not an operation of this crate",
        ));
    };
    let origin = Origin::new(PROVIDER, name);
    let date = OnceLock::new();
    match *name {
        "balance" => decode::<Balance>(origin, &response, &date).map(drop),
        "upload_voice_file" => decode::<Data<VoiceFileId>>(origin, &response, &date).map(drop),
        "create_task" | "resend_task" => decode::<MaybeId>(origin, &response, &date).map(drop),
        "query_tasks" => decode::<Data<Page<TaskSummary>>>(origin, &response, &date).map(drop),
        "task_detail" => decode::<Data<TaskDetail>>(origin, &response, &date).map(drop),
        "pause_tasks" | "cancel_tasks" => decode::<IgnoredAny>(origin, &response, &date).map(drop),
        "call_record" => decode::<Data<CallRecord>>(origin, &response, &date).map(drop),
        "call_records" => decode::<Data<Page<CallRecord>>>(origin, &response, &date).map(drop),
        other => Err(Error::invalid_input(
            origin,
            format!("the fuzz module has no decoder for {other}: add it"),
        )),
    }
}

/// The pushed call report's decoder: [`VoiceReport::decode`] on arbitrary bytes.
pub fn decode_report(body: &[u8]) -> Result<Vec<VoiceReport>, serde_json::Error> {
    VoiceReport::decode(body)
}
