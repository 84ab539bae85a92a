//! 呼叫时间 (section 8 of the notes, "v1.2.31新增"): dial-time groups, the weekly hours in
//! which a task may call. List them (呼叫时间组-列表) and save a new one (呼叫时间组-保存).
//!
//! The list's answer is not documented; the group's shape is, by the mirror of 任务初始化
//! (`task_dial_times[]`: `id`, `name`, `user_id`, `content[{week, times[{begin_time,
//! end_time}]}]`, `is_default`, `remark`, `created_at`, `updated_at`). So the list is a
//! [`RawPage`] and [`DialTimeGroup::from_page`] reads the groups from it in that shape,
//! failing alone (not the call) if the server's shape differs.

use chrono::{NaiveDateTime, NaiveTime};
use futures_util::stream::{BoxStream, StreamExt};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};
use voxkit_core::reconcile::run_exactly_once;
use voxkit_core::{Error, ExactlyOnceOutcome, Operation, Paging, ReconcileWait, Verdict, check};

use crate::Client;
use crate::dates;
use crate::envelope::Undocumented;
use crate::ids::{SubUserId, UserId};
use crate::lines::RawPage;
use crate::listing::{paging, setters, with_sub};

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as};

group! {

    /// 呼叫时间组-列表: one page.
    pub(crate) DIAL_TIME_GROUPS {
        name: "dial_time_groups",
        method: GET,
        path: "agent-api/user/{user_id}/dial-time-group",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.dial_time_groups(&DOCS_USER.parse()?, Some(1), None).await.map(drop),
        decode: |r| decode_as::<Value>(&DIAL_TIME_GROUPS, r),
    }

    /// 呼叫时间组-保存: creates a group; a second request would create a second one. Found
    /// again by its name in the list.
    pub(crate) SAVE_DIAL_TIME_GROUP {
        name: "save_dial_time_group",
        method: POST,
        path: "agent-api/user/{user_id}/dial-time-group",
        idempotency: NotRepeatable,
        reconciliation: ByMarker {
            field: "name",
            found_by: "dial_time_groups",
        },
        example: |c| c.save_dial_time_group(&DOCS_USER.parse()?, &docs_group()?).await.map(drop),
        decode: |r| decode_as::<Value>(&SAVE_DIAL_TIME_GROUP, r),
        exactly_once: |c| {
            c.save_dial_time_group_exactly_once(&DOCS_USER.parse()?, &docs_group()?, &voxkit_core::test_util::FAST_RECONCILE).await
        },
        applied: |c| {
            let name = docs_group()?.name;
            let page = c.dial_time_groups(&DOCS_USER.parse()?, None, None).await?;
            Ok(page.items().unwrap_or_default().iter().filter(|g| g["name"] == name.as_str()).count())
        },
    }
}

/// A working-week group in the mirror's form (its 系统呼叫时间 hours): `week` 1–5, (`week` 1–5), 09:00–12:00 and 13:00–18:00.
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn docs_group() -> Result<NewDialTimeGroup, Error> {
    let hm = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    let day = |week| {
        DaySchedule::new(
            week,
            vec![
                TimeSpan::new(hm(9), hm(12))?,
                TimeSpan::new(hm(13), hm(18))?,
            ],
        )
    };
    NewDialTimeGroup::new(
        "工作日呼叫时间",
        (1..=5).map(day).collect::<Result<_, _>>()?,
    )
}

impl Client {
    /// One page of the user's dial-time groups (呼叫时间组-列表):
    /// `GET /agent-api/user/{user_id}/dial-time-group?page=..&sub_user_id=..`.
    ///
    /// A [`RawPage`] (the list's answer is undocumented); read the groups with
    /// [`DialTimeGroup::from_page`]. Repeatable.
    pub async fn dial_time_groups(
        &self,
        user: &UserId,
        page: Option<u32>,
        sub_user: Option<&SubUserId>,
    ) -> Result<RawPage, Error> {
        let op = Operation::of(&DIAL_TIME_GROUPS, &[user.as_str()])?;
        let op = with_sub(paging(op, DIAL_TIME_GROUPS.origin(), page, None)?, sub_user);
        self.raw_page(&DIAL_TIME_GROUPS, &op).await
    }

