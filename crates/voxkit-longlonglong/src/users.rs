//! End users (用户注册, `POST /users`), and the account fields an end user and a
//! sub-account share: name, email, phone and password, checked and sent the same way.

use std::fmt;

use serde::Serialize;
use serde_json::json;
use voxkit_core::reconcile::run_once_unreconcilable;
use voxkit_core::{
    Error, ExactlyOnceOutcome, ExposeSecret, Operation, Origin, SecretString, check,
};

use crate::Client;
use crate::envelope::Undocumented;

#[cfg(any(test, feature = "test-util"))]
use crate::envelope::decode_as;

/// The registration of the documentation's example (its password a placeholder).
#[cfg(any(test, feature = "test-util"))]
fn docs_user() -> NewUser {
    NewUser::new("用户1", "1@example.com", "13800000000", "placeholder-pw")
}

group! {

    /// 用户注册. Its answer is undocumented and no documented read lists end users or
    /// finds one by email, so a lost answer cannot be settled.
    pub(crate) REGISTER_USER {
        name: "register_user",
        method: POST,
        path: "users",
        idempotency: NotRepeatable,
        reconciliation: Impossible {
            why: "no documented read finds an end user (the registration answer and the \
                  account information are undocumented, and nothing lists users by email)",
        },
        example: |c| c.register_user(&docs_user()).await.map(drop),
        decode: |r| decode_as::<serde_json::Value>(&REGISTER_USER, r),
        exactly_once: |c| c.register_user_exactly_once(&docs_user()).await,
        // No read finds a user; the same registration again is refused (422, the e-mail
        // is taken) exactly when the first was applied. Sent last, so it changes nothing
        // a suite still counts.
        applied: |c| match c.register_user(&docs_user()).await {
            Ok(_) => Ok(0),
            Err(e) if e.api_code() == Some("422") => Ok(1),
            Err(e) => Err(e),
        },
    }
}

impl Client {
    /// Registers an end user (用户注册): `POST /users` — without the `/agent-api` prefix, as
    /// documented. Same field rules as [`Client::create_sub_account`]; `tenant_id` optional.
    ///
    /// The answer's fields are not documented: `data` comes back as JSON. **Not
    /// repeatable**: a lost answer is [`Error::OutcomeUnknown`], and nothing documented can
    /// tell afterwards whether the user was registered.
    pub async fn register_user(&self, user: &NewUser) -> Result<Registration, Error> {
        let origin = REGISTER_USER.origin();
        user.account.check(origin)?;
        if let Some(tenant) = &user.tenant_id {
            check::token(origin, "tenant_id", tenant, 255)?;
        }
        let op = Operation::of(&REGISTER_USER, &[])?.json(origin, &user.body())?;
        self.undocumented(&REGISTER_USER, &op).await
    }
}

/// The answer to 用户注册 (`POST /users`). Its fields are **not documented**; the `data` is
/// kept as sent.
pub type Registration = Undocumented;

/// A new end user (用户注册, `POST /users`): `name`, `email`, `phone` (sent as a string),
/// the password (sent as `password` and `password_confirmation`, never printed) and the
/// optional `tenant_id` (云节点id; "不填加入系统默认云节点", left out joins the default cloud
/// node).
#[derive(Clone, Debug)]
pub struct NewUser {
    account: AccountFields,
    tenant_id: Option<String>,
}

impl NewUser {
    /// The required fields.
    pub fn new(
        name: impl Into<String>,
        email: impl Into<String>,
        phone: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        NewUser {
            account: AccountFields::new(name.into(), email.into(), phone.into(), password.into()),
            tenant_id: None,
        }
    }

    /// `tenant_id`: the cloud node (云节点) to join; without it the system default.
    pub fn tenant_id(mut self, tenant_id: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant_id.into());
        self
    }

    fn body(&self) -> UserBody<'_> {
        UserBody {
            account: self.account.wire(),
            tenant_id: self.tenant_id.as_deref(),
        }
    }
}

/// The wire form of [`NewUser`].
#[derive(Serialize)]
struct UserBody<'a> {
    #[serde(flatten)]
    account: AccountWire<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant_id: Option<&'a str>,
}

