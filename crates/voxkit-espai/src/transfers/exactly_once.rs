//! Exactly once for the two card operations of this group: after a lost answer
//! ([`Error::OutcomeUnknown`]) a transfer is looked for in the usage logs (`balance_logs`), a
//! destroy in the card list. An order (`pay`) cannot be reconciled; what asking again costs
//! is at [`Client::pay_exactly_once`].
//!
//! # What a transfer's reconciliation can and cannot tell
//!
//! A transfer request has no field to carry a marker, and a usage-log row names neither the
//! other card nor the request. So a transfer is matched by what it did: a row of the
//! **source** card's log written after the intent with the amount, paired with a row of
//! the **target** card's log with the same amount written within
//! [`TRANSFER_PAIR_WINDOW`] of it (the counterpart). Two such pairs are
//! [`Verdict::Undetermined`], never a guess: two concurrent transfers of the same amount
//! between the same two cards cannot be told apart. Serialise the operations on a card
//! (the voxkit journal does: one intent per source card in flight) and this cannot happen.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::TryStreamExt;
use serde_json::json;
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{Error, ExactlyOnceOutcome, ReconcileWait, Verdict};

use super::DESTROY;
use crate::cards::card_not_visible;
use crate::{BalanceLog, BalanceLogQuery, CardFilter, CardKey, Client};

/// How much older than the intent a usage-log row may be and still count as written after
/// it: the clocks of this host and the provider may differ by this much.
pub const LOG_CLOCK_SKEW: Duration = Duration::from_secs(120);

/// The longest time between the source card's row and the target card's row of one
/// transfer (the sandbox writes both at the same instant; the provider's gap is not
/// documented).
pub const TRANSFER_PAIR_WINDOW: Duration = Duration::from_secs(5);

/// Epoch milliseconds of a time (0 before the epoch).
fn millis(at: SystemTime) -> i128 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i128)
        .unwrap_or_default()
}

/// A usage-log row as evidence.
fn log_json(log: &BalanceLog) -> serde_json::Value {
    json!({
        "id": log.id,
        "cdkey_id": log.cdkey_id,
        "api_limit": log.api_limit,
        "type": log.log_type,
        "create_time": log.create_time.map(millis),
    })
}

impl Client {
    /// Every row of the card's usage log written at or after `from`; `None` when the key
    /// cannot see the card (another account's card answers as unknown,
    /// [`CARD_NOT_FOUND`](crate::CARD_NOT_FOUND)); an error or an incomplete log is the
    /// reason no conclusion is possible.
    ///
    /// `role` names the card in the reasons ("source", "target"): never its code, which is a
    /// secret and would end up in the journal with the reason.
    async fn log_since(
        &self,
        role: &str,
        card: &CardKey,
        from: SystemTime,
    ) -> Result<Option<Vec<BalanceLog>>, String> {
        let id = match self.card(card).await {
            Ok(found) => found.id,
            Err(e) if card_not_visible(&e) => return Ok(None),
            Err(e) => return Err(format!("the {role} card could not be read: {e}")),
        };
        let rows: Vec<BalanceLog> = self
            .logs(BalanceLogQuery::card(id))
            .try_collect()
            .await
            .map_err(|e| {
                format!("the usage log of the {role} card could not be read in full: {e}")
            })?;
        // A row without a time cannot be placed after the intent: keep it, so that it
        // counts as a candidate (and makes the verdict undetermined rather than wrong).
        Ok(Some(
            rows.into_iter()
                .filter(|r| r.create_time.is_none_or(|t| t >= from))
                .collect(),
        ))
    }

