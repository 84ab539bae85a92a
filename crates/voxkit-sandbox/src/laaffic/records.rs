//! The IVR call records: one by `voiceId`, and the batch query over a time window.

use axum::extract::{Path, State};
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, FixedOffset, Months, TimeDelta};
use serde_json::{Value, json};

use super::envelope::{Refusal, a_ok, answer_a, page, page_of, paged_query};
use super::state::{CallRecord, rate};
use crate::clock::at_china;
use crate::state::Shared;
use crate::wire::text;

/// The longest record window ("最大起始-结束时间间隔31天").
const MAX_RECORD_WINDOW_DAYS: i64 = 31;

fn iso(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn record_json(r: &CallRecord) -> Value {
    let region = if r.callee.starts_with("86") {
        "China(Mobile)"
    } else {
        "International"
    };
    json!({
        "voiceId": r.voice_id,
        "callee": r.callee,
        "displayNum": r.display_num,
        "code": region,
        "submitTime": iso(&r.submit_time),
        "callTime": iso(&r.call_time),
        "ringingTime": iso(&r.ringing_time),
        "answerTime": r.answer_time.as_ref().map(iso),
        "hangupTime": iso(&r.hangup_time),
        "callDuration": r.call_duration,
        "chargedDuration": r.charged_duration,
        "terminationCode": r.termination_code,
        "terminationReason": r.termination_reason,
        "cost": r.cost.to_string(),
        "billPeriod": "20+20",
        "rate": rate().to_string(),
        "baseCost": r.cost.to_string(),
        "voiceFileId": r.voice_file_id,
        "feedbackValue": "-1",
        "calledInfo": "",
        "currency": "EUR",
    })
}

/// `GET /v3/voice/recordGroup/{voiceId}`: family A; `-24` for an unknown id.
pub(super) async fn record(State(shared): State<Shared>, Path(voice_id): Path<String>) -> Response {
    let data = shared.lock();
    let found = data
        .ivr
        .by_voice_id
        .get(&voice_id)
        .and_then(|&i| data.ivr.records.get(i));
    answer_a(found.map(record_json).ok_or(Refusal("-24")))
}

/// `POST /v3/voice/recordGroupQuery`: family A, newest first; `-22` for missing or
/// unreadable times or paging, `-25` for a window longer than 31 days or starting more
/// than two months ago.
pub(super) async fn records(State(shared): State<Shared>, body: Bytes) -> Response {
    let selected = (|| {
        let (current, size, params) = paged_query(&body)?;
        let time = |key: &str| {
            text(&params, key)
                .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
                .ok_or(Refusal("-22"))
        };
        let (start, end) = (time("strTime")?, time("endTime")?);
        if start > end {
            return Err(Refusal("-22"));
        }
        // Under the lock: one pass (over at most `Limits::ivr_numbers` records) noting
        // the time and index of each match; records are append-only, so an index stays
        // valid after the lock is released.
        let (matches, hook) = {
            let data = shared.lock();
            let now = at_china(data.now());
            let earliest = now.checked_sub_months(Months::new(2)).unwrap_or(now);
            if end - start > TimeDelta::days(MAX_RECORD_WINDOW_DAYS) || start < earliest {
                return Err(Refusal("-25"));
            }
            let matches: Vec<(DateTime<FixedOffset>, usize)> = data
                .ivr
                .records
                .iter()
                .enumerate()
                .filter(|(_, r)| r.submit_time >= start && r.submit_time <= end)
                .map(|(i, r)| (r.submit_time, i))
                .collect();
            (matches, data.read_hook())
        };
        // Outside the lock, and off the runtime's threads (so that it holds up neither
        // other requests nor the runtime's I/O): the sort, newest first. Voice ids grow
        // with the index, so the index orders records of the same second as the voice id
        // does.
        Ok((current, size, matches, hook))
    })();
    let (current, size, mut matches, hook) = match selected {
        Ok(selected) => selected,
        Err(r) => return r.a(),
    };
    let sorted = tokio::task::spawn_blocking(move || {
        hook();
        matches.sort_unstable_by(|a, b| b.cmp(a));
        let total = matches.len() as u64;
        let wanted: Vec<usize> = page_of(matches.into_iter(), current, size)
            .map(|(_, i)| i)
            .collect();
        (total, wanted)
    })
    .await;
    let Ok((total, wanted)) = sorted else {
        return Refusal("-18").a();
    };
    // Under the lock again: a copy of the page's records only.
    let copied: Vec<CallRecord> = {
        let data = shared.lock();
        wanted
            .iter()
            .filter_map(|&i| data.ivr.records.get(i).cloned())
            .collect()
    };
    let records = copied.iter().map(record_json).collect();
    a_ok(page(records, total, current, size, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::laaffic::state::tests::new_task;

    /// A signed Laaffic request to a sandbox at `url`.
    async fn signed(url: &str, method: &str, path: &str, body: Option<Value>) -> Value {
        let timestamp = DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).timestamp();
        let sign =
            voxkit_laaffic::signature(crate::LAAFFIC_API_KEY, crate::LAAFFIC_API_SECRET, timestamp);
        let http = voxkit_core::transport::http_client_builder()
            .unwrap()
            .build()
            .unwrap();
        let mut request = http
            .request(method.parse().unwrap(), format!("{url}{path}"))
            .header("Content-Type", "application/json")
            .header("Api-Key", crate::LAAFFIC_API_KEY)
            .header("Timestamp", timestamp)
            .header("Sign", sign);
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.unwrap();
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }

    /// Item 7 of issue 12: the long part of a record read (the sort) runs without the
    /// lock and off the runtime's threads; held still there by the test hook (a thread
    /// blocked, as a long sort blocks it), a balance request is still answered, even with
    /// the sandbox on one thread. Before, the read filtered, sorted
    /// and paged every record under the lock on that one thread: the balance waited.
    #[tokio::test]
    async fn a_balance_is_answered_while_a_big_record_read_is_in_flight() {
        use std::sync::{Arc, Mutex};
        use tokio::time::timeout;
        const GUARD: std::time::Duration = std::time::Duration::from_secs(30);

        // On a runtime of its own with one worker thread: the worst case, and the test's
        // guards keep running (on the test's runtime) if the sandbox's thread is stuck.
        let sandbox = crate::Sandbox::builder()
            .worker_threads(1)
            .start()
            .await
            .unwrap();
        {
            let mut data = sandbox.shared.lock();
            let file = data.ivr.files[0].id.clone();
            let numbers = (0..20_000).map(|i| format!("86135{i:08}")).collect();
            let task = new_task("big", &file, numbers, None);
            let now = data.now();
            let data = &mut *data;
            data.ivr.add_task(task, now, &mut data.rng);
            data.advance_tasks();
            data.advance_tasks();
            assert_eq!(data.ivr.records.len(), 20_002);
        }
        let (reached_tx, mut reached) = tokio::sync::mpsc::unbounded_channel();
        let (go_tx, go) = std::sync::mpsc::channel::<()>();
        let go = Mutex::new(go);
        sandbox.shared.lock().read_hook = Some(Arc::new(move || {
            let _ = reached_tx.send(());
            let _ = go.lock().unwrap().recv();
        }));

        let (done_tx, mut done) = tokio::sync::mpsc::unbounded_channel();
        let url = sandbox.url();
        let now = DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
        let query = json!({"current": 1, "size": 100, "params": {
            "strTime": (now - TimeDelta::days(1)).to_rfc3339(),
            "endTime": (now + TimeDelta::days(1)).to_rfc3339(),
        }});
        let big = tokio::spawn({
            let (url, done_tx) = (url.clone(), done_tx.clone());
            async move {
                let page = signed(&url, "POST", "/v3/voice/recordGroupQuery", Some(query)).await;
                done_tx.send("big read").unwrap();
                page
            }
        });
        timeout(GUARD, reached.recv())
            .await
            .expect("the read reached its long part")
            .unwrap();

        let balance = timeout(GUARD, signed(&url, "GET", "/v3/getBalance", None))
            .await
            .expect("the balance was answered while the read was in flight");
        assert_eq!(balance["status"], "0", "{balance}");
        done_tx.send("balance").unwrap();

        go_tx.send(()).unwrap();
        let page = timeout(GUARD, big).await.unwrap().unwrap();
        assert_eq!(page["status"], "0", "{page}");
        assert_eq!(page["data"]["total"], 20_002);
        assert_eq!(page["data"]["records"].as_array().unwrap().len(), 100);
        let order = [done.recv().await.unwrap(), done.recv().await.unwrap()];
        assert_eq!(order, ["balance", "big read"]);
    }
}
