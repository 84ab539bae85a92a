//! `voxkit longlonglong ...`: the longlonglong AI outbound-call agent API.

use std::io::{BufRead as _, Read as _};

use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use futures_util::TryStreamExt as _;
use serde_json::{Value, json};
use voxkit_core::{Error, Origin};
use voxkit_longlonglong::{
    Client, Meta, NewSubAccount, NewUser, PROVIDER, RechargeHistoryQuery, RechargeRecord,
    RecordKind, SecretString, Sex, SubAccount, SubAccountPage, SubAccountQuery, SubUserId, UserId,
};

use crate::app::Global;
use crate::failure::CliError;
use crate::pages::{PageInfo, footer};
use crate::render::{Align, Report, Table, cell, json_fields, key_values, plural};

/// The longest password line read from stdin, in bytes.
const MAX_PASSWORD_BYTES: u64 = 4096;

/// `voxkit longlonglong <command>`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add N to a user's outbound-call balance (外呼充值). Never sent twice: if the answer
    /// is lost, the exit code is 5 and the message says how to check.
    Recharge(Movement),
    /// Subtract N from a user's outbound-call balance (扣费). Never sent twice (exit code
    /// 5 if the answer is lost).
    Deduct(Movement),
    /// Set a user's outbound-call balance to zero (余额归零). Never sent twice.
    ZeroBalance(UserArg),
    /// The recharge history (充值记录): one page of the last 7 days or of --from/--to (at
    /// most 30 days apart), every page with --all, or a search of every page of the last
    /// 30 days for a remark with --remark (how to reconcile a lost recharge).
    Recharges(History),
    /// Set the day a user's account expires (at least tomorrow).
    SetExpiry(Expiry),
    /// A user's account information.
    Account(UserArg),
    /// The partner token's validity.
    Token,
    /// A user's sub-accounts (子账户).
    #[command(subcommand)]
    Subaccount(SubCommand),
    /// Register an end user (用户注册); the password is the first line of stdin.
    Register(Register),
}

/// `voxkit longlonglong subaccount <command>`.
#[derive(Debug, Subcommand)]
pub enum SubCommand {
    /// Create a sub-account; the password is the first line of stdin. Never sent twice.
    Create(SubCreate),
    /// List a user's sub-accounts, one page at a time.
    List(SubList),
    /// Show one sub-account.
    Show(SubRef),
    /// Delete a sub-account. Never sent twice.
    Delete(SubRef),
}

/// `--user ID`.
#[derive(Debug, Args)]
pub struct UserArg {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
}

/// The arguments of `recharge` and `deduct`.
#[derive(Debug, Args)]
pub struct Movement {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The amount, a positive integer.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    amount: u64,
    /// A remark (备注) that identifies this movement, e.g. an order number: it is how the
    /// recharge history tells whether a movement whose answer was lost was applied.
    #[arg(long, value_name = "TEXT")]
    remark: Option<String>,
}

/// The arguments of `recharges`.
#[derive(Debug, Args)]
pub struct History {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The first day, YYYY-MM-DD (with --to).
    #[arg(long, value_name = "DATE", requires = "to")]
    from: Option<String>,
    /// The last day, YYYY-MM-DD (with --from; at most 30 days after it).
    #[arg(long, value_name = "DATE", requires = "from")]
    to: Option<String>,
    /// The page, from 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    page: Option<u32>,
    /// Every row of every page (the pages are walked until an empty one).
    #[arg(long, conflicts_with = "page")]
    all: bool,
    /// Search every page of the window for the rows whose remark is exactly TEXT and end
    /// with a verdict: "found N" or "none in the window ... (all P pages searched)". The
    /// window is the last 30 days (the API's limit), up to tomorrow (UTC) in case the
    /// server's clock is ahead; or --since DATE, or --from/--to.
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["page", "all"])]
    remark: Option<String>,
    /// With --remark: search from this day, YYYY-MM-DD, to tomorrow (at most 30 days).
    #[arg(long, value_name = "DATE", requires = "remark", conflicts_with_all = ["from", "to"])]
    since: Option<String>,
}

/// The arguments of `set-expiry`.
#[derive(Debug, Args)]
pub struct Expiry {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The day the account expires, YYYY-MM-DD (the provider refuses today or earlier).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: String,
}

