//! `voxkit laaffic voice|task|tasks|records`: Laaffic IVR group calls (IVR群呼).
//!
//! Every rule the SDK knows is checked before anything is sent (exit code 2). Uploads,
//! task creations and resends are never sent twice: when their answer is lost the exit
//! code is 5 and the message says how to find out whether they were applied.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use serde_json::{Value, json};
use voxkit_laaffic::{
    CallRecord, Callee, Gender, Lan, NewTask, Page, PostCallSms, RecordQuery, Resend, TaskDetail,
    TaskId, TaskQuery, TaskStatus, TaskSummary, TaskType, VoiceSource,
};

use crate::app::Global;
use crate::failure::CliError;
use crate::laaffic::client;
use crate::pages::{PageInfo, footer};
use crate::render::{Align, Report, Table, cell, key_values, one_line, plural};

/// How far back `voxkit laaffic tasks` looks without `--from`.
const DEFAULT_TASK_DAYS: u64 = 30;

/// The most bytes of `--numbers-file` read (far more than the SDK's 200 000 numbers need).
const MAX_NUMBER_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// `voxkit laaffic voice <command>`.
#[derive(Debug, Subcommand)]
pub enum VoiceCommand {
    /// Upload a voice file (.mp3, .m4a or .wav; its name 5-32 characters) and print its
    /// voice file id. Never sent twice: if the answer is lost, the exit code is 5.
    Upload(Upload),
}

/// `voxkit laaffic task <command>`.
#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Create a group-call task and print its id. Never sent twice (exit code 5 if the
    /// answer is lost: task names are unique, `voxkit laaffic tasks --search NAME` tells).
    Create(Box<Create>),
    /// Show one task in detail.
    Show(TaskRef),
    /// Pause tasks (no resume exists). Safe to repeat.
    Pause(TaskRefs),
    /// Cancel tasks. Safe to repeat.
    Cancel(TaskRefs),
    /// Resend (recall) a task under a new name: a new round of calls. Never sent twice.
    Resend(Box<ResendArgs>),
}

/// The arguments of `voice upload`.
#[derive(Debug, Args)]
pub struct Upload {
    /// The voice file to upload.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The name to upload it under, with its extension (default: the file's name); unique
    /// per account.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

/// Where the voice of a task comes from: exactly one of these.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("voice").required(true).args(["voice_file", "tts", "upload"])))]
pub struct VoiceArgs {
    /// A voice file uploaded earlier (`voxkit laaffic voice upload`), by its id.
    #[arg(long, value_name = "ID")]
    voice_file: Option<String>,
    /// Text to speech (at most 1000 characters; `${text1}`..`${text5}` are filled per
    /// number); needs --lan.
    #[arg(long, value_name = "TEXT", requires = "lan")]
    tts: Option<String>,
    /// The language of --tts: VN, EN, JP, ARB, DE, IN, IT, KR, RU, ES, PT, IDN, BD, TH.
    #[arg(long, value_name = "CODE", requires = "tts")]
    lan: Option<String>,
    /// A voice file sent with the task (.mp3, .m4a or .wav; its name 5-32 characters).
    #[arg(long, value_name = "PATH")]
    upload: Option<PathBuf>,
}

impl VoiceArgs {
    fn source(&self) -> Result<VoiceSource, CliError> {
        if let Some(id) = &self.voice_file {
            return Ok(VoiceSource::file(id.as_str()));
        }
        if let (Some(text), Some(lan)) = (&self.tts, &self.lan) {
            return Ok(VoiceSource::text_to_speech(
                text.as_str(),
                Lan::from_code(lan),
            ));
        }
        match &self.upload {
            Some(path) => {
                let (name, content) = read_voice_file(path, None)?;
                Ok(VoiceSource::upload(name, content))
            }
            None => Err(CliError::invalid(
                "give --voice-file, --tts with --lan, or --upload",
            )),
        }
    }
}

/// When and how the calls are placed: the options `task create` and `task resend` share.
#[derive(Debug, Args)]
pub struct Schedule {
    /// The number shown to the callee, 0-20 digits.
    #[arg(long, value_name = "DIGITS")]
    display_num: Option<String>,
    /// Call at this time (the account's local time), "YYYY-MM-DD HH:MM:SS" (or with a
    /// `T`), instead of now.
    #[arg(long, value_name = "DATETIME")]
    send_time: Option<String>,
    /// A daily window in which calls may be placed, HH:MM-HH:MM (repeat for up to 3).
    #[arg(long = "window", value_name = "HH:MM-HH:MM")]
    windows: Vec<String>,
    /// How many times the voice is played, 1-9.
    #[arg(long, value_name = "N")]
    loop_count: Option<u32>,
    /// Hang up this many seconds after the call is answered, 1-999.
    #[arg(long, value_name = "SECS")]
    max_calls: Option<u32>,
}

/// The parsed [`Schedule`].
struct When {
    send_time: Option<NaiveDateTime>,
    windows: Vec<(NaiveTime, NaiveTime)>,
}

impl Schedule {
    fn parse(&self) -> Result<When, CliError> {
        let send_time = self
            .send_time
            .as_deref()
            .map(|t| parse_local("--send-time", t))
            .transpose()?;
        let windows = self
            .windows
            .iter()
            .map(|w| parse_window(w))
            .collect::<Result<_, _>>()?;
        Ok(When { send_time, windows })
    }
}

/// The arguments of `task create`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("callees").required(true).args(["numbers", "numbers_file"])))]
pub struct Create {
    /// The application id (appId).
    #[arg(long, env = "LAAFFIC_APP_ID", value_name = "ID")]
    app_id: String,
    /// The task name, 2-64 characters, unique (it is how a lost answer is checked).
    #[arg(long, value_name = "NAME")]
    name: String,
    /// The numbers to call, comma-separated: country code + number, 6-18 digits each.
    #[arg(long, value_name = "N1,N2,...", value_delimiter = ',')]
    numbers: Vec<String>,
    /// A file of numbers, one per line: `NUMBER[,TEXT1[,TEXT2...,TEXT5]]`, the texts filling
    /// `${text1}`..`${text5}` for that number; blank lines and lines starting with `#` are
    /// skipped.
    #[arg(long, value_name = "PATH")]
    numbers_file: Option<PathBuf>,
    #[command(flatten)]
    voice: VoiceArgs,
    #[command(flatten)]
    schedule: Schedule,
    /// Transfer answered calls to this seat group (toSeat, sipGroupId).
    #[arg(long, value_name = "ID")]
    seat_group: Option<u64>,
    /// Send an SMS after the call with this SMS application id (needs --sms-content and at
    /// least one trigger: --sms-on-key, --sms-on-success-after, --sms-on-failure,
    /// --sms-on-ringing).
    #[arg(long, value_name = "ID", requires = "sms_content")]
    sms_app: Option<String>,
    /// The post-call SMS text, at most 1000 characters (`${textN}` filled per number).
    #[arg(long, value_name = "TEXT", requires = "sms_app")]
    sms_content: Option<String>,
    /// The post-call SMS sender id, at most 32 characters.
    #[arg(long, value_name = "ID", requires = "sms_app")]
    sms_sender: Option<String>,
    /// Send the SMS when the callee presses this key (0-9).
    #[arg(long, value_name = "KEY", requires = "sms_app")]
    sms_on_key: Option<u8>,
    /// Send the SMS this many seconds (0-9999) after a successful call.
    #[arg(long, value_name = "SECS", requires = "sms_app")]
    sms_on_success_after: Option<u32>,
    /// Send the SMS when the call fails.
    #[arg(long, requires = "sms_app")]
    sms_on_failure: bool,
    /// Send the SMS when the call rang.
    #[arg(long, requires = "sms_app")]
    sms_on_ringing: bool,
}

/// One task id.
#[derive(Debug, Args)]
pub struct TaskRef {
    /// The task id (the `ID` column of `voxkit laaffic tasks`).
    #[arg(value_name = "ID")]
    id: u64,
}

/// Task ids.
#[derive(Debug, Args)]
pub struct TaskRefs {
    /// The task ids.
    #[arg(value_name = "ID", required = true, num_args = 1..)]
    ids: Vec<u64>,
}

/// The synthetic voice of a resend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenderArg {
    /// A male voice.
    Male,
    /// A female voice (the provider's default).
    Female,
}

