//! `privacy set`: save the account's privacy and security settings (设置隐私与安全), e.g.
//! hiding customers' phone numbers in the CRM (`disable_crm_phone`).
//!
//! The security code (安全码) is a secret: read from the first line of standard input
//! (`--code-stdin`) or from the `LONGLONGLONG_SECURITY_CODE` environment variable, never
//! from an argument (which `ps` shows), and never printed.

use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};
use voxkit_core::{Error, Origin};
use voxkit_longlonglong::{PROVIDER, SecretString, SecuritySetting, SecuritySettings, UserId};

use crate::context::Global;
use crate::failure::CliError;
use crate::input::stdin_line;
use crate::render::{Report, cell};

/// The environment variable the security code may be read from.
pub const SECURITY_CODE_VARIABLE: &str = "LONGLONGLONG_SECURITY_CODE";

/// The longest security code line read from stdin, in bytes.
const MAX_CODE_BYTES: u64 = 1024;

/// `voxkit longlonglong privacy <command>`.
#[derive(Debug, Subcommand)]
pub enum PrivacyCommand {
    /// Save privacy and security settings (设置隐私与安全). The security code is read from
    /// stdin (--code-stdin) or LONGLONGLONG_SECURITY_CODE, never from an argument. Safe to
    /// repeat: the values given are the values kept.
    Set(Set),
}

/// The arguments of `privacy set`.
#[derive(Debug, Args)]
pub struct Set {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// A setting, `SLUG` or `SLUG=JSON-OBJECT` for its options, e.g.
    /// `disable_crm_phone={"style":1}`; repeat for more, each slug once.
    #[arg(long = "setting", value_name = "SLUG[=JSON]", required = true)]
    settings: Vec<String>,
    /// Read the security code (安全码) from the first line of standard input; without it,
    /// from LONGLONGLONG_SECURITY_CODE.
    #[arg(long)]
    code_stdin: bool,
}

/// Runs one `privacy` command.
pub(super) async fn run(command: PrivacyCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        PrivacyCommand::Set(args) => set(args, global).await,
    }
}

async fn set(args: Set, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let settings = args
        .settings
        .iter()
        .map(|s| parse_setting(s))
        .collect::<Result<Vec<_>, _>>()?;
    let code = read_code(args.code_stdin)?;
    let settings = SecuritySettings::new(settings, code)?;
    let done = global
        .longlonglong()?
        .save_security(&user, &settings)
        .await?;
    let slugs: Vec<&str> = settings
        .settings()
        .iter()
        .map(SecuritySetting::slug)
        .collect();
    Ok(Report::new(
        json!({"user": user.as_str(), "slugs": slugs, "message": done.message, "data": done.data}),
        format!(
            "saved {} for user {user}: {}",
            slugs.join(", "),
            cell(Some(&done.message))
        ),
    ))
}

/// One `--setting SLUG[=JSON-OBJECT]`.
fn parse_setting(text: &str) -> Result<SecuritySetting, Error> {
    let (slug, extra) = match text.split_once('=') {
        None => (text, Map::new()),
        Some((slug, json)) => match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(map)) => (slug, map),
            _ => {
                return Err(Error::invalid_input(
                    Origin::new(PROVIDER, "save_security"),
                    format!(
                        "--setting {:?}: the options after `=` must be a JSON object, e.g. \
                         {{\"style\":1}}",
                        slug.trim()
                    ),
                ));
            }
        },
    };
    SecuritySetting::new(slug.trim(), extra)
}

/// The security code: stdin's first line with `--code-stdin`, else the environment
/// variable; neither is invalid input (exit 2, nothing sent).
fn read_code(from_stdin: bool) -> Result<SecretString, CliError> {
    let code = if from_stdin {
        let line = stdin_line("--code-stdin", "security code", MAX_CODE_BYTES)?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        std::env::var(SECURITY_CODE_VARIABLE).unwrap_or_default()
    };
    if code.trim().is_empty() {
        return Err(CliError::invalid(format!(
            "no security code (安全码): pipe it in with --code-stdin, e.g. printf '%s\\n' \
             \"$CODE\" | voxkit ..., or set {SECURITY_CODE_VARIABLE}; it is never taken \
             from an argument"
        )));
    }
    Ok(SecretString::from(code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn the_code_is_never_an_argument_and_settings_are_parsed() {
        let base = [
            "voxkit",
            "longlonglong",
            "privacy",
            "set",
            "--user",
            "u",
            "--setting",
            "a",
        ];
        assert!(Cli::try_parse_from(base).is_ok());
        for flag in ["--code", "--security-code"] {
            let mut with_value = base.to_vec();
            with_value.extend([flag, "123456"]);
            assert!(Cli::try_parse_from(with_value).is_err(), "{flag}");
        }
        assert_eq!(
            parse_setting(r#"disable_crm_phone={"style":1}"#)
                .unwrap()
                .slug(),
            "disable_crm_phone"
        );
        assert!(parse_setting("x=[1]").unwrap_err().nothing_sent());
        assert!(parse_setting("a b").unwrap_err().nothing_sent());
    }
}
