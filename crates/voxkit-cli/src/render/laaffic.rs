//! How Laaffic's results look: the balance, IVR tasks, call records, recall flows and SMS
//! receipts, as text and JSON (shared by the commands and the demo).

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde_json::{Value, json};
use voxkit_laaffic::{
    Balance, CallRecord, Page, RecallFlow, RecallStatus, SmsReceipt, TaskDetail, TaskStatus,
    TaskSummary, TaskType,
};

use super::pages::PageInfo;
use super::{
    Align, Empty, ListTable, cell, china_json, china_text, key_values, zoned_json, zoned_text,
};

/// `{"balance": "99.990000", "gift": "50.00000", "credit": "0"}`: exact decimal strings, as
/// sent.
pub fn balance_json(balance: &Balance) -> Value {
    json!({
        "balance": balance.balance.to_string(),
        "gift": balance.gift.to_string(),
        "credit": balance.credit.to_string(),
    })
}

/// The balance as aligned lines.
pub fn balance_text(balance: &Balance) -> String {
    key_values(&[
        ("balance", balance.balance.to_string()),
        ("gift", balance.gift.to_string()),
        ("credit", balance.credit.to_string()),
    ])
}

/// A task status's stable name in JSON and text.
pub fn status_name(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Waiting => "waiting",
        TaskStatus::Calling => "calling",
        TaskStatus::Completed => "completed",
        TaskStatus::SubmitFailed => "submit_failed",
        TaskStatus::Cancelled => "cancelled",
        TaskStatus::Paused => "paused",
        TaskStatus::Submitting => "submitting",
        _ => "unknown",
    }
}

fn status_cell(status: Option<TaskStatus>) -> String {
    match status {
        Some(TaskStatus::Unknown(code)) => format!("unknown ({code})"),
        Some(status) => status_name(status).to_owned(),
        None => "-".to_owned(),
    }
}

fn type_name(kind: TaskType) -> &'static str {
    match kind {
        TaskType::Ivr => "ivr",
        TaskType::Ai => "ai",
        TaskType::AiAgent => "ai_agent",
        _ => "unknown",
    }
}

