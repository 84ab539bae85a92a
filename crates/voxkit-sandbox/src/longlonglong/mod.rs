//! The longlonglong agent API: `{code, status, message, data}` envelopes, errors with HTTP
//! 200, a bearer token on every route.

mod handlers;
pub(crate) mod records;
pub(crate) mod state;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::route::{Endpoint, endpoints, router as router_of};
use crate::state::Shared;
use crate::wire;

/// The bearer token the sandbox accepts for longlonglong (an obvious placeholder).
pub const LONGLONGLONG_TOKEN: &str = "sandbox-longlonglong-token";

/// Every longlonglong route. Recharge and deduct share one route, as in the API.
pub(crate) const ENDPOINTS: &[Endpoint] = endpoints! {
    "longlonglong.recharge" PUT "/agent-api/user/{user_id}/recharge" => handlers::recharge;
    "longlonglong.zero_balance" PUT "/agent-api/user/{user_id}/zero_balance" => handlers::zero_balance;
    "longlonglong.recharge_history" GET "/agent-api/user/{user_id}/bill_recharge_record" => handlers::history;
    "longlonglong.set_expiry" PUT "/agent-api/user/{user_id}/expire_time" => handlers::set_expiry;
    "longlonglong.account_info" GET "/agent-api/user/{user_id}/message" => handlers::account_info;
    "longlonglong.token_info" GET "/agent-api/token" => handlers::token_info;
    "longlonglong.create_sub_account" POST "/agent-api/user/{user_id}/subset_users" => handlers::create_sub;
    "longlonglong.sub_accounts" GET "/agent-api/user/{user_id}/subset_users" => handlers::list_subs;
    "longlonglong.sub_account" GET "/agent-api/user/{user_id}/subset_users/{sub_user_id}/edit" => handlers::read_sub;
    "longlonglong.delete_sub_account" DELETE "/agent-api/user/{user_id}/subset_users/{sub_user_id}" => handlers::delete_sub;
    "longlonglong.register_user" POST "/users" => handlers::register;
    "longlonglong.callback_blacklist" GET "/agent-api/callback_blacklist" => handlers::callback_blacklist;
};

/// The longlonglong routes behind the token check (then the content-type check).
pub(crate) fn router() -> Router<Shared> {
    router_of(ENDPOINTS)
        .route_layer(axum::middleware::from_fn(json_only))
        .route_layer(axum::middleware::from_fn(bearer))
}

/// A body that is not declared JSON is refused with HTTP 415 in the envelope, code 415:
/// Laravel would not read it (see [`wire::body_not_json`]), so nothing is applied.
async fn json_only(request: Request, next: Next) -> Response {
    if wire::body_not_json(request.headers()) {
        let body = json!({
            "code": 415, "status": "error",
            "message": "请求体必须是 JSON (Content-Type: application/json)", "data": [],
        });
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, axum::Json(body)).into_response();
    }
    next.run(request).await
}

/// Refuses a missing or wrong bearer token with HTTP 401 (not documented; Laravel's way).
async fn bearer(request: Request, next: Next) -> Response {
    let token = wire::header(request.headers(), "authorization");
    if token.and_then(|v| v.strip_prefix("Bearer ")) == Some(LONGLONGLONG_TOKEN) {
        return next.run(request).await;
    }
    let body = json!({"code": 401, "status": "error", "message": "Unauthenticated.", "data": []});
    (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()
}
