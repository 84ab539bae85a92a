//! The sandbox's rules end to end, through the real SDK clients over loopback, and its
//! fault modes.

mod common;

use std::time::Duration;

use chrono::{Days, NaiveDate};
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use voxkit_core::RetryPolicy;
use voxkit_espai::{BalanceLogQuery, CardFilter, CardKey, CardType, Commodity, OrderKind};
use voxkit_longlonglong::{
    Code, NewSubAccount, NewUser, RechargeHistoryQuery, RecordKind, Sex, SubAccountQuery, UserId,
};
use voxkit_sandbox::{
    ESPAI_OPEN_API_KEY, Fault, LAAFFIC_API_KEY, LAAFFIC_API_SECRET, LONGLONGLONG_TOKEN, ROUTES,
    Sandbox,
};

use common::{
    espai_client as espai, http as raw, laaffic_client as laaffic, longlonglong_client as lll,
};

fn user(sandbox: &Sandbox) -> UserId {
    sandbox.seed().longlonglong_user.parse().unwrap()
}

/// The JSON of a raw answer.
async fn json_of(response: voxkit_core::reqwest::Response) -> Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

/// A raw request (what the SDK refuses to send) with the sandbox token to the seeded
/// user's `/agent-api/user/{user}/{rest}`.
fn user_request(
    sandbox: &Sandbox,
    method: voxkit_core::reqwest::Method,
    rest: &str,
) -> voxkit_core::reqwest::RequestBuilder {
    let user = &sandbox.seed().longlonglong_user;
    raw()
        .request(
            method,
            format!("{}/agent-api/user/{user}/{rest}", sandbox.url()),
        )
        .bearer_auth(LONGLONGLONG_TOKEN)
}

// ----- longlonglong ---------------------------------------------------------------------

#[tokio::test]
async fn balances_move_and_every_movement_is_in_the_history_with_its_remark() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = lll(&sandbox);
    let u = user(&sandbox);
    c.recharge(&u, 250, Some("order-1")).await.unwrap();
    c.deduct(&u, 50, Some("order-2")).await.unwrap();
    assert_eq!(sandbox.longlonglong_balance(u.as_str()), Some(1200));

    let err = c.deduct(&u, 5000, None).await.unwrap_err();
    assert_eq!(Code::of(&err), Some(Code::ValidationFailed), "{err}");
    assert!(err.to_string().contains("余额不足"), "{err}");
    assert_eq!(
        sandbox.longlonglong_balance(u.as_str()),
        Some(1200),
        "unchanged"
    );

    let history = c
        .recharge_history(&u, &RechargeHistoryQuery::new())
        .await
        .unwrap();
    let rows: Vec<_> = history
        .records
        .iter()
        .map(|r| (r.kind.clone(), r.amounts, r.balance, r.remark.clone()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                RecordKind::Deduct,
                Decimal::from(50),
                Decimal::from(1200),
                Some("order-2".into())
            ),
            (
                RecordKind::Recharge,
                Decimal::from(250),
                Decimal::from(1250),
                Some("order-1".into())
            ),
        ],
        "newest first"
    );

    c.zero_balance(&u).await.unwrap();
    assert_eq!(sandbox.longlonglong_balance(u.as_str()), Some(0));
    let movements = sandbox.longlonglong_movements(u.as_str());
    assert_eq!(movements.len(), 3);
    assert_eq!(movements[2].remark.as_deref(), Some("余额归零"));
}

#[tokio::test]
async fn billing_permission_unknown_users_and_wrong_tokens_are_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = lll(&sandbox);
    let without: UserId = sandbox
        .seed()
        .longlonglong_user_without_billing
        .parse()
        .unwrap();
    let err = c.recharge(&without, 1, None).await.unwrap_err();
    assert_eq!(Code::of(&err), Some(Code::BillingNotEnabled));

    let stranger: UserId = "00000000-0000-4000-8000-000000000000".parse().unwrap();
    let err = c.recharge(&stranger, 1, None).await.unwrap_err();
    assert_eq!(err.api_code(), Some("404"), "{err}");

    let wrong = voxkit_longlonglong::Client::builder()
        .token("not-the-token")
        .base_url(sandbox.url())
        .build()
        .unwrap();
    let err = wrong.token_info().await.unwrap_err();
    assert_eq!(err.api_code(), Some("401"), "{err}");
    assert!(!err.to_string().contains("not-the-token"), "{err}");
}

