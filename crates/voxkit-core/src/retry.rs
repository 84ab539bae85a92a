//! The retry policy and the retry decision, a pure function.
//!
//! The decision is taken from three facts: the attempt's [`Error`] itself (each failed
//! attempt is one error, recorded once), whether the operation is
//! [repeatable](Idempotency), and how much budget (attempts, deadline) is left.
//!
//! | failure                                   | repeatable      | not repeatable          |
//! |-------------------------------------------|-----------------|-------------------------|
//! | connect failed (refused, DNS, TLS)        | retry           | retry (nothing was sent)|
//! | connect or TLS handshake timed out        | retry           | retry (nothing was sent)|
//! | refused by the transport before sending   | retry           | retry (nothing was sent)|
//! | connection dropped, I/O error             | retry           | stop: outcome unknown   |
//! | attempt timed out                         | retry           | stop: outcome unknown   |
//! | body larger than the cap                  | stop            | stop: outcome unknown   |
//! | HTTP 408, 429                             | retry           | stop: the server refused|
//! | HTTP 503                                  | retry           | stop: outcome unknown   |
//! | HTTP 500, 502, 504 and other 5xx          | retry           | stop: outcome unknown   |
//! | other 4xx                                 | stop            | stop: the server refused|
//! | 1xx, 3xx, and codes outside 100-599 (999) | stop            | stop: outcome unknown   |
//! | the provider's error, a decode error      | stop            | stop                    |
//! | an outcome already unknown                | stop            | stop: outcome unknown   |
//!
//! Only a 4xx proves that a non-repeatable request was not applied: the server (or a
//! proxy in front of it that never forwarded it) judged the request itself. A 503 does
//! not: a proxy answers 503 when the upstream connection failed *after* it forwarded the
//! request (Envoy on an upstream reset, HAProxy likewise), so for a request that moves
//! money it is as ambiguous as a 502. voxkit never follows redirects, and a 3xx after a
//! `POST` conventionally means the request was processed (303 See Other), so a 3xx, a
//! 1xx leftover or a status no standard defines is not a refusal either.
//!
//! A server's `Retry-After` is honoured up to [`RetryPolicy::max_retry_after`]; a longer
//! one stops the retries (the error carries the value) rather than sleeping for it.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;

use crate::error::{Error, TransportKind, retryable_status};
use crate::operation::Idempotency;

/// How often and how patiently a call is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 3). `1` disables retries.
    pub max_attempts: u32,
    /// The backoff before the second attempt, doubled each time before jitter (default 100 ms).
    pub base_delay: Duration,
    /// The largest backoff before jitter (default 5 s).
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured (default 30 s); a longer one ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Full-jitter exponential backoff: a uniformly random delay in
    /// `[0, min(max_delay, base_delay * 2^(attempt-1))]`, where `attempt` is the number of
    /// attempts made so far (1 after the first) and `unit` is a random number in `[0, 1)`.
    pub fn backoff(&self, attempt: u32, unit: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        let ceiling = self
            .base_delay
            .checked_mul(1u32 << exp)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// The retry decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Stop and report the failure. `outcome_unknown` is set when a non-repeatable
    /// request may have been applied.
    Stop {
        /// Whether the caller must be told the outcome is unknown.
        outcome_unknown: bool,
    },
}

/// What a failed attempt means for an operation of the given idempotency, budget aside:
/// `Ok(retry_after)` when another attempt is allowed, `Err(outcome_unknown)` otherwise.
fn verdict(error: &Error, idempotency: Idempotency) -> Result<Option<Duration>, bool> {
    let repeatable = idempotency.is_repeatable();
    match error {
        // Never retried (the next answer would be as large). The server read the request
        // and answered it, so a non-repeatable request may have been applied.
        Error::Transport {
            kind: TransportKind::BodyTooLarge,
            ..
        } => Err(!repeatable),
        Error::Transport { kind, .. } if !kind.maybe_sent() => Ok(None),
        Error::Transport { .. } | Error::Timeout { .. } => {
            if repeatable {
                Ok(None)
            } else {
                Err(true)
            }
        }
        &Error::Status {
            status,
            retry_after,
            ..
        } => {
            if repeatable {
                return if retryable_status(status) {
                    Ok(retry_after)
                } else {
                    Err(false)
                };
            }
            // Only a 4xx is the server judging the request itself: refused, not applied.
            // Everything else (5xx, 503 included; 3xx; 1xx; unknown codes) may follow a
            // request that was applied: see the module documentation.
            Err(!status.is_client_error())
        }
        // Already decided: an unknown outcome stays one.
        Error::OutcomeUnknown { .. } => Err(true),
        // Nothing was sent, or the answer was the provider's own, understood verdict:
        // repeating the same request would get the same answer.
        Error::InvalidInput { .. }
        | Error::Config { .. }
        | Error::Api { .. }
        | Error::Decode { .. } => Err(false),
    }
}

