//! Ready-made [`ExactlyOnce`] implementations of the providers' non-repeatable operations,
//! each behind its provider's feature (`longlonglong`, `espai`, `laaffic`), so that a
//! one-provider user compiles only the provider crate they use.
//!
//! # One declaration per operation
//!
//! Every operation here is a request type implementing [`Declared`]: its provider and
//! declaration name, its serial key, its request as the journal stores it (and back), its
//! send and its reconciliation. [`Op`] turns any of them into an [`ExactlyOnce`] for the
//! [`Runner`](crate::Runner) (identity, the declaration's [`Reconciliation`], the read-back
//! check before sending), and [`Op::from_intent`] rebuilds one from a journaled intent, so
//! none of that is written again per operation.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;
use voxkit_core::{OperationSpec, Origin, Reconciliation};

use crate::{Evidence, ExactlyOnce, Identity, Intent, Marker, Verdict};

#[cfg(feature = "espai")]
pub mod espai;
#[cfg(feature = "laaffic")]
pub mod laaffic;
#[cfg(feature = "longlonglong")]
pub mod longlonglong;

/// A provider, as its operations' [`Declared`] impls name it: its client, its name in the
/// journal and its declarations (one unit type per provider module).
pub trait Provider: Send + Sync + 'static {
    /// The provider's client the operations are sent with.
    type Client: Send + Sync + 'static;

    /// The provider's name in the journal (`longlonglong`, `espai`, `laaffic`).
    const NAME: &'static str;

    /// The provider's declarations (its `OPERATIONS`), where an operation's
    /// [`Reconciliation`] is looked up, so that the journal follows the declaration.
    const DECLARATIONS: &'static [&'static OperationSpec];
}

/// The client `D` is sent with.
pub type ClientOf<D> = <<D as Declared>::Provider as Provider>::Client;

/// One non-repeatable operation's request, declared once: everything the runner needs to
/// apply it exactly once, minus the client (which [`Op`] holds).
///
/// Implement it by following [`ExactlyOnce`]'s guide; [`Op`] does the rest. The request
/// JSON ([`request`](Self::request)) is what the journal keeps, so once an operation has
/// shipped it must keep reading what it wrote ([`from_request`](Self::from_request)): a
/// journal written by an older voxkit must still resume.
#[async_trait::async_trait]
pub trait Declared: std::fmt::Debug + Clone + Send + Sync + 'static {
    /// The provider (its client, name and declarations).
    type Provider: Provider;

    /// The declaration names this type stands for (one, or e.g. `recharge` and `deduct`).
    const NAMES: &'static [&'static str];

    /// Whether the operation is reconciled by reading back what it changes (a delete, an
    /// unbind: "gone afterwards"). Such a read proves the change only for something that was
    /// there before, so [`Op`] reads first and sends nothing unless the read says
    /// [`Verdict::NotApplied`].
    const READ_BACK: bool = false;

    /// What a read-back operation's refusal says when its read finds nothing to change.
    fn missing(&self) -> &'static str {
        "what this operation changes is not there (it never existed or the change is already made)"
    }

    /// This request's declaration name (one of [`NAMES`](Self::NAMES)).
    fn name(&self) -> &'static str {
        Self::NAMES[0]
    }

    /// The serial key: the account, card or app whose history reconciliation searches (see
    /// [`ExactlyOnce`]'s guide).
    fn serial(&self) -> String;

    /// The request as the journal keeps it: never a credential (only a fingerprint of one).
    fn request(&self) -> Value;

    /// The request of a journaled intent of operation `name`, or `None` when it is
    /// malformed or needs a secret (`secrets`: the ones the caller knows) that is not there.
    fn from_request(name: &str, request: &Value, secrets: &[String]) -> Option<Self>;

    /// The secrets the request holds (kept in memory, fingerprinted in the journal): what a
    /// caller gives [`from_request`](Self::from_request) back to rebuild other intents.
    fn secrets(&self) -> Vec<String> {
        Vec::new()
    }

    /// Refuses invalid input before anything is journaled (the client's own checks).
    fn check(&self) -> Result<(), voxkit_core::Error> {
        Ok(())
    }

    /// Sends the request once, carrying `marker` where it has a field for it.
    async fn send(
        &self,
        client: &ClientOf<Self>,
        marker: &Marker,
    ) -> Result<Evidence, voxkit_core::Error>;

    /// Looks for the request in the provider's history (only reads).
    async fn reconcile(
        &self,
        client: &ClientOf<Self>,
        marker: &Marker,
        since: DateTime<Utc>,
    ) -> Verdict;
}

/// A [`Declared`] request with its client: the [`ExactlyOnce`] operation the runner drives.
pub struct Op<D: Declared> {
    client: Arc<ClientOf<D>>,
    request: D,
}

impl<D: Declared> Clone for Op<D> {
    fn clone(&self) -> Self {
        Op {
            client: Arc::clone(&self.client),
            request: self.request.clone(),
        }
    }
}

impl<D: Declared> std::fmt::Debug for Op<D> {
    /// The request's own `Debug` (which leaves its secrets out), never the client's.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.request.fmt(f)
    }
}

impl<D: Declared> Op<D> {
    /// `request`, sent with `client`.
    pub fn of(client: Arc<ClientOf<D>>, request: D) -> Self {
        Op { client, request }
    }

    /// The request.
    pub fn request(&self) -> &D {
        &self.request
    }

