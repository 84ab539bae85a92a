//! ESP-AI's device channel (page 设备实时电量监听, `/dev/battery/`): a WebSocket at
//! `/connect_espai_node/?device_type=client_page&api_key=<agent api_key>` on the sandbox's
//! one port (the real provider serves it on the agent host, `api.espai2.fun`).
//!
//! - The `api_key` must be a seeded (or added) agent's; any other is refused before the
//!   upgrade with HTTP 401 and `{"success": false, "message": "api_key 无效", "code": 401}`
//!   (the documentation shows no refusal: the sandbox's choice).
//! - On connecting, the channel reports each of the agent's devices (`device_id` is its
//!   MAC, as in the device list): `device_is_online_res` (`data` true/false), `battery`
//!   (`data` a percentage), then an OTA run on the first device — `ota_update_res` true,
//!   `ota_progress` 0, 25, 50, the device offline (the documentation: "实际 50% 左右设备就会
//!   断网准备重启") and back online — and `ota_update_error` on the second. The
//!   documentation gives no `data` schema; these forms are the sandbox's.
//! - `ping` is answered `pong`; `{"type":"set_volume","data":v}` (0 ≤ v ≤ 1, else
//!   ignored) is answered by an `endpoint_data` `{"volume": v}` per device ("有被控终端数据
//!   接入或者变动时会触发"); `{"type":"get_local_data"}` by a `get_local_data_res` per device
//!   (volume, Wi-Fi name, firmware version; never the Wi-Fi password).
//! - [`Sandbox::drop_device_channels`](crate::Sandbox::drop_device_channels) cuts every
//!   open channel without a closing handshake, for reconnect tests.

use axum::extract::State;
use axum::extract::ws::{
    Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection,
};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::state::Shared;

/// The channel's path, as the documentation's example connects.
pub(crate) const PATH: &str = "/connect_espai_node/";

/// The devices' volume before any `set_volume` (the documentation states none).
const DEFAULT_VOLUME: f64 = 0.6;

/// The open channels: each watches the generation, and a new one cuts them all.
pub(crate) struct Channels(watch::Sender<u64>);

impl Default for Channels {
    fn default() -> Self {
        Channels(watch::channel(0).0)
    }
}

impl Channels {
    /// Cuts every open channel; returns how many were open.
    pub(crate) fn drop_all(&self) -> usize {
        let open = self.0.receiver_count();
        self.0.send_modify(|generation| *generation += 1);
        open
    }
}

/// One device of the agent, as the channel reports it.
struct Device {
    mac: String,
    online: bool,
    wifi_ssid: Value,
    version: Value,
}

/// `GET /connect_espai_node/`: the key check, then the upgrade.
pub(crate) async fn connect(
    State(shared): State<Shared>,
    uri: Uri,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let key = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "api_key")
        .map(|(_, value)| value.into_owned());
    let agent = key.and_then(|key| {
        let state = shared.lock();
        state
            .espai
            .fleet
            .agents
            .iter()
            .find(|a| !key.is_empty() && a.api_key == key)
            .map(|a| a.id.clone())
    });
    let Some(agent) = agent else {
        let body = json!({"success": false, "message": "api_key 无效", "code": 401});
        return (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
    };
    match upgrade {
        Ok(upgrade) => upgrade
            .max_message_size(64 << 10)
            .on_upgrade(move |socket| session(socket, shared, agent)),
        Err(rejection) => rejection.into_response(),
    }
}

/// The agent's devices, in list order.
fn devices_of(shared: &Shared, agent: &str) -> Vec<Device> {
    let state = shared.lock();
    let text = |v: Option<&Value>| v.cloned().unwrap_or(Value::Null);
    state
        .espai
        .fleet
        .devices
        .iter()
        .filter(|d| d.fields.get("equipment_id").and_then(Value::as_str) == Some(agent))
        .filter_map(|d| {
            Some(Device {
                mac: d.fields.get("device_id")?.as_str()?.to_owned(),
                online: d.fields.get("is_online").and_then(Value::as_str) == Some("1"),
                wifi_ssid: text(d.fields.get("wifi_ssid")),
                version: text(d.fields.get("version")),
            })
        })
        .collect()
}

fn event(kind: &str, device: &str, data: Value) -> String {
    json!({"type": kind, "device_id": device, "data": data}).to_string()
}

