//! Request and response types, with the documentation's field descriptions.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use voxkit_core::{ExposeSecret, SecretString};

use crate::de;
use crate::ids::{SubUserId, UserId};

/// The longest date range the recharge history accepts: "时间跨度不可超过30天".
pub const MAX_HISTORY_SPAN_DAYS: i64 = 30;

/// A successful answer whose `data` carries nothing (`"data": []`): the envelope's
/// `message`, e.g. `"AI外呼扣款操作成功"`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Ack {
    /// The envelope's `message` (中文说明), as sent.
    pub message: String,
}

/// Which way a balance movement goes: the `type` of 外呼充值 (`1` 充值, `2` 扣费).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `type: 1`, 充值: adds to the balance.
    Recharge,
    /// `type: 2`, 扣费: subtracts from the balance.
    Deduct,
}

impl Direction {
    /// The documented `type` value.
    pub fn code(self) -> u8 {
        match self {
            Direction::Recharge => 1,
            Direction::Deduct => 2,
        }
    }
}

/// The body of `PUT /agent-api/user/{user_id}/recharge`.
///
/// The example sends `{"amount": 100, "type": 1, "remark": "API-外呼充值"}`; `type` is
/// always sent (its documented default is 1), `remark` only when given.
#[derive(Serialize)]
pub(crate) struct RechargeBody<'a> {
    pub amount: u64,
    #[serde(rename = "type")]
    pub kind: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<&'a str>,
}

/// The body of `PUT /agent-api/user/{user_id}/expire_time`: `{"expire_time": "2024-08-17"}`.
#[derive(Serialize)]
pub(crate) struct ExpiryBody {
    #[serde(serialize_with = "de::ser_date")]
    pub expire_time: NaiveDate,
}

/// Filters of the recharge history (`GET /agent-api/user/{user_id}/bill_recharge_record`).
///
/// Without a range the server returns the last 7 days ("不传递,默认传递近7天范围数据"). A range
/// may span at most [`MAX_HISTORY_SPAN_DAYS`] days; a longer one, a reversed one and page
/// 0 are refused before anything is sent.
///
/// ```
/// use chrono::NaiveDate;
/// use voxkit_longlonglong::RechargeHistoryQuery;
/// let may = |d| NaiveDate::from_ymd_opt(2023, 5, d).unwrap();
/// let query = RechargeHistoryQuery::new().between(may(8), may(28)).page(2);
/// # let _ = query;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RechargeHistoryQuery {
    pub(crate) range: Option<(NaiveDate, NaiveDate)>,
    pub(crate) page: Option<u32>,
}

impl RechargeHistoryQuery {
    /// No filter: the last 7 days, first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records from `from` to `to`, both included: sent as
    /// `date[]=YYYY-MM-DD&date[]=YYYY-MM-DD`.
    pub fn between(mut self, from: NaiveDate, to: NaiveDate) -> Self {
        self.range = Some((from, to));
        self
    }

    /// The page (页码), from 1.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }
}

/// What a recharge-history row records: its `type`, which the API sends as a Chinese label
/// (`"充值"`), not as the `1`/`2` of the recharge request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordKind {
    /// `"充值"`: a recharge (the label in the documented example).
    Recharge,
    /// `"扣费"`: a deduction (the label the recharge API gives `type: 2`; no history example
    /// shows it).
    Deduct,
    /// Any other label, as sent.
    Other(String),
}

impl RecordKind {
    /// The label as sent.
    pub fn label(&self) -> &str {
        match self {
            RecordKind::Recharge => "充值",
            RecordKind::Deduct => "扣费",
            RecordKind::Other(label) => label,
        }
    }

    fn from_label(label: String) -> Self {
        match label.as_str() {
            "充值" => RecordKind::Recharge,
            "扣费" => RecordKind::Deduct,
            _ => RecordKind::Other(label),
        }
    }
}

impl<'de> Deserialize<'de> for RecordKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(RecordKind::from_label)
    }
}