/// The arguments of `task resend`.
#[derive(Debug, Args)]
pub struct ResendArgs {
    /// The task to resend.
    #[arg(value_name = "ID")]
    id: u64,
    /// The name of the new round, 2-64 characters.
    #[arg(long, value_name = "NAME")]
    name: String,
    #[command(flatten)]
    voice: VoiceArgs,
    #[command(flatten)]
    schedule: Schedule,
    /// Text-to-speech speed, 0.25 to 4.
    #[arg(long, value_name = "RATE")]
    speaking_rate: Option<f64>,
    /// The synthetic voice.
    #[arg(long, value_enum, value_name = "GENDER")]
    gender: Option<GenderArg>,
    /// The accent.
    #[arg(long, value_name = "ACCENT")]
    accent: Option<String>,
    /// Seconds before playing, 0-999.
    #[arg(long, value_name = "SECS")]
    delay_play: Option<u32>,
    /// Seconds before hanging up, 0-999.
    #[arg(long, value_name = "SECS")]
    delay_hangup: Option<u32>,
    /// Seconds of ringing, 20-120.
    #[arg(long, value_name = "SECS")]
    max_ringing: Option<u32>,
}

/// A task status, as `--status` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// 0 等待提交.
    Waiting,
    /// 1 呼叫中.
    Calling,
    /// 2 任务完成.
    Completed,
    /// 3 提交失败.
    SubmitFailed,
    /// 4 任务取消.
    Cancelled,
    /// 5 任务暂停.
    Paused,
    /// 6 提交中.
    Submitting,
}

impl From<StatusArg> for TaskStatus {
    fn from(status: StatusArg) -> TaskStatus {
        match status {
            StatusArg::Waiting => TaskStatus::Waiting,
            StatusArg::Calling => TaskStatus::Calling,
            StatusArg::Completed => TaskStatus::Completed,
            StatusArg::SubmitFailed => TaskStatus::SubmitFailed,
            StatusArg::Cancelled => TaskStatus::Cancelled,
            StatusArg::Paused => TaskStatus::Paused,
            StatusArg::Submitting => TaskStatus::Submitting,
        }
    }
}

