//! The longlonglong agent API: `{code, status, message, data}` envelopes, errors with HTTP 200.

use axum::Router;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use bytes::Bytes;
use chrono::{Days, NaiveDate};
use serde_json::{Map, Value, json};

use crate::state::{Movement, State as Data, SubAccount, User};
use crate::{LONGLONGLONG_TOKEN, Shared};

/// Rows per page of the recharge history (its page size is not documented).
const HISTORY_PAGE: usize = 15;
/// The default page size of the sub-account list ("默认为15").
const DEFAULT_PER_PAGE: usize = 15;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/agent-api/user/{user_id}/recharge", put(recharge))
        .route("/agent-api/user/{user_id}/zero_balance", put(zero_balance))
        .route(
            "/agent-api/user/{user_id}/bill_recharge_record",
            get(history),
        )
        .route("/agent-api/user/{user_id}/expire_time", put(set_expiry))
        .route("/agent-api/user/{user_id}/message", get(account_info))
        .route("/agent-api/token", get(token_info))
        .route(
            "/agent-api/user/{user_id}/subset_users",
            post(create_sub).get(list_subs),
        )
        .route(
            "/agent-api/user/{user_id}/subset_users/{sub_user_id}/edit",
            get(read_sub),
        )
        .route(
            "/agent-api/user/{user_id}/subset_users/{sub_user_id}",
            axum::routing::delete(delete_sub),
        )
        .route("/users", post(register))
        .route_layer(axum::middleware::from_fn(bearer))
}

/// Refuses a missing or wrong bearer token with HTTP 401 (not documented; Laravel's way).
async fn bearer(request: Request, next: Next) -> Response {
    let ok = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        == Some(LONGLONGLONG_TOKEN);
    if ok {
        next.run(request).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(
                json!({"code": 401, "status": "error", "message": "Unauthenticated.", "data": []}),
            ),
        )
            .into_response()
    }
}

fn ok(message: &str, data: Value) -> Response {
    axum::Json(json!({"code": 200, "status": "success", "message": message, "data": data}))
        .into_response()
}

/// A business error: HTTP 200, the code in the body, as documented.
fn err(code: u32, message: impl Into<String>) -> Response {
    axum::Json(json!({"code": code, "status": "error", "message": message.into(), "data": []}))
        .into_response()
}

fn unknown_user() -> Response {
    err(404, "用户不存在")
}

fn invalid(message: impl Into<String>) -> Response {
    err(422, message)
}

/// The JSON object of a body, or the 422 to answer.
fn object(body: &Bytes) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(invalid("请求体必须是 JSON 对象")),
    }
}

/// A positive integer field, sent as a number or a numeric string.
fn int_field(map: &Map<String, Value>, key: &str) -> Option<i64> {
    match map.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn str_field(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn with_user<R>(
    data: &mut Data,
    user_id: &str,
    f: impl FnOnce(&mut User, &mut MovementIds) -> R,
) -> Option<R> {
    let now = data.now();
    let mut ids = MovementIds {
        next: &mut data.next_movement,
        now,
    };
    data.users.get_mut(user_id).map(|u| f(u, &mut ids))
}

struct MovementIds<'a> {
    next: &'a mut u64,
    now: chrono::NaiveDateTime,
}

impl MovementIds<'_> {
    fn record(&mut self, user: &mut User, amount: i64, kind: &'static str, remark: Option<String>) {
        let id = *self.next;
        *self.next += 1;
        user.movements.push(Movement {
            id,
            amount,
            balance_after: user.balance,
            remark,
            kind,
            at: self.now,
        });
    }
}

