//! `voxkit laaffic ...`: the Laaffic v3 API: the [`balance`], and the IVR group calls
//! ([`ivr`]: voice files, tasks, call records).

mod ai;
mod balance;
mod ivr;
mod recall;
pub(crate) mod reports;
mod sms;

use clap::Subcommand;

use crate::context::Global;
use crate::failure::CliError;
use crate::render::Report;

/// `voxkit laaffic <command>`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The account balance: real balance, gift balance and credit line (exact decimals).
    Balance,
    /// IVR voice files (语音文件).
    #[command(subcommand)]
    Voice(ivr::voices::VoiceCommand),
    /// One IVR group-call task (群呼任务): create, show, pause, cancel, resend, update.
    #[command(subcommand)]
    Task(ivr::tasks::TaskCommand),
    /// List group-call tasks, one page at a time or every page with --all (by default
    /// those created in the last 30 days; --type for AI and AI-Agent tasks).
    Tasks(ivr::tasks::TaskList),
    /// Call records (语音消息记录): one by its voice id, or a page (or --all pages) of a
    /// time window (--from/--to, at most 31 days apart, within the last two months).
    Records(ivr::records::Records),
    /// The call reports Laaffic pushes: `listen` prints each as it arrives.
    #[command(subcommand)]
    Reports(reports::ReportsCommand),
    /// SMS (短信): send one text to numbers, or a batch of texts. Spends balance.
    #[command(subcommand)]
    Sms(sms::SmsCommand),
    /// Automatic recall flows (自动重呼): list, cancel.
    #[command(subcommand)]
    Recall(recall::RecallCommand),
    /// AI voice group-call tasks (AI语音群呼, script based): update, resend.
    #[command(subcommand)]
    Ai(ai::AiCommand),
}

/// Runs one Laaffic command.
pub async fn run(command: Command, global: &Global) -> Result<Report, CliError> {
    match command {
        Command::Balance => balance::run(global).await,
        Command::Voice(command) => ivr::voices::run(command, global).await,
        Command::Task(command) => ivr::tasks::run(command, global).await,
        Command::Tasks(args) => ivr::tasks::list(args, global).await,
        Command::Records(args) => ivr::records::run(args, global).await,
        Command::Reports(command) => reports::run(command, global).await,
        Command::Sms(command) => sms::run(command, global).await,
        Command::Recall(command) => recall::run(command, global).await,
        Command::Ai(command) => ai::run(command, global).await,
    }
}

/// Parses `voxkit laaffic <sub> <args...>` into its Laaffic command, for the subcommands'
/// unit tests: one place that turns a test's command line into the command it selects.
#[cfg(test)]
fn parse_command(sub: &str, args: &[&str]) -> Command {
    use clap::Parser as _;
    let head = ["voxkit", "laaffic", sub];
    match crate::cli::Cli::try_parse_from(head.iter().chain(args))
        .unwrap()
        .command
    {
        crate::cli::Command::Laaffic(command) => command,
        other => panic!("{other:?}"),
    }
}

/// The hint a lost resend answer carries (exit 5): how to find the new round by its unique
/// name with `voxkit laaffic tasks` (`type_flag` is `--type ai ` for AI tasks, or empty).
fn resend_lookup_hint(type_flag: &str, name: &str) -> String {
    format!(
        "run `voxkit laaffic tasks {type_flag}--search {name:?}`: a task of that name means \
         the resend was applied; none means it was not and it may be sent again"
    )
}
