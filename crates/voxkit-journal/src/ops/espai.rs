//! ESP-AI `transfer` as an [`ExactlyOnce`] operation: a transfer has no field for a marker,
//! so a lost answer is reconciled in the source card's usage log by amount and counterpart
//! ([`voxkit_espai::Client::reconcile_transfer`]); the journal's serial key (one intent per
//! source card at a time) is what makes that match exact.
//!
//! # The card codes are secrets
//!
//! A redemption code (兑换码) with its phone number is all it takes to move a card's quota,
//! so it is treated as a credential: the journal stores only its SHA-256 fingerprint
//! ([`code_fingerprint`]), in the request and in the serial key, and the code itself stays in
//! memory. After a crash the operation is rebuilt from the intent with the codes the caller
//! supplies again (the batch file) and matched by fingerprint ([`Transfer::from_intent`]).
//! An 8-character code can be brute-forced from its fingerprint by someone holding the
//! journal; the fingerprint keeps the code out of listings, logs and backups, it does not
//! make the journal a safe place to publish.

use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use voxkit_core::Reconciliation;
use voxkit_espai::{CardKey, Client};

use crate::{Evidence, ExactlyOnce, Identity, Intent, Marker, Verdict};

/// The provider's name in the journal.
pub const PROVIDER: &str = "espai";

/// The declaration's name of the operation.
pub const TRANSFER: &str = "transfer";

/// The SHA-256 fingerprint of a card code (hex, first 16 bytes): what the journal stores
/// instead of the code (see the module docs).
pub fn code_fingerprint(code: &str) -> String {
    let digest = Sha256::digest(code.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// One quota transfer between two cards, applied exactly once by the
/// [`Runner`](crate::Runner).
#[derive(Clone)]
pub struct Transfer {
    client: Arc<Client>,
    from: CardKey,
    to: CardKey,
    amount: u64,
}

impl std::fmt::Debug for Transfer {
    /// The phones and amount only: the codes are secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transfer")
            .field("from_phone", &self.from.phone)
            .field("to_phone", &self.to.phone)
            .field("amount", &self.amount)
            .finish_non_exhaustive()
    }
}

impl Transfer {
    /// A transfer of `amount` from card `from` to card `to`.
    pub fn new(client: Arc<Client>, from: CardKey, to: CardKey, amount: u64) -> Self {
        Transfer {
            client,
            from,
            to,
            amount,
        }
    }

    /// Rebuilds the transfer of a journaled intent with the card codes the caller knows
    /// (`codes`: every code it may involve): `None` when the intent is not an ESP-AI
    /// transfer or a code with the stored fingerprint is not among `codes`.
    pub fn from_intent<'a>(
        client: Arc<Client>,
        intent: &Intent,
        codes: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Option<Self> {
        if intent.provider != PROVIDER || intent.operation != TRANSFER {
            return None;
        }
        let request = &intent.request;
        let find = |field: &str| -> Option<String> {
            let wanted = request.get(field)?.as_str()?;
            codes
                .clone()
                .into_iter()
                .find(|code| code_fingerprint(code) == wanted)
                .map(str::to_owned)
        };
        let from = CardKey::new(
            request.get("from_phone")?.as_str()?,
            find("from_code_sha256")?,
        );
        let to = CardKey::new(request.get("to_phone")?.as_str()?, find("to_code_sha256")?);
        let amount = request.get("amount")?.as_u64()?;
        Some(Self::new(client, from, to, amount))
    }
}

/// The declaration's `reconciliation` of the transfer, from [`voxkit_espai::OPERATIONS`].
fn declared() -> Reconciliation {
    voxkit_espai::OPERATIONS
        .iter()
        .find(|spec| spec.name == TRANSFER)
        .map_or(
            Reconciliation::Impossible {
                why: "the transfer is not declared by voxkit-espai",
            },
            |spec| spec.reconciliation,
        )
}

#[async_trait::async_trait]
impl ExactlyOnce for Transfer {
    fn identity(&self) -> Identity {
        Identity {
            provider: PROVIDER.to_owned(),
            operation: TRANSFER.to_owned(),
            serial: format!(
                "espai:card:{}:{}",
                self.from.phone,
                code_fingerprint(&self.from.code)
            ),
            request: json!({
                "from_phone": self.from.phone,
                "from_code_sha256": code_fingerprint(&self.from.code),
                "to_phone": self.to.phone,
                "to_code_sha256": code_fingerprint(&self.to.code),
                "amount": self.amount,
            }),
        }
    }

    fn reconciliation(&self) -> Reconciliation {
        declared()
    }

    /// Sends the transfer; the marker has no field to travel in and is ignored.
    async fn send(&self, _marker: &Marker) -> Result<Evidence, voxkit_core::Error> {
        let ack = self
            .client
            .transfer(&self.from, &self.to, self.amount)
            .await?;
        Ok(json!({ "message": ack.message }))
    }

    async fn reconcile(&self, _marker: &Marker, since: DateTime<Utc>) -> Verdict {
        self.client
            .reconcile_transfer(&self.from, &self.to, self.amount, SystemTime::from(since))
            .await
    }
}

/// The declaration's name of `destroy` (销毁额度卡).
pub const DESTROY: &str = "destroy";

/// The declaration's `reconciliation` of operation `name`, from [`voxkit_espai::OPERATIONS`].
fn declared_named(name: &str) -> Reconciliation {
    voxkit_espai::OPERATIONS
        .iter()
        .find(|spec| spec.name == name)
        .map_or(
            Reconciliation::Impossible {
                why: "the operation is not declared by voxkit-espai",
            },
            |spec| spec.reconciliation,
        )
}

/// Destroying one quota card by its id (销毁额度卡), applied exactly once by the
/// [`Runner`](crate::Runner): a lost answer is reconciled by reading the card list back
/// ([`voxkit_espai::Client::reconcile_destroy`]: gone → applied, still listed → not applied).
///
/// "Gone afterwards" proves the destruction only of a card that was listed before it, so
/// [`send`](ExactlyOnce::send) first checks that the card is in the account's card list and
/// refuses (nothing sent) when it is not, as
/// [`destroy_exactly_once`](voxkit_espai::Client::destroy_exactly_once) does. The card id is
/// not a secret (it is no redemption code); the serial key is the card's id.
#[derive(Clone)]
pub struct Destroy {
    client: Arc<Client>,
    id: String,
}

impl std::fmt::Debug for Destroy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Destroy")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Destroy {
    /// Destroying the card `id`.
    pub fn new(client: Arc<Client>, id: impl Into<String>) -> Self {
        Destroy {
            client,
            id: id.into(),
        }
    }

    /// Rebuilds the operation from a journaled intent (for [`crate::Resolve`]): `None` when
    /// the intent is not an ESP-AI `destroy` or its request is malformed.
    pub fn from_intent(client: Arc<Client>, intent: &Intent) -> Option<Self> {
        if intent.provider != PROVIDER || intent.operation != DESTROY {
            return None;
        }
        let id = intent.request.get("id")?.as_str()?;
        Some(Self::new(client, id))
    }
}

