//! AI voice group-call tasks (AI语音群呼, script based): update (C2, `update/ai`) and
//! resend (C3, `resend/ai`). They are listed by the task query with
//! [`TaskQuery::task_type`](crate::TaskQuery::task_type) ([`TaskType::Ai`](crate::TaskType)).
//!
//! Contradictions in the documentation, and the choice made:
//!
//! - the resend answer is `{status, reason, data}` on the laaffic page and `{code, msg,
//!   data}` on the itniotech copy: both are decoded ([`crate::envelope`]);
//! - `allowSendTime` is documented "HH:SS" while every example is hours and minutes: sent
//!   as `"HH:MM"` ([`SendWindow`]);
//! - the update example sends `maxCalls: 40`, which its table does not list (the resend
//!   table does): offered on both, range unchecked beyond "at least 1" (no AI page gives
//!   one);
//! - `resendType` is `0` all / `1` failed here, `1`/`2`/`3` on the call-centre resend:
//!   this one's values are sent ([`AiResendType`]).

use chrono::NaiveDateTime;
use serde::Serialize;
use voxkit_core::{Error, ExactlyOnceOutcome, Operation, Origin, ReconcileWait, check, lenient};

use crate::envelope::decode_data;
use crate::ivr::task_bodies::{SendWindow, check_windows, schedule_setters};
use crate::ivr::{TaskId, int_enum};
use crate::{Client, dates};

laaffic_operations! {
    /// 修改AI语音群呼任务: `POST /v3/voice/group/call/update/ai`. Setting the same fields
    /// twice leaves the task as setting them once: repeatable.
    pub(crate) UPDATE_AI_TASK {
        name: "update_ai_task",
        method: POST,
        path: "v3/voice/group/call/update/ai",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.update_ai_task(&example_update()).await,
        decode: |r| decode_data::<serde::de::IgnoredAny>(&UPDATE_AI_TASK, r).map(drop),
    }

    /// AI语音群呼任务重呼: `POST /v3/voice/group/call/resend/ai`. Each resend starts a new
    /// round of calls (it may spend balance: `-10`) under the name it sends: the name is
    /// the marker, found by the task query as for an IVR resend.
    pub(crate) RESEND_AI_TASK {
        name: "resend_ai_task",
        method: POST,
        path: "v3/voice/group/call/resend/ai",
        idempotency: NotRepeatable,
        reconciliation: ByMarker { field: "taskName", found_by: "query_tasks" },
        example: |c| c.resend_ai_task(&example_resend()).await.map(drop),
        decode: |r| decode_data::<MaybeId>(&RESEND_AI_TASK, r).map(drop),
        exactly_once: |c| {
            let name = crate::marked_task_name(EXAMPLE_RESEND_NAME, &voxkit_core::Marker::generate());
            c.resend_ai_task_exactly_once(&example_resend_named(&name), &voxkit_core::test_util::FAST_RECONCILE).await
        },
        applied: |c| c.recent_tasks_named(EXAMPLE_RESEND_NAME).await,
    }
}

/// An update of the scheduled task `5000603` with the example's `maxCalls: 40`.
#[cfg(any(test, feature = "test-util"))]
fn example_update() -> AiTaskUpdate {
    AiTaskUpdate::new(TaskId(5_000_603), "示例定时任务", 1).max_call_seconds(40)
}

/// The name of the AI resend example's new task.
#[cfg(any(test, feature = "test-util"))]
const EXAMPLE_RESEND_NAME: &str = "2024-06-04 14:49:17111-ai";

/// A resend (all numbers) of the query example's task `5000602`.
#[cfg(any(test, feature = "test-util"))]
fn example_resend() -> AiResend {
    example_resend_named(EXAMPLE_RESEND_NAME)
}

/// [`example_resend`] under `name` (a marked name, for the exactly-once call).
#[cfg(any(test, feature = "test-util"))]
fn example_resend_named(name: &str) -> AiResend {
    AiResend::new(TaskId(5_000_602), name, 1, AiResendType::All)
}

/// The new task's id in `data` (`123123` in the example); anything else is `None`.
#[derive(serde::Deserialize)]
#[serde(transparent)]
struct MaybeId(#[serde(deserialize_with = "lenient::lenient_id")] Option<u64>);

int_enum! {
    /// Which numbers an AI resend calls again (`resendType`).
    AiResendType {
        /// `0` resend all.
        All = 0,
        /// `1` resend failed.
        Failed = 1,
    }
}

/// The fields C2 and C3 share.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AiFields {
    task: TaskId,
    task_name: String,
    script_id: u64,
    display_number: Option<String>,
    send_time: Option<NaiveDateTime>,
    windows: Vec<SendWindow>,
    max_ringing: Option<u32>,
    recording: Option<bool>,
    callout_rate: Option<u32>,
    max_call_seconds: Option<u32>,
}

