//! 客户公海管理 (the CRM pool, section 9 of the notes): the custom components, the pool's
//! filters (all customers, or one stage such as `clue`), the asynchronous import (≤ 200 rows),
//! the deletion by phones or creation window (a JSON body on DELETE), and the move of a
//! filtered set into a call task (a GET carrying a JSON body, its result by the
//! `api_customer_to_task` callback).
//!
//! None of these answers is documented: every one is kept raw ([`Undocumented`], or
//! [`CustomerPage`]'s raw `data` with the API-wide `meta` paginator).
//!
//! Contradictions and choices:
//! - 9.6 is documented as a `GET` whose example carries a JSON body: voxkit sends the
//!   filter as that JSON body on the GET, as documented (not as a query);
//! - 9.2/9.3 list `user_id` both as a path segment and as a required request field: it
//!   is sent in the path only (the path is what routes the request);
//! - 9.2 marks `page` required: voxkit always sends it (1 unless set);
//! - 9.5 "当 phone 和 created_at 都为空或者不传时,此接口不会删除任何数据": such a delete is
//!   refused before sending, since it can only be a mistake;
//! - the `email` row of 9.2's table lost its name: `email` is assumed, as in the import body.

use chrono::NaiveDate;
use futures_util::stream::BoxStream;
use serde::Serialize;
use serde_json::json;
use voxkit_core::reconcile::run_once_unreconcilable;
use voxkit_core::{Error, ExactlyOnceOutcome, Operation, Page, check};

use crate::Client;
use crate::dates;
use crate::envelope::{Answer, Meta, Undocumented};
use crate::ids::{SubUserId, TaskId, UserId};
use crate::listing::{paged_query, setters};
use crate::sub_accounts::Sex;

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as, crate::records::DOCS_TASK};

/// The most rows one asynchronous import may carry ("每次最多导入 200 条").
pub const MAX_IMPORT_ROWS: usize = 200;
/// The most phones one deletion may name.
pub const MAX_DELETE_PHONES: usize = 100;
/// The pool's page size when none is asked for ("默认为15").
pub const DEFAULT_CUSTOMERS_PER_PAGE: u32 = 15;

group! {

    /// 公海自定义组件初始化 — a read, despite its `create` path.
    pub(crate) CUSTOMER_COMPONENTS {
        name: "customer_components",
        method: GET,
        path: "agent-api/user/{user_id}/customer/create",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.customer_components(&DOCS_USER.parse()?).await.map(drop),
        decode: |r| decode_as::<serde_json::Value>(&CUSTOMER_COMPONENTS, r),
    }

    /// 客户公海筛选: one page of the pool.
    pub(crate) CUSTOMERS {
        name: "customers",
        method: GET,
        path: "agent-api/user/{user_id}/get_customer",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.customers(&DOCS_USER.parse()?, &CustomerFilter::new().operator(Carrier::Telecom)).await.map(drop),
        decode: |r| decode_as::<serde_json::Value>(&CUSTOMERS, r),
    }

    /// 客户公海(线索阶段)筛选: one page of one stage of the pool.
    pub(crate) STAGE_CUSTOMERS {
        name: "stage_customers",
        method: GET,
        path: "agent-api/user/{user_id}/type/{type}/get_customer",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.stage_customers(&DOCS_USER.parse()?, CustomerStage::Clue, &CustomerFilter::new()).await.map(drop),
        decode: |r| decode_as::<serde_json::Value>(&STAGE_CUSTOMERS, r),
    }

    /// 批量导入客户公海(异步). Asynchronous: not finding the rows in the pool afterwards does
    /// not prove the import was not accepted.
    pub(crate) IMPORT_CUSTOMERS {
        name: "import_customers",
        method: POST,
        path: "agent-api/user/{user_id}/async_customer",
        idempotency: NotRepeatable,
        reconciliation: Impossible {
            why: "the import is asynchronous and its answer undocumented: rows missing from \
                  the pool may still be queued, so nothing proves it was not applied",
        },
        example: |c| {
            let rows = [NewCustomer::new("13012121212").name("张三").company("腾讯")];
            c.import_customers(&DOCS_USER.parse()?, &rows, None).await.map(drop)
        },
        decode: |r| decode_as::<serde_json::Value>(&IMPORT_CUSTOMERS, r),
        exactly_once: |c| {
            let rows = [NewCustomer::new("13012121212").name("张三").company("腾讯")];
            c.import_customers_exactly_once(&DOCS_USER.parse()?, &rows, None).await
        },
        // The seeded pool holds the docs' customer once; each import adds a row.
        applied: |c| {
            let filter = CustomerFilter::new().phone("13012121212");
            let page = c.customers(&DOCS_USER.parse()?, &filter).await?;
            Ok(page.items().len().saturating_sub(1))
        },
    }

    /// 删除客户公海数据: the request names its targets absolutely (these phones, this
    /// creation window), so sending it twice leaves the pool as sending it once.
    pub(crate) DELETE_CUSTOMERS {
        name: "delete_customers",
        method: DELETE,
        path: "agent-api/user/{user_id}/del_customer",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.delete_customers(&DOCS_USER.parse()?, &CustomerDeletion::phones(["13012121212"])).await.map(drop),
        decode: |r| decode_as::<serde_json::Value>(&DELETE_CUSTOMERS, r),
    }

    /// 客户公海筛选进入任务: a state change over GET (with a JSON body), its result only by
    /// callback.
    pub(crate) CUSTOMERS_TO_TASK {
        name: "customers_to_task",
        method: GET,
        path: "agent-api/user/{user_id}/customer_to_task/{task_id}",
        idempotency: NotRepeatable,
        reconciliation: Impossible {
            why: "the move's result arrives only by the api_customer_to_task callback and no \
                  documented read tells which customers a move put into the task",
        },
        example: |c| {
            let filter = CustomerFilter::new().phone("13012121212").operator(Carrier::Telecom);
            c.customers_to_task(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &filter).await.map(drop)
        },
        decode: |r| decode_as::<serde_json::Value>(&CUSTOMERS_TO_TASK, r),
        exactly_once: |c| {
            let filter = CustomerFilter::new().phone("13012121212").operator(Carrier::Telecom);
            c.customers_to_task_exactly_once(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &filter).await
        },
        // Each move marks the seeded customer with the task once (its `task_ids`).
        applied: |c| {
            let filter = CustomerFilter::new().phone("13012121212");
            let page = c.customers(&DOCS_USER.parse()?, &filter).await?;
            Ok(page.items().iter().map(|r| r["task_ids"].as_array().map_or(0, Vec::len)).sum())
        },
    }
}

