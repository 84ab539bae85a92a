//! The device channel (feature `channel`): ESP-AI's real-time WebSocket for the devices of
//! one agent (超体), documentation section 设备实时电量监听 (`/dev/battery/`), which the pages
//! on online state, volume, OTA upgrades and local data all point to.
//!
//! - Connect: `wss://<agent host>/connect_espai_node/?device_type=client_page&api_key=<the
//!   agent's api_key>` (the agent host is [`ClientBuilder::agent_base_url`]; `http://`
//!   becomes `ws://`, which core allows only to loopback or with `allow_http`).
//! - Heartbeat: the text `ping` every 20 s ([`PING_INTERVAL`]); the server answers `pong`.
//! - Incoming: JSON `{type, device_id, data}`, `type` one of `battery`,
//!   `device_is_online_res`, `on_iat_end_cb`, `on_llm_cb`, `ota_update_res`, `ota_progress`,
//!   `ota_update_error`, `endpoint_data`, `get_local_data_res` ([`DeviceEvent`]; anything
//!   else is [`DeviceEvent::Unknown`] with the raw JSON).
//! - Outgoing: `{"type":"set_volume","data":0.5}` (0 to 1) and `{"type":"get_local_data"}`.
//!
//! The documentation's own client reconnects whenever the socket closes; so does this one,
//! with a bounded exponential backoff ([`ChannelOptions`]), and says so with
//! [`DeviceEvent::Reconnected`]. The key travels in the URL's query: it is never logged,
//! and every error and `Debug` shows the URL with `api_key=[redacted]`.
//!
//! [`ClientBuilder::agent_base_url`]: crate::ClientBuilder

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{SinkExt, Stream, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use voxkit_core::redact::{REDACTED, clean_text, credential};
use voxkit_core::reqwest::StatusCode;
use voxkit_core::reqwest::Url;
use voxkit_core::{Error, ExposeSecret, Origin, SecretString, TransportKind};

use crate::{Client, PROVIDER};

/// The channel's path on the agent host, as the documentation's example connects.
pub const CHANNEL_PATH: &str = "/connect_espai_node/";

/// How often the heartbeat `ping` is sent: the documentation's example sends one every
/// 20 s, and a server that hears nothing for longer may close the socket.
pub const PING_INTERVAL: Duration = Duration::from_secs(20);

/// The largest message accepted from the server (1 MiB): the documented messages are a
/// few hundred bytes, and a bound keeps a broken server from exhausting memory.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// The origin of every error of the channel.
const ORIGIN: Origin = Origin::new(PROVIDER, "device_channel");

/// How the channel keeps itself alive: heartbeat, connect timeout and the reconnect
/// backoff. The defaults follow the documentation's client (20 s ping) and stay polite to
/// the server after an outage (0.5 s doubling up to 30 s, at most 10 attempts in a row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelOptions {
    /// The heartbeat interval ([`PING_INTERVAL`]).
    pub ping_interval: Duration,
    /// The time a connection (TCP, TLS and the WebSocket handshake) may take.
    pub connect_timeout: Duration,
    /// The wait before the first reconnect attempt; each further attempt waits twice as
    /// long as the one before, up to [`ChannelOptions::max_backoff`].
    pub first_backoff: Duration,
    /// The longest wait between two reconnect attempts.
    pub max_backoff: Duration,
    /// The reconnect attempts in a row after which the stream ends with the last error.
    pub max_reconnects: u32,
}

impl Default for ChannelOptions {
    fn default() -> Self {
        ChannelOptions {
            ping_interval: PING_INTERVAL,
            connect_timeout: Duration::from_secs(10),
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_reconnects: 10,
        }
    }
}

