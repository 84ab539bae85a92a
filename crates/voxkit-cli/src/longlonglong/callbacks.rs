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
    /// One callback batch again (查看回调数据), by the `unique_id` a callback carried: shown
    /// as sent (its fields are not documented).
    Data(DataArgs),
}

/// The arguments of `callbacks data`.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The batch id: the callback's `unique_id` (批次 id).
    #[arg(long, value_name = "ID")]
    batch: String,
    /// The sub-account the batch was for (sub_user_id), a UUID.
    #[arg(long, value_name = "ID")]
    sub: Option<String>,
}

/// `callbacks data --user ID --batch ID [--sub ID]`.
async fn callback_data(args: DataArgs, global: &Global) -> Result<Report, CliError> {
    use voxkit_longlonglong::{BatchId, SubUserId, UserId};
    let user = UserId::parse(&super::uuid(&args.user))?;
    let batch = BatchId::parse(args.batch.trim())?;
    let sub = args
        .sub
        .as_deref()
        .map(|s| SubUserId::parse(&super::uuid(s)))
        .transpose()?;
    let answer = global
        .longlonglong()?
        .callback_data(&user, &batch, sub.as_ref())
        .await?;
    Ok(Report::new(
        json!({"user": user.as_str(), "batch": batch.as_str(), "message": answer.message, "data": answer.data}),
        crate::render::longlonglong::raw_text(&answer.message, &answer.data),
    ))
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
        CallbacksCommand::Data(args) => callback_data(args, global).await,
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
