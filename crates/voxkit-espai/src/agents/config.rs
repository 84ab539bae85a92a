//! An agent's configuration ([`AgentConfig`], `config`, 设备配置): the keys of the
//! documentation's examples typed, their service settings ([`ServiceConfig`]) with the
//! secret keys hidden, every other key kept and sent back as it came (a JSON string on the
//! wire).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::{Map, Value};
use voxkit_core::{ExposeSecret, SecretString};

/// `config` as the agent answers carry it: a JSON string (empty: none) or an object.
pub(crate) fn opt_config<'de, D: Deserializer<'de>>(d: D) -> Result<Option<AgentConfig>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => AgentConfig::from_json(&s)
            .map(Some)
            .map_err(|e| de::Error::custom(format_args!("config is not a JSON object: {e}"))),
        Some(v @ Value::Object(_)) => AgentConfig::from_value(v)
            .map(Some)
            .map_err(de::Error::custom),
        Some(_) => Err(de::Error::custom(
            "config is neither a JSON string nor an object",
        )),
    }
}

/// An agent's configuration (`config`, 设备配置): the keys of the documentation's examples
/// typed, every other key kept in [`AgentConfig::other`] and sent back as it came.
///
/// Each service's `api_key` is a secret ([`ServiceConfig::api_key`]); `Debug` shows
/// neither it nor the values of [`AgentConfig::other`].
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct AgentConfig {
    /// `iat_server`: the speech-recognition plugin (e.g. `esp-ai-asr-volcengine`).
    pub iat_server: Option<String>,
    /// `iat_config`: its settings (`api_key`, `clusterId`).
    pub iat_config: Option<ServiceConfig>,
    /// `tts_server`: the speech plugin.
    pub tts_server: Option<String>,
    /// `tts_config`: its settings (`api_key`, `voice_type`).
    pub tts_config: Option<ServiceConfig>,
    /// `llm_server`: the language-model plugin.
    pub llm_server: Option<String>,
    /// `llm_config`: its settings (`api_key`, `epId`).
    pub llm_config: Option<ServiceConfig>,
    /// `llm_init_messages`: the opening messages (`{content, id, role}` each, kept as
    /// sent).
    pub llm_init_messages: Option<Vec<Value>>,
    /// `connected_reply`: what the device says once connected.
    pub connected_reply: Option<String>,
    /// Every other key, as sent (the escape hatch for keys the docs do not name).
    pub other: Map<String, Value>,
}

/// One service's settings inside [`AgentConfig`]: its `api_key` (a secret) and the rest.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct ServiceConfig {
    /// `api_key`: the service's key. A secret.
    pub api_key: Option<SecretString>,
    /// Every other key (`clusterId`, `voice_type`, `epId`, ...), as sent.
    pub other: Map<String, Value>,
}

impl ServiceConfig {
    /// Settings with this key and nothing else.
    pub fn with_key(api_key: impl Into<SecretString>) -> Self {
        ServiceConfig {
            api_key: Some(api_key.into()),
            other: Map::new(),
        }
    }

    /// Sets another key (`voice_type`, `epId`, ...).
    pub fn set(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.other.insert(key.into(), value.into());
        self
    }

    fn from_value(value: Value) -> Result<Self, String> {
        let Value::Object(mut map) = value else {
            return Err("a service config is not an object".into());
        };
        let api_key = match map.remove("api_key") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(SecretString::from(s)),
            Some(_) => return Err("a service api_key is not a string".into()),
        };
        Ok(ServiceConfig {
            api_key,
            other: map,
        })
    }

    fn to_value(&self) -> Value {
        let mut map = self.other.clone();
        if let Some(key) = &self.api_key {
            map.insert("api_key".into(), key.expose_secret().into());
        }
        Value::Object(map)
    }
}

