//! The Laaffic client: the type and its constructors. Its calls live with their
//! operation groups ([`balance`](crate::balance), [`ivr`](crate::ivr)).

use std::fmt;
use std::sync::Arc;

use voxkit_core::{Error, SecretString};

use crate::ClientBuilder;
use crate::signing::Skew;

/// A Laaffic API client. Cheap to clone; clones share the connection pool and the learnt
/// clock offset.
///
/// Every request carries `Content-Type: application/json;charset=UTF-8`, `Api-Key`,
/// `Timestamp` (unix seconds) and `Sign`, computed afresh for each attempt.
#[derive(Clone)]
pub struct Client {
    pub(crate) core: voxkit_core::Client,
    pub(crate) skew: Arc<Skew>,
    pub(crate) skew_correction: bool,
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

voxkit_core::client_constructors! {
    /// A client configured from `LAAFFIC_API_KEY`, `LAAFFIC_API_SECRET` and, if set,
    /// `LAAFFIC_BASE_URL` (each trimmed; a credential that is empty or holds whitespace or
    /// control characters is refused naming the variable, never showing its value).
    Client for crate::Laaffic, core: core
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

    /// The server-minus-local clock offset in seconds learnt from a `-16` answer, added to
    /// every timestamp signed since; `None` until one was learnt.
    pub fn clock_offset(&self) -> Option<i64> {
        self.skew.get()
    }
}

#[cfg(test)]
mod tests {
    use voxkit_core::test_util::env;

    use super::*;

    #[tokio::test]
    async fn env_lookup() {
        let err = ClientBuilder::new()
            .from_lookup(env(&[("LAAFFIC_API_KEY", "k")]))
            .unwrap_err();
        assert!(err.to_string().contains("LAAFFIC_API_SECRET"), "{err}");
        // Issue 12: padded variables are trimmed (HTTP would trim the key and the server echo
        // the trimmed form); whitespace inside is refused naming the variable only.
        let builder = ClientBuilder::new()
            .from_lookup(env(&[
                ("LAAFFIC_API_KEY", "SENTINEL-K "),
                ("LAAFFIC_API_SECRET", "\tSENTINEL-S\t"),
            ]))
            .unwrap();
        let shown = format!("{builder:?}");
        assert!(!shown.contains("SENTINEL"), "{shown}");
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(
                wiremock::ResponseTemplate::new(200)
                    .set_body_string(r#"{"status":"0","balance":"1","gift":"0","credit":"0"}"#),
            )
            .mount(&server)
            .await;
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_630_468_800);
        let client = builder
            .base_url(server.uri())
            .clock(Arc::new(voxkit_core::FixedClock(at)))
            .build()
            .unwrap();
        client.balance().await.unwrap();
        let sent = &server.received_requests().await.unwrap()[0];
        assert_eq!(sent.headers.get("api-key").unwrap(), "SENTINEL-K");
        let sign = crate::signature("SENTINEL-K", "SENTINEL-S", 1_630_468_800);
        assert_eq!(sent.headers.get("sign").unwrap(), sign.as_str());
        let err = ClientBuilder::new()
            .from_lookup(env(&[
                ("LAAFFIC_API_KEY", "k"),
                ("LAAFFIC_API_SECRET", "SENTINEL S"),
            ]))
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.to_string().contains("LAAFFIC_API_SECRET"), "{err}");
        assert!(!format!("{err} {err:?}").contains("SENTINEL"), "{err}");
        let client = ClientBuilder::new()
            .from_lookup(env(&[
                ("LAAFFIC_API_KEY", "k"),
                ("LAAFFIC_API_SECRET", "s"),
                ("LAAFFIC_BASE_URL", "http://127.0.0.1:9"),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.core().base_url().as_str(), "http://127.0.0.1:9/");
        let client = ClientBuilder::new()
            .from_lookup(env(&[
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
