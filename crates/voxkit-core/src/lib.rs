//! HTTP plumbing shared by the voxkit provider clients. It knows no provider.
//!
//! - [`Client`] and [`ClientBuilder`]: one shared `reqwest::Client` behind the
//!   [`Transport`] trait, base URL checks (plain `http://` only to loopback unless
//!   allowed), timeouts, a deadline, no redirects, and the retry loop.
//! - [`Auth`]: an object-safe trait that signs **every attempt** afresh.
//! - [`SecretString`]: credentials whose `Debug` and `Display` never show the value.
//! - [`Operation`] and [`Path`]: what a call sends, with caller-supplied path segments
//!   always percent-encoded, and whether it is [safe to repeat](Idempotency).
//! - [`retry`]: the retry decision as a pure function, and full-jitter backoff.
//! - [`Error`]: the one error type of the workspace; [`Error::OutcomeUnknown`] says that
//!   a money-moving request may have been applied and must be checked before it is
//!   sent again.
//!
//! # TLS
//!
//! The TLS backend is chosen here, by additive cargo features: `rustls` (default, with the
//! `ring` crypto provider), `rustls-aws-lc-rs`, or `native-tls` (which wins when enabled).
//! The rustls provider is handed to each client explicitly: voxkit never installs a
//! process-wide provider and never panics because an application installed its own.
//! To supply your own `reqwest::Client`, start from [`transport::http_client_builder`].
//!
//! # Example
//!
//! A provider crate builds operations and decodes their answers:
//!
//! ```no_run
//! use std::sync::Arc;
//! use voxkit_core::{Client, Error, Idempotency, NoAuth, Operation, Path};
//! use voxkit_core::reqwest::Method;
//!
//! # async fn run() -> Result<(), Error> {
//! let client = Client::builder("example", "https://api.example.com").build(Arc::new(NoAuth))?;
//! let origin = client.origin("ping");
//! let op = Operation::new(
//!     "ping",
//!     Method::GET,
//!     Path::root().lit("v1/ping").param(origin, "user/42")?, // sent as /v1/ping/user%2F42
//!     Idempotency::Repeatable,
//! );
//! let body = client.execute(&op, |response| Ok(response.body.clone())).await?;
//! # let _ = body; Ok(()) }
//! ```

// docs.rs (`--cfg docsrs`, nightly): label each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth;
pub mod check;
mod client;
pub mod declare;
pub mod error;
#[cfg(feature = "test-util")]
pub mod fault;
pub mod lenient;
#[cfg(feature = "test-util")]
pub mod mutation;
pub mod operation;
pub mod page;
pub mod provider;
pub mod reconcile;
pub mod redact;
pub mod retry;
mod setters;
#[cfg(feature = "test-util")]
pub mod test_util;
#[cfg(test)]
mod toy;
pub mod transport;
#[cfg(feature = "webhooks")]
pub mod webhook;
pub mod wire;

pub use auth::{
    Attempt, Auth, Clock, ExposeSecret, FixedClock, HeaderAuth, NoAuth, SecretString, SystemClock,
    require_secret, sensitive_header,
};
pub use client::{
    ATTEMPT_TIMEOUT_DEFAULT, CONNECT_TIMEOUT_DEFAULT, Client, ClientBuilder,
    MAX_RESPONSE_BYTES_DEFAULT, USER_AGENT_DEFAULT,
};
pub use declare::{OperationSpec, Reconciliation, TestHooks};
pub use error::{Error, Origin, TransportKind};
pub use operation::{Idempotency, Operation, Path};
pub use page::{AtCap, Noun, Page, Paging};
pub use provider::{
    AgentHost, Builder, Credentials, EnvVars, Key, KeyAndSecret, NoOptions, Provider, SecondHost,
    SkewCorrection, Token,
};
pub use reconcile::{Evidence, ExactlyOnceOutcome, Marker, ReconcileWait, Verdict};
pub use retry::RetryPolicy;
pub use transport::{HttpRequest, HttpResponse, ReqwestTransport, Transport, TransportError};
pub use wire::{Decoded, EnvelopeFormat, PayloadAt, Success};

/// The `async_trait` macro, for implementing [`Auth`] and [`Transport`].
pub use async_trait::async_trait;
/// The `reqwest` version voxkit is built on, for [`ClientBuilder::http_client`] and
/// [`ClientBuilder::proxy`].
pub use reqwest;
