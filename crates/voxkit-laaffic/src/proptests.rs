//! Property tests of the decoders (the same entry points as `fuzz/`): the balance envelope
//! with its `Date` header, every other operation's answer (both envelope families), the
//! pushed call report, and the status parser. Arbitrary bytes, JSON mutations of the
//! documentation's examples and byte edits of them are decoded or refused with a clean
//! error, never a panic.
//!
//! [`voxkit_core::mutation::CASES`] cases per property. The seed is fixed, so a run is reproducible;
//! `PROPTEST_RNG_SEED=<n>` explores other inputs and `PROPTEST_CASES=<n>` runs more cases.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;
use serde_json::Value;
use voxkit_core::Error;
use voxkit_core::mutation::{apply, apply_bytes, byte_edits, config};
use voxkit_core::test_util::DecoderCheck;

use crate::__fuzz::{decode_answer, decode_balance, decode_report, parse_status};
use crate::{PROVIDER, Status, TEST_HOOKS};

/// The documentation's answers.
const EXAMPLES: &[&str] = &[
    r#"{ "status": "0", "reason": "success", "balance": "99.990000", "gift": "50.00000", "credit": "0" }"#,
    r#"{"status":0,"reason":"success","balance":12.5,"gift":0,"credit":"3"}"#,
    r#"{"status":"-16","reason":"超出时间范围限制"}"#,
    r#"{"status":"-1","reason":"认证错误"}"#,
];

/// `Ok`, or an error that is clean: a decode error with a short printable excerpt, or the
/// provider's error with the status it sent (never a success status).
const CHECK: DecoderCheck = DecoderCheck {
    provider: PROVIDER,
    secret: None,
    api_code: |code| !parse_status(code.unwrap_or_default()).is_success(),
};

/// [`CHECK`] on one decoder's result.
fn check<T>(result: &Result<T, Error>) -> Result<(), TestCaseError> {
    CHECK.result("decoder", result)
}

// ----- JSON mutations --------------------------------------------------------------------

/// Strings that decoders of numbers and statuses find hard.
const TRICKY: &[&str] = &[
    "",
    " ",
    "0",
    " 0 ",
    "-0",
    "+0",
    "00",
    "-16",
    "1e400",
    "9e99999999999",
    "1e-99999999999",
    "NaN",
    "79228162514264337593543950336",
    "-79228162514264337593543950336",
    "0.00000000000000000000000000001",
    "99.990000",
    "9223372036854775808",
    "-9223372036854775809",
    "１２３",
    "\u{0}",
];

/// A `Date` header: a real HTTP date, a mangled one, or arbitrary bytes.
fn date_header() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        (0u64..=253_402_300_799)
            .prop_map(
                |s| httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(s)).into_bytes()
            ),
        "[A-Za-z0-9 ,:-]{0,40}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..40),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_decode_or_fail_cleanly(
        date in date_header(),
        body in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        check(&decode_balance(&date, &body).0)?;
    }

    #[test]
    fn mutated_doc_examples_decode_or_fail_cleanly(
        mut doc in voxkit_core::mutation::example(EXAMPLES),
        edits in voxkit_core::mutation::edits(TRICKY),
        date in date_header(),
    ) {
        for (at, edit) in edits {
            apply(&mut doc, at, edit);
        }
        let body = serde_json::to_vec(&doc).expect("serializable");
        let (result, server_date) = decode_balance(&date, &body);
        check(&result)?;
        if server_date.is_some() {
            prop_assert_eq!(
                Status::of(result.as_ref().expect_err("only -16 learns the date")),
                Some(Status::TimestampOutOfRange)
            );
        }
    }

    #[test]
    fn byte_edited_doc_examples_decode_or_fail_cleanly(
        doc in prop::sample::select(EXAMPLES),
        edits in byte_edits(),
        date in date_header(),
    ) {
        let mut bytes = doc.as_bytes().to_vec();
        for edit in edits {
            apply_bytes(&mut bytes, edit);
        }
        check(&decode_balance(&date, &bytes).0)?;
    }

    /// The status parser: documented codes (as text or number, spaces around) are their
    /// variant, anything else is kept as sent; never a panic.
    #[test]
    fn status_parser_is_total(text in prop_oneof![
        "\\PC{0,12}",
        any::<i64>().prop_map(|n| n.to_string()),
        (-80i64..=5, "[ \t]{0,2}").prop_map(|(n, pad)| format!("{pad}{n}{pad}")),
        prop::sample::select(TRICKY).prop_map(str::to_owned),
    ]) {
        let status = parse_status(&text);
        let trimmed = text.trim();
        match trimmed.parse::<i64>().ok().and_then(|n| {
            Status::DOCUMENTED.iter().find(|s| s.code().map(i64::from) == Some(n))
        }) {
            Some(documented) => prop_assert_eq!(&status, documented),
            None => prop_assert_eq!(&status, &Status::Unknown(trimmed.to_owned())),
        }
        prop_assert_eq!(status.is_success(), status == Status::Success);
    }

    /// A `-16` answer with a valid `Date` hands the skew correction that exact time.
    #[test]
    fn minus_16_learns_the_servers_date(secs in 0u64..=253_402_300_799, numeric in any::<bool>()) {
        let at = UNIX_EPOCH + Duration::from_secs(secs);
        let body: &[u8] = if numeric {
            br#"{"status":-16,"reason":"x"}"#
        } else {
            br#"{"status":" -16 ","reason":"x"}"#
        };
        let (result, learnt) = decode_balance(httpdate::fmt_http_date(at).as_bytes(), body);
        prop_assert_eq!(learnt, Some(at));
        prop_assert_eq!(Status::of(&result.expect_err("-16 is an error")), Some(Status::TimestampOutOfRange));
    }
}

