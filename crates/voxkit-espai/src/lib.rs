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
//!     .open_api_key("your-open-api-key") // or Client::from_env()
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
//! as `/cdkey/list`). [`Client::builder`] sets everything else: timeouts, deadline, retry
//! policy, proxy, your own `reqwest::Client`.
//!
//! The key is the account's `open_api_key`, sent as `authorization: <key>` (the raw key,
//! no `Bearer`). It is kept in a [`SecretString`], marked sensitive in the header, scrubbed
//! from error excerpts and never shown by `Debug`.
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
//! `{success, message, data, totalNumber, code}`, decoded in one place:
//! `"success": false` is [`Error::Api`] with the `code` as text (`500` → `"500"`, `None`
//! when the server sends none, as for "额度卡不存在") and the `message`; [`Code::of`] turns
//! it into a [`Code`], and [`missing_parameter`] reads the field of a "缺失参数" error. A
//! body that is not an envelope (an HTML error page) is [`Error::Decode`]. Input that the
//! documentation rules out is refused with [`Error::InvalidInput`] before anything is sent.
//! `transfer`, `destroy` and `pay` are never sent twice: when such a request may have
//! reached the server without an answer, the error is [`Error::OutcomeUnknown`]; so is
//! `code` 500 (`"系统错误：…"`, [`SYSTEM_ERROR_CODES`]), which every endpoint documents for a
//! failure inside the server, possibly after the transfer was applied, and any 5xx answer,
//! envelope or not (the API error is then the cause).

// docs.rs (`--cfg docsrs`, nightly): label each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod code;
mod paging;
#[cfg(test)]
mod proptests;
mod types;
mod validate;
mod wire;

/// Not part of the API: the response decoder on raw bytes, for `fuzz/` and the property
/// tests. Hidden from the documentation; may change in any release.
#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;

pub use client::{Client, ClientBuilder, ENV_BASE_URL, ENV_OPEN_API_KEY, SYSTEM_ERROR_CODES};
pub use code::{Code, missing_parameter};
pub use paging::{DEFAULT_MAX_CARDS, DEFAULT_MAX_PAGES, DEFAULT_PAGE_SIZE, Paging};
pub use types::{
    Ack, BalanceLog, BalanceLogPage, BalanceLogQuery, Card, CardFilter, CardKey, CardPage,
    CardType, Commodity, OrderKind,
};
pub use validate::{MAX_PHONE_DIGITS, MAX_TEXT_CHARS, MAX_TOKEN_BYTES};
pub use voxkit_core::{Error, SecretString};

use voxkit_core::Idempotency;

/// The provider's short name in errors and traces.
pub const PROVIDER: &str = "espai";

/// The default base URL (scheme and host; paths are appended per endpoint). The
/// documentation's quota-card and order endpoints live on `api.espai.fun` (older revisions
/// used `api.espai2.fun`; point `ESPAI_BASE_URL` there if needed).
pub const DEFAULT_BASE_URL: &str = "https://api.espai.fun";

/// Every operation this crate sends, by the name it carries in errors and traces
/// ([`voxkit_core::Origin::operation`], the `operation` field of the `voxkit.call` span), with
/// whether it is [repeatable](Idempotency): repeatable operations are retried on transient
/// failures; the others are sent at most once when the request may have reached the server,
/// and a lost answer is [`Error::OutcomeUnknown`].
///
/// A unit test checks this list against the operations the client builds, so it cannot fall
/// behind; the workspace's fault-matrix test runs every entry against every fault.
///
/// [`Client::cards`] and [`Client::cards_with`] send `list_cards`, once per page;
/// [`Client::card`] sends `card_detail`.
pub const OPERATIONS: &[(&str, Idempotency)] = &[
    ("list_cards", Idempotency::Repeatable),
    ("card_detail", Idempotency::Repeatable),
    ("balance_logs", Idempotency::Repeatable),
    ("transfer", Idempotency::NotRepeatable),
    ("destroy", Idempotency::NotRepeatable),
    ("pay", Idempotency::NotRepeatable),
];

#[cfg(test)]
mod tests {
    use super::*;

    use voxkit_core::mutation::first_args;

    /// Every operation the client builds is listed in [`OPERATIONS`], and nothing else:
    /// each public call names its operation in a `const OP: &str = "..."` and hands it to
    /// `self.post(OP, ..)`, which wraps `Operation::new(name, ..)`.
    #[test]
    fn operations_lists_every_operation_the_client_builds() {
        let source = include_str!("client.rs");
        let source = &source[..source.find("#[cfg(test)]").unwrap_or(source.len())];
        for (callee, forwarded) in [("Operation::new(", "name"), ("post(", "OP")] {
            for arg in first_args(source, callee) {
                assert_eq!(
                    arg, forwarded,
                    "{callee}{arg}: an operation named another way; extend this test"
                );
            }
        }
        let consts = source.matches("const OP: &str = ").count();
        let mut built: Vec<&str> = source
            .split("const OP: &str = \"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap_or(0)])
            .collect();
        assert_eq!(built.len(), consts);
        assert_eq!(
            source.matches("self.post(OP,").count(),
            consts,
            "every OP is sent through post()"
        );
        built.sort_unstable();
        built.dedup();
        let mut listed: Vec<&str> = OPERATIONS.iter().map(|(name, _)| *name).collect();
        listed.sort_unstable();
        assert_eq!(built, listed, "OPERATIONS is out of date");
        assert_eq!(listed.len(), OPERATIONS.len(), "a name is listed twice");
        // The paging stream walks `list_cards`, already listed.
        assert!(include_str!("paging.rs").contains(".list_cards(&filter)"));
    }

    #[test]
    fn money_moving_operations_are_not_repeatable() {
        for (name, idempotency) in OPERATIONS {
            let moves = ["transfer", "destroy", "pay"].contains(name);
            assert_eq!(idempotency.is_repeatable(), !moves, "{name}");
        }
    }
}
