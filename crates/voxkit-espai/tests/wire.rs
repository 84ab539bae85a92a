//! Wire tests against wiremock and the raw-TCP fault server: for every operation the exact
//! request (method, path, headers, JSON body) and the documentation's examples decoded;
//! the documented errors; malformed bodies; input refused before sending; retries of reads
//! and never of writes; the pagination stream against well-behaved and misbehaving servers.

mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::{assert_listing_error, card_json, json_response, requests};

use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use voxkit_core::Error;
use voxkit_core::fault::{Fault, FaultServer};
use voxkit_core::test_util::fast_retries;
use voxkit_espai::{
    BalanceLog, BalanceLogQuery, Card, CardFilter, CardKey, CardType, Client, ClientBuilder, Code,
    Commodity, OrderKind, Paging, missing_parameter,
};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// An obvious placeholder key.
const KEY: &str = "test-key";

// The documentation's own examples (section A of the notes, and the original page).

const DOC_LIST_REQUEST: &str = r#"{ "id": "772868ead56c48d68fd1924aa5ec3aac", "type": "0", "code": "wNaa1GDw",
  "user_name": "琳琅", "user_phone": "15916888888", "api_limit": "423",
  "page": "1", "limit": "10" }"#;

const DOC_LIST_SUCCESS: &str = r#"{ "message": "请求成功",
  "data": [ { "id": "772868ead56c48d68fd1924aa5ec3aac", "create_time": 1743506056109,
              "update_time": null, "code": "wNaa1GDw",
              "user_id": "87215a4192654cea8781a1a596d23cae", "api_limit": 500,
              "type": "0", "user_phone": 15916888888, "user_name": "琳琅" } ],
  "totalNumber": 1, "success": true }"#;

const DOC_DETAIL_SUCCESS: &str = r#"{ "success": true, "message": "请求成功",
  "data": { "id": "772868ead56c48d68fd1924aa5ec3aac", "create_time": 1743506056109,
            "update_time": null, "code": "wNaa1GDw",
            "user_id": "87215a4192654cea8781a1a596d23cae", "api_limit": 500,
            "type": "0", "user_phone": 15916888888, "user_name": "琳琅" } }"#;

const DOC_LOGS_SUCCESS: &str = r#"{ "success": true, "message": "请求成功",
  "data": [ { "id": "a52cd323fa2e452cb902a16c668f0xxx", "create_time": 1749551694870,
              "type": "2", "user_id": "1991d099eaa5470daeb6f1e5a1726xxx",
              "cdkey_id": "dd3d910b08e4405e88242ca7f8f86xxx", "api_limit": 1,
              "user_name": "琳琅", "user_email": "", "user_phone": "15916888888" } ],
  "totalNumber": 19 }"#;

const DOC_TRANSFER_SUCCESS: &str = r#"{ "success": true, "message": "请求成功" }"#;
const DOC_DESTROY_SUCCESS: &str = r#"{ "success": true, "message": "删除成功" }"#;

const DOC_PAY_URL: &str = "https://pay.phpwc.cn/submit.php?buyer_id=87215a4192654cea8781a1a596d23cae&money=8.8&name=额度卡购买-傲天青龙&notify_url=https://api.espai.fun/order/notify&out_trade_no=20250410094846975&param=87215a4192654cea8781a1a596d23cae_1_0_&pid=1407&return_url=https://dev.espai2.fun/&sitename=ESP-AI 开放平台&type=alipay&sign=c6503aba0bf649c19d9e83f4ade6d473&sign_type=MD5";

/// The documented error of every endpoint (full-width colon, as in the docs' source).
const DOC_SYSTEM_ERROR: &str = r#"{ "success": false, "message": "系统错误：xxx", "code": 500 }"#;
/// The same, as the rendered page shows it (ASCII colon).
const PAGE_SYSTEM_ERROR: &str = r#"{"success":false,"message":"系统错误:xxx","code":500}"#;
const DOC_MISSING_PARAMETER: &str =
    r#"{ "success": false, "message": "缺失参数：commodity_id", "code": 401 }"#;
const DOC_NO_CODE_ERROR: &str = r#"{ "success": false, "message": "额度卡不存在" }"#;

fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(url)
        .retry_policy(fast_retries())
}

fn client(server: &MockServer) -> Client {
    builder(&server.uri()).build().unwrap()
}

fn doc(body: &str) -> Value {
    serde_json::from_str(body).unwrap()
}

/// A mock that answers only the exact documented request: POST, path, raw key, JSON body.
async fn expect_exact(server: &MockServer, at: &str, body: Value, answer: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(at))
        .and(header("authorization", KEY))
        .and(header("content-type", "application/json"))
        .and(body_json(body))
        .respond_with(answer)
        .expect(1)
        .mount(server)
        .await;
}

/// A server with one mock, [`expect_exact`]: answering the documented request `body` at
/// `at` with the JSON `answer`, once.
async fn exact_server(at: &str, body: Value, answer: &str) -> MockServer {
    let server = MockServer::start().await;
    expect_exact(&server, at, body, json_response(answer)).await;
    server
}

