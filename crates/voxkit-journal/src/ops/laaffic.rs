//! Laaffic's task resends as [`Declared`](super::Declared) requests (each an
//! [`ExactlyOnce`] operation as [`Op`](super::Op)): a resend creates a new task
//! under the name it sends, so the marker is appended to that name
//! ([`voxkit_laaffic::marked_task_name`]) and a lost answer is looked for with the task
//! query's name search over the window since the intent
//! ([`voxkit_laaffic::Client::reconcile_create_task`]; the query lists AI tasks too).
//!
//! The serial key is the task resent (`laaffic:task:<id>`): a resend carries no `appId` (the
//! `laaffic:app:<appId>` of a task creation), and the marker makes the name search exact
//! whatever else runs, so the key only keeps two resends of one task from racing each other
//! at the provider.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use voxkit_core::{Error, Origin};
use voxkit_laaffic::{
    AiResend, AiResendType, Client, Lan, OPERATIONS, Resend, TaskId, VoiceSource, marked_task_name,
};

use super::{Journaled, resolve, text};
use crate::{Evidence, ExactlyOnce, Intent};

provider! {
    /// Laaffic as the operations of this module name it.
    Laaffic: Client, PROVIDER, OPERATIONS
}

/// The provider's name in the journal.
pub const PROVIDER: &str = voxkit_laaffic::PROVIDER;

/// The serial key of a resend of `task`.
fn serial(task: u64) -> String {
    format!("laaffic:task:{task}")
}

/// The checks of a resend's name before its marker: 2 to 64 characters (the marker then
/// replaces its end when it does not fit; what stays is the caller's text).
fn check_name(operation: &'static str, name: &str) -> Result<(), Error> {
    let origin = Origin::new(PROVIDER, operation);
    voxkit_core::check::chars(
        origin,
        "the task name",
        name,
        2,
        voxkit_laaffic::TASK_NAME_MAX_CHARS,
    )
}

/// The evidence of a resend: the new task's id (when the answer gives one) and its name.
fn resent(id: Option<TaskId>, name: String) -> Evidence {
    json!({ "taskId": id.map(|id| id.0), "taskName": name })
}

/// The voice of an IVR resend: a voice file uploaded earlier, or text to speech.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResendVoice {
    /// `source: 1`: a voice file's id.
    File(String),
    /// `source: 3`: the text and its language code (`EN`, ...).
    TextToSpeech {
        /// The text to speak.
        text: String,
        /// Its language's code.
        lan: String,
    },
}

/// A file's id under `voice_file`, or the text under `tts` and its language under `lan`:
/// the key is not used (these names are what journals hold).
impl Journaled for ResendVoice {
    fn write(&self, _: &'static str, request: &mut Map<String, Value>) {
        match self {
            ResendVoice::File(id) => {
                request.insert("voice_file".into(), json!(id));
            }
            ResendVoice::TextToSpeech { text, lan } => {
                request.insert("tts".into(), json!(text));
                request.insert("lan".into(), json!(lan));
            }
        }
    }

    fn read(request: &Value, _: &'static str, _: &[String]) -> Option<Self> {
        Some(match text(request, "voice_file") {
            Some(id) => ResendVoice::File(id),
            None => ResendVoice::TextToSpeech {
                text: text(request, "tts")?,
                lan: text(request, "lan")?,
            },
        })
    }
}

/// Its code (`resendType`).
impl Journaled for AiResendType {
    fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
        request.insert(key.into(), json!(self.code()));
    }

    fn read(request: &Value, key: &'static str, _: &[String]) -> Option<Self> {
        Some(AiResendType::from_code(request.get(key)?.as_i64()?))
    }
}

