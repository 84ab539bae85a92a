//! End to end: `voxkit demo`, `voxkit --help` (the exit codes documented) and the
//! `voxkit sandbox` command (its printed environment and seeds, fault injection, JSON,
//! refused options, Ctrl-C).
//!
//! Every test starts its own sandbox in this process and runs the binary with the
//! sandbox's environment (credentials and `*_BASE_URL`), nothing inherited. The child runs
//! as a `tokio::process` so that the sandbox keeps serving while the test waits. Command
//! lines are written as one string, split on whitespace.

#[macro_use]
mod common;

use std::net::{SocketAddr, TcpListener};

use serde_json::Value;
use voxkit_sandbox::{ESPAI_OPEN_API_KEY, LAAFFIC_API_KEY, LAAFFIC_API_SECRET, LONGLONGLONG_TOKEN};

use common::{Env, Served, run_stdin, strings};

// ----- demo, help, sandbox ------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_walks_through_everything_and_exits_0() {
    let out = run_stdin(&[], None, "demo").await.expect(0);
    for needle in [
        "client.token_info()",
        "client.account_info(",
        "client.recharge(",
        "client.deduct(",
        "client.set_expiry(",
        "client.recharge_history(",
        "client.create_sub_account(",
        "client.sub_accounts(",
        "client.sub_account(",
        "client.delete_sub_account(",
        "client.register_user(",
        "client.zero_balance(",
        "client.balance()",
        "client.cards(",
        "client.card(",
        "client.transfer(",
        "client.balance_logs(",
        "client.destroy(",
        "client.pay(",
        "refused, as expected: longlonglong recharge: provider error 10004",
        "outcome unknown, as expected",
        "found exactly one record with remark \"demo-order-42\"",
        "client.allocate_line(",
        "client.create_task_exactly_once(",
        "client.add_numbers(",
        "client.call_records(",
        "client.call_record_detail(",
        // The task and number renderers: the state read twice, every number called.
        "dialling",
        "呼叫成功",
        "4 numbers",
        "4 call records",
        "ROBOT ANSWERED",
        "Done:",
    ] {
        assert!(out.stdout.contains(needle), "{needle:?} missing: {out:#?}");
    }
    for secret in [
        LONGLONGLONG_TOKEN,
        LAAFFIC_API_KEY,
        LAAFFIC_API_SECRET,
        ESPAI_OPEN_API_KEY,
    ] {
        assert!(!out.stdout.contains(secret) && !out.stderr.contains(secret));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_documents_the_exit_codes() {
    let out = run_stdin(&[], None, "--help").await.expect(0);
    for needle in [
        "Exit codes:",
        "  0  success",
        "  2  invalid input",
        "  3  the provider answered and refused",
        "  4  transport",
        "  5  outcome unknown",
        "LONGLONGLONG_TOKEN",
    ] {
        assert!(out.stdout.contains(needle), "{needle:?}: {out:#?}");
    }
    for command in [
        "longlonglong --help",
        "espai cdkey transfer --help",
        "sandbox --help",
    ] {
        let out = run_stdin(&[], None, command).await.expect(0);
        assert!(out.stdout.contains("Usage: voxkit"), "{out:#?}");
    }
    let out = run_stdin(&[], None, "--version").await.expect(0);
    assert!(out.stdout.starts_with("voxkit "), "{out:#?}");
}

/// `voxkit sandbox <command line>`, nothing inherited.
async fn serve(command_line: &str) -> Served {
    common::serve(&command_line.split_whitespace().collect::<Vec<_>>(), &[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_command_prints_env_and_seeds_and_stops_on_ctrl_c() {
    let served = serve("--addr 127.0.0.1:0").await;
    assert!(
        served
            .lines
            .last()
            .unwrap()
            .starts_with("# serving http://127.0.0.1:"),
        "{:#?}",
        served.lines
    );
    let env = served.env();
    let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "LONGLONGLONG_TOKEN",
            "LONGLONGLONG_BASE_URL",
            "LONGLONGLONG_DIALOGUE_TOKEN",
            "LONGLONGLONG_DIALOGUE_BASE_URL",
            "LAAFFIC_API_KEY",
            "LAAFFIC_API_SECRET",
            "LAAFFIC_BASE_URL",
            "ESPAI_OPEN_API_KEY",
            "ESPAI_BASE_URL",
            "ESPAI_AGENT_BASE_URL",
            "ESPAI_AGENT_API_KEY",
        ],
        "{:#?}",
        served.lines
    );
    let exports = names.len();
    assert!(
        served.lines[..exports]
            .iter()
            .all(|l| l.starts_with("export ")),
        "the env lines come first: {:#?}",
        served.lines
    );
    assert!(served.lines[exports..].iter().all(|l| l.starts_with("# ")));

    // The printed variables and ids point the CLI at it.
    let user = served.comment("longlonglong user (billing");
    let json = voxkit!(env: env, "longlonglong account --user {user} --output json" => 0).json();
    assert_eq!(json["data"]["balance"], 1000);
    let no_billing = served.comment("without billing");
    voxkit!(env: env, "longlonglong recharge --user {no_billing} --amount 1" => 3);
    let phone = served.comment("espai phone");
    let free = served.comment("free card");
    voxkit!(env: env, "espai cdkey show --phone {phone} --code {free}" => 0);
    let paid = served.comment("paid cards");
    voxkit!(env: env, "espai cdkey show --phone {phone} --code {paid}" => 0);
    let empty = served.comment("empty paid card");
    voxkit!(env: env, "espai cdkey destroy {empty} --yes" => 0);
    voxkit!(env: env, "laaffic balance" => 0);

    // Ctrl-C stops it cleanly.
    let pid = served.child.id().unwrap();
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("kill -INT {pid}"))
        .status()
        .unwrap();
    assert!(status.success());
    let output = served.child.wait_with_output().await.unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("sandbox stopped"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_command_injects_faults_and_speaks_json() {
    let mut served = serve(
        "--addr 127.0.0.1:0 --fault-route laaffic.balance --error-share 1 --error-status 502 \
         --output json",
    )
    .await;
    assert_eq!(served.lines.len(), 1, "{:#?}", served.lines);
    let info: Value = serde_json::from_str(&served.lines[0]).unwrap();
    assert_eq!(info["fault"], "laaffic.balance");
    let env: Env = info["env"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(env.len(), 9);
    let url = info["url"].as_str().unwrap();
    assert!(env.iter().any(|(k, v)| k == "ESPAI_BASE_URL" && v == url));

    let out = voxkit!(env: env, "laaffic balance --output json" => 4);
    assert_eq!(out.error()["http_status"], 502);
    // Other routes are untouched.
    let json = voxkit!(env: env, "espai cdkey list --output json" => 0).json();
    assert!(!json["cards"].as_array().unwrap().is_empty());
    let user = info["seed"]["longlonglong_user"].as_str().unwrap();
    voxkit!(env: env, "longlonglong account --user {user}" => 0);
    served.child.kill().await.unwrap();

    // Every route, with an answer dropped after applying.
    let mut served =
        serve("--addr 127.0.0.1:0 --drop-after-share 1 --fault-times 1 --latency-ms 1").await;
    assert!(
        served.lines.iter().any(|l| l.starts_with("# fault on *")),
        "{:#?}",
        served.lines
    );
    let env = served.env();
    let user = served.comment("longlonglong user (billing");
    let recharge = |amount| format!("longlonglong recharge --user {user} --amount {amount}");
    run_stdin(&env, None, &recharge(3)).await.expect(5);
    run_stdin(&env, None, &recharge(4)).await.expect(0);
    let json = voxkit!(env: env, "longlonglong recharges --user {user} --output json" => 0).json();
    let amounts = strings(&json["records"], "amount");
    assert_eq!(
        amounts,
        ["4", "3"],
        "each recharge applied once, newest first"
    );
    served.child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_command_refuses_bad_options() {
    let out = run_stdin(
        &[],
        None,
        "sandbox --addr 127.0.0.1:0 --fault-route nope --error-share 1",
    )
    .await
    .expect(2);
    assert!(out.error_line().contains("nope"), "{out:#?}");
    let out = run_stdin(&[], None, "sandbox --addr 127.0.0.1:0 --error-share 1.5")
        .await
        .expect(2);
    assert!(out.error_line().contains("1.5"), "{out:#?}");
    // An address in use.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr: SocketAddr = taken.local_addr().unwrap();
    let out = run_stdin(&[], None, &format!("sandbox --addr {addr} --output json"))
        .await
        .expect(2);
    let error = out.error();
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains(&addr.to_string()),
        "{error}"
    );
    drop(taken);
}