/// The errors of two reads (the card list, a card's detail) and a non-repeatable write
/// (a pay order), each call expected to fail.
async fn list_detail_pay_errors(client: &Client) -> [Error; 3] {
    [
        client.list_cards(&CardFilter::new()).await.unwrap_err(),
        client.card(&wncard()).await.unwrap_err(),
        client
            .pay(Commodity::Uses1000, OrderKind::Buy)
            .await
            .unwrap_err(),
    ]
}

/// A server answering every POST with `template`.
async fn answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

fn wncard() -> CardKey {
    CardKey::new("15916888888", "wNaa1GDw")
}

fn target() -> CardKey {
    CardKey::new("17516888888", "3AoPbLSQ")
}

/// The card every example shows.
fn assert_doc_card(card: &Card) {
    assert_eq!(card.id, "772868ead56c48d68fd1924aa5ec3aac");
    assert_eq!(
        card.create_time,
        Some(UNIX_EPOCH + Duration::from_millis(1_743_506_056_109))
    );
    assert_eq!(card.update_time, None);
    assert_eq!(card.code, "wNaa1GDw");
    assert_eq!(
        card.user_id.as_deref(),
        Some("87215a4192654cea8781a1a596d23cae")
    );
    assert_eq!(card.api_limit, 500);
    assert_eq!(card.card_type, CardType::Zero);
    assert_eq!(card.user_phone.as_deref(), Some("15916888888"));
    assert_eq!(card.user_name.as_deref(), Some("琳琅"));
}

// ---------------------------------------------------------------------------------------
// Exact requests and documented successes
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn list_cards_sends_every_filter_as_the_example_does() {
    let server = exact_server("/cdkey/list", doc(DOC_LIST_REQUEST), DOC_LIST_SUCCESS).await;
    let filter = CardFilter::new()
        .id("772868ead56c48d68fd1924aa5ec3aac")
        .card_type(CardType::Zero)
        .code("wNaa1GDw")
        .user_name("琳琅")
        .user_phone("15916888888")
        .api_limit(423)
        .page(1)
        .limit(10);
    let page = client(&server).list_cards(&filter).await.unwrap();
    assert_eq!(page.total, Some(1));
    assert_eq!(page.items.len(), 1);
    assert_doc_card(&page.items[0]);

    let sent = &server.received_requests().await.unwrap()[0];
    let auth: Vec<_> = sent.headers.get_all("authorization").iter().collect();
    assert_eq!(auth, ["test-key"], "the raw key, once, no Bearer");
    let ua = sent.headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(ua.starts_with("voxkit/"), "{ua}");
    assert!(sent.url.query().is_none());
}

#[tokio::test]
async fn list_cards_without_filters_sends_an_empty_object() {
    let server = exact_server("/cdkey/list", json!({}), DOC_LIST_SUCCESS).await;
    let page = client(&server)
        .list_cards(&CardFilter::new())
        .await
        .unwrap();
    assert_doc_card(&page.items[0]);
}

#[tokio::test]
async fn list_cards_accepts_strings_for_numbers_and_null_data() {
    let server = answering(json_response(
        r#"{"success":true,"totalNumber":"2","data":[
            {"id":"a","create_time":"1743506056109","update_time":1743506056110,"code":"c1",
             "api_limit":"7","type":3,"user_phone":"17516888888"},
            {"id":"b","code":"c2","api_limit":0,"type":"9","user_phone":null}]}"#,
    ))
    .await;
    let page = client(&server)
        .list_cards(&CardFilter::new())
        .await
        .unwrap();
    assert_eq!(page.total, Some(2));
    let [a, b] = &page.items[..] else {
        panic!("{page:?}")
    };
    assert_eq!((a.api_limit, &a.card_type), (7, &CardType::Xuanwu));
    assert_eq!(
        a.update_time,
        Some(UNIX_EPOCH + Duration::from_millis(1_743_506_056_110))
    );
    assert_eq!(a.key(), Some(CardKey::new("17516888888", "c1")));
    assert_eq!(b.card_type, CardType::Unknown("9".into()));
    assert_eq!((b.user_phone.as_ref(), b.user_id.as_ref()), (None, None));

    let server = answering(json_response(
        r#"{"success":true,"data":null,"totalNumber":0}"#,
    ))
    .await;
    let page = client(&server)
        .list_cards(&CardFilter::new())
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total), (0, Some(0)));
}

#[tokio::test]
async fn card_detail_is_exactly_as_documented() {
    let server = exact_server(
        "/cdkey/detail",
        json!({ "code": "wNaa1GDw", "phone": "15916888888" }),
        DOC_DETAIL_SUCCESS,
    )
    .await;
    let card = client(&server).card(&wncard()).await.unwrap();
    assert_doc_card(&card);
}

