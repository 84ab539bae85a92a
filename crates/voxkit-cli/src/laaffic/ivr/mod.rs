//! `voxkit laaffic voice|task|tasks|records`: Laaffic IVR group calls (IVR群呼), one file
//! per group: [`voices`], [`tasks`] (one task, the list), [`create`] (`task create` and
//! `task resend`, which start a round of calls), [`records`].
//!
//! Every rule the SDK knows is checked before anything is sent (exit code 2). Uploads,
//! task creations and resends are never sent twice: when their answer is lost the exit
//! code is 5 and the message says how to find out whether they were applied.

pub mod create;
pub mod records;
pub mod tasks;
pub mod voices;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use futures_util::Stream;
use serde_json::{Value, json};
use voxkit_laaffic::Page;

use crate::context::Global;
use crate::failure::CliError;
use crate::render::laaffic::page_meta;
use crate::render::pages::all_meta;
use crate::render::{Report, china, one_line};

/// A local date-time: `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD`
/// (midnight).
pub(crate) fn parse_local(flag: &str, text: &str) -> Result<NaiveDateTime, CliError> {
    let text = text.trim();
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(at);
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_time(NaiveTime::MIN));
    }
    Err(CliError::invalid(format!(
        "{flag}: {:?} is not a date-time (YYYY-MM-DD HH:MM:SS)",
        one_line(text)
    )))
}

/// The end of a window of local times: [`parse_local`], except that a bare day
/// (`2026-11-30`) is included whole, to 23:59:59: `--from/--to` days are calendar days
/// inclusive at both ends in every command ([`crate::render::TIME_RULE`]).
pub(crate) fn parse_local_end(flag: &str, text: &str) -> Result<NaiveDateTime, CliError> {
    let at = parse_local(flag, text)?;
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(day) => Ok(day.and_hms_opt(23, 59, 59).unwrap_or(at)),
        Err(_) => Ok(at),
    }
}

/// A date-time with an offset (RFC 3339), or a local one taken as China time (+08:00),
/// the zone of every other Laaffic time ([`crate::render::TIME_RULE`]).
fn parse_zoned(flag: &str, text: &str) -> Result<DateTime<FixedOffset>, CliError> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(at);
    }
    parse_local(flag, text)
        .map(|at| DateTime::from_naive_utc_and_offset(at - chrono::Duration::hours(8), china()))
        .map_err(|_| {
            CliError::invalid(format!(
                "{flag}: {:?} is not a date-time (e.g. 2026-03-01T00:00:00+08:00)",
                one_line(text)
            ))
        })
}

/// The end of a window: [`parse_zoned`], except that a bare day (`2026-11-30`, with or
/// without an offset) is included whole, to its last second: dates are calendar days
/// inclusive at both ends, as `--from/--to` are everywhere.
fn parse_zoned_end(flag: &str, text: &str) -> Result<DateTime<FixedOffset>, CliError> {
    let trimmed = text.trim();
    if NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").is_ok() {
        let start = parse_zoned(flag, trimmed)?;
        return Ok(start + chrono::Duration::seconds(86_399));
    }
    parse_zoned(flag, text)
}

/// `HH:MM-HH:MM`.
pub(crate) fn parse_window(text: &str) -> Result<(NaiveTime, NaiveTime), CliError> {
    let bad = || {
        CliError::invalid(format!(
            "--window: {:?} is not a window HH:MM-HH:MM",
            one_line(text)
        ))
    };
    let (start, end) = text.trim().split_once('-').ok_or_else(bad)?;
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
    Ok((time(start)?, time(end)?))
}

/// How a list over a time window (`tasks`, `records`) answers, one page or with `--all`
/// every page: both lists report the window, the page and the size asked, and where the
/// list stands, in the same JSON shape.
pub(super) struct WindowList<T> {
    /// The window's start, as the JSON shows it.
    pub(super) from: String,
    /// The window's end, as the JSON shows it.
    pub(super) to: String,
    /// The page size asked (with `--all`: the size of each page fetched).
    pub(super) size: u32,
    /// The items' nouns, singular and plural (`("task", "tasks")`): the plural is the
    /// JSON key of the items.
    pub(super) names: (&'static str, &'static str),
    /// One item as JSON.
    pub(super) json: fn(&T) -> Value,
    /// The items as text.
    pub(super) text: fn(&Page<T>) -> String,
}

