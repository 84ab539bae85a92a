//! The sandbox against crafted input and slow or idle clients: numbers that overflow
//! arithmetic get an envelope (and the sandbox keeps serving), slow headers, bodies and
//! idle sockets are cut off, idle sockets cannot lock other clients out, and the Laaffic
//! caps refuse input beyond them.
//!
//! Timeouts here are short and configured; no test asserts on elapsed time. Waits that
//! should end are guarded by a generous deadline, so a regression fails instead of hanging.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use common::{http, laaffic_at, laaffic_now};
use proptest::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use voxkit_sandbox::{ESPAI_OPEN_API_KEY, LONGLONGLONG_TOKEN, Limits, Sandbox, SandboxBuilder};

/// How long a wait that must end may take before the test calls it a hang.
const GUARD: Duration = Duration::from_secs(30);

async fn laaffic(sandbox: &Sandbox, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, body) = laaffic_now(sandbox, method, path, body).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Posts `body` to the Laaffic `path`, signed now; the answer's `status` must be `want`.
async fn laaffic_post(sandbox: &Sandbox, path: &str, body: Value, want: &str) -> Value {
    let answer = laaffic(sandbox, "POST", path, Some(body)).await;
    assert_eq!(answer["status"], want, "{answer}");
    answer
}

async fn longlonglong_get(sandbox: &Sandbox, path_and_query: &str) -> Value {
    let response = http()
        .get(format!("{}{path_and_query}", sandbox.url()))
        .bearer_auth(LONGLONGLONG_TOKEN)
        .send()
        .await
        .expect("an answer, not a dropped connection");
    assert_eq!(response.status().as_u16(), 200);
    serde_json::from_slice(&response.bytes().await.unwrap()).expect("a JSON envelope")
}

async fn espai_post(sandbox: &Sandbox, path: &str, body: Value) -> Value {
    let (status, body) = common::espai_post(sandbox, path, body).await;
    assert_eq!(status, 200);
    body
}

/// The sandbox still answers: the Laaffic balance, signed now.
async fn still_serving(sandbox: &Sandbox) {
    let balance = laaffic(sandbox, "GET", "/v3/getBalance", None).await;
    assert_eq!(balance["status"], "0", "{balance}");
}

fn task_window() -> Value {
    json!({"strTime": "2000-01-01 00:00:00", "endTime": "2999-01-01 00:00:00"})
}

fn records_window() -> Value {
    let now = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
    json!({
        "strTime": (now - chrono::TimeDelta::days(1)).to_rfc3339(),
        "endTime": (now + chrono::TimeDelta::days(1)).to_rfc3339(),
    })
}

/// A list of the seeded longlonglong user, `GET /agent-api/user/{user}/{list_and_query}`.
async fn user_list(sandbox: &Sandbox, list_and_query: &str) -> Value {
    let user = &sandbox.seed().longlonglong_user;
    longlonglong_get(sandbox, &format!("/agent-api/user/{user}/{list_and_query}")).await
}

/// Page `current` of `size` (any JSON, to send what the SDK would refuse) of the Laaffic
/// task list, over every task's time.
async fn tasks_page(sandbox: &Sandbox, current: Value, size: Value) -> Value {
    let body = json!({"current": current, "size": size, "params": task_window()});
    laaffic(sandbox, "POST", "/v3/voice/group/call/query", Some(body)).await
}

/// Page `current` of `size` (any JSON) of the Laaffic call records of the last and next day.
async fn records_page(sandbox: &Sandbox, current: Value, size: Value) -> Value {
    let body = json!({"current": current, "size": size, "params": records_window()});
    laaffic(sandbox, "POST", "/v3/voice/recordGroupQuery", Some(body)).await
}

// ----- item 5: crafted numbers ----------------------------------------------------------

