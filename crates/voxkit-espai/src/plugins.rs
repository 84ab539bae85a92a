//! 插件配置: the third-party plugins for one kind of service (documentation section
//! 插件配置接口, D1). The wire path is the provider's spelling, `pulgin/select`; the API
//! says plugins ([`Client::plugins`]).

use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use voxkit_core::{Error, Page, PayloadAt, lenient};

use crate::Client;
use crate::field_decoders::opt_millis;

operations! {
    /// 查询第三方插件配置 (D1), at the provider's `pulgin/select` (sic).
    pub(crate) LIST_PLUGINS {
        name: "list_plugins",
        method: POST,
        path: "pulgin/select",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.plugins(PluginType::Llm).await.map(drop),
        decode: |r| crate::envelope::decode_as::<PluginList>(&LIST_PLUGINS, PayloadAt::Rest, r),
    }
}

impl Client {
    /// The plugins of one type: `POST /pulgin/select` (查询第三方插件配置; the path's
    /// spelling is the provider's), operation `list_plugins`. Sends `{"type": "LLM"}`.
    /// Repeatable. The page's [`total`](Page::total) is `totalNumber`.
    pub async fn plugins(&self, plugin_type: PluginType) -> Result<PluginPage, Error> {
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(rename = "type")]
            plugin_type: &'a str,
        }
        let body = Body {
            plugin_type: plugin_type.code(),
        };
        let list: PluginList = self
            .post(&LIST_PLUGINS, &body, PayloadAt::Rest)
            .await?
            .payload;
        Ok(Page::new(list.data).total(list.total))
    }
}

/// A plugin type (`type`: "LLM：大语言模型，TTS：语音发声，IAT：语音识别"; answers also show
/// `MUSIC_SERVER`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PluginType {
    /// `LLM`: 大语言模型.
    Llm,
    /// `TTS`: 语音发声.
    Tts,
    /// `IAT`: 语音识别.
    Iat,
    /// `MUSIC_SERVER` (in answers only).
    MusicServer,
    /// Any other code, as sent.
    Unknown(String),
}

impl PluginType {
    /// The wire code.
    pub fn code(&self) -> &str {
        match self {
            PluginType::Llm => "LLM",
            PluginType::Tts => "TTS",
            PluginType::Iat => "IAT",
            PluginType::MusicServer => "MUSIC_SERVER",
            PluginType::Unknown(raw) => raw,
        }
    }

    /// The type of a wire code (case as sent; `llm` is not `LLM`).
    pub fn from_code(code: &str) -> PluginType {
        match code {
            "LLM" => PluginType::Llm,
            "TTS" => PluginType::Tts,
            "IAT" => PluginType::Iat,
            "MUSIC_SERVER" => PluginType::MusicServer,
            other => PluginType::Unknown(other.to_owned()),
        }
    }
}

impl fmt::Display for PluginType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A plugin's review state (`status`: "0：审核中，1：审核通过，2：审核不通过").
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReviewStatus {
    /// `0`: 审核中.
    Pending,
    /// `1`: 审核通过.
    Approved,
    /// `2`: 审核不通过.
    Rejected,
    /// Any other code, as sent.
    Unknown(String),
}

fn opt_status<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ReviewStatus>, D::Error> {
    Ok(lenient::opt_text(d)?.map(|s| match s.trim() {
        "0" => ReviewStatus::Pending,
        "1" => ReviewStatus::Approved,
        "2" => ReviewStatus::Rejected,
        other => ReviewStatus::Unknown(other.to_owned()),
    }))
}

fn opt_type<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PluginType>, D::Error> {
    Ok(lenient::opt_text(d)?.map(|s| PluginType::from_code(&s)))
}

fn tags<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(lenient::opt_text(d)?
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default())
}

fn opt_json_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        // A JSON string: decoded when it is JSON, kept as the text otherwise.
        Some(Value::String(s)) => Some(serde_json::from_str(&s).unwrap_or(Value::String(s))),
        Some(other) => Some(other),
    })
}

/// A third-party plugin as `pulgin/select` returns it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Plugin {
    /// `id`.
    pub id: String,
    /// `name`: the npm package name, e.g. `esp-ai-llm-volcengine`.
    #[serde(default)]
    pub name: Option<String>,
    /// `desc`.
    #[serde(default)]
    pub desc: Option<String>,
    /// `type`.
    #[serde(rename = "type", default, deserialize_with = "opt_type")]
    pub plugin_type: Option<PluginType>,
    /// `status`: the review state.
    #[serde(default, deserialize_with = "opt_status")]
    pub status: Option<ReviewStatus>,
    /// `tag`: "0：官方插件，1：精选插件，2：人气插件", comma-joined on the wire, split here.
    #[serde(rename = "tag", default, deserialize_with = "tags")]
    pub tags: Vec<String>,
    /// `label`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub label: Option<String>,
    /// `star`.
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub star: Option<i64>,
    /// `npm_url`.
    #[serde(default)]
    pub npm_url: Option<String>,
    /// `github_url`.
    #[serde(default)]
    pub github_url: Option<String>,
    /// `websit_url` (sic on the wire).
    #[serde(rename = "websit_url", default)]
    pub website_url: Option<String>,
    /// `config`: the plugin's config fields, a JSON string on the wire, decoded here
    /// (kept as text when it is not JSON).
    #[serde(default, deserialize_with = "opt_json_text")]
    pub config: Option<Value>,
    /// `unpass_desc`: why the review failed (the docs describe it as "凝忆晶胞", a
    /// copy-paste slip).
    #[serde(default)]
    pub unpass_desc: Option<String>,
    /// `user_id`: the author.
    #[serde(default)]
    pub user_id: Option<String>,
    /// `create_time`.
    #[serde(default, deserialize_with = "opt_millis")]
    pub create_time: Option<SystemTime>,
    /// `update_time`.
    #[serde(default, deserialize_with = "opt_millis")]
    pub update_time: Option<SystemTime>,
}

/// One page of plugins.
pub type PluginPage = Page<Plugin>;

#[derive(Deserialize)]
struct PluginList {
    #[serde(default, deserialize_with = "lenient::null_as_empty")]
    data: Vec<Plugin>,
    #[serde(rename = "totalNumber", default, deserialize_with = "lenient::opt_u64")]
    total: Option<u64>,
}
