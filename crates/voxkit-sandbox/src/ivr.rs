//! Laaffic IVR group calls (IVR群呼): voice files, tasks and their life cycle, call
//! records. Served behind the Laaffic signature check (see `laaffic.rs`).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use chrono::{DateTime, Days, FixedOffset, Months, NaiveDateTime, TimeDelta};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use std::collections::HashMap;

use crate::state::State as Data;
use crate::{Limits, Shared};

/// The most numbers one task takes ("A maximum of 20w").
const MAX_NUMBERS: usize = 200_000;
/// The longest record window ("最大起始-结束时间间隔31天").
const MAX_RECORD_WINDOW_DAYS: i64 = 31;
/// The documented `LocalDateTime` format of the task APIs.
const LOCAL: &str = "%Y-%m-%d %H:%M:%S";
/// The text-to-speech languages of the create page.
const LANS: &[&str] = &[
    "VN", "EN", "JP", "ARB", "DE", "IN", "IT", "KR", "RU", "ES", "PT", "IDN", "BD", "TH",
];

/// An uploaded voice file.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone)]
pub(crate) struct Ivr {
    pub files: Vec<VoiceFile>,
    pub tasks: Vec<IvrTask>,
    /// Append-only: an index into it stays valid.
    pub records: Vec<CallRecord>,
    pub next_task: u64,
    pub next_record: u64,
    pub limits: Limits,
    /// The numbers of every task, for [`Limits::ivr_numbers`].
    pub numbers: usize,
    /// Each task's call statistics, by task id.
    pub stats: HashMap<u64, CallStats>,
    /// Each record's index in `records`, by `voiceId`.
    pub by_voice_id: HashMap<String, usize>,
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
        }
    }
}

/// The totals of one task's call records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CallStats {
    pub called: u64,
    pub success: u64,
    pub charged: u64,
    pub duration: u64,
}

/// The per-minute rate of the simulated calls, EUR.
fn rate() -> Decimal {
    Decimal::new(600, 4)
}

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

fn at_china(t: NaiveDateTime) -> DateTime<FixedOffset> {
    t.and_local_timezone(china())
        .single()
        .expect("a fixed offset maps every time once")
}

impl Data {
    /// Stores a voice file; returns its id. The caller checked the name.
    pub(crate) fn add_voice_file(&mut self, name: &str, size: usize) -> String {
        let now = self.now();
        let ext = name
            .rsplit_once('.')
            .map_or("mp3", |(_, e)| e)
            .to_ascii_lowercase();
        let id = format!("1{}{}.{ext}", now.format("%Y%m%d"), self.hex_id());
        self.ivr.files.push(VoiceFile {
            id: id.clone(),
            name: name.to_owned(),
            size,
            uploaded_at: now,
        });
        id
    }

