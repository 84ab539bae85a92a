//! Fault injection, per route: latency, a share of 5xx or 429 answers, a share of the
//! provider's own business refusals (Laaffic `-2`, `-13`, `-18`; longlonglong `6007`;
//! ESP-AI `500`), connections dropped before handling, and operations applied whose answer
//! is then dropped.
//!
//! A request's route is the one whose method and path template are those axum matched
//! (its [`MatchedPath`]), looked up in the providers' own lists of routes: no second list
//! of routes exists.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use serde_json::json;

use crate::envelope::{Provider, http_refusal};
use crate::route::Route;
use crate::server::Hangup;
use crate::state::Shared;

/// What to do to the requests of one route (or of every route, under the name `"*"`).
///
/// Shares are probabilities in `0.0..=1.0`, drawn from the sandbox's seeded generator, so
/// a run is reproducible. For each request, in order: wait `latency`; with
/// `drop_before_share` close the connection without handling; else with `error_share`
/// answer `error_status` (with `Retry-After` if set) without handling; else with
/// `code_share` answer the business refusal `code` (HTTP 200, in the provider's envelope)
/// without handling; else handle it, and then with `drop_after_share` close the
/// connection instead of answering — the operation **was applied** but the client never
/// learns it.
///
/// ```
/// use voxkit_sandbox::Fault;
/// // Every second recharge is applied and its answer lost.
/// let fault = Fault::default().drop_after(0.5);
/// // The next 2 requests get a 503 with Retry-After: 1.
/// let fault = Fault::default().error(1.0, 503).retry_after(1).times(2);
/// // Laaffic refuses every request with -13 用户被锁定 (set on a Laaffic route).
/// let fault = Fault::default().code(1.0, "-13");
/// # let _ = fault;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Added before anything else.
    pub latency: Duration,
    /// Share of requests whose connection is closed before they are handled.
    pub drop_before_share: f64,
    /// Share of requests answered with `error_status` without being handled.
    pub error_share: f64,
    /// The status of those answers (default 503).
    pub error_status: u16,
    /// The `Retry-After` seconds sent with them, if any.
    pub retry_after: Option<u64>,
    /// Share of requests answered with the business refusal `code` without being handled.
    pub code_share: f64,
    /// The provider's business code of those answers (see [`Fault::code`]).
    pub code: Option<String>,
    /// Share of requests handled (applied) whose answer is then dropped.
    pub drop_after_share: f64,
    /// Apply the fault to this many more requests only (`None`: to all).
    pub remaining: Option<u64>,
}

impl Default for Fault {
    fn default() -> Self {
        Fault {
            latency: Duration::ZERO,
            drop_before_share: 0.0,
            error_share: 0.0,
            error_status: 503,
            retry_after: None,
            code_share: 0.0,
            code: None,
            drop_after_share: 0.0,
            remaining: None,
        }
    }
}

impl Fault {
    /// Adds `latency` before each request.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Closes the connection of this share of requests before handling them.
    pub fn drop_before(mut self, share: f64) -> Self {
        self.drop_before_share = share;
        self
    }

    /// Answers this share of requests with `status` (5xx or 429) without handling them.
    pub fn error(mut self, share: f64, status: u16) -> Self {
        self.error_share = share;
        self.error_status = status;
        self
    }

    /// Sends `Retry-After: seconds` with the error answers.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Answers this share of requests with the provider's business refusal `code`, as the
    /// provider sends it (HTTP 200, its envelope and documented message), without
    /// handling them. The codes a route's provider documents as refusals that can befall
    /// any request: Laaffic `-2` Ip访问受限, `-13` 用户被锁定, `-18` 端口程序异常;
    /// longlonglong `6007` (2.0任务启动中,请先停止任务); ESP-AI `500` (系统错误). Set on
    /// a route of that provider (not `"*"`, whose routes belong to three providers).
    pub fn code(mut self, share: f64, code: &str) -> Self {
        self.code_share = share;
        self.code = Some(code.to_owned());
        self
    }

    /// Handles this share of requests and then drops their answer.
    pub fn drop_after(mut self, share: f64) -> Self {
        self.drop_after_share = share;
        self
    }

    /// Limits the fault to the next `n` requests.
    pub fn times(mut self, n: u64) -> Self {
        self.remaining = Some(n);
        self
    }

