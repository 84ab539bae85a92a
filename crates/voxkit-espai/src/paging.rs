//! Every card over every page, as a stream that a misbehaving server cannot make endless
//! nor make hold unbounded memory: a page larger than asked is refused, and the walk stops
//! at a page cap and at a card cap.

use std::collections::HashSet;

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use voxkit_core::{Error, Origin};

use crate::types::{Card, CardFilter};
use crate::{Client, PROVIDER, validate};

/// The page size [`Client::cards`] asks for (sent as `"limit": "100"`).
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// The most pages [`Client::cards`] fetches before giving up (with the default page size,
/// 100,000 cards).
pub const DEFAULT_MAX_PAGES: u32 = 1000;

/// The most cards [`Client::cards`] yields before giving up: 100,000 (the default page
/// size times the default page cap). The stream holds only the ids already yielded (to
/// skip repeats), some 100 bytes a card, so this bounds its memory to about 10 MB however
/// many cards the account, or a misbehaving server, has.
pub const DEFAULT_MAX_CARDS: u64 = 100_000;

/// How [`Client::cards_with`] walks the pages of `cdkey/list`.
///
/// ```
/// let paging = voxkit_espai::Paging::new().page_size(50).max_pages(20).max_cards(500);
/// assert_eq!((paging.page_size, paging.max_pages, paging.max_cards), (50, 20, 500));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Paging {
    /// Cards per page, sent as `limit` (default [`DEFAULT_PAGE_SIZE`]). At least 1.
    pub page_size: u32,
    /// The most pages fetched, i.e. the most requests made (default
    /// [`DEFAULT_MAX_PAGES`]). At least 1. Reaching it before the listing is complete
    /// ends the stream with an error.
    pub max_pages: u32,
    /// The most cards yielded (default [`DEFAULT_MAX_CARDS`]). At least 1. A listing with
    /// more cards ends the stream with an error once this many were yielded: the bound on
    /// what a caller that keeps the cards holds, and on what the stream itself remembers.
    pub max_cards: u64,
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            page_size: DEFAULT_PAGE_SIZE,
            max_pages: DEFAULT_MAX_PAGES,
            max_cards: DEFAULT_MAX_CARDS,
        }
    }
}

impl Paging {
    /// The defaults: [`DEFAULT_PAGE_SIZE`] cards per page, at most [`DEFAULT_MAX_PAGES`]
    /// pages and [`DEFAULT_MAX_CARDS`] cards.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cards per page.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size;
        self
    }

    /// The most pages fetched.
    pub fn max_pages(mut self, max_pages: u32) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// The most cards yielded.
    pub fn max_cards(mut self, max_cards: u64) -> Self {
        self.max_cards = max_cards;
        self
    }
}

/// Where the walk is.
struct Walk {
    client: Client,
    filter: CardFilter,
    paging: Paging,
    /// Pages fetched so far (the next page's number is this plus one).
    fetched: u32,
    /// `totalNumber` of the latest page.
    total: Option<u64>,
    /// Ids yielded so far.
    seen: HashSet<String>,
    /// Set once the listing is known to be complete.
    done: bool,
    /// Set once [`Paging::max_cards`] cards were yielded and more exist.
    capped: bool,
}

impl Walk {
    /// The error that ends a listing that cannot be completed: nothing yielded so far is
    /// wrong, but cards may be missing.
    fn incomplete(&self, why: String) -> Error {
        let total = self
            .total
            .map_or_else(|| "an unknown number of".to_owned(), |t| t.to_string());
        Error::Decode {
            origin: Origin::new(PROVIDER, "list_cards"),
            message: format!(
                "the card listing is incomplete: {} of {total} cards listed",
                self.seen.len()
            ),
            excerpt: why,
        }
    }

