//! Receiving what Laaffic pushes (feature `webhooks`): the voice status report after each
//! call ([`VoiceReport`], 语音状态报告推送) and the AI voice call record ([`AiCallRecord`],
//! pushCallRecord), each through an [`axum::Router`] that hands every decoded push to your
//! async handler.
//!
//! ```
//! use voxkit_laaffic::VoiceReport;
//! use voxkit_laaffic::webhooks::{self, BoxError};
//!
//! async fn on_report(report: VoiceReport) -> Result<(), BoxError> {
//!     // Store it; an error here makes Laaffic deliver it again.
//!     tracing::info!(voice_id = %report.voice_id, "call report");
//!     Ok(())
//! }
//!
//! let app: axum::Router = webhooks::voice_reports(on_report)
//!     .token("a-long-random-secret") // the URL given to Laaffic: https://host/laaffic/a-long-random-secret
//!     .router();
//! # let _ = app;
//! ```
//!
//! What each receiver checks and answers, and how it de-duplicates, is
//! [`voxkit_core::webhook`]'s: `405` for anything but `POST`, `403` outside the
//! [allow-list](Receiver::allow), `401` without the [token](Receiver::token), `413` over the
//! [cap](Receiver::max_body), `400` for a body that is not a report (the handler never sees
//! it), `500` when the handler failed (Laaffic should deliver again), and `200` with the
//! acknowledgement once every report in the body was handled or was a duplicate.
//!
//! # Authenticity
//!
//! Laaffic documents no signature, shared secret or source network for its pushes: the
//! push address is "configured by Laaffic operators" and the body is plain JSON. Anyone
//! who learns the address can post a report. So: put a long random [token](Receiver::token)
//! in the address you give Laaffic and keep it as secret as the API secret (HTTPS only,
//! out of logs), [allow](Receiver::allow) only the networks Laaffic tells you it pushes
//! from, and treat a report as a hint: before anything that moves money, read the call
//! record back with [`Client::call_record`](crate::Client::call_record) by its `voiceId`.
//!
//! # Acknowledgement and duplicates
//!
//! The pages show no expected acknowledgement; the receiver answers `200` with Laaffic's
//! own success envelope (`{"status":"0","reason":"success"}`), an assumption. A report
//! delivered again (Laaffic's retry after a lost acknowledgement) is recognised by its
//! `voiceId` (an AI call record by its `callId`) and acknowledged without calling the
//! handler, within the [de-duplication window](MemoryWindow); give the receiver a durable
//! [`SeenStore`] to keep that across restarts.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use voxkit_core::lenient;

pub use voxkit_core::webhook::{
    BoxError, DEFAULT_MAX_BODY, DEFAULT_WINDOW, MemoryWindow, Network, Push, Receiver, SeenStore,
};

use crate::VoiceReport;

/// Laaffic's success envelope, answered as the acknowledgement (undocumented: an
/// assumption, see the [module documentation](self)).
pub const ACK: &str = r#"{"status":"0","reason":"success"}"#;

impl Push for VoiceReport {
    const KIND: &'static str = "Laaffic voice report";
    const ACK: &'static str = ACK;

    fn decode_push(body: &[u8]) -> Result<Vec<Self>, String> {
        VoiceReport::decode(body).map_err(|e| e.to_string())
    }

    /// `voiceId`: the call's own record id.
    fn dedup_key(&self) -> String {
        format!("laaffic.report:{}", self.voice_id)
    }
}

/// A receiver of voice status reports (语音状态报告推送) handing each to `handler`.
pub fn voice_reports<F, Fut, E>(handler: F) -> Receiver<VoiceReport>
where
    F: Fn(VoiceReport) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<BoxError> + 'static,
{
    Receiver::new(handler)
}

/// A receiver of AI voice call records (pushCallRecord) handing each to `handler`.
pub fn ai_call_records<F, Fut, E>(handler: F) -> Receiver<AiCallRecord>
where
    F: Fn(AiCallRecord) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<BoxError> + 'static,
{
    Receiver::new(handler)
}

/// The outcome of an AI call (`resultStatus`), as documented; anything else is kept as
/// sent in [`ResultStatus::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResultStatus {
    /// `ANSWERED`.
    Answered,
    /// `NO_ANSWER`.
    NoAnswer,
    /// `BUSY`.
    Busy,
    /// `POWER_OFF`.
    PowerOff,
    /// `OUT_OF_SERVICE`.
    OutOfService,
    /// `REFUSED`.
    Refused,
    /// `VACANT_NUMBER`.
    VacantNumber,
    /// `CAN_NOT_CONNECT`.
    CanNotConnect,
    /// `FROM_PHONE_ERROR`: the calling number failed.
    FromPhoneError,
    /// `SYSTEM_ERROR`.
    SystemError,
    /// `CALL_LOSS`.
    CallLoss,
    /// `TRANSFER_ARTIFICIAL`: transferred to a person.
    TransferArtificial,
    /// A value the page does not list, as sent.
    Other(String),
}

