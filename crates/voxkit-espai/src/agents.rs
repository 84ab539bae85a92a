//! 超体 (agents, "equipment"): list, add, update and delete the agents that run on ESP-AI
//! devices (documentation section 超体管理接口). These four operations live on the agent
//! host ([`crate::DEFAULT_AGENT_BASE_URL`], `api.espai2.fun` in the current docs), not on
//! the base URL: [`Client::agent_core`].
//!
//! An agent's `api_key` (the key its devices and the device channel use) is a secret: a
//! [`SecretString`], never shown by `Debug`. Its `config` is a JSON **string** on the wire
//! ("注意这里要给字符串") and an [`AgentConfig`] here, whose service keys are secrets too and
//! whose unknown keys are kept ([`AgentConfig::other`]).

use std::time::SystemTime;

use futures_util::stream::BoxStream;
#[cfg(any(test, feature = "test-util"))]
use serde::de::IgnoredAny;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use voxkit_core::{Decoded, Error, Origin, Page, PayloadAt, SecretString, check, lenient};

mod config;
mod exactly_once;
use config::opt_config;
pub use config::{AgentConfig, ServiceConfig};
pub use exactly_once::{AGENT_NAME_MAX_CHARS, marked_agent_name};

use crate::field_decoders::opt_millis;
#[cfg(any(test, feature = "test-util"))]
use crate::listing::List;
use crate::listing::{PagedQuery, default_paging, insert_page, option_setters};
use crate::{Client, checks};

/// The documented default node an agent starts on (`server_id`, "默认填:
/// 0aadd1d790cf410892fb9459d5d5cb74").
pub const DEFAULT_SERVER_ID: &str = "0aadd1d790cf410892fb9459d5d5cb74";

operations! {
    /// 查询超体列表: the agents of the account (B1).
    pub(crate) LIST_AGENTS {
        name: "list_agents",
        method: POST,
        path: "equipment/list",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.list_agents(&AgentFilter::new().page(1).limit(10)).await.map(drop),
        decode: |r| crate::envelope::decode_as::<List<Agent>>(&LIST_AGENTS, PayloadAt::Rest, r),
    }

    /// 添加超体 (B2): creates an agent, with its own `api_key`, on a quota card. Two sends
    /// would make two agents.
    pub(crate) ADD_AGENT {
        name: "add_agent",
        method: POST,
        path: "equipment/add",
        idempotency: NotRepeatable,
        reconciliation: ByMarker { field: "name", found_by: "list_agents" },
        example: |c| c.add_agent(&docs_agent("琳琅1")).await.map(drop),
        decode: |r| crate::envelope::decode_as::<Agent>(&ADD_AGENT, PayloadAt::Field("data"), r),
        exactly_once: |c| {
            let name = crate::marked_agent_name("琳琅1", &voxkit_core::Marker::generate());
            c.add_agent_exactly_once(&docs_agent(&name), &voxkit_core::test_util::FAST_RECONCILE).await
        },
        // Named `琳琅1`, alone or followed by the marker; the seed has none.
        applied: |c| {
            let agents = c.list_agents(&AgentFilter::new()).await?.items;
            let named = |n: &str| n == "琳琅1" || n.starts_with("琳琅1 ");
            Ok(agents.iter().filter(|a| a.name.as_deref().is_some_and(named)).count())
        },
    }

    /// 更新超体 (B3): sets the given fields to the given values, so sending it twice
    /// changes nothing more.
    pub(crate) UPDATE_AGENT {
        name: "update_agent",
        method: POST,
        path: "equipment/update",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            let update = AgentUpdate::new("679f9af935e047639ddb98f35e103e8f")
                .name("琳琅")
                .config(AgentConfig::new().connected_reply("服务连接成功。"));
            c.update_agent(&update).await.map(drop)
        },
        decode: |r| crate::envelope::decode_as::<Option<UpdatedData>>(&UPDATE_AGENT, PayloadAt::Field("data"), r),
    }

    /// 删除超体 (B4): the agents are gone afterwards.
    pub(crate) DELETE_AGENTS {
        name: "delete_agents",
        method: POST,
        path: "equipment/del",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "list_agents",
            how: "each deleted id is gone from the agent list",
        },
        example: |c| c.delete_agents(&["ab6ed07786074f4896d7fbeb9194d08a"]).await.map(drop),
        decode: |r| crate::envelope::decode_as::<IgnoredAny>(&DELETE_AGENTS, PayloadAt::Field("data"), r),
        exactly_once: |c| c.delete_agents_exactly_once(&["ab6ed07786074f4896d7fbeb9194d08a"], &voxkit_core::test_util::FAST_RECONCILE).await,
        applied: |c| {
            let agents = c.list_agents(&AgentFilter::new()).await?.items;
            Ok(usize::from(!agents.iter().any(|a| a.id == "ab6ed07786074f4896d7fbeb9194d08a")))
        },
    }
}