async fn recharge(
    State(shared): State<Shared>,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Response {
    let map = match object(&body) {
        Ok(map) => map,
        Err(r) => return r,
    };
    let Some(amount) = int_field(&map, "amount").filter(|a| *a >= 1) else {
        return invalid("amount 必须是大于 0 的整数");
    };
    let kind = match map.get("type") {
        None | Some(Value::Null) => 1,
        Some(_) => match int_field(&map, "type") {
            Some(k @ (1 | 2)) => k,
            _ => return invalid("type 只能是 1(充值) 或 2(扣费)"),
        },
    };
    let remark = str_field(&map, "remark");
    let mut data = shared.lock();
    let result = with_user(&mut data, &user_id, |user, ids| {
        if !user.billing_enabled {
            return Err(err(10004, "用户未开通账单权限"));
        }
        if kind == 1 {
            user.balance = user
                .balance
                .checked_add(amount)
                .ok_or_else(|| invalid("余额溢出"))?;
            ids.record(user, amount, "充值", remark);
            Ok("AI外呼充值操作成功")
        } else {
            if amount > user.balance {
                return Err(invalid("余额不足"));
            }
            user.balance -= amount;
            ids.record(user, amount, "扣费", remark);
            Ok("AI外呼扣款操作成功")
        }
    });
    match result {
        None => unknown_user(),
        Some(Err(r)) => r,
        Some(Ok(message)) => ok(message, json!([])),
    }
}

async fn zero_balance(State(shared): State<Shared>, Path(user_id): Path<String>) -> Response {
    let mut data = shared.lock();
    let result = with_user(&mut data, &user_id, |user, ids| {
        if !user.billing_enabled {
            return Err(err(10004, "用户未开通账单权限"));
        }
        let was = user.balance;
        user.balance = 0;
        if was != 0 {
            ids.record(user, was, "扣费", Some("余额归零".into()));
        }
        Ok(())
    });
    match result {
        None => unknown_user(),
        Some(Err(r)) => r,
        Some(Ok(())) => ok("AI外呼余额归零操作成功", json!([])),
    }
}

/// The query pairs, PHP array keys (`date[]`, `date%5B%5D`) included.
fn pairs(query: &Option<String>) -> Vec<(String, String)> {
    query
        .as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s.trim(), "%Y/%m/%d"))
        .ok()
}

async fn history(
    State(shared): State<Shared>,
    Path(user_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = pairs(&query);
    let dates: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "date[]" || k == "date")
        .map(|(_, v)| v.as_str())
        .collect();
    let page = match pairs.iter().find(|(k, _)| k == "page") {
        None => 1,
        Some((_, v)) => match v.parse::<usize>() {
            Ok(p) if p >= 1 => p,
            _ => return invalid("page 必须是正整数"),
        },
    };
    let data = shared.lock();
    let today = data.today();
    let (from, to) = match dates.as_slice() {
        [] => (today.checked_sub_days(Days::new(6)).unwrap_or(today), today),
        [from, to] => match (parse_date(from), parse_date(to)) {
            (Some(from), Some(to)) if from <= to => (from, to),
            _ => return invalid("date 必须是两个日期 [开始, 结束]"),
        },
        _ => return invalid("date 必须是两个日期 [开始, 结束]"),
    };
    if (to - from).num_days() > 30 {
        return invalid("date参数不可传递时间跨度不可超过30天");
    }
    let Some(user) = data.users.get(&user_id) else {
        return unknown_user();
    };
    let rows: Vec<Value> = user
        .movements
        .iter()
        .rev()
        .filter(|m| (from..=to).contains(&m.at.date()))
        // Saturated: `page=18446744073709551615` is an empty page, not an overflow.
        .skip((page - 1).saturating_mul(HISTORY_PAGE))
        .take(HISTORY_PAGE)
        .map(|m| {
            let at = m.at.format("%Y-%m-%d %H:%M:%S").to_string();
            json!({
                "id": m.id, "user_id": user.id, "amounts": m.amount, "balance": m.balance_after,
                "remark": m.remark, "created_at": at, "updated_at": at, "type": m.kind,
            })
        })
        .collect();
    ok("查看充值记录成功", Value::Array(rows))
}

