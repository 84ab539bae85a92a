//! `task-v1`: the **old** task API (任务, `/agent-api/user/{user_id}/...`), deprecated by
//! the provider and the SDK because 呼叫任务 2.0 (`task`) replaces it — kept reachable for
//! accounts whose tasks and scripts still use it.
//!
//! `list` (`--all` pages, `--subset` across sub-accounts, `--status`), `show`, `modify`
//! (from flags or a `--file` holding the docs' JSON body), `pause` (a `GET` that changes
//! state: never sent twice, a lost answer exits 5 naming the read that tells), and `delete`
//! (the very `task delete` command: 2.0 has no delete). Every answer of this API is
//! undocumented, so each is shown raw; nothing is read into it.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use futures_util::StreamExt as _;
use futures_util::stream::BoxStream;
use serde::Deserialize;
use serde_json::{Value, json};
use voxkit_core::page::walk;
use voxkit_core::{Error, Origin, Page, Paging};
use voxkit_longlonglong::{
    Client, DEFAULT_TASKS_PER_PAGE, PROVIDER, SubUserId, TaskId, TaskQueryV1, TaskStatusV1,
    TaskType, TaskUpdateV1, Undocumented, UserId,
};

use super::tasks::{self, TaskArgs, TaskCommand, task_ids, user_id};
use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::input::with_some;
use crate::render::Report;
use crate::render::longlonglong::{raw_table, raw_text};
use crate::render::pages::{PageInfo, all_meta};

/// `voxkit longlonglong task-v1 <command>`.
#[derive(Debug, clap::Subcommand)]
pub enum TaskV1Command {
    /// The old task list (任务列表), or every sub-account's with --subset (任务列表(所有子账号)).
    /// Replaced by `task list` (`task list --subset`).
    List(ListArgs),
    /// One task's configuration by the old read (任务编辑). Replaced by `task show`.
    Show(ShowArgs),
    /// Replaces a task's configuration by the old modify (任务修改, repeatable), from flags
    /// or --file (the docs' JSON body). Replaced by `task modify`.
    Modify(ModifyArgs),
    /// Pauses a task by the old pause (任务暂停): a GET that changes state, never sent
    /// twice; a lost answer exits 5. Replaced by `task pause` (a repeatable PUT).
    Pause(ShowArgs),
    /// Deletes a task (任务删除): the same command as `task delete` (2.0 has no delete, so
    /// nothing replaces it). Asks first (or --yes); never sent twice.
    Delete(TaskArgs),
}

/// The old list's `status` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// `1` 暂停中.
    Paused,
    /// `2` 执行中.
    Running,
    /// `3` 等待执行.
    Waiting,
}

impl From<StatusArg> for TaskStatusV1 {
    fn from(status: StatusArg) -> Self {
        match status {
            StatusArg::Paused => TaskStatusV1::Paused,
            StatusArg::Running => TaskStatusV1::Running,
            StatusArg::Waiting => TaskStatusV1::Waiting,
        }
    }
}

/// The arguments of `task-v1 list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// Tasks whose name contains this.
    #[arg(long)]
    name: Option<String>,
    /// Only tasks in this state (repeatable).
    #[arg(long, value_enum)]
    status: Vec<StatusArg>,
    /// Every sub-account's tasks (任务列表(所有子账号)).
    #[arg(long, conflicts_with = "sub")]
    subset: bool,
    /// A sub-account's tasks (sub_user_id), a UUID.
    #[arg(long, value_name = "ID")]
    sub: Option<String>,
    /// This page (from 1).
    #[arg(long, conflicts_with = "all")]
    page: Option<u32>,
    /// Every page.
    #[arg(long)]
    all: bool,
}

/// `--user --task [--sub]`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The task's uuid.
    #[arg(long, value_name = "ID")]
    task: String,
    /// The sub-account the task belongs to (sub_user_id), a UUID.
    #[arg(long, value_name = "ID")]
    sub: Option<String>,
}

