//! voxkit-journal: a durable journal of money-moving intents, so that each one is applied
//! exactly once across lost answers, crashes, restarts and several processes.
//!
//! None of the providers voxkit speaks to offers idempotency keys. The journal is the
//! client-side half of the answer: every intent is written before its request is sent,
//! marked [`State::Sent`] (durably) just before the request leaves, and its outcome written
//! after; a worker that dies leaves the intent where it was, and the next worker that claims
//! it reconciles it with the provider's history instead of sending it twice.
//!
//! # Stores
//!
//! One trait, [`Journal`], and two stores behind cargo features:
//!
//! | feature            | store                                      | for                                  |
//! |--------------------|--------------------------------------------|--------------------------------------|
//! | `sqlite` (default) | [`SqliteJournal`]: one file, WAL, fsync'd   | one host; several processes may share the file |
//! | `postgres`         | [`PgJournal`]: one schema, a connection pool | a fleet: processes on several hosts  |
//!
//! # The life of an intent
//!
//! ```text
//!  Pending ──► Sent ──► Applied | Refused
//!               ▲   └──► InDoubt ──► Applied | Undetermined
//!               │                └──► NotApplied ──┐
//!               └──────────── (same marker) ───────┘
//! ```
//!
//! The transitions are defined once, in [`State::can_become`]; the stores refuse any other
//! and write each one as a compare-and-set on the state the caller read, and on the caller
//! holding the intent's lease.
//!
//! # Using it (the runner's loop)
//!
//! ```no_run
//! # #[cfg(feature = "sqlite")]
//! # async fn example() -> Result<(), voxkit_journal::Error> {
//! use std::time::Duration;
//! use voxkit_journal::{Journal, NewIntent, Outcome, SqliteJournal, State};
//!
//! let journal = SqliteJournal::open("batch.journal").await?;
//! journal.create(NewIntent {
//!     key: "row-17".into(),
//!     provider: "longlonglong".into(),
//!     operation: "recharge".into(),
//!     request: serde_json::json!({"user": "5433b412-…", "amount": 100}),
//!     serial: "longlonglong:user:5433b412-…".into(),
//!     marker: "vk-7f3a9c".into(),
//! }).await?;
//!
//! for intent in journal.claim("worker-1", Duration::from_secs(60), 16).await? {
//!     if intent.state == State::Pending {
//!         journal.mark_sent(&intent.key, "worker-1").await?; // durable before sending
//!         // ... send the request carrying intent.marker, then:
//!         journal.record_outcome(&intent.key, "worker-1",
//!             Outcome::new(State::Sent, State::Applied)).await?;
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # The runner: exactly once without writing that loop
//!
//! Most callers never write the loop above. A non-repeatable operation implements
//! [`ExactlyOnce`] (its journal identity, `send(marker)` and `reconcile(marker, since)`: the
//! trait's docs are the guide), and a [`Runner`] does the rest: journal, claims, leases,
//! `mark_sent` before every send, reconciliation with a bounded wait, re-sends of what is
//! proven not applied, [`Runner::recover`] after a crash, progress events and a [`Summary`].
//!
//! ```no_run
//! # #[cfg(feature = "sqlite")]
//! # async fn example(ops: Vec<(String, std::sync::Arc<dyn voxkit_journal::ExactlyOnce>)>,
//! #                  rebuild: std::sync::Arc<dyn voxkit_journal::Resolve>)
//! # -> Result<(), voxkit_journal::Error> {
//! use std::sync::Arc;
//! use voxkit_journal::{Job, Runner, SqliteJournal, owner_for_this_process};
//!
//! let journal = Arc::new(SqliteJournal::open("batch.journal").await?);
//! let runner = Runner::new(journal, owner_for_this_process()).resolver(rebuild);
//! runner.recover().await?; // finish what a crashed run left in doubt
//! let summary = runner
//!     .run_all(ops.into_iter().map(|(key, op)| Job::new(key, op)))
//!     .await?;
//! println!("{} applied, {} undetermined", summary.tally.applied, summary.tally.undetermined);
//! # Ok(()) }
//! ```
// The stores' links resolve only with their feature; without it they point at the feature
// table (a build of the crate's docs with one store must not warn of a broken link).
#![cfg_attr(feature = "sqlite", doc = "[`SqliteJournal`]: crate::SqliteJournal")]
#![cfg_attr(not(feature = "sqlite"), doc = "[`SqliteJournal`]: #stores")]
#![cfg_attr(feature = "postgres", doc = "[`PgJournal`]: crate::PgJournal")]
#![cfg_attr(not(feature = "postgres"), doc = "[`PgJournal`]: #stores")]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Without a store (`--no-default-features`: the trait alone, for a crate that only drives a
// journal), the stores' shared helpers are unused.
#![cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]

