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

use chrono::NaiveDateTime;
use futures_util::TryStreamExt;
use futures_util::stream::{BoxStream, StreamExt};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};
use voxkit_core::page::walk;
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{
    Error, ExactlyOnceOutcome, Operation, OperationSpec, Origin, Page, Paging, ReconcileWait,
    Verdict, check,
};

use crate::Client;
use crate::dates;
use crate::envelope::{Answer, Meta, Undocumented};
use crate::ids::{SubUserId, TaskId, UserId};
use crate::sub_accounts::Sex;

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as, crate::records::DOCS_TASK};

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
        example: |c| {
            let import = NumberImport::new(vec![NumberRow::new("18361201210").name("张三")]);
            c.add_numbers(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &import).await.map(drop)
        },
        decode: |r| decode_as::<Value>(&ADD_NUMBERS, r),
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
        example: |c| {
            let import = NumberImport::new(vec![NumberRow::new("18361201212").name("李四")]);
            c.add_numbers_async(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &import).await.map(drop)
        },
        decode: |r| decode_as::<Value>(&ADD_NUMBERS_ASYNC, r),
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
    }
}

/// The most rows one synchronous import may carry ("每次最多导入100条数据").
pub const MAX_SYNC_NUMBERS: usize = 100;

/// The most rows one asynchronous import may carry ("每次最多导入200条数据").
pub const MAX_ASYNC_NUMBERS: usize = 200;

/// The page size of the number list when none is asked for (the documented default).
pub const DEFAULT_NUMBERS_PER_PAGE: u32 = 15;

/// 号码状态 (from 批量重置号码状态): `0` 等待呼叫 … `12` 用户屏蔽.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NumberStatus {
    /// `0` 等待呼叫.
    Waiting,
    /// `1` 呼叫成功.
    Answered,
    /// `2` 运营商拦截.
    Blocked,
    /// `3` 拒接.
    Rejected,
    /// `4` 无应答、无人接听.
    NoAnswer,
    /// `5` 空号.
    Vacant,
    /// `6` 关机.
    PoweredOff,
    /// `7` 停机.
    Suspended,
    /// `8` 占线、用户正忙.
    Busy,
    /// `9` 呼入限制.
    IncomingRestricted,
    /// `10` 欠费.
    Arrears,
    /// `11` 黑名单.
    Blacklisted,
    /// `12` 用户屏蔽.
    UserBlocked,
}

impl NumberStatus {
    /// Every status, in code order.
    pub const ALL: [NumberStatus; 13] = [
        NumberStatus::Waiting,
        NumberStatus::Answered,
        NumberStatus::Blocked,
        NumberStatus::Rejected,
        NumberStatus::NoAnswer,
        NumberStatus::Vacant,
        NumberStatus::PoweredOff,
        NumberStatus::Suspended,
        NumberStatus::Busy,
        NumberStatus::IncomingRestricted,
        NumberStatus::Arrears,
        NumberStatus::Blacklisted,
        NumberStatus::UserBlocked,
    ];

    /// The documented code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The status of a code.
    pub fn from_code(code: u64) -> Option<NumberStatus> {
        NumberStatus::ALL.get(usize::try_from(code).ok()?).copied()
    }

    /// The documented label.
    pub fn label(self) -> &'static str {
        [
            "等待呼叫",
            "呼叫成功",
            "运营商拦截",
            "拒接",
            "无应答、无人接听",
            "空号",
            "关机",
            "停机",
            "占线、用户正忙",
            "呼入限制",
            "欠费",
            "黑名单",
            "用户屏蔽",
        ][self as usize]
    }
}

impl Serialize for NumberStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for NumberStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = voxkit_core::lenient::u64(d)?;
        NumberStatus::from_code(code).ok_or_else(|| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Unsigned(code), &"0 to 12")
        })
    }
}

/// One row of an import (`data[]`): `phone` (是) and the optional customer fields of the
/// tables (the sync table is truncated after `company`; the async table lists the rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    phone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sex: Option<Sex>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    industry_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grade_id: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    control_select_robot: Option<String>,
}

