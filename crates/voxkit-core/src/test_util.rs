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

use crate::retry::RetryPolicy;

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
