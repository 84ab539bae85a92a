//! The Laaffic account handlers: the balance, and voice-file upload with the file rules
//! that a task's own upload (source 2) follows too.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::json;

use super::envelope::{Refusal, answer_a, object};
use crate::state::Shared;
use crate::wire::{Object, text};

/// `GET /v3/getBalance`: the balance, gift and credit as strings, each with its own scale
/// (the seeded account is the documented example's `"99.990000"`, `"50.00000"`, `"0"`;
/// a value set with [`Sandbox::set_laaffic_balance`](crate::Sandbox::set_laaffic_balance)
/// keeps the digits it was given).
pub(super) async fn balance(State(shared): State<Shared>) -> Response {
    let data = shared.lock();
    let l = &data.laaffic;
    axum::Json(json!({
        "status": "0", "reason": "success",
        "balance": l.balance.to_string(), "gift": l.gift.to_string(), "credit": l.credit.to_string(),
    }))
    .into_response()
}

/// `POST /v3/voice/fileUpload`: `-22` for a missing field, `-21` for a name breaking the
/// rules or content that is not base64 (or empty), `-20` for a name already used.
pub(super) async fn upload(State(shared): State<Shared>, body: Bytes) -> Response {
    answer_a((|| {
        let map = object(&body)?;
        let name = text(&map, "fileName").ok_or(Refusal("-22"))?;
        if !valid_file_name(name) {
            return Err(Refusal("-21"));
        }
        let bytes = content(&map, "file")?;
        let mut data = shared.lock();
        let data = &mut *data;
        if data.ivr.files.iter().any(|f| f.name == name) {
            return Err(Refusal("-20"));
        }
        if data.ivr.files.len() >= data.ivr.limits.voice_files {
            return Err(Refusal("-23"));
        }
        let now = data.clock.now();
        Ok(json!(data.ivr.add_voice_file(
            name,
            bytes.len(),
            now,
            &mut data.rng
        )))
    })())
}

/// The upload's name rules: 5-32 characters with the extension `.mp3`, `.m4a` or `.wav`.
pub(super) fn valid_file_name(name: &str) -> bool {
    let len = name.chars().count();
    (5..=32).contains(&len)
        && name.trim() == name
        && !name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\')
        && name.rsplit_once('.').is_some_and(|(stem, ext)| {
            !stem.is_empty()
                && ["mp3", "m4a", "wav"]
                    .iter()
                    .any(|e| e.eq_ignore_ascii_case(ext))
        })
}

/// Strict padded standard base64 (RFC 4648 §4); `None` if it is not.
fn base64_decode(input: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let bytes = input.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let chunks = bytes.len() / 4;
    for (i, chunk) in bytes.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && i + 1 != chunks) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let got = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&got[..3 - pad]);
    }
    Some(out)
}

/// The decoded content of a file field: present, valid base64, not empty.
pub(super) fn content(map: &Object, key: &str) -> Result<Vec<u8>, Refusal> {
    let raw = text(map, key).ok_or(Refusal("-22"))?;
    match base64_decode(raw.trim()) {
        Some(bytes) if !bytes.is_empty() => Ok(bytes),
        _ => Err(Refusal("-21")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_strict() {
        assert_eq!(base64_decode("SUQzBAA=").unwrap(), b"ID3\x04\x00");
        assert_eq!(base64_decode("Zm9vYmFy").unwrap(), b"foobar");
        assert_eq!(base64_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64_decode("").unwrap(), b"");
        for bad in ["Zg=", "Zg==Zg==", "Z===", "Zm9v!mFy", "not base64"] {
            assert!(base64_decode(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn file_names() {
        assert!(valid_file_name("test.mp3"));
        assert!(valid_file_name("a.WAV"));
        assert!(!valid_file_name(".mp3"));
        assert!(!valid_file_name("test.ogg"));
        assert!(!valid_file_name(&format!("{}.mp3", "x".repeat(29))));
    }
}
