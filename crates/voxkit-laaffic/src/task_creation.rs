//! Exactly once for the sends that create a task (create task, resend task, AI resend):
//! the task name carries a unique [`Marker`] ([`marked_task_name`]), so that after a lost
//! answer ([`Error::OutcomeUnknown`]) the task query's name search over the window since the
//! intent tells whether that one task was created (a resend creates a new task under the
//! name it sends). Each send's `*_exactly_once` call lives with its group
//! (`ivr::tasks`, `ai_tasks`) and runs [`Client::task_creation_exactly_once`].

use std::time::SystemTime;

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Offset, Utc};
use futures_util::TryStreamExt;
use serde_json::json;
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{Error, ExactlyOnceOutcome, Marker, Origin, ReconcileWait, Verdict};

use crate::markers::as_marker;
use crate::{Client, TaskId, TaskQuery, TaskSummary};

/// The longest task name the API accepts (2-64 characters): a marked name keeps the
/// caller's text and fits the marker within it.
pub const TASK_NAME_MAX_CHARS: usize = 64;

/// How far before the intent (and after now) the task query's window reaches: the server's
/// clock (China time, not documented) may differ from this host's; the marker makes the
/// match exact, so a wide window costs nothing but a page or two.
pub const TASK_WINDOW_MARGIN: Duration = Duration::hours(24);

/// A task name carrying `marker`: the caller's name kept readable, the marker appended
/// after a space, all within [`TASK_NAME_MAX_CHARS`]. Build the
/// [`NewTask`](crate::NewTask) given to [`Client::create_task_exactly_once`] with it.
pub fn marked_task_name(name: &str, marker: &Marker) -> String {
    marker.with_text(name, TASK_NAME_MAX_CHARS)
}

/// The marker a task name carries as its last word, if any.
pub(crate) fn marker_in(name: &str) -> Option<Marker> {
    as_marker(name.split_whitespace().last()?)
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
}
