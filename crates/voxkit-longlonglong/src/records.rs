//! 通话记录 (call records, section 7 of the notes): a task's records page by page, one record
//! turn by turn, the recording URLs of up to 30 records, a record's LLM quality tags. All
//! four are reads (GET) and repeatable.
//!
//! Contradictions in the documentation and the choices made:
//! - the list and detail paths name the user segment `{id}` while 7.3/7.4 name it
//!   `{user_id}`: it is the same 主账号 id, declared `{user_id}` everywhere here;
//! - `intention_tags` is documented as "1A、2B、3C、4D、5E" without saying whether the
//!   number or the letter is sent: voxkit sends the number ([`IntentionTag::code`]) and
//!   reads either;
//! - `levels` is "评分区间,注意是二维数组" without an example: each range is sent as
//!   `levels[i][]=min&levels[i][]=max` (PHP's nested-array syntax);
//! - `start_at`/`end_at` are typed only "string": sent as `YYYY-MM-DD HH:mm:ss`;
//! - the answers of 7.3 and 7.4 are not readable anywhere: kept raw ([`Undocumented`]).

use chrono::{NaiveDate, NaiveDateTime};
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use voxkit_core::{Error, Operation, check};

use crate::Client;
use crate::dates;
use crate::envelope::{MetaPage, Undocumented};
use crate::ids::{RecordId, SubUserId, TaskId, UserId};
use crate::listing::{paged_query, paging, setters, with_sub};

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as};

/// The task of the examples of this group (the documentation elides its ids as `…`; the
/// sandbox seeds a task's records under these).
#[cfg(any(test, feature = "test-util"))]
pub(crate) const DOCS_TASK: &str = "289b4a84-6d3c-4a4e-9f3a-2c1d0e5b7a61";
/// The call record of the examples of this group.
#[cfg(any(test, feature = "test-util"))]
pub(crate) const DOCS_RECORD: &str = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

/// The most record ids one 批量播放通话录音地址 request may carry ("最大传递 30 个").
pub const MAX_RECORDING_IDS: usize = 30;

/// The page size of the record list when none is asked for (the API's usual default, 15).
pub const DEFAULT_RECORDS_PER_PAGE: u32 = 15;

group! {

    /// 通话列表: one page of a task's call records.
    pub(crate) CALL_RECORDS {
        name: "call_records",
        method: GET,
        path: "agent-api/user/{user_id}/task/{task_id}/record",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.call_records(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &RecordQuery::new().per_page(15)).await.map(drop),
        decode: |r| decode_as::<Vec<CallRecord>>(&CALL_RECORDS, r),
    }

    /// 通话详情: one record, turn by turn.
    pub(crate) CALL_RECORD_DETAIL {
        name: "call_record_detail",
        method: GET,
        path: "agent-api/user/{user_id}/task/{task_id}/detail/{record_id}",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.call_record_detail(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &DOCS_RECORD.parse()?, None).await.map(drop),
        decode: |r| decode_as::<CallDetail>(&CALL_RECORD_DETAIL, r),
    }

    /// 批量播放通话录音地址: the recording URLs of up to 30 records.
    pub(crate) RECORDING_URLS {
        name: "recording_urls",
        method: GET,
        path: "agent-api/user/{user_id}/task/{task_id}/batch_record/download-full-voice",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.recording_urls(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &[DOCS_RECORD.parse()?], None).await.map(drop),
        decode: |r| decode_as::<serde_json::Value>(&RECORDING_URLS, r),
    }

    /// 通话记录大模型质检记录: a record's LLM quality tags.
    pub(crate) LLM_INTENTION_TAGS {
        name: "llm_intention_tags",
        method: GET,
        path: "agent-api/user/{user_id}/task/{task_id}/record/{record_id}/llm_intention_tag",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.llm_intention_tags(&DOCS_USER.parse()?, &DOCS_TASK.parse()?, &DOCS_RECORD.parse()?).await.map(drop),
        decode: |r| decode_as::<serde_json::Value>(&LLM_INTENTION_TAGS, r),
    }
}

impl Client {
    /// One page of a task's call records (通话列表):
    /// `GET /agent-api/user/{user_id}/task/{task_id}/record?levels[0][]=..&keyword=..&...`.
    ///
    /// Refused before sending: a score range whose minimum exceeds its maximum, `end_at`
    /// before `start_at`, a hang-up range ending before it starts, a page or page size of 0.
    /// Repeatable. Every page: [`Client::call_records_all`].
    pub async fn call_records(
        &self,
        user: &UserId,
        task: &TaskId,
        query: &RecordQuery,
    ) -> Result<CallRecordPage, Error> {
        let op = Operation::of(&CALL_RECORDS, &[user.as_str(), task.as_str()])?;
        let op = query.apply(op)?;
        self.meta_page(&CALL_RECORDS, &op).await
    }

