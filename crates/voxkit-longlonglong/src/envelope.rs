//! The envelope every answer comes in, `{code, status, message, data, meta?}`, decoded by
//! core's one envelope decoder ([`ENVELOPE`]) plus the one rule core cannot express (a
//! `status` that contradicts `code`), and the answers read from it that every group shares:
//! [`Ack`], [`Undocumented`], the [`Meta`] paginator.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use std::future::Future;
use voxkit_core::reconcile::run_once_unreconcilable;
use voxkit_core::{
    EnvelopeFormat, Error, ExactlyOnceOutcome, HttpResponse, Operation, OperationSpec, Origin,
    Page, PayloadAt, Success,
};

use crate::Client;

/// `code` 200 (a number or a string) is success; any other code is an [`Error::Api`] with
/// the code and `message`, whatever the HTTP status (the documented errors come with HTTP
/// 200). The payload is read from the other fields ([`PayloadAt::Rest`]) so that `status`,
/// `data` and `meta` come out of the same single pass.
pub(crate) const ENVELOPE: EnvelopeFormat = EnvelopeFormat::new(
    Success::Code(|c| c == "200"),
    &["code"],
    &["message"],
    PayloadAt::Rest,
);

/// The envelope's fields besides `code` and `message`.
#[derive(Deserialize)]
struct Body<T> {
    /// `"success"` or `"error"`; checked against `code` (absent: `code` alone decides).
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_text")]
    status: Option<String>,
    /// A missing `data` is `None` (serde's rule for `Option` fields).
    data: Option<T>,
    #[serde(default)]
    meta: Option<Meta>,
}

/// A decoded success: the envelope's message, `data` and `meta`.
pub(crate) struct Answer<T> {
    pub(crate) message: String,
    pub(crate) data: T,
    pub(crate) meta: Option<Meta>,
}

/// Decodes an answer of `spec`. On top of [`ENVELOPE`]: an envelope that contradicts
/// itself, `code` 200 with a `status` other than `"success"`
/// (`{"code":200,"status":"error",...}`), is not trusted as a success: it is an
/// [`Error::Decode`] (not an [`Error::Api`]: there is no error code to report, and the
/// answer is not a refusal either), which the core client turns into
/// [`Error::OutcomeUnknown`] for a non-repeatable operation. A `data` absent or null is
/// accepted only where `T` itself accepts null.
pub(crate) fn decode<T: DeserializeOwned>(
    origin: Origin,
    response: &HttpResponse,
    secrets: &[&str],
) -> Result<Answer<T>, Error> {
    let decode_error = |message: String| Error::Decode {
        origin,
        message,
        excerpt: voxkit_core::error::excerpt(&response.body, secrets),
    };
    let decoded = ENVELOPE.decode::<Body<T>>(origin, response, secrets)?;
    let body = decoded.payload;
    if let Some(status) = body
        .status
        .as_deref()
        .filter(|s| !s.eq_ignore_ascii_case("success"))
    {
        let shown: String = status.chars().take(64).collect();
        return Err(decode_error(format!(
            "contradictory envelope: code 200 with status {shown:?}"
        )));
    }
    let data = match body.data {
        Some(data) => data,
        None => T::deserialize(serde_json::Value::Null)
            .map_err(|e| decode_error(format!("no data: {e}")))?,
    };
    Ok(Answer {
        message: decoded.message.unwrap_or_default(),
        data,
        meta: body.meta,
    })
}

/// The test hooks' decoder: `spec`'s answer decoded as the client decodes it, as `T`.
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn decode_as<T: DeserializeOwned>(
    spec: &'static OperationSpec,
    response: &HttpResponse,
) -> Result<(), Error> {
    decode::<T>(spec.origin(), response, &[]).map(drop)
}

