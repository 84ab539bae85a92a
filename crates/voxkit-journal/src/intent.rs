//! What the journal stores: an intent (one money-moving operation the caller means to apply
//! exactly once), what a caller hands in to create one, the outcome written after, and the
//! filters and counts read back.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::Error;
use crate::state::State;

/// One operation the caller means to apply exactly once, as the journal holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    /// Creation order across the journal (oldest first); stable, for paging listings.
    pub seq: i64,
    /// The caller's unique id for the operation (a batch file's `key` column): creating the
    /// same key again returns this intent, which is how a second run resumes the first.
    pub key: String,
    /// The provider (`longlonglong`, `espai`, `laaffic`).
    pub provider: String,
    /// The operation's name within the provider (`recharge`, `transfer`).
    pub operation: String,
    /// The request's parameters as JSON, enough to send it again. Never credentials: those
    /// come from the client at send time (creation refuses credential-like fields).
    pub request: Value,
    /// The account or card the operation acts on (`longlonglong:user:<id>`,
    /// `espai:card:<phone>:<code>`): intents sharing it are handed out one at a time, so that
    /// reconciling one against the account's history is not confused by another in flight.
    pub serial: String,
    /// The marker the request carries (in a remark, a file or task name), by which
    /// reconciliation finds it in the provider's history. The same marker on every re-send.
    pub marker: String,
    /// Where the intent stands.
    pub state: State,
    /// How many times its request was marked sent.
    pub attempts: u32,
    /// When the intent was created.
    pub created_at: DateTime<Utc>,
    /// When its request was first marked sent (a re-send keeps it): reconciliation looks at
    /// the provider's history from here on.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it reached a final state.
    pub finished_at: Option<DateTime<Utc>>,
    /// The worker that holds (or last held) its lease.
    pub owner: Option<String>,
    /// Until when `owner`'s lease keeps other workers away; `None` when nobody holds it.
    pub lease_until: Option<DateTime<Utc>>,
    /// The provider's evidence for the outcome (record id, usage-log row, task id).
    pub evidence: Option<Value>,
    /// The error text of a refusal, a lost answer or an undecidable reconciliation.
    pub error: Option<String>,
}

impl Intent {
    /// The intent `new` becomes when it is journaled as row `seq` at `created_at`: pending,
    /// never sent, leased by nobody (what a store writes, without reading it back).
    // The SQLite store and the operations' unit tests use it; PostgreSQL reads its rows back.
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    pub(crate) fn pending(seq: i64, new: NewIntent, created_at: DateTime<Utc>) -> Self {
        Intent {
            seq,
            key: new.key,
            provider: new.provider,
            operation: new.operation,
            request: new.request,
            serial: new.serial,
            marker: new.marker,
            state: State::Pending,
            attempts: 0,
            created_at,
            sent_at: None,
            finished_at: None,
            owner: None,
            lease_until: None,
            evidence: None,
            error: None,
        }
    }

    /// The intent as a successful [`Journal::record_outcomes`](crate::Journal::record_outcomes)
    /// write of `outcome` at `at` leaves it (the stores' own rules: evidence and error kept
    /// unless replaced, a final state stamped and its lease ended), so that a caller need not
    /// read back every row it wrote.
    pub fn with_outcome(mut self, outcome: &Outcome, at: DateTime<Utc>) -> Self {
        self.state = outcome.to;
        if let Some(evidence) = &outcome.evidence {
            self.evidence = Some(evidence.clone());
        }
        if let Some(error) = &outcome.error {
            self.error = Some(error.clone());
        }
        if outcome.to.is_final() {
            self.finished_at = Some(at);
            self.lease_until = None;
        } else {
            self.finished_at = None;
        }
        self
    }
}

/// What a caller hands to [`Journal::create`](crate::Journal::create).
#[derive(Debug, Clone, PartialEq)]
pub struct NewIntent {
    /// See [`Intent::key`].
    pub key: String,
    /// See [`Intent::provider`].
    pub provider: String,
    /// See [`Intent::operation`].
    pub operation: String,
    /// See [`Intent::request`].
    pub request: Value,
    /// See [`Intent::serial`].
    pub serial: String,
    /// See [`Intent::marker`]. Ignored when the key already exists: the stored marker wins,
    /// so that a re-send carries the marker of the first attempt.
    pub marker: String,
}

/// Object keys that look like credentials; a request holding one is refused, since the
/// journal is a plain file or table that outlives the process (see SECURITY.md).
const CREDENTIAL_WORDS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "api_key",
    "apikey",
    "authorization",
    "signature",
    "sign",
    "credential",
];

impl NewIntent {
    /// Checks what the stores rely on: non-empty identifiers and no credential-like field in
    /// the request (at any depth).
    pub fn validate(&self) -> Result<(), Error> {
        for (name, value) in [
            ("key", &self.key),
            ("provider", &self.provider),
            ("operation", &self.operation),
            ("serial", &self.serial),
            ("marker", &self.marker),
        ] {
            if value.trim().is_empty() {
                return Err(Error::Invalid(format!(
                    "intent `{}`: empty {name}",
                    self.key
                )));
            }
        }
        if let Some(field) = credential_field(&self.request) {
            return Err(Error::Invalid(format!(
                "intent `{}`: the request holds `{field}`, which looks like a credential; \
                 the journal must never store credentials",
                self.key
            )));
        }
        Ok(())
    }
}

