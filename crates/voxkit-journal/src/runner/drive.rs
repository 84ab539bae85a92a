//! The drive loop: claims intents (marking the next rows `Sent` ahead, in the claim's
//! commit), drives each one through send, outcome and reconciliation, and settles the rows
//! of a run.
//!
//! # Claiming ahead
//!
//! A row must not be sent before its `Sent` is durable, but that commit need not sit on the
//! critical path of every send. The loop keeps a window of claimed rows (sixteen times the
//! concurrency by default, at least 64, [`Settings::window`]): whenever a row's send returns a final
//! answer, its place in the window is free, and the next claim takes as many rows as there
//! are free places and marks them `Sent` in the same commit (one fsync for all), while the
//! rows claimed before are being sent. Two claims are kept in flight, each reserving the
//! places it may fill when it starts: while the journal commits one, the next is queued
//! behind it, so the loop never sits idle waiting for a claim to come back. A crash leaves the claimed-not-yet-sent rows `Sent`:
//! the next run finds them in doubt, reconciliation proves them not applied, and they are
//! sent then (with their marker). Rows whose operation cannot be reconciled are never
//! marked ahead (a crash would leave each of them undetermined): they are marked one by one,
//! just before their send, as are rows of other runs and re-sends after a reconciliation.
//!
//! Outcomes are not awaited before the next row is sent: a task frees its send slot and its
//! place in the window as soon as its answer is final, then records it; a row is reported
//! (progress, summary) only once its outcome is durable.
//!
//! [`Settings::window`]: super::Settings::window

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};
use tokio::task::JoinSet;
use voxkit_core::Reconciliation;

use super::record::Recorder;
use super::report::{Event, RowOutcome, RowResult, Tally};
use super::{Chunk, Inner, outcome_in_doubt};
use crate::verdict::{ExactlyOnce, Marker, Verdict};
use crate::{Error, Intent, MarkSent, Outcome, State};

/// What a drive loop waits for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Until every row of the run has a result.
    Rows,
    /// Until nothing in the journal can progress (recover).
    Everything,
}

/// What a drive loop does when nothing could be claimed.
/// How many times in a row [`Idle::Retry`] may find claimable rows and claim none before
/// the run reports them unfinished (about 10 s at the default `idle_poll`).
const MAX_EMPTY_LOOKS: u32 = 200;

enum Idle {
    /// Another worker holds something not final: look again after `idle_poll`.
    Wait,
    /// Nobody seems to be working: claim once more to be sure.
    Recheck,
    /// Nobody is working, yet rows of this run are claimable: another worker's claim of
    /// the same serial key was in flight and the journal gave the rows back; claim again
    /// shortly (a bounded number of times, [`MAX_EMPTY_LOOKS`]).
    Retry,
    /// Nothing can progress: stop.
    Done,
}

/// How many claims the drive loop keeps in flight at once: while the journal commits one,
/// the next is already queued behind it, so the places freed meanwhile are filled by the next
/// commit instead of waiting for this one to come back.
const CLAIMS_IN_FLIGHT: usize = 2;

/// While intents are in flight, a claim waits until this share of the window is free (a
/// quarter): a claim's cost is mostly fixed (a commit, one fsync; a walk past the intents
/// already leased), so claiming as soon as one place frees made many small claims (about
/// 100 rows each on the 10,000-row benchmark). The other three quarters stay claimed ahead,
/// which is many sends' worth at the window's default of sixteen times the concurrency.
const CLAIM_SHARE: usize = 4;

/// A claim that came back: its result, how many intents it asked for, the keys its filter
/// marked `Sent`, and the window places it reserved (given back before its intents start).
struct Claimed {
    result: Result<Vec<Intent>, Error>,
    asked: usize,
    accepted: Arc<Mutex<HashSet<String>>>,
    /// `None` when the claim's task failed: its places went back when the task dropped them.
    reserved: Option<OwnedSemaphorePermit>,
}

impl Claimed {
    /// A claim whose task failed (it panicked or was cancelled): nothing was claimed that
    /// this run knows of; its places are back in the window already (the task dropped them).
    fn failed(error: tokio::task::JoinError) -> Self {
        Self {
            result: Err(Error::Database(format!("a claim's task failed: {error}"))),
            asked: 0,
            accepted: Arc::default(),
            reserved: None,
        }
    }
}

