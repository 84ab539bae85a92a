//! Group-call tasks (群呼任务): create, query, detail, pause, cancel, update, resend. The
//! bodies of create, update and resend are in [`task_bodies`](super::task_bodies); here
//! are the operations, the task query and the answers.

use std::fmt;

use chrono::NaiveDateTime;
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use voxkit_core::{Error, Operation, Origin, Page, check, lenient};

use super::paging::PagedWindow;
use super::task_bodies::{NewTask, Resend, TaskUpdate};
use super::voices::{Lan, SourceKind};
use super::{TaskId, int_enum};
use crate::envelope::decode_data;
use crate::{Client, dates};

mod exactly_once;

laaffic_operations! {
    /// 创建群呼任务: `POST /v3/voice/group/call/send`. Task names are unique: the name
    /// is the marker, found with the task query's name search over the window since the
    /// intent.
    pub(crate) CREATE_TASK {
        name: "create_task",
        method: POST,
        path: "v3/voice/group/call/send",
        idempotency: NotRepeatable,
        reconciliation: ByMarker { field: "taskName", found_by: "query_tasks" },
        example: |c| c.create_task(&example_task()).await.map(drop),
        decode: |r| decode_data::<MaybeId>(&CREATE_TASK, r).map(drop),
        exactly_once: |c| {
            let name = crate::marked_task_name(EXAMPLE_TASK_NAME, &voxkit_core::Marker::generate());
            c.create_task_exactly_once(&example_task_named(&name), &voxkit_core::test_util::FAST_RECONCILE).await
        },
        applied: |c| c.recent_tasks_named(EXAMPLE_TASK_NAME).await,
    }

    /// 查询群呼任务列表: `POST /v3/voice/group/call/query`.
    pub(crate) QUERY_TASKS {
        name: "query_tasks",
        method: POST,
        path: "v3/voice/group/call/query",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.query_tasks(&example_query()).await.map(drop),
        decode: |r| decode_data::<super::WirePage<TaskSummary>>(&QUERY_TASKS, r).map(drop),
    }

    /// 群呼任务详情: `GET /v3/voice/group/call/detail/{id}`.
    pub(crate) TASK_DETAIL {
        name: "task_detail",
        method: GET,
        path: "v3/voice/group/call/detail/{task}",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.task_detail(TaskId(5_000_602)).await.map(drop),
        decode: |r| decode_data::<TaskDetail>(&TASK_DETAIL, r).map(drop),
    }

    /// 暂停任务: `POST /v3/voice/group/call/provisional`.
    pub(crate) PAUSE_TASKS {
        name: "pause_tasks",
        method: POST,
        path: "v3/voice/group/call/provisional",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.pause_tasks(&[TaskId(123)]).await,
        decode: |r| decode_data::<serde::de::IgnoredAny>(&PAUSE_TASKS, r).map(drop),
    }

    /// 取消任务: `POST /v3/voice/group/call/cancel`.
    pub(crate) CANCEL_TASKS {
        name: "cancel_tasks",
        method: POST,
        path: "v3/voice/group/call/cancel",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.cancel_tasks(&[TaskId(123), TaskId(456)]).await,
        decode: |r| decode_data::<serde::de::IgnoredAny>(&CANCEL_TASKS, r).map(drop),
    }

    /// 重呼: `POST /v3/voice/group/call/resend`. Each resend starts a new round of calls
    /// under a new task name: the name is the marker, as for a new task.
    pub(crate) RESEND_TASK {
        name: "resend_task",
        method: POST,
        path: "v3/voice/group/call/resend",
        idempotency: NotRepeatable,
        reconciliation: ByMarker { field: "taskName", found_by: "query_tasks" },
        example: |c| c.resend_task(&example_resend()).await.map(drop),
        decode: |r| decode_data::<MaybeId>(&RESEND_TASK, r).map(drop),
        // The docs' task 123123 (the id the create example answered) is not seeded: the
        // query example's finished task 5000602 is.
        exactly_once: |c| {
            let name = crate::marked_task_name(EXAMPLE_RESEND_NAME, &voxkit_core::Marker::generate());
            let resend = example_resend_of(TaskId(5_000_602), &name);
            c.resend_task_exactly_once(&resend, &voxkit_core::test_util::FAST_RECONCILE).await
        },
        applied: |c| c.recent_tasks_named(EXAMPLE_RESEND_NAME).await,
    }

    /// 群呼任务修改: `POST /v3/voice/group/call/update`. Setting the same fields twice
    /// leaves the task as setting them once: repeatable.
    pub(crate) UPDATE_TASK {
        name: "update_task",
        method: POST,
        path: "v3/voice/group/call/update",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.update_task(&example_update()).await,
        decode: |r| decode_data::<serde::de::IgnoredAny>(&UPDATE_TASK, r).map(drop),
    }
}