impl ResultStatus {
    /// The value as sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            ResultStatus::Answered => "ANSWERED",
            ResultStatus::NoAnswer => "NO_ANSWER",
            ResultStatus::Busy => "BUSY",
            ResultStatus::PowerOff => "POWER_OFF",
            ResultStatus::OutOfService => "OUT_OF_SERVICE",
            ResultStatus::Refused => "REFUSED",
            ResultStatus::VacantNumber => "VACANT_NUMBER",
            ResultStatus::CanNotConnect => "CAN_NOT_CONNECT",
            ResultStatus::FromPhoneError => "FROM_PHONE_ERROR",
            ResultStatus::SystemError => "SYSTEM_ERROR",
            ResultStatus::CallLoss => "CALL_LOSS",
            ResultStatus::TransferArtificial => "TRANSFER_ARTIFICIAL",
            ResultStatus::Other(other) => other,
        }
    }

    fn from_wire(text: String) -> Self {
        match text.as_str() {
            "ANSWERED" => ResultStatus::Answered,
            "NO_ANSWER" => ResultStatus::NoAnswer,
            "BUSY" => ResultStatus::Busy,
            "POWER_OFF" => ResultStatus::PowerOff,
            "OUT_OF_SERVICE" => ResultStatus::OutOfService,
            "REFUSED" => ResultStatus::Refused,
            "VACANT_NUMBER" => ResultStatus::VacantNumber,
            "CAN_NOT_CONNECT" => ResultStatus::CanNotConnect,
            "FROM_PHONE_ERROR" => ResultStatus::FromPhoneError,
            "SYSTEM_ERROR" => ResultStatus::SystemError,
            "CALL_LOSS" => ResultStatus::CallLoss,
            "TRANSFER_ARTIFICIAL" => ResultStatus::TransferArtificial,
            _ => ResultStatus::Other(text),
        }
    }
}

impl<'de> Deserialize<'de> for ResultStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::text(d).map(ResultStatus::from_wire)
    }
}

/// One sentence of an AI call's dialogue (`callDetailList[]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallDetail {
    /// `callDetailId`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub call_detail_id: Option<String>,
    /// `text`: what was said.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub text: Option<String>,
    /// `type`: `PERSON` or `ROBOT`, as sent.
    #[serde(default, rename = "type", deserialize_with = "lenient::opt_text")]
    pub speaker: Option<String>,
    /// `startOffset` (as sent; the unit is not documented).
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub start_offset: Option<i64>,
    /// `endOffset`.
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub end_offset: Option<i64>,
}

/// One AI voice call record, as pushed to the AI application's report address (the
/// itniotech copy of pushCallRecord; the Laaffic copy was not found, and the field list
/// read is cut after `redialTimes`). Every field but `callId` is optional; numbers are
/// accepted as numbers or strings; times are **second** epochs (unlike the voice report's
/// milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AiCallRecord {
    /// `callId`: the record's own id (the de-duplication key).
    #[serde(deserialize_with = "required_text")]
    pub call_id: String,
    /// `appId`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub app_id: Option<String>,
    /// `robotCallJobId`: the AI task.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub robot_call_job_id: Option<u64>,
    /// `dialogFlowId`: the script.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub dialog_flow_id: Option<u64>,
    /// `tenantPhoneNumberId`: the calling line.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub tenant_phone_number_id: Option<String>,
    /// `calledPhoneNumber`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub called_phone_number: Option<String>,
    /// `startTime` (second epoch).
    #[serde(default, deserialize_with = "opt_epoch_secs")]
    pub start_time: Option<DateTime<Utc>>,
    /// `endTime` (second epoch).
    #[serde(default, deserialize_with = "opt_epoch_secs")]
    pub end_time: Option<DateTime<Utc>>,
    /// `resultStatus`.
    #[serde(default)]
    pub result_status: Option<ResultStatus>,
    /// `hangupBy`: who hung up, as sent.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub hangup_by: Option<String>,
    /// `customerConcern`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub customer_concern: Option<String>,
    /// `analysisBasis`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub analysis_basis: Option<String>,
    /// `chatDuration` (seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub chat_duration: Option<u64>,
    /// `billingTime`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub billing_time: Option<u64>,
    /// `pay`: the charge in US dollars (a string on the wire).
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub pay: Option<Decimal>,
    /// `chatRound`: the dialogue's turns.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub chat_round: Option<u64>,
    /// `intentLevelDetailName`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub intent_level_detail_name: Option<String>,
    /// `fullAudioUrl`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub full_audio_url: Option<String>,
    /// `customerAudioUrl`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub customer_audio_url: Option<String>,
    /// `callDetailList`: the dialogue.
    #[serde(default, deserialize_with = "lenient::null_as_empty")]
    pub call_detail_list: Vec<CallDetail>,
    /// `callCount`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub call_count: Option<u64>,
    /// `redialTimes`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub redial_times: Option<u64>,
}

