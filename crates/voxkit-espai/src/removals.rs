//! What the exactly-once removals (deleting agents, unbinding devices) share: they are
//! reconciled by reading a list back, and sent only when everything named is listed first.

use serde_json::json;
use voxkit_core::{Error, Verdict};

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
