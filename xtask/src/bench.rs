//! `cargo xtask bench`: the runtime benchmark (`voxkit-bench drive`), the journal's cost
//! (`voxkit-bench journal`, issue 14) and, with `--build`, the build cost of small programs
//! using the facade versus raw reqwest.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};

use crate::cmd::{Cmd, Result, err};

/// Runs the benchmark the arguments ask for.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let mut quick = false;
    let mut build = false;
    let mut journal_only = false;
    for arg in args {
        match arg.as_str() {
            "--quick" => quick = true,
            "--build" => build = true,
            "--journal" => journal_only = true,
            other => {
                return Err(err!(
                    "`bench` takes --quick, --journal and --build, not `{other}`"
                ));
            }
        }
    }
    let out_dir = target_dir(root).join("voxkit-bench");
    if build {
        return build_cost(root, &out_dir, quick);
    }
    if !journal_only {
        clients(root, &out_dir, quick)?;
    }
    journal(root, &out_dir, quick)
}

/// The client benchmark: voxkit against raw reqwest and raw hyper.
fn clients(root: &Path, out_dir: &Path, quick: bool) -> Result<()> {
    run_bench(
        root,
        bench_args("drive", &out_dir.join("report.json"), quick),
    )
}

/// `voxkit-bench <command> --out <report> [--quick]`, the arguments every run starts with.
fn bench_args(command: &str, report: &Path, quick: bool) -> Vec<String> {
    let mut args = vec![
        command.to_owned(),
        "--out".to_owned(),
        report.display().to_string(),
    ];
    if quick {
        args.push("--quick".to_owned());
    }
    args
}

/// Runs `voxkit-bench` (release build) with `args`.
fn run_bench(root: &Path, args: Vec<String>) -> Result<()> {
    Cmd::cargo()
        .args(["run", "--release", "--quiet", "-p", "voxkit-bench", "--"])
        .args(args)
        .run(root)
}

/// The journal's cost (`voxkit-bench journal`): no journal, SQLite and PostgreSQL side by
/// side, and the 100 ms latency run. PostgreSQL is the cluster `VOXKIT_TEST_POSTGRES_URL`
/// names, else a throw-away durable one (fsync on: the cost of a durable journal), else
/// left out with the reason printed: the other figures stand alone.
fn journal(root: &Path, out_dir: &Path, quick: bool) -> Result<()> {
    let mut args = bench_args("journal", &out_dir.join("journal.json"), quick);
    // Held until the benchmark ends: dropping it stops and removes the cluster.
    let mut _cluster = None;
    match std::env::var(crate::postgres::URL_VAR) {
        Ok(url) if !url.trim().is_empty() => args.extend(["--postgres".to_owned(), url]),
        _ => match crate::postgres::Cluster::start_durable() {
            Ok(cluster) => {
                args.extend(["--postgres".to_owned(), cluster.url().to_owned()]);
                _cluster = Some(cluster);
            }
            Err(e) => println!("journal bench: PostgreSQL left out: {e}"),
        },
    }
    run_bench(root, args)
}

/// `$CARGO_TARGET_DIR`, or `target/` under the workspace root.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("target"))
}

/// One small program whose build is measured.
struct Program {
    name: &'static str,
    what: &'static str,
    dependencies: String,
    main: &'static str,
}

fn programs(root: &Path) -> Vec<Program> {
    let facade = root.join("crates/voxkit").display().to_string();
    let tokio = r#"tokio = { version = "1.40", features = ["macros", "rt"] }"#;
    let voxkit_main = r#"#[tokio::main(flavor = "current_thread")]
async fn main() {
    match voxkit::laaffic::Client::from_env() {
        Ok(client) => match client.balance().await {
            Ok(b) => println!("{}", b.balance),
            Err(e) => eprintln!("{e}"),
        },
        Err(e) => eprintln!("{e}"),
    }
}
"#;
    vec![
        Program {
            name: "voxkit-laaffic",
            what: "facade, feature laaffic (rustls + ring)",
            dependencies: format!(
                "voxkit = {{ path = {facade:?}, features = [\"laaffic\"] }}\n{tokio}\n"
            ),
            main: voxkit_main,
        },
        Program {
            name: "voxkit-full",
            what: "facade, feature full (rustls + ring)",
            dependencies: format!(
                "voxkit = {{ path = {facade:?}, features = [\"full\"] }}\n{tokio}\n"
            ),
            main: voxkit_main,
        },
        Program {
            name: "voxkit-laaffic-aws-lc",
            what: "facade, feature laaffic (rustls + aws-lc-rs)",
            dependencies: format!(
                "voxkit = {{ path = {facade:?}, default-features = false, features = [\"laaffic\", \"rustls-aws-lc-rs\"] }}\n{tokio}\n"
            ),
            main: voxkit_main,
        },
        Program {
            name: "raw-reqwest",
            what: "reqwest 0.13 + rustls + ring + serde_json, hand-written balance call",
            dependencies: format!(
                "reqwest = {{ version = \"0.13.5\", default-features = false, features = [\"rustls-no-provider\"] }}\n\
                 rustls = {{ version = \"0.23\", default-features = false, features = [\"ring\", \"std\", \"tls12\"] }}\n\
                 serde = {{ version = \"1\", features = [\"derive\"] }}\n\
                 serde_json = \"1\"\n\
                 md-5 = \"0.10\"\n{tokio}\n"
            ),
            main: r#"use md5::{Digest, Md5};

#[derive(serde::Deserialize)]
struct Balance {
    status: String,
    balance: String,
    gift: String,
    credit: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (key, secret) = (std::env::var("LAAFFIC_API_KEY").unwrap_or_default(), std::env::var("LAAFFIC_API_SECRET").unwrap_or_default());
    let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let sign = format!("{:x}", Md5::digest(format!("{key}{secret}{ts}").as_bytes()));
    let client = reqwest::Client::new();
    match client.get("https://api.laaffic.com/v3/getBalance")
        .header("Api-Key", key).header("Timestamp", ts.to_string()).header("Sign", sign)
        .send().await {
        Ok(r) => match serde_json::from_slice::<Balance>(&r.bytes().await.unwrap_or_default()) {
            Ok(b) => println!("{} {} {} {}", b.status, b.balance, b.gift, b.credit),
            Err(e) => eprintln!("{e}"),
        },
        Err(e) => eprintln!("{e}"),
    }
}
"#,
        },
    ]
}

