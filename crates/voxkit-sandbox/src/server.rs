//! The accept loop: each connection is served by hyper, and a handler (or the fault layer)
//! can close its connection without answering — which axum's own `serve` cannot do.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

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

/// Serves `app` on `listener` until the task is aborted.
pub(crate) async fn serve(listener: TcpListener, app: Router) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %e, "sandbox accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move {
            let hangup = Hangup(Arc::new(Notify::new()));
            let for_requests = hangup.clone();
            let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(for_requests.clone());
                let app = app.clone();
                async move {
                    let Ok(response) = app.oneshot(request).await;
                    Ok::<_, Infallible>(response)
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                // Dropping the connection future closes the socket, mid-request included.
                _ = hangup.0.notified() => {}
            }
        });
    }
}
