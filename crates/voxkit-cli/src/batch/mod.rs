//! `voxkit batch run`: money-moving rows from a file, each applied exactly once through the
//! durable journal (`voxkit-journal`: a SQLite file, or PostgreSQL for a fleet of processes
//! sharing one journal), resumable by running the same file again; and `voxkit journal`, to
//! look into a journal and resolve what is in doubt.

mod journal_cmd;
mod parse;
mod progress;
mod store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::mpsc::unbounded_channel;
use voxkit_journal::ops::espai::{Destroy, Transfer};
use voxkit_journal::ops::longlonglong::{BalanceMove, ZeroBalance};
use voxkit_journal::{
    ExactlyOnce, Intent, Job, Resolve, RowOutcome, Runner, Settings, Summary, Tally,
    owner_for_this_process,
};

use crate::context::{Format, Global};
use crate::failure::{CliError, EXIT_REFUSED, EXIT_UNKNOWN};
use crate::render::write_stdout;

pub use journal_cmd::{JournalCommand, run_journal};
use parse::{Row, RowOp};
use store::JournalLocation;

/// The PostgreSQL schema a journal lives in unless `--journal-schema` says otherwise.
const DEFAULT_SCHEMA: &str = "voxkit_journal";

/// What `voxkit batch --help` says about the file: every column.
const COLUMNS_HELP: &str = "\
The file: CSV with a header row, or JSON Lines when its name ends in `.jsonl` (one object
per line, the same names). Empty cells count as absent; columns an operation does not use
are ignored. Columns:
  key          required: your unique id for the row (a row run again is recognised by it)
  operation    required: longlonglong.recharge | longlonglong.deduct |
               longlonglong.zero-balance | espai.transfer | espai.destroy
  user         recharge/deduct/zero-balance: the longlonglong user id (a UUID)
  amount       recharge/deduct/transfer: a positive whole number
  remark       recharge/deduct, optional: kept readable, voxkit appends its marker
  card-id      destroy: the ESP-AI card's id (as `voxkit espai cards` lists it); the card
               must be listed (paid, balance 0) when the row is sent
  from-phone   transfer: the source card's phone number
  from-code    transfer: the source card's redemption code (a secret: the journal keeps
               only its SHA-256 fingerprint)
  to-phone     transfer: the target card's phone number
  to-code      transfer: the target card's redemption code (fingerprinted likewise)

Every row is checked before anything is sent; a bad row is reported with its line number
(exit 2) unless --skip-invalid. Running the same file with the same journal again resumes:
rows already final are skipped, rows in doubt are reconciled first. Several processes (or
hosts) may run the same file at once on one PostgreSQL journal: each row is still applied
once. Credentials come from the environment as for the other commands (LONGLONGLONG_TOKEN,
ESPAI_OPEN_API_KEY, ...). Progress goes to stderr (a bar on a terminal, plain lines
otherwise), the summary to stdout.

Exit codes: 0 every row applied, 2 invalid rows, 3 some refused, 5 some undetermined or
unfinished (run again, or look at the journal).";

/// `voxkit batch`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Apply every row of FILE exactly once, journaled in --journal.
    #[command(after_help = COLUMNS_HELP)]
    Run(RunArgs),
}

/// `voxkit batch run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The batch file (CSV with a header row, or `.jsonl`); see below for the columns.
    pub file: PathBuf,
    /// The journal: a SQLite file, created if missing, or a `postgres://` (`postgresql://`)
    /// URL shared by a fleet (its password is never printed). Keep it: it is what makes a
    /// second run resume instead of sending again.
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

    let clients = Clients::for_rows(&rows, global)?;
    let jobs: Vec<Job> = rows
        .iter()
        .map(|row| Job::new(row.key.clone(), clients.operation(&row.op)))
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

/// The provider clients a batch needs (only those of the providers its rows use, so that a
/// file of recharges needs no ESP-AI key).
#[derive(Clone, Default)]
struct Clients {
    lll: Option<Arc<voxkit_longlonglong::Client>>,
    espai: Option<Arc<voxkit_espai::Client>>,
}

