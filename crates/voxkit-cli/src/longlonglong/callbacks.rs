//! `callback-blacklist`: the callback URLs the platform stopped calling (查看回调黑名单), so
//! that "why do no callbacks arrive?" has an answer.

use clap::Args;
use serde_json::{Value, json};

use crate::context::Global;
use crate::failure::CliError;
use crate::render::Report;
use crate::render::longlonglong::{blacklist_entry_json, blacklist_text};

/// The arguments of `callback-blacklist`.
#[derive(Debug, Args)]
pub struct Blacklist {
    /// Only the URLs blacklisted now (拉黑中), not the released ones.
    #[arg(long)]
    blacklisted: bool,
}

/// `callback-blacklist [--blacklisted]`.
pub(super) async fn blacklist(args: Blacklist, global: &Global) -> Result<Report, CliError> {
    let list = global.longlonglong()?.callback_blacklist().await?;
    let (entries, what) = if args.blacklisted {
        let now: Vec<_> = list.blacklisted().collect();
        (now, ("blacklisted callback", "blacklisted callbacks"))
    } else {
        let all: Vec<_> = list.entries.iter().collect();
        (all, ("blacklist entry", "blacklist entries"))
    };
    let json: Vec<Value> = entries.iter().map(|e| blacklist_entry_json(e)).collect();
    Ok(Report::new(
        json!({"message": list.message, "entries": json}),
        blacklist_text(&entries, what),
    ))
}
