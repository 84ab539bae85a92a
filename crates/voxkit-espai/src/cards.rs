//! 额度卡: one page of quota cards (查询额度卡列表), every card as a stream
//! ([`Client::cards`], in [`stream`]) and one card by its key (查询额度卡信息), with the
//! documentation's field tables as doc comments.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use voxkit_core::{Error, Origin, Page, PayloadAt, lenient};

use crate::field_decoders::{opt_millis, opt_phone};
use crate::listing::option_setters;
use crate::{Client, checks};

mod card_type;
mod stream;

pub use card_type::CardType;
pub use stream::{DEFAULT_MAX_CARDS, DEFAULT_MAX_PAGES, DEFAULT_PAGE_SIZE, Paging};

/// What ESP-AI answers for a card it does not know, without a code: also the answer for
/// another account's card, which an account's key cannot see.
pub const CARD_NOT_FOUND: &str = "额度卡不存在";

/// Whether the error is [`CARD_NOT_FOUND`].
pub(crate) fn card_not_visible(error: &Error) -> bool {
    matches!(error, Error::Api { message, .. } if message.trim() == CARD_NOT_FOUND)
}

operations! {
    /// 查询额度卡列表: one page of cards.
    pub(crate) LIST_CARDS {
        name: "list_cards",
        method: POST,
        path: "cdkey/list",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| {
            let filter = CardFilter::new().user_phone("15916888888").page(1).limit(10);
            c.list_cards(&filter).await.map(drop)
        },
        decode: |r| crate::envelope::decode_as::<CardList>(&LIST_CARDS, PayloadAt::Rest, r),
    }

    /// 查询额度卡信息: one card by its owner's phone and its redemption code.
    pub(crate) CARD_DETAIL {
        name: "card_detail",
        method: POST,
        path: "cdkey/detail",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.card(&CardKey::new("15916888888", "wNaa1GDw")).await.map(drop),
        decode: |r| crate::envelope::decode_as::<Card>(&CARD_DETAIL, PayloadAt::Field("data"), r),
    }
}

impl Client {
    /// One page of quota cards: `POST /cdkey/list` (查询额度卡列表), operation
    /// `list_cards`.
    ///
    /// Only the filters set are sent; with none, the server lists every card of the
    /// account (server-side default page size: 9999). The page's
    /// [`total`](Page::total) is `totalNumber`. Repeatable: retried on transient
    /// failures. To walk every page, see [`Client::cards`].
    pub async fn list_cards(&self, filter: &CardFilter) -> Result<CardPage, Error> {
        let body = filter.to_wire(LIST_CARDS.origin())?;
        let list: CardList = self
            .post(&LIST_CARDS, &body, PayloadAt::Rest)
            .await?
            .payload;
        Ok(Page::new(list.data).total(list.total))
    }

    /// One card by its owner's phone number and its redemption code:
    /// `POST /cdkey/detail` (查询额度卡信息), operation `card_detail`. Sends
    /// `{"code": ..., "phone": ...}`.
    ///
    /// Repeatable: retried on transient failures.
    pub async fn card(&self, card: &CardKey) -> Result<Card, Error> {
        card.check(CARD_DETAIL.origin(), "the phone", "the redemption code")?;
        #[derive(Serialize)]
        struct Body<'a> {
            code: &'a str,
            phone: &'a str,
        }
        let body = Body {
            code: &card.code,
            phone: &card.phone,
        };
        let card = self
            .post(&CARD_DETAIL, &body, PayloadAt::Field("data"))
            .await?;
        Ok(card.payload)
    }
}

/// A quota card (额度卡) as `cdkey/list` and `cdkey/detail` return it.
///
/// The documentation has no response field table for the card object; the fields are
/// those of its examples, all of which are read. The remaining quota is
/// [`Card::api_limit`]. Numbers that the examples send as numbers are also accepted as
/// strings, and the other way round.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Card {
    /// `id`: 额度卡ID, the card id (32 hex digits in the examples, e.g.
    /// `772868ead56c48d68fd1924aa5ec3aac`). Used by [`crate::Client::destroy`] and
    /// [`crate::Client::balance_logs`].
    pub id: String,
    /// `create_time`: when the card was created (sent as epoch milliseconds).
    #[serde(default, deserialize_with = "opt_millis")]
    pub create_time: Option<SystemTime>,
    /// `update_time`: when the card was last changed (epoch milliseconds; `null` in the
    /// examples, hence `None`).
    #[serde(default, deserialize_with = "opt_millis")]
    pub update_time: Option<SystemTime>,
    /// `code`: 兑换码, the redemption code (e.g. `wNaa1GDw`). With the owner's phone it
    /// identifies the card for [`crate::Client::card`] and [`crate::Client::transfer`].
    pub code: String,
    /// `user_id`: the owner's user id (32 hex digits in the examples).
    #[serde(default)]
    pub user_id: Option<String>,
    /// `api_limit`: the remaining quota (剩余调用额度), a number in responses
    /// (`500`); a numeric string is accepted too.
    #[serde(deserialize_with = "lenient::u64")]
    pub api_limit: u64,
    /// `type`: the card type.
    #[serde(rename = "type")]
    pub card_type: CardType,
    /// `user_phone`: the owner's phone number (用户手机号), as digits. The card
    /// examples send it as a **number** (`15916888888`), the usage log as a string;
    /// both are accepted. `None` when absent, `null` or empty.
    #[serde(default, deserialize_with = "opt_phone")]
    pub user_phone: Option<String>,
    /// `user_name`: the owner's nickname (用户昵称).
    #[serde(default)]
    pub user_name: Option<String>,
}

