//! `voxkit laaffic ai update|resend`: AI voice group-call tasks (AI语音群呼, script based;
//! listed by `voxkit laaffic tasks --type ai`).
//!
//! Every rule the SDK knows is checked before anything is sent (exit code 2). An update is
//! safe to repeat; a resend starts a new round of calls and is never sent twice, as `task
//! resend`: when its answer is lost the exit code is 5 and the hint says how to find out
//! whether it was applied (task names are unique).

use clap::{Args, Subcommand, ValueEnum};
use voxkit_laaffic::{AiResend, AiResendType, AiTaskUpdate, TaskId};

use super::ivr::{parse_local, parse_window};
use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::input::with_some;
use crate::render::Report;
use crate::render::laaffic::{ai_resent_report, updated_report};

/// `voxkit laaffic ai <command>`.
#[derive(Debug, Subcommand)]
pub enum AiCommand {
    /// Update an AI task that is not calling: its name, script and settings. Safe to
    /// repeat.
    Update(Box<AiUpdateArgs>),
    /// Resend an AI task under a new name: a new round of calls (it may spend balance).
    /// Never sent twice (exit code 5 if the answer is lost: `voxkit laaffic tasks --search
    /// NAME` tells).
    Resend(Box<AiResendArgs>),
}

/// Which numbers `ai resend` calls again, as `--resend-type` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResendTypeArg {
    /// Every number of the task (`resendType` 0).
    All,
    /// Only the numbers whose call failed (`resendType` 1).
    Failed,
}

impl From<ResendTypeArg> for AiResendType {
    fn from(kind: ResendTypeArg) -> AiResendType {
        match kind {
            ResendTypeArg::All => AiResendType::All,
            ResendTypeArg::Failed => AiResendType::Failed,
        }
    }
}

/// The settings `ai update` and `ai resend` share (the SDK's AI setters).
#[derive(Debug, Args)]
pub struct AiSettings {
    /// The AI script template id (scriptId; required by the provider).
    #[arg(long, value_name = "ID")]
    script: u64,
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
    /// Seconds of ringing, 20-120.
    #[arg(long, value_name = "SECS")]
    max_ringing: Option<u32>,
    /// Record the calls.
    #[arg(long, conflicts_with = "no_recording")]
    recording: bool,
    /// Do not record the calls.
    #[arg(long)]
    no_recording: bool,
    /// The outbound call multiplier, at least 1.
    #[arg(long, value_name = "N")]
    callout_rate: Option<u32>,
    /// Hang up this many seconds after the call is answered, at least 1.
    #[arg(long, value_name = "SECS")]
    max_calls: Option<u32>,
}

/// The arguments of `ai update`.
#[derive(Debug, Args)]
pub struct AiUpdateArgs {
    /// The AI task to update (the `ID` column of `voxkit laaffic tasks --type ai`).
    #[arg(long, value_name = "ID")]
    task: u64,
    /// The task's name, 2-64 characters (required by the provider: give the current one
    /// to keep it).
    #[arg(long, value_name = "NAME")]
    name: String,
    #[command(flatten)]
    settings: AiSettings,
}

/// The arguments of `ai resend`.
#[derive(Debug, Args)]
pub struct AiResendArgs {
    /// The AI task to resend.
    #[arg(long, value_name = "ID")]
    task: u64,
    /// The name of the new round, 2-64 characters, unique (it is how a lost answer is
    /// checked).
    #[arg(long, value_name = "NAME")]
    name: String,
    /// Which numbers to call again.
    #[arg(long, value_enum, value_name = "TYPE", default_value = "all")]
    resend_type: ResendTypeArg,
    #[command(flatten)]
    settings: AiSettings,
}

