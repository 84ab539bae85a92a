//! `task`: 呼叫任务 2.0 — `init`, `list` (`--all` pages, `--subset` across sub-accounts),
//! `show`, `pause`, `copy` (a `GET` that creates a task: never sent twice; asks first, or
//! `--yes`), `create` and `modify` (from flags or a `--file` holding the docs' JSON body;
//! a create's name carries a fresh marker, and a lost create exits 5 naming it), and
//! `delete` (the old API's 任务删除, which 2.0 does not replace; asks first, or `--yes`).
//! The rest of the old task API is `task-v1` (`task_v1.rs`), deprecated as in the SDK.

use chrono::{NaiveDateTime, NaiveTime};
use clap::Args;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use voxkit_core::Marker;
use voxkit_longlonglong::{
    Holiday, LineId, Meta, NewTask, NumberStatus, Redial, ScriptWindow, TaskId, TaskLine,
    TaskQuery, TaskType, TaskUpdate, UserId, marked_task_name,
};

use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::render::Report;
use crate::render::longlonglong::{self, raw_text};
use crate::render::pages::PageInfo;

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
    /// Copies a task (任务复制): asks first (or --yes); never sent twice, a lost answer
    /// exits 5.
    Copy(TaskArgs),
    /// Creates a 2.0 task (任务创建) from flags or --file (the docs' JSON body). The name
    /// carries a fresh marker; a lost answer exits 5 naming it.
    Create(CreateArgs),
    /// Replaces a 2.0 task's configuration (任务修改, repeatable) from flags or --file.
    Modify(ModifyArgs),
    /// Deletes a task (任务删除, the old API: 2.0 has no delete). Asks first (or --yes);
    /// never sent twice.
    Delete(TaskArgs),
}

/// The configuration of `task create` and `task modify`: flags, or `--file`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// A JSON file holding the docs' 任务创建 body (`name`, `destination_extension`,
    /// `maximumcall`, `task_extras` {`start_time`, `stop_time`, `line`, ...}, ...).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["name", "script", "concurrency", "start", "stop", "line", "dial_time"])]
    file: Option<std::path::PathBuf>,
    /// The task's name.
    #[arg(long, required_unless_present = "file")]
    name: Option<String>,
    /// The script group (话术分组, `destination_extension`).
    #[arg(long, value_name = "ID", required_unless_present = "file")]
    script: Option<u64>,
    /// Concurrent calls (`maximumcall`).
    #[arg(long, value_name = "N", required_unless_present = "file")]
    concurrency: Option<u32>,
    /// Dialling starts, `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DDTHH:MM[:SS]` (server time).
    #[arg(long, value_name = "TIME", required_unless_present = "file")]
    start: Option<String>,
    /// Dialling stops, as --start.
    #[arg(long, value_name = "TIME", required_unless_present = "file")]
    stop: Option<String>,
    /// A caller line `ID:LIMIT` (a UUID from `task init`; repeatable).
    #[arg(long, value_name = "ID:LIMIT", required_unless_present = "file")]
    line: Vec<String>,
    /// The dial-time group (`dial_time_id`).
    #[arg(long = "dial-time", value_name = "ID")]
    dial_time: Option<u64>,
}

/// The arguments of `task create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    #[command(flatten)]
    config: ConfigArgs,
}

/// The arguments of `task modify`.
#[derive(Debug, Args)]
pub struct ModifyArgs {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The task's uuid.
    #[arg(long, value_name = "ID")]
    task: String,
    #[command(flatten)]
    config: ConfigArgs,
}

/// The docs' 任务创建 body, as a `--file` holds it (the fields the SDK's [`NewTask`] sends).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTask {
    name: String,
    destination_extension: u64,
    maximumcall: u32,
    #[serde(default)]
    dial_time_id: Option<u64>,
    #[serde(default)]
    background_id: Option<u64>,
    #[serde(default)]
    is_group_switch: Option<u8>,
    task_extras: FileExtras,
    #[serde(default)]
    task_type: Option<u8>,
    #[serde(default)]
    llm_intention_id: Option<u64>,
    #[serde(default)]
    score_scheme_id: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileExtras {
    start_time: String,
    stop_time: String,
    line: Vec<FileLine>,
    #[serde(default)]
    destination_extension_list: Vec<FileWindow>,
    #[serde(default)]
    holiday: Vec<FileHoliday>,
    #[serde(default)]
    pop_mode: Option<u32>,
    #[serde(default)]
    redial_enabled: Option<bool>,
    #[serde(default)]
    redial_new_number_policy: Option<u32>,
    #[serde(default)]
    redial_interval: Option<u32>,
    #[serde(default)]
    redial_max_times: Option<u32>,
    #[serde(default)]
    redial_conditions: Option<FileRedial>,
}

