//! Account identifiers: UUIDs, checked when they are made, so that a path can only ever
//! name the account the caller meant. [`checked_id!`] writes every checked text id of the
//! crate around its check; [`uuid_id!`] gives it the UUID check and declares every UUID id
//! (the line and cloud-node ids of `lines.rs` too), and `dialogue.rs` declares its
//! caller-chosen ids with it around their own check.

// The macros name every path in full, so that any module declares its ids with them.

use voxkit_core::{Error, Origin};

/// Whether `s` is a UUID in its canonical text form: 36 characters, hex digits (either
/// case) in groups of 8-4-4-4-12 separated by hyphens.
pub(crate) fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The check of every UUID id: `Ok` for a UUID, else [`Error::InvalidInput`] saying that
/// `id` (its first 40 characters) is not a `what` and showing a UUID.
pub(crate) fn check_uuid(id: &str, what: &str) -> Result<(), Error> {
    if is_uuid(id) {
        return Ok(());
    }
    let shown: String = id.chars().take(40).collect();
    Err(Error::invalid_input(
        Origin::new(crate::PROVIDER, "parse id"),
        format!("{shown:?} is not a {what} (a UUID such as 5433b412-07d5-44e6-9fa4-deb65e43bc93)"),
    ))
}

/// Declares a text id checked when it is made, whatever the check: the newtype, its
/// `parse` (`check`, a `fn(&str) -> Result<(), voxkit_core::Error>` that says what is
/// wrong; the docs after it are `parse`'s), `as_str`, `Display`, `Debug`, `FromStr`,
/// `TryFrom<&str>` and `TryFrom<String>`, `AsRef<str>`, and serde as a plain string whose
/// deserializing runs the same check (`refused`, the message when it fails).
macro_rules! checked_id {
    (
        $(#[$doc:meta])* $name:ident,
        check: $check:expr,
        refused: $refused:expr,
        $(#[$parse_doc:meta])*
    ) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            $(#[$parse_doc])*
            pub fn parse(id: &str) -> Result<Self, ::voxkit_core::Error> {
                ($check)(id)?;
                Ok($name(id.to_owned()))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::voxkit_core::Error;
            fn from_str(s: &str) -> Result<Self, ::voxkit_core::Error> {
                Self::parse(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ::voxkit_core::Error;
            fn try_from(s: &str) -> Result<Self, ::voxkit_core::Error> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ::voxkit_core::Error;
            fn try_from(s: String) -> Result<Self, ::voxkit_core::Error> {
                Self::parse(&s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                match ($check)(s.as_str()) {
                    Ok(()) => Ok($name(s)),
                    Err(_) => Err(::serde::de::Error::custom($refused)),
                }
            }
        }
    };
}
pub(crate) use checked_id;

/// Declares a UUID id with [`checked_id!`]: `what` names it in the errors.
macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $crate::ids::checked_id!(
            $(#[$doc])* $name,
            check: |id: &str| $crate::ids::check_uuid(id, $what),
            refused: concat!("not a ", $what, " (UUID)"),
            /// Checks that `id` is a UUID (`8-4-4-4-12` hex digits) and wraps it as given.
            /// Anything else (empty, `../admin`, a slash, spaces) is
            /// [`voxkit_core::Error::InvalidInput`].
        );
    };
}
pub(crate) use uuid_id;

uuid_id!(
    /// The id of a main account (主账号, the partner's end user): the `{user_id}` of every
    /// `/agent-api/user/{user_id}/...` path. The docs give it as a UUID
    /// (`5433b412-07d5-44e6-9fa4-deb65e43bc93`); [`UserId::parse`] refuses anything else, so
    /// no call can be pointed at another path.
    ///
    /// ```
    /// use voxkit_longlonglong::UserId;
    /// let user: UserId = "5433b412-07d5-44e6-9fa4-deb65e43bc93".parse()?;
    /// assert!("../admin".parse::<UserId>().is_err());
    /// # Ok::<(), voxkit_core::Error>(())
    /// ```
    UserId,
    "user id"
);

uuid_id!(
    /// The id of a sub-account (子账户): the `{sub_user_id}` of the sub-account paths, and
    /// the `id` a [`crate::SubAccount`] carries. A UUID like [`UserId`].
    SubUserId,
    "sub-account id"
);

uuid_id!(
    /// The id of a call task (呼叫任务): the `{task_id}` of the task, number and call-record
    /// paths. Every example shows a UUID (`289b4a84-…` in the callbacks), so it is checked
    /// like [`UserId`].
    TaskId,
    "task id"
);

uuid_id!(
    /// The id of a call record (通话记录): the `{record_id}` of 通话详情 and 大模型质检记录 and
    /// the `recordIds[]` of 批量播放通话录音地址. A UUID, like every id of this API.
    RecordId,
    "call record id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_accepted_and_kept_as_given() {
        for ok in [
            "5433b412-07d5-44e6-9fa4-deb65e43bc93",
            "5433B412-07D5-44E6-9FA4-DEB65E43BC93",
            "00000000-0000-0000-0000-000000000000",
        ] {
            assert_eq!(UserId::parse(ok).unwrap().as_str(), ok);
            assert_eq!(SubUserId::parse(ok).unwrap().to_string(), ok);
        }
    }

    #[test]
    fn everything_else_is_refused() {
        for bad in [
            "",
            "../admin",
            "5433b412/07d5-44e6-9fa4-deb65e43bc93",
            "5433b412-07d5-44e6-9fa4-deb65e43bc9",
            "5433b412-07d5-44e6-9fa4-deb65e43bc933",
            "5433b41207d544e69fa4deb65e43bc93",
            "{5433b412-07d5-44e6-9fa4-deb65e43bc93}",
            "5433b412-07d5-44e6-9fa4-deb65e43bc9g",
            " 5433b412-07d5-44e6-9fa4-deb65e43bc9",
            "5433b412_07d5-44e6-9fa4-deb65e43bc93",
            "%2e%2e",
            "5433b412-07d5-44e6-9fa4-deb65e43bc9é",
        ] {
            let err = UserId::parse(bad).unwrap_err();
            assert!(err.nothing_sent(), "{bad:?}");
            assert!(err.to_string().contains("not a user id"), "{err}");
            assert!(SubUserId::parse(bad).is_err(), "{bad:?}");
        }
    }

    /// The message a refused UUID id gives, word for word, whichever id it is.
    #[test]
    fn the_refusal_names_the_id_and_shows_a_uuid() {
        let err = SubUserId::parse("../admin").unwrap_err();
        assert!(
            err.to_string().contains(
                r#""../admin" is not a sub-account id (a UUID such as 5433b412-07d5-44e6-9fa4-deb65e43bc93)"#
            ),
            "{err}"
        );
        let err = serde_json::from_str::<TaskId>(r#""../x""#).unwrap_err();
        assert!(err.to_string().contains("not a task id (UUID)"), "{err}");
    }

    #[test]
    fn deserializing_checks_too() {
        let id: UserId = serde_json::from_str(r#""073d8501-b6a3-4869-a87e-71807bfd4fb8""#).unwrap();
        assert_eq!(id.as_str(), "073d8501-b6a3-4869-a87e-71807bfd4fb8");
        assert!(serde_json::from_str::<UserId>(r#""../x""#).is_err());
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            r#""073d8501-b6a3-4869-a87e-71807bfd4fb8""#
        );
    }
}
