//! SMS (短信): `sendSms` (E1, one content to many numbers, by GET or POST) and
//! `sendSms/batch` (E2, a content per group of numbers), their checks, answers and
//! status codes.
//!
//! Both spend the account's balance and carry nothing the provider lets anyone look up
//! afterwards, so they are **not repeatable** and a lost answer cannot be reconciled (see
//! [`SEND_SMS`]'s declaration): a lost answer is [`Error::OutcomeUnknown`], and the
//! `*_exactly_once` calls end [`ExactlyOnceOutcome::Undetermined`] rather than guess.
//!
//! Contradictions in the documentation, and the choice made:
//!
//! - the answer's per-number id is `orderId` in one table and `orderid` in the other: both
//!   are accepted ([`SentSms::order_id`]);
//! - the batch table names the item field `number`, its example `numbers`: `numbers` is
//!   sent (the example is what a server was seen to take), and both are accepted when a
//!   batch is read from JSON ([`SmsBatchItem`]'s `Deserialize`);
//! - the zh answer table calls `success` "成功" and `number` "響應狀態碼" (translation slips):
//!   they are read as the count of numbers accepted and the number;
//! - the GET example writes the comma of `numbers` as is and the space of `content` as
//!   `%20`: every query value is percent-encoded (the comma as `%2C`, which a server
//!   decodes back to a comma), the documented "content needs urlEncode" included.

use futures_util::FutureExt;
use serde::{Deserialize, Serialize};
use serde_json::json;
use voxkit_core::reconcile::run_once_unreconcilable;
use voxkit_core::{
    EnvelopeFormat, Error, ExactlyOnceOutcome, HttpResponse, Operation, OperationSpec, Origin,
    PayloadAt, check, lenient,
};

use crate::envelope::{ENVELOPE, decode_with};
use crate::ivr::{MAX_ID_BYTES, check_number_count};
use crate::{Client, Status};

/// Why a lost `sendSms` answer cannot be reconciled: said once, in every SMS declaration.
const WHY_UNRECONCILABLE: &str = "no documented read finds a message by orderId or msgId: the official pages document \
     no SMS query (getReport and getSentRcd appear only in a community README, unverified)";

laaffic_operations! {
    /// 发送短信 by POST: `POST /v3/sendSms` (up to 1,000 numbers). Spends balance per
    /// number; nothing documented can find the messages afterwards.
    pub(crate) SEND_SMS {
        name: "send_sms",
        method: POST,
        path: "v3/sendSms",
        idempotency: NotRepeatable,
        reconciliation: Impossible { why: WHY_UNRECONCILABLE },
        example: |c| c.send_sms(&example_sms().method(SmsMethod::Post)).await.map(drop),
        decode: |r| decode_receipt(&SEND_SMS, r).map(drop),
        exactly_once: |c| c.send_sms_exactly_once(&example_sms().method(SmsMethod::Post)).await,
        applied: |c| c.sms_sends(2).await,
    }

    /// 发送短信 by GET: `GET /v3/sendSms?appId=…&numbers=…&content=…` (up to 100 numbers).
    pub(crate) SEND_SMS_GET {
        name: "send_sms_get",
        method: GET,
        path: "v3/sendSms",
        idempotency: NotRepeatable,
        reconciliation: Impossible { why: WHY_UNRECONCILABLE },
        example: |c| c.send_sms(&example_sms().method(SmsMethod::Get)).await.map(drop),
        decode: |r| decode_receipt(&SEND_SMS_GET, r).map(drop),
        exactly_once: |c| c.send_sms_exactly_once(&example_sms().method(SmsMethod::Get)).await,
        applied: |c| c.sms_sends(2).await,
    }

    /// 批量发送多内容短信: `POST /v3/sendSms/batch`.
    pub(crate) SEND_SMS_BATCH {
        name: "send_sms_batch",
        method: POST,
        path: "v3/sendSms/batch",
        idempotency: NotRepeatable,
        reconciliation: Impossible { why: WHY_UNRECONCILABLE },
        example: |c| c.send_sms_batch(&example_batch()).await.map(drop),
        decode: |r| decode_receipt(&SEND_SMS_BATCH, r).map(drop),
        exactly_once: |c| c.send_sms_batch_exactly_once(&example_batch()).await,
        applied: |c| c.sms_sends(3).await,
    }
}