/// The arguments of `tasks`.
#[derive(Debug, Args)]
pub struct TaskList {
    /// Tasks created from this time, "YYYY-MM-DD HH:MM:SS", `YYYY-MM-DDTHH:MM:SS` or
    /// YYYY-MM-DD (default: 30 days ago).
    #[arg(long, value_name = "DATETIME")]
    from: Option<String>,
    /// Tasks created until this time (default: tomorrow).
    #[arg(long, value_name = "DATETIME")]
    to: Option<String>,
    /// Only tasks in this state (repeat for several).
    #[arg(long, value_enum, value_name = "STATUS")]
    status: Vec<StatusArg>,
    /// A fuzzy match on the task name, voice file name or text.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Only this application's tasks (idxAppId).
    #[arg(long, value_name = "ID")]
    app: Option<u64>,
    /// The page, from 1.
    #[arg(long, value_name = "N", default_value_t = 1)]
    page: u32,
    /// Tasks per page, 1-100.
    #[arg(long, value_name = "N", default_value_t = 10)]
    size: u32,
}

/// The arguments of `records`.
#[derive(Debug, Args)]
pub struct Records {
    /// One record, by its voice id (else give --from and --to).
    #[arg(value_name = "VOICE_ID", conflicts_with_all = ["from", "to", "page", "size"])]
    voice_id: Option<String>,
    /// The start of the window: RFC 3339 (`2026-03-01T00:00:00+08:00`), or a time or day
    /// without an offset, taken as UTC.
    #[arg(
        long,
        value_name = "DATETIME",
        required_unless_present = "voice_id",
        requires = "to"
    )]
    from: Option<String>,
    /// The end of the window (at most 31 days after --from).
    #[arg(
        long,
        value_name = "DATETIME",
        required_unless_present = "voice_id",
        requires = "from"
    )]
    to: Option<String>,
    /// The page, from 1.
    #[arg(long, value_name = "N")]
    page: Option<u32>,
    /// Records per page, 1-100 (default 25).
    #[arg(long, value_name = "N")]
    size: Option<u32>,
}

// ----- commands ------------------------------------------------------------------------

/// Runs `voxkit laaffic voice ...`.
pub async fn voice(command: VoiceCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        VoiceCommand::Upload(args) => {
            let (name, content) = read_voice_file(&args.file, args.name.as_deref())?;
            let id = client(global)?
                .upload_voice_file(&name, &content)
                .await
                .map_err(|e| {
                    CliError::from(e).check_with(|| {
                        format!(
                            "voice file names are unique: upload it again under the same \
                             --name {name:?}; a refusal -20 (data exists) means the first \
                             upload was applied"
                        )
                    })
                })?;
            Ok(Report::new(
                json!({"voice_file_id": id.as_str(), "name": name, "bytes": content.len()}),
                key_values(&[
                    ("voice_file_id", id.to_string()),
                    ("name", name),
                    ("bytes", content.len().to_string()),
                ]),
            ))
        }
    }
}

/// Runs `voxkit laaffic task ...`.
pub async fn task(command: TaskCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        TaskCommand::Create(args) => create(*args, global).await,
        TaskCommand::Show(args) => {
            let detail = client(global)?.task_detail(TaskId(args.id)).await?;
            Ok(Report::new(
                json!({"task": detail_json(&detail)}),
                detail_text(&detail),
            ))
        }
        TaskCommand::Pause(args) => {
            let ids: Vec<TaskId> = args.ids.iter().copied().map(TaskId).collect();
            client(global)?
                .pause_tasks(&ids)
                .await
                .map_err(|e| refused_control(e, &args.ids))?;
            Ok(Report::new(
                json!({"paused": args.ids}),
                format!("paused {}", id_list(&args.ids)),
            ))
        }
        TaskCommand::Cancel(args) => {
            let ids: Vec<TaskId> = args.ids.iter().copied().map(TaskId).collect();
            client(global)?
                .cancel_tasks(&ids)
                .await
                .map_err(|e| refused_control(e, &args.ids))?;
            Ok(Report::new(
                json!({"cancelled": args.ids}),
                format!("cancelled {}", id_list(&args.ids)),
            ))
        }
        TaskCommand::Resend(args) => resend(*args, global).await,
    }
}

/// A refused pause or cancel: the hint says where to look, since a retry after a lost
/// answer may be refused although the first attempt was applied.
fn refused_control(error: voxkit_core::Error, ids: &[u64]) -> CliError {
    let error = CliError::from(error);
    if error.exit_code != crate::failure::EXIT_REFUSED {
        return error;
    }
    let shows: Vec<String> = ids
        .iter()
        .map(|id| format!("`voxkit laaffic task show {id}`"))
        .collect();
    error.hint(format!(
        "see each task's status with {}: a finished task cannot be paused or cancelled, and \
         one already paused or cancelled may be why",
        shows.join(", ")
    ))
}

fn id_list(ids: &[u64]) -> String {
    let list: Vec<String> = ids.iter().map(u64::to_string).collect();
    format!(
        "{} {}",
        if ids.len() == 1 { "task" } else { "tasks" },
        list.join(", ")
    )
}

