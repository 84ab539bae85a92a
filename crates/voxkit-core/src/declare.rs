//! Operations declared once, as data.
//!
//! # Why
//!
//! An operation used to live in six places: its call site, the crate's `OPERATIONS`
//! table (kept honest by a test that scanned the client's source text), the money-moving
//! restatements in each `lib.rs`, the fuzz `Payload::of`, the facade's fault matrix and
//! the CLI's list of commands that move money. Each copy could fall behind the others,
//! and a list that falls behind is exactly how a money-moving call ends up retried.
//!
//! Here an operation is one `static` [`OperationSpec`] (the model is smithy-rs, where an
//! operation is a value the orchestrator runs, and object_store's `.idempotent(true)` on
//! the request builder): name, method, path template, [`Idempotency`] and how a lost
//! answer can be [reconciled](Reconciliation). The request is built *from* it
//! ([`Operation::of`]), so the declaration cannot disagree with what is sent. The
//! [`operations!`](crate::operations) macro declares a group's specs and the group's list
//! from the same text; [`operation_list!`](crate::operation_list) joins the groups into
//! the provider's `OPERATIONS` at compile time. Mistakes that a test used to catch are
//! compile errors now: a repeatable operation that claims to need reconciliation, a
//! money-moving one that says nothing about it, a path template with a character that
//! would need encoding, the same name twice, a reconciliation that names a read the
//! provider does not have.
//!
//! The same macro attaches test-only data to each operation under the provider's
//! `test-util` feature — an example call with the documentation's values and the decoder
//! of its answer ([`TestHooks`]) — so the fault matrix, the secret-hygiene suite and the
//! fuzz targets iterate the declarations instead of restating them. A non-repeatable
//! operation also carries the same example through its `*_exactly_once` call and a count
//! of how many times the provider applied it, read back through the client's own reads:
//! the facade's fault matrix and exactly-once suite need nothing else to exercise it, and
//! [`unproven`] names a non-repeatable declaration that lacks them.

use std::future::Future;
use std::pin::Pin;

use percent_encoding::utf8_percent_encode;
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};

use crate::error::{Error, Origin};
use crate::operation::{Idempotency, Operation, Path, SEGMENT};
use crate::reconcile::ExactlyOnceOutcome;
use crate::transport::HttpResponse;

/// How to learn, after an answer was lost, whether one particular request was applied.
///
/// Descriptive data for now: the journal (issue 14) turns each variant into a
/// reconciliation that runs. Every [`Idempotency::NotRepeatable`] operation must say
/// which applies — "we have not thought about it" does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reconciliation {
    /// Repeatable: a lost answer is retried, nothing to find out.
    NotNeeded,
    /// A unique marker travels in a request field and is searched for afterwards.
    ByMarker {
        /// The request field the marker travels in (e.g. `"remark"`, `"taskName"`).
        field: &'static str,
        /// The repeatable operation of the same provider that finds it (e.g.
        /// `"recharge_history"`).
        found_by: &'static str,
    },
    /// The effect is read back: a record after the intent, an object gone or present.
    ByReadBack {
        /// The repeatable operation of the same provider that reads it.
        read: &'static str,
        /// What to look for, in words (e.g. `"the 余额归零 record after the intent"`).
        how: &'static str,
    },
    /// A unique value travels in a request field and the provider refuses a second request
    /// carrying it (answering `conflict`), so the request is its own probe: after a lost
    /// answer the *same* request is sent again, and a refusal as a duplicate proves the
    /// first was applied, while a success means it was not (and now is). Sound only
    /// because the provider applies the value at most once (e.g. a Laaffic voice file's
    /// unique `fileName`, answered `-20` "data exists"); a provider with a read that finds
    /// the value should use [`ByMarker`](Self::ByMarker) instead.
    ByConflict {
        /// The request field holding the unique value (e.g. `"fileName"`).
        field: &'static str,
        /// The provider's answer to a duplicate (e.g. `"-20 data exists"`).
        conflict: &'static str,
    },
    /// No way to tell; a lost answer stays undetermined.
    Impossible {
        /// Why, in words (e.g. `"the registration answer is undocumented"`).
        why: &'static str,
    },
}

impl Reconciliation {
    /// The read operation this reconciliation relies on, if any.
    pub const fn read(&self) -> Option<&'static str> {
        match self {
            Reconciliation::ByMarker { found_by, .. } => Some(found_by),
            Reconciliation::ByReadBack { read, .. } => Some(read),
            Reconciliation::NotNeeded
            | Reconciliation::ByConflict { .. }
            | Reconciliation::Impossible { .. } => None,
        }
    }
}