impl ChannelOptions {
    /// The wait before reconnect attempt `attempt` (1-based): `first_backoff` doubled each
    /// time, never more than `max_backoff`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.first_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// One documented message: the device it is about and its `data`, kept as JSON because
/// the documentation shows no schema for it (the accessors read the common forms).
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceMessage {
    /// The device (its MAC address, as `device_id` in the device list), when sent.
    pub device_id: Option<String>,
    /// The message's `data`, as sent (`Value::Null` when absent).
    pub data: Value,
}

impl DeviceMessage {
    /// `data` as a number (a JSON number or a numeric string): a battery level, an OTA
    /// percentage, a volume.
    pub fn number(&self) -> Option<f64> {
        match &self.data {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().trim_end_matches('%').parse().ok(),
            _ => None,
        }
    }

    /// `data` as a yes/no (`true`/`false`, `1`/`0`, `"1"`/`"0"`, `"true"`/`"false"`): the
    /// online state.
    pub fn flag(&self) -> Option<bool> {
        match &self.data {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => n.as_i64().map(|n| n != 0),
            Value::String(s) => match s.trim() {
                "1" | "true" => Some(true),
                "0" | "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }
}

/// What the device channel yields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DeviceEvent {
    /// `battery`: the device's battery level ([`DeviceMessage::number`]).
    Battery(DeviceMessage),
    /// `device_is_online_res`: the device came online or went offline
    /// ([`DeviceMessage::flag`]).
    Online(DeviceMessage),
    /// `on_iat_end_cb`: speech recognition finished.
    IatEnd(DeviceMessage),
    /// `on_llm_cb`: a language-model answer.
    Llm(DeviceMessage),
    /// `ota_update_res`: whether an OTA upgrade started.
    OtaStarted(DeviceMessage),
    /// `ota_progress`: an OTA upgrade's progress. The documentation warns that the device
    /// drops off the network at about 50 % to restart.
    OtaProgress(DeviceMessage),
    /// `ota_update_error`: an OTA upgrade failed.
    OtaError(DeviceMessage),
    /// `endpoint_data`: data of a controlled device arrived or changed (its volume among
    /// them, after [`DeviceChannel::set_volume`]).
    EndpointData(DeviceMessage),
    /// `get_local_data_res`: the data stored on the device, answering
    /// [`DeviceChannel::get_local_data`].
    LocalData(DeviceMessage),
    /// The connection dropped and was made again after `attempts` attempts; messages sent
    /// while it was down are lost.
    Reconnected {
        /// The attempts this reconnection took (1 when the first one succeeded).
        attempts: u32,
    },
    /// A message of a type this version does not know, or not a JSON object: the raw
    /// message, parsed when it is JSON (else a JSON string of its text).
    Unknown(Value),
}

impl DeviceEvent {
    /// The wire `type` of the event (`"reconnected"` for [`DeviceEvent::Reconnected`],
    /// the message's own `type` or `"unknown"` for [`DeviceEvent::Unknown`]).
    pub fn kind(&self) -> &str {
        match self {
            DeviceEvent::Battery(_) => "battery",
            DeviceEvent::Online(_) => "device_is_online_res",
            DeviceEvent::IatEnd(_) => "on_iat_end_cb",
            DeviceEvent::Llm(_) => "on_llm_cb",
            DeviceEvent::OtaStarted(_) => "ota_update_res",
            DeviceEvent::OtaProgress(_) => "ota_progress",
            DeviceEvent::OtaError(_) => "ota_update_error",
            DeviceEvent::EndpointData(_) => "endpoint_data",
            DeviceEvent::LocalData(_) => "get_local_data_res",
            DeviceEvent::Reconnected { .. } => "reconnected",
            DeviceEvent::Unknown(raw) => {
                raw.get("type").and_then(Value::as_str).unwrap_or("unknown")
            }
        }
    }

    /// The message's device and data, for the documented types.
    pub fn message(&self) -> Option<&DeviceMessage> {
        match self {
            DeviceEvent::Battery(m)
            | DeviceEvent::Online(m)
            | DeviceEvent::IatEnd(m)
            | DeviceEvent::Llm(m)
            | DeviceEvent::OtaStarted(m)
            | DeviceEvent::OtaProgress(m)
            | DeviceEvent::OtaError(m)
            | DeviceEvent::EndpointData(m)
            | DeviceEvent::LocalData(m) => Some(m),
            DeviceEvent::Reconnected { .. } | DeviceEvent::Unknown(_) => None,
        }
    }

    /// The event as one JSON object: the wire form `{type, device_id, data}` for
    /// messages, `{"type": "reconnected", "attempts": n}`, or the raw unknown message.
    pub fn to_json(&self) -> Value {
        match self {
            DeviceEvent::Reconnected { attempts } => {
                json!({"type": "reconnected", "attempts": attempts})
            }
            DeviceEvent::Unknown(raw) => raw.clone(),
            other => {
                let m = other.message().expect("every other arm carries a message");
                json!({"type": other.kind(), "device_id": m.device_id, "data": m.data})
            }
        }
    }

    /// Decodes one text message of the server.
    pub fn parse(text: &str) -> DeviceEvent {
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            return DeviceEvent::Unknown(Value::String(text.to_owned()));
        };
        let Some(object) = value.as_object() else {
            return DeviceEvent::Unknown(value);
        };
        let message = || DeviceMessage {
            device_id: match object.get("device_id") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            },
            data: object.get("data").cloned().unwrap_or(Value::Null),
        };
        match object.get("type").and_then(Value::as_str) {
            Some("battery") => DeviceEvent::Battery(message()),
            Some("device_is_online_res") => DeviceEvent::Online(message()),
            Some("on_iat_end_cb") => DeviceEvent::IatEnd(message()),
            Some("on_llm_cb") => DeviceEvent::Llm(message()),
            Some("ota_update_res") => DeviceEvent::OtaStarted(message()),
            Some("ota_progress") => DeviceEvent::OtaProgress(message()),
            Some("ota_update_error") => DeviceEvent::OtaError(message()),
            Some("endpoint_data") => DeviceEvent::EndpointData(message()),
            Some("get_local_data_res") => DeviceEvent::LocalData(message()),
            _ => DeviceEvent::Unknown(value),
        }
    }
}

/// A command for the connection task, with where to say whether it was written.
type Command = (String, oneshot::Sender<Result<(), Error>>);

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// An open device channel: a [`Stream`] of [`DeviceEvent`]s (an `Err` only when the
/// connection is lost for good: the key was refused, or the reconnect attempts ran out;
/// the stream then ends), and the two commands. Dropping it closes the connection.
///
/// A task on the current Tokio runtime keeps the connection: it answers the heartbeat,
/// reconnects, and hands over events as they come (up to 256 waiting; beyond that it
/// waits for the stream to be read).
pub struct DeviceChannel {
    events: mpsc::Receiver<Result<DeviceEvent, Error>>,
    commands: mpsc::Sender<Command>,
    shown_url: String,
}

impl fmt::Debug for DeviceChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceChannel")
            .field("url", &self.shown_url)
            .finish_non_exhaustive()
    }
}

