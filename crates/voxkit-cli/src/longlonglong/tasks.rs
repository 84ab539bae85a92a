//! `task`: 呼叫任务 2.0 — `init`, `list` (`--all` pages, `--subset` across sub-accounts),
//! `show`, `pause`, `copy` (a `GET` that creates a task: never sent twice). Creating and
//! modifying a task take a full configuration and are SDK calls (`Client::create_task`,
//! `Client::modify_task`).

use clap::Args;
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use voxkit_longlonglong::{TaskId, TaskQuery, UserId};

use crate::context::Global;
use crate::failure::CliError;
use crate::render::Report;
use crate::render::longlonglong::raw_text;

/// `voxkit longlonglong task <command>`.
#[derive(Debug, clap::Subcommand)]
pub enum TaskCommand {
    /// What a new task may use (任务初始化): dial-time groups and caller lines.
    Init(UserArgs),
    /// The user's 2.0 tasks (任务列表), or every sub-account's with --subset.
    List(ListArgs),
    /// One task's configuration and state (任务编辑, a read).
    Show(TaskArgs),
    /// Pauses a task (任务暂停, a repeatable PUT).
    Pause(TaskArgs),
    /// Copies a task (任务复制): never sent twice; a lost answer exits as unknown.
    Copy(TaskArgs),
}

/// `--user`.
#[derive(Debug, Args)]
pub struct UserArgs {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
}

/// `--user --task`.
#[derive(Debug, Args)]
pub struct TaskArgs {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The task's uuid.
    #[arg(long, value_name = "ID")]
    task: String,
}

/// The arguments of `task list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// Tasks whose name contains this.
    #[arg(long)]
    name: Option<String>,
    /// Every sub-account's tasks (任务列表(所有子账号)).
    #[arg(long)]
    subset: bool,
    /// This page (from 1).
    #[arg(long, conflicts_with = "all")]
    page: Option<u32>,
    /// Every page.
    #[arg(long)]
    all: bool,
}

pub(super) fn user_id(user: &str) -> Result<UserId, CliError> {
    Ok(UserId::parse(&super::uuid(user))?)
}

pub(super) fn task_ids(user: &str, task: &str) -> Result<(UserId, TaskId), CliError> {
    Ok((user_id(user)?, TaskId::parse(&super::uuid(task))?))
}

fn report(json: Value, message: &str) -> Report {
    let text = raw_text(message, &json);
    Report::new(json, text)
}

/// Runs a `task` command.
pub(super) async fn run(command: TaskCommand, global: &Global) -> Result<Report, CliError> {
    let client = global.longlonglong()?;
    match command {
        TaskCommand::Init(args) => {
            let user = user_id(&args.user)?;
            let init = client.task_init(&user, None).await?;
            Ok(report(json!(init), "任务初始化"))
        }
        TaskCommand::List(args) => {
            let user = user_id(&args.user)?;
            let mut query = TaskQuery::new();
            if let Some(name) = &args.name {
                query = query.name(name.as_str());
            }
            if args.all {
                let tasks: Vec<_> = global
                    .pages(client.tasks_all(&user, &query, args.subset), "tasks")
                    .try_collect()
                    .await?;
                return Ok(report(
                    json!({"data": tasks, "total": tasks.len()}),
                    "tasks",
                ));
            }
            let query = query.page(args.page.unwrap_or(1));
            let page = if args.subset {
                client.subset_tasks(&user, &query).await?
            } else {
                client.tasks(&user, &query).await?
            };
            Ok(report(
                json!({"data": page.items, "meta": page.meta}),
                "tasks",
            ))
        }
        TaskCommand::Show(args) => {
            let (user, task) = task_ids(&args.user, &args.task)?;
            let detail = client.task(&user, &task, None).await?;
            let state = detail.state().map(|s| format!("{s:?}"));
            Ok(report(json!({"task": detail, "state": state}), "task"))
        }
        TaskCommand::Pause(args) => {
            let (user, task) = task_ids(&args.user, &args.task)?;
            let answer = client.pause_task(&user, &task, None).await?;
            Ok(report(
                json!({"message": answer.message, "data": answer.data}),
                &answer.message,
            ))
        }
        TaskCommand::Copy(args) => {
            let (user, task) = task_ids(&args.user, &args.task)?;
            let answer = client.copy_task(&user, &task, None).await?;
            Ok(report(
                json!({"message": answer.message, "data": answer.data}),
                &answer.message,
            ))
        }
    }
}
