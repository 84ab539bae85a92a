//! Receiving longlonglong's callbacks (feature `webhooks`): the results of asynchronous
//! operations — a CRM pool (客户公海) filter moved into a task (`api_customer_to_task`),
//! numbers added to or deleted from a task (`import_number`, `del_number`) — typed as
//! [`Callback`] and handed to your async handler through an [`axum::Router`].
//!
//! ```
//! use voxkit_longlonglong::webhooks::{self, BoxError, Callback, CallbackType};
//!
//! async fn on_callback(callback: Callback) -> Result<(), BoxError> {
//!     if callback.kind == CallbackType::ImportNumber {
//!         eprintln!("numbers imported: batch {}", callback.unique_id);
//!     }
//!     Ok(()) // an error makes the platform deliver it again
//! }
//!
//! let app: axum::Router = webhooks::callbacks(on_callback).token("a-long-random-secret").router();
//! # let _ = app;
//! ```
//!
//! What the receiver checks and answers, and how it de-duplicates, is
//! [`voxkit_core::webhook`]'s: `405` for anything but `POST`, `403` outside the
//! [allow-list](Receiver::allow), `401` without the [token](Receiver::token), `413` over the
//! [cap](Receiver::max_body), `400` for a body that is not a callback (the handler never
//! sees it), `500` when the handler failed, `200` with the acknowledgement once handled
//! (or recognised as a duplicate).
//!
//! # Authenticity
//!
//! The documentation shows no signature, secret or source network for callbacks; the
//! body is plain JSON naming a user, a task and, in batch mode, a URL to download the
//! numbers from. Anyone who learns the callback URL can post one. So: put a long random
//! [token](Receiver::token) in the URL you configure, keep it secret (HTTPS, out of logs),
//! [allow](Receiver::allow) only the networks the platform pushes from if it tells you,
//! and treat a callback as a hint: confirm it through the API (查看回调数据,
//! `/agent-api/user/{user_id}/identification/{unique_id}`) before acting on it, and never
//! fetch a batch's `data.url` from a host you do not expect (a forged callback could point
//! it anywhere).
//!
//! # Acknowledgement, failures and duplicates
//!
//! The acknowledgement expected is not documented; the receiver answers `200` with the
//! platform's own success envelope ([`ACK`]). A URL that keeps failing is blacklisted by
//! the platform for a while (see [`Client::callback_blacklist`](crate::Client::callback_blacklist)):
//! a handler that fails for long loses callbacks until the URL is released. A callback
//! delivered again is recognised by its type, `unique_id` (the batch) and, in single mode,
//! its number, and acknowledged without calling the handler, within the de-duplication
//! window ([`MemoryWindow`]; a durable [`SeenStore`] keeps it across restarts).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use voxkit_core::lenient;

pub use voxkit_core::webhook::{
    BoxError, DEFAULT_MAX_BODY, DEFAULT_WINDOW, MemoryWindow, Network, Push, Receiver, SeenStore,
};

/// The platform's success envelope, answered as the acknowledgement (undocumented: an
/// assumption, see the [module documentation](self)).
pub const ACK: &str = r#"{"code":200,"status":"success","message":"ok","data":[]}"#;

/// A receiver of callbacks handing each to `handler`.
pub fn callbacks<F, Fut, E>(handler: F) -> Receiver<Callback>
where
    F: Fn(Callback) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Into<BoxError> + 'static,
{
    Receiver::new(handler)
}

/// What a callback reports (`type`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallbackType {
    /// `api_customer_to_task` (接口客户公海导入任务回调): a CRM pool filter moved into a task.
    CustomerToTask,
    /// `import_number`: numbers added to a task (e.g. the asynchronous import).
    ImportNumber,
    /// `del_number`: numbers deleted from a task.
    DelNumber,
    /// A type the documentation does not list, as sent.
    Other(String),
}

impl CallbackType {
    /// The value as sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            CallbackType::CustomerToTask => "api_customer_to_task",
            CallbackType::ImportNumber => "import_number",
            CallbackType::DelNumber => "del_number",
            CallbackType::Other(other) => other,
        }
    }
}

/// Whether a callback carries one number or a batch (`mode`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallbackMode {
    /// `single`: `data.number` holds the number.
    Single,
    /// `batch`: `data.url` is a GET URL answering `{"numbers": [...]}`.
    Batch,
    /// A mode the documentation does not list, as sent.
    Other(String),
}

impl CallbackMode {
    /// The value as sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            CallbackMode::Single => "single",
            CallbackMode::Batch => "batch",
            CallbackMode::Other(other) => other,
        }
    }
}

impl<'de> Deserialize<'de> for CallbackType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match lenient::text(d)?.as_str() {
            "api_customer_to_task" => CallbackType::CustomerToTask,
            "import_number" => CallbackType::ImportNumber,
            "del_number" => CallbackType::DelNumber,
            other => CallbackType::Other(other.to_owned()),
        })
    }
}

