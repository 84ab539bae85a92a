//! longlonglong call records (通话记录): made by the call tasks as their calls complete
//! ([`State::add_call_record`], called by the tasks' completion code), read through the four
//! documented routes: the list of a task's records, one record turn by turn, the recording
//! URLs of up to 30 records (served by the sandbox itself) and a record's LLM quality tags.
//!
//! Where the documentation is silent the sandbox decides: a record's recording is served at
//! `GET /sandbox/longlonglong/recordings/{record_id}.wav` (a short silent WAV); the quality
//! tags answer `{record_id, tags}` (the real answer is undocumented); an unknown task gives an
//! empty list, an unknown record `404 通话记录不存在`.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::state::State;

/// One call record (通话记录) of a task's call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallRecord {
    /// The record's UUID.
    pub id: String,
    /// The user (主账号) whose task made the call.
    pub user_id: String,
    /// The task that made the call.
    pub task_id: String,
    /// The number called.
    pub callee: String,
    /// The 号码状态 code the call ended with (1 呼叫成功, 3 拒接, 4 无应答, …).
    pub status: u8,
    /// 意向标签等级 (`"A"`…`"E"`) for answered calls.
    pub intention_tag: Option<String>,
    /// The score (评分).
    pub score: i64,
    /// Talk time in seconds (0 when not answered).
    pub duration: u32,
    /// When the call ended, China time.
    pub hangup_at: NaiveDateTime,
    /// The turns of the dialogue, in order (empty when not answered).
    pub turns: Vec<Turn>,
}

/// One turn of a call (a row of 通话详情's `records`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Turn {
    /// The turn's UUID.
    pub id: String,
    /// `enter`, `message` or `leave`.
    pub notify: String,
    /// What the callee said (`question`).
    pub question: String,
    /// What the robot answered (`answer_text`).
    pub answer_text: String,
    /// 1-based position.
    pub sequence: u32,
    /// When, China time.
    pub created_at: NaiveDateTime,
}

/// The documentation's task id (the call-record examples' `task_id`).
pub const DOCS_TASK: &str = "289b4a84-6d3c-4a4e-9f3a-2c1d0e5b7a61";
/// The documentation's call record id (通话详情, 录音地址, 大模型质检 examples).
pub const DOCS_RECORD: &str = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

/// Every call record, oldest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Records {
    pub records: Vec<CallRecord>,
}

impl Records {
    /// The record with this id.
    pub(crate) fn get(&self, id: &str) -> Option<&CallRecord> {
        self.records.iter().find(|r| r.id == id)
    }
}

impl State {
    /// Adds the call record of one completed call of `task_id` (of `user_id`) to `callee`,
    /// ended with 号码状态 `status` (`1` 呼叫成功 makes an answered call with three turns, an
    /// intention tag and a talk time; any other code an unanswered one). Returns the new
    /// record's id. Called by the call tasks as their calls complete (until that code
    /// lands, also by the seed).
    pub(crate) fn add_call_record(
        &mut self,
        user_id: &str,
        task_id: &str,
        callee: &str,
        status: u8,
    ) -> String {
        let now = self.now();
        let id = crate::ids::uuid(&mut self.rng);
        let answered = status == 1;
        let turns = if answered {
            [
                ("enter", "", "您好，这里是语音助手"),
                ("message", "你好", "请问您方便聊两分钟吗"),
                ("leave", "再见", "感谢您的接听，再见"),
            ]
            .iter()
            .enumerate()
            .map(|(i, (notify, question, answer))| Turn {
                id: crate::ids::uuid(&mut self.rng),
                notify: (*notify).to_owned(),
                question: (*question).to_owned(),
                answer_text: (*answer).to_owned(),
                sequence: i as u32 + 1,
                created_at: now,
            })
            .collect()
        } else {
            Vec::new()
        };
        let tag = answered.then(|| ["A", "B", "C", "D", "E"][self.rng.usize(..5)].to_owned());
        let record = CallRecord {
            id: id.clone(),
            user_id: user_id.to_owned(),
            task_id: task_id.to_owned(),
            callee: callee.to_owned(),
            status,
            intention_tag: tag,
            score: if answered { 60 } else { 0 },
            duration: if answered { 35 } else { 0 },
            hangup_at: now,
            turns,
        };
        self.records.records.push(record);
        id
    }
}

