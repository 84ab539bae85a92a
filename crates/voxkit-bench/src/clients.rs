//! The three clients under test, each making the same calls: voxkit, raw reqwest written
//! as a user would write it, and a raw hyper client.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use voxkit_core::RetryPolicy;

use crate::fixtures::{
    API_KEY, API_SECRET, CARDS, OPEN_API_KEY, PlainAck, PlainBalance, PlainList, TOKEN, USER, sign,
    unix_now,
};

/// What one call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Laaffic `GET /v3/getBalance`: signed headers, ~90-byte answer.
    Balance,
    /// longlonglong `PUT .../recharge` with a JSON body.
    Recharge,
    /// ESP-AI `POST /cdkey/list` answered with 10,000 cards (2.29 MB).
    List,
}

impl Workload {
    /// The name on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Balance => "balance",
            Workload::Recharge => "recharge",
            Workload::List => "list10k",
        }
    }

    /// The workload of a name.
    pub fn parse(name: &str) -> Option<Workload> {
        [Workload::Balance, Workload::Recharge, Workload::List]
            .into_iter()
            .find(|w| w.name() == name)
    }
}

/// Which client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The SDK with its default transport (reqwest).
    Voxkit,
    /// The SDK with its lean transport (`voxkit_core::transport::HyperTransport`).
    VoxkitLean,
    /// reqwest by hand.
    Reqwest,
    /// hyper-util's client by hand.
    Hyper,
}

impl Kind {
    /// Every kind, in the order the rounds run them.
    pub const ALL: [Kind; 4] = [Kind::Voxkit, Kind::VoxkitLean, Kind::Reqwest, Kind::Hyper];

    /// The name on the command line and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Voxkit => "voxkit",
            Kind::VoxkitLean => "voxkit+hyper",
            Kind::Reqwest => "reqwest",
            Kind::Hyper => "hyper",
        }
    }

    /// The kind of a name.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A ready client of one kind.
#[derive(Clone)]
pub enum Client {
    /// The SDK's three clients.
    Voxkit {
        /// Laaffic.
        laaffic: voxkit_laaffic::Client,
        /// longlonglong.
        longlonglong: voxkit_longlonglong::Client,
        /// ESP-AI.
        espai: voxkit_espai::Client,
        /// The recharged user.
        user: voxkit_longlonglong::UserId,
    },
    /// One shared reqwest client.
    Reqwest {
        /// The client.
        client: voxkit_core::reqwest::Client,
        /// `http://127.0.0.1:port`.
        base: String,
    },
    /// One shared hyper-util client.
    Hyper {
        /// The client (boxed: it is much larger than the others).
        client: Box<HyperClient<HttpConnector, Full<Bytes>>>,
        /// `http://127.0.0.1:port`.
        base: String,
    },
}

impl Client {
    /// A client of `kind` for the server at `base`.
    pub fn new(kind: Kind, base: &str) -> Result<Client, String> {
        Ok(match kind {
            Kind::Voxkit | Kind::VoxkitLean => {
                // Default settings, except that a benchmark must not retry.
                let retry = RetryPolicy::none();
                let mut laaffic = voxkit_laaffic::Client::builder()
                    .credentials(API_KEY, API_SECRET)
                    .base_url(base)
                    .retry_policy(retry.clone());
                let mut longlonglong = voxkit_longlonglong::Client::builder()
                    .token(TOKEN)
                    .base_url(base)
                    .retry_policy(retry.clone());
                let mut espai = voxkit_espai::Client::builder()
                    .api_key(OPEN_API_KEY)
                    .base_url(base)
                    .retry_policy(retry);
                if kind == Kind::VoxkitLean {
                    let lean: Arc<dyn voxkit_core::Transport> = Arc::new(
                        voxkit_core::transport::HyperTransport::new(Duration::from_secs(5))?,
                    );
                    laaffic = laaffic.transport(lean.clone());
                    longlonglong = longlonglong.transport(lean.clone());
                    espai = espai.transport(lean);
                }
                Client::Voxkit {
                    laaffic: laaffic.build().map_err(|e| e.to_string())?,
                    longlonglong: longlonglong.build().map_err(|e| e.to_string())?,
                    espai: espai.build().map_err(|e| e.to_string())?,
                    user: USER
                        .parse()
                        .map_err(|e: voxkit_core::Error| e.to_string())?,
                }
            }
            // The same TLS and HTTP settings voxkit uses (reqwest's defaults otherwise).
            Kind::Reqwest => Client::Reqwest {
                client: voxkit_core::transport::http_client_builder()?
                    .connect_timeout(Duration::from_secs(5))
                    .build()
                    .map_err(|e| e.to_string())?,
                base: base.to_owned(),
            },
            Kind::Hyper => {
                let mut connector = HttpConnector::new();
                connector.set_nodelay(true);
                Client::Hyper {
                    client: Box::new(HyperClient::builder(TokioExecutor::new()).build(connector)),
                    base: base.to_owned(),
                }
            }
        })
    }

