//! Exactly once under load: the sandbox applies a share of recharges and quota transfers
//! and then drops the connection instead of answering, while thousands of those operations
//! run concurrently over loopback. Reconciled against the sandbox's state afterwards:
//! every operation reported a success was applied once, every one reported outcome
//! unknown at most once, none twice, and no request was ever sent twice.
//!
//! Run with `--nocapture` to see the figures.

#![cfg(all(feature = "longlonglong", feature = "laaffic", feature = "espai"))]

mod common;

use std::collections::HashMap;
use std::time::Instant;

use futures_util::StreamExt;
use futures_util::stream;
use voxkit::core::Error;
use voxkit::espai::CardKey;
use voxkit::longlonglong::UserId;
use voxkit_sandbox::{Fault, Sandbox};

use common::{Counting, Settings, clients, http_client};

const RECHARGES: usize = 3000;
const TRANSFERS: usize = 2000;
/// Requests in flight at once.
const CONCURRENCY: usize = 64;
/// The share of requests the sandbox applies and then leaves unanswered.
const DROP_SHARE: f64 = 0.2;
/// Every transfer source card starts with this quota.
const SOURCE_QUOTA: u64 = 100;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reported {
    Success,
    Unknown,
}

fn reported(result: Result<(), Error>) -> Reported {
    match result {
        Ok(()) => Reported::Success,
        Err(e) if e.outcome_unknown() => Reported::Unknown,
        Err(e) => panic!("neither success nor outcome unknown: {e:?}"),
    }
}

fn amount_of_recharge(i: usize) -> u64 {
    1 + (i % 9) as u64
}

fn amount_of_transfer(i: usize) -> u64 {
    1 + (i % 50) as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_moves_exactly_once_under_load_and_dropped_answers() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let user_id = sandbox.add_longlonglong_user("负载测试", 0, None, true);
    let user: UserId = user_id.parse().expect("a UUID");
    // The account's own cards: an ESP-AI key moves only its account's cards.
    let phone = sandbox.seed().espai_phone.clone();
    let (source_phone, target_phone) = (phone.as_str(), phone.as_str());
    for i in 0..TRANSFERS {
        sandbox.add_espai_card(source_phone, &format!("LOAD{i:05}"), "1", SOURCE_QUOTA);
    }
    sandbox.add_espai_card(target_phone, "LOADTARGET", "1", 0);
    let target = CardKey::new(target_phone, "LOADTARGET");
    let fault = Fault::default().drop_after(DROP_SHARE);
    sandbox.set_fault("longlonglong.recharge", fault.clone());
    sandbox.set_fault("espai.transfer", fault);

    let transport = Counting::new(http_client());
    let c = clients(&sandbox.url(), transport.clone(), Settings::default());

    // Recharges and transfers interleaved, `CONCURRENCY` at a time.
    let started = Instant::now();
    let work = (0..RECHARGES.max(TRANSFERS)).flat_map(|i| {
        let recharge = (i < RECHARGES).then_some((true, i));
        let transfer = (i < TRANSFERS).then_some((false, i));
        recharge.into_iter().chain(transfer)
    });
    let results: Vec<(bool, usize, Reported)> = stream::iter(work)
        .map(|(is_recharge, i)| {
            let (c, user, target) = (&c, &user, &target);
            async move {
                let result = if is_recharge {
                    let remark = format!("load-{i}");
                    c.longlonglong
                        .recharge(user, amount_of_recharge(i), Some(&remark))
                        .await
                        .map(drop)
                } else {
                    let from = CardKey::new(source_phone, format!("LOAD{i:05}"));
                    c.espai
                        .transfer(&from, target, amount_of_transfer(i))
                        .await
                        .map(drop)
                };
                (is_recharge, i, reported(result))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let took = started.elapsed();
    sandbox.clear_faults();

    // What the sandbox applied.
    let mut recharged: HashMap<String, Vec<u64>> = HashMap::new();
    let movements = sandbox.longlonglong_movements(&user_id);
    for m in &movements {
        let remark = m.remark.clone().expect("every recharge has a remark");
        recharged
            .entry(remark)
            .or_default()
            .push(u64::try_from(m.amount).expect("positive"));
    }
    let quota_of: HashMap<String, u64> = sandbox
        .espai_cards()
        .into_iter()
        .map(|card| (card.code, card.quota))
        .collect();

    let mut failures = Vec::new();
    let (mut successes, mut unknowns, mut applied) = (0usize, 0usize, 0usize);
    let mut moved_to_target = 0u64;
    for &(is_recharge, i, reported) in &results {
        let times = if is_recharge {
            let amounts = recharged.remove(&format!("load-{i}")).unwrap_or_default();
            if amounts.iter().any(|&a| a != amount_of_recharge(i)) {
                failures.push(format!("recharge {i}: applied with amounts {amounts:?}"));
            }
            amounts.len()
        } else {
            let left = quota_of[&format!("LOAD{i:05}")];
            let moved = SOURCE_QUOTA - left;
            let amount = amount_of_transfer(i);
            if moved % amount != 0 {
                failures.push(format!(
                    "transfer {i}: {moved} moved, not a multiple of {amount}"
                ));
            }
            moved_to_target += moved;
            usize::try_from(moved / amount).expect("small")
        };
        let what = if is_recharge { "recharge" } else { "transfer" };
        match reported {
            Reported::Success => {
                successes += 1;
                if times != 1 {
                    failures.push(format!(
                        "{what} {i}: reported success, applied {times} times"
                    ));
                }
            }
            Reported::Unknown => {
                unknowns += 1;
                if times > 1 {
                    failures.push(format!(
                        "{what} {i}: outcome unknown, applied {times} times"
                    ));
                }
            }
        }
        applied += times;
    }
    if !recharged.is_empty() {
        failures.push(format!("movements nobody asked for: {recharged:?}"));
    }
    let target_quota = quota_of["LOADTARGET"];
    if target_quota != moved_to_target {
        failures.push(format!(
            "the target card received {target_quota}, the sources gave {moved_to_target}"
        ));
    }
    let balance = sandbox.longlonglong_balance(&user_id).expect("user");
    let recharged_total: i64 = movements.iter().map(|m| m.amount).sum();
    if balance != recharged_total {
        failures.push(format!(
            "balance {balance} but movements add up to {recharged_total}"
        ));
    }

    let ops = RECHARGES + TRANSFERS;
    let dropped = usize::try_from(sandbox.dropped_after_applying()).expect("small");
    eprintln!(
        "exactly once: {ops} operations ({RECHARGES} recharges, {TRANSFERS} transfers), \
         {CONCURRENCY} at a time, in {took:.2?}: {} requests sent, {successes} reported success, \
         {unknowns} reported outcome unknown, {applied} applied, {dropped} answers dropped \
         after applying, 0 applied twice",
        transport.attempts(),
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert_eq!(results.len(), ops);
    assert_eq!(successes + unknowns, ops);
    // No request was ever sent a second time: one attempt per operation.
    assert_eq!(
        transport.attempts(),
        ops,
        "a money-moving request was re-sent"
    );
    // Every dropped answer was reported as an unknown outcome, and nothing else was.
    assert_eq!(unknowns, dropped);
    // Here every unknown outcome had in fact been applied (the sandbox drops only after
    // applying), so everything was applied exactly once.
    assert_eq!(applied, ops);
    // The drop share took effect (a loose bound: the draws are seeded, the order is not).
    assert!(
        unknowns > ops / 10 && unknowns < ops * 3 / 10,
        "{unknowns} unknown outcomes of {ops}"
    );
}
