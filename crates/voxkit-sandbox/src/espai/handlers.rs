//! The ESP-AI handlers: quota cards (list, detail, transfer, destroy), the usage log and
//! order payment.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use super::state::{Card, Cards, UsageLog};
use crate::clock::epoch_millis;
use crate::state::Shared;
use crate::wire::{self, Object};

/// The documented default page size ("默认查询9999条").
const DEFAULT_LIMIT: usize = 9999;

/// A handler's answer: the error side is a finished refusal, sent as it is.
type Answer = Result<Response, Response>;

/// `{success: false, message, code?}`.
pub(super) fn fail(code: Option<u32>, message: &str) -> Response {
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

/// The JSON of a body; an empty body is an empty object.
fn parse(body: &Bytes) -> Result<Value, Response> {
    if body.is_empty() {
        return Ok(Value::Object(Object::new()));
    }
    serde_json::from_slice(body).map_err(|e| system_error(&format!("请求体不是有效的 JSON: {e}")))
}

fn object(value: Value) -> Result<Object, Response> {
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(system_error("请求体必须是 JSON 对象")),
    }
}

/// A field sent as a string (as documented) or a number; empty is absent.
fn field(map: &Object, key: &str) -> Option<String> {
    wire::lenient(map, key).map(|v| v.trim().to_owned())
}

fn required(map: &Object, key: &str) -> Result<String, Response> {
    field(map, key).ok_or_else(|| missing(key))
}

