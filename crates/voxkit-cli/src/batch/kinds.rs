//! Every kind of row a batch file may hold, declared once ([`KINDS`]): its `operation` name,
//! its columns with their help, how a row's cells become the journal's operation, and how a
//! journaled intent becomes that operation again. The `operation` list, `voxkit batch run
//! --help`'s column docs, the row parser and the resolver of `recover()` all read [`KINDS`],
//! so a kind added here is documented, parsed and resumable at once.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use voxkit_espai::CardKey;
use voxkit_journal::ops::espai::{
    AddAgentRequest, DestroyRequest, Removal, RemoveRequest, TransferRequest,
    UnbindDeviceMacRequest,
};
use voxkit_journal::ops::laaffic::{ResendAiTaskRequest, ResendTaskRequest, ResendVoice};
use voxkit_journal::ops::longlonglong::{
    BalanceMoveRequest, CreateSubAccountRequest, DeleteSubAccountRequest, DeleteTaskRequest,
    NumberChange, NumbersRequest, SaveDialTimeGroupRequest, UnbindLineRequest, ZeroBalanceRequest,
};
use voxkit_journal::ops::{ClientOf, Declared, Op, Provider as _};
use voxkit_journal::{ExactlyOnce, Intent};
use voxkit_laaffic::AiResendType;
use voxkit_longlonglong::{AllocationId, Direction, SubUserId, TaskId, TenantId, UserId};

use crate::context::Global;
use crate::failure::CliError;

/// One column a row kind reads.
#[derive(Debug)]
pub struct Column {
    /// The header's name (the CLI's flag, without `--`).
    pub name: &'static str,
    /// What it holds, for `--help`.
    pub help: &'static str,
}

/// Declares the columns, each a `static` the kinds refer to.
macro_rules! columns {
    ($($NAME:ident $name:literal: $help:literal;)+) => {
        $(static $NAME: Column = Column { name: $name, help: $help };)+
    };
}

columns! {
    USER "user": "a longlonglong user (main account) id, a UUID";
    AMOUNT "amount": "a positive whole number";
    REMARK "remark": "kept readable, voxkit appends its marker";
    CARD_ID "card-id": "an ESP-AI card's id (as `voxkit espai cards` lists it)";
    FROM_PHONE "from-phone": "the source card's phone number";
    FROM_CODE "from-code": "the source card's redemption code (a secret: the journal keeps only its SHA-256 fingerprint)";
    TO_PHONE "to-phone": "the target card's phone number";
    TO_CODE "to-code": "the target card's redemption code (fingerprinted likewise)";
    NAME "name": "a name; for agents and resends voxkit appends its marker";
    EMAIL "email": "the sub-account's e-mail address (how a lost creation is found)";
    PHONE "phone": "the sub-account's phone number, digits";
    PASSWORD "password": "the sub-account's password (a secret: held in memory, never journaled)";
    SUB "sub": "a sub-account id, a UUID";
    TENANT "tenant": "the cloud node (云节点) id the line is on, a UUID (its line list is read)";
    ALLOCATION "allocation": "the allocation record's id (the line list's `line_allocation.id`)";
    TASK "task": "a task: a longlonglong task uuid, a Laaffic task id (a number)";
    PHONES "phones": "phone numbers separated by `;`, each once";
    AGENT_ID "agent-id": "ESP-AI agent ids separated by `;`";
    DEVICE_ID "device-id": "ESP-AI device ids separated by `;`";
    AGENT_KEY "agent-key": "the agent's api_key (a secret: the journal keeps only its SHA-256 fingerprint)";
    MAC "mac": "the device's MAC, like FC:01:2C:DB:14:30";
    VOICE_FILE "voice-file": "a voice file uploaded earlier, by its id (or give tts and lan)";
    TTS "tts": "text to speech, instead of voice-file";
    LAN "lan": "the language of tts: VN, EN, JP, ...";
    SCRIPT "script": "the AI script template id (scriptId)";
    RESEND_TYPE "resend-type": "all (the default) or failed: which numbers are called again";
    DAY "day": "days and hours, `WEEK=HH:MM-HH:MM[,HH:MM-HH:MM]` (WEEK 0–6, 0 Sunday, or a range like 1-5), days separated by `;`";
    DEFAULT "default": "true to make it the default group (false, the default, leaves it)";
    SKIP_HOLIDAY "skip-holiday": "true not to call on public holidays (default false)";
}

