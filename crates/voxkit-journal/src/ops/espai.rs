//! ESP-AI's non-repeatable operations as [`Declared`](super::Declared) requests (each an
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

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use voxkit_core::{Error, ExposeSecret, Origin, SecretString};
use voxkit_espai::{CardKey, Client, NewAgent, OPERATIONS, marked_agent_name};

use super::{Journaled, Op, resolve, text};
use crate::{ExactlyOnce, Intent};

provider! {
    /// Espai as the operations of this module name it.
    Espai: Client, PROVIDER, OPERATIONS
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

/// A card: its phone under `<key>_phone`, its code's fingerprint under `<key>_code_sha256`
/// (the code is a secret, see the module docs).
impl Journaled for CardKey {
    fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
        request.insert(format!("{key}_phone"), json!(self.phone));
        let fingerprint = code_fingerprint(&self.code);
        request.insert(format!("{key}_code_sha256"), json!(fingerprint));
    }

    fn read(request: &Value, key: &'static str, secrets: &[String]) -> Option<Self> {
        Some(CardKey::new(
            text(request, &format!("{key}_phone"))?,
            secret_of(request, &format!("{key}_code_sha256"), secrets)?,
        ))
    }

    fn secrets(&self, secrets: &mut Vec<String>) {
        secrets.push(self.code.clone());
    }
}

/// A credential (an agent's key): its fingerprint, never itself (see the module docs).
impl Journaled for SecretString {
    fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
        request.insert(key.into(), json!(code_fingerprint(self.expose_secret())));
    }

    fn read(request: &Value, key: &'static str, secrets: &[String]) -> Option<Self> {
        Some(secret_of(request, key, secrets)?.into())
    }

    fn secrets(&self, secrets: &mut Vec<String>) {
        secrets.push(self.expose_secret().to_owned());
    }
}

declared! {
    /// One quota transfer between two cards.
    #[derive(Clone, PartialEq, Eq)]
    pub struct TransferRequest for Espai {
        /// The source card (its usage log shows the transfer).
        pub from: CardKey => "from",
        /// The target card.
        pub to: CardKey => "to",
        /// How much quota.
        pub amount: u64 => "amount",
    }
    names: [TRANSFER],
    serial: |r| format!("espai:card:{}:{}", r.from.phone, code_fingerprint(&r.from.code)),
    // The marker has no field to travel in and is ignored.
    send: |r, client, _| {
        let ack = client.transfer(&r.from, &r.to, r.amount).await?;
        Ok(json!({ "message": ack.message }))
    },
    reconcile: |r, client, _, since| {
        client
            .reconcile_transfer(&r.from, &r.to, r.amount, SystemTime::from(since))
            .await
    },
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

declared! {
    /// Destroying one quota card by its id (销毁额度卡): read back in the card list
    /// ([`Client::reconcile_destroy`]: gone → applied); the card must be listed before, as
    /// [`destroy_exactly_once`](Client::destroy_exactly_once) requires. The card id is not a
    /// secret (it is no redemption code); the serial key is the card's id.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DestroyRequest for Espai {
        /// The card's id.
        pub id: String => "id",
    }
    names: [DESTROY],
    read_back: |_| {
        "the card is not in the account's card list (it never existed or is already destroyed)"
    },
    serial: |r| format!("espai:card-id:{}", r.id),
    send: |r, client, _| {
        let ack = client.destroy(&[r.id.as_str()]).await?;
        Ok(json!({ "message": ack.message, "destroyed": [r.id] }))
    },
    reconcile: |r, client, _, _| client.reconcile_destroy(&[r.id.as_str()]).await,
}

/// Destroying a card, applied exactly once by the [`Runner`](crate::Runner).
pub type Destroy = Op<DestroyRequest>;

impl Destroy {
    /// Destroying the card `id`.
    pub fn new(client: Arc<Client>, id: impl Into<String>) -> Self {
        Op::of(client, DestroyRequest { id: id.into() })
    }
}

declared! {
    /// An agent added (新增超体) on a card: the marker is appended to its name
    /// ([`marked_agent_name`]) and found in the agent list ([`Client::reconcile_add_agent`]).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct AddAgentRequest for Espai {
        /// `cdkey_id`: the card the agent spends.
        pub card_id: String => "card_id",
        /// The agent's name, before its marker.
        pub name: String => "name",
    }
    names: ["add_agent"],
    serial: |_| ACCOUNT.to_owned(),
    check: |r| {
        let origin = Origin::new(PROVIDER, "add_agent");
        let max = voxkit_espai::MAX_TOKEN_BYTES;
        voxkit_core::check::token(origin, "card id", &r.card_id, max)?;
        voxkit_core::check::text(origin, "name", &r.name, voxkit_espai::MAX_TEXT_CHARS)
    },
    // Sends the agent under its marked name. The evidence is its id and name, never its
    // `api_key`.
    send: |r, client, marker| {
        let name = marked_agent_name(&r.name, marker);
        let agent = client
            .add_agent(&NewAgent::new(r.card_id.as_str(), name.as_str()))
            .await?;
        Ok(json!({ "id": agent.id, "name": agent.name }))
    },
    reconcile: |_, client, marker, _| client.reconcile_add_agent(marker).await,
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

