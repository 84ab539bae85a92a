//! End to end (issue 14, item 4): `voxkit batch run` applies every row of a file exactly
//! once through the SQLite journal, across answers lost after the provider applied them,
//! and a second run of the same file sends nothing.
//!
//! The real `voxkit` binary against the in-process sandbox over loopback.

mod common;

use std::collections::HashMap;

use voxkit_journal::{Journal as _, NewIntent, SqliteJournal};
use voxkit_sandbox::{Fault, Sandbox};

use common::{
    BATCH_HEADER as HEADER, Scratch, batch, left_sent, recharge_intent, run_args, run_journal,
    sandbox_env,
};

/// The fixture: 5 users, 4 card pairs, and a CSV of 35 recharges, 5 deducts and 12
/// transfers (each pair's transfers of different amounts, so that usage-log matching is
/// exact); returns the file's text, the expected balance of each user and quota of each card.
struct Fixture {
    csv: String,
    balances: HashMap<String, i64>,
    quotas: HashMap<String, u64>,
    movements: usize,
}

fn fixture(sandbox: &Sandbox) -> Fixture {
    // The cards must be the account's own (the sandbox answers another's as unknown).
    let phone = sandbox.seed().espai_phone.clone();
    let users: Vec<String> = (0..5)
        .map(|i| sandbox.add_longlonglong_user(&format!("batch-{i}"), 1_000, None, true))
        .collect();
    let mut balances: HashMap<String, i64> = users.iter().map(|u| (u.clone(), 1_000)).collect();
    let mut quotas = HashMap::new();
    let pairs: Vec<(String, String)> = (0..4)
        .map(|i| {
            let (from, to) = (format!("Src{i}code"), format!("Dst{i}code"));
            sandbox.add_espai_card(&phone, &from, "1", 10_000);
            sandbox.add_espai_card(&phone, &to, "1", 0);
            quotas.insert(from.clone(), 10_000);
            quotas.insert(to.clone(), 0);
            (from, to)
        })
        .collect();
    let mut csv = format!("{HEADER}\n");
    for i in 0..35u64 {
        let user = &users[i as usize % users.len()];
        let amount = 10 + i;
        csv.push_str(&format!(
            "r{i},longlonglong.recharge,{user},{amount},\"top-up {i}, month end\",,,,\n"
        ));
        *balances.get_mut(user).unwrap() += amount as i64;
    }
    for i in 0..5u64 {
        let user = &users[i as usize];
        csv.push_str(&format!("d{i},longlonglong.deduct,{user},{},,,,,\n", 3 + i));
        *balances.get_mut(user).unwrap() -= (3 + i) as i64;
    }
    for i in 0..12u64 {
        let (from, to) = &pairs[i as usize % pairs.len()];
        let amount = 1 + i;
        csv.push_str(&format!(
            "t{i},espai.transfer,,{amount},,{phone},{from},{phone},{to}\n"
        ));
        *quotas.get_mut(from).unwrap() -= amount;
        *quotas.get_mut(to).unwrap() += amount;
    }
    Fixture {
        csv,
        balances,
        quotas,
        movements: 40,
    }
}