impl Card {
    /// The card's phone-and-code key, for [`crate::Client::card`] and
    /// [`crate::Client::transfer`]; `None` when the card has no owner phone.
    pub fn key(&self) -> Option<CardKey> {
        self.user_phone
            .as_ref()
            .map(|phone| CardKey::new(phone.clone(), self.code.clone()))
    }
}

/// A card as the detail and transfer endpoints name it: the owner's phone number and the
/// card's redemption code.
///
/// The code is what spends the card's quota, so voxkit treats it as a secret: `Debug`
/// shows the phone and hides the code (the journal keeps only its fingerprint).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CardKey {
    /// The owner's phone number (用户手机号), ASCII digits, e.g. `15916888888`.
    pub phone: String,
    /// The card's redemption code (兑换码), e.g. `wNaa1GDw`.
    pub code: String,
}

impl std::fmt::Debug for CardKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardKey")
            .field("phone", &self.phone)
            .field("code", &"<redacted>")
            .finish()
    }
}

impl CardKey {
    /// A card key from a phone number and a redemption code.
    pub fn new(phone: impl Into<String>, code: impl Into<String>) -> Self {
        CardKey {
            phone: phone.into(),
            code: code.into(),
        }
    }

    pub(crate) fn check(
        &self,
        origin: Origin,
        phone: &'static str,
        code: &'static str,
    ) -> Result<(), Error> {
        checks::phone(origin, phone, &self.phone)?;
        checks::token(origin, code, &self.code)
    }
}

/// The filters of `cdkey/list` (查询额度卡列表). Every field is optional; with none set
/// the server lists every card of the account ("当所有参数都不传时，默认查询当前用户下的所有额度卡").
///
/// Only the fields set are sent, and numbers are sent as JSON **strings**, as the
/// documentation's example does (`"page": "1"`).
///
/// ```
/// use voxkit_espai::{CardFilter, CardType};
/// let filter = CardFilter::new()
///     .user_phone("15916888888")
///     .card_type(CardType::Qinglong)
///     .page(1)
///     .limit(10);
/// assert_eq!(filter.limit, Some(10));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CardFilter {
    /// `id`: 额度卡ID, the card id.
    pub id: Option<String>,
    /// `type`: 额度卡类型, the card type.
    pub card_type: Option<CardType>,
    /// `code`: 兑换码, the redemption code.
    pub code: Option<String>,
    /// 用户昵称, the owner's nickname. Sent as **`user_name`**: the field table says
    /// `username` but the request example and the Node.js sample send `user_name`, which
    /// is also the name of the field in the response. voxkit follows the examples.
    pub user_name: Option<String>,
    /// `user_phone`: 用户手机号, the owner's phone number (ASCII digits).
    pub user_phone: Option<String>,
    /// `api_limit`: 剩余调用额度, the remaining quota (sent as a string, `"423"`).
    pub api_limit: Option<u64>,
    /// `page`: 分页查询当前页, the page number, from 1 (server default: page 1). Sent as a
    /// string.
    pub page: Option<u32>,
    /// `limit`: 分页查询查询条数, the page size (server default: 9999). Sent as a string.
    pub limit: Option<u32>,
}

impl CardFilter {
    /// No filter: every card of the account.
    pub fn new() -> Self {
        Self::default()
    }

    option_setters! {
        /// Only the card with this id.
        fn id(id: impl Into<String>).into();
        /// Only cards of this type.
        fn card_type(card_type: CardType);
        /// Only the card with this redemption code.
        fn code(code: impl Into<String>).into();
        /// Only cards of users with this nickname (sent as `user_name`).
        fn user_name(user_name: impl Into<String>).into();
        /// Only cards of the user with this phone number.
        fn user_phone(user_phone: impl Into<String>).into();
        /// Only cards with this remaining quota.
        fn api_limit(api_limit: u64);
        /// The page to fetch (from 1).
        fn page(page: u32);
        /// The page size.
        fn limit(limit: u32);
    }

