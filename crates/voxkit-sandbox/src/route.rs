//! A simulated route as data: its name (what faults are set under), method and path
//! template, with the handler that serves it. Each provider's module lists its endpoints
//! once; its router and the public [`ROUTES`](crate::ROUTES) are both made from that list.

use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter};

use crate::state::Shared;
use crate::wire;

/// One simulated route: the name faults are set under, its method and path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The name, e.g. `"longlonglong.recharge"`, for [`Sandbox::set_fault`](crate::Sandbox::set_fault).
    pub name: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path, `{name}` standing for one segment.
    pub template: &'static str,
}

impl Route {
    /// Whether `path` fits the template.
    pub fn matches(&self, path: &str) -> bool {
        let mut want = self.template.split('/');
        let mut got = path.split('/');
        loop {
            match (want.next(), got.next()) {
                (None, None) => return true,
                (Some(w), Some(g)) if w.starts_with('{') => {
                    if g.is_empty() {
                        return false;
                    }
                }
                (Some(w), Some(g)) if w == g => {}
                _ => return false,
            }
        }
    }

    /// The method as axum's filter. The methods are declared in this crate, so an
    /// unknown one is a programming error, caught by any test that starts a sandbox.
    fn method_filter(&self) -> MethodFilter {
        match self.method {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PUT" => MethodFilter::PUT,
            "DELETE" => MethodFilter::DELETE,
            other => panic!("route {}: unsupported method {other}", self.name),
        }
    }
}

/// A route with its handler: an entry of a provider's one list of routes.
#[derive(Clone, Copy)]
pub(crate) struct Endpoint {
    pub route: Route,
    /// Serves the route for a method (`|m| on(m, handler)`).
    pub handler: fn(MethodFilter) -> MethodRouter<Shared>,
}

impl Endpoint {
    /// An endpoint, for the providers' `const` lists.
    pub(crate) const fn new(
        name: &'static str,
        method: &'static str,
        template: &'static str,
        handler: fn(MethodFilter) -> MethodRouter<Shared>,
    ) -> Endpoint {
        Endpoint {
            route: Route {
                name,
                method,
                template,
            },
            handler,
        }
    }
}

/// A provider's list of endpoints, one line each: `"name" METHOD "template" => handler;`.
macro_rules! endpoints {
    ($($name:literal $method:ident $template:literal => $handler:path;)*) => {
        &[$(
            $crate::route::Endpoint::new($name, stringify!($method), $template, |m| {
                axum::routing::on(m, $handler)
            }),
        )*]
    };
}
pub(crate) use endpoints;

/// The body cap of every route not listed in [`body_limit`]: 2 MiB, far above any
/// documented request of theirs.
pub const DEFAULT_BODY_LIMIT: usize = 2 << 20;
/// The largest voice file (decoded) the sandbox expects in an upload. The upload page
/// states no maximum (only the separate seat-group ring upload says 1 MB): 10 MiB is the
/// sandbox's choice, so a caller's real recordings fit.
pub const VOICE_FILE_LIMIT: usize = 10 << 20;
/// The body cap of a voice upload: a [`VOICE_FILE_LIMIT`] file in base64 (4/3 of it) and
/// the JSON around it, rounded up: 16 MiB.
pub const VOICE_UPLOAD_BODY_LIMIT: usize = 16 << 20;
/// The body cap of a task creation: the documented 200 000 numbers, each with a
/// 6-18-digit `calleeNumber` and five 30-character `textN` (under 400 bytes of JSON
/// each), plus a voice file sent with the task (`source` 2): 96 MiB. So a body of more
/// than 200 000 numbers still arrives, and is answered `-7` 号码个数过多.
pub const TASK_BODY_LIMIT: usize = 96 << 20;

/// The body cap of a route, by its name: bodies up to the documented maxima arrive; a
/// larger one is answered `413` in the provider's envelope, with nothing applied.
pub fn body_limit(route: &str) -> usize {
    match route {
        "laaffic.task_create" => TASK_BODY_LIMIT,
        "laaffic.voice_upload" | "laaffic.task_resend" => VOICE_UPLOAD_BODY_LIMIT,
        _ => DEFAULT_BODY_LIMIT,
    }
}

/// The router serving `endpoints` (two methods on one path share its method router),
/// each with its body cap.
pub(crate) fn router(endpoints: &[Endpoint]) -> Router<Shared> {
    endpoints.iter().fold(Router::new(), |router, e| {
        let limit = axum::extract::DefaultBodyLimit::max(body_limit(e.route.name));
        router.route(
            e.route.template,
            (e.handler)(e.route.method_filter()).layer(limit),
        )
    })
}

/// A provider's credential check: `Err` with its refusal, in the provider's envelope,
/// when the request's credentials are not the ones the sandbox accepts.
pub(crate) type Credentials = fn(&Request) -> Result<(), Response>;

/// [`router`] of a provider's `endpoints` behind the two checks every provider makes, in
/// this order: its `credentials` check, then the body check — a body that is not declared
/// JSON (see [`wire::body_not_json`]) is refused with HTTP 415 and `not_json`'s answer for
/// the request's path, in the provider's envelope. A refused request applies nothing.
pub(crate) fn guarded(
    endpoints: &[Endpoint],
    credentials: Credentials,
    not_json: fn(&str) -> Response,
) -> Router<Shared> {
    router(endpoints).route_layer(axum::middleware::from_fn(
        move |request: Request, next: Next| async move {
            if let Err(refusal) = credentials(&request) {
                return refusal;
            }
            if wire::body_not_json(request.headers()) {
                let mut refusal = not_json(request.uri().path());
                *refusal.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
                return refusal;
            }
            next.run(request).await
        },
    ))
}

/// How many endpoints `lists` hold together.
pub(crate) const fn count(lists: &[&[Endpoint]]) -> usize {
    let (mut n, mut i) = (0, 0);
    while i < lists.len() {
        n += lists[i].len();
        i += 1;
    }
    n
}

/// The routes of `lists`, in order; `N` is [`count`] of them.
pub(crate) const fn routes<const N: usize>(lists: &[&[Endpoint]]) -> [Route; N] {
    let mut out = [Route {
        name: "",
        method: "",
        template: "",
    }; N];
    let (mut n, mut i) = (0, 0);
    while i < lists.len() {
        let mut j = 0;
        while j < lists[i].len() {
            out[n] = lists[i][j].route;
            n += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(n == N, "N must be the count of the lists");
    out
}
