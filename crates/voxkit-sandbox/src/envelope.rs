//! Answers given outside a provider's handlers — an unknown path (404), a method the
//! route does not serve (405), a body over the route's cap (413), a body that is not
//! JSON (415), an injected HTTP fault (429, 5xx), a body that arrives too slowly (408) —
//! in the envelope of the provider the path belongs to, so that a client never meets an
//! empty, plain-text or HTML answer it would not get from that provider.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The provider a path or a route belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provider {
    Longlonglong,
    Laaffic,
    Espai,
}

impl Provider {
    /// The provider whose API has this path (by its prefix), if any.
    pub(crate) fn of_path(path: &str) -> Option<Provider> {
        let under = |prefix: &str| {
            path == prefix
                || path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        if under("/agent-api") || under("/users") || under("/saas") {
            Some(Provider::Longlonglong)
        } else if under("/v3") || under("/voice") {
            Some(Provider::Laaffic)
        } else if under("/cdkey") || under("/order") || under("/sandbox/pay") {
            Some(Provider::Espai)
        } else {
            None
        }
    }

    /// The provider of a route name (`"laaffic.balance"` → Laaffic).
    pub(crate) fn of_route(name: &str) -> Option<Provider> {
        match name.split('.').next()? {
            "longlonglong" => Some(Provider::Longlonglong),
            "laaffic" => Some(Provider::Laaffic),
            "espai" => Some(Provider::Espai),
            _ => None,
        }
    }
}

/// A refusal at the HTTP level with `status`, as JSON for the provider of `path`.
///
/// A 4xx (404, 405, 408, 413, 415: the request itself refused, nothing applied) comes in
/// the provider's own envelope:
///
/// - longlonglong: `{"code": <status>, "status": "error", "message", "data": []}` (as its
///   401 is);
/// - Laaffic: `-22` 参数异常, in the envelope family of the route (`{status, reason}` or
///   `{code, msg, data}`);
/// - ESP-AI: its documented every-endpoint error, `{"success": false, "message":
///   "系统错误：…", "code": 500}`.
///
/// A 5xx or 429 (an injected HTTP fault: the service or a gateway failing, not the
/// provider judging the request) comes as the JSON a web framework renders for an HTTP
/// error, `{"message": "Service Unavailable"}` (Laravel's form), for every provider: in
/// the business envelope it would read as the provider's verdict (an SDK reports it as a
/// refusal instead of an HTTP failure). The providers' business refusals are injected with
/// [`Fault::code`](crate::Fault::code) instead.
///
/// Any other path: `{"code": <status>, "message"}`. The HTTP status stays `status`.
pub(crate) fn http_refusal(path: &str, status: StatusCode, detail: &str) -> Response {
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        let body = json!({"message": status.canonical_reason().unwrap_or(detail)});
        return (status, axum::Json(body)).into_response();
    }
    let body = match Provider::of_path(path) {
        Some(Provider::Longlonglong) => {
            json!({"code": status.as_u16(), "status": "error", "message": detail, "data": []})
        }
        Some(Provider::Laaffic) => {
            return (status, crate::laaffic::refusal(path, "-22")).into_response();
        }
        Some(Provider::Espai) => {
            json!({"success": false, "message": format!("系统错误：{detail}"), "code": 500})
        }
        None => json!({"code": status.as_u16(), "message": detail}),
    };
    (status, axum::Json(body)).into_response()
}

/// What an HTTP status means, for the envelope's message (Laravel's wording).
fn detail(status: StatusCode) -> String {
    match status {
        StatusCode::NOT_FOUND => "Not Found".into(),
        StatusCode::METHOD_NOT_ALLOWED => "Method Not Allowed".into(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            "The request body is larger than this route accepts".into()
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Unsupported Media Type".into(),
        other => other.canonical_reason().unwrap_or("Error").to_owned(),
    }
}

/// Whether an answer is JSON already.
fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
}

/// The outermost layer: an error answer that is not JSON (axum's own 404, 405, 413 and
/// body rejections, an injected fault) is replaced by [`http_refusal`] with the same
/// status, keeping its headers (`Retry-After`, `Connection`).
pub(crate) async fn layer(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let replacement = http_refusal(&path, status, &detail(status));
    let (new_parts, body) = replacement.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &new_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_belong_to_providers_by_prefix() {
        assert_eq!(
            Provider::of_path("/agent-api/user/x/recharge"),
            Some(Provider::Longlonglong)
        );
        assert_eq!(Provider::of_path("/users"), Some(Provider::Longlonglong));
        assert_eq!(Provider::of_path("/usersx"), None);
        assert_eq!(Provider::of_path("/v3/getBalance"), Some(Provider::Laaffic));
        assert_eq!(Provider::of_path("/cdkey/list"), Some(Provider::Espai));
        assert_eq!(Provider::of_path("/sandbox/pay"), Some(Provider::Espai));
        assert_eq!(Provider::of_path("/"), None);
        assert_eq!(Provider::of_route("espai.transfer"), Some(Provider::Espai));
    }
}
