//! The longlonglong client, its builder, the bearer auth and the envelope decoder.

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use voxkit_core::reqwest::Method;
use voxkit_core::reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use voxkit_core::{
    Attempt, Auth, Error, ExposeSecret, HttpRequest, HttpResponse, Idempotency, Operation, Origin,
    Path, SecretString, async_trait, require_secret, sensitive_header,
};

use crate::de;
use crate::ids::{SubUserId, UserId};
use crate::model::{
    AccountFields, Ack, Direction, ExpiryBody, MAX_HISTORY_SPAN_DAYS, Meta, NewSubAccount, NewUser,
    RechargeBody, RechargeHistory, RechargeHistoryQuery, RechargeRecord, SubAccount,
    SubAccountPage, SubAccountQuery, Undocumented,
};
use crate::{DEFAULT_BASE_URL, PROVIDER};

/// Puts `Authorization: Bearer <token>` on every attempt.
struct Bearer {
    token: SecretString,
    /// `Bearer <token>`, checked and built once, marked sensitive.
    header: HeaderValue,
}

#[async_trait]
impl Auth for Bearer {
    async fn authorize(&self, request: &mut HttpRequest, _: Attempt) -> Result<(), Error> {
        request.headers.insert(AUTHORIZATION, self.header.clone());
        Ok(())
    }

    fn redact(&self) -> Vec<&str> {
        vec![self.token.expose_secret()]
    }
}

/// Configures a [`Client`]: the token, base URL, timeouts, retry policy.
pub struct ClientBuilder {
    core: voxkit_core::ClientBuilder,
    token: Option<SecretString>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("core", &self.core)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// The provider's "system error" codes: `code` 500 (the framework's server error: an exception while handling the request). The server failed while handling the
/// request, possibly after applying it, so for a non-repeatable operation such an answer is
/// [`Error::OutcomeUnknown`] (its cause the [`Error::Api`]), whatever the HTTP status; a
/// repeatable operation gets the [`Error::Api`].
pub const SYSTEM_ERROR_CODES: &[&str] = &["500"];

impl ClientBuilder {
    /// A builder with no token and the default base URL `https://ai.api.longlonglong.cn`.
    pub fn new() -> Self {
        ClientBuilder {
            core: voxkit_core::ClientBuilder::new(PROVIDER, DEFAULT_BASE_URL)
                .indeterminate_codes(SYSTEM_ERROR_CODES),
            token: None,
        }
    }

    /// The partner token, sent as `Authorization: Bearer <token>`.
    pub fn token(mut self, token: impl Into<SecretString>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Reads `LONGLONGLONG_TOKEN` and, if set, `LONGLONGLONG_BASE_URL`.
    pub fn token_from_env(self) -> Result<Self, Error> {
        self.token_from(|name| std::env::var(name).ok())
    }

    fn token_from(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let origin = Origin::new(PROVIDER, "configure");
        let token = lookup("LONGLONGLONG_TOKEN").ok_or_else(|| {
            Error::config(origin, "environment variable LONGLONGLONG_TOKEN is not set")
        })?;
        // Trimmed as HTTP will trim it (and as a server will echo it), or refused naming
        // the variable: see `voxkit_core::redact::credential`.
        let token = require_secret(
            origin,
            "environment variable LONGLONGLONG_TOKEN",
            token.into(),
        )?;
        self = self.token(token);
        if let Some(url) = lookup("LONGLONGLONG_BASE_URL").filter(|v| !v.trim().is_empty()) {
            self = self.base_url(url);
        }
        Ok(self)
    }

    voxkit_core::forward_builder_methods!();

    /// Checks the configuration and builds the client. Nothing is sent.
    pub fn build(self) -> Result<Client, Error> {
        let origin = Origin::new(PROVIDER, "configure");
        let token = self
            .token
            .ok_or_else(|| Error::config(origin, "no token: call token() or token_from_env()"))?;
        let token = require_secret(origin, "token", token)?;
        let header = sensitive_header(
            origin,
            "token",
            &format!("Bearer {}", token.expose_secret()),
        )?;
        let core = self.core.build(Arc::new(Bearer { token, header }))?;
        Ok(Client { core })
    }
}

/// A client of the longlonglong AI outbound-call agent API (`/agent-api/...`). Cheap to
/// clone; clones share the connection pool.
///
/// Every request carries `Authorization: Bearer <token>`, `Content-Type: application/json`
/// (as every documented example does) and `Accept: application/json` (so that the server
/// answers errors such as a refused token in JSON rather than with a redirect).
#[derive(Clone)]
pub struct Client {
    core: voxkit_core::Client,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("core", &self.core).finish()
    }
}

const R: Idempotency = Idempotency::Repeatable;
const N: Idempotency = Idempotency::NotRepeatable;

impl Client {
    /// A client with this partner token and the default configuration.
    pub fn new(token: impl Into<SecretString>) -> Result<Client, Error> {
        ClientBuilder::new().token(token).build()
    }

