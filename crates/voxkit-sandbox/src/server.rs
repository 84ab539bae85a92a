//! The accept loop: each connection is served by hyper, and a handler (or the fault layer)
//! can close its connection without answering — which axum's own `serve` cannot do.
//!
//! It also protects the sandbox from slow and idle clients (see [`Timeouts`]):
//!
//! - **header timeout** (hyper's `header_read_timeout`): a request head must be complete
//!   within this time of the connection starting to wait for it (at accept, or after the
//!   previous answer); otherwise the connection is closed without an answer.
//! - **idle timeout**: a connection with no request being handled that receives not one
//!   byte for this long is closed (a keep-alive connection left open, or a socket opened
//!   and never used). Since hyper's header timer also runs while a connection waits, an
//!   idle connection is closed after the shorter of the two.
//! - **body timeout**: a request body must arrive whole within this time of its head; if
//!   not, the request is answered `408 Request Timeout` with `Connection: close` and the
//!   handler gets nothing (it never applies anything).
//! - **connection bound**: at most `max_connections` connections are open. When a new one
//!   arrives at the bound, the connection idle the longest (no request being handled) is
//!   closed to make room; if every connection is busy handling a request (each is bounded
//!   by the body timeout and the handler), the new one waits in the listen backlog until
//!   one finishes. So idle sockets can never lock other clients out, and the sandbox never
//!   runs out of file descriptors because of them.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// The protections against slow and idle clients, set on the
/// [`SandboxBuilder`](crate::SandboxBuilder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timeouts {
    pub header: Duration,
    pub body: Duration,
    pub idle: Duration,
    pub max_connections: usize,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            header: Duration::from_secs(10),
            body: Duration::from_secs(30),
            idle: Duration::from_secs(10),
            max_connections: 256,
        }
    }
}

/// A handle that closes the connection a request arrived on, without an answer. Every
/// request carries one in its extensions.
#[derive(Clone, Debug)]
pub(crate) struct Hangup(Arc<Notify>);

impl Hangup {
    /// Closes the connection; whatever the handler was about to send is never sent.
    pub(crate) fn now(&self) {
        self.0.notify_one();
    }
}

/// What the accept loop and a connection's own task know about one connection.
struct Conn {
    /// Requests being handled (0 or 1 with HTTP/1).
    in_flight: watch::Sender<usize>,
    /// Bytes read from the socket so far.
    read: AtomicU64,
    /// When the last request finished (or the connection was accepted).
    idle_since: Mutex<Instant>,
    /// Closes the connection.
    close: Hangup,
}

impl Conn {
    fn is_idle(&self) -> bool {
        *self.in_flight.borrow() == 0
    }
}

/// The open connections, for the bound.
struct Registry {
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
    /// Notified whenever a connection closes or finishes a request.
    changed: Notify,
    max: usize,
}

impl Registry {
    /// Whether a new connection may be registered now: below the bound, or after closing
    /// the connection idle the longest.
    fn make_room(&self) -> bool {
        let mut conns = self.conns.lock().unwrap_or_else(|e| e.into_inner());
        if conns.len() < self.max {
            return true;
        }
        let oldest_idle = conns
            .iter()
            .filter(|(_, c)| c.is_idle())
            .min_by_key(|(id, c)| {
                (
                    *c.idle_since.lock().unwrap_or_else(|e| e.into_inner()),
                    **id,
                )
            })
            .map(|(id, _)| *id);
        match oldest_idle.and_then(|id| conns.remove(&id)) {
            Some(evicted) => {
                tracing::debug!("sandbox: connection bound reached, closing the oldest idle one");
                evicted.close.now();
                true
            }
            None => false,
        }
    }

    fn remove(&self, id: u64) {
        self.conns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
        self.changed.notify_waiters();
    }
}

/// Marks a request in flight on its connection until dropped.
struct InFlight {
    conn: Arc<Conn>,
    registry: Arc<Registry>,
}

