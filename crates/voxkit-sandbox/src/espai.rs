//! The ESP-AI open API: JSON POSTs with string-valued fields, `authorization: <key>`,
//! `{success, message, data, totalNumber}` envelopes and `{success: false, message, code}`
//! errors.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::state::{Card, State as Data, UsageLog, epoch_millis};
use crate::{ESPAI_OPEN_API_KEY, Shared};

/// The documented default page size ("默认查询9999条").
const DEFAULT_LIMIT: usize = 9999;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/cdkey/list", post(list))
        .route("/cdkey/detail", post(detail))
        .route("/cdkey/balance_logs", post(balance_logs))
        .route("/cdkey/transfer", post(transfer))
        .route("/cdkey/destroy", post(destroy))
        .route("/order/pay", post(pay))
        .route_layer(axum::middleware::from_fn(key))
}

/// The raw key in `authorization`; anything else is refused (the message is the
/// sandbox's: the documentation shows no such error).
async fn key(request: Request, next: Next) -> Response {
    let ok = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(ESPAI_OPEN_API_KEY);
    if ok {
        next.run(request).await
    } else {
        fail(Some(401), "open_api_key 无效")
    }
}

fn fail(code: Option<u32>, message: &str) -> Response {
    let mut body = json!({"success": false, "message": message});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    axum::Json(body).into_response()
}

fn missing(field: &str) -> Response {
    fail(Some(401), &format!("缺失参数：{field}"))
}

fn system_error(detail: &str) -> Response {
    fail(Some(500), &format!("系统错误：{detail}"))
}

fn not_found() -> Response {
    fail(None, "额度卡不存在")
}

fn parse(body: &Bytes) -> Result<Value, Response> {
    if body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body).map_err(|e| system_error(&format!("请求体不是有效的 JSON: {e}")))
}

fn object(value: Value) -> Result<Map<String, Value>, Response> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(system_error("请求体必须是 JSON 对象")),
    }
}

/// A field sent as a string (as documented) or a number; empty is absent.
fn field(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(map: &Map<String, Value>, key: &str, default: usize) -> Result<usize, Response> {
    match field(map, key) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| system_error(&format!("{key} 必须是正整数"))),
    }
}

fn card_json(card: &Card) -> Value {
    // `user_phone` as a number, as in the list and detail examples.
    let phone = card
        .user_phone
        .parse::<u64>()
        .map_or_else(|_| json!(card.user_phone), |n| json!(n));
    json!({
        "id": card.id, "create_time": card.create_time, "update_time": card.update_time,
        "code": card.code, "user_id": card.user_id, "api_limit": card.quota,
        "type": card.card_type, "user_phone": phone, "user_name": card.user_name,
    })
}

fn ok_list(data: Vec<Value>, total: usize) -> Response {
    axum::Json(json!({"message": "请求成功", "data": data, "totalNumber": total, "success": true}))
        .into_response()
}

async fn list(State(shared): State<Shared>, body: Bytes) -> Response {
    let map = match parse(&body).and_then(object) {
        Ok(map) => map,
        Err(r) => return r,
    };
    let (page, limit) = match (
        number(&map, "page", 1),
        number(&map, "limit", DEFAULT_LIMIT),
    ) {
        (Ok(p), Ok(l)) => (p, l),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let id = field(&map, "id");
    let card_type = field(&map, "type");
    let code = field(&map, "code");
    // The example sends `user_name`, the table says `username`: accept both.
    let user_name = field(&map, "user_name").or_else(|| field(&map, "username"));
    let user_phone = field(&map, "user_phone");
    let api_limit = field(&map, "api_limit");
    let data = shared.lock();
    let account = data.espai_account.clone();
    let matching: Vec<&Card> = data
        .cards
        .iter()
        .filter(|c| c.user_id == account)
        .filter(|c| id.as_ref().is_none_or(|v| &c.id == v))
        .filter(|c| card_type.as_ref().is_none_or(|v| &c.card_type == v))
        .filter(|c| code.as_ref().is_none_or(|v| &c.code == v))
        .filter(|c| {
            user_name
                .as_ref()
                .is_none_or(|v| c.user_name.contains(v.as_str()))
        })
        .filter(|c| user_phone.as_ref().is_none_or(|v| &c.user_phone == v))
        .filter(|c| api_limit.as_ref().is_none_or(|v| c.quota.to_string() == *v))
        .collect();
    let total = matching.len();
    let page: Vec<Value> = matching
        .into_iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit)
        .map(card_json)
        .collect();
    ok_list(page, total)
}

fn find<'a>(data: &'a Data, phone: &str, code: &str) -> Option<&'a Card> {
    data.cards
        .iter()
        .find(|c| c.user_phone == phone && c.code == code)
}

async fn detail(State(shared): State<Shared>, body: Bytes) -> Response {
    let map = match parse(&body).and_then(object) {
        Ok(map) => map,
        Err(r) => return r,
    };
    let Some(phone) = field(&map, "phone") else {
        return missing("phone");
    };
    let Some(code) = field(&map, "code") else {
        return missing("code");
    };
    let data = shared.lock();
    match find(&data, &phone, &code) {
        Some(card) => {
            axum::Json(json!({"success": true, "message": "请求成功", "data": card_json(card)}))
                .into_response()
        }
        None => not_found(),
    }
}

