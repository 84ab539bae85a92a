//! The documented date formats, both ways: `LocalDateTime` strings for tasks, ISO-8601
//! with an offset for call records, millisecond epochs in the pushed reports. (Core knows
//! no dates; its lenient decoders supply the text and numbers these parse.)

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::de::{self, Deserializer};
use voxkit_core::lenient;

/// The documented `LocalDateTime` format of the task APIs: `"2024-01-01 00:00:00"`.
pub(crate) const LOCAL_DATE_TIME: &str = "%Y-%m-%d %H:%M:%S";

/// The documented ISO-8601 format of the record queries: `"2022-01-01T00:00:00+08:00"`.
pub(crate) const ISO_DATE_TIME: &str = "%Y-%m-%dT%H:%M:%S%:z";

/// Text that is present and not blank, trimmed.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(lenient::opt_text(d)?.filter(|s| !s.trim().is_empty()))
}

/// An optional `LocalDateTime` (`"2024-01-01 00:00:00"`); null or `""` is `None`.
pub(crate) fn opt_local<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDateTime>, D::Error> {
    present(d)?
        .map(|s| {
            NaiveDateTime::parse_from_str(s.trim(), LOCAL_DATE_TIME)
                .map_err(|_| de::Error::custom("expected a date-time \"yyyy-MM-dd HH:mm:ss\""))
        })
        .transpose()
}

/// An optional ISO-8601 date-time with offset (`"2022-02-18T14:42:40+08:00"`); null or
/// `""` is `None`.
pub(crate) fn opt_iso<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    present(d)?
        .map(|s| {
            DateTime::parse_from_rfc3339(s.trim())
                .map_err(|_| de::Error::custom("expected an ISO-8601 date-time with offset"))
        })
        .transpose()
}

/// An optional millisecond epoch (number or numeric string); null, `""` or `0` is `None`.
pub(crate) fn opt_epoch_ms<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    match lenient::opt_i64(d)? {
        None | Some(0) => Ok(None),
        Some(ms) => DateTime::from_timestamp_millis(ms)
            .map(Some)
            .ok_or_else(|| de::Error::custom("millisecond timestamp out of range")),
    }
}

/// `time` in the `LocalDateTime` format, or `None` (sent as `null`).
pub(crate) fn local(time: &Option<NaiveDateTime>) -> Option<String> {
    time.map(|t| t.format(LOCAL_DATE_TIME).to_string())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "voxkit_core::lenient::opt_u64")]
        n: Option<u64>,
        #[serde(default, deserialize_with = "voxkit_core::lenient::opt_decimal")]
        d: Option<rust_decimal::Decimal>,
        #[serde(default, deserialize_with = "super::opt_local")]
        l: Option<chrono::NaiveDateTime>,
        #[serde(default, deserialize_with = "super::opt_iso")]
        i: Option<chrono::DateTime<chrono::FixedOffset>>,
        #[serde(default, deserialize_with = "super::opt_epoch_ms")]
        m: Option<chrono::DateTime<chrono::Utc>>,
    }

    #[test]
    fn numbers_as_strings_and_strings_as_numbers() {
        let t: T = serde_json::from_str(
            r#"{"n":"5","d":"0.0100","l":"2024-01-01 00:00:00","i":"2022-01-01T00:00:00+08:00","m":1670000000123}"#,
        )
        .unwrap();
        assert_eq!(t.n, Some(5));
        assert_eq!(t.d.unwrap().to_string(), "0.0100");
        assert_eq!(t.l.unwrap().to_string(), "2024-01-01 00:00:00");
        assert_eq!(t.i.unwrap().to_rfc3339(), "2022-01-01T00:00:00+08:00");
        assert_eq!(t.m.unwrap().timestamp_millis(), 1_670_000_000_123);
        let t: T = serde_json::from_str(r#"{"n":5,"d":2,"l":null,"i":"","m":"0"}"#).unwrap();
        assert_eq!(t.n, Some(5));
        assert_eq!(t.d, Some(rust_decimal::Decimal::from(2)));
        assert!(t.l.is_none() && t.i.is_none() && t.m.is_none());
        for bad in [
            r#"{"n":-1}"#,
            r#"{"n":"x"}"#,
            r#"{"n":1.5}"#,
            r#"{"d":"abc"}"#,
            r#"{"l":"2024-01-01T00:00:00"}"#,
            r#"{"i":"2022-01-01 00:00:00"}"#,
            r#"{"m":true}"#,
        ] {
            assert!(serde_json::from_str::<T>(bad).is_err(), "{bad}");
        }
    }
}
