//! Requests and responses of the quota-card (`/cdkey/*`) and order (`/order/pay`)
//! endpoints, with the documentation's field tables as doc comments.

use std::fmt;
use std::time::SystemTime;

use serde::de::Deserializer;
use serde::{Deserialize, Serialize, Serializer};
use voxkit_core::{Error, Origin};

use crate::validate;
use crate::wire;

// ---------------------------------------------------------------------------------------
// Card types
// ---------------------------------------------------------------------------------------

/// A quota card's type (`type`, 额度卡类型).
///
/// The request table of `cdkey/list` lists five paid types, `1`–`5`
/// ("付费额度卡", paid quota card, each with a mythical creature's name). Every response
/// example, however, shows `"type": "0"`, a code the table does not list: it is
/// [`CardType::Zero`]. Anything else is kept as sent in [`CardType::Unknown`].
///
/// On the wire the type is a string (`"0"`, `"1"`); numbers are accepted on decoding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CardType {
    /// `"0"`: the type of every card in the documentation's examples, absent from the
    /// type table. The transfer page's note mentions "免费体验卡" (free trial cards), which
    /// suggests that `0` is the free trial card; **that is not documented**, hence the
    /// neutral name. [`CardType::is_paid`] is `false` for it.
    Zero,
    /// `"1"`: 付费额度卡(青龙), paid quota card "Qinglong" (Azure Dragon).
    Qinglong,
    /// `"2"`: 付费额度卡(九尾狐), paid quota card "Jiuweihu" (Nine-tailed Fox).
    Jiuweihu,
    /// `"3"`: 付费额度卡(玄武), paid quota card "Xuanwu" (Black Tortoise).
    Xuanwu,
    /// `"4"`: 付费额度卡(烛龙), paid quota card "Zhulong" (Torch Dragon).
    Zhulong,
    /// `"5"`: 付费额度卡(饕餮), paid quota card "Taotie".
    Taotie,
    /// A type the documentation does not show, as sent.
    Unknown(String),
}

impl CardType {
    /// Every type the documentation shows: `0` (examples) and `1`–`5` (the type table).
    pub const KNOWN: &'static [CardType] = &[
        CardType::Zero,
        CardType::Qinglong,
        CardType::Jiuweihu,
        CardType::Xuanwu,
        CardType::Zhulong,
        CardType::Taotie,
    ];

    /// Parses a type as sent (`"1"`; surrounding spaces allowed).
    pub fn from_code(code: &str) -> CardType {
        match code.trim() {
            "0" => CardType::Zero,
            "1" => CardType::Qinglong,
            "2" => CardType::Jiuweihu,
            "3" => CardType::Xuanwu,
            "4" => CardType::Zhulong,
            "5" => CardType::Taotie,
            other => CardType::Unknown(other.to_owned()),
        }
    }

    /// The wire code (`"0"` to `"5"`, or the text of [`CardType::Unknown`]).
    pub fn code(&self) -> &str {
        match self {
            CardType::Zero => "0",
            CardType::Qinglong => "1",
            CardType::Jiuweihu => "2",
            CardType::Xuanwu => "3",
            CardType::Zhulong => "4",
            CardType::Taotie => "5",
            CardType::Unknown(raw) => raw,
        }
    }

    /// `true` for the five types the documentation calls paid (`1`–`5`). Only paid cards
    /// can give or receive a quota transfer or be destroyed, according to the
    /// documentation; `false` does not prove a card is free (see [`CardType::Zero`]).
    pub fn is_paid(&self) -> bool {
        matches!(
            self,
            CardType::Qinglong
                | CardType::Jiuweihu
                | CardType::Xuanwu
                | CardType::Zhulong
                | CardType::Taotie
        )
    }
}

