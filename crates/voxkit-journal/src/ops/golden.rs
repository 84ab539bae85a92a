//! The journal's text of every ready-made operation, pinned: the request as stored (its
//! exact JSON text: keys, order, values), the operation's name and its serial key, and the
//! secrets a request hands back. Journals written by an earlier voxkit must still resume, so
//! none of these may change; the same expectations passed against the operations as they
//! were before `declared!`.

use std::sync::Arc;

use voxkit_core::Reconciliation;

use super::{ClientOf, Declared, Op};
use crate::{ExactlyOnce, Intent};

/// `request` sent with `client`, as the runner takes it.
fn op<D: Declared>(client: &Arc<ClientOf<D>>, request: D) -> Arc<dyn ExactlyOnce> {
    Arc::new(Op::of(Arc::clone(client), request))
}

/// Each case: the operation, then its journaled operation name, serial key and request text.
type Case = (Arc<dyn ExactlyOnce>, &'static str, String, String);

/// Checks every case's journaled identity against its expected text, that it declares a
/// reconciliation, and that its provider module's resolver (`from_intent`) rebuilds it from
/// its own intent with the same identity.
fn pinned(cases: &[Case], from_intent: impl Fn(&Intent) -> Option<Arc<dyn ExactlyOnce>>) {
    for (op, operation, serial, request) in cases {
        let identity = op.identity();
        assert_eq!(identity.operation, *operation);
        assert_eq!(&identity.serial, serial, "{operation}: serial");
        assert_eq!(
            &identity.request.to_string(),
            request,
            "{operation}: request"
        );
        assert!(!matches!(
            op.reconciliation(),
            Reconciliation::NotNeeded | Reconciliation::Impossible { .. }
        ));
        let rebuilt = from_intent(&super::intent_of(&identity)).expect(operation);
        assert_eq!(rebuilt.identity(), identity);
    }
}

#[cfg(feature = "longlonglong")]
#[test]
fn the_longlonglong_operations_journal_what_they_always_did() {
    use super::longlonglong::*;
    use voxkit_longlonglong::{
        AllocationId, Client, DaySchedule, Direction, SubUserId, TaskId, TenantId, TimeSpan, UserId,
    };

    const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
    const OTHER: &str = "6e2d1c3b-07d5-44e6-9fa4-deb65e43bc93";
    let builder = Client::builder().base_url("http://127.0.0.1:9");
    let c = Arc::new(builder.allow_http(true).token("t").build().unwrap());
    let (user, sub) = (
        UserId::parse(USER).unwrap(),
        SubUserId::parse(OTHER).unwrap(),
    );
    let task = TaskId::parse(OTHER).unwrap();
    let phones = vec!["13800000001".to_owned(), "13800000002".to_owned()];
    let hour = |h| chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let span = TimeSpan::new(hour(9), hour(12)).unwrap();
    let day = DaySchedule::new(1, vec![span]).unwrap();
    let group = |sub: Option<SubUserId>| SaveDialTimeGroupRequest {
        user: user.clone(),
        name: "工作日".into(),
        content: vec![day.clone()],
        is_default: true,
        skip_holiday: false,
        sub,
    };
    let numbers = |change| NumbersRequest {
        change,
        user: user.clone(),
        task: task.clone(),
        phones: phones.clone(),
    };
    let remark = Some("order 1".to_owned());
    let create = CreateSubAccountRequest {
        user: user.clone(),
        name: "n".into(),
        email: "a@example.com".into(),
        phone: "13800000000".into(),
        password: Some("hunter2-secret".into()),
    };
    let unbind = UnbindLineRequest {
        user: user.clone(),
        tenant: TenantId::parse(OTHER).unwrap(),
        allocation: AllocationId::new(7).unwrap(),
    };
    let (recharge, deduct) = (Direction::Recharge, Direction::Deduct);
    let content = r#"[{"times":[{"begin_time":"09:00","end_time":"12:00"}],"week":1}]"#;
    let cases: Vec<(Arc<dyn ExactlyOnce>, &str, String)> = vec![
        (
            Arc::new(BalanceMove::new(
                c.clone(),
                recharge,
                user.clone(),
                5,
                remark,
            )),
            "recharge",
            format!(r#"{{"amount":5,"remark":"order 1","user":"{USER}"}}"#),
        ),
        (
            Arc::new(BalanceMove::new(c.clone(), deduct, user.clone(), 5, None)),
            "deduct",
            format!(r#"{{"amount":5,"remark":null,"user":"{USER}"}}"#),
        ),
        (
            Arc::new(ZeroBalance::new(c.clone(), user.clone())),
            "zero_balance",
            format!(r#"{{"user":"{USER}"}}"#),
        ),
        (
            op(&c, create),
            "create_sub_account",
            format!(
                r#"{{"email":"a@example.com","name":"n","phone":"13800000000","user":"{USER}"}}"#
            ),
        ),
        (
            op(
                &c,
                DeleteSubAccountRequest {
                    user: user.clone(),
                    sub: sub.clone(),
                },
            ),
            "delete_sub_account",
            format!(r#"{{"sub_user":"{OTHER}","user":"{USER}"}}"#),
        ),
        (
            op(&c, unbind),
            "unbind_line",
            format!(r#"{{"allocation":7,"tenant":"{OTHER}","user":"{USER}"}}"#),
        ),
        (
            op(
                &c,
                DeleteTaskRequest {
                    user: user.clone(),
                    task: task.clone(),
                },
            ),
            "delete_task",
            format!(r#"{{"task":"{OTHER}","user":"{USER}"}}"#),
        ),
        (
            op(&c, numbers(NumberChange::Add)),
            "add_numbers",
            format!(
                r#"{{"phones":["13800000001","13800000002"],"task":"{OTHER}","user":"{USER}"}}"#
            ),
        ),
        (
            op(&c, numbers(NumberChange::Delete)),
            "delete_numbers",
            format!(
                r#"{{"phones":["13800000001","13800000002"],"task":"{OTHER}","user":"{USER}"}}"#
            ),
        ),
        (
            op(&c, group(Some(sub.clone()))),
            "save_dial_time_group",
            format!(
                r#"{{"content":{content},"is_default":true,"name":"工作日","skip_holiday":false,"sub_user":"{OTHER}","user":"{USER}"}}"#
            ),
        ),
        (
            op(&c, group(None)),
            "save_dial_time_group",
            format!(
                r#"{{"content":{content},"is_default":true,"name":"工作日","skip_holiday":false,"sub_user":null,"user":"{USER}"}}"#
            ),
        ),
    ];
    let serial = format!("longlonglong:user:{USER}");
    let cases: Vec<Case> = cases
        .into_iter()
        .map(|(op, operation, request)| (op, operation, serial.clone(), request))
        .collect();
    pinned(&cases, |intent| from_intent(c.clone(), intent));
}

#[cfg(feature = "espai")]
#[test]
fn the_espai_operations_journal_what_they_always_did() {
    use super::espai::*;
    use voxkit_espai::{CardKey, Client};

    let builder = Client::builder().base_url("http://127.0.0.1:9");
    let c = Arc::new(builder.allow_http(true).api_key("t").build().unwrap());
    let (from, to) = (code_fingerprint("wNaa1GDw"), code_fingerprint("Zq7pLm3x"));
    let transfer = TransferRequest {
        from: CardKey::new("15916888888", "wNaa1GDw"),
        to: CardKey::new("15916888889", "Zq7pLm3x"),
        amount: 5,
    };
    let unbind = UnbindDeviceMacRequest {
        agent_key: "agent-key-4f1e".into(),
        mac: "FC:01:2C:DB:14:30".into(),
    };
    let mut secrets = transfer.secrets();
    assert_eq!(secrets, ["wNaa1GDw", "Zq7pLm3x"]);
    secrets.extend(unbind.secrets());
    assert_eq!(secrets[2], "agent-key-4f1e");
    let key = code_fingerprint("agent-key-4f1e");
    let remove = |what| RemoveRequest {
        what,
        ids: vec!["ab6e".into(), "cd7f".into()],
    };
    let add = AddAgentRequest {
        card_id: "772868ea".into(),
        name: "琳琅".into(),
    };
    let account = || "espai:account".to_owned();
    let cases: Vec<Case> = vec![
        (
            op(&c, transfer),
            "transfer",
            format!("espai:card:15916888888:{from}"),
            format!(
                r#"{{"amount":5,"from_code_sha256":"{from}","from_phone":"15916888888","to_code_sha256":"{to}","to_phone":"15916888889"}}"#
            ),
        ),
        (
            Arc::new(Destroy::new(c.clone(), "196bd2a2")),
            "destroy",
            "espai:card-id:196bd2a2".into(),
            r#"{"id":"196bd2a2"}"#.into(),
        ),
        (
            op(&c, add),
            "add_agent",
            account(),
            r#"{"card_id":"772868ea","name":"琳琅"}"#.into(),
        ),
        (
            op(&c, remove(Removal::Agents)),
            "delete_agents",
            account(),
            r#"{"ids":["ab6e","cd7f"]}"#.into(),
        ),
        (
            op(&c, remove(Removal::Devices)),
            "unbind_devices",
            account(),
            r#"{"ids":["ab6e","cd7f"]}"#.into(),
        ),
        (
            op(&c, unbind),
            "unbind_device_mac",
            account(),
            format!(r#"{{"agent_key_sha256":"{key}","mac":"FC:01:2C:DB:14:30"}}"#),
        ),
    ];
    pinned(&cases, |intent| from_intent(c.clone(), intent, &secrets));
}

#[cfg(feature = "laaffic")]
#[test]
fn the_laaffic_operations_journal_what_they_always_did() {
    use super::laaffic::*;
    use voxkit_laaffic::{AiResendType, Client};

    let builder = Client::builder().base_url("http://127.0.0.1:9");
    let c = Arc::new(
        builder
            .allow_http(true)
            .credentials("k", "s")
            .build()
            .unwrap(),
    );
    let resend = |voice| ResendTaskRequest {
        task: 42,
        name: "again".into(),
        voice,
    };
    let tts = ResendVoice::TextToSpeech {
        text: "hello".into(),
        lan: "EN".into(),
    };
    let ai = |resend_type| ResendAiTaskRequest {
        task: 42,
        name: "again".into(),
        script: 7,
        resend_type,
    };
    let serial = || "laaffic:task:42".to_owned();
    let cases: Vec<Case> = vec![
        (
            op(&c, resend(ResendVoice::File("f.mp3".into()))),
            "resend_task",
            serial(),
            r#"{"name":"again","task":42,"voice_file":"f.mp3"}"#.into(),
        ),
        (
            op(&c, resend(tts)),
            "resend_task",
            serial(),
            r#"{"lan":"EN","name":"again","task":42,"tts":"hello"}"#.into(),
        ),
        (
            op(&c, ai(AiResendType::Failed)),
            "resend_ai_task",
            serial(),
            r#"{"name":"again","resend_type":1,"script":7,"task":42}"#.into(),
        ),
        (
            op(&c, ai(AiResendType::All)),
            "resend_ai_task",
            serial(),
            r#"{"name":"again","resend_type":0,"script":7,"task":42}"#.into(),
        ),
    ];
    pinned(&cases, |intent| from_intent(c.clone(), intent));
}
