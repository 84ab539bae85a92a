//! Wire tests of 号码 (a task's numbers), built from the documentation's request examples:
//! the list's query, the imports' bodies and limits (<= 100 sync, <= 200 async, checked
//! before sending), the delete's JSON body on a `DELETE` and its documented `6007`, the
//! reset's example body; the non-repeatable ones sent once when the answer is lost.

mod common;

use chrono::NaiveDateTime;
use serde_json::json;
use voxkit_longlonglong::{
    Client, Code, Error, NumberDeletion, NumberImport, NumberQuery, NumberReset, NumberRow,
    NumberStatus, Sex, TaskId, UserId,
};
use wiremock::{MockServer, ResponseTemplate};

use common::{
    assert_query_has, assert_unknown_after_one_request, assert_unreconcilable, body, ok, raw, sent,
    wire_client,
};

const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
const TASK: &str = "289b4a84-6d3c-4a4e-9f3a-2c1d0e5b7a61";

fn ids() -> (UserId, TaskId) {
    (USER.parse().unwrap(), TASK.parse().unwrap())
}

/// A server answering `verb` on the docs task's route ending in `tail`, and a client of it.
async fn serving(verb: &str, tail: &str, answer: ResponseTemplate) -> (MockServer, Client) {
    let route = format!("/agent-api/user/{USER}/task/{TASK}/{tail}");
    common::serving(verb, &route, answer).await
}

#[tokio::test]
async fn the_number_list_sends_page_1_and_its_filters_and_keeps_rows_raw() {
    let (server, client) = serving(
        "GET",
        "number",
        ok(json!([{"phone": "18361201206", "status": 2}])),
    )
    .await;
    let (user, task) = ids();
    let start = NaiveDateTime::parse_from_str("2025-12-03 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
    let query = NumberQuery::new()
        .status(NumberStatus::Blocked)
        .created_between(start, start + chrono::Duration::days(1))
        .encryption(false);
    let page = client.numbers(&user, &task, &query).await.unwrap();
    assert_eq!(page.items[0]["phone"], "18361201206");
    assert_query_has(
        &sent(&server).await[0],
        &[
            ("page", "1"),
            ("status[]", "2"),
            ("start_at", "2025-12-03 00:00:00"),
            ("end_at", "2025-12-04 00:00:00"),
            ("encryption", "false"),
        ],
    );
}

#[tokio::test]
async fn the_sync_import_posts_its_rows_and_is_sent_once_when_lost() {
    let (server, client) = serving("POST", "number", ok(json!([]))).await;
    let (user, task) = ids();
    let import = NumberImport::new(vec![
        NumberRow::new("18361201206")
            .name("张三")
            .email("a@b.c")
            .company("公司")
            .sex(Sex::Male),
    ])
    .ignore_crm(true)
    .skip_error(false)
    .number_add_suffix(false);
    client.add_numbers(&user, &task, &import).await.unwrap();
    assert_eq!(
        body(&sent(&server).await[0]),
        json!({"ignore_crm": true, "skip_error": false, "number_add_suffix": false,
               "data": [{"name": "张三", "phone": "18361201206", "email": "a@b.c",
                         "company": "公司", "sex": 1}]})
    );

    let (server, client) = serving("POST", "number", ResponseTemplate::new(502)).await;
    let err = client.add_numbers(&user, &task, &import).await.unwrap_err();
    assert_unknown_after_one_request(&err, &server).await;
}

#[tokio::test]
async fn imports_over_the_documented_limits_are_refused_unsent() {
    let server = MockServer::start().await;
    let client = wire_client(&server.uri());
    let (user, task) = ids();
    let rows = |n: usize| -> Vec<NumberRow> {
        (0..n)
            .map(|i| NumberRow::new(format!("1380000{i:04}")))
            .collect()
    };
    let err = client
        .add_numbers(&user, &task, &NumberImport::new(rows(101)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    let err = client
        .add_numbers_async(&user, &task, &NumberImport::new(rows(201)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(sent(&server).await.is_empty());
}

#[tokio::test]
async fn the_async_import_posts_up_to_200_rows_with_extra_and_robot() {
    let (server, client) =
        serving("POST", "async_number", ok(json!({"unique_id": "5e7d2764"}))).await;
    let (user, task) = ids();
    let mut rows: Vec<NumberRow> = (0..199)
        .map(|i| NumberRow::new(format!("1390000{i:04}")))
        .collect();
    rows.push(
        NumberRow::new("18361201208")
            .extra("crm-17")
            .control_select_robot("男")
            .component(json!({"id": 1, "value": "x"})),
    );
    let answer = client
        .add_numbers_async(&user, &task, &NumberImport::new(rows))
        .await
        .unwrap();
    assert_eq!(answer.data["unique_id"], "5e7d2764");
    let sent_body = body(&sent(&server).await[0]);
    assert_eq!(sent_body["data"].as_array().unwrap().len(), 200);
    assert_eq!(
        sent_body["data"][199],
        json!({"phone": "18361201208", "components": [{"id": 1, "value": "x"}],
               "extra": "crm-17", "control_select_robot": "男"})
    );
}

#[tokio::test]
async fn delete_sends_a_json_body_on_delete_and_6007_is_the_typed_refusal() {
    let body_6007 =
        r#"{"code":6007,"status":"error","message":"2.0任务启动中,请先停止任务","data":[]}"#;
    let (server, client) = serving("DELETE", "number-batch-delete", raw(200, body_6007)).await;
    let (user, task) = ids();
    let deletion = NumberDeletion::new(["18361201206", "18361201208"]);
    let err = client
        .delete_numbers(&user, &task, &deletion)
        .await
        .unwrap_err();
    assert_eq!(Code::of(&err), Some(Code::TaskRunning), "{err:?}");
    assert!(!err.outcome_unknown());
    let requests = sent(&server).await;
    assert_eq!(requests.len(), 1, "a refusal is not retried");
    assert_eq!(
        body(&requests[0]),
        json!({"customer_info_list": [{"phone": "18361201206"}, {"phone": "18361201208"}]})
    );
    let twice = NumberDeletion::new(["1", "1"]);
    assert!(client.delete_numbers(&user, &task, &twice).await.is_err());
    assert_eq!(sent(&server).await.len(), 1, "refused before sending");
}

#[tokio::test]
async fn reset_puts_the_docs_example_and_is_sent_once_when_lost() {
    let (server, client) = serving("PUT", "number-batch-reset", ok(json!([]))).await;
    let (user, task) = ids();
    let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    let reset = NumberReset::new()
        .keyword("13934373090")
        .phones(["13934373090"])
        .created_between(at("2020-07-28 10:00:00"), at("2020-07-28 23:59:59"))
        .status([NumberStatus::Waiting, NumberStatus::Blocked]);
    client.reset_numbers(&user, &task, &reset).await.unwrap();
    assert_eq!(
        body(&sent(&server).await[0]),
        json!({"keyword":"13934373090","phones":["13934373090"],"start_at":"2020-07-28 10:00:00",
               "end_at":"2020-07-28 23:59:59","status":[0,2]})
    );
    let (server, client) = serving("PUT", "number-batch-reset", ResponseTemplate::new(502)).await;
    let outcome = client
        .reset_numbers_exactly_once(&user, &task, &reset)
        .await
        .unwrap();
    assert_unreconcilable(&outcome);
    assert_eq!(sent(&server).await.len(), 1, "never re-sent");
    let err = client
        .reset_numbers(&user, &task, &NumberReset::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { .. }),
        "a reset of everything"
    );
}
