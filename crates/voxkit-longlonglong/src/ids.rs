//! Account identifiers: UUIDs, checked when they are made, so that a path can only ever
//! name the account the caller meant. [`uuid_id!`] declares every UUID id of the crate
//! (the line and cloud-node ids of `lines.rs` too).

// The macro names every path in full, so that `lines.rs` declares its ids with it too.

/// Whether `s` is a UUID in its canonical text form: 36 characters, hex digits (either
/// case) in groups of 8-4-4-4-12 separated by hyphens.
pub(crate) fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks that `id` is a UUID (`8-4-4-4-12` hex digits) and wraps it as given.
            /// Anything else (empty, `../admin`, a slash, spaces) is
            /// [`voxkit_core::Error::InvalidInput`].
            pub fn parse(id: &str) -> Result<Self, ::voxkit_core::Error> {
                if $crate::ids::is_uuid(id) {
                    Ok($name(id.to_owned()))
                } else {
                    let shown: String = id.chars().take(40).collect();
                    Err(::voxkit_core::Error::invalid_input(
                        ::voxkit_core::Origin::new($crate::PROVIDER, "parse id"),
                        format!(
                            concat!(
                                "{:?} is not a ",
                                $what,
                                " (a UUID such as 5433b412-07d5-44e6-9fa4-deb65e43bc93)"
                            ),
                            shown
                        ),
                    ))
                }
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
                if $crate::ids::is_uuid(&s) {
                    Ok($name(s))
                } else {
                    Err(::serde::de::Error::custom(concat!("not a ", $what, " (UUID)")))
                }
            }
        }
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
