//! The bodies of the three requests that set up calls: a new task ([`NewTask`]), an update
//! ([`TaskUpdate`]) and a resend ([`Resend`]), with their parts: the numbers ([`Callee`]),
//! the send windows and the post-call SMS. What the three share (the name, the voice, when
//! and how calls are placed) is one [`TaskFields`], checked and sent one way. Each body
//! checks every documented field rule before anything is sent. The operations that send
//! them are in [`tasks`](super::tasks).

use chrono::{NaiveDateTime, NaiveTime};
use serde::Serialize;
use voxkit_core::{Error, Origin, check};

use super::voices::{Gender, SourceWire, VoiceSource};
use super::{MAX_ID_BYTES, TaskId, check_number_count};
use crate::dates;

/// One called number (an item of `numberInfoList`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Callee {
    /// `calleeNumber`: country code + mobile number, 6-18 digits (an older copy says 7-15;
    /// the current page's 6-18 is checked).
    callee_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    text1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text5: Option<String>,
    /// An undocumented variable number asked for (refused by `check`).
    #[serde(skip)]
    undocumented: Option<u8>,
}

impl Callee {
    /// The number to call: country code + mobile number, 6-18 digits.
    pub fn new(number: impl Into<String>) -> Self {
        Callee {
            callee_number: number.into(),
            text1: None,
            text2: None,
            text3: None,
            text4: None,
            text5: None,
            undocumented: None,
        }
    }

    /// Sets `text{n}` (n = 1 to 5), which replaces the variable `${textN}` in the
    /// text-to-speech text and the hang-up SMS template for this number; at most 30
    /// characters, not empty.
    ///
    /// The create page was cut after `text5`, so only `text1` to `text5` are known;
    /// another `n` is refused when the task is created.
    pub fn text(mut self, n: u8, value: impl Into<String>) -> Self {
        let value = Some(value.into());
        match n {
            1 => self.text1 = value,
            2 => self.text2 = value,
            3 => self.text3 = value,
            4 => self.text4 = value,
            5 => self.text5 = value,
            _ => self.undocumented = Some(n),
        }
        self
    }

    /// The number.
    pub fn number(&self) -> &str {
        &self.callee_number
    }

    fn check(&self, origin: Origin) -> Result<(), Error> {
        if let Some(n) = self.undocumented {
            return Err(Error::invalid_input(
                origin,
                format!("text{n}: only the variables text1 to text5 are documented"),
            ));
        }
        check::digits(origin, "a called number", &self.callee_number, 6, 18)?;
        for text in [
            &self.text1,
            &self.text2,
            &self.text3,
            &self.text4,
            &self.text5,
        ]
        .into_iter()
        .flatten()
        {
            check::chars(origin, "a text variable", text, 1, 30)?;
        }
        Ok(())
    }
}

/// A daily window in which calls may be placed (an item of `allowSendTime`: `strTime`,
/// `endTime` as `"HH:MM"`; the tables say "HH:SS" but the examples are hours and minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendWindow {
    /// `strTime`: the start.
    pub start: NaiveTime,
    /// `endTime`: the end.
    pub end: NaiveTime,
}

impl Serialize for SendWindow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("SendWindow", 2)?;
        st.serialize_field("strTime", &self.start.format("%H:%M").to_string())?;
        st.serialize_field("endTime", &self.end.format("%H:%M").to_string())?;
        st.end()
    }
}

/// Checks each optional number that is set against its documented range: `(what, value,
/// min, max)` rows, checked in order, so that a body's rules read as one table.
pub(crate) fn check_ranges<const N: usize>(
    origin: Origin,
    rows: [(&str, Option<u64>, u64, u64); N],
) -> Result<(), Error> {
    for (what, value, min, max) in rows {
        if let Some(value) = value {
            check::range(origin, what, value, min, max)?;
        }
    }
    Ok(())
}

