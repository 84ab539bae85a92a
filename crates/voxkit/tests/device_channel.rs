//! Issue 15 item 9: ESP-AI's device channel (a WebSocket) against the sandbox — connect
//! with an agent's `api_key`, typed events, `set_volume` and `get_local_data` answered, a
//! reconnect after the server cuts the connection, an unknown key refused, and the key
//! never in an error or `Debug`.
#![cfg(feature = "channel")]

use std::time::Duration;

use futures_util::StreamExt;
use voxkit::core::Error;
use voxkit::espai::{ChannelOptions, Client, DeviceChannel, DeviceEvent};
use voxkit_sandbox::{ESPAI_AGENT_API_KEY, ESPAI_OPEN_API_KEY, Sandbox};

/// The events the sandbox sends on connecting for its two seeded devices: online state
/// and battery for each (4), an OTA run on the first (6), an OTA error on the second (1).
const OPENING_EVENTS: usize = 11;

fn client(sandbox: &Sandbox) -> Client {
    Client::builder()
        .api_key(ESPAI_OPEN_API_KEY)
        .base_url(sandbox.url())
        .build()
        .expect("client")
}

/// Reconnects quickly, so the test does not wait out the production backoff.
fn fast() -> ChannelOptions {
    ChannelOptions {
        first_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
        ..ChannelOptions::default()
    }
}

/// The next event; a guard against a hang, not a timing assumption.
async fn next(channel: &mut DeviceChannel) -> DeviceEvent {
    tokio::time::timeout(Duration::from_secs(20), channel.next())
        .await
        .expect("an event within 20 s")
        .expect("the stream goes on")
        .expect("an event, not an error")
}

async fn opening(channel: &mut DeviceChannel) -> Vec<DeviceEvent> {
    let mut events = Vec::new();
    for _ in 0..OPENING_EVENTS {
        events.push(next(channel).await);
    }
    events
}

#[tokio::test]
async fn typed_events_and_commands_answered() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let mut channel = client(&sandbox)
        .device_channel(ESPAI_AGENT_API_KEY)
        .await
        .expect("connected");

    let events = opening(&mut channel).await;
    let battery = events
        .iter()
        .find_map(|e| match e {
            DeviceEvent::Battery(m) => Some(m),
            _ => None,
        })
        .expect("a battery event");
    assert_eq!(battery.device_id.as_deref(), Some("FC:01:2C:DB:14:30"));
    assert_eq!(battery.number(), Some(87.0));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, DeviceEvent::Online(m) if m.flag() == Some(true)))
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, DeviceEvent::OtaProgress(m) if m.number() == Some(50.0)))
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, DeviceEvent::OtaStarted(_)))
    );
    assert!(events.iter().any(|e| matches!(e, DeviceEvent::OtaError(_))));
    assert!(!events.iter().any(|e| matches!(e, DeviceEvent::Unknown(_))));

    channel.set_volume(0.25).await.expect("volume sent");
    for _ in 0..2 {
        let DeviceEvent::EndpointData(m) = next(&mut channel).await else {
            panic!("set_volume is answered by endpoint_data");
        };
        assert_eq!(m.data["volume"], 0.25);
    }
    channel.get_local_data().await.expect("asked");
    let DeviceEvent::LocalData(m) = next(&mut channel).await else {
        panic!("get_local_data is answered by get_local_data_res");
    };
    assert_eq!(m.data["volume"], 0.25, "{m:?}");

    // Out of the documented range: refused before anything is sent.
    let err = channel.set_volume(1.5).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert!(channel.set_volume(f32::NAN).await.is_err());
}

#[tokio::test]
async fn reconnects_after_the_server_drops_the_connection() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let mut channel = client(&sandbox)
        .device_channel_with(ESPAI_AGENT_API_KEY, fast())
        .await
        .expect("connected");
    opening(&mut channel).await;

    assert_eq!(sandbox.drop_device_channels(), 1);
    assert_eq!(
        next(&mut channel).await,
        DeviceEvent::Reconnected { attempts: 1 }
    );
    // A new connection: the sandbox reports the devices again, and commands work.
    let again = opening(&mut channel).await;
    assert!(again.iter().any(|e| matches!(e, DeviceEvent::Battery(_))));
    channel
        .set_volume(0.5)
        .await
        .expect("volume sent after reconnecting");
    assert!(matches!(
        next(&mut channel).await,
        DeviceEvent::EndpointData(_)
    ));
}

#[tokio::test]
async fn an_unknown_key_is_refused_and_never_shown() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = client(&sandbox);
    let err = client
        .device_channel("SENTINEL-agent-key")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Status { status, .. } if status.as_u16() == 401),
        "{err:?}"
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("SENTINEL"), "{shown}");

    // A host where nothing listens: the error names the URL, with the key redacted.
    let dead = Client::builder()
        .api_key(ESPAI_OPEN_API_KEY)
        .base_url(sandbox.url())
        .agent_base_url(voxkit::core::fault::refused_url().await)
        .build()
        .expect("client");
    let err = dead.device_channel("SENTINEL-agent-key").await.unwrap_err();
    assert!(matches!(&err, Error::Transport { .. }), "{err:?}");
    let shown = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
    assert!(!shown.contains("SENTINEL"), "{shown}");
    assert!(shown.contains("api_key=%5Bredacted%5D"), "{shown}");

    // A connected channel's Debug shows the URL without the key.
    let channel = client
        .device_channel(ESPAI_AGENT_API_KEY)
        .await
        .expect("connected");
    let debug = format!("{channel:?}");
    assert!(!debug.contains(ESPAI_AGENT_API_KEY), "{debug}");
    assert!(debug.contains("connect_espai_node"), "{debug}");
}
