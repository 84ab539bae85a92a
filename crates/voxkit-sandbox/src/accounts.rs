//! The [`Sandbox`] handle's access to the simulated accounts, per provider: test set-up
//! (add a user, a task, a card; set a balance; advance the tasks) and the reads tests
//! assert on. Each change made here is written to the state file, if there is one.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::{CallRecord, CallTask, Card, IvrTask, Movement, Sandbox, User, VoiceFile};

impl Sandbox {
    // ----- longlonglong ---------------------------------------------------------------

    /// Adds a longlonglong user and returns its id.
    pub fn add_longlonglong_user(
        &self,
        name: &str,
        balance: i64,
        expires_on: Option<NaiveDate>,
        billing_enabled: bool,
    ) -> String {
        let id = self
            .shared
            .lock()
            .add_user(name, balance, expires_on, billing_enabled);
        self.persisted();
        id
    }

    /// Adds a longlonglong call task of `user` (enabled: it dials its numbers as tasks are
    /// read; else paused) with these numbers at 0 等待呼叫; returns its uuid.
    pub fn add_longlonglong_task(
        &self,
        user: &str,
        name: &str,
        enabled: bool,
        phones: &[&str],
    ) -> String {
        let uuid = self
            .shared
            .lock()
            .add_call_task(None, user, name, enabled, phones);
        self.persisted();
        uuid
    }

    /// Every longlonglong call task, with its numbers, oldest first.
    pub fn longlonglong_tasks(&self) -> Vec<CallTask> {
        self.shared.lock().tasks.tasks.clone()
    }

    /// A longlonglong user, as the sandbox holds it.
    pub fn longlonglong_user(&self, id: &str) -> Option<User> {
        self.shared.lock().longlonglong.users.get(id).cloned()
    }

    /// A longlonglong user's balance.
    pub fn longlonglong_balance(&self, id: &str) -> Option<i64> {
        self.shared
            .lock()
            .longlonglong
            .users
            .get(id)
            .map(|u| u.balance)
    }

    /// Every balance movement of a user, oldest first.
    pub fn longlonglong_movements(&self, id: &str) -> Vec<Movement> {
        self.shared
            .lock()
            .longlonglong
            .users
            .get(id)
            .map(|u| u.movements.clone())
            .unwrap_or_default()
    }

    // ----- Laaffic --------------------------------------------------------------------

    /// Sets the Laaffic balance, gift and credit.
    pub fn set_laaffic_balance(&self, balance: Decimal, gift: Decimal, credit: Decimal) {
        let mut state = self.shared.lock();
        state.laaffic.balance = balance;
        state.laaffic.gift = gift;
        state.laaffic.credit = credit;
        drop(state);
        self.persisted();
    }

    /// The Laaffic balance.
    pub fn laaffic_balance(&self) -> Decimal {
        self.shared.lock().laaffic.balance
    }

    /// Every uploaded voice file (seeded and uploaded, with tasks' own uploads), oldest
    /// first.
    pub fn laaffic_voice_files(&self) -> Vec<VoiceFile> {
        self.shared.lock().ivr.files.clone()
    }

    /// Every IVR task, oldest first.
    pub fn laaffic_tasks(&self) -> Vec<IvrTask> {
        self.shared.lock().ivr.tasks.clone()
    }

    /// The IVR task with this id.
    pub fn laaffic_task(&self, id: u64) -> Option<IvrTask> {
        self.shared
            .lock()
            .ivr
            .tasks
            .iter()
            .find(|t| t.id == id)
            .cloned()
    }

    /// Every call record, in the order made.
    pub fn laaffic_call_records(&self) -> Vec<CallRecord> {
        self.shared.lock().ivr.records.clone()
    }

    /// Advances every IVR task one step of its life cycle, as a task read does: waiting
    /// (`0`, unless its `sendTime` is ahead) → calling (`1`) → done (`2`, with a call
    /// record per number). Paused and cancelled tasks do not move.
    pub fn advance_laaffic_tasks(&self) {
        self.shared.lock().advance_tasks();
        self.persisted();
    }

    // ----- ESP-AI ---------------------------------------------------------------------

    /// Adds a quota card and returns its id. `card_type` is the type text (`"0"`..`"5"`).
    pub fn add_espai_card(&self, phone: &str, code: &str, card_type: &str, quota: u64) -> String {
        let mut state = self.shared.lock();
        let data = &mut *state;
        let id = data
            .espai
            .add_card(phone, code, card_type, quota, &mut data.rng);
        drop(state);
        self.persisted();
        id
    }

    /// Drops every open ESP-AI device channel without a closing handshake (a network cut
    /// or a server restart, as a client sees it), so a test can watch a client reconnect.
    /// Returns how many were open.
    pub fn drop_device_channels(&self) -> usize {
        self.shared.lock().channels.drop_all()
    }

    /// Every quota card, in creation order.
    pub fn espai_cards(&self) -> Vec<Card> {
        self.shared.lock().espai.cards.clone()
    }

    /// The card with this code.
    pub fn espai_card(&self, code: &str) -> Option<Card> {
        self.shared
            .lock()
            .espai
            .cards
            .iter()
            .find(|c| c.code == code)
            .cloned()
    }
}
