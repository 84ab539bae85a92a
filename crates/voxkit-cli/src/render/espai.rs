//! How ESP-AI's results look: quota cards (also as a table streamed row by row) and usage
//! logs, as text and JSON.

use serde_json::{Value, json};
use voxkit_espai::{
    Agent, BalanceLog, BalanceLogPage, Card, CardType, Device, Plugin, ReviewStatus,
};

use super::pages::PageInfo;
use super::{Align, Empty, ListTable, cell, key_values, one_line, rfc3339, utc_text, width};

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
    let list = ListTable {
        columns: &CARD_HEADER.map(|h| {
            let align = if h == "QUOTA" {
                Align::Right
            } else {
                Align::Left
            };
            (h, align)
        }),
        names: ("card", "cards"),
        empty: Empty::Where,
    };
    list.render(cards, page, |card| card_cells(card).to_vec())
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
    let list = ListTable {
        columns: &[
            ("TIME", Align::Left),
            ("CARD", Align::Left),
            ("TYPE", Align::Left),
            ("QUOTA", Align::Right),
            ("PHONE", Align::Left),
            ("USER", Align::Left),
        ],
        names: ("entry", "entries"),
        empty: Empty::Text("no usage"),
    };
    list.render(&page.items, info, |log| {
        vec![
            log.create_time.map_or_else(|| "-".to_owned(), utc_text),
            log.cdkey_id.clone(),
            cell(log.log_type.as_deref()),
            log.api_limit.to_string(),
            cell(log.user_phone.as_deref()),
            cell(log.user_name.as_deref()),
        ]
    })
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

/// What a secret field shows without `--show-secrets`: that a value exists, not the
/// value.
pub const REDACTED: &str = "[redacted]";

/// A secret as JSON: the value with `show` (`--show-secrets`), else [`REDACTED`] when
/// there is one; `null` when there is none.
fn secret_json(secret: Option<&voxkit_espai::SecretString>, show: bool) -> Value {
    use voxkit_core::ExposeSecret as _;
    match secret {
        None => Value::Null,
        Some(s) if show => Value::from(s.expose_secret()),
        Some(_) => Value::from(REDACTED),
    }
}

/// A secret for text: as [`secret_json`], `-` when there is none.
fn secret_text(secret: Option<&voxkit_espai::SecretString>, show: bool) -> String {
    match secret_json(secret, show) {
        Value::String(s) => s,
        _ => "-".to_owned(),
    }
}

/// Whether a config key names a secret: the documented service `api_key`, and (because
/// unknown keys are kept as they came) anything that looks like a key, a password or a
/// token.
fn secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["key", "secret", "password", "pwd", "token"]
        .iter()
        .any(|word| key.contains(word))
}