#[tokio::test]
async fn paging_numbers_that_overflow_get_an_envelope_and_the_sandbox_keeps_serving() {
    let sandbox = Sandbox::start().await.unwrap();

    let history = user_list(&sandbox, "bill_recharge_record?page=18446744073709551615").await;
    assert_eq!(history["code"], 200, "{history}");
    assert_eq!(history["data"], json!([]));
    still_serving(&sandbox).await;

    let subs = user_list(&sandbox, "subset_users?page=3&per_page=9223372036854775808").await;
    assert_eq!(subs["code"], 200, "{subs}");
    assert_eq!(subs["data"], json!([]));
    assert_eq!(subs["meta"]["current_page"], 3);
    still_serving(&sandbox).await;

    let tasks = tasks_page(&sandbox, json!(i64::MAX), json!(100)).await;
    assert_eq!(tasks["code"], 0, "{tasks}");
    assert_eq!(tasks["data"]["records"], json!([]));
    assert_eq!(tasks["data"]["current"], i64::MAX);
    still_serving(&sandbox).await;

    let records = records_page(&sandbox, json!(i64::MAX), json!(100)).await;
    assert_eq!(records["status"], "0", "{records}");
    assert_eq!(records["data"]["records"], json!([]));
    still_serving(&sandbox).await;

    let cards = espai_post(
        &sandbox,
        "/cdkey/list",
        json!({"page": "18446744073709551615", "limit": "18446744073709551615"}),
    )
    .await;
    assert_eq!(cards["success"], true, "{cards}");
    assert_eq!(cards["data"], json!([]));
    still_serving(&sandbox).await;
}

#[tokio::test]
async fn timestamps_at_the_ends_of_i64_are_outside_the_window_not_a_panic() {
    let sandbox = Sandbox::start().await.unwrap();
    for timestamp in [i64::MIN, i64::MAX, i64::MIN + 1] {
        let (status, body) = laaffic_at(&sandbox, "GET", "/v3/getBalance", None, timestamp).await;
        assert_eq!(status, 200);
        assert_eq!(body["status"], "-16", "{timestamp}: {body}");
        assert_eq!(body["reason"], "超出时间范围限制");
        still_serving(&sandbox).await;
    }
}

#[tokio::test]
async fn a_transfer_a_card_cannot_hold_is_refused_and_changes_nothing() {
    let sandbox = Sandbox::start().await.unwrap();
    let phone = sandbox.seed().espai_phone.clone();
    let code = sandbox.seed().espai_paid_codes[0].clone();
    sandbox.add_espai_card("13900000009", "FULLFULL", "1", u64::MAX);
    let before = (
        sandbox.espai_card(&code).unwrap().quota,
        sandbox.espai_card("FULLFULL").unwrap().quota,
    );
    let answer = espai_post(
        &sandbox,
        "/cdkey/transfer",
        json!({"phone": phone, "code": code, "target_phone": "13900000009",
               "target_code": "FULLFULL", "limit": "1"}),
    )
    .await;
    assert_eq!(answer["success"], false, "{answer}");
    assert_eq!(answer["code"], 500);
    let after = (
        sandbox.espai_card(&code).unwrap().quota,
        sandbox.espai_card("FULLFULL").unwrap().quota,
    );
    assert_eq!(before, after);
    still_serving(&sandbox).await;
}

