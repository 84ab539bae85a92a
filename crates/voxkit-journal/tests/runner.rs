//! The exactly-once runner against an in-memory "provider" this test controls (it can apply
//! then lose the answer, refuse, lose the request, hang, lag its history), on real journals:
//! a SQLite file and, with the `postgres` feature, a schema in the throw-away cluster of
//! `cargo xtask test-postgres`. Each test is a generic function over an [`Opener`],
//! instantiated once per store by `per_store!` (tests/common).
//!
//! No test waits on a clock for its result: faults are scripted per send, history lag is
//! counted in reads, a "crash" is an aborted task after the provider reports that every
//! hanging request has arrived. The only real waits are the runner's own (a crashed worker's
//! short lease running out before `recover()` may claim its intents).
#![cfg(any(feature = "sqlite", feature = "postgres"))]

#[macro_use]
mod common;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::Opener;
use serde_json::json;
use tokio::sync::Notify;
use voxkit_core::{Error as CoreError, Origin, Reconciliation};
use voxkit_journal::{
    Event, Evidence, ExactlyOnce, Identity, Intent, Job, Journal, Marker, NewIntent, Progress,
    Resolve, RowOutcome, RowResult, Runner, Settings, State, Verdict,
};

const ORIGIN: Origin = Origin::new("test", "credit");

/// What the provider does with one send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Applies and answers.
    Ok,
    /// Refuses (a provider error in its envelope).
    Refuse,
    /// Applies, then the answer is lost.
    ApplyThenLose,
    /// The request is lost before it arrives (nothing applied), outcome unknown to the client.
    LoseBefore,
    /// Applies, then never answers (the process will be "killed").
    ApplyThenHang,
    /// Never arrives and never answers.
    HangBefore,
}

struct Record {
    id: u64,
    row: String,
    marker: String,
    /// History reads of this account that still do not show the record (lag).
    hidden_for: u32,
}

#[derive(Default)]
struct Books {
    records: HashMap<String, Vec<Record>>,
    script: HashMap<String, VecDeque<Fault>>,
    /// Every send per row: the marker it carried.
    sends: HashMap<String, Vec<String>>,
    reconciles: HashMap<String, u32>,
    /// The `since` every reconciliation of a row was given.
    since: HashMap<String, Vec<DateTime<Utc>>>,
    in_flight: HashMap<String, u32>,
    max_in_flight: HashMap<String, u32>,
    next_id: u64,
    hanging: usize,
    /// While set, every send is lost before it arrives and hangs.
    hang_sends: bool,
}

/// The in-memory provider: accounts with a history of credits, each carrying its marker.
#[derive(Default)]
struct Provider {
    books: Mutex<Books>,
    /// How many history reads a new record stays hidden for.
    lag: u32,
    hung: Notify,
}

impl Provider {
    fn with_lag(lag: u32) -> Arc<Self> {
        Arc::new(Self {
            lag,
            ..Self::default()
        })
    }

    fn script(&self, row: &str, faults: &[Fault]) {
        self.books
            .lock()
            .unwrap()
            .script
            .insert(row.to_owned(), faults.iter().copied().collect());
    }

    /// How many times `row` was applied (all accounts).
    fn applied(&self, row: &str) -> usize {
        let books = self.books.lock().unwrap();
        books
            .records
            .values()
            .flatten()
            .filter(|r| r.row == row)
            .count()
    }

    fn sends(&self, row: &str) -> Vec<String> {
        self.books
            .lock()
            .unwrap()
            .sends
            .get(row)
            .cloned()
            .unwrap_or_default()
    }

    fn reconciles(&self, row: &str) -> u32 {
        self.books
            .lock()
            .unwrap()
            .reconciles
            .get(row)
            .copied()
            .unwrap_or(0)
    }

    /// What the provider saw of `row`: (sends, times applied, reconciliations).
    fn seen(&self, row: &str) -> (usize, usize, u32) {
        (
            self.sends(row).len(),
            self.applied(row),
            self.reconciles(row),
        )
    }

    /// Waits until `n` sends hang (their requests have arrived or been lost).
    async fn until_hanging(&self, n: usize) {
        loop {
            let notified = self.hung.notified();
            if self.books.lock().unwrap().hanging >= n {
                return;
            }
            notified.await;
        }
    }

    async fn send(&self, op: &Credit, marker: &Marker) -> Result<Evidence, CoreError> {
        let fault = {
            let mut books = self.books.lock().unwrap();
            let fault = if books.hang_sends {
                Fault::HangBefore
            } else {
                books
                    .script
                    .get_mut(&op.row)
                    .and_then(VecDeque::pop_front)
                    .unwrap_or(Fault::Ok)
            };
            books
                .sends
                .entry(op.row.clone())
                .or_default()
                .push(marker.as_str().to_owned());
            let flying = books.in_flight.entry(op.account.clone()).or_default();
            *flying += 1;
            let flying = *flying;
            let max = books.max_in_flight.entry(op.account.clone()).or_default();
            *max = (*max).max(flying);
            fault
        };
        // Let other sends overlap this one, as real requests would.
        tokio::task::yield_now().await;
        let applied = matches!(
            fault,
            Fault::Ok | Fault::ApplyThenLose | Fault::ApplyThenHang
        )
        .then(|| self.apply(op, marker));
        {
            let mut books = self.books.lock().unwrap();
            *books.in_flight.get_mut(&op.account).unwrap() -= 1;
            if matches!(fault, Fault::ApplyThenHang | Fault::HangBefore) {
                books.hanging += 1;
            }
        }
        match fault {
            Fault::Ok => Ok(json!({"record": applied})),
            Fault::Refuse => Err(CoreError::api(
                ORIGIN,
                Some("-16".into()),
                "insufficient balance",
            )),
            Fault::ApplyThenLose | Fault::LoseBefore => Err(CoreError::OutcomeUnknown {
                origin: ORIGIN,
                cause: Box::new(CoreError::Timeout {
                    origin: ORIGIN,
                    elapsed: Duration::from_secs(30),
                    attempts: 1,
                }),
            }),
            Fault::ApplyThenHang | Fault::HangBefore => {
                self.hung.notify_waiters();
                std::future::pending().await
            }
        }
    }

