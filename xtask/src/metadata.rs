//! What xtask learns from `cargo metadata --format-version 1`: the facade's providers and the
//! dependency graph's rust-versions. Everything here is pure, working on parsed JSON.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde_json::Value;

use crate::cmd::{Result, err};
use crate::version::RustVersion;

/// The facade crate, re-exporting one provider crate per feature.
pub const FACADE: &str = "voxkit";
/// Name prefix of the facade's provider crates (optional dependencies).
pub const PROVIDER_PREFIX: &str = "voxkit-";
/// The shared plumbing crate: starts with the prefix but is not a provider.
pub const CORE: &str = "voxkit-core";
/// The facade's optional `voxkit-*` dependencies that are not providers (no TLS features, no
/// provider isolation to check): the durable journal (facade feature `journal`).
pub const NOT_PROVIDERS: &[&str] = &[CORE, "voxkit-journal"];

/// A provider crate and the facade feature that enables it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// Crate name, e.g. `voxkit-laaffic`.
    pub krate: String,
    /// Facade feature, e.g. `laaffic`.
    pub feature: String,
}

/// The facade and its providers, as derived from `cargo metadata --no-deps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Provider crates, sorted by name.
    pub providers: Vec<Provider>,
    /// The facade's `--features` value enabling everything: `full` when the facade has that
    /// feature, otherwise every provider feature joined by commas.
    pub all_features: String,
}

/// Derives the [`Layout`] from `cargo metadata --format-version 1 --no-deps` output.
///
/// Providers are the facade's optional normal dependencies named `voxkit-*` (except
/// `voxkit-core` and the journal: [`NOT_PROVIDERS`]); the feature for `voxkit-X` must be named `X`.
pub fn layout(meta: &Value) -> Result<Layout> {
    let facade = workspace_packages(meta)?
        .into_iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(FACADE))
        .ok_or_else(|| {
            err!("no workspace package named `{FACADE}` (the facade) in cargo metadata")
        })?;
    let features = facade
        .get("features")
        .and_then(Value::as_object)
        .ok_or_else(|| err!("cargo metadata: `{FACADE}` has no `features` object"))?;

    let mut crates = BTreeSet::new();
    for dep in array(facade, "dependencies")? {
        let name = string(dep, "name")?;
        let optional = dep
            .get("optional")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let normal = dep.get("kind").is_none_or(Value::is_null);
        if optional && normal && name.starts_with(PROVIDER_PREFIX) && !NOT_PROVIDERS.contains(&name)
        {
            crates.insert(name.to_owned());
        }
    }
    if crates.is_empty() {
        return Err(err!(
            "`{FACADE}` has no optional `{PROVIDER_PREFIX}*` dependencies: no providers to check"
        ));
    }

    let mut providers = Vec::new();
    for krate in crates {
        let feature = krate[PROVIDER_PREFIX.len()..].to_owned();
        if !features.contains_key(&feature) {
            return Err(err!(
                "`{FACADE}` depends on provider `{krate}` but has no feature `{feature}` for it"
            ));
        }
        providers.push(Provider { krate, feature });
    }
    let all_features = if features.contains_key("full") {
        "full".to_owned()
    } else {
        providers
            .iter()
            .map(|p| p.feature.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    Ok(Layout {
        providers,
        all_features,
    })
}

/// Outcome of [`msrv_check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsrvReport {
    /// The workspace's `rust-version`.
    pub rust_version: RustVersion,
    /// How many packages the walk reached (workspace crates included).
    pub checked: usize,
    /// Reached packages (`name version`) requiring a newer Rust, sorted.
    pub offenders: Vec<(String, RustVersion)>,
}

