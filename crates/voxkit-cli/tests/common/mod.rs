//! Helpers shared by the end-to-end tests: run the real `voxkit` binary with exactly the
//! sandbox's environment (and, if given, a standard input) and collect what it left.

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use futures_util::TryStreamExt as _;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::{Child, Command};
use voxkit_espai::{BalanceLog, BalanceLogQuery};
use voxkit_journal::{Intent, Journal as _, NewIntent, SqliteJournal};
use voxkit_sandbox::{
    ESPAI_OPEN_API_KEY, Fault, LAAFFIC_API_KEY, LAAFFIC_API_SECRET, LONGLONGLONG_TOKEN, Sandbox,
};

/// Runs each argument list of `runs` and asserts that it exits 2 with an `--output json`
/// error of `kind` (`"usage"`, `"invalid_input"`): how the tests try many bad command
/// lines in a row, each refused before anything is sent.
pub async fn expect_refused(env: &[(String, String)], runs: &[Vec<String>], kind: &str) {
    for args in runs {
        let out = run_args(env, args).await.expect(2);
        let error = out.error();
        assert_eq!(error["kind"], kind, "{args:?}: {error}");
    }
}

/// `voxkit!(sandbox, "laaffic tasks --page {page}" => 0)`: runs that command line (a
/// format string, its names captured) through the `voxkit(&Sandbox, &str)` the test file
/// has in scope and expects that exit code. Most end-to-end steps are this one line;
/// written as calls, rustfmt spreads each over six. (`#[macro_use] mod common;` to use it.)
#[allow(unused_macros)] // like the rest: each test binary uses a part of these helpers
macro_rules! voxkit {
    ($sandbox:ident, $line:literal => $code:expr) => {
        voxkit(&$sandbox, &format!($line)).await.expect($code)
    };
    // `voxkit!(env: env, "..." => 0)`: the same with an environment, no standard input.
    (env: $env:ident, $line:literal => $code:expr) => {
        $crate::common::run_stdin(&$env, None, &format!($line))
            .await
            .expect($code)
    };
}

/// The `voxkit` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_voxkit");

/// Environment variables as (name, value).
pub type Env = Vec<(String, String)>;

/// What a run of the binary left: exit code, stdout, stderr.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Asserts the exit code.
    #[track_caller]
    pub fn expect(self, code: i32) -> Out {
        assert_eq!(self.code, code, "unexpected exit code: {self:#?}");
        self
    }

    /// stdout as the one JSON object of `--output json`.
    #[track_caller]
    pub fn json(&self) -> Value {
        assert_eq!(self.stdout.trim().lines().count(), 1, "{self:#?}");
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }

    /// The `error` object that `--output json` prints on stderr, on one line.
    #[track_caller]
    pub fn error(&self) -> Value {
        assert_eq!(self.stderr.trim().lines().count(), 1, "{self:#?}");
        assert!(self.stdout.is_empty(), "{self:#?}");
        let value: Value = serde_json::from_str(self.stderr.trim())
            .unwrap_or_else(|e| panic!("stderr is not JSON ({e}): {self:#?}"));
        let error = value["error"].clone();
        assert!(error.is_object(), "{self:#?}");
        assert_eq!(error["exit_code"], self.code, "{self:#?}");
        error
    }

    /// The `error` object of a lost answer (`--output json`): asserts that its kind is
    /// `outcome_unknown` from `operation` and that its hint names `check`, the way to find
    /// out whether it was applied (the hint is the message); returned for more checks.
    #[track_caller]
    pub fn outcome_unknown(&self, operation: &str, check: &str) -> Value {
        let error = self.error();
        assert_eq!(error["kind"], "outcome_unknown");
        assert_eq!(error["operation"], operation);
        let hint = error["hint"].as_str().unwrap();
        assert!(hint.contains(check), "{hint}");
        error
    }

    /// The last line of stdout.
    pub fn last_line(&self) -> &str {
        self.stdout.trim_end().lines().last().unwrap_or_default()
    }

    /// Asserts what a batch file refused before sending anything said on stderr: each
    /// `(line, why)` as a `line N: ` message containing `why`, nothing about line 2 (the
    /// good row the tests put first), and that nothing was sent.
    #[track_caller]
    pub fn assert_bad_lines(&self, bad: &[(usize, &str)]) {
        for &(line, why) in bad {
            let said = self
                .stderr
                .lines()
                .find(|l| l.contains(&format!("line {line}: ")))
                .unwrap_or_else(|| panic!("line {line} not reported: {self:#?}"));
            assert!(said.contains(why), "line {line} ({why}): {said}");
        }
        assert!(!self.stderr.contains("line 2:"), "{self:#?}");
        assert!(self.stderr.contains("nothing was sent"), "{self:#?}");
    }

    /// The one text line of an error on stderr.
    #[track_caller]
    pub fn error_line(&self) -> &str {
        let line = self.stderr.trim();
        assert_eq!(line.lines().count(), 1, "{self:#?}");
        assert!(line.starts_with("voxkit: error: "), "{self:#?}");
        line
    }
}

