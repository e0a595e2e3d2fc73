//! HTTP: the router, the JSON API, the websocket upgrade and the embedded web client.
//!
//! | path                                   | what                                        |
//! |----------------------------------------|---------------------------------------------|
//! | `GET /`                                | start page: create a session, or join one   |
//! | `POST /api/sessions`                   | create a session                            |
//! | `POST /api/sessions/import`            | import a session from its JSON export       |
//! | `DELETE /api/sessions/{slug}`          | delete a session and its files (key)        |
//! | `GET /api/sessions/{slug}/export.{csv,json,xlsx,md,html}` | exports and reports (key as Bearer; options in the query) |
//! | `GET /api/sessions/{slug}/agenda.json` | the agenda as a template (key as Bearer)    |
//! | `GET /api/sessions/{slug}/suggestions?prompt=p3` | theme suggestions (key as Bearer; `suggestions`) |
//! | `GET /ws/{slug}`                       | the websocket (see `protocol`)              |
//! | `GET /assets/{file}`                   | embedded CSS, JS and strings                |
//! | `GET /{slug}`, `/{slug}/control`, `/{slug}/screen` | participant, facilitator, projector pages |
//! | `GET /{slug}/qr.svg`                   | QR code of the participant address (SVG)    |
//! | `/api/series…`, `GET /series/{name}`   | series of seminars (see [`series`])         |
//! | `GET /api/address`                     | the join address (`--public-url` or `Host`) |
//! | `GET /healthz`                         | "ok" (for any `Host`: load balancers)       |
//! | `GET /readyz`                          | "ready", or 503 and why (any `Host`; `observe`) |
//! | `GET /metrics`                         | Prometheus text (any `Host`; token when set) |
//!
//! Every route but `/healthz`, `/readyz` and `/metrics` answers only for the hosts [`trust`]
//! allows (else 421); the
//! state-changing API routes (create, import, delete, exports) refuse other sites' pages and
//! non-JSON bodies; lookups of unknown session names are rate-limited per address ([`lookup`]).
//! Around every route, [`layers`]: a request id, the access log, the request timeout, a
//! panic answered 500, and gzip for pages and exports.

mod address;
mod assets;
mod error;
mod layers;
mod observe;
mod pages;
mod series;
mod suggestions;
mod trust;
mod ws;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::export::{self, Delimiter, Format, PromptSelector};
use crate::hub::{Hub, SessionHandle};
use crate::keys::secrets_match;
use crate::limits::Limits;
use crate::session::document;
use crate::session::{clean_text, Language, SessionName, TimeZoneName, SESSION_TITLE_MAX};

pub use error::ApiError;
pub use layers::{ACCESS_TARGET, DEFAULT_REQUEST_TIMEOUT};
use pages::{control_page, not_found_page, participant_page, screen_page, session_page};
pub use trust::PublicUrl;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The live sessions.
    pub hub: Arc<Hub>,
    /// Rate limits and per-IP caps.
    pub limits: Arc<Limits>,
    /// Deployment settings.
    pub settings: Arc<HttpSettings>,
    /// What the server counts (`/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Whether the server can take writes (`/readyz`).
    pub readiness: Arc<crate::ready::Readiness>,
}

/// Deployment settings the HTTP layer needs (its `Default` is in [`layers`]).
#[derive(Debug)]
pub struct HttpSettings {
    /// When set, creating a session needs it.
    pub admin_password: Option<String>,
    /// Origins besides the server's own that may open websockets.
    pub allowed_origins: Vec<String>,
    /// Take client addresses from `X-Forwarded-For` (and hosts from `X-Forwarded-Host`).
    pub trust_proxy: bool,
    /// The addresses the server is published at; empty: the laptop default (see [`trust`]).
    pub public_urls: Vec<PublicUrl>,
    /// The address bound, always served (`None` in tests that build the router alone).
    pub bind: Option<IpAddr>,
    /// Longest time to produce a response (not to send its body; not a websocket's life).
    pub request_timeout: std::time::Duration,
    /// When set, `/metrics` needs it as a Bearer token.
    pub metrics_token: Option<String>,
}