impl Client {
    /// The pool's custom components (公海自定义组件初始化):
    /// `GET /agent-api/user/{user_id}/customer/create`, whose ids the `components` filters
    /// and import rows use. **Not documented**: kept raw. Repeatable.
    pub async fn customer_components(&self, user: &UserId) -> Result<CustomerComponents, Error> {
        let op = Operation::of(&CUSTOMER_COMPONENTS, &[user.as_str()])?;
        self.undocumented(&CUSTOMER_COMPONENTS, &op).await
    }

    /// One page of the pool (客户公海筛选): `GET /agent-api/user/{user_id}/get_customer` with
    /// the filter as query (`components[0][id]=..`, `created_at[]=..`, `operator[]=1`).
    /// Repeatable.
    pub async fn customers(
        &self,
        user: &UserId,
        filter: &CustomerFilter,
    ) -> Result<CustomerPage, Error> {
        let op = Operation::of(&CUSTOMERS, &[user.as_str()])?;
        let op = filter.query(op, CUSTOMERS.origin(), false)?;
        let ok: Answer<serde_json::Value> = self.call(&CUSTOMERS, &op).await?;
        Ok(CustomerPage {
            data: ok.data,
            meta: ok.meta,
        })
    }

    /// Every customer of the pool matching `filter` (its `page` ignored), page after page
    /// (`per_page` of the filter, else [`DEFAULT_CUSTOMERS_PER_PAGE`]), with core's loop
    /// guards (see [`Client::sub_accounts_all`]). The rows are raw, so they are told apart
    /// by their whole content. Repeatable.
    pub fn customers_all(
        &self,
        user: &UserId,
        filter: &CustomerFilter,
    ) -> BoxStream<'static, Result<serde_json::Value, Error>> {
        let key = |row: &serde_json::Value| row.to_string();
        let user = user.clone();
        self.every_page(
            &CUSTOMERS,
            filter,
            DEFAULT_CUSTOMERS_PER_PAGE,
            key,
            user,
            |client, user, filter| async move {
                Ok(client.customers(&user, &filter).await?.into_page())
            },
        )
    }

    /// One page of one stage of the pool (客户公海(线索阶段)筛选):
    /// `GET /agent-api/user/{user_id}/type/{type}/get_customer`; the stage filters
    /// (`sex`, `is_follow`, `ai_call`) apply here only. Repeatable.
    pub async fn stage_customers(
        &self,
        user: &UserId,
        stage: CustomerStage,
        filter: &CustomerFilter,
    ) -> Result<CustomerPage, Error> {
        let op = Operation::of(&STAGE_CUSTOMERS, &[user.as_str(), stage.as_str()])?;
        let op = filter.query(op, STAGE_CUSTOMERS.origin(), true)?;
        let ok: Answer<serde_json::Value> = self.call(&STAGE_CUSTOMERS, &op).await?;
        Ok(CustomerPage {
            data: ok.data,
            meta: ok.meta,
        })
    }

    /// Imports up to [`MAX_IMPORT_ROWS`] customers into the pool, asynchronously
    /// (批量导入客户公海(异步)): `POST /agent-api/user/{user_id}/async_customer` with
    /// `{"data":[...],"encryption":false}`.
    ///
    /// Refused before sending: no row or more than 200, a row whose phone is not 5–20
    /// digits, a phone twice. **Not repeatable** and cannot be reconciled (see
    /// [`Client::import_customers_exactly_once`]): a lost answer is
    /// [`Error::OutcomeUnknown`]. The answer is **not documented**: kept raw.
    pub async fn import_customers(
        &self,
        user: &UserId,
        rows: &[NewCustomer],
        sub_user: Option<&SubUserId>,
    ) -> Result<Undocumented, Error> {
        let origin = IMPORT_CUSTOMERS.origin();
        check::range(origin, "data", rows.len() as u64, 1, MAX_IMPORT_ROWS as u64)?;
        let phones: Vec<&str> = rows.iter().map(|r| r.phone.as_str()).collect();
        for phone in &phones {
            check::digits(origin, "phone", phone, 5, 20)?;
        }
        check::unique(origin, "phone", &phones)?;
        let body = ImportBody {
            data: rows,
            encryption: false,
            sub_user_id: sub_user.map(SubUserId::as_str),
        };
        let op = Operation::of(&IMPORT_CUSTOMERS, &[user.as_str()])?.json(origin, &body)?;
        self.undocumented(&IMPORT_CUSTOMERS, &op).await
    }

    /// [`Client::import_customers`] with the exactly-once calls' typed outcome: sent
    /// **once**, never re-sent. A lost answer is [`ExactlyOnceOutcome::Undetermined`] at
    /// once with the declaration's reason (the import is asynchronous: the pool not holding
    /// the rows yet proves nothing). Look at the pool (filter by a phone) after a while
    /// before importing again.
    pub async fn import_customers_exactly_once(
        &self,
        user: &UserId,
        rows: &[NewCustomer],
        sub_user: Option<&SubUserId>,
    ) -> Result<ExactlyOnceOutcome, Error> {
        run_once_unreconcilable(&IMPORT_CUSTOMERS, || async {
            let ok = self.import_customers(user, rows, sub_user).await?;
            Ok(json!({ "message": ok.message, "rows": rows.len() }))
        })
        .await
    }

    /// Deletes customers from the pool (删除客户公海数据):
    /// `DELETE /agent-api/user/{user_id}/del_customer` with a JSON body
    /// `{"phone":[...],"created_at":[start,end],"encryption":false}`.
    ///
    /// Refused before sending: neither phones nor a window (the server would delete
    /// nothing), more than [`MAX_DELETE_PHONES`] phones, a phone that is not digits.
    /// Repeatable: the targets are named absolutely, so a resend leaves the pool as one
    /// send does (a customer re-imported with the same phone in between would go too).
    /// The answer is **not documented**: kept raw.
    pub async fn delete_customers(
        &self,
        user: &UserId,
        deletion: &CustomerDeletion,
    ) -> Result<Undocumented, Error> {
        let origin = DELETE_CUSTOMERS.origin();
        if deletion.phone.is_empty() && deletion.created_at.is_none() {
            return Err(Error::invalid_input(
                origin,
                "give phones or a creation window: with neither the server deletes nothing",
            ));
        }
        check::range(
            origin,
            "phone",
            deletion.phone.len() as u64,
            0,
            MAX_DELETE_PHONES as u64,
        )?;
        for phone in &deletion.phone {
            check::digits(origin, "phone", phone, 5, 20)?;
        }
        let op = Operation::of(&DELETE_CUSTOMERS, &[user.as_str()])?.json(origin, deletion)?;
        self.undocumented(&DELETE_CUSTOMERS, &op).await
    }

    /// Moves the pool's customers matching `filter` into a call task
    /// (客户公海筛选进入任务): `GET /agent-api/user/{user_id}/customer_to_task/{task_id}`
    /// with the filter as a **JSON body on the GET**, as documented. The result arrives by
    /// the `api_customer_to_task` callback (its `unique_id` can be looked up with 查看回调数据).
    ///
    /// **Not repeatable** despite the GET: a resend could move customers twice; a lost
    /// answer is [`Error::OutcomeUnknown`]. The answer is **not documented**: kept raw.
    pub async fn customers_to_task(
        &self,
        user: &UserId,
        task: &TaskId,
        filter: &CustomerFilter,
    ) -> Result<Undocumented, Error> {
        let origin = CUSTOMERS_TO_TASK.origin();
        let body = filter.body(origin)?;
        let op = Operation::of(&CUSTOMERS_TO_TASK, &[user.as_str(), task.as_str()])?
            .json(origin, &body)?;
        self.undocumented(&CUSTOMERS_TO_TASK, &op).await
    }

    /// [`Client::customers_to_task`] with the exactly-once calls' typed outcome: sent
    /// **once**; a lost answer is [`ExactlyOnceOutcome::Undetermined`] with the
    /// declaration's reason. Wait for the `api_customer_to_task` callback, or read the
    /// task's numbers, before moving again.
    pub async fn customers_to_task_exactly_once(
        &self,
        user: &UserId,
        task: &TaskId,
        filter: &CustomerFilter,
    ) -> Result<ExactlyOnceOutcome, Error> {
        run_once_unreconcilable(&CUSTOMERS_TO_TASK, || async {
            let ok = self.customers_to_task(user, task, filter).await?;
            Ok(json!({ "message": ok.message, "task_id": task.as_str() }))
        })
        .await
    }
}

