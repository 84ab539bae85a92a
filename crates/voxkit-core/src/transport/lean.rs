//! [`HyperTransport`]: a lean transport straight on hyper-util's pooled client, with rustls.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::{
    BodyReader, ConnectDeadline, ConnectDeadlineLayer, HttpRequest, HttpResponse, Transport,
    TransportError,
};
use crate::error::TransportKind;

/// A lean [`Transport`]: hyper-util's pooled HTTP/1.1 client with rustls (the same TLS
/// configuration as voxkit's reqwest client: the compiled-in crypto provider, the
/// platform's certificate verifier, nothing installed process-wide), and nothing else on
/// the path — no redirect, retry or proxy layers. It spends noticeably less CPU per call
/// than reqwest at high concurrency (see `cargo xtask bench`).
///
/// It has no proxy support; use the default transport (reqwest) behind a proxy. Plug it in
/// with the builder's `transport`:
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use std::time::Duration;
/// use voxkit_core::transport::HyperTransport;
///
/// let transport = Arc::new(HyperTransport::new(Duration::from_secs(5))?);
/// let client = voxkit_core::Client::builder("laaffic", "https://api.laaffic.com")
///     .transport(transport)
///     .build(Arc::new(voxkit_core::NoAuth))?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<ConnectDeadline<HttpsConnector<HttpConnector>>, Full<Bytes>>,
}

impl std::fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransport").finish_non_exhaustive()
    }
}

impl HyperTransport {
    /// A transport whose connections (TCP connect and TLS handshake together) are
    /// established within `connect_timeout` and within the time left to the attempt, kept
    /// alive in a pool for up to 60 s idle. A connection that does not complete in time is
    /// reported as [`TransportKind::ConnectTimeout`]: never connected, nothing sent.
    pub fn new(connect_timeout: Duration) -> Result<HyperTransport, String> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(connect_timeout));
        let mut tls = super::rustls_config()?;
        // hyper-rustls sets the ALPN protocols itself (`enable_http1` below).
        tls.alpn_protocols.clear();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        // hyper-util's connect timeout covers TCP only; this one covers the TLS handshake
        // too, and ends a connection attempt when the voxkit attempt runs out of time.
        let https = tower::Layer::layer(&ConnectDeadlineLayer::new(Some(connect_timeout)), https);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(https);
        Ok(HyperTransport { client })
    }
}

/// hyper-util reports a failure to establish the connection (refused, DNS, TLS handshake,
/// connect timeout) as a connect error: nothing was written. Anything else happened after.
fn failed(error: &hyper_util::client::legacy::Error) -> TransportError {
    let kind = if error.is_connect() {
        let mut source = std::error::Error::source(error);
        let mut timed_out = false;
        while let Some(e) = source {
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
            {
                timed_out = true;
                break;
            }
            source = e.source();
        }
        if timed_out {
            TransportKind::ConnectTimeout
        } else {
            TransportKind::Connect
        }
    } else {
        TransportKind::Dropped
    };
    TransportError::new(kind, error.to_string())
}

#[async_trait::async_trait]
impl Transport for HyperTransport {
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
        let uri: hyper::Uri = String::from(url).try_into().map_err(|e| {
            TransportError::new(TransportKind::NotSent, format!("invalid URI: {e}"))
        })?;
        let mut outgoing = hyper::Request::new(Full::new(body.unwrap_or_default()));
        *outgoing.method_mut() = method;
        *outgoing.uri_mut() = uri;
        *outgoing.headers_mut() = headers;
        let response = self
            .client
            .request(outgoing)
            .await
            .map_err(|e| failed(&e))?;
        let (parts, mut incoming) = response.into_parts();
        let declared = parts
            .headers
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let mut reader = BodyReader::new(declared, max_body)?;
        while let Some(frame) = incoming.frame().await {
            let frame =
                frame.map_err(|e| TransportError::new(TransportKind::Dropped, e.to_string()))?;
            if let Ok(chunk) = frame.into_data() {
                reader.push(chunk)?;
            } // else trailers
        }
        Ok(HttpResponse {
            status: parts.status,
            headers: parts.headers,
            body: reader.finish(),
        })
    }
}
