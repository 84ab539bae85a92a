//! 额度卡使用记录: one page of a card's usage log, and every entry of it as a stream
//! ([`Client::logs`]). The log is where a transfer shows up on its source card, so it is
//! what reconciles a transfer whose answer was lost.

use std::time::SystemTime;

use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
#[cfg(any(test, feature = "test-util"))]
use voxkit_core::PayloadAt;
use voxkit_core::{Error, Origin, Page, lenient};

use crate::field_decoders::{opt_millis, opt_phone};
#[cfg(any(test, feature = "test-util"))]
use crate::listing::List;
use crate::listing::{PagedQuery, option_setters};
use crate::{Client, DEFAULT_PAGE_SIZE, checks};

operations! {
    /// 额度卡使用记录: one page of a card's usage log.
    pub(crate) BALANCE_LOGS {
        name: "balance_logs",
        method: POST,
        path: "cdkey/balance_logs",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            let query = BalanceLogQuery::card("dd3d910b08e4405e88242ca7f8f86xxx").page(1).limit(10);
            c.balance_logs(&query).await.map(drop)
        },
        decode: |r| crate::envelope::decode_as::<List<BalanceLog>>(&BALANCE_LOGS, PayloadAt::Rest, r),
    }
}

impl Client {
    /// A card's usage log: `POST /cdkey/balance_logs` (额度卡使用记录), operation
    /// `balance_logs`.
    ///
    /// The body is a JSON array holding one object, as in the documentation
    /// (`[{"id": "...", "page": "1", "limit": "10"}]`). Repeatable: retried on transient
    /// failures. To walk every page, see [`Client::logs`].
    pub async fn balance_logs(&self, query: &BalanceLogQuery) -> Result<BalanceLogPage, Error> {
        let body = query.to_wire(BALANCE_LOGS.origin())?;
        self.list_page(&self.core, &BALANCE_LOGS, &body).await
    }

    /// Every entry of the usage log `query` selects, page after page, with
    /// [`DEFAULT_PAGE_SIZE`] entries a page and core's default caps. See
    /// [`Client::logs_with`].
    pub fn logs(&self, query: BalanceLogQuery) -> BoxStream<'static, Result<BalanceLog, Error>> {
        self.logs_with(query, voxkit_core::Paging::new(Some(DEFAULT_PAGE_SIZE)))
    }

    /// Every entry of the usage log `query` selects, fetched lazily page after page (the
    /// query's own `page` and `limit` are replaced; a page size of `None` sends none and
    /// takes the server's). Each page is a [`Client::balance_logs`] call, retried on
    /// transient failures.
    ///
    /// The stream has the guards of [`voxkit_core::page::walk`]: it ends with an
    /// [`Error::Decode`] saying the listing "is incomplete" at the page cap, at the item
    /// cap, at a page larger than asked or at a page that only repeats entries already
    /// yielded, so a search over it that finds nothing never mistakes a partial log for
    /// the whole. An entry already yielded (by its id) is not yielded again.
    pub fn logs_with(
        &self,
        query: BalanceLogQuery,
        paging: voxkit_core::Paging,
    ) -> BoxStream<'static, Result<BalanceLog, Error>> {
        let id = |log: &BalanceLog| log.id.clone();
        self.walk_query(
            BALANCE_LOGS.origin(),
            paging,
            id,
            query,
            |client, query| async move { client.balance_logs(&query).await },
        )
    }
}

/// The query of `cdkey/balance_logs` (额度卡使用记录). Every field is optional.
///
/// The documentation's example sends the query as a JSON **array holding one object**
/// (`[{"id": "...", "page": "1", "limit": "10"}]`); voxkit does the same, with numbers as
/// strings and only the fields set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BalanceLogQuery {
    /// `id`: 额度卡ID, the card whose log to read ([`Card::id`](crate::Card::id)).
    pub id: Option<String>,
    /// `page`: the page number, from 1 (server default: page 1).
    pub page: Option<u32>,
    /// `limit`: the page size (server default: 9999).
    pub limit: Option<u32>,
}

impl BalanceLogQuery {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// The log of the card with this id ([`Card::id`](crate::Card::id)).
    pub fn card(id: impl Into<String>) -> Self {
        Self::new().id(id)
    }

    option_setters! {
        /// Only the log of the card with this id.
        fn id(id: impl Into<String>).into();
        /// The page to fetch (from 1).
        fn page(page: u32);
        /// The page size.
        fn limit(limit: u32);
    }

    fn to_wire(&self, origin: Origin) -> Result<[BalanceLogBody<'_>; 1], Error> {
        if let Some(id) = &self.id {
            checks::card_id(origin, "the card id", id)?;
        }
        checks::page(origin, self.page, self.limit)?;
        Ok([BalanceLogBody {
            id: self.id.as_deref(),
            page: self.page.map(|n| n.to_string()),
            limit: self.limit.map(|n| n.to_string()),
        }])
    }
}

impl PagedQuery for BalanceLogQuery {
    fn at_page(self, number: u32, size: Option<u32>) -> Self {
        BalanceLogQuery {
            page: Some(number),
            limit: size,
            ..self
        }
    }
}

/// The one object in the body array of `cdkey/balance_logs`.
#[derive(Debug, Serialize)]
struct BalanceLogBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<String>,
}

/// One entry of a card's usage log (`cdkey/balance_logs`).
///
/// The response table of that endpoint lists only `success` and `message`; the fields
/// here are those of its example, all of which are read. What an entry's `type` and
/// `api_limit` mean is not documented.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct BalanceLog {
    /// `id`: the entry's id.
    pub id: String,
    /// `create_time`: when the entry was written (sent as epoch milliseconds).
    #[serde(default, deserialize_with = "opt_millis")]
    pub create_time: Option<SystemTime>,
    /// `type`: the entry's type, as sent (`"2"` in the example). Its values are not
    /// documented, and whether they are [`CardType`](crate::CardType) codes is unknown, so the text is
    /// kept.
    #[serde(rename = "type", default, deserialize_with = "lenient::opt_text")]
    pub log_type: Option<String>,
    /// `user_id`: the user's id.
    #[serde(default)]
    pub user_id: Option<String>,
    /// `cdkey_id`: the card's id ([`Card::id`](crate::Card::id)).
    pub cdkey_id: String,
    /// `api_limit`: the quota of this entry (`1` in the example; undocumented, presumably
    /// the quota used). Signed, since its sign is not documented either.
    #[serde(deserialize_with = "lenient::i64")]
    pub api_limit: i64,
    /// `user_name`: the user's nickname.
    #[serde(default)]
    pub user_name: Option<String>,
    /// `user_email`: the user's e-mail address (`""` in the example, kept as sent).
    #[serde(default)]
    pub user_email: Option<String>,
    /// `user_phone`: the user's phone number. A **string** here (`"15916888888"`), a
    /// number on the card endpoints; both are accepted. `None` when absent, `null` or
    /// empty.
    #[serde(default, deserialize_with = "opt_phone")]
    pub user_phone: Option<String>,
}

/// One page of `cdkey/balance_logs`: the entries of this page ([`Page::items`]; `data`
/// absent or `null` is read as none: the response table does not list `data`, only the
/// example shows it) and `totalNumber` ([`Page::total`], `19` in the example), if sent.
pub type BalanceLogPage = Page<BalanceLog>;
