//! Every operation of every provider, read from the providers' own declarations: their
//! `TEST_HOOKS` (one per declared operation, with an example call using the
//! documentation's values and, for a non-repeatable one, that example exactly once and
//! the count of its effect), so a new operation joins the suites that iterate [`hooks`]
//! without an edit here. The sandbox seeds the documentation's ids, so most operations run
//! their own example call against it; [`seeded_call`] overrides only those whose docs' ids
//! are not in the seed, and [`call`] (one sandbox shared by every operation) a few more.

use voxkit::core::declare::{self, BoxFuture};
use voxkit::core::{Error, ExactlyOnceOutcome, OperationSpec, TestHooks};
use voxkit::espai::{BalanceLogQuery, CardKey};
use voxkit::laaffic::{Callee, NewTask, Resend, TaskId, VoiceSource};
use voxkit::longlonglong::{NewSubAccount, NewUser, SubUserId, UserId};
use voxkit::{espai, laaffic, longlonglong};
use voxkit_sandbox::{ROUTES, Route, Sandbox};

use super::{Clients, Counting, drive};

/// One provider's hooks, with the client they call.
#[derive(Debug, Clone, Copy)]
enum Run {
    Longlonglong(TestHooks<longlonglong::Client>),
    Dialogue(TestHooks<longlonglong::DialogueClient>),
    Laaffic(TestHooks<laaffic::Client>),
    Espai(TestHooks<espai::Client>),
}

/// One declared operation of one provider and its example call.
#[derive(Debug, Clone, Copy)]
pub struct Hook {
    /// The declaration: provider, name, method, path template, idempotency.
    pub spec: &'static OperationSpec,
    run: Run,
}

impl Hook {
    /// The provider's example call (the documentation's values) on the matching client.
    pub fn example<'a>(&self, c: &'a Clients) -> BoxFuture<'a> {
        match self.run {
            Run::Longlonglong(h) => (h.example)(&c.longlonglong),
            Run::Dialogue(h) => (h.example)(&c.dialogue),
            Run::Laaffic(h) => (h.example)(&c.laaffic),
            Run::Espai(h) => (h.example)(&c.espai),
        }
    }

    /// The example through the operation's `*_exactly_once` call, if declared.
    pub fn exactly_once<'a>(&self, c: &'a Clients) -> Option<BoxFuture<'a, ExactlyOnceOutcome>> {
        match self.run {
            Run::Longlonglong(h) => h.exactly_once.map(|f| f(&c.longlonglong)),
            Run::Dialogue(h) => h.exactly_once.map(|f| f(&c.dialogue)),
            Run::Laaffic(h) => h.exactly_once.map(|f| f(&c.laaffic)),
            Run::Espai(h) => h.exactly_once.map(|f| f(&c.espai)),
        }
    }

    /// How many times the example was applied, read back through the SDK, if declared.
    pub fn applied<'a>(&self, c: &'a Clients) -> Option<BoxFuture<'a, usize>> {
        match self.run {
            Run::Longlonglong(h) => h.applied.map(|f| f(&c.longlonglong)),
            Run::Dialogue(h) => h.applied.map(|f| f(&c.dialogue)),
            Run::Laaffic(h) => h.applied.map(|f| f(&c.laaffic)),
            Run::Espai(h) => h.applied.map(|f| f(&c.espai)),
        }
    }

    /// `provider.name`, as failure messages name the operation.
    pub fn label(&self) -> String {
        format!("{}.{}", self.spec.provider, self.spec.name)
    }

    /// The sandbox route serving this operation: same method, and the declaration's path
    /// template fits the route's (`Route::matches`).
    pub fn route(&self) -> Option<&'static Route> {
        let path = format!("/{}", self.spec.path);
        ROUTES
            .iter()
            .find(|r| r.method == self.spec.method.as_str() && r.matches(&path))
    }
}