impl fmt::Display for CardType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for CardType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for CardType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A visitor of its own: a card list holds thousands of these, and the documented
        // codes need no allocation when read from a borrowed string.
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = CardType;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a card type, as a string or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CardType, E> {
                Ok(CardType::from_code(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<CardType, E> {
                Ok(CardType::from_code(&v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<CardType, E> {
                Ok(CardType::from_code(&v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<CardType, E> {
                // A whole float (`1.0`) reads as its integer, as everywhere in this crate.
                let whole = v.is_finite() && v.fract() == 0.0 && v.abs() < 1e19;
                Ok(CardType::from_code(&if whole {
                    (v as i128).to_string()
                } else {
                    v.to_string()
                }))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<CardType, E> {
                Ok(CardType::from_code(&v.to_string()))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<CardType, E> {
                Err(E::custom("expected a card type, got null"))
            }
        }
        deserializer.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------
// Cards
// ---------------------------------------------------------------------------------------

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
    #[serde(default, deserialize_with = "wire::opt_millis")]
    pub create_time: Option<SystemTime>,
    /// `update_time`: when the card was last changed (epoch milliseconds; `null` in the
    /// examples, hence `None`).
    #[serde(default, deserialize_with = "wire::opt_millis")]
    pub update_time: Option<SystemTime>,
    /// `code`: 兑换码, the redemption code (e.g. `wNaa1GDw`). With the owner's phone it
    /// identifies the card for [`crate::Client::card`] and [`crate::Client::transfer`].
    pub code: String,
    /// `user_id`: the owner's user id (32 hex digits in the examples).
    #[serde(default)]
    pub user_id: Option<String>,
    /// `api_limit`: the remaining quota (剩余调用额度), a number in responses
    /// (`500`); a numeric string is accepted too.
    #[serde(deserialize_with = "wire::u64_lenient")]
    pub api_limit: u64,
    /// `type`: the card type.
    #[serde(rename = "type")]
    pub card_type: CardType,
    /// `user_phone`: the owner's phone number (用户手机号), as digits. The card
    /// examples send it as a **number** (`15916888888`), the usage log as a string;
    /// both are accepted. `None` when absent, `null` or empty.
    #[serde(default, deserialize_with = "wire::opt_phone")]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CardKey {
    /// The owner's phone number (用户手机号), ASCII digits, e.g. `15916888888`.
    pub phone: String,
    /// The card's redemption code (兑换码), e.g. `wNaa1GDw`.
    pub code: String,
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
        validate::phone(origin, phone, &self.phone)?;
        validate::token(origin, code, &self.code)
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

    /// Only the card with this id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Only cards of this type.
    pub fn card_type(mut self, card_type: CardType) -> Self {
        self.card_type = Some(card_type);
        self
    }

    /// Only the card with this redemption code.
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Only cards of users with this nickname (sent as `user_name`).
    pub fn user_name(mut self, user_name: impl Into<String>) -> Self {
        self.user_name = Some(user_name.into());
        self
    }

    /// Only cards of the user with this phone number.
    pub fn user_phone(mut self, user_phone: impl Into<String>) -> Self {
        self.user_phone = Some(user_phone.into());
        self
    }

    /// Only cards with this remaining quota.
    pub fn api_limit(mut self, api_limit: u64) -> Self {
        self.api_limit = Some(api_limit);
        self
    }

    /// The page to fetch (from 1).
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// The page size.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Checks every set field and builds the request body.
    pub(crate) fn to_wire(&self, origin: Origin) -> Result<ListCardsBody<'_>, Error> {
        if let Some(id) = &self.id {
            validate::token(origin, "the card id", id)?;
        }
        if let Some(CardType::Unknown(raw)) = &self.card_type {
            validate::token(origin, "the card type", raw)?;
        }
        if let Some(code) = &self.code {
            validate::token(origin, "the redemption code", code)?;
        }
        if let Some(name) = &self.user_name {
            validate::text(origin, "the user name", name)?;
        }
        if let Some(phone) = &self.user_phone {
            validate::phone(origin, "the user phone", phone)?;
        }
        if let Some(page) = self.page {
            validate::positive(origin, "the page number", page)?;
        }
        if let Some(limit) = self.limit {
            validate::positive(origin, "the page size (limit)", limit)?;
        }
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
pub(crate) struct ListCardsBody<'a> {
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

/// One page of `cdkey/list`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CardPage {
    /// `data`: the cards of this page (`null` is read as no cards).
    pub cards: Vec<Card>,
    /// `totalNumber`: 返回的数据总数, the number of cards matching the filter over all
    /// pages. Documented as always present; `None` if a server leaves it out.
    pub total: Option<u64>,
}

// ---------------------------------------------------------------------------------------
// Usage log
// ---------------------------------------------------------------------------------------

/// The query of `cdkey/balance_logs` (额度卡使用记录). Every field is optional.
///
/// The documentation's example sends the query as a JSON **array holding one object**
/// (`[{"id": "...", "page": "1", "limit": "10"}]`); voxkit does the same, with numbers as
/// strings and only the fields set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BalanceLogQuery {
    /// `id`: 额度卡ID, the card whose log to read ([`Card::id`]).
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

    /// The log of the card with this id ([`Card::id`]).
    pub fn card(id: impl Into<String>) -> Self {
        Self::new().id(id)
    }

    /// Only the log of the card with this id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The page to fetch (from 1).
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// The page size.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    pub(crate) fn to_wire(&self, origin: Origin) -> Result<[BalanceLogBody<'_>; 1], Error> {
        if let Some(id) = &self.id {
            validate::token(origin, "the card id", id)?;
        }
        if let Some(page) = self.page {
            validate::positive(origin, "the page number", page)?;
        }
        if let Some(limit) = self.limit {
            validate::positive(origin, "the page size (limit)", limit)?;
        }
        Ok([BalanceLogBody {
            id: self.id.as_deref(),
            page: self.page.map(|n| n.to_string()),
            limit: self.limit.map(|n| n.to_string()),
        }])
    }
}

/// The one object in the body array of `cdkey/balance_logs`.
#[derive(Debug, Serialize)]
pub(crate) struct BalanceLogBody<'a> {
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
    #[serde(default, deserialize_with = "wire::opt_millis")]
    pub create_time: Option<SystemTime>,
    /// `type`: the entry's type, as sent (`"2"` in the example). Its values are not
    /// documented, and whether they are [`CardType`] codes is unknown, so the text is
    /// kept.
    #[serde(rename = "type", default, deserialize_with = "wire::opt_text")]
    pub log_type: Option<String>,
    /// `user_id`: the user's id.
    #[serde(default)]
    pub user_id: Option<String>,
    /// `cdkey_id`: the card's id ([`Card::id`]).
    pub cdkey_id: String,
    /// `api_limit`: the quota of this entry (`1` in the example; undocumented, presumably
    /// the quota used). Signed, since its sign is not documented either.
    #[serde(deserialize_with = "wire::i64_lenient")]
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
    #[serde(default, deserialize_with = "wire::opt_phone")]
    pub user_phone: Option<String>,
}

/// One page of `cdkey/balance_logs`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BalanceLogPage {
    /// `data`: the entries of this page (absent or `null` is read as none: the response
    /// table does not list `data`, only the example shows it).
    pub logs: Vec<BalanceLog>,
    /// `totalNumber`: the number of entries over all pages (`19` in the example), if sent.
    pub total: Option<u64>,
}

// ---------------------------------------------------------------------------------------
// Transfer, destroy
// ---------------------------------------------------------------------------------------

/// The body of `cdkey/transfer`: every value a string, the amount too (`"limit": "10"`).
#[derive(Debug, Serialize)]
pub(crate) struct TransferBody<'a> {
    pub(crate) code: &'a str,
    pub(crate) phone: &'a str,
    pub(crate) target_code: &'a str,
    pub(crate) target_phone: &'a str,
    pub(crate) limit: String,
}

/// One object of the body array of `cdkey/destroy`.
#[derive(Debug, Serialize)]
pub(crate) struct IdBody<'a> {
    pub(crate) id: &'a str,
}

/// A success answer without data (`{"success": true, "message": "请求成功"}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Ack {
    /// `message`: the server's message, e.g. "请求成功" (transfer) or "删除成功"
    /// (destroy), if sent.
    #[serde(default)]
    pub message: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------

/// A quota-card product (`commodity_id`, 额度卡产品ID（1-5）), for
/// [`crate::Client::pay`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Commodity {
    /// `"1"`: 1000次, 1,000 uses. The documentation's payment URL example names it
    /// "额度卡购买-傲天青龙" at `money=8.8`.
    Uses1000,
    /// `"2"`: 2200次, 2,200 uses.
    Uses2200,
    /// `"3"`: 5000次, 5,000 uses.
    Uses5000,
    /// `"4"`: 15000次, 15,000 uses.
    Uses15000,
    /// `"5"`: 不限次数, unlimited uses.
    Unlimited,
}

impl Commodity {
    /// Every documented product, in id order.
    pub const ALL: &'static [Commodity] = &[
        Commodity::Uses1000,
        Commodity::Uses2200,
        Commodity::Uses5000,
        Commodity::Uses15000,
        Commodity::Unlimited,
    ];

    /// The wire id, `"1"` to `"5"`.
    pub fn id(self) -> &'static str {
        match self {
            Commodity::Uses1000 => "1",
            Commodity::Uses2200 => "2",
            Commodity::Uses5000 => "3",
            Commodity::Uses15000 => "4",
            Commodity::Unlimited => "5",
        }
    }

    /// The product with this wire id (`"1"` to `"5"`), if documented.
    pub fn from_id(id: &str) -> Option<Commodity> {
        Commodity::ALL.iter().copied().find(|c| c.id() == id.trim())
    }

    /// The number of uses the product holds; `None` for [`Commodity::Unlimited`].
    pub fn uses(self) -> Option<u32> {
        match self {
            Commodity::Uses1000 => Some(1000),
            Commodity::Uses2200 => Some(2200),
            Commodity::Uses5000 => Some(5000),
            Commodity::Uses15000 => Some(15000),
            Commodity::Unlimited => None,
        }
    }
}