    /// Advances every task one step of its life cycle: `0` → `1` (unless its `sendTime`
    /// is still ahead) → `2` (with its call records). Other states do not move.
    pub(crate) fn advance_tasks(&mut self) {
        let now = self.now();
        for index in 0..self.ivr.tasks.len() {
            let task = &mut self.ivr.tasks[index];
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
                    self.make_records(index);
                }
                _ => {}
            }
        }
    }

    /// The call records of the task at `index`, one per number, from the seeded generator:
    /// four calls in five answered.
    fn make_records(&mut self, index: usize) {
        let task = &self.ivr.tasks[index];
        let (task_id, max_calls, display_num, voice_file_id) = (
            task.id,
            task.max_calls,
            task.display_num.clone(),
            task.voice_file_id.clone(),
        );
        let start = task.started_at.unwrap_or(task.created_at);
        // Taken out for the loop (not cloned: up to 200 000 of them), then put back.
        let numbers = std::mem::take(&mut self.ivr.tasks[index].numbers);
        self.ivr.records.reserve(numbers.len());
        let mut stats = self.ivr.stats.get(&task_id).copied().unwrap_or_default();
        for (n, callee) in numbers.iter().enumerate() {
            let answered = self.rng.u32(..5) != 0;
            let submit = at_china(start);
            let call = submit + TimeDelta::seconds(1 + n as i64);
            let ringing = call + TimeDelta::seconds(2);
            let (answer, duration, code, reason) = if answered {
                let mut secs = u64::from(self.rng.u32(5..=60));
                if let Some(max) = max_calls {
                    secs = secs.min(u64::from(max));
                }
                let answer = ringing + TimeDelta::seconds(i64::from(self.rng.u32(2..=8)));
                (Some(answer), secs, "200", "success")
            } else if self.rng.bool() {
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
            let voice_id = format!(
                "{}{:07}",
                submit.format("%y%m%d%H%M%S"),
                self.ivr.next_record
            );
            self.ivr.next_record += 1;
            stats.called += 1;
            stats.success += u64::from(answered);
            stats.charged += charged;
            stats.duration += duration;
            self.ivr
                .by_voice_id
                .insert(voice_id.clone(), self.ivr.records.len());
            self.ivr.records.push(CallRecord {
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
        }
        self.ivr.tasks[index].numbers = numbers;
        self.ivr.stats.insert(task_id, stats);
    }

    /// The demo data: a voice file (the upload example's id), a completed task calling two
    /// numbers with its records (the task id of the query example), and a task scheduled a
    /// year ahead (it stays waiting). Returns (file id, completed task, scheduled task,
    /// a record's voice id).
    pub(crate) fn seed_ivr(&mut self) -> (String, u64, u64, String) {
        let now = self.now();
        let file = "1202202254d4c6372d6f341e999c7ecd0683ee464.mp3".to_owned();
        self.ivr.files.push(VoiceFile {
            id: file.clone(),
            name: "test.mp3".into(),
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
        self.ivr.numbers += done.numbers.len() + scheduled.numbers.len();
        self.ivr.tasks.push(done);
        self.ivr.tasks.push(scheduled);
        self.ivr.next_task = 5_000_604;
        self.ivr.next_record = 1_000_002;
        self.make_records(0);
        let record = self.ivr.records[0].voice_id.clone();
        (file, 5_000_602, 5_000_603, record)
    }
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v3/voice/fileUpload", post(upload))
        .route("/v3/voice/group/call/send", post(create))
        .route("/v3/voice/group/call/query", post(query))
        .route("/v3/voice/group/call/detail/{id}", get(detail))
        .route("/v3/voice/group/call/provisional", post(pause))
        .route("/v3/voice/group/call/cancel", post(cancel))
        .route("/v3/voice/group/call/resend", post(resend))
        .route("/v3/voice/recordGroup/{voice_id}", get(record))
        .route("/v3/voice/recordGroupQuery", post(records))
}

// ----- envelopes ------------------------------------------------------------------------

/// Family A: `{status, reason, data}`.
fn a_ok(data: Value) -> Response {
    axum::Json(json!({"status": "0", "reason": "success", "data": data})).into_response()
}

fn a_err(code: &str, reason: &str) -> Response {
    axum::Json(json!({"status": code, "reason": reason})).into_response()
}

/// Family B: `{code, msg, data}` (the query example sends `code` as a number).
fn b_ok(data: Value) -> Response {
    axum::Json(json!({"code": 0, "msg": "success", "data": data})).into_response()
}

fn b_err(code: &str, msg: &str) -> Response {
    axum::Json(json!({"code": code, "msg": msg, "data": null})).into_response()
}

/// The documented reasons of the codes used here.
fn reason(code: &str) -> &'static str {
    match code {
        "-7" => "号码个数过多",
        "-8" => "号码为空",
        "-9" => "号码异常",
        "-11" => "时间格式错误",
        "-20" => "数据已存在",
        "-21" => "数据校验异常",
        "-22" => "参数异常",
        "-23" => "数据上限",
        "-24" => "数据不存在",
        "-25" => "超出时间范围",
        "-41" => "状态错误,修改失败",
        "-54" => "The task you submitted is wrong, please check and submit again!",
        _ => "系统异常",
    }
}

/// A refusal: its code, in the family of the endpoint.
struct Refusal(&'static str);

impl Refusal {
    fn a(self) -> Response {
        a_err(self.0, reason(self.0))
    }
    fn b(self) -> Response {
        b_err(self.0, reason(self.0))
    }
}

// ----- field readers --------------------------------------------------------------------

fn object(body: &Bytes) -> Result<Map<String, Value>, Refusal> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Refusal("-22")),
    }
}

fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

/// An integer sent as a number or a numeric string.
fn int(map: &Map<String, Value>, key: &str) -> Option<i64> {
    match map.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An optional integer within `min..=max`: absent or null is `None`.
fn opt_int(
    map: &Map<String, Value>,
    key: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>, Refusal> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => match int(map, key) {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(Refusal("-21")),
        },
    }
}

fn chars_between(s: &str, min: usize, max: usize) -> bool {
    let n = s.chars().count();
    (min..=max).contains(&n) && !s.trim().is_empty() && !s.chars().any(char::is_control)
}

fn digits_between(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// The upload's name rules: 5-32 characters with the extension `.mp3`, `.m4a` or `.wav`.
fn valid_file_name(name: &str) -> bool {
    let len = name.chars().count();
    (5..=32).contains(&len)
        && name.trim() == name
        && !name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        && name.rsplit_once('.').is_some_and(|(stem, ext)| {
            !stem.is_empty()
                && ["mp3", "m4a", "wav"]
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(ext))
        })
}

/// Strict padded standard base64 (RFC 4648 §4); `None` if it is not.
pub(crate) fn base64_decode(input: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let bytes = input.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let chunks = bytes.len() / 4;
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && i + 1 != chunks) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let got = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&got[..3 - pad]);
    }
    Some(out)
}

