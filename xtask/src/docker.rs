//! The sandbox's container image: a check of the `Dockerfile` that needs no Docker (its build
//! stage compiles the binary the image ships, on the workspace's Rust; the image runs the
//! sandbox on every interface as a non-root user), and, where a Docker daemon and the base
//! images are present, a smoke test that builds and runs the image.
//!
//! `cargo xtask ci` runs both (the smoke test says why it is skipped when it cannot run);
//! `cargo xtask docker` runs them alone.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::cmd::{Cmd, Result, err};
use crate::metadata::Member;

/// The Dockerfile, relative to the workspace root.
pub const DOCKERFILE: &str = "Dockerfile";
/// The tag the smoke test builds.
const SMOKE_TAG: &str = "voxkit-sandbox:xtask-smoke";
/// How long the smoke test waits for the container's `# serving` line.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// One instruction: its keyword (upper case) and the rest of its (joined) line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Instruction {
    keyword: String,
    rest: String,
}

/// A stage: its base image, its name (`AS name`) and its instructions after `FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stage {
    image: String,
    name: Option<String>,
    instructions: Vec<Instruction>,
}

impl Stage {
    /// The `rest` of each instruction with this keyword.
    fn all<'a>(&'a self, keyword: &'static str) -> impl Iterator<Item = &'a str> + 'a {
        self.instructions
            .iter()
            .filter(move |i| i.keyword == keyword)
            .map(|i| i.rest.as_str())
    }

    /// The `rest` of the last instruction with this keyword.
    fn last(&self, keyword: &'static str) -> Option<&str> {
        self.all(keyword).last()
    }
}

/// Splits a Dockerfile into stages: comments and blank lines dropped, `\` continuations
/// joined, instructions before the first `FROM` (`ARG`) ignored.
fn stages(text: &str) -> Result<Vec<Stage>> {
    let mut logical = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                current.push_str(part);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                logical.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.trim().is_empty() {
        logical.push(current);
    }

    let mut stages: Vec<Stage> = Vec::new();
    for line in logical {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (keyword, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let keyword = keyword.to_ascii_uppercase();
        let rest = rest.trim().to_owned();
        if keyword == "FROM" {
            let words: Vec<&str> = rest
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let (image, name) = match words.as_slice() {
                [image] => (*image, None),
                [image, as_, name] if as_.eq_ignore_ascii_case("as") => (*image, Some(*name)),
                _ => return Err(err!("{DOCKERFILE}: cannot read `FROM {rest}`")),
            };
            stages.push(Stage {
                image: image.to_owned(),
                name: name.map(str::to_owned),
                instructions: Vec::new(),
            });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push(Instruction { keyword, rest });
        }
    }
    if stages.is_empty() {
        return Err(err!("{DOCKERFILE}: no FROM instruction"));
    }
    Ok(stages)
}

/// What the Dockerfile builds and ships, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// The workspace package the build stage compiles.
    pub package: String,
    /// The binary of that package the image ships.
    pub bin: String,
    /// The build stage's base image (`rust:<rust-version>-slim-bookworm`).
    pub build_image: String,
    /// The final stage's base image.
    pub run_image: String,
    /// The port the sandbox listens on inside the container.
    pub port: u16,
    /// `VOXKIT_SANDBOX_PUBLIC_URL` as set in the image.
    pub public_url: String,
}