#[cfg(any(test, feature = "test-util"))]
impl Client {
    /// Test hook (`applied`) of the SMS examples: how many sends of one segment to
    /// `numbers` numbers the balance shows, against the sandbox's seeded 99.99 and its
    /// price of 0.05 per number and segment.
    async fn sms_sends(&self, numbers: u32) -> Result<usize, Error> {
        let spent = rust_decimal::Decimal::new(9999, 2) - self.balance().await?.balance;
        let per_send = rust_decimal::Decimal::new(5, 2) * rust_decimal::Decimal::from(numbers);
        let sends = spent / per_send;
        if !sends.fract().is_zero() {
            return Err(Error::invalid_input(
                SEND_SMS.origin(),
                format!("{spent} spent is not a whole number of sends"),
            ));
        }
        Ok(rust_decimal::prelude::ToPrimitive::to_usize(&sends).unwrap_or(usize::MAX))
    }
}

/// The documentation's POST/GET example: app `4luaKsL2`, two numbers, "hello world",
/// sender `123`, order ids `21412,21413`.
#[cfg(any(test, feature = "test-util"))]
fn example_sms() -> Sms {
    Sms::new("4luaKsL2", ["91856321412", "91856321413"], "hello world")
        .sender_id("123")
        .order_ids(["21412", "21413"])
}

/// The documentation's batch example.
#[cfg(any(test, feature = "test-util"))]
fn example_batch() -> SmsBatch {
    SmsBatch::new(
        "4luaKsL2",
        [
            SmsBatchItem::new(["91856321412", "91856321413"], "test message")
                .sender_id("")
                .order_ids(["56584", "56585"]),
            SmsBatchItem::new(["91856321414"], "test message1")
                .sender_id("")
                .order_ids(["56586"]),
        ],
    )
}

/// The SMS answers carry their fields beside `status` and `reason` (as the balance does).
const SMS_ENVELOPE: EnvelopeFormat = ENVELOPE.with_payload(PayloadAt::Rest);

fn decode_receipt(
    spec: &'static OperationSpec,
    response: &HttpResponse,
) -> Result<SmsReceipt, Error> {
    decode_with(&SMS_ENVELOPE, spec, response)
}

/// The most numbers one `GET /v3/sendSms` takes ("GET方式一次最多提交100个号码").
pub const MAX_SMS_GET_NUMBERS: usize = 100;
/// The most numbers one `POST /v3/sendSms` takes ("POST方式一次最多提交1000个号码"); also
/// checked per item of a batch, whose page gives no limit of its own.
pub const MAX_SMS_POST_NUMBERS: usize = 1_000;
/// The longest `content` ("長度不能超過1024字符"), in characters.
pub const MAX_SMS_CONTENT_CHARS: usize = 1_024;
/// The longest `senderId` ("The maximum length is 32 characters").
pub const MAX_SENDER_ID_CHARS: usize = 32;

/// The status codes the SMS pages document beyond success and the common ones
/// (`-1` authentication, `-2` IP, `-16` timestamp, `-18` system): `-3` to `-19`, each a
/// typed [`Status`] (the laaffic sendSms page lists `-3`…`-10` and `-19`; the itniotech SMS
/// table adds `-11`, `-12`, `-14`, `-15`, `-17`; `-13` is the balance page's "user
/// locked"). `-10` (balance too low) is the one a caller most often acts on.
pub const SMS_STATUSES: &[Status] = &[
    Status::SensitiveContent,
    Status::EmptyContent,
    Status::ContentTooLong,
    Status::NotTemplate,
    Status::TooManyNumbers,
    Status::NoNumbers,
    Status::InvalidNumber,
    Status::InsufficientBalance,
    Status::InvalidTimeFormat,
    Status::PlatformSubmitFailed,
    Status::UserLocked,
    Status::EmptyFieldOrBadQueryId,
    Status::FrequentQuery,
    Status::TimestampOutOfRange,
    Status::EmptyTemplate,
    Status::SystemError,
    Status::ConfirmPricing,
];

