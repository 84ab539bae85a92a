//! `voxkit-bench journal`: what the exactly-once journal costs (issue 14, item 6).
//!
//! A batch of longlonglong recharges against the local sandbox (in a child process of its
//! own, `voxkit-bench sandbox`, so that this process's CPU time is the client's and the
//! journal's alone), at concurrency 32, three ways side by side in one run:
//!
//! - `none`: the SDK's `recharge_exactly_once` called straight by 32 tasks (no journal);
//! - `sqlite`: the same rows through the journal's [`Runner`] with a [`SqliteJournal`] file
//!   (WAL, `synchronous=FULL`: one fsync per commit, concurrent writes sharing commits);
//! - `postgres`: the same through a [`PgJournal`] (when a URL is given).
//!
//! Then each store alone (`sqlite store`, `postgres store`): the same number of intents
//! journaled, claimed and finished with no HTTP and no runner, for the journal's own CPU per
//! row and the floor it sets here (see [`run_store`]); the runner alone over each store
//! ([`run_runner`]); and SQLite alone on the journal's own table (`sqlite schema`, see
//! [`run_sqlite_schema`]): what any store of this table pays SQLite, whatever its Rust does.
//!
//! Every run against the sandbox also measures the sandbox's CPU and how busy the machine
//! was: the `none` run keeps both cores of the benchmark's machine busy, so a journal run is
//! bound by CPU there, and the report says how much CPU a row a journal may spend at each
//! target (every core for the target's time, less what `none` used).
//!
//! Then one run with 100 ms of latency injected on the recharge route, SQLite journal on,
//! against the ceiling of 32 requests in flight ÷ 0.1 s = 320 rows/s.
//!
//! The figures are reported, never asserted: a benchmark is not a test. Targets (issue 14):
//! SQLite ≤ 1.25× the wall time of `none`, PostgreSQL ≤ 1.40×, the latency run ≥ 90% of
//! 320 rows/s. "journaling" is the time until `run_all` has journaled its first chunk of
//! intents (its `Started` event): the rest are journaled while the first are driven.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::mpsc::unbounded_channel;
use voxkit_core::ExactlyOnceOutcome;
use voxkit_core::Reconciliation;
use voxkit_journal::ops::longlonglong::BalanceMove;
use voxkit_journal::{
    Counts, Created, Error as JournalError, Event, Evidence, ExactlyOnce, Identity, Intent, Job,
    Journal, ListFilter, MarkSent, Marker, NewIntent, Outcome, PgConfig, PgJournal, Runner,
    Settings, SqliteJournal, State, Verdict,
};
use voxkit_longlonglong::{Direction, UserId};
use voxkit_sandbox::{Fault, LONGLONGLONG_TOKEN, Sandbox};

/// The concurrency of every run.
const CONCURRENCY: usize = 32;
/// Users the rows are spread over (the journal runs one intent per user at a time, as a
/// month-end top-up of many accounts would).
const USERS: usize = 1_000;
/// The injected latency of the latency run.
const LATENCY: Duration = Duration::from_millis(100);

/// Usage text of the two subcommands.
pub const USAGE: &str = "\
       voxkit-bench journal [--quick] [--rows N] [--latency-rows N] [--postgres URL] [--out FILE]
       voxkit-bench journal --only store|runner|schema|none|sqlite [--rows N]   (one run alone, for a profiler)
       voxkit-bench sandbox --users N [--latency-ms MS]";

/// `sandbox`: the voxkit sandbox with `--users` longlonglong users (and, with
/// `--latency-ms`, that latency on every recharge); prints `LISTENING <url>`, one
/// `USER <id>` line per user and `READY`, then serves until killed.
pub fn serve_sandbox(args: &[String]) -> Result<(), String> {
    let users = crate::number(args, "--users")?;
    let latency = match crate::flag(args, "--latency-ms") {
        Some(ms) => Duration::from_millis(ms.parse().map_err(|_| "--latency-ms N")?),
        None => Duration::ZERO,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let sandbox = Sandbox::builder()
            .seeded(false)
            .start()
            .await
            .map_err(|e| e.to_string())?;
        if !latency.is_zero() {
            sandbox.set_fault("longlonglong.recharge", Fault::default().latency(latency));
        }
        let mut out = format!("LISTENING {}\n", sandbox.url());
        for i in 0..users {
            let id = sandbox.add_longlonglong_user(&format!("bench-{i}"), 0, None, true);
            out.push_str(&format!("USER {id}\n"));
        }
        out.push_str("READY\n");
        print!("{out}");
        use std::io::Write as _;
        std::io::stdout().flush().map_err(|e| e.to_string())?;
        std::future::pending::<()>().await;
        Ok(())
    })
}

/// A sandbox child process and what it printed; killed when dropped.
struct SandboxChild {
    child: Child,
    url: String,
    users: Vec<UserId>,
}

