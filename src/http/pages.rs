//! The session's pages: the participant's, the console's and the projector's, each the
//! embedded HTML for a known session, a redirect when only the name's case is off, and the
//! start page with 404 for an unknown one.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::{assets, client_ip, known, ApiError, AppState};

pub(super) fn not_found_page(headers: &HeaderMap) -> Response {
    let mut response = assets::page("index.html", headers);
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// A session's page, or a permanent redirect to it when only the letters' case is off:
/// `/Hyvinsivi` as printed on a slide or typed on a phone that capitalises the first letter
/// leads to `/hyvinsivi` (session names are lower case). 308 keeps the method and the query;
/// browsers keep the fragment (the console's `#key=`) across the redirect themselves.
pub(super) async fn session_page(
    state: &AppState,
    ip: IpAddr,
    slug: &str,
    suffix: &str,
    page: &'static str,
    uri: &Uri,
    headers: &HeaderMap,
) -> Response {
    // Loaded, so that a session whose files do not load answers 404 as an unknown one (its
    // websocket would); the phone's join that follows finds it warm.
    if state.hub.get(slug).await.is_some() {
        return assets::page(page, headers);
    }
    let lower = slug.to_lowercase();
    if lower != slug && state.hub.exists(&lower) {
        let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
        if let Ok(to) = HeaderValue::from_str(&format!("/{lower}{suffix}{query}")) {
            return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, to)]).into_response();
        }
    }
    match known(state, ip, slug) {
        Err(ApiError::TooManyLookups(wait)) => ApiError::TooManyLookups(wait).into_response(),
        _ => not_found_page(headers),
    }
}

pub(super) async fn participant_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(slug): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ip = client_ip(&state, peer, &headers);
    session_page(&state, ip, &slug, "", "participant.html", &uri, &headers).await
}

pub(super) async fn control_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(slug): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ip = client_ip(&state, peer, &headers);
    session_page(
        &state,
        ip,
        &slug,
        "/control",
        "control.html",
        &uri,
        &headers,
    )
    .await
}

pub(super) async fn screen_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(slug): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ip = client_ip(&state, peer, &headers);
    session_page(&state, ip, &slug, "/screen", "screen.html", &uri, &headers).await
}
