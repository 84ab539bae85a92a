//! `recall list|cancel`: automatic recall (redial) flows (自动重呼流程).

use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::json;
use voxkit_laaffic::{RecallCancel, RecallQuery, TaskId};

use super::ivr::{parse_local, parse_local_end};
use crate::context::Global;
use crate::failure::CliError;
use crate::render::Report;
use crate::render::laaffic::{flow_json, flows_text, page_info, page_meta};
use crate::render::pages::all_meta;

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
    /// Flows created from this time, China time, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (default: 30 days
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
    if args.all {
        let flows = global
            .collect_pages(
                client.recall_flows_all(&query),
                ("recall flow", "recall flows"),
            )
            .await?;
        return Ok(Report::new(
            json!({
                "total": flows.len(),
                "page": null,
                "flows": flows.iter().map(flow_json).collect::<Vec<_>>(),
                "meta": all_meta(flows.len()),
            }),
            flows_text(&flows, None),
        ));
    }
    let page = client.recall_flows(&query).await?;
    let info = page_info(&page);
    Ok(Report::new(
        json!({
            "total": page.total,
            "page": args.page,
            "flows": page.items.iter().map(flow_json).collect::<Vec<_>>(),
            "meta": page_meta(&page),
        }),
        flows_text(&page.items, info.as_ref()),
    ))
}
