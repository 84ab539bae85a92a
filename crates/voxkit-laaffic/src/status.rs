//! Laaffic's status codes (the notes' table F, the union of every documented table).

use std::fmt;

use voxkit_core::Error;

use crate::PROVIDER;

macro_rules! statuses {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal ),+ $(,)?) => {
        /// A Laaffic status code. `"0"` is success; every other value is an error.
        ///
        /// Codes the documentation lists are variants; anything else is kept as sent in
        /// [`Status::Unknown`]. Descriptions are the documentation's, translated; where two
        /// pages give a code two meanings, the variant says both.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Status {
            $( $(#[$doc])* $variant, )+
            /// A code the documentation does not list, as sent.
            Unknown(String),
        }

        impl Status {
            /// Every documented status, for tests and tools.
            pub const DOCUMENTED: &'static [Status] = &[$(Status::$variant),+];

            /// The numeric code, or `None` for [`Status::Unknown`].
            pub fn code(&self) -> Option<i32> {
                match self {
                    $( Status::$variant => Some($code), )+
                    Status::Unknown(_) => None,
                }
            }

            fn from_number(code: i64) -> Option<Status> {
                match code {
                    $( $code => Some(Status::$variant), )+
                    _ => None,
                }
            }
        }
    };
}

statuses! {
    /// `0` success.
    Success = 0,
    /// `-1` authentication error (wrong key or signature).
    AuthenticationError = -1,
    /// `-2` IP access restricted.
    IpRestricted = -2,
    /// `-3` SMS content has sensitive words.
    SensitiveContent = -3,
    /// `-4` SMS content is empty.
    EmptyContent = -4,
    /// `-5` SMS content is too long.
    ContentTooLong = -5,
    /// `-6` SMS that is not a template.
    NotTemplate = -6,
    /// `-7` too many phone numbers.
    TooManyNumbers = -7,
    /// `-8` no phone number.
    NoNumbers = -8,
    /// `-9` invalid phone number.
    InvalidNumber = -9,
    /// `-10` insufficient balance.
    InsufficientBalance = -10,
    /// `-11` incorrect time format.
    InvalidTimeFormat = -11,
    /// `-12` platform reason, submit failed; contact the administrator.
    PlatformSubmitFailed = -12,
    /// `-13` user locked.
    UserLocked = -13,
    /// `-14` field empty or query id abnormal.
    EmptyFieldOrBadQueryId = -14,
    /// `-15` queries too frequent.
    FrequentQuery = -15,
    /// `-16` timestamp out of the allowed range (clock skew or expired).
    TimestampOutOfRange = -16,
    /// `-17` SMS template is empty.
    EmptyTemplate = -17,
    /// `-18` port program / system exception.
    SystemError = -18,
    /// `-19` confirm SMS pricing with the business team.
    ConfirmPricing = -19,
    /// `-20` data already exists.
    DataExists = -20,
    /// `-21` data validation exception.
    DataValidationError = -21,
    /// `-22` parameter exception.
    ParameterError = -22,
    /// `-23` data cap reached.
    DataCap = -23,
    /// `-24` data does not exist.
    DataNotFound = -24,
    /// `-25` out of time range.
    OutOfTimeRange = -25,
    /// `-26` getting the fee failed.
    FeeLookupFailed = -26,
    /// `-27` SMS: period total send limit; file upload: wrong file format.
    PeriodSendLimitOrBadFile = -27,
    /// `-28` period phone send limit.
    PeriodPhoneSendLimit = -28,
    /// `-29` SMS: workspace disabled; OTP: content has sensitive words.
    WorkspaceDisabledOrSensitiveWords = -29,
    /// `-30` API key disabled.
    ApiKeyDisabled = -30,
    /// `-31` IP not in the whitelist.
    IpNotWhitelisted = -31,
    /// `-32` API key has no permission for this application.
    ApiKeyNoPermission = -32,
    /// `-34` the last finished task has no callable number; start a new group call.
    NoCallableNumbers = -34,
    /// `-35` no number called.
    NoNumberCalled = -35,
    /// `-37` the group-call task submitted was refused (the page's text is cut off).
    TaskRefused = -37,
    /// `-38` file too large.
    FileTooLarge = -38,
    /// `-39` uploaded file has a wrong format.
    BadFileFormat = -39,
    /// `-41` wrong status, update failed.
    WrongTaskStatus = -41,
    /// `-42` the number count is 0.
    ZeroNumbers = -42,
    /// `-54` the submitted task is wrong.
    TaskInvalid = -54,
    /// `-74` the seat group does not belong to this application.
    SeatGroupNotInApp = -74,
    /// `-77` the application has no minimum rate.
    NoMinimumRate = -77,
}

impl Status {
    /// Parses a status as sent: `"0"`, `"-16"`, `0` or `-16` (surrounding spaces allowed).
    /// Anything else is [`Status::Unknown`] holding the text.
    pub fn from_code(code: &str) -> Status {
        let trimmed = code.trim();
        trimmed
            .parse::<i64>()
            .ok()
            .and_then(Status::from_number)
            .unwrap_or_else(|| Status::Unknown(trimmed.to_owned()))
    }

    /// `true` for [`Status::Success`].
    pub fn is_success(&self) -> bool {
        *self == Status::Success
    }

    /// The status of a voxkit error returned by this crate, if it is a Laaffic API error.
    pub fn of(error: &Error) -> Option<Status> {
        match error {
            Error::Api { origin, code, .. } if origin.provider == PROVIDER => {
                code.as_deref().map(Status::from_code)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code(), self) {
            (Some(code), _) => write!(f, "{code}"),
            (None, Status::Unknown(raw)) => f.write_str(raw),
            (None, _) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_code_round_trips() {
        assert_eq!(Status::DOCUMENTED.len(), 43);
        for status in Status::DOCUMENTED {
            let code = status.code().unwrap();
            assert_eq!(&Status::from_code(&code.to_string()), status);
            assert_eq!(status.to_string(), code.to_string());
        }
    }

    #[test]
    fn table_f() {
        // Spot checks against the notes' table F.
        let table = [
            ("0", Status::Success),
            ("-1", Status::AuthenticationError),
            ("-2", Status::IpRestricted),
            ("-10", Status::InsufficientBalance),
            ("-13", Status::UserLocked),
            ("-16", Status::TimestampOutOfRange),
            ("-18", Status::SystemError),
            ("-24", Status::DataNotFound),
            ("-54", Status::TaskInvalid),
            ("-77", Status::NoMinimumRate),
            (" -16 ", Status::TimestampOutOfRange),
        ];
        for (raw, want) in table {
            assert_eq!(Status::from_code(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn unknown_codes_are_kept() {
        assert_eq!(Status::from_code("-33"), Status::Unknown("-33".into()));
        assert_eq!(Status::from_code("abc"), Status::Unknown("abc".into()));
        assert_eq!(Status::Unknown("-33".into()).to_string(), "-33");
        assert!(!Status::from_code("").is_success());
    }
}
