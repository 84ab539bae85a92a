//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;

use crate::cmd::{Cmd, Result, err};
use crate::docker::{self, Smoke};
use crate::metadata::{self, CORE, FACADE, Layout};
use crate::postgres;
use crate::tree;

/// Crates that mean OpenSSL gets built or linked; the default TLS backend is rustls.
const OPENSSL_CRATES: &[&str] = &[
    "openssl",
    "openssl-sys",
    "native-tls",
    "hyper-tls",
    "tokio-native-tls",
];
/// Crates of the aws-lc crypto provider; the default provider is ring, aws-lc is opt-in.
const AWS_LC_CRATES: &[&str] = &["aws-lc-rs", "aws-lc-sys"];

/// A CI step.
type Step = fn(&mut Ci<'_>) -> Result<()>;

/// The steps of `cargo xtask ci`, in order, with the names used in messages.
const STEPS: &[(&str, Step)] = &[
    ("fmt", fmt),
    ("clippy", clippy),
    ("feature matrix", feature_matrix),
    ("test", test),
    ("doc", doc),
    ("dependency tree", dependency_tree),
    ("msrv", msrv),
    ("dockerfile", dockerfile),
    ("package", package),
];

/// Runs every step of CI from the workspace `root`.
pub fn run(root: &Path) -> Result<()> {
    let mut ci = Ci { root, layout: None };
    let total = STEPS.len();
    let started = Instant::now();
    for (index, (name, step)) in STEPS.iter().enumerate() {
        let number = index + 1;
        println!("\n### ci step {number}/{total}: {name}");
        let step_started = Instant::now();
        step(&mut ci).map_err(|e| err!("ci step {number}/{total} ({name}) failed: {e}"))?;
        println!(
            "### ci step {number}/{total} ({name}) took {:.0?}",
            step_started.elapsed()
        );
    }
    println!(
        "\nci: all {total} steps passed in {:.0?}",
        started.elapsed()
    );
    Ok(())
}

/// State shared by the steps.
struct Ci<'a> {
    /// The workspace root, where every command runs.
    root: &'a Path,
    /// The facade's providers, read from `cargo metadata` by the first step needing them.
    layout: Option<Layout>,
}

impl Ci<'_> {
    /// The facade's providers, from `cargo metadata --no-deps` (read once).
    fn layout(&mut self) -> Result<Layout> {
        if let Some(layout) = &self.layout {
            return Ok(layout.clone());
        }
        let json = Cmd::cargo()
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .read(self.root)?;
        let layout = metadata::layout(&parse_json(&json)?)?;
        self.layout = Some(layout.clone());
        Ok(layout)
    }
}

/// Step 1: formatting.
fn fmt(ci: &mut Ci<'_>) -> Result<()> {
    Cmd::cargo()
        .args(["fmt", "--all", "--", "--check"])
        .run(ci.root)
}

/// Step 2: clippy on everything, warnings denied.
fn clippy(ci: &mut Ci<'_>) -> Result<()> {
    Cmd::cargo()
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ])
        .run(ci.root)
}

/// Step 3: `cargo check` of the facade per provider feature, and of each provider crate per TLS
/// backend, all derived from `cargo metadata` so new providers are picked up.
fn feature_matrix(ci: &mut Ci<'_>) -> Result<()> {
    let layout = ci.layout()?;
    let check = |args: &[&str]| {
        Cmd::cargo()
            .args(["check"])
            .args(args.iter().copied())
            .run(ci.root)
    };

    check(&["-p", FACADE, "--no-default-features"])?;
    for provider in &layout.providers {
        check(&[
            "-p",
            FACADE,
            "--no-default-features",
            "--features",
            &provider.feature,
        ])?;
    }
    for provider in &layout.providers {
        check(&["-p", &provider.krate, "--no-default-features"])?;
        check(&[
            "-p",
            &provider.krate,
            "--no-default-features",
            "--features",
            "native-tls",
        ])?;
    }
    check(&["-p", CORE, "--no-default-features"])?;
    // `--all-features` lets native-tls win, so the rustls providers are checked alone here.
    check(&["-p", CORE, "--no-default-features", "--features", "rustls"])?;
    check(&[
        "-p",
        CORE,
        "--no-default-features",
        "--features",
        "rustls-aws-lc-rs",
    ])
}

/// Step 4: every test; then core's unit tests with the default TLS backend (rustls with ring),
/// which `--all-features` replaces by native-tls, and with both rustls providers compiled in
/// (the set-up where rustls' process-wide default would be ambiguous).
fn test(ci: &mut Ci<'_>) -> Result<()> {
    // The journal's PostgreSQL tests need a server: a throw-away cluster, stopped on return.
    let cluster = postgres::Cluster::start()?;
    Cmd::cargo()
        .env(postgres::URL_VAR, cluster.url())
        .env(postgres::CA_VAR, &cluster.ca_file())
        .args(["test", "--workspace", "--all-features"])
        .run(ci.root)?;
    Cmd::cargo()
        .args(["test", "-p", CORE, "--lib"])
        .run(ci.root)?;
    Cmd::cargo()
        .args([
            "test",
            "-p",
            CORE,
            "--lib",
            "--features",
            "rustls-aws-lc-rs",
        ])
        .run(ci.root)
}