impl Client {
    /// Sends `op` (built from `spec`) and decodes its answer's `data` as `T`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        spec: &'static OperationSpec,
        op: &Operation,
    ) -> Result<Answer<T>, Error> {
        let origin = spec.origin();
        let token = self.token();
        self.core
            .execute(op, |response| decode(origin, response, &[token]))
            .await
    }

    /// Sends `op` and keeps only the envelope's message.
    pub(crate) async fn ack(
        &self,
        spec: &'static OperationSpec,
        op: &Operation,
    ) -> Result<Ack, Error> {
        let ok: Answer<IgnoredAny> = self.call(spec, op).await?;
        Ok(Ack {
            message: ok.message,
        })
    }

    /// Sends `op` (one page of a list) and keeps its `data` as the page's items, with the
    /// envelope's `meta` paginator: the one decoding of every typed paged list.
    pub(crate) async fn meta_page<T: DeserializeOwned>(
        &self,
        spec: &'static OperationSpec,
        op: &Operation,
    ) -> Result<MetaPage<T>, Error> {
        let ok: Answer<Vec<T>> = self.call(spec, op).await?;
        Ok(MetaPage {
            items: ok.data,
            meta: ok.meta,
        })
    }

    /// Sends `op` and keeps the envelope's message and its undocumented `data` as JSON.
    pub(crate) async fn undocumented(
        &self,
        spec: &'static OperationSpec,
        op: &Operation,
    ) -> Result<Undocumented, Error> {
        let ok: Answer<serde_json::Value> = self.call(spec, op).await?;
        Ok(Undocumented {
            message: ok.message,
            data: ok.data,
        })
    }
}

/// A successful answer whose `data` carries nothing (`"data": []`): the envelope's
/// `message`, e.g. `"AI外呼扣款操作成功"`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ack {
    /// The envelope's `message` (中文说明), as sent.
    pub message: String,
}

/// An answer whose `data` the documentation does not describe (账户信息, token 有效期,
/// 用户注册): the envelope's `data` as an open JSON value. No field names are assumed; read
/// what you need from [`Undocumented::data`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Undocumented {
    /// The envelope's `message`.
    pub message: String,
    /// The envelope's `data`, as sent.
    pub data: serde_json::Value,
}

impl Undocumented {
    /// The evidence an exactly-once call records for this answer: `{"message", "data"}`,
    /// the answer as sent (the one form every raw-answer operation's runner keeps).
    pub(crate) fn evidence(self) -> serde_json::Value {
        serde_json::json!({ "message": self.message, "data": self.data })
    }
}

/// A raw-answer operation that cannot be reconciled, under the exactly-once contract
/// (core's [`run_once_unreconcilable`]): `send` is sent once, its answer kept as
/// [`Undocumented::evidence`]; a lost answer is undetermined with the declaration's reason.
pub(crate) async fn raw_once_unreconcilable<S, SF>(
    spec: &OperationSpec,
    send: S,
) -> Result<ExactlyOnceOutcome, Error>
where
    S: Fn() -> SF,
    SF: Future<Output = Result<Undocumented, Error>>,
{
    run_once_unreconcilable(spec, || async { Ok(send().await?.evidence()) }).await
}

/// The Laravel-style paginator block of list answers:
/// `{"has_pages": true, "total": 31, "last_page": 31, "current_page": 1, "per_page": "1"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Meta {
    /// `has_pages`: whether there is more than one page (是否需要分页).
    #[serde(default)]
    pub has_pages: bool,
    /// `total`: how many items there are (共多少项).
    #[serde(deserialize_with = "voxkit_core::lenient::u64")]
    pub total: u64,
    /// `last_page`: the last page number (最后页码).
    #[serde(deserialize_with = "voxkit_core::lenient::u64")]
    pub last_page: u64,
    /// `current_page`: this page's number (当前页码).
    #[serde(deserialize_with = "voxkit_core::lenient::u64")]
    pub current_page: u64,
    /// `per_page`: the page size (页容量). The API sends it as a string (`"1"`) while the
    /// other fields are numbers; both forms are accepted.
    #[serde(deserialize_with = "voxkit_core::lenient::u64")]
    pub per_page: u64,
}

