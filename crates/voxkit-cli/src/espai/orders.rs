//! `order pay`: buying or topping up a quota card.

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use voxkit_espai::{Commodity, OrderKind};

use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::render::{Report, cell};

/// `voxkit espai order <command>`.
#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// Start buying or topping up a quota card: prints the payment URL. Never sent twice.
    Pay(Pay),
}

/// What an order does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Buy a new quota card.
    Buy,
    /// Top up a quota card.
    Topup,
}

/// The arguments of `order pay`.
#[derive(Debug, Args)]
pub struct Pay {
    /// The product: 1 (1000 uses), 2 (2200), 3 (5000), 4 (15000), 5 (unlimited).
    #[arg(long, value_name = "1..5", value_parser = clap::value_parser!(u8).range(1..=5))]
    commodity: u8,
    /// Buy a new card or top one up.
    #[arg(long, value_enum, value_name = "KIND")]
    kind: KindArg,
}

/// Runs `voxkit espai order pay`.
pub(super) async fn pay(args: Pay, global: &Global) -> Result<Report, CliError> {
    let commodity = Commodity::from_id(&args.commodity.to_string()).ok_or_else(|| {
        CliError::invalid(format!("--commodity {} is not 1 to 5", args.commodity))
    })?;
    let (kind, kind_name) = match args.kind {
        KindArg::Buy => (OrderKind::Buy, "buy"),
        KindArg::Topup => (OrderKind::TopUp, "topup"),
    };
    let url = global.espai()?.pay(commodity, kind).await.check_with(|| {
        "an order may have been created: look at your orders on the ESP-AI \
                 platform before paying again"
            .to_owned()
    })?;
    let uses = commodity
        .uses()
        .map_or_else(|| "unlimited uses".to_owned(), |n| format!("{n} uses"));
    Ok(Report::new(
        json!({
            "commodity": args.commodity,
            "kind": kind_name,
            "payment_url": url,
        }),
        format!(
            "order for product {} ({uses}, {kind_name}): open this URL to pay\n{}",
            args.commodity,
            cell(Some(&url))
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn commodities_and_kinds() {
        let parse = |commodity: &str, kind: &str| {
            Cli::try_parse_from([
                "voxkit",
                "espai",
                "order",
                "pay",
                "--commodity",
                commodity,
                "--kind",
                kind,
            ])
        };
        for c in 1..=5 {
            assert!(parse(&c.to_string(), "buy").is_ok());
            assert!(Commodity::from_id(&c.to_string()).is_some());
        }
        assert!(parse("1", "topup").is_ok());
        for (c, k) in [("0", "buy"), ("6", "buy"), ("1", "refund"), ("x", "buy")] {
            assert_eq!(parse(c, k).unwrap_err().exit_code(), 2, "{c} {k}");
        }
    }
}
