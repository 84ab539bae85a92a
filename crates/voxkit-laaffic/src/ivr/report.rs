//! The voice status report the platform pushes after calls (语音状态报告推送): a `POST`
//! with `Content-Type: application/json;charset=UTF-8` to the HTTP address Laaffic's
//! operators configured for the account.
//!
//! See [`VoiceReport`].

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;

use voxkit_core::lenient;

use super::int_enum;
use crate::dates;

int_enum! {
    /// The business type of a report (`type`: "1-群呼,2-验证码,3-话机通话,4-话机直拨").
    ReportType {
        /// `1` 群呼: a group call.
        GroupCall = 1,
        /// `2` 验证码: a voice verification code.
        VerificationCode = 2,
        /// `3` 话机通话: a phone (softphone) call.
        PhoneCall = 3,
        /// `4` 话机直拨: a phone direct dial.
        PhoneDirectDial = 4,
    }
}

int_enum! {
    /// The call status (`callStatus`). The page notes that data before 2025-12-10 10:00
    /// lacks it (its text is cut there).
    CallStatus {
        /// `10` rang, not connected (busy).
        RangBusy = 10,
        /// `20` rang, not connected (callee did not answer).
        RangNoAnswer = 20,
        /// `30` rang, not connected (other).
        RangOther = 30,
        /// `40` voicemail.
        Voicemail = 40,
        /// `50` connected.
        Connected = 50,
        /// `60` other.
        Other = 60,
    }
}

/// One voice status report, as the platform pushes it after calls (语音状态报告推送): a
/// `POST` with `Content-Type: application/json;charset=UTF-8` to the HTTP address Laaffic's
/// operators configured for the account.
///
/// The fields are the cn page's (the English page lists `ringDuration` as String and omits
/// the task / AI fields, so every field but `voiceId` is optional and numbers are accepted
/// as numbers or strings). Times are millisecond
/// epochs on the wire (unlike the record query's ISO strings).
///
/// The pages show neither the whole body (the English sample is cut after its first
/// fields: one object per request or an array?) nor the acknowledgement expected:
/// [`VoiceReport::decode`] accepts one object or an array of them; answering `200` with an
/// empty body is an assumption.
///
/// # Receiving reports
///
/// Receiving it in an [axum](https://docs.rs/axum) handler:
///
/// ```
/// use axum::{Router, body::Bytes, http::StatusCode, routing::post};
/// use voxkit_laaffic::{ReportType, VoiceReport};
///
/// async fn laaffic_report(body: Bytes) -> StatusCode {
///     match VoiceReport::decode(&body) {
///         Ok(reports) => {
///             for report in reports {
///                 let ok = report.termination_code.as_deref() == Some("0");
///                 tracing::info!(voice_id = %report.voice_id, ok, "call report");
///             }
///             StatusCode::OK
///         }
///         // Not a report: refuse it (the body is not echoed back).
///         Err(_) => StatusCode::BAD_REQUEST,
///     }
/// }
///
/// let app: Router = Router::new().route("/laaffic/report", post(laaffic_report));
/// # let _ = app;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let sample = br#"{"voiceId":"22121121451211349002","type":1,"callee":"63123456788",
///     "displayNum":"6311012125","submitTime":1670744721000,"terminationCode":"0"}"#;
/// assert_eq!(laaffic_report(Bytes::from_static(sample)).await, StatusCode::OK);
/// assert_eq!(laaffic_report(Bytes::from_static(b"<html>")).await, StatusCode::BAD_REQUEST);
/// let report = &VoiceReport::decode(sample).unwrap()[0];
/// assert_eq!(report.report_type, Some(ReportType::GroupCall));
/// assert_eq!(report.submit_time.unwrap().timestamp_millis(), 1_670_744_721_000);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VoiceReport {
    /// `voiceId`: the record id (as in the record query).
    #[serde(deserialize_with = "voice_id")]
    pub voice_id: String,
    /// `type`: the business type.
    #[serde(default, rename = "type")]
    pub report_type: Option<ReportType>,
    /// `callee`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub callee: Option<String>,
    /// `displayNum`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub display_num: Option<String>,
    /// `submitTime` (ms epoch).
    #[serde(default, deserialize_with = "dates::opt_epoch_ms")]
    pub submit_time: Option<DateTime<Utc>>,
    /// `callTime` (ms epoch).
    #[serde(default, deserialize_with = "dates::opt_epoch_ms")]
    pub call_time: Option<DateTime<Utc>>,
    /// `ringingTime` (ms epoch).
    #[serde(default, deserialize_with = "dates::opt_epoch_ms")]
    pub ringing_time: Option<DateTime<Utc>>,
    /// `answerTime` (ms epoch).
    #[serde(default, deserialize_with = "dates::opt_epoch_ms")]
    pub answer_time: Option<DateTime<Utc>>,
    /// `hangupTime` (ms epoch).
    #[serde(default, deserialize_with = "dates::opt_epoch_ms")]
    pub hangup_time: Option<DateTime<Utc>>,
    /// `callDuration` (Int, seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub call_duration: Option<u64>,
    /// `chargedDuration` (Int, seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub charged_duration: Option<u64>,
    /// `billPeriod`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub bill_period: Option<String>,
    /// `code`: the region / operator.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub code: Option<String>,
    /// `voiceFileId`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub voice_file_id: Option<String>,
    /// `recordingFileId`: the call recording (通话录音ID).
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub recording_file_id: Option<String>,
    /// `rate`.
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub rate: Option<Decimal>,
    /// `baseCost` (US dollars).
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub base_cost: Option<Decimal>,
    /// `cost`.
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub cost: Option<Decimal>,
    /// `terminationCode`: "0 success, other failure" (as sent).
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub termination_code: Option<String>,
    /// `terminationReason`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub termination_reason: Option<String>,
    /// `sipCode`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub sip_code: Option<String>,
    /// `feedbackValue`: the key pressed.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub feedback_value: Option<String>,
    /// `calledInfo`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub called_info: Option<String>,
    /// `ringDuration` (Int on the cn page, String on the English one).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub ring_duration: Option<u64>,
    /// `currency`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub currency: Option<String>,
    /// `settleRate`.
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub settle_rate: Option<Decimal>,
    /// `quoteExchange`.
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub quote_exchange: Option<Decimal>,
    /// `settlePay`.
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub settle_pay: Option<Decimal>,
    /// `outRecallCount`: the recall count (重呼次数).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub out_recall_count: Option<u64>,
    /// `taskId` (Int).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub task_id: Option<u64>,
    /// `sourceTaskId`: the parent group-call task.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub source_task_id: Option<u64>,
    /// `scriptId`: the AI script template.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub script_id: Option<u64>,
    /// `intent`: the final intent.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub intent: Option<String>,
    /// `dimensionId`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub dimension_id: Option<String>,
    /// `callStatus`.
    #[serde(default)]
    pub call_status: Option<CallStatus>,
}

