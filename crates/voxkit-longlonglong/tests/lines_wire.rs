//! Wire tests of H17's groups (issue 16: VOS 1.5/1.6, lines 1.9–1.12, scripts 3, dial-time
//! groups 8, privacy 10, callback data 11.1, `account_info`'s balance), built from the
//! documentation's request examples: method, path, query, headers and JSON body exactly;
//! bad input refused with nothing sent; the lost answer of a non-repeatable call is an
//! unknown outcome after one request, and its exactly-once call settles it.

mod common;

use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde_json::json;
use voxkit_core::fault::{Fault, FaultServer};
use voxkit_core::{ExactlyOnceOutcome, ReconcileWait};
use voxkit_longlonglong::{
    AllocationId, BatchId, DaySchedule, DialTimeGroup, LineAllocation, LineId, LineQuery,
    NewDialTimeGroup, ScriptGroupId, SecuritySetting, SecuritySettings, TenantId, TimeSpan, UserId,
    VosCdrQuery, VosScope,
};
use wiremock::matchers::{body_json, query_param};
use wiremock::{MockServer, ResponseTemplate};

use common::{assert_applied, given, ok, wire_client as client};

const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
const TENANT: &str = "2533f3f6-7ac1-4b55-b1de-7d308ce00d89";
const LINE: &str = "29c39ec4-5a7e-4f0b-9d0e-1b2c3d4e5f60";

const FAST: ReconcileWait = ReconcileWait {
    tries: 3,
    first_backoff: Duration::from_millis(1),
    max_backoff: Duration::from_millis(5),
    not_applied_looks: 2,
};

fn user() -> UserId {
    USER.parse().unwrap()
}

fn tenant() -> TenantId {
    TENANT.parse().unwrap()
}

