//! The IVR group-call tasks: create, query, detail, pause, cancel and resend, with the
//! checks of their fields.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::envelope::{Refusal, answer_a, answer_b, b_done, object, page, page_of, paged_query};
use super::handlers::{content, valid_file_name};
use super::state::{IvrTask, NewTask, Settings, Voice};
use crate::state::{Shared, State as Data};
use crate::wire::{self, Object, int, text};

/// The most numbers one task takes ("A maximum of 20w").
const MAX_NUMBERS: usize = 200_000;
/// The documented `LocalDateTime` format of the task APIs.
const LOCAL: &str = "%Y-%m-%d %H:%M:%S";
/// The text-to-speech languages of the create page.
const LANS: &[&str] = &[
    "VN", "EN", "JP", "ARB", "DE", "IN", "IT", "KR", "RU", "ES", "PT", "IDN", "BD", "TH",
];

// ----- field checks ---------------------------------------------------------------------

/// An optional integer within `min..=max`: absent or null is `None`, else `-21`.
fn opt_int(map: &Object, key: &str, min: i64, max: i64) -> Result<Option<i64>, Refusal> {
    match wire::optional_int(map, key) {
        Ok(None) => Ok(None),
        Ok(Some(n)) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(Refusal("-21")),
    }
}

pub(super) fn chars_between(s: &str, min: usize, max: usize) -> bool {
    let n = s.chars().count();
    (min..=max).contains(&n) && !s.trim().is_empty() && !s.chars().any(char::is_control)
}

fn digits_between(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// A `yyyy-MM-dd HH:mm:ss` time: absent, null or blank is `None`; else `-11`.
fn local_time(map: &Object, key: &str) -> Result<Option<NaiveDateTime>, Refusal> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => NaiveDateTime::parse_from_str(s.trim(), LOCAL)
            .map(Some)
            .map_err(|_| Refusal("-11")),
        Some(_) => Err(Refusal("-11")),
    }
}

/// A list of task ids (`jobIdList` / `taskIdList`): present, not empty, integers.
fn id_list(map: &Object, key: &str) -> Result<Vec<u64>, Refusal> {
    let Some(Value::Array(items)) = map.get(key) else {
        return Err(Refusal("-22"));
    };
    if items.is_empty() {
        return Err(Refusal("-22"));
    }
    items
        .iter()
        .map(wire::number_of::<u64>)
        .collect::<Option<Vec<u64>>>()
        .ok_or(Refusal("-22"))
}

/// `source` with its companion fields.
pub(super) fn voice(data: &Data, map: &Object) -> Result<Voice, Refusal> {
    let mut v = Voice {
        source: 0,
        voice_file_id: None,
        upload: None,
        text: None,
        lan: None,
    };
    match int(map, "source") {
        Some(1) => {
            let id = text(map, "voiceFileId").ok_or(Refusal("-22"))?;
            if !data.ivr.files.iter().any(|f| f.id == id) {
                return Err(Refusal("-24"));
            }
            v.source = 1;
            v.voice_file_id = Some(id.to_owned());
        }
        Some(2) => {
            let name = text(map, "uploadName").ok_or(Refusal("-22"))?;
            if !valid_file_name(name) {
                return Err(Refusal("-21"));
            }
            let bytes = content(map, "baseFile")?;
            if data.ivr.files.iter().any(|f| f.name == name) {
                return Err(Refusal("-20"));
            }
            v.source = 2;
            v.upload = Some((name.to_owned(), bytes.len()));
        }
        Some(3) => {
            let (Some(t), Some(lan)) = (text(map, "text"), text(map, "lan")) else {
                return Err(Refusal("-22"));
            };
            if !chars_between(t, 1, 1000) || !LANS.contains(&lan) {
                return Err(Refusal("-21"));
            }
            v.source = 3;
            v.text = Some(t.to_owned());
            v.lan = Some(lan.to_owned());
        }
        _ => return Err(Refusal("-22")),
    }
    Ok(v)
}

