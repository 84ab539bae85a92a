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
//!
//! # Signing and clock skew
//!
//! Every attempt is signed afresh: `Timestamp` is the current unix time in seconds and
//! `Sign` the lowercase hex MD5 of `api_key + api_secret + timestamp` ([`signature`]).
//! The server refuses timestamps outside its window with `-16`; the client then learns
//! the offset from the response's `Date` header, re-signs and retries once (repeatable
//! calls only). See [`ClientBuilder::skew_correction`] and [`Client::clock_offset`].
//!
//! # IVR group calls
//!
//! Upload a voice file ([`Client::upload_voice_file`]), create a task ([`NewTask`],
//! [`Client::create_task`]), follow it ([`Client::query_tasks`], [`Client::task_detail`]),
//! pause, cancel or resend it ([`Client::pause_tasks`], [`Client::cancel_tasks`],
//! [`Resend`]), read its call records ([`Client::call_record`], [`Client::call_records`]) and
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

mod base64;
mod client;
mod de;
mod ivr;
#[cfg(test)]
mod proptests;
mod records;
mod report;
mod status;
mod validate;

/// Not part of the API: the decoders on raw bytes, for `fuzz/` and the property tests.
/// Hidden from the documentation; may change in any release.
#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;

use rust_decimal::Decimal;
use serde::Deserialize;

pub use client::{Client, ClientBuilder, SYSTEM_ERROR_CODES, signature};
pub use ivr::{
    Callee, Gender, Lan, MAX_TASK_NUMBERS, NewTask, Page, PostCallSms, Resend, SendWindow,
    SourceKind, TaskDetail, TaskId, TaskQuery, TaskStatus, TaskSummary, TaskType, VoiceFileId,
    VoiceSource,
};
pub use records::{CallRecord, MAX_RECORD_WINDOW_DAYS, RECORD_RETENTION_MONTHS, RecordQuery};
pub use report::{CallStatus, ReportType, VoiceReport};
pub use status::Status;
pub use validate::VOICE_FILE_EXTENSIONS;
pub use voxkit_core::{Error, SecretString};

use voxkit_core::Idempotency;

/// The provider's short name in errors and traces.
pub const PROVIDER: &str = "laaffic";

/// The default base URL (scheme and host; paths are appended per endpoint).
pub const DEFAULT_BASE_URL: &str = "https://api.laaffic.com";

/// Every operation this crate sends, by the name it carries in errors and traces
/// ([`voxkit_core::Origin::operation`], the `operation` field of the `voxkit.call` span), with
/// whether it is [repeatable](Idempotency): repeatable operations are retried on transient
/// failures; the others are sent at most once when the request may have reached the server,
/// and a lost answer is [`Error::OutcomeUnknown`].
///
/// A unit test checks this list against the operations the client builds, so it cannot fall
/// behind; the workspace's fault-matrix test runs every entry against every fault.
///
/// `pause_tasks` and `cancel_tasks` are repeatable: a second pause or cancel of the same
/// tasks leaves them as the first did (see [`Client::pause_tasks`] for the price).
pub const OPERATIONS: &[(&str, Idempotency)] = &[
    ("balance", Idempotency::Repeatable),
    ("call_record", Idempotency::Repeatable),
    ("call_records", Idempotency::Repeatable),
    ("cancel_tasks", Idempotency::Repeatable),
    ("create_task", Idempotency::NotRepeatable),
    ("pause_tasks", Idempotency::Repeatable),
    ("query_tasks", Idempotency::Repeatable),
    ("resend_task", Idempotency::NotRepeatable),
    ("task_detail", Idempotency::Repeatable),
    ("upload_voice_file", Idempotency::NotRepeatable),
];

/// The account balance (`GET /v3/getBalance`).
///
/// The documentation types every field as a String and sends decimal strings with
/// varying precision (`"99.990000"`, `"50.00000"`, `"0"`); they are decoded exactly into
/// [`Decimal`] (JSON numbers are accepted too). The currency is not stated by the page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Balance {
    /// `balance`: the balance of the real account (实际账户的余额).
    pub balance: Decimal,
    /// `gift`: the balance of the gift account (赠送账户余额).
    pub gift: Decimal,
    /// `credit`: the credit line (信用额度).
    pub credit: Decimal,
}

#[cfg(test)]
mod tests {
    use super::*;

    use voxkit_core::mutation::first_args;

    /// Every operation the client builds is listed in [`OPERATIONS`], and nothing else.
    #[test]
    fn operations_lists_every_operation_the_client_builds() {
        let source = include_str!("client.rs");
        let source = &source[..source.find("#[cfg(test)]").unwrap_or(source.len())];
        let mut built: Vec<&str> = first_args(source, "Operation::new(")
            .into_iter()
            .map(|arg| {
                arg.strip_prefix('"')
                    .and_then(|a| a.strip_suffix('"'))
                    .unwrap_or_else(|| {
                        panic!(
                            "Operation::new({arg}: a name that is not a literal; extend this test"
                        )
                    })
            })
            .collect();
        built.sort_unstable();
        built.dedup();
        let listed: Vec<&str> = OPERATIONS.iter().map(|(name, _)| *name).collect();
        assert_eq!(built, listed, "OPERATIONS is out of date");
        let not_repeatable: Vec<&str> = OPERATIONS
            .iter()
            .filter(|(_, i)| !i.is_repeatable())
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(
            not_repeatable,
            ["create_task", "resend_task", "upload_voice_file"]
        );
    }
}
