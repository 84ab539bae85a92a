//! 额度卡购买充值: starting the purchase or top-up of a quota card (`order/pay`), which
//! answers with a payment URL.

use serde::Serialize;
use serde_json::json;
use voxkit_core::reconcile::run_once_unreconcilable;
use voxkit_core::{Error, ExactlyOnceOutcome, PayloadAt};

use crate::Client;

operations! {
    /// 额度卡购买充值: creates an order and answers with its payment URL.
    pub(crate) PAY {
        name: "pay",
        method: POST,
        path: "order/pay",
        idempotency: NotRepeatable,
        reconciliation: Impossible {
            why: "the request carries no marker and there is no endpoint that lists orders; \
                  a re-request creates another unpaid order (another payment URL), which \
                  costs nothing until someone pays it",
        },
        example: |c| c.pay(Commodity::Uses1000, OrderKind::Buy).await.map(drop),
        decode: |r| crate::envelope::decode_as::<String>(&PAY, PayloadAt::Field("data"), r),
        exactly_once: |c| c.pay_exactly_once(Commodity::Uses1000, OrderKind::Buy).await,
        // No read lists orders, but the sandbox numbers them (`out_trade_no=SANDBOX00000001`)
        // from a seed of none: the next order's number, less one, is how many were created.
        applied: |c| {
            let url = c.pay(Commodity::Uses1000, OrderKind::Buy).await?;
            let number = url
                .split_once("out_trade_no=SANDBOX")
                .map(|(_, n)| n.chars().take_while(char::is_ascii_digit).collect::<String>())
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| Error::invalid_input(PAY.origin(), format!("no order number in {url}")))?;
            Ok(number.saturating_sub(1))
        },
    }
}

impl Client {
    /// Starts buying or topping up a quota card: `POST /order/pay` (额度卡购买充值),
    /// operation `pay`. Sends `{"commodity_id": "1", "commodity_type": "0"}`.
    ///
    /// Returns the payment URL (`data`, "支付URL；通过该URL可以在前端H5页面拉起支付页"): open it
    /// in a browser page to pay; the order is settled by the payment provider's
    /// notification to ESP-AI, not by this call. For [`OrderKind::TopUp`] the request
    /// names no card and the documentation does not say which card is topped up.
    ///
    /// **Not repeatable** (each call may create an order): if the request may have
    /// reached the server and no answer came back, the error is
    /// [`Error::OutcomeUnknown`]. Nothing can tell whether it was applied; requesting
    /// again creates another order, which costs nothing until it is paid.
    pub async fn pay(&self, commodity: Commodity, kind: OrderKind) -> Result<String, Error> {
        let body = PayBody {
            commodity_id: commodity.id(),
            commodity_type: kind.code(),
        };
        let url = self.post(&PAY, &body, PayloadAt::Field("data")).await?;
        Ok(url.payload)
    }
}

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
struct PayBody {
    commodity_id: &'static str,
    commodity_type: &'static str,
}

impl Client {
    /// [`Client::pay`] with the exactly-once calls' typed outcome: sent **once**, never
    /// re-sent. An answer is [`ExactlyOnceOutcome::Applied`] (the payment URL as evidence);
    /// a lost answer is [`ExactlyOnceOutcome::Undetermined`] at once, with the
    /// declaration's reason: the request carries no marker and nothing lists orders.
    ///
    /// **What asking again costs.** `pay` moves no money: it creates an unpaid order and
    /// answers with its payment URL, and money moves only when a person opens a URL and
    /// pays. An order whose answer was lost has a URL nobody received, so it can never be
    /// paid by mistake; calling [`Client::pay`] again creates one more unpaid order (one
    /// more row in the account's order records, should the provider keep them) and a new
    /// URL, and charges nothing. So after `Undetermined`, asking again is safe; what must
    /// never happen twice is *paying*, which is the person's step, not this call's.
    pub async fn pay_exactly_once(
        &self,
        commodity: Commodity,
        kind: OrderKind,
    ) -> Result<ExactlyOnceOutcome, Error> {
        run_once_unreconcilable(&PAY, || async {
            let url = self.pay(commodity, kind).await?;
            Ok(json!({ "payment_url": url }))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
