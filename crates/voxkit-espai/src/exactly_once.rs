//! Exactly once for the card operations: after a lost answer ([`Error::OutcomeUnknown`]) a
//! transfer is looked for in the usage logs (`balance_logs`), a destroy in the card list.
//! An order (`pay`) cannot be reconciled; what asking again costs is at
//! [`Client::pay_exactly_once`].
//!
//! # What a transfer's reconciliation can and cannot tell
//!
//! A transfer request has no field to carry a marker, and a usage-log row names neither the
//! other card nor the request. So a transfer is matched by what it did: a row of the
//! **source** card's log written after the intent with the amount, paired with a row of
//! the **target** card's log with the same amount written within
//! [`TRANSFER_PAIR_WINDOW`] of it (the counterpart). Two such pairs are
//! [`Verdict::Undetermined`], never a guess: two concurrent transfers of the same amount
//! between the same two cards cannot be told apart. Serialise the operations on a card
//! (the voxkit journal does: one intent per source card in flight) and this cannot happen.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::TryStreamExt;
use serde_json::json;
use voxkit_core::reconcile::{
    MARKER_ALPHABET, MARKER_LEN, MARKER_PREFIX, run_exactly_once, run_once_unreconcilable,
};
use voxkit_core::{
    Error, ExactlyOnceOutcome, ExposeSecret, Marker, ReconcileWait, SecretString, Verdict,
};

use crate::agents::{ADD_AGENT, DELETE_AGENTS};
use crate::devices::{UNBIND_DEVICE_MAC, UNBIND_DEVICES};
use crate::orders::PAY;
use crate::transfers::DESTROY;
use crate::{
    Agent, AgentFilter, BalanceLog, BalanceLogQuery, CardFilter, CardKey, Client, Commodity,
    DeviceFilter, NewAgent, OrderKind,
};

/// How much older than the intent a usage-log row may be and still count as written after
/// it: the clocks of this host and the provider may differ by this much.
pub const LOG_CLOCK_SKEW: Duration = Duration::from_secs(120);

/// The longest time between the source card's row and the target card's row of one
/// transfer (the sandbox writes both at the same instant; the provider's gap is not
/// documented).
pub const TRANSFER_PAIR_WINDOW: Duration = Duration::from_secs(5);

/// What ESP-AI answers for a card it does not know, without a code: also the answer for
/// another account's card, which an account's key cannot see.
pub const CARD_NOT_FOUND: &str = "额度卡不存在";

/// Whether the error is [`CARD_NOT_FOUND`].
fn card_not_visible(error: &Error) -> bool {
    matches!(error, Error::Api { message, .. } if message.trim() == CARD_NOT_FOUND)
}

/// Epoch milliseconds of a time (0 before the epoch).
fn millis(at: SystemTime) -> i128 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i128)
        .unwrap_or_default()
}

/// A usage-log row as evidence.
fn log_json(log: &BalanceLog) -> serde_json::Value {
    json!({
        "id": log.id,
        "cdkey_id": log.cdkey_id,
        "api_limit": log.api_limit,
        "type": log.log_type,
        "create_time": log.create_time.map(millis),
    })
}

impl Client {
    /// Every row of the card's usage log written at or after `from`; `None` when the key
    /// cannot see the card (another account's card answers as unknown, [`CARD_NOT_FOUND`]);
    /// an error or an incomplete log is the reason no conclusion is possible.
    ///
    /// `role` names the card in the reasons ("source", "target"): never its code, which is a
    /// secret and would end up in the journal with the reason.
    async fn log_since(
        &self,
        role: &str,
        card: &CardKey,
        from: SystemTime,
    ) -> Result<Option<Vec<BalanceLog>>, String> {
        let id = match self.card(card).await {
            Ok(found) => found.id,
            Err(e) if card_not_visible(&e) => return Ok(None),
            Err(e) => return Err(format!("the {role} card could not be read: {e}")),
        };
        let rows: Vec<BalanceLog> = self
            .logs(BalanceLogQuery::card(id))
            .try_collect()
            .await
            .map_err(|e| {
                format!("the usage log of the {role} card could not be read in full: {e}")
            })?;
        // A row without a time cannot be placed after the intent: keep it, so that it
        // counts as a candidate (and makes the verdict undetermined rather than wrong).
        Ok(Some(
            rows.into_iter()
                .filter(|r| r.create_time.is_none_or(|t| t >= from))
                .collect(),
        ))
    }

