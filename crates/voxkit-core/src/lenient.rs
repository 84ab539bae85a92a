//! Lenient field decoders for `#[serde(deserialize_with = "...")]`: numbers sent as
//! numbers or as strings, codes kept as text.
//!
//! # Why
//!
//! All three providers' documentation types a field one way in its table and sends it
//! the other way in its examples (`"per_page": "1"` beside `"total": 31`, a phone number
//! as a number on one endpoint and a string on the next, a status `"0"` or `0`). Each
//! crate had written its own number-or-string visitors, with small differences nobody
//! chose (one accepted `500.0`, one did not; one took `""` as absent, one refused it).
//! These are the one set, with one rule: a number, a numeric string (trimmed) or a whole
//! float is a number; `null` and `""` are absent (refused where a value is required); a
//! boolean, a fraction or anything else is an error, never a guess.

use std::fmt;
use std::marker::PhantomData;

use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, Visitor};

/// Whole floats this large or larger are refused: beyond 2^53 a float no longer holds
/// every integer, so it cannot be the number the server meant.
const WHOLE_FLOAT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// One kind of lenient scalar: how it reads each JSON scalar a provider sends for it.
/// [`Lenient`] adds the rule every kind shares — null and `""` (after trimming) are
/// absent — and the error for a value a kind refuses (`None` here).
trait Scalar: Sized {
    /// What the kind expects, for the error message.
    const EXPECTING: &'static str;
    fn of_u64(v: u64) -> Self;
    fn of_i64(v: i64) -> Option<Self>;
    fn of_f64(v: f64) -> Option<Self>;
    /// `t` is trimmed and not empty.
    fn of_text(t: &str) -> Option<Self>;
}

/// The one visitor of the optional lenient scalars: `None` for null and `""`.
struct Lenient<S>(PhantomData<S>);

impl<S> Lenient<S> {
    const NEW: Self = Lenient(PhantomData);
}

impl<'de, S: Scalar> Visitor<'de> for Lenient<S> {
    type Value = Option<S>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(S::EXPECTING)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(S::of_u64(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        S::of_i64(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        S::of_f64(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Float(v), &self))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        S::of_text(t)
            .map(Some)
            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// Reads an optional lenient scalar of kind `S`.
fn lenient<'de, S: Scalar, D: Deserializer<'de>>(d: D) -> Result<Option<S>, D::Error> {
    d.deserialize_any(Lenient::<S>::NEW)
}

/// A whole float that holds its integer exactly.
fn whole(v: f64) -> bool {
    v.is_finite() && v.fract() == 0.0 && v.abs() < WHOLE_FLOAT_LIMIT
}

/// An integer from any JSON scalar the providers use for one.
impl Scalar for i128 {
    const EXPECTING: &'static str = "an integer, as a number or a string of digits";
    fn of_u64(v: u64) -> Self {
        v.into()
    }
    fn of_i64(v: i64) -> Option<Self> {
        Some(v.into())
    }
    fn of_f64(v: f64) -> Option<Self> {
        whole(v).then_some(v as i128)
    }
    fn of_text(t: &str) -> Option<Self> {
        t.parse().ok()
    }
}

/// An exact decimal: a string keeps its scale (`"0.0100"`), scientific notation is read.
impl Scalar for Decimal {
    const EXPECTING: &'static str = "a decimal, as a number or a string";
    fn of_u64(v: u64) -> Self {
        Decimal::from(v)
    }
    fn of_i64(v: i64) -> Option<Self> {
        Some(Decimal::from(v))
    }
    fn of_f64(v: f64) -> Option<Self> {
        Decimal::try_from(v).ok()
    }
    fn of_text(t: &str) -> Option<Self> {
        t.parse::<Decimal>()
            .or_else(|_| Decimal::from_scientific(t))
            .ok()
    }
}

/// Digits kept as text (see [`opt_digits`]).
struct Digits(String);

impl Scalar for Digits {
    const EXPECTING: &'static str = "a phone number, as digits or a string";
    fn of_u64(v: u64) -> Self {
        Digits(v.to_string())
    }
    fn of_i64(v: i64) -> Option<Self> {
        u64::try_from(v).ok().map(Self::of_u64)
    }
    fn of_f64(v: f64) -> Option<Self> {
        // A whole float (`15916888888.0`) reads as its integer.
        (v.is_finite() && v.fract() == 0.0 && (0.0..1e19).contains(&v))
            .then(|| Digits((v as u64).to_string()))
    }
    fn of_text(t: &str) -> Option<Self> {
        Some(Digits(t.to_owned()))
    }
}

fn fit<T: TryFrom<i128>, E: de::Error>(n: i128, what: &str) -> Result<T, E> {
    T::try_from(n).map_err(|_| E::custom(format_args!("{what} {n} is out of range")))
}

/// A required unsigned integer: `15`, `"15"`, `" 15 "` or `15.0`. Null, `""`, negative
/// numbers, fractions and anything else are refused.
pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    match lenient::<i128, D>(d)? {
        Some(n) => fit(n, "unsigned integer"),
        None => Err(de::Error::custom(
            "expected an unsigned integer, got nothing",
        )),
    }
}

/// An optional unsigned integer: as [`u64()`], with null, `""` (and, with
/// `#[serde(default)]`, absence) meaning `None`.
pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    lenient::<i128, D>(d)?
        .map(|n| fit(n, "unsigned integer"))
        .transpose()
}

/// A required signed integer: `-3`, `"-3"` or `-3.0`. Null and `""` are refused.
pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match lenient::<i128, D>(d)? {
        Some(n) => fit(n, "integer"),
        None => Err(de::Error::custom("expected an integer, got nothing")),
    }
}