    /// The next page's new cards, `None` at the end.
    async fn next_page(mut self) -> Result<Option<(Vec<Card>, Walk)>, Error> {
        if self.capped {
            return Err(self.incomplete(format!(
                "stopped at the card cap ({} cards); raise Paging::max_cards to list more",
                self.paging.max_cards
            )));
        }
        if self.done || self.total.is_some_and(|t| self.seen.len() as u64 >= t) {
            return Ok(None);
        }
        if self.fetched >= self.paging.max_pages {
            return Err(self.incomplete(format!(
                "stopped at the page cap ({} pages of {})",
                self.paging.max_pages, self.paging.page_size
            )));
        }
        let number = self.fetched + 1;
        let filter = self
            .filter
            .clone()
            .page(number)
            .limit(self.paging.page_size);
        let page = self.client.list_cards(&filter).await?;
        self.fetched = number;
        self.total = page.total;
        if page.cards.is_empty() {
            return Ok(None);
        }
        let count = page.cards.len();
        // A server that ignores `limit` could send any number of cards in one answer: a
        // page larger than asked is refused rather than trusted (and kept).
        if count > self.paging.page_size as usize {
            return Err(Error::Decode {
                origin: Origin::new(PROVIDER, "list_cards"),
                message: format!(
                    "page {number} holds {count} cards, more than the {} asked for; the \
                     card listing was stopped",
                    self.paging.page_size
                ),
                excerpt: "(not shown: a server that ignores `limit` is not trusted with \
                          the size of its answers)"
                    .to_owned(),
            });
        }
        let short = count < self.paging.page_size as usize;
        let fresh: Vec<Card> = page
            .cards
            .into_iter()
            .filter(|card| self.seen.insert(card.id.clone()))
            .collect();
        if fresh.is_empty() {
            return Err(self.incomplete(format!(
                "page {number} only repeats {count} card(s) already listed (does the server ignore `page`?)"
            )));
        }
        let mut fresh = fresh;
        let before = (self.seen.len() - fresh.len()) as u64;
        if self.seen.len() as u64 > self.paging.max_cards {
            // Yield up to the cap, then end with an error at the next step.
            let keep = self.paging.max_cards.saturating_sub(before) as usize;
            for dropped in fresh.drain(keep..) {
                self.seen.remove(&dropped.id);
            }
            self.capped = true;
        }
        // Without a total, a short page is the last one.
        if self.total.is_none() && short {
            self.done = true;
        }
        Ok(Some((fresh, self)))
    }
}

impl Client {
    /// Every card matching `filter`, page after page of `cdkey/list`, with the default
    /// [`Paging`]. See [`Client::cards_with`].
    pub fn cards(&self, filter: CardFilter) -> BoxStream<'static, Result<Card, Error>> {
        self.cards_with(filter, Paging::default())
    }

    /// Every card matching `filter`, fetched lazily page after page (`page` from `"1"`,
    /// `limit` = [`Paging::page_size`], both sent as strings; the filter's own `page` and
    /// `limit` are replaced). Each page is a [`Client::list_cards`] call, retried on
    /// transient failures.
    ///
    /// The stream ends:
    /// - normally, once it has yielded `totalNumber` cards, or at an empty page (cards
    ///   can disappear while the walk goes on), or, when the server sends no
    ///   `totalNumber`, after a page shorter than the page size;
    /// - with an error (then nothing more), on a failed call, or when the listing cannot
    ///   be completed: a page that holds only cards already yielded (a server that
    ///   ignores `page` and sends page 1 again), or [`Paging::max_pages`] pages fetched
    ///   before `totalNumber` cards, or more than [`Paging::max_cards`] cards. That error
    ///   is an [`Error::Decode`] whose message says "the card listing is incomplete", so
    ///   a partial list is never mistaken for the whole;
    /// - with an [`Error::Decode`] at a page holding more cards than the page size asked
    ///   for: its cards are not yielded, since a server that ignores `limit` could
    ///   otherwise make one answer as large as it likes.
    ///
    /// A card already yielded is never yielded again (a page that overlaps the previous
    /// one, because cards were added meanwhile, only yields its new cards). A bad filter
    /// or paging is refused with the first item, before anything is sent.
    pub fn cards_with(
        &self,
        filter: CardFilter,
        paging: Paging,
    ) -> BoxStream<'static, Result<Card, Error>> {
        let origin = Origin::new(PROVIDER, "list_cards");
        let checked = validate::positive(origin, "the page size", paging.page_size)
            .and_then(|()| validate::positive(origin, "the page cap", paging.max_pages))
            .and_then(|()| {
                if paging.max_cards == 0 {
                    Err(Error::invalid_input(
                        origin,
                        "the card cap starts at 1, not 0",
                    ))
                } else {
                    Ok(())
                }
            });
        if let Err(e) = checked {
            return stream::once(async move { Err(e) }).boxed();
        }
        let walk = Walk {
            client: self.clone(),
            filter,
            paging,
            fetched: 0,
            total: None,
            seen: HashSet::new(),
            done: false,
            capped: false,
        };
        stream::try_unfold(walk, Walk::next_page)
            .map_ok(|cards| stream::iter(cards.into_iter().map(Ok::<Card, Error>)))
            .try_flatten()
            .boxed()
    }
}
