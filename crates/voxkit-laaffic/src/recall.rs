//! Automatic recall (redial) flows (自动重呼流程, B10): the paged list and the cancel.
//!
//! Contradictions in the documentation, and the choice made:
//!
//! - the B10 pages use `https://api.laaffic.com/v3/voice/recallFlow/…`, the AI-Agent
//!   pages (D4) the same paths without `/v3`: sent under `/v3`, as every other operation
//!   (see the crate docs' table);
//! - the answers give `status` as a number (`"status": 0`) and the AI-Agent cancel page
//!   shows `{"code": 0, "msg": …}` although its table says `reason`: both families and
//!   both types are decoded in one place ([`crate::envelope`]);
//! - the pages do not say the format of `strTime`/`endTime`: the task APIs'
//!   `LocalDateTime` (`"2024-01-01 00:00:00"`) is sent, as the task query does.

use chrono::NaiveDateTime;
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use voxkit_core::{Error, Operation, Origin, Page, check, lenient};

use crate::envelope::decode_data;
use crate::ivr::paging::PagedWindow;
use crate::ivr::{TaskId, int_enum};
use crate::{Client, dates};

laaffic_operations! {
    /// 自动重呼流程列表: `POST /v3/voice/recallFlow/queryPage`.
    pub(crate) RECALL_FLOWS {
        name: "recall_flows",
        method: POST,
        path: "v3/voice/recallFlow/queryPage",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.recall_flows(&example_query()).await.map(drop),
        decode: |r| decode_data::<crate::ivr::WirePage<RecallFlow>>(&RECALL_FLOWS, r).map(drop),
    }

    /// 取消自动重呼: `POST /v3/voice/recallFlow/cancel`.
    pub(crate) CANCEL_RECALL {
        name: "cancel_recall",
        method: POST,
        path: "v3/voice/recallFlow/cancel",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.cancel_recall(RecallCancel::Flow(12)).await,
        decode: |r| decode_data::<serde::de::IgnoredAny>(&CANCEL_RECALL, r).map(drop),
    }
}

/// The task query example's window (2024-01-01 to 2024-06-03 15:13:01), page 1 of 10.
#[cfg(any(test, feature = "test-util"))]
fn example_query() -> RecallQuery {
    let at = |s| NaiveDateTime::parse_from_str(s, dates::LOCAL_DATE_TIME).unwrap_or_default();
    RecallQuery::new(at("2024-01-01 00:00:00"), at("2024-06-03 15:13:01"))
}

int_enum! {
    /// What a recall flow redials (`recallType`).
    RecallType {
        /// `0` Redial All.
        All = 0,
        /// `1` Redial Failed Calls.
        Failed = 1,
    }
}

int_enum! {
    /// A recall flow's state (`status`).
    RecallStatus {
        /// `0` Pending: the only state in which a flow can be cancelled.
        Pending = 0,
        /// `1` In Progress.
        InProgress = 1,
        /// `2` Completed.
        Completed = 2,
        /// `3` Cancelled.
        Cancelled = 3,
        /// `4` Execution Exception.
        Failed = 4,
    }
}

/// The filters of the recall-flow list: `strTime`, `endTime` (both required) and
/// optionally `taskName` ("Fuzzy Search by Parent Group Call Task Name / Exact Search by
/// Parent Group Call Task ID"); page `current` (1-N) and `size` (1-100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecallQuery {
    window: PagedWindow<NaiveDateTime>,
    task_name: Option<String>,
}

impl RecallQuery {
    /// Flows created between `start` and `end`, page 1 of 10.
    pub fn new(start: NaiveDateTime, end: NaiveDateTime) -> Self {
        RecallQuery {
            window: PagedWindow::new(start, end, 10),
            task_name: None,
        }
    }

    /// `current` (1-N) and `size` (1-100).
    pub fn page(mut self, current: u32, size: u32) -> Self {
        (self.window.current, self.window.size) = (current, size);
        self
    }

    /// `taskName`: the parent task's name (fuzzy) or id (exact).
    pub fn task_name(mut self, name: impl Into<String>) -> Self {
        self.task_name = Some(name.into());
        self
    }

    fn check(&self, origin: Origin) -> Result<(), Error> {
        self.window.check(origin)?;
        if let Some(name) = &self.task_name {
            check::text(origin, "the task name", name, 64)?;
        }
        Ok(())
    }

    fn wire(&self) -> impl Serialize + '_ {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Params<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            task_name: Option<&'a str>,
        }
        self.window.wire(Params {
            task_name: self.task_name.as_deref(),
        })
    }
}

