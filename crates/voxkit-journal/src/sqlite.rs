//! The SQLite store: one file, for one host. Several processes may share the file (SQLite's
//! own locking; every write transaction is `BEGIN IMMEDIATE`, so two claimers never read the
//! same free intents).
//!
//! # Group commit
//!
//! One writer thread per journal owns the write connection. A caller sends its write (a
//! closure) and awaits a oneshot that resolves only after the COMMIT holding it (fsync'd,
//! `synchronous=FULL`); every write that arrives while a commit is in progress goes into the
//! next one, each in a savepoint of its own (one write failing does not undo the others). So
//! 32 workers' `mark_sent`s cost one fsync, not 32, and each is still durable before its
//! caller sends. Reads use a second connection on tokio's blocking pool (WAL: readers never
//! wait for the writer), never the async runtime.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, oneshot};

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::intent::{from_millis, lease_millis};
use crate::{
    Counts, Created, Error, Intent, Journal, ListFilter, MarkSent, NewIntent, Outcome,
    SCHEMA_VERSION, State, check_outcome, check_owner, explain_miss, mismatch,
};

/// How long a call waits for another process's write lock before failing with
/// [`Error::Database`]: long enough for any claim or outcome write, short enough that a
/// wedged process is reported rather than waited on for ever.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The table as this build creates it (`{table}`: its name; `intents`, or `intents_v3` while
/// [`MIGRATE_V3`] rebuilds it). `seq` is AUTOINCREMENT so that creation order is never
/// reused.
///
/// The state check is a chain of equalities, not `state IN (...)`: SQLite evaluates a CHECK
/// with an `IN` list by building a temporary index of the list (an ephemeral b-tree opened,
/// filled and closed) every time a statement writes a row, and each intent is written three
/// times (journaled, leased and `Sent`, its outcome). That cost ~7 µs a row, a quarter of
/// the store's (measured with the same statements over 20,000 rows: 27.6 µs a row with the
/// list, 20.1 with the chain, 18.8 with no check at all); the chain is a few string
/// comparisons. Same rule.
const TABLE: &str = "
CREATE TABLE {table} (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT    NOT NULL UNIQUE,
    provider    TEXT    NOT NULL,
    operation   TEXT    NOT NULL,
    request     TEXT    NOT NULL,
    serial      TEXT    NOT NULL,
    marker      TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state = 'pending' OR state = 'sent'
        OR state = 'applied' OR state = 'refused' OR state = 'in_doubt'
        OR state = 'not_applied' OR state = 'undetermined'),
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER,
    finished_at INTEGER,
    owner       TEXT,
    lease_until INTEGER,
    evidence    TEXT,
    error       TEXT
);
";

/// The open intents, indexed by `finished_at IS NULL` (stamped when, and only when, an
/// intent becomes final): see [`MIGRATE_V2`] for why not by `state`.
const INDEXES: &str = "
CREATE INDEX intents_open_serial ON intents (serial, seq) WHERE finished_at IS NULL;
CREATE INDEX intents_open_seq ON intents (seq) WHERE finished_at IS NULL;
";

/// Version 2: the open intents are indexed by `finished_at IS NULL` instead of by `state`
/// ([`INDEXES`], created by [`MIGRATE_V3`]'s rebuild, which always follows).
///
/// Why: SQLite rewrites the entries of every index whose columns or `WHERE` clause mention
/// a column an `UPDATE` sets, and every step of an intent (leased, `Sent`, its outcome) sets
/// `state`. With version 1's three state indexes, each of those updates cost ~20 µs of
/// index upkeep; now only the final outcome touches the two open-intent indexes (a row
/// leaves them), the other steps none. Listing by state scans instead (`journal list`, a
/// human's command), and final intents whose `finished_at` an older build left unset are
/// stamped so that no final intent counts as open.
const MIGRATE_V2: &str = "
DROP INDEX IF EXISTS intents_open;
DROP INDEX IF EXISTS intents_state;
DROP INDEX IF EXISTS intents_open_seq;
DROP INDEX IF EXISTS intents_open_serial;
UPDATE intents SET finished_at = coalesce(sent_at, created_at)
    WHERE finished_at IS NULL AND state IN ('applied', 'refused', 'undetermined');
