//! Every card over every page, as a stream that a misbehaving server cannot make endless
//! nor make hold unbounded memory: core's [`walk`] with all its guards (a page cap, a page
//! larger than asked, a page that only repeats cards already listed) and its
//! [`AtCap::YieldThenFail`] card cap, which yields up to [`Paging::max_cards`] cards before
//! it ends with an error, so that `voxkit espai cdkey list --all --max-cards N` shows the
//! first N cards.

use futures_util::stream::BoxStream;
use voxkit_core::Error;
use voxkit_core::page::{AtCap, walk};

use super::{Card, CardFilter, LIST_CARDS};
use crate::Client;

/// The page size [`Client::cards`] asks for (sent as `"limit": "100"`).
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// The most pages [`Client::cards`] fetches before giving up (with the default page size,
/// 100,000 cards).
pub const DEFAULT_MAX_PAGES: u32 = voxkit_core::page::DEFAULT_MAX_PAGES;

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
    ///   before `totalNumber` cards, or, once [`Paging::max_cards`] cards were yielded,
    ///   at one card more. That error is an [`Error::Decode`] whose message says the card
    ///   listing "is incomplete", so a partial list is never mistaken for the whole;
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
        let origin = LIST_CARDS.origin();
        let client = self.clone();
        let size = paging.page_size;
        let walk_paging = voxkit_core::Paging::new(Some(size))
            .max_pages(paging.max_pages)
            .max_items(paging.max_cards)
            .at_cap(AtCap::YieldThenFail)
            .named("card listing", "card", "cards");
        walk(
            origin,
            walk_paging,
            |card: &Card| card.id.clone(),
            move |number, _| {
                let client = client.clone();
                let filter = filter.clone().page(number).limit(size);
                async move { client.list_cards(&filter).await }
            },
        )
    }
}
