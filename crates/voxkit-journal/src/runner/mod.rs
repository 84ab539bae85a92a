//! The exactly-once runner: drives [`ExactlyOnce`] operations through the journal so that each
//! is applied once, across lost answers, crashes and several workers.
//!
//! # The order of things, per intent
//!
//! 1. `create` (a key already in the journal resumes; the same key with other content is
//!    rejected), before anything is sent.
//! 2. `claim`: the journal hands an intent to one worker at a time, one per serial key.
//! 3. `mark_sent`, durable before the request leaves; when it fails nothing is sent. For
//!    this run's rows whose operation can be reconciled, the claim itself marks them `Sent`
//!    ahead, a window of rows per commit (see [`drive`](self#files)); every other intent is
//!    marked just before its send.
//! 4. `send` → `Applied` (evidence) | `Refused` (the error) | `InDoubt` (outcome unknown).
//! 5. In doubt → `reconcile` while it says `Undetermined` (bounded, with backoff) →
//!    `Applied` | `Undetermined` | `NotApplied` → back to 3 with the same marker (bounded).
//!
//! No journal transaction is held across a network call: each journal call is its own
//! transaction. The lease is renewed while a call to the provider or a backoff lasts; when
//! the journal says another worker took the intent over (`Stale`, `LeaseLost`), the runner
//! lets go of it.
//!
//! # Files
//!
//! This file holds the runner's surface (settings, jobs, `run_all`, `recover`, and the
//! journaling of a run's rows); `drive.rs` the drive loop (claims, the window of rows
//! claimed ahead, one task per intent: send, outcome, reconciliation, leases); `report.rs`
//! what a run reports (row results, the progress tally and events, the summary);
//! `limiter.rs` the rate limit; `record.rs` the writing of outcomes, many rows per commit.

mod drive;
mod limiter;
mod record;
mod report;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use voxkit_core::Reconciliation;

use crate::verdict::{ExactlyOnce, Marker, Resolve};
use crate::{Error, Journal, ListFilter, NewIntent};
use drive::{Mode, Run};
use limiter::Limiter;
pub use report::{Event, Progress, RowOutcome, RowResult, Summary, Tally};

/// How a [`Runner`] works. Start from [`Settings::default`] and change fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// How long a claim keeps other workers away from an intent. It must outlast one call to
    /// the provider (the runner renews it every third of its length while a call or a backoff
    /// lasts, so it only runs out when this process is gone). Default 2 minutes.
    pub lease: Duration,
    /// How many requests are sent at once (the journal still allows one intent per serial
    /// key). Up to [`window`](Self::window) intents are claimed and driven (reconciliation
    /// reads run in those), so that the journal writes around a send (the claim and its
    /// `Sent` marks, recording outcomes) overlap other sends instead of idling a slot.
    /// Default 8.
    pub concurrency: usize,
    /// At most this many requests per second are sent (sends and re-sends; reconciliation
    /// reads are not counted). `None`: no limit. Default `None`.
    pub rate_per_sec: Option<f64>,
    /// How many intents a runner holds claimed and not yet answered: the requests in flight
    /// and the rows claimed ahead of them, which the claim marks `Sent` (durably, in one
    /// commit) while the others are sent, so that no send waits for its own commit. A crash
    /// leaves up to this many rows `Sent` that were never sent: the next run reconciles
    /// them (not applied) before sending them. Operations that cannot be reconciled are
    /// never marked ahead. `None`: sixteen times [`concurrency`](Self::concurrency), at
    /// least 64 ([`window_size`](Self::window_size)). Default `None`.
    pub window: Option<usize>,
    /// How many times a lost answer is reconciled while the verdict is `Undetermined` (the
    /// provider's history may lag) before the intent is recorded undetermined. Default 6.
    pub reconcile_tries: u32,
    /// The wait before the second reconciliation; doubled after each try up to
    /// [`reconcile_backoff_max`](Self::reconcile_backoff_max). Default 1 s (with the other
    /// defaults, about 30 s of waiting in all).
    pub reconcile_backoff: Duration,
    /// The longest wait between two reconciliations. Default 16 s.
    pub reconcile_backoff_max: Duration,
    /// How many times a request proven not applied is sent again. When they are used up the
    /// intent stays `NotApplied` in the journal (not final) and the row is reported
    /// unfinished, for a later run. Default 2.
    pub max_resends: u32,
    /// How often a runner with nothing to claim looks again while other workers hold the
    /// intents it waits for (a lease of a dead worker running out, or a row another worker is
    /// driving). Default 250 ms.
    pub idle_poll: Duration,
}

