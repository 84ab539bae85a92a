//! A stateful local simulator of the three APIs voxkit speaks — longlonglong
//! (`/agent-api/...`, `/users`), Laaffic (`/v3/...`) and ESP-AI (`/cdkey/...`, `/order/...`) —
//! on one loopback port, following the documentation in `provider-docs/`, with fault
//! injection per route.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use voxkit_sandbox::{Fault, Sandbox};
//!
//! let sandbox = Sandbox::start().await?; // seeded, on 127.0.0.1:<ephemeral>
//! let user = sandbox.seed().longlonglong_user.clone();
//! assert_eq!(sandbox.longlonglong_balance(&user), Some(1000));
//!
//! // Point a client at it: sandbox.url() with the sandbox's credentials.
//! println!("{}", sandbox.env_lines());
//!
//! // Apply the next recharge, then drop its answer.
//! sandbox.set_fault("longlonglong.recharge", Fault::default().drop_after(1.0).times(1));
//! # Ok(()) }
//! ```
//!
//! # What it simulates
//!
//! - **longlonglong**: users with balances, expiry dates and recharge histories; recharge,
//!   deduct (a deduction larger than the balance is refused with code 422 `余额不足` and
//!   nothing changes — the documentation does not say what happens below zero), zero
//!   balance (recorded in the history as a `扣费` of the whole balance with the remark
//!   `余额归零`), the history with its 30-day rule (15 rows a page, newest first), the expiry
//!   rule (today or earlier in China time, or none, is `422 到期时间最少设置一天`),
//!   sub-accounts (password confirmation and unique emails enforced, listed with the
//!   `meta` block), end-user registration. A wrong bearer token gets HTTP 401 with
//!   `{"code": 401, "status": "error", "message": "Unauthenticated.", "data": []}`; every
//!   documented error comes back with HTTP 200 in the envelope.
//! - **Laaffic**: `GET /v3/getBalance` checks `Api-Key`, the MD5 `Sign` and the
//!   `Timestamp` window (±300 s, else `-16`); the balance moves when told to
//!   ([`Sandbox::set_laaffic_balance`]).
//! - **Laaffic IVR group calls**, behind the same signature check:
//!   - *Voice files* (`POST /v3/voice/fileUpload`): the name must be 5-32 characters ending
//!     in `.mp3`, `.m4a` or `.wav` and the content non-empty standard base64, else `-21`
//!     数据校验异常; a missing field is `-22` 参数异常; a name already used is `-20`
//!     数据已存在. The id answered has the documented shape: `1`, the date, 32 hex digits,
//!     the extension (`"1202202254d4c6372d6f341e999c7ecd0683ee464.mp3"`).
//!   - *Tasks* (`…/group/call/send`, family-A answer with the new id in `data`): `taskName`
//!     2-64 characters (`-21`) and unique (`-20`); `numberInfoList` empty `-8`, more than
//!     200 000 `-7`, a `calleeNumber` not 6-18 digits `-9`, a `textN` not 1-30 characters
//!     `-21`; `source` 1 needs an existing `voiceFileId` (`-24` 数据不存在), 2 an
//!     `uploadName` and `baseFile` following the upload's rules (the file is stored too), 3
//!     a `text` of 1-1000 characters and a documented `lan` (`-21`); a missing field or an
//!     unknown `source` is `-22`; `sendTime` not `yyyy-MM-dd HH:mm:ss` is `-11`;
//!     `loopCount` 1-9, `maxCalls` 1-999, `displayNum` 0-20 digits (`-21`). Any `appId` is
//!     accepted (the sandbox has no applications), and the balance is not charged.
//!   - *Life cycle*: a new task waits (`0` 等待提交). Each task read — a list query or a
//!     detail — first advances **every** task one step, as
//!     [`Sandbox::advance_laaffic_tasks`] does: `0` → `1` 呼叫中 (not before its `sendTime`,
//!     when one is set) → `2` 任务完成, when each number gets a call record drawn from the
//!     seeded generator (four in five answered with `terminationCode` `"200"`, the others
//!     `"480"` no answer or `"486"` busy; 20-second billing at 0.06 EUR a minute). Pausing
//!     (`jobIdList`) turns a waiting or calling task into `5` 任务暂停, which never advances
//!     (no resume endpoint is documented: resend it); cancelling (`taskIdList`) turns a
//!     waiting, calling or paused task into `4` 任务取消 for good. Pausing a paused task
//!     or cancelling a cancelled one succeeds (both are repeatable); a finished task is
//!     `-54`, an unknown id `-24`, and nothing changes unless every listed task can.
//!   - *Resend* (`…/resend`, family A with the new id): a new task calling the original's
//!     numbers with the voice and settings sent, under a new unique name; only finished,
//!     cancelled or paused tasks (`-41` 状态错误 otherwise); the original keeps its status.
//!   - *Queries*: the task list and the detail answer in family B (`{code: 0, msg, data}`,
//!     records with `jobId`, newest first, filtered by `createdTime`, `statusList`,
//!     `idxAppId` and `searchCondition`); an unknown detail id is `-24`. Call records answer
//!     in family A; the batch query requires ISO-8601 times (`-22`) and refuses a window
//!     longer than 31 days or starting more than two months ago with `-25` 超出时间范围;
//!     an unknown `voiceId` is `-24`.
//! - **ESP-AI**: quota cards with types and remaining quota; list with every filter and
//!   real paging, detail, transfer (paid cards only, within the remaining quota), destroy
//!   (paid cards with zero quota only), the usage log (one row per side of a transfer),
//!   order/pay returning a payment URL. A wrong `authorization` key is refused with
//!   `{"success": false, "message": "open_api_key 无效", "code": 401}`.
//!
//! Every answer, success or error, is JSON: a handler's in that provider's own envelope;
//! a refusal before any handler (unknown path 404, wrong method 405, slow body 408, body
//! over the route's cap 413, body not declared JSON 415) in the provider's envelope with
//! that HTTP status; an injected HTTP fault (5xx, 429) as `{"message": "Service
//! Unavailable"}`, the form a web framework renders for an HTTP error (in the business
//! envelope a client would read it as the provider's verdict; the business refusals are
//! injected with [`Fault::code`]). The payment URL's `/sandbox/pay` is a small HTML page.
//!
//! # The documentation's examples run as they are
//!
//! The seed holds the docs' own ids and values ([`DOCS_USER`], [`DOCS_EXPIRY_USER`]; the
//! ESP-AI account [`DOCS_ESPAI_USER`] with `15916888888`,
//! `wNaa1GDw` = [`DOCS_CARD`] with 500, [`DOCS_EMPTY_CARD`], and `3AoPbLSQ` of
//! `17516888888`; Laaffic's voice file `1202202254d4c6372d6f341e999c7ecd0683ee464.mp3` and
//! task `5000602`), so a snippet from the docs runs with only the host and the credentials
//! replaced. Bodies are capped by route ([`body_limit`]): up to the documented maxima
//! (a task with 200 000 numbers; a voice file of [`VOICE_FILE_LIMIT`]).
//!
//! # Where the docs are silent, the sandbox does …
//!
//! **longlonglong**
//! - an unknown user id → `{"code": 404, "status": "error", "message": "用户不存在"}`
//!   (HTTP 200, like every business error);
//! - a request it cannot accept → `422` with a message of its own (Chinese, naming the
//!   field: `amount 必须是大于 0 的整数`, `type 只能是 1(充值) 或 2(扣费)`, `余额不足`,
//!   `邮箱已存在`, `两次输入的密码不一致`, …); a deduction beyond the balance is `余额不足`
//!   and nothing changes;
//! - a body not declared JSON (Laravel's `isJson()`: the type contains `/json` or
//!   `+json`) → HTTP 415, code 415, nothing applied (Laravel would not read it);
//! - a wrong token → HTTP 401 `Unauthenticated.` (Laravel's);
//! - `zero_balance` records a `扣费` of the whole balance, remark `余额归零`; the history
//!   answers 15 rows a page, newest first; `account_info` and `token_info` answer fields
//!   of the sandbox's own (their answers are not documented).
//!
//! **Laaffic**
//! - the sign is checked over the `Timestamp` header as sent, re-formatted as an integer
//!   (`" 0042 "` signs as `42`); outside ±300 s it is `-16`;
//! - a body not declared JSON → HTTP 415 with `-22` 参数异常 (Spring reads JSON only);
//!   404/405/408/413 → `-22` in the route's family (`{status, reason}`, or `{code, msg,
//!   data}` for the task list, detail, pause and cancel);
//! - pause and cancel answer `{"code": "0", "msg": "success", "data": null}` (the string
//!   `"0"`, as their pages); the task list and detail `code` the number `0` (as the query
//!   example); the balance strings keep each value's scale, seeded as the example's
//!   `"99.990000"`, `"50.00000"`, `"0"`;
//! - the voice upload accepts a file up to [`VOICE_FILE_LIMIT`] (no maximum documented);
//!   the rest of the IVR choices are listed under *What it simulates*.
//!
//! **ESP-AI**
//! - cards are the current user's (the account of the key, [`DOCS_ESPAI_USER`]): detail,
//!   transfer's source card, destroy and balance_logs answer another account's card as an
//!   unknown one, `{"success": false, "message": "额度卡不存在"}` (no `code`, as the docs'
//!   example), so a key can neither use nor detect another's card; a transfer's target may
//!   be anyone's (the docs' example gives to another user); the usage log shows only the
//!   account's rows;
//! - a transfer to the same card → `不能转让给同一张额度卡`; a target that would overflow
//!   → `500 系统错误`;
//! - destroy is all or nothing (every id must be the account's, paid and empty, else
//!   nothing is destroyed) and accepts a bare object as well as the documented array;
//!   balance_logs accepts a bare object too;
//! - usage-log `type` is `"1"` for quota received by a transfer and `"2"` for quota given
//!   away (one row per side);
//! - a body not declared JSON → HTTP 415 with `{"success": false, "message": "系统错误：…",
//!   "code": 500}`; so are 404/405/408/413 (with their HTTP status);
//! - `order/pay` answers a URL on the sandbox itself (`/sandbox/pay`, using
//!   [`SandboxBuilder::public_url`] when set), never a real gateway.
//!
//! # Layout
//!
//! Each provider has a module (`longlonglong`, `laaffic`, `espai`) whose `mod.rs` lists
//! its routes once (name, method, path template, handler): its router and [`ROUTES`] are
//! both made from that list, and the fault layer (`faults`) finds a request's route by
//! the template axum matched. Beside it, `state.rs` holds the provider's data and
//! `handlers.rs` (Laaffic: also `tasks.rs`, `records.rs`) serves it; all three read
//! requests with one reader (`wire`). The accept loop is `server`. The sandbox depends on
//! no provider crate on purpose: it implements the documented behaviour independently,
//! so it checks the SDK rather than mirroring it.
//!
//! # A persistent sandbox
//!
//! By default the state lives in memory and a restart starts from the seed. With
//! [`SandboxBuilder::state_file`] (`voxkit sandbox --state FILE`), for a team sharing one
//! sandbox, the whole state is kept in one JSON file: read at start (a missing file is
//! the seed, written at once; a file that is not a sandbox state is a
//! [`StateFileError`]), and rewritten — temporary file, `fsync`, atomic rename — after
//! each request that changed it, *before* that request's answer is sent, so a change
//! whose answer a client saw is never lost (a failed write turns the answer into HTTP
//! 500). Not kept: the builder's settings (clock, caps, faults, push URLs) and the push
//! outbox (`push`): pushes still queued at a restart are not sent, though the records
//! they report are kept.
//!
//! # Hostile clients
//!
//! Anyone can reach it with the public credentials, so: request numbers that overflow
//! (`page=18446744073709551615`, `Timestamp: -9223372036854775808`) get an envelope, not a
//! panic; slow headers and idle sockets are closed, a body that does not arrive in time
//! is answered `408` (nothing applied), and idle connections cannot exhaust the
//! connection bound ([`SandboxBuilder::header_timeout`], [`SandboxBuilder::body_timeout`],
//! [`SandboxBuilder::idle_timeout`], [`SandboxBuilder::max_connections`]); the Laaffic
//! data is capped (`-23` 数据上限 beyond [`Limits`]) and indexed, so a read costs what it
//! answers, and the long part of a record read runs without the state lock, off the
//! runtime's threads. [`SandboxBuilder::worker_threads`] gives it a runtime of its own.

