//! Keeping credentials out of everything a server sends back, and terminal-safe text.
//!
//! A server may echo a credential it received: in an error page, in an error envelope's
//! message, even in a success message. It may echo it verbatim or escaped: PHP's
//! `json_encode` writes `/` as `\/` and non-ASCII (or, with some encoders, any) characters as
//! `\uXXXX`, a framework may percent-encode it or write HTML entities. Every form is
//! recognised here, one character at a time, so that a mixture (`\u0053ENTINEL\/x%2B`) is
//! found too, and so is a form escaped twice (`\\/`, as JSON quoted inside JSON shows it),
//! and replaced by [`REDACTED`]:
//!
//! - [`redact_text`]: a decoded message or an error code (also finds escaped forms that
//!   survived decoding, e.g. a doubly escaped body);
//! - [`excerpt`]: the raw body behind an error's excerpt, looked at as far as a match
//!   needs, so that a secret at the excerpt's edge is never shown in part;
//! - [`success_response`]: a success body, before the provider's decoder sees it, but only
//!   inside JSON string values and only when a secret occurs in it.
//!
//! Credentials themselves are trimmed and checked once, where they are read
//! ([`credential`]): HTTP strips a header value's surrounding whitespace, so the form that
//! is sent, echoed and redacted must be the trimmed one.
//!
//! [`is_invisible`] is the one definition of the invisible formatting characters (bidi
//! overrides and isolates, zero-width characters) that are removed, like control
//! characters, from every provider text that may reach a terminal.

use std::borrow::Cow;

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Origin, excerpt};
use crate::transport::HttpResponse;

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// The shortest secret searched for in a success body. A real credential is far longer;
/// searching a one-letter test token would rewrite every string value holding that letter
/// and turn a good answer into an undecodable one (for a money-moving call, an unknown
/// outcome). Error texts are scrubbed of secrets of any length.
pub const MIN_SECRET_CHARS_IN_SUCCESS: usize = 8;

/// Whether `c` is an invisible formatting character that can reorder or hide text on a
/// terminal: the bidi embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069),
/// marks (U+200E, U+200F, U+061C), and the zero-width characters (U+200B–U+200D, U+2060,
/// U+FEFF). Provider texts drop them, as they replace control characters, so that
/// `"gnp.exe\u{202E}"` cannot pose as something else in an error message or a table.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
    )
}

/// A credential as it will be sent: surrounding whitespace removed (HTTP strips it from a
/// header value, and a server then echoes the trimmed form, which redaction must know),
/// refused with [`Error::Config`] when nothing is left or when whitespace, control or
/// invisible characters remain inside it (no header or signature can carry them as
/// meant). The error names `what` (e.g. `environment variable LONGLONGLONG_TOKEN`), never
/// the value.
pub fn credential(origin: Origin, what: &str, value: SecretString) -> Result<SecretString, Error> {
    let raw = value.expose_secret();
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Error::config(origin, format!("the {what} is empty")));
    }
    if trimmed
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
    {
        return Err(Error::config(
            origin,
            format!(
                "the {what} holds whitespace, control or invisible characters inside it \
                 (only leading and trailing whitespace is removed)"
            ),
        ));
    }
    if trimmed.len() == raw.len() {
        Ok(value)
    } else {
        Ok(SecretString::from(trimmed.to_owned()))
    }
}

/// `text` with every form of every secret replaced by [`REDACTED`]; borrowed when none
/// occurs. Empty secrets are ignored.
pub fn redact_text<'a>(text: &'a str, secrets: &[&str]) -> Cow<'a, str> {
    match redact_bytes(text.as_bytes(), secrets, &starts_of(secrets), char_len) {
        None => Cow::Borrowed(text),
        // Matches start and end on character boundaries: the result is UTF-8.
        Some(bytes) => Cow::Owned(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
    }
}

