//! longlonglong call tasks (呼叫任务 2.0 and the old task API, one task collection serving
//! both, as the "兼容2.0任务" number routes imply) and their numbers (号码).
//!
//! A task's life, on the sandbox's clock like the Laaffic IVR tasks: every read of a task,
//! a task list or a number list advances each enabled task one step: waiting (`enable`
//! true, `call_status` false) with numbers at `0` 等待呼叫 → dialling (`call_status` true) →
//! every waiting number called (status `1` 呼叫成功 four times in five, else `3` 拒接 or
//! `4` 无应答), a call record made for each ([`State::add_call_record`]), back to waiting.
//!
//! Where the documentation is silent the sandbox decides: a new task starts enabled
//! (等待执行; there is no documented start); a copy is named `<name>-副本` and starts
//! paused, without numbers; modifying keeps `enable`; unknown task → `404 任务不存在`;
//! bad input → `422`; deleting numbers of an enabled task → `6007`; the async import is
//! applied at once and its result posted to the configured callback URL
//! (`type` `import_number`, `mode` `batch`, `unique_id`, `data.numbers`).

use axum::response::Response;
use bytes::Bytes;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::reply::{Answer, Call, at, err, get, known_user, object, ok, paged, paging};
use crate::state::State;
use crate::wire::{self, Object};

/// One number of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskNumber {
    /// The phone, as sent.
    pub phone: String,
    /// The customer's name, if sent.
    pub name: Option<String>,
    /// 号码状态 (0 等待呼叫 … 12).
    pub status: u8,
    /// When added, China time.
    pub created_at: NaiveDateTime,
}

/// One call task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallTask {
    /// `uuid`.
    pub uuid: String,
    /// The owner.
    pub user_id: String,
    /// `name`.
    pub name: String,
    /// `enable`.
    pub enable: bool,
    /// `new_task_extra.call_status`.
    pub call_status: bool,
    /// `destination_extension` (the script group).
    pub destination_extension: u64,
    /// `maximumcall`.
    pub maximumcall: u64,
    /// `dial_time_id`.
    pub dial_time_id: Option<u64>,
    /// The numbers, in the order added.
    pub numbers: Vec<TaskNumber>,
    /// How many pause requests were applied (the old `GET` pause included).
    pub pauses: u32,
    /// How many number resets were applied.
    pub resets: u32,
    /// `create_datetime`.
    pub created_at: NaiveDateTime,
    /// `alter_datetime`.
    pub altered_at: NaiveDateTime,
}

/// Every task, oldest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Tasks {
    pub tasks: Vec<CallTask>,
}

/// The documentation's task (the callbacks' `289b4a84-…`, completed as the SDK's examples
/// do): paused, with the delete example's two numbers.
pub const DOCS_TASK: &str = "289b4a84-6d3c-4a4e-9f3a-2c1d0e5b7a61";

impl Tasks {
    fn get(&self, user: &str, uuid: &str) -> Option<&CallTask> {
        self.tasks
            .iter()
            .find(|t| t.uuid == uuid && t.user_id == user)
    }

    fn get_mut(&mut self, user: &str, uuid: &str) -> Option<&mut CallTask> {
        self.tasks
            .iter_mut()
            .find(|t| t.uuid == uuid && t.user_id == user)
    }
}

impl State {
    /// Adds a task of `user` (enabled or paused) with these numbers at status 0; returns
    /// its uuid.
    pub(crate) fn add_call_task(
        &mut self,
        uuid: Option<&str>,
        user: &str,
        name: &str,
        enable: bool,
        phones: &[&str],
    ) -> String {
        let now = self.now();
        let uuid = uuid.map_or_else(|| crate::ids::uuid(&mut self.rng), str::to_owned);
        self.tasks.tasks.push(CallTask {
            uuid: uuid.clone(),
            user_id: user.to_owned(),
            name: name.to_owned(),
            enable,
            call_status: false,
            destination_extension: 123,
            maximumcall: 1,
            dial_time_id: Some(5),
            numbers: phones
                .iter()
                .map(|p| TaskNumber {
                    phone: (*p).to_owned(),
                    name: None,
                    status: 0,
                    created_at: now,
                })
                .collect(),
            pauses: 0,
            resets: 0,
            created_at: now,
            altered_at: now,
        });
        uuid
    }

