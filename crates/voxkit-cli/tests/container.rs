//! End to end: `voxkit sandbox` as the container image runs it (see the Dockerfile):
//! listening on every interface, it must print base URLs that clients can connect to —
//! `--public-url` / `VOXKIT_SANDBOX_PUBLIC_URL` when given, else the loopback address.
//! Only loopback traffic: the clients connect to 127.0.0.1.

mod common;

use serde_json::Value;

use common::{serve, spawn};

/// The `*_BASE_URL` variables the sandbox prints.
const BASE_URLS: [&str; 3] = [
    "LONGLONGLONG_BASE_URL",
    "LAAFFIC_BASE_URL",
    "ESPAI_BASE_URL",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_every_interface_it_prints_a_loopback_url_that_works() {
    let mut served = serve(&["--addr", "0.0.0.0:0"], &[]).await;
    let lines = &served.lines;
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("# serving http://127.0.0.1:") && last.contains("(listening on 0.0.0.0:"),
        "{lines:#?}"
    );
    let url = served.var("LAAFFIC_BASE_URL");
    assert!(url.starts_with("http://127.0.0.1:"), "{lines:#?}");
    for name in BASE_URLS {
        assert_eq!(served.var(name), url, "{lines:#?}");
    }

    // What it printed points a client at it.
    let args = ["laaffic", "balance", "--output", "json"];
    let json = spawn(&served.env(), None, &args).await.expect(0).json();
    assert!(json["balance"].is_string(), "{json}");
    served.child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_url_replaces_the_listening_address_everywhere() {
    // From the environment, as the image sets it; in JSON.
    let mut served = serve(
        &["--addr", "127.0.0.1:0", "--output", "json"],
        &[("VOXKIT_SANDBOX_PUBLIC_URL", "http://localhost:9000/")],
    )
    .await;
    let info: Value = serde_json::from_str(served.lines.last().unwrap()).unwrap();
    assert_eq!(info["url"], "http://localhost:9000", "{info}");
    for name in BASE_URLS {
        assert_eq!(info["env"][name], "http://localhost:9000", "{info}");
    }
    served.child.kill().await.unwrap();

    // From the flag; in text, which still says where it listens.
    let mut served = serve(
        &[
            "--addr",
            "127.0.0.1:0",
            "--public-url",
            "https://sandbox.test:8443",
        ],
        &[],
    )
    .await;
    let lines = &served.lines;
    for name in BASE_URLS {
        assert_eq!(served.var(name), "https://sandbox.test:8443", "{lines:#?}");
    }
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("# serving https://sandbox.test:8443 (listening on 127.0.0.1:"),
        "{lines:#?}"
    );
    served.child.kill().await.unwrap();

    // A URL with a path is refused before anything listens.
    let args = "sandbox --addr 127.0.0.1:0 --public-url http://x/v3";
    spawn(&[], None, &args.split(' ').collect::<Vec<_>>())
        .await
        .expect(2);
}
