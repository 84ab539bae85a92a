//! End to end: `voxkit espai device watch` of the real binary against the in-process
//! sandbox's device channel, bounded by `--count`.

#[macro_use]
mod common;

use serde_json::Value;
use voxkit_sandbox::{ESPAI_AGENT_API_KEY, Sandbox};

use common::{Env, Out, sandbox_env, spawn, with};

async fn voxkit(env: &Env, args: &[&str]) -> Out {
    spawn(env, None, args).await
}

/// `device watch` of one event as JSON, the agent's key given on standard input.
async fn watch_one_with_key_on_stdin(env: &Env, key: &str) -> Out {
    let args = [
        "espai",
        "device",
        "watch",
        "--count",
        "1",
        "--agent-key-stdin",
        "--output",
        "json",
    ];
    spawn(env, Some(&format!("{key}\n")), &args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_prints_one_json_object_per_event() {
    let sandbox = Sandbox::start().await.unwrap();
    let env = with(
        sandbox_env(&sandbox),
        &[("ESPAI_AGENT_API_KEY", ESPAI_AGENT_API_KEY)],
    );
    let out = voxkit!(env: env, "espai device watch --count 5 --output json" => 0);
    let events: Vec<Value> = out
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert_eq!(events.len(), 5, "{out:#?}");
    assert_eq!(events[0]["type"], "device_is_online_res", "{out:#?}");
    assert_eq!(events[0]["device_id"], "FC:01:2C:DB:14:30");
    assert_eq!(events[1]["type"], "battery");
    assert!(events[1]["data"].is_number(), "{out:#?}");
    assert!(!out.stdout.contains(ESPAI_AGENT_API_KEY) && !out.stderr.contains(ESPAI_AGENT_API_KEY));

    // Text: one line per event, type first.
    let out = voxkit!(env: env, "espai device watch --count 2" => 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{out:#?}");
    assert!(lines[1].starts_with("battery"), "{out:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_refuses_a_missing_or_unknown_key_without_printing_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let env = sandbox_env(&sandbox);
    let out = voxkit(&env, &["espai", "device", "watch", "--count", "1"]).await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("ESPAI_AGENT_API_KEY"), "{out:#?}");

    // An unknown key from standard input: the provider's 401, the key printed nowhere.
    let out = watch_one_with_key_on_stdin(&env, "SENTINEL-agent").await;
    assert_ne!(out.code, 0, "{out:#?}");
    assert!(out.stdout.is_empty(), "{out:#?}");
    let error = out.error();
    assert!(error.to_string().contains("401"), "{out:#?}");
    assert!(!out.stderr.contains("SENTINEL"), "{out:#?}");

    // The key is never taken as an argument (others see arguments in `ps`): refused as a
    // usage error before anything is sent, and the would-be key is not echoed.
    let out = voxkit(
        &env,
        &[
            "espai",
            "device",
            "watch",
            "--count",
            "1",
            "--api-key",
            "SENTINEL-argv",
        ],
    )
    .await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(!out.stderr.contains("SENTINEL"), "{out:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_takes_the_agent_key_from_standard_input() {
    let sandbox = Sandbox::start().await.unwrap();
    let env = sandbox_env(&sandbox);
    let out = watch_one_with_key_on_stdin(&env, ESPAI_AGENT_API_KEY).await;
    assert_eq!(out.code, 0, "{out:#?}");
    let event: Value =
        serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {out:#?}"));
    assert_eq!(event["type"], "device_is_online_res", "{out:#?}");
    assert!(!out.stdout.contains(ESPAI_AGENT_API_KEY) && !out.stderr.contains(ESPAI_AGENT_API_KEY));
}
