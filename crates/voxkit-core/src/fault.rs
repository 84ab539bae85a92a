//! A raw-TCP fault server for tests (feature `test-util`): faults that wiremock cannot
//! make, such as reading the request and then dropping the connection.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use voxkit_core::fault::{Fault, FaultServer};
//! let server = FaultServer::start(vec![Fault::DropAfterRequest]).await;
//! // point a client at server.url(), call it, then:
//! assert_eq!(server.requests(), 0);
//! # }
//! ```

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the server does on one connection, after reading a complete request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection without answering: the request reached the server.
    DropAfterRequest,
    /// Never answer (until the client gives up).
    Stall,
    /// Answer with headers declaring `declared` body bytes, send `body`, then close.
    Truncated {
        /// The status line's code.
        status: u16,
        /// The `Content-Length` declared.
        declared: usize,
        /// The bytes actually sent.
        body: Vec<u8>,
    },
    /// Accept the connection and never read from it nor write to it: a client that
    /// speaks TLS (an `https://` URL, see [`FaultServer::https_url`]) never completes its
    /// handshake, so the connection is never established and nothing is sent. Checked when
    /// a connection is accepted, so make it the only fault of its server.
    SilentConnection,
    /// Answer with this status, these extra headers and this body.
    Respond {
        /// The status code.
        status: u16,
        /// Extra headers, e.g. `("Retry-After", "1")`.
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
}

impl Fault {
    /// `200 OK` with a JSON body.
    pub fn json(body: &str) -> Self {
        Fault::Respond {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// This status with a JSON body (a provider's error envelope in a 5xx, say).
    pub fn json_status(status: u16, body: &str) -> Self {
        Fault::Respond {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// The HTML page a gateway sends with `502 Bad Gateway`.
    pub fn html_502() -> Self {
        Fault::Respond {
            status: 502,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
                .to_vec(),
        }
    }
}

/// A server on `127.0.0.1` that applies `faults[n]` to the `n`-th request (the last one
/// repeats), counting the complete requests it read.
#[derive(Debug)]
pub struct FaultServer {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    task: JoinHandle<()>,
}

impl FaultServer {
    /// Starts the server on an ephemeral loopback port.
    ///
    /// # Panics
    /// If `faults` is empty or no loopback port can be bound.
    pub async fn start(faults: Vec<Fault>) -> Self {
        assert!(!faults.is_empty(), "FaultServer needs at least one fault");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let faults = Arc::new(faults);
        let (count, log, accepted) = (requests.clone(), received.clone(), connections.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_nodelay(true);
                let (faults, count, log) = (faults.clone(), count.clone(), log.clone());
                tokio::spawn(async move { serve(stream, &faults, &count, &log).await });
            }
        });
        FaultServer {
            addr,
            connections,
            requests,
            received,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `https://127.0.0.1:<port>`: the same server, for a client that speaks TLS to it
    /// (with [`Fault::SilentConnection`], a handshake that never completes).
    pub fn https_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// The number of TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The number of complete requests read so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// The raw bytes of every complete request read so far (head and body).
    pub fn received(&self) -> Vec<Vec<u8>> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback URL where nothing listens: connecting is refused.
pub async fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    format!("http://{addr}")
}

async fn serve(
    mut stream: TcpStream,
    faults: &[Fault],
    count: &AtomicUsize,
    log: &Mutex<Vec<Vec<u8>>>,
) {
    if faults[count.load(Ordering::SeqCst).min(faults.len() - 1)] == Fault::SilentConnection {
        // Hold the connection open, silent, until the client gives up.
        let _open = &mut stream;
        std::future::pending::<()>().await;
    }
    // Keep-alive: one connection may carry several requests.
    loop {
        let Some(request) = read_request(&mut stream).await else {
            return;
        };
        let n = count.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut log) = log.lock() {
            log.push(request);
        }
        let fault = &faults[n.min(faults.len() - 1)];
        match fault {
            Fault::DropAfterRequest => return,
            Fault::Stall | Fault::SilentConnection => {
                std::future::pending::<()>().await;
            }
            Fault::Truncated {
                status,
                declared,
                body,
            } => {
                let head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {declared}\r\n\r\n"
                );
                let mut bytes = head.into_bytes();
                bytes.extend_from_slice(body);
                let _ = stream.write_all(&bytes).await;
                let _ = stream.flush().await;
                return;
            }
            Fault::Respond {
                status,
                headers,
                body,
            } => {
                let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                // One write: head and body in separate small writes would meet Nagle's
                // algorithm and the peer's delayed ACK (40 ms per answer).
                let mut bytes = head.into_bytes();
                bytes.extend_from_slice(body);
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Reads one request (head, then `Content-Length` body bytes). `None` on EOF or error.
async fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(buf)
}
