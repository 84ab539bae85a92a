//! voxkit: typed async clients for the account, billing and quota APIs of voice-AI
//! platforms. Each provider sits behind a cargo feature of its name, so an application
//! compiles only the providers it uses; `full` turns them all on.
//!
//! | feature   | module              | provider                                   |
//! |-----------|---------------------|--------------------------------------------|
//! | `longlonglong` | [`longlonglong`] | longlonglong AI agent API (Bearer token): recharge, deduct, expiry, sub-accounts |
//! | `laaffic` | [`laaffic`]         | Laaffic v3 (MD5-signed): balance, IVR group calls, call records |
//! | `espai`   | [`espai`]           | ESP-AI open platform: quota cards, transfers, orders |
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

/// The longlonglong AI outbound-call agent client (feature `longlonglong`): see
/// [`voxkit_longlonglong`].
#[cfg(feature = "longlonglong")]
pub use voxkit_longlonglong as longlonglong;

/// The ESP-AI open platform client (feature `espai`): see [`voxkit_espai`].
#[cfg(feature = "espai")]
pub use voxkit_espai as espai;

/// The error type of every provider.
pub use voxkit_core::Error;
