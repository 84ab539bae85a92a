//! 系统账单: recharge and deduct (外呼充值), zero the balance (账单余额归零), and the
//! recharge history (充值记录) — one page, every page as a stream, and the search by
//! remark that reconciles a lost movement (in [`history`]).

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use voxkit_core::{Error, Operation, Origin, Page};

use crate::Client;
use crate::dates::{self, Written};
use crate::envelope::{Ack, Answer, Meta};
use crate::ids::UserId;

mod exactly_once;
mod history;

pub use exactly_once::{
    HISTORY_CLOCK_SKEW, REMARK_MAX_CHARS, SERVER_UTC_OFFSET_HOURS, ZERO_BALANCE_REMARK,
    marked_remark,
};
pub use history::{DEFAULT_MAX_HISTORY_PAGES, RemarkSearch};

#[cfg(any(test, feature = "test-util"))]
use {crate::envelope::decode_as, serde::de::IgnoredAny};

/// The user of the documentation's examples.
#[cfg(any(test, feature = "test-util"))]
pub(crate) const DOCS_USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";

group! {

    /// 外呼充值 with `type: 1`. Found again by the unique marker in its `remark`, paging
    /// the recharge history over the window since the intent (30 days at most, newest
    /// first).
    pub(crate) RECHARGE {
        name: "recharge",
        method: PUT,
        path: "agent-api/user/{user_id}/recharge",
        idempotency: NotRepeatable,
        reconciliation: ByMarker { field: "remark", found_by: "recharge_history" },
        example: |c| c.recharge(&DOCS_USER.parse()?, 100, Some("API-外呼充值")).await.map(drop),
        decode: |r| decode_as::<IgnoredAny>(&RECHARGE, r),
        exactly_once: |c| c.docs_move_exactly_once(Direction::Recharge, "API-外呼充值").await,
        applied: |c| c.docs_history_rows("API-外呼充值").await,
    }

    /// 外呼充值 with `type: 2` (扣费): the same endpoint and the same reconciliation.
    pub(crate) DEDUCT {
        name: "deduct",
        method: PUT,
        path: "agent-api/user/{user_id}/recharge",
        idempotency: NotRepeatable,
        reconciliation: ByMarker { field: "remark", found_by: "recharge_history" },
        example: |c| c.deduct(&DOCS_USER.parse()?, 100, Some("API-外呼扣费")).await.map(drop),
        decode: |r| decode_as::<IgnoredAny>(&DEDUCT, r),
        exactly_once: |c| c.docs_move_exactly_once(Direction::Deduct, "API-外呼扣费").await,
        applied: |c| c.docs_history_rows("API-外呼扣费").await,
    }

    /// 账单余额归零. No body, so no marker: found by the 余额归零 record the history shows
    /// after the intent.
    pub(crate) ZERO_BALANCE {
        name: "zero_balance",
        method: PUT,
        path: "agent-api/user/{user_id}/zero_balance",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "recharge_history",
            how: "the 余额归零 record of the history after the intent",
        },
        example: |c| c.zero_balance(&DOCS_USER.parse()?).await.map(drop),
        decode: |r| decode_as::<IgnoredAny>(&ZERO_BALANCE, r),
        exactly_once: |c| c.zero_balance_exactly_once(&DOCS_USER.parse()?, &voxkit_core::test_util::FAST_RECONCILE).await,
        // The seeded docs user has a balance and no history, so each application is a row.
        applied: |c| c.docs_history_rows(ZERO_BALANCE_REMARK).await,
    }

    /// 充值记录: one page.
    pub(crate) RECHARGE_HISTORY {
        name: "recharge_history",
        method: GET,
        path: "agent-api/user/{user_id}/bill_recharge_record",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            let may = |d| NaiveDate::from_ymd_opt(2023, 5, d).unwrap_or_default();
            let query = RechargeHistoryQuery::new().between(may(8), may(28)).page(1);
            c.recharge_history(&DOCS_USER.parse()?, &query).await.map(drop)
        },
        decode: |r| decode_as::<Vec<RechargeRecord>>(&RECHARGE_HISTORY, r),
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Client {
    /// Test hook (`exactly_once`): the docs example's movement of 100 with `remark`, under
    /// a fresh marker, through the runner with core's fast reconcile wait.
    async fn docs_move_exactly_once(
        &self,
        direction: Direction,
        remark: &str,
    ) -> Result<voxkit_core::ExactlyOnceOutcome, Error> {
        let marker = voxkit_core::Marker::generate();
        let wait = &voxkit_core::test_util::FAST_RECONCILE;
        self.move_exactly_once(
            direction,
            &DOCS_USER.parse()?,
            100,
            Some(remark),
            &marker,
            wait,
        )
        .await
    }

    /// Test hook (`applied`): the rows of the docs user's recharge history over the
    /// reconcile window whose remark is `remark`, alone or followed by an exactly-once
    /// marker ([`marked_remark`]).
    pub(crate) async fn docs_history_rows(&self, remark: &str) -> Result<usize, Error> {
        use futures_util::TryStreamExt;
        let query = RechargeHistoryQuery::reconcile_window();
        let rows: Vec<RechargeRecord> = self
            .recharge_history_all(&DOCS_USER.parse()?, &query)
            .try_collect()
            .await?;
        let marked = format!("{remark} ");
        Ok(rows
            .iter()
            .filter_map(|r| r.remark.as_deref())
            .filter(|m| *m == remark || m.starts_with(&marked))
            .count())
    }
}