/// An optional signed integer; null and `""` are `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    lenient::<i128, D>(d)?
        .map(|n| fit(n, "integer"))
        .transpose()
}

/// An id where the answer is undocumented: an unsigned integer (or a numeric string) is
/// kept, anything else — an object, a boolean, text — is `None` rather than an error, so
/// that an undocumented answer never turns a success into a failure.
pub fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// An exact decimal from a string (`"0.0100"`, scale kept; `"1e-3"`) or a number.
/// Null, `""`, booleans and anything else are refused.
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    opt_decimal(d)?.ok_or_else(|| de::Error::custom("expected a decimal, got nothing"))
}

/// An optional exact decimal; null and `""` are `None`.
pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    lenient(d)
}

/// A code or other token sent as a string or a number, kept as its text: `200` and
/// `"200"` are both `"200"`, `401.0` is `"401"`, strings are trimmed. Null is refused
/// (use `Option<Text>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.trim().to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(if whole(v) {
                    (v as i64).to_string()
                } else {
                    v.to_string()
                }))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A code as text ([`Text`]) for `deserialize_with`; null is refused.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Text::deserialize(d).map(|t| t.0)
}

/// Optional text from a string or a number; null is `None`.
pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Text>::deserialize(d)?.map(|t| t.0))
}

/// A list the server may send as `null`: an empty list.
pub fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Anything, ignored: for a field whose presence matters but whose shape does not.
pub fn ignored<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
    IgnoredAny::deserialize(d).map(drop)
}

