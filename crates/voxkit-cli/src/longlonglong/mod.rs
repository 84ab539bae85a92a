//! `voxkit longlonglong ...`: the longlonglong AI outbound-call agent API, one file per
//! operation group: [`billing`] (balance movements and their history), [`accounts`] (the
//! account, the token, expiry, registration), [`sub_accounts`], [`callbacks`] (the callback
//! blacklist).

mod accounts;
mod billing;
mod callbacks;
mod customers;
pub(crate) mod dial_times;
mod dialogue;
mod lines;
mod numbers;
mod privacy;
mod records;
mod scripts;
mod sub_accounts;
mod task_v1;
mod tasks;
mod vos;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use voxkit_core::{Error, Origin};
use voxkit_longlonglong::{PROVIDER, SecretString};

use crate::context::Global;
use crate::failure::CliError;
use crate::input::stdin_line;
use crate::render::Report;
#[cfg(test)]
pub(crate) use billing::tests::recharge_words;

/// The longest password line read from stdin, in bytes.
const MAX_PASSWORD_BYTES: u64 = 4096;

/// `voxkit longlonglong <command>`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add N to a user's outbound-call balance (外呼充值). Never sent twice: if the answer
    /// is lost, the exit code is 5 and the message says how to check.
    Recharge(billing::Movement),
    /// Subtract N from a user's outbound-call balance (扣费). Never sent twice (exit code
    /// 5 if the answer is lost).
    Deduct(billing::Movement),
    /// Set a user's outbound-call balance to zero (余额归零). Never sent twice.
    ZeroBalance(UserArg),
    /// The recharge history (充值记录): one page of the last 7 days or of --from/--to (at
    /// most 30 days apart), every page with --all, or a search of every page of the last
    /// 30 days for a remark with --remark (how to reconcile a lost recharge).
    Recharges(billing::History),
    /// Set the day a user's account expires (at least tomorrow).
    SetExpiry(accounts::Expiry),
    /// A user's account information.
    Account(UserArg),
    /// The partner token's validity.
    Token,
    /// A user's sub-accounts (子账户).
    #[command(subcommand)]
    Subaccount(sub_accounts::SubCommand),
    /// Register an end user (用户注册); the password is the first line of stdin.
    Register(accounts::Register),
    /// The callback blacklist (查看回调黑名单): callback URLs the platform stopped calling
    /// for a while, and when each is released.
    CallbackBlacklist(callbacks::Blacklist),
    /// Callbacks the platform pushes: `listen` prints each as it arrives, `data` reads a
    /// batch again by its id.
    #[command(subcommand)]
    Callbacks(callbacks::CallbacksCommand),
    /// Call records (通话记录): `list`, `show` (turn by turn), `recordings`, `tags`.
    #[command(subcommand)]
    Record(records::RecordCommand),
    /// The CRM pool (客户公海): `components`, `list`, `import` and `to-task` (never sent
    /// twice), `delete` (asks first, or --yes).
    #[command(subcommand)]
    Customer(customers::CustomerCommand),
    /// A user's VOS accounts and VOS call records (查询账单): `overview`, `cdrs`.
    #[command(subcommand)]
    Vos(vos::VosCommand),
    /// Lines (呼叫线路): `list`, `allocate` (never sent twice), `unbind`, `bind-scripts`.
    #[command(subcommand)]
    Line(lines::LineCommand),
    /// Script groups (话术分组): `groups`, `tenant`.
    #[command(subcommand)]
    Script(scripts::ScriptCommand),
    /// Dial-time groups (呼叫时间组): `list`, `save` (never sent twice).
    #[command(subcommand)]
    DialTime(dial_times::DialTimeCommand),
    /// Privacy and security settings (隐私与安全): `set`, the security code from stdin or
    /// LONGLONGLONG_SECURITY_CODE.
    #[command(subcommand)]
    Privacy(privacy::PrivacyCommand),
    /// Call tasks 2.0 (呼叫任务): `init`, `list` (--all, --subset), `show`, `pause`, `copy`
    /// (never sent twice).
    #[command(subcommand)]
    Task(tasks::TaskCommand),
    /// A task's numbers (号码): `list` (--all), `add` (--file, never sent twice), `delete`,
    /// `reset` (re-dial, never sent twice).
    #[command(subcommand)]
    Number(numbers::NumberCommand),
    /// The dialogue API (对话接口, AI 客户联络; LONGLONGLONG_DIALOGUE_TOKEN): `send` one
    /// message of a conversation (never sent twice).
    #[command(subcommand)]
    Dialogue(dialogue::DialogueCommand),
    /// Deprecated: the old task API (任务), which call tasks 2.0 (`task`) replaces: `list`,
    /// `show`, `modify`, `pause` (never sent twice), `delete`.
    #[command(subcommand, name = "task-v1")]
    TaskV1(task_v1::TaskV1Command),
}

/// `--user ID`.
#[derive(Debug, Args)]
pub struct UserArg {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
}

