//! Typed async client for the [ESP-AI](https://espai.fun) open platform's quota-card
//! ("额度卡", cdkey) and order APIs: list cards, read one, read its usage log, transfer
//! quota between cards, destroy cards, and start buying or topping up a card.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), voxkit_core::Error> {
//! # // A local stand-in for api.espai.fun, so that this example runs as a test.
//! # use wiremock::{Mock, MockServer, ResponseTemplate, matchers::{method, path}};
//! # let server = MockServer::start().await;
//! # Mock::given(method("POST")).and(path("/cdkey/list"))
//! #     .respond_with(ResponseTemplate::new(200).set_body_raw(
//! #         r#"{"message":"请求成功","data":[{"id":"772868ead56c48d68fd1924aa5ec3aac",
//! #            "create_time":1743506056109,"update_time":null,"code":"wNaa1GDw",
//! #            "user_id":"87215a4192654cea8781a1a596d23cae","api_limit":500,"type":"1",
//! #            "user_phone":15916888888,"user_name":"琳琅"}],"totalNumber":1,"success":true}"#,
//! #         "application/json"))
//! #     .mount(&server).await;
//! # Mock::given(method("POST")).and(path("/cdkey/transfer"))
//! #     .respond_with(ResponseTemplate::new(200).set_body_raw(
//! #         r#"{"success":true,"message":"请求成功"}"#, "application/json"))
//! #     .mount(&server).await;
//! use futures_util::TryStreamExt;
//! use voxkit_espai::{CardFilter, CardKey, Client, Code};
//!
//! let client = Client::builder()
//!     .api_key("your-open-api-key") // or Client::from_env()
//! #   .base_url(server.uri())
//!     .build()?;
//!
//! // Every card of one user, page after page.
//! let cards: Vec<_> = client
//!     .cards(CardFilter::new().user_phone("15916888888"))
//!     .try_collect()
//!     .await?;
//! for card in &cards {
//!     println!("{} ({}): {} left", card.code, card.card_type, card.api_limit);
//! }
//!
//! // Move 10 of quota from the first paid card to another user's card.
//! let from = cards.iter().find(|c| c.card_type.is_paid()).and_then(|c| c.key());
//! if let Some(from) = from {
//!     let to = CardKey::new("17516888888", "3AoPbLSQ");
//!     match client.transfer(&from, &to, 10).await {
//!         Ok(_) => println!("transferred"),
//!         Err(e) if e.outcome_unknown() => eprintln!("check both cards before retrying: {e}"),
//!         Err(e) if Code::of(&e) == Some(Code::SystemError) => eprintln!("server error: {e}"),
//!         Err(e) => return Err(e),
//!     }
//! }
//! # assert_eq!(server.received_requests().await.unwrap().len(), 2);
//! # Ok(()) }
//! ```
//!
//! # Configuration
//!
//! [`Client::from_env`] reads `ESPAI_OPEN_API_KEY` and, if set, `ESPAI_BASE_URL` (scheme
//! and host, default `https://api.espai.fun`; the client appends the documented paths such
//! as `/cdkey/list`). The key is trimmed and refused, naming the variable but never showing
//! its value, when empty or holding whitespace or control characters. [`Client::builder`]
//! ([`ClientBuilder`], core's one builder described by [`Espai`]) sets everything else:
//! timeouts, deadline, retry policy, proxy, your own `reqwest::Client`.
//!
//! The key is the account's `open_api_key` (set with [`ClientBuilder::api_key`]), sent as
//! `authorization: <key>` (the raw key, no `Bearer`). It is kept in a [`SecretString`],
//! marked sensitive in the header, scrubbed from error excerpts and never shown by `Debug`.
//!
//! # Layout
//!
//! One module per group of operations, each holding its calls, their request and answer
//! types and their declarations ([`OPERATIONS`]): quota cards (list, the paging stream,
//! detail), their usage log, transfers and destruction, orders.
//!
//! # Wire format
//!
//! Every call is a `POST` with a JSON body. The documentation types every request field as
//! a string and its examples send numbers as strings (`"page": "1"`, `"limit": "10"`),
//! which is what this crate sends; responses carry numbers (`"api_limit": 500`), and the
//! same field may come as a number on one endpoint and a string on another
//! (`user_phone`). Decoding accepts either form for every numeric field. Timestamps
//! (epoch milliseconds, possibly `null`) are decoded into [`std::time::SystemTime`].
//!
//! # Errors
//!
//! Calls return [`voxkit_core::Error`]. Every answer is an envelope
//! `{success, message, data, totalNumber, code}`, decoded by core's one envelope decoder:
//! `"success": false` is [`Error::Api`] with the `code` as text (`500` → `"500"`, `None`
//! when the server sends none, as for "额度卡不存在") and the `message`; [`Code::of`] turns
//! it into a [`Code`], and [`missing_parameter`] reads the field of a "缺失参数" error. A
//! body that is not an envelope (an HTML error page) is [`Error::Decode`]. Input that the
//! documentation rules out is refused with [`Error::InvalidInput`] before anything is sent.
//! `transfer`, `destroy` and `pay` are never sent twice: when such a request may have
//! reached the server without an answer, the error is [`Error::OutcomeUnknown`] (each
//! one's declaration says how to find out afterwards whether it was applied); so is
//! `code` 500 (`"系统错误：…"`, [`SYSTEM_ERROR_CODES`]), which every endpoint documents for a
//! failure inside the server, possibly after the transfer was applied, and any 5xx answer,
//! envelope or not (the API error is then the cause).

