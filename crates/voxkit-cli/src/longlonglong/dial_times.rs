//! `dial-time list` and `dial-time save`: the weekly hours in which a task may call
//! (呼叫时间组). The list's records are read in the shape the mirror of 任务初始化 shows
//! (`task_dial_times[]`); a server whose records differ is shown as sent. Saving creates a
//! group, so it is never sent twice: a lost answer is exit 5 with how to check.

use chrono::NaiveTime;
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use voxkit_core::{Error, Origin};
use voxkit_longlonglong::{
    DaySchedule, DialTimeGroup, NewDialTimeGroup, PROVIDER, SubUserId, TimeSpan, UserId,
};

use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::render::longlonglong::{
    dial_time_groups_text, raw_all_json, raw_page_info, raw_page_json_about, raw_text,
};
use crate::render::{Report, cell, one_line};

/// `voxkit longlonglong dial-time <command>`.
#[derive(Debug, Subcommand)]
pub enum DialTimeCommand {
    /// The dial-time groups (呼叫时间组-列表): one page, or every page with --all.
    List(List),
    /// Save a new dial-time group (呼叫时间组-保存). Never sent twice: if the answer is
    /// lost the exit code is 5 and `dial-time list` tells whether it was saved.
    Save(Save),
}

/// The arguments of `dial-time list`.
#[derive(Debug, Args)]
pub struct List {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// A sub-account's groups instead (sub_user_id), a UUID.
    #[arg(long, value_name = "ID")]
    sub: Option<String>,
    /// The page, from 1.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    page: Option<u32>,
    /// Every group of every page.
    #[arg(long, conflicts_with = "page")]
    all: bool,
}

/// The arguments of `dial-time save`.
#[derive(Debug, Args)]
pub struct Save {
    /// The user (main account) id, a UUID.
    #[arg(long, value_name = "ID")]
    user: String,
    /// The group's name (1–64 characters): how a lost save is found in the list, so give
    /// one no other group has.
    #[arg(long, value_name = "NAME")]
    name: String,
    /// A day and its hours, `WEEK=HH:MM-HH:MM[,HH:MM-HH:MM...]` (WEEK 0–6, 0 Sunday, or a
    /// range such as `1-5`); repeat for more days.
    #[arg(long = "day", value_name = "WEEK=HOURS", required = true)]
    days: Vec<String>,
    /// Make it the default group.
    #[arg(long)]
    default: bool,
    /// Do not call on public holidays.
    #[arg(long)]
    skip_holiday: bool,
    /// Save it for this sub-account (sub_user_id), a UUID.
    #[arg(long, value_name = "ID")]
    sub: Option<String>,
}

/// Runs one `dial-time` command.
pub(super) async fn run(command: DialTimeCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        DialTimeCommand::List(args) => list(args, global).await,
        DialTimeCommand::Save(args) => save(args, global).await,
    }
}

fn sub_user(sub: Option<&str>) -> Result<Option<SubUserId>, Error> {
    sub.map(|s| SubUserId::parse(&super::uuid(s))).transpose()
}

async fn list(args: List, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let sub = sub_user(args.sub.as_deref())?;
    let client = global.longlonglong()?;
    let head = json!({"user": user.as_str(), "sub_user_id": sub.as_ref().map(SubUserId::as_str)});
    if args.all {
        let records: Vec<Value> = global
            .collect_pages(
                client.dial_time_groups_all(&user, sub.as_ref()),
                ("dial-time group", "dial-time groups"),
            )
            .await?;
        let text = match serde_json::from_value::<Vec<DialTimeGroup>>(json!(records)) {
            Ok(groups) => dial_time_groups_text(&groups, None),
            Err(_) => raw_text("", &json!(records)),
        };
        return Ok(Report::new(raw_all_json(head, records), text));
    }
    let page = client
        .dial_time_groups(&user, Some(args.page.unwrap_or(1)), sub.as_ref())
        .await?;
    let info = raw_page_info(&page);
    let text = match DialTimeGroup::from_page(&page) {
        Ok(groups) => dial_time_groups_text(&groups, info.as_ref()),
        Err(_) => raw_text(&page.message, &page.data),
    };
    Ok(Report::new(raw_page_json_about(&page, &head), text))
}