/// The documentation's IVR answers (both families; cut examples completed), each with the
/// operation that receives it.
const IVR_EXAMPLES: &[(&str, &str)] = &[
    (
        "upload_voice_file",
        r#"{ "status": "0", "reason": "success", "data": "1202202254d4c6372d6f341e999c7ecd0683ee464.mp3" }"#,
    ),
    (
        "create_task",
        r#"{"status":"0","reason":"success","data":5000602}"#,
    ),
    (
        "resend_task",
        r#"{ "status": "0", "reason": "success", "data": 123123 }"#,
    ),
    (
        "query_tasks",
        r#"{ "code": 0, "msg": "success", "data": { "records": [ { "jobId": 5000602, "taskName": "2024-06-04 14:49:17111", "status": 0, "rate": "0", "numCnt": 1, "callNum": 0, "success": 0, "fail": 0, "createdTime": "2024-06-04 14:49:17" } ] } }"#,
    ),
    (
        "task_detail",
        r#"{"code":"0","msg":"success","data":{"jobId":1,"status":2,"source":3,"lan":"EN","sendTime":"2024-06-04 14:49:17","successRate":"80%"}}"#,
    ),
    (
        "pause_tasks",
        r#"{ "code": "0", "msg": "success", "data": null }"#,
    ),
    (
        "cancel_tasks",
        r#"{ "code": "-24", "msg": "Data unexisting", "data": null }"#,
    ),
    (
        "call_record",
        r#"{ "status": "0", "reason": "success", "data": { "voiceId": "2203031113381000002", "callee": "8613500000000", "displayNum": "1008122211", "code": "Afghanistan(Kandahar)", "submitTime": "2022-02-18T14:42:40+08:00", "callDuration": 5, "chargedDuration": 5, "terminationCode": "200", "terminationReason": "success", "costEur": "2" } }"#,
    ),
    (
        "call_records",
        r#"{"status":0,"reason":"success","data":{"total":1,"size":25,"current":1,"pages":1,"searchCount":true,"records":[{"voiceId":"1","cost":"0.0100","hangupTime":"2022-02-18T14:42:55+08:00"}]}}"#,
    ),
];

/// A pushed call report (the English sample's first fields, completed).
const REPORT: &str = r#"{"voiceId":"22121121451211349002","type":1,"callee":"63123456788","displayNum":"6311012125","submitTime":1670744721000,"cost":"0.02","ringDuration":"2","callStatus":50}"#;

fn ivr_example() -> impl Strategy<Value = (&'static str, Value)> {
    prop::sample::select(IVR_EXAMPLES).prop_map(|(op, text)| {
        (
            op,
            serde_json::from_str(text).expect("the examples are JSON"),
        )
    })
}