#[tokio::test]
async fn expiry_today_or_earlier_is_the_documented_422() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let sandbox = Sandbox::builder().today(today).start().await.unwrap();
    let c = lll(&sandbox);
    let u = user(&sandbox);
    for day in [today, today.checked_sub_days(Days::new(1)).unwrap()] {
        let err = c.set_expiry(&u, day).await.unwrap_err();
        assert_eq!(Code::of(&err), Some(Code::ValidationFailed));
        assert!(err.to_string().contains("到期时间最少设置一天"), "{err}");
    }
    let tomorrow = today.checked_add_days(Days::new(1)).unwrap();
    c.set_expiry(&u, tomorrow).await.unwrap();
    assert_eq!(
        sandbox.longlonglong_user(u.as_str()).unwrap().expires_on,
        Some(tomorrow)
    );
    let info = c.account_info(&u).await.unwrap();
    assert_eq!(info.data["expire_time"], json!("2026-11-23"));
}

#[tokio::test]
async fn history_ranges_over_30_days_are_refused_by_the_sandbox_too() {
    let sandbox = Sandbox::start().await.unwrap();
    let history = "bill_recharge_record?date[]=2023-05-01&date[]=2023-06-01";
    let answer = user_request(&sandbox, voxkit_core::reqwest::Method::GET, history)
        .send()
        .await
        .unwrap();
    let answer = json_of(answer).await;
    assert_eq!(answer["code"], json!(422), "{answer}");
}

#[tokio::test]
async fn sub_accounts_are_created_listed_read_and_deleted() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = lll(&sandbox);
    let u = user(&sandbox);
    let created = c
        .create_sub_account(
            &u,
            &NewSubAccount::new("子账户1", "sub1@example.com", "12345678", "placeholder-pw")
                .alias("账号1")
                .birthday(NaiveDate::from_ymd_opt(2022, 7, 13).unwrap())
                .sex(Sex::Female),
        )
        .await
        .unwrap();
    let err = c
        .create_sub_account(
            &u,
            &NewSubAccount::new("子账户2", "SUB1@example.com", "1", "placeholder-pw"),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("邮箱已存在"), "{err}");
    for i in 2..=4 {
        c.create_sub_account(
            &u,
            &NewSubAccount::new(
                format!("子账户{i}"),
                format!("sub{i}@example.com"),
                "1",
                "pw",
            ),
        )
        .await
        .unwrap();
    }
    let page = c
        .sub_accounts(&u, &SubAccountQuery::new().page(2).per_page(3))
        .await
        .unwrap();
    let meta = page.meta.unwrap();
    assert_eq!(
        (meta.total, meta.last_page, meta.current_page, meta.per_page),
        (4, 2, 2, 3)
    );
    assert_eq!(page.items.len(), 1);
    let filtered = c
        .sub_accounts(&u, &SubAccountQuery::new().email("sub1@"))
        .await
        .unwrap();
    assert_eq!(filtered.items.len(), 1);

    let read = c.sub_account(&u, &created.id).await.unwrap();
    assert_eq!(read.alias.as_deref(), Some("账号1"));
    assert_eq!(read.sex, Some(Sex::Female));
    assert_eq!(read.birthday, NaiveDate::from_ymd_opt(2022, 7, 13));

    c.delete_sub_account(&u, &created.id).await.unwrap();
    let err = c.sub_account(&u, &created.id).await.unwrap_err();
    assert_eq!(err.api_code(), Some("404"));
}

