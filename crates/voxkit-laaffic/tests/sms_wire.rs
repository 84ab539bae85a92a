//! Wire tests of SMS (E1, E2), recall flows (B10), AI voice tasks (C2, C3), the IVR task
//! update (B5u) and the task query's `taskType`, against wiremock: the documentation's
//! example requests byte for byte (GET query and POST bodies), its answers decoded, the
//! SMS codes typed, nothing sent on invalid input, and a lost SMS answer never re-sent.

mod common;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use chrono::NaiveDateTime;
use common::{json_answer, mount};
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use voxkit_core::test_util::fast_retries;
use voxkit_core::{ExactlyOnceOutcome, FixedClock};
use voxkit_laaffic::{
    AiResend, AiResendType, AiTaskUpdate, Client, RecallCancel, RecallQuery, RecallStatus,
    RecallType, Sms, SmsBatch, SmsBatchItem, SmsMethod, Status, TaskId, TaskQuery, TaskType,
    TaskUpdate, VoiceSource,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const DOC_TIMESTAMP: u64 = 1_630_468_800;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .credentials("bDqJFiq9", "7bz1lzh9")
        .base_url(server.uri())
        .clock(Arc::new(FixedClock(
            UNIX_EPOCH + Duration::from_secs(DOC_TIMESTAMP),
        )))
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

/// A sendSms answer in the documented shape (the page shows none: fields from its table).
const RECEIPT: &str = r#"{"status":"0","reason":"success","success":"2","fail":"0","array":[
  {"msgId":"2108021054011000095","number":"91856321412","orderId":"21412"},
  {"msgId":"2108021054011000096","number":"91856321413","orderid":"21413"}]}"#;

fn doc_sms() -> Sms {
    Sms::new("4luaKsL2", ["91856321412", "91856321413"], "hello world")
        .sender_id("123")
        .order_ids(["21412", "21413"])
}

async fn sent(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap()
}

fn body(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

#[tokio::test]
async fn send_sms_by_get_is_the_documented_url() {
    let server = MockServer::start().await;
    mount(&server, "GET", json_answer(RECEIPT)).await;
    let receipt = client(&server).send_sms(&doc_sms()).await.unwrap();
    let requests = sent(&server).await;
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method.as_str(), "GET");
    assert_eq!(r.url.path(), "/v3/sendSms");
    // The documented GET example, the comma percent-encoded (a server decodes it back).
    assert_eq!(
        r.url.query(),
        Some(
            "appId=4luaKsL2&numbers=91856321412%2C91856321413&content=hello%20world&senderId=123&orderId=21412%2C21413"
        )
    );
    let pairs: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("numbers".into(), "91856321412,91856321413".into())));
    assert!(pairs.contains(&("content".into(), "hello world".into())));
    assert!(r.body.is_empty());
    assert_eq!(
        r.headers.get("sign").unwrap(),
        "05d7a50893e22a5c4bb3216ae3396c7c"
    );
    assert_eq!((receipt.success, receipt.fail), (Some(2), Some(0)));
    let orders: Vec<_> = receipt
        .messages
        .iter()
        .map(|m| m.order_id.as_deref())
        .collect();
    assert_eq!(
        orders,
        [Some("21412"), Some("21413")],
        "orderId and orderid"
    );
    assert_eq!(
        receipt.messages[0].msg_id.as_deref(),
        Some("2108021054011000095")
    );
}

#[tokio::test]
async fn send_sms_by_post_is_the_documented_body() {
    let server = MockServer::start().await;
    mount(&server, "POST", json_answer(RECEIPT)).await;
    let c = client(&server);
    c.send_sms(&doc_sms().method(SmsMethod::Post))
        .await
        .unwrap();
    // Auto with 101 numbers: POST.
    let many: Vec<String> = (0..101).map(|i| format!("9185632{i:04}")).collect();
    c.send_sms(&Sms::new("4luaKsL2", many, "hi")).await.unwrap();
    let requests = sent(&server).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].url.path(), "/v3/sendSms");
    assert_eq!(
        body(&requests[0]),
        json!({ "appId": "4luaKsL2", "numbers": "91856321412,91856321413",
                "content": "hello world", "senderId": "123", "orderId": "21412,21413" })
    );
    assert_eq!(requests[1].method.as_str(), "POST");
    assert_eq!(
        body(&requests[1])["numbers"]
            .as_str()
            .unwrap()
            .split(',')
            .count(),
        101
    );
}

