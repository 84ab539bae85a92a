//! `agent list|add|update|delete`: the agents (超体) that run on ESP-AI devices. An
//! agent's `api_key` and the keys in its configuration are secrets: shown only with
//! `--show-secrets`. Adding and deleting are never sent twice: when their answer is lost
//! the exit code is 5 and the message says how to check.

use clap::{Args, Subcommand};
use futures_util::stream::BoxStream;
use serde_json::{Map, Value, json};
use voxkit_core::Page;
use voxkit_espai::{Ack, AgentConfig, AgentFilter, AgentUpdate, NewAgent, Updated};

use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::input::with_some;
use crate::paging::OnePageLimitArgs;
use crate::render::espai::{agent_json, agent_text, agents_text};
use crate::render::pages::PageInfo;
use crate::render::{Report, cell, plural, utc_text};

/// The page size the server uses when none is sent ("默认查询9999条").
pub(super) const SERVER_PAGE_SIZE: u64 = 9999;

/// The largest configuration file read, in bytes.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// `voxkit espai agent <command>`.
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// List agents: one page, or every page with --all.
    List(List),
    /// Add an agent on a quota card. Never sent twice: if the answer is lost, the exit
    /// code is 5 and the message says how to check.
    Add(Add),
    /// Change an agent's fields (only those given). Safe to repeat.
    Update(Update),
    /// Delete agents by id. Never sent twice.
    Delete(Delete),
}

/// The arguments of `agent list`.
#[derive(Debug, Args)]
pub struct List {
    /// Only agents with this name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Only enabled (true) or disabled (false) agents.
    #[arg(long, value_name = "BOOL")]
    enabled: Option<bool>,
    #[command(flatten)]
    paging: OnePageLimitArgs,
    /// Show the agents' api_key and the keys in their config (redacted otherwise).
    #[arg(long)]
    show_secrets: bool,
}

/// The arguments of `agent add`.
#[derive(Debug, Args)]
pub struct Add {
    /// The quota card it spends (its id, see `voxkit espai cdkey list`).
    #[arg(long, value_name = "ID")]
    card: String,
    /// The agent's name (超体名称). Names need not be unique: a unique one makes a lost
    /// answer easy to check.
    #[arg(long, value_name = "NAME")]
    name: String,
    /// Enabled from the start (default: disabled).
    #[arg(long)]
    enabled: bool,
    /// The model (001 by default).
    #[arg(long, value_name = "ID")]
    model_id: Option<String>,
    /// The sort order (99 by default).
    #[arg(long, value_name = "N")]
    sort: Option<u32>,
    /// The node it starts on (the documented default when not given).
    #[arg(long, value_name = "ID")]
    server_id: Option<String>,
    /// Copy the configuration of this agent.
    #[arg(long, value_name = "ID")]
    copy_from: Option<String>,
    /// Show the new agent's api_key (redacted otherwise; `agent list --show-secrets`
    /// shows it later).
    #[arg(long)]
    show_secrets: bool,
}

/// The arguments of `agent update`.
#[derive(Debug, Args)]
pub struct Update {
    /// The agent's id.
    #[arg(long, value_name = "ID")]
    id: String,
    /// A new name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Another quota card (its id).
    #[arg(long, value_name = "ID")]
    card: Option<String>,
    /// Enable (true) or disable (false).
    #[arg(long, value_name = "BOOL")]
    enabled: Option<bool>,
    /// Another model.
    #[arg(long, value_name = "ID")]
    model_id: Option<String>,
    /// Another sort order.
    #[arg(long, value_name = "N")]
    sort: Option<u32>,
    /// Another node.
    #[arg(long, value_name = "ID")]
    server_id: Option<String>,
    /// The whole new configuration, a JSON object, read from FILE (`-`: standard input).
    /// A file, not an argument: it holds the services' api keys.
    #[arg(long, value_name = "FILE")]
    config_file: Option<String>,
}

/// The arguments of `agent delete`.
#[derive(Debug, Args)]
pub struct Delete {
    /// The ids of the agents to delete (see `agent list`).
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
}