#[tokio::test]
async fn a_password_confirmation_mismatch_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let answer = user_request(&sandbox, voxkit_core::reqwest::Method::POST, "subset_users")
        .header("content-type", "application/json")
        .body(json!({"name": "n", "email": "e@x.y", "phone": "1", "password": "a", "password_confirmation": "b"}).to_string())
        .send()
        .await
        .unwrap();
    let answer = json_of(answer).await;
    assert_eq!(answer["code"], json!(422), "{answer}");
    assert_eq!(answer["message"], json!("两次输入的密码不一致"));
}

#[tokio::test]
async fn registered_users_can_be_recharged() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = lll(&sandbox);
    let registration = c
        .register_user(&NewUser::new(
            "新用户",
            "new@example.com",
            "13800000000",
            "pw",
        ))
        .await
        .unwrap();
    let id: UserId = registration.data["id"].as_str().unwrap().parse().unwrap();
    c.recharge(&id, 10, None).await.unwrap();
    assert_eq!(sandbox.longlonglong_balance(id.as_str()), Some(10));
}

// ----- Laaffic ----------------------------------------------------------------------------

/// A Laaffic client builder at `sandbox` signing with the sandbox's key and `secret`, with
/// the SDK's own retry policy: for the tests that vary the secret or the clock.
fn laaffic_signing(sandbox: &Sandbox, secret: &str) -> voxkit_laaffic::ClientBuilder {
    voxkit_laaffic::Client::builder()
        .credentials(LAAFFIC_API_KEY, secret)
        .base_url(sandbox.url())
}

/// Asserts that `c`'s balance read is refused with the documented `status`.
async fn assert_balance_refused(c: &voxkit_laaffic::Client, status: voxkit_laaffic::Status) {
    let err = c.balance().await.unwrap_err();
    assert_eq!(voxkit_laaffic::Status::of(&err), Some(status), "{err}");
}

#[tokio::test]
async fn laaffic_balance_moves_when_told_and_bad_signatures_are_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = laaffic(&sandbox);
    assert_eq!(c.balance().await.unwrap().balance, Decimal::new(9999, 2));
    sandbox.set_laaffic_balance(Decimal::new(12345, 3), Decimal::ONE, Decimal::ZERO);
    let b = c.balance().await.unwrap();
    assert_eq!((b.balance, b.gift), (Decimal::new(12345, 3), Decimal::ONE));

    let wrong = laaffic_signing(&sandbox, "wrong-secret").build().unwrap();
    assert_balance_refused(&wrong, voxkit_laaffic::Status::AuthenticationError).await;
}

#[tokio::test]
async fn laaffic_timestamps_outside_300s_get_minus_16_and_the_client_corrects_its_clock() {
    let sandbox = Sandbox::start().await.unwrap();
    let skewed = std::time::SystemTime::now() - Duration::from_secs(1000);
    let skewed = || {
        laaffic_signing(&sandbox, LAAFFIC_API_SECRET)
            .clock(std::sync::Arc::new(voxkit_core::FixedClock(skewed)))
    };
    let c = skewed().skew_correction(false).build().unwrap();
    assert_balance_refused(&c, voxkit_laaffic::Status::TimestampOutOfRange).await;
    let c = skewed().build().unwrap();
    c.balance().await.unwrap();
    let offset = c.clock_offset().unwrap();
    assert!((995..=1005).contains(&offset), "{offset}");
}

// ----- ESP-AI -----------------------------------------------------------------------------

#[tokio::test]
async fn cards_list_with_filters_and_real_paging() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = espai(&sandbox);
    let all = c.list_cards(&CardFilter::new()).await.unwrap();
    assert_eq!(all.total, Some(4), "the account's own cards");
    let page = c
        .list_cards(&CardFilter::new().page(2).limit(3))
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total), (1, Some(4)));
    let paid = c
        .list_cards(&CardFilter::new().card_type(CardType::from_code("2")))
        .await
        .unwrap();
    assert_eq!(paid.items.len(), 1);
    assert_eq!(paid.items[0].code, "Qk3mZ8pL");
    let by_code = c
        .list_cards(&CardFilter::new().code("Fr3eTr1a").user_phone("15916888888"))
        .await
        .unwrap();
    assert_eq!(by_code.items[0].card_type, CardType::Zero);
    let streamed: Vec<_> = c
        .cards_with(CardFilter::new(), voxkit_espai::Paging::new().page_size(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed.len(), 4);
}

