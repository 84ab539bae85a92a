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

use chrono::{NaiveDateTime, NaiveTime};
use futures_util::TryStreamExt;
use futures_util::stream::{BoxStream, StreamExt};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};
use voxkit_core::page::walk;
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{
    Error, ExactlyOnceOutcome, Marker, Operation, Origin, Page, Paging, ReconcileWait, Verdict,
    check,
};

use crate::Client;
use crate::dates;
use crate::envelope::{Answer, Meta, Undocumented};
use crate::ids::{SubUserId, TaskId, UserId};
use crate::numbers::NumberStatus;

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as, crate::records::DOCS_TASK};

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

fn with_sub(mut op: Operation, sub: Option<&SubUserId>) -> Operation {
    if let Some(sub) = sub {
        op = op.query("sub_user_id", sub.as_str());
    }
    op
}

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
        let ok: Answer<Vec<Task>> = self.call(spec, &op).await?;
        Ok(TaskPage {
            items: ok.data,
            meta: ok.meta,
        })
    }

    /// Every task of [`Client::tasks`] (or, with `all_sub_accounts`, of
    /// [`Client::subset_tasks`]) matching `query`, page after page, with core's loop guards.
    pub fn tasks_all(
        &self,
        user: &UserId,
        query: &TaskQuery,
        all_sub_accounts: bool,
    ) -> BoxStream<'static, Result<Task, Error>> {
        let (client, user, query) = (self.clone(), user.clone(), query.clone());
        let spec = if all_sub_accounts {
            &SUBSET_TASKS
        } else {
            &TASKS
        };
        let size = query.per_page.unwrap_or(DEFAULT_TASKS_PER_PAGE);
        walk(
            spec.origin(),
            Paging::new(Some(size)),
            |t: &Task| t.uuid.clone(),
            move |number, size| {
                let (client, user) = (client.clone(), user.clone());
                let mut query = query.clone().page(number);
                query.per_page = size;
                async move { Ok(client.task_page(spec, &user, &query).await?.into_page()) }
            },
        )
        .boxed()
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
        update.task.check(origin)?;
        for rule in &update.group_switch_rule {
            if rule.switch_start >= rule.switch_end {
                return Err(Error::invalid_input(
                    origin,
                    "group_switch_rule: switch_start must be before switch_end",
                ));
            }
        }
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
        let op = with_sub(
            Operation::of(&PAUSE_TASK, &[user.as_str(), task.as_str()])?,
            sub_user,
        );
        self.undocumented(&PAUSE_TASK, &op).await
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
        let op = with_sub(
            Operation::of(&COPY_TASK, &[user.as_str(), task.as_str()])?,
            sub_user,
        );
        self.undocumented(&COPY_TASK, &op).await
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
        let mut marked = task.clone();
        marked.name = marked_task_name(&task.name, marker);
        marked.check(CREATE_TASK.origin())?;
        run_exactly_once(
            Some(marker),
            wait,
            || async {
                let created = self.create_task(user, &marked).await?;
                Ok(json!({ "message": created.message, "name": marked.name, "data": created.data }))
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
        let why = match COPY_TASK.reconciliation {
            voxkit_core::Reconciliation::Impossible { why } => why,
            _ => "the declaration names no reconciliation",
        };
        run_exactly_once(
            None,
            &ReconcileWait {
                tries: 1,
                not_applied_looks: 1,
                ..ReconcileWait::default()
            },
            || async {
                let copied = self.copy_task(user, task, None).await?;
                Ok(json!({ "message": copied.message, "data": copied.data }))
            },
            || async {
                Verdict::Undetermined(format!("this operation cannot be reconciled: {why}"))
            },
        )
        .await
    }
}

/// A task name carrying `marker`: the caller's name kept readable, the marker appended,
/// all within [`TASK_NAME_MAX_CHARS`].
pub fn marked_task_name(name: &str, marker: &Marker) -> String {
    marker.with_text(name, TASK_NAME_MAX_CHARS)
}