/// The pool's custom components. **Not documented**: kept raw.
pub type CustomerComponents = Undocumented;

/// A stage of the pool, the `{type}` of 9.3. Only `clue` (线索阶段) is documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CustomerStage {
    /// `clue`: 线索阶段.
    Clue,
}

impl CustomerStage {
    /// The path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStage::Clue => "clue",
        }
    }
}

/// 运营商 (a customer's carrier), sent as `1` 电信, `2` 联通, `3` 移动.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Carrier {
    /// `1`: 电信 (China Telecom).
    Telecom,
    /// `2`: 联通 (China Unicom).
    Unicom,
    /// `3`: 移动 (China Mobile).
    Mobile,
}

impl Carrier {
    /// The documented code.
    pub fn code(self) -> u8 {
        match self {
            Carrier::Telecom => 1,
            Carrier::Unicom => 2,
            Carrier::Mobile => 3,
        }
    }

    /// The carrier of a code (`1`–`3`) or a name (`telecom`, `unicom`, `mobile`, 电信, 联通, 移动).
    pub fn parse(s: &str) -> Option<Carrier> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1" | "telecom" | "电信" => Some(Carrier::Telecom),
            "2" | "unicom" | "联通" => Some(Carrier::Unicom),
            "3" | "mobile" | "移动" => Some(Carrier::Mobile),
            _ => None,
        }
    }
}