/// An update of the scheduled task `5000603` (its name kept, played twice).
#[cfg(any(test, feature = "test-util"))]
fn example_update() -> TaskUpdate {
    TaskUpdate::new(
        TaskId(5_000_603),
        "示例定时任务",
        super::voices::VoiceSource::file("1202202254d4c6372d6f341e999c7ecd0683ee464.mp3"),
    )
    .loop_count(2)
}

/// The name of the documentation's example task.
#[cfg(any(test, feature = "test-util"))]
const EXAMPLE_TASK_NAME: &str = "2024-06-04 14:49:17111";

/// The name of the resend example's new task.
#[cfg(any(test, feature = "test-util"))]
const EXAMPLE_RESEND_NAME: &str = "2024-06-04 14:49:17111-again";

/// The documentation's example task: app `4luaKsL2`, an uploaded voice file, one number.
#[cfg(any(test, feature = "test-util"))]
fn example_task() -> NewTask {
    example_task_named(EXAMPLE_TASK_NAME)
}

/// [`example_task`] named `name` (a marked name, for the exactly-once call).
#[cfg(any(test, feature = "test-util"))]
fn example_task_named(name: &str) -> NewTask {
    use super::task_bodies::Callee;
    use super::voices::VoiceSource;
    NewTask::new(
        "4luaKsL2",
        name,
        VoiceSource::file("1202202254d4c6372d6f341e999c7ecd0683ee464.mp3"),
        [Callee::new("8613500000000")],
    )
}

/// The documentation's example query (page 1 of 10, 2024-01-01 to 2024-06-03 15:13:01).
#[cfg(any(test, feature = "test-util"))]
fn example_query() -> TaskQuery {
    let at = |s| NaiveDateTime::parse_from_str(s, dates::LOCAL_DATE_TIME).unwrap_or_default();
    TaskQuery::new(at("2024-01-01 00:00:00"), at("2024-06-03 15:13:01"))
}

/// A resend of the documentation's task `123123` under a new name.
#[cfg(any(test, feature = "test-util"))]
fn example_resend() -> Resend {
    example_resend_of(TaskId(123_123), EXAMPLE_RESEND_NAME)
}

/// [`example_resend`] of `task` under `name` (a marked name, for the exactly-once call).
#[cfg(any(test, feature = "test-util"))]
fn example_resend_of(task: TaskId, name: &str) -> Resend {
    Resend::new(
        task,
        name,
        super::voices::VoiceSource::file("1202202254d4c6372d6f341e999c7ecd0683ee464.mp3"),
    )
}

#[cfg(any(test, feature = "test-util"))]
impl Client {
    /// Test hook (`applied`): the tasks created within a day or two of now (every page)
    /// named `name`, alone or followed by an exactly-once marker ([`crate::marked_task_name`]).
    pub(crate) async fn recent_tasks_named(&self, name: &str) -> Result<usize, Error> {
        use futures_util::TryStreamExt;
        let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).naive_utc();
        let days = chrono::Duration::days(2);
        let query = TaskQuery::new(now - days, now + days).page(1, 100);
        let tasks: Vec<TaskSummary> = self.query_tasks_all(&query).try_collect().await?;
        let marked = format!("{name} ");
        Ok(tasks
            .iter()
            .filter_map(|t| t.task_name.as_deref())
            .filter(|n| *n == name || n.starts_with(&marked))
            .count())
    }
}

