//! `voxkit espai ...`: the ESP-AI open platform's quota cards (cdkey) and orders.

use clap::{Args, Subcommand, ValueEnum};
use futures_util::TryStreamExt as _;
use serde_json::{Value, json};
use voxkit_core::Error;
use voxkit_espai::{
    BalanceLog, BalanceLogPage, BalanceLogQuery, Card, CardFilter, CardKey, CardType, Client,
    Commodity, OrderKind, Paging,
};

use crate::app::Global;
use crate::failure::CliError;
use crate::render::{Align, Report, Table, cell, key_values, plural, rfc3339, utc_text};

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
    /// Only the card with this redemption code.
    #[arg(long, value_name = "C")]
    code: Option<String>,
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
    /// Every card of every page.
    #[arg(long, conflicts_with = "page")]
    all: bool,
}

/// The arguments of `cdkey show`.
#[derive(Debug, Args)]
pub struct Show {
    /// The owner's phone number.
    #[arg(long, value_name = "P")]
    phone: String,
    /// The redemption code (兑换码).
    #[arg(long, value_name = "C")]
    code: String,
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
pub struct Transfer {
    /// The source card's owner phone.
    #[arg(long, value_name = "P")]
    phone: String,
    /// The source card's redemption code.
    #[arg(long, value_name = "C")]
    code: String,
    /// The target card's owner phone.
    #[arg(long, value_name = "P2")]
    to_phone: String,
    /// The target card's redemption code.
    #[arg(long, value_name = "C2")]
    to_code: String,
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

/// Runs one ESP-AI command.
pub async fn run(command: Command, global: &Global) -> Result<Report, CliError> {
    match command {
        Command::Cdkey(CdkeyCommand::List(args)) => list(args, global).await,
        Command::Cdkey(CdkeyCommand::Show(args)) => {
            let key = CardKey::new(args.phone, args.code);
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
            let page = client(global)?.balance_logs(&query).await?;
            Ok(Report::new(
                json!({
                    "logs": page.logs.iter().map(log_json).collect::<Vec<_>>(),
                    "total": page.total,
                }),
                logs_text(&page),
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

async fn list(args: List, global: &Global) -> Result<Report, CliError> {
    let mut filter = CardFilter::new();
    if let Some(id) = args.id {
        filter = filter.id(id);
    }
    if let Some(card_type) = &args.card_type {
        filter = filter.card_type(CardType::from_code(card_type));
    }
    if let Some(code) = args.code {
        filter = filter.code(code);
    }
    if let Some(user_name) = args.user_name {
        filter = filter.user_name(user_name);
    }
    if let Some(phone) = args.phone {
        filter = filter.user_phone(phone);
    }
    let client = client(global)?;
    let (cards, total) = if args.all {
        let mut paging = Paging::new();
        if let Some(limit) = args.limit {
            paging = paging.page_size(limit);
        }
        let cards: Vec<Card> = client.cards_with(filter, paging).try_collect().await?;
        let total = cards.len() as u64;
        (cards, Some(total))
    } else {
        if let Some(page) = args.page {
            filter = filter.page(page);
        }
        if let Some(limit) = args.limit {
            filter = filter.limit(limit);
        }
        let page = client.list_cards(&filter).await?;
        (page.cards, page.total)
    };
    Ok(Report::new(
        json!({
            "cards": cards.iter().map(card_json).collect::<Vec<_>>(),
            "total": total,
        }),
        cards_text(&cards, total, args.all),
    ))
}

async fn transfer(args: Transfer, global: &Global) -> Result<Report, CliError> {
    let from = CardKey::new(&args.phone, &args.code);
    let to = CardKey::new(&args.to_phone, &args.to_code);
    let ack = client(global)?
        .transfer(&from, &to, args.amount)
        .await
        .map_err(|e| {
            CliError::from(e).check_with(|| {
                format!(
                    "run `voxkit espai cdkey show --phone {} --code {}` and `voxkit espai cdkey \
                     show --phone {} --code {}` and compare both quotas with what they were \
                     before (or read `voxkit espai cdkey usage --id <card id>`): if {} moved, \
                     the transfer was applied",
                    args.phone, args.code, args.to_phone, args.to_code, args.amount
                )
            })
        })?;
    let message = ack.message.unwrap_or_default();
    Ok(Report::new(
        json!({
            "from": {"phone": args.phone, "code": args.code},
            "to": {"phone": args.to_phone, "code": args.to_code},
            "amount": args.amount,
            "message": message,
        }),
        format!(
            "transferred {} from {}/{} to {}/{}: {}",
            args.amount,
            args.phone,
            args.code,
            args.to_phone,
            args.to_code,
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

/// Cards as a table, with a count (and the total when this is one page of more).
pub fn cards_text(cards: &[Card], total: Option<u64>, all: bool) -> String {
    if cards.is_empty() {
        return "no cards".to_owned();
    }
    let mut table = Table::new(&[
        ("ID", Align::Left),
        ("CODE", Align::Left),
        ("TYPE", Align::Left),
        ("QUOTA", Align::Right),
        ("PHONE", Align::Left),
        ("USER", Align::Left),
    ]);
    for card in cards {
        table.row(vec![
            card.id.clone(),
            card.code.clone(),
            type_text(&card.card_type),
            card.api_limit.to_string(),
            cell(card.user_phone.as_deref()),
            cell(card.user_name.as_deref()),
        ]);
    }
    let mut text = table.render();
    text.push('\n');
    text.push_str(&plural(cards.len(), "card", "cards"));
    match total {
        Some(total) if !all && total != cards.len() as u64 => {
            text.push_str(&format!(" of {total} (--page, --limit or --all for more)"));
        }
        _ => {}
    }
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

/// A page of a usage log as a table, with a count.
pub fn logs_text(page: &BalanceLogPage) -> String {
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
    text.push_str(&plural(page.logs.len(), "entry", "entries"));
    if let Some(total) = page.total.filter(|t| *t != page.logs.len() as u64) {
        text.push_str(&format!(" of {total}"));
    }
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
        let text = cards_text(std::slice::from_ref(&card), Some(3), false);
        assert!(text.contains("1 (paid)"), "{text}");
        assert!(
            text.ends_with("1 card of 3 (--page, --limit or --all for more)"),
            "{text}"
        );
    }
}
