//! `voxkit journal list|show|reconcile`: looking into a batch journal (a SQLite file or a
//! PostgreSQL URL) and resolving what is in doubt. Card codes never appear: the journal holds
//! only their fingerprints.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::mpsc::unbounded_channel;
use voxkit_journal::{
    Intent, Journal, ListFilter, RowOutcome, Runner, Settings, State, owner_for_this_process,
};

use super::store::JournalLocation;
use super::{Clients, DEFAULT_SCHEMA, FileResolver, journal_location, progress, read_rows};
use crate::context::{Format, Global};
use crate::failure::{CliError, EXIT_UNKNOWN};
use crate::render::write_stdout;

/// Where the journal is: the same `--journal` as `voxkit batch run`.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// The journal: a SQLite file written by `voxkit batch run`, or its `postgres://` URL
    /// (the password is never printed; TLS as `voxkit batch run --help` says).
    #[arg(long, value_name = "PATH|URL", value_parser = journal_location())]
    pub journal: JournalLocation,
    /// The PostgreSQL schema of the journal; ignored for a SQLite file.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_SCHEMA)]
    pub journal_schema: String,
}

/// `voxkit journal`: looking into a batch journal.
#[derive(Debug, clap::Subcommand)]
pub enum JournalCommand {
    /// List the intents of a journal (oldest first), optionally only those in a state.
    List {
        /// The journal.
        #[command(flatten)]
        store: StoreArgs,
        /// Only intents in this state (pending, sent, applied, refused, in_doubt,
        /// not_applied, undetermined).
        #[arg(long, value_name = "S")]
        state: Option<State>,
    },
    /// Show one intent of a journal by its key: state, attempts, evidence or error.
    Show {
        /// The row's key.
        key: String,
        /// The journal.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Resolve intents in doubt against the provider: KEY, or every intent not final.
    ///
    /// An intent left `sent` (its process died) or `in_doubt` (its answer was lost) is
    /// looked for in the provider's records (the recharge history, the card's usage log,
    /// the card list) and becomes applied, not applied or undetermined; each is printed.
    /// Nothing is sent: a pending or not-applied intent is left for `voxkit batch run`.
    /// Credentials come from the environment, as for `batch run`. Exit 0 when nothing is
    /// left undetermined, 5 otherwise.
    Reconcile {
        /// Only this intent (default: every intent not final).
        key: Option<String>,
        /// The journal.
        #[command(flatten)]
        store: StoreArgs,
        /// The batch file the intents came from: needed to reconcile ESP-AI transfers,
        /// whose card codes the journal keeps only as fingerprints.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
        /// How many intents are reconciled at once.
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
        concurrency: u16,
    },
}

/// Runs `voxkit journal`.
pub async fn run_journal(command: JournalCommand, global: &Global) -> Result<(), CliError> {
    match command {
        JournalCommand::List { store, state } => {
            let journal = open(&store, 2).await?;
            let filter = match state {
                Some(state) => ListFilter::all().state(state),
                None => ListFilter::all(),
            };
            let intents = journal.list(&filter).await.map_err(|e| failed(&store, e))?;
            print_intents(&intents, global.output);
            Ok(())
        }
        JournalCommand::Show { key, store } => {
            let journal = open(&store, 2).await?;
            match journal.get(&key).await.map_err(|e| failed(&store, e))? {
                Some(intent) => {
                    print_intents(&[intent], global.output);
                    Ok(())
                }
                None => Err(CliError::invalid(format!("no intent with key {key:?}"))),
            }
        }
        JournalCommand::Reconcile {
            key,
            store,
            file,
            concurrency,
        } => reconcile(key, &store, file, concurrency, global).await,
    }
}

async fn open(store: &StoreArgs, pool: usize) -> Result<Arc<dyn Journal>, CliError> {
    store.journal.open(false, &store.journal_schema, pool).await
}

fn failed(store: &StoreArgs, error: voxkit_journal::Error) -> CliError {
    CliError::local("journal", store.journal.scrub(&error.to_string()))
}

/// States that mean "a person (or another look) is still needed".
fn unresolved(state: State) -> bool {
    matches!(state, State::Sent | State::InDoubt | State::Undetermined)
}

async fn reconcile(
    key: Option<String>,
    store: &StoreArgs,
    file: Option<PathBuf>,
    concurrency: u16,
    global: &Global,
) -> Result<(), CliError> {
    let pool = usize::from(concurrency).saturating_add(2).min(32);
    let journal = open(store, pool).await?;
    let fail = |e| failed(store, e);
    // The intents in scope, as they were before.
    let before: Vec<Intent> = match &key {
        Some(key) => match journal.get(key).await.map_err(fail)? {
            Some(intent) => vec![intent],
            None => return Err(CliError::invalid(format!("no intent with key {key:?}"))),
        },
        None => journal.list(&ListFilter::not_final()).await.map_err(fail)?,
    };
    let in_doubt = before
        .iter()
        .filter(|i| matches!(i.state, State::Sent | State::InDoubt));
    let needs = |provider: &str| in_doubt.clone().any(|i| i.provider == provider);
    let clients = Clients::for_providers(needs, global)?;
    let rows = match &file {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError::invalid(format!("cannot read {}: {e}", file.display())))?;
            read_rows(file, &text)?.0
        }
        None => Vec::new(),
    };
    let resolver = FileResolver::new(&rows, &[], clients);

    let mut results: HashMap<String, RowOutcome> = HashMap::new();
    if in_doubt.clone().next().is_some() {
        let mut settings = Settings::default();
        settings.concurrency = usize::from(concurrency);
        let (sender, receiver) = unbounded_channel();
        let runner =
            Runner::with_settings(Arc::clone(&journal), owner_for_this_process(), settings)
                .resolver(Arc::new(resolver))
                .progress(sender);
        let printer = tokio::spawn(progress::show(receiver, 100, "reconcile"));
        let only = key.clone().map(|k| vec![k]);
        let summary = runner
            .reconcile_in_doubt(only.as_deref())
            .await
            .map_err(fail)?;
        drop(runner);
        let _ = printer.await;
        results = summary
            .rows
            .into_iter()
            .map(|row| (row.key, row.outcome))
            .collect();
    }

    // What each became, read back from the journal.
    let mut report = Vec::new();
    let mut left = 0u64;
    for old in &before {
        let now = journal
            .get(&old.key)
            .await
            .map_err(fail)?
            .unwrap_or_else(|| old.clone());
        if unresolved(now.state) {
            left += 1;
        }
        let note = note(&now, results.get(&now.key), file.is_some());
        report.push((old.state, now, note));
    }
    // Intents undetermined before this run are left undetermined too (all keys only).
    let earlier_undetermined = match &key {
        Some(_) => 0,
        None => journal
            .counts()
            .await
            .map_err(fail)?
            .get(State::Undetermined)
            .saturating_sub(
                report
                    .iter()
                    .filter(|(_, now, _)| now.state == State::Undetermined)
                    .count() as u64,
            ),
    };
    left += earlier_undetermined;
    print_report(&report, earlier_undetermined, left, global.output);
    if left == 0 {
        Ok(())
    } else {
        let mut error = CliError::local(
            "journal_undetermined",
            format!(
                "{left} intent(s) left undetermined or in doubt: see each one's note \
                 (`voxkit journal show KEY`)"
            ),
        );
        error.exit_code = EXIT_UNKNOWN;
        Err(error)
    }
}

