//! Prints the Laaffic account balance.
//!
//! ```sh
//! LAAFFIC_API_KEY=... LAAFFIC_API_SECRET=... cargo run -p voxkit-laaffic --example balance
//! ```
//!
//! `LAAFFIC_BASE_URL` points it elsewhere (a proxy, a local sandbox).

use voxkit_laaffic::{Client, Status};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    match client.balance().await {
        Ok(b) => {
            #[allow(clippy::print_stdout)]
            {
                println!(
                    "balance {}  gift {}  credit {}",
                    b.balance, b.gift, b.credit
                );
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            if Status::of(&e) == Some(Status::AuthenticationError) {
                eprintln!("the API key or secret was refused");
            }
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