/// 任务类型 `task_type`: the old modify table's `1` 任务外呼, `2` 任务呼入, `4` 大模型外呼,
/// `5` 大模型呼入 and the 2.0 list filter's `6` 2.0 任务, `7` 新 2.0 任务 (the create example
/// sends 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskType {
    /// `1` 任务外呼.
    Outbound,
    /// `2` 任务呼入.
    Inbound,
    /// `4` 大模型外呼.
    LlmOutbound,
    /// `5` 大模型呼入.
    LlmInbound,
    /// `6` 2.0 任务.
    V2,
    /// `7` 新 2.0 任务 (what the create example sends).
    NewV2,
}

impl TaskType {
    /// The documented code.
    pub fn code(self) -> u8 {
        match self {
            TaskType::Outbound => 1,
            TaskType::Inbound => 2,
            TaskType::LlmOutbound => 4,
            TaskType::LlmInbound => 5,
            TaskType::V2 => 6,
            TaskType::NewV2 => 7,
        }
    }
}

impl Serialize for TaskType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

/// The 2.0 list's `status` filter: `1` 任务暂停, `3` 执行中&等待执行.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatusFilter {
    /// `1` 任务暂停.
    Paused,
    /// `3` 执行中 & 等待执行.
    Active,
}

impl TaskStatusFilter {
    /// The documented code.
    pub fn code(self) -> u8 {
        match self {
            TaskStatusFilter::Paused => 1,
            TaskStatusFilter::Active => 3,
        }
    }
}

/// A 2.0 task's state, from `enable` × `call_status` as the 2.0 list mirror documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// `enable` true, `call_status` true: 任务拨打中.
    Dialing,
    /// `enable` false, `call_status` false: 任务暂停中.
    Paused,
    /// `enable` true, `call_status` false: 任务等待执行.
    Waiting,
}

impl TaskState {
    /// The state of the two flags; `None` for the combination the table does not list
    /// (`enable` false with `call_status` true).
    pub fn of(enable: bool, call_status: bool) -> Option<TaskState> {
        match (enable, call_status) {
            (true, true) => Some(TaskState::Dialing),
            (false, false) => Some(TaskState::Paused),
            (true, false) => Some(TaskState::Waiting),
            (false, true) => None,
        }
    }
}

/// One line of a task (`task_extras.line[]`): the line's id and the most concurrent calls
/// on it (`limit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskLine {
    id: crate::lines::LineId,
    limit: u32,
}

impl TaskLine {
    /// Line `id` (a UUID, from 任务初始化's `caller_line_list`) with `limit` concurrent calls.
    pub fn new(id: crate::lines::LineId, limit: u32) -> Self {
        TaskLine { id, limit }
    }
}

/// `HH:mm`, as the examples write times of day.
fn ser_hm<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&t.format("%H:%M"))
}

/// `YYYY-MM-DD HH:mm`, as the answers write holidays (the request's format is not shown).
fn ser_ymd_hm<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&t.format("%Y-%m-%d %H:%M"))
}

/// A window of the day with its own script group (`destination_extension_list[]`:
/// `{"begin": "09:00", "end": "12:00", "destination_extension": 123}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptWindow {
    #[serde(serialize_with = "ser_hm")]
    begin: NaiveTime,
    #[serde(serialize_with = "ser_hm")]
    end: NaiveTime,
    destination_extension: u64,
}

impl ScriptWindow {
    /// Script group `script` from `begin` to `end` (begin before end, checked on sending).
    pub fn new(begin: NaiveTime, end: NaiveTime, script: u64) -> Self {
        ScriptWindow {
            begin,
            end,
            destination_extension: script,
        }
    }
}

/// A script chosen by a variable's value (`destination_extension_with_variable_list[]`:
/// `mode` 0/1, `values` such as `["男","男的"]`, the script group, `sort`). The meaning of
/// `mode` is not documented; it is sent as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariableScript {
    mode: u8,
    values: Vec<String>,
    destination_extension: u64,
    sort: u32,
}

impl VariableScript {
    /// Script group `script` when the variable holds one of `values` (`mode` 0 or 1).
    pub fn new(mode: u8, values: Vec<String>, script: u64, sort: u32) -> Self {
        VariableScript {
            mode,
            values,
            destination_extension: script,
            sort,
        }
    }
}