/// An id in `data` where the answer is not documented: kept when it is an integer (or a
/// numeric string), anything else (absent, `null`, an object) is `None` rather than an
/// error, so that an undocumented answer never turns a success into a failure.
#[derive(Deserialize)]
#[serde(transparent)]
struct MaybeId(#[serde(deserialize_with = "lenient::lenient_id")] Option<u64>);

impl Client {
    /// Creates an IVR group-call task: `POST /v3/voice/group/call/send` (创建群呼任务),
    /// operation `create_task`. Every documented rule of [`NewTask`] is checked first.
    ///
    /// The answer is not in the copy of the page read; the sibling endpoints return the new
    /// id in `data`, so an integer `data` is returned, anything else is `None`.
    ///
    /// **Not repeatable**: a lost answer is [`Error::OutcomeUnknown`]; check with
    /// [`Client::query_tasks`] (task names are unique) before creating again.
    pub async fn create_task(&self, task: &NewTask) -> Result<Option<TaskId>, Error> {
        let origin = CREATE_TASK.origin();
        task.check(origin)?;
        let op = Operation::of(&CREATE_TASK, &[])?.json(origin, &task.wire())?;
        let id: MaybeId = self.send(&CREATE_TASK, &op, decode_data).await?;
        Ok(id.0.map(TaskId))
    }

    /// Lists group-call tasks: `POST /v3/voice/group/call/query` (查询群呼任务列表), operation
    /// `query_tasks`: one page (the answer's `current`, `size`, `total` and `pages` in
    /// [`Page::page`], [`Page::per_page`], [`Page::total`] and [`Page::last_page`]). The
    /// answer is a `{code, msg, data}` envelope. [`Client::query_tasks_all`] walks every
    /// page.
    ///
    /// Repeatable.
    pub async fn query_tasks(&self, query: &TaskQuery) -> Result<Page<TaskSummary>, Error> {
        query.check(QUERY_TASKS.origin())?;
        self.query_page(&QUERY_TASKS, &query.wire()).await
    }

    /// Every task matching `query` (its page number is ignored; its page size is used),
    /// page after page, as a stream. It ends with an error saying the listing is
    /// incomplete, never with a short list, when the server ignores the page number or
    /// size, never ends (1000 pages) or counts more than a million tasks: a search for a
    /// task name over it can be trusted when it says "not found".
    pub fn query_tasks_all(
        &self,
        query: &TaskQuery,
    ) -> BoxStream<'static, Result<TaskSummary, Error>> {
        self.walk_query(
            QUERY_TASKS.origin(),
            query,
            query.window.size,
            TaskQuery::page,
            |task: &TaskSummary| task.task_id,
            |client, query| async move { client.query_tasks(&query).await },
        )
    }

    /// One task in detail: `GET /v3/voice/group/call/detail/{id}` (群呼任务详情), operation
    /// `task_detail`. Documented on the itniotech copy only (`/voice/group/call/detail/{id}`,
    /// without `/v3` as every itniotech page); sent with `/v3` like the laaffic pages.
    ///
    /// Repeatable.
    pub async fn task_detail(&self, task: TaskId) -> Result<TaskDetail, Error> {
        let op = Operation::of(&TASK_DETAIL, &[&task.to_string()])?;
        self.send(&TASK_DETAIL, &op, decode_data).await
    }

    /// Pauses tasks: `POST /v3/voice/group/call/provisional` (暂停任务) with `jobIdList`,
    /// operation `pause_tasks`. Documented on the itniotech copy only; no resume endpoint
    /// was found. The answer is `{code, msg, data: null}`.
    ///
    /// **Repeatable** (retried on transient failures): pausing tasks twice leaves them as
    /// pausing them once. The price: when an attempt was applied but its answer lost, the
    /// retry may be answered with an error such as `-24` (data does not exist) or `-54`
    /// (the task is wrong) although the tasks are paused — on such an error, look at
    /// [`Client::task_detail`] before concluding.
    pub async fn pause_tasks(&self, tasks: &[TaskId]) -> Result<(), Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            job_id_list: &'a [TaskId],
        }
        self.control(&PAUSE_TASKS, tasks, &Body { job_id_list: tasks })
            .await
    }

    /// Cancels tasks: `POST /v3/voice/group/call/cancel` (取消任务) with `taskIdList`,
    /// operation `cancel_tasks`. Documented on the AI-Agent page (without `/v3`, body
    /// `taskIdList`); whether IVR tasks take `jobIdList` as the pause does is unverified, so
    /// the documented `taskIdList` is sent. The answer is `{code, msg, data: null}`.
    ///
    /// **Repeatable**, for the reasons given at [`Client::pause_tasks`] (a cancelled task
    /// stays cancelled; a retry after a lost answer may be answered `-24`/`-54`).
    pub async fn cancel_tasks(&self, tasks: &[TaskId]) -> Result<(), Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            task_id_list: &'a [TaskId],
        }
        self.control(
            &CANCEL_TASKS,
            tasks,
            &Body {
                task_id_list: tasks,
            },
        )
        .await
    }

    /// Pause or cancel: at least one task id, none twice (the pages mark the list
    /// required and give no upper limit; a repeated id could only earn a `-54` "the task
    /// you submitted is wrong"), then `body`.
    async fn control(
        &self,
        spec: &'static voxkit_core::OperationSpec,
        tasks: &[TaskId],
        body: &impl Serialize,
    ) -> Result<(), Error> {
        let origin = spec.origin();
        check::unique(origin, "task id", tasks)?;
        let op = Operation::of(spec, &[])?.json(origin, body)?;
        self.send(spec, &op, decode_data::<serde::de::IgnoredAny>)
            .await
            .map(drop)
    }

    /// Updates a task: `POST /v3/voice/group/call/update` (群呼任务修改), operation
    /// `update_task`. See [`TaskUpdate`] for the fields; the answer is not in the copy read
    /// (its `data` is ignored).
    ///
    /// **Repeatable**: the same update twice leaves the task as once.
    pub async fn update_task(&self, update: &TaskUpdate) -> Result<(), Error> {
        let origin = UPDATE_TASK.origin();
        update.check(origin)?;
        let op = Operation::of(&UPDATE_TASK, &[])?.json(origin, &update.wire())?;
        self.send(&UPDATE_TASK, &op, decode_data::<serde::de::IgnoredAny>)
            .await
            .map(drop)
    }

    /// Resends (recalls) a task: `POST /v3/voice/group/call/resend` (重呼), operation
    /// `resend_task`. See [`Resend`] for the fields (the page shows no resend type).
    ///
    /// The answer is not in the copy read; an integer `data` (the AI resend's new key id)
    /// is returned, anything else is `None`.
    ///
    /// **Not repeatable**: each resend starts a new round of calls.
    pub async fn resend_task(&self, resend: &Resend) -> Result<Option<TaskId>, Error> {
        let origin = RESEND_TASK.origin();
        resend.check(origin)?;
        let op = Operation::of(&RESEND_TASK, &[])?.json(origin, &resend.wire())?;
        let id: MaybeId = self.send(&RESEND_TASK, &op, decode_data).await?;
        Ok(id.0.map(TaskId))
    }
}