async fn save(args: Save, global: &Global) -> Result<Report, CliError> {
    let user = UserId::parse(&super::uuid(&args.user))?;
    let sub = sub_user(args.sub.as_deref())?;
    let mut content = Vec::new();
    for day in &args.days {
        content.extend(parse_day("--day", day)?);
    }
    let mut group = NewDialTimeGroup::new(&args.name, content)?;
    if args.default {
        group = group.is_default(true);
    }
    if args.skip_holiday {
        group = group.skip_holiday(true);
    }
    if let Some(sub) = sub.clone() {
        group = group.sub_user(sub);
    }
    let list = match &sub {
        Some(sub) => format!("voxkit longlonglong dial-time list --user {user} --sub {sub} --all"),
        None => format!("voxkit longlonglong dial-time list --user {user} --all"),
    };
    let done = global
        .longlonglong()?
        .save_dial_time_group(&user, &group)
        .await
        .check_with(|| {
            format!(
                "run `{list}` and look for a group named {:?}: if one is listed that was not \
                 there before, it was saved; do not save it again",
                one_line(&args.name)
            )
        })?;
    let mut text = format!(
        "saved dial-time group {:?} for {}: {}",
        one_line(&args.name),
        sub.as_ref()
            .map_or_else(|| format!("user {user}"), |s| format!("sub-account {s}")),
        cell(Some(&done.message))
    );
    text.push_str(&super::created_id_line(&done.data, "group id"));
    Ok(Report::new(
        json!({
            "user": user.as_str(),
            "sub_user_id": sub.as_ref().map(SubUserId::as_str),
            "group": serde_json::to_value(&group).unwrap_or(Value::Null),
            "message": done.message,
            "data": done.data,
        }),
        text,
    ))
}

/// One `--day WEEK=HH:MM-HH:MM[,...]` (WEEK a day 0–6 or a range `1-5`): a schedule per
/// day, each checked by the SDK. Also the `day` cells of a batch row
/// (`longlonglong.dial-time-group-save`), so that both read one syntax; `source` names
/// where the text came from (`--day`, or the cell) in the message.
pub(crate) fn parse_day(source: &str, text: &str) -> Result<Vec<DaySchedule>, Error> {
    let invalid = |why: &str| {
        let shown: String = text.chars().take(60).collect();
        Error::invalid_input(
            Origin::new(PROVIDER, "save_dial_time_group"),
            format!(
                "{source} {shown:?}: {why} (expected WEEK=HH:MM-HH:MM[,HH:MM-HH:MM], e.g. 1-5=09:00-12:00,13:00-18:00)"
            ),
        )
    };
    let (weeks, hours) = text.split_once('=').ok_or_else(|| invalid("no `=`"))?;
    let week = |w: &str| {
        w.trim()
            .parse::<u8>()
            .map_err(|_| invalid("the week is not 0–6"))
    };
    let (first, last) = match weeks.split_once('-') {
        Some((a, b)) => (week(a)?, week(b)?),
        None => (week(weeks)?, week(weeks)?),
    };
    if first > last || last > 6 {
        return Err(invalid("the week is not 0–6"));
    }
    let time = |t: &str| {
        NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| invalid("a time is not HH:MM"))
    };
    let spans = hours
        .split(',')
        .map(|span| {
            let (begin, end) = span
                .split_once('-')
                .ok_or_else(|| invalid("a span has no `-`"))?;
            TimeSpan::new(time(begin)?, time(end)?)
        })
        .collect::<Result<Vec<_>, _>>()?;
    (first..=last)
        .map(|w| DaySchedule::new(w, spans.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_take_a_week_or_a_range_and_spans() {
        let days = parse_day("--day", "1-5=09:00-12:00,13:00-18:00").unwrap();
        assert_eq!(days.len(), 5);
        assert_eq!(days[0].week, 1);
        assert_eq!(days[4].week, 5);
        assert_eq!(days[0].times.len(), 2);
        assert_eq!(parse_day("--day", "0=08:30-09:00").unwrap()[0].week, 0);
        for bad in [
            "1",
            "7=09:00-10:00",
            "5-1=09:00-10:00",
            "1=9-10",
            "1=10:00-09:00",
            "x=09:00-10:00",
        ] {
            assert!(parse_day("--day", bad).unwrap_err().nothing_sent(), "{bad}");
        }
    }

    /// A batch row's bad `day` cell is named as the cell, not as a flag the row never had.
    #[test]
    fn the_message_names_where_the_text_came_from() {
        for (source, other) in [("--day", "`day`"), ("`day`", "--day")] {
            let message = parse_day(source, "7=09:00-10:00").unwrap_err().to_string();
            assert!(
                message.contains(&format!("{source} \"7=09:00-10:00\"")),
                "{message}"
            );
            assert!(!message.contains(other), "{message}");
        }
    }
}
