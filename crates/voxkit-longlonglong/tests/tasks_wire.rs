//! Wire tests of 呼叫任务 2.0 and the old task API, built from the documentation's request
//! examples and the mirrors' answers: what goes out (method, path, query, body) and what is
//! decoded; the non-repeatable ones (create, copy, old pause, delete) sent once when the
//! answer is lost.

mod common;

use chrono::{NaiveDateTime, NaiveTime};
use serde_json::json;
use voxkit_longlonglong::{
    Error, NewTask, NumberStatus, Redial, ScriptWindow, TaskLine, TaskQuery, TaskQueryV1,
    TaskState, TaskStatusFilter, TaskStatusV1, TaskType, TaskUpdate, TaskUpdateV1, UserId,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{
    assert_query_has, assert_unknown_after_one_request, assert_unreconcilable, ok, raw, sent,
    serving, wire_client,
};

const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
const TASK: &str = "e5cb8746-411d-4d6d-a1fa-0fe030f00fad";
const LINE: &str = "29c39ec4-5a7e-4f0b-9d0e-1b2c3d4e5f60";

fn user() -> UserId {
    USER.parse().unwrap()
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn hm(s: &str) -> NaiveTime {
    NaiveTime::parse_from_str(s, "%H:%M").unwrap()
}

/// The docs' 任务创建 example, field by field.
fn docs_task() -> NewTask {
    NewTask::new(
        "测试",
        123,
        2,
        at("2024-12-23 19:00:00"),
        at("2024-12-31 19:00:00"),
    )
    .dial_time_id(1)
    .background_id(1)
    .group_switch(2)
    .line(TaskLine::new(LINE.parse().unwrap(), 2))
    .script_window(ScriptWindow::new(hm("09:00"), hm("12:00"), 123))
    .redial(Redial::new(10, 2).when([
        NumberStatus::Blocked,
        NumberStatus::Rejected,
        NumberStatus::NoAnswer,
        NumberStatus::PoweredOff,
        NumberStatus::Busy,
        NumberStatus::IncomingRestricted,
        NumberStatus::UserBlocked,
    ]))
    .task_type(TaskType::NewV2)
}

#[tokio::test]
async fn create_task_posts_the_docs_example_and_keeps_the_raw_answer() {
    let route = format!("/agent-api/new/user/{USER}/task");
    let (server, client) = serving("POST", &route, ok(json!({"uuid": TASK}))).await;
    let created = client.create_task(&user(), &docs_task()).await.unwrap();
    assert_eq!(created.data["uuid"], TASK);
    let requests = sent(&server).await;
    assert_eq!(requests.len(), 1);
    let body = common::body(&requests[0]);
    assert_eq!(body["name"], "测试");
    assert_eq!(body["destination_extension"], 123);
    assert_eq!(body["maximumcall"], 2);
    assert_eq!(body["is_group_switch"], 2);
    assert_eq!(body["task_type"], 7);
    let extras = &body["task_extras"];
    assert_eq!(extras["start_time"], "2024-12-23 19:00:00");
    assert_eq!(extras["line"], json!([{"id": LINE, "limit": 2}]));
    assert_eq!(extras["redial_enabled"], true);
    assert_eq!(
        extras["redial_conditions"],
        json!({"da_status": [2, 3, 4, 6, 8, 9, 12]})
    );
}

#[tokio::test]
async fn create_task_whose_answer_is_lost_is_sent_once() {
    let route = format!("/agent-api/new/user/{USER}/task");
    let (server, client) = serving("POST", &route, ResponseTemplate::new(502)).await;
    let err = client.create_task(&user(), &docs_task()).await.unwrap_err();
    assert_unknown_after_one_request(&err, &server).await;
}

#[tokio::test]
async fn a_task_without_a_line_or_with_stop_before_start_is_refused_unsent() {
    let server = MockServer::start().await;
    let client = wire_client(&server.uri());
    let backwards = NewTask::new(
        "x",
        1,
        1,
        at("2025-01-02 00:00:00"),
        at("2025-01-01 00:00:00"),
    );
    let err = client.create_task(&user(), &backwards).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(sent(&server).await.is_empty());
}

#[tokio::test]
async fn the_task_list_sends_its_filters_and_decodes_the_mirror_example() {
    let route = format!("/agent-api/new/user/{USER}/task");
    let body = r#"{"code":200,"status":"success","message":"返回任务列表信息成功",
        "meta":{"has_pages":true,"total":31,"last_page":31,"current_page":1,"per_page":"1"},
        "data":[{"uuid":"e5cb8746-411d-4d6d-a1fa-0fe030f00fad","name":"测试api接口创建-222",
        "create_datetime":"2024-12-04 11:17:34","alter_datetime":"2024-12-04 11:17:37",
        "start":0,"enable":false,"maximumcall":1,"call_per_second":10,"dial_time_id":5,
        "destination_extension":"102","remark":null,"sort":33,
        "user_id":"b6d94bef-5ac2-4c6e-ba13-d2f8f124862b","auto_recycle_rule_id":null}]}"#;
    let (server, client) = serving("GET", &route, raw(200, body)).await;
    let query = TaskQuery::new()
        .page(1)
        .per_page(1)
        .name("测试")
        .status(TaskStatusFilter::Paused)
        .task_type(TaskType::NewV2);
    let page = client.tasks(&user(), &query).await.unwrap();
    assert_eq!(page.meta.unwrap().total, 31);
    let task = &page.items[0];
    assert_eq!(task.uuid.as_str(), TASK);
    assert_eq!(task.destination_extension.as_deref(), Some("102"));
    assert_eq!(task.enable, Some(false));
    assert_eq!(task.extra["sort"], 33, "undocumented fields are kept");
    assert_query_has(
        &sent(&server).await[0],
        &[
            ("page", "1"),
            ("per_page", "1"),
            ("name", "测试"),
            ("status", "1"),
            ("task_type", "7"),
        ],
    );
}

#[tokio::test]
async fn several_statuses_go_out_as_a_bracket_array_on_the_subset_list() {
    let route = format!("/agent-api/new/user/{USER}/subset_task");
    let (server, client) = serving("GET", &route, ok(json!([]))).await;
    let query = TaskQuery::new()
        .status(TaskStatusFilter::Paused)
        .status(TaskStatusFilter::Active);
    client.subset_tasks(&user(), &query).await.unwrap();
    let url = sent(&server).await[0].url.to_string();
    assert!(url.contains("status[]=1&status[]=3"), "{url}");
}

#[tokio::test]
async fn the_task_read_decodes_the_mirror_example_and_its_state() {
    let route = format!("/agent-api/new/user/{USER}/task/{TASK}/edit");
    let body = r#"{"code":200,"status":"success","message":"返回任务信息成功","data":{
        "maximumcall":1,"name":"测试api接口创建-测试站-2","destination_extension":"480",
        "dial_time_id":223,"end_action":1,"llm_intention_id":0,
        "new_task_extra":{"enable":true,"line":["ece66f74"],"limit":1,"cps":1,
          "holiday":[{"start":"2024-11-01 13:25","end":"2024-11-03 13:25"}],
          "work_hour":[{"wday":"-1","begin":"02:30","end":"07:00"}],
          "call_status":true,"number_count":0,"call_info":[]},
        "status":3,"call_status":true,"status_str":"等待执行",
        "task_extras":{"work_hour":[{"end":"07:00","wday":1,"begin":"02:30"}]}}}"#;
    let (_server, client) = serving("GET", &route, raw(200, body)).await;
    let detail = client
        .task(&user(), &TASK.parse().unwrap(), None)
        .await
        .unwrap();
    assert_eq!(detail.status, Some(3));
    assert_eq!(detail.status_str.as_deref(), Some("等待执行"));
    assert_eq!(detail.destination_extension.as_deref(), Some("480"));
    assert_eq!(detail.state(), Some(TaskState::Dialing));
    assert_eq!(detail.new_task_extra.unwrap().number_count, Some(0));
}

