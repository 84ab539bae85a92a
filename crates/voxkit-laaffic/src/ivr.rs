//! IVR group calls (IVR群呼): voice files, tasks, their queries and controls.
//!
//! Request types check the documented field rules in `check` before anything is sent;
//! response types carry the documented fields (numbers accepted as numbers or strings,
//! dates parsed from the documented formats) and are `#[non_exhaustive]`.

use std::fmt;

use chrono::{NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use voxkit_core::{Error, Origin};

use crate::de;
use crate::validate;

/// Declares an integer code enum with an `Unknown(..)` arm, decoded from a number or a
/// numeric string and sent as a number.
macro_rules! int_enum {
    ($(#[$m:meta])* $name:ident { $( $(#[$d:meta])* $v:ident = $c:literal ),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$d])* $v, )+
            /// A value the documentation does not list, as sent.
            Unknown(i64),
        }

        impl $name {
            /// The numeric code as sent on the wire.
            pub fn code(self) -> i64 {
                match self {
                    $( $name::$v => $c, )+
                    $name::Unknown(code) => code,
                }
            }

            /// The value for a numeric code ([`Self::Unknown`] for an undocumented one).
            pub fn from_code(code: i64) -> Self {
                match code {
                    $( $c => $name::$v, )+
                    other => $name::Unknown(other),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let scalar = <crate::de::Scalar as serde::Deserialize>::deserialize(d)?;
                match scalar.integer::<D::Error>()? {
                    Some(n) => i64::try_from(n)
                        .map(Self::from_code)
                        .map_err(|_| serde::de::Error::custom("code out of range")),
                    None => Err(serde::de::Error::custom("expected a code")),
                }
            }
        }
    };
}
pub(crate) use int_enum;

/// A group-call task id: the `jobId` / `taskId` of the query answers, sent back as
/// `keyId` ("主键等于查询返回jobId"), in `jobIdList` (pause) and `taskIdList` (cancel).
/// The pages type it Integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TaskId(pub u64);

impl<'de> Deserialize<'de> for TaskId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::u64(d).map(TaskId)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A voice file id as returned by the upload (`data`, String), e.g.
/// `"1202202254d4c6372d6f341e999c7ecd0683ee464.mp3"`; it embeds the original extension.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VoiceFileId(pub String);

impl VoiceFileId {
    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VoiceFileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for VoiceFileId {
    fn from(id: &str) -> Self {
        VoiceFileId(id.to_owned())
    }
}

impl From<String> for VoiceFileId {
    fn from(id: String) -> Self {
        VoiceFileId(id)
    }
}

int_enum! {
    /// A group-call task's status (发送状态): `0` waiting to be submitted, `1` calling,
    /// `2` done, `3` submission failed, `4` cancelled, `5` paused, `6` submitting.
    TaskStatus {
        /// `0` 等待提交: waiting to be submitted.
        Waiting = 0,
        /// `1` 呼叫中: calling.
        Calling = 1,
        /// `2` 任务完成: done.
        Completed = 2,
        /// `3` 提交失败: submission failed.
        SubmitFailed = 3,
        /// `4` 任务取消: cancelled.
        Cancelled = 4,
        /// `5` 任务暂停: paused.
        Paused = 5,
        /// `6` 提交中: being submitted.
        Submitting = 6,
    }
}

int_enum! {
    /// The kind of a group-call task in the query answer (`taskType`: "1普通群呼 2 AI群呼";
    /// the AI-Agent page adds `3`).
    TaskType {
        /// `1` 普通群呼: an IVR group call.
        Ivr = 1,
        /// `2` AI群呼: an AI (script) group call.
        Ai = 2,
        /// `3` AI Agent group call (AI-Agent page).
        AiAgent = 3,
    }
}

int_enum! {
    /// Where a task's voice comes from (`source`, 文件來源).
    SourceKind {
        /// `1` 已上傳文件: an uploaded voice file (`voiceFileId`).
        UploadedFile = 1,
        /// `2` 重新上傳語音文件: a file uploaded with the task (`uploadName`, `baseFile`).
        NewUpload = 2,
        /// `3` 文本轉語音: text to speech (`text`, `lan`).
        TextToSpeech = 3,
    }
}

int_enum! {
    /// The synthetic voice's gender (`ssmlGender`: "1 male, 2 female… system uses female
    /// voice by default").
    Gender {
        /// `1` male.
        Male = 1,
        /// `2` female (the default).
        Female = 2,
    }
}

/// A text-to-speech language (`lan`, 轉換語言), as the itniotech create page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Lan {
    /// `VN` Vietnamese.
    Vietnamese,
    /// `EN` English.
    English,
    /// `JP` Japanese.
    Japanese,
    /// `ARB` Arabic.
    Arabic,
    /// `DE` German.
    German,
    /// `IN` Hindi.
    Hindi,
    /// `IT` Italian.
    Italian,
    /// `KR` Korean.
    Korean,
    /// `RU` Russian.
    Russian,
    /// `ES` Spanish.
    Spanish,
    /// `PT` Portuguese.
    Portuguese,
    /// `IDN` Indonesian.
    Indonesian,
    /// `BD` Bangladesh (Bengali).
    Bengali,
    /// `TH` Thai.
    Thai,
    /// A code the documentation does not list, as sent (or to be sent).
    Unknown(String),
}

const LANS: &[(Lan, &str)] = &[
    (Lan::Vietnamese, "VN"),
    (Lan::English, "EN"),
    (Lan::Japanese, "JP"),
    (Lan::Arabic, "ARB"),
    (Lan::German, "DE"),
    (Lan::Hindi, "IN"),
    (Lan::Italian, "IT"),
    (Lan::Korean, "KR"),
    (Lan::Russian, "RU"),
    (Lan::Spanish, "ES"),
    (Lan::Portuguese, "PT"),
    (Lan::Indonesian, "IDN"),
    (Lan::Bengali, "BD"),
    (Lan::Thai, "TH"),
];

impl Lan {
    /// The code as sent (`"EN"`, ...).
    pub fn code(&self) -> &str {
        match self {
            Lan::Unknown(code) => code,
            known => LANS.iter().find(|(l, _)| l == known).map_or("", |(_, c)| c),
        }
    }

    /// The language of a code (exact match; anything else is [`Lan::Unknown`]).
    pub fn from_code(code: &str) -> Lan {
        LANS.iter()
            .find(|(_, c)| *c == code)
            .map_or_else(|| Lan::Unknown(code.to_owned()), |(l, _)| l.clone())
    }
}

impl Serialize for Lan {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Lan {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Ok(Lan::from_code(&code))
    }
}

/// Where a task's voice comes from (`source` with its companion fields).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VoiceSource {
    /// `source: 1` with `voiceFileId`: a file uploaded earlier ([`crate::Client::upload_voice_file`]).
    File(VoiceFileId),
    /// `source: 2` with `uploadName` ("5-32 characters", the upload's name rules) and
    /// `baseFile` (the content; the client base64-encodes it).
    Upload {
        /// `uploadName`: the file name with its extension.
        file_name: String,
        /// The file's bytes (sent base64-encoded as `baseFile`).
        content: Vec<u8>,
    },
    /// `source: 3` with `text` (at most 1000 characters; may hold `${textN}` variables
    /// filled per number from [`Callee::text`]) and `lan`.
    TextToSpeech {
        /// `text`: the text to speak.
        text: String,
        /// `lan`: its language.
        lan: Lan,
    },
}

impl fmt::Debug for VoiceSource {
    /// Shows an upload's length, not its bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VoiceSource::File(id) => f.debug_tuple("File").field(id).finish(),
            VoiceSource::Upload { file_name, content } => f
                .debug_struct("Upload")
                .field("file_name", file_name)
                .field("content_len", &content.len())
                .finish(),
            VoiceSource::TextToSpeech { text, lan } => f
                .debug_struct("TextToSpeech")
                .field("text", text)
                .field("lan", lan)
                .finish(),
        }
    }
}