/// A provider's text made safe for an error message: secrets redacted, control characters
/// replaced by a space, invisible formatting characters ([`is_invisible`]) removed.
pub fn clean_text(text: &str, secrets: &[&str]) -> String {
    redact_text(text, secrets)
        .chars()
        .filter(|&c| !is_invisible(c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `response` with every secret (of at least [`MIN_SECRET_CHARS_IN_SUCCESS`] characters)
/// redacted inside the body's JSON string values, for the decoder of a success answer: a
/// message that echoes a credential must not reach the caller or a terminal. Object keys,
/// numbers and the structure are never touched, so a body that decoded still decodes.
///
/// Borrowed, without copying, when no secret can occur: one fast
/// substring search per secret rules out the verbatim form, and one pass over the body's
/// escapes rules out every escaped form unless an escape stands for a character of a
/// secret. A PHP server's `\uXXXX` for each Chinese character, say, never does for an
/// ASCII credential, so such bodies take the fast path too.
pub fn success_response<'a>(response: &'a HttpResponse, secrets: &[&str]) -> Cow<'a, HttpResponse> {
    let searched = |s: &&str| long_enough(s);
    let body = &response.body[..];
    if !may_hold_a_secret(body, secrets.iter().copied().filter(searched)) {
        return Cow::Borrowed(response);
    }
    let secrets: Vec<&str> = secrets.iter().copied().filter(searched).collect();
    match redact_json_values(body, &secrets) {
        None => Cow::Borrowed(response),
        Some(body) => Cow::Owned(HttpResponse {
            status: response.status,
            headers: response.headers.clone(),
            body: body.into(),
        }),
    }
}

/// Whether `secret` has at least [`MIN_SECRET_CHARS_IN_SUCCESS`] characters, counted
/// only when its length in bytes leaves a doubt.
fn long_enough(secret: &str) -> bool {
    let n = secret.len();
    // An ASCII secret (every real credential) has as many characters as bytes.
    n >= 4 * MIN_SECRET_CHARS_IN_SUCCESS
        || (n >= MIN_SECRET_CHARS_IN_SUCCESS
            && (secret.is_ascii() || secret.chars().count() >= MIN_SECRET_CHARS_IN_SUCCESS))
}

/// Whether `needle` (not empty) occurs in `hay`. A small answer is searched by its first
/// byte: building a SIMD substring finder costs more than it saves on a few hundred bytes.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    const SMALL: usize = 4096;
    if hay.len() < SMALL {
        memchr::memchr_iter(needle[0], hay).any(|at| hay[at..].starts_with(needle))
    } else {
        memchr::memmem::find(hay, needle).is_some()
    }
}

/// Whether some form of one of `secrets` may occur in `body`; `false` is certain.
///
/// A form that is not the verbatim secret holds at least one escape (`\`, `%` or `&`
/// sequence) standing for one of the secret's characters (for `%XX`, one of its bytes).
/// So the body is searched for each secret verbatim, then each escape in it is decoded
/// once and looked up in the set of the secrets' characters: no match can start unless
/// some lookup succeeds. Escapes are visited at every introducer, so a doubly escaped
/// form (`\\/`) is seen too.
fn may_hold_a_secret<'s>(body: &[u8], secrets: impl Iterator<Item = &'s str>) -> bool {
    // The secrets' bytes (for `%XX`) and their non-ASCII characters (for `\uXXXX` and
    // entities); an ASCII character is looked up as its byte.
    let mut bytes = [false; 256];
    let mut wide: Vec<char> = Vec::new();
    let mut any = false;
    for secret in secrets {
        if contains(body, secret.as_bytes()) {
            return true;
        }
        any = true;
        for &b in secret.as_bytes() {
            bytes[usize::from(b)] = true;
        }
        wide.extend(secret.chars().filter(|c| !c.is_ascii()));
    }
    if !any {
        return false;
    }
    let holds = |c: char| {
        if c.is_ascii() {
            bytes[c as usize]
        } else {
            wide.contains(&c)
        }
    };
    memchr::memchr3_iter(b'\\', b'%', b'&', body).any(|at| {
        let rest = &body[at..];
        match rest[0] {
            b'\\' => json_escape(rest).is_some_and(|(c, _)| holds(c)),
            b'%' => rest
                .get(1..3)
                .and_then(hex)
                .is_some_and(|b| bytes[b as usize & 0xff]),
            _ => html_entity(rest).is_some_and(|(c, _)| holds(c)),
        }
    })
}

