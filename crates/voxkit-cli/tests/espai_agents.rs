//! End to end: `voxkit espai agent|device|plugin ...` of the real binary against the
//! in-process sandbox, over loopback. The sandbox seeds the documentation's two agents
//! (one with the key [`ESPAI_AGENT_API_KEY`]) and two devices (Wi-Fi password
//! `lykj987654321`, returned in clear text by the provider).

#[macro_use]
mod common;

use voxkit_sandbox::{ESPAI_AGENT_API_KEY, Sandbox};

use common::{Env, Out, Scratch, drop_next_answer, sandbox_env, spawn, strings, with};

/// The seeded agent and the one the delete example names.
const AGENT: &str = "679f9af935e047639ddb98f35e103e8f";
const AGENT_TO_DELETE: &str = "ab6ed07786074f4896d7fbeb9194d08a";
/// The seeded devices' Wi-Fi password.
const WIFI_PWD: &str = "lykj987654321";
/// The documentation's card, which the sandbox seeds.
const CARD: &str = "772868ead56c48d68fd1924aa5ec3aac";

async fn voxkit(env: &Env, args: &[&str]) -> Out {
    spawn(env, None, args).await
}

/// Asserts that no secret of `secrets` is on stdout or stderr.
#[track_caller]
fn hides(out: &Out, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "{secret} was printed: {out:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_keys_and_config_keys_are_shown_only_with_show_secrets() {
    let sandbox = Sandbox::start().await.unwrap();
    let env = sandbox_env(&sandbox);
    let scratch = Scratch::new("espai-agent-config");
    let config = scratch.file(
        "config.json",
        br#"{"iat_server":"esp-ai-asr-volcengine","iat_config":{"api_key":"SENTINEL-IAT-KEY","clusterId":"c1"},"connected_reply":"hi"}"#,
    );
    voxkit!(env: env, "espai agent update --id {AGENT} --config-file {config}" => 0);

    for format in ["text", "json"] {
        let out = voxkit!(env: env, "espai agent list --output {format}" => 0);
        hides(&out, &[ESPAI_AGENT_API_KEY, "SENTINEL-IAT-KEY"]);
        if format == "json" {
            let json = out.json();
            let agent = &json["agents"][0];
            assert_eq!(agent["id"], AGENT, "{json}");
            assert_eq!(agent["api_key"], "[redacted]", "{json}");
            assert_eq!(agent["config"]["iat_config"]["api_key"], "[redacted]");
            assert_eq!(agent["config"]["iat_config"]["clusterId"], "c1");
            assert_eq!(json["meta"]["more"], false, "{json}");
        } else {
            assert_eq!(out.last_line(), "2 agents; page 1 of 1", "{out:#?}");
        }
    }

    let shown = voxkit!(env: env, "espai agent list --show-secrets --output json" => 0).json();
    assert_eq!(shown["agents"][0]["api_key"], ESPAI_AGENT_API_KEY);
    assert_eq!(
        shown["agents"][0]["config"]["iat_config"]["api_key"],
        "SENTINEL-IAT-KEY"
    );
    let text = voxkit!(env: env, "espai agent list --show-secrets" => 0);
    assert!(text.stdout.contains(ESPAI_AGENT_API_KEY), "{text:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_then_list_all_then_delete_with_confirmation() {
    let sandbox = Sandbox::start().await.unwrap();
    let env = sandbox_env(&sandbox);
    let added = voxkit!(env: env, "espai agent add --card {CARD} --name 新超体 --enabled --output json" => 0)
    .json();
    let id = added["agent"]["id"].as_str().unwrap().to_owned();
    assert_eq!(added["agent"]["name"], "新超体");
    assert_eq!(added["agent"]["enabled"], true);
    assert_eq!(added["agent"]["api_key"], "[redacted]", "{added}");

    let all = voxkit!(env: env, "espai agent list --all --output json" => 0).json();
    assert_eq!(all["total"], 3, "{all}");
    assert_eq!(all["meta"]["all"], true);
    assert!(
        all["agents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id)
    );

    // Without --yes (stdin is not a terminal) nothing is deleted: exit 2.
    let refused = voxkit!(env: env, "espai agent delete {AGENT_TO_DELETE}" => 2);
    assert!(refused.stderr.contains("--yes"), "{refused:#?}");
    let deleted =
        voxkit!(env: env, "espai agent delete {AGENT_TO_DELETE} {id} --yes --output json" => 0)
            .json();
    assert_eq!(deleted["message"], "删除成功");
    let left = voxkit!(env: env, "espai agent list --output json" => 0).json();
    let ids = strings(&left["agents"], "id");
    assert_eq!(ids, [AGENT]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_add_is_exit_5_with_the_check_and_is_not_sent_again() {
    let sandbox = Sandbox::start().await.unwrap();
    let env = sandbox_env(&sandbox);
    drop_next_answer(&sandbox, "espai.agent_add");
    let out = voxkit!(env: env, "espai agent add --card {CARD} --name 丢失的回答" => 5);
    assert!(out.stderr.contains("agent list --all"), "{out:#?}");
    // Applied once by the sandbox, never sent a second time.
    let all = voxkit!(env: env, "espai agent list --all --output json" => 0).json();
    let named = all["agents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"] == "丢失的回答")
        .count();
    assert_eq!(named, 1, "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_wifi_passwords_are_shown_only_with_show_secrets() {
    let sandbox = Sandbox::start().await.unwrap();
    let env = sandbox_env(&sandbox);
    let text = voxkit!(env: env, "espai device list" => 0);
    hides(&text, &[WIFI_PWD]);
    assert_eq!(
        text.last_line(),
        "2 devices; page 1 of 1 (2 devices)",
        "{text:#?}"
    );
    let json = voxkit!(env: env, "espai device list --output json" => 0);
    hides(&json, &[WIFI_PWD]);
    let json = json.json();
    assert_eq!(json["devices"][0]["wifi_pwd"], "[redacted]", "{json}");
    assert_eq!(json["devices"][0]["mac"], "FC:01:2C:DB:14:30");
    assert_eq!(json["total"], 2);

    let shown = voxkit!(env: env, "espai device list --all --show-secrets" => 0);
    assert!(shown.stdout.contains(WIFI_PWD), "{shown:#?}");

    // The agent's key filters by agent, from the environment.
    let env_key = with(
        env.clone(),
        &[("ESPAI_AGENT_API_KEY", "sandbox-espai-agent-api-key-2")],
    );
    let none = voxkit(&env_key, &["espai", "device", "list"])
        .await
        .expect(0);
    assert_eq!(none.stdout.trim(), "no devices", "{none:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_are_updated_and_unbound_by_id_or_by_mac() {
    let sandbox = Sandbox::start().await.unwrap();
    let env = sandbox_env(&sandbox);
    let updated = spawn(
        &env,
        Some("new-wifi-secret\n"),
        &[
            "espai",
            "device",
            "update",
            "--id",
            "2cf661bb42b642018ee13af7150b8310",
            "--name",
            "客厅",
            "--wifi-pwd-stdin",
        ],
    )
    .await
    .expect(0);
    hides(&updated, &["new-wifi-secret"]);
    let shown = voxkit!(env: env, "espai device list --show-secrets --output json" => 0).json();
    assert_eq!(shown["devices"][0]["name"], "客厅");
    assert_eq!(shown["devices"][0]["wifi_pwd"], "new-wifi-secret");

    // By MAC: the agent's key is required, and never an argument.
    voxkit!(env: env, "espai device unbind --mac FC:01:2C:DB:14:30 --yes" => 2);
    let by_mac = spawn(
        &env,
        Some(&format!("{ESPAI_AGENT_API_KEY}\n")),
        &[
            "espai",
            "device",
            "unbind",
            "--mac",
            "FC:01:2C:DB:14:30",
            "--agent-key-stdin",
            "--yes",
        ],
    )
    .await
    .expect(0);
    hides(&by_mac, &[ESPAI_AGENT_API_KEY]);
    voxkit!(env: env, "espai device unbind b93ec353967441ada8d31b4910a3032d --yes" => 0);
    let left = voxkit!(env: env, "espai device list" => 0);
    assert_eq!(left.stdout.trim(), "no devices", "{left:#?}");
    // Unbinding again is refused by the provider (设备未找到): exit 3.
    voxkit!(env: env, "espai device unbind b93ec353967441ada8d31b4910a3032d --yes" => 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plugins_are_listed_by_type() {
    let sandbox = Sandbox::start().await.unwrap();
    let env = sandbox_env(&sandbox);
    let json = voxkit!(env: env, "espai plugin list --type LLM --output json" => 0).json();
    let names = strings(&json["plugins"], "name");
    assert_eq!(names, ["esp-ai-llm", "esp-ai-llm-volcengine"]);
    assert_eq!(json["plugins"][1]["status"], "1");
    let text = voxkit!(env: env, "espai plugin list --type tts" => 0);
    assert_eq!(
        text.last_line(),
        "2 plugins; page 1 of 1 (2 plugins)",
        "{text:#?}"
    );
    voxkit!(env: env, "espai plugin list --type MUSIC" => 2);
}
