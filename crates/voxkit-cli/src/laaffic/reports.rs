//! `voxkit laaffic reports listen`: receives the voice status reports Laaffic pushes (the
//! SDK's receiver, `voxkit_laaffic::webhooks`) and prints each, for operators checking a
//! deployment and for trying the sandbox's pushes. Also the listener loop that
//! `voxkit longlonglong callbacks listen` shares ([`listen`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use clap::{Args, Subcommand};
use serde_json::{Value, json};
use voxkit_core::webhook::{Push, Receiver};
use voxkit_laaffic::VoiceReport;
use voxkit_laaffic::webhooks;

use crate::context::{Format, Global};
use crate::failure::CliError;
use crate::render::{Report, write_stdout};

/// `voxkit laaffic reports <command>`.
#[derive(Debug, Subcommand)]
pub enum ReportsCommand {
    /// Receive the pushed call reports (语音状态报告推送): print the URL to give Laaffic
    /// (or `voxkit sandbox --laaffic-report-url`), then each report as it arrives, until
    /// Ctrl-C.
    Listen(ListenArgs),
}

/// The arguments of a push listener.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The address to listen on (port 0: any free port; the printed URL has the real one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8788")]
    addr: SocketAddr,

    /// A secret the pushes must carry as the URL's last path segment (printed in the URL);
    /// pushes without it are refused with 401.
    #[arg(
        long,
        value_name = "T",
        env = "VOXKIT_WEBHOOK_TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
}

/// `reports listen`.
pub async fn run(command: ReportsCommand, global: &Global) -> Result<Report, CliError> {
    match command {
        ReportsCommand::Listen(args) => {
            listen(args, global, "laaffic/report", |print| {
                webhooks::voice_reports(move |report: VoiceReport| {
                    print(report_json(&report), report_text(&report));
                    async { Ok::<(), webhooks::BoxError>(()) }
                })
            })
            .await
        }
    }
}

/// A report as one JSON object: the fields an operator looks at.
fn report_json(r: &VoiceReport) -> Value {
    json!({
        "voiceId": r.voice_id,
        "type": r.report_type.map(|t| t.code()),
        "taskId": r.task_id,
        "callee": r.callee,
        "displayNum": r.display_num,
        "submitTime": r.submit_time.map(|t| t.to_rfc3339()),
        "hangupTime": r.hangup_time.map(|t| t.to_rfc3339()),
        "callDuration": r.call_duration,
        "chargedDuration": r.charged_duration,
        "terminationCode": r.termination_code,
        "terminationReason": r.termination_reason,
        "sipCode": r.sip_code,
        "cost": r.cost.map(|c| c.to_string()),
        "currency": r.currency,
        "callStatus": r.call_status.map(|s| s.code()),
    })
}

/// A report as one line of text.
fn report_text(r: &VoiceReport) -> String {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    format!(
        "report {} task {} callee {} code {} ({}) {}s cost {} {}",
        r.voice_id,
        or_dash(r.task_id.map(|t| t.to_string())),
        or_dash(r.callee.clone()),
        or_dash(r.termination_code.clone()),
        or_dash(r.termination_reason.clone()),
        or_dash(r.call_duration.map(|d| d.to_string())),
        or_dash(r.cost.map(|c| c.to_string())),
        r.currency.as_deref().unwrap_or("")
    )
    .trim_end()
    .to_owned()
}

/// Prints one received push: its JSON object or its line of text.
pub(crate) type Printer = Arc<dyn Fn(Value, String) + Send + Sync>;

/// Binds `args.addr`, prints the callback URL (`http://<addr>/<path>[/<token>]`, on its own
/// line), serves the receiver `make` builds around a printer until Ctrl-C, and reports how
/// many pushes were printed.
pub(crate) async fn listen<P: Push>(
    args: ListenArgs,
    global: &Global,
    path: &str,
    make: impl FnOnce(Printer) -> Receiver<P>,
) -> Result<Report, CliError> {
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| {
            CliError::invalid(format!("could not listen on {}: {e}", args.addr))
                .hint("choose another --addr, e.g. 127.0.0.1:0 for any free port")
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::local("listen", e.to_string()))?;
    let stop = crate::sandbox::stop_signals()
        .map_err(|e| CliError::local("signal", format!("cannot wait for Ctrl-C: {e}")))?;
    let count = Arc::new(AtomicU64::new(0));
    let counted = count.clone();
    let format = global.output;
    let print: Printer = Arc::new(move |json: Value, text: String| {
        counted.fetch_add(1, Ordering::Relaxed);
        match format {
            Format::Json => write_stdout(&json.to_string()),
            Format::Text => write_stdout(&text),
        }
    });
    let mut receiver = make(print);
    if let Some(token) = &args.token {
        if token.is_empty() || token.contains(['/', '?', '#', '&', ' ', '%']) {
            return Err(CliError::invalid(
                "--token must be non-empty and free of / ? # & % and spaces",
            ));
        }
        receiver = receiver.token(token.clone());
    }
    let base = crate::sandbox::printed_url(addr, None);
    // The one place the token is shown: it is part of the URL to configure.
    match &args.token {
        Some(token) => write_stdout(&format!("{base}/{path}/{token}")),
        None => write_stdout(&format!("{base}/{path}")),
    }
    let app = receiver.router();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop)
    .await
    .map_err(|e| CliError::local("listen", e.to_string()))?;
    let received = count.load(Ordering::Relaxed);
    Ok(Report::new(
        json!({"stopped": true, "received": received}),
        format!("# stopped after {received} pushes"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_prints_on_one_line_and_as_json() {
        let r = &VoiceReport::decode(
            br#"{"voiceId":"v1","taskId":5,"callee":"8613500000000","terminationCode":"0",
                "terminationReason":"success","callDuration":12,"cost":"0.02","currency":"EUR"}"#,
        )
        .unwrap()[0];
        assert_eq!(
            report_text(r),
            "report v1 task 5 callee 8613500000000 code 0 (success) 12s cost 0.02 EUR"
        );
        let json = report_json(r);
        assert_eq!(json["voiceId"], "v1");
        assert_eq!(json["cost"], "0.02");
    }
}