impl Stream for DeviceChannel {
    type Item = Result<DeviceEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.poll_recv(cx)
    }
}

impl DeviceChannel {
    /// Sets the volume of the agent's devices: `{"type":"set_volume","data":volume}`, the
    /// documentation's range 0 to 1 checked first (nothing is sent otherwise). `Ok` once
    /// written to the socket; the devices' answer, if any, comes as an event. An error when
    /// the connection is down (reconnecting or lost): nothing was sent.
    pub async fn set_volume(&self, volume: f32) -> Result<(), Error> {
        if !(0.0..=1.0).contains(&volume) {
            return Err(Error::InvalidInput {
                origin: Origin::new(PROVIDER, "set_volume"),
                message: format!("volume {volume} is outside 0 to 1").into(),
            });
        }
        // Two decimals as the documentation's example (0.5), not f32's 0.30000001.
        let volume = (f64::from(volume) * 1000.0).round() / 1000.0;
        self.send(json!({"type": "set_volume", "data": volume}))
            .await
    }

    /// Asks the devices for the data stored on them: `{"type":"get_local_data"}`, answered
    /// by [`DeviceEvent::LocalData`]. Errors as [`DeviceChannel::set_volume`].
    pub async fn get_local_data(&self) -> Result<(), Error> {
        self.send(json!({"type": "get_local_data"})).await
    }

