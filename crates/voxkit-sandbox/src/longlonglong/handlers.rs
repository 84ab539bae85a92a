//! The longlonglong handlers: balances, the recharge history, expiry, sub-accounts and
//! end-user registration.

use axum::extract::State;
use axum::response::Response;
use bytes::Bytes;
use chrono::{Days, NaiveDate};
use serde_json::{Value, json};

use super::reply::{Answer, Call, at, err, get, object, ok, paged, paging};
use super::state::{Movements, SubAccount, User};
use crate::state::{Shared, State as Data};
use crate::wire::{self, Object, lenient, optional_int};

/// Rows per page of the recharge history (its page size is not documented).
const HISTORY_PAGE: usize = 15;

fn unknown_user() -> Response {
    err(404, "用户不存在")
}

fn invalid(message: impl Into<String>) -> Response {
    err(422, message)
}

/// The user with this id, or the `404` to answer.
fn user<'a>(data: &'a Data, user_id: &str) -> Result<&'a User, Response> {
    data.longlonglong
        .users
        .get(user_id)
        .ok_or_else(unknown_user)
}

/// The user with this id, to change, or the `404` to answer.
fn user_mut<'a>(data: &'a mut Data, user_id: &str) -> Result<&'a mut User, Response> {
    data.longlonglong
        .users
        .get_mut(user_id)
        .ok_or_else(unknown_user)
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s.trim(), "%Y/%m/%d"))
        .ok()
}

pub(super) async fn recharge(Call(shared, user_id, _): Call<String>, body: Bytes) -> Answer {
    let map = object(&body)?;
    let Some(amount) = wire::int(&map, "amount").filter(|a| *a >= 1) else {
        return Err(invalid("amount 必须是大于 0 的整数"));
    };
    let kind = match optional_int(&map, "type") {
        Ok(None) => 1,
        Ok(Some(k @ (1 | 2))) => k,
        _ => return Err(invalid("type 只能是 1(充值) 或 2(扣费)")),
    };
    let remark = lenient(&map, "remark");
    let message = with_billing(&shared, &user_id, |user, movements| {
        if kind == 1 {
            user.balance = user
                .balance
                .checked_add(amount)
                .ok_or_else(|| invalid("余额溢出"))?;
            movements.record(user, amount, "充值", remark);
            Ok("AI外呼充值操作成功")
        } else {
            if amount > user.balance {
                return Err(invalid("余额不足"));
            }
            user.balance -= amount;
            movements.record(user, amount, "扣费", remark);
            Ok("AI外呼扣款操作成功")
        }
    })?;
    ok(message, json!([]))
}

pub(super) async fn zero_balance(Call(shared, user_id, _): Call<String>) -> Answer {
    with_billing(&shared, &user_id, |user, movements| {
        let was = user.balance;
        user.balance = 0;
        if was != 0 {
            movements.record(user, was, "扣费", Some("余额归零".into()));
        }
        Ok(())
    })?;
    ok("AI外呼余额归零操作成功", json!([]))
}

/// Runs a balance change `change` on a user with billing enabled: `404` for an unknown
/// user, `10004` for one without billing permission.
fn with_billing<R>(
    shared: &Shared,
    user_id: &str,
    change: impl FnOnce(&mut User, &mut Movements) -> Result<R, Response>,
) -> Result<R, Response> {
    let mut data = shared.lock();
    let now = data.now();
    let result = data
        .longlonglong
        .with_user(user_id, now, |user, movements| {
            if !user.billing_enabled {
                return Err(err(10004, "用户未开通账单权限"));
            }
            change(user, movements)
        });
    result.ok_or_else(unknown_user)?
}

