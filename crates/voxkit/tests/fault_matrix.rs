//! The fault matrix: every operation of every provider against every fault, iterated
//! from the providers' own declarations (`TEST_HOOKS`, one per entry of `OPERATIONS`), so
//! a new operation joins it with no edit here. A test joins the declarations to the
//! sandbox's routes by method and path template.
//!
//! Raw-TCP fault server, one test per fault: connection refused, connection dropped after
//! the request was read, a stall past the attempt timeout, a truncated body, an HTML 502,
//! a 503 with `Retry-After`, a 429, a stall that runs into the call's deadline, an
//! answer larger than the cap, each provider's own error envelope in a 500 and in a 502,
//! its "system error" code in a 200, a 303, a 999, and a TLS handshake that never
//! completes. Each case asserts the attempts the client made, the
//! requests the server read, the error returned (outcome unknown or not) and the time the
//! call took on tokio's paused clock: repeatable operations retry within the policy and the
//! deadline; non-repeatable ones are sent once unless the connection was refused or never
//! completed, and report outcome unknown whenever the request may have been applied (only
//! a 4xx, or no connection at all, proves it was not).
//!
//! Sandbox, one test per injected fault (503 with `Retry-After`, 429, connection dropped
//! before handling, applied then dropped): the same rules, and each non-repeatable
//! operation's declared `applied` hook (a read-back through the SDK; the sandbox's state for
//! the few no read shows, `common::ops::UNREADABLE`) says how many times it was applied
//! (never twice; once exactly when the answer was dropped after applying). Each case has a
//! sandbox of its own, so the docs' values serve as they are (`common::ops::seeded_call`).

#![cfg(all(feature = "longlonglong", feature = "laaffic", feature = "espai"))]

mod common;

use std::time::Duration;

use tokio::time::Instant;
use voxkit::core::fault::{Fault, FaultServer, refused_url};
use voxkit::core::{Error, OperationSpec, TransportKind};
use voxkit::{espai, laaffic, longlonglong};
use voxkit_sandbox::{ROUTES, Sandbox};

use common::ops::{
    Hook, applied_in_sandbox, assert_no_unproven, hook, hooks, sandbox_inputs, seeded_call,
};
use common::{Clients, Counting, Settings, clients, drive, http_client};

#[test]
fn the_hooks_are_every_declared_operation_and_join_every_sandbox_route() {
    let declared: Vec<(&str, &str)> = [
        longlonglong::OPERATIONS,
        longlonglong::DIALOGUE_OPERATIONS,
        laaffic::OPERATIONS,
        espai::OPERATIONS,
    ]
    .into_iter()
    .flatten()
    .map(|s| (s.provider, s.name))
    .collect();
    let hooked: Vec<(&str, &str)> = hooks()
        .iter()
        .map(|h| (h.spec.provider, h.spec.name))
        .collect();
    assert_eq!(
        hooked, declared,
        "one hook per declared operation, in order"
    );

    let mut unserved = Vec::new();
    let mut served: Vec<&str> = Vec::new();
    for h in hooks() {
        match h.route() {
            Some(route) => served.push(route.name),
            None => unserved.push(format!(
                "{} {} /{}",
                h.spec.method, h.spec.name, h.spec.path
            )),
        }
    }
    assert!(unserved.is_empty(), "no sandbox route serves {unserved:?}");
    served.sort_unstable();
    served.dedup();
    let mut routes: Vec<&str> = ROUTES.iter().map(|r| r.name).collect();
    routes.sort_unstable();
    assert_eq!(
        served, routes,
        "every sandbox route serves a declared operation"
    );
}

/// Core's check over every provider's declarations: a non-repeatable operation declares
/// its example exactly once and how often it was applied, else neither suite could count
/// it (the few whose effect no read shows are `common::ops::UNREADABLE`).
#[test]
fn every_non_repeatable_declaration_says_how_often_it_was_applied() {
    assert_no_unproven();
}

// ----- the raw-TCP fault server ----------------------------------------------------------

