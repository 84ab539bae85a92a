//! The transport: sends one HTTP request and reads the whole response, with a size cap.
//!
//! [`ReqwestTransport`] is the real one. Tests and other runtimes can plug in their own
//! through [`Transport`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode, Url};

use crate::error::TransportKind;

/// One HTTP request, ready to send.
#[derive(Clone)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL.
    pub url: Url,
    /// The headers, credentials included (marked sensitive).
    pub headers: HeaderMap,
    /// The body, if any.
    pub body: Option<Bytes>,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `HeaderMap`'s Debug prints "Sensitive" for headers marked sensitive.
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.headers)
            .field("body_len", &self.body.as_ref().map_or(0, Bytes::len))
            .finish()
    }
}

/// One HTTP response with its whole body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, at most the configured cap.
    pub body: Bytes,
}

/// Why a request failed below HTTP.
#[derive(Debug)]
pub struct TransportError {
    /// The kind of failure; it says whether the request may have reached the server
    /// ([`TransportKind::maybe_sent`]).
    pub kind: TransportKind,
    /// The underlying error.
    pub source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl TransportError {
    /// A transport error of the given kind.
    pub fn new(
        kind: TransportKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        TransportError {
            kind,
            source: source.into(),
        }
    }
}

/// The one body reader of both transports: refuses a body whose declared length or
/// whose chunks add up to more than the cap ([`TransportKind::BodyTooLarge`]), keeps a body
/// that arrives in one chunk as it is (no copy), and gathers several chunks into one
/// buffer of the declared size, copying each byte once.
#[derive(Debug)]
pub struct BodyReader {
    max_body: usize,
    capacity: usize,
    total: usize,
    first: Option<Bytes>,
    gathered: Option<BytesMut>,
}

impl BodyReader {
    /// A reader for a body of `declared` bytes (its `Content-Length`, if any), refused
    /// at once when that is over `max_body`.
    pub fn new(declared: Option<u64>, max_body: usize) -> Result<BodyReader, TransportError> {
        if declared.is_some_and(|len| len > max_body as u64) {
            return Err(TransportError::new(
                TransportKind::BodyTooLarge,
                format!("the response declares more than {max_body} bytes"),
            ));
        }
        Ok(BodyReader {
            max_body,
            capacity: declared.unwrap_or(0) as usize,
            total: 0,
            first: None,
            gathered: None,
        })
    }

    /// Takes the next chunk.
    pub fn push(&mut self, chunk: Bytes) -> Result<(), TransportError> {
        self.total += chunk.len();
        if self.total > self.max_body {
            return Err(TransportError::new(
                TransportKind::BodyTooLarge,
                format!("the response is longer than {} bytes", self.max_body),
            ));
        }
        if chunk.is_empty() {
            return Ok(());
        }
        match (&mut self.gathered, self.first.take()) {
            (Some(buffer), _) => buffer.extend_from_slice(&chunk),
            (None, Some(previous)) => {
                let mut buffer = BytesMut::with_capacity(self.capacity.max(self.total));
                buffer.extend_from_slice(&previous);
                buffer.extend_from_slice(&chunk);
                self.gathered = Some(buffer);
            }
            (None, None) => self.first = Some(chunk),
        }
        Ok(())
    }

    /// The whole body.
    pub fn finish(self) -> Bytes {
        match (self.gathered, self.first) {
            (Some(buffer), _) => buffer.freeze(),
            (None, Some(only)) => only,
            (None, None) => Bytes::new(),
        }
    }
}

/// Sends requests. Object-safe; one value is shared by every clone of a client.
///
/// Implementations read the whole body, refuse bodies over `max_body` bytes with
/// [`TransportKind::BodyTooLarge`], never follow redirects, and tell precisely whether a
/// failed request may have reached the server. Timeouts are applied by the caller.
#[async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and reads the response.
    async fn send(
        &self,
        request: HttpRequest,
        max_body: usize,
    ) -> Result<HttpResponse, TransportError>;
}

