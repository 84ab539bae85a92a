//! `voxkit espai ...`: the ESP-AI open platform's quota cards (cdkey) and orders.
//!
//! A redemption code (兑换码) is what spends a card's quota, and a command-line argument
//! is visible to every user of the machine (`ps`, `/proc/<pid>/cmdline`): every command
//! that takes a code also reads it from an environment variable or, with `--code-stdin`,
//! from standard input.

use std::io::{BufRead as _, Read as _, Write as _};

use clap::{Args, Subcommand, ValueEnum};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use voxkit_core::Error;
use voxkit_espai::{
    BalanceLog, BalanceLogPage, BalanceLogQuery, Card, CardFilter, CardKey, CardType, Client,
    Commodity, DEFAULT_MAX_CARDS, OrderKind, Paging,
};

use crate::app::Global;
use crate::failure::CliError;
use crate::pages::{PageInfo, footer};
use crate::render::{
    Align, Format, Report, Table, cell, key_values, one_line, plural, rfc3339, utc_text, width,
};

/// The page size the server uses when none is sent ("默认查询9999条").
const SERVER_PAGE_SIZE: u64 = 9999;
/// The longest line read from stdin for a code, in bytes.
const MAX_CODE_BYTES: u64 = 1024;
/// Why codes are not only arguments, for the help.
const CODE_HELP: &str = "A command-line argument is visible to other users (`ps`): in scripts \
                         prefer the environment variable or --code-stdin.";

/// `voxkit espai <command>`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Quota cards (额度卡): list, show, usage, transfer, destroy.
    #[command(subcommand)]
    Cdkey(CdkeyCommand),
    /// Orders: buy or top up a quota card.
    #[command(subcommand)]
    Order(OrderCommand),
}

/// `voxkit espai cdkey <command>`.
#[derive(Debug, Subcommand)]
pub enum CdkeyCommand {
    /// List quota cards: one page, or every page with --all.
    List(List),
    /// Show one card by its owner's phone and its redemption code.
    Show(Show),
    /// A card's usage log (额度卡使用记录).
    Usage(Usage),
    /// Move quota from one paid card to another. Never sent twice: if the answer is lost,
    /// the exit code is 5 and the message says how to check.
    Transfer(Transfer),
    /// Destroy paid cards whose quota is zero, by id. Never sent twice.
    Destroy(Destroy),
}

/// `voxkit espai order <command>`.
#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// Start buying or topping up a quota card: prints the payment URL. Never sent twice.
    Pay(Pay),
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
    /// The page, from 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    page: Option<u32>,
    /// Cards per page (with --all: the size of each page fetched).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    limit: Option<u32>,
    /// Every card of every page, printed as each page arrives.
    #[arg(long, conflicts_with = "page")]
    all: bool,
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

/// A redemption code: `--code`, `VOXKIT_ESPAI_CODE` or `--code-stdin`.
#[derive(Debug, Args)]
pub struct CodeArg {
    /// The redemption code (兑换码). Also read from VOXKIT_ESPAI_CODE, or from stdin with
    /// --code-stdin: an argument is visible to other users in `ps`.
    #[arg(
        long,
        value_name = "C",
        env = "VOXKIT_ESPAI_CODE",
        hide_env_values = true
    )]
    code: Option<String>,
    /// Read the redemption code from the first line of standard input (trimmed; an empty
    /// line is refused). Takes precedence over --code and VOXKIT_ESPAI_CODE.
    #[arg(long)]
    code_stdin: bool,
}

/// The arguments of `cdkey usage`.
#[derive(Debug, Args)]
pub struct Usage {
    /// The card id (see `cdkey list`).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// The page, from 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    page: Option<u32>,
    /// Entries per page.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    limit: Option<u32>,
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

/// What an order does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Buy a new quota card.
    Buy,
    /// Top up a quota card.
    Topup,
}

/// The arguments of `order pay`.
#[derive(Debug, Args)]
pub struct Pay {
    /// The product: 1 (1000 uses), 2 (2200), 3 (5000), 4 (15000), 5 (unlimited).
    #[arg(long, value_name = "1..5", value_parser = clap::value_parser!(u8).range(1..=5))]
    commodity: u8,
    /// Buy a new card or top one up.
    #[arg(long, value_enum, value_name = "KIND")]
    kind: KindArg,
}

