//! End to end: the IVR group-call commands (`voxkit laaffic voice|task|tasks|records`) of
//! the real binary against the in-process sandbox, over loopback.
//!
//! The sandbox's tasks advance one status step on every task read (waiting → calling →
//! completed) and get their call records when they complete.

#[macro_use]
mod common;

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use serde_json::Value;
use voxkit_sandbox::{Fault, Sandbox};

use common::{
    LAAFFIC_APP as APP, Scratch, argv, create_laaffic_task, dead_url, drop_next_answer,
    expect_refused, first_voice_file, json_argv, laaffic_create_words, laaffic_env,
    laaffic_tasks_named, run, run_args, sandbox, utc, voxkit, voxkit_args, voxkit_args_json, with,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_create_watch_until_complete_then_records() {
    let sandbox = sandbox().await;
    let scratch = Scratch::new("workflow");
    let path = scratch.file("greeting.mp3", b"ID3 not really an mp3");

    // Upload: the name defaults to the file's.
    let json = voxkit!(sandbox, "laaffic voice upload {path} --output json" => 0).json();
    assert_eq!(json["name"], "greeting.mp3");
    assert_eq!(json["bytes"], 21);
    let file = json["voice_file_id"].as_str().unwrap().to_owned();
    assert!(file.ends_with(".mp3"), "{json}");
    assert!(
        sandbox
            .laaffic_voice_files()
            .iter()
            .any(|f| f.id == file && f.name == "greeting.mp3")
    );
    // Text, under another name.
    let out = voxkit!(sandbox, "laaffic voice upload {path} --name welcome.wav" => 0);
    assert!(out.stdout.starts_with("voice_file_id  1"), "{out:#?}");
    assert!(
        out.stdout.contains("name           welcome.wav"),
        "{out:#?}"
    );

    // Create.
    let id = create_laaffic_task(
        &sandbox,
        "cli workflow task",
        &file,
        &[
            "--display-num",
            "1008122211",
            "--loop-count",
            "2",
            "--max-calls",
            "30",
        ],
    )
    .await;
    let task = sandbox.laaffic_task(id).unwrap();
    assert_eq!(task.status, 0);
    assert_eq!(task.numbers, ["8613800000001", "8613800000002"]);
    assert_eq!(task.voice_file_id.as_deref(), Some(file.as_str()));
    assert_eq!(task.display_num.as_deref(), Some("1008122211"));
    assert_eq!((task.loop_count, task.max_calls), (2, Some(30)));

    // Watch it with `tasks` and `task show` until it is complete.
    let json = voxkit_args_json(&sandbox, &["laaffic", "tasks", "--search", "cli workflow"]).await;
    assert_eq!(json["total"], 1, "{json}");
    let listed = &json["tasks"][0];
    assert_eq!(listed["task_id"], id);
    assert_eq!(listed["name"], "cli workflow task");
    assert_eq!(listed["status"], 1);
    assert_eq!(listed["status_name"], "calling");
    assert_eq!(listed["numbers"], 2);
    let mut seen = Vec::new();
    for _ in 0..5 {
        let json = voxkit!(sandbox, "laaffic task show {id} --output json" => 0).json();
        let status = json["task"]["status_name"].as_str().unwrap().to_owned();
        seen.push(status.clone());
        if status == "completed" {
            assert_eq!(json["task"]["task_id"], id);
            assert_eq!(json["task"]["call_total"], 2);
            assert_eq!(json["task"]["voice_file_id"], file.as_str());
            break;
        }
    }
    assert_eq!(seen, ["completed"], "one more read completes it");
    let out = voxkit!(sandbox, "laaffic task show {id}" => 0);
    let first: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .take(3)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let id_text = id.to_string();
    assert_eq!(
        first,
        [
            vec!["task_id", id_text.as_str()],
            vec!["name", "cli", "workflow", "task"],
            vec!["status_name", "completed"]
        ],
        "{out:#?}"
    );
    // The list as a table, the newest first.
    let out = voxkit!(sandbox, "laaffic tasks" => 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("     ID  NAME"), "{out:#?}");
    assert!(lines[1].contains("cli workflow task") && lines[1].contains("completed"));
    assert!(
        lines.last().unwrap() == &"3 tasks; page 1 of 1 (3 tasks)",
        "{out:#?}"
    );
    let json = voxkit!(
        sandbox,
        "laaffic tasks --status completed --status cancelled --page 1 --size 1 --output json" => 0
    )
    .json();
    assert_eq!(
        (json["total"].as_u64(), json["pages"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(json["tasks"].as_array().unwrap().len(), 1);

    // Its records: one per number.
    let json = voxkit(
        &sandbox,
        &format!(
            "laaffic records --from {} --to {} --output json",
            utc(-3600),
            utc(3600)
        ),
    )
    .await
    .expect(0)
    .json();
    let ours: Vec<&Value> = json["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["voice_file_id"] == file.as_str())
        .collect();
    assert_eq!(ours.len(), 2, "{json}");
    let callees: Vec<&str> = ours.iter().map(|r| r["callee"].as_str().unwrap()).collect();
    assert!(callees.contains(&"8613800000001") && callees.contains(&"8613800000002"));
    let voice_id = ours[0]["voice_id"].as_str().unwrap().to_owned();
    assert!(ours[0]["cost"].is_string(), "exact decimals: {json}");
    let json = voxkit!(sandbox, "laaffic records {voice_id} --output json" => 0).json();
    assert_eq!(json["record"]["voice_id"], voice_id.as_str());
    assert_eq!(json["record"]["display_num"], "1008122211");
    let out = voxkit!(sandbox, "laaffic records {voice_id}" => 0);
    assert!(out.stdout.starts_with("voice_id"), "{out:#?}");
    let out = voxkit(
        &sandbox,
        &format!("laaffic records --from {} --to {}", utc(-3600), utc(3600)),
    )
    .await
    .expect(0);
    assert!(out.stdout.starts_with("VOICE ID"), "{out:#?}");
    assert!(out.stdout.contains(&voice_id), "{out:#?}");
    assert!(sandbox_records_match(&sandbox, id));

    // Resend it with text to speech: a new task calling the same numbers.
    let json = voxkit_args_json(
        &sandbox,
        &[
            "laaffic",
            "task",
            "resend",
            &id.to_string(),
            "--name",
            "cli workflow again",
            "--tts",
            "Hello ${text1}",
            "--lan",
            "EN",
            "--gender",
            "male",
            "--speaking-rate",
            "1.5",
            "--max-ringing",
            "30",
        ],
    )
    .await;
    assert_eq!(json["resent"], id);
    let again = json["task_id"].as_u64().unwrap();
    let task = sandbox.laaffic_task(again).unwrap();
    assert_eq!(task.resent_from, Some(id));
    assert_eq!(task.numbers.len(), 2);
    assert_eq!(task.text.as_deref(), Some("Hello ${text1}"));
    assert_eq!(task.lan.as_deref(), Some("EN"));
}

fn sandbox_records_match(sandbox: &Sandbox, task: u64) -> bool {
    sandbox
        .laaffic_call_records()
        .iter()
        .filter(|r| r.task_id == task)
        .count()
        == 2
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_cancel_and_refusals() {
    let sandbox = sandbox().await;
    let file = first_voice_file(&sandbox);
    // Scheduled a year ahead: it stays waiting.
    let later = DateTime::<Utc>::from(SystemTime::now() + Duration::from_secs(365 * 86_400))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let a = create_laaffic_task(&sandbox, "later one", &file, &["--send-time", &later]).await;
    let b = create_laaffic_task(&sandbox, "later two", &file, &["--send-time", &later]).await;
    assert!(sandbox.laaffic_task(a).unwrap().send_time.is_some());

    let out = voxkit!(sandbox, "laaffic task pause {a} {b}" => 0);
    assert_eq!(out.stdout.trim(), format!("paused tasks {a}, {b}"));
    assert_eq!(sandbox.laaffic_task(a).unwrap().status, 5);
    assert_eq!(sandbox.laaffic_task(b).unwrap().status, 5);
    let json = voxkit!(sandbox, "laaffic task cancel {a} --output json" => 0).json();
    assert_eq!(json, serde_json::json!({"cancelled": [a]}));
    assert_eq!(sandbox.laaffic_task(a).unwrap().status, 4);
    let json =
        voxkit!(sandbox, "laaffic tasks --status paused --status cancelled --output json" => 0)
            .json();
    let names: Vec<(&str, &str)> = json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap(),
                t["status_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(names, [("later two", "paused"), ("later one", "cancelled")]);

    // Refused by the provider: exit 3 with its code.
    let out = voxkit!(sandbox, "laaffic task pause {a} --output json" => 3);
    let error = out.error();
    assert_eq!(error["code"], "-54");
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains(&format!("voxkit laaffic task show {a}")),
        "{error}"
    );
    let out = voxkit!(sandbox, "laaffic task show 999 --output json" => 3);
    let error = out.error();
    assert_eq!(error["kind"], "api");
    assert_eq!(error["operation"], "task_detail");
    assert_eq!(error["code"], "-24");
    voxkit!(sandbox, "laaffic records 1234567890123456789" => 3).error_line();
    // A task name already used.
    let words = laaffic_create_words("later one", "8613800000001", &file, &[]);
    let out = voxkit_args(&sandbox, &words).await.expect(3);
    assert!(out.error_line().contains("provider error -20"), "{out:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_takes_every_option() {
    let sandbox = sandbox().await;
    let scratch = Scratch::new("options");
    let numbers = scratch.file(
        "numbers.txt",
        b"# number,text1,text2\n8613800000011,Ann,42\n\n8613800000012\n8613800000013,,x\n",
    );
    let voice = scratch.file("prompt.wav", b"RIFF....WAVE");
    let env = with(laaffic_env(&sandbox.url()), &[("LAAFFIC_APP_ID", APP)]);
    let json = run_args(
        &env,
        &[
            "laaffic",
            "task",
            "create",
            "--name",
            "every option",
            "--numbers-file",
            &numbers,
            "--upload",
            &voice,
            "--window",
            "09:00-12:00",
            "--window",
            "14:00-18:30",
            "--seat-group",
            "7",
            "--sms-app",
            "smsapp1",
            "--sms-content",
            "Thanks ${text1}",
            "--sms-sender",
            "VOXKIT",
            "--sms-on-key",
            "1",
            "--sms-on-success-after",
            "10",
            "--sms-on-failure",
            "--sms-on-ringing",
            "--display-num",
            "123456",
            "--output",
            "json",
        ],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(json["numbers"], 3);
    let task = sandbox
        .laaffic_task(json["task_id"].as_u64().unwrap())
        .unwrap();
    assert_eq!(task.app_id, APP);
    assert_eq!(
        task.numbers,
        ["8613800000011", "8613800000012", "8613800000013"]
    );
    assert_eq!(task.source, 2);
    assert_eq!(task.upload_name.as_deref(), Some("prompt.wav"));

    // Text to speech, text output.
    let out = run_args(
        &env,
        &[
            "laaffic",
            "task",
            "create",
            "--name",
            "tts task",
            "--numbers",
            "8613800000021",
            "--tts",
            "Hello",
            "--lan",
            "EN",
        ],
    )
    .await
    .expect(0);
    assert!(out.stdout.starts_with("created task "), "{out:#?}");
    assert!(
        out.stdout.contains("\"tts task\" calling 1 number"),
        "{out:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_exit_2_with_nothing_sent() {
    let sandbox = sandbox().await;
    let scratch = Scratch::new("invalid");
    let tasks_before = sandbox.laaffic_tasks().len();
    let files_before = sandbox.laaffic_voice_files().len();
    let text = scratch.file("notes.txt", b"hello");
    let empty = scratch.file("empty.mp3", b"");
    let missing = scratch.0.join("missing.mp3");
    let missing = missing.to_str().unwrap();
    let file = first_voice_file(&sandbox);
    let create = |extra: &[&str]| {
        let words = [
            "laaffic",
            "task",
            "create",
            "--app-id",
            APP,
            "--name",
            "never sent",
            "--output",
            "json",
        ];
        argv(&words, extra)
    };
    // One number and the voice file, then what is wrong.
    let voiced = |extra: &[&str]| {
        create(
            &[
                &["--numbers", "8613800000001", "--voice-file", &file],
                extra,
            ]
            .concat(),
        )
    };
    // Task 5000602 resent under `name` with the voice file, then `extra`.
    let resend = |name: &str, extra: &[&str]| {
        let words = [
            "laaffic",
            "task",
            "resend",
            "5000602",
            "--name",
            name,
            "--voice-file",
            &file,
        ];
        json_argv(&[&words, extra].concat())
    };
    let env = laaffic_env(&sandbox.url());
    let invalid: Vec<Vec<String>> = vec![
        json_argv(&["laaffic", "voice", "upload", &text]),
        json_argv(&["laaffic", "voice", "upload", &empty]),
        json_argv(&["laaffic", "voice", "upload", missing]),
        json_argv(&["laaffic", "voice", "upload", &text, "--name", "a/b.mp3"]),
        create(&["--numbers", "12", "--voice-file", &file]),
        voiced(&["--send-time", "tomorrow"]),
        voiced(&["--window", "9-17"]),
        voiced(&["--loop-count", "10"]),
        voiced(&["--sms-app", "a", "--sms-content", "no trigger"]),
        create(&[
            "--numbers",
            "8613800000001",
            "--tts",
            "x",
            "--lan",
            "EN",
            "--window",
            "09:00-10:00",
            "--window",
            "11:00-12:00",
            "--window",
            "13:00-14:00",
            "--window",
            "15:00-16:00",
        ]),
        create(&["--numbers-file", missing, "--voice-file", &file]),
        create(&["--numbers", "8613800000001", "--upload", &text]),
        resend("x", &[]),
        resend("ok name", &["--speaking-rate", "9"]),
        json_argv(&["laaffic", "tasks", "--from", "2026-13-01"]),
        json_argv(&["laaffic", "tasks", "--size", "101"]),
        json_argv(&[
            "laaffic",
            "records",
            "--from",
            &utc(-40 * 86_400),
            "--to",
            &utc(0),
        ]),
        json_argv(&["laaffic", "records", "--from", &utc(0), "--to", &utc(-60)]),
        json_argv(&[
            "laaffic",
            "records",
            "--from",
            "2020-01-01",
            "--to",
            "2020-01-02",
        ]),
    ];
    expect_refused(&env, &invalid, "invalid_input").await;
    // Usage errors: clap refuses them.
    let usage: Vec<Vec<String>> = vec![
        create(&["--voice-file", &file]),
        create(&["--numbers", "8613800000001"]),
        voiced(&["--tts", "x", "--lan", "EN"]),
        create(&["--numbers", "8613800000001", "--tts", "x"]),
        voiced(&["--sms-on-failure"]),
        json_argv(&["laaffic", "task", "show", "abc"]),
        json_argv(&["laaffic", "task", "pause"]),
        json_argv(&["laaffic", "records"]),
        json_argv(&[
            "laaffic",
            "records",
            "123",
            "--from",
            &utc(0),
            "--to",
            &utc(0),
        ]),
        json_argv(&["laaffic", "tasks", "--status", "done"]),
    ];
    expect_refused(&env, &usage, "usage").await;
    // No application id: from --app-id or LAAFFIC_APP_ID.
    let out = run(
        &env,
        &format!("laaffic task create --name n1 --numbers 8613800000001 --voice-file {file}"),
    )
    .await
    .expect(2);
    assert!(out.error_line().contains("--app-id"), "{out:#?}");
    // Missing credentials.
    let out = run(
        &with(env.clone(), &[("LAAFFIC_API_KEY", "")]),
        &format!("laaffic voice upload {text} --name good.mp3 --output json"),
    )
    .await
    .expect(2);
    assert_eq!(out.error()["kind"], "config");

    assert_eq!(
        sandbox.laaffic_tasks().len(),
        tasks_before,
        "nothing was sent"
    );
    assert_eq!(sandbox.laaffic_voice_files().len(), files_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_are_exit_5_with_a_hint_and_applied_once() {
    let sandbox = sandbox().await;
    let scratch = Scratch::new("unknown");
    let path = scratch.file("lost.mp3", b"ID3 lost");
    let file = first_voice_file(&sandbox);

    // Upload.
    drop_next_answer(&sandbox, "laaffic.voice_upload");
    let out = voxkit!(sandbox, "laaffic voice upload {path}" => 5);
    let line = out.error_line();
    assert!(
        line.contains("To check:") && line.contains("\"lost.mp3\""),
        "{line}"
    );
    let uploaded = |name: &str| {
        sandbox
            .laaffic_voice_files()
            .iter()
            .filter(|f| f.name == name)
            .count()
    };
    assert_eq!(uploaded("lost.mp3"), 1, "applied once");
    // Following the hint: the same name again is refused -20, so it was applied.
    let out = voxkit!(sandbox, "laaffic voice upload {path} --output json" => 3);
    assert_eq!(out.error()["code"], "-20");
    assert_eq!(uploaded("lost.mp3"), 1);

    // Create, as JSON.
    drop_next_answer(&sandbox, "laaffic.task_create");
    let words = laaffic_create_words("lost task", "8613800000001", &file, &["--output", "json"]);
    let out = voxkit_args(&sandbox, &words).await.expect(5);
    out.outcome_unknown("create_task", "voxkit laaffic tasks --search \"lost task\"");
    let named = |name: &str| laaffic_tasks_named(&sandbox, name);
    assert_eq!(named("lost task"), 1, "applied once");
    // Following the hint finds it.
    let json = voxkit_args_json(&sandbox, &["laaffic", "tasks", "--search", "lost task"]).await;
    assert_eq!(json["total"], 1);

    // Resend.
    drop_next_answer(&sandbox, "laaffic.task_resend");
    let out = voxkit_args(
        &sandbox,
        &[
            "laaffic",
            "task",
            "resend",
            "5000602",
            "--name",
            "lost resend",
            "--voice-file",
            &file,
        ],
    )
    .await
    .expect(5);
    assert!(
        out.error_line()
            .contains("voxkit laaffic tasks --search \"lost resend\""),
        "{out:#?}"
    );
    assert_eq!(named("lost resend"), 1);
    assert_eq!(sandbox.dropped_after_applying(), 3);

    // Pause and cancel are repeatable: a lost answer is retried, and succeeds.
    let id = sandbox
        .laaffic_tasks()
        .iter()
        .find(|t| t.name == "lost task")
        .unwrap()
        .id;
    drop_next_answer(&sandbox, "laaffic.task_pause");
    voxkit!(sandbox, "laaffic task pause {id}" => 0);
    assert_eq!(sandbox.laaffic_task(id).unwrap().status, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transport_and_http_failures_are_exit_4() {
    let sandbox = sandbox().await;
    sandbox.set_fault("laaffic.tasks", Fault::default().error(1.0, 503));
    let out = voxkit!(sandbox, "laaffic tasks --output json --timeout 5" => 4);
    assert_eq!(out.error()["kind"], "http_status");
    sandbox.set_fault("laaffic.call_records", Fault::default().drop_before(1.0));
    let out = voxkit(
        &sandbox,
        &format!(
            "laaffic records --from {} --to {} --timeout 5",
            utc(-60),
            utc(60)
        ),
    )
    .await
    .expect(4);
    out.error_line();
    sandbox.clear_faults();

    let dead = dead_url();
    let env = with(laaffic_env(&sandbox.url()), &[("LAAFFIC_BASE_URL", &dead)]);
    for command in ["laaffic task show 5000602", "laaffic task cancel 5000603"] {
        let out = run(&env, &format!("{command} --output json --timeout 5"))
            .await
            .expect(4);
        assert_eq!(out.error()["kind"], "transport", "{command}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_walks_through_an_ivr_group_call() {
    let out = run(&[], "demo").await.expect(0);
    let tour = &out.stdout[out
        .stdout
        .find("== Laaffic IVR group calls")
        .expect("an IVR section")..];
    for needle in [
        "client.upload_voice_file(\"welcome.mp3\"",
        "client.create_task(",
        "client.task_detail(",
        "status completed",
        "client.query_tasks(",
        "demo group call  completed",
        "client.call_records(",
        "client.call_record(",
        "termination_code",
    ] {
        assert!(tour.contains(needle), "{needle:?} missing: {out:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_lists_the_ivr_commands() {
    let out = run(&[], "laaffic --help").await.expect(0);
    for needle in ["voice", "task", "tasks", "records", "balance"] {
        assert!(out.stdout.contains(needle), "{needle:?}: {out:#?}");
    }
    let out = run(&[], "laaffic task --help").await.expect(0);
    for needle in ["create", "show", "pause", "cancel", "resend"] {
        assert!(out.stdout.contains(needle), "{needle:?}: {out:#?}");
    }
    let out = run(&[], "laaffic task create --help").await.expect(0);
    for needle in [
        "--numbers-file",
        "--tts",
        "--window",
        "--seat-group",
        "--sms-on-key",
        "LAAFFIC_APP_ID",
    ] {
        assert!(out.stdout.contains(needle), "{needle:?}: {out:#?}");
    }
}
