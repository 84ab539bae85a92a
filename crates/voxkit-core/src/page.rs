//! One page type, and every item of every page as a stream a server cannot make endless.
//!
//! # Why
//!
//! The providers page five ways (longlonglong's Laravel `meta`, its history without one,
//! Laaffic's `{records, total, size, current, pages}`, ESP-AI's `{data, totalNumber}`),
//! and only one list — ESP-AI's cards — had a walk that guarded against a server that
//! ignores `page` or never ends. A walk over a history is what reconciliation stands on:
//! a short read that looks complete concludes "not applied" and leads to a double
//! recharge. So there is one [`Page<T>`] (octocrab's model: items plus what the server
//! said about the whole) each provider converts its shape into, and one [`walk`] that
//! every paged list uses, with every guard: a page cap, a total cap, a page larger than
//! asked, a page that only repeats what was already yielded. A walk that cannot finish
//! ends with an error saying the listing is incomplete, never with a short list.

use std::collections::HashSet;
use std::future::Future;
use std::hash::Hash;

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};

use crate::error::{Error, Origin};

/// One page of a list, as the provider gave it: the items, and whatever it said about
/// the whole (each `None` when this provider or answer does not say).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page<T> {
    /// This page's items, in the server's order.
    pub items: Vec<T>,
    /// This page's number (from 1).
    pub page: Option<u64>,
    /// The page size the server used.
    pub per_page: Option<u64>,
    /// The number of items of the whole list.
    pub total: Option<u64>,
    /// The number of the last page.
    pub last_page: Option<u64>,
}

impl<T> Page<T> {
    /// A page of `items` that says nothing about the whole.
    pub fn new(items: Vec<T>) -> Self {
        Page {
            items,
            page: None,
            per_page: None,
            total: None,
            last_page: None,
        }
    }

    crate::value_setters! {
        /// With the page number.
        fn page(page: Option<u64>);
        /// With the page size the server used.
        fn per_page(per_page: Option<u64>);
        /// With the number of items of the whole list.
        fn total(total: Option<u64>);
        /// With the number of the last page.
        fn last_page(last_page: Option<u64>);
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// The default most pages a walk fetches.
pub const DEFAULT_MAX_PAGES: u32 = 1000;

/// The default most items a walk yields.
pub const DEFAULT_MAX_ITEMS: u64 = 1_000_000;

/// What a [`walk`] does when the list holds more items than [`Paging::max_items`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum AtCap {
    /// Nothing of a list the server counts beyond the cap is yielded: the walk ends with
    /// the error as soon as the total says so (default; for reads that are only useful
    /// whole, such as a search).
    #[default]
    Refuse,
    /// The first [`Paging::max_items`] items are yielded, then the error: for listings a
    /// person reads (`voxkit espai cdkey list --all --max-cards N` shows the first N
    /// cards, then says the list goes on).
    YieldThenFail,
}

/// What a [`walk`]'s messages call the list and its items, so that an error reads "the
/// recharge history is incomplete: 15 of an unknown number of rows listed" rather than
/// a generic "listing" that callers would rewrite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Noun {
    /// The whole list, after "the" (`"listing"`, `"recharge history"`).
    pub listing: &'static str,
    /// One item (`"item"`, `"card"`).
    pub item: &'static str,
    /// Several items (`"items"`, `"cards"`).
    pub items: &'static str,
}

impl Noun {
    /// "the listing", "item", "items".
    pub const LISTING: Noun = Noun {
        listing: "listing",
        item: "item",
        items: "items",
    };

    fn count(&self, n: impl Into<u64>) -> String {
        let n = n.into();
        format!("{n} {}", if n == 1 { self.item } else { self.items })
    }
}

/// How a [`walk`] pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Paging {
    /// The page size asked for, or `None` where the API takes none (longlonglong's
    /// history: the server's size, 15). With a size, a page holding more is refused and
    /// a shorter one ends a list whose total is unknown.
    pub page_size: Option<u32>,
    /// The most pages fetched (the most requests made); reaching it before the end is an
    /// incomplete listing.
    pub max_pages: u32,
    /// The most items yielded; a list claiming or holding more is an incomplete listing.
    pub max_items: u64,
    /// Whether the items up to the cap are yielded before the error (default: not).
    pub at_cap: AtCap,
    /// What the messages call the list and its items (default [`Noun::LISTING`]).
    pub noun: Noun,
}

