//! Serde helpers for the wire's loose typing: the documentation types every request field
//! as a string while responses send numbers, and the same field (`user_phone`) arrives as
//! a number on one endpoint and as a string on another. Every helper here accepts either.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// One JSON scalar, whatever its type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Str(String),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
                Scalar::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Unsigned(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(if v >= 0 {
                    Scalar::Unsigned(v as u64)
                } else {
                    Scalar::Signed(v)
                })
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

/// A float that holds a whole number (JSON producers sometimes print `500.0`).
fn whole(f: f64) -> Option<i128> {
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 1e19).then_some(f as i128)
}

impl Scalar {
    /// A signed integer from a number or a decimal string; `None` for null and `""`.
    fn integer<E: de::Error>(self, what: &str) -> Result<Option<i128>, E> {
        let bad = |shown: &dyn fmt::Display| {
            E::custom(format_args!(
                "expected {what} as an integer or a string of digits, got {shown}"
            ))
        };
        match self {
            Scalar::Null => Ok(None),
            Scalar::Unsigned(n) => Ok(Some(i128::from(n))),
            Scalar::Signed(n) => Ok(Some(i128::from(n))),
            Scalar::Float(f) => whole(f).map(Some).ok_or_else(|| bad(&f)),
            Scalar::Str(s) => {
                let t = s.trim();
                if t.is_empty() {
                    Ok(None)
                } else {
                    t.parse::<i128>()
                        .map(Some)
                        .map_err(|_| bad(&format_args!("{s:?}")))
                }
            }
            Scalar::Bool(b) => Err(bad(&b)),
        }
    }
}

/// An unsigned integer sent as a number (`500`) or a string (`"500"`). Null is refused.
pub(crate) fn u64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    opt_u64_lenient(d)?.ok_or_else(|| de::Error::custom("expected an unsigned integer, got null"))
}

/// Like [`u64_lenient`], with null, `""` and absence meaning `None`.
pub(crate) fn opt_u64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Scalar::deserialize(d)?.integer::<D::Error>("an unsigned integer")? {
        None => Ok(None),
        Some(n) => u64::try_from(n)
            .map(Some)
            .map_err(|_| de::Error::custom(format_args!("expected an unsigned integer, got {n}"))),
    }
}

/// A signed integer sent as a number or a string. Null is refused.
pub(crate) fn i64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Scalar::deserialize(d)?.integer::<D::Error>("an integer")? {
        None => Err(de::Error::custom("expected an integer, got null")),
        Some(n) => i64::try_from(n)
            .map_err(|_| de::Error::custom(format_args!("integer {n} out of range"))),
    }
}

/// A phone number sent as a number (`15916888888`, cards) or a string (`"15916888888"`,
/// usage log), kept as its text. Null, `""` and absence are `None`.
pub(crate) fn opt_phone<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Scalar::deserialize(d)? {
        Scalar::Null => Ok(None),
        Scalar::Str(s) => {
            let t = s.trim();
            Ok((!t.is_empty()).then(|| t.to_owned()))
        }
        Scalar::Unsigned(n) => Ok(Some(n.to_string())),
        other => match other.integer::<D::Error>("a phone number")? {
            Some(n) if n >= 0 => Ok(Some(n.to_string())),
            _ => Err(de::Error::custom("expected a phone number")),
        },
    }
}

/// An epoch-milliseconds timestamp (`1743506056109`, or the same as a string). Null, `""`
/// and absence are `None`.
pub(crate) fn opt_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
    let Some(ms) = Scalar::deserialize(d)?.integer::<D::Error>("epoch milliseconds")? else {
        return Ok(None);
    };
    let offset = u64::try_from(ms.unsigned_abs())
        .ok()
        .map(Duration::from_millis)
        .and_then(|dur| {
            if ms >= 0 {
                UNIX_EPOCH.checked_add(dur)
            } else {
                UNIX_EPOCH.checked_sub(dur)
            }
        });
    offset
        .map(Some)
        .ok_or_else(|| de::Error::custom(format_args!("timestamp {ms} ms is out of range")))
}

/// A list that the server may send as `null` (an empty list).
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// An optional token sent as a string or a number, kept as its text; null and absence
/// are `None`.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Text>::deserialize(d)?.map(|t| t.0))
}