#[tokio::test]
async fn task_init_decodes_the_mirror_example() {
    let route = format!("/agent-api/new/user/{USER}/task/create");
    let body = r#"{"code":200,"status":"success","message":"返回任务初始化信息成功","data":{
        "task_dial_times":[{"id":1,"name":"系统呼叫时间","user_id":"b6d94bef",
          "content":[{"week":0,"times":[{"end_time":"12:00","begin_time":"09:00"}]}],
          "is_default":true,"remark":null,"created_at":"2024-06-16 14:57:12"}],
        "caller_line_list":[{"name":null,"remark":"yw代理-测试主账户1","line_id":"29c39ec4","belong_user":"b0e353f1"}]}}"#;
    let (server, client) = serving("GET", &route, raw(200, body)).await;
    let sub = "91f9254f-ca58-49af-be34-8370d7549d73".parse().unwrap();
    let init = client.task_init(&user(), Some(&sub)).await.unwrap();
    assert_eq!(init.task_dial_times[0].id, 1);
    assert_eq!(init.task_dial_times[0].is_default, Some(true));
    assert_eq!(init.caller_line_list[0].line_id, "29c39ec4");
    let url = sent(&server).await[0].url.to_string();
    assert!(
        url.ends_with("?sub_user_id=91f9254f-ca58-49af-be34-8370d7549d73"),
        "{url}"
    );
}