/// Checks the Dockerfile `text` against the workspace `members` and its `rust_version`
/// (as written in Cargo.toml): see the module docs.
pub fn check(text: &str, members: &[Member], rust_version: &str) -> Result<Image> {
    let stages = stages(text)?;
    let last = stages.last().expect("stages() returns at least one");

    // What the final stage copies from another stage, and from which.
    let copy = last
        .all("COPY")
        .find(|rest| rest.starts_with("--from="))
        .ok_or_else(|| err!("{DOCKERFILE}: the final stage copies nothing from a build stage"))?;
    let words: Vec<&str> = copy.split_whitespace().collect();
    let (from, source, dest) = match words.as_slice() {
        [from, source, dest] => (&from["--from=".len()..], *source, *dest),
        _ => return Err(err!("{DOCKERFILE}: cannot read `COPY {copy}`")),
    };
    let build = stages
        .iter()
        .find(|s| s.name.as_deref() == Some(from))
        .ok_or_else(|| err!("{DOCKERFILE}: `COPY --from={from}` names no stage"))?;

    // The build stage's Rust is the workspace's rust-version.
    let wanted = format!("rust:{rust_version}-slim-bookworm");
    if build.image != wanted {
        return Err(err!(
            "{DOCKERFILE}: the build stage is `FROM {}`, but the workspace's rust-version \
             is {rust_version}: use `FROM {wanted}`",
            build.image
        ));
    }

    // Its `cargo build` names a real package and binary.
    let run = build
        .all("RUN")
        .find(|rest| rest.contains("cargo build"))
        .ok_or_else(|| err!("{DOCKERFILE}: the build stage runs no `cargo build`"))?;
    let cargo = CargoBuild::parse(run)?;
    let member = members
        .iter()
        .find(|m| m.name == cargo.package)
        .ok_or_else(|| {
            err!(
                "{DOCKERFILE}: `cargo build -p {}`: no such workspace package",
                cargo.package
            )
        })?;
    if !member.bins.contains(&cargo.bin) {
        return Err(err!(
            "{DOCKERFILE}: `cargo build --bin {}`: package `{}` has no such binary (it has: {})",
            cargo.bin,
            cargo.package,
            member.bins.join(", ")
        ));
    }

    // The copied file is that build's output.
    let workdir = build
        .last("WORKDIR")
        .ok_or_else(|| err!("{DOCKERFILE}: the build stage sets no WORKDIR"))?;
    let profile = if cargo.release { "release" } else { "debug" };
    let built = format!(
        "{}/target/{profile}/{}",
        workdir.trim_end_matches('/'),
        cargo.bin
    );
    if source != built {
        return Err(err!(
            "{DOCKERFILE}: the image copies `{source}` but the build stage's `cargo build` \
             writes `{built}`"
        ));
    }

    // The final stage runs it, as the sandbox on every interface, as a non-root user.
    let user = last
        .last("USER")
        .ok_or_else(|| err!("{DOCKERFILE}: the final stage sets no USER (it would run as root)"))?;
    let user_name = user.split(':').next().unwrap_or_default();
    if user_name == "root" || user_name == "0" {
        return Err(err!(
            "{DOCKERFILE}: the final stage runs as root (`USER {user}`)"
        ));
    }
    let entrypoint = last
        .last("ENTRYPOINT")
        .ok_or_else(|| err!("{DOCKERFILE}: the final stage has no ENTRYPOINT"))?;
    let argv: Vec<String> = serde_json::from_str(entrypoint).map_err(|_| {
        err!("{DOCKERFILE}: ENTRYPOINT must be in exec form (a JSON array), got `{entrypoint}`")
    })?;
    let program = argv.first().map(String::as_str).unwrap_or_default();
    let on_path = dest.starts_with("/usr/local/bin/") || dest.starts_with("/usr/bin/");
    let file_name = dest.rsplit('/').next().unwrap_or_default();
    if program != dest && !(on_path && program == file_name) {
        return Err(err!(
            "{DOCKERFILE}: ENTRYPOINT runs `{program}`, not the binary copied to `{dest}`"
        ));
    }
    if argv.get(1).map(String::as_str) != Some("sandbox") {
        return Err(err!(
            "{DOCKERFILE}: ENTRYPOINT does not run `{program} sandbox`"
        ));
    }
    let addr = argv
        .iter()
        .position(|a| a == "--addr")
        .and_then(|i| argv.get(i + 1))
        .ok_or_else(|| err!("{DOCKERFILE}: ENTRYPOINT gives the sandbox no --addr"))?;
    let port = addr
        .strip_prefix("0.0.0.0:")
        .and_then(|p| p.parse::<u16>().ok())
        .ok_or_else(|| {
            err!("{DOCKERFILE}: the sandbox must listen on 0.0.0.0:<port> in the container, not `{addr}`")
        })?;
    if !last.all("EXPOSE").any(|rest| {
        rest.split_whitespace()
            .any(|p| p.trim_end_matches("/tcp") == port.to_string())
    }) {
        return Err(err!("{DOCKERFILE}: port {port} is not EXPOSEd"));
    }
    let public_url = last
        .all("ENV")
        .find_map(|rest| rest.strip_prefix("VOXKIT_SANDBOX_PUBLIC_URL="))
        .map(|v| v.trim_matches('"').to_owned())
        .ok_or_else(|| {
            err!(
                "{DOCKERFILE}: the final stage sets no VOXKIT_SANDBOX_PUBLIC_URL: the sandbox \
                 would print URLs on 0.0.0.0's port instead of the host's"
            )
        })?;

    Ok(Image {
        package: cargo.package,
        bin: cargo.bin,
        build_image: build.image.clone(),
        run_image: last.image.clone(),
        port,
        public_url,
    })
}

