//! IVR group calls (IVR群呼), one file per operation group: voice files
//! ([`voices`]), tasks ([`tasks`], their bodies in [`task_bodies`]), call records
//! ([`records`]) and the reports the platform pushes ([`report`]). Here: the ids and code
//! enums they share; the paged queries' common parts are in [`paging`].
//!
//! Request types check the documented field rules in `check` before anything is sent;
//! response types carry the documented fields (numbers accepted as numbers or strings,
//! dates parsed from the documented formats) and are `#[non_exhaustive]`.
//!
//! Paths: every laaffic reference page of these endpoints uses
//! `https://api.laaffic.com/v3/…`; the forms without `/v3` appear in the quick-start
//! guide's curl (fileUpload), on the itniotech copies (which drop `/v3` everywhere, also
//! where the laaffic page has it) and on the AI-Agent pages (which drop it even for
//! `voice/group/call/query`, whose IVR page has it). So every endpoint is sent with `/v3`,
//! including the two known only from other copies (detail, pause: itniotech) and cancel
//! (AI-Agent page, without `/v3`). Whether both forms are served is unverified; a base URL
//! cannot change this choice.

use std::fmt;

use serde::{Deserialize, Serialize};
use voxkit_core::{Error, Origin, lenient};

#[cfg(any(test, feature = "test-util"))]
pub(crate) use paging::WirePage;

pub(crate) mod paging;
pub(crate) mod records;
pub(crate) mod report;
pub(crate) mod task_bodies;
pub(crate) mod tasks;
pub(crate) mod voices;

/// Declares an integer code enum with an `Unknown(..)` arm, decoded from a number or a
/// numeric string and sent as a number.
macro_rules! int_enum {
    ($(#[$m:meta])* $name:ident { $( $(#[$d:meta])* $v:ident = $c:literal ),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$d])* $v, )+
            /// A value the documentation does not list, as sent.
            Unknown(i64),
        }

        impl $name {
            /// The numeric code as sent on the wire.
            pub fn code(self) -> i64 {
                match self {
                    $( $name::$v => $c, )+
                    $name::Unknown(code) => code,
                }
            }

            /// The value for a numeric code ([`Self::Unknown`] for an undocumented one).
            pub fn from_code(code: i64) -> Self {
                match code {
                    $( $c => $name::$v, )+
                    other => $name::Unknown(other),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                voxkit_core::lenient::i64(d).map(Self::from_code)
            }
        }
    };
}
pub(crate) use int_enum;

/// The longest id, key or code accepted in a request (an app id, a voice file id, a
/// language code): the pages give no limit; 128 bytes is far beyond any documented value.
pub(crate) const MAX_ID_BYTES: usize = 128;

/// Refuses a request with no number or more than `max` (message: "`request` 1 to `max`
/// numbers (n given)"): the rule the task bodies and the SMS requests share.
pub(crate) fn check_number_count(
    origin: Origin,
    request: &str,
    count: usize,
    max: usize,
) -> Result<(), Error> {
    if count == 0 || count > max {
        return Err(Error::invalid_input(
            origin,
            format!("{request} 1 to {max} numbers ({count} given)"),
        ));
    }
    Ok(())
}

/// A group-call task id: the `jobId` / `taskId` of the query answers, sent back as
/// `keyId` ("主键等于查询返回jobId"), in `jobIdList` (pause) and `taskIdList` (cancel).
/// The pages type it Integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TaskId(pub u64);

impl<'de> Deserialize<'de> for TaskId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::u64(d).map(TaskId)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A voice file id as returned by the upload (`data`, String), e.g.
/// `"1202202254d4c6372d6f341e999c7ecd0683ee464.mp3"`; it embeds the original extension.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VoiceFileId(pub String);

impl VoiceFileId {
    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VoiceFileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for VoiceFileId {
    fn from(id: &str) -> Self {
        VoiceFileId(id.to_owned())
    }
}

impl From<String> for VoiceFileId {
    fn from(id: String) -> Self {
        VoiceFileId(id)
    }
}

#[cfg(test)]
mod tests {
    use super::task_bodies::check_ranges;
    use super::*;

    const O: Origin = Origin::new("laaffic", "test");

    #[test]
    fn number_counts_are_refused_outside_one_to_max_with_the_request_named() {
        assert!(check_number_count(O, "a task calls", 1, 3).is_ok());
        assert!(check_number_count(O, "a task calls", 3, 3).is_ok());
        for (count, given) in [(0, "0 given"), (4, "4 given")] {
            let err = check_number_count(O, "an SMS request takes", count, 3).unwrap_err();
            assert!(err.nothing_sent());
            let text = err.to_string();
            assert!(
                text.contains(&format!("an SMS request takes 1 to 3 numbers ({given})")),
                "{text}"
            );
        }
    }

    #[test]
    fn ranges_check_only_the_values_set_in_order() {
        assert!(check_ranges(O, [("a", None, 1, 2), ("b", Some(2), 1, 2)]).is_ok());
        let err = check_ranges(
            O,
            [("the first", Some(0), 1, 2), ("the second", Some(9), 1, 2)],
        )
        .unwrap_err();
        assert!(err.nothing_sent());
        assert!(err.to_string().contains("the first"), "{err}");
    }
}
