//! The one reader of request input, for all three providers: a JSON body's object, its
//! fields read leniently (a number sent as a string or the reverse, as the providers
//! accept), query-string pairs, and page numbers. Each provider turns "absent" or
//! "unreadable" into its own refusal, in its own envelope.

use std::str::FromStr;

use axum::http::HeaderMap;
use serde_json::{Map, Value};

/// A JSON object, as a request body holds it.
pub(crate) type Object = Map<String, Value>;

/// The JSON object of a body; `None` if the body is not one.
pub(crate) fn object(body: &[u8]) -> Option<Object> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// A field sent as a string, as sent (possibly empty); a number is not text here.
pub(crate) fn text<'a>(map: &'a Object, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

/// A field sent as non-blank text (as sent, untrimmed) or as a number (in its JSON form).
pub(crate) fn lenient(map: &Object, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A number sent as a JSON number or as a numeric string (trimmed), if it fits `T`.
pub(crate) fn number_of<T: FromStr>(value: &Value) -> Option<T> {
    match value {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An integer field, sent as a number or a numeric string.
pub(crate) fn int(map: &Object, key: &str) -> Option<i64> {
    map.get(key).and_then(number_of)
}

/// An optional integer field: absent or null is `Ok(None)`, anything else that is not an
/// integer is `Err(Unreadable)`.
pub(crate) fn optional_int(map: &Object, key: &str) -> Result<Option<i64>, Unreadable> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => number_of(value).map(Some).ok_or(Unreadable),
    }
}

/// A field that is present but cannot be read as what it should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unreadable;

/// A header's value as text (`None` if absent or not text).
pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether a request carries a body its provider would not parse as JSON: it has one
/// (`Content-Length` above 0, or chunked) and its `Content-Type` is absent or does not say
/// JSON. The rule is Laravel's `isJson()` (the type contains `/json` or `+json`), which a
/// JSON-only (Spring `@RequestBody`) backend is no more lenient than: a JSON body sent as
/// form data or text is not read there, so it is not applied here either.
pub(crate) fn body_not_json(headers: &HeaderMap) -> bool {
    let has_body = headers.contains_key(axum::http::header::TRANSFER_ENCODING)
        || header(headers, "content-length")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .is_some_and(|n| n > 0);
    let json = header(headers, "content-type").is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        t.contains("/json") || t.contains("+json")
    });
    has_body && !json
}

/// The query pairs, PHP array keys (`date[]`, `date%5B%5D`) included.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

/// A positive count sent as text (a page number or size): absent is `default`, and
/// anything but an integer of at least 1 is `None`.
pub(crate) fn positive(text: Option<&str>, default: usize) -> Option<usize> {
    match text {
        None => Some(default),
        Some(v) => v.parse::<usize>().ok().filter(|n| *n >= 1),
    }
}

/// Page `page` (from 1) of `size` items. Saturated: a page far beyond the end (`page` up
/// to `usize::MAX`) is simply empty, not an overflow.
pub(crate) fn page_of<I: Iterator>(
    items: I,
    page: usize,
    size: usize,
) -> std::iter::Take<std::iter::Skip<I>> {
    items
        .skip(page.saturating_sub(1).saturating_mul(size))
        .take(size)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_are_read_from_numbers_and_numeric_strings_only() {
        assert_eq!(number_of::<i64>(&json!(7)), Some(7));
        assert_eq!(number_of::<i64>(&json!(" 7 ")), Some(7));
        assert_eq!(number_of::<i64>(&json!(7.5)), None);
        assert_eq!(number_of::<i64>(&json!(u64::MAX)), None);
        assert_eq!(number_of::<u64>(&json!(u64::MAX)), Some(u64::MAX));
        assert_eq!(number_of::<u64>(&json!(-1)), None);
        assert_eq!(number_of::<i64>(&json!(true)), None);
    }

    #[test]
    fn optional_and_lenient_fields() {
        let map = object(br#"{"a": null, "b": "x", "c": " ", "d": 12}"#).unwrap();
        assert_eq!(optional_int(&map, "a"), Ok(None));
        assert_eq!(optional_int(&map, "none"), Ok(None));
        assert_eq!(optional_int(&map, "b"), Err(Unreadable));
        assert_eq!(optional_int(&map, "d"), Ok(Some(12)));
        assert_eq!(lenient(&map, "b").as_deref(), Some("x"));
        assert_eq!(lenient(&map, "c"), None);
        assert_eq!(lenient(&map, "d").as_deref(), Some("12"));
        assert_eq!(text(&map, "d"), None);
        assert!(object(b"[1]").is_none());
    }

    #[test]
    fn pages_saturate() {
        assert_eq!(positive(None, 15), Some(15));
        assert_eq!(positive(Some("0"), 15), None);
        assert_eq!(positive(Some("2"), 15), Some(2));
        let page: Vec<_> = page_of(1..=10, 2, 3).collect();
        assert_eq!(page, [4, 5, 6]);
        assert_eq!(page_of(1..=10, usize::MAX, usize::MAX).count(), 0);
    }
}