impl NumberRow {
    /// A row with this phone (text: the API asks for strings; it may be encrypted when
    /// `encryption` is on).
    pub fn new(phone: impl Into<String>) -> Self {
        NumberRow {
            name: None,
            phone: phone.into(),
            email: None,
            company: None,
            sex: None,
            sort: None,
            source_id: None,
            industry_id: None,
            grade_id: None,
            components: Vec::new(),
            extra: None,
            control_select_robot: None,
        }
    }

    /// The phone.
    pub fn phone(&self) -> &str {
        &self.phone
    }

    /// `name`: the customer's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// `email`.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// `company`.
    pub fn company(mut self, company: impl Into<String>) -> Self {
        self.company = Some(company.into());
        self
    }

    /// `sex` (0 未知, 1 男, 2 女).
    pub fn sex(mut self, sex: Sex) -> Self {
        self.sex = Some(sex);
        self
    }

    /// `sort`.
    pub fn sort(mut self, sort: i64) -> Self {
        self.sort = Some(sort);
        self
    }

    /// `source_id`, `industry_id`, `grade_id`: the CRM classifications.
    pub fn classification(mut self, source: u64, industry: u64, grade: u64) -> Self {
        (self.source_id, self.industry_id, self.grade_id) =
            (Some(source), Some(industry), Some(grade));
        self
    }

    /// Adds a `components[]` entry (`{"id": .., ...}` of a CRM component; only read when
    /// `ignore_crm` is false). Kept as JSON: its shape is not documented.
    pub fn component(mut self, component: Value) -> Self {
        self.components.push(component);
        self
    }

    /// `extra`: 第三方标识, your own id for the row (echoed by the callbacks).
    pub fn extra(mut self, extra: impl Into<String>) -> Self {
        self.extra = Some(extra.into());
        self
    }

    /// `control_select_robot`: AI 对话标识, picks the script group by variable value.
    pub fn control_select_robot(mut self, value: impl Into<String>) -> Self {
        self.control_select_robot = Some(value.into());
        self
    }
}

/// An import of numbers into a task (批量添加号码, sync or async): the rows and the switches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberImport {
    #[serde(skip_serializing_if = "Option::is_none")]
    ignore_crm: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip_error: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    number_add_suffix: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encryption: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_user_id: Option<SubUserId>,
    data: Vec<NumberRow>,
}

impl NumberImport {
    /// These rows, with the server's defaults (into the CRM pool, stop at the first error,
    /// no suffix, not encrypted).
    pub fn new(rows: Vec<NumberRow>) -> Self {
        NumberImport {
            ignore_crm: None,
            skip_error: None,
            number_add_suffix: None,
            encryption: None,
            sub_user_id: None,
            data: rows,
        }
    }

    /// The rows.
    pub fn rows(&self) -> &[NumberRow] {
        &self.data
    }

    /// `ignore_crm`: true keeps the numbers out of the CRM pool (公海).
    pub fn ignore_crm(mut self, ignore: bool) -> Self {
        self.ignore_crm = Some(ignore);
        self
    }

    /// `skip_error` (sync import only): true skips bad numbers, false stops and answers
    /// the error.
    pub fn skip_error(mut self, skip: bool) -> Self {
        self.skip_error = Some(skip);
        self
    }

    /// `number_add_suffix`: appends `_` and random characters so a repeated number is
    /// accepted.
    pub fn number_add_suffix(mut self, suffix: bool) -> Self {
        self.number_add_suffix = Some(suffix);
        self
    }

    /// `encryption`: the numbers are encrypted (with the API's encryption on).
    pub fn encryption(mut self, encrypted: bool) -> Self {
        self.encryption = Some(encrypted);
        self
    }

    /// `sub_user_id`: import for a sub-account.
    pub fn sub_user(mut self, sub: SubUserId) -> Self {
        self.sub_user_id = Some(sub);
        self
    }