impl AiFields {
    fn new(task: TaskId, task_name: String, script_id: u64) -> Self {
        AiFields {
            task,
            task_name,
            script_id,
            display_number: None,
            send_time: None,
            windows: Vec::new(),
            max_ringing: None,
            recording: None,
            callout_rate: None,
            max_call_seconds: None,
        }
    }

    fn check(&self, origin: Origin) -> Result<(), Error> {
        check::chars(origin, "the task name", &self.task_name, 2, 64)?;
        check::positive(origin, "the script id", self.script_id)?;
        if let Some(number) = &self.display_number {
            check::digits(origin, "the display number", number, 0, 20)?;
        }
        if let Some(secs) = self.max_ringing {
            check::range(origin, "the maximum ringing time", secs.into(), 20, 120)?;
        }
        if let Some(rate) = self.callout_rate {
            check::positive(origin, "the callout rate", rate.into())?;
        }
        if let Some(secs) = self.max_call_seconds {
            check::positive(origin, "the maximum call duration", secs.into())?;
        }
        check_windows(origin, &self.windows)
    }

    fn wire(&self) -> AiWire<'_> {
        AiWire {
            key_id: self.task,
            display_num: self.display_number.as_deref(),
            task_name: &self.task_name,
            send_time: dates::local(&self.send_time),
            allow_send_time: &self.windows,
            max_ringing_time: self.max_ringing,
            script_id: self.script_id,
            enable_recording: self.recording.map(u8::from),
            callout_rate: self.callout_rate,
            max_calls: self.max_call_seconds,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AiWire<'a> {
    key_id: TaskId,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_num: Option<&'a str>,
    task_name: &'a str,
    send_time: Option<String>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    allow_send_time: &'a [SendWindow],
    #[serde(skip_serializing_if = "Option::is_none")]
    max_ringing_time: Option<u32>,
    script_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    enable_recording: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callout_rate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_calls: Option<u32>,
}

/// Generates the shared optional setters of an AI request type: the schedule setters
/// every task body takes (`schedule_setters!`, shared with the IVR bodies) and the AI
/// ones (core's [`voxkit_core::optional_setters!`]).
macro_rules! ai_setters {
    ($ty:ident) => {
        schedule_setters!($ty);

        impl $ty {
            voxkit_core::optional_setters! {
                /// `maxRingingTime`: seconds of ringing, 20-120 (default 60).
                fn max_ringing_seconds(seconds: u32) => f.max_ringing;
                /// `enableRecording`: record the calls (default no).
                fn recording(on: bool) => f.recording;
                /// `calloutRate`: the outbound call multiplier (default 1).
                fn callout_rate(rate: u32) => f.callout_rate;
                /// `maxCalls`: hang up this many seconds after answer.
                fn max_call_seconds(seconds: u32) => f.max_call_seconds;
            }
        }
    };
}

/// An update of an AI voice task (`POST /v3/voice/group/call/update/ai`): `keyId` (the
/// query's `jobId`), `taskName` (2-64 characters) and `scriptId` (the AI script template)
/// are required; the rest optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiTaskUpdate {
    f: AiFields,
}

impl AiTaskUpdate {
    /// `keyId`, `taskName`, `scriptId`.
    pub fn new(task: TaskId, task_name: impl Into<String>, script_id: u64) -> Self {
        AiTaskUpdate {
            f: AiFields::new(task, task_name.into(), script_id),
        }
    }
}
ai_setters!(AiTaskUpdate);

/// A resend of an AI voice task (`POST /v3/voice/group/call/resend/ai`): the fields of
/// [`AiTaskUpdate`] and `resendType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiResend {
    f: AiFields,
    resend_type: AiResendType,
}

impl AiResend {
    /// `keyId`, `taskName` (the new round's name; build it with
    /// [`marked_task_name`](crate::marked_task_name) for
    /// [`Client::resend_ai_task_exactly_once`]), `scriptId` and `resendType`.
    pub fn new(
        task: TaskId,
        task_name: impl Into<String>,
        script_id: u64,
        resend_type: AiResendType,
    ) -> Self {
        AiResend {
            f: AiFields::new(task, task_name.into(), script_id),
            resend_type,
        }
    }

    /// The task name sent.
    pub fn task_name(&self) -> &str {
        &self.f.task_name
    }
}
ai_setters!(AiResend);

