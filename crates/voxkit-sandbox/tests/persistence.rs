//! The persistent sandbox (`SandboxBuilder::state_file`, `voxkit sandbox --state FILE`):
//! changes made over HTTP survive a restart with the same file; without a file nothing
//! does; a file that is not a sandbox state is refused at start.

mod common;

use std::path::PathBuf;

use serde_json::{Value, json};
use voxkit_sandbox::{
    DOCS_USER, ESPAI_OPEN_API_KEY, Fault, LONGLONGLONG_TOKEN, Sandbox, StateFileError,
};

use common::{http, laaffic_now, status_and_json};

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("voxkit-sandbox-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A JSON request with the sandbox's credentials for `path`'s provider, as (status, body).
async fn send(sandbox: &Sandbox, method: &str, path: &str, body: Value) -> (u16, Value) {
    let mut request = http()
        .request(method.parse().unwrap(), format!("{}{path}", sandbox.url()))
        .header("Content-Type", "application/json")
        .body(body.to_string());
    request = if path.starts_with("/agent-api") {
        request.header("Authorization", format!("Bearer {LONGLONGLONG_TOKEN}"))
    } else {
        request.header("authorization", ESPAI_OPEN_API_KEY)
    };
    status_and_json(request.send().await.unwrap()).await
}

/// Recharges the docs' longlonglong user with `body` over HTTP and checks it succeeded.
async fn recharge(sandbox: &Sandbox, body: Value) {
    let path = format!("/agent-api/user/{DOCS_USER}/recharge");
    let (_, answer) = send(sandbox, "PUT", &path, body).await;
    assert_eq!(answer["status"], "success", "{answer}");
}

/// Recharge (longlonglong), transfer (ESP-AI) and task creation (Laaffic) made over HTTP
/// are all there after a restart with the same file, read back both through the handle
/// and over HTTP; a change applied whose answer was then dropped is kept too (the file is
/// written before the answer leaves, inside the fault layer), and the restarted sandbox
/// carries on from there (the next movement id follows the last).
#[tokio::test]
async fn changes_survive_a_restart_with_the_same_file() {
    let scratch = Scratch::new("restart");
    let file = scratch.0.join("state.json");
    let first = Sandbox::builder().state_file(&file).start().await.unwrap();
    assert!(file.exists(), "the seed is written at start");

    recharge(
        &first,
        json!({"amount": 100, "type": 1, "remark": "before restart"}),
    )
    .await;
    let (_, answer) = send(
        &first,
        "POST",
        "/cdkey/transfer",
        json!({"phone": "15916888888", "code": "wNaa1GDw",
               "target_phone": "17516888888", "target_code": "3AoPbLSQ", "limit": "10"}),
    )
    .await;
    assert_eq!(answer["success"], true, "{answer}");
    let (_, answer) = laaffic_now(
        &first,
        "POST",
        "/v3/voice/group/call/send",
        Some(
            json!({"appId": "app", "taskName": "kept across restarts", "source": 1,
            "voiceFileId": first.seed().laaffic_voice_file,
            "numberInfoList": [{"calleeNumber": "8613500000000"}]}),
        ),
    )
    .await;
    assert_eq!(answer["status"], "0", "{answer}");
    let task = answer["data"].as_u64().expect("the new task's id");
    // Applied, then the answer dropped: the client never hears of it, the file has it.
    first.set_fault(
        "longlonglong.recharge",
        Fault::default().drop_after(1.0).times(1),
    );
    let dropped = http()
        .put(format!(
            "{}/agent-api/user/{DOCS_USER}/recharge",
            first.url()
        ))
        .header("Content-Type", "application/json")
        .header("Authorization", format!("Bearer {LONGLONGLONG_TOKEN}"))
        .body(json!({"amount": 5, "remark": "answer dropped"}).to_string())
        .send()
        .await;
    assert!(dropped.is_err(), "the answer was dropped: {dropped:?}");
    assert_eq!(first.dropped_after_applying(), 1);
    let seed = first.seed().clone();
    let movements = first.longlonglong_movements(DOCS_USER);
    drop(first);

    let second = Sandbox::builder().state_file(&file).start().await.unwrap();
    assert_eq!(second.seed(), &seed, "the seed printout stays true");
    assert_eq!(second.longlonglong_balance(DOCS_USER), Some(1105));
    assert_eq!(second.longlonglong_movements(DOCS_USER), movements);
    assert_eq!(second.espai_card("wNaa1GDw").unwrap().quota, 490);
    assert_eq!(second.espai_card("3AoPbLSQ").unwrap().quota, 60);
    let kept = second
        .laaffic_task(task)
        .expect("the task created before the restart");
    assert_eq!(kept.name, "kept across restarts");
    // Over HTTP too: the history lists both recharges, the card log the transfer.
    let history = http()
        .get(format!(
            "{}/agent-api/user/{DOCS_USER}/bill_recharge_record",
            second.url()
        ))
        .header("Authorization", format!("Bearer {LONGLONGLONG_TOKEN}"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let history: Value = serde_json::from_slice(&history).unwrap();
    let remarks: Vec<&str> = history["data"]
        .as_array()
        .expect("the history rows")
        .iter()
        .filter_map(|row| row["remark"].as_str())
        .collect();
    assert!(
        remarks.contains(&"before restart") && remarks.contains(&"answer dropped"),
        "{history}"
    );
    let (_, detail) = laaffic_now(
        &second,
        "GET",
        &format!("/v3/voice/group/call/detail/{task}"),
        None,
    )
    .await;
    assert_eq!(detail["code"], 0, "{detail}");
    // It carries on: a new movement gets the next id, not one already used.
    recharge(&second, json!({"amount": 1})).await;
    let ids: Vec<u64> = second
        .longlonglong_movements(DOCS_USER)
        .iter()
        .map(|m| m.id)
        .collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "movement ids stay unique across the restart");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}

/// Without a file, state lives in memory only: a new sandbox starts from the seed.
#[tokio::test]
async fn without_a_file_a_restart_starts_from_the_seed() {
    let first = Sandbox::start().await.unwrap();
    recharge(&first, json!({"amount": 100})).await;
    assert_eq!(first.longlonglong_balance(DOCS_USER), Some(1100));
    drop(first);
    let second = Sandbox::start().await.unwrap();
    assert_eq!(second.longlonglong_balance(DOCS_USER), Some(1000));
}

/// A file that is not a sandbox state (truncated, or another program's JSON) is refused
/// at start with an error naming it, and left as it was; a changed file is never
/// replaced by the seed.
#[tokio::test]
async fn a_corrupt_state_file_is_refused_and_left_alone() {
    let scratch = Scratch::new("corrupt");
    for content in [
        &b"{\"format\": \"voxkit-sandbox-state\", \"version\": 1, \"seed\""[..],
        b"{\"hello\": \"world\"}",
        b"",
    ] {
        let file = scratch.0.join("state.json");
        std::fs::write(&file, content).unwrap();
        let e = Sandbox::builder()
            .state_file(&file)
            .start()
            .await
            .expect_err("not a state file");
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "{e}");
        let inner = e
            .get_ref()
            .and_then(|e| e.downcast_ref::<StateFileError>())
            .expect("a StateFileError inside");
        assert_eq!(inner.path(), file.as_path());
        assert!(e.to_string().contains("state.json"), "{e}");
        assert_eq!(std::fs::read(&file).unwrap(), content, "left as it was");
    }
}