    /// Checks every set field and builds the request body.
    fn to_wire(&self, origin: Origin) -> Result<ListCardsBody<'_>, Error> {
        if let Some(id) = &self.id {
            checks::card_id(origin, "the card id", id)?;
        }
        if let Some(CardType::Unknown(raw)) = &self.card_type {
            checks::card_type(origin, raw)?;
        }
        if let Some(code) = &self.code {
            checks::token(origin, "the redemption code", code)?;
        }
        if let Some(name) = &self.user_name {
            checks::text(origin, "the user name", name)?;
        }
        if let Some(phone) = &self.user_phone {
            checks::phone(origin, "the user phone", phone)?;
        }
        checks::page(origin, self.page, self.limit)?;
        Ok(ListCardsBody {
            id: self.id.as_deref(),
            card_type: self.card_type.as_ref().map(CardType::code),
            code: self.code.as_deref(),
            user_name: self.user_name.as_deref(),
            user_phone: self.user_phone.as_deref(),
            api_limit: self.api_limit.map(|n| n.to_string()),
            page: self.page.map(|n| n.to_string()),
            limit: self.limit.map(|n| n.to_string()),
        })
    }
}

/// The body of `cdkey/list`, in the order of the documentation's example.
#[derive(Debug, Serialize)]
struct ListCardsBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    card_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_limit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<String>,
}

/// One page of `cdkey/list`: the cards of this page ([`Page::items`]; `data`, `null`
/// read as no cards) and `totalNumber` ([`Page::total`]: 返回的数据总数, the number of
/// cards matching the filter over all pages; documented as always present, `None` if a
/// server leaves it out).
pub type CardPage = Page<Card>;

/// The payload of a `cdkey/list` answer: `data` (required, `null` allowed) and
/// `totalNumber`, read beside the envelope's head in one pass.
#[derive(Deserialize)]
struct CardList {
    #[serde(deserialize_with = "lenient::null_as_empty")]
    data: Vec<Card>,
    #[serde(rename = "totalNumber", default, deserialize_with = "lenient::opt_u64")]
    total: Option<u64>,
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    const O: Origin = Origin::new("espai", "test");

    #[test]
    fn a_card_keys_debug_hides_the_code() {
        let shown = format!("{:?}", CardKey::new("15916888888", "wNaa1GDw"));
        assert!(shown.contains("15916888888"), "{shown}");
        assert!(!shown.contains("wNaa1GDw"), "{shown}");
    }

    #[test]
    fn documented_card_decodes() {
        let card: Card = serde_json::from_str(
            r#"{ "id": "772868ead56c48d68fd1924aa5ec3aac", "create_time": 1743506056109,
                 "update_time": null, "code": "wNaa1GDw",
                 "user_id": "87215a4192654cea8781a1a596d23cae", "api_limit": 500,
                 "type": "0", "user_phone": 15916888888, "user_name": "琳琅" }"#,
        )
        .unwrap();
        assert_eq!(card.id, "772868ead56c48d68fd1924aa5ec3aac");
        assert_eq!(
            card.create_time,
            Some(UNIX_EPOCH + Duration::from_millis(1_743_506_056_109))
        );
        assert_eq!(card.update_time, None);
        assert_eq!(card.api_limit, 500);
        assert_eq!(card.card_type, CardType::Zero);
        assert_eq!(card.user_phone.as_deref(), Some("15916888888"));
        assert_eq!(card.key(), Some(CardKey::new("15916888888", "wNaa1GDw")));
    }

    #[test]
    fn essential_card_fields_are_required() {
        for json in [
            r#"{"code":"c","api_limit":1,"type":"1"}"#,
            r#"{"id":"i","api_limit":1,"type":"1"}"#,
            r#"{"id":"i","code":"c","type":"1"}"#,
            r#"{"id":"i","code":"c","api_limit":1}"#,
            r#"{"id":"i","code":"c","api_limit":-1,"type":"1"}"#,
        ] {
            assert!(serde_json::from_str::<Card>(json).is_err(), "{json}");
        }
        let card: Card =
            serde_json::from_str(r#"{"id":"i","code":"c","api_limit":"7","type":3}"#).unwrap();
        assert_eq!(
            (card.api_limit, &card.card_type, card.key()),
            (7, &CardType::Xuanwu, None)
        );
    }

    #[test]
    fn filter_body_sends_only_set_fields_as_strings() {
        let f = CardFilter::new()
            .user_phone("15916888888")
            .api_limit(0)
            .page(2);
        let body = serde_json::to_value(f.to_wire(O).unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"user_phone": "15916888888", "api_limit": "0", "page": "2"})
        );
        let body = serde_json::to_value(CardFilter::new().to_wire(O).unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({}));
    }

    #[test]
    fn filter_refuses_bad_values() {
        for f in [
            CardFilter::new().id(""),
            CardFilter::new().id("a b"),
            CardFilter::new().code("x\n"),
            CardFilter::new().user_phone("+86 159"),
            CardFilter::new().user_name(" "),
            CardFilter::new().page(0),
            CardFilter::new().limit(0),
            CardFilter::new().card_type(CardType::Unknown(" ".into())),
        ] {
            assert!(
                matches!(f.to_wire(O), Err(Error::InvalidInput { .. })),
                "{f:?}"
            );
        }
    }
}
