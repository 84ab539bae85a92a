//! 呼叫线路 (sections 1.9–1.12 of the notes): the partner's line inventory (线路列表),
//! allocating a line to a user (分配线路), removing an allocation (解除线路绑定用户) and
//! binding script groups to an allocation (线路绑定话术). Also the two shared pieces of the
//! outbound-call groups: the [`RawPage`] of a list whose items are not documented, and the
//! validated ids these groups use ([`LineId`], [`AllocationId`], [`TenantId`],
//! [`ScriptGroupId`]).
//!
//! No response of this group is documented (the pages end after the request tabs): every
//! answer is kept as raw JSON. The one documented fact about a list record, "分配记录 id 为线路
//! 列表记录中的 line_allocation.id", is what [`RawPage::allocation_ids`] reads, and what
//! [`Client::unbind_line_exactly_once`] reconciles by.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use futures_util::stream::{BoxStream, StreamExt};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Value, json};
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{
    Error, ExactlyOnceOutcome, Operation, Origin, Page, ReconcileWait, Verdict, check,
};

use crate::Client;
use crate::dates;
use crate::envelope::{Answer, Meta, Undocumented, raw_once_unreconcilable};
use crate::ids::UserId;
use crate::listing::{paged_query, paging, setters};

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as};

/// The 云节点 (cloud node) id of the line list's documented example.
#[cfg(any(test, feature = "test-util"))]
pub(crate) const DOCS_TENANT: &str = "2533f3f6-7ac1-4b55-b1de-7d308ce00d89";
/// A line id in the documented form (a UUID, as `caller_line_list[].line_id` of 任务初始化
/// shows; the allocate page's own example is not readable).
#[cfg(any(test, feature = "test-util"))]
pub(crate) const DOCS_LINE: &str = "29c39ec4-5a7e-4f0b-9d0e-1b2c3d4e5f60";
/// The allocation id of 解除线路绑定用户's and 线路绑定话术's examples.
#[cfg(any(test, feature = "test-util"))]
pub(crate) const DOCS_ALLOCATION: u64 = 11;
/// The allocation 线路绑定话术's example binds: the docs use 11 there too, but 11 is the one
/// 解除线路绑定用户's example removes, so binding uses a second allocation the sandbox seeds
/// (`voxkit_sandbox`'s `BIND_EXAMPLE_ALLOCATION`) and the examples run in any order.
#[cfg(any(test, feature = "test-util"))]
pub(crate) const BIND_EXAMPLE_ALLOCATION: u64 = 21;

