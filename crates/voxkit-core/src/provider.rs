//! One provider description and one generic builder.
//!
//! # Why
//!
//! Each provider crate had its own builder: the same dozen options forwarded by a macro,
//! its own `token_from_env` or `credentials_from_env` with its own idea of an empty
//! variable, its own missing-credential message, its own header-auth type. A rule fixed in
//! one (a credential with a trailing newline from a secrets file) stayed broken in the
//! others. Here a provider is *described* — name, default base URL, environment variable
//! names as data (object_store declares its configuration keys as data), credential
//! shape, indeterminate codes, how credentials become an [`Auth`] — and [`Builder<P>`]
//! does the rest once, in the manner of async-openai's `Config`: the options, `from_env`,
//! the credential checks, and the build.
//!
//! Provider-specific setters are inherent methods of `Builder<P>` restricted by a
//! where-clause on the provider's credential shape or options type
//! (`impl<P: Provider<Credentials = Token>> Builder<P> { fn token(..) }`). Why this and
//! not a wrapper per crate: a wrapper has to forward every option again (the duplication
//! this replaces), and a trait would have to be imported before `.token(..)` resolves.
//! The price: setter names belong to the shape, not the provider (ESP-AI's
//! `open_api_key(..)` is [`Builder::api_key`] of the [`Key`] shape). Options that only one
//! provider has travel in [`Provider::Options`]; a shape core knows ([`SkewCorrection`])
//! gets a named setter, anything else goes through [`Builder::options`].

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{Auth, Clock, SecretString};
use crate::client::{Client, ClientBuilder};
use crate::error::{Error, Origin};
use crate::redact::credential;
use crate::retry::RetryPolicy;
use crate::transport::Transport;

/// The environment variables a provider is configured from, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvVars {
    /// The variable that, when set and not empty, replaces the default base URL.
    pub base_url: &'static str,
    /// One variable per part of the credential shape, in
    /// [`Credentials::PARTS`] order.
    pub credentials: &'static [&'static str],
}

/// A credential shape: how many secrets a provider needs and what they are called.
pub trait Credentials: Sized + Send + Sync + 'static {
    /// What each part is called in errors (`"token"`, `"API key"`, `"API secret"`).
    const PARTS: &'static [&'static str];
    /// The message of a build without credentials; names the setter.
    const MISSING: &'static str;
    /// The parts, in [`Credentials::PARTS`] order.
    fn into_parts(self) -> Vec<SecretString>;
    /// From parts in [`Credentials::PARTS`] order (exactly that many).
    fn from_parts(parts: Vec<SecretString>) -> Self;
}

/// One bearer-like token (longlonglong's partner token).
pub struct Token {
    /// The token.
    pub token: SecretString,
}

/// One key (ESP-AI's open API key).
pub struct Key {
    /// The key.
    pub key: SecretString,
}

/// A key and a secret (Laaffic's API key and API secret).
pub struct KeyAndSecret {
    /// The key.
    pub key: SecretString,
    /// The secret.
    pub secret: SecretString,
}

/// The `N` parts of a credential shape, in the order of its `PARTS`.
fn parts_of<const N: usize>(parts: Vec<SecretString>) -> [SecretString; N] {
    parts
        .try_into()
        .unwrap_or_else(|_| panic!("a credential shape got the wrong number of parts"))
}

impl Credentials for Token {
    const PARTS: &'static [&'static str] = &["token"];
    const MISSING: &'static str = "no token: call token() or from_env()";
    fn into_parts(self) -> Vec<SecretString> {
        vec![self.token]
    }
    fn from_parts(parts: Vec<SecretString>) -> Self {
        let [token] = parts_of(parts);
        Token { token }
    }
}

impl Credentials for Key {
    const PARTS: &'static [&'static str] = &["API key"];
    const MISSING: &'static str = "no API key: call api_key() or from_env()";
    fn into_parts(self) -> Vec<SecretString> {
        vec![self.key]
    }
    fn from_parts(parts: Vec<SecretString>) -> Self {
        let [key] = parts_of(parts);
        Key { key }
    }
}

impl Credentials for KeyAndSecret {
    const PARTS: &'static [&'static str] = &["API key", "API secret"];
    const MISSING: &'static str = "no credentials: call credentials() or from_env()";
    fn into_parts(self) -> Vec<SecretString> {
        vec![self.key, self.secret]
    }
    fn from_parts(parts: Vec<SecretString>) -> Self {
        let [key, secret] = parts_of(parts);
        KeyAndSecret { key, secret }
    }
}

