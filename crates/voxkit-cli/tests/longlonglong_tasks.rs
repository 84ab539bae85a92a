//! `voxkit longlonglong task|number` end to end (issue 16, H18's sections): the real binary
//! against the seeded in-process sandbox (the docs' task, paused, holding two numbers): the
//! task list with `--all`, a task's state, numbers added from a file and then dialled as
//! the task runs, the documented 6007 when deleting numbers of a running task.

mod common;

use voxkit_sandbox::{DOCS_TASK, Sandbox};

use common::{Out, run_stdin, sandbox_env};

async fn voxkit(sandbox: &Sandbox, command_line: &str) -> Out {
    run_stdin(&sandbox_env(sandbox), None, command_line).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_list_all_and_show_read_the_seeded_task() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.seed().longlonglong_user.clone();
    let json = voxkit(
        &sandbox,
        &format!("longlonglong task list --user {user} --all --output json"),
    )
    .await
    .expect(0)
    .json();
    let uuids: Vec<&str> = json["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["uuid"].as_str())
        .collect();
    assert_eq!(uuids, [DOCS_TASK]);
    let json = voxkit(
        &sandbox,
        &format!("longlonglong task show --user {user} --task {DOCS_TASK} --output json"),
    )
    .await
    .expect(0)
    .json();
    assert_eq!(json["state"], "Paused");
    assert_eq!(json["task"]["new_task_extra"]["number_count"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_from_a_file_are_dialled_and_a_running_task_refuses_deletes_with_6007() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.seed().longlonglong_user.clone();
    let task = sandbox.add_longlonglong_task(&user, "演示", true, &[]);
    let file = std::env::temp_dir().join(format!("voxkit-numbers-{}.txt", std::process::id()));
    std::fs::write(&file, "# numbers\n13800000501\n\n13800000502\n").unwrap();
    voxkit(
        &sandbox,
        &format!(
            "longlonglong number add --user {user} --task {task} --file {}",
            file.display()
        ),
    )
    .await
    .expect(0);
    // Each read advances the task: waiting → dialling → every number called.
    for _ in 0..2 {
        voxkit(
            &sandbox,
            &format!("longlonglong task show --user {user} --task {task}"),
        )
        .await
        .expect(0);
    }
    let json = voxkit(
        &sandbox,
        &format!("longlonglong number list --user {user} --task {task} --all --output json"),
    )
    .await
    .expect(0)
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