mod error;
mod intent;
#[cfg(any(feature = "longlonglong", feature = "espai", feature = "laaffic"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "longlonglong", feature = "espai", feature = "laaffic")))
)]
pub mod ops;
mod owner;
pub mod runner;
mod state;
pub mod verdict;

#[cfg(feature = "postgres")]
mod pgtls;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::time::Duration;

pub use error::Error;
pub use intent::{Counts, Created, Intent, ListFilter, NewIntent, Outcome};
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::{PgConfig, PgJournal};
pub use runner::{
    Event, Job, Progress, RowOutcome, RowResult, Runner, Settings, Summary, Tally,
    outcome_in_doubt, owner_for_this_process,
};
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sqlite::SqliteJournal;
pub use state::{IllegalTransition, State, UnknownState};
pub use verdict::{Evidence, ExactlyOnce, Identity, Marker, Resolve, Verdict};

/// Which claimed intents [`Journal::claim_and_mark_sent`] marks `Sent` in the claim's commit:
/// called (on the store's thread, inside its transaction: keep it quick and free of I/O)
/// with each claimed intent that is `Pending` or `NotApplied`.
pub type MarkSent = std::sync::Arc<dyn Fn(&Intent) -> bool + Send + Sync>;

/// The schema version this build writes and understands. Both stores record it (SQLite in
/// `PRAGMA user_version`, PostgreSQL in a `schema_version` table) and refuse a journal
/// written by a newer build rather than misreading it.
pub const SCHEMA_VERSION: i64 = 3;

/// A durable journal of intents: the one interface both stores implement and the
/// exactly-once runner is written against.
///
/// Object-safe (through `async_trait`), so that a command line can pick the store at run time
/// (`--journal PATH` or `--journal postgres://…`) and hold an `Arc<dyn Journal>`; the cost, a
/// boxed future per call, is nothing next to a database round trip.
///
/// Every write is durable when its future resolves: a runner must await
/// [`mark_sent`](Journal::mark_sent) before its request leaves, and must not send when it
/// fails.
#[async_trait::async_trait]
pub trait Journal: Send + Sync {
    /// Creates the intent, or returns the existing one when its key is already there (so
    /// that running a batch file again resumes it). The stored marker wins over
    /// `new.marker`. Fails with [`Error::KeyMismatch`] when the key exists with a different
    /// provider, operation, serial key or request.
    async fn create(&self, new: NewIntent) -> Result<Created, Error>;

    /// Creates many intents in one go ([`create`](Journal::create) for each, in order):
    /// the stores write them in one transaction, one fsync for all, which is what lets a
    /// batch of thousands of rows be journaled in a fraction of a second. The outer error is
    /// the journal failing (nothing of the batch may be relied on); the inner ones are
    /// per row ([`Error::KeyMismatch`], [`Error::Invalid`]), the other rows unaffected.
    async fn create_many(&self, new: Vec<NewIntent>) -> Result<Vec<Result<Created, Error>>, Error> {
        let mut created = Vec::with_capacity(new.len());
        for intent in new {
            match self.create(intent).await {
                Ok(done) => created.push(Ok(done)),
                Err(error @ (Error::KeyMismatch { .. } | Error::Invalid(_))) => {
                    created.push(Err(error));
                }
                Err(error) => return Err(error),
            }
        }
        Ok(created)
    }