/// A column of a kind: required, or optional.
#[derive(Debug)]
pub struct Uses {
    /// The column.
    pub column: &'static Column,
    /// Whether a row must give it.
    pub required: bool,
}

const fn req(column: &'static Column) -> Uses {
    Uses {
        column,
        required: true,
    }
}

const fn opt(column: &'static Column) -> Uses {
    Uses {
        column,
        required: false,
    }
}

/// One kind of row.
pub struct RowKind {
    /// The `operation` column's value.
    pub name: &'static str,
    /// What the row does, for `--help`.
    pub about: &'static str,
    /// Its columns, besides `key` and `operation`.
    pub columns: &'static [Uses],
    /// The row's operation from its cells (checked in full: nothing is sent before).
    parse: fn(&Cells) -> Result<Arc<dyn RowOp>, String>,
    /// The operation of a journaled intent of this kind (with the secrets of the file).
    resolve: Resolver,
}

/// How a kind rebuilds the operation of a journaled intent (with the file's secrets).
type Resolver = fn(&Clients, &Intent, &[String]) -> Option<Arc<dyn ExactlyOnce>>;

impl std::fmt::Debug for RowKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// `D` as a row's operation.
fn row<D: Declared>(request: D) -> Result<Arc<dyn RowOp>, String>
where
    ClientOf<D>: Provided,
{
    Ok(Arc::new(request))
}

/// The resolver of the kinds whose operation is `D`.
fn resolve<D: Declared>(
    clients: &Clients,
    intent: &Intent,
    secrets: &[String],
) -> Option<Arc<dyn ExactlyOnce>>
where
    ClientOf<D>: Provided,
{
    let client = ClientOf::<D>::pick(clients).as_ref()?;
    voxkit_journal::ops::resolve::<D>(client, intent, secrets)
}

