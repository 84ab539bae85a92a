//! A throw-away PostgreSQL cluster for the journal's tests: `initdb` in a temporary
//! directory, a free port on 127.0.0.1, the unix socket in the same directory, trust
//! authentication, no fsync for the tests (nothing in it needs to survive; the benchmark's
//! cluster syncs, see [`Cluster::start_durable`]). Stopped, and its directory
//! removed, when the [`Cluster`] is dropped, so also when the tests fail.
//!
//! TLS is on, with the test certificate for 127.0.0.1 and `localhost` from voxkit-core's
//! fixtures, so that the journal's TLS can be tested against a real server; connections
//! that do not ask for TLS (the other tests: loopback URLs without `sslmode`) stay plain.
//!
//! `initdb` refuses to run as root: as root (CI) the cluster runs as the `postgres` user that
//! Debian's package creates, through `runuser` or else `su`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::cmd::{Cmd, Result, err};

/// The variable through which the journal's tests find the cluster.
pub const URL_VAR: &str = "VOXKIT_TEST_POSTGRES_URL";

/// The variable naming the PEM file of the CA that issued the cluster's certificate.
pub const CA_VAR: &str = "VOXKIT_TEST_POSTGRES_CA";

/// voxkit-core's TLS fixtures (for tests only: the key protects nothing).
const TEST_CA: &str = include_str!("../../crates/voxkit-core/fixtures/tls/ca.pem");
const TEST_CERT: &str = include_str!("../../crates/voxkit-core/fixtures/tls/localhost.pem");
const TEST_KEY: &str = include_str!("../../crates/voxkit-core/fixtures/tls/localhost.key");

/// The unprivileged user the cluster runs as when xtask runs as root.
const SERVICE_USER: &str = "postgres";

/// What to tell a user whose machine lacks PostgreSQL.
const INSTALL_HINT: &str = "PostgreSQL is not installed: `initdb` is neither on PATH nor in \
     /usr/lib/postgresql/<version>/bin. The journal's PostgreSQL tests need a local server \
     binary (no running service): install Debian's `postgresql` package \
     (`apt-get install postgresql`; .ci/run does so when `initdb` is missing), or your \
     system's equivalent";

/// A running throw-away cluster.
pub struct Cluster {
    /// The temporary directory: `data/`, the socket, `server.log` and the TLS files.
    dir: PathBuf,
    /// The directory of `initdb` and `pg_ctl`.
    bin: PathBuf,
    /// Whether commands run as [`SERVICE_USER`] (xtask runs as root).
    as_service_user: bool,
    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    url: String,
}

impl Cluster {
    /// Finds PostgreSQL, creates and starts the cluster for the tests (fsync and
    /// synchronous commit off: nothing in it needs to survive, and the tests run faster);
    /// prints how long that took.
    pub fn start() -> Result<Cluster> {
        Self::start_with(false)
    }

    /// The same, durable (fsync and synchronous commit on, the server's defaults), for the
    /// journal's benchmark: it measures what a durable journal costs, which a cluster that
    /// never syncs would understate.
    pub fn start_durable() -> Result<Cluster> {
        Self::start_with(true)
    }

