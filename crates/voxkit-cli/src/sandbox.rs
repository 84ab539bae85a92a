//! `voxkit sandbox`: serves the simulator of all three providers until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use voxkit_sandbox::{
    ESPAI_OPEN_API_KEY, Fault, LAAFFIC_API_KEY, LAAFFIC_API_SECRET, LONGLONGLONG_DIALOGUE_TOKEN,
    LONGLONGLONG_TOKEN, ROUTES, Sandbox, StateFileError,
};

use crate::context::Format;
use crate::context::Global;
use crate::failure::CliError;
use crate::render::out;

/// The route names, for `voxkit sandbox --help`.
fn routes_help() -> String {
    let mut help = String::from(
        "Prints `export ...` lines for the SDK and the CLI, then the seeded ids and card codes \
         as `# ...` comments, then serves until Ctrl-C. The whole output can be `eval`ed.\n\n\
         Fault routes (--fault-route), or * for every route:\n",
    );
    for route in ROUTES {
        help.push_str(&format!(
            "  {:<34} {} {}\n",
            route.name, route.method, route.template
        ));
    }
    help
}

/// The arguments of `voxkit sandbox`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = routes_help(),
    group = clap::ArgGroup::new("fault").multiple(true)
)]
pub struct Args {
    /// The address to listen on (port 0: any free port; the printed URL has the real one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    addr: SocketAddr,

    /// The base URL clients reach the sandbox at, printed instead of the listening
    /// address: e.g. `http://localhost:8787` when it listens on `0.0.0.0:8787` in a
    /// container. Default: the listening address, with 127.0.0.1 for 0.0.0.0.
    #[arg(
        long,
        value_name = "URL",
        env = "VOXKIT_SANDBOX_PUBLIC_URL",
        value_parser = parse_public_url
    )]
    public_url: Option<String>,

    /// The route the fault options apply to (see below), or `*` for every route.
    #[arg(long, value_name = "ROUTE", default_value = "*")]
    fault_route: String,

    /// Wait this many milliseconds before handling each request.
    #[arg(long, value_name = "MS", group = "fault")]
    latency_ms: Option<u64>,

    /// Share (0 to 1) of requests whose connection is closed before they are handled.
    #[arg(long, value_name = "SHARE", group = "fault")]
    drop_before_share: Option<f64>,

    /// Share (0 to 1) of requests answered with --error-status without being handled.
    #[arg(long, value_name = "SHARE", group = "fault")]
    error_share: Option<f64>,

    /// The status of those answers: 429 or 5xx (default 503).
    #[arg(long, value_name = "STATUS", requires = "error_share")]
    error_status: Option<u16>,

    /// The `Retry-After` seconds sent with those answers.
    #[arg(long, value_name = "SECS", requires = "error_share")]
    retry_after: Option<u64>,

    /// Share (0 to 1) of requests handled (applied!) whose answer is then dropped.
    #[arg(long, value_name = "SHARE", group = "fault")]
    drop_after_share: Option<f64>,

    /// Apply the fault to the next N requests only.
    #[arg(long, value_name = "N", requires = "fault")]
    fault_times: Option<u64>,

    /// Answer a share of ROUTE's requests with the provider's business refusal CODE
    /// (HTTP 200, its envelope), without handling them: laaffic -2, -13, -18;
    /// longlonglong 6007; espai 500. SHARE defaults to 1. Repeatable, one per route.
    #[arg(long, value_name = "ROUTE=CODE[:SHARE]", value_parser = parse_fault_code, allow_hyphen_values = true)]
    fault_code: Vec<(String, String, f64)>,

    /// The seed of the generator behind fault shares and generated ids.
    #[arg(long, value_name = "N")]
    rng_seed: Option<u64>,

    /// Keep the state in FILE across restarts (a shared stand-in for a team): read at
    /// start (a missing file starts from the seed), rewritten after each change before
    /// its answer is sent. Without it, the state lives in memory only.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,

    /// Push a Laaffic call report to this http:// URL as each call completes (e.g. the URL
    /// `voxkit laaffic reports listen` prints), retrying as Laaffic would.
    #[arg(long, value_name = "URL")]
    laaffic_report_url: Option<String>,

    /// Push longlonglong's callbacks to this http:// URL (e.g. the URL `voxkit longlonglong
    /// callbacks listen` prints).
    #[arg(long, value_name = "URL")]
    longlonglong_callback_url: Option<String>,

    /// Share (0 to 1) of pushes whose first acknowledgement is "lost", so that they are
    /// delivered twice (to test a receiver's de-duplication).
    #[arg(long, value_name = "SHARE")]
    push_duplicate_share: Option<f64>,
}

