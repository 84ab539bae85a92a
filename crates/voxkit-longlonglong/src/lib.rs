//! Typed async client for the longlonglong AI outbound-call **agent API**
//! (`https://ai.api.longlonglong.cn/agent-api/...`): recharge and deduct a user's
//! outbound-call balance, read the recharge history, set the account's expiry, manage
//! sub-accounts.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), voxkit_core::Error> {
//! # // A local stand-in for ai.api.longlonglong.cn, so that this example runs as a test.
//! # use wiremock::{Mock, MockServer, ResponseTemplate, matchers::{method, path}};
//! # let server = MockServer::start().await;
//! # Mock::given(method("PUT")).and(path("/agent-api/user/5433b412-07d5-44e6-9fa4-deb65e43bc93/recharge"))
//! #     .respond_with(ResponseTemplate::new(200).set_body_raw(
//! #         r#"{"code":200,"status":"success","message":"AI外呼充值操作成功","data":[]}"#,
//! #         "application/json"))
//! #     .mount(&server).await;
//! # use wiremock::matchers::query_param;
//! # let history = "/agent-api/user/5433b412-07d5-44e6-9fa4-deb65e43bc93/bill_recharge_record";
//! # Mock::given(method("GET")).and(path(history)).and(query_param("page", "2"))
//! #     .respond_with(ResponseTemplate::new(200).set_body_raw(
//! #         r#"{"code":200,"status":"success","message":"查看充值记录成功","data":[]}"#,
//! #         "application/json"))
//! #     .mount(&server).await;
//! # Mock::given(method("GET")).and(path(history)).and(query_param("page", "1"))
//! #     .respond_with(ResponseTemplate::new(200).set_body_raw(
//! #         r#"{"code":200,"status":"success","message":"查看充值记录成功","data":[{"id":137,
//! #            "user_id":"5433b412-07d5-44e6-9fa4-deb65e43bc93","amounts":100,"balance":1684,
//! #            "remark":"order-8123","created_at":"2026-11-22 10:09:20",
//! #            "updated_at":"2026-11-22 10:09:20","type":"充值"}]}"#,
//! #         "application/json"))
//! #     .mount(&server).await;
//! use chrono::NaiveDate;
//! use voxkit_longlonglong::{Client, Code, RechargeHistoryQuery, UserId};
//!
//! let client = Client::builder()
//!     .token("your-partner-token") // or Client::from_env(): LONGLONGLONG_TOKEN
//! #   .base_url(server.uri())
//!     .build()?;
//! let user: UserId = "5433b412-07d5-44e6-9fa4-deb65e43bc93".parse()?;
//!
//! match client.recharge(&user, 100, Some("order-8123")).await {
//!     Ok(ack) => println!("{}", ack.message),
//!     Err(e) if Code::of(&e) == Some(Code::BillingNotEnabled) => {
//!         return Err(e); // 10004 用户未开通账单权限
//!     }
//!     Err(e) if e.outcome_unknown() => {
//!         // The answer was lost: search the whole window for "order-8123" (below).
//!     }
//!     Err(e) => return Err(e),
//! }
//!
//! // Every page of the 30 days up to this day (the API's limit), not page 1 alone.
//! let window = RechargeHistoryQuery::widest_ending(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
//! let found = client.find_recharges_by_remark(&user, "order-8123", &window).await?;
//! for record in &found.matches {
//!     println!("{} {} {:?} → balance {}", record.created_at, record.amounts, record.remark, record.balance);
//! }
//! assert_eq!(found.matches.len(), 1);
//! assert_eq!(found.pages, 2, "page 1, then the empty page 2 that ends the history");
//! # Ok(()) }
//! ```
//!
//! # Configuration
//!
//! [`Client::from_env`] reads `LONGLONGLONG_TOKEN` (the partner token) and, if set,
//! `LONGLONGLONG_BASE_URL` (scheme and host, default `https://ai.api.longlonglong.cn`; the
//! client appends the documented paths such as `/agent-api/user/{user_id}/recharge`).
//! [`Client::builder`] sets everything else: timeouts, deadline, retry policy, proxy, your
//! own `reqwest::Client`.
//!
//! # Money and retries: reconciling a lost answer
//!
//! The API has no idempotency key. [`Client::recharge`], [`Client::deduct`],
//! [`Client::zero_balance`], [`Client::create_sub_account`],
//! [`Client::delete_sub_account`] and [`Client::register_user`] are therefore sent **at
//! most once** once the request may have reached the server: they are retried only when
//! the connection was refused (nothing was sent). When the request went out and no answer
//! came back (dropped connection, timeout, a 502 from a proxy), the call returns
//! [`voxkit_core::Error::OutcomeUnknown`] (`e.outcome_unknown()` is true): the movement
//! may or may not have been applied.
//!
//! To reconcile, give every movement a remark that identifies it alone (an order number),
//! and on an unknown outcome call [`Client::find_recharges_by_remark`] over
//! [`RechargeHistoryQuery::reconcile_window`]: it reads **every page** of the last 30 days
//! (the history comes a page at a time, without a paginator; the movement may well be on
//! page 2 behind later ones) and fails rather than answer from part of them. A record
//! with your remark means the movement was applied. None means it was not — and you may
//! send it again — only because the whole window was searched and only if no other
//! movement carried that remark. A movement sent without a remark cannot be reconciled
//! by remark: compare the balance and the history
//! ([`Client::recharge_history_all`]) by amount and time. Reads
//! ([`Client::recharge_history`], [`Client::account_info`],
//! [`Client::sub_accounts`], ...) and [`Client::set_expiry`] (an absolute value) are
//! retried on transient failures.
//!
//! # Errors
//!
//! Every answer comes in the envelope `{"code", "status", "message", "data"}`, decoded in
//! one place: `code` 200 is success; any other code is
//! [`voxkit_core::Error::Api`] with the code and message — **whatever the HTTP status**,
//! because the API sends its errors with HTTP 200 (`{"code": 10004, "status": "error",
//! "message": "用户未开通账单权限", "data": []}`). [`Code::of`] names the documented codes.
//!
//! Two answers are not taken at their word. `code` 500 is the server's own failure (an
//! exception while handling the request, possibly after the movement was committed): for
//! a non-repeatable operation it is [`voxkit_core::Error::OutcomeUnknown`] with the API
//! error as its cause, in a 200 or a 5xx alike ([`SYSTEM_ERROR_CODES`]). And an envelope
//! that contradicts itself (`"code": 200` with a `status` other than `"success"`) is not a
//! success: [`voxkit_core::Error::Decode`], so an unknown outcome for a non-repeatable
//! operation. A 5xx carrying the envelope is likewise an unknown outcome for those.
//!
//! # Identifiers
//!
//! `user_id` and `sub_user_id` are UUIDs in the documentation. [`UserId`] and
//! [`SubUserId`] accept nothing else, so no value can point a call at another path (and
//! the path is percent-encoded regardless).

