//! Time as the providers see it: China time (UTC+8), "today" pinnable for tests.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};

/// China time, where the providers live: UTC+8.
pub(crate) fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The current time in China.
pub(crate) fn china_now() -> NaiveDateTime {
    DateTime::<Utc>::from(SystemTime::now())
        .with_timezone(&china())
        .naive_local()
}

/// A China local time with its offset.
pub(crate) fn at_china(t: NaiveDateTime) -> DateTime<FixedOffset> {
    t.and_local_timezone(china())
        .single()
        .expect("a fixed offset maps every time once")
}

/// Milliseconds since the Unix epoch (ESP-AI's timestamps).
pub(crate) fn epoch_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The sandbox's clock: real China time, on a pinned day if one is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Clock {
    /// The pinned day ([`SandboxBuilder::today`](crate::SandboxBuilder::today)).
    pub today: Option<NaiveDate>,
}

impl Clock {
    /// Today in China time, or the pinned day.
    pub(crate) fn today(&self) -> NaiveDate {
        self.today.unwrap_or_else(|| china_now().date())
    }

    /// Now in China time, on the pinned day if there is one.
    pub(crate) fn now(&self) -> NaiveDateTime {
        let now = china_now();
        match self.today {
            Some(day) => day.and_time(now.time()),
            None => now,
        }
    }
}
