//! A toy provider built only from core's shared mechanisms, as a provider crate will be:
//! a [`Provider`] description, `Builder<Toy>` as its builder, two operation groups
//! declared with [`operations!`](crate::operations) and joined by
//! [`operation_list!`](crate::operation_list), requests built with [`Operation::of`],
//! answers decoded by one [`EnvelopeFormat`], and the test hooks iterated the way the
//! fault matrix and the fuzz targets will iterate them.

use std::sync::Arc;

use reqwest::header::AUTHORIZATION;
use serde::de::IgnoredAny;

use crate::auth::{Clock, ExposeSecret, HeaderAuth};
use crate::client::Client;
use crate::error::{Error, Origin};
use crate::operation::Operation;
use crate::provider::{Builder, EnvVars, KeyAndSecret, NoOptions, Provider, SkewCorrection, Token};
use crate::transport::HttpResponse;
use crate::wire::{EnvelopeFormat, PayloadAt, Success};

/// The toy's envelope: longlonglong's shape.
const ENVELOPE: EnvelopeFormat = EnvelopeFormat::new(
    Success::Code(|c| c == "200"),
    &["code"],
    &["message"],
    PayloadAt::Field("data"),
);

struct Toy;

#[derive(Clone, Debug)]
struct ToyClient {
    core: Client,
}

impl Provider for Toy {
    const NAME: &'static str = "toy";
    const DEFAULT_BASE_URL: &'static str = "https://api.toy.invalid";
    const ENV: EnvVars = EnvVars {
        base_url: "TOY_BASE_URL",
        credentials: &["TOY_TOKEN"],
    };
    const INDETERMINATE_CODES: &'static [&'static str] = &["500"];
    type Credentials = Token;
    type Options = NoOptions;
    type Auth = HeaderAuth;
    type Client = ToyClient;

    /// The bearer token in `Authorization`, as longlonglong sends it: core's one
    /// header auth, the same the real providers use.
    fn auth(
        credentials: Token,
        origin: Origin,
        _: &Arc<dyn Clock>,
        _: &NoOptions,
    ) -> Result<HeaderAuth, Error> {
        HeaderAuth::new(origin, "token", AUTHORIZATION, "Bearer ", credentials.token)
    }

    fn client(core: Client, _: Arc<HeaderAuth>, _: NoOptions) -> ToyClient {
        ToyClient { core }
    }
}

type ToyBuilder = Builder<Toy>;

crate::client_constructors! {
    /// A toy client configured from `TOY_TOKEN` and, if set, `TOY_BASE_URL`.
    ToyClient for Toy, core: core
}

impl ToyClient {
    async fn send<T: serde::de::DeserializeOwned>(&self, op: Operation) -> Result<T, Error> {
        let origin = self.core.origin(op.name());
        self.core
            .execute(&op, |r| {
                ENVELOPE.decode::<T>(origin, r, &[]).map(|d| d.payload)
            })
            .await
    }

    async fn recharge(&self, user: &str, amount: u64, remark: &str) -> Result<(), Error> {
        let op = Operation::of(&balance::RECHARGE, &[user])?.json(
            balance::RECHARGE.origin(),
            &serde_json::json!({"amount": amount, "remark": remark}),
        )?;
        self.send::<IgnoredAny>(op).await.map(drop)
    }

    async fn history(&self, user: &str) -> Result<Vec<serde_json::Value>, Error> {
        self.send(Operation::of(&balance::HISTORY, &[user])?).await
    }

    async fn delete_sub(&self, user: &str, sub: &str) -> Result<(), Error> {
        self.send::<IgnoredAny>(Operation::of(&subs::DELETE_SUB, &[user, sub])?)
            .await
            .map(drop)
    }

    async fn subs(&self, user: &str) -> Result<Vec<serde_json::Value>, Error> {
        self.send(Operation::of(&subs::SUBS, &[user])?).await
    }
}

