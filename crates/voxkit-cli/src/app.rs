//! The command tree, the global flags, and the dispatch to each provider's commands.

use std::ffi::OsString;
use std::process::ExitCode;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

use crate::failure::{CliError, EXIT_CODES_HELP};
use crate::render::{Format, Report};
use crate::{demo, espai, laaffic, longlonglong, sandbox};

/// The longest `--timeout` accepted: one day.
const MAX_TIMEOUT_SECS: f64 = 86_400.0;

/// voxkit: account, billing and quota operations of longlonglong, Laaffic and ESP-AI.
#[derive(Debug, Parser)]
#[command(
    name = "voxkit",
    version,
    about = "Account, billing and quota operations of longlonglong, Laaffic and ESP-AI",
    long_about = "Account, billing and quota operations of longlonglong, Laaffic and ESP-AI, \
                  one subcommand per operation, plus a local sandbox of all three providers \
                  (`voxkit sandbox`) and a walk-through (`voxkit demo`).",
    after_help = EXIT_CODES_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Output: `text` for people, `json` for scripts (one JSON object on stdout; errors as
    /// a JSON object on stderr).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = Format::Text,
        value_name = "FORMAT",
        display_order = 900
    )]
    pub output: Format,

    /// Time allowed for each API call, retries included, in seconds (e.g. `10` or `2.5`).
    #[arg(
        long,
        global = true,
        value_name = "SECS",
        value_parser = parse_timeout,
        display_order = 901
    )]
    pub timeout: Option<Duration>,

    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// longlonglong AI outbound-call agent API: balances, expiry, sub-accounts.
    #[command(subcommand)]
    Longlonglong(longlonglong::Command),
    /// Laaffic API: the account balance and IVR group calls (voice files, tasks, call
    /// records).
    #[command(subcommand)]
    Laaffic(laaffic::Command),
    /// ESP-AI open platform: quota cards (cdkey) and orders.
    #[command(subcommand)]
    Espai(espai::Command),
    /// Serve the local simulator of all three providers and print the variables that
    /// point voxkit at it.
    Sandbox(sandbox::Args),
    /// Start the sandbox in-process and walk through every operation of every provider
    /// with the SDK.
    Demo,
    /// Write the man pages (hidden: for `cargo xtask dist` and packagers).
    #[command(hide = true)]
    Man(crate::man::Args),
}

/// The settings every command shares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Global {
    /// The output format.
    pub output: Format,
    /// The overall deadline of each call.
    pub timeout: Option<Duration>,
}

/// Runs the command. `Ok(None)` when the command printed its own output as it went
/// (`sandbox`, `demo`).
pub async fn run(cli: Cli) -> Result<Option<Report>, CliError> {
    let global = Global {
        output: cli.output,
        timeout: cli.timeout,
    };
    match cli.command {
        Command::Longlonglong(command) => longlonglong::run(command, &global).await.map(Some),
        Command::Laaffic(command) => laaffic::run(command, &global).await.map(Some),
        Command::Espai(command) => espai::run(command, &global).await,
        Command::Sandbox(args) => sandbox::run(args, &global).await.map(|()| None),
        Command::Demo => demo::run().await.map(|()| None),
        Command::Man(args) => crate::man::run(args).map(|()| None),
    }
}

