//! Wire tests of 客户公海 (the CRM pool): the filters as bracket queries, the import body
//! with its 200-row limit, the DELETE and the GET that carry JSON bodies, and the two
//! non-repeatable calls never re-sent after a lost answer.

mod common;

use chrono::NaiveDate;
use serde_json::{Value, json};
use voxkit_core::Error;
use voxkit_longlonglong::{
    Carrier, CustomerDeletion, CustomerFilter, CustomerStage, NewCustomer, TaskId, UserId,
};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{assert_unreconcilable, mounted, raw, sent, wire_client as client};

const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
const TASK: &str = "289b4a84-6d3c-4a4e-9f3a-2c1d0e5b7a61";
const OK: &str = r#"{"code":200,"status":"success","message":"ok","data":[]}"#;

fn user() -> UserId {
    USER.parse().unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A server expecting `verb route` with exactly this JSON body, once, answering [`OK`].
async fn expecting_body(verb: &str, route: &str, body: Value) -> MockServer {
    mounted(
        Mock::given(method(verb))
            .and(path(route))
            .and(body_json(body))
            .respond_with(raw(200, OK))
            .expect(1),
    )
    .await
}

async fn answering(verb: &str, route: &str, body: &str) -> MockServer {
    mounted(
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(raw(200, body)),
    )
    .await
}

#[tokio::test]
async fn the_pool_filter_is_a_bracket_query_and_its_page_is_kept_raw() {
    let route = format!("/agent-api/user/{USER}/get_customer");
    let body = r#"{"code":200,"status":"success","message":"ok","meta":{"has_pages":false,"total":1,"last_page":1,"current_page":1,"per_page":"15"},"data":[{"phone":"13012121212"}]}"#;
    let server = answering("GET", &route, body).await;
    let filter = CustomerFilter::new()
        .component("280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2", "腾讯")
        .phone("13012121212")
        .created_between(day(2023, 5, 8), day(2023, 5, 28))
        .operator(Carrier::Telecom);
    let page = client(&server.uri())
        .customers(&user(), &filter)
        .await
        .unwrap();
    assert_eq!(page.items()[0]["phone"], "13012121212");
    assert_eq!(page.meta.unwrap().total, 1);
    let sent = sent(&server).await;
    let pairs: Vec<String> = sent[0]
        .url
        .query_pairs()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    assert_eq!(
        pairs,
        [
            "page=1",
            "components[0][id]=280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2",
            "components[0][value]=腾讯",
            "phone=13012121212",
            "created_at[]=2023-05-08",
            "created_at[]=2023-05-28",
            "operator[]=1",
            "encryption=false",
        ]
    );
}

#[tokio::test]
async fn the_stage_filter_puts_the_stage_in_the_path_and_takes_its_own_fields() {
    let route = format!("/agent-api/user/{USER}/type/clue/get_customer");
    let server = answering("GET", &route, OK).await;
    let filter = CustomerFilter::new().is_follow(true).ai_call(false);
    client(&server.uri())
        .stage_customers(&user(), CustomerStage::Clue, &filter)
        .await
        .unwrap();
    let sent = sent(&server).await;
    assert_eq!(
        sent[0].url.query(),
        Some("page=1&is_follow=1&ai_call=0&encryption=false")
    );
    let c = client(&server.uri());
    let err = c.customers(&user(), &filter).await.unwrap_err();
    assert!(err.nothing_sent(), "{err}");
}

#[tokio::test]
async fn the_import_sends_the_documented_body_once_and_checks_200_rows() {
    let route = format!("/agent-api/user/{USER}/async_customer");
    let body = json!({
        "data": [{"name": "张三", "phone": "13012121212", "company": "腾讯",
                  "components": [{"id": "280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2", "value": "腾讯"}]}],
        "encryption": false
    });
    let server = expecting_body("POST", &route, body).await;
    let row = NewCustomer::new("13012121212")
        .name("张三")
        .company("腾讯")
        .component("280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2", "腾讯");
    let c = client(&server.uri());
    c.import_customers(&user(), &[row], None).await.unwrap();
    let rows: Vec<NewCustomer> = (0..201)
        .map(|i| NewCustomer::new(format!("130{i:08}")))
        .collect();
    let twice = [rows[0].clone(), rows[0].clone()];
    for bad in [&rows[..], &[], &[NewCustomer::new("13x")], &twice[..]] {
        let err = c.import_customers(&user(), bad, None).await.unwrap_err();
        assert!(err.nothing_sent(), "{err}");
    }
}

#[tokio::test]
async fn a_lost_import_is_not_resent_and_is_undetermined() {
    let server =
        mounted(Mock::given(method("POST")).respond_with(ResponseTemplate::new(502))).await;
    let c = client(&server.uri());
    let rows = [NewCustomer::new("13012121212")];
    let err = c.import_customers(&user(), &rows, None).await.unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    let outcome = c
        .import_customers_exactly_once(&user(), &rows, None)
        .await
        .unwrap();
    assert_unreconcilable(&outcome);
    assert_eq!(sent(&server).await.len(), 2, "one send each");
}

#[tokio::test]
async fn the_delete_carries_a_json_body_and_refuses_an_empty_one() {
    let route = format!("/agent-api/user/{USER}/del_customer");
    let body = json!({
        "phone": ["13012121212"], "created_at": ["2023-05-08", "2023-05-28"], "encryption": false
    });
    let server = expecting_body("DELETE", &route, body).await;
    let c = client(&server.uri());
    let deletion = CustomerDeletion::phones(["13012121212"])
        .created_between(day(2023, 5, 8), day(2023, 5, 28));
    c.delete_customers(&user(), &deletion).await.unwrap();
    let many: Vec<String> = (0..101).map(|i| format!("130{i:08}")).collect();
    for bad in [CustomerDeletion::default(), CustomerDeletion::phones(many)] {
        let err = c.delete_customers(&user(), &bad).await.unwrap_err();
        assert!(err.nothing_sent(), "{err}");
    }
}

#[tokio::test]
async fn the_move_into_a_task_is_a_get_with_the_docs_json_body_sent_once() {
    let route = format!("/agent-api/user/{USER}/customer_to_task/{TASK}");
    let body = json!({
        "components": [{"id": "280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2", "value": "腾讯"}],
        "phone": "13012121212", "created_at": ["2023-05-08", "2023-05-28"],
        "operator": [1], "encryption": false
    });
    let server = expecting_body("GET", &route, body).await;
    let task: TaskId = TASK.parse().unwrap();
    let filter = CustomerFilter::new()
        .component("280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2", "腾讯")
        .phone("13012121212")
        .created_between(day(2023, 5, 8), day(2023, 5, 28))
        .operator(Carrier::Telecom);
    client(&server.uri())
        .customers_to_task(&user(), &task, &filter)
        .await
        .unwrap();

    // A state change over GET: a lost answer is not re-sent.
    let lost = mounted(Mock::given(method("GET")).respond_with(ResponseTemplate::new(502))).await;
    let err = client(&lost.uri())
        .customers_to_task(&user(), &task, &filter)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OutcomeUnknown { .. }), "{err:?}");
    assert_eq!(sent(&lost).await.len(), 1);
}

#[tokio::test]
async fn the_components_read_is_retried_and_kept_raw() {
    let server = common::a_503_then(
        "GET",
        raw(
            200,
            r#"{"code":200,"status":"success","message":"ok","data":{"components":[{"id":"c1"}]}}"#,
        ),
    )
    .await;
    let got = client(&server.uri())
        .customer_components(&user())
        .await
        .unwrap();
    assert_eq!(got.data["components"][0]["id"], "c1");
    let sent = sent(&server).await;
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[1].url.path(),
        format!("/agent-api/user/{USER}/customer/create")
    );
}
