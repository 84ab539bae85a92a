//! `voxkit longlonglong dialogue send` end to end (issue 16, 11b): the real binary against
//! the in-process sandbox, with the dialogue token from `LONGLONGLONG_DIALOGUE_TOKEN` (the
//! partner token is refused there), as text and JSON; the sandbox keeps each accepted
//! message under its conversation; a lost answer exits 5 saying it cannot be reconciled,
//! sent once.

mod common;

use voxkit_sandbox::{
    DOCS_DIALOGUE_TENANT, Fault, LONGLONGLONG_DIALOGUE_TOKEN, LONGLONGLONG_TOKEN, Sandbox,
};

use common::{Out, sandbox_env, spawn, with};

/// The docs' talk id, mixed case as written there.
const TALK: &str = "bCdeffd6-C84D-dB14-11De-3afA7f738159";

/// The sandbox's environment with the dialogue variables set to `token`.
fn env(sandbox: &Sandbox, token: &str) -> Vec<(String, String)> {
    let url = sandbox.url();
    with(
        sandbox_env(sandbox),
        &[
            ("LONGLONGLONG_DIALOGUE_TOKEN", token),
            ("LONGLONGLONG_DIALOGUE_BASE_URL", url.as_str()),
        ],
    )
}

/// `voxkit longlonglong dialogue send` on the docs' tenant, talk and script, plus `extra`.
async fn send(env: &[(String, String)], extra: &[&str]) -> Out {
    let mut args = vec![
        "longlonglong",
        "dialogue",
        "send",
        "--tenant",
        DOCS_DIALOGUE_TENANT,
        "--talk",
        TALK,
        "--user",
        "visitor_1",
        "--group",
        "1",
    ];
    args.extend(extra);
    let out = spawn(env, None, &args).await;
    for secret in [LONGLONGLONG_DIALOGUE_TOKEN, LONGLONGLONG_TOKEN] {
        assert!(
            !out.stdout.contains(secret) && !out.stderr.contains(secret),
            "a token was printed: {out:#?}"
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_is_sent_message_by_message_and_kept_by_the_sandbox() {
    let sandbox = Sandbox::start().await.unwrap();
    let env = env(&sandbox, LONGLONGLONG_DIALOGUE_TOKEN);

    let out = send(&env, &["--notify", "enter", "--message", "测试"])
        .await
        .expect(0);
    assert!(
        out.stdout.contains(&format!("to conversation {TALK}")),
        "{out:#?}"
    );
    let json = send(
        &env,
        &[
            "--notify",
            "message",
            "--directive",
            "no_answer",
            "--output",
            "json",
        ],
    )
    .await
    .expect(0)
    .json();
    assert_eq!(json["talk_id"], TALK, "{json}");
    assert_eq!(json["directive"], "no_answer", "{json}");
    assert_eq!(json["notify"], "message", "{json}");
    assert_eq!(json["message"], "成功", "{json}");
    send(&env, &["--notify", "leave", "--message", "再见"])
        .await
        .expect(0);

    let talk = sandbox.longlonglong_dialogue(TALK);
    let kept: Vec<(&str, &str, &str)> = talk
        .iter()
        .map(|m| (m.notify.as_str(), m.message.as_str(), m.directive.as_str()))
        .collect();
    assert_eq!(
        kept,
        [
            ("enter", "测试", ""),
            ("message", "", "no_answer"),
            ("leave", "再见", "")
        ]
    );
    assert!(
        talk.iter()
            .all(|m| m.user_id == "visitor_1" && m.group_id == 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_the_partner_token_are_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let good = env(&sandbox, LONGLONGLONG_DIALOGUE_TOKEN);
    // Refused before sending (exit 2): an unknown notify, an empty message.
    for extra in [
        &["--notify", "start", "--message", "hi"][..],
        &["--notify", "message", "--message", " "][..],
        &["--notify", "message", "--directive", "silence"][..],
    ] {
        send(&good, extra).await.expect(2);
    }
    // The partner token is not the dialogue token: the sandbox refuses it (exit 3).
    let partner = env(&sandbox, LONGLONGLONG_TOKEN);
    send(&partner, &["--notify", "enter", "--message", "hi"])
        .await
        .expect(3);
    // No dialogue token at all: a configuration error naming the variable.
    let none = with(
        sandbox_env(&sandbox),
        &[("LONGLONGLONG_DIALOGUE_TOKEN", "")],
    );
    let out = send(&none, &["--notify", "enter", "--message", "hi"])
        .await
        .expect(2);
    assert!(
        out.stderr.contains("LONGLONGLONG_DIALOGUE_TOKEN"),
        "{out:#?}"
    );
    assert!(sandbox.longlonglong_dialogue(TALK).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_exits_5_saying_it_cannot_be_reconciled() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.set_fault(
        "longlonglong.dialogue",
        Fault::default().drop_after(1.0).times(1),
    );
    let out = send(
        &env(&sandbox, LONGLONGLONG_DIALOGUE_TOKEN),
        &["--notify", "enter", "--message", "测试"],
    )
    .await
    .expect(5);
    assert!(out.stderr.contains("cannot be reconciled"), "{out:#?}");
    assert_eq!(
        sandbox.longlonglong_dialogue(TALK).len(),
        1,
        "applied once, never sent again"
    );
}