/// 性别.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SexArg {
    /// 未知.
    Unknown,
    /// 男.
    Male,
    /// 女.
    Female,
}

impl From<SexArg> for Sex {
    fn from(sex: SexArg) -> Sex {
        match sex {
            SexArg::Unknown => Sex::Unknown,
            SexArg::Male => Sex::Male,
            SexArg::Female => Sex::Female,
        }
    }
}

/// The arguments of `subaccount create`.
#[derive(Debug, Args)]
pub struct SubCreate {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The account name (账户名).
    #[arg(long, value_name = "N")]
    name: String,
    /// The e-mail address (unique).
    #[arg(long, value_name = "E")]
    email: String,
    /// The phone number, digits.
    #[arg(long, value_name = "P")]
    phone: String,
    /// Read the password from the first line of standard input (required: a password is
    /// never taken from an argument).
    #[arg(long, required = true)]
    password_stdin: bool,
    /// 别名.
    #[arg(long, value_name = "A")]
    alias: Option<String>,
    /// 生日, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD")]
    birthday: Option<String>,
    /// 职位.
    #[arg(long, value_name = "D")]
    duty: Option<String>,
    /// 微信.
    #[arg(long, value_name = "W")]
    wechat: Option<String>,
    /// QQ.
    #[arg(long, value_name = "Q")]
    qq: Option<String>,
    /// 座机, e.g. 010-123132.
    #[arg(long, value_name = "L")]
    landline: Option<String>,
    /// 性别.
    #[arg(long, value_enum, value_name = "SEX")]
    sex: Option<SexArg>,
}

/// The arguments of `subaccount list`.
#[derive(Debug, Args)]
pub struct SubList {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The page, from 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    page: Option<u32>,
    /// Sub-accounts per page (the server's default is 15).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    per_page: Option<u32>,
    /// Only sub-accounts with this name.
    #[arg(long, value_name = "N")]
    name: Option<String>,
    /// Only the sub-account with this e-mail address.
    #[arg(long, value_name = "E")]
    email: Option<String>,
    /// Only sub-accounts with this phone number.
    #[arg(long, value_name = "P")]
    phone: Option<String>,
}

/// `--user ID --sub ID`.
#[derive(Debug, Args)]
pub struct SubRef {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The sub-account id, a UUID.
    #[arg(long, value_name = "ID")]
    sub: String,
}

/// The arguments of `register`.
#[derive(Debug, Args)]
pub struct Register {
    /// The account name.
    #[arg(long, value_name = "N")]
    name: String,
    /// The e-mail address.
    #[arg(long, value_name = "E")]
    email: String,
    /// The phone number, digits.
    #[arg(long, value_name = "P")]
    phone: String,
    /// Read the password from the first line of standard input (required).
    #[arg(long, required = true)]
    password_stdin: bool,
    /// The cloud node (云节点) to join; without it, the system default.
    #[arg(long, value_name = "ID")]
    tenant: Option<String>,
}

/// The client, from `LONGLONGLONG_TOKEN` and `LONGLONGLONG_BASE_URL`, with `--timeout`.
fn client(global: &Global) -> Result<Client, Error> {
    let mut builder = Client::builder().token_from_env()?;
    if let Some(timeout) = global.timeout {
        builder = builder.deadline(timeout);
    }
    builder.build()
}