/// The documentation's 添加超体 example, named `name`.
#[cfg(any(test, feature = "test-util"))]
fn docs_agent(name: &str) -> NewAgent {
    NewAgent::new("772868ead56c48d68fd1924aa5ec3aac", name)
        .enabled(true)
        .copy_from("679f9af935e047639ddb98f35e103e8f")
        .model_id("001")
        .sort(99)
}

impl Client {
    /// One page of agents: `POST {agent host}/equipment/list` (查询超体列表), operation
    /// `list_agents`. With no filter, every agent of the account.
    ///
    /// The documentation's answer has no `totalNumber`; the page's
    /// [`total`](Page::total) is read when a server sends one. Repeatable.
    pub async fn list_agents(&self, filter: &AgentFilter) -> Result<AgentPage, Error> {
        let body = filter.to_wire(LIST_AGENTS.origin())?;
        self.list_page(&self.agent, &LIST_AGENTS, &body).await
    }

    /// Every agent `filter` selects, page after page of [`Client::list_agents`], with
    /// [`DEFAULT_PAGE_SIZE`](crate::DEFAULT_PAGE_SIZE) agents a page and the guards of
    /// [`voxkit_core::page::walk`] (page cap, item cap, a page larger than asked or one that
    /// only repeats agents end the stream with an error saying the listing is incomplete).
    /// Since the server sends no `totalNumber`, the walk ends after a short page.
    pub fn agents(&self, filter: AgentFilter) -> BoxStream<'static, Result<Agent, Error>> {
        let paging = default_paging("agent listing", "agent", "agents");
        self.walk_query(
            LIST_AGENTS.origin(),
            paging,
            |agent: &Agent| agent.id.clone(),
            filter,
            |client, filter| async move { client.list_agents(&filter).await },
        )
    }

    /// Creates an agent on a quota card: `POST {agent host}/equipment/add` (添加超体),
    /// operation `add_agent`. The answer is the new agent, its generated `api_key`
    /// included.
    ///
    /// **Not repeatable**: if the request may have arrived without an answer, the error
    /// is [`Error::OutcomeUnknown`]; list the agents by name
    /// ([`AgentFilter::name`]) before trying again. A unique name makes that search
    /// conclusive. "额度卡不存在" (no `code`) when the card does not exist.
    pub async fn add_agent(&self, agent: &NewAgent) -> Result<Agent, Error> {
        let body = agent.to_wire(ADD_AGENT.origin())?;
        Ok(self
            .post_to(&self.agent, &ADD_AGENT, &body, PayloadAt::Field("data"))
            .await?
            .payload)
    }

    /// Changes an agent: `POST {agent host}/equipment/update` (更新超体), operation
    /// `update_agent`. Only the fields set are sent; `config` goes as a JSON string. The
    /// answer holds only the changed fields and `update_time`: [`Updated`] keeps the
    /// message and the time (not the fields, which may hold the config's keys).
    /// Repeatable (every field is set to a value).
    pub async fn update_agent(&self, update: &AgentUpdate) -> Result<Updated, Error> {
        let body = update.to_wire(UPDATE_AGENT.origin())?;
        let answer = self
            .post_to(&self.agent, &UPDATE_AGENT, &body, PayloadAt::Field("data"))
            .await?;
        Ok(Updated::of(answer))
    }

    /// Deletes agents by id: `POST {agent host}/equipment/del` (删除超体), operation
    /// `delete_agents`; the body is a JSON array `[{"id": ...}]`.
    ///
    /// **Not repeatable**: if the request may have arrived without an answer, the error
    /// is [`Error::OutcomeUnknown`]; list the agents before trying again.
    pub async fn delete_agents<S: AsRef<str> + Sync>(
        &self,
        ids: &[S],
    ) -> Result<crate::Ack, Error> {
        let origin = DELETE_AGENTS.origin();
        let body = id_array(origin, "agent id", ids)?;
        self.ack(&self.agent, &DELETE_AGENTS, &body).await
    }
}