    /// Every dial-time group, page after page (the list takes no page size: the server's
    /// own), with core's paging guards. Each item is a record as sent.
    pub fn dial_time_groups_all(
        &self,
        user: &UserId,
        sub_user: Option<&SubUserId>,
    ) -> BoxStream<'static, Result<Value, Error>> {
        self.walk_pages(
            DIAL_TIME_GROUPS.origin(),
            Paging::new(None),
            |item: &Value| item.to_string(),
            (user.clone(), sub_user.cloned()),
            |client, (user, sub), number, _| async move {
                client
                    .dial_time_groups(&user, Some(number), sub.as_ref())
                    .await?
                    .into_page(DIAL_TIME_GROUPS.origin())
            },
        )
    }

    /// Saves a new dial-time group (呼叫时间组-保存):
    /// `POST /agent-api/user/{user_id}/dial-time-group` with `{"name", "content",
    /// "is_default", "skip_holiday", "sub_user_id"}`.
    ///
    /// **Not repeatable**: a lost answer is [`Error::OutcomeUnknown`]; settle it with
    /// [`Client::save_dial_time_group_exactly_once`] (the name is the key). The answer is
    /// not documented: raw JSON.
    pub async fn save_dial_time_group(
        &self,
        user: &UserId,
        group: &NewDialTimeGroup,
    ) -> Result<Undocumented, Error> {
        let op = Operation::of(&SAVE_DIAL_TIME_GROUP, &[user.as_str()])?
            .json(SAVE_DIAL_TIME_GROUP.origin(), group)?;
        self.undocumented(&SAVE_DIAL_TIME_GROUP, &op).await
    }

    /// How many of the user's dial-time groups are named `name` (every page).
    async fn dial_time_groups_named(
        &self,
        user: &UserId,
        sub_user: Option<&SubUserId>,
        name: &str,
    ) -> Result<usize, Error> {
        let mut found = 0;
        let mut groups = self.dial_time_groups_all(user, sub_user);
        while let Some(item) = groups.next().await {
            if item?.get("name").and_then(Value::as_str) == Some(name) {
                found += 1;
            }
        }
        Ok(found)
    }

    /// Whether the group named `name` was saved, from the list (every page): one →
    /// [`Verdict::Applied`]; none → [`Verdict::NotApplied`]; several, or a list that cannot
    /// be read in full → [`Verdict::Undetermined`]. Proves a save only for a name that was
    /// not there before ([`Client::save_dial_time_group_exactly_once`] checks). Only reads.
    pub async fn reconcile_save_dial_time_group(
        &self,
        user: &UserId,
        sub_user: Option<&SubUserId>,
        name: &str,
    ) -> Verdict {
        match self.dial_time_groups_named(user, sub_user, name).await {
            Ok(0) => Verdict::NotApplied,
            Ok(1) => Verdict::Applied(json!({ "name": name })),
            Ok(n) => Verdict::Undetermined(format!("{n} dial-time groups are named {name:?}")),
            Err(e) => Verdict::Undetermined(format!(
                "the dial-time group list could not be read in full: {e}"
            )),
        }
    }

    /// [`Client::save_dial_time_group`] exactly once, keyed by the group's name: a name
    /// already in the list is refused ([`Error::InvalidInput`], nothing sent); a lost
    /// answer is settled with [`Client::reconcile_save_dial_time_group`], and the same
    /// request re-sent once only when no group has the name.
    pub async fn save_dial_time_group_exactly_once(
        &self,
        user: &UserId,
        group: &NewDialTimeGroup,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let sub = group.sub_user_id.as_ref();
        if self.dial_time_groups_named(user, sub, &group.name).await? > 0 {
            return Err(Error::invalid_input(
                SAVE_DIAL_TIME_GROUP.origin(),
                "a dial-time group with this name already exists, so saving it could not be \
                 reconciled: choose a new name",
            ));
        }
        run_exactly_once(
            None,
            wait,
            || async { Ok(self.save_dial_time_group(user, group).await?.evidence()) },
            || self.reconcile_save_dial_time_group(user, sub, &group.name),
        )
        .await
    }
}

/// A new dial-time group (呼叫时间组-保存). Checked when made: a name of 1–64 characters, at
/// least one day, each `week` at most once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewDialTimeGroup {
    name: String,
    content: Vec<DaySchedule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_default: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip_holiday: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_user_id: Option<SubUserId>,
}

impl NewDialTimeGroup {
    /// `name` (名称) and `content` (the days and their hours).
    pub fn new(name: impl Into<String>, content: Vec<DaySchedule>) -> Result<Self, Error> {
        let origin = SAVE_DIAL_TIME_GROUP.origin();
        let name = name.into();
        check::chars(origin, "name", &name, 1, 64)?;
        if content.is_empty() {
            return Err(Error::invalid_input(origin, "content: at least one day"));
        }
        let weeks: Vec<u8> = content.iter().map(|d| d.week).collect();
        check::unique(origin, "content.week", &weeks)?;
        Ok(NewDialTimeGroup {
            name,
            content,
            is_default: None,
            skip_holiday: None,
            sub_user_id: None,
        })
    }

    setters! {
        /// `is_default`: make it the user's default group.
        fn is_default(is_default: bool);
        /// `skip_holiday`: do not call on public holidays.
        fn skip_holiday(skip_holiday: bool);
        /// `sub_user_id`: save it for this sub-account.
        fn sub_user(sub_user_id: SubUserId);
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// One day of a group: `{"week": 1, "times": [{"begin_time": "09:00", "end_time": "12:00"}]}`.
///
/// `week` is 0–6 as in the mirror (which day 0 is is not documented; the sandbox and the
/// CLI take 0 as Sunday, chrono's `num_days_from_sunday`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DaySchedule {
    /// `week`: the day, 0–6.
    #[serde(deserialize_with = "week")]
    pub week: u8,
    /// `times`: the calling hours of that day.
    #[serde(default)]
    pub times: Vec<TimeSpan>,
}

impl DaySchedule {
    /// Day `week` (0–6) with at least one span.
    pub fn new(week: u8, times: Vec<TimeSpan>) -> Result<Self, Error> {
        let origin = SAVE_DIAL_TIME_GROUP.origin();
        check::range(origin, "week", week.into(), 0, 6)?;
        if times.is_empty() {
            return Err(Error::invalid_input(
                origin,
                "times: at least one span a day",
            ));
        }
        Ok(DaySchedule { week, times })
    }
}

fn week<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let n = voxkit_core::lenient::u64(d)?;
    u8::try_from(n)
        .ok()
        .filter(|w| *w <= 6)
        .ok_or_else(|| serde::de::Error::custom("week: 0 to 6"))
}

