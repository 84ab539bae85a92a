//! `voxkit man`, a hidden command: writes the man pages generated from the command tree,
//! so that they can never disagree with `--help`. `cargo xtask dist` runs it to put the
//! pages beside the release binary; packagers can run it too.

use std::io::Write;
use std::path::PathBuf;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::failure::CliError;

/// The arguments of `voxkit man`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write `voxkit.1` and one page per subcommand (`voxkit-laaffic-balance.1`, ...) into
    /// this directory (created if missing). Without it, `voxkit.1` goes to stdout.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

/// Writes the pages.
pub fn run(args: Args) -> Result<(), CliError> {
    match args.out_dir {
        Some(dir) => write_pages(&dir).map_err(|e| {
            CliError::local(
                "io",
                format!("could not write the man pages to {}: {e}", dir.display()),
            )
        }),
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| {
                    CliError::local("io", format!("could not render the man page: {e}"))
                })?;
            // A closed pipe (`voxkit man | head`) is not worth an error.
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&page);
            let _ = out.flush();
            Ok(())
        }
    }
}

/// Writes `voxkit.1` and the page of every visible subcommand into `dir`. Hidden commands
/// (this one) get no page.
fn write_pages(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(Cli::command(), dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// A fresh directory under the system's temporary directory, unique to this test run.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("voxkit-man-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn pages_cover_every_visible_command_and_not_the_hidden_one() {
        let dir = scratch("pages");
        write_pages(&dir).unwrap();
        for page in [
            "voxkit.1",
            "voxkit-sandbox.1",
            "voxkit-demo.1",
            "voxkit-laaffic-balance.1",
            "voxkit-longlonglong-recharge.1",
        ] {
            assert!(dir.join(page).is_file(), "{page} missing");
        }
        assert!(!dir.join("voxkit-man.1").exists());
        let main = std::fs::read_to_string(dir.join("voxkit.1")).unwrap();
        assert!(main.starts_with(".ie"), "{main}");
        assert!(main.contains(".TH voxkit 1"), "{main}");
        // The exit codes (after_help) are part of the page, and the hidden command is not.
        assert!(main.contains("outcome unknown"), "{main}");
        assert!(!main.contains("voxkit\\-man"), "{main}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_command_is_hidden_and_takes_a_directory() {
        let help = Cli::command().render_help().to_string();
        assert!(!help.contains("\n  man "), "{help}");
        let cli = Cli::try_parse_from(["voxkit", "man", "--out-dir", "x/y"]).unwrap();
        match cli.command {
            crate::cli::Command::Man(args) => assert_eq!(args.out_dir, Some("x/y".into())),
            other => panic!("{other:?}"),
        }
    }
}
