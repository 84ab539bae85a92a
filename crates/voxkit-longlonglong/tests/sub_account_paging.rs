//! Every sub-account over every page (`sub_accounts_all`, core's walk over the list's
//! `meta` paginator), against wiremock servers that page correctly, ignore `page` or
//! ignore `per_page`: the stream reads the whole list or ends with an error, never short.

use common::client;
use futures_util::StreamExt as _;
use serde_json::{Value, json};
use voxkit_longlonglong::{SubAccountQuery, UserId};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

mod common;

const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
const ROUTE: &str = "/agent-api/user/5433b412-07d5-44e6-9fa4-deb65e43bc93/subset_users";

fn user() -> UserId {
    USER.parse().unwrap()
}

fn sub(n: u64) -> Value {
    json!({"id": format!("00000000-0000-4000-8000-{n:012}"), "name": format!("sub-{n}"),
           "email": format!("{n}@example.com")})
}

fn query_of(request: &Request, key: &str) -> Option<u64> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.parse().unwrap())
}

/// `total` sub-accounts, `per_page` a page (or `fixed` whatever is asked), `page` obeyed
/// unless `ignore_page`.
struct List {
    total: u64,
    fixed: Option<u64>,
    ignore_page: bool,
}

impl Respond for List {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let size = self.fixed.or(query_of(request, "per_page")).unwrap_or(15);
        let page = if self.ignore_page {
            1
        } else {
            query_of(request, "page").unwrap_or(1)
        };
        let first = (page - 1) * size;
        let items: Vec<Value> = (first..self.total.min(first + size)).map(sub).collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "code": 200, "status": "success", "message": "ok", "data": items,
            "meta": {"has_pages": self.total > size, "total": self.total,
                     "last_page": self.total.div_ceil(size).max(1), "current_page": page,
                     "per_page": size.to_string()}
        }))
    }
}

async fn serve(list: List) -> MockServer {
    common::serve(ROUTE, list).await
}

async fn asked(server: &MockServer) -> Vec<(Option<u64>, Option<u64>)> {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .map(|r| (query_of(r, "page"), query_of(r, "per_page")))
        .collect()
}

#[tokio::test]
async fn every_page_is_read_up_to_the_total_with_the_filters_kept() {
    let server = serve(List {
        total: 7,
        fixed: None,
        ignore_page: false,
    })
    .await;
    let subs: Vec<_> = client(&server.uri())
        .sub_accounts_all(
            &user(),
            &SubAccountQuery::new().per_page(3).email("x@y").page(9),
        )
        .collect()
        .await;
    let names: Vec<String> = subs.into_iter().map(|s| s.unwrap().name.unwrap()).collect();
    assert_eq!(names.len(), 7, "{names:?}");
    assert_eq!(names[6], "sub-6");
    assert_eq!(
        asked(&server).await,
        [(Some(1), Some(3)), (Some(2), Some(3)), (Some(3), Some(3))],
        "the query's own page is replaced; no fourth request past the total"
    );
    let request = &server.received_requests().await.unwrap()[0];
    assert!(
        request.url.query().unwrap().contains("email=x%40y"),
        "{:?}",
        request.url
    );
}

#[tokio::test]
async fn a_server_that_ignores_page_or_per_page_ends_the_stream_with_incomplete() {
    for (list, why) in [
        (
            List {
                total: 40,
                fixed: None,
                ignore_page: true,
            },
            "only repeats",
        ),
        (
            List {
                total: 40,
                fixed: Some(20),
                ignore_page: false,
            },
            "more than the 15 asked",
        ),
    ] {
        let server = serve(list).await;
        let items: Vec<_> = client(&server.uri())
            .sub_accounts_all(&user(), &SubAccountQuery::new())
            .collect()
            .await;
        let err = items.last().unwrap().as_ref().unwrap_err();
        assert!(err.to_string().contains("incomplete"), "{err}");
        assert!(format!("{err:?}").contains(why), "{err:?}");
        assert!(items[..items.len() - 1].iter().all(Result::is_ok));
    }
}