pub(super) async fn history(Call(shared, user_id, pairs): Call<String>) -> Answer {
    let dates: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "date[]" || k == "date")
        .map(|(_, v)| v.as_str())
        .collect();
    let page =
        wire::positive(get(&pairs, "page"), 1).ok_or_else(|| invalid("page 必须是正整数"))?;
    let data = shared.lock();
    let today = data.today();
    let (from, to) = match dates.as_slice() {
        [] => (today.checked_sub_days(Days::new(6)).unwrap_or(today), today),
        [from, to] => match (parse_date(from), parse_date(to)) {
            (Some(from), Some(to)) if from <= to => (from, to),
            _ => return Err(invalid("date 必须是两个日期 [开始, 结束]")),
        },
        _ => return Err(invalid("date 必须是两个日期 [开始, 结束]")),
    };
    if (to - from).num_days() > 30 {
        return Err(invalid("date参数不可传递时间跨度不可超过30天"));
    }
    let user = user(&data, &user_id)?;
    let matching = user
        .movements
        .iter()
        .rev()
        .filter(|m| (from..=to).contains(&m.at.date()));
    let rows: Vec<Value> = wire::page_of(matching, page, HISTORY_PAGE)
        .map(|m| {
            let at = at(m.at);
            json!({
                "id": m.id, "user_id": user.id, "amounts": m.amount, "balance": m.balance_after,
                "remark": m.remark, "created_at": at, "updated_at": at, "type": m.kind,
            })
        })
        .collect();
    ok("查看充值记录成功", Value::Array(rows))
}

pub(super) async fn set_expiry(Call(shared, user_id, _): Call<String>, body: Bytes) -> Answer {
    let map = object(&body)?;
    let mut data = shared.lock();
    let today = data.today();
    let user = user_mut(&mut data, &user_id)?;
    match lenient(&map, "expire_time").as_deref().map(parse_date) {
        // Documented: "过期时间设置为当天/未设置过期时间" → 422.
        None => Err(err(422, "到期时间最少设置一天")),
        Some(None) => Err(invalid("expire_time 不是有效日期")),
        Some(Some(day)) if day <= today => Err(err(422, "到期时间最少设置一天")),
        Some(Some(day)) => {
            user.expires_on = Some(day);
            ok("设置成功", json!([]))
        }
    }
}

