//! The Laaffic IVR group-call workflow end to end, through the real SDK client over
//! loopback: upload, create, the task life cycle, records, every documented refusal, and a
//! create whose answer is lost.

mod common;

use std::time::SystemTime;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use voxkit_laaffic::{
    Callee, Client, Lan, NewTask, RecordQuery, Resend, Status, TaskId, TaskQuery, TaskStatus,
    VoiceSource,
};
use voxkit_sandbox::{Fault, LAAFFIC_API_KEY, Sandbox};

use common::laaffic_client as client;

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// Now, China time, as the task APIs' `LocalDateTime`.
fn china_now() -> NaiveDateTime {
    DateTime::<Utc>::from(SystemTime::now())
        .with_timezone(&china())
        .naive_local()
}

/// The task list of the last day (China time), which reads (and so advances) the tasks.
fn today() -> TaskQuery {
    let now = china_now();
    TaskQuery::new(now - TimeDelta::days(1), now + TimeDelta::minutes(1)).page(1, 100)
}

fn records_window() -> RecordQuery {
    let now = DateTime::<Utc>::from(SystemTime::now()).with_timezone(&china());
    RecordQuery::new(now - TimeDelta::days(1), now + TimeDelta::minutes(1)).page(1, 100)
}

/// Asserts that `err` is a refusal with the documented `status`.
fn assert_status(err: &voxkit_core::Error, status: Status) {
    assert_eq!(Status::of(err), Some(status), "{err}");
}

/// The error `result` must be, a refusal with the documented `status`; returned for more
/// checks.
fn refused<T: std::fmt::Debug>(
    result: Result<T, voxkit_core::Error>,
    status: Status,
) -> voxkit_core::Error {
    let err = result.unwrap_err();
    assert_status(&err, status);
    err
}

const NUMBERS: [&str; 5] = [
    "8613500000000",
    "8613500000001",
    "8613500000002",
    "6312345678",
    "447700900123",
];

fn new_task(name: &str, file: &str) -> NewTask {
    NewTask::new(
        "4luaKsL2",
        name,
        VoiceSource::file(file),
        NUMBERS.iter().map(|n| Callee::new(*n)),
    )
}

/// A signed request the SDK would refuse to send.
async fn raw(sandbox: &Sandbox, path: &str, body: Value) -> Value {
    raw_with(sandbox, "POST", path, Some(body)).await
}

/// A signed request with any method, and a body if given.
async fn raw_with(sandbox: &Sandbox, method: &str, path: &str, body: Option<Value>) -> Value {
    common::laaffic_now(sandbox, method, path, body).await.1
}

/// Posts `body` raw to `path` and asserts that the answer's `field` (`status` in envelope
/// family A, `code` in family B) is the string `code`; the answer, for more checks.
async fn answers(sandbox: &Sandbox, path: &str, body: Value, field: &str, code: &str) -> Value {
    let answer = raw(sandbox, path, body.clone()).await;
    assert_eq!(answer[field], json!(code), "{body}: {answer}");
    answer
}

/// A started sandbox, the SDK client at it and the seeded voice file's id: where most
/// tests start.
async fn started() -> (Sandbox, Client, String) {
    let sandbox = Sandbox::start().await.unwrap();
    let c = client(&sandbox);
    let file = sandbox.seed().laaffic_voice_file.clone();
    (sandbox, c, file)
}

/// Drops the next answer of `route` after its request is applied: the lost answer after
/// which a non-repeatable operation's outcome is unknown.
fn lose_the_next_answer(sandbox: &Sandbox, route: &str) {
    sandbox.set_fault(route, Fault::default().drop_after(1.0).times(1));
}

/// Creates `task`, which must succeed with the new id in `data`.
async fn created(c: &Client, task: &NewTask) -> TaskId {
    c.create_task(task)
        .await
        .unwrap()
        .expect("the new id in data")
}