/// The options of a `cargo build` command line that say what it builds.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CargoBuild {
    package: String,
    bin: String,
    release: bool,
}

impl CargoBuild {
    /// Reads `-p`/`--package`, `--bin` and `--release` (or `--profile release`) from the
    /// part of `run` after `cargo build`, up to the end of that shell command.
    fn parse(run: &str) -> Result<Self> {
        let after = &run[run.find("cargo build").expect("caller checked") + "cargo build".len()..];
        let command = after.split(['&', ';', '|']).next().unwrap_or_default();
        let words: Vec<&str> = command.split_whitespace().collect();
        let mut package = None;
        let mut bin = None;
        let mut release = false;
        let mut i = 0;
        while i < words.len() {
            let word = words[i];
            let mut value = |long: &str, short: Option<&str>| -> Option<String> {
                if let Some(v) = word.strip_prefix(&format!("{long}=")) {
                    return Some(v.to_owned());
                }
                if word == long || short == Some(word) {
                    i += 1;
                    return words.get(i).map(|v| (*v).to_owned());
                }
                None
            };
            if let Some(v) = value("--package", Some("-p")) {
                package = Some(v);
            } else if let Some(v) = value("--bin", None) {
                bin = Some(v);
            } else if let Some(v) = value("--profile", None) {
                release = v == "release";
            } else if word == "--release" || word == "-r" {
                release = true;
            }
            i += 1;
        }
        let package = package
            .ok_or_else(|| err!("{DOCKERFILE}: `cargo build{command}` names no package (-p)"))?;
        let bin = bin
            .ok_or_else(|| err!("{DOCKERFILE}: `cargo build{command}` names no binary (--bin)"))?;
        Ok(CargoBuild {
            package,
            bin,
            release,
        })
    }
}

/// The outcome of [`smoke`].
#[derive(Debug)]
pub enum Smoke {
    /// It could not run here; the reason says what is missing.
    Skipped(String),
    /// The image was built and answered; its size in bytes.
    Passed { size: u64 },
}

