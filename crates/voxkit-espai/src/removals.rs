//! What the exactly-once removals (deleting agents, unbinding devices) share: they are
//! reconciled by reading a list back, and sent only when everything named is listed first.

use futures_util::{Stream, TryStreamExt};
use serde_json::{Value, json};
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{Error, ExactlyOnceOutcome, ReconcileWait, Verdict};

/// Every item of `listing` (every page), or the [`Verdict::Undetermined`] saying the
/// `list` could not be read in full: a read-back that stopped early proves nothing.
pub(crate) async fn read_in_full<T>(
    list: &str,
    listing: impl Stream<Item = Result<T, Error>>,
) -> Result<Vec<T>, Verdict> {
    listing
        .try_collect()
        .await
        .map_err(|e| Verdict::Undetermined(format!("the {list} could not be read in full: {e}")))
}

/// Whether removing `ids` was applied, read back from the ids of `listing` (the `list`,
/// every page): [`gone_or_present`] of them, or [`Verdict::Undetermined`] when the list
/// cannot be read in full.
pub(crate) async fn removal_read_back<S: AsRef<str>>(
    list: &str,
    key: &str,
    what: &str,
    ids: &[S],
    listing: impl Stream<Item = Result<String, Error>>,
) -> Verdict {
    let listed = match read_in_full(list, listing).await {
        Ok(listed) => listed,
        Err(verdict) => return verdict,
    };
    let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
    gone_or_present(key, what, &ids, &listed)
}

/// A removal exactly once: refused unless its read-back (`reconcile`) says everything
/// named (`what`) is listed now ([`listed_before`]); then sent, and a lost answer
/// reconciled by the same read-back, re-sent once when nothing was removed.
pub(crate) async fn remove_exactly_once<S, SF, R, RF>(
    origin: voxkit_core::Origin,
    what: &str,
    wait: &ReconcileWait,
    send: S,
    reconcile: R,
) -> Result<ExactlyOnceOutcome, Error>
where
    S: Fn() -> SF,
    SF: Future<Output = Result<Value, Error>>,
    R: Fn() -> RF,
    RF: Future<Output = Verdict>,
{
    listed_before(origin, what, reconcile().await)?;
    run_exactly_once(None, wait, send, reconcile).await
}

/// Which of `ids` are still listed: `Applied` when none is (the ids as evidence under
/// `key`), `NotApplied` when all are, `Undetermined` when some are.
pub(crate) fn gone_or_present(key: &str, what: &str, ids: &[&str], listed: &[String]) -> Verdict {
    let (present, gone): (Vec<&str>, Vec<&str>) =
        ids.iter().partition(|id| listed.iter().any(|l| l == *id));
    match (gone.is_empty(), present.is_empty()) {
        (false, true) => Verdict::Applied(json!({ key: gone })),
        (true, _) => Verdict::NotApplied,
        (false, false) => Verdict::Undetermined(format!(
            "{what} {gone:?} are gone but {present:?} are still listed"
        )),
    }
}

/// The check before a delete or an unbind is sent: its read-back (`before`) must say "not
/// applied", i.e. everything named is listed now; else nothing is sent.
pub(crate) fn listed_before(
    origin: voxkit_core::Origin,
    what: &str,
    before: Verdict,
) -> Result<(), Error> {
    match before {
        Verdict::NotApplied => Ok(()),
        Verdict::Undetermined(why) => Err(Error::invalid_input(
            origin,
            format!(
                "every {what} must be listed before it is removed, or its removal could not be \
                 reconciled, and that could not be confirmed ({why}); nothing was sent"
            ),
        )),
        Verdict::Applied(_) => Err(Error::invalid_input(
            origin,
            format!(
                "every {what} must be listed before it is removed, or its removal could not be \
                 reconciled; nothing was sent"
            ),
        )),
    }
}
