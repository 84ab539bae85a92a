//! The SDK's `*_exactly_once` calls against the sandbox, under its two lost-answer faults:
//! applied-then-dropped (the operation was applied, the answer lost) must end `Applied`
//! without a second send; dropped-before-handling (nothing applied) must end `Applied` after
//! exactly one re-send. Either way the sandbox shows the operation applied once. And the
//! ambiguous case, two matching rows, is `Undetermined`: never a guess.

#![cfg(all(feature = "longlonglong", feature = "espai", feature = "laaffic"))]

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use voxkit::core::{ExactlyOnceOutcome, Marker, ReconcileWait, Verdict};
use voxkit::espai::CardKey;
use voxkit::laaffic::{Callee, NewTask, VoiceSource, marked_task_name};
use voxkit::longlonglong::{Direction, UserId, marked_remark};
use voxkit_sandbox::{Fault, Sandbox};

use common::{Clients, Counting, Settings, clients, http_client};

/// A short wait: the sandbox's history is up to date at once.
const FAST: ReconcileWait = ReconcileWait {
    tries: 4,
    first_backoff: Duration::from_millis(2),
    max_backoff: Duration::from_millis(10),
    not_applied_looks: 2,
};

/// The sandbox's answer is applied, then the connection dropped.
fn applied_then_dropped() -> Fault {
    Fault::default().drop_after(1.0).times(1)
}

/// The connection is dropped before the sandbox handles the request.
fn dropped_before_handling() -> Fault {
    Fault::default().drop_before(1.0).times(1)
}

async fn start() -> (Sandbox, Clients, Arc<Counting>) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let transport = Counting::new(http_client());
    let c = clients(&sandbox.url(), transport.clone(), Settings::default());
    (sandbox, c, transport)
}

/// Each lost-answer fault with whether the exactly-once call must re-send after it: after
/// applied-then-dropped the operation is found and not re-sent, after dropped-before-handling
/// it is re-sent once. One table, so every operation is checked under the same two cases.
fn both_faults() -> [(Fault, bool); 2] {
    [
        (applied_then_dropped(), false),
        (dropped_before_handling(), true),
    ]
}

/// A fresh sandbox and clients with `fault` set on `route` (seeding the sandbox afterwards is
/// direct, so the fault meets the first request the test sends on that route).
async fn start_with_fault(route: &str, fault: Fault) -> (Sandbox, Clients) {
    let (sandbox, c, _) = start().await;
    sandbox.set_fault(route, fault);
    (sandbox, c)
}

/// The outcome's evidence and whether it was re-sent; panics unless applied.
fn applied(outcome: ExactlyOnceOutcome) -> (serde_json::Value, bool) {
    match outcome {
        ExactlyOnceOutcome::Applied {
            evidence, resent, ..
        } => (evidence, resent),
        other => panic!("not applied: {other:?}"),
    }
}

/// Runs a recharge or deduction exactly once under `fault`; returns whether it was re-sent
/// after checking the sandbox holds exactly one movement with the marker, of `amount`.
async fn balance_move(direction: Direction, fault: Fault) -> bool {
    let (sandbox, c) = start_with_fault("longlonglong.recharge", fault).await;
    let user_id = sandbox.add_longlonglong_user("对账", 1000, None, true);
    let user: UserId = user_id.parse().expect("a UUID");
    let marker = Marker::generate();
    let outcome = c
        .longlonglong
        .move_exactly_once(direction, &user, 7, Some("月末 order 17"), &marker, &FAST)
        .await
        .expect("no refusal");
    let (evidence, resent) = applied(outcome);
    let rows: Vec<_> = sandbox
        .longlonglong_movements(&user_id)
        .into_iter()
        .filter(|m| m.remark.as_deref().is_some_and(|r| marker.found_in(r)))
        .collect();
    assert_eq!(rows.len(), 1, "applied exactly once: {rows:?}");
    assert_eq!(rows[0].amount, 7);
    assert_eq!(
        rows[0].remark.as_deref(),
        Some(marked_remark(Some("月末 order 17"), &marker).as_str())
    );
    let expected = if direction == Direction::Recharge {
        1007
    } else {
        993
    };
    assert_eq!(sandbox.longlonglong_balance(&user_id), Some(expected));
    if !resent {
        // Reconciled: the evidence is the history row itself.
        assert_eq!(evidence["id"].as_u64(), Some(rows[0].id), "{evidence}");
    }
    resent
}