    /// Advances every enabled task one step (see the module docs).
    pub(crate) fn advance_call_tasks(&mut self) {
        let now = self.now();
        let mut calls = Vec::new();
        for task in self.tasks.tasks.iter_mut().filter(|t| t.enable) {
            let waiting = task.numbers.iter().any(|n| n.status == 0);
            if !task.call_status {
                if waiting {
                    task.call_status = true;
                    task.altered_at = now;
                }
                continue;
            }
            for number in task.numbers.iter_mut().filter(|n| n.status == 0) {
                number.status = match self.rng.u32(..10) {
                    0 => 3,
                    1 => 4,
                    _ => 1,
                };
                calls.push((
                    task.user_id.clone(),
                    task.uuid.clone(),
                    number.phone.clone(),
                    number.status,
                ));
            }
            task.call_status = false;
            task.altered_at = now;
        }
        for (user, task, phone, status) in calls {
            self.add_call_record(&user, &task, &phone, status);
        }
    }
}

/// The seed: the documentation's task [`DOCS_TASK`] of `user`, paused, with the delete
/// example's numbers.
pub(crate) fn seed(state: &mut State, user: &str) {
    state.add_call_task(
        Some(DOCS_TASK),
        user,
        "测试api接口创建-222",
        false,
        &["18361201206", "18361201208"],
    );
}

// ----- handlers ----------------------------------------------------------------------------

pub(super) fn not_found() -> Response {
    err(404, "任务不存在")
}

fn task_json(t: &CallTask) -> Value {
    json!({
        "uuid": t.uuid, "name": t.name, "create_datetime": at(t.created_at),
        "alter_datetime": at(t.altered_at), "start": 0, "enable": t.enable,
        "maximumcall": t.maximumcall, "call_per_second": 10, "recycle_limit": 0,
        "dial_time_id": t.dial_time_id, "destination_extension": t.destination_extension.to_string(),
        "remark": null, "user_id": t.user_id,
    })
}

fn detail_json(t: &CallTask) -> Value {
    let (status, status_str) = match (t.enable, t.call_status) {
        (false, _) => (1, "任务暂停"),
        (true, true) => (3, "执行中"),
        (true, false) => (3, "等待执行"),
    };
    json!({
        "maximumcall": t.maximumcall, "name": t.name, "remark": null,
        "destination_extension": t.destination_extension.to_string(),
        "dial_time_id": t.dial_time_id, "end_action": 1, "llm_intention_id": 0,
        "new_task_extra": {"name": t.name, "enable": t.enable, "call_status": t.call_status,
                           "number_count": t.numbers.len(), "call_info": []},
        "status": status, "call_status": t.call_status, "status_str": status_str,
    })
}

/// `GET .../task/create` (任务初始化): the system dial-time group and the user's lines.
pub(super) async fn init(Call(shared, user, _): Call<String>) -> Answer {
    let data = shared.lock();
    known_user(&data, &user)?;
    ok(
        "返回任务初始化信息成功",
        json!({
            "task_dial_times": [{"id": 5, "name": "系统呼叫时间", "user_id": user, "is_default": true,
                "content": [{"week": 0, "times": [{"begin_time": "09:00", "end_time": "12:00"}]}],
                "remark": null}],
            "caller_line_list": [{"name": null, "remark": "sandbox line",
                "line_id": "29c39ec4-5a7e-4f0b-9d0e-1b2c3d4e5f60", "belong_user": user}],
        }),
    )
}

