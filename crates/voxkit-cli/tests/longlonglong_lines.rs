//! `voxkit longlonglong vos|line|script|dial-time|privacy|callbacks data|account` end to
//! end (issue 16, H17's sections): the real binary against the seeded in-process sandbox
//! (the docs' cloud node, allocation 11, script groups 1 and 2, a dial-time group, one
//! callback batch), as text and JSON, with the exit codes of lost and refused calls.

#[macro_use]
mod common;

use voxkit_sandbox::{LONGLONGLONG_DOCS_LINE, LONGLONGLONG_DOCS_TENANT, Sandbox};

use common::{
    drop_next_answer, in_sandbox as voxkit, longlonglong_sandbox, numbers, sandbox_env, spawn,
    strings, with,
};

/// The security code the sandbox accepts (the docs' example).
const SECURITY_CODE: &str = "123456";
/// The sandbox's seeded callback batch.
const BATCH: &str = "5e7d2764-1c2d-4e5f-8a9b-0c1d2e3f4a5b";

/// The ALLOCATION column of `line list --user U --output json`'s records.
async fn allocations(sandbox: &Sandbox, user: &str) -> Vec<u64> {
    let json = voxkit!(sandbox, "longlonglong line list --tenant {LONGLONGLONG_DOCS_TENANT} --user {user} --all --output json" => 0)
    .json();
    json["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["line_allocation"]["id"].as_u64())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn line_list_shows_the_allocation_id_and_all_walks_every_page() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let tenant = LONGLONGLONG_DOCS_TENANT;

    let out = voxkit!(sandbox, "longlonglong line list --tenant {tenant}" => 0);
    let lines: Vec<&str> = out.stdout.trim_end().lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("ALLOCATION"),
        "{out:#?}"
    );
    assert!(out.stdout.contains(LONGLONGLONG_DOCS_LINE), "{out:#?}");
    assert!(
        lines.iter().any(|l| l.trim_end().ends_with(" 11")),
        "{out:#?}"
    );
    assert!(out.last_line().starts_with("2 lines"), "{out:#?}");

    // One page of one: the footer and the JSON meta say there is more.
    let json = voxkit!(sandbox, "longlonglong line list --tenant {tenant} --per-page 1 --output json" => 0)
    .json();
    assert_eq!(json["data"].as_array().unwrap().len(), 1, "{json}");
    assert_eq!(json["meta"]["more"], true, "{json}");
    assert_eq!(json["meta"]["total"], 2, "{json}");
    assert_eq!(json["message"], "查看线路列表成功");

    let json = voxkit!(sandbox, "longlonglong line list --tenant {tenant} --per-page 1 --all --output json" => 0)
    .json();
    assert_eq!(json["data"].as_array().unwrap().len(), 2, "{json}");
    assert_eq!(json["meta"]["all"], true, "{json}");
    assert_eq!(json["meta"]["more"], false, "{json}");

    assert_eq!(allocations(&sandbox, &user).await, [11]);

    // A tenant that is not a UUID is refused before sending.
    voxkit!(sandbox, "longlonglong line list --tenant ../x" => 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allocate_bind_and_unbind_with_confirmation() {
    let (sandbox, user) = longlonglong_sandbox().await;

    let out = voxkit!(sandbox, "longlonglong line allocate --user {user} --line {LONGLONGLONG_DOCS_LINE} \
             --concurrency 2 --deadline 2030-11-28 --price 0.1" => 0);
    assert!(out.stdout.contains("allocation id 12"), "{out:#?}");
    assert!(out.stdout.contains("until 2030-11-28 00:00:00"), "{out:#?}");
    let mut listed = allocations(&sandbox, &user).await;
    listed.sort_unstable();
    assert_eq!(listed, [11, 12]);

    let json = voxkit!(sandbox, "longlonglong line bind-scripts --user {user} --allocation 12 --group 1,2 --output json" => 0)
    .json();
    assert_eq!(json["group_ids"], serde_json::json!([1, 2]));
    // A group the user does not have: the provider's 422, exit 3.
    voxkit!(sandbox, "longlonglong line bind-scripts --user {user} --allocation 12 --group 9" => 3);
    // A group twice: refused before sending.
    voxkit!(sandbox, "longlonglong line bind-scripts --user {user} --allocation 12 --group 1 --group 1" => 2);

    // Without --yes and off a terminal: refused, nothing sent.
    let out = voxkit!(sandbox, "longlonglong line unbind --user {user} --allocation 12" => 2);
    assert!(out.stderr.contains("--yes"), "{out:#?}");
    assert!(allocations(&sandbox, &user).await.contains(&12));

    let out = voxkit!(sandbox, "longlonglong line unbind --user {user} --allocation 12 --yes" => 0);
    assert!(
        out.stdout.contains("removed line allocation 12"),
        "{out:#?}"
    );
    assert_eq!(allocations(&sandbox, &user).await, [11]);
    // Gone: the provider's 404, exit 3.
    voxkit!(sandbox, "longlonglong line unbind --user {user} --allocation 12 --yes" => 3);
}

/// An allocation whose answer is lost cannot be reconciled: exit 5 (never 4, "safe to
/// run again"), sent once, and the advice names the `line list` command to check with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_allocation_exits_5_sent_once_with_the_advice_to_check_line_list() {
    let (sandbox, user) = longlonglong_sandbox().await;
    drop_next_answer(&sandbox, "longlonglong.allocate_line");
    let out = voxkit!(sandbox, "longlonglong line allocate --user {user} --line {LONGLONGLONG_DOCS_LINE} \
             --concurrency 1 --deadline 2030-01-01 --price 0 --tenant {LONGLONGLONG_DOCS_TENANT} \
             --output json" => 5);
    let error = out.error();
    let hint = error.to_string();
    assert!(
        hint.contains(&format!(
            "voxkit longlonglong line list --tenant {LONGLONGLONG_DOCS_TENANT} --user {user} --all"
        )),
        "{out:#?}"
    );
    assert_eq!(sandbox.dropped_after_applying(), 1);
    let mut listed = allocations(&sandbox, &user).await;
    listed.sort_unstable();
    assert_eq!(listed, [11, 12], "applied exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_groups_and_the_nodes_scripts() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let out = voxkit!(sandbox, "longlonglong script groups --user {user}" => 0);
    assert!(out.stdout.starts_with("ID"), "{out:#?}");
    assert!(out.stdout.contains("示例话术组"), "{out:#?}");
    assert!(out.stdout.contains("大模型话术组"), "{out:#?}");
    assert!(out.last_line().starts_with("2 script groups"), "{out:#?}");

    let json = voxkit!(sandbox, "longlonglong script groups --user {user} --per-page 1 --all --output json" => 0)
    .json();
    let ids = numbers(&json["data"], "id");
    assert_eq!(ids, [1, 2]);
    assert_eq!(json["meta"]["all"], true);

    let json = voxkit!(sandbox, "longlonglong script tenant --tenant {LONGLONGLONG_DOCS_TENANT} --output json" => 0)
    .json();
    assert_eq!(json["message"], "查看下级用户所有话术成功");
    assert_eq!(json["data"].as_array().unwrap().len(), 2, "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dial_time_groups_are_listed_and_saved() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let out = voxkit!(sandbox, "longlonglong dial-time list --user {user}" => 0);
    assert!(out.stdout.contains("系统呼叫时间"), "{out:#?}");
    assert!(out.stdout.contains("1 09:00-12:00,13:00-18:00"), "{out:#?}");
    assert!(out.last_line().starts_with("1 dial-time group"), "{out:#?}");

    let args = [
        "longlonglong",
        "dial-time",
        "save",
        "--user",
        &user,
        "--name",
        "工作日",
        "--day",
        "1-5=09:00-12:00,13:00-18:00",
        "--skip-holiday",
        "--output",
        "json",
    ];
    let json = spawn(&sandbox_env(&sandbox), None, &args)
        .await
        .expect(0)
        .json();
    assert_eq!(json["data"]["id"], 2, "{json}");
    assert_eq!(json["group"]["content"].as_array().unwrap().len(), 5);

    let json =
        voxkit!(sandbox, "longlonglong dial-time list --user {user} --all --output json" => 0)
            .json();
    let names = strings(&json["data"], "name");
    assert_eq!(names, ["系统呼叫时间", "工作日"]);

    // A bad day is refused before sending; a lost save is exit 5 with the list to check.
    voxkit!(sandbox, "longlonglong dial-time save --user {user} --name x --day 7=09:00-10:00" => 2);
    drop_next_answer(&sandbox, "longlonglong.save_dial_time_group");
    let out = voxkit!(sandbox, "longlonglong dial-time save --user {user} --name lost --day 1=09:00-10:00" => 5);
    assert!(
        out.stderr
            .contains(&format!("dial-time list --user {user} --all")),
        "{out:#?}"
    );
    assert_eq!(sandbox.dropped_after_applying(), 1);
}

/// The security code comes from stdin or the environment, never an argument, and is
/// never printed; a wrong one is the provider's refusal (exit 3), none at all exit 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privacy_set_reads_the_code_from_stdin_or_the_environment() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let setting = r#"disable_crm_phone={"style":1}"#;
    let args = [
        "longlonglong",
        "privacy",
        "set",
        "--user",
        &user,
        "--setting",
        setting,
        "--code-stdin",
    ];
    let env = sandbox_env(&sandbox);
    let out = spawn(&env, Some(&format!("{SECURITY_CODE}\n")), &args)
        .await
        .expect(0);
    assert!(out.stdout.contains("saved disable_crm_phone"), "{out:#?}");
    assert!(!out.stdout.contains(SECURITY_CODE), "{out:#?}");

    let from_env = with(
        env.clone(),
        &[("LONGLONGLONG_SECURITY_CODE", SECURITY_CODE)],
    );
    spawn(&from_env, None, &args[..7]).await.expect(0);

    let wrong = with(
        env.clone(),
        &[("LONGLONGLONG_SECURITY_CODE", "SENTINEL-999")],
    );
    let out = spawn(&wrong, None, &args[..7]).await.expect(3);
    assert!(
        !out.stderr.contains("SENTINEL") && !out.stdout.contains("SENTINEL"),
        "{out:#?}"
    );

    let out = spawn(&env, None, &args[..7]).await.expect(2);
    assert!(
        out.stderr.contains("LONGLONGLONG_SECURITY_CODE"),
        "{out:#?}"
    );
    let mut as_argument = args[..7].to_vec();
    as_argument.extend(["--code", SECURITY_CODE]);
    spawn(&env, None, &as_argument).await.expect(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vos_callback_data_and_the_accounts_balance() {
    let (sandbox, user) = longlonglong_sandbox().await;

    let json =
        voxkit!(sandbox, "longlonglong vos overview --user {user} --all --output json" => 0).json();
    assert!(json["data"].is_array(), "{json}");
    let out = voxkit!(sandbox, "longlonglong vos overview --user {user}" => 0);
    assert!(
        out.stdout.contains("\"vos_account_id\": 1"),
        "pretty JSON: {out:#?}"
    );
    let out = voxkit!(sandbox, "longlonglong vos cdrs --user {user} --day 2022-12-01" => 0);
    assert_eq!(out.last_line(), "no VOS records on 2022-12-01");
    voxkit!(sandbox, "longlonglong vos cdrs --user {user} --phone 12a" => 2);

    let json = voxkit!(sandbox, "longlonglong callbacks data --user {user} --batch {BATCH} --output json" => 0)
    .json();
    assert_eq!(json["data"]["unique_id"], BATCH);
    assert_eq!(json["data"]["data"]["numbers"][0], "13012121212");
    voxkit!(sandbox, "longlonglong callbacks data --user {user} --batch nope" => 3);

    let balance = sandbox.longlonglong_balance(&user).unwrap();
    let json = voxkit!(sandbox, "longlonglong account --user {user} --output json" => 0).json();
    assert_eq!(json["balance"], balance.to_string());
    let out = voxkit!(sandbox, "longlonglong account --user {user}" => 0);
    assert_eq!(
        out.stdout.lines().next().unwrap(),
        format!("balance  {balance}")
    );
}