/// One page of a typed list and its `meta` paginator ([`crate::TaskPage`],
/// [`crate::SubAccountPage`], [`crate::CallRecordPage`]): the lists whose answer is a
/// `data` array of one item type beside the paginator share this one shape.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MetaPage<T> {
    /// The items of this page, in the order sent.
    pub items: Vec<T>,
    /// The paginator (`None` if the server sent none).
    pub meta: Option<Meta>,
}

impl<T> MetaPage<T> {
    /// This page as core's [`Page`], what every paged list of voxkit is walked as: the
    /// items and what the paginator says about the whole.
    pub fn into_page(self) -> Page<T> {
        Meta::page(self.meta, self.items, true)
    }
}

impl Meta {
    /// `items` as core's [`Page`], with what this paginator (if any) says about the whole:
    /// its page numbers, and its `total` only when `with_total` (a list whose paginator is
    /// undocumented must not end a walk on a count).
    pub(crate) fn page<T>(meta: Option<Meta>, items: Vec<T>, with_total: bool) -> Page<T> {
        Page::new(items)
            .page(meta.map(|m| m.current_page))
            .per_page(meta.map(|m| m.per_page))
            .total(meta.filter(|_| with_total).map(|m| m.total))
            .last_page(meta.map(|m| m.last_page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: Origin = Origin::new(crate::PROVIDER, "t");

    fn decode_bytes<T: DeserializeOwned>(body: &str) -> Result<Answer<T>, Error> {
        let response = HttpResponse {
            status: voxkit_core::reqwest::StatusCode::OK,
            headers: Default::default(),
            body: body.as_bytes().to_vec().into(),
        };
        decode(O, &response, &["SENTINEL"])
    }

    #[test]
    fn meta_accepts_per_page_as_string_or_number() {
        let a: Meta = serde_json::from_str(
            r#"{"has_pages":true,"total":31,"last_page":31,"current_page":1,"per_page":"1"}"#,
        )
        .unwrap();
        let b: Meta = serde_json::from_str(
            r#"{"has_pages":true,"total":31,"last_page":31,"current_page":1,"per_page":1}"#,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.per_page, 1);
    }

    /// Issue 12: `code` 200 with `status` "error" is not a success, and the status alone
    /// (without a code) is not an envelope.
    #[test]
    fn a_status_that_contradicts_the_code_is_a_decode_error() {
        for body in [
            r#"{"code":200,"status":"error","message":"操作失败","data":[]}"#,
            r#"{"code":"200","status":0,"data":[]}"#,
            r#"{"status":"success","data":[]}"#,
        ] {
            let err = decode_bytes::<IgnoredAny>(body).map(drop).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        }
        for body in [
            r#"{"code":200,"status":"success","message":"m","data":[]}"#,
            r#"{"code":200,"status":"SUCCESS","data":[]}"#,
            r#"{"code":200,"status":null}"#,
            r#"{"code":200}"#,
        ] {
            assert!(decode_bytes::<IgnoredAny>(body).is_ok(), "{body}");
        }
        let ok = decode_bytes::<Vec<u8>>(
            r#"{"message":"m","code":200,"data":[1],"meta":{"total":1,"last_page":1,"current_page":1,"per_page":"15"}}"#,
        )
        .unwrap();
        assert_eq!(
            (ok.message.as_str(), ok.data, ok.meta.unwrap().per_page),
            ("m", vec![1], 15)
        );
    }

    #[test]
    fn an_error_envelope_is_the_api_error_whatever_its_data() {
        let err = decode_bytes::<Vec<u8>>(
            r#"{"code":10004,"status":"error","message":"用户未开通账单权限","data":{"x":1}}"#,
        )
        .map(drop)
        .unwrap_err();
        assert_eq!(err.api_code(), Some("10004"));
        assert!(err.to_string().contains("用户未开通账单权限"));
    }
}
