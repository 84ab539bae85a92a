//! Lenient field decoders: the documentation types numbers as String in one table and
//! sends them as numbers in the examples (and the other way round), so every numeric
//! field accepts both; dates are parsed from the documented formats.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};

/// The documented `LocalDateTime` format of the task APIs: `"2024-01-01 00:00:00"`.
pub(crate) const LOCAL_DATE_TIME: &str = "%Y-%m-%d %H:%M:%S";

/// The documented ISO-8601 format of the record queries: `"2022-01-01T00:00:00+08:00"`.
pub(crate) const ISO_DATE_TIME: &str = "%Y-%m-%dT%H:%M:%S%:z";

/// One JSON scalar, as sent.
pub(crate) enum Scalar {
    Null,
    Bool,
    Int(i128),
    Float(f64),
    Str(String),
}

impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number, a boolean or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                {
                    let _ = v;
                    Ok(Scalar::Bool)
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar::Str(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Scalar {
    /// An integer from a number or a numeric string; `None` for null or an empty string.
    pub(crate) fn integer<E: de::Error>(self) -> Result<Option<i128>, E> {
        match self {
            Scalar::Null => Ok(None),
            Scalar::Int(n) => Ok(Some(n)),
            Scalar::Str(s) if s.trim().is_empty() => Ok(None),
            Scalar::Str(s) => s
                .trim()
                .parse::<i128>()
                .map(Some)
                .map_err(|_| E::custom("expected an integer")),
            Scalar::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i128)),
            _ => Err(E::custom("expected an integer")),
        }
    }

    /// Text from a string or a number; `None` for null.
    pub(crate) fn text<E: de::Error>(self) -> Result<Option<String>, E> {
        match self {
            Scalar::Null => Ok(None),
            Scalar::Str(s) => Ok(Some(s)),
            Scalar::Int(n) => Ok(Some(n.to_string())),
            Scalar::Float(f) => Ok(Some(f.to_string())),
            Scalar::Bool => Err(E::custom("expected a string")),
        }
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
    serde::Deserialize::deserialize(d)
}

fn fit<T: TryFrom<i128>, E: de::Error>(n: i128) -> Result<T, E> {
    T::try_from(n).map_err(|_| E::custom("integer out of range"))
}

/// A required unsigned integer (number or numeric string).
pub(crate) fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    match scalar(d)?.integer()? {
        Some(n) => fit(n),
        None => Err(de::Error::custom("expected an integer, got nothing")),
    }
}

/// An optional unsigned integer (number, numeric string, null or `""`).
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    scalar(d)?.integer()?.map(fit).transpose()
}

/// Optional text: a string, or a number rendered as text; null is `None`.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    scalar(d)?.text()
}

/// An optional exact decimal from a string (`"0.0100"`) or a number; null or `""` is `None`.
pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match scalar(d)? {
        Scalar::Null => Ok(None),
        Scalar::Str(s) if s.trim().is_empty() => Ok(None),
        Scalar::Str(s) => s
            .trim()
            .parse::<Decimal>()
            .or_else(|_| Decimal::from_scientific(s.trim()))
            .map(Some)
            .map_err(|_| de::Error::custom("expected a decimal")),
        Scalar::Int(n) => i64::try_from(n)
            .map(|n| Some(Decimal::from(n)))
            .map_err(|_| de::Error::custom("decimal out of range")),
        Scalar::Float(f) => Decimal::try_from(f)
            .map(Some)
            .map_err(|_| de::Error::custom("decimal out of range")),
        Scalar::Bool => Err(de::Error::custom("expected a decimal")),
    }
}

/// An optional `LocalDateTime` (`"2024-01-01 00:00:00"`); null or `""` is `None`.
pub(crate) fn opt_local<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDateTime>, D::Error> {
    match scalar(d)?.text()? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => NaiveDateTime::parse_from_str(s.trim(), LOCAL_DATE_TIME)
            .map(Some)
            .map_err(|_| de::Error::custom("expected a date-time \"yyyy-MM-dd HH:mm:ss\"")),
    }
}

/// An optional ISO-8601 date-time with offset (`"2022-02-18T14:42:40+08:00"`); null or
/// `""` is `None`.
pub(crate) fn opt_iso<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    match scalar(d)?.text()? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s.trim())
            .map(Some)
            .map_err(|_| de::Error::custom("expected an ISO-8601 date-time with offset")),
    }
}

/// An optional millisecond epoch (number or numeric string); null, `""` or `0` is `None`.
pub(crate) fn opt_epoch_ms<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    match scalar(d)?.integer()? {
        None | Some(0) => Ok(None),
        Some(ms) => i64::try_from(ms)
            .ok()
            .and_then(DateTime::from_timestamp_millis)
            .map(Some)
            .ok_or_else(|| de::Error::custom("millisecond timestamp out of range")),
    }
}

/// An id in `data` where the page does not document the answer: an integer (or numeric
/// string) is kept, anything else is ignored rather than refused.
pub(crate) fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v: serde_json::Value = serde::Deserialize::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "super::opt_u64")]
        n: Option<u64>,
        #[serde(default, deserialize_with = "super::opt_decimal")]
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
