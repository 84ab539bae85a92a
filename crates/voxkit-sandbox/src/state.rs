//! The state the handlers share: each provider's own state, with the seeded generator
//! and the clock they all draw on.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::espai::state::Cards;
use crate::ids;
use crate::laaffic::state::{Account, Ivr};
use crate::longlonglong::state::Accounts;

/// The sandbox's state, shared by the handlers, the fault layer and the
/// [`Sandbox`](crate::Sandbox) accessors.
#[derive(Clone)]
pub(crate) struct Shared(Arc<Mutex<State>>);

impl Shared {
    pub(crate) fn new(state: State) -> Shared {
        Shared(Arc::new(Mutex::new(state)))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked cannot leave the state half-written in a way that
        // matters more than stopping the whole sandbox would.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Everything. With [`SandboxBuilder::state_file`](crate::SandboxBuilder::state_file) it
/// is written whole to that file (`persist`) after each request; what comes from the
/// builder instead (the clock, the URL, the caps, the push outbox) is not written.
#[derive(Serialize, Deserialize)]
pub(crate) struct State {
    /// The generator behind fault shares, generated ids and call outcomes (written as its
    /// current seed, so a restarted sandbox draws what this one would have).
    #[serde(with = "crate::persist::rng")]
    pub rng: fastrand::Rng,
    #[serde(skip)]
    pub clock: Clock,
    /// `http://<addr>`, for the URLs answered (ESP-AI's payment page).
    #[serde(skip)]
    pub base_url: String,
    pub longlonglong: Accounts,
    /// Laaffic's balance.
    pub laaffic: Account,
    /// Laaffic's IVR group calls.
    pub ivr: Ivr,
    /// Laaffic's AI tasks (which tasks carry a script).
    pub ai: crate::laaffic::ai_tasks::AiTasks,
    /// Laaffic's automatic recall flows.
    pub recalls: crate::laaffic::recall::Recalls,
    pub espai: Cards,
    /// longlonglong's call records (made by its tasks as calls complete).
    #[serde(default)]
    pub records: crate::longlonglong::records::Records,
    /// longlonglong's call tasks and their numbers (both task API generations).
    #[serde(default)]
    pub tasks: crate::longlonglong::tasks::Tasks,
    /// longlonglong's lines and their allocations.
    #[serde(default)]
    pub lines: crate::longlonglong::lines::Lines,
    /// longlonglong's script groups, dial-time groups, privacy settings, callback batches.
    #[serde(default)]
    pub resources: crate::longlonglong::resources::Resources,
    /// longlonglong's CRM pool (客户公海).
    #[serde(default)]
    pub pool: crate::longlonglong::crm::Pool,
    /// longlonglong's dialogue API (对话接口): the messages of each conversation.
    #[serde(default)]
    pub dialogues: crate::longlonglong::dialogue::Dialogues,
    /// The open ESP-AI device channels, to drop them all (not written).
    #[serde(skip)]
    pub channels: crate::espai::channel::Channels,
    /// Tests only: called by long reads once they have released the lock, to hold such
    /// a read in flight.
    #[cfg(test)]
    #[serde(skip)]
    pub read_hook: Option<std::sync::Arc<dyn Fn() + Send + Sync>>,
}

impl State {
    pub(crate) fn new(rng_seed: u64, today: Option<NaiveDate>) -> State {
        let rng = fastrand::Rng::with_seed(rng_seed);
        // The documentation's user id: the account the open API key belongs to.
        let espai = Cards::new(crate::seed::DOCS_ESPAI_USER.to_owned());
        State {
            rng,
            clock: Clock { today },
            base_url: String::new(),
            longlonglong: Accounts::default(),
            laaffic: Account::default(),
            ivr: Ivr::default(),
            ai: Default::default(),
            recalls: crate::laaffic::recall::Recalls::seeded(Clock { today }.now()),
            espai,
            records: Default::default(),
            tasks: Default::default(),
            lines: Default::default(),
            resources: Default::default(),
            pool: Default::default(),
            dialogues: Default::default(),
            channels: Default::default(),
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
        self.clock.today()
    }

    /// Now in China time, on the pinned day if there is one.
    pub(crate) fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// Adds a longlonglong user; returns its id.
    pub(crate) fn add_user(
        &mut self,
        name: &str,
        balance: i64,
        expires_on: Option<NaiveDate>,
        billing_enabled: bool,
    ) -> String {
        let id = ids::uuid(&mut self.rng);
        self.longlonglong
            .add_user(id, name, balance, expires_on, billing_enabled)
    }

    /// Advances every IVR task one step of its life cycle (see [`Ivr::advance`]).
    pub(crate) fn advance_tasks(&mut self) {
        let now = self.now();
        self.ivr.advance(now, &mut self.rng);
    }
}
