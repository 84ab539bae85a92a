//! Lists ESP-AI quota cards (all of them, or one user's) with their remaining quota.
//!
//! ```sh
//! ESPAI_OPEN_API_KEY=... cargo run -p voxkit-espai --example cards
//! ESPAI_OPEN_API_KEY=... cargo run -p voxkit-espai --example cards -- 15916888888
//! ```
//!
//! `ESPAI_BASE_URL` points it elsewhere (a proxy, a local sandbox).

use futures_util::StreamExt;
use voxkit_espai::{CardFilter, Client, Code, Error};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let mut filter = CardFilter::new();
    if let Some(phone) = std::env::args().nth(1) {
        filter = filter.user_phone(phone);
    }
    let mut cards = client.cards(filter);
    let (mut count, mut quota) = (0u64, 0u64);
    while let Some(card) = cards.next().await {
        match card {
            Ok(card) => {
                count += 1;
                quota = quota.saturating_add(card.api_limit);
                #[allow(clippy::print_stdout)]
                {
                    println!(
                        "{}  code {}  type {}  quota {}  owner {} {}",
                        card.id,
                        card.code,
                        card.card_type,
                        card.api_limit,
                        card.user_phone.as_deref().unwrap_or("-"),
                        card.user_name.as_deref().unwrap_or(""),
                    );
                }
            }
            Err(e) => {
                if let Error::InvalidInput { .. } = e {
                    eprintln!("usage: cards [phone digits]");
                } else if Code::of(&e) == Some(Code::SystemError) {
                    eprintln!("the server reported a system error");
                }
                eprintln!("{e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    #[allow(clippy::print_stdout)]
    {
        println!("{count} card(s), {quota} quota in all");
    }
    std::process::ExitCode::SUCCESS
}