/// The account fields `register` and `subaccount create` both send. The password is read
/// from standard input, never taken from an argument.
#[derive(Debug, Args)]
pub struct NewAccountArgs {
    /// The account name (账户名).
    #[arg(long, value_name = "N")]
    name: String,
    /// The e-mail address (unique).
    #[arg(long, value_name = "E")]
    email: String,
    /// The phone number, digits.
    #[arg(long, value_name = "P")]
    phone: String,
    /// Read the password from the first line of standard input (required: a password is
    /// never taken from an argument).
    #[arg(long, required = true)]
    password_stdin: bool,
}

/// Runs one longlonglong command.
pub async fn run(command: Command, global: &Global) -> Result<Report, CliError> {
    match command {
        Command::Recharge(args) => billing::movement(args, false, global).await,
        Command::Deduct(args) => billing::movement(args, true, global).await,
        Command::ZeroBalance(args) => billing::zero_balance(args, global).await,
        Command::Recharges(args) => billing::recharges(args, global).await,
        Command::SetExpiry(args) => accounts::set_expiry(args, global).await,
        Command::Account(args) => accounts::account(args, global).await,
        Command::Token => accounts::token(global).await,
        Command::Subaccount(command) => sub_accounts::run(command, global).await,
        Command::Register(args) => accounts::register(args, global).await,
        Command::CallbackBlacklist(args) => callbacks::blacklist(args, global).await,
        Command::Callbacks(command) => callbacks::callbacks(command, global).await,
        Command::Record(command) => records::run(command, global).await,
        Command::Customer(command) => customers::run(command, global).await,
        Command::Vos(command) => vos::run(command, global).await,
        Command::Line(command) => lines::run(command, global).await,
        Command::Script(command) => scripts::run(command, global).await,
        Command::DialTime(command) => dial_times::run(command, global).await,
        Command::Privacy(command) => privacy::run(command, global).await,
        Command::Task(command) => tasks::run(command, global).await,
        Command::Number(command) => numbers::run(command, global).await,
        Command::Dialogue(command) => dialogue::run(command, global).await,
        Command::TaskV1(command) => task_v1::run(command, global).await,
    }
}

/// Reads the password: the first line of standard input, without its line ending.
fn read_password() -> Result<SecretString, CliError> {
    let mut line = stdin_line("--password-stdin", "password", MAX_PASSWORD_BYTES)?;
    if line.ends_with('\n') {
        line.pop();
        if line.ends_with('\r') {
            line.pop();
        }
    }
    if line.is_empty() {
        return Err(CliError::invalid(
            "--password-stdin: the first line of standard input is empty; pipe the password \
             in, e.g. printf '%s\\n' \"$PASSWORD\" | voxkit ...",
        ));
    }
    Ok(SecretString::from(line))
}

/// A UUID argument as the provider writes them: lower-case (`5433B412-...` names the same
/// account as `5433b412-...`, but the server compares the text and answers 404). Anything
/// that is not plain ASCII is left as typed for the SDK's check to refuse.
fn uuid(text: &str) -> String {
    let text = text.trim();
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_owned()
    }
}

/// The line `\n<label> <id>` naming what a save created, from its answer's `data.id` (a
/// string or a number); empty when the answer names nothing. `line allocate` and
/// `dial-time save` print it alike, so the id is there to quote in the next command.
fn created_id_line(data: &serde_json::Value, label: &str) -> String {
    match data.get("id").filter(|id| !id.is_null()) {
        Some(id) => format!(
            "\n{label} {}",
            id.as_str().map_or_else(|| id.to_string(), str::to_owned)
        ),
        None => String::new(),
    }
}

/// A `YYYY-MM-DD` argument; anything else is invalid input of `operation`.
fn parse_date(operation: &'static str, what: &str, text: &str) -> Result<NaiveDate, Error> {
    let shown: String = text.chars().take(40).collect();
    let valid = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    valid
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| {
            Error::invalid_input(
                Origin::new(PROVIDER, operation),
                format!("{what} {shown:?} is not a date in the form YYYY-MM-DD"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_lower_cased() {
        assert_eq!(
            uuid(" 5433B412-07D5-44E6-9FA4-DEB65E43BC93"),
            "5433b412-07d5-44e6-9fa4-deb65e43bc93"
        );
        assert_eq!(uuid("Ü"), "Ü");
    }

    #[test]
    fn dates_must_be_yyyy_mm_dd() {
        assert_eq!(
            parse_date("set_expiry", "--date", "2030-02-28").unwrap(),
            NaiveDate::from_ymd_opt(2030, 2, 28).unwrap()
        );
        for bad in [
            "2030-02-30",
            "2030-2-28",
            "30-02-28",
            "2030/02/28",
            "tomorrow",
            "",
            "+2030-02-28",
            "2030-02-28 ",
        ] {
            let err = parse_date("set_expiry", "--date", bad).unwrap_err();
            assert!(err.nothing_sent(), "{bad:?}");
            assert_eq!(err.origin().operation, "set_expiry");
            assert_eq!(crate::failure::exit_code(&err), 2);
        }
    }
}