/// Why an intent is where it is after a reconcile run, in words.
fn note(intent: &Intent, outcome: Option<&RowOutcome>, have_file: bool) -> String {
    match (intent.state, outcome) {
        (_, Some(RowOutcome::Unfinished { why, .. })) => why.clone(),
        (State::Applied | State::Refused, _) => String::new(),
        (State::Undetermined, _) => intent.error.clone().unwrap_or_default(),
        (State::Pending, None) => "never sent: left for a batch run to send".to_owned(),
        (State::NotApplied, None) => {
            "proven not applied: left for a batch run to send again".to_owned()
        }
        (State::Sent | State::InDoubt, None) => {
            if intent.provider == "espai" && intent.operation == "transfer" && !have_file {
                "not reconciled: an ESP-AI transfer needs its batch file (--file FILE) for \
                 the card codes the journal keeps only as fingerprints"
                    .to_owned()
            } else if intent.lease_until.is_some_and(|until| {
                until > chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
            }) {
                format!(
                    "not reconciled: another worker holds it ({})",
                    intent.owner.as_deref().unwrap_or("unknown")
                )
            } else {
                "not reconciled: this voxkit cannot rebuild the operation".to_owned()
            }
        }
        (_, _) => String::new(),
    }
}

fn print_report(report: &[(State, Intent, String)], earlier: u64, left: u64, format: Format) {
    let text = match format {
        Format::Json => json!({
            "intents": report
                .iter()
                .map(|(before, now, note)| {
                    let mut v = intent_json(now);
                    v["before"] = json!(before.to_string());
                    v["note"] = json!(note);
                    v
                })
                .collect::<Vec<_>>(),
            "earlier_undetermined": earlier,
            "left_undetermined": left,
        })
        .to_string(),
        Format::Text => {
            let mut lines: Vec<String> = report
                .iter()
                .map(|(before, now, note)| {
                    format!(
                        "{:<20} {:<12} -> {:<13} {}.{} {note}",
                        now.key, before, now.state, now.provider, now.operation
                    )
                    .trim_end()
                    .to_owned()
                })
                .collect();
            if report.is_empty() {
                lines.push("nothing in doubt".to_owned());
            }
            if earlier > 0 {
                lines.push(format!(
                    "{earlier} intent(s) were undetermined before this run (`voxkit journal \
                     list --state undetermined`)"
                ));
            }
            lines.join("\n")
        }
    };
    write_stdout(&text);
}

fn print_intents(intents: &[Intent], format: Format) {
    let text = match format {
        Format::Json => format!(
            "{}",
            json!({ "intents": intents.iter().map(intent_json).collect::<Vec<_>>() })
        ),
        Format::Text => intents
            .iter()
            .map(|i| {
                let detail = i.error.clone().unwrap_or_default();
                format!(
                    "{:<20} {:<13} {}.{} attempts {} {}",
                    i.key, i.state, i.provider, i.operation, i.attempts, detail
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    write_stdout(&text);
}

fn intent_json(intent: &Intent) -> Value {
    json!({
        "key": intent.key,
        "state": intent.state.to_string(),
        "provider": intent.provider,
        "operation": intent.operation,
        "request": intent.request,
        "serial": intent.serial,
        "marker": intent.marker,
        "attempts": intent.attempts,
        "created_at": intent.created_at.to_rfc3339(),
        "finished_at": intent.finished_at.map(|t| t.to_rfc3339()),
        "evidence": intent.evidence,
        "error": intent.error,
    })
}