/// What an order does (`commodity_type`, 支付类型（0-1）), for [`crate::Client::pay`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrderKind {
    /// `"0"`: 购买额度卡, buy a new quota card.
    Buy,
    /// `"1"`: 额度卡充值, top up a quota card. The request has no card field and the
    /// documentation does not say which card is topped up.
    TopUp,
}

impl OrderKind {
    /// The wire code, `"0"` or `"1"`.
    pub fn code(self) -> &'static str {
        match self {
            OrderKind::Buy => "0",
            OrderKind::TopUp => "1",
        }
    }

    /// The kind with this wire code, if documented.
    pub fn from_code(code: &str) -> Option<OrderKind> {
        match code.trim() {
            "0" => Some(OrderKind::Buy),
            "1" => Some(OrderKind::TopUp),
            _ => None,
        }
    }
}

/// The body of `order/pay`.
#[derive(Debug, Serialize)]
pub(crate) struct PayBody {
    pub(crate) commodity_id: &'static str,
    pub(crate) commodity_type: &'static str,
}

// ---------------------------------------------------------------------------------------
// Response envelopes: the envelope's `success`, `message` and `code` with each payload, so
// that a success is decoded in one pass over the body (see `decode` in client.rs)
// ---------------------------------------------------------------------------------------

/// An envelope type: its head, for [`crate::client`]'s decoder.
pub(crate) trait Enveloped {
    /// `success`.
    fn success(&self) -> bool;
    /// The `message` and `code` of a failure, taken out.
    fn take_error(&mut self) -> (Option<String>, Option<wire::Text>);
}