/// Checks that nothing the publishable workspace crates build against needs a newer Rust than
/// the workspace's `rust-version`.
///
/// `meta` is full `cargo metadata --format-version 1` output (with `resolve`, ideally filtered
/// to one platform). The walk starts at the workspace members that can be published and follows
/// normal and build dependencies only; dev-dependencies are not part of what users build.
pub fn msrv_check(meta: &Value) -> Result<MsrvReport> {
    // Publishable workspace members and their (single, shared) rust-version.
    let mut roots = Vec::new();
    let mut versions = BTreeMap::new();
    for package in workspace_packages(meta)? {
        if !publishable(package) {
            continue;
        }
        let name = string(package, "name")?;
        let version = rust_version_of(package)?
            .ok_or_else(|| err!("workspace package `{name}` declares no rust-version"))?;
        versions
            .entry(version.to_string())
            .or_insert_with(Vec::new)
            .push(name);
        roots.push(string(package, "id")?);
    }
    let rust_version = match versions.len() {
        0 => {
            return Err(err!(
                "cargo metadata lists no publishable workspace package"
            ));
        }
        1 => versions
            .keys()
            .next()
            .expect("one entry")
            .parse::<RustVersion>()
            .map_err(|e| err!("{e}"))?,
        _ => {
            return Err(err!(
                "workspace packages disagree on rust-version: {versions:?}"
            ));
        }
    };

    // Every package, by id: (`name version`, rust-version).
    let mut packages = HashMap::new();
    for package in array(meta, "packages")? {
        let label = format!(
            "{} {}",
            string(package, "name")?,
            string(package, "version")?
        );
        packages.insert(string(package, "id")?, (label, rust_version_of(package)?));
    }
    // The resolved graph: id -> ids of its normal and build dependencies.
    let resolve = meta
        .get("resolve")
        .filter(|r| !r.is_null())
        .ok_or_else(|| {
            err!("cargo metadata has no `resolve` graph (was it run with --no-deps?)")
        })?;
    let mut edges: HashMap<&str, Vec<&str>> = HashMap::new();
    for node in array(resolve, "nodes")? {
        let targets = edges.entry(string(node, "id")?).or_default();
        for dep in array(node, "deps")? {
            let built = array(dep, "dep_kinds")?
                .iter()
                .any(|k| match k.get("kind") {
                    None | Some(Value::Null) => true,
                    Some(kind) => kind.as_str() == Some("build"),
                });
            if built {
                targets.push(string(dep, "pkg")?);
            }
        }
    }

    // Breadth-first walk from the roots.
    let mut seen: BTreeSet<&str> = roots.iter().copied().collect();
    let mut queue: VecDeque<&str> = roots.into_iter().collect();
    let mut offenders = Vec::new();
    while let Some(id) = queue.pop_front() {
        let (label, needs) = packages
            .get(id)
            .ok_or_else(|| err!("cargo metadata: unknown package id `{id}`"))?;
        if let Some(needs) = needs.filter(|needs| *needs > rust_version) {
            offenders.push((label.clone(), needs));
        }
        for &dep in edges.get(id).into_iter().flatten() {
            if seen.insert(dep) {
                queue.push_back(dep);
            }
        }
    }
    offenders.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(MsrvReport {
        rust_version,
        checked: seen.len(),
        offenders,
    })
}

/// A workspace member, as `cargo package`, `cargo xtask dist` and the Dockerfile check see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Package name.
    pub name: String,
    /// Package version.
    pub version: String,
    /// Whether it may be published (`publish` is not `false`).
    pub publishable: bool,
    /// Its binary targets' names.
    pub bins: Vec<String>,
    /// The names of its normal and build dependencies (dev-dependencies left out: the
    /// registry strips those without a version), workspace members or not.
    pub deps: Vec<String>,
}

#[cfg(test)]
impl Member {
    /// A publishable 0.1.0 member with these binaries, for tests.
    pub fn sample(name: &str, bins: &[&str]) -> Member {
        Member {
            name: name.to_owned(),
            version: "0.1.0".to_owned(),
            publishable: true,
            bins: bins.iter().map(|b| (*b).to_owned()).collect(),
            deps: Vec::new(),
        }
    }
}

/// The workspace members of `cargo metadata --format-version 1 [--no-deps]` output, in the
/// order cargo lists them.
pub fn members(meta: &Value) -> Result<Vec<Member>> {
    let mut members = Vec::new();
    for package in workspace_packages(meta)? {
        let mut bins = Vec::new();
        for target in array(package, "targets")? {
            let is_bin = array(target, "kind")?
                .iter()
                .any(|k| k.as_str() == Some("bin"));
            if is_bin {
                bins.push(string(target, "name")?.to_owned());
            }
        }
        let mut deps = Vec::new();
        for dep in array(package, "dependencies")? {
            let dev = dep.get("kind").and_then(Value::as_str) == Some("dev");
            if !dev {
                deps.push(string(dep, "name")?.to_owned());
            }
        }
        members.push(Member {
            name: string(package, "name")?.to_owned(),
            version: string(package, "version")?.to_owned(),
            publishable: publishable(package),
            bins,
            deps,
        });
    }
    Ok(members)
}

