//! longlonglong lines (呼叫线路): the partner's line inventory on its cloud node, the
//! allocations of lines to users, and the script groups bound to an allocation.
//!
//! Where the documentation is silent (every answer of this group) the sandbox decides: a
//! list record is `{id, name, remark, concurrency, line_allocation: {id, user_id,
//! line_concurrency, deadline_at, price, group_ids} | null}`, one record per line for the
//! node, or per allocation when filtered by `user_id` (the one documented field,
//! `line_allocation.id`, is where the SDK reads it); allocating answers `{id}` (the new
//! allocation id); a line already allocated to that user is refused `422 线路已分配给该用户`;
//! an unknown allocation is `404 线路分配记录不存在`; binding answers `[]`.

use axum::extract::{RawQuery, State};
use bytes::Bytes;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::reply::{Answer, Call, at, err, get, known_user, object, ok, paged, paging};
use crate::state::{Shared, State as Data};
use crate::wire;

/// The documentation's cloud node (云节点) id, the line list's example `id`.
pub const DOCS_TENANT: &str = "2533f3f6-7ac1-4b55-b1de-7d308ce00d89";
/// The seeded line the SDK's allocate example names.
pub const DOCS_LINE: &str = "29c39ec4-5a7e-4f0b-9d0e-1b2c3d4e5f60";
/// The seeded allocation of the docs' examples (解除线路绑定用户, 线路绑定话术: `id` 11).
pub const DOCS_ALLOCATION: u64 = 11;
/// The seeded allocation 线路绑定话术's example binds. The docs use `id` 11 for both
/// 解除线路绑定用户 and 线路绑定话术, and 11 is the one the unbind example removes: binding gets
/// its own allocation, so the examples run in any order against one sandbox. It is on a line
/// of [`SECOND_TENANT`], out of the docs' node's list (whose counts the CLI's tests check).
pub const BIND_EXAMPLE_ALLOCATION: u64 = 21;
/// A second cloud node, holding the line of [`BIND_EXAMPLE_ALLOCATION`].
pub const SECOND_TENANT: &str = "7d1c0e52-3b9a-4f6e-8c2d-5a4b3c2d1e0f";

/// One line of the partner's inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Line {
    /// The line's UUID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The cloud node it is on.
    pub tenant_id: String,
}

/// One allocation of a line to a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Allocation {
    /// The allocation record's id (`line_allocation.id`).
    pub id: u64,
    /// The line allocated.
    pub line_id: String,
    /// The user it is allocated to.
    pub user_id: String,
    /// `line_concurrency`.
    pub concurrency: u32,
    /// `deadline_at`, China time.
    pub deadline_at: NaiveDateTime,
    /// `price`, as sent.
    pub price: f64,
    /// The script groups bound (线路绑定话术).
    pub group_ids: Vec<u64>,
}

/// The lines and their allocations.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Lines {
    pub lines: Vec<Line>,
    pub allocations: Vec<Allocation>,
    /// The next allocation id.
    pub next_allocation: u64,
}

/// Seeds the docs' node with two lines, [`DOCS_LINE`] free and one allocated to `user` as
/// allocation [`DOCS_ALLOCATION`]; and a line of [`SECOND_TENANT`] allocated to `user` as
/// [`BIND_EXAMPLE_ALLOCATION`].
pub(crate) fn seed(state: &mut Data, user: &str) {
    let now = state.now();
    let other = crate::ids::uuid(&mut state.rng);
    let second = crate::ids::uuid(&mut state.rng);
    let line = |id: String, name: &str, tenant_id: &str| Line {
        id,
        name: name.into(),
        tenant_id: tenant_id.into(),
    };
    let deadline_at = now + chrono::Duration::days(365);
    let allocation = |id: u64, line_id: String, concurrency: u32| Allocation {
        id,
        line_id,
        user_id: user.into(),
        concurrency,
        deadline_at,
        price: 0.1,
        group_ids: vec![1],
    };
    let lines = &mut state.lines;
    lines.lines.extend([
        line(DOCS_LINE.into(), "示例线路", DOCS_TENANT),
        line(other.clone(), "yw代理-测试线路", DOCS_TENANT),
        line(second.clone(), "第二节点线路", SECOND_TENANT),
    ]);
    lines.allocations.extend([
        allocation(DOCS_ALLOCATION, other, 2),
        allocation(BIND_EXAMPLE_ALLOCATION, second, 1),
    ]);
    lines.next_allocation = DOCS_ALLOCATION + 1;
}

fn allocation_json(a: &Allocation) -> Value {
    json!({
        "id": a.id, "user_id": a.user_id, "line_concurrency": a.concurrency,
        "deadline_at": at(a.deadline_at),
        "price": a.price, "group_ids": a.group_ids,
    })
}

