//! Path and input safety: hostile values (`..`, `/`, `%2e%2e`, `?`, `#`, spaces, control
//! characters, 10 KB strings, non-ASCII, ...) given to every operation that takes an
//! identifier are either refused before anything is sent, or encoded so that the request
//! stays inside its documented route — checked on the request the server actually read.
//!
//! - longlonglong's path identifiers ([`UserId`], [`SubUserId`]) accept UUIDs only: every
//!   hostile value is refused when parsed (and when deserialized).
//! - Below the types, core's `Path::param` is what builds those paths: with a hostile value
//!   in any parameter of any sandbox route, the URL keeps the route's segments, decodes back
//!   to the value, has no query or fragment, matches that route and no other, and goes on
//!   the wire exactly so.
//! - Query filters and body fields (longlonglong's sub-account filters and remarks, every
//!   ESP-AI identifier, code and phone, which travel in JSON bodies) are refused by the
//!   validators or arrive intact in the query or body of the documented route.

#![cfg(all(feature = "longlonglong", feature = "laaffic", feature = "espai"))]

use std::sync::Arc;

use serde_json::Value;
use voxkit::core::fault::{Fault, FaultServer};
use voxkit::core::reqwest::{Method, Url};
use voxkit::core::{Client, Error, Idempotency, NoAuth, Operation, Origin, Path};
use voxkit::espai::{BalanceLogQuery, CardFilter, CardKey};
use voxkit::longlonglong::{SubAccountQuery, SubUserId, UserId};
use voxkit_sandbox::{ROUTES, Route};

const UUID: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";

/// The hostile values.
fn hostile() -> Vec<String> {
    let mut values: Vec<String> = [
        "",
        ".",
        "..",
        "...",
        "/",
        "//",
        "../admin",
        "..\\admin",
        "a/../../b",
        "%2e%2e",
        "%2E%2E%2F",
        ".%2e",
        "%2e.",
        "..%2f..%2f",
        "..;/",
        "%00",
        "%",
        "%zz",
        "?",
        "a?b=1&c=2",
        "#",
        "a#frag",
        " ",
        " leading",
        "trailing ",
        "a b",
        "a+b",
        "a&b=c",
        "\t",
        "\n",
        "\r\nX-Injected: 1",
        "\0",
        "\u{7f}",
        "\u{1b}[31m",
        "用户",
        "ü",
        "\u{202e}txt.exe",
        "\u{feff}",
        "１２３",
        "~",
        "*",
        "'\"<>`|;",
        "5433b412-07d5-44e6-9fa4-deb65e43bc93/..",
        "5433b412-07d5-44e6-9fa4-deb65e43bc93%2F..",
        "5433b412-07d5-44e6-9fa4-deb65e43bc93?x=1",
        "5433b412-07d5-44e6-9fa4-deb65e43bc93#x",
        " 5433b412-07d5-44e6-9fa4-deb65e43bc93",
        "5433b412-07d5-44e6-9fa4-deb65e43bc93\n",
        "5433b412%2D07d5-44e6-9fa4-deb65e43bc93",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    values.push("x".repeat(10 * 1024));
    values.push("é".repeat(5 * 1024));
    values.push("../".repeat(3 * 1024));
    values
}

// ----- longlonglong's identifiers --------------------------------------------------------

#[test]
fn longlonglong_ids_refuse_every_hostile_value() {
    for value in hostile() {
        let errors = [
            UserId::parse(&value).err(),
            SubUserId::parse(&value).err(),
            value.parse::<UserId>().err(),
            UserId::try_from(value.clone()).err(),
            SubUserId::try_from(value.as_str()).err(),
        ];
        for err in errors {
            let err = err.unwrap_or_else(|| panic!("{value:?} was accepted as an id"));
            assert!(err.nothing_sent(), "{value:?}: {err:?}");
            assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
            let shown = err.to_string();
            assert!(shown.len() < 400, "the message echoes the whole value");
            assert!(!shown.chars().any(char::is_control), "{shown:?}");
        }
        assert!(serde_json::from_value::<UserId>(Value::String(value.clone())).is_err());
        assert!(serde_json::from_value::<SubUserId>(Value::String(value.clone())).is_err());
    }
    // The control: a UUID is accepted.
    assert!(UserId::parse(UUID).is_ok() && SubUserId::parse(UUID).is_ok());
}

// ----- core's path parameters, on every sandbox route ------------------------------------

/// The path of `route` with `value` in parameter number `at` and a UUID in the others.
fn route_path(route: &Route, at: usize, value: &str) -> Result<Path, Error> {
    let origin = Origin::new("test", "path");
    let mut path = Path::root();
    let mut param = 0;
    for segment in route.template.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('{') {
            path = path.param(origin, if param == at { value } else { UUID })?;
            param += 1;
        } else {
            path = path.lit(segment);
        }
    }
    Ok(path)
}