/// Seeds an answered call of [`DOCS_TASK`] to `13012121212` under the id [`DOCS_RECORD`],
/// for `user`, so the documentation's record examples find it.
pub(crate) fn seed(state: &mut State, user: &str) {
    let id = state.add_call_record(user, DOCS_TASK, "13012121212", 1);
    if let Some(record) = state.records.records.iter_mut().find(|r| r.id == id) {
        record.id = DOCS_RECORD.to_owned();
    }
}

// ----- handlers ----------------------------------------------------------------------------

use axum::extract::{Path, State as Extract};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::reply::{Answer, Call, at, err, get, ok, paged, paging};
use crate::state::Shared;

/// The most `recordIds[]` of one recording request ("最大传递 30 个").
const MAX_RECORDING_IDS: usize = 30;

/// The record `record_id` of the user's task, or the `404` to answer.
fn record_of<'a>(
    data: &'a State,
    user_id: &str,
    task_id: &str,
    record_id: &str,
) -> Result<&'a CallRecord, Response> {
    data.records
        .get(record_id)
        .filter(|r| r.user_id == user_id && r.task_id == task_id)
        .ok_or_else(|| err(404, "通话记录不存在"))
}

fn record_json(r: &CallRecord) -> Value {
    json!({
        "id": r.id, "task_id": r.task_id, "callee": r.callee, "status": r.status,
        "intention_tag": r.intention_tag, "score": r.score, "duration": r.duration,
        "hangup_at": at(r.hangup_at), "name": null, "company": null, "operator_name": null,
        "extra": null, "tags": [], "tag_groups": [], "send_wechat_data": [], "components": [],
    })
}

/// `GET /agent-api/user/{id}/task/{task_id}/record`: the task's records, newest last,
/// filtered by `keyword` (the callee) and `intention_tags[]` (`1`–`5` or `A`–`E`), paged.
pub(super) async fn list(
    Call(shared, (user_id, task_id), pairs): Call<(String, String)>,
) -> Answer {
    let (page, per_page) = paging(&pairs)?;
    let tags: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "intention_tags[]")
        .map(|(_, v)| match v.as_str() {
            "1" => "A".to_owned(),
            "2" => "B".to_owned(),
            "3" => "C".to_owned(),
            "4" => "D".to_owned(),
            "5" => "E".to_owned(),
            other => other.to_ascii_uppercase(),
        })
        .collect();
    let data = shared.lock();
    let matching: Vec<&CallRecord> = data
        .records
        .records
        .iter()
        .filter(|r| r.user_id == user_id && r.task_id == task_id)
        .filter(|r| get(&pairs, "keyword").is_none_or(|k| r.callee.contains(k)))
        .filter(|r| tags.is_empty() || r.intention_tag.as_ref().is_some_and(|t| tags.contains(t)))
        .collect();
    paged(
        "查看通话记录列表成功",
        matching,
        page,
        per_page,
        record_json,
    )
}

/// `GET /agent-api/user/{id}/task/{task_id}/detail/{record_id}`: the turns; `404` for a
/// record the user's task does not have.
pub(super) async fn detail(
    Call(shared, (user_id, task_id, record_id), _): Call<(String, String, String)>,
) -> Answer {
    let data = shared.lock();
    let record = record_of(&data, &user_id, &task_id, &record_id)?;
    let turns: Vec<Value> = record
        .turns
        .iter()
        .map(|t| {
            json!({
                "id": t.id, "record_id": record.id, "task_id": record.task_id,
                "notify": t.notify, "callee": record.callee, "question": t.question,
                "answer_text": t.answer_text, "answer_content": t.answer_text,
                "word_class": "16", "score": record.score, "sequence": t.sequence,
                "speak_ms": 0, "play_ms": 0, "error_code": 0, "created_at": at(t.created_at),
            })
        })
        .collect();
    ok("查看通话记录详情成功", json!({"records": turns}))
}

