//! Secret hygiene: every client and every request type holding a credential or a password
//! is built with sentinel values; every operation of every provider runs to success (the
//! sandbox) and through every error path (the fault server: provider errors and error pages
//! echoing the credentials, bodies that cannot be decoded, dropped connections, timeouts,
//! unknown outcomes, oversized answers, refused connections; invalid input; configuration
//! errors) under a `tracing` subscriber capturing everything at TRACE. The sentinels must
//! appear nowhere: not in the captured logs, not in the `Debug` or `Display` of clients,
//! builders, requests and errors (their sources included).
//!
//! (The CLI's output is checked by the CLI's own tests.)

#![cfg(all(feature = "longlonglong", feature = "laaffic", feature = "espai"))]

mod common;

use std::time::Duration;

use tracing_subscriber::fmt::format::FmtSpan;
use voxkit::core::Error;
use voxkit::core::fault::{Fault, FaultServer, refused_url};
use voxkit::espai::CardKey;
use voxkit::longlonglong::{NewSubAccount, NewUser};
use voxkit::{espai, laaffic, longlonglong};
use voxkit_sandbox::Sandbox;

use common::ops::{call, hooks, sandbox_inputs};
use common::{Capture, Counting, Credentials, SANDBOX, Settings, clients_as, drive, http_client};

const TOKEN: &str = "SENTINEL-TOKEN-7f3a";
const DIALOGUE_TOKEN: &str = "SENTINEL-DIALOGUE-TOKEN-3c8e";
const LAAFFIC_KEY: &str = "SENTINEL-KEY-2b91";
const LAAFFIC_SECRET: &str = "SENTINEL-SECRET-c40d";
const ESPAI_KEY: &str = "SENTINEL-OPENKEY-9e17";
const PASSWORD: &str = "SENTINEL-PASSWORD-51aa";

const SENTINEL_CREDENTIALS: Credentials = Credentials {
    token: TOKEN,
    dialogue_token: DIALOGUE_TOKEN,
    laaffic_key: LAAFFIC_KEY,
    laaffic_secret: LAAFFIC_SECRET,
    espai_key: ESPAI_KEY,
};

/// Everything that must never be shown: the sentinels, and the sandbox's credentials used
/// on the success path.
const NEVER_SHOWN: &[&str] = &[
    TOKEN,
    DIALOGUE_TOKEN,
    LAAFFIC_KEY,
    LAAFFIC_SECRET,
    ESPAI_KEY,
    PASSWORD,
    voxkit_sandbox::LONGLONGLONG_TOKEN,
    voxkit_sandbox::LONGLONGLONG_DIALOGUE_TOKEN,
    voxkit_sandbox::LAAFFIC_API_KEY,
    voxkit_sandbox::LAAFFIC_API_SECRET,
    voxkit_sandbox::ESPAI_OPEN_API_KEY,
];

/// What a server that echoes the credentials it received from `provider`'s client sends
/// back. (A client can scrub its own credentials only: it does not know the others'.)
fn echo(provider: &str) -> String {
    match provider {
        "longlonglong" => format!("bearer token={TOKEN}"),
        "longlonglong-dialogue" => format!("bearer token={DIALOGUE_TOKEN}"),
        "laaffic" => format!("key={LAAFFIC_KEY} secret={LAAFFIC_SECRET}"),
        _ => format!("open_api_key={ESPAI_KEY}"),
    }
}

