//! TLS is always verified: a server whose certificate does not chain to a trusted root, or
//! does not name the host, gets nothing but a failed handshake (the request is never sent,
//! and the error says so); the same server with a trusted certificate for the right name
//! is reached, which proves the refusals are the verification's.

// The control client is built on rustls; voxkit's own set-up is whichever backend is on.
#![cfg(all(
    feature = "longlonglong",
    any(feature = "rustls", feature = "rustls-aws-lc-rs")
))]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use voxkit::core::{Error, RetryPolicy, TransportKind};
use voxkit::longlonglong;

// The test CA and its certificate for `localhost` and 127.0.0.1 (core's TLS fixtures).
use voxkit_core::test_util::tls::{CA, LOCALHOST as LEAF, LOCALHOST_KEY as LEAF_KEY};

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A TLS server on 127.0.0.1 (a thread): counts the handshakes begun and the HTTP requests
/// read, and answers each request with a longlonglong success.
struct TlsServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

impl TlsServer {
    fn start() -> TlsServer {
        let certs = CertificateDer::pem_slice_iter(LEAF.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("certificate");
        let key = PrivateKeyDer::from_pem_slice(LEAF_KEY.as_bytes()).expect("key");
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .expect("protocol versions")
                .with_no_client_auth()
                .with_single_cert(certs, key)
                .expect("server config"),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (connections, requests) =
            (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (c, r) = (connections.clone(), requests.clone());
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                c.fetch_add(1, Ordering::SeqCst);
                let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                    continue;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                // The handshake happens on the first read; a refused certificate ends here.
                while !head.ends_with(b"\r\n\r\n") {
                    match tls.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                if !head.ends_with(b"\r\n\r\n") {
                    continue;
                }
                r.fetch_add(1, Ordering::SeqCst);
                let body = r#"{"code":200,"status":"success","message":"ok","data":{}}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes());
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        });
        TlsServer {
            addr,
            connections,
            requests,
        }
    }
}

/// A `reqwest::Client` that trusts the test CA, with `host` resolved to `addr`.
fn trusting_client(host: &str, addr: SocketAddr) -> voxkit::core::reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(CA.as_bytes()) {
        roots.add(cert.expect("CA certificate")).expect("a root");
    }
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    voxkit::core::reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .redirect(voxkit::core::reqwest::redirect::Policy::none())
        .resolve(host, addr)
        .build()
        .expect("client")
}

fn client(url: String, http: Option<voxkit::core::reqwest::Client>) -> longlonglong::Client {
    let builder = longlonglong::Client::builder()
        .token("test-token")
        .base_url(url)
        .retry_policy(RetryPolicy::none());
    match http {
        Some(http) => builder.http_client(http),
        None => builder,
    }
    .build()
    .expect("client")
}

impl TlsServer {
    /// What every refusal asserts: `err` is a connect failure with nothing sent, one
    /// handshake was begun (the server was reached) and no request was read.
    #[track_caller]
    fn assert_refused_before_sending(&self, err: &Error) {
        assert!(
            matches!(
                err,
                Error::Transport {
                    kind: TransportKind::Connect,
                    ..
                }
            ) && err.nothing_sent(),
            "{err:?}"
        );
        assert_eq!(
            self.connections.load(Ordering::SeqCst),
            1,
            "a handshake was begun"
        );
        assert_eq!(
            self.requests.load(Ordering::SeqCst),
            0,
            "no request was sent"
        );
    }
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_before_anything_is_sent() {
    let server = TlsServer::start();
    // voxkit's own TLS set-up: the platform's roots, which do not hold the test CA.
    let c = client(format!("https://127.0.0.1:{}", server.addr.port()), None);
    let err = c.token_info().await.expect_err("an untrusted certificate");
    server.assert_refused_before_sending(&err);
}

/// The lean transport verifies certificates as the default one does.
#[tokio::test]
async fn the_lean_transport_refuses_an_untrusted_certificate_before_sending() {
    let server = TlsServer::start();
    let transport = Arc::new(
        voxkit::core::transport::HyperTransport::new(std::time::Duration::from_secs(5))
            .expect("transport"),
    );
    let c = longlonglong::Client::builder()
        .token("test-token")
        .base_url(format!("https://127.0.0.1:{}", server.addr.port()))
        .retry_policy(RetryPolicy::none())
        .transport(transport)
        .build()
        .expect("client");
    let err = c.token_info().await.expect_err("an untrusted certificate");
    server.assert_refused_before_sending(&err);
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_before_anything_is_sent() {
    let server = TlsServer::start();
    let host = "api.voxkit.invalid";
    let c = client(
        format!("https://{host}:{}", server.addr.port()),
        Some(trusting_client(host, server.addr)),
    );
    let err = c.token_info().await.expect_err("the wrong name");
    server.assert_refused_before_sending(&err);
}

/// The control: the same server, trusted and named, is reached.
#[tokio::test]
async fn a_trusted_certificate_for_the_name_is_accepted() {
    let server = TlsServer::start();
    let c = client(
        format!("https://localhost:{}", server.addr.port()),
        Some(trusting_client("localhost", server.addr)),
    );
    let info = c.token_info().await.expect("a verified connection");
    assert_eq!(info.message, "ok");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
}