    /// Leases up to `limit` intents to `owner` for `lease`: intents not final and not leased
    /// by a live owner, oldest first, and at most one per serial key in flight (only the
    /// oldest unfinished intent of a serial key is handed out, and only while no other
    /// intent of that key is leased). A claimed intent may be `Sent`: its previous owner
    /// died after marking it, so the new owner must treat it as in doubt.
    ///
    /// Provided: [`claim_and_mark_sent`](Journal::claim_and_mark_sent) marking nothing, so
    /// that a store writes its claim once.
    async fn claim(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Intent>, Error> {
        let none: MarkSent = std::sync::Arc::new(|_: &Intent| false);
        self.claim_and_mark_sent(owner, lease, limit, none).await
    }

    /// [`claim`](Journal::claim), and in the same commit [`mark_sent`](Journal::mark_sent)
    /// every claimed intent that `mark` accepts (only `Pending` or `NotApplied` ones are
    /// offered to it). This is how a runner claims ahead: the next rows' `Sent` marks are
    /// made durable in one group commit while the current ones are in flight, instead of one
    /// commit on the critical path of every send. The intents come back as stored: `Sent`
    /// (attempt counted) when marked, else as claimed. Durable when it returns, like
    /// `mark_sent`; a crash afterwards leaves the marked rows `Sent`, to be reconciled (so
    /// `mark` must refuse operations that cannot be reconciled).
    async fn claim_and_mark_sent(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
        mark: MarkSent,
    ) -> Result<Vec<Intent>, Error>;

    /// Extends `owner`'s lease on `key` to `lease` from now; [`Error::LeaseLost`] when
    /// another worker has taken it (stop working on it).
    async fn renew(&self, key: &str, owner: &str, lease: Duration) -> Result<Intent, Error>;

    /// Gives up `owner`'s lease on `key` without changing its state, so another worker may
    /// claim it at once; [`Error::LeaseLost`] when `owner` does not hold it.
    async fn release(&self, key: &str, owner: &str) -> Result<(), Error>;

    /// Moves `key` from `Pending` or `NotApplied` to `Sent`, counts the attempt and stamps
    /// `sent_at` (on the first send only: a re-send keeps it): durable when it returns, so await it BEFORE sending the request, and do not
    /// send when it fails. Requires `owner` to hold the lease.
    async fn mark_sent(&self, key: &str, owner: &str) -> Result<Intent, Error>;

    /// Writes an outcome: `outcome.from → outcome.to` as a compare-and-set on the state,
    /// with the evidence or error. A final state stamps `finished_at` and ends the lease.
    /// Requires `owner` to hold the lease.
    async fn record_outcome(
        &self,
        key: &str,
        owner: &str,
        outcome: Outcome,
    ) -> Result<Intent, Error>;

    /// Writes the outcomes of several of `owner`'s intents in one go, each as
    /// [`record_outcome`](Journal::record_outcome) would, in one transaction (one commit, one
    /// statement on PostgreSQL): a runner finishing hundreds of rows a second pays for one
    /// commit per batch, not one per row. Nothing is read back: a caller that needs the
    /// intent as written applies the outcome to its copy ([`Intent::with_outcome`]).
    ///
    /// The outer error is the journal failing (then none of the batch may be relied on: each
    /// intent is where it was, or moved, and a later run finds out); the inner ones are per
    /// row ([`Error::Stale`], [`Error::LeaseLost`], [`Error::NotFound`], [`Error::Invalid`]),
    /// the other rows written.
    ///
    /// The default writes them one [`record_outcome`](Journal::record_outcome) each.
    async fn record_outcomes(
        &self,
        owner: &str,
        outcomes: Vec<(String, Outcome)>,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let mut written = Vec::with_capacity(outcomes.len());
        for (key, outcome) in outcomes {
            match self.record_outcome(&key, owner, outcome).await {
                Ok(_) => written.push(Ok(())),
                Err(Error::Database(error)) => return Err(Error::Database(error)),
                Err(error) => written.push(Err(error)),
            }
        }
        Ok(written)
    }

    /// The intent with this key.
    async fn get(&self, key: &str) -> Result<Option<Intent>, Error>;

    /// Intents matching `filter`, oldest first.
    async fn list(&self, filter: &ListFilter) -> Result<Vec<Intent>, Error>;

    /// How many intents are in each state.
    async fn counts(&self) -> Result<Counts, Error>;
}

/// Checks an owner name: the lease column holds it, so it must say who the worker is.
pub(crate) fn check_owner(owner: &str) -> Result<(), Error> {
    if owner.trim().is_empty() {
        return Err(Error::Invalid(
            "a worker's owner name must not be empty".to_owned(),
        ));
    }
    Ok(())
}

/// Checks an outcome before a store writes it: a legal transition, and not to `Sent`
/// (sending goes through `mark_sent`, which counts the attempt).
pub(crate) fn check_outcome(key: &str, outcome: &Outcome) -> Result<(), Error> {
    outcome.from.check(outcome.to)?;
    if outcome.to == State::Sent {
        return Err(Error::Invalid(format!(
            "intent `{key}`: use mark_sent to move it to sent"
        )));
    }
    Ok(())
}

/// Why a compare-and-set matched no row: read back the intent and name the reason (not
/// found, moved on, or leased by someone else). `expected` is `None` for lease calls.
pub(crate) fn explain_miss(
    key: &str,
    owner: &str,
    expected: &[State],
    found: Option<Intent>,
) -> Error {
    let Some(intent) = found else {
        return Error::NotFound(key.to_owned());
    };
    if !expected.is_empty() && !expected.contains(&intent.state) {
        return Error::Stale {
            key: key.to_owned(),
            expected: expected[0],
            actual: intent.state,
        };
    }
    if intent.state.is_final() && expected.is_empty() {
        return Error::Stale {
            key: key.to_owned(),
            expected: State::Sent,
            actual: intent.state,
        };
    }
    Error::LeaseLost {
        key: key.to_owned(),
        owner: owner.to_owned(),
        holder: intent.owner.unwrap_or_else(|| "nobody".to_owned()),
    }
}

/// The fields of an existing intent that must equal a re-created one's.
pub(crate) fn mismatch(existing: &Intent, new: &NewIntent) -> Option<&'static str> {
    if existing.provider != new.provider {
        Some("provider")
    } else if existing.operation != new.operation {
        Some("operation")
    } else if existing.serial != new.serial {
        Some("serial key")
    } else if existing.request != new.request {
        Some("request")
    } else {
        None
    }
}
