//! The ESP-AI account: quota cards, their owners and the usage log.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::clock::epoch_millis;
use crate::ids::hex_id;

/// An ESP-AI quota card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Card {
    /// 32 hex digits.
    pub id: String,
    /// The redemption code (兑换码).
    pub code: String,
    /// The owner's id (32 hex digits).
    pub user_id: String,
    /// The owner's phone.
    pub user_phone: String,
    /// The owner's name.
    pub user_name: String,
    /// The type text: `"0"` (free) or `"1"`..`"5"` (paid).
    pub card_type: String,
    /// The remaining quota (`api_limit`).
    pub quota: u64,
    /// Epoch milliseconds.
    pub create_time: i64,
    /// Epoch milliseconds of the last change.
    pub update_time: Option<i64>,
}

impl Card {
    /// Paid cards are types 1 to 5.
    pub fn is_paid(&self) -> bool {
        matches!(self.card_type.as_str(), "1" | "2" | "3" | "4" | "5")
    }
}

/// One ESP-AI usage-log row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UsageLog {
    pub id: String,
    pub create_time: i64,
    /// `"1"`: quota received by transfer; `"2"`: quota given away by transfer.
    #[serde(deserialize_with = "log_type")]
    pub log_type: crate::persist::StaticStr,
    pub user_id: String,
    pub cdkey_id: String,
    pub api_limit: u64,
    pub user_name: String,
    pub user_phone: String,
}

/// The ESP-AI side: the account the open API key belongs to, people, cards, usage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Cards {
    /// The id of the ESP-AI account the open API key belongs to.
    pub account: String,
    /// Each person by phone: (user id, name).
    pub people: HashMap<String, (String, String)>,
    pub cards: Vec<Card>,
    pub usage: Vec<UsageLog>,
    pub next_order: u64,
    /// The agents (超体) and devices (`equipment/*`, `devices/*`).
    pub fleet: super::agents::Fleet,
}

/// A usage-log type read back from a state file: one of the two the sandbox writes.
fn log_type<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    crate::persist::one_of(d, &["1", "2"])
}

impl Cards {
    /// An account with this id, and nothing else yet.
    pub(crate) fn new(account: String) -> Cards {
        Cards {
            account,
            people: HashMap::new(),
            cards: Vec::new(),
            usage: Vec::new(),
            next_order: 1,
            fleet: super::agents::Fleet::seeded(),
        }
    }

    /// The person with this phone, created on first use (the first one is the account's
    /// owner): (user id, name).
    pub(crate) fn person(
        &mut self,
        phone: &str,
        name: &str,
        rng: &mut fastrand::Rng,
    ) -> (String, String) {
        if let Some(p) = self.people.get(phone) {
            return p.clone();
        }
        let id = if self.people.is_empty() {
            self.account.clone()
        } else {
            hex_id(rng)
        };
        let person = (id, name.to_owned());
        self.people.insert(phone.to_owned(), person.clone());
        person
    }

    /// Gives the card `id` the id `to` (the documentation's example ids).
    pub(crate) fn rename_card(&mut self, id: &str, to: &str) {
        if let Some(card) = self.cards.iter_mut().find(|c| c.id == id) {
            card.id = to.to_owned();
        }
    }

    /// Adds a card; returns its id.
    pub(crate) fn add_card(
        &mut self,
        phone: &str,
        code: &str,
        card_type: &str,
        quota: u64,
        rng: &mut fastrand::Rng,
    ) -> String {
        let (user_id, user_name) = self.person(phone, "琳琅", rng);
        let id = hex_id(rng);
        self.cards.push(Card {
            id: id.clone(),
            code: code.to_owned(),
            user_id,
            user_phone: phone.to_owned(),
            user_name,
            card_type: card_type.to_owned(),
            quota,
            create_time: epoch_millis(),
            update_time: None,
        });
        id
    }
}
