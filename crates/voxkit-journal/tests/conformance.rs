//! The conformance suite: the same tests against both stores, on real databases. Each test is
//! a generic function over an [`Opener`] (a way to open handles on one fresh journal),
//! instantiated once per store by `per_store!` (tests/common).
//!
//! SQLite runs everywhere. The PostgreSQL instances need a server: `cargo xtask ci` and
//! `cargo xtask test-postgres` start a throw-away cluster and set `VOXKIT_TEST_POSTGRES_URL`;
//! without it they fail (a missing database never counts as a pass).
#![cfg(any(feature = "sqlite", feature = "postgres"))]

#[macro_use]
mod common;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Opener, keys, open_keys};
use serde_json::json;
use voxkit_journal::{Error, Journal, ListFilter, NewIntent, Outcome, State};

/// A long lease: nothing in a test outlives it.
const HOUR: Duration = Duration::from_secs(3600);

fn intent(key: &str, serial: &str) -> NewIntent {
    NewIntent {
        key: key.to_owned(),
        provider: "longlonglong".to_owned(),
        operation: "recharge".to_owned(),
        request: json!({"user": serial, "amount": 100, "remark": "order"}),
        serial: serial.to_owned(),
        marker: format!("vk-{key}"),
    }
}

/// Creating a key twice returns the first intent (and its marker); the same key with a
/// different request is refused.
async fn create_if_absent(open: Opener) {
    let j = open().await;
    let first = j.create(intent("row-1", "s1")).await.unwrap();
    assert!(first.inserted);
    assert_eq!(first.intent.state, State::Pending);
    assert_eq!(first.intent.attempts, 0);
    assert_eq!(first.intent.marker, "vk-row-1");
    assert!(first.intent.owner.is_none());

    let mut again = intent("row-1", "s1");
    again.marker = "vk-other".to_owned();
    let second = j.create(again).await.unwrap();
    assert!(!second.inserted);
    assert_eq!(
        second.intent, first.intent,
        "the stored intent and marker win"
    );

    let mut changed = intent("row-1", "s1");
    changed.request = json!({"user": "s1", "amount": 999, "remark": "order"});
    match j.create(changed).await {
        Err(Error::KeyMismatch { field, .. }) => assert_eq!(field, "request"),
        other => panic!("expected KeyMismatch, got {other:?}"),
    }
    let mut credential = intent("row-2", "s1");
    credential.request = json!({"user": "s1", "token": "t"});
    assert!(matches!(j.create(credential).await, Err(Error::Invalid(_))));
    assert!(j.get("row-2").await.unwrap().is_none());
    assert_eq!(j.get("row-1").await.unwrap().unwrap(), first.intent);
    assert_eq!(j.counts().await.unwrap().total(), 1);
}

