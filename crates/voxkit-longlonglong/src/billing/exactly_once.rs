//! Exactly once for the balance movements: a recharge or deduction carries a unique
//! [`Marker`] in its `remark`, so that after a lost answer ([`Error::OutcomeUnknown`]) the
//! recharge history tells whether that one request was applied; `zero_balance` is found by
//! its 余额归零 record.
//!
//! # The remark and its length
//!
//! The documentation gives `remark` (备注) as an optional string and **no length limit**. A
//! server that cuts a long remark would cut the marker at its end, and the movement could no
//! longer be found (a wrong "not applied", then a double recharge). So voxkit keeps the
//! whole remark within [`REMARK_MAX_CHARS`] = 64 characters, a width any text column
//! holds: the caller's remark first (trimmed, shortened on a character boundary when
//! needed), then a space and the 16-character marker, e.g. `order 17 vk3j9x0qmc7twa2d`.
//!
//! # The server's clock
//!
//! History rows carry a local time without a zone; the server is in China
//! ([`SERVER_UTC_OFFSET_HOURS`], not documented), and a row is taken as "after the intent"
//! when it is no older than the intent minus [`HISTORY_CLOCK_SKEW`].

use chrono::{DateTime, Days, FixedOffset, NaiveDateTime, Offset, Utc};
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use serde_json::json;
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{Error, ExactlyOnceOutcome, Marker, ReconcileWait, Verdict};

use super::{MAX_HISTORY_SPAN_DAYS, RechargeHistoryQuery, RechargeRecord, RecordKind};
use crate::{Client, Direction, UserId};

/// The longest remark voxkit sends with a marked movement: 64 characters, the marker
/// included.
///
/// The documentation gives `remark` (备注) no length limit. A server that cut a long remark
/// would cut the marker at its end, the movement could no longer be found, and a wrong
/// "not applied" would recharge twice; so the caller's remark is shortened (on a character
/// boundary) to leave room for a space and the 16-character marker within 64 characters,
/// a width any text column holds.
pub const REMARK_MAX_CHARS: usize = 64;

/// The server's offset from UTC in hours: China time (UTC+8), not documented but what its
/// history rows show.
pub const SERVER_UTC_OFFSET_HOURS: i32 = 8;

/// How much older than the intent a history row may be and still count as written after it:
/// the clocks of this host and the provider may differ by this much.
pub const HISTORY_CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(2);

/// The remark (备注) of the 余额归零 record the server writes when it zeroes a balance.
pub const ZERO_BALANCE_REMARK: &str = "余额归零";

/// The remark a marked movement sends: the caller's remark kept readable, the marker
/// appended, all within [`REMARK_MAX_CHARS`].
///
/// ```
/// use voxkit_core::Marker;
/// let marker = Marker::from_stored("vk0123456789abcd");
/// assert_eq!(
///     voxkit_longlonglong::marked_remark(Some("order 17"), &marker),
///     "order 17 vk0123456789abcd"
/// );
/// ```
pub fn marked_remark(remark: Option<&str>, marker: &Marker) -> String {
    marker.with_text(remark.unwrap_or_default(), REMARK_MAX_CHARS)
}

/// Now, from the system clock (chrono's `clock` feature is not enabled).
fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
}

/// `at` on the server's clock.
fn server_time(at: DateTime<Utc>) -> NaiveDateTime {
    let offset = FixedOffset::east_opt(SERVER_UTC_OFFSET_HOURS * 3600).unwrap_or(Utc.fix());
    at.with_timezone(&offset).naive_local()
}

/// The history window covering everything since `since` (minus the skew) up to tomorrow on
/// the server's clock, or why it cannot be searched (older than the 30 days the API allows).
fn window_since(since: DateTime<Utc>) -> Result<(RechargeHistoryQuery, NaiveDateTime), String> {
    let from = server_time(since - HISTORY_CLOCK_SKEW);
    let today = server_time(now()).date();
    let to = today.checked_add_days(Days::new(1)).unwrap_or(today);
    if (to - from.date()).num_days() > MAX_HISTORY_SPAN_DAYS {
        return Err(format!(
            "the intent ({since}) is older than the {MAX_HISTORY_SPAN_DAYS} days the recharge \
             history can search"
        ));
    }
    Ok((RechargeHistoryQuery::new().between(from.date(), to), from))
}

