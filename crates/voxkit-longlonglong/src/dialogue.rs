//! 对话接口 (section 11b of the notes): one message of a conversation with a longlonglong AI
//! customer-service script (AI 客户联络), `POST /saas/api/customer_service/tenant/{tenant_id}`.
//!
//! # Another product: another host, another token
//!
//! The dialogue API is not part of the agent API: it is served by the AI 客户联络 client
//! host `https://ai.call.longlonglong.cn` ("域名与其他有区别,是对应的客户端域名"), and its
//! bearer token is the one shown under "AI 客户联络 -> 开发指引 -> 查看认证 token", not the
//! partner token. So it is described as a provider of its own, [`Dialogue`], with its own
//! name ([`DIALOGUE_PROVIDER`]), base URL, environment variables
//! (`LONGLONGLONG_DIALOGUE_TOKEN`, `LONGLONGLONG_DIALOGUE_BASE_URL`) and client
//! ([`DialogueClient`], built by core's one builder), rather than as a second host of
//! [`crate::Client`]: a client holding both tokens could send either to the wrong host. The
//! token is sent exactly as the partner token is (`Authorization: Bearer <token>`, the same
//! signer), and every request carries the documented `X-Requested-With: XMLHttpRequest`
//! (declared on the operation).
//!
//! # The answer
//!
//! The documentation shows no answer. It is decoded with the agent API's envelope rules
//! (`{"code", "status", "message", "data"}`, `code` 200 success, `code` 500 a system error;
//! the same vendor's Laravel stack, which the `X-Requested-With` header asks for JSON) and
//! its `data` kept as raw JSON ([`DialogueReply`]): no field is assumed. An answer that is
//! not that envelope is a decode error, which for this non-repeatable operation is
//! [`Error::OutcomeUnknown`]: the message may have been taken.
//!
//! # Sending twice
//!
//! A message is not repeatable (sent again, the conversation has it twice) and no documented
//! read finds a message that was sent, so a lost answer cannot be reconciled
//! ([`DialogueClient::send_exactly_once`] says so rather than guess).

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Serialize, Serializer};
use voxkit_core::reconcile::run_once_unreconcilable;
use voxkit_core::{
    Clock, EnvVars, Error, ExactlyOnceOutcome, HeaderAuth, NoOptions, Operation, Origin, Provider,
    SecretString, Token, check,
};

use crate::envelope::Undocumented;
use crate::lines::{ScriptGroupId, TenantId};
use crate::{Client, Longlonglong, SYSTEM_ERROR_CODES};

#[cfg(any(test, feature = "test-util"))]
use {crate::envelope::decode_as, serde_json::Value};

/// The dialogue API's short name in errors and traces: `"longlonglong-dialogue"` (another
/// product than the agent API's `"longlonglong"`, with its own token).
pub const DIALOGUE_PROVIDER: &str = "longlonglong-dialogue";

/// The dialogue API's documented base URL, the AI 客户联络 client host.
pub const DIALOGUE_BASE_URL: &str = "https://ai.call.longlonglong.cn";

/// The documentation example's `{tenant_id}`.
#[cfg(any(test, feature = "test-util"))]
pub(crate) const DOCS_DIALOGUE_TENANT: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";

/// The documentation example's `talk_id` (and `user_id`), mixed case as written there.
#[cfg(any(test, feature = "test-util"))]
pub(crate) const DOCS_TALK: &str = "bCdeffd6-C84D-dB14-11De-3afA7f738159";

/// The documentation example's message (`"测试"`, `notify` `enter`, script group 1), the one
/// the declaration's `example` and `exactly_once` hooks both send.
#[cfg(any(test, feature = "test-util"))]
fn docs_message() -> Result<DialogueMessage, Error> {
    DialogueMessage::text(
        DOCS_TALK.parse()?,
        DOCS_TALK.parse()?,
        ScriptGroupId::new(1)?,
        Notify::Enter,
        "测试",
    )
}

