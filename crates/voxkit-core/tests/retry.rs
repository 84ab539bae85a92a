//! The retry loop over real loopback HTTP: wiremock for statuses, the raw-TCP fault
//! server for dropped connections, stalls and truncated bodies.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use voxkit_core::fault::{Fault, FaultServer, refused_url};
use voxkit_core::reqwest::Method;
use voxkit_core::reqwest::header::HeaderValue;
use voxkit_core::test_util::{assert_transport, fast_retries};
use voxkit_core::{
    Attempt, Auth, Client, Error, HttpRequest, Idempotency, NoAuth, Operation, Path, RetryPolicy,
    TransportKind, async_trait,
};
use wiremock::matchers::{any, method, path};
use wiremock::{Match, Mock, MockServer, ResponseTemplate};

const R: Idempotency = Idempotency::Repeatable;
const N: Idempotency = Idempotency::NotRepeatable;

fn client(url: &str) -> Client {
    client_with(url, Arc::new(NoAuth), |b| b)
}

fn client_with(
    url: &str,
    auth: Arc<dyn Auth>,
    tweak: impl FnOnce(voxkit_core::ClientBuilder) -> voxkit_core::ClientBuilder,
) -> Client {
    tweak(
        Client::builder("test", "https://example.invalid")
            .base_url(url)
            .retry_policy(fast_retries())
            .attempt_timeout(Duration::from_secs(10)),
    )
    .build(auth)
    .expect("client builds")
}