/// Which method carries a [`Sms`]: chosen by the number count unless told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmsMethod {
    /// GET for up to [`MAX_SMS_GET_NUMBERS`] numbers, POST above (the default).
    #[default]
    Auto,
    /// Always GET (at most [`MAX_SMS_GET_NUMBERS`] numbers).
    Get,
    /// Always POST (at most [`MAX_SMS_POST_NUMBERS`] numbers).
    Post,
}

/// Numbers and their optional order ids, as both SMS requests carry them: `numbers` and
/// `orderId` comma-separated, as many order ids as numbers ("orderId數量和手機號碼數量需保持一致").
#[derive(Debug, Clone, PartialEq, Eq)]
struct Recipients {
    numbers: Vec<String>,
    content: String,
    sender_id: Option<String>,
    order_ids: Vec<String>,
}

/// The numbers or order ids given to a builder, as strings.
fn strings(items: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    items.into_iter().map(Into::into).collect()
}

impl Recipients {
    /// `numbers` and their `content`, with no sender id and no order ids: what a new
    /// message and a new batch item start from.
    fn new(
        numbers: impl IntoIterator<Item = impl Into<String>>,
        content: impl Into<String>,
    ) -> Self {
        Recipients {
            numbers: strings(numbers),
            content: content.into(),
            sender_id: None,
            order_ids: Vec::new(),
        }
    }

    /// The documented rules, `max` numbers at most. A number or order id holding a comma
    /// would split in two on the wire, so it is refused.
    fn check(&self, origin: Origin, max: usize) -> Result<(), Error> {
        check_number_count(origin, "an SMS request takes", self.numbers.len(), max)?;
        for number in &self.numbers {
            check::token(origin, "a phone number", number, MAX_ID_BYTES)?;
            if number.contains(',') {
                return Err(Error::invalid_input(origin, "a phone number holds a comma"));
            }
        }
        check::unique(origin, "phone number", &self.numbers)?;
        if self.content.is_empty() {
            return Err(Error::invalid_input(origin, "the SMS content is empty"));
        }
        if self.content.chars().count() > MAX_SMS_CONTENT_CHARS {
            return Err(Error::invalid_input(
                origin,
                format!("the SMS content is longer than {MAX_SMS_CONTENT_CHARS} characters"),
            ));
        }
        if let Some(sender) = &self.sender_id {
            // The batch example sends `"senderId": ""`: empty is allowed.
            if sender.chars().count() > MAX_SENDER_ID_CHARS || sender.chars().any(char::is_control)
            {
                return Err(Error::invalid_input(
                    origin,
                    format!("the sender id must be at most {MAX_SENDER_ID_CHARS} characters"),
                ));
            }
        }
        if !self.order_ids.is_empty() {
            if self.order_ids.len() != self.numbers.len() {
                return Err(Error::invalid_input(
                    origin,
                    format!(
                        "{} order ids for {} numbers: the documentation wants one per number",
                        self.order_ids.len(),
                        self.numbers.len()
                    ),
                ));
            }
            for id in &self.order_ids {
                check::token(origin, "an order id", id, MAX_ID_BYTES)?;
                if id.contains(',') {
                    return Err(Error::invalid_input(origin, "an order id holds a comma"));
                }
            }
        }
        Ok(())
    }

