//! The sandbox's callback blacklist (查看回调黑名单) end to end, through the real SDK client
//! over loopback: the seeded entries and their statuses, an unseeded sandbox's empty list,
//! the bearer check and the route's fault injection.

mod common;

use voxkit_longlonglong::BlacklistStatus;
use voxkit_sandbox::{Fault, LONGLONGLONG_TOKEN, Sandbox};

use common::longlonglong_with_token as client;

#[tokio::test]
async fn the_seeded_blacklist_holds_one_released_and_one_blacklisted_url() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = sandbox.seed().longlonglong_user.clone();
    let list = client(&sandbox, LONGLONGLONG_TOKEN)
        .callback_blacklist()
        .await
        .unwrap();
    assert_eq!(list.message, "查看黑名单成功");
    assert_eq!(list.entries.len(), 2, "{list:?}");
    let (released, blacklisted) = (&list.entries[0], &list.entries[1]);

    assert_eq!((released.id, blacklisted.id), (1, 2));
    for entry in &list.entries {
        assert_eq!(entry.user_id.as_str(), user);
        // The documented example's period: released two hours after the blackout.
        assert_eq!(
            entry.release_time,
            Some(entry.blackout_time + chrono::TimeDelta::hours(2))
        );
        assert_eq!(entry.created_at, Some(entry.blackout_time));
    }
    assert_eq!(released.status, BlacklistStatus::Released);
    assert_eq!(released.status_str.as_deref(), Some("已释放"));
    assert_eq!(released.updated_at, released.release_time);
    assert_eq!(blacklisted.status, BlacklistStatus::Blacklisted);
    assert_eq!(blacklisted.status_str.as_deref(), Some("拉黑中"));
    assert_eq!(blacklisted.updated_at, Some(blacklisted.blackout_time));
    let urls: Vec<&str> = list.blacklisted().map(|e| e.url.as_str()).collect();
    assert_eq!(urls, ["http://callbacks.example/api2"]);
}

#[tokio::test]
async fn an_unseeded_sandbox_has_an_empty_blacklist() {
    let sandbox = Sandbox::builder().seeded(false).start().await.unwrap();
    let list = client(&sandbox, LONGLONGLONG_TOKEN)
        .callback_blacklist()
        .await
        .unwrap();
    assert!(list.entries.is_empty(), "{list:?}");
}

#[tokio::test]
async fn a_wrong_token_is_refused_with_401_and_not_retried() {
    let sandbox = Sandbox::start().await.unwrap();
    let err = client(&sandbox, "not-the-token")
        .callback_blacklist()
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some("401"), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("not-the-token"));
}

/// The route is named like the SDK's operation, so faults can be set on it, and the read
/// goes through them: two 503s, then the answer.
#[tokio::test]
async fn faults_on_the_route_are_retried_through() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.set_fault(
        "longlonglong.callback_blacklist",
        Fault::default().error(1.0, 503).retry_after(0).times(2),
    );
    let list = client(&sandbox, LONGLONGLONG_TOKEN)
        .callback_blacklist()
        .await
        .unwrap();
    assert_eq!(list.entries.len(), 2);
    sandbox.set_fault(
        "longlonglong.callback_blacklist",
        Fault::default().error(1.0, 503).retry_after(0),
    );
    let err = client(&sandbox, LONGLONGLONG_TOKEN)
        .callback_blacklist()
        .await
        .unwrap_err();
    assert!(!err.outcome_unknown(), "a read is never an unknown outcome");
}