/// Runs `voxkit espai agent ...`.
pub(super) async fn run(command: AgentCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        AgentCommand::List(args) => list(args, global).await,
        AgentCommand::Add(args) => add(args, global).await,
        AgentCommand::Update(args) => update(args, global).await,
        AgentCommand::Delete(args) => delete(args, global).await,
    }
}

use crate::render::pages::all_meta;

/// Where one page of a list stands: counted when the server sends a total, else "more"
/// when the page is full (the agent list has no `totalNumber`).
fn page_info(current: u32, limit: Option<u32>, shown: usize, total: Option<u64>) -> PageInfo {
    let per_page = limit.map_or(SERVER_PAGE_SIZE, u64::from);
    match total {
        Some(total) => PageInfo::counted(current.into(), per_page, total, true),
        None => PageInfo {
            current: current.into(),
            last: None,
            total: None,
            more: if (shown as u64) < per_page {
                Some(false)
            } else {
                None
            },
            all_flag: true,
        },
    }
}

async fn list(args: List, global: &Global) -> Result<Report, CliError> {
    let filter = with_some!(AgentFilter::new(), name = args.name, enabled = args.enabled);
    let client = global.espai()?;
    let listing = Listing {
        one: "agent",
        many: "agents",
        json: agent_json,
        text: agents_text,
        show: args.show_secrets,
    };
    if args.paging.all {
        return listing.all(global, client.agents(filter)).await;
    }
    let current = args.paging.page.unwrap_or(1);
    let filter = with_some!(filter.page(current), limit = args.paging.limit);
    let page = client.list_agents(&filter).await?;
    Ok(listing.page(page, current, args.paging.limit))
}

/// How an ESP-AI list command shows what it lists (agents and devices list alike: one
/// page, or with `--all` every page), so that both commands answer in the same shape.
pub(super) struct Listing<T> {
    /// The singular noun (`"agent"`).
    pub(super) one: &'static str,
    /// The plural noun, also the JSON key of the items (`"agents"`).
    pub(super) many: &'static str,
    /// One item as JSON, its secrets shown or not.
    pub(super) json: fn(&T, bool) -> Value,
    /// The items as text, with where the page stands.
    pub(super) text: fn(&[T], Option<&PageInfo>, bool) -> String,
    /// Whether secrets are shown (`--show-secrets`).
    pub(super) show: bool,
}

impl<T> Listing<T> {
    /// Every item of the `--all` walk `items`, as one report marked complete.
    pub(super) async fn all(
        &self,
        global: &Global,
        items: BoxStream<'static, Result<T, voxkit_core::Error>>,
    ) -> Result<Report, CliError> {
        let items = global.collect_pages(items, (self.one, self.many)).await?;
        let mut json = Map::new();
        json.insert(self.many.into(), self.items_json(&items));
        json.insert("total".into(), items.len().into());
        json.insert("complete".into(), true.into());
        json.insert("meta".into(), all_meta(items.len()));
        let text = (self.text)(&items, None, self.show);
        Ok(Report::new(Value::Object(json), text))
    }

    /// One page (number `current`, `limit` asked) as a report with where it stands.
    pub(super) fn page(&self, page: Page<T>, current: u32, limit: Option<u32>) -> Report {
        let info = page_info(current, limit, page.items.len(), page.total);
        let mut json = Map::new();
        json.insert(self.many.into(), self.items_json(&page.items));
        json.insert("total".into(), page.total.into());
        json.insert("meta".into(), info.json());
        let text = (self.text)(&page.items, Some(&info), self.show);
        Report::new(Value::Object(json), text)
    }

    fn items_json(&self, items: &[T]) -> Value {
        items
            .iter()
            .map(|item| (self.json)(item, self.show))
            .collect()
    }
}

async fn add(args: Add, global: &Global) -> Result<Report, CliError> {
    let agent = with_some!(
        NewAgent::new(&args.card, &args.name).enabled(args.enabled),
        model_id = args.model_id,
        sort = args.sort,
        server_id = args.server_id,
        copy_from = args.copy_from,
    );
    let added = global.espai()?.add_agent(&agent).await.check_with(|| {
        format!(
            "run `voxkit espai agent list --all --output json` and look for an agent named \
             {:?} created just now: if there is one, it was added, do not add it again (names \
             need not be unique: compare the creation times with the agents that were there \
             before)",
            args.name
        )
    })?;
    Ok(Report::new(
        json!({"agent": agent_json(&added, args.show_secrets)}),
        format!(
            "added agent {}\n{}",
            added.id,
            agent_text(&added, args.show_secrets)
        ),
    ))
}