    async fn send(&self, message: Value) -> Result<(), Error> {
        let (reply, answer) = oneshot::channel();
        let lost = || not_sent("the device channel is closed");
        self.commands
            .send((message.to_string(), reply))
            .await
            .map_err(|_| lost())?;
        answer.await.map_err(|_| lost())?
    }
}

impl Client {
    /// Opens the device channel of the agent (超体) whose `api_key` this is, with the
    /// default [`ChannelOptions`]. Returns once connected: a refused key, an unreachable
    /// host or a bad base URL is an error here, not an event.
    pub async fn device_channel(
        &self,
        agent_api_key: impl Into<SecretString>,
    ) -> Result<DeviceChannel, Error> {
        self.device_channel_with(agent_api_key, ChannelOptions::default())
            .await
    }

    /// [`Client::device_channel`] with these heartbeat and reconnect settings.
    pub async fn device_channel_with(
        &self,
        agent_api_key: impl Into<SecretString>,
        options: ChannelOptions,
    ) -> Result<DeviceChannel, Error> {
        let key = credential(ORIGIN, "agent api_key", agent_api_key.into())?;
        let target = Target::new(self.agent_core().base_url(), key)?;
        let socket = target.connect(&options).await?;
        let (events_tx, events) = mpsc::channel(256);
        let (commands, commands_rx) = mpsc::channel(16);
        let shown_url = target.shown.clone();
        tokio::spawn(drive(target, options, socket, events_tx, commands_rx));
        Ok(DeviceChannel {
            events,
            commands,
            shown_url,
        })
    }
}

/// Where and how to connect; the key only inside `url`.
struct Target {
    url: Url,
    /// `url` with `api_key=[redacted]`, for `Debug` and errors.
    shown: String,
    key: SecretString,
}

impl Target {
    fn new(base: &Url, key: SecretString) -> Result<Target, Error> {
        let mut url = base.clone();
        let scheme = match base.scheme() {
            "https" => "wss",
            // Core admitted this `http://` base URL: loopback, or `allow_http(true)`.
            "http" => "ws",
            other => {
                return Err(Error::config(
                    ORIGIN,
                    format!("the agent base URL's scheme {other:?} has no WebSocket form"),
                ));
            }
        };
        url.set_scheme(scheme)
            .map_err(|()| Error::config(ORIGIN, "the agent base URL cannot become ws://"))?;
        let path = format!("{}{CHANNEL_PATH}", base.path().trim_end_matches('/'));
        url.set_path(&path);
        url.set_fragment(None);
        let mut shown = url.clone();
        shown
            .query_pairs_mut()
            .clear()
            .append_pair("device_type", "client_page")
            .append_pair("api_key", REDACTED);
        url.query_pairs_mut()
            .clear()
            .append_pair("device_type", "client_page")
            .append_pair("api_key", key.expose_secret());
        Ok(Target {
            url,
            shown: shown.to_string(),
            key,
        })
    }

    /// One connection attempt within the connect timeout.
    async fn connect(&self, options: &ChannelOptions) -> Result<Socket, Error> {
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        let attempt = open(&self.url, config)?;
        match tokio::time::timeout(options.connect_timeout, attempt).await {
            Ok(Ok((socket, _response))) => Ok(socket),
            Ok(Err(e)) => Err(self.error(e)),
            Err(_) => Err(Error::Transport {
                origin: ORIGIN,
                kind: TransportKind::ConnectTimeout,
                source: Some(
                    format!(
                        "{}: no connection within {:?}",
                        self.shown, options.connect_timeout
                    )
                    .into(),
                ),
            }),
        }
    }

