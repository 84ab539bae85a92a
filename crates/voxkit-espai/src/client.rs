//! The ESP-AI client and its constructors.

use std::fmt;
use std::sync::Arc;

use voxkit_core::{Error, HeaderAuth, SecretString};

use crate::ClientBuilder;

/// An ESP-AI open-platform client. Cheap to clone; clones share the connection pool.
///
/// Every call is a `POST` with a JSON body (`Content-Type: application/json`) and the
/// header `authorization: <open_api_key>`. Reads (`list_cards`, `card`, `balance_logs`)
/// are retried on transient failures although they are POSTs; `transfer`, `destroy` and
/// `pay` are not: when such a request may have reached the server without an answer
/// coming back, the error is [`Error::OutcomeUnknown`].
#[derive(Clone)]
pub struct Client {
    pub(crate) core: voxkit_core::Client,
    /// The core client of the agent host ([`crate::DEFAULT_AGENT_BASE_URL`]), where the
    /// `equipment/*` operations go.
    pub(crate) agent: voxkit_core::Client,
    pub(crate) auth: Arc<HeaderAuth>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("core", &self.core)
            .field("agent", &self.agent)
            .finish_non_exhaustive()
    }
}

voxkit_core::client_constructors! {
    /// A client configured from `ESPAI_OPEN_API_KEY` and, if set, `ESPAI_BASE_URL`.
    Client for crate::Espai, core: core
}

impl Client {
    /// A client with this open API key and the default configuration.
    pub fn new(open_api_key: impl Into<SecretString>) -> Result<Client, Error> {
        ClientBuilder::new().api_key(open_api_key).build()
    }

    /// The core client of the agent host (base URL, retry policy): where the agent
    /// (超体, `equipment/*`) operations go.
    pub fn agent_core(&self) -> &voxkit_core::Client {
        &self.agent
    }

    /// The client of the built core clients (the base URL's and the agent host's) and
    /// their signer (see [`crate::Espai`]).
    pub(crate) fn wrap(
        core: voxkit_core::Client,
        agent: voxkit_core::Client,
        auth: Arc<HeaderAuth>,
    ) -> Client {
        Client { core, agent, auth }
    }
}

#[cfg(test)]
mod tests {
    use voxkit_core::test_util::env;
    use wiremock::matchers::{header, method};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::{CardFilter, ENV_BASE_URL, ENV_OPEN_API_KEY};

    /// Issue 12: a padded variable is trimmed (HTTP would trim it and the server echo the
    /// trimmed form) and sent trimmed; whitespace inside is a configuration error naming
    /// the variable only.
    #[tokio::test]
    async fn env_key_is_trimmed_or_refused_naming_the_variable() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(header("authorization", "SENTINEL"))
            .respond_with(
                ResponseTemplate::new(200).set_body_string(r#"{"success":true,"data":[]}"#),
            )
            .expect(2)
            .mount(&server)
            .await;
        for padded in ["SENTINEL ", "\tSENTINEL\t"] {
            let client = ClientBuilder::new()
                .from_lookup(env(&[(ENV_OPEN_API_KEY, padded)]))
                .unwrap()
                .base_url(server.uri())
                .build()
                .unwrap();
            client.list_cards(&CardFilter::new()).await.unwrap();
        }
        let err = ClientBuilder::new()
            .from_lookup(env(&[(ENV_OPEN_API_KEY, "SENTINEL\tX")]))
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.to_string().contains(ENV_OPEN_API_KEY), "{err}");
        assert!(!format!("{err} {err:?}").contains("SENTINEL"), "{err}");
    }

    #[test]
    fn env_lookup() {
        let err = ClientBuilder::new().from_lookup(env(&[])).unwrap_err();
        assert!(matches!(err, Error::Config { .. }));
        assert!(err.to_string().contains("ESPAI_OPEN_API_KEY"), "{err}");
        let err = ClientBuilder::new()
            .from_lookup(env(&[(ENV_OPEN_API_KEY, "  ")]))
            .unwrap_err();
        assert!(err.to_string().contains("ESPAI_OPEN_API_KEY"), "{err}");
        let client = ClientBuilder::new()
            .from_lookup(env(&[
                (ENV_OPEN_API_KEY, "test-key"),
                (ENV_BASE_URL, "http://127.0.0.1:9"),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.core().base_url().as_str(), "http://127.0.0.1:9/");
        let client = ClientBuilder::new()
            .from_lookup(env(&[(ENV_OPEN_API_KEY, "test-key"), (ENV_BASE_URL, "")]))
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
        assert!(err.to_string().contains("no API key"), "{err}");
    }
}