    /// A client configured from `LONGLONGLONG_TOKEN` and, if set, `LONGLONGLONG_BASE_URL`.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::new().token_from_env()?.build()
    }

    /// A builder for everything else.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The core client (base URL, retry policy).
    pub fn core(&self) -> &voxkit_core::Client {
        &self.core
    }

    // ----- 系统账单: balance movements -------------------------------------------------

    /// Adds `amount` to the user's outbound-call balance (外呼充值, `type: 1`):
    /// `PUT /agent-api/user/{user_id}/recharge` with `{"amount", "type": 1, "remark"}`.
    ///
    /// `amount` is the documented integer (its unit is not documented); zero is refused
    /// before anything is sent. `remark` (备注) is optional — choose one that identifies
    /// this movement (an order number) so that you can find it in the
    /// [recharge history](Client::recharge_history).
    ///
    /// **Not repeatable.** The API has no idempotency key, so the client never sends this
    /// twice once the request may have reached the server: a dropped connection or a
    /// timeout after sending is [`Error::OutcomeUnknown`]. See the crate docs on
    /// reconciling.
    pub async fn recharge(
        &self,
        user: &UserId,
        amount: u64,
        remark: Option<&str>,
    ) -> Result<Ack, Error> {
        self.move_balance("recharge", Direction::Recharge, user, amount, remark)
            .await
    }

    /// Subtracts `amount` from the user's outbound-call balance (扣费, `type: 2`) through
    /// the same endpoint as [`Client::recharge`], with the same rules: positive amount, not
    /// repeatable, outcome unknown when the answer is lost.
    pub async fn deduct(
        &self,
        user: &UserId,
        amount: u64,
        remark: Option<&str>,
    ) -> Result<Ack, Error> {
        self.move_balance("deduct", Direction::Deduct, user, amount, remark)
            .await
    }

    async fn move_balance(
        &self,
        name: &'static str,
        direction: Direction,
        user: &UserId,
        amount: u64,
        remark: Option<&str>,
    ) -> Result<Ack, Error> {
        let origin = self.core.origin(name);
        if amount == 0 {
            return Err(Error::invalid_input(
                origin,
                "amount must be a positive integer, not 0",
            ));
        }
        let body = RechargeBody {
            amount,
            kind: direction.code(),
            remark,
        };
        let op =
            op(name, Method::PUT, user_path(origin, user, "recharge")?, N).json(origin, &body)?;
        self.ack(op).await
    }

    /// Zeroes the user's outbound-call balance (账单余额归零):
    /// `PUT /agent-api/user/{user_id}/zero_balance`, no body.
    ///
    /// **Not repeatable**, although it sets an absolute value: a resend after a lost answer
    /// could wipe a recharge made in between. A lost answer is [`Error::OutcomeUnknown`].
    pub async fn zero_balance(&self, user: &UserId) -> Result<Ack, Error> {
        let origin = self.core.origin("zero_balance");
        let op = op(
            "zero_balance",
            Method::PUT,
            user_path(origin, user, "zero_balance")?,
            N,
        );
        self.ack(op).await
    }

