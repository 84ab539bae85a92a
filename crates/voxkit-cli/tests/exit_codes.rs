//! End to end: the exit codes the real `voxkit` binary promises — 2 for invalid input and
//! configuration (nothing sent), 4 for transport and HTTP failures, 5 for an unknown
//! outcome (applied once, never resent, with how to check) — and that no secret is ever
//! printed, even with trace logging.
//!
//! Every test starts its own sandbox in this process and runs the binary with the
//! sandbox's environment (credentials and `*_BASE_URL`), nothing inherited. The child runs
//! as a `tokio::process` so that the sandbox keeps serving while the test waits. Command
//! lines are written as one string, split on whitespace.

#[macro_use]
mod common;

use std::time::Duration;

use serde_json::Value;
use voxkit_sandbox::{
    ESPAI_OPEN_API_KEY, Fault, LAAFFIC_API_KEY, LAAFFIC_API_SECRET, LONGLONGLONG_TOKEN, Sandbox,
};

use common::{
    Env, OTHER_CODE, OTHER_PHONE, Out, dead_url, drop_next_answer, in_sandbox as voxkit,
    longlonglong_sandbox, pinned_sandbox, quotas, run_stdin, sandbox_env, voxkit_stdin, with,
};

// ----- exit codes 2 and 4 -------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_input_and_configuration_are_exit_2_with_nothing_sent() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let recharge = format!("longlonglong recharge --user {user} --amount 5 --output json");

    // A missing credential, for each provider.
    for (var, command) in [
        ("LONGLONGLONG_TOKEN", recharge.as_str()),
        ("LAAFFIC_API_SECRET", "laaffic balance --output json"),
        ("ESPAI_OPEN_API_KEY", "espai cdkey list --output json"),
    ] {
        let env = with(sandbox_env(&sandbox), &[(var, "")]);
        let out = run_stdin(&env, None, command).await.expect(2);
        let error = out.error();
        assert_eq!(error["kind"], "config", "{var}");
        assert!(error["message"].as_str().unwrap().contains(var), "{error}");
    }
    // Plain http to a remote host is refused.
    let env = with(
        sandbox_env(&sandbox),
        &[("LONGLONGLONG_BASE_URL", "http://example.com")],
    );
    let out = run_stdin(&env, None, &recharge).await.expect(2);
    assert_eq!(out.error()["kind"], "config");

    // A bad id, and usage errors, as JSON when asked.
    let out =
        voxkit!(sandbox, "longlonglong recharge --user ../admin --amount 5 --output json" => 2);
    assert_eq!(out.error()["kind"], "invalid_input");
    for command in [
        format!("longlonglong recharge --user {user} --output json"),
        format!("longlonglong recharge --user {user} --amount 0 --output=json"),
        "--output json longlonglong frobnicate".to_owned(),
        "--output json --timeout 0 laaffic balance".to_owned(),
        "--output json espai cdkey list --all --page 2".to_owned(),
    ] {
        let out = voxkit(&sandbox, &command).await.expect(2);
        let error = out.error();
        assert_eq!(error["kind"], "usage", "{command}");
        assert!(
            error["hint"].as_str().unwrap().contains("--help"),
            "{error}"
        );
    }
    let out = voxkit!(sandbox, "longlonglong recharge --user {user}" => 2);
    assert!(out.error_line().contains("--amount"), "{out:#?}");
    voxkit!(sandbox, "--output yaml laaffic balance" => 2);
    let out = voxkit!(sandbox, "" => 2);
    assert!(out.stderr.contains("Usage:"), "{out:#?}");

    assert_eq!(sandbox.longlonglong_balance(&user), Some(1000));
    assert!(
        sandbox.longlonglong_movements(&user).is_empty(),
        "nothing was sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_and_http_failures_are_exit_4() {
    let (sandbox, user) = longlonglong_sandbox().await;

    // Nothing listens: a read fails after its retries.
    let env = with(
        sandbox_env(&sandbox),
        &[("LONGLONGLONG_BASE_URL", &dead_url())],
    );
    let account = format!("longlonglong account --user {user}");
    let out = voxkit!(env: env, "{account} --output json" => 4);
    let error = out.error();
    assert_eq!(error["kind"], "transport");
    assert_eq!(error["operation"], "account_info");
    let out = run_stdin(&env, None, &account).await.expect(4);
    assert!(out.error_line().contains("could not connect"), "{out:#?}");
    // A recharge that could not connect was certainly not sent: 4, not 5.
    voxkit!(env: env, "longlonglong recharge --user {user} --amount 1" => 4);

    // 503 on every attempt of a read: retries exhausted.
    sandbox.set_fault(
        "longlonglong.recharge_history",
        Fault::default().error(1.0, 503),
    );
    let out = voxkit!(sandbox, "longlonglong recharges --user {user} --output json" => 4);
    let error = out.error();
    assert_eq!(error["kind"], "http_status");
    assert_eq!(error["http_status"], 503);

    // 503 on a recharge: a proxy can answer 503 after forwarding, so a money operation
    // does not take it as "not applied" (issue 12): exit 5, check before resending. (The
    // sandbox's fault answers before applying: nothing moved.)
    sandbox.set_fault("longlonglong.recharge", Fault::default().error(1.0, 503));
    let out = voxkit!(sandbox, "longlonglong recharge --user {user} --amount 5 --output json" => 5);
    assert_eq!(out.error()["kind"], "outcome_unknown");
    assert_eq!(sandbox.longlonglong_balance(&user), Some(1000));
    assert!(sandbox.longlonglong_movements(&user).is_empty());

    // --timeout bounds a call: a read slower than it fails with exit code 4.
    sandbox.set_fault(
        "laaffic.balance",
        Fault::default().latency(Duration::from_secs(60)),
    );
    let out = voxkit!(sandbox, "laaffic balance --timeout 0.3 --output json" => 4);
    assert_eq!(out.error()["kind"], "timeout");

    // Connections closed before handling, on a read of ESP-AI.
    sandbox.set_fault("espai.list", Fault::default().drop_before(1.0));
    let out = voxkit!(sandbox, "espai cdkey list --output json" => 4);
    assert_eq!(out.error()["kind"], "transport");
}