group! {

    /// 线路列表: one page of the partner's lines on a cloud node.
    pub(crate) LINES {
        name: "lines",
        method: GET,
        path: "agent-api/new_line_list",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.lines(&LineQuery::new(DOCS_TENANT.parse()?)).await.map(drop),
        decode: |r| decode_as::<Value>(&LINES, r),
    }

    /// 分配线路. A second allocation of the same line would be a second record (or a
    /// refusal), so not repeatable; and nothing documented ties a record of the line list
    /// to the line it allocates (only `line_allocation.id` is documented), so a lost answer
    /// cannot be settled.
    pub(crate) ALLOCATE_LINE {
        name: "allocate_line",
        method: POST,
        path: "agent-api/new/user/{user_id}/line/{line_id}",
        idempotency: NotRepeatable,
        reconciliation: Impossible {
            why: "the allocate answer and the line list's records are undocumented except \
                  line_allocation.id, so no record can be tied to this request",
        },
        example: |c| {
            let allocation = LineAllocation::new(2, docs_deadline(), Decimal::new(1, 1))?;
            c.allocate_line(&DOCS_USER.parse()?, &DOCS_LINE.parse()?, &allocation).await.map(drop)
        },
        decode: |r| decode_as::<Value>(&ALLOCATE_LINE, r),
        exactly_once: |c| {
            let allocation = LineAllocation::new(2, docs_deadline(), Decimal::new(1, 1))?;
            c.allocate_line_exactly_once(&DOCS_USER.parse()?, &DOCS_LINE.parse()?, &allocation).await
        },
        // The seed allocates other lines to the docs user, not this one.
        applied: |c| {
            let query = LineQuery::new(DOCS_TENANT.parse()?).user(DOCS_USER.parse()?);
            let page = c.lines(&query).await?;
            Ok(page.items().unwrap_or_default().iter().filter(|l| l["id"] == DOCS_LINE).count())
        },
    }

    /// 解除线路绑定用户. Settled by the line list: the allocation id is gone from every
    /// record's `line_allocation.id`.
    pub(crate) UNBIND_LINE {
        name: "unbind_line",
        method: DELETE,
        path: "agent-api/new/user/{user_id}/line/{id}",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "lines",
            how: "no record of the user's line list carries the id as line_allocation.id",
        },
        example: |c| c.unbind_line(&DOCS_USER.parse()?, AllocationId::new(DOCS_ALLOCATION)?).await.map(drop),
        decode: |r| decode_as::<Value>(&UNBIND_LINE, r),
        exactly_once: |c| {
            let (user, tenant) = (DOCS_USER.parse()?, DOCS_TENANT.parse()?);
            c.unbind_line_exactly_once(&user, &tenant, AllocationId::new(DOCS_ALLOCATION)?, &voxkit_core::test_util::FAST_RECONCILE).await
        },
        applied: |c| {
            let query = LineQuery::new(DOCS_TENANT.parse()?).user(DOCS_USER.parse()?);
            Ok(usize::from(!c.lines(&query).await?.allocation_ids().contains(&DOCS_ALLOCATION)))
        },
    }

    /// 线路绑定话术: sets the allocation's script groups to the list sent, an absolute
    /// value, so repeatable.
    pub(crate) BIND_LINE_SCRIPTS {
        name: "bind_line_scripts",
        method: PUT,
        path: "agent-api/new/user/{user_id}/line_bind_group",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            let groups = [ScriptGroupId::new(1)?, ScriptGroupId::new(2)?];
            c.bind_line_scripts(&DOCS_USER.parse()?, AllocationId::new(BIND_EXAMPLE_ALLOCATION)?, &groups)
                .await
                .map(drop)
        },
        decode: |r| decode_as::<Value>(&BIND_LINE_SCRIPTS, r),
    }
}

/// The example's `deadline_at`, `2025-11-28 00:00:00`.
#[cfg(any(test, feature = "test-util"))]
fn docs_deadline() -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2025, 11, 28)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// The page size of the line list when none is asked for (the API's usual 15).
pub const DEFAULT_LINES_PER_PAGE: u32 = 15;

impl Client {
    /// One page of the partner's lines on a cloud node (线路列表):
    /// `GET /agent-api/new_line_list?id=..&page=..&per_page=..&user_id=..`.
    ///
    /// The records are not documented: the page is a [`RawPage`]. Repeatable. Every page:
    /// [`Client::lines_all`].
    pub async fn lines(&self, query: &LineQuery) -> Result<RawPage, Error> {
        let origin = LINES.origin();
        let mut op = Operation::of(&LINES, &[])?.query("id", query.tenant.as_str());
        op = paging(op, origin, query.page, query.per_page)?;
        if let Some(user) = &query.user {
            op = op.query("user_id", user.as_str());
        }
        self.raw_page(&LINES, &op).await
    }

