//! The ESP-AI client, its builder, the key header and the envelope decoder.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use serde::Serialize;
use serde::de::DeserializeOwned;
use voxkit_core::reqwest::Method;
use voxkit_core::reqwest::header::{AUTHORIZATION, HeaderValue};
use voxkit_core::{
    Attempt, Auth, Error, ExposeSecret, HttpRequest, HttpResponse, Idempotency, Operation, Origin,
    Path, SecretString, async_trait, require_secret, sensitive_header,
};

use crate::types::{
    Ack, AckEnvelope, BalanceLogPage, BalanceLogQuery, Card, CardFilter, CardKey, CardPage,
    Commodity, Data, Enveloped, IdBody, ListData, OptionalListData, OrderKind, PayBody,
    TransferBody,
};
use crate::wire::Text;
use crate::{DEFAULT_BASE_URL, PROVIDER, validate};

/// The environment variable holding the open API key.
pub const ENV_OPEN_API_KEY: &str = "ESPAI_OPEN_API_KEY";

/// The environment variable that, if set, replaces [`DEFAULT_BASE_URL`].
pub const ENV_BASE_URL: &str = "ESPAI_BASE_URL";

/// Puts the open API key in the `authorization` header of every attempt: the raw key, no
/// `Bearer` prefix, as every example of the documentation does.
struct KeyAuth {
    key: SecretString,
    /// `key` as a sensitive header value, checked and built once.
    header: HeaderValue,
}

#[async_trait]
impl Auth for KeyAuth {
    async fn authorize(&self, request: &mut HttpRequest, _: Attempt) -> Result<(), Error> {
        request.headers.insert(AUTHORIZATION, self.header.clone());
        Ok(())
    }

    fn redact(&self) -> Vec<&str> {
        vec![self.key.expose_secret()]
    }
}

/// Configures a [`Client`]: the open API key, base URL, timeouts, retry policy.
pub struct ClientBuilder {
    core: voxkit_core::ClientBuilder,
    open_api_key: Option<SecretString>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("core", &self.core)
            .field(
                "open_api_key",
                &self.open_api_key.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// The provider's "system error" codes: `code` 500 (`"系统错误：…"`, documented on every endpoint). The server failed while handling the
/// request, possibly after applying it, so for a non-repeatable operation such an answer is
/// [`Error::OutcomeUnknown`] (its cause the [`Error::Api`]), whatever the HTTP status; a
/// repeatable operation gets the [`Error::Api`].
pub const SYSTEM_ERROR_CODES: &[&str] = &["500"];

impl ClientBuilder {
    /// A builder with no key and the default base URL `https://api.espai.fun`.
    pub fn new() -> Self {
        ClientBuilder {
            core: voxkit_core::ClientBuilder::new(PROVIDER, DEFAULT_BASE_URL)
                .indeterminate_codes(SYSTEM_ERROR_CODES),
            open_api_key: None,
        }
    }

    /// The account's `open_api_key` (开放平台 → 个人中心 → 开发者选项; 32 characters
    /// according to the documentation, not checked). It is not the per-agent `api_key`
    /// of devices.
    pub fn open_api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.open_api_key = Some(key.into());
        self
    }

    /// Reads `ESPAI_OPEN_API_KEY` and, if set, `ESPAI_BASE_URL`.
    pub fn credentials_from_env(self) -> Result<Self, Error> {
        self.credentials_from(|name| std::env::var(name).ok())
    }

    fn credentials_from(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let origin = Origin::new(PROVIDER, "configure");
        let key = lookup(ENV_OPEN_API_KEY).ok_or_else(|| {
            Error::config(
                origin,
                format!("environment variable {ENV_OPEN_API_KEY} is not set"),
            )
        })?;
        // Trimmed as HTTP will trim it (and as a server will echo it), or refused naming
        // the variable: see `voxkit_core::redact::credential`.
        let key = require_secret(
            origin,
            &format!("environment variable {ENV_OPEN_API_KEY}"),
            key.into(),
        )?;
        self = self.open_api_key(key);
        if let Some(url) = lookup(ENV_BASE_URL).filter(|v| !v.trim().is_empty()) {
            self = self.base_url(url);
        }
        Ok(self)
    }

    voxkit_core::forward_builder_methods!();

    /// Checks the configuration and builds the client. Nothing is sent.
    pub fn build(self) -> Result<Client, Error> {
        let origin = Origin::new(PROVIDER, "configure");
        let key = self.open_api_key.ok_or_else(|| {
            Error::config(
                origin,
                "no open API key: call open_api_key() or credentials_from_env()",
            )
        })?;
        let key = require_secret(origin, "open API key", key)?;
        // Refuse a key that cannot travel in a header now, not at the first call.
        let header = sensitive_header(origin, "open API key", key.expose_secret())?;
        let auth = Arc::new(KeyAuth { key, header });
        let core = self.core.build(auth.clone())?;
        Ok(Client { core, auth })
    }
}

/// An ESP-AI open-platform client. Cheap to clone; clones share the connection pool.
///
/// Every call is a `POST` with a JSON body (`Content-Type: application/json`) and the
/// header `authorization: <open_api_key>`. Reads (`list_cards`, `card`, `balance_logs`)
/// are retried on transient failures although they are POSTs; `transfer`, `destroy` and
/// `pay` are not: when such a request may have reached the server without an answer
/// coming back, the error is [`Error::OutcomeUnknown`].
#[derive(Clone)]
pub struct Client {
    core: voxkit_core::Client,
    auth: Arc<KeyAuth>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with this open API key and the default configuration.
    pub fn new(open_api_key: impl Into<SecretString>) -> Result<Client, Error> {
        ClientBuilder::new().open_api_key(open_api_key).build()
    }