UPDATE intents SET finished_at = NULL
    WHERE finished_at IS NOT NULL AND state NOT IN ('applied', 'refused', 'undetermined');
";

/// Version 3: the table rebuilt with [`TABLE`]'s state check (SQLite cannot change a
/// constraint in place), in SQLite's own order: the new table, every row copied as it is,
/// the old table dropped, the new one renamed, the indexes made. AUTOINCREMENT's high-water
/// mark is carried over first, so that no `seq` is ever handed out twice. Runs in the
/// open's transaction: a crash leaves the old table whole.
fn migrate_v3(tx: &Connection) -> Result<(), Error> {
    tx.execute_batch(&TABLE.replace("{table}", "intents_v3"))
        .map_err(Error::db)?;
    tx.execute_batch(&format!(
        "INSERT INTO intents_v3 ({COLUMNS}) SELECT {COLUMNS} FROM intents ORDER BY seq;
         INSERT INTO sqlite_sequence (name, seq) SELECT 'intents_v3', 0
             WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'intents_v3');
         UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM sqlite_sequence
                                           WHERE name IN ('intents', 'intents_v3'))
             WHERE name = 'intents_v3';
         DROP TABLE intents;
         ALTER TABLE intents_v3 RENAME TO intents;
         {INDEXES}"
    ))
    .map_err(Error::db)
}

/// How many prepared statements a connection keeps: more than the store has.
const STATEMENT_CACHE: usize = 64;

/// The most writes one commit holds: bounds how long a commit keeps the others waiting.
const MAX_GROUP: usize = 1024;

/// How often (ms) a claim looks for leases held by processes that are provably dead.
const SWEEP_EVERY_MS: i64 = 1_000;

/// The columns of an [`Intent`], in the order [`read_intent`] reads them.
const COLUMNS: &str = "seq, key, provider, operation, request, serial, marker, state, attempts, \
                       created_at, sent_at, finished_at, owner, lease_until, evidence, error";

/// Not final, for the table alias `t`: `finished_at IS NULL` is what the open-intent
/// indexes are keyed on (see [`MIGRATE_V2`]); the state test is a second guard.
macro_rules! open {
    ($t:literal) => {
        concat!(
            $t,
            ".finished_at IS NULL AND ",
            $t,
            ".state NOT IN ('applied', 'refused', 'undetermined')"
        )
    };
}

/// The free intents a claim may take at `?1` (now, ms), at most `?2`: not final, not leased
/// by a live owner, and the oldest unfinished intent of its serial key. Preceded by
/// `SELECT {COLUMNS}` (the columns of `i`, the only table of the outer query).
///
/// That alone keeps one intent per serial key in flight: no other intent of the key can be
/// leased. An intent is leased only by a claim, when it is the oldest unfinished one of its
/// key; no older one can appear later (`seq` is `AUTOINCREMENT` and every insert commits
/// under the one write lock, so creation order is commit order), and a final intent never
/// reopens ([`State::can_become`]). So a leased intent stays the oldest until it is final.
/// The `NOT EXISTS` look for another leased intent of the key that this used to carry cost a
/// walk of the key's open intents per candidate (~10 µs a claimed row on a 20,000-row
/// batch over 1,000 keys). PostgreSQL assigns `seq` before commit, so its store does check
/// (see `postgres.rs`); `serial_keys_hold_under_concurrent_workers` holds both to the rule.
const CLAIMABLE: &str = concat!(
    " FROM intents i WHERE ",
    open!("i"),
    " AND (i.lease_until IS NULL OR i.lease_until <= ?1)",
    " AND i.seq = (SELECT min(j.seq) FROM intents j WHERE j.serial = i.serial AND ",
    open!("j"),
    ") ORDER BY i.seq LIMIT ?2"
);

