//! End to end: `voxkit laaffic task update`, `ai update` and `ai resend` (issue 15) of the
//! real binary against the in-process sandbox, over loopback.

#[macro_use]
mod common;

use voxkit_sandbox::{Fault, Sandbox};

use common::{
    argv, create_laaffic_task, drop_next_answer, expect_refused, first_voice_file, laaffic_env,
    laaffic_tasks_named, run_args, sandbox, voxkit, voxkit_args, voxkit_args_json,
};

/// `task create` with the first seeded voice file and two numbers, calling at a time far
/// ahead (so the task stays waiting, hence updatable); returns its id.
async fn create_task(sandbox: &Sandbox, name: &str) -> u64 {
    let file = first_voice_file(sandbox);
    let later = ["--send-time", "2099-01-01 09:00:00"];
    create_laaffic_task(sandbox, name, &file, &later).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_update_is_applied_and_safe_to_repeat() {
    let sandbox = sandbox().await;
    let id = create_task(&sandbox, "before update").await;
    let file = first_voice_file(&sandbox);
    let task = id.to_string();
    let args = [
        "laaffic",
        "task",
        "update",
        "--task",
        &task,
        "--name",
        "after update",
        "--voice-file",
        &file,
        "--display-num",
        "12345",
        "--loop-count",
        "3",
        "--max-calls",
        "60",
        "--output",
        "json",
    ];
    let json = voxkit_args(&sandbox, &args).await.expect(0).json();
    assert_eq!(json["updated"], id);
    assert_eq!(json["name"], "after update");
    let updated = sandbox.laaffic_task(id).unwrap();
    assert_eq!(updated.name, "after update");
    assert_eq!(updated.loop_count, 3);
    assert_eq!(updated.max_calls, Some(60));
    assert_eq!(updated.display_num.as_deref(), Some("12345"));
    // The same update again: accepted, the task as after once, no task added.
    let count = sandbox.laaffic_tasks().len();
    voxkit_args(&sandbox, &args).await.expect(0);
    assert_eq!(sandbox.laaffic_tasks().len(), count);
    assert_eq!(laaffic_tasks_named(&sandbox, "after update"), 1);
    // Text output names the task.
    let out = voxkit_args(&sandbox, &args[..args.len() - 2])
        .await
        .expect(0);
    assert!(
        out.stdout
            .contains(&format!("updated task {id} \"after update\"")),
        "{out:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ai_update_is_applied_and_makes_an_ai_task() {
    let sandbox = sandbox().await;
    let id = create_task(&sandbox, "plain ivr").await;
    let task = id.to_string();
    let json = voxkit_args_json(
        &sandbox,
        &[
            "laaffic",
            "ai",
            "update",
            "--task",
            &task,
            "--name",
            "now ai",
            "--script",
            "9",
            "--max-calls",
            "40",
            "--window",
            "09:00-18:00",
            "--recording",
        ],
    )
    .await;
    assert_eq!(json["updated"], id);
    let updated = sandbox.laaffic_task(id).unwrap();
    assert_eq!(updated.name, "now ai");
    assert_eq!(updated.max_calls, Some(40));
    // It is listed as an AI task now.
    let json = voxkit_args(
        &sandbox,
        &[
            "laaffic", "tasks", "--type", "ai", "--search", "now ai", "--output", "json",
        ],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(json["total"], 1, "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ai_resend_creates_one_task_and_a_lost_answer_is_exit_5() {
    let sandbox = sandbox().await;
    let id = create_task(&sandbox, "ai original").await;
    let task = id.to_string();
    // A resend needs a finished, cancelled or paused task.
    voxkit!(sandbox, "laaffic task cancel {task}" => 0);
    let before = sandbox.laaffic_tasks().len();
    let json = voxkit_args_json(
        &sandbox,
        &[
            "laaffic",
            "ai",
            "resend",
            "--task",
            &task,
            "--name",
            "ai round 2",
            "--script",
            "9",
        ],
    )
    .await;
    assert_eq!(json["resent"], id);
    assert_eq!(json["name"], "ai round 2");
    let new_id = json["task_id"].as_u64().expect("the new round's id");
    assert_eq!(
        sandbox.laaffic_tasks().len(),
        before + 1,
        "one task created"
    );
    let round = sandbox.laaffic_task(new_id).unwrap();
    assert_eq!(round.name, "ai round 2");
    assert_eq!(round.resent_from, Some(id));
    assert_eq!(round.numbers.len(), 2, "all numbers by default");

    // The answer lost: exit 5, never sent again, and the hint finds the round.
    drop_next_answer(&sandbox, "laaffic.ai_task_resend");
    let out = voxkit_args(
        &sandbox,
        &[
            "laaffic", "ai", "resend", "--task", &task, "--name", "lost ai", "--script", "9",
            "--output", "json",
        ],
    )
    .await
    .expect(5);
    out.outcome_unknown(
        "resend_ai_task",
        "voxkit laaffic tasks --type ai --search \"lost ai\"",
    );
    assert_eq!(laaffic_tasks_named(&sandbox, "lost ai"), 1, "applied once");
    assert_eq!(sandbox.laaffic_tasks().len(), before + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_exit_2_with_nothing_sent() {
    let sandbox = sandbox().await;
    let id = create_task(&sandbox, "untouched").await;
    let task = id.to_string();
    let file = first_voice_file(&sandbox);
    // Anything that reached the server would be refused with a provider code (exit 3),
    // not exit 2.
    for route in [
        "laaffic.task_update",
        "laaffic.ai_task_update",
        "laaffic.ai_task_resend",
    ] {
        sandbox.set_fault(route, Fault::default().code(1.0, "-13"));
    }
    let before = sandbox.laaffic_tasks();
    let env = laaffic_env(&sandbox.url());
    let ai = |command: &str, extra: &[&str]| {
        let words = [
            "laaffic", "ai", command, "--task", &task, "--output", "json",
        ];
        argv(&words, extra)
    };
    let update = |extra: &[&str]| {
        let words = [
            "laaffic",
            "task",
            "update",
            "--task",
            &task,
            "--voice-file",
            &file,
            "--output",
            "json",
        ];
        argv(&words, extra)
    };
    // A good name and script, then the one flag that is wrong.
    let ai_ok = |command: &str, extra: &[&str]| {
        ai(
            command,
            &[&["--name", "ok", "--script", "1"], extra].concat(),
        )
    };
    // Rules the SDK checks: exit 2, kind invalid_input.
    let invalid = [
        ai("update", &["--name", "x", "--script", "1"]),
        ai("update", &["--name", "ok", "--script", "0"]),
        ai_ok("update", &["--max-ringing", "19"]),
        ai_ok("update", &["--display-num", "12a"]),
        ai("resend", &["--name", "x", "--script", "1"]),
        ai(
            "resend",
            &["--name", "fine", "--script", "1", "--callout-rate", "0"],
        ),
        update(&["--name", "ok", "--loop-count", "10"]),
        update(&["--name", "ok", "--max-calls", "1000"]),
        update(&["--name", "x"]),
    ];
    expect_refused(&env, &invalid, "invalid_input").await;
    // The CLI's own parsing: exit 2 too.
    let cli_checked = [
        ai_ok("update", &["--window", "25:00-26:00"]),
        ai_ok("resend", &["--send-time", "yesterday"]),
    ];
    for args in &cli_checked {
        run_args(&env, args).await.expect(2);
    }
    // Usage errors.
    let usage = [
        ai("update", &["--name", "ok"]),
        ai(
            "resend",
            &["--name", "ok", "--script", "1", "--resend-type", "some"],
        ),
        ai(
            "update",
            &[
                "--name",
                "ok",
                "--script",
                "1",
                "--recording",
                "--no-recording",
            ],
        ),
        vec![
            "laaffic".into(),
            "task".into(),
            "update".into(),
            "--task".into(),
            task.clone(),
            "--name".into(),
            "no voice".into(),
            "--output".into(),
            "json".into(),
        ],
    ];
    expect_refused(&env, &usage, "usage").await;
    assert_eq!(sandbox.laaffic_tasks(), before, "nothing was sent");
    // The guard works: a valid update does reach the server and is refused there.
    let out = run_args(&env, &ai("update", &["--name", "ok", "--script", "1"]))
        .await
        .expect(3);
    assert_eq!(out.error()["code"], "-13");
}