    fn apply(&self, op: &Credit, marker: &Marker) -> u64 {
        let mut books = self.books.lock().unwrap();
        books.next_id += 1;
        let id = books.next_id;
        books
            .records
            .entry(op.account.clone())
            .or_default()
            .push(Record {
                id,
                row: op.row.clone(),
                marker: marker.as_str().to_owned(),
                hidden_for: self.lag,
            });
        id
    }

    /// One read of an account's history: the visible records' (id, marker), and whether the
    /// history is complete (no record still hidden by lag).
    fn history(&self, op: &Credit) -> (Vec<(u64, String)>, bool) {
        let mut books = self.books.lock().unwrap();
        *books.reconciles.entry(op.row.clone()).or_default() += 1;
        let mut complete = true;
        let mut visible = Vec::new();
        for record in books.records.entry(op.account.clone()).or_default() {
            if record.hidden_for > 0 {
                record.hidden_for -= 1;
                complete = false;
            } else {
                visible.push((record.id, record.marker.clone()));
            }
        }
        (visible, complete)
    }
}

/// The in-test operation: credit `amount` to `account`, as row `row`.
struct Credit {
    provider: Arc<Provider>,
    row: String,
    account: String,
    amount: i64,
    unreconcilable: bool,
}

impl Credit {
    fn job(provider: &Arc<Provider>, row: &str, account: &str) -> Job {
        Job::new(row, Arc::new(Self::new(provider, row, account, 100)))
    }

    fn new(provider: &Arc<Provider>, row: &str, account: &str, amount: i64) -> Self {
        Self {
            provider: provider.clone(),
            row: row.to_owned(),
            account: account.to_owned(),
            amount,
            unreconcilable: false,
        }
    }
}

#[async_trait::async_trait]
impl ExactlyOnce for Credit {
    fn identity(&self) -> Identity {
        Identity {
            provider: "test".into(),
            operation: if self.unreconcilable {
                "register".into()
            } else {
                "credit".into()
            },
            serial: format!("test:account:{}", self.account),
            request: json!({"row": self.row, "account": self.account, "amount": self.amount}),
        }
    }

    fn reconciliation(&self) -> Reconciliation {
        if self.unreconcilable {
            Reconciliation::Impossible {
                why: "the provider keeps no history of it",
            }
        } else {
            Reconciliation::ByMarker {
                field: "remark",
                found_by: "history",
            }
        }
    }

    fn check(&self) -> Result<(), CoreError> {
        if self.amount <= 0 {
            return Err(CoreError::invalid_input(ORIGIN, "amount must be positive"));
        }
        Ok(())
    }

    async fn send(&self, marker: &Marker) -> Result<Evidence, CoreError> {
        self.provider.send(self, marker).await
    }

    async fn reconcile(&self, marker: &Marker, since: DateTime<Utc>) -> Verdict {
        self.provider
            .books
            .lock()
            .unwrap()
            .since
            .entry(self.row.clone())
            .or_default()
            .push(since);
        let (rows, complete) = self.provider.history(self);
        let found: Vec<u64> = rows
            .iter()
            .filter(|(_, m)| marker.found_in(m))
            .map(|(id, _)| *id)
            .collect();
        match found.as_slice() {
            [id] => Verdict::Applied(json!({"record": id})),
            [] if complete => Verdict::NotApplied,
            [] => Verdict::Undetermined("the history has not caught up".into()),
            many => Verdict::Undetermined(format!("{} candidate records", many.len())),
        }
    }
}

/// Rebuilds a `Credit` from its journaled request (what the CLI's parser will do).
fn resolver(provider: &Arc<Provider>) -> Arc<dyn Resolve> {
    let provider = provider.clone();
    Arc::new(move |intent: &Intent| -> Option<Arc<dyn ExactlyOnce>> {
        let request = &intent.request;
        if intent.provider != "test" || intent.operation != "credit" {
            return None;
        }
        Some(Arc::new(Credit::new(
            &provider,
            request["row"].as_str()?,
            request["account"].as_str()?,
            request["amount"].as_i64()?,
        )))
    })
}

/// Fast settings: no real waiting anywhere but the crash test's lease.
fn settings() -> Settings {
    let mut s = Settings::default();
    s.lease = Duration::from_secs(3600);
    s.reconcile_backoff = Duration::from_millis(1);
    s.reconcile_backoff_max = Duration::from_millis(2);
    s.idle_poll = Duration::from_millis(20);
    s
}

