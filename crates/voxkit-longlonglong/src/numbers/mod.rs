//! 号码: the numbers of a task (old-API paths, "兼容2.0任务"): list, add synchronously
//! (<= 100), add asynchronously (<= 200, the result by callback), delete (a JSON body on a
//! `DELETE`), reset for re-dial.
//!
//! Every answer of this group is **raw** ([`Undocumented`], [`NumberPage`]'s items): none is
//! readable in the documentation. The one documented error is `6007` "2.0任务启动中,请先停止任务"
//! (deleting numbers of a running 2.0 task: pause it first), [`crate::Code`]'s
//! `TaskRunning` where declared.
//!
//! Contradictions and choices:
//! - The async import's table flattens item and top-level fields (`data.*.sub_user_id`,
//!   `data.*.encryption` next to top-level `ignore_crm`): `sub_user_id` and `encryption`
//!   are sent top-level, as the sync import and every other call take them.
//! - `sex` is labelled "姓名 (0:未知,1:男,2:女)" (a typo for 性别): typed as [`crate::Sex`].
//! - Dates: the tables show `2025/12/3 0:00` and `2020/7/28`, the reset example
//!   `"2020-07-28 10:00:00"`: sent as `YYYY-MM-DD HH:mm:ss`.
//! - `phones` of the reset must be strings ("请传字符串类型"): phones are text everywhere.

use futures_util::TryStreamExt;
use futures_util::stream::BoxStream;
use serde_json::{Value, json};
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{
    Error, ExactlyOnceOutcome, Operation, OperationSpec, ReconcileWait, Verdict, check,
};

use crate::Client;
use crate::envelope::{Answer, Undocumented, raw_once_unreconcilable};
use crate::ids::{SubUserId, TaskId, UserId};

mod bodies;
mod query;
mod status;

use bodies::check_phones;
pub use bodies::{NumberDeletion, NumberImport, NumberReset, NumberRow};
pub use query::{NumberPage, NumberQuery, row_holds_phone};
pub use status::NumberStatus;

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as, crate::records::DOCS_TASK};

/// The documentation example of an import (sync or async) into the docs' task of the
/// docs' user: one row, stated once for the operation's three hooks (`example` sends it,
/// `exactly_once` sends it through the runner, `applied` looks for its phone).
#[cfg(any(test, feature = "test-util"))]
struct DocsImport {
    phone: &'static str,
    name: &'static str,
    is_async: bool,
}

#[cfg(any(test, feature = "test-util"))]
impl DocsImport {
    /// The import of this one row.
    fn import(&self) -> NumberImport {
        NumberImport::new(vec![NumberRow::new(self.phone).name(self.name)])
    }

    /// The `exactly_once` hook: the import through [`Client::add_numbers_exactly_once`].
    async fn exactly_once(&self, c: &Client) -> Result<ExactlyOnceOutcome, Error> {
        let (user, task) = (DOCS_USER.parse()?, DOCS_TASK.parse()?);
        let wait = &voxkit_core::test_util::FAST_RECONCILE;
        c.add_numbers_exactly_once(&user, &task, &self.import(), self.is_async, wait)
            .await
    }

    /// The `applied` hook: whether the row's phone is in the task's number list.
    async fn applied(&self, c: &Client) -> Result<usize, Error> {
        let (user, task) = (DOCS_USER.parse()?, DOCS_TASK.parse()?);
        c.phones_present(&user, &task, &[self.phone], None).await
    }
}

/// The docs' example row of 批量添加号码(同步接口).
#[cfg(any(test, feature = "test-util"))]
const DOCS_SYNC_IMPORT: DocsImport = DocsImport {
    phone: "18361201210",
    name: "张三",
    is_async: false,
};

/// The docs' example row of 批量添加号码(异步接口).
#[cfg(any(test, feature = "test-util"))]
const DOCS_ASYNC_IMPORT: DocsImport = DocsImport {
    phone: "18361201212",
    name: "李四",
    is_async: true,
};

