//! `voxkit longlonglong task-v1 ...` end to end (issue 16, the old task API of section 5):
//! the real binary against the seeded in-process sandbox (the docs' task, paused). The
//! old list with `--all`, `--status` and `--subset`; the old read; the old modify from the
//! docs' JSON body and from flags (refused before sending when the table's rules are
//! broken); the old pause, a `GET` that changes state: sent once, a lost answer exits 5
//! naming the read that tells, `--dry-run` sends nothing; delete behind a confirmation;
//! the help marks the group deprecated and names each 2.0 replacement.

#[macro_use]
mod common;

use serde_json::Value;
use voxkit_sandbox::{CallTask, DOCS_TASK, Fault, LONGLONGLONG_DOCS_LINE, Sandbox};

use common::{in_sandbox as voxkit, longlonglong_sandbox, run_stdin, sandbox_env};

/// The sandbox's task `uuid` (panics when it is gone).
fn task(sandbox: &Sandbox, uuid: &str) -> CallTask {
    sandbox
        .longlonglong_tasks()
        .into_iter()
        .find(|t| t.uuid == uuid)
        .unwrap_or_else(|| panic!("task {uuid} not in the sandbox"))
}

/// The docs' task's name, script group, concurrency and dial-time group in the sandbox.
fn config(sandbox: &Sandbox) -> (String, u64, u64, Option<u64>) {
    let t = task(sandbox, DOCS_TASK);
    (
        t.name,
        t.destination_extension,
        t.maximumcall,
        t.dial_time_id,
    )
}

