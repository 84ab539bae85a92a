//! `cdkey list|show|usage|transfer|destroy`: quota cards (额度卡). Transfers and
//! destructions are never sent twice: when their answer is lost the exit code is 5.

use clap::{Args, Subcommand};
use futures_util::StreamExt as _;
use serde_json::json;
use voxkit_espai::{
    BalanceLogPage, BalanceLogQuery, CardFilter, CardKey, CardType, Client, DEFAULT_MAX_CARDS,
    DEFAULT_PAGE_SIZE, Paging,
};

use super::agents::{SERVER_PAGE_SIZE, confirm_ids, ids_report};
use super::codes::{CODE_HELP, CodeArg, StdinLines, required};
use crate::context::{Format, Global};
use crate::failure::{CheckWith as _, CliError};
use crate::input::with_some;
use crate::paging::LimitPageArgs;
use crate::render::espai::{
    CARD_HEADER, card_cells, card_json, card_text, cards_text, log_json, logs_text, stream_row,
};
use crate::render::pages::{PageInfo, all_meta, collect_all};
use crate::render::{Report, Stdout, cell, plural};

/// Where page `current` of a card list or log stands (`limit` asked, else the server's
/// page size), when the server counted the items: `cdkey list` and `cdkey usage` alike.
fn counted_info(current: u32, limit: Option<u32>, total: Option<u64>) -> Option<PageInfo> {
    let per_page = limit.map_or(SERVER_PAGE_SIZE, u64::from);
    total.map(|total| PageInfo::counted(current.into(), per_page, total, true))
}

/// `voxkit espai cdkey <command>`.
#[derive(Debug, Subcommand)]
pub enum CdkeyCommand {
    /// List quota cards: one page, or every page with --all (each card printed as its
    /// page arrives).
    List(List),
    /// Show one card by its owner's phone and its redemption code.
    Show(Show),
    /// A card's usage log (额度卡使用记录): one page, or every page with --all.
    Usage(Usage),
    /// Move quota from one paid card to another. Never sent twice: if the answer is lost,
    /// the exit code is 5 and the message says how to check.
    Transfer(Transfer),
    /// Destroy paid cards whose quota is zero, by id. Never sent twice.
    Destroy(Destroy),
}

/// The arguments of `cdkey list`.
#[derive(Debug, Args)]
pub struct List {
    /// Only the card with this id.
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// Only cards of this type (0, or 1 to 5 for the paid types).
    #[arg(long = "type", value_name = "N")]
    card_type: Option<String>,
    /// Only the card with this redemption code (an argument shows in `ps`: see
    /// --code-stdin).
    #[arg(long, value_name = "C", conflicts_with = "code_stdin")]
    code: Option<String>,
    /// Read the redemption code to filter on from the first line of standard input.
    #[arg(long)]
    code_stdin: bool,
    /// Only cards of users with this nickname.
    #[arg(long, value_name = "N")]
    user_name: Option<String>,
    /// Only cards of the user with this phone number.
    #[arg(long, value_name = "P")]
    phone: Option<String>,
    #[command(flatten)]
    paging: LimitPageArgs,
    /// With --all: stop with an error after this many cards (default 100000), so that a
    /// huge or misbehaving listing cannot run on without bound.
    #[arg(long, value_name = "N", requires = "all", value_parser = clap::value_parser!(u64).range(1..))]
    max_cards: Option<u64>,
}

/// The arguments of `cdkey show`.
#[derive(Debug, Args)]
#[command(after_help = CODE_HELP)]
pub struct Show {
    /// The owner's phone number.
    #[arg(long, value_name = "P")]
    phone: String,
    #[command(flatten)]
    code: CodeArg,
}

/// The arguments of `cdkey usage`.
#[derive(Debug, Args)]
pub struct Usage {
    /// The card id (see `cdkey list`).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    #[command(flatten)]
    paging: LimitPageArgs,
}

/// The arguments of `cdkey transfer`.
#[derive(Debug, Args)]
#[command(after_help = CODE_HELP)]
pub struct Transfer {
    /// The source card's owner phone.
    #[arg(long, value_name = "P")]
    phone: String,
    #[command(flatten)]
    code: CodeArg,
    /// The target card's owner phone.
    #[arg(long, value_name = "P2")]
    to_phone: String,
    /// The target card's redemption code. Also read from VOXKIT_ESPAI_TO_CODE, or from
    /// stdin with --to-code-stdin (after the source code's line if both are read).
    #[arg(
        long,
        value_name = "C2",
        env = "VOXKIT_ESPAI_TO_CODE",
        hide_env_values = true
    )]
    to_code: Option<String>,
    /// Read the target card's redemption code from standard input: its first line, or its
    /// second when --code-stdin reads the first. Takes precedence over --to-code and
    /// VOXKIT_ESPAI_TO_CODE.
    #[arg(long)]
    to_code_stdin: bool,
    /// The quota to move, at least 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    amount: u64,
}

