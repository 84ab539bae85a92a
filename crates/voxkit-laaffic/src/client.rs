//! The Laaffic client, its builder and the request signer.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use md5::{Digest, Md5};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use voxkit_core::reqwest::Method;
use voxkit_core::reqwest::header::{CONTENT_TYPE, DATE, HeaderValue};
use voxkit_core::{
    Attempt, Auth, Clock, Error, ExposeSecret, HttpRequest, HttpResponse, Idempotency, Operation,
    Origin, Path, SecretString, async_trait, require_secret, sensitive_header,
};

use crate::status::{RawStatus, Status};
use crate::{
    Balance, CallRecord, DEFAULT_BASE_URL, NewTask, PROVIDER, Page, RecordQuery, Resend,
    TaskDetail, TaskId, TaskQuery, TaskSummary, VoiceFileId, de, validate,
};

/// The `Content-Type` every documented request carries.
const CONTENT_TYPE_JSON_UTF8: &str = "application/json;charset=UTF-8";

/// `Sign` = lowercase hex MD5 of `api_key + api_secret + timestamp`, as documented
/// ("MD5-32-bit string (case-insensitive)"; the samples send lowercase).
///
/// ```
/// // The documentation's own vector:
/// assert_eq!(
///     voxkit_laaffic::signature("bDqJFiq9", "7bz1lzh9", 1630468800),
///     "05d7a50893e22a5c4bb3216ae3396c7c",
/// );
/// ```
pub fn signature(api_key: &str, api_secret: &str, timestamp: i64) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hasher = Md5::new();
    hasher.update(api_key.as_bytes());
    hasher.update(api_secret.as_bytes());
    // The decimal timestamp without a heap allocation.
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = timestamp.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if timestamp < 0 {
        hasher.update(b"-");
    }
    hasher.update(&digits[at..]);
    let mut hex = String::with_capacity(32);
    for byte in hasher.finalize() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    hex
}

/// The server-minus-local clock offset learnt from a `-16` answer, shared by clones.
/// `i64::MIN` stands for "none learnt yet" (no real offset is that large).
#[derive(Debug)]
struct Skew(AtomicI64);

impl Default for Skew {
    fn default() -> Self {
        Skew(AtomicI64::new(i64::MIN))
    }
}

impl Skew {
    fn get(&self) -> Option<i64> {
        Some(self.0.load(Ordering::Acquire)).filter(|&o| o != i64::MIN)
    }

    fn set(&self, offset: i64) {
        self.0.store(offset.max(i64::MIN + 1), Ordering::Release);
    }
}

/// Signs each attempt with a fresh timestamp (local clock plus the learnt offset).
struct Signer {
    api_key: SecretString,
    /// `api_key` as a sensitive header value, checked and built once.
    api_key_header: HeaderValue,
    api_secret: SecretString,
    clock: Arc<dyn Clock>,
    skew: Arc<Skew>,
}

impl Signer {
    fn timestamp(&self) -> i64 {
        unix_seconds(self.clock.now()) + self.skew.get().unwrap_or(0)
    }
}

fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

#[async_trait]
impl Auth for Signer {
    async fn authorize(&self, request: &mut HttpRequest, attempt: Attempt) -> Result<(), Error> {
        let origin = attempt.origin;
        let timestamp = self.timestamp();
        let sign = signature(
            self.api_key.expose_secret(),
            self.api_secret.expose_secret(),
            timestamp,
        );
        let headers = &mut request.headers;
        headers.insert("Api-Key", self.api_key_header.clone());
        headers.insert("Timestamp", HeaderValue::from(timestamp));
        headers.insert("Sign", sensitive_header(origin, "signature", &sign)?);
        Ok(())
    }

    fn redact(&self) -> Vec<&str> {
        vec![
            self.api_key.expose_secret(),
            self.api_secret.expose_secret(),
        ]
    }
}