/// Makes sure no credential survives in an error a provider's decoder built from `body`:
/// a decode error's excerpt is remade from the body with the secrets redacted, and an API
/// error's code and message (which a server may have copied a token into) are cleaned
/// ([`clean_text`]).
pub(crate) fn scrub(error: Error, body: &[u8], secrets: &[&str]) -> Error {
    match error {
        Error::Decode {
            origin, message, ..
        } => Error::Decode {
            origin,
            message: clean_text(&message, secrets),
            excerpt: excerpt(body, secrets),
        },
        Error::Api {
            origin,
            code,
            message,
            http_status,
        } => Error::Api {
            origin,
            code: code.map(|c| clean_text(&c, secrets)),
            message: clean_text(&message, secrets),
            http_status,
        },
        other => other,
    }
}

/// One piece of a body as an excerpt shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// A character (U+FFFD for a byte that is not UTF-8).
    Char(char),
    /// A secret, in one of its forms.
    Redacted,
}

/// The pieces of `body` from its start: characters, and [`Piece::Redacted`] for each form
/// of a secret. A match may read past where the caller stops taking pieces, so a secret
/// straddling an excerpt's end is found whole and never shown in part.
pub(crate) fn excerpt_pieces<'a>(
    body: &'a [u8],
    secrets: &'a [&'a str],
) -> impl Iterator<Item = Piece> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= body.len() {
            return None;
        }
        if let Some(end) = longest_match(body, at, secrets) {
            at = end;
            return Some(Piece::Redacted);
        }
        let len = char_len(body, at);
        let c = std::str::from_utf8(&body[at..at + len])
            .ok()
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{FFFD}');
        at += len;
        Some(Piece::Char(c))
    })
}

/// The body with secrets redacted inside every JSON string that is not an object key;
/// `None` when nothing was found. Strings are found lexically (a quote not escaped by a
/// backslash opens or closes one), which is all a valid JSON body needs.
fn redact_json_values(body: &[u8], secrets: &[&str]) -> Option<Vec<u8>> {
    if secrets.is_empty() {
        return None;
    }
    let starts = starts_of(secrets);
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < body.len() {
        let Some(open) = memchr::memchr(b'"', &body[i..]) else {
            break;
        };
        let start = i + open + 1;
        let mut j = start;
        while let Some(k) = body
            .get(j..)
            .and_then(|rest| memchr::memchr2(b'\\', b'"', rest))
        {
            j += k;
            if body[j] == b'"' {
                break;
            }
            j += 2;
        }
        if j > body.len() || body.get(j) != Some(&b'"') {
            j = body.len();
        }
        let end = j;
        let mut k = end + 1;
        while k < body.len() && matches!(body[k], b' ' | b'\t' | b'\n' | b'\r') {
            k += 1;
        }
        let is_key = k < body.len() && body[k] == b':';
        if !is_key {
            // Escape-aware steps: a replacement never cuts an escape sequence in two.
            if let Some(value) = redact_bytes(&body[start..end], secrets, &starts, unit_len) {
                let o = out.get_or_insert_with(|| Vec::with_capacity(body.len()));
                o.extend_from_slice(&body[copied..start]);
                o.extend_from_slice(&value);
                copied = end;
            }
        }
        i = end + 1;
    }
    out.map(|mut o| {
        o.extend_from_slice(&body[copied..]);
        o
    })
}

/// The bytes a form of one of `secrets` can start with: each secret's first byte and the
/// escapes' introducers. All are ASCII or UTF-8 lead bytes, never inside a character, and
/// a `\\` is stepped over whole by the scan's step: every other byte is skipped at once.
type Starts = [bool; 256];

fn starts_of(secrets: &[&str]) -> Starts {
    let mut starts = [false; 256];
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        starts[usize::from(secret.as_bytes()[0])] = true;
    }
    for b in [b'\\', b'%', b'&'] {
        starts[usize::from(b)] = true;
    }
    starts
}

