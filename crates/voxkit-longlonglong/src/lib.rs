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
//! client appends the documented paths such as `/agent-api/user/{user_id}/recharge`). The
//! token is trimmed (a secrets file's trailing newline is not part of it) and refused, by
//! the variable's name and never its value, when empty or holding whitespace or control
//! characters inside. [`Client::builder`] ([`ClientBuilder`], core's one builder described
//! by [`Longlonglong`]) sets everything else: timeouts, deadline, retry policy, proxy, your
//! own `reqwest::Client`.
//!
//! The dialogue API (对话接口, AI 客户联络) is another product on another host with another
//! token: [`DialogueClient`], configured from `LONGLONGLONG_DIALOGUE_TOKEN` and
//! `LONGLONGLONG_DIALOGUE_BASE_URL` (see its module's docs).
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
//! # Layout
//!
//! One module per operation group of the documentation, each holding its `impl Client`
//! block, its request and response types and their decoding: `billing` (系统账单: recharge,
//! deduct, zero balance, the recharge history and its paging), `account` (expiry, account
//! and token information), `users` (用户注册), `sub_accounts` (子账户), `callbacks`
//! (回调黑名单). Each operation is declared once there with [`voxkit_core::operations!`];
//! [`OPERATIONS`] joins them.
//!
//! # Identifiers
//!
//! `user_id` and `sub_user_id` are UUIDs in the documentation. [`UserId`] and
//! [`SubUserId`] accept nothing else, so no value can point a call at another path (and
//! the path is percent-encoded regardless).

// docs.rs (`--cfg docsrs`, nightly): label each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

voxkit_core::crate_operations! {
    /// Declares one operation group with core's `operations!`. What every group shares is
    /// said here once: the provider, the client, and the two headers every documented
    /// example sends (`Content-Type` and `Accept: application/json`, so that the server
    /// answers errors such as a refused token in JSON rather than with a redirect).
    macro group;
    provider = crate::PROVIDER;
    client = crate::Client;
    headers = [("content-type", "application/json"), ("accept", "application/json")];
    /// This group's operations, joined into [`crate::OPERATIONS`].
    pub(crate) list LIST;
    /// This group's test hooks, joined into [`crate::TEST_HOOKS`].
    pub(crate) hooks HOOKS;
}

mod account;
mod billing;
mod callbacks;
mod client;
mod code;
mod crm;
mod dates;
mod dial_times;
mod dialogue;
mod envelope;
mod ids;
mod lines;
mod listing;
mod numbers;
mod privacy;
#[cfg(test)]
mod proptests;
mod records;
mod scripts;
mod sub_accounts;
mod tasks;
mod tasks_v1;
mod users;
mod vos;
#[cfg(feature = "webhooks")]
pub mod webhooks;

use std::sync::Arc;

use voxkit_core::reqwest::header::AUTHORIZATION;
use voxkit_core::{Clock, EnvVars, HeaderAuth, NoOptions, Origin, Provider, Token};