#[tokio::test]
async fn send_sms_batch_is_the_documented_body() {
    let server = MockServer::start().await;
    mount(&server, "POST", json_answer(RECEIPT)).await;
    let batch = SmsBatch::new(
        "4luaKsL2",
        [
            SmsBatchItem::new(["91856321412", "91856321413"], "test message")
                .sender_id("")
                .order_ids(["56584", "56585"]),
            SmsBatchItem::new(["91856321414"], "test message1")
                .sender_id("")
                .order_ids(["56586"]),
        ],
    );
    client(&server).send_sms_batch(&batch).await.unwrap();
    let requests = sent(&server).await;
    assert_eq!(requests[0].url.path(), "/v3/sendSms/batch");
    assert_eq!(
        body(&requests[0]),
        json!({ "appId": "4luaKsL2", "array": [
            { "numbers": "91856321412,91856321413", "content": "test message", "senderId": "", "orderId": "56584,56585" },
            { "numbers": "91856321414", "content": "test message1", "senderId": "", "orderId": "56586" } ] })
    );
}

#[tokio::test]
async fn every_sms_status_code_is_typed() {
    for code in -19..=-3 {
        let server = MockServer::start().await;
        mount(
            &server,
            "GET",
            json_answer(&format!(r#"{{"status":"{code}","reason":"x"}}"#)),
        )
        .await;
        let err = client(&server).send_sms(&doc_sms()).await.unwrap_err();
        let status = Status::of(&err);
        if code == -18 {
            // The system error: maybe applied, so outcome unknown for a money-moving call.
            assert!(err.outcome_unknown(), "{err}");
            continue;
        }
        let status = status.unwrap_or_else(|| panic!("{code}: {err}"));
        assert_eq!(status.code(), Some(code));
        assert!(!matches!(status, Status::Unknown(_)));
    }
}

#[tokio::test]
async fn invalid_sms_input_sends_nothing() {
    let server = MockServer::start().await;
    mount(&server, "GET", json_answer(RECEIPT)).await;
    mount(&server, "POST", json_answer(RECEIPT)).await;
    let c = client(&server);
    let bad = [
        Sms::new("4luaKsL2", ["91856321412"], "x".repeat(1_025)),
        Sms::new("4luaKsL2", ["91856321412", "91856321413"], "x").order_ids(["1"]),
        Sms::new("4luaKsL2", (0..1_001).map(|i| i.to_string()), "x"),
        Sms::new("4luaKsL2", (0..101).map(|i| i.to_string()), "x").method(SmsMethod::Get),
    ];
    for sms in &bad {
        assert!(c.send_sms(sms).await.unwrap_err().nothing_sent());
    }
    let empty = SmsBatch::new("4luaKsL2", []);
    assert!(c.send_sms_batch(&empty).await.unwrap_err().nothing_sent());
    assert!(sent(&server).await.is_empty());
}

#[tokio::test]
async fn a_lost_sms_answer_is_sent_once_and_undetermined() {
    // A 502 after the request was read: maybe sent, never re-sent.
    let server = MockServer::start().await;
    mount(&server, "GET", ResponseTemplate::new(502)).await;
    let c = client(&server);
    let err = c.send_sms(&doc_sms()).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err}");
    assert_eq!(sent(&server).await.len(), 1);
    let outcome = c.send_sms_exactly_once(&doc_sms()).await.unwrap();
    let ExactlyOnceOutcome::Undetermined { why, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert!(why.contains("cannot be reconciled"), "{why}");
    assert_eq!(sent(&server).await.len(), 2, "one more send, no re-send");
}

const RECALL_PAGE: &str = r#"{ "status": 0, "reason": "success", "data": { "total": 1, "size": 10,
  "current": 1, "pages": 1, "records": [ { "keyId": 12, "taskId": 5000602, "taskName": "示例群呼任务",
  "createTime": "2024-06-04 14:49:17", "recallType": 1, "recallInterval": 30, "recallNum": 2,
  "finishNum": 0, "status": 0 } ] } }"#;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

