//! A line allocation removed from a user (a read-back).

use serde_json::json;
use voxkit_longlonglong::{AllocationId, TenantId, UserId};

use super::{Longlonglong, serial};

declared! {
    /// A line allocation removed from a user (解除线路绑定用户): gone from the user's line
    /// list on the cloud node afterwards ([`Client::reconcile_unbind_line`]); it must be
    /// listed before.
    ///
    /// [`Client::reconcile_unbind_line`]: voxkit_longlonglong::Client::reconcile_unbind_line
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct UnbindLineRequest for Longlonglong {
        /// The user.
        pub user: UserId => "user",
        /// The cloud node whose line list shows the allocation.
        pub tenant: TenantId => "tenant",
        /// The allocation record's id (`line_allocation.id`).
        pub allocation: AllocationId => "allocation",
    }
    names: ["unbind_line"],
    read_back: |_| "the allocation is not in the user's line list",
    serial: |r| serial(&r.user),
    send: |r, client, _| {
        let done = client.unbind_line(&r.user, r.allocation).await?;
        Ok(json!({ "message": done.message, "unbound": r.allocation.get() }))
    },
    reconcile: |r, client, _, _| {
        client
            .reconcile_unbind_line(&r.user, &r.tenant, r.allocation)
            .await
    },
}