/// 线路列表: `id` (the node) required; with `user_id`, that user's allocations.
pub(super) async fn list(State(shared): State<Shared>, RawQuery(query): RawQuery) -> Answer {
    let pairs = wire::query_pairs(query.as_deref());
    let (page, per_page) = paging(&pairs)?;
    let Some(tenant) = get(&pairs, "id").filter(|t| !t.is_empty()) else {
        return Err(err(422, "id 云节点 ID 不能为空"));
    };
    let data = shared.lock();
    let lines = &data.lines;
    let user = get(&pairs, "user_id");
    let mut items = Vec::new();
    for line in lines.lines.iter().filter(|l| l.tenant_id == tenant) {
        let record = |a: Option<&Allocation>| {
            json!({"id": line.id, "name": line.name, "remark": null,
                   "line_allocation": a.map(allocation_json)})
        };
        let mine: Vec<&Allocation> = lines
            .allocations
            .iter()
            .filter(|a| a.line_id == line.id && user.is_none_or(|u| a.user_id == u))
            .collect();
        match (user, mine.as_slice()) {
            (Some(_), []) => {}
            (None, []) => items.push(record(None)),
            (_, found) => items.extend(found.iter().map(|a| record(Some(a)))),
        }
    }
    paged("查看线路列表成功", items, page, per_page, |v| v)
}

/// 分配线路.
pub(super) async fn allocate(
    Call(shared, (user_id, line_id), _): Call<(String, String)>,
    body: Bytes,
) -> Answer {
    let map = object(&body)?;
    let concurrency = wire::int(&map, "line_concurrency")
        .filter(|c| (1..=10_000).contains(c))
        .ok_or_else(|| err(422, "line_concurrency 必须是正整数"))?;
    let deadline = wire::text(&map, "deadline_at")
        .and_then(|d| NaiveDateTime::parse_from_str(d, "%Y-%m-%d %H:%M:%S").ok())
        .ok_or_else(|| err(422, "deadline_at 格式应为 YYYY-MM-DD HH:mm:ss"))?;
    let price = map
        .get("price")
        .and_then(Value::as_f64)
        .filter(|p| *p >= 0.0)
        .ok_or_else(|| err(422, "price 必须是数字"))?;
    let mut data = shared.lock();
    known_user(&data, &user_id)?;
    let lines = &mut data.lines;
    if !lines.lines.iter().any(|l| l.id == line_id) {
        return Err(err(404, "线路不存在"));
    }
    if lines
        .allocations
        .iter()
        .any(|a| a.line_id == line_id && a.user_id == user_id)
    {
        return Err(err(422, "线路已分配给该用户"));
    }
    let mut id = lines.next_allocation.max(1);
    // Past the seeded ids that are not in sequence (BIND_EXAMPLE_ALLOCATION).
    while lines.allocations.iter().any(|a| a.id == id) {
        id += 1;
    }
    lines.next_allocation = id + 1;
    lines.allocations.push(Allocation {
        id,
        line_id,
        user_id,
        concurrency: concurrency as u32,
        deadline_at: deadline,
        price,
        group_ids: Vec::new(),
    });
    ok("分配线路成功", json!({ "id": id }))
}

/// 解除线路绑定用户.
pub(super) async fn unbind(Call(shared, (user_id, id), _): Call<(String, String)>) -> Answer {
    let mut data = shared.lock();
    known_user(&data, &user_id)?;
    let id: Option<u64> = id.parse().ok();
    let allocations = &mut data.lines.allocations;
    let Some(at) = allocations
        .iter()
        .position(|a| Some(a.id) == id && a.user_id == user_id)
    else {
        return Err(err(404, "线路分配记录不存在"));
    };
    allocations.remove(at);
    ok("解除线路绑定成功", json!([]))
}

/// 线路绑定话术: the groups must be the user's script groups.
pub(super) async fn bind(Call(shared, user_id, _): Call<String>, body: Bytes) -> Answer {
    let map = object(&body)?;
    let id = map.get("id").and_then(wire::number_of::<u64>);
    let groups: Option<Vec<u64>> = map
        .get("group_ids")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(wire::number_of::<u64>).collect());
    let Some(groups) = groups.filter(|g| !g.is_empty()) else {
        return Err(err(422, "group_ids 必须是非空数组"));
    };
    let mut data = shared.lock();
    known_user(&data, &user_id)?;
    if let Some(missing) = groups
        .iter()
        .find(|g| !data.resources.has_script_group(&user_id, **g))
    {
        return Err(err(422, format!("话术组 {missing} 不存在")));
    }
    let Some(allocation) = data
        .lines
        .allocations
        .iter_mut()
        .find(|a| Some(a.id) == id && a.user_id == user_id)
    else {
        return Err(err(404, "线路分配记录不存在"));
    };
    allocation.group_ids = groups;
    ok("线路绑定话术成功", json!([]))
}
