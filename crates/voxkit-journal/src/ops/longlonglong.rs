//! longlonglong's non-repeatable operations as [`Declared`] requests (each an
//! [`ExactlyOnce`] operation as [`Op`]): recharge and deduct (the marker
//! travels in the remark, [`voxkit_longlonglong::marked_remark`], found in the recharge
//! history), zeroing a balance (the 余额归零 record), and the read-back operations: a
//! sub-account created (found by its e-mail) or deleted, a line allocation removed, a task
//! deleted, numbers added to or deleted from a task (the number list), a dial-time group
//! saved (found by its name in the group list).
//!
//! Every one is serialised on the user (`longlonglong:user:<id>`): the user's history and
//! lists are what reconciliation reads, so two rows about one user never overlap (a row
//! deleting numbers another row adds, say).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use voxkit_core::{Error, Origin, SecretString};
use voxkit_longlonglong::{
    AllocationId, Client, DaySchedule, Direction, NewDialTimeGroup, NewSubAccount, NumberDeletion,
    NumberImport, NumberRow, OPERATIONS, SubUserId, TaskId, TenantId, UserId, marked_remark,
};

use super::{Declared, Op, Provider, number, optional_text, resolve, text, texts};
use crate::{Evidence, ExactlyOnce, Intent, Marker, Verdict};

/// Longlonglong as the operations of this module name it.
#[derive(Debug)]
pub struct Longlonglong;

impl Provider for Longlonglong {
    type Client = Client;
    const NAME: &'static str = PROVIDER;
    const DECLARATIONS: &'static [&'static voxkit_core::OperationSpec] = OPERATIONS;
}

/// The provider's name in the journal.
pub const PROVIDER: &str = voxkit_longlonglong::PROVIDER;

/// The serial key of everything about `user`.
fn serial(user: &UserId) -> String {
    format!("longlonglong:user:{}", user.as_str())
}

/// A user id field of a journaled request.
fn user_of(request: &Value, field: &str) -> Option<UserId> {
    UserId::parse(&text(request, field)?).ok()
}

/// A recharge or deduction of a user's balance; the caller's `remark` is kept readable and
/// the marker appended at send time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceMoveRequest {
    /// Which way.
    pub direction: Direction,
    /// The user.
    pub user: UserId,
    /// How much.
    pub amount: u64,
    /// The caller's remark (blank is none).
    pub remark: Option<String>,
}

/// One recharge or deduction, applied exactly once by the [`Runner`](crate::Runner).
pub type BalanceMove = Op<BalanceMoveRequest>;

impl BalanceMove {
    /// A recharge (`Direction::Recharge`) or deduction of `amount` for `user`.
    pub fn new(
        client: Arc<Client>,
        direction: Direction,
        user: UserId,
        amount: u64,
        remark: Option<String>,
    ) -> Self {
        Op::of(
            client,
            BalanceMoveRequest {
                direction,
                user,
                amount,
                remark: remark.filter(|r| !r.trim().is_empty()),
            },
        )
    }

    /// The declaration's name of the operation: `recharge` or `deduct`.
    pub fn operation(&self) -> &'static str {
        self.request().name()
    }
}

#[async_trait::async_trait]
impl Declared for BalanceMoveRequest {
    type Provider = Longlonglong;
    const NAMES: &'static [&'static str] = &["recharge", "deduct"];

    fn name(&self) -> &'static str {
        match self.direction {
            Direction::Recharge => "recharge",
            Direction::Deduct => "deduct",
        }
    }

    fn serial(&self) -> String {
        serial(&self.user)
    }

    fn request(&self) -> Value {
        json!({ "user": self.user.as_str(), "amount": self.amount, "remark": self.remark })
    }

    fn from_request(name: &str, request: &Value, _: &[String]) -> Option<Self> {
        let direction = match name {
            "recharge" => Direction::Recharge,
            "deduct" => Direction::Deduct,
            _ => return None,
        };
        Some(BalanceMoveRequest {
            direction,
            user: user_of(request, "user")?,
            amount: number(request, "amount")?,
            remark: optional_text(request, "remark")?.filter(|r| !r.trim().is_empty()),
        })
    }

    async fn send(&self, client: &Client, marker: &Marker) -> Result<Evidence, Error> {
        let remark = marked_remark(self.remark.as_deref(), marker);
        let ack = match self.direction {
            Direction::Recharge => {
                client
                    .recharge(&self.user, self.amount, Some(&remark))
                    .await?
            }
            Direction::Deduct => {
                client
                    .deduct(&self.user, self.amount, Some(&remark))
                    .await?
            }
        };
        Ok(json!({ "message": ack.message, "remark": remark }))
    }

    async fn reconcile(&self, client: &Client, marker: &Marker, since: DateTime<Utc>) -> Verdict {
        client
            .reconcile_balance_move(&self.user, self.direction, self.amount, marker, since)
            .await
    }
}

