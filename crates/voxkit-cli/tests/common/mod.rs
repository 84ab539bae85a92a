//! Helpers shared by the end-to-end tests: run the real `voxkit` binary with exactly the
//! sandbox's environment (and, if given, a standard input) and collect what it left.

// Each test binary uses a part of these helpers.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::Value;
use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;
use voxkit_sandbox::{
    ESPAI_OPEN_API_KEY, LAAFFIC_API_KEY, LAAFFIC_API_SECRET, LONGLONGLONG_TOKEN, Sandbox,
};

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

    /// The last line of stdout.
    pub fn last_line(&self) -> &str {
        self.stdout.trim_end().lines().last().unwrap_or_default()
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

/// Runs `voxkit <command line>` against `sandbox` (Laaffic variables only).
pub async fn voxkit(sandbox: &Sandbox, command_line: &str) -> Out {
    run(&laaffic_env(&sandbox.url()), command_line).await
}

/// Runs `voxkit` with these arguments against `sandbox`.
pub async fn voxkit_args(sandbox: &Sandbox, args: &[&str]) -> Out {
    run_args(&laaffic_env(&sandbox.url()), args).await
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
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