/// The longest date range the recharge history accepts: "时间跨度不可超过30天".
pub const MAX_HISTORY_SPAN_DAYS: i64 = 30;

impl Client {
    /// Adds `amount` to the user's outbound-call balance (外呼充值, `type: 1`):
    /// `PUT /agent-api/user/{user_id}/recharge` with `{"amount", "type": 1, "remark"}`.
    ///
    /// `amount` is the documented integer (its unit is not documented); zero is refused
    /// before anything is sent. `remark` (备注) is optional — choose one that identifies
    /// this movement (an order number) so that you can find it in the
    /// [recharge history](Client::recharge_history).
    ///
    /// **Not repeatable.** The API has no idempotency key, so the client never sends this
    /// twice once the request may have reached the server: a dropped connection or a
    /// timeout after sending is [`Error::OutcomeUnknown`]. See the crate docs on
    /// reconciling.
    pub async fn recharge(
        &self,
        user: &UserId,
        amount: u64,
        remark: Option<&str>,
    ) -> Result<Ack, Error> {
        self.move_balance(&RECHARGE, Direction::Recharge, user, amount, remark)
            .await
    }

    /// Subtracts `amount` from the user's outbound-call balance (扣费, `type: 2`) through
    /// the same endpoint as [`Client::recharge`], with the same rules: positive amount, not
    /// repeatable, outcome unknown when the answer is lost.
    pub async fn deduct(
        &self,
        user: &UserId,
        amount: u64,
        remark: Option<&str>,
    ) -> Result<Ack, Error> {
        self.move_balance(&DEDUCT, Direction::Deduct, user, amount, remark)
            .await
    }

    async fn move_balance(
        &self,
        spec: &'static voxkit_core::OperationSpec,
        direction: Direction,
        user: &UserId,
        amount: u64,
        remark: Option<&str>,
    ) -> Result<Ack, Error> {
        let origin = spec.origin();
        voxkit_core::check::positive(origin, "amount, a positive integer,", amount)?;
        let body = RechargeBody {
            amount,
            kind: direction.code(),
            remark,
        };
        let op = Operation::of(spec, &[user.as_str()])?.json(origin, &body)?;
        self.ack(spec, &op).await
    }

    /// Zeroes the user's outbound-call balance (账单余额归零):
    /// `PUT /agent-api/user/{user_id}/zero_balance`, no body.
    ///
    /// **Not repeatable**, although it sets an absolute value: a resend after a lost answer
    /// could wipe a recharge made in between. A lost answer is [`Error::OutcomeUnknown`].
    pub async fn zero_balance(&self, user: &UserId) -> Result<Ack, Error> {
        let op = Operation::of(&ZERO_BALANCE, &[user.as_str()])?;
        self.ack(&ZERO_BALANCE, &op).await
    }

