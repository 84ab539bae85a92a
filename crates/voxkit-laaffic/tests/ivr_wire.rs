//! Wire tests of the IVR group-call operations against wiremock: for every endpoint the
//! exact method, path, signed headers and JSON body; the documentation's examples decoded;
//! both envelope families with the status as a string or a number; every documented status
//! mapped; invalid input refused with nothing sent.

mod common;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use chrono::{DateTime, NaiveDateTime, NaiveTime};
use common::{a_503_then, json_answer, mount};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use voxkit_core::test_util::fast_retries;
use voxkit_core::{Error, FixedClock};
use voxkit_laaffic::{
    Callee, Client, Gender, Lan, NewTask, PostCallSms, RecordQuery, Resend, SourceKind, Status,
    TaskId, TaskQuery, TaskStatus, TaskType, VoiceFileId, VoiceSource,
};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer};

/// The documentation's example credentials and timestamp (IVR guide page).
const DOC_KEY: &str = "bDqJFiq9";
const DOC_SECRET: &str = "7bz1lzh9";
/// 2021-09-01T04:00:00Z.
const DOC_TIMESTAMP: u64 = 1_630_468_800;
const DOC_SIGN: &str = "05d7a50893e22a5c4bb3216ae3396c7c";

/// The paths of the endpoints several tests call, as the pages give them.
const UPLOAD: &str = "/v3/voice/fileUpload";
const SEND: &str = "/v3/voice/group/call/send";
const QUERY: &str = "/v3/voice/group/call/query";
const PAUSE: &str = "/v3/voice/group/call/provisional";
const CANCEL: &str = "/v3/voice/group/call/cancel";
const RESEND: &str = "/v3/voice/group/call/resend";
const RECORDS: &str = "/v3/voice/recordGroupQuery";

/// The upload page's example answer (onbuka copy).
const DOC_UPLOAD: &str = r#"{ "status": "0", "reason": "success", "data": "1202202254d4c6372d6f341e999c7ecd0683ee464.mp3" }"#;

/// The pause / cancel pages' example answer.
const DOC_ACK: &str = r#"{ "code": "0", "msg": "success", "data": null }"#;

/// The query page's example answer (cut in every copy inside `createdTime`; completed with
/// a time in the documented format).
const DOC_QUERY: &str = r#"{ "code": 0, "msg": "success",
  "data": { "records": [ { "jobId": 5000602, "taskName": "2024-06-04 14:49:17111", "status": 0,
                           "rate": "0", "numCnt": 1, "callNum": 0, "success": 0, "fail": 0,
                           "createdTime": "2024-06-04 14:49:17" } ] } }"#;

/// The single record page's example (onbuka copy, cut after `billPeri…`; completed).
const DOC_RECORD: &str = r#"{ "status": "0", "reason": "success",
  "data": { "voiceId": "2203031113381000002", "callee": "8613500000000", "displayNum": "1008122211",
            "code": "Afghanistan(Kandahar)", "submitTime": "2022-02-18T14:42:40+08:00",
            "callTime": "2022-02-18T14:42:45+08:00", "ringingTime": "2022-02-18T14:42:47+08:00",
            "answerTime": "2022-02-18T14:42:50+08:00", "hangupTime": "2022-02-18T14:42:55+08:00",
            "callDuration": 5, "chargedDuration": 5, "terminationCode": "200",
            "terminationReason": "success", "costEur": "2", "billPeriod": "20+20" } }"#;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .credentials(DOC_KEY, DOC_SECRET)
        .base_url(server.uri())
        .clock(Arc::new(FixedClock(
            UNIX_EPOCH + Duration::from_secs(DOC_TIMESTAMP),
        )))
        .retry_policy(fast_retries())
        .skew_correction(false)
        .build()
        .unwrap()
}

/// A server answering `verb path` (signed as documented) with `answer`, and anything else
/// with 404.
async fn serving(verb: &str, at: &str, answer: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method(verb))
        .and(path(at))
        .and(header("Content-Type", "application/json;charset=UTF-8"))
        .and(header("Api-Key", DOC_KEY))
        .and(header("Timestamp", DOC_TIMESTAMP.to_string().as_str()))
        .and(header("Sign", DOC_SIGN))
        .respond_with(json_answer(answer))
        .mount(&server)
        .await;
    server
}

/// The one request the server received, with its body as JSON (`Null` for none).
async fn sent(server: &MockServer) -> Value {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "exactly one request");
    let request = &requests[0];
    assert_eq!(
        request
            .headers
            .get_all("content-type")
            .iter()
            .collect::<Vec<_>>(),
        ["application/json;charset=UTF-8"],
        "one Content-Type, as documented"
    );
    assert!(request.url.query().is_none());
    if request.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&request.body).unwrap()
    }
}

