//! How longlonglong's results look: the recharge history, sub-accounts, as text and JSON.

use chrono::NaiveDate;
use serde_json::{Value, json};
use voxkit_longlonglong::{
    BlacklistStatus, BlacklistedCallback, Meta, RechargeRecord, RecordKind, Sex, SubAccount,
    SubAccountPage,
};

use super::pages::{PageInfo, all_meta, footer};
use super::{
    Align, Empty, ListTable, Table, cell, china_json, china_text, json_fields, key_values,
};

/// A provider's message and the fields of its `data`, as aligned lines: what `account`,
/// `token` and `register` answer.
pub fn message_text(message: &str, data: &Value) -> String {
    format!("{}\n{}", cell(Some(message)), json_fields(data))
}

/// The recharge history as a table, with a footer that says where the page stands.
pub fn history_text(records: &[RechargeRecord], ranged: bool, page: Option<&PageInfo>) -> String {
    let list = ListTable {
        columns: RECORD_COLUMNS,
        names: ("record", "records"),
        empty: Empty::OnPage(if ranged {
            "no records in this range"
        } else {
            "no records in the last 7 days (use --from and --to for another range)"
        }),
    };
    list.render(records, page, record_cells)
}

/// The columns of a recharge records table.
const RECORD_COLUMNS: &[(&str, Align)] = &[
    ("ID", Align::Right),
    ("CREATED", Align::Left),
    ("TYPE", Align::Left),
    ("AMOUNT", Align::Right),
    ("BALANCE", Align::Right),
    ("REMARK", Align::Left),
];

/// A recharge record's cells in the columns of [`RECORD_COLUMNS`].
fn record_cells(record: &RechargeRecord) -> Vec<String> {
    vec![
        record.id.to_string(),
        china_text(record.created_at),
        record.kind.label().to_owned(),
        record.amounts.to_string(),
        record.balance.to_string(),
        cell(record.remark.as_deref()),
    ]
}

/// Recharge records as a table (no footer: the remark search adds its verdict).
pub fn records_table(records: &[RechargeRecord]) -> Table {
    let mut table = Table::new(RECORD_COLUMNS);
    for record in records {
        table.row(record_cells(record));
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
    let list = ListTable {
        columns: &[
            ("ID", Align::Left),
            ("NAME", Align::Left),
            ("EMAIL", Align::Left),
            ("PHONE", Align::Left),
            ("CREATED", Align::Left),
        ],
        names: ("sub-account", "sub-accounts"),
        empty: Empty::Text("no sub-accounts"),
    };
    list.render(subs, page, |sub| {
        vec![
            sub.id.to_string(),
            cell(sub.name.as_deref()),
            cell(sub.email.as_deref()),
            cell(sub.phone.as_deref()),
            sub.created_at.map_or_else(|| "-".to_owned(), china_text),
        ]
    })
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
    let list = ListTable {
        columns: &[
            ("ID", Align::Right),
            ("STATUS", Align::Left),
            ("URL", Align::Left),
            ("USER", Align::Left),
            ("BLACKOUT", Align::Left),
            ("RELEASE", Align::Left),
        ],
        names: what,
        empty: Empty::Where,
    };
    list.render(entries, None, |entry| {
        vec![
            entry.id.to_string(),
            blacklist_status_name(entry.status),
            entry.url.clone(),
            entry.user_id.to_string(),
            china_text(entry.blackout_time),
            entry
                .release_time
                .map_or_else(|| "-".to_owned(), china_text),
        ]
    })
}

// ---- Raw-JSON answers of the outbound-call groups (issue 16, H17's sections): VOS, lines,
// script groups, dial-time groups, privacy, callback data. Their records are undocumented,
// so a table shows only fields the docs or a mirror name, where present; the rest is
// pretty JSON.

/// A raw answer's `data` for people: the provider's message, then the data as pretty JSON
/// (`(no data)` when empty): the one rendering of an answer whose fields are undocumented,
/// so nothing is read into it.
pub fn raw_text(message: &str, data: &Value) -> String {
    let shown = match data {
        Value::Null => "(no data)".to_owned(),
        Value::Array(items) if items.is_empty() => "(no data)".to_owned(),
        Value::Object(map) if map.is_empty() => "(no data)".to_owned(),
        other => serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string()),
    };
    format!("{}\n{shown}", cell(Some(message)))
}

