//! Property tests of the response decoder (the same entry point as `fuzz/`): arbitrary
//! bytes, JSON mutations of the documentation's examples and byte edits of them are decoded
//! or refused with a clean error, never a panic, and the key never survives in an error.
//!
//! [`voxkit_core::mutation::CASES`] cases per property, each case running every
//! operation's decoder ([`TEST_HOOKS`], which scrub [`TEST_KEY`] as the client scrubs its
//! key). The
//! seed is fixed, so a run is reproducible; `PROPTEST_RNG_SEED=<n>` explores other inputs
//! and `PROPTEST_CASES=<n>` runs more cases.

use proptest::prelude::*;
use serde_json::Value;
use voxkit_core::Error;
use voxkit_core::mutation::config;
use voxkit_core::test_util::DecoderCheck;

use crate::{PROVIDER, TEST_HOOKS, TEST_KEY as KEY};

/// The documentation's answers.
const EXAMPLES: &[&str] = &[
    r#"{ "message": "请求成功",
  "data": [ { "id": "772868ead56c48d68fd1924aa5ec3aac", "create_time": 1743506056109,
              "update_time": null, "code": "wNaa1GDw",
              "user_id": "87215a4192654cea8781a1a596d23cae", "api_limit": 500,
              "type": "0", "user_phone": 15916888888, "user_name": "琳琅" } ],
  "totalNumber": 1, "success": true }"#,
    r#"{ "success": true, "message": "请求成功",
  "data": { "id": "772868ead56c48d68fd1924aa5ec3aac", "create_time": 1743506056109,
            "update_time": null, "code": "wNaa1GDw",
            "user_id": "87215a4192654cea8781a1a596d23cae", "api_limit": 500,
            "type": "0", "user_phone": 15916888888, "user_name": "琳琅" } }"#,
    r#"{ "success": true, "message": "请求成功",
  "data": [ { "id": "a52cd323fa2e452cb902a16c668f0xxx", "create_time": 1749551694870,
              "type": "2", "user_id": "1991d099eaa5470daeb6f1e5a1726xxx",
              "cdkey_id": "dd3d910b08e4405e88242ca7f8f86xxx", "api_limit": 1,
              "user_name": "琳琅", "user_email": "", "user_phone": "15916888888" } ],
  "totalNumber": 19 }"#,
    r#"{ "success": true, "message": "请求成功" }"#,
    r#"{ "success": true, "message": "删除成功" }"#,
    r#"{"success":true,"data":"https://pay.phpwc.cn/submit.php?buyer_id=87215a4192654cea8781a1a596d23cae&money=8.8&out_trade_no=20250410094846975&type=alipay"}"#,
    r#"{ "success": false, "message": "系统错误：xxx", "code": 500 }"#,
    r#"{ "success": false, "message": "缺失参数：commodity_id", "code": 401 }"#,
    r#"{ "success": false, "message": "额度卡不存在" }"#,
];

/// `Ok`, or an error that is clean: a decode error with a short printable excerpt, or the
/// provider's error (any code); in neither the key.
const CHECK: DecoderCheck = DecoderCheck {
    provider: PROVIDER,
    secret: Some(KEY),
    api_code: |_| true,
};

fn decode_all(body: &[u8]) -> Result<(), TestCaseError> {
    CHECK.every(TEST_HOOKS, body)
}

// ----- JSON mutations --------------------------------------------------------------------

/// Strings that decoders of numbers, timestamps and codes find hard, and the key.
const TRICKY: &[&str] = &[
    "",
    " ",
    "0",
    "-1",
    "500",
    "500.0",
    "1e400",
    "9e99999999999",
    "NaN",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775809",
    "170141183460469231731687303715884105728",
    "9223372036854775807",
    "-9223372036854775808",
    "１２３",
    "\u{0}",
    "true",
    "null",
    KEY,
    "key=SENTINEL-KEY-5c2e;",
];

voxkit_core::decoder_properties!(decode_all, EXAMPLES, TRICKY);