pub use account::{AccountInfo, TokenInfo};
pub use billing::{
    DEFAULT_MAX_HISTORY_PAGES, Direction, HISTORY_CLOCK_SKEW, MAX_HISTORY_SPAN_DAYS,
    REMARK_MAX_CHARS, RechargeHistory, RechargeHistoryQuery, RechargeRecord, RecordKind,
    RemarkSearch, SERVER_UTC_OFFSET_HOURS, ZERO_BALANCE_REMARK, marked_remark,
};
pub use callbacks::{
    BatchId, BlacklistStatus, BlacklistedCallback, CallbackBlacklist, CallbackData,
};
pub use client::Client;
pub use code::Code;
pub use crm::{
    Carrier, ComponentValue, CustomerComponents, CustomerDeletion, CustomerFilter, CustomerPage,
    CustomerStage, DEFAULT_CUSTOMERS_PER_PAGE, MAX_DELETE_PHONES, MAX_IMPORT_ROWS, NewCustomer,
};
pub use dial_times::{DaySchedule, DialTimeGroup, NewDialTimeGroup, TimeSpan};
#[cfg(any(test, feature = "test-util"))]
pub use dialogue::DIALOGUE_TEST_HOOKS;
pub use dialogue::{
    DIALOGUE_BASE_URL, DIALOGUE_ID_MAX_CHARS, DIALOGUE_OPERATIONS, DIALOGUE_PROVIDER, Dialogue,
    DialogueClient, DialogueClientBuilder, DialogueMessage, DialogueReply, DialogueUserId,
    Directive, Notify, TalkId,
};
pub use envelope::{Ack, Meta, MetaPage, Undocumented};
pub use ids::{RecordId, SubUserId, TaskId, UserId};
pub use lines::{
    AllocationId, DEFAULT_LINES_PER_PAGE, LineAllocation, LineId, LineQuery, RawPage,
    ScriptGroupId, TenantId,
};
pub use numbers::{
    DEFAULT_NUMBERS_PER_PAGE, MAX_ASYNC_NUMBERS, MAX_SYNC_NUMBERS, NumberDeletion, NumberImport,
    NumberPage, NumberQuery, NumberReset, NumberRow, NumberStatus, row_holds_phone,
};
pub use privacy::{SecuritySetting, SecuritySettings};
pub use records::{
    CallDetail, CallRecord, CallRecordPage, DEFAULT_RECORDS_PER_PAGE, IntentionTag,
    LlmIntentionTags, MAX_RECORDING_IDS, RecordComponent, RecordQuery, RecordingUrls, Turn,
};
pub use scripts::DEFAULT_SCRIPT_GROUPS_PER_PAGE;
pub use sub_accounts::{
    DEFAULT_SUB_ACCOUNTS_PER_PAGE, NewSubAccount, Sex, SubAccount, SubAccountPage, SubAccountQuery,
};
pub use tasks::{
    CallerLine, DEFAULT_TASKS_PER_PAGE, GroupSwitchRule, Holiday, InitDialTime, NewTask,
    NewTaskExtra, Redial, ScriptWindow, TASK_NAME_MAX_CHARS, Task, TaskDetail, TaskInit, TaskLine,
    TaskPage, TaskQuery, TaskState, TaskStatusFilter, TaskType, TaskUpdate, VariableScript,
    marked_task_name,
};
pub use tasks_v1::{TaskQueryV1, TaskStatusV1, TaskUpdateV1};
pub use users::{NewUser, Registration};
pub use vos::{VosCdrQuery, VosCdrs, VosOverview, VosScope};
pub use voxkit_core::{Error, SecretString};

/// The provider's short name in errors and traces: `"longlonglong"`.
pub const PROVIDER: &str = "longlonglong";

/// The documented base URL.
pub const DEFAULT_BASE_URL: &str = "https://ai.api.longlonglong.cn";

/// The provider's "system error" codes: `code` 500 (the framework's server error: an
/// exception while handling the request). The server failed while handling the request,
/// possibly after applying it, so for a non-repeatable operation such an answer is
/// [`Error::OutcomeUnknown`] (its cause the [`Error::Api`]), whatever the HTTP status; a
/// repeatable operation gets the [`Error::Api`]. Set through
/// [`Longlonglong`]'s [`Provider::INDETERMINATE_CODES`].
pub const SYSTEM_ERROR_CODES: &[&str] = &["500"];

/// Configures a [`Client`]: the token, base URL, timeouts, retry policy. Core's one
/// builder, described by [`Longlonglong`], so every option and the environment rules are
/// the same as the other providers'.
pub type ClientBuilder = voxkit_core::Builder<Longlonglong>;

/// The longlonglong agent API, described for [`voxkit_core::Builder`]: its name, base URL,
/// environment variables, the partner token as its credential (sent as
/// `Authorization: Bearer <token>`) and its system-error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Longlonglong;

impl Provider for Longlonglong {
    const NAME: &'static str = PROVIDER;
    const DEFAULT_BASE_URL: &'static str = DEFAULT_BASE_URL;
    const ENV: EnvVars = EnvVars {
        base_url: "LONGLONGLONG_BASE_URL",
        credentials: &["LONGLONGLONG_TOKEN"],
    };
    const INDETERMINATE_CODES: &'static [&'static str] = SYSTEM_ERROR_CODES;
    type Credentials = Token;
    type Options = NoOptions;
    type Auth = HeaderAuth;
    type Client = Client;

    fn auth(
        credentials: Token,
        origin: Origin,
        _: &Arc<dyn Clock>,
        _: &NoOptions,
    ) -> Result<HeaderAuth, Error> {
        HeaderAuth::new(origin, "token", AUTHORIZATION, "Bearer ", credentials.token)
    }

    fn client(core: voxkit_core::Client, auth: Arc<HeaderAuth>, _: NoOptions) -> Client {
        Client::wrap(core, auth)
    }
}