    /// Every call record of the task matching `query`, page after page (`per_page` of the
    /// query, else [`DEFAULT_RECORDS_PER_PAGE`]), with core's loop guards (see
    /// [`Client::sub_accounts_all`]). Records are told apart by their whole content, since
    /// the documented example shows no id.
    pub fn call_records_all(
        &self,
        user: &UserId,
        task: &TaskId,
        query: &RecordQuery,
    ) -> BoxStream<'static, Result<CallRecord, Error>> {
        let key = |r: &CallRecord| serde_json::to_string(r).unwrap_or_default();
        let ids = (user.clone(), task.clone());
        self.every_page(
            &CALL_RECORDS,
            query,
            DEFAULT_RECORDS_PER_PAGE,
            key,
            ids,
            |client, (user, task), query| async move {
                Ok(client.call_records(&user, &task, &query).await?.into_page())
            },
        )
    }

    /// One call record turn by turn (通话详情):
    /// `GET /agent-api/user/{user_id}/task/{task_id}/detail/{record_id}[?sub_user_id=..]`.
    /// Repeatable.
    pub async fn call_record_detail(
        &self,
        user: &UserId,
        task: &TaskId,
        record: &RecordId,
        sub_user: Option<&SubUserId>,
    ) -> Result<CallDetail, Error> {
        let op = Operation::of(
            &CALL_RECORD_DETAIL,
            &[user.as_str(), task.as_str(), record.as_str()],
        )?;
        let op = with_sub(op, sub_user);
        Ok(self.call(&CALL_RECORD_DETAIL, &op).await?.data)
    }

    /// The recording URLs of up to [`MAX_RECORDING_IDS`] records (批量播放通话录音地址):
    /// `GET .../batch_record/download-full-voice?recordIds[]=..&recordIds[]=..`.
    ///
    /// Refused before sending: no id, more than 30, or an id twice. The answer is **not
    /// documented**: kept raw. Repeatable.
    pub async fn recording_urls(
        &self,
        user: &UserId,
        task: &TaskId,
        records: &[RecordId],
        sub_user: Option<&SubUserId>,
    ) -> Result<RecordingUrls, Error> {
        let origin = RECORDING_URLS.origin();
        check::range(
            origin,
            "recordIds",
            records.len() as u64,
            1,
            MAX_RECORDING_IDS as u64,
        )?;
        check::unique(origin, "recordIds", records)?;
        let mut op = Operation::of(&RECORDING_URLS, &[user.as_str(), task.as_str()])?;
        for id in records {
            op = op.query("recordIds[]", id.as_str());
        }
        self.undocumented(&RECORDING_URLS, &with_sub(op, sub_user))
            .await
    }

    /// A record's LLM quality-inspection tags (通话记录大模型质检记录):
    /// `GET .../task/{task_id}/record/{record_id}/llm_intention_tag`, no query. The answer
    /// is **not documented**: kept raw. Repeatable.
    pub async fn llm_intention_tags(
        &self,
        user: &UserId,
        task: &TaskId,
        record: &RecordId,
    ) -> Result<LlmIntentionTags, Error> {
        let op = Operation::of(
            &LLM_INTENTION_TAGS,
            &[user.as_str(), task.as_str(), record.as_str()],
        )?;
        self.undocumented(&LLM_INTENTION_TAGS, &op).await
    }
}

/// 意向标签等级: the intention grade of a call, documented as "1A、2B、3C、4D、5E".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntentionTag {
    /// `1` / `A`.
    A,
    /// `2` / `B`.
    B,
    /// `3` / `C`.
    C,
    /// `4` / `D`.
    D,
    /// `5` / `E`.
    E,
}

impl IntentionTag {
    /// Every grade, best first.
    pub const ALL: [IntentionTag; 5] = [
        IntentionTag::A,
        IntentionTag::B,
        IntentionTag::C,
        IntentionTag::D,
        IntentionTag::E,
    ];

    /// The number sent for it (`1` for A … `5` for E).
    pub fn code(self) -> u8 {
        self as u8 + 1
    }

    /// The letter (`"A"` … `"E"`).
    pub fn letter(self) -> &'static str {
        ["A", "B", "C", "D", "E"][self as usize]
    }

    /// The grade of `1`–`5`, `A`–`E` or `1A`–`5E` (any case); `None` otherwise.
    pub fn parse(s: &str) -> Option<IntentionTag> {
        let s = s.trim().to_ascii_uppercase();
        IntentionTag::ALL.into_iter().find(|t| {
            s == t.code().to_string()
                || s == t.letter()
                || s == format!("{}{}", t.code(), t.letter())
        })
    }
}

