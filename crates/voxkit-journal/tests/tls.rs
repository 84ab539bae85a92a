//! The fleet store's TLS against a real server. The throw-away cluster of `cargo xtask ci`
//! and `cargo xtask test-postgres` has TLS on, with voxkit-core's test certificate for
//! 127.0.0.1 and `localhost`; `VOXKIT_TEST_POSTGRES_CA` names the CA that issued it. What
//! each connection really used is read from the server's own `pg_stat_ssl`, over a separate
//! plain connection.
#![cfg(feature = "postgres")]

mod common;

use serde_json::json;
use voxkit_journal::{Journal, NewIntent, PgConfig, PgJournal};

const URL_VAR: &str = "VOXKIT_TEST_POSTGRES_URL";
const CA_VAR: &str = "VOXKIT_TEST_POSTGRES_CA";

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the journal's TLS tests need the throw-away cluster of \
             `cargo xtask test-postgres` (or `cargo xtask ci`), which has TLS on and sets \
             {URL_VAR} and {CA_VAR}"
        )
    })
}

/// The cluster's URL with `params` added to its query.
fn with(url: &str, params: &str) -> String {
    let joint = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joint}{params}")
}

/// A schema and an application name of this test's own.
fn names(test: &str) -> (String, String) {
    let id = format!(
        "{test}_{}_{}",
        std::process::id(),
        common::now_nanos() % 1_000_000_000
    );
    (format!("t_{id}"), format!("voxkit_{id}"))
}

/// Whether each server connection named `app` uses TLS, read over a plain connection.
async fn tls_of(app: &str) -> Vec<bool> {
    let url = with(&var(URL_VAR), "sslmode=disable");
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("a plain connection to the test cluster");
    tokio::spawn(connection);
    client
        .query(
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.application_name = $1",
            &[&app],
        )
        .await
        .expect("pg_stat_ssl")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// Journals one intent and reads it back: the connection works end to end.
async fn round_trip(journal: &PgJournal) {
    let created = journal
        .create(NewIntent {
            key: "tls-row".to_owned(),
            provider: "longlonglong".to_owned(),
            operation: "recharge".to_owned(),
            request: json!({"user": "u-1", "amount": 1}),
            serial: "longlonglong:user:u-1".to_owned(),
            marker: "vk0000000000000001".to_owned(),
        })
        .await;
    assert!(created.is_ok(), "{created:?}");
    let intent = journal.get("tls-row").await.unwrap().expect("the intent");
    assert_eq!(intent.request["amount"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_asked_for_tls_gets_it_verified_against_its_ca() {
    let ca = var(CA_VAR);
    // By IP address, and by name with `verify-full` (the certificate names both).
    for (host, mode) in [("127.0.0.1", "require"), ("localhost", "verify-full")] {
        let (schema, app) = names(&format!("tls_{}", mode.replace('-', "_")));
        let url = var(URL_VAR).replace("127.0.0.1", host);
        let url = with(
            &url,
            &format!("sslmode={mode}&sslrootcert={ca}&application_name={app}"),
        );
        let journal = PgJournal::connect(PgConfig::new(url).schema(schema).pool_size(2))
            .await
            .unwrap_or_else(|e| panic!("{host} {mode}: {e}"));
        round_trip(&journal).await;
        let tls = tls_of(&app).await;
        assert!(
            !tls.is_empty(),
            "{host} {mode}: no connection of the journal's seen"
        );
        assert!(tls.iter().all(|on| *on), "{host} {mode}: {tls:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_certificate_nobody_vouches_for_gets_no_journal() {
    // The platform's roots do not hold the test CA: the handshake fails, and nothing of the
    // URL (here a password) is in the error.
    let (schema, app) = names("untrusted");
    let url = var(URL_VAR).replacen("postgres@", "postgres:SENTINEL-pw@", 1);
    let url = with(&url, &format!("sslmode=require&application_name={app}"));
    let error = match PgJournal::connect(PgConfig::new(url).schema(schema)).await {
        Ok(_) => panic!("an untrusted certificate must not connect"),
        Err(error) => error.to_string(),
    };
    assert!(error.to_lowercase().contains("certificate"), "{error}");
    assert!(!error.contains("SENTINEL"), "{error}");
    assert!(tls_of(&app).await.is_empty(), "a connection was made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_on_this_machine_without_sslmode_stays_plain() {
    let (schema, app) = names("plain");
    let url = with(&var(URL_VAR), &format!("application_name={app}"));
    let journal = PgJournal::connect(PgConfig::new(url).schema(schema).pool_size(2))
        .await
        .unwrap();
    round_trip(&journal).await;
    let tls = tls_of(&app).await;
    assert!(!tls.is_empty() && tls.iter().all(|on| !on), "{tls:?}");
}
