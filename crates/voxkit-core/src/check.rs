//! Input checks made before anything is sent, shared by the provider crates.
//!
//! # Why
//!
//! A request refused by the client costs nothing and says exactly what is wrong; the same
//! request refused by the server costs a round trip and, for a money-moving call whose
//! answer is lost, leaves an unknown outcome behind. Each provider had written the same
//! checks (a token without whitespace, digits of a given length, a page number from 1, a
//! list without duplicates), with messages that sometimes echoed the refused value.
//! These are the one set. Every message names the field (`what`) and the rule, never the
//! value: a refused value may be a password or a key pasted into the wrong field.

use std::collections::HashSet;
use std::hash::Hash;

use crate::error::{Error, Origin};

/// Text of `min..=max` characters (not bytes), not blank when `min > 0`, without control
/// characters other than line breaks.
pub fn chars(origin: Origin, what: &str, value: &str, min: usize, max: usize) -> Result<(), Error> {
    let len = value.chars().count();
    if len < min || len > max || (min > 0 && value.trim().is_empty()) {
        return Err(Error::invalid_input(
            origin,
            format!("{what} must be {min} to {max} characters long ({len} given)"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(Error::invalid_input(
            origin,
            format!("{what} must not hold control characters"),
        ));
    }
    Ok(())
}

/// `min..=max` ASCII digits and nothing else (no `+`, spaces or dashes): phone numbers
/// and numeric ids as the providers document them.
pub fn digits(
    origin: Origin,
    what: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), Error> {
    if value.len() < min || value.len() > max || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_input(
            origin,
            format!("{what} must be {min} to {max} ASCII digits"),
        ));
    }
    Ok(())
}

/// An id, key or code: 1 to `max_bytes` bytes, no whitespace or control characters (it
/// goes into a path, a query or a JSON string as it is).
pub fn token(origin: Origin, what: &str, value: &str, max_bytes: usize) -> Result<(), Error> {
    if value.is_empty()
        || value.len() > max_bytes
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::invalid_input(
            origin,
            format!(
                "{what} must be 1 to {max_bytes} bytes without whitespace or control characters"
            ),
        ));
    }
    Ok(())
}

/// Free text (a name, a filter): not blank, at most `max_chars` characters, no control
/// characters at all.
pub fn text(origin: Origin, what: &str, value: &str, max_chars: usize) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(origin, format!("{what} is empty")));
    }
    if value.chars().count() > max_chars {
        return Err(Error::invalid_input(
            origin,
            format!("{what} is longer than {max_chars} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_input(
            origin,
            format!("{what} holds control characters"),
        ));
    }
    Ok(())
}

/// An e-mail address as far as it can be checked without sending mail: at most 254
/// bytes, one `@` with something on each side, no whitespace or control characters.
pub fn email(origin: Origin, what: &str, value: &str) -> Result<(), Error> {
    let valid = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(value.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if valid {
        Ok(())
    } else {
        Err(Error::invalid_input(
            origin,
            format!("{what} is not an e-mail address"),
        ))
    }
}

/// An integer within `min..=max`.
pub fn range(origin: Origin, what: &str, value: u64, min: u64, max: u64) -> Result<(), Error> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            origin,
            format!("{what} must be {min} to {max} ({value} given)"),
        ))
    }
}

/// At least 1: a page number, a page size, an amount.
pub fn positive(origin: Origin, what: &str, value: u64) -> Result<(), Error> {
    if value == 0 {
        Err(Error::invalid_input(
            origin,
            format!("{what} must be at least 1"),
        ))
    } else {
        Ok(())
    }
}

/// A list with at least one item and none twice (ids to pause, cancel or destroy: a
/// repeated id could only earn a provider error after the others were applied).
pub fn unique<T: Eq + Hash>(origin: Origin, what: &str, items: &[T]) -> Result<(), Error> {
    if items.is_empty() {
        return Err(Error::invalid_input(origin, format!("no {what} given")));
    }
    let mut seen = HashSet::with_capacity(items.len());
    if items.iter().all(|item| seen.insert(item)) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            origin,
            format!("a {what} is listed twice"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: Origin = Origin::new("test", "check");

    fn never_echoes(result: Result<(), Error>, value: &str) {
        let err = result.unwrap_err();
        assert!(err.nothing_sent());
        // Values short enough to be a word of the message itself prove nothing.
        if value.trim().chars().count() >= 4 {
            assert!(!format!("{err} {err:?}").contains(value), "{err}");
        }
    }

    #[test]
    fn texts_digits_tokens() {
        assert!(chars(O, "x", "ab", 2, 64).is_ok());
        assert!(chars(O, "x", &"名".repeat(64), 2, 64).is_ok());
        assert!(chars(O, "x", "line\nbreak", 2, 64).is_ok());
        for bad in ["a", "  ", "a\u{0}b"] {
            never_echoes(chars(O, "x", bad, 2, 64), bad);
        }
        never_echoes(chars(O, "x", &"名".repeat(65), 2, 64), "名名名名名名");
        assert!(digits(O, "x", "8613500000000", 6, 18).is_ok());
        assert!(digits(O, "x", "", 0, 20).is_ok());
        for bad in ["12345", "+8613500000000", "159 1688", "１５９１６８"] {
            never_echoes(digits(O, "x", bad, 6, 18), bad);
        }
        assert!(token(O, "x", "772868ead56c48d68fd1924aa5ec3aac", 128).is_ok());
        assert!(token(O, "x", "琳琅", 128).is_ok());
        for bad in ["", "wNaa 1GDw", "wNaa1GDw\n", "a\u{0}b", "\u{3000}x"] {
            never_echoes(token(O, "x", bad, 128), bad);
        }
        never_echoes(token(O, "x", &"k".repeat(129), 128), &"k".repeat(129));
        assert!(text(O, "x", "Lin Lang", 100).is_ok());
        for bad in ["  ", "a\tb"] {
            never_echoes(text(O, "x", bad, 100), bad);
        }
        never_echoes(text(O, "x", &"名".repeat(101), 100), &"名".repeat(101));
    }

    #[test]
    fn emails_numbers_lists() {
        assert!(email(O, "the email", "a@b").is_ok());
        for bad in ["ab", "@b", "a@", "a @b", "a@b@c", "SENTINEL-PW"] {
            never_echoes(email(O, "the email", bad), bad);
        }
        assert!(range(O, "x", 9, 1, 9).is_ok());
        assert!(range(O, "x", 10, 1, 9).is_err());
        assert!(positive(O, "the page", 1).is_ok());
        assert!(positive(O, "the page", 0).is_err());
        assert!(unique(O, "task id", &[1, 2, 3]).is_ok());
        assert!(unique::<u8>(O, "task id", &[]).is_err());
        assert!(unique(O, "task id", &[1, 2, 1]).is_err());
    }
}