    /// Every line of `query` (its own page replaced), page after page, with core's paging
    /// guards (see [`Client::sub_accounts_all`]). Each item is a record as sent.
    pub fn lines_all(&self, query: &LineQuery) -> BoxStream<'static, Result<Value, Error>> {
        let key = |item: &Value| item.to_string();
        self.every_page(&LINES, query, DEFAULT_LINES_PER_PAGE, key, (), |client, (), query| async move {
            client.lines(&query).await?.into_page(LINES.origin())
        })
    }

    /// Allocates a line to a user (分配线路):
    /// `POST /agent-api/new/user/{user_id}/line/{line_id}` with
    /// `{"line_concurrency", "deadline_at", "price"}`.
    ///
    /// **Not repeatable** and **cannot be reconciled** (see [`LineAllocation`]): a lost
    /// answer is [`Error::OutcomeUnknown`]; look at the line list before allocating again.
    /// The answer is not documented: kept as raw JSON.
    pub async fn allocate_line(
        &self,
        user: &UserId,
        line: &LineId,
        allocation: &LineAllocation,
    ) -> Result<Undocumented, Error> {
        let op = Operation::of(&ALLOCATE_LINE, &[user.as_str(), line.as_str()])?
            .json(ALLOCATE_LINE.origin(), allocation)?;
        self.undocumented(&ALLOCATE_LINE, &op).await
    }

    /// [`Client::allocate_line`] under the exactly-once contract: sent once; a lost answer
    /// is [`ExactlyOnceOutcome::Undetermined`] with the declaration's reason, never a
    /// second request. Offered so that "cannot be reconciled" is handled in the same
    /// `match` as the other outcomes.
    pub async fn allocate_line_exactly_once(
        &self,
        user: &UserId,
        line: &LineId,
        allocation: &LineAllocation,
    ) -> Result<ExactlyOnceOutcome, Error> {
        raw_once_unreconcilable(&ALLOCATE_LINE, || {
            self.allocate_line(user, line, allocation)
        })
        .await
    }

    /// Removes a line allocation from a user (解除线路绑定用户):
    /// `DELETE /agent-api/new/user/{user_id}/line/{id}`, `id` the allocation record's id
    /// (`line_allocation.id` of the line list).
    ///
    /// **Not repeatable**: a resend after a lost answer would report an error for an
    /// allocation that was in fact removed. Settle it with
    /// [`Client::unbind_line_exactly_once`]. The answer is not documented: raw JSON.
    pub async fn unbind_line(
        &self,
        user: &UserId,
        allocation: AllocationId,
    ) -> Result<Undocumented, Error> {
        let id = allocation.get().to_string();
        let op = Operation::of(&UNBIND_LINE, &[user.as_str(), id.as_str()])?;
        self.undocumented(&UNBIND_LINE, &op).await
    }

    /// Whether removing `allocation` was applied, from the user's line list on `tenant`
    /// (every page): the id in no record's `line_allocation.id` → [`Verdict::Applied`];
    /// present → [`Verdict::NotApplied`]; a list that cannot be read in full (an error, a
    /// `data` that is not an array, core's page cap reached) →
    /// [`Verdict::Undetermined`]. Only reads.
    pub async fn reconcile_unbind_line(
        &self,
        user: &UserId,
        tenant: &TenantId,
        allocation: AllocationId,
    ) -> Verdict {
        match self.allocation_listed(user, tenant, allocation).await {
            Ok(false) => Verdict::Applied(json!({ "unbound": allocation.get() })),
            Ok(true) => Verdict::NotApplied,
            Err(e) => {
                Verdict::Undetermined(format!("the line list could not be read in full: {e}"))
            }
        }
    }

    /// [`Client::unbind_line`] exactly once. The line list is read first: an allocation it
    /// does not show is refused ([`Error::InvalidInput`], nothing sent), since "gone
    /// afterwards" proves the removal only for one that was there. A lost answer is
    /// settled with [`Client::reconcile_unbind_line`] and the same request re-sent once
    /// only while the allocation is still listed.
    pub async fn unbind_line_exactly_once(
        &self,
        user: &UserId,
        tenant: &TenantId,
        allocation: AllocationId,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        if !self.allocation_listed(user, tenant, allocation).await? {
            return Err(Error::invalid_input(
                UNBIND_LINE.origin(),
                format!(
                    "allocation {} is not in the user's line list, so its removal could not \
                     be reconciled",
                    allocation.get()
                ),
            ));
        }
        run_exactly_once(
            None,
            wait,
            || async {
                let done = self.unbind_line(user, allocation).await?;
                Ok(json!({ "message": done.message, "unbound": allocation.get() }))
            },
            || self.reconcile_unbind_line(user, tenant, allocation),
        )
        .await
    }

    /// Whether any record of `user`'s line list on `tenant` carries `allocation`.
    async fn allocation_listed(
        &self,
        user: &UserId,
        tenant: &TenantId,
        allocation: AllocationId,
    ) -> Result<bool, Error> {
        let query = LineQuery::new(tenant.clone())
            .user(user.clone())
            .per_page(DEFAULT_LINES_PER_PAGE);
        let mut lines = self.lines_all(&query);
        while let Some(item) = lines.next().await {
            if allocation_ids(&item?).contains(&allocation.get()) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Binds script groups to a line allocation (线路绑定话术):
    /// `PUT /agent-api/new/user/{user_id}/line_bind_group` with `{"id", "group_ids"}`.
    ///
    /// `user` is the main account (主账户): "该接口目前只支持主账户线路绑定话术组". Refused before
    /// sending: no group, or a group twice. Repeatable: the list sent is the allocation's
    /// groups (an absolute value). The answer is not documented: raw JSON.
    pub async fn bind_line_scripts(
        &self,
        user: &UserId,
        allocation: AllocationId,
        groups: &[ScriptGroupId],
    ) -> Result<Undocumented, Error> {
        let origin = BIND_LINE_SCRIPTS.origin();
        if groups.is_empty() {
            return Err(Error::invalid_input(
                origin,
                "group_ids: at least one script group",
            ));
        }
        check::unique(origin, "group_ids", groups)?;
        let op = Operation::of(&BIND_LINE_SCRIPTS, &[user.as_str()])?.json(
            origin,
            &json!({ "id": allocation.get(), "group_ids": groups }),
        )?;
        self.undocumented(&BIND_LINE_SCRIPTS, &op).await
    }

    /// Sends `op` and keeps the answer as a [`RawPage`].
    pub(crate) async fn raw_page(
        &self,
        spec: &'static voxkit_core::OperationSpec,
        op: &Operation,
    ) -> Result<RawPage, Error> {
        let ok: Answer<Value> = self.call(spec, op).await?;
        Ok(RawPage {
            message: ok.message,
            data: ok.data,
            meta: ok.meta,
        })
    }
}

/// Every `line_allocation.id` in `value`, at any depth (the record layout is not
/// documented, only that a record carries `line_allocation.id`).
fn allocation_ids(value: &Value) -> Vec<u64> {
    let mut found = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let Some(id) = map.get("line_allocation").and_then(|a| a.get("id")) {
                    if let Some(n) = id
                        .as_u64()
                        .or_else(|| id.as_str().and_then(|s| s.parse().ok()))
                    {
                        found.push(n);
                    }
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    found
}

/// One page of a list whose records the documentation does not show (线路列表, 话术分组,
/// 呼叫时间组列表, 查询vos话单列表): the envelope's message, its `data` **as sent**, and the
/// `meta` paginator when the server sends one. No record field is assumed; the accessors
/// read only what is documented.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RawPage {
    /// The envelope's `message`, as sent.
    pub message: String,
    /// The envelope's `data`, as sent (expected to be the array of records).
    pub data: Value,
    /// The Laravel paginator, if sent.
    pub meta: Option<Meta>,
}

impl RawPage {
    /// The records, when `data` is an array (`None` otherwise).
    pub fn items(&self) -> Option<&[Value]> {
        self.data.as_array().map(Vec::as_slice)
    }

    /// Every `line_allocation.id` on this page: the allocation ids that
    /// [`Client::unbind_line`] and [`Client::bind_line_scripts`] take (the one field of
    /// the line list the documentation names).
    pub fn allocation_ids(&self) -> Vec<u64> {
        allocation_ids(&self.data)
    }

    /// This page as core's [`Page`] of raw records, for walking every page; a `data` that
    /// is not an array is an [`Error::Decode`] (the list cannot be walked).
    pub fn into_page(self, origin: Origin) -> Result<Page<Value>, Error> {
        match self.data {
            Value::Array(items) => Ok(Meta::page(self.meta, items, true)),
            other => Err(Error::Decode {
                origin,
                message: format!(
                    "the list's data is not an array but {}",
                    match other {
                        Value::Object(_) => "an object",
                        Value::Null => "null",
                        _ => "a scalar",
                    }
                ),
                excerpt: String::new(),
            }),
        }
    }
}

/// Filters of the line list (线路列表). `id` (the cloud node, 云节点 ID) is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineQuery {
    tenant: TenantId,
    page: Option<u32>,
    per_page: Option<u32>,
    user: Option<UserId>,
}