/// The faults of the error paths, each served to every operation of `provider`.
fn faults(provider: &str) -> Vec<(&'static str, Option<Fault>)> {
    let echo = echo(provider);
    // One of the credentials of `provider`'s client, alone.
    let own = match provider {
        "longlonglong" => TOKEN,
        "longlonglong-dialogue" => DIALOGUE_TOKEN,
        "laaffic" => LAAFFIC_SECRET,
        _ => ESPAI_KEY,
    };
    let html = |status: u16, extra: Vec<(String, String)>| {
        let mut headers = vec![("Content-Type".to_owned(), "text/html".to_owned())];
        headers.extend(extra);
        Some(Fault::Respond {
            status,
            headers,
            body: format!("<html><body><h1>{status}</h1><p>{echo}</p></body></html>").into_bytes(),
        })
    };
    let json = |body: String| Some(Fault::json(&body));
    vec![
        ("connection refused", None),
        ("dropped after the request", Some(Fault::DropAfterRequest)),
        ("stall past the attempt timeout", Some(Fault::Stall)),
        (
            "truncated body",
            Some(Fault::Truncated {
                status: 200,
                declared: 4096,
                body: echo.clone().into_bytes(),
            }),
        ),
        ("HTML 200 echoing the credentials", html(200, vec![])),
        ("HTML 401 echoing the credentials", html(401, vec![])),
        ("HTML 502 echoing the credentials", html(502, vec![])),
        (
            "503 with Retry-After echoing the credentials",
            html(503, vec![("Retry-After".into(), "1".into())]),
        ),
        ("429 echoing the credentials", html(429, vec![])),
        (
            "oversized answer",
            json(format!(r#"{{"pad":"{}"}}"#, echo.repeat(200))),
        ),
        (
            "longlonglong error echoing the credentials",
            json(format!(
                r#"{{"code":"{own}","status":"error","message":"{echo}","data":[]}}"#
            )),
        ),
        (
            "longlonglong success whose data holds the credentials",
            json(format!(
                r#"{{"code":200,"status":"success","message":"{echo}","data":{{"id":"{own}","x":["{echo}"]}}}}"#
            )),
        ),
        (
            "laaffic error echoing the credentials",
            json(format!(r#"{{"status":"-1","reason":"{echo}"}}"#)),
        ),
        (
            "laaffic -16 echoing the credentials (clock correction)",
            Some(Fault::Respond {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), "application/json".into()),
                    ("Date".into(), "Wed, 01 Sep 2021 04:00:00 GMT".into()),
                ],
                body: format!(r#"{{"status":"-16","reason":"{echo}"}}"#).into_bytes(),
            }),
        ),
        (
            "laaffic success whose fields hold the credentials",
            json(format!(
                r#"{{"status":"0","reason":"{echo}","balance":"{own}","gift":"0","credit":"0"}}"#
            )),
        ),
        (
            "espai error echoing the credentials",
            json(format!(
                r#"{{"success":false,"message":"{echo}","code":"{own}"}}"#
            )),
        ),
        (
            "espai success whose data holds the credentials",
            json(format!(
                r#"{{"success":true,"message":"{echo}","data":{{"id":"{own}","api_limit":"{own}"}}}}"#
            )),
        ),
    ]
}

/// Every text an error shows: `Display`, `Debug`, and those of its sources.
fn texts_of(error: &Error) -> Vec<String> {
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        texts.push(s.to_string());
        texts.push(format!("{s:?}"));
        source = s.source();
    }
    texts
}

fn settings() -> Settings {
    Settings {
        attempt_timeout: Duration::from_secs(2),
        deadline: Some(Duration::from_secs(30)),
        max_response_bytes: 4096,
    }
}

/// The tests of this file run one at a time: the first one captures the whole process's
/// `tracing` output and must not see (nor miss, through callsite interest caching) the
/// calls of the others.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(start_paused = true)]
async fn sentinels_never_show_in_logs_debug_display_or_errors() {
    let _serial = SERIAL.lock().await;
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let http = http_client();
    let mut shown: Vec<(String, String)> = Vec::new();
    let mut show = |what: String, text: String| shown.push((what, text));

    // ----- builders, clients, requests ---------------------------------------------------
    let lll_builder = longlonglong::Client::builder().token(TOKEN);
    let laf_builder = laaffic::Client::builder().credentials(LAAFFIC_KEY, LAAFFIC_SECRET);
    let esp_builder = espai::Client::builder().api_key(ESPAI_KEY);
    show(
        "builders".into(),
        format!("{lll_builder:?} {laf_builder:?} {esp_builder:?}"),
    );
    let lll = lll_builder.build().expect("client");
    let laf = laf_builder.build().expect("client");
    let esp = esp_builder.build().expect("client");
    show(
        "clients".into(),
        format!(
            "{lll:?} {laf:?} {esp:?} {:?} {:?} {:?}",
            lll.core(),
            laf.core(),
            esp.core()
        ),
    );
    let sub = NewSubAccount::new("子账户", "sub@example.com", "123", PASSWORD).alias("a");
    let user = NewUser::new("用户", "user@example.com", "123", PASSWORD).tenant_id("t1");
    show("requests".into(), format!("{sub:?} {user:?}"));

    // ----- configuration errors: credentials that cannot be sent ------------------------
    for err in [
        longlonglong::Client::new(format!("{TOKEN}\n{TOKEN}")).map(drop),
        longlonglong::Client::new(format!("Bearer\u{0}{TOKEN}")).map(drop),
        laaffic::Client::new(format!("{LAAFFIC_KEY}\r\nX"), LAAFFIC_SECRET).map(drop),
        laaffic::Client::new(LAAFFIC_KEY, "").map(drop),
        espai::Client::new(format!("{ESPAI_KEY}\u{7f}")).map(drop),
        longlonglong::Client::builder()
            .token(TOKEN)
            .base_url("http://example.com")
            .build()
            .map(drop),
    ]
    .into_iter()
    .filter_map(Result::err)
    {
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        for text in texts_of(&err) {
            show("configuration error".into(), text);
        }
    }

    // ----- success: every operation against the sandbox ----------------------------------
    let sandbox = Sandbox::start().await.expect("sandbox");
    let transport = Counting::new(http.clone());
    let c = clients_as(SANDBOX, &sandbox.url(), transport.clone(), settings());
    let mut inputs = sandbox_inputs(&sandbox, &c, &transport).await;
    inputs.password = PASSWORD.into();
    let hooks = hooks();
    for h in &hooks {
        let result = drive(call(h, &c, &inputs), &transport, None).await;
        assert!(
            result.is_ok(),
            "{} {}: {result:?}",
            h.spec.provider,
            h.spec.name
        );
    }
    show(
        "sandbox clients".into(),
        format!(
            "{:?} {:?} {:?} {:?}",
            c.longlonglong, c.dialogue, c.laaffic, c.espai
        ),
    );

    // ----- refused credentials: the sandbox's own error answers --------------------------
    let c = clients_as(
        SENTINEL_CREDENTIALS,
        &sandbox.url(),
        transport.clone(),
        settings(),
    );
    for h in &hooks {
        let err = drive(call(h, &c, &inputs), &transport, None)
            .await
            .expect_err("wrong credentials");
        for text in texts_of(&err) {
            show(format!("refused credentials × {}", h.spec.name), text);
        }
    }

    // ----- invalid input: refused before sending -----------------------------------------
    let user_id = inputs.user.clone();
    let invalid: Vec<Result<(), Error>> = vec![
        c.longlonglong
            .create_sub_account(
                &user_id,
                &NewSubAccount::new("n", "not an email", "1", PASSWORD),
            )
            .await
            .map(drop),
        c.longlonglong
            .create_sub_account(&user_id, &NewSubAccount::new("n", "a@b.c", "12x", PASSWORD))
            .await
            .map(drop),
        c.longlonglong
            .register_user(&NewUser::new(" ", "a@b.c", "1", PASSWORD))
            .await
            .map(drop),
        c.longlonglong
            .register_user(&NewUser::new("n", "a@b.c", "1", PASSWORD).tenant_id("has space"))
            .await
            .map(drop),
        c.longlonglong
            .recharge(&user_id, 0, Some(PASSWORD))
            .await
            .map(drop),
        c.espai
            .transfer(&CardKey::new("1", "a"), &CardKey::new("2", "b"), 0)
            .await
            .map(drop),
        c.espai
            .card(&CardKey::new("+86 159", "wNaa1GDw"))
            .await
            .map(drop),
        // Laaffic refusals name the field and the rule, never the refused value.
        c.laaffic
            .upload_voice_file(PASSWORD, b"ID3")
            .await
            .map(drop),
        c.laaffic
            .call_record(&format!("{PASSWORD} x"))
            .await
            .map(drop),
    ];
    for err in invalid.into_iter().map(|r| r.expect_err("invalid input")) {
        assert!(err.nothing_sent(), "{err:?}");
        for text in texts_of(&err) {
            show("invalid input".into(), text);
        }
    }

    // ----- every error path on the fault server: each declaration's example call -------
    let mut errors = 0;
    for h in &hooks {
        let op = h.spec;
        for (fault_name, fault) in faults(op.provider) {
            let server = match &fault {
                Some(fault) => Some(FaultServer::start(vec![fault.clone()]).await),
                None => None,
            };
            let url = match &server {
                Some(server) => server.url(),
                None => refused_url().await,
            };
            let transport = Counting::new(http.clone());
            let c = clients_as(SENTINEL_CREDENTIALS, &url, transport.clone(), settings());
            let read = || server.as_ref().map_or(0, FaultServer::requests);
            let stalled: Option<&dyn Fn() -> usize> =
                matches!(fault, Some(Fault::Stall)).then_some(&read);
            // A success-shaped answer may decode (an ack ignores `data`): only errors count.
            let Err(err) = drive(h.example(&c), &transport, stalled).await else {
                continue;
            };
            errors += 1;
            for text in texts_of(&err) {
                show(format!("{fault_name} × {} {}", op.provider, op.name), text);
            }
        }
    }

    // ----- the verdict -------------------------------------------------------------------
    drop(_guard);
    let logs = capture.text();
    for op in hooks.iter().map(|h| h.spec) {
        assert!(
            logs.contains(&format!("operation=\"{}\"", op.name)),
            "the logs miss {}: was the subscriber capturing?",
            op.name
        );
    }
    for evidence in [
        "voxkit.call",
        "retrying",
        "giving up",
        "outcome_unknown=true",
        "status=503",
    ] {
        assert!(logs.contains(evidence), "the logs miss {evidence:?}");
    }
    let mut leaks = Vec::new();
    for secret in NEVER_SHOWN {
        for line in logs.lines().filter(|l| l.contains(secret)) {
            leaks.push(format!("log: {line}"));
        }
        for (what, text) in &shown {
            if text.contains(secret) {
                leaks.push(format!("{what}: {text}"));
            }
        }
    }
    assert!(leaks.is_empty(), "secrets shown:\n{}", leaks.join("\n"));
    // Proof that the servers did echo the credentials back (the scrubbing was needed).
    assert!(
        shown.iter().any(|(_, t)| t.contains("[redacted]")),
        "no error was ever redacted"
    );
    assert!(
        errors > faults("espai").len() * hooks.len() * 9 / 10,
        "{errors} errors"
    );
    eprintln!(
        "secret hygiene: {} operations run to success, {errors} errors from {} faults × {} \
         operations, {} texts and {} log lines checked for {} secrets",
        hooks.len(),
        faults("espai").len(),
        hooks.len(),
        shown.len(),
        logs.lines().count(),
        NEVER_SHOWN.len()
    );
}

// ----- issue 12: padded credentials, escaped echoes, success messages, bidi characters ----

use voxkit::core::RetryPolicy;
use voxkit::espai::CardKey as EspaiCard;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A header as the server parsed it, trimmed as HTTP trims a header value.
fn received(request: &Request, name: &str) -> String {
    let value = request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    value.trim().trim_start_matches("Bearer ").trim().to_owned()
}

/// `provider`'s error envelope (HTTP 200) with `message`.
fn envelope(provider: &str, message: &str) -> String {
    let message = serde_json::to_string(message).unwrap();
    match provider {
        "longlonglong" => {
            format!(r#"{{"code":401,"status":"error","message":{message},"data":[]}}"#)
        }
        "laaffic" => format!(r#"{{"status":"-1","reason":{message}}}"#),
        _ => format!(r#"{{"success":false,"message":{message},"code":401}}"#),
    }
}

fn json_template(status: u16, body: String) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.into_bytes(), "application/json")
}

/// `builder` pointed at the test server `url`, with no retries and the suites' HTTP client.
fn to_server<P: voxkit::core::Provider>(
    builder: voxkit::core::Builder<P>,
    url: impl Into<String>,
) -> voxkit::core::Builder<P> {
    builder
        .base_url(url)
        .retry_policy(RetryPolicy::none())
        .http_client(common::http_client())
}

/// A server answering every request with `response`.
async fn answering(response: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// One read of `provider` through clients built with these credentials.
async fn read_once(
    provider: &str,
    url: &str,
    token: &str,
    laaffic: (&str, &str),
    espai_key: &str,
) -> Result<(), Error> {
    match provider {
        "longlonglong" => to_server(longlonglong::Client::builder().token(token), url)
            .build()?
            .token_info()
            .await
            .map(drop),
        "laaffic" => to_server(
            laaffic::Client::builder().credentials(laaffic.0, laaffic.1),
            url,
        )
        .build()?
        .balance()
        .await
        .map(drop),
        _ => to_server(espai::Client::builder().api_key(espai_key), url)
            .build()?
            .card(&EspaiCard::new("15916888888", "wNaa1GDw"))
            .await
            .map(drop),
    }
}

/// Issue 12 item 3: a credential padded with a space or a tab (as an environment variable
/// easily is) is sent trimmed, and a server echoing what it received gets `[redacted]`.
/// Before the fix the redaction knew only the padded string and 5 of these 6 leaked.
#[tokio::test]
async fn padded_credentials_are_sent_trimmed_and_their_echo_is_redacted() {
    let _serial = SERIAL.lock().await;
    for provider in ["longlonglong", "laaffic", "espai"] {
        for pad in [" ", "\t"] {
            let p = provider.to_owned();
            let server = answering(move |request: &Request| {
                let echo = match p.as_str() {
                    "longlonglong" => {
                        format!("bad token {}", received(request, "authorization"))
                    }
                    "laaffic" => format!("bad key {}", received(request, "api-key")),
                    _ => format!("bad key {}", received(request, "authorization")),
                };
                json_template(200, envelope(&p, &echo))
            })
            .await;
            let padded = |s: &str| format!("{pad}{s}{pad}");
            let err = read_once(
                provider,
                &server.uri(),
                &padded(TOKEN),
                (&padded(LAAFFIC_KEY), &padded(LAAFFIC_SECRET)),
                &padded(ESPAI_KEY),
            )
            .await
            .expect_err("the server refuses");
            let case = format!("{provider} padded with {pad:?}");
            assert!(matches!(err, Error::Api { .. }), "{case}: {err:?}");
            for text in texts_of(&err) {
                for secret in [TOKEN, LAAFFIC_KEY, ESPAI_KEY] {
                    assert!(!text.contains(secret), "{case}: {text}");
                }
            }
            assert!(err.to_string().contains("[redacted]"), "{case}: {err}");
            // What went on the wire is the trimmed credential.
            let requests = server.received_requests().await.unwrap();
            let sent = match provider {
                "longlonglong" => requests[0].headers.get("authorization").unwrap().as_bytes(),
                "laaffic" => requests[0].headers.get("api-key").unwrap().as_bytes(),
                _ => requests[0].headers.get("authorization").unwrap().as_bytes(),
            };
            let expected = match provider {
                "longlonglong" => format!("Bearer {TOKEN}"),
                "laaffic" => LAAFFIC_KEY.to_owned(),
                _ => ESPAI_KEY.to_owned(),
            };
            assert_eq!(sent, expected.as_bytes(), "{case}");
        }
    }
}

/// Issue 12 item 3: whitespace or control characters inside a credential are refused as a
/// configuration error (CLI exit 2) that never shows the value.
#[test]
fn credentials_with_inner_whitespace_are_configuration_errors() {
    let inner = "SENTINEL TOKEN";
    for err in [
        longlonglong::Client::new(inner).map(drop),
        longlonglong::Client::new("SENTINEL\tTOKEN").map(drop),
        laaffic::Client::new("k", "SENTINEL TOKEN").map(drop),
        espai::Client::new("SENTINEL\u{200B}TOKEN").map(drop),
        espai::Client::new(" \t ").map(drop),
    ]
    .into_iter()
    .map(|r| r.expect_err("refused"))
    {
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("SENTINEL"), "{err}");
    }
}

/// Secrets with `/`, `+`, `=` and non-ASCII letters (the Laaffic secret only signs, so
/// it may hold any character).
const SLASH_TOKEN: &str = "SENTINEL/tok+en=7f3a";
const SLASH_KEY: &str = "SENTINEL/key+2b91==";
const NON_ASCII_SECRET: &str = "SENTINEL/sécrét+密钥=c40d";
const SLASH_ESPAI: &str = "SENTINEL/open+key=9e17";

/// Every escaped form of `secret` a server may echo: PHP's `\/`, `\u` escapes of every
/// character, percent-encoding, HTML entities.
fn escaped_forms(secret: &str) -> Vec<String> {
    let json = serde_json::to_string(secret).unwrap();
    let php = json[1..json.len() - 1].replace('/', r"\/");
    let all_u: String = secret
        .encode_utf16()
        .map(|u| format!(r"\u{u:04x}"))
        .collect();
    let percent: String = secret.bytes().map(|b| format!("%{b:02X}")).collect();
    let entities: String = secret.chars().map(|c| format!("&#{};", c as u32)).collect();
    vec![php, all_u, percent, entities]
}

/// Issue 12 item 4 and the bidi edge case: a server echoing the credentials escaped (in an
/// error page's excerpt, in an envelope's message, in a body that does not decode) gets
/// `[redacted]` for every form, and bidi/zero-width characters never reach an error text.
#[tokio::test]
async fn escaped_echoes_are_redacted_and_bidi_characters_removed() {
    let _serial = SERIAL.lock().await;
    for provider in ["longlonglong", "laaffic", "espai"] {
        let secrets: &[&str] = match provider {
            "longlonglong" => &[SLASH_TOKEN],
            "laaffic" => &[SLASH_KEY, NON_ASCII_SECRET],
            _ => &[SLASH_ESPAI],
        };
        let forms: Vec<String> = secrets.iter().flat_map(|s| escaped_forms(s)).collect();
        let echo = forms.join(" ");
        let raw_echo = forms.join(" ").replace('\\', r"\\").replace('"', r#"\""#);
        let cases: Vec<(&str, ResponseTemplate)> = vec![
            (
                "HTML 401 page",
                ResponseTemplate::new(401).set_body_raw(
                    format!("<html><p>\u{202E}{echo}</p></html>").into_bytes(),
                    "text/html",
                ),
            ),
            (
                "JSON 400 that is no envelope",
                json_template(400, format!(r#"{{"error":"\u202e{raw_echo}"}}"#)),
            ),
            (
                "200 that does not decode",
                json_template(200, format!(r#"{{"unexpected":"{raw_echo}"#)),
            ),
            (
                "envelope message",
                json_template(
                    200,
                    envelope(provider, &format!("refused \u{202E}\u{2066}{echo}\u{200B}")),
                ),
            ),
        ];
        for (name, template) in cases {
            let server = answering(template).await;
            let err = read_once(
                provider,
                &server.uri(),
                SLASH_TOKEN,
                (SLASH_KEY, NON_ASCII_SECRET),
                SLASH_ESPAI,
            )
            .await
            .expect_err("an error answer");
            let case = format!("{provider} × {name}");
            for text in texts_of(&err) {
                for secret in secrets
                    .iter()
                    .copied()
                    .chain(forms.iter().map(String::as_str))
                {
                    assert!(!text.contains(secret), "{case}: {text}");
                }
                for shown in ["SENTINEL", r"\u0053", "%53", "&#83;"] {
                    assert!(!text.contains(shown), "{case}: {shown} in {text}");
                }
                assert!(
                    !text.chars().any(voxkit::core::redact::is_invisible),
                    "{case}: {text:?}"
                );
            }
            assert!(err.to_string().contains("[redacted]"), "{case}: {err}");
        }
    }
}

/// Issue 12 edge case: a success message that echoes the credential (verbatim or escaped)
/// is redacted before the decoder sees it, so the caller (and the CLI's stdout) never get
/// it; the rest of the answer still decodes.
#[tokio::test]
async fn success_messages_echoing_the_credential_are_redacted() {
    let _serial = SERIAL.lock().await;
    let user: voxkit::longlonglong::UserId =
        "5433b412-07d5-44e6-9fa4-deb65e43bc93".parse().unwrap();
    let escaped = escaped_forms(SLASH_TOKEN)[0].clone();
    let server = answering(json_template(
        200,
        format!(
            r#"{{"code":200,"status":"success","message":"recharged with token {SLASH_TOKEN} ({escaped})","data":[]}}"#
        ),
    ))
    .await;
    let ack = to_server(
        longlonglong::Client::builder().token(SLASH_TOKEN),
        server.uri(),
    )
    .build()
    .unwrap()
    .recharge(&user, 100, Some("order-1"))
    .await
    .expect("the recharge succeeded");
    assert_eq!(ack.message, "recharged with token [redacted] ([redacted])");

    let server = answering(json_template(
        200,
        format!(r#"{{"success":true,"message":"ok {SLASH_ESPAI}","data":null}}"#),
    ))
    .await;
    let ack = to_server(espai::Client::builder().api_key(SLASH_ESPAI), server.uri())
        .build()
        .unwrap()
        .transfer(
            &EspaiCard::new("15916888888", "wNaa1GDw"),
            &EspaiCard::new("17516888888", "3AoPbLSQ"),
            1,
        )
        .await
        .expect("the transfer succeeded");
    assert_eq!(ack.message.as_deref(), Some("ok [redacted]"));
}