fn op(idempotency: Idempotency) -> Operation {
    let method = if idempotency.is_repeatable() {
        Method::GET
    } else {
        Method::PUT
    };
    let op = Operation::new("op", method, Path::root().lit("v1/thing"), idempotency);
    if idempotency.is_repeatable() {
        op
    } else {
        op.body(r#"{"amount":1}"#)
    }
}

/// A server answering every request that `matcher` accepts with `response`.
async fn serving(matcher: impl Match + 'static, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(matcher)
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// How many requests `server` received.
async fn received(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

async fn call(client: &Client, idempotency: Idempotency) -> Result<String, Error> {
    client
        .execute(&op(idempotency), |r| {
            Ok(String::from_utf8_lossy(&r.body).into_owned())
        })
        .await
}

#[tokio::test]
async fn dropped_connection_non_repeatable_is_sent_once_and_outcome_unknown() {
    let server = FaultServer::start(vec![Fault::DropAfterRequest]).await;
    let err = call(&client(&server.url()), N).await.unwrap_err();
    assert_eq!(
        server.requests(),
        1,
        "a non-repeatable request must be sent exactly once"
    );
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(!err.is_retryable());
    let Error::OutcomeUnknown { cause, .. } = &err else {
        unreachable!()
    };
    assert_transport(cause, TransportKind::Dropped);
    assert!(err.to_string().contains("check before retrying"), "{err}");
}

#[tokio::test]
async fn dropped_connection_repeatable_is_retried_to_the_limit() {
    let server = FaultServer::start(vec![Fault::DropAfterRequest]).await;
    let err = call(&client(&server.url()), R).await.unwrap_err();
    assert_eq!(server.requests(), 3);
    assert_transport(&err, TransportKind::Dropped);
    assert!(err.is_retryable());
}

#[tokio::test]
async fn dropped_then_answered_repeatable_succeeds() {
    let server =
        FaultServer::start(vec![Fault::DropAfterRequest, Fault::json(r#"{"ok":1}"#)]).await;
    let body = call(&client(&server.url()), R).await.unwrap();
    assert_eq!(body, r#"{"ok":1}"#);
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn connection_refused_is_known_not_sent() {
    let url = refused_url().await;
    for idempotency in [R, N] {
        let err = call(&client(&url), idempotency).await.unwrap_err();
        assert_transport(&err, TransportKind::Connect);
        assert!(err.nothing_sent());
        assert!(!err.outcome_unknown());
    }
}

#[tokio::test]
async fn refused_then_served_non_repeatable_is_retried() {
    // A listener that appears after the first attempt: the non-repeatable request is
    // retried because the first attempt provably never left.
    let url = refused_url().await;
    let addr = url.trim_start_matches("http://").to_owned();
    let attempts = Arc::new(AtomicU32::new(0));
    let counter = attempts.clone();
    struct StartServerOnSecondAttempt {
        attempts: Arc<AtomicU32>,
        addr: String,
        server: std::sync::Mutex<Option<std::net::TcpListener>>,
    }
    #[async_trait]
    impl Auth for StartServerOnSecondAttempt {
        async fn authorize(&self, _: &mut HttpRequest, attempt: Attempt) -> Result<(), Error> {
            self.attempts.store(attempt.number, Ordering::SeqCst);
            if attempt.number == 2 {
                let listener = std::net::TcpListener::bind(&self.addr).expect("rebind");
                *self.server.lock().unwrap() = Some(listener);
            }
            Ok(())
        }
    }
    let auth = Arc::new(StartServerOnSecondAttempt {
        attempts: counter,
        addr,
        server: std::sync::Mutex::new(None),
    });
    // The rebound listener never answers: the second attempt times out. What matters is
    // that a second attempt was made and that its failure is "outcome unknown".
    let c = client_with(&url, auth.clone(), |b| {
        b.attempt_timeout(Duration::from_millis(300))
    });
    let err = call(&c, N).await.unwrap_err();
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert!(err.outcome_unknown(), "{err:?}");
}

#[tokio::test]
async fn stall_times_out_per_attempt() {
    let server = FaultServer::start(vec![Fault::Stall]).await;
    let c = client_with(&server.url(), Arc::new(NoAuth), |b| {
        b.attempt_timeout(Duration::from_millis(200))
            .retry_policy(RetryPolicy {
                max_attempts: 2,
                ..fast_retries()
            })
    });
    let err = call(&c, R).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 2, .. }), "{err:?}");
    assert_eq!(server.requests(), 2);

    let server = FaultServer::start(vec![Fault::Stall]).await;
    let c = client_with(&server.url(), Arc::new(NoAuth), |b| {
        b.attempt_timeout(Duration::from_millis(200))
    });
    let err = call(&c, N).await.unwrap_err();
    assert_eq!(server.requests(), 1);
    assert!(err.outcome_unknown(), "{err:?}");
}

#[tokio::test]
async fn deadline_bounds_the_whole_call() {
    let server = FaultServer::start(vec![Fault::Stall]).await;
    let c = client_with(&server.url(), Arc::new(NoAuth), |b| {
        b.deadline(Duration::from_millis(250))
    });
    let err = call(&c, R).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err:?}");
    assert_eq!(server.requests(), 1);
}

/// A transport whose requests never come back, and that counts them.
struct NeverAnswers(AtomicU32);

#[async_trait]
impl voxkit_core::Transport for NeverAnswers {
    async fn send(
        &self,
        _: HttpRequest,
        _: usize,
    ) -> Result<voxkit_core::HttpResponse, voxkit_core::TransportError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        std::future::pending().await
    }
}

/// Regression: the deadline was measured on the wall clock (`std::time::Instant`) while the
/// attempt timeouts and backoffs it bounds run on tokio's clock. On a paused or
/// auto-advancing test clock the deadline was then never reached (every attempt ran) and
/// `Timeout::elapsed` reported the wall clock's microseconds. The whole call now runs on
/// tokio's clock.
#[tokio::test(start_paused = true)]
async fn the_deadline_runs_on_tokios_clock() {
    for (idempotency, attempts) in [(R, 2), (N, 1)] {
        let transport = Arc::new(NeverAnswers(AtomicU32::new(0)));
        let c = client_with("http://127.0.0.1:9", Arc::new(NoAuth), |b| {
            b.transport(transport.clone())
                .attempt_timeout(Duration::from_secs(2))
                .deadline(Duration::from_secs(3))
        });
        let start = tokio::time::Instant::now();
        let err = call(&c, idempotency).await.unwrap_err();
        let took = start.elapsed();
        assert_eq!(
            transport.0.load(Ordering::SeqCst),
            attempts,
            "{idempotency:?}"
        );
        let timeout = match &err {
            Error::OutcomeUnknown { cause, .. } => &**cause,
            other => other,
        };
        let Error::Timeout {
            elapsed,
            attempts: reported,
            ..
        } = timeout
        else {
            panic!("{err:?}")
        };
        assert_eq!(*reported, attempts);
        let want = Duration::from_secs(if idempotency.is_repeatable() { 3 } else { 2 });
        assert!(
            took >= want && took < want + Duration::from_millis(10),
            "{took:?}"
        );
        assert!(
            *elapsed >= want && *elapsed < want + Duration::from_millis(10),
            "{elapsed:?}"
        );
    }
}

#[tokio::test]
async fn truncated_body() {
    let truncated = Fault::Truncated {
        status: 200,
        declared: 100,
        body: br#"{"status":"0","bal"#.to_vec(),
    };
    let server = FaultServer::start(vec![truncated.clone()]).await;
    let err = call(&client(&server.url()), R).await.unwrap_err();
    assert_eq!(server.requests(), 3);
    assert_transport(&err, TransportKind::Dropped);
    let server = FaultServer::start(vec![truncated]).await;
    let err = call(&client(&server.url()), N).await.unwrap_err();
    assert_eq!(server.requests(), 1);
    assert!(err.outcome_unknown());
}

#[tokio::test]
async fn html_502() {
    let server = FaultServer::start(vec![Fault::html_502()]).await;
    let err = call(&client(&server.url()), R).await.unwrap_err();
    assert_eq!(server.requests(), 3);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(err.to_string().contains("502 Bad Gateway"), "{err}");

    let server = FaultServer::start(vec![Fault::html_502()]).await;
    let err = call(&client(&server.url()), N).await.unwrap_err();
    assert_eq!(server.requests(), 1);
    assert!(
        err.outcome_unknown(),
        "a gateway error may hide an applied request"
    );
}

#[tokio::test]
async fn status_503_with_retry_after_then_success() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/thing"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/thing"))
        .respond_with(ResponseTemplate::new(200).set_body_string("fine"))
        .mount(&server)
        .await;
    assert_eq!(call(&client(&server.uri()), R).await.unwrap(), "fine");
    assert_eq!(received(&server).await, 2);
}

