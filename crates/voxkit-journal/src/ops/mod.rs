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
//! none of that is written again per operation. The operations here are each one
//! `declared!` invocation (a macro of this module): the request's fields with how the journal
//! keeps each (one codec per field type, written once), its serial key, send and reconcile.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use voxkit_core::{OperationSpec, Origin, Reconciliation};

use crate::{Evidence, ExactlyOnce, Identity, Intent, Marker, Verdict};

/// Declares a provider module's [`Provider`]: the unit type its operations name, with its
/// client, its name in the journal and its declarations.
macro_rules! provider {
    ($(#[$meta:meta])* $Provider:ident: $Client:ty, $name:expr, $declarations:expr) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $Provider;

        impl $crate::ops::Provider for $Provider {
            type Client = $Client;
            const NAME: &'static str = $name;
            const DECLARATIONS: &'static [&'static ::voxkit_core::OperationSpec] = $declarations;
        }
    };
}

/// Declares one operation: its request struct, each field with how the journal keeps it,
/// and its [`Declared`] impl, so that the request JSON and its reading back are written once
/// (from the same field list, in its order) and each operation states only what is its own.
///
/// ```text
/// declared! {
///     /// docs, derives
///     pub struct DeleteTaskRequest for Longlonglong {
///         /// docs
///         pub user: UserId => "user",          // journaled under "user" (see `Journaled`)
///         pub password: Option<SecretString> => memory_only,   // never journaled
///         pub change: NumberChange => operation,  // chosen by the operation's name
///     }
///     names: ["delete_task"],                  // or [change: NumberChange::Add => "add_numbers", ...]
///     read_back: |r| "what `missing` says",   // optional: a read-back operation
///     serial: |r| serial(&r.user),
///     check: |r| ...,                          // optional: the checks before journaling
///     send: |r, client, marker| ...,           // async: `.await` allowed
///     reconcile: |r, client, marker, since| ...,
/// }
/// ```
///
/// A `memory_only` field comes back from the journal as its `Default` (a secret the journal
/// does not keep); an `operation` field is the variant `names` pairs with the intent's
/// operation. The `|r, ...|` are not closures: `r` is the request, the others the
/// parameters of the method they stand for.
macro_rules! declared {
    (
        $(#[$meta:meta])*
        $vis:vis struct $Request:ident for $Provider:ty {
            $(
                $(#[$field_meta:meta])*
                $field_vis:vis $field:ident: $Field:ty => $how:tt
            ),+ $(,)?
        }
        names: $names:tt,
        $(read_back: |$missing_r:pat_param| $missing:expr,)?
        serial: |$serial_r:pat_param| $serial:expr,
        $(check: |$check_r:pat_param| $check:expr,)?
        send: |$send_r:pat_param, $client:pat_param, $marker:pat_param| $send:expr,
        reconcile: |$reconcile_r:pat_param, $reconcile_client:pat_param,
            $reconcile_marker:pat_param, $since:pat_param| $reconcile:expr $(,)?
    ) => {
        $(#[$meta])*
        $vis struct $Request {
            $( $(#[$field_meta])* $field_vis $field: $Field, )+
        }

        #[::async_trait::async_trait]
        impl $crate::ops::Declared for $Request {
            type Provider = $Provider;
            const NAMES: &'static [&'static str] = declared!(@names $names);
            $(
                const READ_BACK: bool = true;

                fn missing(&self) -> &'static str {
                    let $missing_r = self;
                    $missing
                }
            )?

            declared!(@name $names);

            fn serial(&self) -> String {
                let $serial_r = self;
                $serial
            }

            fn request(&self) -> ::serde_json::Value {
                let this = self;
                let mut request = ::serde_json::Map::new();
                $( declared!(@write this request $field; $how); )+
                ::serde_json::Value::Object(request)
            }

            fn from_request(
                name: &str,
                request: &::serde_json::Value,
                secrets: &[String],
            ) -> Option<Self> {
                #[allow(unused_variables)]
                let selected = declared!(@select name $names);
                Some($Request {
                    $( $field: declared!(@read request secrets selected; $how), )+
                })
            }

            fn secrets(&self) -> Vec<String> {
                let this = self;
                let mut secrets = Vec::new();
                $( declared!(@secrets this secrets $field; $how); )+
                secrets
            }

            $(
                fn check(&self) -> Result<(), ::voxkit_core::Error> {
                    let $check_r = self;
                    $check
                }
            )?

            async fn send(
                &self,
                $client: &$crate::ops::ClientOf<Self>,
                $marker: &$crate::Marker,
            ) -> Result<$crate::Evidence, ::voxkit_core::Error> {
                let $send_r = self;
                $send
            }

            async fn reconcile(
                &self,
                $reconcile_client: &$crate::ops::ClientOf<Self>,
                $reconcile_marker: &$crate::Marker,
                $since: ::chrono::DateTime<::chrono::Utc>,
            ) -> $crate::Verdict {
                let $reconcile_r = self;
                $reconcile
            }
        }
    };

    // The declaration names: one per variant of the `operation` field, or one.
    (@names [$select:ident: $($variant:path => $name:literal),+ $(,)?]) => { &[$($name),+] };
    (@names [$name:expr]) => { &[$name] };
    (@name [$select:ident: $($variant:path => $name:literal),+ $(,)?]) => {
        fn name(&self) -> &'static str {
            match self.$select {
                $($variant => $name,)+
            }
        }
    };
    (@name [$name:expr]) => {};
    (@select $op:ident [$select:ident: $($variant:path => $name:literal),+ $(,)?]) => {
        match $op {
            $($name => $variant,)+
            _ => return None,
        }
    };
    (@select $op:ident [$name:expr]) => { $op };

    // One field: written, read back, its secrets.
    (@write $this:ident $request:ident $field:ident; $key:literal) => {
        $crate::ops::Journaled::write(&$this.$field, $key, &mut $request)
    };
    (@write $this:ident $request:ident $field:ident; $other:ident) => {};
    (@read $request:ident $secrets:ident $selected:ident; $key:literal) => {
        $crate::ops::Journaled::read($request, $key, $secrets)?
    };
    (@read $request:ident $secrets:ident $selected:ident; operation) => { $selected };
    (@read $request:ident $secrets:ident $selected:ident; memory_only) => {
        ::core::default::Default::default()
    };
    (@secrets $this:ident $secrets:ident $field:ident; $key:literal) => {
        $crate::ops::Journaled::secrets(&$this.$field, &mut $secrets)
    };
    (@secrets $this:ident $secrets:ident $field:ident; $other:ident) => {};
}

#[cfg(feature = "espai")]
pub mod espai;
#[cfg(all(
    test,
    any(feature = "longlonglong", feature = "espai", feature = "laaffic")
))]
mod golden;
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