    /// The recharge history (充值记录):
    /// `GET /agent-api/user/{user_id}/bill_recharge_record?date[]=..&date[]=..&page=..`.
    ///
    /// Without a range the server returns the last 7 days. A range longer than
    /// [`MAX_HISTORY_SPAN_DAYS`] days, a range that ends before it starts and page 0 are
    /// refused before anything is sent. Repeatable (retried on transient failures).
    pub async fn recharge_history(
        &self,
        user: &UserId,
        query: &RechargeHistoryQuery,
    ) -> Result<RechargeHistory, Error> {
        let origin = RECHARGE_HISTORY.origin();
        let mut op = Operation::of(&RECHARGE_HISTORY, &[user.as_str()])?;
        if let Some((from, to)) = query.range {
            check_range(origin, from, to)?;
            op = op
                .query("date[]", from.written().to_string())
                .query("date[]", to.written().to_string());
        }
        if let Some(page) = query.page {
            voxkit_core::check::positive(origin, "page", page.into())?;
            op = op.query("page", page.to_string());
        }
        let ok: Answer<Vec<RechargeRecord>> = self.call(&RECHARGE_HISTORY, &op).await?;
        Ok(RechargeHistory {
            records: ok.data,
            meta: ok.meta,
        })
    }
}

fn check_range(origin: Origin, from: NaiveDate, to: NaiveDate) -> Result<(), Error> {
    if to < from {
        return Err(Error::invalid_input(
            origin,
            format!("the date range ends ({to}) before it starts ({from})"),
        ));
    }
    let span = (to - from).num_days();
    if span > MAX_HISTORY_SPAN_DAYS {
        return Err(Error::invalid_input(
            origin,
            format!(
                "the date range spans {span} days; the API allows at most {MAX_HISTORY_SPAN_DAYS}"
            ),
        ));
    }
    Ok(())
}

/// Which way a balance movement goes: the `type` of 外呼充值 (`1` 充值, `2` 扣费).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `type: 1`, 充值: adds to the balance.
    Recharge,
    /// `type: 2`, 扣费: subtracts from the balance.
    Deduct,
}

impl Direction {
    /// The documented `type` value.
    pub fn code(self) -> u8 {
        match self {
            Direction::Recharge => 1,
            Direction::Deduct => 2,
        }
    }
}

/// The body of `PUT /agent-api/user/{user_id}/recharge`.
///
/// The example sends `{"amount": 100, "type": 1, "remark": "API-外呼充值"}`; `type` is
/// always sent (its documented default is 1), `remark` only when given.
#[derive(Serialize)]
struct RechargeBody<'a> {
    amount: u64,
    #[serde(rename = "type")]
    kind: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    remark: Option<&'a str>,
}

/// Filters of the recharge history (`GET /agent-api/user/{user_id}/bill_recharge_record`).
///
/// Without a range the server returns the last 7 days ("不传递,默认传递近7天范围数据"). A range
/// may span at most [`MAX_HISTORY_SPAN_DAYS`] days; a longer one, a reversed one and page
/// 0 are refused before anything is sent.
///
/// ```
/// use chrono::NaiveDate;
/// use voxkit_longlonglong::RechargeHistoryQuery;
/// let may = |d| NaiveDate::from_ymd_opt(2023, 5, d).unwrap();
/// let query = RechargeHistoryQuery::new().between(may(8), may(28)).page(2);
/// # let _ = query;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RechargeHistoryQuery {
    range: Option<(NaiveDate, NaiveDate)>,
    page: Option<u32>,
}

impl RechargeHistoryQuery {
    /// No filter: the last 7 days, first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records from `from` to `to`, both included: sent as
    /// `date[]=YYYY-MM-DD&date[]=YYYY-MM-DD`.
    pub fn between(mut self, from: NaiveDate, to: NaiveDate) -> Self {
        self.range = Some((from, to));
        self
    }

    /// The page (页码), from 1.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// The date range, if one was set (else the server's last 7 days).
    pub fn range(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.range
    }
}