/// The client's address: the socket's peer, or behind a trusted proxy the last
/// `X-Forwarded-For` entry (the one that proxy added).
fn client_ip(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    forwarded_ip(state.settings.trust_proxy, peer, headers)
}

/// The session `slug`, loaded if it was not; an unknown name counts against `ip`'s lookup
/// budget (guessing names), a known one never does (a room of phones behind one NAT address
/// joining it).
async fn lookup(state: &AppState, ip: IpAddr, slug: &str) -> Result<SessionHandle, ApiError> {
    if let Some(handle) = state.hub.get(slug).await {
        return Ok(handle);
    }
    not_found(state, ip)
}

/// [`lookup`] without loading the session: whether `slug` names one (its page, its QR code).
fn known(state: &AppState, ip: IpAddr, slug: &str) -> Result<(), ApiError> {
    if state.hub.exists(slug) {
        return Ok(());
    }
    not_found(state, ip)
}

/// An unknown name, counted against `ip`'s lookup budget.
fn not_found<T>(state: &AppState, ip: IpAddr) -> Result<T, ApiError> {
    state
        .limits
        .may_look_up(ip)
        .map_err(ApiError::TooManyLookups)?;
    Err(ApiError::SessionNotFound)
}

/// [`client_ip`] without the state, so it can be tested alone.
///
/// A client may send `X-Forwarded-For` itself, and a proxy appends to it (nginx's
/// `$proxy_add_x_forwarded_for`) or adds a header line of its own (HAProxy), so only the last
/// entry of the last line is the proxy's: every earlier one is whatever the client chose.
/// Anything unparsable there falls back to the peer rather than trusting an earlier entry.
fn forwarded_ip(trust_proxy: bool, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    if trust_proxy {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    peer.ip()
}

/// The scheme the browser used: `https` when a trusted proxy says so in `X-Forwarded-Proto`
/// (it terminated TLS), otherwise `http`, as Paja itself serves no TLS.
fn public_scheme(trust_proxy: bool, headers: &HeaderMap) -> &'static str {
    let https = trust_proxy
        && headers
            .get_all("x-forwarded-proto")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
    if https {
        "https"
    } else {
        "http"
    }
}

/// The whole HTTP surface, ready to serve.
pub fn app(state: AppState) -> Router {
    // The state-changing routes, behind one guard (see `trust`).
    let api = Router::new()
        .route("/api/sessions", post(create_session))
        // `POST /api/sessions/import` shares the path with a session's `DELETE`, so that a
        // session named "import" can still be deleted (the name is not reserved).
        .route(
            "/api/sessions/{slug}",
            axum::routing::delete(delete_session).post(import_session),
        )
        .route("/api/sessions/{slug}/{file}", get(export_session))
        .route("/api/series", post(series::create_series))
        .route("/api/series/{name}", get(series::get_series))
        .route("/api/series/{name}/{file}", get(series::report))
        .route(
            "/api/series/{name}/agenda",
            axum::routing::put(series::put_agenda),
        )
        .route("/api/series/{name}/sessions", post(series::create_session))
        .route(
            "/api/sessions/{slug}/suggestions",
            get(suggestions::suggestions),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            trust::api_guard,
        ));
    let router = Router::new()
        .route(
            "/",
            get(|headers: HeaderMap| async move { assets::page("index.html", &headers) }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(observe::readyz))
        .route("/metrics", get(observe::metrics))
        .merge(api)
        .route("/api/address", get(address::join_address))
        .route("/ws/{slug}", get(ws::upgrade))
        .route("/series/{name}", get(series::series_page))
        .route("/assets/{*path}", get(assets::asset))
        .route("/{slug}", get(participant_page))
        .route("/{slug}/control", get(control_page))
        .route("/{slug}/screen", get(screen_page))
        .route("/{slug}/qr.svg", get(address::qr_code))
        .fallback(|headers: HeaderMap| async move { not_found_page(&headers) })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            trust::host_guard,
        ))
        .layer(axum::middleware::map_response(security_headers));
    let (trust_proxy, timeout) = (state.settings.trust_proxy, state.settings.request_timeout);
    // Outermost, so the 503s of the timeout and the 500s of a panic are counted too.
    let counted = axum::middleware::from_fn_with_state(state.clone(), observe::count_responses);
    layers::layers(router.with_state(state), trust_proxy, timeout).layer(counted)
}

