//! longlonglong account resources: VOS overview and records (查询账单), script groups
//! (话术分组), dial-time groups (呼叫时间), privacy settings (隐私与安全) and the callback
//! batches looked up by 查看回调数据.
//!
//! Where the documentation is silent (every answer here) the sandbox decides: the VOS
//! overview is `{vos_account_id, name, balance}` (the user's balance), one object for
//! `all=false`, an array for `all=true`; the VOS records are an empty array for any day
//! (the sandbox places no VOS calls); a script group is `{id, name, user_id}`; a dial-time
//! group has the shape of 任务初始化's `task_dial_times[]`, names may repeat, and saving
//! answers `{id}`; the security code is the example's `123456` (another is `422
//! 安全码错误`); a callback batch answers `{unique_id, type, data}` (unknown: `404`).

use axum::response::Response;
use bytes::Bytes;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::lines::DOCS_TENANT;
use super::reply::{Answer, Call, at, err, get, known_sub, known_user, object, ok, paged, paging};
use crate::state::State as Data;
use crate::wire;

/// The security code (安全码) the sandbox accepts: the documentation's example value.
pub const SECURITY_CODE: &str = "123456";
/// The seeded callback batch id (a `unique_id` of the callbacks' form).
pub const DOCS_BATCH: &str = "5e7d2764-1c2d-4e5f-8a9b-0c1d2e3f4a5b";

/// A script group (话术组) of a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScriptGroup {
    /// Its id.
    pub id: u64,
    /// Its owner.
    pub user_id: String,
    /// Its name.
    pub name: String,
}

/// A dial-time group (呼叫时间组) of a user: `content` as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DialTimeGroup {
    /// Its id.
    pub id: u64,
    /// Its owner (the sub-account when saved with `sub_user_id`).
    pub user_id: String,
    /// Its name.
    pub name: String,
    /// `content`: `[{week, times: [{begin_time, end_time}]}]`.
    pub content: Value,
    /// `is_default`.
    pub is_default: bool,
    /// `skip_holiday`.
    pub skip_holiday: bool,
    /// When saved, China time.
    pub created_at: chrono::NaiveDateTime,
}

/// A callback batch, as 查看回调数据 finds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallbackBatch {
    /// `unique_id`.
    pub unique_id: String,
    /// The user it was sent for.
    pub user_id: String,
    /// The callback `type` (`import_number`, `api_customer_to_task`, …).
    pub kind: String,
    /// Its data (e.g. `{"numbers": [...]}`).
    pub data: Value,
}

/// The resources of every user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Resources {
    pub script_groups: Vec<ScriptGroup>,
    pub dial_time_groups: Vec<DialTimeGroup>,
    pub next_dial_time_group: u64,
    /// Privacy settings by user, then slug → `extra`.
    pub security: std::collections::BTreeMap<String, Map<String, Value>>,
    pub callback_batches: Vec<CallbackBatch>,
}

impl Resources {
    /// Whether `user` has script group `id`.
    pub(crate) fn has_script_group(&self, user: &str, id: u64) -> bool {
        self.script_groups
            .iter()
            .any(|g| g.id == id && g.user_id == user)
    }
}

impl Data {
    /// Records a callback batch (for 查看回调数据), e.g. when an async number import or a
    /// pool → task move delivers its result.
    pub(crate) fn add_callback_batch(
        &mut self,
        unique_id: &str,
        user_id: &str,
        kind: &str,
        data: Value,
    ) {
        self.resources.callback_batches.push(CallbackBatch {
            unique_id: unique_id.into(),
            user_id: user_id.into(),
            kind: kind.into(),
            data,
        });
    }

    /// The one way an asynchronous result leaves (the async number import, the pool → task
    /// move): a fresh `unique_id`, the batch recorded under it with `recorded` (so that
    /// 查看回调数据 finds it), and `{mode: batch, type, unique_id, user_id, task_id, data:
    /// pushed}` queued for the configured callback URL, if any. Returns the `unique_id`.
    pub(crate) fn deliver_batch_callback(
        &mut self,
        kind: &str,
        user_id: &str,
        task_id: &str,
        recorded: Value,
        pushed: impl FnOnce(&str) -> Value,
    ) -> String {
        let unique_id = crate::ids::uuid(&mut self.rng);
        self.add_callback_batch(&unique_id, user_id, kind, recorded);
        let callback = json!({
            "mode": "batch", "type": kind, "unique_id": unique_id,
            "user_id": user_id, "task_id": task_id, "data": pushed(&unique_id),
        });
        if let Some(outbox) = &self.ivr.outbox {
            outbox.longlonglong_callback(&callback);
        }
        unique_id
    }
}