/// Configures a [`Client`]: credentials, base URL, timeouts, retry policy, clock-skew
/// correction.
pub struct ClientBuilder {
    core: voxkit_core::ClientBuilder,
    api_key: Option<SecretString>,
    api_secret: Option<SecretString>,
    skew_correction: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("core", &self.core)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field(
                "api_secret",
                &self.api_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("skew_correction", &self.skew_correction)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// The provider's "system error" codes: status `-18` (端口程序异常 / 系统异常, the documented system error), `-500` and `500` (a server error rendered in the envelope). The server failed while handling the
/// request, possibly after applying it, so for a non-repeatable operation such an answer is
/// [`Error::OutcomeUnknown`] (its cause the [`Error::Api`]), whatever the HTTP status; a
/// repeatable operation gets the [`Error::Api`].
pub const SYSTEM_ERROR_CODES: &[&str] = &["-18", "-500", "500"];

impl ClientBuilder {
    /// A builder with no credentials and the default base URL `https://api.laaffic.com`.
    pub fn new() -> Self {
        ClientBuilder {
            core: voxkit_core::ClientBuilder::new(PROVIDER, DEFAULT_BASE_URL)
                .indeterminate_codes(SYSTEM_ERROR_CODES),
            api_key: None,
            api_secret: None,
            skew_correction: true,
        }
    }

    /// The API key and API secret (account management → API key).
    pub fn credentials(
        mut self,
        api_key: impl Into<SecretString>,
        api_secret: impl Into<SecretString>,
    ) -> Self {
        self.api_key = Some(api_key.into());
        self.api_secret = Some(api_secret.into());
        self
    }

    /// Reads `LAAFFIC_API_KEY`, `LAAFFIC_API_SECRET` and, if set, `LAAFFIC_BASE_URL`.
    pub fn credentials_from_env(self) -> Result<Self, Error> {
        self.credentials_from(|name| std::env::var(name).ok())
    }

    fn credentials_from(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let origin = Origin::new(PROVIDER, "configure");
        // Trimmed as HTTP will trim them (and as a server will echo them), or refused
        // naming the variable: see `voxkit_core::redact::credential`.
        let var = |name: &'static str| {
            let value = lookup(name).ok_or_else(|| {
                Error::config(origin, format!("environment variable {name} is not set"))
            })?;
            require_secret(
                origin,
                &format!("environment variable {name}"),
                value.into(),
            )
        };
        let key = var("LAAFFIC_API_KEY")?;
        let secret = var("LAAFFIC_API_SECRET")?;
        self = self.credentials(key, secret);
        if let Some(url) = lookup("LAAFFIC_BASE_URL").filter(|v| !v.trim().is_empty()) {
            self = self.base_url(url);
        }
        Ok(self)
    }

    /// Whether a `-16` (timestamp out of range) answer to a repeatable call makes the
    /// client measure its clock offset from the response's `Date` header, re-sign and try
    /// once more (default: on). The offset is kept for later calls; see
    /// [`Client::clock_offset`].
    pub fn skew_correction(mut self, on: bool) -> Self {
        self.skew_correction = on;
        self
    }

    voxkit_core::forward_builder_methods!();

    /// Checks the configuration and builds the client. Nothing is sent.
    pub fn build(self) -> Result<Client, Error> {
        let origin = Origin::new(PROVIDER, "configure");
        let missing = || {
            Error::config(
                origin,
                "no credentials: call credentials() or credentials_from_env()",
            )
        };
        let api_key = require_secret(origin, "API key", self.api_key.ok_or_else(missing)?)?;
        let api_secret =
            require_secret(origin, "API secret", self.api_secret.ok_or_else(missing)?)?;
        // Refuse credentials that cannot travel in a header now, not at the first call.
        let api_key_header = sensitive_header(origin, "API key", api_key.expose_secret())?;
        let skew = Arc::new(Skew::default());
        let signer = Signer {
            api_key,
            api_key_header,
            api_secret,
            clock: self.core.clock_ref().clone(),
            skew: skew.clone(),
        };
        let core = self.core.build(Arc::new(signer))?;
        Ok(Client {
            core,
            skew,
            skew_correction: self.skew_correction,
        })
    }
}

/// A Laaffic API client. Cheap to clone; clones share the connection pool and the learnt
/// clock offset.
///
/// Every request carries `Content-Type: application/json;charset=UTF-8`, `Api-Key`,
/// `Timestamp` (unix seconds) and `Sign`, computed afresh for each attempt.
#[derive(Clone)]
pub struct Client {
    core: voxkit_core::Client,
    skew: Arc<Skew>,
    skew_correction: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("core", &self.core)
            .field("clock_offset", &self.skew.get())
            .field("skew_correction", &self.skew_correction)
            .finish()
    }
}

