//! `voxkit demo`: starts the sandbox in this process and walks through every operation of
//! the three providers with the SDK (not by running the CLI), printing each call and its
//! result — including a refused request and an outcome-unknown recharge that is then
//! reconciled through the recharge history — a Laaffic IVR group call from the voice
//! upload to the call records, and a longlonglong outbound-call task from the line
//! allocation to one call's turns.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt as _;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use voxkit_core::Error;
use voxkit_espai::{BalanceLogQuery, Card, CardFilter, CardKey, Commodity, OrderKind};
use voxkit_longlonglong::{
    NewSubAccount, NewUser, RechargeHistoryQuery, Sex, SubAccountQuery, UserId,
};
use voxkit_sandbox::{
    ESPAI_OPEN_API_KEY, Fault, LAAFFIC_API_KEY, LAAFFIC_API_SECRET, LONGLONGLONG_DOCS_LINE,
    LONGLONGLONG_TOKEN, Sandbox,
};

use crate::context::{Format, Global};
use crate::failure::{CliError, exit_code};
use crate::render::longlonglong::raw_text;
use crate::render::{espai, json_fields, laaffic, longlonglong};

/// With `--output json`, the demo's lines are gathered here and printed as one JSON
/// object at the end (`{"demo": {"sandbox": URL, "lines": [...], "outbound": {...},
/// "complete": true}}`, `outbound` being the outbound-call section's figures),
/// so that stdout stays one JSON document; `None`: text, printed as it goes.
static JSON_LINES: std::sync::Mutex<Option<Vec<String>>> = std::sync::Mutex::new(None);

/// Prints one line of the demo, or gathers it for `--output json`.
fn emit(line: String) {
    let mut gathered = JSON_LINES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match gathered.as_mut() {
        Some(lines) => lines.extend(line.lines().map(str::to_owned)),
        None => crate::render::write_stdout(&line),
    }
}

/// Prints a formatted line of the demo (see [`emit`]).
macro_rules! out {
    ($($arg:tt)*) => {
        emit(format!($($arg)*))
    };
}

/// The remark of the recharge whose answer the fault injector drops.
const LOST_ORDER: &str = "demo-order-42";

/// Each call's deadline: the sandbox is local, so anything slower is a failure.
const DEADLINE: Duration = Duration::from_secs(10);

/// Runs the demo: text as it goes, or one JSON object at the end (`--output json`),
/// nothing with `--quiet`.
pub async fn run(global: &Global) -> Result<(), CliError> {
    let json = global.output == Format::Json || global.quiet;
    if json {
        *JSON_LINES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Vec::new());
    }
    let sandbox = Sandbox::start()
        .await
        .map_err(|e| CliError::local("sandbox", format!("could not start the sandbox: {e}")))?;
    let mut outbound = None;
    let result = tour(&sandbox, &mut outbound).await;
    if json {
        let lines = JSON_LINES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .unwrap_or_default();
        if !global.quiet {
            crate::render::write_stdout(
                &serde_json::json!({"demo": {
                    "sandbox": sandbox.url(),
                    "lines": lines,
                    "outbound": outbound,
                    "complete": result.is_ok(),
                }})
                .to_string(),
            );
        }
    }
    result
}

/// Every step of the demo.
async fn tour(sandbox: &Sandbox, outbound: &mut Option<Value>) -> Result<(), CliError> {
    out!(
        "voxkit demo: the sandbox (a simulator of longlonglong, Laaffic and ESP-AI) is serving {} \
         in this process.",
        sandbox.url()
    );
    out!("Every call below goes through the voxkit SDK, as your own code would.");
    longlonglong_tour(sandbox).await?;
    laaffic_tour(sandbox).await?;
    espai_tour(sandbox).await?;
    *outbound = Some(outbound_tour(sandbox).await?);
    out!("");
    out!(
        "Done: every operation of the three providers ran, one request was refused (exit code 3 \
         in the CLI) and one outcome was unknown (exit code 5) and reconciled."
    );
    out!("Try the CLI against a sandbox of your own: `voxkit sandbox`, then `voxkit --help`.");
    Ok(())
}

