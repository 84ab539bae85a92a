//! `recharge`, `deduct`, `zero-balance` and `recharges`: the operations that move a
//! user's outbound-call balance, and the history that tells whether one whose answer was
//! lost was applied.

use chrono::NaiveDate;
use clap::Args;
use serde_json::{Value, json};
use voxkit_longlonglong::{Client, RechargeHistoryQuery, RechargeRecord, UserId};

use super::{UserArg, parse_date};
use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::render::longlonglong::{date_text, history_text, meta_json, record_json, records_table};
use crate::render::pages::PageInfo;
use crate::render::{Report, cell, one_line, plural};

/// The arguments of `recharge` and `deduct`.
#[derive(Debug, Args)]
pub struct Movement {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The amount, a positive integer.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    amount: u64,
    /// A remark (备注) that identifies this movement, e.g. an order number: it is how the
    /// recharge history tells whether a movement whose answer was lost was applied.
    #[arg(long, value_name = "TEXT")]
    remark: Option<String>,
}

/// The arguments of `recharges`.
#[derive(Debug, Args)]
pub struct History {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The first day, YYYY-MM-DD, China time (with --to).
    #[arg(long, value_name = "DATE", requires = "to")]
    from: Option<String>,
    /// The last day, YYYY-MM-DD, included whole (with --from; at most 30 days after it).
    #[arg(long, value_name = "DATE", requires = "from")]
    to: Option<String>,
    /// The page, from 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    page: Option<u32>,
    /// Every row of every page (the pages are walked until an empty one).
    #[arg(long, conflicts_with = "page")]
    all: bool,
    /// Search every page of the window for the rows whose remark is exactly TEXT and end
    /// with a verdict: "found N" or "none in the window ... (all P pages searched)". The
    /// window is the last 30 days (the API's limit), up to tomorrow (UTC) in case the
    /// server's clock is ahead; or --since DATE, or --from/--to.
    #[arg(long, value_name = "TEXT", conflicts_with_all = ["page", "all"])]
    remark: Option<String>,
    /// With --remark: search from this day, YYYY-MM-DD, to tomorrow (at most 30 days).
    #[arg(long, value_name = "DATE", requires = "remark", conflicts_with_all = ["from", "to"])]
    since: Option<String>,
}

pub(super) async fn movement(
    args: Movement,
    deduct: bool,
    global: &Global,
) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let remark = args.remark.as_deref();
    refuse_blank_remark(remark)?;
    let client = global.longlonglong()?;
    let result = if deduct {
        client.deduct(&user, args.amount, remark).await
    } else {
        client.recharge(&user, args.amount, remark).await
    };
    let (verb, label) = if deduct {
        ("deducted", "扣费 (deduction)")
    } else {
        ("recharged", "充值 (recharge)")
    };
    let ack = result.check_with(|| movement_check(&user, label, args.amount, remark))?;
    let mut text = format!("{verb} {} for user {user}", args.amount);
    if let Some(remark) = remark {
        text.push_str(&format!(" (remark {:?})", one_line(remark)));
    }
    text.push_str(&format!(": {}", cell(Some(&ack.message))));
    Ok(Report::new(
        json!({
            "user": user.as_str(),
            "amount": args.amount,
            "remark": remark,
            "message": ack.message,
        }),
        text,
    ))
}

/// Refuses an empty or blank `--remark` (exit 2, nothing sent): the remark is how a lost
/// movement is found again, and a blank one matches nothing useful (or every other blank
/// one), so it is never sent nor searched for.
fn refuse_blank_remark(remark: Option<&str>) -> Result<(), CliError> {
    match remark {
        Some(remark) if remark.trim().is_empty() => Err(CliError::invalid(
            "--remark is empty or blank: give a unique text such as an order number, or leave \
             --remark out",
        )),
        _ => Ok(()),
    }
}