/// The configuration of `--config-file` (`-`: standard input).
fn read_config(path: &str) -> Result<AgentConfig, CliError> {
    use std::io::Read as _;
    let mut text = String::new();
    let read = if path == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_CONFIG_BYTES)
            .read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_CONFIG_BYTES).read_to_string(&mut text))
    };
    read.map_err(|e| CliError::invalid(format!("--config-file {path}: {e}")))?;
    // The parser's message never quotes the text (it holds keys): only where it failed.
    AgentConfig::from_json(&text).map_err(|_| {
        CliError::invalid(format!(
            "--config-file {path}: not a JSON object of an agent configuration; nothing was sent"
        ))
    })
}

async fn update(args: Update, global: &Global) -> Result<Report, CliError> {
    let config = args.config_file.as_deref().map(read_config).transpose()?;
    let update = with_some!(
        AgentUpdate::new(&args.id),
        name = args.name,
        cdkey_id = args.card,
        enabled = args.enabled,
        model_id = args.model_id,
        sort = args.sort,
        server_id = args.server_id,
        config = config,
    );
    let updated = global.espai()?.update_agent(&update).await?;
    Ok(updated_report("agent", &args.id, updated))
}

/// The report of an agent's or a device's update: its id, the server's message and when.
pub(super) fn updated_report(what: &str, id: &str, updated: Updated) -> Report {
    let message = updated.message.unwrap_or_default();
    Report::new(
        json!({
            "id": id,
            "message": message,
            "update_time": updated.update_time.map(crate::render::rfc3339),
        }),
        format!(
            "updated {what} {id}: {}{}",
            cell(Some(&message)),
            updated
                .update_time
                .map(|t| format!(" (at {})", utc_text(t)))
                .unwrap_or_default()
        ),
    )
}

async fn delete(args: Delete, global: &Global) -> Result<Report, CliError> {
    let client = global.espai()?;
    confirm_ids(
        global,
        "espai agent delete",
        "delete",
        ("agent", "agents"),
        &args.ids,
    )?;
    let ack = client.delete_agents(&args.ids).await.check_with(|| {
        format!(
            "run `voxkit espai agent list --all`: an agent no longer listed ({}) was deleted; \
             delete only those still listed",
            args.ids.join(", ")
        )
    })?;
    Ok(ids_report("deleted", ("agent", "agents"), &args.ids, ack))
}

/// Asks before `command` does `what` (`"delete"`) to the items `ids` (named `one`/`many`),
/// listing them: the one question of every ESP-AI command that acts on ids (see
/// [`Global::confirm`]).
pub(super) fn confirm_ids(
    global: &Global,
    command: &str,
    what: &str,
    (one, many): (&str, &str),
    ids: &[String],
) -> Result<(), CliError> {
    global.confirm(
        command,
        &format!(
            "{what} {}: {}",
            plural(ids.len(), one, many),
            ids.join(", ")
        ),
    )
}

/// The report of a delete or unbind by ids: the ids, one a line, and the server's message.
pub(super) fn ids_report(
    done: &str,
    (one, many): (&str, &str),
    ids: &[String],
    ack: Ack,
) -> Report {
    let message = ack.message.unwrap_or_default();
    Report::new(
        json!({"ids": ids, "message": message}),
        format!(
            "{done} {}: {}\n{}",
            plural(ids.len(), one, many),
            cell(Some(&message)),
            ids.join("\n")
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn delete_needs_an_id_and_all_excludes_page() {
        assert!(Cli::try_parse_from(["voxkit", "espai", "agent", "delete"]).is_err());
        assert!(
            Cli::try_parse_from(["voxkit", "espai", "agent", "list", "--all", "--page", "2"])
                .is_err()
        );
        assert!(Cli::try_parse_from(["voxkit", "espai", "agent", "add", "--name", "a"]).is_err());
    }
}