#[async_trait::async_trait]
impl ExactlyOnce for Destroy {
    fn identity(&self) -> Identity {
        Identity {
            provider: PROVIDER.to_owned(),
            operation: DESTROY.to_owned(),
            serial: format!("espai:card-id:{}", self.id),
            request: json!({ "id": self.id }),
        }
    }

    fn reconciliation(&self) -> Reconciliation {
        declared_named(DESTROY)
    }

    /// Checks that the card is listed (else refuses, nothing sent), then sends the
    /// destruction; the marker has no field to travel in and is ignored.
    async fn send(&self, _marker: &Marker) -> Result<Evidence, voxkit_core::Error> {
        let origin = voxkit_core::Origin::new(PROVIDER, "destroy");
        let ids = [self.id.as_str()];
        match self.client.reconcile_destroy(&ids).await {
            Verdict::NotApplied => {}
            Verdict::Applied(_) => {
                return Err(voxkit_core::Error::invalid_input(
                    origin,
                    "the card is not in the account's card list (it never existed or is \
                     already destroyed); nothing was sent",
                ));
            }
            Verdict::Undetermined(why) => {
                return Err(voxkit_core::Error::invalid_input(
                    origin,
                    format!(
                        "the card list could not confirm the card before destroying it \
                         ({why}); nothing was sent"
                    ),
                ));
            }
        }
        let ack = self.client.destroy(&ids).await?;
        Ok(json!({ "message": ack.message, "destroyed": [self.id] }))
    }

    async fn reconcile(&self, _marker: &Marker, _since: DateTime<Utc>) -> Verdict {
        self.client.reconcile_destroy(&[self.id.as_str()]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client that is never used to send: plain HTTP to loopback, so that the tests need
    /// no TLS backend (a `-p voxkit-journal` build may have none).
    fn offline_client() -> Arc<Client> {
        let client = Client::builder()
            .base_url("http://127.0.0.1:9")
            .allow_http(true)
            .api_key("t")
            .build()
            .unwrap();
        Arc::new(client)
    }

    #[test]
    fn a_destroy_is_keyed_by_its_card_and_rebuilt_from_its_intent() {
        let client = offline_client();
        let op = Destroy::new(Arc::clone(&client), "196bd2a26e4d459f9dc7d12053a05c15");
        let identity = op.identity();
        assert_eq!(
            identity.serial,
            "espai:card-id:196bd2a26e4d459f9dc7d12053a05c15"
        );
        assert!(matches!(
            op.reconciliation(),
            Reconciliation::ByReadBack { .. }
        ));
        let intent = Intent {
            seq: 1,
            key: "d".into(),
            provider: identity.provider.clone(),
            operation: identity.operation.clone(),
            request: identity.request.clone(),
            serial: identity.serial.clone(),
            marker: "vk0123456789abcd".into(),
            state: crate::State::Sent,
            attempts: 1,
            created_at: DateTime::<Utc>::from(SystemTime::now()),
            sent_at: None,
            finished_at: None,
            owner: None,
            lease_until: None,
            evidence: None,
            error: None,
        };
        let rebuilt = Destroy::from_intent(Arc::clone(&client), &intent).unwrap();
        assert_eq!(rebuilt.identity(), identity);
        let mut other = intent.clone();
        other.operation = TRANSFER.into();
        assert!(Destroy::from_intent(client, &other).is_none());
    }

    #[test]
    fn the_journal_identity_never_holds_a_card_code() {
        let client = offline_client();
        let op = Transfer::new(
            client,
            CardKey::new("15916888888", "wNaa1GDw"),
            CardKey::new("15916888889", "Zq7pLm3x"),
            5,
        );
        let identity = op.identity();
        let printed = format!("{identity:?} {op:?}");
        assert!(
            !printed.contains("wNaa1GDw") && !printed.contains("Zq7pLm3x"),
            "{printed}"
        );
        assert_eq!(
            identity.serial,
            format!("espai:card:15916888888:{}", code_fingerprint("wNaa1GDw"))
        );
    }
}
