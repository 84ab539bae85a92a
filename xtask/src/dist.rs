//! `cargo xtask dist [--target TRIPLE]`: the release `voxkit` binary and its man pages (and
//! the shell completions, when the binary has a `completions` command) under
//! `target/dist/`, as the release workflow archives them.
//!
//! xtask does not depend on the CLI crate (that would compile the whole workspace before
//! every `cargo xtask ci`): it builds the binary with cargo and runs it (`voxkit man`).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cmd::{Cmd, Result, err};

/// The package of the command-line tool.
pub const CLI_PACKAGE: &str = "voxkit-cli";
/// Its binary.
pub const CLI_BIN: &str = "voxkit";

/// Shells and the file each one's completion script is saved as.
const COMPLETIONS: &[(&str, &str)] = &[
    ("bash", "voxkit.bash"),
    ("zsh", "_voxkit"),
    ("fish", "voxkit.fish"),
    ("powershell", "_voxkit.ps1"),
    ("elvish", "voxkit.elv"),
];

/// Runs `cargo xtask dist` with its arguments.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let target = parse_args(args)?;
    let mut build = Cmd::cargo().args([
        "build",
        "--release",
        "--locked",
        "-p",
        CLI_PACKAGE,
        "--bin",
        CLI_BIN,
    ]);
    if let Some(target) = &target {
        build = build.args(["--target", target.as_str()]);
    }
    build.run(root)?;

    let target_dir = target_directory(root)?;
    let exe = exe_name(target.as_deref());
    let mut built = target_dir.clone();
    if let Some(target) = &target {
        built.push(target);
    }
    built.push("release");
    built.push(&exe);

    let dist = target_dir.join("dist");
    if dist.exists() {
        std::fs::remove_dir_all(&dist).map_err(|e| err!("cannot empty {}: {e}", dist.display()))?;
    }
    std::fs::create_dir_all(&dist).map_err(|e| err!("cannot create {}: {e}", dist.display()))?;
    let shipped = dist.join(&exe);
    std::fs::copy(&built, &shipped).map_err(|e| {
        err!(
            "cannot copy {} to {}: {e}",
            built.display(),
            shipped.display()
        )
    })?;
    let binary = path_str(&shipped)?;

    let man = dist.join("man").join("man1");
    Cmd::new(binary)
        .args(["man", "--out-dir", path_str(&man)?])
        .run(root)?;

    // The completions command comes with the CLI's own issue; until then, say so.
    if Cmd::new(binary).args(["completions", "--help"]).probe(root) {
        let dir = dist.join("completions");
        std::fs::create_dir_all(&dir).map_err(|e| err!("cannot create {}: {e}", dir.display()))?;
        for (shell, file) in COMPLETIONS {
            let script = Cmd::new(binary).args(["completions", *shell]).read(root)?;
            std::fs::write(dir.join(file), script).map_err(|e| err!("cannot write {file}: {e}"))?;
        }
    } else {
        println!("note: `{CLI_BIN} completions` does not exist yet: no completion scripts");
    }

    println!("\n{}:", dist.display());
    for file in files(&dist)? {
        let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let shown = file.strip_prefix(&dist).unwrap_or(&file);
        println!("  {:>10} B  {}", size, shown.display());
    }
    Ok(())
}

/// Reads `[--target TRIPLE]`.
fn parse_args(args: &[String]) -> Result<Option<String>> {
    match args {
        [] => Ok(None),
        [flag, triple] if flag == "--target" => Ok(Some(triple.clone())),
        [flag] if flag.starts_with("--target=") => Ok(Some(flag["--target=".len()..].to_owned())),
        _ => Err(err!(
            "usage: cargo xtask dist [--target TRIPLE], got {args:?}"
        )),
    }
}

/// The binary's file name for `target` (the host when `None`).
fn exe_name(target: Option<&str>) -> String {
    let windows = match target {
        Some(target) => target.contains("windows"),
        None => cfg!(windows),
    };
    if windows {
        format!("{CLI_BIN}.exe")
    } else {
        CLI_BIN.to_owned()
    }
}

/// Cargo's target directory (honours `CARGO_TARGET_DIR` and `build.target-dir`).
fn target_directory(root: &Path) -> Result<PathBuf> {
    let json = Cmd::cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .read(root)?;
    let meta: Value = serde_json::from_str(&json)
        .map_err(|e| err!("cargo metadata printed invalid JSON: {e}"))?;
    meta.get("target_directory")
        .and_then(Value::as_str)
        .map(PathBuf::from)
        .ok_or_else(|| err!("cargo metadata has no target_directory"))
}

/// Every file under `dir`, sorted.
fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| err!("cannot list {}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| err!("{e}"))?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `path` as UTF-8, for a command line.
fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| err!("{} is not valid UTF-8", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn target_is_optional() {
        assert_eq!(parse_args(&[]).unwrap(), None);
        assert_eq!(
            parse_args(&strings(&["--target", "aarch64-apple-darwin"])).unwrap(),
            Some("aarch64-apple-darwin".to_owned())
        );
        assert_eq!(
            parse_args(&strings(&["--target=x86_64-pc-windows-msvc"])).unwrap(),
            Some("x86_64-pc-windows-msvc".to_owned())
        );
        assert!(parse_args(&strings(&["--target"])).is_err());
        assert!(parse_args(&strings(&["--release"])).is_err());
    }

    #[test]
    fn windows_binaries_end_in_exe() {
        assert_eq!(exe_name(Some("x86_64-pc-windows-msvc")), "voxkit.exe");
        assert_eq!(exe_name(Some("x86_64-unknown-linux-gnu")), "voxkit");
        assert!(exe_name(None).starts_with("voxkit"));
    }

    #[test]
    fn files_lists_nested_files_sorted() {
        let dir = std::env::temp_dir().join(format!("xtask-dist-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("man/man1")).unwrap();
        std::fs::write(dir.join("voxkit"), b"bin").unwrap();
        std::fs::write(dir.join("man/man1/voxkit.1"), b".TH").unwrap();
        let found: Vec<PathBuf> = files(&dir)
            .unwrap()
            .into_iter()
            .map(|f| f.strip_prefix(&dir).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            found,
            [PathBuf::from("man/man1/voxkit.1"), PathBuf::from("voxkit")]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