/// A span of calling hours, `{"begin_time": "09:00", "end_time": "12:00"}` ("HH:mm").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimeSpan {
    /// `begin_time`.
    #[serde(serialize_with = "hhmm", deserialize_with = "parse_hhmm")]
    pub begin_time: NaiveTime,
    /// `end_time`.
    #[serde(serialize_with = "hhmm", deserialize_with = "parse_hhmm")]
    pub end_time: NaiveTime,
}

impl TimeSpan {
    /// From `begin` to `end`, `begin` before `end`; sent to the minute.
    pub fn new(begin: NaiveTime, end: NaiveTime) -> Result<Self, Error> {
        if begin >= end {
            return Err(Error::invalid_input(
                SAVE_DIAL_TIME_GROUP.origin(),
                format!(
                    "times: {} is not before {}",
                    begin.format("%H:%M"),
                    end.format("%H:%M")
                ),
            ));
        }
        Ok(TimeSpan {
            begin_time: begin,
            end_time: end,
        })
    }
}

fn hhmm<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&t.format("%H:%M"))
}

fn parse_hhmm<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let s = String::deserialize(d)?;
    NaiveTime::parse_from_str(&s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&s, "%H:%M:%S"))
        .map_err(serde::de::Error::custom)
}

/// A dial-time group in the shape the mirror of 任务初始化 shows (`task_dial_times[]`).
/// Fields outside it are kept in [`DialTimeGroup::extra`].
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct DialTimeGroup {
    /// `id`.
    #[serde(deserialize_with = "voxkit_core::lenient::u64")]
    pub id: u64,
    /// `name`.
    pub name: String,
    /// `user_id`, as sent (the mirror elides it).
    #[serde(default)]
    pub user_id: Option<String>,
    /// `content`: the days and their hours.
    #[serde(default)]
    pub content: Vec<DaySchedule>,
    /// `is_default`.
    #[serde(default)]
    pub is_default: bool,
    /// `remark` (`null` in the mirror).
    #[serde(default)]
    pub remark: Option<String>,
    /// `created_at`, server local time.
    #[serde(default, with = "dates::opt")]
    pub created_at: Option<NaiveDateTime>,
    /// `updated_at`, server local time.
    #[serde(default, with = "dates::opt")]
    pub updated_at: Option<NaiveDateTime>,
    /// Any other field, as sent.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

impl DialTimeGroup {
    /// The groups of a list page, read in the mirror's shape. An error here says only that
    /// the server's records differ from the mirror; the page itself stays readable.
    pub fn from_page(page: &RawPage) -> Result<Vec<DialTimeGroup>, serde_json::Error> {
        serde_json::from_value(page.data.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_has_the_documented_shape_and_bad_groups_are_refused() {
        let body = serde_json::to_value(docs_group().unwrap().skip_holiday(true)).unwrap();
        assert_eq!(body["name"], "工作日呼叫时间");
        assert_eq!(
            body["content"][0],
            json!({"week": 1, "times": [{"begin_time": "09:00", "end_time": "12:00"},
                                        {"begin_time": "13:00", "end_time": "18:00"}]})
        );
        assert_eq!(body["skip_holiday"], true);
        assert!(body.get("is_default").is_none());
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        assert!(TimeSpan::new(nine, nine).is_err());
        assert!(DaySchedule::new(7, vec![]).is_err());
        let span = TimeSpan::new(nine, NaiveTime::from_hms_opt(10, 0, 0).unwrap()).unwrap();
        let day = DaySchedule::new(1, vec![span]).unwrap();
        assert!(NewDialTimeGroup::new("x", vec![day.clone(), day]).is_err());
        assert!(NewDialTimeGroup::new("", vec![]).is_err());
    }

    #[test]
    fn the_mirrors_group_decodes() {
        let page = RawPage {
            message: String::new(),
            data: json!([{ "id": 1, "name": "系统呼叫时间", "user_id": "b6d94bef-…",
                "content": [{"week": 0, "times": [{"end_time": "12:00", "begin_time": "09:00"}]}],
                "is_default": true, "remark": null,
                "created_at": "2024-06-16 14:57:12", "updated_at": "2024-06-16 14:57:12" }]),
            meta: None,
        };
        let groups = DialTimeGroup::from_page(&page).unwrap();
        assert_eq!(
            groups[0].content[0].times[0]
                .end_time
                .format("%H:%M")
                .to_string(),
            "12:00"
        );
        assert!(groups[0].is_default);
    }
}
