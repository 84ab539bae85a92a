//! `voxkit batch run`: money-moving rows from a file, each applied exactly once through the
//! durable journal (`voxkit-journal`: a SQLite file, or PostgreSQL for a fleet of processes
//! sharing one journal), resumable by running the same file again; and `voxkit journal`, to
//! look into a journal and resolve what is in doubt.

mod journal_cmd;
mod kinds;
mod parse;
mod progress;
mod store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::mpsc::unbounded_channel;
use voxkit_journal::{
    ExactlyOnce, Intent, Job, Resolve, RowOutcome, Runner, Settings, Summary, Tally,
    owner_for_this_process,
};

use crate::context::{Format, Global};
use crate::failure::{CliError, EXIT_REFUSED, EXIT_UNKNOWN};
use crate::render::write_stdout;

pub use journal_cmd::{JournalCommand, run_journal};
use kinds::Clients;
use parse::Row;
use store::JournalLocation;

/// The PostgreSQL schema a journal lives in unless `--journal-schema` says otherwise.
const DEFAULT_SCHEMA: &str = "voxkit_journal";

/// What `voxkit batch run --help` says after the columns (which [`kinds::columns_help`]
/// derives from the row kinds).
const RUN_HELP: &str = "\
Every row is checked before anything is sent; a bad row is reported with its line number
(exit 2) unless --skip-invalid. Running the same file with the same journal again resumes:
rows already final are skipped, rows in doubt are reconciled first. Several processes (or
hosts) may run the same file at once on one PostgreSQL journal: each row is still applied
once. Credentials come from the environment as for the other commands (LONGLONGLONG_TOKEN,
ESPAI_OPEN_API_KEY, LAAFFIC_API_KEY, ...). Progress goes to stderr (a bar on a terminal,
plain lines otherwise), the summary to stdout.

Exit codes: 0 every row applied, 2 invalid rows, 3 some refused, 5 some undetermined or
unfinished (run again, or look at the journal).";

/// The whole `--help` text after the flags: the columns, then [`RUN_HELP`].
fn after_help() -> String {
    format!("{}\n{RUN_HELP}", kinds::columns_help())
}

/// `voxkit batch`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Apply every row of FILE exactly once, journaled in --journal.
    #[command(after_help = after_help())]
    Run(RunArgs),
}

/// `voxkit batch run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The batch file (CSV with a header row, or `.jsonl`); see below for the columns.
    pub file: PathBuf,
    /// The journal: a SQLite file, created if missing, or a `postgres://` (`postgresql://`)
    /// URL shared by a fleet (its password is never printed). Keep it: it is what makes a
    /// second run resume instead of sending again. A server on another host is reached over
    /// TLS, its certificate verified (add `sslrootcert=FILE` for a CA of your own;
    /// `sslmode=disable` to go plain); one on this machine plainly unless `sslmode` says.
    #[arg(long, value_name = "PATH|URL", value_parser = journal_location())]
    pub journal: JournalLocation,
    /// The PostgreSQL schema of the journal (one database may hold several journals);
    /// ignored for a SQLite file.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_SCHEMA)]
    pub journal_schema: String,
    /// How many rows are driven at once (operations on one account or card still go one
    /// at a time).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// At most this many requests per second (sends and re-sends; reconciliation reads
    /// are not counted). Default: no limit.
    #[arg(long, value_name = "PER_SEC", value_parser = parse_rate)]
    pub rate: Option<f64>,
    /// Check the file and say what would be done; send nothing, open no journal.
    #[arg(long)]
    pub dry_run: bool,
    /// Leave invalid rows out (each reported) instead of refusing the whole file.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Print a progress line on stderr every N rows (and at least every second) when
    /// stderr is not a terminal.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub progress_every: u64,
}

/// Parses `--journal`: a PostgreSQL URL or a path (not necessarily UTF-8).
fn journal_location() -> impl clap::builder::TypedValueParser<Value = JournalLocation> {
    use clap::builder::TypedValueParser as _;
    clap::builder::OsStringValueParser::new().try_map(JournalLocation::parse)
}

/// Parses `--rate`: a positive, finite number of requests per second.
fn parse_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
        _ => Err(format!(
            "{text:?} is not a positive number of requests per second"
        )),
    }
}

/// Runs `voxkit batch`.
pub async fn run(command: Command, global: &Global) -> Result<(), CliError> {
    match command {
        Command::Run(args) => run_file(args, global).await,
    }
}