// docs.rs (`--cfg docsrs`, nightly): label each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

voxkit_core::crate_operations! {
    /// Declares one group's operations with [`voxkit_core::operations!`] and what every
    /// group of this crate shares: the provider, the client, no group-wide header (the
    /// JSON body sets `Content-Type`), and the group's `LIST` and `HOOKS`, joined below
    /// into [`OPERATIONS`] and `TEST_HOOKS`.
    macro operations;
    provider = crate::PROVIDER;
    client = crate::Client;
    headers = [];
    /// This group's operations, joined into [`crate::OPERATIONS`].
    pub(crate) list LIST;
    /// Their test hooks, joined into `crate::TEST_HOOKS`.
    pub(crate) hooks HOOKS;
}

mod agents;
mod cards;
#[cfg(feature = "channel")]
pub mod channel;
mod checks;
mod client;
mod code;
mod devices;
mod envelope;
mod field_decoders;
mod listing;
mod orders;
mod plugins;
#[cfg(test)]
mod proptests;
mod removals;
mod transfers;
mod usage;

use std::sync::Arc;

use voxkit_core::reqwest::header::AUTHORIZATION;
use voxkit_core::{
    AgentHost, Clock, EnvVars, HeaderAuth, Key, NoOptions, Origin, Provider, SecondHost,
};

pub use agents::{
    AGENT_NAME_MAX_CHARS, Agent, AgentConfig, AgentFilter, AgentPage, AgentUpdate,
    DEFAULT_SERVER_ID, NewAgent, ServiceConfig, Updated, marked_agent_name,
};
pub use cards::{
    CARD_NOT_FOUND, Card, CardFilter, CardKey, CardPage, CardType, DEFAULT_MAX_CARDS,
    DEFAULT_MAX_PAGES, DEFAULT_PAGE_SIZE, Paging,
};
#[cfg(feature = "channel")]
pub use channel::{ChannelOptions, DeviceChannel, DeviceEvent, DeviceMessage};
pub use checks::{
    CARD_ID_LEN, MAX_PHONE_DIGITS, MAX_TEXT_CHARS, MAX_TOKEN_BYTES, MAX_TRANSFER_AMOUNT,
    check_card_ids,
};
pub use client::Client;
pub use code::{Code, missing_parameter};
#[cfg(any(test, feature = "test-util"))]
pub use devices::EXAMPLE_AGENT_KEY;
pub use devices::{Device, DeviceFilter, DevicePage, DeviceUpdate, check_mac};
pub use orders::{Commodity, OrderKind};
pub use plugins::{Plugin, PluginPage, PluginType, ReviewStatus};
pub use transfers::{Ack, LOG_CLOCK_SKEW, TRANSFER_PAIR_WINDOW};
pub use usage::{BalanceLog, BalanceLogPage, BalanceLogQuery};
pub use voxkit_core::{Error, SecretString};

/// The provider's short name in errors and traces.
pub const PROVIDER: &str = "espai";

/// The default base URL (scheme and host; paths are appended per endpoint). The
/// documentation's quota-card and order endpoints live on `api.espai.fun` (older revisions
/// used `api.espai2.fun`; point `ESPAI_BASE_URL` there if needed).
pub const DEFAULT_BASE_URL: &str = "https://api.espai.fun";

/// The default base URL of the agent (超体, `equipment/*`) endpoints: the current
/// documentation puts them on `api.espai2.fun`, not on [`DEFAULT_BASE_URL`]. Set with
/// [`ClientBuilder::agent_base_url`] or [`ENV_AGENT_BASE_URL`]; when only the base URL is
/// set (a sandbox, a proxy), agent calls follow it.
pub const DEFAULT_AGENT_BASE_URL: &str = "https://api.espai2.fun";

/// The environment variable that, if set and not empty, replaces
/// [`DEFAULT_AGENT_BASE_URL`].
pub const ENV_AGENT_BASE_URL: &str = "ESPAI_AGENT_BASE_URL";

/// The environment variable holding the open API key.
pub const ENV_OPEN_API_KEY: &str = "ESPAI_OPEN_API_KEY";

/// The environment variable that, if set and not empty, replaces [`DEFAULT_BASE_URL`].
pub const ENV_BASE_URL: &str = "ESPAI_BASE_URL";