/// Seeds `user`'s script groups 1 and 2, the system dial-time group (the mirror's 系统呼叫时间)
/// and one callback batch ([`DOCS_BATCH`]).
pub(crate) fn seed(state: &mut Data, user: &str) {
    let now = state.now();
    let r = &mut state.resources;
    for (id, name) in [(1, "示例话术组"), (2, "大模型话术组")] {
        r.script_groups.push(ScriptGroup {
            id,
            user_id: user.into(),
            name: name.into(),
        });
    }
    let day = |week| {
        json!({"week": week, "times": [{"begin_time": "09:00", "end_time": "12:00"},
                                       {"begin_time": "13:00", "end_time": "18:00"}]})
    };
    r.dial_time_groups.push(DialTimeGroup {
        id: 1,
        user_id: user.into(),
        name: "系统呼叫时间".into(),
        content: Value::Array((0..7).map(day).collect()),
        is_default: true,
        skip_holiday: false,
        created_at: now,
    });
    r.next_dial_time_group = 2;
    r.callback_batches.push(CallbackBatch {
        unique_id: DOCS_BATCH.into(),
        user_id: user.into(),
        kind: "import_number".into(),
        data: json!({"numbers": ["13012121212"]}),
    });
}

/// 用户VOS账户概况.
pub(super) async fn vos_overview(Call(shared, user_id, pairs): Call<String>) -> Answer {
    let all = match get(&pairs, "all").map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(_) => return Err(err(422, "all 必须是布尔值")),
    };
    let data = shared.lock();
    let Some(user) = data.longlonglong.users.get(&user_id) else {
        return Err(err(404, "用户不存在"));
    };
    let account = json!({"vos_account_id": 1, "name": user.name, "balance": user.balance});
    ok(
        "查看VOS账户概况成功",
        if all { json!([account]) } else { account },
    )
}

/// 查询vos话单列表: the day must be a date; the sandbox places no VOS calls.
pub(super) async fn vos_cdrs(Call(shared, user_id, pairs): Call<String>) -> Answer {
    if let Some(day) = get(&pairs, "time") {
        if NaiveDate::parse_from_str(day, "%Y-%m-%d").is_err() {
            return Err(err(422, "time 格式应为 YYYY-MM-DD"));
        }
    }
    if let Some(id) = get(&pairs, "vos_account_id") {
        if id.parse::<u64>().ok().filter(|n| *n >= 1).is_none() {
            return Err(err(422, "vos_account_id 必须是正整数"));
        }
    }
    known_user(&shared.lock(), &user_id)?;
    ok("查看VOS话单成功", json!([]))
}

fn script_json(g: &ScriptGroup) -> Value {
    json!({"id": g.id, "name": g.name, "user_id": g.user_id})
}

/// 话术分组.
pub(super) async fn script_groups(Call(shared, user_id, pairs): Call<String>) -> Answer {
    let (page, per_page) = paging(&pairs)?;
    let data = shared.lock();
    known_user(&data, &user_id)?;
    let items = data
        .resources
        .script_groups
        .iter()
        .filter(|g| g.user_id == user_id)
        .collect();
    paged("查看话术分组成功", items, page, per_page, script_json)
}

/// 查看下级用户所有话术: every user is on the docs' node.
pub(super) async fn tenant_scripts(Call(shared, tenant, _): Call<String>) -> Answer {
    if tenant != DOCS_TENANT {
        return Err(err(404, "云节点不存在"));
    }
    let data = shared.lock();
    let items: Vec<Value> = data
        .resources
        .script_groups
        .iter()
        .map(script_json)
        .collect();
    ok("查看下级用户所有话术成功", json!(items))
}

fn dial_time_json(g: &DialTimeGroup) -> Value {
    let at = at(g.created_at);
    json!({"id": g.id, "name": g.name, "user_id": g.user_id, "content": g.content,
           "is_default": g.is_default, "skip_holiday": g.skip_holiday, "remark": null,
           "created_at": at, "updated_at": at})
}

/// Whose groups: the sub-account's when `sub_user_id` names one of `user_id`'s, else the
/// user's; an unknown sub-account is the `404`.
fn owner(data: &Data, user_id: &str, sub: Option<&str>) -> Result<String, Response> {
    known_user(data, user_id)?;
    match sub.filter(|s| !s.is_empty()) {
        None => Ok(user_id.to_owned()),
        Some(sub) => known_sub(data, user_id, sub).map(|()| sub.to_owned()),
    }
}