/// Tells a run's intents, when the drive loop is dropped, that no send may start any more.
///
/// Dropping the loop drops its task set, which aborts the tasks one after the other; but
/// the first aborted may be a send holding a slot, and the task it wakes (the next in line
/// for the slot) can run on another thread before its own abort arrives: it would mark its
/// intent `Sent` (one more attempt) or even send, for a run that is being torn down. The
/// flag is set before the task set is dropped, and every intent reads it right after it
/// gets its slot, so a slot freed by the teardown starts nothing (the
/// `crashes_while_rows_wait_ahead_use_up_no_resends` test, whose crashes are such aborts,
/// saw a never-sent row at two attempts in about 1 run of 200 on a busy machine).
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// `least` places as a permit count (a window never holds more than `u32::MAX`).
fn least_permits(least: usize) -> u32 {
    u32::try_from(least).unwrap_or(u32::MAX)
}

/// How driving one intent ended.
enum End {
    /// A result; `hold` keeps the lease until the end of the run (an unfinished intent that
    /// must not be claimed again by this run).
    Done { row: RowResult, hold: bool },
    /// Another worker took it over: wait for it to finish it.
    GivenUp,
}

/// One call of `run_all`, `recover` or `reconcile_in_doubt`: the tally, the send slots and
/// the claim window.
pub(super) struct Run {
    pub(super) inner: Arc<Inner>,
    pub(super) tally: Mutex<Tally>,
    /// `false` for [`Runner::reconcile_in_doubt`](super::Runner::reconcile_in_doubt):
    /// reconcile only, never send.
    sends: bool,
    /// One permit per send in flight ([`Settings::concurrency`](super::Settings::concurrency)):
    /// held from just before the send to its answer.
    slots: Semaphore,
    /// One permit per claimed intent not yet answered (the window, see the module docs):
    /// taken at the claim, given back when its send's answer is final (or the task ends).
    window: Arc<Semaphore>,
    /// The fewest free places a claim is made for while intents are in flight
    /// ([`CLAIM_SHARE`] of the window).
    least_claim: usize,
    /// Only these keys are driven (the others claimed are held and released at the end).
    only: Option<HashSet<String>>,
    /// This run's rows that a claim may mark `Sent` ahead (their operation can be
    /// reconciled, and they have not been driven by this run yet), each with what proves an
    /// intent of that key is this run's row: the marker this run journaled it with, until
    /// its chunk is journaled (`Some`); then nothing more (`None`: the journal checked that
    /// the key holds this row's request). Read by the journal's claim (on the store's
    /// thread), hence a plain mutex held for a lookup.
    ahead: Arc<Mutex<HashMap<String, Option<String>>>>,
    /// Writes the outcomes of this run's rows, many per commit.
    recorder: Recorder,
    /// Set when the drive loop is dropped (its caller cancelled the run, or the process is
    /// going down): no intent starts a send after that. See [`StopOnDrop`].
    stopping: AtomicBool,
}

impl Run {
    pub(super) fn new(inner: Arc<Inner>, rows: u64) -> Arc<Self> {
        let slots = inner.settings.concurrency.max(1);
        let window = inner.settings.window_size();
        let recorder = Recorder::start(Arc::clone(&inner.journal), inner.owner.clone());
        Arc::new(Self {
            inner,
            tally: Mutex::new(Tally {
                rows,
                ..Tally::default()
            }),
            sends: true,
            slots: Semaphore::new(slots),
            window: Arc::new(Semaphore::new(window)),
            least_claim: (window / CLAIM_SHARE).max(1),
            only: None,
            ahead: Arc::default(),
            recorder,
            stopping: AtomicBool::new(false),
        })
    }

    /// This run reconciles only (sends nothing), and only the keys of `only` when given.
    pub(super) fn look_only(self: Arc<Self>, only: Option<HashSet<String>>) -> Arc<Self> {
        let mut run = Arc::try_unwrap(self).unwrap_or_else(|_| unreachable!("a new run"));
        run.sends = false;
        run.only = only;
        Arc::new(run)
    }

    /// Whether a row of `op` may be marked `Sent` ahead by this run: it sends, drives every
    /// key, and the operation can be reconciled (a crash would leave a row marked ahead and
    /// not sent undetermined otherwise).
    fn marks_ahead(&self, op: &dyn ExactlyOnce) -> bool {
        self.sends
            && self.only.is_none()
            && !matches!(op.reconciliation(), Reconciliation::Impossible { .. })
    }