voxkit_core::operation_list! {
    /// Every operation this crate sends, declared once in its group's module: name (as in
    /// errors, traces and the `operation` field of the `voxkit.call` span), method, path
    /// template, whether it is [repeatable](voxkit_core::Idempotency) and, for those that
    /// are not, how a lost answer is [reconciled](voxkit_core::Reconciliation). Repeatable
    /// operations are retried on transient failures; the others are sent at most once when
    /// the request may have reached the server, and a lost answer is
    /// [`Error::OutcomeUnknown`]. The workspace's fault matrix runs every entry against
    /// every fault.
    pub OPERATIONS = [billing::LIST, account::LIST, users::LIST, sub_accounts::LIST, callbacks::LIST, records::LIST, crm::LIST, vos::LIST, lines::LIST, scripts::LIST, dial_times::LIST, privacy::LIST, tasks::LIST, numbers::LIST, tasks_v1::LIST];
}

#[cfg(any(test, feature = "test-util"))]
voxkit_core::test_hooks_list! {
    /// Every operation's test hooks (feature `test-util`): an example call with the
    /// documentation's values and the decoder of its answer, in [`OPERATIONS`] order. The
    /// fault matrix, the secret-hygiene suite, the fuzz target and the property tests
    /// iterate these instead of naming operations.
    pub TEST_HOOKS: Client = [billing::HOOKS, account::HOOKS, users::HOOKS, sub_accounts::HOOKS, callbacks::HOOKS, records::HOOKS, crm::HOOKS, vos::HOOKS, lines::HOOKS, scripts::HOOKS, dial_times::HOOKS, privacy::HOOKS, tasks::HOOKS, numbers::HOOKS, tasks_v1::HOOKS];
}

#[cfg(test)]
mod tests {
    use super::*;
    use voxkit_core::test_util::env;
    use voxkit_core::{Auth, Reconciliation};

    #[test]
    fn the_hooks_follow_the_operation_list() {
        let names: Vec<&str> = OPERATIONS.iter().map(|s| s.name).collect();
        let hooked: Vec<&str> = TEST_HOOKS.iter().map(|h| h.spec.name).collect();
        assert_eq!(hooked, names);
        assert!(OPERATIONS.iter().all(|s| s.provider == PROVIDER));
    }