    /// Whether a transfer of `amount` from `from` to `to`, sent at or after `since`, was
    /// applied: exactly one row of the source card's usage log with the amount, paired with
    /// a row of the target card's log with the amount (the counterpart) →
    /// [`Verdict::Applied`] (both rows as evidence); none over the complete logs →
    /// [`Verdict::NotApplied`]; two pairs, or a log that cannot be read in full →
    /// [`Verdict::Undetermined`]. See the module docs on concurrent transfers. Only reads.
    ///
    /// A target card of another account cannot be read with this key (it answers
    /// [`CARD_NOT_FOUND`](crate::CARD_NOT_FOUND)): then the source card's log alone can
    /// prove only the negative. No row of the amount → [`Verdict::NotApplied`]; a row of the amount →
    /// [`Verdict::Undetermined`], never `Applied`: the meaning of a log row's `type` and
    /// the sign of its `api_limit` are not documented, so without the counterpart row a
    /// transfer cannot be told from a use of the card of the same amount, and calling it
    /// applied could lose the transfer silently.
    pub async fn reconcile_transfer(
        &self,
        from: &CardKey,
        to: &CardKey,
        amount: u64,
        since: SystemTime,
    ) -> Verdict {
        let after = since.checked_sub(LOG_CLOCK_SKEW).unwrap_or(UNIX_EPOCH);
        let (source, target) = match (
            self.log_since("source", from, after).await,
            self.log_since("target", to, after).await,
        ) {
            (Ok(Some(s)), Ok(t)) => (s, t),
            (Ok(None), _) => {
                return Verdict::Undetermined(
                    "the source card is not in this account's card list".to_owned(),
                );
            }
            (Err(why), _) | (_, Err(why)) => return Verdict::Undetermined(why),
        };
        let amount = i128::from(amount);
        let moved = |row: &&BalanceLog| i128::from(row.api_limit).abs() == amount;
        let window = TRANSFER_PAIR_WINDOW.as_millis() as i128;
        let pairs: Vec<(&BalanceLog, Option<&BalanceLog>)> = match &target {
            Some(target) => source
                .iter()
                .filter(moved)
                .filter_map(|s| {
                    target
                        .iter()
                        .filter(moved)
                        .find(|t| match (s.create_time, t.create_time) {
                            (Some(a), Some(b)) => (millis(a) - millis(b)).abs() <= window,
                            // No time to pair by: a candidate, never a proof.
                            _ => true,
                        })
                        .map(|t| (s, Some(t)))
                })
                .collect(),
            None => source.iter().filter(moved).map(|s| (s, None)).collect(),
        };
        if target.is_none() && !pairs.is_empty() {
            return Verdict::Undetermined(format!(
                "{} row(s) of {amount} on the source card since the intent (rows {:?}), and the \
                 target card belongs to another account, so its counterpart row cannot be read: \
                 a transfer cannot be told from a use of the card of the same amount",
                pairs.len(),
                pairs.iter().map(|(s, _)| s.id.as_str()).collect::<Vec<_>>(),
            ));
        }
        match pairs.as_slice() {
            [] => Verdict::NotApplied,
            [(s, t)] => Verdict::Applied(json!({
                "source": log_json(s),
                "target": t.map(log_json),
            })),
            many => Verdict::Undetermined(format!(
                "{} transfers of {amount} from the source card to the target card since the \
                 intent (source rows {:?}): concurrent transfers of one amount between two cards \
                 are indistinguishable",
                many.len(),
                many.iter().map(|(s, _)| s.id.as_str()).collect::<Vec<_>>()
            )),
        }
    }

    /// Whether destroying the cards `ids` was applied: every id gone from the card list →
    /// [`Verdict::Applied`]; every id still listed → [`Verdict::NotApplied`]; some gone and
    /// some not, or a list that cannot be read → [`Verdict::Undetermined`]. Only meaningful
    /// for ids that existed when the destroy was sent (an id that never existed is "gone").
    pub async fn reconcile_destroy<S: AsRef<str> + Sync>(&self, ids: &[S]) -> Verdict {
        let mut gone = Vec::new();
        let mut present = Vec::new();
        for id in ids.iter().map(AsRef::as_ref) {
            match self.list_cards(&CardFilter::new().id(id)).await {
                Ok(page) if page.items.iter().any(|card| card.id == id) => present.push(id),
                Ok(_) => gone.push(id),
                Err(e) => {
                    return Verdict::Undetermined(format!("the card list could not be read: {e}"));
                }
            }
        }
        match (gone.is_empty(), present.is_empty()) {
            (false, true) => Verdict::Applied(json!({ "destroyed": gone })),
            (true, _) => Verdict::NotApplied,
            (false, false) => Verdict::Undetermined(format!(
                "cards {gone:?} are gone but {present:?} are still listed"
            )),
        }
    }

    /// [`Client::transfer`] exactly once: a lost answer is reconciled in the usage logs
    /// ([`Client::reconcile_transfer`]) with the bounded wait of `wait`, and the same
    /// transfer is sent once more only when it was proven not applied. A refusal is
    /// returned as the error, as by `transfer`. The outcome carries no marker: a transfer
    /// has no field for one.
    pub async fn transfer_exactly_once(
        &self,
        from: &CardKey,
        to: &CardKey,
        amount: u64,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let since = SystemTime::now();
        run_exactly_once(
            None,
            wait,
            || async { Ok(self.transfer(from, to, amount).await?.evidence()) },
            || self.reconcile_transfer(from, to, amount, since),
        )
        .await
    }

    /// [`Client::destroy`] exactly once: a lost answer is reconciled in the card list
    /// ([`Client::reconcile_destroy`]), re-sent once when every card is still there.
    ///
    /// Every id must be in the account's card list before anything is sent (else
    /// [`Error::InvalidInput`]): "gone afterwards" proves the destroy only for a card that
    /// was listed before it.
    pub async fn destroy_exactly_once<S: AsRef<str> + Sync>(
        &self,
        ids: &[S],
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        if ids.is_empty() {
            return Err(Error::invalid_input(
                DESTROY.origin(),
                "no card id to destroy",
            ));
        }
        if self.reconcile_destroy(ids).await != Verdict::NotApplied {
            return Err(Error::invalid_input(
                DESTROY.origin(),
                "every card to destroy must be in the account's card list before it is \
                 destroyed, or its destruction could not be reconciled",
            ));
        }
        run_exactly_once(
            None,
            wait,
            || async { Ok(self.destroy(ids).await?.evidence()) },
            || self.reconcile_destroy(ids),
        )
        .await
    }
}