/// The decoded content of a file field: present, valid base64, not empty.
fn content(map: &Map<String, Value>, key: &str) -> Result<Vec<u8>, Refusal> {
    let raw = text(map, key).ok_or(Refusal("-22"))?;
    match base64_decode(raw.trim()) {
        Some(bytes) if !bytes.is_empty() => Ok(bytes),
        _ => Err(Refusal("-21")),
    }
}

fn local_time(map: &Map<String, Value>, key: &str) -> Result<Option<NaiveDateTime>, Refusal> {
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
fn id_list(map: &Map<String, Value>, key: &str) -> Result<Vec<u64>, Refusal> {
    let Some(Value::Array(items)) = map.get(key) else {
        return Err(Refusal("-22"));
    };
    if items.is_empty() {
        return Err(Refusal("-22"));
    }
    items
        .iter()
        .map(|v| match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        })
        .collect::<Option<Vec<u64>>>()
        .ok_or(Refusal("-22"))
}

// ----- the voice: source and its companions ---------------------------------------------

/// `source` with its fields, checked.
struct Voice {
    source: u8,
    voice_file_id: Option<String>,
    upload: Option<(String, usize)>,
    text: Option<String>,
    lan: Option<String>,
}

fn voice(data: &Data, map: &Map<String, Value>) -> Result<Voice, Refusal> {
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

/// The common optional settings of create and resend.
struct Settings {
    display_num: Option<String>,
    send_time: Option<NaiveDateTime>,
    loop_count: u32,
    max_calls: Option<u32>,
}

fn settings(map: &Map<String, Value>) -> Result<Settings, Refusal> {
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

fn task_name(data: &Data, map: &Map<String, Value>) -> Result<String, Refusal> {
    let name = text(map, "taskName").ok_or(Refusal("-22"))?;
    if !chars_between(name, 2, 64) {
        return Err(Refusal("-21"));
    }
    if data.ivr.tasks.iter().any(|t| t.name == name) {
        return Err(Refusal("-20"));
    }
    Ok(name.to_owned())
}

/// `-23` 数据上限 when a new task with `numbers` numbers (and, with `adds_file`, a voice
/// file) would go beyond the account's [`Limits`].
fn room(data: &Data, numbers: usize, adds_file: bool) -> Result<(), Refusal> {
    let limits = data.ivr.limits;
    let full = data.ivr.tasks.len() >= limits.ivr_tasks
        || data.ivr.numbers.saturating_add(numbers) > limits.ivr_numbers
        || (adds_file && data.ivr.files.len() >= limits.voice_files);
    if full { Err(Refusal("-23")) } else { Ok(()) }
}

/// Adds a task from checked parts; returns its id.
fn add_task(
    data: &mut Data,
    name: String,
    app_id: String,
    numbers: Vec<String>,
    voice: Voice,
    settings: Settings,
    resent_from: Option<u64>,
) -> u64 {
    let now = data.now();
    let voice_file_id = match &voice.upload {
        Some((name, size)) => Some(data.add_voice_file(name, *size)),
        None => voice.voice_file_id,
    };
    let id = data.ivr.next_task;
    data.ivr.next_task += 1;
    data.ivr.numbers += numbers.len();
    data.ivr.tasks.push(IvrTask {
        id,
        name,
        app_id,
        status: 0,
        numbers,
        source: voice.source,
        voice_file_id,
        upload_name: voice.upload.map(|(n, _)| n),
        text: voice.text,
        lan: voice.lan,
        display_num: settings.display_num,
        send_time: settings.send_time,
        loop_count: settings.loop_count,
        max_calls: settings.max_calls,
        created_at: now,
        modified_at: now,
        started_at: None,
        finished_at: None,
        resent_from,
    });
    id
}

// ----- handlers -------------------------------------------------------------------------

/// `POST /v3/voice/fileUpload`: `-22` for a missing field, `-21` for a name breaking the
/// rules or content that is not base64 (or empty), `-20` for a name already used.
async fn upload(State(shared): State<Shared>, body: Bytes) -> Response {
    let result = (|| {
        let map = object(&body)?;
        let name = text(&map, "fileName").ok_or(Refusal("-22"))?;
        if !valid_file_name(name) {
            return Err(Refusal("-21"));
        }
        let bytes = content(&map, "file")?;
        let mut data = shared.lock();
        if data.ivr.files.iter().any(|f| f.name == name) {
            return Err(Refusal("-20"));
        }
        if data.ivr.files.len() >= data.ivr.limits.voice_files {
            return Err(Refusal("-23"));
        }
        Ok(data.add_voice_file(name, bytes.len()))
    })();
    match result {
        Ok(id) => a_ok(json!(id)),
        Err(r) => r.a(),
    }
}

/// `POST /v3/voice/group/call/send`: family A with the new id in `data`.
async fn create(State(shared): State<Shared>, body: Bytes) -> Response {
    let result = (|| {
        let map = object(&body)?;
        let app_id = text(&map, "appId")
            .filter(|a| !a.trim().is_empty())
            .ok_or(Refusal("-22"))?
            .to_owned();
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
                if key.starts_with("text")
                    && !value.as_str().is_some_and(|t| chars_between(t, 1, 30))
                {
                    return Err(Refusal("-21"));
                }
            }
            list.push(number.to_owned());
        }
        let settings = settings(&map)?;
        if int(&map, "hangUpSms") == Some(1)
            && (text(&map, "smsAppId").is_none() || text(&map, "smsContent").is_none())
        {
            return Err(Refusal("-22"));
        }
        if int(&map, "toSeat") == Some(1) && map.get("sipGroupId").is_none_or(Value::is_null) {
            return Err(Refusal("-22"));
        }
        let mut data = shared.lock();
        let name = task_name(&data, &map)?;
        let voice = voice(&data, &map)?;
        room(&data, list.len(), voice.upload.is_some())?;
        Ok(add_task(
            &mut data, name, app_id, list, voice, settings, None,
        ))
    })();
    match result {
        Ok(id) => a_ok(json!(id)),
        Err(r) => r.a(),
    }
}