/// Runs one longlonglong command.
pub async fn run(command: Command, global: &Global) -> Result<Report, CliError> {
    match command {
        Command::Recharge(args) => movement(args, false, global).await,
        Command::Deduct(args) => movement(args, true, global).await,
        Command::ZeroBalance(args) => zero_balance(args, global).await,
        Command::Recharges(args) => recharges(args, global).await,
        Command::SetExpiry(args) => set_expiry(args, global).await,
        Command::Account(args) => {
            let user = UserId::parse(&args.user)?;
            let info = client(global)?.account_info(&user).await?;
            Ok(Report::new(
                json!({"user": user.as_str(), "message": info.message, "data": info.data}),
                format!("{}\n{}", cell(Some(&info.message)), json_fields(&info.data)),
            ))
        }
        Command::Token => {
            let info = client(global)?.token_info().await?;
            Ok(Report::new(
                json!({"message": info.message, "data": info.data}),
                format!("{}\n{}", cell(Some(&info.message)), json_fields(&info.data)),
            ))
        }
        Command::Subaccount(SubCommand::Create(args)) => create_sub(args, global).await,
        Command::Subaccount(SubCommand::List(args)) => list_subs(args, global).await,
        Command::Subaccount(SubCommand::Show(args)) => {
            let (user, sub) = (UserId::parse(&args.user)?, SubUserId::parse(&args.sub)?);
            let account = client(global)?.sub_account(&user, &sub).await?;
            Ok(Report::new(
                json!({"user": user.as_str(), "sub_account": sub_json(&account)}),
                sub_text(&account),
            ))
        }
        Command::Subaccount(SubCommand::Delete(args)) => {
            let (user, sub) = (UserId::parse(&args.user)?, SubUserId::parse(&args.sub)?);
            let ack = client(global)?
                .delete_sub_account(&user, &sub)
                .await
                .map_err(|e| {
                    CliError::from(e).check_with(|| {
                        format!(
                            "run `voxkit longlonglong subaccount show --user {user} --sub {sub}`: \
                             if the provider no longer finds it, it was deleted"
                        )
                    })
                })?;
            Ok(Report::new(
                json!({"user": user.as_str(), "sub": sub.as_str(), "message": ack.message}),
                format!(
                    "deleted sub-account {sub} of {user}: {}",
                    cell(Some(&ack.message))
                ),
            ))
        }
        Command::Register(args) => register(args, global).await,
    }
}

async fn movement(args: Movement, deduct: bool, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&args.user)?;
    let client = client(global)?;
    let remark = args.remark.as_deref();
    let result = if deduct {
        client.deduct(&user, args.amount, remark).await
    } else {
        client.recharge(&user, args.amount, remark).await
    };
    let (verb, label) = if deduct {
        ("deducted", "扣费 (deduction)")
    } else {
        ("recharged", "充值 (recharge)")
    };
    let ack = result.map_err(|e| {
        CliError::from(e).check_with(|| movement_check(&user, label, args.amount, remark))
    })?;
    let mut text = format!("{verb} {} for user {user}", args.amount);
    if let Some(remark) = remark {
        text.push_str(&format!(" (remark {:?})", crate::render::one_line(remark)));
    }
    text.push_str(&format!(": {}", cell(Some(&ack.message))));
    Ok(Report::new(
        json!({
            "user": user.as_str(),
            "amount": args.amount,
            "remark": remark,
            "message": ack.message,
        }),
        text,
    ))
}

/// How to find out whether a recharge or deduction whose answer was lost was applied.
///
/// Only a search of every page of the window can say "not applied", and only for a
/// remark that this movement alone carried; a movement sent without a remark cannot be
/// reconciled by remark at all (issue 12: advice to read page 1 led to double recharges).
fn movement_check(user: &UserId, label: &str, amount: u64, remark: Option<&str>) -> String {
    match remark {
        Some(remark) => format!(
            "run `voxkit longlonglong recharges --user {user} --remark {}`: it searches every \
             page of the last 30 days for this remark. \"found\" means the {label} of {amount} \
             was applied: do not send it again. \"none\" means it was not applied only \
             because the whole window was searched (the verdict says so) and only if no other \
             movement was given this remark; then it may be sent again",
            shell_word(remark)
        ),
        None => format!(
            "this {label} of {amount} was sent without --remark, so it cannot be reconciled by \
             remark: compare the balance of `voxkit longlonglong account --user {user}` with \
             what it was, and look in `voxkit longlonglong recharges --user {user} --all` \
             (every page) for a {label} of {amount} made just now, by amount and time, before \
             sending it again; next time give --remark with a unique order number"
        ),
    }
}

/// `text` as one shell word: as is when it is plainly safe, else in single quotes.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.,:/@+=".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

async fn zero_balance(args: UserArg, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&args.user)?;
    let ack = client(global)?.zero_balance(&user).await.map_err(|e| {
        CliError::from(e).check_with(|| {
            format!(
                "run `voxkit longlonglong recharges --user {user} --all` (every page) and look \
                 for a 扣费 of the whole balance made just now, or `voxkit longlonglong account \
                 --user {user}`"
            )
        })
    })?;
    Ok(Report::new(
        json!({"user": user.as_str(), "message": ack.message}),
        format!(
            "zeroed the balance of user {user}: {}",
            cell(Some(&ack.message))
        ),
    ))
}

