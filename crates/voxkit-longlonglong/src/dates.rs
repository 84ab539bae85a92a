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

fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, DATETIME_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

/// A date or a timestamp, read and written the way the API writes it.
pub(crate) trait Written: Sized {
    /// The `chrono` format it is written in.
    const FORMAT: &'static str;
    /// What a value that does not parse was expected to be, for the decode error.
    const EXPECTED: &'static str;
    /// The value, formatted.
    fn written(&self) -> impl std::fmt::Display;
    /// The value in `s` (already trimmed), if it is one.
    fn parse(s: &str) -> Option<Self>;
}

impl Written for NaiveDate {
    const FORMAT: &'static str = DATE_FORMAT;
    const EXPECTED: &'static str = "a YYYY-MM-DD date";
    fn written(&self) -> impl std::fmt::Display {
        self.format(Self::FORMAT)
    }
    fn parse(s: &str) -> Option<Self> {
        NaiveDate::parse_from_str(s, DATE_FORMAT).ok()
    }
}

impl Written for NaiveDateTime {
    const FORMAT: &'static str = DATETIME_FORMAT;
    const EXPECTED: &'static str = TIMESTAMP;
    fn written(&self) -> impl std::fmt::Display {
        self.format(Self::FORMAT)
    }
    fn parse(s: &str) -> Option<Self> {
        parse_datetime(s)
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

/// An optional date or timestamp both ways, for `#[serde(default, with = "dates::opt")]`:
/// the one pair of functions every answer's optional dates are read and written with
/// (`null`, absent or `""` is `None`; written as the API writes it, `None` as `null`).
pub(crate) mod opt {
    use super::*;

    /// Reads an optional date or timestamp: `null`, absent or `""` is `None`.
    pub(crate) fn deserialize<'de, T: Written, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => T::parse(s.trim())
                .map(Some)
                .ok_or_else(|| de::Error::invalid_value(Unexpected::Str(&s), &T::EXPECTED)),
        }
    }

    /// Writes it as [`ser_opt`] does.
    pub(crate) use super::ser_opt as serialize;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(deserialize_with = "datetime")]
        at: NaiveDateTime,
        #[serde(default, with = "opt")]
        day: Option<NaiveDate>,
        #[serde(default, with = "opt")]
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
