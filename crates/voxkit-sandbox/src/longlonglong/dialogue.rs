//! longlonglong's dialogue API (对话接口, AI 客户联络): `POST
//! /saas/api/customer_service/tenant/{tenant_id}` on another host with another token, which
//! the sandbox serves beside the agent API.
//!
//! What it checks, as documented: the bearer token is the dialogue token
//! ([`LONGLONGLONG_DIALOGUE_TOKEN`], not the partner token: `401` otherwise, by the
//! longlonglong bearer layer), `X-Requested-With: XMLHttpRequest`, the body's `talk_id` and
//! `user_id` (text), `message` (text; empty only with a `directive`), `notify` (`enter`,
//! `message`, `leave`), `group_id` (an integer of at least 1) and `directive` (`""`,
//! `invalid`, `no_answer`). Where the documentation is silent the sandbox decides: the
//! token belongs to one tenant, the docs' [`DOCS_DIALOGUE_TENANT`] (another: `404
//! 租户不存在`); a missing header is `400`; a refused body `422` naming the field; success
//! answers the envelope with `data: []` (the real answer is undocumented), and every
//! accepted message is kept per talk, in order ([`Sandbox::longlonglong_dialogue`]).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::reply::{Answer, at, err, object, ok};
use crate::Sandbox;
use crate::state::Shared;
use crate::wire;

/// The bearer token the sandbox accepts for the dialogue API (an obvious placeholder; the
/// partner token is refused there, and this one on the agent API).
pub const LONGLONGLONG_DIALOGUE_TOKEN: &str = "sandbox-longlonglong-dialogue-token";

/// The tenant the dialogue token belongs to: the documentation example's `{tenant_id}`.
pub const DOCS_DIALOGUE_TENANT: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";

/// The path prefix of the dialogue API, which the bearer layer checks against the dialogue
/// token instead of the partner token.
pub(crate) const PATH_PREFIX: &str = "/saas/";

/// The values of `notify` (开始, 中间阶段, 结束).
const NOTIFY: &[&str] = &["enter", "message", "leave"];
/// The values of `directive` (none, 杂音, 无回应).
const DIRECTIVES: &[&str] = &["", "invalid", "no_answer"];

/// One accepted message of a conversation, as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DialogueEntry {
    /// The tenant it was sent to.
    pub tenant_id: String,
    /// `user_id`.
    pub user_id: String,
    /// `notify`: `enter`, `message` or `leave`.
    pub notify: String,
    /// `message` (empty with a directive).
    pub message: String,
    /// `directive`: `""`, `invalid` or `no_answer`.
    pub directive: String,
    /// `group_id` (话术 id).
    pub group_id: u64,
    /// When it was accepted, China time (`YYYY-MM-DD HH:MM:SS`).
    pub at: String,
}

/// Every conversation's messages, by `talk_id`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Dialogues {
    pub talks: BTreeMap<String, Vec<DialogueEntry>>,
}

/// 对话接口.
pub(super) async fn send(
    State(shared): State<Shared>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    if wire::header(&headers, "x-requested-with") != Some("XMLHttpRequest") {
        return Err(err(400, "缺少请求头 X-Requested-With: XMLHttpRequest"));
    }
    if tenant_id != DOCS_DIALOGUE_TENANT {
        return Err(err(404, "租户不存在"));
    }
    let map = object(&body)?;
    let text = |key: &str| match wire::text(&map, key) {
        Some(v) if !v.trim().is_empty() => Ok(v.to_owned()),
        _ => Err(err(422, format!("{key} 不能为空"))),
    };
    let talk_id = text("talk_id")?;
    let user_id = text("user_id")?;
    let notify = wire::text(&map, "notify")
        .filter(|n| NOTIFY.contains(n))
        .ok_or_else(|| err(422, "notify 必须是 enter、message 或 leave"))?
        .to_owned();
    let directive = match map.get("directive") {
        None | Some(Value::Null) => "",
        Some(v) => v
            .as_str()
            .filter(|d| DIRECTIVES.contains(d))
            .ok_or_else(|| err(422, "directive 必须是 invalid 或 no_answer"))?,
    }
    .to_owned();
    let Some(message) = wire::text(&map, "message").map(str::to_owned) else {
        return Err(err(422, "message 必须是字符串"));
    };
    if directive.is_empty() && message.trim().is_empty() {
        return Err(err(422, "message 不能为空"));
    }
    let group_id = match map.get("group_id") {
        Some(Value::Number(n)) => n.as_u64().filter(|g| *g >= 1),
        _ => None,
    }
    .ok_or_else(|| err(422, "group_id 必须是正整数"))?;
    let mut data = shared.lock();
    let entry = DialogueEntry {
        tenant_id,
        user_id,
        notify,
        message,
        directive,
        group_id,
        at: at(data.now()),
    };
    data.dialogues.talks.entry(talk_id).or_default().push(entry);
    ok("成功", json!([]))
}

impl Sandbox {
    /// The messages the dialogue API accepted for conversation `talk_id`, in order (empty
    /// for an unknown one).
    pub fn longlonglong_dialogue(&self, talk_id: &str) -> Vec<DialogueEntry> {
        self.shared
            .lock()
            .dialogues
            .talks
            .get(talk_id)
            .cloned()
            .unwrap_or_default()
    }
}