/// The task `task create` sends, and how many numbers it calls.
fn build_task(args: &Create) -> Result<(NewTask, usize), CliError> {
    let callees = match &args.numbers_file {
        Some(path) => read_numbers_file(path)?,
        None => args.numbers.iter().map(|n| Callee::new(n.trim())).collect(),
    };
    let count = callees.len();
    let source = args.voice.source()?;
    let when = args.schedule.parse()?;
    let mut task = NewTask::new(args.app_id.as_str(), args.name.as_str(), source, callees);
    if let Some(number) = &args.schedule.display_num {
        task = task.display_number(number.as_str());
    }
    if let Some(at) = when.send_time {
        task = task.send_at(at);
    }
    for (start, end) in when.windows {
        task = task.allow_between(start, end);
    }
    if let Some(n) = args.schedule.loop_count {
        task = task.loop_count(n);
    }
    if let Some(secs) = args.schedule.max_calls {
        task = task.max_call_seconds(secs);
    }
    if let Some(group) = args.seat_group {
        task = task.transfer_to_seat(group);
    }
    if let (Some(app), Some(content)) = (&args.sms_app, &args.sms_content) {
        let mut sms = PostCallSms::new(app.as_str(), content.as_str());
        if let Some(sender) = &args.sms_sender {
            sms = sms.sender_id(sender.as_str());
        }
        if let Some(key) = args.sms_on_key {
            sms = sms.on_key(key);
        }
        if let Some(secs) = args.sms_on_success_after {
            sms = sms.on_success_after(secs);
        }
        if args.sms_on_failure {
            sms = sms.on_failure();
        }
        if args.sms_on_ringing {
            sms = sms.on_ringing();
        }
        task = task.post_call_sms(sms);
    }
    Ok((task, count))
}

async fn create(args: Create, global: &Global) -> Result<Report, CliError> {
    let (task, count) = build_task(&args)?;
    let name = args.name;
    let id = client(global)?.create_task(&task).await.map_err(|e| {
        CliError::from(e).check_with(|| {
            format!(
                "task names are unique: run `voxkit laaffic tasks --search {name:?}`; a task of \
                 that name means it was created, none means it was not and it may be created again"
            )
        })
    })?;
    Ok(Report::new(
        json!({"task_id": id.map(|id| id.0), "name": name, "numbers": count}),
        match id {
            Some(id) => format!(
                "created task {id} {:?} calling {}",
                one_line(&name),
                plural(count, "number", "numbers")
            ),
            None => format!(
                "created task {:?} calling {} (the provider sent no id: `voxkit laaffic tasks \
                 --search` finds it)",
                one_line(&name),
                plural(count, "number", "numbers")
            ),
        },
    ))
}

/// The resend `task resend` sends.
fn build_resend(args: &ResendArgs) -> Result<Resend, CliError> {
    let source = args.voice.source()?;
    let when = args.schedule.parse()?;
    let mut resend = Resend::new(TaskId(args.id), args.name.as_str(), source);
    if let Some(number) = &args.schedule.display_num {
        resend = resend.display_number(number.as_str());
    }
    if let Some(at) = when.send_time {
        resend = resend.send_at(at);
    }
    for (start, end) in when.windows {
        resend = resend.allow_between(start, end);
    }
    if let Some(n) = args.schedule.loop_count {
        resend = resend.loop_count(n);
    }
    if let Some(secs) = args.schedule.max_calls {
        resend = resend.max_call_seconds(secs);
    }
    if let Some(rate) = args.speaking_rate {
        resend = resend.speaking_rate(rate);
    }
    if let Some(gender) = args.gender {
        resend = resend.gender(match gender {
            GenderArg::Male => Gender::Male,
            GenderArg::Female => Gender::Female,
        });
    }
    if let Some(accent) = &args.accent {
        resend = resend.accent(accent.as_str());
    }
    if let Some(secs) = args.delay_play {
        resend = resend.delay_play(secs);
    }
    if let Some(secs) = args.delay_hangup {
        resend = resend.delay_hangup(secs);
    }
    if let Some(secs) = args.max_ringing {
        resend = resend.max_ringing_seconds(secs);
    }
    Ok(resend)
}

async fn resend(args: ResendArgs, global: &Global) -> Result<Report, CliError> {
    let resend = build_resend(&args)?;
    let name = args.name;
    let original = args.id;
    let id = client(global)?.resend_task(&resend).await.map_err(|e| {
        CliError::from(e).check_with(|| {
            format!(
                "run `voxkit laaffic tasks --search {name:?}`: a task of that name means the \
                 resend was applied; none means it was not and it may be sent again"
            )
        })
    })?;
    Ok(Report::new(
        json!({"resent": original, "task_id": id.map(|id| id.0), "name": name}),
        match id {
            Some(id) => format!("resent task {original} as task {id} {:?}", one_line(&name)),
            None => format!("resent task {original} as {:?}", one_line(&name)),
        },
    ))
}

/// Runs `voxkit laaffic tasks`.
pub async fn tasks(args: TaskList, global: &Global) -> Result<Report, CliError> {
    let now = DateTime::<Utc>::from(SystemTime::now()).naive_utc();
    let from = match &args.from {
        Some(text) => parse_local("--from", text)?,
        None => now - Duration::from_secs(DEFAULT_TASK_DAYS * 86_400),
    };
    let to = match &args.to {
        Some(text) => parse_local("--to", text)?,
        None => now + Duration::from_secs(86_400),
    };
    let mut query = TaskQuery::new(from, to)
        .page(args.page, args.size)
        .statuses(args.status.iter().copied().map(TaskStatus::from));
    if let Some(search) = &args.search {
        query = query.search(search.as_str());
    }
    if let Some(app) = args.app {
        query = query.app(app);
    }
    let page = client(global)?.query_tasks(&query).await?;
    Ok(Report::new(
        json!({
            "from": local_text(from),
            "to": local_text(to),
            "page": args.page,
            "size": args.size,
            "total": page.total,
            "pages": page.pages,
            "meta": page_meta(&page),
            "tasks": page.records.iter().map(summary_json).collect::<Vec<_>>(),
        }),
        tasks_text(&page),
    ))
}