/// A holiday (`holiday[]`): no calls from `begin` to `end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    #[serde(serialize_with = "ser_ymd_hm")]
    begin: NaiveDateTime,
    #[serde(serialize_with = "ser_ymd_hm")]
    end: NaiveDateTime,
}

impl Holiday {
    /// From `begin` to `end` (begin before end, checked on sending).
    pub fn new(begin: NaiveDateTime, end: NaiveDateTime) -> Self {
        Holiday { begin, end }
    }
}

/// Re-dialling (`redial_enabled`, `redial_interval`, `redial_max_times`,
/// `redial_new_number_policy`, `redial_conditions.da_status`). The example shows the keys
/// only; the types are read from their names (an interval and a count as integers), and
/// `da_status` holds [`NumberStatus`] codes (the example's `[2,3,4,6,8,9,12]` are all such
/// codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redial {
    interval: u32,
    max_times: u32,
    new_number_policy: Option<u32>,
    when: Vec<NumberStatus>,
}

impl Redial {
    /// Re-dial up to `max_times` times, `interval` apart (the unit is not documented).
    pub fn new(interval: u32, max_times: u32) -> Self {
        Redial {
            interval,
            max_times,
            new_number_policy: None,
            when: Vec::new(),
        }
    }

    /// `redial_conditions.da_status`: the number statuses that are re-dialled.
    pub fn when(mut self, statuses: impl IntoIterator<Item = NumberStatus>) -> Self {
        self.when = statuses.into_iter().collect();
        self
    }

    /// `redial_new_number_policy`, sent as given (its codes are not documented).
    pub fn new_number_policy(mut self, policy: u32) -> Self {
        self.new_number_policy = Some(policy);
        self
    }
}

/// `task_extras`, in the example's key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct TaskExtras {
    #[serde(serialize_with = "dates::ser")]
    start_time: NaiveDateTime,
    #[serde(serialize_with = "dates::ser")]
    stop_time: NaiveDateTime,
    line: Vec<TaskLine>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    destination_extension_list: Vec<ScriptWindow>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    destination_extension_with_variable_list: Vec<VariableScript>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    holiday: Vec<Holiday>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pop_mode: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redial_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redial_new_number_policy: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redial_interval: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redial_max_times: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redial_conditions: Option<RedialConditions>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct RedialConditions {
    da_status: Vec<NumberStatus>,
}

/// A new 2.0 task (任务创建, `POST /agent-api/new/user/{user_id}/task`), built from the docs'
/// example (no field table is readable): `name`, `destination_extension` (the 话术分组 id),
/// `maximumcall` (并发), `dial_time_id`, `background_id`, `is_group_switch`, `task_extras`
/// {start/stop time, lines, per-window and per-variable scripts, holidays, re-dialling},
/// `task_type` (7 unless set), `llm_intention_id`, `score_scheme_id`.
///
/// Refused before sending: an empty name, a script group, concurrency, line limit or
/// optional id of 0, no line or a line twice, a stop time not after the start, a window or
/// holiday that ends before it begins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewTask {
    name: String,
    destination_extension: u64,
    maximumcall: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    dial_time_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    background_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_group_switch: Option<u8>,
    task_extras: TaskExtras,
    task_type: TaskType,
    #[serde(skip_serializing_if = "Option::is_none")]
    llm_intention_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score_scheme_id: Option<u64>,
}

impl NewTask {
    /// Task `name` on script group `script` with `concurrency` calls at once, dialling from
    /// `start` to `stop` (server local time). Add at least one line ([`NewTask::line`]).
    pub fn new(
        name: impl Into<String>,
        script: u64,
        concurrency: u32,
        start: NaiveDateTime,
        stop: NaiveDateTime,
    ) -> Self {
        NewTask {
            name: name.into(),
            destination_extension: script,
            maximumcall: concurrency,
            dial_time_id: None,
            background_id: None,
            is_group_switch: None,
            task_extras: TaskExtras {
                start_time: start,
                stop_time: stop,
                line: Vec::new(),
                destination_extension_list: Vec::new(),
                destination_extension_with_variable_list: Vec::new(),
                holiday: Vec::new(),
                pop_mode: None,
                redial_enabled: None,
                redial_new_number_policy: None,
                redial_interval: None,
                redial_max_times: None,
                redial_conditions: None,
            },
            task_type: TaskType::NewV2,
            llm_intention_id: None,
            score_scheme_id: None,
        }
    }