/// Step 5: docs build without warnings (broken intra-doc links included).
fn doc(ci: &mut Ci<'_>) -> Result<()> {
    Cmd::cargo()
        .env("RUSTDOCFLAGS", "-Dwarnings")
        .args(["doc", "--workspace", "--no-deps", "--all-features"])
        .run(ci.root)
}

/// Step 6: `cargo tree` assertions. Each provider feature pulls its provider crate and no other;
/// the default TLS setup pulls neither OpenSSL nor aws-lc.
fn dependency_tree(ci: &mut Ci<'_>) -> Result<()> {
    let layout = ci.layout()?;

    for provider in &layout.providers {
        let feature = &provider.feature;
        let names = cargo_tree(
            ci.root,
            &["-p", FACADE, "--no-default-features", "--features", feature],
            "normal",
        )?;
        if !names.contains(&provider.krate) {
            return Err(err!(
                "`{FACADE}` with feature `{feature}` does not pull `{}`",
                provider.krate
            ));
        }
        let others: Vec<&str> = layout
            .providers
            .iter()
            .filter(|other| other.krate != provider.krate && names.contains(&other.krate))
            .map(|other| other.krate.as_str())
            .collect();
        if !others.is_empty() {
            return Err(err!(
                "`{FACADE}` with feature `{feature}` pulls other providers: {}",
                others.join(", ")
            ));
        }
        println!(
            "ok: {FACADE} --features {feature} pulls no other provider ({} crates)",
            names.len()
        );
    }

    let mut builds = vec![(
        format!("{FACADE} --features {}", layout.all_features),
        vec!["-p", FACADE, "--features", layout.all_features.as_str()],
    )];
    for provider in &layout.providers {
        builds.push((provider.krate.clone(), vec!["-p", provider.krate.as_str()]));
    }
    for (label, args) in builds {
        let names = cargo_tree(ci.root, &args, "normal,build")?;
        for (what, crates) in [("OpenSSL", OPENSSL_CRATES), ("aws-lc", AWS_LC_CRATES)] {
            let found = present(&names, crates);
            if !found.is_empty() {
                return Err(err!(
                    "`{label}` (default TLS) pulls {what}: {}",
                    found.join(", ")
                ));
            }
        }
        println!(
            "ok: {label} pulls no OpenSSL and no aws-lc ({} crates)",
            names.len()
        );
    }
    Ok(())
}

/// Step 7: no crate that the publishable workspace crates build against needs a Rust newer than
/// the workspace's `rust-version`.
fn msrv(ci: &mut Ci<'_>) -> Result<()> {
    let host = host_triple(ci.root)?;
    let json = Cmd::cargo()
        .args([
            "metadata",
            "--format-version",
            "1",
            "--filter-platform",
            &host,
        ])
        .read(ci.root)?;
    let report = metadata::msrv_check(&parse_json(&json)?)?;
    if report.offenders.is_empty() {
        println!(
            "ok: {} crates in the dependency graph build with rust {}",
            report.checked, report.rust_version
        );
        return Ok(());
    }
    let list: Vec<String> = report
        .offenders
        .iter()
        .map(|(package, needs)| format!("  {package} needs rust {needs}"))
        .collect();
    Err(err!(
        "{} of {} crates in the dependency graph need a newer rust than the workspace's {}:\n{}",
        report.offenders.len(),
        report.checked,
        report.rust_version,
        list.join("\n")
    ))
}

/// Step 8: the Dockerfile's build stage compiles the binary the image ships, on the
/// workspace's rust-version; where Docker and the base images are present, the image is built
/// and run (otherwise the smoke test says why it is skipped: a skip is not a pass).
fn dockerfile(ci: &mut Ci<'_>) -> Result<()> {
    docker_check(ci.root)
}

/// The Dockerfile check and smoke test (`cargo xtask docker` runs this alone).
pub fn docker_check(root: &Path) -> Result<()> {
    let json = Cmd::cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .read(root)?;
    let meta = parse_json(&json)?;
    let members = metadata::members(&meta)?;
    let rust_version = metadata::workspace_rust_version(&meta)?;
    let path = root.join(docker::DOCKERFILE);
    let text =
        std::fs::read_to_string(&path).map_err(|e| err!("cannot read {}: {e}", path.display()))?;
    let image = docker::check(&text, &members, &rust_version)?;
    println!(
        "ok: {} builds `cargo build -p {} --bin {}` on {} and ships it on {}, running \
         `{} sandbox` on 0.0.0.0:{} as a non-root user",
        docker::DOCKERFILE,
        image.package,
        image.bin,
        image.build_image,
        image.run_image,
        image.bin,
        image.port
    );
    match docker::smoke(root, &image)? {
        Smoke::Skipped(reason) => println!("skipped: container smoke test: {reason}"),
        Smoke::Passed { size } => println!(
            "ok: container smoke test; image size {:.1} MB",
            size as f64 / 1_000_000.0
        ),
    }
    Ok(())
}

