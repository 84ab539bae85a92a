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

/// The length of a card id: the documentation's ids are 32 hex digits
/// (`772868ead56c48d68fd1924aa5ec3aac`, a UUID without dashes).
pub const CARD_ID_LEN: usize = 32;

/// The largest quota one `cdkey/transfer` may move. The documentation sets only the
/// minimum ("最小额度1"); the largest card sold holds 15,000 uses (`commodity_id` 4), so a
/// billion is far above any real transfer while still refusing a mistyped amount (an
/// extra digit or two, `u64::MAX`) before it is sent: a transfer is money, and the server
/// (Node, where integers are exact only up to 2^53) is not documented to refuse it.
pub const MAX_TRANSFER_AMOUNT: u64 = 1_000_000_000;

/// A card id: exactly [`CARD_ID_LEN`] ASCII letters or digits. The documentation shows
/// 32 hex digits; its own redacted examples end in `xxx`
/// (`dd3d910b08e4405e88242ca7f8f86xxx`), so letters are accepted, but anything else (a
/// path such as `../admin`, a short or padded id) names no card and is refused before it
/// is sent, and the message never echoes the value.
pub(crate) fn card_id(origin: Origin, what: &str, value: &str) -> Result<(), Error> {
    id32(origin, value, || {
        format!(
            "{what} must be {CARD_ID_LEN} letters or digits, like \
             772868ead56c48d68fd1924aa5ec3aac (see `cdkey list`)"
        )
    })
}

/// The shape of every documented id (cards, agents, devices, nodes): exactly
/// [`CARD_ID_LEN`] ASCII letters or digits. Anything else is refused with the message
/// `refusal` builds, which must not echo the value.
pub(crate) fn id32(
    origin: Origin,
    value: &str,
    refusal: impl FnOnce() -> String,
) -> Result<(), Error> {
    if value.len() == CARD_ID_LEN && value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(Error::invalid_input(origin, refusal()))
    }
}

/// Checks card ids as [`Client::destroy`](crate::Client::destroy) does, without sending:
/// at least one, each [`CARD_ID_LEN`] letters or digits, none twice. For callers that ask
/// for a confirmation first (the CLI) and must refuse a bad id before asking.
///
/// # Errors
/// [`Error::InvalidInput`] of the `destroy` operation, the value never echoed.
pub fn check_card_ids<S: AsRef<str>>(ids: &[S]) -> Result<(), Error> {
    let origin = Origin::new(crate::PROVIDER, "destroy");
    if ids.is_empty() {
        return Err(Error::invalid_input(origin, "no card id to destroy"));
    }
    let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
    for id in &ids {
        card_id(origin, "a card id", id)?;
    }
    check::unique(origin, "card id", &ids)
}

/// A card type as sent: one of the documented codes, `0` (every example) or `1`–`5` (the
/// type table). Any other type matches no card, so a filter on it is a mistake.
pub(crate) fn card_type(origin: Origin, raw: &str) -> Result<(), Error> {
    if matches!(raw.trim(), "0" | "1" | "2" | "3" | "4" | "5") {
        Ok(())
    } else {
        Err(Error::invalid_input(
            origin,
            "the card type must be 0 (the examples' type) or 1 to 5 (the paid types)",
        ))
    }
}

/// A transfer's amount: at least 1 (documented) and at most [`MAX_TRANSFER_AMOUNT`].
pub(crate) fn transfer_amount(origin: Origin, amount: u64) -> Result<(), Error> {
    if amount == 0 {
        return Err(Error::invalid_input(
            origin,
            "the amount must be at least 1 (the documented minimum)",
        ));
    }
    if amount > MAX_TRANSFER_AMOUNT {
        return Err(Error::invalid_input(
            origin,
            format!("the amount must be at most {MAX_TRANSFER_AMOUNT} (no card holds more)"),
        ));
    }
    Ok(())
}

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

    /// Asserts that `check` accepts every value of `ok` and refuses every value of `bad`,
    /// handing each refusal to `refused` for the test's own assertions on it.
    fn accepts_and_refuses(
        check: impl Fn(&str) -> Result<(), Error>,
        ok: &[&str],
        bad: &[&str],
        refused: impl Fn(&str, Error),
    ) {
        for ok in ok {
            assert!(check(ok).is_ok(), "{ok}");
        }
        for bad in bad {
            refused(bad, check(bad).unwrap_err());
        }
    }

    #[test]
    fn phones() {
        accepts_and_refuses(
            |value| phone(O, "phone", value),
            &["15916888888", "1", "00861591688888812345"],
            &[
                "",
                "+8615916888888",
                "159 1688 8888",
                "159-1688",
                "１５９",
                "15916888888\n",
                "008615916888888123456",
            ],
            |_, err| {
                assert!(matches!(err, Error::InvalidInput { .. }));
                assert!(err.to_string().contains("phone"), "{err}");
            },
        );
    }

    #[test]
    fn tokens() {
        let long = "x".repeat(MAX_TOKEN_BYTES + 1);
        accepts_and_refuses(
            |value| token(O, "code", value),
            &[
                "wNaa1GDw",
                "772868ead56c48d68fd1924aa5ec3aac",
                "a-b_c.d",
                "琳琅",
            ],
            &[
                "",
                " ",
                "wNaa 1GDw",
                "wNaa1GDw\n",
                "a\u{0}b",
                "\u{3000}x",
                long.as_str(),
            ],
            |_, err| assert!(!err.to_string().contains("wNaa"), "no echo: {err}"),
        );
    }

    #[test]
    fn card_ids_are_32_letters_or_digits() {
        let ok = [
            "772868ead56c48d68fd1924aa5ec3aac",
            "196BD2A26E4D459F9DC7D12053A05C15",
            "dd3d910b08e4405e88242ca7f8f86xxx",
        ];
        let bad = [
            "",
            "x1",
            "../admin",
            "772868ead56c48d68fd1924aa5ec3aa",
            "772868ead56c48d68fd1924aa5ec3aacc",
            "772868ea-d56c-48d6-8fd1-924aa5ec3aac",
            "772868ead56c48d68fd1924aa5ec3a/.",
            " 772868ead56c48d68fd1924aa5ec3aa",
            "772868ead56c48d68fd1924aa5ec3aé",
        ];
        accepts_and_refuses(
            |value| card_id(O, "the card id", value),
            &ok,
            &bad,
            |bad, err| {
                assert!(err.nothing_sent(), "{bad}");
                assert!(err.to_string().contains("32 letters or digits"), "{err}");
                // (The message's example id starts like some of these.)
                if bad.len() > 3 && !bad.contains("772868") {
                    assert!(!err.to_string().contains(bad), "no echo: {err}");
                }
            },
        );
    }

    #[test]
    fn card_types_are_the_documented_codes() {
        accepts_and_refuses(
            |value| card_type(O, value),
            &["0", "1", "5", " 2 "],
            &["6", "9", "-1", "", "01", "青龙", "1.0"],
            |bad, err| assert!(err.nothing_sent(), "{bad}"),
        );
    }

    #[test]
    fn transfer_amounts_are_bounded() {
        assert!(transfer_amount(O, 1).is_ok());
        assert!(transfer_amount(O, MAX_TRANSFER_AMOUNT).is_ok());
        for bad in [0, MAX_TRANSFER_AMOUNT + 1, u64::MAX] {
            let err = transfer_amount(O, bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{bad}");
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
