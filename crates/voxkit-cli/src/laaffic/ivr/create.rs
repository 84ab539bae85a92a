//! `task create` and `task resend`: both start a round of calls, so they share the voice,
//! the schedule and how a lost answer is checked (task names are unique). Never sent
//! twice: when the answer is lost the exit code is 5. `task update` (safe to repeat) takes
//! the same voice and schedule options, so it is here too.

use std::path::PathBuf;

use chrono::{NaiveDateTime, NaiveTime};
use clap::{ArgGroup, Args, ValueEnum};
use serde_json::json;
use voxkit_laaffic::{
    Callee, Gender, Lan, NewTask, PostCallSms, Resend, TaskId, TaskUpdate, VoiceSource,
};

use super::voices::read_voice_file;
use super::{parse_local, parse_window};
use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::input::with_some;
use crate::render::laaffic::updated_report;
use crate::render::{Report, one_line, plural};

/// The most bytes of `--numbers-file` read (far more than the SDK's 200 000 numbers need).
const MAX_NUMBER_FILE_BYTES: u64 = 64 * 1024 * 1024;

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
    calling: Calling,
}

/// How a task calls, for `task create` and `task update` alike: what it plays, when it
/// calls, and what happens after a call.
#[derive(Debug, Args)]
pub struct Calling {
    #[command(flatten)]
    voice: VoiceArgs,
    #[command(flatten)]
    schedule: Schedule,
    #[command(flatten)]
    after_call: AfterCall,
}

/// What happens after a call, for `task create` and `task update`: a transfer to a seat
/// group and the post-call SMS.
#[derive(Debug, Args)]
pub struct AfterCall {
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

impl AfterCall {
    /// The post-call SMS, when an application and a text are given.
    fn sms(&self) -> Option<PostCallSms> {
        let (app, content) = (self.sms_app.as_ref()?, self.sms_content.as_ref()?);
        let mut sms = with_some!(
            PostCallSms::new(app.as_str(), content.as_str()),
            sender_id = self.sms_sender.as_deref(),
            on_key = self.sms_on_key,
            on_success_after = self.sms_on_success_after,
        );
        if self.sms_on_failure {
            sms = sms.on_failure();
        }
        if self.sms_on_ringing {
            sms = sms.on_ringing();
        }
        Some(sms)
    }
}

/// The synthetic voice of a resend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenderArg {
    /// A male voice.
    Male,
    /// A female voice (the provider's default).
    Female,
}