/// The task's call totals: kept as records are made, never counted from them.
fn status_of(data: &Data, task: &IvrTask) -> (u64, u64, u64, u64) {
    let s = data.ivr.stats.get(&task.id).copied().unwrap_or_default();
    (s.called, s.success, s.charged, s.duration)
}

fn fmt_local(t: Option<NaiveDateTime>) -> Value {
    t.map_or(Value::Null, |t| json!(t.format(LOCAL).to_string()))
}

fn summary(data: &Data, task: &IvrTask) -> Value {
    let (called, success, _, _) = status_of(data, task);
    let rate = if task.numbers.is_empty() {
        0
    } else {
        called * 100 / task.numbers.len() as u64
    };
    json!({
        "jobId": task.id,
        "taskName": task.name,
        "status": task.status,
        "rate": rate.to_string(),
        "numCnt": task.numbers.len(),
        "callNum": called,
        "success": success,
        "fail": called - success,
        "createdTime": fmt_local(Some(task.created_at)),
        "taskType": 1,
    })
}

/// Where page `current` of `size` items starts: saturated, so a page number far beyond
/// the end (`current` up to `i64::MAX`) is simply an empty page.
fn page_start(current: u64, size: u64) -> usize {
    usize::try_from(current.saturating_sub(1).saturating_mul(size)).unwrap_or(usize::MAX)
}