/// Checks a publishing order (the release workflow's list): every publishable member
/// exactly once, each after the workspace members it depends on, and nothing else.
pub fn check_publish_order(order: &[&str], members: &[Member]) -> Result<()> {
    let publishable: BTreeSet<&str> = members
        .iter()
        .filter(|m| m.publishable)
        .map(|m| m.name.as_str())
        .collect();
    let listed: BTreeSet<&str> = order.iter().copied().collect();
    if listed.len() != order.len() {
        return Err(err!("the publishing order lists a crate twice: {order:?}"));
    }
    let missing: Vec<&str> = publishable.difference(&listed).copied().collect();
    let extra: Vec<&str> = listed.difference(&publishable).copied().collect();
    if !missing.is_empty() || !extra.is_empty() {
        return Err(err!(
            "the publishing order {order:?} misses {missing:?} and lists unpublishable or \
             unknown crates {extra:?}"
        ));
    }
    for (index, name) in order.iter().enumerate() {
        let member = members
            .iter()
            .find(|m| m.name == *name)
            .expect("checked above");
        for dep in &member.deps {
            if let Some(at) = order.iter().position(|n| n == dep) {
                if at > index {
                    return Err(err!(
                        "the publishing order puts `{name}` before `{dep}`, which it depends on"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The workspace's `rust-version` as written (`1.85`): the one every publishable member
/// declares.
pub fn workspace_rust_version(meta: &Value) -> Result<String> {
    let mut versions = BTreeSet::new();
    for package in workspace_packages(meta)? {
        if publishable(package) {
            let name = string(package, "name")?;
            let version = package
                .get("rust_version")
                .and_then(Value::as_str)
                .ok_or_else(|| err!("workspace package `{name}` declares no rust-version"))?;
            versions.insert(version.to_owned());
        }
    }
    match versions.len() {
        1 => Ok(versions.pop_first().expect("one entry")),
        0 => Err(err!(
            "cargo metadata lists no publishable workspace package"
        )),
        _ => Err(err!(
            "workspace packages disagree on rust-version: {versions:?}"
        )),
    }
}

/// The packages of `meta` that are workspace members.
fn workspace_packages(meta: &Value) -> Result<Vec<&Value>> {
    let members: BTreeSet<&str> = array(meta, "workspace_members")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut found = Vec::new();
    for package in array(meta, "packages")? {
        if members.contains(string(package, "id")?) {
            found.push(package);
        }
    }
    Ok(found)
}

/// Whether a package may be published: `publish` is `null` (anywhere) or a non-empty registry
/// list; `publish = false` shows up as `[]`.
fn publishable(package: &Value) -> bool {
    match package.get("publish") {
        None | Some(Value::Null) => true,
        Some(Value::Array(registries)) => !registries.is_empty(),
        Some(Value::Bool(publish)) => *publish,
        Some(_) => false,
    }
}

/// A package's `rust_version`, if it declares one; errors name the package.
fn rust_version_of(package: &Value) -> Result<Option<RustVersion>> {
    match package.get("rust_version").and_then(Value::as_str) {
        None => Ok(None),
        Some(raw) => raw.parse().map(Some).map_err(|e| {
            err!(
                "{}: {e}",
                package.get("name").and_then(Value::as_str).unwrap_or("?")
            )
        }),
    }
}

/// `value[key]` as an array, or an error naming the key.
fn array<'a>(value: &'a Value, key: &str) -> Result<&'a Vec<Value>> {
    value
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| err!("cargo metadata: missing array `{key}`"))
}

/// `value[key]` as a string, or an error naming the key.
fn string<'a>(value: &'a Value, key: &str) -> Result<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| err!("cargo metadata: missing string `{key}`"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A `cargo metadata --no-deps` sample: the facade and one more workspace crate.
    fn no_deps_sample(features: Value) -> Value {
        let dep = |name: &str, optional: bool, kind: Value| json!({ "name": name, "optional": optional, "kind": kind, "rename": null });
        json!({
            "workspace_members": ["path+file:///w/crates/voxkit#0.1.0", "path+file:///w/crates/voxkit-core#0.1.0"],
            "packages": [
                {
                    "name": "voxkit-core",
                    "id": "path+file:///w/crates/voxkit-core#0.1.0",
                    "features": {},
                    "dependencies": [],
                },
                {
                    "name": "voxkit",
                    "id": "path+file:///w/crates/voxkit#0.1.0",
                    "features": features,
                    "dependencies": [
                        dep("voxkit-core", false, Value::Null),
                        dep("voxkit-laaffic", true, Value::Null),
                        dep("voxkit-espai", true, Value::Null),
                        // Optional and `voxkit-*`, but not a provider.
                        dep("voxkit-journal", true, Value::Null),
                        dep("serde", true, Value::Null),
                        dep("voxkit-testkit", false, json!("dev")),
                    ],
                },
            ],
        })
    }

    fn provider(krate: &str, feature: &str) -> Provider {
        Provider {
            krate: krate.to_owned(),
            feature: feature.to_owned(),
        }
    }

    #[test]
    fn providers_are_the_optional_voxkit_dependencies() {
        let meta =
            no_deps_sample(json!({ "default": [], "laaffic": [], "espai": [], "serde": [] }));
        let layout = layout(&meta).unwrap();
        assert_eq!(
            layout.providers,
            [
                provider("voxkit-espai", "espai"),
                provider("voxkit-laaffic", "laaffic")
            ]
        );
        assert_eq!(layout.all_features, "espai,laaffic");
    }

    #[test]
    fn full_feature_is_preferred_when_present() {
        let meta =
            no_deps_sample(json!({ "laaffic": [], "espai": [], "full": ["laaffic", "espai"] }));
        assert_eq!(layout(&meta).unwrap().all_features, "full");
    }

    #[test]
    fn provider_without_matching_feature_is_an_error() {
        let meta = no_deps_sample(json!({ "laaffic": [] }));
        let error = layout(&meta).unwrap_err().0;
        assert!(
            error.contains("voxkit-espai") && error.contains("`espai`"),
            "{error}"
        );
    }

    #[test]
    fn missing_facade_is_an_error() {
        let meta = json!({ "workspace_members": [], "packages": [] });
        assert!(layout(&meta).unwrap_err().0.contains("facade"));
    }

    /// A full `cargo metadata` sample with a resolve graph.
    fn full_sample(core_rust_version: &str) -> Value {
        let package = |name: &str, rust_version: Option<&str>, publish: Value| {
            json!({
                "name": name,
                "version": "1.0.0",
                "id": format!("{name}-id"),
                "rust_version": rust_version,
                "publish": publish,
            })
        };
        let dep = |name: &str, kinds: &[Value]| {
            json!({
                "name": name,
                "pkg": format!("{name}-id"),
                "dep_kinds": kinds.iter().map(|k| json!({ "kind": k, "target": null })).collect::<Vec<_>>(),
            })
        };
        let node =
            |name: &str, deps: Vec<Value>| json!({ "id": format!("{name}-id"), "deps": deps });
        json!({
            "workspace_members": ["voxkit-core-id", "xtask-id"],
            "packages": [
                package("voxkit-core", Some(core_rust_version), Value::Null),
                package("xtask", Some("1.85"), json!([])),
                package("serde", Some("1.61"), Value::Null),
                package("cc", Some("1.90"), Value::Null),
                package("no-version", None, Value::Null),
                package("dev-only", Some("1.99"), Value::Null),
                package("xtask-only", Some("1.99"), Value::Null),
            ],
            "resolve": {
                "root": null,
                "nodes": [
                    node("voxkit-core", vec![
                        dep("serde", &[Value::Null, json!("dev")]),
                        dep("no-version", &[Value::Null]),
                        dep("dev-only", &[json!("dev")]),
                    ]),
                    node("serde", vec![dep("cc", &[json!("build")])]),
                    node("xtask", vec![dep("xtask-only", &[Value::Null])]),
                    node("cc", vec![]),
                    node("no-version", vec![]),
                    node("dev-only", vec![]),
                    node("xtask-only", vec![]),
                ],
            },
        })
    }

    #[test]
    fn msrv_walk_follows_normal_and_build_edges_from_publishable_crates() {
        let report = msrv_check(&full_sample("1.85")).unwrap();
        assert_eq!(report.rust_version.to_string(), "1.85");
        // voxkit-core, serde, no-version, cc; not dev-only (dev edge) nor xtask(-only) (unpublished).
        assert_eq!(report.checked, 4);
        assert_eq!(
            report.offenders,
            [("cc 1.0.0".to_owned(), "1.90".parse().unwrap())]
        );
    }

    #[test]
    fn msrv_walk_passes_when_the_workspace_is_new_enough() {
        let report = msrv_check(&full_sample("1.90.0")).unwrap();
        assert!(report.offenders.is_empty());
    }

    #[test]
    fn msrv_walk_needs_the_resolve_graph() {
        let mut meta = full_sample("1.85");
        meta["resolve"] = Value::Null;
        assert!(msrv_check(&meta).unwrap_err().0.contains("--no-deps"));
    }

    #[test]
    fn members_list_binaries_and_whether_they_publish() {
        let target = |name: &str, kind: &str| json!({ "name": name, "kind": [kind] });
        let meta = json!({
            "workspace_members": ["cli-id", "bench-id"],
            "packages": [
                {
                    "name": "voxkit-cli", "id": "cli-id", "version": "0.2.0", "publish": null,
                    "rust_version": "1.85",
                    "targets": [target("voxkit", "bin"), target("cli", "test")],
                    "dependencies": [
                        { "name": "serde", "kind": null },
                        { "name": "tokio", "kind": "dev" },
                    ],
                },
                {
                    "name": "voxkit-bench", "id": "bench-id", "version": "0.1.0", "publish": [],
                    "rust_version": "1.90",
                    "targets": [target("voxkit_bench", "lib"), target("voxkit-bench", "bin")],
                    "dependencies": [],
                },
                {
                    "name": "serde", "id": "serde-id", "version": "1.0.0", "publish": null,
                    "targets": [target("serde", "lib")],
                },
            ],
        });
        let members = members(&meta).unwrap();
        assert_eq!(
            members,
            [
                Member {
                    name: "voxkit-cli".into(),
                    version: "0.2.0".into(),
                    publishable: true,
                    bins: vec!["voxkit".into()],
                    deps: vec!["serde".into()],
                },
                Member {
                    name: "voxkit-bench".into(),
                    version: "0.1.0".into(),
                    publishable: false,
                    bins: vec!["voxkit-bench".into()],
                    deps: vec![],
                },
            ]
        );
        // Only publishable members count for the rust-version.
        assert_eq!(workspace_rust_version(&meta).unwrap(), "1.85");
    }

    #[test]
    fn publishing_order_follows_dependencies() {
        let member = |name: &str, deps: &[&str], publishable: bool| Member {
            name: name.to_owned(),
            version: "0.1.0".to_owned(),
            publishable,
            bins: Vec::new(),
            deps: deps.iter().map(|d| (*d).to_owned()).collect(),
        };
        let members = [
            member("voxkit-core", &["serde"], true),
            member("voxkit-laaffic", &["voxkit-core"], true),
            member("voxkit", &["voxkit-core", "voxkit-laaffic"], true),
            member("voxkit-bench", &["voxkit"], false),
        ];
        check_publish_order(&["voxkit-core", "voxkit-laaffic", "voxkit"], &members).unwrap();
        let e = check_publish_order(&["voxkit-laaffic", "voxkit-core", "voxkit"], &members)
            .unwrap_err()
            .0;
        assert!(
            e.contains("puts `voxkit-laaffic` before `voxkit-core`"),
            "{e}"
        );
        let e = check_publish_order(&["voxkit-core", "voxkit"], &members)
            .unwrap_err()
            .0;
        assert!(e.contains("misses [\"voxkit-laaffic\"]"), "{e}");
        let e = check_publish_order(
            &["voxkit-core", "voxkit-laaffic", "voxkit", "voxkit-bench"],
            &members,
        )
        .unwrap_err()
        .0;
        assert!(e.contains("voxkit-bench"), "{e}");
    }
}