impl Settings {
    /// The claim window in effect ([`window`](Self::window), or its default).
    ///
    /// Why sixteen sends' worth: a claim is one commit (one fsync, a few round trips on
    /// PostgreSQL) queued behind the journal's other writes, and the drive loop makes one
    /// for each quarter of the window that frees, so the rows claimed ahead must last while
    /// the next claims are written, 10-40 ms on a busy machine. On the 10,000-row
    /// benchmark at concurrency 32 (`cargo xtask bench --journal`), twice the concurrency
    /// left the sends waiting on claims most of the run, and each doubling of the window up
    /// to sixteen times cut the run's time. The cost is after a crash: up to this many rows
    /// are found `Sent` and reconciled (not applied) before they are sent.
    pub fn window_size(&self) -> usize {
        self.window
            .unwrap_or_else(|| (self.concurrency.max(1) * 16).max(64))
            .max(1)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(120),
            concurrency: 8,
            rate_per_sec: None,
            window: None,
            reconcile_tries: 6,
            reconcile_backoff: Duration::from_secs(1),
            reconcile_backoff_max: Duration::from_secs(16),
            max_resends: 2,
            idle_poll: Duration::from_millis(250),
        }
    }
}

/// One row of work: the caller's unique key and the operation.
#[derive(Clone)]
pub struct Job {
    /// The caller's unique id for the operation (a batch file's `key` column).
    pub key: String,
    /// The operation.
    pub op: Arc<dyn ExactlyOnce>,
}

impl Job {
    /// A job.
    pub fn new(key: impl Into<String>, op: Arc<dyn ExactlyOnce>) -> Self {
        Self {
            key: key.into(),
            op,
        }
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("key", &self.key)
            .field("identity", &self.op.identity())
            .finish()
    }
}

/// Whether an error from `send` leaves the outcome unknown. Only a provider's refusal, a 4xx
/// status or an error proving nothing was sent count as known; anything else (including error
/// kinds a later voxkit adds) is in doubt and gets reconciled: never guess.
pub fn outcome_in_doubt(error: &voxkit_core::Error) -> bool {
    if error.outcome_unknown() {
        return true;
    }
    let known = error.nothing_sent()
        || matches!(error, voxkit_core::Error::Api { .. })
        || error.status().is_some_and(|s| s.is_client_error());
    !known
}

/// The exactly-once runner (see the [module docs](self) for the order of things).
///
/// Cheap to clone: clones share the journal, settings, progress channel and rate limit.
#[derive(Clone)]
pub struct Runner {
    inner: Arc<Inner>,
}

/// What a runner's clones share.
pub(crate) struct Inner {
    journal: Arc<dyn Journal>,
    owner: String,
    settings: Settings,
    resolver: Option<Arc<dyn Resolve>>,
    progress: Option<UnboundedSender<Progress>>,
    limiter: Limiter,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("owner", &self.inner.owner)
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

/// The owner name for this process: `host:pid:start:random`, unique across a fleet, readable
/// in `journal list` (who holds a lease). The start time lets the SQLite store end at once a
/// lease whose process is provably dead (same host, pid gone or reused), so a re-run after a
/// crash does not wait for [`Settings::lease`] to run out.
pub fn owner_for_this_process() -> String {
    let random = Marker::generate();
    crate::owner::for_this_process(&random.as_str()[2..8])
}

impl Runner {
    /// A runner writing to `journal` as `owner` (unique per worker:
    /// [`owner_for_this_process`]), with default [`Settings`].
    pub fn new(journal: Arc<dyn Journal>, owner: impl Into<String>) -> Self {
        Self::with_settings(journal, owner, Settings::default())
    }

    /// A runner with `settings`.
    pub fn with_settings(
        journal: Arc<dyn Journal>,
        owner: impl Into<String>,
        settings: Settings,
    ) -> Self {
        let limiter = Limiter::new(settings.rate_per_sec);
        Self {
            inner: Arc::new(Inner {
                journal,
                owner: owner.into(),
                settings,
                resolver: None,
                progress: None,
                limiter,
            }),
        }
    }

    /// Rebuilds operations from journaled intents: needed by [`recover`](Self::recover), and
    /// lets [`run_all`](Self::run_all) drive intents of other runs that block its own (the
    /// journal serves the oldest intent of a serial key first).
    pub fn resolver(mut self, resolver: Arc<dyn Resolve>) -> Self {
        self.inner_mut().resolver = Some(resolver);
        self
    }

    /// Sends a [`Progress`] for every step to `sender` (a progress bar's channel).
    pub fn progress(mut self, sender: UnboundedSender<Progress>) -> Self {
        self.inner_mut().progress = Some(sender);
        self
    }

