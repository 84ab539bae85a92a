//! 子账户: create a sub-account, list them (one page, or every page as a stream), read one,
//! delete one.

use chrono::{NaiveDate, NaiveDateTime};
use futures_util::stream::BoxStream;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use voxkit_core::{Error, Operation, SecretString};

use crate::Client;
use crate::dates;
use crate::envelope::{Ack, MetaPage};
use crate::ids::{SubUserId, UserId};
use crate::listing::{paged_query, paging, setters};
use crate::users::{AccountFields, AccountWire};

mod exactly_once;

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as, serde::de::IgnoredAny};

/// The sub-account of the documentation's examples.
#[cfg(any(test, feature = "test-util"))]
const DOCS_SUB: &str = "91f9254f-ca58-49af-be34-8370d7549d73";

/// The e-mail of the documentation's 子账户注册 example.
#[cfg(any(test, feature = "test-util"))]
const DOCS_SUB_EMAIL: &str = "12345678@qq.com";

/// The documentation's 子账户注册 example.
#[cfg(any(test, feature = "test-util"))]
fn docs_account() -> NewSubAccount {
    NewSubAccount::new("子账户1", DOCS_SUB_EMAIL, "12345678", "123456")
}

group! {

    /// 子账户注册. Found again by listing the user's sub-accounts filtered by the email
    /// it was created with.
    pub(crate) CREATE_SUB_ACCOUNT {
        name: "create_sub_account",
        method: POST,
        path: "agent-api/user/{user_id}/subset_users",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "sub_accounts",
            how: "the list filtered by the new account's email holds it",
        },
        example: |c| c.create_sub_account(&DOCS_USER.parse()?, &docs_account()).await.map(drop),
        decode: |r| decode_as::<SubAccount>(&CREATE_SUB_ACCOUNT, r),
        exactly_once: |c| {
            c.create_sub_account_exactly_once(&DOCS_USER.parse()?, &docs_account(), &voxkit_core::test_util::FAST_RECONCILE).await
        },
        applied: |c| {
            let query = SubAccountQuery::new().email(DOCS_SUB_EMAIL);
            let page = c.sub_accounts(&DOCS_USER.parse()?, &query).await?.into_page();
            Ok(page.items.iter().filter(|s| s.email.as_deref() == Some(DOCS_SUB_EMAIL)).count())
        },
    }

    /// 子账户列表: one page.
    pub(crate) SUB_ACCOUNTS {
        name: "sub_accounts",
        method: GET,
        path: "agent-api/user/{user_id}/subset_users",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.sub_accounts(&DOCS_USER.parse()?, &SubAccountQuery::new()).await.map(drop),
        decode: |r| decode_as::<Vec<SubAccount>>(&SUB_ACCOUNTS, r),
    }

    /// 子账户编辑 — a read, despite its name.
    pub(crate) SUB_ACCOUNT {
        name: "sub_account",
        method: GET,
        path: "agent-api/user/{user_id}/subset_users/{sub_user_id}/edit",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.sub_account(&DOCS_USER.parse()?, &DOCS_SUB.parse()?).await.map(drop),
        decode: |r| decode_as::<SubAccount>(&SUB_ACCOUNT, r),
    }

    /// 子账户删除. Settled by reading the sub-account back: deleted when the read answers
    /// that it is not found.
    pub(crate) DELETE_SUB_ACCOUNT {
        name: "delete_sub_account",
        method: DELETE,
        path: "agent-api/user/{user_id}/subset_users/{sub_user_id}",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "sub_account",
            how: "the read answers that the sub-account is not found",
        },
        example: |c| c.delete_sub_account(&DOCS_USER.parse()?, &DOCS_SUB.parse()?).await.map(drop),
        decode: |r| decode_as::<IgnoredAny>(&DELETE_SUB_ACCOUNT, r),
        // The docs' sub-account is not seeded: the docs' one is created first.
        exactly_once: |c| {
            let user = DOCS_USER.parse()?;
            let sub = c.create_sub_account(&user, &docs_account()).await?.id;
            c.delete_sub_account_exactly_once(&user, &sub, &voxkit_core::test_util::FAST_RECONCILE).await
        },
        // The seed gives the docs user no sub-account, and whoever sends the example
        // creates one first: deleted when the list is empty.
        applied: |c| {
            let page = c.sub_accounts(&DOCS_USER.parse()?, &SubAccountQuery::new()).await?;
            Ok(usize::from(page.into_page().items.is_empty()))
        },
    }
}

/// The page size of the sub-account list when none is asked for (the documented default).
pub const DEFAULT_SUB_ACCOUNTS_PER_PAGE: u32 = 15;

impl Client {
    /// Creates a sub-account (子账户注册): `POST /agent-api/user/{user_id}/subset_users`.
    ///
    /// The password goes out as `password` and `password_confirmation`. Refused before
    /// sending: an empty name or password, an email without `@` or with spaces, a phone
    /// that is not 1–20 digits. Returns the documented `{id, name, email, phone}`.
    ///
    /// **Not repeatable**: a lost answer is [`Error::OutcomeUnknown`]; look the account up
    /// with [`Client::sub_accounts`] filtered by email before creating it again.
    pub async fn create_sub_account(
        &self,
        user: &UserId,
        account: &NewSubAccount,
    ) -> Result<SubAccount, Error> {
        let origin = CREATE_SUB_ACCOUNT.origin();
        account.account.check(origin)?;
        let op =
            Operation::of(&CREATE_SUB_ACCOUNT, &[user.as_str()])?.json(origin, &account.body())?;
        Ok(self.call(&CREATE_SUB_ACCOUNT, &op).await?.data)
    }

