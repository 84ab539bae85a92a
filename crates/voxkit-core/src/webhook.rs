//! Receiving what a provider pushes (feature `webhooks`): the mechanics every provider's
//! receiver shares, written once. The provider crates add the typed pushes
//! (`voxkit_laaffic::webhooks`, `voxkit_longlonglong::webhooks`); this module knows no
//! provider.
//!
//! A [`Receiver`] is an [`axum::Router`] (so a tower `Service`) that, for each request:
//!
//! 1. refuses anything but `POST` (`405`);
//! 2. with an [allow-list](Receiver::allow), refuses a source address outside it (`403`),
//!    and refuses every push when the source address is unknown (serve with
//!    `into_make_service_with_connect_info::<SocketAddr>()`): fail closed;
//! 3. with a [token](Receiver::token), refuses a push whose last path segment or `token`
//!    query parameter is not the token (`401`), compared in constant time;
//! 4. refuses a body over the [cap](Receiver::max_body) (`413`) without reading more of it;
//! 5. refuses a body that does not decode as the push type (`400`, with the decoder's
//!    reason): the handler never sees it;
//! 6. for each push in the body, skips one whose id was handled already (a provider's
//!    retry), answers `409` while the same id is being handled by another delivery, and
//!    otherwise awaits the user's handler: an error is answered `500` (so the provider
//!    delivers again) and the id is not remembered; `Ok` remembers the id;
//! 7. answers the provider's acknowledgement (`200`) once every push was handled or
//!    skipped.
//!
//! # Authenticity
//!
//! Neither Laaffic nor longlonglong documents a signature, a shared secret, a fixed
//! source address range or a client certificate for its pushes: anyone who learns the
//! callback URL can post a well-formed push. What a receiver can do is what this module
//! offers: a secret token in the URL (configured at the provider as part of the URL, so
//! keep the URL as secret as an API key, use HTTPS in front of it, and keep it out of
//! logs), an allow-list of the networks the provider's pushes come from (ask the provider;
//! none is published), and treating a push as a hint rather than evidence for anything
//! that moves money: read the record back through the API (e.g. Laaffic's call record by
//! its `voiceId`) before acting on it. Replaying a captured push is not prevented beyond
//! the de-duplication window.
//!
//! # Duplicates
//!
//! A provider that did not get the acknowledgement delivers the same push again. The
//! receiver remembers the id of every push it handled in a [`SeenStore`]: by default a
//! bounded in-memory window ([`MemoryWindow`], the last [`DEFAULT_WINDOW`] ids), which a
//! restart forgets; implement [`SeenStore`] on durable storage to remember across
//! restarts. The handler is called at most once per id while the id is remembered, and
//! at least once for every push the provider delivers until acknowledged.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

/// What a handler or a store fails with: any error; its text is never sent back to the
/// provider nor logged (it may hold anything), only its occurrence.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The default body cap: 1 MiB, far above one report (under 2 KiB) yet small enough
/// that a flood of large bodies cannot exhaust memory.
pub const DEFAULT_MAX_BODY: usize = 1 << 20;

/// The default de-duplication window: the last 100 000 ids (a few MiB), more than the
/// pushes a provider retries over any plausible retry period.
pub const DEFAULT_WINDOW: usize = 100_000;

/// A typed push a provider sends: how its body decodes, its own id, and what the
/// provider expects as the acknowledgement. Implemented by the provider crates.
pub trait Push: Sized + Send + 'static {
    /// What it is, in refusals and logs (e.g. `"Laaffic voice report"`).
    const KIND: &'static str;
    /// The body of the acknowledgement (JSON), answered with `200`.
    const ACK: &'static str;
    /// Decodes a pushed body into one or more pushes; the error says why not.
    fn decode_push(body: &[u8]) -> Result<Vec<Self>, String>;
    /// The push's own id, the de-duplication key: equal for a redelivery of the same push.
    fn dedup_key(&self) -> String;
}

/// Where a receiver remembers the ids it handled, so that a redelivery is acknowledged
/// without calling the handler again. [`MemoryWindow`] is the default; implement it on
/// durable storage (a table keyed by the id) so that de-duplication survives a restart.
#[crate::async_trait]
pub trait SeenStore: Send + Sync {
    /// Whether `key` was [recorded](SeenStore::record).
    async fn seen(&self, key: &str) -> Result<bool, BoxError>;
    /// Remembers `key`: called once the handler returned `Ok` for it.
    async fn record(&self, key: &str) -> Result<(), BoxError>;
}

/// The default [`SeenStore`]: the last `capacity` ids in memory, the oldest forgotten
/// first, so that memory stays bounded whatever the provider sends.
#[derive(Debug)]
pub struct MemoryWindow {
    capacity: usize,
    inner: Mutex<(HashSet<String>, VecDeque<String>)>,
}

