//! The journal's errors. Each says what a runner must do next: a [`Error::Stale`] or
//! [`Error::LeaseLost`] means another worker owns the intent now (stop touching it), a
//! [`Error::Database`] means the write may not have happened (do not send).

use crate::state::{IllegalTransition, State};

/// Why a journal call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The state machine does not allow this transition (a bug in the caller).
    #[error(transparent)]
    IllegalTransition(#[from] IllegalTransition),
    /// The intent is no longer in the state the caller read: another worker, or a later
    /// step of this one, moved it on. Nothing was written.
    #[error(
        "intent `{key}` is {actual}, not {expected}: another worker moved it on; nothing written"
    )]
    Stale {
        /// The intent's key.
        key: String,
        /// The state the caller expected.
        expected: State,
        /// The state it is in.
        actual: State,
    },
    /// The caller does not hold the intent's lease (it expired and another worker claimed
    /// it, or it was never claimed). Nothing was written.
    #[error("intent `{key}` is not leased by `{owner}` (holder: {holder}); nothing written")]
    LeaseLost {
        /// The intent's key.
        key: String,
        /// The caller.
        owner: String,
        /// The current holder, or `nobody`.
        holder: String,
    },
    /// No intent has this key.
    #[error("no intent with key `{0}` in the journal")]
    NotFound(String),
    /// The key exists with a different operation or request: the same key must always mean
    /// the same operation, or a resumed run would apply something else than the file says.
    #[error(
        "intent `{key}` already exists with a different {field}; keys must be unique per operation"
    )]
    KeyMismatch {
        /// The intent's key.
        key: String,
        /// The first field that differs (`provider`, `operation`, `serial`, `request`).
        field: &'static str,
    },
    /// An argument the journal cannot store (empty key, credential-like request field, zero
    /// lease).
    #[error("{0}")]
    Invalid(String),
    /// The journal was written by a newer voxkit (schema version above the supported one).
    #[error(
        "the journal's schema is version {found}; this voxkit supports up to {supported}: upgrade voxkit"
    )]
    SchemaTooNew {
        /// The version found.
        found: i64,
        /// The highest version this build knows.
        supported: i64,
    },
    /// The database failed (I/O, lock timeout, connection): the write may not have
    /// happened, so a runner must not send.
    #[error("journal database error: {0}")]
    Database(String),
}

impl Error {
    /// A database error from any driver error, as text (the drivers' errors hold no secrets:
    /// connection strings are never put into them by the stores).
    pub(crate) fn db(err: impl std::fmt::Display) -> Self {
        Error::Database(err.to_string())
    }
}
