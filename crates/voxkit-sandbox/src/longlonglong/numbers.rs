//! longlonglong task numbers (号码): list, add synchronously (<= 100) or asynchronously
//! (<= 200, the result posted to the callback URL), delete (JSON body on `DELETE`; `6007`
//! while the task is enabled), reset for re-dial. See [`super::tasks`] for the tasks.

use axum::response::Response;
use bytes::Bytes;
use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::reply::{Answer, Call, at, data_rows, err, get, object, ok, paged, paging};
use super::tasks::{CallTask, TaskNumber, not_found};
use crate::state::State;
use crate::wire;

const MAX_SYNC: usize = 100;
const MAX_ASYNC: usize = 200;

fn task_mut<'a>(data: &'a mut State, user: &str, uuid: &str) -> Result<&'a mut CallTask, Response> {
    data.tasks
        .tasks
        .iter_mut()
        .find(|t| t.uuid == uuid && t.user_id == user)
        .ok_or_else(not_found)
}

fn parse_at(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok()
}

/// `GET .../task/{task_id}/number`: `page` (required), `per_page`, `status[]`,
/// `start_at`/`end_at`; rows `{phone, name, status, created_at}`.
pub(super) async fn list(Call(shared, (user, uuid), pairs): Call<(String, String)>) -> Answer {
    let get = |key: &str| get(&pairs, key);
    // `page` is required here; `per_page` defaults as in every list.
    let page = get("page")
        .and_then(|p| wire::positive(Some(p), 1))
        .ok_or_else(|| err(422, "page 必须是正整数"))?;
    let (_, per_page) = paging(&pairs)?;
    let statuses: Vec<u8> = pairs
        .iter()
        .filter(|(k, _)| k == "status[]" || k == "status")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let window = (
        get("start_at").and_then(parse_at),
        get("end_at").and_then(parse_at),
    );
    let mut data = shared.lock();
    data.advance_call_tasks();
    let task = task_mut(&mut data, &user, &uuid)?;
    let matching: Vec<&TaskNumber> = task
        .numbers
        .iter()
        .filter(|n| statuses.is_empty() || statuses.contains(&n.status))
        .filter(|n| window.0.is_none_or(|s| n.created_at >= s))
        .filter(|n| window.1.is_none_or(|e| n.created_at <= e))
        .collect();
    paged("查看号码列表成功", matching, page, per_page, |n| {
        json!({"phone": n.phone, "name": n.name, "status": n.status,
               "created_at": at(n.created_at)})
    })
}

/// Adds the body's `data[]` to the task: `422` without rows, over `max`, a row without a
/// phone, or a phone already in the task (unless `number_add_suffix`, which appends
/// `_` and a counter); all or nothing. Returns the phones added.
fn add(
    data: &mut State,
    user: &str,
    uuid: &str,
    body: &Bytes,
    max: usize,
) -> Result<Vec<String>, Response> {
    let map = object(body)?;
    let rows = data_rows(&map, max, "data 不能为空", || {
        format!("每次最多导入{max}条数据")
    })?;
    let suffix = map.get("number_add_suffix").and_then(Value::as_bool) == Some(true);
    let now = data.now();
    let task = task_mut(data, user, uuid)?;
    let mut added: Vec<TaskNumber> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let phone = row
            .get("phone")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .ok_or_else(|| err(422, "data.*.phone 不能为空"))?;
        let taken = |p: &str| {
            task.numbers.iter().any(|n| n.phone == p) || added.iter().any(|n| n.phone == p)
        };
        let phone = if suffix {
            format!("{phone}_{}", task.numbers.len() + i + 1)
        } else if taken(phone) {
            return Err(err(422, format!("号码 {phone} 已存在")));
        } else {
            phone.to_owned()
        };
        added.push(TaskNumber {
            phone,
            name: row.get("name").and_then(Value::as_str).map(str::to_owned),
            status: 0,
            created_at: now,
        });
    }
    let phones = added.iter().map(|n| n.phone.clone()).collect();
    task.numbers.extend(added);
    Ok(phones)
}