/// Paging numbers as a client could send them: any u64, any i64, or digits beyond both.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[0-9]{19,25}",
        Just("0".to_owned()),
        Just("1".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever the paging numbers, every paged route answers in its envelope.
    #[test]
    fn any_paging_numbers_get_an_envelope(page in number_text(), size in number_text()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let sandbox = Sandbox::start().await.unwrap();
            let history = user_list(&sandbox, &format!("bill_recharge_record?page={page}")).await;
            assert!(matches!(history["code"].as_u64(), Some(200 | 422)), "{history}");
            let subs =
                user_list(&sandbox, &format!("subset_users?page={page}&per_page={size}")).await;
            assert!(matches!(subs["code"].as_u64(), Some(200 | 422)), "{subs}");
            // Numbers, as JSON numbers when they fit, else as the text.
            let number = |t: &str| t.parse::<i64>().map_or_else(|_| json!(t), |n| json!(n));
            let tasks = tasks_page(&sandbox, number(&page), number(&size)).await;
            assert!(tasks["code"] == 0 || tasks["code"] == "-22", "{tasks}");
            let records = records_page(&sandbox, number(&page), number(&size)).await;
            assert!(records["status"] == "0" || records["status"] == "-22", "{records}");
            let cards = espai_post(&sandbox, "/cdkey/list", json!({"page": page, "limit": size})).await;
            assert!(cards["success"].is_boolean(), "{cards}");
            still_serving(&sandbox).await;
        });
    }
}

// ----- item 6: slow and idle clients ----------------------------------------------------

/// Reads until the server closes the connection (end of stream or reset); what it sent.
async fn until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(GUARD, read)
        .await
        .expect("the sandbox never closed the connection");
    got
}

/// One whole request on a new connection, answered: the answer's text.
async fn exchange(addr: SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    String::from_utf8_lossy(&until_closed(&mut stream).await).into_owned()
}

/// A timeout no test waits out: the one of the two connection timeouts a test is not about.
const NEVER: Duration = Duration::from_secs(600);

/// A sandbox builder with these header-read and idle-connection timeouts.
fn timeouts(header: Duration, idle: Duration) -> SandboxBuilder {
    Sandbox::builder().header_timeout(header).idle_timeout(idle)
}