    /// Whether a transfer of `amount` from `from` to `to`, sent at or after `since`, was
    /// applied: exactly one row of the source card's usage log with the amount, paired with
    /// a row of the target card's log with the amount (the counterpart) →
    /// [`Verdict::Applied`] (both rows as evidence); none over the complete logs →
    /// [`Verdict::NotApplied`]; two pairs, or a log that cannot be read in full →
    /// [`Verdict::Undetermined`]. See the module docs on concurrent transfers. Only reads.
    ///
    /// A target card of another account cannot be read with this key (it answers
    /// [`CARD_NOT_FOUND`]): then the source card's log alone can prove only the negative.
    /// No row of the amount → [`Verdict::NotApplied`]; a row of the amount →
    /// [`Verdict::Undetermined`], never `Applied`: the meaning of a log row's `type` and
    /// the sign of its `api_limit` are not documented, so without the counterpart row a
    /// transfer cannot be told from a use of the card of the same amount, and calling it
    /// applied could lose the transfer silently.
    pub async fn reconcile_transfer(
        &self,
        from: &CardKey,
        to: &CardKey,
        amount: u64,
        since: SystemTime,
    ) -> Verdict {
        let after = since.checked_sub(LOG_CLOCK_SKEW).unwrap_or(UNIX_EPOCH);
        let (source, target) = match (
            self.log_since("source", from, after).await,
            self.log_since("target", to, after).await,
        ) {
            (Ok(Some(s)), Ok(t)) => (s, t),
            (Ok(None), _) => {
                return Verdict::Undetermined(
                    "the source card is not in this account's card list".to_owned(),
                );
            }
            (Err(why), _) | (_, Err(why)) => return Verdict::Undetermined(why),
        };
        let amount = i128::from(amount);
        let moved = |row: &&BalanceLog| i128::from(row.api_limit).abs() == amount;
        let window = TRANSFER_PAIR_WINDOW.as_millis() as i128;
        let pairs: Vec<(&BalanceLog, Option<&BalanceLog>)> = match &target {
            Some(target) => source
                .iter()
                .filter(moved)
                .filter_map(|s| {
                    target
                        .iter()
                        .filter(moved)
                        .find(|t| match (s.create_time, t.create_time) {
                            (Some(a), Some(b)) => (millis(a) - millis(b)).abs() <= window,
                            // No time to pair by: a candidate, never a proof.
                            _ => true,
                        })
                        .map(|t| (s, Some(t)))
                })
                .collect(),
            None => source.iter().filter(moved).map(|s| (s, None)).collect(),
        };
        if target.is_none() && !pairs.is_empty() {
            return Verdict::Undetermined(format!(
                "{} row(s) of {amount} on the source card since the intent (rows {:?}), and the \
                 target card belongs to another account, so its counterpart row cannot be read: \
                 a transfer cannot be told from a use of the card of the same amount",
                pairs.len(),
                pairs.iter().map(|(s, _)| s.id.as_str()).collect::<Vec<_>>(),
            ));
        }
        match pairs.as_slice() {
            [] => Verdict::NotApplied,
            [(s, t)] => Verdict::Applied(json!({
                "source": log_json(s),
                "target": t.map(log_json),
            })),
            many => Verdict::Undetermined(format!(
                "{} transfers of {amount} from the source card to the target card since the \
                 intent (source rows {:?}): concurrent transfers of one amount between two cards \
                 are indistinguishable",
                many.len(),
                many.iter().map(|(s, _)| s.id.as_str()).collect::<Vec<_>>()
            )),
        }
    }