impl SandboxChild {
    fn start(latency: Duration) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut command = Command::new(exe);
        command
            .args(["sandbox", "--users", &USERS.to_string()])
            .stdout(Stdio::piped());
        if !latency.is_zero() {
            command.args(["--latency-ms", &latency.as_millis().to_string()]);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start the sandbox: {e}"))?;
        let stdout = child.stdout.take().ok_or("no sandbox stdout")?;
        let mut me = SandboxChild {
            child,
            url: String::new(),
            users: Vec::new(),
        };
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            if let Some(url) = line.strip_prefix("LISTENING ") {
                me.url = url.trim().to_owned();
            } else if let Some(id) = line.strip_prefix("USER ") {
                me.users
                    .push(UserId::parse(id.trim()).map_err(|e| e.to_string())?);
            } else if line == "READY" {
                return Ok(me);
            }
        }
        Err("the sandbox ended before it was ready".to_owned())
    }
}

impl Drop for SandboxChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A journal that times every call, to say where a journal run's time goes: total time
/// spent in each method (summed over concurrent calls) and how many calls.
struct Timed {
    inner: Arc<dyn Journal>,
    calls: std::sync::Mutex<std::collections::BTreeMap<&'static str, (u64, Duration)>>,
}

impl Timed {
    fn new(inner: Arc<dyn Journal>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            calls: std::sync::Mutex::new(Default::default()),
        })
    }

    async fn time<T>(&self, name: &'static str, call: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let result = call.await;
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        let entry = calls.entry(name).or_default();
        entry.0 += 1;
        entry.1 += started.elapsed();
        result
    }

    /// `method: calls × mean ms` for each method.
    fn profile(&self) -> Vec<(String, u64, f64)> {
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls
            .iter()
            .map(|(name, (n, total))| {
                (
                    (*name).to_owned(),
                    *n,
                    total.as_secs_f64() * 1e3 / (*n).max(1) as f64,
                )
            })
            .collect()
    }
}

#[async_trait::async_trait]
impl Journal for Timed {
    async fn create(&self, new: NewIntent) -> Result<Created, JournalError> {
        self.time("create", self.inner.create(new)).await
    }
    async fn create_many(
        &self,
        new: Vec<NewIntent>,
    ) -> Result<Vec<Result<Created, JournalError>>, JournalError> {
        self.time("create_many", self.inner.create_many(new)).await
    }
    async fn claim(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<Intent>, JournalError> {
        self.time("claim", self.inner.claim(owner, lease, limit))
            .await
    }
    async fn claim_and_mark_sent(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
        mark: MarkSent,
    ) -> Result<Vec<Intent>, JournalError> {
        self.time(
            "claim_and_mark_sent",
            self.inner.claim_and_mark_sent(owner, lease, limit, mark),
        )
        .await
    }
    async fn renew(&self, key: &str, owner: &str, lease: Duration) -> Result<Intent, JournalError> {
        self.time("renew", self.inner.renew(key, owner, lease))
            .await
    }
    async fn release(&self, key: &str, owner: &str) -> Result<(), JournalError> {
        self.time("release", self.inner.release(key, owner)).await
    }
    async fn mark_sent(&self, key: &str, owner: &str) -> Result<Intent, JournalError> {
        self.time("mark_sent", self.inner.mark_sent(key, owner))
            .await
    }
    async fn record_outcome(
        &self,
        key: &str,
        owner: &str,
        outcome: Outcome,
    ) -> Result<Intent, JournalError> {
        self.time(
            "record_outcome",
            self.inner.record_outcome(key, owner, outcome),
        )
        .await
    }
    async fn record_outcomes(
        &self,
        owner: &str,
        outcomes: Vec<(String, Outcome)>,
    ) -> Result<Vec<Result<(), JournalError>>, JournalError> {
        self.time(
            "record_outcomes",
            self.inner.record_outcomes(owner, outcomes),
        )
        .await
    }
    async fn get(&self, key: &str) -> Result<Option<Intent>, JournalError> {
        self.time("get", self.inner.get(key)).await
    }
    async fn list(&self, filter: &ListFilter) -> Result<Vec<Intent>, JournalError> {
        self.time("list", self.inner.list(filter)).await
    }
    async fn counts(&self) -> Result<Counts, JournalError> {
        self.time("counts", self.inner.counts()).await
    }
}

/// One run's figures.
#[derive(Debug, Clone)]
struct Figures {
    mode: String,
    rows: usize,
    wall: Duration,
    cpu: Duration,
    /// CPU time of the PostgreSQL server processes on this machine over the run (zero when
    /// the journal is not PostgreSQL, or its server runs elsewhere): a PostgreSQL journal's
    /// work is mostly the server's, and on the benchmark's machine it takes the same cores.
    server_cpu: Duration,
    /// CPU time of the sandbox's process over the run (runs against the sandbox): with the
    /// client's, what the `none` run costs the machine, and so what is left for a journal.
    sandbox_cpu: Duration,
    /// The share of the machine's CPU time (every core) that was busy over the run, from
    /// `/proc/stat` (`None` where it cannot be read): near 1.0 means the run was bound by
    /// CPU, not by waiting.
    busy: Option<f64>,
    /// Time spent journaling the intents before driving (journal modes).
    journaling: Option<Duration>,
    /// Per journal method: calls and mean milliseconds (journal modes).
    profile: Vec<(String, u64, f64)>,
}

impl Figures {
    fn rows_per_sec(&self) -> f64 {
        self.rows as f64 / self.wall.as_secs_f64()
    }

