//! Typed async client for the [Laaffic](https://www.laaffic.com) API (v3): MD5-signed
//! requests, the account balance, IVR group calls (voice files, tasks, their queries and
//! controls, call records, the pushed call reports), status codes as an enum.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), voxkit_core::Error> {
//! # // A local stand-in for api.laaffic.com, so that this example runs as a test.
//! # use wiremock::{Mock, MockServer, ResponseTemplate, matchers::{method, path}};
//! # let server = MockServer::start().await;
//! # Mock::given(method("GET")).and(path("/v3/getBalance"))
//! #     .respond_with(ResponseTemplate::new(200).set_body_raw(
//! #         r#"{"status":"0","reason":"success","balance":"99.990000","gift":"50.00000","credit":"0"}"#,
//! #         "application/json"))
//! #     .mount(&server).await;
//! use rust_decimal::Decimal;
//! use voxkit_laaffic::{Client, Status};
//!
//! let client = Client::builder()
//!     .credentials("your-api-key", "your-api-secret") // or Client::from_env()
//! #   .base_url(server.uri())
//!     .build()?;
//!
//! match client.balance().await {
//!     Ok(balance) => {
//!         assert_eq!(balance.balance, Decimal::new(9999, 2)); // "99.990000", exactly
//!         println!("balance {} + gift {} (credit {})", balance.balance, balance.gift, balance.credit);
//!     }
//!     Err(e) if Status::of(&e) == Some(Status::AuthenticationError) => eprintln!("check the key: {e}"),
//!     Err(e) => return Err(e),
//! }
//! # Ok(()) }
//! ```
//!
//! # Configuration
//!
//! [`Client::from_env`] reads `LAAFFIC_API_KEY`, `LAAFFIC_API_SECRET` and, if set,
//! `LAAFFIC_BASE_URL` (scheme and host, default `https://api.laaffic.com`; the client
//! appends the documented paths such as `/v3/getBalance`). [`Client::builder`] sets
//! everything else: timeouts, deadline, retry policy, proxy, your own `reqwest::Client`.
//! The builder is core's [`voxkit_core::Builder`] for the [`Laaffic`] description, so
//! every provider's client is configured the same way.
//!
//! # Signing and clock skew
//!
//! Every attempt is signed afresh: `Timestamp` is the current unix time in seconds and
//! `Sign` the lowercase hex MD5 of `api_key + api_secret + timestamp` ([`signature`]).
//! The server refuses timestamps outside its window with `-16`; the client then learns
//! the offset from the response's `Date` header, re-signs and retries once (repeatable
//! calls only). See [`voxkit_core::Builder::skew_correction`] and [`Client::clock_offset`].
//!
//! # IVR group calls
//!
//! Upload a voice file ([`Client::upload_voice_file`]), create a task ([`NewTask`],
//! [`Client::create_task`]), follow it ([`Client::query_tasks`], [`Client::task_detail`]),
//! pause, cancel or resend it ([`Client::pause_tasks`], [`Client::cancel_tasks`],
//! [`Resend`]), read its call records ([`Client::call_record`], [`Client::call_records`],
//! every page with [`Client::call_records_all`]) and
//! receive the reports the platform pushes ([`VoiceReport`]). Input the documentation calls
//! invalid is refused with [`Error::InvalidInput`] before anything is sent. The answers come
//! in two envelope families, `{status, reason}` and `{code, msg}`, with the status as a
//! string or a number: both are decoded in one place, and every error is [`Error::Api`].
//!
//! ## Paths: `/v3` or not
//!
//! The pages disagree: the laaffic reference pages use `https://api.laaffic.com/v3/…`, while
//! the quick-start guide's curl, the itniotech copies and the AI-Agent pages drop `/v3` —
//! the AI-Agent pages even for `voice/group/call/query`, whose IVR page keeps it, so the
//! missing `/v3` is those pages' habit rather than a property of the endpoint. Whether both
//! forms are served is unverified. Every operation is therefore sent under `/v3`:
//!
//! | operation | request | documented on |
//! |---|---|---|
//! | `upload_voice_file` | `POST /v3/voice/fileUpload` | laaffic reference page (guide curl: no `/v3`) |
//! | `create_task` | `POST /v3/voice/group/call/send` | laaffic page |
//! | `query_tasks` | `POST /v3/voice/group/call/query` | laaffic page (AI-Agent page: no `/v3`) |
//! | `task_detail` | `GET /v3/voice/group/call/detail/{id}` | itniotech copy only (no `/v3`, like every itniotech page) |
//! | `pause_tasks` | `POST /v3/voice/group/call/provisional` | itniotech copy only (no `/v3`) |
//! | `cancel_tasks` | `POST /v3/voice/group/call/cancel` | laaffic AI-Agent page (no `/v3`) |
//! | `resend_task` | `POST /v3/voice/group/call/resend` | laaffic page |
//! | `call_record` | `GET /v3/voice/recordGroup/{voiceId}` | laaffic page |
//! | `call_records` | `POST /v3/voice/recordGroupQuery` | laaffic page |
//!
//! # Errors
//!
//! Calls return [`voxkit_core::Error`]. A non-`"0"` status is [`voxkit_core::Error::Api`]
//! carrying the code; [`Status::of`] turns it into a [`Status`].
//!
//! The system-error statuses ([`SYSTEM_ERROR_CODES`]: `-18` 系统异常 / 端口程序异常, and
//! `-500`/`500`, a server error rendered in the envelope) say the server failed while
//! handling the request, possibly after applying it: for a non-repeatable operation
//! (upload, create, resend) they are [`voxkit_core::Error::OutcomeUnknown`] with the API
//! error as cause, whatever the HTTP status, as is any 5xx answer (`{"code":502,"msg":
//! "Bad Gateway"}` included).