voxkit_core::operations! {
    provider = DIALOGUE_PROVIDER;
    client = DialogueClient;
    headers = [
        ("content-type", "application/json"),
        ("accept", "application/json"),
        ("x-requested-with", "XMLHttpRequest"),
    ];
    /// The dialogue API's operations, joined into [`DIALOGUE_OPERATIONS`].
    pub(crate) list LIST;
    /// Their test hooks, joined into [`DIALOGUE_TEST_HOOKS`].
    pub(crate) hooks HOOKS;

    /// 对话接口: one message (or the start or end) of a conversation.
    pub(crate) SEND_DIALOGUE {
        name: "send_dialogue_message",
        method: POST,
        path: "saas/api/customer_service/tenant/{tenant_id}",
        idempotency: NotRepeatable,
        reconciliation: Impossible {
            why: "the conversation takes a message sent twice as two messages, and no \
                  documented read lists a conversation's messages, so nothing tells a lost \
                  message that arrived from one that did not",
        },
        example: |c| c.send(&DOCS_DIALOGUE_TENANT.parse()?, &docs_message()?).await.map(drop),
        decode: |r| decode_as::<Value>(&SEND_DIALOGUE, r),
        // No `applied`: no documented read lists a conversation's messages (see
        // `reconciliation`); the facade's suites count them in the sandbox's state.
        exactly_once: |c| c.send_exactly_once(&DOCS_DIALOGUE_TENANT.parse()?, &docs_message()?).await,
    }
}

voxkit_core::operation_list! {
    /// Every operation of the dialogue API (one), declared as the agent API's are, so that
    /// the workspace's fault matrix, secret-hygiene suite and fuzz targets iterate it too.
    /// Kept apart from [`crate::OPERATIONS`]: another provider, another client.
    pub DIALOGUE_OPERATIONS = [LIST];
}

#[cfg(any(test, feature = "test-util"))]
voxkit_core::test_hooks_list! {
    /// The dialogue operations' test hooks (feature `test-util`), in
    /// [`DIALOGUE_OPERATIONS`] order: the documentation's example call and its decoder.
    pub DIALOGUE_TEST_HOOKS: DialogueClient = [HOOKS];
}

/// Configures a [`DialogueClient`]: core's one builder, described by [`Dialogue`].
pub type DialogueClientBuilder = voxkit_core::Builder<Dialogue>;

/// The longlonglong dialogue API (对话接口, AI 客户联络), described for
/// [`voxkit_core::Builder`]: its own name, base URL and environment variables, and the
/// agent API's bearer signer and system-error codes (same vendor, same conventions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialogue;

impl Provider for Dialogue {
    const NAME: &'static str = DIALOGUE_PROVIDER;
    const DEFAULT_BASE_URL: &'static str = DIALOGUE_BASE_URL;
    const ENV: EnvVars = EnvVars {
        base_url: "LONGLONGLONG_DIALOGUE_BASE_URL",
        credentials: &["LONGLONGLONG_DIALOGUE_TOKEN"],
    };
    const INDETERMINATE_CODES: &'static [&'static str] = SYSTEM_ERROR_CODES;
    type Credentials = Token;
    type Options = NoOptions;
    type Auth = HeaderAuth;
    type Client = DialogueClient;

    /// The agent API's signer: `Authorization: Bearer <token>`.
    fn auth(
        credentials: Token,
        origin: Origin,
        clock: &Arc<dyn Clock>,
        options: &NoOptions,
    ) -> Result<HeaderAuth, Error> {
        Longlonglong::auth(credentials, origin, clock, options)
    }

    fn client(core: voxkit_core::Client, auth: Arc<HeaderAuth>, _: NoOptions) -> DialogueClient {
        DialogueClient {
            inner: Client::wrap(core, auth),
        }
    }
}