/// No provider-specific options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoOptions;

/// A second host that some of a provider's operations are documented on, with its own
/// default and environment variable (ESP-AI: its agents, 超体, on `api.espai2.fun`, its
/// cards, devices and plugins on `api.espai.fun`). [`Builder::build`] then builds a second
/// core client, same options, credentials and signer, for that host
/// ([`Provider::client_with_second`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecondHost {
    /// Its documented base URL.
    pub default_base_url: &'static str,
    /// The variable that, when set and not empty, replaces it.
    pub env: &'static str,
}

/// The options of a provider that corrects its clock from a refused timestamp (Laaffic's
/// `-16`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkewCorrection {
    /// Whether a refused timestamp makes the client measure the offset, re-sign and try
    /// once more (default: on).
    pub enabled: bool,
}

impl Default for SkewCorrection {
    fn default() -> Self {
        SkewCorrection { enabled: true }
    }
}

/// A provider, described. Implemented by a unit type in each provider crate, whose
/// builder is then `pub type ClientBuilder = voxkit_core::Builder<ThatType>;`.
pub trait Provider: Sized + 'static {
    /// The short name in errors and traces (`"longlonglong"`).
    const NAME: &'static str;
    /// The documented base URL.
    const DEFAULT_BASE_URL: &'static str;
    /// The environment variables [`Builder::from_env`] reads.
    const ENV: EnvVars;
    /// Business codes that mean "the server failed while handling it, perhaps after
    /// applying it" (see [`ClientBuilder::indeterminate_codes`]).
    const INDETERMINATE_CODES: &'static [&'static str] = &[];
    /// A second host some operations are sent to; `None` (the default): every operation
    /// goes to the base URL.
    const SECOND_HOST: Option<SecondHost> = None;
    /// The credential shape.
    type Credentials: Credentials;
    /// Provider-specific options ([`NoOptions`] when there are none).
    type Options: Default + fmt::Debug + Clone + Send + Sync + 'static;
    /// The signer.
    type Auth: Auth;
    /// The provider's client.
    type Client;

    /// Turns checked credentials (trimmed, not empty, no inner whitespace or control
    /// characters) into the signer. `clock` is the builder's clock, for signers that
    /// sign a timestamp. Refuse here what cannot be sent (e.g. a header value), without
    /// echoing it.
    fn auth(
        credentials: Self::Credentials,
        origin: Origin,
        clock: &Arc<dyn Clock>,
        options: &Self::Options,
    ) -> Result<Self::Auth, Error>;

    /// Wraps the core client (and the signer, for providers that keep state in it).
    fn client(core: Client, auth: Arc<Self::Auth>, options: Self::Options) -> Self::Client;

    /// Wraps the core clients of a provider with a [`Provider::SECOND_HOST`]: `second` is
    /// the client of that host (`None` for a provider without one). The default ignores
    /// it and calls [`Provider::client`].
    fn client_with_second(
        core: Client,
        second: Option<Client>,
        auth: Arc<Self::Auth>,
        options: Self::Options,
    ) -> Self::Client {
        let _ = second;
        Self::client(core, auth, options)
    }
}

/// Configures a provider's client: credentials, base URL, timeouts, retry policy,
/// transport, proxy, clock, and the provider's own options. Written once for every
/// provider; see the [module docs](self).
pub struct Builder<P: Provider> {
    core: ClientBuilder,
    /// The base URL set by [`Builder::base_url`] or the environment, kept to check its
    /// path at build time ([`check_no_path`]); `None`: the provider's default.
    base_url: Option<String>,
    /// The [second host](Provider::SECOND_HOST)'s base URL, if set.
    second_base_url: Option<String>,
    credentials: Option<P::Credentials>,
    options: P::Options,
    _provider: PhantomData<fn() -> P>,
}

impl<P: Provider> fmt::Debug for Builder<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("core", &self.core)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "[redacted]"),
            )
            .field("options", &self.options)
            .finish()
    }
}

impl<P: Provider> Default for Builder<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Provider> Builder<P> {
    /// A builder with no credentials and the provider's default base URL.
    pub fn new() -> Self {
        Builder {
            core: ClientBuilder::new(P::NAME, P::DEFAULT_BASE_URL)
                .indeterminate_codes(P::INDETERMINATE_CODES),
            base_url: None,
            second_base_url: None,
            credentials: None,
            options: P::Options::default(),
            _provider: PhantomData,
        }
    }