impl VoiceSource {
    /// A voice file uploaded earlier.
    pub fn file(id: impl Into<VoiceFileId>) -> Self {
        VoiceSource::File(id.into())
    }

    /// A file uploaded with the task.
    pub fn upload(file_name: impl Into<String>, content: impl Into<Vec<u8>>) -> Self {
        VoiceSource::Upload {
            file_name: file_name.into(),
            content: content.into(),
        }
    }

    /// Text to speech.
    pub fn text_to_speech(text: impl Into<String>, lan: Lan) -> Self {
        VoiceSource::TextToSpeech {
            text: text.into(),
            lan,
        }
    }

    fn check(&self, origin: Origin) -> Result<(), Error> {
        match self {
            VoiceSource::File(id) => validate::token(origin, "the voice file id", id.as_str()),
            VoiceSource::Upload { file_name, content } => {
                validate::voice_file_name(origin, "the upload name", file_name)?;
                if content.is_empty() {
                    return Err(Error::invalid_input(origin, "the voice file is empty"));
                }
                Ok(())
            }
            VoiceSource::TextToSpeech { text, lan } => {
                validate::chars(origin, "the text to speak", text, 1, 1000)?;
                validate::token(origin, "the language code", lan.code())
            }
        }
    }

    fn wire(&self) -> SourceWire {
        match self {
            VoiceSource::File(id) => SourceWire {
                source: 1,
                voice_file_id: Some(id.0.clone()),
                ..SourceWire::default()
            },
            VoiceSource::Upload { file_name, content } => SourceWire {
                source: 2,
                upload_name: Some(file_name.clone()),
                base_file: Some(crate::base64::encode(content)),
                ..SourceWire::default()
            },
            VoiceSource::TextToSpeech { text, lan } => SourceWire {
                source: 3,
                text: Some(text.clone()),
                lan: Some(lan.code().to_owned()),
                ..SourceWire::default()
            },
        }
    }
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SourceWire {
    source: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    voice_file_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    upload_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lan: Option<String>,
}

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
        validate::digits(origin, "a called number", &self.callee_number, 6, 18)?;
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
            validate::chars(origin, "a text variable", text, 1, 30)?;
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

/// At most 3 windows ("Add up to 3 time periods"), none empty. (Whether a window may run
/// past midnight, start after its end, is not documented: it is sent as given.)
fn check_windows(origin: Origin, windows: &[SendWindow]) -> Result<(), Error> {
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

fn local(time: &Option<NaiveDateTime>) -> Option<String> {
    time.map(|t| t.format(de::LOCAL_DATE_TIME).to_string())
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

    /// `senderId` (發送者ID), at most 32 characters.
    pub fn sender_id(mut self, sender_id: impl Into<String>) -> Self {
        self.sender_id = Some(sender_id.into());
        self
    }

    /// `feedbackPush: 1` with `feedbackValue`: send when the callee presses `key` (0-9).
    pub fn on_key(mut self, key: u8) -> Self {
        self.feedback = Some(key);
        self
    }

    /// `successPush: 1` with `successPushTime`: send `seconds` (0-9999) after a successful
    /// call.
    pub fn on_success_after(mut self, seconds: u32) -> Self {
        self.success_after = Some(seconds);
        self
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

    fn check(&self, origin: Origin) -> Result<(), Error> {
        validate::token(origin, "the SMS application id", &self.sms_app_id)?;
        validate::chars(origin, "the SMS content", &self.content, 1, 1000)?;
        if let Some(sender) = &self.sender_id {
            validate::chars(origin, "the sender id", sender, 1, 32)?;
        }
        if let Some(key) = self.feedback {
            validate::range(origin, "the feedback key", key.into(), 0, 9)?;
        }
        if let Some(secs) = self.success_after {
            validate::range(origin, "the success push delay", secs, 0, 9999)?;
        }
        if self.feedback.is_none() && self.success_after.is_none() && !self.failed && !self.ringing
        {
            return Err(Error::invalid_input(
                origin,
                "a post-call SMS needs at least one trigger (key, success, failure, ringing)",
            ));
        }
        Ok(())
    }

    fn wire(&self) -> SmsWire {
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
struct SmsWire {
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

/// A new IVR group-call task (`POST /v3/voice/group/call/send`), built field by field.
///
/// The create page was cut after `text5`; the fields after the number list (`source` and
/// its companions, `sendTime`, `loopCount`, `maxCalls`, `hangUpSms` and the SMS fields,
/// `toSeat`/`sipGroupId`) are the ones the laaffic update page (same body) and the older
/// itniotech create page document. `allowSendTime` is documented on the resend page
/// only and assumed shared (unverified for create). `sendTime` goes out as `null` for an
/// immediate call, as documented ("立即呼叫則傳null").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    app_id: String,
    task_name: String,
    numbers: Vec<Callee>,
    source: VoiceSource,
    display_number: Option<String>,
    send_time: Option<NaiveDateTime>,
    loop_count: Option<u32>,
    max_call_seconds: Option<u32>,
    windows: Vec<SendWindow>,
    sms: Option<PostCallSms>,
    seat_group: Option<u64>,
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
            task_name: task_name.into(),
            numbers: numbers.into_iter().collect(),
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

    /// `displayNum`: the number shown to the callee, 0-20 digits.
    pub fn display_number(mut self, number: impl Into<String>) -> Self {
        self.display_number = Some(number.into());
        self
    }

    /// `sendTime`: call at this time (the account's local time) instead of now.
    pub fn send_at(mut self, time: NaiveDateTime) -> Self {
        self.send_time = Some(time);
        self
    }

    /// `loopCount`: how many times the voice is played, 1-9 (default 1). Optional, as the
    /// laaffic update page marks it (the older itniotech create page says required).
    pub fn loop_count(mut self, count: u32) -> Self {
        self.loop_count = Some(count);
        self
    }

    /// `maxCalls`: hang up this many seconds after the call is answered, 1-999. Optional,
    /// as the laaffic update page marks it (the older itniotech create page says required).
    pub fn max_call_seconds(mut self, seconds: u32) -> Self {
        self.max_call_seconds = Some(seconds);
        self
    }

    /// Adds an `allowSendTime` window (at most 3).
    pub fn allow_between(mut self, start: NaiveTime, end: NaiveTime) -> Self {
        self.windows.push(SendWindow { start, end });
        self
    }

    /// `hangUpSms: 1` and the SMS fields.
    pub fn post_call_sms(mut self, sms: PostCallSms) -> Self {
        self.sms = Some(sms);
        self
    }

    /// `toSeat: 1` with `sipGroupId`: transfer answered calls to this seat group. The
    /// page's type column for `sipGroupId` was cut; it is sent as an integer, like every
    /// other id of these pages.
    pub fn transfer_to_seat(mut self, sip_group_id: u64) -> Self {
        self.seat_group = Some(sip_group_id);
        self
    }

    /// The numbers to call.
    pub fn numbers(&self) -> &[Callee] {
        &self.numbers
    }

    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        validate::token(origin, "the app id", &self.app_id)?;
        validate::chars(origin, "the task name", &self.task_name, 2, 64)?;
        if self.numbers.is_empty() || self.numbers.len() > MAX_TASK_NUMBERS {
            return Err(Error::invalid_input(
                origin,
                format!(
                    "a task calls 1 to {MAX_TASK_NUMBERS} numbers ({} given)",
                    self.numbers.len()
                ),
            ));
        }
        for callee in &self.numbers {
            callee.check(origin)?;
        }
        self.source.check(origin)?;
        if let Some(number) = &self.display_number {
            validate::digits(origin, "the display number", number, 0, 20)?;
        }
        if let Some(count) = self.loop_count {
            validate::range(origin, "the loop count", count, 1, 9)?;
        }
        if let Some(secs) = self.max_call_seconds {
            validate::range(origin, "the maximum call duration", secs, 1, 999)?;
        }
        check_windows(origin, &self.windows)?;
        if let Some(sms) = &self.sms {
            sms.check(origin)?;
        }
        Ok(())
    }

    pub(crate) fn wire(&self) -> impl Serialize + '_ {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire<'a> {
            app_id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            display_num: Option<&'a str>,
            task_name: &'a str,
            number_info_list: &'a [Callee],
            #[serde(flatten)]
            source: SourceWire,
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
        Wire {
            app_id: &self.app_id,
            display_num: self.display_number.as_deref(),
            task_name: &self.task_name,
            number_info_list: &self.numbers,
            source: self.source.wire(),
            send_time: local(&self.send_time),
            loop_count: self.loop_count,
            max_calls: self.max_call_seconds,
            allow_send_time: &self.windows,
            sms: self.sms.as_ref().map(PostCallSms::wire),
            to_seat: self.seat_group.map(|_| 1),
            sip_group_id: self.seat_group,
        }
    }
}

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
    task_name: String,
    source: VoiceSource,
    display_number: Option<String>,
    speaking_rate: Option<f64>,
    gender: Option<Gender>,
    accent: Option<String>,
    delay_play: Option<u32>,
    delay_hangup: Option<u32>,
    max_ringing: Option<u32>,
    loop_count: Option<u32>,
    max_call_seconds: Option<u32>,
    send_time: Option<NaiveDateTime>,
    windows: Vec<SendWindow>,
}

impl Resend {
    /// `keyId` (the task to resend: the query's `jobId`), `taskName` (2-64 characters)
    /// and the voice (`source`).
    pub fn new(task: TaskId, task_name: impl Into<String>, source: VoiceSource) -> Self {
        Resend {
            task,
            task_name: task_name.into(),
            source,
            display_number: None,
            speaking_rate: None,
            gender: None,
            accent: None,
            delay_play: None,
            delay_hangup: None,
            max_ringing: None,
            loop_count: None,
            max_call_seconds: None,
            send_time: None,
            windows: Vec::new(),
        }
    }

    /// `displayNum`: the number shown, 0-20 digits.
    pub fn display_number(mut self, number: impl Into<String>) -> Self {
        self.display_number = Some(number.into());
        self
    }

    /// `speakingRate`: text-to-speech speed, 0.25 to 4 times.
    pub fn speaking_rate(mut self, rate: f64) -> Self {
        self.speaking_rate = Some(rate);
        self
    }

    /// `ssmlGender`: the synthetic voice (female by default).
    pub fn gender(mut self, gender: Gender) -> Self {
        self.gender = Some(gender);
        self
    }

    /// `accent` (String; the page lists no values).
    pub fn accent(mut self, accent: impl Into<String>) -> Self {
        self.accent = Some(accent.into());
        self
    }

    /// `delayPlay`: seconds before playing, 0-999 (default 0).
    pub fn delay_play(mut self, seconds: u32) -> Self {
        self.delay_play = Some(seconds);
        self
    }

    /// `delayHangup`: seconds before hanging up, 0-999 (default 0).
    pub fn delay_hangup(mut self, seconds: u32) -> Self {
        self.delay_hangup = Some(seconds);
        self
    }

    /// `maxRingingTime`: seconds of ringing, 20-120 (default 60).
    pub fn max_ringing_seconds(mut self, seconds: u32) -> Self {
        self.max_ringing = Some(seconds);
        self
    }

    /// `loopCount`: plays, 1-9 (default 1).
    pub fn loop_count(mut self, count: u32) -> Self {
        self.loop_count = Some(count);
        self
    }

    /// `maxCalls`: hang up this many seconds after answer, 1-999.
    pub fn max_call_seconds(mut self, seconds: u32) -> Self {
        self.max_call_seconds = Some(seconds);
        self
    }

    /// `sendTime`: call at this time instead of now.
    pub fn send_at(mut self, time: NaiveDateTime) -> Self {
        self.send_time = Some(time);
        self
    }

    /// Adds an `allowSendTime` window (at most 3).
    pub fn allow_between(mut self, start: NaiveTime, end: NaiveTime) -> Self {
        self.windows.push(SendWindow { start, end });
        self
    }

    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        validate::chars(origin, "the task name", &self.task_name, 2, 64)?;
        self.source.check(origin)?;
        if let Some(number) = &self.display_number {
            validate::digits(origin, "the display number", number, 0, 20)?;
        }
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
            validate::token(origin, "the accent", accent)?;
        }
        for (what, value, min, max) in [
            ("the play delay", self.delay_play, 0, 999),
            ("the hang-up delay", self.delay_hangup, 0, 999),
            ("the maximum ringing time", self.max_ringing, 20, 120),
            ("the loop count", self.loop_count, 1, 9),
            ("the maximum call duration", self.max_call_seconds, 1, 999),
        ] {
            if let Some(value) = value {
                validate::range(origin, what, value, min, max)?;
            }
        }
        check_windows(origin, &self.windows)
    }

    pub(crate) fn wire(&self) -> impl Serialize + '_ {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire<'a> {
            key_id: TaskId,
            #[serde(skip_serializing_if = "Option::is_none")]
            display_num: Option<&'a str>,
            task_name: &'a str,
            #[serde(flatten)]
            source: SourceWire,
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
            #[serde(skip_serializing_if = "Option::is_none")]
            loop_count: Option<u32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            max_calls: Option<u32>,
            send_time: Option<String>,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            allow_send_time: &'a [SendWindow],
        }
        Wire {
            key_id: self.task,
            display_num: self.display_number.as_deref(),
            task_name: &self.task_name,
            source: self.source.wire(),
            speaking_rate: self.speaking_rate,
            ssml_gender: self.gender,
            accent: self.accent.as_deref(),
            delay_play: self.delay_play,
            delay_hangup: self.delay_hangup,
            max_ringing_time: self.max_ringing,
            loop_count: self.loop_count,
            max_calls: self.max_call_seconds,
            send_time: local(&self.send_time),
            allow_send_time: &self.windows,
        }
    }
}