    /// Checks the shares and the status.
    pub(crate) fn validate(&self) -> Result<(), String> {
        for (name, share) in [
            ("drop-before share", self.drop_before_share),
            ("error share", self.error_share),
            ("code share", self.code_share),
            ("drop-after share", self.drop_after_share),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return Err(format!("{name} {share} is not between 0 and 1"));
            }
        }
        if self.drop_before_share + self.error_share + self.code_share > 1.0 {
            return Err("drop-before, error and code shares add up to more than 1".into());
        }
        if self.code_share > 0.0 && self.code.is_none() {
            return Err("a code share without a code".into());
        }
        if !(self.error_status == 429 || (500..=599).contains(&self.error_status)) {
            return Err(format!(
                "error status {} is not 429 or 5xx",
                self.error_status
            ));
        }
        Ok(())
    }

    /// Checks the business code against the route it is set on.
    pub(crate) fn validate_for(&self, route: &str) -> Result<(), String> {
        self.validate()?;
        let Some(code) = &self.code else {
            return Ok(());
        };
        let Some(provider) = Provider::of_route(route) else {
            return Err(format!(
                "business code {code} needs a route of one provider, not {route:?}"
            ));
        };
        if business_refusal(provider, code, "").is_none() {
            return Err(format!(
                "{code} is not a business code the sandbox injects on {route}; \
                 known: laaffic -2, -13, -18; longlonglong 6007; espai 500"
            ));
        }
        Ok(())
    }
}

/// The answer of an injected business refusal on the route at `path` (HTTP 200, the
/// provider's envelope), if `code` is one the sandbox injects for `provider`.
fn business_refusal(provider: Provider, code: &str, path: &str) -> Option<Response> {
    match (provider, code) {
        (Provider::Laaffic, "-2") => Some(crate::laaffic::refusal(path, "-2")),
        (Provider::Laaffic, "-13") => Some(crate::laaffic::refusal(path, "-13")),
        (Provider::Laaffic, "-18") => Some(crate::laaffic::refusal(path, "-18")),
        (Provider::Longlonglong, "6007") => Some(
            axum::Json(json!({
                "code": 6007, "status": "error", "message": "2.0任务启动中,请先停止任务", "data": [],
            }))
            .into_response(),
        ),
        (Provider::Espai, "500") => Some(
            axum::Json(json!({"success": false, "message": "系统错误：sandbox fault", "code": 500}))
                .into_response(),
        ),
        _ => None,
    }
}

/// What the fault layer decided for one request.
#[derive(Debug, Clone, PartialEq)]
enum Plan {
    Handle {
        drop_after: bool,
    },
    DropBefore,
    Error {
        status: u16,
        retry_after: Option<u64>,
    },
    Code(Option<String>),
}

/// The faults set, by route name (`"*"` for every route), and what they did.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    by_route: HashMap<&'static str, Fault>,
    /// How many requests were applied and then had their answer dropped.
    pub dropped_after_applying: u64,
}

impl Faults {
    /// Sets the fault of a route name (or `"*"`), replacing any.
    pub(crate) fn set(&mut self, route: &'static str, fault: Fault) {
        self.by_route.insert(route, fault);
    }

    /// Removes every fault.
    pub(crate) fn clear(&mut self) {
        self.by_route.clear();
    }

    /// The plan for one request to `route` (`None`: no known route), from two draws of
    /// the generator; a route's own fault wins over `"*"`, and a fault limited in number
    /// counts the request.
    fn plan(&mut self, route: Option<&str>, draw: f64, second: f64) -> (Duration, Plan) {
        let own = route
            .and_then(|n| self.by_route.get_mut(n))
            .filter(|f| f.remaining != Some(0));
        let fault = match own {
            Some(f) => Some(f),
            None => self
                .by_route
                .get_mut("*")
                .filter(|f| f.remaining != Some(0)),
        };
        let Some(fault) = fault else {
            return (Duration::ZERO, Plan::Handle { drop_after: false });
        };
        if let Some(n) = fault.remaining.as_mut() {
            *n -= 1;
        }
        let plan = if draw < fault.drop_before_share {
            Plan::DropBefore
        } else if draw < fault.drop_before_share + fault.error_share {
            Plan::Error {
                status: fault.error_status,
                retry_after: fault.retry_after,
            }
        } else if draw < fault.drop_before_share + fault.error_share + fault.code_share {
            Plan::Code(fault.code.clone())
        } else {
            Plan::Handle {
                drop_after: second < fault.drop_after_share,
            }
        };
        (fault.latency, plan)
    }
}

