//! Wire tests of the balance call against wiremock: exact request, the documented example,
//! every documented status, malformed bodies, retries and the clock-skew correction.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rust_decimal::Decimal;
use voxkit_core::fault::{Fault, FaultServer};
use voxkit_core::test_util::{assert_transport, fast_retries};
use voxkit_core::{Error, FixedClock, TransportKind};
use voxkit_laaffic::{Client, ClientBuilder, Status};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The documentation's example credentials and timestamp (IVR guide page).
const DOC_KEY: &str = "bDqJFiq9";
const DOC_SECRET: &str = "7bz1lzh9";
const DOC_TIMESTAMP: u64 = 1_630_468_800;
const DOC_SIGN: &str = "05d7a50893e22a5c4bb3216ae3396c7c";

/// The documented success example (onbuka copy of the getBalance page).
const DOC_SUCCESS: &str = r#"{ "status": "0", "reason": "success", "balance": "99.990000", "gift": "50.00000", "credit": "0" }"#;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .credentials(DOC_KEY, DOC_SECRET)
        .base_url(url)
        .clock(Arc::new(FixedClock(at(DOC_TIMESTAMP))))
        .retry_policy(fast_retries())
}

fn json(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/json")
}

/// A server answering every GET with `template`.
async fn answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

/// One balance call with the test client pointed at `server`.
async fn balance(server: &MockServer) -> Result<voxkit_laaffic::Balance, Error> {
    builder(&server.uri()).build().unwrap().balance().await
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn balance_request_is_exactly_as_documented() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/getBalance"))
        .and(header("Content-Type", "application/json;charset=UTF-8"))
        .and(header("Api-Key", DOC_KEY))
        .and(header("Timestamp", DOC_TIMESTAMP.to_string().as_str()))
        .and(header("Sign", DOC_SIGN))
        .respond_with(json(DOC_SUCCESS))
        .expect(1)
        .mount(&server)
        .await;

    let balance = balance(&server).await.unwrap();
    assert_eq!(balance.balance, Decimal::new(9999, 2));
    assert_eq!(
        balance.balance.to_string(),
        "99.990000",
        "precision as sent"
    );
    assert_eq!(balance.gift, Decimal::new(50, 0));
    assert_eq!(balance.credit, Decimal::ZERO);

    let sent = &server.received_requests().await.unwrap()[0];
    assert!(sent.body.is_empty(), "getBalance has no body");
    assert!(sent.url.query().is_none());
    let ua = sent.headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(ua.starts_with("voxkit/"), "{ua}");
}

#[tokio::test]
async fn numbers_and_numeric_status_are_accepted() {
    let server = answering(json(
        r#"{"status":0,"reason":"success","balance":12.5,"gift":0,"credit":"3"}"#,
    ))
    .await;
    let b = balance(&server).await.unwrap();
    assert_eq!(b.balance, Decimal::new(125, 1));
    assert_eq!(b.credit, Decimal::new(3, 0));
}

