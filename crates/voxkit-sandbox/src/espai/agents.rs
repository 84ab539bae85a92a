//! ESP-AI agents (超体, `equipment/*`) and the state of agents and devices: the
//! documentation's agent `679f9af935e047639ddb98f35e103e8f` and device
//! `2cf661bb42b642018ee13af7150b8310` (MAC `FC:01:2C:DB:14:30`) are seeded, with the ids
//! the delete and unbind examples name. The sandbox serves these paths on its one port,
//! beside the base-URL paths (the real provider keeps them on another host).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use super::handlers::fail;
use crate::clock::epoch_millis;
use crate::ids::hex_id;
use crate::state::Shared;
use crate::wire::{self, Object};

/// The `api_key` of the seeded agent: what the device channel and `devices/unbind` take.
pub const ESPAI_AGENT_API_KEY: &str = "sandbox-espai-agent-api-key";

/// The documentation's agent id.
pub(crate) const DOCS_AGENT: &str = "679f9af935e047639ddb98f35e103e8f";

/// An agent (超体).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Agent {
    pub id: String,
    pub name: String,
    pub agent_type: String,
    pub enable: String,
    pub model_id: String,
    pub sort: String,
    pub server_id: String,
    pub cdkey_id: String,
    pub api_key: String,
    /// The JSON string of `config`.
    pub config: String,
    pub create_time: i64,
    pub update_time: Option<i64>,
}

/// A hardware device, as its wire object (the fields are many and only echoed).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Device {
    pub id: String,
    pub fields: Object,
}

/// The agents and devices of the account.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Fleet {
    pub agents: Vec<Agent>,
    pub devices: Vec<Device>,
}

impl Fleet {
    /// The documentation's agent and device, and the ids the delete examples name.
    pub(crate) fn seeded() -> Fleet {
        let agent = |id: &str, name: &str, key: &str| Agent {
            id: id.to_owned(),
            name: name.to_owned(),
            agent_type: "0".into(),
            enable: "1".into(),
            model_id: "001".into(),
            sort: "99".into(),
            server_id: "0aadd1d790cf410892fb9459d5d5cb74".into(),
            cdkey_id: crate::seed::DOCS_CARD.into(),
            api_key: key.to_owned(),
            config: r#"{"iat_server":"esp-ai-asr-volcengine","connected_reply":"服务连接成功。"}"#
                .into(),
            create_time: 1_744_180_100_787,
            update_time: Some(1_744_189_426_664),
        };
        let device = |id: &str, mac: &str| {
            let value = json!({
                "id": id, "create_time": 1_744_180_142_741_i64, "update_time": 1_744_268_200_431_i64,
                "sort": null, "name": "小琅", "user_id": crate::seed::DOCS_ESPAI_USER,
                "equipment_id": DOCS_AGENT, "api_key": "", "enable": "1", "is_online": "1",
                "device_id": mac, "wifi_ssid": "联域科技", "wifi_pwd": "lykj987654321",
                "net_ip": "192.0.2.10", "version": "1.22.34", "bin_id": "0", "nation": "China",
                "province": "Guangdong", "city": "Guangzhou", "type": null, "memory": "",
                "latitude": "23.1181", "longitude": "113.2539", "user_name": "琳琅",
                "user_phone": 15_916_888_888_u64,
            });
            let Value::Object(fields) = value else {
                unreachable!("a JSON object literal")
            };
            Device {
                id: id.to_owned(),
                fields,
            }
        };
        Fleet {
            agents: vec![
                agent(DOCS_AGENT, "琳琅", ESPAI_AGENT_API_KEY),
                agent(
                    "ab6ed07786074f4896d7fbeb9194d08a",
                    "待删除",
                    "sandbox-espai-agent-api-key-2",
                ),
            ],
            devices: vec![
                device("2cf661bb42b642018ee13af7150b8310", "FC:01:2C:DB:14:30"),
                device("b93ec353967441ada8d31b4910a3032d", "FC:01:2C:DB:14:31"),
            ],
        }
    }
}

type Answer = Result<Response, Response>;

pub(super) fn system_error(detail: &str) -> Response {
    fail(Some(500), &format!("系统错误：{detail}"))
}

pub(super) fn parse(body: &Bytes) -> Result<Value, Response> {
    if body.is_empty() {
        return Ok(Value::Object(Object::new()));
    }
    serde_json::from_slice(body).map_err(|e| system_error(&format!("请求体不是有效的 JSON: {e}")))
}

pub(super) fn object(value: Value) -> Result<Object, Response> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(system_error("请求体必须是 JSON 对象")),
    }
}

/// A field sent as a string or a number; empty is absent.
pub(super) fn field(map: &Object, key: &str) -> Option<String> {
    wire::lenient(map, key).map(|v| v.trim().to_owned())
}

pub(super) fn required(map: &Object, key: &str) -> Result<String, Response> {
    field(map, key).ok_or_else(|| fail(Some(401), &format!("缺失参数：{key}")))
}

/// `page` and `limit`, by default 1 and 9999.
pub(super) fn paging(map: &Object) -> Result<(usize, usize), Response> {
    let number = |key: &str, default: usize| {
        wire::positive(field(map, key).as_deref(), default)
            .ok_or_else(|| system_error(&format!("{key} 必须是正整数")))
    };
    Ok((number("page", 1)?, number("limit", 9999)?))
}

/// The ids of a `[{"id": ...}]` body.
pub(super) fn ids(body: &Bytes) -> Result<Vec<String>, Response> {
    let Value::Array(items) = parse(body)? else {
        return Err(system_error("请求体必须是数组"));
    };
    items
        .iter()
        .map(|item| {
            item.get("id")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| system_error("数组元素缺少 id"))
        })
        .collect()
}