/// `[{"id": ...}, ...]` of ids that are each [`object_id`]s, none twice, at least one.
pub(crate) fn id_array<'a, S: AsRef<str>>(
    origin: Origin,
    what: &'static str,
    ids: &'a [S],
) -> Result<Vec<IdBody<'a>>, Error> {
    if ids.is_empty() {
        return Err(Error::invalid_input(origin, format!("no {what} given")));
    }
    let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
    for id in &ids {
        object_id(origin, what, id)?;
    }
    check::unique(origin, what, &ids)?;
    Ok(ids.into_iter().map(|id| IdBody { id }).collect())
}

/// One `{"id": ...}` of an array body.
#[derive(Debug, Serialize)]
pub(crate) struct IdBody<'a> {
    id: &'a str,
}

/// An agent, device or node id: 32 ASCII letters or digits, as every documented id
/// (`679f9af935e047639ddb98f35e103e8f`). Anything else names nothing; the message never
/// echoes it.
pub(crate) fn object_id(origin: Origin, what: &str, value: &str) -> Result<(), Error> {
    checks::id32(origin, value, || {
        format!("the {what} must be 32 letters or digits, like 679f9af935e047639ddb98f35e103e8f")
    })
}

/// `"1"` for on, `"0"` for off: the documented `enable` codes.
pub(crate) fn flag(on: bool) -> &'static str {
    if on { "1" } else { "0" }
}

/// A `"0"`/`"1"` flag (or the number); `null`, `""` and absence are `None`; any other
/// value is an error.
pub(crate) fn opt_flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match lenient::opt_text(d)?.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some("1") => Ok(Some(true)),
        Some("0") => Ok(Some(false)),
        Some(other) => Err(de::Error::custom(format_args!(
            "expected \"0\" or \"1\", got {other:?}"
        ))),
    }
}

/// A secret sent as a string; `null`, `""` and absence are `None`.
pub(crate) fn opt_secret<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<SecretString>, D::Error> {
    Ok(Option::<String>::deserialize(d)?
        .filter(|s| !s.is_empty())
        .map(SecretString::from))
}

/// The filters of `equipment/list` (查询超体列表). Every field optional; numbers and
/// flags are sent as strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AgentFilter {
    /// `name`: 超体名称.
    pub name: Option<String>,
    /// `type`: 超体类型 (`"0"`: AI对话, the only documented type).
    pub agent_type: Option<String>,
    /// `enable`: 是否启用 (`"0"` off, `"1"` on).
    pub enabled: Option<bool>,
    /// `page`: from 1.
    pub page: Option<u32>,
    /// `limit`: the page size (server default 9999).
    pub limit: Option<u32>,
}

impl AgentFilter {
    /// No filter: every agent.
    pub fn new() -> Self {
        Self::default()
    }