// docs.rs (`--cfg docsrs`, nightly): label each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

voxkit_core::crate_operations! {
    /// Declares one operation group of this crate (see [`voxkit_core::operations!`]): every
    /// Laaffic request carries the `Content-Type` all the documentation's examples send
    /// (`application/json;charset=UTF-8`, GETs included), so it is said once, here; each
    /// group gets its `LIST` and, under `test-util`, its `HOOKS`.
    macro laaffic_operations;
    provider = crate::PROVIDER;
    client = crate::Client;
    headers = [("content-type", "application/json;charset=UTF-8")];
    /// This group's operations, joined into [`crate::OPERATIONS`].
    pub(crate) list LIST;
    /// Their test hooks, joined into `crate::TEST_HOOKS`.
    pub(crate) hooks HOOKS;
}

mod ai_tasks;
mod balance;
mod client;
mod dates;
mod envelope;
mod ivr;
mod markers;
#[cfg(test)]
mod proptests;
mod recall;
mod signing;
mod sms;
mod status;
mod task_creation;
#[cfg(feature = "webhooks")]
pub mod webhooks;

/// Not part of the API: the decoders on raw bytes, for `fuzz/` and the property tests.
/// Hidden from the documentation; may change in any release.
#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;

use std::sync::Arc;

use voxkit_core::{Clock, EnvVars, KeyAndSecret, Origin, SkewCorrection};