pub(super) async fn account_info(Call(shared, user_id, _): Call<String>) -> Answer {
    let data = shared.lock();
    let user = user(&data, &user_id)?;
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

pub(super) async fn token_info(State(shared): State<Shared>) -> Answer {
    let today = shared.lock().today();
    let until = today.checked_add_days(Days::new(365)).unwrap_or(today);
    // Not documented; the sandbox's own fields.
    ok(
        "查看token有效期成功",
        json!({"expire_at": format!("{until} 23:59:59")}),
    )
}

/// The shared rules of sub-accounts and users; returns (name, email, phone).
fn account_fields(map: &Object) -> Result<(String, String, String), Response> {
    let name = lenient(map, "name").ok_or_else(|| invalid("name 不能为空"))?;
    let email = lenient(map, "email").ok_or_else(|| invalid("email 不能为空"))?;
    if !email.contains('@') {
        return Err(invalid("email 格式不正确"));
    }
    let phone = lenient(map, "phone").ok_or_else(|| invalid("phone 不能为空"))?;
    let password = lenient(map, "password").ok_or_else(|| invalid("password 不能为空"))?;
    if lenient(map, "password_confirmation").as_deref() != Some(password.as_str()) {
        return Err(invalid("两次输入的密码不一致"));
    }
    Ok((name, email, phone))
}

fn sub_json(s: &SubAccount) -> Value {
    let at = at(s.created_at);
    json!({
        "id": s.id, "name": s.name, "phone": s.phone, "email": s.email, "sex": s.sex,
        "alias": s.alias, "duty": s.duty, "landline_phone": s.landline_phone, "qq": s.qq,
        "wechat": s.wechat, "birthday": s.birthday, "created_at": at, "updated_at": at,
    })
}

pub(super) async fn create_sub(Call(shared, user_id, _): Call<String>, body: Bytes) -> Answer {
    let map = object(&body)?;
    let (name, email, phone) = account_fields(&map)?;
    let extra = match map.get("subset_data") {
        None | Some(Value::Null) => Object::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(invalid("subset_data 必须是对象")),
    };
    let sex = match optional_int(&extra, "sex") {
        Ok(None) => 0,
        Ok(Some(s @ 0..=2)) => s as u8,
        _ => return Err(invalid("sex 只能是 0、1、2")),
    };
    let birthday = match lenient(&extra, "birthday") {
        None => None,
        Some(b) => Some(
            parse_date(&b)
                .ok_or_else(|| invalid("birthday 不是有效日期"))?
                .to_string(),
        ),
    };
    let mut data = shared.lock();
    let taken = data
        .longlonglong
        .users
        .values()
        .flat_map(|u| &u.sub_accounts)
        .any(|s| s.email.eq_ignore_ascii_case(&email));
    if taken {
        return Err(invalid("邮箱已存在"));
    }
    let id = crate::ids::uuid(&mut data.rng);
    let created_at = data.now();
    let user = user_mut(&mut data, &user_id)?;
    let sub = SubAccount {
        id,
        name,
        email,
        phone,
        alias: lenient(&extra, "alias"),
        birthday,
        duty: lenient(&extra, "duty"),
        wechat: lenient(&extra, "wechat"),
        qq: lenient(&extra, "qq"),
        landline_phone: lenient(&extra, "landline_phone"),
        sex,
        created_at,
    };
    let answer = json!({"id": sub.id, "name": sub.name, "email": sub.email, "phone": sub.phone});
    user.sub_accounts.push(sub);
    ok("添加子账户成功", answer)
}

pub(super) async fn list_subs(Call(shared, user_id, pairs): Call<String>) -> Answer {
    let get = |key: &str| get(&pairs, key);
    let (page, per_page) = paging(&pairs)?;
    let data = shared.lock();
    let user = user(&data, &user_id)?;
    let matching: Vec<&SubAccount> = user
        .sub_accounts
        .iter()
        .filter(|s| get("id").is_none_or(|v| s.id == v))
        .filter(|s| get("name").is_none_or(|v| s.name.contains(v)))
        .filter(|s| get("email").is_none_or(|v| s.email.contains(v)))
        .filter(|s| get("phone").is_none_or(|v| s.phone.contains(v)))
        .collect();
    paged("查看子账户列表成功", matching, page, per_page, sub_json)
}

pub(super) async fn read_sub(Call(shared, (user_id, sub_id), _): Call<(String, String)>) -> Answer {
    let data = shared.lock();
    let user = user(&data, &user_id)?;
    match user.sub_accounts.iter().find(|s| s.id == sub_id) {
        Some(sub) => ok("查看子账户信息成功", sub_json(sub)),
        None => Err(err(404, "子账户不存在")),
    }
}

pub(super) async fn delete_sub(
    Call(shared, (user_id, sub_id), _): Call<(String, String)>,
) -> Answer {
    let mut data = shared.lock();
    let user = user_mut(&mut data, &user_id)?;
    let before = user.sub_accounts.len();
    user.sub_accounts.retain(|s| s.id != sub_id);
    if user.sub_accounts.len() == before {
        Err(err(404, "子账户不存在"))
    } else {
        ok("删除子账户成功", json!([]))
    }
}

pub(super) async fn register(State(shared): State<Shared>, body: Bytes) -> Answer {
    let map = object(&body)?;
    let (name, email, phone) = account_fields(&map)?;
    let mut data = shared.lock();
    let taken = data.longlonglong.users.values().any(|u| {
        u.email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(&email))
    });
    if taken {
        return Err(invalid("邮箱已存在"));
    }
    let id = data.add_user(&name, 0, None, true);
    if let Some(user) = data.longlonglong.users.get_mut(&id) {
        user.email = Some(email.clone());
        user.phone = Some(phone.clone());
    }
    // The real answer's fields are not documented; the sandbox answers with the new id.
    ok(
        "注册成功",
        json!({"id": id, "name": name, "email": email, "phone": phone, "tenant_id": lenient(&map, "tenant_id")}),
    )
}

/// 查看回调黑名单: every entry of the partner's blacklist (the path names no user), in id
/// order, with its status at the sandbox's `now`: `0` 拉黑中 until the release time, `1`
/// 已释放 from then on (when `updated_at` moves to the release time).
pub(super) async fn callback_blacklist(State(shared): State<Shared>) -> Answer {
    let data = shared.lock();
    let now = data.now();
    let entries: Vec<Value> = data
        .longlonglong
        .callback_blacklist
        .iter()
        .map(|entry| {
            let active = entry.active(now);
            let (status, status_str) = if active {
                (0, "拉黑中")
            } else {
                (1, "已释放")
            };
            let updated_at = if active {
                entry.blackout_time
            } else {
                entry.release_time
            };
            json!({
                "id": entry.id, "user_id": entry.user_id, "url": entry.url,
                "blackout_time": at(entry.blackout_time),
                "release_time": at(entry.release_time),
                "status": status, "created_at": at(entry.blackout_time),
                "updated_at": at(updated_at), "status_str": status_str,
            })
        })
        .collect();
    ok("查看黑名单成功", Value::Array(entries))
}
