//! What the benchmark server answers and what the hand-written clients decode into.

use bytes::Bytes;
use rust_decimal::Decimal;
use serde::Deserialize;

/// Placeholder credentials of the local benchmark server.
pub const API_KEY: &str = "bench-api-key";
/// The Laaffic secret the server checks signatures with.
pub const API_SECRET: &str = "bench-api-secret";
/// The longlonglong bearer token.
pub const TOKEN: &str = "bench-token";
/// The ESP-AI open API key.
pub const OPEN_API_KEY: &str = "bench-open-api-key";
/// The longlonglong user every recharge goes to.
pub const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
/// Cards in the big list.
pub const CARDS: usize = 10_000;

/// The documented getBalance answer (about 90 bytes).
pub const BALANCE_BODY: &[u8] =
    br#"{"status":"0","reason":"success","balance":"99.990000","gift":"50.00000","credit":"0"}"#;

/// The documented recharge answer.
pub const ACK_BODY: &[u8] =
    r#"{"code":200,"status":"success","message":"AI外呼充值操作成功","data":[]}"#.as_bytes();

/// The `/cdkey/list` answer with `n` cards shaped like the documented example
/// (about 229 bytes each: 10,000 cards are about 2.29 MB).
pub fn cards_body(n: usize) -> Bytes {
    let mut out = String::with_capacity(n * 240 + 100);
    out.push_str(r#"{"message":"请求成功","data":["#);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"id":"{i:032x}","create_time":{},"update_time":null,"code":"c{i:07}","user_id":"87215a4192654cea8781a1a596d23cae","api_limit":{},"type":"{}","user_phone":{},"user_name":"琳琅"}}"#,
            1_743_506_056_109u64 + i as u64,
            500 + i % 1000,
            i % 6,
            15_916_888_888u64 + (i % 100) as u64,
        ));
    }
    out.push_str(&format!(r#"],"totalNumber":{n},"success":true}}"#));
    Bytes::from(out)
}

/// A card as a hand-written client would decode it, with plain serde.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct PlainCard {
    /// `id`.
    pub id: String,
    /// `create_time`.
    pub create_time: Option<i64>,
    /// `update_time`.
    pub update_time: Option<i64>,
    /// `code`.
    pub code: String,
    /// `user_id`.
    pub user_id: String,
    /// `api_limit`.
    pub api_limit: u64,
    /// `type`.
    #[serde(rename = "type")]
    pub card_type: String,
    /// `user_phone`.
    pub user_phone: u64,
    /// `user_name`.
    pub user_name: String,
}

/// The list envelope, plain serde.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct PlainList {
    /// `success`.
    pub success: bool,
    /// `message`.
    pub message: Option<String>,
    /// `data`.
    pub data: Vec<PlainCard>,
    /// `totalNumber`.
    #[serde(rename = "totalNumber")]
    pub total: u64,
}

/// The balance answer, plain serde (exact decimals, as voxkit decodes them).
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct PlainBalance {
    /// `status`.
    pub status: String,
    /// `reason`.
    pub reason: String,
    /// `balance`.
    pub balance: Decimal,
    /// `gift`.
    pub gift: Decimal,
    /// `credit`.
    pub credit: Decimal,
}

/// The recharge answer, plain serde.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct PlainAck {
    /// `code`.
    pub code: i64,
    /// `message`.
    pub message: String,
}

/// `md5(key + secret + timestamp)` in lowercase hex, as a user would write it.
pub fn sign(timestamp: u64) -> String {
    use md5::{Digest, Md5};
    format!(
        "{:x}",
        Md5::digest(format!("{API_KEY}{API_SECRET}{timestamp}").as_bytes())
    )
}

/// Seconds since the epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_big_list_is_the_documented_size_and_decodes() {
        let body = cards_body(CARDS);
        let mb = body.len() as f64 / 1e6;
        assert!((2.2..2.4).contains(&mb), "{mb} MB");
        let list: PlainList = serde_json::from_slice(&body).unwrap();
        assert_eq!(list.data.len(), CARDS);
        assert_eq!(list.total, CARDS as u64);
    }

    #[test]
    fn the_sign_matches_the_sdk() {
        assert_eq!(
            sign(1_630_468_800),
            voxkit_laaffic::signature(API_KEY, API_SECRET, 1_630_468_800)
        );
    }

    #[test]
    fn fixed_bodies_decode() {
        let b: PlainBalance = serde_json::from_slice(BALANCE_BODY).unwrap();
        assert_eq!(b.balance, Decimal::new(9999, 2));
        let a: PlainAck = serde_json::from_slice(ACK_BODY).unwrap();
        assert_eq!(a.code, 200);
    }
}