/// `n` workers (owners `w0`, `w1`, ...), each on a connection of its own, running `work` at
/// once: what each returned, in order.
async fn workers<T, Work>(
    open: &Opener,
    n: usize,
    work: impl Fn(Arc<dyn Journal>, String) -> Work,
) -> Vec<T>
where
    Work: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut tasks = Vec::new();
    for w in 0..n {
        tasks.push(tokio::spawn(work(open().await, format!("w{w}"))));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

/// Concurrent creates of one key: exactly one inserts, all see the same intent.
async fn concurrent_create_of_one_key_inserts_once(open: Opener) {
    let created = workers(&open, 8, |j, _| async move {
        j.create(intent("same", "s")).await
    })
    .await;
    let mut inserted = 0;
    let mut seqs = HashSet::new();
    for created in created {
        let created = created.unwrap();
        inserted += usize::from(created.inserted);
        seqs.insert(created.intent.seq);
    }
    assert_eq!(inserted, 1);
    assert_eq!(seqs.len(), 1);
}

/// Drives a fresh intent (own serial key, claimed by `w`) to `state` along legal steps.
async fn reach(j: &dyn Journal, key: &str, state: State) {
    j.create(intent(key, key)).await.unwrap();
    let claimed = j.claim("w", HOUR, 1000).await.unwrap();
    assert!(claimed.iter().any(|i| i.key == key), "{key} claimed");
    let path: &[State] = match state {
        State::Pending => &[],
        State::Sent => &[State::Sent],
        State::Applied | State::Refused | State::InDoubt => &[State::Sent, state],
        State::NotApplied | State::Undetermined => &[State::Sent, State::InDoubt, state],
    };
    let mut at = State::Pending;
    for step in path {
        if *step == State::Sent {
            j.mark_sent(key, "w").await.unwrap();
        } else {
            j.record_outcome(key, "w", Outcome::new(at, *step))
                .await
                .unwrap();
        }
        at = *step;
    }
    assert_eq!(j.get(key).await.unwrap().unwrap().state, state);
}

/// All 49 pairs of states: the legal transitions are written (with their side effects),
/// every illegal one is refused and leaves the intent as it was.
async fn every_transition_legal_and_illegal(open: Opener) {
    let j = open().await;
    let mut legal = 0;
    for from in State::ALL {
        for to in State::ALL {
            let key = format!("{from}-{to}");
            reach(&*j, &key, from).await;
            let before = j.get(&key).await.unwrap().unwrap();
            let result = if to == State::Sent {
                j.mark_sent(&key, "w").await
            } else {
                j.record_outcome(
                    &key,
                    "w",
                    Outcome::new(from, to)
                        .evidence(json!({"record": 7}))
                        .error("e"),
                )
                .await
            };
            let after = j.get(&key).await.unwrap().unwrap();
            if from.can_become(to) {
                legal += 1;
                let written = result.unwrap_or_else(|e| panic!("{from} → {to}: {e}"));
                assert_eq!(written, after);
                assert_eq!(after.state, to);
                if to == State::Sent {
                    assert_eq!(after.attempts, before.attempts + 1);
                    assert!(after.sent_at.is_some());
                } else {
                    assert_eq!(after.evidence, Some(json!({"record": 7})));
                    assert_eq!(after.error.as_deref(), Some("e"));
                }
                assert_eq!(after.finished_at.is_some(), to.is_final(), "{from} → {to}");
                assert_eq!(after.lease_until.is_none(), to.is_final(), "{from} → {to}");
            } else {
                let err = result.expect_err(&format!("{from} → {to} must be refused"));
                assert!(
                    matches!(err, Error::IllegalTransition(_) | Error::Stale { .. }),
                    "{from} → {to}: {err:?}"
                );
                assert_eq!(after, before, "{from} → {to} changed the intent");
            }
        }
    }
    assert_eq!(legal, 8);
}

/// A stale writer (it read `sent`, another step moved the intent to `in_doubt`) cannot
/// overwrite the newer state, and a worker without the lease cannot write at all.
async fn stale_writes_are_refused(open: Opener) {
    let j = open().await;
    reach(&*j, "k", State::InDoubt).await;
    match j
        .record_outcome("k", "w", Outcome::new(State::Sent, State::Applied))
        .await
    {
        Err(Error::Stale {
            expected, actual, ..
        }) => {
            assert_eq!((expected, actual), (State::Sent, State::InDoubt));
        }
        other => panic!("expected Stale, got {other:?}"),
    }
    match j
        .record_outcome(
            "k",
            "intruder",
            Outcome::new(State::InDoubt, State::Applied),
        )
        .await
    {
        Err(Error::LeaseLost { holder, .. }) => assert_eq!(holder, "w"),
        other => panic!("expected LeaseLost, got {other:?}"),
    }
    assert!(matches!(
        j.mark_sent("nope", "w").await,
        Err(Error::NotFound(_))
    ));
    assert_eq!(j.get("k").await.unwrap().unwrap().state, State::InDoubt);
}

/// A batch of outcomes: each row checked and written on its own terms (a stale row, a row
/// of another owner, a missing key and an illegal step refused with their own errors, the
/// others written), and the written rows exactly as `Intent::with_outcome` predicts.
async fn outcomes_in_a_batch_are_each_checked(open: Opener) {
    let j = open().await;
    for (key, state) in [
        ("ok", State::Sent),
        ("moved", State::InDoubt),
        ("refused", State::Sent),
        ("doubt", State::Sent),
    ] {
        reach(&*j, key, state).await;
    }
    let before = j.get("ok").await.unwrap().unwrap();
    let applied = Outcome::new(State::Sent, State::Applied).evidence(json!({"record": 7}));
    let written = j
        .record_outcomes(
            "w",
            vec![
                ("ok".to_owned(), applied.clone()),
                (
                    "moved".to_owned(),
                    Outcome::new(State::Sent, State::Applied),
                ),
                (
                    "refused".to_owned(),
                    Outcome::new(State::Sent, State::Refused).error("no such user"),
                ),
                (
                    "doubt".to_owned(),
                    Outcome::new(State::Sent, State::InDoubt).error("answer lost"),
                ),
                (
                    "missing".to_owned(),
                    Outcome::new(State::Sent, State::Applied),
                ),
                (
                    "ok".to_owned(),
                    Outcome::new(State::Pending, State::Applied),
                ),
            ],
        )
        .await
        .unwrap();
    assert_eq!(written.len(), 6);
    assert!(written[0].is_ok(), "{:?}", written[0]);
    assert!(
        matches!(
            &written[1],
            Err(Error::Stale {
                actual: State::InDoubt,
                ..
            })
        ),
        "{:?}",
        written[1]
    );
    assert!(written[2].is_ok() && written[3].is_ok(), "{written:?}");
    assert!(
        matches!(&written[4], Err(Error::NotFound(_))),
        "{:?}",
        written[4]
    );
    assert!(
        matches!(&written[5], Err(Error::IllegalTransition(_))),
        "{:?}",
        written[5]
    );

    let ok = j.get("ok").await.unwrap().unwrap();
    let predicted = before.with_outcome(&applied, ok.finished_at.expect("final: stamped"));
    assert_eq!(ok, predicted);
    assert_eq!(ok.lease_until, None, "a final outcome ends the lease");
    let refused = j.get("refused").await.unwrap().unwrap();
    assert_eq!(refused.state, State::Refused);
    assert_eq!(refused.error.as_deref(), Some("no such user"));
    let doubt = j.get("doubt").await.unwrap().unwrap();
    assert_eq!((doubt.state, doubt.finished_at), (State::InDoubt, None));
    assert!(doubt.lease_until.is_some(), "still leased: not final");
    assert_eq!(j.get("moved").await.unwrap().unwrap().state, State::InDoubt);

    // Another owner's batch writes nothing.
    let intruder = j
        .record_outcomes(
            "intruder",
            vec![(
                "doubt".to_owned(),
                Outcome::new(State::InDoubt, State::Applied),
            )],
        )
        .await
        .unwrap();
    assert!(
        matches!(&intruder[0], Err(Error::LeaseLost { holder, .. }) if holder == "w"),
        "{intruder:?}"
    );
    assert_eq!(j.get("doubt").await.unwrap().unwrap().state, State::InDoubt);

    // Only the open intents are listed as open (the stores' open-intent index).
    assert_eq!(open_keys(&*j).await, ["moved", "doubt"]);
}

/// Many claimers on separate connections at once: every intent is handed out exactly once.
async fn concurrent_claims_hand_each_intent_out_once(open: Opener) {
    const INTENTS: usize = 300;
    let j = open().await;
    for n in 0..INTENTS {
        j.create(intent(&format!("k{n}"), &format!("s{n}")))
            .await
            .unwrap();
    }
    // All claimers connected first, then released at once, to overlap as much as possible.
    let start = Arc::new(tokio::sync::Barrier::new(8));
    let claimed_by_each = workers(&open, 8, |j, owner| {
        let start = Arc::clone(&start);
        async move {
            let mut got = Vec::new();
            start.wait().await;
            loop {
                let claimed = j.claim(&owner, HOUR, 7).await.unwrap();
                if claimed.is_empty() {
                    return got;
                }
                for intent in claimed {
                    assert_eq!(intent.owner.as_deref(), Some(owner.as_str()));
                    got.push(intent.key);
                }
            }
        }
    })
    .await;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for got in claimed_by_each {
        for key in got {
            *seen.entry(key).or_default() += 1;
        }
    }
    assert_eq!(seen.len(), INTENTS, "every intent claimed");
    assert!(
        seen.values().all(|n| *n == 1),
        "an intent was claimed twice"
    );
}

/// One intent per serial key in flight, oldest first; the next is handed out once the first
/// is final.
async fn serial_keys_are_served_one_at_a_time(open: Opener) {
    let j = open().await;
    j.create(intent("a1", "card-a")).await.unwrap();
    j.create(intent("b1", "card-b")).await.unwrap();
    j.create(intent("a2", "card-a")).await.unwrap();
    let first = j.claim("w1", HOUR, 10).await.unwrap();
    assert_eq!(keys(&first), ["a1", "b1"]);
    assert!(j.claim("w2", HOUR, 10).await.unwrap().is_empty());

    // Released but not final: a1 is handed out again before a2.
    j.release("a1", "w1").await.unwrap();
    let again = j.claim("w2", HOUR, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].key, "a1");

    j.mark_sent("a1", "w2").await.unwrap();
    j.record_outcome("a1", "w2", Outcome::new(State::Sent, State::Applied))
        .await
        .unwrap();
    let next = j.claim("w3", HOUR, 10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].key, "a2");
}

