//! Input checks made before anything is sent, from the documented field rules. Messages
//! name the field and the rule, never the refused value.

use voxkit_core::{Error, Origin};

/// The extensions the voice upload accepts ("支持.mp3, .m4a和.wav上传").
pub const VOICE_FILE_EXTENSIONS: &[&str] = &["mp3", "m4a", "wav"];

/// A voice file name: 5 to 32 characters including the extension ("带后缀的文件名,
/// 5-32字符"), ending in `.mp3`, `.m4a` or `.wav` (any letter case), with a non-empty
/// name before the extension, and no path separator, control character or surrounding
/// space.
pub(crate) fn voice_file_name(origin: Origin, what: &'static str, name: &str) -> Result<(), Error> {
    let len = name.chars().count();
    if !(5..=32).contains(&len) {
        return Err(Error::invalid_input(
            origin,
            format!("{what} must be 5 to 32 characters long, extension included ({len} given)"),
        ));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
        || name.trim() != name
    {
        return Err(Error::invalid_input(
            origin,
            format!(
                "{what} must not hold a path separator, a control character or surrounding spaces"
            ),
        ));
    }
    let ok = name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && VOICE_FILE_EXTENSIONS
                .iter()
                .any(|e| e.eq_ignore_ascii_case(ext))
    });
    if !ok {
        return Err(Error::invalid_input(
            origin,
            format!("{what} must end in .mp3, .m4a or .wav after a name"),
        ));
    }
    Ok(())
}

/// Text of `min..=max` characters without control characters.
pub(crate) fn chars(
    origin: Origin,
    what: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), Error> {
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

/// `min..=max` ASCII digits and nothing else.
pub(crate) fn digits(
    origin: Origin,
    what: &'static str,
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

/// An id or key: non-empty, at most 128 bytes, no whitespace or control characters.
pub(crate) fn token(origin: Origin, what: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty()
        || value.len() > 128
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::invalid_input(
            origin,
            format!("{what} must be 1 to 128 bytes without whitespace or control characters"),
        ));
    }
    Ok(())
}

/// An integer within `min..=max`.
pub(crate) fn range(
    origin: Origin,
    what: &'static str,
    value: u32,
    min: u32,
    max: u32,
) -> Result<(), Error> {
    if !(min..=max).contains(&value) {
        return Err(Error::invalid_input(
            origin,
            format!("{what} must be {min} to {max} ({value} given)"),
        ));
    }
    Ok(())
}

/// A page number (1-N) and a page size (1-100), as every paged query documents them.
pub(crate) fn page(origin: Origin, current: u32, size: u32) -> Result<(), Error> {
    range(origin, "the page number", current, 1, u32::MAX)?;
    range(origin, "the page size", size, 1, 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: Origin = Origin::new("laaffic", "test");

    #[test]
    fn voice_file_names() {
        for ok in [
            "a.mp3",
            "test.mp3",
            "greeting.M4A",
            "语音文件.wav",
            "a b.wav",
            &format!("{}.mp3", "x".repeat(28)),
        ] {
            assert!(voice_file_name(O, "the file name", ok).is_ok(), "{ok}");
        }
        for bad in [
            ".mp3",
            "ab.mp",
            "test",
            "test.ogg",
            "test.mp3.txt",
            &format!("{}.mp3", "x".repeat(29)),
            "dir/a.mp3",
            "dir\\a.mp3",
            " a.mp3",
            "a\n.mp3",
            "a.wav ",
        ] {
            let err = voice_file_name(O, "the file name", bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{bad}");
            assert!(err.nothing_sent());
        }
    }

    #[test]
    fn texts_digits_tokens_ranges() {
        assert!(chars(O, "x", "ab", 2, 64).is_ok());
        assert!(chars(O, "x", "a", 2, 64).is_err());
        assert!(chars(O, "x", "  ", 2, 64).is_err());
        assert!(chars(O, "x", &"名".repeat(64), 2, 64).is_ok());
        assert!(chars(O, "x", &"名".repeat(65), 2, 64).is_err());
        assert!(chars(O, "x", "a\u{0}b", 2, 64).is_err());
        assert!(digits(O, "x", "8613500000000", 6, 18).is_ok());
        assert!(digits(O, "x", "12345", 6, 18).is_err());
        assert!(digits(O, "x", "+8613500000000", 6, 18).is_err());
        assert!(digits(O, "x", "", 0, 20).is_ok());
        assert!(token(O, "x", "4luaKsL2").is_ok());
        assert!(token(O, "x", "4lua KsL2").is_err());
        assert!(token(O, "x", "").is_err());
        assert!(range(O, "x", 9, 1, 9).is_ok());
        assert!(range(O, "x", 10, 1, 9).is_err());
        assert!(page(O, 1, 100).is_ok());
        assert!(page(O, 0, 10).is_err());
        assert!(page(O, 1, 101).is_err());
    }
}
