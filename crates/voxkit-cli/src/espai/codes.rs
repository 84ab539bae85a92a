//! Redemption codes (兑换码) as input. A code is what spends a card's quota, and a
//! command-line argument is visible to every user of the machine (`ps`,
//! `/proc/<pid>/cmdline`): every command that takes a code also reads it from an
//! environment variable or, with `--code-stdin`, from standard input.

use clap::Args;

use crate::failure::CliError;
use crate::input::stdin_line;

/// The longest line read from stdin for a code, in bytes.
const MAX_CODE_BYTES: u64 = 1024;
/// Why codes are not only arguments, for the help.
pub(super) const CODE_HELP: &str = "A command-line argument is visible to other users (`ps`): in scripts \
                         prefer the environment variable or --code-stdin.";

/// A redemption code: `--code`, `VOXKIT_ESPAI_CODE` or `--code-stdin`.
#[derive(Debug, Args)]
pub struct CodeArg {
    /// The redemption code (兑换码). Also read from VOXKIT_ESPAI_CODE, or from stdin with
    /// --code-stdin: an argument is visible to other users in `ps`.
    #[arg(
        long,
        value_name = "C",
        env = "VOXKIT_ESPAI_CODE",
        hide_env_values = true
    )]
    code: Option<String>,
    /// Read the redemption code from the first line of standard input (trimmed; an empty
    /// line is refused). Takes precedence over --code and VOXKIT_ESPAI_CODE.
    #[arg(long)]
    code_stdin: bool,
}

impl CodeArg {
    /// The code: from --code-stdin (the next line of stdin), else from the argument or
    /// the environment variable.
    pub(super) fn resolve(
        &self,
        flag: &str,
        variable: &str,
        stdin: &mut StdinLines,
    ) -> Result<String, CliError> {
        if self.code_stdin {
            return stdin.next(&format!("{flag}-stdin"));
        }
        required(self.code.clone(), flag, variable)
    }
}

/// A code that must be given one way or another.
pub(super) fn required(
    code: Option<String>,
    flag: &str,
    variable: &str,
) -> Result<String, CliError> {
    code.ok_or_else(|| {
        CliError::invalid(format!(
            "no redemption code: give {flag}, set {variable}, or use {flag}-stdin"
        ))
    })
}

/// The lines of standard input, read one at a time for the `--*-stdin` flags.
#[derive(Default)]
pub(super) struct StdinLines {
    read: usize,
}

impl StdinLines {
    /// The next line of stdin, trimmed; an empty line or none is refused.
    pub(super) fn next(&mut self, flag: &str) -> Result<String, CliError> {
        let line = stdin_line(flag, "code", MAX_CODE_BYTES)?;
        self.read += 1;
        let code = line.trim();
        if code.is_empty() {
            let which = if self.read == 1 { "first" } else { "second" };
            return Err(CliError::invalid(format!(
                "{flag}: the {which} line of standard input is empty; pipe the code in, e.g. \
                 printf '%s\\n' \"$CODE\" | voxkit ..."
            )));
        }
        Ok(code.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn codes_come_from_an_argument_an_environment_variable_or_stdin() {
        let show = |extra: &[&str]| {
            let mut args = vec!["voxkit", "espai", "cdkey", "show", "--phone", "1"];
            args.extend(extra);
            Cli::try_parse_from(args)
        };
        assert!(show(&["--code", "abc"]).is_ok());
        assert!(show(&["--code-stdin"]).is_ok());
        // Neither: clap accepts it (the environment may hold it); resolving refuses it.
        let missing = CodeArg {
            code: None,
            code_stdin: false,
        };
        let err = missing
            .resolve("--code", "VOXKIT_ESPAI_CODE", &mut StdinLines::default())
            .unwrap_err();
        assert_eq!(err.exit_code, 2);
        assert!(err.message.contains("VOXKIT_ESPAI_CODE"), "{}", err.message);
        assert!(err.message.contains("--code-stdin"), "{}", err.message);
        let transfer = [
            "voxkit",
            "espai",
            "cdkey",
            "transfer",
            "--phone",
            "1",
            "--to-phone",
            "2",
            "--amount",
            "3",
            "--code-stdin",
            "--to-code-stdin",
        ];
        assert!(Cli::try_parse_from(transfer).is_ok());
    }

    #[test]
    fn the_help_says_why_codes_need_not_be_arguments() {
        use clap::CommandFactory as _;
        let mut cli = Cli::command();
        for path in [["espai", "cdkey", "show"], ["espai", "cdkey", "transfer"]] {
            let mut command = &mut cli;
            for name in path {
                command = command.find_subcommand_mut(name).unwrap();
            }
            let help = command.render_long_help().to_string();
            assert!(help.contains("ps"), "{help}");
            assert!(help.contains("VOXKIT_ESPAI_CODE"), "{help}");
            assert!(help.contains("--code-stdin"), "{help}");
        }
    }
}
