//! The exactly-once call of an operation that nothing can reconcile: sent once, never
//! re-sent, a lost answer `Undetermined` with the declaration's reason.

use super::{Evidence, ExactlyOnceOutcome, ReconcileWait, Verdict, run_exactly_once};
use crate::{Error, OperationSpec, Reconciliation};

/// [`run_exactly_once`] for an operation declared
/// [`Reconciliation::Impossible`]: `send` once and never again. An answer is
/// [`ExactlyOnceOutcome::Applied`] with the evidence `send` gives; a refusal is the error;
/// a lost answer is [`ExactlyOnceOutcome::Undetermined`] at once, saying "this operation
/// cannot be reconciled: " and the declaration's `why` (a spec declared otherwise says "the
/// declaration names no reconciliation": nothing is looked up either way).
///
/// Offered by every provider so that "cannot be reconciled" is an answer the caller (a
/// batch, the journal) handles in the same `match` as the others, not a plain error to
/// recognise; written once here so that every such call says it the same way.
pub async fn run_once_unreconcilable<S, SF>(
    spec: &OperationSpec,
    send: S,
) -> Result<ExactlyOnceOutcome, Error>
where
    S: Fn() -> SF,
    SF: std::future::Future<Output = Result<Evidence, Error>>,
{
    let why = match spec.reconciliation {
        Reconciliation::Impossible { why } => why,
        _ => "the declaration names no reconciliation",
    };
    run_exactly_once(
        None,
        &ReconcileWait {
            tries: 1,
            not_applied_looks: 1,
            ..ReconcileWait::default()
        },
        send,
        || async move { Verdict::Undetermined(format!("this operation cannot be reconciled: {why}")) },
    )
    .await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::{Idempotency, Origin};

    static PAY: OperationSpec = OperationSpec::new(
        "toy",
        "pay",
        crate::reqwest::Method::POST,
        "pay",
        Idempotency::NotRepeatable,
        Reconciliation::Impossible {
            why: "nothing lists payments",
        },
        &[],
    );
    const ORIGIN: Origin = Origin::new("toy", "pay");

    /// Runs the helper with every send answering `answer`; returns the outcome and the
    /// number of sends.
    async fn run(
        answer: fn() -> Result<Evidence, Error>,
    ) -> (Result<ExactlyOnceOutcome, Error>, u32) {
        let sent = AtomicU32::new(0);
        let outcome = run_once_unreconcilable(&PAY, || {
            sent.fetch_add(1, Ordering::SeqCst);
            async move { answer() }
        })
        .await;
        (outcome, sent.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn a_lost_answer_is_undetermined_with_the_declared_why_and_never_resent() {
        let (outcome, sent) = run(|| {
            Err(Error::OutcomeUnknown {
                origin: ORIGIN,
                cause: Box::new(Error::api(ORIGIN, None, "dropped")),
            })
        })
        .await;
        assert_eq!(sent, 1);
        match outcome.expect("an outcome, not an error") {
            ExactlyOnceOutcome::Undetermined { marker: None, why } => assert_eq!(
                why,
                "this operation cannot be reconciled: nothing lists payments"
            ),
            other => panic!("expected Undetermined, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_answer_is_applied_and_a_refusal_is_the_error() {
        let (outcome, sent) = run(|| Ok(serde_json::json!({"url": "u"}))).await;
        assert_eq!(sent, 1);
        assert_eq!(
            outcome.expect("applied").applied(),
            Some(&serde_json::json!({"url": "u"}))
        );
        let (outcome, sent) = run(|| Err(Error::api(ORIGIN, Some("-10".into()), "no money"))).await;
        assert_eq!(sent, 1);
        assert_eq!(outcome.expect_err("the refusal").api_code(), Some("-10"));
    }
}
