//! The body of 任务创建 ([`NewTask`] and its parts: lines, script windows, variable
//! scripts, holidays, re-dialling) and of 任务修改 ([`TaskUpdate`]), with the checks made
//! before either is sent.

use chrono::{NaiveDateTime, NaiveTime};
use serde::{Serialize, Serializer};
use voxkit_core::{Error, Origin, check};

use crate::dates;
use crate::listing::setters;
use crate::numbers::NumberStatus;

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

    /// The same task under another name (the marked name of an exactly-once create).
    pub(crate) fn renamed(mut self, name: String) -> Self {
        self.name = name;
        self
    }

    setters! {
        /// `dial_time_id`: the 呼叫时间组 (the mirror warns that a group's later changes are not
        /// synchronised to 2.0 tasks that use it).
        fn dial_time_id(dial_time_id: u64);
        /// `background_id`: the background sound.
        fn background_id(background_id: u64);
        /// `is_group_switch`, sent as given (the create example sends 2, the modify example 1;
        /// the codes are not documented).
        fn group_switch(is_group_switch: u8);
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

    setters! {
        /// `llm_intention_id`: the LLM quality-inspection configuration.
        fn llm_intention_id(llm_intention_id: u64);
        /// `score_scheme_id`: the scoring scheme.
        fn score_scheme_id(score_scheme_id: u64);
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

    /// The local checks: the task's, then each switch rule's window (nothing is sent when
    /// one fails).
    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        self.task.check(origin)?;
        for rule in &self.group_switch_rule {
            if rule.switch_start >= rule.switch_end {
                return Err(Error::invalid_input(
                    origin,
                    "group_switch_rule: switch_start must be before switch_end",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::{CREATE_TASK, DOCS_LINE, docs_new_task};
    use serde_json::json;

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
}
