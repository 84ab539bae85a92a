//! `number`: a task's numbers (号码) — `list` (`--all` pages), `add` (from `--phone`s or a
//! `--file` of one phone a line; <= 100, or <= 200 with `--async`; never sent twice),
//! `delete` (a running 2.0 task answers 6007: pause it first), `reset` (re-dial; never
//! sent twice, and not reconcilable: check the call records before resetting again).

use clap::Args;
use serde_json::{Value, json};
use voxkit_longlonglong::{NumberDeletion, NumberImport, NumberQuery, NumberReset, NumberRow};

use super::tasks::{page_report, report, task_ids, walked_report};
use crate::context::Global;
use crate::failure::CliError;
use crate::render::Report;
use crate::render::longlonglong;

/// `voxkit longlonglong number <command>`.
#[derive(Debug, clap::Subcommand)]
pub enum NumberCommand {
    /// A task's numbers (号码列表), shown as sent.
    List(ListArgs),
    /// Adds numbers to a task (批量添加号码): <= 100, or <= 200 with --async.
    Add(PhonesArgs),
    /// Deletes numbers from a task (批量删除号码).
    Delete(PhonesArgs),
    /// Resets numbers to 0 等待呼叫 so they are dialled again (批量重置号码状态): asks first
    /// (or --yes), the calls are billed again.
    Reset(PhonesArgs),
}

/// The arguments of `number list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The task's uuid.
    #[arg(long, value_name = "ID")]
    task: String,
    /// This page (from 1).
    #[arg(long, conflicts_with = "all")]
    page: Option<u32>,
    /// Every page.
    #[arg(long)]
    all: bool,
}

/// The numbers of `add`, `delete`, `reset`.
#[derive(Debug, Args)]
pub struct PhonesArgs {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The task's uuid.
    #[arg(long, value_name = "ID")]
    task: String,
    /// A phone (repeatable).
    #[arg(long = "phone", value_name = "PHONE")]
    phones: Vec<String>,
    /// A file of phones, one a line (blank lines and `#` comments skipped).
    #[arg(long, value_name = "FILE")]
    file: Option<std::path::PathBuf>,
    /// `add` only: the asynchronous import (<= 200, the result by callback).
    #[arg(long = "async")]
    asynchronous: bool,
}

impl PhonesArgs {
    fn phones(&self) -> Result<Vec<String>, CliError> {
        let mut phones = self.phones.clone();
        if let Some(path) = &self.file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::invalid(format!("cannot read {}: {e}", path.display())))?;
            phones.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_owned),
            );
        }
        if phones.is_empty() {
            return Err(CliError::usage("give --phone or --file"));
        }
        Ok(phones)
    }
}

/// Runs a `number` command.
pub(super) async fn run(command: NumberCommand, global: &Global) -> Result<Report, CliError> {
    let client = global.longlonglong()?;
    match command {
        NumberCommand::List(args) => {
            let (user, task) = task_ids(&args.user, &args.task)?;
            if args.all {
                let rows: Vec<Value> = global
                    .collect_pages(
                        client.numbers_all(&user, &task, &NumberQuery::new()),
                        ("number", "numbers"),
                    )
                    .await?;
                return Ok(walked_report(&rows, longlonglong::numbers_text));
            }
            let query = NumberQuery::new().page(args.page.unwrap_or(1));
            let page = client.numbers(&user, &task, &query).await?;
            Ok(page_report(
                &page.items,
                page.meta.as_ref(),
                longlonglong::numbers_text,
            ))
        }
        NumberCommand::Add(args) => {
            let (user, task) = task_ids(&args.user, &args.task)?;
            let rows = args.phones()?.into_iter().map(NumberRow::new).collect();
            let import = NumberImport::new(rows);
            let answer = if args.asynchronous {
                client.add_numbers_async(&user, &task, &import).await?
            } else {
                client.add_numbers(&user, &task, &import).await?
            };
            Ok(report(
                json!({"message": answer.message, "data": answer.data}),
                &answer.message,
            ))
        }
        NumberCommand::Delete(args) => {
            let (user, task) = task_ids(&args.user, &args.task)?;
            let deletion = NumberDeletion::new(args.phones()?);
            let answer = client.delete_numbers(&user, &task, &deletion).await?;
            Ok(report(
                json!({"message": answer.message, "data": answer.data}),
                &answer.message,
            ))
        }
        NumberCommand::Reset(args) => {
            let (user, task) = task_ids(&args.user, &args.task)?;
            let phones = args.phones()?;
            global.confirm(
                "longlonglong number reset",
                &format!(
                    "reset {} number(s) of task {task} to be dialled again (each call is billed again)",
                    phones.len()
                ),
            )?;
            let reset = NumberReset::new().phones(phones);
            let answer = client.reset_numbers(&user, &task, &reset).await?;
            Ok(report(
                json!({"message": answer.message, "data": answer.data}),
                &answer.message,
            ))
        }
    }
}