/// Every kind of row, in the order `--help` lists them.
pub static KINDS: &[RowKind] = &[
    RowKind {
        name: "longlonglong.recharge",
        about: "credit a user's balance",
        columns: &[req(&USER), req(&AMOUNT), opt(&REMARK)],
        parse: |c| balance(c, Direction::Recharge),
        resolve: resolve::<BalanceMoveRequest>,
    },
    RowKind {
        name: "longlonglong.deduct",
        about: "debit a user's balance",
        columns: &[req(&USER), req(&AMOUNT), opt(&REMARK)],
        parse: |c| balance(c, Direction::Deduct),
        resolve: resolve::<BalanceMoveRequest>,
    },
    RowKind {
        name: "longlonglong.zero-balance",
        about: "zero a user's balance (账单余额归零)",
        columns: &[req(&USER)],
        parse: |c| row(ZeroBalanceRequest { user: c.user()? }),
        resolve: resolve::<ZeroBalanceRequest>,
    },
    RowKind {
        name: "longlonglong.subaccount-create",
        about: "create a sub-account (its e-mail must be new)",
        columns: &[
            req(&USER),
            req(&NAME),
            req(&EMAIL),
            req(&PHONE),
            req(&PASSWORD),
        ],
        parse: |c| {
            row(CreateSubAccountRequest {
                user: c.user()?,
                name: c.get("name")?.to_owned(),
                email: c.get("email")?.to_owned(),
                phone: c.get("phone")?.to_owned(),
                password: Some(c.get("password")?.into()),
            })
        },
        resolve: resolve::<CreateSubAccountRequest>,
    },
    RowKind {
        name: "longlonglong.subaccount-delete",
        about: "delete a sub-account (it must exist)",
        columns: &[req(&USER), req(&SUB)],
        parse: |c| {
            row(DeleteSubAccountRequest {
                user: c.user()?,
                sub: c.id("sub", SubUserId::parse)?,
            })
        },
        resolve: resolve::<DeleteSubAccountRequest>,
    },
    RowKind {
        name: "longlonglong.line-unbind",
        about: "remove a line allocation from a user (it must be listed)",
        columns: &[req(&USER), req(&TENANT), req(&ALLOCATION)],
        parse: |c| {
            row(UnbindLineRequest {
                user: c.user()?,
                tenant: c.id("tenant", TenantId::parse)?,
                allocation: c.id("allocation", |a| AllocationId::new(a.parse().unwrap_or(0)))?,
            })
        },
        resolve: resolve::<UnbindLineRequest>,
    },
    RowKind {
        name: "longlonglong.task-delete",
        about: "delete a task (the old API's 任务删除; it must exist)",
        columns: &[req(&USER), req(&TASK)],
        parse: |c| {
            row(DeleteTaskRequest {
                user: c.user()?,
                task: c.id("task", TaskId::parse)?,
            })
        },
        resolve: resolve::<DeleteTaskRequest>,
    },
    RowKind {
        name: "longlonglong.numbers-add",
        about: "add phones to a task (synchronous import, at most 100; none may be there)",
        columns: &[req(&USER), req(&TASK), req(&PHONES)],
        parse: |c| numbers(c, NumberChange::Add),
        resolve: resolve::<NumbersRequest>,
    },
    RowKind {
        name: "longlonglong.numbers-delete",
        about: "delete phones from a paused task (all must be there)",
        columns: &[req(&USER), req(&TASK), req(&PHONES)],
        parse: |c| numbers(c, NumberChange::Delete),
        resolve: resolve::<NumbersRequest>,
    },
    RowKind {
        name: "longlonglong.dial-time-group-save",
        about: "save a dial-time group (呼叫时间组; its name must be new: a lost save is found by it)",
        columns: &[
            req(&USER),
            req(&NAME),
            req(&DAY),
            opt(&DEFAULT),
            opt(&SKIP_HOLIDAY),
            opt(&SUB),
        ],
        parse: dial_time_group,
        resolve: resolve::<SaveDialTimeGroupRequest>,
    },
    RowKind {
        name: "espai.transfer",
        about: "move quota between two cards",
        columns: &[
            req(&FROM_PHONE),
            req(&FROM_CODE),
            req(&TO_PHONE),
            req(&TO_CODE),
            req(&AMOUNT),
        ],
        parse: transfer,
        resolve: resolve::<TransferRequest>,
    },
    RowKind {
        name: "espai.destroy",
        about: "destroy a card (it must be listed: paid, balance 0)",
        columns: &[req(&CARD_ID)],
        parse: |c| {
            row(DestroyRequest {
                id: c.token("card-id")?,
            })
        },
        resolve: resolve::<DestroyRequest>,
    },
    RowKind {
        name: "espai.agent-add",
        about: "add an agent on a card",
        columns: &[req(&CARD_ID), req(&NAME)],
        parse: |c| {
            row(AddAgentRequest {
                card_id: c.token("card-id")?,
                name: c.get("name")?.to_owned(),
            })
        },
        resolve: resolve::<AddAgentRequest>,
    },
    RowKind {
        name: "espai.agent-delete",
        about: "delete agents (all must be listed)",
        columns: &[req(&AGENT_ID)],
        parse: |c| remove(c, Removal::Agents, "agent-id"),
        resolve: resolve::<RemoveRequest>,
    },
    RowKind {
        name: "espai.device-unbind",
        about: "unbind devices by id (all must be listed)",
        columns: &[req(&DEVICE_ID)],
        parse: |c| remove(c, Removal::Devices, "device-id"),
        resolve: resolve::<RemoveRequest>,
    },
    RowKind {
        name: "espai.device-unbind-mac",
        about: "unbind a device from an agent by its MAC (it must be bound)",
        columns: &[req(&AGENT_KEY), req(&MAC)],
        parse: |c| {
            row(UnbindDeviceMacRequest {
                agent_key: c.get("agent-key")?.into(),
                mac: c.get("mac")?.to_owned(),
            })
        },
        resolve: resolve::<UnbindDeviceMacRequest>,
    },
    RowKind {
        name: "laaffic.task-resend",
        about: "resend a finished IVR task as a new round named NAME",
        columns: &[
            req(&TASK),
            req(&NAME),
            opt(&VOICE_FILE),
            opt(&TTS),
            opt(&LAN),
        ],
        parse: |c| {
            let (task, name) = (c.positive("task")?, c.get("name")?.to_owned());
            let voice = match c.optional("voice-file") {
                Some(id) => ResendVoice::File(id),
                None => ResendVoice::TextToSpeech {
                    text: c
                        .get("tts")
                        .map_err(|_| "give `voice-file`, or `tts` with `lan`".to_owned())?
                        .to_owned(),
                    lan: c.get("lan")?.to_owned(),
                },
            };
            row(ResendTaskRequest { task, name, voice })
        },
        resolve: resolve::<ResendTaskRequest>,
    },
    RowKind {
        name: "laaffic.ai-resend",
        about: "resend an AI voice task as a new round named NAME",
        columns: &[req(&TASK), req(&NAME), req(&SCRIPT), opt(&RESEND_TYPE)],
        parse: |c| {
            let resend_type = match c.optional("resend-type").as_deref() {
                None | Some("all") => AiResendType::All,
                Some("failed") => AiResendType::Failed,
                Some(other) => {
                    return Err(format!(
                        "`resend-type` must be all or failed, not {other:?}"
                    ));
                }
            };
            row(ResendAiTaskRequest {
                task: c.positive("task")?,
                name: c.get("name")?.to_owned(),
                script: c.positive("script")?,
                resend_type,
            })
        },
        resolve: resolve::<ResendAiTaskRequest>,
    },
];

