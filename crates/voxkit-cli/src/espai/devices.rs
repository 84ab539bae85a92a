//! `device list|update|unbind`: the hardware devices bound to the account's agents. A
//! device's `wifi_pwd` (returned in clear text by the provider) and its agent's `api_key`
//! are secrets: shown only with `--show-secrets`, and read from the environment or
//! standard input rather than from an argument. Unbinding is never sent twice.

use clap::{Args, Subcommand};
use serde_json::json;
use voxkit_espai::{DeviceFilter, DeviceUpdate, SecretString};

use super::agents::{Listing, confirm_ids, ids_report, updated_report};
use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::input::{stdin_line, with_some};
use crate::paging::OnePageLimitArgs;
use crate::render::espai::{device_json, devices_text};
use crate::render::{Report, cell};

/// The longest line read from stdin for a key or a password, in bytes.
const MAX_SECRET_BYTES: u64 = 1024;

/// `voxkit espai device <command>`.
#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// List devices: one page, or every page with --all.
    List(List),
    /// Change a device's fields (only those given). Safe to repeat.
    Update(Update),
    /// Unbind devices by id, or one device by its MAC (with its agent's key). Never sent
    /// twice: if the answer is lost, the exit code is 5 and the message says how to check.
    Unbind(Unbind),
    /// Watch the devices of an agent live (battery, online state, OTA): one line per
    /// event, or one JSON object per line with --output json.
    Watch(super::watch::Watch),
}

/// An agent's `api_key`: `ESPAI_AGENT_API_KEY` or `--agent-key-stdin` (never an
/// argument, which other users see in `ps`).
#[derive(Debug, Args)]
pub struct AgentKeyArg {
    /// Read the agent's api_key (设备的api_key, not the open API key) from the first line
    /// of standard input; without it, the key is read from ESPAI_AGENT_API_KEY.
    #[arg(long)]
    agent_key_stdin: bool,
}

/// The environment variable an agent's `api_key` is read from.
const AGENT_KEY_VARIABLE: &str = "ESPAI_AGENT_API_KEY";

impl AgentKeyArg {
    /// The key, if one was given.
    pub(super) fn resolve(&self) -> Result<Option<SecretString>, CliError> {
        if self.agent_key_stdin {
            let line = stdin_line("--agent-key-stdin", "agent key", MAX_SECRET_BYTES)?;
            let key = line.trim();
            if key.is_empty() {
                return Err(CliError::invalid(
                    "--agent-key-stdin: the first line of standard input is empty",
                ));
            }
            return Ok(Some(SecretString::from(key.to_owned())));
        }
        Ok(std::env::var(AGENT_KEY_VARIABLE)
            .ok()
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .map(SecretString::from))
    }
}

/// The arguments of `device list`.
#[derive(Debug, Args)]
pub struct List {
    /// Only devices with this name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Only the device with this MAC (FC:01:2C:DB:14:30, not the 32-digit id).
    #[arg(long, value_name = "MAC")]
    mac: Option<String>,
    /// Only online (true) or offline (false) devices.
    #[arg(long, value_name = "BOOL")]
    online: Option<bool>,
    /// Only enabled (true) or disabled (false) devices.
    #[arg(long, value_name = "BOOL")]
    enabled: Option<bool>,
    /// Only the devices of the agent whose key is given.
    #[command(flatten)]
    agent_key: AgentKeyArg,
    #[command(flatten)]
    paging: OnePageLimitArgs,
    /// Show the devices' Wi-Fi passwords and keys (redacted otherwise).
    #[arg(long)]
    show_secrets: bool,
}

/// The arguments of `device update`.
#[derive(Debug, Args)]
pub struct Update {
    /// The device's id (32 letters or digits).
    #[arg(long, value_name = "ID")]
    id: String,
    /// A new name.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// A new firmware version (`version` on the wire).
    #[arg(long = "firmware-version", value_name = "V")]
    firmware_version: Option<String>,
    /// A new Wi-Fi network name.
    #[arg(long, value_name = "SSID")]
    wifi_ssid: Option<String>,
    /// Read a new Wi-Fi password from the first line of standard input.
    #[arg(long)]
    wifi_pwd_stdin: bool,
    /// Enable (true) or disable (false).
    #[arg(long, value_name = "BOOL")]
    enabled: Option<bool>,
}

