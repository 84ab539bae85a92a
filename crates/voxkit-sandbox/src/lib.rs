//! A stateful local simulator of the three APIs voxkit speaks — longlonglong
//! (`/agent-api/...`, `/users`), Laaffic (`/v3/...`) and ESP-AI (`/cdkey/...`, `/order/...`) —
//! on one loopback port, following the documentation in `provider-docs/`, with fault
//! injection per route.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use voxkit_sandbox::{Fault, Sandbox};
//!
//! let sandbox = Sandbox::start().await?; // seeded, on 127.0.0.1:<ephemeral>
//! let user = sandbox.seed().longlonglong_user.clone();
//! assert_eq!(sandbox.longlonglong_balance(&user), Some(1000));
//!
//! // Point a client at it: sandbox.url() with the sandbox's credentials.
//! println!("{}", sandbox.env_lines());
//!
//! // Apply the next recharge, then drop its answer.
//! sandbox.set_fault("longlonglong.recharge", Fault::default().drop_after(1.0).times(1));
//! # Ok(()) }
//! ```
//!
//! # What it simulates
//!
//! - **longlonglong**: users with balances, expiry dates and recharge histories; recharge,
//!   deduct (a deduction larger than the balance is refused with code 422 `余额不足` and
//!   nothing changes — the documentation does not say what happens below zero), zero
//!   balance (recorded in the history as a `扣费` of the whole balance with the remark
//!   `余额归零`), the history with its 30-day rule (15 rows a page, newest first), the expiry
//!   rule (today or earlier in China time, or none, is `422 到期时间最少设置一天`),
//!   sub-accounts (password confirmation and unique emails enforced, listed with the
//!   `meta` block), end-user registration. A wrong bearer token gets HTTP 401 with
//!   `{"code": 401, "status": "error", "message": "Unauthenticated.", "data": []}`; every
//!   documented error comes back with HTTP 200 in the envelope.
//! - **Laaffic**: `GET /v3/getBalance` checks `Api-Key`, the MD5 `Sign` and the
//!   `Timestamp` window (±300 s, else `-16`); the balance moves when told to
//!   ([`Sandbox::set_laaffic_balance`]).
//! - **Laaffic IVR group calls**, behind the same signature check:
//!   - *Voice files* (`POST /v3/voice/fileUpload`): the name must be 5-32 characters ending
//!     in `.mp3`, `.m4a` or `.wav` and the content non-empty standard base64, else `-21`
//!     数据校验异常; a missing field is `-22` 参数异常; a name already used is `-20`
//!     数据已存在. The id answered has the documented shape: `1`, the date, 32 hex digits,
//!     the extension (`"1202202254d4c6372d6f341e999c7ecd0683ee464.mp3"`).
//!   - *Tasks* (`…/group/call/send`, family-A answer with the new id in `data`): `taskName`
//!     2-64 characters (`-21`) and unique (`-20`); `numberInfoList` empty `-8`, more than
//!     200 000 `-7`, a `calleeNumber` not 6-18 digits `-9`, a `textN` not 1-30 characters
//!     `-21`; `source` 1 needs an existing `voiceFileId` (`-24` 数据不存在), 2 an
//!     `uploadName` and `baseFile` following the upload's rules (the file is stored too), 3
//!     a `text` of 1-1000 characters and a documented `lan` (`-21`); a missing field or an
//!     unknown `source` is `-22`; `sendTime` not `yyyy-MM-dd HH:mm:ss` is `-11`;
//!     `loopCount` 1-9, `maxCalls` 1-999, `displayNum` 0-20 digits (`-21`). Any `appId` is
//!     accepted (the sandbox has no applications), and the balance is not charged.
//!   - *Life cycle*: a new task waits (`0` 等待提交). Each task read — a list query or a
//!     detail — first advances **every** task one step, as
//!     [`Sandbox::advance_laaffic_tasks`] does: `0` → `1` 呼叫中 (not before its `sendTime`,
//!     when one is set) → `2` 任务完成, when each number gets a call record drawn from the
//!     seeded generator (four in five answered with `terminationCode` `"200"`, the others
//!     `"480"` no answer or `"486"` busy; 20-second billing at 0.06 EUR a minute). Pausing
//!     (`jobIdList`) turns a waiting or calling task into `5` 任务暂停, which never advances
//!     (no resume endpoint is documented: resend it); cancelling (`taskIdList`) turns a
//!     waiting, calling or paused task into `4` 任务取消 for good. Pausing a paused task
//!     or cancelling a cancelled one succeeds (both are repeatable); a finished task is
//!     `-54`, an unknown id `-24`, and nothing changes unless every listed task can.
//!   - *Resend* (`…/resend`, family A with the new id): a new task calling the original's
//!     numbers with the voice and settings sent, under a new unique name; only finished,
//!     cancelled or paused tasks (`-41` 状态错误 otherwise); the original keeps its status.
//!   - *Queries*: the task list and the detail answer in family B (`{code: 0, msg, data}`,
//!     records with `jobId`, newest first, filtered by `createdTime`, `statusList`,
//!     `idxAppId` and `searchCondition`); an unknown detail id is `-24`. Call records answer
//!     in family A; the batch query requires ISO-8601 times (`-22`) and refuses a window
//!     longer than 31 days or starting more than two months ago with `-25` 超出时间范围;
//!     an unknown `voiceId` is `-24`.
//! - **ESP-AI**: quota cards with types and remaining quota; list with every filter and
//!   real paging, detail, transfer (paid cards only, within the remaining quota), destroy
//!   (paid cards with zero quota only), the usage log (one row per side of a transfer),
//!   order/pay returning a payment URL. A wrong `authorization` key is refused with
//!   `{"success": false, "message": "open_api_key 无效", "code": 401}`.
//!
//! Every answer, success or error, is JSON: a handler's in that provider's own envelope;
//! a refusal before any handler (unknown path 404, wrong method 405, slow body 408, body
//! over the route's cap 413, body not declared JSON 415) in the provider's envelope with
//! that HTTP status; an injected HTTP fault (5xx, 429) as `{"message": "Service
//! Unavailable"}`, the form a web framework renders for an HTTP error (in the business
//! envelope a client would read it as the provider's verdict; the business refusals are
//! injected with [`Fault::code`]). The payment URL's `/sandbox/pay` is a small HTML page.
//!
//! # The documentation's examples run as they are
//!
//! The seed holds the docs' own ids and values ([`DOCS_USER`], [`DOCS_EXPIRY_USER`]; the
//! ESP-AI account [`DOCS_ESPAI_USER`] with `15916888888`,
//! `wNaa1GDw` = [`DOCS_CARD`] with 500, [`DOCS_EMPTY_CARD`], and `3AoPbLSQ` of
//! `17516888888`; Laaffic's voice file `1202202254d4c6372d6f341e999c7ecd0683ee464.mp3` and
//! task `5000602`), so a snippet from the docs runs with only the host and the credentials
//! replaced. Bodies are capped by route ([`body_limit`]): up to the documented maxima
//! (a task with 200 000 numbers; a voice file of [`VOICE_FILE_LIMIT`]).
//!
//! # Where the docs are silent, the sandbox does …
//!
//! **longlonglong**
//! - an unknown user id → `{"code": 404, "status": "error", "message": "用户不存在"}`
//!   (HTTP 200, like every business error);
//! - a request it cannot accept → `422` with a message of its own (Chinese, naming the
//!   field: `amount 必须是大于 0 的整数`, `type 只能是 1(充值) 或 2(扣费)`, `余额不足`,
//!   `邮箱已存在`, `两次输入的密码不一致`, …); a deduction beyond the balance is `余额不足`
//!   and nothing changes;
//! - a body not declared JSON (Laravel's `isJson()`: the type contains `/json` or
//!   `+json`) → HTTP 415, code 415, nothing applied (Laravel would not read it);
//! - a wrong token → HTTP 401 `Unauthenticated.` (Laravel's);
//! - `zero_balance` records a `扣费` of the whole balance, remark `余额归零`; the history
//!   answers 15 rows a page, newest first; `account_info` and `token_info` answer fields
//!   of the sandbox's own (their answers are not documented).
//!
//! **Laaffic**
//! - the sign is checked over the `Timestamp` header as sent, re-formatted as an integer
//!   (`" 0042 "` signs as `42`); outside ±300 s it is `-16`;
//! - a body not declared JSON → HTTP 415 with `-22` 参数异常 (Spring reads JSON only);
//!   404/405/408/413 → `-22` in the route's family (`{status, reason}`, or `{code, msg,
//!   data}` for the task list, detail, pause and cancel);
//! - pause and cancel answer `{"code": "0", "msg": "success", "data": null}` (the string
//!   `"0"`, as their pages); the task list and detail `code` the number `0` (as the query
//!   example); the balance strings keep each value's scale, seeded as the example's
//!   `"99.990000"`, `"50.00000"`, `"0"`;
//! - the voice upload accepts a file up to [`VOICE_FILE_LIMIT`] (no maximum documented);
//!   the rest of the IVR choices are listed under *What it simulates*.
//!
//! **ESP-AI**
//! - cards are the current user's (the account of the key, [`DOCS_ESPAI_USER`]): detail,
//!   transfer's source card, destroy and balance_logs answer another account's card as an
//!   unknown one, `{"success": false, "message": "额度卡不存在"}` (no `code`, as the docs'
//!   example), so a key can neither use nor detect another's card; a transfer's target may
//!   be anyone's (the docs' example gives to another user); the usage log shows only the
//!   account's rows;
//! - a transfer to the same card → `不能转让给同一张额度卡`; a target that would overflow
//!   → `500 系统错误`;
//! - destroy is all or nothing (every id must be the account's, paid and empty, else
//!   nothing is destroyed) and accepts a bare object as well as the documented array;
//!   balance_logs accepts a bare object too;
//! - usage-log `type` is `"1"` for quota received by a transfer and `"2"` for quota given
//!   away (one row per side);
//! - a body not declared JSON → HTTP 415 with `{"success": false, "message": "系统错误：…",
//!   "code": 500}`; so are 404/405/408/413 (with their HTTP status);
//! - `order/pay` answers a URL on the sandbox itself (`/sandbox/pay`, using
//!   [`SandboxBuilder::public_url`] when set), never a real gateway.
//!
//! # Layout
//!
//! Each provider has a module (`longlonglong`, `laaffic`, `espai`) whose `mod.rs` lists
//! its routes once (name, method, path template, handler): its router and [`ROUTES`] are
//! both made from that list, and the fault layer (`faults`) finds a request's route by
//! the template axum matched. Beside it, `state.rs` holds the provider's data and
//! `handlers.rs` (Laaffic: also `tasks.rs`, `records.rs`) serves it; all three read
//! requests with one reader (`wire`) and each longlonglong handler answers through one
//! envelope (`longlonglong::reply`). The accept loop is `server`; [`SandboxBuilder`]
//! (`builder`) starts it, and [`Sandbox`] (`handle`) is the running sandbox, its reads and
//! writes of the simulated accounts in `accounts`. The sandbox depends on
//! no provider crate on purpose: it implements the documented behaviour independently,
//! so it checks the SDK rather than mirroring it.
//!
//! # A persistent sandbox
//!
//! By default the state lives in memory and a restart starts from the seed. With
//! [`SandboxBuilder::state_file`] (`voxkit sandbox --state FILE`), for a team sharing one
//! sandbox, the whole state is kept in one JSON file: read at start (a missing file is
//! the seed, written at once; a file that is not a sandbox state is a
//! [`StateFileError`]), and rewritten — temporary file, `fsync`, atomic rename — after
//! each request that changed it, *before* that request's answer is sent, so a change
//! whose answer a client saw is never lost (a failed write turns the answer into HTTP
//! 500). Not kept: the builder's settings (clock, caps, faults, push URLs) and the push
//! outbox (`push`): pushes still queued at a restart are not sent, though the records
//! they report are kept.
//!
//! # Hostile clients
//!
//! Anyone can reach it with the public credentials, so: request numbers that overflow
//! (`page=18446744073709551615`, `Timestamp: -9223372036854775808`) get an envelope, not a
//! panic; slow headers and idle sockets are closed, a body that does not arrive in time
//! is answered `408` (nothing applied), and idle connections cannot exhaust the
//! connection bound ([`SandboxBuilder::header_timeout`], [`SandboxBuilder::body_timeout`],
//! [`SandboxBuilder::idle_timeout`], [`SandboxBuilder::max_connections`]); the Laaffic
//! data is capped (`-23` 数据上限 beyond [`Limits`]) and indexed, so a read costs what it
//! answers, and the long part of a record read runs without the state lock, off the
//! runtime's threads. [`SandboxBuilder::worker_threads`] gives it a runtime of its own.