    option_setters! {
        /// Only agents with this name (a unique name finds an agent whose `add_agent`
        /// answer was lost).
        fn name(name: impl Into<String>).into();
        /// Only agents of this type (`"0"`: AI对话).
        fn agent_type(agent_type: impl Into<String>).into();
        /// Only enabled (or disabled) agents.
        fn enabled(enabled: bool);
        /// The page to fetch (from 1).
        fn page(page: u32);
        /// The page size.
        fn limit(limit: u32);
    }

    fn to_wire(&self, origin: Origin) -> Result<Map<String, Value>, Error> {
        let mut body = Map::new();
        if let Some(name) = &self.name {
            checks::text(origin, "the agent name", name)?;
            body.insert("name".into(), name.clone().into());
        }
        if let Some(t) = &self.agent_type {
            checks::token(origin, "the agent type", t)?;
            body.insert("type".into(), t.clone().into());
        }
        if let Some(on) = self.enabled {
            body.insert("enable".into(), flag(on).into());
        }
        insert_page(origin, &mut body, self.page, self.limit)?;
        Ok(body)
    }
}

impl PagedQuery for AgentFilter {
    fn at_page(self, number: u32, size: Option<u32>) -> Self {
        AgentFilter {
            page: Some(number),
            limit: size,
            ..self
        }
    }
}

/// A new agent for `equipment/add` (添加超体): the required quota card and name, the rest
/// optional (server defaults: type `"0"`, disabled, model `001` 树晓晓, sort 99, node
/// [`DEFAULT_SERVER_ID`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewAgent {
    /// `cdkey_id`: 额度卡ID, the card the agent spends ([`crate::Card::id`]).
    pub cdkey_id: String,
    /// `name`: 超体名称.
    pub name: String,
    /// `type`: 超体类型, `"0"` (AI对话, "默认填0").
    pub agent_type: String,
    /// `enable`: 是否启用 (default off).
    pub enabled: Option<bool>,
    /// `model_id`: 模型ID (`001` 树晓晓, the default; `7f0e5bd2ca3e4553a1f011b07c2960bb` 艾米).
    pub model_id: Option<String>,
    /// `sort`: 超体排序 (default 99).
    pub sort: Option<u32>,
    /// `server_id`: 启动超体节点ID (default [`DEFAULT_SERVER_ID`]).
    pub server_id: Option<String>,
    /// `copy`: 其他超体ID, an agent whose configuration to copy.
    pub copy_from: Option<String>,
}

impl NewAgent {
    /// An agent named `name` on the card `cdkey_id`, of type `"0"`.
    pub fn new(cdkey_id: impl Into<String>, name: impl Into<String>) -> Self {
        NewAgent {
            cdkey_id: cdkey_id.into(),
            name: name.into(),
            agent_type: "0".into(),
            enabled: None,
            model_id: None,
            sort: None,
            server_id: None,
            copy_from: None,
        }
    }

    option_setters! {
        /// Enabled or not.
        fn enabled(enabled: bool);
        /// The model.
        fn model_id(model_id: impl Into<String>).into();
        /// The sort order.
        fn sort(sort: u32);
        /// The node it starts on.
        fn server_id(server_id: impl Into<String>).into();
        /// Copies the configuration of the agent with this id.
        fn copy_from(copy_from: impl Into<String>).into();
    }

    fn to_wire(&self, origin: Origin) -> Result<Map<String, Value>, Error> {
        checks::card_id(origin, "the card id", &self.cdkey_id)?;
        checks::text(origin, "the agent name", &self.name)?;
        checks::token(origin, "the agent type", &self.agent_type)?;
        let mut body = Map::new();
        body.insert("cdkey_id".into(), self.cdkey_id.clone().into());
        body.insert("name".into(), self.name.clone().into());
        body.insert("type".into(), self.agent_type.clone().into());
        if let Some(on) = self.enabled {
            body.insert("enable".into(), flag(on).into());
        }
        if let Some(copy) = &self.copy_from {
            object_id(origin, "agent id to copy", copy)?;
            body.insert("copy".into(), copy.clone().into());
        }
        if let Some(model) = &self.model_id {
            checks::token(origin, "the model id", model)?;
            body.insert("model_id".into(), model.clone().into());
        }
        if let Some(sort) = self.sort {
            body.insert("sort".into(), sort.to_string().into());
        }
        if let Some(server) = &self.server_id {
            object_id(origin, "server id", server)?;
            body.insert("server_id".into(), server.clone().into());
        }
        Ok(body)
    }
}