/// The declaration's name of `zero_balance` (账单余额归零).
pub const ZERO_BALANCE: &str = "zero_balance";

/// Zeroing a user's balance (账单余额归零): the request has no body, so no marker travels; a
/// lost answer is reconciled by the 余额归零 record the history shows after the intent
/// ([`Client::reconcile_zero_balance`], mind its caveat: zeroing a balance already at 0
/// writes no record, so "not applied" then means "nothing to zero"). Serialised with the
/// user's recharges, so the record found is this intent's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZeroBalanceRequest {
    /// The user whose balance is zeroed.
    pub user: UserId,
}

/// Zeroing a user's balance, applied exactly once by the [`Runner`](crate::Runner).
pub type ZeroBalance = Op<ZeroBalanceRequest>;

impl ZeroBalance {
    /// Zeroing `user`'s balance.
    pub fn new(client: Arc<Client>, user: UserId) -> Self {
        Op::of(client, ZeroBalanceRequest { user })
    }
}

#[async_trait::async_trait]
impl Declared for ZeroBalanceRequest {
    type Provider = Longlonglong;
    const NAMES: &'static [&'static str] = &[ZERO_BALANCE];

    fn serial(&self) -> String {
        serial(&self.user)
    }

    fn request(&self) -> Value {
        json!({ "user": self.user.as_str() })
    }

    fn from_request(_: &str, request: &Value, _: &[String]) -> Option<Self> {
        Some(ZeroBalanceRequest {
            user: user_of(request, "user")?,
        })
    }

    /// Sends the zeroing; it has no field for the marker, which is ignored.
    async fn send(&self, client: &Client, _: &Marker) -> Result<Evidence, Error> {
        let ack = client.zero_balance(&self.user).await?;
        Ok(json!({ "message": ack.message }))
    }

    async fn reconcile(&self, client: &Client, _: &Marker, since: DateTime<Utc>) -> Verdict {
        client.reconcile_zero_balance(&self.user, since).await
    }
}

/// A sub-account created (创建子账户) with its required fields: found again by its e-mail
/// ([`Client::reconcile_create_sub_account`]), so an e-mail already in the list is refused
/// before sending (a read-back).
///
/// The password is a credential: it is held in memory only, and the journal keeps neither it
/// nor a fingerprint of it (a password's hash invites guessing). A create rebuilt from the
/// journal alone ([`Op::from_intent`]) can therefore be reconciled but not re-sent: a
/// re-send it would need is refused ("nothing was sent") until the row that holds the
/// password is run again.
#[derive(Clone)]
pub struct CreateSubAccountRequest {
    /// The main account.
    pub user: UserId,
    /// 账户名.
    pub name: String,
    /// 邮箱: how the creation is found again.
    pub email: String,
    /// 手机号码, digits.
    pub phone: String,
    /// 密码; `None` for a create rebuilt from the journal.
    pub password: Option<SecretString>,
}

impl std::fmt::Debug for CreateSubAccountRequest {
    /// Never the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateSubAccountRequest")
            .field("user", &self.user.as_str())
            .field("name", &self.name)
            .field("email", &self.email)
            .field("phone", &self.phone)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl Declared for CreateSubAccountRequest {
    type Provider = Longlonglong;
    const NAMES: &'static [&'static str] = &["create_sub_account"];
    const READ_BACK: bool = true;