/// How to find out whether a recharge or deduction whose answer was lost was applied.
///
/// Only a search of every page of the window can say "not applied", and only for a
/// remark that this movement alone carried; a movement sent without a remark cannot be
/// reconciled by remark at all (issue 12: advice to read page 1 led to double recharges).
fn movement_check(user: &UserId, label: &str, amount: u64, remark: Option<&str>) -> String {
    match remark {
        Some(remark) => format!(
            "run `voxkit longlonglong recharges --user {user} --remark {}`: it searches every \
             page of the last 30 days for this remark. \"found\" means the {label} of {amount} \
             was applied: do not send it again. \"none\" means it was not applied only \
             because the whole window was searched (the verdict says so) and only if no other \
             movement was given this remark; then it may be sent again",
            shell_word(remark)
        ),
        None => format!(
            "this {label} of {amount} was sent without --remark, so it cannot be reconciled by \
             remark: compare the balance of `voxkit longlonglong account --user {user}` with \
             what it was, and look in `voxkit longlonglong recharges --user {user} --all` \
             (every page) for a {label} of {amount} made just now, by amount and time, before \
             sending it again; next time give --remark with a unique order number"
        ),
    }
}

/// `text` as one shell word: as is when it is plainly safe, else in single quotes.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.,:/@+=".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

pub(super) async fn zero_balance(args: UserArg, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let client = global.longlonglong()?;
    global.confirm(
        "longlonglong zero-balance",
        &format!("set the outbound-call balance of user {user} to zero"),
    )?;
    let ack = client.zero_balance(&user).await.check_with(|| {
        format!(
            "run `voxkit longlonglong recharges --user {user} --all` (every page) and look \
                 for a 扣费 of the whole balance made just now, or `voxkit longlonglong account \
                 --user {user}`"
        )
    })?;
    Ok(Report::new(
        json!({"user": user.as_str(), "message": ack.message}),
        format!(
            "zeroed the balance of user {user}: {}",
            cell(Some(&ack.message))
        ),
    ))
}

pub(super) async fn recharges(args: History, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let range = match (&args.from, &args.to) {
        (Some(from), Some(to)) => Some((
            parse_date("recharge_history", "--from", from)?,
            parse_date("recharge_history", "--to", to)?,
        )),
        _ => None,
    };
    refuse_blank_remark(args.remark.as_deref())?;
    let client = global.longlonglong()?;
    if let Some(remark) = &args.remark {
        return search_remark(&client, &user, remark, range, args.since.as_deref()).await;
    }
    let mut query = RechargeHistoryQuery::new();
    if let Some((from, to)) = range {
        query = query.between(from, to);
    }
    let dates = json!({
        "user": user.as_str(),
        "from": range.map(|(from, _)| date_text(from)),
        "to": range.map(|(_, to)| date_text(to)),
    });
    if args.all {
        let records: Vec<RechargeRecord> = global
            .collect_pages(
                client.recharge_history_all(&user, &query),
                ("record", "records"),
            )
            .await?;
        let total = records.len() as u64;
        let mut json = dates;
        json["page"] = Value::Null;
        json["records"] = records.iter().map(record_json).collect();
        json["meta"] = json!({"all": true, "total": total, "more": false});
        let mut text = history_text(&records, range.is_some(), None);
        if !records.is_empty() {
            text.push_str(" (every page)");
        }
        return Ok(Report::new(json, text));
    }
    let page = args.page.unwrap_or(1);
    let history = client
        .recharge_history(&user, &query.clone().page(page))
        .await?;
    let info = match &history.meta {
        Some(meta) => PageInfo::known(meta.current_page, meta.last_page, Some(meta.total), true),
        // The documented answer has no paginator: a look at the next page tells whether
        // there is more (a read, so it is safe to send).
        None if !history.records.is_empty() => {
            let next = client
                .recharge_history(&user, &query.page(page.saturating_add(1)))
                .await?;
            let more = !next.records.is_empty();
            PageInfo {
                current: u64::from(page),
                last: (!more).then_some(u64::from(page)),
                total: (!more && page == 1).then_some(history.records.len() as u64),
                more: Some(more),
                all_flag: true,
            }
        }
        None => PageInfo {
            current: u64::from(page),
            last: None,
            total: None,
            more: Some(false),
            all_flag: true,
        },
    };
    let mut json = dates;
    json["page"] = json!(page);
    json["records"] = history.records.iter().map(record_json).collect();
    json["meta"] = info.json();
    if let Some(meta) = &history.meta {
        json["meta"]["provider"] = meta_json(meta);
    }
    Ok(Report::new(
        json,
        history_text(&history.records, range.is_some(), Some(&info)),
    ))
}