/// The arguments of `device unbind`: ids, or --mac with the agent's key.
#[derive(Debug, Args)]
pub struct Unbind {
    /// The ids of the devices to unbind (see `device list`).
    #[arg(
        value_name = "ID",
        required_unless_present = "mac",
        conflicts_with = "mac"
    )]
    ids: Vec<String>,
    /// Unbind the device with this MAC from the agent whose key is given
    /// (ESPAI_AGENT_API_KEY or --agent-key-stdin).
    #[arg(long, value_name = "MAC")]
    mac: Option<String>,
    #[command(flatten)]
    agent_key: AgentKeyArg,
}

/// Runs `voxkit espai device ...`.
pub(super) async fn run(command: DeviceCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        DeviceCommand::List(args) => list(args, global).await,
        DeviceCommand::Update(args) => update(args, global).await,
        DeviceCommand::Unbind(args) => unbind(args, global).await,
        // Printed as it comes, without a report: run by espai/mod.rs.
        DeviceCommand::Watch(_) => unreachable!("espai/mod.rs runs `device watch`"),
    }
}

async fn list(args: List, global: &Global) -> Result<Report, CliError> {
    let key = args.agent_key.resolve()?;
    let filter = with_some!(
        DeviceFilter::new(),
        name = args.name,
        mac = args.mac,
        online = args.online,
        enabled = args.enabled,
        agent_api_key = key,
    );
    let client = global.espai()?;
    let listing = Listing {
        one: "device",
        many: "devices",
        json: device_json,
        text: devices_text,
        show: args.show_secrets,
    };
    if args.paging.all {
        return listing.all(global, client.devices(filter)).await;
    }
    let current = args.paging.page.unwrap_or(1);
    let filter = with_some!(filter.page(current), limit = args.paging.limit);
    let page = client.list_devices(&filter).await?;
    Ok(listing.page(page, current, args.paging.limit))
}

async fn update(args: Update, global: &Global) -> Result<Report, CliError> {
    let mut update = with_some!(
        DeviceUpdate::new(&args.id),
        name = args.name,
        version = args.firmware_version,
        wifi_ssid = args.wifi_ssid,
        enabled = args.enabled,
    );
    if args.wifi_pwd_stdin {
        let line = stdin_line("--wifi-pwd-stdin", "Wi-Fi password", MAX_SECRET_BYTES)?;
        let pwd = line.trim_end_matches(['\r', '\n']);
        if pwd.is_empty() {
            return Err(CliError::invalid(
                "--wifi-pwd-stdin: the first line of standard input is empty",
            ));
        }
        update = update.wifi_pwd(SecretString::from(pwd.to_owned()));
    }
    let updated = global.espai()?.update_device(&update).await?;
    Ok(updated_report("device", &args.id, updated))
}

async fn unbind(args: Unbind, global: &Global) -> Result<Report, CliError> {
    let client = global.espai()?;
    if let Some(mac) = &args.mac {
        let Some(key) = args.agent_key.resolve()? else {
            return Err(CliError::invalid(
                "--mac needs the agent's api_key: set ESPAI_AGENT_API_KEY or use \
                 --agent-key-stdin; nothing was sent",
            ));
        };
        global.confirm(
            "espai device unbind",
            &format!("unbind the device {mac} from its agent"),
        )?;
        let ack = client
            .unbind_device_by_mac(&key, mac)
            .await
            .check_with(|| {
                format!(
                    "run `voxkit espai device list --mac {mac} --agent-key-stdin` (the agent's \
                     key on standard input): if the device is no longer listed, it was unbound"
                )
            })?;
        let message = ack.message.unwrap_or_default();
        return Ok(Report::new(
            json!({"mac": mac, "message": message}),
            format!("unbound device {mac}: {}", cell(Some(&message))),
        ));
    }
    confirm_ids(
        global,
        "espai device unbind",
        "unbind",
        ("device", "devices"),
        &args.ids,
    )?;
    let ack = client.unbind_devices(&args.ids).await.check_with(|| {
        format!(
            "run `voxkit espai device list --all`: a device no longer listed ({}) was \
             unbound; unbind only those still listed",
            args.ids.join(", ")
        )
    })?;
    Ok(ids_report("unbound", ("device", "devices"), &args.ids, ack))
}

#[cfg(test)]
mod tests {
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn unbind_takes_ids_or_a_mac_never_both() {
        // (the arguments after `voxkit espai device`, split on whitespace; accepted)
        for (args, accepted) in [
            ("unbind", false),
            ("unbind a --mac FC:01:2C:DB:14:30", false),
            ("unbind --mac FC:01:2C:DB:14:30", true),
        ] {
            let argv = ["voxkit", "espai", "device"]
                .into_iter()
                .chain(args.split(' '));
            assert_eq!(Cli::try_parse_from(argv).is_ok(), accepted, "{args}");
        }
    }
}