/// The arguments of `task-v1 modify`: the 任务修改 table's fields as flags, or `--file`.
#[derive(Debug, Args)]
pub struct ModifyArgs {
    #[command(flatten)]
    target: ShowArgs,
    /// A JSON file holding the docs' 任务修改 body (`name`, `caller_line_id`,
    /// `destination_extension`, `dial_time_id`, `maximumcall`, ...).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["name", "caller_line", "script", "dial_time", "concurrency"])]
    file: Option<PathBuf>,
    /// The task's name.
    #[arg(long, required_unless_present = "file")]
    name: Option<String>,
    /// The caller line (`caller_line_id`: a `caller_line_list` value of `task init`).
    #[arg(
        long = "caller-line",
        value_name = "ID",
        required_unless_present = "file"
    )]
    caller_line: Option<String>,
    /// The script group (话术分组, `destination_extension`).
    #[arg(long, value_name = "ID", required_unless_present = "file")]
    script: Option<u64>,
    /// The dial-time group (`dial_time_id`).
    #[arg(
        long = "dial-time",
        value_name = "ID",
        required_unless_present = "file"
    )]
    dial_time: Option<u64>,
    /// Concurrent calls (`maximumcall`, at most the line's residue).
    #[arg(long, value_name = "N", required_unless_present = "file")]
    concurrency: Option<u32>,
    /// The description (`remark`).
    #[arg(long, conflicts_with = "file")]
    remark: Option<String>,
    /// The transfer group (`bridge_group_id`).
    #[arg(long = "bridge-group", value_name = "ID", conflicts_with = "file")]
    bridge_group: Option<u64>,
    /// Seconds between calls (`call_pause_second`).
    #[arg(long = "call-pause", value_name = "SECONDS", conflicts_with = "file")]
    call_pause: Option<u32>,
    /// The re-dial rule (`auto_recycle_rule_id`).
    #[arg(long = "recycle-rule", value_name = "ID", conflicts_with = "file")]
    recycle_rule: Option<u64>,
    /// 动态坐席 (`elasticity_type`; not together with --end-action).
    #[arg(long, conflicts_with = "file")]
    elasticity: bool,
    /// The action when the task ends (`end_action`; codes undocumented).
    #[arg(long = "end-action", value_name = "N", conflicts_with = "file")]
    end_action: Option<u32>,
    /// The LLM quality-check configuration (`llm_intention_id`).
    #[arg(long = "llm-intention", value_name = "ID", conflicts_with = "file")]
    llm_intention: Option<u64>,
    /// `task_type`: 1 任务外呼, 2 任务呼入, 4 大模型外呼, 5 大模型呼入.
    #[arg(long = "task-type", value_name = "CODE", conflicts_with = "file")]
    task_type: Option<u8>,
}

/// The docs' 任务修改 body, as a `--file` holds it (the fields [`TaskUpdateV1`] sends but
/// `sub_user_id`, which is `--sub`); the flags fill the same shape.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    name: String,
    caller_line_id: String,
    destination_extension: u64,
    dial_time_id: u64,
    maximumcall: u32,
    #[serde(default)]
    remark: Option<String>,
    #[serde(default)]
    bridge_group_id: Option<u64>,
    #[serde(default)]
    call_pause_second: Option<u32>,
    #[serde(default)]
    auto_recycle_rule_id: Option<u64>,
    #[serde(default)]
    elasticity_type: Option<bool>,
    #[serde(default)]
    end_action: Option<u32>,
    #[serde(default)]
    llm_intention_id: Option<u64>,
    #[serde(default)]
    task_type: Option<u8>,
}

impl UpdateBody {
    /// The SDK's update (checked by it on sending), with `sub` when given.
    fn into_update(self, sub: Option<SubUserId>) -> Result<TaskUpdateV1, CliError> {
        let task_type = self.task_type.map(old_task_type).transpose()?;
        Ok(with_some!(
            TaskUpdateV1::new(
                self.name,
                super::uuid(&self.caller_line_id),
                self.destination_extension,
                self.dial_time_id,
                self.maximumcall,
            ),
            remark = self.remark,
            bridge_group_id = self.bridge_group_id,
            call_pause_second = self.call_pause_second,
            auto_recycle_rule_id = self.auto_recycle_rule_id,
            elasticity = self.elasticity_type,
            end_action = self.end_action,
            llm_intention_id = self.llm_intention_id,
            task_type = task_type,
            sub_user = sub,
        ))
    }
}

