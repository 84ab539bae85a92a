//! The benchmark server: hyper, HTTP/1.1 keep-alive, precomputed bodies; it checks the
//! Laaffic signature and the other credentials cheaply, so a wrong request cannot pass.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::fixtures::{
    ACK_BODY, API_KEY, BALANCE_BODY, CARDS, OPEN_API_KEY, TOKEN, USER, cards_body, sign,
};

struct Bodies {
    cards: Bytes,
    recharge_path: String,
    bearer: String,
}

/// Serves forever on `listener`.
pub async fn serve(listener: TcpListener) {
    let bodies = Arc::new(Bodies {
        cards: cards_body(CARDS),
        recharge_path: format!("/agent-api/user/{USER}/recharge"),
        bearer: format!("Bearer {TOKEN}"),
    });
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let bodies = bodies.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let bodies = bodies.clone();
                async move { Ok::<_, Infallible>(answer(request, &bodies).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn json(body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

fn refuse() -> Response<Full<Bytes>> {
    let mut response = json(Bytes::from_static(b"{\"error\":\"refused\"}"));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
}

async fn answer(request: Request<Incoming>, bodies: &Bodies) -> Response<Full<Bytes>> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let path = request.uri().path().to_owned();
    match path.as_str() {
        "/v3/getBalance" => {
            let Ok(timestamp) = header("timestamp").parse::<u64>() else {
                return refuse();
            };
            if header("api-key") != API_KEY || header("sign") != sign(timestamp) {
                return refuse();
            }
            json(Bytes::from_static(BALANCE_BODY))
        }
        "/cdkey/list" => {
            if header("authorization") != OPEN_API_KEY {
                return refuse();
            }
            let _ = request.into_body().collect().await;
            json(bodies.cards.clone())
        }
        p if p == bodies.recharge_path => {
            if header("authorization") != bodies.bearer {
                return refuse();
            }
            let _ = request.into_body().collect().await;
            json(Bytes::from_static(ACK_BODY))
        }
        _ => {
            let mut response = json(Bytes::from_static(b"{}"));
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    }
}
