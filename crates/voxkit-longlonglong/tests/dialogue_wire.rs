//! Wire tests of the dialogue API (对话接口, section 11b of the notes), built from the
//! documentation's cURL example: the path on the tenant, `X-Requested-With:
//! XMLHttpRequest`, the dialogue token as the bearer, and the JSON body exactly; a
//! directive sends an empty message; bad input sends nothing; a lost answer is an unknown
//! outcome after one request, and the exactly-once call says it cannot be reconciled.

mod common;

use serde_json::json;
use voxkit_core::RetryPolicy;
use voxkit_core::fault::{Fault, FaultServer};
use voxkit_longlonglong::{
    DialogueClient, DialogueMessage, Directive, Notify, ScriptGroupId, TalkId, TenantId,
};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

use common::{mounted, ok};

/// The docs' `{tenant_id}`, `talk_id` and `user_id`.
const TENANT: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
const TALK: &str = "bCdeffd6-C84D-dB14-11De-3afA7f738159";
const ROUTE: &str = "/saas/api/customer_service/tenant/5433b412-07d5-44e6-9fa4-deb65e43bc93";

fn client(url: &str) -> DialogueClient {
    DialogueClient::builder()
        .token("dialogue-token")
        .base_url(url)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A server that drops the connection after the first request, and a client of it with
/// the default retry policy (which must still never re-send).
async fn losing_the_answer() -> (FaultServer, DialogueClient) {
    let server = FaultServer::start(vec![Fault::DropAfterRequest]).await;
    let c = DialogueClient::builder()
        .token("dialogue-token")
        .base_url(server.url())
        .build()
        .unwrap();
    (server, c)
}

fn tenant() -> TenantId {
    TENANT.parse().unwrap()
}

fn docs_message() -> DialogueMessage {
    DialogueMessage::text(
        TALK.parse().unwrap(),
        TALK.parse().unwrap(),
        ScriptGroupId::new(1).unwrap(),
        Notify::Enter,
        "测试",
    )
    .unwrap()
}

fn given() -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path(ROUTE))
        .and(header("authorization", "Bearer dialogue-token"))
        .and(header("content-type", "application/json"))
        .and(header("x-requested-with", "XMLHttpRequest"))
}

#[tokio::test]
async fn the_docs_example_is_sent_as_documented_and_the_answer_kept_raw() {
    let server = mounted(
        given()
            .and(body_json(json!({
                "talk_id": "bCdeffd6-C84D-dB14-11De-3afA7f738159",
                "user_id": "bCdeffd6-C84D-dB14-11De-3afA7f738159",
                "message": "测试",
                "notify": "enter",
                "directive": "",
                "group_id": 1
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "code": 200, "status": "success", "message": "成功",
                "data": {"reply": "您好", "n": 1}
            })))
            .expect(1),
    )
    .await;
    let reply = client(&server.uri())
        .send(&tenant(), &docs_message())
        .await
        .unwrap();
    assert_eq!(reply.message, "成功");
    assert_eq!(reply.data, json!({"reply": "您好", "n": 1}));
}

#[tokio::test]
async fn a_directive_sends_an_empty_message() {
    let server = mounted(
        given()
            .and(body_json(json!({
                "talk_id": TALK, "user_id": "visitor_7", "message": "",
                "notify": "message", "directive": "invalid", "group_id": 3
            })))
            .respond_with(ok(json!([])))
            .expect(1),
    )
    .await;
    let message = DialogueMessage::directive(
        TALK.parse().unwrap(),
        "visitor_7".parse().unwrap(),
        ScriptGroupId::new(3).unwrap(),
        Notify::Message,
        Directive::Invalid,
    );
    client(&server.uri())
        .send(&tenant(), &message)
        .await
        .unwrap();
}

#[tokio::test]
async fn bad_input_sends_nothing_and_a_refusal_is_the_api_error() {
    let server = mounted(
        given().respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 422, "status": "error", "message": "notify 不正确", "data": []}),
        )),
    )
    .await;
    assert!("../x".parse::<TenantId>().unwrap_err().nothing_sent());
    assert!("a b".parse::<TalkId>().unwrap_err().nothing_sent());
    let empty = DialogueMessage::text(
        TALK.parse().unwrap(),
        TALK.parse().unwrap(),
        ScriptGroupId::new(1).unwrap(),
        Notify::Message,
        " ",
    );
    assert!(empty.unwrap_err().nothing_sent());
    assert!(server.received_requests().await.unwrap().is_empty());
    let err = client(&server.uri())
        .send(&tenant(), &docs_message())
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("422"));
    assert!(!err.outcome_unknown(), "a refusal is known: {err:?}");
}

#[tokio::test]
async fn a_lost_answer_is_unknown_after_one_request_and_cannot_be_reconciled() {
    let (server, c) = losing_the_answer().await;
    let err = c.send(&tenant(), &docs_message()).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(server.requests(), 1, "never re-sent");

    let (server, c) = losing_the_answer().await;
    let outcome = c
        .send_exactly_once(&tenant(), &docs_message())
        .await
        .unwrap();
    common::assert_unreconcilable(&outcome);
    assert_eq!(server.requests(), 1, "never re-sent");
}