impl InFlight {
    fn start(conn: &Arc<Conn>, registry: &Arc<Registry>) -> InFlight {
        conn.in_flight.send_modify(|n| *n += 1);
        InFlight {
            conn: conn.clone(),
            registry: registry.clone(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        *self
            .conn
            .idle_since
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.conn
            .in_flight
            .send_modify(|n| *n = n.saturating_sub(1));
        self.registry.changed.notify_waiters();
    }
}

/// Serves `app` on `listener` until the task is aborted.
pub(crate) async fn serve(listener: TcpListener, app: Router, timeouts: Timeouts) {
    let registry = Arc::new(Registry {
        conns: Mutex::new(HashMap::new()),
        changed: Notify::new(),
        max: timeouts.max_connections.max(1),
    });
    let mut next_id = 0u64;
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %e, "sandbox accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Room for it: below the bound, or by closing the longest idle connection, or
        // once a busy one finishes.
        loop {
            let changed = registry.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if registry.make_room() {
                break;
            }
            changed.await;
        }
        let _ = stream.set_nodelay(true);
        next_id += 1;
        let id = next_id;
        let conn = Arc::new(Conn {
            in_flight: watch::Sender::new(0),
            read: AtomicU64::new(0),
            idle_since: Mutex::new(Instant::now()),
            close: Hangup(Arc::new(Notify::new())),
        });
        registry
            .conns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, conn.clone());
        tokio::spawn(connection(
            stream,
            app.clone(),
            conn,
            registry.clone(),
            id,
            timeouts,
        ));
    }
}

/// Serves one connection until it ends, is hung up on, or idles too long.
async fn connection(
    stream: TcpStream,
    app: Router,
    conn: Arc<Conn>,
    registry: Arc<Registry>,
    id: u64,
    timeouts: Timeouts,
) {
    let io = TokioIo::new(Counted {
        inner: stream,
        conn: conn.clone(),
    });
    let (for_service, for_registry) = (conn.clone(), registry.clone());
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let in_flight = InFlight::start(&for_service, &for_registry);
        let timed_out = Arc::new(AtomicBool::new(false));
        let mut request = request.map(|body| {
            axum::body::Body::new(TimedBody {
                inner: body,
                deadline: Box::pin(tokio::time::sleep(timeouts.body)),
                timed_out: timed_out.clone(),
            })
        });
        request.extensions_mut().insert(for_service.close.clone());
        let app = app.clone();
        let path = request.uri().path().to_owned();
        async move {
            let _in_flight = in_flight;
            let Ok(response) = app.oneshot(request).await;
            if timed_out.load(Ordering::SeqCst) {
                return Ok::<_, Infallible>(body_timeout(&path, timeouts.body));
            }
            Ok::<_, Infallible>(response)
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header)
        .keep_alive(true)
        .serve_connection(io, service)
        // ESP-AI's device channel upgrades to a WebSocket; the upgraded socket then lives
        // in its handler's task, outside these timeouts.
        .with_upgrades();
    tokio::select! {
        _ = connection => {}
        // Dropping the connection future closes the socket, mid-request included.
        _ = conn.close.0.notified() => {}
        _ = idle_watch(&conn, timeouts.idle) => {
            tracing::debug!("sandbox: closing a connection idle too long");
        }
    }
    registry.remove(id);
}

/// Ends when the connection has had no request in flight and received no byte for
/// `idle`. Once bytes of a request head arrive, the header timeout governs instead.
async fn idle_watch(conn: &Conn, idle: Duration) {
    let mut in_flight = conn.in_flight.subscribe();
    loop {
        if *in_flight.borrow_and_update() > 0 {
            if in_flight.changed().await.is_err() {
                return std::future::pending().await;
            }
            continue;
        }
        let read = conn.read.load(Ordering::SeqCst);
        tokio::select! {
            changed = in_flight.changed() => {
                if changed.is_err() {
                    return std::future::pending().await;
                }
            }
            () = tokio::time::sleep(idle) => {
                if conn.is_idle() && conn.read.load(Ordering::SeqCst) == read {
                    return;
                }
                // A head is arriving: hyper's header timer closes it if it is too slow.
                if in_flight.changed().await.is_err() {
                    return std::future::pending().await;
                }
            }
        }
    }
}

/// The answer to a request whose body did not arrive in time, in the envelope of the
/// provider of `path`.
fn body_timeout(path: &str, limit: Duration) -> Response {
    let mut response = crate::envelope::http_refusal(
        path,
        StatusCode::REQUEST_TIMEOUT,
        &format!(
            "the request body did not arrive within {} ms",
            limit.as_millis()
        ),
    );
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A request body that fails once its deadline passes.
struct TimedBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
    timed_out: Arc<AtomicBool>,
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.timed_out.store(true, Ordering::SeqCst);
            return Poll::Ready(Some(Err("request body timeout".into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The socket, counting the bytes read for the idle timeout.
struct Counted {
    inner: TcpStream,
    conn: Arc<Conn>,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = buf.filled().len().saturating_sub(before);
        if read > 0 {
            self.conn.read.fetch_add(read as u64, Ordering::SeqCst);
        }
        result
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