impl Paging {
    /// `page_size` items a page, [`DEFAULT_MAX_PAGES`] pages, [`DEFAULT_MAX_ITEMS`] items.
    pub fn new(page_size: Option<u32>) -> Self {
        Paging {
            page_size,
            max_pages: DEFAULT_MAX_PAGES,
            max_items: DEFAULT_MAX_ITEMS,
            at_cap: AtCap::Refuse,
            noun: Noun::LISTING,
        }
    }

    crate::value_setters! {
        /// The most pages fetched.
        fn max_pages(max_pages: u32);
        /// The most items yielded.
        fn max_items(max_items: u64);
        /// What happens at the item cap.
        fn at_cap(at_cap: AtCap);
    }

    /// What the messages call the list (`"recharge history"`) and its items (`"row"`,
    /// `"rows"`).
    pub fn named(mut self, listing: &'static str, item: &'static str, items: &'static str) -> Self {
        self.noun = Noun {
            listing,
            item,
            items,
        };
        self
    }
}

/// Where a walk is.
struct Walk<F, K, T> {
    origin: Origin,
    fetch: F,
    key: fn(&T) -> K,
    paging: Paging,
    fetched: u32,
    total: Option<u64>,
    last_page: Option<u64>,
    seen: HashSet<K>,
    done: bool,
    /// An item beyond the cap was found ([`AtCap::YieldThenFail`]): the next call ends
    /// the walk with the error.
    over_cap: bool,
}

impl<F, Fut, K, T> Walk<F, K, T>
where
    F: FnMut(u32, Option<u32>) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
    K: Eq + Hash,
{
    /// The error that ends a listing that cannot be completed: what was yielded is right,
    /// but items may be missing, so no search over it may conclude "not found".
    fn incomplete(&self, why: String) -> Error {
        let total = self
            .total
            .map_or_else(|| "an unknown number of".to_owned(), |t| t.to_string());
        let noun = self.paging.noun;
        Error::Decode {
            origin: self.origin,
            message: format!(
                "the {} is incomplete: {} of {total} {} listed on {} page(s)",
                noun.listing,
                self.seen.len(),
                noun.items,
                self.fetched
            ),
            excerpt: why,
        }
    }

    /// The error of a list longer than the cap.
    fn over_cap(&self) -> Error {
        let noun = self.paging.noun;
        self.incomplete(format!(
            "stopped at the {} cap ({})",
            noun.item,
            noun.count(self.paging.max_items)
        ))
    }

    async fn next_page(mut self) -> Result<Option<(Vec<T>, Self)>, Error> {
        if self.over_cap {
            return Err(self.over_cap());
        }
        let seen = self.seen.len() as u64;
        if self.done
            || self.total.is_some_and(|t| seen >= t)
            || self.last_page.is_some_and(|l| u64::from(self.fetched) >= l)
        {
            return Ok(None);
        }
        if self.fetched >= self.paging.max_pages {
            return Err(self.incomplete(format!(
                "stopped at the page cap ({} pages)",
                self.paging.max_pages
            )));
        }
        let number = self.fetched + 1;
        let page = (self.fetch)(number, self.paging.page_size).await?;
        self.fetched = number;
        self.total = page.total.or(self.total);
        self.last_page = page.last_page.or(self.last_page);
        let refuse = self.paging.at_cap == AtCap::Refuse;
        if let Some(total) = self.total.filter(|&t| refuse && t > self.paging.max_items) {
            return Err(self.incomplete(format!(
                "the server counts {total} {}, more than the cap of {}",
                self.paging.noun.items, self.paging.max_items
            )));
        }
        if page.items.is_empty() {
            return Ok(None);
        }
        let count = page.items.len();
        if let Some(size) = self.paging.page_size {
            if count > size as usize {
                return Err(self.incomplete(format!(
                    "page {number} holds {}, more than the {size} asked for \
                     (does the server ignore the page size?)",
                    self.paging.noun.count(count as u64)
                )));
            }
        }
        let short = self
            .paging
            .page_size
            .is_some_and(|size| count < size as usize);
        let key = self.key;
        let mut fresh = Vec::with_capacity(count);
        for item in page.items {
            let k = key(&item);
            if !refuse && self.seen.len() as u64 >= self.paging.max_items {
                // Yield up to the cap; a new item beyond it ends the walk after them.
                if !self.seen.contains(&k) {
                    self.over_cap = true;
                    break;
                }
            } else if self.seen.insert(k) {
                fresh.push(item);
            }
        }
        if self.over_cap && fresh.is_empty() {
            return Err(self.over_cap());
        }
        if fresh.is_empty() {
            return Err(self.incomplete(format!(
                "page {number} only repeats {} already listed \
                 (does the server ignore the page number?)",
                self.paging.noun.count(count as u64)
            )));
        }
        if self.seen.len() as u64 > self.paging.max_items {
            return Err(self.incomplete(format!(
                "more than the cap of {}",
                self.paging.noun.count(self.paging.max_items)
            )));
        }
        // Without a total or a last page, a short page is the last one.
        if self.total.is_none() && self.last_page.is_none() && short {
            self.done = true;
        }
        Ok(Some((fresh, self)))
    }
}

