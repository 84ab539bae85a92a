//! The SDK's exactly-once call of **every** non-repeatable operation, read from the
//! providers' declarations (every `OperationSpec` with `NotRepeatable` in their
//! `OPERATIONS`, through their test hooks), each under the sandbox's two lost-answer faults:
//!
//! - applied-then-dropped (the sandbox applies the request, then drops the connection);
//! - dropped-before-handling (nothing applied).
//!
//! Each must end `Applied` with the sandbox showing it applied exactly once, or, only where
//! the declaration says `Impossible`, `Undetermined` with the request sent once and never
//! again (applied once or not at all, as the fault decided).
//!
//! The calls differ in signature and in how the sandbox shows the effect, so each operation
//! has a case in [`case`], keyed by its declared name (as `common::ops::call` is). The test
//! iterates the declarations, not that table: a non-repeatable operation declared without a
//! case fails it, so a new one cannot be forgotten.

#![cfg(all(feature = "longlonglong", feature = "espai", feature = "laaffic"))]

mod common;

use std::time::Duration;

use voxkit::core::{ExactlyOnceOutcome, Marker, OperationSpec, ReconcileWait, Reconciliation};
use voxkit::espai::{
    AgentFilter, CardKey, Commodity, DeviceFilter, NewAgent, OrderKind, marked_agent_name,
};
use voxkit::laaffic::{
    AiResend, AiResendType, Callee, NewTask, Resend, Sms, SmsBatch, SmsBatchItem, SmsMethod,
    TaskId, VoiceSource, marked_task_name, marked_voice_file_name,
};
use voxkit::longlonglong::{Direction, NewSubAccount, NewUser, SubUserId, UserId};
use voxkit::longlonglong::{
    NewTask as LllNewTask, NumberDeletion, NumberImport, NumberReset, NumberRow,
    TaskId as LllTaskId, TaskLine,
};
use voxkit_sandbox::{Fault, Sandbox};

use common::ops::hooks;
use common::{Clients, Settings, clients, http_client};

/// A short wait: the sandbox's history is up to date at once.
const FAST: ReconcileWait = ReconcileWait {
    tries: 4,
    first_backoff: Duration::from_millis(2),
    max_backoff: Duration::from_millis(10),
    not_applied_looks: 2,
};

/// The two lost-answer faults, each on the first request to the operation's route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lost {
    /// Applied by the sandbox, then the connection dropped.
    AppliedThenDropped,
    /// The connection dropped before the sandbox handled the request.
    DroppedBeforeHandling,
}

impl Lost {
    fn fault(self) -> Fault {
        match self {
            Lost::AppliedThenDropped => Fault::default().drop_after(1.0).times(1),
            Lost::DroppedBeforeHandling => Fault::default().drop_before(1.0).times(1),
        }
    }
}

/// What one case did: the exactly-once call's outcome, and how many times the sandbox's
/// state shows the operation applied afterwards.
struct Ran {
    outcome: ExactlyOnceOutcome,
    applied: usize,
}

/// The cases' common set-up: a fresh seeded sandbox, clients, and the fault to arm on the
/// operation's route once the case's own set-up requests are done.
struct Env {
    sandbox: Sandbox,
    c: Clients,
    route: &'static str,
    lost: Lost,
}

impl Env {
    /// Arms the fault: the next request to the operation's route loses its answer.
    fn arm(&self) {
        self.sandbox.set_fault(self.route, self.lost.fault());
    }

    fn user(&self, balance: i64) -> (String, UserId) {
        let id = self
            .sandbox
            .add_longlonglong_user("逐一对账", balance, None, true);
        let user = id.parse().expect("a UUID");
        (id, user)
    }
}

/// The outcome, or the panic message of a refusal (no case expects one).
fn ok(result: Result<ExactlyOnceOutcome, voxkit::Error>) -> ExactlyOnceOutcome {
    result.unwrap_or_else(|e| panic!("refused: {e}"))
}