    /// The recharge history (充值记录):
    /// `GET /agent-api/user/{user_id}/bill_recharge_record?date[]=..&date[]=..&page=..`.
    ///
    /// Without a range the server returns the last 7 days. A range longer than
    /// [`MAX_HISTORY_SPAN_DAYS`] days, a range that ends before it starts and page 0 are
    /// refused before anything is sent. Repeatable (retried on transient failures).
    pub async fn recharge_history(
        &self,
        user: &UserId,
        query: &RechargeHistoryQuery,
    ) -> Result<RechargeHistory, Error> {
        let origin = self.core.origin("recharge_history");
        let mut op = op(
            "recharge_history",
            Method::GET,
            user_path(origin, user, "bill_recharge_record")?,
            R,
        );
        if let Some((from, to)) = query.range {
            check_range(origin, from, to)?;
            op = op
                .query("date[]", from.format(de::DATE_FORMAT).to_string())
                .query("date[]", to.format(de::DATE_FORMAT).to_string());
        }
        if let Some(page) = query.page {
            op = op.query("page", positive(origin, "page", page)?.to_string());
        }
        let ok: Success<Vec<RechargeRecord>> = self.call(&op).await?;
        Ok(RechargeHistory {
            records: ok.data,
            meta: ok.meta,
        })
    }

    /// Sets the day the user's account expires (设置用户过期时间):
    /// `PUT /agent-api/user/{user_id}/expire_time` with `{"expire_time": "YYYY-MM-DD"}`.
    ///
    /// The server refuses today or an earlier day with code 422 `到期时间最少设置一天`
    /// ([`crate::Code::ValidationFailed`], with HTTP 200). The client leaves that judgement
    /// to the server, whose time zone is not documented. Repeatable: setting an absolute
    /// value twice has the effect of setting it once.
    pub async fn set_expiry(&self, user: &UserId, expires_on: NaiveDate) -> Result<Ack, Error> {
        let origin = self.core.origin("set_expiry");
        let op = op(
            "set_expiry",
            Method::PUT,
            user_path(origin, user, "expire_time")?,
            R,
        )
        .json(
            origin,
            &ExpiryBody {
                expire_time: expires_on,
            },
        )?;
        self.ack(op).await
    }

    // ----- 用户 / 用户凭证 ----------------------------------------------------------------

    /// The user's account information (账户信息): `GET /agent-api/user/{user_id}/message`.
    ///
    /// The documentation does not show this answer's fields, so none are assumed: the
    /// envelope's `data` comes back as JSON in [`crate::AccountInfo`]. Repeatable.
    pub async fn account_info(&self, user: &UserId) -> Result<Undocumented, Error> {
        let origin = self.core.origin("account_info");
        let op = op(
            "account_info",
            Method::GET,
            user_path(origin, user, "message")?,
            R,
        );
        self.undocumented(op).await
    }

    /// The partner token's validity (查看合作伙伴token有效期): `GET /agent-api/token`.
    ///
    /// The answer's fields are not documented: the envelope's `data` comes back as JSON in
    /// [`crate::TokenInfo`]. Repeatable.
    pub async fn token_info(&self) -> Result<Undocumented, Error> {
        let op = op(
            "token_info",
            Method::GET,
            Path::root().lit("agent-api/token"),
            R,
        );
        self.undocumented(op).await
    }

    /// Registers an end user (用户注册): `POST /users` — without the `/agent-api` prefix, as
    /// documented. Same field rules as [`Client::create_sub_account`]; `tenant_id` optional.
    ///
    /// The answer's fields are not documented: `data` comes back as JSON. **Not
    /// repeatable**: a lost answer is [`Error::OutcomeUnknown`].
    pub async fn register_user(&self, user: &NewUser) -> Result<Undocumented, Error> {
        let origin = self.core.origin("register_user");
        check_account(origin, &user.account)?;
        if let Some(tenant) = &user.tenant_id {
            check_token(origin, "tenant_id", tenant)?;
        }
        let op = op("register_user", Method::POST, Path::root().lit("users"), N)
            .json(origin, &user.body())?;
        self.undocumented(op).await
    }