    /// A client configured from `ESPAI_OPEN_API_KEY` and, if set, `ESPAI_BASE_URL`.
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

    /// One page of quota cards: `POST /cdkey/list` (查询额度卡列表), operation
    /// `list_cards`.
    ///
    /// Only the filters set are sent; with none, the server lists every card of the
    /// account (server-side default page size: 9999). Repeatable: retried on transient
    /// failures. To walk every page, see [`Client::cards`].
    pub async fn list_cards(&self, filter: &CardFilter) -> Result<CardPage, Error> {
        const OP: &str = "list_cards";
        let body = filter.to_wire(self.core.origin(OP))?;
        let op = self.post(OP, "cdkey/list", Idempotency::Repeatable, &body)?;
        let list: ListData<Card> = self.call(&op).await?;
        Ok(CardPage {
            cards: list.data,
            total: list.total,
        })
    }

    /// One card by its owner's phone number and its redemption code:
    /// `POST /cdkey/detail` (查询额度卡信息), operation `card_detail`. Sends
    /// `{"code": ..., "phone": ...}`.
    ///
    /// Repeatable: retried on transient failures.
    pub async fn card(&self, card: &CardKey) -> Result<Card, Error> {
        const OP: &str = "card_detail";
        card.check(self.core.origin(OP), "the phone", "the redemption code")?;
        #[derive(Serialize)]
        struct Body<'a> {
            code: &'a str,
            phone: &'a str,
        }
        let body = Body {
            code: &card.code,
            phone: &card.phone,
        };
        let op = self.post(OP, "cdkey/detail", Idempotency::Repeatable, &body)?;
        let data: Data<Card> = self.call(&op).await?;
        Ok(data.data)
    }

    /// A card's usage log: `POST /cdkey/balance_logs` (额度卡使用记录), operation
    /// `balance_logs`.
    ///
    /// The body is a JSON array holding one object, as in the documentation
    /// (`[{"id": "...", "page": "1", "limit": "10"}]`). Repeatable: retried on transient
    /// failures.
    pub async fn balance_logs(&self, query: &BalanceLogQuery) -> Result<BalanceLogPage, Error> {
        const OP: &str = "balance_logs";
        let body = query.to_wire(self.core.origin(OP))?;
        let op = self.post(OP, "cdkey/balance_logs", Idempotency::Repeatable, &body)?;
        let list: OptionalListData<crate::BalanceLog> = self.call(&op).await?;
        Ok(BalanceLogPage {
            logs: list.data,
            total: list.total,
        })
    }

