//! The fleet test (issue 14, item 5): three `voxkit batch run` processes started at once on
//! the same file and one PostgreSQL journal, against one in-process sandbox that drops some
//! answers after applying them. Every row must be applied exactly once (sandbox balances,
//! recharge histories and card usage logs), each by exactly one process, and the journal
//! must say so.
//!
//! It needs a PostgreSQL server: `cargo xtask ci` starts a throw-away cluster and sets
//! `VOXKIT_TEST_POSTGRES_URL` (the journal's own PostgreSQL tests follow the same rule). The
//! test is compiled under the `test-postgres` feature (on in CI's `--all-features`), and fails
//! when the variable is missing: a missing database never counts as a pass.
#![cfg(feature = "test-postgres")]

mod common;

use std::collections::HashMap;
use std::time::Instant;

use voxkit_sandbox::{Fault, Sandbox};

use common::{
    BATCH_HEADER as HEADER, Out, Scratch, espai_client, run_args, run_journal, sandbox_env,
    usage_log,
};

const URL_VAR: &str = "VOXKIT_TEST_POSTGRES_URL";
const USERS: usize = 20;
const PAIRS: usize = 10;
const RECHARGES: u64 = 200;
const TRANSFERS: u64 = 100;
const PROCESSES: usize = 3;

fn postgres_url() -> String {
    std::env::var(URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{URL_VAR} is not set: the fleet test needs a PostgreSQL server. Run it with \
             `cargo xtask ci`, which starts a throw-away cluster, or set \
             {URL_VAR}=postgres://… to a database it may write schemas into."
        )
    })
}

/// A schema of its own per run, so that reruns and parallel runs never share a journal.
fn fresh_schema() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("fleet_{}_{}", std::process::id(), nanos % 1_000_000_000_000)
}

/// What the sandbox must hold at the end.
struct Expected {
    csv: String,
    balances: HashMap<String, i64>,
    movements: HashMap<String, usize>,
    quotas: HashMap<String, u64>,
    /// Card code → (card id, transfers out, transfers in).
    cards: HashMap<String, (String, usize, usize)>,
}

