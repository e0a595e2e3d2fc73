//! The address participants join at: drawn as a QR code for the projector and console, and
//! told to the console, projector and start page (`GET /api/address`), so what a room sees is
//! the public URL even when the facilitator's laptop reached the server as `127.0.0.1`.
//!
//! It comes from `--public-url` (the one whose host the request named, else the first) or,
//! without one, from the host the browser used (see [`super::trust`]).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::{client_ip, known, AppState};

/// `GET /api/address` answer.
#[derive(Debug, Serialize)]
pub struct JoinAddress {
    /// `https://paja.example.fi`: where the pages link to.
    pub origin: String,
    /// `paja.example.fi`: the same without the scheme, as printed for people to type.
    pub host: String,
}

/// `GET /api/address`: the join address for this request.
pub(super) async fn join_address(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(origin) = state.settings.join_origin(&headers) else {
        return (StatusCode::BAD_REQUEST, "bad host").into_response();
    };
    let host = origin
        .split_once("://")
        .map_or(origin.as_str(), |(_, h)| h)
        .to_owned();
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Json(JoinAddress { origin, host }),
    )
        .into_response()
}

/// `GET /{slug}/qr.svg`: the participant address as a QR code, for the projector and console.
pub(super) async fn qr_code(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(e) = known(&state, client_ip(&state, peer, &headers), &slug) {
        return e.into_response();
    }
    let Some(origin) = state.settings.join_origin(&headers) else {
        return (StatusCode::BAD_REQUEST, "bad host").into_response();
    };
    let url = format!("{origin}/{slug}");
    let Ok(code) = qrcode::QrCode::new(url.as_bytes()) else {
        return (StatusCode::BAD_REQUEST, "address too long").into_response();
    };
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .build();
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        svg,
    )
        .into_response()
}