fn voice_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    lenient::opt_text(d)?.ok_or_else(|| serde::de::Error::custom("voiceId is null"))
}

impl VoiceReport {
    /// Decodes a pushed body: one report object, or an array of them.
    pub fn decode(body: &[u8]) -> Result<Vec<VoiceReport>, serde_json::Error> {
        voxkit_core::wire::one_or_many(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The English sample (cut after `submitTime`'s first digits in the copy read; the
    /// cn page's fields completed with plausible values).
    const SAMPLE: &str = r#"{
        "voiceId": "22121121451211349002", "type": 1, "callee": "63123456788",
        "displayNum": "6311012125", "submitTime": 1670744721000, "callTime": 1670744722000,
        "ringingTime": 1670744723000, "answerTime": 1670744725000, "hangupTime": 1670744735000,
        "callDuration": 10, "chargedDuration": 20, "billPeriod": "20+20", "code": "Philippines",
        "voiceFileId": "1202202254d4c6372d6f341e999c7ecd0683ee464.mp3", "recordingFileId": null,
        "rate": "0.0600", "baseCost": "0.02", "cost": "0.02", "terminationCode": "0",
        "terminationReason": "success", "sipCode": "200", "feedbackValue": "-1",
        "calledInfo": "", "ringDuration": "2", "currency": "USD", "settleRate": null,
        "quoteExchange": null, "settlePay": null, "outRecallCount": 0, "taskId": 5000602,
        "sourceTaskId": null, "scriptId": null, "intent": null, "dimensionId": null,
        "callStatus": 50 }"#;

    #[test]
    fn the_sample_decodes_as_one_or_many() {
        let one = VoiceReport::decode(SAMPLE.as_bytes()).unwrap();
        assert_eq!(one.len(), 1);
        let r = &one[0];
        assert_eq!(r.voice_id, "22121121451211349002");
        assert_eq!(r.report_type, Some(ReportType::GroupCall));
        assert_eq!(
            r.hangup_time.unwrap().to_rfc3339(),
            "2022-12-11T07:45:35+00:00"
        );
        assert_eq!(r.cost, Some(Decimal::new(2, 2)));
        assert_eq!(r.ring_duration, Some(2));
        assert_eq!(r.task_id, Some(5_000_602));
        assert_eq!(r.call_status, Some(CallStatus::Connected));
        let many = VoiceReport::decode(format!("[{SAMPLE},{SAMPLE}]").as_bytes()).unwrap();
        assert_eq!(many.len(), 2);
    }

    #[test]
    fn unknown_codes_are_kept_and_garbage_refused() {
        let r = &VoiceReport::decode(br#"{"voiceId":7,"type":"9","callStatus":70}"#).unwrap()[0];
        assert_eq!(r.voice_id, "7");
        assert_eq!(r.report_type, Some(ReportType::Unknown(9)));
        assert_eq!(r.call_status, Some(CallStatus::Unknown(70)));
        for bad in [
            &b"<html>"[..],
            b"{}",
            br#"{"voiceId":null}"#,
            br#"{"voiceId":"1","submitTime":"yesterday"}"#,
            br#"[{"voiceId":"1"},{}]"#,
            b"42",
        ] {
            assert!(VoiceReport::decode(bad).is_err(), "{bad:?}");
        }
    }
}
