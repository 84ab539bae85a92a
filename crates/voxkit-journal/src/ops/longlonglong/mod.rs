//! longlonglong's non-repeatable operations as [`Declared`](super::Declared) requests (each
//! an [`ExactlyOnce`] operation as [`Op`](super::Op)), by group: [billing] (recharge and deduct, the
//! marker travelling in the remark, [`voxkit_longlonglong::marked_remark`], found in the
//! recharge history; zeroing a balance, the 余额归零 record), and the read-back operations:
//! [sub_accounts] (created, found by its e-mail; deleted), [lines] (an allocation removed),
//! [tasks] (a task deleted, numbers added to or deleted from a task: the number list) and
//! [dial_times] (a dial-time group saved, found by its name in the group list).
//!
//! Every one is serialised on the user (`longlonglong:user:<id>`): the user's history and
//! lists are what reconciliation reads, so two rows about one user never overlap (a row
//! deleting numbers another row adds, say).

use std::sync::Arc;

use serde_json::{Map, Value, json};
use voxkit_longlonglong::{
    AllocationId, Client, DaySchedule, OPERATIONS, SubUserId, TaskId, TenantId, UserId,
};

use super::{Journaled, resolve, text};
use crate::{ExactlyOnce, Intent};

pub mod billing;
pub mod dial_times;
pub mod lines;
pub mod sub_accounts;
pub mod tasks;

pub use billing::{BalanceMove, BalanceMoveRequest, ZERO_BALANCE, ZeroBalance, ZeroBalanceRequest};
pub use dial_times::SaveDialTimeGroupRequest;
pub use lines::UnbindLineRequest;
pub use sub_accounts::{CreateSubAccountRequest, DeleteSubAccountRequest};
pub use tasks::{DeleteTaskRequest, NumberChange, NumbersRequest};

provider! {
    /// Longlonglong as the operations of this module name it.
    Longlonglong: Client, PROVIDER, OPERATIONS
}

/// The provider's name in the journal.
pub const PROVIDER: &str = voxkit_longlonglong::PROVIDER;

/// The serial key of everything about `user`.
fn serial(user: &UserId) -> String {
    format!("longlonglong:user:{}", user.as_str())
}

/// The checked ids, journaled as their text and checked again when read back.
macro_rules! journaled_ids {
    ($($Id:ident),+) => {$(
        /// Its text.
        impl Journaled for $Id {
            fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
                request.insert(key.into(), json!(self.as_str()));
            }

            fn read(request: &Value, key: &'static str, _: &[String]) -> Option<Self> {
                $Id::parse(&text(request, key)?).ok()
            }
        }
    )+};
}

journaled_ids!(UserId, SubUserId, TaskId, TenantId);

/// Its text, `null` when absent.
impl Journaled for Option<SubUserId> {
    fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
        request.insert(key.into(), json!(self.as_ref().map(SubUserId::as_str)));
    }

    fn read(request: &Value, key: &'static str, _: &[String]) -> Option<Self> {
        match request.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(value) => Some(Some(SubUserId::parse(value.as_str()?).ok()?)),
        }
    }
}

/// Its number (`line_allocation.id`).
impl Journaled for AllocationId {
    fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
        request.insert(key.into(), json!(self.get()));
    }

    fn read(request: &Value, key: &'static str, _: &[String]) -> Option<Self> {
        AllocationId::new(request.get(key)?.as_u64()?).ok()
    }
}

/// The days as the SDK serialises them.
impl Journaled for Vec<DaySchedule> {
    fn write(&self, key: &'static str, request: &mut Map<String, Value>) {
        request.insert(key.into(), json!(self));
    }

    fn read(request: &Value, key: &'static str, _: &[String]) -> Option<Self> {
        serde_json::from_value(request.get(key)?.clone()).ok()
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
    use super::super::{Declared, Op, assert_request_round_trip, assert_round_trip, intent_of};
    use super::*;
    use crate::Marker;
    use voxkit_longlonglong::Direction;

    fn client() -> Arc<Client> {
        // Plain HTTP to loopback, never used to send: no TLS backend needed.
        let builder = Client::builder().base_url("http://127.0.0.1:9");
        Arc::new(builder.allow_http(true).token("t").build().unwrap())
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
            assert_request_round_trip(
                &c,
                CreateSubAccountRequest {
                    user: user.clone(),
                    name: "n".into(),
                    email: "a@example.com".into(),
                    phone: "13800000000".into(),
                    password: Some("hunter2-secret".into()),
                },
            ),
            assert_request_round_trip(
                &c,
                DeleteSubAccountRequest {
                    user: user.clone(),
                    sub: SubUserId::parse(OTHER).unwrap(),
                },
            ),
            assert_request_round_trip(
                &c,
                UnbindLineRequest {
                    user: user.clone(),
                    tenant: TenantId::parse(OTHER).unwrap(),
                    allocation: AllocationId::new(7).unwrap(),
                },
            ),
            assert_request_round_trip(
                &c,
                DeleteTaskRequest {
                    user: user.clone(),
                    task: task.clone(),
                },
            ),
            assert_request_round_trip(
                &c,
                NumbersRequest {
                    change: NumberChange::Add,
                    user: user.clone(),
                    task: task.clone(),
                    phones: phones.clone(),
                },
            ),
            assert_request_round_trip(
                &c,
                NumbersRequest {
                    change: NumberChange::Delete,
                    user: user.clone(),
                    task,
                    phones,
                },
            ),
            assert_request_round_trip(
                &c,
                SaveDialTimeGroupRequest {
                    user: user.clone(),
                    name: "工作日".into(),
                    content: vec![day.clone()],
                    is_default: true,
                    skip_holiday: false,
                    sub: Some(SubUserId::parse(OTHER).unwrap()),
                },
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
