//! What monitoring asks: `GET /metrics` (Prometheus text), `GET /readyz` (can this server
//! take writes) and the count of every response by status class.
//!
//! Both routes answer for any `Host` (scrapers and load balancers use the instance's
//! address). `/metrics` reveals no participant data, only counts, but with `--metrics-token`
//! it needs `Authorization: Bearer <token>` (compared in constant time), for servers whose
//! port is reachable by more than the monitoring system.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::keys::secrets_match;
use crate::metrics::CONTENT_TYPE;

/// `GET /metrics`: every metric, read now.
pub(super) async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.settings.metrics_token {
        let given = super::bearer(&headers).unwrap_or("");
        if given.is_empty() || !secrets_match(given, token) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "the metrics token is required\n",
            )
                .into_response();
        }
    }
    let counts = state.hub.session_counts();
    let text = state.metrics.encode(counts.live, counts.stored);
    (
        [
            (header::CONTENT_TYPE, CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}

/// `GET /readyz`: "ready", or 503 with the reason on one line.
pub(super) async fn readyz(State(state): State<AppState>) -> Response {
    match state.readiness.check().await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n")).into_response(),
    }
}

/// Counts each response by its status class (`paja_http_responses_total`).
pub(super) async fn count_responses(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    state.metrics.http_response(response.status().as_u16());
    response
}
