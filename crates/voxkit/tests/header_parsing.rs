//! Property tests of the response-header parsers every provider relies on:
//! `Retry-After` ([`parse_retry_after`], honoured by the retry loop) and `Date`
//! ([`parse_http_date`], read by Laaffic's clock-skew correction). Arbitrary bytes never
//! panic; delay-seconds and HTTP dates decode exactly. The same parsers are fuzzed by
//! `fuzz/fuzz_targets/retry_after.rs` and `http_date.rs`.
//!
//! [`CASES`](voxkit_core::mutation::CASES) cases per property, from a fixed seed
//! (`PROPTEST_RNG_SEED=<n>` explores other inputs, `PROPTEST_CASES=<n>` runs more): the
//! providers' decoder properties' configuration, [`voxkit_core::mutation::config`].

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;
use voxkit::core::reqwest::header::HeaderValue;
use voxkit::core::retry::{parse_http_date, parse_retry_after};
use voxkit_core::mutation::config;

/// The last second `httpdate` formats: 9999-12-31T23:59:59Z.
const LAST: u64 = 253_402_300_799;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// Header-value bytes: arbitrary, printable, or an HTTP date with edits.
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        "[ -~]{0,40}".prop_map(String::into_bytes),
        (
            0..=LAST,
            prop::collection::vec((any::<usize>(), any::<u8>()), 0..4)
        )
            .prop_map(|(secs, edits)| {
                let mut bytes = httpdate::fmt_http_date(at(secs)).into_bytes();
                for (i, b) in edits {
                    let len = bytes.len();
                    bytes[i % len] = b;
                }
                bytes
            }),
        any::<u64>().prop_map(|n| n.to_string().into_bytes()),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Any header value: no panic; a delay-seconds value is exactly those seconds; a date
    /// is never before the Unix epoch.
    #[test]
    fn arbitrary_values_never_panic(bytes in header_bytes(), now in 0..=LAST) {
        let Ok(value) = HeaderValue::from_bytes(&bytes) else {
            return Ok(()); // not a header value: nothing reaches the parsers
        };
        let delay = parse_retry_after(&value, at(now));
        let date = parse_http_date(&value);
        let text = value.to_str().map(str::trim).unwrap_or_default();
        if let Ok(secs) = text.parse::<u64>() {
            prop_assert_eq!(delay, Some(Duration::from_secs(secs)));
        }
        if let Some(date) = date {
            prop_assert!(date >= UNIX_EPOCH);
            prop_assert_eq!(delay, Some(date.duration_since(at(now)).unwrap_or(Duration::ZERO)));
        }
    }

    /// Delay-seconds, with the optional whitespace around it.
    #[test]
    fn delay_seconds_decode_exactly(secs in any::<u64>(), before in "[ \t]{0,3}", after in "[ \t]{0,3}") {
        let value = HeaderValue::from_str(&format!("{before}{secs}{after}")).expect("a header value");
        prop_assert_eq!(parse_retry_after(&value, at(0)), Some(Duration::from_secs(secs)));
    }

    /// An HTTP date is read to the second, and as a `Retry-After` it is the time left
    /// until then (none once it has passed).
    #[test]
    fn http_dates_decode_exactly(secs in 0..=LAST, now in 0..=LAST) {
        let value = HeaderValue::from_str(&httpdate::fmt_http_date(at(secs))).expect("a header value");
        prop_assert_eq!(parse_http_date(&value), Some(at(secs)));
        let left = Duration::from_secs(secs.saturating_sub(now));
        prop_assert_eq!(parse_retry_after(&value, at(now)), Some(left));
    }
}

#[test]
fn the_obsolete_date_formats_and_garbage() {
    let now = at(1_630_468_800); // Wed, 01 Sep 2021 04:00:00 GMT
    let v = HeaderValue::from_static;
    for same in [
        "Wed, 01 Sep 2021 04:00:00 GMT",
        "Wednesday, 01-Sep-21 04:00:00 GMT",
        "Wed Sep  1 04:00:00 2021",
    ] {
        assert_eq!(parse_http_date(&v(same)), Some(now), "{same}");
    }
    for garbage in [
        "",
        "soon",
        "-1",
        "1.5",
        "0x10",
        "Wed, 32 Sep 2021 04:00:00 GMT",
    ] {
        assert_eq!(parse_retry_after(&v(garbage), now), None, "{garbage}");
    }
}
