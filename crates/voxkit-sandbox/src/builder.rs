//! [`SandboxBuilder`]: what a sandbox is started with (address, seed, clock, timeouts,
//! caps, push URLs, state file) and how it starts — the state loaded or seeded, the
//! router of the three providers behind the fault and persistence layers, served on the
//! caller's runtime or one of its own.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use chrono::NaiveDate;
use tokio::net::TcpListener;

use crate::faults::{FaultTable, Injector};
use crate::state::Shared;
use crate::{
    Limits, ROUTES, Sandbox, Seed, clock, envelope, espai, faults, laaffic, longlonglong, persist,
    push, seed, server, state,
};

/// Configures a [`Sandbox`].
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    addr: SocketAddr,
    seeded: bool,
    rng_seed: u64,
    today: Option<NaiveDate>,
    timeouts: server::Timeouts,
    worker_threads: Option<usize>,
    limits: Limits,
    public_url: Option<String>,
    push: push::PushConfig,
    state_file: Option<PathBuf>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seeded: true,
            rng_seed: 0x5eed,
            today: None,
            timeouts: server::Timeouts::default(),
            worker_threads: None,
            limits: Limits::default(),
            public_url: None,
            push: push::PushConfig::default(),
            state_file: None,
        }
    }
}

impl SandboxBuilder {
    /// The address to listen on (default `127.0.0.1:0`, an ephemeral port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Whether to create the [`Seed`] users and cards (default yes).
    pub fn seeded(mut self, seeded: bool) -> Self {
        self.seeded = seeded;
        self
    }

