//! The whole IVR group-call workflow: uploads a voice file, creates a task calling the
//! given numbers with it, watches the task until it finishes, and prints its call records.
//!
//! ```sh
//! LAAFFIC_API_KEY=... LAAFFIC_API_SECRET=... \
//!     cargo run -p voxkit-laaffic --example ivr_campaign -- <app-id> <task-name> <voice.mp3> <number>...
//! ```
//!
//! Without arguments it runs a demo campaign (a generated `.wav`, two example numbers, a
//! task name made unique by the time), meant for a local sandbox:
//!
//! ```sh
//! cargo run -p voxkit-cli -- sandbox        # prints the `export` lines to use
//! eval "$(...those lines...)"
//! cargo run -p voxkit-laaffic --example ivr_campaign
//! ```
//!
//! `LAAFFIC_BASE_URL` points it at the sandbox (or a proxy).

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use voxkit_laaffic::{
    Callee, Client, Error, NewTask, RecordQuery, TaskId, TaskQuery, TaskStatus, VoiceSource,
};

/// How often the task is looked at, and how many times at most.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
const MAX_POLLS: u32 = 20;

/// What to run: from the arguments, or the demo.
struct Campaign {
    app_id: String,
    task_name: String,
    /// A file to upload, or the demo's generated content under a generated name.
    voice: Voice,
    numbers: Vec<String>,
}

enum Voice {
    Path(String),
    Generated { name: String, content: Vec<u8> },
}

impl Campaign {
    fn from_args(args: &[String]) -> Option<Campaign> {
        match args {
            [] => {
                let stamp = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                Some(Campaign {
                    app_id: "demo-app".into(),
                    task_name: format!("demo campaign {stamp}"),
                    voice: Voice::Generated {
                        name: format!("demo-{stamp}.wav"),
                        // A WAV header's first bytes: enough for a stand-in.
                        content: b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec(),
                    },
                    numbers: vec!["8613800138000".into(), "6591234567".into()],
                })
            }
            [app_id, task_name, voice, numbers @ ..] if !numbers.is_empty() => Some(Campaign {
                app_id: app_id.clone(),
                task_name: task_name.clone(),
                voice: Voice::Path(voice.clone()),
                numbers: numbers.to_vec(),
            }),
            _ => None,
        }
    }
}

fn now() -> DateTime<FixedOffset> {
    DateTime::<Utc>::from(SystemTime::now()).fixed_offset()
}

async fn run(campaign: Campaign) -> Result<(), Error> {
    let client = Client::from_env()?;
    let started = now();

    // 1. Upload. Not repeatable: if the answer is lost, the error says so (outcome unknown).
    let file = match &campaign.voice {
        Voice::Path(path) => client.upload_voice_file_from_path(path).await?,
        Voice::Generated { name, content } => client.upload_voice_file(name, content).await?,
    };
    eprintln!("uploaded: voice file {file}");

    // 2. Create the task.
    let task = NewTask::new(
        campaign.app_id.as_str(),
        campaign.task_name.as_str(),
        VoiceSource::file(file),
        campaign.numbers.iter().map(|n| Callee::new(n.as_str())),
    );
    let id = match client.create_task(&task).await? {
        Some(id) => id,
        // No id in the answer: find the task by its (unique) name.
        None => find(&client, &campaign.task_name).await?,
    };
    eprintln!("created: task {id}");

    // 3. Watch it until it is done (or stopped), a bounded number of times.
    let mut finished = false;
    for poll in 1..=MAX_POLLS {
        let detail = client.task_detail(id).await?;
        eprintln!(
            "poll {poll}: status {:?}, {:?} of {:?} called",
            detail.status, detail.call_total, detail.num_cnt
        );
        match detail.status {
            Some(TaskStatus::Completed) => {
                finished = true;
                break;
            }
            Some(TaskStatus::Cancelled | TaskStatus::Paused | TaskStatus::SubmitFailed) => {
                eprintln!("the task stopped before finishing");
                return Ok(());
            }
            _ => tokio::time::sleep(POLL_INTERVAL).await,
        }
    }
    if !finished {
        eprintln!("the task is still running after {MAX_POLLS} polls; its records come later");
        return Ok(());
    }

    // 4. Its call records: the window since just before the upload.
    let query = RecordQuery::new(
        started - TimeDelta::minutes(1),
        now() + TimeDelta::minutes(1),
    )
    .page(1, 100);
    let page = client.call_records(&query).await?;
    // This campaign's: its numbers, submitted since it started (whole seconds on the wire).
    let since = started - TimeDelta::seconds(1);
    let mine = page.items.iter().filter(|r| {
        r.callee
            .as_ref()
            .is_some_and(|c| campaign.numbers.contains(c))
            && r.submit_time.is_none_or(|t| t >= since)
    });
    #[allow(clippy::print_stdout)]
    for r in mine {
        println!(
            "{}  {}  code {}  {} s (charged {} s)  cost {} {}",
            r.voice_id,
            r.callee.as_deref().unwrap_or("?"),
            r.termination_code.as_deref().unwrap_or("?"),
            r.call_duration.unwrap_or(0),
            r.charged_duration.unwrap_or(0),
            r.cost.map_or_else(|| "?".into(), |c| c.to_string()),
            r.currency.as_deref().unwrap_or(""),
        );
    }
    Ok(())
}

/// The id of the task called `name`, created within the last day.
async fn find(client: &Client, name: &str) -> Result<TaskId, Error> {
    let now = now().naive_local();
    let page = client
        .query_tasks(
            &TaskQuery::new(now - TimeDelta::days(1), now + TimeDelta::days(1)).search(name),
        )
        .await?;
    page.items
        .iter()
        .find(|t| t.task_name.as_deref() == Some(name))
        .map(|t| t.task_id)
        .ok_or_else(|| {
            Error::invalid_input(
                voxkit_core::Origin::new(voxkit_laaffic::PROVIDER, "create_task"),
                "the new task is not in the task list",
            )
        })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(campaign) = Campaign::from_args(&args) else {
        eprintln!("usage: ivr_campaign [<app-id> <task-name> <voice.mp3> <number>...]");
        return ExitCode::from(2);
    };
    match run(campaign).await {
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
