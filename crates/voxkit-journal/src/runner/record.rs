//! Outcomes written in batches: every drive task hands its outcome to one recorder per run,
//! which writes all that are waiting with one [`Journal::record_outcomes`] (one commit), then
//! tells each task how its row went. A row's outcome is still durable before the task goes on
//! (or the row is reported); what is shared is the commit.
//!
//! Why here and not in each store: the stores already write a batch in one transaction; what
//! makes batches is many rows finishing at once, which only the runner sees. With one commit
//! per row, a PostgreSQL journal paid a round trip and a WAL flush per row.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::{Error, Journal, Outcome};

/// The most outcomes one write holds: bounds how long a batch keeps the next one waiting.
const MAX_BATCH: usize = 512;

/// One outcome waiting to be written, and where to say how it went.
struct Waiting {
    key: String,
    outcome: Outcome,
    done: oneshot::Sender<Result<(), Error>>,
}

/// A run's outcome writer: cheap to share; its task ends when the last handle is dropped.
pub(super) struct Recorder {
    queue: mpsc::UnboundedSender<Waiting>,
}

impl Recorder {
    /// A recorder writing to `journal` as `owner`, on a task of its own.
    pub(super) fn start(journal: Arc<dyn Journal>, owner: String) -> Self {
        let (queue, mut waiting) = mpsc::unbounded_channel::<Waiting>();
        tokio::spawn(async move {
            let mut batch = Vec::new();
            while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let (rows, done): (Vec<_>, Vec<_>) = batch
                    .drain(..)
                    .map(|w| ((w.key, w.outcome), w.done))
                    .unzip();
                match journal.record_outcomes(&owner, rows).await {
                    Ok(results) => {
                        for (done, result) in done.into_iter().zip(results) {
                            let _ = done.send(result);
                        }
                    }
                    Err(error) => {
                        let text = error.to_string();
                        for done in done {
                            let _ = done.send(Err(Error::Database(text.clone())));
                        }
                    }
                }
            }
        });
        Self { queue }
    }

    /// Writes `outcome` of `key` with the next batch; returns once that batch is durable (or
    /// failed: the journal's error).
    pub(super) async fn record(&self, key: &str, outcome: Outcome) -> Result<(), Error> {
        let (done, result) = oneshot::channel();
        let stopped = || Error::Database("the journal's outcome writer stopped".to_owned());
        self.queue
            .send(Waiting {
                key: key.to_owned(),
                outcome,
                done,
            })
            .map_err(|_| stopped())?;
        result.await.map_err(|_| stopped())?
    }
}