impl AiCallRecord {
    /// Decodes a pushed body: one record object, or an array of them.
    pub fn decode(body: &[u8]) -> Result<Vec<AiCallRecord>, serde_json::Error> {
        voxkit_core::wire::one_or_many(body)
    }
}

impl Push for AiCallRecord {
    const KIND: &'static str = "Laaffic AI call record";
    const ACK: &'static str = ACK;

    fn decode_push(body: &[u8]) -> Result<Vec<Self>, String> {
        AiCallRecord::decode(body).map_err(|e| e.to_string())
    }

    /// `callId`: the call's own id.
    fn dedup_key(&self) -> String {
        format!("laaffic.ai_call:{}", self.call_id)
    }
}

fn required_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    lenient::opt_text(d)?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| serde::de::Error::custom("callId is missing"))
}

/// An optional second epoch (number or numeric string); null or `0` is `None`.
fn opt_epoch_secs<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match lenient::opt_i64(d)? {
        None | Some(0) => Ok(None),
        Some(secs) => DateTime::from_timestamp(secs, 0)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("second timestamp out of range")),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;

    const REPORT: &str = r#"{"voiceId":"22121121451211349002","type":1,"callee":"63123456788",
        "displayNum":"6311012125","submitTime":1670744721000,"terminationCode":"0"}"#;

    async fn post(app: &axum::Router, uri: &str, body: &str) -> (StatusCode, String) {
        let request = Request::post(uri)
            .body(Body::from(body.to_owned()))
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A report is handed over once and acknowledged; its redelivery is acknowledged
    /// without reaching the handler; a failed handler is answered 500 and the report is
    /// handled again on the next delivery.
    #[tokio::test]
    async fn reports_reach_the_handler_once_and_failures_are_redelivered() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let app = voice_reports(move |report: VoiceReport| {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                assert_eq!(report.voice_id, "22121121451211349002");
                if n == 0 { Err("disk full") } else { Ok(()) }
            }
        })
        .token("t0ken")
        .router();
        assert_eq!(
            post(&app, "/laaffic/t0ken", REPORT).await.0,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            post(&app, "/laaffic/t0ken", REPORT).await,
            (StatusCode::OK, ACK.to_owned())
        );
        assert_eq!(
            post(&app, "/laaffic?token=t0ken", REPORT).await.0,
            StatusCode::OK
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2, "failed once, handled once");
        assert_eq!(
            post(&app, "/laaffic/wrong", REPORT).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            post(&app, "/laaffic/t0ken", "<html>").await.0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn ai_call_records_decode_with_second_epochs() {
        let body = br#"{"callId":"c-1","appId":"a","robotCallJobId":"77","dialogFlowId":9,
            "calledPhoneNumber":"8613500000000","startTime":1700000000,"endTime":"1700000042",
            "resultStatus":"ANSWERED","pay":"0.12","chatRound":3,
            "callDetailList":[{"callDetailId":1,"text":"hi","type":"ROBOT","startOffset":0,"endOffset":900}]}"#;
        let r = &AiCallRecord::decode(body).unwrap()[0];
        assert_eq!(r.call_id, "c-1");
        assert_eq!(r.robot_call_job_id, Some(77));
        assert_eq!(r.end_time.unwrap().timestamp(), 1_700_000_042);
        assert_eq!(r.result_status, Some(ResultStatus::Answered));
        assert_eq!(r.pay, Some(Decimal::new(12, 2)));
        assert_eq!(r.call_detail_list[0].speaker.as_deref(), Some("ROBOT"));
        assert_eq!(r.dedup_key(), "laaffic.ai_call:c-1");
        let other = &AiCallRecord::decode(br#"{"callId":2,"resultStatus":"NEW"}"#).unwrap()[0];
        assert_eq!(other.result_status.as_ref().unwrap().as_str(), "NEW");
        for bad in [
            &b"{}"[..],
            br#"{"callId":""}"#,
            br#"{"callId":"x","startTime":"soon"}"#,
        ] {
            assert!(AiCallRecord::decode(bad).is_err(), "{bad:?}");
        }
    }
}