#[derive(Debug, Deserialize)]
struct FileLine {
    id: String,
    limit: u32,
}

#[derive(Debug, Deserialize)]
struct FileWindow {
    begin: String,
    end: String,
    destination_extension: u64,
}

#[derive(Debug, Deserialize)]
struct FileHoliday {
    begin: String,
    end: String,
}

#[derive(Debug, Deserialize)]
struct FileRedial {
    #[serde(default)]
    da_status: Vec<u64>,
}

fn datetime(what: &str, text: &str) -> Result<NaiveDateTime, CliError> {
    let text = text.trim();
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
    .ok_or_else(|| CliError::invalid(format!("{what} is not YYYY-MM-DD HH:MM[:SS] (or with a T)")))
}

fn time_of_day(what: &str, text: &str) -> Result<NaiveTime, CliError> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .map_err(|_| CliError::invalid(format!("{what} is not HH:MM")))
}

fn task_type(code: u8) -> Result<TaskType, CliError> {
    [
        TaskType::Outbound,
        TaskType::Inbound,
        TaskType::LlmOutbound,
        TaskType::LlmInbound,
        TaskType::V2,
        TaskType::NewV2,
    ]
    .into_iter()
    .find(|t| t.code() == code)
    .ok_or_else(|| CliError::invalid(format!("task_type {code} is not a documented code")))
}