/// A recall flow (a `records` item of the list).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RecallFlow {
    /// `keyId`: the flow's id (what [`RecallCancel::Flow`] takes).
    #[serde(deserialize_with = "lenient::u64")]
    pub key_id: u64,
    /// `taskId`: the parent group-call task.
    #[serde(default)]
    pub task_id: Option<TaskId>,
    /// `taskName`: the parent task's name.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub task_name: Option<String>,
    /// `createTime`.
    #[serde(default, deserialize_with = "dates::opt_local")]
    pub create_time: Option<NaiveDateTime>,
    /// `recallType`.
    #[serde(default)]
    pub recall_type: Option<RecallType>,
    /// `recallInterval`: minutes between rounds.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub recall_interval: Option<u64>,
    /// `recallNum`: rounds planned.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub recall_num: Option<u64>,
    /// `finishNum`: rounds done.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub finish_num: Option<u64>,
    /// `status`.
    #[serde(default)]
    pub status: Option<RecallStatus>,
}

/// What to cancel (`{ "type": …, "id": … }`). Types 1 and 2 apply only while the flow is
/// "Pending", type 3 only while the node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecallCancel {
    /// `type: 1`: the recall flow with this `keyId`.
    Flow(u64),
    /// `type: 2`: the recall flow of this parent task.
    Task(TaskId),
    /// `type: 3`: this node (its `keyId`) and every node after it.
    Node(u64),
}

impl RecallCancel {
    fn wire(self) -> impl Serialize {
        #[derive(Serialize)]
        struct Wire {
            r#type: u8,
            id: u64,
        }
        let (r#type, id) = match self {
            RecallCancel::Flow(id) => (1, id),
            RecallCancel::Task(task) => (2, task.0),
            RecallCancel::Node(id) => (3, id),
        };
        Wire { r#type, id }
    }
}

impl Client {
    /// A page of recall flows: `POST /v3/voice/recallFlow/queryPage`, operation
    /// `recall_flows`. [`Client::recall_flows_all`] walks every page.
    ///
    /// Repeatable.
    pub async fn recall_flows(&self, query: &RecallQuery) -> Result<Page<RecallFlow>, Error> {
        query.check(RECALL_FLOWS.origin())?;
        self.query_page(&RECALL_FLOWS, &query.wire()).await
    }

    /// Every recall flow matching `query` (its page number is ignored, its size used), as
    /// a stream on core's `walk`: it ends with an "incomplete listing" error, never a short
    /// list, when the server ignores the paging or never ends.
    pub fn recall_flows_all(
        &self,
        query: &RecallQuery,
    ) -> BoxStream<'static, Result<RecallFlow, Error>> {
        self.walk_query(
            RECALL_FLOWS.origin(),
            query,
            query.window.size,
            RecallQuery::page,
            |flow: &RecallFlow| flow.key_id,
            |client, query| async move { client.recall_flows(&query).await },
        )
    }

    /// Cancels a recall flow, its flow by parent task, or a node and those after it:
    /// `POST /v3/voice/recallFlow/cancel`, operation `cancel_recall`.
    ///
    /// **Repeatable**: a cancelled flow stays cancelled. The price, as for
    /// [`Client::cancel_tasks`]: a retry after a lost answer may be refused (`-22`, the
    /// flow is no longer pending) although the first attempt cancelled it — on such an
    /// error, look at [`Client::recall_flows`] before concluding.
    pub async fn cancel_recall(&self, what: RecallCancel) -> Result<(), Error> {
        let origin = CANCEL_RECALL.origin();
        let op = Operation::of(&CANCEL_RECALL, &[])?.json(origin, &what.wire())?;
        self.send(&CANCEL_RECALL, &op, decode_data::<serde::de::IgnoredAny>)
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cancel_body_is_the_documented_type_and_id() {
        let body = |w: RecallCancel| serde_json::to_string(&w.wire()).unwrap();
        assert_eq!(body(RecallCancel::Flow(12)), r#"{"type":1,"id":12}"#);
        assert_eq!(body(RecallCancel::Task(TaskId(5))), r#"{"type":2,"id":5}"#);
        assert_eq!(body(RecallCancel::Node(7)), r#"{"type":3,"id":7}"#);
    }

    #[test]
    fn the_query_checks_and_wire() {
        let q = example_query();
        assert!(q.check(RECALL_FLOWS.origin()).is_ok());
        assert_eq!(
            serde_json::to_string(&q.clone().task_name("5000602").wire()).unwrap(),
            r#"{"current":1,"size":10,"params":{"strTime":"2024-01-01 00:00:00","endTime":"2024-06-03 15:13:01","taskName":"5000602"}}"#
        );
        assert!(q.clone().page(1, 101).check(RECALL_FLOWS.origin()).is_err());
        let reversed = RecallQuery::new(q.window.end, q.window.start);
        assert!(reversed.check(RECALL_FLOWS.origin()).is_err());
    }
}
