//! clap's errors as the CLI prints them: help and version as clap renders them, a usage
//! error as one line (a JSON object with `--output json`) in plain words, exit code 2.

use std::process::ExitCode;

use clap::error::ErrorKind;

use super::{CliError, EXIT_INVALID};
use crate::context::Format;
use crate::render::one_line;

/// Prints a clap error (help, version, or a usage error as one line) and returns the exit
/// code: 0 for help and version, 2 for usage errors.
pub fn usage_error(error: &clap::Error, format: Format) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand if format == Format::Text => {
            // The help of the command that needs a subcommand: more useful than one line.
            let _ = error.print();
            return ExitCode::from(EXIT_INVALID);
        }
        _ => {}
    }
    let rendered = error.render().to_string();
    let (message, usage) = summarize_clap(&rendered, error.kind());
    let mut cli = CliError::usage(message);
    cli.hint = Some(match usage {
        Some(usage) => format!("usage: {usage}; try --help"),
        None => "try --help".to_owned(),
    });
    cli.print(format);
    ExitCode::from(cli.exit_code)
}

/// The message and the usage line of clap's rendered error, each on one line.
fn summarize_clap(rendered: &str, kind: ErrorKind) -> (String, Option<String>) {
    let mut message = Vec::new();
    let mut usage = None;
    let mut in_message = true;
    for paragraph in rendered.split("\n\n") {
        let text = one_line(paragraph);
        if text.is_empty() {
            continue;
        }
        if let Some(rest) = text.strip_prefix("Usage: ") {
            usage = Some(rest.to_owned());
            in_message = false;
        } else if text.starts_with("For more information") {
            in_message = false;
        } else if in_message {
            message.push(text);
        }
    }
    let mut message = message.join("; ");
    if let Some(rest) = message.strip_prefix("error: ") {
        message = rest.to_owned();
    }
    message = plain_clap(&message);
    if message.is_empty() {
        message = match kind {
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                "a subcommand is required".to_owned()
            }
            _ => "invalid command line".to_owned(),
        };
    }
    (message, usage)
}

/// clap's number messages in plain words: `0 is not in 1..18446744073709551615` becomes
/// "must be a whole number of at least 1", `invalid digit found in string` "must be a
/// whole number", and `unexpected argument '-5'` says that values are positive (clap
/// reads a leading `-` as an option).
fn plain_clap(message: &str) -> String {
    let mut text = message.to_owned();
    if let Some(at) = text.find(" is not in 1..") {
        // Cut the "N is not in 1..MAX" clause, from the value before it.
        let start = text[..at].rfind(": ").map_or(0, |i| i + 2);
        let end = text[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || ".= ".contains(c)))
            .map_or(text.len(), |i| at + i);
        text.replace_range(start..end, "must be a whole number of at least 1");
    }
    text = text.replace("invalid digit found in string", "must be a whole number");
    text = text.replace(
        "number too large to fit in target type",
        "is too large a number",
    );
    if let Some(rest) = text.strip_prefix("unexpected argument '-") {
        let value: String = rest.chars().take_while(|c| *c != '\'').collect();
        if !value.is_empty() && value.chars().all(|c| c.is_ascii_digit() || c == '.') {
            text = format!(
                "unexpected argument '-{value}': amounts, counts and pages are positive (a \
                 value starting with - is read as an option)"
            );
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::Cli;

    /// The one-line message clap's error for `voxkit <args>` becomes, and its usage line.
    fn summarized(args: &[&str]) -> (String, Option<String>) {
        let mut argv = vec!["voxkit"];
        argv.extend(args);
        let error = Cli::try_parse_from(argv).unwrap_err();
        assert_eq!(error.exit_code(), 2);
        summarize_clap(&error.render().to_string(), error.kind())
    }

    #[test]
    fn usage_errors_become_one_line() {
        let (message, usage) = summarized(&["longlonglong", "recharge", "--user", "u"]);
        assert!(message.contains("--amount <N>"), "{message}");
        assert!(!message.contains('\n'));
        assert!(
            usage
                .as_deref()
                .unwrap()
                .starts_with("voxkit longlonglong recharge"),
            "{usage:?}"
        );
    }

    #[test]
    fn clap_number_messages_are_plain() {
        let recharge = crate::longlonglong::recharge_words;
        // (arguments, what the message says, what it no longer says)
        let cases: [(&[&str], &str, &str); 4] = [
            (
                &recharge("0"),
                "must be a whole number of at least 1",
                "18446744073709551615",
            ),
            (
                &recharge("-5"),
                "are positive",
                "unexpected argument '-5' found",
            ),
            (&recharge("ten"), "must be a whole number", "invalid digit"),
            (
                &["espai", "cdkey", "list", "--page", "0"],
                "must be a whole number of at least 1",
                "4294967295",
            ),
        ];
        for (args, says, not) in cases {
            let (message, _) = summarized(args);
            assert!(message.contains(says), "{args:?}: {message}");
            assert!(!message.contains(not), "{args:?}: {message}");
        }
    }
}
