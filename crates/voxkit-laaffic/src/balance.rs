//! The account balance (`GET /v3/getBalance`): its declaration, call and answer.

use rust_decimal::Decimal;
use serde::Deserialize;
use voxkit_core::{EnvelopeFormat, Error, HttpResponse, Operation, OperationSpec, PayloadAt};

use crate::Client;
use crate::envelope::{ENVELOPE, decode_with};

/// The balance answer carries its fields beside `status` and `reason`.
const BALANCE_ENVELOPE: EnvelopeFormat = ENVELOPE.with_payload(PayloadAt::Rest);

fn decode_balance(spec: &'static OperationSpec, response: &HttpResponse) -> Result<Balance, Error> {
    decode_with(&BALANCE_ENVELOPE, spec, response)
}

laaffic_operations! {
    /// 查询余额: `GET /v3/getBalance`.
    pub(crate) BALANCE {
        name: "balance",
        method: GET,
        path: "v3/getBalance",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.balance().await.map(drop),
        decode: |r| decode_balance(&BALANCE, r).map(drop),
    }
}

/// The account balance (`GET /v3/getBalance`).
///
/// The documentation types every field as a String and sends decimal strings with
/// varying precision (`"99.990000"`, `"50.00000"`, `"0"`); they are decoded exactly into
/// [`Decimal`] (JSON numbers are accepted too). The currency is not stated by the page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Balance {
    /// `balance`: the balance of the real account (实际账户的余额).
    pub balance: Decimal,
    /// `gift`: the balance of the gift account (赠送账户余额).
    pub gift: Decimal,
    /// `credit`: the credit line (信用额度).
    pub credit: Decimal,
}

impl Client {
    /// The account balance: `GET /v3/getBalance`.
    ///
    /// Repeatable: retried on transient failures. Returns [`Balance`] with exact decimals.
    pub async fn balance(&self) -> Result<Balance, Error> {
        let op = Operation::of(&BALANCE, &[])?;
        self.send(&BALANCE, &op, decode_balance).await
    }
}

/// The balance decoder on raw parts, for the fuzz targets and property tests.
pub(crate) fn decode_balance_response(response: &HttpResponse) -> Result<Balance, Error> {
    decode_balance(&BALANCE, response)
}
