//! 呼叫任务 2.0 (section 呼叫任务&线路/呼叫任务, `/agent-api/new/user/{user_id}/...`): the
//! information a new task needs (任务初始化), create, list (the user's, or every
//! sub-account's), read (任务编辑 — a read, despite its name), modify, pause, copy.
//!
//! What is typed and what is raw (the documentation shows few answers):
//! - 任务初始化, 任务列表, 任务列表(所有子账号), 任务编辑: **typed** from the white-label
//!   mirrors' (truncated) examples, every field the examples do not show kept in `extra`;
//! - 任务创建, 任务修改, 任务暂停, 任务复制: **raw** ([`Undocumented`]): no answer is readable.
//!
//! Contradictions in the documentation and the choice made:
//! - `destination_extension` (the 话术分组 id) is an integer in requests and a string in
//!   answers (`"102"`): sent as an integer, read as text whichever it is.
//! - `holiday` is `{begin, end}` in the create request and `{start, end}` in answers: sent as
//!   `begin`/`end` (the request example); answers are kept as sent.
//! - `status` of the list filter is `1` 任务暂停 / `3` 执行中&等待执行, while the read answers
//!   `status` 3 with `status_str` 等待执行 and the real state is `enable` × `call_status`
//!   ([`TaskState`]); the filter is [`TaskStatusFilter`], the state is worked out from the
//!   two flags as the mirror's table says.
//! - The 任务暂停 of this generation is a `PUT` (the old one a `GET`): an absolute state,
//!   declared repeatable (a second pause leaves the task paused).
//! - 任务复制 is a `GET` that creates a task: declared **not repeatable**; its answer and
//!   the copy's name are undocumented, so a lost answer cannot be reconciled
//!   ([`Client::copy_task_exactly_once`]).

use futures_util::TryStreamExt;
use futures_util::stream::BoxStream;
use serde_json::json;
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{
    Error, ExactlyOnceOutcome, Marker, Operation, OperationSpec, ReconcileWait, Verdict,
};

use crate::Client;
use crate::envelope::{Undocumented, raw_once_unreconcilable};
use crate::ids::{SubUserId, TaskId, UserId};
use crate::listing::with_sub;

mod answers;
mod new_task;
mod query;

pub use answers::{
    CallerLine, InitDialTime, NewTaskExtra, Task, TaskDetail, TaskInit, TaskPage, TaskState,
};
pub use new_task::{
    GroupSwitchRule, Holiday, NewTask, Redial, ScriptWindow, TaskLine, TaskType, TaskUpdate,
    VariableScript,
};
pub use query::{TaskQuery, TaskStatusFilter};

#[cfg(any(test, feature = "test-util"))]
use {
    crate::billing::DOCS_USER,
    crate::dates,
    crate::envelope::decode_as,
    crate::numbers::NumberStatus,
    crate::records::DOCS_TASK,
    chrono::{NaiveDateTime, NaiveTime},
    serde_json::Value,
};

