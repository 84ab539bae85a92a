//! SMS: `sendSms` by GET (≤ 100 numbers) or POST (≤ 1,000), and `sendSms/batch`. Each
//! accepted number spends the Laaffic balance.
//!
//! **Pricing.** The pages state no SMS price (their `-19` says "confirm SMS pricing with
//! the business team"), so the sandbox charges a flat [`PRICE_PER_SEGMENT`] per number and
//! per segment, segments counted the usual way (content of ASCII only: 160 characters in
//! one, 153 per segment beyond; anything else: 70, then 67). A request whose whole cost
//! exceeds the balance is refused `-10` and spends nothing. The checks are the documented
//! ones: `-4` empty content, `-5` over 1,024 characters, `-8` no number, `-7` over the
//! method's limit, `-9` a number that is not 6-18 digits, `-22` a missing `appId` or an
//! `orderId` count other than the number count. No sensitive-word or template rule is
//! simulated: the pages name the codes (`-3`, `-6`) but not the rules.

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::envelope::{Refusal, object};
use crate::state::{Shared, State as Data};
use crate::wire::{self, Object, text};

/// The flat price of one segment to one number (the pages give none).
pub const PRICE_PER_SEGMENT: Decimal = Decimal::from_parts(500, 0, 0, false, 4);

/// The most numbers of a GET and of a POST.
const MAX_GET: usize = 100;
const MAX_POST: usize = 1_000;
const MAX_CONTENT: usize = 1_024;

/// One checked group: numbers, their order ids, the content's segments.
struct Group {
    numbers: Vec<String>,
    order_ids: Vec<Option<String>>,
    segments: u64,
}

/// The segments of `content` (see the module docs).
pub(crate) fn segments(content: &str) -> u64 {
    let n = content.chars().count() as u64;
    let (single, multi) = if content.is_ascii() {
        (160, 153)
    } else {
        (70, 67)
    };
    if n <= single { 1 } else { n.div_ceil(multi) }
}

fn split(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn group(
    numbers: Option<&str>,
    content: Option<&str>,
    order_id: Option<&str>,
    max: usize,
) -> Result<Group, Refusal> {
    let content = content.unwrap_or_default();
    if content.is_empty() {
        return Err(Refusal("-4"));
    }
    if content.chars().count() > MAX_CONTENT {
        return Err(Refusal("-5"));
    }
    let numbers = split(numbers.unwrap_or_default());
    if numbers.is_empty() {
        return Err(Refusal("-8"));
    }
    if numbers.len() > max {
        return Err(Refusal("-7"));
    }
    if numbers
        .iter()
        .any(|n| !(6..=18).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Refusal("-9"));
    }
    let order_ids = match order_id.map(split) {
        None => vec![None; numbers.len()],
        Some(ids) if ids.is_empty() => vec![None; numbers.len()],
        Some(ids) if ids.len() == numbers.len() => ids.into_iter().map(Some).collect(),
        Some(_) => return Err(Refusal("-22")),
    };
    Ok(Group {
        numbers,
        order_ids,
        segments: segments(content),
    })
}

/// Spends the groups' cost or refuses `-10`; answers the receipt.
fn send(data: &mut Data, groups: &[Group]) -> Result<Value, Refusal> {
    let units: u64 = groups
        .iter()
        .map(|g| g.numbers.len() as u64 * g.segments)
        .sum();
    let cost = PRICE_PER_SEGMENT * Decimal::from(units);
    if data.laaffic.balance < cost {
        return Err(Refusal("-10"));
    }
    data.laaffic.balance -= cost;
    let now = data.now();
    let mut array = Vec::new();
    for g in groups {
        for (number, order) in g.numbers.iter().zip(&g.order_ids) {
            let n = data.rng.u32(..10_000_000);
            array.push(json!({
                "msgId": format!("{}{n:07}", now.format("%y%m%d%H%M%S")),
                "number": number,
                "orderId": order,
            }));
        }
    }
    Ok(json!({ "success": array.len().to_string(), "fail": "0", "array": array }))
}

