//! `voxkit-bench`: voxkit against raw reqwest and raw hyper, side by side, over loopback.
//!
//! Run it through `cargo xtask bench [--quick]`. The driver (`drive`) starts the server in
//! a child process (`serve`), then for every round runs each workload once per client,
//! each in its own child process (`run`), so that CPU time and peak memory belong to one
//! client alone. Rounds interleave the clients (voxkit, reqwest, hyper, voxkit, ...) and
//! every figure reported is a median over rounds, ratios being taken within a round.

// A benchmark tool prints its results.
#![allow(clippy::print_stdout)]

mod clients;
mod fixtures;
mod journal;
mod report;
mod server;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clients::{Client, Kind, Workload};
use report::{Measurement, Report};

const USAGE: &str = "\
usage: voxkit-bench drive [--quick] [--out FILE]
       voxkit-bench serve
       voxkit-bench run --client voxkit|reqwest|hyper --workload balance|recharge|list10k \\
                        --concurrency N --calls N --warmup N --base URL";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("drive") => drive(&args[1..]),
        Some("serve") => serve_forever(),
        Some("run") => run_child(&args[1..]),
        Some("journal") => journal::drive(&args[1..]),
        Some("sandbox") => journal::serve_sandbox(&args[1..]),
        _ => Err(format!("{USAGE}\n{}", journal::USAGE)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("voxkit-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The value after `--name`.
fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn number(args: &[String], name: &str) -> Result<usize, String> {
    flag(args, name)
        .ok_or_else(|| format!("missing {name}\n{USAGE}"))?
        .parse()
        .map_err(|_| format!("{name} takes a number"))
}

/// `serve`: binds 127.0.0.1:0, prints `LISTENING <addr>`, serves until killed.
fn serve_forever() -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!("LISTENING {addr}");
        std::io::stdout().flush().map_err(|e| e.to_string())?;
        server::serve(listener).await;
        Ok(())
    })
}

/// CPU time (user + system) and peak resident set of this process: the process CPU clock
/// (`CLOCK_PROCESS_CPUTIME_ID`, nanoseconds, every thread including those that have ended:
/// a sum over the threads alive at each end lost the CPU of a worker thread that exited
/// in between, and reported a store's run at zero) and `VmHWM` from `/proc/self/status`.
fn usage() -> (Duration, u64) {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    let cpu = Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    );
    let rss_kb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))?
                .split_whitespace()
                .nth(1)?
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(0);
    (cpu, rss_kb)
}

/// `run`: one client, one workload; prints one JSON line with the measurement.
fn run_child(args: &[String]) -> Result<(), String> {
    let kind = flag(args, "--client")
        .and_then(Kind::parse)
        .ok_or("--client voxkit|reqwest|hyper")?;
    let workload = flag(args, "--workload")
        .and_then(Workload::parse)
        .ok_or("--workload balance|recharge|list10k")?;
    let concurrency = number(args, "--concurrency")?.max(1);
    let calls = number(args, "--calls")?.max(concurrency);
    let warmup = number(args, "--warmup")?;
    let base = flag(args, "--base").ok_or("--base URL")?.to_owned();

    // The same runtime for every client: one thread for c=1, two workers otherwise.
    let runtime = if concurrency == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    }
    .map_err(|e| e.to_string())?;

    let measurement = runtime.block_on(async move {
        let client = Arc::new(Client::new(kind, &base)?);
        for _ in 0..warmup {
            client.call(workload).await?;
        }
        let (cpu0, _) = usage();
        let start = Instant::now();
        let per_task = calls / concurrency;
        let mut tasks = Vec::with_capacity(concurrency);
        for _ in 0..concurrency {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let t = Instant::now();
                    client.call(workload).await?;
                    latencies.push(t.elapsed().as_nanos() as u64);
                }
                Ok::<_, String>(latencies)
            }));
        }
        let mut latencies = Vec::with_capacity(calls);
        for task in tasks {
            latencies.extend(task.await.map_err(|e| e.to_string())??);
        }
        let wall = start.elapsed();
        let (cpu1, rss_kb) = usage();
        Ok::<_, String>(Measurement::new(
            kind,
            workload,
            concurrency,
            wall,
            cpu1.saturating_sub(cpu0),
            rss_kb,
            latencies,
        ))
    })?;
    println!("{}", measurement.to_json());
    Ok(())
}

/// One workload at one concurrency, as the report lists it.
struct Plan {
    workload: Workload,
    concurrency: usize,
    calls: usize,
    warmup: usize,
}

/// `drive`: server, rounds, report.
fn drive(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let out = flag(args, "--out").unwrap_or("target/voxkit-bench/report.json");
    let rounds = if quick { 3 } else { 7 };
    let scale = if quick { 1 } else { 4 };
    let plans = [
        Plan {
            workload: Workload::Balance,
            concurrency: 1,
            calls: 1000 * scale,
            warmup: 100,
        },
        Plan {
            workload: Workload::Balance,
            concurrency: 64,
            calls: 6400 * scale,
            warmup: 200,
        },
        Plan {
            workload: Workload::Recharge,
            concurrency: 64,
            calls: 6400 * scale,
            warmup: 200,
        },
        Plan {
            workload: Workload::List,
            concurrency: 1,
            calls: 10 * scale,
            warmup: 2,
        },
        Plan {
            workload: Workload::List,
            concurrency: 8,
            calls: 16 * scale,
            warmup: 2,
        },
    ];

    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut server = Command::new(&exe)
        .arg("serve")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let mut line = String::new();
    BufReader::new(server.stdout.take().ok_or("no server stdout")?)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let addr = line
        .strip_prefix("LISTENING ")
        .map(str::trim)
        .ok_or_else(|| format!("unexpected server output {line:?}"))?
        .to_owned();
    let base = format!("http://{addr}");
    println!(
        "voxkit-bench: server {base}; {rounds} rounds{}; clients run in their own processes, interleaved",
        if quick { " (quick)" } else { "" }
    );

    let started = Instant::now();
    let mut measurements = Vec::new();
    let result = (|| {
        for round in 1..=rounds {
            for plan in &plans {
                for kind in Kind::ALL {
                    let output = Command::new(&exe)
                        .args([
                            "run",
                            "--client",
                            kind.name(),
                            "--workload",
                            plan.workload.name(),
                        ])
                        .args(["--concurrency", &plan.concurrency.to_string()])
                        .args(["--calls", &plan.calls.to_string()])
                        .args(["--warmup", &plan.warmup.to_string()])
                        .args(["--base", &base])
                        .output()
                        .map_err(|e| e.to_string())?;
                    if !output.status.success() {
                        return Err(format!(
                            "{} {} c={} failed: {}",
                            kind.name(),
                            plan.workload.name(),
                            plan.concurrency,
                            String::from_utf8_lossy(&output.stderr).trim()
                        ));
                    }
                    let text = String::from_utf8_lossy(&output.stdout);
                    let m = Measurement::from_json(text.trim(), round)?;
                    measurements.push(m);
                }
            }
            eprintln!(
                "round {round}/{rounds} done ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
        }
        Ok(())
    })();
    let _ = server.kill();
    let _ = server.wait();
    result?;

    let report = Report::new(measurements, quick);
    print!("{}", report.table());
    if let Some(dir) = std::path::Path::new(out).parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(out, report.to_json()).map_err(|e| format!("cannot write {out}: {e}"))?;
    println!(
        "report written to {out} ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
