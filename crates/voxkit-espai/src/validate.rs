//! Input checks made before anything is sent. Messages never echo the refused value.

use voxkit_core::{Error, Origin};

/// The longest phone number accepted, in digits (E.164 allows 15; some margin for
/// prefixes).
pub const MAX_PHONE_DIGITS: usize = 20;

/// The longest id, redemption code or other token accepted, in bytes (documented ids are
/// 32 hex digits, codes 8 characters).
pub const MAX_TOKEN_BYTES: usize = 128;

/// The longest free-text filter (a user name) accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 100;

/// A phone number: 1 to [`MAX_PHONE_DIGITS`] ASCII digits, nothing else (no `+`, spaces
/// or dashes: the documentation's numbers are bare digits, `15916888888`).
pub(crate) fn phone(origin: Origin, what: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_input(origin, format!("{what} is empty")));
    }
    if value.len() > MAX_PHONE_DIGITS || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_input(
            origin,
            format!("{what} must be 1 to {MAX_PHONE_DIGITS} ASCII digits"),
        ));
    }
    Ok(())
}

/// An id or a redemption code: non-empty, at most [`MAX_TOKEN_BYTES`] bytes, no
/// whitespace and no control characters.
pub(crate) fn token(origin: Origin, what: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_input(origin, format!("{what} is empty")));
    }
    if value.len() > MAX_TOKEN_BYTES {
        return Err(Error::invalid_input(
            origin,
            format!("{what} is longer than {MAX_TOKEN_BYTES} bytes"),
        ));
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid_input(
            origin,
            format!("{what} holds whitespace or control characters"),
        ));
    }
    Ok(())
}

/// Free text (a user name): non-empty after trimming, at most [`MAX_TEXT_CHARS`]
/// characters, no control characters.
pub(crate) fn text(origin: Origin, what: &'static str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(origin, format!("{what} is empty")));
    }
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::invalid_input(
            origin,
            format!("{what} is longer than {MAX_TEXT_CHARS} characters"),
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

/// A page number or page size: at least 1.
pub(crate) fn positive(origin: Origin, what: &'static str, value: u32) -> Result<(), Error> {
    if value == 0 {
        return Err(Error::invalid_input(
            origin,
            format!("{what} must be at least 1"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: Origin = Origin::new("espai", "test");

    #[test]
    fn phones() {
        for ok in ["15916888888", "1", "00861591688888812345"] {
            assert!(phone(O, "phone", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "+8615916888888",
            "159 1688 8888",
            "159-1688",
            "１５９",
            "15916888888\n",
            "008615916888888123456",
        ] {
            let err = phone(O, "phone", bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }));
            assert!(err.to_string().contains("phone"), "{err}");
        }
    }

    #[test]
    fn tokens() {
        for ok in [
            "wNaa1GDw",
            "772868ead56c48d68fd1924aa5ec3aac",
            "a-b_c.d",
            "琳琅",
        ] {
            assert!(token(O, "code", ok).is_ok(), "{ok}");
        }
        let long = "x".repeat(MAX_TOKEN_BYTES + 1);
        for bad in [
            "",
            " ",
            "wNaa 1GDw",
            "wNaa1GDw\n",
            "a\u{0}b",
            "\u{3000}x",
            long.as_str(),
        ] {
            let err = token(O, "code", bad).unwrap_err();
            assert!(!err.to_string().contains("wNaa"), "no echo: {err}");
        }
    }

    #[test]
    fn texts_and_numbers() {
        assert!(text(O, "user name", "琳琅").is_ok());
        assert!(text(O, "user name", "Lin Lang").is_ok());
        assert!(text(O, "user name", "  ").is_err());
        assert!(text(O, "user name", "a\tb").is_err());
        assert!(text(O, "user name", &"名".repeat(MAX_TEXT_CHARS + 1)).is_err());
        assert!(positive(O, "page", 1).is_ok());
        assert!(positive(O, "page", 0).is_err());
    }
}