    /// This process's CPU and the PostgreSQL server's, per row.
    fn cpu_us_per_row(&self) -> f64 {
        (self.cpu + self.server_cpu).as_secs_f64() * 1e6 / self.rows as f64
    }

    fn server_cpu_us_per_row(&self) -> f64 {
        self.server_cpu.as_secs_f64() * 1e6 / self.rows as f64
    }

    fn sandbox_cpu_us_per_row(&self) -> f64 {
        self.sandbox_cpu.as_secs_f64() * 1e6 / self.rows as f64
    }

    fn to_json(&self, none: Option<&Figures>) -> Value {
        json!({
            "mode": self.mode,
            "rows": self.rows,
            "wall_s": self.wall.as_secs_f64(),
            "rows_per_s": self.rows_per_sec(),
            "cpu_s": self.cpu.as_secs_f64(),
            "cpu_us_per_row": self.cpu_us_per_row(),
            "server_cpu_us_per_row": self.server_cpu_us_per_row(),
            "sandbox_cpu_us_per_row": self.sandbox_cpu_us_per_row(),
            "machine_busy": self.busy,
            "journaling_s": self.journaling.map(|d| d.as_secs_f64()),
            "wall_ratio_to_none": none.map(|n| self.wall.as_secs_f64() / n.wall.as_secs_f64()),
            "journal_cpu_us_per_row": none.map(|n| self.cpu_us_per_row() - n.cpu_us_per_row()),
            "journal_calls": self.profile.iter().map(|(name, calls, mean_ms)| {
                json!({"method": name, "calls": calls, "mean_ms": mean_ms})
            }).collect::<Vec<_>>(),
        })
    }
}

/// A run's clocks, started together and stopped together, so that every run (no journal,
/// a journal, a store alone) is measured the same way: wall time, this process's CPU, the
/// PostgreSQL server's, the sandbox's (when the run has one) and how busy the machine was.
struct Meter {
    started: Instant,
    cpu: Duration,
    server: Duration,
    /// The sandbox's process id and its CPU time at the start.
    sandbox: Option<(u32, Duration)>,
    machine: Option<MachineTicks>,
}

impl Meter {
    fn start() -> Self {
        Self::against(None)
    }

    /// Started for a run against `sandbox` (its CPU is measured too).
    fn against(sandbox: Option<&SandboxChild>) -> Self {
        let sandbox = sandbox.map(|s| (s.child.id(), process_cpu(s.child.id())));
        let machine = MachineTicks::now();
        let (cpu, _) = crate::usage();
        let server = postgres_cpu();
        Self {
            started: Instant::now(),
            cpu,
            server,
            sandbox,
            machine,
        }
    }

    /// The figures of a run of `rows` named `mode`, up to now (no journal profile).
    fn stop(&self, mode: impl Into<String>, rows: usize) -> Figures {
        let wall = self.started.elapsed();
        let (cpu, _) = crate::usage();
        Figures {
            mode: mode.into(),
            rows,
            wall,
            cpu: cpu.saturating_sub(self.cpu),
            server_cpu: postgres_cpu().saturating_sub(self.server),
            sandbox_cpu: self.sandbox.map_or(Duration::ZERO, |(pid, at)| {
                process_cpu(pid).saturating_sub(at)
            }),
            busy: self
                .machine
                .zip(MachineTicks::now())
                .and_then(|(from, to)| to.busy_since(from)),
            journaling: None,
            profile: Vec::new(),
        }
    }
}

/// The machine's CPU time counters (`/proc/stat`, in clock ticks, every core): all of it and
/// the idle part.
#[derive(Debug, Clone, Copy)]
struct MachineTicks {
    total: u64,
    idle: u64,
}

impl MachineTicks {
    fn now() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let ticks: Vec<u64> = stat
            .lines()
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .map(|n| n.parse().ok())
            .collect::<Option<_>>()?;
        // user nice system idle iowait irq softirq steal (guest time is counted in user).
        let total = ticks.iter().take(8).sum();
        let idle = ticks.get(3)? + ticks.get(4)?;
        Some(Self { total, idle })
    }