/// The old modify table's `task_type` codes (the 2.0 codes 6 and 7 are not among them).
fn old_task_type(code: u8) -> Result<TaskType, CliError> {
    match code {
        1 => Ok(TaskType::Outbound),
        2 => Ok(TaskType::Inbound),
        4 => Ok(TaskType::LlmOutbound),
        5 => Ok(TaskType::LlmInbound),
        _ => Err(CliError::invalid(format!(
            "task_type {code} is not one of the old API's codes 1, 2, 4, 5"
        ))),
    }
}

impl ModifyArgs {
    /// The body, from `--file` or the flags.
    fn body(&self) -> Result<UpdateBody, CliError> {
        if let Some(path) = &self.file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::invalid(format!("cannot read {}: {e}", path.display())))?;
            return serde_json::from_str(&text).map_err(|e| {
                CliError::invalid(format!("{} is not the 任务修改 body: {e}", path.display()))
            });
        }
        let missing = || {
            CliError::usage(
                "give --file or --name --caller-line --script --dial-time --concurrency",
            )
        };
        Ok(UpdateBody {
            name: self.name.clone().ok_or_else(missing)?,
            caller_line_id: self.caller_line.clone().ok_or_else(missing)?,
            destination_extension: self.script.ok_or_else(missing)?,
            dial_time_id: self.dial_time.ok_or_else(missing)?,
            maximumcall: self.concurrency.ok_or_else(missing)?,
            remark: self.remark.clone(),
            bridge_group_id: self.bridge_group,
            call_pause_second: self.call_pause,
            auto_recycle_rule_id: self.recycle_rule,
            elasticity_type: self.elasticity.then_some(true),
            end_action: self.end_action,
            llm_intention_id: self.llm_intention,
            task_type: self.task_type,
        })
    }
}

fn sub_user(sub: Option<&str>) -> Result<Option<SubUserId>, CliError> {
    Ok(sub.map(|s| SubUserId::parse(&super::uuid(s))).transpose()?)
}

fn target(args: &ShowArgs) -> Result<(UserId, TaskId, Option<SubUserId>), CliError> {
    let (user, task) = task_ids(&args.user, &args.task)?;
    Ok((user, task, sub_user(args.sub.as_deref())?))
}

/// A raw answer about one task: `task`, the provider's `message` and `data` as sent.
fn task_report(task: &TaskId, answer: &Undocumented, said: &str) -> Report {
    let json = json!({"task": task.as_str(), "message": answer.message, "data": answer.data});
    Report::new(
        json,
        raw_text(&format!("{said}{}", answer.message), &answer.data),
    )
}

/// Columns of the old list's table: the 2.0 list's fields, shown where present (the old
/// answer is undocumented; a list with none of them is shown as JSON).
const COLUMNS: &[(&str, &str)] = &[
    ("ID", "uuid"),
    ("NAME", "name"),
    ("ENABLED", "enable"),
    ("CREATED", "create_datetime"),
];
const WHAT: (&str, &str) = ("task", "tasks");

/// One page of the old list, or of the list across sub-accounts with `subset`.
async fn list_page(
    client: &Client,
    user: &UserId,
    query: &TaskQueryV1,
    subset: bool,
) -> Result<Undocumented, Error> {
    // This command exists to reach the old lists the SDK deprecates (2.0 replaces them).
    #[allow(deprecated)]
    let page = if subset {
        client.all_tasks_v1(user, query).await
    } else {
        client.tasks_v1(user, query).await
    };
    page
}