    /// A connection error with every form of the key redacted: a refused handshake is
    /// [`Error::Status`] (401/403: the key was refused), anything else
    /// [`Error::Transport`] naming the redacted URL.
    fn error(&self, e: tungstenite::Error) -> Error {
        let key = self.key.expose_secret();
        // The key as the query carries it (percent-encoded), for a server that echoes it.
        let encoded = self
            .url
            .query()
            .and_then(|q| q.split_once("api_key="))
            .map_or("", |(_, k)| k);
        let secrets = [key, encoded];
        match e {
            tungstenite::Error::Http(response) => {
                let body = response.body().as_deref().unwrap_or_default();
                let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
                Error::Status {
                    origin: ORIGIN,
                    status: StatusCode::from_u16(response.status().as_u16())
                        .unwrap_or(StatusCode::BAD_GATEWAY),
                    excerpt: clean_text(&text, &secrets),
                    retry_after: None,
                }
            }
            other => Error::Transport {
                origin: ORIGIN,
                kind: TransportKind::Connect,
                source: Some(clean_text(&format!("{}: {other}", self.shown), &secrets).into()),
            },
        }
    }
}

type Handshake = Result<(Socket, tungstenite::handshake::client::Response), tungstenite::Error>;

/// The connection attempt to `url`: `wss://` through core's rustls configuration (its
/// crypto provider and the platform's verifier), `ws://` in the clear.
fn open(
    url: &Url,
    config: WebSocketConfig,
) -> Result<impl Future<Output = Handshake> + use<>, Error> {
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc-rs"))]
    {
        let connector = if url.scheme() == "wss" {
            let tls = voxkit_core::transport::rustls_client_config()
                .map_err(|e| Error::config(ORIGIN, e))?;
            tokio_tungstenite::Connector::Rustls(std::sync::Arc::new(tls))
        } else {
            tokio_tungstenite::Connector::Plain
        };
        Ok(tokio_tungstenite::connect_async_tls_with_config(
            url.to_string(),
            Some(config),
            true,
            Some(connector),
        ))
    }
    #[cfg(not(any(feature = "rustls", feature = "rustls-aws-lc-rs")))]
    {
        if url.scheme() == "wss" {
            return Err(Error::config(
                ORIGIN,
                "the device channel needs voxkit-espai's `rustls` feature for wss://",
            ));
        }
        Ok(tokio_tungstenite::connect_async_with_config(
            url.to_string(),
            Some(config),
            true,
        ))
    }
}

fn not_sent(why: &'static str) -> Error {
    Error::Transport {
        origin: ORIGIN,
        kind: TransportKind::NotSent,
        source: Some(why.into()),
    }
}

/// Whether a connection error is final: the server refused the key (401, 403), so
/// reconnecting cannot help.
fn is_refusal(e: &Error) -> bool {
    matches!(e, Error::Status { status, .. } if *status == StatusCode::UNAUTHORIZED || *status == StatusCode::FORBIDDEN)
}

/// The connection task: reads, pings, writes commands; reconnects when the socket ends.
async fn drive(
    target: Target,
    options: ChannelOptions,
    mut socket: Socket,
    events: mpsc::Sender<Result<DeviceEvent, Error>>,
    mut commands: mpsc::Receiver<Command>,
) {
    loop {
        // Connected: until the socket ends or the channel is dropped.
        let start = tokio::time::Instant::now() + options.ping_interval;
        let mut ping = tokio::time::interval_at(start, options.ping_interval);
        loop {
            tokio::select! {
                () = events.closed() => {
                    let _ = socket.close(None).await;
                    return;
                }
                incoming = socket.next() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        if text.as_str() == "pong" {
                            continue;
                        }
                        if events.send(Ok(DeviceEvent::parse(text.as_str()))).await.is_err() {
                            return;
                        }
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    // Binary frames are not documented; control frames are answered by
                    // tungstenite itself.
                    Some(Ok(_)) => {}
                },
                _ = ping.tick() => {
                    if socket.send(Message::text("ping")).await.is_err() {
                        break;
                    }
                }
                command = commands.recv() => {
                    // `None` only when the channel is dropped.
                    let Some((text, reply)) = command else {
                        let _ = socket.close(None).await;
                        return;
                    };
                    let written = socket
                        .send(Message::text(text))
                        .await
                        .map_err(|_| Error::Transport {
                            origin: ORIGIN,
                            kind: TransportKind::Dropped,
                            source: Some("the device channel dropped while sending".into()),
                        });
                    let failed = written.is_err();
                    let _ = reply.send(written);
                    if failed {
                        break;
                    }
                }
            }
        }
        // Lost: reconnect with backoff, refusing commands meanwhile.
        match reconnect(&target, &options, &events, &mut commands).await {
            Some(Ok((new_socket, attempts))) => {
                socket = new_socket;
                if events
                    .send(Ok(DeviceEvent::Reconnected { attempts }))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Some(Err(e)) => {
                let _ = events.send(Err(e)).await;
                return;
            }
            None => return,
        }
    }
}