impl fmt::Debug for ServiceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceConfig")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("other", &self.other.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl fmt::Debug for AgentConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentConfig")
            .field("iat_server", &self.iat_server)
            .field("iat_config", &self.iat_config)
            .field("tts_server", &self.tts_server)
            .field("tts_config", &self.tts_config)
            .field("llm_server", &self.llm_server)
            .field("llm_config", &self.llm_config)
            .field(
                "llm_init_messages",
                &self.llm_init_messages.as_ref().map(Vec::len),
            )
            .field("connected_reply", &self.connected_reply)
            .field("other", &self.other.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl AgentConfig {
    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `connected_reply`.
    pub fn connected_reply(mut self, reply: impl Into<String>) -> Self {
        self.connected_reply = Some(reply.into());
        self
    }

    /// Sets the speech-recognition plugin and its settings.
    pub fn iat(mut self, server: impl Into<String>, config: ServiceConfig) -> Self {
        self.iat_server = Some(server.into());
        self.iat_config = Some(config);
        self
    }

    /// Sets the speech plugin and its settings.
    pub fn tts(mut self, server: impl Into<String>, config: ServiceConfig) -> Self {
        self.tts_server = Some(server.into());
        self.tts_config = Some(config);
        self
    }

    /// Sets the language-model plugin and its settings.
    pub fn llm(mut self, server: impl Into<String>, config: ServiceConfig) -> Self {
        self.llm_server = Some(server.into());
        self.llm_config = Some(config);
        self
    }

    /// Sets another key, kept in [`AgentConfig::other`].
    pub fn set(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.other.insert(key.into(), value.into());
        self
    }

    /// The configuration of a JSON text (the wire's `config` string).
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        Self::from_value(value)
    }

    fn from_value(value: Value) -> Result<Self, String> {
        let Value::Object(mut map) = value else {
            return Err("not an object".into());
        };
        let text = |map: &mut Map<String, Value>, key: &str| match map.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("{key} is not a string")),
        };
        let service = |map: &mut Map<String, Value>, key: &str| match map.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => ServiceConfig::from_value(v).map(Some),
        };
        Ok(AgentConfig {
            iat_server: text(&mut map, "iat_server")?,
            iat_config: service(&mut map, "iat_config")?,
            tts_server: text(&mut map, "tts_server")?,
            tts_config: service(&mut map, "tts_config")?,
            llm_server: text(&mut map, "llm_server")?,
            llm_config: service(&mut map, "llm_config")?,
            llm_init_messages: match map.remove("llm_init_messages") {
                None | Some(Value::Null) => None,
                Some(Value::Array(items)) => Some(items),
                Some(_) => return Err("llm_init_messages is not an array".into()),
            },
            connected_reply: text(&mut map, "connected_reply")?,
            other: map,
        })
    }

    /// The configuration as a JSON value, secrets included (what is sent).
    pub fn to_value(&self) -> Value {
        let mut map = self.other.clone();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                map.insert(key.into(), value);
            }
        };
        put("iat_server", self.iat_server.clone().map(Value::from));
        put(
            "iat_config",
            self.iat_config.as_ref().map(ServiceConfig::to_value),
        );
        put("tts_server", self.tts_server.clone().map(Value::from));
        put(
            "tts_config",
            self.tts_config.as_ref().map(ServiceConfig::to_value),
        );
        put("llm_server", self.llm_server.clone().map(Value::from));
        put(
            "llm_config",
            self.llm_config.as_ref().map(ServiceConfig::to_value),
        );
        put(
            "llm_init_messages",
            self.llm_init_messages.clone().map(Value::Array),
        );
        put(
            "connected_reply",
            self.connected_reply.clone().map(Value::from),
        );
        Value::Object(map)
    }

    /// The `config` string sent on the wire (`JSON.stringify` of [`AgentConfig::to_value`]).
    pub fn to_wire_string(&self) -> String {
        self.to_value().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_round_trips_and_hides_keys() {
        let text = r#"{"iat_server":"esp-ai-asr-volcengine","iat_config":{"api_key":"SENTINEL-1","clusterId":"c"},"llm_init_messages":[{"content":"hi","id":1,"role":"system"}],"connected_reply":"服务连接成功。","future_key":42}"#;
        let config = AgentConfig::from_json(text).unwrap();
        assert_eq!(config.other.get("future_key"), Some(&Value::from(42)));
        assert_eq!(
            config.iat_config.as_ref().unwrap().other.get("clusterId"),
            Some(&Value::from("c"))
        );
        let back: Value = serde_json::from_str(&config.to_wire_string()).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(text).unwrap());
        assert!(!format!("{config:?}").contains("SENTINEL"));
    }
}