/// The row as evidence: what a person needs to find it in the console.
fn evidence(row: &RechargeRecord) -> serde_json::Value {
    serde_json::to_value(row).unwrap_or_else(|_| json!({ "id": row.id }))
}

impl Client {
    /// Every row of the history since `since` (minus the skew), read to the last page; an
    /// error or an incomplete history is the reason no conclusion is possible.
    async fn history_since(
        &self,
        user: &UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<RechargeRecord>, String> {
        let (query, from) = window_since(since)?;
        let rows: Vec<RechargeRecord> = self
            .recharge_history_all(user, &query)
            .try_collect()
            .await
            .map_err(|e| format!("the recharge history could not be read in full: {e}"))?;
        Ok(rows.into_iter().filter(|r| r.created_at >= from).collect())
    }

    /// Whether the recharge or deduction that carried `marker` (sent at or after `since`)
    /// was applied, from the recharge history read over the whole window since the intent.
    ///
    /// Exactly one row holding the marker, with the same amount and kind →
    /// [`Verdict::Applied`] (the row as evidence); no such row in the complete window →
    /// [`Verdict::NotApplied`]; two rows, a row with another amount or kind, an unreadable
    /// or incomplete history, or an intent older than 30 days → [`Verdict::Undetermined`].
    /// Only reads.
    pub async fn reconcile_balance_move(
        &self,
        user: &UserId,
        direction: Direction,
        amount: u64,
        marker: &Marker,
        since: DateTime<Utc>,
    ) -> Verdict {
        let rows = match self.history_since(user, since).await {
            Ok(rows) => rows,
            Err(why) => return Verdict::Undetermined(why),
        };
        let found: Vec<&RechargeRecord> = rows
            .iter()
            .filter(|r| r.remark.as_deref().is_some_and(|t| marker.found_in(t)))
            .collect();
        let kind = match direction {
            Direction::Recharge => RecordKind::Recharge,
            Direction::Deduct => RecordKind::Deduct,
        };
        match found.as_slice() {
            [] => Verdict::NotApplied,
            [row] if row.amounts == Decimal::from(amount) && row.kind == kind => {
                Verdict::Applied(evidence(row))
            }
            [row] => Verdict::Undetermined(format!(
                "the row with marker {marker} (id {}) shows {} {}, not {} {amount}",
                row.id,
                row.kind.label(),
                row.amounts,
                kind.label()
            )),
            many => Verdict::Undetermined(format!(
                "{} rows carry marker {marker} (ids {:?})",
                many.len(),
                many.iter().map(|r| r.id).collect::<Vec<_>>()
            )),
        }
    }

    /// Whether a `zero_balance` sent at or after `since` was applied: one 余额归零 record
    /// after the intent → [`Verdict::Applied`]; none over the complete window →
    /// [`Verdict::NotApplied`]; two → [`Verdict::Undetermined`].
    ///
    /// Caveat: zeroing a balance that is already 0 may write no record, so `NotApplied`
    /// then means "nothing was zeroed"; sending it again zeroes what was recharged since.
    pub async fn reconcile_zero_balance(&self, user: &UserId, since: DateTime<Utc>) -> Verdict {
        let rows = match self.history_since(user, since).await {
            Ok(rows) => rows,
            Err(why) => return Verdict::Undetermined(why),
        };
        let zeroed: Vec<&RechargeRecord> = rows
            .iter()
            .filter(|r| {
                r.remark.as_deref() == Some(ZERO_BALANCE_REMARK)
                    || r.kind.label() == ZERO_BALANCE_REMARK
            })
            .collect();
        match zeroed.as_slice() {
            [] => Verdict::NotApplied,
            [row] => Verdict::Applied(evidence(row)),
            many => Verdict::Undetermined(format!(
                "{} 余额归零 records since the intent (ids {:?})",
                many.len(),
                many.iter().map(|r| r.id).collect::<Vec<_>>()
            )),
        }
    }

    /// [`Client::recharge`] exactly once, with the default [`ReconcileWait`]: the remark
    /// carries a fresh marker ([`marked_remark`]); a lost answer is reconciled in the
    /// history, and the same request (same marker) is re-sent once only when it was proven
    /// not applied. A refusal is returned as the error, as by `recharge`.
    pub async fn recharge_exactly_once(
        &self,
        user: &UserId,
        amount: u64,
        remark: Option<&str>,
    ) -> Result<ExactlyOnceOutcome, Error> {
        self.fresh_move_exactly_once(Direction::Recharge, user, amount, remark)
            .await
    }

    /// [`Client::deduct`] exactly once: see [`Client::recharge_exactly_once`].
    pub async fn deduct_exactly_once(
        &self,
        user: &UserId,
        amount: u64,
        remark: Option<&str>,
    ) -> Result<ExactlyOnceOutcome, Error> {
        self.fresh_move_exactly_once(Direction::Deduct, user, amount, remark)
            .await
    }

    /// A recharge or deduction exactly once with a fresh marker and the default wait.
    async fn fresh_move_exactly_once(
        &self,
        direction: Direction,
        user: &UserId,
        amount: u64,
        remark: Option<&str>,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let (marker, wait) = (Marker::generate(), ReconcileWait::default());
        self.move_exactly_once(direction, user, amount, remark, &marker, &wait)
            .await
    }

    /// A recharge or deduction exactly once with a marker of the caller's (one kept in the
    /// caller's own records, to resume after a crash) and a chosen wait.
    pub async fn move_exactly_once(
        &self,
        direction: Direction,
        user: &UserId,
        amount: u64,
        remark: Option<&str>,
        marker: &Marker,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let since = now();
        let remark = marked_remark(remark, marker);
        run_exactly_once(
            Some(marker),
            wait,
            || async {
                let ack = match direction {
                    Direction::Recharge => self.recharge(user, amount, Some(&remark)).await?,
                    Direction::Deduct => self.deduct(user, amount, Some(&remark)).await?,
                };
                Ok(json!({ "message": ack.message, "remark": remark }))
            },
            || self.reconcile_balance_move(user, direction, amount, marker, since),
        )
        .await
    }

    /// [`Client::zero_balance`] exactly once: a lost answer is reconciled by the 余额归零
    /// record ([`Client::reconcile_zero_balance`]; mind its caveat), re-sent once when none
    /// is found.
    pub async fn zero_balance_exactly_once(
        &self,
        user: &UserId,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let since = now();
        run_exactly_once(
            None,
            wait,
            || async {
                let ack = self.zero_balance(user).await?;
                Ok(json!({ "message": ack.message }))
            },
            || self.reconcile_zero_balance(user, since),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remark_keeps_the_callers_text_and_fits_64_characters() {
        let marker = Marker::from_stored("vk0123456789abcd");
        assert_eq!(marked_remark(None, &marker), "vk0123456789abcd");
        let long = "月末充值".repeat(30);
        let remark = marked_remark(Some(&long), &marker);
        assert_eq!(remark.chars().count(), REMARK_MAX_CHARS);
        assert!(remark.starts_with("月末充值") && marker.found_in(&remark));
    }

    #[test]
    fn the_window_starts_before_the_intent_on_chinas_clock() {
        let since = DateTime::parse_from_rfc3339("2026-03-10T20:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        // 20:00 UTC is 04:00 the next day in China; the skew takes two minutes off.
        assert_eq!(
            server_time(since - HISTORY_CLOCK_SKEW).to_string(),
            "2026-03-11 03:58:00"
        );
        let old = now() - chrono::Duration::days(40);
        assert!(window_since(old).is_err());
        assert!(window_since(now()).is_ok());
    }
}