/// A recharge and a deduction under each fault: found and not re-sent after
/// applied-then-dropped, re-sent once after dropped-before-handling.
#[tokio::test]
async fn balance_moves_under_both_faults_are_applied_once() {
    for direction in [Direction::Recharge, Direction::Deduct] {
        assert!(
            !balance_move(direction, applied_then_dropped()).await,
            "{direction:?} applied then dropped: found, not re-sent"
        );
        assert!(
            balance_move(direction, dropped_before_handling()).await,
            "{direction:?} dropped before handling: re-sent once"
        );
    }
}

#[tokio::test]
async fn recharge_exactly_once_without_a_fault_sends_once() {
    let (sandbox, c, transport) = start().await;
    let user_id = sandbox.add_longlonglong_user("对账", 0, None, true);
    let user: UserId = user_id.parse().expect("a UUID");
    let outcome = c
        .longlonglong
        .recharge_exactly_once(&user, 5, None)
        .await
        .expect("applied");
    let (_, resent) = applied(outcome.clone());
    assert!(!resent);
    assert_eq!(transport.attempts(), 1);
    let ExactlyOnceOutcome::Applied {
        marker: Some(marker),
        ..
    } = outcome
    else {
        panic!("a marked recharge reports its marker")
    };
    let rows = sandbox.longlonglong_movements(&user_id);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].remark.as_deref(), Some(marker.as_str()));
}

#[tokio::test]
async fn two_rows_with_the_marker_are_undetermined_and_never_resent() {
    let (sandbox, c, _) = start().await;
    let user_id = sandbox.add_longlonglong_user("对账", 0, None, true);
    let user: UserId = user_id.parse().expect("a UUID");
    let marker = Marker::generate();
    let since = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
    // Someone reused the marker: one row already carries it.
    let remark = marked_remark(Some("x"), &marker);
    c.longlonglong
        .recharge(&user, 3, Some(&remark))
        .await
        .expect("recharged");
    sandbox.set_fault("longlonglong.recharge", applied_then_dropped());
    let outcome = c
        .longlonglong
        .move_exactly_once(Direction::Recharge, &user, 3, Some("x"), &marker, &FAST)
        .await
        .expect("no refusal");
    assert!(
        matches!(&outcome, ExactlyOnceOutcome::Undetermined { why, .. } if why.contains("2 rows")),
        "{outcome:?}"
    );
    // Sent once by the exactly-once call, not again.
    assert_eq!(sandbox.longlonglong_movements(&user_id).len(), 2);
    let verdict = c
        .longlonglong
        .reconcile_balance_move(&user, Direction::Recharge, 3, &marker, since)
        .await;
    assert!(matches!(verdict, Verdict::Undetermined(_)), "{verdict:?}");
    // A row with the marker but another amount is not this movement's proof either.
    let other = Marker::generate();
    c.longlonglong
        .recharge(&user, 4, Some(other.as_str()))
        .await
        .expect("recharged");
    let verdict = c
        .longlonglong
        .reconcile_balance_move(&user, Direction::Recharge, 3, &other, since)
        .await;
    assert!(matches!(verdict, Verdict::Undetermined(_)), "{verdict:?}");
    let verdict = c
        .longlonglong
        .reconcile_balance_move(&user, Direction::Deduct, 4, &other, since)
        .await;
    assert!(matches!(verdict, Verdict::Undetermined(_)), "{verdict:?}");
}