/// The filters of the task list (`POST /v3/voice/group/call/query`): `strTime` and
/// `endTime` (required by the itniotech cn copy, so always sent), and optionally
/// `statusList`, `idxAppId`, `searchCondition`; page `current` (1-N) and `size` (1-100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    current: u32,
    size: u32,
    start: NaiveDateTime,
    end: NaiveDateTime,
    statuses: Vec<TaskStatus>,
    app: Option<u64>,
    search: Option<String>,
}

impl TaskQuery {
    /// Tasks created between `start` and `end` (`strTime`, `endTime`), page 1 of 10.
    pub fn new(start: NaiveDateTime, end: NaiveDateTime) -> Self {
        TaskQuery {
            current: 1,
            size: 10,
            start,
            end,
            statuses: Vec::new(),
            app: None,
            search: None,
        }
    }

    /// `current` (1-N) and `size` (1-100).
    pub fn page(mut self, current: u32, size: u32) -> Self {
        self.current = current;
        self.size = size;
        self
    }

    /// `statusList`: only tasks in these states (empty: all).
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = TaskStatus>) -> Self {
        self.statuses = statuses.into_iter().collect();
        self
    }

    /// `idxAppId` (Integer): only this application's tasks.
    pub fn app(mut self, app_id: u64) -> Self {
        self.app = Some(app_id);
        self
    }

    /// `searchCondition`: a fuzzy match on task name, voice file name or TTS text.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    pub(crate) fn check(&self, origin: Origin) -> Result<(), Error> {
        validate::page(origin, self.current, self.size)?;
        if self.start > self.end {
            return Err(Error::invalid_input(
                origin,
                "the start time is after the end time",
            ));
        }
        if let Some(search) = &self.search {
            if search.trim().is_empty() || search.chars().any(char::is_control) {
                return Err(Error::invalid_input(
                    origin,
                    "the search text is empty or holds control characters",
                ));
            }
        }
        Ok(())
    }

    pub(crate) fn wire(&self) -> impl Serialize + '_ {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Params<'a> {
            str_time: String,
            end_time: String,
            status_list: &'a [TaskStatus],
            #[serde(skip_serializing_if = "Option::is_none")]
            idx_app_id: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            search_condition: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct Wire<'a> {
            current: u32,
            size: u32,
            params: Params<'a>,
        }
        Wire {
            current: self.current,
            size: self.size,
            params: Params {
                str_time: self.start.format(de::LOCAL_DATE_TIME).to_string(),
                end_time: self.end.format(de::LOCAL_DATE_TIME).to_string(),
                status_list: &self.statuses,
                idx_app_id: self.app,
                search_condition: self.search.as_deref(),
            },
        }
    }
}

