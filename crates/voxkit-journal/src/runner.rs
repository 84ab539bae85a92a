//! The exactly-once runner: drives [`ExactlyOnce`] operations through the journal so that each
//! is applied once, across lost answers, crashes and several workers.
//!
//! # The order of things, per intent
//!
//! 1. `create` (a key already in the journal resumes; the same key with other content is
//!    rejected), before anything is sent.
//! 2. `claim`: the journal hands an intent to one worker at a time, one per serial key.
//! 3. `mark_sent`, awaited: durable before the request leaves; when it fails nothing is sent.
//! 4. `send` → `Applied` (evidence) | `Refused` (the error) | `InDoubt` (outcome unknown).
//! 5. In doubt → `reconcile` while it says `Undetermined` (bounded, with backoff) →
//!    `Applied` | `Undetermined` | `NotApplied` → back to 3 with the same marker (bounded).
//!
//! No journal transaction is held across a network call: each journal call is its own
//! transaction. The lease is renewed while a call to the provider or a backoff lasts; when
//! the journal says another worker took the intent over (`Stale`, `LeaseLost`), the runner
//! lets go of it.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;
use voxkit_core::Reconciliation;

use crate::verdict::{Evidence, ExactlyOnce, Marker, Resolve, Verdict};
use crate::{Error, Intent, Journal, ListFilter, NewIntent, Outcome, State};

/// How a [`Runner`] works. Start from [`Settings::default`] and change fields.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// How long a claim keeps other workers away from an intent. It must outlast one call to
    /// the provider (the runner renews it every third of its length while a call or a backoff
    /// lasts, so it only runs out when this process is gone). Default 2 minutes.
    pub lease: Duration,
    /// How many requests are sent at once (the journal still allows one intent per serial
    /// key). Up to twice as many intents are claimed and driven (reconciliation reads run
    /// in those), so that the journal writes around a send (the claim, recording its
    /// outcome) overlap other sends instead of idling a slot. Default 8.
    pub concurrency: usize,
    /// At most this many requests per second are sent (sends and re-sends; reconciliation
    /// reads are not counted). `None`: no limit. Default `None`.
    pub rate_per_sec: Option<f64>,
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

impl Default for Settings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(120),
            concurrency: 8,
            rate_per_sec: None,
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

/// How one row ended, as a run reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    /// Final: applied exactly once, with the provider's evidence (from the answer, or from
    /// reconciliation).
    Applied {
        /// The evidence, when the provider gave any.
        evidence: Option<Evidence>,
    },
    /// Final: the provider refused it (or it provably never left); nothing was applied.
    Refused {
        /// The error text.
        error: String,
    },
    /// Final: the answer was lost and reconciliation could not decide. A person decides.
    Undetermined {
        /// Why.
        why: String,
    },
    /// Already final in the journal when the run started (a resumed run): left alone.
    Skipped {
        /// The final state it was in.
        state: State,
    },
    /// Refused before anything was journaled: invalid input, a key used twice in the run or
    /// reused for other content, a repeatable operation, a credential-like request field.
    Rejected {
        /// Why.
        error: String,
    },
    /// Not final at the end of the run (re-sends used up, the journal failing, blocked behind
    /// such an intent of the same serial key, an operation this process cannot rebuild): a
    /// later run or `recover()` picks it up. Nothing about it is guessed.
    Unfinished {
        /// The state the journal holds it in.
        state: State,
        /// Why it stopped.
        why: String,
    },
}

/// The result of one row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowResult {
    /// The row's key.
    pub key: String,
    /// How it ended.
    pub outcome: RowOutcome,
    /// How many times its request was sent (marked sent in the journal), over all runs.
    pub attempts: u32,
    /// `false` when another worker finished it while this run waited (fleets), or it was
    /// skipped or rejected.
    pub driven_here: bool,
}