    // ----- 子账户 -------------------------------------------------------------------------

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
        let origin = self.core.origin("create_sub_account");
        check_account(origin, &account.account)?;
        let op = op(
            "create_sub_account",
            Method::POST,
            user_path(origin, user, "subset_users")?,
            N,
        )
        .json(origin, &account.body())?;
        Ok(self.call::<SubAccount>(&op).await?.data)
    }

    /// One page of the user's sub-accounts (子账户列表):
    /// `GET /agent-api/user/{user_id}/subset_users?page=..&per_page=..&id=..&name=..&email=..&phone=..`.
    ///
    /// Returns the items and the `meta` paginator (whose `per_page` may arrive as a
    /// string). Repeatable.
    pub async fn sub_accounts(
        &self,
        user: &UserId,
        query: &SubAccountQuery,
    ) -> Result<SubAccountPage, Error> {
        let origin = self.core.origin("sub_accounts");
        let mut op = op(
            "sub_accounts",
            Method::GET,
            user_path(origin, user, "subset_users")?,
            R,
        );
        if let Some(page) = query.page {
            op = op.query("page", positive(origin, "page", page)?.to_string());
        }
        if let Some(per_page) = query.per_page {
            op = op.query(
                "per_page",
                positive(origin, "per_page", per_page)?.to_string(),
            );
        }
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
        let ok: Success<Vec<SubAccount>> = self.call(&op).await?;
        Ok(SubAccountPage {
            items: ok.data,
            meta: ok.meta,
        })
    }

    /// One sub-account (子账户编辑 — a read, despite its name):
    /// `GET /agent-api/user/{user_id}/subset_users/{sub_user_id}/edit`. Repeatable.
    pub async fn sub_account(
        &self,
        user: &UserId,
        sub_account: &SubUserId,
    ) -> Result<SubAccount, Error> {
        let origin = self.core.origin("sub_account");
        let path = user_path(origin, user, "subset_users")?
            .param(origin, sub_account.as_str())?
            .lit("edit");
        let op = op("sub_account", Method::GET, path, R);
        Ok(self.call::<SubAccount>(&op).await?.data)
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
        let origin = self.core.origin("delete_sub_account");
        let path = user_path(origin, user, "subset_users")?.param(origin, sub_account.as_str())?;
        self.ack(op("delete_sub_account", Method::DELETE, path, N))
            .await
    }

    // ----- plumbing -----------------------------------------------------------------------

    async fn call<T: DeserializeOwned>(&self, op: &Operation) -> Result<Success<T>, Error> {
        let origin = self.core.origin(op.name());
        self.core
            .execute(op, |response| decode(origin, response))
            .await
    }

    async fn ack(&self, op: Operation) -> Result<Ack, Error> {
        let ok: Success<IgnoredAny> = self.call(&op).await?;
        Ok(Ack {
            message: ok.message,
        })
    }

    async fn undocumented(&self, op: Operation) -> Result<Undocumented, Error> {
        let ok: Success<serde_json::Value> = self.call(&op).await?;
        Ok(Undocumented {
            message: ok.message,
            data: ok.data,
        })
    }
}

/// An operation with the headers every documented example sends.
fn op(name: &'static str, method: Method, path: Path, idempotency: Idempotency) -> Operation {
    Operation::new(name, method, path, idempotency)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(ACCEPT, HeaderValue::from_static("application/json"))
}

/// `/agent-api/user/{user_id}/{tail}`, the user id going through the encoding path helper.
fn user_path(origin: Origin, user: &UserId, tail: &'static str) -> Result<Path, Error> {
    Ok(Path::root()
        .lit("agent-api/user")
        .param(origin, user.as_str())?
        .lit(tail))
}

fn positive(origin: Origin, what: &str, n: u32) -> Result<u32, Error> {
    if n == 0 {
        Err(Error::invalid_input(
            origin,
            format!("{what} starts at 1, not 0"),
        ))
    } else {
        Ok(n)
    }
}

fn check_range(origin: Origin, from: NaiveDate, to: NaiveDate) -> Result<(), Error> {
    if to < from {
        return Err(Error::invalid_input(
            origin,
            format!("the date range ends ({to}) before it starts ({from})"),
        ));
    }
    let span = (to - from).num_days();
    if span > MAX_HISTORY_SPAN_DAYS {
        return Err(Error::invalid_input(
            origin,
            format!(
                "the date range spans {span} days; the API allows at most {MAX_HISTORY_SPAN_DAYS}"
            ),
        ));
    }
    Ok(())
}

