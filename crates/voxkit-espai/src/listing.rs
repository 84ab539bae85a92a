//! What the list queries of agents, devices, cards and the usage log share, written once:
//! the `Option` setters of their filters, the `page`/`limit` fields sent as strings, the
//! `data` + `totalNumber` answer and the walk over every page. Each group file keeps only
//! what differs (its filters, its checks, its item type).

use futures_util::stream::BoxStream;
use serde::Deserialize;
use serde_json::{Map, Value};
use voxkit_core::page::walk;
use voxkit_core::{Error, Origin, Page, Paging, lenient};

use crate::{Client, checks};

/// Setters of the filters' and updates' optional fields, one per line of the invocation,
/// each with its own doc (`fn setter(field: Type);`, `fn setter(field: impl Into<T>).into();`):
/// core's [`voxkit_core::optional_setters!`], the one macro every provider crate's builders
/// use, under the name this crate's builders call it by.
pub(crate) use voxkit_core::optional_setters as option_setters;

/// A list query that can be pointed at another page: what [`walk_query`] needs to fetch
/// page after page of it.
pub(crate) trait PagedQuery: Clone + Send + Sync + 'static {
    /// This query at page `number` with `size` items a page (`None`: the server's size).
    fn at_page(self, number: u32, size: Option<u32>) -> Self;
}

/// Checks `page` and `limit` and inserts the ones set into `body`, as strings (`"page":
/// "1"`), the way every documented list example sends them.
pub(crate) fn insert_page(
    origin: Origin,
    body: &mut Map<String, Value>,
    page: Option<u32>,
    limit: Option<u32>,
) -> Result<(), Error> {
    checks::page(origin, page, limit)?;
    for (key, value) in [("page", page), ("limit", limit)] {
        if let Some(n) = value {
            body.insert(key.into(), n.to_string().into());
        }
    }
    Ok(())
}

/// The payload of a list answer: `data` (absent or `null` read as none) and
/// `totalNumber`, read beside the envelope's head in one pass.
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(crate) struct List<T> {
    #[serde(default, deserialize_with = "lenient::null_as_empty")]
    data: Vec<T>,
    #[serde(rename = "totalNumber", default, deserialize_with = "lenient::opt_u64")]
    total: Option<u64>,
}

impl<T> List<T> {
    /// The answer as a [`Page`], its total from `totalNumber`.
    pub(crate) fn into_page(self) -> Page<T> {
        Page::new(self.data).total(self.total)
    }
}

/// The paging of a walk with the crate's [`DEFAULT_PAGE_SIZE`](crate::DEFAULT_PAGE_SIZE)
/// and core's default caps, its messages naming the `listing` and its `item`/`items`: what
/// the agent and device walks share.
pub(crate) fn default_paging(
    listing: &'static str,
    item: &'static str,
    items: &'static str,
) -> Paging {
    Paging::new(Some(crate::DEFAULT_PAGE_SIZE)).named(listing, item, items)
}

impl Client {
    /// Every item `query` selects, page after page of `fetch(client, query at that
    /// page)`, with the guards of [`voxkit_core::page::walk`] (page cap, item cap, a page
    /// larger than asked or one that only repeats items end the stream with an error
    /// saying the listing is incomplete); `key` tells the items apart.
    pub(crate) fn walk_query<Q, T, F, Fut>(
        &self,
        origin: Origin,
        paging: Paging,
        key: fn(&T) -> String,
        query: Q,
        fetch: F,
    ) -> BoxStream<'static, Result<T, Error>>
    where
        Q: PagedQuery,
        T: Send + 'static,
        F: Fn(Client, Q) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
    {
        let client = self.clone();
        walk(origin, paging, key, move |number, size| {
            fetch(client.clone(), query.clone().at_page(number, size))
        })
    }
}
