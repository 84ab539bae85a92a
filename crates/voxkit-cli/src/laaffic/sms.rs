//! `sms send|batch`: Laaffic SMS (短信). Both spend balance and can never be reconciled
//! (no documented read finds a message), so nothing is ever sent twice: a lost answer is
//! exit code 5 with the advice to ask the provider before sending again.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use voxkit_laaffic::{MAX_SMS_POST_NUMBERS, Sms, SmsBatch, SmsBatchItem, SmsReceipt};

use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::render::laaffic::{sms_chunk_line, sms_json, sms_text};
use crate::render::{Report, one_line, write_stderr};

/// `voxkit laaffic sms <command>`.
#[derive(Debug, Subcommand)]
pub enum SmsCommand {
    /// Send one text to numbers (GET up to 100, POST up to 1,000 per request; a
    /// --numbers-file is split into requests of 1,000). Spends balance; never sent twice.
    Send(Send),
    /// Send a batch of texts, one JSON object per line of FILE ({"numbers": "N1,N2",
    /// "content": "...", "senderId": "...", "orderId": "O1,O2"}; `number` is accepted for
    /// `numbers`). Spends balance; never sent twice.
    Batch(Batch),
}

/// The arguments of `sms send`.
#[derive(Debug, Args)]
pub struct Send {
    /// The application id (appId).
    #[arg(long, value_name = "ID")]
    app_id: String,
    /// The numbers, comma-separated (country code + number).
    #[arg(
        long,
        value_name = "N1,N2",
        value_delimiter = ',',
        required_unless_present = "numbers_file",
        conflicts_with = "numbers_file"
    )]
    numbers: Vec<String>,
    /// A file of numbers, one per line (blank lines skipped).
    #[arg(long, value_name = "FILE")]
    numbers_file: Option<PathBuf>,
    /// The text, at most 1,024 characters.
    #[arg(long, value_name = "TEXT")]
    content: String,
    /// The sender id (senderId), at most 32 characters.
    #[arg(long, value_name = "S")]
    sender_id: Option<String>,
    /// Your id per number (orderId), as many as numbers, in order.
    #[arg(long, value_name = "O1,O2", value_delimiter = ',')]
    order_id: Vec<String>,
}

/// The arguments of `sms batch`.
#[derive(Debug, Args)]
pub struct Batch {
    /// The application id (appId).
    #[arg(long, value_name = "ID")]
    app_id: String,
    /// The JSON Lines file of items.
    #[arg(long, value_name = "FILE.jsonl")]
    file: PathBuf,
}

/// Runs `voxkit laaffic sms ...`.
pub async fn run(command: SmsCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        SmsCommand::Send(args) => send(args, global).await,
        SmsCommand::Batch(args) => batch(args, global).await,
    }
}

fn read(path: &std::path::Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::invalid(format!("{} cannot be read: {e}", path.display())))
}

/// The advice for a lost answer: chunks before it were sent; it may have been.
fn lost_advice(sent: usize, chunks: usize) -> String {
    format!(
        "the answer of request {} of {chunks} was lost: it may have been sent and charged. SMS \
         cannot be reconciled (no documented query): ask Laaffic before sending it again; \
         requests 1 to {sent} were sent",
        sent + 1
    )
}

async fn send(args: Send, global: &Global) -> Result<Report, CliError> {
    let numbers: Vec<String> = match &args.numbers_file {
        Some(path) => read(path)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        None => args.numbers.clone(),
    };
    if !args.order_id.is_empty() && args.order_id.len() != numbers.len() {
        return Err(CliError::invalid(format!(
            "--order-id: {} ids for {} numbers (one per number)",
            args.order_id.len(),
            numbers.len()
        )));
    }
    // Every chunk is built and checked before the first is sent.
    let chunks: Vec<Sms> = numbers
        .chunks(MAX_SMS_POST_NUMBERS)
        .enumerate()
        .map(|(i, part)| {
            let mut sms = Sms::new(args.app_id.as_str(), part.to_vec(), args.content.as_str());
            if let Some(sender) = &args.sender_id {
                sms = sms.sender_id(sender.as_str());
            }
            if !args.order_id.is_empty() {
                let at = i * MAX_SMS_POST_NUMBERS;
                sms = sms.order_ids(args.order_id[at..at + part.len()].to_vec());
            }
            sms
        })
        .collect();
    if chunks.is_empty() {
        return Err(CliError::invalid("no numbers to send to"));
    }
    let client = global.laaffic()?;
    let total = chunks.len();
    let mut receipts = Vec::with_capacity(total);
    for (i, sms) in chunks.iter().enumerate() {
        let receipt = client
            .send_sms(sms)
            .await
            .check_with(|| lost_advice(i, total))?;
        if !global.quiet && total > 1 {
            write_stderr(&sms_chunk_line(i, total, sms.numbers().len(), &receipt));
        }
        receipts.push(receipt);
    }
    Ok(report(&receipts))
}

async fn batch(args: Batch, global: &Global) -> Result<Report, CliError> {
    let text = read(&args.file)?;
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let item: SmsBatchItem = serde_json::from_str(line).map_err(|e| {
            CliError::invalid(format!(
                "{} line {}: {}",
                args.file.display(),
                n + 1,
                one_line(&e.to_string())
            ))
        })?;
        items.push(item);
    }
    let batch = SmsBatch::new(args.app_id.as_str(), items);
    let receipt = global
        .laaffic()?
        .send_sms_batch(&batch)
        .await
        .check_with(|| lost_advice(0, 1))?;
    Ok(report(&[receipt]))
}

/// The receipts of every request: totals, and each message's id.
fn report(receipts: &[SmsReceipt]) -> Report {
    Report::new(sms_json(receipts), sms_text(receipts))
}