/// Filters of 通话列表. All optional; the documented query fields, typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    levels: Vec<(u32, u32)>,
    keyword: Option<String>,
    start_at: Option<NaiveDateTime>,
    end_at: Option<NaiveDateTime>,
    intention_tags: Vec<IntentionTag>,
    hangup: Option<(NaiveDate, NaiveDate)>,
    page: Option<u32>,
    per_page: Option<u32>,
    sub_user_id: Option<SubUserId>,
}

impl RecordQuery {
    /// No filter, first page.
    pub fn new() -> Self {
        Self::default()
    }

    /// `levels`: adds a score range (评分区间) `min..=max`.
    pub fn level(mut self, min: u32, max: u32) -> Self {
        self.levels.push((min, max));
        self
    }

    /// `keyword`: the number called (被叫号码).
    pub fn keyword(mut self, callee: impl Into<String>) -> Self {
        self.keyword = Some(callee.into());
        self
    }

    /// `start_at` / `end_at`: the call's time window.
    pub fn between(mut self, start_at: NaiveDateTime, end_at: NaiveDateTime) -> Self {
        self.start_at = Some(start_at);
        self.end_at = Some(end_at);
        self
    }

    /// `intention_tags`: adds a grade (意向标签等级).
    pub fn intention_tag(mut self, tag: IntentionTag) -> Self {
        self.intention_tags.push(tag);
        self
    }

    /// `hangup_date`: the hang-up day range (挂断时间), both days included.
    pub fn hung_up_between(mut self, from: NaiveDate, to: NaiveDate) -> Self {
        self.hangup = Some((from, to));
        self
    }

    setters! {
        /// `sub_user_id`: read a sub-account's records.
        fn sub_user(sub_user_id: SubUserId);
    }

    /// Checks the query and adds it to `op`.
    fn apply(&self, mut op: Operation) -> Result<Operation, Error> {
        let origin = CALL_RECORDS.origin();
        for (i, (min, max)) in self.levels.iter().enumerate() {
            if min > max {
                return Err(Error::invalid_input(
                    origin,
                    format!("levels: the score range {min}..{max} is reversed"),
                ));
            }
            op = op
                .query(format!("levels[{i}][]"), min.to_string())
                .query(format!("levels[{i}][]"), max.to_string());
        }
        if let Some(k) = &self.keyword {
            check::text(origin, "keyword", k, 64)?;
            op = op.query("keyword", k.as_str());
        }
        if let (Some(s), Some(e)) = (self.start_at, self.end_at) {
            if e < s {
                return Err(Error::invalid_input(origin, "end_at is before start_at"));
            }
        }
        for (key, at) in [("start_at", self.start_at), ("end_at", self.end_at)] {
            if let Some(at) = at {
                op = op.query(key, at.format(dates::DATETIME_FORMAT).to_string());
            }
        }
        for tag in &self.intention_tags {
            op = op.query("intention_tags[]", tag.code().to_string());
        }
        if let Some((from, to)) = self.hangup {
            if to < from {
                return Err(Error::invalid_input(
                    origin,
                    "hangup_date: the range ends before it starts",
                ));
            }
            for day in [from, to] {
                op = op.query("hangup_date[]", day.format(dates::DATE_FORMAT).to_string());
            }
        }
        let op = paging(op, origin, self.page, self.per_page)?;
        Ok(with_sub(op, self.sub_user_id.as_ref()))
    }
}

/// One call record of 通话列表. **Typed from the mirror's (truncated) example**: the fields
/// it shows are typed; the example is cut after `components`, so every other field (the
/// record's id among them) is kept as sent in [`CallRecord::rest`], read through
/// [`CallRecord::id`] and [`CallRecord::get`] without assuming more.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct CallRecord {
    /// `name`: the contact's name.
    #[serde(default)]
    pub name: Option<String>,
    /// `company`: the contact's company.
    #[serde(default)]
    pub company: Option<String>,
    /// `operator_name`: the carrier in words (`"联通"`).
    #[serde(default)]
    pub operator_name: Option<String>,
    /// `tags`: as sent (the example's list is empty).
    #[serde(default)]
    pub tags: Vec<serde_json::Value>,
    /// `tag_groups`: as sent (empty in the example).
    #[serde(default)]
    pub tag_groups: Vec<serde_json::Value>,
    /// `components`: the contact's custom fields (`{id, name, type, value}`).
    #[serde(default)]
    pub components: Vec<RecordComponent>,
    /// `extra`: as sent (`null` in the example).
    #[serde(default)]
    pub extra: Option<serde_json::Value>,
    /// Every field the example does not show, as sent.
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

impl CallRecord {
    /// The record's `id`, when the server sends one as a UUID (the example is truncated
    /// before any id; the detail path needs one).
    pub fn id(&self) -> Option<RecordId> {
        self.rest
            .get("id")
            .and_then(|v| v.as_str())
            .and_then(|s| RecordId::parse(s).ok())
    }