/// Parses `--timeout`: a positive number of seconds, at most a day.
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds (e.g. 10 or 2.5)"))?;
    if !secs.is_finite() || secs <= 0.0 || secs > MAX_TIMEOUT_SECS {
        return Err(format!(
            "the timeout must be more than 0 and at most {MAX_TIMEOUT_SECS} seconds"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Whether the raw arguments ask for JSON output: used to print a usage error in the
/// requested format when clap could not parse the rest.
pub fn format_in_args(args: &[OsString]) -> Format {
    let mut format = Format::Text;
    let mut iter = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(arg) = iter.next() {
        if arg == "--" {
            break;
        }
        let value = if arg == "--output" {
            iter.next()
        } else {
            arg.strip_prefix("--output=")
                .map(|v| std::borrow::Cow::Owned(v.to_owned()))
        };
        if let Some(value) = value {
            format = if value == "json" {
                Format::Json
            } else {
                Format::Text
            };
        }
    }
    format
}

/// Prints a clap error (help, version, or a usage error as one line) and returns the exit
/// code: 0 for help and version, 2 for usage errors.
pub fn usage_error(error: &clap::Error, format: Format) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand if format == Format::Text => {
            // The help of the command that needs a subcommand: more useful than one line.
            let _ = error.print();
            return ExitCode::from(crate::failure::EXIT_INVALID);
        }
        _ => {}
    }
    let rendered = error.render().to_string();
    let (message, usage) = summarize_clap(&rendered, error.kind());
    let mut cli = CliError::usage(message);
    cli.hint = Some(match usage {
        Some(usage) => format!("usage: {usage}; try --help"),
        None => "try --help".to_owned(),
    });
    cli.print(format);
    ExitCode::from(cli.exit_code)
}

/// The message and the usage line of clap's rendered error, each on one line.
fn summarize_clap(rendered: &str, kind: ErrorKind) -> (String, Option<String>) {
    let mut message = Vec::new();
    let mut usage = None;
    let mut in_message = true;
    for paragraph in rendered.split("\n\n") {
        let text = crate::render::one_line(paragraph);
        if text.is_empty() {
            continue;
        }
        if let Some(rest) = text.strip_prefix("Usage: ") {
            usage = Some(rest.to_owned());
            in_message = false;
        } else if text.starts_with("For more information") {
            in_message = false;
        } else if in_message {
            message.push(text);
        }
    }
    let mut message = message.join("; ");
    if let Some(rest) = message.strip_prefix("error: ") {
        message = rest.to_owned();
    }
    if message.is_empty() {
        message = match kind {
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                "a subcommand is required".to_owned()
            }
            _ => "invalid command line".to_owned(),
        };
    }
    (message, usage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_go_before_or_after_the_subcommand() {
        for args in [
            &[
                "voxkit",
                "--output",
                "json",
                "--timeout",
                "2.5",
                "laaffic",
                "balance",
            ][..],
            &[
                "voxkit",
                "laaffic",
                "balance",
                "--output=json",
                "--timeout",
                "2.5",
            ][..],
            &[
                "voxkit",
                "laaffic",
                "--output",
                "json",
                "balance",
                "--timeout=2.5",
            ][..],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            assert_eq!(cli.output, Format::Json, "{args:?}");
            assert_eq!(cli.timeout, Some(Duration::from_millis(2500)), "{args:?}");
        }
        let cli = Cli::try_parse_from(["voxkit", "laaffic", "balance"]).unwrap();
        assert_eq!(cli.output, Format::Text);
        assert_eq!(cli.timeout, None);
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_timeout("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["0", "-1", "abc", "NaN", "inf", "100000", ""] {
            assert!(parse_timeout(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn json_is_found_in_raw_args() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            format_in_args(&args(&["voxkit", "x", "--output", "json"])),
            Format::Json
        );
        assert_eq!(
            format_in_args(&args(&["voxkit", "--output=json", "x"])),
            Format::Json
        );
        assert_eq!(
            format_in_args(&args(&["voxkit", "--output=json", "--output", "text"])),
            Format::Text
        );
        assert_eq!(format_in_args(&args(&["voxkit", "x"])), Format::Text);
        assert_eq!(
            format_in_args(&args(&["voxkit", "--", "--output=json"])),
            Format::Text
        );
    }

    #[test]
    fn usage_errors_become_one_line() {
        let error =
            Cli::try_parse_from(["voxkit", "longlonglong", "recharge", "--user", "u"]).unwrap_err();
        assert_eq!(error.exit_code(), 2);
        let (message, usage) = summarize_clap(&error.render().to_string(), error.kind());
        assert!(message.contains("--amount <N>"), "{message}");
        assert!(!message.contains('\n'));
        assert!(
            usage
                .as_deref()
                .unwrap()
                .starts_with("voxkit longlonglong recharge"),
            "{usage:?}"
        );
    }

    #[test]
    fn help_documents_the_exit_codes() {
        let help = Cli::command().render_help().to_string();
        for needle in [
            "Exit codes:",
            "  2  ",
            "  3  ",
            "  4  ",
            "  5  ",
            "outcome unknown",
        ] {
            assert!(help.contains(needle), "{needle:?} missing from:\n{help}");
        }
    }
}