/// The kind named `name`.
pub fn kind(name: &str) -> Option<&'static RowKind> {
    KINDS.iter().find(|k| k.name == name)
}

/// Every kind's name, for messages.
pub fn names() -> String {
    KINDS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}

impl RowKind {
    /// The operation of a row of this kind, checked as the client would before sending.
    pub fn parse(&self, cells: &Cells) -> Result<Arc<dyn RowOp>, String> {
        let op = (self.parse)(cells)?;
        op.check()?;
        Ok(op)
    }
}

/// The operation of a journaled intent, by the first kind that knows it.
pub fn resolve_intent(
    clients: &Clients,
    intent: &Intent,
    secrets: &[String],
) -> Option<Arc<dyn ExactlyOnce>> {
    KINDS
        .iter()
        .find_map(|kind| (kind.resolve)(clients, intent, secrets))
}

fn balance(c: &Cells, direction: Direction) -> Result<Arc<dyn RowOp>, String> {
    row(BalanceMoveRequest {
        direction,
        user: c.user()?,
        amount: c.positive("amount")?,
        remark: c.optional("remark"),
    })
}

fn numbers(c: &Cells, change: NumberChange) -> Result<Arc<dyn RowOp>, String> {
    row(NumbersRequest {
        change,
        user: c.user()?,
        task: c.id("task", TaskId::parse)?,
        phones: c.list("phones")?,
    })
}

fn dial_time_group(c: &Cells) -> Result<Arc<dyn RowOp>, String> {
    let (user, name) = (c.user()?, c.get("name")?.to_owned());
    let mut content = Vec::new();
    for day in c.list("day")? {
        content.extend(
            crate::longlonglong::dial_times::parse_day("`day`", &day).map_err(|e| match e {
                voxkit_core::Error::InvalidInput { message, .. } => message.into_owned(),
                other => format!("`day`: {other}"),
            })?,
        );
    }
    row(SaveDialTimeGroupRequest {
        user,
        name,
        content,
        is_default: c.flag("default")?,
        skip_holiday: c.flag("skip-holiday")?,
        sub: c
            .optional("sub")
            .map(|_| c.id("sub", SubUserId::parse))
            .transpose()?,
    })
}

fn remove(c: &Cells, what: Removal, column: &str) -> Result<Arc<dyn RowOp>, String> {
    row(RemoveRequest {
        what,
        ids: c.list(column)?,
    })
}

