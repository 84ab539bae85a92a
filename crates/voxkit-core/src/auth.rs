//! Credentials: the auth trait, the secret type and the clock signers read.

use std::fmt;
use std::time::SystemTime;

use async_trait::async_trait;
use reqwest::header::{HeaderName, HeaderValue};
pub use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Origin};
use crate::transport::{HttpRequest, HttpResponse};

/// What a signer knows about the attempt it signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// Provider and operation.
    pub origin: Origin,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub number: u32,
}

/// Puts credentials on a request. Called once for **every attempt**, so signatures that
/// embed a timestamp are fresh on each retry.
///
/// Implementations mark every header value that carries a secret as sensitive
/// ([`sensitive_header`]) and never log credentials.
#[async_trait]
pub trait Auth: Send + Sync + 'static {
    /// Adds the credentials to `request`.
    async fn authorize(&self, request: &mut HttpRequest, attempt: Attempt) -> Result<(), Error>;

    /// Values that must never appear in an error's body excerpt (a server that echoes a key
    /// back in an error page must not leak it into logs). Default: none.
    fn redact(&self) -> Vec<&str> {
        Vec::new()
    }

    /// Called when an attempt of a repeatable operation was answered and the call is about
    /// to end with `error` (the provider's error decoded from `response`, or its status):
    /// the signer's chance to recognise a refusal of its own credentials that it can
    /// correct — a timestamp refused for clock skew, with the server's `Date` in
    /// `response` — and to ask for one more attempt, signed afresh by
    /// [`Auth::authorize`]. Core grants it at most once per call, inside its one attempt
    /// loop (not counted against the retry policy's attempts, still within the deadline),
    /// and never for a non-repeatable operation. Default: `None`, the error stands.
    fn after_answer(
        &self,
        response: &HttpResponse,
        error: &Error,
        attempt: Attempt,
    ) -> Option<Resign> {
        let _ = (response, error, attempt);
        None
    }
}

/// [`Auth::after_answer`]'s request: sign the request again (the signer corrected what
/// made the server refuse it) and send it once more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resign;

/// No credentials at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAuth;

#[async_trait]
impl Auth for NoAuth {
    async fn authorize(&self, _: &mut HttpRequest, _: Attempt) -> Result<(), Error> {
        Ok(())
    }
}

/// One secret sent in one header on every attempt: `authorization: Bearer <token>`
/// (longlonglong), `authorization: <key>` (ESP-AI). Written once here because a signer
/// that forgets to mark its header sensitive, or to hand its secret to
/// [`Auth::redact`], leaks the credential; each provider only says which header and what
/// goes before the secret.
///
/// The header value is built and checked once, at build time ([`HeaderAuth::new`]), and
/// marked sensitive; `Debug` shows the header's name, never the value.
pub struct HeaderAuth {
    name: HeaderName,
    value: HeaderValue,
    secret: SecretString,
}

impl HeaderAuth {
    /// Sends `prefix` followed by `secret` in header `name` (e.g. `AUTHORIZATION`,
    /// `"Bearer "`, the token). `what` names the secret in the error (`"token"`, `"API
    /// key"`).
    ///
    /// ```
    /// use voxkit_core::{HeaderAuth, Origin, SecretString};
    /// use voxkit_core::reqwest::header::AUTHORIZATION;
    ///
    /// let origin = Origin::new("toy", "configure");
    /// let auth = HeaderAuth::new(origin, "token", AUTHORIZATION, "Bearer ", SecretString::from("t0k"))?;
    /// assert_eq!(auth.secret(), "t0k");
    /// assert!(!format!("{auth:?}").contains("t0k"));
    /// # Ok::<(), voxkit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] when the value cannot be sent in a header; the error names `what`
    /// and never shows the value.
    pub fn new(
        origin: Origin,
        what: &str,
        name: HeaderName,
        prefix: &str,
        secret: SecretString,
    ) -> Result<HeaderAuth, Error> {
        let value = sensitive_header(origin, what, &format!("{prefix}{}", secret.expose_secret()))?;
        Ok(HeaderAuth {
            name,
            value,
            secret,
        })
    }