fn runner(journal: Arc<dyn Journal>, owner: &str) -> Runner {
    Runner::with_settings(journal, owner, settings())
}

async fn state(j: &dyn Journal, key: &str) -> Intent {
    j.get(key).await.unwrap().expect("journaled")
}

/// Runs row `r1` (a credit to account `a`, faults as `p` scripts them) as worker `w`.
async fn run_r1(j: &Arc<dyn Journal>, p: &Arc<Provider>) -> RowResult {
    runner(j.clone(), "w")
        .run_one(Credit::job(p, "r1", "a"))
        .await
        .unwrap()
}

/// A plain success: applied once, the provider's evidence in the journal, one send.
async fn applied_first_time(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    let row = run_r1(&j, &p).await;
    let intent = state(&*j, "r1").await;
    assert_eq!(
        row.outcome,
        RowOutcome::Applied {
            evidence: Some(json!({"record": 1}))
        }
    );
    assert_eq!(intent.state, State::Applied);
    assert_eq!(intent.evidence, Some(json!({"record": 1})));
    assert_eq!(p.sends("r1"), std::slice::from_ref(&intent.marker));
    assert_eq!(p.applied("r1"), 1);
    assert_eq!(p.reconciles("r1"), 0);
    assert!(intent.owner.is_none() || intent.lease_until.is_none());
}