#[tokio::test]
async fn balance_logs_send_an_array_and_decode_the_example() {
    let server = exact_server(
        "/cdkey/balance_logs",
        json!([{ "id": "dd3d910b08e4405e88242ca7f8f86xxx", "page": "1", "limit": "10" }]),
        DOC_LOGS_SUCCESS,
    )
    .await;
    let query = BalanceLogQuery::card("dd3d910b08e4405e88242ca7f8f86xxx")
        .page(1)
        .limit(10);
    let page = client(&server).balance_logs(&query).await.unwrap();
    assert_eq!(page.total, Some(19));
    let [log] = &page.items[..] else {
        panic!("{page:?}")
    };
    assert_eq!(log.id, "a52cd323fa2e452cb902a16c668f0xxx");
    assert_eq!(
        log.create_time,
        Some(UNIX_EPOCH + Duration::from_millis(1_749_551_694_870))
    );
    assert_eq!(log.log_type.as_deref(), Some("2"));
    assert_eq!(
        log.user_id.as_deref(),
        Some("1991d099eaa5470daeb6f1e5a1726xxx")
    );
    assert_eq!(log.cdkey_id, "dd3d910b08e4405e88242ca7f8f86xxx");
    assert_eq!(log.api_limit, 1);
    assert_eq!(log.user_name.as_deref(), Some("琳琅"));
    assert_eq!(log.user_email.as_deref(), Some(""));
    assert_eq!(
        log.user_phone.as_deref(),
        Some("15916888888"),
        "a string here"
    );
}

#[tokio::test]
async fn balance_logs_without_filters_and_without_data() {
    let server = exact_server(
        "/cdkey/balance_logs",
        json!([{}]),
        r#"{"success":true,"message":"请求成功"}"#,
    )
    .await;
    let page = client(&server)
        .balance_logs(&BalanceLogQuery::new())
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total), (0, None));
}

#[tokio::test]
async fn transfer_is_exactly_as_documented() {
    let server = exact_server(
        "/cdkey/transfer",
        json!({ "code": "wNaa1GDw", "phone": "15916888888", "target_code": "3AoPbLSQ",
                "target_phone": "17516888888", "limit": "10" }),
        DOC_TRANSFER_SUCCESS,
    )
    .await;
    let ack = client(&server)
        .transfer(&wncard(), &target(), 10)
        .await
        .unwrap();
    assert_eq!(ack.message.as_deref(), Some("请求成功"));
}

#[tokio::test]
async fn destroy_sends_an_array_of_ids() {
    let server = exact_server(
        "/cdkey/destroy",
        json!([{ "id": "196bd2a26e4d459f9dc7d12053a05c15" }]),
        DOC_DESTROY_SUCCESS,
    )
    .await;
    let ack = client(&server)
        .destroy(&["196bd2a26e4d459f9dc7d12053a05c15"])
        .await
        .unwrap();
    assert_eq!(ack.message.as_deref(), Some("删除成功"));

    let server = exact_server("/cdkey/destroy", json!([{ "id": "a1000000000000000000000000000000" }, { "id": "b2000000000000000000000000000000" }, { "id": "c3000000000000000000000000000000" }]), DOC_DESTROY_SUCCESS).await;
    let ids = vec![
        "a1000000000000000000000000000000".to_owned(),
        "b2000000000000000000000000000000".to_owned(),
        "c3000000000000000000000000000000".to_owned(),
    ];
    client(&server).destroy(&ids).await.unwrap();
}

#[tokio::test]
async fn pay_is_exactly_as_documented() {
    let server = exact_server(
        "/order/pay",
        json!({ "commodity_id": "1", "commodity_type": "0" }),
        &json!({ "success": true, "data": DOC_PAY_URL }).to_string(),
    )
    .await;
    let url = client(&server)
        .pay(Commodity::Uses1000, OrderKind::Buy)
        .await
        .unwrap();
    assert_eq!(url, DOC_PAY_URL);
}