    fn missing(&self) -> &'static str {
        "a sub-account with this e-mail already exists"
    }

    fn serial(&self) -> String {
        serial(&self.user)
    }

    fn request(&self) -> Value {
        json!({
            "user": self.user.as_str(),
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
        })
    }

    fn from_request(_: &str, request: &Value, _: &[String]) -> Option<Self> {
        Some(CreateSubAccountRequest {
            user: user_of(request, "user")?,
            name: text(request, "name")?,
            email: text(request, "email")?,
            phone: text(request, "phone")?,
            password: None,
        })
    }

    /// The client's checks of the fields the row gives (the password: not empty).
    fn check(&self) -> Result<(), Error> {
        let origin = Origin::new(PROVIDER, "create_sub_account");
        voxkit_core::check::chars(origin, "name", self.name.trim(), 1, usize::MAX)?;
        voxkit_core::check::email(origin, "email", &self.email)?;
        voxkit_core::check::digits(origin, "phone", &self.phone, 1, 20)?;
        if self
            .password
            .as_ref()
            .is_some_and(|p| voxkit_core::ExposeSecret::expose_secret(p).is_empty())
        {
            return Err(Error::invalid_input(origin, "password must not be empty"));
        }
        Ok(())
    }

    async fn send(&self, client: &Client, _: &Marker) -> Result<Evidence, Error> {
        let Some(password) = &self.password else {
            return Err(Error::invalid_input(
                Origin::new(PROVIDER, "create_sub_account"),
                "the password is not in the journal: run the row that holds it again; \
                 nothing was sent",
            ));
        };
        let account = NewSubAccount::new(
            self.name.as_str(),
            self.email.as_str(),
            self.phone.as_str(),
            password.clone(),
        );
        let sub = client.create_sub_account(&self.user, &account).await?;
        Ok(json!({ "id": sub.id, "email": self.email }))
    }

    async fn reconcile(&self, client: &Client, _: &Marker, _: DateTime<Utc>) -> Verdict {
        client
            .reconcile_create_sub_account(&self.user, &self.email)
            .await
    }
}

/// A sub-account deleted (删除子账户): the read answers "not found" afterwards
/// ([`Client::reconcile_delete_sub_account`]); it must be there before (a read-back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteSubAccountRequest {
    /// The main account.
    pub user: UserId,
    /// The sub-account.
    pub sub: SubUserId,
}

#[async_trait::async_trait]
impl Declared for DeleteSubAccountRequest {
    type Provider = Longlonglong;
    const NAMES: &'static [&'static str] = &["delete_sub_account"];
    const READ_BACK: bool = true;

    fn missing(&self) -> &'static str {
        "the sub-account is not there (never created, or deleted)"
    }

    fn serial(&self) -> String {
        serial(&self.user)
    }

    fn request(&self) -> Value {
        json!({ "user": self.user.as_str(), "sub_user": self.sub.as_str() })
    }

    fn from_request(_: &str, request: &Value, _: &[String]) -> Option<Self> {
        Some(DeleteSubAccountRequest {
            user: user_of(request, "user")?,
            sub: SubUserId::parse(&text(request, "sub_user")?).ok()?,
        })
    }

    async fn send(&self, client: &Client, _: &Marker) -> Result<Evidence, Error> {
        let ack = client.delete_sub_account(&self.user, &self.sub).await?;
        Ok(json!({ "message": ack.message, "deleted": self.sub.as_str() }))
    }

    async fn reconcile(&self, client: &Client, _: &Marker, _: DateTime<Utc>) -> Verdict {
        client
            .reconcile_delete_sub_account(&self.user, &self.sub)
            .await
    }
}

/// A line allocation removed from a user (解除线路绑定用户): gone from the user's line list on
/// the cloud node afterwards ([`Client::reconcile_unbind_line`]); it must be listed before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnbindLineRequest {
    /// The user.
    pub user: UserId,
    /// The cloud node whose line list shows the allocation.
    pub tenant: TenantId,
    /// The allocation record's id (`line_allocation.id`).
    pub allocation: AllocationId,
}