/// Only a 4xx proves a non-repeatable request was refused. (503 was in this list: a proxy
/// answers 503 after forwarding too, so it moved to the outcome-unknown statuses below.)
#[tokio::test]
async fn non_repeatable_refused_statuses_are_not_retried() {
    for status in [429u16, 408, 400, 409, 422] {
        let server = serving(method("PUT"), ResponseTemplate::new(status)).await;
        let err = call(&client(&server.uri()), N).await.unwrap_err();
        assert_eq!(received(&server).await, 1, "{status}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert!(!err.outcome_unknown(), "{status}: the server refused it");
    }
}

#[tokio::test]
async fn long_retry_after_stops_and_is_reported() {
    let server = serving(
        method("GET"),
        ResponseTemplate::new(429).insert_header("Retry-After", "3600"),
    )
    .await;
    let err = call(&client(&server.uri()), R).await.unwrap_err();
    assert_eq!(received(&server).await, 1);
    assert!(matches!(
        err,
        Error::Status { retry_after: Some(d), .. } if d == Duration::from_secs(3600)
    ));
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = serving(
        method("GET"),
        ResponseTemplate::new(404).set_body_string("no such thing"),
    )
    .await;
    let err = call(&client(&server.uri()), R).await.unwrap_err();
    assert_eq!(received(&server).await, 1);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

/// A decoder that reads `{"code":"<code>"}` as the provider's error with that code.
fn envelope_decoder(r: &voxkit_core::HttpResponse) -> Result<(), Error> {
    let v: serde_json::Value = serde_json::from_slice(&r.body).map_err(|e| Error::Decode {
        origin: voxkit_core::Origin::new("test", "op"),
        message: e.to_string(),
        excerpt: String::new(),
    })?;
    match v["code"].as_str() {
        Some("200") => Ok(()),
        code => Err(Error::api(
            voxkit_core::Origin::new("test", "op"),
            code.map(str::to_owned),
            "Server Error",
        )),
    }
}

async fn status_server(status: u16, body: &str) -> MockServer {
    serving(any(), ResponseTemplate::new(status).set_body_string(body)).await
}

/// Regression (issue 12, item 1): a 5xx carrying the provider's own error envelope was
/// reported as the provider's refusal. For a non-repeatable operation it is an unknown
/// outcome, the API error its cause; a repeatable one is retried and ends with the API
/// error; a 4xx with the envelope stays a known refusal.
#[tokio::test]
async fn provider_envelope_in_a_5xx_is_outcome_unknown_for_non_repeatable() {
    for status in [500u16, 502, 503, 504] {
        let server = status_server(status, r#"{"code":"10004"}"#).await;
        let err = client(&server.uri())
            .execute(&op(N), envelope_decoder)
            .await
            .unwrap_err();
        assert_eq!(received(&server).await, 1, "{status}");
        assert!(err.outcome_unknown(), "{status}: {err:?}");
        assert!(!err.is_retryable() && !err.nothing_sent());
        match &err {
            Error::OutcomeUnknown { cause, .. } => {
                assert_eq!(
                    cause.api_code(),
                    Some("10004"),
                    "{status}: the envelope is the cause"
                )
            }
            other => panic!("{other:?}"),
        }

        let server = status_server(status, r#"{"code":"10004"}"#).await;
        let err = client(&server.uri())
            .execute(&op(R), envelope_decoder)
            .await
            .unwrap_err();
        assert_eq!(received(&server).await, 3, "{status}");
        assert_eq!(err.api_code(), Some("10004"), "{err:?}");
    }
    let server = status_server(422, r#"{"code":"10004"}"#).await;
    let err = client(&server.uri())
        .execute(&op(N), envelope_decoder)
        .await
        .unwrap_err();
    assert_eq!(
        err.api_code(),
        Some("10004"),
        "a 4xx envelope is a refusal: {err:?}"
    );
    assert_eq!(received(&server).await, 1);
}

/// Issue 12, item 1 (business codes): the provider's "system error" codes may follow a
/// commit. For a non-repeatable operation they are an unknown outcome in a 200 and in an
/// error status alike; a repeatable operation gets the API error; other codes are
/// refusals.
#[tokio::test]
async fn system_error_codes_are_outcome_unknown_for_non_repeatable() {
    let with_codes = |url: &str| {
        client_with(url, Arc::new(NoAuth), |b| {
            b.indeterminate_codes(&["500", "-18"])
        })
    };
    for (status, code) in [(200u16, "500"), (200, "-18"), (400, "500")] {
        let body = format!(r#"{{"code":"{code}"}}"#);
        let server = status_server(status, &body).await;
        let err = with_codes(&server.uri())
            .execute(&op(N), envelope_decoder)
            .await
            .unwrap_err();
        assert_eq!(received(&server).await, 1);
        match &err {
            Error::OutcomeUnknown { cause, .. } => assert_eq!(cause.api_code(), Some(code)),
            other => panic!("{status} {code}: {other:?}"),
        }
        let err = with_codes(&server.uri())
            .execute(&op(R), envelope_decoder)
            .await
            .unwrap_err();
        assert_eq!(err.api_code(), Some(code), "{err:?}");
        assert_eq!(received(&server).await, 2);
    }
    let server = status_server(200, r#"{"code":"10004"}"#).await;
    let err = with_codes(&server.uri())
        .execute(&op(N), envelope_decoder)
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("10004"), "not a system error: {err:?}");
    // Without the declaration, the same 200 is the provider's (known) error.
    let server = status_server(200, r#"{"code":"500"}"#).await;
    let err = client(&server.uri())
        .execute(&op(N), envelope_decoder)
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("500"));
}

/// Issue 12, edge cases: a 3xx (never followed; a 303 after a POST means applied), a 1xx
/// leftover and a status no standard defines are not refusals of a non-repeatable request.
/// (They were "known, not applied".)
#[tokio::test]
async fn redirects_and_unknown_statuses_are_outcome_unknown_for_non_repeatable() {
    for status in [303u16, 302, 307, 999] {
        let server = FaultServer::start(vec![Fault::Respond {
            status,
            headers: vec![("Location".into(), "/done".into())],
            body: b"see other".to_vec(),
        }])
        .await;
        let err = call(&client(&server.url()), N).await.unwrap_err();
        assert_eq!(server.requests(), 1, "{status}");
        match &err {
            Error::OutcomeUnknown { cause, .. } => {
                assert_eq!(cause.status().map(|s| s.as_u16()), Some(status))
            }
            other => panic!("{status}: {other:?}"),
        }
        let err = call(&client(&server.url()), R).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert!(!err.outcome_unknown());
        assert_eq!(server.requests(), 2, "{status}: not retried");
    }
}

/// Issue 12, edge case: a 503 may come from a proxy that already forwarded the request.
#[tokio::test]
async fn status_503_is_outcome_unknown_for_non_repeatable() {
    let server = serving(
        method("PUT"),
        ResponseTemplate::new(503).insert_header("Retry-After", "1"),
    )
    .await;
    let err = call(&client(&server.uri()), N).await.unwrap_err();
    assert_eq!(received(&server).await, 1);
    assert!(err.outcome_unknown(), "{err:?}");
}

/// Issue 12, edge case: PHP servers put a UTF-8 byte order mark before the JSON. It is
/// removed in the core, before any decoder sees the body (it made every answer of a
/// non-repeatable operation "undecodable", so an unknown outcome).
#[tokio::test]
async fn a_utf8_bom_before_the_body_is_removed() {
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(br#"{"code":"200"}"#);
    let server = FaultServer::start(vec![Fault::Respond {
        status: 200,
        headers: vec![],
        body,
    }])
    .await;
    let c = client(&server.url());
    c.execute(&op(N), envelope_decoder).await.unwrap();
    let seen = c.execute(&op(N), |r| Ok(r.body.clone())).await.unwrap();
    assert_eq!(&seen[..], br#"{"code":"200"}"#);
    // Only a leading BOM is removed.
    let server = FaultServer::start(vec![Fault::json("x\u{feff}")]).await;
    let seen = client(&server.url())
        .execute(&op(R), |r| Ok(r.body.clone()))
        .await
        .unwrap();
    assert_eq!(&seen[..], "x\u{feff}".as_bytes());
}

/// Issue 12, item 9: a TLS handshake that never completes (a listener that accepts TCP and
/// stays silent) ran into the deadline and was reported as "may have been applied". The
/// request was never sent: it is a connect timeout, nothing sent, not an unknown outcome.
#[tokio::test]
async fn a_tls_handshake_that_never_completes_is_never_connected() {
    let server = FaultServer::start(vec![Fault::SilentConnection]).await;
    let c = client_with(&server.https_url(), Arc::new(NoAuth), |b| {
        b.deadline(Duration::from_millis(300))
    });
    let err = call(&c, N).await.unwrap_err();
    assert_transport(&err, TransportKind::ConnectTimeout);
    assert!(!err.outcome_unknown() && err.nothing_sent(), "{err:?}");
    assert!(err.to_string().contains("never connected"), "{err}");
    assert!(server.connections() >= 1);
    assert_eq!(server.requests(), 0);
    // The attempt timeout (shorter than the connect timeout) ends a connection attempt
    // the same way, and a non-repeatable request is then retried like a refused one.
    let server = FaultServer::start(vec![Fault::SilentConnection]).await;
    let c = client_with(&server.https_url(), Arc::new(NoAuth), |b| {
        b.attempt_timeout(Duration::from_millis(150))
    });
    let err = call(&c, N).await.unwrap_err();
    assert!(err.nothing_sent() && !err.outcome_unknown(), "{err:?}");
    assert_eq!(server.connections(), 3, "retried like a refused connection");
}

/// The control of the test above: a request that was sent (plain HTTP, read by a server
/// that stalls) is still an unknown outcome, on a new connection and on a pooled one
/// (which never passes through the connector).
#[tokio::test]
async fn a_stall_after_sending_is_still_outcome_unknown() {
    let server = FaultServer::start(vec![Fault::Stall]).await;
    let c = client_with(&server.url(), Arc::new(NoAuth), |b| {
        b.deadline(Duration::from_millis(300))
    });
    let err = call(&c, N).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(server.requests(), 1);

    let server = FaultServer::start(vec![Fault::json("{}"), Fault::Stall]).await;
    let c = client_with(&server.url(), Arc::new(NoAuth), |b| {
        b.deadline(Duration::from_millis(300))
    });
    call(&c, N).await.unwrap();
    let err = call(&c, N).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!((server.connections(), server.requests()), (1, 2), "pooled");
}

/// The env var a child run of [`environment_proxies_are_bypassed_for_loopback`] gets.
const PROXY_CHILD: &str = "VOXKIT_TEST_PROXY_CHILD";

/// Issue 12, edge case: reqwest honours `HTTP_PROXY`/`ALL_PROXY`, so a loopback base URL
/// (the sandbox) sent its credentials in plain HTTP to the proxy. Loopback base URLs now
/// bypass environment proxies; an explicit `proxy(..)` still applies. Environment
/// variables cannot be set in this process (`unsafe_code` is forbidden, and tests run in
/// threads), so this test runs itself again as a child process with the proxy variables
/// set, pointing at a loopback "proxy" that counts what it receives.
#[tokio::test]
async fn environment_proxies_are_bypassed_for_loopback() {
    let proxy = FaultServer::start(vec![Fault::json(r#"{"via":"proxy"}"#)]).await;
    let direct = FaultServer::start(vec![Fault::json(r#"{"via":"direct"}"#)]).await;
    if std::env::var_os(PROXY_CHILD).is_none() {
        let exe = std::env::current_exe().expect("test binary");
        let mut child = std::process::Command::new(exe);
        child
            .args([
                "--exact",
                "environment_proxies_are_bypassed_for_loopback",
                "--nocapture",
            ])
            .env(PROXY_CHILD, proxy.url())
            .env("HTTP_PROXY", proxy.url())
            .env("http_proxy", proxy.url())
            .env("ALL_PROXY", proxy.url())
            .env("all_proxy", proxy.url())
            .env_remove("NO_PROXY")
            .env_remove("no_proxy");
        // Off the runtime's thread: the parent's proxy keeps serving while the child runs.
        let output = tokio::task::spawn_blocking(move || child.output())
            .await
            .expect("join")
            .expect("run the child test");
        let shown = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "child run failed:\n{shown}");
        assert!(
            shown.contains("1 passed"),
            "the child ran the test:\n{shown}"
        );
        assert_eq!(
            proxy.requests(),
            0,
            "the environment's proxy received a request"
        );
        return;
    }
    // In the child: the environment names the parent's proxy, which must not be used.
    let c = client_with(&direct.url(), Arc::new(NoAuth), |b| {
        b.attempt_timeout(Duration::from_secs(5))
    });
    let via = call(&c, R).await.unwrap();
    assert_eq!(via, r#"{"via":"direct"}"#);
    assert_eq!(direct.requests(), 1);
    // An explicit proxy is the caller's choice and still applies.
    let c = client_with(&direct.url(), Arc::new(NoAuth), |b| {
        b.proxy(voxkit_core::reqwest::Proxy::http(proxy.url()).expect("proxy URL"))
    });
    assert_eq!(call(&c, R).await.unwrap(), r#"{"via":"proxy"}"#);
    assert_eq!(proxy.requests(), 1);
}

#[tokio::test]
async fn body_cap() {
    let server = FaultServer::start(vec![Fault::json(&"x".repeat(1000))]).await;
    let c = client_with(&server.url(), Arc::new(NoAuth), |b| {
        b.max_response_bytes(100)
    });
    let err = call(&c, R).await.unwrap_err();
    assert_transport(&err, TransportKind::BodyTooLarge);
    assert_eq!(server.requests(), 1, "an oversized body is not retried");
}

/// Regression: an oversized answer to a non-repeatable request used to be reported as a
/// plain transport error with a "known" outcome, although the server had read the request
/// and answered it (the recharge may well have been applied). It is an unknown outcome.
#[tokio::test]
async fn oversized_answer_to_a_non_repeatable_request_is_outcome_unknown() {
    let server = FaultServer::start(vec![Fault::json(&"x".repeat(1000))]).await;
    let c = client_with(&server.url(), Arc::new(NoAuth), |b| {
        b.max_response_bytes(100)
    });
    let err = call(&c, N).await.unwrap_err();
    assert_eq!(server.requests(), 1, "sent once, never again");
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(!err.is_retryable() && !err.nothing_sent(), "{err:?}");
    let Error::OutcomeUnknown { cause, .. } = &err else {
        unreachable!()
    };
    assert_transport(cause, TransportKind::BodyTooLarge);
}

#[tokio::test]
async fn every_attempt_is_signed_afresh() {
    struct Numbered;
    #[async_trait]
    impl Auth for Numbered {
        async fn authorize(&self, req: &mut HttpRequest, attempt: Attempt) -> Result<(), Error> {
            req.headers
                .insert("x-attempt", HeaderValue::from(attempt.number));
            Ok(())
        }
    }
    let server = FaultServer::start(vec![Fault::DropAfterRequest]).await;
    let c = client_with(&server.url(), Arc::new(Numbered), |b| b);
    let _ = call(&c, R).await;
    let seen: Vec<String> = server
        .received()
        .iter()
        .map(|raw| {
            let text = String::from_utf8_lossy(raw).to_ascii_lowercase();
            text.lines()
                .find_map(|l| l.strip_prefix("x-attempt: ").map(str::to_owned))
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(seen, ["1", "2", "3"]);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let elsewhere = serving(method("GET"), ResponseTemplate::new(200)).await;
    let server = serving(
        method("GET"),
        ResponseTemplate::new(302).insert_header("Location", format!("{}/steal", elsewhere.uri())),
    )
    .await;
    let err = call(&client(&server.uri()), R).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn user_agent_is_sent() {
    let server = FaultServer::start(vec![Fault::json("{}")]).await;
    call(&client(&server.url()), R).await.unwrap();
    let raw = String::from_utf8_lossy(&server.received()[0]).to_ascii_lowercase();
    assert!(
        raw.contains(&format!("user-agent: voxkit/{}", env!("CARGO_PKG_VERSION"))),
        "{raw}"
    );
}

#[tokio::test]
async fn a_supplied_reqwest_client_is_used() {
    let server = FaultServer::start(vec![Fault::json("{}")]).await;
    let own = voxkit_core::transport::http_client_builder()
        .unwrap()
        .pool_max_idle_per_host(1)
        .build()
        .unwrap();
    let c = client_with(&server.url(), Arc::new(NoAuth), |b| b.http_client(own));
    assert_eq!(call(&c, R).await.unwrap(), "{}");
    assert_eq!(server.requests(), 1);
    let raw = String::from_utf8_lossy(&server.received()[0]).to_ascii_lowercase();
    assert!(
        raw.contains("user-agent: voxkit/"),
        "our user agent is still sent"
    );
}

#[tokio::test]
async fn a_supplied_client_that_follows_redirects_is_caught() {
    let target = serving(
        method("GET"),
        ResponseTemplate::new(200).set_body_string("elsewhere"),
    )
    .await;
    let server = serving(
        method("GET"),
        ResponseTemplate::new(307).insert_header("Location", format!("{}/x", target.uri())),
    )
    .await;
    let following = voxkit_core::transport::http_client_builder()
        .unwrap()
        .redirect(voxkit_core::reqwest::redirect::Policy::limited(3))
        .build()
        .unwrap();
    let c = client_with(&server.uri(), Arc::new(NoAuth), |b| {
        b.http_client(following).retry_policy(RetryPolicy::none())
    });
    let err = call(&c, R).await.unwrap_err();
    assert!(
        err.to_string().contains("followed a redirect") || format!("{err:?}").contains("redirect"),
        "{err:?}"
    );
}

/// Errors a provider decoder builds from a body never keep the client's secrets, even when
/// the decoder itself did not scrub them.
#[tokio::test]
async fn decoder_errors_are_scrubbed_of_secrets() {
    struct Secret;
    #[async_trait]
    impl Auth for Secret {
        async fn authorize(&self, _: &mut HttpRequest, _: Attempt) -> Result<(), Error> {
            Ok(())
        }
        fn redact(&self) -> Vec<&str> {
            vec!["SENTINEL-TOKEN"]
        }
    }
    let server = serving(
        path("/v1/decode"),
        ResponseTemplate::new(200).set_body_string("<html>SENTINEL-TOKEN</html>"),
    )
    .await;
    Mock::given(path("/v1/api"))
        .respond_with(ResponseTemplate::new(401).set_body_string("bad token SENTINEL-TOKEN"))
        .mount(&server)
        .await;
    let c = client_with(&server.uri(), Arc::new(Secret), |b| b);
    let naive = |r: &voxkit_core::HttpResponse| -> Result<(), Error> {
        let text = String::from_utf8_lossy(&r.body).into_owned();
        if r.status.is_success() {
            Err(Error::Decode {
                origin: voxkit_core::Origin::new("test", "op"),
                message: format!("unexpected {text}"),
                excerpt: text,
            })
        } else {
            Err(Error::api(
                voxkit_core::Origin::new("test", "op"),
                None,
                text,
            ))
        }
    };
    for p in ["v1/decode", "v1/api"] {
        let op = Operation::new("op", Method::GET, Path::root().lit(p), R);
        let err = c.execute(&op, naive).await.unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("SENTINEL"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }
}

/// A 2xx answer the decoder cannot read, to a request that moves money: the server did
/// answer, so the request may have been applied — outcome unknown, not a plain decode error.
/// The same answer to a read stays a decode error (and is retried).
#[tokio::test]
async fn an_undecodable_answer_to_a_non_repeatable_request_is_outcome_unknown() {
    let server = serving(
        path("/v1/thing"),
        ResponseTemplate::new(200).set_body_string("<html>proxy page</html>"),
    )
    .await;
    let c = client(&server.uri());
    let strict = |r: &voxkit_core::HttpResponse| -> Result<(), Error> {
        Err(Error::Decode {
            origin: voxkit_core::Origin::new("test", "op"),
            message: "not JSON".into(),
            excerpt: String::from_utf8_lossy(&r.body).into_owned(),
        })
    };
    let err = c.execute(&op(N), strict).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(
        matches!(&err, Error::OutcomeUnknown { cause, .. } if matches!(**cause, Error::Decode { .. }))
    );
    assert_eq!(
        err.to_string(),
        "test op: outcome unknown, the request may have been applied (could not decode the response: not JSON; body starts: <html>proxy page</html>); check before retrying"
    );
    let err = c.execute(&op(R), strict).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

/// The lean transport behaves as the reqwest one where it matters: answers and their
/// bodies, nothing-sent on a refused connection, maybe-sent on a dropped one, the body cap.
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc-rs"))]
mod hyper_transport {
    use super::*;
    use voxkit_core::transport::HyperTransport;

    fn lean(url: &str, max_body: usize) -> Client {
        let transport = Arc::new(HyperTransport::new(Duration::from_secs(5)).unwrap());
        client_with(url, Arc::new(NoAuth), move |b| {
            b.transport(transport).max_response_bytes(max_body)
        })
    }

    #[tokio::test]
    async fn answers_come_back_with_headers_and_body() {
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .and(path("/v1/thing"))
            .and(wiremock::matchers::header(
                "user-agent",
                voxkit_core::USER_AGENT_DEFAULT,
            ))
            .and(wiremock::matchers::body_string(r#"{"amount":1}"#))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("x-answer", "yes")
                    .set_body_string("x".repeat(300_000)),
            )
            .expect(1)
            .mount(&server)
            .await;
        let c = lean(&server.uri(), 1 << 20);
        let (status, header, len) = c
            .execute(&op(N), |r| {
                Ok((
                    r.status.as_u16(),
                    r.headers.get("x-answer").cloned(),
                    r.body.len(),
                ))
            })
            .await
            .unwrap();
        assert_eq!((status, len), (200, 300_000));
        assert_eq!(header.unwrap(), "yes");
    }

    #[tokio::test]
    async fn refused_is_nothing_sent_and_dropped_is_outcome_unknown() {
        let err = lean(&refused_url().await, 1 << 20)
            .execute(&op(N), |_| Ok(()))
            .await
            .unwrap_err();
        assert_transport(&err, TransportKind::Connect);
        let server = FaultServer::start(vec![Fault::DropAfterRequest]).await;
        let err = lean(&server.url(), 1 << 20)
            .execute(&op(N), |_| Ok(()))
            .await
            .unwrap_err();
        assert!(err.outcome_unknown(), "{err:?}");
        assert_eq!(server.requests(), 1);
    }

    /// Issue 12, item 9, for the lean transport: a TLS handshake that never completes is
    /// "never connected" (hyper-util's own connect timeout covers TCP only), and a stall
    /// after sending, on a new or a pooled connection, is still an unknown outcome.
    #[tokio::test]
    async fn a_tls_handshake_that_never_completes_is_never_connected() {
        let server = FaultServer::start(vec![Fault::SilentConnection]).await;
        let transport = Arc::new(HyperTransport::new(Duration::from_secs(5)).unwrap());
        let c = client_with(&server.https_url(), Arc::new(NoAuth), move |b| {
            b.transport(transport).deadline(Duration::from_millis(300))
        });
        let err = call(&c, N).await.unwrap_err();
        assert_transport(&err, TransportKind::ConnectTimeout);
        assert!(!err.outcome_unknown() && err.nothing_sent());
        assert_eq!(server.requests(), 0);
        // The connect timeout bounds the TLS handshake too.
        let server = FaultServer::start(vec![Fault::SilentConnection]).await;
        let transport = Arc::new(HyperTransport::new(Duration::from_millis(100)).unwrap());
        let c = client_with(&server.https_url(), Arc::new(NoAuth), move |b| {
            b.transport(transport)
        });
        let err = call(&c, N).await.unwrap_err();
        assert!(err.nothing_sent() && !err.outcome_unknown(), "{err:?}");
        assert_eq!(server.connections(), 3);

        let server = FaultServer::start(vec![Fault::json("{}"), Fault::Stall]).await;
        let transport = Arc::new(HyperTransport::new(Duration::from_secs(5)).unwrap());
        let c = client_with(&server.url(), Arc::new(NoAuth), move |b| {
            b.transport(transport).deadline(Duration::from_millis(300))
        });
        call(&c, N).await.unwrap();
        let err = call(&c, N).await.unwrap_err();
        assert!(err.outcome_unknown(), "{err:?}");
        assert_eq!((server.connections(), server.requests()), (1, 2));
    }

    #[tokio::test]
    async fn bodies_over_the_cap_are_refused() {
        let server = serving(
            method("GET"),
            ResponseTemplate::new(200).set_body_string("y".repeat(5000)),
        )
        .await;
        let err = lean(&server.uri(), 1000)
            .execute(&op(R), |_| Ok(()))
            .await
            .unwrap_err();
        assert_transport(&err, TransportKind::BodyTooLarge);
    }
}

/// A signer that sends its clock offset as `x-offset` and, told `-16` (timestamp refused)
/// by an answer carrying the server's `Date`, takes the offset from it and asks to sign
/// again: Laaffic's clock-skew correction in miniature. Counts the times it was asked.
struct SkewSigner {
    offset: std::sync::atomic::AtomicI64,
    asked: AtomicU32,
}

impl SkewSigner {
    fn new() -> Arc<Self> {
        Arc::new(SkewSigner {
            offset: std::sync::atomic::AtomicI64::new(0),
            asked: AtomicU32::new(0),
        })
    }
}

#[async_trait]
impl Auth for SkewSigner {
    async fn authorize(&self, req: &mut HttpRequest, _: Attempt) -> Result<(), Error> {
        let offset = self.offset.load(Ordering::SeqCst);
        req.headers.insert("x-offset", HeaderValue::from(offset));
        Ok(())
    }

    fn after_answer(
        &self,
        response: &voxkit_core::HttpResponse,
        error: &Error,
        _: Attempt,
    ) -> Option<voxkit_core::auth::Resign> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        if error.api_code() != Some("-16") || !response.headers.contains_key("date") {
            return None;
        }
        self.offset.fetch_add(30, Ordering::SeqCst);
        Some(voxkit_core::auth::Resign)
    }
}

/// The `x-offset` each request carried.
fn offsets(server: &FaultServer) -> Vec<String> {
    server
        .received()
        .iter()
        .map(|raw| {
            let text = String::from_utf8_lossy(raw).to_ascii_lowercase();
            text.lines()
                .find_map(|l| l.strip_prefix("x-offset: ").map(str::to_owned))
                .unwrap_or_default()
        })
        .collect()
}

fn refused_for_skew(status: u16) -> Fault {
    Fault::Respond {
        status,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Date".into(), "Wed, 01 Sep 2021 04:00:00 GMT".into()),
        ],
        body: br#"{"code":"-16"}"#.to_vec(),
    }
}

async fn call_enveloped(client: &Client, idempotency: Idempotency) -> Result<(), Error> {
    client.execute(&op(idempotency), envelope_decoder).await
}

/// One call refused for its timestamp (in a 200) through a [`SkewSigner`] client with the
/// default policy: asserts the refusal is the call's error; the server and the signer are
/// left for the caller to count.
async fn refused_for_skew_with_a_signer(
    idempotency: Idempotency,
) -> (FaultServer, Arc<SkewSigner>) {
    let server = FaultServer::start(vec![refused_for_skew(200)]).await;
    let signer = SkewSigner::new();
    let c = client_with(&server.url(), signer.clone(), |b| b);
    let err = call_enveloped(&c, idempotency).await.unwrap_err();
    assert_eq!(err.api_code(), Some("-16"), "{err:?}");
    (server, signer)
}

/// The clock-skew hook: a repeatable call refused for its timestamp (in a 200 or in an
/// error status) is signed again and sent once more, inside core's one loop, even with a
/// policy that never retries; the second attempt carries the corrected signature.
#[tokio::test]
async fn a_signer_that_corrects_itself_gets_one_resigned_attempt() {
    for status in [200u16, 401] {
        let server = FaultServer::start(vec![
            refused_for_skew(status),
            Fault::json(r#"{"code":"200"}"#),
        ])
        .await;
        let signer = SkewSigner::new();
        let c = client_with(&server.url(), signer.clone(), |b| {
            b.retry_policy(RetryPolicy::none())
        });
        call_enveloped(&c, R).await.unwrap();
        assert_eq!(offsets(&server), ["0", "30"], "status {status}");
        assert_eq!(signer.asked.load(Ordering::SeqCst), 1);
    }
}

/// At most once per call: a signer that keeps asking does not loop, and the refusal is
/// the call's error.
#[tokio::test]
async fn the_resigned_attempt_is_granted_once_per_call() {
    let (server, signer) = refused_for_skew_with_a_signer(R).await;
    assert_eq!(offsets(&server), ["0", "30"]);
    assert_eq!(signer.asked.load(Ordering::SeqCst), 1);
}

/// Never for a non-repeatable operation: the signer is not even asked, the request is
/// sent once and its refusal stands.
#[tokio::test]
async fn a_non_repeatable_call_is_never_resigned() {
    let (server, signer) = refused_for_skew_with_a_signer(N).await;
    assert_eq!(server.requests(), 1);
    assert_eq!(signer.asked.load(Ordering::SeqCst), 0);
}

/// The default hook changes nothing: a refusal in a 200 ends the call after one request.
#[tokio::test]
async fn without_a_hook_a_refusal_ends_the_call() {
    let server = FaultServer::start(vec![refused_for_skew(200)]).await;
    let err = call_enveloped(&client(&server.url()), R).await.unwrap_err();
    assert_eq!(err.api_code(), Some("-16"), "{err:?}");
    assert_eq!(server.requests(), 1);
}