/// The receipt beside `status` and `reason` (family A, payload at the top level).
fn answer(result: Result<Value, Refusal>) -> Response {
    match result {
        Ok(Value::Object(mut map)) => {
            map.insert("status".into(), json!("0"));
            map.insert("reason".into(), json!("success"));
            axum::Json(Value::Object(map)).into_response()
        }
        Ok(_) => Refusal("-18").a(),
        Err(r) => r.a(),
    }
}

fn app_id(get: &dyn Fn(&str) -> Option<String>) -> Result<(), Refusal> {
    get("appId")
        .filter(|a| !a.trim().is_empty())
        .map(drop)
        .ok_or(Refusal("-22"))
}

/// `GET /v3/sendSms?appId=…&numbers=…&content=…[&senderId=…][&orderId=…]`.
pub(super) async fn send_get(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let pairs = wire::query_pairs(query.as_deref());
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    answer((|| {
        app_id(&get)?;
        let g = group(
            get("numbers").as_deref(),
            get("content").as_deref(),
            get("orderId").as_deref(),
            MAX_GET,
        )?;
        send(&mut shared.lock(), &[g])
    })())
}

fn group_of(map: &Object, max: usize) -> Result<Group, Refusal> {
    // The batch table names the field `number`, its example `numbers`: both are read.
    let numbers = text(map, "numbers").or_else(|| text(map, "number"));
    group(numbers, text(map, "content"), text(map, "orderId"), max)
}

/// `POST /v3/sendSms` with `{appId, numbers, content, senderId?, orderId?}`.
pub(super) async fn send_post(State(shared): State<Shared>, body: Bytes) -> Response {
    answer((|| {
        let map = object(&body)?;
        app_id(&|k| text(&map, k).map(str::to_owned))?;
        let g = group_of(&map, MAX_POST)?;
        send(&mut shared.lock(), &[g])
    })())
}

/// `POST /v3/sendSms/batch` with `{appId, array: [{numbers, content, senderId, orderId}]}`:
/// every item checked as a POST, then the whole batch spent or refused at once.
pub(super) async fn batch(State(shared): State<Shared>, body: Bytes) -> Response {
    answer((|| {
        let map = object(&body)?;
        app_id(&|k| text(&map, k).map(str::to_owned))?;
        let Some(Value::Array(items)) = map.get("array") else {
            return Err(Refusal("-22"));
        };
        if items.is_empty() {
            return Err(Refusal("-8"));
        }
        let groups = items
            .iter()
            .map(|item| match item {
                Value::Object(item) => group_of(item, MAX_POST),
                _ => Err(Refusal("-22")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        send(&mut shared.lock(), &groups)
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_follow_the_usual_sizes() {
        assert_eq!(segments("hello world"), 1);
        assert_eq!(segments(&"a".repeat(160)), 1);
        assert_eq!(segments(&"a".repeat(161)), 2);
        assert_eq!(segments(&"你".repeat(70)), 1);
        assert_eq!(segments(&"你".repeat(71)), 2);
    }

    #[test]
    fn a_short_balance_is_minus_10_and_spends_nothing() {
        let mut data = Data::new(1, None);
        data.laaffic.balance = Decimal::new(9, 2); // 0.09: one short of two numbers
        let g = group(Some("91856321412,91856321413"), Some("hi"), None, MAX_POST).unwrap();
        assert_eq!(send(&mut data, &[g]).unwrap_err(), Refusal("-10"));
        assert_eq!(data.laaffic.balance, Decimal::new(9, 2));
        let g = group(Some("91856321412"), Some("hi"), None, MAX_POST).unwrap();
        send(&mut data, &[g]).unwrap();
        assert_eq!(data.laaffic.balance, Decimal::new(4, 2));
    }
}
