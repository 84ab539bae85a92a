//! Exactly once for the voice file upload: the file name carries the marker
//! ([`marked_voice_file_name`]) and names are unique on the server, which refuses a second
//! upload of a name with `-20` (data exists). No operation lists voice files, so the
//! upload is its own probe: after a lost answer the same upload is sent again; `-20`
//! proves the first was applied (its id is not given back), a success means it was not
//! and now is.

use serde_json::json;
use voxkit_core::reconcile::run_exactly_once_by_conflict;
use voxkit_core::{Error, ExactlyOnceOutcome, Marker, ReconcileWait};

use super::UPLOAD_VOICE_FILE;
use crate::markers::as_marker;
use crate::{Client, Status};

/// The longest voice file name the API accepts (5-32 characters with the extension).
pub const VOICE_FILE_NAME_MAX_CHARS: usize = 32;

/// A voice file name carrying `marker`: the caller's name kept readable where there is room,
/// the marker appended to its stem after a `-`, the extension kept, all within
/// [`VOICE_FILE_NAME_MAX_CHARS`]: `greeting.mp3` becomes `greeting-vk3j9x0qmc7twa2d.mp3`.
/// A `-` rather than a space, so that the name stays one word in every console and shell.
/// Give the result to [`Client::upload_voice_file_exactly_once`].
///
/// ```
/// use voxkit_core::Marker;
/// let marker = Marker::from_stored("vk0123456789abcd");
/// assert_eq!(
///     voxkit_laaffic::marked_voice_file_name("greeting.mp3", &marker),
///     "greeting-vk0123456789abcd.mp3"
/// );
/// ```
pub fn marked_voice_file_name(name: &str, marker: &Marker) -> String {
    let (stem, ext) = match name.trim().rsplit_once('.') {
        Some((stem, ext)) => (stem, format!(".{ext}")),
        None => (name.trim(), String::new()),
    };
    let room =
        VOICE_FILE_NAME_MAX_CHARS.saturating_sub(ext.chars().count() + marker.as_str().len() + 1);
    let kept: String = stem.chars().take(room).collect();
    let kept = kept.trim_end_matches(['-', ' ']);
    if kept.is_empty() {
        format!("{marker}{ext}")
    } else {
        format!("{kept}-{marker}{ext}")
    }
}

/// The marker a voice file name carries at the end of its stem (after the last `-`, or the
/// whole stem), if any.
fn marker_in_file_name(name: &str) -> Option<Marker> {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    as_marker(stem.rsplit('-').next()?)
}

impl Client {
    /// [`Client::upload_voice_file`] exactly once. The file name must carry a marker
    /// ([`marked_voice_file_name`]; else [`Error::InvalidInput`], nothing sent): since the
    /// server refuses a name twice, the marker makes the name this upload's own key.
    ///
    /// On a lost answer the same upload is sent again, up to `wait.tries` sends in all, a
    /// backoff apart (the re-send is the probe: no operation lists voice files):
    ///
    /// - a success → [`ExactlyOnceOutcome::Applied`] with the new id (the first send had
    ///   not been applied);
    /// - `-20` (data exists) → `Applied`: the first send was applied. The evidence says so
    ///   and holds no id: the API does not give the first upload's id back;
    /// - another refusal, or every answer lost → [`ExactlyOnceOutcome::Undetermined`]: a
    ///   refusal after a lost answer (e.g. `-23`, the file limit, which the first upload
    ///   may itself have reached) proves nothing about the first.
    ///
    /// A refusal of the first send is returned as the error, as by `upload_voice_file`;
    /// `-20` on the first send means a file with this marker already exists (a call
    /// resumed after a crash) and is `Applied` too.
    pub async fn upload_voice_file_exactly_once(
        &self,
        file_name: &str,
        content: &[u8],
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let Some(marker) = marker_in_file_name(file_name) else {
            return Err(Error::invalid_input(
                UPLOAD_VOICE_FILE.origin(),
                "the file name carries no marker: build it with marked_voice_file_name",
            ));
        };
        run_exactly_once_by_conflict(
            Some(&marker),
            wait,
            || async {
                let id = self.upload_voice_file(file_name, content).await?;
                Ok(json!({ "voiceFileId": id.0, "fileName": file_name }))
            },
            |e| {
                (Status::of(e) == Some(Status::DataExists)).then(|| {
                    json!({
                        "voiceFileId": null,
                        "fileName": file_name,
                        "proof": "the same upload answered -20 (data exists)",
                    })
                })
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marked_file_name_fits_32_characters_and_gives_its_marker_back() {
        let marker = Marker::from_stored("vk0123456789abcd");
        for (name, marked) in [
            ("greeting.mp3", "greeting-vk0123456789abcd.mp3"),
            (
                "a-very-long-voice-prompt.wav",
                "a-very-long-vk0123456789abcd.wav",
            ),
            ("-.m4a", "vk0123456789abcd.m4a"),
            ("", "vk0123456789abcd"),
        ] {
            let got = marked_voice_file_name(name, &marker);
            assert_eq!(got, marked, "{name}");
            assert!(got.chars().count() <= VOICE_FILE_NAME_MAX_CHARS);
            assert_eq!(marker_in_file_name(&got), Some(marker.clone()), "{got}");
        }
        assert_eq!(marker_in_file_name("greeting.mp3"), None);
        assert_eq!(marker_in_file_name("xvk0123456789abcd.mp3"), None);
    }
}
