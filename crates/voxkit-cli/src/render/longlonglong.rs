//! How longlonglong's results look: the recharge history, sub-accounts, as text and JSON.

use chrono::NaiveDate;
use serde_json::{Value, json};
use voxkit_longlonglong::{
    BlacklistStatus, BlacklistedCallback, Meta, RechargeRecord, RecordKind, Sex, SubAccount,
    SubAccountPage,
};

use super::pages::{PageInfo, footer};
use super::{Align, Table, cell, china_json, china_text, json_fields, key_values};

/// A provider's message and the fields of its `data`, as aligned lines: what `account`,
/// `token` and `register` answer.
pub fn message_text(message: &str, data: &Value) -> String {
    format!("{}\n{}", cell(Some(message)), json_fields(data))
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
    records_table(records).render_with_footer(&footer(records.len(), "record", "records", page))
}

/// Recharge records as a table (no footer: the remark search adds its verdict).
pub fn records_table(records: &[RechargeRecord]) -> Table {
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
            china_text(record.created_at),
            record.kind.label().to_owned(),
            record.amounts.to_string(),
            record.balance.to_string(),
            cell(record.remark.as_deref()),
        ]);
    }
    table
}

/// A day as `YYYY-MM-DD`, the form the commands take and print.
pub fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// One recharge record as JSON: amounts as exact decimal strings, `kind` stable across labels.
pub fn record_json(record: &RechargeRecord) -> Value {
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
        "created_at": china_json(record.created_at),
        "updated_at": record.updated_at.map(china_json),
    })
}

/// The provider's paginator, as JSON.
pub fn meta_json(meta: &Meta) -> Value {
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

/// One sub-account as JSON (absent fields `null`, unknown ones under `extra`).
pub fn sub_json(sub: &SubAccount) -> Value {
    let at = |at: Option<chrono::NaiveDateTime>| at.map(china_json);
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
        ("created", sub.created_at.map(china_text)),
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

/// A page of sub-accounts as a table, with the list footer.
pub fn subs_text(page: &SubAccountPage) -> String {
    let info = page.meta.as_ref().map(sub_page_info);
    subs_table(&page.items, info.as_ref())
}

/// Sub-accounts as a table, with the list footer (`page`: where this page stands; `None`
/// for `subaccount list --all`, whose footer is the count alone).
pub fn subs_table(subs: &[SubAccount], page: Option<&PageInfo>) -> String {
    if subs.is_empty() {
        return "no sub-accounts".to_owned();
    }
    let mut table = Table::new(&[
        ("ID", Align::Left),
        ("NAME", Align::Left),
        ("EMAIL", Align::Left),
        ("PHONE", Align::Left),
        ("CREATED", Align::Left),
    ]);
    for sub in subs {
        table.row(vec![
            sub.id.to_string(),
            cell(sub.name.as_deref()),
            cell(sub.email.as_deref()),
            cell(sub.phone.as_deref()),
            sub.created_at.map_or_else(|| "-".to_owned(), china_text),
        ]);
    }
    table.render_with_footer(&footer(subs.len(), "sub-account", "sub-accounts", page))
}

/// Where a page of sub-accounts stands, from the list's `meta` paginator (the footer
/// offers `subaccount list --all`).
pub fn sub_page_info(meta: &Meta) -> PageInfo {
    PageInfo::known(meta.current_page, meta.last_page, Some(meta.total), true)
}

/// An entry's status for people and for JSON: the provider's words (拉黑中, 已释放) stay in
/// `status_str`; this is the stable English key.
fn blacklist_status_name(status: BlacklistStatus) -> String {
    match status {
        BlacklistStatus::Blacklisted => "blacklisted".to_owned(),
        BlacklistStatus::Released => "released".to_owned(),
        other => format!("status {}", other.code()),
    }
}

fn timestamp(at: Option<chrono::NaiveDateTime>) -> Option<String> {
    at.map(china_json)
}

/// One blacklisted callback as JSON: the provider's fields, with `status` as its code and
/// `state` as a stable word.
pub fn blacklist_entry_json(entry: &BlacklistedCallback) -> Value {
    json!({
        "id": entry.id,
        "user_id": entry.user_id.as_str(),
        "url": entry.url,
        "blackout_time": timestamp(Some(entry.blackout_time)),
        "release_time": timestamp(entry.release_time),
        "status": entry.status.code(),
        "state": blacklist_status_name(entry.status),
        "status_str": entry.status_str,
        "created_at": timestamp(entry.created_at),
        "updated_at": timestamp(entry.updated_at),
    })
}

/// The callback blacklist as a table (`what` names the entries shown, e.g. "blacklisted
/// callback"), with a count.
pub fn blacklist_text(entries: &[&BlacklistedCallback], what: (&str, &str)) -> String {
    if entries.is_empty() {
        return format!("no {}", what.1);
    }
    let mut table = Table::new(&[
        ("ID", Align::Right),
        ("STATUS", Align::Left),
        ("URL", Align::Left),
        ("USER", Align::Left),
        ("BLACKOUT", Align::Left),
        ("RELEASE", Align::Left),
    ]);
    for entry in entries {
        table.row(vec![
            entry.id.to_string(),
            blacklist_status_name(entry.status),
            entry.url.clone(),
            entry.user_id.to_string(),
            china_text(entry.blackout_time),
            entry
                .release_time
                .map_or_else(|| "-".to_owned(), china_text),
        ]);
    }
    table.render_with_footer(&footer(entries.len(), what.0, what.1, None))
}
