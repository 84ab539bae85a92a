//! `dialogue send`: one message of a conversation with an AI customer-service script
//! (对话接口, AI 客户联络), on the dialogue host with the dialogue token
//! (`LONGLONGLONG_DIALOGUE_TOKEN`, `LONGLONGLONG_DIALOGUE_BASE_URL`), not the partner token.
//!
//! Never sent twice: a message sent again is a second message, and no documented read
//! lists a conversation's messages, so a lost answer is exit 5 saying it cannot be
//! reconciled. The answer is undocumented: its `message` is printed, `--output json` adds
//! its `data` as sent.

use clap::{Args, Subcommand};
use serde_json::json;
use voxkit_longlonglong::{
    DialogueMessage, DialogueUserId, Directive, Notify, ScriptGroupId, TalkId, TenantId,
};

use crate::context::Global;
use crate::failure::{CheckWith as _, CliError};
use crate::render::{Report, cell};

/// `voxkit longlonglong dialogue <command>`.
#[derive(Debug, Subcommand)]
pub enum DialogueCommand {
    /// Send one message of a conversation (对话接口), with LONGLONGLONG_DIALOGUE_TOKEN. Never
    /// sent twice: if the answer is lost the exit code is 5 (it cannot be reconciled).
    Send(Send),
}

/// The arguments of `dialogue send`.
#[derive(Debug, Args)]
pub struct Send {
    /// The tenant (`{tenant_id}` of the path), a UUID.
    #[arg(long, value_name = "ID")]
    tenant: String,
    /// The conversation (talk_id): made up by you, the same for the whole conversation
    /// (letters, digits, - and _, up to 64; a UUID does). Kept as typed, case included.
    #[arg(long, value_name = "ID")]
    talk: String,
    /// The person in the conversation (user_id), as you identify them.
    #[arg(long, value_name = "ID")]
    user: String,
    /// Where the message stands: enter (开始), message (中间阶段) or leave (结束).
    #[arg(long, value_name = "KIND")]
    notify: String,
    /// The script (group_id, 话术 id), an integer of at least 1.
    #[arg(long, value_name = "N")]
    group: u64,
    /// What was heard instead of words: invalid (杂音) or no_answer (无回应); the message
    /// is then sent empty, as the docs ask.
    #[arg(long, value_name = "KIND", conflicts_with = "message")]
    directive: Option<String>,
    /// The words (required unless --directive).
    #[arg(long, value_name = "TEXT", required_unless_present = "directive")]
    message: Option<String>,
}

/// Runs one `dialogue` command.
pub(super) async fn run(command: DialogueCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        DialogueCommand::Send(args) => send(args, global).await,
    }
}

async fn send(args: Send, global: &Global) -> Result<Report, CliError> {
    let tenant = TenantId::parse(&super::uuid(&args.tenant))?;
    let talk = TalkId::parse(args.talk.trim())?;
    let user = DialogueUserId::parse(args.user.trim())?;
    let notify: Notify = args.notify.trim().parse()?;
    let group = ScriptGroupId::new(args.group)?;
    let message = match &args.directive {
        Some(directive) => {
            let directive: Directive = directive.trim().parse()?;
            DialogueMessage::directive(talk.clone(), user, group, notify, directive)
        }
        None => DialogueMessage::text(
            talk.clone(),
            user,
            group,
            notify,
            args.message.clone().unwrap_or_default(),
        )?,
    };
    let done = global
        .longlonglong_dialogue()?
        .send(&tenant, &message)
        .await
        .check_with(|| {
            format!(
                "it cannot be reconciled: the message may have reached conversation {talk}, \
                 and the dialogue API has no read that tells; send it again only if the \
                 conversation may take it twice"
            )
        })?;
    let directive = message.directive_kind().map(Directive::as_str);
    let what = directive.map_or_else(|| "message".to_owned(), |d| format!("directive {d}"));
    Ok(Report::new(
        json!({
            "tenant": tenant.as_str(),
            "talk_id": talk.as_str(),
            "user_id": message.user_id().as_str(),
            "notify": notify.as_str(),
            "directive": directive,
            "group_id": group.get(),
            "message": done.message,
            "data": done.data,
        }),
        format!(
            "sent {what} ({}) to conversation {talk}: {}",
            notify.as_str(),
            cell(Some(&done.message))
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::cli::Cli;
    use clap::Parser;

    fn parse(extra: &[&str]) -> bool {
        let mut args = vec![
            "voxkit",
            "longlonglong",
            "dialogue",
            "send",
            "--tenant",
            "t",
            "--talk",
            "a",
            "--user",
            "u",
            "--notify",
            "enter",
            "--group",
            "1",
        ];
        args.extend(extra);
        Cli::try_parse_from(args).is_ok()
    }

    #[test]
    fn a_message_or_a_directive_but_not_both() {
        assert!(parse(&["--message", "hi"]));
        assert!(parse(&["--directive", "invalid"]));
        assert!(!parse(&[]));
        assert!(!parse(&["--message", "hi", "--directive", "invalid"]));
    }
}
