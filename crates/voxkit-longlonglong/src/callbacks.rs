//! 其他 / 回调: the callback blacklist (查看回调黑名单). The platform posts callbacks (number
//! imports, 公海 tasks) to the partner's URLs; a URL that keeps failing is blacklisted for a
//! while, and callbacks to it are not delivered until it is released. This list is how a
//! partner finds out why callbacks stopped arriving.
//!
//! Only the read is documented: no operation adds or removes an entry (section 11 of the
//! notes, and the original pages, hold none).
//!
//! Also here: 查看回调数据 (section 11.1), which looks a callback's batch (`unique_id`) up
//! again; its answer is not documented and is kept as raw JSON.

use chrono::NaiveDateTime;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use voxkit_core::{Error, Operation};

use crate::Client;
use crate::dates;
use crate::envelope::Undocumented;
use crate::ids::{SubUserId, UserId};
use crate::listing::with_sub;

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as};

/// A batch id in the form of the callbacks' `unique_id` (the documented example,
/// `5e7d2764-…`, is cut short; a UUID of that beginning).
#[cfg(any(test, feature = "test-util"))]
pub(crate) const DOCS_BATCH: &str = "5e7d2764-1c2d-4e5f-8a9b-0c1d2e3f4a5b";

group! {

    /// 查看回调黑名单: a read of the partner's blacklisted callback URLs.
    pub(crate) CALLBACK_BLACKLIST {
        name: "callback_blacklist",
        method: GET,
        path: "agent-api/callback_blacklist",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.callback_blacklist().await.map(drop),
        decode: |r| decode_as::<Vec<BlacklistedCallback>>(&CALLBACK_BLACKLIST, r),
    }

    /// 查看回调数据: a read of one callback batch.
    pub(crate) CALLBACK_DATA {
        name: "callback_data",
        method: GET,
        path: "agent-api/user/{user_id}/identification/{unique_id}",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.callback_data(&DOCS_USER.parse()?, &BatchId::parse(DOCS_BATCH)?, None).await.map(drop),
        decode: |r| decode_as::<serde_json::Value>(&CALLBACK_DATA, r),
    }
}

/// A callback batch id (the callbacks' `unique_id`, 批次 id): the `{unique_id}` of
/// 查看回调数据. The docs show it cut short (`5e7d2764-…`), so it is not assumed to be a
/// UUID: 1–64 ASCII letters, digits, `-` or `_`, which keeps it one path segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BatchId(String);