fn transfer(c: &Cells) -> Result<Arc<dyn RowOp>, String> {
    let card = |phone: &str, code: &str| -> Result<CardKey, String> {
        let p = c.get(phone)?;
        if !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > voxkit_espai::MAX_PHONE_DIGITS {
            return Err(format!("`{phone}` must be a phone number (digits)"));
        }
        let code_text = c.get(code)?;
        if !code_text.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("`{code}` must be letters and digits"));
        }
        Ok(CardKey::new(p, code_text))
    };
    let from = card("from-phone", "from-code")?;
    let to = card("to-phone", "to-code")?;
    if from == to {
        return Err("the source and target cards are the same".to_owned());
    }
    row(TransferRequest {
        from,
        to,
        amount: c.positive("amount")?,
    })
}

/// The `--help` text of the columns: every kind with its columns, then every column.
pub fn columns_help() -> String {
    let mut out = String::from(
        "The file: CSV with a header row, or JSON Lines when its name ends in `.jsonl` (one object\n\
         per line, the same names). Empty cells count as absent; columns an operation does not use\n\
         are ignored; a `[column]` is optional. Each row names its operation:\n",
    );
    for kind in KINDS {
        let columns: Vec<String> = kind
            .columns
            .iter()
            .map(|u| {
                if u.required {
                    u.column.name.to_owned()
                } else {
                    format!("[{}]", u.column.name)
                }
            })
            .collect();
        let _ = writeln!(out, "  {}: {}", kind.name, kind.about);
        let _ = writeln!(out, "      {}", columns.join(", "));
    }
    out.push_str("Columns:\n");
    let _ = writeln!(
        out,
        "  {:<13}required: your unique id for the row (a row run again is recognised by it)",
        "key"
    );
    let _ = writeln!(
        out,
        "  {:<13}required: one of the operations above",
        "operation"
    );
    let mut seen: Vec<&str> = Vec::new();
    for uses in KINDS.iter().flat_map(|k| k.columns) {
        let column = uses.column;
        if !seen.contains(&column.name) {
            seen.push(column.name);
            let _ = writeln!(out, "  {:<13}{}", column.name, column.help);
        }
    }
    out
}

/// A row's cells by column name (blank cells are absent).
pub struct Cells<'a>(pub &'a BTreeMap<String, String>);

impl Cells<'_> {
    /// A required cell, trimmed.
    pub fn get(&self, name: &str) -> Result<&str, String> {
        self.0
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("missing `{name}`"))
    }

    /// An optional cell as given (blank is none).
    fn optional(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned().filter(|v| !v.trim().is_empty())
    }

    /// An optional `true` or `false` (blank is false).
    fn flag(&self, name: &str) -> Result<bool, String> {
        match self.optional(name).as_deref().map(str::trim) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(format!("`{name}` must be true or false, not {other:?}")),
        }
    }

    /// A positive whole number.
    fn positive(&self, name: &str) -> Result<u64, String> {
        let text = self.get(name)?;
        match text.parse::<u64>() {
            Ok(0) | Err(_) => Err(format!(
                "`{name}` must be a positive whole number, not {text:?}"
            )),
            Ok(n) => Ok(n),
        }
    }

    /// The `user` column.
    fn user(&self) -> Result<UserId, String> {
        self.id("user", UserId::parse)
    }

    /// An id the SDK parses (its own message names the rule, never more than the value).
    fn id<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, voxkit_core::Error>,
    ) -> Result<T, String> {
        let text = self.get(name)?;
        parse(text).map_err(|e| match e {
            voxkit_core::Error::InvalidInput { message, .. } => format!("`{name}`: {message}"),
            other => format!("`{name}`: {other}"),
        })
    }

    /// An id or other token: no spaces, at most ESP-AI's token length.
    fn token(&self, name: &str) -> Result<String, String> {
        let id = self.get(name)?;
        if id.len() > voxkit_espai::MAX_TOKEN_BYTES
            || id.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(format!(
                "`{name}` must be an id (at most {} bytes, no spaces)",
                voxkit_espai::MAX_TOKEN_BYTES
            ));
        }
        Ok(id.to_owned())
    }

    /// A `;`-separated list (blank items dropped).
    fn list(&self, name: &str) -> Result<Vec<String>, String> {
        let items: Vec<String> = self
            .get(name)?
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if items.is_empty() {
            return Err(format!("missing `{name}`"));
        }
        Ok(items)
    }
}