/// A journal in one SQLite file.
///
/// WAL with `synchronous=FULL`: every commit is fsync'd before the call returns. NORMAL
/// would survive a crash of the process but not of the machine (power loss can drop the
/// last commits), and a lost `Sent` mark means a re-run sends the request again: exactly
/// what the journal exists to prevent. The cost is one fsync per commit, and concurrent
/// writes share commits (see the module docs: group commit).
///
/// A claim ends at once the leases of owners that are provably dead (an owner name from
/// [`owner_for_this_process`](crate::owner_for_this_process) on this host whose process is
/// gone), so a re-run after a crash does not wait for their leases to run out.
#[derive(Clone)]
pub struct SqliteJournal {
    /// The writer thread's queue; the thread ends when the last clone is dropped.
    writer: mpsc::UnboundedSender<Write>,
    /// The read connection (get, list, counts), used on the blocking pool.
    reader: Arc<Mutex<Connection>>,
    /// When (ms) a claim last looked for dead owners' leases.
    swept: Arc<AtomicI64>,
    /// The file, for messages.
    path: Arc<PathBuf>,
}

/// What the writer thread does with a write once its commit is known: hands the result (or
/// the commit's error) to the caller.
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// One write for the writer thread: run it in the open transaction (`Some`), or say that no
/// transaction could be opened (`None`); either way, what to deliver after the commit.
type Write = Box<dyn FnOnce(Option<&Connection>) -> Deliver + Send>;

/// The writer thread: takes a first write, then every write already queued (up to
/// [`MAX_GROUP`]), runs them in one `BEGIN IMMEDIATE` transaction, commits, and only then
/// delivers their results.
fn writer_loop(conn: Connection, mut queue: mpsc::UnboundedReceiver<Write>) {
    while let Some(first) = queue.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(write) => group.push(write),
                Err(_) => break,
            }
        }
        let delivers: Vec<Deliver> = match run_cached(&conn, "BEGIN IMMEDIATE") {
            Ok(()) => group.into_iter().map(|write| write(Some(&conn))).collect(),
            Err(error) => {
                let delivers: Vec<Deliver> = group.into_iter().map(|write| write(None)).collect();
                let error = format!("cannot begin a write transaction: {error}");
                for deliver in delivers {
                    deliver(Err(error.clone()));
                }
                continue;
            }
        };
        let committed = run_cached(&conn, "COMMIT")
            .map_err(|e| format!("the commit failed, nothing of it was written: {e}"));
        if committed.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for deliver in delivers {
            deliver(committed.clone());
        }
    }
}

/// Runs one parameterless statement through the statement cache (`BEGIN`, `COMMIT`,
/// savepoints): parsed once per connection, not once per commit.
fn run_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// How a write keeps its changes apart from the other writes of its commit.
#[derive(Clone, Copy)]
enum Isolation {
    /// In a savepoint of its own: undone as a whole when it fails (writes of several
    /// statements).
    Savepoint,
    /// Alone: the write runs exactly one writing statement, which SQLite already makes
    /// atomic (a failing statement leaves nothing behind), so a savepoint (two more
    /// statements and a statement journal) would buy nothing.
    OneStatement,
}

/// Runs `work` in the open transaction, isolated as `isolation` says: its writes are undone
/// when it fails, without touching the other writes of the same commit.
fn isolated<T>(
    conn: &Connection,
    isolation: Isolation,
    work: impl FnOnce(&Connection) -> Result<T, Error>,
) -> Result<T, Error> {
    if let Isolation::OneStatement = isolation {
        return work(conn);
    }
    run_cached(conn, "SAVEPOINT write").map_err(Error::db)?;
    let result = work(conn);
    let end = match result {
        Ok(_) => run_cached(conn, "RELEASE write"),
        Err(_) => {
            run_cached(conn, "ROLLBACK TO write").and_then(|()| run_cached(conn, "RELEASE write"))
        }
    };
    end.map_err(Error::db)?;
    result
}