async fn recharges(args: History, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&args.user)?;
    let range = match (&args.from, &args.to) {
        (Some(from), Some(to)) => Some((
            parse_date("recharge_history", "--from", from)?,
            parse_date("recharge_history", "--to", to)?,
        )),
        _ => None,
    };
    let client = client(global)?;
    if let Some(remark) = &args.remark {
        return search_remark(&client, &user, remark, range, args.since.as_deref()).await;
    }
    let mut query = RechargeHistoryQuery::new();
    if let Some((from, to)) = range {
        query = query.between(from, to);
    }
    let dates = json!({
        "user": user.as_str(),
        "from": range.map(|(from, _)| date_text(from)),
        "to": range.map(|(_, to)| date_text(to)),
    });
    if args.all {
        let records: Vec<RechargeRecord> = client
            .recharge_history_all(&user, &query)
            .try_collect()
            .await?;
        let total = records.len() as u64;
        let mut json = dates;
        json["page"] = Value::Null;
        json["records"] = records.iter().map(record_json).collect();
        json["meta"] = json!({"all": true, "total": total, "more": false});
        let mut text = history_text(&records, range.is_some(), None);
        if !records.is_empty() {
            text.push_str(" (every page)");
        }
        return Ok(Report::new(json, text));
    }
    let page = args.page.unwrap_or(1);
    let history = client
        .recharge_history(&user, &query.clone().page(page))
        .await?;
    let info = match &history.meta {
        Some(meta) => PageInfo::known(meta.current_page, meta.last_page, Some(meta.total), true),
        // The documented answer has no paginator: a look at the next page tells whether
        // there is more (a read, so it is safe to send).
        None if !history.records.is_empty() => {
            let next = client
                .recharge_history(&user, &query.page(page.saturating_add(1)))
                .await?;
            let more = !next.records.is_empty();
            PageInfo {
                current: u64::from(page),
                last: (!more).then_some(u64::from(page)),
                total: (!more && page == 1).then_some(history.records.len() as u64),
                more: Some(more),
                all_flag: true,
            }
        }
        None => PageInfo {
            current: u64::from(page),
            last: None,
            total: None,
            more: Some(false),
            all_flag: true,
        },
    };
    let mut json = dates;
    json["page"] = json!(page);
    json["records"] = history.records.iter().map(record_json).collect();
    json["meta"] = info.json();
    if let Some(meta) = &history.meta {
        json["meta"]["provider"] = meta_json(meta);
    }
    Ok(Report::new(
        json,
        history_text(&history.records, range.is_some(), Some(&info)),
    ))
}

/// `recharges --remark TEXT`: every page of the window searched, then a verdict.
async fn search_remark(
    client: &Client,
    user: &UserId,
    remark: &str,
    range: Option<(NaiveDate, NaiveDate)>,
    since: Option<&str>,
) -> Result<Report, CliError> {
    // The default window ends tomorrow in UTC: the server's time zone is not documented
    // (likely UTC+8), and a movement of "today" on its clock must be inside the window.
    let widest = RechargeHistoryQuery::reconcile_window();
    let query = match (range, since, widest.range()) {
        (Some((from, to)), _, _) => RechargeHistoryQuery::new().between(from, to),
        (None, Some(since), Some((_, tomorrow))) => {
            let since = parse_date("recharge_history", "--since", since)?;
            RechargeHistoryQuery::new().between(since, tomorrow)
        }
        _ => widest,
    };
    let found = client
        .find_recharges_by_remark(user, remark, &query)
        .await?;
    let (from, to) = found
        .range
        .map(|(from, to)| (date_text(from), date_text(to)))
        .unwrap_or_default();
    let pages = plural(found.pages as usize, "page", "pages");
    let verdict = if found.matches.is_empty() {
        format!("none in the window {from}..{to} (all {pages} searched)")
    } else {
        format!(
            "found {} with remark {:?} in the window {from}..{to} (all {pages} searched)",
            found.matches.len(),
            crate::render::one_line(remark)
        )
    };
    let mut text = String::new();
    if !found.matches.is_empty() {
        text.push_str(&records_table(&found.matches));
        text.push('\n');
    }
    text.push_str(&verdict);
    Ok(Report::new(
        json!({
            "user": user.as_str(),
            "remark": remark,
            "from": from,
            "to": to,
            "found": found.matches.len(),
            "records": found.matches.iter().map(record_json).collect::<Vec<_>>(),
            "pages_searched": found.pages,
            "records_searched": found.records,
            "complete": true,
            "verdict": verdict,
        }),
        text,
    ))
}