/// Builds the image and runs it: the sandbox must print the image's public URL and answer a
/// longlonglong token query with the credentials it printed, through the published port.
/// Skipped (not failed) when no Docker daemon answers or a base image is not present locally:
/// no registry is assumed reachable.
pub fn smoke(root: &Path, image: &Image) -> Result<Smoke> {
    if !Cmd::new("docker").args(["version"]).probe(root) {
        return Ok(Smoke::Skipped(
            "no Docker daemon reachable (`docker version` fails)".to_owned(),
        ));
    }
    for base in [&image.build_image, &image.run_image] {
        if !Cmd::new("docker")
            .args(["image", "inspect", base.as_str()])
            .probe(root)
        {
            return Ok(Smoke::Skipped(format!(
                "base image {base} is not present locally (run `docker pull {base}` where a \
                 registry is reachable)"
            )));
        }
    }
    Cmd::new("docker")
        .args([
            "build",
            "--pull=false",
            "-t",
            SMOKE_TAG,
            "-f",
            DOCKERFILE,
            ".",
        ])
        .run(root)?;
    let port = format!("127.0.0.1::{}", image.port);
    let id = Cmd::new("docker")
        .args([
            "run",
            "--detach",
            "--rm",
            "--publish",
            port.as_str(),
            SMOKE_TAG,
        ])
        .read(root)?
        .trim()
        .to_owned();
    let container = Container { id, root };
    let result = container.answer(image);
    drop(container);
    result?;
    let size = Cmd::new("docker")
        .args(["image", "inspect", "--format", "{{.Size}}", SMOKE_TAG])
        .read(root)?
        .trim()
        .parse()
        .map_err(|e| err!("docker image inspect printed no size: {e}"))?;
    Ok(Smoke::Passed { size })
}

/// A running container, removed on drop.
struct Container<'a> {
    id: String,
    root: &'a Path,
}