#[tokio::test]
async fn modify_puts_the_group_switch_example() {
    let route = format!("/agent-api/new/user/{USER}/task/{TASK}");
    let (server, client) = serving("PUT", &route, ok(json!([]))).await;
    let update = TaskUpdate::new(docs_task().group_switch(1))
        .group_type("group")
        .switch_rule(voxkit_longlonglong::GroupSwitchRule::new(
            hm("09:00"),
            hm("12:00"),
            13037,
            123,
        ));
    client
        .modify_task(&user(), &TASK.parse().unwrap(), &update)
        .await
        .unwrap();
    let body = common::body(&sent(&server).await[0]);
    assert_eq!(body["group_type"], "group");
    assert_eq!(body["is_group_switch"], 1);
    assert_eq!(
        body["group_switch_rule"],
        json!([{"switch_start":"09:00","switch_end":"12:00","group_id":13037,"default_group_id":123}])
    );
}

#[tokio::test]
async fn the_2_0_pause_is_a_put_retried_and_the_copy_a_get_sent_once() {
    let pause = format!("/agent-api/new/user/{USER}/task_stop/{TASK}");
    let (server, client) = serving("PUT", &pause, ResponseTemplate::new(503)).await;
    let task = TASK.parse().unwrap();
    assert!(client.pause_task(&user(), &task, None).await.is_err());
    assert_eq!(sent(&server).await.len(), 3, "repeatable: retried");

    let copy = format!("/agent-api/new/user/{USER}/copy/task/{TASK}");
    let (server, client) = serving("GET", &copy, ResponseTemplate::new(503)).await;
    let err = client.copy_task(&user(), &task, None).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(
        sent(&server).await.len(),
        1,
        "a GET that creates: sent once"
    );
    let outcome = client.copy_task_exactly_once(&user(), &task).await.unwrap();
    assert_unreconcilable(&outcome);
    assert_eq!(sent(&server).await.len(), 2, "once more, never re-sent");
}

#[tokio::test]
#[allow(deprecated)]
async fn the_old_api_lists_reads_and_modifies_with_the_docs_values() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ok(json!([])))
        .mount(&server)
        .await;
    let client = wire_client(&server.uri());
    let task = TASK.parse().unwrap();
    let query = TaskQueryV1::new()
        .status(TaskStatusV1::Running)
        .status(TaskStatusV1::Waiting);
    client.tasks_v1(&user(), &query).await.unwrap();
    client
        .all_tasks_v1(&user(), &TaskQueryV1::new().name("x"))
        .await
        .unwrap();
    client.task_v1(&user(), &task, None).await.unwrap();
    let update = TaskUpdateV1::new(
        "API任务创建测试",
        "f352fd9d-0000-4000-8000-000000000000",
        3,
        1,
        3,
    )
    .remark("API-test")
    .end_action(1);
    client
        .modify_task_v1(&user(), &task, &update)
        .await
        .unwrap();
    client.delete_task(&user(), &task, None).await.unwrap();
    let requests = sent(&server).await;
    let seen: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        seen,
        [
            format!("GET /agent-api/user/{USER}/task"),
            format!("GET /agent-api/user/{USER}/all_task"),
            format!("GET /agent-api/user/{USER}/task/{TASK}/edit"),
            format!("PUT /agent-api/user/{USER}/task/{TASK}"),
            format!("DELETE /agent-api/user/{USER}/task/{TASK}"),
        ]
    );
    assert!(
        requests[0]
            .url
            .to_string()
            .ends_with("status[]=2&status[]=3")
    );
    let body = common::body(&requests[3]);
    assert_eq!(
        body,
        json!({"name":"API任务创建测试","destination_extension":3,"dial_time_id":1,"maximumcall":3,
               "caller_line_id":"f352fd9d-0000-4000-8000-000000000000","remark":"API-test","end_action":1})
    );
}

#[tokio::test]
#[allow(deprecated)]
async fn the_old_pause_is_a_get_sent_once_when_its_answer_is_lost() {
    let route = format!("/agent-api/user/{USER}/task_stop/{TASK}");
    let (server, client) = serving("GET", &route, ResponseTemplate::new(502)).await;
    let err = client
        .pause_task_v1(&user(), &TASK.parse().unwrap(), None)
        .await
        .unwrap_err();
    assert_unknown_after_one_request(&err, &server).await;
}