/// `hay` with every match replaced, trying a match at each step of `step` from a byte in
/// `starts`; `None` when nothing matched.
fn redact_bytes(
    hay: &[u8],
    secrets: &[&str],
    starts: &Starts,
    step: fn(&[u8], usize) -> usize,
) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut at = 0;
    while at < hay.len() {
        if !starts[usize::from(hay[at])] {
            at += 1;
            continue;
        }
        match longest_match(hay, at, secrets) {
            Some(end) => {
                let o = out.get_or_insert_with(|| Vec::with_capacity(hay.len()));
                o.extend_from_slice(&hay[copied..at]);
                o.extend_from_slice(REDACTED.as_bytes());
                at = end;
                copied = end;
            }
            None => at += step(hay, at),
        }
    }
    out.map(|mut o| {
        o.extend_from_slice(&hay[copied..]);
        o
    })
}

/// The end of the longest form of any (non-empty) secret starting at `at`.
fn longest_match(hay: &[u8], at: usize, secrets: &[&str]) -> Option<usize> {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| match_at(hay, at, s))
        .max()
}

/// The end of a form of `secret` starting at `at`: each character verbatim, JSON-escaped,
/// percent-encoded or as an HTML entity, mixed freely. Several forms may match a
/// character at one place (`%` itself, `\`), so every end reached is followed.
fn match_at(hay: &[u8], at: usize, secret: &str) -> Option<usize> {
    let first = secret.chars().next()?;
    // The quick rejection that keeps the scan linear: no form can start here.
    let mut buf = [0u8; 4];
    let lead = first.encode_utf8(&mut buf).as_bytes()[0];
    match hay.get(at) {
        Some(&b) if b == lead || b == b'\\' || b == b'%' || b == b'&' => {}
        _ => return None,
    }
    // Most candidates (every escape of a body) are not a form of the first character:
    // found out before anything is allocated.
    let mut first_ends = Vec::new();
    forms_of(hay, at, first, &mut first_ends);
    if first_ends.is_empty() {
        return None;
    }
    let mut ends = first_ends;
    let mut next = Vec::with_capacity(4);
    for c in secret.chars().skip(1) {
        next.clear();
        for &p in &ends {
            forms_of(hay, p, c, &mut next);
        }
        if next.is_empty() {
            return None;
        }
        next.sort_unstable();
        next.dedup();
        std::mem::swap(&mut ends, &mut next);
    }
    ends.last().copied()
}

/// Pushes the end of each form of `c` found at `at`.
fn forms_of(hay: &[u8], at: usize, c: char, ends: &mut Vec<usize>) {
    let rest = &hay[at..];
    let mut buf = [0u8; 4];
    let bytes = c.encode_utf8(&mut buf).as_bytes();
    if rest.starts_with(bytes) {
        ends.push(at + bytes.len());
    }
    match rest.first() {
        Some(b'\\') => {
            if let Some((d, len)) = json_escape(rest) {
                if d == c {
                    ends.push(at + len);
                }
            }
            // Escaped again (JSON inside a JSON string, a log line quoting a body):
            // `\\/`, `\\u0053`: the escape after a run of backslashes.
            let run = rest.iter().take_while(|&&b| b == b'\\').count();
            if run >= 2 {
                if let Some((d, len)) = json_escape(&rest[run - 1..]) {
                    if d == c {
                        ends.push(at + run - 1 + len);
                    }
                }
            }
        }
        Some(b'%') => {
            if let Some(len) = percent_encoded(rest, bytes) {
                ends.push(at + len);
            }
        }
        Some(b'&') => {
            if let Some((d, len)) = html_entity(rest) {
                if d == c {
                    ends.push(at + len);
                }
            }
        }
        _ => {}
    }
}

/// The character a JSON escape at the start of `s` stands for, and its length: `\/`,
/// `\\`, `\"`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` and surrogate pairs.
fn json_escape(s: &[u8]) -> Option<(char, usize)> {
    if s.first() != Some(&b'\\') {
        return None;
    }
    let simple = match s.get(1)? {
        b'/' => '/',
        b'\\' => '\\',
        b'"' => '"',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let high = hex(s.get(2..6)?)?;
            if (0xD800..0xDC00).contains(&high) {
                if s.get(6..8)? != b"\\u" {
                    return None;
                }
                let low = hex(s.get(8..12)?)?;
                if !(0xDC00..0xE000).contains(&low) {
                    return None;
                }
                let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?;
                return Some((c, 12));
            }
            return Some((char::from_u32(high)?, 6));
        }
        _ => return None,
    };
    Some((simple, 2))
}

