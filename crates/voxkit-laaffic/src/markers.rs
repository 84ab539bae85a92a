//! Reading back the exactly-once marker a name ends with: a task name's last word
//! ([`crate::task_creation`]), a voice file name's stem (`ivr::voices`).

use voxkit_core::Marker;
use voxkit_core::reconcile::{MARKER_ALPHABET, MARKER_LEN, MARKER_PREFIX};

/// `word` as a marker, if it is one.
pub(crate) fn as_marker(word: &str) -> Option<Marker> {
    let ok = word.len() == MARKER_LEN
        && word.starts_with(MARKER_PREFIX)
        && word[MARKER_PREFIX.len()..]
            .bytes()
            .all(|b| MARKER_ALPHABET.contains(&b));
    ok.then(|| Marker::from_stored(word))
}