/// Security headers on every response: no inline script, no framing, no sniffing.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// `POST /api/sessions` body.
#[derive(Debug, Deserialize)]
pub struct CreateSession {
    /// The short name.
    pub slug: String,
    /// The workshop's title.
    pub title: String,
    /// Default UI language.
    #[serde(default)]
    pub language: Language,
    /// The time zone exports show times in (IANA name; default Europe/Helsinki).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The instance's admin password, when the server requires one.
    #[serde(default)]
    pub admin_password: Option<String>,
}

/// `POST /api/sessions` answer: shown once; the key is not stored in readable form.
#[derive(Debug, Serialize)]
pub struct SessionCreated {
    /// The short name.
    pub slug: String,
    /// The facilitator key.
    pub facilitator_key: String,
    /// Where participants go.
    pub participant_url: String,
    /// The facilitator's private link (the key travels in the fragment, never to the server's logs).
    pub control_url: String,
    /// The projector page.
    pub screen_url: String,
}

async fn create_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<CreateSession>, JsonRejection>,
) -> Result<(StatusCode, Json<SessionCreated>), ApiError> {
    let Json(body) = body?;
    let ip = client_ip(&state, peer, &headers);
    may_create(&state, ip, body.admin_password.as_deref())?;
    let slug = parse_slug(&body.slug)?;
    let title = parse_title(&body.title)?;
    let time_zone = match body.time_zone.as_deref().filter(|tz| !tz.trim().is_empty()) {
        None => TimeZoneName::default(),
        Some(name) => TimeZoneName::parse(name)?,
    };
    let created = state
        .hub
        .create(slug, title, body.language, time_zone)
        .await?;
    Ok(session_created(created))
}

/// The checks before any session is made, created or imported: the admin password when the
/// server has one, and the per-address creation rate.
fn may_create(state: &AppState, ip: IpAddr, password: Option<&str>) -> Result<(), ApiError> {
    if let Some(required) = &state.settings.admin_password {
        if !state.limits.may_check_key(ip) {
            return Err(ApiError::RateLimited);
        }
        let given = password.unwrap_or("");
        if given.is_empty() {
            return Err(ApiError::AdminPasswordRequired);
        }
        if !secrets_match(given, required) {
            return Err(ApiError::InvalidAdminPassword);
        }
    }
    if !state.limits.may_create(ip) {
        return Err(ApiError::RateLimited);
    }
    Ok(())
}

fn parse_slug(raw: &str) -> Result<SessionName, ApiError> {
    Ok(SessionName::parse(raw)?)
}

fn parse_title(raw: &str) -> Result<String, ApiError> {
    clean_text(raw, SESSION_TITLE_MAX).map_err(|_| ApiError::InvalidTitle)
}

/// The answer to a creation or an import: the links, with the key shown this once.
fn session_created(created: crate::hub::Created) -> (StatusCode, Json<SessionCreated>) {
    let slug = created.slug.as_str();
    (
        StatusCode::CREATED,
        Json(SessionCreated {
            slug: slug.to_owned(),
            participant_url: format!("/{slug}"),
            control_url: format!("/{slug}/control#key={}", created.key),
            screen_url: format!("/{slug}/screen"),
            facilitator_key: created.key,
        }),
    )
}