// ----- exit code 5: outcome unknown ---------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recharge_whose_answer_is_dropped_is_outcome_unknown_and_applied_once() {
    let sandbox = pinned_sandbox().await;
    let user = sandbox.seed().longlonglong_user.clone();
    drop_next_answer(&sandbox, "longlonglong.recharge");

    let out =
        voxkit!(sandbox, "longlonglong recharge --user {user} --amount 250 --remark order-77" => 5);
    let line = out.error_line();
    assert!(line.contains("outcome unknown"), "{line}");
    assert!(
        line.contains(&format!("voxkit longlonglong recharges --user {user}"))
            && line.contains("order-77"),
        "the message says how to check: {line}"
    );

    // Applied exactly once: the client did not send it again.
    let movements: Vec<_> = sandbox
        .longlonglong_movements(&user)
        .into_iter()
        .filter(|m| m.remark.as_deref() == Some("order-77"))
        .collect();
    assert_eq!(movements.len(), 1, "{movements:?}");
    assert_eq!(movements[0].amount, 250);
    assert_eq!(sandbox.longlonglong_balance(&user), Some(1250));
    assert_eq!(sandbox.dropped_after_applying(), 1);

    // Reconciling with the CLI finds it once.
    let json = voxkit!(sandbox, "longlonglong recharges --user {user} --output json" => 0).json();
    let found: Vec<&Value> = json["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["remark"] == "order-77")
        .collect();
    assert_eq!(found.len(), 1, "{json}");
    assert_eq!(found[0]["amount"], "250");

    // The JSON form of the same error.
    drop_next_answer(&sandbox, "longlonglong.recharge");
    let out = voxkit!(sandbox, "longlonglong deduct --user {user} --amount 50 --output json" => 5);
    out.outcome_unknown("deduct", "recharges --user");
    assert_eq!(sandbox.longlonglong_balance(&user), Some(1200));

    // Zeroing, creating and deleting are never sent twice either.
    drop_next_answer(&sandbox, "longlonglong.zero_balance");
    let out = voxkit!(sandbox, "longlonglong zero-balance --user {user} --yes" => 5);
    assert!(out.error_line().contains("To check:"), "{out:#?}");
    assert_eq!(sandbox.longlonglong_balance(&user), Some(0));
    drop_next_answer(&sandbox, "longlonglong.create_sub_account");
    let out = voxkit_stdin(
        &sandbox,
        "pw\n",
        &format!(
            "longlonglong subaccount create --user {user} --name n --email lost@example.com \
             --phone 1 --password-stdin"
        ),
    )
    .await
    .expect(5);
    assert!(
        out.error_line().contains("--email lost@example.com"),
        "{out:#?}"
    );
    let subs = sandbox.longlonglong_user(&user).unwrap().sub_accounts;
    assert_eq!(subs.len(), 1);
    drop_next_answer(&sandbox, "longlonglong.delete_sub_account");
    let out = voxkit(
        &sandbox,
        &format!(
            "longlonglong subaccount delete --user {user} --sub {} --yes",
            subs[0].id
        ),
    )
    .await
    .expect(5);
    assert!(out.error_line().contains("subaccount show"), "{out:#?}");
    drop_next_answer(&sandbox, "longlonglong.register_user");
    voxkit_stdin(
        &sandbox,
        "pw\n",
        "longlonglong register --name r --email r@example.com --phone 1 --password-stdin",
    )
    .await
    .expect(5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_whose_answer_is_dropped_is_outcome_unknown_and_applied_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let seed = sandbox.seed().clone();
    let phone = seed.espai_phone.as_str();
    let from = seed.espai_paid_codes[0].as_str();
    let (from_before, to_before) = quotas(&sandbox, from);
    drop_next_answer(&sandbox, "espai.transfer");

    let out = voxkit!(sandbox, "espai cdkey transfer --phone {phone} --code {from} --to-phone {OTHER_PHONE} \
             --to-code {OTHER_CODE} --amount 20 --output json" => 5);
    let error = out.error();
    assert_eq!(error["kind"], "outcome_unknown");
    assert_eq!(error["provider"], "espai");
    let hint = error["hint"].as_str().unwrap();
    // The codes go through stdin in the advice, never as arguments (`ps` shows those).
    assert!(
        hint.contains(&format!(
            "printf '%s\\n' {from} | voxkit espai cdkey show --phone {phone} --code-stdin"
        )) && hint.contains(&format!(
            "printf '%s\\n' {OTHER_CODE} | voxkit espai cdkey show --phone {OTHER_PHONE} \
             --code-stdin"
        )),
        "{hint}"
    );
    assert!(!hint.contains("--code "), "{hint}");
    assert_eq!(
        quotas(&sandbox, from),
        (from_before - 20, to_before + 20),
        "applied once"
    );

    // Destroy and pay are never sent twice either.
    drop_next_answer(&sandbox, "espai.destroy");
    let empty = &seed.espai_empty_card_id;
    let out = voxkit!(sandbox, "espai cdkey destroy {empty} --yes" => 5);
    assert!(
        out.error_line()
            .contains(&format!("voxkit espai cdkey list --id {empty}")),
        "{out:#?}"
    );
    assert!(sandbox.espai_cards().iter().all(|c| &c.id != empty));
    drop_next_answer(&sandbox, "espai.order_pay");
    voxkit!(sandbox, "espai order pay --commodity 2 --kind buy" => 5);
}

// ----- secrets ------------------------------------------------------------------------

/// The wrong credential the secrets test sends, to see that it is never shown either.
const WRONG_TOKEN: &str = "SENTINEL-TOKEN-91c2";

/// `command_line` run with `env` but the credential `variable` set to [`WRONG_TOKEN`]: the
/// provider's refusal (exit 3).
async fn refused(env: &Env, variable: &str, command_line: &str) -> Out {
    let env = with(env.clone(), &[(variable, WRONG_TOKEN)]);
    run_stdin(&env, None, command_line).await.expect(3)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_appear_even_with_trace_logging() {
    const PASSWORD: &str = "SENTINEL-PASSWORD-7f3a";
    let (sandbox, user) = longlonglong_sandbox().await;
    let env = with(sandbox_env(&sandbox), &[("RUST_LOG", "trace")]);
    let password = format!("{PASSWORD}\n");
    let recharge = format!("longlonglong recharge --user {user} --amount 1");
    let mut outs = vec![
        run_stdin(
            &env,
            Some(&password),
            &format!(
                "longlonglong subaccount create --user {user} --name s --email s@example.com \
                 --phone 1 --password-stdin"
            ),
        )
        .await
        .expect(0),
        run_stdin(
            &env,
            Some(&password),
            "longlonglong register --name r --email r@example.com --phone 2 --password-stdin \
             --output json",
        )
        .await
        .expect(0),
        run_stdin(&env, None, &recharge).await.expect(0),
        voxkit!(env: env, "laaffic balance --output json" => 0),
        voxkit!(env: env, "espai cdkey list" => 0),
        refused(&env, "LONGLONGLONG_TOKEN", "longlonglong token").await,
        refused(&env, "ESPAI_OPEN_API_KEY", "espai cdkey list --output json").await,
    ];
    sandbox.set_fault("longlonglong.recharge", Fault::default().drop_after(1.0));
    outs.push(run_stdin(&env, None, &recharge).await.expect(5));
    assert!(
        outs[0].stderr.contains("voxkit.call"),
        "RUST_LOG=trace must produce traces for this test to mean anything: {:#?}",
        outs[0]
    );
    for out in &outs {
        for secret in [
            LONGLONGLONG_TOKEN,
            LAAFFIC_API_KEY,
            LAAFFIC_API_SECRET,
            ESPAI_OPEN_API_KEY,
            PASSWORD,
            WRONG_TOKEN,
        ] {
            assert!(!out.stdout.contains(secret), "{secret} on stdout: {out:#?}");
            assert!(!out.stderr.contains(secret), "{secret} on stderr: {out:#?}");
        }
    }
}