/// The `uuid`s of a list's JSON `data`.
fn uuids(json: &Value) -> Vec<String> {
    json["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data array: {json}"))
        .iter()
        .filter_map(|t| t["uuid"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_old_list_walks_every_page_filters_by_status_and_spans_sub_accounts() {
    let (sandbox, user) = longlonglong_sandbox().await;
    // 20 paused tasks beside the docs' one: two pages of the 15 the walk asks for.
    let mut paused: Vec<String> = (0..20)
        .map(|i| sandbox.add_longlonglong_task(&user, &format!("旧{i}"), false, &[]))
        .collect();
    paused.push(DOCS_TASK.to_owned());
    let running = sandbox.add_longlonglong_task(&user, "运行", true, &["13800000501"]);

    let page =
        voxkit!(sandbox, "longlonglong task-v1 list --user {user} --output json" => 0).json();
    assert_eq!(uuids(&page).len(), 15, "one page: {page}");
    assert_eq!(page["meta"]["current_page"], 1);
    assert_eq!(page["meta"]["more"], Value::Null, "no paginator: {page}");

    let all =
        voxkit!(sandbox, "longlonglong task-v1 list --user {user} --all --output json" => 0).json();
    let mut listed = uuids(&all);
    assert_eq!(listed.len(), 22, "{all}");
    assert_eq!(all["meta"]["total"], 22);
    assert!(listed.contains(&running));

    let json = voxkit!(sandbox, "longlonglong task-v1 list --user {user} --status paused --all --output json" => 0)
    .json();
    listed = uuids(&json);
    listed.sort();
    paused.sort();
    assert_eq!(listed, paused, "the running task is filtered out");

    // A sub-account's task: only the list across sub-accounts shows it.
    let sub = run_stdin(
        &sandbox_env(&sandbox),
        Some("s3cret-pass\n"),
        &format!(
            "longlonglong subaccount create --user {user} --name 子账户 \
             --email v1sub@example.com --phone 13800000009 --password-stdin --output json"
        ),
    )
    .await
    .expect(0)
    .json()["sub_account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sub_task = sandbox.add_longlonglong_task(&sub, "子任务", false, &[]);
    let json = voxkit!(sandbox, "longlonglong task-v1 list --user {user} --subset --all --output json" => 0)
    .json();
    assert!(uuids(&json).contains(&sub_task), "{json}");
    let json =
        voxkit!(sandbox, "longlonglong task-v1 list --user {user} --all --output json" => 0).json();
    assert!(!uuids(&json).contains(&sub_task), "{json}");

    // Text: a table, and the footer of a list whose paginator is unknown.
    let out = voxkit!(sandbox, "longlonglong task-v1 list --user {user}" => 0);
    assert!(
        out.stdout.contains(DOCS_TASK) || out.stdout.contains("旧0"),
        "{out:#?}"
    );
    assert!(
        out.last_line()
            .contains("there may be more: --page 2 or --all"),
        "{out:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_old_read_shows_the_task_as_sent() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let json = voxkit!(sandbox, "longlonglong task-v1 show --user {user} --task {DOCS_TASK} --output json" => 0)
    .json();
    assert_eq!(json["task"], DOCS_TASK);
    assert_eq!(
        json["data"]["name"],
        task(&sandbox, DOCS_TASK).name.as_str()
    );
    // An unknown task: the provider's refusal, exit 3.
    let unknown = "00000000-0000-4000-8000-000000000000";
    voxkit!(sandbox, "longlonglong task-v1 show --user {user} --task {unknown}" => 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_old_modify_sends_the_docs_body_and_flags_and_refuses_broken_rules() {
    let (sandbox, user) = longlonglong_sandbox().await;
    // The docs' own example body, its caller line completed.
    let file = std::env::temp_dir().join(format!("voxkit-task-v1-{}.json", std::process::id()));
    let body = format!(
        r#"{{"name":"API任务创建测试","destination_extension":3,"dial_time_id":1,"maximumcall":3,"caller_line_id":"{LONGLONGLONG_DOCS_LINE}","remark":"API-test","end_action":1}}"#
    );
    std::fs::write(&file, &body).unwrap();
    let out = voxkit(
        &sandbox,
        &format!(
            "longlonglong task-v1 modify --user {user} --task {DOCS_TASK} --file {}",
            file.display()
        ),
    )
    .await
    .expect(0);
    assert!(
        out.stdout.contains(&format!("modified task {DOCS_TASK}")),
        "{out:#?}"
    );
    assert_eq!(config(&sandbox), ("API任务创建测试".into(), 3, 3, Some(1)));

    // A field the table does not have: refused before sending.
    std::fs::write(&file, body.replacen('{', r#"{"invented":1,"#, 1)).unwrap();
    voxkit(
        &sandbox,
        &format!(
            "longlonglong task-v1 modify --user {user} --task {DOCS_TASK} --file {}",
            file.display()
        ),
    )
    .await
    .expect(2);
    let _ = std::fs::remove_file(&file);

    let flags = format!(
        "longlonglong task-v1 modify --user {user} --task {DOCS_TASK} --name 旗标 \
         --caller-line {LONGLONGLONG_DOCS_LINE} --script 7 --dial-time 2 --concurrency 1"
    );
    // 动态坐席 with an end action, a 2.0 task_type: refused before sending.
    for bad in [
        "--elasticity --end-action 1",
        "--task-type 7",
        "--task-type 6",
    ] {
        voxkit!(sandbox, "{flags} {bad}" => 2);
    }
    assert_eq!(
        task(&sandbox, DOCS_TASK).name,
        "API任务创建测试",
        "nothing sent"
    );
    voxkit!(sandbox, "{flags} --remark 备注 --call-pause 10 --task-type 4 --output json" => 0);
    assert_eq!(config(&sandbox), ("旗标".into(), 7, 1, Some(2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_old_pause_is_sent_once_and_dry_run_sends_nothing() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let running = sandbox.add_longlonglong_task(&user, "运行", true, &["13800000501"]);
    let pause = format!("longlonglong task-v1 pause --user {user} --task {running}");

    let json = voxkit!(sandbox, "{pause} --dry-run --output json" => 0).json();
    assert_eq!(json["request"]["method"], "GET", "{json}");
    assert!(
        json["request"]["url"]
            .as_str()
            .is_some_and(|u| u.contains(&format!("/task_stop/{running}"))),
        "{json}"
    );
    assert_eq!(task(&sandbox, &running).pauses, 0, "dry run: nothing sent");

    voxkit(&sandbox, &pause).await.expect(0);
    let t = task(&sandbox, &running);
    assert_eq!((t.pauses, t.enable), (1, false));
}

/// A pause whose answer is lost exits 5 (never "safe to run again"), was sent once, and the
/// advice names the 2.0 read that tells whether the task is paused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_old_pause_exits_5_naming_the_read_that_tells() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let running = sandbox.add_longlonglong_task(&user, "运行", true, &["13800000501"]);
    sandbox.set_fault(
        "longlonglong.pause_task_v1",
        Fault::default().drop_after(1.0).times(1),
    );
    let out = voxkit!(sandbox, "longlonglong task-v1 pause --user {user} --task {running} --output json" => 5);
    let error = out.error();
    assert_eq!(error["kind"], "outcome_unknown", "{error}");
    let hint = error["hint"].as_str().unwrap_or_default();
    assert!(
        hint.contains(&format!("task show --user {user} --task {running}")),
        "{error}"
    );
    assert_eq!(sandbox.dropped_after_applying(), 1);
    assert_eq!(task(&sandbox, &running).pauses, 1, "sent once, not again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_asks_first_then_removes_the_task() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let doomed = sandbox.add_longlonglong_task(&user, "删除", false, &[]);
    let delete = format!("longlonglong task-v1 delete --user {user} --task {doomed}");
    let out = voxkit(&sandbox, &delete).await.expect(2);
    assert!(out.stderr.contains("--yes"), "{out:#?}");
    task(&sandbox, &doomed);
    voxkit!(sandbox, "{delete} --yes" => 0);
    assert!(
        sandbox
            .longlonglong_tasks()
            .iter()
            .all(|t| t.uuid != doomed),
        "deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_marks_the_group_deprecated_and_names_each_replacement() {
    let sandbox = Sandbox::start().await.unwrap();
    let out = voxkit(&sandbox, "longlonglong --help").await.expect(0);
    let line = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("task-v1"))
        .unwrap_or_else(|| panic!("no task-v1 in {out:#?}"));
    assert!(line.contains("Deprecated"), "{line}");
    let out = voxkit(&sandbox, "longlonglong task-v1 --help")
        .await
        .expect(0);
    for replacement in [
        "`task list`",
        "`task list --subset`",
        "`task show`",
        "`task modify`",
        "`task pause`",
        "`task delete`",
    ] {
        assert!(out.stdout.contains(replacement), "{replacement}: {out:#?}");
    }
}