/// 200 recharges over 20 users and 100 transfers over 10 card pairs (each pair's ten of
/// different amounts, so that usage-log matching is exact), interleaved.
fn fixture(sandbox: &Sandbox) -> Expected {
    // The cards must be the account's own (the sandbox answers another's as unknown).
    let phone = sandbox.seed().espai_phone.clone();
    let users: Vec<String> = (0..USERS)
        .map(|i| sandbox.add_longlonglong_user(&format!("fleet-{i}"), 1_000, None, true))
        .collect();
    let mut balances: HashMap<String, i64> = users.iter().map(|u| (u.clone(), 1_000)).collect();
    let mut movements: HashMap<String, usize> = users.iter().map(|u| (u.clone(), 0)).collect();
    let mut quotas = HashMap::new();
    let mut cards = HashMap::new();
    let pairs: Vec<(String, String)> = (0..PAIRS)
        .map(|i| {
            let (from, to) = (format!("FleetSrc{i}"), format!("FleetDst{i}"));
            let from_id = sandbox.add_espai_card(&phone, &from, "1", 100_000);
            let to_id = sandbox.add_espai_card(&phone, &to, "1", 0);
            quotas.insert(from.clone(), 100_000);
            quotas.insert(to.clone(), 0);
            cards.insert(from.clone(), (from_id, 0, 0));
            cards.insert(to.clone(), (to_id, 0, 0));
            (from, to)
        })
        .collect();
    let mut csv = format!("{HEADER}\n");
    let (mut r, mut t) = (0u64, 0u64);
    while r < RECHARGES || t < TRANSFERS {
        for _ in 0..2 {
            if r < RECHARGES {
                let user = &users[r as usize % USERS];
                let amount = 1 + r;
                csv.push_str(&format!(
                    "r{r},longlonglong.recharge,{user},{amount},fleet {r},,,,\n"
                ));
                *balances.get_mut(user).unwrap() += amount as i64;
                *movements.get_mut(user).unwrap() += 1;
                r += 1;
            }
        }
        if t < TRANSFERS {
            let (from, to) = &pairs[t as usize % PAIRS];
            let amount = 1 + t / PAIRS as u64;
            csv.push_str(&format!(
                "t{t},espai.transfer,,{amount},,{phone},{from},{phone},{to}\n"
            ));
            *quotas.get_mut(from).unwrap() -= amount;
            *quotas.get_mut(to).unwrap() += amount;
            cards.get_mut(from).unwrap().1 += 1;
            cards.get_mut(to).unwrap().2 += 1;
            t += 1;
        }
    }
    Expected {
        csv,
        balances,
        movements,
        quotas,
        cards,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_on_one_postgres_journal_apply_every_row_exactly_once() {
    let url = postgres_url();
    let schema = fresh_schema();
    let sandbox = Sandbox::start().await.unwrap();
    let expected = fixture(&sandbox);
    let rows = (RECHARGES + TRANSFERS) as usize;
    let scratch = Scratch::new("fleet");
    let file = scratch.file("fleet.csv", expected.csv.as_bytes());
    let env = sandbox_env(&sandbox);

    // Some answers are lost after the provider applied them: in doubt, reconciled by
    // whichever process holds the intent.
    sandbox.set_fault("longlonglong.recharge", Fault::default().drop_after(0.1));
    sandbox.set_fault("espai.transfer", Fault::default().drop_after(0.1));

    let args: Vec<&str> = vec![
        "batch",
        "run",
        &file,
        "--journal",
        &url,
        "--journal-schema",
        &schema,
        "--concurrency",
        "8",
        "--output",
        "json",
    ];
    let started = Instant::now();
    let (a, b, c) = tokio::join!(
        run_args(&env, &args),
        run_args(&env, &args),
        run_args(&env, &args)
    );
    let elapsed = started.elapsed();
    let outs: Vec<Out> = vec![a, b, c];

    let mut here = Vec::new();
    for (i, out) in outs.iter().enumerate() {
        assert_eq!(out.code, 0, "process {i}: {out:#?}");
        let summary = out.json();
        assert_eq!(summary["rows"], rows, "process {i}: {out:#?}");
        let applied = summary["applied"].as_u64().unwrap();
        let skipped = summary["skipped"].as_u64().unwrap();
        assert_eq!(
            applied + skipped,
            rows as u64,
            "process {i}: every row final: {out:#?}"
        );
        for count in ["refused", "undetermined", "unfinished", "rejected"] {
            assert_eq!(summary[count], 0, "process {i} {count}: {out:#?}");
        }
        here.push(summary["applied_here"].as_u64().unwrap());
    }
    let dropped = sandbox.dropped_after_applying();
    eprintln!(
        "fleet: {rows} rows ({RECHARGES} recharges over {USERS} users, {TRANSFERS} transfers \
         over {PAIRS} card pairs), {PROCESSES} processes at --concurrency 8 on one PostgreSQL \
         journal; applied per process {here:?}; {dropped} answers dropped after applying \
         (in doubt, reconciled); wall time {elapsed:.2?} ({:.0} rows/s)",
        rows as f64 / elapsed.as_secs_f64()
    );
    assert_eq!(
        here.iter().sum::<u64>(),
        rows as u64,
        "each row applied by exactly one process: {here:?}"
    );
    assert!(dropped > 0, "the faults fired");

    // The sandbox: balances, one history row per recharge, quotas, one usage-log row per
    // transfer on each card.
    for (user, balance) in &expected.balances {
        assert_eq!(sandbox.longlonglong_balance(user), Some(*balance), "{user}");
        assert_eq!(
            sandbox.longlonglong_movements(user).len(),
            expected.movements[user],
            "{user}: one history row per recharge"
        );
    }
    for (code, quota) in &expected.quotas {
        assert_eq!(
            sandbox.espai_card(code).unwrap().quota,
            *quota,
            "card {code}"
        );
    }
    let espai = espai_client(&sandbox);
    for (code, (id, out, into)) in &expected.cards {
        let logs = usage_log(&espai, id).await;
        let kind = |k: &str| {
            logs.iter()
                .filter(|l| l.cdkey_id == *id && l.log_type.as_deref() == Some(k))
                .count()
        };
        assert_eq!(kind("2"), *out, "card {code}: transfers out");
        assert_eq!(kind("1"), *into, "card {code}: transfers in");
    }

    // The journal says so: every intent applied, each sent exactly once.
    let list = ["list", "--journal-schema", &schema, "--output", "json"];
    let out = run_journal(&sandbox, &url, &list).await.expect(0);
    let listed = out.json();
    let intents = listed["intents"].as_array().unwrap();
    assert_eq!(intents.len(), rows, "{out:#?}");
    for intent in intents {
        assert_eq!(intent["state"], "applied", "{intent}");
        // With the sandbox's history up to date at once, a lost answer is always found
        // applied: no intent is ever sent a second time.
        assert_eq!(intent["attempts"], 1, "{intent}");
    }
    assert!(!out.stdout.contains("FleetSrc0"), "card codes never appear");

    // Nothing is left in doubt: a reconcile run has nothing to do.
    let out = run_journal(&sandbox, &url, &["reconcile", "--journal-schema", &schema])
        .await
        .expect(0);
    assert!(out.stdout.contains("nothing in doubt"), "{out:#?}");
}