/// Decides what to do after attempt number `attempt` (1-based) failed with `error`.
///
/// `remaining` is the time left before the overall deadline (`None`: no deadline) and
/// `unit` a random number in `[0, 1)` for the jitter. Pure: same input, same answer.
pub fn decide(
    policy: &RetryPolicy,
    idempotency: Idempotency,
    error: &Error,
    attempt: u32,
    remaining: Option<Duration>,
    unit: f64,
) -> Decision {
    let retry_after = match verdict(error, idempotency) {
        Ok(retry_after) => retry_after,
        Err(outcome_unknown) => return Decision::Stop { outcome_unknown },
    };
    // From here on, another attempt would be safe; only the budget can refuse it.
    let stop = Decision::Stop {
        outcome_unknown: false,
    };
    if attempt >= policy.max_attempts {
        return stop;
    }
    let backoff = policy.backoff(attempt, unit);
    let delay = match retry_after {
        Some(asked) if asked > policy.max_retry_after => return stop,
        Some(asked) => asked.max(backoff),
        None => backoff,
    };
    match remaining {
        Some(left) if delay >= left => stop,
        _ => Decision::RetryAfter(delay),
    }
}

/// Parses a `Retry-After` header: delay-seconds, or an HTTP-date relative to `now`
/// (a date in the past means "now"). Anything else is `None`.
pub fn parse_retry_after(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an HTTP `Date` header into a time.
pub fn parse_http_date(value: &HeaderValue) -> Option<SystemTime> {
    httpdate::parse_http_date(value.to_str().ok()?.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Origin;
    use Idempotency::{NotRepeatable as N, Repeatable as R};
    use reqwest::StatusCode;

    const O: Origin = Origin::new("test", "op");

    fn transport(kind: TransportKind) -> Error {
        Error::Transport {
            origin: O,
            kind,
            source: None,
        }
    }
    fn status(code: u16, retry_after: Option<Duration>) -> Error {
        Error::Status {
            origin: O,
            status: StatusCode::from_u16(code).expect("status"),
            excerpt: String::new(),
            retry_after,
        }
    }
    fn timeout() -> Error {
        Error::Timeout {
            origin: O,
            elapsed: Duration::from_secs(30),
            attempts: 1,
        }
    }
    const RETRY: Option<bool> = None;
    const STOP: Option<bool> = Some(false);
    const UNKNOWN: Option<bool> = Some(true);

    fn outcome(d: Decision) -> Option<bool> {
        match d {
            Decision::RetryAfter(_) => None,
            Decision::Stop { outcome_unknown } => Some(outcome_unknown),
        }
    }

    #[test]
    fn decision_table() {
        let secs = Duration::from_secs;
        #[rustfmt::skip]
        let table: &[(Error, Idempotency, Option<bool>)] = &[
            (transport(TransportKind::Connect), R, RETRY),
            (transport(TransportKind::Connect), N, RETRY),
            (transport(TransportKind::Dropped), R, RETRY),
            (transport(TransportKind::Dropped), N, UNKNOWN),
            (transport(TransportKind::Other), R, RETRY),
            (transport(TransportKind::Other), N, UNKNOWN),
            (transport(TransportKind::BodyTooLarge), R, STOP),
            // The server read the request and answered: a non-repeatable request may have been
            // applied, and the answer that would say so was not read.
            (transport(TransportKind::BodyTooLarge), N, UNKNOWN),
            (timeout(), R, RETRY),
            (timeout(), N, UNKNOWN),
            (status(408, None), R, RETRY),
            (status(408, None), N, STOP),
            (status(429, Some(secs(1))), R, RETRY),
            (status(429, None), N, STOP),
            (status(503, Some(secs(2))), R, RETRY),
            // A proxy answers 503 after forwarding too (Envoy on an upstream reset).
            (status(503, None), N, UNKNOWN),
            (status(503, Some(secs(2))), N, UNKNOWN),
            (status(500, None), R, RETRY),
            (status(500, None), N, UNKNOWN),
            (status(502, None), R, RETRY),
            (status(502, None), N, UNKNOWN),
            (status(504, None), N, UNKNOWN),
            (status(400, None), R, STOP),
            (status(401, None), R, STOP),
            (status(404, None), N, STOP),
            (status(400, None), N, STOP),
            (status(409, None), N, STOP),
            (status(422, None), N, STOP),
            (status(451, None), N, STOP),
            // No redirect is followed; a 303 after a POST conventionally means applied.
            (status(301, None), R, STOP),
            (status(302, None), N, UNKNOWN),
            (status(303, None), R, STOP),
            (status(303, None), N, UNKNOWN),
            (status(304, None), N, UNKNOWN),
            (status(307, None), N, UNKNOWN),
            (status(308, None), N, UNKNOWN),
            // Leftover informational answers and codes no standard defines.
            (status(100, None), N, UNKNOWN),
            (status(101, None), R, STOP),
            (status(599, None), N, UNKNOWN),
            (status(600, None), N, UNKNOWN),
            (status(999, None), R, STOP),
            (status(999, None), N, UNKNOWN),
            (transport(TransportKind::ConnectTimeout), R, RETRY),
            (transport(TransportKind::ConnectTimeout), N, RETRY),
            (transport(TransportKind::NotSent), N, RETRY),
            (Error::api(O, Some("-16".into()), "refused"), R, STOP),
            (Error::api(O, None, "refused"), N, STOP),
            (Error::OutcomeUnknown { origin: O, cause: Box::new(timeout()) }, R, UNKNOWN),
            (status(429, Some(secs(3600))), R, STOP), // longer than max_retry_after
        ];
        let policy = RetryPolicy::default();
        for (i, (failure, idem, want)) in table.iter().enumerate() {
            let got = outcome(decide(&policy, *idem, failure, 1, None, 0.5));
            assert_eq!(got, *want, "row {i}: {failure:?} {idem:?}");
        }
    }

    #[test]
    fn budget_limits_retries() {
        let policy = RetryPolicy::default();
        let f = timeout();
        // The last allowed attempt failed: stop, and the outcome is known (repeatable).
        assert_eq!(
            decide(&policy, R, &f, 3, None, 0.5),
            Decision::Stop {
                outcome_unknown: false
            }
        );
        // Not enough time left before the deadline for the backoff.
        assert_eq!(
            outcome(decide(
                &policy,
                R,
                &f,
                1,
                Some(Duration::from_millis(10)),
                1.0
            )),
            STOP
        );
        // A connect failure on a non-repeatable call stops with a known outcome.
        assert_eq!(
            outcome(decide(
                &policy,
                N,
                &transport(TransportKind::Connect),
                3,
                None,
                0.0
            )),
            STOP
        );
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let policy = RetryPolicy::default();
        let f = status(429, Some(Duration::from_secs(7)));
        assert_eq!(
            decide(&policy, R, &f, 1, None, 0.0),
            Decision::RetryAfter(Duration::from_secs(7))
        );
        // Not within the deadline: stop instead of sleeping past it.
        assert_eq!(
            outcome(decide(&policy, R, &f, 1, Some(Duration::from_secs(5)), 0.0)),
            STOP
        );
        let f = status(503, Some(Duration::from_secs(31)));
        assert_eq!(outcome(decide(&policy, R, &f, 1, None, 0.0)), STOP);
    }

    #[test]
    fn backoff_is_full_jitter_exponential_and_capped() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(p.backoff(2, 1.0), Duration::from_millis(200));
        assert_eq!(p.backoff(3, 0.5), Duration::from_millis(200));
        assert_eq!(p.backoff(5, 1.0), Duration::from_secs(1));
        assert_eq!(p.backoff(40, 1.0), Duration::from_secs(1));
        assert_eq!(p.backoff(2, 0.0), Duration::ZERO);
    }

    #[test]
    fn retry_after_parsing() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_630_468_800);
        let v = |s: &'static str| HeaderValue::from_static(s);
        assert_eq!(
            parse_retry_after(&v("5"), now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(parse_retry_after(&v(" 0 "), now), Some(Duration::ZERO));
        // 2021-09-01T04:00:00Z is the timestamp above; ten seconds later:
        assert_eq!(
            parse_retry_after(&v("Wed, 01 Sep 2021 04:00:10 GMT"), now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after(&v("Wed, 01 Sep 2021 03:00:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(&v("-1"), now), None);
        assert_eq!(parse_retry_after(&v("soon"), now), None);
        assert_eq!(
            parse_http_date(&v("Wed, 01 Sep 2021 04:00:00 GMT")),
            Some(now)
        );
    }
}