    /// The busy share of the time between `from` and `self`.
    fn busy_since(self, from: Self) -> Option<f64> {
        let total = self.total.checked_sub(from.total).filter(|t| *t > 0)?;
        let idle = self.idle.checked_sub(from.idle)?;
        Some(1.0 - idle as f64 / total as f64)
    }
}

/// CPU time used so far by the process `pid` (every live thread's `schedstat`; a thread
/// that ended took its time with it, which the sandbox's long-lived threads do not).
fn process_cpu(pid: u32) -> Duration {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task"));
    let ns = tasks
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| schedstat_ns(&entry.path()))
        .sum();
    Duration::from_nanos(ns)
}

/// The CPU time (ns) in the `schedstat` of a `/proc` process or thread directory.
fn schedstat_ns(dir: &std::path::Path) -> Option<u64> {
    let stat = std::fs::read_to_string(dir.join("schedstat")).ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// CPU time used so far by the processes of this machine named `postgres` (a server
/// process is single-threaded: its `schedstat` is the whole process's). Zero when none is
/// visible.
fn postgres_cpu() -> Duration {
    let mut ns = 0u64;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let dir = entry.path();
        let is_postgres =
            std::fs::read_to_string(dir.join("comm")).is_ok_and(|comm| comm.trim() == "postgres");
        if !is_postgres {
            continue;
        }
        ns += schedstat_ns(&dir).unwrap_or(0);
    }
    Duration::from_nanos(ns)
}

fn longlonglong(url: &str) -> Result<Arc<voxkit_longlonglong::Client>, String> {
    voxkit_longlonglong::Client::builder()
        .token(LONGLONGLONG_TOKEN)
        .base_url(url)
        .allow_http(true)
        .build()
        .map(Arc::new)
        .map_err(|e| e.to_string())
}

/// `none`: `rows` recharges by `recharge_exactly_once`, `CONCURRENCY` tasks pulling rows.
async fn run_none(sandbox: &SandboxChild, rows: usize, tag: &str) -> Result<Figures, String> {
    let client = longlonglong(&sandbox.url)?;
    let users = Arc::new(sandbox.users.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let meter = Meter::against(Some(sandbox));
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, users, next) = (client.clone(), users.clone(), next.clone());
        let tag = tag.to_owned();
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= rows {
                    return Ok::<_, String>(());
                }
                let remark = format!("{tag} {i}");
                match client
                    .recharge_exactly_once(&users[i % users.len()], 1, Some(&remark))
                    .await
                {
                    Ok(ExactlyOnceOutcome::Applied { .. }) => {}
                    Ok(other) => return Err(format!("row {i}: {other:?}")),
                    Err(e) => return Err(format!("row {i}: {e}")),
                }
            }
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok(meter.stop("none", rows))
}

/// A journal mode: `rows` recharges through the [`Runner`] over `journal`.
async fn run_journal(
    mode: &str,
    journal: Arc<dyn Journal>,
    sandbox: &SandboxChild,
    rows: usize,
    tag: &str,
) -> Result<Figures, String> {
    let client = longlonglong(&sandbox.url)?;
    let jobs: Vec<Job> = (0..rows)
        .map(|i| {
            let op = BalanceMove::new(
                client.clone(),
                Direction::Recharge,
                sandbox.users[i % sandbox.users.len()].clone(),
                1,
                Some(format!("{tag} {i}")),
            );
            Job::new(format!("{tag}-{i}"), Arc::new(op))
        })
        .collect();
    run_jobs(mode, journal, jobs, Some(sandbox)).await
}

/// An operation that does nothing: its send answers at once (after one yield, as a reply
/// would come back on another poll). Driven through the [`Runner`], it leaves the runner's
/// and the journal's own cost per row: no HTTP, no sandbox.
struct NoOp {
    serial: usize,
    row: usize,
}

#[async_trait::async_trait]
impl ExactlyOnce for NoOp {
    fn identity(&self) -> Identity {
        Identity {
            provider: "bench".to_owned(),
            operation: "noop".to_owned(),
            serial: format!("bench:{}", self.serial),
            request: json!({"serial": self.serial, "row": self.row, "remark": "runner alone"}),
        }
    }

    fn reconciliation(&self) -> Reconciliation {
        Reconciliation::ByMarker {
            field: "remark",
            found_by: "none",
        }
    }

    async fn send(&self, _marker: &Marker) -> Result<Evidence, voxkit_core::Error> {
        tokio::task::yield_now().await;
        Ok(json!({"row": self.row}))
    }

    async fn reconcile(&self, _marker: &Marker, _since: DateTime<Utc>) -> Verdict {
        Verdict::NotApplied
    }
}