/// Digits kept as text, sent as a number (`15916888888`) or a string (`"15916888888"`,
/// trimmed): ESP-AI's phone numbers, which one endpoint types one way and the next the
/// other. Text is kept as sent, so a leading zero or a `+` survives. Null, `""` and (with
/// `#[serde(default)]`) absence are `None`; a negative or fractional number, a boolean or
/// anything else is an error. A whole float reads as its integer, up to 10^19.
pub fn opt_digits<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(lenient::<Digits, D>(d)?.map(|digits| digits.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "opt_u64")]
        u: Option<u64>,
        #[serde(default, deserialize_with = "opt_i64")]
        i: Option<i64>,
        #[serde(default, deserialize_with = "opt_decimal")]
        d: Option<Decimal>,
        #[serde(default, deserialize_with = "opt_text")]
        t: Option<String>,
        #[serde(default, deserialize_with = "lenient_id")]
        id: Option<u64>,
        #[serde(default, deserialize_with = "null_as_empty")]
        list: Vec<u8>,
    }

    fn row(json: &str) -> Result<Row, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers_as_numbers_strings_or_whole_floats() {
        for (json, want) in [
            (r#"{"u":500}"#, Some(500)),
            (r#"{"u":"500"}"#, Some(500)),
            (r#"{"u":" 423 "}"#, Some(423)),
            (r#"{"u":500.0}"#, Some(500)),
            (r#"{"u":null}"#, None),
            (r#"{"u":""}"#, None),
            ("{}", None),
            (r#"{"u":18446744073709551615}"#, Some(u64::MAX)),
        ] {
            assert_eq!(row(json).unwrap().u, want, "{json}");
        }
        for bad in [
            r#"{"u":-1}"#,
            r#"{"u":"abc"}"#,
            r#"{"u":1.5}"#,
            r#"{"u":true}"#,
            r#"{"u":[1]}"#,
            r#"{"u":"18446744073709551616"}"#,
            r#"{"u":1e300}"#,
            r#"{"i":"9223372036854775808"}"#,
        ] {
            assert!(row(bad).is_err(), "{bad}");
        }
        assert_eq!(row(r#"{"i":"-3"}"#).unwrap().i, Some(-3));
        assert_eq!(row(r#"{"i":-3.0}"#).unwrap().i, Some(-3));
    }

    #[test]
    fn required_integers_refuse_nothing() {
        #[derive(Debug, Deserialize)]
        struct R {
            #[serde(deserialize_with = "u64")]
            _u: u64,
            #[serde(deserialize_with = "i64")]
            _i: i64,
        }
        assert!(serde_json::from_str::<R>(r#"{"_u":"1","_i":"-3"}"#).is_ok());
        for bad in [
            r#"{"_u":null,"_i":1}"#,
            r#"{"_u":"","_i":1}"#,
            r#"{"_u":1,"_i":null}"#,
            r#"{"_i":1}"#,
        ] {
            assert!(serde_json::from_str::<R>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decimals_keep_their_scale() {
        assert_eq!(
            row(r#"{"d":"0.0100"}"#).unwrap().d.unwrap().to_string(),
            "0.0100"
        );
        assert_eq!(row(r#"{"d":2}"#).unwrap().d, Some(Decimal::from(2)));
        assert_eq!(
            row(r#"{"d":"1e-3"}"#).unwrap().d.unwrap().to_string(),
            "0.001"
        );
        assert_eq!(row(r#"{"d":""}"#).unwrap().d, None);
        assert!(row(r#"{"d":"abc"}"#).is_err());
        assert!(row(r#"{"d":true}"#).is_err());
    }

    #[test]
    fn codes_and_ids() {
        for (json, want) in [
            ("500", "500"),
            (r#"" 500 ""#, "500"),
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
        assert_eq!(row(r#"{"t":7}"#).unwrap().t.as_deref(), Some("7"));
        assert_eq!(row(r#"{"t":null}"#).unwrap().t, None);
        assert_eq!(row(r#"{"id":"42"}"#).unwrap().id, Some(42));
        assert_eq!(row(r#"{"id":{"x":1}}"#).unwrap().id, None);
        assert_eq!(row(r#"{"id":"f.mp3"}"#).unwrap().id, None);
        assert_eq!(row(r#"{"list":null}"#).unwrap().list, Vec::<u8>::new());
        assert_eq!(row(r#"{"list":[1]}"#).unwrap().list, vec![1]);
    }

    #[test]
    fn digits_and_plain_codes_are_kept_as_text() {
        #[derive(Debug, Deserialize)]
        struct Phone {
            #[serde(default, deserialize_with = "opt_digits")]
            phone: Option<String>,
        }
        let phone = |json: &str| serde_json::from_str::<Phone>(json).map(|p| p.phone);
        for (json, want) in [
            (r#"{"phone":15916888888}"#, Some("15916888888")),
            (r#"{"phone":"15916888888"}"#, Some("15916888888")),
            (r#"{"phone":15916888888.0}"#, Some("15916888888")),
            (r#"{"phone":""}"#, None),
            (r#"{"phone":null}"#, None),
        ] {
            assert_eq!(phone(json).unwrap().as_deref(), want, "{json}");
        }
        assert!(phone(r#"{"phone":-5}"#).is_err());
        assert!(phone(r#"{"phone":{}}"#).is_err());
        // A code sent as a plain string is kept as sent.
        assert_eq!(serde_json::from_str::<Text>(r#""500""#).unwrap().0, "500");
    }
}