fn params(route: &Route) -> usize {
    route.template.matches('{').count()
}

/// Percent-decodes a path segment.
fn decode_segment(segment: &str) -> Vec<u8> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            let hex = std::str::from_utf8(&bytes[i + 1..(i + 3).min(bytes.len())]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Checks that `path` (without the base prefix) is `route` with `value` in parameter `at`.
fn assert_inside(route: &Route, at: usize, value: &str, path: &str) {
    let template: Vec<&str> = route.template.split('/').collect();
    let got: Vec<&str> = path.split('/').collect();
    assert_eq!(
        got.len(),
        template.len(),
        "{value:?} changed the shape of {}: {path}",
        route.template
    );
    let mut param = 0;
    for (want, segment) in template.iter().zip(&got) {
        assert!(*segment != "." && *segment != "..", "dot segment in {path}");
        if want.starts_with('{') {
            let expected = if param == at { value } else { UUID };
            assert_eq!(
                decode_segment(segment),
                expected.as_bytes(),
                "{segment} does not decode to {expected:?}"
            );
            assert!(
                segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)),
                "unencoded byte in {segment}"
            );
            param += 1;
        } else {
            assert_eq!(segment, want, "{path}");
        }
    }
    let matching: Vec<&str> = ROUTES
        .iter()
        .filter(|r| r.method == route.method && r.matches(path))
        .map(|r| r.name)
        .collect();
    assert_eq!(matching, [route.name], "{path}");
}

/// An empty `200` (one write: a separate body write would wait on Nagle's algorithm and
/// the client's delayed ACK, 40 ms a request). What is checked is the request, not this.
fn empty_200() -> Fault {
    Fault::Respond {
        status: 200,
        headers: vec![],
        body: vec![],
    }
}

