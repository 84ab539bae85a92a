//! The longlonglong agent API: `{code, status, message, data}` envelopes, errors with HTTP
//! 200, a bearer token on every route.

pub(crate) mod crm;
pub(crate) mod dialogue;
mod handlers;
pub(crate) mod lines;
mod numbers;
pub(crate) mod records;
mod reply;
pub(crate) mod resources;
pub(crate) mod state;
pub(crate) mod tasks;

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::route::{Endpoint, endpoints, guarded};
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
    "longlonglong.vos_overview" GET "/agent-api/vos_bill/{user_id}" => resources::vos_overview;
    "longlonglong.vos_cdrs" GET "/agent-api/vos/{user_id}/get_call_record" => resources::vos_cdrs;
    "longlonglong.lines" GET "/agent-api/new_line_list" => lines::list;
    "longlonglong.allocate_line" POST "/agent-api/new/user/{user_id}/line/{line_id}" => lines::allocate;
    "longlonglong.unbind_line" DELETE "/agent-api/new/user/{user_id}/line/{line_id}" => lines::unbind;
    "longlonglong.bind_line_scripts" PUT "/agent-api/new/user/{user_id}/line_bind_group" => lines::bind;
    "longlonglong.script_groups" GET "/agent-api/group/{user_id}" => resources::script_groups;
    "longlonglong.tenant_scripts" GET "/agent-api/agent_group/tenant/{tenant_id}" => resources::tenant_scripts;
    "longlonglong.dial_time_groups" GET "/agent-api/user/{user_id}/dial-time-group" => resources::dial_time_groups;
    "longlonglong.save_dial_time_group" POST "/agent-api/user/{user_id}/dial-time-group" => resources::save_dial_time_group;
    "longlonglong.save_security" POST "/agent-api/user/{user_id}/settings/save_security" => resources::save_security;
    "longlonglong.callback_data" GET "/agent-api/user/{user_id}/identification/{unique_id}" => resources::callback_data;
    "longlonglong.call_records" GET "/agent-api/user/{user_id}/task/{task_id}/record" => records::list;
    "longlonglong.call_record_detail" GET "/agent-api/user/{user_id}/task/{task_id}/detail/{record_id}" => records::detail;
    "longlonglong.recording_urls" GET "/agent-api/user/{user_id}/task/{task_id}/batch_record/download-full-voice" => records::recording_urls;
    "longlonglong.llm_intention_tags" GET "/agent-api/user/{user_id}/task/{task_id}/record/{record_id}/llm_intention_tag" => records::llm_tags;
    "longlonglong.customer_components" GET "/agent-api/user/{user_id}/customer/create" => crm::components;
    "longlonglong.customers" GET "/agent-api/user/{user_id}/get_customer" => crm::customers;
    "longlonglong.stage_customers" GET "/agent-api/user/{user_id}/type/{type}/get_customer" => crm::stage_customers;
    "longlonglong.import_customers" POST "/agent-api/user/{user_id}/async_customer" => crm::import;
    "longlonglong.delete_customers" DELETE "/agent-api/user/{user_id}/del_customer" => crm::delete;
    "longlonglong.customers_to_task" GET "/agent-api/user/{user_id}/customer_to_task/{task_id}" => crm::to_task;
    "longlonglong.task_init" GET "/agent-api/new/user/{user_id}/task/create" => tasks::init;
    "longlonglong.create_task" POST "/agent-api/new/user/{user_id}/task" => tasks::create;
    "longlonglong.tasks" GET "/agent-api/new/user/{user_id}/task" => tasks::list_user;
    "longlonglong.subset_tasks" GET "/agent-api/new/user/{user_id}/subset_task" => tasks::list_all;
    "longlonglong.task" GET "/agent-api/new/user/{user_id}/task/{task_id}/edit" => tasks::read;
    "longlonglong.modify_task" PUT "/agent-api/new/user/{user_id}/task/{task_id}" => tasks::modify;
    "longlonglong.pause_task" PUT "/agent-api/new/user/{user_id}/task_stop/{task_id}" => tasks::pause;
    "longlonglong.copy_task" GET "/agent-api/new/user/{user_id}/copy/task/{task_id}" => tasks::copy;
    "longlonglong.tasks_v1" GET "/agent-api/user/{user_id}/task" => tasks::list_user_v1;
    "longlonglong.all_tasks_v1" GET "/agent-api/user/{user_id}/all_task" => tasks::list_all;
    "longlonglong.task_v1" GET "/agent-api/user/{user_id}/task/{task_id}/edit" => tasks::read;
    "longlonglong.modify_task_v1" PUT "/agent-api/user/{user_id}/task/{task_id}" => tasks::modify;
    "longlonglong.pause_task_v1" GET "/agent-api/user/{user_id}/task_stop/{task_id}" => tasks::pause;
    "longlonglong.delete_task" DELETE "/agent-api/user/{user_id}/task/{task_id}" => tasks::delete;
    "longlonglong.numbers" GET "/agent-api/user/{user_id}/task/{task_id}/number" => numbers::list;
    "longlonglong.add_numbers" POST "/agent-api/user/{user_id}/task/{task_id}/number" => numbers::add_sync;
    "longlonglong.add_numbers_async" POST "/agent-api/user/{user_id}/task/{task_id}/async_number" => numbers::add_async;
    "longlonglong.delete_numbers" DELETE "/agent-api/user/{user_id}/task/{task_id}/number-batch-delete" => numbers::delete;
    "longlonglong.reset_numbers" PUT "/agent-api/user/{user_id}/task/{task_id}/number-batch-reset" => numbers::reset;
    "longlonglong.dialogue" POST "/saas/api/customer_service/tenant/{tenant_id}" => dialogue::send;
};

/// The longlonglong routes behind the token check (then the content-type check), and the
/// recording and callback-download URLs the sandbox answers, fetched without a token.
pub(crate) fn router() -> Router<Shared> {
    guarded(ENDPOINTS, bearer, not_json)
        .route(
            "/sandbox/longlonglong/recordings/{file}",
            axum::routing::get(records::recording_file),
        )
        .route(
            "/sandbox/longlonglong/download-number",
            axum::routing::get(crm::download_numbers),
        )
}

/// The answer to a body not declared JSON (HTTP 415, see [`guarded`]): code 415 in the
/// envelope, since Laravel would not read it.
fn not_json(_path: &str) -> Response {
    let body = json!({
        "code": 415, "status": "error",
        "message": "请求体必须是 JSON (Content-Type: application/json)", "data": [],
    });
    axum::Json(body).into_response()
}

/// Refuses a missing or wrong bearer token with HTTP 401 (not documented; Laravel's way).
fn bearer(request: &Request) -> Result<(), Response> {
    let token = wire::header(request.headers(), "authorization");
    // The dialogue API (对话接口) takes its own token, and refuses the partner token.
    let want = match request.uri().path().starts_with(dialogue::PATH_PREFIX) {
        true => dialogue::LONGLONGLONG_DIALOGUE_TOKEN,
        false => LONGLONGLONG_TOKEN,
    };
    if token.and_then(|v| v.strip_prefix("Bearer ")) == Some(want) {
        return Ok(());
    }
    let body = json!({"code": 401, "status": "error", "message": "Unauthenticated.", "data": []});
    Err((StatusCode::UNAUTHORIZED, axum::Json(body)).into_response())
}