/// The first object key in `value` whose name looks like a credential.
fn credential_field(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => map.iter().find_map(|(name, inner)| {
            // Checked for every row a batch journals: no allocation beyond the lower-cased
            // name.
            let lower = name.to_ascii_lowercase().replace('-', "_");
            let hit = CREDENTIAL_WORDS.iter().any(|word| {
                lower
                    .strip_suffix(word)
                    .is_some_and(|rest| rest.is_empty() || rest.ends_with('_'))
            }) || lower
                .split('_')
                .any(|w| matches!(w, "token" | "secret" | "password"));
            if hit {
                Some(name.clone())
            } else {
                credential_field(inner)
            }
        }),
        Value::Array(items) => items.iter().find_map(credential_field),
        _ => None,
    }
}

/// What [`Journal::create`](crate::Journal::create) did.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    /// The intent as stored (the existing one when the key was already there).
    pub intent: Intent,
    /// `true` when this call inserted it, `false` when the key existed (a resumed run).
    pub inserted: bool,
}

/// A state change written by [`Journal::record_outcome`](crate::Journal::record_outcome):
/// the state the caller last saw, the state it moves to, and the provider's evidence or the
/// error text.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The state the caller read (compare-and-set: the write fails if the intent moved on).
    pub from: State,
    /// The new state: `Applied`, `Refused`, `InDoubt`, `NotApplied` or `Undetermined`.
    pub to: State,
    /// The provider's evidence (record id, log row, task id): kept, shown by `journal show`.
    pub evidence: Option<Value>,
    /// The error text (refusal, lost answer, why undetermined).
    pub error: Option<String>,
}

impl Outcome {
    /// `from → to` with neither evidence nor error.
    pub fn new(from: State, to: State) -> Self {
        Self {
            from,
            to,
            evidence: None,
            error: None,
        }
    }

    /// Adds the provider's evidence.
    pub fn evidence(mut self, evidence: Value) -> Self {
        self.evidence = Some(evidence);
        self
    }

    /// Adds an error text.
    pub fn error(mut self, error: impl Into<String>) -> Self {
        self.error = Some(error.into());
        self
    }
}

/// Which intents [`Journal::list`](crate::Journal::list) returns, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Only these states (empty: every state).
    pub states: Vec<State>,
    /// Only intents created after this [`Intent::seq`] (for paging).
    pub after_seq: Option<i64>,
    /// At most this many (`None`: all).
    pub limit: Option<u32>,
}

impl ListFilter {
    /// Every intent.
    pub fn all() -> Self {
        Self::default()
    }

    /// Every intent not final: what `recover`, `journal reconcile` and an idle runner look
    /// at (the stores read their open-intent index for it).
    pub fn not_final() -> Self {
        State::ALL
            .into_iter()
            .filter(|state| !state.is_final())
            .fold(Self::all(), Self::state)
    }

    /// Intents in `state` (call again to add states).
    pub fn state(mut self, state: State) -> Self {
        self.states.push(state);
        self
    }

    /// Intents after `seq`.
    pub fn after(mut self, seq: i64) -> Self {
        self.after_seq = Some(seq);
        self
    }

    /// At most `limit` intents.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Whether only states that are not final are asked for: the stores then read their
    /// open-intent index, not every intent ever journaled.
    pub(crate) fn only_open(&self) -> bool {
        !self.states.is_empty() && self.states.iter().all(|state| !state.is_final())
    }
}

/// How many intents are in each state: a batch run's summary and progress figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    counts: [u64; State::ALL.len()],
}

impl Counts {
    /// The number of intents in `state`.
    pub fn get(&self, state: State) -> u64 {
        self.counts[index(state)]
    }

    /// All intents.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Intents in a final state.
    pub fn finished(&self) -> u64 {
        State::ALL
            .into_iter()
            .filter(|state| state.is_final())
            .map(|state| self.get(state))
            .sum()
    }

    pub(crate) fn set(&mut self, state: State, count: u64) {
        self.counts[index(state)] = count;
    }
}

/// The position of `state` in [`State::ALL`].
fn index(state: State) -> usize {
    State::ALL
        .iter()
        .position(|s| *s == state)
        .expect("State::ALL lists every state")
}

/// A lease length in whole milliseconds, refusing zero (a lease that is already over would
/// hand the intent straight to the next claimer).
pub(crate) fn lease_millis(lease: Duration) -> Result<i64, Error> {
    let ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
    if ms <= 0 {
        return Err(Error::Invalid("a lease must last at least 1 ms".to_owned()));
    }
    Ok(ms)
}

/// A stored millisecond timestamp as a date-time.
pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn intent(request: Value) -> NewIntent {
        NewIntent {
            key: "row-1".into(),
            provider: "longlonglong".into(),
            operation: "recharge".into(),
            request,
            serial: "longlonglong:user:1".into(),
            marker: "vk-1".into(),
        }
    }

    #[test]
    fn credential_like_fields_are_refused_at_any_depth() {
        for request in [
            json!({"token": "x"}),
            json!({"open_api_key": "x"}),
            json!({"nested": [{"api-secret": "x"}]}),
            json!({"Authorization": "Bearer x"}),
            json!({"sign": "abc"}),
        ] {
            let err = intent(request.clone()).validate().unwrap_err();
            assert!(err.to_string().contains("credential"), "{request}: {err}");
        }
        intent(json!({"user": "u", "amount": 100, "remark": "order 1", "signup": true}))
            .validate()
            .expect("plain parameters pass");
    }

    #[test]
    fn empty_identifiers_are_refused() {
        let mut bad = intent(json!({}));
        bad.serial = " ".into();
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("empty serial")
        );
    }
}