/// A local time as `YYYY-MM-DD HH:MM:SS`, the form the commands take (the tests read
/// parsed times back with it; what is printed carries its offset: `china_json`).
#[cfg(test)]
pub fn local_text(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A task time (China time, unlabelled on the wire) as RFC 3339 with `+08:00`, for JSON.
fn opt_local(at: Option<NaiveDateTime>) -> Option<String> {
    at.map(china_json)
}

fn num(n: Option<u64>) -> String {
    n.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

/// One task of the list: `{"task_id", "name", "status", "status_name", "rate", "numbers",
/// "called", "success", "fail", "created", "type"}`.
pub fn summary_json(task: &TaskSummary) -> Value {
    json!({
        "task_id": task.task_id.0,
        "name": task.task_name,
        "status": task.status.map(TaskStatus::code),
        "status_name": task.status.map(status_name),
        "rate": task.rate,
        "numbers": task.num_cnt,
        "called": task.call_num,
        "success": task.success,
        "fail": task.fail,
        "created": opt_local(task.created_time),
        "type": task.task_type.map(type_name),
    })
}

/// The task list as a table.
pub fn tasks_text(page: &Page<TaskSummary>) -> String {
    let list = ListTable {
        columns: &[
            ("ID", Align::Right),
            ("NAME", Align::Left),
            ("STATUS", Align::Left),
            ("NUMBERS", Align::Right),
            ("CALLED", Align::Right),
            ("SUCCESS", Align::Right),
            ("FAIL", Align::Right),
            ("CREATED", Align::Left),
        ],
        names: ("task", "tasks"),
        empty: Empty::Text("no tasks"),
    };
    list.render(&page.items, page_info(page).as_ref(), |task| {
        vec![
            task.task_id.to_string(),
            cell(task.task_name.as_deref()),
            status_cell(task.status),
            num(task.num_cnt),
            num(task.call_num),
            num(task.success),
            num(task.fail),
            task.created_time.map_or_else(|| "-".to_owned(), china_text),
        ]
    })
}

/// Where a page of tasks, records or recall flows stands, from the answer's `current`,
/// `pages` and `total`; the footer offers `--all`, which every one of these lists has.
pub fn page_info<T>(page: &Page<T>) -> Option<PageInfo> {
    match (page.page, page.last_page) {
        (Some(current), Some(pages)) => Some(PageInfo::known(
            current.max(1),
            pages.max(1),
            page.total,
            true,
        )),
        _ => page.total.map(|total| PageInfo {
            current: page.page.unwrap_or(1),
            last: None,
            total: Some(total),
            more: page
                .per_page
                .map(|size| page.page.unwrap_or(1).saturating_mul(size) < total),
            all_flag: true,
        }),
    }
}

/// The `meta` object of a list's JSON (`null` when the answer says nothing of its pages).
pub fn page_meta<T>(page: &Page<T>) -> Value {
    page_info(page).map_or(Value::Null, |info| info.json())
}

/// A task in detail; `baseFile` (an upload's content) is replaced by its length.
pub fn detail_json(task: &TaskDetail) -> Value {
    json!({
        "task_id": task.job_id.0,
        "name": task.task_name,
        "status": task.status.map(TaskStatus::code),
        "status_name": task.status.map(status_name),
        "rate": task.rate,
        "numbers": task.num_cnt,
        "call_total": task.call_total,
        "success": task.success,
        "fail": task.fail,
        "success_rate": task.success_rate,
        "to_seat": task.toseat_num,
        "to_seat_rate": task.toseat_num_rate,
        "call_loss": task.call_loss_num,
        "call_loss_rate": task.call_loss_num_rate,
        "key_feedback": task.key_feedback_num,
        "charge_len": task.charge_len,
        "call_duration": task.call_duration,
        "acd": task.acd,
        "display_num": task.display_num,
        "app_id": task.app_id,
        "source": task.source.map(|s| s.code()),
        "voice_file_id": task.voice_file_id,
        "upload_name": task.upload_name,
        "upload_bytes_base64": task.base_file.as_ref().map(String::len),
        "text": task.text,
        "lan": task.lan.as_ref().map(|l| l.code().to_owned()),
        "loop_count": task.loop_count,
        "max_calls": task.max_calls,
        "callout_rate": task.callout_rate,
        "code": task.code,
        "send_time": opt_local(task.send_time),
        "created": opt_local(task.created_time),
        "modified": opt_local(task.mdf_time),
        "finished": opt_local(task.finish_time),
    })
}

/// A task in detail as aligned lines (absent fields left out).
pub fn detail_text(task: &TaskDetail) -> String {
    fields_text(
        &detail_json(task),
        &["task_id", "name", "status_name"],
        &["status"],
    )
}

/// An object's fields as aligned lines: `first` in that order, then the others by name;
/// `null` and the `skip` keys left out, empty texts shown as `-`.
pub fn fields_text(json: &Value, first: &[&str], skip: &[&str]) -> String {
    let mut pairs: Vec<(&str, String)> = json
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .filter_map(|(k, v)| match v {
            Value::Null => None,
            Value::String(s) => Some((k.as_str(), cell(Some(s)))),
            other => Some((k.as_str(), other.to_string())),
        })
        .collect();
    // serde_json's map is sorted by key; the stable sort keeps that order after `first`.
    pairs.sort_by_key(|(k, _)| first.iter().position(|f| f == k).unwrap_or(first.len()));
    key_values(&pairs)
}

fn dec(d: Option<rust_decimal::Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn iso(at: Option<DateTime<FixedOffset>>) -> Option<String> {
    at.map(zoned_json)
}

/// One call record; decimals as exact strings, times as RFC 3339 with the sent offset.
pub fn record_json(record: &CallRecord) -> Value {
    json!({
        "voice_id": record.voice_id,
        "callee": record.callee,
        "display_num": record.display_num,
        "code": record.code,
        "submit_time": iso(record.submit_time),
        "call_time": iso(record.call_time),
        "ringing_time": iso(record.ringing_time),
        "answer_time": iso(record.answer_time),
        "hangup_time": iso(record.hangup_time),
        "call_duration": record.call_duration,
        "charged_duration": record.charged_duration,
        "termination_code": record.termination_code,
        "termination_reason": record.termination_reason,
        "cost": dec(record.cost.or(record.cost_eur)),
        "currency": record.currency,
        "bill_period": record.bill_period,
        "rate": dec(record.rate),
        "base_cost": dec(record.base_cost),
        "voice_file_id": record.voice_file_id,
        "feedback_value": record.feedback_value,
        "called_info": record.called_info,
        "settle_rate": dec(record.settle_rate),
        "quote_exchange": dec(record.quote_exchange),
        "settle_pay": dec(record.settle_pay),
    })
}

/// One call record as aligned lines (absent fields left out).
pub fn record_text(record: &CallRecord) -> String {
    fields_text(
        &record_json(record),
        &[
            "voice_id",
            "callee",
            "display_num",
            "termination_code",
            "termination_reason",
            "call_duration",
            "cost",
            "currency",
        ],
        &[],
    )
}

/// A page of call records as a table.
pub fn records_text(page: &Page<CallRecord>) -> String {
    let list = ListTable {
        columns: &[
            ("VOICE ID", Align::Left),
            ("CALLEE", Align::Left),
            ("CALL TIME", Align::Left),
            ("SECS", Align::Right),
            ("RESULT", Align::Left),
            ("COST", Align::Right),
        ],
        names: ("record", "records"),
        empty: Empty::Text("no records in this window"),
    };
    list.render(&page.items, page_info(page).as_ref(), |record| {
        let result = match (&record.termination_code, &record.termination_reason) {
            (Some(code), Some(reason)) => format!("{code} {reason}"),
            (Some(code), None) => code.clone(),
            (None, reason) => cell(reason.as_deref()),
        };
        let cost = match (dec(record.cost.or(record.cost_eur)), &record.currency) {
            (Some(cost), Some(currency)) => format!("{cost} {currency}"),
            (cost, _) => cell(cost.as_deref()),
        };
        vec![
            record.voice_id.clone(),
            cell(record.callee.as_deref()),
            record.call_time.map_or_else(|| "-".to_owned(), zoned_text),
            num(record.call_duration),
            result,
            cost,
        ]
    })
}

/// A recall flow's state's stable name in JSON and text.
pub fn recall_status_name(status: RecallStatus) -> &'static str {
    match status {
        RecallStatus::Pending => "pending",
        RecallStatus::InProgress => "in_progress",
        RecallStatus::Completed => "completed",
        RecallStatus::Cancelled => "cancelled",
        RecallStatus::Failed => "failed",
        _ => "unknown",
    }
}

fn recall_status_cell(status: Option<RecallStatus>) -> String {
    match status {
        Some(RecallStatus::Unknown(code)) => format!("unknown ({code})"),
        Some(status) => recall_status_name(status).to_owned(),
        None => "-".to_owned(),
    }
}

/// One recall flow: `{"key_id", "task_id", "task_name", "create_time", "recall_type",
/// "recall_interval", "recall_num", "finish_num", "status"}`, codes as the provider sends
/// them, the time RFC 3339 with `+08:00`.
pub fn flow_json(flow: &RecallFlow) -> Value {
    json!({
        "key_id": flow.key_id,
        "task_id": flow.task_id.map(|t| t.0),
        "task_name": flow.task_name,
        "create_time": opt_local(flow.create_time),
        "recall_type": flow.recall_type.map(|t| t.code()),
        "recall_interval": flow.recall_interval,
        "recall_num": flow.recall_num,
        "finish_num": flow.finish_num,
        "status": flow.status.map(|s| s.code()),
    })
}

/// Recall flows as a table, with the list footer (`page`: where this page stands; `None`
/// for `--all`, whose footer is the count alone).
pub fn flows_text(flows: &[RecallFlow], page: Option<&PageInfo>) -> String {
    let list = ListTable {
        columns: &[
            ("ID", Align::Right),
            ("TASK", Align::Right),
            ("NAME", Align::Left),
            ("STATUS", Align::Left),
            ("DONE/ROUNDS", Align::Right),
            ("EVERY", Align::Right),
            ("CREATED", Align::Left),
        ],
        names: ("recall flow", "recall flows"),
        empty: Empty::Text("no recall flows"),
    };
    list.render(flows, page, |flow| {
        vec![
            flow.key_id.to_string(),
            flow.task_id
                .map_or_else(|| "-".to_owned(), |t| t.to_string()),
            cell(flow.task_name.as_deref()),
            recall_status_cell(flow.status),
            format!("{}/{}", num(flow.finish_num), num(flow.recall_num)),
            flow.recall_interval
                .map_or_else(|| "-".to_owned(), |n| format!("{n} min")),
            flow.create_time.map_or_else(|| "-".to_owned(), china_text),
        ]
    })
}

fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "?".to_owned(), |n| n.to_string())
}

