//! The rate limit on sends ([`Settings::rate_per_sec`](super::Settings::rate_per_sec)).

use std::sync::Mutex;
use std::time::Duration;

/// Spaces sends at most `rate` a second, shared by all of a runner's tasks.
pub(super) struct Limiter {
    interval: Option<Duration>,
    next: Mutex<tokio::time::Instant>,
}

impl Limiter {
    pub(super) fn new(rate: Option<f64>) -> Self {
        let interval = rate
            .filter(|r| r.is_finite() && *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r));
        Self {
            interval,
            next: Mutex::new(tokio::time::Instant::now()),
        }
    }

    pub(super) async fn wait(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self.next.lock().expect("rate limit lock");
            let slot = (*next).max(tokio::time::Instant::now());
            *next = slot + interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}
