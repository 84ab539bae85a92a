//! Every card over every page, as a stream that a misbehaving server cannot make endless
//! nor make hold unbounded memory: core's [`walk`] with its loop guards (a page cap, a
//! page that only repeats cards already listed), plus the two bounds of the card listing
//! that core's walk does not express the same way: a page larger than asked is refused
//! with a message of its own, and the walk yields up to [`Paging::max_cards`] cards before
//! it ends with an error (core's item cap refuses a listing whose total exceeds the cap
//! before yielding anything, which would leave `voxkit espai cdkey list --all
//! --max-cards N` without the first N cards).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::stream::{self, BoxStream, StreamExt};
use voxkit_core::page::walk;
use voxkit_core::{Error, Origin, Page};

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

/// `totalNumber` of the latest page, shared between the fetches and the card cap;
/// [`u64::MAX`] while unknown.
type Total = Arc<AtomicU64>;

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
    ///   is an [`Error::Decode`] whose message says the listing "is incomplete", so a
    ///   partial list is never mistaken for the whole;
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
        if paging.max_cards == 0 {
            let error = Error::invalid_input(origin, "the card cap starts at 1, not 0");
            return stream::once(async move { Err(error) }).boxed();
        }
        let total: Total = Arc::new(AtomicU64::new(u64::MAX));
        let client = self.clone();
        let size = paging.page_size;
        let seen_total = total.clone();
        let walk_paging = voxkit_core::Paging::new(Some(size))
            .max_pages(paging.max_pages)
            // The card cap is applied below, after the cards up to it were yielded.
            .max_items(u64::MAX);
        let cards = walk(
            origin,
            walk_paging,
            |card: &Card| card.id.clone(),
            move |number, _| {
                let client = client.clone();
                let filter = filter.clone().page(number).limit(size);
                let total = seen_total.clone();
                async move {
                    let page = client.list_cards(&filter).await?;
                    refuse_oversized(origin, number, size, &page)?;
                    if let Some(t) = page.total {
                        total.store(t, Ordering::Relaxed);
                    }
                    Ok(page)
                }
            },
        );
        capped(cards, paging.max_cards, total)
    }
}

/// A server that ignores `limit` could send any number of cards in one answer: a page
/// larger than asked is refused rather than trusted (and kept).
fn refuse_oversized(
    origin: Origin,
    number: u32,
    size: u32,
    page: &Page<Card>,
) -> Result<(), Error> {
    let count = page.items.len();
    if count <= size as usize {
        return Ok(());
    }
    Err(Error::Decode {
        origin,
        message: format!(
            "page {number} holds {count} cards, more than the {size} asked for; the card \
             listing was stopped"
        ),
        excerpt: "(not shown: a server that ignores `limit` is not trusted with the size of \
                  its answers)"
            .to_owned(),
    })
}

/// `cards` up to `max` of them; one more ends the stream with the error that says the
/// listing is incomplete.
fn capped(
    cards: BoxStream<'static, Result<Card, Error>>,
    max: u64,
    total: Total,
) -> BoxStream<'static, Result<Card, Error>> {
    stream::unfold(Some((cards, 0u64)), move |state| {
        let total = total.clone();
        async move {
            let (mut cards, yielded) = state?;
            let item = cards.next().await?;
            if yielded == max && item.is_ok() {
                let total = match total.load(Ordering::Relaxed) {
                    u64::MAX => "an unknown number of".to_owned(),
                    t => t.to_string(),
                };
                let error = Error::Decode {
                    origin: LIST_CARDS.origin(),
                    message: format!(
                        "the card listing is incomplete: {max} of {total} cards listed"
                    ),
                    excerpt: format!(
                        "stopped at the card cap ({max} cards); raise Paging::max_cards to \
                         list more"
                    ),
                };
                return Some((Err(error), None));
            }
            Some((item, Some((cards, yielded + 1))))
        }
    })
    .boxed()
}