/// Every declared operation of every provider, in the providers' `OPERATIONS` order.
pub fn hooks() -> Vec<Hook> {
    /// One provider's hooks, each with the client it calls.
    fn of<C: 'static>(
        hooks: &'static [TestHooks<C>],
        run: fn(TestHooks<C>) -> Run,
    ) -> impl Iterator<Item = Hook> {
        hooks.iter().map(move |h| Hook {
            spec: h.spec,
            run: run(*h),
        })
    }
    of(longlonglong::TEST_HOOKS, Run::Longlonglong)
        .chain(of(longlonglong::DIALOGUE_TEST_HOOKS, Run::Dialogue))
        .chain(of(laaffic::TEST_HOOKS, Run::Laaffic))
        .chain(of(espai::TEST_HOOKS, Run::Espai))
        .collect()
}

/// Core's check over every provider's hooks: the non-repeatable operations declared
/// without an `exactly_once` or an `applied` hook (`provider.name`).
pub fn unproven() -> Vec<String> {
    let named = |provider: &str, names: Vec<&str>| {
        names
            .into_iter()
            .map(|n| format!("{provider}.{n}"))
            .collect::<Vec<_>>()
    };
    [
        named(
            longlonglong::PROVIDER,
            declare::unproven(longlonglong::TEST_HOOKS),
        ),
        named(
            longlonglong::DIALOGUE_PROVIDER,
            declare::unproven(longlonglong::DIALOGUE_TEST_HOOKS),
        ),
        named(laaffic::PROVIDER, declare::unproven(laaffic::TEST_HOOKS)),
        named(espai::PROVIDER, declare::unproven(espai::TEST_HOOKS)),
    ]
    .concat()
}

/// The non-repeatable operations declared without the full pair of exactly-once hooks on
/// purpose, because no documented read shows their effect (the suites count it in the
/// sandbox's state instead, [`applied_in_sandbox`]):
///
/// - `pause_task_v1`: the seeded docs task is already paused, so the task read shows no
///   difference, and nothing documented starts a task again; so it has no `exactly_once`
///   either (the call answers "already paused" without sending): the exactly-once suite
///   keeps its case, on a running task of its own;
/// - `reset_numbers`: the docs' reset names a phone the seeded task does not hold;
/// - `send_dialogue_message`: no documented read lists a conversation's messages.
pub const UNREADABLE: &[&str] = &[
    "longlonglong.pause_task_v1",
    "longlonglong.reset_numbers",
    "longlonglong-dialogue.send_dialogue_message",
];

/// [`unproven`] but for [`UNREADABLE`]: what the suites must fail on.
pub fn unproven_without_reason() -> Vec<String> {
    unproven()
        .into_iter()
        .filter(|n| !UNREADABLE.contains(&n.as_str()))
        .collect()
}

/// Fails naming every operation of [`unproven_without_reason`]: the check both suites
/// make over every provider's declarations.
pub fn assert_no_unproven() {
    let missing = unproven_without_reason();
    assert!(
        missing.is_empty(),
        "non-repeatable operations declared without `exactly_once` and `applied` test hooks: \
         {missing:?}"
    );
}

/// How many times the docs' example of an [`UNREADABLE`] operation was applied, read from
/// the sandbox's state (its seeded docs task, the docs' conversation); `None` for any other
/// operation.
pub fn applied_in_sandbox(spec: &OperationSpec, sandbox: &Sandbox) -> Option<usize> {
    let docs_task = || {
        sandbox
            .longlonglong_tasks()
            .into_iter()
            .find(|t| t.uuid == voxkit_sandbox::DOCS_TASK)
    };
    match (spec.provider, spec.name) {
        ("longlonglong", "pause_task_v1") => Some(docs_task().map_or(0, |t| t.pauses as usize)),
        ("longlonglong", "reset_numbers") => Some(docs_task().map_or(0, |t| t.resets as usize)),
        ("longlonglong-dialogue", "send_dialogue_message") => Some(
            sandbox
                .longlonglong_dialogue("bCdeffd6-C84D-dB14-11De-3afA7f738159")
                .len(),
        ),
        _ => None,
    }
}

/// The hook of `provider`'s operation `name`.
pub fn hook(provider: &str, name: &str) -> Hook {
    hooks()
        .into_iter()
        .find(|h| h.spec.provider == provider && h.spec.name == name)
        .unwrap_or_else(|| panic!("{provider} declares no {name}"))
}

