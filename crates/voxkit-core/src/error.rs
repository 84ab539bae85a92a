//! The one error type of the whole workspace.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

/// Where an error happened: which provider and which operation.
///
/// Every [`Error`] carries one, and its `Display` starts with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The provider's short name, e.g. `"laaffic"`.
    pub provider: &'static str,
    /// The operation's name, e.g. `"balance"`, or `"configure"` for client set-up.
    pub operation: &'static str,
}

impl Origin {
    /// Creates an origin.
    pub const fn new(provider: &'static str, operation: &'static str) -> Self {
        Self {
            provider,
            operation,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.provider, self.operation)
    }
}

/// Why a transport-level failure happened. Each kind says by itself whether the request
/// may have reached the server ([`TransportKind::maybe_sent`]), so no combination of the
/// two can contradict itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection could be made (refused, DNS failure, TLS handshake failed).
    /// The request was certainly not sent.
    Connect,
    /// The connect timeout, the attempt timeout or the call's deadline ran out while the
    /// connection was being established (TCP connect or TLS handshake: dropped SYNs, a TLS
    /// port that never answers, `https://` to a plain-HTTP port). The request was never
    /// written, so this is told apart from a timeout after sending, which may have been
    /// applied.
    ConnectTimeout,
    /// The transport refused the request before writing anything (a URL it cannot send).
    /// The request was certainly not sent.
    NotSent,
    /// The connection was closed or reset before a complete response arrived. The
    /// request may have reached the server.
    Dropped,
    /// The response body was larger than the configured cap. The server read the request
    /// and answered it.
    BodyTooLarge,
    /// Any other I/O or protocol failure after the request started out. It may have
    /// reached the server.
    Other,
}

impl TransportKind {
    /// Whether a request that failed this way may have reached the server: `false` only
    /// when it provably never did ([`Connect`](Self::Connect),
    /// [`ConnectTimeout`](Self::ConnectTimeout), [`NotSent`](Self::NotSent)), which is
    /// what makes a retry of a money-moving request safe.
    pub const fn maybe_sent(self) -> bool {
        !matches!(
            self,
            TransportKind::Connect | TransportKind::ConnectTimeout | TransportKind::NotSent
        )
    }
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "could not connect",
            TransportKind::ConnectTimeout => {
                "timed out before a connection was established (never connected)"
            }
            TransportKind::NotSent => "the request could not be sent",
            TransportKind::Dropped => "connection dropped before a complete response",
            TransportKind::BodyTooLarge => "response body too large",
            TransportKind::Other => "transport failure",
        })
    }
}