    fn core(mut self, f: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Self {
        self.core = f(self.core);
        self
    }

    /// The credentials, in the provider's shape (the shape's own setter reads better:
    /// `token(..)`, `api_key(..)`, `credentials(key, secret)`).
    pub fn with_credentials(mut self, credentials: P::Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Reads the provider's [credential variables](EnvVars::credentials) and, when set
    /// and not empty, its [base URL variable](EnvVars::base_url) from the process
    /// environment. See [`Builder::from_lookup`] for the rules.
    pub fn from_env(self) -> Result<Self, Error> {
        self.from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Builder::from_env`], by the name the key providers used.
    pub fn credentials_from_env(self) -> Result<Self, Error> {
        self.from_env()
    }

    /// [`Builder::from_env`] with another source of variables (tests, a config file).
    ///
    /// Each credential variable is trimmed (a secrets file's trailing newline is not part
    /// of the key) and refused with [`Error::Config`] when unset, empty, or holding
    /// whitespace, control or invisible characters inside it. The error names the
    /// variable, never its value.
    pub fn from_lookup(mut self, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let origin = Origin::new(P::NAME, "configure");
        let names = P::ENV.credentials;
        let mut parts = Vec::with_capacity(names.len());
        for name in names {
            let Some(value) = lookup(name).filter(|v| !v.trim().is_empty()) else {
                return Err(Error::config(
                    origin,
                    format!("environment variable {name} is not set"),
                ));
            };
            let what = format!("environment variable {name}");
            parts.push(credential(origin, &what, SecretString::from(value))?);
        }
        self.credentials = Some(P::Credentials::from_parts(parts));
        if let Some(url) = lookup(P::ENV.base_url).filter(|v| !v.trim().is_empty()) {
            self = self.base_url(url.trim());
        }
        let second = P::SECOND_HOST.and_then(|host| lookup(host.env));
        if let Some(url) = second.filter(|v| !v.trim().is_empty()) {
            self = self.second_base_url(url.trim());
        }
        Ok(self)
    }

    /// The provider's own options, changed in place: `.options(|o| o.some_flag = false)`.
    pub fn options(mut self, change: impl FnOnce(&mut P::Options)) -> Self {
        change(&mut self.options);
        self
    }

    /// The base URL: scheme, host and optional port, **no path**: every operation's path
    /// is whole (Laaffic's start with `/v3/`), so a base such as the Laaffic docs'
    /// `https://api.laaffic.com/v3` would send `/v3/v3/getBalance`; [`Builder::build`]
    /// refuses it. `http://` is accepted only for loopback hosts unless
    /// [`Builder::allow_http`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.base_url = Some(url.clone());
        self.core(|c| c.base_url(url))
    }

    /// The base URL of the provider's [second host](Provider::SECOND_HOST), with the rules
    /// of [`Builder::base_url`]. Unset, it is the host's documented default, unless
    /// [`Builder::base_url`] was set (a sandbox, a proxy): then it follows the base URL, so
    /// that pointing a client at a local server never sends half of its calls, and its
    /// credentials, to the real provider. Refused at build by a provider without a second
    /// host.
    pub fn second_base_url(mut self, url: impl Into<String>) -> Self {
        self.second_base_url = Some(url.into());
        self
    }

    /// Time allowed to establish a connection (default 5 s).
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        self.core(|c| c.connect_timeout(timeout))
    }

    /// Time allowed for one attempt, from sending to the end of the body (default 30 s).
    pub fn attempt_timeout(self, timeout: Duration) -> Self {
        self.core(|c| c.attempt_timeout(timeout))
    }

    /// Time allowed for a whole call, retries and backoff included (default: none).
    pub fn deadline(self, deadline: Duration) -> Self {
        self.core(|c| c.deadline(deadline))
    }

    /// The `User-Agent` header (default `voxkit/<version>`).
    pub fn user_agent(self, user_agent: impl Into<String>) -> Self {
        self.core(|c| c.user_agent(user_agent))
    }

    /// The retry policy (default: 3 attempts, full-jitter backoff from 100 ms). A
    /// non-repeatable operation is never re-sent once it may have arrived, whatever the
    /// policy.
    pub fn retry_policy(self, policy: RetryPolicy) -> Self {
        self.core(|c| c.retry_policy(policy))
    }

    /// Allows plain `http://` to hosts that are not loopback: credentials then cross the
    /// network in clear text. Only for trusted networks.
    pub fn allow_http(self, allow: bool) -> Self {
        self.core(|c| c.allow_http(allow))
    }

    /// Uses the caller's `reqwest::Client`; build it with `redirect::Policy::none()`.
    pub fn http_client(self, client: reqwest::Client) -> Self {
        self.core(|c| c.http_client(client))
    }

    /// Uses a custom [`Transport`] (tests, other HTTP stacks).
    pub fn transport(self, transport: Arc<dyn Transport>) -> Self {
        self.core(|c| c.transport(transport))
    }

    /// Sends every request through this proxy.
    pub fn proxy(self, proxy: reqwest::Proxy) -> Self {
        self.core(|c| c.proxy(proxy))
    }

    /// The largest response body accepted (default 32 MiB).
    pub fn max_response_bytes(self, bytes: usize) -> Self {
        self.core(|c| c.max_response_bytes(bytes))
    }

    /// The clock used for signatures and `Retry-After` dates (tests inject a fixed one).
    pub fn clock(self, clock: Arc<dyn Clock>) -> Self {
        self.core(|c| c.clock(clock))
    }

    /// Checks the configuration and builds the client. Nothing is sent.
    ///
    /// # Errors
    /// [`Error::Config`] without credentials, with a credential that is empty or holds
    /// whitespace, control or invisible characters (named, never shown), or with a bad
    /// base URL (a path included: see [`Builder::base_url`]), retry policy or timeout.
    pub fn build(self) -> Result<P::Client, Error> {
        let origin = Origin::new(P::NAME, "configure");
        if let Some(raw) = &self.base_url {
            check_no_path(origin, raw)?;
        }
        if let Some(raw) = &self.second_base_url {
            if P::SECOND_HOST.is_none() {
                return Err(Error::config(
                    origin,
                    "this provider has no second host: remove second_base_url(..)",
                ));
            }
            check_no_path(origin, raw)?;
        }
        let credentials = self
            .credentials
            .ok_or_else(|| Error::config(origin, P::Credentials::MISSING))?;
        let parts = credentials
            .into_parts()
            .into_iter()
            .zip(P::Credentials::PARTS)
            .map(|(part, what)| credential(origin, what, part))
            .collect::<Result<Vec<_>, Error>>()?;
        let credentials = P::Credentials::from_parts(parts);
        let auth = Arc::new(P::auth(
            credentials,
            origin,
            self.core.clock_ref(),
            &self.options,
        )?);
        let second = match P::SECOND_HOST {
            None => None,
            Some(host) => {
                let url = self
                    .second_base_url
                    .or(self.base_url)
                    .unwrap_or_else(|| host.default_base_url.to_owned());
                Some(self.core.clone().base_url(url).build(auth.clone())?)
            }
        };
        let core = self.core.build(auth.clone())?;
        Ok(P::client_with_second(core, second, auth, self.options))
    }
}

/// Refuses a base URL with a path (`/` alone is no path). Each provider's operation paths
/// are whole from the host on, and no provider documents a base that needs a prefix the
/// operations lack (Laaffic's docs write `https://api.laaffic.com/v3`, but its `/v3` is
/// already in every operation's path), so a path here is always a mistake that the server
/// would answer with an empty 404. A URL that does not parse is left to the core
/// builder's check, which says why. The raw text is never echoed (it may hold a key):
/// only scheme, host, port and path are shown.
fn check_no_path(origin: Origin, raw: &str) -> Result<(), Error> {
    let Ok(url) = url::Url::parse(raw.trim()) else {
        return Ok(());
    };
    let path = url.path();
    if path.is_empty() || path == "/" || url.cannot_be_a_base() {
        return Ok(());
    }
    let mut root = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        root.push_str(&format!(":{port}"));
    }
    Err(Error::config(
        origin,
        format!(
            "the base URL {root}{path} has a path ({path}): give only the scheme, host and \
             port, e.g. {root}; voxkit adds each operation's whole path itself, so this one \
             would be sent as {root}{}{}/… and answered with 404",
            path.trim_end_matches('/'),
            path.trim_end_matches('/'),
        ),
    ))
}