impl std::fmt::Debug for SqliteJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteJournal")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteJournal {
    /// Opens (creating it if needed) the journal file at `path`: WAL, `synchronous=FULL`, a
    /// busy timeout, and the schema created or checked.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref().to_path_buf();
        let opened = path.clone();
        let (write_conn, read_conn) = tokio::task::spawn_blocking(move || {
            Ok::<_, Error>((open_blocking(&opened)?, open_blocking(&opened)?))
        })
        .await
        .map_err(Error::db)??;
        let (writer, queue) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("voxkit-journal-writer".to_owned())
            .spawn(move || writer_loop(write_conn, queue))
            .map_err(|e| Error::Database(format!("cannot start the journal's writer: {e}")))?;
        Ok(Self {
            writer,
            reader: Arc::new(Mutex::new(read_conn)),
            swept: Arc::new(AtomicI64::new(0)),
            path: Arc::new(path),
        })
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs the write `work` in the writer thread's next commit, in a savepoint of its own;
    /// resolves once that commit is durable (or failed: then nothing of `work` was written).
    async fn write<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, Error> + Send + 'static,
    {
        self.write_as(Isolation::Savepoint, work).await
    }

    /// [`write`](Self::write) for a `work` that runs exactly one writing statement (it may
    /// read before and after): no savepoint needed.
    async fn write_one<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, Error> + Send + 'static,
    {
        self.write_as(Isolation::OneStatement, work).await
    }

    async fn write_as<T, F>(&self, isolation: Isolation, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, Error> + Send + 'static,
    {
        let (done, result) = oneshot::channel();
        let write: Write = Box::new(move |conn| {
            let outcome = match conn {
                Some(conn) => isolated(conn, isolation, work),
                None => Err(Error::Database("no transaction".to_owned())),
            };
            Box::new(move |committed: Result<(), String>| {
                let _ = done.send(committed.map_err(Error::Database).and(outcome));
            })
        });
        let stopped = || Error::Database("the journal's writer thread stopped".to_owned());
        self.writer.send(write).map_err(|_| stopped())?;
        result.await.map_err(|_| stopped())?
    }

    /// Runs the read `work` on the read connection, on tokio's blocking pool.
    async fn with<T, F>(&self, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, Error> + Send + 'static,
    {
        let conn = Arc::clone(&self.reader);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock leaves no half-written transaction behind
            // (rusqlite rolls back on drop), so a poisoned lock is safe to reuse.
            let mut conn = conn.lock().unwrap_or_else(|poison| poison.into_inner());
            work(&mut conn)
        })
        .await
        .map_err(Error::db)?
    }
}

/// Opens the file and creates or checks its schema.
fn open_blocking(path: &Path) -> Result<Connection, Error> {
    let mut conn = Connection::open(path)
        .map_err(|e| Error::Database(format!("cannot open {}: {e}", path.display())))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(Error::db)?;
    // Every statement the store runs is prepared once per connection and kept (parsing and
    // planning an UPDATE ... RETURNING costs more than running it): room for all of them.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // The query planner's stability guarantee: a cached statement keeps its plan whatever
    // values are bound. Without it, SQLite (built with STAT4) re-parses and re-plans the
    // claim's query on every call because its bound clock value changed: a third of a
    // claim's time. The plans do not depend on those values (the indexes are fixed).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map_err(Error::db)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(Error::db)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Database(format!(
            "{} cannot use WAL (journal_mode is {mode}): is it on a network file system?",
            path.display()
        )));
    }
    // temp_store = MEMORY: the statement journals of savepoints and the temporary tables
    // of `RETURNING` stay in memory instead of temporary files (a write system call per
    // page per statement, most of the writer's time otherwise); they never need to
    // survive a crash (the WAL does).
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;")
        .map_err(Error::db)?;
    // Immediate: two processes opening a new file at once must not both create the schema.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(Error::db)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(Error::db)?;
    if version > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version < 1 {
        // A new file: the current table and indexes at once.
        tx.execute_batch(&TABLE.replace("{table}", "intents"))
            .map_err(Error::db)?;
        tx.execute_batch(INDEXES).map_err(Error::db)?;
    } else {
        if version < 2 {
            tx.execute_batch(MIGRATE_V2).map_err(Error::db)?;
        }
        if version < 3 {
            migrate_v3(&tx)?;
        }
    }
    // Later versions: `if version < 4 { ... }`, each step in this same transaction.
    tx.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION};"))
        .map_err(Error::db)?;
    tx.commit().map_err(Error::db)?;
    Ok(conn)
}

