//! `cargo xtask fuzz [TARGET] [-- LIBFUZZER_ARGS...]`: runs the `cargo fuzz` targets under
//! `fuzz/` (the response decoders and header parsers), each for a bounded time.
//!
//! cargo-fuzz needs a nightly toolchain and the `cargo-fuzz` subcommand. Where either is
//! missing, the task says what is missing and how to get it, and succeeds: fuzzing is an
//! extra that CI does not run, and CI runs the same decoders' property tests (proptest, on
//! stable) inside `cargo test`. The task fails only for real failures: an unknown target,
//! or a target that crashed (libFuzzer keeps the input under `fuzz/artifacts/<target>/`).

use std::path::Path;

use crate::cmd::{Cmd, Result, err};

/// libFuzzer arguments given to every target before the caller's: 30 seconds each.
const DEFAULT_ARGS: &[&str] = &["-max_total_time=30"];

/// Runs `cargo xtask fuzz` with the arguments after `fuzz`.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let (selection, extra) = match args.iter().position(|a| a == "--") {
        Some(at) => (&args[..at], &args[at + 1..]),
        None => (args, &[][..]),
    };
    let available = targets(root)?;
    let chosen: Vec<String> = match selection {
        [] => available.clone(),
        [one] if available.contains(one) => vec![one.clone()],
        [one] => {
            return Err(err!(
                "no fuzz target `{one}`; the targets are: {}",
                available.join(", ")
            ));
        }
        more => {
            return Err(err!(
                "`fuzz` takes at most one target before `--`, got {more:?}"
            ));
        }
    };

    if let Some(missing) = missing_tool(root) {
        println!(
            "cargo xtask fuzz: skipped, {missing}.\n\
             The fuzz targets under fuzz/ need a nightly toolchain and cargo-fuzz; without them\n\
             nothing is fuzzed here. CI does not fuzz either: it runs the property tests of the\n\
             same decoders (proptest, stable) inside `cargo test`. See SECURITY.md."
        );
        return Ok(());
    }

    let mut crashed = Vec::new();
    for target in &chosen {
        let run = Cmd::new("cargo")
            .args(["+nightly", "fuzz", "run", target.as_str(), "--"])
            .args(DEFAULT_ARGS.iter().copied())
            .args(extra.iter().map(String::as_str))
            .run(root);
        if let Err(e) = run {
            eprintln!("fuzz target `{target}` failed: {e}");
            crashed.push(target.clone());
        }
    }
    if crashed.is_empty() {
        println!("\nfuzz: {} target(s) ran clean", chosen.len());
        Ok(())
    } else {
        Err(err!(
            "fuzz target(s) failed: {}; the inputs are under fuzz/artifacts/. Turn each into \
             a regression test next to the decoder's property tests.",
            crashed.join(", ")
        ))
    }
}

/// The fuzz targets: the file stems of `fuzz/fuzz_targets/*.rs`, sorted.
fn targets(root: &Path) -> Result<Vec<String>> {
    let dir = root.join("fuzz").join("fuzz_targets");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| err!("cannot read {}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| err!("cannot read {}: {e}", dir.display()))?
            .path();
        if path.extension().is_some_and(|e| e == "rs") {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                names.push(stem.to_owned());
            }
        }
    }
    names.sort();
    if names.is_empty() {
        return Err(err!("no fuzz targets in {}", dir.display()));
    }
    Ok(names)
}

/// What is missing to run cargo-fuzz, if anything.
fn missing_tool(root: &Path) -> Option<&'static str> {
    // `cargo` from PATH (rustup's proxy, which understands `+nightly`), not `$CARGO`.
    if !Cmd::new("cargo")
        .args(["+nightly", "--version"])
        .probe(root)
    {
        return Some("no nightly toolchain (install one with `rustup toolchain install nightly`)");
    }
    if !Cmd::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .probe(root)
    {
        return Some("cargo-fuzz is not installed (install it with `cargo install cargo-fuzz`)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the workspace root")
            .to_path_buf()
    }

    /// Every target file is declared in `fuzz/Cargo.toml`, and the other way round.
    #[test]
    fn targets_are_the_declared_bins() {
        let names = targets(&root()).unwrap();
        let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml")).unwrap();
        let declared: Vec<&str> = manifest
            .lines()
            .filter_map(|l| l.strip_prefix("name = \""))
            .filter_map(|l| l.strip_suffix('"'))
            .filter(|name| *name != "voxkit-fuzz")
            .collect();
        let mut declared: Vec<String> = declared.into_iter().map(str::to_owned).collect();
        declared.sort();
        assert_eq!(names, declared);
        for target in &names {
            assert!(
                manifest.contains(&format!("path = \"fuzz_targets/{target}.rs\"")),
                "{target}"
            );
        }
    }

    #[test]
    fn unknown_targets_and_extra_selections_are_errors() {
        let root = root();
        let e = run(&root, &["no_such_target".into()]).unwrap_err();
        assert!(e.0.contains("no fuzz target `no_such_target`"), "{e}");
        assert!(e.0.contains("http_date"), "{e}");
        let e = run(&root, &["http_date".into(), "retry_after".into()]).unwrap_err();
        assert!(e.0.contains("at most one target"), "{e}");
    }
}