/// `POST .../task/{task_id}/number` (同步, <= 100).
pub(super) async fn add_sync(
    Call(shared, (user, uuid), _): Call<(String, String)>,
    body: Bytes,
) -> Answer {
    let mut data = shared.lock();
    let phones = add(&mut data, &user, &uuid, &body, MAX_SYNC)?;
    ok("批量添加号码成功", json!({"count": phones.len()}))
}

/// `POST .../task/{task_id}/async_number` (异步, <= 200): applied at once; answers a
/// `unique_id` and posts `{mode: batch, type: import_number, unique_id, user_id, task_id,
/// data: {numbers}}` to the callback URL when one is configured.
pub(super) async fn add_async(
    Call(shared, (user, uuid), _): Call<(String, String)>,
    body: Bytes,
) -> Answer {
    let mut data = shared.lock();
    let phones = add(&mut data, &user, &uuid, &body, MAX_ASYNC)?;
    let numbers = json!({"numbers": phones});
    let unique_id =
        data.deliver_batch_callback("import_number", &user, &uuid, numbers.clone(), |_| numbers);
    ok("异步导入号码任务已提交", json!({"unique_id": unique_id}))
}

/// `DELETE .../task/{task_id}/number-batch-delete` with `customer_info_list`: `6007` while
/// the task is enabled (documented); unknown phones are ignored.
pub(super) async fn delete(
    Call(shared, (user, uuid), _): Call<(String, String)>,
    body: Bytes,
) -> Answer {
    let map = object(&body)?;
    let phones: Vec<String> = map
        .get("customer_info_list")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|c| c.get("phone").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if phones.is_empty() {
        return Err(err(422, "customer_info_list 不能为空"));
    }
    let mut data = shared.lock();
    let task = task_mut(&mut data, &user, &uuid)?;
    if task.enable {
        return Err(err(6007, "2.0任务启动中,请先停止任务"));
    }
    task.numbers.retain(|n| !phones.contains(&n.phone));
    ok("批量删除号码成功", json!([]))
}

/// `PUT .../task/{task_id}/number-batch-reset`: numbers matching `phones`, `keyword`,
/// `status` back to `0` 等待呼叫; `422` without a selector or with only one of
/// `start_at`/`end_at`.
pub(super) async fn reset(
    Call(shared, (user, uuid), _): Call<(String, String)>,
    body: Bytes,
) -> Answer {
    let map = object(&body)?;
    let strings = |key: &str| -> Vec<String> {
        map.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let phones = strings("phones");
    let keyword = wire::text(&map, "keyword").map(str::to_owned);
    let statuses: Vec<u8> = map
        .get("status")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_u64())
                .map(|v| v as u8)
                .collect()
        })
        .unwrap_or_default();
    let start = wire::text(&map, "start_at").and_then(parse_at);
    let end = wire::text(&map, "end_at").and_then(parse_at);
    if start.is_some() != end.is_some() {
        return Err(err(422, "start_at 与 end_at 必须同时传递"));
    }
    if phones.is_empty() && keyword.is_none() && statuses.is_empty() && start.is_none() {
        return Err(err(422, "请指定需要重呼的号码"));
    }
    let mut data = shared.lock();
    let task = task_mut(&mut data, &user, &uuid)?;
    for n in task.numbers.iter_mut() {
        let hit = (phones.is_empty() || phones.contains(&n.phone))
            && keyword
                .as_ref()
                .is_none_or(|k| n.phone.contains(k.as_str()))
            && (statuses.is_empty() || statuses.contains(&n.status))
            && start.is_none_or(|s| n.created_at >= s)
            && end.is_none_or(|e| n.created_at <= e);
        if hit {
            n.status = 0;
        }
    }
    task.resets += 1;
    ok("批量重置号码状态成功", json!([]))
}
