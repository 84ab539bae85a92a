//! The Laaffic account: its balance, and the IVR group calls (voice files, tasks and their
//! life cycle, call records), with the caps that bound them.

use std::collections::HashMap;

use chrono::{DateTime, Days, FixedOffset, NaiveDateTime, TimeDelta};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::clock::at_china;
use crate::ids::hex_id;

/// The caps on what one simulated account may hold, so that no client can make the
/// sandbox's memory, or the time a request holds its state, grow without bound. Input
/// beyond a cap is refused in the provider's envelope; for Laaffic with `-23` 数据上限
/// ("data caps", from its code table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The most Laaffic IVR tasks (created and resent; default 1 000).
    pub ivr_tasks: usize,
    /// The most called numbers over all Laaffic IVR tasks (default 300 000; one task
    /// takes at most the documented 200 000). Each number makes at most one call record,
    /// so this bounds the records too.
    pub ivr_numbers: usize,
    /// The most Laaffic voice files (uploaded, or with a task; default 1 000).
    pub voice_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            ivr_tasks: 1_000,
            ivr_numbers: 300_000,
            voice_files: 1_000,
        }
    }
}

/// The Laaffic balance.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Account {
    pub balance: Decimal,
    pub gift: Decimal,
    pub credit: Decimal,
}

impl Default for Account {
    fn default() -> Self {
        Account {
            // The documented example's values and scales: "99.990000", "50.00000".
            balance: Decimal::new(99_990_000, 6),
            gift: Decimal::new(5_000_000, 5),
            credit: Decimal::ZERO,
        }
    }
}

/// An uploaded voice file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VoiceFile {
    /// The id answered by the upload, e.g. `"1202202254d4c6372d6f341e999c7ecd0683ee464.mp3"`.
    pub id: String,
    /// `fileName` as uploaded (unique).
    pub name: String,
    /// The decoded content's length in bytes.
    pub size: usize,
    /// When, China time.
    pub uploaded_at: NaiveDateTime,
}

/// An IVR group-call task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IvrTask {
    /// The task id (`jobId`).
    pub id: u64,
    /// `taskName` (unique).
    pub name: String,
    /// `appId`.
    pub app_id: String,
    /// The status: `0` waiting, `1` calling, `2` done, `4` cancelled, `5` paused.
    pub status: u8,
    /// The called numbers, in order.
    pub numbers: Vec<String>,
    /// `source`: 1 uploaded file, 2 file uploaded with the task, 3 text to speech.
    pub source: u8,
    /// The voice file played (sources 1 and 2).
    pub voice_file_id: Option<String>,
    /// `uploadName` (source 2).
    pub upload_name: Option<String>,
    /// `text` (source 3).
    pub text: Option<String>,
    /// `lan` (source 3).
    pub lan: Option<String>,
    /// `displayNum`.
    pub display_num: Option<String>,
    /// `sendTime`: not called before this time (China time).
    pub send_time: Option<NaiveDateTime>,
    /// `loopCount` (default 1).
    pub loop_count: u32,
    /// `maxCalls`: the longest call in seconds, if set.
    pub max_calls: Option<u32>,
    /// Creation time, China time.
    pub created_at: NaiveDateTime,
    /// Last change, China time.
    pub modified_at: NaiveDateTime,
    /// When the calls started (status 1), China time.
    pub started_at: Option<NaiveDateTime>,
    /// When the task finished (status 2), China time.
    pub finished_at: Option<NaiveDateTime>,
    /// The task this one was resent from.
    pub resent_from: Option<u64>,
}

/// One call record (CDR), made for each number when its task completes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CallRecord {
    /// `voiceId`: 19 digits.
    pub voice_id: String,
    /// The task it belongs to.
    pub task_id: u64,
    /// `callee`.
    pub callee: String,
    /// `displayNum`.
    pub display_num: Option<String>,
    /// Whether the call was answered (`terminationCode` `"200"`).
    pub answered: bool,
    /// `submitTime`.
    pub submit_time: DateTime<FixedOffset>,
    /// `callTime`.
    pub call_time: DateTime<FixedOffset>,
    /// `ringingTime`.
    pub ringing_time: DateTime<FixedOffset>,
    /// `answerTime` (answered calls only).
    pub answer_time: Option<DateTime<FixedOffset>>,
    /// `hangupTime`.
    pub hangup_time: DateTime<FixedOffset>,
    /// `callDuration`, seconds.
    pub call_duration: u64,
    /// `chargedDuration`, seconds (whole 20-second increments).
    pub charged_duration: u64,
    /// `terminationCode`: a SIP code, `"200"` when answered.
    pub termination_code: String,
    /// `terminationReason`.
    pub termination_reason: String,
    /// `cost`, EUR.
    pub cost: Decimal,
    /// `voiceFileId`, if the task played a file.
    pub voice_file_id: Option<String>,
}