/// What a recharge-history row records: its `type`, which the API sends as a Chinese label
/// (`"充值"`), not as the `1`/`2` of the recharge request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordKind {
    /// `"充值"`: a recharge (the label in the documented example).
    Recharge,
    /// `"扣费"`: a deduction (the label the recharge API gives `type: 2`; no history example
    /// shows it).
    Deduct,
    /// Any other label, as sent.
    Other(String),
}

impl RecordKind {
    /// The label as sent.
    pub fn label(&self) -> &str {
        match self {
            RecordKind::Recharge => "充值",
            RecordKind::Deduct => "扣费",
            RecordKind::Other(label) => label,
        }
    }

    fn from_label(label: String) -> Self {
        match label.as_str() {
            "充值" => RecordKind::Recharge,
            "扣费" => RecordKind::Deduct,
            _ => RecordKind::Other(label),
        }
    }
}

impl<'de> Deserialize<'de> for RecordKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(RecordKind::from_label)
    }
}

impl Serialize for RecordKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// One row of the recharge history (充值记录).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct RechargeRecord {
    /// `id`: the record's id.
    pub id: u64,
    /// `user_id`: the account the movement was made on.
    pub user_id: UserId,
    /// `amounts`: 充值金额, the amount moved (a number in the example; decoded exactly).
    pub amounts: Decimal,
    /// `balance`: 账户余额, the balance after the movement.
    pub balance: Decimal,
    /// `remark`: 备注, the remark given with the movement, if any.
    #[serde(default)]
    pub remark: Option<String>,
    /// `created_at`: 充值时间, in the server's local time (`"2023-10-18 10:09:20"`; the zone
    /// is not documented).
    #[serde(deserialize_with = "dates::datetime", serialize_with = "dates::ser")]
    pub created_at: NaiveDateTime,
    /// `updated_at`, like `created_at`.
    #[serde(default, with = "dates::opt")]
    pub updated_at: Option<NaiveDateTime>,
    /// `type`: what the movement was, as a label (`"充值"`).
    #[serde(rename = "type")]
    pub kind: RecordKind,
}

/// The recharge history: `data` (the rows), and the `meta` paginator block should the
/// server send one (the documented example has none).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RechargeHistory {
    /// The rows of this page.
    pub records: Vec<RechargeRecord>,
    /// The paginator, if the server sent one.
    pub meta: Option<Meta>,
}

impl RechargeHistory {
    /// This page as core's [`Page`], what every paged list of voxkit is walked as.
    ///
    /// The paginator is undocumented for this endpoint, so only its page numbers are
    /// taken: the walk ends after its `last_page` or at an empty page, never because a
    /// `total` says so (a wrong total would end a search for a lost movement early).
    pub fn into_page(self) -> Page<RechargeRecord> {
        Meta::page(self.meta, self.records, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let o = RECHARGE_HISTORY.origin();
        let d = |m, d| NaiveDate::from_ymd_opt(2023, m, d).unwrap();
        assert!(check_range(o, d(5, 8), d(5, 28)).is_ok());
        assert!(
            check_range(o, d(5, 1), d(5, 31)).is_ok(),
            "30 days is allowed"
        );
        assert!(check_range(o, d(5, 1), d(6, 1)).is_err(), "31 days is not");
        assert!(check_range(o, d(5, 8), d(5, 8)).is_ok());
        assert!(check_range(o, d(5, 9), d(5, 8)).is_err());
    }

    #[test]
    fn record_kinds() {
        let kind: RecordKind = serde_json::from_str(r#""充值""#).unwrap();
        assert_eq!(kind, RecordKind::Recharge);
        let kind: RecordKind = serde_json::from_str(r#""归零""#).unwrap();
        assert_eq!(kind, RecordKind::Other("归零".into()));
        assert_eq!(kind.label(), "归零");
    }

    #[test]
    fn decimals_decode_exactly() {
        let d: Decimal = serde_json::from_str("0.1").unwrap();
        assert_eq!(d, Decimal::new(1, 1));
        let d: Decimal = serde_json::from_str("1584").unwrap();
        assert_eq!(d, Decimal::from(1584));
    }
}