/// Milliseconds since the Unix epoch, by this machine's clock (every process sharing a
/// SQLite file runs on this machine).
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// For a listing of open states only (what `recover` and an idle runner ask for), the
/// condition that lets it walk the open-intent index instead of every intent ever journaled.
fn only_open_prefix(filter: &ListFilter) -> &'static str {
    if filter.only_open() {
        "finished_at IS NULL AND "
    } else {
        ""
    }
}

/// Reads one row of [`COLUMNS`].
fn read_intent(row: &Row<'_>) -> rusqlite::Result<Intent> {
    let json = |index: usize, text: String| {
        serde_json::from_str(&text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, e.into())
        })
    };
    let state: String = row.get(7)?;
    Ok(Intent {
        seq: row.get(0)?,
        key: row.get(1)?,
        provider: row.get(2)?,
        operation: row.get(3)?,
        request: json(4, row.get(4)?)?,
        serial: row.get(5)?,
        marker: row.get(6)?,
        state: state.parse().map_err(|e: crate::UnknownState| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, e.into())
        })?,
        attempts: row.get(8)?,
        created_at: from_millis(row.get(9)?),
        sent_at: row.get::<_, Option<i64>>(10)?.map(from_millis),
        finished_at: row.get::<_, Option<i64>>(11)?.map(from_millis),
        owner: row.get(12)?,
        lease_until: row.get::<_, Option<i64>>(13)?.map(from_millis),
        evidence: row
            .get::<_, Option<String>>(14)?
            .map(|text| json(14, text))
            .transpose()?,
        error: row.get(15)?,
    })
}

/// The intent with `key`, if any.
fn get_blocking(conn: &Connection, key: &str) -> Result<Option<Intent>, Error> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM intents WHERE key = ?1"))
        .map_err(Error::db)?
        .query_row([key], read_intent)
        .optional()
        .map_err(Error::db)
}

/// Ends at once (lease_until = now) the live leases whose owner is a provably dead process
/// of this host (see `owner.rs`): what their expiry would do after `Settings::lease`.
fn expire_dead_owners(conn: &Connection, now: i64) -> Result<(), Error> {
    let owners: Vec<String> = {
        let mut stmt = conn
            .prepare_cached(concat!(
                "SELECT DISTINCT i.owner FROM intents i WHERE ",
                open!("i"),
                " AND i.owner IS NOT NULL AND i.lease_until > ?1"
            ))
            .map_err(Error::db)?;
        stmt.query_map([now], |row| row.get(0))
            .map_err(Error::db)?
            .collect::<Result<_, _>>()
            .map_err(Error::db)?
    };
    for owner in owners {
        if crate::owner::provably_dead(&owner) {
            conn.execute(
                "UPDATE intents SET lease_until = ?1 WHERE owner = ?2 AND lease_until > ?1",
                params![now, owner],
            )
            .map_err(Error::db)?;
        }
    }
    Ok(())
}