#[tokio::test]
async fn every_documented_status_is_an_api_error_sent_once() {
    let server = MockServer::start().await;
    let client = builder(&server.uri())
        .skew_correction(false)
        .build()
        .unwrap();
    for status in Status::DOCUMENTED.iter().filter(|s| !s.is_success()) {
        let code = status.code().unwrap();
        for body in [
            format!(r#"{{"status":"{code}","reason":"documented failure"}}"#),
            format!(r#"{{"status":{code},"reason":"documented failure"}}"#),
        ] {
            server.reset().await;
            Mock::given(method("GET"))
                .respond_with(json(&body))
                .mount(&server)
                .await;
            let err = client.balance().await.unwrap_err();
            assert_eq!(Status::of(&err).as_ref(), Some(status), "{body}");
            assert_eq!(err.api_code(), Some(code.to_string().as_str()));
            assert!(err.to_string().contains("documented failure"), "{err}");
            assert!(err.to_string().starts_with("laaffic balance"), "{err}");
            assert_eq!(
                requests(&server).await,
                1,
                "{body}: provider errors are not retried"
            );
        }
    }
}

#[tokio::test]
async fn unknown_status_is_kept() {
    let server = answering(json(r#"{"status":"-99","reason":"new"}"#)).await;
    let err = balance(&server).await.unwrap_err();
    assert_eq!(Status::of(&err), Some(Status::Unknown("-99".into())));
}

#[tokio::test]
async fn authentication_error_is_not_retried() {
    let server = answering(json(r#"{"status":"-1","reason":"认证错误"}"#)).await;
    let err = balance(&server).await.unwrap_err();
    assert_eq!(Status::of(&err), Some(Status::AuthenticationError));
    assert!(!err.is_retryable());
    assert_eq!(requests(&server).await, 1);
}

#[tokio::test]
async fn html_and_malformed_bodies_are_clean_errors() {
    let server = MockServer::start().await;
    let client = builder(&server.uri()).build().unwrap();
    for (body, content_type) in [
        ("<html><body>maintenance</body></html>", "text/html"),
        ("", "application/json"),
        (r#"{"status":"0","reason":"success"}"#, "application/json"), // fields missing
        (
            r#"{"status":"0","balance":"abc","gift":"0","credit":"0"}"#,
            "application/json",
        ),
        (r#"{"reason":"no status"}"#, "application/json"),
        (r#"[1,2,3]"#, "application/json"),
        (r#"{"status":null}"#, "application/json"),
    ] {
        server.reset().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, content_type))
            .mount(&server)
            .await;
        let err = client.balance().await.unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        assert_eq!(requests(&server).await, 1, "{body}");
    }
}

#[tokio::test]
async fn html_502_is_retried_then_reported() {
    let server = answering(
        ResponseTemplate::new(502)
            .set_body_raw("<html><title>502 Bad Gateway</title></html>", "text/html"),
    )
    .await;
    let err = balance(&server).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(err.to_string().contains("Bad Gateway"));
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn truncated_body_is_retried_then_reported() {
    let server = FaultServer::start(vec![Fault::Truncated {
        status: 200,
        declared: 200,
        body: br#"{ "status": "0", "reason": "success", "bal"#.to_vec(),
    }])
    .await;
    let err = builder(&server.url())
        .build()
        .unwrap()
        .balance()
        .await
        .unwrap_err();
    assert_transport(&err, TransportKind::Dropped);
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn status_503_then_success_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(json(DOC_SUCCESS))
        .mount(&server)
        .await;
    let b = balance(&server).await.unwrap();
    assert_eq!(b.gift, Decimal::new(50, 0));
    assert_eq!(requests(&server).await, 2);
}

/// A server whose clock is `skew` seconds ahead: it accepts only timestamps that match its
/// own time and answers others with `-16` and its `Date`.
async fn skewed_server(server_now: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("Timestamp", server_now.to_string().as_str()))
        .and(header(
            "Sign",
            voxkit_laaffic::signature(DOC_KEY, DOC_SECRET, server_now as i64).as_str(),
        ))
        .respond_with(json(DOC_SUCCESS))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            json(r#"{"status":"-16","reason":"超出时间范围限制"}"#)
                .insert_header("Date", httpdate::fmt_http_date(at(server_now))),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn clock_skew_is_corrected_once_and_remembered() {
    let server_now = DOC_TIMESTAMP + 600;
    let server = skewed_server(server_now).await;
    let client = builder(&server.uri()).build().unwrap();
    assert_eq!(client.clock_offset(), None);

    let b = client.balance().await.unwrap();
    assert_eq!(b.balance, Decimal::new(9999, 2));
    assert_eq!(requests(&server).await, 2, "refused once, re-signed once");
    assert_eq!(client.clock_offset(), Some(600));

    // Later calls (and clones) sign with the corrected clock straight away.
    client.clone().balance().await.unwrap();
    assert_eq!(requests(&server).await, 3);
    let stamps: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.headers
                .get("timestamp")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        stamps,
        [
            DOC_TIMESTAMP.to_string(),
            server_now.to_string(),
            server_now.to_string()
        ]
    );
}

#[tokio::test]
async fn clock_skew_correction_can_be_turned_off() {
    let server = skewed_server(DOC_TIMESTAMP + 600).await;
    let client = builder(&server.uri())
        .skew_correction(false)
        .build()
        .unwrap();
    let err = client.balance().await.unwrap_err();
    assert_eq!(Status::of(&err), Some(Status::TimestampOutOfRange));
    assert_eq!(requests(&server).await, 1);
    assert_eq!(client.clock_offset(), None);
}

#[tokio::test]
async fn persistent_minus_16_is_retried_only_once() {
    let server = answering(
        json(r#"{"status":"-16","reason":"expired"}"#)
            .insert_header("Date", httpdate::fmt_http_date(at(DOC_TIMESTAMP - 90))),
    )
    .await;
    let client = builder(&server.uri()).build().unwrap();
    let err = client.balance().await.unwrap_err();
    assert_eq!(Status::of(&err), Some(Status::TimestampOutOfRange));
    assert_eq!(requests(&server).await, 2);
    assert_eq!(client.clock_offset(), Some(-90));
    // The offset is already right: the next -16 is not the clock's fault, no second try.
    client.balance().await.unwrap_err();
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn secrets_never_show_in_debug_display_or_errors() {
    const KEY: &str = "SENTINEL-KEY-31f7";
    const SECRET: &str = "SENTINEL-SECRET-9ab2";
    let server = MockServer::start().await;
    // A hostile server echoing the key back in an error page.
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400).set_body_string(format!("bad key {KEY} / {SECRET}")),
        )
        .mount(&server)
        .await;
    let builder = Client::builder()
        .credentials(KEY, SECRET)
        .base_url(server.uri());
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let err = client.balance().await.unwrap_err();
    let sign = server.received_requests().await.unwrap()[0]
        .headers
        .get("sign")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for text in [
        builder_debug,
        format!("{client:?}"),
        format!("{:?}", client.core()),
        format!("{err}"),
        format!("{err:?}"),
    ] {
        assert!(!text.contains(KEY), "{text}");
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains(&sign), "{text}");
    }
    assert!(err.to_string().contains("[redacted]"));
}
