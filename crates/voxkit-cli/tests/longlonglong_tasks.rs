//! `voxkit longlonglong task|number` end to end (issue 16, H18's sections): the real binary
//! against the seeded in-process sandbox (the docs' task, paused, holding two numbers): the
//! task list with `--all`, a task's state, numbers added from a file and then dialled as
//! the task runs, the documented 6007 when deleting numbers of a running task; H23: tasks
//! created from flags and from the docs' JSON body (the name marked), a lost create (exit 5
//! naming the marker), modify, copy and delete behind a confirmation, number reset behind
//! --yes.

#[macro_use]
mod common;

use voxkit_sandbox::{DOCS_TASK, LONGLONGLONG_DOCS_LINE, Sandbox};

use common::{drop_next_answer, in_sandbox as voxkit, longlonglong_sandbox};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_list_all_and_show_read_the_seeded_task() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let json =
        voxkit!(sandbox, "longlonglong task list --user {user} --all --output json" => 0).json();
    let uuids: Vec<&str> = json["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["uuid"].as_str())
        .collect();
    assert_eq!(uuids, [DOCS_TASK]);
    let json = voxkit!(sandbox, "longlonglong task show --user {user} --task {DOCS_TASK} --output json" => 0)
    .json();
    assert_eq!(json["state"], "Paused");
    assert_eq!(json["task"]["new_task_extra"]["number_count"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_from_a_file_are_dialled_and_a_running_task_refuses_deletes_with_6007() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let task = sandbox.add_longlonglong_task(&user, "演示", true, &[]);
    let file = std::env::temp_dir().join(format!("voxkit-numbers-{}.txt", std::process::id()));
    std::fs::write(&file, "# numbers\n13800000501\n\n13800000502\n").unwrap();
    let file_path = file.display();
    voxkit!(sandbox, "longlonglong number add --user {user} --task {task} --file {file_path}" => 0);
    // Each read advances the task: waiting → dialling → every number called.
    for _ in 0..2 {
        voxkit!(sandbox, "longlonglong task show --user {user} --task {task}" => 0);
    }
    let json = voxkit!(sandbox, "longlonglong number list --user {user} --task {task} --all --output json" => 0)
    .json();
    let rows = json["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["status"] != 0), "dialled: {rows:?}");
    let out = voxkit(
        &sandbox,
        &format!("longlonglong number delete --user {user} --task {task} --phone 13800000501"),
    )
    .await;
    assert_ne!(out.code, 0, "{out:#?}");
    assert!(out.stderr.contains("6007"), "{out:#?}");
    let _ = std::fs::remove_file(&file);
}

/// The uuids of the user's tasks whose name contains `name` (every task when empty).
async fn tasks_named(sandbox: &Sandbox, user: &str, name: &str) -> Vec<String> {
    let filter = if name.is_empty() {
        String::new()
    } else {
        format!("--name {name}")
    };
    let json =
        voxkit!(sandbox, "longlonglong task list --user {user} {filter} --all --output json" => 0)
            .json();
    json["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["uuid"].as_str().map(str::to_owned))
        .collect()
}

/// The docs' 任务创建 body (its line completed to a UUID the sandbox knows).
fn docs_body(line: &str) -> String {
    format!(
        r#"{{"name":"API任务创建测试","destination_extension":123,"maximumcall":2,"dial_time_id":5,
  "task_extras":{{"start_time":"2024-12-23 19:00:00","stop_time":"2025-12-23 19:00:00",
  "line":[{{"id":"{line}","limit":2}}],
  "destination_extension_list":[{{"begin":"09:00","end":"12:00","destination_extension":123}}],
  "redial_enabled":true,"redial_interval":1,"redial_max_times":2,
  "redial_conditions":{{"da_status":[2,3,4,6,8,9,12]}}}},"task_type":7}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_are_created_from_flags_and_the_docs_body_then_modified_copied_and_deleted() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let line = LONGLONGLONG_DOCS_LINE;
    let flags = "--script 123 --concurrency 2 --start 2030-01-01T09:00 --stop 2030-12-31T18:00";
    // A stop before the start, a line without its limit: refused before sending.
    for bad in [
        format!(
            "--name bad --script 1 --concurrency 1 --start 2030-02-01T00:00 --stop 2030-01-01T00:00 --line {line}:1"
        ),
        format!("--name bad {flags} --line {line}"),
    ] {
        voxkit!(sandbox, "longlonglong task create --user {user} {bad}" => 2);
    }
    assert!(tasks_named(&sandbox, &user, "bad").await.is_empty());

    let json = voxkit!(sandbox, "longlonglong task create --user {user} --name 旗标任务 {flags} --line {line}:2 --output json" => 0)
    .json();
    let marker = json["marker"].as_str().unwrap().to_owned();
    assert!(marker.starts_with("vk"), "{json}");
    assert_eq!(json["name"], format!("旗标任务 {marker}"));
    let created = tasks_named(&sandbox, &user, &marker).await;
    assert_eq!(created.len(), 1);

    let file = std::env::temp_dir().join(format!("voxkit-task-{}.json", std::process::id()));
    std::fs::write(&file, docs_body(line)).unwrap();
    let file_path = file.display();
    let out = voxkit!(sandbox, "longlonglong task create --user {user} --file {file_path}" => 0);
    assert!(out.stdout.contains("API任务创建测试 vk"), "{out:#?}");
    assert_eq!(
        tasks_named(&sandbox, &user, "API任务创建测试").await.len(),
        1
    );
    // Modify from the same body: repeatable, no confirmation.
    voxkit(
        &sandbox,
        &format!(
            "longlonglong task modify --user {user} --task {} --file {}",
            created[0],
            file.display()
        ),
    )
    .await
    .expect(0);
    // A body with a field the docs do not show is refused before sending.
    std::fs::write(&file, docs_body(line).replacen('{', r#"{"invented":1,"#, 1)).unwrap();
    let file_path = file.display();
    voxkit!(sandbox, "longlonglong task create --user {user} --file {file_path}" => 2);
    let _ = std::fs::remove_file(&file);

    // Copy and delete ask first: off a terminal, without --yes, nothing is sent.
    let before = tasks_named(&sandbox, &user, "").await.len();
    for command in ["copy", "delete"] {
        let out =
            voxkit!(sandbox, "longlonglong task {command} --user {user} --task {DOCS_TASK}" => 2);
        assert!(out.stderr.contains("--yes"), "{out:#?}");
    }
    assert_eq!(tasks_named(&sandbox, &user, "").await.len(), before);
    voxkit!(sandbox, "longlonglong task copy --user {user} --task {DOCS_TASK} --yes" => 0);
    assert_eq!(tasks_named(&sandbox, &user, "").await.len(), before + 1);
    voxkit(
        &sandbox,
        &format!(
            "longlonglong task delete --user {user} --task {} --yes",
            created[0]
        ),
    )
    .await
    .expect(0);
    assert!(tasks_named(&sandbox, &user, &marker).await.is_empty());
}

/// A create whose answer is lost exits 5 (never "safe to run again"), sent once, and the
/// advice names the marker and the `task list` command that finds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_create_exits_5_naming_the_marker_to_look_for() {
    let (sandbox, user) = longlonglong_sandbox().await;
    drop_next_answer(&sandbox, "longlonglong.create_task");
    let out = voxkit!(sandbox, "longlonglong task create --user {user} --name 丢失 --script 123 --concurrency 1 \
             --start 2030-01-01T09:00 --stop 2030-12-31T18:00 --line {LONGLONGLONG_DOCS_LINE}:1 \
             --output json" => 5);
    let hint = out.error().to_string();
    let marker = hint
        .split_whitespace()
        .find(|w| w.starts_with("vk"))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_ascii_alphanumeric())
                .to_owned()
        })
        .unwrap_or_else(|| panic!("no marker in {hint}"));
    assert!(
        hint.contains(&format!("task list --user {user} --name {marker} --all")),
        "{hint}"
    );
    assert_eq!(sandbox.dropped_after_applying(), 1);
    assert_eq!(
        tasks_named(&sandbox, &user, &marker).await.len(),
        1,
        "applied once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn number_reset_re_bills_so_it_needs_yes() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let task = sandbox.add_longlonglong_task(&user, "重置", false, &["13800000501"]);
    let reset =
        format!("longlonglong number reset --user {user} --task {task} --phone 13800000501");
    let out = voxkit(&sandbox, &reset).await.expect(2);
    assert!(out.stderr.contains("billed again"), "{out:#?}");
    assert!(out.stderr.contains("--yes"), "{out:#?}");
    voxkit!(sandbox, "{reset} --yes" => 0);
}
