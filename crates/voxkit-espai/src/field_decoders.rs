//! The two field decoders ESP-AI needs beyond core's lenient ones
//! ([`voxkit_core::lenient`]): a phone number sent as a number on one endpoint and as a
//! string on the next, and epoch-millisecond timestamps (core has no dates). The tests
//! pin how every loosely typed field of this wire is read, core's numbers included.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Deserializer, Visitor};

/// A phone number sent as a number (`15916888888`, cards) or a string (`"15916888888"`,
/// usage log), kept as its text (a string trimmed). Null, `""` and absence are `None`; a
/// negative or fractional number, a boolean or anything else is an error.
pub(crate) fn opt_phone<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a phone number, as digits or a string")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(V)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            Ok((!t.is_empty()).then(|| t.to_owned()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v)
                .map(|v| Some(v.to_string()))
                .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            // A whole float (`15916888888.0`) reads as its integer.
            if v.is_finite() && v.fract() == 0.0 && (0.0..1e19).contains(&v) {
                Ok(Some((v as u64).to_string()))
            } else {
                Err(E::invalid_value(de::Unexpected::Float(v), &self))
            }
        }
    }
    d.deserialize_any(V)
}

/// An epoch-milliseconds timestamp (`1743506056109`, or the same as a string). Null, `""`
/// and absence are `None`.
pub(crate) fn opt_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
    let Some(ms) = voxkit_core::lenient::opt_i64(d)? else {
        return Ok(None);
    };
    let offset = Duration::from_millis(ms.unsigned_abs());
    let at = if ms >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    };
    at.map(Some)
        .ok_or_else(|| de::Error::custom(format_args!("timestamp {ms} ms is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use voxkit_core::lenient::Text;

    #[derive(Debug, Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "opt_phone")]
        phone: Option<String>,
        #[serde(default, deserialize_with = "opt_millis")]
        at: Option<SystemTime>,
    }

    fn row(json: &str) -> Result<Row, serde_json::Error> {
        serde_json::from_str(json)
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
