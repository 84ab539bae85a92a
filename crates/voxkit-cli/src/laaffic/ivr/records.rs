//! `records`: call records (语音消息记录), one by its voice id, a page of a time window,
//! or every page of it (`--all`).

use clap::Args;
use serde_json::json;
use voxkit_laaffic::RecordQuery;

use super::{WindowList, parse_zoned, parse_zoned_end};
use crate::context::Global;
use crate::failure::CliError;
use crate::render::Report;
use crate::render::laaffic::{record_json, record_text, records_text};

/// The arguments of `records`.
#[derive(Debug, Args)]
pub struct Records {
    /// One record, by its voice id (else give --from and --to).
    #[arg(value_name = "VOICE_ID", conflicts_with_all = ["from", "to", "page", "size", "all"])]
    voice_id: Option<String>,
    /// The start of the window: RFC 3339 (`2026-03-01T00:00:00+08:00`), or a time or day
    /// without an offset, taken as China time (+08:00), the zone of Laaffic's times.
    #[arg(
        long,
        value_name = "DATETIME",
        required_unless_present = "voice_id",
        requires = "to"
    )]
    from: Option<String>,
    /// The end of the window (at most 31 days after --from); a day without a time is
    /// included whole (`--to 2026-11-30` ends at 2026-11-30 23:59:59 +08:00).
    #[arg(
        long,
        value_name = "DATETIME",
        required_unless_present = "voice_id",
        requires = "from"
    )]
    to: Option<String>,
    /// The page, from 1.
    #[arg(long, value_name = "N")]
    page: Option<u32>,
    /// Records per page, 1-100 (default 25; with --all: the size of each page fetched).
    #[arg(long, value_name = "N")]
    size: Option<u32>,
    /// Every record of the window, every page (progress on stderr).
    #[arg(long, conflicts_with = "page")]
    all: bool,
}

/// Runs `voxkit laaffic records`.
pub async fn run(args: Records, global: &Global) -> Result<Report, CliError> {
    if let Some(voice_id) = &args.voice_id {
        let record = global.laaffic()?.call_record(voice_id).await?;
        return Ok(Report::new(
            json!({"record": record_json(&record)}),
            record_text(&record),
        ));
    }
    let (Some(from), Some(to)) = (&args.from, &args.to) else {
        return Err(CliError::invalid("give a voice id, or --from and --to"));
    };
    let from = parse_zoned("--from", from)?;
    let to = parse_zoned_end("--to", to)?;
    let mut query = RecordQuery::new(from, to);
    let (current, size) = (args.page.unwrap_or(1), args.size.unwrap_or(25));
    if args.page.is_some() || args.size.is_some() {
        query = query.page(current, size);
    }
    let client = global.laaffic()?;
    let list = WindowList {
        from: from.to_rfc3339(),
        to: to.to_rfc3339(),
        size,
        names: ("record", "records"),
        json: record_json,
        text: records_text,
    };
    let walk = args.all.then(|| client.call_records_all(&query));
    list.run(global, walk, current, || client.call_records(&query))
        .await
}
