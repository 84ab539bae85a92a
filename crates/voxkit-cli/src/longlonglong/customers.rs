//! `customer components|list|import|delete|to-task`: longlonglong's CRM pool (客户公海).
//! The pool's rows are undocumented, so they are shown raw.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::json;
use voxkit_longlonglong::{
    Carrier, CustomerDeletion, CustomerFilter, CustomerStage, MAX_DELETE_PHONES, MAX_IMPORT_ROWS,
    NewCustomer, TaskId, UserId,
};

use super::parse_date;
use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::input::with_some;
use crate::render::longlonglong::{customers_text, message_text};
use crate::render::pages::all_meta;
use crate::render::{Report, one_line};

/// The largest phones file read, in bytes.
const MAX_PHONES_FILE_BYTES: u64 = 1 << 20;

/// `voxkit longlonglong customer <command>`.
#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    /// The pool's custom components (their ids are what --component takes).
    Components(super::UserArg),
    /// The pool's customers, one page at a time or every page with --all.
    List(CustomerList),
    /// Import up to 200 customers, asynchronously. Never sent twice: if the answer is
    /// lost, the exit code is 5 and the message says how to check.
    Import(CustomerImport),
    /// Delete customers by phone (at most 100) and/or creation window.
    Delete(CustomerDelete),
    /// Move the customers matching a filter into a call task; the result arrives by the
    /// api_customer_to_task callback. Never sent twice.
    ToTask(CustomerToTask),
}

/// The filter shared by `list` and `to-task`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only this phone.
    #[arg(long, value_name = "P")]
    phone: Option<String>,
    /// Created from this day, YYYY-MM-DD (with --to).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "to")]
    from: Option<String>,
    /// Created up to this day included, YYYY-MM-DD (with --from).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "from")]
    to: Option<String>,
    /// A carrier (telecom, unicom, mobile or 1..3); repeat for several.
    #[arg(long = "operator", value_name = "C")]
    operators: Vec<String>,
    /// A custom component's value, ID=VALUE; repeat for several.
    #[arg(long = "component", value_name = "ID=VALUE")]
    components: Vec<String>,
}

/// The arguments of `customer list`.
#[derive(Debug, Args)]
pub struct CustomerList {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    #[command(flatten)]
    filter: FilterArgs,
    /// Only the clue stage (线索阶段).
    #[arg(long)]
    clue: bool,
    /// The page, from 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    page: Option<u32>,
    /// Customers per page (default 15; with --all: the size of each page fetched).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    per_page: Option<u32>,
    /// Every customer of every page (progress on stderr).
    #[arg(long, conflicts_with_all = ["page", "clue"])]
    all: bool,
}

/// The arguments of `customer import`.
#[derive(Debug, Args)]
pub struct CustomerImport {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// A file of customers, one per line: `PHONE[,NAME[,COMPANY]]`; blank lines and `#`
    /// comments are skipped.
    #[arg(long, value_name = "FILE")]
    phones_file: PathBuf,
}

/// The arguments of `customer delete`.
#[derive(Debug, Args)]
pub struct CustomerDelete {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// A phone to delete; repeat for up to 100.
    #[arg(long = "phone", value_name = "P")]
    phones: Vec<String>,
    /// A file of phones to delete, one per line.
    #[arg(long, value_name = "FILE", conflicts_with = "phones")]
    phones_file: Option<PathBuf>,
    /// Customers created from this day, YYYY-MM-DD (with --to).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "to")]
    from: Option<String>,
    /// Customers created up to this day included (with --from).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "from")]
    to: Option<String>,
}

/// The arguments of `customer to-task`.
#[derive(Debug, Args)]
pub struct CustomerToTask {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The call task id, a UUID.
    #[arg(long, value_name = "ID")]
    task: String,
    #[command(flatten)]
    filter: FilterArgs,
}