/// The progress line of one request of `sms send` split into several: `request 2/3: 1000
/// numbers, 998 accepted, 2 refused`.
pub fn sms_chunk_line(index: usize, chunks: usize, numbers: usize, receipt: &SmsReceipt) -> String {
    format!(
        "request {}/{chunks}: {numbers} numbers, {} accepted, {} refused",
        index + 1,
        count(receipt.success),
        count(receipt.fail)
    )
}

/// The receipts of every SMS request as JSON: `{"requests", "success", "fail",
/// "messages": [{"msg_id", "number", "order_id"}]}`, the counts summed.
pub fn sms_json(receipts: &[SmsReceipt]) -> Value {
    let (success, fail) = sms_totals(receipts);
    let messages: Vec<Value> = receipts
        .iter()
        .flat_map(|r| &r.messages)
        .map(|m| json!({"msg_id": m.msg_id, "number": m.number, "order_id": m.order_id}))
        .collect();
    json!({"requests": receipts.len(), "success": success, "fail": fail, "messages": messages})
}

/// The receipts of every SMS request as text: the totals, then each message's number, id
/// and order id.
pub fn sms_text(receipts: &[SmsReceipt]) -> String {
    let (success, fail) = sms_totals(receipts);
    let mut text = format!("accepted {success}, refused {fail}");
    for m in receipts.iter().flat_map(|r| &r.messages) {
        text.push_str(&format!(
            "\n{}  {}{}",
            m.number.as_deref().unwrap_or("-"),
            m.msg_id.as_deref().unwrap_or("-"),
            m.order_id
                .as_deref()
                .map(|o| format!("  order {o}"))
                .unwrap_or_default()
        ));
    }
    text
}