/// At most 3 windows ("Add up to 3 time periods"), none empty. (Whether a window may run
/// past midnight, start after its end, is not documented: it is sent as given.)
pub(crate) fn check_windows(origin: Origin, windows: &[SendWindow]) -> Result<(), Error> {
    if windows.len() > 3 {
        return Err(Error::invalid_input(
            origin,
            "at most 3 allowed send windows are documented",
        ));
    }
    if windows.iter().any(|w| w.start == w.end) {
        return Err(Error::invalid_input(
            origin,
            "an allowed send window must not start when it ends",
        ));
    }
    Ok(())
}

/// The SMS sent after a call (`hangUpSms: 1` and its fields), for a task: which call
/// outcomes trigger it (at least one), its SMS application and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostCallSms {
    sms_app_id: String,
    content: String,
    sender_id: Option<String>,
    feedback: Option<u8>,
    success_after: Option<u32>,
    failed: bool,
    ringing: bool,
}

impl PostCallSms {
    /// `smsAppId` (短信應用主鍵, the SMS application) and `smsContent` (at most 1000
    /// characters; `${textN}` variables are filled per number). Add at least one trigger.
    pub fn new(sms_app_id: impl Into<String>, content: impl Into<String>) -> Self {
        PostCallSms {
            sms_app_id: sms_app_id.into(),
            content: content.into(),
            sender_id: None,
            feedback: None,
            success_after: None,
            failed: false,
            ringing: false,
        }
    }

    voxkit_core::optional_setters! {
        /// `senderId` (發送者ID), at most 32 characters.
        fn sender_id(sender_id: impl Into<String>).into();
        /// `feedbackPush: 1` with `feedbackValue`: send when the callee presses `key` (0-9).
        fn on_key(key: u8) => feedback;
        /// `successPush: 1` with `successPushTime`: send `seconds` (0-9999) after a
        /// successful call.
        fn on_success_after(seconds: u32) => success_after;
    }

    /// `failedPush: 1`: send when the call fails.
    pub fn on_failure(mut self) -> Self {
        self.failed = true;
        self
    }