int_enum! {
    /// A group-call task's status (发送状态): `0` waiting to be submitted, `1` calling,
    /// `2` done, `3` submission failed, `4` cancelled, `5` paused, `6` submitting.
    TaskStatus {
        /// `0` 等待提交: waiting to be submitted.
        Waiting = 0,
        /// `1` 呼叫中: calling.
        Calling = 1,
        /// `2` 任务完成: done.
        Completed = 2,
        /// `3` 提交失败: submission failed.
        SubmitFailed = 3,
        /// `4` 任务取消: cancelled.
        Cancelled = 4,
        /// `5` 任务暂停: paused.
        Paused = 5,
        /// `6` 提交中: being submitted.
        Submitting = 6,
    }
}

int_enum! {
    /// The kind of a group-call task in the query answer (`taskType`: "1普通群呼 2 AI群呼";
    /// the AI-Agent page adds `3`).
    TaskType {
        /// `1` 普通群呼: an IVR group call.
        Ivr = 1,
        /// `2` AI群呼: an AI (script) group call.
        Ai = 2,
        /// `3` AI Agent group call (AI-Agent page).
        AiAgent = 3,
    }
}

/// The filters of the task list (`POST /v3/voice/group/call/query`): `strTime` and
/// `endTime` (required by the itniotech cn copy, so always sent), and optionally
/// `statusList`, `idxAppId`, `searchCondition`; page `current` (1-N) and `size` (1-100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    window: PagedWindow<NaiveDateTime>,
    statuses: Vec<TaskStatus>,
    app: Option<u64>,
    search: Option<String>,
    task_type: Option<TaskType>,
}