    /// Says that the rows `rows` (each with the intent about to be journaled for it) may be
    /// marked `Sent` ahead. Said before their chunk is journaled, not when it reaches the
    /// drive loop: a claim in flight meanwhile may find them once they are committed, and a
    /// row claimed without its mark costs a commit of its own (`mark_sent` just before its
    /// send; 250 of them in a 10,000-row benchmark run). Until the chunk is journaled, only
    /// an intent with this run's marker is this run's: a key already journaled with another
    /// request (refused as `KeyMismatch`) holds another intent, which must not be marked.
    pub(super) fn expect_ahead<'a>(
        &self,
        rows: impl IntoIterator<Item = (&'a super::Job, &'a crate::NewIntent)>,
    ) {
        let mut ahead = self.ahead.lock().expect("ahead lock");
        for (job, new) in rows {
            if self.marks_ahead(job.op.as_ref()) {
                ahead.insert(job.key.clone(), Some(new.marker.clone()));
            }
        }
    }

    /// Takes a journaled chunk of this run's rows: they are no longer pending, the ones to
    /// drive are now this run's (`ours`) and waited for, and may be marked ahead whatever
    /// their marker (a resumed row keeps the one it was first journaled with); the settled
    /// ones may not be marked at all.
    fn take(
        &self,
        chunk: Chunk,
        pending: &mut HashSet<String>,
        ours: &mut HashMap<String, Arc<dyn ExactlyOnce>>,
        waiting: &mut HashSet<String>,
    ) {
        let mut ahead = self.ahead.lock().expect("ahead lock");
        for key in chunk.settled {
            ahead.remove(&key);
            pending.remove(&key);
        }
        for (key, op) in chunk.drive {
            if self.marks_ahead(op.as_ref()) {
                ahead.insert(key.clone(), None);
            }
            pending.remove(&key);
            waiting.insert(key.clone());
            ours.insert(key, op);
        }
    }

    /// The claim's filter: which of the claimed `Pending` / `NotApplied` intents to mark
    /// `Sent` ahead (this run's, reconcilable, not driven yet, never marked before); the
    /// keys it accepted are put in `accepted`, which is how the loop tells a row it marked
    /// from one a dead worker left `Sent` (that one is in doubt).
    ///
    /// Only a row's first mark is made ahead: a mark counts an attempt against
    /// [`Settings::max_resends`](super::Settings::max_resends), and a run killed while rows
    /// wait in the window leaves them marked but unsent. Marked ahead again by each next
    /// run and killed again, a row would use up its re-sends without ever being sent, and
    /// stay unfinished for good. A re-send is marked just before it leaves.
    fn mark_filter(&self, accepted: &Arc<Mutex<HashSet<String>>>) -> MarkSent {
        let ahead = Arc::clone(&self.ahead);
        let accepted = Arc::clone(accepted);
        Arc::new(move |intent: &Intent| {
            let mark = intent.attempts == 0
                && match ahead.lock().expect("ahead lock").get(&intent.key) {
                    Some(Some(marker)) => *marker == intent.marker,
                    Some(None) => true,
                    None => false,
                };
            if mark {
                accepted
                    .lock()
                    .expect("accepted lock")
                    .insert(intent.key.clone());
            }
            mark
        })
    }

    /// Claims and drives intents until the mode's end. `feed` brings this run's operations
    /// chunk by chunk as they are journaled (others are rebuilt with the resolver);
    /// `pending` holds this run's keys not yet journaled.
    pub(super) async fn drive_loop(
        self: &Arc<Self>,
        mut feed: Option<UnboundedReceiver<Chunk>>,
        mut pending: HashSet<String>,
        mode: Mode,
    ) -> Result<Vec<RowResult>, Error> {
        let journal = self.inner.journal.clone();
        let owner = self.inner.owner.clone();
        let settings = &self.inner.settings;
        let mut ours: HashMap<String, Arc<dyn ExactlyOnce>> = HashMap::new();
        let mut waiting: HashSet<String> = HashSet::new();
        let mut held: HashSet<String> = HashSet::new();
        let mut tasks: JoinSet<(String, End)> = JoinSet::new();
        let mut claims: JoinSet<Claimed> = JoinSet::new();
        // Declared after the task sets, so dropped before them: see `StopOnDrop`.
        let _stop = StopOnDrop(&self.stopping);
        let mut in_flight: HashMap<tokio::task::Id, String> = HashMap::new();
        let mut results = Vec::new();
        let mut failure = None;
        let mut confirm = false;
        // Looks in a row that found claimable rows of this run yet claimed nothing (see
        // `idle`); reset whenever something moves.
        let mut empty_looks = 0_u32;
        // The last claim came back short: nothing more is claimable until a task ends (its
        // serial key is free again) or more rows are journaled.
        let mut exhausted = false;
        // The run's first rows before the first claim: claimed before they are this run's,
        // they would only be leased, and marked `Sent` one by one later.
        if let Some(chunks) = feed.as_mut() {
            match chunks.recv().await {
                Some(chunk) => self.take(chunk, &mut pending, &mut ours, &mut waiting),
                None => feed = None,
            }
        }

        loop {
            while let Some(chunks) = feed.as_mut() {
                match chunks.try_recv() {
                    Ok(chunk) => {
                        self.take(chunk, &mut pending, &mut ours, &mut waiting);
                        exhausted = false;
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => feed = None,
                }
            }
            if mode == Mode::Rows
                && waiting.is_empty()
                && tasks.is_empty()
                && claims.is_empty()
                && feed.is_none()
            {
                break;
            }
            // Claims in flight side by side: each reserves the window's free places when it
            // starts, so the next can start while the writer commits this one, and together
            // they never claim more intents than there are places.
            // With nothing in flight, any free place is worth a claim.
            let least = if tasks.is_empty() && claims.is_empty() {
                1
            } else {
                self.least_claim
            };
            while claims.len() < CLAIMS_IN_FLIGHT && !exhausted {
                let free = self.window.available_permits();
                let Some(reserved) = u32::try_from(free)
                    .ok()
                    .filter(|n| *n as usize >= least)
                    .and_then(|n| Arc::clone(&self.window).try_acquire_many_owned(n).ok())
                else {
                    break;
                };
                let accepted = Arc::new(Mutex::new(HashSet::new()));
                let mark = self.mark_filter(&accepted);
                let (journal, owner, lease) = (journal.clone(), owner.clone(), settings.lease);
                claims.spawn(async move {
                    let result = journal.claim_and_mark_sent(&owner, lease, free, mark).await;
                    Claimed {
                        result,
                        asked: free,
                        accepted,
                        reserved: Some(reserved),
                    }
                });
            }
            if !tasks.is_empty() || !claims.is_empty() {
                if !tasks.is_empty() {
                    confirm = false;
                }
                // Wait for a claim to come back, a task to end (settling every one already
                // ended, so that one claim fills all the places freed), enough places in the
                // window to come free for a claim (answers: claim the next rows while the
                // others are in flight), or more rows journaled.
                let watch_window = !exhausted && claims.len() < CLAIMS_IN_FLIGHT;
                tokio::select! {
                    biased;
                    claimed = claims.join_next(), if !claims.is_empty() => {
                        let claimed = match claimed {
                            Some(Ok(claimed)) => claimed,
                            Some(Err(error)) => Claimed::failed(error),
                            None => continue,
                        };
                        let Claimed { result, asked, accepted, reserved } = claimed;
                        // The reserved places go back first; the loop is the only taker of
                        // window permits, so each intent started below finds one.
                        drop(reserved);
                        match result {
                            Ok(claimed) => {
                                exhausted = claimed.len() < asked;
                                let accepted =
                                    std::mem::take(&mut *accepted.lock().expect("accepted lock"));
                                let mut started = 0;
                                for intent in claimed {
                                    let marked = intent.state == State::Sent
                                        && accepted.contains(&intent.key);
                                    // One of this run's rows, journaled, whose chunk has not come
                                    // through yet: wait for it (it is on its way).
                                    while pending.contains(&intent.key) {
                                        match feed.as_mut() {
                                            Some(chunks) => match chunks.recv().await {
                                                Some(chunk) => self.take(
                                                    chunk,
                                                    &mut pending,
                                                    &mut ours,
                                                    &mut waiting,
                                                ),
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
                                        // Not ours and not rebuildable here: hold it so this run
                                        // does not claim it over and over; released at the end.
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
                                    // The claim's reserved places were given back just above,
                                    // and it claimed no more intents than it reserved.
                                    let Ok(place) = Arc::clone(&self.window).try_acquire_owned()
                                    else {
                                        unreachable!("a claim never exceeds the places it reserved");
                                    };
                                    let key = intent.key.clone();
                                    let run = self.clone();
                                    let task_key = key.clone();
                                    let handle = tasks.spawn(async move {
                                        let end = run.drive(intent, op, marked, place).await;
                                        (task_key, end)
                                    });
                                    in_flight.insert(handle.id(), key);
                                    started += 1;
                                }
                                if started > 0 {
                                    confirm = false;
                                    empty_looks = 0;
                                }
                            }
                            Err(error) => {
                                if tasks.is_empty() && claims.is_empty() {
                                    failure = Some(error);
                                    break;
                                }
                                exhausted = true; // try again when a task ends
                            }
                        }
                    }
                    joined = tasks.join_next_with_id(), if !tasks.is_empty() => {
                        let mut next = joined;
                        while let Some(joined) = next.take() {
                            self.settle(joined, &mut in_flight, &mut held, &ours,
                                        &mut waiting, &mut results, mode).await;
                            next = tasks.try_join_next_with_id();
                        }
                        exhausted = false;
                    }
                    places = self.window.acquire_many(least_permits(least)), if watch_window => drop(places),
                    chunk = next_chunk(&mut feed) => {
                        match chunk {
                            Some(chunk) => self.take(chunk, &mut pending, &mut ours, &mut waiting),
                            None => feed = None,
                        }
                        exhausted = false;
                    }
                }
                continue;
            }
            exhausted = false;
            // Nothing in flight and nothing claimable: while rows are still being
            // journaled, wait for the next chunk.
            if let Some(chunks) = feed.as_mut() {
                match chunks.recv().await {
                    Some(chunk) => self.take(chunk, &mut pending, &mut ours, &mut waiting),
                    None => feed = None,
                }
                confirm = false;
                continue;
            }
            // Nothing claimable and nothing in flight: finished, or waiting for others.
            match self
                .idle(
                    &mut waiting,
                    &held,
                    &mut results,
                    mode,
                    confirm,
                    empty_looks,
                )
                .await
            {
                Ok(Idle::Wait) => {
                    confirm = false;
                    tokio::time::sleep(settings.idle_poll).await;
                }
                Ok(Idle::Retry) => {
                    empty_looks += 1;
                    confirm = false;
                    tokio::time::sleep(settings.idle_poll / 5).await;
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

    /// Settles one ended task: its row (when it has one) into `results`, its key out of
    /// the rows that may be marked ahead (a row is marked ahead at most once per run).
    #[allow(clippy::too_many_arguments)]
    async fn settle(
        &self,
        joined: Result<(tokio::task::Id, (String, End)), tokio::task::JoinError>,
        in_flight: &mut HashMap<tokio::task::Id, String>,
        held: &mut HashSet<String>,
        ours: &HashMap<String, Arc<dyn ExactlyOnce>>,
        waiting: &mut HashSet<String>,
        results: &mut Vec<RowResult>,
        mode: Mode,
    ) {
        match joined {
            Ok((id, (key, end))) => {
                in_flight.remove(&id);
                self.ahead.lock().expect("ahead lock").remove(&key);
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
                // A panicking operation: its intent stays where the journal has it, leased
                // until it runs out; not claimed again here.
                if let Some(key) = in_flight.remove(&error.id()) {
                    self.ahead.lock().expect("ahead lock").remove(&key);
                    held.insert(key.clone());
                    let state = match self.inner.journal.get(&key).await {
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
        empty_looks: u32,
    ) -> Result<Idle, Error> {
        let journal = &self.inner.journal;
        let open = journal.list(&crate::ListFilter::not_final()).await?;
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
        // A waiting row is blocked only behind an unfinished intent this run holds (its
        // serial key's); any other is claimable, and an empty claim was a race with another
        // claimer that gave contested rows back: claim again, boundedly.
        let held_serials: HashSet<&str> = open
            .iter()
            .filter(|intent| held.contains(&intent.key))
            .map(|intent| intent.serial.as_str())
            .collect();
        let claimable = waiting.iter().any(|key| {
            open_keys
                .get(key.as_str())
                .is_some_and(|intent| !held_serials.contains(intent.serial.as_str()))
        });
        if claimable && empty_looks < MAX_EMPTY_LOOKS {
            return Ok(Idle::Retry);
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

    /// Drives one claimed intent as far as it goes. `marked`: the claim marked it `Sent`
    /// for this run (claimed ahead): it is sent as soon as a slot is free, not reconciled.
    /// `place` is its place in the window, given back once its send has a final answer.
    async fn drive(
        self: Arc<Self>,
        mut intent: Intent,
        op: Arc<dyn ExactlyOnce>,
        marked: bool,
        place: OwnedSemaphorePermit,
    ) -> End {
        let journal = self.inner.journal.clone();
        let owner = self.inner.owner.as_str();
        let settings = &self.inner.settings;
        let marker = Marker::from_stored(intent.marker.clone());
        let key = intent.key.clone();
        let mut marked = marked;
        let mut place = Some(place);
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
                    let Some(slot) = self.with_lease(&key, self.slot(), true).await else {
                        return End::GivenUp;
                    };
                    if self.stopping.load(Ordering::SeqCst) {
                        return End::GivenUp; // the run was dropped: nothing new leaves
                    }
                    // Just in time: durable before the request leaves.
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
                    self.send(&intent, op.as_ref(), &marker, slot, &mut place)
                        .await
                }
                // Marked `Sent` by this run's claim (durable): send it.
                State::Sent if marked => {
                    marked = false;
                    let Some(slot) = self.with_lease(&key, self.slot(), true).await else {
                        // Another worker has it now and will find it `Sent`: in doubt,
                        // reconciled (not applied), sent then.
                        return End::GivenUp;
                    };
                    if self.stopping.load(Ordering::SeqCst) {
                        return End::GivenUp; // the run was dropped: nothing new leaves
                    }
                    self.send(&intent, op.as_ref(), &marker, slot, &mut place)
                        .await
                }
                State::Sent => self.in_doubt(
                    &key,
                    "the worker that sent it stopped before recording the answer".to_owned(),
                ),
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
            match self.recorder.record(&key, outcome.clone()).await {
                Ok(()) => {
                    intent = intent.with_outcome(&outcome, std::time::SystemTime::now().into())
                }
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

    /// A send slot, after the rate limit's wait.
    async fn slot(&self) -> SemaphorePermit<'_> {
        let slot = self
            .slots
            .acquire()
            .await
            .expect("the send slots are never closed");
        self.inner.limiter.wait().await;
        slot
    }

    /// A `Sent` intent whose answer is unknown (`why`): reported in doubt (an event, and
    /// counted until reconciled), and the outcome to record, `Sent → InDoubt` with `why`.
    fn in_doubt(&self, key: &str, why: String) -> Outcome {
        self.emit_with(
            Event::InDoubt {
                key: key.to_owned(),
                why: why.clone(),
            },
            |tally| tally.in_doubt += 1,
        );
        Outcome::new(State::Sent, State::InDoubt).error(why)
    }

    /// Sends `intent` (durably `Sent`) once, holding `slot`: the outcome to record. The
    /// slot is given back as soon as the answer is in, and the window `place` too when the
    /// answer is final, so that the next rows go out while this outcome is written.
    async fn send(
        &self,
        intent: &Intent,
        op: &dyn ExactlyOnce,
        marker: &Marker,
        slot: SemaphorePermit<'_>,
        place: &mut Option<OwnedSemaphorePermit>,
    ) -> Outcome {
        let key = &intent.key;
        self.emit(Event::Sending {
            key: key.clone(),
            attempt: intent.attempts,
        });
        // Not cancellable: a request that may be on its way is waited for, even when the
        // lease is lost (recording then fails and the new holder reconciles it).
        let sent = self
            .with_lease(key, op.send(marker), false)
            .await
            .expect("a send is never cancelled");
        drop(slot);
        match sent {
            Ok(evidence) => {
                drop(place.take());
                Outcome::new(State::Sent, State::Applied).evidence(evidence)
            }
            Err(error) if outcome_in_doubt(&error) => self.in_doubt(key, error.to_string()),
            Err(error) => {
                drop(place.take());
                Outcome::new(State::Sent, State::Refused).error(error.to_string())
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

/// The next chunk from `feed`; pending for ever when there is no feed (a `select!` arm).
async fn next_chunk(feed: &mut Option<UnboundedReceiver<Chunk>>) -> Option<Chunk> {
    match feed.as_mut() {
        Some(chunks) => chunks.recv().await,
        None => std::future::pending().await,
    }
}