/// The most `{placeholder}`s a path template may hold.
pub const MAX_PATH_PARAMS: usize = 4;

/// One operation of one provider, declared once (see the [module docs](self)).
///
/// Build it with [`operations!`](crate::operations) (or [`OperationSpec::new`] in a
/// `static`); send it with [`Operation::of`].
#[derive(Debug)]
pub struct OperationSpec {
    /// The provider's short name, as in [`Origin::provider`].
    pub provider: &'static str,
    /// The operation's name, as in errors, traces and the CLI.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template, e.g. `"agent-api/user/{user}/recharge"`: literal segments and
    /// `{name}` placeholders, each a whole segment, filled in order by caller values
    /// (percent-encoded).
    pub path: &'static str,
    /// Whether sending it twice is harmless.
    pub idempotency: Idempotency,
    /// How a lost answer can be reconciled.
    pub reconciliation: Reconciliation,
    /// Headers every request of this operation carries (`(lowercase name, value)`), e.g.
    /// the `Content-Type` a provider's every example sends.
    pub headers: &'static [(&'static str, &'static str)],
    /// The number of placeholders in `path` (computed).
    pub params: usize,
}

impl OperationSpec {
    /// A checked declaration. Meant for `static` items, where every check below is a
    /// compile error rather than a panic:
    ///
    /// - a repeatable operation has [`Reconciliation::NotNeeded`]; a non-repeatable one
    ///   has anything else;
    /// - the path template holds only unreserved characters and `/` outside
    ///   placeholders, each placeholder a whole, named segment, at most
    ///   [`MAX_PATH_PARAMS`] of them;
    /// - header names are lowercase tokens.
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        provider: &'static str,
        name: &'static str,
        method: Method,
        path: &'static str,
        idempotency: Idempotency,
        reconciliation: Reconciliation,
        headers: &'static [(&'static str, &'static str)],
    ) -> Self {
        match (idempotency, reconciliation) {
            (Idempotency::Repeatable, Reconciliation::NotNeeded) => {}
            (Idempotency::Repeatable, _) => {
                panic!("a repeatable operation needs no reconciliation: use NotNeeded")
            }
            (Idempotency::NotRepeatable, Reconciliation::NotNeeded) => panic!(
                "a non-repeatable operation must say how a lost answer is reconciled \
                 (ByMarker, ByReadBack, ByConflict or Impossible)"
            ),
            (Idempotency::NotRepeatable, _) => {}
        }
        assert!(!name.is_empty(), "an operation needs a name");
        let params = check_template(path);
        let mut i = 0;
        while i < headers.len() {
            assert!(
                is_header_name(headers[i].0.as_bytes()),
                "header names are lowercase tokens"
            );
            i += 1;
        }
        OperationSpec {
            provider,
            name,
            method,
            path,
            idempotency,
            reconciliation,
            headers,
            params,
        }
    }

    /// Where errors of this operation say they come from.
    pub const fn origin(&self) -> Origin {
        Origin::new(self.provider, self.name)
    }

    /// Whether the operation moves money or creates or destroys something: sent at most
    /// once when it may have arrived (what the CLI calls "not repeatable").
    pub const fn is_repeatable(&self) -> bool {
        matches!(self.idempotency, Idempotency::Repeatable)
    }
}

/// Counts the placeholders of a path template and refuses, at compile time, anything
/// that would need encoding or that is not a whole-segment placeholder.
const fn check_template(path: &str) -> usize {
    let b = path.as_bytes();
    let mut params = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' {
            assert!(
                i == 0 || b[i - 1] == b'/',
                "a placeholder must be a whole path segment"
            );
            let start = i + 1;
            i = start;
            while i < b.len() && b[i] != b'}' {
                assert!(
                    b[i].is_ascii_alphanumeric() || b[i] == b'_',
                    "placeholder names are letters, digits and `_`"
                );
                i += 1;
            }
            assert!(i < b.len(), "an unclosed placeholder in a path template");
            assert!(i > start, "a placeholder needs a name");
            assert!(
                i + 1 == b.len() || b[i + 1] == b'/',
                "a placeholder must be a whole path segment"
            );
            params += 1;
        } else {
            let c = b[i];
            assert!(
                c.is_ascii_alphanumeric()
                    || c == b'/'
                    || c == b'-'
                    || c == b'_'
                    || c == b'.'
                    || c == b'~',
                "a path template literal holds a character that needs encoding"
            );
        }
        i += 1;
    }
    assert!(
        params <= MAX_PATH_PARAMS,
        "too many placeholders in a path template"
    );
    params
}