impl Serialize for RecordKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// One row of the recharge history (充值记录).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct RechargeRecord {
    /// `id`: the record's id.
    pub id: u64,
    /// `user_id`: the account the movement was made on.
    pub user_id: UserId,
    /// `amounts`: 充值金额, the amount moved (a number in the example; decoded exactly).
    pub amounts: Decimal,
    /// `balance`: 账户余额, the balance after the movement.
    pub balance: Decimal,
    /// `remark`: 备注, the remark given with the movement, if any.
    #[serde(default)]
    pub remark: Option<String>,
    /// `created_at`: 充值时间, in the server's local time (`"2023-10-18 10:09:20"`; the zone
    /// is not documented).
    #[serde(deserialize_with = "de::datetime", serialize_with = "ser_datetime")]
    pub created_at: NaiveDateTime,
    /// `updated_at`, like `created_at`.
    #[serde(
        default,
        deserialize_with = "de::opt_datetime",
        serialize_with = "ser_opt_datetime"
    )]
    pub updated_at: Option<NaiveDateTime>,
    /// `type`: what the movement was, as a label (`"充值"`).
    #[serde(rename = "type")]
    pub kind: RecordKind,
}

/// The recharge history: `data` (the rows), and the `meta` paginator block should the
/// server send one (the documented example has none).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RechargeHistory {
    /// The rows of this page.
    pub records: Vec<RechargeRecord>,
    /// The paginator, if the server sent one.
    pub meta: Option<Meta>,
}

/// The Laravel-style paginator block of list answers:
/// `{"has_pages": true, "total": 31, "last_page": 31, "current_page": 1, "per_page": "1"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Meta {
    /// `has_pages`: whether there is more than one page (是否需要分页).
    #[serde(default)]
    pub has_pages: bool,
    /// `total`: how many items there are (共多少项).
    #[serde(deserialize_with = "de::u64_lenient")]
    pub total: u64,
    /// `last_page`: the last page number (最后页码).
    #[serde(deserialize_with = "de::u64_lenient")]
    pub last_page: u64,
    /// `current_page`: this page's number (当前页码).
    #[serde(deserialize_with = "de::u64_lenient")]
    pub current_page: u64,
    /// `per_page`: the page size (页容量). The API sends it as a string (`"1"`) while the
    /// other fields are numbers; both forms are accepted.
    #[serde(deserialize_with = "de::u64_lenient")]
    pub per_page: u64,
}

/// 性别: sent and received as `0`, `1`, `2` (the create table types it "String", but its
/// example and every response use the integer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Sex {
    /// `0`: 未知.
    #[default]
    Unknown,
    /// `1`: 男.
    Male,
    /// `2`: 女.
    Female,
}

impl Sex {
    /// The documented code.
    pub fn code(self) -> u8 {
        match self {
            Sex::Unknown => 0,
            Sex::Male => 1,
            Sex::Female => 2,
        }
    }

    /// The sex of a documented code.
    pub fn from_code(code: u64) -> Option<Sex> {
        match code {
            0 => Some(Sex::Unknown),
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            _ => None,
        }
    }
}

impl Serialize for Sex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for Sex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = de::u64_lenient(d)?;
        Sex::from_code(code).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Unsigned(code),
                &"0 (unknown), 1 (male) or 2 (female)",
            )
        })
    }
}

/// A new sub-account (子账户注册, `POST /agent-api/user/{user_id}/subset_users`).
///
/// The password is given once and sent as both `password` and `password_confirmation`; it
/// is a secret: `Debug` shows `[redacted]` and nothing logs it. The phone is sent as a
/// string, as the example does (the table types it `int`). The optional fields go in the
/// nested `subset_data` object, which is left out when none is set.
///
/// ```
/// use chrono::NaiveDate;
/// use voxkit_longlonglong::{NewSubAccount, Sex};
/// let account = NewSubAccount::new("子账户1", "12345678@qq.com", "12345678", "a-password")
///     .alias("账号1")
///     .birthday(NaiveDate::from_ymd_opt(2022, 7, 13).unwrap())
///     .sex(Sex::Unknown);
/// assert!(!format!("{account:?}").contains("a-password"));
/// ```
#[derive(Clone)]
pub struct NewSubAccount {
    pub(crate) account: AccountFields,
    pub(crate) profile: Profile,
}