async fn set_expiry(
    State(shared): State<Shared>,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Response {
    let map = match object(&body) {
        Ok(map) => map,
        Err(r) => return r,
    };
    let mut data = shared.lock();
    let today = data.today();
    let Some(user) = data.users.get_mut(&user_id) else {
        return unknown_user();
    };
    match str_field(&map, "expire_time").as_deref().map(parse_date) {
        // Documented: "过期时间设置为当天/未设置过期时间" → 422.
        None => err(422, "到期时间最少设置一天"),
        Some(None) => invalid("expire_time 不是有效日期"),
        Some(Some(day)) if day <= today => err(422, "到期时间最少设置一天"),
        Some(Some(day)) => {
            user.expires_on = Some(day);
            ok("设置成功", json!([]))
        }
    }
}

async fn account_info(State(shared): State<Shared>, Path(user_id): Path<String>) -> Response {
    let data = shared.lock();
    let Some(user) = data.users.get(&user_id) else {
        return unknown_user();
    };
    // The real answer's fields are not documented; these are the sandbox's own.
    ok(
        "查看账户信息成功",
        json!({
            "id": user.id, "name": user.name, "balance": user.balance,
            "expire_time": user.expires_on.map(|d| d.to_string()),
            "sub_accounts": user.sub_accounts.len(),
        }),
    )
}

async fn token_info(State(shared): State<Shared>) -> Response {
    let today = shared.lock().today();
    let until = today.checked_add_days(Days::new(365)).unwrap_or(today);
    // Not documented; the sandbox's own fields.
    ok(
        "查看token有效期成功",
        json!({"expire_at": format!("{until} 23:59:59")}),
    )
}

/// The shared rules of sub-accounts and users; returns (name, email, phone).
fn account_fields(map: &Map<String, Value>) -> Result<(String, String, String), Response> {
    let name = str_field(map, "name").ok_or_else(|| invalid("name 不能为空"))?;
    let email = str_field(map, "email").ok_or_else(|| invalid("email 不能为空"))?;
    if !email.contains('@') {
        return Err(invalid("email 格式不正确"));
    }
    let phone = str_field(map, "phone").ok_or_else(|| invalid("phone 不能为空"))?;
    let password = str_field(map, "password").ok_or_else(|| invalid("password 不能为空"))?;
    if str_field(map, "password_confirmation").as_deref() != Some(password.as_str()) {
        return Err(invalid("两次输入的密码不一致"));
    }
    Ok((name, email, phone))
}

fn sub_json(s: &SubAccount) -> Value {
    let at = s.created_at.format("%Y-%m-%d %H:%M:%S").to_string();
    json!({
        "id": s.id, "name": s.name, "phone": s.phone, "email": s.email, "sex": s.sex,
        "alias": s.alias, "duty": s.duty, "landline_phone": s.landline_phone, "qq": s.qq,
        "wechat": s.wechat, "birthday": s.birthday, "created_at": at, "updated_at": at,
    })
}

async fn create_sub(
    State(shared): State<Shared>,
    Path(user_id): Path<String>,
    body: Bytes,
) -> Response {
    let map = match object(&body) {
        Ok(map) => map,
        Err(r) => return r,
    };
    let (name, email, phone) = match account_fields(&map) {
        Ok(fields) => fields,
        Err(r) => return r,
    };
    let extra = match map.get("subset_data") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return invalid("subset_data 必须是对象"),
    };
    let sex = match extra.get("sex") {
        None | Some(Value::Null) => 0,
        Some(_) => match int_field(&extra, "sex") {
            Some(s @ 0..=2) => s as u8,
            _ => return invalid("sex 只能是 0、1、2"),
        },
    };
    let birthday = match str_field(&extra, "birthday") {
        None => None,
        Some(b) => match parse_date(&b) {
            Some(d) => Some(d.to_string()),
            None => return invalid("birthday 不是有效日期"),
        },
    };
    let mut data = shared.lock();
    let taken = data
        .users
        .values()
        .flat_map(|u| &u.sub_accounts)
        .any(|s| s.email.eq_ignore_ascii_case(&email));
    if taken {
        return invalid("邮箱已存在");
    }
    let id = data.uuid();
    let created_at = data.now();
    let Some(user) = data.users.get_mut(&user_id) else {
        return unknown_user();
    };
    let sub = SubAccount {
        id,
        name,
        email,
        phone,
        alias: str_field(&extra, "alias"),
        birthday,
        duty: str_field(&extra, "duty"),
        wechat: str_field(&extra, "wechat"),
        qq: str_field(&extra, "qq"),
        landline_phone: str_field(&extra, "landline_phone"),
        sex,
        created_at,
    };
    let answer = json!({"id": sub.id, "name": sub.name, "email": sub.email, "phone": sub.phone});
    user.sub_accounts.push(sub);
    ok("添加子账户成功", answer)
}