/// A custom component's value (`{"id": "...", "value": "..."}`), in filters and import rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentValue {
    /// `id`: the component's id (from [`Client::customer_components`]).
    pub id: String,
    /// `value`.
    pub value: String,
}

/// A filter of the pool (9.2, 9.3) and of the move into a task (9.6). All optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerFilter {
    page: Option<u32>,
    per_page: Option<u32>,
    components: Vec<ComponentValue>,
    phone: Option<String>,
    email: Option<String>,
    company: Option<String>,
    created_at: Option<(NaiveDate, NaiveDate)>,
    operator: Vec<Carrier>,
    sex: Vec<Sex>,
    is_follow: Option<bool>,
    ai_call: Option<bool>,
}

impl CustomerFilter {
    /// No filter, first page.
    pub fn new() -> Self {
        Self::default()
    }
    /// `components`: adds a component's value.
    pub fn component(mut self, id: impl Into<String>, value: impl Into<String>) -> Self {
        self.components.push(ComponentValue {
            id: id.into(),
            value: value.into(),
        });
        self
    }
    setters! {
        /// `phone`.
        fn phone(phone: impl Into<String>).into();
        /// `email`.
        fn email(email: impl Into<String>).into();
        /// `company`.
        fn company(company: impl Into<String>).into();
    }
    /// `created_at`: `[start, end]`, both days included.
    pub fn created_between(mut self, from: NaiveDate, to: NaiveDate) -> Self {
        self.created_at = Some((from, to));
        self
    }
    /// `operator`: adds a carrier.
    pub fn operator(mut self, operator: Carrier) -> Self {
        self.operator.push(operator);
        self
    }
    /// `sex` (stage filter 9.3 only): adds one.
    pub fn sex(mut self, sex: Sex) -> Self {
        self.sex.push(sex);
        self
    }
    setters! {
        /// `is_follow` (stage filter 9.3 only).
        fn is_follow(is_follow: bool);
        /// `ai_call` (stage filter 9.3 only).
        fn ai_call(ai_call: bool);
    }