impl Client {
    /// A client with these credentials and the default configuration.
    pub fn new(
        api_key: impl Into<SecretString>,
        api_secret: impl Into<SecretString>,
    ) -> Result<Client, Error> {
        ClientBuilder::new()
            .credentials(api_key, api_secret)
            .build()
    }

    /// A client configured from `LAAFFIC_API_KEY`, `LAAFFIC_API_SECRET` and, if set,
    /// `LAAFFIC_BASE_URL`.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::new().credentials_from_env()?.build()
    }

    /// A builder for everything else.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The core client (base URL, retry policy).
    pub fn core(&self) -> &voxkit_core::Client {
        &self.core
    }

    /// The server-minus-local clock offset in seconds learnt from a `-16` answer, added to
    /// every timestamp signed since; `None` until one was learnt.
    pub fn clock_offset(&self) -> Option<i64> {
        self.skew.get()
    }

    /// The account balance: `GET /v3/getBalance`.
    ///
    /// Repeatable: retried on transient failures. Returns [`Balance`] with exact decimals.
    pub async fn balance(&self) -> Result<Balance, Error> {
        let op = Operation::new(
            "balance",
            Method::GET,
            Path::root().lit("v3/getBalance"),
            Idempotency::Repeatable,
        )
        .header(
            CONTENT_TYPE,
            HeaderValue::from_static(CONTENT_TYPE_JSON_UTF8),
        );
        self.call(&op).await
    }

    // ----- IVR group calls ---------------------------------------------------------------
    //
    // Paths: every laaffic reference page of these endpoints uses `https://api.laaffic.com/v3/…`;
    // the forms without `/v3` appear in the quick-start guide's curl (fileUpload), on the
    // itniotech copies (which drop `/v3` everywhere, also where the laaffic page has it) and
    // on the AI-Agent pages (which drop it even for `voice/group/call/query`, whose IVR page
    // has it). So every endpoint below is sent with `/v3`, including the two known only from
    // other copies (detail, pause: itniotech) and cancel (AI-Agent page, without `/v3`).
    // Whether both forms are served is unverified; a base URL cannot change this choice.

    /// Uploads a voice file: `POST /v3/voice/fileUpload` (上传语音文件), operation
    /// `upload_voice_file`. Returns the voice file id to create tasks with
    /// ([`crate::VoiceSource::file`]).
    ///
    /// `file_name` must follow the documented rules, checked before sending: 5-32
    /// characters with the extension, `.mp3`, `.m4a` or `.wav` (and no path separator);
    /// `content` must not be empty. The client base64-encodes the content (the page states
    /// no size limit; the body is about 4/3 of the file's size).
    ///
    /// **Not repeatable**: names must be unique ("名称不允许重复"), so an upload whose answer
    /// was lost is [`Error::OutcomeUnknown`]; sending it again may answer `-20` (data
    /// exists) although the first one worked.
    pub async fn upload_voice_file(
        &self,
        file_name: &str,
        content: &[u8],
    ) -> Result<VoiceFileId, Error> {
        let op = Operation::new(
            "upload_voice_file",
            Method::POST,
            Path::root().lit("v3/voice/fileUpload"),
            Idempotency::NotRepeatable,
        );
        let origin = self.core.origin(op.name());
        validate::voice_file_name(origin, "the file name", file_name)?;
        if content.is_empty() {
            return Err(Error::invalid_input(origin, "the voice file is empty"));
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            file_name: &'a str,
            file: String,
        }
        let body = Body {
            file_name,
            file: crate::base64::encode(content),
        };
        let op = self.json(op, &body)?;
        let data: Data<VoiceFileId> = self.call(&op).await?;
        Ok(data.data)
    }

    /// Uploads the voice file at `path` under its own file name (which must follow the
    /// rules of [`Client::upload_voice_file`], checked before the file is read). The file
    /// is read with blocking I/O (it is small: a voice prompt).
    pub async fn upload_voice_file_from_path(
        &self,
        path: impl AsRef<std::path::Path>,
    ) -> Result<VoiceFileId, Error> {
        let origin = Origin::new(PROVIDER, "upload_voice_file");
        let path = path.as_ref();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return Err(Error::invalid_input(
                origin,
                "the path has no UTF-8 file name",
            ));
        };
        validate::voice_file_name(origin, "the file name", name)?;
        let content = std::fs::read(path).map_err(|e| {
            Error::invalid_input(origin, format!("the voice file cannot be read: {e}"))
        })?;
        self.upload_voice_file(name, &content).await
    }

    /// Creates an IVR group-call task: `POST /v3/voice/group/call/send` (创建群呼任务),
    /// operation `create_task`. Every documented rule of [`NewTask`] is checked first.
    ///
    /// The answer is not in the copy of the page read; the sibling endpoints return the new
    /// id in `data`, so an integer `data` is returned, anything else is `None`.
    ///
    /// **Not repeatable**: a lost answer is [`Error::OutcomeUnknown`]; check with
    /// [`Client::query_tasks`] (task names are unique) before creating again.
    pub async fn create_task(&self, task: &NewTask) -> Result<Option<TaskId>, Error> {
        let op = Operation::new(
            "create_task",
            Method::POST,
            Path::root().lit("v3/voice/group/call/send"),
            Idempotency::NotRepeatable,
        );
        task.check(self.core.origin(op.name()))?;
        let op = self.json(op, &task.wire())?;
        let id: MaybeId = self.call(&op).await?;
        Ok(id.data.map(TaskId))
    }

    /// Lists group-call tasks: `POST /v3/voice/group/call/query` (查询群呼任务列表), operation
    /// `query_tasks`. The answer is a `{code, msg, data}` envelope.
    ///
    /// Repeatable.
    pub async fn query_tasks(&self, query: &TaskQuery) -> Result<Page<TaskSummary>, Error> {
        let op = Operation::new(
            "query_tasks",
            Method::POST,
            Path::root().lit("v3/voice/group/call/query"),
            Idempotency::Repeatable,
        );
        query.check(self.core.origin(op.name()))?;
        let op = self.json(op, &query.wire())?;
        let data: Data<Page<TaskSummary>> = self.call(&op).await?;
        Ok(data.data)
    }

    /// One task in detail: `GET /v3/voice/group/call/detail/{id}` (群呼任务详情), operation
    /// `task_detail`. Documented on the itniotech copy only (`/voice/group/call/detail/{id}`,
    /// without `/v3` as every itniotech page); sent with `/v3` like the laaffic pages.
    ///
    /// Repeatable.
    pub async fn task_detail(&self, task: TaskId) -> Result<TaskDetail, Error> {
        let origin = self.core.origin("task_detail");
        let op = Operation::new(
            "task_detail",
            Method::GET,
            Path::root()
                .lit("v3/voice/group/call/detail")
                .param(origin, &task.to_string())?,
            Idempotency::Repeatable,
        )
        .header(
            CONTENT_TYPE,
            HeaderValue::from_static(CONTENT_TYPE_JSON_UTF8),
        );
        let data: Data<TaskDetail> = self.call(&op).await?;
        Ok(data.data)
    }

    /// Pauses tasks: `POST /v3/voice/group/call/provisional` (暂停任务) with `jobIdList`,
    /// operation `pause_tasks`. Documented on the itniotech copy only; no resume endpoint
    /// was found. The answer is `{code, msg, data: null}`.
    ///
    /// **Repeatable** (retried on transient failures): pausing tasks twice leaves them as
    /// pausing them once. The price: when an attempt was applied but its answer lost, the
    /// retry may be answered with an error such as `-24` (data does not exist) or `-54`
    /// (the task is wrong) although the tasks are paused — on such an error, look at
    /// [`Client::task_detail`] before concluding.
    pub async fn pause_tasks(&self, tasks: &[TaskId]) -> Result<(), Error> {
        let op = Operation::new(
            "pause_tasks",
            Method::POST,
            Path::root().lit("v3/voice/group/call/provisional"),
            Idempotency::Repeatable,
        );
        check_task_list(self.core.origin(op.name()), tasks)?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            job_id_list: &'a [TaskId],
        }
        let op = self.json(op, &Body { job_id_list: tasks })?;
        let _: IgnoredAny = self.call(&op).await?;
        Ok(())
    }

    /// Cancels tasks: `POST /v3/voice/group/call/cancel` (取消任务) with `taskIdList`,
    /// operation `cancel_tasks`. Documented on the AI-Agent page (without `/v3`, body
    /// `taskIdList`); whether IVR tasks take `jobIdList` as the pause does is unverified, so
    /// the documented `taskIdList` is sent. The answer is `{code, msg, data: null}`.
    ///
    /// **Repeatable**, for the reasons given at [`Client::pause_tasks`] (a cancelled task
    /// stays cancelled; a retry after a lost answer may be answered `-24`/`-54`).
    pub async fn cancel_tasks(&self, tasks: &[TaskId]) -> Result<(), Error> {
        let op = Operation::new(
            "cancel_tasks",
            Method::POST,
            Path::root().lit("v3/voice/group/call/cancel"),
            Idempotency::Repeatable,
        );
        check_task_list(self.core.origin(op.name()), tasks)?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            task_id_list: &'a [TaskId],
        }
        let op = self.json(
            op,
            &Body {
                task_id_list: tasks,
            },
        )?;
        let _: IgnoredAny = self.call(&op).await?;
        Ok(())
    }

    /// Resends (recalls) a task: `POST /v3/voice/group/call/resend` (重呼), operation
    /// `resend_task`. See [`Resend`] for the fields (the page shows no resend type).
    ///
    /// The answer is not in the copy read; an integer `data` (the AI resend's new key id)
    /// is returned, anything else is `None`.
    ///
    /// **Not repeatable**: each resend starts a new round of calls.
    pub async fn resend_task(&self, resend: &Resend) -> Result<Option<TaskId>, Error> {
        let op = Operation::new(
            "resend_task",
            Method::POST,
            Path::root().lit("v3/voice/group/call/resend"),
            Idempotency::NotRepeatable,
        );
        resend.check(self.core.origin(op.name()))?;
        let op = self.json(op, &resend.wire())?;
        let id: MaybeId = self.call(&op).await?;
        Ok(id.data.map(TaskId))
    }

    /// One call record: `GET /v3/voice/recordGroup/{voiceId}` (查询语音消息记录, "within the
    /// last two months": the id carries no date to check, so the server decides), operation
    /// `call_record`.
    ///
    /// Repeatable.
    pub async fn call_record(&self, voice_id: &str) -> Result<CallRecord, Error> {
        let origin = self.core.origin("call_record");
        validate::token(origin, "the voice id", voice_id)?;
        let op = Operation::new(
            "call_record",
            Method::GET,
            Path::root()
                .lit("v3/voice/recordGroup")
                .param(origin, voice_id)?,
            Idempotency::Repeatable,
        )
        .header(
            CONTENT_TYPE,
            HeaderValue::from_static(CONTENT_TYPE_JSON_UTF8),
        );
        let data: Data<CallRecord> = self.call(&op).await?;
        Ok(data.data)
    }

    /// A page of call records: `POST /v3/voice/recordGroupQuery` (批量分页查询记录),
    /// operation `call_records`. The window rules of [`RecordQuery`] (within the last two
    /// months by this client's clock, at most 31 days long) are checked before sending.
    ///
    /// Repeatable.
    pub async fn call_records(&self, query: &RecordQuery) -> Result<Page<CallRecord>, Error> {
        let op = Operation::new(
            "call_records",
            Method::POST,
            Path::root().lit("v3/voice/recordGroupQuery"),
            Idempotency::Repeatable,
        );
        query.check(self.core.origin(op.name()), self.core.clock().now())?;
        let op = self.json(op, &query.wire())?;
        let data: Data<Page<CallRecord>> = self.call(&op).await?;
        Ok(data.data)
    }

    /// `op` with the documented `Content-Type` and `body` as JSON.
    fn json<B: Serialize + ?Sized>(&self, op: Operation, body: &B) -> Result<Operation, Error> {
        let origin = self.core.origin(op.name());
        op.header(
            CONTENT_TYPE,
            HeaderValue::from_static(CONTENT_TYPE_JSON_UTF8),
        )
        .json(origin, body)
    }

    /// Runs `op`; decodes both envelope families (see [`decode`]), and applies the
    /// clock-skew correction once on `-16` for repeatable operations.
    async fn call<T: DeserializeOwned>(&self, op: &Operation) -> Result<T, Error> {
        let origin = self.core.origin(op.name());
        let mut corrected = false;
        loop {
            let server_date = OnceLock::new();
            let result = self
                .core
                .execute(op, |response| decode(origin, response, &server_date))
                .await;
            let retry_skew = !corrected
                && self.skew_correction
                && op.idempotency().is_repeatable()
                && matches!(&result, Err(e) if Status::of(e) == Some(Status::TimestampOutOfRange));
            if !retry_skew {
                return result;
            }
            let Some(date) = server_date.get() else {
                tracing::debug!("-16 without a usable Date header: no clock correction");
                return result;
            };
            let offset = unix_seconds(*date) - unix_seconds(self.core.clock().now());
            if self.skew.get() == Some(offset) {
                // Already signing with this offset: the clock is not the problem.
                return result;
            }
            tracing::debug!(
                offset,
                "timestamp refused; correcting the clock offset and retrying once"
            );
            self.skew.set(offset);
            corrected = true;
        }
    }
}