#[tokio::test]
async fn the_whole_workflow_upload_create_watch_records() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = client(&sandbox);

    let file = c
        .upload_voice_file("greeting.mp3", b"ID3\x04\x00 voice")
        .await
        .unwrap();
    let id = file.as_str();
    assert!(id.starts_with('1') && id.ends_with(".mp3"), "{id}");
    assert_eq!(
        id.len(),
        "1202202254d4c6372d6f341e999c7ecd0683ee464.mp3".len()
    );
    let stored = sandbox.laaffic_voice_files();
    let stored = stored.iter().find(|f| f.id == id).expect("stored");
    assert_eq!((stored.name.as_str(), stored.size), ("greeting.mp3", 11));

    let task = created(&c, &new_task("spring campaign", id).max_call_seconds(30)).await;
    let held = sandbox.laaffic_task(task.0).expect("created");
    assert_eq!(held.status, 0);
    assert_eq!(held.name, "spring campaign");
    assert_eq!(held.numbers, NUMBERS);

    // Each read moves the task one step: 0 → 1 → 2.
    let mut seen = Vec::new();
    for _ in 0..5 {
        let page = c.query_tasks(&today()).await.unwrap();
        let row = page
            .items
            .iter()
            .find(|r| r.task_id == task)
            .expect("listed");
        seen.push(row.status.unwrap());
        if row.status == Some(TaskStatus::Completed) {
            assert_eq!(row.num_cnt, Some(5));
            assert_eq!(row.call_num, Some(5));
            assert_eq!(row.success.unwrap() + row.fail.unwrap(), 5);
            break;
        }
    }
    assert_eq!(seen, [TaskStatus::Calling, TaskStatus::Completed]);
    let detail = c.task_detail(task).await.unwrap();
    assert_eq!(detail.job_id, task);
    assert_eq!(detail.status, Some(TaskStatus::Completed));
    assert_eq!(detail.voice_file_id.as_deref(), Some(id));
    assert_eq!(detail.max_calls, Some(30));
    assert!(detail.finish_time.is_some());

    // One record per number, single and batch, as the SDK decodes them.
    let mine: Vec<_> = sandbox
        .laaffic_call_records()
        .into_iter()
        .filter(|r| r.task_id == task.0)
        .collect();
    assert_eq!(mine.len(), 5);
    assert!(mine.iter().any(|r| r.answered), "most calls are answered");
    let batch = c.call_records(&records_window()).await.unwrap();
    // `searchCount`, which the SDK's page no longer carries, on the wire.
    let now = DateTime::<Utc>::from(SystemTime::now()).with_timezone(&china());
    let window = json!({"current": 1, "size": 100, "params": {
        "strTime": (now - TimeDelta::days(1)).to_rfc3339(),
        "endTime": (now + TimeDelta::minutes(1)).to_rfc3339(),
    }});
    let raw_batch = raw(&sandbox, "/v3/voice/recordGroupQuery", window).await;
    assert_eq!(raw_batch["data"]["searchCount"], true, "{raw_batch}");
    for held in &mine {
        let single = c.call_record(&held.voice_id).await.unwrap();
        assert_eq!(single.voice_id, held.voice_id);
        assert_eq!(single.callee.as_deref(), Some(held.callee.as_str()));
        assert_eq!(single.voice_file_id.as_deref(), Some(id));
        assert_eq!(single.cost, Some(held.cost));
        assert_eq!(single.submit_time.unwrap().offset(), &china());
        assert!(single.call_duration.unwrap() <= 30);
        if held.answered {
            assert_eq!(single.termination_code.as_deref(), Some("200"));
            assert!(single.answer_time.is_some());
            assert_eq!(single.charged_duration.unwrap() % 20, 0);
        } else {
            assert_ne!(single.termination_code.as_deref(), Some("200"));
            assert_eq!(single.call_duration, Some(0));
            assert!(single.answer_time.is_none());
        }
        assert!(
            batch.items.iter().any(|r| r == &single),
            "{} in the batch",
            held.voice_id
        );
    }
}

#[tokio::test]
async fn records_are_deterministic_for_a_generator_seed() {
    async fn outcomes() -> Vec<(String, bool, u64)> {
        let sandbox = Sandbox::builder().rng_seed(42).start().await.unwrap();
        let c = client(&sandbox);
        let file = sandbox.seed().laaffic_voice_file.clone();
        let task = created(&c, &new_task("seeded", &file)).await;
        sandbox.advance_laaffic_tasks();
        sandbox.advance_laaffic_tasks();
        assert_eq!(sandbox.laaffic_task(task.0).unwrap().status, 2);
        sandbox
            .laaffic_call_records()
            .into_iter()
            .filter(|r| r.task_id == task.0)
            .map(|r| (r.callee, r.answered, r.call_duration))
            .collect()
    }
    assert_eq!(outcomes().await, outcomes().await);
}

