//! 隐私与安全 (section 10 of the notes): save the account's privacy and security settings
//! (设置隐私与安全), e.g. hiding customers' phone numbers in the CRM (`disable_crm_phone`).
//!
//! The answer is not documented: kept as raw JSON. The settings' `slug`s are not documented
//! as a list either (the page shows `disable_crm_phone` with `extra.style` 1), so a slug is
//! text and its `extra` an open JSON object.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};
use voxkit_core::{Error, ExposeSecret, Operation, SecretString, check};

use crate::Client;
use crate::envelope::{Answer, Undocumented, decode};
use crate::ids::UserId;

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as};

group! {

    /// 设置隐私与安全: sets the listed settings to the values sent, an absolute value, so
    /// repeatable.
    pub(crate) SAVE_SECURITY {
        name: "save_security",
        method: POST,
        path: "agent-api/user/{user_id}/settings/save_security",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            let mut extra = serde_json::Map::new();
            extra.insert("style".into(), 1.into());
            let settings = SecuritySettings::new(
                vec![SecuritySetting::new("disable_crm_phone", extra)?],
                "123456",
            )?;
            c.save_security(&DOCS_USER.parse()?, &settings).await.map(drop)
        },
        decode: |r| decode_as::<Value>(&SAVE_SECURITY, r),
    }
}

impl Client {
    /// Saves privacy and security settings (设置隐私与安全):
    /// `POST /agent-api/user/{user_id}/settings/save_security` with
    /// `{"data": [{"slug", "extra"}], "code": "<安全码>"}`.
    ///
    /// The security code (安全码) is a secret: never in `Debug`, and redacted from any
    /// error excerpt should the server echo it. Repeatable (the settings sent are the
    /// values kept). The answer is not documented: raw JSON.
    pub async fn save_security(
        &self,
        user: &UserId,
        settings: &SecuritySettings,
    ) -> Result<Undocumented, Error> {
        let origin = SAVE_SECURITY.origin();
        let code = settings.code.expose_secret();
        let body = serde_json::json!({ "data": settings.data, "code": code });
        let op = Operation::of(&SAVE_SECURITY, &[user.as_str()])?.json(origin, &body)?;
        let token = self.token();
        let ok: Answer<Value> = self
            .core
            .execute(&op, |response| decode(origin, response, &[token, code]))
            .await?;
        Ok(Undocumented {
            message: ok.message,
            data: ok.data,
        })
    }
}

/// The body of 设置隐私与安全: the settings and the account's security code.
#[derive(Clone)]
pub struct SecuritySettings {
    data: Vec<SecuritySetting>,
    code: SecretString,
}

impl SecuritySettings {
    /// `data` (at least one setting, each slug once) and `code` (安全码, not empty).
    pub fn new(data: Vec<SecuritySetting>, code: impl Into<SecretString>) -> Result<Self, Error> {
        let origin = SAVE_SECURITY.origin();
        if data.is_empty() {
            return Err(Error::invalid_input(origin, "data: at least one setting"));
        }
        let slugs: Vec<&str> = data.iter().map(|s| s.slug.as_str()).collect();
        check::unique(origin, "data.slug", &slugs)?;
        let code = code.into();
        if code.expose_secret().trim().is_empty() {
            return Err(Error::invalid_input(
                origin,
                "code: the security code is required",
            ));
        }
        Ok(SecuritySettings { data, code })
    }

    /// The settings.
    pub fn settings(&self) -> &[SecuritySetting] {
        &self.data
    }
}

impl fmt::Debug for SecuritySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecuritySettings")
            .field("data", &self.data)
            .field("code", &"[redacted]")
            .finish()
    }
}

/// One setting: `{"slug": "disable_crm_phone", "extra": {"style": 1}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecuritySetting {
    slug: String,
    extra: Map<String, Value>,
}

impl SecuritySetting {
    /// `slug` (the setting's name: letters, digits and `_`, 1–64) and its `extra` options.
    pub fn new(slug: impl Into<String>, extra: Map<String, Value>) -> Result<Self, Error> {
        let slug = slug.into();
        check::chars(SAVE_SECURITY.origin(), "slug", &slug, 1, 64)?;
        if !slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(Error::invalid_input(
                SAVE_SECURITY.origin(),
                format!("slug {slug:?}: letters, digits and _ only"),
            ));
        }
        Ok(SecuritySetting { slug, extra })
    }

    /// The slug.
    pub fn slug(&self) -> &str {
        &self.slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_never_in_debug_and_bad_settings_are_refused() {
        let s = SecuritySettings::new(
            vec![SecuritySetting::new("disable_crm_phone", Map::new()).unwrap()],
            "SENTINEL-CODE",
        )
        .unwrap();
        assert!(!format!("{s:?}").contains("SENTINEL"));
        assert!(SecuritySettings::new(vec![], "1").is_err());
        let one = SecuritySetting::new("a", Map::new()).unwrap();
        assert!(SecuritySettings::new(vec![one.clone(), one.clone()], "1").is_err());
        assert!(SecuritySettings::new(vec![one], " ").is_err());
        assert!(SecuritySetting::new("a b", Map::new()).is_err());
    }
}
