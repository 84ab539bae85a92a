//! voxkit: typed async clients for the account, billing and quota APIs of voice-AI
//! platforms. Each provider sits behind a cargo feature of its name, so an application
//! compiles only the providers it uses; `full` turns them all on.
//!
//! | feature   | module              | provider                                   |
//! |-----------|---------------------|--------------------------------------------|
//! | `laaffic` | [`laaffic`]         | Laaffic v3 (MD5-signed): balance           |
//!
//! TLS: `rustls` (default, ring provider), `rustls-aws-lc-rs`, or `native-tls`.
//! [`core`] holds what every provider shares: the error type, retry policy, transport.
//!
//! ```no_run
//! # #[cfg(feature = "laaffic")]
//! # async fn run() -> Result<(), voxkit::core::Error> {
//! let client = voxkit::laaffic::Client::from_env()?; // LAAFFIC_API_KEY, LAAFFIC_API_SECRET
//! let balance = client.balance().await?;
//! println!("{}", balance.balance);
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use voxkit_core as core;

/// The Laaffic client (feature `laaffic`): see [`voxkit_laaffic`].
#[cfg(feature = "laaffic")]
pub use voxkit_laaffic as laaffic;

/// The error type of every provider.
pub use voxkit_core::Error;
