//! longlonglong's CRM pool (客户公海): the custom components, the pool's two filters (all
//! customers, one stage), the asynchronous import (≤ 200 rows), the deletion by phones or
//! creation window (a JSON body on DELETE) and the move of a filtered set into a call task
//! (a GET carrying a JSON body), whose result is delivered by the `api_customer_to_task`
//! callback.
//!
//! Where the documentation is silent (every answer of this group) the sandbox decides:
//! - the components are the fixed [`COMPONENTS`], answered `[{id, name, type}]`;
//! - a pool row is `{id, name, phone, company, email, sex, extra, components, operator,
//!   type, is_follow, ai_call, task_ids, created_at}`; every customer is in the `clue`
//!   stage and, since the sandbox knows no carriers, on `operator` `1` (电信);
//! - the import is applied at once (the "asynchronous" queue is empty by the time the
//!   answer leaves), a phone already in the pool is added again (the docs say nothing of
//!   merging), and it answers `{"total": n}`; more than 200 rows is `422 每次最多导入 200 条`;
//! - the deletion answers `{"deleted": n}`; with neither phones nor a window it deletes
//!   nothing, as documented; more than 100 phones is `422`;
//! - the move marks each matching customer (`task_ids` gains the task, `ai_call` becomes
//!   `1`), records a callback batch (查看回调数据 finds it) and pushes
//!   `{"mode":"batch","type":"api_customer_to_task","unique_id","user_id","task_id",
//!   "data":{"url"}}` to the configured callback URL; `data.url` is
//!   `GET /sandbox/longlonglong/download-number?key={unique_id}` on the sandbox itself,
//!   answering `{"numbers": [...]}`. It answers `{"unique_id": ...}`. The task must be
//!   one of the user's call tasks (else `404 任务不存在`, as the task routes answer) and
//!   not running (`enable` true: `6007 2.0任务启动中,请先停止任务`, the docs' error of a
//!   started 2.0 task, as 批量删除号码 answers); see [`movable`].

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::reply::{
    Answer, Call, at, data_rows, err, get, known_sub, known_user, object, ok, paged, paging,
};
use crate::state::{Shared, State as Data};
use crate::wire;

/// The most rows one import may carry ("每次最多导入 200 条").
pub const MAX_IMPORT_ROWS: usize = 200;
/// The most phones one deletion may name.
pub const MAX_DELETE_PHONES: usize = 100;
/// The pool's custom components `(id, name, type)`; the first is the docs' example id.
pub const COMPONENTS: [(&str, &str, &str); 2] = [
    ("280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2", "公司名称", "text"),
    ("6a1e0c9b-3f2d-4b8a-9c7e-5d4f3a2b1c0d", "客户来源", "text"),
];
/// The stage every customer is in (the one documented `{type}`).
const STAGE: &str = "clue";

/// One customer of the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Customer {
    /// The row's UUID.
    pub id: String,
    /// The user (主账号) whose pool it is in.
    pub user_id: String,
    /// The sub-account it was imported for, if any.
    pub sub_user_id: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `phone`.
    pub phone: String,
    /// `company`.
    pub company: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `sex`: 0, 1 or 2.
    pub sex: Option<u8>,
    /// `extra`.
    pub extra: Option<String>,
    /// `components`: `(id, value)`.
    pub components: Vec<(String, String)>,
    /// Whether it is followed up (`is_follow`).
    pub is_follow: bool,
    /// The call tasks it was moved into, one entry per move.
    pub task_ids: Vec<String>,
    /// When imported, China time.
    pub created_at: NaiveDateTime,
}

/// Every user's pool, oldest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Pool {
    pub customers: Vec<Customer>,
}

/// The filter of the lists (query) and of the move (JSON body).
#[derive(Debug, Default)]
struct Filter {
    components: Vec<(String, String)>,
    phone: Option<String>,
    email: Option<String>,
    company: Option<String>,
    created_at: Option<(NaiveDate, NaiveDate)>,
    operator: Vec<u8>,
    sex: Vec<u8>,
    is_follow: Option<bool>,
    ai_call: Option<bool>,
}

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

