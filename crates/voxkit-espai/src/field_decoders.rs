//! The field decoders ESP-AI needs beyond core's lenient ones
//! ([`voxkit_core::lenient`]): epoch-millisecond timestamps (core has no dates), and the
//! phone number (sent as a number on one endpoint and as a string on the next), which is
//! core's [`opt_digits`](voxkit_core::lenient::opt_digits) under its ESP-AI name. Core's
//! tests pin how the phone and the numbers are read; these pin the timestamps.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Deserializer};

/// A phone number sent as a number (`15916888888`, cards) or a string (`"15916888888"`,
/// usage log), kept as its text: core's digits-as-text decoder, under the name the
/// ESP-AI types use.
pub(crate) use voxkit_core::lenient::opt_digits as opt_phone;

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

    #[derive(Debug, Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "opt_millis")]
        at: Option<SystemTime>,
    }

    fn row(json: &str) -> Result<Row, serde_json::Error> {
        serde_json::from_str(json)
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
}
