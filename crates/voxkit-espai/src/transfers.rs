//! 转让额度卡额度 and 销毁额度卡: moving quota between cards and destroying cards, the two
//! card operations that are not repeatable.

#[cfg(any(test, feature = "test-util"))]
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use voxkit_core::Error;
#[cfg(any(test, feature = "test-util"))]
use voxkit_core::PayloadAt;

use crate::{CardKey, Client, checks};

mod exactly_once;
pub use exactly_once::{LOG_CLOCK_SKEW, TRANSFER_PAIR_WINDOW};

operations! {
    /// 转让额度卡额度. The request carries nothing unique; the transfer shows up in the
    /// source card's usage log.
    pub(crate) TRANSFER {
        name: "transfer",
        method: POST,
        path: "cdkey/transfer",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "balance_logs",
            how: "a row of the source card's usage log written after the intent, with the \
                  amount and the target card",
        },
        example: |c| {
            let from = CardKey::new("15916888888", "wNaa1GDw");
            let to = CardKey::new("17516888888", "3AoPbLSQ");
            c.transfer(&from, &to, 10).await.map(drop)
        },
        decode: |r| crate::envelope::decode_as::<IgnoredAny>(&TRANSFER, PayloadAt::Field("data"), r),
        // The docs' target belongs to another account, whose usage log cannot be read, so
        // a lost answer would stay undetermined: the account's own second paid card.
        exactly_once: |c| {
            let from = CardKey::new("15916888888", "wNaa1GDw");
            let to = CardKey::new("15916888888", "Qk3mZ8pL");
            c.transfer_exactly_once(&from, &to, 10, &voxkit_core::test_util::FAST_RECONCILE).await
        },
        // The seeded source card holds 500: each application took 10.
        applied: |c| {
            let left = c.card(&CardKey::new("15916888888", "wNaa1GDw")).await?.api_limit;
            let moved = 500_u64.saturating_sub(left);
            if moved % 10 != 0 {
                return Err(Error::invalid_input(TRANSFER.origin(), format!("{moved} moved")));
            }
            Ok(usize::try_from(moved / 10).unwrap_or(usize::MAX))
        },
    }

    /// 销毁额度卡: the cards are gone afterwards.
    pub(crate) DESTROY {
        name: "destroy",
        method: POST,
        path: "cdkey/destroy",
        idempotency: NotRepeatable,
        reconciliation: ByReadBack {
            read: "list_cards",
            how: "each destroyed id is gone from the card list (filtered by id)",
        },
        example: |c| c.destroy(&["196bd2a26e4d459f9dc7d12053a05c15"]).await.map(drop),
        decode: |r| crate::envelope::decode_as::<IgnoredAny>(&DESTROY, PayloadAt::Field("data"), r),
        exactly_once: |c| c.destroy_exactly_once(&["196bd2a26e4d459f9dc7d12053a05c15"], &voxkit_core::test_util::FAST_RECONCILE).await,
        applied: |c| {
            let filter = crate::CardFilter::new().id("196bd2a26e4d459f9dc7d12053a05c15");
            Ok(usize::from(c.list_cards(&filter).await?.items.is_empty()))
        },
    }
}

impl Client {
    /// Moves `amount` of quota from one card to another: `POST /cdkey/transfer`
    /// (转让额度卡额度), operation `transfer`.
    ///
    /// Sends `{"code", "phone", "target_code", "target_phone", "limit"}`, every value a
    /// string (the amount too, `"limit": "10"`; here `limit` is the amount, not a page
    /// size). The documentation: "额度卡余额转让必须都是付费卡，免费体验卡不能进行额度转让操作"
    /// (both cards must be paid cards; free trial cards cannot transfer).
    ///
    /// Refused before sending: an amount below 1 (the documented minimum), a transfer from
    /// a card to itself (same phone and code), phones that are not digits, codes that are
    /// empty or hold whitespace.
    ///
    /// **Not repeatable**: if the request may have reached the server and no answer came
    /// back, the error is [`Error::OutcomeUnknown`]; look for the transfer in the source
    /// card's usage log ([`Client::balance_logs`]) before trying again.
    pub async fn transfer(&self, from: &CardKey, to: &CardKey, amount: u64) -> Result<Ack, Error> {
        let origin = TRANSFER.origin();
        from.check(origin, "the source phone", "the source code")?;
        to.check(origin, "the target phone", "the target code")?;
        checks::transfer_amount(origin, amount)?;
        if from == to {
            return Err(Error::invalid_input(
                origin,
                "the source and target are the same card",
            ));
        }
        let body = TransferBody {
            code: &from.code,
            phone: &from.phone,
            target_code: &to.code,
            target_phone: &to.phone,
            limit: amount.to_string(),
        };
        self.ack(&self.core, &TRANSFER, &body).await
    }

    /// Destroys cards by id, one or many in one call: `POST /cdkey/destroy` (销毁额度卡),
    /// operation `destroy`. The body is a JSON array, `[{"id": "..."}, ...]`.
    ///
    /// The documentation: "额度卡销毁必须是付费卡并且余额为0才能销毁，否则拒绝操作" (only paid
    /// cards with a zero balance can be destroyed). Refused before sending: no id, an
    /// empty id or one holding whitespace, the same id twice.
    ///
    /// **Not repeatable**: if the request may have reached the server and no answer came
    /// back, the error is [`Error::OutcomeUnknown`]; list the cards before trying again.
    pub async fn destroy<S: AsRef<str> + Sync>(&self, ids: &[S]) -> Result<Ack, Error> {
        checks::check_card_ids(ids)?;
        let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
        let body: Vec<IdBody<'_>> = ids.into_iter().map(|id| IdBody { id }).collect();
        self.ack(&self.core, &DESTROY, &body).await
    }
}

/// The body of `cdkey/transfer`: every value a string, the amount too (`"limit": "10"`).
#[derive(Debug, Serialize)]
struct TransferBody<'a> {
    code: &'a str,
    phone: &'a str,
    target_code: &'a str,
    target_phone: &'a str,
    limit: String,
}

/// One object of the body array of `cdkey/destroy`.
#[derive(Debug, Serialize)]
struct IdBody<'a> {
    id: &'a str,
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

impl Ack {
    /// The answer as the evidence of an exactly-once send: its message, the only thing
    /// such an answer carries.
    pub(crate) fn evidence(&self) -> serde_json::Value {
        serde_json::json!({ "message": self.message })
    }
}