#[tokio::test]
async fn text_to_speech_and_upload_sources() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = client(&sandbox);
    let tts = NewTask::new(
        "app",
        "tts task",
        VoiceSource::text_to_speech("Hello ${text1}", Lan::English),
        [Callee::new("8613500000000").text(1, "Ann")],
    );
    let tts = created(&c, &tts).await;
    let held = sandbox.laaffic_task(tts.0).unwrap();
    assert_eq!(
        (held.source, held.text.as_deref(), held.lan.as_deref()),
        (3, Some("Hello ${text1}"), Some("EN"))
    );
    let page = c.query_tasks(&today().search("${text1}")).await.unwrap();
    assert_eq!(page.items.len(), 1, "found by its text");

    let up = NewTask::new(
        "app",
        "upload task",
        VoiceSource::upload("inline.wav", b"RIFF".to_vec()),
        [Callee::new("8613500000000")],
    );
    let up = created(&c, &up).await;
    let held = sandbox.laaffic_task(up.0).unwrap();
    let file = held.voice_file_id.expect("the upload is stored");
    assert!(
        sandbox
            .laaffic_voice_files()
            .iter()
            .any(|f| f.id == file && f.name == "inline.wav")
    );
    // Its name is now taken.
    refused(
        c.upload_voice_file("inline.wav", b"RIFF").await,
        Status::DataExists,
    );
}