impl Args {
    /// The fault the options describe, if any.
    fn fault(&self) -> Option<Fault> {
        let any = self.latency_ms.is_some()
            || self.drop_before_share.is_some()
            || self.error_share.is_some()
            || self.drop_after_share.is_some();
        if !any {
            return None;
        }
        let mut fault = Fault::default();
        if let Some(ms) = self.latency_ms {
            fault = fault.latency(Duration::from_millis(ms));
        }
        if let Some(share) = self.drop_before_share {
            fault = fault.drop_before(share);
        }
        if let Some(share) = self.error_share {
            fault = fault.error(share, self.error_status.unwrap_or(503));
        }
        if let Some(secs) = self.retry_after {
            fault = fault.retry_after(secs);
        }
        if let Some(share) = self.drop_after_share {
            fault = fault.drop_after(share);
        }
        if let Some(n) = self.fault_times {
            fault = fault.times(n);
        }
        Some(fault)
    }
}

/// Parses `--fault-code ROUTE=CODE[:SHARE]` (the code may be negative: `laaffic.balance=-13`).
fn parse_fault_code(text: &str) -> Result<(String, String, f64), String> {
    let (route, rest) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not ROUTE=CODE[:SHARE]"))?;
    let (code, share) = match rest.split_once(':') {
        Some((code, share)) => (
            code,
            share
                .trim()
                .parse::<f64>()
                .map_err(|_| format!("{share:?} is not a share between 0 and 1"))?,
        ),
        None => (rest, 1.0),
    };
    if route.trim().is_empty() || code.trim().is_empty() {
        return Err(format!("{text:?} is not ROUTE=CODE[:SHARE]"));
    }
    Ok((route.trim().to_owned(), code.trim().to_owned(), share))
}

/// Parses `--public-url`: an `http://` or `https://` URL with a host and nothing after the
/// port (the SDK takes a scheme and host as its base URL), without its trailing slash.
fn parse_public_url(text: &str) -> Result<String, String> {
    let url = text.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("{text:?} is not an http:// or https:// URL"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(format!(
            "{text:?} must be a scheme, a host and an optional port (e.g. http://localhost:8787)"
        ));
    }
    Ok(url.to_owned())
}

/// The base URL to print: `--public-url` when given; otherwise the listening address, with
/// the loopback address in place of an unspecified one (`0.0.0.0` or `::` accept
/// connections but are no address to connect to).
pub(crate) fn printed_url(listening: SocketAddr, public: Option<&str>) -> String {
    if let Some(public) = public {
        return public.to_owned();
    }
    let mut addr = listening;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("http://{addr}")
}