const fn is_header_name(b: &[u8]) -> bool {
    if b.is_empty() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_') {
            return false;
        }
        i += 1;
    }
    true
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Checks a provider's whole list at compile time (called by
/// [`operation_list!`](crate::operation_list)): one provider, no name twice, and every
/// reconciliation's read operation listed and repeatable.
pub const fn check_list(list: &[&OperationSpec]) {
    let mut i = 0;
    while i < list.len() {
        assert!(
            same(list[i].provider, list[0].provider),
            "one provider per operation list"
        );
        let mut j = i + 1;
        while j < list.len() {
            assert!(
                !same(list[i].name, list[j].name),
                "an operation name is declared twice"
            );
            j += 1;
        }
        if let Some(read) = list[i].reconciliation.read() {
            let mut found = false;
            let mut k = 0;
            while k < list.len() {
                if same(list[k].name, read) {
                    assert!(
                        list[k].is_repeatable(),
                        "a reconciliation must read with a repeatable operation"
                    );
                    found = true;
                }
                k += 1;
            }
            assert!(
                found,
                "a reconciliation names a read operation that is not in the list"
            );
        }
        i += 1;
    }
}

/// Concatenates slices into one array at compile time: `N` must be the sum of their
/// lengths. Used by [`operation_list!`](crate::operation_list) and
/// [`test_hooks_list!`](crate::test_hooks_list); a list of nothing is refused.
pub const fn concat<T: Copy, const N: usize>(parts: &[&[T]]) -> [T; N] {
    let mut fill = None;
    let mut p = 0;
    let mut total = 0;
    while p < parts.len() {
        if fill.is_none() && !parts[p].is_empty() {
            fill = Some(parts[p][0]);
        }
        total += parts[p].len();
        p += 1;
    }
    assert!(total == N, "the length given is not the sum of the parts");
    let Some(fill) = fill else {
        panic!("an operation list needs at least one operation")
    };
    let mut out = [fill; N];
    let mut at = 0;
    p = 0;
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            out[at] = parts[p][i];
            at += 1;
            i += 1;
        }
        p += 1;
    }
    out
}

/// The future a test hook returns: `()` for an example call, the outcome of an
/// exactly-once call, the count of an applied probe.
pub type BoxFuture<'a, T = ()> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// A test hook that calls the client: [`TestHooks::example`] and the optional ones.
pub type Hook<C, T = ()> = for<'a> fn(&'a C) -> BoxFuture<'a, T>;

/// Test-only data attached to one operation by [`operations!`](crate::operations) under the
/// provider's `test-util` feature: what the fault matrix, the secret-hygiene suite and
/// the fuzz targets need to exercise the operation without naming it.
pub struct TestHooks<C: 'static> {
    /// The operation.
    pub spec: &'static OperationSpec,
    /// Calls the typed client method with the documentation's example values.
    pub example: Hook<C>,
    /// Decodes an answer exactly as the client decodes this operation's answers (the
    /// payload thrown away): `Ok`, or a clean [`Error::Api`] / [`Error::Decode`], never a
    /// panic. The fuzz targets feed it raw bytes.
    pub decode: fn(&HttpResponse) -> Result<(), Error>,
    /// A non-repeatable operation's example (the same values) through its
    /// `*_exactly_once` call, against the sandbox's seeded state. `None` for a repeatable
    /// one. The exactly-once suite runs it under lost answers.
    pub exactly_once: Option<Hook<C, ExactlyOnceOutcome>>,
    /// After the example was sent (plainly or exactly once): how many times the provider
    /// applied it, read back through the client's own read operations against the
    /// sandbox's seeded state. `None` for a repeatable one. The fault matrix and the
    /// exactly-once suite count with it ("applied once, never twice").
    pub applied: Option<Hook<C, usize>>,
}

impl<C> Clone for TestHooks<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for TestHooks<C> {}

impl<C> std::fmt::Debug for TestHooks<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestHooks")
            .field("spec", &self.spec.name)
            .finish_non_exhaustive()
    }
}

impl<C> TestHooks<C> {
    /// Whether the suites can prove this operation exactly-once: repeatable, or declared
    /// with both [`exactly_once`](Self::exactly_once) and [`applied`](Self::applied).
    pub fn is_provable(&self) -> bool {
        self.spec.is_repeatable() || (self.exactly_once.is_some() && self.applied.is_some())
    }

