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
    /// record's id. Called by the call tasks as their calls complete.
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