proptest! {
    #![proptest_config(config())]

    /// Every operation's decoder on arbitrary bytes.
    #[test]
    fn every_decoder_on_arbitrary_bytes(
        at in any::<usize>(),
        body in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let hooks = TEST_HOOKS[at % TEST_HOOKS.len()];
        check(&hooks.decode_body(200, &body))?;
    }

    /// Every operation's decoder on mutations of every IVR example (each decoder is fed
    /// every example, the other family's included).
    #[test]
    fn every_decoder_on_mutated_ivr_examples(
        (_, mut doc) in ivr_example(),
        at in any::<usize>(),
        edits in voxkit_core::mutation::edits(TRICKY),
    ) {
        for (node, edit) in edits {
            apply(&mut doc, node, edit);
        }
        let hooks = TEST_HOOKS[at % TEST_HOOKS.len()];
        let body = serde_json::to_vec(&doc).expect("serializable");
        check(&hooks.decode_body(200, &body))?;
    }

    /// Byte edits of the IVR examples.
    #[test]
    fn every_decoder_on_byte_edited_ivr_examples(
        (operation, doc) in prop::sample::select(IVR_EXAMPLES),
        edits in byte_edits(),
    ) {
        let mut bytes = doc.as_bytes().to_vec();
        for edit in edits {
            apply_bytes(&mut bytes, edit);
        }
        check(&decode_answer(operation, &bytes))?;
    }

    /// The report decoder never panics, and mutations of the sample decode or fail.
    #[test]
    fn report_decoder_is_total(
        body in prop::collection::vec(any::<u8>(), 0..400),
        edits in voxkit_core::mutation::edits(TRICKY),
        many in any::<bool>(),
    ) {
        let _ = decode_report(&body);
        let mut doc: Value = serde_json::from_str(REPORT).expect("JSON");
        for (node, edit) in edits {
            apply(&mut doc, node, edit);
        }
        if many {
            doc = Value::Array(vec![doc]);
        }
        let body = serde_json::to_vec(&doc).expect("serializable");
        if let Ok(reports) = decode_report(&body) {
            // One report per object: the object itself, or each item of an array.
            let expected = match &doc {
                Value::Array(items) => items.len(),
                _ => 1,
            };
            prop_assert_eq!(reports.len(), expected);
        }
    }
}

#[test]
fn every_ivr_example_decodes_with_its_operation() {
    for (operation, text) in IVR_EXAMPLES {
        let result = decode_answer(operation, text.as_bytes());
        if *operation == "cancel_tasks" {
            assert_eq!(Status::of(&result.unwrap_err()), Some(Status::DataNotFound));
        } else {
            result.unwrap_or_else(|e| panic!("{operation}: {e}"));
        }
    }
    // Every declared operation has its decoder, and the example of each answer above
    // names a declared operation.
    assert_eq!(TEST_HOOKS.len(), crate::OPERATIONS.len());
    for hooks in TEST_HOOKS {
        let err = decode_answer(hooks.spec.name, b"{}").unwrap_err();
        assert!(
            matches!(err, Error::Decode { .. }),
            "{}: {err:?}",
            hooks.spec.name
        );
    }
    assert!(matches!(
        decode_answer("nope", b"{}"),
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(decode_report(REPORT.as_bytes()).unwrap().len(), 1);
}

#[test]
fn the_examples_decode() {
    let date = httpdate::fmt_http_date(SystemTime::UNIX_EPOCH);
    let (ok, _) = decode_balance(date.as_bytes(), EXAMPLES[0].as_bytes());
    assert_eq!(ok.unwrap().balance, rust_decimal::Decimal::new(9999, 2));
    assert!(decode_balance(b"", EXAMPLES[1].as_bytes()).0.is_ok());
    let (err, learnt) = decode_balance(date.as_bytes(), EXAMPLES[2].as_bytes());
    assert_eq!(
        Status::of(&err.unwrap_err()),
        Some(Status::TimestampOutOfRange)
    );
    assert_eq!(learnt, Some(SystemTime::UNIX_EPOCH));
    assert!(matches!(
        decode_balance(b"", b"<html>502</html>").0,
        Err(Error::Decode { .. })
    ));
}
