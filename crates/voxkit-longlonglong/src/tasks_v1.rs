//! 任务 — the **old** task API (section 其他/任务, "此接口【v1.2.31版本有变动】",
//! `/agent-api/user/{user_id}/...`): list, list across sub-accounts, read, modify, pause,
//! delete. The list, read, modify and pause are `#[deprecated]`: 呼叫任务 2.0
//! ([`Client::tasks`], [`Client::subset_tasks`], [`Client::task`], [`Client::modify_task`],
//! [`Client::pause_task`]) replaces them. The delete has no 2.0 counterpart and is not.
//!
//! Every answer of this section is **raw** ([`Undocumented`]): none is readable.
//!
//! Contradictions and choices:
//! - The old `status` is `1` 暂停中 / `2` 执行中 / `3` 等待执行 ([`TaskStatusV1`]); the 2.0 one
//!   `1` / `3` only.
//! - The old pause is a **`GET`** that changes state: declared not repeatable (a prefetch,
//!   cache or retry must not send it again unnoticed) and reconciled by reading the task
//!   back through the 2.0 read, whose `new_task_extra` tells a paused task (the number
//!   endpoints are "兼容2.0任务": one task id serves both generations).

use serde::Serialize;
use serde_json::json;
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{
    Error, ExactlyOnceOutcome, Operation, OperationSpec, Origin, ReconcileWait, Verdict, check,
};

use crate::Client;
use crate::envelope::Undocumented;
use crate::ids::{SubUserId, TaskId, UserId};
use crate::listing::{is_not_found, paged_query, paging, setters, statuses, with_sub};
use crate::tasks::{TaskState, TaskType};

#[cfg(any(test, feature = "test-util"))]
use {
    crate::billing::DOCS_USER, crate::envelope::decode_as, crate::records::DOCS_TASK,
    serde_json::Value,
};

group! {

    /// 任务列表 (old API).
    pub(crate) TASKS_V1 {
        name: "tasks_v1",
        method: GET,
        path: "agent-api/user/{user_id}/task",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            #[allow(deprecated)]
            let listed = c.tasks_v1(&DOCS_USER.parse()?, &TaskQueryV1::new().per_page(15)).await;
            listed.map(drop)
        },
        decode: |r| decode_as::<Value>(&TASKS_V1, r),
    }

    /// 任务列表(所有子账号) (old API).
    pub(crate) ALL_TASKS_V1 {
        name: "all_tasks_v1",
        method: GET,
        path: "agent-api/user/{user_id}/all_task",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            #[allow(deprecated)]
            let listed = c.all_tasks_v1(&DOCS_USER.parse()?, &TaskQueryV1::new().per_page(15)).await;
            listed.map(drop)
        },
        decode: |r| decode_as::<Value>(&ALL_TASKS_V1, r),
    }

    /// 任务编辑 (old API) — a read.
    pub(crate) TASK_V1 {
        name: "task_v1",
        method: GET,
        path: "agent-api/user/{user_id}/task/{task_id}/edit",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            #[allow(deprecated)]
            let read = c.task_v1(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, None).await;
            read.map(drop)
        },
        decode: |r| decode_as::<Value>(&TASK_V1, r),
    }

    /// 任务修改 (old API): the whole configuration, an absolute value, so repeatable.
    pub(crate) MODIFY_TASK_V1 {
        name: "modify_task_v1",
        method: PUT,
        path: "agent-api/user/{user_id}/task/{task_id}",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            let update = TaskUpdateV1::new("API任务创建测试", DOCS_CALLER_LINE, 3, 1, 3)
                .remark("API-test").end_action(1);
            #[allow(deprecated)]
            let sent = c.modify_task_v1(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &update).await;
            sent.map(drop)
        },
        decode: |r| decode_as::<Value>(&MODIFY_TASK_V1, r),
    }

    /// 任务暂停 (old API): a `GET` that changes state, so not repeatable. Read back through
    /// the 2.0 read.
    pub(crate) PAUSE_TASK_V1 {
        name: "pause_task_v1",
        method: GET,
        path: "agent-api/user/{user_id}/task_stop/{task_id}",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "task",
            how: "the 2.0 read shows the task paused (new_task_extra.enable and call_status false)",
        },
        example: |c| {
            #[allow(deprecated)]
            let sent = c.pause_task_v1(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, None).await;
            sent.map(drop)
        },
        decode: |r| decode_as::<Value>(&PAUSE_TASK_V1, r),
    }

    /// 任务删除 (old API, no 2.0 counterpart). Settled by the 2.0 read answering "not found".
    pub(crate) DELETE_TASK {
        name: "delete_task",
        method: DELETE,
        path: "agent-api/user/{user_id}/task/{task_id}",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "task",
            how: "the 2.0 read answers that the task is not found",
        },
        example: |c| c.delete_task(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, None).await.map(drop),
        decode: |r| decode_as::<Value>(&DELETE_TASK, r),
        exactly_once: |c| c.delete_task_exactly_once(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &voxkit_core::test_util::FAST_RECONCILE).await,
        applied: |c| match c.task(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, None).await {
            Ok(_) => Ok(0),
            Err(e) if crate::listing::is_not_found(&e) => Ok(1),
            Err(e) => Err(e),
        },
    }
}