    /// `ringPush: 1`: send when the call rang.
    pub fn on_ringing(mut self) -> Self {
        self.ringing = true;
        self
    }

    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        check::token(
            origin,
            "the SMS application id",
            &self.sms_app_id,
            MAX_ID_BYTES,
        )?;
        check::chars(origin, "the SMS content", &self.content, 1, 1000)?;
        if let Some(sender) = &self.sender_id {
            check::chars(origin, "the sender id", sender, 1, 32)?;
        }
        check_ranges(
            origin,
            [
                ("the feedback key", self.feedback.map(u64::from), 0, 9),
                (
                    "the success push delay",
                    self.success_after.map(u64::from),
                    0,
                    9999,
                ),
            ],
        )?;
        if self.feedback.is_none() && self.success_after.is_none() && !self.failed && !self.ringing
        {
            return Err(Error::invalid_input(
                origin,
                "a post-call SMS needs at least one trigger (key, success, failure, ringing)",
            ));
        }
        Ok(())
    }

    pub(crate) fn wire(&self) -> SmsWire {
        SmsWire {
            hang_up_sms: 1,
            sms_app_id: self.sms_app_id.clone(),
            sms_content: self.content.clone(),
            sender_id: self.sender_id.clone(),
            feedback_push: u8::from(self.feedback.is_some()),
            success_push: u8::from(self.success_after.is_some()),
            failed_push: u8::from(self.failed),
            ring_push: u8::from(self.ringing),
            feedback_value: self.feedback.map(|k| k.to_string()),
            success_push_time: self.success_after,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SmsWire {
    hang_up_sms: u8,
    sms_app_id: String,
    sms_content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_id: Option<String>,
    feedback_push: u8,
    success_push: u8,
    failed_push: u8,
    ring_push: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    feedback_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    success_push_time: Option<u32>,
}

/// The most numbers one task takes: the laaffic create page says "A maximum of 20w"
/// (200 000); another copy says 100 000. The current page's figure is checked.
pub const MAX_TASK_NUMBERS: usize = 200_000;

/// The fields a new task, an update and a resend share: `taskName` (2-64 characters),
/// the voice (`source`), `displayNum`, `sendTime`, `loopCount`, `maxCalls`,
/// `allowSendTime` and, for a task or an update, the post-call SMS and the seat transfer.
/// One set of rules and one wire shape, so that the three bodies cannot drift apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TaskFields {
    task_name: String,
    source: VoiceSource,
    display_number: Option<String>,
    send_time: Option<NaiveDateTime>,
    loop_count: Option<u32>,
    max_call_seconds: Option<u32>,
    windows: Vec<SendWindow>,
    sms: Option<PostCallSms>,
    seat_group: Option<u64>,
}

impl TaskFields {
    fn new(task_name: String, source: VoiceSource) -> Self {
        TaskFields {
            task_name,
            source,
            display_number: None,
            send_time: None,
            loop_count: None,
            max_call_seconds: None,
            windows: Vec::new(),
            sms: None,
            seat_group: None,
        }
    }

    fn check(&self, origin: Origin) -> Result<(), Error> {
        check::chars(origin, "the task name", &self.task_name, 2, 64)?;
        self.source.check(origin)?;
        if let Some(number) = &self.display_number {
            check::digits(origin, "the display number", number, 0, 20)?;
        }
        check_ranges(
            origin,
            [
                ("the loop count", self.loop_count.map(u64::from), 1, 9),
                (
                    "the maximum call duration",
                    self.max_call_seconds.map(u64::from),
                    1,
                    999,
                ),
            ],
        )?;
        check_windows(origin, &self.windows)?;
        if let Some(sms) = &self.sms {
            sms.check(origin)?;
        }
        Ok(())
    }

    /// The body with these fields; the caller fills in what identifies the task (`appId`
    /// and the numbers for a new one, `keyId` otherwise) and a resend's voice settings.
    fn wire(&self) -> TaskWire<'_> {
        TaskWire {
            app_id: None,
            key_id: None,
            display_num: self.display_number.as_deref(),
            task_name: &self.task_name,
            number_info_list: None,
            source: self.source.wire(),
            voice: None,
            send_time: dates::local(&self.send_time),
            loop_count: self.loop_count,
            max_calls: self.max_call_seconds,
            allow_send_time: &self.windows,
            sms: self.sms.as_ref().map(PostCallSms::wire),
            to_seat: self.seat_group.map(|_| 1),
            sip_group_id: self.seat_group,
        }
    }
}

/// The body of create, update and resend. `sendTime` goes out as `null` for an immediate
/// call, as documented ("立即呼叫則傳null").
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TaskWire<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    app_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<TaskId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_num: Option<&'a str>,
    task_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    number_info_list: Option<&'a [Callee]>,
    #[serde(flatten)]
    source: SourceWire,
    #[serde(flatten)]
    voice: Option<VoiceWire<'a>>,
    send_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    loop_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_calls: Option<u32>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    allow_send_time: &'a [SendWindow],
    #[serde(flatten)]
    sms: Option<SmsWire>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to_seat: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sip_group_id: Option<u64>,
}

/// Generates the setters every task body, IVR or AI, takes alike, on the fields
/// `display_number`, `send_time` and `windows` of the fields it holds in `f`: `displayNum`,
/// `sendTime` and the `allowSendTime` windows.
macro_rules! schedule_setters {
    ($ty:ident) => {
        impl $ty {
            voxkit_core::optional_setters! {
                /// `displayNum`: the number shown to the callee, 0-20 digits.
                fn display_number(number: impl Into<String>).into() => f.display_number;
                /// `sendTime`: call at this time (the account's local time) instead of now
                /// (sent `null` when not set: call now).
                fn send_at(time: ::chrono::NaiveDateTime) => f.send_time;
            }

            /// Adds an `allowSendTime` window (at most 3).
            pub fn allow_between(
                mut self,
                start: ::chrono::NaiveTime,
                end: ::chrono::NaiveTime,
            ) -> Self {
                self.f
                    .windows
                    .push($crate::ivr::task_bodies::SendWindow { start, end });
                self
            }
        }
    };
}
pub(crate) use schedule_setters;