/// The changes of `equipment/update` (更新超体): the agent's id and the fields to set.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AgentUpdate {
    /// `id`: the agent's id (required).
    pub id: String,
    /// `name`.
    pub name: Option<String>,
    /// `cdkey_id`: the card it spends.
    pub cdkey_id: Option<String>,
    /// `type`.
    pub agent_type: Option<String>,
    /// `enable`.
    pub enabled: Option<bool>,
    /// `model_id`.
    pub model_id: Option<String>,
    /// `sort`.
    pub sort: Option<u32>,
    /// `server_id`.
    pub server_id: Option<String>,
    /// `config`: 设备配置, sent as a JSON string (replaces the whole configuration).
    pub config: Option<AgentConfig>,
}

impl AgentUpdate {
    /// Changes to the agent `id`; nothing set yet.
    pub fn new(id: impl Into<String>) -> Self {
        AgentUpdate {
            id: id.into(),
            ..Self::default()
        }
    }

    option_setters! {
        /// A new name.
        fn name(name: impl Into<String>).into();
        /// Another quota card.
        fn cdkey_id(cdkey_id: impl Into<String>).into();
        /// Enabled or not.
        fn enabled(enabled: bool);
        /// Another model.
        fn model_id(model_id: impl Into<String>).into();
        /// Another sort order.
        fn sort(sort: u32);
        /// Another node.
        fn server_id(server_id: impl Into<String>).into();
        /// A new configuration (the whole of it).
        fn config(config: AgentConfig);
    }

    fn to_wire(&self, origin: Origin) -> Result<Map<String, Value>, Error> {
        object_id(origin, "agent id", &self.id)?;
        let mut body = Map::new();
        body.insert("id".into(), self.id.clone().into());
        if let Some(name) = &self.name {
            checks::text(origin, "the agent name", name)?;
            body.insert("name".into(), name.clone().into());
        }
        if let Some(card) = &self.cdkey_id {
            checks::card_id(origin, "the card id", card)?;
            body.insert("cdkey_id".into(), card.clone().into());
        }
        if let Some(t) = &self.agent_type {
            checks::token(origin, "the agent type", t)?;
            body.insert("type".into(), t.clone().into());
        }
        if let Some(on) = self.enabled {
            body.insert("enable".into(), flag(on).into());
        }
        if let Some(model) = &self.model_id {
            checks::token(origin, "the model id", model)?;
            body.insert("model_id".into(), model.clone().into());
        }
        if let Some(sort) = self.sort {
            body.insert("sort".into(), sort.to_string().into());
        }
        if let Some(server) = &self.server_id {
            object_id(origin, "server id", server)?;
            body.insert("server_id".into(), server.clone().into());
        }
        if let Some(config) = &self.config {
            body.insert("config".into(), config.to_wire_string().into());
        }
        if body.len() == 1 {
            return Err(Error::invalid_input(origin, "nothing to change"));
        }
        Ok(body)
    }
}

/// The answer of an update (`equipment/update`, `devices/update`): the server's message
/// and the new `update_time`. The answer's other fields (the changed ones) are not kept:
/// they may hold the config's keys or a Wi-Fi password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Updated {
    /// `message`: e.g. "修改成功".
    pub message: Option<String>,
    /// `data.update_time`: when the change was applied.
    pub update_time: Option<SystemTime>,
}

