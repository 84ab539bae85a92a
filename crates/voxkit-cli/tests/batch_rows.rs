//! End to end (issue 14, item 4): every row kind `voxkit batch run` gained beyond the balance
//! movements, transfers and destroys — longlonglong sub-accounts, line allocations, tasks,
//! numbers and dial-time groups; ESP-AI agents and devices; Laaffic task resends — applied
//! exactly once through the SQLite journal while the sandbox applies each request and drops
//! its answer, checked in the sandbox's state; bad cells reported by line before anything is sent; the help listing
//! every kind and column.
//!
//! The real `voxkit` binary against the in-process sandbox over loopback.

mod common;

use voxkit_espai::{AgentFilter, DeviceFilter};
use voxkit_journal::NewIntent;
use voxkit_longlonglong::{AllocationId, LineAllocation, LineQuery, NewSubAccount, UserId};
use voxkit_sandbox::{Fault, Sandbox};

use common::{
    Scratch, batch, espai_client, left_sent, longlonglong_client, run_args, run_journal,
    sandbox_env,
};

/// `--output json`: every run of a batch file here reads its summary.
const JSON: &[&str] = &["--output", "json"];

/// How the first request of each row is lost.
#[derive(Clone, Copy, Debug)]
enum Lost {
    /// Applied by the sandbox, its answer dropped: reconciled as applied, sent once.
    AfterApplying,
    /// The connection closed before the sandbox handled it: reconciled as not applied and
    /// sent again with the same marker, applied by the second send.
    BeforeHandling,
}

impl Lost {
    /// Arms the fault once on each route.
    fn arm(self, sandbox: &Sandbox, routes: &[&str]) {
        for route in routes {
            let fault = match self {
                Lost::AfterApplying => Fault::default().drop_after(1.0),
                Lost::BeforeHandling => Fault::default().drop_before(1.0),
            };
            sandbox.set_fault(route, fault.times(1));
        }
    }

    /// How many sends each row's intent records.
    fn sends(self) -> u64 {
        match self {
            Lost::AfterApplying => 1,
            Lost::BeforeHandling => 2,
        }
    }
}