/// Every task of [`list_page`], page after page through core's walk and its guards. The
/// paginator of the old answer is not documented (nor kept by the SDK): a page is its
/// `data` array, and the walk ends at a page shorter than asked.
fn all_tasks(
    client: &Client,
    user: &UserId,
    query: &TaskQueryV1,
    subset: bool,
) -> BoxStream<'static, Result<Value, Error>> {
    let origin = Origin::new(PROVIDER, if subset { "all_tasks_v1" } else { "tasks_v1" });
    let (client, user, query) = (client.clone(), user.clone(), query.clone());
    walk(
        origin,
        Paging::new(Some(DEFAULT_TASKS_PER_PAGE)),
        |task: &Value| task.to_string(),
        move |number, size| {
            let (client, user) = (client.clone(), user.clone());
            let query = with_some!(query.clone().page(number), per_page = size);
            async move {
                match list_page(&client, &user, &query, subset).await?.data {
                    Value::Array(items) => Ok(Page::new(items)),
                    _ => Err(Error::Decode {
                        origin,
                        message: "the list's data is not an array: it cannot be walked".into(),
                        excerpt: String::new(),
                    }),
                }
            }
        },
    )
    .boxed()
}

async fn list(args: ListArgs, client: &Client, global: &Global) -> Result<Report, CliError> {
    let user = user_id(&args.user)?;
    let mut query = with_some!(
        TaskQueryV1::new(),
        name = args.name.clone(),
        sub_user = sub_user(args.sub.as_deref())?,
    );
    for status in &args.status {
        query = query.status((*status).into());
    }
    if args.all {
        let tasks: Vec<Value> = global
            .collect_pages(
                all_tasks(client, &user, &query, args.subset),
                ("task", "tasks"),
            )
            .await?;
        let text = raw_table(&tasks, COLUMNS, WHAT, None);
        return Ok(Report::new(
            json!({"data": tasks, "meta": all_meta(tasks.len())}),
            text,
        ));
    }
    let number = args.page.unwrap_or(1);
    let page = list_page(client, &user, &query.page(number), args.subset).await?;
    // No paginator is documented: the footer says only that there may be more.
    let info = PageInfo {
        current: number.into(),
        last: None,
        total: None,
        more: None,
        all_flag: true,
    };
    let text = match page.data.as_array() {
        Some(tasks) => raw_table(tasks, COLUMNS, WHAT, Some(&info)),
        None => raw_text(&page.message, &page.data),
    };
    Ok(Report::new(
        json!({"message": page.message, "data": page.data, "meta": info.json()}),
        text,
    ))
}

/// Runs a `task-v1` command.
pub(super) async fn run(command: TaskV1Command, global: &Global) -> Result<Report, CliError> {
    let client = global.longlonglong()?;
    match command {
        TaskV1Command::List(args) => list(args, &client, global).await,
        TaskV1Command::Show(args) => {
            let (user, task, sub) = target(&args)?;
            // The old read, deprecated in the SDK (2.0's `task show` replaces it).
            #[allow(deprecated)]
            let answer = client.task_v1(&user, &task, sub.as_ref()).await?;
            Ok(task_report(&task, &answer, ""))
        }
        TaskV1Command::Modify(args) => {
            let (user, task, sub) = target(&args.target)?;
            let update = args.body()?.into_update(sub)?;
            // The old modify, deprecated in the SDK (2.0's `task modify` replaces it).
            #[allow(deprecated)]
            let answer = client.modify_task_v1(&user, &task, &update).await?;
            Ok(task_report(
                &task,
                &answer,
                &format!("modified task {task}: "),
            ))
        }
        TaskV1Command::Pause(args) => {
            let (user, task, sub) = target(&args)?;
            // The old pause, deprecated in the SDK (2.0's `task pause` replaces it).
            #[allow(deprecated)]
            let answer = client
                .pause_task_v1(&user, &task, sub.as_ref())
                .await
                .check_with(|| {
                    format!(
                        "the task may have been paused: run `voxkit longlonglong task show \
                         --user {user} --task {task}`; state Paused means it is (whether by \
                         this request or before it)"
                    )
                })?;
            Ok(task_report(
                &task,
                &answer,
                &format!("paused task {task}: "),
            ))
        }
        TaskV1Command::Delete(args) => tasks::run(TaskCommand::Delete(args), global).await,
    }
}
