//! Test helpers every crate's tests copied (feature `test-util`): a fast retry policy,
//! a capture of everything traced, and a fake environment for `from_lookup`.
//!
//! # Why
//!
//! The same fast retry policy was written into ten test files, the same capturing
//! `tracing` writer into four, the same fake environment into three; when one copy was
//! changed (a shorter `max_retry_after`), the suites silently tested different things.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::reconcile::ReconcileWait;
use crate::retry::RetryPolicy;
use crate::{Error, TransportKind};

/// TLS fixtures: a test CA, and a certificate it issued for `localhost` and 127.0.0.1
/// (valid 2000 to 2099) with its key. For tests only: the key protects nothing. One copy
/// (in `fixtures/tls/`) for the facade's TLS tests and the throw-away PostgreSQL cluster
/// that `cargo xtask` starts with TLS on for the journal's tests.
pub mod tls {
    /// The test CA's certificate (PEM).
    pub const CA: &str = include_str!("../fixtures/tls/ca.pem");
    /// The certificate for `localhost` and 127.0.0.1 the CA issued (PEM).
    pub const LOCALHOST: &str = include_str!("../fixtures/tls/localhost.pem");
    /// [`LOCALHOST`]'s private key (PKCS #8 PEM).
    pub const LOCALHOST_KEY: &str = include_str!("../fixtures/tls/localhost.key");
}

/// The retry policy of tests that run on the real clock: the default three attempts,
/// backoff from 1 ms to at most 5 ms, `Retry-After` honoured up to 1 s. Change one field
/// with struct update syntax (`RetryPolicy { max_attempts: 1, ..fast_retries() }`).
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_retry_after: Duration::from_secs(1),
    }
}

/// The reconciliation wait of tests against the sandbox, whose records are up to date at
/// once: 4 looks from 2 ms to at most 10 ms, 2 `NotApplied` looks before a re-send. The
/// declarations' `exactly_once` test hooks use it, so the exactly-once suite takes
/// milliseconds per case rather than the default's seconds.
pub const FAST_RECONCILE: ReconcileWait = ReconcileWait {
    tries: 4,
    first_backoff: Duration::from_millis(2),
    max_backoff: Duration::from_millis(10),
    not_applied_looks: 2,
};

/// Everything written by a `tracing` subscriber, kept in memory.
#[derive(Clone, Default, Debug)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// What was written so far, as text (lossy).
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

/// Captures everything traced at TRACE level on this thread (spans' close events
/// included, no colours) until the guard is dropped. For a multi-threaded runtime, run
/// the test on a current-thread runtime (`#[tokio::test]`'s default).
pub fn capture_traces() -> (Capture, tracing::subscriber::DefaultGuard) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (capture, guard)
}

/// A fake environment holding exactly `pairs`, for
/// [`Builder::from_lookup`](crate::Builder::from_lookup): tests never set process
/// variables (which would race with other tests).
pub fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

/// Asserts that `err` is a transport failure of exactly this kind. The kind is what the
/// money-safety rules read ("never connected" may be re-sent, "dropped" may not), so the
/// suites pin it; one helper instead of the same ten-line `matches!` in every file.
#[track_caller]
pub fn assert_transport(err: &Error, want: TransportKind) {
    assert!(
        matches!(err, Error::Transport { kind, .. } if *kind == want),
        "expected a {want:?} transport error, got {err:?}"
    );
}

/// The clean failure every decoder property asks of an [`Error::Decode`]: a message, and
/// an excerpt that is short (at most [`EXCERPT_CHARS`](crate::error::EXCERPT_CHARS) and
/// its ellipsis) and printable. Any other error passes: what the provider's own errors
/// must carry differs per provider, so the caller checks those. One copy, so that the
/// three providers' properties cannot drift apart.
pub fn check_decode_error(error: &Error) -> Result<(), proptest::test_runner::TestCaseError> {
    if let Error::Decode {
        message, excerpt, ..
    } = error
    {
        proptest::prop_assert!(!message.is_empty());
        proptest::prop_assert!(
            excerpt.chars().count() <= crate::error::EXCERPT_CHARS + 1,
            "{excerpt}"
        );
        proptest::prop_assert!(!excerpt.chars().any(char::is_control), "{excerpt:?}");
    }
    Ok(())
}