/// The IVR part of the Laaffic account.
///
/// Reads must not cost more than what they answer: each task's call statistics and each
/// record's position are kept up to date as records are made, so a task read never scans
/// the records, and the caps ([`Limits`]) bound everything a client can add.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Ivr {
    pub files: Vec<VoiceFile>,
    pub tasks: Vec<IvrTask>,
    /// Append-only: an index into it stays valid.
    pub records: Vec<CallRecord>,
    pub next_task: u64,
    pub next_record: u64,
    /// From the builder, not the state file.
    #[serde(skip)]
    pub limits: Limits,
    /// The numbers of every task, for [`Limits::ivr_numbers`].
    pub numbers: usize,
    /// Each task's call statistics, by task id.
    pub stats: HashMap<u64, CallStats>,
    /// Each record's index in `records`, by `voiceId`.
    pub by_voice_id: HashMap<String, usize>,
    /// Where each completed call's report is pushed, when a report URL is configured.
    /// Not persisted: pushes are not kept across restarts.
    #[serde(skip)]
    pub outbox: Option<crate::push::Outbox>,
}

impl Default for Ivr {
    fn default() -> Self {
        Ivr {
            files: Vec::new(),
            tasks: Vec::new(),
            records: Vec::new(),
            next_task: 5_000_601,
            next_record: 1_000_001,
            limits: Limits::default(),
            numbers: 0,
            stats: HashMap::new(),
            by_voice_id: HashMap::new(),
            outbox: None,
        }
    }
}

/// The totals of one task's call records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CallStats {
    pub called: u64,
    pub success: u64,
    pub charged: u64,
    pub duration: u64,
}

/// The per-minute rate of the simulated calls, EUR.
pub(crate) fn rate() -> Decimal {
    Decimal::new(600, 4)
}

/// `source` with its fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Voice {
    pub source: u8,
    pub voice_file_id: Option<String>,
    /// A file uploaded with the task (source 2): its name and size.
    pub upload: Option<(String, usize)>,
    pub text: Option<String>,
    pub lan: Option<String>,
}

/// The common optional settings of create and resend, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    pub display_num: Option<String>,
    pub send_time: Option<NaiveDateTime>,
    pub loop_count: u32,
    pub max_calls: Option<u32>,
}

/// A task to add, from checked parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewTask {
    pub name: String,
    pub app_id: String,
    pub numbers: Vec<String>,
    pub voice: Voice,
    pub settings: Settings,
    pub resent_from: Option<u64>,
}

/// What [`Ivr::seed`] created.
pub(crate) struct SeededIvr {
    pub voice_file: String,
    pub done_task: u64,
    pub scheduled_task: u64,
    /// A call record of the done task.
    pub voice_id: String,
}

impl Ivr {
    /// Stores a voice file; returns its id. The caller checked the name.
    pub(crate) fn add_voice_file(
        &mut self,
        name: &str,
        size: usize,
        now: NaiveDateTime,
        rng: &mut fastrand::Rng,
    ) -> String {
        let ext = name
            .rsplit_once('.')
            .map_or("mp3", |(_, e)| e)
            .to_ascii_lowercase();
        let id = format!("1{}{}.{ext}", now.format("%Y%m%d"), hex_id(rng));
        self.files.push(VoiceFile {
            id: id.clone(),
            name: name.to_owned(),
            size,
            uploaded_at: now,
        });
        id
    }

    /// Whether a new task with `numbers` numbers (and, with `adds_file`, a voice file)
    /// stays within the account's [`Limits`].
    pub(crate) fn has_room(&self, numbers: usize, adds_file: bool) -> bool {
        let limits = self.limits;
        !(self.tasks.len() >= limits.ivr_tasks
            || self.numbers.saturating_add(numbers) > limits.ivr_numbers
            || (adds_file && self.files.len() >= limits.voice_files))
    }

    /// Adds a task (waiting, status 0), with its uploaded file if any; returns its id.
    pub(crate) fn add_task(
        &mut self,
        task: NewTask,
        now: NaiveDateTime,
        rng: &mut fastrand::Rng,
    ) -> u64 {
        let voice_file_id = match &task.voice.upload {
            Some((name, size)) => Some(self.add_voice_file(name, *size, now, rng)),
            None => task.voice.voice_file_id,
        };
        let id = self.next_task;
        self.next_task += 1;
        self.numbers += task.numbers.len();
        self.tasks.push(IvrTask {
            id,
            name: task.name,
            app_id: task.app_id,
            status: 0,
            numbers: task.numbers,
            source: task.voice.source,
            voice_file_id,
            upload_name: task.voice.upload.map(|(n, _)| n),
            text: task.voice.text,
            lan: task.voice.lan,
            display_num: task.settings.display_num,
            send_time: task.settings.send_time,
            loop_count: task.settings.loop_count,
            max_calls: task.settings.max_calls,
            created_at: now,
            modified_at: now,
            started_at: None,
            finished_at: None,
            resent_from: task.resent_from,
        });
        id
    }

