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

/// `voxkit longlonglong callbacks <command>`.
#[derive(Debug, clap::Subcommand)]
pub enum CallbacksCommand {
    /// Receive the platform's callbacks (number imports and deletions, CRM pool → task):
    /// print the URL to configure (or `voxkit sandbox --longlonglong-callback-url`), then
    /// each callback as it arrives, until Ctrl-C.
    Listen(crate::laaffic::reports::ListenArgs),
}

/// `callbacks listen`.
pub(super) async fn callbacks(
    command: CallbacksCommand,
    global: &Global,
) -> Result<Report, CliError> {
    use voxkit_longlonglong::webhooks::{self, BoxError, Callback};
    match command {
        CallbacksCommand::Listen(args) => {
            crate::laaffic::reports::listen(args, global, "longlonglong/callback", |print| {
                webhooks::callbacks(move |callback: Callback| {
                    let json = serde_json::to_value(&callback).unwrap_or(Value::Null);
                    print(json, callback_text(&callback));
                    async { Ok::<(), BoxError>(()) }
                })
            })
            .await
        }
    }
}

/// A callback as one line of text.
fn callback_text(c: &voxkit_longlonglong::webhooks::Callback) -> String {
    let what = match (&c.data.number, &c.data.url) {
        (Some(number), _) => format!("number {number}"),
        (None, Some(url)) => format!("numbers at {url}"),
        (None, None) => "no data".to_owned(),
    };
    format!(
        "callback {} {} batch {} user {} task {} {what}",
        c.kind.as_str(),
        c.mode.as_ref().map_or("-", |m| m.as_str()),
        c.unique_id,
        c.user_id.as_deref().unwrap_or("-"),
        c.task_id.as_deref().unwrap_or("-"),
    )
}