/// A client of the longlonglong dialogue API (对话接口), with the AI 客户联络 token. Cheap to
/// clone. Not a second host of [`crate::Client`]: the dialogue API is another product with
/// its own token, and a client holding both could send either to the wrong host.
#[derive(Clone)]
pub struct DialogueClient {
    /// The agent client's plumbing (core client, signer, envelope decoding), pointed at
    /// the dialogue host; its agent operations are not exposed.
    inner: Client,
}

impl fmt::Debug for DialogueClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DialogueClient")
            .field("core", self.inner.core())
            .finish()
    }
}

voxkit_core::client_constructors! {
    /// A client configured from `LONGLONGLONG_DIALOGUE_TOKEN` and, if set,
    /// `LONGLONGLONG_DIALOGUE_BASE_URL` (default `https://ai.call.longlonglong.cn`), with
    /// the rules of the agent client's variables.
    DialogueClient for Dialogue, core: inner.core
}

impl DialogueClient {
    /// A client with this AI 客户联络 token and the default configuration.
    pub fn new(token: impl Into<SecretString>) -> Result<DialogueClient, Error> {
        DialogueClientBuilder::new().token(token).build()
    }

    /// Sends one message of a conversation (对话接口):
    /// `POST /saas/api/customer_service/tenant/{tenant_id}` with
    /// `{"talk_id", "user_id", "message", "notify", "directive", "group_id"}`.
    ///
    /// **Not repeatable**: sent at most once when it may have arrived; a lost answer is
    /// [`Error::OutcomeUnknown`], and it cannot be reconciled (see the module docs). The
    /// answer is undocumented: raw JSON ([`DialogueReply`]).
    pub async fn send(
        &self,
        tenant: &TenantId,
        message: &DialogueMessage,
    ) -> Result<DialogueReply, Error> {
        let op = Operation::of(&SEND_DIALOGUE, &[tenant.as_str()])?
            .json(SEND_DIALOGUE.origin(), message)?;
        self.inner.undocumented(&SEND_DIALOGUE, &op).await
    }

    /// [`DialogueClient::send`] through the exactly-once runner, for callers that handle
    /// every non-repeatable operation alike: sent once, and a lost answer ends
    /// [`ExactlyOnceOutcome::Undetermined`] saying it cannot be reconciled (never sent
    /// again).
    pub async fn send_exactly_once(
        &self,
        tenant: &TenantId,
        message: &DialogueMessage,
    ) -> Result<ExactlyOnceOutcome, Error> {
        run_once_unreconcilable(&SEND_DIALOGUE, || async {
            Ok(self.send(tenant, message).await?.evidence())
        })
        .await
    }
}

/// The answer of [`DialogueClient::send`]. Its fields are **not documented** (the page ends
/// after the request examples): the envelope's `message` and its `data` kept as sent, no
/// field assumed.
pub type DialogueReply = Undocumented;

/// `notify`: where the message stands in the conversation (类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Notify {
    /// `enter` (开始): the conversation starts.
    Enter,
    /// `message` (中间阶段): a message within it.
    Message,
    /// `leave` (结束): the conversation ends.
    Leave,
}

impl Notify {
    /// The value sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Notify::Enter => "enter",
            Notify::Message => "message",
            Notify::Leave => "leave",
        }
    }
}

/// `directive`: what the caller heard instead of words. Absent, the docs' example sends
/// `""`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Directive {
    /// `invalid` (杂音): noise.
    Invalid,
    /// `no_answer` (无回应): no answer.
    NoAnswer,
}

impl Directive {
    /// The value sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Directive::Invalid => "invalid",
            Directive::NoAnswer => "no_answer",
        }
    }
}

/// Parses the wire values (`enter`, `message`, `leave`; `invalid`, `no_answer`), for
/// command lines and configuration.
macro_rules! wire_enum_from_str {
    ($name:ident, $field:literal, [$($variant:ident),+]) => {
        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                [$($name::$variant),+]
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| {
                        let shown: String = s.chars().take(40).collect();
                        let known = [$($name::$variant.as_str()),+].join(", ");
                        Error::invalid_input(
                            SEND_DIALOGUE.origin(),
                            format!(concat!($field, " {:?} is not one of {}"), shown, known),
                        )
                    })
            }
        }
    };
}