    fn inner_mut(&mut self) -> &mut Inner {
        Arc::get_mut(&mut self.inner).expect("configure a runner before cloning it")
    }

    /// This runner's owner name.
    pub fn owner(&self) -> &str {
        &self.inner.owner
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// Applies one operation exactly once (see [`run_all`](Self::run_all)).
    pub async fn run_one(&self, job: Job) -> Result<RowResult, Error> {
        let mut summary = self.run_all(vec![job]).await?;
        Ok(summary.rows.remove(0))
    }

    /// Applies every job exactly once: journals them all (resuming keys already there), then
    /// drives them, at most [`Settings::concurrency`] at a time, until each has a result.
    /// Rows another worker holds are waited for and reported as it finishes them.
    ///
    /// Fails only when the journal cannot be written before anything is sent for the rows
    /// concerned (a database error on create or claim); a row-level problem is in its
    /// [`RowResult`].
    pub async fn run_all(&self, jobs: impl IntoIterator<Item = Job>) -> Result<Summary, Error> {
        let jobs: Vec<Job> = jobs.into_iter().collect();
        let run = Run::new(self.inner.clone(), jobs.len() as u64);
        let mut order: HashMap<String, usize> = HashMap::new();
        let mut slots: Vec<Option<RowResult>> = vec![None; jobs.len()];
        let mut fresh = Vec::with_capacity(jobs.len());
        for (index, job) in jobs.into_iter().enumerate() {
            let key = job.key.clone();
            if order.contains_key(&key) {
                slots[index] = Some(run.finish(RowResult {
                    key: key.clone(),
                    outcome: RowOutcome::Rejected {
                        error: format!("key `{key}` appears more than once in the run"),
                    },
                    attempts: 0,
                    driven_here: false,
                }));
                continue;
            }
            order.insert(key, index);
            fresh.push(job);
        }
        // Journaling and driving overlap: the intents are created in chunks (one commit
        // each) by a task of their own, and each chunk is driven as soon as it is durable.
        let pending: HashSet<String> = fresh.iter().map(|job| job.key.clone()).collect();
        let (feed, chunks) = tokio::sync::mpsc::unbounded_channel();
        let creator = tokio::spawn({
            let runner = self.clone();
            let run = run.clone();
            async move { runner.create_all(fresh, &run, feed).await }
        });
        let driven = run.drive_loop(Some(chunks), pending, Mode::Rows).await;
        let created = creator.await.map_err(Error::db)?;
        let (driven, created) = (driven?, created?);
        for row in created.into_iter().chain(driven) {
            if let Some(&index) = order.get(&row.key) {
                slots[index] = Some(row);
            }
        }
        let rows: Vec<RowResult> = slots.into_iter().flatten().collect();
        let tally = run.tally();
        Ok(Summary { tally, rows })
    }

    /// Finishes everything not final in the journal (run it at start-up): a `Sent` intent
    /// whose worker died is in doubt and reconciled, an in-doubt one reconciled, a not-applied
    /// one re-sent with its marker, a pending one sent. Intents leased by other workers are
    /// waited for until they finish or their lease runs out. Needs a
    /// [`resolver`](Self::resolver) to rebuild the operations.
    pub async fn recover(&self) -> Result<Summary, Error> {
        self.require_resolver("recover()")?;
        let open = self.inner.journal.list(&ListFilter::not_final()).await?;
        drive_open(Run::new(self.inner.clone(), open.len() as u64)).await
    }

    /// Resolves what is in doubt without sending anything (`voxkit journal reconcile`): every
    /// intent not final (or, with `only`, those keys) that is `Sent` or `InDoubt` is
    /// reconciled against the provider as [`recover`](Self::recover) would, and recorded
    /// `Applied`, `Undetermined` or `NotApplied`. Nothing is sent or re-sent: a `Pending` or
    /// `NotApplied` intent (or one proven not applied here) is reported
    /// [`RowOutcome::Unfinished`] in that state, for a batch run to send. Needs a
    /// [`resolver`](Self::resolver).
    pub async fn reconcile_in_doubt(&self, only: Option<&[String]>) -> Result<Summary, Error> {
        self.require_resolver("reconcile_in_doubt()")?;
        let only: Option<HashSet<String>> = only.map(|keys| keys.iter().cloned().collect());
        let open = self.inner.journal.list(&ListFilter::not_final()).await?;
        let rows = open
            .iter()
            .filter(|i| only.as_ref().is_none_or(|keys| keys.contains(&i.key)))
            .count();
        drive_open(Run::new(self.inner.clone(), rows as u64).look_only(only)).await
    }

    /// Refuses `call` (`recover()`, `reconcile_in_doubt()`: the calls that drive intents
    /// found in the journal) when no [`resolver`](Self::resolver) can rebuild their operations.
    fn require_resolver(&self, call: &str) -> Result<(), Error> {
        if self.inner.resolver.is_none() {
            return Err(Error::Invalid(format!(
                "{call} needs a resolver to rebuild operations from the journal"
            )));
        }
        Ok(())
    }

    /// Journals `jobs` in chunks, one [`Journal::create_many`] (one commit) each, and hands
    /// each chunk to the drive loop through `feed` as soon as it is durable. Returns the rows
    /// settled without driving (already final: skipped; refused before anything was
    /// journaled: rejected), or `Err` when the journal failed (the rows not yet journaled
    /// are then never sent).
    async fn create_all(
        &self,
        jobs: Vec<Job>,
        run: &Run,
        feed: UnboundedSender<Chunk>,
    ) -> Result<Vec<RowResult>, Error> {
        /// The first chunk fills the claim window; the next are large so that a 10,000-row
        /// file costs a few commits.
        const NEXT: usize = 512;
        let mut settled_rows = Vec::new();
        let mut jobs = jobs.into_iter().peekable();
        let mut size = self.inner.settings.window_size().min(NEXT);
        let mut started = false;
        while jobs.peek().is_some() {
            let mut chunk = Chunk::default();
            let mut news = Vec::with_capacity(size);
            let mut ops = Vec::with_capacity(size);
            for job in jobs.by_ref().take(size) {
                match prepare(&job) {
                    Ok(new) => {
                        news.push(new);
                        ops.push(job);
                    }
                    Err(error) => {
                        settled_rows.push(run.finish(rejected(&job.key, error)));
                        chunk.settled.push(job.key);
                    }
                }
            }
            size = NEXT;
            let created = if news.is_empty() {
                Vec::new()
            } else {
                run.expect_ahead(ops.iter().zip(&news));
                self.inner.journal.create_many(news).await?
            };
            for (job, created) in ops.into_iter().zip(created) {
                match created {
                    Ok(created) if created.intent.state.is_final() => {
                        settled_rows.push(run.finish(RowResult {
                            key: job.key.clone(),
                            outcome: RowOutcome::Skipped {
                                state: created.intent.state,
                            },
                            attempts: created.intent.attempts,
                            driven_here: false,
                        }));
                        chunk.settled.push(job.key);
                    }
                    Ok(_) => chunk.drive.push((job.key, job.op)),
                    Err(error) => {
                        settled_rows.push(run.finish(rejected(&job.key, error.to_string())));
                        chunk.settled.push(job.key);
                    }
                }
            }
            if !started {
                started = true;
                run.emit(Event::Started);
            }
            if feed.send(chunk).is_err() {
                break; // the drive loop stopped (a journal failure it reports)
            }
        }
        if !started {
            run.emit(Event::Started);
        }
        Ok(settled_rows)
    }
}

/// Drives the open intents of the journal `run` may take ([`Runner::recover`],
/// [`Runner::reconcile_in_doubt`]) from its `Started` event to its summary; an intent that
/// opened meanwhile counts as a row too (the tally's rows are at least its done).
async fn drive_open(run: Arc<Run>) -> Result<Summary, Error> {
    run.emit(Event::Started);
    let rows = run
        .drive_loop(None, HashSet::new(), Mode::Everything)
        .await?;
    let mut tally = run.tally();
    tally.rows = tally.rows.max(tally.done);
    Ok(Summary { tally, rows })
}

/// A chunk of a run's rows, journaled: the ones to drive, and the keys settled without
/// driving (skipped or rejected).
#[derive(Default)]
struct Chunk {
    drive: Vec<(String, Arc<dyn ExactlyOnce>)>,
    settled: Vec<String>,
}

/// A row refused before anything was journaled.
fn rejected(key: &str, error: String) -> RowResult {
    RowResult {
        key: key.to_owned(),
        outcome: RowOutcome::Rejected { error },
        attempts: 0,
        driven_here: false,
    }
}

/// The intent to journal for `job`, or why it is refused before anything is journaled.
fn prepare(job: &Job) -> Result<NewIntent, String> {
    let op = &job.op;
    if let Reconciliation::NotNeeded = op.reconciliation() {
        return Err("a repeatable operation needs no journal: call it directly".to_owned());
    }
    op.check().map_err(|error| error.to_string())?;
    let new = op
        .identity()
        .journaled(job.key.clone(), Marker::generate().as_str().to_owned());
    new.validate().map_err(|error| error.to_string())?;
    Ok(new)
}