    fn check(&self, origin: voxkit_core::Origin, stage: bool) -> Result<(), Error> {
        if let Some((from, to)) = self.created_at {
            if to < from {
                return Err(Error::invalid_input(
                    origin,
                    "created_at ends before it starts",
                ));
            }
        }
        if !stage && (!self.sex.is_empty() || self.is_follow.is_some() || self.ai_call.is_some()) {
            return Err(Error::invalid_input(
                origin,
                "sex, is_follow and ai_call filter a stage (客户公海(线索阶段)筛选) only",
            ));
        }
        for (key, value) in [("page", self.page), ("per_page", self.per_page)] {
            if let Some(n) = value {
                check::positive(origin, key, n.into())?;
            }
        }
        Ok(())
    }

    /// The filter as the list's query.
    fn query(
        &self,
        mut op: Operation,
        origin: voxkit_core::Origin,
        stage: bool,
    ) -> Result<Operation, Error> {
        self.check(origin, stage)?;
        op = op.query("page", self.page.unwrap_or(1).to_string());
        if let Some(n) = self.per_page {
            op = op.query("per_page", n.to_string());
        }
        for (i, c) in self.components.iter().enumerate() {
            op = op
                .query(format!("components[{i}][id]"), c.id.as_str())
                .query(format!("components[{i}][value]"), c.value.as_str());
        }
        for (key, value) in [
            ("phone", &self.phone),
            ("email", &self.email),
            ("company", &self.company),
        ] {
            if let Some(v) = value {
                op = op.query(key, v.as_str());
            }
        }
        if let Some((from, to)) = self.created_at {
            for day in [from, to] {
                op = op.query("created_at[]", day.format(dates::DATE_FORMAT).to_string());
            }
        }
        for o in &self.operator {
            op = op.query("operator[]", o.code().to_string());
        }
        for s in &self.sex {
            op = op.query("sex[]", s.code().to_string());
        }
        for (key, value) in [("is_follow", self.is_follow), ("ai_call", self.ai_call)] {
            if let Some(v) = value {
                op = op.query(key, u8::from(v).to_string());
            }
        }
        Ok(op.query("encryption", "false"))
    }

    /// The filter as 9.6's JSON body (the documented keys only: `components`, `phone`,
    /// `created_at`, `operator`, `encryption`).
    fn body(&self, origin: voxkit_core::Origin) -> Result<serde_json::Value, Error> {
        self.check(origin, false)?;
        if self.email.is_some() || self.company.is_some() || self.page.is_some() {
            return Err(Error::invalid_input(
                origin,
                "the move into a task filters by components, phone, created_at and operator only",
            ));
        }
        let mut body = serde_json::Map::new();
        if !self.components.is_empty() {
            body.insert("components".into(), json!(self.components));
        }
        if let Some(phone) = &self.phone {
            body.insert("phone".into(), json!(phone));
        }
        if let Some((from, to)) = self.created_at {
            body.insert(
                "created_at".into(),
                json!([
                    from.format(dates::DATE_FORMAT).to_string(),
                    to.format(dates::DATE_FORMAT).to_string()
                ]),
            );
        }
        if !self.operator.is_empty() {
            let codes: Vec<u8> = self.operator.iter().map(|o| o.code()).collect();
            body.insert("operator".into(), json!(codes));
        }
        body.insert("encryption".into(), json!(false));
        Ok(serde_json::Value::Object(body))
    }
}