fn window(days: &[&str]) -> Result<Option<(NaiveDate, NaiveDate)>, Response> {
    match days {
        [] => Ok(None),
        [from, to] => match (day(from), day(to)) {
            (Some(from), Some(to)) if from <= to => Ok(Some((from, to))),
            _ => Err(err(422, "created_at 格式应为 [YYYY-MM-DD, YYYY-MM-DD]")),
        },
        _ => Err(err(422, "created_at 必须是 [开始, 结束]")),
    }
}

fn flag(text: &str) -> Result<bool, Response> {
    match text {
        "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(err(422, "布尔参数应为 0 或 1")),
    }
}

fn codes(values: &[&str], key: &str, max: u8) -> Result<Vec<u8>, Response> {
    values
        .iter()
        .map(|v| {
            v.parse::<u8>()
                .ok()
                .filter(|c| *c <= max)
                .ok_or_else(|| err(422, format!("{key} 的取值无效")))
        })
        .collect()
}

impl Filter {
    /// The list's query: `components[i][id|value]`, `phone`, `email`, `company`,
    /// `created_at[]`, `operator[]`, and on a stage `sex[]`, `is_follow`, `ai_call`.
    fn of_query(pairs: &[(String, String)]) -> Result<Filter, Response> {
        let all = |key: &str| -> Vec<&str> {
            pairs
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        let mut components = Vec::new();
        for i in 0.. {
            let id = get(pairs, &format!("components[{i}][id]"));
            let value = get(pairs, &format!("components[{i}][value]"));
            match (id, value) {
                (Some(id), Some(value)) => components.push((id.to_owned(), value.to_owned())),
                (None, None) => break,
                _ => return Err(err(422, "components 需要 id 和 value")),
            }
        }
        let some = |key: &str| get(pairs, key).filter(|v| !v.is_empty()).map(str::to_owned);
        Ok(Filter {
            components,
            phone: some("phone"),
            email: some("email"),
            company: some("company"),
            created_at: window(&all("created_at[]"))?,
            operator: codes(&all("operator[]"), "operator", 3)?,
            sex: codes(&all("sex[]"), "sex", 2)?,
            is_follow: get(pairs, "is_follow").map(flag).transpose()?,
            ai_call: get(pairs, "ai_call").map(flag).transpose()?,
        })
    }

    /// The move's JSON body (`components`, `phone`, `created_at`, `operator`); an empty
    /// body filters nothing.
    fn of_body(body: &[u8]) -> Result<Filter, Response> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Filter::default());
        }
        let map = object(body)?;
        let mut components = Vec::new();
        if let Some(list) = map.get("components") {
            let list = list
                .as_array()
                .ok_or_else(|| err(422, "components 必须是数组"))?;
            for c in list {
                match (c["id"].as_str(), c["value"].as_str()) {
                    (Some(id), Some(value)) => components.push((id.to_owned(), value.to_owned())),
                    _ => return Err(err(422, "components 需要 id 和 value")),
                }
            }
        }
        let days = strings(&map, "created_at")?;
        let days: Vec<&str> = days.iter().map(String::as_str).collect();
        let operator = strings(&map, "operator")?;
        let operator: Vec<&str> = operator.iter().map(String::as_str).collect();
        Ok(Filter {
            components,
            phone: wire::lenient(&map, "phone"),
            created_at: window(&days)?,
            operator: codes(&operator, "operator", 3)?,
            ..Filter::default()
        })
    }

    fn matches(&self, c: &Customer) -> bool {
        let contains = |field: &Option<String>, want: &Option<String>| match want {
            None => true,
            Some(w) => field.as_deref().is_some_and(|f| f.contains(w.as_str())),
        };
        self.components.iter().all(|(id, value)| {
            c.components
                .iter()
                .any(|(cid, cv)| cid == id && cv.contains(value.as_str()))
        }) && self
            .phone
            .as_ref()
            .is_none_or(|p| c.phone.contains(p.as_str()))
            && contains(&c.email, &self.email)
            && contains(&c.company, &self.company)
            && self.created_at.is_none_or(|(from, to)| {
                let d = c.created_at.date();
                from <= d && d <= to
            })
            && (self.operator.is_empty() || self.operator.contains(&1))
            && (self.sex.is_empty() || c.sex.is_some_and(|s| self.sex.contains(&s)))
            && self.is_follow.is_none_or(|f| f == c.is_follow)
            && self.ai_call.is_none_or(|a| a != c.task_ids.is_empty())
    }
}