    /// Whether destroying the cards `ids` was applied: every id gone from the card list →
    /// [`Verdict::Applied`]; every id still listed → [`Verdict::NotApplied`]; some gone and
    /// some not, or a list that cannot be read → [`Verdict::Undetermined`]. Only meaningful
    /// for ids that existed when the destroy was sent (an id that never existed is "gone").
    pub async fn reconcile_destroy<S: AsRef<str> + Sync>(&self, ids: &[S]) -> Verdict {
        let mut gone = Vec::new();
        let mut present = Vec::new();
        for id in ids.iter().map(AsRef::as_ref) {
            match self.list_cards(&CardFilter::new().id(id)).await {
                Ok(page) if page.items.iter().any(|card| card.id == id) => present.push(id),
                Ok(_) => gone.push(id),
                Err(e) => {
                    return Verdict::Undetermined(format!("the card list could not be read: {e}"));
                }
            }
        }
        match (gone.is_empty(), present.is_empty()) {
            (false, true) => Verdict::Applied(json!({ "destroyed": gone })),
            (true, _) => Verdict::NotApplied,
            (false, false) => Verdict::Undetermined(format!(
                "cards {gone:?} are gone but {present:?} are still listed"
            )),
        }
    }

    /// [`Client::transfer`] exactly once: a lost answer is reconciled in the usage logs
    /// ([`Client::reconcile_transfer`]) with the bounded wait of `wait`, and the same
    /// transfer is sent once more only when it was proven not applied. A refusal is
    /// returned as the error, as by `transfer`. The outcome carries no marker: a transfer
    /// has no field for one.
    pub async fn transfer_exactly_once(
        &self,
        from: &CardKey,
        to: &CardKey,
        amount: u64,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let since = SystemTime::now();
        run_exactly_once(
            None,
            wait,
            || async {
                let ack = self.transfer(from, to, amount).await?;
                Ok(json!({ "message": ack.message }))
            },
            || self.reconcile_transfer(from, to, amount, since),
        )
        .await
    }

    /// [`Client::destroy`] exactly once: a lost answer is reconciled in the card list
    /// ([`Client::reconcile_destroy`]), re-sent once when every card is still there.
    ///
    /// Every id must be in the account's card list before anything is sent (else
    /// [`Error::InvalidInput`]): "gone afterwards" proves the destroy only for a card that
    /// was listed before it.
    pub async fn destroy_exactly_once<S: AsRef<str> + Sync>(
        &self,
        ids: &[S],
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        if ids.is_empty() {
            return Err(Error::invalid_input(
                DESTROY.origin(),
                "no card id to destroy",
            ));
        }
        if self.reconcile_destroy(ids).await != Verdict::NotApplied {
            return Err(Error::invalid_input(
                DESTROY.origin(),
                "every card to destroy must be in the account's card list before it is \
                 destroyed, or its destruction could not be reconciled",
            ));
        }
        run_exactly_once(
            None,
            wait,
            || async {
                let ack = self.destroy(ids).await?;
                Ok(json!({ "message": ack.message }))
            },
            || self.reconcile_destroy(ids),
        )
        .await
    }

    /// [`Client::pay`] with the exactly-once calls' typed outcome: sent **once**, never
    /// re-sent. An answer is [`ExactlyOnceOutcome::Applied`] (the payment URL as evidence);
    /// a lost answer is [`ExactlyOnceOutcome::Undetermined`] at once, with the
    /// declaration's reason: the request carries no marker and nothing lists orders.
    ///
    /// **What asking again costs.** `pay` moves no money: it creates an unpaid order and
    /// answers with its payment URL, and money moves only when a person opens a URL and
    /// pays. An order whose answer was lost has a URL nobody received, so it can never be
    /// paid by mistake; calling [`Client::pay`] again creates one more unpaid order (one
    /// more row in the account's order records, should the provider keep them) and a new
    /// URL, and charges nothing. So after `Undetermined`, asking again is safe; what must
    /// never happen twice is *paying*, which is the person's step, not this call's.
    pub async fn pay_exactly_once(
        &self,
        commodity: Commodity,
        kind: OrderKind,
    ) -> Result<ExactlyOnceOutcome, Error> {
        run_once_unreconcilable(&PAY, || async {
            let url = self.pay(commodity, kind).await?;
            Ok(json!({ "payment_url": url }))
        })
        .await
    }
}