#[async_trait::async_trait]
impl Declared for UnbindLineRequest {
    type Provider = Longlonglong;
    const NAMES: &'static [&'static str] = &["unbind_line"];
    const READ_BACK: bool = true;

    fn missing(&self) -> &'static str {
        "the allocation is not in the user's line list"
    }

    fn serial(&self) -> String {
        serial(&self.user)
    }

    fn request(&self) -> Value {
        json!({
            "user": self.user.as_str(),
            "tenant": self.tenant.as_str(),
            "allocation": self.allocation.get(),
        })
    }

    fn from_request(_: &str, request: &Value, _: &[String]) -> Option<Self> {
        Some(UnbindLineRequest {
            user: user_of(request, "user")?,
            tenant: TenantId::parse(&text(request, "tenant")?).ok()?,
            allocation: AllocationId::new(number(request, "allocation")?).ok()?,
        })
    }

    async fn send(&self, client: &Client, _: &Marker) -> Result<Evidence, Error> {
        let done = client.unbind_line(&self.user, self.allocation).await?;
        Ok(json!({ "message": done.message, "unbound": self.allocation.get() }))
    }

    async fn reconcile(&self, client: &Client, _: &Marker, _: DateTime<Utc>) -> Verdict {
        client
            .reconcile_unbind_line(&self.user, &self.tenant, self.allocation)
            .await
    }
}

/// A task deleted (任务删除, the old API's `DELETE .../task/{id}`): the read answers "not
/// found" afterwards ([`Client::reconcile_delete_task`]); it must be there before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteTaskRequest {
    /// The user.
    pub user: UserId,
    /// The task.
    pub task: TaskId,
}

#[async_trait::async_trait]
impl Declared for DeleteTaskRequest {
    type Provider = Longlonglong;
    const NAMES: &'static [&'static str] = &["delete_task"];
    const READ_BACK: bool = true;

    fn missing(&self) -> &'static str {
        "the task is not there (never created, or deleted)"
    }

    fn serial(&self) -> String {
        serial(&self.user)
    }

    fn request(&self) -> Value {
        json!({ "user": self.user.as_str(), "task": self.task.as_str() })
    }

    fn from_request(_: &str, request: &Value, _: &[String]) -> Option<Self> {
        Some(DeleteTaskRequest {
            user: user_of(request, "user")?,
            task: TaskId::parse(&text(request, "task")?).ok()?,
        })
    }

    async fn send(&self, client: &Client, _: &Marker) -> Result<Evidence, Error> {
        let deleted = client.delete_task(&self.user, &self.task, None).await?;
        Ok(json!({ "message": deleted.message, "deleted": self.task.as_str() }))
    }

    async fn reconcile(&self, client: &Client, _: &Marker, _: DateTime<Utc>) -> Verdict {
        client.reconcile_delete_task(&self.user, &self.task).await
    }
}

/// Which way a [`NumbersRequest`] changes a task's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberChange {
    /// 批量添加号码, the synchronous import (phones only): all in the number list afterwards
    /// ([`Client::reconcile_add_numbers`]); none may be there before. (Suffixed and
    /// asynchronous imports are left to the SDK's [`Client::add_numbers_exactly_once`].)
    Add,
    /// 批量删除号码 (the task paused): none left afterwards
    /// ([`Client::reconcile_delete_numbers`]); all must be there before.
    Delete,
}

/// Phones added to or deleted from a task, read back in its number list. The read before
/// sending must find none of them (an import) or all of them (a deletion), so that "all
/// there" or "none left" afterwards proves this request and not a partial one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumbersRequest {
    /// Add or delete.
    pub change: NumberChange,
    /// The user.
    pub user: UserId,
    /// The task.
    pub task: TaskId,
    /// The phones, each once.
    pub phones: Vec<String>,
}

impl NumbersRequest {
    /// The phones as the reconcile calls take them.
    fn phones(&self) -> Vec<&str> {
        self.phones.iter().map(String::as_str).collect()
    }
}