#[tokio::test]
async fn recall_flows_list_walk_and_cancel() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/voice/recallFlow/queryPage"))
        .respond_with(json_answer(RECALL_PAGE))
        .mount(&server)
        .await;
    // The D4 page's example: `code` as a number with `msg`.
    Mock::given(path("/v3/voice/recallFlow/cancel"))
        .respond_with(json_answer(
            r#"{ "code": 0, "msg": "success", "data": null }"#,
        ))
        .mount(&server)
        .await;
    let c = client(&server);
    let query = RecallQuery::new(at("2024-01-01 00:00:00"), at("2024-06-03 15:13:01"));
    let page = c.recall_flows(&query).await.unwrap();
    let flow = &page.items[0];
    assert_eq!(flow.key_id, 12);
    assert_eq!(flow.task_id, Some(TaskId(5_000_602)));
    assert_eq!(flow.recall_type, Some(RecallType::Failed));
    assert_eq!(flow.status, Some(RecallStatus::Pending));
    let all: Vec<_> = c.recall_flows_all(&query).try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    c.cancel_recall(RecallCancel::Flow(12)).await.unwrap();
    let requests = sent(&server).await;
    assert_eq!(
        body(&requests[0]),
        json!({"current":1,"size":10,"params":{"strTime":"2024-01-01 00:00:00","endTime":"2024-06-03 15:13:01"}})
    );
    let cancel = requests.last().unwrap();
    assert_eq!(cancel.url.path(), "/v3/voice/recallFlow/cancel");
    assert_eq!(body(cancel), json!({"type": 1, "id": 12}));
}

#[tokio::test]
async fn ai_update_resend_ivr_update_and_the_task_type_filter() {
    let server = MockServer::start().await;
    Mock::given(path("/v3/voice/group/call/resend/ai"))
        .respond_with(json_answer(
            r#"{ "status": "0", "reason": "success", "data": 123123 }"#,
        ))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(json_answer(
            r#"{ "status": "0", "reason": "success", "data": null }"#,
        ))
        .mount(&server)
        .await;
    let c = client(&server);
    c.update_ai_task(&AiTaskUpdate::new(TaskId(5_000_602), "AI回访", 7).max_call_seconds(40))
        .await
        .unwrap();
    let id = c
        .resend_ai_task(&AiResend::new(
            TaskId(5_000_602),
            "AI回访-2",
            7,
            AiResendType::All,
        ))
        .await
        .unwrap();
    assert_eq!(id, Some(TaskId(123_123)));
    c.update_task(&TaskUpdate::new(TaskId(5), "改名", VoiceSource::file("f.mp3")).loop_count(2))
        .await
        .unwrap();
    let query = TaskQuery::new(at("2024-01-01 00:00:00"), at("2024-06-03 15:13:01"))
        .task_type(TaskType::AiAgent);
    // The generic answer is not a page: only the request matters here.
    let _ = c.query_tasks(&query).await;
    let requests = sent(&server).await;
    let paths: Vec<&str> = requests.iter().map(|r| r.url.path()).collect();
    assert_eq!(
        paths,
        [
            "/v3/voice/group/call/update/ai",
            "/v3/voice/group/call/resend/ai",
            "/v3/voice/group/call/update",
            "/v3/voice/group/call/query",
        ]
    );
    let update = body(&requests[0]);
    assert_eq!(update["keyId"], 5_000_602);
    assert_eq!(update["scriptId"], 7);
    assert_eq!(update["maxCalls"], 40);
    assert_eq!(body(&requests[1])["resendType"], 0);
    let ivr = body(&requests[2]);
    assert_eq!(
        (
            &ivr["keyId"],
            &ivr["source"],
            &ivr["voiceFileId"],
            &ivr["loopCount"]
        ),
        (&json!(5), &json!(1), &json!("f.mp3"), &json!(2))
    );
    assert_eq!(body(&requests[3])["params"]["taskType"], 3);
}