    /// Any other field, as sent.
    pub fn get(&self, field: &str) -> Option<&serde_json::Value> {
        self.rest.get(field)
    }
}

/// A custom field of a record's contact, as the 通话列表 example shows it:
/// `{"id":"733b8535-…","name":"微信","type":"text","value":"17710726421"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct RecordComponent {
    /// `id`: the component's id.
    pub id: String,
    /// `name`: its label (`"微信"`).
    #[serde(default)]
    pub name: Option<String>,
    /// `type`: its kind (`"text"`).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `value`, as text.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_text")]
    pub value: Option<String>,
}

/// One page of call records and its `meta` paginator (the mirror shows one).
pub type CallRecordPage = MetaPage<CallRecord>;

/// 通话详情: the turns of one call. **Typed from the mirror's (truncated) example**
/// `{"records":[{...}]}`; an empty `data` (`[]`, PHP's empty object) is no turns.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CallDetail {
    /// `records`: the turns, in the order sent (`sequence` ascending in the example).
    pub records: Vec<Turn>,
}

impl<'de> Deserialize<'de> for CallDetail {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            #[serde(default)]
            records: Vec<Turn>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Object(Wire),
            Empty([(); 0]),
        }
        Ok(match Either::deserialize(d)? {
            Either::Object(w) => CallDetail { records: w.records },
            Either::Empty(_) => CallDetail {
                records: Vec::new(),
            },
        })
    }
}

/// One turn of a call (a row of 通话详情's `records`). **Typed from the mirror's example**;
/// the docs warn that 2.0 standard and LLM scripts answer in different shapes, so every
/// field is optional and the rest is kept in [`Turn::rest`]. `callee` is a string and
/// `word_class` a numeric string in the example; both are read as text.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Turn {
    /// `id`: the turn's id.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_text")]
    pub id: Option<String>,
    /// `record_id`: the call record it belongs to.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_text")]
    pub record_id: Option<String>,
    /// `notify`: `enter`, `message` or `leave` (the dialogue's event).
    #[serde(default)]
    pub notify: Option<String>,
    /// `callee`: the number called.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_text")]
    pub callee: Option<String>,
    /// `question`: what the callee said.
    #[serde(default)]
    pub question: Option<String>,
    /// `answer_text`: the robot's answer (its node's name in the example).
    #[serde(default)]
    pub answer_text: Option<String>,
    /// `answer_content`: the robot's answer's content.
    #[serde(default)]
    pub answer_content: Option<String>,
    /// `word_class`: a numeric string in the example (`"16"`).
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_text")]
    pub word_class: Option<String>,
    /// `score`.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_i64")]
    pub score: Option<i64>,
    /// `sequence`: the turn's position, from 1.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_u64")]
    pub sequence: Option<u64>,
    /// `speak_ms`: how long the callee spoke.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_u64")]
    pub speak_ms: Option<u64>,
    /// `play_ms`: how long the robot played.
    #[serde(default, deserialize_with = "voxkit_core::lenient::opt_u64")]
    pub play_ms: Option<u64>,
    /// `created_at`, server local time.
    #[serde(default, with = "dates::opt")]
    pub created_at: Option<NaiveDateTime>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

/// The answer of 批量播放通话录音地址. **Not documented** (the page's response is not
/// readable): the `data` is kept as sent.
pub type RecordingUrls = Undocumented;

/// The answer of 通话记录大模型质检记录. **Not documented**: the `data` is kept as sent.
pub type LlmIntentionTags = Undocumented;

paged_query! {
    RecordQuery;
    /// `page`: from 1.
    page;
    /// `per_page`: page size.
    per_page;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intention_tags_read_numbers_letters_and_both() {
        for (s, t) in [
            ("1", IntentionTag::A),
            ("b", IntentionTag::B),
            ("5E", IntentionTag::E),
        ] {
            assert_eq!(IntentionTag::parse(s), Some(t));
        }
        assert_eq!(IntentionTag::parse("6"), None);
        assert_eq!(IntentionTag::C.code(), 3);
    }

    #[test]
    fn detail_accepts_the_mirror_shape_and_an_empty_array() {
        let d: CallDetail = serde_json::from_str(
            r#"{"records":[{"id":"x","callee":"18555525545","word_class":"16","score":0,"sequence":1,"created_at":"2022-09-29 15:09:20","error_code":0}]}"#,
        )
        .unwrap();
        assert_eq!(d.records[0].callee.as_deref(), Some("18555525545"));
        assert_eq!(d.records[0].rest["error_code"], 0);
        let d: CallDetail = serde_json::from_str("[]").unwrap();
        assert!(d.records.is_empty());
        assert!(serde_json::from_str::<CallDetail>("[1]").is_err());
    }
}