pub(super) fn settings(map: &Object) -> Result<Settings, Refusal> {
    let display_num = match map.get("displayNum") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if digits_between(s, 0, 20) => {
            Some(s.clone()).filter(|s| !s.is_empty())
        }
        Some(_) => return Err(Refusal("-21")),
    };
    Ok(Settings {
        display_num,
        send_time: local_time(map, "sendTime")?,
        loop_count: opt_int(map, "loopCount", 1, 9)?.map_or(1, |n| n as u32),
        max_calls: opt_int(map, "maxCalls", 1, 999)?.map(|n| n as u32),
    })
}

fn task_name(data: &Data, map: &Object) -> Result<String, Refusal> {
    let name = text(map, "taskName").ok_or(Refusal("-22"))?;
    if !chars_between(name, 2, 64) {
        return Err(Refusal("-21"));
    }
    if data.ivr.tasks.iter().any(|t| t.name == name) {
        return Err(Refusal("-20"));
    }
    Ok(name.to_owned())
}

/// The numbers of `numberInfoList`: `-8` none, `-7` too many, `-9` a bad number, `-21` a
/// bad `textN`.
fn numbers(map: &Object) -> Result<Vec<String>, Refusal> {
    let numbers = match map.get("numberInfoList") {
        None | Some(Value::Null) => return Err(Refusal("-8")),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(Refusal("-22")),
    };
    if numbers.is_empty() {
        return Err(Refusal("-8"));
    }
    if numbers.len() > MAX_NUMBERS {
        return Err(Refusal("-7"));
    }
    let mut list = Vec::with_capacity(numbers.len());
    for item in numbers {
        let Value::Object(callee) = item else {
            return Err(Refusal("-22"));
        };
        let number = text(callee, "calleeNumber").ok_or(Refusal("-9"))?;
        if !digits_between(number, 6, 18) {
            return Err(Refusal("-9"));
        }
        for (key, value) in callee {
            if key.starts_with("text") && !value.as_str().is_some_and(|t| chars_between(t, 1, 30)) {
                return Err(Refusal("-21"));
            }
        }
        list.push(number.to_owned());
    }
    Ok(list)
}

/// Adds a task after the checks that need the state (name, voice, room), which the
/// caller's lock covers with the adding.
fn add_task(
    data: &mut Data,
    map: &Object,
    app_id: String,
    numbers: Vec<String>,
    settings: Settings,
    resent_from: Option<u64>,
) -> Result<Value, Refusal> {
    let name = task_name(data, map)?;
    let voice = voice(data, map)?;
    // `-23` 数据上限 beyond the account's caps.
    if !data.ivr.has_room(numbers.len(), voice.upload.is_some()) {
        return Err(Refusal("-23"));
    }
    let task = NewTask {
        name,
        app_id,
        numbers,
        voice,
        settings,
        resent_from,
    };
    let now = data.now();
    Ok(json!(data.ivr.add_task(task, now, &mut data.rng)))
}

// ----- handlers -------------------------------------------------------------------------

/// `POST /v3/voice/group/call/send`: family A with the new id in `data`.
pub(super) async fn create(State(shared): State<Shared>, body: Bytes) -> Response {
    answer_a((|| {
        let map = object(&body)?;
        let app_id = text(&map, "appId")
            .filter(|a| !a.trim().is_empty())
            .ok_or(Refusal("-22"))?
            .to_owned();
        let numbers = numbers(&map)?;
        let settings = settings(&map)?;
        if int(&map, "hangUpSms") == Some(1)
            && (text(&map, "smsAppId").is_none() || text(&map, "smsContent").is_none())
        {
            return Err(Refusal("-22"));
        }
        if int(&map, "toSeat") == Some(1) && map.get("sipGroupId").is_none_or(Value::is_null) {
            return Err(Refusal("-22"));
        }
        add_task(&mut shared.lock(), &map, app_id, numbers, settings, None)
    })())
}

fn fmt_local(t: Option<NaiveDateTime>) -> Value {
    t.map_or(Value::Null, |t| json!(t.format(LOCAL).to_string()))
}

/// The share of a task's numbers called, in percent, as text.
fn rate(data: &Data, task: &IvrTask) -> String {
    let called = data.ivr.stats_of(task).called;
    let rate = if task.numbers.is_empty() {
        0
    } else {
        called * 100 / task.numbers.len() as u64
    };
    rate.to_string()
}

