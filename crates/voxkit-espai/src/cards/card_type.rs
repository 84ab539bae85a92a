//! A quota card's type (`type`, 额度卡类型): the documented codes, and a decoder that
//! accepts them as strings or numbers without allocating for the documented ones.

use std::fmt;

use serde::de::Deserializer;
use serde::{Deserialize, Serialize, Serializer};

/// A quota card's type (`type`, 额度卡类型).
///
/// The request table of `cdkey/list` lists five paid types, `1`–`5`
/// ("付费额度卡", paid quota card, each with a mythical creature's name). Every response
/// example, however, shows `"type": "0"`, a code the table does not list: it is
/// [`CardType::Zero`]. Anything else is kept as sent in [`CardType::Unknown`].
///
/// On the wire the type is a string (`"0"`, `"1"`); numbers are accepted on decoding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CardType {
    /// `"0"`: the type of every card in the documentation's examples, absent from the
    /// type table. The transfer page's note mentions "免费体验卡" (free trial cards), which
    /// suggests that `0` is the free trial card; **that is not documented**, hence the
    /// neutral name. [`CardType::is_paid`] is `false` for it.
    Zero,
    /// `"1"`: 付费额度卡(青龙), paid quota card "Qinglong" (Azure Dragon).
    Qinglong,
    /// `"2"`: 付费额度卡(九尾狐), paid quota card "Jiuweihu" (Nine-tailed Fox).
    Jiuweihu,
    /// `"3"`: 付费额度卡(玄武), paid quota card "Xuanwu" (Black Tortoise).
    Xuanwu,
    /// `"4"`: 付费额度卡(烛龙), paid quota card "Zhulong" (Torch Dragon).
    Zhulong,
    /// `"5"`: 付费额度卡(饕餮), paid quota card "Taotie".
    Taotie,
    /// A type the documentation does not show, as sent.
    Unknown(String),
}

impl CardType {
    /// Every type the documentation shows: `0` (examples) and `1`–`5` (the type table).
    pub const KNOWN: &'static [CardType] = &[
        CardType::Zero,
        CardType::Qinglong,
        CardType::Jiuweihu,
        CardType::Xuanwu,
        CardType::Zhulong,
        CardType::Taotie,
    ];

    /// Parses a type as sent (`"1"`; surrounding spaces allowed).
    pub fn from_code(code: &str) -> CardType {
        match code.trim() {
            "0" => CardType::Zero,
            "1" => CardType::Qinglong,
            "2" => CardType::Jiuweihu,
            "3" => CardType::Xuanwu,
            "4" => CardType::Zhulong,
            "5" => CardType::Taotie,
            other => CardType::Unknown(other.to_owned()),
        }
    }

    /// The wire code (`"0"` to `"5"`, or the text of [`CardType::Unknown`]).
    pub fn code(&self) -> &str {
        match self {
            CardType::Zero => "0",
            CardType::Qinglong => "1",
            CardType::Jiuweihu => "2",
            CardType::Xuanwu => "3",
            CardType::Zhulong => "4",
            CardType::Taotie => "5",
            CardType::Unknown(raw) => raw,
        }
    }

    /// `true` for the five types the documentation calls paid (`1`–`5`). Only paid cards
    /// can give or receive a quota transfer or be destroyed, according to the
    /// documentation; `false` does not prove a card is free (see [`CardType::Zero`]).
    pub fn is_paid(&self) -> bool {
        matches!(
            self,
            CardType::Qinglong
                | CardType::Jiuweihu
                | CardType::Xuanwu
                | CardType::Zhulong
                | CardType::Taotie
        )
    }
}

impl fmt::Display for CardType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for CardType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for CardType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor of its own: a card list holds thousands of these, and the documented
        // codes need no allocation when read from a borrowed string.
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = CardType;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a card type, as a string or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CardType, E> {
                Ok(CardType::from_code(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<CardType, E> {
                Ok(CardType::from_code(&v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<CardType, E> {
                Ok(CardType::from_code(&v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<CardType, E> {
                // A whole float (`1.0`) reads as its integer, as everywhere in this crate.
                let whole = v.is_finite() && v.fract() == 0.0 && v.abs() < 1e19;
                Ok(CardType::from_code(&if whole {
                    (v as i128).to_string()
                } else {
                    v.to_string()
                }))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<CardType, E> {
                Ok(CardType::from_code(&v.to_string()))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<CardType, E> {
                Err(E::custom("expected a card type, got null"))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_types_round_trip() {
        for (i, t) in CardType::KNOWN.iter().enumerate() {
            assert_eq!(t.code(), i.to_string());
            assert_eq!(&CardType::from_code(&i.to_string()), t);
            let json = serde_json::to_string(t).unwrap();
            assert_eq!(json, format!("\"{i}\""));
            assert_eq!(&serde_json::from_str::<CardType>(&json).unwrap(), t);
            assert_eq!(
                &serde_json::from_str::<CardType>(&i.to_string()).unwrap(),
                t
            );
            assert_eq!(t.is_paid(), i > 0);
        }
        assert_eq!(CardType::from_code("9"), CardType::Unknown("9".into()));
        assert_eq!(CardType::Unknown("9".into()).to_string(), "9");
        assert!(!CardType::Unknown("9".into()).is_paid());
        assert!(serde_json::from_str::<CardType>("null").is_err());
    }
}