proptest! {
    #![proptest_config(config())]

    /// `"success": false` is the provider's error whatever else the envelope holds, with
    /// the code as text and the message (both trimmed, as core's decoder reads them), the
    /// key scrubbed from both.
    #[test]
    fn success_false_is_the_providers_error(
        mut doc in voxkit_core::mutation::example(EXAMPLES),
        code in prop_oneof![
            Just(Value::Null),
            any::<i64>().prop_map(Value::from),
            "[0-9A-Z_-]{1,6}".prop_map(Value::String),
            Just(Value::String(KEY.to_owned())),
        ],
        message in "\\PC{0,20}",
        echo_key in any::<bool>(),
    ) {
        let message = if echo_key { format!("{message}{KEY}") } else { message };
        doc["success"] = Value::Bool(false);
        doc["code"] = code.clone();
        doc["message"] = Value::String(message.clone());
        let body = serde_json::to_vec(&doc).expect("serializable");
        let expected_code = match &code {
            Value::Null => None,
            Value::String(s) => Some(s.trim().replace(KEY, "[redacted]")),
            other => Some(other.to_string()),
        };
        for hooks in TEST_HOOKS {
            match hooks.decode_body(200, &body) {
                Err(Error::Api { code, message: got, .. }) => {
                    prop_assert_eq!(&code, &expected_code);
                    prop_assert_eq!(got, message.trim().replace(KEY, "[redacted]"));
                }
                other => prop_assert!(false, "{}: {other:?}", hooks.spec.name),
            }
        }
    }
}

/// Each documented answer decodes with the hooks of the operation it answers; the
/// documented errors are the provider's errors for every operation; an HTML page is not.
#[test]
fn every_operation_decodes_its_documented_answer() {
    let answers = [
        ("list_cards", EXAMPLES[0]),
        ("card_detail", EXAMPLES[1]),
        ("balance_logs", EXAMPLES[2]),
        ("transfer", EXAMPLES[3]),
        ("destroy", EXAMPLES[4]),
        ("pay", EXAMPLES[5]),
        // Sections B–D (agents, devices, plugins), their documented answers abridged.
        (
            "list_agents",
            r#"{"success":true,"message":"请求成功","data":[{"id":"679f9af935e047639ddb98f35e103e8f","sort":99,"create_time":1744180100787,"name":"琳琅","type":"0","config":"{\"connected_reply\":\"服务连接成功。\"}","api_key":"设备的api_key","enable":"1","api_limit":61,"server_port":8080}]}"#,
        ),
        (
            "add_agent",
            r#"{"success":true,"message":"新增成功","data":{"id":"679f9af935e047639ddb98f35e103e8f","sort":"99","name":"琳琅1","enable":"1"}}"#,
        ),
        (
            "update_agent",
            r#"{"success":true,"message":"修改成功","data":{"name":"琳琅","update_time":1744281119753}}"#,
        ),
        ("delete_agents", r#"{"success":true,"message":"删除成功"}"#),
        (
            "list_devices",
            r#"{"success":true,"message":"请求成功","data":[{"id":"2cf661bb42b642018ee13af7150b8310","api_key":"","enable":"1","is_online":"0","device_id":"FC:01:2C:DB:14:30","wifi_pwd":"lykj987654321","type":null,"user_phone":15916888888}],"totalNumber":1}"#,
        ),
        (
            "update_device",
            r#"{"success":true,"message":"修改成功","data":{"name":"小琅","update_time":1744274870626}}"#,
        ),
        ("unbind_devices", r#"{"success":true,"message":"解绑成功"}"#),
        (
            "unbind_device_mac",
            r#"{"success":true,"message":"解绑成功"}"#,
        ),
        (
            "list_plugins",
            r#"{"success":true,"message":"请求成功","totalNumber":1,"data":[{"id":"p1","name":"esp-ai-llm","type":"LLM","status":"1","tag":"0","websit_url":"https://x","config":"[]"}]}"#,
        ),
    ];
    for hooks in TEST_HOOKS {
        let name = hooks.spec.name;
        let answer = answers.iter().find(|(n, _)| *n == name).map(|(_, a)| *a);
        let answer = answer.unwrap_or_else(|| panic!("{name} has no documented answer here"));
        hooks.decode_body(200, answer.as_bytes()).unwrap();
        for error in &EXAMPLES[6..] {
            let err = hooks.decode_body(200, error.as_bytes()).unwrap_err();
            assert!(matches!(err, Error::Api { .. }), "{name}: {err:?}");
        }
        let err = hooks
            .decode_body(502, b"<html>502 Bad Gateway</html>")
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{name}: {err:?}");
    }
}