    /// The task's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `dial_time_id`: the 呼叫时间组 (the mirror warns that a group's later changes are not
    /// synchronised to 2.0 tasks that use it).
    pub fn dial_time_id(mut self, id: u64) -> Self {
        self.dial_time_id = Some(id);
        self
    }

    /// `background_id`: the background sound.
    pub fn background_id(mut self, id: u64) -> Self {
        self.background_id = Some(id);
        self
    }

    /// `is_group_switch`, sent as given (the create example sends 2, the modify example 1;
    /// the codes are not documented).
    pub fn group_switch(mut self, code: u8) -> Self {
        self.is_group_switch = Some(code);
        self
    }

    /// Adds a line (`task_extras.line[]`).
    pub fn line(mut self, line: TaskLine) -> Self {
        self.task_extras.line.push(line);
        self
    }

    /// Adds a window of the day with its own script (`destination_extension_list[]`).
    pub fn script_window(mut self, window: ScriptWindow) -> Self {
        self.task_extras.destination_extension_list.push(window);
        self
    }

    /// Adds a script chosen by a variable (`destination_extension_with_variable_list[]`).
    pub fn variable_script(mut self, script: VariableScript) -> Self {
        self.task_extras
            .destination_extension_with_variable_list
            .push(script);
        self
    }

    /// Adds a holiday (`holiday[]`).
    pub fn holiday(mut self, holiday: Holiday) -> Self {
        self.task_extras.holiday.push(holiday);
        self
    }

    /// `pop_mode`, sent as given (its codes are not documented).
    pub fn pop_mode(mut self, mode: u32) -> Self {
        self.task_extras.pop_mode = Some(mode);
        self
    }

    /// Turns re-dialling on (`redial_enabled` true and its settings).
    pub fn redial(mut self, redial: Redial) -> Self {
        let extras = &mut self.task_extras;
        extras.redial_enabled = Some(true);
        extras.redial_interval = Some(redial.interval);
        extras.redial_max_times = Some(redial.max_times);
        extras.redial_new_number_policy = redial.new_number_policy;
        extras.redial_conditions = Some(RedialConditions {
            da_status: redial.when,
        });
        self
    }

    /// `task_type` (default [`TaskType::NewV2`], 7, as the example).
    pub fn task_type(mut self, task_type: TaskType) -> Self {
        self.task_type = task_type;
        self
    }

    /// `llm_intention_id`: the LLM quality-inspection configuration.
    pub fn llm_intention_id(mut self, id: u64) -> Self {
        self.llm_intention_id = Some(id);
        self
    }

    /// `score_scheme_id`: the scoring scheme.
    pub fn score_scheme_id(mut self, id: u64) -> Self {
        self.score_scheme_id = Some(id);
        self
    }

