//! Operations: what one provider call sends, and whether it is safe to repeat.

use std::fmt;

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;

use crate::error::{Error, Origin};

/// Whether sending an operation twice is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Idempotency {
    /// Reads, and writes of an absolute value: retried on any transient failure.
    Repeatable,
    /// Recharge, deduct, transfer, create, destroy: retried only when the request provably
    /// never reached the server; otherwise the caller gets [`Error::OutcomeUnknown`].
    NotRepeatable,
}

impl Idempotency {
    /// `true` for [`Idempotency::Repeatable`].
    pub fn is_repeatable(self) -> bool {
        matches!(self, Idempotency::Repeatable)
    }
}

/// Characters left as they are in a path segment: RFC 3986 unreserved characters.
/// Everything else, `/`, `%`, `?`, `#` and `.` sequences included, is percent-encoded.
pub(crate) const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Characters left as they are in a query value: the unreserved characters, as in a path
/// segment. `&`, `=`, `+`, `#`, spaces and everything else are percent-encoded.
pub(crate) const QUERY_VALUE: &AsciiSet = SEGMENT;

/// Characters left as they are in a query key: the unreserved characters plus `[` and `]`,
/// so that PHP-style array keys go out as the providers document them (`date[]=...`).
pub(crate) const QUERY_KEY: &AsciiSet = &SEGMENT.remove(b'[').remove(b']');

/// A request path built from segments. Literal segments come from the provider crate;
/// [`Path::param`] segments come from the caller and are always percent-encoded, so a
/// caller's value can never change the shape of the path.
#[derive(Clone, PartialEq, Eq)]
pub struct Path {
    encoded: String,
}

impl Path {
    /// An empty path (`/`).
    pub fn root() -> Self {
        Path {
            encoded: String::new(),
        }
    }

    /// A path already encoded by [`Operation::of`] (crate-internal: callers cannot forge
    /// an unencoded path).
    pub(crate) fn encoded(encoded: String) -> Self {
        Path { encoded }
    }

    /// Appends fixed segments written by the provider crate, e.g. `"v3/getBalance"`.
    ///
    /// # Panics
    /// In debug builds, when `literal` holds characters that would need encoding: literals
    /// are code, not input.
    pub fn lit(mut self, literal: &'static str) -> Self {
        for seg in literal.split('/').filter(|s| !s.is_empty()) {
            debug_assert!(
                utf8_percent_encode(seg, SEGMENT).to_string() == seg,
                "path literal {literal:?} needs encoding"
            );
            self.encoded.push('/');
            self.encoded.push_str(seg);
        }
        self
    }

    /// Appends one caller-supplied segment, percent-encoded. Empty values and the dot
    /// segments `.` and `..` (which URL normalisation would resolve) are refused.
    pub fn param(mut self, origin: Origin, value: &str) -> Result<Self, Error> {
        if value.is_empty() || value == "." || value == ".." {
            return Err(Error::invalid_input(
                origin,
                format!("path segment {value:?} is not allowed"),
            ));
        }
        self.encoded.push('/');
        self.encoded
            .extend(utf8_percent_encode(value, SEGMENT).map(|s| s as &str));
        Ok(self)
    }

    /// The encoded path, starting with `/` (or empty for the root).
    pub fn as_str(&self) -> &str {
        &self.encoded
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Path({:?})", self.encoded)
    }
}

/// One provider call: name, method, path, query, body and idempotency.
///
/// Built by the provider crates; the core client sends it, retries it as its
/// [`Idempotency`] allows, and hands the response to the provider's decoder.
#[derive(Clone)]
pub struct Operation {
    pub(crate) name: &'static str,
    pub(crate) method: Method,
    pub(crate) path: Path,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Option<Bytes>,
    pub(crate) idempotency: Idempotency,
}

impl std::fmt::Debug for Operation {
    /// Shows the body's length, never its bytes: bodies can carry passwords.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operation")
            .field("name", &self.name)
            .field("method", &self.method)
            .field("path", &self.path.as_str())
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("body_len", &self.body.as_ref().map_or(0, Bytes::len))
            .field("idempotency", &self.idempotency)
            .finish()
    }
}

impl Operation {
    /// A new operation with no query, headers or body.
    pub fn new(name: &'static str, method: Method, path: Path, idempotency: Idempotency) -> Self {
        Operation {
            name,
            method,
            path,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            idempotency,
        }
    }

    /// Adds a query parameter (encoded when the URL is built). Repeat a key to send an
    /// array: `.query("date[]", "2023-05-08").query("date[]", "2023-05-28")` goes out as
    /// `date[]=2023-05-08&date[]=2023-05-28`; brackets in keys are kept, everything
    /// outside the unreserved characters in values is percent-encoded.
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds a fixed header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Sets a JSON body (and `Content-Type: application/json` unless a content type is set).
    pub fn json<T: Serialize + ?Sized>(mut self, origin: Origin, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            Error::invalid_input(origin, format!("request body cannot be encoded: {e}"))
        })?;
        self.headers
            .entry(reqwest::header::CONTENT_TYPE)
            .or_insert(HeaderValue::from_static("application/json"));
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// Sets a raw body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// The operation's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the operation may be repeated.
    pub fn idempotency(&self) -> Idempotency {
        self.idempotency
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: Origin = Origin::new("test", "op");

    #[test]
    fn debug_shows_the_body_length_not_the_body() {
        let op = Operation::new(
            "op",
            Method::POST,
            Path::root().lit("x"),
            Idempotency::NotRepeatable,
        )
        .json(O, &serde_json::json!({"password": "SENTINEL-PW"}))
        .unwrap();
        let debug = format!("{op:?}");
        assert!(!debug.contains("SENTINEL-PW"), "{debug}");
        assert!(debug.contains("body_len: 26"), "{debug}");
    }

    #[test]
    fn params_are_encoded_and_cannot_escape() {
        let p = Path::root()
            .lit("agent-api/user")
            .param(O, "../admin")
            .unwrap()
            .lit("recharge");
        assert_eq!(p.as_str(), "/agent-api/user/..%2Fadmin/recharge");
        let p = Path::root().param(O, "a b?c#d%2e").unwrap();
        assert_eq!(p.as_str(), "/a%20b%3Fc%23d%252e");
        let p = Path::root().param(O, "用户").unwrap();
        assert_eq!(p.as_str(), "/%E7%94%A8%E6%88%B7");
        for bad in ["", ".", ".."] {
            assert!(matches!(
                Path::root().param(O, bad),
                Err(Error::InvalidInput { .. })
            ));
        }
    }

    #[test]
    fn literals_split_on_slashes() {
        assert_eq!(
            Path::root().lit("/v3/getBalance").as_str(),
            "/v3/getBalance"
        );
        assert_eq!(Path::root().as_str(), "");
    }

    #[test]
    fn json_sets_content_type_once() {
        let op = Operation::new("x", Method::POST, Path::root(), Idempotency::NotRepeatable)
            .header(
                reqwest::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            )
            .json(O, &serde_json::json!({"a": 1}))
            .unwrap();
        assert_eq!(
            op.headers
                .get_all(reqwest::header::CONTENT_TYPE)
                .iter()
                .count(),
            1
        );
        assert_eq!(op.body.as_deref(), Some(&br#"{"a":1}"#[..]));
    }
}