/// What a provider's decoder properties accept of a decoder's result: `Ok`, or an error
/// that is clean, i.e. shown starting with the provider's name, without the secret the
/// test hooks scrub, and either an [`Error::Decode`] passing [`check_decode_error`] or the
/// provider's own [`Error::Api`] with a code that `api_code` accepts. Any other error
/// fails. One copy, so that the three providers' properties cannot drift apart; each
/// states only its name, its secret and what its error codes are.
#[derive(Debug, Clone, Copy)]
pub struct DecoderCheck {
    /// The provider's name ([`Origin::provider`](crate::Origin)), which every error's text
    /// starts with.
    pub provider: &'static str,
    /// The secret that must never appear in an error, shown or debugged (`None`: the
    /// provider's test hooks scrub none).
    pub secret: Option<&'static str>,
    /// Whether an [`Error::Api`]'s code is one the provider sends for an error (a success
    /// code there is a decoder that read an error into a success).
    pub api_code: fn(Option<&str>) -> bool,
}

impl DecoderCheck {
    /// Holds one decoder's `result` (of the operation named `operation`, for the failure
    /// message) to the rules above.
    pub fn result<T>(
        &self,
        operation: &str,
        result: &Result<T, Error>,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let Err(error) = result else {
            return Ok(());
        };
        let shown = format!("{error} {error:?}");
        proptest::prop_assert!(shown.starts_with(self.provider), "{operation}: {shown}");
        if let Some(secret) = self.secret {
            proptest::prop_assert!(
                !shown.contains(secret),
                "{operation}: the secret leaked: {shown}"
            );
        }
        match error {
            Error::Decode { .. } => check_decode_error(error)?,
            Error::Api { code, .. } => {
                proptest::prop_assert!((self.api_code)(code.as_deref()), "{error:?}");
            }
            other => proptest::prop_assert!(false, "{operation}: not a decoder error: {other:?}"),
        }
        Ok(())
    }

    /// Every operation's decoder of `hooks` on one body (status 200), each result held to
    /// [`DecoderCheck::result`]: the `$decode_all` of [`decoder_properties!`](crate::decoder_properties).
    pub fn every<C>(
        &self,
        hooks: &[crate::TestHooks<C>],
        body: &[u8],
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        for hooks in hooks {
            self.result(hooks.spec.name, &hooks.decode_body(200, body))?;
        }
        Ok(())
    }
}

/// Sends every operation's documented example ([`TestHooks::example`](crate::TestHooks))
/// through `client`, in declaration order, and panics naming the operation whose example
/// failed: the first half of each provider's "every declared example sends its
/// declaration" test, whose second half compares what the server received with the
/// declarations.
pub async fn send_every_example<C>(client: &C, hooks: &[crate::TestHooks<C>]) {
    for hooks in hooks {
        if let Err(e) = (hooks.example)(client).await {
            panic!("{}: {e:?}", hooks.spec.name);
        }
    }
}

/// The three decoder properties of a provider whose operations all decode one body
/// (`$decode_all: fn(&[u8]) -> Result<(), TestCaseError>`), as three `#[test]`s:
/// arbitrary bytes, JSON mutations of `$examples` with `$tricky` strings, and byte edits
/// of `$examples`, each decoded or refused cleanly, never a panic. Written out per
/// provider before, word for word; the caller's crate needs `proptest` (a dev-dependency).
#[macro_export]
macro_rules! decoder_properties {
    ($decode_all:path, $examples:expr, $tricky:expr) => {
        ::proptest::proptest! {
            #![proptest_config($crate::mutation::config())]

            #[test]
            fn arbitrary_bytes_decode_or_fail_cleanly(
                body in ::proptest::collection::vec(::proptest::arbitrary::any::<u8>(), 0..600),
            ) {
                $decode_all(&body)?;
            }

            #[test]
            fn mutated_doc_examples_decode_or_fail_cleanly(
                mut doc in $crate::mutation::example($examples),
                edits in $crate::mutation::edits($tricky),
            ) {
                for (at, edit) in edits {
                    $crate::mutation::apply(&mut doc, at, edit);
                }
                $decode_all(&::serde_json::to_vec(&doc).expect("serializable"))?;
            }

            #[test]
            fn byte_edited_doc_examples_decode_or_fail_cleanly(
                doc in ::proptest::sample::select($examples),
                edits in $crate::mutation::byte_edits(),
            ) {
                let mut bytes = doc.as_bytes().to_vec();
                for edit in edits {
                    $crate::mutation::apply_bytes(&mut bytes, edit);
                }
                $decode_all(&bytes)?;
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        let policy = fast_retries();
        assert_eq!(policy.max_attempts, 3);
        assert!(policy.max_delay <= Duration::from_millis(5));
        let lookup = env(&[("A", "1")]);
        assert_eq!(lookup("A").as_deref(), Some("1"));
        assert_eq!(lookup("B"), None);
        let (capture, guard) = capture_traces();
        tracing::debug!(answer = 42, "traced");
        drop(guard);
        tracing::debug!("not captured");
        let text = capture.text();
        assert!(
            text.contains("traced") && text.contains("answer=42"),
            "{text}"
        );
        assert!(!text.contains("not captured"), "{text}");
    }
}