/// Step 9: every publishable crate packages, and each package builds on its own against the
/// others' packages (`cargo package` verifies them, as the registry would see them), shipping
/// both licence texts and the README. Unpublished members (bench, xtask) are left out.
fn package(ci: &mut Ci<'_>) -> Result<()> {
    let json = Cmd::cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .read(ci.root)?;
    let meta = parse_json(&json)?;
    let members = metadata::members(&meta)?;
    let target_dir = meta
        .get("target_directory")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .ok_or_else(|| err!("cargo metadata has no target_directory"))?;
    let publishable: Vec<&metadata::Member> = members.iter().filter(|m| m.publishable).collect();

    // The release workflow publishes them in this order: all of them, dependencies first.
    let workflow = ci.root.join(RELEASE_WORKFLOW);
    let text = std::fs::read_to_string(&workflow)
        .map_err(|e| err!("cannot read {}: {e}", workflow.display()))?;
    let order = publish_order(&text)
        .ok_or_else(|| err!("{RELEASE_WORKFLOW} has no `CRATES:` line (the publishing order)"))?;
    metadata::check_publish_order(&order, &members).map_err(|e| err!("{RELEASE_WORKFLOW}: {e}"))?;
    println!("ok: {RELEASE_WORKFLOW} publishes {}", order.join(", "));

    // `cargo package` leaves each verified package unpacked here: remove what an earlier run
    // left, so that the files checked below are this run's.
    let unpacked = |member: &metadata::Member| {
        target_dir
            .join("package")
            .join(format!("{}-{}", member.name, member.version))
    };
    for member in &publishable {
        let dir = unpacked(member);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| err!("cannot remove {}: {e}", dir.display()))?;
        }
    }

    let started = Instant::now();
    // `--allow-dirty`: the check is about what would be published, not about whether the
    // work tree is committed (CI's is; a developer's often is not).
    let mut command = Cmd::cargo().args(["package", "--locked", "--allow-dirty"]);
    for member in &publishable {
        command = command.args(["-p", member.name.as_str()]);
    }
    command.run(ci.root)?;

    for member in &publishable {
        let dir = unpacked(member);
        let missing: Vec<&str> = ["LICENSE-MIT", "LICENSE-APACHE", "README.md"]
            .into_iter()
            .filter(|file| !dir.join(file).is_file())
            .collect();
        if !missing.is_empty() {
            return Err(err!(
                "the package of `{}` lacks {}",
                member.name,
                missing.join(", ")
            ));
        }
    }
    let names: Vec<&str> = publishable.iter().map(|m| m.name.as_str()).collect();
    println!(
        "ok: {} crates packaged and verified in {:.0?}: {}",
        names.len(),
        started.elapsed(),
        names.join(", ")
    );
    Ok(())
}

/// The release workflow, whose `CRATES:` line is the publishing order.
const RELEASE_WORKFLOW: &str = ".github/workflows/release.yml";

/// The crate names of the first `CRATES: a b c` line of the release workflow.
fn publish_order(workflow: &str) -> Option<Vec<&str>> {
    workflow
        .lines()
        .find_map(|line| line.trim().strip_prefix("CRATES:"))
        .map(|list| list.split_whitespace().collect())
}

/// Package names in `cargo tree <args> -e <edges>` for the host platform.
fn cargo_tree(root: &Path, args: &[&str], edges: &str) -> Result<BTreeSet<String>> {
    let output = Cmd::cargo()
        .args(["tree"])
        .args(args.iter().copied())
        .args(["-e", edges, "--prefix", "none", "--format", "{p}"])
        .read(root)?;
    Ok(tree::package_names(&output))
}

/// The crates of `wanted` that appear in `names`.
fn present<'a>(names: &BTreeSet<String>, wanted: &[&'a str]) -> Vec<&'a str> {
    wanted
        .iter()
        .copied()
        .filter(|name| names.contains(*name))
        .collect()
}

/// The host target triple, from the `host:` line of `rustc -vV`.
fn host_triple(root: &Path) -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Cmd::new(&rustc).args(["-vV"]).read(root)?;
    output
        .lines()
        .find_map(|line| line.strip_prefix("host:"))
        .map(|host| host.trim().to_owned())
        .ok_or_else(|| err!("`{rustc} -vV` printed no `host:` line"))
}

/// Parses command output as JSON.
fn parse_json(text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| err!("cargo metadata printed invalid JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_publishing_order_is_read_from_the_crates_line() {
        let workflow = "env:\n  CARGO_TERM_COLOR: always\n  CRATES: voxkit-core voxkit\njobs:\n";
        assert_eq!(publish_order(workflow), Some(vec!["voxkit-core", "voxkit"]));
        assert_eq!(publish_order("env: {}\n"), None);
        let real = include_str!("../../.github/workflows/release.yml");
        assert!(publish_order(real).is_some_and(|order| order.contains(&"voxkit-cli")));
    }
}