#[tokio::test]
async fn documented_refusals() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = client(&sandbox);
    let seed = sandbox.seed().clone();

    // Duplicate file name: -20 数据已存在, nothing stored.
    let err = refused(
        c.upload_voice_file("seed-voice.mp3", b"ID3").await,
        Status::DataExists,
    );
    assert!(err.to_string().contains("数据已存在"), "{err}");
    assert_eq!(sandbox.laaffic_voice_files().len(), 1);

    // What the SDK refuses to send, sent raw.
    for (body, code) in [
        (json!({"fileName": "x.ogg", "file": "SUQz"}), "-21"),
        (json!({"fileName": "abcd", "file": "SUQz"}), "-21"),
        (
            json!({"fileName": "bad64.mp3", "file": "not base64!"}),
            "-21",
        ),
        (json!({"fileName": "empty.mp3", "file": ""}), "-21"),
        (json!({"fileName": "nofile.mp3"}), "-22"),
        (json!({"file": "SUQz"}), "-22"),
    ] {
        let answer = answers(&sandbox, "/v3/voice/fileUpload", body, "status", code).await;
        assert!(answer["reason"].is_string());
    }
    assert_eq!(sandbox.laaffic_voice_files().len(), 1);

    // Unknown voice file: -24 数据不存在.
    let no_file = new_task("no such file", "1nosuchfile.mp3");
    refused(c.create_task(&no_file).await, Status::DataNotFound);
    // Duplicate task name: -20.
    let taken = new_task("示例群呼任务", &seed.laaffic_voice_file);
    refused(c.create_task(&taken).await, Status::DataExists);
    let base = |extra: Value| {
        let mut body = json!({"appId": "app", "taskName": "raw task", "source": 1,
            "voiceFileId": seed.laaffic_voice_file,
            "numberInfoList": [{"calleeNumber": "8613500000000"}]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (extra, code) in [
        (json!({"numberInfoList": [{"calleeNumber": "12345"}]}), "-9"),
        (
            json!({"numberInfoList": [{"calleeNumber": "+8613500000000"}]}),
            "-9",
        ),
        (json!({"numberInfoList": []}), "-8"),
        (json!({"taskName": "x"}), "-21"),
        (json!({"source": 3, "text": "hi"}), "-22"),
        (json!({"source": 3, "text": "hi", "lan": "XX"}), "-21"),
        (json!({"source": 9}), "-22"),
        (json!({"loopCount": 10}), "-21"),
        (json!({"sendTime": "2024-01-01T00:00:00"}), "-11"),
    ] {
        answers(
            &sandbox,
            "/v3/voice/group/call/send",
            base(extra),
            "status",
            code,
        )
        .await;
    }
    assert_eq!(sandbox.laaffic_tasks().len(), 2, "nothing created");

    // Unknown task ids: -24 on detail, pause, cancel, resend; nothing changes.
    let unknown = TaskId(999);
    let scheduled = TaskId(seed.laaffic_scheduled_task);
    for err in [
        c.task_detail(unknown).await.map(drop).unwrap_err(),
        c.pause_tasks(&[scheduled, unknown]).await.unwrap_err(),
        c.cancel_tasks(&[unknown]).await.unwrap_err(),
        c.resend_task(&Resend::new(
            unknown,
            "again",
            VoiceSource::file(seed.laaffic_voice_file.as_str()),
        ))
        .await
        .map(drop)
        .unwrap_err(),
    ] {
        assert_status(&err, Status::DataNotFound);
    }
    assert_eq!(sandbox.laaffic_task(scheduled.0).unwrap().status, 0);
    // A finished task cannot be paused or cancelled: -54.
    let done = TaskId(seed.laaffic_task);
    for err in [
        c.pause_tasks(&[done]).await.unwrap_err(),
        c.cancel_tasks(&[done]).await.unwrap_err(),
    ] {
        assert_status(&err, Status::TaskInvalid);
    }
    // Unknown record: -24.
    refused(
        c.call_record("2203031113389999999").await,
        Status::DataNotFound,
    );
}

#[tokio::test]
async fn record_windows_follow_the_documented_rules() {
    let sandbox = Sandbox::start().await.unwrap();
    let now = DateTime::<Utc>::from(SystemTime::now()).with_timezone(&china());
    let iso = |t: DateTime<FixedOffset>| t.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let query = |start: DateTime<FixedOffset>, end: DateTime<FixedOffset>| json!({"current": 1, "size": 25, "params": {"strTime": iso(start), "endTime": iso(end)}});
    for (body, code) in [
        // More than 31 days apart.
        (query(now - TimeDelta::days(40), now), "-25"),
        // Starting more than two months ago.
        (
            query(now - TimeDelta::days(70), now - TimeDelta::days(60)),
            "-25",
        ),
        // Reversed, unreadable, missing paging.
        (query(now, now - TimeDelta::days(1)), "-22"),
        (
            json!({"current": 1, "size": 25, "params": {"strTime": "2024-01-01 00:00:00", "endTime": iso(now)}}),
            "-22",
        ),
        (
            json!({"params": {"strTime": iso(now), "endTime": iso(now)}}),
            "-22",
        ),
        (query(now - TimeDelta::days(31), now), "0"),
    ] {
        answers(&sandbox, "/v3/voice/recordGroupQuery", body, "status", code).await;
    }
    // The SDK refuses the same windows before sending; a good one pages the seed's records.
    let c = client(&sandbox);
    let err = c
        .call_records(&RecordQuery::new(now - TimeDelta::days(40), now))
        .await
        .unwrap_err();
    assert!(err.nothing_sent(), "{err}");
    let page = c.call_records(&records_window().page(1, 1)).await.unwrap();
    assert_eq!(
        (page.total, page.last_page, page.items.len()),
        (Some(2), Some(2), 1)
    );
}

#[tokio::test]
async fn pausing_stops_progress_and_cancelling_is_final() {
    let (sandbox, c, file) = started().await;
    let paused = created(&c, &new_task("to pause", &file)).await;
    let cancelled = created(&c, &new_task("to cancel", &file)).await;
    assert_eq!(
        c.task_detail(paused).await.unwrap().status,
        Some(TaskStatus::Calling)
    );
    c.pause_tasks(&[paused]).await.unwrap();
    c.pause_tasks(&[paused]).await.unwrap(); // repeatable
    c.cancel_tasks(&[cancelled]).await.unwrap();
    c.cancel_tasks(&[cancelled]).await.unwrap(); // repeatable
    for _ in 0..3 {
        c.query_tasks(&today()).await.unwrap();
        sandbox.advance_laaffic_tasks();
    }
    let page = c
        .query_tasks(&today().statuses([TaskStatus::Paused, TaskStatus::Cancelled]))
        .await
        .unwrap();
    let states: Vec<_> = page
        .items
        .iter()
        .map(|r| (r.task_id, r.status.unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            (cancelled, TaskStatus::Cancelled),
            (paused, TaskStatus::Paused)
        ]
    );
    let records = sandbox.laaffic_call_records();
    assert!(
        !records
            .iter()
            .any(|r| r.task_id == paused.0 || r.task_id == cancelled.0),
        "no calls were completed"
    );
    // A cancelled task cannot be paused.
    refused(c.pause_tasks(&[cancelled]).await, Status::TaskInvalid);
}

#[tokio::test]
async fn scheduled_tasks_wait_for_their_send_time() {
    let (sandbox, c, file) = started().await;
    let later = new_task("later", &file).send_at(china_now() + TimeDelta::days(2));
    let later = created(&c, &later).await;
    let soon = new_task("already due", &file).send_at(china_now() - TimeDelta::hours(1));
    let soon = created(&c, &soon).await;
    for _ in 0..3 {
        sandbox.advance_laaffic_tasks();
    }
    assert_eq!(sandbox.laaffic_task(later.0).unwrap().status, 0);
    assert_eq!(sandbox.laaffic_task(soon.0).unwrap().status, 2);
    let detail = c.task_detail(later).await.unwrap();
    assert_eq!(detail.status, Some(TaskStatus::Waiting));
    assert!(detail.send_time.is_some());
}

#[tokio::test]
async fn resend_makes_a_new_task_with_the_originals_numbers() {
    let (sandbox, c, file) = started().await;
    let seed = sandbox.seed().clone();
    let original = created(&c, &new_task("first round", &file)).await;
    // Still waiting: -41.
    let again = Resend::new(original, "second round", VoiceSource::file(file.as_str()));
    refused(c.resend_task(&again).await, Status::WrongTaskStatus);
    c.pause_tasks(&[original]).await.unwrap();

    let new = c
        .resend_task(&again.clone().loop_count(2))
        .await
        .unwrap()
        .expect("the new id in data");
    assert_ne!(new, original);
    let held = sandbox.laaffic_task(new.0).unwrap();
    assert_eq!(held.numbers, NUMBERS);
    assert_eq!(held.resent_from, Some(original.0));
    assert_eq!((held.name.as_str(), held.loop_count), ("second round", 2));
    assert_eq!(held.status, 0);
    assert_eq!(sandbox.laaffic_task(original.0).unwrap().status, 5);
    // The name is taken now.
    refused(c.resend_task(&again).await, Status::DataExists);
    // The resent task runs to completion; the seeded finished task can be resent too.
    c.task_detail(new).await.unwrap();
    assert_eq!(
        c.task_detail(new).await.unwrap().status,
        Some(TaskStatus::Completed)
    );
    c.resend_task(&Resend::new(
        TaskId(seed.laaffic_task),
        "seed again",
        VoiceSource::text_to_speech("hello", Lan::English),
    ))
    .await
    .unwrap();
    assert_eq!(sandbox.laaffic_tasks().len(), 5);
}

#[tokio::test]
async fn a_create_applied_then_dropped_is_outcome_unknown_and_exists_once() {
    let (sandbox, c, file) = started().await;
    lose_the_next_answer(&sandbox, "laaffic.task_create");
    let lost = new_task("lost answer", &file);
    let err = c.create_task(&lost).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(sandbox.dropped_after_applying(), 1);
    let named: Vec<_> = sandbox
        .laaffic_tasks()
        .into_iter()
        .filter(|t| t.name == "lost answer")
        .collect();
    assert_eq!(named.len(), 1, "applied exactly once");
    // The documented way to find out: the task list (names are unique).
    let page = c.query_tasks(&today().search("lost answer")).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].task_id, TaskId(named[0].id));
    // Creating it again is refused: the name is taken.
    refused(c.create_task(&lost).await, Status::DataExists);
}

