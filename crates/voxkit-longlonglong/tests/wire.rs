//! Wire tests against wiremock: for every operation the exact method, path, query, headers
//! and JSON body (the docs' own example bodies), the docs' success and error examples
//! decoded, bad input refused with nothing sent; and the fault server for a recharge whose
//! answer is lost.

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use voxkit_core::Error;
use voxkit_core::fault::{Fault, FaultServer, refused_url};
use voxkit_longlonglong::{
    Code, NewSubAccount, NewUser, RechargeHistoryQuery, RecordKind, Sex, SubAccountQuery,
    SubUserId, UserId,
};
use wiremock::matchers::{body_json, method};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use common::{
    a_503_then, assert_unknown_after_one_request, body, given, mounted, raw, sent,
    wire_client as client,
};

/// The docs' example ids.
const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
const SUB: &str = "91f9254f-ca58-49af-be34-8370d7549d73";
const TOKEN: &str = "test-token";

fn user() -> UserId {
    USER.parse().unwrap()
}

fn sub() -> SubUserId {
    SUB.parse().unwrap()
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// The documented empty success: `{"code":200,"status":"success","message":..,"data":[]}`.
fn ack(message: &str) -> ResponseTemplate {
    ok(json!({"code": 200, "status": "success", "message": message, "data": []}))
}

/// A mock expecting the documented headers on `method path`, answering `template` once.
fn exact(verb: &str, route: &str, template: ResponseTemplate) -> Mock {
    given(verb, route).respond_with(template).expect(1)
}

/// Like [`exact`], with this exact JSON body (compared as JSON).
fn exact_body(verb: &str, route: &str, body: Value, template: ResponseTemplate) -> Mock {
    given(verb, route)
        .and(body_json(body))
        .respond_with(template)
        .expect(1)
}

async fn only_request(server: &MockServer) -> Request {
    let mut all = sent(server).await;
    assert_eq!(all.len(), 1, "exactly one request");
    all.remove(0)
}

// ----- recharge and deduct ------------------------------------------------------------

#[tokio::test]
async fn recharge_sends_the_docs_example_body() {
    let server = mounted(exact_body(
        "PUT",
        &format!("/agent-api/user/{USER}/recharge"),
        json!({"amount": 100, "type": 1, "remark": "API-外呼充值"}),
        ack("AI外呼扣款操作成功"),
    ))
    .await;
    let ack = client(&server.uri())
        .recharge(&user(), 100, Some("API-外呼充值"))
        .await
        .unwrap();
    assert_eq!(ack.message, "AI外呼扣款操作成功");
    let request = only_request(&server).await;
    assert_eq!(request.url.query(), None);
}

#[tokio::test]
async fn deduct_sends_type_2_and_no_remark_when_none() {
    let server = mounted(exact_body(
        "PUT",
        &format!("/agent-api/user/{USER}/recharge"),
        json!({"amount": 7, "type": 2}),
        ack("AI外呼扣款操作成功"),
    ))
    .await;
    client(&server.uri())
        .deduct(&user(), 7, None)
        .await
        .unwrap();
    let body = body(&only_request(&server).await);
    assert!(body.get("remark").is_none(), "{body}");
}

#[tokio::test]
async fn documented_10004_with_http_200_is_a_typed_api_error_sent_once() {
    let server = mounted(exact(
        "PUT",
        &format!("/agent-api/user/{USER}/recharge"),
        ok(json!({"code": 10004, "status": "error", "message": "用户未开通账单权限", "data": []})),
    ))
    .await;
    let err = client(&server.uri())
        .recharge(&user(), 100, None)
        .await
        .unwrap_err();
    assert_eq!(Code::of(&err), Some(Code::BillingNotEnabled));
    assert_eq!(err.api_code(), Some("10004"));
    assert!(err.to_string().contains("用户未开通账单权限"), "{err}");
    assert!(!err.is_retryable() && !err.outcome_unknown());
}

#[tokio::test]
async fn zero_amount_is_refused_with_nothing_sent() {
    let server = MockServer::start().await;
    let c = client(&server.uri());
    for err in [
        c.recharge(&user(), 0, None).await.unwrap_err(),
        c.deduct(&user(), 0, Some("x")).await.unwrap_err(),
    ] {
        assert!(err.nothing_sent(), "{err}");
        assert!(err.to_string().contains("positive"), "{err}");
    }
    assert!(sent(&server).await.is_empty());
}

#[tokio::test]
async fn recharge_whose_answer_is_lost_is_sent_once_and_outcome_unknown() {
    let server = FaultServer::start(vec![Fault::DropAfterRequest, Fault::json("{}")]).await;
    let err = client(&server.url())
        .recharge(&user(), 100, Some("order-1"))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(server.requests(), 1, "never re-sent");
    let sent = String::from_utf8_lossy(&server.received()[0]).into_owned();
    assert!(
        sent.starts_with(&format!("PUT /agent-api/user/{USER}/recharge ")),
        "{sent}"
    );
    assert!(sent.contains(r#""remark":"order-1""#), "{sent}");
}

#[tokio::test]
async fn recharge_through_a_502_is_outcome_unknown_and_not_resent() {
    let server = mounted(Mock::given(method("PUT")).respond_with(
        ResponseTemplate::new(502).set_body_raw("<html>bad gateway</html>", "text/html"),
    ))
    .await;
    let err = client(&server.uri())
        .recharge(&user(), 5, None)
        .await
        .unwrap_err();
    assert_unknown_after_one_request(&err, &server).await;
}

#[tokio::test]
async fn recharge_to_a_refused_connection_is_retried_and_reports_nothing_sent() {
    let err = client(&refused_url().await)
        .recharge(&user(), 5, None)
        .await
        .unwrap_err();
    assert!(!err.outcome_unknown(), "{err:?}");
    assert!(
        matches!(
            err,
            Error::Transport { kind, .. } if !kind.maybe_sent()
        ),
        "{err:?}"
    );
}

// ----- zero balance, history, expiry ----------------------------------------------------

#[tokio::test]
async fn zero_balance_has_no_body_and_decodes_the_docs_example() {
    let server = mounted(exact(
        "PUT",
        &format!("/agent-api/user/{USER}/zero_balance"),
        ack("AI外呼余额归零操作成功"),
    ))
    .await;
    let ack = client(&server.uri()).zero_balance(&user()).await.unwrap();
    assert_eq!(ack.message, "AI外呼余额归零操作成功");
    assert!(only_request(&server).await.body.is_empty());
}

/// The documented history example (help.ccgpt.net mirror), with its missing comma fixed.
const HISTORY: &str = r#"{ "code": 200, "status": "success", "message": "查看充值记录成功",
  "data": [ { "id": 137, "user_id": "073d8501-b6a3-4869-a87e-71807bfd4fb8", "amounts": 10, "balance": 1584,
              "remark": "测试", "created_at": "2023-10-18 10:09:20", "updated_at": "2023-10-18 10:09:20", "type": "充值" } ] }"#;

#[tokio::test]
async fn recharge_history_sends_bracket_array_dates_and_decodes_the_docs_example() {
    let server = mounted(exact(
        "GET",
        &format!("/agent-api/user/{USER}/bill_recharge_record"),
        raw(200, HISTORY),
    ))
    .await;
    let may = |d| NaiveDate::from_ymd_opt(2023, 5, d).unwrap();
    let history = client(&server.uri())
        .recharge_history(
            &user(),
            &RechargeHistoryQuery::new().between(may(8), may(28)).page(1),
        )
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some("date[]=2023-05-08&date[]=2023-05-28&page=1"),
        "the docs' own query"
    );
    assert!(request.body.is_empty());
    assert_eq!(history.meta, None);
    let [record] = history.records.as_slice() else {
        panic!("one record: {history:?}")
    };
    assert_eq!(record.id, 137);
    assert_eq!(
        record.user_id.as_str(),
        "073d8501-b6a3-4869-a87e-71807bfd4fb8"
    );
    assert_eq!(record.amounts, Decimal::from(10));
    assert_eq!(record.balance, Decimal::from(1584));
    assert_eq!(record.remark.as_deref(), Some("测试"));
    let at = NaiveDateTime::parse_from_str("2023-10-18 10:09:20", "%Y-%m-%d %H:%M:%S").unwrap();
    assert_eq!(record.created_at, at);
    assert_eq!(record.updated_at, Some(at));
    assert_eq!(record.kind, RecordKind::Recharge);
}

#[tokio::test]
async fn recharge_history_without_filters_sends_no_query() {
    let server = mounted(exact(
        "GET",
        &format!("/agent-api/user/{USER}/bill_recharge_record"),
        ok(json!({"code": 200, "status": "success", "message": "查看充值记录成功", "data": []})),
    ))
    .await;
    let history = client(&server.uri())
        .recharge_history(&user(), &RechargeHistoryQuery::new())
        .await
        .unwrap();
    assert!(history.records.is_empty());
    assert_eq!(only_request(&server).await.url.query(), None);
}

#[tokio::test]
async fn recharge_history_refuses_long_or_reversed_ranges_and_page_0() {
    let server = MockServer::start().await;
    let c = client(&server.uri());
    let d = |m, d| NaiveDate::from_ymd_opt(2023, m, d).unwrap();
    for query in [
        RechargeHistoryQuery::new().between(d(5, 1), d(6, 1)),
        RechargeHistoryQuery::new().between(d(5, 28), d(5, 8)),
        RechargeHistoryQuery::new().page(0),
    ] {
        let err = c.recharge_history(&user(), &query).await.unwrap_err();
        assert!(err.nothing_sent(), "{err}");
    }
    assert!(sent(&server).await.is_empty());
}

#[tokio::test]
async fn reads_are_retried_after_a_503() {
    let server = a_503_then("GET", raw(200, HISTORY)).await;
    let history = client(&server.uri())
        .recharge_history(&user(), &RechargeHistoryQuery::new())
        .await
        .unwrap();
    assert_eq!(history.records.len(), 1);
    assert_eq!(sent(&server).await.len(), 2);
}

#[tokio::test]
async fn set_expiry_sends_iso_date_and_maps_the_documented_422() {
    let server = mounted(exact_body(
        "PUT",
        &format!("/agent-api/user/{USER}/expire_time"),
        json!({"expire_time": "2024-08-17"}),
        ack("设置成功"),
    ))
    .await;
    let c = client(&server.uri());
    let ack = c
        .set_expiry(&user(), NaiveDate::from_ymd_opt(2024, 8, 17).unwrap())
        .await
        .unwrap();
    assert_eq!(ack.message, "设置成功");

    let server = mounted(Mock::given(method("PUT")).respond_with(raw(
        200,
        r#"{"code": 422, "status": "error", "message": "到期时间最少设置一天", "data": []}"#,
    )))
    .await;
    let err = client(&server.uri())
        .set_expiry(&user(), NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
        .await
        .unwrap_err();
    assert_eq!(Code::of(&err), Some(Code::ValidationFailed));
    assert_eq!(
        Code::of(&err).unwrap().documented_message(),
        Some("到期时间最少设置一天")
    );
    assert_eq!(sent(&server).await.len(), 1, "an API error is final");
}

#[tokio::test]
async fn set_expiry_is_repeatable() {
    let server = FaultServer::start(vec![
        Fault::DropAfterRequest,
        Fault::json(r#"{"code":200,"status":"success","message":"设置成功","data":[]}"#),
    ])
    .await;
    let ack = client(&server.url())
        .set_expiry(&user(), NaiveDate::from_ymd_opt(2030, 1, 1).unwrap())
        .await
        .unwrap();
    assert_eq!(ack.message, "设置成功");
    assert_eq!(server.requests(), 2);
}

// ----- account info, token, registration ----------------------------------------------

#[tokio::test]
async fn account_info_and_token_keep_undocumented_data_as_json() {
    let server = mounted(exact(
        "GET",
        &format!("/agent-api/user/{USER}/message"),
        ok(json!({"code": 200, "status": "success", "message": "ok", "data": {"anything": [1, 2]}})),
    )).await;
    exact(
        "GET",
        "/agent-api/token",
        ok(json!({"code": 200, "status": "success", "message": "ok", "data": "2027-01-01"})),
    )
    .mount(&server)
    .await;
    let c = client(&server.uri());
    let info = c.account_info(&user()).await.unwrap();
    assert_eq!(info.data, json!({"anything": [1, 2]}));
    let token = c.token_info().await.unwrap();
    assert_eq!(token.data, json!("2027-01-01"));
    assert_eq!(token.message, "ok");
}

#[tokio::test]
async fn register_user_posts_to_users_without_the_agent_api_prefix() {
    let server = mounted(exact_body(
        "POST",
        "/users",
        json!({
            "name": "用户1", "email": "1@example.com", "phone": "13800000000",
            "password": "placeholder-pw", "password_confirmation": "placeholder-pw",
            "tenant_id": "2533f3f6-7ac1-4b55-b1de-7d308ce00d89"
        }),
        ok(json!({"code": 200, "status": "success", "message": "注册成功", "data": {"id": 1}})),
    ))
    .await;
    let registration = client(&server.uri())
        .register_user(
            &NewUser::new("用户1", "1@example.com", "13800000000", "placeholder-pw")
                .tenant_id("2533f3f6-7ac1-4b55-b1de-7d308ce00d89"),
        )
        .await
        .unwrap();
    assert_eq!(registration.data, json!({"id": 1}));
}

// ----- sub-accounts -------------------------------------------------------------------

#[tokio::test]
async fn create_sub_account_sends_the_docs_example_body_and_decodes_the_answer() {
    let server = MockServer::start().await;
    // The docs' example body, verbatim.
    let docs_body: Value = serde_json::from_str(r#"{"name":"子账户1","email":"12345678@qq.com","phone":"12345678","password":"123456","password_confirmation":"123456","subset_data":{"alias":"账号1","birthday":"2022-07-13","duty":"员工","wechat":"wx123456","qq":"123456","landline_phone":"010-123132","sex":0}}"#).unwrap();
    exact_body(
        "POST",
        &format!("/agent-api/user/{USER}/subset_users"),
        docs_body,
        raw(
            200,
            r#"{"code": 200, "status": "success", "message": "添加子账户成功", "data": {"id": "01c80030-28ef-4d0b-a2ef-2475a0504e32", "name": "子账户1", "email": "12345678@qq.com", "phone": "12345678"}}"#,
        ),
    )
    .mount(&server)
    .await;
    let account = NewSubAccount::new("子账户1", "12345678@qq.com", "12345678", "123456")
        .alias("账号1")
        .birthday(NaiveDate::from_ymd_opt(2022, 7, 13).unwrap())
        .duty("员工")
        .wechat("wx123456")
        .qq("123456")
        .landline_phone("010-123132")
        .sex(Sex::Unknown);
    let created = client(&server.uri())
        .create_sub_account(&user(), &account)
        .await
        .unwrap();
    assert_eq!(created.id.as_str(), "01c80030-28ef-4d0b-a2ef-2475a0504e32");
    assert_eq!(created.name.as_deref(), Some("子账户1"));
    assert_eq!(created.email.as_deref(), Some("12345678@qq.com"));
    assert_eq!(created.phone.as_deref(), Some("12345678"));
}

#[tokio::test]
async fn bad_account_fields_are_refused_with_nothing_sent() {
    let server = MockServer::start().await;
    let c = client(&server.uri());
    for account in [
        NewSubAccount::new("", "a@b.c", "1", "pw"),
        NewSubAccount::new("n", "not-an-email", "1", "pw"),
        NewSubAccount::new("n", "a@b.c", "12-34", "pw"),
        NewSubAccount::new("n", "a@b.c", "1", ""),
    ] {
        let err = c.create_sub_account(&user(), &account).await.unwrap_err();
        assert!(err.nothing_sent(), "{err}");
    }
    let err = c
        .register_user(&NewUser::new("n", "a@b.c", "phone", "pw"))
        .await
        .unwrap_err();
    assert!(err.nothing_sent(), "{err}");
    assert!(sent(&server).await.is_empty());
}

#[tokio::test]
async fn sub_account_list_sends_every_filter_and_reads_meta_with_string_per_page() {
    let server = mounted(exact(
        "GET",
        &format!("/agent-api/user/{USER}/subset_users"),
        ok(json!({
            "code": 200, "status": "success", "message": "ok",
            "meta": {"has_pages": true, "total": 31, "last_page": 31, "current_page": 2, "per_page": "1"},
            "data": [{"id": SUB, "name": "子账户1", "phone": "123456789", "email": "123456789@qq.com",
                      "sex": 1, "birthday": null, "department": "sales"}]
        })),
    )).await;
    let page = client(&server.uri())
        .sub_accounts(
            &user(),
            &SubAccountQuery::new()
                .page(2)
                .per_page(1)
                .id(sub())
                .name("子账户 1")
                .email("a+b@qq.com")
                .phone("123"),
        )
        .await
        .unwrap();
    let request = only_request(&server).await;
    let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let expected: Vec<(String, String)> = [
        ("page", "2"),
        ("per_page", "1"),
        ("id", SUB),
        ("name", "子账户 1"),
        ("email", "a+b@qq.com"),
        ("phone", "123"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(pairs, expected);
    let meta = page.meta.unwrap();
    assert_eq!((meta.total, meta.current_page, meta.per_page), (31, 2, 1));
    assert!(meta.has_pages);
    let [item] = page.items.as_slice() else {
        panic!("{page:?}")
    };
    assert_eq!(item.id, sub());
    assert_eq!(item.sex, Some(Sex::Male));
    assert_eq!(item.extra.get("department"), Some(&json!("sales")), "kept");
}

#[tokio::test]
async fn sub_account_read_decodes_the_docs_flat_example() {
    let server = mounted(exact(
        "GET",
        &format!("/agent-api/user/{USER}/subset_users/{SUB}/edit"),
        raw(
            200,
            r#"{ "code": 200, "status": "success", "message": "查看子账户信息成功",
  "data": { "id": "91f9254f-ca58-49af-be34-8370d7549d73", "name": "子账户1", "phone": "123456789",
            "email": "123456789@qq.com", "sex": 0, "alias": "账户1", "duty": "员工", "landline_phone": null,
            "qq": null, "wechat": null, "birthday": "2022-07-13",
            "created_at": "2022-07-13 17:12:37", "updated_at": "2022-07-13 17:58:42" } }"#,
        ),
    )).await;
    let account = client(&server.uri())
        .sub_account(&user(), &sub())
        .await
        .unwrap();
    assert_eq!(account.id, sub());
    assert_eq!(account.name.as_deref(), Some("子账户1"));
    assert_eq!(account.phone.as_deref(), Some("123456789"));
    assert_eq!(account.sex, Some(Sex::Unknown));
    assert_eq!(account.alias.as_deref(), Some("账户1"));
    assert_eq!(account.duty.as_deref(), Some("员工"));
    assert_eq!(account.landline_phone, None);
    assert_eq!(account.birthday, NaiveDate::from_ymd_opt(2022, 7, 13));
    assert_eq!(
        account.updated_at.unwrap().to_string(),
        "2022-07-13 17:58:42"
    );
    assert!(account.extra.is_empty());
}

#[tokio::test]
async fn sub_account_delete_is_a_delete_sent_once() {
    let server = mounted(exact(
        "DELETE",
        &format!("/agent-api/user/{USER}/subset_users/{SUB}"),
        ack("删除成功"),
    ))
    .await;
    let ack = client(&server.uri())
        .delete_sub_account(&user(), &sub())
        .await
        .unwrap();
    assert_eq!(ack.message, "删除成功");

    let server = FaultServer::start(vec![Fault::DropAfterRequest, Fault::json("{}")]).await;
    let err = client(&server.url())
        .delete_sub_account(&user(), &sub())
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(server.requests(), 1);
}

// ----- identifiers and malformed answers ------------------------------------------------

#[test]
fn hostile_ids_cannot_be_made() {
    for bad in [
        "",
        "../admin",
        "a/b",
        "%2e%2e",
        "5433b412-07d5-44e6-9fa4-deb65e43bc93/x",
    ] {
        assert!(bad.parse::<UserId>().is_err(), "{bad:?}");
        assert!(SubUserId::try_from(bad).is_err(), "{bad:?}");
    }
}

#[tokio::test]
async fn malformed_answers_are_clean_errors() {
    for (status, body) in [
        (200, "<html><body>502 Bad Gateway</body></html>"),
        (200, ""),
        (200, r#"{"status":"success","data":[]}"#),
        (
            200,
            r#"{"code":200,"status":"success","message":"x","data":{"id":"../x"}}"#,
        ),
        (
            200,
            r#"{"code":200,"status":"success","message":"x","data":null}"#,
        ),
        (
            200,
            r#"{"code":200,"status":"success","message":"x","data":[{"id":1}]}"#,
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(raw(status, body))
            .mount(&server)
            .await;
        let c = client(&server.uri());
        let err = c.sub_account(&user(), &sub()).await.unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        let err = c
            .recharge_history(&user(), &RechargeHistoryQuery::new())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
    }
}

#[tokio::test]
async fn an_error_envelope_with_a_4xx_status_is_still_the_api_error() {
    let server = mounted(Mock::given(method("GET")).respond_with(raw(
        401,
        r#"{"code":401,"status":"error","message":"token 无效","data":[]}"#,
    )))
    .await;
    let err = client(&server.uri()).token_info().await.unwrap_err();
    assert_eq!(err.api_code(), Some("401"));
    assert_eq!(Code::of(&err), Some(Code::Unknown("401".into())));
    assert_eq!(sent(&server).await.len(), 1);
}

#[tokio::test]
async fn the_token_never_shows_in_errors_or_debug() {
    let server = mounted(Mock::given(method("GET")).respond_with(raw(
        200,
        r#"{"code":401,"status":"error","message":"bad token test-token","data":[]}"#,
    )))
    .await;
    let c = client(&server.uri());
    let err = c.token_info().await.unwrap_err();
    let shown = format!("{err} {err:?} {c:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    let account = NewSubAccount::new("n", "a@b.c", "1", "SENTINEL-PASSWORD");
    assert!(!format!("{account:?}").contains("SENTINEL"));
}
