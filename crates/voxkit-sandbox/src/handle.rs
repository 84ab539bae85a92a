//! The running sandbox: [`Sandbox`], the handle a test or `voxkit sandbox` holds — its
//! address and credentials, the faults it injects and the pushes it sends. Its reads and
//! writes of the simulated accounts are in `accounts`.

use std::net::SocketAddr;

use tokio::task::JoinHandle;

use crate::builder::OwnRuntime;
use crate::faults::FaultTable;
use crate::state::Shared;
use crate::{
    ESPAI_AGENT_API_KEY, ESPAI_OPEN_API_KEY, Fault, LAAFFIC_API_KEY, LAAFFIC_API_SECRET,
    LONGLONGLONG_DIALOGUE_TOKEN, LONGLONGLONG_TOKEN, PushStats, ROUTES, SandboxBuilder, Seed,
    persist, push,
};

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    pub(crate) addr: SocketAddr,
    pub(crate) shared: Shared,
    pub(crate) faults: FaultTable,
    pub(crate) seed: Seed,
    pub(crate) task: JoinHandle<()>,
    /// The push delivery loop, when push URLs are configured (aborted when dropped).
    pub(crate) pusher: Option<push::Pusher>,
    /// The state file, with [`SandboxBuilder::state_file`].
    pub(crate) store: Option<persist::Store>,
    /// Its own runtime, with [`SandboxBuilder::worker_threads`]: held for its `Drop`.
    pub(crate) _runtime: Option<OwnRuntime>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("addr", &self.addr).finish()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
        // Then `runtime`, if any, shuts down (see `builder::OwnRuntime`).
    }
}

impl Sandbox {
    /// A seeded sandbox on `127.0.0.1` with an ephemeral port.
    pub async fn start() -> std::io::Result<Sandbox> {
        SandboxBuilder::default().start().await
    }

    /// A builder for the address, the seed data, the generator seed and "today".
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`: the base URL of all three providers.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The seeded users and cards.
    pub fn seed(&self) -> &Seed {
        &self.seed
    }

    /// Shell lines that point voxkit (the SDK's `from_env` and the CLI) at this sandbox.
    pub fn env_lines(&self) -> String {
        let url = self.url();
        format!(
            "export LONGLONGLONG_TOKEN={LONGLONGLONG_TOKEN}\n\
             export LONGLONGLONG_BASE_URL={url}\n\
             export LONGLONGLONG_DIALOGUE_TOKEN={LONGLONGLONG_DIALOGUE_TOKEN}\n\
             export LONGLONGLONG_DIALOGUE_BASE_URL={url}\n\
             export LAAFFIC_API_KEY={LAAFFIC_API_KEY}\n\
             export LAAFFIC_API_SECRET={LAAFFIC_API_SECRET}\n\
             export LAAFFIC_BASE_URL={url}\n\
             export ESPAI_OPEN_API_KEY={ESPAI_OPEN_API_KEY}\n\
             export ESPAI_BASE_URL={url}\n\
             export ESPAI_AGENT_BASE_URL={url}\n\
             export ESPAI_AGENT_API_KEY={ESPAI_AGENT_API_KEY}\n"
        )
    }

    /// Writes the state file, if there is one, after a change made through this handle
    /// (test set-up, so a failed write panics like other set-up errors).
    pub(crate) fn persisted(&self) {
        if let Some(store) = &self.store {
            store.save(&self.shared).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    // ----- faults ---------------------------------------------------------------------

    /// Sets the fault of one route (a [`Route::name`](crate::Route::name)) or of every route (`"*"`; a route's
    /// own fault wins). Panics on an unknown route name or invalid shares: a test set-up
    /// error.
    pub fn set_fault(&self, route: &str, fault: Fault) {
        self.try_set_fault(route, fault)
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Like [`Sandbox::set_fault`], returning what is wrong instead of panicking.
    pub fn try_set_fault(&self, route: &str, fault: Fault) -> Result<(), String> {
        let name = if route == "*" {
            "*"
        } else {
            ROUTES
                .iter()
                .find(|r| r.name == route)
                .map(|r| r.name)
                .ok_or_else(|| {
                    format!(
                        "no route named {route:?}; known: *, {}",
                        ROUTES.iter().map(|r| r.name).collect::<Vec<_>>().join(", ")
                    )
                })?
        };
        fault.validate_for(name)?;
        self.faults.lock().set(name, fault);
        Ok(())
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.faults.lock().clear();
    }

    /// How many requests were applied and then had their answer dropped.
    pub fn dropped_after_applying(&self) -> u64 {
        self.faults.lock().dropped_after_applying
    }

    // ----- pushes ---------------------------------------------------------------------

    /// What the sandbox pushed so far (all zero when no push URL is configured).
    pub fn push_stats(&self) -> PushStats {
        self.pusher
            .as_ref()
            .map(|p| p.outbox.stats())
            .unwrap_or_default()
    }

    /// Waits until the push figures satisfy `done` (e.g. `|s| s.pending == 0`: every
    /// push delivered or abandoned) and returns them; at once when nothing is pushed.
    pub async fn wait_pushes(&self, done: impl FnMut(&PushStats) -> bool) -> PushStats {
        match &self.pusher {
            Some(p) => p.outbox.wait(done).await,
            None => PushStats::default(),
        }
    }

    /// Queues a longlonglong callback (e.g. `{"mode":"batch","type":"import_number",
    /// "unique_id":…,"user_id":…,"task_id":…,"data":{"url":…}}`), delivered like every
    /// push: the hook of the asynchronous operations. False when no callback URL is
    /// configured or the queue is full.
    pub fn push_longlonglong_callback(&self, body: &serde_json::Value) -> bool {
        self.pusher
            .as_ref()
            .is_some_and(|p| p.outbox.longlonglong_callback(body))
    }
}