/// The recharge history as a table, with a footer that says where the page stands.
pub fn history_text(records: &[RechargeRecord], ranged: bool, page: Option<&PageInfo>) -> String {
    if records.is_empty() {
        let mut text = if ranged {
            "no records in this range".to_owned()
        } else {
            "no records in the last 7 days (use --from and --to for another range)".to_owned()
        };
        if let Some(page) = page.filter(|p| p.current > 1) {
            text.push_str(&format!(" on page {}", page.current));
        }
        return text;
    }
    let mut text = records_table(records);
    text.push('\n');
    text.push_str(&footer(records.len(), "record", "records", page));
    text
}

fn records_table(records: &[RechargeRecord]) -> String {
    let mut table = Table::new(&[
        ("ID", Align::Right),
        ("CREATED", Align::Left),
        ("TYPE", Align::Left),
        ("AMOUNT", Align::Right),
        ("BALANCE", Align::Right),
        ("REMARK", Align::Left),
    ]);
    for record in records {
        table.row(vec![
            record.id.to_string(),
            record.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            record.kind.label().to_owned(),
            record.amounts.to_string(),
            record.balance.to_string(),
            cell(record.remark.as_deref()),
        ]);
    }
    table.render()
}

async fn set_expiry(args: Expiry, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&args.user)?;
    let date = parse_date("set_expiry", "--date", &args.date)?;
    let ack = client(global)?.set_expiry(&user, date).await?;
    Ok(Report::new(
        json!({"user": user.as_str(), "expire_time": date_text(date), "message": ack.message}),
        format!(
            "user {user} now expires on {}: {}",
            date_text(date),
            cell(Some(&ack.message))
        ),
    ))
}

async fn create_sub(args: SubCreate, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&args.user)?;
    let birthday = args
        .birthday
        .as_deref()
        .map(|b| parse_date("create_sub_account", "--birthday", b))
        .transpose()?;
    let password = read_password()?;
    let mut account = NewSubAccount::new(&args.name, &args.email, &args.phone, password);
    if let Some(alias) = args.alias {
        account = account.alias(alias);
    }
    if let Some(birthday) = birthday {
        account = account.birthday(birthday);
    }
    if let Some(duty) = args.duty {
        account = account.duty(duty);
    }
    if let Some(wechat) = args.wechat {
        account = account.wechat(wechat);
    }
    if let Some(qq) = args.qq {
        account = account.qq(qq);
    }
    if let Some(landline) = args.landline {
        account = account.landline_phone(landline);
    }
    if let Some(sex) = args.sex {
        account = account.sex(sex.into());
    }
    let created = client(global)?
        .create_sub_account(&user, &account)
        .await
        .map_err(|e| {
            CliError::from(e).check_with(|| {
                format!(
                    "run `voxkit longlonglong subaccount list --user {user} --email {}`: the \
                     sub-account exists if it was created",
                    args.email
                )
            })
        })?;
    Ok(Report::new(
        json!({"user": user.as_str(), "sub_account": sub_json(&created)}),
        format!(
            "created sub-account {} of user {user}\n{}",
            created.id,
            sub_text(&created)
        ),
    ))
}

async fn list_subs(args: SubList, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&args.user)?;
    let mut query = SubAccountQuery::new();
    if let Some(page) = args.page {
        query = query.page(page);
    }
    if let Some(per_page) = args.per_page {
        query = query.per_page(per_page);
    }
    if let Some(name) = args.name {
        query = query.name(name);
    }
    if let Some(email) = args.email {
        query = query.email(email);
    }
    if let Some(phone) = args.phone {
        query = query.phone(phone);
    }
    let page = client(global)?.sub_accounts(&user, &query).await?;
    Ok(Report::new(
        json!({
            "user": user.as_str(),
            "sub_accounts": page.items.iter().map(sub_json).collect::<Vec<_>>(),
            "meta": page.meta.as_ref().map(|meta| {
                let mut json = meta_json(meta);
                json["more"] = json!(meta.current_page < meta.last_page);
                json
            }),
        }),
        subs_text(&page),
    ))
}

