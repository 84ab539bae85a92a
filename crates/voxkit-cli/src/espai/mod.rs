//! `voxkit espai ...`: the ESP-AI open platform's quota [`cards`] (cdkey) and
//! [`orders`]; how a redemption code is given is in [`codes`].

mod agents;
mod cards;
mod codes;
mod devices;
mod orders;
mod plugins;
mod watch;

use clap::Subcommand;

use crate::context::Global;
use crate::failure::CliError;
use crate::render::Report;

/// `voxkit espai <command>`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Quota cards (额度卡): list, show, usage, transfer, destroy.
    #[command(subcommand)]
    Cdkey(cards::CdkeyCommand),
    /// Orders: buy or top up a quota card.
    #[command(subcommand)]
    Order(orders::OrderCommand),
    /// Agents (超体): list, add, update, delete.
    #[command(subcommand)]
    Agent(agents::AgentCommand),
    /// Hardware devices: list, update, unbind.
    #[command(subcommand)]
    Device(devices::DeviceCommand),
    /// Third-party plugins (LLM, TTS, IAT).
    #[command(subcommand)]
    Plugin(plugins::PluginCommand),
}

/// Runs one ESP-AI command. `Ok(None)` when the command printed its own output as it
/// went (`cdkey list --all`, which streams its cards).
pub async fn run(command: Command, global: &Global) -> Result<Option<Report>, CliError> {
    match command {
        Command::Cdkey(command) => cards::run(command, global).await,
        Command::Order(orders::OrderCommand::Pay(args)) => {
            orders::pay(args, global).await.map(Some)
        }
        Command::Agent(command) => agents::run(command, global).await.map(Some),
        Command::Device(devices::DeviceCommand::Watch(args)) => {
            watch::run(args, global).await.map(|()| None)
        }
        Command::Device(command) => devices::run(command, global).await.map(Some),
        Command::Plugin(command) => plugins::run(command, global).await.map(Some),
    }
}