/// The provider's "system error" codes: `code` 500 (`"系统错误：…"`, documented on every
/// endpoint). The server failed while handling the request, possibly after applying it,
/// so for a non-repeatable operation such an answer is [`Error::OutcomeUnknown`] (its
/// cause the [`Error::Api`]), whatever the HTTP status; a repeatable operation gets the
/// [`Error::Api`]. Set through [`Espai`]'s [`Provider::INDETERMINATE_CODES`].
pub const SYSTEM_ERROR_CODES: &[&str] = &["500"];

/// Configures a [`Client`]: the open API key ([`ClientBuilder::api_key`]), base URL,
/// timeouts, retry policy. Core's one builder, described by [`Espai`], so every option
/// and the environment rules are the same as the other providers'.
pub type ClientBuilder = voxkit_core::Builder<Espai>;

/// The ESP-AI open platform, described for [`voxkit_core::Builder`]: its name, base URL,
/// environment variables, the open API key as its credential (sent raw in
/// `authorization`) and its system-error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Espai;

impl Provider for Espai {
    const NAME: &'static str = PROVIDER;
    const DEFAULT_BASE_URL: &'static str = DEFAULT_BASE_URL;
    const ENV: EnvVars = EnvVars {
        base_url: ENV_BASE_URL,
        credentials: &[ENV_OPEN_API_KEY],
    };
    const INDETERMINATE_CODES: &'static [&'static str] = SYSTEM_ERROR_CODES;
    const SECOND_HOST: Option<SecondHost> = Some(SecondHost {
        default_base_url: DEFAULT_AGENT_BASE_URL,
        env: ENV_AGENT_BASE_URL,
    });
    type Credentials = Key;
    type Options = NoOptions;
    type Auth = HeaderAuth;
    type Client = Client;

    fn auth(
        credentials: Key,
        origin: Origin,
        _: &Arc<dyn Clock>,
        _: &NoOptions,
    ) -> Result<HeaderAuth, Error> {
        // The raw key, no `Bearer` prefix, as every example of the documentation sends
        // it; refused now, not at the first call, when it cannot travel in a header.
        HeaderAuth::new(origin, "API key", AUTHORIZATION, "", credentials.key)
    }

    fn client(core: voxkit_core::Client, auth: Arc<HeaderAuth>, _: NoOptions) -> Client {
        // Only reached without a second client, which `SECOND_HOST` rules out: the agent
        // calls then share the base URL.
        Client::wrap(core.clone(), core, auth)
    }

    fn client_with_second(
        core: voxkit_core::Client,
        agent: Option<voxkit_core::Client>,
        auth: Arc<HeaderAuth>,
        _: NoOptions,
    ) -> Client {
        let agent = agent.unwrap_or_else(|| core.clone());
        Client::wrap(core, agent, auth)
    }
}

/// ESP-AI's second host serves its agents (超体): [`ClientBuilder::agent_base_url`].
impl AgentHost for Espai {}

voxkit_core::operation_list! {
    /// Every operation this crate sends, declared once in its group's module: name (as in
    /// errors, traces and the `operation` field of the `voxkit.call` span), method, path,
    /// whether it is [repeatable](voxkit_core::Idempotency) and, for those that are not,
    /// how a lost answer is [reconciled](voxkit_core::Reconciliation). Repeatable
    /// operations are retried on transient failures; the others are sent at most once when
    /// the request may have reached the server, and a lost answer is
    /// [`Error::OutcomeUnknown`]. The workspace's fault matrix runs every entry against
    /// every fault.
    ///
    /// [`Client::cards`] and [`Client::cards_with`] send `list_cards`, once per page;
    /// [`Client::logs`] sends `balance_logs` the same way; [`Client::card`] sends
    /// `card_detail`.
    pub OPERATIONS = [cards::LIST, usage::LIST, transfers::LIST, orders::LIST, agents::LIST, devices::LIST, plugins::LIST];
}

#[cfg(any(test, feature = "test-util"))]
voxkit_core::test_hooks_list! {
    /// Every operation's test hooks (feature `test-util`): an example call with the
    /// documentation's values and the decoder of its answer, in [`OPERATIONS`] order. The
    /// fault matrix, the secret-hygiene suite, the fuzz target and the property tests
    /// iterate these instead of naming operations. Each decoder scrubs [`TEST_KEY`] as the
    /// client scrubs its key.
    pub TEST_HOOKS: Client = [cards::HOOKS, usage::HOOKS, transfers::HOOKS, orders::HOOKS, agents::HOOKS, devices::HOOKS, plugins::HOOKS];
}

/// The key the [`TEST_HOOKS`] decoders scrub from every error, as the client scrubs its
/// own key (feature `test-util`): fuzz targets and property tests hide it in bodies and
/// check that it never survives.
#[cfg(any(test, feature = "test-util"))]
pub const TEST_KEY: &str = "SENTINEL-KEY-5c2e";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hooks_follow_the_operation_list() {
        let names: Vec<&str> = OPERATIONS.iter().map(|s| s.name).collect();
        let hooked: Vec<&str> = TEST_HOOKS.iter().map(|h| h.spec.name).collect();
        assert_eq!(hooked, names);
        assert!(OPERATIONS.iter().all(|s| s.provider == PROVIDER));
    }
}