    /// What issue 14 reconciles each non-repeatable operation by (the compile-time checks
    /// already refuse a read that is missing or not repeatable).
    #[test]
    fn each_non_repeatable_operation_says_how_it_is_reconciled() {
        let by = |name: &str| {
            OPERATIONS
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.reconciliation)
                .unwrap()
        };
        assert!(matches!(
            by("recharge"),
            Reconciliation::ByMarker {
                field: "remark",
                found_by: "recharge_history"
            }
        ));
        assert_eq!(by("deduct"), by("recharge"));
        assert_eq!(by("zero_balance").read(), Some("recharge_history"));
        assert_eq!(by("create_sub_account").read(), Some("sub_accounts"));
        assert_eq!(by("delete_sub_account").read(), Some("sub_account"));
        assert!(matches!(
            by("register_user"),
            Reconciliation::Impossible { .. }
        ));
    }

    /// Every declaration's example runs, and what it sends is what the declaration says:
    /// its method, its path template filled with the documentation's ids, the group's
    /// headers and the bearer token.
    #[tokio::test]
    async fn every_example_sends_the_request_its_declaration_describes() {
        use wiremock::matchers::{method, path_regex};
        use wiremock::{Mock, MockServer, ResponseTemplate};

        let server = MockServer::start().await;
        let answer = |data: serde_json::Value| {
            ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"code": 200, "status": "success", "message": "ok", "data": data}),
            )
        };
        let sub = serde_json::json!({"id": "01c80030-28ef-4d0b-a2ef-2475a0504e32"});
        Mock::given(method("POST"))
            .and(path_regex("/subset_users$"))
            .respond_with(answer(sub.clone()))
            .mount(&server)
            .await;
        Mock::given(path_regex("/edit$"))
            .respond_with(answer(sub))
            .mount(&server)
            .await;
        Mock::given(wiremock::matchers::any())
            .respond_with(answer(serde_json::json!([])))
            .mount(&server)
            .await;
        let client = ClientBuilder::new()
            .token("tok")
            .base_url(server.uri())
            .retry_policy(voxkit_core::RetryPolicy::none())
            .build()
            .unwrap();
        voxkit_core::test_util::send_every_example(&client, TEST_HOOKS).await;
        let sent = server.received_requests().await.unwrap();
        assert_eq!(sent.len(), OPERATIONS.len());
        for (spec, request) in OPERATIONS.iter().zip(&sent) {
            let expected = format!("/{}", spec.path)
                .replace("{user_id}", billing::DOCS_USER)
                .replace("{sub_user_id}", "91f9254f-ca58-49af-be34-8370d7549d73")
                .replace("{task_id}", records::DOCS_TASK)
                .replace("{record_id}", records::DOCS_RECORD)
                .replace("{type}", "clue")
                .replace("{line_id}", lines::DOCS_LINE)
                .replace("{id}", &lines::DOCS_ALLOCATION.to_string())
                .replace("{tenant_id}", lines::DOCS_TENANT)
                .replace("{unique_id}", callbacks::DOCS_BATCH);
            assert_eq!(
                request.method.as_str(),
                spec.method.as_str(),
                "{}",
                spec.name
            );
            assert_eq!(request.url.path(), expected, "{}", spec.name);
            for (name, value) in [
                ("authorization", "Bearer tok"),
                ("content-type", "application/json"),
                ("accept", "application/json"),
            ] {
                assert_eq!(request.headers[name], value, "{} {name}", spec.name);
            }
        }
    }

    #[test]
    fn env_lookup() {
        let err = ClientBuilder::new().from_lookup(env(&[])).unwrap_err();
        assert!(err.to_string().contains("LONGLONGLONG_TOKEN"), "{err}");
        let client = ClientBuilder::new()
            .from_lookup(env(&[
                ("LONGLONGLONG_TOKEN", "t"),
                ("LONGLONGLONG_BASE_URL", "http://127.0.0.1:9"),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.core().base_url().as_str(), "http://127.0.0.1:9/");
        let client = ClientBuilder::new()
            .from_lookup(env(&[("LONGLONGLONG_TOKEN", "t")]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            client.core().base_url().as_str(),
            "https://ai.api.longlonglong.cn/"
        );
    }

    /// Issue 12: a padded variable is trimmed (HTTP would trim it and the server echo the
    /// trimmed form); whitespace inside is a configuration error naming the variable only.
    #[test]
    fn env_token_is_trimmed_or_refused_naming_the_variable() {
        for padded in ["SENTINEL ", "\tSENTINEL\t"] {
            let client = ClientBuilder::new()
                .from_lookup(env(&[("LONGLONGLONG_TOKEN", padded)]))
                .unwrap()
                .build()
                .unwrap();
            assert_eq!(client.auth().redact(), ["SENTINEL"]);
        }
        for bad in ["SENTINEL X", " \t "] {
            let err = ClientBuilder::new()
                .from_lookup(env(&[("LONGLONGLONG_TOKEN", bad)]))
                .unwrap_err();
            assert!(matches!(err, Error::Config { .. }), "{err:?}");
            assert!(err.to_string().contains("LONGLONGLONG_TOKEN"), "{err}");
            assert!(!format!("{err} {err:?}").contains("SENTINEL"), "{err}");
        }
    }

    #[test]
    fn bad_tokens_are_refused_without_echo() {
        assert!(matches!(Client::new("").unwrap_err(), Error::Config { .. }));
        let err = Client::new("SENTINEL\nX").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("SENTINEL"));
        let err = ClientBuilder::new().build().unwrap_err();
        assert!(err.to_string().contains("no token"), "{err}");
        let client = Client::new("SENTINEL-TOKEN").unwrap();
        let builder = ClientBuilder::new().token("SENTINEL-TOKEN");
        assert!(!format!("{client:?} {builder:?}").contains("SENTINEL"));
    }
}
