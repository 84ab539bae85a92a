//! The envelope every answer comes in, `{success, message, code, data, totalNumber}`,
//! described once for core's envelope decoder ([`ENVELOPE`]), and the one way every group
//! sends a request and decodes its answer ([`Client::post`]).

use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use voxkit_core::{
    Decoded, EnvelopeFormat, Error, HttpResponse, Operation, OperationSpec, Page, PayloadAt,
    Success,
};

use crate::listing::List;
use crate::{Ack, Client};

/// `"success": true` is a success; `false` is an [`Error::Api`] with the `code` as text
/// (`500` → `"500"`, `None` when the server sends none, as for "额度卡不存在") and the
/// `message`, whatever the HTTP status. A body that is not such an object (an HTML error
/// page, a missing or non-boolean `success`, a payload of the wrong shape) is an
/// [`Error::Decode`]. The payload is `data`; list answers read `data` and `totalNumber`
/// together ([`PayloadAt::Rest`], passed by the list calls).
pub(crate) const ENVELOPE: EnvelopeFormat = EnvelopeFormat::new(
    Success::Flag("success"),
    &["code"],
    &["message"],
    PayloadAt::Field("data"),
);

/// Decodes an answer of `spec` with its payload at `payload`, scrubbing `secrets` from
/// every error.
pub(crate) fn decode<T: DeserializeOwned>(
    spec: &'static OperationSpec,
    payload: PayloadAt,
    response: &HttpResponse,
    secrets: &[&str],
) -> Result<Decoded<T>, Error> {
    ENVELOPE
        .with_payload(payload)
        .decode(spec.origin(), response, secrets)
}

/// The test hooks' decoder: an answer of `spec` decoded as the client decodes it, with
/// [`crate::TEST_KEY`] as the key to scrub.
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn decode_as<T: DeserializeOwned>(
    spec: &'static OperationSpec,
    payload: PayloadAt,
    response: &HttpResponse,
) -> Result<(), Error> {
    decode::<T>(spec, payload, response, &[crate::TEST_KEY]).map(drop)
}

impl Client {
    /// POSTs `body` (JSON) as `spec` to the base URL and decodes the answer's payload at
    /// `payload` as `T`.
    pub(crate) async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        spec: &'static OperationSpec,
        body: &B,
        payload: PayloadAt,
    ) -> Result<Decoded<T>, Error> {
        self.post_to(&self.core, spec, body, payload).await
    }

    /// POSTs `body` (JSON) as `spec` to `host` (the base URL's core client or the agent
    /// host's) and decodes the answer's payload at `payload` as `T`, the open API key
    /// scrubbed from every error: the one request path of both hosts.
    pub(crate) async fn post_to<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        host: &voxkit_core::Client,
        spec: &'static OperationSpec,
        body: &B,
        payload: PayloadAt,
    ) -> Result<Decoded<T>, Error> {
        let op = Operation::of(spec, &[])?.json(spec.origin(), body)?;
        let key = self.auth.secret();
        host.execute(&op, |response| decode(spec, payload, response, &[key]))
            .await
    }

    /// Sends `body` as `spec` to `host` and keeps the answer's message: every operation
    /// whose answer carries no data (transfers, destroys, deletes, unbinds).
    pub(crate) async fn ack<B: Serialize + ?Sized>(
        &self,
        host: &voxkit_core::Client,
        spec: &'static OperationSpec,
        body: &B,
    ) -> Result<Ack, Error> {
        let answer: Decoded<IgnoredAny> = self
            .post_to(host, spec, body, PayloadAt::Field("data"))
            .await?;
        Ok(Ack {
            message: answer.message,
        })
    }

    /// One page of a list operation: `body` POSTed as `spec` to `host`, its `data` and
    /// `totalNumber` read as a [`Page`] (the answer of every list call of the crate).
    pub(crate) async fn list_page<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        host: &voxkit_core::Client,
        spec: &'static OperationSpec,
        body: &B,
    ) -> Result<Page<T>, Error> {
        let list: List<T> = self
            .post_to(host, spec, body, PayloadAt::Rest)
            .await?
            .payload;
        Ok(list.into_page())
    }
}

#[cfg(test)]
mod tests {
    use voxkit_core::reqwest::StatusCode;
    use voxkit_core::reqwest::header::HeaderMap;

    use super::*;
    use crate::Card;
    use crate::transfers::TRANSFER;

    fn response(body: &str) -> HttpResponse {
        HttpResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: body.to_owned().into(),
        }
    }

    fn ack(body: &str, secrets: &[&str]) -> Result<Decoded<IgnoredAny>, Error> {
        decode(
            &TRANSFER,
            PayloadAt::Field("data"),
            &response(body),
            secrets,
        )
    }

    #[test]
    fn envelope_errors() {
        let err = ack(
            r#"{"success":false,"message":"系统错误：xxx","code":500}"#,
            &[],
        )
        .unwrap_err();
        assert_eq!(err.api_code(), Some("500"));
        let err = ack(r#"{"success":false,"message":"x","code":"401"}"#, &[]).unwrap_err();
        assert_eq!(err.api_code(), Some("401"));
        let err = ack(r#"{"success":false}"#, &[]).unwrap_err();
        assert!(matches!(&err, Error::Api { code: None, message, .. } if message.is_empty()));
        let err = ack(
            r#"{"success":false,"message":"key SECRET-1 bad","code":null}"#,
            &["SECRET-1"],
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Api { code: None, message, .. } if message == "key [redacted] bad")
        );
    }

    #[test]
    fn malformed_envelopes_are_decode_errors() {
        for body in [
            "",
            "<html>502</html>",
            r#"{"message":"no success"}"#,
            r#"{"success":"true"}"#,
            r#"{"success":null}"#,
            "[1,2]",
            "null",
        ] {
            let err = ack(body, &[]).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        }
        let err = decode::<Card>(
            &TRANSFER,
            PayloadAt::Field("data"),
            &response(r#"{"success":true,"data":{"id":"SECRET-2"}}"#),
            &["SECRET-2"],
        )
        .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }));
        assert!(!format!("{err} {err:?}").contains("SECRET-2"), "{err:?}");
    }
}
