//! `voxkit batch run`: money-moving rows from a file, each applied exactly once through the
//! durable journal (`voxkit-journal`), resumable by running the same file again.

mod parse;

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::mpsc::unbounded_channel;
use voxkit_journal::ops::espai::Transfer;
use voxkit_journal::ops::longlonglong::BalanceMove;
use voxkit_journal::{
    Event, ExactlyOnce, Intent, Job, Resolve, RowOutcome, Runner, Settings, SqliteJournal, Summary,
    Tally, owner_for_this_process,
};

use crate::context::{Format, Global};
use crate::failure::{CliError, EXIT_REFUSED, EXIT_UNKNOWN};
use crate::render::write_stdout;

use parse::{Row, RowOp};

/// What `voxkit batch --help` says about the file: every column.
const COLUMNS_HELP: &str = "\
The file: CSV with a header row, or JSON Lines when its name ends in `.jsonl` (one object
per line, the same names). Empty cells count as absent. Columns:
  key          required: your unique id for the row (a row run again is recognised by it)
  operation    required: longlonglong.recharge | longlonglong.deduct | espai.transfer
  user         recharge/deduct: the longlonglong user id (a UUID)
  amount       every operation: a positive whole number
  remark       recharge/deduct, optional: kept readable, voxkit appends its marker
  from-phone   transfer: the source card's phone number
  from-code    transfer: the source card's redemption code (a secret: the journal keeps
               only its SHA-256 fingerprint)
  to-phone     transfer: the target card's phone number
  to-code      transfer: the target card's redemption code (fingerprinted likewise)

Every row is checked before anything is sent; a bad row is reported with its line number
(exit 2) unless --skip-invalid. Running the same file with the same journal again resumes:
rows already final are skipped, rows in doubt are reconciled first. Credentials come from
the environment as for the other commands (LONGLONGLONG_TOKEN, ESPAI_OPEN_API_KEY, ...).

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
    /// The journal: a SQLite file, created if missing. Keep it: it is what makes a second
    /// run resume instead of sending again.
    #[arg(long, value_name = "PATH")]
    pub journal: PathBuf,
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
    let jsonl = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
    let (rows, invalid) = parse::parse(&text, jsonl)
        .map_err(|e| CliError::invalid(format!("{}: {e}", args.file.display())))?;
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
    let journal_text = args.journal.to_string_lossy();
    if journal_text.starts_with("postgres://") || journal_text.starts_with("postgresql://") {
        return Err(CliError::invalid(
            "--journal takes a SQLite file path; PostgreSQL journals are not wired into the \
             command line yet",
        ));
    }
    if args.dry_run {
        return print_dry_run(&rows, invalid.len(), global.output);
    }

    let needs_lll = rows.iter().any(|r| matches!(r.op, RowOp::Balance { .. }));
    let needs_espai = rows.iter().any(|r| matches!(r.op, RowOp::Transfer { .. }));
    let lll = if needs_lll {
        Some(Arc::new(global.longlonglong()?))
    } else {
        None
    };
    let espai = if needs_espai {
        Some(Arc::new(global.espai()?))
    } else {
        None
    };

    let jobs: Vec<Job> = rows
        .iter()
        .map(|row| {
            Job::new(
                row.key.clone(),
                operation(row, lll.as_ref(), espai.as_ref()),
            )
        })
        .collect();
    let by_key: HashMap<String, Arc<dyn ExactlyOnce>> = jobs
        .iter()
        .map(|job| (job.key.clone(), Arc::clone(&job.op)))
        .collect();
    let codes: Vec<String> = rows
        .iter()
        .filter_map(|r| match &r.op {
            RowOp::Transfer { from, to, .. } => Some([from.code.clone(), to.code.clone()]),
            RowOp::Balance { .. } => None,
        })
        .flatten()
        .collect();
    let resolver = FileResolver {
        by_key,
        codes,
        lll: lll.clone(),
        espai: espai.clone(),
    };

    let journal = SqliteJournal::open(&args.journal).await.map_err(|e| {
        CliError::local(
            "journal",
            format!("cannot open the journal {}: {e}", args.journal.display()),
        )
    })?;
    let mut settings = Settings::default();
    settings.concurrency = usize::from(args.concurrency);
    settings.rate_per_sec = args.rate;
    let (sender, receiver) = unbounded_channel();
    let runner = Runner::with_settings(Arc::new(journal), owner_for_this_process(), settings)
        .resolver(Arc::new(resolver))
        .progress(sender);
    let printer = tokio::spawn(progress_lines(receiver, args.progress_every));

    let journal_error =
        |e: voxkit_journal::Error| CliError::local("journal", format!("the journal failed: {e}"));
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
             the journal",
        )),
    }
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

/// The operation of a row, with the clients it needs (built for every provider the file
/// uses, so present here).
fn operation(
    row: &Row,
    lll: Option<&Arc<voxkit_longlonglong::Client>>,
    espai: Option<&Arc<voxkit_espai::Client>>,
) -> Arc<dyn ExactlyOnce> {
    match (&row.op, lll, espai) {
        (
            RowOp::Balance {
                direction,
                user,
                amount,
                remark,
            },
            Some(client),
            _,
        ) => Arc::new(BalanceMove::new(
            Arc::clone(client),
            *direction,
            user.clone(),
            *amount,
            remark.clone(),
        )),
        (RowOp::Transfer { from, to, amount }, _, Some(client)) => Arc::new(Transfer::new(
            Arc::clone(client),
            from.clone(),
            to.clone(),
            *amount,
        )),
        _ => unreachable!("the clients are built for every provider the file uses"),
    }
}