pub use ai_tasks::{AiResend, AiResendType, AiTaskUpdate};
pub use balance::Balance;
pub use client::Client;
pub use ivr::records::{CallRecord, MAX_RECORD_WINDOW_DAYS, RECORD_RETENTION_MONTHS, RecordQuery};
pub use ivr::report::{CallStatus, ReportType, VoiceReport};
pub use ivr::task_bodies::{
    Callee, MAX_TASK_NUMBERS, NewTask, PostCallSms, Resend, SendWindow, TaskUpdate,
};
pub use ivr::tasks::{TaskDetail, TaskQuery, TaskStatus, TaskSummary, TaskType};
pub use ivr::voices::{
    Gender, Lan, SourceKind, VOICE_FILE_EXTENSIONS, VOICE_FILE_NAME_MAX_CHARS, VoiceSource,
    marked_voice_file_name,
};
pub use ivr::{TaskId, VoiceFileId};
pub use recall::{RecallCancel, RecallFlow, RecallQuery, RecallStatus, RecallType};
pub use signing::signature;
pub use sms::{
    MAX_SENDER_ID_CHARS, MAX_SMS_CONTENT_CHARS, MAX_SMS_GET_NUMBERS, MAX_SMS_POST_NUMBERS,
    SMS_STATUSES, SentSms, Sms, SmsBatch, SmsBatchItem, SmsMethod, SmsReceipt,
};
pub use status::Status;
pub use task_creation::{TASK_NAME_MAX_CHARS, TASK_WINDOW_MARGIN, marked_task_name};
/// One page of a paged answer: core's page (`records` as its items, `current`, `size`,
/// `total`, `pages` as its page, page size, total and last page).
pub use voxkit_core::Page;
pub use voxkit_core::{Error, SecretString};

/// The provider's short name in errors and traces.
pub const PROVIDER: &str = "laaffic";

/// The default base URL (scheme and host; paths are appended per endpoint).
pub const DEFAULT_BASE_URL: &str = "https://api.laaffic.com";

/// The provider's "system error" codes: status `-18` (端口程序异常 / 系统异常, the
/// documented system error), `-500` and `500` (a server error rendered in the envelope).
/// The server failed while handling the request, possibly after applying it, so for a
/// non-repeatable operation such an answer is [`Error::OutcomeUnknown`] (its cause the
/// [`Error::Api`]), whatever the HTTP status; a repeatable operation gets the
/// [`Error::Api`].
pub const SYSTEM_ERROR_CODES: &[&str] = &["-18", "-500", "500"];

/// Laaffic, described for core's [`voxkit_core::Builder`]: its name, base URL, environment
/// variables, system-error codes, key-and-secret credentials, the clock-skew option, and
/// how the credentials become the MD5 signer.
#[derive(Debug, Clone, Copy)]
pub struct Laaffic;

impl voxkit_core::Provider for Laaffic {
    const NAME: &'static str = PROVIDER;
    const DEFAULT_BASE_URL: &'static str = DEFAULT_BASE_URL;
    const ENV: EnvVars = EnvVars {
        base_url: "LAAFFIC_BASE_URL",
        credentials: &["LAAFFIC_API_KEY", "LAAFFIC_API_SECRET"],
    };
    const INDETERMINATE_CODES: &'static [&'static str] = SYSTEM_ERROR_CODES;
    type Credentials = KeyAndSecret;
    type Options = SkewCorrection;
    type Auth = signing::Signer;
    type Client = Client;

    fn auth(
        credentials: KeyAndSecret,
        origin: Origin,
        clock: &Arc<dyn Clock>,
        options: &SkewCorrection,
    ) -> Result<signing::Signer, Error> {
        signing::Signer::new(credentials, origin, clock, options.enabled)
    }

    fn client(
        core: voxkit_core::Client,
        auth: Arc<signing::Signer>,
        options: SkewCorrection,
    ) -> Client {
        Client {
            core,
            skew: auth.skew.clone(),
            skew_correction: options.enabled,
        }
    }
}

/// Configures a [`Client`]: credentials ([`credentials`](voxkit_core::Builder::credentials)
/// or [`from_env`](voxkit_core::Builder::from_env)), base URL, timeouts, retry policy,
/// clock-skew correction ([`skew_correction`](voxkit_core::Builder::skew_correction)).
pub type ClientBuilder = voxkit_core::Builder<Laaffic>;

