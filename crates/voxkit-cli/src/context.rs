//! What every command shares: the global flags (`--output`, `--timeout`, `--allow-http`,
//! `--quiet`, `--yes`, `--dry-run`) and the client of each provider, built from the
//! environment with them.
//!
//! Command files depend on this module and on [`crate::render`]; neither depends on a
//! command file, so a new command needs nothing here but its provider's client.

use std::ffi::OsString;
use std::future::Future;
use std::io::IsTerminal as _;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use voxkit_core::error::TransportKind;
use voxkit_core::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use voxkit_core::{Builder, Error, Provider};

use crate::failure::CliError;

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
    /// `--allow-http` or `VOXKIT_ALLOW_HTTP=1`: plain `http://` to any host.
    pub allow_http: bool,
    /// `--quiet`: nothing on stdout on success, no progress.
    pub quiet: bool,
    /// `--yes`: destructive calls are confirmed.
    pub yes: bool,
    /// `--dry-run`: the first request is printed, nothing is sent.
    pub dry_run: bool,
}

impl Global {
    /// The longlonglong client, from `LONGLONGLONG_TOKEN` and `LONGLONGLONG_BASE_URL`,
    /// with `--timeout`.
    pub fn longlonglong(&self) -> Result<voxkit_longlonglong::Client, Error> {
        self.client(voxkit_longlonglong::Client::builder().token_from_env()?)
    }

    /// The longlonglong dialogue client (对话接口), from `LONGLONGLONG_DIALOGUE_TOKEN` and
    /// `LONGLONGLONG_DIALOGUE_BASE_URL`, with `--timeout`.
    pub fn longlonglong_dialogue(&self) -> Result<voxkit_longlonglong::DialogueClient, Error> {
        self.client(voxkit_longlonglong::DialogueClient::builder().token_from_env()?)
    }

    /// The Laaffic client, from `LAAFFIC_API_KEY`, `LAAFFIC_API_SECRET` and
    /// `LAAFFIC_BASE_URL`, with `--timeout`.
    pub fn laaffic(&self) -> Result<voxkit_laaffic::Client, Error> {
        self.client(voxkit_laaffic::Client::builder().credentials_from_env()?)
    }

    /// The ESP-AI client, from `ESPAI_OPEN_API_KEY` and `ESPAI_BASE_URL`, with
    /// `--timeout`.
    pub fn espai(&self) -> Result<voxkit_espai::Client, Error> {
        self.client(voxkit_espai::Client::builder().credentials_from_env()?)
    }

    /// The client `builder` configures, with the global flags applied the same way for
    /// every provider: `--timeout` as each call's deadline (when given), `--allow-http`,
    /// and with `--dry-run` a transport that prints the first request and sends nothing.
    fn client<P: Provider>(&self, builder: Builder<P>) -> Result<P::Client, Error> {
        let builder = match self.timeout {
            Some(timeout) => builder.deadline(timeout),
            None => builder,
        };
        let builder = builder.allow_http(self.allow_http);
        match self.dry_run {
            true => builder.transport(Arc::new(DryRun(self.output))).build(),
            false => builder.build(),
        }
    }
}

impl Global {
    /// `items` (an `--all` walk) with its progress on stderr, named `what` (`"cards"`):
    /// the one place every list command gets it. A spinner when stderr is a terminal, else
    /// `page N…` lines; nothing with `--quiet`, nor with `--output json` off a terminal
    /// (stderr then holds only the JSON error a script parses).
    pub fn pages<S>(&self, items: S, what: &'static str) -> crate::render::pages::Paged<S> {
        use crate::render::pages::{Paged, ProgressMode};
        let mode = if self.quiet {
            ProgressMode::Off
        } else if std::io::stderr().is_terminal() {
            ProgressMode::Spinner
        } else if self.output == Format::Json {
            ProgressMode::Off
        } else {
            ProgressMode::Lines
        };
        Paged::new(items, what, mode)
    }

    /// Every item of the `--all` walk `items`, its progress shown by [`Global::pages`]
    /// (named `many`), a failure part way said with the count listed before it
    /// ([`crate::render::pages::collect_all`]): how the list commands that print after the
    /// walk read it, `(one, many)` naming the items (`("record", "records")`).
    pub async fn collect_pages<T, S>(
        &self,
        items: S,
        (one, many): (&str, &'static str),
    ) -> Result<Vec<T>, CliError>
    where
        S: futures_util::Stream<Item = Result<T, Error>> + Unpin,
    {
        crate::render::pages::collect_all(self.pages(items, many), one, many).await
    }

    /// Asks before a destructive call (`what`, e.g. "set the balance of user U to zero"):
    /// on a terminal, a `y` answer goes on; otherwise `--yes` is required. A refusal is
    /// invalid input (exit 2) and nothing is sent. `--dry-run` sends nothing, so it needs
    /// no confirmation.
    pub fn confirm(&self, command: &str, what: &str) -> Result<(), CliError> {
        if self.yes || self.dry_run {
            return Ok(());
        }
        let stdin = std::io::stdin();
        if !stdin.is_terminal() || !std::io::stderr().is_terminal() {
            return Err(CliError::invalid(format!(
                "`voxkit {command}` would {what}, which cannot be undone: add --yes to \
                 confirm (standard input is not a terminal, so it cannot ask); nothing was sent"
            )));
        }
        eprint!("voxkit: {command} will {what}, which cannot be undone. Continue? [y/N] ");
        let mut answer = String::new();
        let _ = stdin.read_line(&mut answer);
        if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            Ok(())
        } else {
            Err(CliError::invalid(format!(
                "`voxkit {command}` not confirmed; nothing was sent"
            )))
        }
    }
}