/// Clean debug and release builds of each program: time, crates compiled, binary size.
fn build_cost(root: &Path, out_dir: &Path, release_only: bool) -> Result<()> {
    let dir = out_dir.join("build");
    let lock = std::fs::read(root.join("Cargo.lock")).map_err(|e| err!("Cargo.lock: {e}"))?;
    let mut rows = Vec::new();
    let profiles: &[&str] = if release_only {
        &["release"]
    } else {
        &["debug", "release"]
    };
    for program in programs(root) {
        let project = dir.join(program.name);
        std::fs::create_dir_all(project.join("src")).map_err(|e| err!("{e}"))?;
        let manifest = format!(
            "[package]\nname = {:?}\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{}\n[workspace]\n",
            program.name, program.dependencies
        );
        write(&project.join("Cargo.toml"), manifest.as_bytes())?;
        write(&project.join("src/main.rs"), program.main.as_bytes())?;
        // The workspace's versions, so that every program builds the same crates.
        write(&project.join("Cargo.lock"), &lock)?;
        for profile in profiles {
            let target = project.join(format!("target-{profile}"));
            let _ = std::fs::remove_dir_all(&target);
            let mut command =
                Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
            command
                .current_dir(&project)
                .arg("build")
                .env("CARGO_TARGET_DIR", &target);
            if *profile == "release" {
                command.arg("--release");
            }
            println!(
                "==> ({}) cargo build{} (clean)",
                program.name,
                if *profile == "release" {
                    " --release"
                } else {
                    ""
                }
            );
            let started = Instant::now();
            let output = command
                .output()
                .map_err(|e| err!("cannot run cargo: {e}"))?;
            let seconds = started.elapsed().as_secs_f64();
            let stderr = String::from_utf8_lossy(&output.stderr);
            if !output.status.success() {
                return Err(err!("building {} failed:\n{stderr}", program.name));
            }
            let crates = stderr
                .lines()
                .filter(|l| l.trim_start().starts_with("Compiling "))
                .count();
            let binary = target.join(profile).join(program.name);
            let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
            rows.push(json!({
                "program": program.name, "what": program.what, "profile": profile,
                "seconds": seconds, "crates_compiled": crates, "binary_bytes": size,
            }));
        }
    }
    let mut table = format!(
        "\n{:<24} {:<8} {:>9} {:>7} {:>10}  {}\n",
        "program", "profile", "seconds", "crates", "binary MB", "what"
    );
    for row in &rows {
        let _ = writeln!(
            table,
            "{:<24} {:<8} {:>9.1} {:>7} {:>10.2}  {}",
            row["program"].as_str().unwrap_or(""),
            row["profile"].as_str().unwrap_or(""),
            row["seconds"].as_f64().unwrap_or(0.0),
            row["crates_compiled"].as_u64().unwrap_or(0),
            row["binary_bytes"].as_u64().unwrap_or(0) as f64 / 1e6,
            row["what"].as_str().unwrap_or(""),
        );
    }
    let ratio = |a: &str, b: &str, profile: &str| -> Option<f64> {
        let secs = |name: &str| {
            rows.iter()
                .find(|r| r["program"] == name && r["profile"] == profile)
                .and_then(|r| r["seconds"].as_f64())
        };
        Some(secs(a)? / secs(b)?)
    };
    let mut ratios = serde_json::Map::new();
    for (a, b) in [
        ("voxkit-laaffic", "raw-reqwest"),
        ("voxkit-full", "raw-reqwest"),
        ("voxkit-laaffic-aws-lc", "voxkit-laaffic"),
    ] {
        if let Some(r) = ratio(a, b, "release") {
            let _ = writeln!(table, "release build time {a} / {b}: {r:.2}");
            ratios.insert(format!("{a}/{b}"), json!(r));
        }
    }
    print!("{table}");
    let report = out_dir.join("build.json");
    write(
        &report,
        serde_json::to_string_pretty(
            &json!({"builds": rows, "release_time_ratios": Value::Object(ratios)}),
        )
        .unwrap_or_default()
        .as_bytes(),
    )?;
    println!("report written to {}", report.display());
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| err!("cannot write {}: {e}", path.display()))
}
