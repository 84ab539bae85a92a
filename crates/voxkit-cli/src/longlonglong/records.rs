//! `record list|show|recordings|tags`: a task's call records (通话记录), one record turn by
//! turn, the recording URLs of up to 30 records and a record's LLM quality tags.

use clap::{Args, Subcommand};
use serde_json::json;
use voxkit_longlonglong::{IntentionTag, RecordId, RecordQuery, TaskId, UserId};

use crate::context::Global;
use crate::failure::CliError;
use crate::input::with_some;
use crate::paging::PageArgs;
use crate::render::Report;
use crate::render::longlonglong::{call_records_text, message_text, turns_text};
use crate::render::pages::all_meta;

/// `voxkit longlonglong record <command>`.
#[derive(Debug, Subcommand)]
pub enum RecordCommand {
    /// A task's call records, one page at a time (15 records unless --per-page) or every
    /// page with --all.
    List(RecordList),
    /// One call record, turn by turn (通话详情).
    Show(RecordRef),
    /// The recording URLs of 1 to 30 records (批量播放通话录音地址).
    Recordings(Recordings),
    /// A record's LLM quality-inspection tags (大模型质检记录).
    Tags(RecordRef),
}

/// `--user ID --task ID`.
#[derive(Debug, Args)]
pub struct TaskRef {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The call task id, a UUID.
    #[arg(long, value_name = "ID")]
    task: String,
}

/// The arguments of `record list`.
#[derive(Debug, Args)]
pub struct RecordList {
    #[command(flatten)]
    task: TaskRef,
    /// Only calls to numbers containing this (keyword).
    #[arg(long, value_name = "TEXT")]
    keyword: Option<String>,
    /// Only these intention grades (A..E or 1..5); repeat for several.
    #[arg(long = "tag", value_name = "GRADE")]
    tags: Vec<String>,
    #[command(flatten)]
    paging: PageArgs,
}

/// `--user ID --task ID --record ID`.
#[derive(Debug, Args)]
pub struct RecordRef {
    #[command(flatten)]
    task: TaskRef,
    /// The call record id, a UUID.
    #[arg(long, value_name = "ID")]
    record: String,
}

/// The arguments of `record recordings`.
#[derive(Debug, Args)]
pub struct Recordings {
    #[command(flatten)]
    task: TaskRef,
    /// A call record id; repeat for up to 30.
    #[arg(long = "record", value_name = "ID", required = true)]
    records: Vec<String>,
}

/// Runs `voxkit longlonglong record ...`.
pub(super) async fn run(command: RecordCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        RecordCommand::List(args) => list(args, global).await,
        RecordCommand::Show(args) => show(args, global).await,
        RecordCommand::Recordings(args) => recordings(args, global).await,
        RecordCommand::Tags(args) => tags(args, global).await,
    }
}

fn ids(task: &TaskRef) -> Result<(UserId, TaskId), CliError> {
    Ok((
        UserId::parse(&super::uuid(&task.user))?,
        TaskId::parse(&super::uuid(&task.task))?,
    ))
}

async fn list(args: RecordList, global: &Global) -> Result<Report, CliError> {
    let (user, task) = ids(&args.task)?;
    let mut query = RecordQuery::new();
    for tag in &args.tags {
        let grade = IntentionTag::parse(tag).ok_or_else(|| {
            CliError::invalid(format!(
                "--tag {tag:?} is not an intention grade (A to E, or 1 to 5)"
            ))
        })?;
        query = query.intention_tag(grade);
    }
    let query = with_some!(
        query,
        keyword = args.keyword,
        page = args.paging.page,
        per_page = args.paging.per_page,
    );
    let client = global.longlonglong()?;
    let (records, meta) = if args.paging.all {
        let records = global
            .collect_pages(
                client.call_records_all(&user, &task, &query),
                ("call record", "call records"),
            )
            .await?;
        let meta = all_meta(records.len());
        (records, meta)
    } else {
        let page = client.call_records(&user, &task, &query).await?;
        let meta = json!(page.meta);
        (page.items, meta)
    };
    Ok(Report::new(
        json!({"user": user.as_str(), "task": task.as_str(), "records": records, "meta": meta}),
        call_records_text(&records),
    ))
}

async fn show(args: RecordRef, global: &Global) -> Result<Report, CliError> {
    let (user, task) = ids(&args.task)?;
    let record = RecordId::parse(&super::uuid(&args.record))?;
    let detail = global
        .longlonglong()?
        .call_record_detail(&user, &task, &record, None)
        .await?;
    Ok(Report::new(
        json!({"record": record.as_str(), "turns": detail.records}),
        turns_text(&detail.records),
    ))
}

async fn recordings(args: Recordings, global: &Global) -> Result<Report, CliError> {
    let (user, task) = ids(&args.task)?;
    let records = args
        .records
        .iter()
        .map(|r| RecordId::parse(&super::uuid(r)))
        .collect::<Result<Vec<_>, _>>()?;
    let urls = global
        .longlonglong()?
        .recording_urls(&user, &task, &records, None)
        .await?;
    Ok(Report::new(
        json!({"message": urls.message, "data": urls.data}),
        message_text(&urls.message, &urls.data),
    ))
}

async fn tags(args: RecordRef, global: &Global) -> Result<Report, CliError> {
    let (user, task) = ids(&args.task)?;
    let record = RecordId::parse(&super::uuid(&args.record))?;
    let tags = global
        .longlonglong()?
        .llm_intention_tags(&user, &task, &record)
        .await?;
    Ok(Report::new(
        json!({"message": tags.message, "data": tags.data}),
        message_text(&tags.message, &tags.data),
    ))
}
