//! Traces on stderr when `RUST_LOG` asks for them.
//!
//! `RUST_LOG` takes the `target=level` list of [`tracing_subscriber::filter::Targets`]
//! (`debug`, `voxkit_core=trace,info`, ...). The SDK's spans and events carry the provider,
//! operation, attempt, status and timing, never a credential.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Installs the subscriber if `RUST_LOG` is set and not empty, or with `verbose`
/// (`--verbose`: the SDK's request traces, `voxkit_core=debug`). An unreadable `RUST_LOG`
/// is reported on stderr and otherwise ignored.
pub fn init(verbose: bool) {
    let spec = match std::env::var("RUST_LOG") {
        Ok(spec) => spec,
        Err(_) if verbose => "voxkit_core=debug".to_owned(),
        Err(_) => return,
    };
    match parse(&spec) {
        Ok(None) => {}
        Ok(Some(targets)) => {
            // The builder's own filter defaults to INFO; `targets` does the filtering.
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(std::io::stderr)
                .finish()
                .with(targets);
            // Only fails if a subscriber is already set, which nothing else does.
            let _ = subscriber.try_init();
        }
        Err(e) => crate::render::write_stderr(&format!(
            "voxkit: warning: ignoring RUST_LOG ({e}); expected e.g. RUST_LOG=debug or \
             RUST_LOG=voxkit_core=trace"
        )),
    }
}

/// The filter of a `RUST_LOG` value; `None` when it is blank.
fn parse(spec: &str) -> Result<Option<Targets>, String> {
    if spec.trim().is_empty() {
        return Ok(None);
    }
    spec.trim()
        .parse::<Targets>()
        .map(Some)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn rust_log_values() {
        assert!(parse("").unwrap().is_none());
        assert!(parse("  ").unwrap().is_none());
        let all = parse("trace").unwrap().unwrap();
        assert!(all.would_enable("voxkit_core::client", &Level::TRACE));
        let some = parse("voxkit_core=debug").unwrap().unwrap();
        assert!(some.would_enable("voxkit_core::client", &Level::DEBUG));
        assert!(!some.would_enable("hyper", &Level::DEBUG));
        assert!(parse("voxkit_core=loud").is_err());
    }
}