/// The task fields of a create or modify body, or the `422` to answer.
fn task_fields(map: &Object) -> Result<(String, u64, u64, Option<u64>), Response> {
    let name = wire::text(map, "name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| err(422, "name 不能为空"))?;
    let script = wire::int(map, "destination_extension")
        .filter(|n| *n > 0)
        .ok_or_else(|| err(422, "destination_extension 必须是正整数"))?;
    let calls = wire::int(map, "maximumcall")
        .filter(|n| *n > 0)
        .ok_or_else(|| err(422, "maximumcall 必须是正整数"))?;
    let dial = wire::int(map, "dial_time_id").map(|n| n as u64);
    Ok((name.to_owned(), script as u64, calls as u64, dial))
}

/// `POST .../new/user/{user_id}/task` (任务创建): `422` without a name, script group,
/// concurrency or `task_extras.line`; the new task starts enabled.
pub(super) async fn create(Call(shared, user, _): Call<String>, body: Bytes) -> Answer {
    let map = object(&body)?;
    let (name, script, calls, dial) = task_fields(&map)?;
    let lines = map
        .get("task_extras")
        .and_then(|e| e.get("line"))
        .and_then(Value::as_array)
        .is_some_and(|l| !l.is_empty());
    if !lines {
        return Err(err(422, "task_extras.line 不能为空"));
    }
    let mut data = shared.lock();
    known_user(&data, &user)?;
    let uuid = data.add_call_task(None, &user, &name, true, &[]);
    let task = data.tasks.get_mut(&user, &uuid).ok_or_else(not_found)?;
    (
        task.destination_extension,
        task.maximumcall,
        task.dial_time_id,
    ) = (script, calls, dial);
    ok("创建任务成功", json!({"uuid": uuid}))
}

/// Whose tasks a list shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The user's own (任务列表).
    Own,
    /// The user's and its sub-accounts' (`subset_task`, old `all_task`).
    WithSubAccounts,
}

/// A task list, paged, with the filters of every list: `name` (contains), `status` /
/// `status[]` (2.0: 1 paused, 3 active; `old`: 1 paused, 2 dialling, 3 waiting).
fn list(call: Call<String>, scope: Scope, old: bool) -> Answer {
    let Call(shared, user, pairs) = call;
    let mut data = shared.lock();
    known_user(&data, &user)?;
    let mut users = vec![user.clone()];
    if scope == Scope::WithSubAccounts {
        if let Some(u) = data.longlonglong.users.get(&user) {
            users.extend(u.sub_accounts.iter().map(|s| s.id.clone()));
        }
    }
    data.advance_call_tasks();
    let (page, per_page) = paging(&pairs)?;
    let statuses: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "status" || k == "status[]")
        .map(|(_, v)| v.as_str())
        .collect();
    let status_of = |t: &CallTask| match (old, t.enable, t.call_status) {
        (_, false, _) => "1",
        (false, true, _) => "3",
        (true, true, true) => "2",
        (true, true, false) => "3",
    };
    let matching: Vec<&CallTask> = data
        .tasks
        .tasks
        .iter()
        .filter(|t| users.contains(&t.user_id))
        .filter(|t| get(&pairs, "name").is_none_or(|n| t.name.contains(n)))
        .filter(|t| statuses.is_empty() || statuses.contains(&status_of(t)))
        .collect();
    paged("返回任务列表信息成功", matching, page, per_page, task_json)
}

/// `GET .../new/user/{user_id}/task` (任务列表, 2.0): the user's tasks.
pub(super) async fn list_user(call: Call<String>) -> Answer {
    list(call, Scope::Own, false)
}

/// The old list (`/agent-api/user/{user_id}/task`): status codes 1, 2, 3.
pub(super) async fn list_user_v1(call: Call<String>) -> Answer {
    list(call, Scope::Own, true)
}

/// The lists across sub-accounts (`subset_task`, old `all_task`): the user's and its
/// sub-accounts' tasks.
pub(super) async fn list_all(call: Call<String>) -> Answer {
    list(call, Scope::WithSubAccounts, false)
}

