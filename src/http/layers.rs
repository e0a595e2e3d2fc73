//! The layers around every route: request id, access log, timeout, panic → 500, gzip.
//!
//! From the outside in: a request id (`x-request-id`, our own uuid unless `--trust-proxy` and
//! the proxy sent a well-formed one) set on the request and echoed on the response; gzip
//! for what compresses (pages, exports, JSON) when the client accepts it; the request's span
//! (`request{id=…}`), which every line logged while handling it carries — the websocket's
//! connection span is its child — and the access line when the response is ready; panics
//! caught and answered 500 `internal`; and the timeout, which covers producing the response
//! only: a websocket upgrade answers at once and its connection lives on outside it, and a
//! download's body is sent after it.
//!
//! The access line (`paja::access`, INFO) has the method, the route's pattern (never the path
//! with its names, never the query), the status, the latency, the body's size when known
//! (before compression) and the request id: no address, no user agent, no header.

use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use super::{ApiError, HttpSettings};

/// The request id header (set, propagated, logged).
const REQUEST_ID: &str = "x-request-id";
/// Longest request id taken from a trusted proxy; nginx's `$request_id` is 32 hex digits.
const REQUEST_ID_MAX: usize = 64;
/// Bodies smaller than this are sent as they are: gzip's header and the CPU cost more than
/// they save (a small QR code, an ack, an error).
const COMPRESS_MIN_BYTES: u64 = 1024;
/// Default time to produce a response (`--request-timeout-secs`): far above any export's.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The access log's target, so it can be filtered alone (`RUST_LOG=info,paja::access=off`).
pub const ACCESS_TARGET: &str = "paja::access";

/// Wraps `router` in the layers above; `trust_proxy` lets a proxy's request id through.
pub(crate) fn layers(router: Router, trust_proxy: bool, timeout: Duration) -> Router {
    // `Router::layer` wraps each route, so the route's pattern (`MatchedPath`) is known to
    // the span and the access line. The last layer added is the outermost.
    router
        .layer(axum::middleware::from_fn(move |request, next| {
            time_limit(timeout, request, next)
        }))
        .layer(CatchPanicLayer::custom(panic_response))
        // Inside the trace layer, so the access line sees the id on the response.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(access_line)
                .on_body_chunk(())
                .on_eos(())
                .on_failure(()),
        )
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .compress_when(compressible()),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::map_request(
            move |request: Request| async move { own_request_id(trust_proxy, request) },
        ))
}

/// What gzip is worth it for: big enough, not already compressed (the embedded assets carry
/// their own `Content-Encoding`, which the layer never touches), not a zip (xlsx), not an
/// image other than SVG, not a websocket upgrade.
fn compressible() -> impl Predicate {
    SizeAbove::new(COMPRESS_MIN_BYTES)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::const_new(
            "application/vnd.openxmlformats",
        ))
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new("text/event-stream"))
        .and(|status: StatusCode, _, _: &_, _: &_| status != StatusCode::SWITCHING_PROTOCOLS)
}

/// Drops a client's `x-request-id` unless a trusted proxy sent it and it is well formed
/// (it is logged, so it may not carry anything else); [`SetRequestIdLayer`] then makes one.
fn own_request_id(trust_proxy: bool, mut request: Request) -> Request {
    let keep = trust_proxy
        && request
            .headers()
            .get(REQUEST_ID)
            .is_some_and(|id| well_formed(id.as_bytes()));
    if !keep {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

/// 1–64 letters, digits, `-`, `_` or `.`.
fn well_formed(id: &[u8]) -> bool {
    (1..=REQUEST_ID_MAX).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The request's id, as set by [`SetRequestIdLayer`] ("-" only if a layer is missing).
fn request_id<B>(request: &axum::http::Request<B>) -> &str {
    request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
}

/// The route's pattern (`/api/sessions/{slug}/{file}`), or `fallback` for no route.
fn route<B>(request: &axum::http::Request<B>) -> &str {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or("fallback", MatchedPath::as_str)
}

/// The span every line of the request is logged in: its id, method and route.
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        id = %request_id(request),
        method = %request.method(),
        route = %route(request),
    )
}

/// The access line, once the response is ready (its body may still be streaming).
fn access_line<B: axum::body::HttpBody>(
    response: &Response<B>,
    latency: Duration,
    _: &tracing::Span,
) {
    let request_id = response
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info!(
        target: ACCESS_TARGET,
        status = response.status().as_u16(),
        latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
        bytes = response.body().size_hint().exact(),
        request_id = %request_id,
        "request"
    );
}

/// Answers a panicked handler with the API's 500 `internal`, logs it in the request's span,
/// and drops the payload: it may quote client input, and the client learns nothing internal.
fn panic_response(_payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked; answered 500");
    ApiError::Internal("the server failed on this request; try again").into_response()
}

/// The request's time limit: past it, 503 `timeout` (the handler's future is dropped).
///
/// Ours rather than tower-http's `TimeoutLayer`, whose answer has an empty body: every API
/// client reads the JSON error. Like it, this bounds the response's production, not its body.
async fn time_limit(timeout: Duration, request: Request, next: axum::middleware::Next) -> Response {
    match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout_ms = timeout.as_millis() as u64, "request timed out");
            let mut response = ApiError::Timeout.into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
    }
}

#[cfg(test)]
mod tests;

impl Default for HttpSettings {
    /// The laptop default: no password, no proxy, no published name, the default timeout
    /// (here, beside the timeout it defaults).
    fn default() -> Self {
        Self {
            admin_password: None,
            allowed_origins: Vec::new(),
            trust_proxy: false,
            public_urls: Vec::new(),
            bind: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            metrics_token: None,
        }
    }
}