fn assert_state(sandbox: &Sandbox, fixture: &Fixture) {
    let mut movements = 0;
    for (user, balance) in &fixture.balances {
        assert_eq!(sandbox.longlonglong_balance(user), Some(*balance), "{user}");
        movements += sandbox.longlonglong_movements(user).len();
    }
    assert_eq!(
        movements, fixture.movements,
        "each row applied exactly once"
    );
    for (code, quota) in &fixture.quotas {
        assert_eq!(
            sandbox.espai_card(code).unwrap().quota,
            *quota,
            "card {code}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_with_lost_answers_applies_every_row_once_and_a_rerun_sends_nothing() {
    let sandbox = Sandbox::start().await.unwrap();
    let fixture = fixture(&sandbox);
    let scratch = Scratch::new("batch-once");
    let file = scratch.file("month-end.csv", fixture.csv.as_bytes());
    let journal = scratch.journal();

    // Applied, then the answer dropped: 6 balance movements and 4 transfers.
    sandbox.set_fault(
        "longlonglong.recharge",
        Fault::default().drop_after(1.0).times(6),
    );
    sandbox.set_fault("espai.transfer", Fault::default().drop_after(1.0).times(4));

    let out = batch(
        &sandbox,
        &file,
        &journal,
        &["--output", "json", "--concurrency", "4"],
    )
    .await
    .expect(0);
    assert_eq!(sandbox.dropped_after_applying(), 10, "the faults fired");
    let summary = out.json();
    assert_eq!(summary["rows"], 52, "{out:#?}");
    assert_eq!(summary["applied"], 52, "{out:#?}");
    for count in [
        "refused",
        "undetermined",
        "skipped",
        "unfinished",
        "rejected",
    ] {
        assert_eq!(summary[count], 0, "{count}: {out:#?}");
    }
    assert_state(&sandbox, &fixture);
    assert!(!out.stderr.contains("Src0code") && !out.stdout.contains("Src0code"));
    let stored = std::fs::read(&journal).unwrap();
    assert!(
        !String::from_utf8_lossy(&stored).contains("Src0code"),
        "the journal holds card codes only as fingerprints"
    );

    // The same file again: every row is final in the journal, nothing is sent.
    sandbox.clear_faults();
    let out = batch(&sandbox, &file, &journal, &["--output", "json"])
        .await
        .expect(0);
    let summary = out.json();
    assert_eq!(summary["skipped"], 52, "{out:#?}");
    assert_eq!(summary["applied"], 0, "{out:#?}");
    assert_state(&sandbox, &fixture);

    // Text output: the summary table.
    let out = batch(&sandbox, &file, &journal, &[]).await.expect(0);
    assert!(out.stdout.contains("skipped"), "{out:#?}");
    assert!(
        out.stdout
            .lines()
            .any(|l| l.split_whitespace().eq(["skipped", "52"]))
    );

    // The journal says so, and never shows a card code.
    let out = run_journal(&sandbox, &journal, &["list", "--state", "applied"])
        .await
        .expect(0);
    assert_eq!(out.stdout.lines().count(), 52, "{out:#?}");
    let out = run_journal(&sandbox, &journal, &["show", "t0", "--output", "json"])
        .await
        .expect(0);
    let intent = &out.json()["intents"][0];
    assert_eq!(intent["state"], "applied", "{out:#?}");
    assert_eq!(intent["operation"], "transfer", "{out:#?}");
    assert!(
        !out.stdout.contains("Src0code") && !out.stdout.contains("Dst0code"),
        "{out:#?}"
    );
    let out = run_journal(&sandbox, &journal, &["show", "nope"])
        .await
        .expect(2);
    assert!(out.stderr.contains("no intent"), "{out:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_row_is_reported_with_its_line_and_nothing_is_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.add_longlonglong_user("bad-rows", 100, None, true);
    let phone = sandbox.seed().espai_phone.clone();
    let scratch = Scratch::new("batch-bad");
    let csv = format!(
        "{HEADER}\n\
         a,longlonglong.recharge,{user},5,,,,,\n\
         b,longlonglong.refund,{user},5,,,,,\n\
         c,longlonglong.recharge,{user},-1,,,,,\n\
         d,espai.transfer,,5,,{phone},abc,,\n"
    );
    let file = scratch.file("bad.csv", csv.as_bytes());
    let journal = scratch.journal();

    let out = batch(&sandbox, &file, &journal, &[]).await.expect(2);
    assert!(out.stderr.contains("line 3: unknown operation"), "{out:#?}");
    assert!(out.stderr.contains("line 4: `amount`"), "{out:#?}");
    assert!(
        out.stderr.contains("line 5: missing `to-phone`"),
        "{out:#?}"
    );
    assert!(out.stderr.contains("nothing was sent"), "{out:#?}");
    assert!(sandbox.longlonglong_movements(&user).is_empty());
    assert!(
        !std::path::Path::new(&journal).exists(),
        "no journal opened"
    );

    let out = batch(&sandbox, &file, &journal, &["--rate", "0"])
        .await
        .expect(2);
    assert!(out.stderr.contains("--rate"), "{out:#?}");

    // --skip-invalid runs the good row only.
    let out = batch(
        &sandbox,
        &file,
        &journal,
        &["--skip-invalid", "--rate", "50", "--output", "json"],
    )
    .await
    .expect(0);
    assert_eq!(out.json()["applied"], 1, "{out:#?}");
    assert_eq!(out.json()["invalid"], 3, "{out:#?}");
    assert_eq!(sandbox.longlonglong_balance(&user), Some(105));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jsonl_dry_run_checks_and_sends_nothing() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.add_longlonglong_user("dry", 100, None, true);
    let scratch = Scratch::new("batch-dry");
    let text = format!(
        "{{\"key\":\"a\",\"operation\":\"longlonglong.recharge\",\"user\":\"{user}\",\"amount\":7}}\n"
    );
    let file = scratch.file("rows.jsonl", text.as_bytes());
    let journal = scratch.journal();
    let out = batch(
        &sandbox,
        &file,
        &journal,
        &["--dry-run", "--output", "json"],
    )
    .await
    .expect(0);
    assert_eq!(out.json()["rows"], 1, "{out:#?}");
    assert!(sandbox.longlonglong_movements(&user).is_empty());
    assert!(!std::path::Path::new(&journal).exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_help_documents_every_column() {
    let sandbox = Sandbox::start().await.unwrap();
    let out = run_args(&sandbox_env(&sandbox), &["batch", "run", "--help"])
        .await
        .expect(0);
    for column in [
        "key",
        "operation",
        "user",
        "amount",
        "remark",
        "from-phone",
        "from-code",
        "to-phone",
        "to-code",
        "card-id",
    ] {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(column)),
            "{column}: {out:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_left_sent_by_a_dead_process_is_reconciled_not_sent_again() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.add_longlonglong_user("crashed", 100, None, true);
    let scratch = Scratch::new("batch-crash");
    let journal = scratch.journal();
    let marker = "vk0123456789abcd";

    // A process journaled row `r0`, marked it sent, sent it (the provider applied it), and
    // died before recording the answer.
    let intent = recharge_intent("r0", &user, 10, Some("crash"), marker);
    let claimed = left_sent(&journal, intent).await;
    assert_eq!(claimed.len(), 1);
    run_args(
        &sandbox_env(&sandbox),
        &[
            "longlonglong",
            "recharge",
            "--user",
            &user,
            "--amount",
            "10",
            "--remark",
            &format!("crash {marker}"),
        ],
    )
    .await
    .expect(0);

    let csv = format!(
        "{HEADER}\n\
         r0,longlonglong.recharge,{user},10,crash,,,,\n\
         r1,longlonglong.recharge,{user},20,,,,,\n"
    );
    let file = scratch.file("resume.csv", csv.as_bytes());
    let out = batch(&sandbox, &file, &journal, &["--output", "json"])
        .await
        .expect(0);
    let summary = out.json();
    assert_eq!(summary["recovered"], 1, "{out:#?}");
    assert_eq!(
        summary["skipped"], 1,
        "r0 was final after recovery: {out:#?}"
    );
    assert_eq!(summary["applied"], 1, "{out:#?}");
    assert_eq!(
        sandbox.longlonglong_balance(&user),
        Some(130),
        "r0 applied once"
    );
    assert_eq!(sandbox.longlonglong_movements(&user).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_balance_and_destroy_rows_are_applied_once_across_lost_answers() {
    let sandbox = Sandbox::start().await.unwrap();
    let phone = sandbox.seed().espai_phone.clone();
    let user = sandbox.add_longlonglong_user("zeroed", 700, None, true);
    let other = sandbox.add_longlonglong_user("recharged", 100, None, true);
    let empty = sandbox.add_espai_card(&phone, "Gone1code", "1", 0);
    let kept = sandbox.add_espai_card(&phone, "Kept1code", "1", 0);
    let scratch = Scratch::new("batch-zero-destroy");
    let csv = format!(
        "key,operation,user,amount,card-id\n\
         z0,longlonglong.zero-balance,{user},,\n\
         r0,longlonglong.recharge,{other},5,\n\
         d0,espai.destroy,,,{empty}\n"
    );
    let file = scratch.file("rows.csv", csv.as_bytes());
    let journal = scratch.journal();
    // Both applied, both answers lost: each is reconciled (the 余额归零 record, the card
    // gone from the list), not sent again.
    sandbox.set_fault(
        "longlonglong.zero_balance",
        Fault::default().drop_after(1.0).times(1),
    );
    sandbox.set_fault("espai.destroy", Fault::default().drop_after(1.0).times(1));

    let out = batch(&sandbox, &file, &journal, &["--output", "json"])
        .await
        .expect(0);
    assert_eq!(sandbox.dropped_after_applying(), 2, "the faults fired");
    assert_eq!(out.json()["applied"], 3, "{out:#?}");
    assert_eq!(sandbox.longlonglong_balance(&user), Some(0));
    let zeroings = sandbox.longlonglong_movements(&user);
    assert_eq!(zeroings.len(), 1, "zeroed once: {zeroings:?}");
    assert_eq!(zeroings[0].remark.as_deref(), Some("余额归零"));
    assert_eq!(sandbox.longlonglong_balance(&other), Some(105));
    let cards = sandbox.espai_cards();
    assert!(!cards.iter().any(|c| c.id == empty), "destroyed");
    assert!(cards.iter().any(|c| c.id == kept), "only the row's card");

    // The journal says how each was found.
    let out = run_journal(&sandbox, &journal, &["show", "d0", "--output", "json"])
        .await
        .expect(0);
    let intent = &out.json()["intents"][0];
    assert_eq!(intent["state"], "applied", "{out:#?}");
    assert_eq!(intent["operation"], "destroy", "{out:#?}");
    assert_eq!(intent["attempts"], 1, "{out:#?}");

    // Run again: nothing is sent (a second zeroing would zero the recharge since).
    sandbox.clear_faults();
    let recharge = format!("{},longlonglong.recharge,{user},9,\n", "r1");
    let file2 = scratch.file("again.csv", format!("{csv}{recharge}").as_bytes());
    let out = batch(&sandbox, &file2, &journal, &["--output", "json"])
        .await
        .expect(0);
    assert_eq!(out.json()["skipped"], 3, "{out:#?}");
    assert_eq!(sandbox.longlonglong_balance(&user), Some(9));

    // A card that is not listed is refused before anything is sent.
    let csv = "key,operation,card-id\nd9,espai.destroy,0123456789abcdef0123456789abcdef\n";
    let file3 = scratch.file("unknown.csv", csv.as_bytes());
    let out = batch(&sandbox, &file3, &journal, &["--output", "json"])
        .await
        .expect(3);
    assert_eq!(out.json()["refused"], 1, "{out:#?}");
    assert!(
        out.stdout.contains("not in the account's card list"),
        "{out:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journal_reconcile_resolves_what_is_in_doubt_and_sends_nothing() {
    let sandbox = Sandbox::start().await.unwrap();
    let env = sandbox_env(&sandbox);
    let applied_user = sandbox.add_longlonglong_user("arrived", 100, None, true);
    let lost_user = sandbox.add_longlonglong_user("never-arrived", 100, None, true);
    let pending_user = sandbox.add_longlonglong_user("pending", 100, None, true);
    let scratch = Scratch::new("journal-reconcile");
    let journal = scratch.journal();

    // `a`: sent and applied by a process that died before recording the answer.
    left_sent(
        &journal,
        recharge_intent("a", &applied_user, 10, None, "vkaaaaaaaaaaaaaa"),
    )
    .await;
    run_args(
        &env,
        &[
            "longlonglong",
            "recharge",
            "--user",
            &applied_user,
            "--amount",
            "10",
            "--remark",
            "vkaaaaaaaaaaaaaa",
        ],
    )
    .await
    .expect(0);
    // `b`: marked sent, but the request never left.
    left_sent(
        &journal,
        recharge_intent("b", &lost_user, 20, None, "vkbbbbbbbbbbbbbb"),
    )
    .await;
    // `c`: journaled, never sent.
    SqliteJournal::open(&journal)
        .await
        .unwrap()
        .create(recharge_intent(
            "c",
            &pending_user,
            30,
            None,
            "vkcccccccccccccc",
        ))
        .await
        .unwrap();

    // One key only.
    let out = run_journal(&sandbox, &journal, &["reconcile", "a"])
        .await
        .expect(0);
    assert!(
        out.stdout.lines().any(|l| l
            .split_whitespace()
            .take(4)
            .eq(["a", "sent", "->", "applied"])),
        "{out:#?}"
    );
    assert!(!out.stdout.contains("vkbbbb"), "only `a`: {out:#?}");

    // Every key: `b` is proven not applied and left for a batch run; `c` is left alone.
    let out = run_journal(&sandbox, &journal, &["reconcile", "--output", "json"])
        .await
        .expect(0);
    let report = out.json();
    let intents = report["intents"].as_array().unwrap();
    let state = |key: &str| {
        intents
            .iter()
            .find(|i| i["key"] == key)
            .map(|i| (i["before"].clone(), i["state"].clone()))
    };
    assert_eq!(
        state("b"),
        Some(("sent".into(), "not_applied".into())),
        "{out:#?}"
    );
    assert_eq!(
        state("c"),
        Some(("pending".into(), "pending".into())),
        "{out:#?}"
    );
    assert_eq!(state("a"), None, "already final: {out:#?}");
    assert_eq!(report["left_undetermined"], 0, "{out:#?}");
    assert_eq!(sandbox.longlonglong_balance(&applied_user), Some(110));
    assert_eq!(
        sandbox.longlonglong_balance(&lost_user),
        Some(100),
        "nothing sent"
    );
    assert_eq!(
        sandbox.longlonglong_balance(&pending_user),
        Some(100),
        "nothing sent"
    );
    assert!(sandbox.longlonglong_movements(&lost_user).is_empty());

    // A transfer left sent cannot be rebuilt without its card codes (the journal keeps
    // fingerprints): left in doubt, exit 5; with its batch file it is reconciled.
    let phone = sandbox.seed().espai_phone.clone();
    sandbox.add_espai_card(&phone, "From7code", "1", 50);
    sandbox.add_espai_card(&phone, "Dest7code", "1", 0);
    {
        use voxkit_journal::ops::espai::code_fingerprint;
        let transfer = NewIntent {
            key: "t".into(),
            provider: "espai".into(),
            operation: "transfer".into(),
            request: serde_json::json!({
                "from_phone": phone, "from_code_sha256": code_fingerprint("From7code"),
                "to_phone": phone, "to_code_sha256": code_fingerprint("Dest7code"),
                "amount": 7,
            }),
            serial: format!("espai:card:{phone}:{}", code_fingerprint("From7code")),
            marker: "vktttttttttttttt".into(),
        };
        left_sent(&journal, transfer).await;
    }
    let out = run_journal(&sandbox, &journal, &["reconcile", "t"])
        .await
        .expect(5);
    assert!(out.stdout.contains("--file"), "{out:#?}");
    assert!(!out.stdout.contains("From7code"), "{out:#?}");
    let csv = format!("{HEADER}\nt,espai.transfer,,7,,{phone},From7code,{phone},Dest7code\n");
    let file = scratch.file("transfers.csv", csv.as_bytes());
    let out = run_journal(&sandbox, &journal, &["reconcile", "t", "--file", &file])
        .await
        .expect(0);
    assert!(
        out.stdout.lines().any(|l| l.split_whitespace().take(4).eq([
            "t",
            "sent",
            "->",
            "not_applied"
        ])),
        "{out:#?}"
    );
    assert_eq!(
        sandbox.espai_card("From7code").unwrap().quota,
        50,
        "nothing sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_journal_url_with_settings_voxkit_refuses_is_invalid_input() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.add_longlonglong_user("pg-tls", 100, None, true);
    let scratch = Scratch::new("batch-pg-tls");
    let csv = format!("{HEADER}\na,longlonglong.recharge,{user},5,,,,,\n");
    let file = scratch.file("rows.csv", csv.as_bytes());
    // Refused from the URL alone (no server is reached): a client certificate, and a CA
    // file that does not exist.
    let missing = scratch.0.join("no-such-ca.pem");
    for (url, says) in [
        (
            "postgres://batch:Pa55w0rd@db.invalid/ops?sslcert=%2Fetc%2Fclient.pem".to_owned(),
            "sslcert",
        ),
        (
            format!(
                "postgres://batch:Pa55w0rd@db.invalid/ops?sslmode=verify-full&sslrootcert={}",
                missing.display()
            ),
            "no-such-ca.pem",
        ),
    ] {
        let out = batch(&sandbox, &file, &url, &[]).await;
        assert_eq!(out.code, 2, "{out:#?}");
        assert!(out.stderr.contains(says), "{out:#?}");
        assert!(!out.stderr.contains("Pa55w0rd"), "{out:#?}");
    }
    assert_eq!(
        sandbox.longlonglong_balance(&user),
        Some(100),
        "nothing sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_journal_url_never_shows_its_password() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.add_longlonglong_user("pg-secret", 100, None, true);
    let scratch = Scratch::new("batch-pg-secret");
    let csv = format!("{HEADER}\na,longlonglong.recharge,{user},5,,,,,\n");
    let file = scratch.file("rows.csv", csv.as_bytes());
    // A port nobody listens on: the connection fails, and the error must not carry the
    // password, written plain or percent-encoded.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://batch:Pa55%2Fw0rd@127.0.0.1:{port}/ops");
    let out = batch(&sandbox, &file, &url, &[]).await;
    assert_ne!(out.code, 0, "{out:#?}");
    for secret in ["Pa55", "w0rd"] {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "{out:#?}"
        );
    }
    assert!(
        out.stderr.contains("postgres://batch:***@127.0.0.1"),
        "{out:#?}"
    );
    assert_eq!(
        sandbox.longlonglong_balance(&user),
        Some(100),
        "nothing sent"
    );
    let out = run_journal(&sandbox, &url, &["list"]).await;
    assert_ne!(out.code, 0, "{out:#?}");
    assert!(
        !out.stderr.contains("Pa55") && !out.stderr.contains("w0rd"),
        "{out:#?}"
    );
}