#[tokio::test]
async fn zero_balance_is_found_by_its_record() {
    for (fault, resent) in both_faults() {
        let (sandbox, c) = start_with_fault("longlonglong.zero_balance", fault).await;
        let user_id = sandbox.add_longlonglong_user("对账", 50, None, true);
        let user: UserId = user_id.parse().expect("a UUID");
        let outcome = c
            .longlonglong
            .zero_balance_exactly_once(&user, &FAST)
            .await
            .expect("no refusal");
        assert_eq!(applied(outcome).1, resent);
        assert_eq!(sandbox.longlonglong_balance(&user_id), Some(0));
        assert_eq!(sandbox.longlonglong_movements(&user_id).len(), 1);
    }
}

/// Two paid cards of the account (the key sees only its own cards' logs): `(from, to)`,
/// the source holding `quota`.
fn cards(sandbox: &Sandbox, quota: u64) -> (CardKey, CardKey) {
    let phone = sandbox.seed().espai_phone.clone();
    sandbox.add_espai_card(&phone, "SRC00001", "1", quota);
    sandbox.add_espai_card(&phone, "DST00001", "1", 0);
    (
        CardKey::new(phone.as_str(), "SRC00001"),
        CardKey::new(phone.as_str(), "DST00001"),
    )
}

#[tokio::test]
async fn transfer_under_both_faults_is_applied_once() {
    for (fault, resent) in both_faults() {
        let (sandbox, c) = start_with_fault("espai.transfer", fault).await;
        let (from, to) = cards(&sandbox, 100);
        let outcome = c
            .espai
            .transfer_exactly_once(&from, &to, 30, &FAST)
            .await
            .expect("no refusal");
        let (evidence, was_resent) = applied(outcome);
        assert_eq!(was_resent, resent, "{evidence}");
        assert_eq!(sandbox.espai_card("SRC00001").expect("source").quota, 70);
        assert_eq!(sandbox.espai_card("DST00001").expect("target").quota, 30);
        if !resent {
            assert_eq!(evidence["source"]["api_limit"].as_i64(), Some(30));
        }
    }
}

#[tokio::test]
async fn two_transfers_of_one_amount_are_undetermined() {
    let (sandbox, c, _) = start().await;
    let (from, to) = cards(&sandbox, 100);
    let since = SystemTime::now();
    // A transfer of another amount is no candidate.
    c.espai.transfer(&from, &to, 11).await.expect("transferred");
    assert_eq!(
        c.espai.reconcile_transfer(&from, &to, 10, since).await,
        Verdict::NotApplied
    );
    c.espai.transfer(&from, &to, 10).await.expect("transferred");
    assert!(matches!(
        c.espai.reconcile_transfer(&from, &to, 10, since).await,
        Verdict::Applied(_)
    ));
    c.espai.transfer(&from, &to, 10).await.expect("transferred");
    assert!(matches!(
        c.espai.reconcile_transfer(&from, &to, 10, since).await,
        Verdict::Undetermined(_)
    ));
}

/// A target card of another account: its log cannot be read with this key, so a row of the
/// amount on the source card is no proof (it could be a use of the card of the same amount):
/// the lost answer is `Undetermined` and nothing is re-sent. Nothing on the source card
/// proves "not applied", and then the one re-send happens.
#[tokio::test]
async fn a_transfer_to_another_accounts_card_is_undetermined_when_applied_and_resent_when_not() {
    for (fault, applied_once) in both_faults() {
        let (sandbox, c) = start_with_fault("espai.transfer", fault).await;
        let phone = sandbox.seed().espai_phone.clone();
        sandbox.add_espai_card(&phone, "SRC00009", "1", 100);
        sandbox.add_espai_card("13900000009", "DST00009", "1", 0);
        let from = CardKey::new(phone, "SRC00009");
        let to = CardKey::new("13900000009", "DST00009");
        let outcome = c
            .espai
            .transfer_exactly_once(&from, &to, 30, &FAST)
            .await
            .expect("no refusal");
        let target = sandbox.espai_card("DST00009").expect("target").quota;
        // 30, not 60: applied exactly once either way (a second send would move 30 more).
        assert_eq!(target, 30);
        if applied_once {
            let (_, resent) = applied(outcome);
            assert!(resent, "proven not applied, then sent once more");
        } else {
            assert!(
                matches!(&outcome, ExactlyOnceOutcome::Undetermined { why, .. } if why.contains("another account")),
                "{outcome:?}"
            );
        }
    }
}