    fn wire(&self) -> RecipientsWire {
        RecipientsWire {
            numbers: self.numbers.join(","),
            content: self.content.clone(),
            sender_id: self.sender_id.clone(),
            order_id: (!self.order_ids.is_empty()).then(|| self.order_ids.join(",")),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecipientsWire {
    numbers: String,
    content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
}

/// One SMS content to up to 1,000 numbers (`sendSms`, E1), built field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    app_id: String,
    to: Recipients,
    method: SmsMethod,
}

impl Sms {
    /// `appId` (應用ID), `numbers` (joined with commas) and `content` (1 to 1,024
    /// characters).
    pub fn new(
        app_id: impl Into<String>,
        numbers: impl IntoIterator<Item = impl Into<String>>,
        content: impl Into<String>,
    ) -> Self {
        Sms {
            app_id: app_id.into(),
            to: Recipients::new(numbers, content),
            method: SmsMethod::Auto,
        }
    }

    voxkit_core::optional_setters! {
        /// `senderId` (發送號碼), at most 32 characters.
        fn sender_id(sender_id: impl Into<String>).into() => to.sender_id;
    }

    /// `orderId`: your own id per number (自定义消息id), as many as numbers, in order.
    pub fn order_ids(mut self, ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.to.order_ids = strings(ids);
        self
    }

    voxkit_core::value_setters! {
        /// GET or POST ([`SmsMethod::Auto`] by default).
        fn method(method: SmsMethod);
    }

    /// The numbers.
    pub fn numbers(&self) -> &[String] {
        &self.to.numbers
    }

    /// The operation this message is sent with: GET up to 100 numbers unless told.
    fn spec(&self) -> &'static OperationSpec {
        match self.method {
            SmsMethod::Get => &SEND_SMS_GET,
            SmsMethod::Post => &SEND_SMS,
            SmsMethod::Auto if self.to.numbers.len() <= MAX_SMS_GET_NUMBERS => &SEND_SMS_GET,
            SmsMethod::Auto => &SEND_SMS,
        }
    }

    fn check(&self, spec: &'static OperationSpec) -> Result<(), Error> {
        let origin = spec.origin();
        check::token(origin, "the app id", &self.app_id, MAX_ID_BYTES)?;
        let max = if std::ptr::eq(spec, &SEND_SMS_GET) {
            MAX_SMS_GET_NUMBERS
        } else {
            MAX_SMS_POST_NUMBERS
        };
        self.to.check(origin, max)
    }

    fn operation(&self, spec: &'static OperationSpec) -> Result<Operation, Error> {
        let wire = self.to.wire();
        let op = Operation::of(spec, &[])?;
        if std::ptr::eq(spec, &SEND_SMS_GET) {
            let mut op = op
                .query("appId", self.app_id.as_str())
                .query("numbers", wire.numbers)
                .query("content", wire.content);
            if let Some(sender) = wire.sender_id {
                op = op.query("senderId", sender);
            }
            if let Some(orders) = wire.order_id {
                op = op.query("orderId", orders);
            }
            Ok(op)
        } else {
            #[derive(Serialize)]
            #[serde(rename_all = "camelCase")]
            struct Body<'a> {
                app_id: &'a str,
                #[serde(flatten)]
                to: RecipientsWire,
            }
            op.json(
                spec.origin(),
                &Body {
                    app_id: &self.app_id,
                    to: wire,
                },
            )
        }
    }
}

/// One item of a batch: a content for a group of numbers.
///
/// Read from JSON (the CLI's `--file`) with the example's field names (`numbers`,
/// `content`, `senderId`, `orderId`, comma-separated strings); `number`, as the batch
/// table names it, is accepted for `numbers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsBatchItem {
    to: Recipients,
}

impl SmsBatchItem {
    /// `numbers` and their `content`.
    pub fn new(
        numbers: impl IntoIterator<Item = impl Into<String>>,
        content: impl Into<String>,
    ) -> Self {
        SmsBatchItem {
            to: Recipients::new(numbers, content),
        }
    }

    voxkit_core::optional_setters! {
        /// `senderId`, at most 32 characters (empty allowed, as in the example).
        fn sender_id(sender_id: impl Into<String>).into() => to.sender_id;
    }

    /// `orderId`, one per number.
    pub fn order_ids(mut self, ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.to.order_ids = strings(ids);
        self
    }

    /// The numbers.
    pub fn numbers(&self) -> &[String] {
        &self.to.numbers
    }
}

impl<'de> Deserialize<'de> for SmsBatchItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct Item {
            #[serde(alias = "number")]
            numbers: String,
            content: String,
            #[serde(default)]
            sender_id: Option<String>,
            #[serde(default)]
            order_id: Option<String>,
        }
        let item = Item::deserialize(d)?;
        let split = |s: &str| -> Vec<String> {
            s.split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        };
        Ok(SmsBatchItem {
            to: Recipients {
                numbers: split(&item.numbers),
                content: item.content,
                sender_id: item.sender_id,
                order_ids: item.order_id.as_deref().map(split).unwrap_or_default(),
            },
        })
    }
}

