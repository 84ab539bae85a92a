//! Moving a user's balance: recharge and deduct (the marker in the remark), and zeroing it.

use std::sync::Arc;

use serde_json::json;
use voxkit_longlonglong::{Client, Direction, UserId, marked_remark};

use super::{Longlonglong, serial};
use crate::ops::{Declared, Op};

declared! {
    /// A recharge or deduction of a user's balance; the caller's `remark` is kept readable
    /// and the marker appended at send time.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct BalanceMoveRequest for Longlonglong {
        /// Which way.
        pub direction: Direction => operation,
        /// The user.
        pub user: UserId => "user",
        /// How much.
        pub amount: u64 => "amount",
        /// The caller's remark (blank is none).
        pub remark: Option<String> => "remark",
    }
    names: [direction: Direction::Recharge => "recharge", Direction::Deduct => "deduct"],
    serial: |r| serial(&r.user),
    send: |r, client, marker| {
        let remark = marked_remark(r.remark.as_deref(), marker);
        let ack = match r.direction {
            Direction::Recharge => client.recharge(&r.user, r.amount, Some(&remark)).await?,
            Direction::Deduct => client.deduct(&r.user, r.amount, Some(&remark)).await?,
        };
        Ok(json!({ "message": ack.message, "remark": remark }))
    },
    reconcile: |r, client, marker, since| {
        client
            .reconcile_balance_move(&r.user, r.direction, r.amount, marker, since)
            .await
    },
}

/// One recharge or deduction, applied exactly once by the [`Runner`](crate::Runner).
pub type BalanceMove = Op<BalanceMoveRequest>;

impl BalanceMove {
    /// A recharge (`Direction::Recharge`) or deduction of `amount` for `user`.
    pub fn new(
        client: Arc<Client>,
        direction: Direction,
        user: UserId,
        amount: u64,
        remark: Option<String>,
    ) -> Self {
        Op::of(
            client,
            BalanceMoveRequest {
                direction,
                user,
                amount,
                remark: remark.filter(|r| !r.trim().is_empty()),
            },
        )
    }

    /// The declaration's name of the operation: `recharge` or `deduct`.
    pub fn operation(&self) -> &'static str {
        self.request().name()
    }
}

/// The declaration's name of `zero_balance` (账单余额归零).
pub const ZERO_BALANCE: &str = "zero_balance";

declared! {
    /// Zeroing a user's balance (账单余额归零): the request has no body, so no marker
    /// travels; a lost answer is reconciled by the 余额归零 record the history shows after
    /// the intent ([`Client::reconcile_zero_balance`], mind its caveat: zeroing a balance
    /// already at 0 writes no record, so "not applied" then means "nothing to zero").
    /// Serialised with the user's recharges, so the record found is this intent's.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ZeroBalanceRequest for Longlonglong {
        /// The user whose balance is zeroed.
        pub user: UserId => "user",
    }
    names: [ZERO_BALANCE],
    serial: |r| serial(&r.user),
    // It has no field for the marker, which is ignored.
    send: |r, client, _| {
        let ack = client.zero_balance(&r.user).await?;
        Ok(json!({ "message": ack.message }))
    },
    reconcile: |r, client, _, since| client.reconcile_zero_balance(&r.user, since).await,
}

/// Zeroing a user's balance, applied exactly once by the [`Runner`](crate::Runner).
pub type ZeroBalance = Op<ZeroBalanceRequest>;

impl ZeroBalance {
    /// Zeroing `user`'s balance.
    pub fn new(client: Arc<Client>, user: UserId) -> Self {
        Op::of(client, ZeroBalanceRequest { user })
    }
}