/// A page of sub-accounts as a table, with a count.
pub fn subs_text(page: &SubAccountPage) -> String {
    if page.items.is_empty() {
        return "no sub-accounts".to_owned();
    }
    let mut table = Table::new(&[
        ("ID", Align::Left),
        ("NAME", Align::Left),
        ("EMAIL", Align::Left),
        ("PHONE", Align::Left),
        ("CREATED", Align::Left),
    ]);
    for sub in &page.items {
        table.row(vec![
            sub.id.to_string(),
            cell(sub.name.as_deref()),
            cell(sub.email.as_deref()),
            cell(sub.phone.as_deref()),
            sub.created_at.map_or_else(
                || "-".to_owned(),
                |at| at.format("%Y-%m-%d %H:%M:%S").to_string(),
            ),
        ]);
    }
    let mut text = table.render();
    text.push('\n');
    let info = page.meta.as_ref().map(sub_page_info);
    text.push_str(&footer(
        page.items.len(),
        "sub-account",
        "sub-accounts",
        info.as_ref(),
    ));
    text
}

/// Where a page of sub-accounts stands, from the list's `meta` paginator.
fn sub_page_info(meta: &Meta) -> PageInfo {
    PageInfo::known(meta.current_page, meta.last_page, Some(meta.total), false)
}

async fn register(args: Register, global: &Global) -> Result<Report, CliError> {
    let password = read_password()?;
    let mut user = NewUser::new(&args.name, &args.email, &args.phone, password);
    if let Some(tenant) = &args.tenant {
        user = user.tenant_id(tenant);
    }
    let registered = client(global)?.register_user(&user).await.map_err(|e| {
        CliError::from(e).check_with(|| {
            format!(
                "the user {} may have been registered; the API cannot look users up, so ask \
                 the provider before registering this e-mail address again",
                args.email
            )
        })
    })?;
    Ok(Report::new(
        json!({"message": registered.message, "data": registered.data}),
        format!(
            "{}\n{}",
            cell(Some(&registered.message)),
            json_fields(&registered.data)
        ),
    ))
}

/// Reads the password: the first line of standard input, without its line ending.
fn read_password() -> Result<SecretString, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(MAX_PASSWORD_BYTES)
        .read_line(&mut line)
        .map_err(|e| {
            CliError::invalid(format!(
                "--password-stdin: could not read the password from standard input: {e}"
            ))
        })?;
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    if line.is_empty() {
        return Err(CliError::invalid(
            "--password-stdin: the first line of standard input is empty; pipe the password \
             in, e.g. printf '%s\\n' \"$PASSWORD\" | voxkit ...",
        ));
    }
    Ok(SecretString::from(line))
}

/// A `YYYY-MM-DD` argument; anything else is invalid input of `operation`.
fn parse_date(operation: &'static str, what: &str, text: &str) -> Result<NaiveDate, Error> {
    let shown: String = text.chars().take(40).collect();
    let valid = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    valid
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| {
            Error::invalid_input(
                Origin::new(PROVIDER, operation),
                format!("{what} {shown:?} is not a date in the form YYYY-MM-DD"),
            )
        })
}

fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn record_json(record: &RechargeRecord) -> Value {
    let kind = match &record.kind {
        RecordKind::Recharge => "recharge",
        RecordKind::Deduct => "deduct",
        _ => "other",
    };
    json!({
        "id": record.id,
        "user_id": record.user_id.as_str(),
        "type": record.kind.label(),
        "kind": kind,
        "amount": record.amounts.to_string(),
        "balance": record.balance.to_string(),
        "remark": record.remark,
        "created_at": record.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        "updated_at": record.updated_at.map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string()),
    })
}

fn meta_json(meta: &Meta) -> Value {
    json!({
        "has_pages": meta.has_pages,
        "total": meta.total,
        "last_page": meta.last_page,
        "current_page": meta.current_page,
        "per_page": meta.per_page,
    })
}