impl FileTask {
    fn into_task(self, name: impl FnOnce(String) -> String) -> Result<NewTask, CliError> {
        let x = self.task_extras;
        let mut task = NewTask::new(
            name(self.name),
            self.destination_extension,
            self.maximumcall,
            datetime("task_extras.start_time", &x.start_time)?,
            datetime("task_extras.stop_time", &x.stop_time)?,
        );
        for line in x.line {
            task = task.line(TaskLine::new(LineId::parse(&line.id)?, line.limit));
        }
        for w in x.destination_extension_list {
            task = task.script_window(ScriptWindow::new(
                time_of_day("destination_extension_list[].begin", &w.begin)?,
                time_of_day("destination_extension_list[].end", &w.end)?,
                w.destination_extension,
            ));
        }
        for h in x.holiday {
            task = task.holiday(Holiday::new(
                datetime("holiday[].begin", &h.begin)?,
                datetime("holiday[].end", &h.end)?,
            ));
        }
        if let Some(mode) = x.pop_mode {
            task = task.pop_mode(mode);
        }
        if x.redial_enabled == Some(true) {
            let statuses = x
                .redial_conditions
                .map(|c| c.da_status)
                .unwrap_or_default()
                .into_iter()
                .map(|code| {
                    NumberStatus::from_code(code).ok_or_else(|| {
                        CliError::invalid(format!("da_status {code} is not a number status"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut redial = Redial::new(
                x.redial_interval.unwrap_or_default(),
                x.redial_max_times.unwrap_or_default(),
            )
            .when(statuses);
            if let Some(policy) = x.redial_new_number_policy {
                redial = redial.new_number_policy(policy);
            }
            task = task.redial(redial);
        }
        for (id, set) in [
            (
                self.dial_time_id,
                NewTask::dial_time_id as fn(NewTask, u64) -> NewTask,
            ),
            (self.background_id, NewTask::background_id),
            (self.llm_intention_id, NewTask::llm_intention_id),
            (self.score_scheme_id, NewTask::score_scheme_id),
        ] {
            if let Some(id) = id {
                task = set(task, id);
            }
        }
        if let Some(code) = self.is_group_switch {
            task = task.group_switch(code);
        }
        if let Some(code) = self.task_type {
            task = task.task_type(task_type(code)?);
        }
        Ok(task)
    }
}

impl ConfigArgs {
    /// The task configured, from `--file` or the flags (checked by the SDK on sending),
    /// its name passed through `name`.
    fn task(&self, name: impl FnOnce(String) -> String) -> Result<NewTask, CliError> {
        if let Some(path) = &self.file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::invalid(format!("cannot read {}: {e}", path.display())))?;
            let body: FileTask = serde_json::from_str(&text).map_err(|e| {
                CliError::invalid(format!("{} is not the 任务创建 body: {e}", path.display()))
            })?;
            return body.into_task(name);
        }
        let missing = || {
            CliError::usage("give --file or --name --script --concurrency --start --stop --line")
        };
        let mut task = NewTask::new(
            name(self.name.clone().ok_or_else(missing)?),
            self.script.ok_or_else(missing)?,
            self.concurrency.ok_or_else(missing)?,
            datetime("--start", self.start.as_deref().ok_or_else(missing)?)?,
            datetime("--stop", self.stop.as_deref().ok_or_else(missing)?)?,
        );
        for line in &self.line {
            let (id, limit) = line
                .split_once(':')
                .and_then(|(id, l)| Some((id, l.trim().parse::<u32>().ok()?)))
                .ok_or_else(|| CliError::invalid(format!("--line {line:?} is not ID:LIMIT")))?;
            task = task.line(TaskLine::new(LineId::parse(&super::uuid(id))?, limit));
        }
        if let Some(id) = self.dial_time {
            task = task.dial_time_id(id);
        }
        Ok(task)
    }
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

/// A raw answer (`json`, with the provider's `message`) as a report: the JSON as it came,
/// the text [`raw_text`]'s. Shared with `number`, whose answers are as raw.
pub(super) fn report(json: Value, message: &str) -> Report {
    let text = raw_text(message, &json);
    Report::new(json, text)
}

/// How a typed list's items (tasks, a task's number rows) are shown as text, with where
/// the page stands (`None` for `--all`).
pub(super) type ListText<T> = fn(&[T], Option<&PageInfo>) -> String;

/// The `--all` walk of a typed list as a report: every item and their count. Shared with
/// `number list`, which answers in the same shape.
pub(super) fn walked_report<T: Serialize>(items: &[T], text: ListText<T>) -> Report {
    Report::new(
        json!({"data": items, "total": items.len()}),
        text(items, None),
    )
}

/// One page of a typed list (its `items` and the server's paginator `meta`) as a report.
pub(super) fn page_report<T: Serialize>(
    items: &[T],
    meta: Option<&Meta>,
    text: ListText<T>,
) -> Report {
    let info = meta.map(longlonglong::sub_page_info);
    Report::new(
        json!({"data": items, "meta": meta}),
        text(items, info.as_ref()),
    )
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
                    .collect_pages(
                        client.tasks_all(&user, &query, args.subset),
                        ("task", "tasks"),
                    )
                    .await?;
                return Ok(walked_report(&tasks, longlonglong::tasks_text));
            }
            let query = query.page(args.page.unwrap_or(1));
            let page = if args.subset {
                client.subset_tasks(&user, &query).await?
            } else {
                client.tasks(&user, &query).await?
            };
            Ok(page_report(
                &page.items,
                page.meta.as_ref(),
                longlonglong::tasks_text,
            ))
        }
        TaskCommand::Show(args) => {
            let (user, task) = task_ids(&args.user, &args.task)?;
            let detail = client.task(&user, &task, None).await?;
            let state = detail.state().map(|s| format!("{s:?}"));
            let text = longlonglong::task_text(&detail);
            Ok(Report::new(json!({"task": detail, "state": state}), text))
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
            global.confirm(
                "longlonglong task copy",
                &format!("create a copy of task {task} (a second copy if sent again)"),
            )?;
            let answer = client.copy_task(&user, &task, None).await.check_with(|| {
                format!(
                    "the copy of task {task} may have been made, and nothing tells it from \
                     other tasks: run `voxkit longlonglong task list --user {user} --all` \
                     before copying again"
                )
            })?;
            Ok(report(
                json!({"message": answer.message, "data": answer.data}),
                &answer.message,
            ))
        }
        TaskCommand::Create(args) => {
            let user = user_id(&args.user)?;
            let marker = Marker::generate();
            let task = args.config.task(|name| marked_task_name(&name, &marker))?;
            let name = task.name().to_owned();
            let answer = client.create_task(&user, &task).await.check_with(|| {
                format!(
                    "the task may have been created: run `voxkit longlonglong task list --user \
                     {user} --name {marker} --all` and look for marker {marker} (name {name:?}) \
                     before creating it again"
                )
            })?;
            Ok(report(
                json!({"name": name, "marker": marker.as_str(), "message": answer.message, "data": answer.data}),
                &format!("created task {name:?}: {}", answer.message),
            ))
        }
        TaskCommand::Modify(args) => {
            let (user, task) = task_ids(&args.user, &args.task)?;
            let update = TaskUpdate::new(args.config.task(|name| name)?);
            let answer = client.modify_task(&user, &task, &update).await?;
            Ok(report(
                json!({"task": task.as_str(), "message": answer.message, "data": answer.data}),
                &format!("modified task {task}: {}", answer.message),
            ))
        }
        TaskCommand::Delete(args) => {
            let (user, task) = task_ids(&args.user, &args.task)?;
            global.confirm("longlonglong task delete", &format!("delete task {task}"))?;
            let answer = client
                .delete_task(&user, &task, None)
                .await
                .check_with(|| {
                    format!(
                        "the task may have been deleted: run `voxkit longlonglong task show --user \
                     {user} --task {task}`; a not-found answer means it is gone"
                    )
                })?;
            Ok(report(
                json!({"task": task.as_str(), "message": answer.message, "data": answer.data}),
                &format!("deleted task {task}: {}", answer.message),
            ))
        }
    }
}
