//! `balance`: the account balance, real, gift and credit, as exact decimals.

use crate::context::Global;
use crate::failure::CliError;
use crate::render::Report;
use crate::render::laaffic::{balance_json, balance_text};

/// Runs `voxkit laaffic balance`.
pub(super) async fn run(global: &Global) -> Result<Report, CliError> {
    let balance = global.laaffic()?.balance().await?;
    Ok(Report::new(balance_json(&balance), balance_text(&balance)))
}
