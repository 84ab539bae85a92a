//! What a run reports: each row's result, the tally a progress bar shows, the events it is
//! sent, and the summary at the end.

use super::drive::{Mode, Run};
use crate::State;
use crate::verdict::Evidence;

/// How one row ended, as a run reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    /// Final: applied exactly once, with the provider's evidence (from the answer, or from
    /// reconciliation).
    Applied {
        /// The evidence, when the provider gave any.
        evidence: Option<Evidence>,
    },
    /// Final: the provider refused it (or it provably never left); nothing was applied.
    Refused {
        /// The error text.
        error: String,
    },
    /// Final: the answer was lost and reconciliation could not decide. A person decides.
    Undetermined {
        /// Why.
        why: String,
    },
    /// Already final in the journal when the run started (a resumed run): left alone.
    Skipped {
        /// The final state it was in.
        state: State,
    },
    /// Refused before anything was journaled: invalid input, a key used twice in the run or
    /// reused for other content, a repeatable operation, a credential-like request field.
    Rejected {
        /// Why.
        error: String,
    },
    /// Not final at the end of the run (re-sends used up, the journal failing, blocked behind
    /// such an intent of the same serial key, an operation this process cannot rebuild): a
    /// later run or `recover()` picks it up. Nothing about it is guessed.
    Unfinished {
        /// The state the journal holds it in.
        state: State,
        /// Why it stopped.
        why: String,
    },
}

/// The result of one row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowResult {
    /// The row's key.
    pub key: String,
    /// How it ended.
    pub outcome: RowOutcome,
    /// How many times its request was sent (marked sent in the journal), over all runs.
    pub attempts: u32,
    /// `false` when another worker finished it while this run waited (fleets), or it was
    /// skipped or rejected.
    pub driven_here: bool,
}

/// Counts by outcome, as a progress bar shows them and a summary reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Rows in the run (a `recover()` counts the intents it found).
    pub rows: u64,
    /// Rows with a result so far.
    pub done: u64,
    /// Applied (by this run or, in a fleet, by another worker while this one waited).
    pub applied: u64,
    /// Refused by the provider.
    pub refused: u64,
    /// Undetermined after reconciliation, or unreconcilable.
    pub undetermined: u64,
    /// Already final in the journal at start.
    pub skipped: u64,
    /// Rejected before anything was journaled.
    pub rejected: u64,
    /// Left not final (see [`RowOutcome::Unfinished`]).
    pub unfinished: u64,
    /// In doubt right now: an answer was lost and reconciliation is under way.
    pub in_doubt: u64,
}

impl Tally {
    pub(super) fn count(&mut self, outcome: &RowOutcome) {
        self.done += 1;
        match outcome {
            RowOutcome::Applied { .. } => self.applied += 1,
            RowOutcome::Refused { .. } => self.refused += 1,
            RowOutcome::Undetermined { .. } => self.undetermined += 1,
            RowOutcome::Skipped { .. } => self.skipped += 1,
            RowOutcome::Rejected { .. } => self.rejected += 1,
            RowOutcome::Unfinished { .. } => self.unfinished += 1,
        }
    }
}

/// What happened, for a progress bar: each event carries the tally after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The event.
    pub event: Event,
    /// The counts after it.
    pub tally: Tally,
}

/// One step of a run.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The intents are journaled; driving starts. `rows` and `skipped` are in the tally.
    Started,
    /// A request is about to leave (attempt `attempt`, counting from 1).
    Sending {
        /// The row's key.
        key: String,
        /// The attempt.
        attempt: u32,
    },
    /// An answer was lost; reconciliation starts.
    InDoubt {
        /// The row's key.
        key: String,
        /// The error that left the outcome unknown.
        why: String,
    },
    /// A row has its result.
    Row(RowResult),
}

/// The end of a run: the counts and every row's result (in the order of the jobs for
/// [`Runner::run_all`](super::Runner::run_all), in the order of completion for
/// [`Runner::recover`](super::Runner::recover)).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// The counts (`applied`, `refused`, `undetermined`, `skipped`, ...).
    pub tally: Tally,
    /// Every row's result.
    pub rows: Vec<RowResult>,
}

