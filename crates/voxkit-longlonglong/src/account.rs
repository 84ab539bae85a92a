//! The account's settings and information: its expiry (设置用户过期时间), the account
//! information (账户信息) and the partner token's validity (查看合作伙伴token有效期).

use chrono::NaiveDate;
use serde::Serialize;
use voxkit_core::{Error, Operation};

use crate::Client;
use crate::dates;
use crate::envelope::{Ack, Undocumented};
use crate::ids::UserId;

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as, serde::de::IgnoredAny};

group! {

    /// 设置用户过期时间: an absolute value, so repeatable.
    pub(crate) SET_EXPIRY {
        name: "set_expiry",
        method: PUT,
        path: "agent-api/user/{user_id}/expire_time",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        // The docs' 2024-08-17 is now in the past, which the server refuses (422): a day
        // that stays in the future.
        example: |c| {
            let day = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap_or_default();
            c.set_expiry(&DOCS_USER.parse()?, day).await.map(drop)
        },
        decode: |r| decode_as::<IgnoredAny>(&SET_EXPIRY, r),
    }

    /// 账户信息.
    pub(crate) ACCOUNT_INFO {
        name: "account_info",
        method: GET,
        path: "agent-api/user/{user_id}/message",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.account_info(&DOCS_USER.parse()?).await.map(drop),
        decode: |r| decode_as::<serde_json::Value>(&ACCOUNT_INFO, r),
    }

    /// 查看合作伙伴token有效期.
    pub(crate) TOKEN_INFO {
        name: "token_info",
        method: GET,
        path: "agent-api/token",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.token_info().await.map(drop),
        decode: |r| decode_as::<serde_json::Value>(&TOKEN_INFO, r),
    }
}

impl Client {
    /// Sets the day the user's account expires (设置用户过期时间):
    /// `PUT /agent-api/user/{user_id}/expire_time` with `{"expire_time": "YYYY-MM-DD"}`.
    ///
    /// The server refuses today or an earlier day with code 422 `到期时间最少设置一天`
    /// ([`crate::Code::ValidationFailed`], with HTTP 200). The client leaves that judgement
    /// to the server, whose time zone is not documented. Repeatable: setting an absolute
    /// value twice has the effect of setting it once.
    pub async fn set_expiry(&self, user: &UserId, expires_on: NaiveDate) -> Result<Ack, Error> {
        let op = Operation::of(&SET_EXPIRY, &[user.as_str()])?.json(
            SET_EXPIRY.origin(),
            &ExpiryBody {
                expire_time: expires_on,
            },
        )?;
        self.ack(&SET_EXPIRY, &op).await
    }

    /// The user's account information (账户信息): `GET /agent-api/user/{user_id}/message`.
    ///
    /// The documentation does not show this answer's fields, so none are assumed: the
    /// envelope's `data` comes back as JSON in [`crate::AccountInfo`]. Repeatable.
    pub async fn account_info(&self, user: &UserId) -> Result<AccountInfo, Error> {
        let op = Operation::of(&ACCOUNT_INFO, &[user.as_str()])?;
        self.undocumented(&ACCOUNT_INFO, &op).await
    }

    /// The partner token's validity (查看合作伙伴token有效期): `GET /agent-api/token`.
    ///
    /// The answer's fields are not documented: the envelope's `data` comes back as JSON in
    /// [`crate::TokenInfo`]. Repeatable.
    pub async fn token_info(&self) -> Result<TokenInfo, Error> {
        let op = Operation::of(&TOKEN_INFO, &[])?;
        self.undocumented(&TOKEN_INFO, &op).await
    }
}

/// The body of `PUT /agent-api/user/{user_id}/expire_time`: `{"expire_time": "2024-08-17"}`.
#[derive(Serialize)]
struct ExpiryBody {
    #[serde(serialize_with = "dates::ser")]
    expire_time: NaiveDate,
}

/// The account information of a user (账户信息, `GET .../message`). Its fields are **not
/// documented** (the page ends before its response); the `data` is kept as sent.
pub type AccountInfo = Undocumented;

/// The partner token's validity (`GET /agent-api/token`). Its fields are **not
/// documented**; the `data` is kept as sent.
pub type TokenInfo = Undocumented;
