//! The longlonglong [`Client`] and its constructors. The operations are in their groups'
//! modules (`billing`, `account`, `users`, `sub_accounts`), the answer's envelope in
//! `envelope`.

use std::fmt;
use std::sync::Arc;

use voxkit_core::{Error, HeaderAuth, SecretString};

use crate::ClientBuilder;

/// A client of the longlonglong AI outbound-call agent API (`/agent-api/...`). Cheap to
/// clone; clones share the connection pool.
///
/// Every request carries `Authorization: Bearer <token>`, `Content-Type: application/json`
/// (as every documented example does) and `Accept: application/json` (so that the server
/// answers errors such as a refused token in JSON rather than with a redirect).
#[derive(Clone)]
pub struct Client {
    pub(crate) core: voxkit_core::Client,
    /// The signer, kept for the token that decoding scrubs from errors.
    auth: Arc<HeaderAuth>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("core", &self.core).finish()
    }
}

voxkit_core::client_constructors! {
    /// A client configured from `LONGLONGLONG_TOKEN` and, if set, `LONGLONGLONG_BASE_URL`
    /// (see the crate docs on configuration).
    Client for crate::Longlonglong, core: core
}

impl Client {
    /// A client with this partner token and the default configuration.
    pub fn new(token: impl Into<SecretString>) -> Result<Client, Error> {
        ClientBuilder::new().token(token).build()
    }

    /// Called by [`crate::Longlonglong`] once the builder has checked everything.
    pub(crate) fn wrap(core: voxkit_core::Client, auth: Arc<HeaderAuth>) -> Client {
        Client { core, auth }
    }

    /// The token, to scrub from decode errors.
    pub(crate) fn token(&self) -> &str {
        self.auth.secret()
    }

    #[cfg(test)]
    pub(crate) fn auth(&self) -> &HeaderAuth {
        &self.auth
    }
}