async fn nothing_sent(server: &MockServer, err: Error) {
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(err.nothing_sent());
    assert!(server.received_requests().await.unwrap().is_empty());
}

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

/// The query page's example: the tasks created from 2024-01-01 00:00:00 to
/// 2024-06-03 15:13:01.
fn docs_query() -> TaskQuery {
    TaskQuery::new(local("2024-01-01 00:00:00"), local("2024-06-03 15:13:01"))
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

// ----- envelopes and status codes ---------------------------------------------------------

/// Both families, status as string and number, every documented code: an API error with
/// that status and the reason / msg as message, sent once.
#[tokio::test]
async fn both_envelope_families_map_every_documented_status() {
    let server = MockServer::start().await;
    let client = client(&server);
    for status in Status::DOCUMENTED.iter().filter(|s| !s.is_success()) {
        let code = status.code().unwrap();
        for body in [
            format!(r#"{{"status":"{code}","reason":"documented failure"}}"#),
            format!(r#"{{"status":{code},"reason":"documented failure","data":null}}"#),
            format!(r#"{{"code":"{code}","msg":"documented failure","data":null}}"#),
            format!(r#"{{"code":{code},"msg":"documented failure"}}"#),
            // The recall-cancel page: `code` with `reason`.
            format!(r#"{{"code":{code},"reason":"documented failure"}}"#),
        ] {
            server.reset().await;
            mount(&server, "POST", json_answer(&body)).await;
            // A family-A endpoint and a family-B endpoint, each decoding both families.
            let upload = client
                .upload_voice_file("test.mp3", b"ID3")
                .await
                .unwrap_err();
            let pause = client.pause_tasks(&[TaskId(1)]).await.unwrap_err();
            // A system error (`-18`) may follow the commit: for the non-repeatable upload it
            // is an unknown outcome, the provider's error its cause (issue 12).
            let system = voxkit_laaffic::SYSTEM_ERROR_CODES.contains(&code.to_string().as_str());
            assert_eq!(upload.outcome_unknown(), system, "{body}: {upload:?}");
            let upload = match upload {
                Error::OutcomeUnknown { cause, .. } => *cause,
                known => known,
            };
            for err in [upload, pause] {
                assert_eq!(Status::of(&err).as_ref(), Some(status), "{body}");
                assert!(err.to_string().contains("documented failure"), "{err}");
                assert!(!err.outcome_unknown(), "an answer is a known outcome");
            }
            assert_eq!(server.received_requests().await.unwrap().len(), 2, "{body}");
        }
    }
}

#[tokio::test]
async fn envelopes_without_status_or_code_are_decode_errors() {
    let server = MockServer::start().await;
    let client = client(&server);
    for body in [
        r#"{"msg":"success","data":null}"#,
        r#"{"status":null,"code":null}"#,
        r#"{"data":{"records":[]}}"#,
        r#"[]"#,
        "<html>502</html>",
    ] {
        server.reset().await;
        mount(&server, "POST", json_answer(body)).await;
        let err = client.query_tasks(&docs_query()).await.unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        // A non-repeatable operation that cannot read its answer may have been applied.
        let err = client.pause_tasks(&[TaskId(1)]).await.unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        let err = client.create_task(&minimal_task()).await.unwrap_err();
        assert!(err.outcome_unknown(), "{body}: {err:?}");
    }
}

// ----- upload ----------------------------------------------------------------------------

#[tokio::test]
async fn upload_sends_the_name_and_base64_content() {
    let server = serving("POST", UPLOAD, DOC_UPLOAD).await;
    let id = client(&server)
        .upload_voice_file("test.mp3", b"ID3\x04\x00")
        .await
        .unwrap();
    assert_eq!(
        id,
        VoiceFileId("1202202254d4c6372d6f341e999c7ecd0683ee464.mp3".into())
    );
    assert_eq!(
        sent(&server).await,
        json!({ "fileName": "test.mp3", "file": "SUQzBAA=" })
    );
}

#[tokio::test]
async fn upload_of_a_few_megabytes() {
    let server = serving("POST", UPLOAD, DOC_UPLOAD).await;
    let content: Vec<u8> = (0..3_000_001u32).map(|i| (i % 251) as u8).collect();
    client(&server)
        .upload_voice_file("long-prompt.wav", &content)
        .await
        .unwrap();
    let body = sent(&server).await;
    let file = body["file"].as_str().unwrap();
    assert_eq!(file.len(), 4_000_004);
    assert!(file.starts_with("AAECAwQFBgcI"), "{}", &file[..12]);
    // The last byte, 3_000_000 % 251 = 48 (0x30), alone: "MA" and two pads.
    assert!(file.ends_with("MA=="), "{}", &file[file.len() - 8..]);
}

#[tokio::test]
async fn upload_from_a_path_uses_the_file_name() {
    let dir = std::env::temp_dir().join(format!("voxkit-laaffic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("greeting.wav");
    std::fs::write(&file, b"RIFF").unwrap();
    let server = serving("POST", UPLOAD, DOC_UPLOAD).await;
    let client = client(&server);
    client.upload_voice_file_from_path(&file).await.unwrap();
    assert_eq!(
        sent(&server).await,
        json!({ "fileName": "greeting.wav", "file": "UklGRg==" })
    );
    // A missing file and a bad name are refused before sending.
    let missing = client
        .upload_voice_file_from_path(dir.join("absent.mp3"))
        .await
        .unwrap_err();
    assert!(missing.nothing_sent(), "{missing}");
    let badly_named = dir.join("notes.txt");
    std::fs::write(&badly_named, b"x").unwrap();
    let bad = client
        .upload_voice_file_from_path(&badly_named)
        .await
        .unwrap_err();
    assert!(bad.nothing_sent(), "{bad}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn upload_refuses_undocumented_names_and_empty_files() {
    let server = MockServer::start().await;
    let client = client(&server);
    let long = format!("{}.mp3", "x".repeat(29));
    for name in [
        "a.mp",
        "test.ogg",
        "test",
        ".mp3",
        long.as_str(),
        "dir/a.mp3",
    ] {
        let err = client.upload_voice_file(name, b"ID3").await.unwrap_err();
        assert!(!err.to_string().contains(name), "no echo: {err}");
        nothing_sent(&server, err).await;
    }
    let err = client.upload_voice_file("test.mp3", b"").await.unwrap_err();
    nothing_sent(&server, err).await;
}

#[tokio::test]
async fn upload_error_codes_of_the_page() {
    for (code, want) in [
        ("-20", Status::DataExists),
        ("-21", Status::DataValidationError),
        ("-22", Status::ParameterError),
    ] {
        let server = serving(
            "POST",
            UPLOAD,
            &format!(r#"{{"status":"{code}","reason":"x"}}"#),
        )
        .await;
        let err = client(&server)
            .upload_voice_file("test.mp3", b"ID3")
            .await
            .unwrap_err();
        assert_eq!(Status::of(&err), Some(want));
    }
}

// ----- create ----------------------------------------------------------------------------

fn minimal_task() -> NewTask {
    NewTask::new(
        "4luaKsL2",
        "campaign-1",
        VoiceSource::file("1202202254d4c6372d6f341e999c7ecd0683ee464.mp3"),
        [Callee::new("8613500000000")],
    )
}

#[tokio::test]
async fn create_task_minimal_body() {
    let server = serving("POST", SEND, r#"{"status":"0","reason":"success"}"#).await;
    let id = client(&server).create_task(&minimal_task()).await.unwrap();
    assert_eq!(id, None, "the page documents no id in the answer");
    assert_eq!(
        sent(&server).await,
        json!({
            "appId": "4luaKsL2",
            "taskName": "campaign-1",
            "numberInfoList": [{ "calleeNumber": "8613500000000" }],
            "source": 1,
            "voiceFileId": "1202202254d4c6372d6f341e999c7ecd0683ee464.mp3",
            "sendTime": null
        })
    );
}

#[tokio::test]
async fn create_task_every_field() {
    let server = serving(
        "POST",
        SEND,
        r#"{"status":"0","reason":"success","data":5000602}"#,
    )
    .await;
    let task = NewTask::new(
        "4luaKsL2",
        "年终回访",
        VoiceSource::text_to_speech("Hello ${text1}, your code is ${text2}", Lan::English),
        [
            Callee::new("8613500000000").text(1, "Bob").text(2, "1234"),
            Callee::new("639171234567").text(5, "x"),
        ],
    )
    .display_number("1008122211")
    .send_at(local("2024-01-01 09:30:00"))
    .loop_count(2)
    .max_call_seconds(60)
    .allow_between(hm(9, 0), hm(12, 0))
    .allow_between(hm(14, 0), hm(18, 30))
    .post_call_sms(
        PostCallSms::new("smsApp1", "Thanks ${text1}")
            .sender_id("Laaffic")
            .on_key(1)
            .on_success_after(30)
            .on_failure()
            .on_ringing(),
    )
    .transfer_to_seat(77);
    let id = client(&server).create_task(&task).await.unwrap();
    assert_eq!(id, Some(TaskId(5_000_602)));
    assert_eq!(
        sent(&server).await,
        json!({
            "appId": "4luaKsL2",
            "displayNum": "1008122211",
            "taskName": "年终回访",
            "numberInfoList": [
                { "calleeNumber": "8613500000000", "text1": "Bob", "text2": "1234" },
                { "calleeNumber": "639171234567", "text5": "x" }
            ],
            "source": 3,
            "text": "Hello ${text1}, your code is ${text2}",
            "lan": "EN",
            "sendTime": "2024-01-01 09:30:00",
            "loopCount": 2,
            "maxCalls": 60,
            "allowSendTime": [
                { "strTime": "09:00", "endTime": "12:00" },
                { "strTime": "14:00", "endTime": "18:30" }
            ],
            "hangUpSms": 1,
            "smsAppId": "smsApp1",
            "smsContent": "Thanks ${text1}",
            "senderId": "Laaffic",
            "feedbackPush": 1,
            "successPush": 1,
            "failedPush": 1,
            "ringPush": 1,
            "feedbackValue": "1",
            "successPushTime": 30,
            "toSeat": 1,
            "sipGroupId": 77
        })
    );
}

#[tokio::test]
async fn create_task_with_an_upload_encodes_it() {
    let server = serving(
        "POST",
        SEND,
        r#"{"status":0,"reason":"success","data":"42"}"#,
    )
    .await;
    let task = NewTask::new(
        "4luaKsL2",
        "ab",
        VoiceSource::upload("greeting.m4a", b"foobar".to_vec()),
        [Callee::new("123456")],
    );
    assert!(format!("{task:?}").contains("content_len: 6"));
    let id = client(&server).create_task(&task).await.unwrap();
    assert_eq!(id, Some(TaskId(42)));
    assert_eq!(
        sent(&server).await,
        json!({
            "appId": "4luaKsL2",
            "taskName": "ab",
            "numberInfoList": [{ "calleeNumber": "123456" }],
            "source": 2,
            "uploadName": "greeting.m4a",
            "baseFile": "Zm9vYmFy",
            "sendTime": null
        })
    );
}

#[tokio::test]
async fn create_task_refuses_what_the_docs_call_invalid() {
    let server = MockServer::start().await;
    let client = client(&server);
    let file = || VoiceSource::file("f.mp3");
    let one = || vec![Callee::new("8613500000000")];
    let task = |name: &str, source: VoiceSource, numbers: Vec<Callee>| {
        NewTask::new("4luaKsL2", name, source, numbers)
    };
    let too_many: Vec<Callee> = (0..=voxkit_laaffic::MAX_TASK_NUMBERS)
        .map(|_| Callee::new("123456"))
        .collect();
    let cases: Vec<(&str, NewTask)> = vec![
        ("task name of 1", task("a", file(), one())),
        ("task name of 65", task(&"a".repeat(65), file(), one())),
        ("no app id", NewTask::new("", "ab", file(), one())),
        ("no numbers", task("ab", file(), vec![])),
        ("too many numbers", task("ab", file(), too_many)),
        ("5 digits", task("ab", file(), vec![Callee::new("12345")])),
        (
            "19 digits",
            task("ab", file(), vec![Callee::new("1".repeat(19))]),
        ),
        (
            "a plus",
            task("ab", file(), vec![Callee::new("+8613500000")]),
        ),
        (
            "variable of 31",
            task(
                "ab",
                file(),
                vec![Callee::new("123456").text(1, "x".repeat(31))],
            ),
        ),
        (
            "empty variable",
            task("ab", file(), vec![Callee::new("123456").text(1, "")]),
        ),
        (
            "text6",
            task("ab", file(), vec![Callee::new("123456").text(6, "x")]),
        ),
        ("empty file id", task("ab", VoiceSource::file(""), one())),
        (
            "bad upload name",
            task("ab", VoiceSource::upload("a.ogg", b"x".to_vec()), one()),
        ),
        (
            "empty upload",
            task("ab", VoiceSource::upload("a.mp3", Vec::new()), one()),
        ),
        (
            "tts of 1001",
            task(
                "ab",
                VoiceSource::text_to_speech("x".repeat(1001), Lan::English),
                one(),
            ),
        ),
        ("display 21", minimal_task().display_number("1".repeat(21))),
        ("display letters", minimal_task().display_number("abc")),
        ("loop 0", minimal_task().loop_count(0)),
        ("loop 10", minimal_task().loop_count(10)),
        ("max calls 1000", minimal_task().max_call_seconds(1000)),
        (
            "4 windows",
            minimal_task()
                .allow_between(hm(1, 0), hm(2, 0))
                .allow_between(hm(3, 0), hm(4, 0))
                .allow_between(hm(5, 0), hm(6, 0))
                .allow_between(hm(7, 0), hm(8, 0)),
        ),
        (
            "empty window",
            minimal_task().allow_between(hm(12, 0), hm(12, 0)),
        ),
        (
            "sms without trigger",
            minimal_task().post_call_sms(PostCallSms::new("app", "hi")),
        ),
        (
            "sms key 10",
            minimal_task().post_call_sms(PostCallSms::new("app", "hi").on_key(10)),
        ),
        (
            "sms delay 10000",
            minimal_task().post_call_sms(PostCallSms::new("app", "hi").on_success_after(10_000)),
        ),
        (
            "sms of 1001",
            minimal_task().post_call_sms(PostCallSms::new("app", "x".repeat(1001)).on_failure()),
        ),
        (
            "sender of 33",
            minimal_task().post_call_sms(
                PostCallSms::new("app", "hi")
                    .sender_id("s".repeat(33))
                    .on_failure(),
            ),
        ),
    ];
    for (what, task) in cases {
        let err = client.create_task(&task).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{what}: {err:?}");
        nothing_sent(&server, err).await;
    }
}

// ----- query and detail ------------------------------------------------------------------

#[tokio::test]
async fn query_tasks_sends_the_documented_example_and_decodes_its_answer() {
    let server = serving("POST", QUERY, DOC_QUERY).await;
    let page = client(&server).query_tasks(&docs_query()).await.unwrap();
    assert_eq!(
        sent(&server).await,
        json!({ "current": 1, "size": 10, "params": { "strTime": "2024-01-01 00:00:00", "endTime": "2024-06-03 15:13:01", "statusList": [] } })
    );
    assert_eq!(page.total, None, "cut from the example");
    let task = &page.items[0];
    assert_eq!(task.task_id, TaskId(5_000_602));
    assert_eq!(task.task_name.as_deref(), Some("2024-06-04 14:49:17111"));
    assert_eq!(task.status, Some(TaskStatus::Waiting));
    assert_eq!(task.rate.as_deref(), Some("0"));
    assert_eq!(task.num_cnt, Some(1));
    assert_eq!(task.created_time, Some(local("2024-06-04 14:49:17")));
}

#[tokio::test]
async fn query_tasks_with_every_filter_and_a_full_page() {
    let answer = r#"{"code":"0","msg":"success","data":{"total":"11","size":10,"current":2,"pages":2,
        "records":[{"taskId":"7","taskName":"t","status":"5","rate":"100%","numCnt":"3","callNum":3,
        "success":2,"fail":1,"createdTime":"2024-02-01 10:00:00","scriptId":9,"taskType":2},
        {"jobId":8,"status":9,"taskType":7}]}}"#;
    let server = serving("POST", QUERY, answer).await;
    let query = TaskQuery::new(local("2024-01-01 00:00:00"), local("2024-01-31 23:59:59"))
        .page(2, 10)
        .statuses([TaskStatus::Calling, TaskStatus::Paused])
        .app(12)
        .search("年终");
    let page = client(&server).query_tasks(&query).await.unwrap();
    assert_eq!(
        sent(&server).await,
        json!({ "current": 2, "size": 10, "params": { "strTime": "2024-01-01 00:00:00",
            "endTime": "2024-01-31 23:59:59", "statusList": [1, 5], "idxAppId": 12,
            "searchCondition": "年终" } })
    );
    assert_eq!((page.total, page.last_page), (Some(11), Some(2)));
    assert_eq!(page.items[0].task_id, TaskId(7));
    assert_eq!(page.items[0].status, Some(TaskStatus::Paused));
    assert_eq!(page.items[0].task_type, Some(TaskType::Ai));
    assert_eq!(page.items[1].task_id, TaskId(8), "jobId accepted too");
    assert_eq!(page.items[1].status, Some(TaskStatus::Unknown(9)));
    assert_eq!(page.items[1].task_type, Some(TaskType::Unknown(7)));
}

#[tokio::test]
async fn query_tasks_refuses_bad_pages_and_windows() {
    let server = MockServer::start().await;
    let client = client(&server);
    for query in [
        docs_query().page(0, 10),
        docs_query().page(1, 0),
        docs_query().page(1, 101),
        TaskQuery::new(local("2024-06-03 15:13:01"), local("2024-01-01 00:00:00")),
        docs_query().search(""),
    ] {
        let err = client.query_tasks(&query).await.unwrap_err();
        nothing_sent(&server, err).await;
    }
}

#[tokio::test]
async fn task_detail_decodes_the_documented_fields() {
    let answer = r#"{"code":0,"msg":"success","data":{"jobId":5000602,"taskName":"t","displayNum":"1008",
        "text":"hi","status":2,"rate":"100","numCnt":10,"chargeLen":120,"success":8,"fail":2,
        "toseatNum":1,"successRate":"80%","toseatNumRate":"10%","sendTime":null,
        "createdTime":"2024-06-04 14:49:17","mdfTime":"2024-06-04 15:00:00","appId":"4luaKsL2",
        "source":3,"voiceFileId":null,"calloutRate":1,"finishTime":"2024-06-04 16:00:00",
        "keyFeedbackNum":3,"uploadName":null,"baseFile":"SECRETISH-BASE64","callLossNum":0,
        "callDuration":300,"callLossNumRate":"0%","code":"86","maxCalls":60,"loopCount":1,
        "lan":"EN","allCallToseatNum":1,"callTotal":10,"acd":"30"}}"#;
    let server = serving("GET", "/v3/voice/group/call/detail/5000602", answer).await;
    let detail = client(&server)
        .task_detail(TaskId(5_000_602))
        .await
        .unwrap();
    assert_eq!(sent(&server).await, Value::Null, "no body");
    assert_eq!(detail.job_id, TaskId(5_000_602));
    assert_eq!(detail.status, Some(TaskStatus::Completed));
    assert_eq!(detail.source, Some(SourceKind::TextToSpeech));
    assert_eq!(detail.lan, Some(Lan::English));
    assert_eq!(detail.callout_rate.as_deref(), Some("1"));
    assert_eq!(detail.finish_time, Some(local("2024-06-04 16:00:00")));
    assert_eq!(detail.call_total, Some(10));
    assert!(!format!("{detail:?}").contains("SECRETISH"));
}

#[tokio::test]
async fn task_detail_not_found() {
    let server = serving(
        "GET",
        "/v3/voice/group/call/detail/1",
        r#"{"code":"-24","msg":"Data unexisting","data":null}"#,
    )
    .await;
    let err = client(&server).task_detail(TaskId(1)).await.unwrap_err();
    assert_eq!(Status::of(&err), Some(Status::DataNotFound));
}

// ----- pause and cancel ------------------------------------------------------------------

#[tokio::test]
async fn pause_sends_job_ids() {
    let server = serving("POST", PAUSE, DOC_ACK).await;
    client(&server)
        .pause_tasks(&[TaskId(123), TaskId(456)])
        .await
        .unwrap();
    assert_eq!(sent(&server).await, json!({ "jobIdList": [123, 456] }));
}

#[tokio::test]
async fn cancel_sends_task_ids() {
    let server = serving(
        "POST",
        CANCEL,
        r#"{ "code": 0, "msg": "success", "data": null }"#,
    )
    .await;
    client(&server)
        .cancel_tasks(&[TaskId(123), TaskId(456)])
        .await
        .unwrap();
    assert_eq!(sent(&server).await, json!({ "taskIdList": [123, 456] }));
}

#[tokio::test]
async fn pause_and_cancel_codes_of_the_pages_and_refusals() {
    for (code, want) in [
        ("-23", Status::DataCap),
        ("-24", Status::DataNotFound),
        ("-54", Status::TaskInvalid),
    ] {
        let answer = format!(r#"{{"code":"{code}","msg":"x","data":null}}"#);
        let server = serving("POST", CANCEL, &answer).await;
        let err = client(&server)
            .cancel_tasks(&[TaskId(1)])
            .await
            .unwrap_err();
        assert_eq!(Status::of(&err), Some(want.clone()));
        let server = serving("POST", PAUSE, &answer).await;
        let err = client(&server).pause_tasks(&[TaskId(1)]).await.unwrap_err();
        assert_eq!(Status::of(&err), Some(want));
    }
    let server = MockServer::start().await;
    let client = client(&server);
    for tasks in [&[][..], &[TaskId(1), TaskId(1)][..]] {
        nothing_sent(&server, client.pause_tasks(tasks).await.unwrap_err()).await;
        nothing_sent(&server, client.cancel_tasks(tasks).await.unwrap_err()).await;
    }
}

#[tokio::test]
async fn pause_is_retried_after_a_5xx() {
    let server = a_503_then("POST", json_answer(DOC_ACK)).await;
    client(&server).pause_tasks(&[TaskId(1)]).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

// ----- resend ----------------------------------------------------------------------------

#[tokio::test]
async fn resend_every_documented_field() {
    let server = serving(
        "POST",
        RESEND,
        r#"{"status":"0","reason":"success","data":123123}"#,
    )
    .await;
    let resend = Resend::new(
        TaskId(5_000_602),
        "campaign-1-again",
        VoiceSource::text_to_speech("Hello", Lan::Vietnamese),
    )
    .display_number("1008122211")
    .speaking_rate(1.5)
    .gender(Gender::Male)
    .accent("en-US")
    .delay_play(2)
    .delay_hangup(3)
    .max_ringing_seconds(45)
    .loop_count(1)
    .max_call_seconds(90)
    .send_at(local("2024-01-02 08:00:00"))
    .allow_between(hm(8, 0), hm(20, 0));
    let id = client(&server).resend_task(&resend).await.unwrap();
    assert_eq!(id, Some(TaskId(123_123)));
    assert_eq!(
        sent(&server).await,
        json!({
            "keyId": 5000602,
            "displayNum": "1008122211",
            "taskName": "campaign-1-again",
            "source": 3,
            "text": "Hello",
            "lan": "VN",
            "speakingRate": 1.5,
            "ssmlGender": 1,
            "accent": "en-US",
            "delayPlay": 2,
            "delayHangup": 3,
            "maxRingingTime": 45,
            "loopCount": 1,
            "maxCalls": 90,
            "sendTime": "2024-01-02 08:00:00",
            "allowSendTime": [{ "strTime": "08:00", "endTime": "20:00" }]
        })
    );
}

#[tokio::test]
async fn resend_minimal_and_refusals() {
    let server = serving(
        "POST",
        RESEND,
        r#"{"code":"0","msg":"success","data":null}"#,
    )
    .await;
    let client = client(&server);
    let resend = || Resend::new(TaskId(7), "again", VoiceSource::file("f.mp3"));
    assert_eq!(client.resend_task(&resend()).await.unwrap(), None);
    assert_eq!(
        sent(&server).await,
        json!({ "keyId": 7, "taskName": "again", "source": 1, "voiceFileId": "f.mp3", "sendTime": null })
    );
    server.reset().await;
    for bad in [
        resend().speaking_rate(0.2),
        resend().speaking_rate(4.5),
        resend().gender(Gender::Unknown(3)),
        resend().delay_play(1000),
        resend().delay_hangup(1000),
        resend().max_ringing_seconds(19),
        resend().max_ringing_seconds(121),
        resend().loop_count(10),
        resend().max_call_seconds(0),
        Resend::new(TaskId(7), "a", VoiceSource::file("f.mp3")),
    ] {
        nothing_sent(&server, client.resend_task(&bad).await.unwrap_err()).await;
    }
}

// ----- call records ----------------------------------------------------------------------

#[tokio::test]
async fn call_record_decodes_the_documented_example() {
    let server = serving(
        "GET",
        "/v3/voice/recordGroup/2203031113381000002",
        DOC_RECORD,
    )
    .await;
    let record = client(&server)
        .call_record("2203031113381000002")
        .await
        .unwrap();
    assert_eq!(sent(&server).await, Value::Null);
    assert_eq!(record.voice_id, "2203031113381000002");
    assert_eq!(record.code.as_deref(), Some("Afghanistan(Kandahar)"));
    assert_eq!(
        record.answer_time,
        Some(DateTime::parse_from_rfc3339("2022-02-18T14:42:50+08:00").unwrap())
    );
    assert_eq!(record.call_duration, Some(5));
    assert_eq!(record.termination_code.as_deref(), Some("200"));
    assert_eq!(record.cost_eur, Some(Decimal::new(2, 0)));
    assert_eq!(record.cost, None);
    assert_eq!(record.bill_period.as_deref(), Some("20+20"));
}

#[tokio::test]
async fn call_record_ids_cannot_change_the_path() {
    let server = MockServer::start().await;
    let client = client(&server);
    for bad in ["", "a b", "x\n"] {
        nothing_sent(&server, client.call_record(bad).await.unwrap_err()).await;
    }
    Mock::given(method("GET"))
        .and(path("/v3/voice/recordGroup/..%2Fv3%2FgetBalance"))
        .respond_with(json_answer(r#"{"status":"-24","reason":"x"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let err = client.call_record("../v3/getBalance").await.unwrap_err();
    assert_eq!(Status::of(&err), Some(Status::DataNotFound));
}

#[tokio::test]
async fn call_records_sends_iso_times_and_decodes_a_page() {
    let answer = r#"{"status":"0","reason":"success","data":{"total":1,"size":25,"current":1,"pages":1,
        "searchCount":true,"records":[{"voiceId":"2203031113381000002","callee":"8613500000000",
        "submitTime":"2021-08-18T14:42:40+08:00","answerTime":null,"callDuration":0,
        "chargedDuration":"0","terminationCode":486,"terminationReason":"busy","cost":"0.0000",
        "billPeriod":"60+60","rate":"0.0250","baseCost":"0.02","voiceFileId":"f.mp3",
        "feedbackValue":"-1","calledInfo":"","settleRate":null,"quoteExchange":"1.08",
        "currency":"EUR","settlePay":"0.00"}]}}"#;
    let server = serving("POST", RECORDS, answer).await;
    let start = DateTime::parse_from_rfc3339("2021-08-01T00:00:00+08:00").unwrap();
    let end = DateTime::parse_from_rfc3339("2021-08-31T00:00:00+08:00").unwrap();
    let page = client(&server)
        .call_records(&RecordQuery::new(start, end).page(1, 100))
        .await
        .unwrap();
    assert_eq!(
        sent(&server).await,
        json!({ "current": 1, "size": 100, "params": { "strTime": "2021-08-01T00:00:00+08:00", "endTime": "2021-08-31T00:00:00+08:00" } })
    );
    assert_eq!(
        (page.total, page.per_page, page.page, page.last_page),
        (Some(1), Some(25), Some(1), Some(1))
    );
    let r = &page.items[0];
    assert_eq!(r.termination_code.as_deref(), Some("486"));
    assert_eq!(r.answer_time, None);
    assert_eq!(r.rate, Some(Decimal::new(250, 4)));
    assert_eq!(r.rate.unwrap().to_string(), "0.0250", "precision as sent");
    assert_eq!(r.quote_exchange, Some(Decimal::new(108, 2)));
    assert_eq!(r.currency.as_deref(), Some("EUR"));
}

#[tokio::test]
async fn call_records_window_rules_are_checked_locally() {
    let server = MockServer::start().await;
    let client = client(&server);
    let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
    // The test clock is 2021-09-01T04:00:00Z: two months back is 2021-07-01T04:00:00Z.
    for (start, end) in [
        ("2021-07-01T03:59:59Z", "2021-07-02T00:00:00Z"),
        ("2021-08-01T00:00:00+08:00", "2021-09-01T00:00:01+08:00"),
        ("2021-08-10T00:00:00Z", "2021-08-09T00:00:00Z"),
    ] {
        let err = client
            .call_records(&RecordQuery::new(t(start), t(end)))
            .await
            .unwrap_err();
        nothing_sent(&server, err).await;
    }
    mount(
        &server,
        "POST",
        json_answer(r#"{"status":"0","reason":"success","data":{"records":[]}}"#),
    )
    .await;
    let page = client
        .call_records(&RecordQuery::new(
            t("2021-07-01T04:00:00Z"),
            t("2021-08-01T04:00:00Z"),
        ))
        .await
        .unwrap();
    assert!(page.items.is_empty());
}

// ----- every page ----------------------------------------------------------------------------

/// A server answering the page asked for (`current` in the body) from `pages`, each a
/// list of items; `total` items in all.
async fn paging(at: &str, family_a: bool, total: usize, pages: Vec<Vec<Value>>) -> MockServer {
    let server = MockServer::start().await;
    let size = pages.first().map_or(1, Vec::len);
    for (i, records) in pages.iter().enumerate() {
        let data = json!({ "total": total, "size": size, "current": i + 1,
                           "pages": pages.len(), "records": records });
        let answer = if family_a {
            json!({ "status": "0", "reason": "success", "data": data })
        } else {
            json!({ "code": 0, "msg": "success", "data": data })
        };
        Mock::given(method("POST"))
            .and(path(at))
            .and(wiremock::matchers::body_partial_json(
                json!({ "current": i + 1, "size": size }),
            ))
            .respond_with(json_answer(&answer.to_string()))
            .mount(&server)
            .await;
    }
    server
}

/// `query_tasks_all` walks every page with the query's size (its page number ignored),
/// and a server that answers the first page to every page number ends the stream with an
/// "incomplete" error, never with a short list that a name search could trust.
#[tokio::test]
async fn every_task_page_is_walked_and_an_endless_server_is_refused() {
    use futures_util::{StreamExt, TryStreamExt};
    let task = |id: u64| json!({ "taskId": id, "taskName": format!("t{id}") });
    let server = paging(QUERY, false, 3, vec![vec![task(1), task(2)], vec![task(3)]]).await;
    let query = docs_query().page(7, 2);
    let ids: Vec<TaskId> = client(&server)
        .query_tasks_all(&query)
        .map_ok(|t| t.task_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, [TaskId(1), TaskId(2), TaskId(3)]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // The same first page whatever is asked, claiming more pages.
    let server = serving(
        "POST",
        QUERY,
        &json!({ "code": 0, "msg": "success", "data": { "total": 9, "size": 2, "current": 1,
                 "pages": 5, "records": [task(1), task(2)] } })
        .to_string(),
    )
    .await;
    let listed: Vec<Result<TaskId, Error>> = client(&server)
        .query_tasks_all(&query)
        .map_ok(|t| t.task_id)
        .collect::<Vec<_>>()
        .await;
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(
        matches!(&listed[2], Err(Error::Decode { message, .. }) if message.contains("incomplete")),
        "{listed:?}"
    );
}

/// `call_records_all` walks every page of the window, each record once.
#[tokio::test]
async fn every_call_record_page_is_walked() {
    use futures_util::TryStreamExt;
    let record = |id: &str| json!({ "voiceId": id, "cost": "0.0100" });
    let server = paging(
        RECORDS,
        true,
        3,
        vec![vec![record("a"), record("b")], vec![record("c")]],
    )
    .await;
    let start = DateTime::parse_from_rfc3339("2021-08-01T00:00:00+08:00").unwrap();
    let end = DateTime::parse_from_rfc3339("2021-08-31T00:00:00+08:00").unwrap();
    let ids: Vec<String> = client(&server)
        .call_records_all(&RecordQuery::new(start, end).page(1, 2))
        .map_ok(|r| r.voice_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c"]);
}