/// `value` with every string under a [`secret_key`] replaced by [`REDACTED`], at any
/// depth.
pub(crate) fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if secret_key(key) && !v.is_null() && !v.is_object() && !v.is_array() {
                    *v = Value::from(REDACTED);
                } else {
                    redact_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// An agent's configuration as JSON: its keys redacted unless `show`.
fn config_json(config: &voxkit_espai::AgentConfig, show: bool) -> Value {
    let mut value = config.to_value();
    if !show {
        redact_json(&mut value);
    }
    value
}

/// An agent as JSON, times RFC 3339 in UTC; its `api_key` and the keys in its `config`
/// shown only with `show` (`--show-secrets`).
pub fn agent_json(agent: &Agent, show: bool) -> Value {
    json!({
        "id": agent.id,
        "name": agent.name,
        "type": agent.agent_type,
        "enabled": agent.enabled,
        "sort": agent.sort,
        "model_id": agent.model_id,
        "model_name": agent.model_name,
        "server_id": agent.server_id,
        "cdkey_id": agent.cdkey_id,
        "cdkey_type": agent.cdkey_type,
        "api_limit": agent.api_limit,
        "user_id": agent.user_id,
        "api_key": secret_json(agent.api_key.as_ref(), show),
        "config": agent.config.as_ref().map(|c| config_json(c, show)),
        "create_time": agent.create_time.map(rfc3339),
        "update_time": agent.update_time.map(rfc3339),
    })
}

fn flag_text(on: Option<bool>) -> String {
    match on {
        Some(true) => "yes".to_owned(),
        Some(false) => "no".to_owned(),
        None => "-".to_owned(),
    }
}

/// One agent as aligned key-value lines (after `agent add`): the key redacted unless
/// `show`.
pub fn agent_text(agent: &Agent, show: bool) -> String {
    key_values(&[
        ("id", agent.id.clone()),
        ("name", cell(agent.name.as_deref())),
        ("type", cell(agent.agent_type.as_deref())),
        ("enabled", flag_text(agent.enabled)),
        ("model", cell(agent.model_id.as_deref())),
        ("card", cell(agent.cdkey_id.as_deref())),
        ("api key", secret_text(agent.api_key.as_ref(), show)),
        (
            "created",
            agent.create_time.map_or_else(|| "-".to_owned(), utc_text),
        ),
    ])
}

/// Agents as a table, with the list footer; an `API KEY` column only with `show`.
pub fn agents_text(agents: &[Agent], page: Option<&PageInfo>, show: bool) -> String {
    let table = SecretTable {
        names: ("agent", "agents"),
        columns: &[
            ("ID", Align::Left),
            ("NAME", Align::Left),
            ("ENABLED", Align::Left),
            ("MODEL", Align::Left),
            ("CARD", Align::Left),
            ("QUOTA", Align::Right),
        ],
        secret: ("API KEY", |agent: &Agent| {
            secret_text(agent.api_key.as_ref(), true)
        }),
    };
    table.render(agents, page, show, |agent| {
        vec![
            agent.id.clone(),
            cell(agent.name.as_deref()),
            flag_text(agent.enabled),
            cell(agent.model_id.as_deref()),
            cell(agent.cdkey_id.as_deref()),
            agent
                .api_limit
                .map_or_else(|| "-".to_owned(), |n| n.to_string()),
        ]
    })
}

/// How an ESP-AI list whose items hold a secret (agents, devices) is shown as a table:
/// its columns, and the secret's column last, only with `--show-secrets`.
struct SecretTable<T: 'static> {
    /// The items' nouns, singular and plural (`("agent", "agents")`).
    names: (&'static str, &'static str),
    /// The columns always shown.
    columns: &'static [(&'static str, Align)],
    /// The secret column's header, and an item's secret as its cell.
    secret: (&'static str, fn(&T) -> String),
}

impl<T> SecretTable<T> {
    /// `items` as the table, each row the cells `row` gives (and the secret with `show`),
    /// with the list footer; `no <items>` (on which page) when there are none.
    fn render(
        &self,
        items: &[T],
        page: Option<&PageInfo>,
        show: bool,
        row: impl Fn(&T) -> Vec<String>,
    ) -> String {
        let mut columns = self.columns.to_vec();
        if show {
            columns.push((self.secret.0, Align::Left));
        }
        let list = ListTable {
            columns: &columns,
            names: self.names,
            empty: Empty::Where,
        };
        list.render(items, page, |item| {
            let mut cells = row(item);
            if show {
                cells.push((self.secret.1)(item));
            }
            cells
        })
    }
}

/// A device as JSON, times RFC 3339 in UTC; its `api_key` and `wifi_pwd` shown only with
/// `show` (`--show-secrets`).
pub fn device_json(device: &Device, show: bool) -> Value {
    json!({
        "id": device.id,
        "name": device.name,
        "mac": device.mac,
        "agent_id": device.agent_id,
        "api_key": secret_json(device.api_key.as_ref(), show),
        "enabled": device.enabled,
        "online": device.online,
        "wifi_ssid": device.wifi_ssid,
        "wifi_pwd": secret_json(device.wifi_pwd.as_ref(), show),
        "net_ip": device.net_ip,
        "version": device.version,
        "bin_id": device.bin_id,
        "type": device.device_type,
        "nation": device.nation,
        "province": device.province,
        "city": device.city,
        "latitude": device.latitude,
        "longitude": device.longitude,
        "user_id": device.user_id,
        "user_name": device.user_name,
        "user_phone": device.user_phone,
        "create_time": device.create_time.map(rfc3339),
        "update_time": device.update_time.map(rfc3339),
    })
}