fn section(title: &str) {
    out!("");
    out!("== {title} ==");
}

/// Prints the call about to be made.
fn call(text: &str) {
    out!("");
    out!("> {text}");
}

/// Prints a result, indented.
fn show(text: &str) {
    for line in text.lines() {
        out!("  {line}");
    }
}

/// A step of the demo that did not go as the demo expects.
fn unexpected(message: String) -> CliError {
    CliError::local("demo", message)
}

/// The longlonglong client of the sandbox's partner token: what the account and the
/// outbound-call sections both call with.
fn longlonglong_client(sandbox: &Sandbox) -> Result<voxkit_longlonglong::Client, CliError> {
    Ok(voxkit_longlonglong::Client::builder()
        .token(LONGLONGLONG_TOKEN)
        .base_url(sandbox.url())
        .deadline(DEADLINE)
        .build()?)
}

async fn longlonglong_tour(sandbox: &Sandbox) -> Result<(), CliError> {
    section("longlonglong: AI outbound-call agent API");
    let client = longlonglong_client(sandbox)?;
    let seed = sandbox.seed();
    let user = UserId::parse(&seed.longlonglong_user)?;
    let balance = || sandbox.longlonglong_balance(user.as_str()).unwrap_or(0);

    call("client.token_info()");
    let token = client.token_info().await?;
    show(&format!("{}\n{}", token.message, json_fields(&token.data)));

    call(&format!("client.account_info({user})"));
    let info = client.account_info(&user).await?;
    show(&format!("{}\n{}", info.message, json_fields(&info.data)));

    call(&format!(
        "client.recharge({user}, 100, Some(\"demo-recharge-1\"))"
    ));
    let ack = client.recharge(&user, 100, Some("demo-recharge-1")).await?;
    show(&format!("{} (balance now {})", ack.message, balance()));

    call(&format!(
        "client.deduct({user}, 30, Some(\"demo-deduct-1\"))"
    ));
    let ack = client.deduct(&user, 30, Some("demo-deduct-1")).await?;
    show(&format!("{} (balance now {})", ack.message, balance()));

    let expiry = DateTime::<Utc>::from(SystemTime::now()).date_naive() + chrono::Days::new(30);
    call(&format!("client.set_expiry({user}, {expiry})"));
    let ack = client.set_expiry(&user, expiry).await?;
    show(&ack.message);

    call(&format!(
        "client.recharge_history({user}, &RechargeHistoryQuery::new())  // the last 7 days"
    ));
    let history = client
        .recharge_history(&user, &RechargeHistoryQuery::new())
        .await?;
    show(&longlonglong::history_text(&history.records, false, None));

    call(&format!(
        "client.create_sub_account({user}, &NewSubAccount::new(\"demo-sub\", \
         \"demo-sub@example.com\", \"13800000000\", <password>).alias(\"演示\").sex(Sex::Female))"
    ));
    let account = NewSubAccount::new(
        "demo-sub",
        "demo-sub@example.com",
        "13800000000",
        "demo-sub-password",
    )
    .alias("演示")
    .sex(Sex::Female);
    let created = client.create_sub_account(&user, &account).await?;
    show(&format!("created sub-account {}", created.id));

    call(&format!(
        "client.sub_accounts({user}, &SubAccountQuery::new().per_page(10))"
    ));
    let page = client
        .sub_accounts(&user, &SubAccountQuery::new().per_page(10))
        .await?;
    show(&longlonglong::subs_text(&page));

    call(&format!("client.sub_account({user}, {})", created.id));
    let sub = client.sub_account(&user, &created.id).await?;
    show(&longlonglong::sub_text(&sub));

    call(&format!(
        "client.delete_sub_account({user}, {})",
        created.id
    ));
    let ack = client.delete_sub_account(&user, &created.id).await?;
    show(&ack.message);

    call(
        "client.register_user(&NewUser::new(\"demo-user\", \"demo-user@example.com\", \
         \"13900000000\", <password>))",
    );
    let registered = client
        .register_user(&NewUser::new(
            "demo-user",
            "demo-user@example.com",
            "13900000000",
            "demo-user-password",
        ))
        .await?;
    show(&format!(
        "{}\n{}",
        registered.message,
        json_fields(&registered.data)
    ));

    // A refused request: the provider answers with its own error code.
    let no_billing = UserId::parse(&seed.longlonglong_user_without_billing)?;
    call(&format!(
        "client.recharge({no_billing}, 100, None)  // a user without billing permission"
    ));
    match client.recharge(&no_billing, 100, None).await {
        Err(e @ Error::Api { .. }) => show(&format!(
            "refused, as expected: {e}\n(code {:?}; the CLI exits with code {})",
            e.api_code().unwrap_or("-"),
            exit_code(&e)
        )),
        Err(e) => return Err(e.into()),
        Ok(_) => {
            return Err(unexpected(
                "the recharge without billing was accepted".into(),
            ));
        }
    }

    // An unknown outcome: the sandbox applies the recharge, then drops the answer.
    call(
        "sandbox.set_fault(\"longlonglong.recharge\", Fault::default().drop_after(1.0).times(1))  \
         // apply the next recharge, then drop its answer",
    );
    sandbox.set_fault(
        "longlonglong.recharge",
        Fault::default().drop_after(1.0).times(1),
    );
    let before = balance();
    call(&format!(
        "client.recharge({user}, 250, Some(\"{LOST_ORDER}\"))"
    ));
    match client.recharge(&user, 250, Some(LOST_ORDER)).await {
        Err(e) if e.outcome_unknown() => show(&format!(
            "outcome unknown, as expected: {e}\n(the SDK did not resend it; the CLI exits with \
             code {})",
            exit_code(&e)
        )),
        Err(e) => return Err(e.into()),
        Ok(_) => {
            return Err(unexpected(
                "the fault injector did not drop the answer".into(),
            ));
        }
    }
    sandbox.clear_faults();

    call(&format!(
        "client.recharge_history({user}, &RechargeHistoryQuery::new())  // reconcile: look for \
         the remark {LOST_ORDER:?}"
    ));
    let history = client
        .recharge_history(&user, &RechargeHistoryQuery::new())
        .await?;
    let found: Vec<_> = history
        .records
        .iter()
        .filter(|r| r.remark.as_deref() == Some(LOST_ORDER))
        .collect();
    match found.as_slice() {
        [record] => show(&format!(
            "found exactly one record with remark {LOST_ORDER:?}: {} {} at {}, balance after {}\n\
             -> the recharge was applied once (balance {before} -> {}); do not send it again",
            record.kind.label(),
            record.amounts,
            record.created_at,
            record.balance,
            balance()
        )),
        other => {
            return Err(unexpected(format!(
                "expected one record with remark {LOST_ORDER:?}, found {}",
                other.len()
            )));
        }
    }

    call(&format!("client.zero_balance({user})"));
    let ack = client.zero_balance(&user).await?;
    show(&format!("{} (balance now {})", ack.message, balance()));
    Ok(())
}