/// The runner alone: `rows` no-op operations over `USERS` serial keys through the
/// [`Runner`] at the benchmark's concurrency. Its CPU per row less the store's alone is
/// what the runner itself costs.
async fn run_runner(mode: &str, journal: Arc<dyn Journal>, rows: usize) -> Result<Figures, String> {
    let jobs = (0..rows)
        .map(|row| {
            let op = NoOp {
                serial: row % USERS,
                row,
            };
            Job::new(format!("noop-{row}"), Arc::new(op))
        })
        .collect();
    run_jobs(&format!("{mode} runner"), journal, jobs, None).await
}

/// `jobs` through the [`Runner`] over `journal` at the benchmark's concurrency (against
/// `sandbox`, when they call it); every row must end applied.
async fn run_jobs(
    mode: &str,
    journal: Arc<dyn Journal>,
    jobs: Vec<Job>,
    sandbox: Option<&SandboxChild>,
) -> Result<Figures, String> {
    let rows = jobs.len();
    let mut settings = Settings::default();
    settings.concurrency = CONCURRENCY;
    let (sender, mut receiver) = unbounded_channel();
    let timed = Timed::new(journal);
    let runner =
        Runner::with_settings(timed.clone(), format!("bench-{mode}"), settings).progress(sender);
    let meter = Meter::against(sandbox);
    let started = meter.started;
    let watcher = tokio::spawn(async move {
        while let Some(progress) = receiver.recv().await {
            if progress.event == Event::Started {
                return Some(started.elapsed());
            }
        }
        None
    });
    let summary = runner.run_all(jobs).await.map_err(|e| e.to_string())?;
    let figures = meter.stop(mode, rows);
    drop(runner);
    let journaling = watcher.await.map_err(|e| e.to_string())?;
    if summary.tally.applied != rows as u64 {
        return Err(format!(
            "{mode}: not every row applied: {:?}",
            summary.tally
        ));
    }
    Ok(Figures {
        journaling,
        profile: timed.profile(),
        ..figures
    })
}

/// The store alone: `rows` intents of the same shape as the recharges (journaled in chunks
/// of 512), then claimed 128 at a time, each claim marking them `Sent`, and their outcomes
/// written, one batch per claim: an intent's three writes with no HTTP, no sandbox and no
/// runner around them. Its CPU per row is what the journal itself costs; on a machine whose
/// cores the `none` run already fills, a journal run can be no faster than `none` plus
/// that CPU spread over the cores. (PostgreSQL's own CPU is the server's, not counted.)
async fn run_store(mode: &str, journal: Arc<dyn Journal>, rows: usize) -> Result<Figures, String> {
    let owner = format!("bench-store-{mode}");
    let err = |e: JournalError| format!("{mode} store: {e}");
    let meter = Meter::start();
    let mut new = store_intents(rows).into_iter();
    loop {
        let chunk: Vec<NewIntent> = new.by_ref().take(512).collect();
        if chunk.is_empty() {
            break;
        }
        for created in journal.create_many(chunk).await.map_err(err)? {
            created.map_err(err)?;
        }
    }
    let mark: MarkSent = Arc::new(|_: &Intent| true);
    let mut finished = 0;
    loop {
        let claimed = journal
            .claim_and_mark_sent(&owner, Duration::from_secs(300), 128, Arc::clone(&mark))
            .await
            .map_err(err)?;
        if claimed.is_empty() {
            break;
        }
        let outcomes = claimed
            .iter()
            .map(|intent| {
                let outcome = Outcome::new(State::Sent, State::Applied)
                    .evidence(json!({"record_id": intent.seq}));
                (intent.key.clone(), outcome)
            })
            .collect();
        for written in journal
            .record_outcomes(&owner, outcomes)
            .await
            .map_err(err)?
        {
            written.map_err(err)?;
            finished += 1;
        }
    }
    if finished != rows {
        return Err(format!("{mode} store: {finished} of {rows} rows finished"));
    }
    Ok(meter.stop(format!("{mode} store"), rows))
}

/// `rows` intents of the same shape as the recharges, for the store-alone runs.
fn store_intents(rows: usize) -> Vec<NewIntent> {
    (0..rows)
        .map(|i| NewIntent {
            key: format!("store-{i}"),
            provider: "longlonglong".to_owned(),
            operation: "recharge".to_owned(),
            request: json!({
                "user": format!("00000000-0000-4000-8000-{:012}", i % USERS),
                "amount": 1,
                "remark": format!("store {i}"),
            }),
            serial: format!("longlonglong:user:{}", i % USERS),
            marker: format!("vk{i:016x}"),
        })
        .collect()
}

