//! Laaffic's task resends as [`Declared`] requests (each an
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

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use voxkit_core::{Error, Origin};
use voxkit_laaffic::{
    AiResend, AiResendType, Client, Lan, OPERATIONS, Resend, TaskId, VoiceSource, marked_task_name,
};

use super::{Declared, Provider, number, resolve, text};
use crate::{Evidence, ExactlyOnce, Intent, Marker, Verdict};

/// Laaffic as the operations of this module name it.
#[derive(Debug)]
pub struct Laaffic;

impl Provider for Laaffic {
    type Client = Client;
    const NAME: &'static str = PROVIDER;
    const DECLARATIONS: &'static [&'static voxkit_core::OperationSpec] = OPERATIONS;
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

/// A resend (recall) of a finished IVR task under a new, marked name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResendTaskRequest {
    /// `keyId`: the task to resend.
    pub task: u64,
    /// The new round's name, before its marker.
    pub name: String,
    /// The voice.
    pub voice: ResendVoice,
}

#[async_trait::async_trait]
impl Declared for ResendTaskRequest {
    type Provider = Laaffic;
    const NAMES: &'static [&'static str] = &["resend_task"];

    fn serial(&self) -> String {
        serial(self.task)
    }

    fn request(&self) -> Value {
        let mut request = json!({ "task": self.task, "name": self.name });
        match &self.voice {
            ResendVoice::File(id) => request["voice_file"] = json!(id),
            ResendVoice::TextToSpeech { text, lan } => {
                request["tts"] = json!(text);
                request["lan"] = json!(lan);
            }
        }
        request
    }

    fn from_request(_: &str, request: &Value, _: &[String]) -> Option<Self> {
        let voice = match text(request, "voice_file") {
            Some(id) => ResendVoice::File(id),
            None => ResendVoice::TextToSpeech {
                text: text(request, "tts")?,
                lan: text(request, "lan")?,
            },
        };
        Some(ResendTaskRequest {
            task: number(request, "task")?,
            name: text(request, "name")?,
            voice,
        })
    }

    fn check(&self) -> Result<(), Error> {
        check_name("resend_task", &self.name)
    }

    async fn send(&self, client: &Client, marker: &Marker) -> Result<Evidence, Error> {
        let name = marked_task_name(&self.name, marker);
        let source = match &self.voice {
            ResendVoice::File(id) => VoiceSource::file(id.as_str()),
            ResendVoice::TextToSpeech { text, lan } => {
                VoiceSource::text_to_speech(text.as_str(), Lan::from_code(lan))
            }
        };
        let id = client
            .resend_task(&Resend::new(TaskId(self.task), name.as_str(), source))
            .await?;
        Ok(resent(id, name))
    }

    async fn reconcile(&self, client: &Client, marker: &Marker, since: DateTime<Utc>) -> Verdict {
        client.reconcile_create_task(marker, since).await
    }
}

/// A resend of an AI voice task under a new, marked name, with its script and which numbers
/// to call again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResendAiTaskRequest {
    /// `keyId`: the AI task to resend.
    pub task: u64,
    /// The new round's name, before its marker.
    pub name: String,
    /// `scriptId`: the AI script template.
    pub script: u64,
    /// `resendType`: every number, or the failed ones.
    pub resend_type: AiResendType,
}

#[async_trait::async_trait]
impl Declared for ResendAiTaskRequest {
    type Provider = Laaffic;
    const NAMES: &'static [&'static str] = &["resend_ai_task"];

    fn serial(&self) -> String {
        serial(self.task)
    }

    fn request(&self) -> Value {
        json!({
            "task": self.task,
            "name": self.name,
            "script": self.script,
            "resend_type": self.resend_type.code(),
        })
    }

    fn from_request(_: &str, request: &Value, _: &[String]) -> Option<Self> {
        Some(ResendAiTaskRequest {
            task: number(request, "task")?,
            name: text(request, "name")?,
            script: number(request, "script")?,
            resend_type: AiResendType::from_code(request.get("resend_type")?.as_i64()?),
        })
    }

    fn check(&self) -> Result<(), Error> {
        let origin = Origin::new(PROVIDER, "resend_ai_task");
        voxkit_core::check::positive(origin, "the script id", self.script)?;
        check_name("resend_ai_task", &self.name)
    }

    async fn send(&self, client: &Client, marker: &Marker) -> Result<Evidence, Error> {
        let name = marked_task_name(&self.name, marker);
        let resend = AiResend::new(
            TaskId(self.task),
            name.as_str(),
            self.script,
            self.resend_type,
        );
        let id = client.resend_ai_task(&resend).await?;
        Ok(resent(id, name))
    }

    async fn reconcile(&self, client: &Client, marker: &Marker, since: DateTime<Utc>) -> Verdict {
        client.reconcile_create_task(marker, since).await
    }
}

/// Rebuilds any Laaffic operation of this module from a journaled intent; `None` for
/// anything else.
pub fn from_intent(client: Arc<Client>, intent: &Intent) -> Option<Arc<dyn ExactlyOnce>> {
    resolve::<ResendTaskRequest>(&client, intent, &[])
        .or_else(|| resolve::<ResendAiTaskRequest>(&client, intent, &[]))
}

#[cfg(test)]
mod tests {
    use super::super::{Op, assert_round_trip, intent_of};
    use super::*;

    fn client() -> Arc<Client> {
        let client = Client::builder()
            .base_url("http://127.0.0.1:9")
            .allow_http(true)
            .credentials("k", "s")
            .build()
            .unwrap();
        Arc::new(client)
    }

    #[test]
    fn resends_are_keyed_by_their_task_and_rebuilt_from_their_intent() {
        let c = client();
        let identities = [
            assert_round_trip(
                &Op::of(
                    Arc::clone(&c),
                    ResendTaskRequest {
                        task: 42,
                        name: "again".into(),
                        voice: ResendVoice::File("f.mp3".into()),
                    },
                ),
                &[],
            ),
            assert_round_trip(
                &Op::of(
                    Arc::clone(&c),
                    ResendTaskRequest {
                        task: 42,
                        name: "again".into(),
                        voice: ResendVoice::TextToSpeech {
                            text: "hello".into(),
                            lan: "EN".into(),
                        },
                    },
                ),
                &[],
            ),
            assert_round_trip(
                &Op::of(
                    Arc::clone(&c),
                    ResendAiTaskRequest {
                        task: 42,
                        name: "again".into(),
                        script: 7,
                        resend_type: AiResendType::Failed,
                    },
                ),
                &[],
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
