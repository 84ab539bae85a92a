//! Owner names that say which process holds a lease, so that a lease held by a process that
//! is provably dead can end at once instead of after [`Settings::lease`] (a re-run after a
//! SIGKILL would otherwise wait up to two minutes for the dead process's leases).
//!
//! An owner is `host:pid:start:random`: `start` is the process's start time (Linux:
//! `/proc/<pid>/stat`, field 22, clock ticks since boot), so that a pid reused by another
//! process is not taken for the owner. "Provably dead" means: the same host, and that pid is
//! not running or runs with another start time. Anything else (another host, a name in
//! another format, a system without `/proc`) proves nothing, and the lease runs its course.
//!
//! [`Settings::lease`]: crate::Settings::lease

/// This machine's name: `$HOSTNAME`, else `/etc/hostname`, else `host`.
pub(crate) fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "host".to_owned())
}

/// What `/proc/<pid>/stat` says of a process: `None` when it is not running (or is a zombie,
/// killed and not yet reaped), else its start time.
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split after the
    // last `)`. Fields after it start with field 3 (state); the start time is field 22.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    if matches!(fields.first(), Some(&("Z" | "X" | "x"))) {
        return None;
    }
    fields.get(19)?.parse().ok()
}

/// Whether this system lets us tell (Linux's `/proc`): without it nothing is ever proven dead.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
fn can_tell() -> bool {
    process_start(std::process::id()).is_some()
}

/// The owner name of this process, with `random` (unique per runner) at the end.
pub(crate) fn for_this_process(random: &str) -> String {
    let start = process_start(std::process::id()).map_or_else(|| "-".to_owned(), |s| s.to_string());
    format!("{}:{}:{start}:{random}", host_name(), std::process::id())
}

/// Whether `owner` names a process of this host that is no longer running (its pid is gone,
/// or now belongs to a process started at another time). `false` whenever that cannot be
/// proven. Used by the SQLite store's sweep (a PostgreSQL fleet spans hosts, where a pid
/// proves nothing, so its leases only run out).
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn provably_dead(owner: &str) -> bool {
    let mut parts = owner.rsplitn(4, ':');
    let (Some(_random), Some(start), Some(pid), Some(host)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    if host != host_name() || !can_tell() {
        return false;
    }
    match process_start(pid) {
        None => true,
        Some(running) => start.parse::<u64>().is_ok_and(|start| start != running),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_reaped_child_is_dead() {
        let me = for_this_process("abcdef");
        assert!(me.starts_with(&format!("{}:{}:", host_name(), std::process::id())));
        assert!(!provably_dead(&me), "{me}");
        if !can_tell() {
            return; // no /proc: nothing is ever proven dead (checked below)
        }
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(provably_dead(&format!("{}:{pid}:1:abcdef", host_name())));
        // Our own pid with another start time: the pid was reused, the owner is gone.
        let reused = format!("{}:{}:1:abcdef", host_name(), std::process::id());
        assert!(provably_dead(&reused));
    }

    #[test]
    fn nothing_is_proven_about_other_hosts_or_other_names() {
        assert!(!provably_dead("dead"));
        assert!(!provably_dead("worker-1"));
        assert!(!provably_dead("host:notapid:1:abc"));
        let elsewhere = format!("not-{}:999999999:1:abcdef", host_name());
        assert!(!provably_dead(&elsewhere));
        // An unknown start time proves nothing while the pid runs.
        let unknown = format!("{}:{}:-:abcdef", host_name(), std::process::id());
        assert!(!provably_dead(&unknown));
    }
}