wire_enum_from_str!(Notify, "notify", [Enter, Message, Leave]);
wire_enum_from_str!(Directive, "directive", [Invalid, NoAnswer]);

/// The longest [`TalkId`] or [`DialogueUserId`] accepted: 64 characters (a UUID is 36).
pub const DIALOGUE_ID_MAX_CHARS: usize = 64;

/// The check of a caller-chosen id of the dialogue body: the docs give it as a string
/// (their example a UUID, `bCdeffd6-C84D-dB14-11De-3afA7f738159`) and say only that the
/// caller makes it up, so any 1–[`DIALOGUE_ID_MAX_CHARS`] ASCII letters, digits, `-` and `_`
/// are accepted (every UUID among them); `field` names it in the error.
fn check_dialogue_id(field: &str, id: &str) -> Result<(), Error> {
    let origin = SEND_DIALOGUE.origin();
    check::chars(origin, field, id, 1, DIALOGUE_ID_MAX_CHARS)?;
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        let shown: String = id.chars().take(40).collect();
        return Err(Error::invalid_input(
            origin,
            format!("{field} {shown:?}: ASCII letters, digits, - and _ only"),
        ));
    }
    Ok(())
}

crate::ids::checked_id!(
    /// `talk_id` (对话 id): made up by the caller and kept the same for one whole
    /// conversation ("随机生成保证同一个对话不变即可"); a UUID does.
    TalkId,
    check: |id: &str| check_dialogue_id("talk_id", id),
    refused: "not a talk_id (1-64 ASCII letters, digits, - and _)",
    /// Checks `id` (1–64 ASCII letters, digits, `-`, `_`) and keeps it as given.
    /// Anything else is [`Error::InvalidInput`].
);

crate::ids::checked_id!(
    /// `user_id` (用户 id): the person in the conversation, as the caller identifies them.
    /// Not the agent API's [`crate::UserId`] (a main account); any caller id of the
    /// accepted form.
    DialogueUserId,
    check: |id: &str| check_dialogue_id("user_id", id),
    refused: "not a user_id (1-64 ASCII letters, digits, - and _)",
    /// Checks `id` (1–64 ASCII letters, digits, `-`, `_`) and keeps it as given.
    /// Anything else is [`Error::InvalidInput`].
);

/// The body of 对话接口, checked when it is made: ids of the accepted form, a
/// `group_id` (话术 id) of at least 1, and a message that is not empty unless a directive
/// replaces it ("填写时 message 为\"\"即可").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DialogueMessage {
    talk_id: TalkId,
    user_id: DialogueUserId,
    message: String,
    notify: Notify,
    #[serde(serialize_with = "directive_or_empty")]
    directive: Option<Directive>,
    group_id: ScriptGroupId,
}

/// `directive` as the docs send it: the value, or `""` when there is none.
fn directive_or_empty<S: Serializer>(d: &Option<Directive>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(d.map_or("", Directive::as_str))
}

impl DialogueMessage {
    /// A message in words: `message` must hold something other than whitespace (sent as
    /// given); `directive` is sent as `""`.
    pub fn text(
        talk_id: TalkId,
        user_id: DialogueUserId,
        group_id: ScriptGroupId,
        notify: Notify,
        message: impl Into<String>,
    ) -> Result<Self, Error> {
        let message = message.into();
        if message.trim().is_empty() {
            return Err(Error::invalid_input(
                SEND_DIALOGUE.origin(),
                "message is empty: send words, or a directive (杂音 or 无回应) instead",
            ));
        }
        Ok(DialogueMessage {
            talk_id,
            user_id,
            message,
            notify,
            directive: None,
            group_id,
        })
    }

