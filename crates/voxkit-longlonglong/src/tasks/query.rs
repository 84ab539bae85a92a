//! The filters of the 2.0 task lists ([`TaskQuery`], its [`TaskStatusFilter`]).

use voxkit_core::{Error, Operation, Origin};

use super::TaskType;
use crate::ids::SubUserId;
use crate::listing::{paged_query, paging, setters, statuses, with_sub};

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

    setters! {
        /// `name`: the task name.
        fn name(name: impl Into<String>).into();
    }

    /// Adds a `status` (one is sent as `status=1`, several as `status[]=1&status[]=3`).
    pub fn status(mut self, status: TaskStatusFilter) -> Self {
        self.status.push(status);
        self
    }

    setters! {
        /// `sub_user_id`: a sub-account's tasks.
        fn sub_user(sub_user: SubUserId);
        /// `task_type`: the list documents [`TaskType::V2`] (6) and [`TaskType::NewV2`] (7).
        fn task_type(task_type: TaskType);
    }

    pub(super) fn apply(&self, origin: Origin, op: Operation) -> Result<Operation, Error> {
        let mut op = paging(op, origin, self.page, self.per_page)?;
        if let Some(name) = &self.name {
            op = op.query("name", name.as_str());
        }
        let codes: Vec<u8> = self.status.iter().map(|s| s.code()).collect();
        op = with_sub(statuses(op, &codes), self.sub_user.as_ref());
        if let Some(t) = self.task_type {
            op = op.query("task_type", t.code().to_string());
        }
        Ok(op)
    }
}

paged_query! {
    TaskQuery;
    /// `page`, from 1.
    page;
    /// `per_page` (default 15).
    per_page;
}
