//! Exactly once for Laaffic's three non-repeatable operations.
//!
//! - **Create task, resend task**: the task name carries a unique [`Marker`]
//!   ([`marked_task_name`]), so that after a lost answer ([`Error::OutcomeUnknown`]) the
//!   task query's name search over the window since the intent tells whether that one task
//!   was created (a resend creates a new task under the name it sends).
//! - **Voice file upload**: the file name carries the marker
//!   ([`marked_voice_file_name`]) and names are unique on the server, which refuses a second
//!   upload of a name with `-20` (data exists). No operation lists voice files, so the
//!   upload is its own probe: after a lost answer the same upload is sent again; `-20`
//!   proves the first was applied (its id is not given back), a success means it was not
//!   and now is.

use std::time::SystemTime;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Offset, Utc};
use futures_util::TryStreamExt;
use serde_json::json;
use voxkit_core::reconcile::{
    MARKER_ALPHABET, MARKER_LEN, MARKER_PREFIX, run_exactly_once, run_exactly_once_by_conflict,
};
use voxkit_core::{Error, ExactlyOnceOutcome, Marker, Origin, ReconcileWait, Verdict};

use crate::ivr::tasks::{CREATE_TASK, RESEND_TASK};
use crate::ivr::voices::UPLOAD_VOICE_FILE;
use crate::{Client, NewTask, Resend, Status, TaskId, TaskQuery, TaskSummary};

/// The longest task name the API accepts (2-64 characters): a marked name keeps the
/// caller's text and fits the marker within it.
pub const TASK_NAME_MAX_CHARS: usize = 64;

/// How far before the intent (and after now) the task query's window reaches: the server's
/// clock (China time, not documented) may differ from this host's; the marker makes the
/// match exact, so a wide window costs nothing but a page or two.
pub const TASK_WINDOW_MARGIN: Duration = Duration::hours(24);

/// A task name carrying `marker`: the caller's name kept readable, the marker appended
/// after a space, all within [`TASK_NAME_MAX_CHARS`]. Build the [`NewTask`] given to
/// [`Client::create_task_exactly_once`] with it.
pub fn marked_task_name(name: &str, marker: &Marker) -> String {
    marker.with_text(name, TASK_NAME_MAX_CHARS)
}

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

/// `word` as a marker, if it is one.
fn as_marker(word: &str) -> Option<Marker> {
    let ok = word.len() == MARKER_LEN
        && word.starts_with(MARKER_PREFIX)
        && word[MARKER_PREFIX.len()..]
            .bytes()
            .all(|b| MARKER_ALPHABET.contains(&b));
    ok.then(|| Marker::from_stored(word))
}

/// The marker a task name carries as its last word, if any.
pub(crate) fn marker_in(name: &str) -> Option<Marker> {
    as_marker(name.split_whitespace().last()?)
}

/// The marker a voice file name carries at the end of its stem (after the last `-`, or the
/// whole stem), if any.
fn marker_in_file_name(name: &str) -> Option<Marker> {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    as_marker(stem.rsplit('-').next()?)
}

