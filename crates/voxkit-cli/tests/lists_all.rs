//! End to end: `--all` on every paged list command of the real binary, against the
//! in-process sandbox over loopback (issue 15, "All lists"). Each list gets enough rows
//! for several pages of a small page size; `--all` must then return every row exactly
//! once (the same rows as one page large enough to hold them all), with the `meta` of
//! `cdkey list --all` in JSON, the count as the text footer, and a progress line per page
//! after the first on stderr.

mod common;

use std::collections::HashSet;

use serde_json::{Value, json};
use voxkit_sandbox::Sandbox;

use common::{
    Env, Scratch, espai_client, laaffic_client, longlonglong_client, longlonglong_sandbox, run,
    sandbox_env, utc,
};

/// Rows added to each list: with pages of 2, at least four pages.
const ROWS: usize = 7;

/// One list command, as `--all` and as a single page holding every row.
struct List<'a> {
    /// The command and its filters, without paging.
    command: String,
    /// The flag that sets the page size (`--size`, `--per-page`, `--limit`).
    size_flag: &'a str,
    /// The array of the JSON output.
    key: &'a str,
    /// The field that identifies a row.
    id: &'a str,
    /// What the progress lines call the rows (`listing <what>: page 2…`).
    what: &'a str,
    /// The rows' plural in the text footer.
    many: &'a str,
}

fn id_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn ids(json: &Value, list: &List<'_>) -> Vec<String> {
    json[list.key]
        .as_array()
        .unwrap_or_else(|| panic!("no {:?} array: {json}", list.key))
        .iter()
        .map(|row| id_text(&row[list.id]))
        .collect()
}