fn decode_with<T: serde::de::DeserializeOwned>(
    spec: &'static crate::OperationSpec,
    r: &HttpResponse,
) -> Result<(), Error> {
    ENVELOPE.decode::<T>(spec.origin(), r, &[]).map(drop)
}

mod balance {
    use super::*;

    crate::operations! {
        provider = "toy";
        client = ToyClient;
        headers = [("accept", "application/json")];
        /// The balance group.
        pub list LIST;
        /// Its hooks.
        pub hooks HOOKS;

        /// Moves money.
        pub RECHARGE {
            name: "recharge",
            method: PUT,
            path: "agent-api/user/{user}/recharge",
            idempotency: NotRepeatable,
            reconciliation: ByMarker { field: "remark", found_by: "history" },
            example: |c| c.recharge("5433b412", 100, "order-8123").await,
            decode: |r| decode_with::<IgnoredAny>(&RECHARGE, r),
        }

        /// Reads the history.
        pub HISTORY {
            name: "history",
            method: GET,
            path: "agent-api/user/{user}/bill_recharge_record",
            idempotency: Repeatable,
            reconciliation: NotNeeded,
            example: |c| c.history("5433b412").await.map(drop),
            decode: |r| decode_with::<Vec<serde_json::Value>>(&HISTORY, r),
        }
    }
}

mod subs {
    use super::*;

    crate::operations! {
        provider = "toy";
        client = ToyClient;
        headers = [];
        /// The sub-account group.
        pub list LIST;
        /// Its hooks.
        pub hooks HOOKS;

        /// Deletes a sub-account.
        pub DELETE_SUB {
            name: "delete_sub",
            method: DELETE,
            path: "agent-api/user/{user}/subset_users/{sub}",
            idempotency: NotRepeatable,
            reconciliation: ByReadBack { read: "subs", how: "the sub-account is gone" },
            example: |c| c.delete_sub("5433b412", "91f9254f").await,
            decode: |r| decode_with::<IgnoredAny>(&DELETE_SUB, r),
        }

        /// Lists sub-accounts.
        pub SUBS {
            name: "subs",
            method: GET,
            path: "agent-api/user/{user}/subset_users",
            idempotency: Repeatable,
            reconciliation: NotNeeded,
            example: |c| c.subs("5433b412").await.map(drop),
            decode: |r| decode_with::<Vec<serde_json::Value>>(&SUBS, r),
        }
    }
}

crate::operation_list! {
    /// Every operation of the toy, from its groups.
    OPERATIONS = [balance::LIST, subs::LIST];
}

crate::test_hooks_list! {
    /// Every operation's test hooks.
    HOOKS: ToyClient = [balance::HOOKS, subs::HOOKS];
}

/// A second toy with a key and a secret and an option of its own.
struct Signed;

#[derive(Clone, Debug)]
struct SignedClient {
    skew_correction: bool,
}

impl Provider for Signed {
    const NAME: &'static str = "signed";
    const DEFAULT_BASE_URL: &'static str = "https://api.signed.invalid";
    const ENV: EnvVars = EnvVars {
        base_url: "SIGNED_BASE_URL",
        credentials: &["SIGNED_KEY", "SIGNED_SECRET"],
    };
    type Credentials = KeyAndSecret;
    type Options = SkewCorrection;
    type Auth = crate::NoAuth;
    type Client = SignedClient;

    fn auth(
        credentials: KeyAndSecret,
        _: Origin,
        _: &Arc<dyn Clock>,
        _: &SkewCorrection,
    ) -> Result<crate::NoAuth, Error> {
        assert_eq!(credentials.key.expose_secret(), "k");
        assert_eq!(credentials.secret.expose_secret(), "s");
        Ok(crate::NoAuth)
    }

    fn client(_: Client, _: Arc<crate::NoAuth>, options: SkewCorrection) -> SignedClient {
        SignedClient {
            skew_correction: options.enabled,
        }
    }
}