impl TaskQuery {
    /// Tasks created between `start` and `end` (`strTime`, `endTime`), page 1 of 10.
    pub fn new(start: NaiveDateTime, end: NaiveDateTime) -> Self {
        TaskQuery {
            window: PagedWindow::new(start, end, 10),
            statuses: Vec::new(),
            app: None,
            search: None,
            task_type: None,
        }
    }

    voxkit_core::optional_setters! {
        /// `taskType`: only tasks of this kind. The AI-Agent page requires `3` to list
        /// AI-Agent tasks ("fixed as 3"); `2` lists AI voice tasks. Absent (the IVR page's
        /// query, which lists "普通群呼/AI群呼"), nothing is sent.
        fn task_type(task_type: TaskType);
        /// `idxAppId` (Integer): only this application's tasks.
        fn app(app_id: u64) => app;
        /// `searchCondition`: a fuzzy match on task name, voice file name or TTS text.
        fn search(text: impl Into<String>).into() => search;
    }

    /// `current` (1-N) and `size` (1-100).
    pub fn page(mut self, current: u32, size: u32) -> Self {
        (self.window.current, self.window.size) = (current, size);
        self
    }

    /// `statusList`: only tasks in these states (empty: all).
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = TaskStatus>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        self.window.check(origin)?;
        if let Some(TaskType::Unknown(_)) = self.task_type {
            return Err(Error::invalid_input(
                origin,
                "the task type must be 1, 2 or 3",
            ));
        }
        if let Some(search) = &self.search {
            if search.trim().is_empty() || search.chars().any(char::is_control) {
                return Err(Error::invalid_input(
                    origin,
                    "the search text is empty or holds control characters",
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn wire(&self) -> impl Serialize + '_ {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Params<'a> {
            status_list: &'a [TaskStatus],
            #[serde(skip_serializing_if = "Option::is_none")]
            idx_app_id: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            search_condition: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            task_type: Option<TaskType>,
        }
        self.window.wire(Params {
            status_list: &self.statuses,
            idx_app_id: self.app,
            search_condition: self.search.as_deref(),
            task_type: self.task_type,
        })
    }
}

/// A task in the task list (a `records` item of the query answer).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskSummary {
    /// `taskId` (m.laaffic cn page) or `jobId` (zh-TW page, itniotech, the example): the
    /// task id; both names are accepted.
    #[serde(alias = "jobId")]
    pub task_id: TaskId,
    /// `taskName`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub task_name: Option<String>,
    /// `status`.
    #[serde(default)]
    pub status: Option<TaskStatus>,
    /// `rate`: call progress (呼叫进度), as sent (`"0"`).
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub rate: Option<String>,
    /// `numCnt`: numbers in the task.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub num_cnt: Option<u64>,
    /// `callNum`: numbers called.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub call_num: Option<u64>,
    /// `success`: successful calls.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub success: Option<u64>,
    /// `fail`: failed calls.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub fail: Option<u64>,
    /// `createdTime` (LocalDateTime).
    #[serde(default, deserialize_with = "dates::opt_local")]
    pub created_time: Option<NaiveDateTime>,
    /// `scriptId`: the AI script template (AI tasks).
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub script_id: Option<u64>,
    /// `taskType`.
    #[serde(default)]
    pub task_type: Option<TaskType>,
}

/// One task in detail (`GET /v3/voice/group/call/detail/{id}`, `data`). Documented on the
/// itniotech copy only, whose field list is cut after `acd`; types are not given there, so
/// counts accept numbers or strings and rates are kept as sent.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskDetail {
    /// `jobId`.
    #[serde(alias = "taskId")]
    pub job_id: TaskId,
    /// `taskName`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub task_name: Option<String>,
    /// `displayNum`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub display_num: Option<String>,
    /// `text`: the text-to-speech text.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub text: Option<String>,
    /// `status`.
    #[serde(default)]
    pub status: Option<TaskStatus>,
    /// `rate`: progress, as sent.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub rate: Option<String>,
    /// `numCnt`: numbers in the task.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub num_cnt: Option<u64>,
    /// `chargeLen`: charged length.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub charge_len: Option<u64>,
    /// `success`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub success: Option<u64>,
    /// `fail`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub fail: Option<u64>,
    /// `toseatNum`: calls transferred to a seat.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub toseat_num: Option<u64>,
    /// `successRate` (String).
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub success_rate: Option<String>,
    /// `toseatNumRate`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub toseat_num_rate: Option<String>,
    /// `sendTime`.
    #[serde(default, deserialize_with = "dates::opt_local")]
    pub send_time: Option<NaiveDateTime>,
    /// `createdTime`.
    #[serde(default, deserialize_with = "dates::opt_local")]
    pub created_time: Option<NaiveDateTime>,
    /// `mdfTime`: last modified.
    #[serde(default, deserialize_with = "dates::opt_local")]
    pub mdf_time: Option<NaiveDateTime>,
    /// `appId`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub app_id: Option<String>,
    /// `source`.
    #[serde(default)]
    pub source: Option<SourceKind>,
    /// `voiceFileId`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub voice_file_id: Option<String>,
    /// `calloutRate`: the outbound multiplier.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub callout_rate: Option<String>,
    /// `finishTime`.
    #[serde(default, deserialize_with = "dates::opt_local")]
    pub finish_time: Option<NaiveDateTime>,
    /// `keyFeedbackNum`: key presses.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub key_feedback_num: Option<u64>,
    /// `uploadName`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub upload_name: Option<String>,
    /// `baseFile`: the uploaded content, base64 (not shown by `Debug`).
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub base_file: Option<String>,
    /// `callLossNum`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub call_loss_num: Option<u64>,
    /// `callDuration`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub call_duration: Option<u64>,
    /// `callLossNumRate`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub call_loss_num_rate: Option<String>,
    /// `code`: the country code.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub code: Option<String>,
    /// `maxCalls`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub max_calls: Option<u64>,
    /// `loopCount`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub loop_count: Option<u64>,
    /// `lan`.
    #[serde(default)]
    pub lan: Option<Lan>,
    /// `allCallToseatNum`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub all_call_toseat_num: Option<u64>,
    /// `callTotal`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub call_total: Option<u64>,
    /// `acd` (the list is cut here), as sent.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub acd: Option<String>,
}

impl fmt::Debug for TaskDetail {
    /// Everything but `baseFile`'s content (its length instead).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskDetail")
            .field("job_id", &self.job_id)
            .field("task_name", &self.task_name)
            .field("display_num", &self.display_num)
            .field("text", &self.text)
            .field("status", &self.status)
            .field("rate", &self.rate)
            .field("num_cnt", &self.num_cnt)
            .field("charge_len", &self.charge_len)
            .field("success", &self.success)
            .field("fail", &self.fail)
            .field("toseat_num", &self.toseat_num)
            .field("success_rate", &self.success_rate)
            .field("toseat_num_rate", &self.toseat_num_rate)
            .field("send_time", &self.send_time)
            .field("created_time", &self.created_time)
            .field("mdf_time", &self.mdf_time)
            .field("app_id", &self.app_id)
            .field("source", &self.source)
            .field("voice_file_id", &self.voice_file_id)
            .field("callout_rate", &self.callout_rate)
            .field("finish_time", &self.finish_time)
            .field("key_feedback_num", &self.key_feedback_num)
            .field("upload_name", &self.upload_name)
            .field("base_file_len", &self.base_file.as_ref().map(String::len))
            .field("call_loss_num", &self.call_loss_num)
            .field("call_duration", &self.call_duration)
            .field("call_loss_num_rate", &self.call_loss_num_rate)
            .field("code", &self.code)
            .field("max_calls", &self.max_calls)
            .field("loop_count", &self.loop_count)
            .field("lan", &self.lan)
            .field("all_call_toseat_num", &self.all_call_toseat_num)
            .field("call_total", &self.call_total)
            .field("acd", &self.acd)
            .finish()
    }
}
