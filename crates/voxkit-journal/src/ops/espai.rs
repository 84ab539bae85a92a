//! ESP-AI's non-repeatable operations as [`Declared`] requests (each an
//! [`ExactlyOnce`] operation as [`Op`]): the card transfer (no field for
//! a marker: reconciled in the source card's usage log by amount and counterpart,
//! [`voxkit_espai::Client::reconcile_transfer`], exact because the journal's serial key runs
//! one intent per source card at a time), a card destroyed, an agent added (the marker in its
//! name, found in the agent list), agents deleted and devices unbound, by id or by MAC (read
//! back in the lists).
//!
//! The agent and device operations are serialised on the account (`espai:account`): the
//! account's agent and device lists are what they read, so a row deleting an agent another
//! row of the same file also deletes is read after that one finished.
//!
//! # Secrets
//!
//! A redemption code (兑换码) with its phone number is all it takes to move a card's quota,
//! and an agent's `api_key` is its credential: the journal stores only their SHA-256
//! fingerprints ([`code_fingerprint`]), in the request and in the serial key, and the secret
//! itself stays in memory. After a crash the operation is rebuilt from the intent with the
//! secrets the caller supplies again (the batch file), matched by fingerprint
//! ([`Op::from_intent`]). An 8-character code can be brute-forced from its fingerprint by
//! someone holding the journal; the fingerprint keeps the code out of listings, logs and
//! backups, it does not make the journal a safe place to publish.

use std::sync::Arc;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use voxkit_core::{Error, ExposeSecret, Origin, SecretString};
use voxkit_espai::{CardKey, Client, NewAgent, OPERATIONS, marked_agent_name};

use super::{Declared, Op, Provider, number, resolve, text, texts};
use crate::{Evidence, ExactlyOnce, Intent, Marker, Verdict};

/// Espai as the operations of this module name it.
#[derive(Debug)]
pub struct Espai;

impl Provider for Espai {
    type Client = Client;
    const NAME: &'static str = PROVIDER;
    const DECLARATIONS: &'static [&'static voxkit_core::OperationSpec] = OPERATIONS;
}

/// The provider's name in the journal.
pub const PROVIDER: &str = "espai";

/// The declaration's name of the operation.
pub const TRANSFER: &str = "transfer";

/// The declaration's name of `destroy` (销毁额度卡).
pub const DESTROY: &str = "destroy";

/// The serial key of the agent and device operations (see the module docs).
const ACCOUNT: &str = "espai:account";

/// The SHA-256 fingerprint of a card code or key (hex, first 16 bytes): what the journal
/// stores instead of it (see the module docs).
pub fn code_fingerprint(code: &str) -> String {
    let digest = Sha256::digest(code.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The secret among `secrets` whose fingerprint is the request's `field`.
fn secret_of(request: &Value, field: &str, secrets: &[String]) -> Option<String> {
    let wanted = request.get(field)?.as_str()?;
    secrets
        .iter()
        .find(|secret| code_fingerprint(secret) == wanted)
        .cloned()
}

/// One quota transfer between two cards.
#[derive(Clone, PartialEq, Eq)]
pub struct TransferRequest {
    /// The source card (its usage log shows the transfer).
    pub from: CardKey,
    /// The target card.
    pub to: CardKey,
    /// How much quota.
    pub amount: u64,
}

impl std::fmt::Debug for TransferRequest {
    /// The phones and amount only: the codes are secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transfer")
            .field("from_phone", &self.from.phone)
            .field("to_phone", &self.to.phone)
            .field("amount", &self.amount)
            .finish_non_exhaustive()
    }
}

/// One quota transfer, applied exactly once by the [`Runner`](crate::Runner).
pub type Transfer = Op<TransferRequest>;

impl Transfer {
    /// A transfer of `amount` from card `from` to card `to`.
    pub fn new(client: Arc<Client>, from: CardKey, to: CardKey, amount: u64) -> Self {
        Op::of(client, TransferRequest { from, to, amount })
    }
}

#[async_trait::async_trait]
impl Declared for TransferRequest {
    type Provider = Espai;
    const NAMES: &'static [&'static str] = &[TRANSFER];

    fn serial(&self) -> String {
        format!(
            "espai:card:{}:{}",
            self.from.phone,
            code_fingerprint(&self.from.code)
        )
    }

    fn request(&self) -> Value {
        json!({
            "from_phone": self.from.phone,
            "from_code_sha256": code_fingerprint(&self.from.code),
            "to_phone": self.to.phone,
            "to_code_sha256": code_fingerprint(&self.to.code),
            "amount": self.amount,
        })
    }

    fn from_request(_: &str, request: &Value, secrets: &[String]) -> Option<Self> {
        Some(TransferRequest {
            from: CardKey::new(
                text(request, "from_phone")?,
                secret_of(request, "from_code_sha256", secrets)?,
            ),
            to: CardKey::new(
                text(request, "to_phone")?,
                secret_of(request, "to_code_sha256", secrets)?,
            ),
            amount: number(request, "amount")?,
        })
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.from.code.clone(), self.to.code.clone()]
    }

    /// Sends the transfer; the marker has no field to travel in and is ignored.
    async fn send(&self, client: &Client, _: &Marker) -> Result<Evidence, Error> {
        let ack = client.transfer(&self.from, &self.to, self.amount).await?;
        Ok(json!({ "message": ack.message }))
    }

    async fn reconcile(&self, client: &Client, _: &Marker, since: DateTime<Utc>) -> Verdict {
        client
            .reconcile_transfer(&self.from, &self.to, self.amount, SystemTime::from(since))
            .await
    }
}