fn sex_name(sex: Sex) -> &'static str {
    match sex {
        Sex::Unknown => "unknown",
        Sex::Male => "male",
        Sex::Female => "female",
    }
}

fn sub_json(sub: &SubAccount) -> Value {
    let at =
        |at: Option<chrono::NaiveDateTime>| at.map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string());
    json!({
        "id": sub.id.as_str(),
        "name": sub.name,
        "email": sub.email,
        "phone": sub.phone,
        "sex": sub.sex.map(sex_name),
        "alias": sub.alias,
        "duty": sub.duty,
        "landline_phone": sub.landline_phone,
        "qq": sub.qq,
        "wechat": sub.wechat,
        "birthday": sub.birthday.map(date_text),
        "created_at": at(sub.created_at),
        "updated_at": at(sub.updated_at),
        "extra": sub.extra,
    })
}

/// One sub-account as aligned key-value lines.
pub fn sub_text(sub: &SubAccount) -> String {
    // The create answer holds only id, name, email and phone: show what was sent back.
    let mut pairs = vec![
        ("id", sub.id.to_string()),
        ("name", cell(sub.name.as_deref())),
        ("email", cell(sub.email.as_deref())),
        ("phone", cell(sub.phone.as_deref())),
    ];
    let optional = [
        ("sex", sub.sex.map(|s| sex_name(s).to_owned())),
        ("alias", sub.alias.clone()),
        ("duty", sub.duty.clone()),
        ("landline", sub.landline_phone.clone()),
        ("qq", sub.qq.clone()),
        ("wechat", sub.wechat.clone()),
        ("birthday", sub.birthday.map(date_text)),
        (
            "created",
            sub.created_at
                .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string()),
        ),
    ];
    for (key, value) in optional {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            pairs.push((key, value));
        }
    }
    for (key, value) in &sub.extra {
        let shown = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        pairs.push((key.as_str(), shown));
    }
    key_values(&pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Cli;
    use clap::Parser;

    #[test]
    fn dates_must_be_yyyy_mm_dd() {
        assert_eq!(
            parse_date("set_expiry", "--date", "2030-02-28").unwrap(),
            NaiveDate::from_ymd_opt(2030, 2, 28).unwrap()
        );
        for bad in [
            "2030-02-30",
            "2030-2-28",
            "30-02-28",
            "2030/02/28",
            "tomorrow",
            "",
            "+2030-02-28",
            "2030-02-28 ",
        ] {
            let err = parse_date("set_expiry", "--date", bad).unwrap_err();
            assert!(err.nothing_sent(), "{bad:?}");
            assert_eq!(err.origin().operation, "set_expiry");
            assert_eq!(crate::failure::exit_code(&err), 2);
        }
    }

    #[test]
    fn passwords_are_never_arguments() {
        let base = [
            "voxkit",
            "longlonglong",
            "register",
            "--name",
            "n",
            "--email",
            "a@b",
            "--phone",
            "1",
        ];
        let err = Cli::try_parse_from(base).unwrap_err();
        assert!(err.to_string().contains("--password-stdin"), "{err}");
        let mut with_value = base.to_vec();
        with_value.extend(["--password", "hunter2"]);
        assert!(Cli::try_parse_from(with_value).is_err());
        let mut ok = base.to_vec();
        ok.push("--password-stdin");
        assert!(Cli::try_parse_from(ok).is_ok());
    }

    #[test]
    fn amounts_are_positive_integers() {
        let parse = |amount: &str| {
            Cli::try_parse_from([
                "voxkit",
                "longlonglong",
                "recharge",
                "--user",
                "u",
                "--amount",
                amount,
            ])
        };
        assert!(parse("1").is_ok());
        for bad in ["0", "-5", "1.5", "ten"] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn a_range_needs_both_ends() {
        let parse = |extra: &[&str]| {
            let mut args = vec!["voxkit", "longlonglong", "recharges", "--user", "u"];
            args.extend(extra);
            Cli::try_parse_from(args)
        };
        assert!(parse(&[]).is_ok());
        assert!(parse(&["--from", "2026-01-01", "--to", "2026-01-02"]).is_ok());
        assert!(parse(&["--from", "2026-01-01"]).is_err());
        assert!(parse(&["--to", "2026-01-01"]).is_err());
    }
}