/// A page in the documented shape: `records` is the page already cut out of `total`
/// items.
fn page(records: Vec<Value>, total: u64, current: u64, size: u64, search_count: bool) -> Value {
    let mut page = json!({
        "total": total, "size": size, "current": current,
        "pages": total.div_ceil(size), "records": records,
    });
    if search_count {
        page["searchCount"] = json!(true);
    }
    page
}

/// `current` (1-N) and `size` (1-100), both required.
fn paging(map: &Map<String, Value>) -> Result<(u64, u64), Refusal> {
    match (int(map, "current"), int(map, "size")) {
        (Some(c), Some(s)) if c >= 1 && (1..=100).contains(&s) => Ok((c as u64, s as u64)),
        _ => Err(Refusal("-22")),
    }
}

/// `POST /v3/voice/group/call/query`: family B, newest first. Advances the tasks first.
async fn query(State(shared): State<Shared>, body: Bytes) -> Response {
    let result = (|| {
        let map = object(&body)?;
        let (current, size) = paging(&map)?;
        let Some(Value::Object(params)) = map.get("params") else {
            return Err(Refusal("-22"));
        };
        let (Some(start), Some(end)) = (
            local_time(params, "strTime")?,
            local_time(params, "endTime")?,
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
        let app = match params.get("idxAppId") {
            None | Some(Value::Null) => None,
            Some(_) => Some(int(params, "idxAppId").ok_or(Refusal("-22"))?),
        };
        let search = text(params, "searchCondition").map(str::to_owned);
        let app = app.map(|a| a.to_string());
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
        let records = items
            .into_iter()
            .skip(page_start(current, size))
            .take(size as usize)
            .map(|t| summary(data, t))
            .collect();
        Ok(page(records, total, current, size, false))
    })();
    match result {
        Ok(page) => b_ok(page),
        Err(r) => r.b(),
    }
}

/// `GET /v3/voice/group/call/detail/{id}`: family B; `-24` for an unknown id. Advances
/// the tasks first.
async fn detail(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return Refusal("-22").b();
    };
    let mut data = shared.lock();
    data.advance_tasks();
    let Some(task) = data.ivr.tasks.iter().find(|t| t.id == id) else {
        return Refusal("-24").b();
    };
    let (called, success, charged, duration) = status_of(&data, task);
    let percent = |n: u64| format!("{}%", (n * 100).checked_div(called).unwrap_or(0));
    let acd = duration.checked_div(success).unwrap_or(0).to_string();
    b_ok(json!({
        "jobId": task.id,
        "taskName": task.name,
        "displayNum": task.display_num,
        "text": task.text,
        "status": task.status,
        "rate": (if task.numbers.is_empty() { 0 } else { called * 100 / task.numbers.len() as u64 }).to_string(),
        "numCnt": task.numbers.len(),
        "chargeLen": charged,
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
        "callDuration": duration,
        "callLossNumRate": percent(called - success),
        "maxCalls": task.max_calls,
        "loopCount": task.loop_count,
        "lan": task.lan,
        "allCallToseatNum": 0,
        "callTotal": called,
        "acd": acd,
    }))
}

/// Applies `change` to every listed task, or to none: `-24` if one is unknown, `-54` if
/// `change` refuses one (it returns the new status, or `None`).
fn control(
    shared: &Shared,
    body: &Bytes,
    key: &str,
    change: impl Fn(u8) -> Option<u8>,
) -> Response {
    let result = (|| {
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
        Ok::<(), Refusal>(())
    })();
    match result {
        Ok(()) => b_ok(Value::Null),
        Err(r) => r.b(),
    }
}

/// `POST /v3/voice/group/call/provisional` with `jobIdList`: waiting or calling tasks are
/// paused (`5`); a paused one stays paused; a finished or cancelled one is `-54`.
async fn pause(State(shared): State<Shared>, body: Bytes) -> Response {
    control(&shared, &body, "jobIdList", |s| match s {
        0 | 1 | 5 | 6 => Some(5),
        _ => None,
    })
}