#[tokio::test]
async fn transfers_only_between_paid_cards_within_quota_and_logged() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = espai(&sandbox);
    let from = CardKey::new("15916888888", "wNaa1GDw");
    let to = CardKey::new("17516888888", "3AoPbLSQ");
    c.transfer(&from, &to, 10).await.unwrap();
    assert_eq!(sandbox.espai_card("wNaa1GDw").unwrap().quota, 490);
    // Another account's card: not readable with this key, but credited.
    assert_eq!(sandbox.espai_card("3AoPbLSQ").unwrap().quota, 60);

    let free = CardKey::new("15916888888", "Fr3eTr1a");
    let err = c.transfer(&free, &to, 1).await.unwrap_err();
    assert!(err.to_string().contains("付费卡"), "{err}");
    let err = c.transfer(&from, &to, 491).await.unwrap_err();
    assert!(err.to_string().contains("不足"), "{err}");
    let err = c
        .transfer(&from, &CardKey::new("15916888888", "nope0000"), 1)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("额度卡不存在"), "{err}");
    assert_eq!(
        sandbox.espai_card("wNaa1GDw").unwrap().quota,
        490,
        "unchanged"
    );

    let id = sandbox.espai_card("wNaa1GDw").unwrap().id;
    let logs = c.balance_logs(&BalanceLogQuery::card(&id)).await.unwrap();
    assert_eq!(logs.total, Some(1));
    assert_eq!(logs.items[0].api_limit, 10);
    assert_eq!(logs.items[0].user_phone.as_deref(), Some("15916888888"));
}

#[tokio::test]
async fn destroy_only_paid_empty_cards_and_pay_returns_a_url() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = espai(&sandbox);
    let full = sandbox.espai_card("wNaa1GDw").unwrap().id;
    let empty = sandbox.seed().espai_empty_card_id.clone();
    let err = c.destroy(&[&full, &empty]).await.unwrap_err();
    assert!(err.to_string().contains("余额为0"), "{err}");
    assert_eq!(sandbox.espai_cards().len(), 5, "all or nothing");
    c.destroy(&[&empty]).await.unwrap();
    assert_eq!(sandbox.espai_cards().len(), 4);

    let url = c
        .pay(Commodity::from_id("1").unwrap(), OrderKind::Buy)
        .await
        .unwrap();
    assert!(url.starts_with(&sandbox.url()), "{url}");
    assert!(url.contains("commodity_id=1&commodity_type=0"), "{url}");

    let answer = raw()
        .post(format!("{}/order/pay", sandbox.url()))
        .header("authorization", ESPAI_OPEN_API_KEY)
        .header("content-type", "application/json")
        .body(json!({"commodity_type": "0"}).to_string())
        .send()
        .await
        .unwrap();
    let answer = json_of(answer).await;
    assert_eq!(
        answer,
        json!({"success": false, "message": "缺失参数：commodity_id", "code": 401})
    );
}

// ----- faults -----------------------------------------------------------------------------

#[tokio::test]
async fn a_recharge_applied_then_dropped_is_outcome_unknown_and_applied_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = lll(&sandbox);
    let u = user(&sandbox);
    sandbox.set_fault(
        "longlonglong.recharge",
        Fault::default().drop_after(1.0).times(1),
    );
    let err = c.recharge(&u, 100, Some("order-x")).await.unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(sandbox.dropped_after_applying(), 1);
    let movements = sandbox.longlonglong_movements(u.as_str());
    assert_eq!(movements.len(), 1, "applied exactly once");
    assert_eq!(sandbox.longlonglong_balance(u.as_str()), Some(1100));
    // The documented reconciliation finds it.
    let history = c
        .recharge_history(&u, &RechargeHistoryQuery::new())
        .await
        .unwrap();
    assert!(
        history
            .records
            .iter()
            .any(|r| r.remark.as_deref() == Some("order-x"))
    );
}