declared! {
    /// A resend (recall) of a finished IVR task under a new, marked name.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ResendTaskRequest for Laaffic {
        /// `keyId`: the task to resend.
        pub task: u64 => "task",
        /// The new round's name, before its marker.
        pub name: String => "name",
        /// The voice.
        pub voice: ResendVoice => "voice",
    }
    names: ["resend_task"],
    serial: |r| serial(r.task),
    check: |r| check_name("resend_task", &r.name),
    send: |r, client, marker| {
        let name = marked_task_name(&r.name, marker);
        let source = match &r.voice {
            ResendVoice::File(id) => VoiceSource::file(id.as_str()),
            ResendVoice::TextToSpeech { text, lan } => {
                VoiceSource::text_to_speech(text.as_str(), Lan::from_code(lan))
            }
        };
        let id = client
            .resend_task(&Resend::new(TaskId(r.task), name.as_str(), source))
            .await?;
        Ok(resent(id, name))
    },
    reconcile: |_, client, marker, since| client.reconcile_create_task(marker, since).await,
}

declared! {
    /// A resend of an AI voice task under a new, marked name, with its script and which
    /// numbers to call again.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ResendAiTaskRequest for Laaffic {
        /// `keyId`: the AI task to resend.
        pub task: u64 => "task",
        /// The new round's name, before its marker.
        pub name: String => "name",
        /// `scriptId`: the AI script template.
        pub script: u64 => "script",
        /// `resendType`: every number, or the failed ones.
        pub resend_type: AiResendType => "resend_type",
    }
    names: ["resend_ai_task"],
    serial: |r| serial(r.task),
    check: |r| {
        let origin = Origin::new(PROVIDER, "resend_ai_task");
        voxkit_core::check::positive(origin, "the script id", r.script)?;
        check_name("resend_ai_task", &r.name)
    },
    send: |r, client, marker| {
        let name = marked_task_name(&r.name, marker);
        let resend = AiResend::new(TaskId(r.task), name.as_str(), r.script, r.resend_type);
        let id = client.resend_ai_task(&resend).await?;
        Ok(resent(id, name))
    },
    reconcile: |_, client, marker, since| client.reconcile_create_task(marker, since).await,
}

/// Rebuilds any Laaffic operation of this module from a journaled intent; `None` for
/// anything else.
pub fn from_intent(client: Arc<Client>, intent: &Intent) -> Option<Arc<dyn ExactlyOnce>> {
    resolve::<ResendTaskRequest>(&client, intent, &[])
        .or_else(|| resolve::<ResendAiTaskRequest>(&client, intent, &[]))
}

#[cfg(test)]
mod tests {
    use super::super::{Declared, assert_request_round_trip, intent_of};
    use super::*;

    fn client() -> Arc<Client> {
        let builder = Client::builder().base_url("http://127.0.0.1:9");
        Arc::new(
            builder
                .allow_http(true)
                .credentials("k", "s")
                .build()
                .unwrap(),
        )
    }

    #[test]
    fn resends_are_keyed_by_their_task_and_rebuilt_from_their_intent() {
        let c = client();
        let identities = [
            assert_request_round_trip(
                &c,
                ResendTaskRequest {
                    task: 42,
                    name: "again".into(),
                    voice: ResendVoice::File("f.mp3".into()),
                },
            ),
            assert_request_round_trip(
                &c,
                ResendTaskRequest {
                    task: 42,
                    name: "again".into(),
                    voice: ResendVoice::TextToSpeech {
                        text: "hello".into(),
                        lan: "EN".into(),
                    },
                },
            ),
            assert_request_round_trip(
                &c,
                ResendAiTaskRequest {
                    task: 42,
                    name: "again".into(),
                    script: 7,
                    resend_type: AiResendType::Failed,
                },
            ),
        ];
        for identity in &identities {
            assert_eq!(identity.serial, "laaffic:task:42");
            let op = from_intent(Arc::clone(&c), &intent_of(identity)).unwrap();
            assert_eq!(&op.identity(), identity);
        }
        assert_eq!(identities[2].request["resend_type"], 1);
        let short = ResendTaskRequest {
            task: 1,
            name: "x".into(),
            voice: ResendVoice::File("f".into()),
        };
        assert!(short.check().is_err());
    }
}
