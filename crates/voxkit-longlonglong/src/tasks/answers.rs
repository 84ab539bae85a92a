//! The answers of the 2.0 task group: a listed [`Task`] and its [`TaskPage`], one task's
//! configuration ([`TaskDetail`], its [`TaskState`]), what a new task may use
//! ([`TaskInit`]).

use chrono::NaiveDateTime;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::dates;
use crate::envelope::MetaPage;
use crate::ids::TaskId;

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
    #[serde(default, with = "dates::opt")]
    pub create_datetime: Option<NaiveDateTime>,
    /// `alter_datetime`, server local time.
    #[serde(default, with = "dates::opt")]
    pub alter_datetime: Option<NaiveDateTime>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// One page of tasks and its paginator.
pub type TaskPage = MetaPage<Task>;

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
    /// `line_id`: the line to put in [`TaskLine`](super::TaskLine).
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
    fn the_state_follows_the_mirrors_table() {
        assert_eq!(TaskState::of(true, true), Some(TaskState::Dialing));
        assert_eq!(TaskState::of(false, false), Some(TaskState::Paused));
        assert_eq!(TaskState::of(true, false), Some(TaskState::Waiting));
        assert_eq!(TaskState::of(false, true), None);
    }
}