/// `page` and `limit`, positive, by default 1 and [`DEFAULT_LIMIT`].
fn paging(map: &Object) -> Result<(usize, usize), Response> {
    let number = |key: &str, default: usize| {
        wire::positive(field(map, key).as_deref(), default)
            .ok_or_else(|| system_error(&format!("{key} 必须是正整数")))
    };
    Ok((number("page", 1)?, number("limit", DEFAULT_LIMIT)?))
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

/// Page `page` of `limit` of `matching`, in the list envelope with the total.
fn ok_list<T>(
    matching: Vec<T>,
    (page, limit): (usize, usize),
    item: impl Fn(T) -> Value,
) -> Answer {
    let total = matching.len();
    let data: Vec<Value> = wire::page_of(matching.into_iter(), page, limit)
        .map(item)
        .collect();
    Ok(axum::Json(
        json!({"message": "请求成功", "data": data, "totalNumber": total, "success": true}),
    )
    .into_response())
}

fn done(message: &str) -> Answer {
    Ok(axum::Json(json!({"success": true, "message": message})).into_response())
}

pub(super) async fn list(State(shared): State<Shared>, body: Bytes) -> Answer {
    let map = object(parse(&body)?)?;
    let paging = paging(&map)?;
    let id = field(&map, "id");
    let card_type = field(&map, "type");
    let code = field(&map, "code");
    // The example sends `user_name`, the table says `username`: accept both.
    let user_name = field(&map, "user_name").or_else(|| field(&map, "username"));
    let user_phone = field(&map, "user_phone");
    let api_limit = field(&map, "api_limit");
    let data = shared.lock();
    let account = &data.espai.account;
    let matching: Vec<&Card> = data
        .espai
        .cards
        .iter()
        .filter(|c| &c.user_id == account)
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
    ok_list(matching, paging, card_json)
}

/// The index of the card with this owner's phone and code.
fn position(cards: &Cards, phone: &str, code: &str) -> Option<usize> {
    cards
        .cards
        .iter()
        .position(|c| c.user_phone == phone && c.code == code)
}

/// The index of the card with this phone and code if it is the **current user's** (the
/// account the key belongs to): the docs' "当前用户手机号" / "当前卡的兑换码". Another
/// account's card is answered as an unknown one (`额度卡不存在`), so a key cannot read,
/// drain or destroy a card it does not own, nor learn that it exists.
fn own_position(cards: &Cards, phone: &str, code: &str) -> Option<usize> {
    position(cards, phone, code).filter(|&i| cards.cards[i].user_id == cards.account)
}

pub(super) async fn detail(State(shared): State<Shared>, body: Bytes) -> Answer {
    let map = object(parse(&body)?)?;
    let phone = required(&map, "phone")?;
    let code = required(&map, "code")?;
    let data = shared.lock();
    let card = own_position(&data.espai, &phone, &code).ok_or_else(not_found)?;
    let card = card_json(&data.espai.cards[card]);
    Ok(axum::Json(json!({"success": true, "message": "请求成功", "data": card})).into_response())
}

pub(super) async fn balance_logs(State(shared): State<Shared>, body: Bytes) -> Answer {
    // Documented as an array holding one object; a bare object is accepted too.
    let map = match parse(&body)? {
        Value::Array(items) => match items.into_iter().next() {
            None => Object::new(),
            Some(item) => object(item)?,
        },
        other => object(other)?,
    };
    let paging = paging(&map)?;
    let id = field(&map, "id");
    let data = shared.lock();
    let account = &data.espai.account;
    // Only the current user's cards: another account's card is an unknown one.
    let foreign = id.as_ref().is_some_and(|id| {
        !data
            .espai
            .cards
            .iter()
            .any(|c| &c.id == id && &c.user_id == account)
    });
    if foreign {
        return Err(not_found());
    }
    let matching: Vec<&UsageLog> = data
        .espai
        .usage
        .iter()
        .rev()
        .filter(|l| &l.user_id == account)
        .filter(|l| id.as_ref().is_none_or(|v| &l.cdkey_id == v))
        .collect();
    ok_list(matching, paging, |l| {
        // `user_phone` as a string here, as in the documented example.
        json!({
            "id": l.id, "create_time": l.create_time, "type": l.log_type,
            "user_id": l.user_id, "cdkey_id": l.cdkey_id, "api_limit": l.api_limit,
            "user_name": l.user_name, "user_email": "", "user_phone": l.user_phone,
        })
    })
}

pub(super) async fn transfer(State(shared): State<Shared>, body: Bytes) -> Answer {
    let map = object(parse(&body)?)?;
    let phone = required(&map, "phone")?;
    let code = required(&map, "code")?;
    let target_phone = required(&map, "target_phone")?;
    let target_code = required(&map, "target_code")?;
    let limit = required(&map, "limit")?;
    let Some(amount) = limit.parse::<u64>().ok().filter(|a| *a >= 1) else {
        return Err(system_error("转让额度最小为1"));
    };
    let mut data = shared.lock();
    let data = &mut *data;
    // The source card must be the current user's; the target may be anyone's (the
    // documented example gives to another user's card).
    let (Some(from), Some(to)) = (
        own_position(&data.espai, &phone, &code),
        position(&data.espai, &target_phone, &target_code),
    ) else {
        return Err(not_found());
    };
    let cards = &mut data.espai.cards;
    if from == to {
        return Err(fail(None, "不能转让给同一张额度卡"));
    }
    if !cards[from].is_paid() || !cards[to].is_paid() {
        return Err(fail(
            None,
            "额度卡余额转让必须都是付费卡，免费体验卡不能进行额度转让操作。",
        ));
    }
    if cards[from].quota < amount {
        return Err(fail(None, "额度卡余额不足"));
    }
    // Quotas are u64: a target card that cannot hold the amount is refused, unchanged.
    let Some(target_quota) = cards[to].quota.checked_add(amount) else {
        return Err(system_error("目标额度卡额度溢出"));
    };
    let now = epoch_millis();
    cards[from].quota -= amount;
    cards[from].update_time = Some(now);
    cards[to].quota = target_quota;
    cards[to].update_time = Some(now);
    for (index, log_type) in [(from, "2"), (to, "1")] {
        let card = data.espai.cards[index].clone();
        let id = crate::ids::hex_id(&mut data.rng);
        data.espai.usage.push(UsageLog {
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
    done("请求成功")
}

pub(super) async fn destroy(State(shared): State<Shared>, body: Bytes) -> Answer {
    let items = match parse(&body)? {
        Value::Array(items) => items,
        Value::Object(map) => vec![Value::Object(map)],
        _ => return Err(system_error("请求体必须是数组")),
    };
    let ids = items
        .iter()
        .map(|item| item.as_object().and_then(|m| field(m, "id")))
        .collect::<Option<Vec<String>>>()
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| missing("id"))?;
    let mut data = shared.lock();
    let account = data.espai.account.clone();
    let cards = &mut data.espai.cards;
    // All or nothing: every card must exist, be the current user's, be paid, and be empty.
    for id in &ids {
        match cards.iter().find(|c| &c.id == id && c.user_id == account) {
            None => return Err(not_found()),
            Some(card) if !card.is_paid() || card.quota != 0 => {
                return Err(fail(
                    None,
                    "额度卡销毁必须是付费卡并且余额为0才能销毁，否则拒绝操作。",
                ));
            }
            Some(_) => {}
        }
    }
    cards.retain(|c| !ids.contains(&c.id));
    done("删除成功")
}

pub(super) async fn pay(State(shared): State<Shared>, body: Bytes) -> Answer {
    let map = object(parse(&body)?)?;
    let commodity = required(&map, "commodity_id")?;
    let kind = required(&map, "commodity_type")?;
    if !matches!(commodity.as_str(), "1" | "2" | "3" | "4" | "5") {
        return Err(system_error("commodity_id 只能是 1-5"));
    }
    if !matches!(kind.as_str(), "0" | "1") {
        return Err(system_error("commodity_type 只能是 0 或 1"));
    }
    let mut data = shared.lock();
    let order = data.espai.next_order;
    data.espai.next_order += 1;
    // A sandbox page, never a real payment gateway.
    let url = format!(
        "{}/sandbox/pay?buyer_id={}&commodity_id={commodity}&commodity_type={kind}&out_trade_no=SANDBOX{order:08}",
        data.base_url, data.espai.account
    );
    // No `message`, as in the documented success example.
    Ok(axum::Json(json!({"success": true, "data": url})).into_response())
}

/// `GET /sandbox/pay`: the page the payment URL of `/order/pay` points to. A small HTML
/// page saying that this is the sandbox and nothing is charged; it takes no key (a
/// browser opens it) and changes nothing.
pub(super) async fn pay_page(axum::extract::RawQuery(query): axum::extract::RawQuery) -> Response {
    let pairs = wire::query_pairs(query.as_deref());
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| escape(v))
            .unwrap_or_default()
    };
    let page = format!(
        "<!doctype html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\">\
         <title>voxkit sandbox: payment</title></head><body>\
         <h1>voxkit sandbox: payment page</h1>\
         <p>This is the sandbox's stand-in for the ESP-AI payment gateway. Nothing is \
         charged and no card changes.</p>\
         <p>Order <code>{}</code>, product <code>{}</code>, type <code>{}</code>.</p>\
         </body></html>\n",
        get("out_trade_no"),
        get("commodity_id"),
        get("commodity_type"),
    );
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

/// Text safe inside HTML.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}
