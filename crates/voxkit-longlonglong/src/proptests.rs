//! Property tests of the response decoder (the same entry point as `fuzz/`): arbitrary
//! bytes, JSON mutations of the documentation's examples and byte edits of them are decoded
//! or refused with a clean error, never a panic.
//!
//! [`voxkit_core::mutation::CASES`] cases per property, each case running every operation's
//! decoder ([`TEST_HOOKS`]). The
//! seed is fixed, so a run is reproducible; `PROPTEST_RNG_SEED=<n>` explores other inputs
//! and `PROPTEST_CASES=<n>` runs more cases.

use proptest::prelude::*;
use serde_json::Value;
use voxkit_core::Error;
use voxkit_core::mutation::config;
use voxkit_core::test_util::DecoderCheck;

use crate::{PROVIDER, TEST_HOOKS};

/// The documentation's answers (and the shapes the wire tests pin down).
const EXAMPLES: &[&str] = &[
    r#"{"code":200,"status":"success","message":"AI外呼充值操作成功","data":[]}"#,
    r#"{"code":10004,"status":"error","message":"用户未开通账单权限","data":[]}"#,
    r#"{ "code": 200, "status": "success", "message": "查看充值记录成功",
  "data": [ { "id": 137, "user_id": "073d8501-b6a3-4869-a87e-71807bfd4fb8", "amounts": 10, "balance": 1584,
              "remark": "测试", "created_at": "2023-10-18 10:09:20", "updated_at": "2023-10-18 10:09:20", "type": "充值" } ] }"#,
    r#"{ "code": 200, "status": "success", "message": "查看子账户信息成功",
  "data": { "id": "91f9254f-ca58-49af-be34-8370d7549d73", "name": "子账户1", "phone": "123456789",
            "email": "123456789@qq.com", "sex": 0, "alias": "账户1", "duty": "员工", "landline_phone": null,
            "qq": null, "wechat": null, "birthday": "2022-07-13",
            "created_at": "2022-07-13 17:12:37", "updated_at": "2022-07-13 17:58:42" } }"#,
    r#"{"code": 200, "status": "success", "message": "添加子账户成功", "data": {"id": "01c80030-28ef-4d0b-a2ef-2475a0504e32", "name": "子账户1", "email": "12345678@qq.com", "phone": "12345678"}}"#,
    r#"{"code": 200, "status": "success", "message": "ok",
  "meta": {"has_pages": true, "total": 31, "last_page": 31, "current_page": 2, "per_page": "1"},
  "data": [{"id": "91f9254f-ca58-49af-be34-8370d7549d73", "name": "子账户1", "phone": "123456789",
            "email": "123456789@qq.com", "sex": 1, "birthday": null, "department": "sales"}]}"#,
    r#"{"code": 200, "status": "success", "message": "注册成功", "data": {"id": 1}}"#,
];

/// `Ok`, or an error that is clean: a decode error with a short printable excerpt, or the
/// provider's error with the code it sent (never the success code 200).
const CHECK: DecoderCheck = DecoderCheck {
    provider: PROVIDER,
    secret: None,
    api_code: |code| code.is_some_and(|c| c != "200"),
};

fn decode_all(body: &[u8]) -> Result<(), TestCaseError> {
    CHECK.every(TEST_HOOKS, body)
}

// ----- JSON mutations --------------------------------------------------------------------

/// Strings that decoders of numbers, dates and ids find hard.
const TRICKY: &[&str] = &[
    "",
    " ",
    "0",
    "-1",
    "200",
    "1e400",
    "9e99999999999",
    "1e-99999999999",
    "NaN",
    "79228162514264337593543950336",
    "-79228162514264337593543950336",
    "0.00000000000000000000000000001",
    "18446744073709551616",
    "-9223372036854775809",
    "2023-10-18 10:09:20",
    "2023-02-30 25:61:61",
    "+262143-12-31 23:59:59",
    "9999-12-31T23:59:59",
    "2022-07-13",
    "１２３",
    "\u{0}",
    "../x",
    "5433b412-07d5-44e6-9fa4-deb65e43bc93",
    "充值",
];

voxkit_core::decoder_properties!(decode_all, EXAMPLES, TRICKY);

proptest! {
    #![proptest_config(config())]

    /// Whatever else the envelope holds, a `code` other than 200 is the provider's error
    /// carrying that code, for every operation.
    #[test]
    fn any_code_but_200_is_the_providers_error(
        mut doc in voxkit_core::mutation::example(EXAMPLES),
        code in prop_oneof![any::<i64>().prop_map(Value::from), "[0-9-]{1,6}".prop_map(Value::String)],
        message in "\\PC{0,20}",
    ) {
        let expected = match &code {
            Value::String(s) => s.trim().to_owned(),
            other => other.to_string(),
        };
        prop_assume!(expected != "200");
        doc["code"] = code;
        doc["message"] = Value::String(message.clone());
        let body = serde_json::to_vec(&doc).expect("serializable");
        for hooks in TEST_HOOKS {
            match hooks.decode_body(200, &body) {
                Err(Error::Api { code, message: got, .. }) => {
                    prop_assert_eq!(code.as_deref(), Some(expected.as_str()));
                    prop_assert_eq!(&got, &message);
                }
                other => prop_assert!(false, "{}: {other:?}", hooks.spec.name),
            }
        }
    }
}

#[test]
fn the_examples_decode_with_their_operations_decoders() {
    let decode = |name: &str, status, example: &str| {
        voxkit_core::declare::hooks_of(TEST_HOOKS, name)
            .expect("declared")
            .decode_body(status, example.as_bytes())
    };
    for name in [
        "recharge",
        "deduct",
        "zero_balance",
        "set_expiry",
        "delete_sub_account",
    ] {
        assert!(decode(name, 200, EXAMPLES[0]).is_ok(), "{name}");
        assert!(matches!(
            decode(name, 200, EXAMPLES[1]),
            Err(Error::Api { .. })
        ));
    }
    assert!(decode("recharge_history", 200, EXAMPLES[2]).is_ok());
    assert!(decode("sub_account", 200, EXAMPLES[3]).is_ok());
    assert!(decode("create_sub_account", 200, EXAMPLES[4]).is_ok());
    assert!(decode("sub_accounts", 200, EXAMPLES[5]).is_ok());
    for name in ["account_info", "token_info", "register_user"] {
        assert!(decode(name, 200, EXAMPLES[6]).is_ok(), "{name}");
    }
    // A list is not one sub-account, one is not a list.
    assert!(decode("sub_account", 200, EXAMPLES[5]).is_err());
    assert!(decode("sub_accounts", 200, EXAMPLES[3]).is_err());
    for hooks in TEST_HOOKS {
        assert!(
            matches!(
                hooks.decode_body(502, b"<html>502 Bad Gateway</html>"),
                Err(Error::Decode { .. })
            ),
            "{}",
            hooks.spec.name
        );
    }
}