/// A batch of contents (`sendSms/batch`, E2): `appId` and the `array` of items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsBatch {
    app_id: String,
    items: Vec<SmsBatchItem>,
}

impl SmsBatch {
    /// `appId` and at least one item.
    pub fn new(app_id: impl Into<String>, items: impl IntoIterator<Item = SmsBatchItem>) -> Self {
        SmsBatch {
            app_id: app_id.into(),
            items: items.into_iter().collect(),
        }
    }

    /// The items.
    pub fn items(&self) -> &[SmsBatchItem] {
        &self.items
    }

    fn check(&self, origin: Origin) -> Result<(), Error> {
        check::token(origin, "the app id", &self.app_id, MAX_ID_BYTES)?;
        if self.items.is_empty() {
            return Err(Error::invalid_input(
                origin,
                "a batch needs at least one item",
            ));
        }
        for item in &self.items {
            item.to.check(origin, MAX_SMS_POST_NUMBERS)?;
        }
        Ok(())
    }

    fn wire(&self) -> impl Serialize + '_ {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire<'a> {
            app_id: &'a str,
            array: Vec<RecipientsWire>,
        }
        Wire {
            app_id: &self.app_id,
            array: self.items.iter().map(|i| i.to.wire()).collect(),
        }
    }
}

/// The answer of both SMS requests: `success` and `fail` (String counts of numbers
/// accepted and refused) and the `array` of accepted messages.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SmsReceipt {
    /// `success`: numbers submitted (提交成功的號碼個數); `None` when absent.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub success: Option<u64>,
    /// `fail`: numbers refused; `None` when absent.
    #[serde(default, deserialize_with = "lenient::opt_u64")]
    pub fail: Option<u64>,
    /// `array`: one entry per submitted number (absent or `null`: none).
    #[serde(default, rename = "array", deserialize_with = "lenient::null_as_empty")]
    pub messages: Vec<SentSms>,
}

/// One submitted message (an `array` item).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SentSms {
    /// `msgId`: the platform's message id.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub msg_id: Option<String>,
    /// `number`.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub number: Option<String>,
    /// `orderId`, or `orderid` as one table spells it: your id, echoed.
    #[serde(default, alias = "orderid", deserialize_with = "lenient::opt_text")]
    pub order_id: Option<String>,
}

impl Client {
    /// Sends one content to up to 1,000 numbers: `GET` (≤ 100 numbers, operation
    /// `send_sms_get`) or `POST` (operation `send_sms`) `/v3/sendSms`, chosen by the count
    /// unless [`Sms::method`] says. Every documented rule is checked first (nothing is
    /// sent on bad input): app id, 1 to 100 / 1,000 numbers, none twice or holding a comma,
    /// content 1 to 1,024 characters, sender id ≤ 32, one order id per number.
    ///
    /// Refusals are [`Error::Api`] with a typed [`Status`] ([`SMS_STATUSES`]; `-10`: the
    /// balance is too low).
    ///
    /// **Not repeatable** (it spends balance): a lost answer is [`Error::OutcomeUnknown`]
    /// and cannot be reconciled — nothing documented finds the messages afterwards, so do
    /// not send again without asking the provider.
    pub async fn send_sms(&self, sms: &Sms) -> Result<SmsReceipt, Error> {
        let spec = sms.spec();
        sms.check(spec)?;
        let op = sms.operation(spec)?;
        self.send(spec, &op, decode_receipt).await
    }

    /// Sends a batch of contents: `POST /v3/sendSms/batch`, operation `send_sms_batch`.
    /// Each item is checked as a POST [`Sms`]; the page gives no limit for the batch as a
    /// whole. **Not repeatable**, as [`Client::send_sms`].
    pub async fn send_sms_batch(&self, batch: &SmsBatch) -> Result<SmsReceipt, Error> {
        let origin = SEND_SMS_BATCH.origin();
        batch.check(origin)?;
        let op = Operation::of(&SEND_SMS_BATCH, &[])?.json(origin, &batch.wire())?;
        self.send(&SEND_SMS_BATCH, &op, decode_receipt).await
    }