impl Serialize for CallbackType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CallbackMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match lenient::text(d)?.as_str() {
            "single" => CallbackMode::Single,
            "batch" => CallbackMode::Batch,
            other => CallbackMode::Other(other.to_owned()),
        })
    }
}

impl Serialize for CallbackMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A callback's `data`: the number (single mode) or the download URL (batch mode).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct CallbackData {
    /// `data.number` (single mode).
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub number: Option<String>,
    /// `data.url` (batch mode): a GET URL answering `{"numbers": [...]}`. Fetch it only
    /// from the platform's host (see the module's "Authenticity").
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub url: Option<String>,
}

/// One callback (section 12 of the notes): e.g.
/// `{"mode":"batch","type":"api_customer_to_task","unique_id":"5e7d2764-…","user_id":"f00c8abc-…",
/// "task_id":"289b4a84-…","data":{"url":"http://xxx.com/agent-api/download-number?key=…"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Callback {
    /// `type`: what happened.
    #[serde(rename = "type")]
    pub kind: CallbackType,
    /// `mode`: one number or a batch (absent: `None`).
    #[serde(default)]
    pub mode: Option<CallbackMode>,
    /// `unique_id`: the batch id, to look up with 查看回调数据.
    #[serde(deserialize_with = "required_text")]
    pub unique_id: String,
    /// `user_id`: the account.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub user_id: Option<String>,
    /// `task_id`: the task.
    #[serde(default, deserialize_with = "lenient::opt_text")]
    pub task_id: Option<String>,
    /// `data`.
    #[serde(default, deserialize_with = "data_or_empty")]
    pub data: CallbackData,
}

impl Callback {
    /// Decodes a pushed body: one callback object, or an array of them.
    pub fn decode(body: &[u8]) -> Result<Vec<Callback>, serde_json::Error> {
        voxkit_core::wire::one_or_many(body)
    }
}

impl Push for Callback {
    const KIND: &'static str = "longlonglong callback";
    const ACK: &'static str = ACK;

    fn decode_push(body: &[u8]) -> Result<Vec<Self>, String> {
        Callback::decode(body).map_err(|e| e.to_string())
    }

    /// The type, the batch (`unique_id`) and, in single mode, the number: whether a
    /// single-mode batch sends one callback per number is not documented, so the number
    /// keeps two numbers of one batch apart.
    fn dedup_key(&self) -> String {
        format!(
            "longlonglong.callback:{}:{}:{}",
            self.kind.as_str(),
            self.unique_id,
            self.data.number.as_deref().unwrap_or("")
        )
    }
}

fn required_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    lenient::opt_text(d)?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| serde::de::Error::custom("unique_id is missing"))
}

/// `data` as an object; `null` or `[]` (the platform's empty `data`) is empty.
fn data_or_empty<'de, D: Deserializer<'de>>(d: D) -> Result<CallbackData, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(CallbackData::default()),
        serde_json::Value::Array(a) if a.is_empty() => Ok(CallbackData::default()),
        other => serde_json::from_value(other).map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_callbacks_decode() {
        let batch = br#"{"mode":"batch","type":"api_customer_to_task","unique_id":"5e7d2764-1",
            "user_id":"f00c8abc-1","task_id":"289b4a84-1",
            "data":{"url":"http://xxx.com/agent-api/download-number?key=k"}}"#;
        let c = &Callback::decode(batch).unwrap()[0];
        assert_eq!(c.kind, CallbackType::CustomerToTask);
        assert_eq!(c.mode, Some(CallbackMode::Batch));
        assert_eq!(c.task_id.as_deref(), Some("289b4a84-1"));
        assert!(c.data.url.as_deref().unwrap().ends_with("key=k"));
        let single = br#"{"mode":"single","type":"import_number","unique_id":"u",
            "user_id":"x","task_id":"t","data":{"number":"13012121211"}}"#;
        let s = &Callback::decode(single).unwrap()[0];
        assert_eq!(
            s.dedup_key(),
            "longlonglong.callback:import_number:u:13012121211"
        );
        assert_ne!(s.dedup_key(), c.dedup_key());
        let odd = &Callback::decode(br#"{"type":"new_kind","unique_id":7,"data":[]}"#).unwrap()[0];
        assert_eq!(odd.kind.as_str(), "new_kind");
        assert_eq!(odd.unique_id, "7");
        for bad in [
            &b"{}"[..],
            br#"{"type":"import_number"}"#,
            br#"{"unique_id":"u"}"#,
            b"[1]",
        ] {
            assert!(Callback::decode(bad).is_err(), "{bad:?}");
        }
        let json = serde_json::to_value(c).unwrap();
        assert_eq!(json["type"], "api_customer_to_task");
    }
}