/// The values the operations are called with.
pub struct Inputs {
    pub user: UserId,
    pub sub: SubUserId,
    pub from: CardKey,
    pub to: CardKey,
    pub card_id: String,
    pub empty_card_id: String,
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

/// Runs one operation against a seeded sandbox of its own (the fault matrix starts one per
/// case): the declaration's own example call (the documentation's values, seeded in the
/// sandbox, which the declaration's `applied` hook counts), except where the example's ids
/// are placeholders or not in the seed: `sub_account` and `delete_sub_account` (the docs'
/// sub-account is not seeded — the CLI's suite counts the seeded user's sub-accounts — so
/// the one [`sandbox_inputs`] created), `balance_logs` (`dd3d…f86xxx`, not an id),
/// `call_record` (`2203031113381000002`, from 2022, outside the two-month window),
/// `pause_tasks` and `cancel_tasks` (tasks `123`, `456`), `resend_task` (task `123123`,
/// the id the create example answered: the seed's finished task instead, under the docs'
/// name, which the declaration's `applied` counts).
pub async fn seeded_call(h: &Hook, c: &Clients, i: &Inputs) -> Result<(), Error> {
    let (lll, esp, laf) = (&c.longlonglong, &c.espai, &c.laaffic);
    match (h.spec.provider, h.spec.name) {
        ("longlonglong", "sub_account") => lll.sub_account(&i.user, &i.sub).await.map(drop),
        ("longlonglong", "delete_sub_account") => {
            lll.delete_sub_account(&i.user, &i.sub).await.map(drop)
        }
        ("laaffic", "pause_tasks") => laf.pause_tasks(&[i.live_task]).await.map(drop),
        ("laaffic", "cancel_tasks") => laf.cancel_tasks(&[i.live_task]).await.map(drop),
        ("laaffic", "call_record") => laf.call_record(&i.voice_id).await.map(drop),
        ("laaffic", "resend_task") => laf
            .resend_task(&Resend::new(
                i.finished_task,
                "2024-06-04 14:49:17111-again",
                VoiceSource::file(i.voice_file.as_str()),
            ))
            .await
            .map(drop),
        ("espai", "balance_logs") => esp
            .balance_logs(&BalanceLogQuery::card(i.card_id.as_str()))
            .await
            .map(drop),
        _ => h.example(c).await,
    }
}

/// Runs one operation in a sandbox that every operation shares (the secret-hygiene
/// suite): [`seeded_call`], except that the secret-hygiene suite sends its own sentinel
/// password (`register_user`, `create_sub_account`) and that the values below keep each
/// call's effect apart from the others' in the shared state (the remarks, names and
/// e-mails made from the tag; whole transfers of 5).
pub async fn call(h: &Hook, c: &Clients, i: &Inputs) -> Result<(), Error> {
    let op = h.spec;
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
        ("longlonglong", "register_user") => lll.register_user(&new_user()).await.map(drop),
        ("longlonglong", "create_sub_account") => {
            lll.create_sub_account(&i.user, &new_sub()).await.map(drop)
        }
        ("laaffic", "upload_voice_file") => laf
            .upload_voice_file(&format!("{}.mp3", i.tag), b"ID3\x04\x00")
            .await
            .map(drop),
        ("laaffic", "create_task") => laf.create_task(&new_task()).await.map(drop),
        ("laaffic", "resend_task") => laf
            .resend_task(&Resend::new(
                i.finished_task,
                format!("{}-again", i.tag),
                VoiceSource::file(i.voice_file.as_str()),
            ))
            .await
            .map(drop),
        ("espai", "transfer") => esp.transfer(&i.from, &i.to, 5).await.map(drop),
        _ => seeded_call(h, c, i).await,
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
        tag: "matrix".into(),
        password: "pw-matrix".into(),
        voice_file: seed.laaffic_voice_file.clone(),
        finished_task: TaskId(seed.laaffic_task),
        live_task: TaskId(seed.laaffic_scheduled_task),
        voice_id: seed.laaffic_voice_id.clone(),
    }
}