/// The case of the non-repeatable operation `spec`: set up, arm the fault, run the SDK's
/// exactly-once call, count in the sandbox's state. `None`: no case for this operation.
async fn case(spec: &OperationSpec, env: &Env) -> Option<Ran> {
    let (sandbox, c) = (&env.sandbox, &env.c);
    let ran = match (spec.provider, spec.name) {
        ("longlonglong", name @ ("recharge" | "deduct")) => {
            let direction = if name == "recharge" {
                Direction::Recharge
            } else {
                Direction::Deduct
            };
            let (id, user) = env.user(1000);
            let marker = Marker::generate();
            env.arm();
            let outcome = ok(c
                .longlonglong
                .move_exactly_once(direction, &user, 7, Some("逐一"), &marker, &FAST)
                .await);
            let rows: Vec<_> = sandbox
                .longlonglong_movements(&id)
                .into_iter()
                .filter(|m| m.remark.as_deref().is_some_and(|r| marker.found_in(r)))
                .collect();
            let moved: i64 = rows.iter().map(|m| m.amount).sum();
            let expected = if name == "recharge" { 1007 } else { 993 };
            let balance = sandbox.longlonglong_balance(&id);
            assert!(
                rows.len() != 1 || balance == Some(expected),
                "{name}: one row of {moved}, balance {balance:?}"
            );
            Ran {
                outcome,
                applied: rows.len(),
            }
        }
        ("longlonglong", "zero_balance") => {
            let (id, user) = env.user(50);
            env.arm();
            let outcome = ok(c.longlonglong.zero_balance_exactly_once(&user, &FAST).await);
            let applied = sandbox.longlonglong_movements(&id).len();
            assert_eq!(
                sandbox.longlonglong_balance(&id),
                Some(if applied > 0 { 0 } else { 50 })
            );
            Ran { outcome, applied }
        }
        ("longlonglong", "register_user") => {
            let email = format!("{}@example.com", Marker::generate());
            let new_user = || NewUser::new("逐一用户", email.as_str(), "13800000000", "pw-e1");
            env.arm();
            let outcome = ok(c.longlonglong.register_user_exactly_once(&new_user()).await);
            // The sandbox keeps emails unique: registering again is refused (`422`,
            // 邮箱已存在) exactly when the first registration was applied.
            let again = c.longlonglong.register_user(&new_user()).await;
            let applied = match again {
                Ok(_) => 0,
                Err(e) if e.api_code() == Some("422") => 1,
                Err(e) => panic!("register_user probe: {e}"),
            };
            Ran { outcome, applied }
        }
        ("longlonglong", "create_sub_account") => {
            let (id, user) = env.user(0);
            let email = format!("{}@example.com", Marker::generate());
            let account = NewSubAccount::new("逐一子账户", email.as_str(), "13800000001", "pw");
            env.arm();
            let outcome = ok(c
                .longlonglong
                .create_sub_account_exactly_once(&user, &account, &FAST)
                .await);
            let applied = sandbox
                .longlonglong_user(&id)
                .expect("user")
                .sub_accounts
                .iter()
                .filter(|s| s.email == email)
                .count();
            Ran { outcome, applied }
        }
        ("longlonglong", "delete_sub_account") => {
            let (id, user) = env.user(0);
            let account = NewSubAccount::new("将删除", "gone@example.com", "13800000002", "pw");
            let sub: SubUserId = c
                .longlonglong
                .create_sub_account(&user, &account)
                .await
                .expect("set-up: a sub-account")
                .id;
            env.arm();
            let outcome = ok(c
                .longlonglong
                .delete_sub_account_exactly_once(&user, &sub, &FAST)
                .await);
            let left = sandbox.longlonglong_user(&id).expect("user").sub_accounts;
            let applied = usize::from(!left.iter().any(|s| s.id == sub.as_str()));
            Ran { outcome, applied }
        }
        // Issue 16 (H17): lines and dial-time groups, read back through the SDK.
        ("longlonglong", name @ ("allocate_line" | "unbind_line")) => {
            use voxkit::longlonglong::{AllocationId, LineAllocation, LineId, LineQuery, TenantId};
            let (_, user) = env.user(0);
            let tenant: TenantId = voxkit_sandbox::LONGLONGLONG_DOCS_TENANT.parse().unwrap();
            let line: LineId = voxkit_sandbox::LONGLONGLONG_DOCS_LINE.parse().unwrap();
            let deadline = chrono::NaiveDate::from_ymd_opt(2030, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap();
            let allocation = LineAllocation::new(2, deadline, 1.into()).unwrap();
            let listed = || async {
                c.longlonglong
                    .lines(&LineQuery::new(tenant.clone()).user(user.clone()))
                    .await
                    .expect("probe: lines")
            };
            if name == "allocate_line" {
                env.arm();
                let outcome = ok(c
                    .longlonglong
                    .allocate_line_exactly_once(&user, &line, &allocation)
                    .await);
                let applied = listed().await.allocation_ids().len();
                Ran { outcome, applied }
            } else {
                let made = c
                    .longlonglong
                    .allocate_line(&user, &line, &allocation)
                    .await
                    .expect("set-up: an allocation");
                let id = AllocationId::new(made.data["id"].as_u64().expect("an id")).unwrap();
                env.arm();
                let outcome = ok(c
                    .longlonglong
                    .unbind_line_exactly_once(&user, &tenant, id, &FAST)
                    .await);
                let applied = usize::from(!listed().await.allocation_ids().contains(&id.get()));
                Ran { outcome, applied }
            }
        }
        ("longlonglong", "save_dial_time_group") => {
            use voxkit::longlonglong::{DaySchedule, NewDialTimeGroup, TimeSpan};
            let (_, user) = env.user(0);
            let name = format!("逐一-{}", Marker::generate());
            let hm = |h| chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap();
            let day = DaySchedule::new(1, vec![TimeSpan::new(hm(9), hm(18)).unwrap()]).unwrap();
            let group = NewDialTimeGroup::new(name.as_str(), vec![day]).unwrap();
            env.arm();
            let outcome = ok(c
                .longlonglong
                .save_dial_time_group_exactly_once(&user, &group, &FAST)
                .await);
            let page = c
                .longlonglong
                .dial_time_groups(&user, None, None)
                .await
                .expect("probe: dial_time_groups");
            let applied = page
                .items()
                .expect("an array")
                .iter()
                .filter(|g| g["name"] == name.as_str())
                .count();
            Ran { outcome, applied }
        }
        // The CRM pool (issue 16, H20): declared Impossible, read back through the SDK.
        ("longlonglong", name @ ("import_customers" | "customers_to_task")) => {
            use voxkit::longlonglong::{CustomerFilter, NewCustomer, TaskId};
            let (id, user) = env.user(0);
            // A fresh user: its pool is empty, so the phone's rows are this case's alone.
            let phone = "13900000001";
            let rows = [NewCustomer::new(phone).name("逐一")];
            // A paused task of the user's own: the sandbox refuses another's (404) and a
            // running one (6007).
            let task: TaskId = env
                .sandbox
                .add_longlonglong_task(&id, "公海转入", false, &[])
                .parse()
                .unwrap();
            let filter = CustomerFilter::new().phone(phone);
            let outcome = if name == "import_customers" {
                env.arm();
                ok(c.longlonglong
                    .import_customers_exactly_once(&user, &rows, None)
                    .await)
            } else {
                c.longlonglong
                    .import_customers(&user, &rows, None)
                    .await
                    .expect("set-up: a customer");
                env.arm();
                ok(c.longlonglong
                    .customers_to_task_exactly_once(&user, &task, &filter)
                    .await)
            };
            let page = c
                .longlonglong
                .customers(&user, &filter)
                .await
                .expect("probe: customers");
            let applied = if name == "import_customers" {
                page.items().len()
            } else {
                page.items()
                    .iter()
                    .map(|r| r["task_ids"].as_array().map_or(0, Vec::len))
                    .sum()
            };
            Ran { outcome, applied }
        }
        // longlonglong call tasks and numbers (issue 16).
        ("longlonglong", "create_task") => {
            let (id, user) = env.user(0);
            let at =
                |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
            let line = "29c39ec4-5a7e-4f0b-9d0e-1b2c3d4e5f60"
                .parse()
                .expect("a line id");
            let task = LllNewTask::new(
                "逐一任务",
                123,
                1,
                at("2030-01-01 09:00:00"),
                at("2030-12-31 18:00:00"),
            )
            .line(TaskLine::new(line, 1));
            let marker = Marker::generate();
            env.arm();
            let outcome = ok(c
                .longlonglong
                .create_task_exactly_once(&user, &task, &marker, &FAST)
                .await);
            let applied = sandbox
                .longlonglong_tasks()
                .iter()
                .filter(|t| t.user_id == id && marker.found_in(&t.name))
                .count();
            Ran { outcome, applied }
        }
        (
            "longlonglong",
            name @ ("copy_task" | "pause_task_v1" | "delete_task" | "reset_numbers"),
        ) => {
            let (id, user) = env.user(0);
            let enabled = name == "pause_task_v1";
            let uuid = sandbox.add_longlonglong_task(&id, "逐一原任务", enabled, &["13800000301"]);
            let task: LllTaskId = uuid.parse().expect("a task id");
            env.arm();
            #[allow(deprecated)]
            let outcome = ok(match name {
                "copy_task" => c.longlonglong.copy_task_exactly_once(&user, &task).await,
                "pause_task_v1" => {
                    c.longlonglong
                        .pause_task_v1_exactly_once(&user, &task, &FAST)
                        .await
                }
                "delete_task" => {
                    c.longlonglong
                        .delete_task_exactly_once(&user, &task, &FAST)
                        .await
                }
                _ => {
                    let reset = NumberReset::new().phones(["13800000301"]);
                    c.longlonglong
                        .reset_numbers_exactly_once(&user, &task, &reset)
                        .await
                }
            });
            let tasks = sandbox.longlonglong_tasks();
            let this = tasks.iter().find(|t| t.uuid == uuid);
            let applied = match name {
                "copy_task" => tasks.iter().filter(|t| t.name == "逐一原任务-副本").count(),
                "pause_task_v1" => this.map_or(0, |t| t.pauses as usize),
                "delete_task" => usize::from(this.is_none()),
                _ => this.map_or(0, |t| t.resets as usize),
            };
            Ran { outcome, applied }
        }
        ("longlonglong", name @ ("add_numbers" | "add_numbers_async" | "delete_numbers")) => {
            let (id, user) = env.user(0);
            let phones = ["13800000401", "13800000402"];
            let seeded: &[&str] = if name == "delete_numbers" {
                &phones
            } else {
                &[]
            };
            let uuid = sandbox.add_longlonglong_task(&id, "逐一号码", false, seeded);
            let task: LllTaskId = uuid.parse().expect("a task id");
            env.arm();
            let outcome = ok(if name == "delete_numbers" {
                c.longlonglong
                    .delete_numbers_exactly_once(&user, &task, &NumberDeletion::new(phones), &FAST)
                    .await
            } else {
                let import = NumberImport::new(phones.iter().map(|p| NumberRow::new(*p)).collect());
                c.longlonglong
                    .add_numbers_exactly_once(
                        &user,
                        &task,
                        &import,
                        name == "add_numbers_async",
                        &FAST,
                    )
                    .await
            });
            let task = sandbox
                .longlonglong_tasks()
                .into_iter()
                .find(|t| t.uuid == uuid)
                .expect("the task");
            let present = phones
                .iter()
                .filter(|p| task.numbers.iter().any(|n| n.phone == **p))
                .count();
            let applied = if name == "delete_numbers" {
                usize::from(present == 0)
            } else {
                usize::from(present == phones.len())
            };
            Ran { outcome, applied }
        }
        ("laaffic", "upload_voice_file") => {
            let marker = Marker::generate();
            let name = marked_voice_file_name("greeting.mp3", &marker);
            env.arm();
            let outcome = ok(c
                .laaffic
                .upload_voice_file_exactly_once(&name, b"ID3\x04\x00", &FAST)
                .await);
            let applied = sandbox
                .laaffic_voice_files()
                .iter()
                .filter(|f| f.name == name)
                .count();
            Ran { outcome, applied }
        }
        ("laaffic", name @ ("create_task" | "resend_task")) => {
            let marker = Marker::generate();
            let task_name = marked_task_name("逐一回访", &marker);
            let voice = VoiceSource::file(sandbox.seed().laaffic_voice_file.as_str());
            env.arm();
            let outcome = if name == "create_task" {
                let task =
                    NewTask::new("4luaKsL2", task_name, voice, [Callee::new("8613500000000")]);
                c.laaffic.create_task_exactly_once(&task, &FAST).await
            } else {
                // The seed's finished task, resent under the marked name.
                let resend = Resend::new(TaskId(sandbox.seed().laaffic_task), task_name, voice);
                c.laaffic.resend_task_exactly_once(&resend, &FAST).await
            };
            let applied = sandbox
                .laaffic_tasks()
                .iter()
                .filter(|t| marker.found_in(&t.name))
                .count();
            Ran {
                outcome: ok(outcome),
                applied,
            }
        }
        ("laaffic", name @ ("send_sms" | "send_sms_get" | "send_sms_batch")) => {
            // Issue 15: declared Impossible. The sandbox charges 0.05 per number and
            // segment from 99.99: the balance shows whether the one send was applied.
            env.arm();
            let outcome = if name == "send_sms_batch" {
                let item = SmsBatchItem::new(["91856321412"], "逐一");
                let batch = SmsBatch::new("4luaKsL2", [item]);
                c.laaffic.send_sms_batch_exactly_once(&batch).await
            } else {
                let method = if name == "send_sms" {
                    SmsMethod::Post
                } else {
                    SmsMethod::Get
                };
                let sms = Sms::new("4luaKsL2", ["91856321412"], "逐一").method(method);
                c.laaffic.send_sms_exactly_once(&sms).await
            };
            let balance = sandbox.laaffic_balance().to_string();
            Ran {
                outcome: ok(outcome),
                applied: usize::from(balance != "99.990000"),
            }
        }
        ("laaffic", "resend_ai_task") => {
            let marker = Marker::generate();
            let task_name = marked_task_name("逐一AI", &marker);
            env.arm();
            let resend = AiResend::new(
                TaskId(sandbox.seed().laaffic_task),
                task_name,
                7,
                AiResendType::All,
            );
            let outcome = ok(c.laaffic.resend_ai_task_exactly_once(&resend, &FAST).await);
            let applied = sandbox
                .laaffic_tasks()
                .iter()
                .filter(|t| marker.found_in(&t.name))
                .count();
            Ran { outcome, applied }
        }
        ("espai", "transfer") => {
            // Between two cards of the account, both logs readable: the pair of rows is
            // the proof (a target of another account is `reconcile.rs`'s case).
            let phone = sandbox.seed().espai_phone.clone();
            sandbox.add_espai_card(&phone, "SRC00001", "1", 100);
            sandbox.add_espai_card(&phone, "DST00001", "1", 0);
            let from = CardKey::new(phone.clone(), "SRC00001");
            let to = CardKey::new(phone, "DST00001");
            env.arm();
            let outcome = ok(c.espai.transfer_exactly_once(&from, &to, 30, &FAST).await);
            let source = sandbox.espai_card("SRC00001").expect("source").quota;
            let target = sandbox.espai_card("DST00001").expect("target").quota;
            assert_eq!(source + target, 100, "quota made or lost");
            Ran {
                outcome,
                applied: usize::try_from(target / 30).expect("small"),
            }
        }
        ("espai", "destroy") => {
            // A paid card with nothing left, in the account's own list.
            let phone = sandbox.seed().espai_phone.clone();
            let id = sandbox.add_espai_card(&phone, "GONE0001", "1", 0);
            env.arm();
            let outcome = ok(c.espai.destroy_exactly_once(&[id.as_str()], &FAST).await);
            let applied = usize::from(sandbox.espai_card("GONE0001").is_none());
            Ran { outcome, applied }
        }
        ("espai", "pay") => {
            // Orders are numbered in the payment URL (`out_trade_no=SANDBOX00000001`):
            // one order before and one after tell how many the call created.
            let order = |url: &str| -> u64 {
                let (_, n) = url
                    .split_once("out_trade_no=SANDBOX")
                    .expect("an order number");
                n.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .expect("digits")
            };
            let pay = || c.espai.pay(Commodity::Uses1000, OrderKind::Buy);
            let before = order(&pay().await.expect("set-up: an order"));
            env.arm();
            let outcome = ok(c
                .espai
                .pay_exactly_once(Commodity::Uses1000, OrderKind::Buy)
                .await);
            let after = order(&pay().await.expect("probe: an order"));
            Ran {
                outcome,
                applied: usize::try_from(after - before - 1).expect("small"),
            }
        }
        ("espai", "add_agent") => {
            // Agent names need not be unique: the marker in the name is the proof.
            let marker = Marker::generate();
            let name = marked_agent_name("逐一超体", &marker);
            let agent = NewAgent::new("772868ead56c48d68fd1924aa5ec3aac", name.as_str());
            env.arm();
            let outcome = ok(c.espai.add_agent_exactly_once(&agent, &FAST).await);
            let applied = c
                .espai
                .list_agents(&AgentFilter::new())
                .await
                .expect("probe: the agents")
                .items
                .iter()
                .filter(|a| a.name.as_deref().is_some_and(|n| marker.found_in(n)))
                .count();
            Ran { outcome, applied }
        }
        ("espai", "delete_agents") => {
            // The seeded agent the documentation's delete example names.
            let id = "ab6ed07786074f4896d7fbeb9194d08a";
            env.arm();
            let outcome = ok(c.espai.delete_agents_exactly_once(&[id], &FAST).await);
            let listed = c
                .espai
                .list_agents(&AgentFilter::new())
                .await
                .expect("probe: the agents");
            let applied = usize::from(!listed.items.iter().any(|a| a.id == id));
            Ran { outcome, applied }
        }
        ("espai", "unbind_devices") => {
            // The seeded device the documentation's unbind example names.
            let id = "b93ec353967441ada8d31b4910a3032d";
            env.arm();
            let outcome = ok(c.espai.unbind_devices_exactly_once(&[id], &FAST).await);
            let listed = c
                .espai
                .list_devices(&DeviceFilter::new())
                .await
                .expect("probe: the devices");
            let applied = usize::from(!listed.items.iter().any(|d| d.id == id));
            assert_eq!(
                listed.items.len(),
                2 - applied,
                "another device was unbound"
            );
            Ran { outcome, applied }
        }
        ("espai", "unbind_device_mac") => {
            // The seeded device bound to the seeded agent.
            let key = voxkit::core::SecretString::from(voxkit_sandbox::ESPAI_AGENT_API_KEY);
            let mac = "FC:01:2C:DB:14:30";
            env.arm();
            let outcome = ok(c
                .espai
                .unbind_device_by_mac_exactly_once(&key, mac, &FAST)
                .await);
            let listed = c
                .espai
                .list_devices(&DeviceFilter::new())
                .await
                .expect("probe: the devices");
            let applied = usize::from(!listed.items.iter().any(|d| d.mac.as_deref() == Some(mac)));
            assert_eq!(
                listed.items.len(),
                2 - applied,
                "another device was unbound"
            );
            Ran { outcome, applied }
        }
        _ => return None,
    };
    Some(ran)
}

/// What the declaration and the fault require of one run; the failures, in words.
fn check(spec: &OperationSpec, lost: Lost, ran: &Ran) -> Vec<String> {
    let what = format!("{}.{} under {lost:?}", spec.provider, spec.name);
    let mut failures = Vec::new();
    match (spec.reconciliation, &ran.outcome) {
        (Reconciliation::Impossible { .. }, ExactlyOnceOutcome::Undetermined { why, .. }) => {
            // Sent once, never again: applied once if the sandbox applied it, else not.
            let once = usize::from(lost == Lost::AppliedThenDropped);
            if ran.applied != once {
                failures.push(format!(
                    "{what}: undetermined, applied {} times (want {once})",
                    ran.applied
                ));
            }
            if !why.contains("cannot be reconciled") {
                failures.push(format!("{what}: undetermined without the reason: {why}"));
            }
        }
        (Reconciliation::Impossible { .. }, other) => {
            failures.push(format!("{what}: declared Impossible, ended {other:?}"));
        }
        (how, ExactlyOnceOutcome::Applied { resent, .. }) => {
            if ran.applied != 1 {
                failures.push(format!("{what}: applied {} times", ran.applied));
            }
            // Nothing applied: only a second send can have applied it. Applied and
            // dropped: found in the provider's records, not sent again, except where the
            // request is its own probe (ByConflict).
            let want_resent = lost == Lost::DroppedBeforeHandling
                || matches!(how, Reconciliation::ByConflict { .. });
            if *resent != want_resent {
                failures.push(format!("{what}: resent {resent}, want {want_resent}"));
            }
        }
        (_, other) => failures.push(format!("{what}: reconcilable, ended {other:?}")),
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_non_repeatable_operation_is_applied_exactly_once_or_honestly_undetermined() {
    let mut failures = Vec::new();
    let mut missing = Vec::new();
    let mut ran = 0;
    let declared: Vec<_> = hooks()
        .into_iter()
        .filter(|h| !h.spec.is_repeatable())
        .collect();
    for hook in &declared {
        let spec = hook.spec;
        let route = hook
            .route()
            .unwrap_or_else(|| panic!("{}: no sandbox route", spec.name))
            .name;
        for lost in [Lost::AppliedThenDropped, Lost::DroppedBeforeHandling] {
            let sandbox = Sandbox::start().await.expect("sandbox");
            let c = clients(&sandbox.url(), http_client_transport(), Settings::default());
            let env = Env {
                sandbox,
                c,
                route,
                lost,
            };
            match case(spec, &env).await {
                Some(result) => {
                    failures.extend(check(spec, lost, &result));
                    ran += 1;
                }
                None => {
                    missing.push(format!("{}.{}", spec.provider, spec.name));
                    break;
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "non-repeatable operations without an exactly-once case here: {missing:?}"
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(!declared.is_empty(), "no non-repeatable operation declared");
    assert_eq!(ran, 2 * declared.len(), "both faults for each operation");
}

/// A plain transport for the clients.
fn http_client_transport() -> std::sync::Arc<dyn voxkit::core::Transport> {
    common::Counting::new(http_client())
}