async fn sent(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn vos_overview_and_cdrs_send_the_documented_queries_and_keep_raw_data() {
    let server = MockServer::start().await;
    given("GET", &format!("/agent-api/vos_bill/{USER}"))
        .and(query_param("all", "true"))
        .respond_with(ok(json!([{"vos": 1}])))
        .expect(1)
        .mount(&server)
        .await;
    given("GET", &format!("/agent-api/vos/{USER}/get_call_record"))
        .and(query_param("time", "2022-12-01"))
        .and(query_param("phone", "13012121212"))
        .and(query_param("callee_phone", "18555525545"))
        .and(query_param("vos_account_id", "3"))
        .respond_with(ok(json!({"list": []})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let overview = c.vos_overview(&user(), VosScope::All).await.unwrap();
    assert_eq!(overview.data, json!([{"vos": 1}]));
    let q = VosCdrQuery::new()
        .day(NaiveDate::from_ymd_opt(2022, 12, 1).unwrap())
        .phone("13012121212")
        .callee("18555525545")
        .vos_account_id(3);
    assert_eq!(
        c.vos_cdrs(&user(), &q).await.unwrap().data,
        json!({"list": []})
    );
    for bad in [
        VosCdrQuery::new().phone("1301-2"),
        VosCdrQuery::new().vos_account_id(0),
    ] {
        assert!(c.vos_cdrs(&user(), &bad).await.is_err());
    }
    assert_eq!(sent(&server).await, 2, "bad input is not sent");
}

#[tokio::test]
async fn the_line_list_sends_the_node_paging_and_user_and_reads_allocation_ids() {
    let server = MockServer::start().await;
    given("GET", "/agent-api/new_line_list")
        .and(query_param("id", TENANT))
        .and(query_param("page", "1"))
        .and(query_param("per_page", "15"))
        .and(query_param("user_id", USER))
        .respond_with(ok(json!([{"line_allocation": {"id": 11}}])))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let q = LineQuery::new(tenant()).page(1).per_page(15).user(user());
    let page = c.lines(&q).await.unwrap();
    assert_eq!(page.allocation_ids(), [11]);
    assert_eq!(page.items().unwrap().len(), 1);
    assert!(c.lines(&LineQuery::new(tenant()).page(0)).await.is_err());
    assert_eq!(sent(&server).await, 1);
}

#[tokio::test]
async fn allocate_unbind_and_bind_send_the_docs_examples() {
    let server = MockServer::start().await;
    given("POST", &format!("/agent-api/new/user/{USER}/line/{LINE}"))
        .and(body_json(
            json!({"line_concurrency": 2, "deadline_at": "2025-11-28 00:00:00", "price": 0.1}),
        ))
        .respond_with(ok(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    given("DELETE", &format!("/agent-api/new/user/{USER}/line/11"))
        .respond_with(ok(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    given(
        "PUT",
        &format!("/agent-api/new/user/{USER}/line_bind_group"),
    )
    .and(body_json(json!({"id": 11, "group_ids": [1, 2]})))
    .respond_with(ok(json!([])))
    .expect(1)
    .mount(&server)
    .await;
    let c = client(&server.uri());
    let deadline = NaiveDate::from_ymd_opt(2025, 11, 28)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let allocation = LineAllocation::new(2, deadline, Decimal::new(1, 1)).unwrap();
    let line: LineId = LINE.parse().unwrap();
    c.allocate_line(&user(), &line, &allocation).await.unwrap();
    let id = AllocationId::new(11).unwrap();
    c.unbind_line(&user(), id).await.unwrap();
    let groups = [
        ScriptGroupId::new(1).unwrap(),
        ScriptGroupId::new(2).unwrap(),
    ];
    c.bind_line_scripts(&user(), id, &groups).await.unwrap();
    assert!(c.bind_line_scripts(&user(), id, &[]).await.is_err());
    assert!(
        c.bind_line_scripts(&user(), id, &[groups[0], groups[0]])
            .await
            .is_err()
    );
    assert_eq!(sent(&server).await, 3);
}

#[tokio::test]
async fn scripts_dial_times_privacy_and_callback_data_send_the_docs_requests() {
    let server = MockServer::start().await;
    given("GET", &format!("/agent-api/group/{USER}"))
        .and(query_param("page", "1"))
        .and(query_param("per_page", "15"))
        .respond_with(ok(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    given("GET", &format!("/agent-api/agent_group/tenant/{TENANT}"))
        .respond_with(ok(json!({"groups": []})))
        .expect(1)
        .mount(&server)
        .await;
    given("GET", &format!("/agent-api/user/{USER}/dial-time-group"))
        .and(query_param("page", "1"))
        .respond_with(ok(
            json!([{"id": 1, "name": "系统呼叫时间", "content": [], "is_default": true}]),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
    let noon = NaiveTime::from_hms_opt(12, 0, 0).unwrap();
    given("POST", &format!("/agent-api/user/{USER}/dial-time-group"))
        .and(body_json(json!({"name": "工作日", "content": [{"week": 1, "times": [{"begin_time": "09:00", "end_time": "12:00"}]}],
                              "is_default": false, "skip_holiday": true})))
        .respond_with(ok(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    given(
        "POST",
        &format!("/agent-api/user/{USER}/settings/save_security"),
    )
    .and(body_json(
        json!({"data": [{"slug": "disable_crm_phone", "extra": {"style": 1}}], "code": "123456"}),
    ))
    .respond_with(ok(json!([])))
    .expect(1)
    .mount(&server)
    .await;
    given(
        "GET",
        &format!("/agent-api/user/{USER}/identification/5e7d2764-aa"),
    )
    .respond_with(ok(json!({"numbers": ["13012121212"]})))
    .expect(1)
    .mount(&server)
    .await;
    let c = client(&server.uri());
    c.script_groups(&user(), Some(1), Some(15)).await.unwrap();
    c.tenant_scripts(&tenant()).await.unwrap();
    let page = c.dial_time_groups(&user(), Some(1), None).await.unwrap();
    assert_eq!(
        DialTimeGroup::from_page(&page).unwrap()[0].name,
        "系统呼叫时间"
    );
    let day = DaySchedule::new(1, vec![TimeSpan::new(nine, noon).unwrap()]).unwrap();
    let group = NewDialTimeGroup::new("工作日", vec![day])
        .unwrap()
        .is_default(false)
        .skip_holiday(true);
    c.save_dial_time_group(&user(), &group).await.unwrap();
    let mut extra = serde_json::Map::new();
    extra.insert("style".into(), json!(1));
    let settings = SecuritySettings::new(
        vec![SecuritySetting::new("disable_crm_phone", extra).unwrap()],
        "123456",
    )
    .unwrap();
    c.save_security(&user(), &settings).await.unwrap();
    let batch = BatchId::parse("5e7d2764-aa").unwrap();
    let data = c.callback_data(&user(), &batch, None).await.unwrap();
    assert_eq!(data.data["numbers"][0], "13012121212");
    assert!(BatchId::parse("../x").is_err());
    assert_eq!(sent(&server).await, 6);
}

#[tokio::test]
async fn the_security_code_is_redacted_from_an_echoing_error() {
    let server = MockServer::start().await;
    given(
        "POST",
        &format!("/agent-api/user/{USER}/settings/save_security"),
    )
    .respond_with(ResponseTemplate::new(200).set_body_json(
        json!({"code": 422, "status": "error", "message": "安全码 SENTINEL-CODE 错误", "data": []}),
    ))
    .mount(&server)
    .await;
    let c = client(&server.uri());
    let settings = SecuritySettings::new(
        vec![SecuritySetting::new("disable_crm_phone", serde_json::Map::new()).unwrap()],
        "SENTINEL-CODE",
    )
    .unwrap();
    let err = c.save_security(&user(), &settings).await.unwrap_err();
    assert_eq!(err.api_code(), Some("422"));
    assert!(!format!("{err} {err:?}").contains("SENTINEL"), "{err:?}");
}

#[tokio::test]
async fn account_info_exposes_the_balance_when_sent() {
    let server = MockServer::start().await;
    given("GET", &format!("/agent-api/user/{USER}/message"))
        .respond_with(ok(json!({"balance": "1584.50", "name": "x"})))
        .mount(&server)
        .await;
    let info = client(&server.uri()).account_info(&user()).await.unwrap();
    assert_eq!(info.balance(), Some(Decimal::new(158450, 2)));
}

/// A lost answer to a non-repeatable call is an unknown outcome after one request.
#[tokio::test]
async fn a_lost_allocation_or_save_is_an_unknown_outcome_sent_once() {
    for which in ["allocate", "unbind", "save"] {
        let server = FaultServer::start(vec![Fault::DropAfterRequest]).await;
        let c = client(&server.url());
        let line: LineId = LINE.parse().unwrap();
        let day = DaySchedule::new(
            1,
            vec![TimeSpan::new(NaiveTime::MIN, NaiveTime::from_hms_opt(1, 0, 0).unwrap()).unwrap()],
        )
        .unwrap();
        let err = match which {
            "allocate" => {
                let deadline = NaiveDate::from_ymd_opt(2030, 1, 1)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap();
                let a = LineAllocation::new(1, deadline, Decimal::ONE).unwrap();
                c.allocate_line(&user(), &line, &a)
                    .await
                    .map(drop)
                    .unwrap_err()
            }
            "unbind" => c
                .unbind_line(&user(), AllocationId::new(11).unwrap())
                .await
                .map(drop)
                .unwrap_err(),
            _ => {
                let g = NewDialTimeGroup::new("g", vec![day]).unwrap();
                c.save_dial_time_group(&user(), &g)
                    .await
                    .map(drop)
                    .unwrap_err()
            }
        };
        assert!(err.outcome_unknown(), "{which}: {err:?}");
        assert_eq!(server.requests(), 1, "{which}");
    }
}

/// unbind exactly once: the allocation is listed before; the DELETE's answer is lost; the
/// list no longer shows it, so the outcome is applied and the DELETE was sent once.
#[tokio::test]
async fn unbind_exactly_once_reconciles_by_the_line_list() {
    let server = MockServer::start().await;
    given("GET", "/agent-api/new_line_list")
        .respond_with(ok(json!([{"line_allocation": {"id": 11}}])))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    given("GET", "/agent-api/new_line_list")
        .respond_with(ok(json!([{"line_allocation": {"id": 12}}])))
        .mount(&server)
        .await;
    given("DELETE", &format!("/agent-api/new/user/{USER}/line/11"))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let outcome = c
        .unbind_line_exactly_once(&user(), &tenant(), AllocationId::new(11).unwrap(), &FAST)
        .await
        .unwrap();
    assert_applied(&outcome);
    // Not listed at all: refused before anything is deleted.
    let err = c
        .unbind_line_exactly_once(&user(), &tenant(), AllocationId::new(99).unwrap(), &FAST)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("not in the user's line list"),
        "{err}"
    );
}

/// save exactly once: no group with the name before; the POST's answer is lost; the list
/// then shows one group of that name: applied, the POST sent once.
#[tokio::test]
async fn save_dial_time_group_exactly_once_reconciles_by_name() {
    let server = MockServer::start().await;
    let route = format!("/agent-api/user/{USER}/dial-time-group");
    given("GET", &route)
        .respond_with(ok(json!([])))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    given("GET", &route)
        .and(query_param("page", "1"))
        .respond_with(ok(json!([{"id": 5, "name": "夜间"}])))
        .mount(&server)
        .await;
    given("GET", &route)
        .respond_with(ok(json!([])))
        .mount(&server)
        .await;
    given("POST", &route)
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let day = DaySchedule::new(
        0,
        vec![TimeSpan::new(NaiveTime::MIN, NaiveTime::from_hms_opt(1, 0, 0).unwrap()).unwrap()],
    )
    .unwrap();
    let group = NewDialTimeGroup::new("夜间", vec![day]).unwrap();
    let outcome = c
        .save_dial_time_group_exactly_once(&user(), &group, &FAST)
        .await
        .unwrap();
    assert_applied(&outcome);
    // The name is taken now: refused, nothing sent.
    let again = c
        .save_dial_time_group_exactly_once(&user(), &group, &FAST)
        .await;
    assert!(again.is_err());
}

#[tokio::test]
async fn allocate_exactly_once_is_undetermined_after_a_lost_answer_and_sent_once() {
    let server = FaultServer::start(vec![Fault::DropAfterRequest]).await;
    let c = client(&server.url());
    let deadline = NaiveDate::from_ymd_opt(2030, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let a = LineAllocation::new(1, deadline, Decimal::ONE).unwrap();
    let outcome = c
        .allocate_line_exactly_once(&user(), &LINE.parse().unwrap(), &a)
        .await
        .unwrap();
    assert!(
        matches!(outcome, ExactlyOnceOutcome::Undetermined { .. }),
        "{outcome:?}"
    );
    assert_eq!(server.requests(), 1);
}