/// The faults of the fault server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Nothing listens: the connection is refused.
    Refused,
    /// The server reads the request and closes the connection.
    Dropped,
    /// The server reads the request and never answers (2 s attempt timeout).
    Stall,
    /// `200` with `Content-Length: 200` and 27 bytes, then the connection closes.
    Truncated,
    /// A gateway's HTML `502 Bad Gateway`.
    Html502,
    /// `503` with `Retry-After: 2`.
    Busy503,
    /// `429` without `Retry-After`.
    TooMany429,
    /// The server stalls; the call's deadline (3 s) ends it during the second attempt.
    Deadline,
    /// `200` with a 4 KiB body; the client accepts 1 KiB.
    Oversized,
    /// `500` with the provider's own error envelope (a framework's exception handler):
    /// longlonglong `code` 500, ESP-AI `code` 500 "系统错误", Laaffic status `-500`.
    Envelope500,
    /// `502` with the provider's envelope: Laaffic `{"code":502,"msg":"Bad Gateway"}`,
    /// the same code in the others' envelopes.
    Envelope502,
    /// `200` with the provider's "system error" code: longlonglong and ESP-AI `500`,
    /// Laaffic `-18` (端口程序异常).
    SystemError200,
    /// `303 See Other` (never followed; after a POST it conventionally means applied).
    SeeOther303,
    /// A status no standard defines.
    Status999,
    /// The server accepts TCP and stays silent: the TLS handshake never completes and the
    /// call's deadline (3 s) ends the second attempt.
    ConnectNever,
}

const KINDS: &[Kind] = &[
    Kind::Refused,
    Kind::Dropped,
    Kind::Stall,
    Kind::Truncated,
    Kind::Html502,
    Kind::Busy503,
    Kind::TooMany429,
    Kind::Deadline,
    Kind::Oversized,
    Kind::Envelope500,
    Kind::Envelope502,
    Kind::SystemError200,
    Kind::SeeOther303,
    Kind::Status999,
    Kind::ConnectNever,
];