    /// [`Client::send_sms`] under the exactly-once contract: sent once; an answer ends
    /// `Applied` with the receipt as evidence, a refusal is the error, and a lost answer
    /// ends [`ExactlyOnceOutcome::Undetermined`] saying why it cannot be reconciled (never
    /// sent again).
    pub async fn send_sms_exactly_once(&self, sms: &Sms) -> Result<ExactlyOnceOutcome, Error> {
        run_once_unreconcilable(sms.spec(), || {
            self.send_sms(sms)
                .map(|r| r.map(|receipt| receipt_json(&receipt)))
        })
        .await
    }

    /// [`Client::send_sms_batch`] under the exactly-once contract, as
    /// [`Client::send_sms_exactly_once`].
    pub async fn send_sms_batch_exactly_once(
        &self,
        batch: &SmsBatch,
    ) -> Result<ExactlyOnceOutcome, Error> {
        run_once_unreconcilable(&SEND_SMS_BATCH, || {
            self.send_sms_batch(batch)
                .map(|r| r.map(|receipt| receipt_json(&receipt)))
        })
        .await
    }
}

/// A receipt as evidence.
fn receipt_json(receipt: &SmsReceipt) -> serde_json::Value {
    json!({
        "success": receipt.success,
        "fail": receipt.fail,
        "array": receipt.messages.iter().map(|m| json!({
            "msgId": m.msg_id, "number": m.number, "orderId": m.order_id,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_method_follows_the_count_unless_told() {
        let numbers = |n: usize| (0..n).map(|i| format!("9185632{i:04}")).collect::<Vec<_>>();
        let sms = |n| Sms::new("a", numbers(n), "x");
        assert_eq!(sms(100).spec().name, "send_sms_get");
        assert_eq!(sms(101).spec().name, "send_sms");
        assert_eq!(sms(1).method(SmsMethod::Post).spec().name, "send_sms");
        // Told GET with 101 numbers: refused, nothing sent.
        let get = sms(101).method(SmsMethod::Get);
        assert!(get.check(get.spec()).unwrap_err().nothing_sent());
        let post = sms(1_001);
        assert!(post.check(post.spec()).is_err());
        assert!(sms(1_000).check(&SEND_SMS).is_ok());
    }

    #[test]
    fn documented_rules_are_checked() {
        let ok = example_sms();
        assert!(ok.check(ok.spec()).is_ok());
        let bad = [
            Sms::new("4luaKsL2", ["91856321412"], ""),
            Sms::new("4luaKsL2", ["91856321412"], "x".repeat(1_025)),
            Sms::new("4luaKsL2", ["91856321412"], "x").sender_id("s".repeat(33)),
            Sms::new("4luaKsL2", ["91856321412", "91856321413"], "x").order_ids(["1"]),
            Sms::new("4luaKsL2", ["918,56321412"], "x"),
            Sms::new("4luaKsL2", ["91856321412", "91856321412"], "x"),
            Sms::new("4luaKsL2", Vec::<String>::new(), "x"),
            Sms::new("", ["91856321412"], "x"),
        ];
        for sms in bad {
            assert!(sms.check(sms.spec()).is_err(), "{sms:?}");
        }
        assert!(
            Sms::new("a", ["1"], "é".repeat(1_024))
                .check(&SEND_SMS)
                .is_ok(),
            "1,024 characters, not bytes"
        );
    }

    #[test]
    fn every_sms_code_from_minus_3_to_minus_19_is_typed() {
        let codes: Vec<i32> = SMS_STATUSES.iter().filter_map(Status::code).collect();
        assert_eq!(codes, (-19..=-3).rev().collect::<Vec<_>>());
        for code in -19..=-3 {
            assert!(
                !matches!(Status::from_code(&code.to_string()), Status::Unknown(_)),
                "{code}"
            );
        }
    }

    #[test]
    fn a_batch_item_reads_numbers_or_number() {
        let a: SmsBatchItem = serde_json::from_str(
            r#"{"numbers":"91856321412,91856321413","content":"test message","senderId":"","orderId":"56584,56585"}"#,
        )
        .unwrap();
        let b: SmsBatchItem = serde_json::from_str(
            r#"{"number":"91856321412,91856321413","content":"test message","senderId":"","orderId":"56584,56585"}"#,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a, example_batch().items[0]);
    }
}