impl Container<'_> {
    /// Waits for the `# serving` line, checks the printed URLs, and queries the sandbox
    /// through the published port.
    fn answer(&self, image: &Image) -> Result<()> {
        let started = Instant::now();
        let logs = loop {
            let logs = Cmd::new("docker")
                .args(["logs", self.id.as_str()])
                .read(self.root)?;
            if logs.lines().any(|l| l.starts_with("# serving")) {
                break logs;
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(err!(
                    "the container printed no `# serving` line within {START_TIMEOUT:?}:\n{logs}"
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        };
        let exported = |name: &str| {
            logs.lines()
                .find_map(|l| l.strip_prefix(&format!("export {name}=")))
                .map(str::to_owned)
                .ok_or_else(|| err!("the container printed no `export {name}=` line:\n{logs}"))
        };
        let base_url = exported("LONGLONGLONG_BASE_URL")?;
        if base_url != image.public_url {
            return Err(err!(
                "the container printed LONGLONGLONG_BASE_URL={base_url}, not the image's \
                 public URL {}",
                image.public_url
            ));
        }
        let token = exported("LONGLONGLONG_TOKEN")?;
        let published = Cmd::new("docker")
            .args(["port", self.id.as_str(), &format!("{}/tcp", image.port)])
            .read(self.root)?;
        let addr = published
            .lines()
            .next()
            .map(str::trim)
            .ok_or_else(|| err!("`docker port` printed nothing"))?;
        let answer = http_get(addr, "/agent-api/token", &token)?;
        if !answer.starts_with("HTTP/1.1 200") || !answer.contains("\"code\":200") {
            return Err(err!(
                "GET /agent-api/token through {addr} answered:\n{answer}"
            ));
        }
        println!("ok: the container serves on {addr} and prints {base_url}");
        Ok(())
    }
}

impl Drop for Container<'_> {
    fn drop(&mut self) {
        let _ = Cmd::new("docker")
            .args(["rm", "--force", self.id.as_str()])
            .probe(self.root);
    }
}

/// A bare HTTP/1.1 GET with a bearer token over loopback; returns the whole answer.
fn http_get(addr: &str, path: &str, token: &str) -> Result<String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| err!("connect {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| err!("{e}"))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    )
    .map_err(|e| err!("send to {addr}: {e}"))?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| err!("read from {addr}: {e}"))?;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository's Dockerfile.
    const REAL: &str = include_str!("../../Dockerfile");

    fn members() -> Vec<Member> {
        vec![
            Member::sample("voxkit-cli", &["voxkit"]),
            Member::sample("voxkit-bench", &["voxkit-bench"]),
            Member::sample("voxkit", &[]),
        ]
    }

    #[test]
    fn the_real_dockerfile_ships_the_voxkit_binary_as_the_sandbox() {
        let image = check(REAL, &members(), "1.85").unwrap();
        assert_eq!(
            image,
            Image {
                package: "voxkit-cli".into(),
                bin: "voxkit".into(),
                build_image: "rust:1.85-slim-bookworm".into(),
                run_image: "debian:bookworm-slim".into(),
                port: 8787,
                public_url: "http://localhost:8787".into(),
            }
        );
    }

    /// The real Dockerfile with `from` replaced by `to` (which must occur).
    fn edited(from: &str, to: &str) -> String {
        assert!(REAL.contains(from), "{from:?} not in the Dockerfile");
        REAL.replace(from, to)
    }

    fn refused(text: &str, rust_version: &str) -> String {
        check(text, &members(), rust_version).unwrap_err().0
    }

    /// Each edit `(from, to)` of the real Dockerfile is refused, the message saying `why`.
    fn assert_edits_refused(cases: &[(&str, &str, &str)]) {
        for (from, to, why) in cases {
            let e = refused(&edited(from, to), "1.85");
            assert!(e.contains(why), "{from:?} -> {to:?}: {e}");
        }
    }

    #[test]
    fn a_build_of_another_package_or_binary_is_refused() {
        assert_edits_refused(&[
            (
                "-p voxkit-cli",
                "-p voxkit-tool",
                "no such workspace package",
            ),
            ("--bin voxkit", "--bin voxkit-cli", "has no such binary"),
            ("-p voxkit-cli", "-p voxkit", "has no such binary"),
            ("-p voxkit-cli ", "", "names no package"),
        ]);
    }

    #[test]
    fn copying_another_file_than_the_build_output_is_refused() {
        assert_edits_refused(&[
            ("--release ", "", "target/debug/voxkit"),
            (
                "WORKDIR /src",
                "WORKDIR /build",
                "writes `/build/target/release/voxkit`",
            ),
            ("--from=build", "--from=builder", "names no stage"),
        ]);
    }

    #[test]
    fn the_build_stage_uses_the_workspace_rust_version() {
        let e = refused(REAL, "1.86");
        assert!(e.contains("FROM rust:1.86-slim-bookworm"), "{e}");
    }

    #[test]
    fn the_image_runs_the_sandbox_on_every_interface_as_non_root() {
        assert_edits_refused(&[
            ("USER 10001", "USER root", "runs as root"),
            ("USER 10001\n", "", "no USER"),
            ("\"0.0.0.0:8787\"", "\"127.0.0.1:8787\"", "0.0.0.0:<port>"),
            (
                "\"voxkit\", \"sandbox\"",
                "\"voxkit\", \"demo\"",
                "voxkit sandbox",
            ),
            ("EXPOSE 8787", "EXPOSE 80", "not EXPOSEd"),
            (
                "ENV VOXKIT_SANDBOX_PUBLIC_URL=",
                "ENV OTHER=",
                "VOXKIT_SANDBOX_PUBLIC_URL",
            ),
        ]);
    }

    #[test]
    fn continuations_comments_and_option_forms_are_read() {
        let text = "\
# syntax=docker/dockerfile:1
ARG X=1
FROM --platform=linux/amd64 rust:1.85-slim-bookworm as b
workdir /app/
RUN apt-get update && \\
    cargo build --locked --profile=release --package=voxkit-cli \\
    --bin=voxkit && strip target/release/voxkit
FROM gcr.io/distroless/cc-debian12
COPY --from=b /app/target/release/voxkit /voxkit
USER nonroot:nonroot
EXPOSE 8787/tcp
ENV VOXKIT_SANDBOX_PUBLIC_URL=\"http://localhost:8787\"
ENTRYPOINT [\"/voxkit\", \"sandbox\", \"--addr\", \"0.0.0.0:8787\"]
";
        let image = check(text, &members(), "1.85").unwrap();
        assert_eq!(image.package, "voxkit-cli");
        assert_eq!(image.run_image, "gcr.io/distroless/cc-debian12");
        assert_eq!(image.public_url, "http://localhost:8787");
    }
}