/// Concurrent workers over many intents on few serial keys: no two intents of one serial
/// key are ever in flight together, and every intent ends applied once.
async fn serial_keys_hold_under_concurrent_workers(open: Opener) {
    const INTENTS: usize = 60;
    let j = open().await;
    for n in 0..INTENTS {
        j.create(intent(&format!("k{n}"), &format!("card-{}", n % 4)))
            .await
            .unwrap();
    }
    let in_flight: Arc<Mutex<HashSet<String>>> = Arc::default();
    let done_by_each = workers(&open, 6, |j, owner| {
        let in_flight = Arc::clone(&in_flight);
        async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut done = 0;
            while j.counts().await.unwrap().get(State::Applied) < INTENTS as u64 {
                assert!(Instant::now() < deadline, "workers stalled");
                let claimed = j.claim(&owner, HOUR, 2).await.unwrap();
                if claimed.is_empty() {
                    tokio::task::yield_now().await;
                    continue;
                }
                for intent in claimed {
                    let fresh = in_flight.lock().unwrap().insert(intent.serial.clone());
                    assert!(fresh, "two intents of {} in flight", intent.serial);
                    j.mark_sent(&intent.key, &owner).await.unwrap();
                    // Leave the set before the outcome commits: from then on the journal may
                    // hand out the serial key's next intent.
                    in_flight.lock().unwrap().remove(&intent.serial);
                    j.record_outcome(
                        &intent.key,
                        &owner,
                        Outcome::new(State::Sent, State::Applied),
                    )
                    .await
                    .unwrap();
                    done += 1;
                }
            }
            done
        }
    })
    .await;
    let total: usize = done_by_each.into_iter().sum();
    assert_eq!(total, INTENTS);
    let applied = j
        .list(&ListFilter::all().state(State::Applied))
        .await
        .unwrap();
    assert_eq!(applied.len(), INTENTS);
    assert!(applied.iter().all(|i| i.attempts == 1));
}

