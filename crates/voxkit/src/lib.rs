//! voxkit: typed async clients for the account, billing and quota APIs of voice-AI
//! platforms. Each provider sits behind a cargo feature of its name, so an application
//! compiles only the providers it uses; the default turns on none, `full` turns them all on.
//!
//! ```toml
//! [dependencies]
//! voxkit = { version = "0.1", features = ["laaffic"] }
//! ```
//!
//! # Features
//!
//! | feature              | turns on                                                            |
//! |----------------------|---------------------------------------------------------------------|
//! | `longlonglong`       | [`longlonglong`]: the longlonglong AI agent API (Bearer token): recharge, deduct, expiry, sub-accounts |
//! | `laaffic`            | [`laaffic`]: Laaffic v3 (MD5-signed): balance, IVR group calls, call records |
//! | `espai`              | [`espai`]: the ESP-AI open platform: quota cards, transfers, orders |
//! | `full`               | every provider                                                      |
//! | `webhooks`           | receivers of the pushes of the providers turned on: Laaffic's call reports, longlonglong's callbacks (axum routers) |
//! | `journal`            | [`journal`]: a durable journal of money-moving intents (SQLite store), so each operation is applied once across lost answers and crashes |
//! | `journal-postgres`   | the journal's PostgreSQL store, shared by several processes or hosts |
//! | `rustls` (default)   | TLS through rustls with the `ring` crypto provider                  |
//! | `rustls-aws-lc-rs`   | TLS through rustls with `aws-lc-rs` (FIPS-capable, slower to build) |
//! | `native-tls`         | TLS through the platform's library (OpenSSL on Linux); wins over rustls when both are on |
//!
//! On docs.rs every item that needs a feature says which one. [`core`] holds what every
//! provider shares: the [`Error`] type, the retry policy, the transports.
//!
//! # Choose your provider
//!
//! Each client is built from its credentials (or `Client::from_env()`), is cheap to clone,
//! and returns [`Error`]. An operation that moves money is never sent twice: when it may
//! have reached the provider without an answer, the error is [`Error::OutcomeUnknown`] and
//! you look at the provider's state before trying again.
//!
//! ```no_run
//! # async fn example() -> Result<(), voxkit::Error> {
//! // longlonglong: a partner token.
//! #[cfg(feature = "longlonglong")]
//! {
//!     use voxkit::longlonglong::{Client, UserId};
//!     let client = Client::builder().token("partner-token").build()?;
//!     let user: UserId = "5433b412-07d5-44e6-9fa4-deb65e43bc93".parse()?;
//!     match client.recharge(&user, 100, Some("order-8123")).await {
//!         Ok(ack) => println!("{}", ack.message),
//!         // Maybe applied: look for "order-8123" in the recharge history first.
//!         Err(e) if e.outcome_unknown() => eprintln!("outcome unknown: {e}"),
//!         Err(e) => return Err(e),
//!     }
//! }
//!
//! // Laaffic: an API key and secret; every request is signed.
//! #[cfg(feature = "laaffic")]
//! {
//!     use voxkit::laaffic::Client;
//!     let client = Client::builder().credentials("api-key", "api-secret").build()?;
//!     let balance = client.balance().await?;
//!     println!("balance {} gift {} credit {}", balance.balance, balance.gift, balance.credit);
//! }
//!
//! // ESP-AI: the account's open_api_key.
//! #[cfg(feature = "espai")]
//! {
//!     use voxkit::espai::{CardFilter, Client};
//!     let client = Client::builder().api_key("open-api-key").build()?;
//!     let page = client.list_cards(&CardFilter::new()).await?;
//!     println!("{} cards", page.items.len());
//! }
//! # Ok(()) }
//! ```
//!
//! To try any of them without an account, point `*_BASE_URL` at the sandbox
//! (`voxkit sandbox`, or its container image): see the README.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use voxkit_core as core;

/// The Laaffic client (feature `laaffic`): see [`voxkit_laaffic`].
#[cfg(feature = "laaffic")]
pub use voxkit_laaffic as laaffic;

/// The longlonglong AI outbound-call agent client (feature `longlonglong`): see
/// [`voxkit_longlonglong`].
#[cfg(feature = "longlonglong")]
pub use voxkit_longlonglong as longlonglong;

/// The ESP-AI open platform client (feature `espai`): see [`voxkit_espai`].
#[cfg(feature = "espai")]
pub use voxkit_espai as espai;

/// The durable journal of money-moving intents (feature `journal`; its PostgreSQL store:
/// `journal-postgres`): see [`voxkit_journal`].
#[cfg(feature = "journal")]
pub use voxkit_journal as journal;

/// The error type of every provider.
pub use voxkit_core::Error;