/// An outcome's compare-and-set write; its parameters come from [`outcome_params`].
const RECORD_OUTCOME: &str = "UPDATE intents SET state = ?1, evidence = coalesce(?2, evidence), \
     error = coalesce(?3, error), finished_at = CASE WHEN ?4 THEN ?5 END, \
     lease_until = CASE WHEN ?4 THEN NULL ELSE lease_until END \
     WHERE key = ?6 AND owner = ?7 AND state = ?8";

/// Writes `outcome` of `key` at `now` ([`RECORD_OUTCOME`]); the inner error says why the
/// compare-and-set matched no row, the outer one is the database failing.
fn write_outcome(
    conn: &Connection,
    key: &str,
    owner: &str,
    outcome: &Outcome,
    evidence: Option<&str>,
    now: i64,
) -> Result<Result<(), Error>, Error> {
    let updated = conn
        .prepare_cached(RECORD_OUTCOME)
        .map_err(Error::db)?
        .execute(params![
            outcome.to.as_str(),
            evidence,
            outcome.error,
            outcome.to.is_final(),
            now,
            key,
            owner,
            outcome.from.as_str()
        ])
        .map_err(Error::db)?;
    if updated == 1 {
        return Ok(Ok(()));
    }
    let found = get_blocking(conn, key)?;
    Ok(Err(explain_miss(key, owner, &[outcome.from], found)))
}

/// Runs a compare-and-set `UPDATE` of the intent `key` and reads it back; when it matches no
/// row, reads the intent to say why. Not `UPDATE ... RETURNING`: SQLite builds a temporary
/// table for every `RETURNING` statement run, which costs more than the read.
fn cas(
    conn: &Connection,
    sql: &str,
    params: &[&dyn rusqlite::ToSql],
    key: &str,
    owner: &str,
    expected: &[State],
) -> Result<Intent, Error> {
    let updated = conn
        .prepare_cached(sql)
        .map_err(Error::db)?
        .execute(params)
        .map_err(Error::db)?;
    let intent = get_blocking(conn, key)?;
    match (updated, intent) {
        (1, Some(intent)) => Ok(intent),
        (_, found) => Err(explain_miss(key, owner, expected, found)),
    }
}

#[async_trait::async_trait]
impl Journal for SqliteJournal {
    async fn create(&self, new: NewIntent) -> Result<Created, Error> {
        let mut created = self.create_many(vec![new]).await?;
        created
            .pop()
            .unwrap_or_else(|| Err(Error::db("no row created")))
    }

    async fn create_many(&self, new: Vec<NewIntent>) -> Result<Vec<Result<Created, Error>>, Error> {
        // Checked here, so that a bad row is refused without its neighbours.
        let rows: Vec<Result<(NewIntent, String), Error>> = new
            .into_iter()
            .map(|new| {
                new.validate()?;
                let request = new.request.to_string();
                Ok((new, request))
            })
            .collect();
        self.write(move |conn| {
            let mut insert = conn
                .prepare_cached(
                    "INSERT INTO intents (key, provider, operation, request, serial, marker, \
                     state, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7) \
                     ON CONFLICT (key) DO NOTHING",
                )
                .map_err(Error::db)?;
            let now = now_ms();
            let mut created = Vec::with_capacity(rows.len());
            for row in rows {
                let (new, request) = match row {
                    Ok(row) => row,
                    Err(error) => {
                        created.push(Err(error));
                        continue;
                    }
                };
                // Inserted unless the key is there (one statement, not a look-up first):
                // a resumed run's rows are read only when they exist.
                let inserted = insert
                    .execute(params![
                        new.key,
                        new.provider,
                        new.operation,
                        request,
                        new.serial,
                        new.marker,
                        now
                    ])
                    .map_err(Error::db)?;
                if inserted == 0 {
                    let existing = get_blocking(conn, &new.key)?
                        .ok_or_else(|| Error::NotFound(new.key.clone()))?;
                    created.push(match mismatch(&existing, &new) {
                        Some(field) => Err(Error::KeyMismatch {
                            key: new.key,
                            field,
                        }),
                        None => Ok(Created {
                            intent: existing,
                            inserted: false,
                        }),
                    });
                    continue;
                }
                // The row just written, without reading it back (no `RETURNING`: see `cas`).
                let intent = Intent::pending(conn.last_insert_rowid(), new, from_millis(now));
                created.push(Ok(Created {
                    intent,
                    inserted: true,
                }));
            }
            Ok(created)
        })
        .await
    }