/// The `taskName` a request body sends.
fn task_name_of(wire: impl serde::Serialize) -> String {
    serde_json::to_value(wire)
        .ok()
        .and_then(|wire| wire.get("taskName")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `at` on the server's clock (China time).
fn server_time(at: DateTime<Utc>) -> NaiveDateTime {
    let offset = FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix());
    at.with_timezone(&offset).naive_local()
}

/// A task as evidence.
fn task_json(task: &TaskSummary) -> serde_json::Value {
    json!({ "taskId": task.task_id.0, "taskName": task.task_name })
}

impl Client {
    /// Whether the task whose name carries `marker`, created at or after `since`, exists:
    /// the task query searched for the marker over the window since the intent (every
    /// page). Exactly one task with the marker in its name → [`Verdict::Applied`]; none →
    /// [`Verdict::NotApplied`]; two, or a query that cannot be read in full →
    /// [`Verdict::Undetermined`]. Only reads.
    pub async fn reconcile_create_task(&self, marker: &Marker, since: DateTime<Utc>) -> Verdict {
        let now = DateTime::<Utc>::from(SystemTime::now());
        let query = TaskQuery::new(
            server_time(since - TASK_WINDOW_MARGIN),
            server_time(now + TASK_WINDOW_MARGIN),
        )
        .search(marker.as_str())
        .page(1, 100);
        let tasks: Vec<TaskSummary> = match self.query_tasks_all(&query).try_collect().await {
            Ok(tasks) => tasks,
            Err(e) => {
                return Verdict::Undetermined(format!(
                    "the task list could not be read in full: {e}"
                ));
            }
        };
        let found: Vec<&TaskSummary> = tasks
            .iter()
            .filter(|t| t.task_name.as_deref().is_some_and(|n| marker.found_in(n)))
            .collect();
        match found.as_slice() {
            [] => Verdict::NotApplied,
            [task] => Verdict::Applied(task_json(task)),
            many => Verdict::Undetermined(format!(
                "{} tasks carry marker {marker} (ids {:?})",
                many.len(),
                many.iter().map(|t| t.task_id.0).collect::<Vec<_>>()
            )),
        }
    }

    /// [`Client::create_task`] exactly once. The task's name must end with a marker
    /// ([`marked_task_name`]; else [`Error::InvalidInput`], nothing sent): a lost answer is
    /// reconciled with [`Client::reconcile_create_task`], and the same task (same name) is
    /// sent once more only when it was proven not created.
    pub async fn create_task_exactly_once(
        &self,
        task: &NewTask,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let name = task_name_of(task.wire());
        self.task_creation_exactly_once(CREATE_TASK.origin(), name, wait, || self.create_task(task))
            .await
    }

    /// [`Client::resend_task`] exactly once. A resend creates a new task under the name it
    /// sends, so it is reconciled as a creation: the name must end with a marker
    /// ([`marked_task_name`]; else [`Error::InvalidInput`], nothing sent), a lost answer is
    /// looked for with [`Client::reconcile_create_task`], and the same resend (same name) is
    /// sent once more only when no task carries the marker.
    pub async fn resend_task_exactly_once(
        &self,
        resend: &Resend,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let name = task_name_of(resend.wire());
        self.task_creation_exactly_once(RESEND_TASK.origin(), name, wait, || {
            self.resend_task(resend)
        })
        .await
    }

    /// The exactly-once run of a send that creates a task named `name` (a create, a
    /// resend, an AI resend): `name` must end with a marker (else [`Error::InvalidInput`]
    /// from `origin`, nothing sent); a lost answer is looked for with
    /// [`Client::reconcile_create_task`] since now, and `send` is called once more only
    /// when no task carries the marker. The evidence of an answer is the new task's id
    /// (when given) and its name.
    pub(crate) async fn task_creation_exactly_once<S, SF>(
        &self,
        origin: Origin,
        name: String,
        wait: &ReconcileWait,
        send: S,
    ) -> Result<ExactlyOnceOutcome, Error>
    where
        S: Fn() -> SF,
        SF: Future<Output = Result<Option<TaskId>, Error>>,
    {
        let Some(marker) = marker_in(&name) else {
            return Err(Error::invalid_input(
                origin,
                "the task name carries no marker: build it with marked_task_name",
            ));
        };
        let since = DateTime::<Utc>::from(SystemTime::now());
        run_exactly_once(
            Some(&marker),
            wait,
            || async {
                let id = send().await?;
                Ok(json!({ "taskId": id.map(|id| id.0), "taskName": name }))
            },
            || self.reconcile_create_task(&marker, since),
        )
        .await
    }

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
    fn a_marked_name_gives_its_marker_back() {
        let marker = Marker::generate();
        let name = marked_task_name("月末回访", &marker);
        assert_eq!(marker_in(&name), Some(marker.clone()));
        assert_eq!(marker_in(marker.as_str()), Some(marker));
        assert_eq!(marker_in("月末回访"), None);
        assert_eq!(marker_in("task vk0123456789abcI"), None);
    }

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