    /// The local checks (nothing is sent when one fails).
    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        check::chars(origin, "name", self.name.trim(), 1, 255)?;
        check::positive(origin, "destination_extension", self.destination_extension)?;
        check::positive(origin, "maximumcall", self.maximumcall.into())?;
        for (what, id) in [
            ("dial_time_id", self.dial_time_id),
            ("background_id", self.background_id),
            ("llm_intention_id", self.llm_intention_id),
            ("score_scheme_id", self.score_scheme_id),
        ] {
            if let Some(id) = id {
                check::positive(origin, what, id)?;
            }
        }
        let extras = &self.task_extras;
        if extras.stop_time <= extras.start_time {
            return Err(Error::invalid_input(
                origin,
                "task_extras.stop_time must be after start_time",
            ));
        }
        let lines: Vec<&str> = extras.line.iter().map(|l| l.id.as_str()).collect();
        check::unique(origin, "task_extras.line", &lines)?;
        for line in &extras.line {
            check::positive(origin, "task_extras.line[].limit", line.limit.into())?;
        }
        for window in &extras.destination_extension_list {
            check::positive(
                origin,
                "destination_extension_list[].destination_extension",
                window.destination_extension,
            )?;
            if window.begin >= window.end {
                return Err(Error::invalid_input(
                    origin,
                    "destination_extension_list: begin must be before end",
                ));
            }
        }
        for script in &extras.destination_extension_with_variable_list {
            check::range(origin, "variable script mode", script.mode.into(), 0, 1)?;
        }
        if extras.holiday.iter().any(|h| h.begin >= h.end) {
            return Err(Error::invalid_input(
                origin,
                "holiday: begin must be before end",
            ));
        }
        Ok(())
    }
}

/// A script-group switch rule of 任务修改 (`group_switch_rule[]`: `switch_start`,
/// `switch_end`, `group_id`, `default_group_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSwitchRule {
    #[serde(serialize_with = "ser_hm")]
    switch_start: NaiveTime,
    #[serde(serialize_with = "ser_hm")]
    switch_end: NaiveTime,
    group_id: u64,
    default_group_id: u64,
}

impl GroupSwitchRule {
    /// Script group `group` from `start` to `end`, `default` outside.
    pub fn new(start: NaiveTime, end: NaiveTime, group: u64, default: u64) -> Self {
        GroupSwitchRule {
            switch_start: start,
            switch_end: end,
            group_id: group,
            default_group_id: default,
        }
    }
}

/// The body of 任务修改 (`PUT /agent-api/new/user/{user_id}/task/{task_id}`): the fields of
/// [`NewTask`] plus `group_type` (the example's `"group"`) and `group_switch_rule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskUpdate {
    #[serde(flatten)]
    task: NewTask,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_type: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    group_switch_rule: Vec<GroupSwitchRule>,
}

impl TaskUpdate {
    /// The whole configuration `task`, without switch rules.
    pub fn new(task: NewTask) -> Self {
        TaskUpdate {
            task,
            group_type: None,
            group_switch_rule: Vec::new(),
        }
    }

    /// `group_type` (the example sends `"group"`; other values are not documented).
    pub fn group_type(mut self, group_type: impl Into<String>) -> Self {
        self.group_type = Some(group_type.into());
        self
    }

    /// Adds a `group_switch_rule`.
    pub fn switch_rule(mut self, rule: GroupSwitchRule) -> Self {
        self.group_switch_rule.push(rule);
        self
    }
}

/// Filters of the task lists. All optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskQuery {
    page: Option<u32>,
    per_page: Option<u32>,
    name: Option<String>,
    status: Vec<TaskStatusFilter>,
    sub_user: Option<SubUserId>,
    task_type: Option<TaskType>,
}

impl TaskQuery {
    /// No filter, first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// `page`, from 1.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// `per_page` (default 15).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// `name`: the task name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Adds a `status` (one is sent as `status=1`, several as `status[]=1&status[]=3`).
    pub fn status(mut self, status: TaskStatusFilter) -> Self {
        self.status.push(status);
        self
    }

    /// `sub_user_id`: a sub-account's tasks.
    pub fn sub_user(mut self, sub: SubUserId) -> Self {
        self.sub_user = Some(sub);
        self
    }

    /// `task_type`: the list documents [`TaskType::V2`] (6) and [`TaskType::NewV2`] (7).
    pub fn task_type(mut self, task_type: TaskType) -> Self {
        self.task_type = Some(task_type);
        self
    }