#[async_trait::async_trait]
impl Declared for NumbersRequest {
    type Provider = Longlonglong;
    const NAMES: &'static [&'static str] = &["add_numbers", "delete_numbers"];
    const READ_BACK: bool = true;

    fn name(&self) -> &'static str {
        match self.change {
            NumberChange::Add => "add_numbers",
            NumberChange::Delete => "delete_numbers",
        }
    }

    fn missing(&self) -> &'static str {
        match self.change {
            NumberChange::Add => "a phone of this import is already in the task",
            NumberChange::Delete => "a phone of this deletion is not in the task",
        }
    }

    fn serial(&self) -> String {
        serial(&self.user)
    }

    fn request(&self) -> Value {
        json!({ "user": self.user.as_str(), "task": self.task.as_str(), "phones": self.phones })
    }

    fn from_request(name: &str, request: &Value, _: &[String]) -> Option<Self> {
        let change = match name {
            "add_numbers" => NumberChange::Add,
            "delete_numbers" => NumberChange::Delete,
            _ => return None,
        };
        Some(NumbersRequest {
            change,
            user: user_of(request, "user")?,
            task: TaskId::parse(&text(request, "task")?).ok()?,
            phones: texts(request, "phones")?,
        })
    }

    /// 1 to 100 phones for an import (any number for a deletion), each once, no spaces.
    fn check(&self) -> Result<(), Error> {
        let origin = Origin::new(PROVIDER, self.name());
        let max = match self.change {
            NumberChange::Add => voxkit_longlonglong::MAX_SYNC_NUMBERS,
            NumberChange::Delete => usize::MAX,
        };
        voxkit_core::check::range(origin, "phones", self.phones.len() as u64, 1, max as u64)?;
        for phone in &self.phones {
            voxkit_core::check::token(origin, "phone", phone, 128)?;
        }
        voxkit_core::check::unique(origin, "phones", &self.phones)
    }

    async fn send(&self, client: &Client, _: &Marker) -> Result<Evidence, Error> {
        let done = match self.change {
            NumberChange::Add => {
                let rows = self.phones.iter().map(NumberRow::new).collect();
                client
                    .add_numbers(&self.user, &self.task, &NumberImport::new(rows))
                    .await?
            }
            NumberChange::Delete => {
                let deletion = NumberDeletion::new(self.phones.iter().cloned());
                client
                    .delete_numbers(&self.user, &self.task, &deletion)
                    .await?
            }
        };
        Ok(json!({ "message": done.message, "phones": self.phones }))
    }

    async fn reconcile(&self, client: &Client, _: &Marker, _: DateTime<Utc>) -> Verdict {
        let (user, task, phones) = (&self.user, &self.task, self.phones());
        match self.change {
            NumberChange::Add => {
                client
                    .reconcile_add_numbers(user, task, &phones, None)
                    .await
            }
            NumberChange::Delete => {
                client
                    .reconcile_delete_numbers(user, task, &phones, None)
                    .await
            }
        }
    }
}

/// A dial-time group saved (呼叫时间组-保存): the request has no field for a marker, so the
/// group's name is the key, as in [`Client::save_dial_time_group_exactly_once`]: found again
/// by its name in the group list ([`Client::reconcile_save_dial_time_group`]), so a name
/// already listed is refused before sending (a read-back: one group named so afterwards,
/// none before, proves this save).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveDialTimeGroupRequest {
    /// The main account.
    pub user: UserId,
    /// 名称: how the save is found again (1–64 characters, new in the list).
    pub name: String,
    /// The days and their hours.
    pub content: Vec<DaySchedule>,
    /// `is_default`: make it the default group.
    pub is_default: bool,
    /// `skip_holiday`: do not call on public holidays.
    pub skip_holiday: bool,
    /// `sub_user_id`: save it for this sub-account (and look for it in that one's list).
    pub sub: Option<SubUserId>,
}

impl SaveDialTimeGroupRequest {
    /// The group as the client sends it (checked by the SDK's constructor).
    fn group(&self) -> Result<NewDialTimeGroup, Error> {
        let mut group = NewDialTimeGroup::new(self.name.as_str(), self.content.clone())?;
        if self.is_default {
            group = group.is_default(true);
        }
        if self.skip_holiday {
            group = group.skip_holiday(true);
        }
        if let Some(sub) = &self.sub {
            group = group.sub_user(sub.clone());
        }
        Ok(group)
    }
}

