//! A small wrapper around [`Command`] that can show itself the way a user would type it.

use std::ffi::OsString;
use std::fmt;
use std::path::Path;
use std::process::{Command, Stdio};

/// An xtask failure: a message for the user.
#[derive(Debug)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Builds an [`Error`] from a format string.
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::cmd::Error(format!($($arg)*))
    };
}
pub(crate) use err;

/// Result type of xtask.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A command line: program, environment overrides and arguments.
#[derive(Debug, Clone)]
pub struct Cmd {
    /// Name shown to the user (`cargo`, `rustc`).
    name: String,
    /// What is actually executed (for cargo: `$CARGO` when set).
    program: OsString,
    /// Environment variables set on the command, shown before the program name.
    envs: Vec<(String, String)>,
    /// Arguments.
    args: Vec<String>,
}

impl Cmd {
    /// A `cargo` command, using the cargo that runs xtask (`$CARGO`) when known.
    pub fn cargo() -> Self {
        let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        Self {
            name: "cargo".to_owned(),
            program,
            envs: Vec::new(),
            args: Vec::new(),
        }
    }

    /// A command running `program` from `PATH`.
    pub fn new(program: &str) -> Self {
        Self {
            name: program.to_owned(),
            program: program.into(),
            envs: Vec::new(),
            args: Vec::new(),
        }
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for the command.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The [`Command`] to spawn, running in `dir`.
    fn command(&self, dir: &Path) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args).current_dir(dir);
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        command
    }

    /// Prints the command, then runs it in `dir` with inherited stdio; fails on non-zero exit.
    pub fn run(&self, dir: &Path) -> Result<()> {
        println!("==> {self}");
        let status = self
            .command(dir)
            .status()
            .map_err(|e| err!("could not start `{self}`: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(err!("`{self}` failed ({status})"))
        }
    }

    /// Runs the command in `dir` silently (no input, output discarded) and tells whether it
    /// succeeded: for probing which tools are installed.
    pub fn probe(&self, dir: &Path) -> bool {
        self.command(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    }

    /// Prints the command, then runs it in `dir` and returns its stdout (stderr is inherited).
    pub fn read(&self, dir: &Path) -> Result<String> {
        println!("==> {self}");
        let output = self
            .command(dir)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| err!("could not start `{self}`: {e}"))?;
        if !output.status.success() {
            return Err(err!("`{self}` failed ({})", output.status));
        }
        String::from_utf8(output.stdout).map_err(|_| err!("`{self}` printed invalid UTF-8"))
    }
}

impl fmt::Display for Cmd {
    /// Shows the command as a shell line: `KEY=value program args...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in &self.envs {
            write!(f, "{key}={} ", quote(value))?;
        }
        f.write_str(&self.name)?;
        for arg in &self.args {
            write!(f, " {}", quote(arg))?;
        }
        Ok(())
    }
}

/// Single-quotes `s` if a shell would otherwise split or reinterpret it.
fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_=.,/:+{}@%".contains(c));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shows_env_then_program_then_args() {
        let cmd = Cmd::cargo().env("RUSTDOCFLAGS", "-Dwarnings").args([
            "doc",
            "--workspace",
            "--no-deps",
            "--all-features",
        ]);
        assert_eq!(
            cmd.to_string(),
            "RUSTDOCFLAGS=-Dwarnings cargo doc --workspace --no-deps --all-features"
        );
    }

    #[test]
    fn display_quotes_only_when_needed() {
        let cmd = Cmd::new("echo").args(["--format", "{p}", "a b", "", "it's"]);
        assert_eq!(cmd.to_string(), r"echo --format {p} 'a b' '' 'it'\''s'");
    }
}
