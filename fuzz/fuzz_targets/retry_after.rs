//! `Retry-After` parsing: the first 8 bytes are "now" (seconds since the epoch, bounded),
//! the rest the header value.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use voxkit_core::reqwest::header::HeaderValue;
use voxkit_core::retry::{parse_http_date, parse_retry_after};

fuzz_target!(|data: &[u8]| {
    let (now, value) = data.split_at(data.len().min(8));
    let mut secs = [0u8; 8];
    secs[..now.len()].copy_from_slice(now);
    let now = UNIX_EPOCH + Duration::from_secs(u64::from_le_bytes(secs) % 253_402_300_800);
    let Ok(value) = HeaderValue::from_bytes(value) else {
        return;
    };
    let delay = parse_retry_after(&value, now);
    if let Ok(secs) = value.to_str().unwrap_or_default().trim().parse::<u64>() {
        assert_eq!(delay, Some(Duration::from_secs(secs)));
    }
    if let Some(date) = parse_http_date(&value) {
        assert_eq!(
            delay,
            Some(date.duration_since(now).unwrap_or(Duration::ZERO))
        );
    }
});
