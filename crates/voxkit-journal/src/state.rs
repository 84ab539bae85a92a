//! The intent state machine: the states and, in one table, the transitions allowed between
//! them. Both stores check a transition here before writing it, and write it as a
//! compare-and-set on the state the caller last saw, so that a stale process cannot overwrite
//! a newer state.

use std::fmt;
use std::str::FromStr;

/// Where an intent stands. The journal's whole promise rests on these: an intent is written
/// `Pending` before anything happens, `Sent` (durably) before its request leaves, and only a
/// provider's answer or a reconciliation moves it on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    /// Recorded; its request has never been sent.
    Pending,
    /// Its request may have left (the state was made durable just before sending). A worker
    /// that finds a `Sent` intent it did not send itself must treat it as in doubt.
    Sent,
    /// Final: the provider applied the operation (answer or reconciliation evidence).
    Applied,
    /// Final: the provider refused the request; nothing was applied.
    Refused,
    /// The request may have arrived and no answer says so: to be reconciled.
    InDoubt,
    /// Reconciliation proved the request was not applied: it may be sent again, with the same
    /// marker.
    NotApplied,
    /// Final: reconciliation could not decide (e.g. two candidate rows in the provider's
    /// history, or an operation that cannot be reconciled). Never guessed; a person decides.
    Undetermined,
}

impl State {
    /// Every state, in the order of the lifecycle (used for counts and listings).
    pub const ALL: [State; 7] = [
        State::Pending,
        State::Sent,
        State::InDoubt,
        State::NotApplied,
        State::Applied,
        State::Refused,
        State::Undetermined,
    ];

    /// The name stored in the database and shown to users (`in_doubt`, ...): stable, part of
    /// the schema.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Sent => "sent",
            State::Applied => "applied",
            State::Refused => "refused",
            State::InDoubt => "in_doubt",
            State::NotApplied => "not_applied",
            State::Undetermined => "undetermined",
        }
    }

    /// Whether nothing more will happen to an intent in this state: claims skip it and a
    /// resumed run leaves it alone.
    pub const fn is_final(self) -> bool {
        matches!(self, State::Applied | State::Refused | State::Undetermined)
    }

    /// Whether `self → to` is allowed. This match is the single definition of the state
    /// machine; everything else asks it.
    pub const fn can_become(self, to: State) -> bool {
        use State::*;
        matches!(
            (self, to),
            (Pending, Sent)
                | (Sent, Applied | Refused | InDoubt)
                | (InDoubt, Applied | NotApplied | Undetermined)
                | (NotApplied, Sent)
        )
    }

    /// Checks `self → to`, with an error naming both states when it is not allowed.
    pub fn check(self, to: State) -> Result<(), IllegalTransition> {
        if self.can_become(to) {
            Ok(())
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = UnknownState;

    /// Parses a stored name (`in_doubt`): an unknown name means a newer schema wrote the row.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

/// A transition the state machine does not allow (e.g. `applied → sent`): a bug in the
/// caller, or a stale view of the intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("illegal intent transition {from} → {to}")]
pub struct IllegalTransition {
    /// The state the intent is in.
    pub from: State,
    /// The state asked for.
    pub to: State,
}

/// A state name the journal does not know (written by a newer version of voxkit).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown intent state `{0}` in the journal (written by a newer voxkit?)")]
pub struct UnknownState(pub String);

#[cfg(test)]
mod tests {
    use super::State::{self, *};

    /// The allowed transitions, written out by hand from the design: the table test below
    /// checks `can_become` against it for all 49 pairs.
    const ALLOWED: &[(State, State)] = &[
        (Pending, Sent),
        (Sent, Applied),
        (Sent, Refused),
        (Sent, InDoubt),
        (InDoubt, Applied),
        (InDoubt, NotApplied),
        (InDoubt, Undetermined),
        (NotApplied, Sent),
    ];

    #[test]
    fn every_pair_of_states_is_allowed_exactly_when_listed() {
        let mut allowed = 0;
        for from in State::ALL {
            for to in State::ALL {
                let listed = ALLOWED.contains(&(from, to));
                assert_eq!(from.can_become(to), listed, "{from} → {to}");
                assert_eq!(from.check(to).is_ok(), listed, "{from} → {to}");
                allowed += usize::from(listed);
            }
        }
        assert_eq!(allowed, 8);
    }

    #[test]
    fn final_states_have_no_way_out() {
        for from in State::ALL {
            let exits = State::ALL.iter().filter(|to| from.can_become(**to)).count();
            assert_eq!(from.is_final(), exits == 0, "{from}");
        }
    }

    #[test]
    fn names_round_trip_and_are_distinct() {
        for state in State::ALL {
            assert_eq!(state.as_str().parse::<State>(), Ok(state));
        }
        assert!("done".parse::<State>().is_err());
        let illegal = Applied.check(Sent).unwrap_err();
        assert_eq!(
            illegal.to_string(),
            "illegal intent transition applied → sent"
        );
    }
}