/// A fault in words, for the `# fault` line.
fn describe(fault: &Fault) -> String {
    let mut parts = Vec::new();
    if !fault.latency.is_zero() {
        parts.push(format!("latency {} ms", fault.latency.as_millis()));
    }
    if fault.drop_before_share > 0.0 {
        parts.push(format!("drop before {}", fault.drop_before_share));
    }
    if fault.error_share > 0.0 {
        let mut error = format!("HTTP {} for {}", fault.error_status, fault.error_share);
        if let Some(secs) = fault.retry_after {
            error.push_str(&format!(" (Retry-After {secs})"));
        }
        parts.push(error);
    }
    if fault.drop_after_share > 0.0 {
        parts.push(format!(
            "apply then drop the answer for {}",
            fault.drop_after_share
        ));
    }
    if let Some(n) = fault.remaining {
        parts.push(format!("next {n} requests only"));
    }
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Registers for Ctrl-C (and, on Unix, SIGTERM) now, and returns the future that ends
/// when one arrives.
#[cfg(unix)]
pub(crate) fn stop_signals() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Registers for Ctrl-C and returns the future that ends when it arrives.
#[cfg(not(unix))]
pub(crate) fn stop_signals() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Starts the sandbox, prints how to use it, serves until Ctrl-C.
pub async fn run(args: Args, global: &Global) -> Result<(), CliError> {
    if args.fault_route != "*" && !ROUTES.iter().any(|r| r.name == args.fault_route) {
        return Err(CliError::invalid(format!(
            "--fault-route {:?} is not a route; see `voxkit sandbox --help` for the names",
            args.fault_route
        )));
    }
    let mut builder = Sandbox::builder().addr(args.addr).worker_threads(2);
    if let Some(public) = &args.public_url {
        builder = builder.public_url(public.clone());
    }
    if let Some(seed) = args.rng_seed {
        builder = builder.rng_seed(seed);
    }
    if let Some(url) = &args.laaffic_report_url {
        builder = builder.laaffic_report_url(url);
    }
    if let Some(url) = &args.longlonglong_callback_url {
        builder = builder.longlonglong_callback_url(url);
    }
    if let Some(share) = args.push_duplicate_share {
        builder = builder.push_duplicate_share(share);
    }
    if let Some(path) = &args.state {
        builder = builder.state_file(path);
    }
    let sandbox = builder.start().await.map_err(|e| {
        if let Some(state) = e.get_ref().and_then(|e| e.downcast_ref::<StateFileError>()) {
            // Unreadable, corrupt or unwritable: the user's file to fix (exit 2).
            return CliError::invalid(state.to_string())
                .hint("move the file away to start from the seed, or give another --state FILE");
        }
        if e.kind() == std::io::ErrorKind::InvalidInput {
            // A push option (URL or share) refused before anything was served.
            return CliError::invalid(e.to_string());
        }
        CliError::invalid(format!("could not listen on {}: {e}", args.addr))
            .hint("choose another --addr, e.g. 127.0.0.1:0 for any free port")
    })?;
    // Listen for Ctrl-C before printing: a signal sent as soon as the lines appear is
    // then not missed.
    let stop = stop_signals()
        .map_err(|e| CliError::local("signal", format!("cannot wait for Ctrl-C: {e}")))?;
    let fault = args.fault();
    if let Some(fault) = &fault {
        sandbox
            .try_set_fault(&args.fault_route, fault.clone())
            .map_err(|e| CliError::invalid(format!("invalid fault: {e}")))?;
    }
    for (route, code, share) in &args.fault_code {
        sandbox
            .try_set_fault(route, Fault::default().code(*share, code))
            .map_err(|e| CliError::invalid(format!("invalid --fault-code {route}={code}: {e}")))?;
    }
    let seed = sandbox.seed();
    let url = printed_url(sandbox.addr(), args.public_url.as_deref());
    match global.output {
        Format::Json => out!(
            "{}",
            json!({
                "url": url,
                "env": {
                    "LONGLONGLONG_TOKEN": LONGLONGLONG_TOKEN,
                    "LONGLONGLONG_BASE_URL": url,
                    "LONGLONGLONG_DIALOGUE_TOKEN": LONGLONGLONG_DIALOGUE_TOKEN,
                    "LONGLONGLONG_DIALOGUE_BASE_URL": url,
                    "LAAFFIC_API_KEY": LAAFFIC_API_KEY,
                    "LAAFFIC_API_SECRET": LAAFFIC_API_SECRET,
                    "LAAFFIC_BASE_URL": url,
                    "ESPAI_OPEN_API_KEY": ESPAI_OPEN_API_KEY,
                    "ESPAI_BASE_URL": url,
                },
                "seed": {
                    "longlonglong_user": seed.longlonglong_user,
                    "longlonglong_user_without_billing": seed.longlonglong_user_without_billing,
                    "espai_phone": seed.espai_phone,
                    "espai_paid_codes": seed.espai_paid_codes,
                    "espai_free_code": seed.espai_free_code,
                    "espai_empty_card_id": seed.espai_empty_card_id,
                    "laaffic_voice_file": seed.laaffic_voice_file,
                    "laaffic_task": seed.laaffic_task,
                    "laaffic_scheduled_task": seed.laaffic_scheduled_task,
                    "laaffic_voice_id": seed.laaffic_voice_id,
                },
                "fault": fault.as_ref().map(|_| args.fault_route.as_str()),
                "state_file": args.state.as_ref().map(|p| p.display().to_string()),
            })
        ),
        Format::Text => {
            // The sandbox's own lines, with the URL clients should use.
            let env_lines = sandbox.env_lines().replace(&sandbox.url(), &url);
            out!("{}", env_lines.trim_end());
            out!(
                "# longlonglong user (billing, balance 1000): {}",
                seed.longlonglong_user
            );
            out!(
                "# longlonglong user without billing (recharge refused with 10004): {}",
                seed.longlonglong_user_without_billing
            );
            out!("# espai phone: {}", seed.espai_phone);
            out!("# espai paid cards: {}", seed.espai_paid_codes.join(" "));
            out!(
                "# espai free card (cannot transfer): {}",
                seed.espai_free_code
            );
            out!(
                "# espai empty paid card id (can be destroyed): {}",
                seed.espai_empty_card_id
            );
            out!("# laaffic voice file: {}", seed.laaffic_voice_file);
            out!(
                "# laaffic finished task (read, resend): {}",
                seed.laaffic_task
            );
            out!(
                "# laaffic task scheduled a year ahead (pause, cancel): {}",
                seed.laaffic_scheduled_task
            );
            out!("# laaffic call record voiceId: {}", seed.laaffic_voice_id);
            if let Some(fault) = &fault {
                out!("# fault on {}: {}", args.fault_route, describe(fault));
            }
            for (route, code, share) in &args.fault_code {
                out!("# fault on {route}: business code {code} for {share}");
            }
            if args.laaffic_report_url.is_some() {
                out!("# pushing Laaffic call reports as calls complete");
            }
            if args.longlonglong_callback_url.is_some() {
                out!("# pushing longlonglong callbacks");
            }
            if let Some(path) = &args.state {
                out!("# state kept in {}", path.display());
            }
            if url == sandbox.url() {
                out!("# serving {url}; press Ctrl-C to stop");
            } else {
                out!(
                    "# serving {url} (listening on {}); press Ctrl-C to stop",
                    sandbox.addr()
                );
            }
        }
    }
    stop.await;
    drop(sandbox);
    if global.output == Format::Text {
        crate::render::write_stderr("voxkit: sandbox stopped");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn args(extra: &[&str]) -> Result<Args, clap::Error> {
        let mut argv = vec!["voxkit", "sandbox"];
        argv.extend(extra);
        Cli::try_parse_from(argv).map(|cli| match cli.command {
            Command::Sandbox(args) => args,
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn no_fault_by_default() {
        let a = args(&[]).unwrap();
        assert_eq!(a.addr, "127.0.0.1:8787".parse().unwrap());
        assert_eq!(a.fault(), None);
    }

    #[test]
    fn fault_options_build_one_fault() {
        let a = args(&[
            "--fault-route",
            "longlonglong.recharge",
            "--latency-ms",
            "5",
            "--error-share",
            "0.5",
            "--error-status",
            "502",
            "--retry-after",
            "1",
            "--drop-after-share",
            "0.25",
            "--fault-times",
            "3",
        ])
        .unwrap();
        let expected = Fault::default()
            .latency(Duration::from_millis(5))
            .error(0.5, 502)
            .retry_after(1)
            .drop_after(0.25)
            .times(3);
        assert_eq!(a.fault(), Some(expected));
        assert_eq!(
            args(&["--error-share", "1"]).unwrap().fault(),
            Some(Fault::default().error(1.0, 503))
        );
    }

    #[test]
    fn options_that_mean_nothing_alone_are_refused() {
        assert!(args(&["--retry-after", "1"]).is_err());
        assert!(args(&["--error-status", "500"]).is_err());
        assert!(args(&["--fault-times", "1"]).is_err());
        assert!(args(&["--addr", "nowhere"]).is_err());
    }

    #[test]
    fn public_urls_are_a_scheme_and_a_host() {
        assert_eq!(
            parse_public_url("http://localhost:8787/").as_deref(),
            Ok("http://localhost:8787")
        );
        assert_eq!(
            parse_public_url("https://sandbox.internal").as_deref(),
            Ok("https://sandbox.internal")
        );
        for bad in [
            "localhost:8787",
            "ftp://x",
            "http://",
            "http://x/v3",
            "http://x?y",
            "http://user:pw@x",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad:?}");
        }
        let a = args(&[
            "--addr",
            "0.0.0.0:8787",
            "--public-url",
            "http://localhost:9000",
        ])
        .unwrap();
        assert_eq!(a.public_url.as_deref(), Some("http://localhost:9000"));
        assert!(args(&["--public-url", "localhost"]).is_err());
    }

    #[test]
    fn the_printed_url_is_one_clients_can_connect_to() {
        let any: SocketAddr = "0.0.0.0:8787".parse().unwrap();
        assert_eq!(printed_url(any, None), "http://127.0.0.1:8787");
        assert_eq!(
            printed_url("[::]:8787".parse().unwrap(), None),
            "http://[::1]:8787"
        );
        assert_eq!(
            printed_url("127.0.0.1:1234".parse().unwrap(), None),
            "http://127.0.0.1:1234"
        );
        assert_eq!(
            printed_url(any, Some("http://localhost:9000")),
            "http://localhost:9000"
        );
    }

    #[test]
    fn fault_codes_are_route_code_and_share() {
        let a = args(&[
            "--fault-code",
            "laaffic.balance=-13",
            "--fault-code",
            "espai.transfer=500:0.25",
        ])
        .unwrap();
        assert_eq!(
            a.fault_code,
            [
                ("laaffic.balance".into(), "-13".into(), 1.0),
                ("espai.transfer".into(), "500".into(), 0.25)
            ]
        );
        assert!(args(&["--fault-code", "laaffic.balance"]).is_err());
        assert!(args(&["--fault-code", "=-13"]).is_err());
        assert!(args(&["--fault-code", "laaffic.balance=-13:lots"]).is_err());
    }

    #[test]
    fn help_lists_the_routes() {
        let help = routes_help();
        for route in ROUTES {
            assert!(help.contains(route.name), "{}", route.name);
        }
    }
}
