//! The ESP-AI open API: JSON POSTs with string-valued fields, `authorization: <key>`,
//! `{success, message, data, totalNumber}` envelopes and `{success: false, message, code}`
//! errors.

mod handlers;
pub(crate) mod state;

use axum::Router;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use crate::route::{Endpoint, endpoints, router as router_of};
use crate::state::Shared;
use crate::wire;

/// The ESP-AI open API key the sandbox accepts.
pub const ESPAI_OPEN_API_KEY: &str = "sandbox-espai-open-api-key";

/// Every ESP-AI route.
pub(crate) const ENDPOINTS: &[Endpoint] = endpoints! {
    "espai.list" POST "/cdkey/list" => handlers::list;
    "espai.detail" POST "/cdkey/detail" => handlers::detail;
    "espai.balance_logs" POST "/cdkey/balance_logs" => handlers::balance_logs;
    "espai.transfer" POST "/cdkey/transfer" => handlers::transfer;
    "espai.destroy" POST "/cdkey/destroy" => handlers::destroy;
    "espai.order_pay" POST "/order/pay" => handlers::pay;
};

/// The ESP-AI routes behind the key check.
pub(crate) fn router() -> Router<Shared> {
    router_of(ENDPOINTS).route_layer(axum::middleware::from_fn(key))
}

/// The raw key in `authorization`; anything else is refused (the message is the
/// sandbox's: the documentation shows no such error).
async fn key(request: Request, next: Next) -> Response {
    if wire::header(request.headers(), "authorization") == Some(ESPAI_OPEN_API_KEY) {
        return next.run(request).await;
    }
    handlers::fail(Some(401), "open_api_key 无效")
}