group! {

    /// 号码列表: one page of a task's numbers.
    pub(crate) NUMBERS {
        name: "numbers",
        method: GET,
        path: "agent-api/user/{user_id}/task/{task_id}/number",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.numbers(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &NumberQuery::new()).await.map(drop),
        decode: |r| decode_as::<Vec<Value>>(&NUMBERS, r),
    }

    /// 批量添加号码(同步接口), <= 100 rows. Found again in the task's number list.
    pub(crate) ADD_NUMBERS {
        name: "add_numbers",
        method: POST,
        path: "agent-api/user/{user_id}/task/{task_id}/number",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "numbers",
            how: "every phone sent is in the task's number list (none was before)",
        },
        example: |c| c.add_numbers(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &DOCS_SYNC_IMPORT.import()).await.map(drop),
        decode: |r| decode_as::<Value>(&ADD_NUMBERS, r),
        exactly_once: |c| DOCS_SYNC_IMPORT.exactly_once(c).await,
        applied: |c| DOCS_SYNC_IMPORT.applied(c).await,
    }

    /// 批量添加号码(异步接口), <= 200 rows, the result by callback. Found again in the task's
    /// number list once imported.
    pub(crate) ADD_NUMBERS_ASYNC {
        name: "add_numbers_async",
        method: POST,
        path: "agent-api/user/{user_id}/task/{task_id}/async_number",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "numbers",
            how: "every phone sent is in the task's number list once imported (none was before)",
        },
        example: |c| c.add_numbers_async(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &DOCS_ASYNC_IMPORT.import()).await.map(drop),
        decode: |r| decode_as::<Value>(&ADD_NUMBERS_ASYNC, r),
        exactly_once: |c| DOCS_ASYNC_IMPORT.exactly_once(c).await,
        applied: |c| DOCS_ASYNC_IMPORT.applied(c).await,
    }

    /// 批量删除号码: a `DELETE` with a JSON body. Settled by the number list.
    pub(crate) DELETE_NUMBERS {
        name: "delete_numbers",
        method: DELETE,
        path: "agent-api/user/{user_id}/task/{task_id}/number-batch-delete",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "numbers",
            how: "none of the phones is left in the task's number list (all were before)",
        },
        example: |c| {
            let phones = ["18361201206", "18361201208"];
            c.delete_numbers(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &NumberDeletion::new(phones)).await.map(drop)
        },
        decode: |r| decode_as::<Value>(&DELETE_NUMBERS, r),
        exactly_once: |c| {
            let phones = NumberDeletion::new(["18361201206", "18361201208"]);
            c.delete_numbers_exactly_once(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &phones, &voxkit_core::test_util::FAST_RECONCILE).await
        },
        // The seeded docs task holds both phones.
        applied: |c| {
            let phones = ["18361201206", "18361201208"];
            let left = c.phones_present(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &phones, None).await?;
            Ok(usize::from(left == 0))
        },
    }

    /// 批量重置号码状态: puts numbers back to 0 等待呼叫, so they are dialled again.
    pub(crate) RESET_NUMBERS {
        name: "reset_numbers",
        method: PUT,
        path: "agent-api/user/{user_id}/task/{task_id}/number-batch-reset",
        idempotency: NotRepeatable,
        reconciliation: Impossible {
            why: "a reset puts numbers back to 0 等待呼叫 and the running task dials them at \
                  once, so no read tells a reset applied and dialled from one never applied; \
                  a second reset re-dials (and bills) them again",
        },
        example: |c| {
            let reset = NumberReset::new().phones(["13934373090"]).keyword("13934373090")
                .status([NumberStatus::Waiting, NumberStatus::Blocked]);
            c.reset_numbers(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &reset).await.map(drop)
        },
        decode: |r| decode_as::<Value>(&RESET_NUMBERS, r),
        // No `applied`: the docs' reset names a phone the seeded task does not hold, so no
        // read shows it; the facade's suites count it in the sandbox's state.
        exactly_once: |c| {
            let reset = NumberReset::new().phones(["13934373090"]).keyword("13934373090")
                .status([NumberStatus::Waiting, NumberStatus::Blocked]);
            c.reset_numbers_exactly_once(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &reset).await
        },
    }
}