impl Client {
    /// Updates an AI voice task: `POST /v3/voice/group/call/update/ai`, operation
    /// `update_ai_task`. The answer is `data: null`. Documented refusals include `-35` (no
    /// number called) and `-37` (the task was refused; the page's text is cut).
    ///
    /// **Repeatable**: the same update twice leaves the task as once.
    pub async fn update_ai_task(&self, update: &AiTaskUpdate) -> Result<(), Error> {
        let origin = UPDATE_AI_TASK.origin();
        update.f.check(origin)?;
        let op = Operation::of(&UPDATE_AI_TASK, &[])?.json(origin, &update.f.wire())?;
        self.send(&UPDATE_AI_TASK, &op, decode_data::<serde::de::IgnoredAny>)
            .await
            .map(drop)
    }

    /// Resends an AI voice task: `POST /v3/voice/group/call/resend/ai`, operation
    /// `resend_ai_task`; returns the new round's id (`data`, the example's `123123`), or
    /// `None` when the answer holds none. `-10`: the balance is too low; `-34`: the last
    /// round left no number to call.
    ///
    /// **Not repeatable**: a lost answer is [`Error::OutcomeUnknown`]; use
    /// [`Client::resend_ai_task_exactly_once`] with a marked name.
    pub async fn resend_ai_task(&self, resend: &AiResend) -> Result<Option<TaskId>, Error> {
        let origin = RESEND_AI_TASK.origin();
        resend.f.check(origin)?;
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire<'a> {
            #[serde(flatten)]
            fields: AiWire<'a>,
            resend_type: AiResendType,
        }
        let wire = Wire {
            fields: resend.f.wire(),
            resend_type: resend.resend_type,
        };
        let op = Operation::of(&RESEND_AI_TASK, &[])?.json(origin, &wire)?;
        let id: MaybeId = self.send(&RESEND_AI_TASK, &op, decode_data).await?;
        Ok(id.0.map(TaskId))
    }

    /// [`Client::resend_ai_task`] exactly once, reconciled as the IVR resend is: the name
    /// must end with a marker ([`marked_task_name`](crate::marked_task_name); else
    /// [`Error::InvalidInput`], nothing sent), a lost answer is looked for with
    /// [`Client::reconcile_create_task`] (the task query lists AI tasks too: "查询普通群呼/AI群呼
    /// 任务列表"), and the same resend is sent once more only when no task carries the
    /// marker.
    pub async fn resend_ai_task_exactly_once(
        &self,
        resend: &AiResend,
        wait: &ReconcileWait,
    ) -> Result<ExactlyOnceOutcome, Error> {
        let name = resend.task_name().to_owned();
        self.task_creation_exactly_once(RESEND_AI_TASK.origin(), name, wait, || {
            self.resend_ai_task(resend)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;
    use serde_json::json;

    use super::*;

    #[test]
    fn the_resend_body_has_every_documented_field_name() {
        let resend = example_resend()
            .display_number("1008122211")
            .max_ringing_seconds(60)
            .recording(true)
            .callout_rate(1);
        let wire = json!({"fields": resend.f.wire(), "resendType": resend.resend_type});
        let fields = &wire["fields"];
        for key in [
            "keyId",
            "displayNum",
            "taskName",
            "sendTime",
            "maxRingingTime",
            "scriptId",
            "enableRecording",
            "calloutRate",
        ] {
            assert!(fields.get(key).is_some(), "{key}: {wire}");
        }
        assert_eq!(fields["enableRecording"], 1);
        assert_eq!(wire["resendType"], 0, "the example resends all");
    }

    #[test]
    fn documented_limits_are_checked() {
        let o = RESEND_AI_TASK.origin();
        assert!(example_update().f.check(o).is_ok());
        let t = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let bad = [
            AiTaskUpdate::new(TaskId(1), "x", 1),
            AiTaskUpdate::new(TaskId(1), "ok", 0),
            AiTaskUpdate::new(TaskId(1), "ok", 1).max_ringing_seconds(19),
            AiTaskUpdate::new(TaskId(1), "ok", 1).display_number("12a"),
            AiTaskUpdate::new(TaskId(1), "ok", 1)
                .allow_between(t, t + chrono::TimeDelta::hours(1))
                .allow_between(t, t + chrono::TimeDelta::hours(2))
                .allow_between(t, t + chrono::TimeDelta::hours(3))
                .allow_between(t, t + chrono::TimeDelta::hours(4)),
        ];
        for update in bad {
            assert!(update.f.check(o).unwrap_err().nothing_sent(), "{update:?}");
        }
    }
}