/// What a new channel hears first: each device's state, an OTA run, an OTA failure.
fn opening(devices: &[Device]) -> Vec<String> {
    let mut events = Vec::new();
    for (i, device) in devices.iter().enumerate() {
        let battery = 87_u64.saturating_sub(23 * i as u64);
        events.push(event(
            "device_is_online_res",
            &device.mac,
            json!(device.online),
        ));
        events.push(event("battery", &device.mac, json!(battery)));
    }
    let mut online = devices.iter().filter(|d| d.online);
    if let Some(first) = online.next() {
        events.push(event("ota_update_res", &first.mac, json!(true)));
        for percent in [0, 25, 50] {
            events.push(event("ota_progress", &first.mac, json!(percent)));
        }
        events.push(event("device_is_online_res", &first.mac, json!(false)));
        events.push(event("device_is_online_res", &first.mac, json!(true)));
    }
    if let Some(second) = online.next() {
        events.push(event(
            "ota_update_error",
            &second.mac,
            json!("固件下载失败"),
        ));
    }
    events
}

/// One open channel, until the client leaves or the sandbox cuts it.
async fn session(mut socket: WebSocket, shared: Shared, agent: String) {
    let mut cut = shared.lock().channels.0.subscribe();
    let devices = devices_of(&shared, &agent);
    let mut volume = DEFAULT_VOLUME;
    for text in opening(&devices) {
        if socket.send(Message::Text(text.into())).await.is_err() {
            return;
        }
    }
    loop {
        let incoming = tokio::select! {
            // Dropping the socket closes it without a closing handshake.
            _ = cut.changed() => return,
            incoming = socket.recv() => incoming,
        };
        let text = match incoming {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_)) | Err(_)) | None => return,
            Some(Ok(_)) => continue,
        };
        for answer in answer(text.as_str(), &devices, &mut volume) {
            if socket.send(Message::Text(answer.into())).await.is_err() {
                return;
            }
        }
    }
}

/// The answers to one client message.
fn answer(text: &str, devices: &[Device], volume: &mut f64) -> Vec<String> {
    if text == "ping" {
        return vec!["pong".to_owned()];
    }
    let Ok(message) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    let online = devices.iter().filter(|d| d.online);
    match message.get("type").and_then(Value::as_str) {
        Some("set_volume") => match message.get("data").and_then(Value::as_f64) {
            Some(v) if (0.0..=1.0).contains(&v) => {
                *volume = v;
                online
                    .map(|d| event("endpoint_data", &d.mac, json!({"volume": v})))
                    .collect()
            }
            _ => Vec::new(),
        },
        Some("get_local_data") => online
            .map(|d| {
                let data = json!({
                    "volume": *volume, "wifi_ssid": d.wifi_ssid, "version": d.version,
                });
                event("get_local_data_res", &d.mac, data)
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(mac: &str) -> Device {
        Device {
            mac: mac.into(),
            online: true,
            wifi_ssid: json!("lab"),
            version: json!("1.0"),
        }
    }

    #[test]
    fn answers_follow_the_documented_messages() {
        let devices = [device("A"), device("B")];
        let mut volume = DEFAULT_VOLUME;
        assert_eq!(answer("ping", &devices, &mut volume), ["pong"]);
        let set = answer(
            r#"{"type":"set_volume","data":0.25}"#,
            &devices,
            &mut volume,
        );
        assert_eq!(set.len(), 2);
        assert!(set[0].contains(r#""volume":0.25"#), "{set:?}");
        assert!(answer(r#"{"type":"set_volume","data":1.5}"#, &devices, &mut volume).is_empty());
        let data = answer(r#"{"type":"get_local_data"}"#, &devices, &mut volume);
        assert!(
            data[1].contains("get_local_data_res") && data[1].contains("0.25"),
            "{data:?}"
        );
    }

    #[test]
    fn the_opening_runs_an_ota_to_half_way_then_offline() {
        let events = opening(&[device("A"), device("B")]);
        let kinds: Vec<String> = events
            .iter()
            .map(|e| {
                serde_json::from_str::<Value>(e).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(kinds.iter().filter(|k| *k == "battery").count(), 2);
        assert!(kinds.contains(&"ota_update_error".to_owned()));
        let half = events
            .iter()
            .position(|e| e.contains(r#""data":50"#))
            .unwrap();
        assert!(
            events[half + 1].contains(r#""device_is_online_res""#)
                && events[half + 1].contains("false")
        );
    }

    #[test]
    fn dropping_counts_the_open_channels() {
        let channels = Channels::default();
        let one = channels.0.subscribe();
        assert_eq!(channels.drop_all(), 1);
        assert!(one.has_changed().unwrap());
    }
}