/// The most rows one synchronous import may carry ("每次最多导入100条数据").
pub const MAX_SYNC_NUMBERS: usize = 100;

/// The most rows one asynchronous import may carry ("每次最多导入200条数据").
pub const MAX_ASYNC_NUMBERS: usize = 200;

/// The page size of the number list when none is asked for (the documented default).
pub const DEFAULT_NUMBERS_PER_PAGE: u32 = 15;

impl Client {
    /// One page of a task's numbers (号码列表):
    /// `GET /agent-api/user/{user_id}/task/{task_id}/number?page=..&status[]=..`.
    /// Repeatable. Every page: [`Client::numbers_all`].
    pub async fn numbers(
        &self,
        user: &UserId,
        task: &TaskId,
        query: &NumberQuery,
    ) -> Result<NumberPage, Error> {
        let op = query.apply(
            NUMBERS.origin(),
            Operation::of(&NUMBERS, &[user.as_str(), task.as_str()])?,
        )?;
        let ok: Answer<Vec<Value>> = self.call(&NUMBERS, &op).await?;
        Ok(NumberPage {
            message: ok.message,
            items: ok.data,
            meta: ok.meta,
        })
    }

    /// Every number row matching `query`, page after page, with core's loop guards (rows
    /// told apart by their whole content).
    pub fn numbers_all(
        &self,
        user: &UserId,
        task: &TaskId,
        query: &NumberQuery,
    ) -> BoxStream<'static, Result<Value, Error>> {
        let key = |row: &Value| row.to_string();
        let ids = (user.clone(), task.clone());
        self.every_page(
            &NUMBERS,
            query,
            DEFAULT_NUMBERS_PER_PAGE,
            key,
            ids,
            |client, (user, task), query| async move {
                Ok(client.numbers(&user, &task, &query).await?.into_page())
            },
        )
    }

    async fn import(
        &self,
        spec: &'static OperationSpec,
        max: usize,
        user: &UserId,
        task: &TaskId,
        import: &NumberImport,
    ) -> Result<Undocumented, Error> {
        let origin = spec.origin();
        import.check(origin, max)?;
        let op = Operation::of(spec, &[user.as_str(), task.as_str()])?.json(origin, import)?;
        self.undocumented(spec, &op).await
    }

    /// Adds up to [`MAX_SYNC_NUMBERS`] numbers to a task, synchronously (批量添加号码(同步接口)):
    /// `POST /agent-api/user/{user_id}/task/{task_id}/number`. The numbers go through the
    /// CRM pool first unless `ignore_crm`. The answer is **not documented** (kept raw).
    ///
    /// **Not repeatable**: use [`Client::add_numbers_exactly_once`] to survive a lost answer.
    pub async fn add_numbers(
        &self,
        user: &UserId,
        task: &TaskId,
        import: &NumberImport,
    ) -> Result<Undocumented, Error> {
        self.import(&ADD_NUMBERS, MAX_SYNC_NUMBERS, user, task, import)
            .await
    }

    /// Adds up to [`MAX_ASYNC_NUMBERS`] numbers asynchronously (批量添加号码(异步接口)):
    /// `POST /agent-api/user/{user_id}/task/{task_id}/async_number`. The result comes by
    /// callback (`type` `import_number`, with a `unique_id` that 查看回调数据 looks up). The
    /// answer is **not documented** (kept raw). **Not repeatable**.
    pub async fn add_numbers_async(
        &self,
        user: &UserId,
        task: &TaskId,
        import: &NumberImport,
    ) -> Result<Undocumented, Error> {
        self.import(&ADD_NUMBERS_ASYNC, MAX_ASYNC_NUMBERS, user, task, import)
            .await
    }

    /// Deletes numbers from a task (批量删除号码):
    /// `DELETE /agent-api/user/{user_id}/task/{task_id}/number-batch-delete` with a JSON
    /// body. A running 2.0 task answers `6007` (pause it first). Refused before sending: no
    /// phone, a phone twice or with spaces. The answer is **not documented** (kept raw).
    /// **Not repeatable** (a second delete of gone numbers is not documented).
    pub async fn delete_numbers(
        &self,
        user: &UserId,
        task: &TaskId,
        deletion: &NumberDeletion,
    ) -> Result<Undocumented, Error> {
        let origin = DELETE_NUMBERS.origin();
        check::unique(origin, "customer_info_list", deletion.phones())?;
        check_phones(
            origin,
            "customer_info_list[].phone",
            deletion.phones().iter().map(String::as_str),
        )?;
        let op = Operation::of(&DELETE_NUMBERS, &[user.as_str(), task.as_str()])?
            .json(origin, &deletion.body())?;
        self.undocumented(&DELETE_NUMBERS, &op).await
    }

    /// Resets numbers to 0 等待呼叫 so the task dials them again (批量重置号码状态):
    /// `PUT /agent-api/user/{user_id}/task/{task_id}/number-batch-reset`. The answer is
    /// **not documented** (kept raw). **Not repeatable** and not reconcilable: a second reset
    /// re-dials numbers dialled since (see [`Client::reset_numbers_exactly_once`]).
    pub async fn reset_numbers(
        &self,
        user: &UserId,
        task: &TaskId,
        reset: &NumberReset,
    ) -> Result<Undocumented, Error> {
        let origin = RESET_NUMBERS.origin();
        reset.check(origin)?;
        let op =
            Operation::of(&RESET_NUMBERS, &[user.as_str(), task.as_str()])?.json(origin, reset)?;
        self.undocumented(&RESET_NUMBERS, &op).await
    }

    /// How many of `phones` are in the task's number list (every page read), or why that
    /// cannot be told.
    async fn phones_present(
        &self,
        user: &UserId,
        task: &TaskId,
        phones: &[&str],
        sub: Option<&SubUserId>,
    ) -> Result<usize, Error> {
        let mut query = NumberQuery::new().per_page(100);
        if let Some(sub) = sub {
            query = query.sub_user(sub.clone());
        }
        let rows: Vec<Value> = self.numbers_all(user, task, &query).try_collect().await?;
        Ok(phones
            .iter()
            .filter(|p| rows.iter().any(|r| row_holds_phone(r, p)))
            .count())
    }

    /// Whether an import of `phones` (none of them in the task before) was applied: all in
    /// the number list → [`Verdict::Applied`]; none → [`Verdict::NotApplied`]; some, or a
    /// list that cannot be read in full → [`Verdict::Undetermined`]. Only reads.
    pub async fn reconcile_add_numbers(
        &self,
        user: &UserId,
        task: &TaskId,
        phones: &[&str],
        sub: Option<&SubUserId>,
    ) -> Verdict {
        match self.phones_present(user, task, phones, sub).await {
            Ok(n) if n == phones.len() => {
                Verdict::Applied(json!({ "task": task.as_str(), "phones": phones }))
            }
            Ok(0) => Verdict::NotApplied,
            Ok(n) => Verdict::Undetermined(format!(
                "{n} of the {} phones are in the task (a partial import?)",
                phones.len()
            )),
            Err(e) => {
                Verdict::Undetermined(format!("the number list could not be read in full: {e}"))
            }
        }
    }

    /// [`Client::add_numbers`] (or, `asynchronous`, [`Client::add_numbers_async`]) exactly
    /// once. The task's numbers are read first: an import holding a phone already in the
    /// task is refused ([`Error::InvalidInput`], nothing sent), since finding it afterwards
    /// would prove nothing; so are suffixed imports (the stored numbers differ from those
    /// sent). A lost answer is reconciled with [`Client::reconcile_add_numbers`] and the
    /// same request re-sent only when none of the phones arrived. For the asynchronous
    /// import, the wait's repeated "not applied" looks give the import time to land.
    pub async fn add_numbers_exactly_once(
        &self,
        user: &UserId,
        task: &TaskId,
        import: &NumberImport,
        asynchronous: bool,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let spec = if asynchronous {
            &ADD_NUMBERS_ASYNC
        } else {
            &ADD_NUMBERS
        };
        let origin = spec.origin();
        import.check(
            origin,
            if asynchronous {
                MAX_ASYNC_NUMBERS
            } else {
                MAX_SYNC_NUMBERS
            },
        )?;
        if import.number_add_suffix == Some(true) {
            return Err(Error::invalid_input(
                origin,
                "a suffixed import stores other numbers than those sent, so it cannot be \
                 reconciled",
            ));
        }
        let phones: Vec<&str> = import.rows().iter().map(NumberRow::phone).collect();
        let sub = import.sub_user_id.as_ref();
        if self.phones_present(user, task, &phones, sub).await? > 0 {
            return Err(Error::invalid_input(
                origin,
                "a phone of this import is already in the task, so the import could not be \
                 reconciled: list the task's numbers",
            ));
        }
        run_exactly_once(
            None,
            wait,
            || async {
                let added = if asynchronous {
                    self.add_numbers_async(user, task, import).await?
                } else {
                    self.add_numbers(user, task, import).await?
                };
                Ok(added.evidence())
            },
            || self.reconcile_add_numbers(user, task, &phones, sub),
        )
        .await
    }

    /// Whether a deletion of `phones` (all in the task before) was applied: none left →
    /// [`Verdict::Applied`]; all there → [`Verdict::NotApplied`]; some →
    /// [`Verdict::Undetermined`]. Only reads.
    pub async fn reconcile_delete_numbers(
        &self,
        user: &UserId,
        task: &TaskId,
        phones: &[&str],
        sub: Option<&SubUserId>,
    ) -> Verdict {
        match self.phones_present(user, task, phones, sub).await {
            Ok(0) => Verdict::Applied(json!({ "task": task.as_str(), "deleted": phones })),
            Ok(n) if n == phones.len() => Verdict::NotApplied,
            Ok(n) => Verdict::Undetermined(format!("{n} of the {} phones are left", phones.len())),
            Err(e) => {
                Verdict::Undetermined(format!("the number list could not be read in full: {e}"))
            }
        }
    }

    /// [`Client::delete_numbers`] exactly once: every phone must be in the task first (else
    /// [`Error::InvalidInput`], nothing sent: "gone afterwards" proves the delete only for
    /// numbers that were there); a lost answer is reconciled with
    /// [`Client::reconcile_delete_numbers`], re-sent once when all are still there.
    pub async fn delete_numbers_exactly_once(
        &self,
        user: &UserId,
        task: &TaskId,
        deletion: &NumberDeletion,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let origin = DELETE_NUMBERS.origin();
        check::unique(origin, "customer_info_list", deletion.phones())?;
        let phones: Vec<&str> = deletion.phones().iter().map(String::as_str).collect();
        let sub = deletion.sub_user.as_ref();
        if self.phones_present(user, task, &phones, sub).await? != phones.len() {
            return Err(Error::invalid_input(
                origin,
                "a phone of this deletion is not in the task, so the deletion could not be \
                 reconciled: list the task's numbers",
            ));
        }
        run_exactly_once(
            None,
            wait,
            || async {
                let deleted = self.delete_numbers(user, task, deletion).await?;
                Ok(json!({ "message": deleted.message, "deleted": phones }))
            },
            || self.reconcile_delete_numbers(user, task, &phones, sub),
        )
        .await
    }

    /// [`Client::reset_numbers`] with the exactly-once calls' typed outcome: sent **once**,
    /// never re-sent; a lost answer is [`ExactlyOnceOutcome::Undetermined`] at once with the
    /// declaration's reason (a reset cannot be told apart once the numbers are dialled, and
    /// a second one re-dials them). Look at the call records before resetting again.
    pub async fn reset_numbers_exactly_once(
        &self,
        user: &UserId,
        task: &TaskId,
        reset: &NumberReset,
    ) -> Result<ExactlyOnceOutcome, Error> {
        raw_once_unreconcilable(&RESET_NUMBERS, || self.reset_numbers(user, task, reset)).await
    }
}