/// The [`Transport`] over one shared `reqwest::Client` (connection pool included).
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// Wraps a caller-supplied client.
    ///
    /// Build it with `redirect(reqwest::redirect::Policy::none())`: voxkit refuses any
    /// response that came from a redirect, but a client that follows redirects will already
    /// have sent the credentials to the redirect's target.
    pub fn new(client: reqwest::Client) -> Self {
        ReqwestTransport { client }
    }

    /// The client used.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

fn classify(err: reqwest::Error) -> TransportError {
    let kind = if err.is_connect() {
        // hyper-util reports failures to establish the connection (refused, DNS, TLS
        // handshake, connect timeout) as connect errors: nothing was written.
        if err.is_timeout() {
            TransportKind::ConnectTimeout
        } else {
            TransportKind::Connect
        }
    } else if err.is_body() || err.is_decode() || err.is_request() {
        TransportKind::Dropped
    } else {
        TransportKind::Other
    };
    TransportError::new(kind, err.without_url())
}

#[async_trait]
impl Transport for ReqwestTransport {
    async fn send(
        &self,
        request: HttpRequest,
        max_body: usize,
    ) -> Result<HttpResponse, TransportError> {
        let HttpRequest {
            method,
            url,
            headers,
            body,
        } = request;
        // Kept to tell a response that came from a followed redirect.
        let mut outgoing = reqwest::Request::new(method, url.clone());
        *outgoing.headers_mut() = headers;
        if let Some(body) = body {
            *outgoing.body_mut() = Some(body.into());
        }
        let mut response = self.client.execute(outgoing).await.map_err(classify)?;
        if response.url() != &url {
            return Err(TransportError::new(
                TransportKind::Other,
                "the reqwest::Client followed a redirect; build it with redirect::Policy::none()",
            ));
        }
        let mut reader = BodyReader::new(response.content_length(), max_body)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            reader.push(chunk)?;
        }
        Ok(HttpResponse {
            status,
            headers,
            body: reader.finish(),
        })
    }
}

/// The TLS backend compiled into this build, chosen by cargo features:
/// `native-tls` if enabled, else rustls with `aws-lc-rs` if `rustls-aws-lc-rs` is enabled,
/// else rustls with `ring` (the default), else none (plain HTTP to loopback only).
pub fn tls_backend() -> Option<&'static str> {
    if cfg!(feature = "native-tls") {
        Some("native-tls")
    } else if cfg!(feature = "rustls-aws-lc-rs") {
        Some("rustls+aws-lc-rs")
    } else if cfg!(feature = "rustls") {
        Some("rustls+ring")
    } else {
        None
    }
}

/// A `reqwest::ClientBuilder` set up as voxkit sets up its own: redirects off and the TLS
/// backend of [`tls_backend`]. Start from it when you supply your own client with
/// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client).
///
/// With rustls, the crypto provider is handed to this client's TLS configuration
/// explicitly: nothing is installed process-wide, and an application that installed its
/// own default provider (or enabled both of rustls' providers) is neither overridden nor
/// made to panic.
///
/// One consequence of cargo's feature unification to know about: voxkit turns on
/// reqwest's rustls support *without* a provider. If your application builds other
/// clients with a bare `reqwest::Client::new()` and enables no rustls provider for
/// reqwest itself, reqwest asks for a process-wide provider; build such clients from this
/// function, or install one with `rustls::crypto::ring::default_provider().install_default()`.
///
/// The client also bounds every new connection (TCP connect and TLS handshake) by the time
/// left to the voxkit attempt that asked for it ([`ConnectDeadlineLayer`]), so that a
/// connection that never completes is reported as "never connected"
/// ([`TransportKind::ConnectTimeout`]) rather than as a timeout that may have been applied.
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, String> {
    #[allow(unused_mut)]
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connector_layer(ConnectDeadlineLayer::new(None));
    #[cfg(feature = "native-tls")]
    {
        builder = builder.tls_backend_native();
    }
    #[cfg(all(
        not(feature = "native-tls"),
        any(feature = "rustls", feature = "rustls-aws-lc-rs")
    ))]
    {
        builder = builder.tls_backend_preconfigured(rustls_config()?);
    }
    Ok(builder)
}