/// The longest agent name voxkit sends ([`crate::MAX_TEXT_CHARS`]; the documentation gives
/// no limit): [`marked_agent_name`] keeps the name with its marker within it.
pub const AGENT_NAME_MAX_CHARS: usize = crate::MAX_TEXT_CHARS;

/// An agent name carrying `marker`: the caller's name kept readable, the marker appended
/// after a space, all within [`AGENT_NAME_MAX_CHARS`]. Agent names need not be unique, so
/// the marker is what lets [`Client::add_agent_exactly_once`] find that one agent again
/// after a lost answer; build the [`NewAgent`] it is given with this name.
///
/// ```
/// use voxkit_core::Marker;
/// let marker = Marker::from_stored("vk0123456789abcd");
/// assert_eq!(voxkit_espai::marked_agent_name("琳琅", &marker), "琳琅 vk0123456789abcd");
/// ```
pub fn marked_agent_name(name: &str, marker: &Marker) -> String {
    marker.with_text(name, AGENT_NAME_MAX_CHARS)
}

/// The marker an agent name carries as its last word, if any (see [`marked_agent_name`]).
fn marker_in_name(name: &str) -> Option<Marker> {
    let word = name.split_whitespace().last()?;
    let ok = word.len() == MARKER_LEN
        && word.starts_with(MARKER_PREFIX)
        && word.as_bytes()[MARKER_PREFIX.len()..]
            .iter()
            .all(|b| MARKER_ALPHABET.contains(b));
    ok.then(|| Marker::from_stored(word))
}

/// An agent as evidence: its id and name, never its `api_key` nor its config (secrets
/// that would end up in the journal).
fn agent_json(agent: &Agent) -> serde_json::Value {
    json!({ "id": agent.id, "name": agent.name })
}

/// Which of `ids` are still listed: `Applied` when none is (the ids as evidence under
/// `key`), `NotApplied` when all are, `Undetermined` when some are.
fn gone_or_present(key: &str, what: &str, ids: &[&str], listed: &[String]) -> Verdict {
    let (present, gone): (Vec<&str>, Vec<&str>) =
        ids.iter().partition(|id| listed.iter().any(|l| l == *id));
    match (gone.is_empty(), present.is_empty()) {
        (false, true) => Verdict::Applied(json!({ key: gone })),
        (true, _) => Verdict::NotApplied,
        (false, false) => Verdict::Undetermined(format!(
            "{what} {gone:?} are gone but {present:?} are still listed"
        )),
    }
}

impl Client {
    /// Whether the agent whose name carries `marker` was added: every page of the agent
    /// list read (unfiltered: whether the list's `name` filter is exact or fuzzy is not
    /// documented), and the names holding the marker as a word counted. Exactly one →
    /// [`Verdict::Applied`] (its id and name as evidence); none → [`Verdict::NotApplied`];
    /// two, or a list that cannot be read in full → [`Verdict::Undetermined`]. Only reads.
    pub async fn reconcile_add_agent(&self, marker: &Marker) -> Verdict {
        let agents: Vec<Agent> = match self.agents(AgentFilter::new()).try_collect().await {
            Ok(agents) => agents,
            Err(e) => {
                return Verdict::Undetermined(format!(
                    "the agent list could not be read in full: {e}"
                ));
            }
        };
        let found: Vec<&Agent> = agents
            .iter()
            .filter(|a| a.name.as_deref().is_some_and(|n| marker.found_in(n)))
            .collect();
        match found.as_slice() {
            [] => Verdict::NotApplied,
            [agent] => Verdict::Applied(agent_json(agent)),
            many => Verdict::Undetermined(format!(
                "{} agents carry the marker {marker} (ids {:?})",
                many.len(),
                many.iter().map(|a| a.id.as_str()).collect::<Vec<_>>()
            )),
        }
    }

