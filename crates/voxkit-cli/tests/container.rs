//! End to end: `voxkit sandbox` as the container image runs it (see the Dockerfile):
//! listening on every interface, it must print base URLs that clients can connect to —
//! `--public-url` / `VOXKIT_SANDBOX_PUBLIC_URL` when given, else the loopback address.
//! Only loopback traffic: the clients connect to 127.0.0.1.

use std::process::Stdio;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_voxkit");

/// The `*_BASE_URL` variables the sandbox prints.
const BASE_URLS: [&str; 3] = [
    "LONGLONGLONG_BASE_URL",
    "LAAFFIC_BASE_URL",
    "ESPAI_BASE_URL",
];

/// Starts `voxkit sandbox <args>` with exactly `env`; returns the child and the lines it
/// printed up to `# serving` (or its JSON line).
async fn serve(args: &[&str], env: &[(&str, &str)]) -> (Child, Vec<String>) {
    let mut child = Command::new(BIN)
        .arg("sandbox")
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut lines = Vec::new();
    while let Some(line) = reader.next_line().await.unwrap() {
        let done = line.starts_with("# serving") || line.starts_with('{');
        lines.push(line);
        if done {
            break;
        }
    }
    (child, lines)
}

/// The `export K=V` lines as (K, V).
fn exports(lines: &[String]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix("export "))
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn value<'a>(env: &'a [(String, String)], name: &str) -> &'a str {
    env.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} in {env:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_every_interface_it_prints_a_loopback_url_that_works() {
    let (mut child, lines) = serve(&["--addr", "0.0.0.0:0"], &[]).await;
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("# serving http://127.0.0.1:") && last.contains("(listening on 0.0.0.0:"),
        "{lines:#?}"
    );
    let env = exports(&lines);
    let url = value(&env, "LAAFFIC_BASE_URL").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{lines:#?}");
    for name in BASE_URLS {
        assert_eq!(value(&env, name), url, "{lines:#?}");
    }

    // What it printed points a client at it.
    let output = Command::new(BIN)
        .args(["laaffic", "balance", "--output", "json"])
        .env_clear()
        .envs(env.iter().cloned())
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(json["balance"].is_string(), "{json}");
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_url_replaces_the_listening_address_everywhere() {
    // From the environment, as the image sets it; in JSON.
    let (mut child, lines) = serve(
        &["--addr", "127.0.0.1:0", "--output", "json"],
        &[("VOXKIT_SANDBOX_PUBLIC_URL", "http://localhost:9000/")],
    )
    .await;
    let info: Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    assert_eq!(info["url"], "http://localhost:9000", "{info}");
    for name in BASE_URLS {
        assert_eq!(info["env"][name], "http://localhost:9000", "{info}");
    }
    child.kill().await.unwrap();

    // From the flag; in text, which still says where it listens.
    let (mut child, lines) = serve(
        &[
            "--addr",
            "127.0.0.1:0",
            "--public-url",
            "https://sandbox.test:8443",
        ],
        &[],
    )
    .await;
    let env = exports(&lines);
    for name in BASE_URLS {
        assert_eq!(value(&env, name), "https://sandbox.test:8443", "{lines:#?}");
    }
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("# serving https://sandbox.test:8443 (listening on 127.0.0.1:"),
        "{lines:#?}"
    );
    child.kill().await.unwrap();

    // A URL with a path is refused before anything listens.
    let output = Command::new(BIN)
        .args([
            "sandbox",
            "--addr",
            "127.0.0.1:0",
            "--public-url",
            "http://x/v3",
        ])
        .env_clear()
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}