/// A row's operation before it has a client: what the parser makes of a row.
pub trait RowOp: std::fmt::Debug + Send + Sync {
    /// The provider whose client it needs.
    fn provider(&self) -> &'static str;
    /// The secrets it holds (for rebuilding other intents after a crash).
    fn secrets(&self) -> Vec<String>;
    /// The client's checks, as a row's error.
    fn check(&self) -> Result<(), String>;
    /// The operation, with its provider's client from `clients` (built for the file's rows).
    fn bind(&self, clients: &Clients) -> Arc<dyn ExactlyOnce>;
}

impl<D: Declared> RowOp for D
where
    ClientOf<D>: Provided,
{
    fn provider(&self) -> &'static str {
        D::Provider::NAME
    }

    fn secrets(&self) -> Vec<String> {
        Declared::secrets(self)
    }

    fn check(&self) -> Result<(), String> {
        Declared::check(self).map_err(|e| match e {
            voxkit_core::Error::InvalidInput { message, .. } => message.into_owned(),
            other => other.to_string(),
        })
    }

    fn bind(&self, clients: &Clients) -> Arc<dyn ExactlyOnce> {
        let client = ClientOf::<D>::pick(clients)
            .as_ref()
            .expect("built for the file's rows");
        Arc::new(Op::of(Arc::clone(client), self.clone()))
    }
}

/// The provider clients a batch needs (only those of the providers its rows use, so that a
/// file of recharges needs no ESP-AI key).
#[derive(Clone, Default)]
pub struct Clients {
    lll: Option<Arc<voxkit_longlonglong::Client>>,
    espai: Option<Arc<voxkit_espai::Client>>,
    laaffic: Option<Arc<voxkit_laaffic::Client>>,
}

impl Clients {
    /// The clients of the providers `needs` says yes to, from the environment.
    pub fn for_providers(needs: impl Fn(&str) -> bool, global: &Global) -> Result<Self, CliError> {
        Ok(Clients {
            lll: needs(voxkit_longlonglong::PROVIDER)
                .then(|| global.longlonglong().map(Arc::new))
                .transpose()?,
            espai: needs(voxkit_espai::PROVIDER)
                .then(|| global.espai().map(Arc::new))
                .transpose()?,
            laaffic: needs(voxkit_laaffic::PROVIDER)
                .then(|| global.laaffic().map(Arc::new))
                .transpose()?,
        })
    }
}

/// A provider client [`Clients`] may hold.
pub trait Provided: Send + Sync + Sized + 'static {
    /// This provider's client in `clients`, if built.
    fn pick(clients: &Clients) -> &Option<Arc<Self>>;
}

impl Provided for voxkit_longlonglong::Client {
    fn pick(clients: &Clients) -> &Option<Arc<Self>> {
        &clients.lll
    }
}

impl Provided for voxkit_espai::Client {
    fn pick(clients: &Clients) -> &Option<Arc<Self>> {
        &clients.espai
    }
}

impl Provided for voxkit_laaffic::Client {
    fn pick(clients: &Clients) -> &Option<Arc<Self>> {
        &clients.laaffic
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn kind_names_are_unique_and_every_one_is_in_the_help() {
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len(), "a kind named twice");
        let mut cli = crate::cli::Cli::command();
        let help = cli
            .find_subcommand_mut("batch")
            .and_then(|b| b.find_subcommand_mut("run"))
            .expect("batch run")
            .render_long_help()
            .to_string();
        for kind in KINDS {
            assert!(
                help.contains(&format!("  {}: ", kind.name)),
                "{}",
                kind.name
            );
            for uses in kind.columns {
                assert!(
                    help.lines()
                        .any(|l| l.trim_start().starts_with(uses.column.name)),
                    "{}: {}",
                    kind.name,
                    uses.column.name
                );
            }
        }
    }
}