// docs.rs (`--cfg docsrs`, nightly): label each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
// Handlers pass a finished error `Response` up with `?`-style early returns; it is large,
// but it is what gets sent, once per request.
#![allow(clippy::result_large_err)]

mod accounts;
mod builder;
mod clock;
mod envelope;
mod espai;
mod faults;
mod handle;
mod ids;
mod laaffic;
mod longlonglong;
mod persist;
mod push;
mod route;
mod seed;
mod server;
mod state;
mod wire;

pub use builder::SandboxBuilder;
pub use espai::ESPAI_OPEN_API_KEY;
pub use espai::agents::ESPAI_AGENT_API_KEY;
pub use espai::state::Card;
pub use faults::Fault;
pub use handle::Sandbox;
pub use laaffic::state::{CallRecord, IvrTask, Limits, VoiceFile};
pub use laaffic::{LAAFFIC_API_KEY, LAAFFIC_API_SECRET};
pub use longlonglong::LONGLONGLONG_TOKEN;
pub use longlonglong::dialogue::{
    DOCS_DIALOGUE_TENANT, DialogueEntry, LONGLONGLONG_DIALOGUE_TOKEN,
};
pub use longlonglong::lines::{
    DOCS_LINE as LONGLONGLONG_DOCS_LINE, DOCS_TENANT as LONGLONGLONG_DOCS_TENANT,
};
pub use longlonglong::state::{Movement, SubAccount, User};
pub use longlonglong::tasks::{CallTask, DOCS_TASK, TaskNumber};
pub use persist::StateFileError;
pub use push::{MAX_QUEUED_PUSHES, PushStats};
pub use route::{
    DEFAULT_BODY_LIMIT, Route, TASK_BODY_LIMIT, VOICE_FILE_LIMIT, VOICE_UPLOAD_BODY_LIMIT,
    body_limit,
};
pub use seed::{DOCS_CARD, DOCS_EMPTY_CARD, DOCS_ESPAI_USER, DOCS_EXPIRY_USER, DOCS_USER, Seed};

