//! 其他 / 查询账单 (sections 1.5 and 1.6 of the notes): the user's VOS account overview
//! (用户VOS账户概况) and its VOS call detail records (查询vos话单列表). VOS is the softswitch the
//! platform bills calls on; a user has one or more VOS accounts.
//!
//! Neither answer is documented (the pages end after the request tabs): both are kept as
//! raw JSON ([`Undocumented`]), no field assumed.

use chrono::NaiveDate;
use voxkit_core::{Error, Operation, check};

use crate::Client;
use crate::envelope::Undocumented;
use crate::ids::UserId;
use crate::listing::setters;

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as, serde_json::Value};

group! {

    /// 用户VOS账户概况. Note the path order: `/vos_bill/{user_id}`, not `/user/{user_id}/…`.
    pub(crate) VOS_OVERVIEW {
        name: "vos_overview",
        method: GET,
        path: "agent-api/vos_bill/{user_id}",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.vos_overview(&DOCS_USER.parse()?, VosScope::All).await.map(drop),
        decode: |r| decode_as::<Value>(&VOS_OVERVIEW, r),
    }

    /// 查询vos话单列表.
    pub(crate) VOS_CDRS {
        name: "vos_cdrs",
        method: GET,
        path: "agent-api/vos/{user_id}/get_call_record",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            let day = NaiveDate::from_ymd_opt(2022, 12, 1).unwrap_or_default();
            c.vos_cdrs(&DOCS_USER.parse()?, &VosCdrQuery::new().day(day)).await.map(drop)
        },
        decode: |r| decode_as::<Value>(&VOS_CDRS, r),
    }
}

/// Which VOS accounts [`Client::vos_overview`] reads: the query's `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VosScope {
    /// `all=false` (the server's default): the first account only (获取第一个账户信息).
    #[default]
    First,
    /// `all=true`: every account (获取所有账户概况).
    All,
}

impl VosScope {
    /// The value sent: `"true"` or `"false"` (the table's example writes `TRUE`, the URL
    /// example `all=true`; the lowercase JSON form is sent).
    pub fn as_str(self) -> &'static str {
        match self {
            VosScope::First => "false",
            VosScope::All => "true",
        }
    }
}

impl Client {
    /// The user's VOS account overview (用户VOS账户概况): `GET /agent-api/vos_bill/{user_id}?all=..`.
    ///
    /// The answer's fields are not documented: [`VosOverview`] keeps `data` as sent.
    /// Repeatable.
    pub async fn vos_overview(&self, user: &UserId, scope: VosScope) -> Result<VosOverview, Error> {
        let op = Operation::of(&VOS_OVERVIEW, &[user.as_str()])?.query("all", scope.as_str());
        self.undocumented(&VOS_OVERVIEW, &op).await
    }

    /// The user's VOS call detail records (查询vos话单列表):
    /// `GET /agent-api/vos/{user_id}/get_call_record?time=..&phone=..&callee_phone=..&vos_account_id=..`.
    ///
    /// Every filter is optional: the day defaults to yesterday, the account to the first.
    /// The list is not paged in the documentation and its records are not documented:
    /// [`VosCdrs`] keeps `data` as sent. Refused before sending: a phone that is not 1–20
    /// digits, an account id of 0. Repeatable.
    pub async fn vos_cdrs(&self, user: &UserId, query: &VosCdrQuery) -> Result<VosCdrs, Error> {
        let origin = VOS_CDRS.origin();
        let mut op = Operation::of(&VOS_CDRS, &[user.as_str()])?;
        if let Some(day) = query.day {
            op = op.query("time", day.format("%Y-%m-%d").to_string());
        }
        for (key, value) in [("phone", &query.phone), ("callee_phone", &query.callee)] {
            if let Some(value) = value {
                check::digits(origin, key, value, 1, 20)?;
                op = op.query(key, value.as_str());
            }
        }
        if let Some(account) = query.vos_account_id {
            check::positive(origin, "vos_account_id", account)?;
            op = op.query("vos_account_id", account.to_string());
        }
        self.undocumented(&VOS_CDRS, &op).await
    }
}

/// The VOS account overview (`GET /agent-api/vos_bill/{user_id}`). Its fields are **not
/// documented**; the `data` is kept as sent.
pub type VosOverview = Undocumented;

/// The VOS call detail records (`GET /agent-api/vos/{user_id}/get_call_record`). Their
/// fields are **not documented**; the `data` is kept as sent.
pub type VosCdrs = Undocumented;

/// Filters of the VOS record list. All optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VosCdrQuery {
    day: Option<NaiveDate>,
    phone: Option<String>,
    callee: Option<String>,
    vos_account_id: Option<u64>,
}

impl VosCdrQuery {
    /// No filter: yesterday's records of the first VOS account.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// `time`: the day (`YYYY-MM-DD`; the server's default is the day before).
        fn day(day: NaiveDate);
        /// `phone`: the calling number (主叫), digits.
        fn phone(phone: impl Into<String>).into();
        /// `callee_phone`: the called number (被叫), digits.
        fn callee(callee: impl Into<String>).into();
        /// `vos_account_id`: which VOS account (an integer; the first when not given).
        fn vos_account_id(vos_account_id: u64);
    }
}