declared! {
    /// Agents deleted or devices unbound by id, read back in the account's list: all must be
    /// listed before anything is sent.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RemoveRequest for Espai {
        /// Agents or devices.
        pub what: Removal => operation,
        /// Their ids, each once.
        pub ids: Vec<String> => "ids",
    }
    names: [what: Removal::Agents => "delete_agents", Removal::Devices => "unbind_devices"],
    read_back: |r| match r.what {
        Removal::Agents => "an agent to delete is not in the agent list",
        Removal::Devices => "a device to unbind is not in the device list",
    },
    serial: |_| ACCOUNT.to_owned(),
    // At least one id, each a token, each once.
    check: |r| {
        let origin = Origin::new(PROVIDER, r.name());
        if r.ids.is_empty() {
            return Err(Error::invalid_input(origin, "no id given"));
        }
        for id in &r.ids {
            voxkit_core::check::token(origin, "id", id, voxkit_espai::MAX_TOKEN_BYTES)?;
        }
        voxkit_core::check::unique(origin, "ids", &r.ids)
    },
    send: |r, client, _| {
        let ack = match r.what {
            Removal::Agents => client.delete_agents(&r.ids).await?,
            Removal::Devices => client.unbind_devices(&r.ids).await?,
        };
        Ok(json!({ "message": ack.message, "removed": r.ids }))
    },
    reconcile: |r, client, _, _| match r.what {
        Removal::Agents => client.reconcile_delete_agents(&r.ids).await,
        Removal::Devices => client.reconcile_unbind_devices(&r.ids).await,
    },
}

declared! {
    /// A device unbound from an agent by its MAC (根据MAC解绑设备): gone from the agent's
    /// device list afterwards ([`Client::reconcile_unbind_device_mac`]); it must be bound
    /// before. The agent's key is a credential: fingerprinted in the journal (see the module
    /// docs).
    #[derive(Clone)]
    pub struct UnbindDeviceMacRequest for Espai {
        /// The agent's `api_key`.
        pub agent_key: SecretString => "agent_key_sha256",
        /// The device's MAC, `FC:01:2C:DB:14:30`.
        pub mac: String => "mac",
    }
    names: ["unbind_device_mac"],
    read_back: |_| "no device with this MAC is bound to the agent",
    serial: |_| ACCOUNT.to_owned(),
    // The MAC's shape (six hex pairs joined by `:`), as the client checks it.
    check: |r| voxkit_espai::check_mac(Origin::new(PROVIDER, "unbind_device_mac"), &r.mac),
    send: |r, client, _| {
        let ack = client.unbind_device_by_mac(&r.agent_key, &r.mac).await?;
        Ok(json!({ "message": ack.message, "unbound": r.mac }))
    },
    reconcile: |r, client, _, _| client.reconcile_unbind_device_mac(&r.agent_key, &r.mac).await,
}

impl std::fmt::Debug for UnbindDeviceMacRequest {
    /// Never the agent's key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnbindDeviceMac")
            .field("mac", &self.mac)
            .finish_non_exhaustive()
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
    use super::super::{Declared, assert_request_round_trip, assert_round_trip, intent_of};
    use super::*;
    use voxkit_core::Reconciliation;

    /// A client that is never used to send: plain HTTP to loopback, so that the tests need
    /// no TLS backend (a `-p voxkit-journal` build may have none).
    fn offline_client() -> Arc<Client> {
        let builder = Client::builder().base_url("http://127.0.0.1:9");
        Arc::new(builder.allow_http(true).api_key("t").build().unwrap())
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
            assert_request_round_trip(
                &client,
                AddAgentRequest {
                    card_id: "772868ead56c48d68fd1924aa5ec3aac".into(),
                    name: "琳琅".into(),
                },
            ),
            assert_request_round_trip(
                &client,
                RemoveRequest {
                    what: Removal::Agents,
                    ids: ids.clone(),
                },
            ),
            assert_request_round_trip(
                &client,
                RemoveRequest {
                    what: Removal::Devices,
                    ids,
                },
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