    /// [`Client::add_agent`] exactly once. The agent's name must end with a marker
    /// ([`marked_agent_name`]; else [`Error::InvalidInput`], nothing sent); a lost answer
    /// is looked for in the agent list ([`Client::reconcile_add_agent`]) with the bounded
    /// wait of `wait`, and the same agent is sent once more only when no agent carries the
    /// marker. The evidence is the agent's id and name, never its `api_key`: after a
    /// reconciled answer, read the key with [`Client::list_agents`].
    pub async fn add_agent_exactly_once(
        &self,
        agent: &NewAgent,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let Some(marker) = marker_in_name(&agent.name) else {
            return Err(Error::invalid_input(
                ADD_AGENT.origin(),
                "the agent name carries no marker: build it with marked_agent_name",
            ));
        };
        run_exactly_once(
            Some(&marker),
            wait,
            || async {
                let added = self.add_agent(agent).await?;
                Ok(agent_json(&added))
            },
            || self.reconcile_add_agent(&marker),
        )
        .await
    }

    /// Whether deleting the agents `ids` was applied: every id gone from the agent list
    /// (every page) → [`Verdict::Applied`]; every id still listed → [`Verdict::NotApplied`];
    /// some gone and some not, or a list that cannot be read in full →
    /// [`Verdict::Undetermined`]. Only meaningful for ids that were listed when the delete
    /// was sent (an id that never existed is "gone").
    pub async fn reconcile_delete_agents<S: AsRef<str> + Sync>(&self, ids: &[S]) -> Verdict {
        let listed: Vec<String> = match self
            .agents(AgentFilter::new())
            .map_ok(|a| a.id)
            .try_collect()
            .await
        {
            Ok(listed) => listed,
            Err(e) => {
                return Verdict::Undetermined(format!(
                    "the agent list could not be read in full: {e}"
                ));
            }
        };
        let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
        gone_or_present("deleted", "agents", &ids, &listed)
    }

    /// [`Client::delete_agents`] exactly once: a lost answer is reconciled in the agent
    /// list ([`Client::reconcile_delete_agents`]), re-sent once when every agent is still
    /// there.
    ///
    /// Every id must be in the agent list before anything is sent (else
    /// [`Error::InvalidInput`]): "gone afterwards" proves the delete only for an agent that
    /// was listed before it.
    pub async fn delete_agents_exactly_once<S: AsRef<str> + Sync>(
        &self,
        ids: &[S],
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let origin = DELETE_AGENTS.origin();
        crate::agents::id_array(origin, "agent id", ids)?;
        listed_before(origin, "agent", self.reconcile_delete_agents(ids).await)?;
        run_exactly_once(
            None,
            wait,
            || async {
                let ack = self.delete_agents(ids).await?;
                Ok(json!({ "message": ack.message }))
            },
            || self.reconcile_delete_agents(ids),
        )
        .await
    }

    /// Whether unbinding the devices `ids` was applied: every id gone from the device list
    /// (every page; the list has no id filter) → [`Verdict::Applied`]; every id still
    /// listed → [`Verdict::NotApplied`]; some gone and some not, or a list that cannot be
    /// read in full → [`Verdict::Undetermined`]. Only reads.
    pub async fn reconcile_unbind_devices<S: AsRef<str> + Sync>(&self, ids: &[S]) -> Verdict {
        let listed: Vec<String> = match self
            .devices(DeviceFilter::new())
            .map_ok(|d| d.id)
            .try_collect()
            .await
        {
            Ok(listed) => listed,
            Err(e) => {
                return Verdict::Undetermined(format!(
                    "the device list could not be read in full: {e}"
                ));
            }
        };
        let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
        gone_or_present("unbound", "devices", &ids, &listed)
    }

