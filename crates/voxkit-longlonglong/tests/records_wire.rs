//! Wire tests of 通话记录 (call records): each request as the documentation writes it
//! (paths, PHP bracket arrays), the mirror's success examples decoded, the ≤ 30 ids limit
//! checked before sending, raw answers kept as sent.

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use voxkit_longlonglong::{IntentionTag, RecordId, RecordQuery, TaskId, UserId};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use common::{a_503_then, mounted, raw, wire_client as client};

const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
const TASK: &str = "289b4a84-6d3c-4a4e-9f3a-2c1d0e5b7a61";
const RECORD: &str = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

/// The 通话列表 example of the telrobot.moyincloud.com mirror (its elided component id
/// completed).
const LIST_EXAMPLE: &str = r#"{"code":200,"status":"success","message":"查看通话记录列表成功","meta":{"has_pages":true,"total":29,"last_page":29,"current_page":1,"per_page":"1"},"data":[{"tags":[],"tag_groups":[],"operator_name":"联通","extra":null,"name":"测试掉保时间1","company":"诡事屋剧本推理社","send_wechat_data":[],"components":[{"id":"733b8535-0000-4000-8000-000000000000","name":"微信","type":"text","value":"17710726421"}]}]}"#;

/// The 通话详情 example of the mirror (elided ids completed).
const DETAIL_EXAMPLE: &str = r#"{"code":200,"status":"success","message":"查看通话记录详情成功","data":{"records":[{"id":"a1","record_id":"7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d","task_id":"289b4a84-6d3c-4a4e-9f3a-2c1d0e5b7a61","notify":"enter","callid":"c1","error_code":0,"asrtype":null,"callee":"18555525545","gender":null,"asr_elapse":null,"record_ms":null,"volume_gain":null,"question":"","split_question":null,"question_index":0,"speak_ms":0,"play_ms":0,"keyword":"","answer_id":"a2","answer_text":"流程一","answer_content":"您好","word_class":"16","answer_action":null,"playback_after_action":0,"upstream_answer_action":null,"score":0,"sequence":1,"created_at":"2022-09-29 15:09:20"}]}}"#;

/// A server expecting `GET route` `times` times, answering `body`.
async fn answering(route: &str, body: &str, times: u64) -> MockServer {
    mounted(
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(raw(200, body))
            .expect(times),
    )
    .await
}

fn ids() -> (UserId, TaskId, RecordId) {
    (
        USER.parse().unwrap(),
        TASK.parse().unwrap(),
        RECORD.parse().unwrap(),
    )
}