    /// [`Journal::claim`], marking `Sent` the claimed intents `mark` accepts, all in one
    /// write of the writer's IMMEDIATE transaction: no other process can claim the same free
    /// intents between the read and the update. The intents read by the claim's query are
    /// updated in place (no `RETURNING`, which costs SQLite a temporary table per row).
    async fn claim_and_mark_sent(
        &self,
        owner: &str,
        lease: Duration,
        limit: usize,
        mark: MarkSent,
    ) -> Result<Vec<Intent>, Error> {
        check_owner(owner)?;
        let lease = lease_millis(lease)?;
        let owner = owner.to_owned();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let swept = Arc::clone(&self.swept);
        self.write(move |conn| {
            let now = now_ms();
            if now - swept.load(Ordering::Relaxed) >= SWEEP_EVERY_MS {
                swept.store(now, Ordering::Relaxed);
                expire_dead_owners(conn, now)?;
            }
            let mut claimed: Vec<Intent> = conn
                .prepare_cached(&format!("SELECT {COLUMNS}{CLAIMABLE}"))
                .map_err(Error::db)?
                .query_map(params![now, limit], read_intent)
                .map_err(Error::db)?
                .collect::<Result<_, _>>()
                .map_err(Error::db)?;
            let mut lease_only = conn
                .prepare_cached("UPDATE intents SET owner = ?1, lease_until = ?2 WHERE seq = ?3")
                .map_err(Error::db)?;
            let mut lease_and_send = conn
                .prepare_cached(
                    "UPDATE intents SET owner = ?1, lease_until = ?2, state = 'sent', \
                     attempts = attempts + 1, sent_at = coalesce(sent_at, ?3) WHERE seq = ?4",
                )
                .map_err(Error::db)?;
            let until = now + lease;
            for intent in &mut claimed {
                let send =
                    matches!(intent.state, State::Pending | State::NotApplied) && mark(intent);
                if send {
                    lease_and_send
                        .execute(params![owner, until, now, intent.seq])
                        .map_err(Error::db)?;
                    intent.state = State::Sent;
                    intent.attempts += 1;
                    intent.sent_at.get_or_insert(from_millis(now));
                } else {
                    lease_only
                        .execute(params![owner, until, intent.seq])
                        .map_err(Error::db)?;
                }
                intent.owner = Some(owner.clone());
                intent.lease_until = Some(from_millis(until));
            }
            Ok(claimed)
        })
        .await
    }

    async fn renew(&self, key: &str, owner: &str, lease: Duration) -> Result<Intent, Error> {
        check_owner(owner)?;
        let lease = lease_millis(lease)?;
        let (key, owner) = (key.to_owned(), owner.to_owned());
        self.write_one(move |conn| {
            let sql = format!(
                "UPDATE intents SET lease_until = ?1 WHERE key = ?2 AND owner = ?3 AND {}",
                open!("intents")
            );
            cas(
                conn,
                &sql,
                params![now_ms() + lease, key, owner],
                &key,
                &owner,
                &[],
            )
        })
        .await
    }

    async fn release(&self, key: &str, owner: &str) -> Result<(), Error> {
        check_owner(owner)?;
        let (key, owner) = (key.to_owned(), owner.to_owned());
        self.write_one(move |conn| {
            let sql = "UPDATE intents SET owner = NULL, lease_until = NULL \
                 WHERE key = ?1 AND owner = ?2 AND lease_until IS NOT NULL";
            cas(conn, sql, params![key, owner], &key, &owner, &[]).map(drop)
        })
        .await
    }

