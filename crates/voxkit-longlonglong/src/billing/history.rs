//! The whole recharge history of a window, page after page, as a stream that a misbehaving
//! server cannot make endless (core's [`walk`](voxkit_core::page::walk)); and the search
//! by remark that reconciles a lost movement.
//!
//! Why this exists: after [`Error::OutcomeUnknown`] on a recharge, the only way to know
//! whether it was applied is to find its remark in the history. The history comes 15 rows
//! a page (the size is not documented) and, as documented, **without** a `meta` paginator,
//! so a look at page 1 alone can miss the movement (20 later movements push it to page 2)
//! and a wrong "not found" leads to a double recharge.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::SystemTime;

use chrono::{DateTime, Days, NaiveDate, Utc};
use futures_util::stream::{BoxStream, TryStreamExt};
use voxkit_core::{Error, Paging};

use super::{MAX_HISTORY_SPAN_DAYS, RECHARGE_HISTORY, RechargeHistoryQuery, RechargeRecord};
use crate::Client;
use crate::ids::UserId;

/// The most pages [`Client::recharge_history_all`] fetches before giving up: 1000 pages
/// (15,000 rows at the sandbox's page size), far more than 30 days of movements of any
/// account, and few enough that a server that never ends its pages is stopped.
pub const DEFAULT_MAX_HISTORY_PAGES: u32 = 1000;

impl RechargeHistoryQuery {
    /// The widest window the API allows that ends on `to`: from `to` minus
    /// [`MAX_HISTORY_SPAN_DAYS`] days to `to`, both included. This is the window to search
    /// when reconciling: the server's default is only the last 7 days.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use voxkit_longlonglong::RechargeHistoryQuery;
    /// let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    /// let query = RechargeHistoryQuery::widest_ending(day(3, 10));
    /// assert_eq!(query.range(), Some((day(2, 8), day(3, 10))));
    /// ```
    pub fn widest_ending(to: NaiveDate) -> Self {
        let from = to
            .checked_sub_days(Days::new(MAX_HISTORY_SPAN_DAYS.unsigned_abs()))
            .unwrap_or(NaiveDate::MIN);
        Self::new().between(from, to)
    }

    /// The window to search when reconciling a movement made just now:
    /// [`RechargeHistoryQuery::widest_ending`] tomorrow (UTC). Tomorrow, because the
    /// server's time zone is not documented (likely UTC+8): a movement of "today" on its
    /// clock may be "tomorrow" on yours.
    pub fn reconcile_window() -> Self {
        let today = DateTime::<Utc>::from(SystemTime::now()).date_naive();
        Self::widest_ending(today.checked_add_days(Days::new(1)).unwrap_or(today))
    }
}

/// What [`Client::find_recharges_by_remark`] found after reading **every** page of the
/// window: a search that could not read them all is an error, never a short answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemarkSearch {
    /// The rows whose remark equals the one searched, newest first (the server's order).
    pub matches: Vec<RechargeRecord>,
    /// The pages read, the final empty page included.
    pub pages: u32,
    /// The rows read over all pages (each counted once).
    pub records: u64,
    /// The window searched (`None`: the server's default, the last 7 days).
    pub range: Option<(NaiveDate, NaiveDate)>,
}

impl Client {
    /// Every row of the recharge history of `query`'s window, fetched lazily page after
    /// page (`page=1, 2, ...`; the query's own page is replaced), newest first, with the
    /// default page cap [`DEFAULT_MAX_HISTORY_PAGES`]. See
    /// [`Client::recharge_history_all_with`].
    pub fn recharge_history_all(
        &self,
        user: &UserId,
        query: &RechargeHistoryQuery,
    ) -> BoxStream<'static, Result<RechargeRecord, Error>> {
        self.recharge_history_all_with(user, query, DEFAULT_MAX_HISTORY_PAGES)
    }

    /// Every row of the recharge history of `query`'s window, at most `max_pages` pages.
    /// Each page is a [`Client::recharge_history`] call, retried on transient failures.
    ///
    /// The documented answer has no paginator, so the stream ends normally only at an
    /// **empty page** (one request more than the pages with rows), or after the last page
    /// of a `meta` paginator if the server sends one. It ends with an error (then nothing
    /// more) on a failed call, or when the history cannot be completed: a page that holds
    /// only rows already yielded (a server that ignores `page`), or `max_pages` pages read
    /// before the end. That error is an [`Error::Decode`] whose message says "the recharge
    /// history is incomplete", so a partial history is never mistaken for the whole.
    ///
    /// A row already yielded is never yielded again: movements made during the walk push
    /// older rows to later pages, and the repeats are skipped by id (nothing can be pushed
    /// to an earlier page, so nothing is missed). A bad window (more than
    /// [`MAX_HISTORY_SPAN_DAYS`] days, reversed) or a page cap of 0 is refused with the
    /// first item, before anything is sent.
    pub fn recharge_history_all_with(
        &self,
        user: &UserId,
        query: &RechargeHistoryQuery,
        max_pages: u32,
    ) -> BoxStream<'static, Result<RechargeRecord, Error>> {
        self.history_walk(user, query, max_pages, Arc::default())
    }

    /// The walk itself; `pages` counts the pages fetched.
    fn history_walk(
        &self,
        user: &UserId,
        query: &RechargeHistoryQuery,
        max_pages: u32,
        pages: Arc<AtomicU32>,
    ) -> BoxStream<'static, Result<RechargeRecord, Error>> {
        self.walk_pages(
            RECHARGE_HISTORY.origin(),
            Paging::new(None)
                .max_pages(max_pages)
                .named("recharge history", "row", "rows"),
            |record: &RechargeRecord| record.id,
            (user.clone(), query.clone(), pages),
            |client, (user, query, pages), number, _| async move {
                let page = client.recharge_history(&user, &query.page(number)).await?;
                pages.fetch_add(1, Ordering::Relaxed);
                Ok(page.into_page())
            },
        )
    }

    /// The rows of `query`'s window whose remark equals `remark` exactly, after reading
    /// every page ([`Client::recharge_history_all`]): the way to reconcile a recharge or a
    /// deduction whose outcome is unknown.
    ///
    /// Found: the movement was applied (more than one: the remark was not unique, so the
    /// amount and time must tell). Not found is conclusive only if the window covers the
    /// moment the movement was sent (use [`RechargeHistoryQuery::widest_ending`] on
    /// today, or tomorrow when the server's clock may be ahead of yours — its time zone is
    /// not documented) and the remark was given to that movement alone. Any page that
    /// cannot be read makes the whole search an error: no partial "not found".
    pub async fn find_recharges_by_remark(
        &self,
        user: &UserId,
        remark: &str,
        query: &RechargeHistoryQuery,
    ) -> Result<RemarkSearch, Error> {
        let pages = Arc::new(AtomicU32::new(0));
        let mut rows = self.history_walk(user, query, DEFAULT_MAX_HISTORY_PAGES, pages.clone());
        let (mut matches, mut records) = (Vec::new(), 0);
        while let Some(row) = rows.try_next().await? {
            records += 1;
            if row.remark.as_deref() == Some(remark) {
                matches.push(row);
            }
        }
        Ok(RemarkSearch {
            matches,
            pages: pages.load(Ordering::Relaxed),
            records,
            range: query.range,
        })
    }
}
