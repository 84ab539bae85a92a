//! `plugin list --type LLM|TTS|IAT`: the third-party plugins of one kind of service (the
//! provider's `pulgin/select`).

use clap::{Args, Subcommand};
use serde_json::json;
use voxkit_espai::PluginType;

use crate::context::Global;
use crate::failure::CliError;
use crate::render::Report;
use crate::render::espai::{plugin_json, plugins_text};

/// `voxkit espai plugin <command>`.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// List the plugins of one type (one answer: the provider does not page it).
    List(List),
}

/// The arguments of `plugin list`.
#[derive(Debug, Args)]
pub struct List {
    /// The type: LLM (大语言模型), TTS (语音发声) or IAT (语音识别).
    #[arg(long = "type", value_name = "TYPE", value_parser = ["LLM", "TTS", "IAT"], ignore_case = true)]
    plugin_type: String,
}

/// Runs `voxkit espai plugin ...`.
pub(super) async fn run(command: PluginCommand, global: &Global) -> Result<Report, CliError> {
    let PluginCommand::List(args) = command;
    let plugin_type = PluginType::from_code(&args.plugin_type.to_ascii_uppercase());
    let page = global.espai()?.plugins(plugin_type.clone()).await?;
    Ok(Report::new(
        json!({
            "type": plugin_type.code(),
            "plugins": page.items.iter().map(plugin_json).collect::<Vec<_>>(),
            "total": page.total,
        }),
        plugins_text(&page.items, page.total),
    ))
}

#[cfg(test)]
mod tests {
    use crate::cli::Cli;
    use clap::Parser;

    #[test]
    fn the_type_is_one_of_three() {
        let parse =
            |t: &str| Cli::try_parse_from(["voxkit", "espai", "plugin", "list", "--type", t]);
        assert!(parse("LLM").is_ok());
        assert!(parse("tts").is_ok());
        assert!(parse("MUSIC").is_err());
        assert!(Cli::try_parse_from(["voxkit", "espai", "plugin", "list"]).is_err());
    }
}