#[tokio::test]
async fn destroy_under_both_faults_is_applied_once() {
    for (fault, resent) in both_faults() {
        let (sandbox, c) = start_with_fault("espai.destroy", fault).await;
        // A paid card with nothing left, in the account's own list.
        let phone = sandbox.seed().espai_phone.clone();
        let id = sandbox.add_espai_card(&phone, "GONE0001", "1", 0);
        let outcome = c
            .espai
            .destroy_exactly_once(&[id.as_str()], &FAST)
            .await
            .expect("no refusal");
        assert_eq!(applied(outcome).1, resent);
        assert!(sandbox.espai_card("GONE0001").is_none());
    }
}

#[tokio::test]
async fn a_card_not_listed_is_refused_before_destroying() {
    let (sandbox, c, transport) = start().await;
    // Another person's card: not in the account's list, so "gone" would prove nothing.
    let id = sandbox.add_espai_card("13900000009", "OTHER001", "1", 0);
    let before = transport.attempts();
    let error = c
        .espai
        .destroy_exactly_once(&[id.as_str()], &FAST)
        .await
        .expect_err("refused");
    assert!(
        matches!(error, voxkit::Error::InvalidInput { .. }),
        "{error:?}"
    );
    assert!(sandbox.espai_card("OTHER001").is_some());
    // Only the list was read.
    assert_eq!(transport.attempts(), before + 1);
}

/// A task named `name` with the seeded voice file and one number.
fn task(sandbox: &Sandbox, name: &str) -> NewTask {
    NewTask::new(
        "4luaKsL2",
        name,
        VoiceSource::file(sandbox.seed().laaffic_voice_file.as_str()),
        [Callee::new("8613500000000")],
    )
}

#[tokio::test]
async fn create_task_under_both_faults_is_created_once() {
    for (fault, resent) in both_faults() {
        let (sandbox, c) = start_with_fault("laaffic.task_create", fault).await;
        let marker = Marker::generate();
        let name = marked_task_name("月末回访", &marker);
        let outcome = c
            .laaffic
            .create_task_exactly_once(&task(&sandbox, &name), &FAST)
            .await
            .expect("no refusal");
        assert_eq!(applied(outcome).1, resent);
        let created: Vec<_> = sandbox
            .laaffic_tasks()
            .into_iter()
            .filter(|t| marker.found_in(&t.name))
            .collect();
        assert_eq!(created.len(), 1, "{created:?}");
    }
}

#[tokio::test]
async fn a_task_name_without_a_marker_is_refused_and_two_tasks_are_undetermined() {
    let (sandbox, c, transport) = start().await;
    let error = c
        .laaffic
        .create_task_exactly_once(&task(&sandbox, "月末回访"), &FAST)
        .await
        .expect_err("no marker");
    assert!(
        matches!(error, voxkit::Error::InvalidInput { .. }),
        "{error:?}"
    );
    assert_eq!(transport.attempts(), 0);
    // Two tasks carrying one marker (the names differ in the caller's part).
    let marker = Marker::generate();
    let since = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
    for text in ["一", "二"] {
        c.laaffic
            .create_task(&task(&sandbox, &marked_task_name(text, &marker)))
            .await
            .expect("created");
    }
    let verdict = c.laaffic.reconcile_create_task(&marker, since).await;
    assert!(matches!(verdict, Verdict::Undetermined(_)), "{verdict:?}");
    assert_eq!(
        c.laaffic
            .reconcile_create_task(&Marker::generate(), since)
            .await,
        Verdict::NotApplied
    );
}