    /// Decodes `body` answered with `status` (an invalid status counts as 200), as the
    /// fuzz targets do.
    pub fn decode_body(&self, status: u16, body: &[u8]) -> Result<(), Error> {
        let response = HttpResponse {
            status: reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::OK),
            headers: reqwest::header::HeaderMap::new(),
            body: bytes::Bytes::copy_from_slice(body),
        };
        (self.decode)(&response)
    }
}

/// The names of the non-repeatable operations of `hooks` declared without an
/// `exactly_once` or an `applied` hook: the facade's suites assert that there are none,
/// so a money-moving operation cannot join the list without its exactly-once proof.
pub fn unproven<C>(hooks: &[TestHooks<C>]) -> Vec<&'static str> {
    hooks
        .iter()
        .filter(|h| !h.is_provable())
        .map(|h| h.spec.name)
        .collect()
}

/// The hooks of `name` in `hooks`, if declared.
pub fn hooks_of<'h, C>(hooks: &'h [TestHooks<C>], name: &str) -> Option<&'h TestHooks<C>> {
    hooks.iter().find(|h| h.spec.name == name)
}

impl Operation {
    /// The request of `spec`, its path template filled in order with `params` (each
    /// percent-encoded and checked like [`Path::param`]) and its declared headers set.
    ///
    /// ```
    /// use voxkit_core::{Idempotency, Operation, OperationSpec, Reconciliation};
    /// use voxkit_core::reqwest::Method;
    ///
    /// static RECHARGE: OperationSpec = OperationSpec::new(
    ///     "toy", "recharge", Method::PUT, "agent-api/user/{user}/recharge",
    ///     Idempotency::NotRepeatable,
    ///     Reconciliation::Impossible { why: "an example" },
    ///     &[("accept", "application/json")],
    /// );
    /// let op = Operation::of(&RECHARGE, &["a/b"])?;
    /// assert_eq!(op.path().as_str(), "/agent-api/user/a%2Fb/recharge");
    /// assert_eq!(op.idempotency(), Idempotency::NotRepeatable);
    /// # Ok::<(), voxkit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (nothing sent) for an empty, `.` or `..` value, or when the
    /// number of values is not the template's (a bug in the provider crate, caught by its
    /// first test of the operation).
    pub fn of(spec: &'static OperationSpec, params: &[&str]) -> Result<Operation, Error> {
        let origin = spec.origin();
        if params.len() != spec.params {
            return Err(Error::invalid_input(
                origin,
                format!(
                    "operation {} takes {} path value(s), {} given",
                    spec.name,
                    spec.params,
                    params.len()
                ),
            ));
        }
        let mut encoded = String::with_capacity(spec.path.len() + 2 + params.len() * 40);
        let mut next = params.iter();
        for seg in spec.path.split('/').filter(|s| !s.is_empty()) {
            encoded.push('/');
            if seg.starts_with('{') {
                // The count was checked above.
                let value = next.next().copied().unwrap_or_default();
                if value.is_empty() || value == "." || value == ".." {
                    return Err(Error::invalid_input(
                        origin,
                        format!("path segment {value:?} is not allowed"),
                    ));
                }
                encoded.extend(utf8_percent_encode(value, SEGMENT));
            } else {
                encoded.push_str(seg);
            }
        }
        let mut op = Operation::new(
            spec.name,
            spec.method.clone(),
            Path::encoded(encoded),
            spec.idempotency,
        );
        for (name, value) in spec.headers {
            op = op.header(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        Ok(op)
    }
}

/// Declares a group of operations: one `static` [`OperationSpec`] each, the group's list,
/// and — under the invoking crate's `test-util` feature — one [`TestHooks`] each and the
/// group's list of them. See the [module docs](crate::declare) for why.
///
/// A group file of a provider crate (here as a doctest, i.e. from outside core):
///
/// ```
/// use voxkit_core::{Error, EnvelopeFormat, ExactlyOnceOutcome, PayloadAt, Success};
/// use serde::de::IgnoredAny;
///
/// const ENVELOPE: EnvelopeFormat = EnvelopeFormat::new(
///     Success::Code(|c| c == "200"), &["code"], &["message"], PayloadAt::Field("data"),
/// );
/// struct Client; // the provider's client
/// impl Client {
///     async fn recharge(&self, _user: &str, _amount: u64) -> Result<(), Error> { Ok(()) }
///     async fn recharge_exactly_once(&self, _user: &str, _amount: u64)
///         -> Result<ExactlyOnceOutcome, Error> { unimplemented!() }
///     async fn history(&self, _user: &str) -> Result<(), Error> { Ok(()) }
///     async fn history_rows(&self, _user: &str, _amount: u64) -> Result<usize, Error> { Ok(0) }
/// }
///
/// mod balance {
///     use super::*;
///     voxkit_core::operations! {
///         provider = "toy";
///         client = Client;
///         headers = [("content-type", "application/json"), ("accept", "application/json")];
///         /// The operations of 系统账单.
///         pub list LIST;
///         /// Their test hooks (feature `test-util`).
///         pub hooks HOOKS;
///
///         /// 外呼充值.
///         pub RECHARGE {
///             name: "recharge",
///             method: PUT,
///             path: "agent-api/user/{user}/recharge",
///             idempotency: NotRepeatable,
///             reconciliation: ByMarker { field: "remark", found_by: "history" },
///             example: |c| c.recharge("5433b412", 100).await,
///             decode: |r| ENVELOPE.decode::<IgnoredAny>(RECHARGE.origin(), r, &[]).map(drop),
///             // Non-repeatable: the same example exactly once, and the count of its
///             // effect read back through the client.
///             exactly_once: |c| c.recharge_exactly_once("5433b412", 100).await,
///             applied: |c| c.history_rows("5433b412", 100).await,
///         }
///
///         /// 充值记录.
///         pub HISTORY {
///             name: "history",
///             method: GET,
///             path: "agent-api/user/{user}/bill_recharge_record",
///             idempotency: Repeatable,
///             reconciliation: NotNeeded,
///             example: |c| c.history("5433b412").await,
///             decode: |r| ENVELOPE.decode::<IgnoredAny>(HISTORY.origin(), r, &[]).map(drop),
///         }
///     }
/// }
///
/// voxkit_core::operation_list! {
///     /// Every operation this crate sends.
///     pub OPERATIONS = [balance::LIST];
/// }
///
/// fn main() -> Result<(), Error> {
///     assert_eq!(OPERATIONS.len(), 2);
///     assert!(!OPERATIONS[0].is_repeatable());
///     let op = voxkit_core::Operation::of(&balance::RECHARGE, &["u1"])?;
///     assert_eq!(op.path().as_str(), "/agent-api/user/u1/recharge");
///     Ok(())
/// }
/// ```
///
/// `reconciliation` is a [`Reconciliation`] written without its path; `method` a
/// `reqwest::Method` constant; `idempotency` an [`Idempotency`] variant. `example`,
/// `decode` and the optional `exactly_once` (returning
/// `Result<ExactlyOnceOutcome, Error>`) and `applied` (`Result<usize, Error>`) are
/// compiled only with the invoking crate's `test-util` feature (or in its unit tests), so
/// they may use test-only code. A non-repeatable operation needs both of the optional
/// ones: [`unproven`] names one without them, and the facade's suites fail on it.
#[macro_export]
macro_rules! operations {
    (
        provider = $provider:expr;
        client = $client:ty;
        headers = [$(($hname:literal, $hvalue:literal)),* $(,)?];
        $(#[$list_meta:meta])*
        $list_vis:vis list $LIST:ident;
        $(#[$hooks_meta:meta])*
        $hooks_vis:vis hooks $HOOKS:ident;
        $(
            $(#[$meta:meta])*
            $vis:vis $SPEC:ident {
                name: $name:literal,
                method: $method:ident,
                path: $path:literal,
                idempotency: $idem:ident,
                reconciliation: $rec:expr,
                example: |$c:ident| $example:expr,
                decode: |$r:ident| $decode:expr
                $(, exactly_once: |$ec:ident| $exactly_once:expr)?
                $(, applied: |$ac:ident| $applied:expr)?
                $(,)?
            }
        )+
    ) => {
        /// The headers every operation of this group sends.
        const __VOXKIT_GROUP_HEADERS: &[(&str, &str)] = &[$(($hname, $hvalue)),*];

        $(
            $(#[$meta])*
            $vis static $SPEC: $crate::OperationSpec = $crate::OperationSpec::new(
                $provider,
                $name,
                $crate::reqwest::Method::$method,
                $path,
                $crate::Idempotency::$idem,
                {
                    #[allow(unused_imports)]
                    use $crate::Reconciliation::*;
                    $rec
                },
                __VOXKIT_GROUP_HEADERS,
            );
        )+

        $(#[$list_meta])*
        $list_vis const $LIST: &[&$crate::OperationSpec] = &[$(&$SPEC),+];

        $(#[$hooks_meta])*
        #[cfg(any(test, feature = "test-util"))]
        $hooks_vis const $HOOKS: &[$crate::TestHooks<$client>] = &[$(
            $crate::TestHooks {
                spec: &$SPEC,
                example: {
                    fn example<'a>($c: &'a $client) -> $crate::declare::BoxFuture<'a> {
                        ::std::boxed::Box::pin(async move { $example })
                    }
                    example
                },
                decode: {
                    fn decode(
                        $r: &$crate::HttpResponse,
                    ) -> ::std::result::Result<(), $crate::Error> {
                        $decode
                    }
                    decode
                },
                exactly_once: $crate::__optional_hook!($({
                    fn exactly_once<'a>(
                        $ec: &'a $client,
                    ) -> $crate::declare::BoxFuture<'a, $crate::ExactlyOnceOutcome> {
                        ::std::boxed::Box::pin(async move { $exactly_once })
                    }
                    exactly_once
                })?),
                applied: $crate::__optional_hook!($({
                    fn applied<'a>($ac: &'a $client) -> $crate::declare::BoxFuture<'a, usize> {
                        ::std::boxed::Box::pin(async move { $applied })
                    }
                    applied
                })?),
            }
        ),+];
    };
}

/// `Some` of the hook given to [`operations!`], or `None`. Not part of the API.
#[doc(hidden)]
#[macro_export]
macro_rules! __optional_hook {
    () => {
        ::std::option::Option::None
    };
    ($hook:expr) => {
        ::std::option::Option::Some($hook)
    };
}

/// Defines a crate-local macro that calls [`operations!`] with what every group of the
/// crate shares — provider, client, headers, and the names of each group's lists —
/// stated once, so a provider needs no hand-written wrapper (each had one, and each
/// restated the same six lines). The defined macro takes only the operations.
///
/// After `macro name;` come the header lines of [`operations!`] (provider, client,
/// headers, list, hooks), handed to it as they are written; a mistake in them is reported
/// where the defined macro is used.
///
/// Invoke it at the crate root before the group modules (a `macro_rules!` is visible
/// below its definition):
///
/// ```
/// use voxkit_core::{Error, EnvelopeFormat, PayloadAt, Success};
/// use serde::de::IgnoredAny;
///
/// const ENVELOPE: EnvelopeFormat = EnvelopeFormat::new(
///     Success::Code(|c| c == "200"), &["code"], &["message"], PayloadAt::Field("data"),
/// );
/// const PROVIDER: &str = "toy";
/// struct Client; // the provider's client
/// impl Client {
///     async fn history(&self, _user: &str) -> Result<(), Error> { Ok(()) }
/// }
///
/// voxkit_core::crate_operations! {
///     /// Declares one operation group of this crate.
///     macro group;
///     provider = crate::PROVIDER;
///     client = crate::Client;
///     headers = [("accept", "application/json")];
///     /// This group's operations.
///     pub(crate) list LIST;
///     /// Their test hooks.
///     pub(crate) hooks HOOKS;
/// }
///
/// mod balance {
///     use super::*;
///     group! {
///         /// 充值记录.
///         pub HISTORY {
///             name: "history",
///             method: GET,
///             path: "agent-api/user/{user}/bill_recharge_record",
///             idempotency: Repeatable,
///             reconciliation: NotNeeded,
///             example: |c| c.history("5433b412").await,
///             decode: |r| ENVELOPE.decode::<IgnoredAny>(HISTORY.origin(), r, &[]).map(drop),
///         }
///     }
/// }
///
/// fn main() -> Result<(), Error> {
///     assert_eq!(balance::LIST.len(), 1);
///     assert_eq!(balance::HISTORY.provider, "toy");
///     assert_eq!(balance::HISTORY.headers, &[("accept", "application/json")]);
///     let op = voxkit_core::Operation::of(&balance::HISTORY, &["u1"])?;
///     assert_eq!(op.path().as_str(), "/agent-api/user/u1/bill_recharge_record");
///     Ok(())
/// }
/// ```
#[macro_export]
macro_rules! crate_operations {
    (
        $(#[$macro_meta:meta])*
        macro $macro:ident;
        $($header:tt)+
    ) => {
        $crate::__crate_operations! {
            ($)
            [$(#[$macro_meta])*] $macro;
            $($header)+
        }
    };
}

/// The body of [`crate_operations!`]: it receives `$` as a token so that the macro it
/// defines can have repetitions of its own. Not part of the API.
#[doc(hidden)]
#[macro_export]
macro_rules! __crate_operations {
    (
        ($d:tt)
        [$($macro_attr:tt)*] $macro:ident;
        $($header:tt)+
    ) => {
        $($macro_attr)*
        macro_rules! $macro {
            ($d($d operations:tt)+) => {
                $crate::operations! {
                    $($header)+
                    $d($d operations)+
                }
            };
        }
    };
}

/// Joins groups' lists (from [`operations!`]) into a provider's list, checked at compile
/// time by [`check_list`]:
///
/// ```text
/// voxkit_core::operation_list! {
///     /// Every operation this crate sends.
///     pub OPERATIONS = [balance::LIST, users::LIST, sub_accounts::LIST];
/// }
/// ```
///
/// (A runnable example is at [`operations!`].)
#[macro_export]
macro_rules! operation_list {
    ($(#[$meta:meta])* $vis:vis $NAME:ident = [$($part:path),+ $(,)?];) => {
        $(#[$meta])*
        $vis const $NAME: &[&$crate::OperationSpec] =
            &$crate::declare::concat::<&$crate::OperationSpec, { 0 $(+ $part.len())+ }>(
                &[$($part),+],
            );
        const _: () = $crate::declare::check_list($NAME);
    };
}

/// Joins groups' [`TestHooks`] lists (from [`operations!`]) into the provider's list; put
/// it under the same `cfg` as the lists (`#[cfg(any(test, feature = "test-util"))]`).
#[macro_export]
macro_rules! test_hooks_list {
    ($(#[$meta:meta])* $vis:vis $NAME:ident: $client:ty = [$($part:path),+ $(,)?];) => {
        $(#[$meta])*
        $vis const $NAME: &[$crate::TestHooks<$client>] =
            &$crate::declare::concat::<$crate::TestHooks<$client>, { 0 $(+ $part.len())+ }>(
                &[$($part),+],
            );
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    static READ: OperationSpec = OperationSpec::new(
        "t",
        "read",
        Method::GET,
        "v1/{a}/x/{b}",
        Idempotency::Repeatable,
        Reconciliation::NotNeeded,
        &[("accept", "application/json")],
    );

    #[test]
    fn templates_are_filled_in_order_and_encoded() {
        assert_eq!(READ.params, 2);
        let op = Operation::of(&READ, &["a b", "../c"]).unwrap();
        assert_eq!(op.path().as_str(), "/v1/a%20b/x/..%2Fc");
        assert_eq!(op.method(), Method::GET);
        assert_eq!(op.headers.get("accept").unwrap(), "application/json");
        assert_eq!(op.name(), "read");
        for bad in [
            &["", "x"][..],
            &[".", "x"],
            &["..", "x"],
            &["x"],
            &["x", "y", "z"],
        ] {
            let err = Operation::of(&READ, bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{bad:?}");
        }
    }

    #[test]
    fn templates_are_counted() {
        assert_eq!(check_template("agent-api/token"), 0);
        assert_eq!(check_template("/users/{id}"), 1);
        assert_eq!(check_template("{a}/{b}/{c}"), 3);
    }

    #[test]
    fn bad_templates_and_pairs_are_refused() {
        // In a `static` these panics are compile errors; here they are caught at run time.
        for bad in [
            "a/{b", "a/x{b}", "a/{b}x", "a/{}", "a b", "a/{b-c}", "a?b", "a%2F",
        ] {
            assert!(
                std::panic::catch_unwind(|| check_template(bad)).is_err(),
                "{bad}"
            );
        }
        let no_headers: &'static [(&'static str, &'static str)] = &[];
        for (what, method, idempotency, reconciliation, headers) in [
            (
                "repeatable with a marker",
                Method::GET,
                Idempotency::Repeatable,
                Reconciliation::Impossible { why: "" },
                no_headers,
            ),
            (
                "money without reconciliation",
                Method::PUT,
                Idempotency::NotRepeatable,
                Reconciliation::NotNeeded,
                no_headers,
            ),
            (
                "a header voxkit sets",
                Method::GET,
                Idempotency::Repeatable,
                Reconciliation::NotNeeded,
                &[("Content-Type", "x")],
            ),
        ] {
            let declared = std::panic::catch_unwind(|| {
                OperationSpec::new("t", "x", method, "x", idempotency, reconciliation, headers)
            });
            assert!(declared.is_err(), "{what}");
        }
    }

    static WRITE: OperationSpec = OperationSpec::new(
        "t",
        "write",
        Method::POST,
        "v1/write",
        Idempotency::NotRepeatable,
        Reconciliation::ByReadBack {
            read: "read",
            how: "the row is there",
        },
        &[],
    );
    static LOST: OperationSpec = OperationSpec::new(
        "t",
        "lost",
        Method::POST,
        "v1/lost",
        Idempotency::NotRepeatable,
        Reconciliation::ByMarker {
            field: "remark",
            found_by: "write",
        },
        &[],
    );
    static OTHER: OperationSpec = OperationSpec::new(
        "u",
        "other",
        Method::GET,
        "v1/other",
        Idempotency::Repeatable,
        Reconciliation::NotNeeded,
        &[],
    );

    #[test]
    fn lists_are_checked() {
        check_list(&[&READ, &WRITE]);
        for bad in [
            vec![&READ, &WRITE, &READ], // twice
            vec![&WRITE],               // its read is missing
            vec![&READ, &WRITE, &LOST], // found by a non-repeatable operation
            vec![&READ, &OTHER],        // two providers
        ] {
            let names: Vec<_> = bad.iter().map(|s| s.name).collect();
            assert!(
                std::panic::catch_unwind(|| check_list(&bad)).is_err(),
                "{names:?}"
            );
        }
    }

    #[test]
    fn concat_joins_in_order() {
        const A: &[u8] = &[1, 2];
        const B: &[u8] = &[];
        const C: &[u8] = &[3];
        const ALL: [u8; 3] = concat::<u8, 3>(&[A, B, C]);
        assert_eq!(ALL, [1, 2, 3]);
        assert!(std::panic::catch_unwind(|| concat::<u8, 2>(&[A, C])).is_err());
        assert!(std::panic::catch_unwind(|| concat::<u8, 0>(&[B])).is_err());
    }

    /// A group declared through the macro, as a provider crate does: one non-repeatable
    /// operation with both exactly-once hooks, one without, one repeatable.
    mod hooked {
        use crate::{Error, ExactlyOnceOutcome};

        /// A client whose read-back counts `.0` applications.
        pub struct Toy(pub usize);

        impl Toy {
            async fn send(&self) -> Result<(), Error> {
                Ok(())
            }
        }

        crate::operations! {
            provider = "toy";
            client = Toy;
            headers = [];
            pub list LIST;
            pub hooks HOOKS;

            pub PAY {
                name: "pay",
                method: POST,
                path: "pay",
                idempotency: NotRepeatable,
                reconciliation: Impossible { why: "a test" },
                example: |c| c.send().await,
                decode: |r| r.status.is_success().then_some(()).ok_or_else(|| unreachable!()),
                exactly_once: |c| c.send().await.map(|()| ExactlyOnceOutcome::NotApplied { marker: None }),
                applied: |c| Ok(c.0),
            }

            pub REFUND {
                name: "refund",
                method: POST,
                path: "refund",
                idempotency: NotRepeatable,
                reconciliation: Impossible { why: "a test" },
                example: |c| c.send().await,
                decode: |r| r.status.is_success().then_some(()).ok_or_else(|| unreachable!()),
                applied: |c| Ok(c.0),
            }

            pub READ {
                name: "read",
                method: GET,
                path: "read",
                idempotency: Repeatable,
                reconciliation: NotNeeded,
                example: |c| c.send().await,
                decode: |r| r.status.is_success().then_some(()).ok_or_else(|| unreachable!()),
            }
        }
    }

    #[tokio::test]
    async fn the_exactly_once_hooks_are_declared_and_checked() {
        use hooked::{HOOKS, LIST, Toy};
        assert_eq!(LIST.len(), 3);
        let [pay, refund, read] = HOOKS else {
            panic!("three hooks")
        };
        // `refund` has `applied` but no `exactly_once`: unprovable, so named.
        assert_eq!(unproven(HOOKS), ["refund"]);
        assert!(pay.is_provable() && read.is_provable() && !refund.is_provable());
        assert!(read.exactly_once.is_none() && read.applied.is_none());
        assert!(refund.exactly_once.is_none());
        let toy = Toy(3);
        let outcome = (pay.exactly_once.expect("declared"))(&toy).await;
        assert_eq!(
            outcome.expect("ran"),
            ExactlyOnceOutcome::NotApplied { marker: None }
        );
        assert_eq!(
            (pay.applied.expect("declared"))(&toy).await.expect("ran"),
            3
        );
        assert_eq!(
            (refund.applied.expect("declared"))(&toy)
                .await
                .expect("ran"),
            3
        );
        (pay.example)(&toy).await.expect("the example");
    }
}