/// A worker that dies keeps its claim only until the lease expires; then another worker
/// gets the intent, and the dead worker's late writes are refused.
async fn expired_lease_hands_the_intent_to_another_owner(open: Opener) {
    let j = open().await;
    j.create(intent("k", "s")).await.unwrap();
    let held = j.claim("dead", Duration::from_millis(1), 10).await.unwrap();
    assert_eq!(held.len(), 1);
    j.mark_sent("k", "dead").await.unwrap();

    // Wait for the lease to run out by polling the claim (no fixed sleep).
    let deadline = Instant::now() + Duration::from_secs(10);
    let taken = loop {
        let got = j.claim("alive", HOUR, 10).await.unwrap();
        if !got.is_empty() {
            break got;
        }
        assert!(Instant::now() < deadline, "the 1 ms lease never expired");
        tokio::task::yield_now().await;
    };
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].owner.as_deref(), Some("alive"));
    assert_eq!(
        taken[0].state,
        State::Sent,
        "the new owner sees it was sent"
    );

    assert!(matches!(
        j.record_outcome("k", "dead", Outcome::new(State::Sent, State::Applied))
            .await,
        Err(Error::LeaseLost { .. })
    ));
    assert!(matches!(
        j.renew("k", "dead", HOUR).await,
        Err(Error::LeaseLost { .. })
    ));
    // A live lease keeps everyone else away.
    assert!(j.claim("third", HOUR, 10).await.unwrap().is_empty());
    let renewed = j.renew("k", "alive", HOUR).await.unwrap();
    assert!(renewed.lease_until >= taken[0].lease_until);
    let done = j
        .record_outcome("k", "alive", Outcome::new(State::Sent, State::InDoubt))
        .await
        .unwrap();
    assert_eq!(done.state, State::InDoubt);
}