/// Builds the shared `reqwest::Client` of [`http_client_builder`] with the given connect
/// timeout, user agent and proxy. With `bypass_env_proxies` (a loopback base URL), the
/// `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY` environment variables are ignored: a request to
/// this machine, bearer token included, must not travel in plain HTTP to a proxy. An
/// explicit `proxy` still applies.
pub(crate) fn build_reqwest(
    connect_timeout: Duration,
    user_agent: &str,
    proxy: Option<reqwest::Proxy>,
    bypass_env_proxies: bool,
) -> Result<reqwest::Client, String> {
    let mut builder = http_client_builder()?;
    if bypass_env_proxies {
        builder = builder.no_proxy();
    }
    let mut builder = builder
        .connect_timeout(connect_timeout)
        .user_agent(user_agent)
        .pool_idle_timeout(Duration::from_secs(60))
        // voxkit decides every retry itself; reqwest's own protocol-level retry layer
        // would also clone every request (headers, URI, body) in case it needed one.
        .retry(reqwest::retry::never());
    if let Some(proxy) = proxy {
        builder = builder.proxy(proxy);
    }
    builder.build().map_err(|e| e.to_string())
}

tokio::task_local! {
    /// The instant the current voxkit attempt ends, set by the client's retry loop around
    /// each [`Transport::send`]. Connectors read it to stop connecting in time.
    static ATTEMPT_ENDS: tokio::time::Instant;
}

/// Runs `send` as one attempt that ends at `ends`: [`ConnectDeadlineLayer`] connectors it
/// starts stop connecting at that instant.
pub(crate) fn attempt_scope<F: Future>(
    ends: tokio::time::Instant,
    send: F,
) -> tokio::task::futures::TaskLocalFuture<tokio::time::Instant, F> {
    ATTEMPT_ENDS.scope(ends, send)
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A connector layer that ends a connection attempt (TCP connect plus TLS handshake) when
/// the voxkit attempt that started it runs out of time, and optionally after a fixed
/// connect timeout, with an `io::ErrorKind::TimedOut` error.
///
/// Why: the retry loop's own timeout cannot tell "still connecting" from "sent, waiting for
/// the answer", so a connection that stalls until the deadline (dropped SYNs, a TLS port
/// that never answers) would be reported as an outcome that may have been applied. Ended
/// here instead, it surfaces as a connect error: provably nothing was written. A pooled
/// connection never passes through the connector, so its stall still ends in the retry
/// loop's timeout and counts as maybe-sent. Outside a voxkit attempt the layer only applies
/// its fixed timeout, if any.
#[derive(Debug, Clone, Copy)]
pub struct ConnectDeadlineLayer {
    limit: Option<Duration>,
}

impl ConnectDeadlineLayer {
    /// A layer that also ends every connection attempt after `limit` (none: only the
    /// attempt's end).
    pub fn new(limit: Option<Duration>) -> Self {
        ConnectDeadlineLayer { limit }
    }
}

impl<S> tower::Layer<S> for ConnectDeadlineLayer {
    type Service = ConnectDeadline<S>;
    fn layer(&self, inner: S) -> ConnectDeadline<S> {
        ConnectDeadline {
            inner,
            limit: self.limit,
        }
    }
}

/// The connector service of [`ConnectDeadlineLayer`].
#[derive(Debug, Clone)]
pub struct ConnectDeadline<S> {
    inner: S,
    limit: Option<Duration>,
}

impl<S, R> tower::Service<R> for ConnectDeadline<S>
where
    S: tower::Service<R>,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
    S::Response: 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: R) -> Self::Future {
        // Read while the connector is called, which is inside the attempt's task.
        let attempt_ends = ATTEMPT_ENDS.try_with(|ends| *ends).ok();
        let fixed = self.limit.map(|limit| tokio::time::Instant::now() + limit);
        let ends = match (attempt_ends, fixed) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let connecting = self.inner.call(request);
        Box::pin(async move {
            let Some(ends) = ends else {
                return connecting.await.map_err(Into::into);
            };
            match tokio::time::timeout_at(ends, connecting).await {
                Ok(done) => done.map_err(Into::into),
                Err(_) => Err(Box::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "timed out while connecting (TCP or TLS handshake); nothing was sent",
                )) as BoxError),
            }
        })
    }
}