/// Reconnect attempts with backoff: the new socket and the attempts it took, the final
/// error (key refused, or attempts exhausted), or `None` when the channel was dropped.
async fn reconnect(
    target: &Target,
    options: &ChannelOptions,
    events: &mpsc::Sender<Result<DeviceEvent, Error>>,
    commands: &mut mpsc::Receiver<Command>,
) -> Option<Result<(Socket, u32), Error>> {
    let mut last = None;
    for attempt in 1..=options.max_reconnects.max(1) {
        let wait = tokio::time::sleep(options.backoff(attempt));
        tokio::pin!(wait);
        loop {
            tokio::select! {
                () = &mut wait => break,
                () = events.closed() => return None,
                command = commands.recv() => {
                    if let Some((_, reply)) = command {
                        let _ = reply.send(Err(not_sent("the device channel is reconnecting")));
                    }
                }
            }
        }
        match target.connect(options).await {
            Ok(socket) => return Some(Ok((socket, attempt))),
            Err(e) if is_refusal(&e) => return Some(Err(e)),
            Err(e) => last = Some(e),
        }
    }
    last.map(Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_bounded() {
        let options = ChannelOptions::default();
        assert_eq!(options.backoff(1), Duration::from_millis(500));
        assert_eq!(options.backoff(2), Duration::from_secs(1));
        assert_eq!(options.backoff(4), Duration::from_secs(4));
        assert_eq!(options.backoff(7), Duration::from_secs(30));
        assert_eq!(options.backoff(u32::MAX), Duration::from_secs(30));
    }

    #[test]
    fn documented_types_decode_and_others_stay_raw() {
        let event = DeviceEvent::parse(r#"{"type":"battery","device_id":"FC:01","data":87}"#);
        assert_eq!(event.kind(), "battery");
        assert_eq!(event.message().and_then(DeviceMessage::number), Some(87.0));
        let online = DeviceEvent::parse(r#"{"type":"device_is_online_res","data":"0"}"#);
        assert!(matches!(&online, DeviceEvent::Online(m) if m.flag() == Some(false)));
        let raw = r#"{"type":"volume_res","device_id":"FC:01","data":{"v":1}}"#;
        let unknown = DeviceEvent::parse(raw);
        assert_eq!(
            unknown,
            DeviceEvent::Unknown(serde_json::from_str(raw).unwrap())
        );
        assert_eq!(unknown.kind(), "volume_res");
        assert_eq!(
            DeviceEvent::parse("not json"),
            DeviceEvent::Unknown(Value::String("not json".into()))
        );
        assert_eq!(
            event.to_json(),
            json!({"type": "battery", "device_id": "FC:01", "data": 87})
        );
    }

    #[test]
    fn the_url_follows_the_agent_host_and_hides_the_key() {
        let base = Url::parse("https://api.espai2.fun").unwrap();
        let target = Target::new(&base, SecretString::from("SENTINEL-k&y")).unwrap();
        assert_eq!(
            target.url.as_str(),
            "wss://api.espai2.fun/connect_espai_node/?device_type=client_page&api_key=SENTINEL-k%26y"
        );
        assert!(!target.shown.contains("SENTINEL"), "{}", target.shown);
        let base = Url::parse("http://127.0.0.1:9/prefix/").unwrap();
        let target = Target::new(&base, SecretString::from("k")).unwrap();
        assert!(
            target
                .url
                .as_str()
                .starts_with("ws://127.0.0.1:9/prefix/connect_espai_node/?"),
            "{}",
            target.url
        );
    }
}