/// Reconciliation is asked about the provider's history since the intent's first send, not
/// since its creation (an intent journaled long before it was sent, queued behind another
/// of its account, would otherwise see that other one's rows), and a re-send keeps it.
async fn reconciliation_looks_from_the_first_send_not_from_creation(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    let op = Credit::new(&p, "r1", "a", 100);
    let id = op.identity();
    let created = j
        .create(NewIntent {
            key: "r1".into(),
            provider: id.provider,
            operation: id.operation,
            request: id.request,
            serial: id.serial,
            marker: Marker::generate().as_str().to_owned(),
        })
        .await
        .unwrap()
        .intent;
    // The run starts later than the intent was journaled (a queue, a resumed file): wait
    // for the journal's millisecond clock to move on.
    while DateTime::<Utc>::from(std::time::SystemTime::now())
        <= created.created_at + chrono::Duration::milliseconds(2)
    {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // Lost before it arrived (reconciled: not applied, re-sent), then applied and lost.
    p.script("r1", &[Fault::LoseBefore, Fault::ApplyThenLose]);
    let row = runner(j.clone(), "w")
        .run_one(Job::new("r1", Arc::new(op)))
        .await
        .unwrap();
    assert!(matches!(row.outcome, RowOutcome::Applied { .. }), "{row:?}");
    let intent = state(&*j, "r1").await;
    let sent_at = intent.sent_at.expect("sent");
    assert!(
        sent_at > created.created_at,
        "{sent_at} vs {}",
        created.created_at
    );
    let since = p.books.lock().unwrap().since["r1"].clone();
    assert_eq!(
        since,
        vec![sent_at, sent_at],
        "created {}",
        created.created_at
    );
    assert_eq!((intent.attempts, p.applied("r1")), (2, 1));
}

/// A refusal is final, with the provider's text; nothing applied, no reconciliation.
async fn refused_is_final_with_the_error(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    p.script("r1", &[Fault::Refuse]);
    let row = run_r1(&j, &p).await;
    let RowOutcome::Refused { error } = &row.outcome else {
        panic!("expected refused, got {row:?}");
    };
    assert!(error.contains("insufficient balance"), "{error}");
    let intent = state(&*j, "r1").await;
    assert_eq!(intent.state, State::Refused);
    assert!(intent.error.unwrap().contains("insufficient balance"));
    assert_eq!(p.seen("r1"), (1, 0, 0));
}

/// Invalid input, a credential-like field, a duplicate key in the run and a key reused for
/// other content are rejected before anything is journaled as sent; valid rows still run.
async fn invalid_rows_are_rejected_before_anything_is_sent(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    runner(j.clone(), "w")
        .run_one(Credit::job(&p, "old", "a"))
        .await
        .unwrap();

    struct WithToken(Credit);
    #[async_trait::async_trait]
    impl ExactlyOnce for WithToken {
        fn identity(&self) -> Identity {
            let mut id = self.0.identity();
            id.request["token"] = json!("s3cret");
            id
        }
        fn reconciliation(&self) -> Reconciliation {
            self.0.reconciliation()
        }
        async fn send(&self, marker: &Marker) -> Result<Evidence, CoreError> {
            self.0.send(marker).await
        }
        async fn reconcile(&self, marker: &Marker, since: DateTime<Utc>) -> Verdict {
            self.0.reconcile(marker, since).await
        }
    }

    let summary = runner(j.clone(), "w")
        .run_all([
            Job::new("neg", Arc::new(Credit::new(&p, "neg", "a", -5))),
            Job::new("tok", Arc::new(WithToken(Credit::new(&p, "tok", "a", 100)))),
            Credit::job(&p, "ok", "b"),
            Credit::job(&p, "ok", "b"),
            // The same key as the first run, for another amount.
            Job::new("old", Arc::new(Credit::new(&p, "old", "a", 999))),
        ])
        .await
        .unwrap();
    let outcomes: Vec<(&str, &RowOutcome)> = summary
        .rows
        .iter()
        .map(|r| (r.key.as_str(), &r.outcome))
        .collect();
    assert_eq!(outcomes.len(), 5);
    for (key, needle) in [
        ("neg", "amount must be positive"),
        ("tok", "credential"),
        ("old", "different request"),
    ] {
        let (_, outcome) = outcomes.iter().find(|(k, _)| *k == key).unwrap();
        match outcome {
            RowOutcome::Rejected { error } => assert!(error.contains(needle), "{key}: {error}"),
            other => panic!("{key}: expected rejected, got {other:?}"),
        }
    }
    assert!(matches!(outcomes[2].1, RowOutcome::Applied { .. }));
    assert!(
        matches!(&outcomes[3].1, RowOutcome::Rejected { error } if error.contains("more than once"))
    );
    assert_eq!(
        (summary.tally.rejected, summary.tally.applied),
        (4, 1),
        "{summary:?}"
    );
    assert!(j.get("neg").await.unwrap().is_none());
    assert!(j.get("tok").await.unwrap().is_none());
    assert_eq!(state(&*j, "old").await.request["amount"], 100);
    assert_eq!(p.sends("neg").len() + p.sends("tok").len(), 0);
    assert_eq!((p.applied("old"), p.applied("ok")), (1, 1));
    assert_eq!(summary.exit_code(), 3);
}

/// Applied, then the answer lost: reconciliation finds it; applied exactly once, never
/// re-sent, the evidence from the history.
async fn applied_then_lost_ends_applied_once(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    p.script("r1", &[Fault::ApplyThenLose]);
    let row = run_r1(&j, &p).await;
    assert_eq!(
        row.outcome,
        RowOutcome::Applied {
            evidence: Some(json!({"record": 1}))
        }
    );
    let intent = state(&*j, "r1").await;
    assert_eq!((intent.state, intent.attempts), (State::Applied, 1));
    assert_eq!(p.seen("r1"), (1, 1, 1));
}

/// Lost before it arrived: reconciliation proves it not applied, the same request goes
/// again with the same marker exactly once, and is applied once.
async fn lost_before_applied_is_resent_once_with_the_same_marker(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    p.script("r1", &[Fault::LoseBefore]);
    let row = run_r1(&j, &p).await;
    assert!(matches!(row.outcome, RowOutcome::Applied { .. }), "{row:?}");
    let intent = state(&*j, "r1").await;
    let sends = p.sends("r1");
    assert_eq!(sends, [intent.marker.clone(), intent.marker.clone()]);
    assert_eq!((intent.state, intent.attempts), (State::Applied, 2));
    assert_eq!((p.applied("r1"), p.reconciles("r1")), (1, 1));
}

/// A history that lags is asked again within the bound and then shows the record; one that
/// lags beyond the bound ends undetermined, without a re-send (it was applied: a re-send
/// would have applied it twice).
async fn lagging_history_is_waited_for_within_the_bound(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(3);
    p.script("within", &[Fault::ApplyThenLose]);
    let mut s = settings();
    s.reconcile_tries = 4;
    let run = Runner::with_settings(j.clone(), "w", s.clone());
    let row = run.run_one(Credit::job(&p, "within", "a")).await.unwrap();
    assert!(matches!(row.outcome, RowOutcome::Applied { .. }), "{row:?}");
    assert_eq!(p.seen("within"), (1, 1, 4));

    let p = Provider::with_lag(10);
    p.script("beyond", &[Fault::ApplyThenLose]);
    let run = Runner::with_settings(j.clone(), "w", s);
    let row = run.run_one(Credit::job(&p, "beyond", "b")).await.unwrap();
    let RowOutcome::Undetermined { why } = &row.outcome else {
        panic!("expected undetermined, got {row:?}");
    };
    assert!(
        why.contains("has not caught up") && why.contains("after 4"),
        "{why}"
    );
    assert_eq!(p.seen("beyond"), (1, 1, 4));
    let intent = state(&*j, "beyond").await;
    assert_eq!(intent.state, State::Undetermined);
    assert!(intent.error.unwrap().contains("has not caught up"));
}

/// An operation declared unreconcilable ends undetermined on a lost answer, with its declared
/// reason, without a reconciliation or a re-send.
async fn impossible_operation_ends_undetermined_on_a_lost_answer(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    p.script("r1", &[Fault::LoseBefore]);
    let mut op = Credit::new(&p, "r1", "a", 100);
    op.unreconcilable = true;
    let row = runner(j.clone(), "w")
        .run_one(Job::new("r1", Arc::new(op)))
        .await
        .unwrap();
    let RowOutcome::Undetermined { why } = &row.outcome else {
        panic!("expected undetermined, got {row:?}");
    };
    assert!(why.contains("the provider keeps no history of it"), "{why}");
    assert_eq!((p.sends("r1").len(), p.reconciles("r1")), (1, 0));
    assert_eq!(state(&*j, "r1").await.state, State::Undetermined);
}

/// Requests lost again and again are re-sent a bounded number of times, then left
/// `NotApplied` (not final, nothing guessed) for a later run, which finishes them.
async fn resends_are_bounded_and_a_later_run_finishes(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    p.script("r1", &[Fault::LoseBefore; 3]);
    let mut s = settings();
    s.max_resends = 2;
    let row = Runner::with_settings(j.clone(), "w", s.clone())
        .run_one(Credit::job(&p, "r1", "a"))
        .await
        .unwrap();
    let RowOutcome::Unfinished { state: at, why } = &row.outcome else {
        panic!("expected unfinished, got {row:?}");
    };
    assert_eq!(*at, State::NotApplied);
    assert!(why.contains("re-sends used up"), "{why}");
    assert_eq!((p.sends("r1").len(), p.applied("r1")), (3, 0));
    let intent = state(&*j, "r1").await;
    assert_eq!((intent.state, intent.attempts), (State::NotApplied, 3));
    assert!(
        intent.lease_until.is_none(),
        "released at the end of the run"
    );

    // A later run with a larger budget finishes it with the same marker.
    s.max_resends = 3;
    let row = Runner::with_settings(j.clone(), "w2", s)
        .run_one(Credit::job(&p, "r1", "a"))
        .await
        .unwrap();
    assert!(matches!(row.outcome, RowOutcome::Applied { .. }), "{row:?}");
    assert_eq!(p.applied("r1"), 1);
    let sends = p.sends("r1");
    assert_eq!(sends.len(), 4);
    assert!(sends.iter().all(|m| *m == intent.marker));
}

/// Running the same rows again skips the final ones, sends nothing, and reports the counts
/// and the progress events a bar would show.
async fn a_second_run_skips_final_rows_and_reports_progress(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    p.script("r2", &[Fault::Refuse]);
    p.script("r3", &[Fault::ApplyThenLose]);
    let rows = || {
        (1..=4)
            .map(|i| Credit::job(&p, &format!("r{i}"), &format!("a{i}")))
            .collect::<Vec<_>>()
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
    let first = runner(j.clone(), "w")
        .progress(tx)
        .run_all(rows())
        .await
        .unwrap();
    assert_eq!(
        (
            first.tally.applied,
            first.tally.refused,
            first.tally.skipped,
            first.tally.done
        ),
        (3, 1, 0, 4)
    );
    let mut events = Vec::new();
    while let Ok(progress) = rx.try_recv() {
        events.push(progress);
    }
    assert_eq!(events.first().unwrap().event, Event::Started);
    let last = events.last().unwrap();
    assert_eq!(last.tally, first.tally);
    let finished = events
        .iter()
        .filter(|p| matches!(p.event, Event::Row(_)))
        .count();
    let sending = events
        .iter()
        .filter(|p| matches!(p.event, Event::Sending { .. }))
        .count();
    let in_doubt: Vec<&Progress> = events
        .iter()
        .filter(|p| matches!(&p.event, Event::InDoubt { key, .. } if key == "r3"))
        .collect();
    assert_eq!((finished, sending, in_doubt.len()), (4, 4, 1));
    assert_eq!(in_doubt[0].tally.in_doubt, 1);
    assert_eq!(last.tally.in_doubt, 0);

    let second = runner(j.clone(), "w").run_all(rows()).await.unwrap();
    assert_eq!(
        (
            second.tally.skipped,
            second.tally.applied,
            second.tally.done
        ),
        (4, 0, 4)
    );
    assert!(matches!(
        second.rows[1].outcome,
        RowOutcome::Skipped {
            state: State::Refused
        }
    ));
    assert_eq!(second.exit_code(), 3);
    for i in 1..=4 {
        assert_eq!(p.sends(&format!("r{i}")).len(), 1, "r{i} sent once in all");
    }
}

/// Rows on the same account never have two requests in flight at once, even at high
/// concurrency (the journal serialises them), and every row is applied once.
async fn rows_of_one_account_are_serialised(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    let jobs: Vec<Job> = (0..24)
        .map(|i| {
            let row = format!("r{i}");
            if i % 4 == 0 {
                p.script(&row, &[Fault::ApplyThenLose]);
            }
            Credit::job(&p, &row, &format!("a{}", i % 3))
        })
        .collect();
    let mut s = settings();
    s.concurrency = 16;
    let summary = Runner::with_settings(j.clone(), "w", s)
        .run_all(jobs)
        .await
        .unwrap();
    assert_eq!(summary.tally.applied, 24, "{summary:?}");
    let books = p.books.lock().unwrap();
    for account in ["a0", "a1", "a2"] {
        assert_eq!(books.max_in_flight[account], 1, "{account}");
    }
    drop(books);
    for i in 0..24 {
        assert_eq!(p.applied(&format!("r{i}")), 1, "r{i}");
    }
}

/// A crash: requests hanging after mark_sent (some applied, some never arrived) when the
/// runner is dropped; the journal is reopened and `recover()` ends every row final and
/// applied exactly once, including the rows that were never sent.
async fn crash_then_recover_applies_each_row_exactly_once(open: Opener) {
    let p = Provider::with_lag(1);
    let mut jobs = Vec::new();
    for i in 0..6 {
        let row = format!("r{i}");
        let fault = match i {
            0..=2 => Fault::ApplyThenHang,
            3 | 4 => Fault::HangBefore,
            _ => Fault::Ok,
        };
        p.script(&row, &[fault]);
        jobs.push(Credit::job(&p, &row, &format!("a{i}")));
    }
    // Two more rows on hanging accounts: still pending at the crash (serialised behind).
    jobs.push(Credit::job(&p, "r6", "a0"));
    jobs.push(Credit::job(&p, "r7", "a3"));

    let j = open().await;
    let mut s = settings();
    s.lease = Duration::from_millis(300);
    s.concurrency = 8;
    let crashed = Runner::with_settings(j.clone(), "crashed", s);
    let run = tokio::spawn(async move { crashed.run_all(jobs).await });
    p.until_hanging(5).await;
    run.abort();
    assert!(run.await.unwrap_err().is_cancelled());
    drop(j);

    let j = open().await;
    let counts = j.counts().await.unwrap();
    // The five hanging rows are sent, r6 and r7 (behind them) pending. r5 answered, but
    // whether it was claimed, or its outcome recorded, before the abort is a race (a SQLite
    // write in flight finishes after its task is aborted): it is pending, sent or applied.
    assert!(counts.get(State::Sent) >= 5, "{counts:?}");
    assert!(counts.get(State::Pending) >= 2, "{counts:?}");
    assert_eq!(counts.total(), 8);
    let recovered = runner(j.clone(), "recoverer")
        .resolver(resolver(&p))
        .recover()
        .await
        .unwrap();
    for row in ["r0", "r1", "r2", "r3", "r4", "r6", "r7"] {
        let result = recovered
            .rows
            .iter()
            .find(|r| r.key == row)
            .unwrap_or_else(|| panic!("{row} recovered: {recovered:?}"));
        assert!(
            matches!(result.outcome, RowOutcome::Applied { .. }) && result.driven_here,
            "{result:?}"
        );
    }
    assert_eq!(recovered.tally.applied, recovered.rows.len() as u64);
    assert_eq!(j.counts().await.unwrap().get(State::Applied), 8);
    for i in 0..8 {
        let row = format!("r{i}");
        assert_eq!(p.applied(&row), 1, "{row} applied exactly once");
        let intent = state(&*j, &row).await;
        assert_eq!(intent.state, State::Applied, "{row}");
        // The rows whose request never arrived went twice; r5 may have been cut off
        // between mark_sent and its arrival by the abort (then it went twice too).
        let sends = p.sends(&row).len();
        match i {
            3 | 4 => assert_eq!(sends, 2, "{row}"),
            5 => assert!((1..=2).contains(&sends), "{row}"),
            _ => assert_eq!(sends, 1, "{row}"),
        }
        assert!(p.sends(&row).iter().all(|m| *m == intent.marker), "{row}");
    }
}

/// Claiming ahead: with one send slot and a window of five, the claim marks this run's four
/// reconcilable rows `Sent` in its commit (before any is sent), but never the row whose
/// operation cannot be reconciled (a crash would leave it undetermined): that one is marked
/// only just before its own send. The run crashes while the first send hangs (lost before
/// arriving; the sends that slip out while the aborted tasks wind down hang too): rows are
/// `Sent` that were never sent. Recovery reconciles all four (not applied) and sends each
/// once more with its marker: every row applied exactly once.
async fn rows_claimed_ahead_are_reconciled_after_a_crash_and_sent_once(open: Opener) {
    let p = Provider::with_lag(0);
    p.books.lock().unwrap().hang_sends = true;
    let mut jobs: Vec<Job> = (0..4)
        .map(|i| Credit::job(&p, &format!("r{i}"), &format!("a{i}")))
        .collect();
    let mut unreconcilable = Credit::new(&p, "u4", "a4", 100);
    unreconcilable.unreconcilable = true;
    jobs.push(Job::new("u4", Arc::new(unreconcilable)));

    let j = open().await;
    let mut s = settings();
    s.lease = Duration::from_millis(300);
    s.concurrency = 1;
    s.window = Some(5);
    let crashed = Runner::with_settings(j.clone(), "crashed", s);
    let run = tokio::spawn(async move { crashed.run_all(jobs).await });
    p.until_hanging(1).await;
    // Before the crash, with the one slot held by the hanging send: one request has left.
    let sent: usize = ["r0", "r1", "r2", "r3", "u4"]
        .iter()
        .map(|row| p.sends(row).len())
        .sum();
    assert_eq!(sent, 1);
    for i in 0..4 {
        let row = format!("r{i}");
        let intent = state(&*j, &row).await;
        assert_eq!(intent.state, State::Sent, "{row} marked sent in the claim");
        assert_eq!(intent.attempts, 1, "{row}");
    }
    if p.sends("u4").is_empty() {
        let u4 = state(&*j, "u4").await;
        assert_eq!(
            u4.state,
            State::Pending,
            "an unreconcilable row is never marked ahead"
        );
    }
    run.abort();
    assert!(run.await.unwrap_err().is_cancelled());
    p.books.lock().unwrap().hang_sends = false;

    let recovered = runner(j.clone(), "recoverer")
        .resolver(resolver(&p))
        .recover()
        .await
        .unwrap();
    for i in 0..4 {
        let row = format!("r{i}");
        let result = recovered.rows.iter().find(|r| r.key == row).unwrap();
        assert!(
            matches!(result.outcome, RowOutcome::Applied { .. }),
            "{result:?}"
        );
        assert_eq!(p.applied(&row), 1, "{row} applied exactly once");
        let intent = state(&*j, &row).await;
        assert_eq!(intent.state, State::Applied, "{row}");
        assert!(
            p.reconciles(&row) >= 1,
            "{row} reconciled before it was sent again"
        );
        assert!(p.sends(&row).iter().all(|m| *m == intent.marker), "{row}");
    }
}

/// Runs killed while rows wait in the claim window use up none of those rows' re-sends:
/// only a row's first mark is made ahead, so three crashes leave each never-sent row at
/// one attempt, and a run with the default budget then applies it once.
async fn crashes_while_rows_wait_ahead_use_up_no_resends(open: Opener) {
    let p = Provider::with_lag(0);
    let jobs = |p: &Arc<Provider>| -> Vec<Job> {
        (0..4)
            .map(|i| Credit::job(p, &format!("r{i}"), &format!("a{i}")))
            .collect()
    };
    let j = open().await;
    let mut s = settings();
    s.lease = Duration::from_millis(300);
    s.concurrency = 1;
    s.window = Some(5);
    for crash in 1..=3 {
        p.books.lock().unwrap().hang_sends = true;
        let crashed = Runner::with_settings(j.clone(), format!("crashed-{crash}"), s.clone())
            .resolver(resolver(&p));
        let rows = jobs(&p);
        let run = tokio::spawn(async move { crashed.run_all(rows).await });
        // The one slot is held by a send that hangs: every other row waits in the window.
        p.until_hanging(crash).await;
        run.abort();
        assert!(run.await.unwrap_err().is_cancelled());
    }
    p.books.lock().unwrap().hang_sends = false;
    let never_sent: Vec<String> = (0..4)
        .map(|i| format!("r{i}"))
        .filter(|row| p.sends(row).is_empty())
        .collect();
    // Three crashes hang three sends at most: at least one row was never sent.
    assert!(!never_sent.is_empty(), "{never_sent:?}");
    for row in &never_sent {
        assert!(
            state(&*j, row).await.attempts <= 1,
            "{row}: only its first mark"
        );
    }

    let done = Runner::with_settings(j.clone(), "finisher", settings())
        .resolver(resolver(&p))
        .run_all(jobs(&p))
        .await
        .unwrap();
    for row in &never_sent {
        let result = done.rows.iter().find(|r| &r.key == row).unwrap();
        assert!(
            matches!(result.outcome, RowOutcome::Applied { .. }),
            "{result:?}"
        );
        assert_eq!(p.applied(row), 1, "{row} applied exactly once");
    }
}

/// Two runners (two connections, two owners) on one journal with the same rows, at once:
/// each row is applied once, and both runs report every row applied.
async fn two_runners_with_the_same_rows_apply_each_once(open: Opener) {
    let p = Provider::with_lag(1);
    let jobs = |p: &Arc<Provider>| -> Vec<Job> {
        (0..30)
            .map(|i| Credit::job(p, &format!("r{i}"), &format!("a{}", i % 5)))
            .collect()
    };
    for i in (0..30).step_by(3) {
        p.script(&format!("r{i}"), &[Fault::ApplyThenLose]);
    }
    for i in (1..30).step_by(7) {
        p.script(&format!("r{i}"), &[Fault::LoseBefore]);
    }
    let mut s = settings();
    s.concurrency = 4;
    let one = Runner::with_settings(open().await, "one", s.clone()).resolver(resolver(&p));
    let two = Runner::with_settings(open().await, "two", s).resolver(resolver(&p));
    let (a, b) = tokio::join!(one.run_all(jobs(&p)), two.run_all(jobs(&p)));
    let (a, b) = (a.unwrap(), b.unwrap());
    // Each run reports every row applied: by itself, by the other while it waited, or
    // already applied when it journaled the row (skipped).
    for summary in [&a, &b] {
        assert_eq!(summary.rows.len(), 30);
        assert!(
            summary.rows.iter().all(|r| matches!(
                r.outcome,
                RowOutcome::Applied { .. }
                    | RowOutcome::Skipped {
                        state: State::Applied
                    }
            )),
            "{summary:?}"
        );
        assert_eq!(summary.exit_code(), 0);
    }
    let driven = a
        .rows
        .iter()
        .chain(&b.rows)
        .filter(|r| r.driven_here)
        .count();
    assert_eq!(driven, 30, "each row driven by exactly one runner");
    for i in 0..30 {
        assert_eq!(p.applied(&format!("r{i}")), 1, "r{i}");
    }
    let j = open().await;
    assert_eq!(j.counts().await.unwrap().get(State::Applied), 30);
}

/// An older unfinished intent on the same account (a crashed run's, in doubt) comes first:
/// without a resolver the new row is reported blocked and nothing is sent; with one, the old
/// intent is reconciled and finished first, then the new row, and only the run's own row is
/// in its counts.
async fn an_older_intent_of_the_same_account_comes_first(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    j.create(NewIntent {
        key: "old".into(),
        provider: "test".into(),
        operation: "credit".into(),
        request: json!({"row": "old", "account": "a", "amount": 100}),
        serial: "test:account:a".into(),
        marker: Marker::generate().as_str().to_owned(),
    })
    .await
    .unwrap();
    assert_eq!(
        j.claim("dead", Duration::from_secs(3600), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    j.mark_sent("old", "dead").await.unwrap();
    j.release("old", "dead").await.unwrap();

    let blocked = runner(j.clone(), "w")
        .run_all([Credit::job(&p, "new", "a")])
        .await
        .unwrap();
    match &blocked.rows[0].outcome {
        RowOutcome::Unfinished { state, why } => {
            assert_eq!(*state, State::Pending);
            assert!(why.contains("blocked"), "{why}");
        }
        other => panic!("expected unfinished, got {other:?}"),
    }
    assert_eq!(blocked.exit_code(), 5);
    assert!(p.sends("old").is_empty() && p.sends("new").is_empty());
    let old = state(&*j, "old").await;
    assert_eq!(old.state, State::Sent);
    assert!(old.lease_until.is_none(), "released at the end of the run");

    let done = runner(j.clone(), "w")
        .resolver(resolver(&p))
        .run_all([Credit::job(&p, "new", "a")])
        .await
        .unwrap();
    assert_eq!(done.rows.len(), 1);
    assert!(matches!(done.rows[0].outcome, RowOutcome::Applied { .. }));
    assert_eq!((done.tally.applied, done.tally.done), (1, 1));
    assert_eq!((p.applied("old"), p.applied("new")), (1, 1));
    assert_eq!(state(&*j, "old").await.state, State::Applied);
    let books = p.books.lock().unwrap();
    let order: Vec<&str> = books.records["a"].iter().map(|r| r.row.as_str()).collect();
    assert_eq!(order, ["old", "new"]);
}

/// A row refused because its key is journaled with another request (`KeyMismatch`) never
/// lets this run mark that other intent `Sent`: the run claims it (it is free) but cannot
/// drive it (no resolver), and gives it back as it found it, never sent, so that its own
/// run later sends it once. Marked `Sent` here, it would be found in doubt; being an
/// operation that cannot be reconciled, it would end undetermined without ever having
/// left.
async fn a_row_refused_for_its_key_never_marks_the_journaled_intent(open: Opener) {
    let j = open().await;
    let p = Provider::with_lag(0);
    let mut register = Credit::new(&p, "k", "a", 100);
    register.unreconcilable = true;
    let identity = register.identity();
    j.create(NewIntent {
        key: "k".into(),
        provider: identity.provider,
        operation: identity.operation,
        request: identity.request,
        serial: identity.serial,
        marker: Marker::generate().as_str().to_owned(),
    })
    .await
    .unwrap();

    // The same key as a credit (another operation), beside a row that is driven.
    let summary = runner(j.clone(), "w")
        .run_all([Credit::job(&p, "k", "a"), Credit::job(&p, "other", "b")])
        .await
        .unwrap();
    let refused = summary.rows.iter().find(|r| r.key == "k").unwrap();
    assert!(
        matches!(&refused.outcome, RowOutcome::Rejected { error } if error.contains("operation")),
        "{refused:?}"
    );
    assert_eq!(p.applied("other"), 1);
    let k = state(&*j, "k").await;
    assert_eq!((k.state, k.attempts), (State::Pending, 0), "{k:?}");
    assert!(p.sends("k").is_empty());

    let done = runner(j.clone(), "w")
        .run_all([Job::new("k", Arc::new(register))])
        .await
        .unwrap();
    assert!(
        matches!(done.rows[0].outcome, RowOutcome::Applied { .. }),
        "{:?}",
        done.rows[0]
    );
    assert_eq!((p.sends("k").len(), p.applied("k")), (1, 1));
}

// Every runner test, once per store.
per_store!("runner";
    rows_claimed_ahead_are_reconciled_after_a_crash_and_sent_once,
    crashes_while_rows_wait_ahead_use_up_no_resends,
    reconciliation_looks_from_the_first_send_not_from_creation,
    applied_first_time,
    refused_is_final_with_the_error,
    invalid_rows_are_rejected_before_anything_is_sent,
    applied_then_lost_ends_applied_once,
    lost_before_applied_is_resent_once_with_the_same_marker,
    lagging_history_is_waited_for_within_the_bound,
    impossible_operation_ends_undetermined_on_a_lost_answer,
    resends_are_bounded_and_a_later_run_finishes,
    a_second_run_skips_final_rows_and_reports_progress,
    rows_of_one_account_are_serialised,
    crash_then_recover_applies_each_row_exactly_once,
    two_runners_with_the_same_rows_apply_each_once,
    an_older_intent_of_the_same_account_comes_first,
    a_row_refused_for_its_key_never_marks_the_journaled_intent,
);

/// The error classification the runner relies on: only proofs count as refused.
#[test]
fn only_proven_outcomes_are_refused() {
    use voxkit_journal::outcome_in_doubt;
    let timeout = CoreError::Timeout {
        origin: ORIGIN,
        elapsed: Duration::from_secs(1),
        attempts: 1,
    };
    let unknown = CoreError::OutcomeUnknown {
        origin: ORIGIN,
        cause: Box::new(CoreError::api(ORIGIN, Some("500".into()), "system error")),
    };
    assert!(outcome_in_doubt(&timeout));
    assert!(outcome_in_doubt(&unknown));
    assert!(!outcome_in_doubt(&CoreError::config(ORIGIN, "no key")));
    assert!(!outcome_in_doubt(&CoreError::api(ORIGIN, None, "no")));
    assert!(!outcome_in_doubt(&CoreError::invalid_input(ORIGIN, "bad")));
}
