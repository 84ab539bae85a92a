//! Lenient decoders for the shapes the documentation disagrees with itself about.

use chrono::{NaiveDate, NaiveDateTime};
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serializer};
use std::fmt;

/// The `YYYY-MM-DD HH:mm:ss` the API writes its timestamps in (`"2023-10-18 10:09:20"`).
pub(crate) const DATETIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// The `YYYY-MM-DD` every request example sends dates in (the field tables show
/// `2024/8/17`, but every code sample sends `"2024-08-17"`).
pub(crate) const DATE_FORMAT: &str = "%Y-%m-%d";

/// An unsigned integer sent as a number (`15`) or as a string (`"15"`).
pub(crate) fn u64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an unsigned integer, as a number or a string")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            v.trim()
                .parse()
                .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
        }
    }
    d.deserialize_any(V)
}

/// An envelope `code`: a number (`200`) or a string (`"200"`), kept as text.
pub(crate) fn code_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a code, as a number or a string")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.trim().to_owned())
        }
    }
    d.deserialize_any(V)
}

/// An optional envelope `status` (`"success"`, `"error"`): a string or a number, kept as
/// text; null or absent is `None`.
pub(crate) fn opt_code_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a status, as a string or a number, or null")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
            code_text(d).map(Some)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<String>, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<String>, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
            Ok(Some(v.trim().to_owned()))
        }
    }
    d.deserialize_option(V)
}

/// A `YYYY-MM-DD HH:mm:ss` timestamp (the ISO `T` separator is accepted too).
pub(crate) fn datetime<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
    let s = String::deserialize(d)?;
    parse_datetime(&s).ok_or_else(|| {
        de::Error::invalid_value(Unexpected::Str(&s), &"a \"YYYY-MM-DD HH:mm:ss\" timestamp")
    })
}

/// An optional timestamp: `null`, absent or `""` is `None`.
pub(crate) fn opt_datetime<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDateTime>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => parse_datetime(&s).map(Some).ok_or_else(|| {
            de::Error::invalid_value(Unexpected::Str(&s), &"a \"YYYY-MM-DD HH:mm:ss\" timestamp")
        }),
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

/// Serializes a date as `YYYY-MM-DD`.
pub(crate) fn ser_date<S: Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&date.format(DATE_FORMAT))
}

/// Serializes an optional date as `YYYY-MM-DD` (call only through `skip_serializing_if`).
pub(crate) fn ser_opt_date<S: Serializer>(
    date: &Option<NaiveDate>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => ser_date(date, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct T {
        #[serde(deserialize_with = "u64_lenient")]
        n: u64,
        #[serde(deserialize_with = "code_text")]
        code: String,
        #[serde(deserialize_with = "datetime")]
        at: NaiveDateTime,
        #[serde(default, deserialize_with = "opt_date")]
        day: Option<NaiveDate>,
    }

    #[test]
    fn numbers_and_strings_both_decode() {
        let a: T = serde_json::from_str(
            r#"{"n":15,"code":200,"at":"2023-10-18 10:09:20","day":"2022-07-13"}"#,
        )
        .unwrap();
        let b: T = serde_json::from_str(
            r#"{"n":"15","code":"200","at":"2023-10-18T10:09:20","day":null}"#,
        )
        .unwrap();
        assert_eq!((a.n, b.n), (15, 15));
        assert_eq!((a.code.as_str(), b.code.as_str()), ("200", "200"));
        assert_eq!(a.at, b.at);
        assert_eq!(a.day, NaiveDate::from_ymd_opt(2022, 7, 13));
        assert_eq!(b.day, None);
        let c: T = serde_json::from_str(r#"{"n":1,"code":1,"at":"2023-10-18 10:09:20","day":""}"#)
            .unwrap();
        assert_eq!(c.day, None);
    }

    #[test]
    fn bad_values_are_errors() {
        for bad in [
            r#"{"n":-1,"code":1,"at":"2023-10-18 10:09:20"}"#,
            r#"{"n":"x","code":1,"at":"2023-10-18 10:09:20"}"#,
            r#"{"n":1.5,"code":1,"at":"2023-10-18 10:09:20"}"#,
            r#"{"n":1,"code":1,"at":"2023/10/18"}"#,
            r#"{"n":1,"code":1,"at":"2023-10-18 10:09:20","day":"2022/7/13"}"#,
            r#"{"n":1,"code":null,"at":"2023-10-18 10:09:20"}"#,
        ] {
            assert!(serde_json::from_str::<T>(bad).is_err(), "{bad}");
        }
    }
}
