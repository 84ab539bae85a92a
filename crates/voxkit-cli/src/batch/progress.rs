//! Progress of a batch on stderr: an `indicatif` bar on a terminal (done / applied / refused /
//! in doubt, rate, ETA), plain periodic lines otherwise (a log file or CI keeps them readable).
//! The summary goes to stdout, so progress never mixes with what a script reads.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc::UnboundedReceiver;
use voxkit_journal::{Event, Progress, Tally};

/// Shows the progress events of `receiver` until the runner drops its sender: a bar when
/// stderr is a terminal, else a line every `every` rows (and at least every second while
/// rows finish). `label` names the phase (`batch`, `reconcile`).
pub async fn show(receiver: UnboundedReceiver<Progress>, every: u64, label: &'static str) {
    if std::io::stderr().is_terminal() {
        bar(receiver, label).await;
    } else {
        lines(receiver, every, label).await;
    }
}

/// The counts beside the bar: what a person watches while a batch runs.
pub fn bar_message(tally: &Tally) -> String {
    let mut message = format!(
        "{} applied, {} refused, {} in doubt",
        tally.applied, tally.refused, tally.in_doubt
    );
    for (count, name) in [
        (tally.undetermined, "undetermined"),
        (tally.skipped, "skipped"),
        (tally.unfinished, "unfinished"),
    ] {
        if count > 0 {
            message.push_str(&format!(", {count} {name}"));
        }
    }
    message
}

async fn bar(mut receiver: UnboundedReceiver<Progress>, label: &'static str) {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{prefix} [{bar:30}] {pos}/{len} done, {msg} ({per_sec}, ETA {eta})",
    )
    .map(|style| style.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(format!("voxkit: {label}"));
    bar.enable_steady_tick(Duration::from_millis(200));
    let mut last = None;
    while let Some(progress) = receiver.recv().await {
        let tally = &progress.tally;
        bar.set_length(tally.rows.max(tally.done));
        bar.set_position(tally.done);
        bar.set_message(bar_message(tally));
        last = Some(progress.tally);
    }
    match last {
        Some(tally) => bar.finish_with_message(bar_message(&tally)),
        None => bar.finish_and_clear(),
    }
}

async fn lines(mut receiver: UnboundedReceiver<Progress>, every: u64, label: &'static str) {
    let started = Instant::now();
    let mut last_line = Instant::now();
    let mut last_done = 0;
    let mut last: Option<Tally> = None;
    while let Some(progress) = receiver.recv().await {
        let done = progress.tally.done;
        let due = matches!(progress.event, Event::Row(_))
            && (done >= last_done + every.max(1) || last_line.elapsed() >= Duration::from_secs(1));
        if due {
            eprintln!("{}", line(label, &progress.tally, started.elapsed()));
            last_line = Instant::now();
            last_done = done;
        }
        last = Some(progress.tally);
    }
    // The last counts, unless the last line already showed them.
    if let Some(tally) = last.filter(|t| t.done != last_done || t.done == 0) {
        eprintln!("{}", line(label, &tally, started.elapsed()));
    }
}

/// One plain progress line.
pub fn line(label: &str, tally: &Tally, elapsed: Duration) -> String {
    let rate = tally.done as f64 / elapsed.as_secs_f64().max(0.001);
    format!(
        "voxkit: {label}: {}/{} done, {} applied, {} refused, {} in doubt, {} undetermined, \
         {} skipped, {rate:.1} rows/s",
        tally.done,
        // A fleet's recovery also finishes intents other processes journal meanwhile.
        tally.rows.max(tally.done),
        tally.applied,
        tally.refused,
        tally.in_doubt,
        tally.undetermined,
        tally.skipped
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_shows_the_counts_that_matter_and_hides_zeros_of_the_rare_ones() {
        let tally = Tally {
            rows: 10,
            done: 6,
            applied: 4,
            refused: 1,
            in_doubt: 2,
            skipped: 1,
            ..Tally::default()
        };
        assert_eq!(
            bar_message(&tally),
            "4 applied, 1 refused, 2 in doubt, 1 skipped"
        );
        let text = line("batch", &tally, Duration::from_secs(2));
        assert!(
            text.starts_with("voxkit: batch: 6/10 done, 4 applied, 1 refused, 2 in doubt"),
            "{text}"
        );
        assert!(text.ends_with("3.0 rows/s"), "{text}");
    }
}