/// What a sub-account and an end user both need: name, email, phone and the password,
/// checked the same way and sent as the same five JSON fields.
#[derive(Clone)]
pub(crate) struct AccountFields {
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    password: SecretString,
}

impl AccountFields {
    pub(crate) fn new(name: String, email: String, phone: String, password: SecretString) -> Self {
        AccountFields {
            name,
            email,
            phone,
            password,
        }
    }

    /// Refuses, before anything is sent, an empty name or password, an email without one
    /// `@` between two non-empty parts or with spaces, a phone that is not 1–20 digits.
    /// The messages never echo a value.
    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid_input(origin, "name must not be empty"));
        }
        check::email(origin, "email", &self.email)?;
        check::digits(origin, "phone", &self.phone, 1, 20)?;
        if self.password.expose_secret().is_empty() {
            return Err(Error::invalid_input(origin, "password must not be empty"));
        }
        Ok(())
    }

    /// The five fields in the documented order, the password sent twice.
    pub(crate) fn wire(&self) -> AccountWire<'_> {
        let password = self.password.expose_secret();
        AccountWire {
            name: &self.name,
            email: &self.email,
            phone: &self.phone,
            password,
            password_confirmation: password,
        }
    }
}

impl fmt::Debug for AccountFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountFields")
            .field("name", &self.name)
            .field("email", &self.email)
            .field("phone", &self.phone)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// The wire form of [`AccountFields`].
#[derive(Serialize)]
pub(crate) struct AccountWire<'a> {
    name: &'a str,
    email: &'a str,
    phone: &'a str,
    password: &'a str,
    password_confirmation: &'a str,
}

impl Client {
    /// [`Client::register_user`] with the exactly-once calls' typed outcome, for callers
    /// (a batch, the journal) that treat every non-repeatable operation alike: sent
    /// **once**, never re-sent. An answer is [`ExactlyOnceOutcome::Applied`]; a lost answer
    /// is [`ExactlyOnceOutcome::Undetermined`] at once, with the declaration's reason: no
    /// documented read finds an end user, so nothing can prove the registration applied or
    /// not, and sending it again could register the user twice. A person must look
    /// (the provider's console) before registering again.
    ///
    /// Offered rather than left out so that "cannot be reconciled" is an answer the caller
    /// handles in the same `match` as the others, not a plain error to recognise.
    pub async fn register_user_exactly_once(
        &self,
        user: &NewUser,
    ) -> Result<ExactlyOnceOutcome, Error> {
        run_once_unreconcilable(&REGISTER_USER, || async {
            let registered = self.register_user(user).await?;
            // Only the id: the answer is undocumented and could hold a credential.
            let id = registered.data.get("id").cloned();
            Ok(json!({ "message": registered.message, "id": id }))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_field_rules() {
        let o = REGISTER_USER.origin();
        let fields = |name: &str, email: &str, phone: &str, pw: &str| {
            AccountFields::new(name.into(), email.into(), phone.into(), pw.into())
        };
        assert!(fields("n", "a@b", "123", "p").check(o).is_ok());
        for (name, email, phone) in [
            (" ", "a@b", "1"),
            ("n", "ab", "1"),
            ("n", "@b", "1"),
            ("n", "a@", "1"),
            ("n", "a @b", "1"),
            ("n", "a@b@c", "1"),
            ("n", "a@b", ""),
            ("n", "a@b", "12a"),
            ("n", "a@b", "+8612"),
            ("n", "a@b", "123456789012345678901"),
        ] {
            assert!(
                fields(name, email, phone, "p").check(o).is_err(),
                "{name:?} {email:?} {phone:?}"
            );
        }
        assert!(fields("n", "a@b", "1", "").check(o).is_err());
    }

    #[test]
    fn a_user_body_carries_the_password_twice_and_the_tenant_when_given() {
        let user = NewUser::new("n", "e@x", "1", "SENTINEL");
        let body = serde_json::to_value(user.body()).unwrap();
        assert_eq!(body["password_confirmation"], "SENTINEL");
        assert!(body.get("tenant_id").is_none(), "{body}");
        assert!(!format!("{user:?}").contains("SENTINEL"));
    }
}