    fn apply(&self, origin: Origin, mut op: Operation) -> Result<Operation, Error> {
        for (key, value) in [("page", self.page), ("per_page", self.per_page)] {
            if let Some(n) = value {
                check::positive(origin, key, n.into())?;
                op = op.query(key, n.to_string());
            }
        }
        if let Some(name) = &self.name {
            op = op.query("name", name.as_str());
        }
        match self.status.as_slice() {
            [] => {}
            [one] => op = op.query("status", one.code().to_string()),
            many => {
                for s in many {
                    op = op.query("status[]", s.code().to_string());
                }
            }
        }
        if let Some(sub) = &self.sub_user {
            op = op.query("sub_user_id", sub.as_str());
        }
        if let Some(t) = self.task_type {
            op = op.query("task_type", t.code().to_string());
        }
        Ok(op)
    }
}

/// Text or a number, read as text (`destination_extension`: `"102"` in answers, `123` in
/// requests).
fn opt_text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    voxkit_core::lenient::opt_text(d)
}

/// A 2.0 task as the lists return it (typed from the mirror's truncated example; fields it
/// does not show, or marks 废弃, are in [`Task::extra`]).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Task {
    /// `uuid`: the task id (not `id`).
    pub uuid: TaskId,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `enable`: with `new_task_extra.call_status`, the task's state.
    #[serde(default)]
    pub enable: Option<bool>,
    /// `maximumcall`: concurrent calls.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_u64")]
    pub maximumcall: Option<u64>,
    /// `dial_time_id`: "呼叫时间组 (仅可做参考作用)".
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_u64")]
    pub dial_time_id: Option<u64>,
    /// `destination_extension`: the script group, as text (a string in answers).
    #[serde(default, deserialize_with = "opt_text_or_number")]
    pub destination_extension: Option<String>,
    /// `remark`.
    #[serde(default)]
    pub remark: Option<String>,
    /// `user_id`: the owner.
    #[serde(default)]
    pub user_id: Option<String>,
    /// `create_datetime`, server local time.
    #[serde(
        default,
        deserialize_with = "dates::opt_datetime",
        serialize_with = "dates::ser_opt"
    )]
    pub create_datetime: Option<NaiveDateTime>,
    /// `alter_datetime`, server local time.
    #[serde(
        default,
        deserialize_with = "dates::opt_datetime",
        serialize_with = "dates::ser_opt"
    )]
    pub alter_datetime: Option<NaiveDateTime>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// One page of tasks and its paginator.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskPage {
    /// The tasks of this page.
    pub items: Vec<Task>,
    /// The paginator, if sent.
    pub meta: Option<Meta>,
}

impl TaskPage {
    /// This page as core's [`Page`].
    pub fn into_page(self) -> Page<Task> {
        Meta::page(self.meta, self.items, true)
    }
}

/// `new_task_extra` of 任务编辑 (the remote task): the flags that make the state.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct NewTaskExtra {
    /// `enable`.
    #[serde(default)]
    pub enable: Option<bool>,
    /// `call_status`.
    #[serde(default)]
    pub call_status: Option<bool>,
    /// `number_count`: the task's numbers.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_u64")]
    pub number_count: Option<u64>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// One task's configuration (任务编辑), typed from the mirror's truncated example; the
/// rest (`task_extras`, holidays, work hours...) is in [`TaskDetail::extra`] as sent.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct TaskDetail {
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `maximumcall`.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_u64")]
    pub maximumcall: Option<u64>,
    /// `destination_extension`, as text.
    #[serde(default, deserialize_with = "opt_text_or_number")]
    pub destination_extension: Option<String>,
    /// `dial_time_id`.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_u64")]
    pub dial_time_id: Option<u64>,
    /// `status` (the example: 3, with `status_str` 等待执行).
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_u64")]
    pub status: Option<u64>,
    /// `status_str`: the status in words.
    #[serde(default)]
    pub status_str: Option<String>,
    /// `call_status`.
    #[serde(default)]
    pub call_status: Option<bool>,
    /// `new_task_extra`: the remote task.
    #[serde(default)]
    pub new_task_extra: Option<NewTaskExtra>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

impl TaskDetail {
    /// The state from `new_task_extra.enable` × `call_status` (the top-level
    /// `call_status` when the remote task has none); `None` when a flag is missing.
    pub fn state(&self) -> Option<TaskState> {
        let extra = self.new_task_extra.as_ref()?;
        TaskState::of(extra.enable?, extra.call_status.or(self.call_status)?)
    }
}