    /// One call; checks the answer.
    pub async fn call(&self, workload: Workload) -> Result<(), String> {
        match self {
            Client::Voxkit {
                laaffic,
                longlonglong,
                espai,
                user,
            } => match workload {
                Workload::Balance => {
                    let b = laaffic.balance().await.map_err(|e| e.to_string())?;
                    check(!b.balance.is_zero(), "balance")
                }
                Workload::Recharge => {
                    longlonglong
                        .recharge(user, 100, Some("bench"))
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok(())
                }
                Workload::List => {
                    let filter = voxkit_espai::CardFilter::new().limit(CARDS as u32);
                    let page = espai.list_cards(&filter).await.map_err(|e| e.to_string())?;
                    check(page.items.len() == CARDS, "card count")
                }
            },
            Client::Reqwest { client, base } => {
                let response = match workload {
                    Workload::Balance => {
                        let ts = unix_now();
                        client
                            .get(format!("{base}/v3/getBalance"))
                            .header("Content-Type", "application/json;charset=UTF-8")
                            .header("Api-Key", API_KEY)
                            .header("Timestamp", ts.to_string())
                            .header("Sign", sign(ts))
                            .send()
                            .await
                    }
                    Workload::Recharge => {
                        client
                            .put(format!("{base}/agent-api/user/{USER}/recharge"))
                            .header("Content-Type", "application/json")
                            .header("Authorization", format!("Bearer {TOKEN}"))
                            .body(r#"{"amount":100,"type":1,"remark":"bench"}"#)
                            .send()
                            .await
                    }
                    Workload::List => {
                        client
                            .post(format!("{base}/cdkey/list"))
                            .header("Content-Type", "application/json")
                            .header("authorization", OPEN_API_KEY)
                            .body(r#"{"limit":"10000"}"#)
                            .send()
                            .await
                    }
                }
                .map_err(|e| e.to_string())?;
                check(response.status().is_success(), "status")?;
                let body = response.bytes().await.map_err(|e| e.to_string())?;
                decode(workload, &body)
            }
            Client::Hyper { client, base } => {
                let builder = hyper::Request::builder();
                let request = match workload {
                    Workload::Balance => {
                        let ts = unix_now();
                        builder
                            .method("GET")
                            .uri(format!("{base}/v3/getBalance"))
                            .header("Content-Type", "application/json;charset=UTF-8")
                            .header("Api-Key", API_KEY)
                            .header("Timestamp", ts.to_string())
                            .header("Sign", sign(ts))
                            .body(Full::new(Bytes::new()))
                    }
                    Workload::Recharge => builder
                        .method("PUT")
                        .uri(format!("{base}/agent-api/user/{USER}/recharge"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", format!("Bearer {TOKEN}"))
                        .body(Full::new(Bytes::from_static(
                            br#"{"amount":100,"type":1,"remark":"bench"}"#,
                        ))),
                    Workload::List => builder
                        .method("POST")
                        .uri(format!("{base}/cdkey/list"))
                        .header("Content-Type", "application/json")
                        .header("authorization", OPEN_API_KEY)
                        .body(Full::new(Bytes::from_static(br#"{"limit":"10000"}"#))),
                }
                .map_err(|e| e.to_string())?;
                let response = client.request(request).await.map_err(|e| e.to_string())?;
                check(response.status().is_success(), "status")?;
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?
                    .to_bytes();
                decode(workload, &body)
            }
        }
    }
}

/// The hand-written clients' decoding: plain serde into the same shapes.
pub fn decode(workload: Workload, body: &[u8]) -> Result<(), String> {
    match workload {
        Workload::Balance => {
            let b: PlainBalance = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            check(b.status == "0" && !b.balance.is_zero(), "balance")
        }
        Workload::Recharge => {
            let a: PlainAck = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            check(a.code == 200, "ack")
        }
        Workload::List => {
            let l: PlainList = serde_json::from_slice(body).map_err(|e| e.to_string())?;
            check(l.success && l.data.len() == CARDS, "card count")
        }
    }
}

fn check(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("unexpected answer: {what}"))
    }
}
