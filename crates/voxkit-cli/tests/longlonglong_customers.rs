//! `voxkit longlonglong customer ...` end to end: the real binary against the seeded
//! sandbox (whose pool holds the docs' customer 13012121212): components, list (a page,
//! --all, JSON), import from a phones file (line numbers on errors), delete behind --yes,
//! and the move into a task.

#[macro_use]
mod common;

use common::{in_sandbox as voxkit, longlonglong_sandbox};

const TASK: &str = "289b4a84-6d3c-4a4e-9f3a-2c1d0e5b7a61";

fn phones_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("voxkit-{name}-{}.txt", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_list_move_and_delete_through_the_pool() {
    let (sandbox, user) = longlonglong_sandbox().await;

    let components =
        voxkit!(sandbox, "longlonglong customer components --user {user} --output json" => 0)
            .json();
    assert_eq!(
        components["components"][0]["id"],
        "280f5b43-9d1c-4c59-a0c1-5bb9f7b4c0e2"
    );

    let file = phones_file(
        "import",
        "# phone,name,company\n13800000001,李四,阿里\n\n13800000002\n",
    );
    let file_path = file.display();
    let out = voxkit!(sandbox, "longlonglong customer import --user {user} --phones-file {file_path}" => 0);
    assert!(out.stdout.contains("2 customers"), "{out:#?}");

    let listed = voxkit!(sandbox, "longlonglong customer list --user {user} --all --per-page 1 --output json" => 0)
    .json();
    let rows = listed["customers"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        3,
        "the seeded customer and two imported: {listed}"
    );
    assert_eq!(listed["meta"]["total"], 3, "{listed}");
    let text =
        voxkit!(sandbox, "longlonglong customer list --user {user} --phone 13800000001" => 0);
    assert!(
        text.stdout.contains("李四") && text.stdout.trim_end().ends_with("1 customer"),
        "{text:#?}"
    );

    let moved = voxkit!(sandbox, "longlonglong customer to-task --user {user} --task {TASK} --phone 13012121212 --operator telecom --output json" => 0)
        .json();
    assert!(moved["data"]["unique_id"].is_string(), "{moved}");
    let seeded = voxkit!(sandbox, "longlonglong customer list --user {user} --phone 13012121212 --output json" => 0)
    .json();
    assert_eq!(seeded["customers"][0]["task_ids"][0], TASK, "{seeded}");

    // Not confirmed (stdin is not a terminal): nothing sent, the rows stay.
    voxkit!(sandbox, "longlonglong customer delete --user {user} --phone 13800000001" => 2);
    let deleted = voxkit!(sandbox, "longlonglong customer delete --user {user} --phone 13800000001 --yes --output json" => 0)
    .json();
    assert_eq!(deleted["data"]["deleted"], 1, "{deleted}");
    let left =
        voxkit!(sandbox, "longlonglong customer list --user {user} --all --output json" => 0)
            .json();
    assert_eq!(left["customers"].as_array().unwrap().len(), 2, "{left}");
    let _ = std::fs::remove_file(file);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_phone_names_its_line_and_nothing_is_sent() {
    let (sandbox, user) = longlonglong_sandbox().await;
    let file = phones_file("bad", "13800000001\n# note\n+86 138\n");
    let file_path = file.display();
    let out = voxkit!(sandbox, "longlonglong customer import --user {user} --phones-file {file_path}" => 2);
    assert!(out.stderr.contains("line 3"), "{out:#?}");
    let listed =
        voxkit!(sandbox, "longlonglong customer list --user {user} --output json" => 0).json();
    assert_eq!(
        listed["customers"].as_array().unwrap().len(),
        1,
        "only the seeded one: {listed}"
    );
    let _ = std::fs::remove_file(file);
}
