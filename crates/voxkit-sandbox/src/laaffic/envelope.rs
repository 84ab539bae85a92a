//! Laaffic's answers: the two envelope families, the documented codes with their reasons,
//! and the page shape (with the paging it is asked for).

use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::wire::{self, Object};

/// Family A: `{status, reason, data}`.
pub(super) fn a_ok(data: Value) -> Response {
    axum::Json(json!({"status": "0", "reason": "success", "data": data})).into_response()
}

/// A family-A refusal: `{status, reason}` (also the signature check's answer).
pub(super) fn a_err(code: &str, reason: &str) -> Response {
    axum::Json(json!({"status": code, "reason": reason})).into_response()
}

/// Family B: `{code, msg, data}` (the query example sends `code` as a number).
pub(super) fn b_ok(data: Value) -> Response {
    axum::Json(json!({"code": 0, "msg": "success", "data": data})).into_response()
}

/// Family B with the string `"0"` and `data: null`: the pause and cancel answer, as their
/// pages show it (`{"code": "0", "msg": "success", "data": null}`).
pub(super) fn b_done() -> Response {
    axum::Json(json!({"code": "0", "msg": "success", "data": null})).into_response()
}

fn b_err(code: &str, msg: &str) -> Response {
    axum::Json(json!({"code": code, "msg": msg, "data": null})).into_response()
}

/// The documented reasons of the codes used here.
fn reason(code: &str) -> &'static str {
    match code {
        "-1" => "认证错误",
        "-2" => "Ip访问受限",
        "-13" => "用户被锁定",
        "-15" => "Frequent query",
        "-16" => "超出时间范围限制",
        "-18" => "端口程序异常",
        "-4" => "短信内容为空",
        "-5" => "短信内容过长",
        "-7" => "号码个数过多",
        "-10" => "客户余额不足",
        "-34" => "上次结束任务未有可呼叫号码,请您重新发起群呼任务",
        "-8" => "号码为空",
        "-9" => "号码异常",
        "-11" => "时间格式错误",
        "-20" => "数据已存在",
        "-21" => "数据校验异常",
        "-22" => "参数异常",
        "-23" => "数据上限",
        "-24" => "数据不存在",
        "-25" => "超出时间范围",
        "-41" => "状态错误,修改失败",
        "-54" => "The task you submitted is wrong, please check and submit again!",
        _ => "系统异常",
    }
}

/// A refusal: its code, in the family of the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Refusal(pub &'static str);

impl Refusal {
    /// In family A.
    pub(super) fn a(self) -> Response {
        a_err(self.0, reason(self.0))
    }

    /// In family B.
    pub(super) fn b(self) -> Response {
        b_err(self.0, reason(self.0))
    }
}

/// Whether the route of `path` answers in family B (`{code, msg, data}`): the task list,
/// the detail, pause and cancel.
pub(super) fn family_b(path: &str) -> bool {
    [
        "/v3/voice/group/call/query",
        "/v3/voice/group/call/provisional",
        "/v3/voice/group/call/cancel",
    ]
    .contains(&path)
        || path.starts_with("/v3/voice/group/call/detail/")
}

/// The JSON object of a body, or `-22` 参数异常.
pub(super) fn object(body: &[u8]) -> Result<Object, Refusal> {
    wire::object(body).ok_or(Refusal("-22"))
}

/// `current` (1-N) and `size` (1-100), both required (`-22`).
pub(super) fn paging(map: &Object) -> Result<(u64, u64), Refusal> {
    match (wire::int(map, "current"), wire::int(map, "size")) {
        (Some(c), Some(s)) if c >= 1 && (1..=100).contains(&s) => Ok((c as u64, s as u64)),
        _ => Err(Refusal("-22")),
    }
}

/// A paged query's body, `{current, size, params: {..}}`, as the task, record and
/// recall-flow queries take it: [`paging`] and the `params` object, each required (`-22`).
pub(super) fn paged_query(body: &[u8]) -> Result<(u64, u64, Object), Refusal> {
    let mut map = object(body)?;
    let (current, size) = paging(&map)?;
    match map.remove("params") {
        Some(Value::Object(params)) => Ok((current, size, params)),
        _ => Err(Refusal("-22")),
    }
}

/// Page `current` of `size` of `items`, saturated (see [`wire::page_of`]).
pub(super) fn page_of<I: Iterator>(
    items: I,
    current: u64,
    size: u64,
) -> std::iter::Take<std::iter::Skip<I>> {
    let at = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    wire::page_of(items, at(current), at(size))
}

/// A page in the documented shape: `records` is the page already cut out of `total`
/// items.
pub(super) fn page(
    records: Vec<Value>,
    total: u64,
    current: u64,
    size: u64,
    search_count: bool,
) -> Value {
    let mut page = json!({
        "total": total, "size": size, "current": current,
        "pages": total.div_ceil(size), "records": records,
    });
    if search_count {
        page["searchCount"] = json!(true);
    }
    page
}

/// A family-A answer: `data` on success, else the refusal.
pub(super) fn answer_a(result: Result<Value, Refusal>) -> Response {
    match result {
        Ok(data) => a_ok(data),
        Err(r) => r.a(),
    }
}

/// A family-B answer: `data` on success, else the refusal.
pub(super) fn answer_b(result: Result<Value, Refusal>) -> Response {
    match result {
        Ok(data) => b_ok(data),
        Err(r) => r.b(),
    }
}
