//! `voxkit`, the command-line tool of the voxkit SDK: every longlonglong, Laaffic and
//! ESP-AI operation as a subcommand, a local sandbox that simulates all three providers,
//! and a demo that walks through them.
//!
//! Credentials and base URLs come from the environment (`LONGLONGLONG_TOKEN`,
//! `LAAFFIC_API_KEY`, `LAAFFIC_API_SECRET`, `ESPAI_OPEN_API_KEY`, `*_BASE_URL`). Results go
//! to stdout as text or, with `--output json`, as one JSON object; errors go to stderr as
//! one line, and the exit code says what happened (see `voxkit --help`).

// Printing is what a command-line tool is for; the workspace's `print_stdout` lint guards
// the libraries. (Output goes through `render::write_stdout`, which survives a closed pipe.)
#![allow(clippy::print_stdout)]

mod batch;
mod cli;
mod context;
mod demo;
mod espai;
mod failure;
mod input;
mod laaffic;
mod logging;
mod longlonglong;
mod man;
mod paging;
mod render;
mod sandbox;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::failure::CliError;
use crate::render::Report;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(error) => return failure::usage_error(&error, context::format_in_args(&args)),
    };
    failure::set_command(&args);
    logging::init(cli.verbose);
    let format = cli.output;
    let global = cli.global();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            CliError::local("runtime", format!("could not start the async runtime: {e}"))
                .print(format);
            return ExitCode::from(failure::EXIT_FAILED);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(Some(report)) => {
            if !global.quiet {
                report.print(format);
            }
            ExitCode::from(failure::EXIT_OK)
        }
        Ok(None) => ExitCode::from(failure::EXIT_OK),
        // `--dry-run` printed the request and refused to send it: that is the result.
        Err(_) if global.dry_run && context::dry_run_printed() => ExitCode::from(failure::EXIT_OK),
        Err(error) => {
            error.print(format);
            ExitCode::from(error.exit_code)
        }
    }
}

/// Runs the command. `Ok(None)` when the command printed its own output as it went
/// (`sandbox`, `demo`, `espai cdkey list --all`).
async fn run(cli: Cli) -> Result<Option<Report>, CliError> {
    let global = cli.global();
    match cli.command {
        Command::Longlonglong(command) => longlonglong::run(command, &global).await.map(Some),
        Command::Laaffic(command) => laaffic::run(command, &global).await.map(Some),
        Command::Espai(command) => espai::run(command, &global).await,
        Command::Batch(command) => batch::run(command, &global).await.map(|()| None),
        Command::Journal(command) => batch::run_journal(command, &global).await.map(|()| None),
        Command::Sandbox(args) => sandbox::run(args, &global).await.map(|()| None),
        Command::Demo => demo::run(&global).await.map(|()| None),
        Command::Completions(args) => {
            cli::completions(&args);
            Ok(None)
        }
        Command::Man(args) => man::run(args).map(|()| None),
    }
}