/// Generates the setters of the [`TaskFields`] a body type holds in its field `f`: the
/// ones all three bodies take, and with `post_call` the post-call SMS and seat transfer
/// that a task and an update take.
macro_rules! task_setters {
    ($ty:ident) => {
        schedule_setters!($ty);

        impl $ty {
            voxkit_core::optional_setters! {
                /// `loopCount`: how many times the voice is played, 1-9 (default 1).
                fn loop_count(count: u32) => f.loop_count;
                /// `maxCalls`: hang up this many seconds after the call is answered, 1-999.
                fn max_call_seconds(seconds: u32) => f.max_call_seconds;
            }
        }
    };
    ($ty:ident, post_call) => {
        task_setters!($ty);

        impl $ty {
            voxkit_core::optional_setters! {
                /// `hangUpSms: 1` and the SMS fields.
                fn post_call_sms(sms: PostCallSms) => f.sms;
                /// `toSeat: 1` with `sipGroupId`: transfer answered calls to this seat group.
                /// The page's type column for `sipGroupId` was cut; it is sent as an integer,
                /// like every other id of these pages.
                fn transfer_to_seat(sip_group_id: u64) => f.seat_group;
            }
        }
    };
}

/// A new IVR group-call task (`POST /v3/voice/group/call/send`), built field by field.
///
/// The create page was cut after `text5`; the fields after the number list (`source` and
/// its companions, `sendTime`, `loopCount`, `maxCalls`, `hangUpSms` and the SMS fields,
/// `toSeat`/`sipGroupId`) are the ones the laaffic update page (same body) and the older
/// itniotech create page document. `allowSendTime` is documented on the resend page
/// only and assumed shared (unverified for create). `loopCount` and `maxCalls` are
/// optional, as the laaffic update page marks them (the older itniotech create page says
/// required).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    app_id: String,
    numbers: Vec<Callee>,
    f: TaskFields,
}

impl NewTask {
    /// `appId` (the application id), `taskName` (2-64 characters, unique), the numbers to
    /// call (`numberInfoList`, 1 to [`MAX_TASK_NUMBERS`]) and the voice (`source`).
    pub fn new(
        app_id: impl Into<String>,
        task_name: impl Into<String>,
        source: VoiceSource,
        numbers: impl IntoIterator<Item = Callee>,
    ) -> Self {
        NewTask {
            app_id: app_id.into(),
            numbers: numbers.into_iter().collect(),
            f: TaskFields::new(task_name.into(), source),
        }
    }

    /// The numbers to call.
    pub fn numbers(&self) -> &[Callee] {
        &self.numbers
    }

    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        check::token(origin, "the app id", &self.app_id, MAX_ID_BYTES)?;
        check_number_count(origin, "a task calls", self.numbers.len(), MAX_TASK_NUMBERS)?;
        for callee in &self.numbers {
            callee.check(origin)?;
        }
        self.f.check(origin)
    }

    pub(crate) fn wire(&self) -> TaskWire<'_> {
        TaskWire {
            app_id: Some(&self.app_id),
            number_info_list: Some(&self.numbers),
            ..self.f.wire()
        }
    }
}
task_setters!(NewTask, post_call);

/// An update of an IVR task (`POST /v3/voice/group/call/update`, page
/// `laaffic.com/zh/api/voice/callUpdate`): `keyId` (the query's `jobId`), then the fields
/// of the create body but the application and the numbers ("same body shape", without
/// `appId` and `numberInfoList`, which the update table does not list): `taskName`
/// (2-64) and `source` required, the rest optional, each checked as for [`NewTask`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskUpdate {
    task: TaskId,
    f: TaskFields,
}

impl TaskUpdate {
    /// `keyId`, `taskName` (2-64 characters) and the voice (`source`).
    pub fn new(task: TaskId, task_name: impl Into<String>, source: VoiceSource) -> Self {
        TaskUpdate {
            task,
            f: TaskFields::new(task_name.into(), source),
        }
    }

    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        self.f.check(origin)
    }

    pub(crate) fn wire(&self) -> TaskWire<'_> {
        TaskWire {
            key_id: Some(self.task),
            ..self.f.wire()
        }
    }
}
task_setters!(TaskUpdate, post_call);