#[tokio::test]
async fn the_list_sends_every_filter_in_bracket_syntax_and_decodes_the_mirror_example() {
    let route = format!("/agent-api/user/{USER}/task/{TASK}/record");
    let server = answering(&route, LIST_EXAMPLE, 1).await;
    let (user, task, _) = ids();
    let at = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
    let query = RecordQuery::new()
        .level(60, 80)
        .keyword("18555525545")
        .between(at("2023-05-08 00:00:00"), at("2023-05-28 23:59:59"))
        .intention_tag(IntentionTag::A)
        .intention_tag(IntentionTag::B)
        .hung_up_between(
            NaiveDate::from_ymd_opt(2023, 5, 8).unwrap(),
            NaiveDate::from_ymd_opt(2023, 5, 28).unwrap(),
        )
        .page(1)
        .per_page(15);
    let page = client(&server.uri())
        .call_records(&user, &task, &query)
        .await
        .unwrap();
    let sent = server.received_requests().await.unwrap();
    let pairs: Vec<(String, String)> = sent[0]
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let want = [
        ("levels[0][]", "60"),
        ("levels[0][]", "80"),
        ("keyword", "18555525545"),
        ("start_at", "2023-05-08 00:00:00"),
        ("end_at", "2023-05-28 23:59:59"),
        ("intention_tags[]", "1"),
        ("intention_tags[]", "2"),
        ("hangup_date[]", "2023-05-08"),
        ("hangup_date[]", "2023-05-28"),
        ("page", "1"),
        ("per_page", "15"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(pairs, want);
    assert!(sent[0].body.is_empty());
    assert_eq!(page.meta.unwrap().total, 29);
    let record = &page.items[0];
    assert_eq!(record.name.as_deref(), Some("测试掉保时间1"));
    assert_eq!(record.operator_name.as_deref(), Some("联通"));
    assert_eq!(record.components[0].value.as_deref(), Some("17710726421"));
    assert_eq!(record.components[0].kind.as_deref(), Some("text"));
    assert!(
        record.get("send_wechat_data").is_some(),
        "unlisted fields are kept"
    );
    assert_eq!(record.id(), None, "no id is invented");
}

#[tokio::test]
async fn bad_list_queries_are_refused_before_sending() {
    let server = MockServer::start().await;
    let (user, task, _) = ids();
    let c = client(&server.uri());
    for query in [
        RecordQuery::new().level(80, 60),
        RecordQuery::new().per_page(0),
        RecordQuery::new().hung_up_between(
            NaiveDate::from_ymd_opt(2023, 5, 28).unwrap(),
            NaiveDate::from_ymd_opt(2023, 5, 8).unwrap(),
        ),
    ] {
        let err = c.call_records(&user, &task, &query).await.unwrap_err();
        assert!(err.nothing_sent(), "{err}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_detail_is_read_turn_by_turn_and_retried_as_a_read() {
    let server = a_503_then("GET", raw(200, DETAIL_EXAMPLE)).await;
    let (user, task, record) = ids();
    let detail = client(&server.uri())
        .call_record_detail(&user, &task, &record, None)
        .await
        .unwrap();
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 2, "a read is retried after a 503");
    assert_eq!(
        sent[1].url.path(),
        format!("/agent-api/user/{USER}/task/{TASK}/detail/{RECORD}")
    );
    let turn = &detail.records[0];
    assert_eq!(turn.notify.as_deref(), Some("enter"));
    assert_eq!(turn.callee.as_deref(), Some("18555525545"));
    assert_eq!(turn.word_class.as_deref(), Some("16"));
    assert_eq!(turn.sequence, Some(1));
    assert_eq!(turn.answer_text.as_deref(), Some("流程一"));
    assert_eq!(turn.rest["callid"], "c1");
}

#[tokio::test]
async fn recording_urls_send_up_to_30_ids_and_keep_the_answer_raw() {
    let route = format!("/agent-api/user/{USER}/task/{TASK}/batch_record/download-full-voice");
    let server = answering(
        &route,
        r#"{"code":200,"status":"success","message":"ok","data":{"url":"http://x/a.zip"}}"#,
        2,
    )
    .await;
    let (user, task, record) = ids();
    let other: RecordId = "00000000-0000-4000-8000-000000000001".parse().unwrap();
    let c = client(&server.uri());
    let urls = c
        .recording_urls(&user, &task, &[record.clone(), other.clone()], None)
        .await
        .unwrap();
    assert_eq!(urls.data["url"], "http://x/a.zip");
    let sent = server.received_requests().await.unwrap();
    assert_eq!(
        sent[0].url.query(),
        Some(
            "recordIds[]=7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d&recordIds[]=00000000-0000-4000-8000-000000000001"
        )
    );
    let many: Vec<RecordId> = (0..31)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}").parse().unwrap())
        .collect();
    for bad in [&many[..], &[], &[record.clone(), record.clone()]] {
        let err = c.recording_urls(&user, &task, bad, None).await.unwrap_err();
        assert!(err.nothing_sent(), "{err}");
    }
    assert!(
        c.recording_urls(&user, &task, &many[..30], None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn llm_tags_are_a_bare_get_kept_raw() {
    let route = format!("/agent-api/user/{USER}/task/{TASK}/record/{RECORD}/llm_intention_tag");
    let server = answering(
        &route,
        r#"{"code":200,"status":"success","message":"ok","data":[{"tag":"A"}]}"#,
        1,
    )
    .await;
    let (user, task, record) = ids();
    let tags = client(&server.uri())
        .llm_intention_tags(&user, &task, &record)
        .await
        .unwrap();
    assert_eq!(tags.data[0]["tag"], "A");
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent[0].url.query(), None);
}

/// `sub_user_id` of the detail and of the recording URLs: sent last, after the ids (the
/// one `with_sub` rule every read of a sub-account's data follows).
#[tokio::test]
async fn a_sub_account_is_sent_as_sub_user_id_after_the_other_query_fields() {
    let server = mounted(Mock::given(method("GET")).respond_with(raw(200, DETAIL_EXAMPLE))).await;
    let (user, task, record) = ids();
    let sub = "91f9254f-ca58-49af-be34-8370d7549d73".parse().unwrap();
    let c = client(&server.uri());
    c.call_record_detail(&user, &task, &record, Some(&sub))
        .await
        .unwrap();
    c.recording_urls(&user, &task, std::slice::from_ref(&record), Some(&sub))
        .await
        .unwrap();
    let sent = server.received_requests().await.unwrap();
    let queries: Vec<Option<&str>> = sent.iter().map(|r| r.url.query()).collect();
    assert_eq!(
        queries,
        [
            Some("sub_user_id=91f9254f-ca58-49af-be34-8370d7549d73"),
            Some(
                "recordIds[]=7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d&sub_user_id=91f9254f-ca58-49af-be34-8370d7549d73"
            ),
        ]
    );
}