    /// One page of the user's sub-accounts (子账户列表):
    /// `GET /agent-api/user/{user_id}/subset_users?page=..&per_page=..&id=..&name=..&email=..&phone=..`.
    ///
    /// Returns the items and the `meta` paginator (whose `per_page` may arrive as a
    /// string). Repeatable. Every page: [`Client::sub_accounts_all`].
    pub async fn sub_accounts(
        &self,
        user: &UserId,
        query: &SubAccountQuery,
    ) -> Result<SubAccountPage, Error> {
        let origin = SUB_ACCOUNTS.origin();
        let op = Operation::of(&SUB_ACCOUNTS, &[user.as_str()])?;
        let mut op = paging(op, origin, query.page, query.per_page)?;
        if let Some(id) = &query.id {
            op = op.query("id", id.as_str());
        }
        for (key, value) in [
            ("name", &query.name),
            ("email", &query.email),
            ("phone", &query.phone),
        ] {
            if let Some(value) = value {
                op = op.query(key, value.as_str());
            }
        }
        self.meta_page(&SUB_ACCOUNTS, &op).await
    }

    /// Every sub-account matching `query`'s filters, fetched lazily page after page
    /// (`page=1, 2, ...` of `per_page` items, [`DEFAULT_SUB_ACCOUNTS_PER_PAGE`] unless the
    /// query sets it; the query's own page is replaced), with core's guards: the stream
    /// ends after the paginator's `total` or `last_page`, at an empty page or after a short
    /// one, and ends with an [`Error::Decode`] saying "the listing is incomplete" at the
    /// page cap, on a page larger than asked or on one that only repeats sub-accounts
    /// already yielded. Each page is a [`Client::sub_accounts`] call, retried on transient
    /// failures.
    pub fn sub_accounts_all(
        &self,
        user: &UserId,
        query: &SubAccountQuery,
    ) -> BoxStream<'static, Result<SubAccount, Error>> {
        let key = |sub: &SubAccount| sub.id.clone();
        let user = user.clone();
        self.every_page(
            &SUB_ACCOUNTS,
            query,
            DEFAULT_SUB_ACCOUNTS_PER_PAGE,
            key,
            user,
            |client, user, query| async move {
                Ok(client.sub_accounts(&user, &query).await?.into_page())
            },
        )
    }

    /// One sub-account (子账户编辑 — a read, despite its name):
    /// `GET /agent-api/user/{user_id}/subset_users/{sub_user_id}/edit`. Repeatable.
    pub async fn sub_account(
        &self,
        user: &UserId,
        sub_account: &SubUserId,
    ) -> Result<SubAccount, Error> {
        let op = Operation::of(&SUB_ACCOUNT, &[user.as_str(), sub_account.as_str()])?;
        Ok(self.call(&SUB_ACCOUNT, &op).await?.data)
    }

    /// Deletes a sub-account (子账户删除):
    /// `DELETE /agent-api/user/{user_id}/subset_users/{sub_user_id}`.
    ///
    /// **Not repeatable**: a resend after a lost answer would report an error for an
    /// account that was in fact deleted, so a lost answer is [`Error::OutcomeUnknown`].
    pub async fn delete_sub_account(
        &self,
        user: &UserId,
        sub_account: &SubUserId,
    ) -> Result<Ack, Error> {
        let op = Operation::of(&DELETE_SUB_ACCOUNT, &[user.as_str(), sub_account.as_str()])?;
        self.ack(&DELETE_SUB_ACCOUNT, &op).await
    }
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
        let code = voxkit_core::lenient::u64(d)?;
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
#[derive(Clone, Debug)]
pub struct NewSubAccount {
    account: AccountFields,
    profile: Profile,
}

/// `subset_data`: 其他信息.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
struct Profile {
    #[serde(skip_serializing_if = "Option::is_none")]
    alias: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "dates::ser_opt"
    )]
    birthday: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    duty: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    wechat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qq: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    landline_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sex: Option<Sex>,
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
            account: AccountFields::new(name.into(), email.into(), phone.into(), password.into()),
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

    fn body(&self) -> SubAccountBody<'_> {
        SubAccountBody {
            account: self.account.wire(),
            subset_data: (self.profile != Profile::default()).then_some(&self.profile),
        }
    }
}

/// The wire form of [`NewSubAccount`], in the example's key order.
#[derive(Serialize)]
struct SubAccountBody<'a> {
    #[serde(flatten)]
    account: AccountWire<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subset_data: Option<&'a Profile>,
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
    #[serde(default, with = "dates::opt")]
    pub birthday: Option<NaiveDate>,
    /// `created_at`, server local time.
    #[serde(default, with = "dates::opt")]
    pub created_at: Option<NaiveDateTime>,
    /// `updated_at`, server local time.
    #[serde(default, with = "dates::opt")]
    pub updated_at: Option<NaiveDateTime>,
    /// Any field the documentation does not list, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Filters of the sub-account list (子账户列表, `GET .../subset_users`). All optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubAccountQuery {
    page: Option<u32>,
    per_page: Option<u32>,
    id: Option<SubUserId>,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl SubAccountQuery {
    /// No filter, first page.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// `id`: one sub-account.
        fn id(id: SubUserId);
        /// `name`: 账户名.
        fn name(name: impl Into<String>).into();
        /// `email`: 邮箱.
        fn email(email: impl Into<String>).into();
        /// `phone`: 手机号码.
        fn phone(phone: impl Into<String>).into();
    }
}

/// One page of sub-accounts and its `meta` paginator block (`None` if the server sent
/// none: the list's answer is not documented).
pub type SubAccountPage = MetaPage<SubAccount>;

paged_query! {
    SubAccountQuery;
    /// `page`: 页码, from 1.
    page;
    /// `per_page`: 页容量 (the server's default is 15).
    per_page;
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
}