/// Two tests of one body: the first with answers lost after applying, the second with
/// requests dropped before handling.
macro_rules! under_both_faults {
    ($body:ident: $after:ident, $before:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $after() {
            $body(Lost::AfterApplying).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $before() {
            $body(Lost::BeforeHandling).await;
        }
    };
}

/// Runs `csv` with the first request of every route in `routes` lost as `lost` says: every
/// row ends applied (each in doubt first, then reconciled), sent again only when proven not
/// applied; a second run of the file skips them all. Returns the journal's bytes.
async fn run_twice(
    sandbox: &Sandbox,
    test: &str,
    csv: &str,
    routes: &[&str],
    lost: Lost,
) -> Vec<u8> {
    // One directory per test and fault: `cargo test` runs both variants in one process.
    let scratch = Scratch::new(&format!("{test}-{lost:?}"));
    let file = scratch.file("rows.csv", csv.as_bytes());
    let journal = scratch.journal();
    let rows = csv.lines().count() - 1;
    lost.arm(sandbox, routes);
    let out = batch(sandbox, &file, &journal, JSON).await.expect(0);
    if let Lost::AfterApplying = lost {
        assert_eq!(
            sandbox.dropped_after_applying(),
            routes.len() as u64,
            "every fault fired: {out:#?}"
        );
    }
    let summary = out.json();
    assert_eq!(summary["applied"], rows, "{out:#?}");
    for count in ["refused", "undetermined", "unfinished", "rejected"] {
        assert_eq!(summary[count], 0, "{count}: {out:#?}");
    }
    // Each row's intent went through doubt: the journal says it was reconciled, sent once.
    let listed = run_journal(sandbox, &journal, &["list", "--output", "json"])
        .await
        .expect(0);
    let intents = listed.json()["intents"].as_array().unwrap().clone();
    assert_eq!(intents.len(), rows, "{listed:#?}");
    for intent in &intents {
        assert_eq!(intent["state"], "applied", "{intent}");
        assert_eq!(intent["attempts"], lost.sends(), "{lost:?}: {intent}");
    }

    // Run again: every row is final, nothing is sent.
    sandbox.clear_faults();
    let again = batch(sandbox, &file, &journal, JSON).await.expect(0);
    assert_eq!(again.json()["skipped"], rows, "{again:#?}");
    assert_eq!(again.json()["applied_here"], 0, "{again:#?}");
    std::fs::read(&journal).unwrap()
}

under_both_faults!(
    longlonglong_rows:
    longlonglong_rows_are_applied_exactly_once_across_lost_answers,
    longlonglong_rows_are_applied_exactly_once_when_requests_are_dropped_unhandled
);

async fn longlonglong_rows(lost: Lost) {
    let sandbox = Sandbox::start().await.unwrap();
    let id = sandbox.add_longlonglong_user("批量", 0, None, true);
    let user: UserId = id.parse().unwrap();
    let client = longlonglong_client(&sandbox);
    // A sub-account to delete, a line allocation to remove, a task to delete, an empty
    // task to fill and a paused task holding two phones to remove.
    let gone = NewSubAccount::new("将删除", "gone@example.com", "13800000002", "pw-1");
    let sub = client.create_sub_account(&user, &gone).await.unwrap().id;
    let tenant = voxkit_sandbox::LONGLONGLONG_DOCS_TENANT;
    let line = voxkit_sandbox::LONGLONGLONG_DOCS_LINE.parse().unwrap();
    let deadline = chrono::NaiveDate::from_ymd_opt(2030, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap();
    let allocation = LineAllocation::new(2, deadline, 1.into()).unwrap();
    let made = client
        .allocate_line(&user, &line, &allocation)
        .await
        .unwrap();
    let allocation = AllocationId::new(made.data["id"].as_u64().unwrap()).unwrap();
    let doomed = sandbox.add_longlonglong_task(&id, "将删除任务", false, &[]);
    let empty = sandbox.add_longlonglong_task(&id, "待导入", false, &[]);
    let full = sandbox.add_longlonglong_task(&id, "待删号", false, &["13800000501", "13800000502"]);

    let csv = format!(
        "key,operation,user,name,email,phone,password,sub,tenant,allocation,task,phones\n\
         c1,longlonglong.subaccount-create,{id},新子账户,new@example.com,13800000001,s3cret-pw-77,,,,,\n\
         s1,longlonglong.subaccount-delete,{id},,,,,{sub},,,,\n\
         l1,longlonglong.line-unbind,{id},,,,,,{tenant},{allocation},,\n\
         t1,longlonglong.task-delete,{id},,,,,,,,{doomed},\n\
         n1,longlonglong.numbers-add,{id},,,,,,,,{empty},13800000401; 13800000402\n\
         n2,longlonglong.numbers-delete,{id},,,,,,,,{full},13800000501;13800000502\n"
    );
    let journal = run_twice(
        &sandbox,
        "batch-rows-lll",
        &csv,
        &[
            "longlonglong.create_sub_account",
            "longlonglong.delete_sub_account",
            "longlonglong.unbind_line",
            "longlonglong.delete_task",
            "longlonglong.add_numbers",
            "longlonglong.delete_numbers",
        ],
        lost,
    )
    .await;

    let subs = sandbox.longlonglong_user(&id).unwrap().sub_accounts;
    assert_eq!(
        subs.iter().filter(|s| s.email == "new@example.com").count(),
        1,
        "created once"
    );
    assert!(!subs.iter().any(|s| s.id == sub.as_str()), "deleted");
    let lines = client
        .lines(&LineQuery::new(tenant.parse().unwrap()).user(user.clone()))
        .await
        .unwrap();
    assert!(
        !lines.allocation_ids().contains(&allocation.get()),
        "unbound"
    );
    let tasks = sandbox.longlonglong_tasks();
    assert!(!tasks.iter().any(|t| t.uuid == doomed), "task deleted");
    let numbers = |uuid: &str| -> Vec<String> {
        let task = tasks.iter().find(|t| t.uuid == uuid).unwrap();
        task.numbers.iter().map(|n| n.phone.clone()).collect()
    };
    assert_eq!(
        numbers(&empty),
        ["13800000401", "13800000402"],
        "added once"
    );
    assert!(numbers(&full).is_empty(), "numbers deleted");
    // The password never reaches the journal, nor a hash of it.
    let text = String::from_utf8_lossy(&journal);
    assert!(!text.contains("s3cret-pw-77"));
}

under_both_faults!(
    espai_rows:
    espai_agent_and_device_rows_are_applied_exactly_once_across_lost_answers,
    espai_agent_and_device_rows_are_applied_exactly_once_when_requests_are_dropped_unhandled
);

async fn espai_rows(lost: Lost) {
    let sandbox = Sandbox::start().await.unwrap();
    let key = voxkit_sandbox::ESPAI_AGENT_API_KEY;
    let csv = format!(
        "key,operation,card-id,name,agent-id,device-id,agent-key,mac\n\
         a1,espai.agent-add,772868ead56c48d68fd1924aa5ec3aac,批量超体,,,,\n\
         a2,espai.agent-delete,,,ab6ed07786074f4896d7fbeb9194d08a,,,\n\
         d1,espai.device-unbind,,,,b93ec353967441ada8d31b4910a3032d,,\n\
         d2,espai.device-unbind-mac,,,,,{key},FC:01:2C:DB:14:30\n"
    );
    let journal = run_twice(
        &sandbox,
        "batch-rows-espai",
        &csv,
        &[
            "espai.agent_add",
            "espai.agent_del",
            "espai.device_del",
            "espai.device_unbind",
        ],
        lost,
    )
    .await;

    let client = espai_client(&sandbox);
    let agents = client.list_agents(&AgentFilter::new()).await.unwrap().items;
    let added = agents
        .iter()
        .filter(|a| {
            a.name
                .as_deref()
                .is_some_and(|n| n.starts_with("批量超体 vk"))
        })
        .count();
    assert_eq!(added, 1, "added once: {agents:?}");
    assert!(
        !agents
            .iter()
            .any(|a| a.id == "ab6ed07786074f4896d7fbeb9194d08a")
    );
    let devices = client
        .list_devices(&DeviceFilter::new())
        .await
        .unwrap()
        .items;
    assert!(devices.is_empty(), "both devices unbound: {devices:?}");
    let text = String::from_utf8_lossy(&journal);
    assert!(!text.contains(key), "the agent key is only fingerprinted");
}

under_both_faults!(
    laaffic_rows:
    laaffic_resend_rows_are_applied_exactly_once_across_lost_answers,
    laaffic_resend_rows_are_applied_exactly_once_when_requests_are_dropped_unhandled
);

async fn laaffic_rows(lost: Lost) {
    let sandbox = Sandbox::start().await.unwrap();
    let task = sandbox.seed().laaffic_task;
    let voice = sandbox.seed().laaffic_voice_file.clone();
    let before = sandbox.laaffic_tasks().len();
    let csv = format!(
        "key,operation,task,name,voice-file,script,resend-type\n\
         r1,laaffic.task-resend,{task},批量回访,{voice},,\n\
         r2,laaffic.ai-resend,{task},批量AI,,7,all\n"
    );
    run_twice(
        &sandbox,
        "batch-rows-laaffic",
        &csv,
        &["laaffic.task_resend", "laaffic.ai_task_resend"],
        lost,
    )
    .await;
    let tasks = sandbox.laaffic_tasks();
    assert_eq!(tasks.len(), before + 2, "two new rounds, no more");
    for name in ["批量回访 vk", "批量AI vk"] {
        assert_eq!(
            tasks.iter().filter(|t| t.name.starts_with(name)).count(),
            1,
            "{name}"
        );
    }
}

/// The dial-time groups of `user` (its own, not a sub-account's) as the SDK lists them.
async fn dial_time_groups(sandbox: &Sandbox, user: &UserId) -> Vec<serde_json::Value> {
    let page = longlonglong_client(sandbox)
        .dial_time_groups(user, None, None)
        .await
        .unwrap();
    page.items().unwrap_or_default().to_vec()
}

under_both_faults!(
    dial_time_group_row:
    a_dial_time_group_row_is_saved_exactly_once_across_a_lost_answer,
    a_dial_time_group_row_is_saved_exactly_once_when_its_request_is_dropped_unhandled
);

async fn dial_time_group_row(lost: Lost) {
    let sandbox = Sandbox::start().await.unwrap();
    let id = sandbox.add_longlonglong_user("时间组", 0, None, true);
    let user: UserId = id.parse().unwrap();
    // The `day` cell holds days separated by `;`, each in `--day`'s syntax (quoted: its
    // spans are separated by commas).
    let csv = format!(
        "key,operation,user,name,day,default,skip-holiday\n\
         g1,longlonglong.dial-time-group-save,{id},批量工作日,\"1-5=09:00-12:00,13:00-18:00; 6=10:00-11:00\",true,\n"
    );
    run_twice(
        &sandbox,
        "batch-rows-dial-time",
        &csv,
        &["longlonglong.save_dial_time_group"],
        lost,
    )
    .await;
    let groups = dial_time_groups(&sandbox, &user).await;
    let saved: Vec<_> = groups
        .iter()
        .filter(|g| g["name"] == "批量工作日")
        .collect();
    assert_eq!(saved.len(), 1, "saved once: {groups:?}");
    let content = saved[0]["content"].as_array().unwrap();
    assert_eq!(content.len(), 6, "{content:?}");
    assert_eq!(content[0]["times"].as_array().unwrap().len(), 2);
    assert_eq!(saved[0]["is_default"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_cells_of_a_dial_time_group_row_are_reported_by_line_and_nothing_is_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let id = sandbox.add_longlonglong_user("坏时间组", 0, None, true);
    let user: UserId = id.parse().unwrap();
    let before = dial_time_groups(&sandbox, &user).await.len();
    let scratch = Scratch::new("batch-rows-dial-time-bad");
    let long = "名".repeat(65);
    let csv = format!(
        "key,operation,user,name,day,default,skip-holiday,sub\n\
         ok,longlonglong.dial-time-group-save,{id},好,1=09:00-10:00,,,\n\
         b1,longlonglong.dial-time-group-save,{id},坏,7=09:00-10:00,,,\n\
         b2,longlonglong.dial-time-group-save,{id},坏,1=10:00-09:00,,,\n\
         b3,longlonglong.dial-time-group-save,{id},坏,1=09:00-10:00,maybe,,\n\
         b4,longlonglong.dial-time-group-save,{id},{long},1=09:00-10:00,,,\n\
         b5,longlonglong.dial-time-group-save,{id},坏,1=09:00-10:00;1=11:00-12:00,,,\n\
         b6,longlonglong.dial-time-group-save,{id},坏,1=09:00-10:00,,,../admin\n\
         b7,longlonglong.dial-time-group-save,{id},坏,,,,\n"
    );
    let file = scratch.file("bad.csv", csv.as_bytes());
    let journal = scratch.journal();
    let out = batch(&sandbox, &file, &journal, JSON).await.expect(2);
    out.assert_bad_lines(&[
        (3, "`day`"),
        (4, "not before"),
        (5, "`default` must be true or false"),
        (6, "name"),
        (7, "week"),
        (8, "`sub`"),
        (9, "missing `day`"),
    ]);
    assert_eq!(
        dial_time_groups(&sandbox, &user).await.len(),
        before,
        "the good row was not sent either"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_cells_of_the_new_rows_are_reported_by_line_and_nothing_is_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let id = sandbox.add_longlonglong_user("坏行", 0, None, true);
    let task = sandbox.add_longlonglong_task(&id, "坏行任务", false, &[]);
    let laaffic_before = sandbox.laaffic_tasks().len();
    let scratch = Scratch::new("batch-rows-bad");
    let header = "key,operation,user,name,email,phone,password,sub,task,phones,mac,agent-key,\
                  voice-file,script,resend-type";
    let csv = format!(
        "{header}\n\
         ok,longlonglong.numbers-add,{id},,,,,,{task},13800000601,,,,,\n\
         b1,longlonglong.subaccount-create,{id},n,not-an-email,138,hunter2pw,,,,,,,,\n\
         b2,longlonglong.subaccount-create,{id},n,a@example.com,138,,,,,,,,,\n\
         b3,longlonglong.subaccount-delete,{id},,,,,../admin,,,,,,,\n\
         b4,longlonglong.numbers-delete,{id},,,,,,{task},;,,,,,\n\
         b5,espai.device-unbind-mac,,,,,,,,,b93ec353967441ada8d31b4910a3032d,k,,,\n\
         b6,laaffic.task-resend,,again,,,,,42,,,,,,\n\
         b7,laaffic.ai-resend,,again,,,,,42,,,,,7,some\n\
         b8,laaffic.ai-resend,,x,,,,,42,,,,,7,\n\
         b9,longlonglong.task-delete,{id},,,,,,not-a-task,,,,,,\n"
    );
    let file = scratch.file("bad.csv", csv.as_bytes());
    let journal = scratch.journal();
    let out = batch(&sandbox, &file, &journal, JSON).await.expect(2);
    out.assert_bad_lines(&[
        (3, "email"),
        (4, "missing `password`"),
        (5, "`sub`"),
        (6, "missing `phones`"),
        (7, "MAC"),
        (8, "give `voice-file`, or `tts` with `lan`"),
        (9, "`resend-type` must be all or failed"),
        (10, "task name"),
        (11, "`task`"),
    ]);
    assert!(!out.stderr.contains("hunter2pw"), "{out:#?}");
    assert!(
        !std::path::Path::new(&journal).exists(),
        "no journal opened"
    );
    let tasks = sandbox.longlonglong_tasks();
    let this = tasks.iter().find(|t| t.uuid == task).unwrap();
    assert!(this.numbers.is_empty(), "the good row was not sent either");
    assert_eq!(sandbox.laaffic_tasks().len(), laaffic_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_help_lists_every_row_kind_and_its_columns() {
    let sandbox = Sandbox::start().await.unwrap();
    let out = run_args(&sandbox_env(&sandbox), &["batch", "run", "--help"])
        .await
        .expect(0);
    // The kinds as the help lists them (`  provider.kind: what it does`, then its columns),
    // which is derived from the one list the parser and the resolver read.
    let lines: Vec<&str> = out.stdout.lines().collect();
    let mut listed = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((name, _)) = line.trim_start().split_once(": ") else {
            continue;
        };
        if line.starts_with("  ") && !line.starts_with("   ") && name.contains('.') {
            let columns: Vec<&str> = lines[i + 1]
                .split(',')
                .map(|c| c.trim().trim_matches(['[', ']']))
                .collect();
            listed.push((name.to_owned(), columns));
        }
    }
    let names: Vec<&str> = listed.iter().map(|(n, _)| n.as_str()).collect();
    for kind in [
        "longlonglong.recharge",
        "longlonglong.deduct",
        "longlonglong.zero-balance",
        "longlonglong.subaccount-create",
        "longlonglong.subaccount-delete",
        "longlonglong.line-unbind",
        "longlonglong.task-delete",
        "longlonglong.numbers-add",
        "longlonglong.numbers-delete",
        "longlonglong.dial-time-group-save",
        "espai.transfer",
        "espai.destroy",
        "espai.agent-add",
        "espai.agent-delete",
        "espai.device-unbind",
        "espai.device-unbind-mac",
        "laaffic.task-resend",
        "laaffic.ai-resend",
    ] {
        assert!(names.contains(&kind), "{kind}: {names:?}");
    }
    // Every column a listed kind reads is documented on a line of its own.
    for (kind, columns) in &listed {
        assert!(!columns.is_empty(), "{kind}");
        for column in columns {
            assert!(
                lines
                    .iter()
                    .any(|l| l.trim_start().starts_with(&format!("{column} "))),
                "{kind}: column {column} undocumented: {out:#?}"
            );
        }
    }
    // Each listed kind is accepted by the parser (a dry run of a row naming it reports
    // its columns, not an unknown operation).
    let scratch = Scratch::new("batch-rows-help");
    let csv: String = std::iter::once("key,operation\n".to_owned())
        .chain(names.iter().enumerate().map(|(i, n)| format!("k{i},{n}\n")))
        .collect();
    let file = scratch.file("kinds.csv", csv.as_bytes());
    let out = batch(&sandbox, &file, "unused.db", &["--dry-run"])
        .await
        .expect(2);
    assert!(!out.stderr.contains("unknown operation"), "{out:#?}");
    assert_eq!(
        out.stderr.matches(": missing `").count(),
        names.len(),
        "{out:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_intent_of_a_new_kind_left_sent_is_rebuilt_from_the_journal_and_reconciled() {
    let sandbox = Sandbox::start().await.unwrap();
    let id = sandbox.add_longlonglong_user("崩溃", 0, None, true);
    let other = sandbox.add_longlonglong_user("另一个", 0, None, true);
    let task = sandbox.add_longlonglong_task(&id, "崩溃前删除", false, &[]);
    let scratch = Scratch::new("batch-rows-crash");
    let journal = scratch.journal();
    // A process journaled a task delete, marked it sent, sent it (applied), and died before
    // recording the answer; the file run next does not hold that row.
    let intent = NewIntent {
        key: "t0".into(),
        provider: "longlonglong".into(),
        operation: "delete_task".into(),
        request: serde_json::json!({ "user": id, "task": task }),
        serial: format!("longlonglong:user:{id}"),
        marker: "vk0123456789abcd".into(),
    };
    let claimed = left_sent(&journal, intent).await;
    assert_eq!(claimed.len(), 1);
    let user: UserId = id.parse().unwrap();
    longlonglong_client(&sandbox)
        .delete_task(&user, &task.parse().unwrap(), None)
        .await
        .unwrap();

    let csv = format!("key,operation,user,amount\nr1,longlonglong.recharge,{other},5\n");
    let file = scratch.file("next.csv", csv.as_bytes());
    let out = batch(&sandbox, &file, &journal, JSON).await.expect(0);
    assert_eq!(out.json()["recovered"], 1, "{out:#?}");
    let shown = run_journal(&sandbox, &journal, &["show", "t0", "--output", "json"])
        .await
        .expect(0);
    let intent = &shown.json()["intents"][0];
    assert_eq!(
        intent["state"], "applied",
        "reconciled, not re-sent: {shown:#?}"
    );
    assert_eq!(intent["attempts"], 1, "{shown:#?}");
}