/// What a sub-account and an end user both need: name, email, phone and the password,
/// checked the same way and sent as the same five JSON fields.
#[derive(Clone)]
pub(crate) struct AccountFields {
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    pub(crate) password: SecretString,
}

impl AccountFields {
    fn new(
        name: impl Into<String>,
        email: impl Into<String>,
        phone: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        AccountFields {
            name: name.into(),
            email: email.into(),
            phone: phone.into(),
            password: password.into(),
        }
    }

    /// The five fields in the documented order, the password sent twice.
    fn wire(&self) -> AccountWire<'_> {
        let password = self.password.expose_secret();
        AccountWire {
            name: &self.name,
            email: &self.email,
            phone: &self.phone,
            password,
            password_confirmation: password,
        }
    }
}

impl fmt::Debug for AccountFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountFields")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("phone", &self.phone)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// The wire form of [`AccountFields`].
#[derive(Serialize)]
pub(crate) struct AccountWire<'a> {
    name: &'a str,
    email: &'a str,
    phone: &'a str,
    password: &'a str,
    password_confirmation: &'a str,
}

/// `subset_data`: 其他信息.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Profile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "de::ser_opt_date"
    )]
    pub birthday: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duty: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wechat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qq: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landline_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
}

impl Profile {
    fn is_empty(&self) -> bool {
        *self == Profile::default()
    }
}

impl NewSubAccount {
    /// The required fields: `name` (账户名), `email` (邮箱), `phone` (手机号码, digits) and the
    /// password (密码).
    pub fn new(
        name: impl Into<String>,
        email: impl Into<String>,
        phone: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        NewSubAccount {
            account: AccountFields::new(name, email, phone, password),
            profile: Profile::default(),
        }
    }

    /// `subset_data.alias`: 别名.
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.profile.alias = Some(alias.into());
        self
    }

    /// `subset_data.birthday`: 生日, sent as `YYYY-MM-DD`.
    pub fn birthday(mut self, birthday: NaiveDate) -> Self {
        self.profile.birthday = Some(birthday);
        self
    }

    /// `subset_data.duty`: 职位.
    pub fn duty(mut self, duty: impl Into<String>) -> Self {
        self.profile.duty = Some(duty.into());
        self
    }

    /// `subset_data.wechat`: 微信.
    pub fn wechat(mut self, wechat: impl Into<String>) -> Self {
        self.profile.wechat = Some(wechat.into());
        self
    }

    /// `subset_data.qq`: the QQ number (the table lost this row's name and description;
    /// the example sends `"qq": "123456"`).
    pub fn qq(mut self, qq: impl Into<String>) -> Self {
        self.profile.qq = Some(qq.into());
        self
    }

    /// `subset_data.landline_phone`: 座机, e.g. `010-123132`.
    pub fn landline_phone(mut self, landline_phone: impl Into<String>) -> Self {
        self.profile.landline_phone = Some(landline_phone.into());
        self
    }

    /// `subset_data.sex`: 性别, sent as `0`/`1`/`2`.
    pub fn sex(mut self, sex: Sex) -> Self {
        self.profile.sex = Some(sex);
        self
    }

    /// The account name.
    pub fn name(&self) -> &str {
        &self.account.name
    }

    /// The email.
    pub fn email(&self) -> &str {
        &self.account.email
    }

    /// The phone.
    pub fn phone(&self) -> &str {
        &self.account.phone
    }

    pub(crate) fn body(&self) -> SubAccountBody<'_> {
        SubAccountBody {
            account: self.account.wire(),
            subset_data: (!self.profile.is_empty()).then_some(&self.profile),
        }
    }
}

impl fmt::Debug for NewSubAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSubAccount")
            .field("account", &self.account)
            .field("profile", &self.profile)
            .finish()
    }
}

/// The wire form of [`NewSubAccount`], in the example's key order.
#[derive(Serialize)]
pub(crate) struct SubAccountBody<'a> {
    #[serde(flatten)]
    account: AccountWire<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subset_data: Option<&'a Profile>,
}