/// Every item of a paged list, fetched lazily page after page.
///
/// `fetch(number, size)` fetches page `number` (from 1) of `size` items (`None`: the
/// server's size) — typically one repeatable call of the provider's client. `key` names
/// an item (its id), to recognise it on another page.
///
/// The stream ends normally once `total` items were yielded, after the `last_page`, at
/// an empty page, or — when the server says neither — after a page shorter than the size
/// asked. It ends with an [`Error::Decode`] saying "the listing is incomplete" (and
/// nothing after it) on a failed fetch's error (that error itself), at the page cap, when
/// the total exceeds the item cap, on a page holding more items than asked, or on a page
/// that only repeats items already yielded. An item already yielded is never yielded
/// again (pages that overlap because items were added meanwhile yield their new items).
/// A paging of zero pages, zero items or a zero page size is refused with the first item,
/// before anything is fetched.
///
/// With [`AtCap::YieldThenFail`] a list longer than the item cap is not refused from its
/// total: the first [`Paging::max_items`] items are yielded, then the error ("stopped at
/// the item cap"), without fetching another page. The messages use [`Paging::noun`].
pub fn walk<T, K, F, Fut>(
    origin: Origin,
    paging: Paging,
    key: fn(&T) -> K,
    fetch: F,
) -> BoxStream<'static, Result<T, Error>>
where
    T: Send + 'static,
    K: Eq + Hash + Send + 'static,
    F: FnMut(u32, Option<u32>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    let refused = if paging.max_pages == 0 {
        Some("the page cap must be at least 1")
    } else if paging.page_size == Some(0) {
        Some("the page size must be at least 1")
    } else if paging.max_items == 0 {
        Some("the item cap must be at least 1")
    } else {
        None
    };
    if let Some(why) = refused {
        let error = Error::invalid_input(origin, why);
        return stream::once(async move { Err(error) }).boxed();
    }
    let walk = Walk {
        origin,
        fetch,
        key,
        paging,
        fetched: 0,
        total: None,
        last_page: None,
        seen: HashSet::new(),
        done: false,
        over_cap: false,
    };
    stream::try_unfold(walk, Walk::next_page)
        .map_ok(|items| stream::iter(items.into_iter().map(Ok::<T, Error>)))
        .try_flatten()
        .boxed()
}

#[cfg(test)]
mod tests {
    use std::future::Ready;
    use std::sync::{Arc, Mutex};

    use futures_util::TryStreamExt;

    use super::*;

    const O: Origin = Origin::new("test", "list");

    /// The pages asked for: `(number, size)`.
    type Asked = Arc<Mutex<Vec<(u32, Option<u32>)>>>;