pub(super) fn ok(body: Value) -> Answer {
    Ok(axum::Json(body).into_response())
}

fn agent_json(agent: &Agent, sort_as_number: bool) -> Value {
    let sort = match agent.sort.parse::<i64>() {
        Ok(n) if sort_as_number => json!(n),
        _ => json!(agent.sort),
    };
    json!({
        "id": agent.id, "sort": sort, "create_time": agent.create_time,
        "update_time": agent.update_time, "ext1": null, "ext2": null, "ext3": null,
        "name": agent.name, "type": agent.agent_type, "user_id": crate::seed::DOCS_ESPAI_USER,
        "server_id": agent.server_id, "config": agent.config, "api_key": agent.api_key,
        "cdkey_id": agent.cdkey_id, "enable": agent.enable, "model_id": agent.model_id,
        "server_ip": "127.0.0.1", "server_port": 8080,
    })
}

pub(super) async fn list(State(shared): State<Shared>, body: Bytes) -> Answer {
    let map = object(parse(&body)?)?;
    let (page, limit) = paging(&map)?;
    let (name, kind, enable) = (
        field(&map, "name"),
        field(&map, "type"),
        field(&map, "enable"),
    );
    let data = shared.lock();
    let matching = data.espai.fleet.agents.iter().filter(|a| {
        name.as_ref().is_none_or(|n| *n == a.name)
            && kind.as_ref().is_none_or(|t| *t == a.agent_type)
            && enable.as_ref().is_none_or(|e| *e == a.enable)
    });
    let items: Vec<Value> = wire::page_of(matching, page, limit)
        .map(|a| agent_json(a, true))
        .collect();
    // As documented: no `totalNumber` on this list.
    ok(json!({"success": true, "message": "请求成功", "data": items}))
}

pub(super) async fn add(State(shared): State<Shared>, body: Bytes) -> Answer {
    let map = object(parse(&body)?)?;
    let cdkey_id = required(&map, "cdkey_id")?;
    let name = required(&map, "name")?;
    let agent_type = required(&map, "type")?;
    let mut data = shared.lock();
    if !data.espai.cards.iter().any(|c| c.id == cdkey_id) {
        return Err(fail(None, "额度卡不存在"));
    }
    let config = match field(&map, "copy") {
        Some(copy) => data
            .espai
            .fleet
            .agents
            .iter()
            .find(|a| a.id == copy)
            .map(|a| a.config.clone())
            .ok_or_else(|| system_error("被复制的超体不存在"))?,
        None => "{}".to_owned(),
    };
    let id = hex_id(&mut data.rng);
    let api_key = hex_id(&mut data.rng);
    let agent = Agent {
        id,
        name,
        agent_type,
        enable: field(&map, "enable").unwrap_or_else(|| "0".into()),
        model_id: field(&map, "model_id").unwrap_or_else(|| "001".into()),
        sort: field(&map, "sort").unwrap_or_else(|| "99".into()),
        server_id: field(&map, "server_id")
            .unwrap_or_else(|| "0aadd1d790cf410892fb9459d5d5cb74".into()),
        cdkey_id,
        api_key,
        config,
        create_time: epoch_millis(),
        update_time: None,
    };
    data.espai.fleet.agents.push(agent.clone());
    // The add answer's `sort` is a string ("99"), as documented.
    ok(json!({"success": true, "message": "新增成功", "data": agent_json(&agent, false)}))
}

pub(super) async fn update(State(shared): State<Shared>, body: Bytes) -> Answer {
    let map = object(parse(&body)?)?;
    let id = required(&map, "id")?;
    if let Some(Value::String(config)) = map.get("config") {
        if !matches!(serde_json::from_str::<Value>(config), Ok(Value::Object(_))) {
            return Err(system_error("config 必须是 JSON 对象字符串"));
        }
    } else if map.get("config").is_some_and(|c| !c.is_null()) {
        return Err(system_error("config 必须是字符串"));
    }
    let mut data = shared.lock();
    if let Some(card) = field(&map, "cdkey_id") {
        if !data.espai.cards.iter().any(|c| c.id == card) {
            return Err(fail(None, "额度卡不存在"));
        }
    }
    let Some(agent) = data.espai.fleet.agents.iter_mut().find(|a| a.id == id) else {
        return Err(system_error("超体不存在"));
    };
    let mut changed = Object::new();
    for (key, slot) in [
        ("name", &mut agent.name),
        ("cdkey_id", &mut agent.cdkey_id),
        ("type", &mut agent.agent_type),
        ("enable", &mut agent.enable),
        ("model_id", &mut agent.model_id),
        ("sort", &mut agent.sort),
        ("server_id", &mut agent.server_id),
        ("config", &mut agent.config),
    ] {
        if let Some(value) = field(&map, key) {
            changed.insert(key.into(), json!(value));
            *slot = value;
        }
    }
    let now = epoch_millis();
    agent.update_time = Some(now);
    changed.insert("update_time".into(), json!(now));
    ok(json!({"success": true, "message": "修改成功", "data": changed}))
}

pub(super) async fn delete(State(shared): State<Shared>, body: Bytes) -> Answer {
    let ids = ids(&body)?;
    let mut data = shared.lock();
    let agents = &mut data.espai.fleet.agents;
    if ids.is_empty() || !ids.iter().all(|id| agents.iter().any(|a| &a.id == id)) {
        return Err(system_error("超体不存在"));
    }
    agents.retain(|a| !ids.contains(&a.id));
    ok(json!({"success": true, "message": "删除成功"}))
}