impl MemoryWindow {
    /// A window of the last `capacity` ids (at least 1).
    pub fn new(capacity: usize) -> Self {
        MemoryWindow {
            capacity: capacity.max(1),
            inner: Mutex::new((HashSet::new(), VecDeque::new())),
        }
    }

    /// How many ids it holds.
    pub fn len(&self) -> usize {
        self.lock().1.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (HashSet<String>, VecDeque<String>)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for MemoryWindow {
    fn default() -> Self {
        MemoryWindow::new(DEFAULT_WINDOW)
    }
}

#[crate::async_trait]
impl SeenStore for MemoryWindow {
    async fn seen(&self, key: &str) -> Result<bool, BoxError> {
        Ok(self.lock().0.contains(key))
    }

    async fn record(&self, key: &str) -> Result<(), BoxError> {
        let mut inner = self.lock();
        let (set, order) = &mut *inner;
        if set.insert(key.to_owned()) {
            order.push_back(key.to_owned());
            while order.len() > self.capacity {
                if let Some(old) = order.pop_front() {
                    set.remove(&old);
                }
            }
        }
        Ok(())
    }
}

/// A network of source addresses (`10.0.0.0/8`, `2001:db8::/32`, or one address), for
/// [`Receiver::allow`]. An IPv4 address seen as IPv6 (`::ffff:a.b.c.d`) is matched as IPv4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `ip` is inside the network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{text:?} is not an address or network (e.g. 10.0.0.0/8)"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Network {
            addr: addr.to_canonical(),
            prefix,
        })
    }
}

type Handler<P> =
    Arc<dyn Fn(P) -> Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>> + Send + Sync>;

/// A receiver of one push type: configure it, then mount [`Receiver::router`] (see the
/// [module documentation](self) for what it checks and answers).
pub struct Receiver<P: Push> {
    handler: Handler<P>,
    token: Option<SecretString>,
    networks: Vec<Network>,
    max_body: usize,
    store: Arc<dyn SeenStore>,
}

impl<P: Push> std::fmt::Debug for Receiver<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("kind", &P::KIND)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("networks", &self.networks)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl<P: Push> Receiver<P> {
    /// A receiver handing each decoded push to `handler`: no token, no allow-list, the
    /// [default cap](DEFAULT_MAX_BODY), an in-memory [window](MemoryWindow).
    pub fn new<F, Fut, E>(handler: F) -> Self
    where
        F: Fn(P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        let handler = Arc::new(handler);
        Receiver {
            handler: Arc::new(move |push| {
                let fut = handler(push);
                Box::pin(async move { fut.await.map_err(Into::into) })
            }),
            token: None,
            networks: Vec::new(),
            max_body: DEFAULT_MAX_BODY,
            store: Arc::new(MemoryWindow::default()),
        }
    }

    /// Requires this secret in every push: as the last path segment of the callback URL
    /// (`https://host/hooks/<token>`, percent-decoded) or as its `token` query parameter.
    /// Compared in constant time (only its length can be learnt from timing).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(SecretString::from(token.into()));
        self
    }

    /// Accepts pushes from this network only (call again to add more). Needs the source
    /// address: serve with `into_make_service_with_connect_info::<SocketAddr>()`, else
    /// every push is refused.
    pub fn allow(mut self, network: Network) -> Self {
        self.networks.push(network);
        self
    }

    crate::value_setters! {
        /// The largest body accepted, in bytes (default [`DEFAULT_MAX_BODY`]).
        fn max_body(max_body: usize);
        /// Where handled ids are remembered (default: a [`MemoryWindow`] of
        /// [`DEFAULT_WINDOW`] ids). Pass a durable store to de-duplicate across restarts, or
        /// the same store to several receivers to share it.
        fn store(store: Arc<dyn SeenStore>);
    }

    /// The router: every path and method goes to the receiver (mount it with
    /// `Router::nest_service`, or serve it alone).
    pub fn router(self) -> Router {
        let inner = Arc::new(Inner {
            receiver: self,
            in_flight: Mutex::new(HashSet::new()),
        });
        Router::new().fallback(move |request: Request| {
            let inner = inner.clone();
            async move { inner.handle(request).await }
        })
    }
}

struct Inner<P: Push> {
    receiver: Receiver<P>,
    /// The ids being handled now, so that two deliveries of one push at once do not both
    /// reach the handler.
    in_flight: Mutex<HashSet<String>>,
}

/// Removes an id from the in-flight set when its handling ends, however it ends.
struct InFlight<'a> {
    set: &'a Mutex<HashSet<String>>,
    key: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.set
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.key);
    }
}

fn answer(status: StatusCode, body: impl Into<Body>, json: bool) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let content_type = if json {
        "application/json;charset=UTF-8"
    } else {
        "text/plain; charset=utf-8"
    };
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn refuse(status: StatusCode, why: String) -> Response {
    answer(status, why, false)
}

