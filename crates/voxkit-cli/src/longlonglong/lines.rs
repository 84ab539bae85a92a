//! `line list|allocate|unbind|bind-scripts`: the partner's lines on a cloud node (线路列表),
//! allocating one to a user (分配线路), removing an allocation (解除线路绑定用户) and binding
//! script groups to it (线路绑定话术).
//!
//! The list's records are undocumented except `line_allocation.id`: the table shows that
//! and the line's `id`, `name`, `remark` where present; `--output json` passes the records
//! as sent. Allocating cannot be reconciled (nothing ties a list record to the request), so
//! a lost answer is exit 5 with the advice to look at the list before allocating again.

use std::str::FromStr as _;

use chrono::NaiveDateTime;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use voxkit_core::{Error, Origin};
use voxkit_longlonglong::{
    AllocationId, LineAllocation, LineId, LineQuery, PROVIDER, ScriptGroupId, TenantId, UserId,
};

use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::input::with_some;
use crate::paging::PageArgs;
use crate::render::longlonglong::{
    LINE_COLUMNS, raw_all_json, raw_page_json_about, raw_page_text, raw_table,
};
use crate::render::{Report, cell};

/// `voxkit longlonglong line <command>`.
#[derive(Debug, Subcommand)]
pub enum LineCommand {
    /// The partner's lines on a cloud node (线路列表), or a user's allocations with --user:
    /// one page (the server's default page size, 页容量, is 15), or every page with --all.
    List(List),
    /// Allocate a line to a user (分配线路). Never sent twice: if the answer is lost the
    /// exit code is 5 and `line list` tells whether it was applied.
    Allocate(Allocate),
    /// Remove a line allocation from a user (解除线路绑定用户); asks first (--yes to skip).
    Unbind(Unbind),
    /// Set the script groups of a line allocation (线路绑定话术; main accounts only). Safe
    /// to repeat: the groups given replace the allocation's.
    BindScripts(BindScripts),
}

/// The arguments of `line list`.
#[derive(Debug, Args)]
pub struct List {
    /// The cloud node (云节点) id, a UUID.
    #[arg(long, value_name = "ID")]
    tenant: String,
    /// Only this user's allocations (所属用户), a UUID.
    #[arg(long, value_name = "ID")]
    user: Option<String>,
    #[command(flatten)]
    paging: PageArgs,
}

/// The arguments of `line allocate`.
#[derive(Debug, Args)]
pub struct Allocate {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The line id, a UUID.
    #[arg(long, value_name = "ID")]
    line: String,
    /// The concurrency (并发), at least 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    concurrency: u32,
    /// When the allocation ends (到期时间, China time): `YYYY-MM-DD HH:MM:SS`, or
    /// `YYYY-MM-DD` for the start of that day.
    #[arg(long, value_name = "TIME")]
    deadline: String,
    /// The price (价格), a decimal not below 0 (the unit is not documented).
    #[arg(long, value_name = "DECIMAL")]
    price: String,
    /// The cloud node the line is on: only used to print the exact `line list` command
    /// to check with if the answer is lost.
    #[arg(long, value_name = "ID")]
    tenant: Option<String>,
}

/// The arguments of `line unbind`.
#[derive(Debug, Args)]
pub struct Unbind {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The allocation record's id (the line list's `line_allocation.id`, ALLOCATION).
    #[arg(long, value_name = "N")]
    allocation: u64,
    /// The cloud node the line is on: only used to print the exact `line list` command
    /// to check with if the answer is lost.
    #[arg(long, value_name = "ID")]
    tenant: Option<String>,
}

/// The arguments of `line bind-scripts`.
#[derive(Debug, Args)]
pub struct BindScripts {
    /// The main account id, a UUID (sub-accounts are not supported by the API).
    #[arg(long, value_name = "ID")]
    user: String,
    /// The allocation record's id (the line list's `line_allocation.id`).
    #[arg(long, value_name = "N")]
    allocation: u64,
    /// The script group ids (`script groups`), each once: `--group 1 --group 2` or
    /// `--group 1,2`.
    #[arg(
        long = "group",
        value_name = "ID",
        value_delimiter = ',',
        required = true
    )]
    groups: Vec<u64>,
}

/// Runs one `line` command.
pub(super) async fn run(command: LineCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        LineCommand::List(args) => list(args, global).await,
        LineCommand::Allocate(args) => allocate(args, global).await,
        LineCommand::Unbind(args) => unbind(args, global).await,
        LineCommand::BindScripts(args) => bind_scripts(args, global).await,
    }
}

const WHAT: (&str, &str) = ("line", "lines");

async fn list(args: List, global: &Global) -> Result<Report, CliError> {
    let tenant = TenantId::parse(&super::uuid(&args.tenant))?;
    let user = args
        .user
        .as_deref()
        .map(|u| UserId::parse(&super::uuid(u)))
        .transpose()?;
    let query = with_some!(
        LineQuery::new(tenant.clone()),
        user = user.clone(),
        per_page = args.paging.per_page,
    );
    let client = global.longlonglong()?;
    let head = json!({"tenant": tenant.as_str(), "user": user.as_ref().map(UserId::as_str)});
    if args.paging.all {
        let records: Vec<Value> = global
            .collect_pages(client.lines_all(&query), ("line", "lines"))
            .await?;
        let text = raw_table(&records, LINE_COLUMNS, WHAT, None);
        return Ok(Report::new(raw_all_json(head, records), text));
    }
    let page = client
        .lines(&query.page(args.paging.page.unwrap_or(1)))
        .await?;
    Ok(Report::new(
        raw_page_json_about(&page, &head),
        raw_page_text(&page, LINE_COLUMNS, WHAT),
    ))
}