impl<P: Provider<Credentials = Token>> Builder<P> {
    /// The token.
    pub fn token(self, token: impl Into<SecretString>) -> Self {
        self.with_credentials(Token {
            token: token.into(),
        })
    }

    /// [`Builder::from_env`], by the name the token providers used.
    pub fn token_from_env(self) -> Result<Self, Error> {
        self.from_env()
    }
}

impl<P: Provider<Credentials = Key>> Builder<P> {
    /// The API key.
    pub fn api_key(self, key: impl Into<SecretString>) -> Self {
        self.with_credentials(Key { key: key.into() })
    }
}

impl<P: Provider<Credentials = KeyAndSecret>> Builder<P> {
    /// The API key and API secret.
    pub fn credentials(
        self,
        key: impl Into<SecretString>,
        secret: impl Into<SecretString>,
    ) -> Self {
        self.with_credentials(KeyAndSecret {
            key: key.into(),
            secret: secret.into(),
        })
    }
}

/// A provider whose [second host](Provider::SECOND_HOST) serves its agents (ESP-AI's 超体
/// on `api.espai2.fun`): its builder gets [`Builder::agent_base_url`], the setter named
/// for what the host serves.
pub trait AgentHost: Provider {}

impl<P: AgentHost> Builder<P> {
    /// The agent host's base URL: [`Builder::second_base_url`] by its provider's name.
    pub fn agent_base_url(self, url: impl Into<String>) -> Self {
        self.second_base_url(url)
    }
}

