//! Laaffic's answer envelope, described once for core's decoder.
//!
//! The answers come in two families, `{status, reason, ...}` (balance, upload, records:
//! the payload at top level or in `data`) and `{code, msg, data}` (the group-call query,
//! pause, cancel), the status a string or a number either way. One [`ENVELOPE`] covers
//! both: the status is `status` or else `code` (where both are present `status` wins), the
//! message `reason` or else `msg`, and a status other than the integer 0 is an
//! [`Error::Api`] carrying it. The rules that keep money safe are core's and the
//! description's: an error envelope is an API error whatever the HTTP status, anything
//! else is a decode error (an unknown outcome for a non-repeatable call), and the
//! system-error statuses are indeterminate ([`crate::SYSTEM_ERROR_CODES`]).

use serde::de::DeserializeOwned;
use voxkit_core::{EnvelopeFormat, Error, HttpResponse, OperationSpec, PayloadAt, Success};

/// Both envelope families; the payload in `data` (the balance reads the
/// [rest](PayloadAt::Rest) of the object instead).
pub(crate) const ENVELOPE: EnvelopeFormat = EnvelopeFormat::new(
    Success::Code(|c| c.parse::<i64>() == Ok(0)),
    &["status", "code"],
    &["reason", "msg"],
    PayloadAt::Field("data"),
);

/// Decodes an answer of `spec` with `format` (whatever the HTTP status): the payload, or
/// a clean [`Error::Api`] / [`Error::Decode`]. Core's client scrubs every error of the
/// credentials afterwards, so no secrets are passed here.
pub(crate) fn decode_with<T: DeserializeOwned>(
    format: &EnvelopeFormat,
    spec: &'static OperationSpec,
    response: &HttpResponse,
) -> Result<T, Error> {
    format
        .decode::<T>(spec.origin(), response, &[])
        .map(|d| d.payload)
}

/// [`decode_with`] the payload in `data`.
pub(crate) fn decode_data<T: DeserializeOwned>(
    spec: &'static OperationSpec,
    response: &HttpResponse,
) -> Result<T, Error> {
    decode_with(&ENVELOPE, spec, response)
}
