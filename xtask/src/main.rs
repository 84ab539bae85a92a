//! Development tasks for the voxkit workspace, run as `cargo xtask <command>`
//! (the alias lives in `.cargo/config.toml`).
//!
//! Every task shells out to `cargo` with [`std::process::Command`], from the workspace root,
//! and prints each command as `==> ...` before running it.

// xtask is a command-line tool: printing to stdout is its job.
#![allow(clippy::print_stdout)]

mod bench;
mod ci;
mod cmd;
mod dist;
mod docker;
mod fuzz;
mod metadata;
mod postgres;
mod tree;
mod version;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Usage text for `cargo xtask help`.
const USAGE: &str = "\
Usage: cargo xtask <command>

Commands:
  ci      Run every CI check, stopping at the first failure:
            1. cargo fmt --check
            2. cargo clippy -D warnings
            3. feature matrix (cargo check of each provider feature and TLS backend)
            4. cargo test (all features, the journal's PostgreSQL tests against a
               throw-away cluster; then core with rustls+ring and both providers)
            5. cargo doc with -Dwarnings
            6. cargo tree assertions (provider isolation, no OpenSSL, no aws-lc by default)
            7. MSRV of the dependency graph
            8. Dockerfile: its build stage compiles the binary the image ships, on the
               workspace's rust-version; with Docker and the base images present, the
               image is built and run (otherwise the skip is printed with its reason)
            9. cargo package of every publishable crate, each verified on its own
  fuzz [TARGET] [-- LIBFUZZER_ARGS...]
          Run the cargo-fuzz targets under fuzz/ (response decoders, Retry-After and Date
          parsing), each for 30 s (-max_total_time=30; arguments after -- are passed on and
          win). Needs a nightly toolchain and cargo-fuzz: without them it says what is
          missing and exits 0 (CI runs the same decoders' proptests in `cargo test`). Exits
          non-zero for an unknown target or a target that found a crash.
  bench [--quick]
          Build crates/voxkit-bench in release and run it: a local server and the same
          workloads through voxkit, raw reqwest and raw hyper, each client in its own
          process, rounds interleaved; prints the table and the ratios and writes
          target/voxkit-bench/report.json. --quick: 3 short rounds (under a minute once
          built). Criterion micro-benchmarks: cargo bench -p voxkit-bench.
          Then the journal's cost (--journal: only it): 10,000 recharges (--quick: 2,000)
          at concurrency 32 with no journal, SQLite and PostgreSQL (VOXKIT_TEST_POSTGRES_URL
          or a throw-away cluster), and a 100 ms-latency run; target/voxkit-bench/journal.json.
  bench --build [--quick]
          Clean debug and release builds (time, crates compiled, binary size) of small
          programs: the facade with one provider, with `full`, with aws-lc-rs instead of
          ring, and raw reqwest; writes target/voxkit-bench/build.json. --quick: release only.
  dist [--target TRIPLE]
          Build the release `voxkit` binary and write it, its man pages (`voxkit man`)
          and its shell completions (when the CLI has them) under target/dist/.
  test-postgres
          The journal's tests (SQLite and PostgreSQL stores) against a throw-away
          PostgreSQL cluster (initdb in a temporary directory, a free port on 127.0.0.1,
          stopped and removed at the end); fails naming the package when PostgreSQL is
          not installed (Debian: `apt-get install postgresql`).
  docker  Step 8 of ci alone: the Dockerfile check and the container smoke test.
  help    Print this message
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();

    let result = match args.first().map(String::as_str) {
        None | Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some("ci") if args.len() == 1 => ci::run(&root),
        Some("ci") => {
            eprintln!("error: `ci` takes no arguments, got {:?}\n", &args[1..]);
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
        Some("fuzz") => fuzz::run(&root, &args[1..]),
        Some("bench") => bench::run(&root, &args[1..]),
        Some("dist") => dist::run(&root, &args[1..]),
        Some("docker") if args.len() == 1 => ci::docker_check(&root),
        Some("test-postgres") if args.len() == 1 => postgres::test(&root),
        Some(other) => {
            eprintln!("error: unknown command `{other}`\n");
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };

    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nerror: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's manifest directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in a subdirectory of the workspace root")
        .to_path_buf()
}
