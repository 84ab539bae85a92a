//! The business codes of the envelope's `code` field.

use std::fmt;

use voxkit_core::Error;

use crate::PROVIDER;

/// A documented business code from the envelope's `code` field, where `200` is success and
/// anything else an error. The API sends these **with HTTP 200**: the HTTP status proves
/// nothing, the `code` does.
///
/// Get one from an error with [`Code::of`]:
///
/// ```
/// use voxkit_longlonglong::Code;
/// # let err = voxkit_core::Error::api(
/// #     voxkit_core::Origin::new("longlonglong", "set_expiry"), Some("422".into()), "到期时间最少设置一天");
/// match Code::of(&err) {
///     Some(Code::ValidationFailed) => eprintln!("refused: {err}"), // e.g. an expiry of today
///     Some(Code::BillingNotEnabled) => eprintln!("enable billing for this user first"),
///     _ => eprintln!("{err}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `200`: success. Never inside an error; listed so that every code has a name.
    Success,
    /// `422`: the request was refused as invalid. Documented for 设置用户过期时间 with the
    /// message `到期时间最少设置一天` ("the expiry must be at least one day away": the date is
    /// today or earlier, or missing).
    ValidationFailed,
    /// `6007`: `2.0任务启动中,请先停止任务` — the 2.0 task is running; stop it first
    /// (documented for the number-deletion endpoint).
    TaskRunning,
    /// `10004`: `用户未开通账单权限` — billing is not enabled for this user (documented for
    /// 外呼充值, recharge and deduct).
    BillingNotEnabled,
    /// A code the documentation does not list, as received.
    Unknown(String),
}

impl Code {
    /// Every documented code, for tables and exhaustive tests.
    pub const DOCUMENTED: [Code; 4] = [
        Code::Success,
        Code::ValidationFailed,
        Code::TaskRunning,
        Code::BillingNotEnabled,
    ];

    /// The code named by the text of an envelope's `code` (`"10004"`).
    pub fn from_code(code: &str) -> Code {
        match code.trim() {
            "200" => Code::Success,
            "422" => Code::ValidationFailed,
            "6007" => Code::TaskRunning,
            "10004" => Code::BillingNotEnabled,
            other => Code::Unknown(other.to_owned()),
        }
    }

    /// The code as it travels, e.g. `"10004"`.
    pub fn code(&self) -> &str {
        match self {
            Code::Success => "200",
            Code::ValidationFailed => "422",
            Code::TaskRunning => "6007",
            Code::BillingNotEnabled => "10004",
            Code::Unknown(code) => code,
        }
    }

    /// The documented message of the code, where there is one.
    pub fn documented_message(&self) -> Option<&'static str> {
        match self {
            Code::ValidationFailed => Some("到期时间最少设置一天"),
            Code::TaskRunning => Some("2.0任务启动中,请先停止任务"),
            Code::BillingNotEnabled => Some("用户未开通账单权限"),
            Code::Success | Code::Unknown(_) => None,
        }
    }

    /// The code of a longlonglong API error ([`Error::Api`] from this crate), `None` for
    /// every other error.
    pub fn of(error: &Error) -> Option<Code> {
        if error.origin().provider != PROVIDER {
            return None;
        }
        error.api_code().map(Code::from_code)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use voxkit_core::Origin;

    #[test]
    fn codes_round_trip() {
        for code in Code::DOCUMENTED {
            assert_eq!(Code::from_code(code.code()), code);
        }
        assert_eq!(Code::from_code("999"), Code::Unknown("999".into()));
        assert_eq!(Code::from_code("999").code(), "999");
    }

    #[test]
    fn of_reads_only_this_providers_api_errors() {
        let ours = Error::api(Origin::new(PROVIDER, "recharge"), Some("10004".into()), "x");
        assert_eq!(Code::of(&ours), Some(Code::BillingNotEnabled));
        let theirs = Error::api(Origin::new("laaffic", "balance"), Some("10004".into()), "x");
        assert_eq!(Code::of(&theirs), None);
        let not_api = Error::invalid_input(Origin::new(PROVIDER, "recharge"), "x");
        assert_eq!(Code::of(&not_api), None);
    }
}
