//! How ESP-AI's results look: quota cards (also as a table streamed row by row) and usage
//! logs, as text and JSON.

use serde_json::{Value, json};
use voxkit_espai::{BalanceLog, BalanceLogPage, Card, CardType};

use super::pages::{PageInfo, footer};
use super::{Align, Table, cell, key_values, one_line, rfc3339, utc_text, width};

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
    table.render_with_footer(&footer(cards.len(), "card", "cards", page))
}

/// One usage-log entry as JSON, times RFC 3339 in UTC.
pub fn log_json(log: &BalanceLog) -> Value {
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
    if page.items.is_empty() {
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
    for log in &page.items {
        table.row(vec![
            log.create_time.map_or_else(|| "-".to_owned(), utc_text),
            log.cdkey_id.clone(),
            cell(log.log_type.as_deref()),
            log.api_limit.to_string(),
            cell(log.user_phone.as_deref()),
            cell(log.user_name.as_deref()),
        ]);
    }
    table.render_with_footer(&footer(page.items.len(), "entry", "entries", info))
}

/// The columns of the card table.
pub const CARD_HEADER: [&str; 6] = ["ID", "CODE", "TYPE", "QUOTA", "PHONE", "USER"];

/// The fixed widths of the streamed card table (a longer cell pushes its line only): a
/// streamed table cannot measure rows it has not seen yet.
pub const CARD_WIDTHS: [usize; 6] = [32, 10, 8, 8, 11, 0];

/// One line of the streamed card table: the cells sanitised, padded to
/// [`CARD_WIDTHS`], QUOTA right-aligned.
pub fn stream_row(cells: &[String; 6]) -> String {
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

/// A card's cells in the columns of [`CARD_HEADER`].
pub fn card_cells(card: &Card) -> [String; 6] {
    [
        card.id.clone(),
        card.code.clone(),
        type_text(&card.card_type),
        card.api_limit.to_string(),
        cell(card.user_phone.as_deref()),
        cell(card.user_name.as_deref()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