/// At least one task id, none twice (the pages mark the list required and give no upper
/// limit; a repeated id could only earn a `-54` "the task you submitted is wrong").
fn check_task_list(origin: Origin, tasks: &[TaskId]) -> Result<(), Error> {
    if tasks.is_empty() {
        return Err(Error::invalid_input(origin, "no task id given"));
    }
    let mut sorted = tasks.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != tasks.len() {
        return Err(Error::invalid_input(origin, "a task id is listed twice"));
    }
    Ok(())
}

/// A payload in `data`.
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(crate) struct Data<T> {
    pub(crate) data: T,
}

/// An id in `data` where the answer is not documented: kept when it is an integer.
#[derive(Deserialize)]
pub(crate) struct MaybeId {
    #[serde(default, deserialize_with = "de::lenient_id")]
    pub(crate) data: Option<u64>,
}

/// The head of both envelope families: `{status, reason}` (family A: getBalance, upload,
/// records) and `{code, msg}` (family B: group-call query, pause, cancel), the status a
/// string or a number either way. Where both names are present, `status` and `reason`
/// win. Other fields are ignored here.
#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    status: Option<RawStatus>,
    #[serde(default)]
    code: Option<RawStatus>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    msg: Option<String>,
}

/// Decodes either envelope family, in one place for every operation: a status (`status`
/// or `code`) other than `0` is an [`Error::Api`] with the status as code and the reason
/// (`reason` or `msg`) as message; an envelope with neither `status` nor `code` is a
/// decode error; otherwise the payload is decoded from the same object (top-level fields
/// for getBalance, `data` for the others). On `-16`, the response's `Date` is kept in
/// `server_date` for the skew correction.
pub(crate) fn decode<T: DeserializeOwned>(
    origin: Origin,
    response: &HttpResponse,
    server_date: &OnceLock<SystemTime>,
) -> Result<T, Error> {
    let body = &response.body;
    let decode_error = |message: String| Error::Decode {
        origin,
        message,
        excerpt: voxkit_core::error::excerpt(body, &[]),
    };
    let head: Head = serde_json::from_slice(body).map_err(|e| decode_error(e.to_string()))?;
    let Some(status) = head.status.or(head.code) else {
        return Err(decode_error(
            "the envelope has neither `status` nor `code`".into(),
        ));
    };
    if !status.is_success() {
        if Status::from_code(&status.0) == Status::TimestampOutOfRange {
            if let Some(date) = response
                .headers
                .get(DATE)
                .and_then(voxkit_core::retry::parse_http_date)
            {
                let _ = server_date.set(date);
            }
        }
        return Err(Error::api(
            origin,
            Some(status.0),
            head.reason.or(head.msg).unwrap_or_default(),
        ));
    }
    serde_json::from_slice(body).map_err(|e| decode_error(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_sign_vector() {
        assert_eq!(
            signature("bDqJFiq9", "7bz1lzh9", 1_630_468_800),
            "05d7a50893e22a5c4bb3216ae3396c7c"
        );
    }

    #[test]
    fn signature_formats_any_timestamp_as_its_decimal_text() {
        for ts in [0, 7, 1_630_468_800, -5, i64::MIN, i64::MAX] {
            let mut hasher = Md5::new();
            hasher.update(format!("ks{ts}").as_bytes());
            let expected: String = hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(signature("k", "s", ts), expected, "{ts}");
        }
    }

    #[test]
    fn signer_uses_clock_and_offset() {
        let skew = Arc::new(Skew::default());
        let signer = Signer {
            api_key: "k".into(),
            api_key_header: HeaderValue::from_static("k"),
            api_secret: "s".into(),
            clock: Arc::new(voxkit_core::FixedClock(
                UNIX_EPOCH + std::time::Duration::from_secs(1_630_468_800),
            )),
            skew: skew.clone(),
        };
        assert_eq!(signer.timestamp(), 1_630_468_800);
        skew.set(-30);
        assert_eq!(signer.timestamp(), 1_630_468_770);
    }

    #[test]
    fn env_lookup() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let err = ClientBuilder::new()
            .credentials_from(env(&[("LAAFFIC_API_KEY", "k")]))
            .unwrap_err();
        assert!(err.to_string().contains("LAAFFIC_API_SECRET"), "{err}");
        // Issue 12: padded variables are trimmed (HTTP would trim the key and the server echo
        // the trimmed form); whitespace inside is refused naming the variable only.
        let builder = ClientBuilder::new()
            .credentials_from(env(&[
                ("LAAFFIC_API_KEY", "SENTINEL-K "),
                ("LAAFFIC_API_SECRET", "\tSENTINEL-S\t"),
            ]))
            .unwrap();
        assert_eq!(
            builder.api_key.as_ref().unwrap().expose_secret(),
            "SENTINEL-K"
        );
        assert_eq!(
            builder.api_secret.as_ref().unwrap().expose_secret(),
            "SENTINEL-S"
        );
        let err = ClientBuilder::new()
            .credentials_from(env(&[
                ("LAAFFIC_API_KEY", "k"),
                ("LAAFFIC_API_SECRET", "SENTINEL S"),
            ]))
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.to_string().contains("LAAFFIC_API_SECRET"), "{err}");
        assert!(!format!("{err} {err:?}").contains("SENTINEL"), "{err}");
        let client = ClientBuilder::new()
            .credentials_from(env(&[
                ("LAAFFIC_API_KEY", "k"),
                ("LAAFFIC_API_SECRET", "s"),
                ("LAAFFIC_BASE_URL", "http://127.0.0.1:9"),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.core().base_url().as_str(), "http://127.0.0.1:9/");
        let client = ClientBuilder::new()
            .credentials_from(env(&[
                ("LAAFFIC_API_KEY", "k"),
                ("LAAFFIC_API_SECRET", "s"),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            client.core().base_url().as_str(),
            "https://api.laaffic.com/"
        );
    }

    #[test]
    fn bad_credentials_are_refused_without_echo() {
        let err = Client::new("", "s").unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        let err = Client::new("SENTINEL\nX", "s").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("SENTINEL"));
        let err = ClientBuilder::new().build().unwrap_err();
        assert!(err.to_string().contains("no credentials"));
    }
}