async fn laaffic_tour(sandbox: &Sandbox) -> Result<(), CliError> {
    section("Laaffic: v3 API, MD5-signed requests");
    let client = voxkit_laaffic::Client::builder()
        .credentials(LAAFFIC_API_KEY, LAAFFIC_API_SECRET)
        .base_url(sandbox.url())
        .deadline(DEADLINE)
        .build()?;

    call("client.balance()");
    let balance = client.balance().await?;
    show(&laaffic::balance_text(&balance));

    let (real, gift, credit) = (
        Decimal::new(1_234_500, 4),
        Decimal::new(5, 1),
        Decimal::ZERO,
    );
    call(&format!(
        "sandbox.set_laaffic_balance({real}, {gift}, {credit}); client.balance()  // decimals stay exact"
    ));
    sandbox.set_laaffic_balance(real, gift, credit);
    let balance = client.balance().await?;
    show(&laaffic::balance_text(&balance));
    ivr_tour(&client).await
}

/// Laaffic IVR group calls: upload a voice file, create a task, watch it until it is
/// complete (each task read advances the sandbox's task one step), read its call records.
async fn ivr_tour(client: &voxkit_laaffic::Client) -> Result<(), CliError> {
    use voxkit_laaffic::{Callee, NewTask, RecordQuery, TaskQuery, TaskStatus, VoiceSource};

    section("Laaffic IVR group calls: voice file, task, call records");
    call("client.upload_voice_file(\"welcome.mp3\", &bytes)");
    let file = client
        .upload_voice_file("welcome.mp3", b"ID3 demo voice prompt")
        .await?;
    show(&format!("voice file id {file}"));

    let name = "demo group call";
    call(&format!(
        "client.create_task(&NewTask::new(app_id, {name:?}, VoiceSource::file(id), numbers)\
         .display_number(\"1008122211\").loop_count(2))"
    ));
    let task = NewTask::new(
        "4luaKsL2",
        name,
        VoiceSource::file(file.clone()),
        [
            Callee::new("8613800000001").text(1, "Ann"),
            Callee::new("8613800000002").text(1, "Bo"),
        ],
    )
    .display_number("1008122211")
    .loop_count(2);
    let id = client
        .create_task(&task)
        .await?
        .ok_or_else(|| unexpected("the sandbox answered no task id".to_owned()))?;
    show(&format!("task {id}"));

    call(&format!(
        "client.task_detail({id})  // until it is complete: waiting, calling, completed"
    ));
    let mut completed = false;
    for _ in 0..5 {
        let detail = client.task_detail(id).await?;
        let status = detail.status.unwrap_or(TaskStatus::Unknown(-1));
        show(&format!("status {}", laaffic::status_name(status)));
        if status == TaskStatus::Completed {
            completed = true;
            break;
        }
    }
    if !completed {
        return Err(unexpected(format!("task {id} did not complete")));
    }

    let now = DateTime::<Utc>::from(SystemTime::now());
    let day = chrono::TimeDelta::days(1);
    call(&format!(
        "client.query_tasks(&TaskQuery::new(yesterday, tomorrow).search({name:?}))"
    ));
    let page = client
        .query_tasks(&TaskQuery::new((now - day).naive_utc(), (now + day).naive_utc()).search(name))
        .await?;
    show(&laaffic::tasks_text(&page));

    let hour = chrono::TimeDelta::hours(1);
    call("client.call_records(&RecordQuery::new(an hour ago, in an hour))");
    let page = client
        .call_records(&RecordQuery::new(
            (now - hour).fixed_offset(),
            (now + hour).fixed_offset(),
        ))
        .await?;
    show(&laaffic::records_text(&page));
    let Some(record) = page
        .items
        .iter()
        .find(|r| r.voice_file_id.as_deref() == Some(file.as_str()))
    else {
        return Err(unexpected(format!("no call record of task {id}")));
    };
    call(&format!("client.call_record({:?})", record.voice_id));
    let record = client.call_record(&record.voice_id).await?;
    show(&laaffic::record_text(&record));
    Ok(())
}