/// Runs `voxkit laaffic records`.
pub async fn records(args: Records, global: &Global) -> Result<Report, CliError> {
    if let Some(voice_id) = &args.voice_id {
        let record = client(global)?.call_record(voice_id).await?;
        return Ok(Report::new(
            json!({"record": record_json(&record)}),
            record_text(&record),
        ));
    }
    let (Some(from), Some(to)) = (&args.from, &args.to) else {
        return Err(CliError::invalid("give a voice id, or --from and --to"));
    };
    let from = parse_zoned("--from", from)?;
    let to = parse_zoned("--to", to)?;
    let mut query = RecordQuery::new(from, to);
    let (current, size) = (args.page.unwrap_or(1), args.size.unwrap_or(25));
    if args.page.is_some() || args.size.is_some() {
        query = query.page(current, size);
    }
    let page = client(global)?.call_records(&query).await?;
    Ok(Report::new(
        json!({
            "from": from.to_rfc3339(),
            "to": to.to_rfc3339(),
            "page": current,
            "size": size,
            "total": page.total,
            "pages": page.pages,
            "meta": page_meta(&page),
            "records": page.records.iter().map(record_json).collect::<Vec<_>>(),
        }),
        records_text(&page),
    ))
}

// ----- input ---------------------------------------------------------------------------

/// Reads a voice file; its upload name is `name` or the file's own name.
fn read_voice_file(
    path: &std::path::Path,
    name: Option<&str>,
) -> Result<(String, Vec<u8>), CliError> {
    let name = match name {
        Some(name) => name.to_owned(),
        None => path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
            .ok_or_else(|| CliError::invalid("the voice file's path has no UTF-8 file name"))?,
    };
    let content = std::fs::read(path).map_err(|e| {
        CliError::invalid(format!(
            "the voice file {} cannot be read: {e}",
            path.display()
        ))
    })?;
    Ok((name, content))
}

/// Reads `--numbers-file`: `NUMBER[,TEXT1..,TEXT5]` per line.
fn read_numbers_file(path: &std::path::Path) -> Result<Vec<Callee>, CliError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| {
        CliError::invalid(format!(
            "the numbers file {} cannot be read: {e}",
            path.display()
        ))
    })?;
    let mut text = String::new();
    file.take(MAX_NUMBER_FILE_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| {
            CliError::invalid(format!(
                "the numbers file {} cannot be read: {e}",
                path.display()
            ))
        })?;
    parse_numbers(&text)
}

/// The callees of a numbers file's text.
fn parse_numbers(text: &str) -> Result<Vec<Callee>, CliError> {
    let mut callees = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split(',');
        let number = fields.next().unwrap_or_default().trim();
        let mut callee = Callee::new(number);
        for (n, value) in (1u8..).zip(fields) {
            if n > 5 {
                return Err(CliError::invalid(format!(
                    "numbers file line {}: at most 5 texts follow the number",
                    i + 1
                )));
            }
            let value = value.trim();
            if !value.is_empty() {
                callee = callee.text(n, value);
            }
        }
        callees.push(callee);
    }
    Ok(callees)
}

/// A local date-time: `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD`
/// (midnight).
fn parse_local(flag: &str, text: &str) -> Result<NaiveDateTime, CliError> {
    let text = text.trim();
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(at);
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_time(NaiveTime::MIN));
    }
    Err(CliError::invalid(format!(
        "{flag}: {:?} is not a date-time (YYYY-MM-DD HH:MM:SS)",
        one_line(text)
    )))
}

/// A date-time with an offset (RFC 3339), or a local one taken as UTC.
fn parse_zoned(flag: &str, text: &str) -> Result<DateTime<FixedOffset>, CliError> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(at);
    }
    parse_local(flag, text)
        .map(|at| at.and_utc().fixed_offset())
        .map_err(|_| {
            CliError::invalid(format!(
                "{flag}: {:?} is not a date-time (e.g. 2026-03-01T00:00:00+08:00)",
                one_line(text)
            ))
        })
}

/// `HH:MM-HH:MM`.
fn parse_window(text: &str) -> Result<(NaiveTime, NaiveTime), CliError> {
    let bad = || {
        CliError::invalid(format!(
            "--window: {:?} is not a window HH:MM-HH:MM",
            one_line(text)
        ))
    };
    let (start, end) = text.trim().split_once('-').ok_or_else(bad)?;
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
    Ok((time(start)?, time(end)?))
}

// ----- output --------------------------------------------------------------------------

/// A task status's stable name in JSON and text.
pub fn status_name(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Waiting => "waiting",
        TaskStatus::Calling => "calling",
        TaskStatus::Completed => "completed",
        TaskStatus::SubmitFailed => "submit_failed",
        TaskStatus::Cancelled => "cancelled",
        TaskStatus::Paused => "paused",
        TaskStatus::Submitting => "submitting",
        _ => "unknown",
    }
}