/// The length of `bytes` percent-encoded (`%XX` each, either case) at the start of `s`.
fn percent_encoded(s: &[u8], bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    for &b in bytes {
        if s.get(at) != Some(&b'%') || hex(s.get(at + 1..at + 3)?)? != u32::from(b) {
            return None;
        }
        at += 3;
    }
    Some(at)
}

/// The character an HTML entity at the start of `s` stands for, and its length:
/// `&#NN;`, `&#xHH;` and the five named entities HTML escaping produces.
fn html_entity(s: &[u8]) -> Option<(char, usize)> {
    let end = memchr::memchr(b';', s.get(..12.min(s.len()))?)?;
    let name = &s[1..end];
    let c = match name {
        b"amp" => '&',
        b"lt" => '<',
        b"gt" => '>',
        b"quot" => '"',
        b"apos" => '\'',
        [b'#', b'x' | b'X', digits @ ..] if !digits.is_empty() => char::from_u32(hex(digits)?)?,
        [b'#', digits @ ..] if !digits.is_empty() => {
            let mut n: u32 = 0;
            for &d in digits {
                if !d.is_ascii_digit() {
                    return None;
                }
                n = n.checked_mul(10)?.checked_add(u32::from(d - b'0'))?;
            }
            char::from_u32(n)?
        }
        _ => return None,
    };
    Some((c, end + 1))
}

/// Hexadecimal digits (at most 8) as a number.
fn hex(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    digits.iter().try_fold(0u32, |n, &d| {
        let v = (d as char).to_digit(16)?;
        Some(n << 4 | v)
    })
}

/// The length of the UTF-8 character at `at`, or 1 for a byte that does not start one.
fn char_len(hay: &[u8], at: usize) -> usize {
    let len = match hay[at] {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    };
    match hay.get(at..at + len) {
        Some(s) if std::str::from_utf8(s).is_ok() => len,
        _ => 1,
    }
}