/// How a field of a [`declared!`] request is kept in the journal's request JSON: written
/// under its key, read back (with the secrets the caller knows), and the secrets it holds.
/// What an impl writes is what journals hold: once shipped, it must not change.
pub(crate) trait Journaled: Sized {
    /// Writes the field under `key` (a few write several entries named after `key`: see
    /// their impl).
    fn write(&self, key: &'static str, request: &mut Map<String, Value>);

    /// The field of a journaled request: `None` when it is missing or malformed, or its
    /// secret is not among `secrets`.
    fn read(request: &Value, key: &'static str, secrets: &[String]) -> Option<Self>;

    /// Adds the secrets the field holds (kept in memory, fingerprinted in the journal).
    fn secrets(&self, _secrets: &mut Vec<String>) {}
}

/// A text.
impl Journaled for String {
    fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
        request.insert(key.into(), json!(self));
    }

    fn read(request: &Value, key: &'static str, _: &[String]) -> Option<Self> {
        text(request, key)
    }
}

/// An optional text (a remark): `null` when absent; absent, `null` and blank read back as
/// `None`.
impl Journaled for Option<String> {
    fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
        request.insert(key.into(), json!(self));
    }

    fn read(request: &Value, key: &'static str, _: &[String]) -> Option<Self> {
        let text = match request.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => Some(value.as_str()?.to_owned()),
        };
        Some(text.filter(|t| !t.trim().is_empty()))
    }
}

/// A list of texts.
impl Journaled for Vec<String> {
    fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
        request.insert(key.into(), json!(self));
    }

    fn read(request: &Value, key: &'static str, _: &[String]) -> Option<Self> {
        request
            .get(key)?
            .as_array()?
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect()
    }
}

/// A number.
impl Journaled for u64 {
    fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
        request.insert(key.into(), json!(self));
    }

    fn read(request: &Value, key: &'static str, _: &[String]) -> Option<Self> {
        request.get(key)?.as_u64()
    }
}

/// A flag.
impl Journaled for bool {
    fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
        request.insert(key.into(), json!(self));
    }

    fn read(request: &Value, key: &'static str, _: &[String]) -> Option<Self> {
        request.get(key)?.as_bool()
    }
}

/// A text field of a journaled request.
fn text(request: &Value, field: &str) -> Option<String> {
    request.get(field)?.as_str().map(str::to_owned)
}

/// An intent holding `identity`, as the journal would hand it back (unit tests).
#[cfg(test)]
pub(crate) fn intent_of(identity: &Identity) -> Intent {
    let new = identity
        .clone()
        .journaled("k".into(), "vk0123456789abcd".into());
    Intent {
        state: crate::State::Sent,
        attempts: 1,
        ..Intent::pending(1, new, DateTime::<Utc>::from(std::time::SystemTime::now()))
    }
}

/// [`assert_round_trip`] of `request` with `client`, rebuilt without any secret (unit tests
/// of the operations that hold none).
#[cfg(test)]
pub(crate) fn assert_request_round_trip<D: Declared>(
    client: &Arc<ClientOf<D>>,
    request: D,
) -> Identity {
    assert_round_trip(&Op::of(Arc::clone(client), request), &[])
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