type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Every error a voxkit client returns.
///
/// Match on the variant, or use the accessors: [`Error::is_retryable`],
/// [`Error::outcome_unknown`], [`Error::api_code`], [`Error::status`].
///
/// No variant ever holds a credential: body excerpts are shortened and scrubbed of the
/// client's secrets before they are stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The caller's input was refused before anything was sent.
    #[error("{origin}: invalid input: {message} (nothing was sent)")]
    InvalidInput {
        /// Where.
        origin: Origin,
        /// What is wrong with the input.
        message: Cow<'static, str>,
    },

    /// The client is misconfigured (bad base URL, plain `http://` to a remote host,
    /// missing credential, no TLS backend compiled in). Nothing was sent.
    #[error("{origin}: configuration error: {message}")]
    Config {
        /// Where.
        origin: Origin,
        /// What is wrong.
        message: Cow<'static, str>,
    },

    /// A network-level failure, with whether the request may have reached the server.
    #[error("{origin}: {kind}{}", if .kind.maybe_sent() { " (the request may have reached the server)" } else { " (the request was not sent)" })]
    Transport {
        /// Where.
        origin: Origin,
        /// What kind of failure, and with it whether the request may have reached the
        /// server ([`TransportKind::maybe_sent`]).
        kind: TransportKind,
        /// The underlying error.
        #[source]
        source: Option<Source>,
    },

    /// The attempt timeout or the overall deadline passed before an answer came.
    #[error("{origin}: timed out after {elapsed:?} ({attempts} attempt(s))")]
    Timeout {
        /// Where.
        origin: Origin,
        /// Time spent on the call.
        elapsed: Duration,
        /// Attempts made.
        attempts: u32,
    },

    /// A non-repeatable operation (one that moves money or creates something) may or may
    /// not have been applied: the request may have reached the server and no answer came
    /// back that proves it was refused (a dropped connection, a timeout after sending, a
    /// 5xx, 3xx or unknown status, a body that cannot be decoded, or the provider's own
    /// "system error" code). **Check the provider's state (history, balance) before trying
    /// again.**
    #[error(
        "{origin}: outcome unknown, the request may have been applied ({}); check before retrying",
        without_origin(cause)
    )]
    OutcomeUnknown {
        /// Where.
        origin: Origin,
        /// What happened: a transport failure, a timeout, the status, or the provider's
        /// error (an [`Error::Api`] when the answer was the provider's own envelope).
        #[source]
        cause: Box<Error>,
    },

    /// The server answered with an unexpected HTTP status.
    #[error("{origin}: HTTP {status}: {excerpt}")]
    Status {
        /// Where.
        origin: Origin,
        /// The HTTP status.
        status: StatusCode,
        /// A short, scrubbed excerpt of the body.
        excerpt: String,
        /// The `Retry-After` the server asked for, if any.
        retry_after: Option<Duration>,
    },

    /// The provider answered with an error in its own envelope.
    #[error("{origin}: provider error {}: {message}", .code.as_deref().unwrap_or("(no code)"))]
    Api {
        /// Where.
        origin: Origin,
        /// The provider's error code as sent (e.g. `"-16"`, `"10004"`), if any.
        code: Option<String>,
        /// The provider's message.
        message: String,
        /// The HTTP status the answer came with (`Some(200)` for the providers that send
        /// their errors with 200), set by the client from the answer it decoded; `None`
        /// when the error was decoded from bytes alone. Kept here so that a caller (the
        /// CLI's `http_status`) reports the status that was sent instead of guessing it.
        http_status: Option<u16>,
    },

    /// The response could not be decoded.
    #[error("{origin}: could not decode the response: {message}; body starts: {excerpt}")]
    Decode {
        /// Where.
        origin: Origin,
        /// What went wrong.
        message: String,
        /// A short, scrubbed excerpt of the body.
        excerpt: String,
    },
}

impl Error {
    /// Builds an [`Error::InvalidInput`].
    pub fn invalid_input(origin: Origin, message: impl Into<Cow<'static, str>>) -> Self {
        Error::InvalidInput {
            origin,
            message: message.into(),
        }
    }

    /// Builds an [`Error::Config`].
    pub fn config(origin: Origin, message: impl Into<Cow<'static, str>>) -> Self {
        Error::Config {
            origin,
            message: message.into(),
        }
    }

    /// Builds an [`Error::Api`].
    pub fn api(origin: Origin, code: Option<String>, message: impl Into<String>) -> Self {
        Error::Api {
            origin,
            code,
            message: message.into(),
            http_status: None,
        }
    }

    /// This error with the HTTP status of the answer it was decoded from: sets an
    /// [`Error::Api`]'s `http_status` when it has none (the client calls it with every
    /// answer it decodes, since the decoders see only the body); other errors unchanged.
    #[must_use]
    pub fn with_http_status(mut self, status: u16) -> Self {
        if let Error::Api { http_status, .. } = &mut self {
            http_status.get_or_insert(status);
        }
        self
    }

    /// Where the error happened.
    pub fn origin(&self) -> Origin {
        match self {
            Error::InvalidInput { origin, .. }
            | Error::Config { origin, .. }
            | Error::Transport { origin, .. }
            | Error::Timeout { origin, .. }
            | Error::OutcomeUnknown { origin, .. }
            | Error::Status { origin, .. }
            | Error::Api { origin, .. }
            | Error::Decode { origin, .. } => *origin,
        }
    }