/// A body field that lists strings (numbers read as their text): absent or null is empty;
/// anything but an array of strings and numbers is the `422`.
fn strings(map: &wire::Object, key: &str) -> Result<Vec<String>, Response> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(err(422, format!("{key} 的取值无效"))),
            })
            .collect(),
        Some(_) => Err(err(422, format!("{key} 必须是数组"))),
    }
}

fn customer_json(c: &Customer) -> Value {
    let components: Vec<Value> = c
        .components
        .iter()
        .map(|(id, value)| json!({"id": id, "value": value}))
        .collect();
    json!({
        "id": c.id, "name": c.name, "phone": c.phone, "company": c.company, "email": c.email,
        "sex": c.sex, "extra": c.extra, "components": components, "operator": 1,
        "type": STAGE, "is_follow": u8::from(c.is_follow),
        "ai_call": u8::from(!c.task_ids.is_empty()), "task_ids": c.task_ids,
        "created_at": at(c.created_at),
    })
}

/// `GET /agent-api/user/{user_id}/customer/create`: the components.
pub(super) async fn components(Call(shared, user_id, _): Call<String>) -> Answer {
    known_user(&shared.lock(), &user_id)?;
    let list: Vec<Value> = COMPONENTS
        .iter()
        .map(|(id, name, kind)| json!({"id": id, "name": name, "type": kind}))
        .collect();
    ok("获取自定义组件成功", json!(list))
}

fn list_of(data: &Data, user_id: &str, pairs: &[(String, String)]) -> Answer {
    known_user(data, user_id)?;
    let (page, per_page) = paging(pairs)?;
    let filter = Filter::of_query(pairs)?;
    let items: Vec<&Customer> = data
        .pool
        .customers
        .iter()
        .filter(|c| c.user_id == user_id && filter.matches(c))
        .collect();
    paged("获取客户公海成功", items, page, per_page, customer_json)
}

/// `GET /agent-api/user/{user_id}/get_customer`: one page of the pool. The stage filters
/// (`sex[]`, `is_follow`, `ai_call`) are `422` here.
pub(super) async fn customers(Call(shared, user_id, pairs): Call<String>) -> Answer {
    if ["sex[]", "is_follow", "ai_call"]
        .iter()
        .any(|key| get(&pairs, key).is_some())
    {
        return Err(err(422, "sex, is_follow, ai_call 仅用于线索阶段筛选"));
    }
    list_of(&shared.lock(), &user_id, &pairs)
}

/// `GET /agent-api/user/{user_id}/type/{type}/get_customer`: one page of a stage (`clue`
/// only; another is `404 阶段不存在`).
pub(super) async fn stage_customers(
    Call(shared, (user_id, stage), pairs): Call<(String, String)>,
) -> Answer {
    if stage != STAGE {
        return Err(err(404, "阶段不存在"));
    }
    list_of(&shared.lock(), &user_id, &pairs)
}