/// One page of the pool: its `data` **kept raw** (the answer is not documented) and the
/// API-wide `meta` paginator when sent.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CustomerPage {
    /// The envelope's `data`, as sent.
    pub data: serde_json::Value,
    /// The paginator.
    pub meta: Option<Meta>,
}

impl CustomerPage {
    /// The rows when `data` is an array (a Laravel page's usual form); empty otherwise.
    pub fn items(&self) -> &[serde_json::Value] {
        self.data.as_array().map(Vec::as_slice).unwrap_or_default()
    }

    /// This page as core's [`Page`] of raw rows.
    pub fn into_page(self) -> Page<serde_json::Value> {
        let items = self.items().to_vec();
        Meta::page(self.meta, items, true)
    }
}

/// A row of 批量导入客户公海(异步): `phone` required, the rest optional, as the body example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCustomer {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    phone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sex: Option<Sex>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<ComponentValue>,
}

impl NewCustomer {
    /// A row with its phone (digits, sent as a string).
    pub fn new(phone: impl Into<String>) -> Self {
        NewCustomer {
            name: None,
            phone: phone.into(),
            company: None,
            email: None,
            sex: None,
            extra: None,
            components: Vec::new(),
        }
    }
    setters! {
        /// `name`.
        fn name(name: impl Into<String>).into();
        /// `company`.
        fn company(company: impl Into<String>).into();
        /// `email`.
        fn email(email: impl Into<String>).into();
        /// `sex`: `0`/`1`/`2`.
        fn sex(sex: Sex);
        /// `extra`: 备注.
        fn extra(extra: impl Into<String>).into();
    }
    /// `components`: adds a component's value.
    pub fn component(mut self, id: impl Into<String>, value: impl Into<String>) -> Self {
        self.components.push(ComponentValue {
            id: id.into(),
            value: value.into(),
        });
        self
    }
    /// The phone.
    pub fn phone(&self) -> &str {
        &self.phone
    }
}

#[derive(Serialize)]
struct ImportBody<'a> {
    data: &'a [NewCustomer],
    encryption: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_user_id: Option<&'a str>,
}

/// What 删除客户公海数据 deletes: phones (≤ 100) and/or a creation window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CustomerDeletion {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    phone: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_window")]
    created_at: Option<(NaiveDate, NaiveDate)>,
    encryption: bool,
}

fn ser_window<S: serde::Serializer>(
    window: &Option<(NaiveDate, NaiveDate)>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let days: Vec<String> = window
        .iter()
        .flat_map(|(a, b)| [*a, *b])
        .map(|d| d.format(dates::DATE_FORMAT).to_string())
        .collect();
    days.serialize(s)
}

impl CustomerDeletion {
    /// Deletes these phones.
    pub fn phones<I: IntoIterator<Item = S>, S: Into<String>>(phones: I) -> Self {
        CustomerDeletion {
            phone: phones.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }
    /// Deletes the customers created between these days (both included), with the phones
    /// if any.
    pub fn created_between(mut self, from: NaiveDate, to: NaiveDate) -> Self {
        self.created_at = Some((from, to));
        self
    }
}

paged_query! {
    CustomerFilter;
    /// `page`: from 1 (required by the API; 1 when not set).
    page;
    /// `per_page`: default 15.
    per_page;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_move_body_matches_the_docs_example() {
        let filter = CustomerFilter::new()
            .component("280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2", "腾讯")
            .phone("13012121212")
            .created_between(
                NaiveDate::from_ymd_opt(2023, 5, 8).unwrap(),
                NaiveDate::from_ymd_opt(2023, 5, 28).unwrap(),
            )
            .operator(Carrier::Telecom);
        let body = filter.body(CUSTOMERS_TO_TASK.origin()).unwrap();
        assert_eq!(
            body.to_string(),
            r#"{"components":[{"id":"280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2","value":"腾讯"}],"created_at":["2023-05-08","2023-05-28"],"encryption":false,"operator":[1],"phone":"13012121212"}"#
        );
        assert!(
            CustomerFilter::new()
                .company("x")
                .body(CUSTOMERS_TO_TASK.origin())
                .is_err()
        );
    }

    #[test]
    fn stage_filters_are_refused_on_the_whole_pool() {
        let f = CustomerFilter::new().is_follow(true);
        assert!(f.check(CUSTOMERS.origin(), false).is_err());
        assert!(f.check(CUSTOMERS.origin(), true).is_ok());
    }
}
