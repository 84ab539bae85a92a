//! The card stream's memory bounds (issue 12, item 8): a page holding more cards than the
//! `limit` asked for is refused, and the number of cards yielded is capped, so that a
//! server cannot make `cards()` (and `voxkit espai cdkey list --all`) hold gigabytes.

mod common;

use common::{assert_listing_error, card_json, requests};
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use voxkit_core::test_util::fast_retries;
use voxkit_core::{Error, RetryPolicy};
use voxkit_espai::{Card, CardFilter, Client, DEFAULT_MAX_CARDS, Paging};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("0123456789abcdef0123456789abcdef")
        .base_url(server.uri())
        .retry_policy(RetryPolicy {
            max_attempts: 2,
            ..fast_retries()
        })
        .build()
        .unwrap()
}

fn page_of(request: &Request) -> usize {
    let body: Value = request.body_json().unwrap();
    body["page"].as_str().unwrap().parse().unwrap()
}

/// A server that answers page N with `size` fresh cards, announcing `total`.
async fn server(size: usize, total: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/cdkey/list"))
        .respond_with(move |request: &Request| {
            let page = page_of(request);
            let data: Vec<Value> = (0..size)
                .map(|i| card_json(&format!("p{page}-{i}")))
                .collect();
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "totalNumber": total, "data": data}))
        })
        .mount(&server)
        .await;
    server
}

/// Every item (cards and the error that ends the stream) of the card stream of `server`,
/// walked with `paging`.
async fn all_cards(server: &MockServer, paging: Paging) -> Vec<Result<Card, Error>> {
    client(server)
        .cards_with(CardFilter::new(), paging)
        .collect()
        .await
}

#[tokio::test]
async fn a_page_larger_than_the_limit_asked_is_refused() {
    // Asked for 2 a page; the server ignores `limit` and sends 50.
    let server = server(50, 1000).await;
    let items = all_cards(&server, Paging::new().page_size(2)).await;
    assert_eq!(items.len(), 1, "none of the page's cards is yielded");
    assert_listing_error(
        items[0].as_ref().unwrap_err(),
        &["page 1 holds 50 cards, more than the 2 asked for"],
    );
    assert_eq!(requests(&server).await, 1, "no further page is fetched");
}

#[tokio::test]
async fn a_page_of_exactly_the_limit_is_accepted() {
    let server = server(2, 4).await;
    let items = all_cards(&server, Paging::new().page_size(2)).await;
    assert_eq!(items.len(), 4);
    assert!(items.iter().all(Result::is_ok), "{items:?}");
}

#[tokio::test]
async fn the_card_cap_stops_the_stream_with_a_clear_error() {
    // 1000 cards announced, 3 per page; at most 7 may be listed.
    let server = server(3, 1000).await;
    let items = all_cards(&server, Paging::new().page_size(3).max_cards(7)).await;
    assert_eq!(items.len(), 8, "exactly the cap, then the error: {items:?}");
    assert!(items[..7].iter().all(Result::is_ok));
    assert_listing_error(
        items[7].as_ref().unwrap_err(),
        &[
            "the card listing is incomplete",
            "7 of 1000 cards listed",
            "card cap (7 cards)",
        ],
    );
    assert_eq!(requests(&server).await, 3, "no page fetched past the cap");
}

#[tokio::test]
async fn a_listing_of_exactly_the_cap_ends_normally() {
    let server = server(3, 6).await;
    let items = all_cards(&server, Paging::new().page_size(3).max_cards(6)).await;
    assert_eq!(items.len(), 6);
    assert!(items.iter().all(Result::is_ok), "{items:?}");
}

#[tokio::test]
async fn the_card_cap_has_a_documented_default_and_refuses_zero() {
    assert_eq!(Paging::new().max_cards, DEFAULT_MAX_CARDS);
    assert_eq!(DEFAULT_MAX_CARDS, 100_000);
    let server = server(3, 6).await;
    let items = all_cards(&server, Paging::new().max_cards(0)).await;
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().unwrap_err().nothing_sent());
    assert_eq!(requests(&server).await, 0);
}
