//! The operation side of the exactly-once runner: the one trait a non-repeatable operation
//! implements ([`ExactlyOnce`]), the marker its request carries ([`Marker`]), and what a
//! reconciliation concludes ([`Verdict`]).
//!
//! The runner ([`crate::Runner`]) owns the journal, the leases, the retries and the order of
//! things; an operation only knows how to send its one request and how to look for it in the
//! provider's history afterwards. Keeping the two apart is what lets every provider become
//! exactly-once by implementing two methods.

use chrono::{DateTime, Utc};
use serde_json::Value;
use voxkit_core::Reconciliation;

/// The result types moved to `voxkit_core::reconcile` (so that provider crates can return
/// them without depending on the journal); re-exported here so the journal's paths keep
/// working.
pub use voxkit_core::reconcile::{
    Evidence, MARKER_ALPHABET, MARKER_LEN, MARKER_PREFIX, MARKER_RANDOM_CHARS, Marker, Verdict,
};

/// Who an operation is, in the journal: what [`crate::NewIntent`] is made of, minus the
/// caller's key and the runner's marker.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// The provider's short name (`longlonglong`, `espai`, `laaffic`): the declaration's
    /// `OperationSpec::provider`.
    pub provider: String,
    /// The operation's name (`recharge`, `transfer`): the declaration's `OperationSpec::name`.
    pub operation: String,
    /// The account or card whose history reconciliation searches (see
    /// [`ExactlyOnce`]: choosing the serial key).
    pub serial: String,
    /// The request's parameters as JSON, enough to rebuild the operation after a crash
    /// ([`Resolve`]). Never credentials: the journal refuses credential-like fields.
    pub request: Value,
}

impl Identity {
    /// The intent to journal for this operation under the caller's `key`, carrying `marker`.
    pub(crate) fn journaled(self, key: String, marker: String) -> crate::NewIntent {
        crate::NewIntent {
            key,
            provider: self.provider,
            operation: self.operation,
            request: self.request,
            serial: self.serial,
            marker,
        }
    }
}

/// A non-repeatable operation that the [`Runner`](crate::Runner) can apply exactly once.
///
/// # The guide for implementing it
///
/// The runner does everything around the two calls: it journals the intent, marks it sent
/// (durably) before [`send`](Self::send), records the answer, and on a lost answer calls
/// [`reconcile`](Self::reconcile) (again, with backoff, while it says `Undetermined`), re-sends
/// on a proven `NotApplied` (a bounded number of times), and after a crash does the same from
/// the journal. An implementation must hold to the following.
///
/// **Identity.** [`identity`](Self::identity) names the declaration (`spec.provider`,
/// `spec.name`) and gives the request as JSON without credentials (the client supplies those
/// at send time). It must be the same on every call and in every process: a batch run again
/// compares it with the journal and refuses a key reused for something else. The request must
/// hold everything [`Resolve`] needs to rebuild the operation after a crash.
///
/// **Choosing the serial key.** The account or card whose history reconciliation searches:
/// `longlonglong:user:<id>` for a recharge or deduct, `espai:card:<phone>:<code>` for a
/// transfer (the *source* card, whose usage log shows it), `laaffic:app:<appId>` for a task.
/// The journal hands out one intent per serial key at a time, so while one is in doubt no
/// other operation on the same account is in flight, and a usage-log match by amount and
/// counterpart cannot pick up a sibling's row.
///
/// **Carrying the marker.** [`send`](Self::send) puts the marker into the request, the same
/// way on every call (a re-send must be byte-for-byte the same request):
/// - longlonglong recharge / deduct: append it to `remark` with
///   [`Marker::with_text`] (the caller's remark stays readable); reconcile by paging
///   `bill_recharge_record` newest first over the window since `since`, matching with
///   [`Marker::found_in`].
/// - Laaffic task create / resend: the task name (`with_text(name, 64)`), found with the
///   task query's name search over the window; voice upload: the file name is the marker and
///   the suffix (`vk….mp3`, 20 characters of the allowed 5-32).
/// - ESP-AI transfer has no field for it: ignore the marker and match the source card's
///   `balance_logs` rows after `since` by amount and counterpart (exactly one row, or
///   `Undetermined`).
/// - Read-back operations (sub-account create: list by e-mail; delete: the read answers not
///   found; card destroy: the card is gone) may ignore it too.
///
/// **Answering `send`.** Return the provider's evidence on success. On failure return the
/// client's error unchanged: the voxkit clients already turn every ambiguous result of a
/// non-repeatable operation into `Error::OutcomeUnknown`, and the runner treats that (and any
/// error that does not prove the outcome: a timeout, a transport error that may have reached
/// the server, a decode error) as in doubt. A provider's refusal (`Error::Api`, a 4xx status)
/// and an error that proves nothing was sent (`Error::nothing_sent`) are recorded as refused.
/// Never retry inside `send`: a retry is the runner's decision, made after reconciling.
///
/// **Answering `reconcile`.** `since` is when the intent was created (on the journal's
/// clock); widen it by the clock skew you allow between this host and the provider (a minute
/// is plenty), the marker makes the match exact. Then:
/// - exactly one match → [`Verdict::Applied`] with the row as evidence;
/// - two or more candidates → [`Verdict::Undetermined`] naming them (never pick one);
/// - no match, and the history is complete and up to date for the window (you read every
///   page; the provider's history is known to show an operation within a bounded delay, and
///   that delay has passed since the request) → [`Verdict::NotApplied`];
/// - no match but the history may lag, a read failed or was cut short →
///   [`Verdict::Undetermined`]: the runner asks again after a backoff, up to
///   [`Settings::reconcile_tries`](crate::Settings::reconcile_tries) times, then records the
///   reason. `reconcile` itself never sends anything that changes the provider's state.
///
/// **Operations that cannot be reconciled.** Return the declaration's
/// [`Reconciliation`] from [`reconciliation`](Self::reconciliation); for
/// `Reconciliation::Impossible { why }` the runner never calls `reconcile` and records a lost
/// answer as undetermined with `why`. `Reconciliation::NotNeeded` (a repeatable operation) is
/// refused by the runner: such an operation needs no journal.
///
/// **Checking input.** [`check`](Self::check) refuses invalid input before the intent is
/// journaled (the runner reports the row as rejected and sends nothing); do here every check
/// the client would do before sending.
#[async_trait::async_trait]
pub trait ExactlyOnce: Send + Sync {
    /// The operation's journal identity (see the guide above).
    fn identity(&self) -> Identity;