    /// A task's call totals: kept as records are made, never counted from them.
    pub(crate) fn stats_of(&self, task: &IvrTask) -> CallStats {
        self.stats.get(&task.id).copied().unwrap_or_default()
    }

    /// Advances every task one step of its life cycle: `0` → `1` (unless its `sendTime`
    /// is still ahead) → `2` (with its call records). Other states do not move.
    pub(crate) fn advance(&mut self, now: NaiveDateTime, rng: &mut fastrand::Rng) {
        for index in 0..self.tasks.len() {
            let task = &mut self.tasks[index];
            match task.status {
                0 if task.send_time.is_none_or(|t| t <= now) => {
                    task.status = 1;
                    task.started_at = Some(now);
                    task.modified_at = now;
                }
                1 => {
                    task.status = 2;
                    task.finished_at = Some(now);
                    task.modified_at = now;
                    self.make_records(index, rng);
                }
                _ => {}
            }
        }
    }

    /// The call records of the task at `index`, one per number, from the seeded generator:
    /// four calls in five answered.
    fn make_records(&mut self, index: usize, rng: &mut fastrand::Rng) {
        let task = &self.tasks[index];
        let (task_id, max_calls, display_num, voice_file_id) = (
            task.id,
            task.max_calls,
            task.display_num.clone(),
            task.voice_file_id.clone(),
        );
        let start = task.started_at.unwrap_or(task.created_at);
        // Taken out for the loop (not cloned: up to 200 000 of them), then put back.
        let numbers = std::mem::take(&mut self.tasks[index].numbers);
        self.records.reserve(numbers.len());
        let mut stats = self.stats.get(&task_id).copied().unwrap_or_default();
        for (n, callee) in numbers.iter().enumerate() {
            let answered = rng.u32(..5) != 0;
            let submit = at_china(start);
            let call = submit + TimeDelta::seconds(1 + n as i64);
            let ringing = call + TimeDelta::seconds(2);
            let (answer, duration, code, reason) = if answered {
                let mut secs = u64::from(rng.u32(5..=60));
                if let Some(max) = max_calls {
                    secs = secs.min(u64::from(max));
                }
                let answer = ringing + TimeDelta::seconds(i64::from(rng.u32(2..=8)));
                (Some(answer), secs, "200", "success")
            } else if rng.bool() {
                (None, 0, "480", "no answer")
            } else {
                (None, 0, "486", "busy")
            };
            let hangup = match answer {
                Some(a) => a + TimeDelta::seconds(duration as i64),
                None => ringing + TimeDelta::seconds(30),
            };
            let charged = duration.div_ceil(20) * 20;
            let cost = (rate() * Decimal::from(charged) / Decimal::from(60)).round_dp(4);
            let voice_id = format!("{}{:07}", submit.format("%y%m%d%H%M%S"), self.next_record);
            self.next_record += 1;
            stats.called += 1;
            stats.success += u64::from(answered);
            stats.charged += charged;
            stats.duration += duration;
            self.by_voice_id
                .insert(voice_id.clone(), self.records.len());
            self.records.push(CallRecord {
                voice_id,
                task_id,
                callee: callee.clone(),
                display_num: display_num.clone(),
                answered,
                submit_time: submit,
                call_time: call,
                ringing_time: ringing,
                answer_time: answer,
                hangup_time: hangup,
                call_duration: duration,
                charged_duration: charged,
                termination_code: code.to_owned(),
                termination_reason: reason.to_owned(),
                cost,
                voice_file_id: voice_file_id.clone(),
            });
            // The call completed: its report is pushed (issue 17).
            if let (Some(outbox), Some(record)) = (&self.outbox, self.records.last()) {
                outbox.laaffic_report(record);
            }
        }
        self.tasks[index].numbers = numbers;
        self.stats.insert(task_id, stats);
    }