// docs.rs (`--cfg docsrs`, nightly): label each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod code;
mod de;
mod ids;
mod model;
mod paging;
#[cfg(test)]
mod proptests;

/// Not part of the API: the response decoder on raw bytes, for `fuzz/` and the property
/// tests. Hidden from the documentation; may change in any release.
#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;

pub use client::{Client, ClientBuilder, SYSTEM_ERROR_CODES};
pub use code::Code;
pub use ids::{SubUserId, UserId};
pub use model::{
    AccountInfo, Ack, Direction, MAX_HISTORY_SPAN_DAYS, Meta, NewSubAccount, NewUser,
    RechargeHistory, RechargeHistoryQuery, RechargeRecord, RecordKind, Registration, Sex,
    SubAccount, SubAccountPage, SubAccountQuery, TokenInfo, Undocumented,
};
pub use paging::{DEFAULT_MAX_HISTORY_PAGES, RemarkSearch};
pub use voxkit_core::{Error, SecretString};

use voxkit_core::Idempotency;

/// The provider's short name in errors and traces: `"longlonglong"`.
pub const PROVIDER: &str = "longlonglong";

/// The documented base URL.
pub const DEFAULT_BASE_URL: &str = "https://ai.api.longlonglong.cn";

/// Every operation this crate sends, by the name it carries in errors and traces
/// ([`voxkit_core::Origin::operation`], the `operation` field of the `voxkit.call` span), with
/// whether it is [repeatable](Idempotency): repeatable operations are retried on transient
/// failures; the others are sent at most once when the request may have reached the server,
/// and a lost answer is [`Error::OutcomeUnknown`].
///
/// A unit test checks this list against the operations the client builds, so it cannot fall
/// behind; the workspace's fault-matrix test runs every entry against every fault.
pub const OPERATIONS: &[(&str, Idempotency)] = &[
    ("recharge", Idempotency::NotRepeatable),
    ("deduct", Idempotency::NotRepeatable),
    ("zero_balance", Idempotency::NotRepeatable),
    ("recharge_history", Idempotency::Repeatable),
    ("set_expiry", Idempotency::Repeatable),
    ("account_info", Idempotency::Repeatable),
    ("token_info", Idempotency::Repeatable),
    ("register_user", Idempotency::NotRepeatable),
    ("create_sub_account", Idempotency::NotRepeatable),
    ("sub_accounts", Idempotency::Repeatable),
    ("sub_account", Idempotency::Repeatable),
    ("delete_sub_account", Idempotency::NotRepeatable),
];

#[cfg(test)]
mod tests {
    use super::*;

    use voxkit_core::mutation::first_args;

    /// Every operation the client builds is listed in [`OPERATIONS`], and nothing else:
    /// the client's source is scanned for the names it hands to `op(..)` (which wraps
    /// `Operation::new`) and to `move_balance(..)`.
    #[test]
    fn operations_lists_every_operation_the_client_builds() {
        let source = include_str!("client.rs");
        let source = &source[..source.find("#[cfg(test)]").unwrap_or(source.len())];
        let mut built = Vec::new();
        for callee in ["op(", "move_balance(", "Operation::new("] {
            for arg in first_args(source, callee) {
                match arg.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
                    Some(name) => built.push(name),
                    // The helpers' own parameters, which only forward a literal above.
                    None => assert!(
                        ["name", "&self"].contains(&arg),
                        "{callee}{arg}: an operation name that is not a literal; \
                         extend this test so that it still sees every name"
                    ),
                }
            }
        }
        built.sort_unstable();
        built.dedup();
        let mut listed: Vec<&str> = OPERATIONS.iter().map(|(name, _)| *name).collect();
        listed.sort_unstable();
        assert_eq!(built, listed, "OPERATIONS is out of date");
        assert_eq!(listed.len(), OPERATIONS.len(), "a name is listed twice");
        assert_eq!(built.len(), 12);
    }

    #[test]
    fn money_moving_operations_are_not_repeatable() {
        for (name, idempotency) in OPERATIONS {
            let moves_or_creates = [
                "recharge",
                "deduct",
                "zero_balance",
                "register_user",
                "create_sub_account",
                "delete_sub_account",
            ]
            .contains(name);
            assert_eq!(
                idempotency.is_repeatable(),
                !moves_or_creates,
                "{name} {idempotency:?}"
            );
        }
    }
}