/// A process dropped in the middle (intents created, claimed, one marked sent, none
/// released): reopened, the journal shows each intent where it was.
async fn crash_then_reopen_keeps_every_intent_where_it_was(open: Opener) {
    {
        let j = open().await;
        for key in ["p", "s", "a"] {
            j.create(intent(key, key)).await.unwrap();
        }
        j.claim("crashed", HOUR, 10).await.unwrap();
        j.mark_sent("s", "crashed").await.unwrap();
        j.mark_sent("a", "crashed").await.unwrap();
        j.record_outcome(
            "a",
            "crashed",
            Outcome::new(State::Sent, State::Applied).evidence(json!("rec-1")),
        )
        .await
        .unwrap();
        // Dropped here: no release, no shutdown.
    }
    let j = open().await;
    let p = j.get("p").await.unwrap().unwrap();
    let s = j.get("s").await.unwrap().unwrap();
    let a = j.get("a").await.unwrap().unwrap();
    assert_eq!((p.state, p.attempts), (State::Pending, 0));
    assert_eq!((s.state, s.attempts), (State::Sent, 1));
    assert!(s.sent_at.is_some());
    assert_eq!(s.owner.as_deref(), Some("crashed"));
    assert_eq!(a.state, State::Applied);
    assert_eq!(a.evidence, Some(json!("rec-1")));
    let counts = j.counts().await.unwrap();
    assert_eq!(counts.get(State::Pending), 1);
    assert_eq!(counts.get(State::Sent), 1);
    assert_eq!(counts.get(State::Applied), 1);
    assert_eq!(counts.finished(), 1);
}

/// Listing by state, paging by seq, counts.
async fn list_and_counts(open: Opener) {
    let j = open().await;
    for n in 0..5 {
        j.create(intent(&format!("k{n}"), &format!("s{n}")))
            .await
            .unwrap();
    }
    j.claim("w", HOUR, 2).await.unwrap();
    j.mark_sent("k0", "w").await.unwrap();
    j.mark_sent("k1", "w").await.unwrap();
    j.record_outcome(
        "k1",
        "w",
        Outcome::new(State::Sent, State::Refused).error("no"),
    )
    .await
    .unwrap();

    let all = j.list(&ListFilter::all()).await.unwrap();
    assert_eq!(keys(&all), ["k0", "k1", "k2", "k3", "k4"]);
    let pending = j
        .list(&ListFilter::all().state(State::Pending))
        .await
        .unwrap();
    assert_eq!(pending.len(), 3);
    let two = j
        .list(&ListFilter::all().state(State::Sent).state(State::Refused))
        .await
        .unwrap();
    assert_eq!(keys(&two), ["k0", "k1"]);
    let page = j
        .list(&ListFilter::all().after(all[1].seq).limit(2))
        .await
        .unwrap();
    assert_eq!(keys(&page), ["k2", "k3"]);
    let counts = j.counts().await.unwrap();
    assert_eq!(
        (
            counts.get(State::Pending),
            counts.get(State::Sent),
            counts.get(State::Refused)
        ),
        (3, 1, 1)
    );
    assert_eq!(counts.total(), 5);
}

// Every conformance test, once per store.
per_store!("journal";
    create_if_absent,
    concurrent_create_of_one_key_inserts_once,
    every_transition_legal_and_illegal,
    stale_writes_are_refused,
    outcomes_in_a_batch_are_each_checked,
    concurrent_claims_hand_each_intent_out_once,
    serial_keys_are_served_one_at_a_time,
    serial_keys_hold_under_concurrent_workers,
    expired_lease_hands_the_intent_to_another_owner,
    crash_then_reopen_keeps_every_intent_where_it_was,
    list_and_counts,
);