    async fn mark_sent(&self, key: &str, owner: &str) -> Result<Intent, Error> {
        check_owner(owner)?;
        let (key, owner) = (key.to_owned(), owner.to_owned());
        self.write_one(move |conn| {
            let sql = "UPDATE intents SET state = 'sent', attempts = attempts + 1, \
                 sent_at = coalesce(sent_at, ?1) \
                 WHERE key = ?2 AND owner = ?3 AND state IN ('pending', 'not_applied')";
            cas(
                conn,
                sql,
                params![now_ms(), key, owner],
                &key,
                &owner,
                &[State::Pending, State::NotApplied],
            )
        })
        .await
    }

    async fn record_outcome(
        &self,
        key: &str,
        owner: &str,
        outcome: Outcome,
    ) -> Result<Intent, Error> {
        check_owner(owner)?;
        check_outcome(key, &outcome)?;
        let (key, owner) = (key.to_owned(), owner.to_owned());
        self.write_one(move |conn| {
            let evidence = outcome.evidence.as_ref().map(ToString::to_string);
            write_outcome(conn, &key, &owner, &outcome, evidence.as_deref(), now_ms())??;
            get_blocking(conn, &key)?.ok_or_else(|| Error::NotFound(key.clone()))
        })
        .await
    }

    async fn record_outcomes(
        &self,
        owner: &str,
        outcomes: Vec<(String, Outcome)>,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        check_owner(owner)?;
        let owner = owner.to_owned();
        // Checked and serialised here, off the writer thread.
        let rows: Vec<Result<(String, Outcome, Option<String>), Error>> = outcomes
            .into_iter()
            .map(|(key, outcome)| {
                check_outcome(&key, &outcome)?;
                let evidence = outcome.evidence.as_ref().map(ToString::to_string);
                Ok((key, outcome, evidence))
            })
            .collect();
        // One savepoint for the batch: a database error undoes all of it.
        self.write(move |conn| {
            let now = now_ms();
            rows.into_iter()
                .map(|row| {
                    let (key, outcome, evidence) = match row {
                        Ok(row) => row,
                        Err(error) => return Ok(Err(error)),
                    };
                    write_outcome(conn, &key, &owner, &outcome, evidence.as_deref(), now)
                })
                .collect()
        })
        .await
    }

    async fn get(&self, key: &str) -> Result<Option<Intent>, Error> {
        let key = key.to_owned();
        self.with(move |conn| get_blocking(conn, &key)).await
    }

    async fn list(&self, filter: &ListFilter) -> Result<Vec<Intent>, Error> {
        let filter = filter.clone();
        self.with(move |conn| {
            let states = serde_json::Value::from(
                filter.states.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            )
            .to_string();
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM intents \
                     WHERE {}(?1 = '[]' OR state IN (SELECT value FROM json_each(?1))) \
                     AND seq > ?2 ORDER BY seq LIMIT ?3",
                    only_open_prefix(&filter)
                ))
                .map_err(Error::db)?;
            let rows = stmt
                .query_map(
                    params![
                        states,
                        filter.after_seq.unwrap_or(0),
                        filter.limit.map_or(-1, i64::from)
                    ],
                    read_intent,
                )
                .map_err(Error::db)?;
            rows.collect::<Result<_, _>>().map_err(Error::db)
        })
        .await
    }

    async fn counts(&self) -> Result<Counts, Error> {
        self.with(|conn| {
            let mut stmt = conn
                .prepare_cached("SELECT state, count(*) FROM intents GROUP BY state")
                .map_err(Error::db)?;
            let mut counts = Counts::default();
            let rows = stmt
                .query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                })
                .map_err(Error::db)?;
            for row in rows {
                let (state, count) = row.map_err(Error::db)?;
                let state: State = state.parse().map_err(Error::db)?;
                counts.set(state, u64::try_from(count).unwrap_or(0));
            }
            Ok(counts)
        })
        .await
    }
}