group! {

    /// 任务初始化: the dial-time groups and caller lines a new task may use.
    pub(crate) TASK_INIT {
        name: "task_init",
        method: GET,
        path: "agent-api/new/user/{user_id}/task/create",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.task_init(&DOCS_USER.parse()?, None).await.map(drop),
        decode: |r| decode_as::<TaskInit>(&TASK_INIT, r),
    }

    /// 任务创建. Found again by the task list filtered by its name, which carries a marker.
    pub(crate) CREATE_TASK {
        name: "create_task",
        method: POST,
        path: "agent-api/new/user/{user_id}/task",
        idempotency: NotRepeatable,
        reconciliation: ByMarker { field: "name", found_by: "tasks" },
        example: |c| c.create_task(&DOCS_USER.parse()?, &docs_new_task()?).await.map(drop),
        decode: |r| decode_as::<Value>(&CREATE_TASK, r),
        exactly_once: |c| {
            let marker = voxkit_core::Marker::generate();
            c.create_task_exactly_once(&DOCS_USER.parse()?, &docs_new_task()?, &marker, &voxkit_core::test_util::FAST_RECONCILE).await
        },
        applied: |c| c.docs_tasks_named(|n| n.starts_with("API任务创建测试")).await,
    }

    /// 任务列表: one page of the user's 2.0 tasks.
    pub(crate) TASKS {
        name: "tasks",
        method: GET,
        path: "agent-api/new/user/{user_id}/task",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.tasks(&DOCS_USER.parse()?, &TaskQuery::new().per_page(15)).await.map(drop),
        decode: |r| decode_as::<Vec<Task>>(&TASKS, r),
    }

    /// 任务列表(所有子账号): one page of the tasks of every sub-account.
    pub(crate) SUBSET_TASKS {
        name: "subset_tasks",
        method: GET,
        path: "agent-api/new/user/{user_id}/subset_task",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.subset_tasks(&DOCS_USER.parse()?, &TaskQuery::new().per_page(15)).await.map(drop),
        decode: |r| decode_as::<Vec<Task>>(&SUBSET_TASKS, r),
    }

    /// 任务编辑 — a read of one task's configuration, despite its name.
    pub(crate) TASK {
        name: "task",
        method: GET,
        path: "agent-api/new/user/{user_id}/task/{task_id}/edit",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.task(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, None).await.map(drop),
        decode: |r| decode_as::<TaskDetail>(&TASK, r),
    }

    /// 任务修改: the whole configuration, an absolute value, so repeatable.
    pub(crate) MODIFY_TASK {
        name: "modify_task",
        method: PUT,
        path: "agent-api/new/user/{user_id}/task/{task_id}",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            let update = TaskUpdate::new(docs_new_task()?);
            c.modify_task(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &update).await.map(drop)
        },
        decode: |r| decode_as::<Value>(&MODIFY_TASK, r),
    }

    /// 任务暂停 (2.0, a `PUT`): the task ends paused however often it is sent, so repeatable.
    pub(crate) PAUSE_TASK {
        name: "pause_task",
        method: PUT,
        path: "agent-api/new/user/{user_id}/task_stop/{task_id}",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.pause_task(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, None).await.map(drop),
        decode: |r| decode_as::<Value>(&PAUSE_TASK, r),
    }

    /// 任务复制: a `GET` that creates a task. Not repeatable, and not reconcilable.
    pub(crate) COPY_TASK {
        name: "copy_task",
        method: GET,
        path: "agent-api/new/user/{user_id}/copy/task/{task_id}",
        idempotency: NotRepeatable,
        reconciliation: Impossible {
            why: "the copy's answer and name are undocumented, so no read tells this copy \
                  from any other task",
        },
        example: |c| c.copy_task(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, None).await.map(drop),
        decode: |r| decode_as::<Value>(&COPY_TASK, r),
        exactly_once: |c| c.copy_task_exactly_once(&DOCS_USER.parse()?, &DOCS_TASK.parse()?).await,
        // A copy is named `<name>-副本`; the seed has none.
        applied: |c| c.docs_tasks_named(|n| n.ends_with("-副本")).await,
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Client {
    /// Test hook (`applied`): the docs user's tasks (every page) whose name `fits`.
    pub(crate) async fn docs_tasks_named(&self, fits: fn(&str) -> bool) -> Result<usize, Error> {
        let tasks: Vec<Task> = self
            .tasks_all(&DOCS_USER.parse()?, &TaskQuery::new(), false)
            .try_collect()
            .await?;
        Ok(tasks
            .iter()
            .filter(|t| t.name.as_deref().is_some_and(fits))
            .count())
    }
}

/// The page size of the task lists when none is asked for (the documented default, 15).
pub const DEFAULT_TASKS_PER_PAGE: u32 = 15;

/// The longest task name voxkit sends with a marker (the marker included). The
/// documentation gives no limit; 64 characters is what any name column holds.
pub const TASK_NAME_MAX_CHARS: usize = 64;

/// The docs' create example: `测试` task on script group 123, 2 concurrent calls, dial-time
/// group 5, one line with a limit of 2, from 2024-12-23 19:00 for a year.
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn docs_new_task() -> Result<NewTask, Error> {
    let at = |s: &str| NaiveDateTime::parse_from_str(s, dates::DATETIME_FORMAT).unwrap_or_default();
    let hm = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap_or_default();
    Ok(NewTask::new(
        "API任务创建测试",
        123,
        2,
        at("2024-12-23 19:00:00"),
        at("2025-12-23 19:00:00"),
    )
    .dial_time_id(5)
    .line(TaskLine::new(DOCS_LINE.parse()?, 2))
    .script_window(ScriptWindow::new(hm("09:00"), hm("12:00"), 123))
    .redial(Redial::new(1, 2).when([
        NumberStatus::Blocked,
        NumberStatus::Rejected,
        NumberStatus::NoAnswer,
        NumberStatus::PoweredOff,
        NumberStatus::Busy,
        NumberStatus::IncomingRestricted,
        NumberStatus::UserBlocked,
    ])))
}

/// The line of the examples (the 任务初始化 mirror's `29c39ec4-…`, completed).
#[cfg(any(test, feature = "test-util"))]
pub(crate) const DOCS_LINE: &str = "29c39ec4-5a7e-4f0b-9d0e-1b2c3d4e5f60";

impl Client {
    /// What a new task can use (任务初始化):
    /// `GET /agent-api/new/user/{user_id}/task/create[?sub_user_id=..]`. Repeatable.
    pub async fn task_init(
        &self,
        user: &UserId,
        sub_user: Option<&SubUserId>,
    ) -> Result<TaskInit, Error> {
        let op = with_sub(Operation::of(&TASK_INIT, &[user.as_str()])?, sub_user);
        Ok(self.call(&TASK_INIT, &op).await?.data)
    }

    /// Creates a 2.0 task (任务创建): `POST /agent-api/new/user/{user_id}/task`.
    ///
    /// Refused before sending: see [`NewTask`]. The answer is **not documented** (kept raw).
    ///
    /// **Not repeatable**: a lost answer is [`Error::OutcomeUnknown`]; use
    /// [`Client::create_task_exactly_once`], which marks the name and finds it again.
    pub async fn create_task(&self, user: &UserId, task: &NewTask) -> Result<Undocumented, Error> {
        let origin = CREATE_TASK.origin();
        task.check(origin)?;
        let op = Operation::of(&CREATE_TASK, &[user.as_str()])?.json(origin, task)?;
        self.undocumented(&CREATE_TASK, &op).await
    }

    /// One page of the user's 2.0 tasks (任务列表):
    /// `GET /agent-api/new/user/{user_id}/task?page=..&per_page=..&name=..&status=..&task_type=..`.
    /// Repeatable. Every page: [`Client::tasks_all`].
    pub async fn tasks(&self, user: &UserId, query: &TaskQuery) -> Result<TaskPage, Error> {
        self.task_page(&TASKS, user, query).await
    }

    /// One page of the tasks of every sub-account (任务列表(所有子账号)):
    /// `GET /agent-api/new/user/{user_id}/subset_task`. The docs list `page`, `per_page`,
    /// `name` (and a mirror `sub_user_id`); the other filters of [`TaskQuery`] are sent if
    /// set. Repeatable.
    pub async fn subset_tasks(&self, user: &UserId, query: &TaskQuery) -> Result<TaskPage, Error> {
        self.task_page(&SUBSET_TASKS, user, query).await
    }

    async fn task_page(
        &self,
        spec: &'static voxkit_core::OperationSpec,
        user: &UserId,
        query: &TaskQuery,
    ) -> Result<TaskPage, Error> {
        let op = query.apply(spec.origin(), Operation::of(spec, &[user.as_str()])?)?;
        self.meta_page(spec, &op).await
    }

    /// Every task of [`Client::tasks`] (or, with `all_sub_accounts`, of
    /// [`Client::subset_tasks`]) matching `query`, page after page, with core's loop guards.
    pub fn tasks_all(
        &self,
        user: &UserId,
        query: &TaskQuery,
        all_sub_accounts: bool,
    ) -> BoxStream<'static, Result<Task, Error>> {
        let spec = if all_sub_accounts {
            &SUBSET_TASKS
        } else {
            &TASKS
        };
        let key = |t: &Task| t.uuid.clone();
        let user = user.clone();
        self.every_page(
            spec,
            query,
            DEFAULT_TASKS_PER_PAGE,
            key,
            user,
            move |client, user, query| async move {
                Ok(client.task_page(spec, &user, &query).await?.into_page())
            },
        )
    }

    /// One task's configuration (任务编辑 — a read):
    /// `GET /agent-api/new/user/{user_id}/task/{task_id}/edit[?sub_user_id=..]`. Repeatable.
    pub async fn task(
        &self,
        user: &UserId,
        task: &TaskId,
        sub_user: Option<&SubUserId>,
    ) -> Result<TaskDetail, Error> {
        let op = with_sub(
            Operation::of(&TASK, &[user.as_str(), task.as_str()])?,
            sub_user,
        );
        Ok(self.call(&TASK, &op).await?.data)
    }

    /// Replaces a 2.0 task's configuration (任务修改):
    /// `PUT /agent-api/new/user/{user_id}/task/{task_id}`. Checked as [`NewTask`]. The
    /// answer is **not documented** (kept raw). Repeatable: the whole configuration is sent.
    pub async fn modify_task(
        &self,
        user: &UserId,
        task: &TaskId,
        update: &TaskUpdate,
    ) -> Result<Undocumented, Error> {
        let origin = MODIFY_TASK.origin();
        update.check(origin)?;
        let op =
            Operation::of(&MODIFY_TASK, &[user.as_str(), task.as_str()])?.json(origin, update)?;
        self.undocumented(&MODIFY_TASK, &op).await
    }

    /// Pauses a 2.0 task (任务暂停): `PUT /agent-api/new/user/{user_id}/task_stop/{task_id}`,
    /// no body. The answer is **not documented** (kept raw). Repeatable (an absolute state).
    pub async fn pause_task(
        &self,
        user: &UserId,
        task: &TaskId,
        sub_user: Option<&SubUserId>,
    ) -> Result<Undocumented, Error> {
        self.task_call(&PAUSE_TASK, user, task, sub_user).await
    }

    /// Copies a 2.0 task (任务复制): `GET /agent-api/new/user/{user_id}/copy/task/{task_id}`.
    ///
    /// A `GET` that **creates** a task: not repeatable (a lost answer is
    /// [`Error::OutcomeUnknown`]), and not reconcilable (see
    /// [`Client::copy_task_exactly_once`]). The answer is **not documented** (kept raw).
    pub async fn copy_task(
        &self,
        user: &UserId,
        task: &TaskId,
        sub_user: Option<&SubUserId>,
    ) -> Result<Undocumented, Error> {
        self.task_call(&COPY_TASK, user, task, sub_user).await
    }

    /// Sends `spec` for one task (`{user_id}`, `{task_id}` and the optional
    /// `sub_user_id`) and keeps the raw answer: the read, pause, copy and delete of either
    /// generation take this one shape.
    pub(crate) async fn task_call(
        &self,
        spec: &'static OperationSpec,
        user: &UserId,
        task: &TaskId,
        sub_user: Option<&SubUserId>,
    ) -> Result<Undocumented, Error> {
        let op = with_sub(
            Operation::of(spec, &[user.as_str(), task.as_str()])?,
            sub_user,
        );
        self.undocumented(spec, &op).await
    }

    /// Whether the task created with `marker` in its name exists: every page of the task
    /// list filtered by the marker, matched as a whole word in `name`. One →
    /// [`Verdict::Applied`] (the task as evidence), none → [`Verdict::NotApplied`], two or a
    /// list that cannot be read in full → [`Verdict::Undetermined`]. Only reads.
    pub async fn reconcile_create_task(&self, user: &UserId, marker: &Marker) -> Verdict {
        let query = TaskQuery::new().name(marker.as_str());
        let listed: Result<Vec<Task>, Error> =
            self.tasks_all(user, &query, false).try_collect().await;
        match listed {
            Ok(tasks) => {
                let found: Vec<&Task> = tasks
                    .iter()
                    .filter(|t| t.name.as_deref().is_some_and(|n| marker.found_in(n)))
                    .collect();
                match found.as_slice() {
                    [] => Verdict::NotApplied,
                    [task] => {
                        Verdict::Applied(json!({ "uuid": task.uuid.as_str(), "name": task.name }))
                    }
                    many => Verdict::Undetermined(format!(
                        "{} tasks carry marker {marker}: {:?}",
                        many.len(),
                        many.iter().map(|t| t.uuid.as_str()).collect::<Vec<_>>()
                    )),
                }
            }
            Err(e) => {
                Verdict::Undetermined(format!("the task list could not be read in full: {e}"))
            }
        }
    }

    /// [`Client::create_task`] exactly once: the name carries a fresh [`Marker`]
    /// ([`marked_task_name`]); a lost answer is reconciled with
    /// [`Client::reconcile_create_task`] and the same request is re-sent only when the task
    /// is proven absent.
    pub async fn create_task_exactly_once(
        &self,
        user: &UserId,
        task: &NewTask,
        marker: &Marker,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let marked = task.clone().renamed(marked_task_name(task.name(), marker));
        marked.check(CREATE_TASK.origin())?;
        run_exactly_once(
            Some(marker),
            wait,
            || async {
                let created = self.create_task(user, &marked).await?;
                Ok(json!({ "message": created.message, "name": marked.name(), "data": created.data }))
            },
            || self.reconcile_create_task(user, marker),
        )
        .await
    }

    /// [`Client::copy_task`] with the exactly-once calls' typed outcome: sent **once**, never
    /// re-sent. A lost answer is [`ExactlyOnceOutcome::Undetermined`] at once with the
    /// declaration's reason: nothing documented tells this copy from any other task, and a
    /// second copy would be a second task. Look at the task list before copying again.
    pub async fn copy_task_exactly_once(
        &self,
        user: &UserId,
        task: &TaskId,
    ) -> Result<ExactlyOnceOutcome, Error> {
        raw_once_unreconcilable(&COPY_TASK, || self.copy_task(user, task, None)).await
    }
}

/// A task name carrying `marker`: the caller's name kept readable, the marker appended,
/// all within [`TASK_NAME_MAX_CHARS`].
pub fn marked_task_name(name: &str, marker: &Marker) -> String {
    marker.with_text(name, TASK_NAME_MAX_CHARS)
}