    /// A server of `pages` (page n is `pages[n - 1]`; beyond: empty), recording the
    /// requests in `asked`.
    fn server(
        pages: Vec<Page<u32>>,
        asked: Asked,
    ) -> impl FnMut(u32, Option<u32>) -> Ready<Result<Page<u32>, Error>> + Send + 'static {
        move |n: u32, size: Option<u32>| {
            asked.lock().unwrap().push((n, size));
            std::future::ready(Ok(pages
                .get(n as usize - 1)
                .cloned()
                .unwrap_or_else(|| Page::new(Vec::new()))))
        }
    }

    async fn all(
        paging: Paging,
        pages: Vec<Page<u32>>,
    ) -> (Result<Vec<u32>, Error>, Vec<(u32, Option<u32>)>) {
        let asked = Asked::default();
        let fetch = server(pages, asked.clone());
        let result = walk(O, paging, |n: &u32| *n, fetch).try_collect().await;
        let asked = asked.lock().unwrap().clone();
        (result, asked)
    }

    fn incomplete(result: Result<Vec<u32>, Error>, why: &str) {
        let err = result.unwrap_err();
        assert!(
            matches!(&err, Error::Decode { message, excerpt, .. }
                if message.contains("incomplete") && excerpt.contains(why)),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn ends_at_the_total_the_last_page_an_empty_or_a_short_page() {
        let p = |items: Vec<u32>| Page::new(items);
        let (r, asked) = all(
            Paging::new(Some(2)),
            vec![p(vec![1, 2]).total(Some(3)), p(vec![3]).total(Some(3))],
        )
        .await;
        assert_eq!(r.unwrap(), [1, 2, 3]);
        assert_eq!(asked, [(1, Some(2)), (2, Some(2))], "no third request");
        let (r, asked) = all(
            Paging::new(Some(2)),
            vec![p(vec![1, 2]).last_page(Some(2)), p(vec![3, 4])],
        )
        .await;
        assert_eq!(r.unwrap(), [1, 2, 3, 4]);
        assert_eq!(asked.len(), 2);
        let (r, asked) = all(Paging::new(Some(2)), vec![p(vec![1, 2]), p(vec![3])]).await;
        assert_eq!(r.unwrap(), [1, 2, 3]);
        assert_eq!(asked.len(), 2, "a short page ends an uncounted list");
        // No size asked (longlonglong's history): only an empty page ends it.
        let (r, asked) = all(Paging::new(None), vec![p(vec![1]), p(vec![2])]).await;
        assert_eq!(r.unwrap(), [1, 2]);
        assert_eq!(asked, [(1, None), (2, None), (3, None)]);
    }

    #[tokio::test]
    async fn overlapping_pages_yield_only_new_items() {
        let (r, _) = all(
            Paging::new(Some(2)),
            vec![
                Page::new(vec![1, 2]).total(Some(3)),
                Page::new(vec![2, 3]).total(Some(3)),
            ],
        )
        .await;
        assert_eq!(r.unwrap(), [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_server_that_ignores_the_page_number_is_stopped() {
        let same = Page::new(vec![1, 2]).total(Some(10));
        let (r, asked) = all(Paging::new(Some(2)), vec![same.clone(), same]).await;
        incomplete(r, "only repeats");
        assert_eq!(asked.len(), 2);
    }

    #[tokio::test]
    async fn the_page_cap_the_item_cap_and_oversized_pages_are_errors() {
        let pages: Vec<Page<u32>> = (0..10)
            .map(|i| Page::new(vec![2 * i, 2 * i + 1]).total(Some(100)))
            .collect();
        let (r, asked) = all(Paging::new(Some(2)).max_pages(3), pages.clone()).await;
        incomplete(r, "page cap");
        assert_eq!(asked.len(), 3);
        let (r, _) = all(Paging::new(Some(2)).max_items(50), pages).await;
        incomplete(r, "more than the cap");
        let uncounted: Vec<Page<u32>> =
            (0..10).map(|i| Page::new(vec![2 * i, 2 * i + 1])).collect();
        let (r, _) = all(Paging::new(Some(2)).max_items(5), uncounted).await;
        incomplete(r, "more than the cap");
        let (r, _) = all(Paging::new(Some(2)), vec![Page::new(vec![1, 2, 3])]).await;
        incomplete(r, "more than the 2 asked");
    }

    #[tokio::test]
    async fn yield_then_fail_yields_up_to_the_cap_then_the_named_error() {
        let pages: Vec<Page<u32>> = (0..10)
            .map(|i| Page::new(vec![3 * i, 3 * i + 1, 3 * i + 2]).total(Some(1000)))
            .collect();
        let paging = Paging::new(Some(3))
            .max_items(7)
            .at_cap(AtCap::YieldThenFail)
            .named("card listing", "card", "cards");
        let asked = Asked::default();
        let items: Vec<Result<u32, Error>> = walk(
            O,
            paging,
            |n: &u32| *n,
            server(pages.clone(), asked.clone()),
        )
        .collect()
        .await;
        assert_eq!(items.len(), 8, "the first 7, then the error: {items:?}");
        let yielded: Vec<u32> = items[..7].iter().map(|r| *r.as_ref().unwrap()).collect();
        assert_eq!(yielded, [0, 1, 2, 3, 4, 5, 6]);
        let text = items[7].as_ref().unwrap_err().to_string();
        assert!(
            text.contains("the card listing is incomplete: 7 of 1000 cards listed"),
            "{text}"
        );
        assert!(text.contains("stopped at the card cap (7 cards)"), "{text}");
        assert_eq!(asked.lock().unwrap().len(), 3, "no page past the cap");
        // The cap on a page boundary: the next page tells whether the list goes on.
        let (r, asked) = all(
            Paging::new(Some(3))
                .max_items(6)
                .at_cap(AtCap::YieldThenFail),
            pages,
        )
        .await;
        incomplete(r, "item cap (6 items)");
        assert_eq!(asked.len(), 3);
        // Exactly the cap: a normal end.
        let (r, _) = all(
            Paging::new(Some(3))
                .max_items(6)
                .at_cap(AtCap::YieldThenFail),
            vec![
                Page::new(vec![1, 2, 3]).total(Some(6)),
                Page::new(vec![4, 5, 6]).total(Some(6)),
            ],
        )
        .await;
        assert_eq!(r.unwrap(), [1, 2, 3, 4, 5, 6]);
    }

    #[tokio::test]
    async fn the_noun_names_the_listing_in_every_message() {
        let same = Page::new(vec![1, 2]).total(Some(10));
        let (r, _) = all(
            Paging::new(Some(2)).named("recharge history", "row", "rows"),
            vec![same.clone(), same],
        )
        .await;
        let text = r.unwrap_err().to_string();
        assert!(
            text.contains("the recharge history is incomplete: 2 of 10 rows listed"),
            "{text}"
        );
        assert!(text.contains("page 2 only repeats 2 rows"), "{text}");
    }

    #[tokio::test]
    async fn bad_paging_is_refused_before_anything_is_fetched() {
        for paging in [
            Paging::new(Some(0)),
            Paging::new(None).max_pages(0),
            Paging::new(None).max_items(0),
        ] {
            let (r, asked) = all(paging, vec![Page::new(vec![1])]).await;
            assert!(matches!(r, Err(Error::InvalidInput { .. })));
            assert!(asked.is_empty());
        }
    }

    #[tokio::test]
    async fn a_failed_fetch_ends_the_stream_with_its_error() {
        let mut calls = 0;
        let fetch = move |_: u32, _: Option<u32>| {
            calls += 1;
            let result = if calls == 1 {
                Ok(Page::new(vec![1u32, 2]))
            } else {
                Err(Error::api(O, Some("500".into()), "boom"))
            };
            std::future::ready(result)
        };
        let items: Vec<Result<u32, Error>> =
            walk(O, Paging::new(Some(2)), |n| *n, fetch).collect().await;
        assert_eq!(items.len(), 3);
        assert_eq!(items[1].as_ref().unwrap(), &2);
        assert_eq!(items[2].as_ref().unwrap_err().api_code(), Some("500"));
    }
}