    /// Whether calling again later could succeed *and is safe*: transient transport
    /// failures, timeouts, 408/429/5xx. Never true for [`Error::OutcomeUnknown`] (check
    /// first), invalid input, configuration, provider API errors or decode errors.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { kind, .. } => {
                matches!(
                    kind,
                    TransportKind::Connect | TransportKind::ConnectTimeout | TransportKind::Dropped
                )
            }
            Error::Timeout { .. } => true,
            Error::Status { status, .. } => retryable_status(*status),
            _ => false,
        }
    }

    /// Whether the operation may or may not have been applied (see [`Error::OutcomeUnknown`]).
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown { .. })
    }

    /// The provider's error code, for [`Error::Api`].
    pub fn api_code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, for [`Error::Status`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The HTTP status the answer came with: an [`Error::Status`]'s, an [`Error::Api`]'s
    /// (when known), or that of an [`Error::OutcomeUnknown`]'s cause. `None` when no answer
    /// came (or its status is not known).
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(status.as_u16()),
            Error::Api { http_status, .. } => *http_status,
            Error::OutcomeUnknown { cause, .. } => cause.http_status(),
            _ => None,
        }
    }

    /// Whether the request certainly never reached the server (so nothing was applied).
    pub fn nothing_sent(&self) -> bool {
        match self {
            Error::InvalidInput { .. } | Error::Config { .. } => true,
            Error::Transport { kind, .. } => !kind.maybe_sent(),
            _ => false,
        }
    }
}

/// The statuses that mean "try again later": 408, 429 and every 5xx.
pub(crate) fn retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

/// An error's message without its leading `provider operation: `, for nesting.
fn without_origin(error: &Error) -> String {
    let text = error.to_string();
    let prefix = format!("{}: ", error.origin());
    text.strip_prefix(&prefix)
        .map(str::to_owned)
        .unwrap_or(text)
}

/// The longest excerpt of a body kept in an error, in characters.
pub const EXCERPT_CHARS: usize = 200;

