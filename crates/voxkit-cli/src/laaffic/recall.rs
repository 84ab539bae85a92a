//! `recall list|cancel`: automatic recall (redial) flows (自动重呼流程).

use std::time::Duration;

use clap::{Args, Subcommand};
use futures_util::TryStreamExt;
use serde_json::{Value, json};
use voxkit_laaffic::{RecallCancel, RecallFlow, RecallQuery, TaskId};

use super::ivr::{parse_local, parse_local_end};
use crate::context::Global;
use crate::failure::CliError;
use crate::render::Report;

/// `voxkit laaffic recall <command>`.
#[derive(Debug, Subcommand)]
pub enum RecallCommand {
    /// List recall flows, one page at a time or --all (by default those created in the
    /// last 30 days).
    List(List),
    /// Cancel a pending recall flow (by --flow id or --task, the parent task), or a node
    /// and the nodes after it (--node). Safe to repeat.
    Cancel(Cancel),
}

/// The arguments of `recall list`.
#[derive(Debug, Args)]
pub struct List {
    /// Flows created from this time, China time, YYYY-MM-DD[ HH:MM:SS] (default: 30 days
    /// ago).
    #[arg(long, value_name = "DATETIME")]
    from: Option<String>,
    /// Flows created until this time, China time; a day without a time is included whole
    /// (default: tomorrow).
    #[arg(long, value_name = "DATETIME")]
    to: Option<String>,
    /// The parent task's name (fuzzy) or id (exact).
    #[arg(long, value_name = "NAME|ID")]
    task: Option<String>,
    /// The page, from 1.
    #[arg(long, value_name = "N", default_value_t = 1, conflicts_with = "all")]
    page: u32,
    /// Flows per page, 1-100.
    #[arg(long, value_name = "N", default_value_t = 10)]
    size: u32,
    /// Every page.
    #[arg(long)]
    all: bool,
}

/// The arguments of `recall cancel`: exactly one target.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Cancel {
    /// The recall flow's id (keyId).
    #[arg(long, value_name = "ID")]
    flow: Option<u64>,
    /// The parent task's id.
    #[arg(long, value_name = "ID")]
    task: Option<u64>,
    /// A node's id: it and the nodes after it.
    #[arg(long, value_name = "ID")]
    node: Option<u64>,
}

/// Runs `voxkit laaffic recall ...`.
pub async fn run(command: RecallCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        RecallCommand::List(args) => list(args, global).await,
        RecallCommand::Cancel(args) => {
            let (what, label) = match (args.flow, args.task, args.node) {
                (Some(id), _, _) => (RecallCancel::Flow(id), format!("recall flow {id}")),
                (_, Some(id), _) => (
                    RecallCancel::Task(TaskId(id)),
                    format!("the recall flow of task {id}"),
                ),
                (_, _, Some(id)) => (RecallCancel::Node(id), format!("recall node {id}")),
                _ => return Err(CliError::invalid("name --flow, --task or --node")),
            };
            global.laaffic()?.cancel_recall(what).await.map_err(|e| {
                CliError::from(e).hint(
                    "only a pending flow can be cancelled; see `voxkit laaffic recall list`"
                        .to_owned(),
                )
            })?;
            Ok(Report::new(
                json!({"cancelled": label}),
                format!("cancelled {label}"),
            ))
        }
    }
}

fn flow_json(f: &RecallFlow) -> Value {
    json!({
        "key_id": f.key_id,
        "task_id": f.task_id.map(|t| t.0),
        "task_name": f.task_name,
        "create_time": f.create_time.map(crate::render::china_json),
        "recall_type": f.recall_type.map(|t| t.code()),
        "recall_interval": f.recall_interval,
        "recall_num": f.recall_num,
        "finish_num": f.finish_num,
        "status": f.status.map(|s| s.code()),
    })
}

fn flows_text(flows: &[RecallFlow]) -> String {
    let mut text = String::from("ID  TASK  NAME  STATUS  DONE/ROUNDS  EVERY");
    for f in flows {
        text.push_str(&format!(
            "\n{}  {}  {}  {}  {}/{}  {} min",
            f.key_id,
            f.task_id.map_or("-".into(), |t| t.to_string()),
            f.task_name.as_deref().unwrap_or("-"),
            f.status.map_or("-".into(), |s| format!("{s:?}")),
            f.finish_num.map_or("-".into(), |n| n.to_string()),
            f.recall_num.map_or("-".into(), |n| n.to_string()),
            f.recall_interval.map_or("-".into(), |n| n.to_string()),
        ));
    }
    if flows.is_empty() {
        text.push_str("\n(no recall flows)");
    }
    text
}

async fn list(args: List, global: &Global) -> Result<Report, CliError> {
    // The API's times are China time: the default window is counted on that clock.
    let now = crate::render::china_now();
    let from = match &args.from {
        Some(text) => parse_local("--from", text)?,
        None => now - Duration::from_secs(30 * 86_400),
    };
    let to = match &args.to {
        Some(text) => parse_local_end("--to", text)?,
        None => now + Duration::from_secs(86_400),
    };
    let mut query = RecallQuery::new(from, to).page(args.page, args.size);
    if let Some(task) = &args.task {
        query = query.task_name(task.as_str());
    }
    let client = global.laaffic()?;
    let (flows, total) = if args.all {
        let flows: Vec<RecallFlow> = global
            .pages(client.recall_flows_all(&query), "recall flows")
            .try_collect()
            .await?;
        let total = flows.len() as u64;
        (flows, Some(total))
    } else {
        let page = client.recall_flows(&query).await?;
        (page.items, page.total)
    };
    Ok(Report::new(
        json!({
            "total": total,
            "page": (!args.all).then_some(args.page),
            "flows": flows.iter().map(flow_json).collect::<Vec<_>>(),
        }),
        flows_text(&flows),
    ))
}