#[cfg(test)]
mod tests {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::Idempotency;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    /// What `client_constructors!` writes: `builder()` is the provider's builder, `core()`
    /// the built core client, `from_env()` the builder's environment rules (no `TOY_TOKEN`
    /// in the process: refused, naming it).
    #[test]
    fn the_shared_constructors_follow_the_description() {
        let client = ToyClient::builder()
            .token("tok")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        assert_eq!(client.core().base_url().as_str(), "http://127.0.0.1:9/");
        let err = ToyClient::from_env().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(err.to_string().contains("TOY_TOKEN"), "{err}");
    }

    #[test]
    fn the_operation_list_is_the_groups_declarations() {
        let names: Vec<&str> = OPERATIONS.iter().map(|s| s.name).collect();
        assert_eq!(names, ["recharge", "history", "delete_sub", "subs"]);
        assert!(std::ptr::eq(OPERATIONS[0], &balance::RECHARGE));
        let money: Vec<&str> = OPERATIONS
            .iter()
            .filter(|s| !s.is_repeatable())
            .map(|s| s.name)
            .collect();
        assert_eq!(money, ["recharge", "delete_sub"]);
        assert_eq!(balance::RECHARGE.reconciliation.read(), Some("history"));
        assert_eq!(subs::DELETE_SUB.params, 2);
        let hooked: Vec<&str> = HOOKS.iter().map(|h| h.spec.name).collect();
        assert_eq!(hooked, names, "every operation has its hooks");
    }

