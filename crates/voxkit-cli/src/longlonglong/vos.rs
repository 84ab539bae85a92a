//! `vos overview` and `vos cdrs`: a user's VOS accounts (用户VOS账户概况) and their call
//! detail records (查询vos话单列表). Neither answer is documented, so both are shown as sent
//! (pretty JSON), never read into invented fields.

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use voxkit_longlonglong::{UserId, VosCdrQuery, VosScope};

use super::parse_date;
use crate::context::Global;
use crate::failure::CliError;
use crate::input::with_some;
use crate::render::longlonglong::{date_text, raw_text};
use crate::render::{Report, cell};

/// `voxkit longlonglong vos <command>`.
#[derive(Debug, Subcommand)]
pub enum VosCommand {
    /// The user's VOS account overview (用户VOS账户概况): the first account, or every one
    /// with --all. The fields are not documented: shown as sent.
    Overview(Overview),
    /// The VOS call detail records (查询vos话单列表) of one day (yesterday by default, the
    /// server's rule) of one VOS account (the first by default). Shown as sent.
    Cdrs(Cdrs),
}

/// The arguments of `vos overview`.
#[derive(Debug, Args)]
pub struct Overview {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// Every VOS account of the user (`all=true`), not only the first.
    #[arg(long)]
    all: bool,
}

/// The arguments of `vos cdrs`.
#[derive(Debug, Args)]
pub struct Cdrs {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The day, YYYY-MM-DD (China time); the server's default is yesterday.
    #[arg(long, value_name = "YYYY-MM-DD")]
    day: Option<String>,
    /// Only calls from this number (主叫), digits.
    #[arg(long, value_name = "DIGITS")]
    phone: Option<String>,
    /// Only calls to this number (被叫), digits.
    #[arg(long, value_name = "DIGITS")]
    callee: Option<String>,
    /// Which VOS account (an integer from `vos overview --all`); the first by default.
    #[arg(long, value_name = "N")]
    vos_account: Option<u64>,
}

/// Runs one `vos` command.
pub(super) async fn run(command: VosCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        VosCommand::Overview(args) => overview(args, global).await,
        VosCommand::Cdrs(args) => cdrs(args, global).await,
    }
}

async fn overview(args: Overview, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let scope = if args.all {
        VosScope::All
    } else {
        VosScope::First
    };
    let answer = global.longlonglong()?.vos_overview(&user, scope).await?;
    Ok(Report::new(
        json!({"user": user.as_str(), "all": args.all, "message": answer.message, "data": answer.data}),
        raw_text(&answer.message, &answer.data),
    ))
}

async fn cdrs(args: Cdrs, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let day = args
        .day
        .as_deref()
        .map(|d| parse_date("vos_cdrs", "--day", d))
        .transpose()?;
    let query = with_some!(
        VosCdrQuery::new(),
        day = day,
        phone = args.phone.clone(),
        callee = args.callee.clone(),
        vos_account_id = args.vos_account,
    );
    let answer = global.longlonglong()?.vos_cdrs(&user, &query).await?;
    let day_text = day.map_or_else(|| "yesterday (the server's default)".to_owned(), date_text);
    let text = match &answer.data {
        Value::Array(items) if items.is_empty() => {
            format!(
                "{}\nno VOS records on {day_text}",
                cell(Some(&answer.message))
            )
        }
        data => raw_text(&answer.message, data),
    };
    Ok(Report::new(
        json!({
            "user": user.as_str(),
            "day": day.map(date_text),
            "message": answer.message,
            "data": answer.data,
        }),
        text,
    ))
}
