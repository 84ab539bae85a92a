//! The MD5 request signature, the signer that puts it on every attempt, and the
//! clock-skew correction it asks core's attempt loop for.
//!
//! Every attempt is signed afresh: `Timestamp` is the current unix time in seconds (the
//! client's clock plus the offset learnt so far) and `Sign` the lowercase hex MD5 of
//! `api_key + api_secret + timestamp`. A `-16` answer (timestamp out of range) to a
//! repeatable call makes the signer learn the offset from the answer's `Date` and ask
//! core, through [`Auth::after_answer`], to sign again and send once more: inside core's
//! one attempt loop, at most once per call.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};

use std::time::{SystemTime, UNIX_EPOCH};
use voxkit_core::auth::Resign;

use md5::{Digest, Md5};
use serde::de::DeserializeOwned;
use voxkit_core::reqwest::header::{DATE, HeaderValue};
use voxkit_core::{
    Attempt, Auth, Clock, Error, ExposeSecret, HttpRequest, HttpResponse, KeyAndSecret, Operation,
    OperationSpec, Origin, SecretString, async_trait, sensitive_header,
};

use crate::Client;
use crate::status::Status;

/// `Sign` = lowercase hex MD5 of `api_key + api_secret + timestamp`, as documented
/// ("MD5-32-bit string (case-insensitive)"; the samples send lowercase).
///
/// ```
/// // The documentation's own vector:
/// assert_eq!(
///     voxkit_laaffic::signature("bDqJFiq9", "7bz1lzh9", 1630468800),
///     "05d7a50893e22a5c4bb3216ae3396c7c",
/// );
/// ```
pub fn signature(api_key: &str, api_secret: &str, timestamp: i64) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hasher = Md5::new();
    hasher.update(api_key.as_bytes());
    hasher.update(api_secret.as_bytes());
    // The decimal timestamp without a heap allocation.
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = timestamp.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if timestamp < 0 {
        hasher.update(b"-");
    }
    hasher.update(&digits[at..]);
    let mut hex = String::with_capacity(32);
    for byte in hasher.finalize() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    hex
}

/// The server-minus-local clock offset learnt from a `-16` answer, shared by clones.
/// `i64::MIN` stands for "none learnt yet" (no real offset is that large).
#[derive(Debug)]
pub(crate) struct Skew(AtomicI64);

impl Default for Skew {
    fn default() -> Self {
        Skew(AtomicI64::new(i64::MIN))
    }
}

impl Skew {
    pub(crate) fn get(&self) -> Option<i64> {
        Some(self.0.load(Ordering::Acquire)).filter(|&o| o != i64::MIN)
    }

    fn set(&self, offset: i64) {
        self.0.store(offset.max(i64::MIN + 1), Ordering::Release);
    }
}

/// Signs each attempt of a [`Client`] with a fresh timestamp (the local clock plus the
/// learnt offset): `Api-Key`, `Timestamp`, `Sign`. Built by the builder from checked
/// credentials; it holds the offset the client's clones share.
pub struct Signer {
    api_key: SecretString,
    /// `api_key` as a sensitive header value, checked and built once.
    api_key_header: HeaderValue,
    api_secret: SecretString,
    clock: Arc<dyn Clock>,
    pub(crate) skew: Arc<Skew>,
    /// Whether a `-16` answer may correct the offset ([`SkewCorrection`](voxkit_core::SkewCorrection)).
    correct_skew: bool,
}

impl Signer {
    /// A signer of these credentials (already trimmed and checked by the builder); refuses
    /// a key that cannot travel in a header, without echoing it.
    pub(crate) fn new(
        credentials: KeyAndSecret,
        origin: Origin,
        clock: &Arc<dyn Clock>,
        correct_skew: bool,
    ) -> Result<Signer, Error> {
        let api_key_header = sensitive_header(origin, "API key", credentials.key.expose_secret())?;
        Ok(Signer {
            api_key: credentials.key,
            api_key_header,
            api_secret: credentials.secret,
            clock: clock.clone(),
            skew: Arc::new(Skew::default()),
            correct_skew,
        })
    }

    fn timestamp(&self) -> i64 {
        unix_seconds(self.clock.now()) + self.skew.get().unwrap_or(0)
    }
}

fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

