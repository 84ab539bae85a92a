//! ESP-AI's error codes: the `code` of a `{"success": false, ...}` envelope.

use std::fmt;

use voxkit_core::Error;

use crate::PROVIDER;

/// An ESP-AI error code, from the `code` of an error envelope
/// (`{"success": false, "message": "...", "code": 500}`).
///
/// The documentation shows two codes; anything else is kept as sent in [`Code::Unknown`].
/// Some business errors come **without** a code (e.g.
/// `{"success": false, "message": "额度卡不存在"}`): they are still
/// [`Error::Api`], with `code: None`, and [`Code::of`] returns `None` for them; match on
/// the message. The HTTP status of error answers is not documented.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Code {
    /// `500`, "系统错误：xxx" (system error), documented for every endpoint.
    SystemError,
    /// `401`, `"缺失参数：<field>"` (a required parameter is missing), shown for
    /// `commodity_id`, `id` and `type`. [`missing_parameter`] extracts the field name.
    ///
    /// Despite the number, it is not an authentication failure.
    MissingParameter,
    /// A code the documentation does not list, as sent.
    Unknown(String),
}

impl Code {
    /// Every documented code, for tests and tools.
    pub const DOCUMENTED: &'static [Code] = &[Code::SystemError, Code::MissingParameter];

    /// Parses a code as sent: `"500"`, `500` printed as text, surrounding spaces allowed.
    /// Anything else is [`Code::Unknown`] holding the trimmed text.
    pub fn from_code(code: &str) -> Code {
        match code.trim().parse::<i64>() {
            Ok(500) => Code::SystemError,
            Ok(401) => Code::MissingParameter,
            _ => Code::Unknown(code.trim().to_owned()),
        }
    }

    /// The numeric code, or `None` for [`Code::Unknown`].
    pub fn code(&self) -> Option<u16> {
        match self {
            Code::SystemError => Some(500),
            Code::MissingParameter => Some(401),
            Code::Unknown(_) => None,
        }
    }

    /// The code of an error returned by this crate, if it is an ESP-AI API error that
    /// carried one.
    pub fn of(error: &Error) -> Option<Code> {
        match error {
            Error::Api { origin, code, .. } if origin.provider == PROVIDER => {
                code.as_deref().map(Code::from_code)
            }
            _ => None,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Unknown(raw) => f.write_str(raw),
            known => write!(f, "{}", known.code().unwrap_or_default()),
        }
    }
}

/// The prefix of a missing-parameter message ("缺失参数：commodity_id").
const MISSING: &str = "缺失参数";

/// The field named by a `"缺失参数：<field>"` (missing parameter) error from this crate, e.g.
/// `Some("commodity_id")` for `{"success": false, "message": "缺失参数：commodity_id",
/// "code": 401}`.
///
/// The message is read whatever the code (or its absence); the separator may be the
/// full-width colon `：` (as in the documentation's source) or `:` (as in its rendered
/// copy). `None` for every other error.
pub fn missing_parameter(error: &Error) -> Option<&str> {
    let Error::Api {
        origin, message, ..
    } = error
    else {
        return None;
    };
    if origin.provider != PROVIDER {
        return None;
    }
    let rest = message.trim().strip_prefix(MISSING)?.trim_start();
    let field = rest
        .strip_prefix('：')
        .or_else(|| rest.strip_prefix(':'))?
        .trim();
    (!field.is_empty()).then_some(field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use voxkit_core::Origin;

    const O: Origin = Origin::new(PROVIDER, "pay");

    #[test]
    fn documented_codes_round_trip() {
        for code in Code::DOCUMENTED {
            let n = code.code().unwrap();
            assert_eq!(&Code::from_code(&n.to_string()), code);
            assert_eq!(code.to_string(), n.to_string());
        }
        assert_eq!(Code::from_code(" 500 "), Code::SystemError);
        assert_eq!(Code::from_code("403"), Code::Unknown("403".into()));
        assert_eq!(Code::from_code("E1"), Code::Unknown("E1".into()));
        assert_eq!(Code::Unknown("403".into()).to_string(), "403");
        assert_eq!(Code::Unknown("403".into()).code(), None);
    }

    #[test]
    fn code_of_reads_only_espai_api_errors() {
        let e = Error::api(O, Some("401".into()), "缺失参数：commodity_id");
        assert_eq!(Code::of(&e), Some(Code::MissingParameter));
        let e = Error::api(O, None, "额度卡不存在");
        assert_eq!(Code::of(&e), None);
        let other = Error::api(Origin::new("laaffic", "balance"), Some("500".into()), "x");
        assert_eq!(Code::of(&other), None);
        assert_eq!(Code::of(&Error::invalid_input(O, "x")), None);
    }

    #[test]
    fn missing_parameter_names_the_field() {
        for (message, want) in [
            ("缺失参数：commodity_id", Some("commodity_id")),
            ("缺失参数:id", Some("id")),
            (" 缺失参数 ： type ", Some("type")),
            ("缺失参数：", None),
            ("缺失参数", None),
            ("系统错误：xxx", None),
        ] {
            let e = Error::api(O, Some("401".into()), message);
            assert_eq!(missing_parameter(&e), want, "{message}");
        }
        let e = Error::api(Origin::new("laaffic", "x"), None, "缺失参数：id");
        assert_eq!(missing_parameter(&e), None);
        assert_eq!(
            missing_parameter(&Error::invalid_input(O, "缺失参数：id")),
            None
        );
    }
}
