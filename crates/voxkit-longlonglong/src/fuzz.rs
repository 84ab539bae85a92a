//! **Not part of the API**: hidden from the documentation and free to change in any
//! release.
//!
//! This crate's response decoder on raw bytes, exactly as the client runs it, for the
//! `cargo fuzz` targets under `fuzz/` and for the property tests.

use serde::de::IgnoredAny;
use voxkit_core::reqwest::StatusCode;
use voxkit_core::reqwest::header::HeaderMap;
use voxkit_core::{Error, HttpResponse, Origin};

use crate::PROVIDER;
use crate::client::decode;
use crate::model::{RechargeRecord, SubAccount};

/// What the envelope's `data` is decoded into: one variant per decoder the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Payload {
    /// `data` ignored (recharge, deduct, zero balance, expiry, delete).
    Ack,
    /// A list of [`RechargeRecord`]s (recharge history), with the optional `meta`.
    RechargeHistory,
    /// One [`SubAccount`] (create, read).
    SubAccount,
    /// A list of [`SubAccount`]s with `meta` (sub-account list).
    SubAccounts,
    /// Any JSON (account info, token info, registration).
    Undocumented,
}

impl Payload {
    /// Every payload.
    pub const ALL: &'static [Payload] = &[
        Payload::Ack,
        Payload::RechargeHistory,
        Payload::SubAccount,
        Payload::SubAccounts,
        Payload::Undocumented,
    ];

    /// The payload the client decodes the answer of `operation` (a name of
    /// [`crate::OPERATIONS`]) into; `None` for an unknown name.
    pub fn of(operation: &str) -> Option<Payload> {
        Some(match operation {
            "recharge" | "deduct" | "zero_balance" | "set_expiry" | "delete_sub_account" => {
                Payload::Ack
            }
            "recharge_history" => Payload::RechargeHistory,
            "create_sub_account" | "sub_account" => Payload::SubAccount,
            "sub_accounts" => Payload::SubAccounts,
            "account_info" | "token_info" | "register_user" => Payload::Undocumented,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Payload::Ack => "ack",
            Payload::RechargeHistory => "recharge_history",
            Payload::SubAccount => "sub_account",
            Payload::SubAccounts => "sub_accounts",
            Payload::Undocumented => "undocumented",
        }
    }
}

/// Decodes `body`, answered with HTTP `status`, as the client decodes an answer carrying
/// `payload`. `Ok` or a clean [`Error::Decode`] / [`Error::Api`]; never a panic.
pub fn decode_body(payload: Payload, status: u16, body: &[u8]) -> Result<(), Error> {
    let response = HttpResponse {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        headers: HeaderMap::new(),
        body: body.to_vec().into(),
    };
    let origin = Origin::new(PROVIDER, payload.name());
    match payload {
        Payload::Ack => decode::<IgnoredAny>(origin, &response).map(drop),
        Payload::RechargeHistory => decode::<Vec<RechargeRecord>>(origin, &response).map(drop),
        Payload::SubAccount => decode::<SubAccount>(origin, &response).map(drop),
        Payload::SubAccounts => decode::<Vec<SubAccount>>(origin, &response).map(drop),
        Payload::Undocumented => decode::<serde_json::Value>(origin, &response).map(drop),
    }
}