/// The request line and body of a raw request.
fn split_request(raw: &[u8]) -> (String, String, Vec<u8>) {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let line = head.lines().next().unwrap_or_default().to_owned();
    let mut parts = line.splitn(3, ' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    (method, target, raw[end + 4..].to_vec())
}

#[tokio::test]
async fn path_parameters_stay_inside_their_route_on_the_wire() {
    let http = http();
    let behind_proxy = Client::builder("test", "http://127.0.0.1:9")
        .base_url("http://127.0.0.1:9/proxy/voxkit")
        .http_client(http.clone())
        .build(Arc::new(NoAuth))
        .expect("client");
    let routes: Vec<&Route> = ROUTES.iter().filter(|r| params(r) > 0).collect();
    assert!(routes.len() >= 9, "the sandbox routes with path parameters");
    let (mut refused, mut sent) = (0, 0);
    for value in hostile() {
        // A server per value: `received()` copies every request read so far.
        let server = FaultServer::start(vec![empty_200()]).await;
        let on_wire = Client::builder("test", "http://127.0.0.1:9")
            .base_url(server.url())
            .http_client(http.clone())
            .build(Arc::new(NoAuth))
            .expect("client");
        for route in &routes {
            let method = Method::from_bytes(route.method.as_bytes()).expect("a method");
            for at in 0..params(route) {
                let path = match route_path(route, at, &value) {
                    Ok(path) => path,
                    Err(err) => {
                        // Only the values URL normalisation would resolve are refused.
                        assert!(["", ".", ".."].contains(&value.as_str()), "{value:?}");
                        assert!(err.nothing_sent(), "{err:?}");
                        refused += 1;
                        continue;
                    }
                };
                let op = Operation::new("path", method.clone(), path, Idempotency::Repeatable);
                let url: Url = behind_proxy.url(&op);
                assert!(url.query().is_none() && url.fragment().is_none(), "{url}");
                let inside = url
                    .path()
                    .strip_prefix("/proxy/voxkit")
                    .unwrap_or_else(|| panic!("{value:?} left the base path: {url}"));
                assert_inside(route, at, &value, inside);

                // And on the wire, exactly so.
                let before = server.requests();
                on_wire
                    .execute(&op, |_| Ok(()))
                    .await
                    .unwrap_or_else(|e| panic!("{value:?}: {e}"));
                assert_eq!(server.requests(), before + 1);
                let raw = server.received().pop().expect("a request");
                let (got_method, target, _) = split_request(&raw);
                assert_eq!(got_method, route.method);
                assert_eq!(target, on_wire.url(&op).path(), "{value:?}");
                assert_inside(route, at, &value, &target);
                sent += 1;
            }
        }
    }
    eprintln!(
        "path safety: {sent} hostile path parameters sent inside their route, {refused} refused"
    );
}

// ----- query filters and body fields ------------------------------------------------------

/// One `reqwest::Client` for a whole test: building one loads the platform's roots.
fn http() -> voxkit::core::reqwest::Client {
    voxkit::core::transport::http_client_builder()
        .expect("TLS set-up")
        .build()
        .expect("client")
}

fn clients(
    url: &str,
    http: &voxkit::core::reqwest::Client,
) -> (voxkit::longlonglong::Client, voxkit::espai::Client) {
    let policy = voxkit::core::RetryPolicy::none();
    (
        voxkit::longlonglong::Client::builder()
            .token("t")
            .base_url(url)
            .retry_policy(policy.clone())
            .http_client(http.clone())
            .build()
            .expect("client"),
        voxkit::espai::Client::builder()
            .api_key("k")
            .base_url(url)
            .retry_policy(policy)
            .http_client(http.clone())
            .build()
            .expect("client"),
    )
}

/// The ways an identifier reaches an ESP-AI request, with the route and the JSON pointer
/// of its field in the body.
const ESPAI_FIELDS: &[(&str, &str, &str)] = &[
    ("card: phone", "/cdkey/detail", "/phone"),
    ("card: code", "/cdkey/detail", "/code"),
    ("destroy: id", "/cdkey/destroy", "/0/id"),
    ("balance_logs: id", "/cdkey/balance_logs", "/0/id"),
    ("list_cards: id", "/cdkey/list", "/id"),
    ("list_cards: code", "/cdkey/list", "/code"),
    ("list_cards: user_name", "/cdkey/list", "/user_name"),
    ("list_cards: user_phone", "/cdkey/list", "/user_phone"),
    ("transfer: source phone", "/cdkey/transfer", "/phone"),
    ("transfer: target code", "/cdkey/transfer", "/target_code"),
];

async fn espai_call(c: &voxkit::espai::Client, field: &str, v: &str) -> Result<(), Error> {
    let paid = || CardKey::new("15916888888", "wNaa1GDw");
    let other = || CardKey::new("17516888888", "3AoPbLSQ");
    match field {
        "card: phone" => c.card(&CardKey::new(v, "wNaa1GDw")).await.map(drop),
        "card: code" => c.card(&CardKey::new("15916888888", v)).await.map(drop),
        "destroy: id" => c.destroy(&[v]).await.map(drop),
        "balance_logs: id" => c.balance_logs(&BalanceLogQuery::card(v)).await.map(drop),
        "list_cards: id" => c.list_cards(&CardFilter::new().id(v)).await.map(drop),
        "list_cards: code" => c.list_cards(&CardFilter::new().code(v)).await.map(drop),
        "list_cards: user_name" => c
            .list_cards(&CardFilter::new().user_name(v))
            .await
            .map(drop),
        "list_cards: user_phone" => c
            .list_cards(&CardFilter::new().user_phone(v))
            .await
            .map(drop),
        "transfer: source phone" => c
            .transfer(&CardKey::new(v, "wNaa1GDw"), &other(), 1)
            .await
            .map(drop),
        "transfer: target code" => c
            .transfer(&paid(), &CardKey::new("17516888888", v), 1)
            .await
            .map(drop),
        other => panic!("no call for {other}"),
    }
}

#[tokio::test]
async fn espai_identifiers_are_refused_or_arrive_intact_in_the_documented_route() {
    let http = http();
    let (mut refused, mut sent) = (0, 0);
    for value in hostile() {
        let server = FaultServer::start(vec![empty_200()]).await;
        let (_, c) = clients(&server.url(), &http);
        for (field, route, pointer) in ESPAI_FIELDS {
            let before = server.requests();
            let result = espai_call(&c, field, &value).await;
            if server.requests() == before {
                let err = result.expect_err("nothing was sent, so it was refused");
                assert!(
                    matches!(err, Error::InvalidInput { .. }) && err.nothing_sent(),
                    "{field} {value:?}: {err:?}"
                );
                refused += 1;
                continue;
            }
            assert_eq!(
                server.requests(),
                before + 1,
                "{field} {value:?}: sent once"
            );
            let raw = server.received().pop().expect("a request");
            let (method, target, body) = split_request(&raw);
            assert_eq!(
                (method.as_str(), target.as_str()),
                ("POST", *route),
                "{value:?}"
            );
            let body: Value = serde_json::from_slice(&body).expect("a JSON body");
            assert_eq!(
                body.pointer(pointer),
                Some(&Value::String(value.clone())),
                "{field}: {body}"
            );
            sent += 1;
        }
    }
    assert!(refused > 0 && sent > 0);
    eprintln!("path safety: ESP-AI fields: {refused} hostile values refused, {sent} sent intact");
}

#[tokio::test]
async fn longlonglong_filters_and_remarks_arrive_intact_in_the_documented_route() {
    let http = http();
    let user: UserId = UUID.parse().expect("a UUID");
    let mut sent = 0;
    for value in hostile() {
        let server = FaultServer::start(vec![empty_200()]).await;
        let (c, _) = clients(&server.url(), &http);
        // Query filters: the path stays the route's, the query decodes to the value. (All
        // three filters of a 10 KB value would pass the fault server's 64 KB head limit.)
        let keys: &[&str] = if value.len() < 1024 {
            &["name", "email", "phone"]
        } else {
            &["name"]
        };
        let mut query = SubAccountQuery::new().name(value.clone());
        if keys.len() == 3 {
            query = query.email(value.clone()).phone(value.clone());
        }
        let before = server.requests();
        let _ = c.sub_accounts(&user, &query).await; // the empty answer does not decode
        assert_eq!(server.requests(), before + 1, "{value:?}: sent once");
        let (method, target, _) = split_request(&server.received().pop().expect("request"));
        let url = Url::parse(&format!("http://h{target}")).expect("a request target");
        assert_eq!(method, "GET");
        assert_eq!(url.path(), format!("/agent-api/user/{UUID}/subset_users"));
        assert!(url.fragment().is_none(), "{target}");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let expected: Vec<(String, String)> = keys
            .iter()
            .map(|k| ((*k).to_owned(), value.clone()))
            .collect();
        assert_eq!(pairs, expected, "{target}");

        // A remark: in the JSON body of the recharge route.
        let _ = c.recharge(&user, 1, Some(&value)).await;
        assert_eq!(server.requests(), before + 2, "{value:?}: sent once");
        let (method, target, body) = split_request(&server.received().pop().expect("request"));
        assert_eq!(
            (method.as_str(), target.as_str()),
            ("PUT", format!("/agent-api/user/{UUID}/recharge").as_str())
        );
        let body: Value = serde_json::from_slice(&body).expect("a JSON body");
        assert_eq!(body["remark"], Value::String(value.clone()));
        sent += 2;
    }
    eprintln!("path safety: longlonglong filters and remarks: {sent} requests, all intact");
}