    /// A directive in place of words (杂音 or 无回应): `message` is sent as `""`, as the
    /// docs ask.
    pub fn directive(
        talk_id: TalkId,
        user_id: DialogueUserId,
        group_id: ScriptGroupId,
        notify: Notify,
        directive: Directive,
    ) -> Self {
        DialogueMessage {
            talk_id,
            user_id,
            message: String::new(),
            notify,
            directive: Some(directive),
            group_id,
        }
    }

    /// The conversation.
    pub fn talk_id(&self) -> &TalkId {
        &self.talk_id
    }

    /// The person.
    pub fn user_id(&self) -> &DialogueUserId {
        &self.user_id
    }

    /// The words (`""` with a directive).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where it stands in the conversation.
    pub fn notify(&self) -> Notify {
        self.notify
    }

    /// The directive, if any.
    pub fn directive_kind(&self) -> Option<Directive> {
        self.directive
    }

    /// The script (话术 id).
    pub fn group_id(&self) -> ScriptGroupId {
        self.group_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use voxkit_core::test_util::env;

    fn talk() -> TalkId {
        DOCS_TALK.parse().unwrap()
    }

    fn person() -> DialogueUserId {
        DOCS_TALK.parse().unwrap()
    }

    #[test]
    fn the_body_is_the_docs_example() {
        let m = docs_message().unwrap();
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            json!({"talk_id": DOCS_TALK, "user_id": DOCS_TALK, "message": "测试",
                   "notify": "enter", "directive": "", "group_id": 1})
        );
        let d = DialogueMessage::directive(
            talk(),
            person(),
            ScriptGroupId::new(2).unwrap(),
            Notify::Message,
            Directive::NoAnswer,
        );
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            json!({"talk_id": DOCS_TALK, "user_id": DOCS_TALK, "message": "",
                   "notify": "message", "directive": "no_answer", "group_id": 2})
        );
    }

    #[test]
    fn bad_input_is_refused_before_sending() {
        for blank in ["", "  ", "\n"] {
            let err = DialogueMessage::text(
                talk(),
                person(),
                ScriptGroupId::new(1).unwrap(),
                Notify::Message,
                blank,
            )
            .unwrap_err();
            assert!(err.nothing_sent(), "{blank:?}");
        }
        let long = "a".repeat(DIALOGUE_ID_MAX_CHARS + 1);
        for bad in ["", "a b", "../x", "对话", "a/b", long.as_str()] {
            assert!(TalkId::parse(bad).unwrap_err().nothing_sent(), "{bad:?}");
            assert!(DialogueUserId::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(TalkId::parse("wx_42-A").unwrap().as_str(), "wx_42-A");
        assert!(ScriptGroupId::new(0).is_err());
        assert_eq!("leave".parse::<Notify>().unwrap(), Notify::Leave);
        assert_eq!(
            "no_answer".parse::<Directive>().unwrap(),
            Directive::NoAnswer
        );
        let err = "Enter".parse::<Notify>().unwrap_err();
        assert!(err.to_string().contains("enter, message, leave"), "{err}");
        assert!("".parse::<Directive>().is_err());
    }

    /// The dialogue ids are declared by ids.rs's one id macro: its conversions and a
    /// deserializing that runs the dialogue check (not the UUID one), with its message.
    #[test]
    fn dialogue_ids_have_the_id_conversions_and_check_when_deserialized() {
        let talk = TalkId::try_from("wx_42-A").unwrap();
        assert_eq!(talk.as_ref(), "wx_42-A");
        assert_eq!(format!("{talk} {talk:?}"), "wx_42-A TalkId(wx_42-A)");
        assert!(DialogueUserId::try_from(String::from("a b")).is_err());
        let user: DialogueUserId = serde_json::from_str(r#""wx_42-A""#).unwrap();
        assert_eq!(serde_json::to_string(&user).unwrap(), r#""wx_42-A""#);
        let err = serde_json::from_str::<TalkId>(r#""a/b""#).unwrap_err();
        assert!(err.to_string().contains("not a talk_id"), "{err}");
        let err = TalkId::parse("a/b").unwrap_err();
        assert!(err.to_string().contains("talk_id \"a/b\": ASCII"), "{err}");
    }

    #[test]
    fn the_declaration_is_not_repeatable_and_carries_the_header() {
        assert_eq!(DIALOGUE_OPERATIONS.len(), 1);
        let spec = DIALOGUE_OPERATIONS[0];
        assert_eq!(spec.provider, DIALOGUE_PROVIDER);
        assert!(!spec.is_repeatable());
        assert!(matches!(
            spec.reconciliation,
            voxkit_core::Reconciliation::Impossible { .. }
        ));
        assert!(
            spec.headers
                .contains(&("x-requested-with", "XMLHttpRequest"))
        );
        let hooked: Vec<&str> = DIALOGUE_TEST_HOOKS.iter().map(|h| h.spec.name).collect();
        assert_eq!(hooked, [spec.name]);
    }

    /// Its own variables, never the partner token's, and its own default host.
    #[test]
    fn env_lookup_reads_the_dialogue_variables_only() {
        let err = DialogueClientBuilder::new()
            .from_lookup(env(&[("LONGLONGLONG_TOKEN", "partner")]))
            .unwrap_err();
        assert!(
            err.to_string().contains("LONGLONGLONG_DIALOGUE_TOKEN"),
            "{err}"
        );
        let client = DialogueClientBuilder::new()
            .from_lookup(env(&[("LONGLONGLONG_DIALOGUE_TOKEN", "SENTINEL ")]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(
            client.core().base_url().as_str(),
            "https://ai.call.longlonglong.cn/"
        );
        assert_eq!(client.inner.token(), "SENTINEL");
        assert!(!format!("{client:?}").contains("SENTINEL"));
        let client = DialogueClientBuilder::new()
            .from_lookup(env(&[
                ("LONGLONGLONG_DIALOGUE_TOKEN", "t"),
                ("LONGLONGLONG_DIALOGUE_BASE_URL", "http://127.0.0.1:9"),
                ("LONGLONGLONG_BASE_URL", "http://127.0.0.1:8"),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.core().base_url().as_str(), "http://127.0.0.1:9/");
        let err = DialogueClientBuilder::new()
            .from_lookup(env(&[("LONGLONGLONG_DIALOGUE_TOKEN", "SENTINEL X")]))
            .unwrap_err();
        assert!(!format!("{err} {err:?}").contains("SENTINEL"), "{err}");
    }

    /// The example sends what the declaration says, and a `code` 500 in a 200 is an
    /// unknown outcome (the dialogue API shares the agent API's system-error code).
    #[tokio::test]
    async fn the_example_sends_its_declaration_and_a_system_error_is_unknown() {
        use wiremock::matchers::any;
        use wiremock::{Mock, MockServer, ResponseTemplate};

        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"code": 200, "status": "success", "message": "ok", "data": []}),
            ))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"code": 500, "status": "error", "message": "系统错误", "data": []}),
            ))
            .mount(&server)
            .await;
        let client = DialogueClient::builder()
            .token("tok")
            .base_url(server.uri())
            .build()
            .unwrap();
        (DIALOGUE_TEST_HOOKS[0].example)(&client).await.unwrap();
        let err = (DIALOGUE_TEST_HOOKS[0].example)(&client).await.unwrap_err();
        assert!(err.outcome_unknown(), "{err:?}");
        assert_eq!(err.origin().provider, DIALOGUE_PROVIDER);
        let sent = server.received_requests().await.unwrap();
        assert_eq!(sent.len(), 2, "sent once each, never retried");
        let r = &sent[0];
        assert_eq!(r.method.as_str(), "POST");
        assert_eq!(
            r.url.path(),
            format!("/saas/api/customer_service/tenant/{DOCS_DIALOGUE_TENANT}")
        );
        for (name, value) in [
            ("authorization", "Bearer tok"),
            ("content-type", "application/json"),
            ("x-requested-with", "XMLHttpRequest"),
        ] {
            assert_eq!(r.headers[name], value, "{name}");
        }
    }
}
