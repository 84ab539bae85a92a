//! The recharge history over every page (`recharge_history_all`) and the search by remark
//! built on it, against wiremock servers that page correctly, ignore `page`, never end, or
//! repeat rows: the search must read the whole window or fail, never answer from page 1.

use chrono::NaiveDate;
use common::client;
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use voxkit_core::Error;
use voxkit_longlonglong::{RechargeHistoryQuery, UserId};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

mod common;

const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
const ROUTE: &str = "/agent-api/user/5433b412-07d5-44e6-9fa4-deb65e43bc93/bill_recharge_record";

fn user() -> UserId {
    USER.parse().unwrap()
}

fn row(id: u64, remark: &str) -> Value {
    json!({"id": id, "user_id": USER, "amounts": 10, "balance": 1000 + id, "remark": remark,
           "created_at": "2026-03-10 10:00:00", "updated_at": "2026-03-10 10:00:00",
           "type": "充值"})
}

fn page_of(request: &Request) -> usize {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == "page")
        .map_or(1, |(_, v)| v.parse().unwrap())
}

/// Answers `page=N` with `pages[N-1]` (an empty page beyond), documented shape: no `meta`.
struct Pages(Vec<Vec<Value>>, Option<usize>);

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = page_of(request);
        let rows = self.0.get(n - 1).cloned().unwrap_or_default();
        let mut body =
            json!({"code": 200, "status": "success", "message": "查看充值记录成功", "data": rows});
        if let Some(last) = self.1 {
            body["meta"] = json!({"has_pages": last > 1, "total": 0, "last_page": last,
                                  "current_page": n, "per_page": "15"});
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// Every page holds new rows: a server that never ends.
struct Endless;

impl Respond for Endless {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = page_of(request) as u64;
        ResponseTemplate::new(200).set_body_json(json!({"code": 200, "status": "success",
            "message": "ok", "data": [row(n * 10, "x"), row(n * 10 + 1, "y")]}))
    }
}

async fn serve(responder: impl Respond + 'static) -> MockServer {
    common::serve(ROUTE, responder).await
}

async fn pages_asked(server: &MockServer) -> Vec<usize> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(page_of)
        .collect()
}

fn window() -> RechargeHistoryQuery {
    RechargeHistoryQuery::widest_ending(NaiveDate::from_ymd_opt(2026, 3, 10).unwrap())
}

/// 15 newer rows on page 1, and the lost recharge on page 2 behind 5 more.
fn lost_on_page_two() -> Vec<Vec<Value>> {
    let page1: Vec<Value> = (0..15)
        .map(|i| row(100 - i, &format!("later-{i}")))
        .collect();
    let mut page2: Vec<Value> = (15..20)
        .map(|i| row(100 - i, &format!("later-{i}")))
        .collect();
    page2.push(row(7, "order-77"));
    vec![page1, page2]
}

#[tokio::test]
async fn the_search_reads_every_page_and_finds_a_remark_on_page_two() {
    let server = serve(Pages(lost_on_page_two(), None)).await;
    let found = client(&server.uri())
        .find_recharges_by_remark(&user(), "order-77", &window())
        .await
        .unwrap();
    assert_eq!(found.matches.len(), 1, "{found:?}");
    assert_eq!(found.matches[0].id, 7);
    assert_eq!(found.records, 21);
    // Without a paginator the walk ends only at an empty page.
    assert_eq!(found.pages, 3);
    assert_eq!(pages_asked(&server).await, vec![1, 2, 3]);
    let request = &server.received_requests().await.unwrap()[0];
    let query = request
        .url
        .query()
        .unwrap_or_default()
        .replace("%5B%5D", "[]");
    assert!(
        query.contains("date[]=2026-02-08&date[]=2026-03-10"),
        "the whole 30-day window is asked: {query}"
    );

    let none = client(&server.uri())
        .find_recharges_by_remark(&user(), "order-78", &window())
        .await
        .unwrap();
    assert!(none.matches.is_empty());
    assert_eq!((none.pages, none.records), (3, 21));
}

#[tokio::test]
async fn a_meta_paginator_ends_the_walk_at_its_last_page() {
    let server = serve(Pages(lost_on_page_two(), Some(2))).await;
    let rows: Vec<_> = client(&server.uri())
        .recharge_history_all(&user(), &window())
        .collect()
        .await;
    assert_eq!(rows.len(), 21);
    assert!(rows.iter().all(Result::is_ok));
    assert_eq!(pages_asked(&server).await, vec![1, 2]);
}

#[tokio::test]
async fn a_server_that_ignores_page_ends_the_walk_with_incomplete() {
    // Page 1 again and again.
    let page1: Vec<Value> = (0..15).map(|i| row(100 - i, "later")).collect();
    let server = serve(Pages(vec![page1.clone(), page1.clone(), page1], None)).await;
    let err = client(&server.uri())
        .find_recharges_by_remark(&user(), "order-77", &window())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("the recharge history is incomplete"),
        "{text}"
    );
    assert!(text.contains("page 2 only repeats"), "{text}");
    assert_eq!(pages_asked(&server).await, vec![1, 2]);
}

#[tokio::test]
async fn an_endless_server_is_stopped_at_the_page_cap_with_incomplete() {
    let server = serve(Endless).await;
    let items: Vec<_> = client(&server.uri())
        .recharge_history_all_with(&user(), &window(), 3)
        .collect()
        .await;
    assert_eq!(items.len(), 7, "6 rows, then the error");
    assert!(items[..6].iter().all(Result::is_ok));
    let err = items[6].as_ref().unwrap_err();
    assert!(err.to_string().contains("incomplete"), "{err}");
    assert!(format!("{err:?}").contains("page cap (3 pages)"), "{err:?}");
    assert_eq!(pages_asked(&server).await, vec![1, 2, 3]);
}

#[tokio::test]
async fn rows_pushed_to_the_next_page_are_yielded_once() {
    // Two movements made between the reads push page 1's last two rows onto page 2.
    let page1: Vec<Value> = (0..15).map(|i| row(100 - i, "a")).collect();
    let mut page2: Vec<Value> = page1[13..].to_vec();
    page2.push(row(50, "b"));
    let server = serve(Pages(vec![page1, page2], None)).await;
    let rows: Vec<u64> = client(&server.uri())
        .recharge_history_all(&user(), &window())
        .map(|r| r.unwrap().id)
        .collect()
        .await;
    assert_eq!(rows.len(), 16, "{rows:?}");
    assert_eq!(rows.last(), Some(&50));
}

#[tokio::test]
async fn bad_windows_and_caps_are_refused_with_nothing_sent() {
    let server = serve(Endless).await;
    let client = client(&server.uri());
    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    let too_long = RechargeHistoryQuery::new().between(day(1), day(1) + chrono::Days::new(31));
    let reversed = RechargeHistoryQuery::new().between(day(5), day(1));
    for query in [too_long, reversed] {
        let items: Vec<_> = client.recharge_history_all(&user(), &query).collect().await;
        assert_eq!(items.len(), 1);
        assert!(items[0].as_ref().unwrap_err().nothing_sent());
    }
    let items: Vec<_> = client
        .recharge_history_all_with(&user(), &window(), 0)
        .collect()
        .await;
    assert!(items[0].as_ref().unwrap_err().nothing_sent());
    assert!(pages_asked(&server).await.is_empty());
}
