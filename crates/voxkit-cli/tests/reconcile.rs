//! End to end (issue 12): reconciling a lost recharge must search every page of the
//! window, every list says when more pages exist, `cdkey list --all` streams its cards
//! under a bound, and redemption codes need not be command-line arguments.
//!
//! The real `voxkit` binary against the sandbox over loopback, with exactly the
//! sandbox's environment.

#[macro_use]
mod common;

use chrono::{DateTime, Days, Utc};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use voxkit_sandbox::{Fault, Sandbox};

use common::{
    Env, drop_next_answer, in_sandbox as voxkit, longlonglong_sandbox, run_stdin, sandbox_env,
    start, with,
};

/// The sandbox's environment with `extra` variables.
fn env(sandbox: &Sandbox, extra: &[(&str, &str)]) -> Env {
    with(sandbox_env(sandbox), extra)
}

// ----- item 2: reconciling a recharge whose answer was lost ------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_recharge_behind_20_others_is_found_by_remark_on_page_two() {
    // Not pinned: the sandbox's "today" is China's, the CLI's default window must reach it.
    let (sandbox, user) = longlonglong_sandbox().await;

    drop_next_answer(&sandbox, "longlonglong.recharge");
    let out =
        voxkit!(sandbox, "longlonglong recharge --user {user} --amount 250 --remark order-77" => 5);
    let advice = out.stderr.trim();
    assert!(
        advice.contains(&format!(
            "voxkit longlonglong recharges --user {user} --remark order-77"
        )),
        "the advice names the search over the window: {advice}"
    );
    assert!(advice.contains("every page"), "{advice}");
    assert!(
        advice.contains("only because the whole window was searched")
            && advice.contains("no other movement was given this remark"),
        "\"none\" is conclusive only under conditions, and the advice says which: {advice}"
    );

    // Twenty later movements push the lost one to page 2 (15 rows a page).
    for i in 0..20 {
        voxkit!(sandbox, "longlonglong recharge --user {user} --amount 1 --remark later-{i}" => 0);
    }

    // Page 1 does not show it, and says that more pages exist.
    let out = voxkit!(sandbox, "longlonglong recharges --user {user}" => 0);
    assert!(!out.stdout.contains("order-77"), "{out:#?}");
    assert_eq!(
        out.last_line(),
        "15 records; page 1 of more than 1; more: --page 2 or --all",
        "{out:#?}"
    );
    let json = voxkit!(sandbox, "longlonglong recharges --user {user} --output json" => 0).json();
    assert_eq!(json["records"].as_array().unwrap().len(), 15);
    assert_eq!(json["meta"]["current_page"], 1);
    assert_eq!(json["meta"]["more"], true, "{json}");
    let json =
        voxkit!(sandbox, "longlonglong recharges --user {user} --page 2 --output json" => 0).json();
    assert_eq!(json["meta"]["current_page"], 2);
    assert_eq!(json["meta"]["last_page"], 2);
    assert_eq!(json["meta"]["more"], false, "{json}");
    assert!(
        json["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["remark"] == "order-77"),
        "{json}"
    );

    // --remark searches every page and finds it.
    let out = voxkit!(sandbox, "longlonglong recharges --user {user} --remark order-77" => 0);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("order-77") && l.contains("250")),
        "{out:#?}"
    );
    let verdict = out.last_line();
    assert!(
        verdict.starts_with("found 1 with remark \"order-77\" in the window ")
            && verdict.ends_with("(all 3 pages searched)"),
        "{verdict}"
    );
    let json = voxkit!(
        sandbox,
        "longlonglong recharges --user {user} --remark order-77 --output json" => 0
    )
    .json();
    assert_eq!(json["found"], 1);
    assert_eq!(json["records"][0]["amount"], "250");
    assert_eq!(json["pages_searched"], 3);
    assert_eq!(json["records_searched"], 21);
    // The default window: the API's 30 days, ending tomorrow (UTC).
    let tomorrow = DateTime::<Utc>::from(std::time::SystemTime::now()).date_naive() + Days::new(1);
    assert_eq!(json["to"], tomorrow.to_string());
    assert_eq!(json["from"], (tomorrow - Days::new(30)).to_string());

    // A remark that was never sent: "none", with the window and the pages searched.
    let out = voxkit!(sandbox, "longlonglong recharges --user {user} --remark order-78" => 0);
    assert_eq!(
        out.stdout.trim(),
        format!(
            "none in the window {}..{tomorrow} (all 3 pages searched)",
            tomorrow - Days::new(30)
        )
    );

    // --all: every row of every page.
    let json =
        voxkit!(sandbox, "longlonglong recharges --user {user} --all --output json" => 0).json();
    assert_eq!(json["records"].as_array().unwrap().len(), 21);
    assert_eq!(json["meta"]["total"], 21);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recharge_sent_without_a_remark_gets_honest_advice() {
    let (sandbox, user) = longlonglong_sandbox().await;
    drop_next_answer(&sandbox, "longlonglong.recharge");
    let out = voxkit!(sandbox, "longlonglong recharge --user {user} --amount 9 --output json" => 5);
    let error: Value = serde_json::from_str(out.stderr.trim()).unwrap();
    let hint = error["error"]["hint"].as_str().unwrap();
    assert!(hint.contains("cannot be reconciled by remark"), "{hint}");
    assert!(
        hint.contains(&format!(
            "voxkit longlonglong recharges --user {user} --all"
        )),
        "{hint}"
    );
    assert!(hint.contains("by amount and time"), "{hint}");
    assert!(!hint.contains("none means"), "{hint}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remark_searches_keep_to_the_30_day_rule() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let today = DateTime::<Utc>::from(std::time::SystemTime::now()).date_naive();
    // 40 days back to tomorrow: more than the API allows, refused before sending.
    let since = today - Days::new(40);
    let out =
        voxkit!(sandbox, "longlonglong recharges --user {user} --remark x --since {since}" => 2);
    assert!(out.stderr.contains("30"), "{out:#?}");
    // Within the rule, it searches (the seed user has no movements: one empty page).
    let since = today - Days::new(10);
    let out =
        voxkit!(sandbox, "longlonglong recharges --user {user} --remark x --since {since}" => 0);
    assert_eq!(
        out.stdout.trim(),
        format!(
            "none in the window {since}..{} (all 1 page searched)",
            today + Days::new(1)
        )
    );
    // --remark is a search of every page, not of one.
    voxkit!(sandbox, "longlonglong recharges --user {user} --remark x --page 2" => 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_says_when_more_pages_exist() {
    let sandbox = Sandbox::start().await.unwrap();
    let phone = sandbox.seed().espai_phone.clone();
    let json = voxkit!(sandbox, "espai cdkey list --limit 1 --output json" => 0).json();
    let total = json["total"].as_u64().unwrap();
    assert!(total >= 3, "{json}");
    assert_eq!(json["meta"]["current_page"], 1);
    assert_eq!(json["meta"]["last_page"], total);
    assert_eq!(json["meta"]["more"], true);
    let out = voxkit!(sandbox, "espai cdkey list --phone {phone} --limit 1" => 0);
    assert_eq!(
        out.last_line(),
        format!("1 card; page 1 of {total} ({total} cards); more: --page 2 or --all")
    );
    let out = voxkit!(sandbox, "laaffic tasks --size 1" => 0);
    assert!(
        out.last_line().starts_with("1 task; page 1 of ")
            && out.last_line().ends_with("more: --page 2 or --all"),
        "{out:#?}"
    );
}

// ----- item 8: `cdkey list --all` streams, under a bound --------------------------------

fn add_cards(sandbox: &Sandbox, n: usize) -> String {
    let phone = sandbox.seed().espai_phone.clone();
    for i in 0..n {
        sandbox.add_espai_card(&phone, &format!("Strm{i:04}"), "1", 10);
    }
    phone
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cdkey_list_all_prints_each_card_as_it_arrives() {
    let sandbox = Sandbox::start().await.unwrap();
    let phone = add_cards(&sandbox, 5);
    // Every page takes 400 ms: 8 or more pages of one card take several seconds.
    sandbox.set_fault(
        "espai.list",
        Fault::default().latency(std::time::Duration::from_millis(400)),
    );
    let args = [
        "espai", "cdkey", "list", "--all", "--limit", "1", "--phone", &phone,
    ];
    let mut child = start(&env(&sandbox, &[]), &args);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut header = String::new();
    stdout.read_line(&mut header).await.unwrap();
    let mut first = String::new();
    stdout.read_line(&mut first).await.unwrap();
    assert!(header.starts_with("ID"), "{header:?}");
    let id = first.split_whitespace().next().unwrap_or_default();
    assert_eq!(id.len(), 32, "a card's id first: {first:?}");
    // The first card is out while the later pages are still being fetched.
    assert!(
        child.try_wait().unwrap().is_none(),
        "the first card was printed only once the listing was complete"
    );
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).await.unwrap();
    let status = child.wait().await.unwrap();
    assert!(status.success());
    let cards = sandbox
        .espai_cards()
        .into_iter()
        .filter(|c| c.user_phone == phone)
        .count();
    assert!(rest.ends_with(&format!("\n{cards} cards\n")), "{rest}");
    // The other cards, then the count.
    assert_eq!(rest.lines().count(), cards, "{rest}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cdkey_list_all_stops_at_the_card_cap_with_the_cards_so_far() {
    let sandbox = Sandbox::start().await.unwrap();
    let phone = add_cards(&sandbox, 3);
    let list = format!("espai cdkey list --all --limit 1 --phone {phone} --max-cards 2");
    let out = voxkit(&sandbox, &list).await.expect(4);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "the header and two cards: {out:#?}");
    assert!(
        out.stderr.contains("card cap (2 cards)") && out.stderr.contains("incomplete"),
        "{out:#?}"
    );
    // JSON: still one valid object, marked incomplete.
    let out = voxkit!(sandbox, "{list} --output json" => 4);
    let json = out.json();
    assert_eq!(json["cards"].as_array().unwrap().len(), 2);
    assert_eq!(json["complete"], false);
    assert_eq!(json["total"], 2);
    // Without the cap the same listing completes.
    let json =
        voxkit!(sandbox, "espai cdkey list --all --limit 1 --phone {phone} --output json" => 0)
            .json();
    assert_eq!(json["complete"], true);
    assert!(json["cards"].as_array().unwrap().len() >= 6, "{json}");
}

// ----- redemption codes off the command line --------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_come_from_the_environment_or_stdin() {
    let sandbox = Sandbox::start().await.unwrap();
    let seed = sandbox.seed().clone();
    let phone = seed.espai_phone.as_str();
    let (paid, other) = (&seed.espai_paid_codes[0], &seed.espai_paid_codes[1]);

    // The environment variable.
    let with_code = env(&sandbox, &[("VOXKIT_ESPAI_CODE", paid)]);
    let json =
        voxkit!(env: with_code, "espai cdkey show --phone {phone} --output json" => 0).json();
    assert_eq!(json["card"]["code"], paid.as_str());
    assert_eq!(json["card"]["api_limit"], 500);

    // Standard input, trimmed; it takes precedence over the environment.
    let show = format!("espai cdkey show --phone {phone} --code-stdin --output json");
    let json = run_stdin(&with_code, Some(&format!("  {other} \n")), &show)
        .await
        .expect(0)
        .json();
    assert_eq!(json["card"]["code"], other.as_str());
    // An empty line, or nothing, is refused before anything is sent.
    for input in ["\n", ""] {
        let out = run_stdin(&env(&sandbox, &[]), Some(input), &show)
            .await
            .expect(2);
        assert!(out.stderr.contains("--code-stdin"), "{out:#?}");
    }
    // No code at all: exit 2, naming the three ways.
    let out = run_stdin(
        &env(&sandbox, &[]),
        None,
        &format!("espai cdkey show --phone {phone}"),
    )
    .await
    .expect(2);
    assert!(out.stderr.contains("VOXKIT_ESPAI_CODE"), "{out:#?}");

    // A transfer with both codes on stdin, one a line, then with the target from the
    // environment.
    let before = (
        sandbox.espai_card(paid).unwrap().quota,
        sandbox.espai_card(other).unwrap().quota,
    );
    let transfer = format!(
        "espai cdkey transfer --phone {phone} --to-phone {phone} --amount 5 --code-stdin \
         --to-code-stdin"
    );
    run_stdin(
        &env(&sandbox, &[]),
        Some(&format!("{paid}\n{other}\n")),
        &transfer,
    )
    .await
    .expect(0);
    let transfer =
        format!("espai cdkey transfer --phone {phone} --to-phone {phone} --amount 5 --code-stdin");
    run_stdin(
        &env(&sandbox, &[("VOXKIT_ESPAI_TO_CODE", other)]),
        Some(&format!("{paid}\n")),
        &transfer,
    )
    .await
    .expect(0);
    assert_eq!(
        (
            sandbox.espai_card(paid).unwrap().quota,
            sandbox.espai_card(other).unwrap().quota
        ),
        (before.0 - 10, before.1 + 10)
    );
}