async fn run_file(args: RunArgs, global: &Global) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| CliError::invalid(format!("cannot read {}: {e}", args.file.display())))?;
    let (rows, invalid) = read_rows(&args.file, &text)?;
    for bad in &invalid {
        eprintln!(
            "voxkit: {}: line {}: {}",
            args.file.display(),
            bad.line,
            bad.why
        );
    }
    if !invalid.is_empty() && !args.skip_invalid {
        let lines: Vec<String> = invalid.iter().map(|i| i.line.to_string()).collect();
        return Err(CliError::invalid(format!(
            "{} invalid row(s) (lines {}); nothing was sent (--skip-invalid leaves them out)",
            invalid.len(),
            lines.join(", ")
        )));
    }
    if args.dry_run {
        return print_dry_run(&rows, invalid.len(), global.output);
    }

    let clients = Clients::for_providers(|p| rows.iter().any(|r| r.op.provider() == p), global)?;
    let jobs: Vec<Job> = rows
        .iter()
        .map(|row| Job::new(row.key.clone(), row.op.bind(&clients)))
        .collect();
    let resolver = FileResolver::new(&rows, &jobs, clients.clone());

    let location = &args.journal;
    let pool = usize::from(args.concurrency).saturating_add(2).min(32);
    let journal = location.open(true, &args.journal_schema, pool).await?;
    let mut settings = Settings::default();
    settings.concurrency = usize::from(args.concurrency);
    settings.rate_per_sec = args.rate;
    let (sender, receiver) = unbounded_channel();
    let runner = Runner::with_settings(journal, owner_for_this_process(), settings)
        .resolver(Arc::new(resolver))
        .progress(sender);
    let printer = tokio::spawn(progress::show(receiver, args.progress_every, "batch"));

    let journal_error = |e: voxkit_journal::Error| {
        CliError::local(
            "journal",
            format!("the journal failed: {}", location.scrub(&e.to_string())),
        )
    };
    let recovered = runner.recover().await.map_err(journal_error)?;
    let summary = runner.run_all(jobs).await.map_err(journal_error)?;
    drop(runner);
    let _ = printer.await;

    let exit = summary.exit_code().max(recovered_exit(&recovered, &rows));
    print_summary(&summary, &recovered, invalid.len(), global.output)?;
    match exit {
        0 => Ok(()),
        EXIT_REFUSED => Err(batch_error(
            EXIT_REFUSED,
            "batch_refused",
            "some rows were refused or rejected; nothing else was left undone",
        )),
        _ => Err(batch_error(
            EXIT_UNKNOWN,
            "batch_undetermined",
            "some rows are undetermined or unfinished: run the same file again, or look at \
             the journal (`voxkit journal reconcile`)",
        )),
    }
}

/// The rows of a batch file's text (`.jsonl`: JSON Lines, else CSV), valid and invalid.
fn read_rows(file: &Path, text: &str) -> Result<(Vec<Row>, Vec<parse::Invalid>), CliError> {
    let jsonl = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    parse::parse(text, jsonl).map_err(|e| CliError::invalid(format!("{}: {e}", file.display())))
}

/// The exit code the recovered intents call for, counting only intents that are not rows of
/// this file (the file's rows are reported by `run_all`, as skipped or finished).
fn recovered_exit(recovered: &Summary, rows: &[Row]) -> u8 {
    let keys: std::collections::HashSet<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    let others = Summary {
        tally: Tally::default(),
        rows: recovered
            .rows
            .iter()
            .filter(|r| !keys.contains(r.key.as_str()))
            .cloned()
            .collect(),
    };
    others.exit_code()
}

fn batch_error(code: u8, kind: &'static str, message: &str) -> CliError {
    let mut error = CliError::local(kind, message);
    error.exit_code = code;
    error
}

/// Rebuilds the intents `recover()` finds: the file's own rows by key, other intents by
/// the row kinds ([`kinds::resolve_intent`]), those holding a secret (card codes, an agent's
/// key) when the file holds it (the journal keeps only fingerprints).
struct FileResolver {
    by_key: HashMap<String, Arc<dyn ExactlyOnce>>,
    secrets: Vec<String>,
    clients: Clients,
}

impl FileResolver {
    /// A resolver knowing the file's `rows` (their operations `jobs`) and secrets.
    fn new(rows: &[Row], jobs: &[Job], clients: Clients) -> Self {
        FileResolver {
            by_key: jobs
                .iter()
                .map(|job| (job.key.clone(), Arc::clone(&job.op)))
                .collect(),
            secrets: rows.iter().flat_map(|r| r.op.secrets()).collect(),
            clients,
        }
    }
}

impl Resolve for FileResolver {
    fn resolve(&self, intent: &Intent) -> Option<Arc<dyn ExactlyOnce>> {
        // The file's row only when it is the very operation journaled: a row edited since
        // must not finish (or re-send) the old intent with new parameters.
        if let Some(op) = self.by_key.get(&intent.key) {
            let identity = op.identity();
            if identity.provider == intent.provider
                && identity.operation == intent.operation
                && identity.serial == intent.serial
                && identity.request == intent.request
            {
                return Some(Arc::clone(op));
            }
        }
        kinds::resolve_intent(&self.clients, intent, &self.secrets)
    }
}