    /// Rebuilds the operation of a journaled intent (for [`crate::Resolve`]): `None` when
    /// the intent is another operation, its request is malformed, or it needs a secret that
    /// is not among `secrets`.
    pub fn from_intent(
        client: Arc<ClientOf<D>>,
        intent: &Intent,
        secrets: &[String],
    ) -> Option<Self> {
        if intent.provider != D::Provider::NAME || !D::NAMES.contains(&intent.operation.as_str()) {
            return None;
        }
        D::from_request(&intent.operation, &intent.request, secrets)
            .map(|request| Self::of(client, request))
    }
}

/// [`Op::from_intent`] as a trait object.
pub fn resolve<D: Declared>(
    client: &Arc<ClientOf<D>>,
    intent: &Intent,
    secrets: &[String],
) -> Option<Arc<dyn ExactlyOnce>> {
    Op::<D>::from_intent(Arc::clone(client), intent, secrets)
        .map(|op| Arc::new(op) as Arc<dyn ExactlyOnce>)
}

/// The declaration's [`Reconciliation`] of operation `name` of `list`.
fn declared(list: &[&OperationSpec], name: &str) -> Reconciliation {
    list.iter().find(|spec| spec.name == name).map_or(
        Reconciliation::Impossible {
            why: "the operation is not declared by its provider crate",
        },
        |spec| spec.reconciliation,
    )
}

#[async_trait::async_trait]
impl<D: Declared> ExactlyOnce for Op<D> {
    fn identity(&self) -> Identity {
        Identity {
            provider: D::Provider::NAME.to_owned(),
            operation: self.request.name().to_owned(),
            serial: self.request.serial(),
            request: self.request.request(),
        }
    }

    fn reconciliation(&self) -> Reconciliation {
        declared(D::Provider::DECLARATIONS, self.request.name())
    }

    fn check(&self) -> Result<(), voxkit_core::Error> {
        self.request.check()
    }

    /// For a read-back operation, reads first (nothing is sent unless it says "not
    /// applied"); then sends.
    async fn send(&self, marker: &Marker) -> Result<Evidence, voxkit_core::Error> {
        if D::READ_BACK {
            let now = DateTime::<Utc>::from(std::time::SystemTime::now());
            let before = self.request.reconcile(&self.client, marker, now).await;
            let origin = Origin::new(D::Provider::NAME, self.request.name());
            there_before(origin, self.request.missing(), before)?;
        }
        self.request.send(&self.client, marker).await
    }

    async fn reconcile(&self, marker: &Marker, since: DateTime<Utc>) -> Verdict {
        self.request.reconcile(&self.client, marker, since).await
    }
}

/// The check before a read-back operation is sent: its read (`before`) must say "not
/// applied", i.e. what it removes is there now; else nothing is sent.
fn there_before(origin: Origin, missing: &str, before: Verdict) -> Result<(), voxkit_core::Error> {
    match before {
        Verdict::NotApplied => Ok(()),
        Verdict::Applied(_) => Err(voxkit_core::Error::invalid_input(
            origin,
            format!("{missing}, so its outcome could not be reconciled; nothing was sent"),
        )),
        Verdict::Undetermined(why) => Err(voxkit_core::Error::invalid_input(
            origin,
            format!(
                "the read before sending could not confirm what this operation changes \
                 ({why}); nothing was sent"
            ),
        )),
    }
}

/// A text field of a journaled request.
#[allow(dead_code)]
fn text(request: &Value, field: &str) -> Option<String> {
    request.get(field)?.as_str().map(str::to_owned)
}

/// An optional text field of a journaled request (absent and `null` are `None`).
#[allow(dead_code)]
fn optional_text(request: &Value, field: &str) -> Option<Option<String>> {
    match request.get(field) {
        None | Some(Value::Null) => Some(None),
        Some(value) => value.as_str().map(|s| Some(s.to_owned())),
    }
}

/// A list-of-texts field of a journaled request.
#[allow(dead_code)]
fn texts(request: &Value, field: &str) -> Option<Vec<String>> {
    request
        .get(field)?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// A number field of a journaled request.
#[allow(dead_code)]
fn number(request: &Value, field: &str) -> Option<u64> {
    request.get(field)?.as_u64()
}

/// An intent holding `identity`, as the journal would hand it back (unit tests).
#[cfg(test)]
pub(crate) fn intent_of(identity: &Identity) -> Intent {
    Intent {
        seq: 1,
        key: "k".into(),
        provider: identity.provider.clone(),
        operation: identity.operation.clone(),
        request: identity.request.clone(),
        serial: identity.serial.clone(),
        marker: "vk0123456789abcd".into(),
        state: crate::State::Sent,
        attempts: 1,
        created_at: DateTime::<Utc>::from(std::time::SystemTime::now()),
        sent_at: None,
        finished_at: None,
        owner: None,
        lease_until: None,
        evidence: None,
        error: None,
    }
}

/// Checks that `op` is rebuilt from its own journaled intent with the same identity, and that
/// it declares a reconciliation (unit tests of every operation).
#[cfg(test)]
pub(crate) fn assert_round_trip<D: Declared>(op: &Op<D>, secrets: &[String]) -> Identity {
    let identity = op.identity();
    assert!(
        !matches!(
            op.reconciliation(),
            Reconciliation::NotNeeded | Reconciliation::Impossible { .. }
        ),
        "{identity:?}: reconcilable"
    );
    let intent = intent_of(&identity);
    let rebuilt = Op::<D>::from_intent(Arc::clone(&op.client), &intent, secrets)
        .unwrap_or_else(|| panic!("{identity:?} is rebuilt from its intent"));
    assert_eq!(rebuilt.identity(), identity);
    let mut other = intent;
    other.operation = "not_an_operation".into();
    assert!(Op::<D>::from_intent(Arc::clone(&op.client), &other, secrets).is_none());
    identity
}
