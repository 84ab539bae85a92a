//! The persistent sandbox ([`SandboxBuilder::state_file`](crate::SandboxBuilder::state_file)):
//! the whole state in one JSON file, rewritten after every request that changed it,
//! before that request's answer leaves.
//!
//! Why a JSON file and not SQLite: the state is a handful of in-memory collections that
//! every handler reads and writes under one lock; one serialized document of them needs
//! no schema, no mapping per provider and no second source of truth, and written whole
//! (temporary file, `fsync`, atomic rename, `fsync` of the directory) it is either the old
//! state or the new one, never half of each. The cost — the whole state serialized per
//! changing request — suits a stand-in shared by a team, not a load test (run that
//! without a file).
//!
//! An answer is sent only once the state it reports is on disk: the layer [`layer`] runs
//! inside the fault layer (an answer dropped after applying is still persisted) and,
//! should the write fail, replaces the answer with HTTP 500, so a change the file does
//! not hold is never acknowledged. Not persisted: the clock, the URL, the caps and faults
//! (the builder's), and the push outbox (pushes queued but not yet delivered are lost at
//! a restart; the records they report are kept).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State as Extract};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::seed::Seed;
use crate::state::{Shared, State};

/// The `format` of a state file.
const FORMAT: &str = "voxkit-sandbox-state";
/// The `version` of the layout this sandbox writes and reads.
const VERSION: u32 = 1;

/// Why the state file given to [`SandboxBuilder::state_file`](crate::SandboxBuilder::state_file)
/// cannot be used. [`SandboxBuilder::start`](crate::SandboxBuilder::start) returns it
/// inside its `io::Error` (`get_ref()` + `downcast_ref`), so a caller (the CLI) can tell a
/// bad state file (the user's to fix) from an address that cannot be bound.
#[derive(Debug)]
pub struct StateFileError {
    path: PathBuf,
    reason: String,
}

impl StateFileError {
    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl std::fmt::Display for StateFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sandbox state file {}: {}",
            self.path.display(),
            self.reason
        )
    }
}

impl std::error::Error for StateFileError {}

/// An `io::Error` of `kind` carrying a [`StateFileError`].
fn error(kind: io::ErrorKind, path: &Path, reason: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        kind,
        StateFileError {
            path: path.to_owned(),
            reason: reason.to_string(),
        },
    )
}

/// What is written.
#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: &'a str,
    version: u32,
    seed: &'a Seed,
    state: &'a State,
}

/// What is read back.
#[derive(Deserialize)]
struct Snapshot {
    format: String,
    version: u32,
    seed: Seed,
    state: State,
}

/// Reads a state file: `Ok(None)` when there is none yet (start from the seed), an
/// `InvalidData` error naming the file when it is not a state file of this version.
pub(crate) fn load(path: &Path) -> io::Result<Option<(Seed, State)>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(error(e.kind(), path, format!("cannot be read: {e}"))),
    };
    let snapshot: Snapshot = serde_json::from_slice(&bytes).map_err(|e| {
        error(
            io::ErrorKind::InvalidData,
            path,
            format!(
                "is not a sandbox state ({e}); move it away to start from the seed, or \
                 restore it"
            ),
        )
    })?;
    if snapshot.format != FORMAT || snapshot.version != VERSION {
        return Err(error(
            io::ErrorKind::InvalidData,
            path,
            format!(
                "is {:?} version {}, this sandbox reads {FORMAT:?} version {VERSION}",
                snapshot.format, snapshot.version
            ),
        ));
    }
    Ok(Some((snapshot.seed, snapshot.state)))
}

/// The state file of a running sandbox.
#[derive(Clone)]
pub(crate) struct Store(Arc<Inner>);

struct Inner {
    path: PathBuf,
    seed: Seed,
    /// The bytes last written. Held while a write is under way, so writes happen one at
    /// a time, in order, each of the state as it is when it takes its turn: an older
    /// snapshot can never overwrite a newer one.
    written: Mutex<Vec<u8>>,
}

impl Store {
    pub(crate) fn new(path: PathBuf, seed: Seed) -> Store {
        Store(Arc::new(Inner {
            path,
            seed,
            written: Mutex::new(Vec::new()),
        }))
    }

    /// Writes the state if it differs from what was last written (blocking I/O).
    pub(crate) fn save(&self, shared: &Shared) -> io::Result<()> {
        let mut written = self.0.written.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = {
            let state = shared.lock();
            serde_json::to_vec(&SnapshotRef {
                format: FORMAT,
                version: VERSION,
                seed: &self.0.seed,
                state: &state,
            })
            .map_err(|e| error(io::ErrorKind::InvalidData, &self.0.path, e))?
        };
        if *written == bytes {
            return Ok(());
        }
        write_atomically(&self.0.path, &bytes)
            .map_err(|e| error(e.kind(), &self.0.path, format!("cannot be written: {e}")))?;
        *written = bytes;
        Ok(())
    }
}

