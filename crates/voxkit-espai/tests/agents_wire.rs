//! Agents (超体), devices and plugins on the wire, with the documentation's own examples
//! (sections B, C, D of the ESP-AI notes): what is sent, to which host, and how the
//! documented answers decode. Loopback only (wiremock).

use serde_json::{Value, json};
use voxkit_core::{ExposeSecret, RetryPolicy};
use voxkit_espai::{
    AgentConfig, AgentFilter, AgentUpdate, Client, DeviceFilter, DeviceUpdate, Error, NewAgent,
    PluginType, ReviewStatus, SecretString,
};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const AGENT: &str = r#"{ "id": "679f9af935e047639ddb98f35e103e8f", "sort": 99,
    "create_time": 1744180100787, "update_time": 1744189426664,
    "ext1": null, "ext2": null, "ext3": null, "name": "琳琅", "type": "0",
    "user_id": "87215a4192654cea8781a1a596d23cae",
    "server_id": "0aadd1d790cf410892fb9459d5d5cb74",
    "config": "{\"iat_server\":\"esp-ai-asr-volcengine\",\"iat_config\":{\"api_key\":\"SENTINEL-IAT\",\"clusterId\":\"volcengine_streaming_common\"},\"connected_reply\":\"服务连接成功。\"}",
    "api_key": "SENTINEL-AGENT-KEY", "cdkey_id": "772868ead56c48d68fd1924aa5ec3aac",
    "enable": "1", "model_id": "001", "cdkey_name": "wNaa1GDw", "api_limit": 61,
    "cdkey_type": "0", "server_ip": "xxx.xxx.xxx.xxx", "server_port": 8080,
    "model_name": "艾米", "model_path": "/models/amy/", "file_name": "model.glb" }"#;

const DEVICE: &str = r#"{ "id": "2cf661bb42b642018ee13af7150b8310", "create_time": 1744180142741,
    "update_time": 1744268200431, "sort": null, "ext1": null, "ext2": null, "ext3": null,
    "name": "小琅", "user_id": "87215a4192654cea8781a1a596d23cae",
    "equipment_id": "679f9af935e047639ddb98f35e103e8f", "api_key": "", "enable": "1",
    "is_online": "0", "device_id": "FC:01:2C:DB:14:30", "wifi_ssid": "联域科技",
    "wifi_pwd": "lykj987654321", "net_ip": "xxx.xxx.xxx.xxx", "version": "1.22.34",
    "bin_id": "0", "nation": "China", "province": "Guangdong", "city": "Guangzhou",
    "type": null, "memory": "用户问候，助手以“乌鸦哥”的身份回应，并提出可以帮助用户。",
    "latitude": "23.1181", "longitude": "113.2539", "user_name": "琳琅",
    "user_phone": 15916888888 }"#;

/// Two servers: the base URL (cards, devices, plugins) and the agent host.
async fn servers() -> (MockServer, MockServer, Client) {
    let base = MockServer::start().await;
    let agents = MockServer::start().await;
    let client = Client::builder()
        .api_key("open-key")
        .base_url(base.uri())
        .agent_base_url(agents.uri())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (base, agents, client)
}

fn ok(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.into_bytes(), "application/json")
}

/// Mounts on `server` the answer `answer` to exactly one request at `at` whose JSON body
/// is `body`: what each test below checks its request by.
async fn expect_once(server: &MockServer, at: &str, body: Value, answer: &str) {
    Mock::given(path(at))
        .and(body_json(body))
        .respond_with(ok(answer.to_owned()))
        .expect(1)
        .mount(server)
        .await;
}

/// Mounts on `server` the answer `answer` to every request at `at`.
async fn answering(server: &MockServer, at: &str, answer: &str) {
    Mock::given(path(at))
        .respond_with(ok(answer.to_owned()))
        .mount(server)
        .await;
}