/// `recharges --remark TEXT`: every page of the window searched, then a verdict.
async fn search_remark(
    client: &Client,
    user: &UserId,
    remark: &str,
    range: Option<(NaiveDate, NaiveDate)>,
    since: Option<&str>,
) -> Result<Report, CliError> {
    // The default window ends tomorrow in UTC: the server's time zone is not documented
    // (likely UTC+8), and a movement of "today" on its clock must be inside the window.
    let widest = RechargeHistoryQuery::reconcile_window();
    let query = match (range, since, widest.range()) {
        (Some((from, to)), _, _) => RechargeHistoryQuery::new().between(from, to),
        (None, Some(since), Some((_, tomorrow))) => {
            let since = parse_date("recharge_history", "--since", since)?;
            RechargeHistoryQuery::new().between(since, tomorrow)
        }
        _ => widest,
    };
    let found = client
        .find_recharges_by_remark(user, remark, &query)
        .await?;
    let (from, to) = found
        .range
        .map(|(from, to)| (date_text(from), date_text(to)))
        .unwrap_or_default();
    let pages = plural(found.pages as usize, "page", "pages");
    let verdict = if found.matches.is_empty() {
        format!("none in the window {from}..{to} (all {pages} searched)")
    } else {
        format!(
            "found {} with remark {:?} in the window {from}..{to} (all {pages} searched)",
            found.matches.len(),
            one_line(remark)
        )
    };
    let mut text = String::new();
    if !found.matches.is_empty() {
        text.push_str(&records_table(&found.matches).render());
        text.push('\n');
    }
    text.push_str(&verdict);
    Ok(Report::new(
        json!({
            "user": user.as_str(),
            "remark": remark,
            "from": from,
            "to": to,
            "found": found.matches.len(),
            "records": found.matches.iter().map(record_json).collect::<Vec<_>>(),
            "pages_searched": found.pages,
            "records_searched": found.records,
            "complete": true,
            "verdict": verdict,
        }),
        text,
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::cli::Cli;
    use clap::Parser;

    /// The words after `voxkit` of a recharge of `amount` to the user `u`: the command
    /// line the tests of how amounts are parsed and refused vary.
    pub(crate) fn recharge_words(amount: &str) -> [&str; 6] {
        [
            "longlonglong",
            "recharge",
            "--user",
            "u",
            "--amount",
            amount,
        ]
    }

    #[test]
    fn amounts_are_positive_integers() {
        let parse = |amount: &str| {
            Cli::try_parse_from(std::iter::once("voxkit").chain(recharge_words(amount)))
        };
        assert!(parse("1").is_ok());
        for bad in ["0", "-5", "1.5", "ten"] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn blank_remarks_are_refused() {
        for bad in ["", " ", "\t\n"] {
            let err = super::refuse_blank_remark(Some(bad)).unwrap_err();
            assert_eq!(err.exit_code, 2, "{bad:?}");
        }
        assert!(super::refuse_blank_remark(Some("order-1")).is_ok());
        assert!(super::refuse_blank_remark(None).is_ok());
    }

    #[test]
    fn a_range_needs_both_ends() {
        let parse = |extra: &[&str]| {
            let mut args = vec!["voxkit", "longlonglong", "recharges", "--user", "u"];
            args.extend(extra);
            Cli::try_parse_from(args)
        };
        assert!(parse(&[]).is_ok());
        assert!(parse(&["--from", "2026-01-01", "--to", "2026-01-02"]).is_ok());
        assert!(parse(&["--from", "2026-01-01"]).is_err());
        assert!(parse(&["--to", "2026-01-01"]).is_err());
    }
}