/// Runs `voxkit longlonglong customer ...`.
pub(super) async fn run(command: CustomerCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        CustomerCommand::Components(args) => components(args, global).await,
        CustomerCommand::List(args) => list(args, global).await,
        CustomerCommand::Import(args) => import(args, global).await,
        CustomerCommand::Delete(args) => delete(args, global).await,
        CustomerCommand::ToTask(args) => to_task(args, global).await,
    }
}

fn filter_of(args: &FilterArgs, operation: &'static str) -> Result<CustomerFilter, CliError> {
    let mut filter = CustomerFilter::new();
    if let Some(phone) = &args.phone {
        filter = filter.phone(phone.trim());
    }
    if let (Some(from), Some(to)) = (&args.from, &args.to) {
        filter = filter.created_between(
            parse_date(operation, "--from", from)?,
            parse_date(operation, "--to", to)?,
        );
    }
    for op in &args.operators {
        let carrier = Carrier::parse(op).ok_or_else(|| {
            CliError::invalid(format!(
                "--operator {:?} is not a carrier (telecom, unicom, mobile or 1 to 3)",
                one_line(op)
            ))
        })?;
        filter = filter.operator(carrier);
    }
    for c in &args.components {
        let (id, value) = c.split_once('=').ok_or_else(|| {
            CliError::invalid(format!("--component {:?} is not ID=VALUE", one_line(c)))
        })?;
        filter = filter.component(id.trim(), value);
    }
    Ok(filter)
}

async fn components(args: super::UserArg, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let found = global.longlonglong()?.customer_components(&user).await?;
    Ok(Report::new(
        json!({"user": user.as_str(), "message": found.message, "components": found.data}),
        message_text(&found.message, &found.data),
    ))
}

async fn list(args: CustomerList, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let filter = with_some!(
        filter_of(&args.filter, "customers")?,
        page = args.page,
        per_page = args.per_page,
    );
    let client = global.longlonglong()?;
    let (rows, meta) = if args.all {
        let rows = global
            .collect_pages(
                client.customers_all(&user, &filter),
                ("customer", "customers"),
            )
            .await?;
        let meta = all_meta(rows.len());
        (rows, meta)
    } else if args.clue {
        let page = client
            .stage_customers(&user, CustomerStage::Clue, &filter)
            .await?;
        (page.items().to_vec(), json!(page.meta))
    } else {
        let page = client.customers(&user, &filter).await?;
        (page.items().to_vec(), json!(page.meta))
    };
    Ok(Report::new(
        json!({"user": user.as_str(), "customers": rows, "meta": meta}),
        customers_text(&rows),
    ))
}

