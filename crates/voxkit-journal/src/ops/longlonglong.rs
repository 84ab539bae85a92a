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

/// The declaration's name of `zero_balance` (账单余额归零).
pub const ZERO_BALANCE: &str = "zero_balance";

/// Zeroing a user's balance (账单余额归零), applied exactly once by the
/// [`Runner`](crate::Runner): the request has no body, so no marker travels; a lost answer is
/// reconciled by the 余额归零 record the history shows after the intent
/// ([`voxkit_longlonglong::Client::reconcile_zero_balance`], mind its caveat: zeroing a
/// balance already at 0 writes no record, so "not applied" then means "nothing to zero").
///
/// Its serial key is the user's, the same as a recharge's, so that the journal never has a
/// recharge and a zeroing of one user in flight at once: the 余额归零 record found is this
/// intent's.
#[derive(Clone)]
pub struct ZeroBalance {
    client: Arc<Client>,
    user: UserId,
}

impl std::fmt::Debug for ZeroBalance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZeroBalance")
            .field("user", &self.user.as_str())
            .finish_non_exhaustive()
    }
}

impl ZeroBalance {
    /// Zeroing `user`'s balance.
    pub fn new(client: Arc<Client>, user: UserId) -> Self {
        ZeroBalance { client, user }
    }

    /// Rebuilds the operation from a journaled intent (for [`crate::Resolve`]): `None` when
    /// the intent is not a longlonglong `zero_balance` or its request is malformed.
    pub fn from_intent(client: Arc<Client>, intent: &Intent) -> Option<Self> {
        if intent.provider != PROVIDER || intent.operation != ZERO_BALANCE {
            return None;
        }
        let user = UserId::parse(intent.request.get("user")?.as_str()?).ok()?;
        Some(Self::new(client, user))
    }
}

#[async_trait::async_trait]
impl ExactlyOnce for ZeroBalance {
    fn identity(&self) -> Identity {
        Identity {
            provider: PROVIDER.to_owned(),
            operation: ZERO_BALANCE.to_owned(),
            serial: format!("longlonglong:user:{}", self.user.as_str()),
            request: json!({ "user": self.user.as_str() }),
        }
    }

    fn reconciliation(&self) -> Reconciliation {
        declared(ZERO_BALANCE)
    }

    /// Sends the zeroing; it has no field for the marker, which is ignored.
    async fn send(&self, _marker: &Marker) -> Result<Evidence, voxkit_core::Error> {
        let ack = self.client.zero_balance(&self.user).await?;
        Ok(json!({ "message": ack.message }))
    }

    async fn reconcile(&self, _marker: &Marker, since: DateTime<Utc>) -> Verdict {
        self.client.reconcile_zero_balance(&self.user, since).await
    }
}

/// Rebuilds any longlonglong operation of this module from a journaled intent: a recharge,
/// a deduction or a zeroing; `None` for anything else.
pub fn from_intent(client: Arc<Client>, intent: &Intent) -> Option<Arc<dyn ExactlyOnce>> {
    if let Some(op) = BalanceMove::from_intent(Arc::clone(&client), intent) {
        return Some(Arc::new(op));
    }
    ZeroBalance::from_intent(client, intent).map(|op| Arc::new(op) as Arc<dyn ExactlyOnce>)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Arc<Client> {
        // Plain HTTP to loopback, never used to send: no TLS backend needed.
        let client = Client::builder()
            .base_url("http://127.0.0.1:9")
            .allow_http(true)
            .token("t")
            .build()
            .unwrap();
        Arc::new(client)
    }

    const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";

    #[test]
    fn a_zeroing_is_serialised_with_the_users_recharges_and_rebuilt_from_its_intent() {
        let user = UserId::parse(USER).unwrap();
        let zero = ZeroBalance::new(client(), user.clone());
        let recharge = BalanceMove::new(client(), Direction::Recharge, user, 5, None);
        let identity = zero.identity();
        assert_eq!(identity.serial, recharge.identity().serial);
        assert_eq!(identity.operation, "zero_balance");
        assert!(matches!(
            zero.reconciliation(),
            Reconciliation::ByReadBack { .. }
        ));
        let intent = Intent {
            seq: 1,
            key: "z".into(),
            provider: identity.provider.clone(),
            operation: identity.operation.clone(),
            request: identity.request.clone(),
            serial: identity.serial.clone(),
            marker: "vk0123456789abcd".into(),
            state: crate::State::Sent,
            attempts: 1,
            created_at: DateTime::<Utc>::from(std::time::SystemTime::now()),
            sent_at: None,
            finished_at: None,
            owner: None,
            lease_until: None,
            evidence: None,
            error: None,
        };
        let rebuilt = from_intent(client(), &intent).unwrap();
        assert_eq!(rebuilt.identity(), identity);
        let mut recharge_intent = intent.clone();
        recharge_intent.operation = "recharge".into();
        recharge_intent.request = json!({ "user": USER, "amount": 5, "remark": null });
        assert_eq!(
            from_intent(client(), &recharge_intent)
                .unwrap()
                .identity()
                .operation,
            "recharge"
        );
        recharge_intent.operation = "refund".into();
        assert!(from_intent(client(), &recharge_intent).is_none());
    }
}