// docs.rs (`--cfg docsrs`, nightly): label each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
// Handlers pass a finished error `Response` up with `?`-style early returns; it is large,
// but it is what gets sent, once per request.
#![allow(clippy::result_large_err)]

mod clock;
mod envelope;
mod espai;
mod faults;
mod ids;
mod laaffic;
mod longlonglong;
mod persist;
mod push;
mod route;
mod seed;
mod server;
mod state;
mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use espai::ESPAI_OPEN_API_KEY;
pub use espai::agents::ESPAI_AGENT_API_KEY;
pub use espai::state::Card;
pub use faults::Fault;
pub use laaffic::state::{CallRecord, IvrTask, Limits, VoiceFile};
pub use laaffic::{LAAFFIC_API_KEY, LAAFFIC_API_SECRET};
pub use longlonglong::LONGLONGLONG_TOKEN;
pub use longlonglong::lines::{
    DOCS_LINE as LONGLONGLONG_DOCS_LINE, DOCS_TENANT as LONGLONGLONG_DOCS_TENANT,
};
pub use longlonglong::state::{Movement, SubAccount, User};
pub use longlonglong::tasks::{CallTask, DOCS_TASK, TaskNumber};
pub use persist::StateFileError;
pub use push::{MAX_QUEUED_PUSHES, PushStats};
pub use route::{
    DEFAULT_BODY_LIMIT, Route, TASK_BODY_LIMIT, VOICE_FILE_LIMIT, VOICE_UPLOAD_BODY_LIMIT,
    body_limit,
};
pub use seed::{DOCS_CARD, DOCS_EMPTY_CARD, DOCS_ESPAI_USER, DOCS_EXPIRY_USER, DOCS_USER, Seed};