fn sms_totals(receipts: &[SmsReceipt]) -> (u64, u64) {
    let sum = |f: fn(&SmsReceipt) -> Option<u64>| receipts.iter().filter_map(f).sum::<u64>();
    (sum(|r| r.success), sum(|r| r.fail))
}

/// What `task update` and `ai update` print: the task and its (possibly new) name; the
/// provider answers an update with no data, so nothing else is known.
pub fn updated_report(task: u64, name: &str) -> super::Report {
    super::Report::new(
        json!({"updated": task, "name": name}),
        format!("updated task {task} {:?}", super::one_line(name)),
    )
}

/// What `ai resend` prints: the original task, the new round's id (when the provider sent
/// one) and its name, as `task resend` does.
pub fn ai_resent_report(original: u64, id: Option<u64>, name: &str) -> super::Report {
    super::Report::new(
        json!({"resent": original, "task_id": id, "name": name}),
        match id {
            Some(id) => format!(
                "resent AI task {original} as task {id} {:?}",
                super::one_line(name)
            ),
            None => format!("resent AI task {original} as {:?}", super::one_line(name)),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_print_exactly_as_sent() {
        let balance: Balance = serde_json::from_str(
            r#"{"status":"0","reason":"success","balance":"99.990000","gift":"50.00000","credit":"0"}"#,
        )
        .unwrap();
        assert_eq!(
            balance_json(&balance),
            json!({"balance": "99.990000", "gift": "50.00000", "credit": "0"})
        );
        assert_eq!(
            balance_text(&balance),
            "balance  99.990000\ngift     50.00000\ncredit   0"
        );
    }

    #[test]
    fn json_shapes_are_stable() {
        let task: TaskSummary = serde_json::from_str(
            r#"{"jobId":"5000602","taskName":"t","status":2,"rate":"100","numCnt":2,
                "callNum":2,"success":1,"fail":1,"createdTime":"2026-03-01 08:30:00","taskType":1}"#,
        )
        .unwrap();
        assert_eq!(
            summary_json(&task),
            json!({
                "task_id": 5_000_602, "name": "t", "status": 2, "status_name": "completed",
                "rate": "100", "numbers": 2, "called": 2, "success": 1, "fail": 1,
                "created": "2026-03-01T08:30:00+08:00", "type": "ivr",
            })
        );
        let record: CallRecord = serde_json::from_str(
            r#"{"voiceId":"2603010830001000002","callee":"8613500000000","cost":"0.0400",
                "callTime":"2026-03-01T08:30:01+08:00","callDuration":36,"currency":"EUR"}"#,
        )
        .unwrap();
        let json = record_json(&record);
        assert_eq!(json["voice_id"], "2603010830001000002");
        assert_eq!(json["cost"], "0.0400", "exact, as sent");
        assert_eq!(json["call_time"], "2026-03-01T08:30:01+08:00");
        assert_eq!(json["call_duration"], 36);
        assert_eq!(json["answer_time"], Value::Null);
        assert_eq!(json.as_object().unwrap().len(), 24);
        let text = record_text(&record);
        assert!(
            text.starts_with("voice_id       2603010830001000002\n"),
            "{text}"
        );
        assert!(
            !text.contains("answer_time"),
            "absent fields are left out: {text}"
        );
    }

    /// An empty list of recall flows never names its page.
    #[test]
    fn empty_flows_say_so_on_any_page() {
        let later = PageInfo::known(3, 2, Some(30), true);
        assert_eq!(flows_text(&[], Some(&later)), "no recall flows");
        assert_eq!(flows_text(&[], None), "no recall flows");
    }

    #[test]
    fn status_names_are_stable() {
        assert_eq!(status_name(TaskStatus::Completed), "completed");
        assert_eq!(status_cell(Some(TaskStatus::Unknown(9))), "unknown (9)");
    }
}