#[tokio::test]
async fn a_transfer_dropped_before_handling_is_outcome_unknown_and_not_applied() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = espai(&sandbox);
    sandbox.set_fault("espai.transfer", Fault::default().drop_before(1.0));
    let err = c
        .transfer(
            &CardKey::new("15916888888", "wNaa1GDw"),
            &CardKey::new("17516888888", "3AoPbLSQ"),
            5,
        )
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(sandbox.espai_card("wNaa1GDw").unwrap().quota, 500);
}

#[tokio::test]
async fn reads_ride_out_503_and_429_with_retry_after() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = laaffic(&sandbox);
    sandbox.set_fault(
        "laaffic.balance",
        Fault::default().error(1.0, 503).retry_after(0).times(2),
    );
    c.balance().await.unwrap();
    sandbox.set_fault(
        "*",
        Fault::default().error(1.0, 429).retry_after(0).times(1),
    );
    c.balance().await.unwrap();

    // More failures than attempts: the read gives up with the status.
    sandbox.set_fault("laaffic.balance", Fault::default().error(1.0, 503));
    let err = c.balance().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err:?}");
    sandbox.clear_faults();
    c.balance().await.unwrap();
}

#[tokio::test]
async fn latency_is_added() {
    let sandbox = Sandbox::start().await.unwrap();
    let c = laaffic_signing(&sandbox, LAAFFIC_API_SECRET)
        .retry_policy(RetryPolicy::none())
        .attempt_timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    sandbox.set_fault(
        "laaffic.balance",
        Fault::default().latency(Duration::from_secs(30)),
    );
    let err = c.balance().await.unwrap_err();
    assert!(matches!(err, voxkit_core::Error::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn every_route_is_served_and_authenticated() {
    let sandbox = Sandbox::start().await.unwrap();
    let http = raw();
    for route in ROUTES {
        let path = route
            .template
            .replace("{user_id}", &sandbox.seed().longlonglong_user)
            .replace("{sub_user_id}", "91f9254f-ca58-49af-be34-8370d7549d73");
        let method = route.method.parse().unwrap();
        let response = http
            .request(method, format!("{}{path}", sandbox.url()))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!(
            status == 200 || status == 401,
            "{} {path}: {status}",
            route.method
        );
        let body = json_of(response).await;
        // Without credentials, every provider refuses in its own envelope.
        let refused = body.get("code") == Some(&json!(401))
            || body.get("status") == Some(&json!("-1"))
            || body.get("success") == Some(&json!(false));
        assert!(refused, "{} {path}: {body}", route.method);
    }
    assert!(
        sandbox
            .try_set_fault("no.such.route", Fault::default())
            .is_err()
    );
}

/// The longlonglong handlers read their state, path and query through one extractor: a
/// path parameter that is not UTF-8 is still refused before the handler runs, as axum's
/// `Path` refuses it (HTTP 400, in the envelope), on a route with one parameter, one with
/// several and one with a body; the handler would have answered 404 (unknown user, unknown
/// sub-account, unknown line).
#[tokio::test]
async fn a_path_parameter_that_is_not_utf8_is_refused_before_the_handler() {
    use voxkit_core::reqwest::Method;
    let sandbox = Sandbox::start().await.unwrap();
    let u = sandbox.seed().longlonglong_user.clone();
    let line = json!({"line_concurrency": 1, "deadline_at": "2099-01-01 00:00:00", "price": 0.1});
    for (method, path, body) in [
        (Method::GET, "/agent-api/user/%FF/message".to_owned(), None),
        (
            Method::GET,
            format!("/agent-api/user/{u}/subset_users/%FF/edit"),
            None,
        ),
        (
            Method::POST,
            format!("/agent-api/new/user/{u}/line/%FF"),
            Some(line.to_string()),
        ),
    ] {
        let mut request = raw()
            .request(method, format!("{}{path}", sandbox.url()))
            .bearer_auth(LONGLONGLONG_TOKEN);
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 400, "{path}");
        assert_eq!(
            json_of(response).await,
            json!({"code": 400, "status": "error", "message": "Bad Request", "data": []}),
            "{path}"
        );
    }
}