#[async_trait]
impl Auth for Signer {
    async fn authorize(&self, request: &mut HttpRequest, attempt: Attempt) -> Result<(), Error> {
        let origin = attempt.origin;
        let timestamp = self.timestamp();
        let sign = signature(
            self.api_key.expose_secret(),
            self.api_secret.expose_secret(),
            timestamp,
        );
        let headers = &mut request.headers;
        headers.insert("Api-Key", self.api_key_header.clone());
        headers.insert("Timestamp", HeaderValue::from(timestamp));
        headers.insert("Sign", sensitive_header(origin, "signature", &sign)?);
        Ok(())
    }

    fn redact(&self) -> Vec<&str> {
        vec![
            self.api_key.expose_secret(),
            self.api_secret.expose_secret(),
        ]
    }

    /// The clock-skew correction: a `-16` (timestamp refused) with a usable `Date` sets
    /// the offset to the server's time and asks for one re-signed attempt, unless the
    /// offset is already that one (then the clock is not the problem). Core only asks
    /// for repeatable operations, once per call.
    fn after_answer(&self, response: &HttpResponse, error: &Error, _: Attempt) -> Option<Resign> {
        if !self.correct_skew || Status::of(error) != Some(Status::TimestampOutOfRange) {
            return None;
        }
        let Some(date) = refused_timestamp_date(error, response) else {
            tracing::debug!("-16 without a usable Date header: no clock correction");
            return None;
        };
        let offset = unix_seconds(date) - unix_seconds(self.clock.now());
        if self.skew.get() == Some(offset) {
            return None;
        }
        tracing::debug!(
            offset,
            "timestamp refused; correcting the clock offset and signing again"
        );
        self.skew.set(offset);
        Some(Resign)
    }
}

/// The server's time (its `Date` header) of an answer that refused the timestamp (`-16`).
fn refused_timestamp_date(error: &Error, response: &HttpResponse) -> Option<SystemTime> {
    let refused = error
        .api_code()
        .is_some_and(|c| Status::from_code(c) == Status::TimestampOutOfRange);
    if !refused {
        return None;
    }
    response
        .headers
        .get(DATE)
        .and_then(voxkit_core::retry::parse_http_date)
}

/// The server's time of a `-16` answer (its `Date` header), kept for the skew
/// correction; any other answer leaves `server_date` unset.
pub(crate) fn learn_date<T>(
    result: Result<T, Error>,
    response: &HttpResponse,
    server_date: &OnceLock<SystemTime>,
) -> Result<T, Error> {
    if let Some(date) = result
        .as_ref()
        .err()
        .and_then(|e| refused_timestamp_date(e, response))
    {
        let _ = server_date.set(date);
    }
    result
}

impl Client {
    /// Runs `op` of `spec`, decoding its answer with `decode`. The clock-skew correction
    /// happens inside core's attempt loop ([`Signer`]'s `after_answer`).
    pub(crate) async fn send<T>(
        &self,
        spec: &'static OperationSpec,
        op: &Operation,
        decode: fn(&'static OperationSpec, &HttpResponse) -> Result<T, Error>,
    ) -> Result<T, Error>
    where
        T: DeserializeOwned,
    {
        self.core
            .execute(op, |response| decode(spec, response))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_sign_vector() {
        assert_eq!(
            signature("bDqJFiq9", "7bz1lzh9", 1_630_468_800),
            "05d7a50893e22a5c4bb3216ae3396c7c"
        );
    }

    #[test]
    fn signature_formats_any_timestamp_as_its_decimal_text() {
        for ts in [0, 7, 1_630_468_800, -5, i64::MIN, i64::MAX] {
            let mut hasher = Md5::new();
            hasher.update(format!("ks{ts}").as_bytes());
            let expected: String = hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(signature("k", "s", ts), expected, "{ts}");
        }
    }

    #[test]
    fn signer_uses_clock_and_offset() {
        let clock: Arc<dyn Clock> = Arc::new(voxkit_core::FixedClock(
            UNIX_EPOCH + std::time::Duration::from_secs(1_630_468_800),
        ));
        let signer = Signer::new(
            KeyAndSecret {
                key: "k".into(),
                secret: "s".into(),
            },
            Origin::new("laaffic", "test"),
            &clock,
            true,
        )
        .unwrap();
        assert_eq!(signer.timestamp(), 1_630_468_800);
        signer.skew.set(-30);
        assert_eq!(signer.timestamp(), 1_630_468_770);
    }
}