/// Writes `bytes` to `path` so that a crash leaves the old content or the new, whole:
/// a temporary file beside it, flushed to disk, renamed over it, the directory flushed.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let mut temporary = name.to_owned();
    temporary.push(".tmp");
    let temporary = path.with_file_name(temporary);
    let mut file = File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)?;
    // The rename itself is durable once the directory is (Unix; elsewhere the rename is
    // as durable as the platform makes it).
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// The layer's state: the store and the state it writes.
#[derive(Clone)]
pub(crate) struct Persist {
    pub store: Store,
    pub shared: Shared,
}

/// Runs the request, then writes the state before the answer leaves; if the write fails
/// the answer becomes HTTP 500 (rendered in the provider's form by the envelope layer):
/// the change is in memory but not acknowledged, so the client treats it as unknown.
pub(crate) async fn layer(
    Extract(persist): Extract<Persist>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let saved = tokio::task::spawn_blocking(move || persist.store.save(&persist.shared)).await;
    match saved {
        Ok(Ok(())) => response,
        Ok(Err(e)) => {
            tracing::error!("voxkit sandbox: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(e) => {
            tracing::error!("voxkit sandbox: the state write failed: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `&'static str`, named: serde's derive would read a field written `&'static str` as
/// borrowed from the input (demanding `'de: 'static`); under this name it goes through
/// the field's `deserialize_with` ([`one_of`]) instead. The same type.
pub(crate) type StaticStr = &'static str;

/// `&'static str` fields read back: the text must be one of `known`.
pub(crate) fn one_of<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    known: &[&'static str],
) -> Result<&'static str, D::Error> {
    let text = String::deserialize(deserializer)?;
    known.iter().copied().find(|k| *k == text).ok_or_else(|| {
        serde::de::Error::custom(format!("unknown value {text:?}, expected one of {known:?}"))
    })
}

/// The generator, written as its current seed (`with = "crate::persist::rng"`).
pub(crate) mod rng {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(rng: &fastrand::Rng, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(rng.get_seed())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<fastrand::Rng, D::Error> {
        u64::deserialize(d).map(fastrand::Rng::with_seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state written and read back is the same state: every provider's data, and the
    /// generator where it was.
    #[test]
    fn a_state_reads_back_as_written() {
        let mut state = State::new(7, None);
        let seed = crate::seed::seed(&mut state);
        state.advance_tasks();
        let dir = std::env::temp_dir().join(format!("voxkit-persist-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        let _ = fs::remove_file(&path);
        assert!(
            load(&path).unwrap().is_none(),
            "no file: start from the seed"
        );
        let next = state.rng.get_seed();
        let store = Store::new(path.clone(), seed.clone());
        let shared = Shared::new(state);
        store.save(&shared).unwrap();
        let (seed_back, back) = load(&path).unwrap().unwrap();
        assert_eq!(seed_back, seed);
        assert_eq!(back.rng.get_seed(), next);
        let state = shared.lock();
        assert_eq!(back.longlonglong.users, state.longlonglong.users);
        assert_eq!(
            back.longlonglong.next_movement,
            state.longlonglong.next_movement
        );
        assert_eq!(
            back.laaffic.balance.to_string(),
            "99.990000",
            "the scale is kept"
        );
        assert_eq!(back.ivr.tasks, state.ivr.tasks);
        assert_eq!(back.ivr.records, state.ivr.records);
        assert_eq!(back.ivr.stats, state.ivr.stats);
        assert_eq!(back.ivr.by_voice_id, state.ivr.by_voice_id);
        assert_eq!(back.espai.cards, state.espai.cards);
        assert_eq!(back.espai.usage, state.espai.usage);
        assert_eq!(back.espai.people, state.espai.people);
        assert_eq!(back.espai.fleet.agents, state.espai.fleet.agents);
        assert_eq!(back.recalls.flows, state.recalls.flows);
        drop(state);
        fs::write(
            &path,
            b"{\"format\": \"voxkit-sandbox-state\", \"version\": 1",
        )
        .unwrap();
        let e = load(&path).err().expect("a truncated file is refused");
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let inner = e.get_ref().and_then(|e| e.downcast_ref::<StateFileError>());
        assert_eq!(inner.map(|e| e.path()), Some(path.as_path()));
        let _ = fs::remove_dir_all(&dir);
    }
}