#[tokio::test]
async fn pay_sends_every_commodity_and_kind() {
    let server = MockServer::start().await;
    let client = client(&server);
    for (i, commodity) in Commodity::ALL.iter().enumerate() {
        for (kind, code) in [(OrderKind::Buy, "0"), (OrderKind::TopUp, "1")] {
            server.reset().await;
            expect_exact(
                &server,
                "/order/pay",
                json!({ "commodity_id": (i + 1).to_string(), "commodity_type": code }),
                json_response(r#"{"success":true,"data":"https://pay.example/x"}"#),
            )
            .await;
            assert_eq!(
                client.pay(*commodity, kind).await.unwrap(),
                "https://pay.example/x"
            );
            server.verify().await;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Documented errors and malformed bodies
// ---------------------------------------------------------------------------------------

/// Runs every operation once against `server`, returning each result's error.
async fn every_operation(client: &Client) -> Vec<(&'static str, Error)> {
    vec![
        (
            "list_cards",
            client.list_cards(&CardFilter::new()).await.unwrap_err(),
        ),
        ("card_detail", client.card(&wncard()).await.unwrap_err()),
        (
            "balance_logs",
            client
                .balance_logs(&BalanceLogQuery::card("x1000000000000000000000000000000"))
                .await
                .unwrap_err(),
        ),
        (
            "transfer",
            client.transfer(&wncard(), &target(), 1).await.unwrap_err(),
        ),
        (
            "destroy",
            client
                .destroy(&["x1000000000000000000000000000000"])
                .await
                .unwrap_err(),
        ),
        (
            "pay",
            client
                .pay(Commodity::Unlimited, OrderKind::TopUp)
                .await
                .unwrap_err(),
        ),
    ]
}

#[tokio::test]
async fn system_error_is_mapped_on_every_operation_and_not_retried() {
    for body in [DOC_SYSTEM_ERROR, PAGE_SYSTEM_ERROR] {
        let server = answering(json_response(body)).await;
        let errors = every_operation(&client(&server)).await;
        assert_eq!(errors.len(), 6);
        for (operation, err) in &errors {
            // "系统错误" may follow the commit (issue 12): for the non-repeatable operations
            // it is an unknown outcome, the provider's error its cause.
            let non_repeatable = ["transfer", "destroy", "pay"].contains(operation);
            assert_eq!(
                err.outcome_unknown(),
                non_repeatable,
                "{operation}: {err:?}"
            );
            let err = match err {
                Error::OutcomeUnknown { cause, .. } => &**cause,
                known => known,
            };
            assert_eq!(Code::of(err), Some(Code::SystemError), "{operation}: {err}");
            assert_eq!(err.api_code(), Some("500"));
            assert!(
                matches!(err, Error::Api { message, .. } if message.starts_with("系统错误") && message.ends_with("xxx")),
                "{err:?}"
            );
            assert!(
                err.to_string()
                    .starts_with(&format!("espai {operation}: provider error 500")),
                "{err}"
            );
            assert!(!err.is_retryable() && !err.outcome_unknown());
        }
        assert_eq!(
            requests(&server).await,
            6,
            "provider errors are answers: never retried"
        );
    }
}

#[tokio::test]
async fn missing_parameter_is_mapped_with_its_field() {
    let server = answering(json_response(DOC_MISSING_PARAMETER)).await;
    let err = client(&server)
        .pay(Commodity::Uses1000, OrderKind::Buy)
        .await
        .unwrap_err();
    assert_eq!(Code::of(&err), Some(Code::MissingParameter));
    assert_eq!(err.api_code(), Some("401"));
    assert_eq!(missing_parameter(&err), Some("commodity_id"));
    assert_eq!(requests(&server).await, 1);

    // The devices page's variant, with an ASCII colon and another field.
    let server = answering(json_response(
        r#"{"success":false,"message":"缺失参数:id","code":401}"#,
    ))
    .await;
    let err = client(&server)
        .destroy(&["x1000000000000000000000000000000"])
        .await
        .unwrap_err();
    assert_eq!(missing_parameter(&err), Some("id"));
}

#[tokio::test]
async fn business_error_without_code_is_an_api_error() {
    let server = answering(json_response(DOC_NO_CODE_ERROR)).await;
    let errors = every_operation(&client(&server)).await;
    for (operation, err) in errors {
        assert!(
            matches!(&err, Error::Api { code: None, message, .. } if message == "额度卡不存在"),
            "{operation}: {err:?}"
        );
        assert_eq!(Code::of(&err), None);
        assert_eq!(missing_parameter(&err), None);
        assert!(err.to_string().contains("(no code)"), "{err}");
    }
}

#[tokio::test]
async fn unknown_code_is_kept() {
    let server = answering(json_response(
        r#"{"success":false,"message":"余额不足","code":"4001"}"#,
    ))
    .await;
    let err = client(&server)
        .transfer(&wncard(), &target(), 5)
        .await
        .unwrap_err();
    assert_eq!(Code::of(&err), Some(Code::Unknown("4001".into())));
}

#[tokio::test]
async fn error_envelope_with_an_http_error_status_is_still_an_api_error() {
    let server =
        answering(ResponseTemplate::new(500).set_body_raw(DOC_SYSTEM_ERROR, "application/json"))
            .await;
    let client = client(&server);
    let err = client.transfer(&wncard(), &target(), 5).await.unwrap_err();
    // A 5xx, envelope or not, may follow the commit (issue 12): an unknown outcome whose
    // cause is the provider's error.
    match &err {
        Error::OutcomeUnknown { cause, .. } => {
            assert_eq!(Code::of(cause), Some(Code::SystemError), "{err:?}")
        }
        other => panic!("not an unknown outcome: {other:?}"),
    }
    assert_eq!(requests(&server).await, 1, "a transfer is never re-sent");
    // A read is retried on HTTP 500 first, then reports the envelope.
    let err = client.card(&wncard()).await.unwrap_err();
    assert_eq!(Code::of(&err), Some(Code::SystemError));
    assert_eq!(requests(&server).await, 4);
}

#[tokio::test]
async fn html_and_malformed_bodies_are_clean_decode_errors() {
    let server = MockServer::start().await;
    let client = client(&server);
    for (body, content_type) in [
        ("<html><body>502 Bad Gateway</body></html>", "text/html"),
        ("", "application/json"),
        (r#"{"message":"no success flag"}"#, "application/json"),
        (r#"{"success":"true","data":[]}"#, "application/json"),
        (r#"[{"id":"x"}]"#, "application/json"),
        (r#"{"success":true}"#, "application/json"), // no data where data is required
        (
            r#"{"success":true,"data":[{"id":"x","code":"c","api_limit":"many","type":"1"}],"totalNumber":1}"#,
            "application/json",
        ),
        (
            r#"{"success":true,"data":{"code":"c"}}"#,
            "application/json",
        ),
    ] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, content_type))
            .mount(&server)
            .await;
        let [list, detail, pay] = list_detail_pay_errors(&client).await;
        for err in [list, detail] {
            assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        }
        // `pay` is not repeatable: an answer it cannot read means it may have been applied.
        assert!(
            matches!(&pay, Error::OutcomeUnknown { cause, .. } if matches!(**cause, Error::Decode { .. })),
            "{body}: {pay:?}"
        );
        assert_eq!(
            requests(&server).await,
            3,
            "{body}: decode errors are not retried"
        );
    }
}

#[tokio::test]
async fn html_502_fails_a_read_after_retries_and_a_transfer_at_once() {
    let server = answering(
        ResponseTemplate::new(502)
            .set_body_raw("<html><title>502 Bad Gateway</title></html>", "text/html"),
    )
    .await;
    let client = client(&server);
    let err = client.list_cards(&CardFilter::new()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(err.to_string().contains("Bad Gateway"), "{err}");
    assert_eq!(requests(&server).await, 3);

    let err = client.transfer(&wncard(), &target(), 5).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(requests(&server).await, 4, "sent once");
}

// ---------------------------------------------------------------------------------------
// Retries and the outcome of writes
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn reads_are_retried_after_503() {
    for (at, success) in [
        ("/cdkey/list", DOC_LIST_SUCCESS),
        ("/cdkey/detail", DOC_DETAIL_SUCCESS),
        ("/cdkey/balance_logs", DOC_LOGS_SUCCESS),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(at))
            .respond_with(json_response(success))
            .mount(&server)
            .await;
        let client = client(&server);
        match at {
            "/cdkey/list" => {
                assert_doc_card(&client.list_cards(&CardFilter::new()).await.unwrap().items[0])
            }
            "/cdkey/detail" => assert_doc_card(&client.card(&wncard()).await.unwrap()),
            _ => assert_eq!(
                client
                    .balance_logs(&BalanceLogQuery::new())
                    .await
                    .unwrap()
                    .total,
                Some(19)
            ),
        }
        let sent = server.received_requests().await.unwrap();
        assert_eq!(sent.len(), 2, "{at}");
        assert_eq!(sent[0].body, sent[1].body, "the same body both times");
    }
}

/// A fault server that reads the first request and drops the connection, then answers
/// `answer` (if any), and a client of it.
async fn dropped_then(answer: Option<&str>) -> (FaultServer, Client) {
    let faults = std::iter::once(Fault::DropAfterRequest)
        .chain(answer.map(Fault::json))
        .collect();
    let server = FaultServer::start(faults).await;
    let client = builder(&server.url()).build().unwrap();
    (server, client)
}

#[tokio::test]
async fn transfer_dropped_after_sending_is_sent_once_and_outcome_unknown() {
    let (server, client) = dropped_then(Some(DOC_TRANSFER_SUCCESS)).await;
    let err = client.transfer(&wncard(), &target(), 10).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(!err.is_retryable() && !err.nothing_sent());
    assert!(
        err.to_string()
            .starts_with("espai transfer: outcome unknown"),
        "{err}"
    );
    assert_eq!(server.requests(), 1, "a transfer is never re-sent");
    let raw = String::from_utf8(server.received()[0].clone()).unwrap();
    assert!(raw.starts_with("POST /cdkey/transfer "), "{raw}");
    assert!(raw.contains(r#""limit":"10""#), "{raw}");
}

#[tokio::test]
async fn destroy_and_pay_dropped_after_sending_are_outcome_unknown() {
    let (server, client) = dropped_then(None).await;
    let err = client
        .destroy(&[
            "x1000000000000000000000000000000",
            "x2000000000000000000000000000000",
        ])
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(server.requests(), 1);
    let err = client
        .pay(Commodity::Uses1000, OrderKind::Buy)
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn read_dropped_after_sending_is_retried() {
    let (server, client) = dropped_then(Some(DOC_DETAIL_SUCCESS)).await;
    assert_doc_card(&client.card(&wncard()).await.unwrap());
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn transfer_to_a_refused_connection_is_retried_and_reported_as_not_sent() {
    let url = voxkit_core::fault::refused_url().await;
    let client = builder(&url).build().unwrap();
    let err = client.transfer(&wncard(), &target(), 10).await.unwrap_err();
    assert!(err.nothing_sent(), "{err:?}");
    assert!(!err.outcome_unknown());
}

// ---------------------------------------------------------------------------------------
// Input refused before sending
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn bad_input_is_refused_with_nothing_sent() {
    let server = answering(json_response(DOC_TRANSFER_SUCCESS)).await;
    let client = client(&server);
    let mut errors: Vec<Error> = Vec::new();

    // Transfers.
    for (from, to, amount) in [
        (wncard(), target(), 0),
        (wncard(), wncard(), 10),
        (CardKey::new("", "wNaa1GDw"), target(), 10),
        (CardKey::new("+8615916888888", "wNaa1GDw"), target(), 10),
        (CardKey::new("1591688 8888", "wNaa1GDw"), target(), 10),
        (CardKey::new("15916888888", ""), target(), 10),
        (CardKey::new("15916888888", "wNaa 1GDw"), target(), 10),
        (wncard(), CardKey::new("17516888888", "3AoPbLSQ\n"), 10),
        (wncard(), CardKey::new("abc", "3AoPbLSQ"), 10),
        (wncard(), CardKey::new("1".repeat(21), "3AoPbLSQ"), 10),
        (wncard(), CardKey::new("17516888888", "x".repeat(129)), 10),
    ] {
        errors.push(client.transfer(&from, &to, amount).await.unwrap_err());
    }
    // Destroy.
    let none: [&str; 0] = [];
    errors.push(client.destroy(&none).await.unwrap_err());
    errors.push(client.destroy(&[""]).await.unwrap_err());
    errors.push(client.destroy(&["a1", "a b"]).await.unwrap_err());
    errors.push(client.destroy(&["a1", "a1"]).await.unwrap_err());
    // Detail.
    errors.push(
        client
            .card(&CardKey::new("159-1688", "wNaa1GDw"))
            .await
            .unwrap_err(),
    );
    errors.push(
        client
            .card(&CardKey::new("15916888888", " "))
            .await
            .unwrap_err(),
    );
    // List and log filters.
    for filter in [
        CardFilter::new().user_phone("1591688888x"),
        CardFilter::new().id("a\tb"),
        CardFilter::new().code(""),
        CardFilter::new().user_name("\u{7}"),
        CardFilter::new().page(0),
        CardFilter::new().limit(0),
    ] {
        errors.push(client.list_cards(&filter).await.unwrap_err());
    }
    for query in [
        BalanceLogQuery::card(""),
        BalanceLogQuery::new().page(0),
        BalanceLogQuery::new().limit(0),
    ] {
        errors.push(client.balance_logs(&query).await.unwrap_err());
    }
    // The stream: a bad filter or paging is its first and only item.
    for (filter, paging) in [
        (CardFilter::new().user_phone("x"), Paging::new()),
        (CardFilter::new(), Paging::new().page_size(0)),
        (CardFilter::new(), Paging::new().max_pages(0)),
    ] {
        let items: Vec<_> = client.cards_with(filter, paging).collect().await;
        let [Err(err)] = <[_; 1]>::try_from(items).unwrap() else {
            panic!("expected one error")
        };
        errors.push(err);
    }

    assert_eq!(errors.len(), 29);
    for err in &errors {
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        assert!(err.nothing_sent());
        assert!(err.to_string().contains("nothing was sent"), "{err}");
    }
    assert_eq!(requests(&server).await, 0, "nothing may be sent");
    assert!(errors[1].to_string().contains("same card"), "{}", errors[1]);
}

#[tokio::test]
async fn a_transfer_between_two_cards_of_one_user_is_allowed() {
    let server = answering(json_response(DOC_TRANSFER_SUCCESS)).await;
    let client = client(&server);
    client
        .transfer(&wncard(), &CardKey::new("15916888888", "3AoPbLSQ"), 1)
        .await
        .unwrap();
    assert_eq!(requests(&server).await, 1);
}

// ---------------------------------------------------------------------------------------
// The pagination stream
// ---------------------------------------------------------------------------------------

/// The `page` and `limit` a list request asked for, as sent (strings).
fn page_and_limit(request: &Request) -> (String, String) {
    let body: Value = request.body_json().unwrap();
    let field = |k: &str| {
        body[k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} not a string: {body}"))
            .to_owned()
    };
    (field("page"), field("limit"))
}

/// A server paging through `ids` honestly, announcing `total` (or no total).
async fn paging_server(ids: Vec<&'static str>, total: Option<u64>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cdkey/list"))
        .and(header("authorization", KEY))
        .respond_with(move |request: &Request| {
            let (page, limit) = page_and_limit(request);
            let (page, limit): (usize, usize) = (page.parse().unwrap(), limit.parse().unwrap());
            let data: Vec<Value> = ids
                .iter()
                .skip((page - 1) * limit)
                .take(limit)
                .map(|id| card_json(id))
                .collect();
            let mut body = json!({ "success": true, "message": "请求成功", "data": data });
            if let Some(total) = total {
                body["totalNumber"] = json!(total);
            }
            ResponseTemplate::new(200).set_body_json(body)
        })
        .mount(&server)
        .await;
    server
}

async fn pages_asked(server: &MockServer) -> Vec<(String, String)> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(page_and_limit)
        .collect()
}

fn ids(cards: &[Card]) -> Vec<&str> {
    cards.iter().map(|c| c.id.as_str()).collect()
}

fn pages(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, l)| (p.to_string(), l.to_string()))
        .collect()
}

#[tokio::test]
async fn stream_walks_every_page_until_the_total() {
    let server = paging_server(vec!["a", "b", "c", "d", "e"], Some(5)).await;
    let client = client(&server);
    let filter = CardFilter::new().user_phone("15916888888").page(7).limit(1);
    let cards: Vec<Card> = client
        .cards_with(filter, Paging::new().page_size(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&cards), ["a", "b", "c", "d", "e"]);
    assert_eq!(
        pages_asked(&server).await,
        pages(&[("1", "2"), ("2", "2"), ("3", "2")]),
        "no request past the total; the filter's page and limit are replaced"
    );
    let first: Value = server.received_requests().await.unwrap()[0]
        .body_json()
        .unwrap();
    assert_eq!(
        first,
        json!({ "user_phone": "15916888888", "page": "1", "limit": "2" })
    );
}

#[tokio::test]
async fn stream_uses_the_default_page_size() {
    let server = paging_server(vec!["a", "b"], Some(2)).await;
    let cards: Vec<Card> = client(&server)
        .cards(CardFilter::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&cards), ["a", "b"]);
    assert_eq!(pages_asked(&server).await, pages(&[("1", "100")]));
}

/// Every card of `server`'s stream, asked for two a page, each page expected to succeed.
/// Every item (cards and the error that ends the stream) of the card stream of `server`,
/// walked with `paging`.
async fn all_cards(server: &MockServer, paging: Paging) -> Vec<Result<Card, Error>> {
    client(server)
        .cards_with(CardFilter::new(), paging)
        .collect()
        .await
}

async fn cards_by_twos(server: &MockServer) -> Vec<Card> {
    client(server)
        .cards_with(CardFilter::new(), Paging::new().page_size(2))
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test]
async fn stream_ends_at_an_empty_page() {
    // The total promises more than there is (cards were destroyed meanwhile).
    let server = paging_server(vec!["a", "b", "c"], Some(10)).await;
    let cards = cards_by_twos(&server).await;
    assert_eq!(ids(&cards), ["a", "b", "c"]);
    assert_eq!(
        pages_asked(&server).await,
        pages(&[("1", "2"), ("2", "2"), ("3", "2")])
    );
}

#[tokio::test]
async fn stream_without_a_total_ends_at_a_short_page() {
    let server = paging_server(vec!["a", "b", "c"], None).await;
    let cards = cards_by_twos(&server).await;
    assert_eq!(ids(&cards), ["a", "b", "c"]);
    assert_eq!(pages_asked(&server).await.len(), 2);
}

#[tokio::test]
async fn stream_against_a_server_that_ignores_page_ends_with_incomplete() {
    // Always page 1, always announcing more cards than one page holds.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cdkey/list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true, "totalNumber": 10, "data": [card_json("a"), card_json("b")]
        })))
        .mount(&server)
        .await;
    let items = all_cards(&server, Paging::new().page_size(2)).await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().id, "a");
    assert_eq!(items[1].as_ref().unwrap().id, "b");
    assert_listing_error(
        items[2].as_ref().unwrap_err(),
        &["listing is incomplete", "2 of 10", "page 2"],
    );
    assert_eq!(
        requests(&server).await,
        2,
        "stops at the first repeated page"
    );
}