/// `POST /v3/voice/group/call/cancel` with `taskIdList`: waiting, calling or paused tasks
/// are cancelled (`4`, for good); a cancelled one stays cancelled; a finished one is `-54`.
async fn cancel(State(shared): State<Shared>, body: Bytes) -> Response {
    control(&shared, &body, "taskIdList", |s| match s {
        0 | 1 | 4 | 5 | 6 => Some(4),
        _ => None,
    })
}

/// `POST /v3/voice/group/call/resend`: a new task (new id, in `data`, family A) calling
/// the numbers of task `keyId` with the voice and settings sent. `-24` for an unknown
/// task, `-41` for one still waiting or calling (only finished, cancelled or paused tasks
/// are resent; the original keeps its status).
async fn resend(State(shared): State<Shared>, body: Bytes) -> Response {
    let result = (|| {
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
        let name = task_name(&data, &map)?;
        let voice = voice(&data, &map)?;
        room(&data, original.numbers.len(), voice.upload.is_some())?;
        Ok(add_task(
            &mut data,
            name,
            original.app_id,
            original.numbers,
            voice,
            settings,
            Some(original.id),
        ))
    })();
    match result {
        Ok(id) => a_ok(json!(id)),
        Err(r) => r.a(),
    }
}

fn iso(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn record_json(r: &CallRecord) -> Value {
    let region = if r.callee.starts_with("86") {
        "China(Mobile)"
    } else {
        "International"
    };
    json!({
        "voiceId": r.voice_id,
        "callee": r.callee,
        "displayNum": r.display_num,
        "code": region,
        "submitTime": iso(&r.submit_time),
        "callTime": iso(&r.call_time),
        "ringingTime": iso(&r.ringing_time),
        "answerTime": r.answer_time.as_ref().map(iso),
        "hangupTime": iso(&r.hangup_time),
        "callDuration": r.call_duration,
        "chargedDuration": r.charged_duration,
        "terminationCode": r.termination_code,
        "terminationReason": r.termination_reason,
        "cost": r.cost.to_string(),
        "billPeriod": "20+20",
        "rate": rate().to_string(),
        "baseCost": r.cost.to_string(),
        "voiceFileId": r.voice_file_id,
        "feedbackValue": "-1",
        "calledInfo": "",
        "currency": "EUR",
    })
}

/// `GET /v3/voice/recordGroup/{voiceId}`: family A; `-24` for an unknown id.
async fn record(State(shared): State<Shared>, Path(voice_id): Path<String>) -> Response {
    let data = shared.lock();
    let found = data
        .ivr
        .by_voice_id
        .get(&voice_id)
        .and_then(|&i| data.ivr.records.get(i));
    match found {
        Some(r) => a_ok(record_json(r)),
        None => Refusal("-24").a(),
    }
}

/// `POST /v3/voice/recordGroupQuery`: family A, newest first; `-22` for missing or
/// unreadable times or paging, `-25` for a window longer than 31 days or starting more
/// than two months ago.
async fn records(State(shared): State<Shared>, body: Bytes) -> Response {
    let selected = (|| {
        let map = object(&body)?;
        let (current, size) = paging(&map)?;
        let Some(Value::Object(params)) = map.get("params") else {
            return Err(Refusal("-22"));
        };
        let time = |key: &str| {
            text(params, key)
                .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
                .ok_or(Refusal("-22"))
        };
        let (start, end) = (time("strTime")?, time("endTime")?);
        if start > end {
            return Err(Refusal("-22"));
        }
        // Under the lock: one pass (over at most `Limits::ivr_numbers` records) noting
        // the time and index of each match; records are append-only, so an index stays
        // valid after the lock is released.
        let (matches, hook) = {
            let data = shared.lock();
            let now = at_china(data.now());
            let earliest = now.checked_sub_months(Months::new(2)).unwrap_or(now);
            if end - start > TimeDelta::days(MAX_RECORD_WINDOW_DAYS) || start < earliest {
                return Err(Refusal("-25"));
            }
            let matches: Vec<(DateTime<FixedOffset>, usize)> = data
                .ivr
                .records
                .iter()
                .enumerate()
                .filter(|(_, r)| r.submit_time >= start && r.submit_time <= end)
                .map(|(i, r)| (r.submit_time, i))
                .collect();
            (matches, data.read_hook())
        };
        // Outside the lock, and off the runtime's threads (so that it holds up neither
        // other requests nor the runtime's I/O): the sort, newest first. Voice ids grow
        // with the index, so the index orders records of the same second as the voice id
        // does.
        Ok((current, size, matches, hook))
    })();
    let (current, size, mut matches, hook) = match selected {
        Ok(selected) => selected,
        Err(r) => return r.a(),
    };
    let sorted = tokio::task::spawn_blocking(move || {
        hook();
        matches.sort_unstable_by(|a, b| b.cmp(a));
        let total = matches.len() as u64;
        let wanted: Vec<usize> = matches
            .into_iter()
            .skip(page_start(current, size))
            .take(size as usize)
            .map(|(_, i)| i)
            .collect();
        (total, wanted)
    })
    .await;
    let Ok((total, wanted)) = sorted else {
        return Refusal("-18").a();
    };
    // Under the lock again: a copy of the page's records only.
    let copied: Vec<CallRecord> = {
        let data = shared.lock();
        wanted
            .iter()
            .filter_map(|&i| data.ivr.records.get(i).cloned())
            .collect()
    };
    let records = copied.iter().map(record_json).collect();
    a_ok(page(records, total, current, size, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_strict() {
        assert_eq!(base64_decode("SUQzBAA=").unwrap(), b"ID3\x04\x00");
        assert_eq!(base64_decode("Zm9vYmFy").unwrap(), b"foobar");
        assert_eq!(base64_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64_decode("").unwrap(), b"");
        for bad in ["Zg=", "Zg==Zg==", "Z===", "Zm9v!mFy", "not base64"] {
            assert!(base64_decode(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn file_names() {
        assert!(valid_file_name("test.mp3"));
        assert!(valid_file_name("a.WAV"));
        assert!(!valid_file_name(".mp3"));
        assert!(!valid_file_name("test.ogg"));
        assert!(!valid_file_name(&format!("{}.mp3", "x".repeat(29))));
    }

    #[test]
    fn tasks_advance_one_step_per_read_and_complete_with_records() {
        let mut data = Data::new(1, None);
        let (file, done, scheduled, _) = data.seed_ivr();
        let records = data.ivr.records.len();
        assert!(data.ivr.files.iter().any(|f| f.id == file));
        let voice = Voice {
            source: 1,
            voice_file_id: Some(file),
            upload: None,
            text: None,
            lan: None,
        };
        let settings = Settings {
            display_num: None,
            send_time: None,
            loop_count: 1,
            max_calls: Some(10),
        };
        let id = add_task(
            &mut data,
            "t".into(),
            "app".into(),
            vec!["8613500000000".into(); 3],
            voice,
            settings,
            None,
        );
        let status = |data: &Data, id| data.ivr.tasks.iter().find(|t| t.id == id).unwrap().status;
        assert_eq!(status(&data, id), 0);
        data.advance_tasks();
        assert_eq!(status(&data, id), 1);
        data.advance_tasks();
        assert_eq!(status(&data, id), 2);
        assert_eq!(status(&data, done), 2);
        assert_eq!(status(&data, scheduled), 0, "its sendTime is a year ahead");
        let new: Vec<_> = data.ivr.records[records..].to_vec();
        assert_eq!(new.len(), 3);
        assert!(new.iter().all(|r| r.call_duration <= 10 && r.task_id == id));
    }

    #[test]
    fn task_totals_and_the_voice_id_index_match_the_records() {
        let mut data = Data::new(3, None);
        let (file, ..) = data.seed_ivr();
        for name in ["a", "b"] {
            let voice = Voice {
                source: 1,
                voice_file_id: Some(file.clone()),
                upload: None,
                text: None,
                lan: None,
            };
            let settings = Settings {
                display_num: None,
                send_time: None,
                loop_count: 1,
                max_calls: None,
            };
            let numbers = (0..50).map(|i| format!("86135{i:08}")).collect();
            add_task(
                &mut data,
                name.into(),
                "app".into(),
                numbers,
                voice,
                settings,
                None,
            );
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
            let counted = (
                mine.len() as u64,
                mine.iter().filter(|r| r.answered).count() as u64,
                mine.iter().map(|r| r.charged_duration).sum::<u64>(),
                mine.iter().map(|r| r.call_duration).sum::<u64>(),
            );
            assert_eq!(status_of(&data, task), counted, "task {}", task.id);
        }
        for (i, r) in data.ivr.records.iter().enumerate() {
            assert_eq!(data.ivr.by_voice_id.get(&r.voice_id), Some(&i));
        }
    }

    /// A signed Laaffic request to a sandbox at `url`.
    async fn signed(url: &str, method: &str, path: &str, body: Option<Value>) -> Value {
        let timestamp = DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).timestamp();
        let sign =
            voxkit_laaffic::signature(crate::LAAFFIC_API_KEY, crate::LAAFFIC_API_SECRET, timestamp);
        let http = voxkit_core::transport::http_client_builder()
            .unwrap()
            .build()
            .unwrap();
        let mut request = http
            .request(method.parse().unwrap(), format!("{url}{path}"))
            .header("Content-Type", "application/json")
            .header("Api-Key", crate::LAAFFIC_API_KEY)
            .header("Timestamp", timestamp)
            .header("Sign", sign);
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.unwrap();
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }

    /// Item 7 of issue 12: the long part of a record read (the sort) runs without the
    /// lock and off the runtime's threads; held still there by the test hook (a thread
    /// blocked, as a long sort blocks it), a balance request is still answered, even with
    /// the sandbox on one thread. Before, the read filtered, sorted
    /// and paged every record under the lock on that one thread: the balance waited.
    #[tokio::test]
    async fn a_balance_is_answered_while_a_big_record_read_is_in_flight() {
        use std::sync::{Arc, Mutex};
        use tokio::time::timeout;
        const GUARD: std::time::Duration = std::time::Duration::from_secs(30);

        // On a runtime of its own with one worker thread: the worst case, and the test's
        // guards keep running (on the test's runtime) if the sandbox's thread is stuck.
        let sandbox = crate::Sandbox::builder()
            .worker_threads(1)
            .start()
            .await
            .unwrap();
        {
            let mut data = sandbox.shared.lock();
            let file = data.ivr.files[0].id.clone();
            let voice = Voice {
                source: 1,
                voice_file_id: Some(file),
                upload: None,
                text: None,
                lan: None,
            };
            let settings = Settings {
                display_num: None,
                send_time: None,
                loop_count: 1,
                max_calls: None,
            };
            let numbers = (0..20_000).map(|i| format!("86135{i:08}")).collect();
            add_task(
                &mut data,
                "big".into(),
                "app".into(),
                numbers,
                voice,
                settings,
                None,
            );
            data.advance_tasks();
            data.advance_tasks();
            assert_eq!(data.ivr.records.len(), 20_002);
        }
        let (reached_tx, mut reached) = tokio::sync::mpsc::unbounded_channel();
        let (go_tx, go) = std::sync::mpsc::channel::<()>();
        let go = Mutex::new(go);
        sandbox.shared.lock().read_hook = Some(Arc::new(move || {
            let _ = reached_tx.send(());
            let _ = go.lock().unwrap().recv();
        }));

        let (done_tx, mut done) = tokio::sync::mpsc::unbounded_channel();
        let url = sandbox.url();
        let now = DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
        let query = json!({"current": 1, "size": 100, "params": {
            "strTime": (now - TimeDelta::days(1)).to_rfc3339(),
            "endTime": (now + TimeDelta::days(1)).to_rfc3339(),
        }});
        let big = tokio::spawn({
            let (url, done_tx) = (url.clone(), done_tx.clone());
            async move {
                let page = signed(&url, "POST", "/v3/voice/recordGroupQuery", Some(query)).await;
                done_tx.send("big read").unwrap();
                page
            }
        });
        timeout(GUARD, reached.recv())
            .await
            .expect("the read reached its long part")
            .unwrap();

        let balance = timeout(GUARD, signed(&url, "GET", "/v3/getBalance", None))
            .await
            .expect("the balance was answered while the read was in flight");
        assert_eq!(balance["status"], "0", "{balance}");
        done_tx.send("balance").unwrap();

        go_tx.send(()).unwrap();
        let page = timeout(GUARD, big).await.unwrap().unwrap();
        assert_eq!(page["status"], "0", "{page}");
        assert_eq!(page["data"]["total"], 20_002);
        assert_eq!(page["data"]["records"].as_array().unwrap().len(), 100);
        let order = [done.recv().await.unwrap(), done.recv().await.unwrap()];
        assert_eq!(order, ["balance", "big read"]);
    }
}