impl LineQuery {
    /// The lines of cloud node `tenant` (`id`, 是), first page.
    pub fn new(tenant: TenantId) -> Self {
        LineQuery {
            tenant,
            page: None,
            per_page: None,
            user: None,
        }
    }

    setters! {
        /// `user_id`: only the lines of this user (所属用户 ID).
        fn user(user: UserId);
    }
}

/// The body of 分配线路: `{"line_concurrency": 2, "deadline_at": "2025-11-28 00:00:00",
/// "price": 0.1}`. The concurrency is checked positive before sending; the price is sent
/// as a JSON number (the table's `double`), kept exact as a [`Decimal`] here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineAllocation {
    line_concurrency: u32,
    #[serde(serialize_with = "dates::ser")]
    deadline_at: NaiveDateTime,
    #[serde(serialize_with = "decimal_number")]
    price: Decimal,
}

impl LineAllocation {
    /// `line_concurrency` (并发, at least 1), `deadline_at` (到期时间, server local time) and
    /// `price` (价格, not negative; the unit is not documented).
    pub fn new(
        concurrency: u32,
        deadline_at: NaiveDateTime,
        price: Decimal,
    ) -> Result<Self, Error> {
        let origin = ALLOCATE_LINE.origin();
        check::positive(origin, "line_concurrency", concurrency.into())?;
        if price.is_sign_negative() {
            return Err(Error::invalid_input(origin, "price: not negative"));
        }
        Ok(LineAllocation {
            line_concurrency: concurrency,
            deadline_at,
            price,
        })
    }
}

