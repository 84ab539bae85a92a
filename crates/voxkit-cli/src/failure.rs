//! What went wrong, as the CLI reports it: one exit code per kind of outcome, one line on
//! stderr (a JSON object with `--output json`).
//!
//! [`exit_code`] is the one place where an SDK error becomes an exit code; the documented
//! provider codes are explained in `explained`, clap's usage errors summarized in
//! `clap_usage`.

mod clap_usage;
mod explained;

use std::ffi::OsString;
use std::sync::OnceLock;

use serde_json::{Value, json};
use voxkit_core::Error;

pub use self::clap_usage::usage_error;
use self::explained::explained;
use crate::context::Format;
use crate::render::one_line;

/// Success.
pub const EXIT_OK: u8 = 0;
/// Invalid input or configuration: nothing was sent.
pub const EXIT_INVALID: u8 = 2;
/// The provider answered and refused the request.
pub const EXIT_REFUSED: u8 = 3;
/// Transport, HTTP or decoding failure where nothing was applied (or the operation is a
/// read).
pub const EXIT_FAILED: u8 = 4;
/// Outcome unknown: a request that moves money or creates something may have been
/// applied.
pub const EXIT_UNKNOWN: u8 = 5;

/// The exit codes, as `voxkit --help` shows them.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  2  invalid input or configuration (a bad argument, id or date, a missing
     credential): nothing was sent
  3  the provider answered and refused the request (its code and message on stderr)
  4  transport, HTTP or decoding failure where nothing was applied (or the operation
     is a read: running it again is safe)
  5  outcome unknown: a request that moves money or creates something may have been
     applied; check before retrying (the message says how)

Errors are one line on stderr; with --output json, a JSON object
{\"error\": {\"kind\", \"provider\", \"operation\", \"code\", \"http_status\", \"message\", \"hint\", \"exit_code\"}}.

Environment:
  LONGLONGLONG_TOKEN, LONGLONGLONG_BASE_URL          longlonglong agent API
  LONGLONGLONG_DIALOGUE_TOKEN, LONGLONGLONG_DIALOGUE_BASE_URL
                                                     longlonglong dialogue API (对话接口)
  LAAFFIC_API_KEY, LAAFFIC_API_SECRET, LAAFFIC_BASE_URL
  LAAFFIC_APP_ID   the application id of `voxkit laaffic task create` (or --app-id)
  ESPAI_OPEN_API_KEY, ESPAI_BASE_URL
  RUST_LOG   traces on stderr, e.g. RUST_LOG=voxkit_core=debug (never any secret)

`voxkit sandbox` prints these variables for a local simulator; `voxkit demo` needs none.";

/// The exit code of an SDK error: invalid input and configuration 2, a provider's refusal
/// 3, an unknown outcome 5, anything else 4.
///
/// Core decides what is unknown: an answer that cannot be decoded, to a request that is
/// never resent, already arrives as [`Error::OutcomeUnknown`].
pub fn exit_code(error: &Error) -> u8 {
    match error {
        Error::InvalidInput { .. } | Error::Config { .. } => EXIT_INVALID,
        Error::Api { .. } => EXIT_REFUSED,
        Error::OutcomeUnknown { .. } => EXIT_UNKNOWN,
        _ => EXIT_FAILED,
    }
}

/// An SDK call's result whose unknown outcome says how to check it: the hint of
/// [`CliError::check_with`], set on the error of a call that may have been applied.
pub trait CheckWith<T> {
    /// The result, its error a [`CliError`] whose hint (for an unknown outcome) is `how`.
    fn check_with(self, how: impl FnOnce() -> String) -> Result<T, CliError>;
}

impl<T> CheckWith<T> for Result<T, Error> {
    fn check_with(self, how: impl FnOnce() -> String) -> Result<T, CliError> {
        self.map_err(|e| CliError::from(e).check_with(how))
    }
}

/// A short machine-readable name of an error's kind.
fn kind(error: &Error) -> &'static str {
    match error {
        Error::InvalidInput { .. } => "invalid_input",
        Error::Config { .. } => "config",
        Error::Transport { .. } => "transport",
        Error::Timeout { .. } => "timeout",
        Error::OutcomeUnknown { .. } => "outcome_unknown",
        Error::Status { .. } => "http_status",
        Error::Api { .. } => "api",
        Error::Decode { .. } => "decode",
        _ => "other",
    }
}