/// One field of a raw record as a table cell, found by a dotted `path`
/// (`line_allocation.id`): text as is, numbers and booleans as written, absent or null
/// `-`, anything else compact JSON.
pub fn raw_cell(record: &Value, path: &str) -> String {
    let found = path
        .split('.')
        .try_fold(record, |value, key| value.get(key));
    match found {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Where a raw list's page stands, from its `meta` when sent (none: the footer is the
/// count alone, since an undocumented list's end cannot be told otherwise).
pub fn raw_page_info(page: &voxkit_longlonglong::RawPage) -> Option<PageInfo> {
    page.meta.as_ref().map(sub_page_info)
}

/// The `--output json` of one page of a raw list: the payload as sent (`message`,
/// `data`) and the list `meta` (`current_page`, `last_page`, `total`, `more`, with the
/// provider's paginator under `provider`; `null` when the server sent none).
pub fn raw_page_json(page: &voxkit_longlonglong::RawPage) -> Value {
    let meta = match (&page.meta, raw_page_info(page)) {
        (Some(provider), Some(info)) => {
            let mut meta = info.json();
            meta["provider"] = meta_json(provider);
            meta
        }
        _ => Value::Null,
    };
    json!({"message": page.message, "data": page.data, "meta": meta})
}

/// The `--output json` of one page of a raw list about `head` (an object naming what it
/// lists: `user`, `tenant`): [`raw_page_json`] with `head`'s fields added.
pub fn raw_page_json_about(page: &voxkit_longlonglong::RawPage, head: &Value) -> Value {
    let mut json = raw_page_json(page);
    if let Value::Object(fields) = head {
        for (key, value) in fields {
            json[key] = value.clone();
        }
    }
    json
}

/// The `--output json` of a raw list's `--all` walk about `head` (see
/// [`raw_page_json_about`]): `head`'s fields, every record as `data`, and [`all_meta`].
pub fn raw_all_json(head: Value, records: Vec<Value>) -> Value {
    let meta = all_meta(records.len());
    let mut json = head;
    json["data"] = Value::Array(records);
    json["meta"] = meta;
    json
}

/// One page of a raw list for people: its records as [`raw_table`] with the footer its
/// `meta` allows, or the answer as [`raw_text`] when `data` holds no list.
pub fn raw_page_text(
    page: &voxkit_longlonglong::RawPage,
    columns: &[(&'static str, &'static str)],
    what: (&str, &str),
) -> String {
    let info = raw_page_info(page);
    match page.items() {
        Some(records) => raw_table(records, columns, what, info.as_ref()),
        None => raw_text(&page.message, &page.data),
    }
}

/// Raw list records as a table of `columns` (header, dotted field path), with the list
/// footer; records that are not objects, or a list with none of the columns' fields, are
/// shown as pretty JSON instead (nothing is guessed).
pub fn raw_table(
    records: &[Value],
    columns: &[(&'static str, &'static str)],
    what: (&str, &str),
    page: Option<&PageInfo>,
) -> String {
    let tabular = records.iter().all(Value::is_object)
        && records
            .iter()
            .any(|r| columns.iter().any(|(_, path)| raw_cell(r, path) != "-"));
    if !records.is_empty() && !tabular {
        let pretty = serde_json::to_string_pretty(records).unwrap_or_default();
        return format!("{pretty}\n{}", footer(records.len(), what.0, what.1, page));
    }
    let header: Vec<(&'static str, Align)> =
        columns.iter().map(|(h, _)| (*h, Align::Left)).collect();
    let no_records = format!("no {}", what.1);
    let list = ListTable {
        columns: &header,
        names: what,
        empty: Empty::OnPage(&no_records),
    };
    list.render(records, page, |record| {
        columns
            .iter()
            .map(|(_, path)| raw_cell(record, path))
            .collect()
    })
}

/// The columns of the line list: `line_allocation.id` (the one field its docs name) and
/// the line's `id`, `name` and `remark` (named by 任务初始化's `caller_line_list`).
pub const LINE_COLUMNS: &[(&str, &str)] = &[
    ("ID", "id"),
    ("NAME", "name"),
    ("REMARK", "remark"),
    ("ALLOCATION", "line_allocation.id"),
];

/// The columns of the script group list: `id` (what `destination_extension` and
/// `line bind-scripts` take) and `name`, where present.
pub const SCRIPT_GROUP_COLUMNS: &[(&str, &str)] = &[("ID", "id"), ("NAME", "name")];

/// Dial-time groups (in the mirror's `task_dial_times[]` shape) as a table: id, name,
/// default, and each day's hours (`1 09:00-12:00,13:00-18:00; 2 ...`).
pub fn dial_time_groups_text(
    groups: &[voxkit_longlonglong::DialTimeGroup],
    page: Option<&PageInfo>,
) -> String {
    let list = ListTable {
        columns: &[
            ("ID", Align::Right),
            ("NAME", Align::Left),
            ("DEFAULT", Align::Left),
            ("HOURS (week: times)", Align::Left),
        ],
        names: ("dial-time group", "dial-time groups"),
        empty: Empty::Text("no dial-time groups"),
    };
    list.render(groups, page, |group| {
        vec![
            group.id.to_string(),
            group.name.clone(),
            if group.is_default { "yes" } else { "no" }.to_owned(),
            days_text(&group.content),
        ]
    })
}

/// A group's days as one cell: `0 09:00-12:00,13:00-18:00; 1 ...`.
pub fn days_text(days: &[voxkit_longlonglong::DaySchedule]) -> String {
    if days.is_empty() {
        return "-".to_owned();
    }
    days.iter()
        .map(|day| {
            let spans: Vec<String> = day
                .times
                .iter()
                .map(|t| {
                    format!(
                        "{}-{}",
                        t.begin_time.format("%H:%M"),
                        t.end_time.format("%H:%M")
                    )
                })
                .collect();
            format!("{} {}", day.week, spans.join(","))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// An account's information with its balance first when the answer carries one
/// (`AccountInfo::balance`), then the message and every field as sent.
pub fn account_text(info: &voxkit_longlonglong::AccountInfo) -> String {
    let mut text = String::new();
    if let Some(balance) = info.balance() {
        text.push_str(&format!("balance  {balance}\n"));
    }
    text.push_str(&message_text(&info.message, &info.data));
    text
}

/// A task's call records as a table (number, status, grade, talk time, hang-up, id). The
/// records are typed only where the mirror shows fields, so the rest is read by name.
pub fn call_records_text(records: &[voxkit_longlonglong::CallRecord]) -> String {
    let text = |r: &voxkit_longlonglong::CallRecord, key: &str| match r.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "-".to_owned(),
        Some(other) => other.to_string(),
    };
    let list = ListTable {
        columns: &[
            ("CALLEE", Align::Left),
            ("STATUS", Align::Right),
            ("TAG", Align::Left),
            ("SECONDS", Align::Right),
            ("HANGUP", Align::Left),
            ("ID", Align::Left),
        ],
        names: ("call record", "call records"),
        empty: Empty::Text("no call records"),
    };
    list.render(records, None, |r| {
        vec![
            text(r, "callee"),
            text(r, "status"),
            text(r, "intention_tag"),
            text(r, "duration"),
            text(r, "hangup_at"),
            text(r, "id"),
        ]
    })
}

/// A call's turns, in order: who said what.
pub fn turns_text(turns: &[voxkit_longlonglong::Turn]) -> String {
    if turns.is_empty() {
        return "no turns (the call was not answered)".to_owned();
    }
    let mut table = Table::new(&[
        ("#", Align::Right),
        ("NOTIFY", Align::Left),
        ("CALLEE SAID", Align::Left),
        ("ROBOT ANSWERED", Align::Left),
    ]);
    for t in turns {
        table.row(vec![
            t.sequence.map_or("-".to_owned(), |s| s.to_string()),
            cell(t.notify.as_deref()),
            cell(t.question.as_deref()),
            cell(t.answer_text.as_deref()),
        ]);
    }
    table.render()
}

/// The pool's raw rows as a table of the fields the sandbox and the docs' filters name
/// (the rows are undocumented: a missing field shows `-`).
pub fn customers_text(rows: &[Value]) -> String {
    let text = |r: &Value, key: &str| match &r[key] {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    };
    let list = ListTable {
        columns: &[
            ("PHONE", Align::Left),
            ("NAME", Align::Left),
            ("COMPANY", Align::Left),
            ("CREATED", Align::Left),
            ("ID", Align::Left),
        ],
        names: ("customer", "customers"),
        empty: Empty::Text("no customers"),
    };
    list.render(rows, None, |r| {
        vec![
            text(r, "phone"),
            text(r, "name"),
            text(r, "company"),
            text(r, "created_at"),
            text(r, "id"),
        ]
    })
}

// ---- Call tasks and their numbers (issue 16, H18's sections). The task list and detail
// are typed where the mirror shows fields; number rows are raw (undocumented), so their
// table reads only `phone`, `name`, `status` and `created_at` where present.

/// A task's state for people: the 2.0 mirror's three states, `-` when the flags are missing
/// or in the combination the table does not list.
pub fn task_state_name(state: Option<voxkit_longlonglong::TaskState>) -> &'static str {
    use voxkit_longlonglong::TaskState;
    match state {
        Some(TaskState::Dialing) => "dialling",
        Some(TaskState::Paused) => "paused",
        Some(TaskState::Waiting) => "waiting",
        None => "-",
    }
}

/// A page of 2.0 tasks as a table (id, name, enabled, created), with the list footer
/// (`page`: where this page stands; `None` for `--all`, whose footer is the count alone).
/// The list's records carry no `call_status` nor number counts, so neither is shown.
pub fn tasks_text(tasks: &[voxkit_longlonglong::Task], page: Option<&PageInfo>) -> String {
    let list = ListTable {
        columns: &[
            ("ID", Align::Left),
            ("NAME", Align::Left),
            ("ENABLED", Align::Left),
            ("CREATED", Align::Left),
        ],
        names: ("task", "tasks"),
        empty: Empty::OnPage("no tasks"),
    };
    list.render(tasks, page, |t| {
        vec![
            t.uuid.as_str().to_owned(),
            cell(t.name.as_deref()),
            t.enable
                .map_or("-", |e| if e { "yes" } else { "no" })
                .to_owned(),
            t.create_datetime.map_or("-".to_owned(), |at| {
                at.format("%Y-%m-%d %H:%M:%S").to_string()
            }),
        ]
    })
}

/// One task's configuration and state as aligned lines: name, state, the provider's status
/// words, concurrency, script group, dial-time group and its number count (the detail's
/// `new_task_extra.number_count`; how many were called is not in the answer).
pub fn task_text(task: &voxkit_longlonglong::TaskDetail) -> String {
    let number = |n: Option<u64>| n.map_or("-".to_owned(), |n| n.to_string());
    let extra = task.new_task_extra.as_ref();
    key_values(&[
        ("name", cell(task.name.as_deref())),
        ("state", task_state_name(task.state()).to_owned()),
        ("status", cell(task.status_str.as_deref())),
        ("numbers", number(extra.and_then(|x| x.number_count))),
        ("concurrency", number(task.maximumcall)),
        ("script group", cell(task.destination_extension.as_deref())),
        ("dial-time group", number(task.dial_time_id)),
    ])
}

/// A task's raw number rows as a table (phone, name, status with its documented label,
/// added), with the list footer; a missing field shows `-`.
pub fn numbers_text(rows: &[Value], page: Option<&PageInfo>) -> String {
    let list = ListTable {
        columns: &[
            ("PHONE", Align::Left),
            ("NAME", Align::Left),
            ("STATUS", Align::Left),
            ("ADDED", Align::Left),
        ],
        names: ("number", "numbers"),
        empty: Empty::OnPage("no numbers"),
    };
    list.render(rows, page, |r| {
        let status = match r.get("status").and_then(Value::as_u64) {
            Some(code) => match voxkit_longlonglong::NumberStatus::from_code(code) {
                Some(s) => format!("{code} {}", s.label()),
                None => code.to_string(),
            },
            None => raw_cell(r, "status"),
        };
        vec![
            raw_cell(r, "phone"),
            raw_cell(r, "name"),
            status,
            raw_cell(r, "created_at"),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each list's empty page reads as it always has: some name a later page, some never.
    #[test]
    fn empty_lists_keep_their_wording() {
        let later = PageInfo::known(3, 2, Some(30), true);
        let page = Some(&later);
        assert_eq!(tasks_text(&[], page), "no tasks on page 3");
        assert_eq!(numbers_text(&[], page), "no numbers on page 3");
        assert_eq!(
            raw_table(&[], LINE_COLUMNS, ("line", "lines"), page),
            "no lines on page 3"
        );
        assert_eq!(
            history_text(&[], false, page),
            "no records in the last 7 days (use --from and --to for another range) on page 3"
        );
        assert_eq!(history_text(&[], true, None), "no records in this range");
        assert_eq!(subs_table(&[], page), "no sub-accounts");
        assert_eq!(dial_time_groups_text(&[], page), "no dial-time groups");
        assert_eq!(
            blacklist_text(&[], ("blacklisted callback", "blacklisted callbacks")),
            "no blacklisted callbacks"
        );
        assert_eq!(call_records_text(&[]), "no call records");
        assert_eq!(customers_text(&[]), "no customers");
    }

    /// Raw records that are not objects are shown as JSON with the footer, not as a table.
    #[test]
    fn raw_records_without_the_columns_are_pretty_json() {
        let records = [json!(1), json!(2)];
        assert_eq!(
            raw_table(&records, LINE_COLUMNS, ("line", "lines"), None),
            "[\n  1,\n  2\n]\n2 lines"
        );
        let records = [json!({"id": 5, "name": "a"})];
        assert_eq!(
            raw_table(
                &records,
                SCRIPT_GROUP_COLUMNS,
                ("script group", "script groups"),
                None
            ),
            "ID  NAME\n5   a\n1 script group"
        );
    }
}