/// Makes a short, printable excerpt of a body for an error message: at most
/// [`EXCERPT_CHARS`] characters, control characters replaced by a space, invisible
/// formatting characters ([`crate::redact::is_invisible`]: bidi overrides, zero-width
/// characters) removed, and every form of each `secret` (verbatim, JSON-escaped,
/// percent-encoded, HTML entities: see [`crate::redact`]) replaced by `[redacted]`.
pub fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    use crate::redact::{Piece, REDACTED, excerpt_pieces, is_invisible};
    // A match reads as far into the body as it needs: a secret at the edge is found whole.
    let mut out = String::with_capacity(EXCERPT_CHARS.min(body.len()) + 3);
    let mut kept = 0;
    let mut truncated = false;
    let mut buf = [0u8; 4];
    for (n, piece) in excerpt_pieces(body, secrets).enumerate() {
        // Bounded work however many invisible characters a body holds.
        if n >= EXCERPT_CHARS * 16 {
            truncated = true;
            break;
        }
        let text: &str = match piece {
            Piece::Redacted => REDACTED,
            Piece::Char(c) if is_invisible(c) => continue,
            Piece::Char(c) if c.is_control() => " ",
            Piece::Char(c) => c.encode_utf8(&mut buf),
        };
        let chars = text.chars().count();
        if kept + chars > EXCERPT_CHARS {
            truncated = true;
            break;
        }
        out.push_str(text);
        kept += chars;
    }
    if truncated {
        out.push('…');
    }
    let trimmed = out.trim();
    if trimmed.is_empty() {
        "(empty body)".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: Origin = Origin::new("test", "op");

    #[test]
    fn display_names_provider_and_operation() {
        let e = Error::api(O, Some("-16".into()), "timestamp expired");
        assert_eq!(
            e.to_string(),
            "test op: provider error -16: timestamp expired"
        );
        let e = Error::invalid_input(O, "amount must be positive");
        assert!(e.to_string().starts_with("test op: invalid input"));
        assert!(e.to_string().contains("nothing was sent"));
        let e = Error::Transport {
            origin: O,
            kind: TransportKind::Dropped,
            source: None,
        };
        assert!(e.to_string().contains("may have reached the server"));
        let e = Error::OutcomeUnknown {
            origin: O,
            cause: Box::new(e),
        };
        assert!(e.to_string().starts_with("test op: outcome unknown"));
    }

    #[test]
    fn accessors() {
        let e = Error::api(O, Some("10004".into()), "no billing permission");
        assert_eq!(e.api_code(), Some("10004"));
        assert!(!e.is_retryable());
        let e = Error::Status {
            origin: O,
            status: StatusCode::SERVICE_UNAVAILABLE,
            excerpt: String::new(),
            retry_after: None,
        };
        assert_eq!(e.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert!(e.is_retryable());
        let e = Error::Status {
            origin: O,
            status: StatusCode::NOT_FOUND,
            excerpt: String::new(),
            retry_after: None,
        };
        assert!(!e.is_retryable());
        let dropped = Error::Transport {
            origin: O,
            kind: TransportKind::Dropped,
            source: None,
        };
        let unknown = Error::OutcomeUnknown {
            origin: O,
            cause: Box::new(dropped),
        };
        assert!(unknown.outcome_unknown());
        assert!(!unknown.is_retryable());
        assert!(!unknown.nothing_sent());
        assert!(Error::invalid_input(O, "x").nothing_sent());
    }

    #[test]
    fn excerpt_is_short_printable_and_scrubbed() {
        let body = format!(
            "<html>\r\n<b>key=SENTINEL-KEY</b>{}</html>",
            "x".repeat(1000)
        );
        let e = excerpt(body.as_bytes(), &["SENTINEL-KEY"]);
        assert!(!e.contains("SENTINEL-KEY"));
        assert!(e.contains("[redacted]"));
        assert!(!e.contains('\r') && !e.contains('\n'));
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt(b"", &[]), "(empty body)");
        assert_eq!(excerpt(&[0xff, b'a'], &[]), "\u{fffd}a");
    }

    #[test]
    fn excerpt_redacts_escaped_forms_and_drops_bidi_characters() {
        let secret = "SENTINEL/K+ey=é";
        let body = "{\"message\":\"key \\u0053ENTINEL\\/K+ey=\\u00e9 \u{202E}gnp.exe\u{200B}\",\
                    \"x\":\"SENTINEL%2FK%2Bey%3D%C3%A9\"}";
        let e = excerpt(body.as_bytes(), &[secret]);
        assert_eq!(
            e,
            "{\"message\":\"key [redacted] gnp.exe\",\"x\":\"[redacted]\"}"
        );
        // A secret cut by the excerpt's end is never shown in part.
        for cut in 185..EXCERPT_CHARS + 2 {
            let body = format!("{}\\u0053ENTINEL\\/K+ey=\\u00e9 tail", "x".repeat(cut));
            let e = excerpt(body.as_bytes(), &[secret]);
            assert!(
                !e.contains("SENTINEL") && !e.contains("u0053"),
                "{cut}: {e}"
            );
            assert!(e.chars().count() <= EXCERPT_CHARS + 1, "{cut}: {e}");
        }
    }

    #[test]
    fn an_api_error_carries_the_status_it_came_with() {
        let api = Error::api(O, Some("401".into()), "Unauthenticated.");
        assert_eq!(api.http_status(), None, "not guessed from the code");
        let api = api.with_http_status(401);
        assert_eq!(api.http_status(), Some(401));
        // The first status recorded stays; other errors are unchanged.
        assert_eq!(api.with_http_status(500).http_status(), Some(401));
        let unknown = Error::OutcomeUnknown {
            origin: O,
            cause: Box::new(Error::api(O, None, "x").with_http_status(502)),
        };
        assert_eq!(unknown.http_status(), Some(502));
        let timeout = Error::Timeout {
            origin: O,
            elapsed: Duration::from_secs(1),
            attempts: 1,
        };
        assert_eq!(timeout.with_http_status(200).http_status(), None);
    }
}