/// 呼叫时间组-列表: 15 a page (the list takes no page size).
pub(super) async fn dial_time_groups(Call(shared, user_id, pairs): Call<String>) -> Answer {
    let (page, _) = paging(&pairs)?;
    let data = shared.lock();
    let owner = owner(&data, &user_id, get(&pairs, "sub_user_id"))?;
    let items = data
        .resources
        .dial_time_groups
        .iter()
        .filter(|g| g.user_id == owner)
        .collect();
    paged("查看呼叫时间组成功", items, page, 15, dial_time_json)
}

/// Whether `content` is `[{week 0..6 once, times: [{begin_time < end_time, "HH:mm"}]+}]+`.
fn valid_content(content: &Value) -> bool {
    let Some(days) = content.as_array().filter(|d| !d.is_empty()) else {
        return false;
    };
    let mut weeks = Vec::new();
    days.iter().all(|day| {
        let week = day.get("week").and_then(wire::number_of::<u8>);
        let times = day.get("times").and_then(Value::as_array);
        let hm = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .and_then(|s| chrono::NaiveTime::parse_from_str(s, "%H:%M").ok())
        };
        match (week, times) {
            (Some(w), Some(times)) if w <= 6 && !weeks.contains(&w) && !times.is_empty() => {
                weeks.push(w);
                times.iter().all(|t| {
                    matches!((hm(t.get("begin_time")), hm(t.get("end_time"))), (Some(b), Some(e)) if b < e)
                })
            }
            _ => false,
        }
    })
}

/// 呼叫时间组-保存.
pub(super) async fn save_dial_time_group(
    Call(shared, user_id, _): Call<String>,
    body: Bytes,
) -> Answer {
    let map = object(&body)?;
    let Some(name) = wire::text(&map, "name").filter(|n| !n.trim().is_empty()) else {
        return Err(err(422, "name 不能为空"));
    };
    let content = map.get("content").cloned().unwrap_or(Value::Null);
    if !valid_content(&content) {
        return Err(err(422, "content 格式错误"));
    }
    let flag = |key: &str| map.get(key).and_then(Value::as_bool).unwrap_or(false);
    let (is_default, skip_holiday) = (flag("is_default"), flag("skip_holiday"));
    let mut data = shared.lock();
    let owner = owner(&data, &user_id, wire::text(&map, "sub_user_id"))?;
    let now = data.now();
    let r = &mut data.resources;
    let id = r.next_dial_time_group.max(1);
    r.next_dial_time_group = id + 1;
    if is_default {
        for g in r.dial_time_groups.iter_mut().filter(|g| g.user_id == owner) {
            g.is_default = false;
        }
    }
    r.dial_time_groups.push(DialTimeGroup {
        id,
        user_id: owner,
        name: name.to_owned(),
        content,
        is_default,
        skip_holiday,
        created_at: now,
    });
    ok("保存呼叫时间组成功", json!({ "id": id }))
}

/// 设置隐私与安全.
pub(super) async fn save_security(Call(shared, user_id, _): Call<String>, body: Bytes) -> Answer {
    let map = object(&body)?;
    if wire::text(&map, "code") != Some(SECURITY_CODE) {
        return Err(err(422, "安全码错误"));
    }
    let settings: Option<Vec<(String, Map<String, Value>)>> = map
        .get("data")
        .and_then(Value::as_array)
        .filter(|d| !d.is_empty())
        .and_then(|d| {
            d.iter()
                .map(|s| {
                    let slug = s.get("slug")?.as_str()?.to_owned();
                    let extra = s
                        .get("extra")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    Some((slug, extra))
                })
                .collect()
        });
    let Some(settings) = settings else {
        return Err(err(422, "data 格式错误"));
    };
    let mut data = shared.lock();
    known_user(&data, &user_id)?;
    let mine = data.resources.security.entry(user_id).or_default();
    for (slug, extra) in settings {
        mine.insert(slug, Value::Object(extra));
    }
    ok("设置成功", json!([]))
}

/// 查看回调数据.
pub(super) async fn callback_data(
    Call(shared, (user_id, unique_id), _): Call<(String, String)>,
) -> Answer {
    let data = shared.lock();
    known_user(&data, &user_id)?;
    let Some(batch) = data
        .resources
        .callback_batches
        .iter()
        .find(|b| b.unique_id == unique_id && b.user_id == user_id)
    else {
        return Err(err(404, "回调数据不存在"));
    };
    ok(
        "查看回调数据成功",
        json!({"unique_id": batch.unique_id, "type": batch.kind, "data": batch.data}),
    )
}