impl<T> WindowList<T> {
    /// The list's report: with `walk` (`--all`) every item it yields, progress on stderr
    /// and a failure part way saying how many were listed; else page `current`, which
    /// `page` fetches (called only then).
    pub(super) async fn run<W, F>(
        &self,
        global: &Global,
        walk: Option<W>,
        current: u32,
        page: impl FnOnce() -> F,
    ) -> Result<Report, CliError>
    where
        W: Stream<Item = Result<T, voxkit_core::Error>> + Unpin,
        F: Future<Output = Result<Page<T>, voxkit_core::Error>>,
    {
        if let Some(walk) = walk {
            let items = global.collect_pages(walk, self.names).await?;
            return Ok(self.all(items));
        }
        Ok(self.page(current, page().await?))
    }

    /// Every item of the `--all` walk, as one report counted by itself.
    fn all(&self, items: Vec<T>) -> Report {
        let total = items.len();
        self.report(
            Page::new(items),
            (Value::Null, total.into(), Value::Null),
            all_meta(total),
        )
    }

    /// One page (number `current`) as a report with where it stands.
    fn page(&self, current: u32, page: Page<T>) -> Report {
        let meta = page_meta(&page);
        let numbers = (current.into(), page.total.into(), page.last_page.into());
        self.report(page, numbers, meta)
    }

    /// The report of `page`, with its `(page, total, pages)` numbers and `meta`.
    fn report(
        &self,
        page: Page<T>,
        (current, total, pages): (Value, Value, Value),
        meta: Value,
    ) -> Report {
        let mut json = json!({
            "from": self.from,
            "to": self.to,
            "page": current,
            "size": self.size,
            "total": total,
            "pages": pages,
            "meta": meta,
        });
        json[self.names.1] = page.items.iter().map(self.json).collect();
        Report::new(json, (self.text)(&page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::laaffic::local_text;

    #[test]
    fn a_bare_end_day_is_included_whole() {
        let end = parse_zoned_end("--to", "2026-11-30").unwrap();
        assert_eq!(end.to_rfc3339(), "2026-11-30T23:59:59+08:00");
        let end = parse_zoned_end("--to", "2026-11-30T12:00:00+08:00").unwrap();
        assert_eq!(end.to_rfc3339(), "2026-11-30T12:00:00+08:00");
        assert!(parse_zoned_end("--to", "2026-11-31").is_err());
    }

    #[test]
    fn dates_and_windows() {
        let at = parse_local("--from", "2026-03-01 08:30:00").unwrap();
        assert_eq!(local_text(at), "2026-03-01 08:30:00");
        assert_eq!(parse_local("--from", "2026-03-01T08:30:00").unwrap(), at);
        assert_eq!(
            local_text(parse_local("--from", "2026-03-01").unwrap()),
            "2026-03-01 00:00:00"
        );
        assert!(parse_local("--from", "yesterday").is_err());
        assert_eq!(
            parse_zoned("--from", "2026-03-01T08:30:00+08:00")
                .unwrap()
                .to_rfc3339(),
            "2026-03-01T08:30:00+08:00"
        );
        assert_eq!(
            parse_zoned("--from", "2026-03-01 08:30:00")
                .unwrap()
                .to_rfc3339(),
            "2026-03-01T08:30:00+08:00"
        );
        // A bare end day is included whole; a time is taken as given.
        assert_eq!(
            local_text(parse_local_end("--to", "2026-11-30").unwrap()),
            "2026-11-30 23:59:59"
        );
        assert_eq!(
            local_text(parse_local_end("--to", "2026-11-30 12:00").unwrap()),
            "2026-11-30 12:00:00"
        );
        assert!(parse_local_end("--to", "2026-11-31").is_err());
        let (start, end) = parse_window("09:00-18:30").unwrap();
        assert_eq!(
            (start.to_string(), end.to_string()),
            ("09:00:00".into(), "18:30:00".into())
        );
        for bad in ["9-18", "09:00", "25:00-26:00", ""] {
            assert!(parse_window(bad).is_err(), "{bad}");
        }
    }
}
