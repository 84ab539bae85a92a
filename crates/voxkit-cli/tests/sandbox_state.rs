//! `voxkit sandbox --state FILE` (issue 18): a sandbox killed outright (no graceful stop)
//! and started again with the same file still has every change it acknowledged; a file
//! that is not a sandbox state is refused with exit code 2, and left as it was.

mod common;

use common::{Scratch, Served, run_stdin, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sandbox_restarts_with_its_state_file() {
    let scratch = Scratch::new("sandbox-state");
    let file = scratch.0.join("state.json");
    let path = file.to_str().unwrap();
    let user = voxkit_sandbox::DOCS_USER;

    let mut first = serve(&["--addr", "127.0.0.1:0", "--state", path], &[]).await;
    assert!(
        first
            .lines
            .iter()
            .any(|l| l == &format!("# state kept in {path}")),
        "{:#?}",
        first.lines
    );
    run_stdin(
        &first.env(),
        None,
        &format!("longlonglong recharge --user {user} --amount 100 --remark kept"),
    )
    .await
    .expect(0);
    // Killed, not stopped: nothing is written at exit, everything was written before.
    first.child.kill().await.unwrap();

    let mut second = serve(&["--addr", "127.0.0.1:0", "--state", path], &[]).await;
    let json = account(&second, user).await;
    assert_eq!(json["data"]["balance"], 1100, "{json}");
    second.child.kill().await.unwrap();

    // Without --state a restart is a fresh seed.
    let mut third = serve(&["--addr", "127.0.0.1:0"], &[]).await;
    let json = account(&third, user).await;
    assert_eq!(json["data"]["balance"], 1000, "{json}");
    third.child.kill().await.unwrap();
}

/// `longlonglong account --user <user> --output json` against the sandbox `served`: its
/// JSON, the run asserted to succeed.
async fn account(served: &Served, user: &str) -> serde_json::Value {
    run_stdin(
        &served.env(),
        None,
        &format!("longlonglong account --user {user} --output json"),
    )
    .await
    .expect(0)
    .json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_state_file_exits_2_and_is_left_alone() {
    let scratch = Scratch::new("sandbox-state-corrupt");
    let path = scratch.file("state.json", b"{\"format\": \"voxkit-sandbox-state\"");
    let out = run_stdin(
        &[],
        None,
        &format!("sandbox --addr 127.0.0.1:0 --state {path} --output json"),
    )
    .await
    .expect(2);
    let error = out.error();
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("state.json"), "{error}");
    assert!(message.contains("not a sandbox state"), "{error}");
    assert!(error["hint"].is_string(), "{error}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"{\"format\": \"voxkit-sandbox-state\"",
        "left as it was"
    );
}