    /// The local checks: 1 to `max` rows, each phone non-empty without spaces, no phone
    /// twice unless suffixes are on (the server refuses duplicates by default).
    fn check(&self, origin: Origin, max: usize) -> Result<(), Error> {
        check::range(origin, "data", self.data.len() as u64, 1, max as u64)?;
        check_phones(
            origin,
            "data[].phone",
            self.data.iter().map(|r| r.phone.as_str()),
        )?;
        if self.number_add_suffix != Some(true) {
            let phones: Vec<&str> = self.data.iter().map(|r| r.phone.as_str()).collect();
            check::unique(origin, "data[].phone", &phones)?;
        }
        Ok(())
    }
}

fn check_phones<'a>(
    origin: Origin,
    what: &str,
    phones: impl Iterator<Item = &'a str>,
) -> Result<(), Error> {
    for phone in phones {
        check::token(origin, what, phone, 128)?;
    }
    Ok(())
}

#[derive(Serialize)]
struct PhoneOnly<'a> {
    phone: &'a str,
}

/// A deletion of numbers (批量删除号码): `customer_info_list` of phones, `encryption`,
/// `sub_user_id`. A 2.0 task must be paused first (else `6007`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberDeletion {
    phones: Vec<String>,
    encryption: Option<bool>,
    sub_user: Option<SubUserId>,
}

impl NumberDeletion {
    /// Delete these phones.
    pub fn new<P: Into<String>>(phones: impl IntoIterator<Item = P>) -> Self {
        NumberDeletion {
            phones: phones.into_iter().map(Into::into).collect(),
            encryption: None,
            sub_user: None,
        }
    }

    /// The phones.
    pub fn phones(&self) -> &[String] {
        &self.phones
    }

    /// `encryption`.
    pub fn encryption(mut self, encrypted: bool) -> Self {
        self.encryption = Some(encrypted);
        self
    }

    /// `sub_user_id`.
    pub fn sub_user(mut self, sub: SubUserId) -> Self {
        self.sub_user = Some(sub);
        self
    }

    fn body(&self) -> Value {
        let mut body = json!({
            "customer_info_list": self.phones.iter().map(|p| PhoneOnly { phone: p }).collect::<Vec<_>>(),
        });
        if let Some(e) = self.encryption {
            body["encryption"] = json!(e);
        }
        if let Some(sub) = &self.sub_user {
            body["sub_user_id"] = json!(sub.as_str());
        }
        body
    }
}

/// A reset of numbers for re-dial (批量重置号码状态): which numbers (`keyword`, `phones`,
/// creation window `start_at`/`end_at`, current `status`), `encryption`, `sub_user_id`.
/// At least one selector is required: a reset of every number is refused before sending.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NumberReset {
    #[serde(skip_serializing_if = "Option::is_none")]
    keyword: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    phones: Vec<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "dates::ser_opt"
    )]
    start_at: Option<NaiveDateTime>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "dates::ser_opt"
    )]
    end_at: Option<NaiveDateTime>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    status: Vec<NumberStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encryption: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_user_id: Option<SubUserId>,
}

impl NumberReset {
    /// No selector yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `keyword`: a number to match.
    pub fn keyword(mut self, keyword: impl Into<String>) -> Self {
        self.keyword = Some(keyword.into());
        self
    }

    /// `phones`: the numbers to re-dial.
    pub fn phones<P: Into<String>>(mut self, phones: impl IntoIterator<Item = P>) -> Self {
        self.phones.extend(phones.into_iter().map(Into::into));
        self
    }

    /// `start_at` and `end_at` (creation time; the docs require them together).
    pub fn created_between(mut self, start: NaiveDateTime, end: NaiveDateTime) -> Self {
        (self.start_at, self.end_at) = (Some(start), Some(end));
        self
    }

    /// `status`: the numbers currently in these statuses.
    pub fn status(mut self, status: impl IntoIterator<Item = NumberStatus>) -> Self {
        self.status.extend(status);
        self
    }