/// Destroying one quota card by its id (销毁额度卡): read back in the card list
/// ([`Client::reconcile_destroy`]: gone → applied); the card must be listed before, as
/// [`destroy_exactly_once`](Client::destroy_exactly_once) requires. The card id is not a
/// secret (it is no redemption code); the serial key is the card's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestroyRequest {
    /// The card's id.
    pub id: String,
}

/// Destroying a card, applied exactly once by the [`Runner`](crate::Runner).
pub type Destroy = Op<DestroyRequest>;

impl Destroy {
    /// Destroying the card `id`.
    pub fn new(client: Arc<Client>, id: impl Into<String>) -> Self {
        Op::of(client, DestroyRequest { id: id.into() })
    }
}

#[async_trait::async_trait]
impl Declared for DestroyRequest {
    type Provider = Espai;
    const NAMES: &'static [&'static str] = &[DESTROY];
    const READ_BACK: bool = true;

    fn missing(&self) -> &'static str {
        "the card is not in the account's card list (it never existed or is already destroyed)"
    }

    fn serial(&self) -> String {
        format!("espai:card-id:{}", self.id)
    }

    fn request(&self) -> Value {
        json!({ "id": self.id })
    }

    fn from_request(_: &str, request: &Value, _: &[String]) -> Option<Self> {
        Some(DestroyRequest {
            id: text(request, "id")?,
        })
    }

    async fn send(&self, client: &Client, _: &Marker) -> Result<Evidence, Error> {
        let ack = client.destroy(&[self.id.as_str()]).await?;
        Ok(json!({ "message": ack.message, "destroyed": [self.id] }))
    }

    async fn reconcile(&self, client: &Client, _: &Marker, _: DateTime<Utc>) -> Verdict {
        client.reconcile_destroy(&[self.id.as_str()]).await
    }
}

/// An agent added (新增超体) on a card: the marker is appended to its name
/// ([`marked_agent_name`]) and found in the agent list ([`Client::reconcile_add_agent`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddAgentRequest {
    /// `cdkey_id`: the card the agent spends.
    pub card_id: String,
    /// The agent's name, before its marker.
    pub name: String,
}

#[async_trait::async_trait]
impl Declared for AddAgentRequest {
    type Provider = Espai;
    const NAMES: &'static [&'static str] = &["add_agent"];

    fn serial(&self) -> String {
        ACCOUNT.to_owned()
    }

    fn request(&self) -> Value {
        json!({ "card_id": self.card_id, "name": self.name })
    }

    fn from_request(_: &str, request: &Value, _: &[String]) -> Option<Self> {
        Some(AddAgentRequest {
            card_id: text(request, "card_id")?,
            name: text(request, "name")?,
        })
    }

    fn check(&self) -> Result<(), Error> {
        let origin = Origin::new(PROVIDER, "add_agent");
        voxkit_core::check::token(
            origin,
            "card id",
            &self.card_id,
            voxkit_espai::MAX_TOKEN_BYTES,
        )?;
        voxkit_core::check::text(origin, "name", &self.name, voxkit_espai::MAX_TEXT_CHARS)
    }

    /// Sends the agent under its marked name. The evidence is its id and name, never its
    /// `api_key`.
    async fn send(&self, client: &Client, marker: &Marker) -> Result<Evidence, Error> {
        let name = marked_agent_name(&self.name, marker);
        let agent = client
            .add_agent(&NewAgent::new(self.card_id.as_str(), name.as_str()))
            .await?;
        Ok(json!({ "id": agent.id, "name": agent.name }))
    }

    async fn reconcile(&self, client: &Client, marker: &Marker, _: DateTime<Utc>) -> Verdict {
        client.reconcile_add_agent(marker).await
    }
}

/// What a [`RemoveRequest`] removes, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// 删除超体: agents, gone from the agent list afterwards
    /// ([`Client::reconcile_delete_agents`]).
    Agents,
    /// 解绑设备: devices, gone from the device list afterwards
    /// ([`Client::reconcile_unbind_devices`]).
    Devices,
}