/// The caller line of the old modify example (`f352fd9d-…`, completed).
#[cfg(any(test, feature = "test-util"))]
pub(crate) const DOCS_CALLER_LINE: &str = "f352fd9d-8b0e-4c4f-9a3e-5d6c7b8a9e01";

/// The old list's `status`: `1` 暂停中, `2` 执行中, `3` 等待执行.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatusV1 {
    /// `1` 暂停中.
    Paused,
    /// `2` 执行中.
    Running,
    /// `3` 等待执行.
    Waiting,
}

impl TaskStatusV1 {
    /// The documented code.
    pub fn code(self) -> u8 {
        match self {
            TaskStatusV1::Paused => 1,
            TaskStatusV1::Running => 2,
            TaskStatusV1::Waiting => 3,
        }
    }
}

/// Filters of the old task lists: `page`, `per_page`, `name`, `status` (int or array),
/// `sub_user_id` (list of the user only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskQueryV1 {
    page: Option<u32>,
    per_page: Option<u32>,
    name: Option<String>,
    status: Vec<TaskStatusV1>,
    sub_user: Option<SubUserId>,
}

impl TaskQueryV1 {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// `name`.
        fn name(name: impl Into<String>).into();
    }

    /// Adds a `status`.
    pub fn status(mut self, status: TaskStatusV1) -> Self {
        self.status.push(status);
        self
    }

    /// `sub_user_id`.
    pub fn sub_user(mut self, sub: SubUserId) -> Self {
        self.sub_user = Some(sub);
        self
    }

    fn apply(&self, origin: Origin, op: Operation) -> Result<Operation, Error> {
        let mut op = paging(op, origin, self.page, self.per_page)?;
        if let Some(name) = &self.name {
            op = op.query("name", name.as_str());
        }
        let codes: Vec<u8> = self.status.iter().map(|s| s.code()).collect();
        Ok(with_sub(statuses(op, &codes), self.sub_user.as_ref()))
    }
}

paged_query! {
    TaskQueryV1;
    /// `page`.
    page;
    /// `per_page`.
    per_page;
}

/// The body of the old 任务修改, from its field table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskUpdateV1 {
    name: String,
    destination_extension: u64,
    dial_time_id: u64,
    maximumcall: u32,
    caller_line_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    remark: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bridge_group_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_pause_second: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auto_recycle_rule_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    elasticity_type: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_action: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    llm_intention_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    task_type: Option<TaskType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_user_id: Option<SubUserId>,
}

impl TaskUpdateV1 {
    /// The required fields: `name`, `caller_line_id` (a `caller_line_list` value of
    /// 任务初始化), `destination_extension` (话术分组 id), `dial_time_id`, `maximumcall` (不得
    /// 超过选用线路的 residue 值).
    pub fn new(
        name: impl Into<String>,
        caller_line_id: impl Into<String>,
        script: u64,
        dial_time_id: u64,
        concurrency: u32,
    ) -> Self {
        TaskUpdateV1 {
            name: name.into(),
            destination_extension: script,
            dial_time_id,
            maximumcall: concurrency,
            caller_line_id: caller_line_id.into(),
            remark: None,
            bridge_group_id: None,
            call_pause_second: None,
            auto_recycle_rule_id: None,
            elasticity_type: None,
            end_action: None,
            llm_intention_id: None,
            task_type: None,
            sub_user_id: None,
        }
    }

    setters! {
        /// `remark`: 任务描述.
        fn remark(remark: impl Into<String>).into();
        /// `bridge_group_id`: 转接组 id.
        fn bridge_group_id(bridge_group_id: u64);
        /// `call_pause_second`: seconds between calls (10 advised for one concurrent call).
        fn call_pause_second(call_pause_second: u32);
        /// `auto_recycle_rule_id`: 重呼规则 id.
        fn auto_recycle_rule_id(auto_recycle_rule_id: u64);
        /// `elasticity_type`: 动态坐席 (not together with an `end_action`).
        fn elasticity(elasticity_type: bool);
        /// `end_action`: 任务结束动作 (its codes are not documented; the example sends 1).
        fn end_action(end_action: u32);
        /// `llm_intention_id`: 大模型质检配置 id.
        fn llm_intention_id(llm_intention_id: u64);
        /// `task_type`: 1, 2, 4 or 5 in this table ([`TaskType`]).
        fn task_type(task_type: TaskType);
        /// `sub_user_id`.
        fn sub_user(sub_user_id: SubUserId);
    }

