//! `voxkit laaffic reports listen` (issue 17): the real binary prints the callback URL
//! first, on a line of its own starting with `http` (token included), then one JSON
//! object per pushed report; the sandbox pushes a task's reports to that URL.

mod common;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use voxkit_laaffic::{Callee, NewTask, VoiceFileId, VoiceSource};
use voxkit_sandbox::Sandbox;

use common::{laaffic_client, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_listen_prints_the_url_then_each_pushed_report() {
    let args = "--output json laaffic reports listen --addr 127.0.0.1:0 --token t0k3n";
    let mut child = start(&[], &args.split(' ').collect::<Vec<_>>());
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines.next_line().await.unwrap().expect("the URL line");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url.ends_with("/laaffic/report/t0k3n"), "{url}");

    let sandbox = Sandbox::builder()
        .laaffic_report_url(&url)
        .push_duplicate_share(1.0)
        .start()
        .await
        .unwrap();
    let client = laaffic_client(&sandbox);
    let file = VoiceFileId(sandbox.seed().laaffic_voice_file.clone());
    let numbers = ["8613500000001", "8613500000002"].map(Callee::new);
    let task = NewTask::new("app", "listen test", VoiceSource::File(file), numbers);
    client.create_task(&task).await.unwrap().unwrap();
    let before = sandbox.laaffic_call_records().len();
    sandbox.advance_laaffic_tasks();
    sandbox.advance_laaffic_tasks();
    let stats = sandbox.wait_pushes(|s| s.pending == 0).await;
    assert_eq!((stats.delivered, stats.duplicates), (2, 2), "{stats:?}");

    let records = sandbox.laaffic_call_records();
    for record in &records[before..] {
        let line = lines.next_line().await.unwrap().expect("a report line");
        let report: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(report["voiceId"], record.voice_id.as_str(), "{line}");
        assert_eq!(report["callee"], record.callee.as_str(), "{line}");
    }
    child.kill().await.unwrap();
    // Each report printed once although each was delivered twice.
    let rest: Vec<String> = {
        let mut rest = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            rest.push(line);
        }
        rest
    };
    assert!(rest.is_empty(), "{rest:?}");
}
