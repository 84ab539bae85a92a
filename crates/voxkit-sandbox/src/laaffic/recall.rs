//! Automatic recall flows (B10): the paged list and the cancel, over flows seeded for the
//! demo task (how a flow is *created* is not documented, so none is created by a request).
//!
//! The seed: flow `12` (the cancel example's id) redialling the failed calls of the done
//! task `5000602` twice, 30 minutes apart, pending; with its node `1201`. Cancel by flow
//! (`type` 1), by parent task (2) or by node (3) applies only while pending (else `-22`);
//! cancelling a cancelled flow again succeeds and changes nothing, so a retried cancel
//! whose first answer was lost ends as the first did.

use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use chrono::NaiveDateTime;
use serde_json::{Value, json};

use super::envelope::{Refusal, object, page, page_of, paged_query};
use crate::state::Shared;
use crate::wire::{int, text};

/// The documented `LocalDateTime` format.
const LOCAL: &str = "%Y-%m-%d %H:%M:%S";

/// One recall flow.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct RecallFlow {
    /// `keyId`.
    pub key_id: u64,
    /// `taskId`: the parent task.
    pub task_id: u64,
    /// `taskName`: the parent task's name.
    pub task_name: String,
    /// `createTime`, China time.
    pub created_at: NaiveDateTime,
    /// `recallType`: 0 all, 1 failed.
    pub recall_type: u8,
    /// `recallInterval`, minutes.
    pub interval: u32,
    /// `recallNum`.
    pub rounds: u32,
    /// `finishNum`.
    pub finished: u32,
    /// `status`: 0 pending, 1 in progress, 2 completed, 3 cancelled, 4 failed.
    pub status: u8,
    /// The node ids (a `type: 3` cancel names one).
    pub nodes: Vec<u64>,
}

/// The recall flows of the account.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Recalls {
    pub flows: Vec<RecallFlow>,
}

impl Recalls {
    /// The seeded flow (see the module docs), created at `now`.
    pub(crate) fn seeded(now: NaiveDateTime) -> Recalls {
        Recalls {
            flows: vec![RecallFlow {
                key_id: 12,
                task_id: 5_000_602,
                task_name: "示例群呼任务".into(),
                created_at: now,
                recall_type: 1,
                interval: 30,
                rounds: 2,
                finished: 0,
                status: 0,
                nodes: vec![1201],
            }],
        }
    }
}

fn local(map: &crate::wire::Object, key: &str) -> Result<NaiveDateTime, Refusal> {
    text(map, key)
        .and_then(|s| NaiveDateTime::parse_from_str(s.trim(), LOCAL).ok())
        .ok_or(Refusal("-22"))
}

fn record(flow: &RecallFlow) -> Value {
    json!({
        "keyId": flow.key_id,
        "taskId": flow.task_id,
        "taskName": flow.task_name,
        "createTime": flow.created_at.format(LOCAL).to_string(),
        "recallType": flow.recall_type,
        "recallInterval": flow.interval,
        "recallNum": flow.rounds,
        "finishNum": flow.finished,
        "status": flow.status,
    })
}

/// `POST /v3/voice/recallFlow/queryPage`: flows created in `[strTime, endTime]`, filtered
/// by `taskName` (a fuzzy parent-task name, or the exact parent-task id), newest first.
/// Family A with the status as a number, as the page's example (`"status": 0`).
pub(super) async fn query(State(shared): State<Shared>, body: Bytes) -> Response {
    let result = (|| {
        let (current, size, params) = paged_query(&body)?;
        let (start, end) = (local(&params, "strTime")?, local(&params, "endTime")?);
        let name = text(&params, "taskName").map(str::to_owned);
        let data = shared.lock();
        let mut flows: Vec<&RecallFlow> = data
            .recalls
            .flows
            .iter()
            .filter(|f| f.created_at >= start && f.created_at <= end)
            .filter(|f| {
                name.as_deref()
                    .is_none_or(|n| f.task_name.contains(n) || n.parse::<u64>() == Ok(f.task_id))
            })
            .collect();
        flows.sort_by_key(|f| std::cmp::Reverse(f.key_id));
        let total = flows.len() as u64;
        let records = page_of(flows.into_iter(), current, size)
            .map(record)
            .collect();
        Ok(page(records, total, current, size, false))
    })();
    numeric_status(result)
}

/// `POST /v3/voice/recallFlow/cancel` with `{type, id}`: `-24` for an unknown id, `-22`
/// for a flow no longer pending (a cancelled one answers success again).
pub(super) async fn cancel(State(shared): State<Shared>, body: Bytes) -> Response {
    let result = (|| {
        let map = object(&body)?;
        let (Some(kind), Some(id)) = (int(&map, "type"), int(&map, "id")) else {
            return Err(Refusal("-22"));
        };
        let id = u64::try_from(id).map_err(|_| Refusal("-22"))?;
        let mut data = shared.lock();
        let flow = data
            .recalls
            .flows
            .iter_mut()
            .find(|f| match kind {
                1 => f.key_id == id,
                2 => f.task_id == id,
                3 => f.nodes.contains(&id),
                _ => false,
            })
            .ok_or(if (1..=3).contains(&kind) {
                Refusal("-24")
            } else {
                Refusal("-22")
            })?;
        match flow.status {
            0 => flow.status = 3,
            3 => {}
            _ => return Err(Refusal("-22")),
        }
        Ok(Value::Null)
    })();
    numeric_status(result)
}

/// The recall pages' success answer carries `status` as a number (`"status": 0`);
/// refusals are the family-A refusal.
fn numeric_status(result: Result<Value, Refusal>) -> Response {
    use axum::response::IntoResponse;
    match result {
        Ok(data) => {
            axum::Json(json!({"status": 0, "reason": "success", "data": data})).into_response()
        }
        Err(refusal) => refusal.a(),
    }
}
