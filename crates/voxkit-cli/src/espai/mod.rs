//! `voxkit espai ...`: the ESP-AI open platform's quota [`cards`] (cdkey) and
//! [`orders`]; how a redemption code is given is in [`codes`].

mod cards;
mod codes;
mod orders;

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
}

/// Runs one ESP-AI command. `Ok(None)` when the command printed its own output as it
/// went (`cdkey list --all`, which streams its cards).
pub async fn run(command: Command, global: &Global) -> Result<Option<Report>, CliError> {
    match command {
        Command::Cdkey(command) => cards::run(command, global).await,
        Command::Order(orders::OrderCommand::Pay(args)) => {
            orders::pay(args, global).await.map(Some)
        }
    }
}
