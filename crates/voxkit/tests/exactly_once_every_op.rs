//! The SDK's exactly-once call of **every** non-repeatable operation, read from the
//! providers' declarations (every `OperationSpec` with `NotRepeatable` in their
//! `OPERATIONS`, through their test hooks), each under the sandbox's two lost-answer faults:
//!
//! - applied-then-dropped (the sandbox applies the request, then drops the connection);
//! - dropped-before-handling (nothing applied).
//!
//! Each must end `Applied` with the sandbox showing it applied exactly once, or, only where
//! the declaration says `Impossible`, `Undetermined` with the request sent once and never
//! again (applied once or not at all, as the fault decided).
//!
//! Each declaration carries its case (`exactly_once`: the docs' example through the
//! `*_exactly_once` call, against the seeded sandbox; `applied`: how many times it was
//! applied, read back through the SDK), so the test names no operation: it arms the fault
//! on the operation's route, runs the one and then the other. A non-repeatable declaration
//! without them fails core's check (`every_non_repeatable_declaration_carries_its_case`),
//! so a new one cannot be forgotten. The few whose effect no read shows are counted in the
//! sandbox's state (`common::ops::UNREADABLE`).

#![cfg(all(feature = "longlonglong", feature = "espai", feature = "laaffic"))]

mod common;

use voxkit::core::test_util::FAST_RECONCILE;
use voxkit::core::{ExactlyOnceOutcome, OperationSpec, Reconciliation};
use voxkit::longlonglong::{TaskId as LllTaskId, UserId};
use voxkit_sandbox::{Fault, Sandbox};

use common::ops::{Hook, applied_in_sandbox, assert_no_unproven, hooks};
use common::{Clients, Settings, clients, http_client};

/// The two lost-answer faults, each on the first request to the operation's route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lost {
    /// Applied by the sandbox, then the connection dropped.
    AppliedThenDropped,
    /// The connection dropped before the sandbox handled the request.
    DroppedBeforeHandling,
}

impl Lost {
    fn fault(self) -> Fault {
        match self {
            Lost::AppliedThenDropped => Fault::default().drop_after(1.0).times(1),
            Lost::DroppedBeforeHandling => Fault::default().drop_before(1.0).times(1),
        }
    }
}

/// What one case did: the exactly-once call's outcome, and how many times the sandbox's
/// state shows the operation applied afterwards.
struct Ran {
    outcome: ExactlyOnceOutcome,
    applied: usize,
}

/// The cases' common set-up: a fresh seeded sandbox, clients, and the fault to arm on the
/// operation's route once the case's own set-up requests are done.
struct Env {
    sandbox: Sandbox,
    c: Clients,
    route: &'static str,
    lost: Lost,
}

impl Env {
    /// Arms the fault: the next request to the operation's route loses its answer.
    fn arm(&self) {
        self.sandbox.set_fault(self.route, self.lost.fault());
    }

    fn user(&self, balance: i64) -> (String, UserId) {
        let id = self
            .sandbox
            .add_longlonglong_user("逐一对账", balance, None, true);
        let user = id.parse().expect("a UUID");
        (id, user)
    }
}

/// The outcome, or the panic message of a refusal (no case expects one).
fn ok(result: Result<ExactlyOnceOutcome, voxkit::Error>) -> ExactlyOnceOutcome {
    result.unwrap_or_else(|e| panic!("refused: {e}"))
}

/// The case of a non-repeatable operation declared without an `exactly_once` hook (the
/// one `common::ops::UNREADABLE` names): set up, arm the fault, run the SDK's exactly-once
/// call, count in the sandbox's state. `None`: no case for this operation.
async fn case(spec: &OperationSpec, env: &Env) -> Option<Ran> {
    let (sandbox, c) = (&env.sandbox, &env.c);
    let ran = match (spec.provider, spec.name) {
        // `common::ops::UNREADABLE`: the seeded docs task is already paused and nothing
        // documented starts it, so the docs' values cannot show a pause: a running task of
        // the user's own, and the sandbox's count of pauses.
        ("longlonglong", "pause_task_v1") => {
            let (id, user) = env.user(0);
            let uuid = sandbox.add_longlonglong_task(&id, "逐一原任务", true, &["13800000301"]);
            let task: LllTaskId = uuid.parse().expect("a task id");
            env.arm();
            #[allow(deprecated)]
            let outcome = ok(c
                .longlonglong
                .pause_task_v1_exactly_once(&user, &task, &FAST_RECONCILE)
                .await);
            let applied = sandbox
                .longlonglong_tasks()
                .iter()
                .find(|t| t.uuid == uuid)
                .map_or(0, |t| t.pauses as usize);
            Ran { outcome, applied }
        }
        _ => return None,
    };
    Some(ran)
}

