//! Criterion micro-benchmarks of the SDK layer alone (no network): the Laaffic signer, a
//! whole call of each provider through an in-memory transport (request building, auth,
//! envelope decoding), and decoding the 10,000-card list through voxkit's envelope versus
//! plain `serde_json::from_slice` into equivalent structs.

// `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use voxkit_core::reqwest::StatusCode;
use voxkit_core::reqwest::header::HeaderMap;
use voxkit_core::{HttpRequest, HttpResponse, Transport, TransportError, async_trait};

// The benchmark server's bodies and plain-serde structs, shared with the binary (which has
// no library to import them from). The bench uses a part of them, and its harness drops the
// file's `#[test]`s (they run in the binary's tests), leaving their `use` unused.
#[allow(dead_code, unused_imports)]
#[path = "../src/fixtures.rs"]
mod fixtures;

use fixtures::{PlainList, cards_body};

/// Answers every request with the same body, instantly.
struct Canned(Bytes);

#[async_trait]
impl Transport for Canned {
    async fn send(&self, _: HttpRequest, _: usize) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: self.0.clone(),
        })
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn signer(c: &mut Criterion) {
    c.bench_function("laaffic signature", |b| {
        b.iter(|| {
            voxkit_laaffic::signature(
                black_box("bench-key"),
                black_box("bench-secret"),
                black_box(1_630_468_800),
            )
        })
    });
}

fn calls(c: &mut Criterion) {
    let rt = runtime();
    let laaffic = voxkit_laaffic::Client::builder()
        .credentials("bench-key", "bench-secret")
        .transport(Arc::new(Canned(Bytes::from_static(
            br#"{"status":"0","reason":"success","balance":"99.990000","gift":"50.00000","credit":"0"}"#,
        ))))
        .build()
        .expect("client");
    c.bench_function("laaffic balance call (in-memory transport)", |b| {
        b.iter(|| rt.block_on(laaffic.balance()).expect("balance"))
    });

    let lll = voxkit_longlonglong::Client::builder()
        .token("bench-token")
        .transport(Arc::new(Canned(Bytes::from_static(
            r#"{"code":200,"status":"success","message":"AI外呼充值操作成功","data":[]}"#
                .as_bytes(),
        ))))
        .build()
        .expect("client");
    let user: voxkit_longlonglong::UserId = "5433b412-07d5-44e6-9fa4-deb65e43bc93"
        .parse()
        .expect("uuid");
    c.bench_function("longlonglong recharge call (in-memory transport)", |b| {
        b.iter(|| {
            rt.block_on(lll.recharge(&user, 100, Some("bench")))
                .expect("recharge")
        })
    });

    let espai = voxkit_espai::Client::builder()
        .api_key("bench-open-api-key")
        .transport(Arc::new(Canned(cards_body(1))))
        .build()
        .expect("client");
    let filter = voxkit_espai::CardFilter::new().limit(10);
    c.bench_function("espai list call, 1 card (in-memory transport)", |b| {
        b.iter(|| rt.block_on(espai.list_cards(&filter)).expect("list"))
    });
}

fn decode_10k(c: &mut Criterion) {
    let rt = runtime();
    let body = cards_body(10_000);
    let espai = voxkit_espai::Client::builder()
        .api_key("bench-open-api-key")
        .transport(Arc::new(Canned(body.clone())))
        .build()
        .expect("client");
    let filter = voxkit_espai::CardFilter::new().limit(10_000);
    let mut group = c.benchmark_group("decode 10k cards");
    group.sample_size(20);
    group.bench_function("voxkit list_cards (envelope + typed cards)", |b| {
        b.iter(|| {
            let page = rt.block_on(espai.list_cards(&filter)).expect("list");
            assert_eq!(page.items.len(), 10_000);
        })
    });
    group.bench_function("plain serde_json::from_slice", |b| {
        b.iter(|| {
            let list: PlainList = serde_json::from_slice(black_box(&body)).expect("decode");
            assert_eq!(list.data.len(), 10_000);
        })
    });
    group.bench_function("via serde_json::Value (for reference)", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_slice(black_box(&body)).expect("decode");
            let list: PlainList = serde_json::from_value(v).expect("decode");
            assert_eq!(list.data.len(), 10_000);
        })
    });
    group.finish();
}

criterion_group!(benches, signer, calls, decode_10k);
criterion_main!(benches);
