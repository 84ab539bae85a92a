//! End to end: one time-zone rule in every command family (issue 18). Provider times are
//! shown with their offset (longlonglong and Laaffic in China time, `+08:00`; ESP-AI in
//! UTC), and `--from/--to` days are calendar days inclusive at both ends, in the
//! provider's zone. The real binary against a sandbox whose "today" is pinned.

#[macro_use]
mod common;

use common::{in_sandbox as voxkit, pinned_sandbox as sandbox, run_stdin};

/// The sandbox's pinned day (China time), common's `today()`: everything it creates is
/// created on it.
const DAY: &str = "2026-03-10";

/// `2026-03-10T..:..:..+08:00`: a China time on the pinned day, with its offset.
#[track_caller]
fn china_time_on_the_day(value: &serde_json::Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"));
    assert!(
        text.starts_with(&format!("{DAY}T")) && text.ends_with("+08:00"),
        "{text}"
    );
    assert!(chrono::DateTime::parse_from_rfc3339(text).is_ok(), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rule_is_stated_in_the_long_help() {
    let out = run_stdin(&Vec::new(), None, "--help").await.expect(0);
    for needle in ["+08:00", "UTC", "inclusive at both ends", "--to 2026-11-30"] {
        assert!(out.stdout.contains(needle), "{needle}: {out:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn longlonglong_history_times_carry_their_offset_and_to_includes_its_day() {
    let sandbox = sandbox().await;
    let user = sandbox.seed().longlonglong_user.clone();
    voxkit!(sandbox, "longlonglong recharge --user {user} --amount 5 --remark tz-1" => 0);

    // --from and --to the same day: that whole day.
    let json = voxkit!(sandbox, "longlonglong recharges --user {user} --from {DAY} --to {DAY} --output json" => 0)
    .json();
    let records = json["records"].as_array().unwrap();
    let mine = records
        .iter()
        .find(|r| r["remark"] == "tz-1")
        .unwrap_or_else(|| panic!("the day's recharge is listed: {json}"));
    china_time_on_the_day(&mine["created_at"]);
    china_time_on_the_day(&mine["updated_at"]);

    let out = voxkit!(sandbox, "longlonglong recharges --user {user} --from {DAY} --to {DAY}" => 0);
    let row = out
        .stdout
        .lines()
        .find(|l| l.contains("tz-1"))
        .unwrap_or_else(|| panic!("{out:#?}"));
    assert!(
        row.contains(&format!("{DAY} ")) && row.contains(" +08:00"),
        "{row}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laaffic_tasks_and_recall_flows_include_the_to_day_and_show_china_time() {
    let sandbox = sandbox().await;

    // The seeded tasks were created today (China time), after midnight: `--to DAY` used to
    // end at DAY 00:00:00 and left them out.
    let json = voxkit!(sandbox, "laaffic tasks --from {DAY} --to {DAY} --output json" => 0).json();
    let tasks = json["tasks"].as_array().unwrap();
    assert!(!tasks.is_empty(), "the day's tasks are listed: {json}");
    for task in tasks {
        china_time_on_the_day(&task["created"]);
    }
    assert_eq!(json["from"], format!("{DAY}T00:00:00+08:00"), "{json}");
    assert_eq!(json["to"], format!("{DAY}T23:59:59+08:00"), "{json}");
    let out = voxkit!(sandbox, "laaffic tasks --from {DAY} --to {DAY}" => 0);
    assert!(out.stdout.contains(" +08:00"), "{out:#?}");

    let json =
        voxkit!(sandbox, "laaffic recall list --from {DAY} --to {DAY} --output json" => 0).json();
    let flows = json["flows"].as_array().unwrap();
    assert!(!flows.is_empty(), "the day's recall flow is listed: {json}");
    for flow in flows {
        china_time_on_the_day(&flow["create_time"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn espai_instants_are_shown_in_utc() {
    let sandbox = sandbox().await;
    let json = voxkit!(sandbox, "espai cdkey list --output json" => 0).json();
    let cards = json["cards"].as_array().unwrap();
    assert!(!cards.is_empty(), "{json}");
    for card in cards {
        let at = card["create_time"].as_str().unwrap();
        assert!(at.ends_with('Z'), "{at}");
    }
    let card = &cards[0];
    let out = voxkit(
        &sandbox,
        &format!(
            "espai cdkey show --phone {} --code {}",
            card["user_phone"].as_str().unwrap(),
            card["code"].as_str().unwrap()
        ),
    )
    .await
    .expect(0);
    let created = out
        .stdout
        .lines()
        .find(|l| l.starts_with("created"))
        .unwrap_or_else(|| panic!("{out:#?}"));
    assert!(created.ends_with(" UTC"), "{created}");
}
