//! 话术分组 (section 3 of the notes): a user's script groups (话术分组) and every script of a
//! cloud node's users (查看下级用户所有话术). A script group's id is what
//! [`Client::bind_line_scripts`] binds to a line and a task's `destination_extension` names.
//!
//! Neither answer is documented: the group list is a [`RawPage`], the node's scripts an
//! [`Undocumented`].

use futures_util::stream::BoxStream;
use serde_json::Value;
use voxkit_core::{Error, Operation, Paging};

use crate::Client;
use crate::envelope::Undocumented;
use crate::ids::UserId;
use crate::lines::{RawPage, TenantId};
use crate::listing::paging;

#[cfg(any(test, feature = "test-util"))]
use {crate::billing::DOCS_USER, crate::envelope::decode_as, crate::lines::DOCS_TENANT};

group! {

    /// 话术分组: one page. The user id comes last in this path (`/group/{user_id}`).
    pub(crate) SCRIPT_GROUPS {
        name: "script_groups",
        method: GET,
        path: "agent-api/group/{user_id}",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.script_groups(&DOCS_USER.parse()?, Some(1), Some(15)).await.map(drop),
        decode: |r| decode_as::<Value>(&SCRIPT_GROUPS, r),
    }

    /// 查看下级用户所有话术.
    pub(crate) TENANT_SCRIPTS {
        name: "tenant_scripts",
        method: GET,
        path: "agent-api/agent_group/tenant/{tenant_id}",
        idempotency: Repeatable,
        reconciliation: NotNeeded,
        example: |c| c.tenant_scripts(&DOCS_TENANT.parse()?).await.map(drop),
        decode: |r| decode_as::<Value>(&TENANT_SCRIPTS, r),
    }
}

/// The page size of the script group list when none is asked for (the docs' 15).
pub const DEFAULT_SCRIPT_GROUPS_PER_PAGE: u32 = 15;

impl Client {
    /// One page of the user's script groups (话术分组):
    /// `GET /agent-api/group/{user_id}?page=..&per_page=..`. Records undocumented: a
    /// [`RawPage`]. Repeatable.
    pub async fn script_groups(
        &self,
        user: &UserId,
        page: Option<u32>,
        per_page: Option<u32>,
    ) -> Result<RawPage, Error> {
        let op = Operation::of(&SCRIPT_GROUPS, &[user.as_str()])?;
        let op = paging(op, SCRIPT_GROUPS.origin(), page, per_page)?;
        self.raw_page(&SCRIPT_GROUPS, &op).await
    }

    /// Every script group of the user, page after page with core's paging guards. Each
    /// item is a record as sent.
    pub fn script_groups_all(
        &self,
        user: &UserId,
        per_page: Option<u32>,
    ) -> BoxStream<'static, Result<Value, Error>> {
        self.walk_pages(
            SCRIPT_GROUPS.origin(),
            Paging::new(Some(per_page.unwrap_or(DEFAULT_SCRIPT_GROUPS_PER_PAGE))),
            |item: &Value| item.to_string(),
            user.clone(),
            |client, user, number, size| async move {
                client
                    .script_groups(&user, Some(number), size)
                    .await?
                    .into_page(SCRIPT_GROUPS.origin())
            },
        )
    }

    /// Every script of the users under a cloud node (查看下级用户所有话术):
    /// `GET /agent-api/agent_group/tenant/{tenant_id}` (the node id from the cloud node
    /// list). Undocumented answer, kept as sent. Repeatable.
    pub async fn tenant_scripts(&self, tenant: &TenantId) -> Result<Undocumented, Error> {
        let op = Operation::of(&TENANT_SCRIPTS, &[tenant.as_str()])?;
        self.undocumented(&TENANT_SCRIPTS, &op).await
    }
}