/// A new end user (用户注册, `POST /users`): `name`, `email`, `phone` (sent as a string),
/// the password (sent as `password` and `password_confirmation`, never printed) and the
/// optional `tenant_id` (云节点id; "不填加入系统默认云节点", left out joins the default cloud
/// node).
#[derive(Clone)]
pub struct NewUser {
    pub(crate) account: AccountFields,
    pub(crate) tenant_id: Option<String>,
}

impl NewUser {
    /// The required fields.
    pub fn new(
        name: impl Into<String>,
        email: impl Into<String>,
        phone: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        NewUser {
            account: AccountFields::new(name, email, phone, password),
            tenant_id: None,
        }
    }

    /// `tenant_id`: the cloud node (云节点) to join; without it the system default.
    pub fn tenant_id(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
        self
    }

    pub(crate) fn body(&self) -> UserBody<'_> {
        UserBody {
            account: self.account.wire(),
            tenant_id: self.tenant_id.as_deref(),
        }
    }
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("account", &self.account)
            .field("tenant_id", &self.tenant_id)
            .finish()
    }
}

/// The wire form of [`NewUser`].
#[derive(Serialize)]
pub(crate) struct UserBody<'a> {
    #[serde(flatten)]
    account: AccountWire<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant_id: Option<&'a str>,
}

/// A sub-account as the API returns it.
///
/// The read answer (子账户编辑) documents a flat object: `id`, `name`, `phone`, `email`,
/// `sex`, `alias`, `duty`, `landline_phone`, `qq`, `wechat`, `birthday`, `created_at`,
/// `updated_at` — the profile fields are *not* nested under `subset_data` as in the create
/// request. The create answer documents only `id`, `name`, `email`, `phone`, and the list's
/// items are not documented at all; so every field but `id` is optional here, and fields
/// outside this list are kept in [`SubAccount::extra`] rather than dropped.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct SubAccount {
    /// `id`: the sub-account's id, the `sub_user_id` of the other sub-account calls.
    pub id: SubUserId,
    /// `name`: 账户名.
    #[serde(default)]
    pub name: Option<String>,
    /// `phone`: 手机号码 (a string in every answer).
    #[serde(default)]
    pub phone: Option<String>,
    /// `email`: 邮箱.
    #[serde(default)]
    pub email: Option<String>,
    /// `sex`: 性别.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// `alias`: 别名.
    #[serde(default)]
    pub alias: Option<String>,
    /// `duty`: 职位.
    #[serde(default)]
    pub duty: Option<String>,
    /// `landline_phone`: 座机.
    #[serde(default)]
    pub landline_phone: Option<String>,
    /// `qq`.
    #[serde(default)]
    pub qq: Option<String>,
    /// `wechat`: 微信.
    #[serde(default)]
    pub wechat: Option<String>,
    /// `birthday`: 生日.
    #[serde(
        default,
        deserialize_with = "de::opt_date",
        serialize_with = "de::ser_opt_date"
    )]
    pub birthday: Option<NaiveDate>,
    /// `created_at`, server local time.
    #[serde(
        default,
        deserialize_with = "de::opt_datetime",
        serialize_with = "ser_opt_datetime"
    )]
    pub created_at: Option<NaiveDateTime>,
    /// `updated_at`, server local time.
    #[serde(
        default,
        deserialize_with = "de::opt_datetime",
        serialize_with = "ser_opt_datetime"
    )]
    pub updated_at: Option<NaiveDateTime>,
    /// Any field the documentation does not list, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Filters of the sub-account list (子账户列表, `GET .../subset_users`). All optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubAccountQuery {
    pub(crate) page: Option<u32>,
    pub(crate) per_page: Option<u32>,
    pub(crate) id: Option<SubUserId>,
    pub(crate) name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
}

impl SubAccountQuery {
    /// No filter, first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// `page`: 页码, from 1.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// `per_page`: 页容量 (the server's default is 15).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// `id`: one sub-account.
    pub fn id(mut self, id: SubUserId) -> Self {
        self.id = Some(id);
        self
    }

    /// `name`: 账户名.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// `email`: 邮箱.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// `phone`: 手机号码.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }
}

