//! **Not part of the API**: hidden from the documentation and free to change in any
//! release.
//!
//! This crate's response decoder on raw bytes, exactly as the client runs it, for the
//! `cargo fuzz` targets under `fuzz/` and for the property tests.

use voxkit_core::reqwest::StatusCode;
use voxkit_core::reqwest::header::HeaderMap;
use voxkit_core::{Error, HttpResponse, Origin};

use crate::client::decode;
use crate::types::{Data, ListData, OptionalListData};
use crate::{BalanceLog, Card, PROVIDER};

/// What the envelope is decoded into: one variant per decoder the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Payload {
    /// A list of [`Card`]s and `totalNumber` (`list_cards`).
    Cards,
    /// One [`Card`] in `data` (`card_detail`).
    Card,
    /// A list of [`BalanceLog`]s, `data` optional (`balance_logs`).
    BalanceLogs,
    /// [`Ack`](crate::Ack): the message only (`transfer`, `destroy`).
    Ack,
    /// A string in `data`, the payment URL (`pay`).
    PayUrl,
}

impl Payload {
    /// Every payload.
    pub const ALL: &'static [Payload] = &[
        Payload::Cards,
        Payload::Card,
        Payload::BalanceLogs,
        Payload::Ack,
        Payload::PayUrl,
    ];

    /// The payload the client decodes the answer of `operation` (a name of
    /// [`crate::OPERATIONS`]) into; `None` for an unknown name.
    pub fn of(operation: &str) -> Option<Payload> {
        Some(match operation {
            "list_cards" => Payload::Cards,
            "card_detail" => Payload::Card,
            "balance_logs" => Payload::BalanceLogs,
            "transfer" | "destroy" => Payload::Ack,
            "pay" => Payload::PayUrl,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Payload::Cards => "list_cards",
            Payload::Card => "card_detail",
            Payload::BalanceLogs => "balance_logs",
            Payload::Ack => "ack",
            Payload::PayUrl => "pay",
        }
    }
}

/// Decodes `body` as the client decodes an answer carrying `payload`, scrubbing `secrets`
/// from every text it keeps. `Ok` or a clean [`Error::Decode`] / [`Error::Api`]; never a
/// panic.
pub fn decode_body(payload: Payload, body: &[u8], secrets: &[&str]) -> Result<(), Error> {
    let response = HttpResponse {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: body.to_vec().into(),
    };
    let origin = Origin::new(PROVIDER, payload.name());
    match payload {
        Payload::Cards => decode::<ListData<Card>>(origin, &response, secrets).map(drop),
        Payload::Card => decode::<Data<Card>>(origin, &response, secrets).map(drop),
        Payload::BalanceLogs => {
            decode::<OptionalListData<BalanceLog>>(origin, &response, secrets).map(drop)
        }
        Payload::Ack => decode::<crate::types::AckEnvelope>(origin, &response, secrets).map(drop),
        Payload::PayUrl => decode::<Data<String>>(origin, &response, secrets).map(drop),
    }
}