    /// The seed of the generator behind fault shares and generated ids.
    pub fn rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = seed;
        self
    }

    /// Pins "today" (China time) for the expiry rule and the history's default range.
    pub fn today(mut self, today: NaiveDate) -> Self {
        self.today = Some(today);
        self
    }

    /// How long a connection may take to send a complete request head, counted from
    /// when it starts waiting for one (at accept, or after the previous answer); a slower
    /// one is closed without an answer (default 10 s).
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.header = timeout;
        self
    }

    /// How long a request body may take to arrive whole after its head; a slower one is
    /// answered `408 Request Timeout` and its connection closed, and nothing is applied
    /// (default 30 s).
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.body = timeout;
        self
    }

    /// How long a connection with no request being handled may stay silent (not one
    /// byte) before it is closed: kept-alive connections and sockets opened and never
    /// used (default 10 s). A waiting connection is also subject to the header timeout,
    /// so it is closed after the shorter of the two.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.idle = timeout;
        self
    }

    /// The most connections open at once (default 256, well below the usual limit of
    /// 1024 open files). A new connection at the bound closes the connection idle the
    /// longest; if every one is busy with a request, it waits in the listen backlog until
    /// one finishes. Idle sockets therefore never lock other clients out.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.timeouts.max_connections = max.max(1);
        self
    }

    /// Serves on a multi-threaded runtime of the sandbox's own with this many worker
    /// threads (at least 1), so that a slow request cannot hold up the others even when
    /// the caller's runtime has one thread (`voxkit sandbox` does this). By default the
    /// sandbox serves on the caller's runtime, whose clock (paused or not) it then shares.
    pub fn worker_threads(mut self, threads: usize) -> Self {
        self.worker_threads = Some(threads.max(1));
        self
    }

    /// The caps on the simulated accounts' data (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The base URL clients reach the sandbox at, when it is not the listening address
    /// (`voxkit sandbox --public-url`, e.g. behind a container's port mapping): the URLs
    /// the sandbox answers with (ESP-AI's payment URL) use it. Default: `http://<addr>`.
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Pushes a Laaffic voice status report to `url` (`http://` only) for each call as
    /// its task completes, as Laaffic does to the address its operators configured
    /// (see the `push` module for the delivery and retry rules; default: no pushes).
    pub fn laaffic_report_url(mut self, url: impl Into<String>) -> Self {
        self.push.laaffic_report_url = Some(url.into());
        self
    }

    /// Pushes longlonglong's callbacks (asynchronous results, see
    /// [`Sandbox::push_longlonglong_callback`]) to `url` (`http://` only).
    pub fn longlonglong_callback_url(mut self, url: impl Into<String>) -> Self {
        self.push.longlonglong_callback_url = Some(url.into());
        self
    }

    /// The share (0 to 1) of pushes whose first acknowledgement the sandbox "loses": it
    /// delivers them again although the receiver answered `2xx`, as a provider that
    /// missed the answer would, so that a receiver's de-duplication can be tested
    /// (default 0).
    pub fn push_duplicate_share(mut self, share: f64) -> Self {
        self.push.duplicate_share = share;
        self
    }

    /// How pushes are retried after a non-2xx answer or a failed connection: at most
    /// `max_attempts` attempts in all, waiting `first_backoff` before the second and
    /// twice as long before each next one (default 6 attempts from 200 ms).
    pub fn push_retry(mut self, max_attempts: u32, first_backoff: Duration) -> Self {
        self.push.max_attempts = max_attempts.max(1);
        self.push.first_backoff = first_backoff;
        self
    }

    /// Keeps the state in `path` across restarts (`voxkit sandbox --state FILE`), for a
    /// team that uses the sandbox as a shared stand-in; without it the state lives in
    /// memory only. At start a missing file means the seed (written to it at once), a
    /// file that is not a sandbox state is an error ([`StateFileError`](crate::StateFileError)). While serving,
    /// the whole state is written to it (temporary file, `fsync`, atomic rename) after
    /// each request that changed it and before that request's answer is sent, so no
    /// acknowledged change is lost; if the write fails the answer is HTTP 500 instead.
    /// The builder's settings (clock, caps, faults, push URLs) are not kept, and neither
    /// are pushes still queued. [`SandboxBuilder::seeded`] and
    /// [`SandboxBuilder::rng_seed`] apply only when the file does not exist yet.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Binds the port and starts serving.
    pub async fn start(self) -> std::io::Result<Sandbox> {
        // First: a bad state file is reported before anything is bound or started.
        let loaded = match &self.state_file {
            Some(path) => persist::load(path)?,
            None => None,
        };
        let pushes = self.push.clone().start(self.rng_seed)?;
        let runtime = match self.worker_threads {
            None => None,
            Some(threads) => Some(OwnRuntime(Some(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(threads)
                    .thread_name("voxkit-sandbox")
                    .enable_all()
                    .build()?,
            ))),
        };
        let addr = self.addr;
        let listener = match runtime.as_ref().and_then(|r| r.0.as_ref()) {
            // Bound on the runtime that serves it.
            Some(runtime) => runtime
                .spawn(async move { TcpListener::bind(addr).await })
                .await
                .map_err(std::io::Error::other)??,
            None => TcpListener::bind(addr).await?,
        };
        let addr = listener.local_addr()?;
        let (mut state, seed) = match loaded {
            Some((seed, mut state)) => {
                state.clock = clock::Clock { today: self.today };
                (state, seed)
            }
            None => {
                let mut state = state::State::new(self.rng_seed, self.today);
                let seed = if self.seeded {
                    seed::seed(&mut state)
                } else {
                    Seed::none()
                };
                (state, seed)
            }
        };
        state.ivr.limits = self.limits;
        state.base_url = self
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let pusher = pushes.map(|(outbox, worker)| {
            // After seeding: the seeded records are history, not pushed.
            state.ivr.outbox = Some(outbox.clone());
            let task = match runtime.as_ref().and_then(|r| r.0.as_ref()) {
                Some(runtime) => runtime.spawn(worker.run()),
                None => tokio::spawn(worker.run()),
            };
            push::Pusher { outbox, task }
        });
        let shared = Shared::new(state);
        let store = self
            .state_file
            .map(|path| persist::Store::new(path, seed.clone()));
        if let Some(store) = &store {
            // The seed (or the state read) is on disk before the first answer.
            store.save(&shared)?;
        }
        let faults = FaultTable::default();
        let serve = server::serve(
            listener,
            app(shared.clone(), faults.clone(), store.clone()),
            self.timeouts,
        );
        let task = match runtime.as_ref().and_then(|r| r.0.as_ref()) {
            Some(runtime) => runtime.spawn(serve),
            None => tokio::spawn(serve),
        };
        Ok(Sandbox {
            addr,
            shared,
            faults,
            seed,
            task,
            pusher,
            store,
            _runtime: runtime,
        })
    }
}

/// The router of all three providers behind the fault layer; with a state file, each
/// answer waits for the state to be written (inside the fault layer: an answer dropped
/// after applying is still persisted).
fn app(shared: Shared, faults: FaultTable, store: Option<persist::Store>) -> Router {
    let injector = Injector {
        faults,
        shared: shared.clone(),
        routes: ROUTES,
    };
    let mut router = Router::new()
        .merge(longlonglong::router())
        .merge(laaffic::router())
        .merge(espai::router());
    if let Some(store) = store {
        let persist = persist::Persist {
            store,
            shared: shared.clone(),
        };
        router = router.layer(axum::middleware::from_fn_with_state(
            persist,
            persist::layer,
        ));
    }
    router
        .layer(axum::middleware::from_fn_with_state(
            injector,
            faults::layer,
        ))
        // Outermost: every refusal not made by a handler, in the provider's envelope.
        .layer(axum::middleware::from_fn(envelope::layer))
        .with_state(shared)
}

/// The sandbox's own runtime, shut down without blocking when dropped (dropping a
/// runtime blocks, which panics inside another runtime: where a sandbox usually is).
pub(crate) struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}