fn summary(data: &Data, task: &IvrTask) -> Value {
    let s = data.ivr.stats_of(task);
    json!({
        "jobId": task.id,
        "taskName": task.name,
        "status": task.status,
        "rate": rate(data, task),
        "numCnt": task.numbers.len(),
        "callNum": s.called,
        "success": s.success,
        "fail": s.called - s.success,
        "createdTime": fmt_local(Some(task.created_at)),
        // An AI task once `update/ai` or `resend/ai` gave it a script (issue 15).
        "taskType": if data.ai.scripts.contains_key(&task.id) { 2 } else { 1 },
    })
}

/// `POST /v3/voice/group/call/query`: family B, newest first. Advances the tasks first.
pub(super) async fn query(State(shared): State<Shared>, body: Bytes) -> Response {
    answer_b((|| {
        let (current, size, params) = paged_query(&body)?;
        let (Some(start), Some(end)) = (
            local_time(&params, "strTime")?,
            local_time(&params, "endTime")?,
        ) else {
            return Err(Refusal("-22"));
        };
        if start > end {
            return Err(Refusal("-22"));
        }
        let statuses: Vec<i64> = match params.get("statusList") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(Value::as_i64)
                .collect::<Option<_>>()
                .ok_or(Refusal("-22"))?,
            Some(_) => return Err(Refusal("-22")),
        };
        let app = wire::optional_int(&params, "idxAppId")
            .map_err(|_| Refusal("-22"))?
            .map(|a| a.to_string());
        let search = text(&params, "searchCondition").map(str::to_owned);
        // `taskType` (issue 15): 1 IVR, 2 AI; 3 (AI Agent) lists nothing, none being made.
        let task_type = wire::optional_int(&params, "taskType").map_err(|_| Refusal("-22"))?;
        // Under the lock: one pass over the tasks (capped), the page's summaries only.
        let mut data = shared.lock();
        data.advance_tasks();
        let data = &*data;
        let file_names: HashMap<&str, &str> = match search {
            Some(_) => data
                .ivr
                .files
                .iter()
                .map(|f| (f.id.as_str(), f.name.as_str()))
                .collect(),
            None => HashMap::new(),
        };
        let mut items: Vec<&IvrTask> = data
            .ivr
            .tasks
            .iter()
            .filter(|t| t.created_at >= start && t.created_at <= end)
            .filter(|t| statuses.is_empty() || statuses.contains(&i64::from(t.status)))
            .filter(|t| app.as_ref().is_none_or(|a| &t.app_id == a))
            .filter(|t| {
                let ai = data.ai.scripts.contains_key(&t.id);
                task_type.is_none_or(|k| k == if ai { 2 } else { 1 })
            })
            .filter(|t| {
                search.as_deref().is_none_or(|s| {
                    let file_name = t.voice_file_id.as_deref().and_then(|id| file_names.get(id));
                    t.name.contains(s)
                        || file_name.is_some_and(|n| n.contains(s))
                        || t.text.as_deref().is_some_and(|x| x.contains(s))
                })
            })
            .collect();
        items.sort_by_key(|t| std::cmp::Reverse(t.id));
        let total = items.len() as u64;
        let records = page_of(items.into_iter(), current, size)
            .map(|t| summary(data, t))
            .collect();
        Ok(page(records, total, current, size, false))
    })())
}