/// The provider's error envelope with `code`, as its servers render it.
fn envelope(provider: &str, code: i64, message: &str) -> String {
    match provider {
        p if p == longlonglong::PROVIDER || p == longlonglong::DIALOGUE_PROVIDER => {
            format!(r#"{{"code":{code},"status":"error","message":"{message}","data":[]}}"#)
        }
        p if p == espai::PROVIDER => {
            format!(r#"{{"success":false,"message":"{message}","code":{code}}}"#)
        }
        p if p == laaffic::PROVIDER && code > 0 => {
            format!(r#"{{"code":{code},"msg":"{message}"}}"#)
        }
        p if p == laaffic::PROVIDER => format!(r#"{{"status":{code},"reason":"{message}"}}"#),
        other => panic!("no envelope for {other}"),
    }
}

impl Kind {
    /// The provider's code in [`Kind::Envelope500`], [`Kind::Envelope502`] and
    /// [`Kind::SystemError200`].
    fn code(self, provider: &str) -> i64 {
        let laaffic = provider == laaffic::PROVIDER;
        match self {
            Kind::Envelope500 if laaffic => -500,
            Kind::Envelope502 => 502,
            Kind::SystemError200 if laaffic => -18,
            _ => 500,
        }
    }

    fn fault(self, provider: &str) -> Option<Fault> {
        Some(match self {
            Kind::Refused => return None,
            Kind::Envelope500 => Fault::json_status(
                500,
                &envelope(provider, self.code(provider), "系统错误：Server Error"),
            ),
            Kind::Envelope502 => {
                Fault::json_status(502, &envelope(provider, self.code(provider), "Bad Gateway"))
            }
            Kind::SystemError200 => {
                Fault::json(&envelope(provider, self.code(provider), "系统错误"))
            }
            Kind::SeeOther303 | Kind::Status999 => Fault::Respond {
                status: if self == Kind::SeeOther303 { 303 } else { 999 },
                headers: vec![("Location".into(), "/done".into())],
                body: Vec::new(),
            },
            Kind::ConnectNever => Fault::SilentConnection,
            Kind::Dropped => Fault::DropAfterRequest,
            Kind::Stall | Kind::Deadline => Fault::Stall,
            Kind::Truncated => Fault::Truncated {
                status: 200,
                declared: 200,
                body: br#"{"code":200,"success":true,"#.to_vec(),
            },
            Kind::Html502 => Fault::html_502(),
            Kind::Busy503 => Fault::Respond {
                status: 503,
                headers: vec![
                    ("Retry-After".into(), "2".into()),
                    ("Content-Type".into(), "text/html".into()),
                ],
                body: b"<html><body>busy</body></html>".to_vec(),
            },
            Kind::TooMany429 => Fault::Respond {
                status: 429,
                headers: vec![],
                body: b"slow down".to_vec(),
            },
            Kind::Oversized => Fault::json(&format!(r#"{{"pad":"{}"}}"#, "x".repeat(4096))),
        })
    }

    fn settings(self) -> Settings {
        let mut settings = Settings::default();
        match self {
            Kind::Deadline | Kind::ConnectNever => settings.deadline = Some(Duration::from_secs(3)),
            Kind::Oversized => settings.max_response_bytes = 1024,
            _ => {}
        }
        settings
    }

    /// (attempts made = requests read, except when refused; least and most virtual time).
    fn expected(self, repeatable: bool) -> (usize, Duration, Duration) {
        let ms = Duration::from_millis;
        let s = Duration::from_secs;
        // Two full-jitter backoffs: at most 100 ms, then at most 200 ms.
        let backoffs = ms(300);
        match (self, repeatable) {
            (Kind::Refused, _) => (3, ms(0), backoffs),
            (
                Kind::Dropped
                | Kind::Truncated
                | Kind::Html502
                | Kind::TooMany429
                | Kind::Envelope500
                | Kind::Envelope502,
                true,
            ) => (3, ms(0), backoffs),
            // Never connected: retried whatever the operation, until the deadline ends
            // the second connection attempt (attempt timeout 2 s, deadline 3 s).
            (Kind::ConnectNever, _) => (2, s(3), s(3)),
            (Kind::Stall, true) => (3, s(6), s(6) + backoffs),
            (Kind::Busy503, true) => (3, s(4), s(4)),
            (Kind::Deadline, true) => (2, s(3), s(3)),
            (Kind::Stall | Kind::Deadline, false) => (1, s(2), s(2)),
            (Kind::Oversized | Kind::SystemError200 | Kind::SeeOther303 | Kind::Status999, _)
            | (_, false) => (1, ms(0), ms(0)),
        }
    }

    /// Whether `err` is the error this fault must give to an operation of `provider`.
    fn check(self, provider: &str, repeatable: bool, err: &Error) -> Result<(), String> {
        let api = |e: &Error| e.api_code() == Some(self.code(provider).to_string().as_str());
        let transport = |e: &Error, want: TransportKind, sent: bool| matches!(e, Error::Transport { kind, .. } if *kind == want && kind.maybe_sent() == sent);
        let status = |e: &Error, code: u16| e.status().is_some_and(|s| s.as_u16() == code);
        let timeout =
            |e: &Error, n: u32| matches!(e, Error::Timeout { attempts, .. } if *attempts == n);
        // The error itself for repeatable operations (and known outcomes), the cause of
        // an outcome unknown for the others.
        let unknown = |cause_ok: &dyn Fn(&Error) -> bool| match err {
            Error::OutcomeUnknown { cause, .. } => cause_ok(cause),
            _ => false,
        };
        let ok = match (self, repeatable) {
            (Kind::Refused, _) => {
                transport(err, TransportKind::Connect, false) && err.nothing_sent()
            }
            (Kind::Dropped | Kind::Truncated, true) => {
                transport(err, TransportKind::Dropped, true) && err.is_retryable()
            }
            (Kind::Dropped | Kind::Truncated, false) => {
                unknown(&|e| transport(e, TransportKind::Dropped, true))
            }
            (Kind::Stall, true) => timeout(err, 3),
            (Kind::Deadline, true) => timeout(err, 2),
            (Kind::Stall | Kind::Deadline, false) => unknown(&|e| timeout(e, 1)),
            (Kind::Html502, true) => status(err, 502),
            (Kind::Html502, false) => unknown(&|e| status(e, 502)),
            (Kind::Busy503, true) => {
                matches!(err, Error::Status { retry_after: Some(d), .. } if *d == Duration::from_secs(2))
                    && status(err, 503)
                    && err.is_retryable()
            }
            // A proxy answers 503 after forwarding too: not a refusal.
            (Kind::Busy503, false) => unknown(&|e| status(e, 503)),
            (Kind::Envelope500 | Kind::Envelope502 | Kind::SystemError200, true) => api(err),
            (Kind::Envelope500 | Kind::Envelope502 | Kind::SystemError200, false) => unknown(&api),
            (Kind::SeeOther303, true) => status(err, 303),
            (Kind::SeeOther303, false) => unknown(&|e| status(e, 303)),
            (Kind::Status999, true) => status(err, 999),
            (Kind::Status999, false) => unknown(&|e| status(e, 999)),
            (Kind::ConnectNever, _) => {
                transport(err, TransportKind::ConnectTimeout, false)
                    && err.nothing_sent()
                    && err.to_string().contains("never connected")
            }
            (Kind::TooMany429, _) => status(err, 429) && err.is_retryable(),
            (Kind::Oversized, true) => transport(err, TransportKind::BodyTooLarge, true),
            (Kind::Oversized, false) => {
                unknown(&|e| transport(e, TransportKind::BodyTooLarge, true))
            }
        };
        let must_be_unknown =
            !repeatable && !matches!(self, Kind::Refused | Kind::TooMany429 | Kind::ConnectNever);
        if !ok || err.outcome_unknown() != must_be_unknown {
            return Err(format!("unexpected error {err:?}"));
        }
        if err.outcome_unknown() && (err.is_retryable() || err.nothing_sent()) {
            return Err(format!(
                "an unknown outcome must not look safe to retry: {err:?}"
            ));
        }
        Ok(())
    }
}

/// The failed cases of one fault's run over every operation: what each case found wrong.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    /// Records `op`'s problems under `fault`, if it had any.
    fn note(&mut self, fault: &str, op: &OperationSpec, problems: &[String]) {
        if !problems.is_empty() {
            self.0.push(format!(
                "{fault} × {} {} ({:?}): {}",
                op.provider,
                op.name,
                op.idempotency,
                problems.join("; ")
            ));
        }
    }

    /// Fails the test with every failed case; else says that the `operations` passed
    /// `fault`, and returns how many they were.
    #[track_caller]
    fn assert_none(self, fault: &str, operations: usize) -> usize {
        assert!(self.0.is_empty(), "\n{}", self.0.join("\n"));
        eprintln!("fault matrix: {fault}: {operations} operations × 1 fault passed");
        operations
    }
}

/// Runs every operation against one fault; returns the cases run.
async fn run_kind(kind: Kind) -> usize {
    let http = http_client();
    let mut failures = Failures::default();
    let hooks = hooks();
    for h in &hooks {
        let op = h.spec;
        let server = match kind.fault(op.provider) {
            Some(fault) => Some(FaultServer::start(vec![fault]).await),
            None => None,
        };
        let url = match &server {
            Some(server) if kind == Kind::ConnectNever => server.https_url(),
            Some(server) => server.url(),
            None => refused_url().await,
        };
        let transport = Counting::new(http.clone());
        let c = clients(&url, transport.clone(), kind.settings());
        let read = || server.as_ref().map_or(0, FaultServer::requests);
        // A silent TLS server never reads a request: the clock may run once it accepted
        // the connection.
        let accepted = || server.as_ref().map_or(0, FaultServer::connections);
        let stalled: Option<&dyn Fn() -> usize> = match kind {
            Kind::Stall | Kind::Deadline => Some(&read),
            Kind::ConnectNever => Some(&accepted),
            _ => None,
        };
        let start = Instant::now();
        let result = drive(h.example(&c), &transport, stalled).await;
        let elapsed = start.elapsed();

        let repeatable = op.idempotency.is_repeatable();
        let (attempts, least, most) = kind.expected(repeatable);
        let expect_read = if matches!(kind, Kind::Refused | Kind::ConnectNever) {
            0
        } else {
            attempts
        };
        let mut problems = Vec::new();
        match &result {
            Ok(()) => problems.push("succeeded".to_owned()),
            Err(err) => {
                if let Err(problem) = kind.check(op.provider, repeatable, err) {
                    problems.push(problem);
                }
                if err.origin() != op.origin() {
                    problems.push(format!("origin {}", err.origin()));
                }
            }
        }
        if transport.attempts() != attempts {
            problems.push(format!(
                "{} attempts, expected {attempts}",
                transport.attempts()
            ));
        }
        if read() != expect_read {
            problems.push(format!(
                "the server read {} requests, expected {expect_read}",
                read()
            ));
        }
        let slack = Duration::from_millis(20);
        if elapsed < least || elapsed > most + slack {
            problems.push(format!("took {elapsed:?}, expected {least:?} to {most:?}"));
        }
        failures.note(&format!("{kind:?}"), op, &problems);
    }
    failures.assert_none(&format!("{kind:?}"), hooks.len())
}

#[tokio::test(start_paused = true)]
async fn connection_refused() {
    run_kind(Kind::Refused).await;
}

#[tokio::test(start_paused = true)]
async fn connection_dropped_after_the_request_was_read() {
    run_kind(Kind::Dropped).await;
}

#[tokio::test(start_paused = true)]
async fn stall_past_the_attempt_timeout() {
    run_kind(Kind::Stall).await;
}

#[tokio::test(start_paused = true)]
async fn truncated_body() {
    run_kind(Kind::Truncated).await;
}

#[tokio::test(start_paused = true)]
async fn html_502() {
    run_kind(Kind::Html502).await;
}

#[tokio::test(start_paused = true)]
async fn status_503_with_retry_after() {
    run_kind(Kind::Busy503).await;
}

#[tokio::test(start_paused = true)]
async fn status_429() {
    run_kind(Kind::TooMany429).await;
}

#[tokio::test(start_paused = true)]
async fn stall_into_the_deadline() {
    run_kind(Kind::Deadline).await;
}

#[tokio::test(start_paused = true)]
async fn answer_larger_than_the_cap() {
    run_kind(Kind::Oversized).await;
}

/// Regression (issue 12, item 1): the envelope in a 5xx was reported as a refusal.
#[tokio::test(start_paused = true)]
async fn provider_envelope_in_a_500() {
    run_kind(Kind::Envelope500).await;
}

/// Regression (issue 12, item 1): Laaffic's `{"code":502,"msg":"Bad Gateway"}`.
#[tokio::test(start_paused = true)]
async fn provider_envelope_in_a_502() {
    run_kind(Kind::Envelope502).await;
}

/// Regression (issue 12, item 1): a "system error" business code may follow a commit.
#[tokio::test(start_paused = true)]
async fn system_error_code_in_a_200() {
    run_kind(Kind::SystemError200).await;
}

/// Regression (issue 12): a 303 was "nothing applied".
#[tokio::test(start_paused = true)]
async fn status_303() {
    run_kind(Kind::SeeOther303).await;
}

/// Regression (issue 12): an unknown status was "nothing applied".
#[tokio::test(start_paused = true)]
async fn status_999() {
    run_kind(Kind::Status999).await;
}

/// Regression (issue 12, item 9): a connection that never completed was "may have been
/// applied".
#[tokio::test(start_paused = true)]
async fn connect_never_completed() {
    run_kind(Kind::ConnectNever).await;
}

/// Regression (issue 12): a UTF-8 byte order mark before a success answer (PHP servers)
/// made the recharge "undecodable", so an unknown outcome.
#[tokio::test(start_paused = true)]
async fn a_bom_before_a_success_answer_is_accepted() {
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(
        r#"{"code":200,"status":"success","message":"AI外呼充值操作成功","data":[]}"#.as_bytes(),
    );
    let server = FaultServer::start(vec![Fault::Respond {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body,
    }])
    .await;
    let transport = Counting::new(http_client());
    let c = clients(&server.url(), transport.clone(), Settings::default());
    let recharge = hook(longlonglong::PROVIDER, "recharge");
    drive(recharge.example(&c), &transport, None)
        .await
        .expect("a recharge answered with a BOM succeeds");
    assert_eq!(server.requests(), 1);
}

/// Issue 12: `{"code":200,"status":"error"}` contradicts itself: not a success. For a
/// recharge it is an unknown outcome; for a read, a decode error.
#[tokio::test(start_paused = true)]
async fn a_contradictory_longlonglong_envelope_is_not_a_success() {
    let body = r#"{"code":200,"status":"error","message":"操作失败","data":[]}"#;
    for (name, want_unknown) in [("recharge", true), ("recharge_history", false)] {
        let server = FaultServer::start(vec![Fault::json(body)]).await;
        let transport = Counting::new(http_client());
        let c = clients(&server.url(), transport.clone(), Settings::default());
        let op = hook(longlonglong::PROVIDER, name);
        let err = drive(op.example(&c), &transport, None)
            .await
            .expect_err("not a success");
        assert_eq!(err.outcome_unknown(), want_unknown, "{name}: {err:?}");
        let decode = match &err {
            Error::OutcomeUnknown { cause, .. } => &**cause,
            other => other,
        };
        assert!(matches!(decode, Error::Decode { .. }), "{name}: {err:?}");
        assert_eq!(server.requests(), 1, "{name}");
    }
}

// ----- the sandbox's fault injection -----------------------------------------------------

/// The faults the sandbox injects on an operation's route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Injected {
    /// The next two requests: `503` with `Retry-After: 1`, not handled.
    Busy503,
    /// The next two requests: `429`, not handled.
    TooMany429,
    /// The next two requests: the connection is closed before handling.
    DropBefore,
    /// The next request is handled (applied), then its connection closed unanswered.
    DropAfter,
}

const INJECTED: &[Injected] = &[
    Injected::Busy503,
    Injected::TooMany429,
    Injected::DropBefore,
    Injected::DropAfter,
];

impl Injected {
    fn fault(self) -> voxkit_sandbox::Fault {
        let fault = voxkit_sandbox::Fault::default();
        match self {
            Injected::Busy503 => fault.error(1.0, 503).retry_after(1).times(2),
            Injected::TooMany429 => fault.error(1.0, 429).times(2),
            Injected::DropBefore => fault.drop_before(1.0).times(2),
            Injected::DropAfter => fault.drop_after(1.0).times(1),
        }
    }
}

/// How many times a non-repeatable operation was applied: the declaration's `applied`
/// hook (read back through the SDK), or, for the few whose effect no read shows, the
/// sandbox's state (`applied_in_sandbox`).
async fn applied(h: &Hook, sandbox: &Sandbox, c: &Clients, transport: &Counting) -> usize {
    if let Some(read_back) = h.applied(c) {
        return drive(read_back, transport, None)
            .await
            .unwrap_or_else(|e| panic!("{}: the applied probe failed: {e}", h.label()));
    }
    applied_in_sandbox(h.spec, sandbox)
        .unwrap_or_else(|| panic!("{}: declares no `applied` hook", h.label()))
}

/// Every declared operation with the sandbox route serving it (joined by method and path
/// template; the test above proves each has one).
fn routed() -> Vec<(Hook, &'static str)> {
    hooks()
        .into_iter()
        .filter_map(|h| Some((h, h.route()?.name)))
        .collect()
}

async fn run_injected(injected: Injected) -> usize {
    let http = http_client();
    let mut failures = Failures::default();
    let routed = routed();
    for &(h, route) in &routed {
        let op = h.spec;
        let sandbox = Sandbox::start().await.expect("sandbox");
        let transport = Counting::new(http.clone());
        let c = clients(&sandbox.url(), transport.clone(), Settings::default());
        let inputs = sandbox_inputs(&sandbox, &c, &transport).await;
        sandbox.set_fault(route, injected.fault());
        let repeatable = op.idempotency.is_repeatable();

        let before = transport.attempts();
        let start = Instant::now();
        let result = drive(seeded_call(&h, &c, &inputs), &transport, None).await;
        let elapsed = start.elapsed();
        let attempts = transport.attempts() - before;
        sandbox.clear_faults();

        let mut problems = Vec::new();
        let want_attempts = match (injected, repeatable) {
            (_, false) => 1,
            (Injected::DropAfter, true) => 2,
            (_, true) => 3,
        };
        if attempts != want_attempts {
            problems.push(format!("{attempts} attempts, expected {want_attempts}"));
        }
        if repeatable {
            if let Err(e) = &result {
                problems.push(format!("not retried to success: {e}"));
            }
            let least = if injected == Injected::Busy503 {
                Duration::from_secs(2)
            } else {
                Duration::ZERO
            };
            if elapsed < least || elapsed > least + Duration::from_millis(320) {
                problems.push(format!("took {elapsed:?}"));
            }
        } else {
            let times = applied(&h, &sandbox, &c, &transport).await;
            let (unknown, want_times) = match injected {
                // The client cannot tell the sandbox's 503 from a proxy's 503 sent after
                // forwarding: an unknown outcome (it was not applied).
                Injected::Busy503 => (true, 0),
                Injected::TooMany429 => (false, 0),
                Injected::DropBefore => (true, 0),
                Injected::DropAfter => (true, 1),
            };
            match &result {
                Ok(()) => problems.push("succeeded".into()),
                Err(e) if e.outcome_unknown() != unknown => {
                    problems.push(format!("outcome_unknown() is not {unknown}: {e:?}"));
                }
                Err(e) if !unknown && e.status().map(|s| s.as_u16()) != Some(429) => {
                    problems.push(format!("unexpected error {e:?}"))
                }
                Err(_) => {}
            }
            if times != want_times {
                problems.push(format!("applied {times} times, expected {want_times}"));
            }
        }
        let dropped = sandbox.dropped_after_applying();
        if dropped != u64::from(injected == Injected::DropAfter) {
            problems.push(format!("the sandbox dropped {dropped} applied answers"));
        }
        failures.note(&format!("sandbox {injected:?}"), op, &problems);
    }
    failures.assert_none(&format!("sandbox {injected:?}"), routed.len())
}

#[tokio::test(start_paused = true)]
async fn sandbox_503_with_retry_after() {
    run_injected(Injected::Busy503).await;
}

#[tokio::test(start_paused = true)]
async fn sandbox_429() {
    run_injected(Injected::TooMany429).await;
}

#[tokio::test(start_paused = true)]
async fn sandbox_drop_before_handling() {
    run_injected(Injected::DropBefore).await;
}

#[tokio::test(start_paused = true)]
async fn sandbox_applied_then_dropped() {
    run_injected(Injected::DropAfter).await;
}

#[test]
fn figures() {
    let (operations, routed) = (hooks().len(), routed().len());
    eprintln!(
        "fault matrix: {operations} operations × {} fault-server faults = {} cases; \
         {routed} operations × {} sandbox faults = {} cases",
        KINDS.len(),
        operations * KINDS.len(),
        INJECTED.len(),
        routed * INJECTED.len()
    );
    assert!(operations >= 28, "the 28 operations of issue 13 at least");
    assert_eq!(routed, operations, "the sandbox serves every operation");
    assert_eq!(KINDS.len(), 15);
    assert_eq!(INJECTED.len(), 4);
}