macro_rules! enveloped {
    ($($t:ident $(<$g:ident>)?),*) => {$(
        impl$(<$g>)? Enveloped for $t$(<$g>)? {
            fn success(&self) -> bool {
                self.success
            }
            fn take_error(&mut self) -> (Option<String>, Option<wire::Text>) {
                (self.message.take(), self.code.take())
            }
        }
    )*};
}
enveloped!(ListData<T>, OptionalListData<T>, Data<T>, AckEnvelope);

/// A success without data: `{"success": true, "message": "请求成功"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct AckEnvelope {
    /// The envelope's `success`, read in the same pass as the payload.
    pub(crate) success: bool,
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) code: Option<wire::Text>,
}

impl AckEnvelope {
    /// The public answer.
    pub(crate) fn into_ack(self) -> Ack {
        Ack {
            message: self.message,
        }
    }
}

/// `data` (a list, `null` allowed, required) and `totalNumber`.
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(crate) struct ListData<T> {
    /// The envelope's `success`, read in the same pass as the payload.
    pub(crate) success: bool,
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) code: Option<wire::Text>,
    #[serde(deserialize_with = "wire::null_as_empty")]
    pub(crate) data: Vec<T>,
    #[serde(
        rename = "totalNumber",
        default,
        deserialize_with = "wire::opt_u64_lenient"
    )]
    pub(crate) total: Option<u64>,
}