/// Counts by outcome, as a progress bar shows them and a summary reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Rows in the run (a `recover()` counts the intents it found).
    pub rows: u64,
    /// Rows with a result so far.
    pub done: u64,
    /// Applied (by this run or, in a fleet, by another worker while this one waited).
    pub applied: u64,
    /// Refused by the provider.
    pub refused: u64,
    /// Undetermined after reconciliation, or unreconcilable.
    pub undetermined: u64,
    /// Already final in the journal at start.
    pub skipped: u64,
    /// Rejected before anything was journaled.
    pub rejected: u64,
    /// Left not final (see [`RowOutcome::Unfinished`]).
    pub unfinished: u64,
    /// In doubt right now: an answer was lost and reconciliation is under way.
    pub in_doubt: u64,
}

impl Tally {
    fn count(&mut self, outcome: &RowOutcome) {
        self.done += 1;
        match outcome {
            RowOutcome::Applied { .. } => self.applied += 1,
            RowOutcome::Refused { .. } => self.refused += 1,
            RowOutcome::Undetermined { .. } => self.undetermined += 1,
            RowOutcome::Skipped { .. } => self.skipped += 1,
            RowOutcome::Rejected { .. } => self.rejected += 1,
            RowOutcome::Unfinished { .. } => self.unfinished += 1,
        }
    }
}

/// What happened, for a progress bar: each event carries the tally after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The event.
    pub event: Event,
    /// The counts after it.
    pub tally: Tally,
}

/// One step of a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The intents are journaled; driving starts. `rows` and `skipped` are in the tally.
    Started,
    /// A request is about to leave (attempt `attempt`, counting from 1).
    Sending {
        /// The row's key.
        key: String,
        /// The attempt.
        attempt: u32,
    },
    /// An answer was lost; reconciliation starts.
    InDoubt {
        /// The row's key.
        key: String,
        /// The error that left the outcome unknown.
        why: String,
    },
    /// A row has its result.
    Row(RowResult),
}

/// The end of a run: the counts and every row's result (in the order of the jobs for
/// [`Runner::run_all`], in the order of completion for [`Runner::recover`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// The counts (`applied`, `refused`, `undetermined`, `skipped`, ...).
    pub tally: Tally,
    /// Every row's result.
    pub rows: Vec<RowResult>,
}

