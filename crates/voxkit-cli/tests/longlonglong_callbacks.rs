//! `voxkit longlonglong callback-blacklist` end to end: the real binary against the seeded
//! sandbox, as text and JSON, the `--blacklisted` filter, and a failing read's exit code.

#[macro_use]
mod common;

use voxkit_sandbox::{Fault, LONGLONGLONG_TOKEN, Sandbox};

use common::{in_sandbox as voxkit, longlonglong_sandbox, run_stdin, sandbox_env, strings, with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blacklist_as_a_table_and_as_json() {
    let (sandbox, user) = longlonglong_sandbox().await;

    let out = voxkit!(sandbox, "longlonglong callback-blacklist" => 0);
    let lines: Vec<&str> = out.stdout.trim_end().lines().collect();
    assert_eq!(lines.len(), 4, "header, two entries, footer: {out:#?}");
    assert!(lines[0].starts_with("ID  STATUS"), "{out:#?}");
    assert!(lines[1].contains("released"), "{out:#?}");
    assert!(
        lines[1].contains("http://callbacks.example/api1"),
        "{out:#?}"
    );
    assert!(lines[2].contains("blacklisted"), "{out:#?}");
    assert!(lines[2].contains(&user), "{out:#?}");
    assert_eq!(lines[3], "2 blacklist entries");

    let json = voxkit!(sandbox, "longlonglong callback-blacklist --output json" => 0).json();
    assert_eq!(json["message"], "查看黑名单成功");
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{json}");
    assert_eq!(entries[0]["status"], 1);
    assert_eq!(entries[0]["state"], "released");
    assert_eq!(entries[0]["status_str"], "已释放");
    assert_eq!(entries[1]["status"], 0);
    assert_eq!(entries[1]["state"], "blacklisted");
    assert_eq!(entries[1]["user_id"], user.as_str());
    assert_eq!(entries[1]["url"], "http://callbacks.example/api2");
    // China time with its offset: `YYYY-MM-DDTHH:MM:SS+08:00`.
    let blackout = entries[1]["blackout_time"].as_str().unwrap();
    assert!(
        blackout.len() == 25 && blackout.ends_with("+08:00"),
        "{blackout}"
    );
    assert!(!out.stdout.contains(LONGLONGLONG_TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blacklisted_shows_only_the_urls_blacklisted_now() {
    let sandbox = Sandbox::start().await.unwrap();
    let json =
        voxkit!(sandbox, "longlonglong callback-blacklist --blacklisted --output json" => 0).json();
    let urls = strings(&json["entries"], "url");
    assert_eq!(urls, ["http://callbacks.example/api2"]);
    let out = voxkit!(sandbox, "longlonglong callback-blacklist --blacklisted" => 0);
    assert_eq!(out.last_line(), "1 blacklisted callback");

    let empty = Sandbox::builder().seeded(false).start().await.unwrap();
    let out = voxkit!(empty, "longlonglong callback-blacklist" => 0);
    assert_eq!(out.stdout.trim(), "no blacklist entries");
}

/// A read that keeps failing is exit code 4 ("running it again is safe"), never the
/// unknown outcome (5) of the commands that move money; a refused token is 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_read_exits_4_and_a_refused_token_3() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.set_fault(
        "longlonglong.callback_blacklist",
        Fault::default().error(1.0, 503).retry_after(0),
    );
    let out = voxkit!(sandbox, "longlonglong callback-blacklist --output json" => 4);
    assert_eq!(out.error()["operation"], "callback_blacklist");

    sandbox.clear_faults();
    let env = with(
        sandbox_env(&sandbox),
        &[("LONGLONGLONG_TOKEN", "SENTINEL-wrong-token")],
    );
    let out = run_stdin(&env, None, "longlonglong callback-blacklist")
        .await
        .expect(3);
    assert!(!out.stderr.contains("SENTINEL"), "{out:#?}");
}
