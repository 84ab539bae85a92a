//! End to end: each provider's commands (longlonglong billing and accounts, Laaffic's
//! balance, ESP-AI's cards and orders) through the real `voxkit` binary against the
//! sandbox, over loopback, as text and JSON.
//!
//! Every test starts its own sandbox in this process and runs the binary with the
//! sandbox's environment (credentials and `*_BASE_URL`), nothing inherited. The child runs
//! as a `tokio::process` so that the sandbox keeps serving while the test waits. Command
//! lines are written as one string, split on whitespace.

#[macro_use]
mod common;

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;
use voxkit_sandbox::Sandbox;

use common::{
    OTHER_CODE, OTHER_PHONE, in_sandbox as voxkit, longlonglong_sandbox, pinned_sandbox, quotas,
    sandbox_env, strings, today, voxkit_stdin, with,
};

// ----- longlonglong -------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recharge_deduct_zero_and_history() {
    let sandbox = pinned_sandbox().await;
    let user = sandbox.seed().longlonglong_user.clone();

    let out =
        voxkit!(sandbox, "longlonglong recharge --user {user} --amount 100 --remark order-1" => 0);
    assert!(out.stdout.contains("recharged 100"), "{out:#?}");
    assert!(out.stdout.contains("AI外呼充值操作成功"), "{out:#?}");
    assert_eq!(sandbox.longlonglong_balance(&user), Some(1100));

    let json =
        voxkit!(sandbox, "longlonglong deduct --user {user} --amount 30 --output json" => 0).json();
    assert_eq!(json["user"], user.as_str());
    assert_eq!(json["amount"], 30);
    assert_eq!(json["remark"], Value::Null);
    assert_eq!(json["message"], "AI外呼扣款操作成功");
    assert_eq!(sandbox.longlonglong_balance(&user), Some(1070));

    // Deducting more than the balance: refused by the provider, nothing moves.
    let out =
        voxkit!(sandbox, "--output json longlonglong deduct --user {user} --amount 5000" => 3);
    let error = out.error();
    assert_eq!(error["kind"], "api");
    assert_eq!(error["provider"], "longlonglong");
    assert_eq!(error["operation"], "deduct");
    assert_eq!(error["code"], "422");
    assert!(
        error["message"].as_str().unwrap().contains("余额不足"),
        "{error}"
    );
    assert_eq!(sandbox.longlonglong_balance(&user), Some(1070));

    // The history, in text and in JSON for the pinned day.
    let out = voxkit!(sandbox, "longlonglong recharges --user {user}" => 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("ID"), "{out:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("充值") && l.contains("order-1")),
        "{out:#?}"
    );
    assert!(out.stdout.contains("2 records"), "{out:#?}");
    let day = today();
    let json = voxkit!(sandbox, "longlonglong recharges --user {user} --from {day} --to {day} --page 1 --output json" => 0)
    .json();
    assert_eq!(json["from"], day.to_string());
    assert_eq!(json["to"], day.to_string());
    let records = json["records"].as_array().unwrap();
    assert_eq!(records.len(), 2, "{json}");
    let recharge = records.iter().find(|r| r["remark"] == "order-1").unwrap();
    assert_eq!(
        recharge["amount"], "100",
        "amounts are exact decimal strings"
    );
    assert_eq!(recharge["balance"], "1100");
    assert_eq!(recharge["kind"], "recharge");
    assert_eq!(recharge["type"], "充值");
    assert!(
        recharge["created_at"]
            .as_str()
            .unwrap()
            .starts_with(&day.to_string())
    );
    let deduction = records.iter().find(|r| r["kind"] == "deduct").unwrap();
    assert_eq!(deduction["amount"], "30");

    // A range of more than 30 days is refused before anything is sent.
    let out = voxkit!(
        sandbox,
        "longlonglong recharges --user {user} --from 2026-01-01 --to 2026-03-01" => 2
    );
    assert!(out.error_line().contains("30"), "{out:#?}");

    let json =
        voxkit!(sandbox, "longlonglong zero-balance --user {user} --yes --output json" => 0).json();
    assert_eq!(json["user"], user.as_str());
    assert_eq!(sandbox.longlonglong_balance(&user), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_recharge_is_exit_3_with_the_providers_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.seed().longlonglong_user_without_billing.clone();
    let recharge = format!("longlonglong recharge --user {user} --amount 5");
    let out = voxkit(&sandbox, &recharge).await.expect(3);
    let line = out.error_line();
    assert!(
        line.contains("10004") && line.contains("用户未开通账单权限"),
        "{line}"
    );
    let out = voxkit!(sandbox, "{recharge} --output json" => 3);
    let error = out.error();
    assert_eq!(error["code"], "10004");
    assert_eq!(error["kind"], "api");
    // The documented code is explained, with what to do (issue 18).
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("billing is not enabled"),
        "{out:#?}"
    );
    assert!(
        error["hint"].as_str().unwrap().contains("enable billing"),
        "{out:#?}"
    );
    assert!(sandbox.longlonglong_movements(&user).is_empty());

    // An unknown user: the provider's 404.
    let out = voxkit!(
        sandbox,
        "longlonglong account --user 00000000-0000-4000-8000-000000000000 --output json" => 3
    );
    assert_eq!(out.error()["code"], "404");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_account_and_token() {
    let sandbox = pinned_sandbox().await;
    let user = sandbox.seed().longlonglong_user.clone();
    let tomorrow = today().succ_opt().unwrap();
    let expires_on = || sandbox.longlonglong_user(&user).unwrap().expires_on;

    let out = voxkit!(sandbox, "longlonglong set-expiry --user {user} --date {tomorrow}" => 0);
    assert!(
        out.stdout.contains(&format!("expires on {tomorrow}")),
        "{out:#?}"
    );
    assert_eq!(expires_on(), Some(tomorrow));
    let json = voxkit!(
        sandbox,
        "longlonglong set-expiry --user {user} --date {tomorrow} --output json" => 0
    )
    .json();
    assert_eq!(json["expire_time"], tomorrow.to_string());

    // Today is refused by the provider (422); a malformed date never leaves.
    let out = voxkit(
        &sandbox,
        &format!(
            "longlonglong set-expiry --user {user} --date {} --output json",
            today()
        ),
    )
    .await
    .expect(3);
    assert_eq!(out.error()["code"], "422");
    for bad in ["2026-02-30", "10/03/2026", "tomorrow"] {
        let out = voxkit!(
            sandbox,
            "longlonglong set-expiry --user {user} --date {bad} --output json" => 2
        );
        assert_eq!(out.error()["kind"], "invalid_input", "{bad}");
    }
    assert_eq!(expires_on(), Some(tomorrow));

    let json = voxkit!(sandbox, "longlonglong account --user {user} --output json" => 0).json();
    assert_eq!(json["user"], user.as_str());
    assert_eq!(json["data"]["balance"], 1000);
    let out = voxkit!(sandbox, "longlonglong account --user {user}" => 0);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("balance") && l.ends_with("1000")),
        "{out:#?}"
    );

    let json = voxkit!(sandbox, "longlonglong token --output json" => 0).json();
    assert!(json["data"].is_object(), "{json}");
    assert!(json["message"].is_string(), "{json}");
    let out = voxkit!(sandbox, "longlonglong token" => 0);
    assert!(!out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subaccounts_and_registration_read_the_password_from_stdin() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let subs = || sandbox.longlonglong_user(&user).unwrap().sub_accounts.len();

    let json = voxkit_stdin(
        &sandbox,
        "s3cret-pass\n",
        &format!(
            "longlonglong subaccount create --user {user} --name 子账户1 \
             --email sub1@example.com --phone 13800000001 --password-stdin --alias 账号1 \
             --birthday 2000-01-02 --duty 员工 --wechat wx1 --qq 123456 --landline 010-123132 \
             --sex female --output json"
        ),
    )
    .await
    .expect(0)
    .json();
    let sub = json["sub_account"]["id"].as_str().unwrap().to_owned();
    assert_eq!(json["sub_account"]["email"], "sub1@example.com");
    assert_eq!(json["user"], user.as_str());

    // The same e-mail address again: refused by the provider.
    let create = |email: &str| {
        format!(
            "longlonglong subaccount create --user {user} --name x --email {email} \
             --phone 13800000002 --password-stdin"
        )
    };
    voxkit_stdin(&sandbox, "another\n", &create("sub1@example.com"))
        .await
        .expect(3);
    // Nothing on stdin: refused before anything is sent.
    let out = voxkit(&sandbox, &create("y@example.com")).await.expect(2);
    assert!(out.error_line().contains("--password-stdin"), "{out:#?}");
    // No --password-stdin: a usage error.
    let without_flag = create("y@example.com").replace(" --password-stdin", "");
    voxkit_stdin(&sandbox, "pw\n", &without_flag)
        .await
        .expect(2);
    assert_eq!(subs(), 1);

    let json = voxkit!(
        sandbox,
        "longlonglong subaccount list --user {user} --page 1 --per-page 10 --output json" => 0
    )
    .json();
    let items = json["sub_accounts"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{json}");
    assert_eq!(items[0]["id"], sub.as_str());
    assert_eq!(json["meta"]["total"], 1);
    let out = voxkit!(
        sandbox,
        "longlonglong subaccount list --user {user} --email sub1@example.com" => 0
    );
    assert!(
        out.stdout.contains(&sub) && out.stdout.contains("1 sub-account"),
        "{out:#?}"
    );
    let json = voxkit!(sandbox, "longlonglong subaccount list --user {user} --name nobody --phone 1 --output json" => 0)
    .json();
    assert_eq!(json["sub_accounts"], Value::Array(vec![]));

    let show = format!("longlonglong subaccount show --user {user} --sub {sub}");
    let json = voxkit!(sandbox, "{show} --output json" => 0).json();
    let account = &json["sub_account"];
    assert_eq!(account["sex"], "female");
    assert_eq!(account["alias"], "账号1");
    assert_eq!(account["birthday"], "2000-01-02");
    assert_eq!(account["landline_phone"], "010-123132");
    let out = voxkit(&sandbox, &show).await.expect(0);
    assert!(
        out.stdout.contains("账号1") && out.stdout.contains("female"),
        "{out:#?}"
    );

    let json = voxkit!(
        sandbox,
        "longlonglong subaccount delete --user {user} --sub {sub} --yes --output json" => 0
    )
    .json();
    assert_eq!(json["sub"], sub.as_str());
    assert_eq!(subs(), 0);
    voxkit(&sandbox, &show).await.expect(3);
    // A sub-account id that is not a UUID never leaves.
    voxkit!(sandbox, "longlonglong subaccount delete --user {user} --sub ../x --yes" => 2);

    let json = voxkit_stdin(
        &sandbox,
        "pw-for-register\r\n",
        "longlonglong register --name new-user --email new@example.com --phone 13900000000 \
         --password-stdin --tenant node-1 --output json",
    )
    .await
    .expect(0)
    .json();
    assert_eq!(json["data"]["email"], "new@example.com");
    assert!(json["message"].is_string());
    let out = voxkit_stdin(
        &sandbox,
        "pw\n",
        "longlonglong register --name n2 --email n2@example.com --phone 1 --password-stdin",
    )
    .await
    .expect(0);
    assert!(out.stdout.contains("n2@example.com"), "{out:#?}");
}

// ----- Laaffic ------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laaffic_balance_keeps_exact_decimals() {
    let sandbox = Sandbox::start().await.unwrap();
    let dec = |s| Decimal::from_str(s).unwrap();
    sandbox.set_laaffic_balance(dec("1234.5600"), dec("0.10"), dec("0"));
    let json = voxkit!(sandbox, "laaffic balance --output json" => 0).json();
    assert_eq!(json["balance"], "1234.5600");
    assert_eq!(json["gift"], "0.10");
    assert_eq!(json["credit"], "0");
    let out = voxkit!(sandbox, "laaffic balance" => 0);
    assert_eq!(
        out.stdout,
        "balance  1234.5600\ngift     0.10\ncredit   0\n"
    );

    // A wrong key: refused by the provider.
    let env = with(sandbox_env(&sandbox), &[("LAAFFIC_API_KEY", "wrong-key")]);
    let out = voxkit!(env: env, "laaffic balance --output json" => 3);
    assert_eq!(out.error()["provider"], "laaffic");
}

