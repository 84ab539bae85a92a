//! Laaffic v3: `Api-Key`, `Timestamp` and `Sign` = md5(key + secret + timestamp) checked on
//! every request; `{status, reason, ...}` envelopes (and `{code, msg, data}` for some IVR
//! answers). The balance and voice files in `handlers`, the IVR group-call tasks in
//! `tasks`, their call records in `records`.

pub(crate) mod ai_tasks;
mod envelope;
mod handlers;
pub(crate) mod recall;
mod records;
mod sms;
pub(crate) mod state;
mod tasks;

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use md5::{Digest, Md5};

use crate::route::{Endpoint, endpoints, guarded};
use crate::state::Shared;
use crate::wire;

/// The Laaffic API key the sandbox accepts.
pub const LAAFFIC_API_KEY: &str = "sandbox-laaffic-key";
/// The Laaffic API secret the sandbox accepts.
pub const LAAFFIC_API_SECRET: &str = "sandbox-laaffic-secret";

/// The accepted distance between the request's `Timestamp` and the server clock.
const WINDOW_SECS: i64 = 300;

/// Every Laaffic route.
pub(crate) const ENDPOINTS: &[Endpoint] = endpoints! {
    "laaffic.balance" GET "/v3/getBalance" => handlers::balance;
    "laaffic.voice_upload" POST "/v3/voice/fileUpload" => handlers::upload;
    "laaffic.task_create" POST "/v3/voice/group/call/send" => tasks::create;
    "laaffic.tasks" POST "/v3/voice/group/call/query" => tasks::query;
    "laaffic.task_detail" GET "/v3/voice/group/call/detail/{id}" => tasks::detail;
    "laaffic.task_pause" POST "/v3/voice/group/call/provisional" => tasks::pause;
    "laaffic.task_cancel" POST "/v3/voice/group/call/cancel" => tasks::cancel;
    "laaffic.task_resend" POST "/v3/voice/group/call/resend" => tasks::resend;
    "laaffic.call_record" GET "/v3/voice/recordGroup/{voice_id}" => records::record;
    "laaffic.call_records" POST "/v3/voice/recordGroupQuery" => records::records;
    "laaffic.sms_send_get" GET "/v3/sendSms" => sms::send_get;
    "laaffic.sms_send" POST "/v3/sendSms" => sms::send_post;
    "laaffic.sms_batch" POST "/v3/sendSms/batch" => sms::batch;
    "laaffic.recall_flows" POST "/v3/voice/recallFlow/queryPage" => recall::query;
    "laaffic.recall_cancel" POST "/v3/voice/recallFlow/cancel" => recall::cancel;
    "laaffic.task_update" POST "/v3/voice/group/call/update" => ai_tasks::update;
    "laaffic.ai_task_update" POST "/v3/voice/group/call/update/ai" => ai_tasks::update_ai;
    "laaffic.ai_task_resend" POST "/v3/voice/group/call/resend/ai" => ai_tasks::resend_ai;
};

/// The Laaffic routes behind the signature check (then the content-type check).
pub(crate) fn router() -> Router<Shared> {
    guarded(ENDPOINTS, signed, not_json)
}

/// A refusal with a documented code, in the envelope family of the route at `path`.
pub(crate) fn refusal(path: &str, code: &'static str) -> Response {
    let refusal = envelope::Refusal(code);
    if envelope::family_b(path) {
        refusal.b()
    } else {
        refusal.a()
    }
}

/// The answer to a body not declared JSON (HTTP 415, see [`guarded`]): `-22` 参数异常
/// (the backend reads JSON bodies only).
fn not_json(path: &str) -> Response {
    refusal(path, "-22")
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `-1` 认证错误 for a wrong key or sign, `-16` 超出时间范围限制 outside the window.
fn signed(request: &Request) -> Result<(), Response> {
    let headers = request.headers();
    let text = |name: &str| wire::header(headers, name).map(str::trim);
    if text("Api-Key") != Some(LAAFFIC_API_KEY) {
        return Err(envelope::a_err("-1", "认证错误"));
    }
    let Some(timestamp) = text("Timestamp").and_then(|t| t.parse::<i64>().ok()) else {
        return Err(envelope::a_err("-1", "认证错误"));
    };
    let expected = md5_hex(&format!("{LAAFFIC_API_KEY}{LAAFFIC_API_SECRET}{timestamp}"));
    // "MD5-32-bit string (case-insensitive)".
    if !text("Sign").is_some_and(|s| s.eq_ignore_ascii_case(&expected)) {
        return Err(envelope::a_err("-1", "认证错误"));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    // `abs_diff`: `Timestamp: -9223372036854775808` is far outside, not an overflow.
    if now.abs_diff(timestamp) > WINDOW_SECS.unsigned_abs() {
        return Err(envelope::a_err("-16", "超出时间范围限制"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_sign_vector() {
        assert_eq!(
            md5_hex("bDqJFiq97bz1lzh91630468800"),
            "05d7a50893e22a5c4bb3216ae3396c7c"
        );
    }
}