impl From<GenderArg> for Gender {
    fn from(gender: GenderArg) -> Gender {
        match gender {
            GenderArg::Male => Gender::Male,
            GenderArg::Female => Gender::Female,
        }
    }
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

/// `$target` (a `NewTask` or a `Resend`, which have the same schedule setters) with the
/// options of the [`Schedule`] `$schedule`; returns early (`?`) when they do not parse.
macro_rules! with_schedule {
    ($target:expr, $schedule:expr) => {{
        let schedule: &Schedule = $schedule;
        let when = schedule.parse()?;
        let mut target = with_some!(
            $target,
            display_number = schedule.display_num.as_deref(),
            send_at = when.send_time,
            loop_count = schedule.loop_count,
            max_call_seconds = schedule.max_calls,
        );
        for (start, end) in when.windows {
            target = target.allow_between(start, end);
        }
        target
    }};
}

/// The task (a `NewTask` or a `TaskUpdate`, which have the same setters) that `$new`
/// makes of the voice's source, with the rest of the [`Calling`] `$calling`: its schedule
/// and what happens after a call; returns early (`?`) when they do not parse.
macro_rules! with_calling {
    ($new:expr, $calling:expr) => {{
        let calling: &Calling = $calling;
        let source = calling.voice.source()?;
        let mut target = with_schedule!($new(source), &calling.schedule);
        if let Some(group) = calling.after_call.seat_group {
            target = target.transfer_to_seat(group);
        }
        if let Some(sms) = calling.after_call.sms() {
            target = target.post_call_sms(sms);
        }
        target
    }};
}

/// The task `task create` sends, and how many numbers it calls.
fn build_task(args: &Create) -> Result<(NewTask, usize), CliError> {
    let callees = match &args.numbers_file {
        Some(path) => read_numbers_file(path)?,
        None => args.numbers.iter().map(|n| Callee::new(n.trim())).collect(),
    };
    let count = callees.len();
    let task = with_calling!(
        |source| NewTask::new(args.app_id.as_str(), args.name.as_str(), source, callees),
        &args.calling
    );
    Ok((task, count))
}

pub(super) async fn create(args: Create, global: &Global) -> Result<Report, CliError> {
    let (task, count) = build_task(&args)?;
    let name = args.name;
    let id = global.laaffic()?.create_task(&task).await.check_with(|| {
        format!(
            "task names are unique: run `voxkit laaffic tasks --search {name:?}`; a task of \
                 that name means it was created, none means it was not and it may be created again"
        )
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
    let resend = with_some!(
        with_schedule!(
            Resend::new(TaskId(args.id), args.name.as_str(), source),
            &args.schedule
        ),
        speaking_rate = args.speaking_rate,
        gender = args.gender.map(Gender::from),
        accent = args.accent.as_deref(),
        delay_play = args.delay_play,
        delay_hangup = args.delay_hangup,
        max_ringing_seconds = args.max_ringing,
    );
    Ok(resend)
}

pub(super) async fn resend(args: ResendArgs, global: &Global) -> Result<Report, CliError> {
    let resend = build_resend(&args)?;
    let name = args.name;
    let original = args.id;
    let id = global
        .laaffic()?
        .resend_task(&resend)
        .await
        .check_with(|| crate::laaffic::resend_lookup_hint("", &name))?;
    Ok(Report::new(
        json!({"resent": original, "task_id": id.map(|id| id.0), "name": name}),
        match id {
            Some(id) => format!("resent task {original} as task {id} {:?}", one_line(&name)),
            None => format!("resent task {original} as {:?}", one_line(&name)),
        },
    ))
}

/// The arguments of `task update`: the fields of the SDK's `TaskUpdate` (the create body
/// but the application and the numbers). Safe to repeat.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The task to update (the `ID` column of `voxkit laaffic tasks`).
    #[arg(long, value_name = "ID")]
    task: u64,
    /// The task's name, 2-64 characters (required by the provider: give the current one to
    /// keep it).
    #[arg(long, value_name = "NAME")]
    name: String,
    #[command(flatten)]
    calling: Calling,
}

/// The update `task update` sends.
fn build_update(args: &UpdateArgs) -> Result<TaskUpdate, CliError> {
    Ok(with_calling!(
        |source| TaskUpdate::new(TaskId(args.task), args.name.as_str(), source),
        &args.calling
    ))
}

/// Runs `task update`: repeatable, so a lost answer is retried by the SDK, not checked.
pub(super) async fn update(args: UpdateArgs, global: &Global) -> Result<Report, CliError> {
    let update = build_update(&args)?;
    global.laaffic()?.update_task(&update).await?;
    Ok(updated_report(args.task, &args.name))
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
        // The SDK's rule (6 to 18 digits), checked here to name the line and the value.
        if !(6..=18).contains(&number.len()) || !number.bytes().all(|b| b.is_ascii_digit()) {
            let shown: String = number.chars().take(40).collect();
            return Err(CliError::invalid(format!(
                "numbers file line {}: {:?} is not a called number (6 to 18 digits, no + or \
                 spaces, e.g. 8613800000001)",
                i + 1,
                one_line(&shown)
            )));
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::laaffic::ivr::tasks::TaskCommand;
    use crate::laaffic::{Command as Laaffic, parse_command};

    fn parse_task(args: &[&str]) -> TaskCommand {
        match parse_command("task", args) {
            Laaffic::Task(task) => task,
            other => panic!("{other:?}"),
        }
    }

    fn time(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

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
    fn numbers_file_errors_name_the_line_and_the_value() {
        let err = parse_numbers("# header\n8613800000001\n\n+86 138-0000\n").unwrap_err();
        assert_eq!(err.exit_code, 2);
        assert!(err.message.contains("line 4"), "{}", err.message);
        assert!(err.message.contains("\"+86 138-0000\""), "{}", err.message);
        let err = parse_numbers("12345\n").unwrap_err();
        assert!(err.message.contains("line 1: \"12345\""), "{}", err.message);
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
}