    /// Moves `amount` of quota from one card to another: `POST /cdkey/transfer`
    /// (转让额度卡额度), operation `transfer`.
    ///
    /// Sends `{"code", "phone", "target_code", "target_phone", "limit"}`, every value a
    /// string (the amount too, `"limit": "10"`; here `limit` is the amount, not a page
    /// size). The documentation: "额度卡余额转让必须都是付费卡，免费体验卡不能进行额度转让操作"
    /// (both cards must be paid cards; free trial cards cannot transfer).
    ///
    /// Refused before sending: an amount below 1 (the documented minimum), a transfer from
    /// a card to itself (same phone and code), phones that are not digits, codes that are
    /// empty or hold whitespace.
    ///
    /// **Not repeatable**: if the request may have reached the server and no answer came
    /// back, the error is [`Error::OutcomeUnknown`]; check both cards (for instance with
    /// [`Client::card`]) before trying again.
    pub async fn transfer(&self, from: &CardKey, to: &CardKey, amount: u64) -> Result<Ack, Error> {
        const OP: &str = "transfer";
        let origin = self.core.origin(OP);
        from.check(origin, "the source phone", "the source code")?;
        to.check(origin, "the target phone", "the target code")?;
        if amount == 0 {
            return Err(Error::invalid_input(
                origin,
                "the amount must be at least 1 (the documented minimum)",
            ));
        }
        if from == to {
            return Err(Error::invalid_input(
                origin,
                "the source and target are the same card",
            ));
        }
        let body = TransferBody {
            code: &from.code,
            phone: &from.phone,
            target_code: &to.code,
            target_phone: &to.phone,
            limit: amount.to_string(),
        };
        let op = self.post(OP, "cdkey/transfer", Idempotency::NotRepeatable, &body)?;
        Ok(self.call::<AckEnvelope>(&op).await?.into_ack())
    }

    /// Destroys cards by id, one or many in one call: `POST /cdkey/destroy` (销毁额度卡),
    /// operation `destroy`. The body is a JSON array, `[{"id": "..."}, ...]`.
    ///
    /// The documentation: "额度卡销毁必须是付费卡并且余额为0才能销毁，否则拒绝操作" (only paid
    /// cards with a zero balance can be destroyed). Refused before sending: no id, an
    /// empty id or one holding whitespace, the same id twice.
    ///
    /// **Not repeatable**: if the request may have reached the server and no answer came
    /// back, the error is [`Error::OutcomeUnknown`]; list the cards before trying again.
    pub async fn destroy<S: AsRef<str> + Sync>(&self, ids: &[S]) -> Result<Ack, Error> {
        const OP: &str = "destroy";
        let origin = self.core.origin(OP);
        if ids.is_empty() {
            return Err(Error::invalid_input(origin, "no card id to destroy"));
        }
        let mut seen = HashSet::with_capacity(ids.len());
        let mut body = Vec::with_capacity(ids.len());
        for id in ids {
            let id = id.as_ref();
            validate::token(origin, "a card id", id)?;
            if !seen.insert(id) {
                return Err(Error::invalid_input(origin, "a card id is listed twice"));
            }
            body.push(IdBody { id });
        }
        let op = self.post(OP, "cdkey/destroy", Idempotency::NotRepeatable, &body)?;
        Ok(self.call::<AckEnvelope>(&op).await?.into_ack())
    }

