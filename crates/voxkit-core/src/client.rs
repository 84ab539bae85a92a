//! The core client: configuration, the retry loop, tracing.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderValue, USER_AGENT};
// The deadline is kept on tokio's clock, the one its timeouts and backoff sleeps run on
// (a paused test clock included), not on the wall clock.
use tokio::time::Instant;
use tracing::Instrument;

use crate::auth::{Attempt, Auth, Clock, SystemClock};
use crate::error::{Error, Origin, excerpt};
use crate::operation::Operation;
use crate::redact::{scrub, success_response};
use crate::retry::{Decision, RetryPolicy, decide, parse_retry_after};
use crate::transport::{HttpRequest, HttpResponse, ReqwestTransport, Transport, build_reqwest};

/// The default user agent, `voxkit/<version>`.
pub const USER_AGENT_DEFAULT: &str = concat!("voxkit/", env!("CARGO_PKG_VERSION"));

/// The default connect timeout (5 s).
pub const CONNECT_TIMEOUT_DEFAULT: Duration = Duration::from_secs(5);

/// The default timeout of one attempt (30 s).
pub const ATTEMPT_TIMEOUT_DEFAULT: Duration = Duration::from_secs(30);

/// The default cap on a response body (32 MiB).
pub const MAX_RESPONSE_BYTES_DEFAULT: usize = 32 * 1024 * 1024;

/// Configures a [`Client`]. Provider crates wrap it in their own builders, which offer the
/// same methods. `Clone`: a provider with a second host builds its second client from a
/// copy ([`crate::SecondHost`]).
#[derive(Clone)]
pub struct ClientBuilder {
    provider: &'static str,
    base_url: String,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    deadline: Option<Duration>,
    user_agent: String,
    retry: RetryPolicy,
    allow_http: bool,
    http_client: Option<reqwest::Client>,
    transport: Option<Arc<dyn Transport>>,
    proxy: Option<reqwest::Proxy>,
    max_response_bytes: usize,
    clock: Arc<dyn Clock>,
    indeterminate_codes: &'static [&'static str],
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("provider", &self.provider)
            .field("base_url", &shown_base_url(&self.base_url))
            .field("connect_timeout", &self.connect_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("allow_http", &self.allow_http)
            .field("custom_http_client", &self.http_client.is_some())
            .field("custom_transport", &self.transport.is_some())
            .field("proxy", &self.proxy.is_some())
            .field("max_response_bytes", &self.max_response_bytes)
            .field("indeterminate_codes", &self.indeterminate_codes)
            .finish()
    }
}

impl ClientBuilder {
    /// A builder for `provider` with its default base URL.
    pub fn new(provider: &'static str, default_base_url: &str) -> Self {
        ClientBuilder {
            provider,
            base_url: default_base_url.to_owned(),
            connect_timeout: CONNECT_TIMEOUT_DEFAULT,
            attempt_timeout: ATTEMPT_TIMEOUT_DEFAULT,
            deadline: None,
            user_agent: USER_AGENT_DEFAULT.to_owned(),
            retry: RetryPolicy::default(),
            allow_http: false,
            http_client: None,
            transport: None,
            proxy: None,
            max_response_bytes: MAX_RESPONSE_BYTES_DEFAULT,
            clock: Arc::new(SystemClock),
            indeterminate_codes: &[],
        }
    }