/// A code or other token sent as a string or a number, kept as its text (`500` → `"500"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Text(pub(crate) String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Scalar::deserialize(d)? {
            Scalar::Str(s) => Ok(Text(s.trim().to_owned())),
            Scalar::Unsigned(n) => Ok(Text(n.to_string())),
            Scalar::Signed(n) => Ok(Text(n.to_string())),
            Scalar::Float(f) => Ok(Text(match whole(f) {
                Some(n) => n.to_string(),
                None => f.to_string(),
            })),
            Scalar::Bool(b) => Ok(Text(b.to_string())),
            Scalar::Null => Err(de::Error::custom("expected a string or a number, got null")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "opt_u64_lenient")]
        n: Option<u64>,
        #[serde(default, deserialize_with = "opt_phone")]
        phone: Option<String>,
        #[serde(default, deserialize_with = "opt_millis")]
        at: Option<SystemTime>,
    }

    fn row(json: &str) -> Result<Row, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers_as_numbers_or_strings() {
        for (json, want) in [
            (r#"{"n":500}"#, Some(500)),
            (r#"{"n":"500"}"#, Some(500)),
            (r#"{"n":" 423 "}"#, Some(423)),
            (r#"{"n":500.0}"#, Some(500)),
            (r#"{"n":null}"#, None),
            (r#"{"n":""}"#, None),
            (r#"{}"#, None),
            (r#"{"n":18446744073709551615}"#, Some(u64::MAX)),
        ] {
            assert_eq!(row(json).unwrap().n, want, "{json}");
        }
        for bad in [
            r#"{"n":-1}"#,
            r#"{"n":"abc"}"#,
            r#"{"n":1.5}"#,
            r#"{"n":true}"#,
            r#"{"n":[1]}"#,
            r#"{"n":"18446744073709551616"}"#,
        ] {
            assert!(row(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn required_integers_refuse_null() {
        #[derive(Debug, Deserialize)]
        struct R {
            #[serde(deserialize_with = "u64_lenient")]
            _u: u64,
            #[serde(deserialize_with = "i64_lenient")]
            _i: i64,
        }
        assert!(serde_json::from_str::<R>(r#"{"_u":"1","_i":"-3"}"#).is_ok());
        assert!(serde_json::from_str::<R>(r#"{"_u":null,"_i":1}"#).is_err());
        assert!(serde_json::from_str::<R>(r#"{"_u":1,"_i":null}"#).is_err());
        assert!(serde_json::from_str::<R>(r#"{"_i":1}"#).is_err());
    }

    #[test]
    fn phones_as_numbers_or_strings() {
        for (json, want) in [
            (r#"{"phone":15916888888}"#, Some("15916888888")),
            (r#"{"phone":"15916888888"}"#, Some("15916888888")),
            (r#"{"phone":15916888888.0}"#, Some("15916888888")),
            (r#"{"phone":""}"#, None),
            (r#"{"phone":null}"#, None),
        ] {
            assert_eq!(row(json).unwrap().phone.as_deref(), want, "{json}");
        }
        assert!(row(r#"{"phone":-5}"#).is_err());
        assert!(row(r#"{"phone":{}}"#).is_err());
    }

    #[test]
    fn millis_as_times() {
        let at = row(r#"{"at":1743506056109}"#).unwrap().at.unwrap();
        assert_eq!(at, UNIX_EPOCH + Duration::from_millis(1_743_506_056_109));
        assert_eq!(row(r#"{"at":"1743506056109"}"#).unwrap().at, Some(at));
        assert_eq!(row(r#"{"at":null}"#).unwrap().at, None);
        assert_eq!(
            row(r#"{"at":-1000}"#).unwrap().at,
            Some(UNIX_EPOCH - Duration::from_secs(1))
        );
        assert!(row(r#"{"at":"yesterday"}"#).is_err());
    }

    #[test]
    fn text_keeps_what_was_sent() {
        for (json, want) in [
            ("500", "500"),
            (r#""500""#, "500"),
            ("-1", "-1"),
            ("401.0", "401"),
            (r#""E_X""#, "E_X"),
        ] {
            assert_eq!(
                serde_json::from_str::<Text>(json).unwrap().0,
                want,
                "{json}"
            );
        }
        assert!(serde_json::from_str::<Text>("null").is_err());
    }
}