/// The token a request carries: its `token` query parameter, else its last path segment.
fn presented_token(request: &Request) -> Option<String> {
    let uri = request.uri();
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .ok()
            .map(|s| s.into_owned())
    };
    let in_query = uri
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("token=")));
    if let Some(value) = in_query {
        return decode(&value.replace('+', " "));
    }
    uri.path()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .and_then(decode)
}

impl<P: Push> Inner<P> {
    async fn handle(&self, request: Request) -> Response {
        let r = &self.receiver;
        if request.method() != Method::POST {
            let mut response = refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "pushes are POSTed".to_owned(),
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        if !r.networks.is_empty() {
            let peer = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip());
            match peer {
                None => {
                    return refuse(
                        StatusCode::FORBIDDEN,
                        "source address unknown: the server does not pass it".to_owned(),
                    );
                }
                Some(ip) if !r.networks.iter().any(|n| n.contains(ip)) => {
                    tracing::warn!(kind = P::KIND, %ip, "push refused: source not allowed");
                    return refuse(
                        StatusCode::FORBIDDEN,
                        "source address not allowed".to_owned(),
                    );
                }
                Some(_) => {}
            }
        }
        if let Some(token) = &r.token {
            let presented = presented_token(&request).unwrap_or_default();
            let expected = token.expose_secret().as_bytes();
            if !bool::from(presented.as_bytes().ct_eq(expected)) {
                tracing::warn!(kind = P::KIND, "push refused: missing or wrong token");
                return refuse(
                    StatusCode::UNAUTHORIZED,
                    "missing or wrong token".to_owned(),
                );
            }
        }
        let too_large = || {
            refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body larger than {} bytes", r.max_body),
            )
        };
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > r.max_body as u64) {
            return too_large();
        }
        let Ok(body) = axum::body::to_bytes(request.into_body(), r.max_body).await else {
            return too_large();
        };
        let pushes = match P::decode_push(&body) {
            Ok(pushes) if !pushes.is_empty() => pushes,
            Ok(_) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    format!("malformed {}: no push in the body", P::KIND),
                );
            }
            Err(why) => {
                let why: String = why.chars().take(200).collect();
                return refuse(
                    StatusCode::BAD_REQUEST,
                    format!("malformed {}: {why}", P::KIND),
                );
            }
        };
        for push in pushes {
            let key = push.dedup_key();
            let _guard = {
                let mut set = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
                if !set.insert(key.clone()) {
                    return refuse(
                        StatusCode::CONFLICT,
                        format!("{} {key} is being handled; deliver it again later", P::KIND),
                    );
                }
                InFlight {
                    set: &self.in_flight,
                    key: key.clone(),
                }
            };
            match r.store.seen(&key).await {
                Ok(true) => {
                    tracing::debug!(kind = P::KIND, key, "duplicate push acknowledged");
                    continue;
                }
                Ok(false) => {}
                Err(_) => {
                    tracing::warn!(kind = P::KIND, key, "de-duplication store failed");
                    return refuse(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "de-duplication store unavailable".to_owned(),
                    );
                }
            }
            if (r.handler)(push).await.is_err() {
                tracing::warn!(kind = P::KIND, key, "push handler failed");
                return refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "handler failed".to_owned(),
                );
            }
            if r.store.record(&key).await.is_err() {
                // Handled: acknowledging avoids a redelivery now; only a later duplicate
                // could reach the handler again.
                tracing::warn!(kind = P::KIND, key, "could not remember a handled push");
            }
        }
        answer(StatusCode::OK, P::ACK, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_parse_and_match() {
        let net: Network = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        let one: Network = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let all: Network = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        let v6: Network = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains("2001:db8::1".parse().unwrap()));
        assert!(!v6.contains("10.0.0.1".parse().unwrap()));
        for bad in ["10.0.0.0/33", "nowhere", "10.0.0.0/x", "::/129"] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn the_window_forgets_the_oldest_first() {
        let window = MemoryWindow::new(2);
        for key in ["a", "b", "c"] {
            window.record(key).await.unwrap();
        }
        window.record("c").await.unwrap();
        assert_eq!(window.len(), 2);
        assert!(!window.seen("a").await.unwrap());
        assert!(window.seen("b").await.unwrap());
        assert!(window.seen("c").await.unwrap());
    }

    #[test]
    fn the_token_is_the_query_parameter_or_the_last_segment() {
        let token = |uri: &str| presented_token(&Request::post(uri).body(Body::empty()).unwrap());
        assert_eq!(token("/hooks/s%20cret").as_deref(), Some("s cret"));
        assert_eq!(token("/hooks/secret/").as_deref(), Some("secret"));
        assert_eq!(token("/hooks?a=1&token=t0k").as_deref(), Some("t0k"));
        assert_eq!(token("/").as_deref(), Some(""));
    }
}