    /// [`Client::unbind_devices`] exactly once: a lost answer is reconciled in the device
    /// list ([`Client::reconcile_unbind_devices`]), re-sent once when every device is still
    /// there. Every id must be listed before anything is sent (else
    /// [`Error::InvalidInput`]).
    pub async fn unbind_devices_exactly_once<S: AsRef<str> + Sync>(
        &self,
        ids: &[S],
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let origin = UNBIND_DEVICES.origin();
        crate::agents::id_array(origin, "device id", ids)?;
        listed_before(origin, "device", self.reconcile_unbind_devices(ids).await)?;
        run_exactly_once(
            None,
            wait,
            || async {
                let ack = self.unbind_devices(ids).await?;
                Ok(json!({ "message": ack.message }))
            },
            || self.reconcile_unbind_devices(ids),
        )
        .await
    }

    /// Whether unbinding the device with `mac` from the agent whose key is
    /// `agent_api_key` was applied: the device list filtered by that key and that MAC
    /// (every page) no longer holds the MAC → [`Verdict::Applied`]; it still does →
    /// [`Verdict::NotApplied`]; a list that cannot be read in full →
    /// [`Verdict::Undetermined`]. The key appears in no verdict. Only reads.
    pub async fn reconcile_unbind_device_mac(
        &self,
        agent_api_key: &SecretString,
        mac: &str,
    ) -> Verdict {
        let filter = DeviceFilter::new()
            .agent_api_key(agent_api_key.expose_secret())
            .mac(mac);
        let macs: Vec<Option<String>> =
            match self.devices(filter).map_ok(|d| d.mac).try_collect().await {
                Ok(macs) => macs,
                Err(e) => {
                    return Verdict::Undetermined(format!(
                        "the device list could not be read in full: {e}"
                    ));
                }
            };
        if macs
            .iter()
            .flatten()
            .any(|listed| listed.eq_ignore_ascii_case(mac))
        {
            Verdict::NotApplied
        } else {
            Verdict::Applied(json!({ "unbound": mac }))
        }
    }

    /// [`Client::unbind_device_by_mac`] exactly once: a lost answer is reconciled in the
    /// device list of the agent ([`Client::reconcile_unbind_device_mac`]), re-sent once when
    /// the device is still bound. The device must be bound to the agent before anything is
    /// sent (else [`Error::InvalidInput`]).
    ///
    /// Why exactly once and not a plain repeat: the MAC and the agent are a natural key. A
    /// device unbound by the first send and bound again (re-paired) before a blind repeat
    /// would be unbound a second time.
    pub async fn unbind_device_by_mac_exactly_once(
        &self,
        agent_api_key: &SecretString,
        mac: &str,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let origin = UNBIND_DEVICE_MAC.origin();
        crate::devices::check_mac(origin, mac)?;
        listed_before(
            origin,
            "device",
            self.reconcile_unbind_device_mac(agent_api_key, mac).await,
        )?;
        run_exactly_once(
            None,
            wait,
            || async {
                let ack = self.unbind_device_by_mac(agent_api_key, mac).await?;
                Ok(json!({ "message": ack.message, "unbound": mac }))
            },
            || self.reconcile_unbind_device_mac(agent_api_key, mac),
        )
        .await
    }
}

/// The check before a delete or an unbind is sent: its read-back (`before`) must say "not
/// applied", i.e. everything named is listed now; else nothing is sent.
fn listed_before(origin: voxkit_core::Origin, what: &str, before: Verdict) -> Result<(), Error> {
    match before {
        Verdict::NotApplied => Ok(()),
        Verdict::Undetermined(why) => Err(Error::invalid_input(
            origin,
            format!(
                "every {what} must be listed before it is removed, or its removal could not be \
                 reconciled, and that could not be confirmed ({why}); nothing was sent"
            ),
        )),
        Verdict::Applied(_) => Err(Error::invalid_input(
            origin,
            format!(
                "every {what} must be listed before it is removed, or its removal could not be \
                 reconciled; nothing was sent"
            ),
        )),
    }
}
