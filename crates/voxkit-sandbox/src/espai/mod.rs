//! The ESP-AI open API: JSON POSTs with string-valued fields, `authorization: <key>`,
//! `{success, message, data, totalNumber}` envelopes and `{success: false, message, code}`
//! errors.

pub(crate) mod agents;
pub(crate) mod channel;
mod devices;
mod handlers;
pub(crate) mod state;

use axum::Router;
use axum::extract::Request;
use axum::response::Response;

use crate::route::{Endpoint, endpoints, guarded};
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
    "espai.agent_list" POST "/equipment/list" => agents::list;
    "espai.agent_add" POST "/equipment/add" => agents::add;
    "espai.agent_update" POST "/equipment/update" => agents::update;
    "espai.agent_del" POST "/equipment/del" => agents::delete;
    "espai.device_list" POST "/devices/list" => devices::list;
    "espai.device_update" POST "/devices/update" => devices::update;
    "espai.device_del" POST "/devices/del" => devices::unbind_by_id;
    "espai.device_unbind" POST "/devices/unbind" => devices::unbind_by_mac;
    "espai.plugin_select" POST "/pulgin/select" => devices::plugins;
};

/// The ESP-AI routes behind the key check (then the content-type check), and the
/// sandbox's payment page, which a browser opens without a key.
pub(crate) fn router() -> Router<Shared> {
    guarded(ENDPOINTS, key, not_json)
        .route("/sandbox/pay", axum::routing::get(handlers::pay_page))
        .route(channel::PATH, axum::routing::get(channel::connect))
}

/// The answer to a body not declared JSON (HTTP 415, see [`guarded`]): the documented
/// `{"success": false, "message": "系统错误：…", "code": 500}`.
fn not_json(_path: &str) -> Response {
    handlers::fail(Some(500), "系统错误：Content-Type 必须是 application/json")
}

/// The raw key in `authorization`; anything else is refused (the message is the
/// sandbox's: the documentation shows no such error).
fn key(request: &Request) -> Result<(), Response> {
    if wire::header(request.headers(), "authorization") == Some(ESPAI_OPEN_API_KEY) {
        return Ok(());
    }
    Err(handlers::fail(Some(401), "open_api_key 无效"))
}
