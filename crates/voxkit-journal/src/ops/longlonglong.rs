//! longlonglong `recharge` and `deduct` as [`ExactlyOnce`] operations: the marker travels in
//! the remark ([`voxkit_longlonglong::marked_remark`]) and a lost answer is reconciled in the
//! recharge history ([`voxkit_longlonglong::Client::reconcile_balance_move`]).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use voxkit_core::Reconciliation;
use voxkit_longlonglong::{Client, Direction, UserId, marked_remark};

use crate::{Evidence, ExactlyOnce, Identity, Intent, Marker, Verdict};

/// The provider's name in the journal.
pub const PROVIDER: &str = voxkit_longlonglong::PROVIDER;

/// The declaration's `reconciliation` of operation `name`, looked up in
/// [`voxkit_longlonglong::OPERATIONS`] so that the journal follows the declaration.
fn declared(name: &str) -> Reconciliation {
    voxkit_longlonglong::OPERATIONS
        .iter()
        .find(|spec| spec.name == name)
        .map_or(
            Reconciliation::Impossible {
                why: "the operation is not declared by voxkit-longlonglong",
            },
            |spec| spec.reconciliation,
        )
}

/// One recharge or deduction of a user's balance, applied exactly once by the
/// [`Runner`](crate::Runner).
#[derive(Clone)]
pub struct BalanceMove {
    client: Arc<Client>,
    direction: Direction,
    user: UserId,
    amount: u64,
    remark: Option<String>,
}

impl std::fmt::Debug for BalanceMove {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BalanceMove")
            .field("direction", &self.direction)
            .field("user", &self.user.as_str())
            .field("amount", &self.amount)
            .field("remark", &self.remark)
            .finish_non_exhaustive()
    }
}

impl BalanceMove {
    /// A recharge (`Direction::Recharge`) or deduction of `amount` for `user`; the caller's
    /// `remark` is kept readable and the marker appended at send time.
    pub fn new(
        client: Arc<Client>,
        direction: Direction,
        user: UserId,
        amount: u64,
        remark: Option<String>,
    ) -> Self {
        BalanceMove {
            client,
            direction,
            user,
            amount,
            remark: remark.filter(|r| !r.trim().is_empty()),
        }
    }

    /// The declaration's name of the operation: `recharge` or `deduct`.
    pub fn operation(&self) -> &'static str {
        operation_name(self.direction)
    }

    /// Rebuilds the operation from a journaled intent (for [`crate::Resolve`]): `None` when
    /// the intent is not a longlonglong recharge or deduction or its request is malformed.
    pub fn from_intent(client: Arc<Client>, intent: &Intent) -> Option<Self> {
        if intent.provider != PROVIDER {
            return None;
        }
        let direction = match intent.operation.as_str() {
            "recharge" => Direction::Recharge,
            "deduct" => Direction::Deduct,
            _ => return None,
        };
        let request = &intent.request;
        let user = UserId::parse(request.get("user")?.as_str()?).ok()?;
        let amount = request.get("amount")?.as_u64()?;
        let remark = request
            .get("remark")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Some(Self::new(client, direction, user, amount, remark))
    }
}

/// `recharge` or `deduct`, the declarations' names.
fn operation_name(direction: Direction) -> &'static str {
    match direction {
        Direction::Recharge => "recharge",
        Direction::Deduct => "deduct",
    }
}

#[async_trait::async_trait]
impl ExactlyOnce for BalanceMove {
    fn identity(&self) -> Identity {
        Identity {
            provider: PROVIDER.to_owned(),
            operation: self.operation().to_owned(),
            serial: format!("longlonglong:user:{}", self.user.as_str()),
            request: json!({
                "user": self.user.as_str(),
                "amount": self.amount,
                "remark": self.remark,
            }),
        }
    }

    fn reconciliation(&self) -> Reconciliation {
        declared(self.operation())
    }

    async fn send(&self, marker: &Marker) -> Result<Evidence, voxkit_core::Error> {
        let remark = marked_remark(self.remark.as_deref(), marker);
        let ack = match self.direction {
            Direction::Recharge => {
                self.client
                    .recharge(&self.user, self.amount, Some(&remark))
                    .await?
            }
            Direction::Deduct => {
                self.client
                    .deduct(&self.user, self.amount, Some(&remark))
                    .await?
            }
        };
        Ok(json!({ "message": ack.message, "remark": remark }))
    }

    async fn reconcile(&self, marker: &Marker, since: DateTime<Utc>) -> Verdict {
        self.client
            .reconcile_balance_move(&self.user, self.direction, self.amount, marker, since)
            .await
    }
}