impl Summary {
    /// The exit code the command line uses: 5 when any row is undetermined or unfinished
    /// (including rows skipped as undetermined: something needs a person), 3 when some were
    /// refused or rejected, 0 when everything was applied.
    pub fn exit_code(&self) -> u8 {
        self.rows
            .iter()
            .map(|row| row.outcome.exit_code())
            .max()
            .unwrap_or(0)
    }
}

impl RowOutcome {
    /// This row's part of [`Summary::exit_code`] (the worst row's code is the run's): 5 when
    /// undetermined or unfinished, 3 when refused or rejected, 0 when applied; a skipped
    /// row as the final state it was in.
    fn exit_code(&self) -> u8 {
        match self {
            RowOutcome::Undetermined { .. }
            | RowOutcome::Unfinished { .. }
            | RowOutcome::Skipped {
                state: State::Undetermined,
            } => 5,
            RowOutcome::Refused { .. }
            | RowOutcome::Rejected { .. }
            | RowOutcome::Skipped {
                state: State::Refused,
            } => 3,
            _ => 0,
        }
    }
}

impl Run {
    pub(super) fn tally(&self) -> Tally {
        self.tally.lock().expect("tally lock").clone()
    }

    /// Changes the tally without an event (the next event carries it).
    pub(super) fn adjust(&self, change: impl FnOnce(&mut Tally)) {
        change(&mut self.tally.lock().expect("tally lock"));
    }

    pub(super) fn emit(&self, event: Event) {
        self.emit_with(event, |_| {});
    }

    pub(super) fn emit_with(&self, event: Event, change: impl FnOnce(&mut Tally)) {
        let tally = {
            let mut tally = self.tally.lock().expect("tally lock");
            change(&mut tally);
            tally.clone()
        };
        if let Some(progress) = &self.inner.progress {
            let _ = progress.send(Progress { event, tally });
        }
    }

    /// Counts a row's result and reports it.
    pub(super) fn finish(&self, row: RowResult) -> RowResult {
        self.emit_with(Event::Row(row.clone()), |tally| tally.count(&row.outcome));
        row
    }

    /// Reports the result of an intent that is not one of this run's rows (another run's,
    /// driven because it was claimed here): an event, but not in this run's counts.
    pub(super) fn finish_other(&self, row: RowResult, mode: Mode) -> RowResult {
        if mode == Mode::Everything {
            return self.finish(row);
        }
        self.emit(Event::Row(row.clone()));
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(outcomes: &[RowOutcome]) -> Summary {
        let rows = outcomes
            .iter()
            .map(|outcome| RowResult {
                key: "k".into(),
                outcome: outcome.clone(),
                attempts: 1,
                driven_here: true,
            })
            .collect();
        Summary {
            tally: Tally::default(),
            rows,
        }
    }

    /// The run's exit code is its worst row's: undetermined or unfinished over refused or
    /// rejected over applied, a skipped row counting as the final state it was in.
    #[test]
    fn the_exit_code_is_the_worst_rows() {
        let applied = RowOutcome::Applied { evidence: None };
        let refused = RowOutcome::Refused { error: "e".into() };
        let rejected = RowOutcome::Rejected { error: "e".into() };
        let undetermined = RowOutcome::Undetermined { why: "w".into() };
        let unfinished = RowOutcome::Unfinished {
            state: State::NotApplied,
            why: "w".into(),
        };
        let skipped = |state| RowOutcome::Skipped { state };
        for (outcomes, code) in [
            (vec![], 0),
            (vec![applied.clone(), skipped(State::Applied)], 0),
            (vec![applied.clone(), refused.clone()], 3),
            (vec![rejected, applied.clone()], 3),
            (vec![skipped(State::Refused)], 3),
            (vec![refused.clone(), undetermined], 5),
            (vec![unfinished, refused], 5),
            (vec![applied, skipped(State::Undetermined)], 5),
        ] {
            assert_eq!(summary(&outcomes).exit_code(), code, "{outcomes:?}");
        }
    }
}
