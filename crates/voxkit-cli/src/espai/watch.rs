//! `device watch`: the device channel of one agent (超体), printed as events come — one
//! line each, or one JSON object per line with `--output json` — until it ends, `--count`
//! events have come, or the command is interrupted. The channel reconnects by itself
//! (a `reconnected` line says so); the agent's key is never printed.

use clap::Args;
use futures_util::StreamExt;
use voxkit_espai::DeviceEvent;

use crate::context::{Format, Global};
use crate::failure::CliError;
use crate::render::{cell, out};

/// The arguments of `device watch`.
#[derive(Debug, Args)]
pub struct Watch {
    /// The agent's api_key (超体 api_key, not the open API key): ESPAI_AGENT_API_KEY (the
    /// sandbox prints it) or `--agent-key-stdin`, as every device command takes it. Never an
    /// argument: other users of the machine see arguments in `ps`, and shells keep them in
    /// their history.
    #[command(flatten)]
    agent_key: super::devices::AgentKeyArg,
    /// Stop after this many events (reconnections included).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    count: Option<u64>,
    /// Show secrets in the events' data as sent (a device's local data can hold its Wi-Fi
    /// password); by default every value under a key naming a key, secret, password, pwd
    /// or token is redacted.
    #[arg(long)]
    show_secrets: bool,
}

/// Runs `voxkit espai device watch`: prints as it goes, so there is no report.
pub(super) async fn run(args: Watch, global: &Global) -> Result<(), CliError> {
    let key = args.agent_key.resolve()?.ok_or_else(|| {
        CliError::usage(
            "the agent's api_key is needed: set ESPAI_AGENT_API_KEY or use --agent-key-stdin",
        )
    })?;
    let mut channel = global.espai()?.device_channel(key).await?;
    let mut seen = 0u64;
    while args.count.is_none_or(|n| seen < n) {
        let Some(event) = channel.next().await else {
            break;
        };
        let event = event?;
        seen += 1;
        match global.output {
            Format::Json => out!("{}", shown(event.to_json(), args.show_secrets)),
            Format::Text => out!("{}", line(&event, args.show_secrets)),
        }
    }
    Ok(())
}

/// An event's JSON as printed: secrets redacted unless asked for.
fn shown(mut json: serde_json::Value, show_secrets: bool) -> serde_json::Value {
    if !show_secrets {
        crate::render::espai::redact_json(&mut json);
    }
    json
}

/// One event as a line: its type, its device and its data (secrets redacted unless
/// `show_secrets`).
fn line(event: &DeviceEvent, show_secrets: bool) -> String {
    match (event, event.message()) {
        (DeviceEvent::Reconnected { attempts }, _) => {
            format!("reconnected (after {attempts} attempt(s))")
        }
        (_, Some(m)) => format!(
            "{:<22} {:<18} {}",
            event.kind(),
            cell(m.device_id.as_deref()),
            cell(Some(&shown(m.data.clone(), show_secrets).to_string()))
        ),
        (_, None) => format!(
            "{:<22} {:<18} {}",
            event.kind(),
            "-",
            cell(Some(&shown(event.to_json(), show_secrets).to_string()))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_show_type_device_and_data() {
        let event = DeviceEvent::parse(r#"{"type":"battery","device_id":"FC:01","data":87}"#);
        let text = line(&event, false);
        assert!(text.starts_with("battery") && text.contains("FC:01") && text.ends_with("87"));
        assert!(line(&DeviceEvent::Reconnected { attempts: 2 }, false).contains("2 attempt"));
    }

    #[test]
    fn local_data_secrets_are_redacted_unless_asked_for() {
        let event = DeviceEvent::parse(
            r#"{"type":"get_local_data_res","device_id":"FC:01","data":{"wifi_name":"home","wifi_pwd":"SENTINEL-PWD","volume":0.5}}"#,
        );
        for text in [
            line(&event, false),
            shown(event.to_json(), false).to_string(),
        ] {
            assert!(
                !text.contains("SENTINEL-PWD") && text.contains("home"),
                "{text}"
            );
        }
        assert!(line(&event, true).contains("SENTINEL-PWD"));
    }
}