/// `POST /agent-api/user/{user_id}/async_customer`: 1–200 rows with digit phones (else
/// `422`), appended at once.
pub(super) async fn import(Call(shared, user_id, _): Call<String>, body: Bytes) -> Answer {
    let map = object(&body)?;
    let rows = data_rows(&map, MAX_IMPORT_ROWS, "data 必须是非空数组", || {
        "每次最多导入 200 条".into()
    })?;
    let sub_user_id = wire::lenient(&map, "sub_user_id");
    let mut data = shared.lock();
    known_user(&data, &user_id)?;
    if let Some(sub) = &sub_user_id {
        known_sub(&data, &user_id, sub)?;
    }
    let mut customers = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let row = row
            .as_object()
            .ok_or_else(|| err(422, format!("data.{i} 必须是对象")))?;
        let phone = wire::lenient(row, "phone")
            .filter(|p| (5..=20).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| err(422, format!("data.{i}.phone 格式不正确")))?;
        let sex = match row.get("sex") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                wire::number_of::<u8>(v)
                    .filter(|s| *s <= 2)
                    .ok_or_else(|| err(422, format!("data.{i}.sex 的取值无效")))?,
            ),
        };
        let components = row
            .get("components")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|c| {
                        Some((
                            c["id"].as_str()?.to_owned(),
                            c["value"].as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let text = |key: &str| wire::lenient(row, key);
        customers.push(Customer {
            id: String::new(),
            user_id: user_id.clone(),
            sub_user_id: sub_user_id.clone(),
            name: text("name"),
            phone,
            company: text("company"),
            email: text("email"),
            sex,
            extra: text("extra"),
            components,
            is_follow: false,
            task_ids: Vec::new(),
            created_at: data.now(),
        });
    }
    let total = customers.len();
    for mut c in customers {
        c.id = crate::ids::uuid(&mut data.rng);
        data.pool.customers.push(c);
    }
    ok("导入任务已提交", json!({ "total": total }))
}

/// `DELETE /agent-api/user/{user_id}/del_customer` with `{"phone":[..],"created_at":[..]}`:
/// the customers matching both given criteria; with neither, nothing.
pub(super) async fn delete(Call(shared, user_id, _): Call<String>, body: Bytes) -> Answer {
    let map = object(&body)?;
    let phones = strings(&map, "phone")?;
    if phones.len() > MAX_DELETE_PHONES {
        return Err(err(422, "phone 最多 100 个"));
    }
    let days = strings(&map, "created_at")?;
    let days: Vec<&str> = days.iter().map(String::as_str).collect();
    let created = window(&days)?;
    let mut data = shared.lock();
    known_user(&data, &user_id)?;
    if phones.is_empty() && created.is_none() {
        return ok("删除成功", json!({ "deleted": 0 }));
    }
    let before = data.pool.customers.len();
    data.pool.customers.retain(|c| {
        let hit = c.user_id == user_id
            && (phones.is_empty() || phones.contains(&c.phone))
            && created.is_none_or(|(from, to)| {
                let d = c.created_at.date();
                from <= d && d <= to
            });
        !hit
    });
    let deleted = before - data.pool.customers.len();
    ok("删除成功", json!({ "deleted": deleted }))
}

/// `GET /agent-api/user/{user_id}/customer_to_task/{task_id}` with the filter as a JSON
/// body: marks the matching customers, records the batch and pushes the callback.
pub(super) async fn to_task(
    Call(shared, (user_id, task_id), _): Call<(String, String)>,
    body: Bytes,
) -> Answer {
    let filter = Filter::of_body(&body)?;
    let mut data = shared.lock();
    known_user(&data, &user_id)?;
    movable(&data, &user_id, &task_id).map_err(|(code, message)| err(code, message))?;
    let mut numbers = Vec::new();
    for c in data.pool.customers.iter_mut() {
        if c.user_id == user_id && filter.matches(c) {
            c.task_ids.push(task_id.clone());
            numbers.push(c.phone.clone());
        }
    }
    let base_url = data.base_url.clone();
    let unique_id = data.deliver_batch_callback(
        "api_customer_to_task",
        &user_id,
        &task_id,
        json!({ "numbers": numbers }),
        |key| json!({"url": format!("{base_url}/sandbox/longlonglong/download-number?key={key}")}),
    );
    ok("已提交进入任务", json!({ "unique_id": unique_id }))
}

/// Whether the pool may be moved into `task_id`: the code and message to answer when not —
/// `404` for a task that is not `user_id`'s, `6007` while it runs (`enable` true), since
/// numbers are not added to a started 2.0 task.
fn movable(data: &Data, user_id: &str, task_id: &str) -> Result<(), (u32, &'static str)> {
    match data
        .tasks
        .tasks
        .iter()
        .find(|t| t.uuid == task_id && t.user_id == user_id)
    {
        None => Err((404, "任务不存在")),
        Some(task) if task.enable => Err((6007, "2.0任务启动中,请先停止任务")),
        Some(_) => Ok(()),
    }
}

/// `GET /sandbox/longlonglong/download-number?key=..` (no token, as a callback's URL is
/// fetched): `{"numbers": [...]}` of the batch, or `404`.
pub(super) async fn download_numbers(
    State(shared): State<Shared>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = wire::query_pairs(query.as_deref());
    let key = get(&pairs, "key").unwrap_or_default();
    let data = shared.lock();
    match data
        .resources
        .callback_batches
        .iter()
        .find(|b| b.unique_id == key)
    {
        Some(batch) => axum::Json(json!({ "numbers": batch.data["numbers"] })).into_response(),
        None => err(404, "批次不存在"),
    }
}

/// Seeds the docs' example customer (张三, `13012121212`, 腾讯, the example component) in
/// `user`'s pool, so the filter and move examples find it.
pub(crate) fn seed(state: &mut Data, user: &str) {
    let id = crate::ids::uuid(&mut state.rng);
    let now = state.now();
    state.pool.customers.push(Customer {
        id,
        user_id: user.to_owned(),
        sub_user_id: None,
        name: Some("张三".into()),
        phone: "13012121212".into(),
        company: Some("腾讯".into()),
        email: None,
        sex: Some(1),
        extra: None,
        components: vec![(COMPONENTS[0].0.to_owned(), "腾讯".to_owned())],
        is_follow: false,
        task_ids: Vec::new(),
        created_at: now,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(phone: &str) -> Customer {
        Customer {
            id: "c".into(),
            user_id: "u".into(),
            sub_user_id: None,
            name: None,
            phone: phone.into(),
            company: Some("腾讯".into()),
            email: None,
            sex: Some(1),
            extra: None,
            components: vec![(COMPONENTS[0].0.into(), "腾讯".into())],
            is_follow: false,
            task_ids: Vec::new(),
            created_at: NaiveDate::from_ymd_opt(2023, 5, 10)
                .and_then(|d| d.and_hms_opt(9, 0, 0))
                .unwrap(),
        }
    }

    #[test]
    fn the_move_wants_a_paused_task_of_the_user() {
        let mut state = Data::new(3, None);
        let paused = state.add_call_task(None, "u", "p", false, &[]);
        let running = state.add_call_task(None, "u", "r", true, &[]);
        assert_eq!(movable(&state, "u", &paused), Ok(()));
        assert_eq!(movable(&state, "u", &running).map_err(|e| e.0), Err(6007));
        assert_eq!(movable(&state, "other", &paused).map_err(|e| e.0), Err(404));
        assert_eq!(
            movable(&state, "u", "no-such-task").map_err(|e| e.0),
            Err(404)
        );
    }

    #[test]
    fn the_docs_move_body_matches_the_docs_customer_only() {
        let body = r#"{"components":[{"id":"280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2","value":"腾讯"}],"phone":"13012121212","created_at":["2023-05-08","2023-05-28"],"operator":[1]}"#;
        let filter = Filter::of_body(body.as_bytes()).unwrap();
        assert!(filter.matches(&customer("13012121212")));
        assert!(!filter.matches(&customer("13900000000")));
        let later = Filter::of_body(br#"{"created_at":["2023-06-01","2023-06-02"]}"#).unwrap();
        assert!(!later.matches(&customer("13012121212")));
        assert!(Filter::of_body(br#"{"created_at":["2023-06-02"]}"#).is_err());
    }

    #[test]
    fn the_query_filter_reads_components_and_stage_flags() {
        let pairs = wire::query_pairs(Some(
            "components%5B0%5D%5Bid%5D=280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2&components%5B0%5D%5Bvalue%5D=%E8%85%BE&ai_call=1",
        ));
        let filter = Filter::of_query(&pairs).unwrap();
        assert_eq!(filter.components.len(), 1);
        let mut c = customer("13012121212");
        assert!(!filter.matches(&c), "ai_call=1 wants a moved customer");
        c.task_ids.push("t".into());
        assert!(filter.matches(&c));
        assert!(Filter::of_query(&wire::query_pairs(Some("operator%5B%5D=9"))).is_err());
    }
}