fn tally_json(tally: &Tally) -> Value {
    json!({
        "rows": tally.rows,
        "applied": tally.applied,
        "refused": tally.refused,
        "undetermined": tally.undetermined,
        "skipped": tally.skipped,
        "rejected": tally.rejected,
        "unfinished": tally.unfinished,
    })
}

fn outcome_json(outcome: &RowOutcome) -> Value {
    match outcome {
        RowOutcome::Applied { .. } => json!({ "outcome": "applied" }),
        RowOutcome::Refused { error } => json!({ "outcome": "refused", "error": error }),
        RowOutcome::Undetermined { why } => json!({ "outcome": "undetermined", "why": why }),
        RowOutcome::Skipped { state } => {
            json!({ "outcome": "skipped", "state": state.to_string() })
        }
        RowOutcome::Rejected { error } => json!({ "outcome": "rejected", "error": error }),
        RowOutcome::Unfinished { state, why } => {
            json!({ "outcome": "unfinished", "state": state.to_string(), "why": why })
        }
    }
}

/// How many rows this process applied itself (sent or reconciled), recovery included: in a
/// fleet, each process's share of the work.
fn applied_here(summary: &Summary, recovered: &Summary) -> u64 {
    let applied = |rows: &[voxkit_journal::RowResult], all: bool| {
        rows.iter()
            .filter(|r| matches!(r.outcome, RowOutcome::Applied { .. }) && (all || r.driven_here))
            .count() as u64
    };
    applied(&summary.rows, false) + applied(&recovered.rows, true)
}

fn print_summary(
    summary: &Summary,
    recovered: &Summary,
    invalid: usize,
    format: Format,
) -> Result<(), CliError> {
    let not_applied: Vec<Value> = summary
        .rows
        .iter()
        .filter(|r| {
            !matches!(
                r.outcome,
                RowOutcome::Applied { .. } | RowOutcome::Skipped { .. }
            )
        })
        .map(|r| {
            let mut v = outcome_json(&r.outcome);
            v["key"] = json!(r.key);
            v
        })
        .collect();
    let here = applied_here(summary, recovered);
    let text = match format {
        Format::Json => {
            let mut object = tally_json(&summary.tally);
            object["invalid"] = json!(invalid);
            object["recovered"] = json!(recovered.tally.done);
            object["applied_here"] = json!(here);
            object["exit_code"] = json!(summary.exit_code());
            object["problems"] = Value::Array(not_applied);
            format!("{object}\n")
        }
        Format::Text => {
            let t = &summary.tally;
            let mut out = String::new();
            for (name, count) in [
                ("rows", t.rows),
                ("applied", t.applied),
                ("refused", t.refused),
                ("undetermined", t.undetermined),
                ("skipped", t.skipped),
                ("rejected", t.rejected),
                ("unfinished", t.unfinished),
                ("invalid", invalid as u64),
                ("recovered", recovered.tally.done),
                ("applied here", here),
            ] {
                out.push_str(&format!("{name:<13}{count:>8}\n"));
            }
            for problem in &not_applied {
                out.push_str(&format!(
                    "{}: {}\n",
                    problem["key"].as_str().unwrap_or_default(),
                    problem
                ));
            }
            out
        }
    };
    write_stdout(text.trim_end());
    Ok(())
}

fn print_dry_run(rows: &[Row], invalid: usize, format: Format) -> Result<(), CliError> {
    let providers = [
        voxkit_longlonglong::PROVIDER,
        voxkit_espai::PROVIDER,
        voxkit_laaffic::PROVIDER,
    ];
    let counts: Vec<(&str, usize)> = providers
        .iter()
        .map(|p| (*p, rows.iter().filter(|r| r.op.provider() == *p).count()))
        .collect();
    let text = match format {
        Format::Json => {
            let mut object = json!({ "dry_run": true, "rows": rows.len(), "invalid": invalid });
            for (provider, count) in &counts {
                object[*provider] = json!(count);
            }
            let mut operations = serde_json::Map::new();
            for row in rows {
                let count = operations.entry(row.kind.name).or_insert(json!(0));
                *count = json!(count.as_u64().unwrap_or(0) + 1);
            }
            object["operations"] = Value::Object(operations);
            format!("{object}\n")
        }
        Format::Text => {
            let each: Vec<String> = counts.iter().map(|(p, n)| format!("{n} {p}")).collect();
            format!(
                "dry run: {} valid row(s) ({}), {invalid} invalid; nothing sent\n",
                rows.len(),
                each.join(", ")
            )
        }
    };
    write_stdout(text.trim_end());
    Ok(())
}