impl<P: Provider<Options = SkewCorrection>> Builder<P> {
    /// Whether a refused timestamp makes the client measure its clock offset from the
    /// answer's `Date`, re-sign and try once more (default: on).
    pub fn skew_correction(self, on: bool) -> Self {
        self.options(|o| o.enabled = on)
    }
}

/// The constructor and accessors every provider's client has, written once as inherent
/// methods of `$client`: `from_env()` (the [`Builder::from_env`] rules), `builder()` (a
/// `Builder<$provider>`) and `core()` (the core client, at the field path given after
/// `core:`). The doc comments before `$client` document `from_env()`, which names the
/// provider's variables.
///
/// Why a macro: the three were written out per provider, word for word; a function cannot
/// add inherent methods to another crate's type, and a trait would have to be imported
/// before `Client::from_env()` resolves. `new(..)` stays with each client: its arguments
/// are the provider's credential shape.
#[macro_export]
macro_rules! client_constructors {
    ($(#[$from_env:meta])* $client:ident for $provider:ty, core: $($field:ident).+) => {
        impl $client {
            $(#[$from_env])*
            pub fn from_env() -> ::core::result::Result<$client, $crate::Error> {
                $crate::Builder::<$provider>::new().from_env()?.build()
            }

            /// A builder for everything else (timeouts, retry policy, proxy, transport).
            pub fn builder() -> $crate::Builder<$provider> {
                $crate::Builder::new()
            }

            /// The core client (base URL, retry policy).
            pub fn core(&self) -> &$crate::Client {
                &self.$($field).+
            }
        }
    };
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key([redacted])")
    }
}

impl fmt::Debug for KeyAndSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyAndSecret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: Origin = Origin::new("laaffic", "configure");

    #[test]
    fn a_base_url_with_a_path_is_refused_without_echoing_it() {
        for bad in [
            "https://api.laaffic.com/v3",
            "https://api.laaffic.com/v3/",
            "http://127.0.0.1:9/proxy?key=SENTINEL",
            "https://u:SENTINEL@api.laaffic.com/v3",
        ] {
            let err = check_no_path(O, bad).unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, Error::Config { .. }), "{bad}: {err:?}");
            assert!(err.nothing_sent());
            assert!(text.contains("has a path"), "{text}");
            assert!(!text.contains("SENTINEL"), "{text}");
        }
        let text = check_no_path(O, "https://api.laaffic.com/v3")
            .unwrap_err()
            .to_string();
        assert!(text.contains("e.g. https://api.laaffic.com;"), "{text}");
        assert!(text.contains("/v3/v3/"), "{text}");
    }

    #[test]
    fn a_base_url_without_a_path_or_unparsable_is_left_to_the_core_check() {
        for ok in [
            "https://api.laaffic.com",
            "https://api.laaffic.com/",
            "http://127.0.0.1:9",
            " https://api.espai.fun/ ",
            "not a url",
        ] {
            assert!(check_no_path(O, ok).is_ok(), "{ok}");
        }
    }
}