/// The `data` of an update's answer: only `update_time` is read.
#[derive(Deserialize)]
pub(crate) struct UpdatedData {
    #[serde(default, deserialize_with = "opt_millis")]
    update_time: Option<SystemTime>,
}

impl Updated {
    pub(crate) fn of(answer: Decoded<Option<UpdatedData>>) -> Updated {
        Updated {
            message: answer.message,
            update_time: answer.payload.and_then(|d| d.update_time),
        }
    }
}

/// An agent (超体信息) as `equipment/list` and `equipment/add` return it. Fields from the
/// documentation's examples; numbers are accepted as strings and the other way round
/// (`sort` is `99` in the list and `"99"` in the add answer).
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Agent {
    /// `id`: the agent's id.
    pub id: String,
    /// `name`: 超体名称.
    #[serde(default)]
    pub name: Option<String>,
    /// `type`: 超体类型 (`"0"`: AI对话).
    #[serde(rename = "type", default, deserialize_with = "lenient::opt_text")]
    pub agent_type: Option<String>,
    /// `enable`: whether it is enabled (`"1"`).
    #[serde(rename = "enable", default, deserialize_with = "opt_flag")]
    pub enabled: Option<bool>,
    /// `sort`: its sort order.
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub sort: Option<i64>,
    /// `create_time`.
    #[serde(default, deserialize_with = "opt_millis")]
    pub create_time: Option<SystemTime>,
    /// `update_time`.
    #[serde(default, deserialize_with = "opt_millis")]
    pub update_time: Option<SystemTime>,
    /// `user_id`: the owner.
    #[serde(default)]
    pub user_id: Option<String>,
    /// `server_id`: 启动超体节点ID.
    #[serde(default)]
    pub server_id: Option<String>,
    /// `config`: 设备配置, decoded from its JSON string.
    #[serde(default, deserialize_with = "opt_config")]
    pub config: Option<AgentConfig>,
    /// `api_key`: 设备的api_key, the key its devices and the device channel use. A
    /// secret.
    #[serde(default, deserialize_with = "opt_secret")]
    pub api_key: Option<SecretString>,
    /// `cdkey_id`: the quota card it spends.
    #[serde(default)]
    pub cdkey_id: Option<String>,
    /// `cdkey_name`: that card's redemption code.
    #[serde(default)]
    pub cdkey_name: Option<String>,
    /// `cdkey_type`: that card's type code.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub cdkey_type: Option<String>,
    /// `api_limit`: 剩余调度额度, the card's remaining quota.
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub api_limit: Option<i64>,
    /// `model_id`: 模型ID.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub model_id: Option<String>,
    /// `model_name`.
    #[serde(default)]
    pub model_name: Option<String>,
    /// `model_path`.
    #[serde(default)]
    pub model_path: Option<String>,
    /// `file_name`.
    #[serde(default)]
    pub file_name: Option<String>,
    /// `server_ip`.
    #[serde(default)]
    pub server_ip: Option<String>,
    /// `server_port`.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub server_port: Option<u64>,
}

/// One page of agents.
pub type AgentPage = Page<Agent>;

#[cfg(test)]
mod tests {
    use super::*;

    const O: Origin = Origin::new("espai", "test");

    #[test]
    fn update_sends_config_as_a_string_and_refuses_empty_changes() {
        let body = AgentUpdate::new("679f9af935e047639ddb98f35e103e8f")
            .config(AgentConfig::new().connected_reply("ok"))
            .to_wire(O)
            .unwrap();
        assert_eq!(body["config"], Value::from(r#"{"connected_reply":"ok"}"#));
        let err = AgentUpdate::new("679f9af935e047639ddb98f35e103e8f")
            .to_wire(O)
            .unwrap_err();
        assert!(err.nothing_sent());
        let err = AgentUpdate::new("../x").name("a").to_wire(O).unwrap_err();
        assert!(err.nothing_sent());
    }
}