/// Runs `list` with `--all` (pages of 2) in JSON and in text, and as one page of 100;
/// asserts that `--all` lists every row once, at least `at_least` of them, with the
/// shared `meta`, footer and progress. Returns the ids listed.
async fn check_all(env: &Env, list: &List<'_>, at_least: usize) -> Vec<String> {
    let (command, size) = (&list.command, list.size_flag);
    let all = run(env, &format!("{command} --all {size} 2 --output json"))
        .await
        .expect(0);
    // stderr is not a terminal and the output is JSON: it stays empty for a script.
    assert_eq!(all.stderr, "", "{all:#?}");
    let json = all.json();
    let listed = ids(&json, list);
    let unique: HashSet<&String> = listed.iter().collect();
    assert_eq!(unique.len(), listed.len(), "a row listed twice: {listed:?}");
    assert!(
        listed.len() >= at_least,
        "{} < {at_least}: {json}",
        listed.len()
    );
    assert_eq!(
        json["meta"],
        json!({"all": true, "total": listed.len(), "more": false}),
        "{json}"
    );

    // The same rows as one page that holds them all.
    let one = run(env, &format!("{command} {size} 100 --output json"))
        .await
        .expect(0)
        .json();
    let mut paged = listed.clone();
    let mut whole = ids(&one, list);
    assert!(whole.len() < 100, "the page must hold every row: {one}");
    paged.sort();
    whole.sort();
    assert_eq!(paged, whole, "--all and one page of 100 differ");

    // Text: the rows, the count as the footer, a progress line per page after the first.
    let text = run(env, &format!("{command} --all {size} 2"))
        .await
        .expect(0);
    assert_eq!(
        text.last_line(),
        format!("{} {}", listed.len(), list.many),
        "{text:#?}"
    );
    let progress: Vec<&str> = text.stderr.lines().collect();
    let pages = listed.len().div_ceil(2);
    assert!(progress.len() >= pages - 1, "{pages} pages: {text:#?}");
    assert_eq!(
        progress[0],
        format!("voxkit: listing {}: page 2… (2 so far)", list.what),
        "{text:#?}"
    );
    assert_eq!(
        progress[pages - 2],
        format!(
            "voxkit: listing {}: page {pages}… ({} so far)",
            list.what,
            2 * (pages - 1)
        ),
        "{text:#?}"
    );
    assert!(
        text.stdout.lines().all(|l| !l.starts_with("voxkit:")),
        "{text:#?}"
    );
    listed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn longlonglong_subaccount_list_all_lists_every_sub_account_once() {
    use voxkit_longlonglong::{NewSubAccount, UserId};
    let (sandbox, user) = longlonglong_sandbox().await;
    let client = longlonglong_client(&sandbox);
    let owner = UserId::parse(&user).unwrap();
    let mut created = Vec::new();
    for i in 0..ROWS {
        let sub = NewSubAccount::new(
            format!("sub{i}"),
            format!("all{i}@example.com"),
            format!("1380000{i:04}"),
            "sub-password",
        );
        created.push(
            client
                .create_sub_account(&owner, &sub)
                .await
                .unwrap()
                .id
                .to_string(),
        );
    }
    let list = List {
        command: format!("longlonglong subaccount list --user {user}"),
        size_flag: "--per-page",
        key: "sub_accounts",
        id: "id",
        what: "sub-accounts",
        many: "sub-accounts",
    };
    let listed = check_all(&sandbox_env(&sandbox), &list, ROWS).await;
    assert!(created.iter().all(|id| listed.contains(id)), "{listed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laaffic_tasks_all_and_type_filter() {
    use voxkit_laaffic::{AiTaskUpdate, Callee, NewTask, VoiceFileId, VoiceSource};
    let sandbox = Sandbox::start().await.unwrap();
    let client = laaffic_client(&sandbox);
    let file = VoiceFileId(sandbox.seed().laaffic_voice_file.clone());
    let mut created = Vec::new();
    for i in 0..ROWS {
        let task = NewTask::new(
            "4luaKsL2",
            format!("all tasks {i}"),
            VoiceSource::File(file.clone()),
            [Callee::new(format!("86135000000{i:02}"))],
        );
        created.push(client.create_task(&task).await.unwrap().unwrap());
    }
    // Two of them become AI tasks (taskType 2), before any read starts their calls.
    for (i, id) in created[..2].iter().enumerate() {
        client
            .update_ai_task(&AiTaskUpdate::new(*id, format!("ai task {i}"), 7))
            .await
            .unwrap();
    }
    let env = sandbox_env(&sandbox);
    let mut list = List {
        command: "laaffic tasks".to_owned(),
        size_flag: "--size",
        key: "tasks",
        id: "task_id",
        what: "tasks",
        many: "tasks",
    };
    let listed = check_all(&env, &list, ROWS).await;
    assert!(created.iter().all(|id| listed.contains(&id.0.to_string())));

    // --type: the AI tasks alone, every page of them; IVR without them; no AI-Agent task.
    let ai: Vec<String> = created[..2].iter().map(|id| id.0.to_string()).collect();
    let json = run(&env, "laaffic tasks --type ai --all --size 1 --output json")
        .await
        .expect(0)
        .json();
    let mut listed_ai = ids(&json, &list);
    listed_ai.sort();
    assert_eq!(listed_ai, ai, "{json}");
    assert!(
        json["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["type"] == "ai")
    );
    list.command = "laaffic tasks --type ivr".to_owned();
    let ivr = check_all(&env, &list, ROWS - 2).await;
    assert!(ivr.iter().all(|id| !ai.contains(id)), "{ivr:?}");
    assert_eq!(ivr.len() + ai.len(), listed.len());
    let out = run(&env, "laaffic tasks --type ai-agent --all")
        .await
        .expect(0);
    assert_eq!(out.stdout, "no tasks\n", "{out:#?}");
    // A kind the API does not have is a usage error: nothing is sent.
    run(&env, "laaffic tasks --type sms").await.expect(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laaffic_records_all_lists_every_record_of_the_window_once() {
    use voxkit_laaffic::{Callee, NewTask, VoiceFileId, VoiceSource};
    let sandbox = Sandbox::start().await.unwrap();
    let client = laaffic_client(&sandbox);
    let file = VoiceFileId(sandbox.seed().laaffic_voice_file.clone());
    let numbers: Vec<Callee> = (0..ROWS)
        .map(|i| Callee::new(format!("86136000000{i:02}")))
        .collect();
    let task = NewTask::new("4luaKsL2", "all records", VoiceSource::File(file), numbers);
    let id = client.create_task(&task).await.unwrap().unwrap();
    // Waiting → calling → completed: the calls' records are made.
    sandbox.advance_laaffic_tasks();
    sandbox.advance_laaffic_tasks();
    let ours: Vec<String> = sandbox
        .laaffic_call_records()
        .into_iter()
        .filter(|r| r.task_id == id.0)
        .map(|r| r.voice_id)
        .collect();
    assert_eq!(ours.len(), ROWS);
    let list = List {
        command: format!("laaffic records --from {} --to {}", utc(-3600), utc(3600)),
        size_flag: "--size",
        key: "records",
        id: "voice_id",
        what: "records",
        many: "records",
    };
    let listed = check_all(&sandbox_env(&sandbox), &list, ROWS).await;
    assert!(ours.iter().all(|id| listed.contains(id)), "{listed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laaffic_recall_list_all_lists_every_flow_once() {
    // The sandbox seeds one recall flow and has no call that makes more: its state file
    // (`--state`) is given more flows, copies of the seeded one under new ids.
    let scratch = Scratch::new("lists-all-recall");
    let path = scratch.0.join("state.json");
    drop(Sandbox::builder().state_file(&path).start().await.unwrap());
    let mut state: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let flows = state["state"]["recalls"]["flows"]
        .as_array_mut()
        .expect("the state file holds the recall flows");
    let seeded = flows[0].clone();
    for i in 1..ROWS as u64 {
        let mut flow = seeded.clone();
        flow["key_id"] = json!(100 + i);
        flow["nodes"] = json!([10_000 + i]);
        flows.push(flow);
    }
    std::fs::write(&path, serde_json::to_vec(&state).unwrap()).unwrap();
    let sandbox = Sandbox::builder().state_file(&path).start().await.unwrap();
    let list = List {
        command: "laaffic recall list".to_owned(),
        size_flag: "--size",
        key: "flows",
        id: "key_id",
        what: "recall flows",
        many: "recall flows",
    };
    let listed = check_all(&sandbox_env(&sandbox), &list, ROWS).await;
    assert_eq!(listed.len(), ROWS, "{listed:?}");
    // One page: the footer offers --all.
    let out = run(&sandbox_env(&sandbox), "laaffic recall list --size 2")
        .await
        .expect(0);
    assert_eq!(
        out.last_line(),
        "2 recall flows; page 1 of 4 (7 recall flows); more: --page 2 or --all",
        "{out:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn espai_cdkey_usage_all_lists_every_entry_once() {
    use voxkit_espai::CardKey;
    let sandbox = Sandbox::start().await.unwrap();
    let seed = sandbox.seed().clone();
    let phone = seed.espai_phone.as_str();
    let client = espai_client(&sandbox);
    let from = CardKey::new(phone, &seed.espai_paid_codes[0]);
    let to = CardKey::new(phone, &seed.espai_paid_codes[1]);
    // Each transfer writes one entry per card.
    for amount in 1..=4 {
        client.transfer(&from, &to, amount).await.unwrap();
    }
    let list = List {
        command: "espai cdkey usage".to_owned(),
        size_flag: "--limit",
        key: "logs",
        id: "id",
        what: "usage entries",
        many: "entries",
    };
    check_all(&sandbox_env(&sandbox), &list, 8).await;
}