use faults::{FaultTable, Injector};
use state::Shared;

/// The endpoints of the three providers, each list kept in its provider's module.
const ENDPOINTS: [&[route::Endpoint]; 3] = [
    longlonglong::ENDPOINTS,
    laaffic::ENDPOINTS,
    espai::ENDPOINTS,
];

/// Every route the sandbox serves, made from the providers' own lists (the ones their
/// routers are built from). Recharge and deduct share one route, as in the API.
pub const ROUTES: &[Route] = &route::routes::<{ route::count(&ENDPOINTS) }>(&ENDPOINTS);

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
    /// file that is not a sandbox state is an error ([`StateFileError`]). While serving,
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

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Shared,
    faults: FaultTable,
    seed: Seed,
    task: JoinHandle<()>,
    /// The push delivery loop, when push URLs are configured (aborted when dropped).
    pusher: Option<push::Pusher>,
    /// The state file, with [`SandboxBuilder::state_file`].
    store: Option<persist::Store>,
    /// Its own runtime, with [`SandboxBuilder::worker_threads`]: held for its `Drop`.
    _runtime: Option<OwnRuntime>,
}

/// The sandbox's own runtime, shut down without blocking when dropped (dropping a
/// runtime blocks, which panics inside another runtime: where a sandbox usually is).
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("addr", &self.addr).finish()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
        // Then `runtime`, if any, shuts down (see `OwnRuntime`).
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
    fn persisted(&self) {
        if let Some(store) = &self.store {
            store.save(&self.shared).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    // ----- faults ---------------------------------------------------------------------

    /// Sets the fault of one route (a [`Route::name`]) or of every route (`"*"`; a route's
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_one_segment_per_parameter() {
        let r = ROUTES[0];
        assert!(r.matches("/agent-api/user/abc/recharge"));
        assert!(!r.matches("/agent-api/user//recharge"));
        assert!(!r.matches("/agent-api/user/a/b/recharge"));
        assert!(!r.matches("/agent-api/user/abc/recharge/x"));
    }

    #[test]
    fn routes_are_the_providers_lists_in_order() {
        let listed: Vec<Route> = ENDPOINTS
            .iter()
            .flat_map(|l| l.iter().map(|e| e.route))
            .collect();
        assert_eq!(ROUTES, listed.as_slice());
        assert!(ROUTES.iter().all(|r| !r.name.is_empty()));
    }

    /// Every route is served for its method, and the fault layer names it from the
    /// template axum matched: a fault set under a route's name reaches that route and no
    /// other (here, the two methods of one template).
    #[tokio::test]
    async fn a_fault_reaches_its_route_by_method_and_matched_template() {
        let sandbox = Sandbox::start().await.unwrap();
        let user = sandbox.seed().longlonglong_user.clone();
        sandbox.set_fault(
            "longlonglong.sub_accounts",
            Fault::default().error(1.0, 503),
        );
        let http = voxkit_core::transport::http_client_builder()
            .unwrap()
            .build()
            .unwrap();
        let url = format!("{}/agent-api/user/{user}/subset_users", sandbox.url());
        let status = |r: voxkit_core::reqwest::Response| r.status().as_u16();
        let get = http.get(&url).send().await.unwrap();
        assert_eq!(status(get), 503, "GET is longlonglong.sub_accounts");
        let post = http.post(&url).body("{}").send().await.unwrap();
        assert_eq!(status(post), 401, "POST is another route: unfaulted");
    }

    #[test]
    fn route_names_are_unique() {
        let mut names: Vec<_> = ROUTES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ROUTES.len());
    }
}