/// The sandbox's environment for all three providers, as `voxkit sandbox` prints it.
pub fn sandbox_env(sandbox: &Sandbox) -> Env {
    let url = sandbox.url();
    [
        ("LONGLONGLONG_TOKEN", LONGLONGLONG_TOKEN),
        ("LONGLONGLONG_BASE_URL", url.as_str()),
        ("LAAFFIC_API_KEY", LAAFFIC_API_KEY),
        ("LAAFFIC_API_SECRET", LAAFFIC_API_SECRET),
        ("LAAFFIC_BASE_URL", url.as_str()),
        ("ESPAI_OPEN_API_KEY", ESPAI_OPEN_API_KEY),
        ("ESPAI_BASE_URL", url.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// The Laaffic part of the sandbox's environment, as `voxkit sandbox` prints it.
pub fn laaffic_env(base_url: &str) -> Env {
    [
        ("LAAFFIC_API_KEY", LAAFFIC_API_KEY),
        ("LAAFFIC_API_SECRET", LAAFFIC_API_SECRET),
        ("LAAFFIC_BASE_URL", base_url),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Replaces (or adds) variables of `env`; an empty value removes the variable.
pub fn with(mut env: Env, changes: &[(&str, &str)]) -> Env {
    for (key, value) in changes {
        env.retain(|(k, _)| k != key);
        if !value.is_empty() {
            env.push(((*key).to_owned(), (*value).to_owned()));
        }
    }
    env
}

/// Runs `voxkit` with these arguments, exactly `env` and, if given, `stdin`.
pub async fn spawn<S: AsRef<str>>(
    env: &[(String, String)],
    stdin: Option<&str>,
    args: &[S],
) -> Out {
    let mut child = Command::new(BIN)
        .args(args.iter().map(AsRef::as_ref))
        .env_clear()
        .envs(env.iter().cloned())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn voxkit");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        // A child that exits without reading (a usage error) closes the pipe first.
        if let Err(e) = pipe.write_all(input.as_bytes()).await {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
        drop(pipe);
    }
    let output = child.wait_with_output().await.unwrap();
    let out = Out {
        code: output.status.code().expect("voxkit was killed by a signal"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert!(!out.stderr.contains("panicked"), "{out:#?}");
    out
}

/// Starts `voxkit` with these arguments and exactly `env`, for a command that keeps
/// running while the test reads it (a sandbox, a push listener, a long `--all`): no
/// standard input, stdout and stderr piped, killed when dropped.
pub fn start<S: AsRef<str>>(env: &[(String, String)], args: &[S]) -> Child {
    Command::new(BIN)
        .args(args.iter().map(AsRef::as_ref))
        .env_clear()
        .envs(env.iter().cloned())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn voxkit")
}

/// A `voxkit sandbox` child and the lines it printed up to `# serving` (or its JSON line).
pub struct Served {
    pub child: Child,
    pub lines: Vec<String>,
}

/// Starts `voxkit sandbox <args>` with exactly `env` and reads what it prints up to
/// `# serving` (text) or its one JSON line (`--output json`).
pub async fn serve(args: &[&str], env: &[(&str, &str)]) -> Served {
    let env: Env = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mut argv = vec!["sandbox"];
    argv.extend(args);
    let mut child = start(&env, &argv);
    let mut reader = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut lines = Vec::new();
    while let Some(line) = reader.next_line().await.unwrap() {
        let done = line.starts_with("# serving") || line.starts_with('{');
        lines.push(line);
        if done {
            break;
        }
    }
    Served { child, lines }
}

impl Served {
    /// The `export K=V` lines, as the environment they set.
    pub fn env(&self) -> Env {
        self.lines
            .iter()
            .filter_map(|l| l.strip_prefix("export "))
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), v.to_owned())
            })
            .collect()
    }

    /// The value of the exported variable `name`.
    #[track_caller]
    pub fn var(&self, name: &str) -> String {
        self.env()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no {name} in {:#?}", self.lines))
    }

    /// The last word of the `# ...` line containing `label`.
    #[track_caller]
    pub fn comment(&self, label: &str) -> String {
        let line = self
            .lines
            .iter()
            .find(|l| l.starts_with('#') && l.contains(label))
            .unwrap_or_else(|| panic!("no {label:?} line in {:#?}", self.lines));
        line.split_whitespace().last().unwrap().to_owned()
    }
}

/// Runs `voxkit <command line>` (split on whitespace) with exactly `env` and, if given,
/// `stdin`.
pub async fn run_stdin(env: &[(String, String)], stdin: Option<&str>, command_line: &str) -> Out {
    let args: Vec<&str> = command_line.split_whitespace().collect();
    spawn(env, stdin, &args).await
}

/// Runs `voxkit` with these arguments and exactly `env`; no Laaffic credential may be
/// printed.
pub async fn run_args<S: AsRef<str>>(env: &[(String, String)], args: &[S]) -> Out {
    let out = spawn(env, None, args).await;
    for secret in [LAAFFIC_API_SECRET, LAAFFIC_API_KEY] {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "a credential was printed: {out:#?}"
        );
    }
    out
}

/// Runs `voxkit <command line>` (split on whitespace) with exactly `env`.
pub async fn run(env: &[(String, String)], command_line: &str) -> Out {
    let args: Vec<&str> = command_line.split_whitespace().collect();
    run_args(env, &args).await
}

/// Runs `voxkit <command line>` against `sandbox` with every provider's variables (test
/// files import it `as voxkit` for the `voxkit!` macro).
pub async fn in_sandbox(sandbox: &Sandbox, command_line: &str) -> Out {
    run_stdin(&sandbox_env(sandbox), None, command_line).await
}

/// Runs `voxkit <command line>` against `sandbox` (Laaffic variables only).
pub async fn voxkit(sandbox: &Sandbox, command_line: &str) -> Out {
    run(&laaffic_env(&sandbox.url()), command_line).await
}

/// Runs `voxkit` with these arguments against `sandbox`.
pub async fn voxkit_args(sandbox: &Sandbox, args: &[&str]) -> Out {
    run_args(&laaffic_env(&sandbox.url()), args).await
}

/// [`voxkit_args`] with `--output json` added, expected to succeed (exit 0): its one JSON
/// answer, for the Laaffic commands whose arguments hold spaces.
pub async fn voxkit_args_json(sandbox: &Sandbox, args: &[&str]) -> Value {
    let args = [args, &["--output", "json"]].concat();
    voxkit_args(sandbox, &args).await.expect(0).json()
}

/// A scratch directory for one test, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh directory named after `test`.
    pub fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("voxkit-cli-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes a file; returns its path as a string.
    pub fn file(&self, name: &str, content: &[u8]) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// The path of a SQLite journal in this directory, as a string (not created: the
    /// first `voxkit batch run` or [`left_sent`] creates it).
    pub fn journal(&self) -> String {
        self.0.join("journal.db").to_str().unwrap().to_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `now + offset` as RFC 3339 in UTC, for `records --from/--to`.
pub fn utc(offset_secs: i64) -> String {
    let now = SystemTime::now();
    let at = if offset_secs >= 0 {
        now + Duration::from_secs(offset_secs.unsigned_abs())
    } else {
        now - Duration::from_secs(offset_secs.unsigned_abs())
    };
    DateTime::<Utc>::from(at).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The Laaffic application id the tests create tasks and send SMS under.
pub const LAAFFIC_APP: &str = "4luaKsL2";

/// `voxkit laaffic task create` with voice file `file`, two numbers and `extra` options, as
/// JSON; returns the new task's id.
pub async fn create_laaffic_task(sandbox: &Sandbox, name: &str, file: &str, extra: &[&str]) -> u64 {
    let mut args = laaffic_create_words(
        name,
        "8613800000001,8613800000002",
        file,
        &["--output", "json"],
    );
    args.extend_from_slice(extra);
    let json = voxkit_args(sandbox, &args).await.expect(0).json();
    assert_eq!(json["name"], name);
    assert_eq!(json["numbers"], 2);
    json["task_id"].as_u64().expect("a task id")
}

/// The words of `laaffic task create` for [`LAAFFIC_APP`]: the task `name`, calling
/// `numbers` with the voice file `file`, then `extra`; what each IVR test that creates a
/// task (or is refused one) varies is only these.
pub fn laaffic_create_words<'a>(
    name: &'a str,
    numbers: &'a str,
    file: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut words = vec![
        "laaffic",
        "task",
        "create",
        "--app-id",
        LAAFFIC_APP,
        "--name",
        name,
        "--numbers",
        numbers,
        "--voice-file",
        file,
    ];
    words.extend_from_slice(extra);
    words
}

/// How many of the sandbox's Laaffic tasks carry this name.
pub fn laaffic_tasks_named(sandbox: &Sandbox, name: &str) -> usize {
    sandbox
        .laaffic_tasks()
        .iter()
        .filter(|t| t.name == name)
        .count()
}

/// Makes the sandbox lose its next answer on `route` after applying the request: the
/// ambiguous outcome the CLI must report as exit 5, never send again.
pub fn drop_next_answer(sandbox: &Sandbox, route: &str) {
    sandbox.set_fault(route, Fault::default().drop_after(1.0).times(1));
}

/// The string `field` of every object in the JSON array `rows`, in order (a panic where
/// one has none: every row is expected to carry it).
#[track_caller]
pub fn strings<'a>(rows: &'a Value, field: &str) -> Vec<&'a str> {
    column(rows, field, Value::as_str)
}

/// The whole-number `field` of every object in the JSON array `rows`, in order.
#[track_caller]
pub fn numbers(rows: &Value, field: &str) -> Vec<u64> {
    column(rows, field, Value::as_u64)
}

#[track_caller]
fn column<'a, T>(rows: &'a Value, field: &str, read: fn(&'a Value) -> Option<T>) -> Vec<T> {
    let array = rows
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {rows}"));
    array
        .iter()
        .map(|row| read(&row[field]).unwrap_or_else(|| panic!("no {field:?} in {row}")))
        .collect()
}

/// Runs `voxkit <command line>` against `sandbox` (every provider's variables) with
/// `stdin`.
pub async fn voxkit_stdin(sandbox: &Sandbox, stdin: &str, command_line: &str) -> Out {
    run_stdin(&sandbox_env(sandbox), Some(stdin), command_line).await
}

/// The day the dated tests pin as the sandbox's "today".
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()
}

/// A sandbox whose "today" is [`today`].
pub async fn pinned_sandbox() -> Sandbox {
    Sandbox::builder().today(today()).start().await.unwrap()
}

/// The owner name of a process of this host that has ended (spawned and reaped here): the
/// journal ends its leases at once, as it does a SIGKILLed `voxkit`'s, so the tests need not
/// release them by hand.
pub fn dead_owner() -> String {
    let me = voxkit_journal::owner_for_this_process();
    let host = me.rsplitn(4, ':').nth(3).unwrap().to_owned();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    format!("{host}:{pid}:12345:dead00")
}

/// A loopback URL where nothing listens (a port bound, then released).
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// The other user's paid card of the seed (the transfer example's target): its phone.
pub const OTHER_PHONE: &str = "17516888888";
/// The other user's paid card of the seed: its code.
pub const OTHER_CODE: &str = "3AoPbLSQ";

/// The quotas of the card `from` and of the other user's paid card: a transfer's two sides.
pub fn quotas(sandbox: &Sandbox, from: &str) -> (u64, u64) {
    let quota = |code| sandbox.espai_card(code).unwrap().quota;
    (quota(from), quota(OTHER_CODE))
}

/// A sandbox with its default seed, its "today" China's today.
pub async fn sandbox() -> Sandbox {
    Sandbox::start().await.unwrap()
}

/// A sandbox with its default seed, and the seed's longlonglong user (a UUID): how the
/// tests of one user's commands begin.
pub async fn longlonglong_sandbox() -> (Sandbox, String) {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.seed().longlonglong_user.clone();
    (sandbox, user)
}

/// The id of the sandbox's first Laaffic voice file (a seeded one, ready to call with).
pub fn first_voice_file(sandbox: &Sandbox) -> String {
    sandbox.laaffic_voice_files()[0].id.clone()
}

/// `words` then `extra`, as the owned arguments of one run: the tests that try many
/// variants of one command line build each as its fixed words plus what varies.
pub fn argv(words: &[&str], extra: &[&str]) -> Vec<String> {
    words.iter().chain(extra).map(|s| (*s).to_owned()).collect()
}

/// `words` then `--output json`, as owned arguments: a run whose error a test reads as
/// the JSON object on stderr.
pub fn json_argv(words: &[&str]) -> Vec<String> {
    argv(words, &["--output", "json"])
}

/// The SDK's longlonglong client on `sandbox`: for set-up and checks that the CLI under
/// test does not do itself.
pub fn longlonglong_client(sandbox: &Sandbox) -> voxkit_longlonglong::Client {
    voxkit_longlonglong::Client::builder()
        .token(LONGLONGLONG_TOKEN)
        .base_url(sandbox.url())
        .build()
        .unwrap()
}

/// The SDK's Laaffic client on `sandbox`.
pub fn laaffic_client(sandbox: &Sandbox) -> voxkit_laaffic::Client {
    voxkit_laaffic::Client::builder()
        .credentials(LAAFFIC_API_KEY, LAAFFIC_API_SECRET)
        .base_url(sandbox.url())
        .build()
        .unwrap()
}

/// The SDK's ESP-AI client on `sandbox`.
pub fn espai_client(sandbox: &Sandbox) -> voxkit_espai::Client {
    voxkit_espai::Client::builder()
        .api_key(ESPAI_OPEN_API_KEY)
        .base_url(sandbox.url())
        .build()
        .unwrap()
}

/// Every usage-log row of the ESP-AI card `card_id`, read through the SDK: how the batch
/// tests count the transfers that really moved quota.
pub async fn usage_log(client: &voxkit_espai::Client, card_id: &str) -> Vec<BalanceLog> {
    client
        .logs(BalanceLogQuery::card(card_id))
        .try_collect()
        .await
        .unwrap()
}

/// The columns of the batch files of balance movements and transfers (`voxkit batch run`).
pub const BATCH_HEADER: &str =
    "key,operation,user,amount,remark,from-phone,from-code,to-phone,to-code";

/// `voxkit batch run <file> --journal <journal> <extra>` against `sandbox` (every
/// provider's variables).
pub async fn batch(sandbox: &Sandbox, file: &str, journal: &str, extra: &[&str]) -> Out {
    let mut args = vec!["batch", "run", file, "--journal", journal];
    args.extend_from_slice(extra);
    run_args(&sandbox_env(sandbox), &args).await
}

/// `voxkit journal <args> --journal <journal>` against `sandbox` (every provider's
/// variables).
pub async fn run_journal(sandbox: &Sandbox, journal: &str, args: &[&str]) -> Out {
    let mut argv = vec!["journal"];
    argv.extend_from_slice(args);
    argv.extend(["--journal", journal]);
    run_args(&sandbox_env(sandbox), &argv).await
}

/// The intent a batch row `longlonglong.recharge` of `amount` to `user` journals, under
/// `key` and `marker`.
pub fn recharge_intent(
    key: &str,
    user: &str,
    amount: u64,
    remark: Option<&str>,
    marker: &str,
) -> NewIntent {
    NewIntent {
        key: key.into(),
        provider: "longlonglong".into(),
        operation: "recharge".into(),
        request: serde_json::json!({ "user": user, "amount": amount, "remark": remark }),
        serial: format!("longlonglong:user:{user}"),
        marker: marker.into(),
    }
}

/// Leaves `intent` in the SQLite journal at `journal` as a process that died after sending
/// it would: created, claimed by a dead owner (its lease still running), marked sent.
/// Returns what that claim took (up to 16 intents, `intent` among them).
pub async fn left_sent(journal: &str, intent: NewIntent) -> Vec<Intent> {
    let key = intent.key.clone();
    let store = SqliteJournal::open(journal).await.unwrap();
    store.create(intent).await.unwrap();
    let dead = dead_owner();
    let claimed = store
        .claim(&dead, Duration::from_secs(60), 16)
        .await
        .unwrap();
    assert!(claimed.iter().any(|i| i.key == key), "{claimed:?}");
    store.mark_sent(&key, &dead).await.unwrap();
    claimed
}