voxkit_core::operation_list! {
    /// Every operation this crate sends, declared once in its group's file: by the name it
    /// carries in errors and traces ([`voxkit_core::Origin::operation`], the `operation`
    /// field of the `voxkit.call` span), with its method, path, whether it is
    /// [repeatable](voxkit_core::Idempotency) and how a lost answer is
    /// [reconciled](voxkit_core::Reconciliation). Repeatable operations are retried on
    /// transient failures; the others are sent at most once when the request may have
    /// reached the server, and a lost answer is [`Error::OutcomeUnknown`].
    ///
    /// `pause_tasks` and `cancel_tasks` are repeatable: a second pause or cancel of the same
    /// tasks leaves them as the first did (see [`Client::pause_tasks`] for the price).
    pub OPERATIONS = [
        balance::LIST,
        ivr::voices::LIST,
        ivr::tasks::LIST,
        ivr::records::LIST,
        sms::LIST,
        recall::LIST,
        ai_tasks::LIST,
    ];
}

#[cfg(any(test, feature = "test-util"))]
voxkit_core::test_hooks_list! {
    /// Every operation's test hooks (feature `test-util`): an example call with the
    /// documentation's values and the decoder of its answer, for the fault matrix, the
    /// secret-hygiene suite and the fuzz targets.
    pub TEST_HOOKS: Client = [
        balance::HOOKS,
        ivr::voices::HOOKS,
        ivr::tasks::HOOKS,
        ivr::records::HOOKS,
        sms::HOOKS,
        recall::HOOKS,
        ai_tasks::HOOKS,
    ];
}

#[cfg(test)]
mod tests {
    use wiremock::matchers::{any, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    /// Every declared example sends exactly its declaration (method, path, the documented
    /// `Content-Type`, signed) and decodes the answer with its declared decoder; the
    /// money-moving ones say which read finds them.
    #[tokio::test]
    async fn every_declared_example_sends_its_declaration() {
        let server = MockServer::start().await;
        let ok = |data: &str| {
            ResponseTemplate::new(200).set_body_string(format!(
                r#"{{"status":"0","reason":"success","balance":"1","gift":"0","credit":"0","data":{data}}}"#
            ))
        };
        Mock::given(path("/v3/voice/fileUpload"))
            .respond_with(ok(r#""f.mp3""#))
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ok(r#"{"jobId":1,"voiceId":"v","records":[]}"#))
            .mount(&server)
            .await;
        let client = Client::builder()
            .credentials("k", "s")
            .base_url(server.uri())
            .retry_policy(voxkit_core::RetryPolicy::none())
            .build()
            .unwrap();
        voxkit_core::test_util::send_every_example(&client, TEST_HOOKS).await;
        let sent = server.received_requests().await.unwrap();
        assert_eq!(sent.len(), OPERATIONS.len());
        for (request, spec) in sent.iter().zip(OPERATIONS) {
            assert_eq!(
                request.method.as_str(),
                spec.method.as_str(),
                "{}",
                spec.name
            );
            let template = format!("/{}", spec.path);
            let prefix = template.split('{').next().unwrap_or_default();
            assert!(request.url.path().starts_with(prefix), "{}", spec.name);
            assert_eq!(
                request.headers.get("content-type").unwrap(),
                "application/json;charset=UTF-8"
            );
            assert!(request.headers.contains_key("sign"), "{}", spec.name);
        }
        let money: Vec<(&str, Option<&str>)> = OPERATIONS
            .iter()
            .filter(|s| !s.is_repeatable())
            .map(|s| (s.name, s.reconciliation.read()))
            .collect();
        assert_eq!(
            money,
            [
                ("upload_voice_file", None),
                ("create_task", Some("query_tasks")),
                ("resend_task", Some("query_tasks")),
                ("send_sms", None),
                ("send_sms_get", None),
                ("send_sms_batch", None),
                ("resend_ai_task", Some("query_tasks")),
            ]
        );
    }
}