fn status_cell(status: Option<TaskStatus>) -> String {
    match status {
        Some(TaskStatus::Unknown(code)) => format!("unknown ({code})"),
        Some(status) => status_name(status).to_owned(),
        None => "-".to_owned(),
    }
}

fn type_name(kind: TaskType) -> &'static str {
    match kind {
        TaskType::Ivr => "ivr",
        TaskType::Ai => "ai",
        TaskType::AiAgent => "ai_agent",
        _ => "unknown",
    }
}

fn local_text(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn opt_local(at: Option<NaiveDateTime>) -> Option<String> {
    at.map(local_text)
}

fn num(n: Option<u64>) -> String {
    n.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

/// One task of the list: `{"task_id", "name", "status", "status_name", "rate", "numbers",
/// "called", "success", "fail", "created", "type"}`.
pub fn summary_json(task: &TaskSummary) -> Value {
    json!({
        "task_id": task.task_id.0,
        "name": task.task_name,
        "status": task.status.map(TaskStatus::code),
        "status_name": task.status.map(status_name),
        "rate": task.rate,
        "numbers": task.num_cnt,
        "called": task.call_num,
        "success": task.success,
        "fail": task.fail,
        "created": opt_local(task.created_time),
        "type": task.task_type.map(type_name),
    })
}

/// The task list as a table.
pub fn tasks_text(page: &Page<TaskSummary>) -> String {
    if page.records.is_empty() {
        return "no tasks".to_owned();
    }
    let mut table = Table::new(&[
        ("ID", Align::Right),
        ("NAME", Align::Left),
        ("STATUS", Align::Left),
        ("NUMBERS", Align::Right),
        ("CALLED", Align::Right),
        ("SUCCESS", Align::Right),
        ("FAIL", Align::Right),
        ("CREATED", Align::Left),
    ]);
    for task in &page.records {
        table.row(vec![
            task.task_id.to_string(),
            cell(task.task_name.as_deref()),
            status_cell(task.status),
            num(task.num_cnt),
            num(task.call_num),
            num(task.success),
            num(task.fail),
            cell(opt_local(task.created_time).as_deref()),
        ]);
    }
    let mut text = table.render();
    text.push('\n');
    text.push_str(&page_line(page, "task", "tasks"));
    text
}

fn page_line<T>(page: &Page<T>, one: &str, many: &str) -> String {
    footer(page.records.len(), one, many, page_info(page).as_ref())
}

/// Where a page of tasks or records stands, from the answer's `current`, `pages` and
/// `total` (none of these lists has `--all`).
fn page_info<T>(page: &Page<T>) -> Option<PageInfo> {
    match (page.current, page.pages) {
        (Some(current), Some(pages)) => Some(PageInfo::known(
            current.max(1),
            pages.max(1),
            page.total,
            false,
        )),
        _ => page.total.map(|total| PageInfo {
            current: page.current.unwrap_or(1),
            last: None,
            total: Some(total),
            more: page
                .size
                .map(|size| page.current.unwrap_or(1).saturating_mul(size) < total),
            all_flag: false,
        }),
    }
}

/// The `meta` object of a list's JSON (`null` when the answer says nothing of its pages).
fn page_meta<T>(page: &Page<T>) -> Value {
    page_info(page).map_or(Value::Null, |info| info.json())
}

/// A task in detail; `baseFile` (an upload's content) is replaced by its length.
pub fn detail_json(task: &TaskDetail) -> Value {
    json!({
        "task_id": task.job_id.0,
        "name": task.task_name,
        "status": task.status.map(TaskStatus::code),
        "status_name": task.status.map(status_name),
        "rate": task.rate,
        "numbers": task.num_cnt,
        "call_total": task.call_total,
        "success": task.success,
        "fail": task.fail,
        "success_rate": task.success_rate,
        "to_seat": task.toseat_num,
        "to_seat_rate": task.toseat_num_rate,
        "call_loss": task.call_loss_num,
        "call_loss_rate": task.call_loss_num_rate,
        "key_feedback": task.key_feedback_num,
        "charge_len": task.charge_len,
        "call_duration": task.call_duration,
        "acd": task.acd,
        "display_num": task.display_num,
        "app_id": task.app_id,
        "source": task.source.map(|s| s.code()),
        "voice_file_id": task.voice_file_id,
        "upload_name": task.upload_name,
        "upload_bytes_base64": task.base_file.as_ref().map(String::len),
        "text": task.text,
        "lan": task.lan.as_ref().map(|l| l.code().to_owned()),
        "loop_count": task.loop_count,
        "max_calls": task.max_calls,
        "callout_rate": task.callout_rate,
        "code": task.code,
        "send_time": opt_local(task.send_time),
        "created": opt_local(task.created_time),
        "modified": opt_local(task.mdf_time),
        "finished": opt_local(task.finish_time),
    })
}

/// A task in detail as aligned lines (absent fields left out).
pub fn detail_text(task: &TaskDetail) -> String {
    fields_text(
        &detail_json(task),
        &["task_id", "name", "status_name"],
        &["status"],
    )
}

/// An object's fields as aligned lines: `first` in that order, then the others by name;
/// `null` and the `skip` keys left out, empty texts shown as `-`.
fn fields_text(json: &Value, first: &[&str], skip: &[&str]) -> String {
    let mut pairs: Vec<(&str, String)> = json
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .filter_map(|(k, v)| match v {
            Value::Null => None,
            Value::String(s) => Some((k.as_str(), cell(Some(s)))),
            other => Some((k.as_str(), other.to_string())),
        })
        .collect();
    // serde_json's map is sorted by key; the stable sort keeps that order after `first`.
    pairs.sort_by_key(|(k, _)| first.iter().position(|f| f == k).unwrap_or(first.len()));
    key_values(&pairs)
}

fn dec(d: Option<rust_decimal::Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn iso(at: Option<DateTime<FixedOffset>>) -> Option<String> {
    at.map(|at| at.to_rfc3339())
}

/// One call record; decimals as exact strings, times as RFC 3339 with the sent offset.
pub fn record_json(record: &CallRecord) -> Value {
    json!({
        "voice_id": record.voice_id,
        "callee": record.callee,
        "display_num": record.display_num,
        "code": record.code,
        "submit_time": iso(record.submit_time),
        "call_time": iso(record.call_time),
        "ringing_time": iso(record.ringing_time),
        "answer_time": iso(record.answer_time),
        "hangup_time": iso(record.hangup_time),
        "call_duration": record.call_duration,
        "charged_duration": record.charged_duration,
        "termination_code": record.termination_code,
        "termination_reason": record.termination_reason,
        "cost": dec(record.cost.or(record.cost_eur)),
        "currency": record.currency,
        "bill_period": record.bill_period,
        "rate": dec(record.rate),
        "base_cost": dec(record.base_cost),
        "voice_file_id": record.voice_file_id,
        "feedback_value": record.feedback_value,
        "called_info": record.called_info,
        "settle_rate": dec(record.settle_rate),
        "quote_exchange": dec(record.quote_exchange),
        "settle_pay": dec(record.settle_pay),
    })
}

/// One call record as aligned lines (absent fields left out).
pub fn record_text(record: &CallRecord) -> String {
    fields_text(
        &record_json(record),
        &[
            "voice_id",
            "callee",
            "display_num",
            "termination_code",
            "termination_reason",
            "call_duration",
            "cost",
            "currency",
        ],
        &[],
    )
}

/// A page of call records as a table.
pub fn records_text(page: &Page<CallRecord>) -> String {
    if page.records.is_empty() {
        return "no records in this window".to_owned();
    }
    let mut table = Table::new(&[
        ("VOICE ID", Align::Left),
        ("CALLEE", Align::Left),
        ("CALL TIME", Align::Left),
        ("SECS", Align::Right),
        ("RESULT", Align::Left),
        ("COST", Align::Right),
    ]);
    for record in &page.records {
        let result = match (&record.termination_code, &record.termination_reason) {
            (Some(code), Some(reason)) => format!("{code} {reason}"),
            (Some(code), None) => code.clone(),
            (None, reason) => cell(reason.as_deref()),
        };
        let cost = match (dec(record.cost.or(record.cost_eur)), &record.currency) {
            (Some(cost), Some(currency)) => format!("{cost} {currency}"),
            (cost, _) => cell(cost.as_deref()),
        };
        table.row(vec![
            record.voice_id.clone(),
            cell(record.callee.as_deref()),
            cell(iso(record.call_time).as_deref()),
            num(record.call_duration),
            result,
            cost,
        ]);
    }
    let mut text = table.render();
    text.push('\n');
    text.push_str(&page_line(page, "record", "records"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_files_take_texts_and_skip_comments() {
        let callees = parse_numbers("# header\n\n8613800000001\n8613800000002, Ann ,,x\n").unwrap();
        assert_eq!(callees.len(), 2);
        assert_eq!(callees[0], Callee::new("8613800000001"));
        assert_eq!(
            callees[1],
            Callee::new("8613800000002").text(1, "Ann").text(3, "x")
        );
        assert!(parse_numbers("1234567,a,b,c,d,e,f").is_err());
    }

    #[test]
    fn dates_and_windows() {
        let at = parse_local("--from", "2026-03-01 08:30:00").unwrap();
        assert_eq!(local_text(at), "2026-03-01 08:30:00");
        assert_eq!(parse_local("--from", "2026-03-01T08:30:00").unwrap(), at);
        assert_eq!(
            local_text(parse_local("--from", "2026-03-01").unwrap()),
            "2026-03-01 00:00:00"
        );
        assert!(parse_local("--from", "yesterday").is_err());
        assert_eq!(
            parse_zoned("--from", "2026-03-01T08:30:00+08:00")
                .unwrap()
                .to_rfc3339(),
            "2026-03-01T08:30:00+08:00"
        );
        assert_eq!(
            parse_zoned("--from", "2026-03-01 08:30:00")
                .unwrap()
                .to_rfc3339(),
            "2026-03-01T08:30:00+00:00"
        );
        let (start, end) = parse_window("09:00-18:30").unwrap();
        assert_eq!(
            (start.to_string(), end.to_string()),
            ("09:00:00".into(), "18:30:00".into())
        );
        for bad in ["9-18", "09:00", "25:00-26:00", ""] {
            assert!(parse_window(bad).is_err(), "{bad}");
        }
    }

    use crate::app::{Cli, Command};
    use crate::laaffic::Command as Laaffic;
    use clap::Parser as _;

    fn parse_task(args: &[&str]) -> TaskCommand {
        let cli = Cli::try_parse_from(["voxkit", "laaffic", "task"].iter().chain(args)).unwrap();
        match cli.command {
            Command::Laaffic(Laaffic::Task(task)) => task,
            other => panic!("{other:?}"),
        }
    }

    fn time(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

    #[test]
    fn create_sends_every_option_given() {
        let TaskCommand::Create(args) = parse_task(&[
            "create",
            "--app-id",
            "app1",
            "--name",
            "every",
            "--numbers",
            "8613800000001, 8613800000002",
            "--tts",
            "Hi ${text1}",
            "--lan",
            "EN",
            "--display-num",
            "123",
            "--send-time",
            "2026-03-01 08:30:00",
            "--window",
            "09:00-12:00",
            "--window",
            "14:00-18:00",
            "--loop-count",
            "3",
            "--max-calls",
            "60",
            "--seat-group",
            "7",
            "--sms-app",
            "s1",
            "--sms-content",
            "Bye",
            "--sms-sender",
            "VOX",
            "--sms-on-key",
            "1",
            "--sms-on-success-after",
            "5",
            "--sms-on-failure",
            "--sms-on-ringing",
        ]) else {
            panic!("not a create")
        };
        let (task, count) = build_task(&args).unwrap();
        assert_eq!(count, 2);
        let expected = NewTask::new(
            "app1",
            "every",
            VoiceSource::text_to_speech("Hi ${text1}", Lan::English),
            [Callee::new("8613800000001"), Callee::new("8613800000002")],
        )
        .display_number("123")
        .send_at(parse_local("x", "2026-03-01 08:30:00").unwrap())
        .allow_between(time("09:00"), time("12:00"))
        .allow_between(time("14:00"), time("18:00"))
        .loop_count(3)
        .max_call_seconds(60)
        .transfer_to_seat(7)
        .post_call_sms(
            PostCallSms::new("s1", "Bye")
                .sender_id("VOX")
                .on_key(1)
                .on_success_after(5)
                .on_failure()
                .on_ringing(),
        );
        assert_eq!(task, expected);
    }

    #[test]
    fn resend_sends_every_override_given() {
        let TaskCommand::Resend(args) = parse_task(&[
            "resend",
            "42",
            "--name",
            "again",
            "--voice-file",
            "f.mp3",
            "--display-num",
            "1",
            "--send-time",
            "2026-03-01T08:30:00",
            "--window",
            "09:00-10:00",
            "--loop-count",
            "2",
            "--max-calls",
            "9",
            "--speaking-rate",
            "1.5",
            "--gender",
            "female",
            "--accent",
            "us",
            "--delay-play",
            "1",
            "--delay-hangup",
            "2",
            "--max-ringing",
            "30",
        ]) else {
            panic!("not a resend")
        };
        let expected = Resend::new(TaskId(42), "again", VoiceSource::file("f.mp3"))
            .display_number("1")
            .send_at(parse_local("x", "2026-03-01 08:30:00").unwrap())
            .allow_between(time("09:00"), time("10:00"))
            .loop_count(2)
            .max_call_seconds(9)
            .speaking_rate(1.5)
            .gender(Gender::Female)
            .accent("us")
            .delay_play(1)
            .delay_hangup(2)
            .max_ringing_seconds(30);
        assert_eq!(build_resend(&args).unwrap(), expected);
    }

    #[test]
    fn json_shapes_are_stable() {
        let task: TaskSummary = serde_json::from_str(
            r#"{"jobId":"5000602","taskName":"t","status":2,"rate":"100","numCnt":2,
                "callNum":2,"success":1,"fail":1,"createdTime":"2026-03-01 08:30:00","taskType":1}"#,
        )
        .unwrap();
        assert_eq!(
            summary_json(&task),
            json!({
                "task_id": 5_000_602, "name": "t", "status": 2, "status_name": "completed",
                "rate": "100", "numbers": 2, "called": 2, "success": 1, "fail": 1,
                "created": "2026-03-01 08:30:00", "type": "ivr",
            })
        );
        let record: CallRecord = serde_json::from_str(
            r#"{"voiceId":"2603010830001000002","callee":"8613500000000","cost":"0.0400",
                "callTime":"2026-03-01T08:30:01+08:00","callDuration":36,"currency":"EUR"}"#,
        )
        .unwrap();
        let json = record_json(&record);
        assert_eq!(json["voice_id"], "2603010830001000002");
        assert_eq!(json["cost"], "0.0400", "exact, as sent");
        assert_eq!(json["call_time"], "2026-03-01T08:30:01+08:00");
        assert_eq!(json["call_duration"], 36);
        assert_eq!(json["answer_time"], Value::Null);
        assert_eq!(json.as_object().unwrap().len(), 24);
        let text = record_text(&record);
        assert!(
            text.starts_with("voice_id       2603010830001000002\n"),
            "{text}"
        );
        assert!(
            !text.contains("answer_time"),
            "absent fields are left out: {text}"
        );
    }

    #[test]
    fn status_names_are_stable() {
        assert_eq!(status_name(TaskStatus::Completed), "completed");
        assert_eq!(status_cell(Some(TaskStatus::Unknown(9))), "unknown (9)");
        assert_eq!(
            TaskStatus::from(StatusArg::SubmitFailed),
            TaskStatus::SubmitFailed
        );
    }
}