async fn espai_tour(sandbox: &Sandbox) -> Result<(), CliError> {
    section("ESP-AI: quota cards (cdkey) and orders");
    let client = voxkit_espai::Client::builder()
        .api_key(ESPAI_OPEN_API_KEY)
        .base_url(sandbox.url())
        .deadline(DEADLINE)
        .build()?;
    let seed = sandbox.seed();
    let phone = seed.espai_phone.clone();
    let (Some(from_code), Some(to_code)) =
        (seed.espai_paid_codes.first(), seed.espai_paid_codes.get(1))
    else {
        return Err(unexpected(
            "the sandbox seeded fewer than two paid cards".into(),
        ));
    };
    let from = CardKey::new(&phone, from_code);
    let to = CardKey::new(&phone, to_code);

    call("client.cards(CardFilter::new()).try_collect()  // every card, page after page");
    let cards: Vec<Card> = client.cards(CardFilter::new()).try_collect().await?;
    show(&espai::cards_text(&cards, None));

    call(&format!(
        "client.card(&CardKey::new(\"{phone}\", \"{from_code}\"))"
    ));
    let card = client.card(&from).await?;
    show(&espai::card_text(&card));

    call(&format!(
        "client.transfer(&{phone}/{from_code}, &{phone}/{to_code}, 10)"
    ));
    let ack = client.transfer(&from, &to, 10).await?;
    let after_from = client.card(&from).await?;
    let after_to = client.card(&to).await?;
    show(&format!(
        "{}\n{from_code} quota {} -> {}, {to_code} quota now {}",
        ack.message.unwrap_or_default(),
        card.api_limit,
        after_from.api_limit,
        after_to.api_limit
    ));

    call(&format!(
        "client.balance_logs(&BalanceLogQuery::card(\"{}\"))",
        card.id
    ));
    let logs = client
        .balance_logs(&BalanceLogQuery::card(&card.id))
        .await?;
    show(&espai::logs_text(&logs, None));

    // A refused request: free cards cannot transfer quota.
    let free = CardKey::new(&phone, &seed.espai_free_code);
    call(&format!(
        "client.transfer(&{phone}/{}, &{phone}/{to_code}, 10)  // from the free card",
        seed.espai_free_code
    ));
    match client.transfer(&free, &to, 10).await {
        Err(e @ Error::Api { .. }) => show(&format!(
            "refused, as expected: {e}\n(the CLI exits with code {})",
            exit_code(&e)
        )),
        Err(e) => return Err(e.into()),
        Ok(_) => {
            return Err(unexpected(
                "a transfer from the free card was accepted".into(),
            ));
        }
    }

    call(&format!(
        "client.destroy(&[\"{}\"])  // a paid card with zero quota",
        seed.espai_empty_card_id
    ));
    let ack = client
        .destroy(std::slice::from_ref(&seed.espai_empty_card_id))
        .await?;
    show(&ack.message.unwrap_or_default());

    call("client.pay(Commodity::Uses1000, OrderKind::Buy)");
    let url = client.pay(Commodity::Uses1000, OrderKind::Buy).await?;
    show(&format!("payment URL: {url}"));
    Ok(())
}