/// A failed command: everything needed to print it and to exit (boxed: results stay
/// small). Its fields are those of [`Details`], reached through `Deref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(Box<Details>);

impl std::ops::Deref for CliError {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.0
    }
}

impl std::ops::DerefMut for CliError {
    fn deref_mut(&mut self) -> &mut Details {
        &mut self.0
    }
}

/// What a [`CliError`] holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    /// `invalid_input`, `config`, `usage`, `api`, `outcome_unknown`, `transport`, ...
    pub kind: &'static str,
    /// The provider, when an SDK call failed.
    pub provider: Option<&'static str>,
    /// The SDK operation, when an SDK call failed.
    pub operation: Option<&'static str>,
    /// The provider's error code (for `api`).
    pub code: Option<String>,
    /// The HTTP status (for `http_status`).
    pub http_status: Option<u16>,
    /// What happened, one line.
    pub message: String,
    /// How to check an unknown outcome, or what to do next.
    pub hint: Option<String>,
    /// The process exit code.
    pub exit_code: u8,
}

/// The command as typed (`longlonglong set-expiry`), set once by `main`: errors name it
/// instead of the SDK's operation (`set_expiry`), which the user never typed.
static COMMAND: OnceLock<String> = OnceLock::new();

/// Records the command typed, from the raw arguments: the subcommand names, in order.
pub fn set_command(args: &[OsString]) {
    let _ = COMMAND.set(command_label(args));
}

/// The subcommand path of the raw arguments (`longlonglong subaccount delete`).
fn command_label(args: &[OsString]) -> String {
    use clap::CommandFactory as _;
    let mut command = crate::cli::Cli::command();
    let mut names = Vec::new();
    for arg in args.iter().skip(1).map(|a| a.to_string_lossy()) {
        if arg == "--" {
            break;
        }
        let Some(sub) = command.find_subcommand(arg.as_ref()).cloned() else {
            continue;
        };
        names.push(sub.get_name().to_owned());
        command = sub;
        if !command.has_subcommands() {
            break;
        }
    }
    names.join(" ")
}

/// `message` with its leading `provider operation: ` replaced by the command typed.
fn name_the_command(message: String, origin: voxkit_core::Origin) -> String {
    let Some(command) = COMMAND.get().filter(|c| !c.is_empty()) else {
        return message;
    };
    match message.strip_prefix(&format!("{origin}: ")) {
        Some(rest) => format!("{command}: {rest}"),
        None => message,
    }
}

/// The host a DNS lookup failed for, when the error's chain says so.
fn unresolved_host(error: &Error) -> Option<String> {
    let Error::Transport { source, .. } = error else {
        return None;
    };
    let mut chain = String::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = source
        .as_deref()
        .map(|s| s as &(dyn std::error::Error + 'static));
    while let Some(e) = next {
        chain.push_str(&e.to_string());
        chain.push(' ');
        next = e.source();
    }
    let dns = chain.contains("dns error")
        || chain.contains("failed to lookup address")
        || chain.contains("Name or service not known")
        || chain.contains("nodename nor servname");
    if !dns {
        return None;
    }
    // reqwest names the URL: "error sending request for url (https://host/...)".
    let host = chain
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ')', ' ', ':']).next())
        .filter(|h| !h.is_empty())
        .unwrap_or("the provider's host");
    Some(host.to_owned())
}