/// One page of a paged answer (`data: {total, size, current, pages, records}`; the
/// record query adds `searchCount`). Counts absent from an answer are `None` (the
/// documentation's examples are cut before them).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
#[non_exhaustive]
pub struct Page<T> {
    /// `total`: records matching.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub total: Option<u64>,
    /// `size`: the page size.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub size: Option<u64>,
    /// `current`: the page number.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub current: Option<u64>,
    /// `pages`: the number of pages.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub pages: Option<u64>,
    /// `searchCount` (record query only).
    #[serde(default, rename = "searchCount")]
    pub search_count: Option<bool>,
    /// `records`: this page's records (absent or `null`: none).
    #[serde(default = "Vec::new", deserialize_with = "records")]
    pub records: Vec<T>,
}

fn records<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A task in the task list (a `records` item of the query answer).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskSummary {
    /// `taskId` (m.laaffic cn page) or `jobId` (zh-TW page, itniotech, the example): the
    /// task id; both names are accepted.
    #[serde(alias = "jobId")]
    pub task_id: TaskId,
    /// `taskName`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub task_name: Option<String>,
    /// `status`.
    #[serde(default)]
    pub status: Option<TaskStatus>,
    /// `rate`: call progress (呼叫进度), as sent (`"0"`).
    #[serde(default, deserialize_with = "de::opt_text")]
    pub rate: Option<String>,
    /// `numCnt`: numbers in the task.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub num_cnt: Option<u64>,
    /// `callNum`: numbers called.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub call_num: Option<u64>,
    /// `success`: successful calls.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub success: Option<u64>,
    /// `fail`: failed calls.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub fail: Option<u64>,
    /// `createdTime` (LocalDateTime).
    #[serde(default, deserialize_with = "de::opt_local")]
    pub created_time: Option<NaiveDateTime>,
    /// `scriptId`: the AI script template (AI tasks).
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub script_id: Option<u64>,
    /// `taskType`.
    #[serde(default)]
    pub task_type: Option<TaskType>,
}

