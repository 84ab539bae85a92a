//! Every operation of every provider, as one table, and a way to call each one.

use voxkit::core::{Error, Idempotency};
use voxkit::espai::{BalanceLogQuery, CardFilter, CardKey, Commodity, OrderKind};
use voxkit::laaffic::{Callee, NewTask, RecordQuery, Resend, TaskId, TaskQuery, VoiceSource};
use voxkit::longlonglong::{
    NewSubAccount, NewUser, RechargeHistoryQuery, SubAccountQuery, SubUserId, UserId,
};
use voxkit_sandbox::Sandbox;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::{Clients, Counting, drive};

/// Repeatable.
pub const R: Idempotency = Idempotency::Repeatable;
/// Not repeatable.
pub const N: Idempotency = Idempotency::NotRepeatable;

/// One operation: its provider and name (as in errors and traces), whether it may be
/// repeated, and the sandbox route it is served by.
#[derive(Debug)]
pub struct Op {
    /// The provider's short name.
    pub provider: &'static str,
    /// The operation's name.
    pub name: &'static str,
    /// Whether it may be repeated.
    pub idempotency: Idempotency,
    /// The sandbox route serving it (a `voxkit_sandbox::ROUTES` name).
    pub route: &'static str,
}

const fn op(
    provider: &'static str,
    name: &'static str,
    idempotency: Idempotency,
    route: &'static str,
) -> Op {
    Op {
        provider,
        name,
        idempotency,
        route,
    }
}

/// Every operation of every provider; [`call`] runs each one.
pub const TABLE: &[Op] = &[
    op("longlonglong", "recharge", N, "longlonglong.recharge"),
    op("longlonglong", "deduct", N, "longlonglong.recharge"),
    op(
        "longlonglong",
        "zero_balance",
        N,
        "longlonglong.zero_balance",
    ),
    op(
        "longlonglong",
        "recharge_history",
        R,
        "longlonglong.recharge_history",
    ),
    op("longlonglong", "set_expiry", R, "longlonglong.set_expiry"),
    op(
        "longlonglong",
        "account_info",
        R,
        "longlonglong.account_info",
    ),
    op("longlonglong", "token_info", R, "longlonglong.token_info"),
    op(
        "longlonglong",
        "register_user",
        N,
        "longlonglong.register_user",
    ),
    op(
        "longlonglong",
        "create_sub_account",
        N,
        "longlonglong.create_sub_account",
    ),
    op(
        "longlonglong",
        "sub_accounts",
        R,
        "longlonglong.sub_accounts",
    ),
    op("longlonglong", "sub_account", R, "longlonglong.sub_account"),
    op(
        "longlonglong",
        "delete_sub_account",
        N,
        "longlonglong.delete_sub_account",
    ),
    op("laaffic", "balance", R, "laaffic.balance"),
    op("laaffic", "upload_voice_file", N, "laaffic.voice_upload"),
    op("laaffic", "create_task", N, "laaffic.task_create"),
    op("laaffic", "query_tasks", R, "laaffic.tasks"),
    op("laaffic", "task_detail", R, "laaffic.task_detail"),
    op("laaffic", "pause_tasks", R, "laaffic.task_pause"),
    op("laaffic", "cancel_tasks", R, "laaffic.task_cancel"),
    op("laaffic", "resend_task", N, "laaffic.task_resend"),
    op("laaffic", "call_record", R, "laaffic.call_record"),
    op("laaffic", "call_records", R, "laaffic.call_records"),
    op("espai", "list_cards", R, "espai.list"),
    op("espai", "card_detail", R, "espai.detail"),
    op("espai", "balance_logs", R, "espai.balance_logs"),
    op("espai", "transfer", N, "espai.transfer"),
    op("espai", "destroy", N, "espai.destroy"),
    op("espai", "pay", N, "espai.order_pay"),
];

/// The Laaffic task of the documentation's examples (the query example's `jobId`).
const LAAFFIC_TASK: TaskId = TaskId(5_000_602);

/// The voice file of the documentation's examples (the upload example's answer).
const LAAFFIC_VOICE_FILE: &str = "1202202254d4c6372d6f341e999c7ecd0683ee464.mp3";

