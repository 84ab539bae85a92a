//! `account`, `token`, `set-expiry` and `register`: a user's account, the partner token,
//! and registering an end user.

use clap::Args;
use serde_json::json;
use voxkit_longlonglong::{NewUser, UserId};

use super::{NewAccountArgs, UserArg, parse_date, read_password};
use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::render::longlonglong::{date_text, message_text};
use crate::render::{Report, cell};

/// The arguments of `set-expiry`.
#[derive(Debug, Args)]
pub struct Expiry {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The day the account expires, YYYY-MM-DD (the provider refuses today or earlier).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: String,
}

/// The arguments of `register`.
#[derive(Debug, Args)]
pub struct Register {
    #[command(flatten)]
    account: NewAccountArgs,
    /// The cloud node (云节点) to join; without it, the system default.
    #[arg(long, value_name = "ID")]
    tenant: Option<String>,
}

/// `account --user ID`.
pub(super) async fn account(args: UserArg, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let info = global.longlonglong()?.account_info(&user).await?;
    let balance = info.balance().map(|b| b.to_string());
    Ok(Report::new(
        json!({"user": user.as_str(), "balance": balance, "message": info.message, "data": info.data}),
        crate::render::longlonglong::account_text(&info),
    ))
}

/// `token`.
pub(super) async fn token(global: &Global) -> Result<Report, CliError> {
    let info = global.longlonglong()?.token_info().await?;
    Ok(Report::new(
        json!({"message": info.message, "data": info.data}),
        message_text(&info.message, &info.data),
    ))
}

pub(super) async fn set_expiry(args: Expiry, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let date = parse_date("set_expiry", "--date", &args.date)?;
    let ack = global.longlonglong()?.set_expiry(&user, date).await?;
    Ok(Report::new(
        json!({"user": user.as_str(), "expire_time": date_text(date), "message": ack.message}),
        format!(
            "user {user} now expires on {}: {}",
            date_text(date),
            cell(Some(&ack.message))
        ),
    ))
}

pub(super) async fn register(args: Register, global: &Global) -> Result<Report, CliError> {
    let password = read_password()?;
    let account = &args.account;
    let mut user = NewUser::new(&account.name, &account.email, &account.phone, password);
    if let Some(tenant) = &args.tenant {
        user = user.tenant_id(tenant);
    }
    let registered = global
        .longlonglong()?
        .register_user(&user)
        .await
        .check_with(|| {
            format!(
                "the user {} may have been registered; the API cannot look users up, so ask \
                 the provider before registering this e-mail address again",
                args.account.email
            )
        })?;
    Ok(Report::new(
        json!({"message": registered.message, "data": registered.data}),
        message_text(&registered.message, &registered.data),
    ))
}

#[cfg(test)]
mod tests {
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn passwords_are_never_arguments() {
        let base = [
            "voxkit",
            "longlonglong",
            "register",
            "--name",
            "n",
            "--email",
            "a@b",
            "--phone",
            "1",
        ];
        let err = Cli::try_parse_from(base).unwrap_err();
        assert!(err.to_string().contains("--password-stdin"), "{err}");
        let mut with_value = base.to_vec();
        with_value.extend(["--password", "hunter2"]);
        assert!(Cli::try_parse_from(with_value).is_err());
        let mut ok = base.to_vec();
        ok.push("--password-stdin");
        assert!(Cli::try_parse_from(ok).is_ok());
    }
}
