//! `voxkit longlonglong record ...` end to end: the real binary against the seeded sandbox,
//! whose docs' record (task 289b4a84…, record 7d1c2b3a…) is read as a list, turn by turn,
//! as a recording URL that the sandbox serves as a WAV, and as quality tags.

#[macro_use]
mod common;

use voxkit_sandbox::Sandbox;

use common::{in_sandbox as voxkit, longlonglong_sandbox};

const TASK: &str = "289b4a84-6d3c-4a4e-9f3a-2c1d0e5b7a61";
const RECORD: &str = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

/// `GET path` on the sandbox over a plain loopback connection (no token: a recording URL
/// is opened as it is); the whole answer, headers and body.
async fn raw_get(sandbox: &Sandbox, path: &str) -> Vec<u8> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_record_is_listed_shown_and_its_recording_served() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let ids = format!("--user {user} --task {TASK}");

    let out = voxkit!(sandbox, "longlonglong record list {ids}" => 0);
    assert!(
        out.stdout.contains("13012121212") && out.stdout.contains(RECORD),
        "{out:#?}"
    );
    assert!(out.stdout.trim_end().ends_with("1 call record"), "{out:#?}");
    let json = voxkit!(sandbox, "longlonglong record list {ids} --all --output json" => 0).json();
    assert_eq!(json["records"].as_array().unwrap().len(), 1, "{json}");
    assert_eq!(json["records"][0]["id"], RECORD);

    let shown =
        voxkit!(sandbox, "longlonglong record show {ids} --record {RECORD} --output json" => 0)
            .json();
    let turns = shown["turns"].as_array().unwrap();
    assert_eq!(turns.len(), 3, "{shown}");
    assert_eq!(turns[0]["notify"], "enter");

    let urls = voxkit!(sandbox, "longlonglong record recordings {ids} --record {RECORD} --output json" => 0)
    .json();
    let url = urls["data"][0]["url"].as_str().expect("a URL").to_owned();
    assert!(
        url.starts_with(&sandbox.url()) && url.ends_with(&format!("{RECORD}.wav")),
        "{url}"
    );
    let answer = raw_get(&sandbox, &url[sandbox.url().len()..]).await;
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer[..40])
    );
    let body = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| &answer[at + 4..])
        .expect("a body");
    assert_eq!(&body[..4], b"RIFF");
    assert_eq!(&body[8..12], b"WAVE");

    let tags =
        voxkit!(sandbox, "longlonglong record tags {ids} --record {RECORD} --output json" => 0)
            .json();
    assert_eq!(tags["data"]["record_id"], RECORD);
    assert_eq!(tags["data"]["tags"].as_array().unwrap().len(), 1, "{tags}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_grades_and_unknown_records_fail_with_their_exit_codes() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let ids = format!("--user {user} --task {TASK}");
    let out = voxkit!(sandbox, "longlonglong record list {ids} --tag Z" => 2);
    assert!(out.stderr.contains("--tag"), "{out:#?}");
    let other = "00000000-0000-4000-8000-000000000000";
    voxkit!(sandbox, "longlonglong record show {ids} --record {other}" => 3);
}
