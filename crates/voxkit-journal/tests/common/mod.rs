//! What the journal's suites share: the [`Opener`] each test is generic over, the fresh
//! journal per store (a SQLite file, a PostgreSQL schema) and `per_store!`, which
//! instantiates a suite's tests once per store, so that both stores run the same tests; and
//! the listing checks they share.
// Each suite is a crate of its own and uses a part of this module (the migration suite
// only the listing checks).
#![allow(dead_code, unused_macros)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use voxkit_journal::{Intent, Journal, ListFilter};

/// A fresh journal, opened as many times as a test wants: each handle is a separate
/// connection (a separate file handle or pool), as another process would have.
pub type Opener =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Arc<dyn Journal>> + Send>> + Send + Sync>;

/// The keys of `intents`, in their order: what a listing or a claim is checked against.
pub fn keys(intents: &[Intent]) -> Vec<&str> {
    intents.iter().map(|i| i.key.as_str()).collect()
}

/// The keys of the intents not final, oldest first: the listing `recover` starts from,
/// which the stores serve from their open-intent index.
pub async fn open_keys(j: &dyn Journal) -> Vec<String> {
    let open = j.list(&ListFilter::not_final()).await.unwrap();
    open.into_iter().map(|i| i.key).collect()
}

/// Nanoseconds since the epoch: with the process id, what keeps two runs' journals apart.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub fn now_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// The embedded store's fixture.
#[cfg(feature = "sqlite")]
pub mod sqlite {
    use super::*;
    use voxkit_journal::SqliteJournal;

    /// A journal file in a fresh directory under the system's temp dir, named after the
    /// suite and the test (left there: a few kilobytes per run, and handy when a test
    /// fails).
    pub async fn fresh(suite: &str, test: &str) -> Opener {
        let dir = std::env::temp_dir().join(format!(
            "voxkit-{suite}-test-{}-{test}-{}",
            std::process::id(),
            now_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("journal.sqlite");
        Arc::new(move || {
            let path = path.clone();
            Box::pin(async move {
                Arc::new(SqliteJournal::open(&path).await.unwrap()) as Arc<dyn Journal>
            })
        })
    }
}

/// The fleet store's fixture.
#[cfg(feature = "postgres")]
pub mod postgres {
    use super::*;
    use voxkit_journal::{PgConfig, PgJournal};

    /// The variable `cargo xtask ci` and `cargo xtask test-postgres` set to their
    /// throw-away cluster's URL.
    pub const URL_VAR: &str = "VOXKIT_TEST_POSTGRES_URL";

    /// A fresh schema in the test cluster, named after the suite (its first letter) and
    /// the test: each test its own journal.
    pub async fn fresh(suite: &str, test: &str) -> Opener {
        let url = std::env::var(URL_VAR).unwrap_or_else(|_| {
            panic!(
                "{URL_VAR} is not set: the PostgreSQL {suite} tests need a server. Run them \
                 with `cargo xtask test-postgres` (or `cargo xtask ci`), which start a \
                 throw-away cluster, or set {URL_VAR}=postgres://… to a database they may \
                 write schemas into."
            )
        });
        let schema = format!(
            "{}_{}_{}_{}",
            &suite[..1],
            &test[..test.len().min(32)],
            std::process::id(),
            now_nanos() % 1_000_000_000
        );
        Arc::new(move || {
            let config = PgConfig::new(url.clone())
                .schema(schema.clone())
                .pool_size(4);
            Box::pin(async move {
                Arc::new(PgJournal::connect(config).await.unwrap()) as Arc<dyn Journal>
            })
        })
    }
}

/// Instantiates a suite's tests once per store (`sqlite::…`, `postgres::…`, each behind
/// its feature): `$suite` names the suite in the fixtures' directory and schema names,
/// each `$test` is an async fn of the suite taking an [`Opener`].
macro_rules! per_store {
    ($suite:literal; $($test:ident),* $(,)?) => {
        #[cfg(feature = "sqlite")]
        mod sqlite {
            per_store!(@tests crate::common::sqlite::fresh, $suite; $($test),*);
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            per_store!(@tests crate::common::postgres::fresh, $suite; $($test),*);
        }
    };
    (@tests $fixture:path, $suite:literal; $($test:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $test() {
                super::$test($fixture($suite, stringify!($test)).await).await;
            }
        )*
    };
}