    crate::value_setters! {
        /// The provider's "system error" codes: business codes (as the decoder puts them in
        /// [`Error::Api`]'s `code`) that say the server failed while handling the request —
        /// possibly after it was applied (an exception thrown after the commit renders the
        /// same envelope). For a non-repeatable operation such an answer is
        /// [`Error::OutcomeUnknown`] (its cause the API error), whatever the HTTP status; for a
        /// repeatable one it stays [`Error::Api`]. Set by each provider crate from its
        /// documentation (default: none).
        fn indeterminate_codes(indeterminate_codes: &'static [&'static str]);
        /// The base URL: scheme, host, optional port and optional path prefix (for a proxy).
        /// `http://` is accepted only for loopback hosts unless [`ClientBuilder::allow_http`].
        fn base_url(base_url: impl Into<String>).into();
        /// The `User-Agent` header (default `voxkit/<version>`).
        fn user_agent(user_agent: impl Into<String>).into();
        /// The retry policy (default: 3 attempts, full-jitter backoff from 100 ms).
        fn retry_policy(policy: RetryPolicy) => retry;
        /// Allows plain `http://` to hosts that are not loopback. Credentials then cross the
        /// network in clear text: only for trusted networks.
        fn allow_http(allow_http: bool);
        /// The largest response body accepted (default 32 MiB).
        fn max_response_bytes(max_response_bytes: usize);
        /// The clock used for `Retry-After` dates (and by signers that ask for it).
        fn clock(clock: Arc<dyn Clock>);
        /// Time allowed to establish a connection (default 5 s).
        fn connect_timeout(connect_timeout: Duration);
        /// Time allowed for one attempt, from sending to the end of the body (default 30 s).
        fn attempt_timeout(attempt_timeout: Duration);
    }

    crate::optional_setters! {
        /// Time allowed for a whole call, retries and backoff included (default: none, so the
        /// retry policy alone bounds a call).
        fn deadline(deadline: Duration);
        /// Uses the caller's `reqwest::Client` (its pool, TLS, proxy and connect timeout)
        /// instead of building one. Build it with `redirect(reqwest::redirect::Policy::none())`:
        /// a response that came from a redirect is refused, but by then the credentials were
        /// sent. The user agent of this builder is still set on every request.
        fn http_client(http_client: reqwest::Client);
        /// Uses a custom [`Transport`] (tests, other HTTP stacks). Takes precedence over
        /// [`ClientBuilder::http_client`].
        fn transport(transport: Arc<dyn Transport>);
        /// Sends every request through this proxy. Without one, the `*_PROXY` environment
        /// variables apply (reqwest's default), except to a loopback base URL: a request to
        /// this machine would otherwise carry its credentials in plain HTTP to the proxy.
        fn proxy(proxy: reqwest::Proxy);
    }

    /// The configured clock.
    pub fn clock_ref(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Checks the configuration and builds the client.
    pub fn build(self, auth: Arc<dyn Auth>) -> Result<Client, Error> {
        let origin = Origin::new(self.provider, "configure");
        let base_url = check_base_url(origin, &self.base_url, self.allow_http)?;
        if self.retry.max_attempts == 0 {
            return Err(Error::config(
                origin,
                "retry policy needs at least one attempt",
            ));
        }
        if self.attempt_timeout.is_zero() {
            return Err(Error::config(
                origin,
                "the attempt timeout must not be zero",
            ));
        }
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::config(origin, "the user agent is not a valid header value"))?;
        let transport: Arc<dyn Transport> = match (self.transport, self.http_client) {
            (Some(transport), _) => transport,
            (None, Some(client)) => Arc::new(ReqwestTransport::new(client)),
            (None, None) => {
                if base_url.scheme() == "https" && crate::transport::tls_backend().is_none() {
                    return Err(Error::config(
                        origin,
                        "https needs a TLS backend: enable the `rustls` (default), \
                         `rustls-aws-lc-rs` or `native-tls` feature",
                    ));
                }
                // A loopback base URL (the sandbox, a local proxy) never goes through the
                // `*_PROXY` environment variables' proxy: the credentials would travel
                // to it in plain HTTP. An explicit `proxy(..)` still applies.
                let client = build_reqwest(
                    self.connect_timeout,
                    &self.user_agent,
                    self.proxy,
                    is_loopback(&base_url),
                )
                .map_err(|e| Error::config(origin, e))?;
                Arc::new(ReqwestTransport::new(client))
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                provider: self.provider,
                base_url,
                attempt_timeout: self.attempt_timeout,
                deadline: self.deadline,
                user_agent,
                retry: self.retry,
                max_response_bytes: self.max_response_bytes,
                transport,
                auth,
                clock: self.clock,
                indeterminate_codes: self.indeterminate_codes,
            }),
        })
    }
}

/// A URL as errors and `Debug` show it: scheme, host, port and path only — never user
/// info, query or fragment, which could hold a credential put there by mistake.
fn shown_url(url: &Url) -> String {
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    shown
}

/// [`shown_url`] of a base URL that has not been checked yet.
fn shown_base_url(raw: &str) -> String {
    Url::parse(raw.trim()).map_or_else(|_| "[not a URL]".to_owned(), |u| shown_url(&u))
}

