//! The provider codes the docs document, in English: what each means and what to do
//! about it, shown next to the provider's own message (often Chinese only).

/// What a documented provider code means in English, and what to do about it: shown next
/// to the provider's own message (often Chinese only).
pub(super) struct Explained {
    /// The provider's name.
    provider: &'static str,
    /// The code as sent.
    code: &'static str,
    /// The English meaning.
    pub(super) meaning: &'static str,
    /// What to do, when there is something to do.
    pub(super) hint: Option<&'static str>,
}

/// The documented codes (provider docs: longlonglong's 10004, 422, 6007 and its 401;
/// Laaffic's code table; ESP-AI's 401 and 500).
const EXPLAINED: &[Explained] = &[
    Explained {
        provider: "longlonglong",
        code: "401",
        meaning: "the token was not accepted",
        hint: Some("check LONGLONGLONG_TOKEN: the partner token, without `Bearer`"),
    },
    Explained {
        provider: "longlonglong",
        code: "10004",
        meaning: "billing is not enabled for this user",
        hint: Some(
            "enable billing (账单权限) for the user in the longlonglong console, then retry",
        ),
    },
    Explained {
        provider: "longlonglong",
        code: "422",
        meaning: "the request was refused as invalid",
        hint: None,
    },
    Explained {
        provider: "longlonglong",
        code: "404",
        meaning: "not found",
        hint: Some("check the id (a UUID of the account)"),
    },
    Explained {
        provider: "longlonglong",
        code: "6007",
        meaning: "the task is running",
        hint: Some("stop the task first"),
    },
    Explained {
        provider: "laaffic",
        code: "-1",
        meaning: "authentication failed",
        hint: Some(
            "check LAAFFIC_API_KEY and LAAFFIC_API_SECRET (the pair from the Laaffic console)",
        ),
    },
    Explained {
        provider: "laaffic",
        code: "-2",
        meaning: "access from this IP address is restricted",
        hint: Some(
            "add this machine's public IP address to the API key's allowed IPs in the Laaffic console",
        ),
    },
    Explained {
        provider: "laaffic",
        code: "-7",
        meaning: "too many numbers",
        hint: None,
    },
    Explained {
        provider: "laaffic",
        code: "-9",
        meaning: "a number is malformed",
        hint: None,
    },
    Explained {
        provider: "laaffic",
        code: "-10",
        meaning: "the balance is insufficient",
        hint: Some("top up the Laaffic account"),
    },
    Explained {
        provider: "laaffic",
        code: "-13",
        meaning: "the account is locked",
        hint: Some("contact Laaffic support"),
    },
    Explained {
        provider: "laaffic",
        code: "-16",
        meaning: "the timestamp is outside the allowed window",
        hint: Some(
            "this machine's clock is off by more than the provider's window: synchronise it (NTP), then retry",
        ),
    },
    Explained {
        provider: "laaffic",
        code: "-18",
        meaning: "the provider's system failed",
        hint: None,
    },
    Explained {
        provider: "laaffic",
        code: "-20",
        meaning: "the data already exists",
        hint: None,
    },
    Explained {
        provider: "laaffic",
        code: "-21",
        meaning: "the data failed validation",
        hint: None,
    },
    Explained {
        provider: "laaffic",
        code: "-22",
        meaning: "a parameter is invalid",
        hint: None,
    },
    Explained {
        provider: "laaffic",
        code: "-24",
        meaning: "no such data",
        hint: None,
    },
    Explained {
        provider: "espai",
        code: "401",
        meaning: "the key was not accepted or a parameter is missing",
        hint: Some(
            "check ESPAI_OPEN_API_KEY (the account's 32-character open_api_key, not an agent's api_key)",
        ),
    },
    Explained {
        provider: "espai",
        code: "500",
        meaning: "the provider's system failed",
        hint: None,
    },
];

/// The explanation of a provider's code, if it is documented.
pub(super) fn explained(provider: &str, code: &str) -> Option<&'static Explained> {
    EXPLAINED
        .iter()
        .find(|e| e.provider == provider && e.code == code)
}

#[cfg(test)]
mod tests {
    use voxkit_core::{Error, Origin};

    use crate::failure::CliError;

    #[test]
    fn documented_codes_are_explained_with_a_hint() {
        // (provider, code, the provider's words, the meaning added, what the hint names)
        let cases = [
            (
                "laaffic",
                "-16",
                "时间戳过期",
                "outside the allowed window",
                Some("clock"),
            ),
            ("laaffic", "-1", "x", "", Some("LAAFFIC_API_SECRET")),
            ("laaffic", "-2", "x", "", Some("IP address")),
            (
                "longlonglong",
                "10004",
                "用户未开通账单权限",
                "billing is not enabled",
                Some(""),
            ),
            (
                "longlonglong",
                "401",
                "Unauthenticated.",
                "",
                Some("LONGLONGLONG_TOKEN"),
            ),
            // An undocumented code keeps the provider's words alone.
            ("longlonglong", "99", "x", "", None),
        ];
        for (provider, code, words, meaning, hint) in cases {
            let cli = CliError::from(Error::api(
                Origin::new(provider, "balance"),
                Some(code.into()),
                words,
            ));
            assert!(cli.message.contains(words), "{code}: {}", cli.message);
            assert!(cli.message.contains(meaning), "{code}: {}", cli.message);
            match hint {
                Some(needle) => {
                    let given = cli
                        .hint
                        .as_deref()
                        .unwrap_or_else(|| panic!("{code}: no hint"));
                    assert!(given.contains(needle), "{code}: {given}");
                    assert_eq!(cli.to_json()["error"]["hint"], given);
                }
                None => assert_eq!(cli.hint, None, "{code}"),
            }
        }
    }

    /// `http_status` is the status the answer came with, as core recorded it: never
    /// guessed from the code.
    #[test]
    fn the_401_status_is_the_one_core_recorded() {
        let unauthenticated = || {
            Error::api(
                Origin::new("longlonglong", "account_info"),
                Some("401".into()),
                "Unauthenticated.",
            )
        };
        assert_eq!(CliError::from(unauthenticated()).http_status, None);
        let cli = CliError::from(unauthenticated().with_http_status(401));
        assert_eq!(cli.http_status, Some(401));
        assert_eq!(cli.to_json()["error"]["http_status"], 401);
    }
}