impl Clients {
    /// The clients for `rows`, from the environment.
    fn for_rows(rows: &[Row], global: &Global) -> Result<Self, CliError> {
        let lll = rows
            .iter()
            .any(|r| matches!(r.op, RowOp::Balance { .. } | RowOp::ZeroBalance { .. }));
        let espai = rows
            .iter()
            .any(|r| matches!(r.op, RowOp::Transfer { .. } | RowOp::Destroy { .. }));
        Self::for_providers(lll, espai, global)
    }

    /// The clients of the providers asked for, from the environment.
    fn for_providers(lll: bool, espai: bool, global: &Global) -> Result<Self, CliError> {
        Ok(Clients {
            lll: if lll {
                Some(Arc::new(global.longlonglong()?))
            } else {
                None
            },
            espai: if espai {
                Some(Arc::new(global.espai()?))
            } else {
                None
            },
        })
    }

    /// The operation of a row (its provider's client was built by [`Clients::for_rows`]).
    fn operation(&self, op: &RowOp) -> Arc<dyn ExactlyOnce> {
        let lll = || Arc::clone(self.lll.as_ref().expect("built for the file's rows"));
        let espai = || Arc::clone(self.espai.as_ref().expect("built for the file's rows"));
        match op {
            RowOp::Balance {
                direction,
                user,
                amount,
                remark,
            } => Arc::new(BalanceMove::new(
                lll(),
                *direction,
                user.clone(),
                *amount,
                remark.clone(),
            )),
            RowOp::ZeroBalance { user } => Arc::new(ZeroBalance::new(lll(), user.clone())),
            RowOp::Transfer { from, to, amount } => {
                Arc::new(Transfer::new(espai(), from.clone(), to.clone(), *amount))
            }
            RowOp::Destroy { card_id } => Arc::new(Destroy::new(espai(), card_id.clone())),
        }
    }
}

/// Rebuilds the intents `recover()` finds: the file's own rows by key, other longlonglong
/// operations and ESP-AI destroys from the journal's request, other transfers when the file
/// holds their card codes (the journal keeps only fingerprints).
struct FileResolver {
    by_key: HashMap<String, Arc<dyn ExactlyOnce>>,
    codes: Vec<String>,
    clients: Clients,
}

impl FileResolver {
    /// A resolver knowing the file's `rows` (their operations `jobs`) and card codes.
    fn new(rows: &[Row], jobs: &[Job], clients: Clients) -> Self {
        let codes = rows
            .iter()
            .filter_map(|r| match &r.op {
                RowOp::Transfer { from, to, .. } => Some([from.code.clone(), to.code.clone()]),
                _ => None,
            })
            .flatten()
            .collect();
        FileResolver {
            by_key: jobs
                .iter()
                .map(|job| (job.key.clone(), Arc::clone(&job.op)))
                .collect(),
            codes,
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
        if let Some(client) = &self.clients.lll
            && let Some(op) =
                voxkit_journal::ops::longlonglong::from_intent(Arc::clone(client), intent)
        {
            return Some(op);
        }
        let client = self.clients.espai.as_ref()?;
        if let Some(op) = Destroy::from_intent(Arc::clone(client), intent) {
            return Some(Arc::new(op));
        }
        let op = Transfer::from_intent(
            Arc::clone(client),
            intent,
            self.codes.iter().map(String::as_str),
        )?;
        Some(Arc::new(op))
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
    let count = |f: fn(&RowOp) -> bool| rows.iter().filter(|r| f(&r.op)).count();
    let lll = count(|op| matches!(op, RowOp::Balance { .. } | RowOp::ZeroBalance { .. }));
    let espai = count(|op| matches!(op, RowOp::Transfer { .. } | RowOp::Destroy { .. }));
    let text = match format {
        Format::Json => format!(
            "{}\n",
            json!({ "dry_run": true, "rows": rows.len(), "longlonglong": lll,
                    "espai": espai, "invalid": invalid })
        ),
        Format::Text => format!(
            "dry run: {} valid row(s) ({lll} longlonglong, {espai} espai), {invalid} invalid; \
             nothing sent\n",
            rows.len()
        ),
    };
    write_stdout(text.trim_end());
    Ok(())
}
