//! Voice call records (语音消息记录, CDRs): one by id, a page of a time window, or every
//! page of it; and the window rules checked before sending.

use std::time::SystemTime;

use chrono::{DateTime, FixedOffset, Months, TimeDelta, Utc};
use futures_util::stream::BoxStream;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use voxkit_core::{Error, Operation, Origin, Page, check, lenient};

use super::MAX_ID_BYTES;
use super::paging::PagedWindow;
use crate::envelope::decode_data;
use crate::{Client, dates};

laaffic_operations! {
    /// 查询语音消息记录: `GET /v3/voice/recordGroup/{voiceId}`.
    pub(crate) CALL_RECORD {
        name: "call_record",
        method: GET,
        path: "v3/voice/recordGroup/{voice_id}",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.call_record("2203031113381000002").await.map(drop),
        decode: |r| decode_data::<CallRecord>(&CALL_RECORD, r).map(drop),
    }

    /// 批量分页查询记录: `POST /v3/voice/recordGroupQuery`.
    pub(crate) CALL_RECORDS {
        name: "call_records",
        method: POST,
        path: "v3/voice/recordGroupQuery",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            // The last day by the client's clock: inside the documented window.
            let now = DateTime::<Utc>::from(c.core().clock().now()).fixed_offset();
            c.call_records(&RecordQuery::new(now - TimeDelta::days(1), now))
                .await
                .map(drop)
        },
        decode: |r| decode_data::<super::WirePage<CallRecord>>(&CALL_RECORDS, r).map(drop),
    }
}

impl Client {
    /// One call record: `GET /v3/voice/recordGroup/{voiceId}` (查询语音消息记录, "within the
    /// last two months": the id carries no date to check, so the server decides), operation
    /// `call_record`.
    ///
    /// Repeatable.
    pub async fn call_record(&self, voice_id: &str) -> Result<CallRecord, Error> {
        check::token(CALL_RECORD.origin(), "the voice id", voice_id, MAX_ID_BYTES)?;
        let op = Operation::of(&CALL_RECORD, &[voice_id])?;
        self.send(&CALL_RECORD, &op, decode_data).await
    }

    /// A page of call records: `POST /v3/voice/recordGroupQuery` (批量分页查询记录),
    /// operation `call_records`. The window rules of [`RecordQuery`] (within the last two
    /// months by this client's clock, at most 31 days long) are checked before sending.
    /// [`Client::call_records_all`] walks every page.
    ///
    /// Repeatable.
    pub async fn call_records(&self, query: &RecordQuery) -> Result<Page<CallRecord>, Error> {
        query.check(CALL_RECORDS.origin(), self.core.clock().now())?;
        self.query_page(&CALL_RECORDS, &query.wire()).await
    }

    /// Every call record of `query`'s window (its page number is ignored; its page size is
    /// used), page after page, as a stream that ends with an "incomplete listing" error
    /// rather than a short list when the server ignores the paging or never ends.
    pub fn call_records_all(
        &self,
        query: &RecordQuery,
    ) -> BoxStream<'static, Result<CallRecord, Error>> {
        self.walk_query(
            CALL_RECORDS.origin(),
            query,
            query.window.size,
            RecordQuery::page,
            |record: &CallRecord| record.voice_id.clone(),
            |client, query| async move { client.call_records(&query).await },
        )
    }
}

/// The longest record window: "最大起始-结束时间间隔31天".
pub const MAX_RECORD_WINDOW_DAYS: i64 = 31;

/// How far back records can be queried: "最近两个月内" (the last two calendar months).
pub const RECORD_RETENTION_MONTHS: u32 = 2;

/// A page of call records by time window (`POST /v3/voice/recordGroupQuery`): `current`
/// (1-N, default 1), `size` (1-100, default 25), `params.strTime` / `params.endTime`
/// (ISO-8601 with offset, `"2022-01-01T00:00:00+08:00"`).
///
/// Refused locally, before sending: a start after the end, a window longer than
/// [`MAX_RECORD_WINDOW_DAYS`] days, and a start more than [`RECORD_RETENTION_MONTHS`]
/// calendar months before now (the client's [`voxkit_core::Clock`], in the start's
/// offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordQuery {
    window: PagedWindow<DateTime<FixedOffset>>,
}

impl RecordQuery {
    /// Records between `start` and `end`, page 1 of 25 (the documented defaults).
    pub fn new(start: DateTime<FixedOffset>, end: DateTime<FixedOffset>) -> Self {
        RecordQuery {
            window: PagedWindow::new(start, end, 25),
        }
    }

    /// `current` (1-N) and `size` (1-100).
    pub fn page(mut self, current: u32, size: u32) -> Self {
        (self.window.current, self.window.size) = (current, size);
        self
    }

    pub(crate) fn check(&self, origin: Origin, now: SystemTime) -> Result<(), Error> {
        self.window.check(origin)?;
        let PagedWindow { start, end, .. } = self.window;
        if end - start > TimeDelta::days(MAX_RECORD_WINDOW_DAYS) {
            return Err(Error::invalid_input(
                origin,
                "the start and end times are more than 31 days apart",
            ));
        }
        let now = DateTime::<Utc>::from(now).with_timezone(start.offset());
        let earliest = now
            .checked_sub_months(Months::new(RECORD_RETENTION_MONTHS))
            .unwrap_or(now);
        if start < earliest {
            return Err(Error::invalid_input(
                origin,
                "records are kept for the last two months only: the start time is earlier",
            ));
        }
        Ok(())
    }

