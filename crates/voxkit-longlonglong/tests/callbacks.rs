//! Wire tests of the callback blacklist (查看回调黑名单, `GET /agent-api/callback_blacklist`):
//! the request as documented, the docs' success example decoded field by field, the
//! documented error shape, retries of a read, malformed answers.

mod common;

use chrono::NaiveDateTime;
use voxkit_core::Error;
use voxkit_longlonglong::{BlacklistStatus, Code};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer};

use common::{a_503_then, raw, serve, wire_client as client};

const TOKEN: &str = "test-token";
const ROUTE: &str = "/agent-api/callback_blacklist";

/// The docs' success example (help.telrobot.top mirror). The mirror elides `user_id`,
/// `created_at` and `updated_at` (`"…"`) and the second entry's other fields; they are
/// filled with the docs' example user and the entry's own times.
const DOCS_EXAMPLE: &str = r#"{
    "code": 200, "status": "success", "message": "查看黑名单成功",
    "data": [
        {"id": 1, "user_id": "5433b412-07d5-44e6-9fa4-deb65e43bc93", "url": "http://xxxxx/api1",
         "blackout_time": "2023-06-25 16:55:38", "release_time": "2023-06-25 18:55:38",
         "status": 0, "created_at": "2023-06-25 16:55:38", "updated_at": "2023-06-25 16:55:38",
         "status_str": "拉黑中"},
        {"id": 2, "user_id": "5433b412-07d5-44e6-9fa4-deb65e43bc93", "url": "http://xxxxx/api2",
         "blackout_time": "2023-06-24 10:00:00", "release_time": "2023-06-24 12:00:00",
         "status": 1, "created_at": "2023-06-24 10:00:00", "updated_at": "2023-06-24 12:00:00",
         "status_str": "已释放"}
    ]
}"#;

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
}

#[tokio::test]
async fn sends_a_bare_get_with_the_documented_headers_and_decodes_the_docs_example() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ROUTE))
        .and(header("authorization", "Bearer test-token"))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .respond_with(raw(200, DOCS_EXAMPLE))
        .expect(1)
        .mount(&server)
        .await;
    let list = client(&server.uri()).callback_blacklist().await.unwrap();

    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].url.query(), None, "the read takes no parameters");
    assert!(sent[0].body.is_empty(), "a GET without a body");

    assert_eq!(list.message, "查看黑名单成功");
    assert_eq!(list.entries.len(), 2);
    let first = &list.entries[0];
    assert_eq!(first.id, 1);
    assert_eq!(
        first.user_id.as_str(),
        "5433b412-07d5-44e6-9fa4-deb65e43bc93"
    );
    assert_eq!(first.url, "http://xxxxx/api1");
    assert_eq!(first.blackout_time, at("2023-06-25 16:55:38"));
    assert_eq!(first.release_time, Some(at("2023-06-25 18:55:38")));
    assert_eq!(first.status, BlacklistStatus::Blacklisted);
    assert_eq!(first.status_str.as_deref(), Some("拉黑中"));
    assert_eq!(first.created_at, Some(at("2023-06-25 16:55:38")));
    assert_eq!(first.updated_at, Some(at("2023-06-25 16:55:38")));
    let second = &list.entries[1];
    assert_eq!(second.status, BlacklistStatus::Released);
    assert_eq!(second.status_str.as_deref(), Some("已释放"));
    let blacklisted: Vec<&str> = list.blacklisted().map(|e| e.url.as_str()).collect();
    assert_eq!(blacklisted, ["http://xxxxx/api1"]);
}

#[tokio::test]
async fn an_empty_list_and_lenient_numbers_are_accepted() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ROUTE))
        .respond_with(raw(
            200,
            r#"{"code":"200","status":"success","message":"查看黑名单成功","data":[
                {"id":"9","user_id":"5433b412-07d5-44e6-9fa4-deb65e43bc93","url":"https://a.example/cb",
                 "blackout_time":"2026-03-10 08:00:00","release_time":null,"status":"3"}]}"#,
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ROUTE))
        .respond_with(raw(
            200,
            r#"{"code":200,"status":"success","message":"查看黑名单成功","data":[]}"#,
        ))
        .mount(&server)
        .await;
    let c = client(&server.uri());
    let odd = c.callback_blacklist().await.unwrap();
    let entry = &odd.entries[0];
    assert_eq!(entry.id, 9);
    assert_eq!(entry.status, BlacklistStatus::Other(3));
    assert_eq!(entry.release_time, None);
    assert_eq!(
        (entry.status_str.as_deref(), entry.created_at),
        (None, None)
    );
    assert_eq!(odd.blacklisted().count(), 0);
    let empty = c.callback_blacklist().await.unwrap();
    assert!(empty.entries.is_empty());
}

/// Errors come in the envelope with HTTP 200 (the API's documented error model): the
/// code and message reach the caller as [`Error::Api`], sent once (a refusal is not
/// retried).
#[tokio::test]
async fn an_error_envelope_with_http_200_is_the_api_error() {
    let server = serve(
        ROUTE,
        raw(
            200,
            r#"{"code":422,"status":"error","message":"参数错误","data":[]}"#,
        ),
    )
    .await;
    let err = client(&server.uri())
        .callback_blacklist()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("422"));
    assert_eq!(Code::of(&err), Some(Code::ValidationFailed));
    assert!(err.to_string().contains("参数错误"), "{err}");
    assert_eq!(err.origin().operation, "callback_blacklist");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_read_is_retried_after_a_503() {
    let server = a_503_then("GET", raw(200, DOCS_EXAMPLE)).await;
    let list = client(&server.uri()).callback_blacklist().await.unwrap();
    assert_eq!(list.entries.len(), 2);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn malformed_answers_are_clean_decode_errors() {
    for body in [
        "<html><body>502 Bad Gateway</body></html>",
        r#"{"code":200,"status":"error","message":"x","data":[]}"#,
        r#"{"code":200,"status":"success","message":"x","data":{"id":1}}"#,
        r#"{"code":200,"status":"success","message":"x","data":null}"#,
        // A user id that is not a UUID, a timestamp that is not one, no status.
        r#"{"code":200,"status":"success","data":[{"id":1,"user_id":"../x","url":"u","blackout_time":"2023-06-25 16:55:38","status":0}]}"#,
        r#"{"code":200,"status":"success","data":[{"id":1,"user_id":"5433b412-07d5-44e6-9fa4-deb65e43bc93","url":"u","blackout_time":"yesterday","status":0}]}"#,
        r#"{"code":200,"status":"success","data":[{"id":1,"user_id":"5433b412-07d5-44e6-9fa4-deb65e43bc93","url":"u","blackout_time":"2023-06-25 16:55:38"}]}"#,
    ] {
        let server = serve(ROUTE, raw(200, body)).await;
        let err = client(&server.uri())
            .callback_blacklist()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        assert!(!format!("{err} {err:?}").contains(TOKEN));
    }
}
