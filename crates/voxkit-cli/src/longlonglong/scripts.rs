//! `script groups` and `script tenant`: a user's script groups (话术分组), whose ids
//! `line bind-scripts` binds, and every script of a cloud node's users
//! (查看下级用户所有话术). Neither answer is documented: the groups' table shows `id` and
//! `name` where present, the node's scripts are shown as sent.

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use voxkit_longlonglong::{TenantId, UserId};

use crate::context::Global;
use crate::failure::CliError;
use crate::paging::PageArgs;
use crate::render::Report;
use crate::render::longlonglong::{
    SCRIPT_GROUP_COLUMNS, raw_all_json, raw_page_json_about, raw_page_text, raw_table, raw_text,
};

/// `voxkit longlonglong script <command>`.
#[derive(Debug, Subcommand)]
pub enum ScriptCommand {
    /// A user's script groups (话术分组): one page (the docs' default page size is 15), or
    /// every page with --all.
    Groups(Groups),
    /// Every script of the users under a cloud node (查看下级用户所有话术), shown as sent.
    Tenant(Tenant),
}

/// The arguments of `script groups`.
#[derive(Debug, Args)]
pub struct Groups {
    /// The user id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    #[command(flatten)]
    paging: PageArgs,
}

/// The arguments of `script tenant`.
#[derive(Debug, Args)]
pub struct Tenant {
    /// The cloud node (云节点) id, a UUID.
    #[arg(long, value_name = "ID")]
    tenant: String,
}

/// Runs one `script` command.
pub(super) async fn run(command: ScriptCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        ScriptCommand::Groups(args) => groups(args, global).await,
        ScriptCommand::Tenant(args) => tenant(args, global).await,
    }
}

const WHAT: (&str, &str) = ("script group", "script groups");

async fn groups(args: Groups, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let client = global.longlonglong()?;
    let head = json!({"user": user.as_str()});
    if args.paging.all {
        let records: Vec<Value> = global
            .collect_pages(
                client.script_groups_all(&user, args.paging.per_page),
                ("script group", "script groups"),
            )
            .await?;
        let text = raw_table(&records, SCRIPT_GROUP_COLUMNS, WHAT, None);
        return Ok(Report::new(raw_all_json(head, records), text));
    }
    let page = client
        .script_groups(
            &user,
            Some(args.paging.page.unwrap_or(1)),
            args.paging.per_page,
        )
        .await?;
    Ok(Report::new(
        raw_page_json_about(&page, &head),
        raw_page_text(&page, SCRIPT_GROUP_COLUMNS, WHAT),
    ))
}

async fn tenant(args: Tenant, global: &Global) -> Result<Report, CliError> {
    let tenant = TenantId::parse(&super::uuid(&args.tenant))?;
    let answer = global.longlonglong()?.tenant_scripts(&tenant).await?;
    Ok(Report::new(
        json!({"tenant": tenant.as_str(), "message": answer.message, "data": answer.data}),
        raw_text(&answer.message, &answer.data),
    ))
}