/// The call record of the documentation's examples.
const LAAFFIC_VOICE_ID: &str = "2203031113381000002";

/// The values the operations are called with.
pub struct Inputs {
    pub user: UserId,
    pub sub: SubUserId,
    pub from: CardKey,
    pub to: CardKey,
    pub card_id: String,
    pub empty_card_id: String,
    pub expiry: NaiveDate,
    /// Remarks and e-mail addresses are made from it.
    pub tag: String,
    /// The password of new users and sub-accounts.
    pub password: String,
    /// The voice file new Laaffic tasks play.
    pub voice_file: String,
    /// A finished Laaffic task: read and resent.
    pub finished_task: TaskId,
    /// A Laaffic task that can still be paused and cancelled.
    pub live_task: TaskId,
    /// A Laaffic call record's `voiceId`.
    pub voice_id: String,
}

impl Inputs {
    /// The documentation's example values (for the fault server, which reads nothing).
    pub fn docs() -> Inputs {
        Inputs {
            user: "5433b412-07d5-44e6-9fa4-deb65e43bc93".parse().unwrap(),
            sub: "91f9254f-ca58-49af-be34-8370d7549d73".parse().unwrap(),
            from: CardKey::new("15916888888", "wNaa1GDw"),
            to: CardKey::new("17516888888", "3AoPbLSQ"),
            card_id: "772868ead56c48d68fd1924aa5ec3aac".into(),
            empty_card_id: "dd3d910b08e4405e88242ca7f8f86aaa".into(),
            expiry: NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
            tag: "matrix".into(),
            password: "pw-matrix".into(),
            voice_file: LAAFFIC_VOICE_FILE.into(),
            finished_task: LAAFFIC_TASK,
            live_task: LAAFFIC_TASK,
            voice_id: LAAFFIC_VOICE_ID.into(),
        }
    }
}