/// A duration for people: `850 ms` under a second, else `1.0 s` (one decimal).
pub fn human_duration(d: std::time::Duration) -> String {
    if d < std::time::Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

impl From<Error> for CliError {
    fn from(error: Error) -> Self {
        let origin = error.origin();
        let exit_code = exit_code(&error);
        let mut hint = (exit_code == EXIT_UNKNOWN).then(|| {
            "the request may have been applied: check the provider's state before sending it again"
                .to_owned()
        });
        let code = error.api_code().map(str::to_owned);
        // The status the answer came with, as core recorded it (an API error's too).
        let http_status = error.http_status();
        let mut message = match &error {
            Error::Timeout {
                elapsed, attempts, ..
            } => format!(
                "{origin}: timed out after {} ({attempts} attempt{})",
                human_duration(*elapsed),
                if *attempts == 1 { "" } else { "s" }
            ),
            Error::Config { message, .. } if message.contains("allow_http(true)") => format!(
                "{origin}: configuration error: {}",
                message.replace("allow_http(true)", "--allow-http (or VOXKIT_ALLOW_HTTP=1)")
            ),
            _ => match unresolved_host(&error) {
                Some(host) => format!(
                    "{origin}: could not resolve host {host} (DNS lookup failed; the request \
                     was not sent): check the *_BASE_URL variable and the network"
                ),
                None => error.to_string(),
            },
        };
        if let Some(found) = code.as_deref().and_then(|c| explained(origin.provider, c)) {
            message.push_str(&format!(" ({})", found.meaning));
            if hint.is_none() {
                hint = found.hint.map(str::to_owned);
            }
        }
        CliError(Box::new(Details {
            kind: kind(&error),
            provider: Some(origin.provider),
            operation: Some(origin.operation),
            code,
            http_status,
            message: one_line(&name_the_command(message, origin)),
            hint,
            exit_code,
        }))
    }
}

impl CliError {
    /// Invalid input found by the CLI itself (exit code 2, nothing was sent).
    pub fn invalid(message: impl Into<String>) -> Self {
        CliError(Box::new(Details {
            kind: "invalid_input",
            provider: None,
            operation: None,
            code: None,
            http_status: None,
            message: one_line(&message.into()),
            hint: None,
            exit_code: EXIT_INVALID,
        }))
    }

    /// A command-line usage error from clap (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        let mut error = CliError::invalid(message);
        error.kind = "usage";
        error
    }

    /// A local failure that is not about the input (exit code 4), e.g. the sandbox's
    /// server stopping.
    pub fn local(kind: &'static str, message: impl Into<String>) -> Self {
        let mut error = CliError::invalid(message);
        error.kind = kind;
        error.exit_code = EXIT_FAILED;
        error
    }

    /// Sets the hint of an unknown outcome: how to find out whether the request was
    /// applied. Other errors keep theirs.
    pub fn check_with(mut self, how: impl FnOnce() -> String) -> Self {
        if self.exit_code == EXIT_UNKNOWN {
            self.hint = Some(one_line(&how()));
        }
        self
    }

    /// Sets the hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(one_line(&hint.into()));
        self
    }

    /// The JSON object printed on stderr with `--output json`.
    pub fn to_json(&self) -> Value {
        json!({
            "error": {
                "kind": self.kind,
                "provider": self.provider,
                "operation": self.operation,
                "code": self.code,
                "http_status": self.http_status,
                "message": self.message,
                "hint": self.hint,
                "exit_code": self.exit_code,
            }
        })
    }

    /// The line printed on stderr in text mode.
    pub fn to_line(&self) -> String {
        match &self.hint {
            Some(hint) if self.exit_code == EXIT_UNKNOWN => {
                format!("voxkit: error: {}. To check: {hint}", self.message)
            }
            Some(hint) => format!("voxkit: error: {} ({hint})", self.message),
            None => format!("voxkit: error: {}", self.message),
        }
    }

    /// Prints the error on stderr in `format`.
    pub fn print(&self, format: Format) {
        let line = match format {
            Format::Json => self.to_json().to_string(),
            Format::Text => self.to_line(),
        };
        crate::render::write_stderr(&line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use voxkit_core::Origin;
    use voxkit_core::error::TransportKind;
    use voxkit_core::reqwest::StatusCode;

    const RECHARGE: Origin = Origin::new("longlonglong", "recharge");
    const HISTORY: Origin = Origin::new("longlonglong", "recharge_history");

    fn dropped(origin: Origin) -> Error {
        Error::Transport {
            origin,
            kind: TransportKind::Dropped,
            source: None,
        }
    }

    #[test]
    fn every_error_kind_has_its_exit_code() {
        let cases: Vec<(Error, u8, &str)> = vec![
            (Error::invalid_input(RECHARGE, "x"), 2, "invalid_input"),
            (Error::config(RECHARGE, "x"), 2, "config"),
            (
                Error::api(RECHARGE, Some("10004".into()), "用户未开通账单权限"),
                3,
                "api",
            ),
            (
                Error::OutcomeUnknown {
                    origin: RECHARGE,
                    cause: Box::new(dropped(RECHARGE)),
                },
                5,
                "outcome_unknown",
            ),
            (dropped(HISTORY), 4, "transport"),
            (
                Error::Timeout {
                    origin: HISTORY,
                    elapsed: std::time::Duration::from_secs(1),
                    attempts: 3,
                },
                4,
                "timeout",
            ),
            (
                Error::Status {
                    origin: RECHARGE,
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    excerpt: String::new(),
                    retry_after: None,
                },
                4,
                "http_status",
            ),
            (
                Error::Decode {
                    origin: HISTORY,
                    message: "x".into(),
                    excerpt: String::new(),
                },
                4,
                "decode",
            ),
        ];
        for (error, code, kind) in cases {
            let text = error.to_string();
            let cli = CliError::from(error);
            assert_eq!(cli.exit_code, code, "{text}");
            assert_eq!(cli.kind, kind, "{text}");
            // Unknown outcomes say how to check; a documented code (10004) what to do.
            assert_eq!(cli.hint.is_some(), code == 5 || kind == "api", "{text}");
        }
    }

    #[test]
    fn json_shape_is_stable() {
        let cli = CliError::from(Error::api(
            RECHARGE,
            Some("10004".into()),
            "用户未开通账单权限",
        ));
        let json = cli.to_json();
        let error = &json["error"];
        assert_eq!(error["kind"], "api");
        assert_eq!(error["provider"], "longlonglong");
        assert_eq!(error["operation"], "recharge");
        assert_eq!(error["code"], "10004");
        assert_eq!(error["http_status"], Value::Null);
        assert_eq!(error["exit_code"], 3);
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("用户未开通账单权限")
        );
        let keys: Vec<&String> = error.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 8, "{keys:?}");
    }

    #[test]
    fn hints_only_replace_the_hint_of_unknown_outcomes() {
        let unknown = CliError::from(Error::OutcomeUnknown {
            origin: RECHARGE,
            cause: Box::new(dropped(RECHARGE)),
        })
        .check_with(|| "run `voxkit longlonglong recharges --user U`".into());
        assert!(unknown.to_line().contains("To check: run `voxkit"));
        assert!(!unknown.to_line().contains('\n'));
        let refused = CliError::from(Error::api(RECHARGE, None, "no"))
            .check_with(|| unreachable!("not an unknown outcome"));
        assert_eq!(refused.hint, None);
    }

    #[test]
    fn timeouts_read_as_people_write_durations() {
        assert_eq!(
            human_duration(std::time::Duration::from_millis(850)),
            "850 ms"
        );
        assert_eq!(
            human_duration(std::time::Duration::from_nanos(1_000_855_665)),
            "1.0 s"
        );
        let cli = CliError::from(Error::Timeout {
            origin: HISTORY,
            elapsed: std::time::Duration::from_nanos(1_000_855_665),
            attempts: 1,
        });
        assert!(
            cli.message.ends_with("timed out after 1.0 s (1 attempt)"),
            "{}",
            cli.message
        );
    }

    #[test]
    fn dns_failures_say_the_host_could_not_be_resolved() {
        let io = std::io::Error::other(
            "error sending request for url (https://api.nowhere.invalid/v3/getBalance): \
             dns error: failed to lookup address information: Name or service not known",
        );
        let cli = CliError::from(Error::Transport {
            origin: HISTORY,
            kind: TransportKind::Connect,
            source: Some(Box::new(io)),
        });
        assert!(
            cli.message
                .contains("could not resolve host api.nowhere.invalid"),
            "{}",
            cli.message
        );
        let refused = CliError::from(Error::Transport {
            origin: HISTORY,
            kind: TransportKind::Connect,
            source: Some(Box::new(std::io::Error::other("connection refused"))),
        });
        assert!(
            refused.message.contains("could not connect"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn the_command_label_is_the_subcommand_path() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            command_label(&args(&[
                "voxkit",
                "--output",
                "json",
                "longlonglong",
                "set-expiry",
                "--user",
                "u"
            ])),
            "longlonglong set-expiry"
        );
        assert_eq!(
            command_label(&args(&[
                "voxkit",
                "longlonglong",
                "subaccount",
                "delete",
                "--sub",
                "x"
            ])),
            "longlonglong subaccount delete"
        );
    }

    #[test]
    fn messages_are_one_line() {
        let cli = CliError::invalid("first\nsecond\r\nthird\u{1b}[31m");
        assert_eq!(cli.message, "first second third [31m");
        assert_eq!(cli.to_line(), "voxkit: error: first second third [31m");
    }
}
