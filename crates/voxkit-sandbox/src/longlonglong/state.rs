//! The longlonglong accounts: users with balances, their movements and sub-accounts.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// A longlonglong user (主账号).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The UUID.
    pub id: String,
    /// The name.
    pub name: String,
    /// The email, for registered users.
    pub email: Option<String>,
    /// The phone, for registered users.
    pub phone: Option<String>,
    /// The outbound-call balance.
    pub balance: i64,
    /// The expiry date.
    pub expires_on: Option<NaiveDate>,
    /// Whether recharge and deduct are allowed (else `10004`).
    pub billing_enabled: bool,
    /// Every balance movement, oldest first.
    pub movements: Vec<Movement>,
    /// The sub-accounts.
    pub sub_accounts: Vec<SubAccount>,
}

/// One balance movement: a row of the recharge history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Movement {
    /// The row id.
    pub id: u64,
    /// The amount moved (positive).
    pub amount: i64,
    /// The balance after the movement.
    pub balance_after: i64,
    /// The remark given.
    pub remark: Option<String>,
    /// `"充值"` or `"扣费"`.
    #[serde(deserialize_with = "movement_kind")]
    pub kind: crate::persist::StaticStr,
    /// When, China time.
    pub at: NaiveDateTime,
}

/// A longlonglong sub-account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubAccount {
    /// The UUID.
    pub id: String,
    /// `name`.
    pub name: String,
    /// `email`.
    pub email: String,
    /// `phone`.
    pub phone: String,
    /// `alias`.
    pub alias: Option<String>,
    /// `birthday`, `YYYY-MM-DD`.
    pub birthday: Option<String>,
    /// `duty`.
    pub duty: Option<String>,
    /// `wechat`.
    pub wechat: Option<String>,
    /// `qq`.
    pub qq: Option<String>,
    /// `landline_phone`.
    pub landline_phone: Option<String>,
    /// `sex`: 0, 1 or 2.
    pub sex: u8,
    /// Creation time, China time.
    pub created_at: NaiveDateTime,
}

/// Every longlonglong user, by id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Accounts {
    pub users: BTreeMap<String, User>,
    /// The id of the next movement (one sequence over all users).
    pub next_movement: u64,
    /// The partner's callback blacklist (查看回调黑名单), oldest first.
    pub callback_blacklist: Vec<BlacklistedCallback>,
}

/// A callback URL the platform stopped calling for a while (查看回调黑名单). The sandbox
/// sends no callbacks, so entries come from the seed; the status is worked out from the
/// clock when read (拉黑中 until `release_time`, 已释放 from then on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BlacklistedCallback {
    /// The entry id.
    pub id: u64,
    /// The user whose callback URL it is.
    pub user_id: String,
    /// The callback URL.
    pub url: String,
    /// When it was blacklisted, China time.
    pub blackout_time: NaiveDateTime,
    /// When it is released, China time.
    pub release_time: NaiveDateTime,
}

/// A movement's kind read back from a state file: one of the two the sandbox writes.
fn movement_kind<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    crate::persist::one_of(d, &["充值", "扣费"])
}

impl BlacklistedCallback {
    /// Whether it is still blacklisted at `now`.
    pub(crate) fn active(&self, now: NaiveDateTime) -> bool {
        now < self.release_time
    }
}

impl Default for Accounts {
    fn default() -> Self {
        Accounts {
            users: BTreeMap::new(),
            next_movement: 1,
            callback_blacklist: Vec::new(),
        }
    }
}

impl Accounts {
    /// Adds a user under `id`; returns the id.
    pub(crate) fn add_user(
        &mut self,
        id: String,
        name: &str,
        balance: i64,
        expires_on: Option<NaiveDate>,
        billing_enabled: bool,
    ) -> String {
        self.users.insert(
            id.clone(),
            User {
                id: id.clone(),
                name: name.to_owned(),
                email: None,
                phone: None,
                balance,
                expires_on,
                billing_enabled,
                movements: Vec::new(),
                sub_accounts: Vec::new(),
            },
        );
        id
    }

    /// Blacklists `url` of `user_id` from `blackout_time` for `period`; returns the id.
    pub(crate) fn blacklist_callback(
        &mut self,
        user_id: &str,
        url: &str,
        blackout_time: NaiveDateTime,
        period: TimeDelta,
    ) -> u64 {
        let id = self.callback_blacklist.len() as u64 + 1;
        self.callback_blacklist.push(BlacklistedCallback {
            id,
            user_id: user_id.to_owned(),
            url: url.to_owned(),
            blackout_time,
            release_time: blackout_time + period,
        });
        id
    }

    /// The demo blacklist of the seed: one URL of `user_id` released two hours after
    /// its blackout a day before `now`, one blacklisted at `now` for two hours (the
    /// documented example's period).
    pub(crate) fn seed_blacklist(&mut self, user_id: &str, now: NaiveDateTime) {
        let period = TimeDelta::hours(2);
        let yesterday = now - TimeDelta::days(1);
        self.blacklist_callback(user_id, "http://callbacks.example/api1", yesterday, period);
        self.blacklist_callback(user_id, "http://callbacks.example/api2", now, period);
    }

    /// Runs `f` on the user with this id (`None` if there is none), with a recorder of
    /// movements made at `now`.
    pub(crate) fn with_user<R>(
        &mut self,
        user_id: &str,
        now: NaiveDateTime,
        f: impl FnOnce(&mut User, &mut Movements) -> R,
    ) -> Option<R> {
        let mut movements = Movements {
            next: &mut self.next_movement,
            now,
        };
        self.users.get_mut(user_id).map(|u| f(u, &mut movements))
    }
}

/// Records a user's balance movements, numbered in one sequence.
pub(crate) struct Movements<'a> {
    next: &'a mut u64,
    now: NaiveDateTime,
}

impl Movements<'_> {
    /// Records a movement of `amount` that left `user` with its current balance.
    pub(crate) fn record(
        &mut self,
        user: &mut User,
        amount: i64,
        kind: &'static str,
        remark: Option<String>,
    ) {
        let id = *self.next;
        *self.next += 1;
        user.movements.push(Movement {
            id,
            amount,
            balance_after: user.balance,
            remark,
            kind,
            at: self.now,
        });
    }
}
