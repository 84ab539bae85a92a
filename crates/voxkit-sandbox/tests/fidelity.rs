//! Issue 18: the sandbox is no more lenient than the providers — card ownership, body caps
//! by route, content types, envelopes for every answer, values formatted as the docs show
//! them, the docs' example ids seeded, business-code faults.

mod common;

use serde_json::{Value, json};
use voxkit_sandbox::{
    DEFAULT_BODY_LIMIT, DOCS_CARD, DOCS_EMPTY_CARD, DOCS_ESPAI_USER, DOCS_EXPIRY_USER, DOCS_USER,
    ESPAI_OPEN_API_KEY, Fault, LONGLONGLONG_TOKEN, Sandbox,
};

use common::{espai_post as espai, http, laaffic_now, status_and_json};

/// A longlonglong request with the sandbox token, as (HTTP status, JSON body).
async fn lll(
    sandbox: &Sandbox,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Option<String>,
) -> (u16, Value) {
    let mut request = http()
        .request(method.parse().unwrap(), format!("{}{path}", sandbox.url()))
        .header("Authorization", format!("Bearer {LONGLONGLONG_TOKEN}"));
    if let Some(t) = content_type {
        request = request.header("Content-Type", t);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    status_and_json(request.send().await.unwrap()).await
}

/// The transfer example's body: `limit` from the card `wNaa1GDw` of 15916888888 to the
/// card `3AoPbLSQ` of 17516888888.
fn docs_transfer(limit: &str) -> Value {
    json!({"phone": "15916888888", "code": "wNaa1GDw", "target_phone": "17516888888",
           "target_code": "3AoPbLSQ", "limit": limit})
}

fn unknown_card() -> Value {
    json!({"success": false, "message": "额度卡不存在"})
}

/// Posts `body` to `path` with the sandbox's key; the answer must be the docs' one for
/// an unknown card.
async fn assert_unknown_card(sandbox: &Sandbox, path: &str, body: Value) {
    let (_, answer) = espai(sandbox, path, body.clone()).await;
    assert_eq!(answer, unknown_card(), "{path} {body}");
}

/// Item 1: another account's card (`3AoPbLSQ` of 17516888888, the transfer example's
/// target) cannot be read, drained, destroyed or have its log read with this key: the
/// answer is the docs' one for an unknown card, and nothing changes. (Before: detail read
/// it, transfer drained it, destroy destroyed it, balance_logs showed its rows.)
#[tokio::test]
async fn another_accounts_card_is_an_unknown_card() {
    let sandbox = Sandbox::start().await.unwrap();
    // Give the stranger's card something to drain, and a usage-log row of its own.
    let (_, given) = espai(&sandbox, "/cdkey/transfer", docs_transfer("10")).await;
    assert_eq!(given["success"], json!(true), "{given}");
    let theirs = sandbox.espai_card("3AoPbLSQ").unwrap();
    assert_eq!(theirs.quota, 60);

    assert_unknown_card(
        &sandbox,
        "/cdkey/detail",
        json!({"phone": "17516888888", "code": "3AoPbLSQ"}),
    )
    .await;

    assert_unknown_card(
        &sandbox,
        "/cdkey/transfer",
        json!({"phone": "17516888888", "code": "3AoPbLSQ", "target_phone": "15916888888",
               "target_code": "wNaa1GDw", "limit": "60"}),
    )
    .await;
    assert_eq!(sandbox.espai_card("3AoPbLSQ").unwrap().quota, 60);

    assert_unknown_card(
        &sandbox,
        "/cdkey/balance_logs",
        json!([{"id": theirs.id, "page": "1", "limit": "10"}]),
    )
    .await;
    // Unfiltered, the log shows only this account's rows (the giving side).
    let (_, all) = espai(&sandbox, "/cdkey/balance_logs", json!([{}])).await;
    let rows = all["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{all}");
    assert_eq!(rows[0]["user_id"], json!(DOCS_ESPAI_USER));
    assert_eq!(rows[0]["type"], json!("2"));

    // Drained to zero by its owner, it would be destroyable, but not with this key.
    sandbox.add_espai_card("17516888888", "Zero0000", "1", 0);
    let zero = sandbox.espai_card("Zero0000").unwrap();
    assert_unknown_card(&sandbox, "/cdkey/destroy", json!([{"id": zero.id}])).await;
    assert!(sandbox.espai_card("Zero0000").is_some());
    // All or nothing: with an own empty card in the same call, neither goes.
    assert_unknown_card(
        &sandbox,
        "/cdkey/destroy",
        json!([{"id": DOCS_EMPTY_CARD}, {"id": zero.id}]),
    )
    .await;
    assert!(
        sandbox
            .espai_cards()
            .iter()
            .any(|c| c.id == DOCS_EMPTY_CARD)
    );
}

/// Item 2: a Laaffic task with the documented 200 000 numbers arrives whole and is
/// created; one more number is the sandbox's own `-7` (the body is not cut off first); a
/// body over a route's cap is `413` in the provider's envelope. (Before: everything over
/// 2 MiB was `413 text/plain`, so `-7` could never fire.)
#[tokio::test]
async fn bodies_up_to_the_documented_maxima_arrive() {
    let sandbox = Sandbox::start().await.unwrap();
    let task = |n: usize, name: &str| {
        let numbers: Vec<Value> = (0..n)
            .map(|i| json!({"calleeNumber": format!("86135{i:08}")}))
            .collect();
        json!({"appId": "4luaKsL2", "taskName": name, "source": 1,
               "voiceFileId": sandbox.seed().laaffic_voice_file, "numberInfoList": numbers})
    };
    let big = task(200_000, "two hundred thousand");
    assert!(big.to_string().len() > DEFAULT_BODY_LIMIT);
    let (status, created) =
        laaffic_now(&sandbox, "POST", "/v3/voice/group/call/send", Some(big)).await;
    assert_eq!(
        (status, &created["status"]),
        (200, &json!("0")),
        "{created}"
    );
    let (_, too_many) = laaffic_now(
        &sandbox,
        "POST",
        "/v3/voice/group/call/send",
        Some(task(200_001, "one too many")),
    )
    .await;
    assert_eq!(too_many["status"], json!("-7"), "{too_many}");

    // A voice upload of 1.6 MB (2.1 MB in base64) arrives: its name is then taken (-20),
    // which only a body read whole can tell.
    let file = "A".repeat(2_200_000);
    let (status, upload) = laaffic_now(
        &sandbox,
        "POST",
        "/v3/voice/fileUpload",
        Some(json!({"fileName": "seed-voice.mp3", "file": file})),
    )
    .await;
    assert_eq!(
        (status, &upload["status"]),
        (200, &json!("-20")),
        "{upload}"
    );

    // Over the cap of a route without large bodies: 413 in each provider's envelope.
    let padding = "x".repeat(DEFAULT_BODY_LIMIT + 1);
    let (status, body) = lll(
        &sandbox,
        "PUT",
        &format!("/agent-api/user/{DOCS_USER}/recharge"),
        Some("application/json"),
        Some(json!({"amount": 1, "remark": padding}).to_string()),
    )
    .await;
    assert_eq!(status, 413);
    assert_eq!(
        (&body["code"], &body["status"]),
        (&json!(413), &json!("error"))
    );
    assert_eq!(sandbox.longlonglong_balance(DOCS_USER), Some(1000));
    let (status, body) = espai(&sandbox, "/cdkey/list", json!({"user_name": padding})).await;
    assert_eq!((status, &body["success"]), (413, &json!(false)), "{body}");
    let (status, body) = laaffic_now(
        &sandbox,
        "POST",
        "/v3/voice/group/call/query",
        Some(json!({"current": 1, "size": 1, "params": {"searchCondition": padding}})),
    )
    .await;
    assert_eq!((status, &body["code"]), (413, &json!("-22")), "{body}");
}

/// Item 3: a JSON body sent as form data, as text or without a type is not applied and
/// is refused in the provider's envelope; with `application/json;charset=UTF-8` it is.
#[tokio::test]
async fn a_body_not_declared_json_is_not_applied() {
    let sandbox = Sandbox::start().await.unwrap();
    let path = format!("/agent-api/user/{DOCS_USER}/recharge");
    let body = json!({"amount": 5}).to_string();
    for content_type in [
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        None,
    ] {
        let (status, answer) = lll(&sandbox, "PUT", &path, content_type, Some(body.clone())).await;
        assert_eq!(status, 415, "{content_type:?}");
        assert_eq!(answer["status"], json!("error"), "{answer}");
    }
    assert_eq!(sandbox.longlonglong_balance(DOCS_USER), Some(1000));
    let (status, answer) = lll(
        &sandbox,
        "PUT",
        &path,
        Some("application/json;charset=UTF-8"),
        Some(body),
    )
    .await;
    assert_eq!((status, &answer["code"]), (200, &json!(200)), "{answer}");
    assert_eq!(sandbox.longlonglong_balance(DOCS_USER), Some(1005));

    let response = http()
        .post(format!("{}/cdkey/transfer", sandbox.url()))
        .header("authorization", ESPAI_OPEN_API_KEY)
        .header("Content-Type", "text/plain")
        .body(
            json!({"phone": "15916888888", "code": "wNaa1GDw", "target_phone": "17516888888",
                   "target_code": "3AoPbLSQ", "limit": "1"})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
    let answer: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(
        (&answer["success"], &answer["code"]),
        (&json!(false), &json!(500))
    );
    assert_eq!(sandbox.espai_card("wNaa1GDw").unwrap().quota, 500);
}

/// Item 4: 404, 405 and injected faults are JSON (the provider's envelope for a 4xx);
/// the payment URL's page exists and uses the public URL.
#[tokio::test]
async fn every_answer_is_json_and_the_pay_page_exists() {
    let sandbox = Sandbox::builder()
        .public_url("http://sandbox.example:9000/")
        .start()
        .await
        .unwrap();
    let (status, body) = lll(&sandbox, "GET", "/agent-api/nowhere", None, None).await;
    assert_eq!(
        (status, &body["code"], &body["status"]),
        (404, &json!(404), &json!("error"))
    );
    let (status, body) = lll(
        &sandbox,
        "GET",
        &format!("/agent-api/user/{DOCS_USER}/recharge"),
        None,
        None,
    )
    .await;
    assert_eq!((status, &body["code"]), (405, &json!(405)), "{body}");
    let (status, body) = laaffic_now(&sandbox, "GET", "/v3/nowhere", None).await;
    assert_eq!((status, &body["status"]), (404, &json!("-22")), "{body}");
    let (status, body) = espai(&sandbox, "/cdkey/nowhere", json!({})).await;
    assert_eq!((status, &body["success"]), (404, &json!(false)), "{body}");

    sandbox.set_fault(
        "espai.list",
        Fault::default().error(1.0, 503).retry_after(1),
    );
    let response = http()
        .post(format!("{}/cdkey/list", sandbox.url()))
        .header("authorization", ESPAI_OPEN_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value =
        serde_json::from_slice(&response.bytes().await.unwrap()).expect("JSON, not HTML");
    assert_eq!(body, json!({"message": "Service Unavailable"}));
    sandbox.clear_faults();

    let (_, paid) = espai(
        &sandbox,
        "/order/pay",
        json!({"commodity_id": "1", "commodity_type": "0"}),
    )
    .await;
    let url = paid["data"].as_str().unwrap();
    assert!(
        url.starts_with("http://sandbox.example:9000/sandbox/pay?"),
        "{url}"
    );
    let local = url.replace("http://sandbox.example:9000", &sandbox.url());
    let page = http().get(local).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("SANDBOX00000001"));
}

/// Item 5: values formatted as the docs' examples: the Laaffic balance strings, pause and
/// cancel's string `"0"`.
#[tokio::test]
async fn values_are_formatted_as_the_docs_show_them() {
    let sandbox = Sandbox::start().await.unwrap();
    let (_, balance) = laaffic_now(&sandbox, "GET", "/v3/getBalance", None).await;
    assert_eq!(
        balance,
        json!({"status": "0", "reason": "success", "balance": "99.990000", "gift": "50.00000", "credit": "0"})
    );
    let task = sandbox.seed().laaffic_scheduled_task;
    for (path, key) in [
        ("/v3/voice/group/call/provisional", "jobIdList"),
        ("/v3/voice/group/call/cancel", "taskIdList"),
    ] {
        let (_, answer) = laaffic_now(&sandbox, "POST", path, Some(json!({key: [task]}))).await;
        assert_eq!(
            answer,
            json!({"code": "0", "msg": "success", "data": null}),
            "{path}"
        );
    }
}

/// Item 6: the docs' example ids exist in the seeded state.
#[tokio::test]
async fn the_docs_example_ids_are_seeded() {
    let sandbox = Sandbox::start().await.unwrap();
    assert_eq!(sandbox.seed().longlonglong_user, DOCS_USER);
    assert_eq!(sandbox.longlonglong_balance(DOCS_USER), Some(1000));
    assert!(sandbox.longlonglong_user(DOCS_EXPIRY_USER).is_some());
    let card = sandbox.espai_card("wNaa1GDw").unwrap();
    assert_eq!(
        (card.id.as_str(), card.user_id.as_str()),
        (DOCS_CARD, DOCS_ESPAI_USER)
    );
    assert_eq!(sandbox.seed().espai_empty_card_id, DOCS_EMPTY_CARD);
    let (_, detail) = espai(
        &sandbox,
        "/cdkey/detail",
        json!({"code": "wNaa1GDw", "phone": "15916888888"}),
    )
    .await;
    assert_eq!(detail["data"]["id"], json!(DOCS_CARD));
    assert_eq!(detail["data"]["api_limit"], json!(500));
    assert_eq!(detail["data"]["user_phone"], json!(15916888888u64));
    assert_eq!(sandbox.seed().laaffic_task, 5_000_602);
    assert_eq!(
        sandbox.seed().laaffic_voice_file,
        "1202202254d4c6372d6f341e999c7ecd0683ee464.mp3"
    );
}

/// Item 9: the providers' business refusals can be injected per route, answered with
/// HTTP 200 in the provider's envelope without handling; a code the route's provider does
/// not have is refused when set.
#[tokio::test]
async fn business_codes_are_injected_per_route() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.set_fault(
        "laaffic.balance",
        Fault::default().code(1.0, "-13").times(1),
    );
    let (status, body) = laaffic_now(&sandbox, "GET", "/v3/getBalance", None).await;
    assert_eq!(
        (status, body),
        (200, json!({"status": "-13", "reason": "用户被锁定"}))
    );
    let (_, body) = laaffic_now(&sandbox, "GET", "/v3/getBalance", None).await;
    assert_eq!(body["status"], json!("0"), "used up");

    sandbox.set_fault("laaffic.tasks", Fault::default().code(1.0, "-2"));
    let (_, body) = laaffic_now(
        &sandbox,
        "POST",
        "/v3/voice/group/call/query",
        Some(json!({"current": 1, "size": 1, "params": {}})),
    )
    .await;
    assert_eq!(
        body,
        json!({"code": "-2", "msg": "Ip访问受限", "data": null}),
        "family B"
    );

    sandbox.set_fault("longlonglong.recharge", Fault::default().code(1.0, "6007"));
    let (status, body) = lll(
        &sandbox,
        "PUT",
        &format!("/agent-api/user/{DOCS_USER}/recharge"),
        Some("application/json"),
        Some(json!({"amount": 1}).to_string()),
    )
    .await;
    assert_eq!(
        (status, &body["code"], &body["status"]),
        (200, &json!(6007), &json!("error"))
    );
    assert_eq!(
        sandbox.longlonglong_balance(DOCS_USER),
        Some(1000),
        "not handled"
    );

    sandbox.set_fault("espai.transfer", Fault::default().code(1.0, "500"));
    let (_, body) = espai(&sandbox, "/cdkey/transfer", docs_transfer("1")).await;
    assert_eq!(
        (&body["success"], &body["code"]),
        (&json!(false), &json!(500))
    );
    assert_eq!(sandbox.espai_card("wNaa1GDw").unwrap().quota, 500);

    for (route, code) in [
        ("laaffic.balance", "6007"),
        ("espai.list", "-2"),
        ("*", "500"),
        ("longlonglong.recharge", "10004"),
    ] {
        assert!(
            sandbox
                .try_set_fault(route, Fault::default().code(1.0, code))
                .is_err(),
            "{route} {code}"
        );
    }
}