    fn start_with(durable: bool) -> Result<Cluster> {
        let started = Instant::now();
        let bin = find_bin_dir()?;
        let as_service_user = is_root()?;
        let dir = std::env::temp_dir().join(format!(
            "voxkit-pg-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        ));
        std::fs::create_dir(&dir).map_err(|e| err!("cannot create {}: {e}", dir.display()))?;
        let port = free_port()?;
        // From here on, dropping the cluster cleans up whatever was made.
        let cluster = Cluster {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            dir,
            bin,
            as_service_user,
        };
        if as_service_user {
            hand_to_service_user(&cluster.dir)?;
        }
        let tls = cluster.write_tls_files()?;
        let data = cluster.dir.join("data");
        cluster.pg(
            "initdb",
            &[
                "-D",
                &path_str(&data)?,
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        let sync = if durable {
            ""
        } else {
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        };
        let options = format!(
            "-h 127.0.0.1 -p {port} -k {} {sync}-c max_connections=200 {tls}",
            path_str(&cluster.dir)?
        );
        cluster.pg(
            "pg_ctl",
            &[
                "-D",
                &path_str(&data)?,
                "-l",
                &path_str(&cluster.dir.join("server.log"))?,
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )?;
        println!(
            "ok: throw-away PostgreSQL cluster at {} ({}) started in {:.2?}",
            cluster.url,
            cluster.bin.display(),
            started.elapsed()
        );
        Ok(cluster)
    }

    /// The cluster's connection URL (trust authentication: no password).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The PEM file of the CA that issued the server's certificate (for [`CA_VAR`]).
    pub fn ca_file(&self) -> String {
        // The directory is UTF-8: its path went into the server's options.
        self.dir.join("ca.pem").to_string_lossy().into_owned()
    }

    /// Writes the server's certificate and key (the key readable by the server's user
    /// alone, as PostgreSQL demands) and the CA; returns the server options that use them.
    fn write_tls_files(&self) -> Result<String> {
        use std::os::unix::fs::PermissionsExt;
        let write = |name: &str, text: &str, mode: u32| -> Result<PathBuf> {
            let path = self.dir.join(name);
            std::fs::write(&path, text)
                .map_err(|e| err!("cannot write {}: {e}", path.display()))?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                .map_err(|e| err!("cannot set the mode of {}: {e}", path.display()))?;
            if self.as_service_user {
                hand_to_service_user(&path)?;
            }
            Ok(path)
        };
        write("ca.pem", TEST_CA, 0o644)?;
        let cert = write("server.crt", TEST_CERT, 0o644)?;
        let key = write("server.key", TEST_KEY, 0o600)?;
        Ok(format!(
            "-c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
            path_str(&cert)?,
            path_str(&key)?
        ))
    }

    /// Runs `program` of the PostgreSQL bin directory, as the service user when root; quiet
    /// on success, its output shown on failure.
    fn pg(&self, program: &str, args: &[&str]) -> Result<()> {
        let exe = path_str(&self.bin.join(program))?;
        let mut command = if !self.as_service_user {
            let mut command = Command::new(&exe);
            command.args(args);
            command
        } else if Cmd::new("runuser").args(["--help"]).probe(&self.dir) {
            let mut command = Command::new("runuser");
            command.args(["-u", SERVICE_USER, "--", &exe]).args(args);
            command
        } else {
            let line = std::iter::once(exe.as_str())
                .chain(args.iter().copied())
                .map(shell_quote)
                .collect::<Vec<_>>()
                .join(" ");
            let mut command = Command::new("su");
            command.args([SERVICE_USER, "-s", "/bin/sh", "-c", &line]);
            command
        };
        // The server inherits the command's stdout through pg_ctl: keep it off ours.
        let output = command
            .current_dir(&self.dir)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| err!("could not start {program}: {e}"))?;
        if output.status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        Err(err!(
            "{program} failed ({}):\n{}{}\n{log}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

impl Drop for Cluster {
    /// Stops the server (immediate: nothing to keep) and removes the directory.
    fn drop(&mut self) {
        let started = Instant::now();
        let data = self.dir.join("data");
        if data.join("postmaster.pid").exists() {
            if let Ok(data) = path_str(&data) {
                if let Err(e) = self.pg("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]) {
                    eprintln!("warning: could not stop the throw-away PostgreSQL cluster: {e}");
                }
            }
        }
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("warning: could not remove {}: {e}", self.dir.display());
        }
        println!(
            "ok: throw-away PostgreSQL cluster stopped and removed in {:.2?}",
            started.elapsed()
        );
    }
}

/// `cargo xtask test-postgres`: the journal's tests, both stores, against a throw-away
/// cluster.
pub fn test(root: &Path) -> Result<()> {
    let cluster = Cluster::start()?;
    Cmd::cargo()
        .env(URL_VAR, cluster.url())
        .env(CA_VAR, &cluster.ca_file())
        .args(["test", "-p", "voxkit-journal", "--all-features"])
        .run(root)
}

/// The directory holding `initdb` (symlinks resolved, so `pg_ctl` and `postgres` are its
/// siblings): from PATH, else the newest `/usr/lib/postgresql/<version>/bin`.
fn find_bin_dir() -> Result<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join("initdb"))
        .find(|exe| exe.is_file());
    let initdb = match on_path {
        Some(exe) => exe,
        None => newest_debian_initdb().ok_or_else(|| err!("{INSTALL_HINT}"))?,
    };
    let real = std::fs::canonicalize(&initdb)
        .map_err(|e| err!("cannot resolve {}: {e}", initdb.display()))?;
    let bin = real
        .parent()
        .ok_or_else(|| err!("{} has no directory", real.display()))?
        .to_path_buf();
    if !bin.join("pg_ctl").is_file() {
        return Err(err!(
            "{} has initdb but no pg_ctl: {INSTALL_HINT}",
            bin.display()
        ));
    }
    Ok(bin)
}

/// `/usr/lib/postgresql/<highest version>/bin/initdb`, where Debian installs it off PATH.
fn newest_debian_initdb() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let exe = entry.path().join("bin").join("initdb");
            exe.is_file().then_some((version, exe))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, exe)| exe)
}

/// Whether xtask runs as root (`id -u`).
fn is_root() -> Result<bool> {
    let uid = Cmd::new("id").args(["-u"]).read(Path::new("/"))?;
    Ok(uid.trim() == "0")
}

/// Gives the cluster's directory (or one of its files) to the service user, which must exist.
fn hand_to_service_user(dir: &Path) -> Result<()> {
    let id = |flag: &str| -> Result<u32> {
        Cmd::new("id")
            .args([flag, SERVICE_USER])
            .read(Path::new("/"))
            .map_err(|_| {
                err!(
                    "running as root, and there is no `{SERVICE_USER}` user to run the \
                     cluster as (initdb refuses root): {INSTALL_HINT}"
                )
            })?
            .trim()
            .parse()
            .map_err(|e| err!("`id {flag} {SERVICE_USER}`: {e}"))
    };
    let (uid, gid) = (id("-u")?, id("-g")?);
    std::os::unix::fs::chown(dir, Some(uid), Some(gid))
        .map_err(|e| err!("cannot give {} to {SERVICE_USER}: {e}", dir.display()))
}

/// A port that was free on 127.0.0.1 a moment ago.
fn free_port() -> Result<u16> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| err!("cannot find a free port: {e}"))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| err!("cannot find a free port: {e}"))
}

/// A path as UTF-8 (PostgreSQL's options are strings).
fn path_str(path: &Path) -> Result<String> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| err!("{} is not UTF-8", path.display()))
}

/// Single-quotes `s` for `sh -c`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quote_survives_quotes_and_spaces() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn the_install_hint_names_the_package() {
        assert!(INSTALL_HINT.contains("apt-get install postgresql"));
    }
}
