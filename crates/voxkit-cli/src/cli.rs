//! The command tree: the top-level commands and the global flags, as clap parses them.
//! What each command does lives in its provider's module; what the global flags mean for
//! a command, in [`crate::context`].

use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::context::{Format, Global};
use crate::failure::EXIT_CODES_HELP;
use crate::{batch, espai, laaffic, longlonglong, man, sandbox};

/// The longest `--timeout` accepted: one day.
const MAX_TIMEOUT_SECS: f64 = 86_400.0;

/// voxkit: account, billing and quota operations of longlonglong, Laaffic and ESP-AI.
#[derive(Debug, Parser)]
#[command(
    name = "voxkit",
    version,
    about = "Account, billing and quota operations of longlonglong, Laaffic and ESP-AI",
    long_about = format!(
        "Account, billing and quota operations of longlonglong, Laaffic and ESP-AI, one \
         subcommand per operation, plus a local sandbox of all three providers (`voxkit \
         sandbox`) and a walk-through (`voxkit demo`).\n\n{}",
        crate::render::TIME_RULE
    ),
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

    /// Allow plain `http://` to a host that is not loopback: credentials then cross the
    /// network unencrypted, so only on a trusted network (e.g. a `voxkit sandbox --addr
    /// 0.0.0.0:PORT` on another machine). Also `VOXKIT_ALLOW_HTTP=1`.
    #[arg(
        long,
        global = true,
        env = "VOXKIT_ALLOW_HTTP",
        value_parser = clap::builder::FalseyValueParser::new(),
        hide_env_values = true,
        display_order = 902
    )]
    pub allow_http: bool,

    /// Print nothing on stdout on success, and no progress (errors still go to stderr,
    /// and the exit code says what happened).
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        display_order = 903
    )]
    pub quiet: bool,

    /// Trace each request on stderr: method, path, status, timing, never a credential
    /// (what `RUST_LOG=voxkit_core=debug` shows; `RUST_LOG` wins when set).
    #[arg(short, long, global = true, display_order = 904)]
    pub verbose: bool,

    /// Answer yes to the confirmation of a destructive call (`longlonglong zero-balance`,
    /// `espai cdkey destroy`, `longlonglong subaccount delete`): required when standard
    /// input is not a terminal.
    #[arg(short = 'y', long, global = true, display_order = 905)]
    pub yes: bool,

    /// Print the request that would be sent (method, URL, body; credentials redacted)
    /// and send nothing. A command that makes several calls shows its first.
    #[arg(long, global = true, display_order = 906)]
    pub dry_run: bool,

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
    /// Money-moving rows from a CSV or JSON Lines file, each applied exactly once through a
    /// durable journal; run the same file again to resume.
    #[command(subcommand)]
    Batch(batch::Command),
    /// Look into a batch journal: its intents, their states and evidence.
    #[command(subcommand)]
    Journal(batch::JournalCommand),
    /// Serve the local simulator of all three providers and print the variables that
    /// point voxkit at it.
    Sandbox(sandbox::Args),
    /// Start the sandbox in-process and walk through every operation of every provider
    /// with the SDK.
    Demo,
    /// Print a shell completion script: `voxkit completions bash > /etc/bash_completion.d/voxkit`
    /// (zsh: into a directory of `$fpath` as `_voxkit`; fish: `~/.config/fish/completions/voxkit.fish`).
    Completions(CompletionsArgs),
    /// Write the man pages (hidden: for `cargo xtask dist` and packagers).
    #[command(hide = true)]
    Man(man::Args),
}

impl Cli {
    /// The settings every command shares.
    pub fn global(&self) -> Global {
        Global {
            output: self.output,
            timeout: self.timeout,
            allow_http: self.allow_http,
            quiet: self.quiet,
            yes: self.yes,
            dry_run: self.dry_run,
        }
    }
}

/// `voxkit completions SHELL`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Writes the completion script of `shell` on stdout.
pub fn completions(args: &CompletionsArgs) {
    use clap::CommandFactory as _;
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "voxkit", &mut script);
    crate::render::write_stdout(String::from_utf8_lossy(&script).trim_end());
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
    fn completions_cover_every_shell_and_command() {
        for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
            let cli = Cli::try_parse_from(["voxkit", "completions", shell]).unwrap();
            let Command::Completions(args) = cli.command else {
                panic!("{shell}")
            };
            let mut command = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "voxkit", &mut script);
            let script = String::from_utf8(script).unwrap();
            // (fish writes long flags without their dashes: `-l allow-http`.)
            for word in ["longlonglong", "zero-balance", "cdkey", "allow-http"] {
                assert!(script.contains(word), "{shell}: {word}");
            }
        }
        assert!(Cli::try_parse_from(["voxkit", "completions", "tcsh"]).is_err());
    }

    #[test]
    fn allow_http_comes_from_the_flag_or_the_environment() {
        let cli = Cli::try_parse_from(["voxkit", "--allow-http", "laaffic", "balance"]).unwrap();
        assert!(cli.global().allow_http);
        let cli = Cli::try_parse_from(["voxkit", "laaffic", "balance", "-q", "--yes"]).unwrap();
        let global = cli.global();
        assert!(global.quiet && global.yes && !global.allow_http && !global.dry_run);
        assert!(Cli::try_parse_from(["voxkit", "-q", "-v", "laaffic", "balance"]).is_err());
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
