//! Exactly once for adding and deleting agents: an added agent is found again by the
//! marker its name carries ([`marked_agent_name`]), a delete by the agent list read back.

use futures_util::TryStreamExt;
use serde_json::json;
use voxkit_core::reconcile::{MARKER_ALPHABET, MARKER_LEN, MARKER_PREFIX, run_exactly_once};
use voxkit_core::{Error, ExactlyOnceOutcome, Marker, ReconcileWait, Verdict};

use super::{ADD_AGENT, DELETE_AGENTS};
use crate::removals::{read_in_full, removal_read_back, remove_exactly_once};
use crate::{Agent, AgentFilter, Client, NewAgent};

/// The longest agent name voxkit sends ([`crate::MAX_TEXT_CHARS`]; the documentation gives
/// no limit): [`marked_agent_name`] keeps the name with its marker within it.
pub const AGENT_NAME_MAX_CHARS: usize = crate::MAX_TEXT_CHARS;

/// An agent name carrying `marker`: the caller's name kept readable, the marker appended
/// after a space, all within [`AGENT_NAME_MAX_CHARS`]. Agent names need not be unique, so
/// the marker is what lets [`Client::add_agent_exactly_once`] find that one agent again
/// after a lost answer; build the [`NewAgent`] it is given with this name.
///
/// ```
/// use voxkit_core::Marker;
/// let marker = Marker::from_stored("vk0123456789abcd");
/// assert_eq!(voxkit_espai::marked_agent_name("琳琅", &marker), "琳琅 vk0123456789abcd");
/// ```
pub fn marked_agent_name(name: &str, marker: &Marker) -> String {
    marker.with_text(name, AGENT_NAME_MAX_CHARS)
}

/// The marker an agent name carries as its last word, if any (see [`marked_agent_name`]).
fn marker_in_name(name: &str) -> Option<Marker> {
    let word = name.split_whitespace().last()?;
    let ok = word.len() == MARKER_LEN
        && word.starts_with(MARKER_PREFIX)
        && word.as_bytes()[MARKER_PREFIX.len()..]
            .iter()
            .all(|b| MARKER_ALPHABET.contains(b));
    ok.then(|| Marker::from_stored(word))
}

/// An agent as evidence: its id and name, never its `api_key` nor its config (secrets
/// that would end up in the journal).
fn agent_json(agent: &Agent) -> serde_json::Value {
    json!({ "id": agent.id, "name": agent.name })
}

impl Client {
    /// Whether the agent whose name carries `marker` was added: every page of the agent
    /// list read (unfiltered: whether the list's `name` filter is exact or fuzzy is not
    /// documented), and the names holding the marker as a word counted. Exactly one →
    /// [`Verdict::Applied`] (its id and name as evidence); none → [`Verdict::NotApplied`];
    /// two, or a list that cannot be read in full → [`Verdict::Undetermined`]. Only reads.
    pub async fn reconcile_add_agent(&self, marker: &Marker) -> Verdict {
        let agents = match read_in_full("agent list", self.agents(AgentFilter::new())).await {
            Ok(agents) => agents,
            Err(verdict) => return verdict,
        };
        let found: Vec<&Agent> = agents
            .iter()
            .filter(|a| a.name.as_deref().is_some_and(|n| marker.found_in(n)))
            .collect();
        match found.as_slice() {
            [] => Verdict::NotApplied,
            [agent] => Verdict::Applied(agent_json(agent)),
            many => Verdict::Undetermined(format!(
                "{} agents carry the marker {marker} (ids {:?})",
                many.len(),
                many.iter().map(|a| a.id.as_str()).collect::<Vec<_>>()
            )),
        }
    }

    /// [`Client::add_agent`] exactly once. The agent's name must end with a marker
    /// ([`marked_agent_name`]; else [`Error::InvalidInput`], nothing sent); a lost answer
    /// is looked for in the agent list ([`Client::reconcile_add_agent`]) with the bounded
    /// wait of `wait`, and the same agent is sent once more only when no agent carries the
    /// marker. The evidence is the agent's id and name, never its `api_key`: after a
    /// reconciled answer, read the key with [`Client::list_agents`].
    pub async fn add_agent_exactly_once(
        &self,
        agent: &NewAgent,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let Some(marker) = marker_in_name(&agent.name) else {
            return Err(Error::invalid_input(
                ADD_AGENT.origin(),
                "the agent name carries no marker: build it with marked_agent_name",
            ));
        };
        run_exactly_once(
            Some(&marker),
            wait,
            || async {
                let added = self.add_agent(agent).await?;
                Ok(agent_json(&added))
            },
            || self.reconcile_add_agent(&marker),
        )
        .await
    }

    /// Whether deleting the agents `ids` was applied: every id gone from the agent list
    /// (every page) → [`Verdict::Applied`]; every id still listed → [`Verdict::NotApplied`];
    /// some gone and some not, or a list that cannot be read in full →
    /// [`Verdict::Undetermined`]. Only meaningful for ids that were listed when the delete
    /// was sent (an id that never existed is "gone").
    pub async fn reconcile_delete_agents<S: AsRef<str> + Sync>(&self, ids: &[S]) -> Verdict {
        let listing = self.agents(AgentFilter::new()).map_ok(|a| a.id);
        removal_read_back("agent list", "deleted", "agents", ids, listing).await
    }

    /// [`Client::delete_agents`] exactly once: a lost answer is reconciled in the agent
    /// list ([`Client::reconcile_delete_agents`]), re-sent once when every agent is still
    /// there.
    ///
    /// Every id must be in the agent list before anything is sent (else
    /// [`Error::InvalidInput`]): "gone afterwards" proves the delete only for an agent that
    /// was listed before it.
    pub async fn delete_agents_exactly_once<S: AsRef<str> + Sync>(
        &self,
        ids: &[S],
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let origin = DELETE_AGENTS.origin();
        crate::agents::id_array(origin, "agent id", ids)?;
        remove_exactly_once(
            origin,
            "agent",
            wait,
            || async { Ok(self.delete_agents(ids).await?.evidence()) },
            || self.reconcile_delete_agents(ids),
        )
        .await
    }
}