/// Agents deleted or devices unbound by id, read back in the account's list: all must be
/// listed before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoveRequest {
    /// Agents or devices.
    pub what: Removal,
    /// Their ids, each once.
    pub ids: Vec<String>,
}

#[async_trait::async_trait]
impl Declared for RemoveRequest {
    type Provider = Espai;
    const NAMES: &'static [&'static str] = &["delete_agents", "unbind_devices"];
    const READ_BACK: bool = true;

    fn name(&self) -> &'static str {
        match self.what {
            Removal::Agents => "delete_agents",
            Removal::Devices => "unbind_devices",
        }
    }

    fn missing(&self) -> &'static str {
        match self.what {
            Removal::Agents => "an agent to delete is not in the agent list",
            Removal::Devices => "a device to unbind is not in the device list",
        }
    }

    fn serial(&self) -> String {
        ACCOUNT.to_owned()
    }

    fn request(&self) -> Value {
        json!({ "ids": self.ids })
    }

    fn from_request(name: &str, request: &Value, _: &[String]) -> Option<Self> {
        let what = match name {
            "delete_agents" => Removal::Agents,
            "unbind_devices" => Removal::Devices,
            _ => return None,
        };
        Some(RemoveRequest {
            what,
            ids: texts(request, "ids")?,
        })
    }

    /// At least one id, each a token, each once.
    fn check(&self) -> Result<(), Error> {
        let origin = Origin::new(PROVIDER, self.name());
        if self.ids.is_empty() {
            return Err(Error::invalid_input(origin, "no id given"));
        }
        for id in &self.ids {
            voxkit_core::check::token(origin, "id", id, voxkit_espai::MAX_TOKEN_BYTES)?;
        }
        voxkit_core::check::unique(origin, "ids", &self.ids)
    }

    async fn send(&self, client: &Client, _: &Marker) -> Result<Evidence, Error> {
        let ack = match self.what {
            Removal::Agents => client.delete_agents(&self.ids).await?,
            Removal::Devices => client.unbind_devices(&self.ids).await?,
        };
        Ok(json!({ "message": ack.message, "removed": self.ids }))
    }

    async fn reconcile(&self, client: &Client, _: &Marker, _: DateTime<Utc>) -> Verdict {
        match self.what {
            Removal::Agents => client.reconcile_delete_agents(&self.ids).await,
            Removal::Devices => client.reconcile_unbind_devices(&self.ids).await,
        }
    }
}

/// A device unbound from an agent by its MAC (根据MAC解绑设备): gone from the agent's device
/// list afterwards ([`Client::reconcile_unbind_device_mac`]); it must be bound before. The
/// agent's key is a credential: fingerprinted in the journal (see the module docs).
#[derive(Clone)]
pub struct UnbindDeviceMacRequest {
    /// The agent's `api_key`.
    pub agent_key: SecretString,
    /// The device's MAC, `FC:01:2C:DB:14:30`.
    pub mac: String,
}

impl std::fmt::Debug for UnbindDeviceMacRequest {
    /// Never the agent's key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnbindDeviceMac")
            .field("mac", &self.mac)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Declared for UnbindDeviceMacRequest {
    type Provider = Espai;
    const NAMES: &'static [&'static str] = &["unbind_device_mac"];
    const READ_BACK: bool = true;

    fn missing(&self) -> &'static str {
        "no device with this MAC is bound to the agent"
    }

    fn serial(&self) -> String {
        ACCOUNT.to_owned()
    }

    fn request(&self) -> Value {
        json!({
            "agent_key_sha256": code_fingerprint(self.agent_key.expose_secret()),
            "mac": self.mac,
        })
    }

    fn from_request(_: &str, request: &Value, secrets: &[String]) -> Option<Self> {
        Some(UnbindDeviceMacRequest {
            agent_key: secret_of(request, "agent_key_sha256", secrets)?.into(),
            mac: text(request, "mac")?,
        })
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.agent_key.expose_secret().to_owned()]
    }

    /// The MAC's shape (six hex pairs joined by `:`), as the client checks it.
    fn check(&self) -> Result<(), Error> {
        voxkit_espai::check_mac(Origin::new(PROVIDER, "unbind_device_mac"), &self.mac)
    }

    async fn send(&self, client: &Client, _: &Marker) -> Result<Evidence, Error> {
        let ack = client
            .unbind_device_by_mac(&self.agent_key, &self.mac)
            .await?;
        Ok(json!({ "message": ack.message, "unbound": self.mac }))
    }

    async fn reconcile(&self, client: &Client, _: &Marker, _: DateTime<Utc>) -> Verdict {
        client
            .reconcile_unbind_device_mac(&self.agent_key, &self.mac)
            .await
    }
}