#[tokio::test]
async fn faults_apply_to_the_ivr_routes_by_name() {
    let (sandbox, c, _) = started().await;
    // A repeatable read retried through two 503s.
    sandbox.set_fault("laaffic.tasks", Fault::default().error(1.0, 503).times(2));
    c.query_tasks(&today()).await.unwrap();
    // A non-repeatable upload answered 503 before handling: sent once, nothing stored.
    // The SDK cannot tell this 503 from a proxy's after forwarding: outcome unknown.
    sandbox.set_fault(
        "laaffic.voice_upload",
        Fault::default().error(1.0, 503).times(1),
    );
    let err = c.upload_voice_file("busy.mp3", b"ID3").await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(format!("{err:?}").contains("status: 503"), "{err:?}");
    assert!(
        !sandbox
            .laaffic_voice_files()
            .iter()
            .any(|f| f.name == "busy.mp3")
    );
    // Unsigned requests are refused on every IVR route.
    let wrong = Client::builder()
        .credentials(LAAFFIC_API_KEY, "wrong-secret")
        .base_url(sandbox.url())
        .build()
        .unwrap();
    let err = wrong
        .call_record(&sandbox.seed().laaffic_voice_id)
        .await
        .unwrap_err();
    assert_status(&err, Status::AuthenticationError);
}