/// `GET /v3/voice/group/call/detail/{id}`: family B; `-24` for an unknown id. Advances
/// the tasks first.
pub(super) async fn detail(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    answer_b((|| {
        let id = id.parse::<u64>().map_err(|_| Refusal("-22"))?;
        let mut data = shared.lock();
        data.advance_tasks();
        let task = data
            .ivr
            .tasks
            .iter()
            .find(|t| t.id == id)
            .ok_or(Refusal("-24"))?;
        let s = data.ivr.stats_of(task);
        let (called, success) = (s.called, s.success);
        let percent = |n: u64| format!("{}%", (n * 100).checked_div(called).unwrap_or(0));
        let acd = s.duration.checked_div(success).unwrap_or(0).to_string();
        Ok(json!({
            "jobId": task.id,
            "taskName": task.name,
            "displayNum": task.display_num,
            "text": task.text,
            "status": task.status,
            "rate": rate(&data, task),
            "numCnt": task.numbers.len(),
            "chargeLen": s.charged,
            "success": success,
            "fail": called - success,
            "toseatNum": 0,
            "successRate": percent(success),
            "toseatNumRate": "0%",
            "sendTime": fmt_local(task.send_time),
            "createdTime": fmt_local(Some(task.created_at)),
            "mdfTime": fmt_local(Some(task.modified_at)),
            "appId": task.app_id,
            "source": task.source,
            "voiceFileId": task.voice_file_id,
            "calloutRate": "1",
            "finishTime": fmt_local(task.finished_at),
            "keyFeedbackNum": 0,
            "uploadName": task.upload_name,
            "callLossNum": called - success,
            "callDuration": s.duration,
            "callLossNumRate": percent(called - success),
            "maxCalls": task.max_calls,
            "loopCount": task.loop_count,
            "lan": task.lan,
            "allCallToseatNum": 0,
            "callTotal": called,
            "acd": acd,
        }))
    })())
}

/// Applies `change` to every listed task, or to none: `-24` if one is unknown, `-54` if
/// `change` refuses one (it returns the new status, or `None`).
fn control(
    shared: &Shared,
    body: &Bytes,
    key: &str,
    change: impl Fn(u8) -> Option<u8>,
) -> Response {
    let result = (|| -> Result<(), Refusal> {
        let map = object(body)?;
        let ids = id_list(&map, key)?;
        let mut data = shared.lock();
        let mut plan = Vec::with_capacity(ids.len());
        for id in &ids {
            let index = data
                .ivr
                .tasks
                .iter()
                .position(|t| t.id == *id)
                .ok_or(Refusal("-24"))?;
            let to = change(data.ivr.tasks[index].status).ok_or(Refusal("-54"))?;
            plan.push((index, to));
        }
        let now = data.now();
        for (index, to) in plan {
            let task = &mut data.ivr.tasks[index];
            if task.status != to {
                task.status = to;
                task.modified_at = now;
            }
        }
        Ok(())
    })();
    match result {
        Ok(()) => b_done(),
        Err(refusal) => refusal.b(),
    }
}

/// `POST /v3/voice/group/call/provisional` with `jobIdList`: waiting or calling tasks are
/// paused (`5`); a paused one stays paused; a finished or cancelled one is `-54`.
pub(super) async fn pause(State(shared): State<Shared>, body: Bytes) -> Response {
    control(&shared, &body, "jobIdList", |s| match s {
        0 | 1 | 5 | 6 => Some(5),
        _ => None,
    })
}

/// `POST /v3/voice/group/call/cancel` with `taskIdList`: waiting, calling or paused tasks
/// are cancelled (`4`, for good); a cancelled one stays cancelled; a finished one is `-54`.
pub(super) async fn cancel(State(shared): State<Shared>, body: Bytes) -> Response {
    control(&shared, &body, "taskIdList", |s| match s {
        0 | 1 | 4 | 5 | 6 => Some(4),
        _ => None,
    })
}

/// `POST /v3/voice/group/call/resend`: a new task (new id, in `data`, family A) calling
/// the numbers of task `keyId` with the voice and settings sent. `-24` for an unknown
/// task, `-41` for one still waiting or calling (only finished, cancelled or paused tasks
/// are resent; the original keeps its status).
pub(super) async fn resend(State(shared): State<Shared>, body: Bytes) -> Response {
    answer_a((|| {
        let map = object(&body)?;
        let key = int(&map, "keyId").ok_or(Refusal("-22"))?;
        let settings = settings(&map)?;
        let mut data = shared.lock();
        let original = data
            .ivr
            .tasks
            .iter()
            .find(|t| i64::try_from(t.id) == Ok(key))
            .cloned()
            .ok_or(Refusal("-24"))?;
        if !matches!(original.status, 2 | 4 | 5) {
            return Err(Refusal("-41"));
        }
        add_task(
            &mut data,
            &map,
            original.app_id,
            original.numbers,
            settings,
            Some(original.id),
        )
    })())
}
