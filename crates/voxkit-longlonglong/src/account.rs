//! The account's settings and information: its expiry (设置用户过期时间), the account
//! information (账户信息) and the partner token's validity (查看合作伙伴token有效期).

use chrono::NaiveDate;
use rust_decimal::Decimal;
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
        let Undocumented { message, data } = self.undocumented(&ACCOUNT_INFO, &op).await?;
        Ok(AccountInfo { message, data })
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
/// documented** (the page ends before its response); the `data` is kept as sent, and the
/// one field a reseller reads first has a typed accessor, [`AccountInfo::balance`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AccountInfo {
    /// The envelope's `message`.
    pub message: String,
    /// The envelope's `data`, as sent.
    pub data: serde_json::Value,
}

impl AccountInfo {
    /// `data.balance` (账户余额) when the server sends it, as a number or a numeric string;
    /// `None` when absent, null or not a number. The field name is **not documented for
    /// this answer**: it is the name the recharge history's rows use for the same balance
    /// (the only balance field documented), so a server that names it otherwise gives
    /// `None`, never a wrong number.
    pub fn balance(&self) -> Option<Decimal> {
        match self.data.get("balance")? {
            serde_json::Value::Number(n) => n.to_string().parse().ok(),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// The partner token's validity (`GET /agent-api/token`). Its fields are **not
/// documented**; the `data` is kept as sent.
pub type TokenInfo = Undocumented;

#[cfg(test)]
mod balance_tests {
    use super::*;

    #[test]
    fn balance_is_read_when_present_and_none_otherwise() {
        let info = |data| AccountInfo {
            message: String::new(),
            data,
        };
        use serde_json::json;
        assert_eq!(
            info(json!({"balance": 1584})).balance(),
            Some(Decimal::from(1584))
        );
        assert_eq!(
            info(json!({"balance": "12.50"})).balance(),
            Some(Decimal::new(1250, 2))
        );
        assert_eq!(
            info(json!({"balance": 0.1})).balance(),
            Some(Decimal::new(1, 1))
        );
        for data in [
            json!({}),
            json!({"balance": null}),
            json!({"balance": "n/a"}),
            json!([]),
        ] {
            assert_eq!(info(data.clone()).balance(), None, "{data}");
        }
    }
}