/// Largest import accepted over HTTP, in bytes: a long day's seminar exports to a few
/// megabytes; the bound keeps one request from holding much memory.
pub const IMPORT_MAX_BYTES: usize = 20 * 1024 * 1024;

/// The header that carries the admin password with an import (its body is the export).
pub const ADMIN_PASSWORD_HEADER: &str = "x-paja-admin-password";

/// `POST /api/sessions/import` options.
#[derive(Debug, Default, Deserialize)]
struct ImportQuery {
    /// A new short name (default: the file's).
    slug: Option<String>,
    /// A new title (default: the file's).
    title: Option<String>,
}

/// `POST /api/sessions/import?slug=…&title=…` with a JSON export as the body: the same rules
/// as creating a session, then the file is checked whole and the session goes live.
async fn import_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(path): Path<String>,
    query: Result<Query<ImportQuery>, QueryRejection>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<SessionCreated>), ApiError> {
    if path != "import" {
        return Err(ApiError::MethodNotAllowed);
    }
    let ip = client_ip(&state, peer, &headers);
    let password = headers
        .get(ADMIN_PASSWORD_HEADER)
        .and_then(|v| v.to_str().ok());
    may_create(&state, ip, password)?;
    let Query(query) = query?;
    let slug = query
        .slug
        .filter(|s| !s.is_empty())
        .map(|s| parse_slug(&s))
        .transpose()?;
    let title = query
        .title
        .filter(|s| !s.is_empty())
        .map(|t| parse_title(&t))
        .transpose()?;
    // Refused from its declared length before it is sent; a body without one is cut off at
    // the bound as it streams in.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > IMPORT_MAX_BYTES as u64) {
        return Err(ApiError::TooLarge);
    }
    let bytes = axum::body::to_bytes(body, IMPORT_MAX_BYTES)
        .await
        .map_err(|_| ApiError::TooLarge)?;
    let doc = tokio::task::spawn_blocking(move || document::parse(&bytes))
        .await
        .map_err(|_| ApiError::Internal("import failed"))??;
    let created = state.hub.import(doc, slug, title).await?;
    Ok(session_created(created))
}

/// The request's `Authorization: Bearer <token>` (a facilitator or series key, the metrics
/// token), trimmed.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The session behind `slug`, if the request carries its facilitator key as a Bearer token.
/// Key checks are rate-limited per client address.
async fn authorized(
    state: &AppState,
    peer: SocketAddr,
    slug: &str,
    headers: &HeaderMap,
) -> Result<SessionHandle, ApiError> {
    let ip = client_ip(state, peer, headers);
    if !state.limits.may_check_key(ip) {
        return Err(ApiError::RateLimited);
    }
    let handle = lookup(state, ip, slug).await?;
    let key = bearer(headers).ok_or(ApiError::KeyRequired)?;
    if !handle.verify_key(key) {
        return Err(ApiError::InvalidKey);
    }
    Ok(handle)
}

/// What `GET /api/sessions/{slug}/{file}` can download.
#[derive(Clone)]
enum Download {
    /// `export.<format>`: an export or report, with the query's options.
    Export(Format, export::Options),
    /// `agenda.json`: the agenda as a template for a new session.
    Agenda,
}

