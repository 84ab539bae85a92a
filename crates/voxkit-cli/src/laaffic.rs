//! `voxkit laaffic ...`: the Laaffic v3 API: the balance here, the IVR group calls in
//! [`crate::ivr`].

use clap::Subcommand;
use serde_json::{Value, json};
use voxkit_core::Error;
use voxkit_laaffic::{Balance, Client};

use crate::app::Global;
use crate::failure::CliError;
use crate::ivr;
use crate::render::{Report, key_values};

/// `voxkit laaffic <command>`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The account balance: real balance, gift balance and credit line (exact decimals).
    Balance,
    /// IVR voice files (语音文件).
    #[command(subcommand)]
    Voice(ivr::VoiceCommand),
    /// One IVR group-call task (群呼任务): create, show, pause, cancel, resend.
    #[command(subcommand)]
    Task(ivr::TaskCommand),
    /// List IVR group-call tasks, one page at a time (by default those created in the
    /// last 30 days).
    Tasks(ivr::TaskList),
    /// Call records (语音消息记录): one by its voice id, or a page of a time window
    /// (--from/--to, at most 31 days apart, within the last two months).
    Records(ivr::Records),
}

/// The client, from `LAAFFIC_API_KEY`, `LAAFFIC_API_SECRET` and `LAAFFIC_BASE_URL`, with
/// `--timeout`.
pub fn client(global: &Global) -> Result<Client, Error> {
    let mut builder = Client::builder().credentials_from_env()?;
    if let Some(timeout) = global.timeout {
        builder = builder.deadline(timeout);
    }
    builder.build()
}

/// Runs one Laaffic command.
pub async fn run(command: Command, global: &Global) -> Result<Report, CliError> {
    match command {
        Command::Balance => {
            let balance = client(global)?.balance().await?;
            Ok(Report::new(balance_json(&balance), balance_text(&balance)))
        }
        Command::Voice(command) => ivr::voice(command, global).await,
        Command::Task(command) => ivr::task(command, global).await,
        Command::Tasks(args) => ivr::tasks(args, global).await,
        Command::Records(args) => ivr::records(args, global).await,
    }
}

/// `{"balance": "99.990000", "gift": "50.00000", "credit": "0"}`: exact decimal strings, as
/// sent.
pub fn balance_json(balance: &Balance) -> Value {
    json!({
        "balance": balance.balance.to_string(),
        "gift": balance.gift.to_string(),
        "credit": balance.credit.to_string(),
    })
}

/// The balance as aligned lines.
pub fn balance_text(balance: &Balance) -> String {
    key_values(&[
        ("balance", balance.balance.to_string()),
        ("gift", balance.gift.to_string()),
        ("credit", balance.credit.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_print_exactly_as_sent() {
        let balance: Balance = serde_json::from_str(
            r#"{"status":"0","reason":"success","balance":"99.990000","gift":"50.00000","credit":"0"}"#,
        )
        .unwrap();
        assert_eq!(
            balance_json(&balance),
            json!({"balance": "99.990000", "gift": "50.00000", "credit": "0"})
        );
        assert_eq!(
            balance_text(&balance),
            "balance  99.990000\ngift     50.00000\ncredit   0"
        );
    }
}
