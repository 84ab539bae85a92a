//! `subaccount create|list|show|delete`: a user's sub-accounts (子账户).

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use voxkit_longlonglong::{NewSubAccount, Sex, SubAccountQuery, SubUserId, UserId};

use super::{NewAccountArgs, parse_date, read_password};
use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::input::with_some;
use crate::paging::PageArgs;
use crate::render::longlonglong::{meta_json, sub_json, sub_text, subs_table, subs_text};
use crate::render::pages::all_meta;
use crate::render::{Report, cell};

/// `voxkit longlonglong subaccount <command>`.
#[derive(Debug, Subcommand)]
pub enum SubCommand {
    /// Create a sub-account; the password is the first line of stdin. Never sent twice.
    Create(SubCreate),
    /// List a user's sub-accounts, one page at a time (the server's default page size is
    /// 15) or every page with --all.
    List(SubList),
    /// Show one sub-account.
    Show(SubRef),
    /// Delete a sub-account. Never sent twice.
    Delete(SubRef),
}

/// The arguments of `subaccount create`.
#[derive(Debug, Args)]
pub struct SubCreate {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    #[command(flatten)]
    account: NewAccountArgs,
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

/// The arguments of `subaccount list`.
#[derive(Debug, Args)]
pub struct SubList {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    #[command(flatten)]
    paging: PageArgs,
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

/// Runs `voxkit longlonglong subaccount ...`.
pub(super) async fn run(command: SubCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        SubCommand::Create(args) => create_sub(args, global).await,
        SubCommand::List(args) => list_subs(args, global).await,
        SubCommand::Show(args) => show(args, global).await,
        SubCommand::Delete(args) => delete(args, global).await,
    }
}

async fn create_sub(args: SubCreate, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let birthday = args
        .birthday
        .as_deref()
        .map(|b| parse_date("create_sub_account", "--birthday", b))
        .transpose()?;
    let password = read_password()?;
    let new = &args.account;
    let account = with_some!(
        NewSubAccount::new(&new.name, &new.email, &new.phone, password),
        alias = args.alias,
        birthday = birthday,
        duty = args.duty,
        wechat = args.wechat,
        qq = args.qq,
        landline_phone = args.landline,
        sex = args.sex.map(Sex::from),
    );
    let created = global
        .longlonglong()?
        .create_sub_account(&user, &account)
        .await
        .check_with(|| {
            format!(
                "run `voxkit longlonglong subaccount list --user {user} --email {}`: the \
                     sub-account exists if it was created",
                args.account.email
            )
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
    let user = UserId::parse(&super::uuid(&args.user))?;
    let query = with_some!(
        SubAccountQuery::new(),
        page = args.paging.page,
        per_page = args.paging.per_page,
        name = args.name,
        email = args.email,
        phone = args.phone,
    );
    let client = global.longlonglong()?;
    if args.paging.all {
        let subs = global
            .collect_pages(
                client.sub_accounts_all(&user, &query),
                ("sub-account", "sub-accounts"),
            )
            .await?;
        return Ok(Report::new(
            json!({
                "user": user.as_str(),
                "sub_accounts": subs.iter().map(sub_json).collect::<Vec<_>>(),
                "meta": all_meta(subs.len()),
            }),
            subs_table(&subs, None),
        ));
    }
    let page = client.sub_accounts(&user, &query).await?;
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

async fn show(args: SubRef, global: &Global) -> Result<Report, CliError> {
    let (user, sub) = (
        UserId::parse(&super::uuid(&args.user))?,
        SubUserId::parse(&super::uuid(&args.sub))?,
    );
    let account = global.longlonglong()?.sub_account(&user, &sub).await?;
    Ok(Report::new(
        json!({"user": user.as_str(), "sub_account": sub_json(&account)}),
        sub_text(&account),
    ))
}

async fn delete(args: SubRef, global: &Global) -> Result<Report, CliError> {
    let (user, sub) = (
        UserId::parse(&super::uuid(&args.user))?,
        SubUserId::parse(&super::uuid(&args.sub))?,
    );
    let client = global.longlonglong()?;
    global.confirm(
        "longlonglong subaccount delete",
        &format!("delete sub-account {sub} of user {user}"),
    )?;
    let ack = client
        .delete_sub_account(&user, &sub)
        .await
        .check_with(|| {
            format!(
                "run `voxkit longlonglong subaccount show --user {user} --sub {sub}`: if \
                     the provider no longer finds it, it was deleted"
            )
        })?;
    Ok(Report::new(
        json!({"user": user.as_str(), "sub": sub.as_str(), "message": ack.message}),
        format!(
            "deleted sub-account {sub} of {user}: {}",
            cell(Some(&ack.message))
        ),
    ))
}
