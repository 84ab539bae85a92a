//! The demo data a sandbox starts with, and [`Seed`], what it tells the caller about it.

use chrono::Days;

use crate::state::State;

/// What [`SandboxBuilder::seeded`](crate::SandboxBuilder::seeded) creates, for the caller
/// to use.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// A seeded Laaffic voice file (the upload example's id), named `seed-voice.mp3`.
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

/// The documentation's longlonglong user (外呼充值, 子账户注册 examples).
pub const DOCS_USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
/// The documentation's second longlonglong user (设置用户过期时间 example).
pub const DOCS_EXPIRY_USER: &str = "5832d184-dd53-42a0-8ace-0bf8d660f4cc";
/// The documentation's ESP-AI user id (the `user_id` of every card example): the account
/// the sandbox's open API key belongs to.
pub const DOCS_ESPAI_USER: &str = "87215a4192654cea8781a1a596d23cae";
/// The documentation's card id of `wNaa1GDw` (list and detail examples).
pub const DOCS_CARD: &str = "772868ead56c48d68fd1924aa5ec3aac";
/// The documentation's destroy example's card id: seeded paid with zero quota.
pub const DOCS_EMPTY_CARD: &str = "196bd2a26e4d459f9dc7d12053a05c15";

/// The demo data, with the documentation's own example ids and values: the longlonglong
/// users [`DOCS_USER`] (billing, balance 1000)
/// and [`DOCS_EXPIRY_USER`] and one without billing; the ESP-AI account
/// [`DOCS_ESPAI_USER`] (phone `15916888888`) with the cards `wNaa1GDw` ([`DOCS_CARD`],
/// 500), `Qk3mZ8pL`, `Fr3eTr1a` (free) and [`DOCS_EMPTY_CARD`], and another user's card
/// `3AoPbLSQ` (`17516888888`, the transfer example's target); Laaffic's voice file, tasks
/// and records.
pub(crate) fn seed(state: &mut State) -> Seed {
    let in_a_year = state.today().checked_add_days(Days::new(365));
    let user = state
        .longlonglong
        .add_user(DOCS_USER.into(), "示例用户", 1000, in_a_year, true);
    state
        .longlonglong
        .add_user(DOCS_EXPIRY_USER.into(), "示例用户2", 1000, in_a_year, true);
    let without = state.add_user("未开通账单用户", 0, in_a_year, false);
    state.longlonglong.seed_blacklist(&user, state.now());
    crate::longlonglong::lines::seed(state, &user);
    crate::longlonglong::resources::seed(state, &user);
    crate::longlonglong::tasks::seed(state, &user);
    crate::longlonglong::records::seed(state, &user);
    crate::longlonglong::crm::seed(state, &user);
    let phone = "15916888888";
    let (espai, rng) = (&mut state.espai, &mut state.rng);
    espai.person(phone, "琳琅", rng);
    for (code, card_type, quota) in [
        ("wNaa1GDw", "1", 500),
        ("Qk3mZ8pL", "2", 200),
        ("Fr3eTr1a", "0", 100),
    ] {
        let id = espai.add_card(phone, code, card_type, quota, rng);
        if code == "wNaa1GDw" {
            espai.rename_card(&id, DOCS_CARD);
        }
    }
    let empty = espai.add_card(phone, "Empty0Qt", "1", 0, rng);
    espai.rename_card(&empty, DOCS_EMPTY_CARD);
    let empty = DOCS_EMPTY_CARD.to_owned();
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