    /// Starts buying or topping up a quota card: `POST /order/pay` (额度卡购买充值),
    /// operation `pay`. Sends `{"commodity_id": "1", "commodity_type": "0"}`.
    ///
    /// Returns the payment URL (`data`, "支付URL；通过该URL可以在前端H5页面拉起支付页"): open it
    /// in a browser page to pay; the order is settled by the payment provider's
    /// notification to ESP-AI, not by this call. For [`OrderKind::TopUp`] the request
    /// names no card and the documentation does not say which card is topped up.
    ///
    /// **Not repeatable** (each call may create an order): if the request may have
    /// reached the server and no answer came back, the error is
    /// [`Error::OutcomeUnknown`].
    pub async fn pay(&self, commodity: Commodity, kind: OrderKind) -> Result<String, Error> {
        const OP: &str = "pay";
        let body = PayBody {
            commodity_id: commodity.id(),
            commodity_type: kind.code(),
        };
        let op = self.post(OP, "order/pay", Idempotency::NotRepeatable, &body)?;
        let data: Data<String> = self.call(&op).await?;
        Ok(data.data)
    }

    /// A JSON `POST` to `path`.
    fn post<B: Serialize + ?Sized>(
        &self,
        name: &'static str,
        path: &'static str,
        idempotency: Idempotency,
        body: &B,
    ) -> Result<Operation, Error> {
        Operation::new(name, Method::POST, Path::root().lit(path), idempotency)
            .json(self.core.origin(name), body)
    }

    /// Runs `op` and decodes the envelope.
    async fn call<T: DeserializeOwned + Enveloped>(&self, op: &Operation) -> Result<T, Error> {
        let origin = self.core.origin(op.name());
        let auth = &self.auth;
        self.core
            .execute(op, |response| decode(origin, response, &auth.redact()))
            .await
    }
}

/// What every envelope carries, success or not; the payload is read separately.
#[derive(Deserialize)]
struct Head {
    success: bool,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    code: Option<Text>,
}

/// Decodes an envelope `{success, message, data, totalNumber, code}`, in one place for
/// every endpoint.
///
/// `success: false` is an [`Error::Api`] with the `code` as text (`500` → `"500"`; `None`
/// when absent, as for "额度卡不存在") and the `message`. Otherwise the payload `T` is read
/// from the same object. A body that is not such an object (an HTML error page, a missing
/// or non-boolean `success`, a payload of the wrong shape) is an [`Error::Decode`] with a
/// short excerpt; `secrets` are scrubbed from every text kept.
pub(crate) fn decode<T: DeserializeOwned + Enveloped>(
    origin: Origin,
    response: &HttpResponse,
    secrets: &[&str],
) -> Result<T, Error> {
    let body = &response.body;
    let decode_error = |e: serde_json::Error| Error::Decode {
        origin,
        message: scrub(e.to_string(), secrets),
        excerpt: voxkit_core::error::excerpt(body, secrets),
    };
    let api_error = |code: Option<Text>, message: Option<String>| {
        Error::api(
            origin,
            code.map(|c| scrub(c.0, secrets)),
            scrub(message.unwrap_or_default(), secrets),
        )
    };
    // One pass over the body on the success path: head and payload together.
    match serde_json::from_slice::<T>(body) {
        Ok(envelope) if envelope.success() => Ok(envelope),
        Ok(mut envelope) => {
            let (message, code) = envelope.take_error();
            Err(api_error(code, message))
        }
        Err(full) => {
            // Not a whole envelope with this payload: an error envelope without it, or no
            // envelope at all. The head alone tells which.
            let head: Head = serde_json::from_slice(body).map_err(decode_error)?;
            if head.success {
                Err(decode_error(full))
            } else {
                Err(api_error(head.code, head.message))
            }
        }
    }
}