    fn check(&self, origin: Origin) -> Result<(), Error> {
        check::chars(origin, "name", self.name.trim(), 1, 255)?;
        check::token(origin, "caller_line_id", &self.caller_line_id, 64)?;
        check::positive(origin, "destination_extension", self.destination_extension)?;
        check::positive(origin, "dial_time_id", self.dial_time_id)?;
        check::positive(origin, "maximumcall", self.maximumcall.into())?;
        if self.elasticity_type == Some(true) && self.end_action.is_some() {
            return Err(Error::invalid_input(
                origin,
                "end_action cannot be set together with elasticity_type (动态坐席)",
            ));
        }
        if let Some(t) = self.task_type
            && matches!(t, TaskType::V2 | TaskType::NewV2)
        {
            return Err(Error::invalid_input(
                origin,
                "the old task API takes task_type 1, 2, 4 or 5",
            ));
        }
        Ok(())
    }
}

impl Client {
    /// The old task list (任务列表): `GET /agent-api/user/{user_id}/task`. Raw. Repeatable.
    #[deprecated(note = "the 2.0 task API replaces it: use Client::tasks")]
    pub async fn tasks_v1(
        &self,
        user: &UserId,
        query: &TaskQueryV1,
    ) -> Result<Undocumented, Error> {
        self.task_list_v1(&TASKS_V1, user, query).await
    }

    /// The old list across sub-accounts (任务列表(所有子账号)):
    /// `GET /agent-api/user/{user_id}/all_task`. Raw. Repeatable.
    #[deprecated(note = "the 2.0 task API replaces it: use Client::subset_tasks")]
    pub async fn all_tasks_v1(
        &self,
        user: &UserId,
        query: &TaskQueryV1,
    ) -> Result<Undocumented, Error> {
        self.task_list_v1(&ALL_TASKS_V1, user, query).await
    }

    /// One of the two old lists (`spec`): the user's path with `query` applied. Raw.
    async fn task_list_v1(
        &self,
        spec: &'static OperationSpec,
        user: &UserId,
        query: &TaskQueryV1,
    ) -> Result<Undocumented, Error> {
        let op = query.apply(spec.origin(), Operation::of(spec, &[user.as_str()])?)?;
        self.undocumented(spec, &op).await
    }

    /// The old read (任务编辑): `GET /agent-api/user/{user_id}/task/{task_id}/edit`. Raw.
    #[deprecated(note = "the 2.0 task API replaces it: use Client::task")]
    pub async fn task_v1(
        &self,
        user: &UserId,
        task: &TaskId,
        sub_user: Option<&SubUserId>,
    ) -> Result<Undocumented, Error> {
        self.task_call(&TASK_V1, user, task, sub_user).await
    }

    /// The old modify (任务修改): `PUT /agent-api/user/{user_id}/task/{task_id}`. Refused
    /// before sending: an empty name, a zero id or concurrency, `end_action` with 动态坐席,
    /// a 2.0 `task_type`. Raw answer. Repeatable (the whole configuration).
    #[deprecated(note = "the 2.0 task API replaces it: use Client::modify_task")]
    pub async fn modify_task_v1(
        &self,
        user: &UserId,
        task: &TaskId,
        update: &TaskUpdateV1,
    ) -> Result<Undocumented, Error> {
        let origin = MODIFY_TASK_V1.origin();
        update.check(origin)?;
        let op = Operation::of(&MODIFY_TASK_V1, &[user.as_str(), task.as_str()])?
            .json(origin, update)?;
        self.undocumented(&MODIFY_TASK_V1, &op).await
    }

    /// The old pause (任务暂停): **`GET`** `/agent-api/user/{user_id}/task_stop/{task_id}`.
    /// Not repeatable (a state change over `GET`): a lost answer is
    /// [`Error::OutcomeUnknown`]; [`Client::pause_task_v1_exactly_once`] reads it back.
    #[deprecated(note = "the 2.0 task API replaces it: use Client::pause_task (a PUT)")]
    pub async fn pause_task_v1(
        &self,
        user: &UserId,
        task: &TaskId,
        sub_user: Option<&SubUserId>,
    ) -> Result<Undocumented, Error> {
        self.task_call(&PAUSE_TASK_V1, user, task, sub_user).await
    }