/// SQLite itself, for the journal's table: each intent's three writes (journaled; leased
/// and `Sent`; its outcome) in the shape of the store's own statements and in commits of
/// [`run_store`]'s sizes, with none of the store's work around them: no claim's search, no
/// compare-and-set read-backs, no intents read back, no group commit. What any store that
/// keeps an intent in one row of this table pays SQLite, whatever its Rust does; the file
/// and its schema are the store's own (made by [`SqliteJournal::open`]).
async fn run_sqlite_schema(dir: &std::path::Path, rows: usize) -> Result<Figures, String> {
    drop(sqlite(dir, "schema").await?);
    let path = dir.join("schema.db");
    let new: Vec<(NewIntent, String)> = store_intents(rows)
        .into_iter()
        .map(|n| {
            let request = n.request.to_string();
            (n, request)
        })
        .collect();
    tokio::task::spawn_blocking(move || {
        let db = |e: rusqlite::Error| format!("sqlite schema: {e}");
        let conn = rusqlite::Connection::open(&path).map_err(db)?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .map_err(db)?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;")
            .map_err(db)?;
        let meter = Meter::start();
        let now = 1_700_000_000_000_i64;
        let in_commits = |sql: &str,
                          size: usize,
                          each: &dyn Fn(
            &mut rusqlite::CachedStatement<'_>,
            usize,
        ) -> rusqlite::Result<usize>| {
            for start in (0..rows).step_by(size) {
                conn.execute_batch("BEGIN IMMEDIATE")?;
                let mut statement = conn.prepare_cached(sql)?;
                for i in start..(start + size).min(rows) {
                    each(&mut statement, i)?;
                }
                drop(statement);
                conn.execute_batch("COMMIT")?;
            }
            Ok::<_, rusqlite::Error>(())
        };
        in_commits(
            "INSERT INTO intents (key, provider, operation, request, serial, marker, state, \
             created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7) \
             ON CONFLICT (key) DO NOTHING",
            512,
            &|insert, i| {
                let (n, request) = &new[i];
                insert.execute(rusqlite::params![
                    n.key,
                    n.provider,
                    n.operation,
                    request,
                    n.serial,
                    n.marker,
                    now
                ])
            },
        )
        .map_err(db)?;
        in_commits(
            "UPDATE intents SET owner = ?1, lease_until = ?2, state = 'sent', \
             attempts = attempts + 1, sent_at = coalesce(sent_at, ?3) WHERE seq = ?4",
            128,
            &|lease, i| lease.execute(rusqlite::params!["bench-schema", now + 300_000, now, i + 1]),
        )
        .map_err(db)?;
        in_commits(
            "UPDATE intents SET state = ?1, evidence = coalesce(?2, evidence), \
             error = coalesce(?3, error), finished_at = CASE WHEN ?4 THEN ?5 END, \
             lease_until = CASE WHEN ?4 THEN NULL ELSE lease_until END \
             WHERE key = ?6 AND owner = ?7 AND state = ?8",
            128,
            &|outcome, i| {
                let evidence = format!("{{\"record_id\":{}}}", i + 1);
                let key = &new[i].0.key;
                let params = rusqlite::params![
                    "applied",
                    evidence,
                    None::<String>,
                    true,
                    now,
                    key,
                    "bench-schema",
                    "sent"
                ];
                match outcome.execute(params)? {
                    1 => Ok(1),
                    _ => Err(rusqlite::Error::QueryReturnedNoRows),
                }
            },
        )
        .map_err(db)?;
        Ok(meter.stop("sqlite schema", rows))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// A fresh SQLite journal file under `dir`.
async fn sqlite(dir: &std::path::Path, name: &str) -> Result<Arc<dyn Journal>, String> {
    let path = dir.join(format!("{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let journal = SqliteJournal::open(&path)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(journal))
}

/// A PostgreSQL journal in a schema of its own.
async fn postgres(url: &str, name: &str) -> Result<Arc<dyn Journal>, String> {
    let schema = format!("voxkit_bench_{}_{name}", std::process::id());
    let config = PgConfig::new(url).schema(schema).pool_size(CONCURRENCY + 8);
    let journal = PgJournal::connect(config)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(journal))
}

/// `journal`: the side-by-side runs and the latency run; prints the table and writes the
/// JSON report.
pub fn drive(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let rows = match crate::flag(args, "--rows") {
        Some(_) => crate::number(args, "--rows")?,
        None if quick => 2_000,
        None => 10_000,
    };
    let latency_rows = match crate::flag(args, "--latency-rows") {
        Some(_) => crate::number(args, "--latency-rows")?,
        None if quick => 1_000,
        None => 4_000,
    };
    let postgres_url = crate::flag(args, "--postgres").map(str::to_owned);
    let out = crate::flag(args, "--out").unwrap_or("target/voxkit-bench/journal.json");
    let dir = std::path::Path::new(out)
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join("journal-files");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;

    // The same runtime as the other client benchmarks: two workers.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    // One run alone, for a profiler (`perf record voxkit-bench journal --only runner`):
    // its figures are printed, nothing else runs and no report is written.
    if let Some(only) = crate::flag(args, "--only") {
        let figures = runtime.block_on(async {
            match only {
                "store" => run_store("sqlite", sqlite(&dir, "store").await?, rows).await,
                "runner" => run_runner("sqlite", sqlite(&dir, "runner").await?, rows).await,
                "schema" => run_sqlite_schema(&dir, rows).await,
                "none" | "sqlite" => {
                    let sandbox = SandboxChild::start(Duration::ZERO)?;
                    run_none(&sandbox, 500, "warmup").await?;
                    if only == "none" {
                        run_none(&sandbox, rows, "none").await
                    } else {
                        let journal = sqlite(&dir, "only").await?;
                        run_journal("sqlite", journal, &sandbox, rows, "sqlite").await
                    }
                }
                other => Err(format!(
                    "--only takes store, runner, schema, none or sqlite, not {other}"
                )),
            }
        })?;
        println!(
            "{}: {} rows in {:.2} s, {:.1} µs CPU/row",
            figures.mode,
            figures.rows,
            figures.wall.as_secs_f64(),
            figures.cpu_us_per_row()
        );
        for (method, calls, mean_ms) in &figures.profile {
            println!("  {method} {calls}× {mean_ms:.2} ms");
        }
        return Ok(());
    }
    let (side_by_side, store, latency) = runtime.block_on(async {
        let sandbox = SandboxChild::start(Duration::ZERO)?;
        println!(
            "voxkit-bench journal: {rows} recharges over {USERS} users, concurrency {CONCURRENCY}, \
             sandbox {} in its own process{}",
            sandbox.url,
            if quick { " (quick)" } else { "" }
        );
        // Warm-up: connections, allocator, the sandbox's first users.
        run_none(&sandbox, 500, "warmup").await?;
        let mut figures = vec![run_none(&sandbox, rows, "none").await?];
        eprintln!("none done ({:.1} s)", started.elapsed().as_secs_f64());
        let journal = sqlite(&dir, "side-by-side").await?;
        figures.push(run_journal("sqlite", journal, &sandbox, rows, "sqlite").await?);
        eprintln!("sqlite done ({:.1} s)", started.elapsed().as_secs_f64());
        match &postgres_url {
            Some(url) => {
                let journal = postgres(url, "side").await?;
                figures.push(run_journal("postgres", journal, &sandbox, rows, "pg").await?);
                eprintln!("postgres done ({:.1} s)", started.elapsed().as_secs_f64());
            }
            None => println!("postgres: skipped (no --postgres URL)"),
        }
        drop(sandbox);

        let mut store = vec![
            run_store("sqlite", sqlite(&dir, "store").await?, rows).await?,
            run_runner("sqlite", sqlite(&dir, "runner").await?, rows).await?,
            run_sqlite_schema(&dir, rows).await?,
        ];
        if let Some(url) = &postgres_url {
            store.push(run_store("postgres", postgres(url, "store").await?, rows).await?);
            store.push(run_runner("postgres", postgres(url, "runner").await?, rows).await?);
        }
        eprintln!("store runs done ({:.1} s)", started.elapsed().as_secs_f64());

        let slow = SandboxChild::start(LATENCY)?;
        let journal = sqlite(&dir, "latency").await?;
        let latency = run_journal("sqlite+100ms", journal, &slow, latency_rows, "lat").await?;
        eprintln!(
            "latency run done ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
        Ok::<_, String>((figures, store, latency))
    })?;

    let none = side_by_side.first().cloned();
    let mut table = format!(
        "\n{:<14} {:>7} {:>9} {:>7} {:>9} {:>9} {:>9} {:>11} {:>13} {:>8} {:>6}\n",
        "mode",
        "rows",
        "wall s",
        "×none",
        "rows/s",
        "CPU µs/row",
        "of it PG",
        "journal CPU",
        "journaling s",
        "sandbox",
        "busy"
    );
    for f in &side_by_side {
        let n = none.as_ref().filter(|n| n.mode != f.mode);
        table.push_str(&format!(
            "{:<14} {:>7} {:>9.2} {:>7} {:>9.0} {:>9.0} {:>9.0} {:>11} {:>13} {:>8.0} {:>6}\n",
            f.mode,
            f.rows,
            f.wall.as_secs_f64(),
            n.map_or("1.00".to_owned(), |n| format!(
                "{:.2}",
                f.wall.as_secs_f64() / n.wall.as_secs_f64()
            )),
            f.rows_per_sec(),
            f.cpu_us_per_row(),
            f.server_cpu_us_per_row(),
            n.map_or("-".to_owned(), |n| format!(
                "{:.0} µs/row",
                f.cpu_us_per_row() - n.cpu_us_per_row()
            )),
            f.journaling
                .map_or("-".to_owned(), |d| format!("{:.2}", d.as_secs_f64())),
            f.sandbox_cpu_us_per_row(),
            f.busy
                .map_or("-".to_owned(), |b| format!("{:.0}%", b * 100.0)),
        ));
    }
    for f in side_by_side.iter().chain([&latency]) {
        if !f.profile.is_empty() {
            let calls: Vec<String> = f
                .profile
                .iter()
                .map(|(name, calls, mean)| format!("{name} {calls}× {mean:.2} ms"))
                .collect();
            table.push_str(&format!(
                "  {} journal calls: {}\n",
                f.mode,
                calls.join(", ")
            ));
        }
    }
    // The floor a journal run cannot beat here: `none`'s wall time plus the store's own CPU
    // spread over every core (the `none` run keeps them all busy: client and sandbox).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut floors = Vec::new();
    for f in &store {
        let floor = none.as_ref().map(|n| {
            let per_row = n.wall.as_secs_f64() / n.rows as f64;
            1.0 + f.cpu_us_per_row() / 1e6 / cores as f64 / per_row
        });
        table.push_str(&format!(
            "{}: {} rows in {:.2} s, {:.1} µs CPU/row (of it the PostgreSQL server {:.1}){}\n",
            f.mode,
            f.rows,
            f.wall.as_secs_f64(),
            f.cpu_us_per_row(),
            f.server_cpu_us_per_row(),
            floor.map_or(String::new(), |x| format!(
                "; alone it puts a journal run at ≥ {x:.2}× none on {cores} cores"
            )),
        ));
        floors.push(
            json!({"mode": f.mode, "rows": f.rows, "wall_s": f.wall.as_secs_f64(),
                           "cpu_us_per_row": f.cpu_us_per_row(),
                           "server_cpu_us_per_row": f.server_cpu_us_per_row(),
                           "floor_ratio_to_none": floor,
                           "cores": cores}),
        );
    }
    let ceiling = CONCURRENCY as f64 / LATENCY.as_secs_f64();
    let share = latency.rows_per_sec() / ceiling;
    table.push_str(&format!(
        "\nlatency 100 ms, SQLite journal, concurrency {CONCURRENCY}: {} rows in {:.2} s = \
         {:.0} rows/s = {:.0}% of {ceiling:.0} rows/s (journaling {:.2} s)\n",
        latency.rows,
        latency.wall.as_secs_f64(),
        latency.rows_per_sec(),
        share * 100.0,
        latency.journaling.unwrap_or_default().as_secs_f64(),
    ));
    let mut targets = Vec::new();
    for (mode, limit) in [("sqlite", 1.25), ("postgres", 1.40)] {
        if let (Some(n), Some(f)) = (&none, side_by_side.iter().find(|f| f.mode == mode)) {
            let ratio = f.wall.as_secs_f64() / n.wall.as_secs_f64();
            // What a journal may spend at the target, when the cores are the bound: every
            // core for `limit` times `none`'s wall time, less what `none` itself used (the
            // client and the sandbox).
            let budget = (cores as f64 * limit * n.wall.as_secs_f64()
                - (n.cpu + n.sandbox_cpu).as_secs_f64())
                * 1e6
                / n.rows as f64;
            table.push_str(&format!(
                "at {limit}× none a {mode} journal may use ≤ {budget:.1} µs CPU/row here \
                 ({cores} cores × {limit} × {:.2} s, less none's client {:.1} and sandbox {:.1} \
                 µs/row; none kept the machine {} busy)\n",
                n.wall.as_secs_f64(),
                n.cpu_us_per_row(),
                n.sandbox_cpu_us_per_row(),
                n.busy
                    .map_or("?".to_owned(), |b| format!("{:.0}%", b * 100.0)),
            ));
            targets.push(
                json!({"target": format!("{mode} <= {limit}x"), "value": ratio,
                                "met": ratio <= limit,
                                "journal_cpu_budget_us_per_row": budget}),
            );
        }
    }
    targets.push(
        json!({"target": "latency run >= 90% of 320 rows/s", "value": share,
                        "met": share >= 0.9}),
    );
    for t in &targets {
        table.push_str(&format!(
            "target {}: {:.2} — {}\n",
            t["target"].as_str().unwrap_or_default(),
            t["value"].as_f64().unwrap_or_default(),
            if t["met"] == true { "met" } else { "MISSED" }
        ));
    }
    print!("{table}");
    let report = json!({
        "concurrency": CONCURRENCY,
        "users": USERS,
        "quick": quick,
        "runs": side_by_side.iter().map(|f| f.to_json(none.as_ref().filter(|n| n.mode != f.mode))).collect::<Vec<_>>(),
        "store": floors,
        "latency": latency.to_json(None),
        "latency_ceiling_rows_per_s": ceiling,
        "targets": targets,
    });
    std::fs::write(
        out,
        serde_json::to_string_pretty(&report).unwrap_or_default(),
    )
    .map_err(|e| format!("cannot write {out}: {e}"))?;
    println!(
        "report written to {out} ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