/// `data` (a list, absent or `null` allowed) and `totalNumber`.
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(crate) struct OptionalListData<T> {
    /// The envelope's `success`, read in the same pass as the payload.
    pub(crate) success: bool,
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) code: Option<wire::Text>,
    #[serde(default, deserialize_with = "wire::null_as_empty")]
    pub(crate) data: Vec<T>,
    #[serde(
        rename = "totalNumber",
        default,
        deserialize_with = "wire::opt_u64_lenient"
    )]
    pub(crate) total: Option<u64>,
}

/// A required `data`.
#[derive(Debug, Deserialize)]
pub(crate) struct Data<T> {
    /// The envelope's `success`, read in the same pass as the payload.
    pub(crate) success: bool,
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) code: Option<wire::Text>,
    pub(crate) data: T,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    const O: Origin = Origin::new("espai", "test");

    #[test]
    fn card_types_round_trip() {
        for (i, t) in CardType::KNOWN.iter().enumerate() {
            assert_eq!(t.code(), i.to_string());
            assert_eq!(&CardType::from_code(&i.to_string()), t);
            let json = serde_json::to_string(t).unwrap();
            assert_eq!(json, format!("\"{i}\""));
            assert_eq!(&serde_json::from_str::<CardType>(&json).unwrap(), t);
            assert_eq!(
                &serde_json::from_str::<CardType>(&i.to_string()).unwrap(),
                t
            );
            assert_eq!(t.is_paid(), i > 0);
        }
        assert_eq!(CardType::from_code("9"), CardType::Unknown("9".into()));
        assert_eq!(CardType::Unknown("9".into()).to_string(), "9");
        assert!(!CardType::Unknown("9".into()).is_paid());
        assert!(serde_json::from_str::<CardType>("null").is_err());
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

    #[test]
    fn commodities_and_kinds() {
        for (i, c) in Commodity::ALL.iter().enumerate() {
            assert_eq!(c.id(), (i + 1).to_string());
            assert_eq!(Commodity::from_id(c.id()), Some(*c));
        }
        assert_eq!(Commodity::from_id("0"), None);
        assert_eq!(Commodity::from_id("6"), None);
        assert_eq!(Commodity::Uses2200.uses(), Some(2200));
        assert_eq!(Commodity::Unlimited.uses(), None);
        assert_eq!(OrderKind::Buy.code(), "0");
        assert_eq!(OrderKind::from_code("1"), Some(OrderKind::TopUp));
        assert_eq!(OrderKind::from_code("2"), None);
    }
}