/// A resend (recall) of a finished task (`POST /v3/voice/group/call/resend`, page
/// `laaffic.com/api/voice/callResend`), built field by field.
///
/// The page documents the fields below and was cut inside `allowSendTime`; it shows no
/// resend type. (The "resend all / resend failed" choice, `resendType` 0/1, is documented
/// for the AI voice resend `…/resend/ai` only, and the call-centre resend uses 1/2/3:
/// neither is sent here.) Its answer was not in the copy read.
#[derive(Debug, Clone, PartialEq)]
pub struct Resend {
    task: TaskId,
    f: TaskFields,
    speaking_rate: Option<f64>,
    gender: Option<Gender>,
    accent: Option<String>,
    delay_play: Option<u32>,
    delay_hangup: Option<u32>,
    max_ringing: Option<u32>,
}

/// A resend's own voice settings, sent between the voice and `sendTime`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VoiceWire<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    speaking_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ssml_gender: Option<Gender>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delay_play: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delay_hangup: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_ringing_time: Option<u32>,
}

impl Resend {
    /// `keyId` (the task to resend: the query's `jobId`), `taskName` (2-64 characters)
    /// and the voice (`source`).
    pub fn new(task: TaskId, task_name: impl Into<String>, source: VoiceSource) -> Self {
        Resend {
            task,
            f: TaskFields::new(task_name.into(), source),
            speaking_rate: None,
            gender: None,
            accent: None,
            delay_play: None,
            delay_hangup: None,
            max_ringing: None,
        }
    }

    voxkit_core::optional_setters! {
        /// `speakingRate`: text-to-speech speed, 0.25 to 4 times.
        fn speaking_rate(rate: f64) => speaking_rate;
        /// `ssmlGender`: the synthetic voice (female by default).
        fn gender(gender: Gender);
        /// `accent` (String; the page lists no values).
        fn accent(accent: impl Into<String>).into();
        /// `delayPlay`: seconds before playing, 0-999 (default 0).
        fn delay_play(seconds: u32) => delay_play;
        /// `delayHangup`: seconds before hanging up, 0-999 (default 0).
        fn delay_hangup(seconds: u32) => delay_hangup;
        /// `maxRingingTime`: seconds of ringing, 20-120 (default 60).
        fn max_ringing_seconds(seconds: u32) => max_ringing;
    }

    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        self.f.check(origin)?;
        if let Some(rate) = self.speaking_rate {
            if !(0.25..=4.0).contains(&rate) {
                return Err(Error::invalid_input(
                    origin,
                    "the speaking rate must be 0.25 to 4",
                ));
            }
        }
        if let Some(Gender::Unknown(_)) = self.gender {
            return Err(Error::invalid_input(origin, "the gender must be 1 or 2"));
        }
        if let Some(accent) = &self.accent {
            check::token(origin, "the accent", accent, MAX_ID_BYTES)?;
        }
        check_ranges(
            origin,
            [
                ("the play delay", self.delay_play.map(u64::from), 0, 999),
                (
                    "the hang-up delay",
                    self.delay_hangup.map(u64::from),
                    0,
                    999,
                ),
                (
                    "the maximum ringing time",
                    self.max_ringing.map(u64::from),
                    20,
                    120,
                ),
            ],
        )
    }

    pub(crate) fn wire(&self) -> TaskWire<'_> {
        TaskWire {
            key_id: Some(self.task),
            voice: Some(VoiceWire {
                speaking_rate: self.speaking_rate,
                ssml_gender: self.gender,
                accent: self.accent.as_deref(),
                delay_play: self.delay_play,
                delay_hangup: self.delay_hangup,
                max_ringing_time: self.max_ringing,
            }),
            ..self.f.wire()
        }
    }
}
task_setters!(Resend);