    /// The demo data: a voice file (the upload example's id), a completed task calling two
    /// numbers with its records (the task id of the query example), and a task scheduled a
    /// year ahead (it stays waiting).
    pub(crate) fn seed(&mut self, now: NaiveDateTime, rng: &mut fastrand::Rng) -> SeededIvr {
        let file = "1202202254d4c6372d6f341e999c7ecd0683ee464.mp3".to_owned();
        self.files.push(VoiceFile {
            id: file.clone(),
            // Not the upload example's `test.mp3`, so that example can be run as is.
            name: "seed-voice.mp3".into(),
            size: 5,
            uploaded_at: now,
        });
        let task = |id: u64, name: &str, status: u8, send_time: Option<NaiveDateTime>| IvrTask {
            id,
            name: name.to_owned(),
            app_id: "4luaKsL2".into(),
            status,
            numbers: vec!["8613500000000".into(), "8613500000001".into()],
            source: 1,
            voice_file_id: Some(file.clone()),
            upload_name: None,
            text: None,
            lan: None,
            display_num: Some("1008122211".into()),
            send_time,
            loop_count: 1,
            max_calls: None,
            created_at: now,
            modified_at: now,
            started_at: (status == 2).then_some(now),
            finished_at: (status == 2).then_some(now),
            resent_from: None,
        };
        let done = task(5_000_602, "示例群呼任务", 2, None);
        let scheduled = task(
            5_000_603,
            "示例定时任务",
            0,
            now.checked_add_days(Days::new(365)),
        );
        self.numbers += done.numbers.len() + scheduled.numbers.len();
        self.tasks.push(done);
        self.tasks.push(scheduled);
        self.next_task = 5_000_604;
        self.next_record = 1_000_002;
        self.make_records(0, rng);
        let record = self.records[0].voice_id.clone();
        SeededIvr {
            voice_file: file,
            done_task: 5_000_602,
            scheduled_task: 5_000_603,
            voice_id: record,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::state::State;

    /// A task playing `file` to `numbers`, with default settings but `max_calls`.
    pub(crate) fn new_task(
        name: &str,
        file: &str,
        numbers: Vec<String>,
        max_calls: Option<u32>,
    ) -> NewTask {
        NewTask {
            name: name.into(),
            app_id: "app".into(),
            numbers,
            voice: Voice {
                source: 1,
                voice_file_id: Some(file.into()),
                upload: None,
                text: None,
                lan: None,
            },
            settings: Settings {
                display_num: None,
                send_time: None,
                loop_count: 1,
                max_calls,
            },
            resent_from: None,
        }
    }

    /// A state with the IVR demo data only.
    fn seeded(rng_seed: u64) -> (State, SeededIvr) {
        let mut data = State::new(rng_seed, None);
        let now = data.now();
        let seeded = data.ivr.seed(now, &mut data.rng);
        (data, seeded)
    }

    fn add(data: &mut State, task: NewTask) -> u64 {
        let now = data.now();
        data.ivr.add_task(task, now, &mut data.rng)
    }

    #[test]
    fn tasks_advance_one_step_per_read_and_complete_with_records() {
        let (mut data, seeded) = seeded(1);
        let records = data.ivr.records.len();
        assert!(data.ivr.files.iter().any(|f| f.id == seeded.voice_file));
        let numbers = vec!["8613500000000".into(); 3];
        let id = add(
            &mut data,
            new_task("t", &seeded.voice_file, numbers, Some(10)),
        );
        let status = |data: &State, id| data.ivr.tasks.iter().find(|t| t.id == id).unwrap().status;
        assert_eq!(status(&data, id), 0);
        data.advance_tasks();
        assert_eq!(status(&data, id), 1);
        data.advance_tasks();
        assert_eq!(status(&data, id), 2);
        assert_eq!(status(&data, seeded.done_task), 2);
        assert_eq!(
            status(&data, seeded.scheduled_task),
            0,
            "its sendTime is a year ahead"
        );
        let new: Vec<_> = data.ivr.records[records..].to_vec();
        assert_eq!(new.len(), 3);
        assert!(new.iter().all(|r| r.call_duration <= 10 && r.task_id == id));
    }

    #[test]
    fn task_totals_and_the_voice_id_index_match_the_records() {
        let (mut data, seeded) = seeded(3);
        for name in ["a", "b"] {
            let numbers = (0..50).map(|i| format!("86135{i:08}")).collect();
            add(&mut data, new_task(name, &seeded.voice_file, numbers, None));
        }
        data.advance_tasks();
        data.advance_tasks();
        assert_eq!(data.ivr.numbers, 104, "2 seeded tasks of 2, 2 of 50");
        for task in &data.ivr.tasks {
            let mine: Vec<&CallRecord> = data
                .ivr
                .records
                .iter()
                .filter(|r| r.task_id == task.id)
                .collect();
            let counted = CallStats {
                called: mine.len() as u64,
                success: mine.iter().filter(|r| r.answered).count() as u64,
                charged: mine.iter().map(|r| r.charged_duration).sum::<u64>(),
                duration: mine.iter().map(|r| r.call_duration).sum::<u64>(),
            };
            assert_eq!(data.ivr.stats_of(task), counted, "task {}", task.id);
        }
        for (i, r) in data.ivr.records.iter().enumerate() {
            assert_eq!(data.ivr.by_voice_id.get(&r.voice_id), Some(&i));
        }
    }
}