/// A dial-time group offered by 任务初始化 (`task_dial_times[]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct InitDialTime {
    /// `id`: the `dial_time_id` to use.
    #[serde(deserialize_with = "voxkit_core::lenient::u64")]
    pub id: u64,
    /// `name` (e.g. 系统呼叫时间).
    #[serde(default)]
    pub name: Option<String>,
    /// `is_default`.
    #[serde(default)]
    pub is_default: Option<bool>,
    /// Every other field (`content`: the week's times; `user_id`, `remark`, timestamps).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// A caller line offered by 任务初始化 (`caller_line_list[]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct CallerLine {
    /// `line_id`: the line to put in [`TaskLine`].
    pub line_id: String,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `remark`.
    #[serde(default)]
    pub remark: Option<String>,
    /// `belong_user`: the user the line belongs to.
    #[serde(default)]
    pub belong_user: Option<String>,
    /// Every other field, as sent (the example is truncated here).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// What a new task may use (任务初始化), typed from the mirror's truncated example; the
/// fields after it are in [`TaskInit::extra`]. An empty `data` (`[]`, how Laravel writes an
/// empty object) is an empty `TaskInit`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(try_from = "Value")]
#[non_exhaustive]
pub struct TaskInit {
    /// `task_dial_times`.
    #[serde(default)]
    pub task_dial_times: Vec<InitDialTime>,
    /// `caller_line_list`.
    #[serde(default)]
    pub caller_line_list: Vec<CallerLine>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// [`TaskInit`]'s fields, read when `data` is an object.
#[derive(Deserialize)]
struct TaskInitWire {
    #[serde(default)]
    task_dial_times: Vec<InitDialTime>,
    #[serde(default)]
    caller_line_list: Vec<CallerLine>,
    #[serde(flatten)]
    extra: serde_json::Map<String, Value>,
}

impl TryFrom<Value> for TaskInit {
    type Error = serde_json::Error;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        if value.as_array().is_some_and(Vec::is_empty) {
            return Ok(TaskInit::default());
        }
        let wire = TaskInitWire::deserialize(value)?;
        Ok(TaskInit {
            task_dial_times: wire.task_dial_times,
            caller_line_list: wire.caller_line_list,
            extra: wire.extra,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_create_body_follows_the_docs_example() {
        let body = serde_json::to_value(docs_new_task().unwrap()).unwrap();
        assert_eq!(body["destination_extension"], 123);
        assert_eq!(body["maximumcall"], 2);
        assert_eq!(body["task_type"], 7);
        assert_eq!(body["task_extras"]["start_time"], "2024-12-23 19:00:00");
        assert_eq!(body["task_extras"]["line"][0]["limit"], 2);
        assert_eq!(
            body["task_extras"]["destination_extension_list"][0],
            json!({"begin": "09:00", "end": "12:00", "destination_extension": 123})
        );
        assert_eq!(
            body["task_extras"]["redial_conditions"]["da_status"],
            json!([2, 3, 4, 6, 8, 9, 12])
        );
    }

    #[test]
    fn bad_tasks_are_refused_before_sending() {
        let o = CREATE_TASK.origin();
        let t = docs_new_task().unwrap();
        assert!(t.check(o).is_ok());
        let mut empty = t.clone();
        empty.name = " ".into();
        assert!(empty.check(o).is_err());
        let mut backwards = t.clone();
        backwards.task_extras.stop_time = backwards.task_extras.start_time;
        assert!(backwards.check(o).is_err());
        let line = DOCS_LINE.parse().unwrap();
        assert!(
            t.clone().line(TaskLine::new(line, 1)).check(o).is_err(),
            "a line twice"
        );
    }

    #[test]
    fn the_state_follows_the_mirrors_table() {
        assert_eq!(TaskState::of(true, true), Some(TaskState::Dialing));
        assert_eq!(TaskState::of(false, false), Some(TaskState::Paused));
        assert_eq!(TaskState::of(true, false), Some(TaskState::Waiting));
        assert_eq!(TaskState::of(false, true), None);
    }
}
