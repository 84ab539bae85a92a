//! The three paged queries' common parts (tasks, recall flows, call records): the page and
//! time window each request carries ([`PagedWindow`]), the page each answer holds
//! ([`WirePage`]), the one POST that sends a query and the walk over every page.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use futures_util::stream::BoxStream;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use voxkit_core::page::walk;
use voxkit_core::{Error, Operation, OperationSpec, Origin, Page, Paging, check, lenient};

use crate::envelope::decode_data;
use crate::{Client, dates};

/// A page number (1-N) and a page size (1-100), as the paged queries document them.
pub(crate) fn check_page(origin: Origin, current: u32, size: u32) -> Result<(), Error> {
    check::range(
        origin,
        "the page number",
        current.into(),
        1,
        u32::MAX.into(),
    )?;
    check::range(origin, "the page size", size.into(), 1, 100)
}

/// A time as a paged query sends it: the task APIs' `LocalDateTime`
/// (`"2024-01-01 00:00:00"`) or the record query's ISO-8601 with offset.
pub(crate) trait WireTime: PartialOrd {
    /// The time in its documented format.
    fn wire(&self) -> String;
}

impl WireTime for NaiveDateTime {
    fn wire(&self) -> String {
        self.format(dates::LOCAL_DATE_TIME).to_string()
    }
}

impl WireTime for DateTime<FixedOffset> {
    fn wire(&self) -> String {
        self.format(dates::ISO_DATE_TIME).to_string()
    }
}

/// The page (`current` 1-N, `size` 1-100) and the time window (`params.strTime`,
/// `params.endTime`, the start not after the end) of a paged query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PagedWindow<T> {
    pub(crate) current: u32,
    pub(crate) size: u32,
    pub(crate) start: T,
    pub(crate) end: T,
}

impl<T: WireTime> PagedWindow<T> {
    /// Page 1 of `size`, between `start` and `end`.
    pub(crate) fn new(start: T, end: T, size: u32) -> Self {
        PagedWindow {
            current: 1,
            size,
            start,
            end,
        }
    }

    /// The page rules and a start not after the end.
    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        check_page(origin, self.current, self.size)?;
        if self.start > self.end {
            return Err(Error::invalid_input(
                origin,
                "the start time is after the end time",
            ));
        }
        Ok(())
    }

    /// `{current, size, params: {strTime, endTime, …params}}`: the query's own filters
    /// `params` (a struct, or `()` for none) go beside the window.
    pub(crate) fn wire<P: Serialize>(&self, params: P) -> impl Serialize + use<T, P> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Params<P> {
            str_time: String,
            end_time: String,
            #[serde(flatten)]
            rest: P,
        }
        #[derive(Serialize)]
        struct Wire<P> {
            current: u32,
            size: u32,
            params: Params<P>,
        }
        Wire {
            current: self.current,
            size: self.size,
            params: Params {
                str_time: self.start.wire(),
                end_time: self.end.wire(),
                rest: params,
            },
        }
    }
}

/// The page shape of the paged queries (`data: {total, size, current, pages, records}`;
/// the record query adds `searchCount`, not kept). Counts absent from an answer are
/// `None` (the documentation's examples are cut before them).
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(crate) struct WirePage<T> {
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    total: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    size: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    current: Option<u64>,
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pages: Option<u64>,
    /// `records`: this page's records (absent or `null`: none).
    #[serde(default, deserialize_with = "lenient::null_as_empty")]
    records: Vec<T>,
}

impl<T> WirePage<T> {
    /// Core's page: `records`, `current`, `size`, `total`, `pages` as the last page.
    pub(crate) fn into_page(self) -> Page<T> {
        Page::new(self.records)
            .page(self.current)
            .per_page(self.size)
            .total(self.total)
            .last_page(self.pages)
    }
}

impl Client {
    /// One page of a paged query: POSTs `body` as `spec` and reads the `{code, msg,
    /// data}` envelope's page (`records`, `current`, `size`, `total`, `pages`). Shared by
    /// the paged queries, which differ only in their body and items.
    pub(crate) async fn query_page<T: DeserializeOwned>(
        &self,
        spec: &'static OperationSpec,
        body: &impl Serialize,
    ) -> Result<Page<T>, Error> {
        let op = Operation::of(spec, &[])?.json(spec.origin(), body)?;
        let page: WirePage<T> = self.send(spec, &op, decode_data).await?;
        Ok(page.into_page())
    }

    /// Every item of `query` (its page number ignored, its page size `size` used), page
    /// after page of `fetch(client, at_page(query, number, size))`, with the guards of
    /// [`voxkit_core::page::walk`] (`key` tells the items apart): the listing ends with an
    /// "incomplete listing" error, never a short list, when the server ignores the paging
    /// or never ends. Shared by the task, recall-flow and call-record listings.
    pub(crate) fn walk_query<Q, T, K, F, Fut>(
        &self,
        origin: Origin,
        query: &Q,
        size: u32,
        at_page: fn(Q, u32, u32) -> Q,
        key: fn(&T) -> K,
        fetch: F,
    ) -> BoxStream<'static, Result<T, Error>>
    where
        Q: Clone + Send + Sync + 'static,
        T: Send + 'static,
        K: Eq + std::hash::Hash + Send + 'static,
        F: Fn(Client, Q) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
    {
        let (client, query) = (self.clone(), query.clone());
        walk(
            origin,
            Paging::new(Some(size)),
            key,
            move |number, asked| {
                let query = at_page(query.clone(), number, asked.unwrap_or(size));
                fetch(client.clone(), query)
            },
        )
    }
}
