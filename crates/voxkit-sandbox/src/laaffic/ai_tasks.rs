//! Task updates and the AI voice resend: `update` (B5u, an IVR task), `update/ai` (C2)
//! and `resend/ai` (C3).
//!
//! The sandbox keeps one task list: a task becomes an AI task (query `taskType` 2) when
//! `update/ai` gives it a `scriptId`, and a `resend/ai` round is an AI task from the
//! start. Updates apply to a task whose calls are not running: not while it is calling
//! (`1`) or being submitted (`6`), `-41` (状态错误,修改失败) then (the page states no
//! rule; this is the sandbox's); the new name must be unique among the *other* tasks (`-20`), so
//! the same update sent twice succeeds twice and leaves the task as once. A resend needs a
//! finished, cancelled or paused task (`-41` otherwise) and calls its numbers again, all
//! (`resendType` 0) or those whose call failed (1; none left: `-34`).

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use super::envelope::{Refusal, answer_a, object};
use super::state::{NewTask, Settings, Voice};
use super::tasks::{chars_between, settings, voice};
use crate::state::{Shared, State as Data};
use crate::wire::{Object, int, text};

/// The AI tasks: task id → `scriptId`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct AiTasks {
    pub scripts: HashMap<u64, u64>,
}

/// `keyId` as a known task's index.
fn task_index(data: &Data, map: &Object) -> Result<usize, Refusal> {
    let key = int(map, "keyId").ok_or(Refusal("-22"))?;
    data.ivr
        .tasks
        .iter()
        .position(|t| i64::try_from(t.id) == Ok(key))
        .ok_or(Refusal("-24"))
}

/// `taskName`: 2-64 characters, unique among the tasks other than `except`.
fn name(data: &Data, map: &Object, except: Option<u64>) -> Result<String, Refusal> {
    let name = text(map, "taskName").ok_or(Refusal("-22"))?;
    if !chars_between(name, 2, 64) {
        return Err(Refusal("-21"));
    }
    if data
        .ivr
        .tasks
        .iter()
        .any(|t| t.name == name && Some(t.id) != except)
    {
        return Err(Refusal("-20"));
    }
    Ok(name.to_owned())
}

/// `scriptId`: required, a positive integer.
fn script(map: &Object) -> Result<u64, Refusal> {
    int(map, "scriptId")
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n > 0)
        .ok_or(Refusal("-22"))
}

/// Applies a checked update to the task at `index`.
fn apply(data: &mut Data, index: usize, name: String, settings: Settings, voice: Option<Voice>) {
    let now = data.now();
    let task = &mut data.ivr.tasks[index];
    task.name = name;
    task.display_num = settings.display_num;
    task.send_time = settings.send_time;
    task.loop_count = settings.loop_count;
    task.max_calls = settings.max_calls;
    if let Some(v) = voice {
        task.source = v.source;
        task.voice_file_id = v.voice_file_id;
        task.text = v.text;
        task.lan = v.lan;
    }
    task.modified_at = now;
}

/// What both updates check first: the index and id of the task `keyId` names, which must
/// not be calling (`1`) or being submitted (`6`), `-41` then, and its new `taskName`.
fn updatable(data: &Data, map: &Object) -> Result<(usize, u64, String), Refusal> {
    let index = task_index(data, map)?;
    let task = &data.ivr.tasks[index];
    if matches!(task.status, 1 | 6) {
        return Err(Refusal("-41"));
    }
    let name = name(data, map, Some(task.id))?;
    Ok((index, task.id, name))
}

/// `POST /v3/voice/group/call/update`: `keyId`, `taskName`, `source` and its fields, the
/// settings; a file uploaded with it (source 2) is not kept (`-22`: name an uploaded file).
pub(super) async fn update(State(shared): State<Shared>, body: Bytes) -> Response {
    answer_a((|| {
        let map = object(&body)?;
        let settings = settings(&map)?;
        let mut data = shared.lock();
        let (index, _, name) = updatable(&data, &map)?;
        let voice = voice(&data, &map)?;
        if voice.upload.is_some() {
            return Err(Refusal("-22"));
        }
        apply(&mut data, index, name, settings, Some(voice));
        Ok(Value::Null)
    })())
}

/// `POST /v3/voice/group/call/update/ai`: `keyId`, `taskName`, `scriptId`, the settings;
/// the task becomes an AI task.
pub(super) async fn update_ai(State(shared): State<Shared>, body: Bytes) -> Response {
    answer_a((|| {
        let map = object(&body)?;
        let settings = settings(&map)?;
        let script = script(&map)?;
        let mut data = shared.lock();
        let (index, id, name) = updatable(&data, &map)?;
        apply(&mut data, index, name, settings, None);
        data.ai.scripts.insert(id, script);
        Ok(Value::Null)
    })())
}

/// `POST /v3/voice/group/call/resend/ai`: a new AI task calling the numbers of `keyId`
/// again (all, or the failed ones); its id in `data`.
pub(super) async fn resend_ai(State(shared): State<Shared>, body: Bytes) -> Response {
    answer_a((|| {
        let map = object(&body)?;
        let settings = settings(&map)?;
        let script = script(&map)?;
        let failed_only = match int(&map, "resendType") {
            Some(0) => false,
            Some(1) => true,
            _ => return Err(Refusal("-22")),
        };
        let mut data = shared.lock();
        data.advance_tasks();
        let index = task_index(&data, &map)?;
        let original = data.ivr.tasks[index].clone();
        if !matches!(original.status, 2 | 4 | 5) {
            return Err(Refusal("-41"));
        }
        let name = name(&data, &map, None)?;
        let numbers: Vec<String> = if failed_only {
            let mut failed: Vec<String> = data
                .ivr
                .records
                .iter()
                .filter(|r| r.task_id == original.id && !r.answered)
                .map(|r| r.callee.clone())
                .collect();
            failed.dedup();
            failed
        } else {
            original.numbers.clone()
        };
        if numbers.is_empty() {
            return Err(Refusal("-34"));
        }
        if !data.ivr.has_room(numbers.len(), false) {
            return Err(Refusal("-23"));
        }
        let task = NewTask {
            name,
            app_id: original.app_id,
            numbers,
            voice: Voice {
                source: original.source,
                voice_file_id: original.voice_file_id,
                upload: None,
                text: original.text,
                lan: original.lan,
            },
            settings,
            resent_from: Some(original.id),
        };
        let now = data.now();
        let data = &mut *data;
        let id = data.ivr.add_task(task, now, &mut data.rng);
        data.ai.scripts.insert(id, script);
        Ok(json!(id))
    })())
}