/// `GET .../task/{task_id}/edit` (任务编辑, both generations): the configuration.
pub(super) async fn read(Call(shared, (user, uuid), _): Call<(String, String)>) -> Answer {
    let mut data = shared.lock();
    data.advance_call_tasks();
    let task = data.tasks.get(&user, &uuid).ok_or_else(not_found)?;
    ok("返回任务信息成功", detail_json(task))
}

/// `PUT .../task/{task_id}` (任务修改, both generations): name, script group, concurrency,
/// dial-time group; `enable` kept.
pub(super) async fn modify(
    Call(shared, (user, uuid), _): Call<(String, String)>,
    body: Bytes,
) -> Answer {
    let map = object(&body)?;
    let (name, script, calls, dial) = task_fields(&map)?;
    let mut data = shared.lock();
    let now = data.now();
    let task = data.tasks.get_mut(&user, &uuid).ok_or_else(not_found)?;
    (task.name, task.destination_extension, task.maximumcall) = (name, script, calls);
    task.dial_time_id = dial.or(task.dial_time_id);
    task.altered_at = now;
    ok("修改任务成功", json!([]))
}

/// `PUT .../new/.../task_stop/{task_id}` and the old `GET .../task_stop/{task_id}`
/// (任务暂停): `enable` and `call_status` false.
pub(super) async fn pause(Call(shared, (user, uuid), _): Call<(String, String)>) -> Answer {
    let mut data = shared.lock();
    let now = data.now();
    let task = data.tasks.get_mut(&user, &uuid).ok_or_else(not_found)?;
    (task.enable, task.call_status, task.altered_at) = (false, false, now);
    task.pauses += 1;
    ok("任务暂停成功", json!([]))
}

/// `GET .../copy/task/{task_id}` (任务复制): a paused copy named `<name>-副本`.
pub(super) async fn copy(Call(shared, (user, uuid), _): Call<(String, String)>) -> Answer {
    let mut data = shared.lock();
    let task = data.tasks.get(&user, &uuid).ok_or_else(not_found)?.clone();
    let name = format!("{}-副本", task.name);
    let copy = data.add_call_task(None, &user, &name, false, &[]);
    if let Some(new) = data.tasks.get_mut(&user, &copy) {
        (new.destination_extension, new.maximumcall, new.dial_time_id) = (
            task.destination_extension,
            task.maximumcall,
            task.dial_time_id,
        );
    }
    ok("复制任务成功", json!({"uuid": copy}))
}

/// `DELETE .../user/{user_id}/task/{task_id}` (任务删除, old API): gone.
pub(super) async fn delete(Call(shared, (user, uuid), _): Call<(String, String)>) -> Answer {
    let mut data = shared.lock();
    let before = data.tasks.tasks.len();
    data.tasks
        .tasks
        .retain(|t| !(t.uuid == uuid && t.user_id == user));
    if data.tasks.tasks.len() == before {
        return Err(not_found());
    }
    ok("删除任务成功", json!([]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enabled_task_dials_its_numbers_and_makes_records() {
        let mut state = State::new(3, None);
        let task = state.add_call_task(None, "u", "t", true, &["13800000000", "13800000001"]);
        state.advance_call_tasks();
        let t = state.tasks.get("u", &task).unwrap();
        assert!(t.call_status, "waiting → dialling");
        assert!(t.numbers.iter().all(|n| n.status == 0));
        state.advance_call_tasks();
        let t = state.tasks.get("u", &task).unwrap();
        assert!(!t.call_status && t.numbers.iter().all(|n| n.status != 0));
        let made = state
            .records
            .records
            .iter()
            .filter(|r| r.task_id == task)
            .count();
        assert_eq!(made, 2, "one record per call");
        let paused = state.add_call_task(None, "u", "p", false, &["1"]);
        state.advance_call_tasks();
        state.advance_call_tasks();
        assert_eq!(state.tasks.get("u", &paused).unwrap().numbers[0].status, 0);
    }
}