/// The length of the unit at `at` inside a JSON string: a whole escape sequence, else a
/// character.
fn unit_len(hay: &[u8], at: usize) -> usize {
    match hay[at] {
        b'\\' => json_escape(&hay[at..]).map_or(1, |(_, len)| len),
        _ => char_len(hay, at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;

    const O: Origin = Origin::new("test", "configure");

    fn red(text: &str, secrets: &[&str]) -> String {
        redact_text(text, secrets).into_owned()
    }

    #[test]
    fn verbatim_and_every_escaped_form_is_redacted() {
        let s = "SENTINEL/SECRET";
        for form in [
            "SENTINEL/SECRET",
            r"SENTINEL\/SECRET",
            r"\u0053ENTINEL\u002fSECRET",
            r"\u0053\u0045\u004E\u0054\u0049\u004e\u0045\u004c\/\u0053\u0045\u0043\u0052\u0045\u0054",
            "SENTINEL%2FSECRET",
            "%53ENTINEL%2fSECRET",
            "SENTINEL&#47;SECRET",
            "SENTINEL&#x2F;SECRET",
            r"SENTINEL\\/SECRET",
            r"\\u0053ENTINEL\\\\u002FSECRET",
        ] {
            let text = format!("token {form} refused");
            assert_eq!(red(&text, &[s]), "token [redacted] refused", "{form}");
        }
    }

    #[test]
    fn secrets_with_plus_equals_and_non_ascii_letters() {
        let s = "K+ey=/sécrét_密钥";
        let json = serde_json::to_string(s).unwrap();
        let ascii_only = r"K+ey=\/s\u00e9cr\u00E9t_\u5bc6\u94a5";
        let percent = "K%2Bey%3D%2Fs%C3%A9cr%c3%a9t_%E5%AF%86%E9%92%A5";
        let entities = "K&#43;ey&#61;/s&#233;cr&#xe9;t_&#23494;&#38053;";
        for form in [s, &json[1..json.len() - 1], ascii_only, percent, entities] {
            let text = format!("«{form}»");
            assert_eq!(red(&text, &[s]), "«[redacted]»", "{form}");
        }
        // An astral character as a surrogate pair.
        assert_eq!(red(r"a\ud83d\ude00b", &["😀"]), "a[redacted]b");
    }

    #[test]
    fn near_misses_are_kept_and_text_is_borrowed_when_clean() {
        let s = "SENTINEL/SECRET";
        for text in [
            "SENTINEL/SECRE",
            r"SENTINEL\\x/SECRET",
            "SENTINEL%2/SECRET",
            "x",
        ] {
            assert!(
                matches!(redact_text(text, &[s]), Cow::Borrowed(_)),
                "{text}"
            );
        }
        assert_eq!(red("abc", &[""]), "abc");
        // The longest of overlapping secrets wins; every occurrence goes.
        assert_eq!(
            red("kkey kkeyX", &["kkey", "kkeyX"]),
            "[redacted] [redacted]"
        );
    }

    #[test]
    fn cleaning_removes_controls_and_invisible_formatting() {
        let text = "余额\u{202E}gnp.exe\u{2066}x\u{200B}\u{FEFF}\u{061C}\u{200F}\nend\u{1b}[0m";
        assert_eq!(clean_text(text, &[]), "余额gnp.exex end [0m");
        for c in ['\u{202A}', '\u{202E}', '\u{2069}', '\u{200E}', '\u{200D}'] {
            assert!(is_invisible(c));
        }
        for c in ['a', '余', ' ', '\u{2070}', '\u{202F}'] {
            assert!(!is_invisible(c));
        }
    }

    #[test]
    fn credentials_are_trimmed_and_inner_whitespace_refused() {
        for padded in ["abc ", "abc\t", " abc", "\tabc\r\n"] {
            let c = credential(O, "token", SecretString::from(padded)).unwrap();
            assert_eq!(c.expose_secret(), "abc", "{padded:?}");
        }
        for bad in ["a bc", "a\tbc", "a\u{0}b", "a\u{200B}b", " ", ""] {
            let e =
                credential(O, "environment variable X_TOKEN", SecretString::from(bad)).unwrap_err();
            assert!(matches!(e, Error::Config { .. }), "{e:?}");
            assert!(e.to_string().contains("X_TOKEN"), "{e}");
        }
        let e = credential(O, "token", SecretString::from("SENTINEL TOKEN")).unwrap_err();
        assert!(!format!("{e} {e:?}").contains("SENTINEL"));
    }

    fn response(body: &str) -> HttpResponse {
        HttpResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: body.to_owned().into(),
        }
    }

    #[test]
    fn success_bodies_are_redacted_in_string_values_only() {
        let s = "SENTINEL/SECRET-01";
        let body = format!(
            r#"{{"code":200,"message":"ok {s}","data":{{"{s}":1,"x":["SENTINEL\/SECRET-01"],"n":12}}}}"#
        );
        let r = response(&body);
        let out = success_response(&r, &[s]);
        let Cow::Owned(out) = out else {
            panic!("not redacted")
        };
        let text = std::str::from_utf8(&out.body).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"code":200,"message":"ok [redacted]","data":{{"{s}":1,"x":["[redacted]"],"n":12}}}}"#
            )
        );
        serde_json::from_str::<serde_json::Value>(text).unwrap();
        // No secret, or too short a one: the very same response.
        let clean = response(r#"{"message":"t\u00e9st","x":"\/"}"#);
        assert!(matches!(success_response(&clean, &[s]), Cow::Borrowed(_)));
        assert!(matches!(success_response(&clean, &["t"]), Cow::Borrowed(_)));
        // An escape is never cut: a secret that looks like an escape's tail stays.
        let tricky = response(r#"{"m":"\u0041BCDEFGHIJ"}"#);
        assert!(matches!(
            success_response(&tricky, &["u0041BCDEFGHIJ"]),
            Cow::Borrowed(_)
        ));
    }

    /// Arbitrary bytes around the secret's pieces: no panic, no verbatim secret left, and
    /// a JSON body that parsed still parses after redaction.
    #[test]
    fn random_bodies_never_panic_and_json_stays_valid() {
        let secret = "SENTINEL/K+é";
        let parts: &[&[u8]] = &[
            b"SENTINEL",
            b"/",
            b"\\/",
            b"\\u0053",
            b"%2F",
            b"&#47;",
            b"K+",
            "é".as_bytes(),
            b"\\",
            b"\"",
            b"\\\\",
            b"%",
            b"&",
            b"\\u",
            b"\\ud83d",
            b":",
            b" ",
            &[0xC3],
            &[0xFF],
        ];
        let mut rng = fastrand::Rng::with_seed(12);
        for _ in 0..20_000 {
            let mut bytes = Vec::new();
            for _ in 0..rng.usize(0..12) {
                bytes.extend_from_slice(parts[rng.usize(..parts.len())]);
            }
            let text = String::from_utf8_lossy(&bytes);
            assert!(!redact_text(&text, &[secret]).contains(secret), "{text}");
            let _ = excerpt(&bytes, &[secret]);
            let json =
                serde_json::to_string(&serde_json::json!({ "m": text, "k": [text] })).unwrap();
            let r = response(&json);
            let out = success_response(&r, &[secret]);
            let parsed: serde_json::Value = serde_json::from_slice(&out.body).expect(&json);
            assert!(!parsed.to_string().contains(secret), "{json}");
            // The fast path's test is conservative: where it sees no secret, the full
            // scan finds none either.
            for hay in [&bytes[..], json.as_bytes()] {
                if !may_hold_a_secret(hay, [secret].into_iter()) {
                    let full = redact_bytes(hay, &[secret], &starts_of(&[secret]), char_len);
                    assert!(full.is_none(), "{}", String::from_utf8_lossy(hay));
                }
            }
        }
    }

    /// A PHP server escapes every non-ASCII character (`\uXXXX`) and every `/`: such an
    /// answer is looked at once, escape by escape, and handed on as it is unless an escape
    /// stands for a character of a secret; an escaped secret in it is still found.
    #[test]
    fn escaped_bodies_without_a_secret_take_the_fast_path() {
        let secret = "bench-open-api-key";
        let mut body = String::from(r#"{"message":"请求成功","data":["#);
        for i in 0..200 {
            body.push_str(&format!(
                r#"{{"id":{i},"name":"琳琅","url":"https:\/\/x.example\/a\/{i}"}},"#
            ));
        }
        body.push_str(r#"{}]}"#);
        assert!(!may_hold_a_secret(body.as_bytes(), [secret].into_iter()));
        let r = response(&body);
        assert!(matches!(success_response(&r, &[secret]), Cow::Borrowed(_)));
        // The same body echoing the key with its first letter escaped: found, redacted.
        let echoed = body.replace(r#""data":["#, r#""echo":"bench-open-api-key","data":["#);
        assert!(may_hold_a_secret(echoed.as_bytes(), [secret].into_iter()));
        let r = response(&echoed);
        let Cow::Owned(out) = success_response(&r, &[secret]) else {
            panic!("not redacted")
        };
        let text = std::str::from_utf8(&out.body).unwrap();
        assert!(text.contains(r#""echo":"[redacted]""#), "{text}");
        // A secret holding `/`: every `\/` is a candidate, and the full scan decides.
        assert!(may_hold_a_secret(
            body.as_bytes(),
            ["SENTINEL/KEY"].into_iter()
        ));
        assert!(matches!(
            success_response(&response(&body), &["SENTINEL/KEY"]),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn excerpt_pieces_find_a_secret_past_any_cut() {
        let body = br"ab\u0053ECRET-X c";
        let pieces: Vec<Piece> = excerpt_pieces(body, &["SECRET-X"]).collect();
        assert_eq!(
            pieces,
            vec![
                Piece::Char('a'),
                Piece::Char('b'),
                Piece::Redacted,
                Piece::Char(' '),
                Piece::Char('c')
            ]
        );
        let pieces: Vec<Piece> = excerpt_pieces(&[0xC3, b'S', b'K'], &["SK"]).collect();
        assert_eq!(pieces, vec![Piece::Char('\u{FFFD}'), Piece::Redacted]);
    }
}