/// The `line list` command that shows `user`'s allocations (the node when known).
fn list_command(tenant: Option<&str>, user: &UserId) -> String {
    let tenant = tenant.map_or_else(|| "<cloud node id>".to_owned(), super::uuid);
    format!("voxkit longlonglong line list --tenant {tenant} --user {user} --all")
}

async fn allocate(args: Allocate, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let line = LineId::parse(&super::uuid(&args.line))?;
    let deadline = parse_deadline(&args.deadline)?;
    let price = parse_price(&args.price)?;
    let allocation = LineAllocation::new(args.concurrency, deadline, price)?;
    let done = global
        .longlonglong()?
        .allocate_line(&user, &line, &allocation)
        .await
        .check_with(|| {
            format!(
                "the allocation of line {line} to user {user} may have been applied, and the \
                 API cannot tell it from this request: run `{}` and look for line {line} \
                 before allocating it again",
                list_command(args.tenant.as_deref(), &user)
            )
        })?;
    let mut text = format!(
        "allocated line {line} to user {user} (concurrency {}, until {}, price {price}): {}",
        args.concurrency,
        deadline.format("%Y-%m-%d %H:%M:%S"),
        cell(Some(&done.message))
    );
    text.push_str(&super::created_id_line(&done.data, "allocation id"));
    Ok(Report::new(
        json!({
            "user": user.as_str(),
            "line": line.as_str(),
            "line_concurrency": args.concurrency,
            "deadline_at": deadline.format("%Y-%m-%d %H:%M:%S").to_string(),
            "price": price.to_string(),
            "message": done.message,
            "data": done.data,
        }),
        text,
    ))
}

async fn unbind(args: Unbind, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let allocation = AllocationId::new(args.allocation)?;
    let client = global.longlonglong()?;
    global.confirm(
        "longlonglong line unbind",
        &format!("remove line allocation {allocation} from user {user}"),
    )?;
    let done = client.unbind_line(&user, allocation).await.check_with(|| {
        format!(
            "run `{}`: if no line shows ALLOCATION {allocation}, it was removed; do not \
                 send the removal again while it is listed without checking",
            list_command(args.tenant.as_deref(), &user)
        )
    })?;
    Ok(Report::new(
        json!({"user": user.as_str(), "allocation": allocation.get(), "message": done.message, "data": done.data}),
        format!(
            "removed line allocation {allocation} from user {user}: {}",
            cell(Some(&done.message))
        ),
    ))
}

async fn bind_scripts(args: BindScripts, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let allocation = AllocationId::new(args.allocation)?;
    let groups = args
        .groups
        .iter()
        .map(|g| ScriptGroupId::new(*g))
        .collect::<Result<Vec<_>, _>>()?;
    let done = global
        .longlonglong()?
        .bind_line_scripts(&user, allocation, &groups)
        .await?;
    let ids: Vec<u64> = groups.iter().map(|g| g.get()).collect();
    let shown: Vec<String> = ids.iter().map(u64::to_string).collect();
    Ok(Report::new(
        json!({"user": user.as_str(), "allocation": allocation.get(), "group_ids": ids, "message": done.message, "data": done.data}),
        format!(
            "line allocation {allocation} now has script groups {}: {}",
            shown.join(", "),
            cell(Some(&done.message))
        ),
    ))
}

/// `--deadline`: `YYYY-MM-DD HH:MM:SS`, or a `YYYY-MM-DD` day (its start).
fn parse_deadline(text: &str) -> Result<NaiveDateTime, Error> {
    let text = text.trim();
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
        .ok()
        .or_else(|| {
            super::parse_date("allocate_line", "--deadline", text)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .ok_or_else(|| {
            let shown: String = text.chars().take(40).collect();
            Error::invalid_input(
                Origin::new(PROVIDER, "allocate_line"),
                format!("--deadline {shown:?} is not YYYY-MM-DD HH:MM:SS nor YYYY-MM-DD"),
            )
        })
}

/// `--price`: a plain decimal (the SDK refuses a negative one).
fn parse_price(text: &str) -> Result<Decimal, Error> {
    Decimal::from_str(text.trim()).map_err(|_| {
        let shown: String = text.chars().take(40).collect();
        Error::invalid_input(
            Origin::new(PROVIDER, "allocate_line"),
            format!("--price {shown:?} is not a decimal number"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_take_a_time_or_a_day() {
        assert_eq!(
            parse_deadline("2025-11-28 00:00:00").unwrap().to_string(),
            "2025-11-28 00:00:00"
        );
        assert_eq!(
            parse_deadline("2025-11-28").unwrap().to_string(),
            "2025-11-28 00:00:00"
        );
        for bad in ["2025-11-28T00:00:00", "tomorrow", "2025-02-30", ""] {
            assert!(parse_deadline(bad).unwrap_err().nothing_sent(), "{bad}");
        }
        assert_eq!(parse_price("0.1").unwrap(), Decimal::new(1, 1));
        assert!(parse_price("ten").is_err());
    }
}
