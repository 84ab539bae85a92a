//! What every command shares: the global flags (`--output`, `--timeout`) and the client of
//! each provider, built from the environment with them.
//!
//! Command files depend on this module and on [`crate::render`]; neither depends on a
//! command file, so a new command needs nothing here but its provider's client.

use std::ffi::OsString;
use std::time::Duration;

use voxkit_core::Error;

/// How results (stdout) and errors (stderr) are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Readable text for people.
    #[default]
    Text,
    /// One JSON object per command, for scripts.
    Json,
}

/// The settings every command shares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Global {
    /// The output format.
    pub output: Format,
    /// The overall deadline of each call.
    pub timeout: Option<Duration>,
}

impl Global {
    /// The longlonglong client, from `LONGLONGLONG_TOKEN` and `LONGLONGLONG_BASE_URL`,
    /// with `--timeout`.
    pub fn longlonglong(&self) -> Result<voxkit_longlonglong::Client, Error> {
        let builder = voxkit_longlonglong::Client::builder().token_from_env()?;
        self.deadline(builder, |b, t| b.deadline(t)).build()
    }

    /// The Laaffic client, from `LAAFFIC_API_KEY`, `LAAFFIC_API_SECRET` and
    /// `LAAFFIC_BASE_URL`, with `--timeout`.
    pub fn laaffic(&self) -> Result<voxkit_laaffic::Client, Error> {
        let builder = voxkit_laaffic::Client::builder().credentials_from_env()?;
        self.deadline(builder, |b, t| b.deadline(t)).build()
    }

    /// The ESP-AI client, from `ESPAI_OPEN_API_KEY` and `ESPAI_BASE_URL`, with
    /// `--timeout`.
    pub fn espai(&self) -> Result<voxkit_espai::Client, Error> {
        let builder = voxkit_espai::Client::builder().credentials_from_env()?;
        self.deadline(builder, |b, t| b.deadline(t)).build()
    }

    /// `builder` with `--timeout` as each call's deadline, when it is given.
    fn deadline<B>(&self, builder: B, set: impl FnOnce(B, Duration) -> B) -> B {
        match self.timeout {
            Some(timeout) => set(builder, timeout),
            None => builder,
        }
    }
}

/// Whether the raw arguments ask for JSON output: used to print a usage error in the
/// requested format when clap could not parse the rest.
pub fn format_in_args(args: &[OsString]) -> Format {
    let mut format = Format::Text;
    let mut iter = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(arg) = iter.next() {
        if arg == "--" {
            break;
        }
        let value = if arg == "--output" {
            iter.next()
        } else {
            arg.strip_prefix("--output=")
                .map(|v| std::borrow::Cow::Owned(v.to_owned()))
        };
        if let Some(value) = value {
            format = if value == "json" {
                Format::Json
            } else {
                Format::Text
            };
        }
    }
    format
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_found_in_raw_args() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            format_in_args(&args(&["voxkit", "x", "--output", "json"])),
            Format::Json
        );
        assert_eq!(
            format_in_args(&args(&["voxkit", "--output=json", "x"])),
            Format::Json
        );
        assert_eq!(
            format_in_args(&args(&["voxkit", "--output=json", "--output", "text"])),
            Format::Text
        );
        assert_eq!(format_in_args(&args(&["voxkit", "x"])), Format::Text);
        assert_eq!(
            format_in_args(&args(&["voxkit", "--", "--output=json"])),
            Format::Text
        );
    }
}