/// The rules shared by sub-accounts and end users.
fn check_account(origin: Origin, a: &AccountFields) -> Result<(), Error> {
    check_account_fields(origin, &a.name, &a.email, &a.phone, &a.password)
}

fn check_account_fields(
    origin: Origin,
    name: &str,
    email: &str,
    phone: &str,
    password: &SecretString,
) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input(origin, "name must not be empty"));
    }
    let valid_email = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if !valid_email {
        return Err(Error::invalid_input(
            origin,
            format!("{:?} is not an email address", truncate(email)),
        ));
    }
    if phone.is_empty() || phone.len() > 20 || !phone.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_input(
            origin,
            format!("phone {:?} must be 1 to 20 digits", truncate(phone)),
        ));
    }
    if password.expose_secret().is_empty() {
        return Err(Error::invalid_input(origin, "password must not be empty"));
    }
    Ok(())
}

fn check_token(origin: Origin, what: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid_input(
            origin,
            format!(
                "{what} {:?} must be non-empty, without spaces",
                truncate(value)
            ),
        ));
    }
    Ok(())
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

/// The envelope every answer comes in: `{code, status, message, data, meta?}`.
#[derive(Deserialize)]
struct Head {
    #[serde(deserialize_with = "de::code_text")]
    code: String,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct Envelope<T> {
    #[serde(deserialize_with = "de::code_text")]
    code: String,
    /// `"success"` or `"error"`; checked against `code` (absent: `code` alone decides).
    #[serde(default, deserialize_with = "de::opt_code_text")]
    status: Option<String>,
    #[serde(default)]
    message: Option<String>,
    /// A missing `data` is `None` (serde's rule for `Option` fields).
    data: Option<T>,
    #[serde(default)]
    meta: Option<Meta>,
}

/// A decoded success: the envelope's message, `data` and `meta`.
pub(crate) struct Success<T> {
    message: String,
    data: T,
    meta: Option<Meta>,
}

/// Decodes the envelope once for every operation. `code` 200 is success, and `data` is
/// then decoded as `T`; any other code is an [`Error::Api`] with the code and message —
/// whatever the HTTP status (the documented errors come with HTTP 200). A body that is not
/// the envelope (an HTML error page) is an [`Error::Decode`].
///
/// An envelope that contradicts itself, `code` 200 with a `status` other than `"success"`
/// (`{"code":200,"status":"error",...}`), is not trusted as a success: it is an
/// [`Error::Decode`] (not an [`Error::Api`]: there is no error code to report, and the
/// answer is not a refusal either), which the core client turns into
/// [`Error::OutcomeUnknown`] for a non-repeatable operation.
pub(crate) fn decode<T: DeserializeOwned>(
    origin: Origin,
    response: &HttpResponse,
) -> Result<Success<T>, Error> {
    let bytes = &response.body;
    let decode_error = |message: String| Error::Decode {
        origin,
        message,
        excerpt: voxkit_core::error::excerpt(bytes, &[]),
    };
    // One pass over the body on the success path: the whole envelope with `data` as `T`.
    let envelope = match serde_json::from_slice::<Envelope<T>>(bytes) {
        Ok(envelope) => envelope,
        Err(full) => {
            // Not a whole envelope with a `T` in it: an error envelope whose `data` is
            // something else (`[]`), or no envelope at all. The head alone tells which.
            let head: Head = serde_json::from_slice(bytes)
                .map_err(|e| decode_error(format!("not the API's envelope: {e}")))?;
            if head.code != "200" {
                return Err(Error::api(
                    origin,
                    Some(head.code),
                    head.message.unwrap_or_default(),
                ));
            }
            return Err(decode_error(format!("unexpected data: {full}")));
        }
    };
    if envelope.code != "200" {
        return Err(Error::api(
            origin,
            Some(envelope.code),
            envelope.message.unwrap_or_default(),
        ));
    }
    if let Some(status) = envelope
        .status
        .as_deref()
        .filter(|s| !s.eq_ignore_ascii_case("success"))
    {
        return Err(decode_error(format!(
            "contradictory envelope: code 200 with status {:?}",
            truncate(status)
        )));
    }
    let data = match envelope.data {
        Some(data) => data,
        // `data` absent or null: acceptable only where `T` itself accepts null.
        None => serde_json::from_value(serde_json::Value::Null)
            .map_err(|e| decode_error(format!("no data: {e}")))?,
    };
    Ok(Success {
        message: envelope.message.unwrap_or_default(),
        data,
        meta: envelope.meta,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn env_lookup() {
        let err = ClientBuilder::new().token_from(env(&[])).unwrap_err();
        assert!(err.to_string().contains("LONGLONGLONG_TOKEN"), "{err}");
        let client = ClientBuilder::new()
            .token_from(env(&[
                ("LONGLONGLONG_TOKEN", "t"),
                ("LONGLONGLONG_BASE_URL", "http://127.0.0.1:9"),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.core().base_url().as_str(), "http://127.0.0.1:9/");
        let client = ClientBuilder::new()
            .token_from(env(&[("LONGLONGLONG_TOKEN", "t")]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            client.core().base_url().as_str(),
            "https://ai.api.longlonglong.cn/"
        );
    }

    /// Issue 12: a padded variable is trimmed (HTTP would trim it and the server echo the
    /// trimmed form); whitespace inside is a configuration error naming the variable only.
    #[test]
    fn env_token_is_trimmed_or_refused_naming_the_variable() {
        for padded in [
            &[("LONGLONGLONG_TOKEN", "SENTINEL ")],
            &[("LONGLONGLONG_TOKEN", "\tSENTINEL\t")],
        ] {
            let builder = ClientBuilder::new().token_from(env(padded)).unwrap();
            assert_eq!(builder.token.as_ref().unwrap().expose_secret(), "SENTINEL");
        }
        for bad in [
            &[("LONGLONGLONG_TOKEN", "SENTINEL X")],
            &[("LONGLONGLONG_TOKEN", " \t ")],
        ] {
            let err = ClientBuilder::new().token_from(env(bad)).unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{err:?}");
            assert!(err.to_string().contains("LONGLONGLONG_TOKEN"), "{err}");
            assert!(!format!("{err} {err:?}").contains("SENTINEL"), "{err}");
        }
    }

    #[test]
    fn bad_tokens_are_refused_without_echo() {
        assert!(matches!(Client::new("").unwrap_err(), Error::Config { .. }));
        let err = Client::new("SENTINEL\nX").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("SENTINEL"));
        let err = ClientBuilder::new().build().unwrap_err();
        assert!(err.to_string().contains("no token"), "{err}");
        let client = Client::new("SENTINEL-TOKEN").unwrap();
        let builder = ClientBuilder::new().token("SENTINEL-TOKEN");
        assert!(!format!("{client:?} {builder:?}").contains("SENTINEL"));
    }

    #[test]
    fn ranges() {
        let o = Origin::new(PROVIDER, "t");
        let d = |m, d| NaiveDate::from_ymd_opt(2023, m, d).unwrap();
        assert!(check_range(o, d(5, 8), d(5, 28)).is_ok());
        assert!(
            check_range(o, d(5, 1), d(5, 31)).is_ok(),
            "30 days is allowed"
        );
        assert!(check_range(o, d(5, 1), d(6, 1)).is_err(), "31 days is not");
        assert!(check_range(o, d(5, 8), d(5, 8)).is_ok());
        assert!(check_range(o, d(5, 9), d(5, 8)).is_err());
    }

    #[test]
    fn account_field_rules() {
        let o = Origin::new(PROVIDER, "t");
        let pw = SecretString::from("p");
        assert!(check_account_fields(o, "n", "a@b", "123", &pw).is_ok());
        for (name, email, phone) in [
            (" ", "a@b", "1"),
            ("n", "ab", "1"),
            ("n", "@b", "1"),
            ("n", "a@", "1"),
            ("n", "a @b", "1"),
            ("n", "a@b@c", "1"),
            ("n", "a@b", ""),
            ("n", "a@b", "12a"),
            ("n", "a@b", "+8612"),
            ("n", "a@b", "123456789012345678901"),
        ] {
            assert!(
                check_account_fields(o, name, email, phone, &pw).is_err(),
                "{name:?} {email:?} {phone:?}"
            );
        }
        assert!(check_account_fields(o, "n", "a@b", "1", &SecretString::from("")).is_err());
    }
}