#[cfg(any(feature = "rustls", feature = "rustls-aws-lc-rs"))]
mod lean;
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc-rs"))]
pub use lean::HyperTransport;

/// voxkit's rustls client configuration (the compiled-in crypto provider, the platform's
/// certificate verifier, HTTP/1.1 by ALPN, nothing installed process-wide), for a provider
/// crate's connection that does not go through [`Transport`] — ESP-AI's device channel
/// (a WebSocket) — so that it trusts exactly what the HTTP calls trust.
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc-rs"))]
pub fn rustls_client_config() -> Result<rustls::ClientConfig, String> {
    rustls_config()
}

/// Whether `host` (a name, an IPv4 address, or an IPv6 address with or without its URL
/// brackets) is this machine: `localhost` or a loopback address. The one rule for where
/// voxkit lets traffic go in clear without being told: plain `http://` base URLs, and the
/// journal's PostgreSQL connections without `sslmode`.
pub fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host)
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The rustls crypto provider voxkit was built with (`aws-lc-rs` when the
/// `rustls-aws-lc-rs` feature is on, else `ring`), handed to each configuration explicitly:
/// for a connection that builds its own configuration (the journal's PostgreSQL
/// connections, which trust a server's own CA when told to) with the same cryptography as
/// the HTTP calls, and without a process-wide provider.
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc-rs"))]
pub fn rustls_crypto_provider() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    #[cfg(feature = "rustls-aws-lc-rs")]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(not(feature = "rustls-aws-lc-rs"))]
    let provider = rustls::crypto::ring::default_provider();
    std::sync::Arc::new(provider)
}

/// voxkit's rustls configuration: the compiled-in provider, the platform's verifier,
/// HTTP/1.1 by ALPN.
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc-rs"))]
fn rustls_config() -> Result<rustls::ClientConfig, String> {
    use std::sync::Arc;

    let provider = rustls_crypto_provider();
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
        .map_err(|e| format!("cannot load the platform's certificate verifier: {e}"))?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("invalid TLS configuration: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_client_builds_without_a_process_provider() {
        // Would panic inside reqwest if a process-wide rustls provider were required.
        let client = build_reqwest(Duration::from_secs(1), "voxkit/test", None, false);
        assert!(client.is_ok(), "{client:?}");
        if cfg!(any(feature = "rustls", feature = "rustls-aws-lc-rs")) {
            assert!(tls_backend().is_some());
        }
    }

    /// An application that installed its own process-wide provider keeps it, and voxkit's
    /// clients still build (no "provider already installed" or "no provider" panic).
    #[cfg(all(feature = "rustls", not(feature = "native-tls")))]
    #[test]
    fn coexists_with_an_application_provider() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
        assert!(build_reqwest(Duration::from_secs(1), "voxkit/test", None, false).is_ok());
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }

    #[test]
    fn request_debug_hides_sensitive_headers() {
        let mut headers = HeaderMap::new();
        let mut v = reqwest::header::HeaderValue::from_static("SENTINEL-SECRET");
        v.set_sensitive(true);
        headers.insert("sign", v);
        let req = HttpRequest {
            method: Method::GET,
            url: Url::parse("http://127.0.0.1/").unwrap(),
            headers,
            body: None,
        };
        assert!(!format!("{req:?}").contains("SENTINEL-SECRET"));
    }
}