async fn delete_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let handle = authorized(&state, peer, &slug, &headers).await?;
    state.hub.delete(handle.slug()).await.map_err(|e| {
        tracing::error!(session = %slug, error = %e, "could not delete session");
        ApiError::DeleteFailed
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// An export's options in its URL: `?prompts=1,3&hidden=false&lang=sv&tz=Europe/Stockholm&delimiter=semicolon`.
#[derive(Debug, Default, Deserialize)]
struct ExportQuery {
    /// Comma-separated agenda places (from 1) or prompt ids.
    prompts: Option<String>,
    /// Hidden items in (`true`) or out (`false`); default: in for data, out for reports.
    hidden: Option<bool>,
    /// Heading language.
    lang: Option<Language>,
    /// IANA time zone.
    tz: Option<String>,
    /// CSV separator.
    delimiter: Option<Delimiter>,
}

impl From<ExportQuery> for export::Options {
    fn from(q: ExportQuery) -> Self {
        export::Options {
            prompts: q.prompts.as_deref().map(PromptSelector::parse_list),
            hidden: q.hidden,
            language: q.lang,
            time_zone: q.tz.filter(|tz| !tz.is_empty()),
            delimiter: q.delimiter.unwrap_or_default(),
        }
    }
}

async fn export_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((slug, file)): Path<(String, String)>,
    query: Result<Query<ExportQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let format = file
        .strip_prefix("export.")
        .and_then(Format::from_extension);
    let download = match (format, file.as_str()) {
        (Some(format), _) => {
            let Query(query) = query.map_err(|e| ApiError::InvalidOptions(e.body_text()))?;
            Download::Export(format, query.into())
        }
        (None, "agenda.json") => Download::Agenda,
        _ => return Err(ApiError::NotFound),
    };
    // The facilitator key, or the key of the session's series.
    let handle = series::readable(&state, peer, &slug, &headers).await?;
    let session = handle.read().await.map_err(|_| ApiError::Unavailable)?;
    let job = download.clone();
    let now = state.hub.clock().now_ms();
    let (body, filename) = tokio::task::spawn_blocking(move || match job {
        Download::Export(format, options) => export::render(&session, format, &options, now)
            .map(|body| (body, export::file_name(&session, format, &options))),
        Download::Agenda => Ok((
            export::agenda(&session),
            format!("{}-agenda.json", session.meta.slug),
        )),
    })
    .await
    .map_err(|_| ApiError::Internal("export failed"))??;
    let content_type = match &download {
        Download::Export(format, _) => format.content_type(),
        Download::Agenda => "application/json",
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEER: &str = "127.0.0.1:40000";

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn ip(trust: bool, pairs: &[(&'static str, &'static str)]) -> String {
        forwarded_ip(trust, PEER.parse().unwrap(), &headers(pairs)).to_string()
    }

    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_entry_the_proxy_added() {
        // nginx's $proxy_add_x_forwarded_for: what the client sent, then the address nginx saw.
        assert_eq!(
            ip(true, &[("x-forwarded-for", "203.0.113.9, 198.51.100.7")]),
            "198.51.100.7"
        );
        assert_eq!(
            ip(true, &[("x-forwarded-for", "198.51.100.7")]),
            "198.51.100.7"
        );
        // A proxy that adds its own header line after the client's.
        assert_eq!(
            ip(
                true,
                &[
                    ("x-forwarded-for", "203.0.113.9"),
                    ("x-forwarded-for", "198.51.100.7")
                ]
            ),
            "198.51.100.7"
        );
        assert_eq!(
            ip(true, &[("x-forwarded-for", "2001:db8::1")]),
            "2001:db8::1"
        );
    }

    #[test]
    fn a_forwarded_address_counts_only_with_trust_proxy_and_only_when_it_parses() {
        assert_eq!(
            ip(false, &[("x-forwarded-for", "198.51.100.7")]),
            "127.0.0.1"
        );
        assert_eq!(ip(true, &[]), "127.0.0.1");
        // Garbage at the end never promotes the client's own earlier entry.
        assert_eq!(
            ip(true, &[("x-forwarded-for", "203.0.113.9, unknown")]),
            "127.0.0.1"
        );
    }

    #[test]
    fn the_scheme_is_https_only_when_a_trusted_proxy_says_so() {
        let https = headers(&[("x-forwarded-proto", "https")]);
        assert_eq!(public_scheme(true, &https), "https");
        assert_eq!(public_scheme(false, &https), "http");
        assert_eq!(public_scheme(true, &headers(&[])), "http");
        assert_eq!(
            public_scheme(true, &headers(&[("x-forwarded-proto", "http")])),
            "http"
        );
    }
}
