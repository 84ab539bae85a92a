//! Recharges a user's outbound-call balance, then prints today's recharge history.
//!
//! ```sh
//! LONGLONGLONG_TOKEN=... cargo run -p voxkit-longlonglong --example recharge -- <user-uuid> <amount> [remark]
//! ```
//!
//! `LONGLONGLONG_BASE_URL` points it elsewhere (a proxy, a local sandbox). On a lost answer
//! it looks for the remark in the history instead of recharging again.

use std::process::ExitCode;

use voxkit_longlonglong::{Client, Code, RechargeHistoryQuery, UserId};

#[allow(clippy::print_stdout)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(user), Some(amount)) = (args.next(), args.next()) else {
        eprintln!("usage: recharge <user-uuid> <amount> [remark]");
        return ExitCode::from(2);
    };
    let remark = args.next();
    let user: UserId = match user.parse() {
        Ok(user) => user,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let Ok(amount) = amount.parse::<u64>() else {
        eprintln!("amount must be a positive integer");
        return ExitCode::from(2);
    };
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };

    let mut status = ExitCode::SUCCESS;
    match client.recharge(&user, amount, remark.as_deref()).await {
        Ok(ack) => println!("recharged {amount}: {}", ack.message),
        Err(e) if e.outcome_unknown() => {
            eprintln!("{e}\nchecking the history for the remark before doing anything else");
            status = ExitCode::FAILURE;
        }
        Err(e) => {
            if Code::of(&e) == Some(Code::BillingNotEnabled) {
                eprintln!("billing is not enabled for this user");
            }
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    }

    // The last 7 days (the server's default range).
    match client
        .recharge_history(&user, &RechargeHistoryQuery::new())
        .await
    {
        Ok(history) => {
            for r in &history.records {
                println!(
                    "{}  {:>8} {:<4} balance {:>10}  {}",
                    r.created_at,
                    r.amounts,
                    r.kind.label(),
                    r.balance,
                    r.remark.as_deref().unwrap_or("")
                );
            }
            if let Some(remark) = &remark {
                let found = history
                    .records
                    .iter()
                    .any(|r| r.remark.as_deref() == Some(remark.as_str()));
                println!("remark {remark:?} in history: {found}");
            }
        }
        Err(e) => {
            eprintln!("{e}");
            status = ExitCode::FAILURE;
        }
    }
    status
}
