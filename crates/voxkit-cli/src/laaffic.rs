//! `voxkit laaffic ...`: the Laaffic v3 API.

use clap::Subcommand;
use serde_json::{Value, json};
use voxkit_core::Error;
use voxkit_laaffic::{Balance, Client};

use crate::app::Global;
use crate::failure::CliError;
use crate::render::{Report, key_values};

/// `voxkit laaffic <command>`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The account balance: real balance, gift balance and credit line (exact decimals).
    Balance,
}

/// The client, from `LAAFFIC_API_KEY`, `LAAFFIC_API_SECRET` and `LAAFFIC_BASE_URL`, with
/// `--timeout`.
fn client(global: &Global) -> Result<Client, Error> {
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