    /// `encryption`.
    pub fn encryption(mut self, encrypted: bool) -> Self {
        self.encryption = Some(encrypted);
        self
    }

    /// `sub_user_id`.
    pub fn sub_user(mut self, sub: SubUserId) -> Self {
        self.sub_user_id = Some(sub);
        self
    }

    fn check(&self, origin: Origin) -> Result<(), Error> {
        if self.keyword.is_none()
            && self.phones.is_empty()
            && self.start_at.is_none()
            && self.status.is_empty()
        {
            return Err(Error::invalid_input(
                origin,
                "say which numbers to reset (keyword, phones, creation window or status)",
            ));
        }
        check_phones(origin, "phones", self.phones.iter().map(String::as_str))?;
        if let (Some(start), Some(end)) = (self.start_at, self.end_at)
            && end < start
        {
            return Err(Error::invalid_input(origin, "end_at is before start_at"));
        }
        Ok(())
    }
}

/// Filters of the number list (号码列表). `page` is required by the API: 1 unless set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberQuery {
    page: Option<u32>,
    per_page: Option<u32>,
    encryption: Option<bool>,
    sub_user: Option<SubUserId>,
    status: Vec<NumberStatus>,
    created: Option<(NaiveDateTime, NaiveDateTime)>,
}

impl NumberQuery {
    /// No filter, page 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// `page`, from 1.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// `per_page` (default 15).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// `encryption`.
    pub fn encryption(mut self, encrypted: bool) -> Self {
        self.encryption = Some(encrypted);
        self
    }

    /// `sub_user_id`.
    pub fn sub_user(mut self, sub: SubUserId) -> Self {
        self.sub_user = Some(sub);
        self
    }

    /// Adds a `status[]` filter.
    pub fn status(mut self, status: NumberStatus) -> Self {
        self.status.push(status);
        self
    }

    /// `start_at` / `end_at`: created in this window.
    pub fn created_between(mut self, start: NaiveDateTime, end: NaiveDateTime) -> Self {
        self.created = Some((start, end));
        self
    }

    fn apply(&self, origin: Origin, mut op: Operation) -> Result<Operation, Error> {
        let page = self.page.unwrap_or(1);
        check::positive(origin, "page", page.into())?;
        op = op.query("page", page.to_string());
        if let Some(n) = self.per_page {
            check::positive(origin, "per_page", n.into())?;
            op = op.query("per_page", n.to_string());
        }
        if let Some(e) = self.encryption {
            op = op.query("encryption", e.to_string());
        }
        if let Some(sub) = &self.sub_user {
            op = op.query("sub_user_id", sub.as_str());
        }
        for s in &self.status {
            op = op.query("status[]", s.code().to_string());
        }
        if let Some((start, end)) = self.created {
            if end < start {
                return Err(Error::invalid_input(origin, "end_at is before start_at"));
            }
            let f = dates::DATETIME_FORMAT;
            op = op
                .query("start_at", start.format(f).to_string())
                .query("end_at", end.format(f).to_string());
        }
        Ok(op)
    }
}

/// One page of a task's numbers: the rows **as sent** (the answer is not documented, so no
/// field is assumed) and the paginator if any.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NumberPage {
    /// The envelope's `message`.
    pub message: String,
    /// The rows, as sent.
    pub items: Vec<Value>,
    /// The paginator, if sent.
    pub meta: Option<Meta>,
}

impl NumberPage {
    /// This page as core's [`Page`].
    pub fn into_page(self) -> Page<Value> {
        Meta::page(self.meta, self.items, true)
    }
}

