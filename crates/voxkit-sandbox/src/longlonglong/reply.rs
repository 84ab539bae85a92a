//! What every longlonglong handler answers with and reads first, written once: the
//! `{code, status, message, data}` envelope (business errors with HTTP 200, as documented),
//! the Laravel paginator of the paged lists, the request's state, path and query read
//! together ([`Call`]), the body's JSON object, query values and page numbers, and the
//! `404` of an unknown user.

use axum::extract::{FromRequestParts, Path, RawQuery};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::state::{Shared, State as Data};
use crate::wire::{self, Object};

/// The default page size of the paged lists ("默认为15").
pub(super) const DEFAULT_PER_PAGE: usize = 15;

/// A handler's answer: the error side is a finished refusal, sent as it is.
pub(super) type Answer = Result<Response, Response>;

/// What a handler reads of the request before its own rules, in one extractor instead of
/// `State`, `Path` and `RawQuery` in every handler: the shared state, the path's
/// parameters `P` (a `String`, or a tuple for several, in template order) and the query's
/// pairs, decoded, in order (see [`wire::query_pairs`]). A path that does not deserialize
/// as `P` is refused exactly as axum's `Path` refuses it (the query cannot be refused), so
/// the routes answer as they did with the separate extractors.
pub(super) struct Call<P>(pub Shared, pub P, pub Vec<(String, String)>);

impl<P: DeserializeOwned + Send> FromRequestParts<Shared> for Call<P> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, Response> {
        let Path(path) = Path::<P>::from_request_parts(parts, shared)
            .await
            .map_err(IntoResponse::into_response)?;
        let RawQuery(query) = RawQuery::from_request_parts(parts, shared)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Call(
            shared.clone(),
            path,
            wire::query_pairs(query.as_deref()),
        ))
    }
}

/// Success: code 200 with `data`.
pub(super) fn ok(message: &str, data: Value) -> Answer {
    Ok(
        axum::Json(json!({"code": 200, "status": "success", "message": message, "data": data}))
            .into_response(),
    )
}

/// A business error: HTTP 200, the code in the body, as documented.
pub(super) fn err(code: u32, message: impl Into<String>) -> Response {
    axum::Json(json!({"code": code, "status": "error", "message": message.into(), "data": []}))
        .into_response()
}

/// The JSON object of a body, or the `422` to answer.
pub(super) fn object(body: &[u8]) -> Result<Object, Response> {
    wire::object(body).ok_or_else(|| err(422, "请求体必须是 JSON 对象"))
}

/// The 404 of an unknown user, or nothing.
pub(super) fn known_user(data: &Data, user_id: &str) -> Result<(), Response> {
    if data.longlonglong.users.contains_key(user_id) {
        Ok(())
    } else {
        Err(err(404, "用户不存在"))
    }
}

/// The 404 of a sub-account `sub` that is not one of the user's, or nothing.
pub(super) fn known_sub(data: &Data, user_id: &str, sub: &str) -> Result<(), Response> {
    let users = &data.longlonglong.users;
    if users
        .get(user_id)
        .is_some_and(|user| user.sub_accounts.iter().any(|s| s.id == sub))
    {
        Ok(())
    } else {
        Err(err(404, "子账户不存在"))
    }
}

/// The body's `data` rows, 1 to `max` of them: else the `422` with `empty` (no rows, or no
/// array) or with `too_many`.
pub(super) fn data_rows<'a>(
    map: &'a Object,
    max: usize,
    empty: &str,
    too_many: impl FnOnce() -> String,
) -> Result<&'a [Value], Response> {
    let rows = map
        .get("data")
        .and_then(Value::as_array)
        .filter(|rows| !rows.is_empty())
        .ok_or_else(|| err(422, empty))?;
    if rows.len() > max {
        return Err(err(422, too_many()));
    }
    Ok(rows)
}

/// A time as the API writes it (`2024-01-31 09:00:00`, China time).
pub(super) fn at(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The query's value of `key`.
pub(super) fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `page` and `per_page` of a query (default 1 and [`DEFAULT_PER_PAGE`]), or the 422.
pub(super) fn paging(pairs: &[(String, String)]) -> Result<(usize, usize), Response> {
    let number = |key: &str, default: usize| {
        wire::positive(get(pairs, key), default)
            .ok_or_else(|| err(422, format!("{key} 必须是正整数")))
    };
    Ok((number("page", 1)?, number("per_page", DEFAULT_PER_PAGE)?))
}

/// Page `page` of `items` with the Laravel paginator (`per_page` a string, as the API
/// sends it); `total` counts every item.
pub(super) fn paged<T>(
    message: &str,
    items: Vec<T>,
    page: usize,
    per_page: usize,
    to_json: impl FnMut(T) -> Value,
) -> Answer {
    let total = items.len();
    let last_page = total.div_ceil(per_page).max(1);
    let data: Vec<Value> = wire::page_of(items.into_iter(), page, per_page)
        .map(to_json)
        .collect();
    Ok(axum::Json(json!({
        "code": 200, "status": "success", "message": message,
        "meta": {"has_pages": last_page > 1, "total": total, "last_page": last_page,
                 "current_page": page, "per_page": per_page.to_string()},
        "data": data,
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::longlonglong::state::SubAccount;

    async fn message(refusal: Response) -> Value {
        let body = axum::body::to_bytes(refusal.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice::<Value>(&body).unwrap()["message"].clone()
    }

    /// The shared body check: 1 to `max` rows in `data`, else the caller's own message.
    #[tokio::test]
    async fn data_rows_are_one_to_max() {
        let object = |v: Value| v.as_object().unwrap().clone();
        let two = object(json!({"data": [1, 2]}));
        let rows = data_rows(&two, 2, "empty", || "many".into()).unwrap();
        assert_eq!(rows, [json!(1), json!(2)]);
        let refusal = data_rows(&two, 1, "empty", || "many".into()).unwrap_err();
        assert_eq!(message(refusal).await, "many");
        for body in [json!({"data": []}), json!({"data": "x"}), json!({})] {
            let refusal = data_rows(&object(body), 2, "empty", || "many".into()).unwrap_err();
            assert_eq!(message(refusal).await, "empty");
        }
    }

    /// The shared sub-account check: only a sub-account of that very user passes.
    #[tokio::test]
    async fn a_sub_account_must_be_the_users() {
        let mut data = Data::new(1, None);
        let seed = crate::seed::seed(&mut data);
        let user = seed.longlonglong_user.clone();
        let other = seed.longlonglong_user_without_billing.clone();
        let now = data.now();
        data.longlonglong
            .users
            .get_mut(&user)
            .unwrap()
            .sub_accounts
            .push(SubAccount {
                id: "sub-1".into(),
                name: "s".into(),
                email: "s@example.com".into(),
                phone: "13800000000".into(),
                alias: None,
                birthday: None,
                duty: None,
                wechat: None,
                qq: None,
                landline_phone: None,
                sex: 0,
                created_at: now,
            });
        assert!(known_sub(&data, &user, "sub-1").is_ok());
        for (owner, sub) in [
            (&user, "sub-2"),
            (&other, "sub-1"),
            (&"nobody".into(), "sub-1"),
        ] {
            let refusal = known_sub(&data, owner, sub).unwrap_err();
            assert_eq!(message(refusal).await, "子账户不存在", "{owner} {sub}");
        }
    }
}