fn espai_list_request() -> String {
    let body = "{}";
    format!(
        "POST /cdkey/list HTTP/1.1\r\nHost: sandbox\r\nauthorization: {ESPAI_OPEN_API_KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn a_half_sent_header_is_cut_off_while_other_clients_are_served() {
    let sandbox = timeouts(Duration::from_secs(1), NEVER)
        .start()
        .await
        .unwrap();
    let mut slow = TcpStream::connect(sandbox.addr()).await.unwrap();
    slow.write_all(b"POST /cdkey/list HTTP/1.1\r\nHost: sand")
        .await
        .unwrap();

    let answer = exchange(sandbox.addr(), &espai_list_request()).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let got = until_closed(&mut slow).await;
    assert!(
        !String::from_utf8_lossy(&got).contains("200 OK"),
        "the half request was not handled"
    );
}

#[tokio::test]
async fn silent_and_kept_alive_connections_are_closed_after_the_idle_timeout() {
    let sandbox = timeouts(NEVER, Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    // Opened, never used.
    let mut silent = TcpStream::connect(sandbox.addr()).await.unwrap();
    assert!(until_closed(&mut silent).await.is_empty());

    // Used once, then kept alive and left silent: answered, then closed.
    let request = espai_list_request().replace("Connection: close\r\n", "");
    let got = exchange(sandbox.addr(), &request).await;
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    assert!(
        !got.to_ascii_lowercase().contains("connection: close"),
        "kept alive by the server, closed only for idling: {got}"
    );
}

#[tokio::test]
async fn a_body_that_never_arrives_is_answered_408_and_nothing_is_applied() {
    let sandbox = Sandbox::builder()
        .body_timeout(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let code = sandbox.seed().espai_paid_codes[0].clone();
    let quota = sandbox.espai_card(&code).unwrap().quota;
    let partial = format!(
        r#"{{"phone": "{}", "code": "{code}", "target_phone": "17516888888", "target_code": "3AoPbLSQ", "limit": "#,
        sandbox.seed().espai_phone
    );
    let head = format!(
        "POST /cdkey/transfer HTTP/1.1\r\nHost: sandbox\r\nauthorization: {ESPAI_OPEN_API_KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"
    );
    let mut stream = TcpStream::connect(sandbox.addr()).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(partial.as_bytes()).await.unwrap();
    let got = String::from_utf8_lossy(&until_closed(&mut stream).await).into_owned();
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert_eq!(sandbox.espai_card(&code).unwrap().quota, quota);
    still_serving(&sandbox).await;
}

#[tokio::test]
async fn idle_sockets_beyond_the_bound_do_not_lock_a_new_client_out() {
    let sandbox = timeouts(NEVER, NEVER)
        .max_connections(4)
        .start()
        .await
        .unwrap();
    let mut idle = Vec::new();
    for _ in 0..10 {
        idle.push(TcpStream::connect(sandbox.addr()).await.unwrap());
    }
    let answer = exchange(sandbox.addr(), &espai_list_request()).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The one idle the longest made room; nothing else could have closed it.
    assert!(until_closed(&mut idle[0]).await.is_empty());
    still_serving(&sandbox).await;
}

// ----- item 7: caps ---------------------------------------------------------------------

fn task(name: &str, file: &str, numbers: usize) -> Value {
    let list: Vec<Value> = (0..numbers)
        .map(|i| json!({"calleeNumber": format!("86135{i:08}")}))
        .collect();
    json!({"appId": "4luaKsL2", "taskName": name, "source": 1, "voiceFileId": file,
           "numberInfoList": list})
}

#[tokio::test]
async fn the_laaffic_caps_refuse_input_beyond_them_with_minus_23() {
    let mut limits = Limits::default();
    // The seed holds 2 tasks calling 2 numbers each, and 1 voice file.
    limits.ivr_tasks = 4;
    limits.ivr_numbers = 10;
    limits.voice_files = 2;
    let sandbox = Sandbox::builder().limits(limits).start().await.unwrap();
    let file = sandbox.seed().laaffic_voice_file.clone();
    let send = "/v3/voice/group/call/send";

    laaffic_post(&sandbox, send, task("five", &file, 5), "0").await;
    // 9 numbers held: 2 more is one too many.
    let over = laaffic_post(&sandbox, send, task("two more", &file, 2), "-23").await;
    assert_eq!(over["reason"], "数据上限");
    laaffic_post(&sandbox, send, task("one more", &file, 1), "0").await;
    assert_eq!(sandbox.laaffic_tasks().len(), 4);
    // 4 tasks held: a fifth, even without numbers to spare, is refused; so is a resend.
    laaffic_post(&sandbox, send, task("fifth", &file, 1), "-23").await;
    let resend = json!({"keyId": sandbox.seed().laaffic_task, "taskName": "again",
                        "source": 1, "voiceFileId": file});
    laaffic_post(&sandbox, "/v3/voice/group/call/resend", resend, "-23").await;
    assert_eq!(sandbox.laaffic_tasks().len(), 4);

    let upload = |name: &str| json!({"fileName": name, "file": "SUQzBAA="});
    let upload_path = "/v3/voice/fileUpload";
    laaffic_post(&sandbox, upload_path, upload("second.mp3"), "0").await;
    laaffic_post(&sandbox, upload_path, upload("third.mp3"), "-23").await;
    assert_eq!(sandbox.laaffic_voice_files().len(), 2);
    still_serving(&sandbox).await;
}

#[tokio::test]
async fn a_sandbox_on_its_own_runtime_serves_and_stops_cleanly_inside_another() {
    let sandbox = Sandbox::builder().worker_threads(2).start().await.unwrap();
    still_serving(&sandbox).await;
    // An address in use is an error, not a panic from dropping the runtime built for it.
    let taken = Sandbox::builder()
        .worker_threads(1)
        .addr(sandbox.addr())
        .start()
        .await;
    assert!(taken.is_err());
    let addr = sandbox.addr();
    drop(sandbox);
    let refused = tokio::time::timeout(GUARD, async {
        loop {
            if TcpStream::connect(addr).await.is_err() {
                break;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert!(refused.is_ok(), "still listening after the drop");
}