/// Reads a phones file: `PHONE[,NAME[,COMPANY]]` per line, each phone checked here so an
/// error names its line.
fn read_customers(path: &Path) -> Result<Vec<NewCustomer>, CliError> {
    let text = read_file(path)?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split(',').map(str::trim);
        let phone = checked_phone(fields.next().unwrap_or_default(), i + 1)?;
        let mut row = NewCustomer::new(phone);
        if let Some(name) = fields.next().filter(|n| !n.is_empty()) {
            row = row.name(name);
        }
        if let Some(company) = fields.next().filter(|c| !c.is_empty()) {
            row = row.company(company);
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The phone of line `line`: 5 to 20 digits (the SDK's rule), or an error naming the line.
fn checked_phone(phone: &str, line: usize) -> Result<String, CliError> {
    if (5..=20).contains(&phone.len()) && phone.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(phone.to_owned());
    }
    let shown: String = phone.chars().take(40).collect();
    Err(CliError::invalid(format!(
        "phones file line {line}: {:?} is not a phone (5 to 20 digits, no + or spaces)",
        one_line(&shown)
    )))
}

fn read_file(path: &Path) -> Result<String, CliError> {
    use std::io::Read as _;
    let unreadable =
        |e: std::io::Error| CliError::invalid(format!("{} cannot be read: {e}", path.display()));
    let mut text = String::new();
    std::fs::File::open(path)
        .map_err(unreadable)?
        .take(MAX_PHONES_FILE_BYTES)
        .read_to_string(&mut text)
        .map_err(unreadable)?;
    Ok(text)
}

async fn import(args: CustomerImport, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let rows = read_customers(&args.phones_file)?;
    if rows.is_empty() || rows.len() > MAX_IMPORT_ROWS {
        return Err(CliError::invalid(format!(
            "{}: {} customers; an import takes 1 to {MAX_IMPORT_ROWS}",
            args.phones_file.display(),
            rows.len()
        )));
    }
    let first = rows[0].phone().to_owned();
    let ack = global
        .longlonglong()?
        .import_customers(&user, &rows, None)
        .await
        .check_with(|| {
            format!(
                "the import cannot be reconciled; after a while run `voxkit longlonglong \
                 customer list --user {user} --phone {first}` before importing again"
            )
        })?;
    Ok(Report::new(
        json!({"user": user.as_str(), "rows": rows.len(), "message": ack.message, "data": ack.data}),
        format!(
            "import of {} customers submitted: {}",
            rows.len(),
            one_line(&ack.message)
        ),
    ))
}

async fn delete(args: CustomerDelete, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let phones = match &args.phones_file {
        Some(path) => {
            let text = read_file(path)?;
            let mut phones = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if !line.is_empty() && !line.starts_with('#') {
                    phones.push(checked_phone(line, i + 1)?);
                }
            }
            phones
        }
        None => args.phones.iter().map(|p| p.trim().to_owned()).collect(),
    };
    if phones.len() > MAX_DELETE_PHONES {
        return Err(CliError::invalid(format!(
            "{} phones; a deletion takes at most {MAX_DELETE_PHONES}",
            phones.len()
        )));
    }
    let mut deletion = CustomerDeletion::phones(phones.clone());
    if let (Some(from), Some(to)) = (&args.from, &args.to) {
        deletion = deletion.created_between(
            parse_date("delete_customers", "--from", from)?,
            parse_date("delete_customers", "--to", to)?,
        );
    }
    let client = global.longlonglong()?;
    let what = match (&args.from, &args.to) {
        (Some(from), Some(to)) => format!(
            "delete {} phones and customers created {from} to {to} from the pool of user {user}",
            phones.len()
        ),
        _ => format!(
            "delete {} phones from the pool of user {user}",
            phones.len()
        ),
    };
    global.confirm("longlonglong customer delete", &what)?;
    let ack = client.delete_customers(&user, &deletion).await?;
    Ok(Report::new(
        json!({"user": user.as_str(), "message": ack.message, "data": ack.data}),
        message_text(&ack.message, &ack.data),
    ))
}

async fn to_task(args: CustomerToTask, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let task = TaskId::parse(&super::uuid(&args.task))?;
    let filter = filter_of(&args.filter, "customers_to_task")?;
    let ack = global
        .longlonglong()?
        .customers_to_task(&user, &task, &filter)
        .await
        .check_with(|| {
            format!(
                "the move cannot be reconciled; wait for the api_customer_to_task callback \
                 or read task {task}'s numbers before moving again"
            )
        })?;
    Ok(Report::new(
        json!({"user": user.as_str(), "task": task.as_str(), "message": ack.message, "data": ack.data}),
        message_text(&ack.message, &ack.data),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_file_errors_name_the_line() {
        let dir = std::env::temp_dir().join(format!("voxkit-phones-{}", std::process::id()));
        std::fs::write(&dir, "# customers\n13012121212,张三,腾讯\n\n1301x\n").unwrap();
        let err = read_customers(&dir).unwrap_err();
        let _ = std::fs::remove_file(&dir);
        assert!(err.message.contains("line 4"), "{}", err.message);
        assert!(checked_phone("13012121212", 2).is_ok());
    }
}