/// The endpoints of the three providers, each list kept in its provider's module.
const ENDPOINTS: [&[route::Endpoint]; 3] = [
    longlonglong::ENDPOINTS,
    laaffic::ENDPOINTS,
    espai::ENDPOINTS,
];

/// Every route the sandbox serves, made from the providers' own lists (the ones their
/// routers are built from). Recharge and deduct share one route, as in the API.
pub const ROUTES: &[Route] = &route::routes::<{ route::count(&ENDPOINTS) }>(&ENDPOINTS);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_one_segment_per_parameter() {
        let r = ROUTES[0];
        assert!(r.matches("/agent-api/user/abc/recharge"));
        assert!(!r.matches("/agent-api/user//recharge"));
        assert!(!r.matches("/agent-api/user/a/b/recharge"));
        assert!(!r.matches("/agent-api/user/abc/recharge/x"));
    }

    #[test]
    fn routes_are_the_providers_lists_in_order() {
        let listed: Vec<Route> = ENDPOINTS
            .iter()
            .flat_map(|l| l.iter().map(|e| e.route))
            .collect();
        assert_eq!(ROUTES, listed.as_slice());
        assert!(ROUTES.iter().all(|r| !r.name.is_empty()));
    }

    /// Every route is served for its method, and the fault layer names it from the
    /// template axum matched: a fault set under a route's name reaches that route and no
    /// other (here, the two methods of one template).
    #[tokio::test]
    async fn a_fault_reaches_its_route_by_method_and_matched_template() {
        let sandbox = Sandbox::start().await.unwrap();
        let user = sandbox.seed().longlonglong_user.clone();
        sandbox.set_fault(
            "longlonglong.sub_accounts",
            Fault::default().error(1.0, 503),
        );
        let http = voxkit_core::transport::http_client_builder()
            .unwrap()
            .build()
            .unwrap();
        let url = format!("{}/agent-api/user/{user}/subset_users", sandbox.url());
        let status = |r: voxkit_core::reqwest::Response| r.status().as_u16();
        let get = http.get(&url).send().await.unwrap();
        assert_eq!(status(get), 503, "GET is longlonglong.sub_accounts");
        let post = http.post(&url).body("{}").send().await.unwrap();
        assert_eq!(status(post), 401, "POST is another route: unfaulted");
    }

    #[test]
    fn route_names_are_unique() {
        let mut names: Vec<_> = ROUTES.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ROUTES.len());
    }
}