/// Rebuilds the intents `recover()` finds: the file's own rows by key, other longlonglong
/// intents from the journal's request, other transfers when the file holds their card codes.
struct FileResolver {
    by_key: HashMap<String, Arc<dyn ExactlyOnce>>,
    codes: Vec<String>,
    lll: Option<Arc<voxkit_longlonglong::Client>>,
    espai: Option<Arc<voxkit_espai::Client>>,
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
        if let Some(client) = &self.lll
            && let Some(op) = BalanceMove::from_intent(Arc::clone(client), intent)
        {
            return Some(Arc::new(op));
        }
        let client = self.espai.as_ref()?;
        let op = Transfer::from_intent(
            Arc::clone(client),
            intent,
            self.codes.iter().map(String::as_str),
        )?;
        Some(Arc::new(op))
    }
}

/// Plain progress lines on stderr (every `every` rows, or a second after the last line),
/// when stderr is not a terminal; on a terminal, one line rewritten in place.
async fn progress_lines(
    mut receiver: tokio::sync::mpsc::UnboundedReceiver<voxkit_journal::Progress>,
    every: u64,
) {
    let terminal = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut last_line = Instant::now();
    let mut last_done = 0;
    let mut tally = None;
    while let Some(progress) = receiver.recv().await {
        let done = progress.tally.done;
        let due = matches!(progress.event, Event::Row(_))
            && (done >= last_done + every.max(1) || last_line.elapsed() >= Duration::from_secs(1));
        if due || terminal {
            let line = progress_text(&progress.tally, started.elapsed());
            if terminal {
                eprint!("\r{line}");
            } else {
                eprintln!("{line}");
            }
            last_line = Instant::now();
            last_done = done;
        }
        tally = Some(progress.tally);
    }
    if terminal && tally.is_some() {
        eprintln!();
    }
}

fn progress_text(tally: &Tally, elapsed: Duration) -> String {
    let rate = tally.done as f64 / elapsed.as_secs_f64().max(0.001);
    format!(
        "voxkit: batch: {}/{} done, {} applied, {} refused, {} in doubt, {} undetermined, \
         {} skipped, {rate:.1} rows/s",
        tally.done,
        tally.rows,
        tally.applied,
        tally.refused,
        tally.in_doubt,
        tally.undetermined,
        tally.skipped
    )
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
        RowOutcome::Unfinished { .. } => json!({ "outcome": "unfinished" }),
    }
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
    let text = match format {
        Format::Json => {
            let mut object = tally_json(&summary.tally);
            object["invalid"] = json!(invalid);
            object["recovered"] = json!(recovered.tally.done);
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
    let balance = count(|op| matches!(op, RowOp::Balance { .. }));
    let transfers = count(|op| matches!(op, RowOp::Transfer { .. }));
    let text = match format {
        Format::Json => format!(
            "{}\n",
            json!({ "dry_run": true, "rows": rows.len(), "longlonglong": balance,
                    "espai": transfers, "invalid": invalid })
        ),
        Format::Text => format!(
            "dry run: {} valid row(s) ({balance} longlonglong, {transfers} espai.transfer), \
             {invalid} invalid; nothing sent\n",
            rows.len()
        ),
    };
    write_stdout(text.trim_end());
    Ok(())
}

/// `voxkit journal`: looking into a batch journal.
#[derive(Debug, clap::Subcommand)]
pub enum JournalCommand {
    /// List the intents of a journal (oldest first), optionally only those in a state.
    List {
        /// The journal: a SQLite file written by `voxkit batch run`.
        #[arg(long, value_name = "PATH")]
        journal: PathBuf,
        /// Only intents in this state (pending, sent, applied, refused, in_doubt,
        /// not_applied, undetermined).
        #[arg(long, value_name = "S")]
        state: Option<voxkit_journal::State>,
    },
    /// Show one intent of a journal by its key: state, attempts, evidence or error.
    Show {
        /// The row's key.
        key: String,
        /// The journal: a SQLite file written by `voxkit batch run`.
        #[arg(long, value_name = "PATH")]
        journal: PathBuf,
    },
}

/// Runs `voxkit journal`. Card codes never appear: the journal holds only fingerprints.
pub async fn run_journal(command: JournalCommand, global: &Global) -> Result<(), CliError> {
    use voxkit_journal::{Journal as _, ListFilter};
    let open = |path: &PathBuf| {
        let path = path.clone();
        async move {
            if !path.exists() {
                return Err(CliError::invalid(format!(
                    "no journal at {}",
                    path.display()
                )));
            }
            SqliteJournal::open(&path).await.map_err(|e| {
                CliError::local(
                    "journal",
                    format!("cannot open the journal {}: {e}", path.display()),
                )
            })
        }
    };
    let failed = |e: voxkit_journal::Error| CliError::local("journal", e.to_string());
    let intents = match command {
        JournalCommand::List { journal, state } => {
            let store = open(&journal).await?;
            let filter = match state {
                Some(state) => ListFilter::all().state(state),
                None => ListFilter::all(),
            };
            store.list(&filter).await.map_err(failed)?
        }
        JournalCommand::Show { key, journal } => {
            let store = open(&journal).await?;
            match store.get(&key).await.map_err(failed)? {
                Some(intent) => vec![intent],
                None => return Err(CliError::invalid(format!("no intent with key {key:?}"))),
            }
        }
    };
    let text = match global.output {
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
    Ok(())
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
