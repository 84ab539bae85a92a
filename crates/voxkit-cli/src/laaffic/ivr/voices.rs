//! `voice upload`: IVR voice files (语音文件).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::render::{Report, key_values};

/// `voxkit laaffic voice <command>`.
#[derive(Debug, Subcommand)]
pub enum VoiceCommand {
    /// Upload a voice file (.mp3, .m4a or .wav; its name 5-32 characters) and print its
    /// voice file id. Never sent twice: if the answer is lost, the exit code is 5.
    Upload(Upload),
}

/// The arguments of `voice upload`.
#[derive(Debug, Args)]
pub struct Upload {
    /// The voice file to upload.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The name to upload it under, with its extension (default: the file's name); unique
    /// per account.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
}

/// Runs `voxkit laaffic voice ...`.
pub async fn run(command: VoiceCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        VoiceCommand::Upload(args) => {
            let (name, content) = read_voice_file(&args.file, args.name.as_deref())?;
            let id = global
                .laaffic()?
                .upload_voice_file(&name, &content)
                .await
                .check_with(|| {
                    format!(
                        "voice file names are unique: upload it again under the same \
                             --name {name:?}; a refusal -20 (data exists) means the first \
                             upload was applied"
                    )
                })?;
            Ok(Report::new(
                json!({"voice_file_id": id.as_str(), "name": name, "bytes": content.len()}),
                key_values(&[
                    ("voice_file_id", id.to_string()),
                    ("name", name),
                    ("bytes", content.len().to_string()),
                ]),
            ))
        }
    }
}

/// Reads a voice file; its upload name is `name` or the file's own name.
pub(super) fn read_voice_file(
    path: &std::path::Path,
    name: Option<&str>,
) -> Result<(String, Vec<u8>), CliError> {
    let name = match name {
        Some(name) => name.to_owned(),
        None => path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
            .ok_or_else(|| CliError::invalid("the voice file's path has no UTF-8 file name"))?,
    };
    let content = std::fs::read(path).map_err(|e| {
        CliError::invalid(format!(
            "the voice file {} cannot be read: {e}",
            path.display()
        ))
    })?;
    Ok((name, content))
}