    pub(crate) fn wire(&self) -> impl Serialize + '_ {
        self.window.wire(())
    }
}

/// One call record (the single query's `data`, and each `records` item of the batch).
/// Times are ISO-8601 with offset; money fields are decimal strings in the quote currency
/// unless stated.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallRecord {
    /// `voiceId`: the record id.
    #[serde(deserialize_with = "voice_id")]
    pub voice_id: String,
    /// `callee`: the called number.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub callee: Option<String>,
    /// `displayNum`: the number shown.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub display_num: Option<String>,
    /// `code`: the region / operator (地區運營商), e.g. `"Afghanistan(Kandahar)"`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub code: Option<String>,
    /// `submitTime`.
    #[serde(default, deserialize_with = "dates::opt_iso")]
    pub submit_time: Option<DateTime<FixedOffset>>,
    /// `callTime`.
    #[serde(default, deserialize_with = "dates::opt_iso")]
    pub call_time: Option<DateTime<FixedOffset>>,
    /// `ringingTime`.
    #[serde(default, deserialize_with = "dates::opt_iso")]
    pub ringing_time: Option<DateTime<FixedOffset>>,
    /// `answerTime`.
    #[serde(default, deserialize_with = "dates::opt_iso")]
    pub answer_time: Option<DateTime<FixedOffset>>,
    /// `hangupTime`.
    #[serde(default, deserialize_with = "dates::opt_iso")]
    pub hangup_time: Option<DateTime<FixedOffset>>,
    /// `callDuration` (Int, seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub call_duration: Option<u64>,
    /// `chargedDuration` (Int, seconds).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub charged_duration: Option<u64>,
    /// `terminationCode` (String). The batch page says "sip code, 200 means the call was
    /// established"; the single page says "0 success, other failure": kept as sent.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub termination_code: Option<String>,
    /// `terminationReason`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub termination_reason: Option<String>,
    /// `cost`: the amount charged (quote currency).
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub cost: Option<Decimal>,
    /// `costEur`: the older name of the cost, as the onbuka example still sends it.
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub cost_eur: Option<Decimal>,
    /// `billPeriod`: the billing increments, e.g. `"20+20"`, `"60+60"`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub bill_period: Option<String>,
    /// `rate`: the rate (quote currency).
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub rate: Option<Decimal>,
    /// `baseCost`: the base cost in US dollars.
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub base_cost: Option<Decimal>,
    /// `voiceFileId`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub voice_file_id: Option<String>,
    /// `feedbackValue`: the key pressed; `"-1"` for none.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub feedback_value: Option<String>,
    /// `calledInfo` (0-1000 characters).
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub called_info: Option<String>,
    /// `settleRate` (set when the quote currency is not USD).
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub settle_rate: Option<Decimal>,
    /// `quoteExchange` (set when the quote currency is not USD).
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub quote_exchange: Option<Decimal>,
    /// `currency`: the quote currency (EUR, USD).
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub currency: Option<String>,
    /// `settlePay` (set when the quote currency is not USD).
    #[serde(default, deserialize_with = "lenient::opt_decimal")]
    pub settle_pay: Option<Decimal>,
}

fn voice_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    lenient::opt_text(d)?.ok_or_else(|| serde::de::Error::custom("voiceId is null"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    const O: Origin = Origin::new("laaffic", "call_records");

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    /// 2022-03-01T00:00:00Z.
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_646_092_800)
    }

    #[test]
    fn window_rules() {
        let ok = [
            ("2022-02-01T00:00:00+08:00", "2022-02-28T00:00:00+08:00"),
            ("2022-01-01T08:00:00+08:00", "2022-02-01T08:00:00+08:00"), // 31 days exactly
            ("2022-01-01T00:00:00Z", "2022-01-01T00:00:00Z"),
        ];
        for (s, e) in ok {
            assert!(
                RecordQuery::new(at(s), at(e)).check(O, now()).is_ok(),
                "{s}"
            );
        }
        let bad = [
            ("2022-02-02T00:00:00+08:00", "2022-02-01T00:00:00+08:00"), // reversed
            ("2022-01-01T08:00:00+08:00", "2022-02-01T08:00:01+08:00"), // 31 days + 1 s
            ("2021-12-31T23:59:59Z", "2022-01-02T00:00:00Z"),           // older than 2 months
        ];
        for (s, e) in bad {
            let err = RecordQuery::new(at(s), at(e)).check(O, now()).unwrap_err();
            assert!(err.nothing_sent(), "{s}: {err}");
        }
        assert!(
            RecordQuery::new(at(ok[0].0), at(ok[0].1))
                .page(1, 101)
                .check(O, now())
                .is_err()
        );
    }

    #[test]
    fn wire_format_keeps_the_offset() {
        let q = RecordQuery::new(
            at("2022-01-01T00:00:00+08:00"),
            at("2022-01-31T00:00:00+08:00"),
        );
        assert_eq!(
            serde_json::to_string(&q.wire()).unwrap(),
            r#"{"current":1,"size":25,"params":{"strTime":"2022-01-01T00:00:00+08:00","endTime":"2022-01-31T00:00:00+08:00"}}"#
        );
    }
}