    /// The secret, for scrubbing it from what a server echoes (decoders that redact
    /// before core sees the error).
    pub fn secret(&self) -> &str {
        self.secret.expose_secret()
    }
}

impl fmt::Debug for HeaderAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderAuth")
            .field("name", &self.name)
            .field("value", &"[redacted]")
            .finish()
    }
}

#[async_trait]
impl Auth for HeaderAuth {
    async fn authorize(&self, request: &mut HttpRequest, _: Attempt) -> Result<(), Error> {
        request
            .headers
            .insert(self.name.clone(), self.value.clone());
        Ok(())
    }

    fn redact(&self) -> Vec<&str> {
        vec![self.secret()]
    }
}

/// A header value marked sensitive (hidden from `Debug` of headers and from HTTP/2
/// header compression tables). Refuses values that cannot be a header, without echoing them.
pub fn sensitive_header(origin: Origin, what: &str, value: &str) -> Result<HeaderValue, Error> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        Error::config(
            origin,
            format!("the {what} holds characters that cannot be sent in a header"),
        )
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// Reads a secret as it will be sent: trimmed, non-empty, no whitespace or control
/// characters inside (see [`crate::redact::credential`]). `Err` names what is wrong but
/// never shows a value.
pub fn require_secret(
    origin: Origin,
    what: &str,
    value: SecretString,
) -> Result<SecretString, Error> {
    crate::redact::credential(origin, what, value)
}

/// A source of the current time, injectable for tests of time-based signatures.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// Now.
    fn now(&self) -> SystemTime;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock fixed at one instant (for tests and examples).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_header_is_hidden_and_errors_do_not_echo() {
        let o = Origin::new("t", "configure");
        let h = sensitive_header(o, "token", "SENTINEL").unwrap();
        assert!(h.is_sensitive());
        assert!(!format!("{h:?}").contains("SENTINEL"));
        let e = sensitive_header(o, "token", "SENTINEL\nX").unwrap_err();
        assert!(!e.to_string().contains("SENTINEL"));
        assert!(!format!("{e:?}").contains("SENTINEL"));
    }

    #[tokio::test]
    async fn header_auth_sends_its_header_sensitive_and_redacts_its_secret() {
        use reqwest::header::AUTHORIZATION;
        let o = Origin::new("t", "configure");
        let auth =
            HeaderAuth::new(o, "token", AUTHORIZATION, "Bearer ", "SENTINEL".into()).unwrap();
        let mut request = HttpRequest {
            method: reqwest::Method::GET,
            url: "http://127.0.0.1/x".parse().unwrap(),
            headers: reqwest::header::HeaderMap::new(),
            body: None,
        };
        let attempt = Attempt {
            origin: Origin::new("t", "op"),
            number: 1,
        };
        auth.authorize(&mut request, attempt).await.unwrap();
        let sent = request.headers.get(AUTHORIZATION).unwrap();
        assert_eq!(sent, "Bearer SENTINEL");
        assert!(sent.is_sensitive());
        assert_eq!(auth.redact(), ["SENTINEL"]);
        let debug = format!("{auth:?}");
        assert!(
            !debug.contains("SENTINEL") && debug.contains("authorization"),
            "{debug}"
        );
        let raw = HeaderAuth::new(o, "API key", AUTHORIZATION, "", "k".into()).unwrap();
        assert_eq!(raw.value, "k");
        let e = HeaderAuth::new(o, "API key", AUTHORIZATION, "", "SENTINEL\n".into()).unwrap_err();
        assert!(!format!("{e:?}").contains("SENTINEL") && e.to_string().contains("API key"));
    }

    #[test]
    fn empty_secret_is_refused() {
        let o = Origin::new("t", "configure");
        assert!(require_secret(o, "key", SecretString::from("  ")).is_err());
        assert!(require_secret(o, "key", SecretString::from("k")).is_ok());
    }
}