/// One run of `hook`'s operation under the fault `env` arms: its declared `exactly_once`
/// and then its `applied` (or the sandbox's count, for an `UNREADABLE` one); else its case
/// above. `Err`: why the run itself failed.
async fn run(hook: &Hook, env: &Env) -> Result<Option<Ran>, String> {
    let label = hook.label();
    let Some(exactly_once) = hook.exactly_once(&env.c) else {
        return Ok(case(hook.spec, env).await);
    };
    env.arm();
    let outcome = exactly_once
        .await
        .map_err(|e| format!("{label}: refused: {e}"))?;
    let applied = match hook.applied(&env.c) {
        Some(read_back) => read_back
            .await
            .map_err(|e| format!("{label}: the applied probe failed: {e}"))?,
        None => applied_in_sandbox(hook.spec, &env.sandbox)
            .ok_or_else(|| format!("{label}: declares no `applied` hook"))?,
    };
    Ok(Some(Ran { outcome, applied }))
}

/// Core's check over every provider's declarations: a non-repeatable operation declares
/// its example exactly once and how often it was applied (but the `UNREADABLE` few).
#[test]
fn every_non_repeatable_declaration_carries_its_case() {
    assert_no_unproven();
}

/// What the declaration and the fault require of one run; the failures, in words.
fn check(spec: &OperationSpec, lost: Lost, ran: &Ran) -> Vec<String> {
    let what = format!("{}.{} under {lost:?}", spec.provider, spec.name);
    let mut failures = Vec::new();
    match (spec.reconciliation, &ran.outcome) {
        (Reconciliation::Impossible { .. }, ExactlyOnceOutcome::Undetermined { why, .. }) => {
            // Sent once, never again: applied once if the sandbox applied it, else not.
            let once = usize::from(lost == Lost::AppliedThenDropped);
            if ran.applied != once {
                failures.push(format!(
                    "{what}: undetermined, applied {} times (want {once})",
                    ran.applied
                ));
            }
            if !why.contains("cannot be reconciled") {
                failures.push(format!("{what}: undetermined without the reason: {why}"));
            }
        }
        (Reconciliation::Impossible { .. }, other) => {
            failures.push(format!("{what}: declared Impossible, ended {other:?}"));
        }
        (how, ExactlyOnceOutcome::Applied { resent, .. }) => {
            if ran.applied != 1 {
                failures.push(format!("{what}: applied {} times", ran.applied));
            }
            // Nothing applied: only a second send can have applied it. Applied and
            // dropped: found in the provider's records, not sent again, except where the
            // request is its own probe (ByConflict).
            let want_resent = lost == Lost::DroppedBeforeHandling
                || matches!(how, Reconciliation::ByConflict { .. });
            if *resent != want_resent {
                failures.push(format!("{what}: resent {resent}, want {want_resent}"));
            }
        }
        (_, other) => failures.push(format!("{what}: reconcilable, ended {other:?}")),
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_non_repeatable_operation_is_applied_exactly_once_or_honestly_undetermined() {
    let mut failures = Vec::new();
    let mut missing = Vec::new();
    let mut ran = 0;
    let declared: Vec<_> = hooks()
        .into_iter()
        .filter(|h| !h.spec.is_repeatable())
        .collect();
    for hook in &declared {
        let spec = hook.spec;
        let route = hook
            .route()
            .unwrap_or_else(|| panic!("{}: no sandbox route", spec.name))
            .name;
        for lost in [Lost::AppliedThenDropped, Lost::DroppedBeforeHandling] {
            let sandbox = Sandbox::start().await.expect("sandbox");
            let c = clients(&sandbox.url(), http_client_transport(), Settings::default());
            let env = Env {
                sandbox,
                c,
                route,
                lost,
            };
            match run(hook, &env).await {
                Ok(Some(result)) => {
                    failures.extend(check(spec, lost, &result));
                    ran += 1;
                }
                Ok(None) => {
                    missing.push(hook.label());
                    break;
                }
                Err(failure) => failures.push(format!("{failure} under {lost:?}")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "non-repeatable operations without an exactly-once case here: {missing:?}"
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(!declared.is_empty(), "no non-repeatable operation declared");
    assert_eq!(ran, 2 * declared.len(), "both faults for each operation");
}

/// A plain transport for the clients.
fn http_client_transport() -> std::sync::Arc<dyn voxkit::core::Transport> {
    common::Counting::new(http_client())
}