impl Summary {
    /// The exit code the command line uses: 5 when any row is undetermined or unfinished
    /// (including rows skipped as undetermined: something needs a person), 3 when some were
    /// refused or rejected, 0 when everything was applied.
    pub fn exit_code(&self) -> u8 {
        let undetermined = self.rows.iter().any(|row| {
            matches!(
                row.outcome,
                RowOutcome::Undetermined { .. }
                    | RowOutcome::Unfinished { .. }
                    | RowOutcome::Skipped {
                        state: State::Undetermined
                    }
            )
        });
        let refused = self.rows.iter().any(|row| {
            matches!(
                row.outcome,
                RowOutcome::Refused { .. }
                    | RowOutcome::Rejected { .. }
                    | RowOutcome::Skipped {
                        state: State::Refused
                    }
            )
        });
        if undetermined {
            5
        } else if refused {
            3
        } else {
            0
        }
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

struct Inner {
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
        if self.inner.resolver.is_none() {
            return Err(Error::Invalid(
                "recover() needs a resolver to rebuild operations from the journal".to_owned(),
            ));
        }
        let open = self.inner.journal.list(&not_final()).await?;
        let run = Run::new(self.inner.clone(), open.len() as u64);
        run.emit(Event::Started);
        let rows = run
            .drive_loop(None, HashSet::new(), Mode::Everything)
            .await?;
        let mut tally = run.tally();
        tally.rows = tally.rows.max(tally.done);
        Ok(Summary { tally, rows })
    }

    /// Resolves what is in doubt without sending anything (`voxkit journal reconcile`): every
    /// intent not final (or, with `only`, those keys) that is `Sent` or `InDoubt` is
    /// reconciled against the provider as [`recover`](Self::recover) would, and recorded
    /// `Applied`, `Undetermined` or `NotApplied`. Nothing is sent or re-sent: a `Pending` or
    /// `NotApplied` intent (or one proven not applied here) is reported
    /// [`RowOutcome::Unfinished`] in that state, for a batch run to send. Needs a
    /// [`resolver`](Self::resolver).
    pub async fn reconcile_in_doubt(&self, only: Option<&[String]>) -> Result<Summary, Error> {
        if self.inner.resolver.is_none() {
            return Err(Error::Invalid(
                "reconcile_in_doubt() needs a resolver to rebuild operations from the journal"
                    .to_owned(),
            ));
        }
        let only: Option<HashSet<String>> = only.map(|keys| keys.iter().cloned().collect());
        let open = self.inner.journal.list(&not_final()).await?;
        let rows = open
            .iter()
            .filter(|i| only.as_ref().is_none_or(|keys| keys.contains(&i.key)))
            .count();
        let run = Run::new(self.inner.clone(), rows as u64).look_only(only);
        run.emit(Event::Started);
        let rows = run
            .drive_loop(None, HashSet::new(), Mode::Everything)
            .await?;
        let mut tally = run.tally();
        tally.rows = tally.rows.max(tally.done);
        Ok(Summary { tally, rows })
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
        /// The first chunk is small so that sending starts at once; the next are large so
        /// that a 10,000-row file costs a few commits.
        const FIRST: usize = 64;
        const NEXT: usize = 512;
        let mut settled_rows = Vec::new();
        let mut jobs = jobs.into_iter().peekable();
        let mut size = FIRST;
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

/// A chunk of a run's rows, journaled: the ones to drive, and the keys settled without
/// driving (skipped or rejected).
#[derive(Default)]
struct Chunk {
    drive: Vec<(String, Arc<dyn ExactlyOnce>)>,
    settled: Vec<String>,
}

impl Chunk {
    /// Takes the chunk into a drive loop: its rows are no longer pending, and the ones to
    /// drive are now this run's (`ours`) and waited for.
    fn take(
        self,
        pending: &mut HashSet<String>,
        ours: &mut HashMap<String, Arc<dyn ExactlyOnce>>,
        waiting: &mut HashSet<String>,
    ) {
        for key in self.settled {
            pending.remove(&key);
        }
        for (key, op) in self.drive {
            pending.remove(&key);
            waiting.insert(key.clone());
            ours.insert(key, op);
        }
    }
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
    let identity = op.identity();
    let new = NewIntent {
        key: job.key.clone(),
        provider: identity.provider,
        operation: identity.operation,
        request: identity.request,
        serial: identity.serial,
        marker: Marker::generate().as_str().to_owned(),
    };
    new.validate().map_err(|error| error.to_string())?;
    Ok(new)
}

/// Every state that is not final.
fn not_final() -> ListFilter {
    State::ALL
        .into_iter()
        .filter(|state| !state.is_final())
        .fold(ListFilter::all(), ListFilter::state)
}

/// What a drive loop waits for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Until every row of the run has a result.
    Rows,
    /// Until nothing in the journal can progress (recover).
    Everything,
}

/// What a drive loop does when nothing could be claimed.
enum Idle {
    /// Another worker holds something not final: look again after `idle_poll`.
    Wait,
    /// Nobody seems to be working: claim once more to be sure.
    Recheck,
    /// Nothing can progress: stop.
    Done,
}

/// How driving one intent ended.
enum End {
    /// A result; `hold` keeps the lease until the end of the run (an unfinished intent that
    /// must not be claimed again by this run).
    Done { row: RowResult, hold: bool },
    /// Another worker took it over: wait for it to finish it.
    GivenUp,
}

/// One call of `run_all` or `recover`: the tally and the progress channel.
struct Run {
    inner: Arc<Inner>,
    tally: Mutex<Tally>,
    /// `false` for [`Runner::reconcile_in_doubt`]: reconcile only, never send.
    sends: bool,
    /// One permit per send in flight ([`Settings::concurrency`]): held from `mark_sent` to
    /// the end of the send.
    slots: tokio::sync::Semaphore,
    /// Only these keys are driven (the others claimed are held and released at the end).
    only: Option<HashSet<String>>,
}

impl Run {
    fn new(inner: Arc<Inner>, rows: u64) -> Arc<Self> {
        let slots = inner.settings.concurrency.max(1);
        Arc::new(Self {
            inner,
            tally: Mutex::new(Tally {
                rows,
                ..Tally::default()
            }),
            sends: true,
            slots: tokio::sync::Semaphore::new(slots),
            only: None,
        })
    }

    /// This run reconciles only (sends nothing), and only the keys of `only` when given.
    fn look_only(self: Arc<Self>, only: Option<HashSet<String>>) -> Arc<Self> {
        let mut run = Arc::try_unwrap(self).unwrap_or_else(|_| unreachable!("a new run"));
        run.sends = false;
        run.only = only;
        Arc::new(run)
    }

    fn tally(&self) -> Tally {
        self.tally.lock().expect("tally lock").clone()
    }

    /// Changes the tally without an event (the next event carries it).
    fn adjust(&self, change: impl FnOnce(&mut Tally)) {
        change(&mut self.tally.lock().expect("tally lock"));
    }

    fn emit(&self, event: Event) {
        self.emit_with(event, |_| {});
    }

    fn emit_with(&self, event: Event, change: impl FnOnce(&mut Tally)) {
        let tally = {
            let mut tally = self.tally.lock().expect("tally lock");
            change(&mut tally);
            tally.clone()
        };
        if let Some(progress) = &self.inner.progress {
            let _ = progress.send(Progress { event, tally });
        }
    }

    /// Counts a row's result and reports it.
    fn finish(&self, row: RowResult) -> RowResult {
        self.emit_with(Event::Row(row.clone()), |tally| tally.count(&row.outcome));
        row
    }

    /// Reports the result of an intent that is not one of this run's rows (another run's,
    /// driven because it was claimed here): an event, but not in this run's counts.
    fn finish_other(&self, row: RowResult, mode: Mode) -> RowResult {
        if mode == Mode::Everything {
            return self.finish(row);
        }
        self.emit(Event::Row(row.clone()));
        row
    }

    /// Claims and drives intents until the mode's end. `feed` brings this run's operations
    /// chunk by chunk as they are journaled (others are rebuilt with the resolver);
    /// `pending` holds this run's keys not yet journaled.
    async fn drive_loop(
        self: &Arc<Self>,
        mut feed: Option<UnboundedReceiver<Chunk>>,
        mut pending: HashSet<String>,
        mode: Mode,
    ) -> Result<Vec<RowResult>, Error> {
        let journal = self.inner.journal.clone();
        let owner = self.inner.owner.clone();
        let settings = &self.inner.settings;
        // Tasks, not requests: the requests are bounded by `slots`.
        let concurrency = settings.concurrency.max(1) * 2;
        let mut ours: HashMap<String, Arc<dyn ExactlyOnce>> = HashMap::new();
        let mut waiting: HashSet<String> = HashSet::new();
        let mut held: HashSet<String> = HashSet::new();
        let mut tasks: JoinSet<(String, End)> = JoinSet::new();
        let mut in_flight: HashMap<tokio::task::Id, String> = HashMap::new();
        let mut results = Vec::new();
        let mut failure = None;
        let mut confirm = false;

        loop {
            while let Some(chunks) = feed.as_mut() {
                match chunks.try_recv() {
                    Ok(chunk) => chunk.take(&mut pending, &mut ours, &mut waiting),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => feed = None,
                }
            }
            if mode == Mode::Rows && waiting.is_empty() && tasks.is_empty() && feed.is_none() {
                break;
            }
            let mut started = 0;
            if tasks.len() < concurrency {
                match journal
                    .claim(&owner, settings.lease, concurrency - tasks.len())
                    .await
                {
                    Ok(claimed) => {
                        for intent in claimed {
                            // One of this run's rows, journaled, whose chunk has not come
                            // through yet: wait for it (it is on its way).
                            while pending.contains(&intent.key) {
                                match feed.as_mut() {
                                    Some(chunks) => match chunks.recv().await {
                                        Some(chunk) => {
                                            chunk.take(&mut pending, &mut ours, &mut waiting)
                                        }
                                        None => feed = None,
                                    },
                                    None => break,
                                }
                            }
                            if held.contains(&intent.key) {
                                continue; // claimed again after its lease ran out: keep holding
                            }
                            if self
                                .only
                                .as_ref()
                                .is_some_and(|only| !only.contains(&intent.key))
                            {
                                held.insert(intent.key.clone()); // not asked for: released at the end
                                continue;
                            }
                            let op = match ours.get(&intent.key) {
                                Some(op) => Some(op.clone()),
                                None => self
                                    .inner
                                    .resolver
                                    .as_ref()
                                    .and_then(|r| r.resolve(&intent)),
                            };
                            let Some(op) = op else {
                                // Not ours and not rebuildable here: hold it so this run does
                                // not claim it over and over; released at the end.
                                held.insert(intent.key.clone());
                                continue;
                            };
                            let mine = ours.contains_key(&intent.key);
                            if !mine {
                                if let Some(why) = identity_differs(&intent, op.as_ref()) {
                                    held.insert(intent.key.clone());
                                    let row = unfinished(&intent, why);
                                    results.push(self.finish_other(row, mode));
                                    continue;
                                }
                            }
                            let key = intent.key.clone();
                            let run = self.clone();
                            let task_key = key.clone();
                            let handle = tasks.spawn(async move {
                                let end = run.drive(intent, op).await;
                                (task_key, end)
                            });
                            in_flight.insert(handle.id(), key);
                            started += 1;
                        }
                    }
                    Err(error) => {
                        if tasks.is_empty() {
                            failure = Some(error);
                            break;
                        }
                    }
                }
            }
            if started > 0 {
                confirm = false;
            }
            if started > 0 && tasks.len() < concurrency {
                continue; // there may be more to claim
            }
            if !tasks.is_empty() {
                confirm = false;
                // Every task already finished is settled before claiming again, so that one
                // claim fills all the slots freed (claims in batches, not one per slot).
                let mut next = tasks.join_next_with_id().await;
                while let Some(joined) = next.take() {
                    match joined {
                        Ok((_, (key, end))) => {
                            in_flight.retain(|_, k| *k != key);
                            match end {
                                End::Done { row, hold } => {
                                    if hold {
                                        held.insert(key.clone());
                                    }
                                    if ours.contains_key(&key) {
                                        waiting.remove(&key);
                                        results.push(self.finish(row));
                                    } else {
                                        results.push(self.finish_other(row, mode));
                                    }
                                }
                                End::GivenUp => {} // still waiting: another worker has it
                            }
                        }
                        Err(error) => {
                            // A panicking operation: its intent stays where the journal
                            // has it, leased until it runs out; not claimed again here.
                            if let Some(key) = in_flight.remove(&error.id()) {
                                held.insert(key.clone());
                                let state = match journal.get(&key).await {
                                    Ok(Some(intent)) => intent.state,
                                    _ => State::Sent,
                                };
                                let row = RowResult {
                                    key: key.clone(),
                                    outcome: RowOutcome::Unfinished {
                                        state,
                                        why: format!("the operation's task failed: {error}"),
                                    },
                                    attempts: 0,
                                    driven_here: true,
                                };
                                if waiting.remove(&key) {
                                    results.push(self.finish(row));
                                } else {
                                    results.push(self.finish_other(row, mode));
                                }
                            }
                        }
                    }
                    next = tasks.try_join_next_with_id();
                }
                continue;
            }
            // Nothing in flight and nothing claimable: while rows are still being
            // journaled, wait for the next chunk.
            if let Some(chunks) = feed.as_mut() {
                match chunks.recv().await {
                    Some(chunk) => chunk.take(&mut pending, &mut ours, &mut waiting),
                    None => feed = None,
                }
                confirm = false;
                continue;
            }
            // Nothing claimable and nothing in flight: finished, or waiting for others.
            match self
                .idle(&mut waiting, &held, &mut results, mode, confirm)
                .await
            {
                Ok(Idle::Wait) => {
                    confirm = false;
                    tokio::time::sleep(settings.idle_poll).await;
                }
                // An intent may have come free between the claim and the look: claim once
                // more before concluding that nothing can progress.
                Ok(Idle::Recheck) => confirm = true,
                Ok(Idle::Done) => break,
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            }
        }
        for key in &held {
            let _ = journal.release(key, &owner).await;
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(results),
        }
    }

    /// Looks at the journal when nothing can be claimed: reports rows of this run that other
    /// workers finished, and says whether to keep waiting (another worker holds a live lease
    /// on something not final). Rows still waiting when nobody else is working are blocked
    /// behind an intent this run holds unfinished: reported unfinished.
    async fn idle(
        &self,
        waiting: &mut HashSet<String>,
        held: &HashSet<String>,
        results: &mut Vec<RowResult>,
        mode: Mode,
        confirmed: bool,
    ) -> Result<Idle, Error> {
        let journal = &self.inner.journal;
        let open = journal.list(&not_final()).await?;
        let open_keys: HashMap<&str, &Intent> = open.iter().map(|i| (i.key.as_str(), i)).collect();
        let finished: Vec<String> = waiting
            .iter()
            .filter(|key| !open_keys.contains_key(key.as_str()))
            .cloned()
            .collect();
        for key in finished {
            waiting.remove(&key);
            if let Some(intent) = journal.get(&key).await? {
                results.push(self.finish(final_row(&intent, false)));
            }
        }
        let now: chrono::DateTime<Utc> = std::time::SystemTime::now().into();
        let others_working = open.iter().any(|intent| {
            !held.contains(&intent.key)
                && intent.owner.as_deref() != Some(self.inner.owner.as_str())
                && intent.lease_until.is_some_and(|until| until > now)
        });
        if mode == Mode::Rows && waiting.is_empty() {
            return Ok(Idle::Done);
        }
        if others_working {
            return Ok(Idle::Wait);
        }
        if !confirmed {
            return Ok(Idle::Recheck);
        }
        for key in std::mem::take(waiting) {
            let intent = open_keys.get(key.as_str());
            results.push(self.finish(RowResult {
                key,
                outcome: RowOutcome::Unfinished {
                    state: intent.map_or(State::Pending, |i| i.state),
                    why: "blocked behind an unfinished intent of the same serial key".to_owned(),
                },
                attempts: intent.map_or(0, |i| i.attempts),
                driven_here: false,
            }));
        }
        Ok(Idle::Done)
    }

    /// Drives one claimed intent as far as it goes.
    async fn drive(self: Arc<Self>, mut intent: Intent, op: Arc<dyn ExactlyOnce>) -> End {
        let journal = self.inner.journal.clone();
        let owner = self.inner.owner.as_str();
        let settings = &self.inner.settings;
        let marker = Marker::from_stored(intent.marker.clone());
        let key = intent.key.clone();
        loop {
            let outcome = match intent.state {
                State::Pending | State::NotApplied if !self.sends => {
                    let why = match intent.state {
                        State::Pending => "never sent: left for a batch run to send",
                        _ => "proven not applied: left for a batch run to send again",
                    };
                    return End::Done {
                        row: unfinished(&intent, why.to_owned()),
                        hold: true,
                    };
                }
                State::Pending | State::NotApplied => {
                    if intent.attempts > settings.max_resends {
                        return End::Done {
                            row: unfinished(
                                &intent,
                                format!(
                                    "proven not applied after {} sends; re-sends used up \
                                     (the journal keeps it not applied for a later run)",
                                    intent.attempts
                                ),
                            ),
                            hold: true,
                        };
                    }
                    let slot = async {
                        let slot = self.slots.acquire().await;
                        self.inner.limiter.wait().await;
                        slot
                    };
                    let Some(slot) = self.with_lease(&key, slot, true).await else {
                        return End::GivenUp;
                    };
                    match journal.mark_sent(&key, owner).await {
                        Ok(sent) => intent = sent,
                        Err(Error::Stale { .. } | Error::LeaseLost { .. }) => return End::GivenUp,
                        Err(error) => {
                            return End::Done {
                                row: unfinished(
                                    &intent,
                                    format!("the journal failed, nothing sent: {error}"),
                                ),
                                hold: true,
                            };
                        }
                    }
                    self.emit(Event::Sending {
                        key: key.clone(),
                        attempt: intent.attempts,
                    });
                    // Not cancellable: a request that may be on its way is waited for, even
                    // when the lease is lost (recording then fails and the new holder
                    // reconciles it).
                    let sent = self
                        .with_lease(&key, op.send(&marker), false)
                        .await
                        .expect("a send is never cancelled");
                    // The request is done: its slot goes to the next while this outcome
                    // is written.
                    drop(slot);
                    match sent {
                        Ok(evidence) => {
                            Outcome::new(State::Sent, State::Applied).evidence(evidence)
                        }
                        Err(error) if outcome_in_doubt(&error) => {
                            let why = error.to_string();
                            self.emit_with(
                                Event::InDoubt {
                                    key: key.clone(),
                                    why: why.clone(),
                                },
                                |tally| tally.in_doubt += 1,
                            );
                            Outcome::new(State::Sent, State::InDoubt).error(why)
                        }
                        Err(error) => {
                            Outcome::new(State::Sent, State::Refused).error(error.to_string())
                        }
                    }
                }
                State::Sent => {
                    let why = "the worker that sent it stopped before recording the answer";
                    self.emit_with(
                        Event::InDoubt {
                            key: key.clone(),
                            why: why.to_owned(),
                        },
                        |tally| tally.in_doubt += 1,
                    );
                    Outcome::new(State::Sent, State::InDoubt).error(why)
                }
                State::InDoubt => {
                    let reconciled = self.reconcile(&intent, op.as_ref(), &marker).await;
                    self.adjust(|tally| tally.in_doubt = tally.in_doubt.saturating_sub(1));
                    match reconciled {
                        Some(outcome) => outcome,
                        None => return End::GivenUp,
                    }
                }
                State::Applied | State::Refused | State::Undetermined => {
                    return End::Done {
                        row: final_row(&intent, true),
                        hold: false,
                    };
                }
            };
            match journal.record_outcome(&key, owner, outcome).await {
                Ok(next) => intent = next,
                Err(Error::Stale { .. } | Error::LeaseLost { .. }) => return End::GivenUp,
                Err(error) => {
                    // The journal still says what it said before (e.g. Sent): a later run
                    // reconciles it. Nothing is guessed here.
                    let latest = journal.get(&key).await.ok().flatten().unwrap_or(intent);
                    return End::Done {
                        row: unfinished(
                            &latest,
                            format!("the journal failed to record the outcome: {error}"),
                        ),
                        hold: true,
                    };
                }
            }
        }
    }

    /// Reconciles an in-doubt intent: the outcome to record, or `None` when the lease was
    /// lost meanwhile.
    async fn reconcile(
        &self,
        intent: &Intent,
        op: &dyn ExactlyOnce,
        marker: &Marker,
    ) -> Option<Outcome> {
        let settings = &self.inner.settings;
        let from = State::InDoubt;
        if let Reconciliation::Impossible { why } = op.reconciliation() {
            return Some(
                Outcome::new(from, State::Undetermined)
                    .error(format!("this operation cannot be reconciled: {why}")),
            );
        }
        // Since the first send, not since creation: an intent created long before it was
        // sent (queued behind another of its serial key) must not see that other one's row
        // in the provider's history, or two equal operations on one key end undetermined.
        let since = intent.sent_at.unwrap_or(intent.created_at);
        let tries = settings.reconcile_tries.max(1);
        let mut backoff = settings.reconcile_backoff;
        let mut last = String::new();
        for attempt in 1..=tries {
            let verdict = self
                .with_lease(&intent.key, op.reconcile(marker, since), true)
                .await?;
            match verdict {
                Verdict::Applied(evidence) => {
                    return Some(Outcome::new(from, State::Applied).evidence(evidence));
                }
                Verdict::NotApplied => {
                    return Some(
                        Outcome::new(from, State::NotApplied)
                            .error("reconciliation proved it was not applied; sending again"),
                    );
                }
                Verdict::Undetermined(why) => last = why,
            }
            if attempt < tries {
                self.with_lease(&intent.key, tokio::time::sleep(backoff), true)
                    .await?;
                backoff = (backoff * 2).min(settings.reconcile_backoff_max);
            }
        }
        Some(Outcome::new(from, State::Undetermined).error(format!(
            "undetermined after {tries} reconciliation(s): {last}"
        )))
    }

    /// Runs `work` while renewing the lease on `key` every third of its length. `None` when
    /// the lease was lost and `cancellable` (the work is dropped: only reads and waits are);
    /// a work that is not cancellable (a send) is always awaited to its end.
    async fn with_lease<F: Future>(
        &self,
        key: &str,
        work: F,
        cancellable: bool,
    ) -> Option<F::Output> {
        let journal = &self.inner.journal;
        let lease = self.inner.settings.lease;
        let period = (lease / 3).max(Duration::from_millis(1));
        tokio::pin!(work);
        let mut lost = false;
        loop {
            tokio::select! {
                out = &mut work => return Some(out),
                () = tokio::time::sleep(period), if !lost => {
                    match journal.renew(key, &self.inner.owner, lease).await {
                        Ok(_) => {}
                        Err(Error::Database(_)) => {} // try again next period
                        Err(_) => {
                            lost = true;
                            if cancellable {
                                return None;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Why a rebuilt operation is not the one the intent was created for.
fn identity_differs(intent: &Intent, op: &dyn ExactlyOnce) -> Option<String> {
    let id = op.identity();
    let differs = id.provider != intent.provider
        || id.operation != intent.operation
        || id.serial != intent.serial
        || id.request != intent.request;
    differs.then(|| {
        format!(
            "the resolver rebuilt {}.{} on `{}`, not the journaled {}.{} on `{}`: left alone",
            id.provider, id.operation, id.serial, intent.provider, intent.operation, intent.serial
        )
    })
}

/// An unfinished row for `intent`.
fn unfinished(intent: &Intent, why: String) -> RowResult {
    RowResult {
        key: intent.key.clone(),
        outcome: RowOutcome::Unfinished {
            state: intent.state,
            why,
        },
        attempts: intent.attempts,
        driven_here: true,
    }
}

/// The row of a final intent.
fn final_row(intent: &Intent, driven_here: bool) -> RowResult {
    let error = intent.error.clone().unwrap_or_default();
    let outcome = match intent.state {
        State::Applied => RowOutcome::Applied {
            evidence: intent.evidence.clone().filter(|e| !e.is_null()),
        },
        State::Refused => RowOutcome::Refused { error },
        State::Undetermined => RowOutcome::Undetermined { why: error },
        state => RowOutcome::Unfinished {
            state,
            why: "not final".to_owned(),
        },
    };
    RowResult {
        key: intent.key.clone(),
        outcome,
        attempts: intent.attempts,
        driven_here,
    }
}

/// Spaces sends at most `rate` a second, shared by all of a runner's tasks.
struct Limiter {
    interval: Option<Duration>,
    next: Mutex<tokio::time::Instant>,
}

impl Limiter {
    fn new(rate: Option<f64>) -> Self {
        let interval = rate
            .filter(|r| r.is_finite() && *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r));
        Self {
            interval,
            next: Mutex::new(tokio::time::Instant::now()),
        }
    }

    async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self.next.lock().expect("rate limit lock");
            let slot = (*next).max(tokio::time::Instant::now());
            *next = slot + interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}