fn check_base_url(origin: Origin, raw: &str, allow_http: bool) -> Result<Url, Error> {
    // The raw text is never echoed: a mistaken base URL may hold a key.
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::config(origin, format!("invalid base URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            origin,
            "the base URL must not hold credentials",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            origin,
            format!(
                "the base URL {} must not have a query or fragment",
                shown_url(&url)
            ),
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if allow_http || is_loopback(&url) => {}
        "http" => {
            return Err(Error::config(
                origin,
                format!(
                    "refusing plain http:// to {}: credentials would cross the network \
                     unencrypted; use https://, a loopback address, or allow_http(true)",
                    url.host_str().unwrap_or("?")
                ),
            ));
        }
        other => {
            return Err(Error::config(
                origin,
                format!("unsupported URL scheme {other:?} in the base URL"),
            ));
        }
    }
    if url.host().is_none() {
        return Err(Error::config(origin, "the base URL has no host"));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    url.host_str()
        .is_some_and(crate::transport::is_loopback_host)
}

struct Inner {
    provider: &'static str,
    base_url: Url,
    attempt_timeout: Duration,
    deadline: Option<Duration>,
    user_agent: HeaderValue,
    retry: RetryPolicy,
    max_response_bytes: usize,
    transport: Arc<dyn Transport>,
    auth: Arc<dyn Auth>,
    clock: Arc<dyn Clock>,
    indeterminate_codes: &'static [&'static str],
}

/// A configured connection to one provider: base URL, transport, credentials and retry
/// policy. Cheap to clone (one `Arc`); clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("provider", &i.provider)
            .field("base_url", &i.base_url.as_str())
            .field("attempt_timeout", &i.attempt_timeout)
            .field("deadline", &i.deadline)
            .field("retry", &i.retry)
            .field("max_response_bytes", &i.max_response_bytes)
            .field("auth", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder; see [`ClientBuilder::new`].
    pub fn builder(provider: &'static str, default_base_url: &str) -> ClientBuilder {
        ClientBuilder::new(provider, default_base_url)
    }

    /// The provider's short name.
    pub fn provider(&self) -> &'static str {
        self.inner.provider
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The origin of an operation of this client's provider.
    pub fn origin(&self, operation: &'static str) -> Origin {
        Origin::new(self.inner.provider, operation)
    }

    /// The full URL of an operation.
    pub fn url(&self, op: &Operation) -> Url {
        let mut url = self.inner.base_url.clone();
        // One exact-size buffer, no formatting machinery: this runs on every call.
        let prefix = url.path().trim_end_matches('/');
        let tail = op.path.as_str();
        let mut path = String::with_capacity(prefix.len() + tail.len() + 1);
        path.push_str(prefix);
        path.push_str(tail);
        if path.is_empty() {
            path.push('/');
        }
        url.set_path(&path);
        if !op.query.is_empty() {
            use crate::operation::{QUERY_KEY, QUERY_VALUE};
            use percent_encoding::utf8_percent_encode;
            let mut query = String::new();
            for (key, value) in &op.query {
                if !query.is_empty() {
                    query.push('&');
                }
                query.extend(utf8_percent_encode(key, QUERY_KEY));
                query.push('=');
                query.extend(utf8_percent_encode(value, QUERY_VALUE));
            }
            url.set_query(Some(&query));
        }
        url
    }

    /// Sends `op`, retrying as its idempotency and the policy allow, and hands a success
    /// response to `decode`.
    ///
    /// A non-success response that will not be retried is also offered to `decode`: if
    /// the decoder finds the provider's error envelope in it ([`Error::Api`]), that error
    /// is returned; otherwise an [`Error::Status`] with a scrubbed excerpt. When the
    /// status leaves the outcome of a non-repeatable operation unknown (a 5xx, 3xx or
    /// unknown status), the error is [`Error::OutcomeUnknown`] with the API error (or the
    /// status error) as its cause. A UTF-8 byte order mark before the body is removed
    /// before `decode` sees it.
    pub async fn execute<T>(
        &self,
        op: &Operation,
        decode: impl Fn(&HttpResponse) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let span = tracing::debug_span!(
            "voxkit.call",
            provider = self.inner.provider,
            operation = op.name,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        // Without a subscriber that wants the span, the call is not wrapped in it at all
        // (no enter and exit on every poll).
        if span.is_disabled() {
            self.run(op, &decode, &span).await
        } else {
            self.run(op, &decode, &span).instrument(span.clone()).await
        }
    }

    /// The attempt loop: one [`Client::attempt`], then one decision about its outcome,
    /// until an answer is decoded or the decision is to stop.
    async fn run<T>(
        &self,
        op: &Operation,
        decode: &impl Fn(&HttpResponse) -> Result<T, Error>,
        span: &tracing::Span,
    ) -> Result<T, Error> {
        let origin = self.origin(op.name);
        let url = self.url(op);
        let start = Instant::now();
        let mut attempt = 0u32;
        // Whether the signer already had its one extra, re-signed attempt.
        let mut resigned = false;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let sent = self.attempt(op, &url, origin, attempt, start).await;
            if let Ok(response) = &sent {
                span.record("status", response.status.as_u16());
                span.record("elapsed_ms", start.elapsed().as_millis() as u64);
            }
            let error = match sent {
                Ok(response) if response.status.is_success() => {
                    let error = match self.decode_success(op, origin, &response, decode) {
                        Ok(value) => return Ok(value),
                        Err(error) => error,
                    };
                    if self.resign(op, &response, &error, attempt, &mut resigned, start) {
                        continue;
                    }
                    return Err(error);
                }
                Ok(response) => {
                    let error = self.status_error(origin, &response);
                    match self.decide(op, &error, attempt, start) {
                        Decision::RetryAfter(delay) => {
                            tracing::debug!(attempt, ?delay, error = %error, "retrying");
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                        Decision::Stop { outcome_unknown } => {
                            span.record("elapsed_ms", start.elapsed().as_millis() as u64);
                            let error =
                                self.answered_error(op, &response, decode, error, outcome_unknown);
                            if self.resign(op, &response, &error, attempt, &mut resigned, start) {
                                continue;
                            }
                            return Err(error);
                        }
                    }
                }
                Err(error) => error,
            };
            match self.decide(op, &error, attempt, start) {
                Decision::RetryAfter(delay) => {
                    tracing::debug!(attempt, ?delay, error = %error, "retrying");
                    tokio::time::sleep(delay).await;
                }
                Decision::Stop { outcome_unknown } => {
                    span.record("elapsed_ms", start.elapsed().as_millis() as u64);
                    tracing::debug!(attempt, error = %error, outcome_unknown, "giving up");
                    return Err(if outcome_unknown {
                        Error::OutcomeUnknown {
                            origin,
                            cause: Box::new(error),
                        }
                    } else {
                        error
                    });
                }
            }
        }
    }

    /// One attempt: the request built from `op`, signed for this attempt, sent within the
    /// attempt's time (and the call's deadline), its answer read whole. A transport failure
    /// or a timeout is the attempt's [`Error`]; any answer, whatever its status, is `Ok`.
    async fn attempt(
        &self,
        op: &Operation,
        url: &Url,
        origin: Origin,
        number: u32,
        start: Instant,
    ) -> Result<HttpResponse, Error> {
        let inner = &*self.inner;
        let mut headers = op.headers.clone();
        // Room for the user agent and a signer's headers (up to four) at once: a clone
        // holds exactly the operation's headers, and growing it one insert at a time
        // reallocates twice per attempt.
        headers.reserve(5);
        headers.insert(USER_AGENT, inner.user_agent.clone());
        let mut request = HttpRequest {
            method: op.method.clone(),
            url: url.clone(),
            headers,
            body: op.body.clone(),
        };
        inner
            .auth
            .authorize(&mut request, Attempt { origin, number })
            .await?;
        let remaining = inner.deadline.map(|d| d.saturating_sub(start.elapsed()));
        let budget = remaining.map_or(inner.attempt_timeout, |r| r.min(inner.attempt_timeout));
        // Connectors that know the attempt's end stop connecting at the same instant,
        // so a connection that never completed is told from a request that was sent.
        let ends = Instant::now() + budget;
        let sent = tokio::time::timeout_at(
            ends,
            crate::transport::attempt_scope(
                ends,
                inner.transport.send(request, inner.max_response_bytes),
            ),
        )
        .await;
        match sent {
            Err(_) => Err(Error::Timeout {
                origin,
                elapsed: start.elapsed(),
                attempts: number,
            }),
            Ok(Err(e)) => Err(Error::Transport {
                origin,
                kind: e.kind,
                source: Some(e.source),
            }),
            Ok(Ok(mut response)) => {
                strip_bom(&mut response);
                Ok(response)
            }
        }
    }

    /// The retry decision ([`decide`]) about a failed attempt, with this client's policy,
    /// the time left and fresh jitter.
    fn decide(&self, op: &Operation, error: &Error, attempt: u32, start: Instant) -> Decision {
        let inner = &*self.inner;
        let remaining = inner.deadline.map(|d| d.saturating_sub(start.elapsed()));
        decide(
            &inner.retry,
            op.idempotency,
            error,
            attempt,
            remaining,
            fastrand::f64(),
        )
    }

    /// A success answer decoded. A message that echoes a credential is redacted before the
    /// decoder sees it. An answer the decoder refuses (a proxy's page, a changed format)
    /// or that carries the provider's "system error" leaves a non-repeatable request's
    /// outcome unknown: it may well have been applied.
    fn decode_success<T>(
        &self,
        op: &Operation,
        origin: Origin,
        response: &HttpResponse,
        decode: &impl Fn(&HttpResponse) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let secrets = self.inner.auth.redact();
        let redacted = success_response(response, &secrets);
        decode(&redacted).map_err(|e| {
            let e = scrub(e, &response.body, &secrets).with_http_status(response.status.as_u16());
            let unknown = !op.idempotency.is_repeatable()
                && (matches!(e, Error::Decode { .. }) || self.indeterminate(&e));
            if unknown {
                Error::OutcomeUnknown {
                    origin,
                    cause: Box::new(e),
                }
            } else {
                e
            }
        })
    }

    /// The error of a non-success answer: its status, `Retry-After` and a scrubbed excerpt.
    fn status_error(&self, origin: Origin, response: &HttpResponse) -> Error {
        let inner = &*self.inner;
        Error::Status {
            origin,
            status: response.status,
            excerpt: excerpt(&response.body, &inner.auth.redact()),
            retry_after: response
                .headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| parse_retry_after(v, inner.clock.now())),
        }
    }

    /// The error a call ends with after a non-success answer it will not retry. The
    /// provider's own error envelope in it is a better error than the bare status; but it
    /// does not make an unknown outcome known (a framework renders the same envelope for an
    /// exception thrown after the commit): it becomes the unknown outcome's cause. The
    /// provider's "system error" codes are unknown outcomes on their own.
    fn answered_error<T>(
        &self,
        op: &Operation,
        response: &HttpResponse,
        decode: &impl Fn(&HttpResponse) -> Result<T, Error>,
        status: Error,
        outcome_unknown: bool,
    ) -> Error {
        let origin = status.origin();
        let (error, unknown) = match decode(response) {
            Err(api @ Error::Api { .. }) => {
                let api = scrub(api, &response.body, &self.inner.auth.redact())
                    .with_http_status(response.status.as_u16());
                let unknown = outcome_unknown
                    || (!op.idempotency.is_repeatable() && self.indeterminate(&api));
                tracing::debug!(error = %api, unknown, "provider error");
                (api, unknown)
            }
            _ => {
                tracing::debug!(error = %status, outcome_unknown, "giving up");
                (status, outcome_unknown)
            }
        };
        if unknown {
            Error::OutcomeUnknown {
                origin,
                cause: Box::new(error),
            }
        } else {
            error
        }
    }

    /// Whether the signer asks for one more, re-signed attempt after an answer that ends
    /// the call with `error` ([`Auth::after_answer`]): only for a repeatable operation,
    /// only once per call, and only while the deadline leaves time.
    fn resign(
        &self,
        op: &Operation,
        response: &HttpResponse,
        error: &Error,
        attempt: u32,
        resigned: &mut bool,
        start: Instant,
    ) -> bool {
        let inner = &*self.inner;
        if *resigned
            || !op.idempotency.is_repeatable()
            || inner.deadline.is_some_and(|d| start.elapsed() >= d)
        {
            return false;
        }
        let origin = error.origin();
        let asked = inner
            .auth
            .after_answer(
                response,
                error,
                Attempt {
                    origin,
                    number: attempt,
                },
            )
            .is_some();
        if asked {
            tracing::debug!(attempt, error = %error, "the signer corrected itself; signing again");
            *resigned = true;
        }
        asked
    }
}

impl Client {
    /// Whether `error` is the provider's error with one of its "system error" codes
    /// ([`ClientBuilder::indeterminate_codes`]). A few string comparisons, on error paths
    /// only.
    fn indeterminate(&self, error: &Error) -> bool {
        match error {
            Error::Api {
                code: Some(code), ..
            } => self.inner.indeterminate_codes.contains(&code.as_str()),
            _ => false,
        }
    }
}

/// The UTF-8 byte order mark some servers (PHP ones) put before a JSON body.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Removes a UTF-8 byte order mark before the body, in this one place for every decoder:
/// a 3-byte compare, and a slice of the same buffer (no copy) when there is one.
fn strip_bom(response: &mut HttpResponse) {
    if response.body.starts_with(UTF8_BOM) {
        response.body = response.body.slice(UTF8_BOM.len()..);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::NoAuth;
    use crate::operation::{Idempotency, Path};

    fn build(url: &str, allow_http: bool) -> Result<Client, Error> {
        ClientBuilder::new("test", "https://example.invalid")
            .base_url(url)
            .allow_http(allow_http)
            .build(Arc::new(NoAuth))
    }

    #[test]
    fn http_only_to_loopback_unless_allowed() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.8.0.1",
            "http://[::1]:3000",
            "http://localhost:1",
            "https://api.laaffic.com",
        ] {
            assert!(build(ok, false).is_ok(), "{ok}");
        }
        let err = build("http://api.laaffic.com", false).unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(err.to_string().contains("allow_http"), "{err}");
        assert!(build("http://10.0.0.1", false).is_err());
        assert!(build("http://api.laaffic.com", true).is_ok());
        assert!(build("ftp://x", true).is_err());
        assert!(build("https://user:pw@host", false).is_err());
        assert!(build("https://host/?q=1", false).is_err());
        assert!(build("not a url", false).is_err());
    }

    #[test]
    fn base_url_errors_and_debug_never_show_user_info_or_query() {
        for raw in [
            "https://host/?key=SENTINEL-KEY",
            "https://host/#SENTINEL-KEY",
            "https://user:SENTINEL-KEY@host/",
            "not a url SENTINEL-KEY",
        ] {
            let builder = Client::builder("test", "https://example.invalid").base_url(raw);
            let debug = format!("{builder:?}");
            assert!(!debug.contains("SENTINEL"), "{debug}");
            let err = builder.build(Arc::new(NoAuth)).unwrap_err();
            assert!(!format!("{err} {err:?}").contains("SENTINEL"), "{err}");
        }
    }

    #[test]
    fn urls_keep_the_base_prefix_and_encode_the_query() {
        let c = build("http://127.0.0.1:9/proxy/laaffic/", false).unwrap();
        let op = Operation::new(
            "x",
            reqwest::Method::GET,
            Path::root().lit("v3/getBalance"),
            Idempotency::Repeatable,
        )
        .query("date[]", "2024-01-01")
        .query("q", "a b&c")
        .query("k=[", "#?+%");
        assert_eq!(
            c.url(&op).as_str(),
            "http://127.0.0.1:9/proxy/laaffic/v3/getBalance?date[]=2024-01-01&q=a%20b%26c&k%3D[=%23%3F%2B%25"
        );
        let c = build("http://127.0.0.1:9", false).unwrap();
        assert_eq!(
            c.url(&op).path(),
            "/v3/getBalance",
            "no double slash with an empty prefix"
        );
    }

    #[test]
    fn client_is_cheap_to_clone_and_debug_shows_no_auth() {
        let c = build("http://127.0.0.1:1", false).unwrap();
        let d = c.clone();
        assert!(Arc::ptr_eq(&c.inner, &d.inner));
        assert!(format!("{c:?}").contains("[redacted]"));
    }
}
