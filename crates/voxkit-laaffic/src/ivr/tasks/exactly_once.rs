//! Exactly once for creating and resending a task: both create a task, so both run
//! [`Client::task_creation_exactly_once`], reconciled by the marker in the task name.

use voxkit_core::{Error, ExactlyOnceOutcome, ReconcileWait};

use super::{CREATE_TASK, RESEND_TASK};
use crate::{Client, NewTask, Resend};

/// The `taskName` a request body sends.
fn task_name_of(wire: impl serde::Serialize) -> String {
    serde_json::to_value(wire)
        .ok()
        .and_then(|wire| wire.get("taskName")?.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl Client {
    /// [`Client::create_task`] exactly once. The task's name must end with a marker
    /// ([`marked_task_name`](crate::marked_task_name); else [`Error::InvalidInput`],
    /// nothing sent): a lost answer is reconciled with [`Client::reconcile_create_task`],
    /// and the same task (same name) is sent once more only when it was proven not created.
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
    /// ([`marked_task_name`](crate::marked_task_name); else [`Error::InvalidInput`],
    /// nothing sent), a lost answer is looked for with [`Client::reconcile_create_task`],
    /// and the same resend (same name) is sent once more only when no task carries the
    /// marker.
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
}