/// A decimal as a JSON number (not the string rust_decimal's serde writes).
fn decimal_number<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    let number: serde_json::Number = value
        .normalize()
        .to_string()
        .parse()
        .map_err(serde::ser::Error::custom)?;
    number.serialize(s)
}

/// Declares a positive integer id of these groups.
macro_rules! int_newtype {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(u64);

        impl $name {
            /// Wraps `id`; `0` is [`Error::InvalidInput`] (the ids start at 1).
            pub fn new(id: u64) -> Result<Self, Error> {
                check::positive(Origin::new($crate::PROVIDER, "parse id"), $what, id)?;
                Ok($name(id))
            }

            /// The id as a number.
            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                let n = s.trim().parse::<u64>().map_err(|_| {
                    Error::invalid_input(
                        Origin::new($crate::PROVIDER, "parse id"),
                        format!(concat!("{:?} is not a ", $what, " (a positive integer)"), s),
                    )
                })?;
                Self::new(n)
            }
        }
    };
}

crate::ids::uuid_id!(
    /// A line (线路) id, a UUID (`caller_line_list[].line_id` of 任务初始化): the
    /// `{line_id}` of 分配线路.
    LineId,
    "line id"
);

crate::ids::uuid_id!(
    /// A cloud node (云节点) id, a UUID (`2533f3f6-7ac1-4b55-b1de-7d308ce00d89`): the `id` of
    /// the line list and the `{tenant_id}` of 查看下级用户所有话术.
    TenantId,
    "cloud node id"
);

int_newtype!(
    /// A line allocation record's id (分配记录 id, an integer, e.g. `11`): the line list's
    /// `line_allocation.id`, the `{id}` of 解除线路绑定用户 and the `id` of 线路绑定话术.
    AllocationId,
    "allocation id"
);

int_newtype!(
    /// A script group (话术组) id, an integer (`group_ids: [1, 2]`).
    ScriptGroupId,
    "script group id"
);

paged_query! {
    LineQuery;
    /// `page`: 页码, from 1.
    page;
    /// `per_page`: 页容量.
    per_page;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_ids_are_found_at_any_depth_and_in_either_form() {
        let data = json!([
            {"name": "a", "line_allocation": {"id": 11}},
            {"name": "b", "line_allocation": {"id": "12"}},
            {"name": "c", "line_allocation": null},
            {"nested": {"line_allocation": {"id": 13}}}
        ]);
        let mut ids = allocation_ids(&data);
        ids.sort_unstable();
        assert_eq!(ids, [11, 12, 13]);
    }

    #[test]
    fn the_allocation_body_is_the_docs_example_with_the_price_a_number() {
        let a = LineAllocation::new(2, docs_deadline(), Decimal::new(10, 2)).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"line_concurrency":2,"deadline_at":"2025-11-28 00:00:00","price":0.1}"#
        );
        assert!(LineAllocation::new(0, docs_deadline(), Decimal::ONE).is_err());
        assert!(LineAllocation::new(1, docs_deadline(), Decimal::NEGATIVE_ONE).is_err());
    }

    #[test]
    fn ids_are_checked() {
        assert!("../x".parse::<LineId>().is_err());
        assert!(DOCS_TENANT.parse::<TenantId>().is_ok());
        assert!("0".parse::<AllocationId>().is_err());
        assert!("1/2".parse::<AllocationId>().is_err());
        assert_eq!("11".parse::<AllocationId>().unwrap().get(), 11);
    }
}