async fn list_subs(
    State(shared): State<Shared>,
    Path(user_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = pairs(&query);
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let number = |key: &str, default: usize| match get(key) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| invalid(format!("{key} 必须是正整数"))),
    };
    let (page, per_page) = match (number("page", 1), number("per_page", DEFAULT_PER_PAGE)) {
        (Ok(p), Ok(n)) => (p, n),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let data = shared.lock();
    let Some(user) = data.users.get(&user_id) else {
        return unknown_user();
    };
    let matching: Vec<&SubAccount> = user
        .sub_accounts
        .iter()
        .filter(|s| get("id").is_none_or(|v| s.id == v))
        .filter(|s| get("name").is_none_or(|v| s.name.contains(v)))
        .filter(|s| get("email").is_none_or(|v| s.email.contains(v)))
        .filter(|s| get("phone").is_none_or(|v| s.phone.contains(v)))
        .collect();
    let total = matching.len();
    let last_page = total.div_ceil(per_page).max(1);
    let items: Vec<Value> = matching
        .into_iter()
        // Saturated: a huge `page` or `per_page` is an empty page, not an overflow.
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(sub_json)
        .collect();
    axum::Json(json!({
        "code": 200, "status": "success", "message": "查看子账户列表成功",
        "meta": {
            "has_pages": last_page > 1, "total": total, "last_page": last_page,
            "current_page": page, "per_page": per_page.to_string(),
        },
        "data": items,
    }))
    .into_response()
}

async fn read_sub(
    State(shared): State<Shared>,
    Path((user_id, sub_id)): Path<(String, String)>,
) -> Response {
    let data = shared.lock();
    let Some(user) = data.users.get(&user_id) else {
        return unknown_user();
    };
    match user.sub_accounts.iter().find(|s| s.id == sub_id) {
        Some(sub) => ok("查看子账户信息成功", sub_json(sub)),
        None => err(404, "子账户不存在"),
    }
}

async fn delete_sub(
    State(shared): State<Shared>,
    Path((user_id, sub_id)): Path<(String, String)>,
) -> Response {
    let mut data = shared.lock();
    let Some(user) = data.users.get_mut(&user_id) else {
        return unknown_user();
    };
    let before = user.sub_accounts.len();
    user.sub_accounts.retain(|s| s.id != sub_id);
    if user.sub_accounts.len() == before {
        err(404, "子账户不存在")
    } else {
        ok("删除子账户成功", json!([]))
    }
}

async fn register(State(shared): State<Shared>, _headers: HeaderMap, body: Bytes) -> Response {
    let map = match object(&body) {
        Ok(map) => map,
        Err(r) => return r,
    };
    let (name, email, phone) = match account_fields(&map) {
        Ok(fields) => fields,
        Err(r) => return r,
    };
    let mut data = shared.lock();
    if data.users.values().any(|u| {
        u.email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(&email))
    }) {
        return invalid("邮箱已存在");
    }
    let id = data.add_user(&name, 0, None, true);
    if let Some(user) = data.users.get_mut(&id) {
        user.email = Some(email.clone());
        user.phone = Some(phone.clone());
    }
    // The real answer's fields are not documented; the sandbox answers with the new id.
    ok(
        "注册成功",
        json!({"id": id, "name": name, "email": email, "phone": phone, "tenant_id": str_field(&map, "tenant_id")}),
    )
}
