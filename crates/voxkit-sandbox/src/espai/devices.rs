//! ESP-AI devices (`devices/*`) and plugins (`pulgin/select`, the provider's spelling).

use axum::extract::State;
use bytes::Bytes;
use serde_json::{Value, json};

use super::agents::{field, ids, object, ok, paging, parse, required, system_error};
use super::handlers::fail;
use crate::clock::epoch_millis;
use crate::state::Shared;
use crate::wire;

type Answer = Result<axum::response::Response, axum::response::Response>;

/// The text fields `devices/update` sets.
const TEXT_FIELDS: &[&str] = &[
    "name",
    "version",
    "enable",
    "wifi_ssid",
    "wifi_pwd",
    "net_ip",
    "bin_id",
    "nation",
    "province",
    "city",
    "longitude",
    "latitude",
];

pub(super) async fn list(State(shared): State<Shared>, body: Bytes) -> Answer {
    let map = object(parse(&body)?)?;
    let (page, limit) = paging(&map)?;
    let filters: Vec<(&str, String)> = [
        "name",
        "device_id",
        "bin_id",
        "version",
        "enable",
        "is_online",
        "type",
    ]
    .into_iter()
    .filter_map(|key| Some((key, field(&map, key)?)))
    .collect();
    let agent_key = field(&map, "api_key");
    let data = shared.lock();
    let fleet = &data.espai.fleet;
    let agent_of_key = agent_key.as_ref().map(|key| {
        fleet
            .agents
            .iter()
            .find(|a| &a.api_key == key)
            .map(|a| a.id.clone())
    });
    let matching: Vec<&Value> = fleet
        .devices
        .iter()
        .filter(|d| {
            filters
                .iter()
                .all(|(key, want)| wire::lenient(&d.fields, key).as_deref() == Some(want.as_str()))
                && match &agent_of_key {
                    None => true,
                    Some(None) => false,
                    Some(Some(agent)) => d.fields.get("equipment_id") == Some(&json!(agent)),
                }
        })
        .map(|d| d.fields.get("id").expect("a device has an id"))
        .collect();
    let total = matching.len();
    let items: Vec<Value> = wire::page_of(matching.into_iter(), page, limit)
        .filter_map(|id| fleet.devices.iter().find(|d| json!(d.id) == *id))
        .map(|d| Value::Object(d.fields.clone()))
        .collect();
    ok(json!({"success": true, "message": "请求成功", "data": items, "totalNumber": total}))
}

pub(super) async fn update(State(shared): State<Shared>, body: Bytes) -> Answer {
    let map = object(parse(&body)?)?;
    let id = required(&map, "id")?;
    let mut data = shared.lock();
    let Some(device) = data.espai.fleet.devices.iter_mut().find(|d| d.id == id) else {
        return Err(fail(None, "设备未找到，请检查！"));
    };
    let mut changed = wire::Object::new();
    for key in TEXT_FIELDS {
        if let Some(value) = field(&map, key) {
            device.fields.insert((*key).into(), json!(value));
            changed.insert((*key).into(), json!(value));
        }
    }
    if let Some(local) = map.get("localData") {
        if !local.is_object() {
            return Err(system_error("localData 必须是 JSON 对象"));
        }
        changed.insert("localData".into(), local.clone());
    }
    let now = epoch_millis();
    device.fields.insert("update_time".into(), json!(now));
    changed.insert("update_time".into(), json!(now));
    ok(json!({"success": true, "message": "修改成功", "data": changed}))
}

/// `devices/del`: unbinds by id (an array body).
pub(super) async fn unbind_by_id(State(shared): State<Shared>, body: Bytes) -> Answer {
    let ids = ids(&body)?;
    if ids.is_empty() {
        return Err(fail(None, "解绑失败，请传入需要解绑的数据"));
    }
    let mut data = shared.lock();
    let devices = &mut data.espai.fleet.devices;
    if !ids.iter().all(|id| devices.iter().any(|d| &d.id == id)) {
        return Err(fail(None, "设备未找到，请检查！"));
    }
    devices.retain(|d| !ids.contains(&d.id));
    ok(json!({"success": true, "message": "解绑成功"}))
}

/// `devices/unbind`: unbinds by MAC from the agent whose key is given (an object body).
pub(super) async fn unbind_by_mac(State(shared): State<Shared>, body: Bytes) -> Answer {
    let map = object(parse(&body)?)?;
    let key = required(&map, "api_key")?;
    let mac = required(&map, "device_id")?;
    let mut data = shared.lock();
    let fleet = &mut data.espai.fleet;
    let Some(agent) = fleet
        .agents
        .iter()
        .find(|a| a.api_key == key)
        .map(|a| a.id.clone())
    else {
        return Err(fail(None, "超体秘钥无效"));
    };
    let before = fleet.devices.len();
    fleet.devices.retain(|d| {
        !(d.fields.get("device_id") == Some(&json!(mac))
            && d.fields.get("equipment_id") == Some(&json!(agent)))
    });
    if fleet.devices.len() == before {
        return Err(fail(None, "设备未找到，请检查！"));
    }
    ok(json!({"success": true, "message": "解绑成功"}))
}

/// `pulgin/select`: the official plugins the documentation lists, by type.
pub(super) async fn plugins(body: Bytes) -> Answer {
    let map = object(parse(&body)?)?;
    let kind = required(&map, "type")?;
    let all = [
        ("esp-ai-llm", "LLM", "[]"),
        ("esp-ai-llm-volcengine", "LLM", r#"[{"key":"epId"}]"#),
        ("esp-ai-asr-volcengine", "IAT", r#"[{"key":"clusterId"}]"#),
        ("esp-ai-tts-volcengine", "TTS", r#"[{"key":"voice_type"}]"#),
        ("espai-tts-aliyun", "TTS", r#"[{"key":"voice_param"}]"#),
    ];
    let items: Vec<Value> = all
        .iter()
        .enumerate()
        .filter(|(_, (_, t, _))| *t == kind)
        .map(|(i, (name, t, config))| {
            json!({
                "id": format!("plugin{i:027}"), "create_time": 1_744_180_100_787_i64,
                "update_time": null, "ext1": null, "ext2": null, "ext3": null, "name": name,
                "desc": "官方插件", "npm_url": format!("https://www.npmjs.com/package/{name}"),
                "github_url": "", "websit_url": "", "config": config, "type": t, "status": "1",
                "star": 0, "user_id": crate::seed::DOCS_ESPAI_USER, "label": t, "tag": "0",
                "unpass_desc": null,
            })
        })
        .collect();
    let total = items.len();
    ok(json!({"success": true, "message": "请求成功", "data": items, "totalNumber": total}))
}
