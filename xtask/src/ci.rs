//! `cargo xtask ci`: every check CI runs, in order, stopping at the first failure.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::cmd::{Cmd, Result, err};
use crate::metadata::{self, CORE, FACADE, Layout};
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
];

/// Runs every step of CI from the workspace `root`.
pub fn run(root: &Path) -> Result<()> {
    let mut ci = Ci { root, layout: None };
    let total = STEPS.len();
    for (index, (name, step)) in STEPS.iter().enumerate() {
        let number = index + 1;
        println!("\n### ci step {number}/{total}: {name}");
        step(&mut ci).map_err(|e| err!("ci step {number}/{total} ({name}) failed: {e}"))?;
    }
    println!("\nci: all {total} steps passed");
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
    Cmd::cargo()
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