async fn balance_logs(State(shared): State<Shared>, body: Bytes) -> Response {
    // Documented as an array holding one object; a bare object is accepted too.
    let map = match parse(&body) {
        Ok(Value::Array(items)) => match items.into_iter().next() {
            None => Map::new(),
            Some(item) => match object(item) {
                Ok(map) => map,
                Err(r) => return r,
            },
        },
        Ok(other) => match object(other) {
            Ok(map) => map,
            Err(r) => return r,
        },
        Err(r) => return r,
    };
    let (page, limit) = match (
        number(&map, "page", 1),
        number(&map, "limit", DEFAULT_LIMIT),
    ) {
        (Ok(p), Ok(l)) => (p, l),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let id = field(&map, "id");
    let data = shared.lock();
    let matching: Vec<&UsageLog> = data
        .usage
        .iter()
        .rev()
        .filter(|l| id.as_ref().is_none_or(|v| &l.cdkey_id == v))
        .collect();
    let total = matching.len();
    let rows = matching
        .into_iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit)
        .map(|l| {
            // `user_phone` as a string here, as in the documented example.
            json!({
                "id": l.id, "create_time": l.create_time, "type": l.log_type,
                "user_id": l.user_id, "cdkey_id": l.cdkey_id, "api_limit": l.api_limit,
                "user_name": l.user_name, "user_email": "", "user_phone": l.user_phone,
            })
        })
        .collect();
    ok_list(rows, total)
}

async fn transfer(State(shared): State<Shared>, body: Bytes) -> Response {
    let map = match parse(&body).and_then(object) {
        Ok(map) => map,
        Err(r) => return r,
    };
    let mut fields = Vec::new();
    for key in ["phone", "code", "target_phone", "target_code", "limit"] {
        match field(&map, key) {
            Some(v) => fields.push(v),
            None => return missing(key),
        }
    }
    let [phone, code, target_phone, target_code, limit] =
        <[String; 5]>::try_from(fields).unwrap_or_else(|_| unreachable!("five fields were pushed"));
    let Some(amount) = limit.parse::<u64>().ok().filter(|a| *a >= 1) else {
        return system_error("转让额度最小为1");
    };
    let mut data = shared.lock();
    let (Some(from), Some(to)) = (
        data.cards
            .iter()
            .position(|c| c.user_phone == phone && c.code == code),
        data.cards
            .iter()
            .position(|c| c.user_phone == target_phone && c.code == target_code),
    ) else {
        return not_found();
    };
    if from == to {
        return fail(None, "不能转让给同一张额度卡");
    }
    if !data.cards[from].is_paid() || !data.cards[to].is_paid() {
        return fail(
            None,
            "额度卡余额转让必须都是付费卡，免费体验卡不能进行额度转让操作。",
        );
    }
    if data.cards[from].quota < amount {
        return fail(None, "额度卡余额不足");
    }
    // Quotas are u64: a target card that cannot hold the amount is refused, unchanged.
    let Some(target_quota) = data.cards[to].quota.checked_add(amount) else {
        return system_error("目标额度卡额度溢出");
    };
    let now = epoch_millis();
    data.cards[from].quota -= amount;
    data.cards[from].update_time = Some(now);
    data.cards[to].quota = target_quota;
    data.cards[to].update_time = Some(now);
    for (index, log_type) in [(from, "2"), (to, "1")] {
        let card = data.cards[index].clone();
        let id = data.hex_id();
        data.usage.push(UsageLog {
            id,
            create_time: now,
            log_type,
            user_id: card.user_id,
            cdkey_id: card.id,
            api_limit: amount,
            user_name: card.user_name,
            user_phone: card.user_phone,
        });
    }
    axum::Json(json!({"success": true, "message": "请求成功"})).into_response()
}

async fn destroy(State(shared): State<Shared>, body: Bytes) -> Response {
    let items = match parse(&body) {
        Ok(Value::Array(items)) => items,
        Ok(Value::Object(map)) => vec![Value::Object(map)],
        Ok(_) => return system_error("请求体必须是数组"),
        Err(r) => return r,
    };
    let mut ids = Vec::new();
    for item in items {
        match item.as_object().and_then(|m| field(m, "id")) {
            Some(id) => ids.push(id),
            None => return missing("id"),
        }
    }
    if ids.is_empty() {
        return missing("id");
    }
    let mut data = shared.lock();
    // All or nothing: every card must exist, be paid, and be empty.
    for id in &ids {
        match data.cards.iter().find(|c| &c.id == id) {
            None => return not_found(),
            Some(card) if !card.is_paid() || card.quota != 0 => {
                return fail(
                    None,
                    "额度卡销毁必须是付费卡并且余额为0才能销毁，否则拒绝操作。",
                );
            }
            Some(_) => {}
        }
    }
    data.cards.retain(|c| !ids.contains(&c.id));
    axum::Json(json!({"success": true, "message": "删除成功"})).into_response()
}

async fn pay(State(shared): State<Shared>, body: Bytes) -> Response {
    let map = match parse(&body).and_then(object) {
        Ok(map) => map,
        Err(r) => return r,
    };
    let Some(commodity) = field(&map, "commodity_id") else {
        return missing("commodity_id");
    };
    let Some(kind) = field(&map, "commodity_type") else {
        return missing("commodity_type");
    };
    if !matches!(commodity.as_str(), "1" | "2" | "3" | "4" | "5") {
        return system_error("commodity_id 只能是 1-5");
    }
    if !matches!(kind.as_str(), "0" | "1") {
        return system_error("commodity_type 只能是 0 或 1");
    }
    let mut data = shared.lock();
    let order = data.next_order;
    data.next_order += 1;
    // A sandbox page, never a real payment gateway.
    let url = format!(
        "{}/sandbox/pay?buyer_id={}&commodity_id={commodity}&commodity_type={kind}&out_trade_no=SANDBOX{order:08}",
        data.base_url, data.espai_account
    );
    // No `message`, as in the documented success example.
    axum::Json(json!({"success": true, "data": url})).into_response()
}