#[async_trait::async_trait]
impl Declared for SaveDialTimeGroupRequest {
    type Provider = Longlonglong;
    const NAMES: &'static [&'static str] = &["save_dial_time_group"];
    const READ_BACK: bool = true;

    fn missing(&self) -> &'static str {
        "a dial-time group with this name already exists (choose a new name)"
    }

    fn serial(&self) -> String {
        serial(&self.user)
    }

    fn request(&self) -> Value {
        json!({
            "user": self.user.as_str(),
            "name": self.name,
            "content": self.content,
            "is_default": self.is_default,
            "skip_holiday": self.skip_holiday,
            "sub_user": self.sub.as_ref().map(SubUserId::as_str),
        })
    }

    fn from_request(_: &str, request: &Value, _: &[String]) -> Option<Self> {
        let sub = match optional_text(request, "sub_user")? {
            Some(sub) => Some(SubUserId::parse(&sub).ok()?),
            None => None,
        };
        Some(SaveDialTimeGroupRequest {
            user: user_of(request, "user")?,
            name: text(request, "name")?,
            content: serde_json::from_value(request.get("content")?.clone()).ok()?,
            is_default: request.get("is_default")?.as_bool()?,
            skip_holiday: request.get("skip_holiday")?.as_bool()?,
            sub,
        })
    }

    /// The SDK's checks of the group (name 1–64 characters, at least one day, each once).
    fn check(&self) -> Result<(), Error> {
        self.group().map(drop)
    }

    async fn send(&self, client: &Client, _: &Marker) -> Result<Evidence, Error> {
        let saved = client
            .save_dial_time_group(&self.user, &self.group()?)
            .await?;
        Ok(json!({ "message": saved.message, "data": saved.data, "name": self.name }))
    }

    async fn reconcile(&self, client: &Client, _: &Marker, _: DateTime<Utc>) -> Verdict {
        client
            .reconcile_save_dial_time_group(&self.user, self.sub.as_ref(), &self.name)
            .await
    }
}

/// Rebuilds any longlonglong operation of this module from a journaled intent; `None` for
/// anything else. A sub-account creation comes back without its password (see
/// [`CreateSubAccountRequest`]).
pub fn from_intent(client: Arc<Client>, intent: &Intent) -> Option<Arc<dyn ExactlyOnce>> {
    let c = &client;
    resolve::<BalanceMoveRequest>(c, intent, &[])
        .or_else(|| resolve::<ZeroBalanceRequest>(c, intent, &[]))
        .or_else(|| resolve::<CreateSubAccountRequest>(c, intent, &[]))
        .or_else(|| resolve::<DeleteSubAccountRequest>(c, intent, &[]))
        .or_else(|| resolve::<UnbindLineRequest>(c, intent, &[]))
        .or_else(|| resolve::<DeleteTaskRequest>(c, intent, &[]))
        .or_else(|| resolve::<NumbersRequest>(c, intent, &[]))
        .or_else(|| resolve::<SaveDialTimeGroupRequest>(c, intent, &[]))
}

#[cfg(test)]
mod tests {
    use super::super::{assert_round_trip, intent_of};
    use super::*;

    fn client() -> Arc<Client> {
        // Plain HTTP to loopback, never used to send: no TLS backend needed.
        let client = Client::builder()
            .base_url("http://127.0.0.1:9")
            .allow_http(true)
            .token("t")
            .build()
            .unwrap();
        Arc::new(client)
    }

    const USER: &str = "5433b412-07d5-44e6-9fa4-deb65e43bc93";
    const OTHER: &str = "6e2d1c3b-07d5-44e6-9fa4-deb65e43bc93";

