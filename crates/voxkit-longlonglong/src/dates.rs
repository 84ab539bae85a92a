//! The API's dates and timestamps, read and written. Core has no calendar type, so these
//! stay here; numbers and codes sent as numbers or strings are core's
//! [`voxkit_core::lenient`].

use chrono::{NaiveDate, NaiveDateTime};
use serde::de::{self, Deserializer, Unexpected};
use serde::{Deserialize, Serializer};

/// The `YYYY-MM-DD HH:mm:ss` the API writes its timestamps in (`"2023-10-18 10:09:20"`).
pub(crate) const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// The `YYYY-MM-DD` every request example sends dates in (the field tables show
/// `2024/8/17`, but every code sample sends `"2024-08-17"`).
pub(crate) const DATE_FORMAT: &str = "%Y-%m-%d";

const TIMESTAMP: &str = "a \"YYYY-MM-DD HH:mm:ss\" timestamp";

/// A `YYYY-MM-DD HH:mm:ss` timestamp (the ISO `T` separator is accepted too).
pub(crate) fn datetime<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
    let s = String::deserialize(d)?;
    parse_datetime(&s).ok_or_else(|| de::Error::invalid_value(Unexpected::Str(&s), &TIMESTAMP))
}

/// An optional timestamp: `null`, absent or `""` is `None`.
pub(crate) fn opt_datetime<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDateTime>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => parse_datetime(&s)
            .map(Some)
            .ok_or_else(|| de::Error::invalid_value(Unexpected::Str(&s), &TIMESTAMP)),
    }
}

fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, DATETIME_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

/// An optional `YYYY-MM-DD` date: `null`, absent or `""` is `None`.
pub(crate) fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s.trim(), DATE_FORMAT)
            .map(Some)
            .map_err(|_| de::Error::invalid_value(Unexpected::Str(&s), &"a YYYY-MM-DD date")),
    }
}

/// A date or a timestamp, written the way the API writes it.
pub(crate) trait Written {
    /// The `chrono` format it is written in.
    const FORMAT: &'static str;
    /// The value, formatted.
    fn written(&self) -> impl std::fmt::Display;
}

impl Written for NaiveDate {
    const FORMAT: &'static str = DATE_FORMAT;
    fn written(&self) -> impl std::fmt::Display {
        self.format(Self::FORMAT)
    }
}

impl Written for NaiveDateTime {
    const FORMAT: &'static str = DATETIME_FORMAT;
    fn written(&self) -> impl std::fmt::Display {
        self.format(Self::FORMAT)
    }
}

/// Serializes a date as `YYYY-MM-DD`, a timestamp as `YYYY-MM-DD HH:mm:ss`.
pub(crate) fn ser<T: Written, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&value.written())
}

/// [`ser`] of an optional value; `None` is `null`.
pub(crate) fn ser_opt<T: Written, S: Serializer>(
    value: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => ser(value, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(deserialize_with = "datetime")]
        at: NaiveDateTime,
        #[serde(default, deserialize_with = "opt_date")]
        day: Option<NaiveDate>,
        #[serde(default, deserialize_with = "opt_datetime")]
        seen: Option<NaiveDateTime>,
    }

    #[test]
    fn both_timestamp_forms_and_empty_optionals_decode() {
        let a: T =
            serde_json::from_str(r#"{"at":"2023-10-18 10:09:20","day":"2022-07-13"}"#).unwrap();
        let b: T =
            serde_json::from_str(r#"{"at":"2023-10-18T10:09:20","day":null,"seen":""}"#).unwrap();
        assert_eq!(a.at, b.at);
        assert_eq!(a.day, NaiveDate::from_ymd_opt(2022, 7, 13));
        assert_eq!((b.day, b.seen), (None, None));
        let c: T = serde_json::from_str(r#"{"at":"2023-10-18 10:09:20","day":""}"#).unwrap();
        assert_eq!(c.day, None);
    }

    #[test]
    fn bad_values_are_errors() {
        for bad in [
            r#"{"at":"2023/10/18"}"#,
            r#"{"at":"2023-10-18 10:09:20","day":"2022/7/13"}"#,
            r#"{"at":"2023-10-18 10:09:20","seen":"yesterday"}"#,
            r#"{"at":null}"#,
        ] {
            assert!(serde_json::from_str::<T>(bad).is_err(), "{bad}");
        }
    }
}