/// Resets `server` to answer every request at `at` with the documented missing-parameter
/// error for `field` ("缺失参数：field", code 401).
async fn answering_missing(server: &MockServer, at: &str, field: &str) {
    server.reset().await;
    let answer = format!(r#"{{"success":false,"message":"缺失参数：{field}","code":401}}"#);
    answering(server, at, &answer).await;
}

#[tokio::test]
async fn list_agents_goes_to_the_agent_host_and_decodes_the_documented_agent() {
    let (base, agents, client) = servers().await;
    Mock::given(method("POST"))
        .and(path("/equipment/list"))
        .and(header("authorization", "open-key"))
        .and(body_json(
            json!({"enable": "1", "page": "1", "limit": "10"}),
        ))
        .respond_with(ok(format!(
            r#"{{"success":true,"message":"请求成功","data":[{AGENT}]}}"#
        )))
        .expect(1)
        .mount(&agents)
        .await;
    let page = client
        .list_agents(&AgentFilter::new().enabled(true).page(1).limit(10))
        .await
        .unwrap();
    assert!(base.received_requests().await.unwrap().is_empty());
    assert_eq!(page.total, None, "equipment/list sends no totalNumber");
    let agent = &page.items[0];
    assert_eq!(agent.id, "679f9af935e047639ddb98f35e103e8f");
    assert_eq!(agent.enabled, Some(true));
    assert_eq!(
        (agent.sort, agent.server_port, agent.api_limit),
        (Some(99), Some(8080), Some(61))
    );
    let config = agent.config.as_ref().unwrap();
    assert_eq!(config.iat_server.as_deref(), Some("esp-ai-asr-volcengine"));
    assert_eq!(config.connected_reply.as_deref(), Some("服务连接成功。"));
    let iat = config.iat_config.as_ref().unwrap();
    assert_eq!(
        iat.api_key.as_ref().unwrap().expose_secret(),
        "SENTINEL-IAT"
    );
    assert_eq!(
        agent.api_key.as_ref().unwrap().expose_secret(),
        "SENTINEL-AGENT-KEY"
    );
    let shown = format!("{agent:?} {page:?}");
    assert!(!shown.contains("SENTINEL"), "{shown}");
}

#[tokio::test]
async fn add_agent_sends_the_documented_body_and_is_never_sent_twice() {
    let (_base, agents, client) = servers().await;
    Mock::given(method("POST"))
        .and(path("/equipment/add"))
        .and(body_json(json!({
            "cdkey_id": "772868ead56c48d68fd1924aa5ec3aac", "name": "琳琅1", "type": "0",
            "enable": "1", "copy": "679f9af935e047639ddb98f35e103e8f", "model_id": "001",
            "sort": "99"
        })))
        .respond_with(ok(format!(
            r#"{{"success":true,"message":"新增成功","data":{}}}"#,
            AGENT.replace("\"sort\": 99", "\"sort\": \"99\"")
        )))
        .expect(1)
        .mount(&agents)
        .await;
    let new = NewAgent::new("772868ead56c48d68fd1924aa5ec3aac", "琳琅1")
        .enabled(true)
        .copy_from("679f9af935e047639ddb98f35e103e8f")
        .model_id("001")
        .sort(99);
    let agent = client.add_agent(&new).await.unwrap();
    assert_eq!(agent.sort, Some(99), "\"99\" as a string decodes too");

    // A 500 system error after sending: outcome unknown, one request only.
    agents.reset().await;
    Mock::given(path("/equipment/add"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_string(r#"{"success":false,"message":"系统错误：xxx","code":500}"#),
        )
        .expect(1)
        .mount(&agents)
        .await;
    let retrying = Client::builder()
        .api_key("open-key")
        .agent_base_url(agents.uri())
        .base_url(agents.uri())
        .build()
        .unwrap();
    let err = retrying.add_agent(&new).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");

    // "额度卡不存在" without a code.
    agents.reset().await;
    answering(
        &agents,
        "/equipment/add",
        r#"{"success":false,"message":"额度卡不存在"}"#,
    )
    .await;
    let err = client.add_agent(&new).await.unwrap_err();
    assert!(matches!(&err, Error::Api { code: None, message, .. } if message == "额度卡不存在"));
}

#[tokio::test]
async fn update_agent_sends_config_as_a_string_and_reads_the_update_time() {
    let (_base, agents, client) = servers().await;
    let config = AgentConfig::from_json(
        r#"{"iat_server":"esp-ai-asr-volcengine","llm_config":{"api_key":"k","epId":"ep-20250215214941-l969g"},"unknown_key":[1]}"#,
    )
    .unwrap();
    let wire = config.to_wire_string();
    expect_once(
        &agents,
        "/equipment/update",
        json!({ "id": "679f9af935e047639ddb98f35e103e8f", "name": "琳琅", "config": wire }),
        r#"{"success":true,"message":"修改成功","data":{"name":"琳琅","update_time":1744281119753}}"#,
    )
    .await;
    let updated = client
        .update_agent(
            &AgentUpdate::new("679f9af935e047639ddb98f35e103e8f")
                .name("琳琅")
                .config(config),
        )
        .await
        .unwrap();
    assert_eq!(updated.message.as_deref(), Some("修改成功"));
    let ms = updated
        .update_time
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    assert_eq!(ms, 1_744_281_119_753);
    let sent: Value =
        serde_json::from_slice(&agents.received_requests().await.unwrap()[0].body).unwrap();
    let inner: Value = serde_json::from_str(sent["config"].as_str().unwrap()).unwrap();
    assert_eq!(
        inner["unknown_key"],
        json!([1]),
        "unknown keys go back as they came"
    );
}

#[tokio::test]
async fn delete_agents_and_unbind_devices_send_arrays() {
    let (base, agents, client) = servers().await;
    expect_once(
        &agents,
        "/equipment/del",
        json!([{"id": "ab6ed07786074f4896d7fbeb9194d08a"}]),
        r#"{"success":true,"message":"删除成功"}"#,
    )
    .await;
    let ack = client
        .delete_agents(&["ab6ed07786074f4896d7fbeb9194d08a"])
        .await
        .unwrap();
    assert_eq!(ack.message.as_deref(), Some("删除成功"));
    expect_once(
        &base,
        "/devices/del",
        json!([{"id": "b93ec353967441ada8d31b4910a3032d"}]),
        r#"{"success":true,"message":"解绑成功"}"#,
    )
    .await;
    client
        .unbind_devices(&["b93ec353967441ada8d31b4910a3032d"])
        .await
        .unwrap();
    expect_once(
        &base,
        "/devices/unbind",
        json!({"api_key": "agent-key", "device_id": "FC:01:2C:DB:14:30"}),
        r#"{"success":true,"message":"解绑成功"}"#,
    )
    .await;
    client
        .unbind_device_by_mac(&SecretString::from("agent-key"), "FC:01:2C:DB:14:30")
        .await
        .unwrap();
    // Refused before sending: no id, a repeated id, a MAC that is a device id.
    assert!(
        client
            .delete_agents::<&str>(&[])
            .await
            .unwrap_err()
            .nothing_sent()
    );
    let twice = ["ab6ed07786074f4896d7fbeb9194d08a"; 2];
    assert!(
        client
            .delete_agents(&twice)
            .await
            .unwrap_err()
            .nothing_sent()
    );
    let err = client
        .unbind_device_by_mac(&SecretString::from("k"), "2cf661bb42b642018ee13af7150b8310")
        .await
        .unwrap_err();
    assert!(err.nothing_sent());
}

#[tokio::test]
async fn list_devices_decodes_the_documented_device_with_its_password_hidden() {
    let (_base, _agents, client) = servers().await;
    let base = MockServer::start().await;
    let client = Client::builder()
        .api_key("open-key")
        .base_url(base.uri())
        .agent_base_url(client.agent_core().base_url().as_str())
        .build()
        .unwrap();
    expect_once(
        &base,
        "/devices/list",
        json!({"device_id": "FC:01:2C:DB:14:30", "is_online": "0"}),
        &format!(r#"{{"success":true,"message":"请求成功","data":[{DEVICE}],"totalNumber":1}}"#),
    )
    .await;
    let page = client
        .list_devices(&DeviceFilter::new().mac("FC:01:2C:DB:14:30").online(false))
        .await
        .unwrap();
    assert_eq!(page.total, Some(1));
    let device = &page.items[0];
    assert_eq!(device.mac.as_deref(), Some("FC:01:2C:DB:14:30"));
    assert_eq!(
        device.agent_id.as_deref(),
        Some("679f9af935e047639ddb98f35e103e8f")
    );
    assert_eq!((device.enabled, device.online), (Some(true), Some(false)));
    assert!(device.api_key.is_none(), "\"\" is no key");
    assert_eq!(device.user_phone.as_deref(), Some("15916888888"));
    assert_eq!(
        device.wifi_pwd.as_ref().unwrap().expose_secret(),
        "lykj987654321"
    );
    assert!(!format!("{device:?}").contains("lykj987654321"));
}

#[tokio::test]
async fn update_device_sends_local_data_as_json_and_maps_the_missing_id_error() {
    let (base, _agents, client) = servers().await;
    let mut local = serde_json::Map::new();
    local.insert("wifi_ssid".into(), "联域科技".into());
    local.insert("wifi_pwd".into(), "lykj987654321".into());
    expect_once(
        &base,
        "/devices/update",
        json!({
            "id": "2cf661bb42b642018ee13af7150b8310", "name": "小琅",
            "wifi_pwd": "lykj987654321",
            "localData": {"wifi_ssid": "联域科技", "wifi_pwd": "lykj987654321"}
        }),
        r#"{"success":true,"message":"修改成功","data":{"name":"小琅","update_time":1744274870626}}"#,
    )
    .await;
    let update = DeviceUpdate::new("2cf661bb42b642018ee13af7150b8310")
        .name("小琅")
        .wifi_pwd("lykj987654321")
        .local_data(local);
    let updated = client.update_device(&update).await.unwrap();
    assert!(updated.update_time.is_some());
    answering_missing(&base, "/devices/update", "id").await;
    let err = client.update_device(&update).await.unwrap_err();
    assert_eq!(voxkit_espai::missing_parameter(&err), Some("id"));
}

#[tokio::test]
async fn plugins_use_the_providers_path_and_decode_the_documented_fields() {
    let (base, _agents, client) = servers().await;
    expect_once(
        &base,
        "/pulgin/select",
        json!({"type": "TTS"}),
        r#"{"success":true,"message":"请求成功","totalNumber":1,"data":[{
            "id":"p1","create_time":1744180100787,"update_time":null,"ext1":null,
            "name":"esp-ai-tts-volcengine","desc":"火山引擎 TTS","npm_url":"https://npm/x",
            "github_url":"https://github/x","websit_url":"https://site/x",
            "config":"[{\"key\":\"voice_type\"}]","type":"TTS","status":1,"star":"5",
            "user_id":"u","label":"TTS","tag":"0,1","unpass_desc":null}]}"#,
    )
    .await;
    let page = client.plugins(PluginType::Tts).await.unwrap();
    let plugin = &page.items[0];
    assert_eq!(plugin.website_url.as_deref(), Some("https://site/x"));
    assert_eq!(plugin.plugin_type, Some(PluginType::Tts));
    assert_eq!(plugin.status, Some(ReviewStatus::Approved));
    assert_eq!(plugin.tags, ["0", "1"]);
    assert_eq!(plugin.star, Some(5));
    assert_eq!(plugin.config, Some(json!([{"key": "voice_type"}])));
    answering_missing(&base, "/pulgin/select", "type").await;
    let err = client.plugins(PluginType::Llm).await.unwrap_err();
    assert_eq!(voxkit_espai::missing_parameter(&err), Some("type"));
}

/// The two hosts `client` sends to: the agent host and the base URL.
fn hosts(client: &Client) -> (&str, &str) {
    (
        client.agent_core().base_url().as_str(),
        client.core().base_url().as_str(),
    )
}

#[test]
fn the_agent_host_follows_the_base_url_unless_set_and_defaults_to_espai2() {
    let client = Client::new("k").unwrap();
    assert_eq!(
        hosts(&client),
        ("https://api.espai2.fun/", "https://api.espai.fun/")
    );
    let client = Client::builder()
        .api_key("k")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert_eq!(hosts(&client).0, "http://127.0.0.1:9/");
    let client = Client::builder()
        .from_lookup(|name| match name {
            "ESPAI_OPEN_API_KEY" => Some("k".into()),
            "ESPAI_AGENT_BASE_URL" => Some(" http://127.0.0.1:8 ".into()),
            _ => None,
        })
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(
        hosts(&client),
        ("http://127.0.0.1:8/", "https://api.espai.fun/")
    );
    let err = Client::builder()
        .api_key("k")
        .agent_base_url("https://api.espai2.fun/v1")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
}