    #[test]
    fn every_operation_is_keyed_by_its_user_and_rebuilt_from_its_intent() {
        let user = UserId::parse(USER).unwrap();
        let other = UserId::parse(OTHER).unwrap();
        let task = TaskId::parse(OTHER).unwrap();
        let phones = vec!["13800000001".to_owned(), "13800000002".to_owned()];
        let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let noon = chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap();
        let span = voxkit_longlonglong::TimeSpan::new(nine, noon).unwrap();
        let day = DaySchedule::new(1, vec![span]).unwrap();
        let c = client();
        let identities = [
            assert_round_trip(
                &BalanceMove::new(Arc::clone(&c), Direction::Deduct, user.clone(), 5, None),
                &[],
            ),
            assert_round_trip(&ZeroBalance::new(Arc::clone(&c), user.clone()), &[]),
            assert_round_trip(
                &Op::of(
                    Arc::clone(&c),
                    CreateSubAccountRequest {
                        user: user.clone(),
                        name: "n".into(),
                        email: "a@example.com".into(),
                        phone: "13800000000".into(),
                        password: Some("hunter2-secret".into()),
                    },
                ),
                &[],
            ),
            assert_round_trip(
                &Op::of(
                    Arc::clone(&c),
                    DeleteSubAccountRequest {
                        user: user.clone(),
                        sub: SubUserId::parse(OTHER).unwrap(),
                    },
                ),
                &[],
            ),
            assert_round_trip(
                &Op::of(
                    Arc::clone(&c),
                    UnbindLineRequest {
                        user: user.clone(),
                        tenant: TenantId::parse(OTHER).unwrap(),
                        allocation: AllocationId::new(7).unwrap(),
                    },
                ),
                &[],
            ),
            assert_round_trip(
                &Op::of(
                    Arc::clone(&c),
                    DeleteTaskRequest {
                        user: user.clone(),
                        task: task.clone(),
                    },
                ),
                &[],
            ),
            assert_round_trip(
                &Op::of(
                    Arc::clone(&c),
                    NumbersRequest {
                        change: NumberChange::Add,
                        user: user.clone(),
                        task: task.clone(),
                        phones: phones.clone(),
                    },
                ),
                &[],
            ),
            assert_round_trip(
                &Op::of(
                    Arc::clone(&c),
                    NumbersRequest {
                        change: NumberChange::Delete,
                        user: user.clone(),
                        task,
                        phones,
                    },
                ),
                &[],
            ),
            assert_round_trip(
                &Op::of(
                    Arc::clone(&c),
                    SaveDialTimeGroupRequest {
                        user: user.clone(),
                        name: "工作日".into(),
                        content: vec![day.clone()],
                        is_default: true,
                        skip_holiday: false,
                        sub: Some(SubUserId::parse(OTHER).unwrap()),
                    },
                ),
                &[],
            ),
        ];
        for identity in &identities {
            assert_eq!(identity.serial, format!("longlonglong:user:{USER}"));
            // The module's resolver knows every one of them.
            let op = from_intent(Arc::clone(&c), &intent_of(identity)).unwrap();
            assert_eq!(&op.identity(), identity);
            assert!(!identity.request.to_string().contains("hunter2"));
        }
        let zero = ZeroBalance::new(Arc::clone(&c), other);
        assert_ne!(zero.identity().serial, identities[0].serial);
    }

    #[test]
    fn the_journal_request_of_the_first_operations_is_unchanged() {
        // Journals written before the operations were declared once must still resume.
        let user = UserId::parse(USER).unwrap();
        let recharge = BalanceMove::new(
            client(),
            Direction::Recharge,
            user.clone(),
            5,
            Some("order 1".into()),
        );
        assert_eq!(
            recharge.identity().request,
            json!({ "user": USER, "amount": 5, "remark": "order 1" })
        );
        assert_eq!(recharge.operation(), "recharge");
        let old = json!({ "user": USER, "amount": 5, "remark": null });
        let mut intent = intent_of(&recharge.identity());
        intent.request = old.clone();
        let rebuilt = from_intent(client(), &intent).unwrap();
        assert_eq!(rebuilt.identity().request, old);
        let zero = ZeroBalance::new(client(), user);
        assert_eq!(zero.identity().request, json!({ "user": USER }));
        assert_eq!(zero.identity().operation, ZERO_BALANCE);
    }

    #[tokio::test]
    async fn a_create_rebuilt_without_its_password_is_never_sent() {
        let op = Op::of(
            client(),
            CreateSubAccountRequest {
                user: UserId::parse(USER).unwrap(),
                name: "n".into(),
                email: "a@example.com".into(),
                phone: "13800000000".into(),
                password: Some("hunter2-secret".into()),
            },
        );
        assert!(!format!("{op:?}").contains("hunter2"));
        let rebuilt =
            Op::<CreateSubAccountRequest>::from_intent(client(), &intent_of(&op.identity()), &[])
                .unwrap();
        let error = rebuilt
            .request()
            .send(&client(), &Marker::generate())
            .await
            .unwrap_err();
        assert!(error.nothing_sent(), "{error}");
    }
}