#[tokio::test]
async fn stream_skips_cards_already_listed() {
    // Page 2 overlaps page 1 by one card (a card was added at the front meanwhile).
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(|request: &Request| {
            let data = match page_and_limit(request).0.as_str() {
                "1" => vec![card_json("a"), card_json("b")],
                "2" => vec![card_json("b"), card_json("c")],
                _ => vec![],
            };
            ResponseTemplate::new(200)
                .set_body_json(json!({ "success": true, "totalNumber": 3, "data": data }))
        })
        .mount(&server)
        .await;
    let cards = cards_by_twos(&server).await;
    assert_eq!(ids(&cards), ["a", "b", "c"]);
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn stream_stops_at_the_page_cap_with_incomplete() {
    let server = paging_server(vec!["a", "b", "c", "d", "e", "f"], Some(6)).await;
    let items = all_cards(&server, Paging::new().page_size(2).max_pages(2)).await;
    assert_eq!(items.len(), 5, "{items:?}");
    let listed: Vec<&str> = items[..4]
        .iter()
        .map(|c| c.as_ref().unwrap().id.as_str())
        .collect();
    assert_eq!(listed, ["a", "b", "c", "d"]);
    assert_listing_error(
        items[4].as_ref().unwrap_err(),
        &["listing is incomplete", "4 of 6", "page cap"],
    );
    assert_eq!(requests(&server).await, 2);

    // Exactly enough pages: no error.
    let server = paging_server(vec!["a", "b", "c", "d"], Some(4)).await;
    let cards: Vec<Card> = client(&server)
        .cards_with(CardFilter::new(), Paging::new().page_size(2).max_pages(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(cards.len(), 4);
}

#[tokio::test]
async fn stream_ends_after_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            |request: &Request| match page_and_limit(request).0.as_str() {
                "1" => ResponseTemplate::new(200).set_body_json(json!({
                    "success": true, "totalNumber": 4, "data": [card_json("a"), card_json("b")]
                })),
                _ => ResponseTemplate::new(200).set_body_raw(DOC_SYSTEM_ERROR, "application/json"),
            },
        )
        .mount(&server)
        .await;
    let items = all_cards(&server, Paging::new().page_size(2)).await;
    assert_eq!(items.len(), 3);
    assert_eq!(
        Code::of(items[2].as_ref().unwrap_err()),
        Some(Code::SystemError)
    );
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn stream_is_lazy_and_send() {
    let server = paging_server(vec!["a", "b", "c"], Some(3)).await;
    let client = client(&server);
    let mut stream = client.cards_with(CardFilter::new(), Paging::new().page_size(2));
    assert_eq!(
        requests(&server).await,
        0,
        "nothing sent before the first poll"
    );
    let first = tokio::spawn(async move { (stream.next().await, stream) });
    let (first, mut stream) = first.await.unwrap();
    assert_eq!(first.unwrap().unwrap().id, "a");
    assert_eq!(requests(&server).await, 1);
    assert_eq!(stream.next().await.unwrap().unwrap().id, "b");
    assert_eq!(requests(&server).await, 1, "one request per page");
    assert_eq!(stream.next().await.unwrap().unwrap().id, "c");
    assert!(stream.next().await.is_none());
    assert_eq!(requests(&server).await, 2);
}

// ---------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_key_never_shows_in_debug_display_or_errors() {
    const SENTINEL: &str = "test-key-SENTINEL-4d2e";
    let server = MockServer::start().await;
    // A hostile server echoing the key back: in an error page, in an error envelope and in
    // a malformed payload.
    Mock::given(method("POST"))
        .and(path("/cdkey/list"))
        .respond_with(ResponseTemplate::new(400).set_body_string(format!("bad key {SENTINEL}")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/cdkey/detail"))
        .respond_with(json_response(&format!(
            r#"{{"success":false,"message":"key {SENTINEL} refused","code":"{SENTINEL}"}}"#
        )))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/order/pay"))
        .respond_with(json_response(&format!(
            r#"{{"success":true,"data":["{SENTINEL}"]}}"#
        )))
        .mount(&server)
        .await;
    let builder = Client::builder().api_key(SENTINEL).base_url(server.uri());
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let [status, api, decode] = list_detail_pay_errors(&client).await;
    assert_eq!(status.status().map(|s| s.as_u16()), Some(400));
    assert!(matches!(api, Error::Api { .. }));
    assert!(
        matches!(&decode, Error::OutcomeUnknown { cause, .. } if matches!(**cause, Error::Decode { .. })),
        "{decode:?}"
    );
    assert!(builder_debug.contains("[redacted]"));
    for text in [
        builder_debug,
        format!("{client:?}"),
        format!("{:?}", client.core()),
        format!("{status} {status:?}"),
        format!("{api} {api:?}"),
        format!("{decode} {decode:?}"),
    ] {
        assert!(!text.contains(SENTINEL), "{text}");
    }
    assert!(status.to_string().contains("[redacted]"));
    assert!(api.to_string().contains("[redacted]"));
    // It was sent, though, as the raw header value.
    let sent = &server.received_requests().await.unwrap()[0];
    assert_eq!(sent.headers.get("authorization").unwrap(), SENTINEL);
}

// ---------------------------------------------------------------------------------------
// The usage-log stream
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn log_stream_walks_every_page_of_one_card_until_the_total() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cdkey/balance_logs"))
        .respond_with(|request: &Request| {
            let body: Value = request.body_json().unwrap();
            let query = &body[0];
            let page: usize = query["page"].as_str().unwrap().parse().unwrap();
            let data: Vec<Value> = ["l1", "l2", "l3"]
                .iter()
                .skip((page - 1) * 2)
                .take(2)
                .map(|id| json!({"id": id, "cdkey_id": query["id"], "api_limit": "-1"}))
                .collect();
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "totalNumber": 3, "data": data}))
        })
        .mount(&server)
        .await;
    let client = client(&server);
    let query = BalanceLogQuery::card("c1000000000000000000000000000000")
        .page(9)
        .limit(1);
    let logs: Vec<BalanceLog> = client
        .logs_with(query, voxkit_core::Paging::new(Some(2)))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = logs.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["l1", "l2", "l3"]);
    assert!(
        logs.iter()
            .all(|l| l.cdkey_id == "c1000000000000000000000000000000" && l.api_limit == -1)
    );
    let sent: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.body_json().unwrap())
        .collect();
    assert_eq!(
        sent,
        [
            json!([{"id": "c1000000000000000000000000000000", "page": "1", "limit": "2"}]),
            json!([{"id": "c1000000000000000000000000000000", "page": "2", "limit": "2"}]),
        ],
        "the query's page and limit are replaced; no request past the total"
    );
}

#[tokio::test]
async fn log_stream_against_a_server_that_ignores_page_ends_with_incomplete() {
    let server = answering(json_response(
        r#"{"success":true,"totalNumber":10,"data":[
            {"id":"l1","cdkey_id":"c1","api_limit":1},{"id":"l2","cdkey_id":"c1","api_limit":1}]}"#,
    ))
    .await;
    let items: Vec<Result<BalanceLog, Error>> = client(&server)
        .logs_with(
            BalanceLogQuery::card("c1000000000000000000000000000000"),
            voxkit_core::Paging::new(Some(2)),
        )
        .collect()
        .await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_listing_error(items[2].as_ref().unwrap_err(), &["listing is incomplete"]);
    assert_eq!(requests(&server).await, 2);
}