/// `text` with every non-empty secret replaced by `[redacted]`.
fn scrub(mut text: String, secrets: &[&str]) -> String {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret) {
            text = text.replace(secret, "[redacted]");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use voxkit_core::reqwest::StatusCode;
    use voxkit_core::reqwest::header::HeaderMap;

    const O: Origin = Origin::new(PROVIDER, "test");

    fn response(body: &str) -> HttpResponse {
        HttpResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: body.to_owned().into(),
        }
    }

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    /// Issue 12: a padded variable is trimmed (HTTP would trim it and the server echo the
    /// trimmed form); whitespace inside is a configuration error naming the variable only.
    #[test]
    fn env_key_is_trimmed_or_refused_naming_the_variable() {
        for padded in [
            &[(ENV_OPEN_API_KEY, "SENTINEL ")],
            &[(ENV_OPEN_API_KEY, "\tSENTINEL\t")],
        ] {
            let builder = ClientBuilder::new().credentials_from(env(padded)).unwrap();
            let key = builder.open_api_key.as_ref().unwrap();
            assert_eq!(key.expose_secret(), "SENTINEL");
        }
        let err = ClientBuilder::new()
            .credentials_from(env(&[(ENV_OPEN_API_KEY, "SENTINEL\tX")]))
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.to_string().contains(ENV_OPEN_API_KEY), "{err}");
        assert!(!format!("{err} {err:?}").contains("SENTINEL"), "{err}");
    }

    #[test]
    fn env_lookup() {
        let err = ClientBuilder::new().credentials_from(env(&[])).unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(err.to_string().contains("ESPAI_OPEN_API_KEY"), "{err}");
        let err = ClientBuilder::new()
            .credentials_from(env(&[("ESPAI_OPEN_API_KEY", "  ")]))
            .unwrap_err();
        assert!(err.to_string().contains("ESPAI_OPEN_API_KEY"), "{err}");
        let client = ClientBuilder::new()
            .credentials_from(env(&[
                ("ESPAI_OPEN_API_KEY", "test-key"),
                ("ESPAI_BASE_URL", "http://127.0.0.1:9"),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.core().base_url().as_str(), "http://127.0.0.1:9/");
        let client = ClientBuilder::new()
            .credentials_from(env(&[
                ("ESPAI_OPEN_API_KEY", "test-key"),
                ("ESPAI_BASE_URL", ""),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.core().base_url().as_str(), "https://api.espai.fun/");
    }

    #[test]
    fn bad_keys_are_refused_without_echo() {
        let err = Client::new("").unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        let err = Client::new("SENTINEL\nX").unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(!format!("{err} {err:?}").contains("SENTINEL"));
        let err = ClientBuilder::new().build().unwrap_err();
        assert!(err.to_string().contains("no open API key"), "{err}");
    }

    #[test]
    fn envelope_errors() {
        let err = decode::<AckEnvelope>(
            O,
            &response(r#"{"success":false,"message":"系统错误：xxx","code":500}"#),
            &[],
        )
        .unwrap_err();
        assert_eq!(err.api_code(), Some("500"));
        let err = decode::<AckEnvelope>(
            O,
            &response(r#"{"success":false,"message":"x","code":"401"}"#),
            &[],
        )
        .unwrap_err();
        assert_eq!(err.api_code(), Some("401"));
        let err = decode::<AckEnvelope>(O, &response(r#"{"success":false}"#), &[]).unwrap_err();
        assert!(matches!(&err, Error::Api { code: None, message, .. } if message.is_empty()));
        let err = decode::<AckEnvelope>(
            O,
            &response(r#"{"success":false,"message":"key SECRET-1 bad","code":null}"#),
            &["SECRET-1"],
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::Api { code: None, message, .. } if message == "key [redacted] bad")
        );
    }

    #[test]
    fn malformed_envelopes_are_decode_errors() {
        for body in [
            "",
            "<html>502</html>",
            r#"{"message":"no success"}"#,
            r#"{"success":"true"}"#,
            r#"{"success":null}"#,
            "[1,2]",
            "null",
        ] {
            let err = decode::<AckEnvelope>(O, &response(body), &[]).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        }
        let err = decode::<Data<Card>>(
            O,
            &response(r#"{"success":true,"data":{"id":"SECRET-2"}}"#),
            &["SECRET-2"],
        )
        .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }));
        assert!(!format!("{err} {err:?}").contains("SECRET-2"), "{err:?}");
    }
}