/// One task in detail (`GET /v3/voice/group/call/detail/{id}`, `data`). Documented on the
/// itniotech copy only, whose field list is cut after `acd`; types are not given there, so
/// counts accept numbers or strings and rates are kept as sent.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskDetail {
    /// `jobId`.
    #[serde(alias = "taskId")]
    pub job_id: TaskId,
    /// `taskName`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub task_name: Option<String>,
    /// `displayNum`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub display_num: Option<String>,
    /// `text`: the text-to-speech text.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub text: Option<String>,
    /// `status`.
    #[serde(default)]
    pub status: Option<TaskStatus>,
    /// `rate`: progress, as sent.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub rate: Option<String>,
    /// `numCnt`: numbers in the task.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub num_cnt: Option<u64>,
    /// `chargeLen`: charged length.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub charge_len: Option<u64>,
    /// `success`.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub success: Option<u64>,
    /// `fail`.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub fail: Option<u64>,
    /// `toseatNum`: calls transferred to a seat.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub toseat_num: Option<u64>,
    /// `successRate` (String).
    #[serde(default, deserialize_with = "de::opt_text")]
    pub success_rate: Option<String>,
    /// `toseatNumRate`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub toseat_num_rate: Option<String>,
    /// `sendTime`.
    #[serde(default, deserialize_with = "de::opt_local")]
    pub send_time: Option<NaiveDateTime>,
    /// `createdTime`.
    #[serde(default, deserialize_with = "de::opt_local")]
    pub created_time: Option<NaiveDateTime>,
    /// `mdfTime`: last modified.
    #[serde(default, deserialize_with = "de::opt_local")]
    pub mdf_time: Option<NaiveDateTime>,
    /// `appId`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub app_id: Option<String>,
    /// `source`.
    #[serde(default)]
    pub source: Option<SourceKind>,
    /// `voiceFileId`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub voice_file_id: Option<String>,
    /// `calloutRate`: the outbound multiplier.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub callout_rate: Option<String>,
    /// `finishTime`.
    #[serde(default, deserialize_with = "de::opt_local")]
    pub finish_time: Option<NaiveDateTime>,
    /// `keyFeedbackNum`: key presses.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub key_feedback_num: Option<u64>,
    /// `uploadName`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub upload_name: Option<String>,
    /// `baseFile`: the uploaded content, base64 (not shown by `Debug`).
    #[serde(default, deserialize_with = "de::opt_text")]
    pub base_file: Option<String>,
    /// `callLossNum`.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub call_loss_num: Option<u64>,
    /// `callDuration`.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub call_duration: Option<u64>,
    /// `callLossNumRate`.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub call_loss_num_rate: Option<String>,
    /// `code`: the country code.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub code: Option<String>,
    /// `maxCalls`.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub max_calls: Option<u64>,
    /// `loopCount`.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub loop_count: Option<u64>,
    /// `lan`.
    #[serde(default)]
    pub lan: Option<Lan>,
    /// `allCallToseatNum`.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub all_call_toseat_num: Option<u64>,
    /// `callTotal`.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub call_total: Option<u64>,
    /// `acd` (the list is cut here), as sent.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub acd: Option<String>,
}