/// The arguments of `cdkey destroy`.
#[derive(Debug, Args)]
pub struct Destroy {
    /// The ids of the cards to destroy (see `cdkey list`).
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
}

/// Runs `voxkit espai cdkey ...`. `Ok(None)` when the command printed its own output as
/// it went (`list --all`).
pub(super) async fn run(
    command: CdkeyCommand,
    global: &Global,
) -> Result<Option<Report>, CliError> {
    let report = match command {
        CdkeyCommand::List(args) => return list(args, global).await,
        CdkeyCommand::Show(args) => show(args, global).await,
        CdkeyCommand::Usage(args) => usage(args, global).await,
        CdkeyCommand::Transfer(args) => transfer(args, global).await,
        CdkeyCommand::Destroy(args) => destroy(args, global).await,
    };
    report.map(Some)
}

async fn show(args: Show, global: &Global) -> Result<Report, CliError> {
    let mut stdin = StdinLines::default();
    let code = args
        .code
        .resolve("--code", "VOXKIT_ESPAI_CODE", &mut stdin)?;
    let key = CardKey::new(args.phone, code);
    let card = global.espai()?.card(&key).await?;
    Ok(Report::new(
        json!({"card": card_json(&card)}),
        card_text(&card),
    ))
}

async fn usage(args: Usage, global: &Global) -> Result<Report, CliError> {
    if args.paging.all {
        return usage_all(args, global).await;
    }
    let query = with_some!(
        BalanceLogQuery::new(),
        id = args.id,
        page = args.paging.page,
        limit = args.paging.limit,
    );
    let page = global.espai()?.balance_logs(&query).await?;
    let info = counted_info(args.paging.page.unwrap_or(1), args.paging.limit, page.total);
    Ok(Report::new(
        json!({
            "logs": page.items.iter().map(log_json).collect::<Vec<_>>(),
            "total": page.total,
            "meta": info.map(|i| i.json()),
        }),
        logs_text(&page, info.as_ref()),
    ))
}

/// `cdkey usage --all`: every entry of the log, page after page (`--limit` a page,
/// [`DEFAULT_PAGE_SIZE`] without it), then the table with the count.
async fn usage_all(args: Usage, global: &Global) -> Result<Report, CliError> {
    let query = with_some!(BalanceLogQuery::new(), id = args.id);
    let size = args.paging.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    let client = global.espai()?;
    let logs = collect_all(
        global.pages(
            client.logs_with(query, voxkit_core::Paging::new(Some(size))),
            "usage entries",
        ),
        "entry",
        "entries",
    )
    .await?;
    Ok(Report::new(
        json!({
            "logs": logs.iter().map(log_json).collect::<Vec<_>>(),
            "total": logs.len(),
            "complete": true,
            "meta": all_meta(logs.len()),
        }),
        logs_text(&BalanceLogPage::new(logs), None),
    ))
}

async fn destroy(args: Destroy, global: &Global) -> Result<Report, CliError> {
    let client = global.espai()?;
    // The ids are checked first: a bad id is refused before anyone is asked.
    voxkit_espai::check_card_ids(&args.ids)?;
    confirm_ids(
        global,
        "espai cdkey destroy",
        "destroy",
        ("card", "cards"),
        &args.ids,
    )?;
    let ack = client.destroy(&args.ids).await.check_with(|| {
        let checks: Vec<String> = args
            .ids
            .iter()
            .map(|id| format!("`voxkit espai cdkey list --id {id}`"))
            .collect();
        format!(
            "run {}: a card that is no longer listed was destroyed",
            checks.join(" and ")
        )
    })?;
    Ok(ids_report("destroyed", ("card", "cards"), &args.ids, ack))
}

async fn list(args: List, global: &Global) -> Result<Option<Report>, CliError> {
    let code = if args.code_stdin {
        Some(StdinLines::default().next("--code-stdin")?)
    } else {
        args.code
    };
    let mut filter = with_some!(
        CardFilter::new(),
        id = args.id,
        card_type = args.card_type.as_deref().map(CardType::from_code),
        code = code,
        user_name = args.user_name,
        user_phone = args.phone,
    );
    let client = global.espai()?;
    if args.paging.all {
        let mut paging = Paging::new().max_cards(args.max_cards.unwrap_or(DEFAULT_MAX_CARDS));
        if let Some(limit) = args.paging.limit {
            paging = paging.page_size(limit);
        }
        list_all(&client, filter, paging, global).await?;
        return Ok(None);
    }
    let current = args.paging.page.unwrap_or(1);
    filter = filter.page(current);
    if let Some(limit) = args.paging.limit {
        filter = filter.limit(limit);
    }
    let page = client.list_cards(&filter).await?;
    let info = counted_info(current, args.paging.limit, page.total);
    Ok(Some(Report::new(
        json!({
            "cards": page.items.iter().map(card_json).collect::<Vec<_>>(),
            "total": page.total,
            "meta": info.map(|i| i.json()),
        }),
        cards_text(&page.items, info.as_ref()),
    )))
}