/// Devices as a table, with the list footer; a `WIFI PASSWORD` column only with `show`.
pub fn devices_text(devices: &[Device], page: Option<&PageInfo>, show: bool) -> String {
    let table = SecretTable {
        names: ("device", "devices"),
        columns: &[
            ("ID", Align::Left),
            ("MAC", Align::Left),
            ("NAME", Align::Left),
            ("ONLINE", Align::Left),
            ("AGENT", Align::Left),
            ("VERSION", Align::Left),
            ("WIFI", Align::Left),
        ],
        secret: ("WIFI PASSWORD", |device: &Device| {
            secret_text(device.wifi_pwd.as_ref(), true)
        }),
    };
    table.render(devices, page, show, |device| {
        vec![
            device.id.clone(),
            cell(device.mac.as_deref()),
            cell(device.name.as_deref()),
            flag_text(device.online),
            cell(device.agent_id.as_deref()),
            cell(device.version.as_deref()),
            cell(device.wifi_ssid.as_deref()),
        ]
    })
}

/// A plugin as JSON, times RFC 3339 in UTC.
pub fn plugin_json(plugin: &Plugin) -> Value {
    json!({
        "id": plugin.id,
        "name": plugin.name,
        "desc": plugin.desc,
        "type": plugin.plugin_type.as_ref().map(|t| t.code().to_owned()),
        "status": plugin.status.as_ref().map(status_code),
        "tags": plugin.tags,
        "label": plugin.label,
        "star": plugin.star,
        "npm_url": plugin.npm_url,
        "github_url": plugin.github_url,
        "website_url": plugin.website_url,
        "config": plugin.config,
        "unpass_desc": plugin.unpass_desc,
        "user_id": plugin.user_id,
        "create_time": plugin.create_time.map(rfc3339),
        "update_time": plugin.update_time.map(rfc3339),
    })
}

fn status_code(status: &ReviewStatus) -> String {
    match status {
        ReviewStatus::Pending => "0".to_owned(),
        ReviewStatus::Approved => "1".to_owned(),
        ReviewStatus::Rejected => "2".to_owned(),
        ReviewStatus::Unknown(raw) => raw.clone(),
        _ => "-".to_owned(),
    }
}

fn status_text(status: Option<&ReviewStatus>) -> String {
    match status {
        Some(ReviewStatus::Pending) => "pending".to_owned(),
        Some(ReviewStatus::Approved) => "approved".to_owned(),
        Some(ReviewStatus::Rejected) => "rejected".to_owned(),
        Some(other) => status_code(other),
        None => "-".to_owned(),
    }
}

/// Plugins as a table, with the list footer (the answer is one page: `total` is the
/// server's count).
pub fn plugins_text(plugins: &[Plugin], total: Option<u64>) -> String {
    let list = ListTable {
        columns: &[
            ("NAME", Align::Left),
            ("TYPE", Align::Left),
            ("STATUS", Align::Left),
            ("TAGS", Align::Left),
            ("DESCRIPTION", Align::Left),
        ],
        names: ("plugin", "plugins"),
        empty: Empty::Text("no plugins"),
    };
    let page = total.map(|total| PageInfo::counted(1, total.max(1), total, false));
    list.render(plugins, page.as_ref(), |plugin| {
        vec![
            cell(plugin.name.as_deref()),
            plugin
                .plugin_type
                .as_ref()
                .map_or_else(|| "-".to_owned(), |t| t.code().to_owned()),
            status_text(plugin.status.as_ref()),
            if plugin.tags.is_empty() {
                "-".to_owned()
            } else {
                plugin.tags.join(",")
            },
            cell(plugin.desc.as_deref()),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty page past the first names the page once: `describe` starts with "page".
    #[test]
    fn an_empty_later_page_names_the_page_once() {
        let page = PageInfo::counted(3, 10, 12, true);
        let text = cards_text(&[], Some(&page));
        assert_eq!(text, "no cards on page 3 of 2 (12 cards)");
        assert_eq!(
            agents_text(&[], Some(&page), false),
            text.replace("cards on", "agents on")
                .replace("12 cards", "12 agents")
        );
    }

    /// Devices, like cards and agents, say where an empty later page stands; plugins do not.
    #[test]
    fn empty_devices_and_plugins_keep_their_wording() {
        let page = PageInfo::counted(3, 10, 12, true);
        assert_eq!(
            devices_text(&[], Some(&page), true),
            "no devices on page 3 of 2 (12 devices)"
        );
        assert_eq!(devices_text(&[], None, false), "no devices");
        assert_eq!(plugins_text(&[], Some(12)), "no plugins");
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
}
