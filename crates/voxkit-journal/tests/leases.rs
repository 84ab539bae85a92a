//! The SQLite store ends at once a lease held by a process that is provably dead (an owner
//! name of this host whose pid is gone), so that a re-run after a SIGKILL does not wait for
//! `Settings::lease` (two minutes); a live owner's lease, and an owner name that proves
//! nothing, still keep other workers away.
#![cfg(feature = "sqlite")]

use std::time::Duration;

use serde_json::json;
use voxkit_journal::{Journal, NewIntent, SqliteJournal, owner_for_this_process};

/// A long lease: anything claimed again within the test was freed by the dead-owner rule.
const LEASE: Duration = Duration::from_secs(120);

fn intent(key: &str) -> NewIntent {
    NewIntent {
        key: key.into(),
        provider: "test".into(),
        operation: "credit".into(),
        request: json!({"row": key}),
        serial: format!("test:account:{key}"),
        marker: format!("vk{key}0000000000"),
    }
}

/// A fresh journal file.
fn path(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "voxkit-leases-test-{}-{test}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("journal.sqlite")
}

/// The owner name a process of this host had, with the pid of a process that has ended
/// (spawned and reaped here).
fn dead_owner() -> String {
    let me = owner_for_this_process();
    let host = me.rsplitn(4, ':').nth(3).unwrap().to_owned();
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    format!("{host}:{pid}:12345:abcdef")
}

/// Claims `key` as `owner` on one handle, then tries to claim it as `other` on a new handle
/// (another process, as a re-run would be): whether the second claim got it.
async fn second_claim_gets_it(test: &str, owner: &str) -> bool {
    let path = path(test);
    let first = SqliteJournal::open(&path).await.unwrap();
    first.create(intent("r1")).await.unwrap();
    let claimed = first.claim(owner, LEASE, 8).await.unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    let rerun = SqliteJournal::open(&path).await.unwrap();
    let claimed = rerun.claim("rerun-worker", LEASE, 8).await.unwrap();
    claimed.iter().any(|i| i.key == "r1")
}

#[tokio::test]
async fn a_dead_processs_lease_ends_at_once() {
    if !std::path::Path::new("/proc/self/stat").exists() {
        return; // no /proc: nothing can be proven dead (the next tests still hold)
    }
    assert!(second_claim_gets_it("dead", &dead_owner()).await);
}

#[tokio::test]
async fn a_live_processs_lease_holds() {
    assert!(!second_claim_gets_it("live", &owner_for_this_process()).await);
}

#[tokio::test]
async fn an_owner_name_that_proves_nothing_holds() {
    assert!(!second_claim_gets_it("opaque", "dead").await);
    let elsewhere = "some-other-host.example:1:1:abcdef";
    assert!(!second_claim_gets_it("elsewhere", elsewhere).await);
}