/// `GET .../batch_record/download-full-voice?recordIds[]=..`: 1–30 ids (else `422`), each
/// answered `{record_id, url}` with a URL on the sandbox itself (unknown ids are left out).
pub(super) async fn recording_urls(
    Call(shared, (user_id, task_id), pairs): Call<(String, String)>,
) -> Answer {
    let ids: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "recordIds[]")
        .map(|(_, v)| v)
        .collect();
    if ids.is_empty() || ids.len() > MAX_RECORDING_IDS {
        return Err(err(422, "recordIds 最大传递 30 个"));
    }
    let data = shared.lock();
    let urls: Vec<Value> = ids
        .iter()
        .filter_map(|id| data.records.get(id))
        .filter(|r| r.user_id == user_id && r.task_id == task_id)
        .map(|r| {
            json!({
                "record_id": r.id,
                "url": format!("{}/sandbox/longlonglong/recordings/{}.wav", data.base_url, r.id),
            })
        })
        .collect();
    ok("获取录音地址成功", json!(urls))
}

/// `GET .../record/{record_id}/llm_intention_tag`: `{record_id, tags}` (the real answer is
/// undocumented); `404` for an unknown record.
pub(super) async fn llm_tags(
    Call(shared, (user_id, task_id, record_id), _): Call<(String, String, String)>,
) -> Answer {
    let data = shared.lock();
    let record = record_of(&data, &user_id, &task_id, &record_id)?;
    let tags: Vec<&str> = record.intention_tag.iter().map(String::as_str).collect();
    ok(
        "查看大模型质检记录成功",
        json!({"record_id": record.id, "tags": tags}),
    )
}

/// The recording served: a valid WAV (8 kHz, 16-bit mono) of 0.1 s of silence.
fn silent_wav() -> Vec<u8> {
    const RATE: u32 = 8_000;
    let samples = RATE / 10;
    let data_len = samples * 2;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&(RATE * 2).to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // block align
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.resize(44 + data_len as usize, 0);
    wav
}

/// `GET /sandbox/longlonglong/recordings/{record_id}.wav` (no token: a recording URL is
/// opened as it is): a short silent WAV for a record that exists, else `404`.
pub(super) async fn recording_file(
    Extract(shared): Extract<Shared>,
    Path(file): Path<String>,
) -> Response {
    let known = file
        .strip_suffix(".wav")
        .is_some_and(|id| shared.lock().records.get(id).is_some());
    if !known {
        return err(404, "录音不存在");
    }
    (
        [(axum::http::header::CONTENT_TYPE, "audio/wav")],
        silent_wav(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recording_is_a_riff_wave_of_the_declared_length() {
        let wav = silent_wav();
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(&wav[8..12], b"WAVE");
        let riff_len = u32::from_le_bytes(wav[4..8].try_into().unwrap()) as usize;
        assert_eq!(riff_len + 8, wav.len());
        let data_len = u32::from_le_bytes(wav[40..44].try_into().unwrap()) as usize;
        assert_eq!(data_len + 44, wav.len());
    }

    #[test]
    fn the_seed_puts_the_docs_record_under_the_docs_task() {
        let mut state = State::new(1, None);
        seed(&mut state, "u");
        let r = state.records.get(DOCS_RECORD).expect("seeded");
        assert_eq!((r.task_id.as_str(), r.user_id.as_str()), (DOCS_TASK, "u"));
        assert_eq!(r.turns.len(), 3);
    }

    #[test]
    fn answered_calls_get_turns_and_a_tag_unanswered_ones_none() {
        let mut state = State::new(1, None);
        let answered = state.add_call_record("u", "t", "13800000000", 1);
        let missed = state.add_call_record("u", "t", "13800000001", 4);
        let a = state.records.get(&answered).unwrap();
        assert_eq!(a.turns.len(), 3);
        assert_eq!(a.turns[0].notify, "enter");
        assert!(a.intention_tag.is_some() && a.duration > 0);
        let m = state.records.get(&missed).unwrap();
        assert!(m.turns.is_empty() && m.intention_tag.is_none() && m.duration == 0);
        assert_ne!(answered, missed);
    }
}
