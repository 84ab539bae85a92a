//! Uploads a voice file, creates an IVR group-call task calling the given numbers with it,
//! and lists today's tasks.
//!
//! ```sh
//! LAAFFIC_API_KEY=... LAAFFIC_API_SECRET=... \
//!     cargo run -p voxkit-laaffic --example ivr_campaign -- <app-id> <task-name> <voice.mp3> <number>...
//! ```
//!
//! `LAAFFIC_BASE_URL` points it elsewhere (a proxy, a local stand-in).

use std::process::ExitCode;

use voxkit_laaffic::{Callee, Client, Error, NewTask, TaskQuery, VoiceSource};

async fn run(args: &[String]) -> Result<(), Error> {
    let client = Client::from_env()?;
    let [app_id, task_name, voice, numbers @ ..] = args else {
        unreachable!("checked by main");
    };
    // Not repeatable: if the answer is lost, the error says so (outcome unknown).
    let file = client.upload_voice_file_from_path(voice).await?;
    eprintln!("uploaded: voice file {file}");
    let task = NewTask::new(
        app_id.as_str(),
        task_name.as_str(),
        VoiceSource::file(file),
        numbers.iter().map(|n| Callee::new(n.as_str())),
    )
    .loop_count(2);
    let id = client.create_task(&task).await?;
    eprintln!("created: task {id:?}");
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).naive_utc();
    let page = client
        .query_tasks(&TaskQuery::new(now - chrono::TimeDelta::days(1), now))
        .await?;
    for task in page.records {
        eprintln!(
            "{} {:?} {:?} ({:?} of {:?} called)",
            task.task_id, task.task_name, task.status, task.call_num, task.num_cnt
        );
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 {
        eprintln!("usage: ivr_campaign <app-id> <task-name> <voice.mp3> <number>...");
        return ExitCode::from(2);
    }
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.outcome_unknown() => {
            eprintln!("{e}\n(check the task list before trying again)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
