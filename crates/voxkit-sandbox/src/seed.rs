//! The demo data a sandbox starts with, and [`Seed`], what it tells the caller about it.

use chrono::Days;

use crate::state::State;

/// What [`SandboxBuilder::seeded`](crate::SandboxBuilder::seeded) creates, for the caller
/// to use.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Seed {
    /// A longlonglong user with billing enabled, balance 1000, expiring in a year.
    pub longlonglong_user: String,
    /// A longlonglong user without billing permission (recharges get `10004`).
    pub longlonglong_user_without_billing: String,
    /// The phone of the ESP-AI user owning the seeded cards.
    pub espai_phone: String,
    /// The codes of the seeded paid cards (quota 500 and 200).
    pub espai_paid_codes: Vec<String>,
    /// The code of the seeded free card (type `"0"`, quota 100: it cannot be transferred).
    pub espai_free_code: String,
    /// The id of a seeded paid card with zero quota (it can be destroyed).
    pub espai_empty_card_id: String,
    /// A seeded Laaffic voice file (the upload example's id), named `test.mp3`.
    pub laaffic_voice_file: String,
    /// A completed Laaffic IVR task (the query example's `jobId` 5000602) calling two
    /// numbers, with their call records: it can be read and resent.
    pub laaffic_task: u64,
    /// A Laaffic IVR task scheduled a year ahead: it stays waiting (status 0), so it can be
    /// paused and cancelled.
    pub laaffic_scheduled_task: u64,
    /// The `voiceId` of one call record of [`Seed::laaffic_task`].
    pub laaffic_voice_id: String,
}

impl Seed {
    /// What an unseeded sandbox tells: nothing.
    pub(crate) fn none() -> Seed {
        Seed {
            longlonglong_user: String::new(),
            longlonglong_user_without_billing: String::new(),
            espai_phone: String::new(),
            espai_paid_codes: Vec::new(),
            espai_free_code: String::new(),
            espai_empty_card_id: String::new(),
            laaffic_voice_file: String::new(),
            laaffic_task: 0,
            laaffic_scheduled_task: 0,
            laaffic_voice_id: String::new(),
        }
    }
}

/// The demo data: two longlonglong users, ESP-AI cards, Laaffic IVR data.
pub(crate) fn seed(state: &mut State) -> Seed {
    let in_a_year = state.today().checked_add_days(Days::new(365));
    let user = state.add_user("示例用户", 1000, in_a_year, true);
    let without = state.add_user("未开通账单用户", 0, in_a_year, false);
    state.longlonglong.seed_blacklist(&user, state.now());
    let phone = "15916888888";
    let (espai, rng) = (&mut state.espai, &mut state.rng);
    espai.person(phone, "琳琅", rng);
    for (code, card_type, quota) in [
        ("wNaa1GDw", "1", 500),
        ("Qk3mZ8pL", "2", 200),
        ("Fr3eTr1a", "0", 100),
    ] {
        espai.add_card(phone, code, card_type, quota, rng);
    }
    let empty = espai.add_card(phone, "Empty0Qt", "1", 0, rng);
    // The transfer example's target card, owned by someone else.
    espai.person("17516888888", "小明", rng);
    espai.add_card("17516888888", "3AoPbLSQ", "1", 50, rng);
    let now = state.now();
    let ivr = state.ivr.seed(now, &mut state.rng);
    Seed {
        longlonglong_user: user,
        longlonglong_user_without_billing: without,
        espai_phone: phone.to_owned(),
        espai_paid_codes: vec!["wNaa1GDw".into(), "Qk3mZ8pL".into()],
        espai_free_code: "Fr3eTr1a".into(),
        espai_empty_card_id: empty,
        laaffic_voice_file: ivr.voice_file,
        laaffic_task: ivr.done_task,
        laaffic_scheduled_task: ivr.scheduled_task,
        laaffic_voice_id: ivr.voice_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_is_deterministic() {
        let a = seed(&mut State::new(7, None));
        let b = seed(&mut State::new(7, None));
        assert_eq!(a, b);
    }
}