/// `cdkey list --all`: each card printed as it arrives, never all of them held (issue
/// 12: 800,000 cards took 2.17 GB). Text: the table's rows at fixed widths, then the
/// count. JSON: one object written as it goes, `{"cards": [...], "total": N,
/// "complete": true|false, "meta": {...}}`, closed even when the listing fails (then
/// `complete` is false and the error follows on stderr).
async fn list_all(
    client: &Client,
    filter: CardFilter,
    paging: Paging,
    global: &Global,
) -> Result<(), CliError> {
    let format = global.output;
    let mut cards = global.pages(client.cards_with(filter, paging), "cards");
    let mut out = Stdout::default();
    if format == Format::Json {
        out.write("{\"cards\":[");
    }
    let mut listed: u64 = 0;
    let failure = loop {
        let card = match cards.next().await {
            None => break None,
            Some(Err(e)) => break Some(e),
            Some(Ok(card)) => card,
        };
        match format {
            Format::Json => {
                let sep = if listed == 0 { "" } else { "," };
                out.write(&format!("{sep}{}", card_json(&card)));
            }
            Format::Text => {
                if listed == 0 {
                    out.write(&format!(
                        "{}\n",
                        stream_row(&CARD_HEADER.map(str::to_owned))
                    ));
                }
                out.write(&format!("{}\n", stream_row(&card_cells(&card))));
            }
        }
        listed += 1;
        if out.closed {
            // `voxkit ... | head`: nobody reads any more, so stop fetching.
            return Ok(());
        }
    };
    match format {
        Format::Json => out.write(&format!(
            "],\"total\":{listed},\"complete\":{},\"meta\":{}}}\n",
            failure.is_none(),
            json!({"all": true, "total": listed, "more": false})
        )),
        Format::Text if failure.is_none() => {
            if listed == 0 {
                out.write("no cards\n");
            } else {
                out.write(&format!("{}\n", plural(listed as usize, "card", "cards")));
            }
        }
        Format::Text => {}
    }
    match failure {
        None => Ok(()),
        Some(e) => Err(CliError::from(e).hint(format!(
            "{} listed before the failure (the listing is incomplete)",
            plural(listed as usize, "card was", "cards were")
        ))),
    }
}

async fn transfer(args: Transfer, global: &Global) -> Result<Report, CliError> {
    let mut stdin = StdinLines::default();
    let code = args
        .code
        .resolve("--code", "VOXKIT_ESPAI_CODE", &mut stdin)?;
    let to_code = if args.to_code_stdin {
        stdin.next("--to-code-stdin")?
    } else {
        required(args.to_code.clone(), "--to-code", "VOXKIT_ESPAI_TO_CODE")?
    };
    let from = CardKey::new(&args.phone, &code);
    let to = CardKey::new(&args.to_phone, &to_code);
    let ack = global
        .espai()?
        .transfer(&from, &to, args.amount)
        .await
        .check_with(|| {
            // The codes go through stdin (`printf` is a shell builtin): an argument
            // would show them in `ps`.
            format!(
                "run `printf '%s\\n' {} | voxkit espai cdkey show --phone {} --code-stdin` \
                     and `printf '%s\\n' {} | voxkit espai cdkey show --phone {} --code-stdin` \
                     and compare both quotas with what they were before (or read `voxkit espai \
                     cdkey usage --id <card id>`): if {} moved, the transfer was applied",
                code, args.phone, to_code, args.to_phone, args.amount
            )
        })?;
    let message = ack.message.unwrap_or_default();
    Ok(Report::new(
        json!({
            "from": {"phone": args.phone, "code": code},
            "to": {"phone": args.to_phone, "code": to_code},
            "amount": args.amount,
            "message": message,
        }),
        format!(
            "transferred {} from {}/{} to {}/{}: {}",
            args.amount,
            args.phone,
            code,
            args.to_phone,
            to_code,
            cell(Some(&message))
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn destroy_needs_an_id_and_all_excludes_page() {
        assert!(Cli::try_parse_from(["voxkit", "espai", "cdkey", "destroy"]).is_err());
        assert!(Cli::try_parse_from(["voxkit", "espai", "cdkey", "destroy", "a", "b"]).is_ok());
        assert!(
            Cli::try_parse_from(["voxkit", "espai", "cdkey", "list", "--all", "--page", "2"])
                .is_err()
        );
        assert!(
            Cli::try_parse_from(["voxkit", "espai", "cdkey", "list", "--all", "--limit", "2"])
                .is_ok()
        );
    }
}
