//! `task show|pause|cancel` and `tasks`: one IVR group-call task (群呼任务), and the list.
//! `task create` and `task resend` are in [`super::create`].

use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use voxkit_laaffic::{TaskId, TaskQuery, TaskStatus, TaskType};

use super::create::{self, Create, ResendArgs, UpdateArgs};
use super::{WindowList, parse_local, parse_local_end};
use crate::context::Global;
use crate::failure::{CliError, EXIT_REFUSED};
use crate::render::laaffic::{detail_json, detail_text, summary_json, tasks_text};
use crate::render::{Report, china_json, china_now};

/// How far back `voxkit laaffic tasks` looks without `--from`.
const DEFAULT_TASK_DAYS: u64 = 30;

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
    /// Update a task that is not calling: its name, voice, schedule, seat group and
    /// post-call SMS. Safe to repeat.
    Update(Box<UpdateArgs>),
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

/// A task kind, as `--type` takes it (the query's `taskType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TypeArg {
    /// 1 普通群呼: IVR group calls.
    Ivr,
    /// 2 AI群呼: AI (script) group calls.
    Ai,
    /// 3 AI Agent group calls.
    AiAgent,
}

impl From<TypeArg> for TaskType {
    fn from(kind: TypeArg) -> TaskType {
        match kind {
            TypeArg::Ivr => TaskType::Ivr,
            TypeArg::Ai => TaskType::Ai,
            TypeArg::AiAgent => TaskType::AiAgent,
        }
    }
}

/// The arguments of `tasks`.
#[derive(Debug, Args)]
pub struct TaskList {
    /// Tasks created from this time, China time: "YYYY-MM-DD HH:MM:SS",
    /// `YYYY-MM-DDTHH:MM:SS` or YYYY-MM-DD (from its start; default: 30 days ago).
    #[arg(long, value_name = "DATETIME")]
    from: Option<String>,
    /// Tasks created until this time, China time; a day without a time is included whole
    /// (`--to 2026-11-30` ends at 2026-11-30 23:59:59; default: tomorrow).
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
    /// Only tasks of this kind (taskType): AI and AI-Agent tasks are listed only with it.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    task_type: Option<TypeArg>,
    /// The page, from 1.
    #[arg(long, value_name = "N", default_value_t = 1)]
    page: u32,
    /// Tasks per page, 1-100 (with --all: the size of each page fetched).
    #[arg(long, value_name = "N", default_value_t = 10)]
    size: u32,
    /// Every task of every page (progress on stderr).
    #[arg(long, conflicts_with = "page")]
    all: bool,
}

/// Runs `voxkit laaffic task ...`.
pub async fn run(command: TaskCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        TaskCommand::Create(args) => create::create(*args, global).await,
        TaskCommand::Show(args) => {
            let detail = global.laaffic()?.task_detail(TaskId(args.id)).await?;
            Ok(Report::new(
                json!({"task": detail_json(&detail)}),
                detail_text(&detail),
            ))
        }
        TaskCommand::Pause(args) => control(args, false, global).await,
        TaskCommand::Cancel(args) => control(args, true, global).await,
        TaskCommand::Resend(args) => create::resend(*args, global).await,
        TaskCommand::Update(args) => create::update(*args, global).await,
    }
}

/// `task pause` or, with `cancel`, `task cancel`: both safe to repeat.
async fn control(args: TaskRefs, cancel: bool, global: &Global) -> Result<Report, CliError> {
    let ids: Vec<TaskId> = args.ids.iter().copied().map(TaskId).collect();
    let client = global.laaffic()?;
    let (result, done) = if cancel {
        (client.cancel_tasks(&ids).await, "cancelled")
    } else {
        (client.pause_tasks(&ids).await, "paused")
    };
    result.map_err(|e| refused_control(e, &args.ids))?;
    let mut json = json!({});
    json[done] = json!(args.ids);
    Ok(Report::new(json, format!("{done} {}", id_list(&args.ids))))
}

/// A refused pause or cancel: the hint says where to look, since a retry after a lost
/// answer may be refused although the first attempt was applied.
fn refused_control(error: voxkit_core::Error, ids: &[u64]) -> CliError {
    let error = CliError::from(error);
    if error.exit_code != EXIT_REFUSED {
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

/// Runs `voxkit laaffic tasks`.
pub async fn list(args: TaskList, global: &Global) -> Result<Report, CliError> {
    // The API's times are China time: the default window is counted on that clock.
    let now = china_now();
    let from = match &args.from {
        Some(text) => parse_local("--from", text)?,
        None => now - Duration::from_secs(DEFAULT_TASK_DAYS * 86_400),
    };
    let to = match &args.to {
        Some(text) => parse_local_end("--to", text)?,
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
    if let Some(kind) = args.task_type {
        query = query.task_type(kind.into());
    }
    let client = global.laaffic()?;
    let list = WindowList {
        from: china_json(from),
        to: china_json(to),
        size: args.size,
        names: ("task", "tasks"),
        json: summary_json,
        text: tasks_text,
    };
    let walk = args.all.then(|| client.query_tasks_all(&query));
    list.run(global, walk, args.page, || client.query_tasks(&query))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_arguments_are_the_sdks_statuses() {
        assert_eq!(
            TaskStatus::from(StatusArg::SubmitFailed),
            TaskStatus::SubmitFailed
        );
    }

    #[test]
    fn type_arguments_are_the_sdks_task_types() {
        use clap::Parser as _;
        assert_eq!(TaskType::from(TypeArg::AiAgent).code(), 3);
        assert_eq!(TaskType::from(TypeArg::Ai).code(), 2);
        let parse = |args: &[&str]| {
            crate::cli::Cli::try_parse_from(["voxkit", "laaffic", "tasks"].iter().chain(args))
        };
        assert!(parse(&["--type", "ai-agent"]).is_ok());
        assert!(parse(&["--type", "sms"]).is_err());
        assert!(parse(&["--all", "--page", "2"]).is_err());
        assert!(parse(&["--all", "--size", "100"]).is_ok());
    }
}