    /// Deletes a task (任务删除): `DELETE /agent-api/user/{user_id}/task/{task_id}`. Raw
    /// answer. Not repeatable: [`Client::delete_task_exactly_once`] reads it back.
    pub async fn delete_task(
        &self,
        user: &UserId,
        task: &TaskId,
        sub_user: Option<&SubUserId>,
    ) -> Result<Undocumented, Error> {
        self.task_call(&DELETE_TASK, user, task, sub_user).await
    }

    /// Whether the task is paused, from the 2.0 read: [`TaskState::Paused`] →
    /// [`Verdict::Applied`]; dialling or waiting → [`Verdict::NotApplied`]; a read that
    /// fails or shows no state → [`Verdict::Undetermined`]. Proves a pause only for a task
    /// that was not paused before ([`Client::pause_task_v1_exactly_once`] checks). Only reads.
    pub async fn reconcile_pause_task(&self, user: &UserId, task: &TaskId) -> Verdict {
        match self.task(user, task, None).await {
            Ok(detail) => match detail.state() {
                Some(TaskState::Paused) => {
                    Verdict::Applied(json!({ "task": task.as_str(), "state": "paused" }))
                }
                Some(_) => Verdict::NotApplied,
                None => Verdict::Undetermined("the task read shows no enable/call_status".into()),
            },
            Err(e) => Verdict::Undetermined(format!("the task could not be read: {e}")),
        }
    }

    /// [`Client::pause_task_v1`] exactly once: the task is read first (a task already
    /// paused is answered at once as applied, nothing sent); a lost answer is reconciled
    /// with [`Client::reconcile_pause_task`] and re-sent when the task is still active.
    #[deprecated(note = "the 2.0 pause (Client::pause_task) is a repeatable PUT")]
    pub async fn pause_task_v1_exactly_once(
        &self,
        user: &UserId,
        task: &TaskId,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let before = self.task(user, task, None).await?;
        if before.state() == Some(TaskState::Paused) {
            return Ok(ExactlyOnceOutcome::Applied {
                evidence: json!({ "task": task.as_str(), "state": "paused", "already": true }),
                marker: None,
                resent: false,
            });
        }
        run_exactly_once(
            None,
            wait,
            || async {
                #[allow(deprecated)]
                let paused = self.pause_task_v1(user, task, None).await?;
                Ok(json!({ "message": paused.message, "task": task.as_str() }))
            },
            || self.reconcile_pause_task(user, task),
        )
        .await
    }

    /// Whether the task is gone: the 2.0 read answers "not found" (code or HTTP 404) →
    /// [`Verdict::Applied`]; it reads → [`Verdict::NotApplied`]; else
    /// [`Verdict::Undetermined`]. Only reads.
    pub async fn reconcile_delete_task(&self, user: &UserId, task: &TaskId) -> Verdict {
        match self.task(user, task, None).await {
            Ok(_) => Verdict::NotApplied,
            Err(e) if is_not_found(&e) => Verdict::Applied(json!({ "deleted": task.as_str() })),
            Err(e) => Verdict::Undetermined(format!("the task could not be read: {e}")),
        }
    }

    /// [`Client::delete_task`] exactly once: the task is read first (its error returned,
    /// nothing sent, when it is not there); a lost answer is reconciled with
    /// [`Client::reconcile_delete_task`], re-sent once when it is still there.
    pub async fn delete_task_exactly_once(
        &self,
        user: &UserId,
        task: &TaskId,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        self.task(user, task, None).await?;
        run_exactly_once(
            None,
            wait,
            || async {
                let deleted = self.delete_task(user, task, None).await?;
                Ok(json!({ "message": deleted.message, "deleted": task.as_str() }))
            },
            || self.reconcile_delete_task(user, task),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_modify_body_follows_the_docs_example() {
        let update = TaskUpdateV1::new("API任务创建测试", DOCS_CALLER_LINE, 3, 1, 3)
            .remark("API-test")
            .end_action(1);
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            json!({"name":"API任务创建测试","destination_extension":3,"dial_time_id":1,
                   "maximumcall":3,"caller_line_id":DOCS_CALLER_LINE,"remark":"API-test","end_action":1})
        );
        let o = MODIFY_TASK_V1.origin();
        assert!(update.check(o).is_ok());
        assert!(update.clone().elasticity(true).check(o).is_err());
        assert!(update.task_type(TaskType::NewV2).check(o).is_err());
    }
}