#[tokio::test]
async fn answers_use_the_documented_envelope_families() {
    let sandbox = Sandbox::start().await.unwrap();
    let seed = sandbox.seed().clone();
    let now = china_now();
    let local = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M:%S").to_string();

    // Family A: upload, create, resend, records (`status` as the string "0").
    let upload = raw(
        &sandbox,
        "/v3/voice/fileUpload",
        json!({"fileName": "family.mp3", "file": "SUQzBAA="}),
    )
    .await;
    assert_eq!(
        (&upload["status"], &upload["reason"]),
        (&json!("0"), &json!("success"))
    );
    assert!(
        upload["data"].as_str().unwrap().ends_with(".mp3"),
        "{upload}"
    );
    let create = raw(
        &sandbox,
        "/v3/voice/group/call/send",
        json!({"appId": "app", "taskName": "family", "source": 1, "sendTime": null,
            "voiceFileId": upload["data"], "numberInfoList": [{"calleeNumber": "8613500000000"}]}),
    )
    .await;
    assert_eq!(create["status"], json!("0"), "{create}");
    let id = create["data"].as_u64().expect("an integer id");
    let record = raw_with(
        &sandbox,
        "GET",
        &format!("/v3/voice/recordGroup/{}", seed.laaffic_voice_id),
        None,
    )
    .await;
    assert_eq!(record["status"], json!("0"), "{record}");
    assert_eq!(record["data"]["voiceId"], json!(seed.laaffic_voice_id));
    assert!(
        record["data"]["cost"].is_string(),
        "a decimal string: {record}"
    );
    assert!(
        record["data"]["submitTime"]
            .as_str()
            .unwrap()
            .ends_with("+08:00"),
        "{record}"
    );

    // Family B: the task list (`code` the number 0, `jobId` rows, paged), detail, controls.
    let query = |current: u64, size: u64| {
        json!({"current": current, "size": size, "params": {"strTime": local(now - TimeDelta::days(1)),
            "endTime": local(now + TimeDelta::minutes(1)), "statusList": []}})
    };
    let list = raw(&sandbox, "/v3/voice/group/call/query", query(1, 2)).await;
    assert_eq!(
        (&list["code"], &list["msg"]),
        (&json!(0), &json!("success")),
        "{list}"
    );
    let data = &list["data"];
    assert_eq!(
        (
            &data["total"],
            &data["size"],
            &data["current"],
            &data["pages"]
        ),
        (&json!(3), &json!(2), &json!(1), &json!(2)),
        "{list}"
    );
    assert_eq!(
        data["records"][0]["jobId"],
        json!(id),
        "newest first: {list}"
    );
    assert!(
        data["records"][0].get("taskId").is_none(),
        "one id name only"
    );
    let second = raw(&sandbox, "/v3/voice/group/call/query", query(2, 2)).await;
    assert_eq!(second["data"]["records"].as_array().unwrap().len(), 1);
    for bad in [query(0, 2), query(1, 101), json!({"current": 1, "size": 2})] {
        answers(&sandbox, "/v3/voice/group/call/query", bad, "code", "-22").await;
    }
    let detail = raw_with(
        &sandbox,
        "GET",
        &format!("/v3/voice/group/call/detail/{id}"),
        None,
    )
    .await;
    assert_eq!(detail["code"], json!(0), "{detail}");
    assert_eq!(detail["data"]["jobId"], json!(id));
    let bad = raw_with(&sandbox, "GET", "/v3/voice/group/call/detail/abc", None).await;
    assert_eq!(bad["code"], json!("-22"), "{bad}");
    let pause = raw(
        &sandbox,
        "/v3/voice/group/call/provisional",
        json!({"jobIdList": [seed.laaffic_scheduled_task]}),
    )
    .await;
    // As the pause page shows it: `code` the string "0".
    assert_eq!(pause, json!({"code": "0", "msg": "success", "data": null}));
    for body in [json!({"jobIdList": []}), json!({"taskIdList": [1]})] {
        answers(
            &sandbox,
            "/v3/voice/group/call/provisional",
            body,
            "code",
            "-22",
        )
        .await;
    }
}

#[tokio::test]
async fn an_upload_applied_then_dropped_is_stored_once() {
    let (sandbox, c, _) = started().await;
    lose_the_next_answer(&sandbox, "laaffic.voice_upload");
    let err = c.upload_voice_file("lost.mp3", b"ID3").await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    let stored = sandbox
        .laaffic_voice_files()
        .iter()
        .filter(|f| f.name == "lost.mp3")
        .count();
    assert_eq!(stored, 1);
    // Sending it again says the name exists (the first one worked).
    refused(
        c.upload_voice_file("lost.mp3", b"ID3").await,
        Status::DataExists,
    );
}
