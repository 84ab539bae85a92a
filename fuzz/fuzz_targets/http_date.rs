//! `Date` header parsing (Laaffic's clock-skew correction reads it).
#![no_main]

use std::time::UNIX_EPOCH;

use libfuzzer_sys::fuzz_target;
use voxkit_core::reqwest::header::HeaderValue;
use voxkit_core::retry::parse_http_date;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    if let Some(date) = parse_http_date(&value) {
        assert!(date >= UNIX_EPOCH);
    }
});
