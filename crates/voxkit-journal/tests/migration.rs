//! A journal written by a version-1 build opens in this one: the schema moves to the current
//! version (version 2: the open intents indexed by `finished_at IS NULL`; version 3, SQLite
//! only: the table rebuilt with a state check SQLite evaluates without a temporary index),
//! every intent stays where it was, and a final intent that version 1 left without
//! `finished_at` is stamped, so that it is never taken for an open one. Built by hand with the
//! version-1 statements, on both stores.
#![cfg(any(feature = "sqlite", feature = "postgres"))]

mod common;

use std::time::Duration;

use common::{keys, open_keys};
use voxkit_journal::{Journal, SCHEMA_VERSION, State};

/// The version-1 table and indexes, as the version-1 stores created them.
const TABLE_V1: &str = "
CREATE TABLE {s}intents (
    seq         {serial},
    key         TEXT    NOT NULL UNIQUE,
    provider    TEXT    NOT NULL,
    operation   TEXT    NOT NULL,
    request     TEXT    NOT NULL,
    serial      TEXT    NOT NULL,
    marker      TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT  NOT NULL,
    sent_at     BIGINT,
    finished_at BIGINT,
    owner       TEXT,
    lease_until BIGINT,
    evidence    TEXT,
    error       TEXT
);
CREATE INDEX intents_open ON {s}intents (serial, seq)
    WHERE state NOT IN ('applied', 'refused', 'undetermined');
CREATE INDEX intents_state ON {s}intents (state, seq);
CREATE INDEX intents_open_seq ON {s}intents (seq)
    WHERE state NOT IN ('applied', 'refused', 'undetermined');
";

/// Three intents as version 1 left them: `open` pending, `legacy` applied without
/// `finished_at`, `done` refused with it.
const ROWS_V1: &str = "
INSERT INTO {s}intents (key, provider, operation, request, serial, marker, state, created_at,
                        sent_at, finished_at)
VALUES ('open', 'longlonglong', 'recharge', '{}', 'u1', 'vk-1', 'pending', 1000, NULL, NULL),
       ('legacy', 'longlonglong', 'recharge', '{}', 'u2', 'vk-2', 'applied', 1000, 2000, NULL),
       ('done', 'longlonglong', 'recharge', '{}', 'u3', 'vk-3', 'refused', 1000, 2000, 3000);
";

/// What every store must show after opening the version-1 journal.
async fn check_migrated(journal: &dyn Journal) {
    let legacy = journal.get("legacy").await.unwrap().unwrap();
    assert_eq!(legacy.state, State::Applied);
    assert_eq!(
        legacy.finished_at.map(|t| t.timestamp_millis()),
        Some(2000),
        "a final intent without finished_at is stamped with its send time"
    );
    let done = journal.get("done").await.unwrap().unwrap();
    assert_eq!(done.finished_at.map(|t| t.timestamp_millis()), Some(3000));
    assert_eq!(open_keys(journal).await, ["open"]);
    let claimed = journal
        .claim("w", Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(
        keys(&claimed),
        ["open"],
        "only the open intent is handed out"
    );
    assert_eq!(journal.counts().await.unwrap().total(), 3);
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn a_version_1_sqlite_file_is_migrated() {
    let dir = std::env::temp_dir().join(format!(
        "voxkit-journal-test-migration-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("v1.sqlite");
    let _ = std::fs::remove_file(&path);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        // Version 1's SQLite table checked the state with an `IN` list.
        let table = TABLE_V1
            .replace("{s}", "")
            .replace("{serial}", "INTEGER PRIMARY KEY AUTOINCREMENT")
            .replace(
                "state       TEXT    NOT NULL,",
                "state       TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'applied', \
                 'refused', 'in_doubt', 'not_applied', 'undetermined')),",
            );
        assert!(table.contains("CHECK (state IN"), "{table}");
        conn.execute_batch(&table).unwrap();
        conn.execute_batch(&ROWS_V1.replace("{s}", "")).unwrap();
        // As if intents up to seq 100 had been handed out: the rebuild must not reuse one.
        conn.execute_batch("UPDATE sqlite_sequence SET seq = 100 WHERE name = 'intents';")
            .unwrap();
        conn.execute_batch("PRAGMA user_version = 1;").unwrap();
    }
    let journal = voxkit_journal::SqliteJournal::open(&path).await.unwrap();
    check_migrated(&journal).await;
    let next = journal
        .create(voxkit_journal::NewIntent {
            key: "after".to_owned(),
            provider: "longlonglong".to_owned(),
            operation: "recharge".to_owned(),
            request: serde_json::json!({"user": "u4", "amount": 1}),
            serial: "u4".to_owned(),
            marker: "vk-4".to_owned(),
        })
        .await
        .unwrap();
    assert_eq!(
        next.intent.seq, 101,
        "the rebuilt table carries AUTOINCREMENT's high-water mark"
    );
    drop(journal);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let table: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'intents'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(
        !table.contains("IN ("),
        "the state check has no IN list: {table}"
    );
    let bogus = conn.execute("UPDATE intents SET state = 'bogus' WHERE key = 'open'", []);
    assert!(
        bogus.is_err_and(|e| e.to_string().contains("CHECK")),
        "the state is still checked"
    );
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mut indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    indexes.sort();
    assert_eq!(indexes, ["intents_open_seq", "intents_open_serial"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn a_version_1_postgres_schema_is_migrated() {
    let url = std::env::var("VOXKIT_TEST_POSTGRES_URL").expect(
        "VOXKIT_TEST_POSTGRES_URL is not set: run with `cargo xtask test-postgres` (or \
         `cargo xtask ci`), which start a throw-away cluster",
    );
    let schema = format!("m_v1_{}", std::process::id());
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let driver = tokio::spawn(connection);
    let s = format!("{schema}.");
    let table = TABLE_V1
        .replace("{s}", &s)
        .replace("{serial}", "bigserial PRIMARY KEY");
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
             CREATE TABLE {schema}.schema_version (version bigint NOT NULL);
             INSERT INTO {schema}.schema_version (version) VALUES (1);
             {table} {rows}",
            rows = ROWS_V1.replace("{s}", &s)
        ))
        .await
        .unwrap();
    let journal = voxkit_journal::PgJournal::connect(
        voxkit_journal::PgConfig::new(url.clone()).schema(schema.clone()),
    )
    .await
    .unwrap();
    check_migrated(&journal).await;
    let version: i64 = client
        .query_one(
            &format!("SELECT max(version) FROM {schema}.schema_version"),
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(version, SCHEMA_VERSION);
    let indexes: Vec<String> = client
        .query(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = $1 \
             AND indexname LIKE 'intents_open%' ORDER BY 1",
            &[&schema],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(indexes, ["intents_open_seq", "intents_open_serial"]);
    let state_index: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname = 'intents_state'",
            &[&schema],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(state_index, 0, "the state index is gone");
    client
        .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
    drop(client);
    let _ = driver.await;
}