impl fmt::Debug for TaskDetail {
    /// Everything but `baseFile`'s content (its length instead).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskDetail")
            .field("job_id", &self.job_id)
            .field("task_name", &self.task_name)
            .field("display_num", &self.display_num)
            .field("text", &self.text)
            .field("status", &self.status)
            .field("rate", &self.rate)
            .field("num_cnt", &self.num_cnt)
            .field("charge_len", &self.charge_len)
            .field("success", &self.success)
            .field("fail", &self.fail)
            .field("toseat_num", &self.toseat_num)
            .field("success_rate", &self.success_rate)
            .field("toseat_num_rate", &self.toseat_num_rate)
            .field("send_time", &self.send_time)
            .field("created_time", &self.created_time)
            .field("mdf_time", &self.mdf_time)
            .field("app_id", &self.app_id)
            .field("source", &self.source)
            .field("voice_file_id", &self.voice_file_id)
            .field("callout_rate", &self.callout_rate)
            .field("finish_time", &self.finish_time)
            .field("key_feedback_num", &self.key_feedback_num)
            .field("upload_name", &self.upload_name)
            .field("base_file_len", &self.base_file.as_ref().map(String::len))
            .field("call_loss_num", &self.call_loss_num)
            .field("call_duration", &self.call_duration)
            .field("call_loss_num_rate", &self.call_loss_num_rate)
            .field("code", &self.code)
            .field("max_calls", &self.max_calls)
            .field("loop_count", &self.loop_count)
            .field("lan", &self.lan)
            .field("all_call_toseat_num", &self.all_call_toseat_num)
            .field("call_total", &self.call_total)
            .field("acd", &self.acd)
            .finish()
    }
}