/// `$target` (an `AiTaskUpdate` or an `AiResend`, which have the same setters) with the
/// [`AiSettings`] `$settings`; returns early (`?`) when they do not parse.
macro_rules! with_ai_settings {
    ($target:expr, $settings:expr) => {{
        let settings: &AiSettings = $settings;
        let send_time = settings
            .send_time
            .as_deref()
            .map(|t| parse_local("--send-time", t))
            .transpose()?;
        let recording = match (settings.recording, settings.no_recording) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        };
        let mut target = with_some!(
            $target,
            display_number = settings.display_num.as_deref(),
            send_at = send_time,
            max_ringing_seconds = settings.max_ringing,
            recording = recording,
            callout_rate = settings.callout_rate,
            max_call_seconds = settings.max_calls,
        );
        for window in &settings.windows {
            let (start, end) = parse_window(window)?;
            target = target.allow_between(start, end);
        }
        target
    }};
}

/// The update `ai update` sends.
fn build_update(args: &AiUpdateArgs) -> Result<AiTaskUpdate, CliError> {
    Ok(with_ai_settings!(
        AiTaskUpdate::new(TaskId(args.task), args.name.as_str(), args.settings.script),
        &args.settings
    ))
}

/// The resend `ai resend` sends.
fn build_resend(args: &AiResendArgs) -> Result<AiResend, CliError> {
    Ok(with_ai_settings!(
        AiResend::new(
            TaskId(args.task),
            args.name.as_str(),
            args.settings.script,
            args.resend_type.into(),
        ),
        &args.settings
    ))
}

/// Runs `voxkit laaffic ai ...`.
pub async fn run(command: AiCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        AiCommand::Update(args) => {
            let update = build_update(&args)?;
            global.laaffic()?.update_ai_task(&update).await?;
            Ok(updated_report(args.task, &args.name))
        }
        AiCommand::Resend(args) => {
            let resend = build_resend(&args)?;
            let name = args.name;
            // The plain call, as `task resend`: never retried after it may have arrived;
            // a lost answer is exit 5 with how to look for the round by its unique name.
            let id = global
                .laaffic()?
                .resend_ai_task(&resend)
                .await
                .check_with(|| super::resend_lookup_hint("--type ai ", &name))?;
            Ok(ai_resent_report(args.task, id.map(|id| id.0), &name))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use crate::laaffic::{Command as Laaffic, parse_command};
    use chrono::NaiveTime;
    use clap::Parser as _;

    fn parse(args: &[&str]) -> AiCommand {
        match parse_command("ai", args) {
            Laaffic::Ai(command) => command,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn resend_sends_every_setting_given() {
        let AiCommand::Resend(args) = parse(&[
            "resend",
            "--task",
            "42",
            "--name",
            "again",
            "--script",
            "7",
            "--resend-type",
            "failed",
            "--display-num",
            "1",
            "--send-time",
            "2026-03-01 08:30:00",
            "--window",
            "09:00-10:00",
            "--max-ringing",
            "30",
            "--no-recording",
            "--callout-rate",
            "2",
            "--max-calls",
            "40",
        ]) else {
            panic!("not a resend")
        };
        let t = |s| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        let expected = AiResend::new(TaskId(42), "again", 7, AiResendType::Failed)
            .display_number("1")
            .send_at(parse_local("x", "2026-03-01 08:30:00").unwrap())
            .allow_between(t("09:00"), t("10:00"))
            .max_ringing_seconds(30)
            .recording(false)
            .callout_rate(2)
            .max_call_seconds(40);
        assert_eq!(build_resend(&args).unwrap(), expected);
    }

    #[test]
    fn update_needs_a_task_name_and_script() {
        let AiCommand::Update(args) = parse(&[
            "update",
            "--task",
            "5",
            "--name",
            "ok",
            "--script",
            "3",
            "--recording",
        ]) else {
            panic!("not an update")
        };
        assert_eq!(
            build_update(&args).unwrap(),
            AiTaskUpdate::new(TaskId(5), "ok", 3).recording(true)
        );
        // Each command line (split on whitespace) is refused by the parser.
        for refused in [
            "update --name ok --script 3",
            "update --task 5 --script 3",
            "resend --task 5 --name n --script 1 --resend-type some",
            "update --task 5 --name ok --script 3 --recording --no-recording",
        ] {
            let args = ["voxkit", "laaffic", "ai"]
                .into_iter()
                .chain(refused.split(' '));
            assert!(Cli::try_parse_from(args).is_err(), "{refused}");
        }
    }
}
