//! End to end: `voxkit laaffic sms send|batch` and `voxkit laaffic recall list|cancel` of
//! the real binary against the in-process sandbox, over loopback. The sandbox charges a
//! flat 0.05 per number and segment from the seeded balance of 99.99.

#[macro_use]
mod common;

use rust_decimal::Decimal;
use voxkit_sandbox::Sandbox;

use common::{LAAFFIC_APP as APP, Scratch, drop_next_answer, voxkit, voxkit_args_json};

/// The seeded balance: "99.990000".
fn seeded() -> Decimal {
    Decimal::new(9999, 2)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_to_numbers_spends_the_balance_and_lists_the_messages() {
    let sandbox = Sandbox::start().await.unwrap();
    let json = voxkit_args_json(
        &sandbox,
        &[
            "laaffic",
            "sms",
            "send",
            "--app-id",
            APP,
            "--numbers",
            "91856321412,91856321413",
            "--content",
            "hello world",
            "--sender-id",
            "123",
            "--order-id",
            "21412,21413",
        ],
    )
    .await;
    assert_eq!(json["success"], 2, "{json}");
    assert_eq!(json["messages"][1]["order_id"], "21413");
    assert_eq!(sandbox.laaffic_balance(), seeded() - Decimal::new(10, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_numbers_file_is_sent_in_requests_of_1000_with_a_progress_line_each() {
    let sandbox = Sandbox::start().await.unwrap();
    let thousand = Decimal::new(1_000, 0);
    sandbox.set_laaffic_balance(thousand, Decimal::ZERO, Decimal::ZERO);
    let scratch = Scratch::new("sms-numbers");
    let numbers: String = (0..2_500).map(|i| format!("9185{i:07}\n")).collect();
    let path = scratch.file("numbers.txt", numbers.as_bytes());
    let out = voxkit!(sandbox, "laaffic sms send --app-id {APP} --numbers-file {path} --content hi --output json" => 0);
    let progress: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(progress.len(), 3, "{out:#?}");
    assert!(
        progress[0].starts_with("request 1/3: 1000 numbers"),
        "{out:#?}"
    );
    assert!(
        progress[2].starts_with("request 3/3: 500 numbers"),
        "{out:#?}"
    );
    let json = out.json();
    assert_eq!(
        (json["requests"].as_u64(), json["success"].as_u64()),
        (Some(3), Some(2_500))
    );
    assert_eq!(sandbox.laaffic_balance(), thousand - Decimal::new(125, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_balance_is_refused_minus_10_and_a_lost_answer_is_exit_5_without_resend() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.set_laaffic_balance(Decimal::new(5, 2), Decimal::ZERO, Decimal::ZERO);
    let out = voxkit!(sandbox, "laaffic sms send --app-id {APP} --numbers 91856321412,91856321413 --content hi" => 3);
    assert!(out.stderr.contains("-10"), "{out:#?}");
    assert_eq!(
        sandbox.laaffic_balance(),
        Decimal::new(5, 2),
        "nothing spent"
    );

    sandbox.set_laaffic_balance(seeded(), Decimal::ZERO, Decimal::ZERO);
    drop_next_answer(&sandbox, "laaffic.sms_send_get");
    let out =
        voxkit!(sandbox, "laaffic sms send --app-id {APP} --numbers 91856321412 --content hi" => 5);
    assert!(out.stderr.contains("cannot be reconciled"), "{out:#?}");
    // Applied once (the fault dropped the answer after applying), never re-sent.
    assert_eq!(sandbox.laaffic_balance(), seeded() - Decimal::new(5, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_reads_json_lines_with_numbers_or_number_and_checks_before_sending() {
    let sandbox = Sandbox::start().await.unwrap();
    let scratch = Scratch::new("sms-batch");
    let good = scratch.file(
        "batch.jsonl",
        br#"{"numbers":"91856321412,91856321413","content":"test message","senderId":"","orderId":"56584,56585"}
{"number":"91856321414","content":"test message1","senderId":"","orderId":"56586"}
"#,
    );
    let json =
        voxkit!(sandbox, "laaffic sms batch --app-id {APP} --file {good} --output json" => 0)
            .json();
    assert_eq!(json["success"], 3, "{json}");
    assert_eq!(sandbox.laaffic_balance(), seeded() - Decimal::new(15, 2));
    let bad = scratch.file(
        "bad.jsonl",
        b"{\"numbers\":\"1\",\"content\":\"x\"}\nnot json\n",
    );
    let out = voxkit!(sandbox, "laaffic sms batch --app-id {APP} --file {bad}" => 2);
    assert!(out.stderr.contains("line 2"), "{out:#?}");
    assert_eq!(
        sandbox.laaffic_balance(),
        seeded() - Decimal::new(15, 2),
        "nothing sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recall_list_all_and_cancel_twice() {
    let sandbox = Sandbox::start().await.unwrap();
    let json = voxkit!(sandbox, "laaffic recall list --all --output json" => 0).json();
    assert_eq!(json["flows"][0]["key_id"], 12, "{json}");
    assert_eq!(json["flows"][0]["status"], 0);
    for _ in 0..2 {
        voxkit!(sandbox, "laaffic recall cancel --flow 12" => 0);
    }
    let json = voxkit!(sandbox, "laaffic recall list --task 5000602 --output json" => 0).json();
    assert_eq!(json["flows"][0]["status"], 3, "cancelled: {json}");
    let out = voxkit!(sandbox, "laaffic recall cancel --flow 99" => 3);
    assert!(out.stderr.contains("-24"), "{out:#?}");
}