/// Set once `--dry-run` has printed the request it stopped: the command's resulting
/// "not sent" error is then the expected end, exit 0.
static DRY_RUN_PRINTED: AtomicBool = AtomicBool::new(false);

/// Whether `--dry-run` printed a request (and so stopped the command on purpose).
pub fn dry_run_printed() -> bool {
    DRY_RUN_PRINTED.load(Ordering::SeqCst)
}

/// The transport of `--dry-run`: prints the first request (later ones, e.g. a retry, are
/// not printed) and fails every one as certainly not sent, so no call can be applied.
#[derive(Debug)]
struct DryRun(Format);

/// The dry-run transport's refusal (the error's source).
#[derive(Debug)]
struct NotSentDryRun;

impl std::fmt::Display for NotSentDryRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("--dry-run: not sent")
    }
}

impl std::error::Error for NotSentDryRun {}

impl Transport for DryRun {
    // What `#[async_trait]` would generate: the CLI does not depend on that crate.
    fn send<'life0, 'async_trait>(
        &'life0 self,
        request: HttpRequest,
        _max_body: usize,
    ) -> Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        if !DRY_RUN_PRINTED.swap(true, Ordering::SeqCst) {
            let shown = dry_run_json(&request);
            let line = match self.0 {
                Format::Json => json!({"dry_run": true, "request": shown}).to_string(),
                Format::Text => dry_run_text(&shown),
            };
            crate::render::write_stdout(&line);
        }
        Box::pin(async { Err(TransportError::new(TransportKind::NotSent, NotSentDryRun)) })
    }
}

/// Header names whose values are shown by `--dry-run`; every other value (the
/// credentials, Laaffic's signature) is `[redacted]`.
const SHOWN_HEADERS: &[&str] = &["content-type", "accept", "user-agent"];

/// JSON fields whose values `--dry-run` never shows (a registration's password).
const SECRET_FIELDS: &[&str] = &[
    "password", "pwd", "secret", "token", "api_key", "key", "sign",
];

/// The longest string value shown by `--dry-run` (an upload's base64 is summarised).
const DRY_RUN_MAX_STRING: usize = 200;

/// A request as `--dry-run` shows it: method, URL, headers with credentials redacted, and
/// the body (JSON when it is JSON, secret fields redacted, long strings summarised).
fn dry_run_json(request: &HttpRequest) -> Value {
    let headers: serde_json::Map<String, Value> = request
        .headers
        .iter()
        .map(|(name, value)| {
            let shown = if SHOWN_HEADERS.contains(&name.as_str()) && !value.is_sensitive() {
                value.to_str().unwrap_or("[binary]").to_owned()
            } else {
                "[redacted]".to_owned()
            };
            (name.as_str().to_owned(), Value::String(shown))
        })
        .collect();
    let body = request
        .body
        .as_ref()
        .map(|bytes| match serde_json::from_slice::<Value>(bytes) {
            Ok(value) => scrub(value),
            Err(_) => Value::String(format!("[{} bytes, not JSON]", bytes.len())),
        });
    json!({
        "method": request.method.as_str(),
        "url": request.url.as_str(),
        "headers": headers,
        "body": body,
    })
}

/// `value` with secret fields redacted and long strings summarised.
fn scrub(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let secret = SECRET_FIELDS.contains(&k.to_ascii_lowercase().as_str());
                    let v = if secret {
                        Value::String("[redacted]".into())
                    } else {
                        scrub(v)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(scrub).collect()),
        Value::String(s) if s.chars().count() > DRY_RUN_MAX_STRING => {
            Value::String(format!("[{} characters]", s.chars().count()))
        }
        other => other,
    }
}

/// The text form of [`dry_run_json`]'s value.
fn dry_run_text(shown: &Value) -> String {
    let mut text = format!(
        "dry run: would send {} {}",
        shown["method"].as_str().unwrap_or("?"),
        shown["url"].as_str().unwrap_or("?")
    );
    if let Some(headers) = shown["headers"].as_object() {
        for (name, value) in headers {
            text.push_str(&format!("\n  {name}: {}", value.as_str().unwrap_or("")));
        }
    }
    match &shown["body"] {
        Value::Null => text.push_str("\n(no body)"),
        body => text.push_str(&format!("\n{body}")),
    }
    text.push_str("\nnothing was sent");
    text
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
    fn dry_run_redacts_credentials_and_secret_fields() {
        use voxkit_core::reqwest::header::{HeaderMap, HeaderValue};
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer SENTINEL"));
        headers.insert("sign", HeaderValue::from_static("SENTINEL"));
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let request = HttpRequest {
            method: voxkit_core::reqwest::Method::POST,
            url: "http://127.0.0.1:9/users".parse().unwrap(),
            headers,
            body: Some(
                serde_json::to_vec(
                    &json!({"name": "n", "password": "SENTINEL", "file": "x".repeat(300)}),
                )
                .unwrap()
                .into(),
            ),
        };
        let shown = dry_run_json(&request);
        let text = dry_run_text(&shown);
        assert!(!shown.to_string().contains("SENTINEL"), "{shown}");
        assert!(!text.contains("SENTINEL"), "{text}");
        assert_eq!(shown["headers"]["content-type"], "application/json");
        assert_eq!(shown["body"]["name"], "n");
        assert_eq!(shown["body"]["file"], "[300 characters]");
        assert!(
            text.starts_with("dry run: would send POST http://127.0.0.1:9/users"),
            "{text}"
        );
    }

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
