//! The in-memory state of the three simulated providers.

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;

use crate::{Fault, Seed};

/// A longlonglong user (主账号).
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub kind: &'static str,
    /// When, China time.
    pub at: NaiveDateTime,
}

/// A longlonglong sub-account.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// An ESP-AI quota card.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UsageLog {
    pub id: String,
    pub create_time: i64,
    /// `"1"`: quota received by transfer; `"2"`: quota given away by transfer.
    pub log_type: &'static str,
    pub user_id: String,
    pub cdkey_id: String,
    pub api_limit: u64,
    pub user_name: String,
    pub user_phone: String,
}

/// The Laaffic account.
#[derive(Debug, Clone)]
pub(crate) struct Laaffic {
    pub balance: Decimal,
    pub gift: Decimal,
    pub credit: Decimal,
}

/// Everything.
pub(crate) struct State {
    pub rng: fastrand::Rng,
    pub today: Option<NaiveDate>,
    pub base_url: String,
    pub users: BTreeMap<String, User>,
    pub next_movement: u64,
    pub laaffic: Laaffic,
    /// Laaffic's IVR group calls.
    pub ivr: crate::ivr::Ivr,
    /// The id of the ESP-AI account the open API key belongs to.
    pub espai_account: String,
    pub espai_people: HashMap<String, (String, String)>,
    pub cards: Vec<Card>,
    pub usage: Vec<UsageLog>,
    pub next_order: u64,
    pub faults: HashMap<&'static str, Fault>,
    pub dropped_after_applying: u64,
    /// Tests only: called by long reads once they have released the lock, to hold such
    /// a read in flight.
    #[cfg(test)]
    pub read_hook: Option<std::sync::Arc<dyn Fn() + Send + Sync>>,
}

/// China time, where the providers live: UTC+8.
pub(crate) fn china_now() -> NaiveDateTime {
    let offset = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    DateTime::<Utc>::from(SystemTime::now())
        .with_timezone(&offset)
        .naive_local()
}

pub(crate) fn epoch_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl State {
    pub(crate) fn new(rng_seed: u64, today: Option<NaiveDate>) -> State {
        let mut rng = fastrand::Rng::with_seed(rng_seed);
        let espai_account = hex_id(&mut rng);
        State {
            rng,
            today,
            base_url: String::new(),
            users: BTreeMap::new(),
            next_movement: 1,
            laaffic: Laaffic {
                balance: Decimal::new(9999, 2),
                gift: Decimal::new(50, 0),
                credit: Decimal::ZERO,
            },
            ivr: crate::ivr::Ivr::default(),
            espai_account,
            espai_people: HashMap::new(),
            cards: Vec::new(),
            usage: Vec::new(),
            next_order: 1,
            faults: HashMap::new(),
            dropped_after_applying: 0,
            #[cfg(test)]
            read_hook: None,
        }
    }

    /// What a long read calls once it has released the lock: nothing, outside tests.
    pub(crate) fn read_hook(&self) -> impl Fn() + use<> {
        #[cfg(test)]
        let hook = self.read_hook.clone();
        move || {
            #[cfg(test)]
            if let Some(hook) = &hook {
                hook();
            }
        }
    }

    /// Today in China time, or the pinned day.
    pub(crate) fn today(&self) -> NaiveDate {
        self.today.unwrap_or_else(|| china_now().date())
    }

    /// Now in China time, on the pinned day if there is one.
    pub(crate) fn now(&self) -> NaiveDateTime {
        let now = china_now();
        match self.today {
            Some(day) => day.and_time(now.time()),
            None => now,
        }
    }

    pub(crate) fn uuid(&mut self) -> String {
        let hex: String = (0..32)
            .map(|i| match i {
                12 => '4',
                16 => ['8', '9', 'a', 'b'][self.rng.usize(..4)],
                _ => char::from_digit(self.rng.u32(..16), 16).expect("a hex digit"),
            })
            .collect();
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    pub(crate) fn hex_id(&mut self) -> String {
        hex_id(&mut self.rng)
    }

    pub(crate) fn add_user(
        &mut self,
        name: &str,
        balance: i64,
        expires_on: Option<NaiveDate>,
        billing_enabled: bool,
    ) -> String {
        let id = self.uuid();
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

    /// The ESP-AI person with this phone, created on first use: (user id, name).
    pub(crate) fn espai_person(&mut self, phone: &str, name: &str) -> (String, String) {
        if let Some(p) = self.espai_people.get(phone) {
            return p.clone();
        }
        let id = if self.espai_people.is_empty() {
            self.espai_account.clone()
        } else {
            self.hex_id()
        };
        let person = (id, name.to_owned());
        self.espai_people.insert(phone.to_owned(), person.clone());
        person
    }

    pub(crate) fn add_card(
        &mut self,
        phone: &str,
        code: &str,
        card_type: &str,
        quota: u64,
    ) -> String {
        let (user_id, user_name) = self.espai_person(phone, "琳琅");
        let id = self.hex_id();
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

    /// The demo data: two longlonglong users, a Laaffic balance and IVR data, ESP-AI cards.
    pub(crate) fn seed(&mut self) -> Seed {
        let in_a_year = self.today().checked_add_days(Days::new(365));
        let user = self.add_user("示例用户", 1000, in_a_year, true);
        let without = self.add_user("未开通账单用户", 0, in_a_year, false);
        let phone = "15916888888";
        self.espai_person(phone, "琳琅");
        self.add_card(phone, "wNaa1GDw", "1", 500);
        self.add_card(phone, "Qk3mZ8pL", "2", 200);
        self.add_card(phone, "Fr3eTr1a", "0", 100);
        let empty = self.add_card(phone, "Empty0Qt", "1", 0);
        // The transfer example's target card, owned by someone else.
        self.espai_person("17516888888", "小明");
        self.add_card("17516888888", "3AoPbLSQ", "1", 50);
        let (voice_file, task, scheduled, voice_id) = self.seed_ivr();
        Seed {
            longlonglong_user: user,
            longlonglong_user_without_billing: without,
            espai_phone: phone.to_owned(),
            espai_paid_codes: vec!["wNaa1GDw".into(), "Qk3mZ8pL".into()],
            espai_free_code: "Fr3eTr1a".into(),
            espai_empty_card_id: empty,
            laaffic_voice_file: voice_file,
            laaffic_task: task,
            laaffic_scheduled_task: scheduled,
            laaffic_voice_id: voice_id,
        }
    }
}

fn hex_id(rng: &mut fastrand::Rng) -> String {
    (0..32)
        .map(|_| char::from_digit(rng.u32(..16), 16).expect("a hex digit"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_the_documented_shapes() {
        let mut state = State::new(1, None);
        let uuid = state.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!(uuid.split('-').map(str::len).eq([8, 4, 4, 4, 12]));
        let hex = state.hex_id();
        assert_eq!(hex.len(), 32);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn seeding_is_deterministic() {
        let a = State::new(7, None).seed();
        let b = State::new(7, None).seed();
        assert_eq!(a, b);
    }
}