/// The client, from `ESPAI_OPEN_API_KEY` and `ESPAI_BASE_URL`, with `--timeout`.
fn client(global: &Global) -> Result<Client, Error> {
    let mut builder = Client::builder().credentials_from_env()?;
    if let Some(timeout) = global.timeout {
        builder = builder.deadline(timeout);
    }
    builder.build()
}

/// Runs one ESP-AI command. `Ok(None)` when the command printed its own output as it
/// went (`cdkey list --all`, which streams its cards).
pub async fn run(command: Command, global: &Global) -> Result<Option<Report>, CliError> {
    match command {
        Command::Cdkey(CdkeyCommand::List(args)) => list(args, global).await,
        command => run_one(command, global).await.map(Some),
    }
}

/// Runs every ESP-AI command whose result is printed once it is complete.
async fn run_one(command: Command, global: &Global) -> Result<Report, CliError> {
    match command {
        Command::Cdkey(CdkeyCommand::List(_)) => unreachable!("listed in run"),
        Command::Cdkey(CdkeyCommand::Show(args)) => {
            let mut stdin = StdinLines::default();
            let code = args
                .code
                .resolve("--code", "VOXKIT_ESPAI_CODE", &mut stdin)?;
            let key = CardKey::new(args.phone, code);
            let card = client(global)?.card(&key).await?;
            Ok(Report::new(
                json!({"card": card_json(&card)}),
                card_text(&card),
            ))
        }
        Command::Cdkey(CdkeyCommand::Usage(args)) => {
            let mut query = BalanceLogQuery::new();
            if let Some(id) = args.id {
                query = query.id(id);
            }
            if let Some(page) = args.page {
                query = query.page(page);
            }
            if let Some(limit) = args.limit {
                query = query.limit(limit);
            }
            let current = args.page.unwrap_or(1);
            let per_page = args.limit.map_or(SERVER_PAGE_SIZE, u64::from);
            let page = client(global)?.balance_logs(&query).await?;
            let info = page
                .total
                .map(|total| PageInfo::counted(current.into(), per_page, total, false));
            Ok(Report::new(
                json!({
                    "logs": page.logs.iter().map(log_json).collect::<Vec<_>>(),
                    "total": page.total,
                    "meta": info.map(|i| i.json()),
                }),
                logs_text(&page, info.as_ref()),
            ))
        }
        Command::Cdkey(CdkeyCommand::Transfer(args)) => transfer(args, global).await,
        Command::Cdkey(CdkeyCommand::Destroy(args)) => {
            let ack = client(global)?.destroy(&args.ids).await.map_err(|e| {
                CliError::from(e).check_with(|| {
                    let checks: Vec<String> = args
                        .ids
                        .iter()
                        .map(|id| format!("`voxkit espai cdkey list --id {id}`"))
                        .collect();
                    format!(
                        "run {}: a card that is no longer listed was destroyed",
                        checks.join(" and ")
                    )
                })
            })?;
            let message = ack.message.unwrap_or_default();
            Ok(Report::new(
                json!({"ids": args.ids, "message": message}),
                format!(
                    "destroyed {}: {}\n{}",
                    plural(args.ids.len(), "card", "cards"),
                    cell(Some(&message)),
                    args.ids.join("\n")
                ),
            ))
        }
        Command::Order(OrderCommand::Pay(args)) => {
            let commodity = Commodity::from_id(&args.commodity.to_string()).ok_or_else(|| {
                CliError::invalid(format!("--commodity {} is not 1 to 5", args.commodity))
            })?;
            let (kind, kind_name) = match args.kind {
                KindArg::Buy => (OrderKind::Buy, "buy"),
                KindArg::Topup => (OrderKind::TopUp, "topup"),
            };
            let url = client(global)?.pay(commodity, kind).await.map_err(|e| {
                CliError::from(e).check_with(|| {
                    "an order may have been created: look at your orders on the ESP-AI \
                         platform before paying again"
                        .to_owned()
                })
            })?;
            let uses = commodity
                .uses()
                .map_or_else(|| "unlimited uses".to_owned(), |n| format!("{n} uses"));
            Ok(Report::new(
                json!({
                    "commodity": args.commodity,
                    "kind": kind_name,
                    "payment_url": url,
                }),
                format!(
                    "order for product {} ({uses}, {kind_name}): open this URL to pay\n{}",
                    args.commodity,
                    cell(Some(&url))
                ),
            ))
        }
    }
}