/// Runs one operation of the table.
pub async fn call(op: &Op, c: &Clients, i: &Inputs) -> Result<(), Error> {
    let lll = &c.longlonglong;
    let esp = &c.espai;
    let laf = &c.laaffic;
    let new_task = || {
        NewTask::new(
            "4luaKsL2",
            i.tag.as_str(),
            VoiceSource::file(i.voice_file.as_str()),
            [Callee::new("8613500000000")],
        )
    };
    let new_user = || {
        NewUser::new(
            "矩阵用户",
            format!("{}@example.com", i.tag),
            "13800000000",
            i.password.as_str(),
        )
    };
    let new_sub = || {
        NewSubAccount::new(
            "矩阵子账户",
            format!("sub-{}@example.com", i.tag),
            "13800000001",
            i.password.as_str(),
        )
    };
    match (op.provider, op.name) {
        ("longlonglong", "recharge") => lll.recharge(&i.user, 7, Some(&i.tag)).await.map(drop),
        ("longlonglong", "deduct") => lll.deduct(&i.user, 3, Some(&i.tag)).await.map(drop),
        ("longlonglong", "zero_balance") => lll.zero_balance(&i.user).await.map(drop),
        ("longlonglong", "recharge_history") => lll
            .recharge_history(&i.user, &RechargeHistoryQuery::new())
            .await
            .map(drop),
        ("longlonglong", "set_expiry") => lll.set_expiry(&i.user, i.expiry).await.map(drop),
        ("longlonglong", "account_info") => lll.account_info(&i.user).await.map(drop),
        ("longlonglong", "token_info") => lll.token_info().await.map(drop),
        ("longlonglong", "register_user") => lll.register_user(&new_user()).await.map(drop),
        ("longlonglong", "create_sub_account") => {
            lll.create_sub_account(&i.user, &new_sub()).await.map(drop)
        }
        ("longlonglong", "sub_accounts") => lll
            .sub_accounts(&i.user, &SubAccountQuery::new())
            .await
            .map(drop),
        ("longlonglong", "sub_account") => lll.sub_account(&i.user, &i.sub).await.map(drop),
        ("longlonglong", "delete_sub_account") => {
            lll.delete_sub_account(&i.user, &i.sub).await.map(drop)
        }
        ("laaffic", "balance") => c.laaffic.balance().await.map(drop),
        ("laaffic", "upload_voice_file") => laf
            .upload_voice_file(&format!("{}.mp3", i.tag), b"ID3\x04\x00")
            .await
            .map(drop),
        ("laaffic", "create_task") => laf.create_task(&new_task()).await.map(drop),
        ("laaffic", "query_tasks") => {
            let now = DateTime::<Utc>::from(std::time::SystemTime::now()).naive_utc();
            laf.query_tasks(&TaskQuery::new(now - TimeDelta::days(7), now))
                .await
                .map(drop)
        }
        ("laaffic", "task_detail") => laf.task_detail(i.finished_task).await.map(drop),
        ("laaffic", "pause_tasks") => laf.pause_tasks(&[i.live_task]).await.map(drop),
        ("laaffic", "cancel_tasks") => laf.cancel_tasks(&[i.live_task]).await.map(drop),
        ("laaffic", "resend_task") => laf
            .resend_task(&Resend::new(
                i.finished_task,
                format!("{}-again", i.tag),
                VoiceSource::file(i.voice_file.as_str()),
            ))
            .await
            .map(drop),
        ("laaffic", "call_record") => laf.call_record(&i.voice_id).await.map(drop),
        ("laaffic", "call_records") => {
            // Within the documented window: the last two months, at most 31 days long.
            let now = DateTime::<Utc>::from(std::time::SystemTime::now()).fixed_offset();
            laf.call_records(&RecordQuery::new(now - TimeDelta::days(1), now))
                .await
                .map(drop)
        }
        ("espai", "list_cards") => esp.list_cards(&CardFilter::new()).await.map(drop),
        ("espai", "card_detail") => esp.card(&i.from).await.map(drop),
        ("espai", "balance_logs") => esp
            .balance_logs(&BalanceLogQuery::card(i.card_id.as_str()))
            .await
            .map(drop),
        ("espai", "transfer") => esp.transfer(&i.from, &i.to, 5).await.map(drop),
        ("espai", "destroy") => esp.destroy(&[i.empty_card_id.as_str()]).await.map(drop),
        ("espai", "pay") => esp.pay(Commodity::Uses1000, OrderKind::Buy).await.map(drop),
        (provider, name) => panic!("the matrix cannot call {provider} {name}: add it to `call`"),
    }
}

/// The inputs of the seeded sandbox, with one sub-account created for the sub-account
/// operations. The Laaffic ones are the seed's: its voice file, its finished task (read,
/// resent), its task scheduled a year ahead (paused, cancelled) and one of its records.
pub async fn sandbox_inputs(sandbox: &Sandbox, c: &Clients, transport: &Counting) -> Inputs {
    let seed = sandbox.seed();
    let user: UserId = seed.longlonglong_user.parse().unwrap();
    let created = drive(
        c.longlonglong.create_sub_account(
            &user,
            &NewSubAccount::new("已有子账户", "existing@example.com", "13800000002", "pw"),
        ),
        transport,
        None,
    )
    .await
    .expect("set-up: a sub-account");
    let paid = &seed.espai_paid_codes[0];
    Inputs {
        user,
        sub: created.id,
        from: CardKey::new(seed.espai_phone.clone(), paid.clone()),
        to: CardKey::new("17516888888", "3AoPbLSQ"),
        card_id: sandbox.espai_card(paid).expect("seeded card").id,
        empty_card_id: seed.espai_empty_card_id.clone(),
        // After "today" for as long as this code lives (the sandbox refuses today or earlier).
        expiry: NaiveDate::from_ymd_opt(2099, 12, 31).unwrap(),
        tag: "matrix".into(),
        password: "pw-matrix".into(),
        voice_file: seed.laaffic_voice_file.clone(),
        finished_task: TaskId(seed.laaffic_task),
        live_task: TaskId(seed.laaffic_scheduled_task),
        voice_id: seed.laaffic_voice_id.clone(),
    }
}