// ----- ESP-AI -------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn espai_cards_list_show_and_usage() {
    let sandbox = Sandbox::start().await.unwrap();
    let seed = sandbox.seed().clone();
    let phone = seed.espai_phone.as_str();
    let (paid, other_paid) = (&seed.espai_paid_codes[0], &seed.espai_paid_codes[1]);
    let mine: Vec<String> = sandbox
        .espai_cards()
        .into_iter()
        .filter(|c| c.user_phone == phone)
        .map(|c| c.code)
        .collect();
    assert!(mine.len() >= 3, "the seed has cards: {mine:?}");

    // One page, with the total.
    let json = voxkit!(sandbox, "espai cdkey list --page 2 --limit 1 --output json" => 0).json();
    assert_eq!(json["cards"].as_array().unwrap().len(), 1);
    assert_eq!(json["total"], mine.len());

    // Every page, once each.
    let json = voxkit!(sandbox, "espai cdkey list --all --limit 1 --output json" => 0).json();
    let codes = strings(&json["cards"], "code");
    assert_eq!(codes, mine);
    let first = &json["cards"][0];
    assert_eq!(first["code"], paid.as_str());
    assert_eq!(first["api_limit"], 500);
    assert_eq!(first["paid"], true);
    assert_eq!(first["type"], "1");
    assert_eq!(first["user_phone"], phone);
    assert!(first["create_time"].as_str().unwrap().ends_with('Z'));
    let out = voxkit!(sandbox, "espai cdkey list --all" => 0);
    assert!(out.stdout.starts_with("ID"), "{out:#?}");
    assert!(
        out.stdout.ends_with(&format!("{} cards\n", mine.len())),
        "{out:#?}"
    );

    // Filters.
    let json =
        voxkit!(sandbox, "espai cdkey list --type 0 --phone {phone} --output json" => 0).json();
    let cards = json["cards"].as_array().unwrap();
    assert_eq!(cards.len(), 1, "{json}");
    assert_eq!(cards[0]["code"], seed.espai_free_code.as_str());
    assert_eq!(cards[0]["paid"], false);
    let json = voxkit!(
        sandbox,
        "espai cdkey list --code {other_paid} --user-name 琳琅 --output json" => 0
    )
    .json();
    assert_eq!(json["cards"][0]["api_limit"], 200);
    let json = voxkit(
        &sandbox,
        &format!(
            "espai cdkey list --id {} --output json",
            seed.espai_empty_card_id
        ),
    )
    .await
    .expect(0)
    .json();
    assert_eq!(json["cards"][0]["api_limit"], 0);

    // One card.
    let show = format!("espai cdkey show --phone {phone} --code {paid}");
    let json = voxkit!(sandbox, "{show} --output json" => 0).json();
    let card_id = json["card"]["id"].as_str().unwrap().to_owned();
    assert_eq!(json["card"]["api_limit"], 500);
    let out = voxkit(&sandbox, &show).await.expect(0);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("quota") && l.ends_with("500")),
        "{out:#?}"
    );
    let out =
        voxkit!(sandbox, "espai cdkey show --phone {phone} --code NoSuchCd --output json" => 3);
    assert_eq!(out.error()["provider"], "espai");
    // A phone that is not digits never leaves.
    voxkit!(sandbox, "espai cdkey show --phone 12ab --code x" => 2);

    // Usage: nothing before a transfer, one entry per side after.
    let usage = format!("espai cdkey usage --id {card_id}");
    let json = voxkit!(sandbox, "{usage} --output json" => 0).json();
    assert_eq!(json["logs"], Value::Array(vec![]), "{json}");
    voxkit!(sandbox, "espai cdkey transfer --phone {phone} --code {paid} --to-phone {phone} \
             --to-code {other_paid} --amount 25" => 0);
    let json = voxkit!(sandbox, "{usage} --page 1 --limit 10 --output json" => 0).json();
    let logs = json["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1, "{json}");
    assert_eq!(logs[0]["cdkey_id"], card_id.as_str());
    assert_eq!(logs[0]["api_limit"], 25);
    let out = voxkit!(sandbox, "espai cdkey usage" => 0);
    assert!(
        out.stdout.ends_with("2 entries; page 1 of 1 (2 entries)\n"),
        "{out:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn espai_transfer_destroy_and_pay() {
    let sandbox = Sandbox::start().await.unwrap();
    let seed = sandbox.seed().clone();
    let phone = seed.espai_phone.as_str();
    let from = seed.espai_paid_codes[0].as_str();
    let (from_before, to_before) = quotas(&sandbox, from);
    let transfer = |code: &str, amount: u64| {
        format!(
            "espai cdkey transfer --phone {phone} --code {code} --to-phone {OTHER_PHONE} \
             --to-code {OTHER_CODE} --amount {amount}"
        )
    };

    let out = voxkit(&sandbox, &transfer(from, 10)).await.expect(0);
    assert!(out.stdout.starts_with("transferred 10"), "{out:#?}");
    assert_eq!(quotas(&sandbox, from), (from_before - 10, to_before + 10));
    let json = voxkit(&sandbox, &format!("{} --output json", transfer(from, 5)))
        .await
        .expect(0)
        .json();
    assert_eq!(json["amount"], 5);
    assert_eq!(json["from"]["code"], from);
    assert_eq!(json["to"]["phone"], OTHER_PHONE);
    assert_eq!(quotas(&sandbox, from), (from_before - 15, to_before + 15));

    // From the free card, and beyond the quota: refused, nothing moves.
    for command in [transfer(&seed.espai_free_code, 1), transfer(from, 100_000)] {
        let out = voxkit!(sandbox, "{command} --output json" => 3);
        assert_eq!(out.error()["operation"], "transfer");
    }
    assert_eq!(quotas(&sandbox, from), (from_before - 15, to_before + 15));
    // The same card on both sides never leaves.
    voxkit!(sandbox, "espai cdkey transfer --phone {phone} --code {from} --to-phone {phone} \
             --to-code {from} --amount 1" => 2);

    // Destroy: a paid card with quota is refused, the empty one goes.
    let from_id = sandbox.espai_card(from).unwrap().id;
    voxkit!(sandbox, "espai cdkey destroy {from_id} --yes" => 3);
    let empty = &seed.espai_empty_card_id;
    let json = voxkit!(sandbox, "espai cdkey destroy {empty} --yes --output json" => 0).json();
    assert_eq!(json["ids"], serde_json::json!([empty]));
    assert!(sandbox.espai_cards().iter().all(|c| &c.id != empty));
    let out = voxkit!(sandbox, "espai cdkey destroy {empty} {empty}" => 2);
    assert!(out.error_line().contains("twice"), "{out:#?}");

    // Orders.
    let json =
        voxkit!(sandbox, "espai order pay --commodity 1 --kind buy --output json" => 0).json();
    assert_eq!(json["commodity"], 1);
    assert_eq!(json["kind"], "buy");
    assert!(
        json["payment_url"].as_str().unwrap().starts_with("http"),
        "{json}"
    );
    let out = voxkit!(sandbox, "espai order pay --commodity 5 --kind topup" => 0);
    assert!(out.stdout.contains("unlimited uses"), "{out:#?}");
    voxkit!(sandbox, "espai order pay --commodity 6 --kind buy" => 2);
}
