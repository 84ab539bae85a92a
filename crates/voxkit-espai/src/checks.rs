//! ESP-AI's input limits, checked before anything is sent with core's checks
//! ([`voxkit_core::check`]), whose messages never echo the refused value.

use voxkit_core::{Error, Origin, check};

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
pub(crate) fn phone(origin: Origin, what: &str, value: &str) -> Result<(), Error> {
    check::digits(origin, what, value, 1, MAX_PHONE_DIGITS)
}

/// An id or a redemption code: non-empty, at most [`MAX_TOKEN_BYTES`] bytes, no
/// whitespace and no control characters.
pub(crate) fn token(origin: Origin, what: &str, value: &str) -> Result<(), Error> {
    check::token(origin, what, value, MAX_TOKEN_BYTES)
}

/// Free text (a user name): non-empty after trimming, at most [`MAX_TEXT_CHARS`]
/// characters, no control characters.
pub(crate) fn text(origin: Origin, what: &str, value: &str) -> Result<(), Error> {
    check::text(origin, what, value, MAX_TEXT_CHARS)
}

/// A page number and a page size (`limit`), each at least 1 when set.
pub(crate) fn page(origin: Origin, page: Option<u32>, limit: Option<u32>) -> Result<(), Error> {
    if let Some(page) = page {
        check::positive(origin, "the page number", page.into())?;
    }
    if let Some(limit) = limit {
        check::positive(origin, "the page size (limit)", limit.into())?;
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
    fn texts() {
        assert!(text(O, "user name", "琳琅").is_ok());
        assert!(text(O, "user name", "Lin Lang").is_ok());
        assert!(text(O, "user name", "  ").is_err());
        assert!(text(O, "user name", "a\tb").is_err());
        assert!(text(O, "user name", &"名".repeat(MAX_TEXT_CHARS + 1)).is_err());
    }
}