    #[tokio::test]
    async fn requests_are_built_from_the_declarations() {
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .and(path("/agent-api/user/u%2F1/recharge"))
            .and(header("accept", "application/json"))
            .and(header("authorization", "Bearer tok"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"code":200,"data":[]}"#))
            .expect(1)
            .mount(&server)
            .await;
        let client = ToyBuilder::new()
            .token(" tok\n")
            .base_url(server.uri())
            .build()
            .unwrap();
        client.recharge("u/1", 5, "r").await.unwrap();
        let sent = &server.received_requests().await.unwrap()[0];
        assert_eq!(sent.body, br#"{"amount":5,"remark":"r"}"#);
        assert_eq!(
            Operation::of(&subs::DELETE_SUB, &["a", "b"])
                .unwrap()
                .path()
                .as_str(),
            "/agent-api/user/a/subset_users/b"
        );
    }

    #[tokio::test]
    async fn every_declared_example_runs_and_every_decoder_decodes() {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"code":200,"data":[]}"#))
            .mount(&server)
            .await;
        let client = ToyBuilder::new()
            .token("tok")
            .base_url(server.uri())
            .retry_policy(crate::RetryPolicy::none())
            .build()
            .unwrap();
        for hooks in HOOKS {
            (hooks.example)(&client).await.unwrap();
            hooks
                .decode_body(200, br#"{"code":200,"data":[]}"#)
                .unwrap();
            let err = hooks
                .decode_body(200, br#"{"code":10004,"message":"no"}"#)
                .unwrap_err();
            assert_eq!(err.api_code(), Some("10004"), "{}", hooks.spec.name);
            assert!(matches!(
                hooks.decode_body(502, b"<html>"),
                Err(Error::Decode { .. })
            ));
        }
        let requests = server.received_requests().await.unwrap();
        let seen: Vec<(String, String)> = requests
            .iter()
            .map(|r| (r.method.to_string(), r.url.path().to_owned()))
            .collect();
        assert_eq!(
            seen,
            [
                ("PUT", "/agent-api/user/5433b412/recharge"),
                ("GET", "/agent-api/user/5433b412/bill_recharge_record"),
                ("DELETE", "/agent-api/user/5433b412/subset_users/91f9254f"),
                ("GET", "/agent-api/user/5433b412/subset_users"),
            ]
            .map(|(m, p)| (m.to_owned(), p.to_owned()))
        );
        assert_eq!(
            crate::declare::hooks_of(HOOKS, "subs").map(|h| h.spec.idempotency),
            Some(Idempotency::Repeatable)
        );
    }

    #[tokio::test]
    async fn the_indeterminate_codes_of_the_description_reach_the_client() {
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .respond_with(
                ResponseTemplate::new(200).set_body_string(r#"{"code":500,"message":"系统错误"}"#),
            )
            .mount(&server)
            .await;
        let client = ToyBuilder::new()
            .token("tok")
            .base_url(server.uri())
            .build()
            .unwrap();
        let err = client.recharge("u", 1, "r").await.unwrap_err();
        assert!(err.outcome_unknown(), "{err:?}");
    }

    #[test]
    fn credentials_from_the_environment_are_trimmed_checked_and_never_shown() {
        let client = ToyBuilder::new()
            .from_lookup(lookup(&[
                ("TOY_TOKEN", " SENTINEL-TOKEN\n"),
                ("TOY_BASE_URL", "http://127.0.0.1:9 "),
            ]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.core.base_url().as_str(), "http://127.0.0.1:9/");
        let client = ToyBuilder::new()
            .from_lookup(lookup(&[("TOY_TOKEN", "t"), ("TOY_BASE_URL", "")]))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.core.base_url().as_str(), "https://api.toy.invalid/");
        for (value, why) in [
            (None, "is not set"),
            (Some("  "), "is not set"),
            (Some("SENTINEL TOKEN"), "whitespace"),
            (Some("SENTINEL\u{7}TOKEN"), "control"),
        ] {
            let pairs: &'static [(&str, &str)] = match value {
                None => &[],
                Some(v) => Box::leak(Box::new([("TOY_TOKEN", v)])),
            };
            let err = ToyBuilder::new().from_lookup(lookup(pairs)).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(matches!(err, Error::Config { .. }));
            assert!(
                shown.contains("TOY_TOKEN") && shown.contains(why),
                "{shown}"
            );
            assert!(!shown.contains("SENTINEL"), "{shown}");
        }
    }

    #[test]
    fn builder_rules_and_debug() {
        let err = ToyBuilder::new().build().unwrap_err();
        assert!(err.to_string().contains("no token"), "{err}");
        for bad in ["", "SENTINEL\nX"] {
            let err = ToyBuilder::new().token(bad).build().unwrap_err();
            assert!(matches!(err, Error::Config { .. }));
            assert!(!format!("{err} {err:?}").contains("SENTINEL"));
        }
        let builder = ToyBuilder::new().token("SENTINEL-TOKEN");
        assert!(!format!("{builder:?}").contains("SENTINEL"), "{builder:?}");
        assert!(format!("{builder:?}").contains("[redacted]"));
    }

    #[test]
    fn key_and_secret_and_a_provider_option() {
        let client = Builder::<Signed>::new()
            .credentials("k", "s")
            .build()
            .unwrap();
        assert!(client.skew_correction, "on by default");
        let client = Builder::<Signed>::new()
            .credentials("k", "s")
            .skew_correction(false)
            .build()
            .unwrap();
        assert!(!client.skew_correction);
        let client = Builder::<Signed>::new()
            .from_lookup(lookup(&[("SIGNED_KEY", "k"), ("SIGNED_SECRET", "s")]))
            .unwrap()
            .options(|o| o.enabled = false)
            .build()
            .unwrap();
        assert!(!client.skew_correction);
        let err = Builder::<Signed>::new()
            .from_lookup(lookup(&[("SIGNED_KEY", "k")]))
            .unwrap_err();
        assert!(err.to_string().contains("SIGNED_SECRET"), "{err}");
        let err = Builder::<Signed>::new().build().unwrap_err();
        assert!(err.to_string().contains("no credentials"), "{err}");
        let err = Builder::<Signed>::new()
            .credentials("k", " ")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("API secret"), "{err}");
    }
}