/// Rebuilds any ESP-AI operation of this module from a journaled intent; those holding a
/// secret (a transfer's codes, an agent's key) only when it is among `secrets`.
pub fn from_intent(
    client: Arc<Client>,
    intent: &Intent,
    secrets: &[String],
) -> Option<Arc<dyn ExactlyOnce>> {
    let c = &client;
    resolve::<TransferRequest>(c, intent, secrets)
        .or_else(|| resolve::<DestroyRequest>(c, intent, secrets))
        .or_else(|| resolve::<AddAgentRequest>(c, intent, secrets))
        .or_else(|| resolve::<RemoveRequest>(c, intent, secrets))
        .or_else(|| resolve::<UnbindDeviceMacRequest>(c, intent, secrets))
}

#[cfg(test)]
mod tests {
    use super::super::{assert_round_trip, intent_of};
    use super::*;
    use voxkit_core::Reconciliation;

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
        let identity = assert_round_trip(&op, &[]);
        assert_eq!(
            identity.serial,
            "espai:card-id:196bd2a26e4d459f9dc7d12053a05c15"
        );
        assert_eq!(
            identity.request,
            json!({ "id": "196bd2a26e4d459f9dc7d12053a05c15" })
        );
        assert!(matches!(
            op.reconciliation(),
            Reconciliation::ByReadBack { .. }
        ));
        let mut other = intent_of(&identity);
        other.operation = TRANSFER.into();
        assert!(Destroy::from_intent(client, &other, &[]).is_none());
    }

    #[test]
    fn the_journal_identity_never_holds_a_card_code_or_an_agent_key() {
        let client = offline_client();
        let op = Transfer::new(
            Arc::clone(&client),
            CardKey::new("15916888888", "wNaa1GDw"),
            CardKey::new("15916888889", "Zq7pLm3x"),
            5,
        );
        let codes = vec!["Zq7pLm3x".to_owned(), "wNaa1GDw".to_owned()];
        let identity = assert_round_trip(&op, &codes);
        let printed = format!("{identity:?} {op:?}");
        assert!(
            !printed.contains("wNaa1GDw") && !printed.contains("Zq7pLm3x"),
            "{printed}"
        );
        assert_eq!(
            identity.serial,
            format!("espai:card:15916888888:{}", code_fingerprint("wNaa1GDw"))
        );
        // Unchanged since the first journals (they must still resume).
        assert_eq!(
            identity.request,
            json!({
                "from_phone": "15916888888",
                "from_code_sha256": code_fingerprint("wNaa1GDw"),
                "to_phone": "15916888889",
                "to_code_sha256": code_fingerprint("Zq7pLm3x"),
                "amount": 5,
            })
        );
        // Without the codes, a transfer is not rebuilt.
        assert!(Transfer::from_intent(Arc::clone(&client), &intent_of(&identity), &[]).is_none());

        let unbind = Op::of(
            Arc::clone(&client),
            UnbindDeviceMacRequest {
                agent_key: "agent-key-4f1e".into(),
                mac: "FC:01:2C:DB:14:30".into(),
            },
        );
        let keys = unbind.request().secrets();
        let identity = assert_round_trip(&unbind, &keys);
        let printed = format!("{identity:?} {unbind:?}");
        assert!(!printed.contains("agent-key-4f1e"), "{printed}");
        assert!(from_intent(client, &intent_of(&identity), &[]).is_none());
    }

    #[test]
    fn the_agent_and_device_operations_are_serialised_on_the_account() {
        let client = offline_client();
        let ids = vec!["ab6ed07786074f4896d7fbeb9194d08a".to_owned()];
        let identities = [
            assert_round_trip(
                &Op::of(
                    Arc::clone(&client),
                    AddAgentRequest {
                        card_id: "772868ead56c48d68fd1924aa5ec3aac".into(),
                        name: "琳琅".into(),
                    },
                ),
                &[],
            ),
            assert_round_trip(
                &Op::of(
                    Arc::clone(&client),
                    RemoveRequest {
                        what: Removal::Agents,
                        ids: ids.clone(),
                    },
                ),
                &[],
            ),
            assert_round_trip(
                &Op::of(
                    Arc::clone(&client),
                    RemoveRequest {
                        what: Removal::Devices,
                        ids,
                    },
                ),
                &[],
            ),
        ];
        for identity in &identities {
            assert_eq!(identity.serial, ACCOUNT);
            let op = from_intent(Arc::clone(&client), &intent_of(identity), &[]).unwrap();
            assert_eq!(&op.identity(), identity);
        }
        let bad = UnbindDeviceMacRequest {
            agent_key: "k".into(),
            mac: "b93ec353967441ada8d31b4910a3032d".into(),
        };
        assert!(bad.check().is_err());
        let none = RemoveRequest {
            what: Removal::Agents,
            ids: vec![],
        };
        assert!(none.check().is_err());
    }
}