/// The phones the outbound-call section dials (the sandbox answers most calls, not all).
const OUTBOUND_PHONES: [&str; 4] = ["13800000101", "13800000102", "13800000103", "13800000104"];

/// longlonglong outbound calls: allocate a line to the demo's user, create a task on it
/// (its name marked, so a lost answer could be reconciled), add numbers, read the task
/// until every number is called (each read advances the sandbox's task one step), then
/// the call records and one call's turns. Returns the section's figures for
/// `--output json`.
async fn outbound_tour(sandbox: &Sandbox) -> Result<Value, CliError> {
    use voxkit_core::{ExactlyOnceOutcome, Marker, ReconcileWait};
    use voxkit_longlonglong::{
        LineAllocation, LineId, NewTask, NumberImport, NumberQuery, NumberRow, RecordQuery, TaskId,
        TaskLine, TaskState,
    };

    section("longlonglong outbound calls: line, task, numbers, call records");
    let client = longlonglong_client(sandbox)?;
    let user = UserId::parse(&sandbox.seed().longlonglong_user)?;
    let line = LineId::parse(LONGLONGLONG_DOCS_LINE)?;
    let now = DateTime::<Utc>::from(SystemTime::now()).naive_utc();

    call(&format!(
        "client.allocate_line({user}, {line}, &LineAllocation::new(2, in 30 days, 0.1))"
    ));
    let allocation = LineAllocation::new(2, now + chrono::Days::new(30), Decimal::new(1, 1))?;
    let allocated = client.allocate_line(&user, &line, &allocation).await?;
    show(&raw_text(&allocated.message, &allocated.data));

    let marker = Marker::generate();
    let name = "demo outbound";
    call(&format!(
        "client.create_task_exactly_once({user}, &NewTask::new({name:?}, 123, 2, now, in a \
         day).line(TaskLine::new({line}, 2)), &marker, ..)  // the name carries marker {marker}"
    ));
    let task = NewTask::new(name, 123, 2, now, now + chrono::Days::new(1))
        .line(TaskLine::new(line.clone(), 2));
    let outcome = client
        .create_task_exactly_once(&user, &task, &marker, &ReconcileWait::default())
        .await?;
    let ExactlyOnceOutcome::Applied { evidence, .. } = outcome else {
        return Err(unexpected(format!("the task was not created: {outcome:?}")));
    };
    let uuid = evidence["data"]["uuid"]
        .as_str()
        .or_else(|| evidence["uuid"].as_str())
        .ok_or_else(|| unexpected(format!("no task uuid in {evidence}")))?;
    let task = TaskId::parse(uuid)?;
    let task_name = evidence["name"].as_str().unwrap_or(name).to_owned();
    show(&format!("task {task}, named {task_name:?}"));

    call(&format!(
        "client.add_numbers({user}, {task}, &NumberImport::new({} rows))",
        OUTBOUND_PHONES.len()
    ));
    let rows = OUTBOUND_PHONES.iter().map(|p| NumberRow::new(*p)).collect();
    let added = client
        .add_numbers(&user, &task, &NumberImport::new(rows))
        .await?;
    show(&raw_text(&added.message, &added.data));

    call(&format!(
        "client.task({user}, {task}, None)  // until every number is called: waiting, \
         dialling, waiting again"
    ));
    let mut dialled = false;
    let mut reads = 0;
    for _ in 0..5 {
        reads += 1;
        let detail = client.task(&user, &task, None).await?;
        show(&format!("read {reads}:"));
        show(&longlonglong::task_text(&detail));
        match detail.state() {
            Some(TaskState::Dialing) => dialled = true,
            Some(TaskState::Waiting) if dialled => break,
            _ => {}
        }
    }

    call(&format!(
        "client.numbers({user}, {task}, &NumberQuery::new())"
    ));
    let numbers = client.numbers(&user, &task, &NumberQuery::new()).await?;
    show(&longlonglong::numbers_text(&numbers.items, None));
    let called = numbers
        .items
        .iter()
        .filter(|r| {
            r.get("status")
                .and_then(Value::as_u64)
                .is_some_and(|s| s != 0)
        })
        .count();
    if numbers.items.len() != OUTBOUND_PHONES.len() || called != numbers.items.len() {
        return Err(unexpected(format!(
            "task {task}: {called} of {} numbers called after {reads} reads",
            numbers.items.len()
        )));
    }

    call(&format!(
        "client.call_records({user}, {task}, &RecordQuery::new())"
    ));
    let records = client
        .call_records(&user, &task, &RecordQuery::new())
        .await?;
    show(&longlonglong::call_records_text(&records.items));
    let answered =
        |r: &&voxkit_longlonglong::CallRecord| r.get("status").and_then(Value::as_u64) == Some(1);
    let answered_count = records.items.iter().filter(answered).count();
    let Some(record) = records
        .items
        .iter()
        .find(answered)
        .or_else(|| records.items.first())
        .and_then(voxkit_longlonglong::CallRecord::id)
    else {
        return Err(unexpected(format!("no call record of task {task}")));
    };
    call(&format!(
        "client.call_record_detail({user}, {task}, {record}, None)"
    ));
    let detail = client
        .call_record_detail(&user, &task, &record, None)
        .await?;
    show(&longlonglong::turns_text(&detail.records));
    Ok(json!({
        "line": line.as_str(),
        "task": task.as_str(),
        "task_name": task_name,
        "marker": marker.as_str(),
        "numbers": numbers.items.len(),
        "called": called,
        "reads": reads,
        "records": records.items.len(),
        "answered": answered_count,
        "detail": {"record": record.as_str(), "turns": detail.records.len()},
    }))
}