impl BatchId {
    /// Checks and wraps `id`; anything else is [`Error::InvalidInput`].
    pub fn parse(id: &str) -> Result<Self, Error> {
        let ok = (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(BatchId(id.to_owned()))
        } else {
            let shown: String = id.chars().take(40).collect();
            Err(Error::invalid_input(
                CALLBACK_DATA.origin(),
                format!("{shown:?} is not a batch id (letters, digits, - and _)"),
            ))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for BatchId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

/// A callback batch as 查看回调数据 returns it. Its fields are **not documented**; the
/// `data` is kept as sent.
pub type CallbackData = Undocumented;

impl Client {
    /// The callback blacklist (查看回调黑名单): `GET /agent-api/callback_blacklist`, no
    /// parameters.
    ///
    /// Every entry, blacklisted now ([`BlacklistStatus::Blacklisted`], 拉黑中) or already
    /// released ([`BlacklistStatus::Released`], 已释放): the documented answer is a bare
    /// `data` array without a paginator. Repeatable, so retried on transient failures; a
    /// refusal is [`Error::Api`] with the envelope's code, as for every call of this API.
    pub async fn callback_blacklist(&self) -> Result<CallbackBlacklist, Error> {
        let op = Operation::of(&CALLBACK_BLACKLIST, &[])?;
        let ok = self.call(&CALLBACK_BLACKLIST, &op).await?;
        Ok(CallbackBlacklist {
            message: ok.message,
            entries: ok.data,
        })
    }
}

impl Client {
    /// One callback batch again (查看回调数据):
    /// `GET /agent-api/user/{user_id}/identification/{unique_id}?sub_user_id=..`, the
    /// `unique_id` of a callback (number imports, 公海 → task). The answer is not
    /// documented: raw JSON. Repeatable.
    pub async fn callback_data(
        &self,
        user: &UserId,
        batch: &BatchId,
        sub_user: Option<&SubUserId>,
    ) -> Result<CallbackData, Error> {
        let op = Operation::of(&CALLBACK_DATA, &[user.as_str(), batch.as_str()])?;
        let op = with_sub(op, sub_user);
        self.undocumented(&CALLBACK_DATA, &op).await
    }
}

/// The answer of [`Client::callback_blacklist`]: the envelope's message
/// (`"查看黑名单成功"`) and every entry, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallbackBlacklist {
    /// The envelope's `message`, as sent.
    pub message: String,
    /// The entries, blacklisted and released alike.
    pub entries: Vec<BlacklistedCallback>,
}

impl CallbackBlacklist {
    /// The entries still blacklisted: the URLs callbacks are not delivered to now.
    pub fn blacklisted(&self) -> impl Iterator<Item = &BlacklistedCallback> {
        self.entries
            .iter()
            .filter(|e| e.status == BlacklistStatus::Blacklisted)
    }
}

/// One callback URL on the blacklist.
///
/// The fields are those of the documented example; the example elides the values of
/// `user_id`, `created_at` and `updated_at` (`"…"`), so they are read as the rest of the
/// API writes them (a user UUID, `YYYY-MM-DD HH:mm:ss`), and the two bookkeeping
/// timestamps are optional.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct BlacklistedCallback {
    /// `id`: the entry's id (a number; a numeric string is accepted).
    #[serde(deserialize_with = "voxkit_core::lenient::u64")]
    pub id: u64,
    /// `user_id`: the user whose callback URL it is.
    pub user_id: UserId,
    /// `url`: the callback URL, as registered (e.g. `http://xxxxx/api1`).
    pub url: String,
    /// `blackout_time`: when it was blacklisted, server local time (the zone is not
    /// documented).
    #[serde(deserialize_with = "dates::datetime", serialize_with = "dates::ser")]
    pub blackout_time: NaiveDateTime,
    /// `release_time`: when it is (or was) released, server local time; `None` if the
    /// server sends none. The example releases two hours after the blackout.
    #[serde(default, with = "dates::opt")]
    pub release_time: Option<NaiveDateTime>,
    /// `status`: `0` 拉黑中 or `1` 已释放.
    pub status: BlacklistStatus,
    /// `status_str`: the status in words (`"拉黑中"`, `"已释放"`), as sent.
    #[serde(default)]
    pub status_str: Option<String>,
    /// `created_at`, server local time.
    #[serde(default, with = "dates::opt")]
    pub created_at: Option<NaiveDateTime>,
    /// `updated_at`, server local time.
    #[serde(default, with = "dates::opt")]
    pub updated_at: Option<NaiveDateTime>,
}

/// An entry's `status`, sent as a number (`0`, `1`; a numeric string is accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BlacklistStatus {
    /// `0` 拉黑中: blacklisted now; callbacks to the URL are not delivered.
    Blacklisted,
    /// `1` 已释放: released; callbacks are delivered again.
    Released,
    /// A code the documentation does not list, kept rather than refused so that one new
    /// status does not make the whole list unreadable.
    Other(u64),
}

impl BlacklistStatus {
    /// The code as sent.
    pub fn code(self) -> u64 {
        match self {
            BlacklistStatus::Blacklisted => 0,
            BlacklistStatus::Released => 1,
            BlacklistStatus::Other(code) => code,
        }
    }

    /// The status of a code.
    pub fn from_code(code: u64) -> Self {
        match code {
            0 => BlacklistStatus::Blacklisted,
            1 => BlacklistStatus::Released,
            other => BlacklistStatus::Other(other),
        }
    }
}

impl Serialize for BlacklistStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.code())
    }
}

impl<'de> Deserialize<'de> for BlacklistStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        voxkit_core::lenient::u64(d).map(BlacklistStatus::from_code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip_and_unknown_codes_are_kept() {
        for (code, status) in [
            (0, BlacklistStatus::Blacklisted),
            (1, BlacklistStatus::Released),
            (7, BlacklistStatus::Other(7)),
        ] {
            assert_eq!(
                serde_json::from_str::<BlacklistStatus>(&code.to_string()).unwrap(),
                status
            );
            assert_eq!(
                serde_json::from_str::<BlacklistStatus>(&format!("\"{code}\"")).unwrap(),
                status
            );
            assert_eq!(serde_json::to_string(&status).unwrap(), code.to_string());
        }
        assert!(serde_json::from_str::<BlacklistStatus>("\"拉黑中\"").is_err());
        assert!(serde_json::from_str::<BlacklistStatus>("-1").is_err());
    }
}