async fn list(args: List, global: &Global) -> Result<Option<Report>, CliError> {
    let code = if args.code_stdin {
        Some(StdinLines::default().next("--code-stdin")?)
    } else {
        args.code
    };
    let mut filter = CardFilter::new();
    if let Some(id) = args.id {
        filter = filter.id(id);
    }
    if let Some(card_type) = &args.card_type {
        filter = filter.card_type(CardType::from_code(card_type));
    }
    if let Some(code) = code {
        filter = filter.code(code);
    }
    if let Some(user_name) = args.user_name {
        filter = filter.user_name(user_name);
    }
    if let Some(phone) = args.phone {
        filter = filter.user_phone(phone);
    }
    let client = client(global)?;
    if args.all {
        let mut paging = Paging::new().max_cards(args.max_cards.unwrap_or(DEFAULT_MAX_CARDS));
        if let Some(limit) = args.limit {
            paging = paging.page_size(limit);
        }
        list_all(&client, filter, paging, global.output).await?;
        return Ok(None);
    }
    let current = args.page.unwrap_or(1);
    filter = filter.page(current);
    if let Some(limit) = args.limit {
        filter = filter.limit(limit);
    }
    let per_page = args.limit.map_or(SERVER_PAGE_SIZE, u64::from);
    let page = client.list_cards(&filter).await?;
    let info = page
        .total
        .map(|total| PageInfo::counted(current.into(), per_page, total, true));
    Ok(Some(Report::new(
        json!({
            "cards": page.cards.iter().map(card_json).collect::<Vec<_>>(),
            "total": page.total,
            "meta": info.map(|i| i.json()),
        }),
        cards_text(&page.cards, info.as_ref()),
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
    format: Format,
) -> Result<(), CliError> {
    let mut cards = client.cards_with(filter, paging);
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

/// Standard output written piece by piece, flushed after each, that notices when the
/// reader has gone (a closed pipe is not an error worth more than stopping).
#[derive(Default)]
struct Stdout {
    closed: bool,
}

impl Stdout {
    fn write(&mut self, text: &str) {
        if self.closed {
            return;
        }
        let mut out = std::io::stdout().lock();
        if out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            self.closed = true;
        }
    }
}

/// The columns of the card table.
const CARD_HEADER: [&str; 6] = ["ID", "CODE", "TYPE", "QUOTA", "PHONE", "USER"];

/// The fixed widths of the streamed card table (a longer cell pushes its line only): a
/// streamed table cannot measure rows it has not seen yet.
const CARD_WIDTHS: [usize; 6] = [32, 10, 8, 8, 11, 0];

/// One line of the streamed card table: the cells sanitised, padded to
/// [`CARD_WIDTHS`], QUOTA right-aligned.
fn stream_row(cells: &[String; 6]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        let cell = one_line(cell);
        let pad = " ".repeat(CARD_WIDTHS[i].saturating_sub(width(&cell)));
        if i > 0 {
            line.push_str("  ");
        }
        if i == 3 {
            line.push_str(&pad);
            line.push_str(&cell);
        } else {
            line.push_str(&cell);
            line.push_str(&pad);
        }
    }
    line.trim_end().to_owned()
}

fn card_cells(card: &Card) -> [String; 6] {
    [
        card.id.clone(),
        card.code.clone(),
        type_text(&card.card_type),
        card.api_limit.to_string(),
        cell(card.user_phone.as_deref()),
        cell(card.user_name.as_deref()),
    ]
}

impl CodeArg {
    /// The code: from --code-stdin (the next line of stdin), else from the argument or
    /// the environment variable.
    fn resolve(
        &self,
        flag: &str,
        variable: &str,
        stdin: &mut StdinLines,
    ) -> Result<String, CliError> {
        if self.code_stdin {
            return stdin.next(&format!("{flag}-stdin"));
        }
        required(self.code.clone(), flag, variable)
    }
}

/// A code that must be given one way or another.
fn required(code: Option<String>, flag: &str, variable: &str) -> Result<String, CliError> {
    code.ok_or_else(|| {
        CliError::invalid(format!(
            "no redemption code: give {flag}, set {variable}, or use {flag}-stdin"
        ))
    })
}

/// The lines of standard input, read one at a time for the `--*-stdin` flags.
#[derive(Default)]
struct StdinLines {
    read: usize,
}

impl StdinLines {
    /// The next line of stdin, trimmed; an empty line or none is refused.
    fn next(&mut self, flag: &str) -> Result<String, CliError> {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .take(MAX_CODE_BYTES)
            .read_line(&mut line)
            .map_err(|e| {
                CliError::invalid(format!(
                    "{flag}: could not read the code from standard input: {e}"
                ))
            })?;
        self.read += 1;
        let code = line.trim();
        if code.is_empty() {
            let which = if self.read == 1 { "first" } else { "second" };
            return Err(CliError::invalid(format!(
                "{flag}: the {which} line of standard input is empty; pipe the code in, e.g. \
                 printf '%s\\n' \"$CODE\" | voxkit ..."
            )));
        }
        Ok(code.to_owned())
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
    let ack = client(global)?
        .transfer(&from, &to, args.amount)
        .await
        .map_err(|e| {
            CliError::from(e).check_with(|| {
                // The codes go through stdin (`printf` is a shell builtin): an argument
                // would show them in `ps`.
                format!(
                    "run `printf '%s\\n' {} | voxkit espai cdkey show --phone {} --code-stdin` \
                     and `printf '%s\\n' {} | voxkit espai cdkey show --phone {} --code-stdin` \
                     and compare both quotas with what they were before (or read `voxkit espai \
                     cdkey usage --id <card id>`): if {} moved, the transfer was applied",
                    code, args.phone, to_code, args.to_phone, args.amount
                )
            })
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

/// A card as JSON: the quota an integer, times RFC 3339 in UTC.
pub fn card_json(card: &Card) -> Value {
    json!({
        "id": card.id,
        "code": card.code,
        "type": card.card_type.code(),
        "paid": card.card_type.is_paid(),
        "api_limit": card.api_limit,
        "user_phone": card.user_phone,
        "user_name": card.user_name,
        "user_id": card.user_id,
        "create_time": card.create_time.map(rfc3339),
        "update_time": card.update_time.map(rfc3339),
    })
}

/// One card as aligned key-value lines.
pub fn card_text(card: &Card) -> String {
    key_values(&[
        ("id", card.id.clone()),
        ("code", card.code.clone()),
        ("type", type_text(&card.card_type)),
        ("quota", card.api_limit.to_string()),
        ("phone", cell(card.user_phone.as_deref())),
        ("user", cell(card.user_name.as_deref())),
        ("user id", cell(card.user_id.as_deref())),
        (
            "created",
            card.create_time.map_or_else(|| "-".to_owned(), utc_text),
        ),
        (
            "updated",
            card.update_time.map_or_else(|| "-".to_owned(), utc_text),
        ),
    ])
}

fn type_text(card_type: &CardType) -> String {
    if card_type.is_paid() {
        format!("{} (paid)", card_type.code())
    } else {
        card_type.code().to_owned()
    }
}

/// Cards as a table, with a footer that says where the page stands.
pub fn cards_text(cards: &[Card], page: Option<&PageInfo>) -> String {
    if cards.is_empty() {
        return match page.filter(|p| p.current > 1) {
            Some(page) => format!("no cards on page {}", page.describe("card", "cards")),
            None => "no cards".to_owned(),
        };
    }
    let mut table = Table::new(&CARD_HEADER.map(|h| {
        let align = if h == "QUOTA" {
            Align::Right
        } else {
            Align::Left
        };
        (h, align)
    }));
    for card in cards {
        table.row(card_cells(card).to_vec());
    }
    let mut text = table.render();
    text.push('\n');
    text.push_str(&footer(cards.len(), "card", "cards", page));
    text
}

fn log_json(log: &BalanceLog) -> Value {
    json!({
        "id": log.id,
        "create_time": log.create_time.map(rfc3339),
        "type": log.log_type,
        "user_id": log.user_id,
        "cdkey_id": log.cdkey_id,
        "api_limit": log.api_limit,
        "user_name": log.user_name,
        "user_email": log.user_email,
        "user_phone": log.user_phone,
    })
}

/// A page of a usage log as a table, with a footer that says where the page stands.
pub fn logs_text(page: &BalanceLogPage, info: Option<&PageInfo>) -> String {
    if page.logs.is_empty() {
        return "no usage".to_owned();
    }
    let mut table = Table::new(&[
        ("TIME", Align::Left),
        ("CARD", Align::Left),
        ("TYPE", Align::Left),
        ("QUOTA", Align::Right),
        ("PHONE", Align::Left),
        ("USER", Align::Left),
    ]);
    for log in &page.logs {
        table.row(vec![
            log.create_time.map_or_else(|| "-".to_owned(), utc_text),
            log.cdkey_id.clone(),
            cell(log.log_type.as_deref()),
            log.api_limit.to_string(),
            cell(log.user_phone.as_deref()),
            cell(log.user_name.as_deref()),
        ]);
    }
    let mut text = table.render();
    text.push('\n');
    text.push_str(&footer(page.logs.len(), "entry", "entries", info));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Cli;
    use clap::Parser;

    #[test]
    fn commodities_and_kinds() {
        let parse = |commodity: &str, kind: &str| {
            Cli::try_parse_from([
                "voxkit",
                "espai",
                "order",
                "pay",
                "--commodity",
                commodity,
                "--kind",
                kind,
            ])
        };
        for c in 1..=5 {
            assert!(parse(&c.to_string(), "buy").is_ok());
            assert!(Commodity::from_id(&c.to_string()).is_some());
        }
        assert!(parse("1", "topup").is_ok());
        for (c, k) in [("0", "buy"), ("6", "buy"), ("1", "refund"), ("x", "buy")] {
            assert_eq!(parse(c, k).unwrap_err().exit_code(), 2, "{c} {k}");
        }
    }

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

    #[test]
    fn card_json_is_exact_and_stable() {
        let card: Card = serde_json::from_str(
            r#"{"id":"772868ead56c48d68fd1924aa5ec3aac","create_time":1743506056109,
                "update_time":null,"code":"wNaa1GDw","user_id":"87215a4192654cea8781a1a596d23cae",
                "api_limit":500,"type":"1","user_phone":15916888888,"user_name":"琳琅"}"#,
        )
        .unwrap();
        let json = card_json(&card);
        assert_eq!(
            json,
            json!({
                "id": "772868ead56c48d68fd1924aa5ec3aac",
                "code": "wNaa1GDw",
                "type": "1",
                "paid": true,
                "api_limit": 500,
                "user_phone": "15916888888",
                "user_name": "琳琅",
                "user_id": "87215a4192654cea8781a1a596d23cae",
                "create_time": "2025-04-01T11:14:16.109Z",
                "update_time": null,
            })
        );
        let page = PageInfo::counted(1, 1, 3, true);
        let text = cards_text(std::slice::from_ref(&card), Some(&page));
        assert!(text.contains("1 (paid)"), "{text}");
        assert!(
            text.ends_with("1 card; page 1 of 3 (3 cards); more: --page 2 or --all"),
            "{text}"
        );
        // The streamed table's rows line up with its header.
        let header = stream_row(&CARD_HEADER.map(str::to_owned));
        let row = stream_row(&card_cells(&card));
        assert_eq!(header.find("CODE"), row.find("wNaa1GDw"), "{header}\n{row}");
        assert_eq!(width(&header[..header.find("USER").unwrap()]), {
            let cut = row.rfind("琳琅").unwrap();
            width(&row[..cut])
        });
    }

    #[test]
    fn codes_come_from_an_argument_an_environment_variable_or_stdin() {
        let show = |extra: &[&str]| {
            let mut args = vec!["voxkit", "espai", "cdkey", "show", "--phone", "1"];
            args.extend(extra);
            Cli::try_parse_from(args)
        };
        assert!(show(&["--code", "abc"]).is_ok());
        assert!(show(&["--code-stdin"]).is_ok());
        // Neither: clap accepts it (the environment may hold it); resolving refuses it.
        let missing = CodeArg {
            code: None,
            code_stdin: false,
        };
        let err = missing
            .resolve("--code", "VOXKIT_ESPAI_CODE", &mut StdinLines::default())
            .unwrap_err();
        assert_eq!(err.exit_code, 2);
        assert!(err.message.contains("VOXKIT_ESPAI_CODE"), "{}", err.message);
        assert!(err.message.contains("--code-stdin"), "{}", err.message);
        let transfer = [
            "voxkit",
            "espai",
            "cdkey",
            "transfer",
            "--phone",
            "1",
            "--to-phone",
            "2",
            "--amount",
            "3",
            "--code-stdin",
            "--to-code-stdin",
        ];
        assert!(Cli::try_parse_from(transfer).is_ok());
    }

    #[test]
    fn the_help_says_why_codes_need_not_be_arguments() {
        use clap::CommandFactory as _;
        let mut cli = Cli::command();
        for path in [["espai", "cdkey", "show"], ["espai", "cdkey", "transfer"]] {
            let mut command = &mut cli;
            for name in path {
                command = command.find_subcommand_mut(name).unwrap();
            }
            let help = command.render_long_help().to_string();
            assert!(help.contains("ps"), "{help}");
            assert!(help.contains("VOXKIT_ESPAI_CODE"), "{help}");
            assert!(help.contains("--code-stdin"), "{help}");
        }
    }
}