/// Whether a raw number row holds `phone` as one of its values (no field name assumed:
/// the row's shape is undocumented).
pub fn row_holds_phone(row: &Value, phone: &str) -> bool {
    match row {
        Value::Object(map) => map.values().any(|v| match v {
            Value::String(s) => s.trim() == phone,
            Value::Number(n) => n.to_string() == phone,
            _ => false,
        }),
        _ => false,
    }
}

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
        let (client, user, task, query) = (self.clone(), user.clone(), task.clone(), query.clone());
        let size = query.per_page.unwrap_or(DEFAULT_NUMBERS_PER_PAGE);
        walk(
            NUMBERS.origin(),
            Paging::new(Some(size)),
            |row: &Value| row.to_string(),
            move |number, size| {
                let (client, user, task) = (client.clone(), user.clone(), task.clone());
                let mut query = query.clone().page(number);
                query.per_page = size;
                async move { Ok(client.numbers(&user, &task, &query).await?.into_page()) }
            },
        )
        .boxed()
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
        check::unique(origin, "customer_info_list", &deletion.phones)?;
        check_phones(
            origin,
            "customer_info_list[].phone",
            deletion.phones.iter().map(String::as_str),
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
        let phones: Vec<&str> = import.data.iter().map(|r| r.phone.as_str()).collect();
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
                Ok(json!({ "message": added.message, "data": added.data }))
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
        check::unique(origin, "customer_info_list", &deletion.phones)?;
        let phones: Vec<&str> = deletion.phones.iter().map(String::as_str).collect();
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
        let why = match RESET_NUMBERS.reconciliation {
            voxkit_core::Reconciliation::Impossible { why } => why,
            _ => "the declaration names no reconciliation",
        };
        run_exactly_once(
            None,
            &ReconcileWait {
                tries: 1,
                not_applied_looks: 1,
                ..ReconcileWait::default()
            },
            || async {
                let done = self.reset_numbers(user, task, reset).await?;
                Ok(json!({ "message": done.message, "data": done.data }))
            },
            || async {
                Verdict::Undetermined(format!("this operation cannot be reconciled: {why}"))
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_status_codes_round_trip() {
        for status in NumberStatus::ALL {
            let code = status.code();
            assert_eq!(NumberStatus::from_code(code.into()), Some(status));
            assert_eq!(serde_json::to_string(&status).unwrap(), code.to_string());
        }
        assert_eq!(NumberStatus::from_code(13), None);
        assert_eq!(NumberStatus::UserBlocked.label(), "用户屏蔽");
    }

    #[test]
    fn imports_are_limited_before_sending() {
        let o = ADD_NUMBERS.origin();
        let rows = |n: usize| {
            (0..n)
                .map(|i| NumberRow::new(format!("1380000{i:04}")))
                .collect()
        };
        assert!(
            NumberImport::new(rows(100))
                .check(o, MAX_SYNC_NUMBERS)
                .is_ok()
        );
        assert!(
            NumberImport::new(rows(101))
                .check(o, MAX_SYNC_NUMBERS)
                .is_err()
        );
        assert!(
            NumberImport::new(rows(200))
                .check(o, MAX_ASYNC_NUMBERS)
                .is_ok()
        );
        assert!(
            NumberImport::new(rows(201))
                .check(o, MAX_ASYNC_NUMBERS)
                .is_err()
        );
        assert!(
            NumberImport::new(vec![])
                .check(o, MAX_SYNC_NUMBERS)
                .is_err()
        );
        let twice = vec![NumberRow::new("1"), NumberRow::new("1")];
        assert!(NumberImport::new(twice.clone()).check(o, 100).is_err());
        assert!(
            NumberImport::new(twice)
                .number_add_suffix(true)
                .check(o, 100)
                .is_ok()
        );
    }

    #[test]
    fn a_reset_must_select_something() {
        let o = RESET_NUMBERS.origin();
        assert!(NumberReset::new().check(o).is_err());
        assert!(NumberReset::new().phones(["1"]).check(o).is_ok());
    }

    #[test]
    fn rows_are_matched_by_value_not_by_field_name() {
        assert!(row_holds_phone(&json!({"x": "138", "y": 1}), "138"));
        assert!(row_holds_phone(&json!({"mobile": 138}), "138"));
        assert!(!row_holds_phone(&json!({"x": "1380"}), "138"));
    }
}