/// The faults, shared by the fault layer and the [`Sandbox`](crate::Sandbox).
#[derive(Clone, Default)]
pub(crate) struct FaultTable(Arc<Mutex<Faults>>);

impl FaultTable {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Faults> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What the fault layer needs: the faults, the generator (in the shared state) and the
/// routes, to name a request's route.
#[derive(Clone)]
pub(crate) struct Injector {
    pub faults: FaultTable,
    pub shared: Shared,
    pub routes: &'static [Route],
}

impl Injector {
    /// The name of the route with this method and matched template.
    fn route_name(&self, request: &Request) -> Option<&'static str> {
        let template = request.extensions().get::<MatchedPath>()?.as_str();
        let method = request.method().as_str();
        self.routes
            .iter()
            .find(|r| r.method == method && r.template == template)
            .map(|r| r.name)
    }
}

/// The fault layer: decides, waits, then drops, fails or runs the handler.
pub(crate) async fn layer(
    State(injector): State<Injector>,
    request: Request,
    next: Next,
) -> Response {
    let name = injector.route_name(&request);
    // Two draws for every request, faulted or not, so that the generated ids that follow
    // do not depend on which faults are set.
    let (draw, second) = {
        let mut state = injector.shared.lock();
        (state.rng.f64(), state.rng.f64())
    };
    let (latency, plan) = injector.faults.lock().plan(name, draw, second);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let hangup = request.extensions().get::<Hangup>().cloned();
    match plan {
        Plan::DropBefore => {
            tracing::debug!(
                route = name,
                "fault: dropping the connection before handling"
            );
            hang_up(hangup).await
        }
        Plan::Error {
            status,
            retry_after,
        } => {
            tracing::debug!(route = name, status, "fault: error answer");
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let path = request.uri().path().to_owned();
            let mut response = http_refusal(&path, status, "sandbox fault");
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Plan::Code(code) => {
            tracing::debug!(route = name, code, "fault: business refusal");
            let path = request.uri().path().to_owned();
            let provider = name.and_then(Provider::of_route);
            match provider
                .zip(code)
                .and_then(|(p, c)| business_refusal(p, &c, &path))
            {
                Some(answer) => answer,
                // Validated when set: unreachable, but a 503 is the safe answer.
                None => http_refusal(&path, StatusCode::SERVICE_UNAVAILABLE, "sandbox fault"),
            }
        }
        Plan::Handle { drop_after } => {
            let response = next.run(request).await;
            if drop_after {
                tracing::debug!(route = name, "fault: applied, dropping the answer");
                injector.faults.lock().dropped_after_applying += 1;
                return hang_up(hangup).await;
            }
            response
        }
    }
}
/// Closes the connection and never answers.
async fn hang_up(hangup: Option<Hangup>) -> Response {
    match hangup {
        Some(h) => {
            h.now();
            std::future::pending().await
        }
        // Served by something other than our accept loop (no hang-up handle): the best
        // available approximation is a bare 502.
        None => StatusCode::BAD_GATEWAY.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(Fault::default().validate().is_ok());
        assert!(Fault::default().error(1.0, 429).validate().is_ok());
        assert!(Fault::default().error(1.0, 404).validate().is_err());
        assert!(Fault::default().drop_after(1.5).validate().is_err());
        assert!(
            Fault::default()
                .drop_before(0.6)
                .error(0.6, 503)
                .validate()
                .is_err()
        );
    }

    #[test]
    fn a_routes_own_fault_wins_over_the_wildcard_until_it_is_used_up() {
        let mut faults = Faults::default();
        faults.set("*", Fault::default().error(1.0, 503));
        faults.set("a", Fault::default().drop_before(1.0).times(1));
        assert_eq!(faults.plan(Some("a"), 0.5, 0.5).1, Plan::DropBefore);
        let error = Plan::Error {
            status: 503,
            retry_after: None,
        };
        assert_eq!(faults.plan(Some("a"), 0.5, 0.5).1, error, "used up");
        assert_eq!(
            faults.plan(None, 0.5, 0.5).1,
            error,
            "no route: the wildcard"
        );
        faults.clear();
        let handle = Plan::Handle { drop_after: false };
        assert_eq!(faults.plan(Some("a"), 0.5, 0.5).1, handle);
    }
}