    /// How a lost answer is reconciled: the declaration's `OperationSpec::reconciliation`.
    fn reconciliation(&self) -> Reconciliation;

    /// Refuses invalid input before anything is journaled (the client's own checks).
    fn check(&self) -> Result<(), voxkit_core::Error> {
        Ok(())
    }

    /// Sends the request once, carrying `marker`, and returns the provider's evidence.
    async fn send(&self, marker: &Marker) -> Result<Evidence, voxkit_core::Error>;

    /// Looks for the request carrying `marker`, sent at or after `since`, in the provider's
    /// history (see the guide above). Only reads.
    async fn reconcile(&self, marker: &Marker, since: DateTime<Utc>) -> Verdict;
}

/// Rebuilds an operation from a journaled intent, so that [`Runner::recover`] can finish what
/// a crashed process started (the CLI's batch parser implements it from the provider, the
/// operation name and the request JSON). `None` when this process does not know the
/// operation: the runner then leaves the intent alone.
///
/// [`Runner::recover`]: crate::Runner::recover
pub trait Resolve: Send + Sync {
    /// The operation `intent` was created for.
    fn resolve(&self, intent: &crate::Intent) -> Option<std::sync::Arc<dyn ExactlyOnce>>;
}

impl<F> Resolve for F
where
    F: Fn(&crate::Intent) -> Option<std::sync::Arc<dyn ExactlyOnce>> + Send + Sync,
{
    fn resolve(&self, intent: &crate::Intent) -> Option<std::sync::Arc<dyn ExactlyOnce>> {
        self(intent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn markers_are_short_safe_and_distinct() {
        let mut seen = HashSet::new();
        for _ in 0..20_000 {
            let marker = Marker::generate();
            let text = marker.as_str();
            assert_eq!(text.len(), MARKER_LEN);
            assert!(text.starts_with(MARKER_PREFIX));
            assert!(
                text[MARKER_PREFIX.len()..]
                    .bytes()
                    .all(|b| MARKER_ALPHABET.contains(&b)),
                "{text}"
            );
            assert!(seen.insert(text.to_owned()), "duplicate marker {text}");
        }
        // Every character of the alphabet turns up: the random part is not stuck.
        let used: HashSet<u8> = seen
            .iter()
            .flat_map(|m| m.as_bytes()[2..].to_vec())
            .collect();
        assert_eq!(used.len(), 32);
    }

    #[test]
    fn with_text_keeps_the_callers_text_and_fits_the_limit() {
        let marker = Marker::from_stored("vk0123456789abcd");
        assert_eq!(marker.with_text("", 64), "vk0123456789abcd");
        assert_eq!(
            marker.with_text(" order 17 ", 64),
            "order 17 vk0123456789abcd"
        );
        let long = "充值".repeat(40);
        let fitted = marker.with_text(&long, 64);
        assert_eq!(fitted.chars().count(), 64);
        assert!(fitted.ends_with(" vk0123456789abcd"));
        assert_eq!(marker.with_text("abc", 17), "vk0123456789abcd");
    }

    #[test]
    fn found_in_matches_whole_words_only() {
        let marker = Marker::from_stored("vk0123456789abcd");
        assert!(marker.found_in("order 17 vk0123456789abcd"));
        assert!(marker.found_in("vk0123456789abcd.mp3"));
        assert!(marker.found_in("vk0123456789abcd"));
        assert!(!marker.found_in("order vk0123456789abcde"));
        assert!(!marker.found_in("xvk0123456789abcd"));
        assert!(!marker.found_in("order 17"));
    }
}
