//! Tasks deleted, and phones added to or deleted from a task: read-backs in the task and its
//! number list.

use serde_json::json;
use voxkit_core::Origin;
use voxkit_longlonglong::{NumberDeletion, NumberImport, NumberRow, TaskId, UserId};

use super::{Longlonglong, PROVIDER, serial};

declared! {
    /// A task deleted (任务删除, the old API's `DELETE .../task/{id}`): the read answers "not
    /// found" afterwards ([`Client::reconcile_delete_task`]); it must be there before.
    ///
    /// [`Client::reconcile_delete_task`]: voxkit_longlonglong::Client::reconcile_delete_task
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DeleteTaskRequest for Longlonglong {
        /// The user.
        pub user: UserId => "user",
        /// The task.
        pub task: TaskId => "task",
    }
    names: ["delete_task"],
    read_back: |_| "the task is not there (never created, or deleted)",
    serial: |r| serial(&r.user),
    send: |r, client, _| {
        let deleted = client.delete_task(&r.user, &r.task, None).await?;
        Ok(json!({ "message": deleted.message, "deleted": r.task.as_str() }))
    },
    reconcile: |r, client, _, _| client.reconcile_delete_task(&r.user, &r.task).await,
}

/// Which way a [`NumbersRequest`] changes a task's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberChange {
    /// 批量添加号码, the synchronous import (phones only): all in the number list afterwards
    /// ([`Client::reconcile_add_numbers`]); none may be there before. (Suffixed and
    /// asynchronous imports are left to the SDK's [`Client::add_numbers_exactly_once`].)
    ///
    /// [`Client::reconcile_add_numbers`]: voxkit_longlonglong::Client::reconcile_add_numbers
    /// [`Client::add_numbers_exactly_once`]: voxkit_longlonglong::Client::add_numbers_exactly_once
    Add,
    /// 批量删除号码 (the task paused): none left afterwards
    /// ([`Client::reconcile_delete_numbers`]); all must be there before.
    ///
    /// [`Client::reconcile_delete_numbers`]: voxkit_longlonglong::Client::reconcile_delete_numbers
    Delete,
}

declared! {
    /// Phones added to or deleted from a task, read back in its number list. The read
    /// before sending must find none of them (an import) or all of them (a deletion), so
    /// that "all there" or "none left" afterwards proves this request and not a partial one.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct NumbersRequest for Longlonglong {
        /// Add or delete.
        pub change: NumberChange => operation,
        /// The user.
        pub user: UserId => "user",
        /// The task.
        pub task: TaskId => "task",
        /// The phones, each once.
        pub phones: Vec<String> => "phones",
    }
    names: [change: NumberChange::Add => "add_numbers", NumberChange::Delete => "delete_numbers"],
    read_back: |r| match r.change {
        NumberChange::Add => "a phone of this import is already in the task",
        NumberChange::Delete => "a phone of this deletion is not in the task",
    },
    serial: |r| serial(&r.user),
    // 1 to 100 phones for an import (any number for a deletion), each once, no spaces.
    check: |r| {
        let origin = Origin::new(PROVIDER, r.name());
        let max = match r.change {
            NumberChange::Add => voxkit_longlonglong::MAX_SYNC_NUMBERS,
            NumberChange::Delete => usize::MAX,
        };
        voxkit_core::check::range(origin, "phones", r.phones.len() as u64, 1, max as u64)?;
        for phone in &r.phones {
            voxkit_core::check::token(origin, "phone", phone, 128)?;
        }
        voxkit_core::check::unique(origin, "phones", &r.phones)
    },
    send: |r, client, _| {
        let done = match r.change {
            NumberChange::Add => {
                let rows = r.phones.iter().map(NumberRow::new).collect();
                let import = NumberImport::new(rows);
                client.add_numbers(&r.user, &r.task, &import).await?
            }
            NumberChange::Delete => {
                let deletion = NumberDeletion::new(r.phones.iter().cloned());
                client.delete_numbers(&r.user, &r.task, &deletion).await?
            }
        };
        Ok(json!({ "message": done.message, "phones": r.phones }))
    },
    reconcile: |r, client, _, _| {
        let phones: Vec<&str> = r.phones.iter().map(String::as_str).collect();
        match r.change {
            NumberChange::Add => {
                client
                    .reconcile_add_numbers(&r.user, &r.task, &phones, None)
                    .await
            }
            NumberChange::Delete => {
                client
                    .reconcile_delete_numbers(&r.user, &r.task, &phones, None)
                    .await
            }
        }
    },
}