/// One page of sub-accounts and its `meta` paginator block.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SubAccountPage {
    /// The sub-accounts of this page.
    pub items: Vec<SubAccount>,
    /// The paginator (`None` if the server sent none: the list's answer is not documented).
    pub meta: Option<Meta>,
}

/// An answer whose `data` the documentation does not describe (账户信息, token 有效期,
/// 用户注册): the envelope's `data` as an open JSON value. No field names are assumed; read
/// what you need from [`Undocumented::data`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Undocumented {
    /// The envelope's `message`.
    pub message: String,
    /// The envelope's `data`, as sent.
    pub data: serde_json::Value,
}

/// The account information of a user (账户信息, `GET .../message`). Its fields are **not
/// documented** (the page ends before its response); the `data` is kept as sent.
pub type AccountInfo = Undocumented;

/// The partner token's validity (`GET /agent-api/token`). Its fields are **not
/// documented**; the `data` is kept as sent.
pub type TokenInfo = Undocumented;

/// The answer to 用户注册 (`POST /users`). Its fields are **not documented**; the `data` is
/// kept as sent.
pub type Registration = Undocumented;

fn ser_datetime<S: Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&at.format(de::DATETIME_FORMAT))
}

fn ser_opt_datetime<S: Serializer>(at: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => ser_datetime(at, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_account_body_matches_the_docs_example() {
        let account = NewSubAccount::new("子账户1", "12345678@qq.com", "12345678", "123456")
            .alias("账号1")
            .birthday(NaiveDate::from_ymd_opt(2022, 7, 13).unwrap())
            .duty("员工")
            .wechat("wx123456")
            .qq("123456")
            .landline_phone("010-123132")
            .sex(Sex::Unknown);
        let body = serde_json::to_string(&account.body()).unwrap();
        assert_eq!(
            body,
            r#"{"name":"子账户1","email":"12345678@qq.com","phone":"12345678","password":"123456","password_confirmation":"123456","subset_data":{"alias":"账号1","birthday":"2022-07-13","duty":"员工","wechat":"wx123456","qq":"123456","landline_phone":"010-123132","sex":0}}"#
        );
        let bare = NewSubAccount::new("n", "e@x", "1", "p");
        let body = serde_json::to_value(bare.body()).unwrap();
        assert!(body.get("subset_data").is_none(), "{body}");
    }

    #[test]
    fn sex_codes() {
        for (sex, code) in [(Sex::Unknown, 0), (Sex::Male, 1), (Sex::Female, 2)] {
            assert_eq!(serde_json::to_string(&sex).unwrap(), code.to_string());
            assert_eq!(serde_json::from_str::<Sex>(&code.to_string()).unwrap(), sex);
            assert_eq!(
                serde_json::from_str::<Sex>(&format!("\"{code}\"")).unwrap(),
                sex
            );
        }
        assert!(serde_json::from_str::<Sex>("3").is_err());
    }

    #[test]
    fn record_kinds() {
        let kind: RecordKind = serde_json::from_str(r#""充值""#).unwrap();
        assert_eq!(kind, RecordKind::Recharge);
        let kind: RecordKind = serde_json::from_str(r#""归零""#).unwrap();
        assert_eq!(kind, RecordKind::Other("归零".into()));
        assert_eq!(kind.label(), "归零");
    }

    #[test]
    fn meta_accepts_per_page_as_string_or_number() {
        let a: Meta = serde_json::from_str(
            r#"{"has_pages":true,"total":31,"last_page":31,"current_page":1,"per_page":"1"}"#,
        )
        .unwrap();
        let b: Meta = serde_json::from_str(
            r#"{"has_pages":true,"total":31,"last_page":31,"current_page":1,"per_page":1}"#,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.per_page, 1);
    }

    #[test]
    fn decimals_decode_exactly() {
        let d: Decimal = serde_json::from_str("0.1").unwrap();
        assert_eq!(d, Decimal::new(1, 1));
        let d: Decimal = serde_json::from_str("1584").unwrap();
        assert_eq!(d, Decimal::from(1584));
    }
}
