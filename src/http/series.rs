//! The series API and page: a series of seminars made from one agenda (see [`crate::series`]).
//!
//! | route                                      | what                                              |
//! |--------------------------------------------|---------------------------------------------------|
//! | `POST /api/series`                         | create a series (admin password rule, creation limit) |
//! | `GET /api/series/{name}`                   | the series: title, agenda, its sessions' counts (series key) |
//! | `PUT /api/series/{name}/agenda`            | replace the agenda with a `paja-agenda` file (series key) |
//! | `POST /api/series/{name}/sessions`         | a new session with the agenda copied (series key + admin rule) |
//! | `GET /api/series/{name}/report.{html,md,xlsx,csv,json}` | the comparison report (series key; `?lang=`) |
//! | `GET /series/{name}`                       | the series' page (key in the fragment)            |
//!
//! The series key is checked like a facilitator key (Bearer, rate-limited per address,
//! constant-time). It reads every session of its series — the export routes take it through
//! [`readable`] — and nothing else: it never opens a console (the websocket only knows
//! facilitator keys), and it reads no session of another series or of none.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::{
    assets, bearer, client_ip, lookup, may_create, parse_title, session_created, session_page,
    ApiError, AppState, SessionCreated,
};
use crate::export::{compare, AGENDA_FORMAT};
use crate::hub::{SeriesEntry, SessionHandle, SessionSummary};
use crate::session::{
    Language, PromptDraft, SeriesName, Session, SessionName, TimeZoneName, SLUG_MAX,
};

/// A `paja-agenda` file (`GET /api/sessions/{slug}/agenda.json`), as a series takes it.
#[derive(Debug, Deserialize)]
pub struct AgendaFile {
    /// Must be `"paja-agenda"`.
    pub format: String,
    /// Must be 1.
    pub version: u32,
    /// The drafts, in order.
    pub prompts: Vec<PromptDraft>,
}

impl AgendaFile {
    /// The drafts, if this is an agenda file of a version this server reads.
    fn drafts(self) -> Result<Vec<PromptDraft>, ApiError> {
        if self.format != AGENDA_FORMAT || self.version != 1 {
            return Err(ApiError::InvalidRequest(format!(
                "not a {AGENDA_FORMAT} version 1 file"
            )));
        }
        Ok(self.prompts)
    }
}

/// `POST /api/series` body.
#[derive(Debug, Deserialize)]
pub struct CreateSeries {
    /// The series' title ("HYVINSIVI 2018").
    pub title: String,
    /// Its name in the URL (default: made from the title).
    #[serde(default)]
    pub name: Option<String>,
    /// The agenda template (default: empty, set later).
    #[serde(default)]
    pub agenda: Option<AgendaFile>,
    /// The instance's admin password, when the server requires one.
    #[serde(default)]
    pub admin_password: Option<String>,
}

/// `POST /api/series` answer: shown once; the key is not stored in readable form.
#[derive(Debug, Serialize)]
pub struct SeriesCreated {
    /// The series' name.
    pub name: String,
    /// The series key.
    pub key: String,
    /// The series' private page (the key travels in the fragment, never to the server's logs).
    pub url: String,
}

/// `GET /api/series/{name}` answer.
#[derive(Debug, Serialize)]
pub struct SeriesView {
    /// Its name.
    pub name: SeriesName,
    /// Its title.
    pub title: String,
    /// When it was created (ISO 8601, UTC).
    pub created_at: String,
    /// The agenda template (drafts with template refs; a dot vote's source as `@N`).
    pub agenda: Vec<PromptDraft>,
    /// Its sessions that still exist, oldest first.
    pub sessions: Vec<SessionSummary>,
}

/// `POST /api/series/{name}/sessions` body.
#[derive(Debug, Deserialize)]
pub struct CreateInSeries {
    /// The seminar's title ("Rovaniemi 24.5.").
    pub title: String,
    /// Its short name (default: made from the title).
    #[serde(default)]
    pub slug: Option<String>,
    /// Default UI language.
    #[serde(default)]
    pub language: Language,
    /// The exports' time zone (IANA name; default Europe/Helsinki).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The instance's admin password, when the server requires one.
    #[serde(default)]
    pub admin_password: Option<String>,
}

pub(super) async fn create_series(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<CreateSeries>, JsonRejection>,
) -> Result<(StatusCode, Json<SeriesCreated>), ApiError> {
    let Json(body) = body?;
    let ip = client_ip(&state, peer, &headers);
    may_create(&state, ip, body.admin_password.as_deref())?;
    let title = parse_title(&body.title)?;
    let agenda = body.agenda.map(AgendaFile::drafts).transpose()?;
    let name = match body.name.as_deref().filter(|n| !n.is_empty()) {
        Some(name) => SeriesName::parse(name)?,
        None => free_name(&title, |n| state.hub.series(n.as_str()).is_some())?,
    };
    let created = state
        .hub
        .create_series(name, title, agenda.as_deref().unwrap_or_default())
        .await?;
    let name = created.slug.to_string();
    Ok((
        StatusCode::CREATED,
        Json(SeriesCreated {
            url: format!("/series/{name}#key={}", created.key),
            name,
            key: created.key,
        }),
    ))
}

pub(super) async fn get_series(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let entry = authorized(&state, peer, &name, &headers)?;
    let series = entry.read().await;
    let sessions = state.hub.series_sessions(&series).await;
    let view = SeriesView {
        name: series.name,
        title: series.title,
        created_at: crate::session::iso8601(series.created_at),
        agenda: series.agenda,
        sessions,
    };
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(view)).into_response())
}

pub(super) async fn put_agenda(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Json<AgendaFile>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let entry = authorized(&state, peer, &name, &headers)?;
    let Json(body) = body?;
    state.hub.set_series_agenda(&entry, &body.drafts()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn create_session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Json<CreateInSeries>, JsonRejection>,
) -> Result<(StatusCode, Json<SessionCreated>), ApiError> {
    let entry = authorized(&state, peer, &name, &headers)?;
    let Json(body) = body?;
    let ip = client_ip(&state, peer, &headers);
    may_create(&state, ip, body.admin_password.as_deref())?;
    let title = parse_title(&body.title)?;
    let slug = match body.slug.as_deref().filter(|s| !s.is_empty()) {
        Some(slug) => SessionName::parse(slug)?,
        None => free_name(&title, |n| state.hub.exists(n.as_str()))?,
    };
    let time_zone = match body.time_zone.as_deref().filter(|tz| !tz.trim().is_empty()) {
        None => TimeZoneName::default(),
        Some(name) => TimeZoneName::parse(name)?,
    };
    let created = state
        .hub
        .create_in_series(&entry, slug, title, body.language, time_zone)
        .await?;
    Ok(session_created(created))
}

/// The comparison report's options in its URL: `?lang=sv&title=…&tz=Europe/Stockholm`.
#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    /// Heading language (default: Finnish).
    pub lang: Option<Language>,
    /// The report's title (default: the series').
    pub title: Option<String>,
    /// IANA time zone of the dates shown (default: each session's own).
    pub tz: Option<String>,
}

/// `GET /api/series/{name}/report.{ext}`: the comparison of the series' sessions as they are
/// now (live while the seminars are still being held).
pub(super) async fn report(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((name, file)): Path<(String, String)>,
    query: Result<Query<ReportQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let format = file
        .strip_prefix("report.")
        .and_then(compare::Format::from_extension)
        .ok_or(ApiError::NotFound)?;
    let Query(query) = query.map_err(|e| ApiError::InvalidOptions(e.body_text()))?;
    let entry = authorized(&state, peer, &name, &headers)?;
    let series = entry.read().await;
    let sessions = state.hub.series_states(&series).await;
    let options = compare::CompareOptions {
        lang: query.lang.unwrap_or_default(),
        title: Some(
            query
                .title
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| series.title.clone()),
        ),
        time_zone: query.tz.filter(|tz| !tz.is_empty()),
    };
    let body = tokio::task::spawn_blocking(move || {
        let refs: Vec<&Session> = sessions.iter().collect();
        compare::render(&refs, &options, format)
    })
    .await
    .map_err(|_| ApiError::Internal("report failed"))??;
    let filename = format!("{}-report.{}", series.name, format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
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

/// `GET /series/{name}`: the series page. A session named `series` keeps its console and
/// projector at `/series/control` and `/series/screen` (no series can be named so: both are
/// reserved names).
pub(super) async fn series_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(name): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let ip = client_ip(&state, peer, &headers);
    match name.as_str() {
        "control" => {
            return session_page(
                &state,
                ip,
                "series",
                "/control",
                "control.html",
                &uri,
                &headers,
            )
            .await
        }
        "screen" => {
            return session_page(
                &state,
                ip,
                "series",
                "/screen",
                "screen.html",
                &uri,
                &headers,
            )
            .await
        }
        _ => {}
    }
    if state.hub.series(&name).is_some() {
        return assets::page("series.html", &headers);
    }
    let not_found = || {
        let mut response = assets::page("index.html", &headers);
        *response.status_mut() = StatusCode::NOT_FOUND;
        response
    };
    match state.limits.may_look_up(ip) {
        Ok(()) => not_found(),
        Err(wait) => ApiError::TooManyLookups(wait).into_response(),
    }
}

/// The series `name`, if the request carries its key as a Bearer token. Key checks are
/// rate-limited per address, and so are lookups of unknown names.
fn authorized(
    state: &AppState,
    peer: SocketAddr,
    name: &str,
    headers: &HeaderMap,
) -> Result<Arc<SeriesEntry>, ApiError> {
    let ip = client_ip(state, peer, headers);
    if !state.limits.may_check_key(ip) {
        return Err(ApiError::RateLimited);
    }
    let entry = match state.hub.series(name) {
        Some(entry) => entry,
        None => {
            state
                .limits
                .may_look_up(ip)
                .map_err(ApiError::TooManyLookups)?;
            return Err(ApiError::SeriesNotFound);
        }
    };
    if !entry.verify_key(bearer(headers).ok_or(ApiError::KeyRequired)?) {
        return Err(ApiError::InvalidKey);
    }
    Ok(entry)
}

/// The session `slug` for reading (its exports): with its facilitator key, or with the key
/// of the series it was made in.
pub(super) async fn readable(
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
    if handle.verify_key(key) || state.hub.series_may_read(&handle, key) {
        Ok(handle)
    } else {
        Err(ApiError::InvalidKey)
    }
}

/// A name made from `title` that `taken` says is free: "Rovaniemi 24.5." → `rovaniemi-24-5`,
/// then `rovaniemi-24-5-2`, … (Finnish and Swedish letters folded to a–z).
fn free_name(title: &str, taken: impl Fn(&SessionName) -> bool) -> Result<SessionName, ApiError> {
    let base = name_from(title);
    for n in 1..100 {
        let candidate = if n == 1 {
            base.clone()
        } else {
            let suffix = format!("-{n}");
            let cut: String = base.chars().take(SLUG_MAX - suffix.len()).collect();
            format!("{}{suffix}", cut.trim_end_matches('-'))
        };
        if let Ok(name) = SessionName::parse(&candidate) {
            if !taken(&name) {
                return Ok(name);
            }
        }
    }
    Err(ApiError::InvalidRequest(
        "no free name could be made from the title; give one".into(),
    ))
}

/// `title` as a name: letters folded to a–z, everything else a single `-`, padded to the
/// shortest name allowed.
fn name_from(title: &str) -> String {
    let mut out = String::new();
    for c in title.to_lowercase().chars() {
        let c = match c {
            'ä' | 'å' | 'á' | 'à' | 'â' => 'a',
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' => 'u',
            c => c,
        };
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out: String = out.chars().take(SLUG_MAX).collect();
    while out.ends_with('-') {
        out.pop();
    }
    while out.chars().count() < 3 {
        out.push_str(if out.is_empty() { "sarja" } else { "-1" });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_from_titles_and_step_past_taken_ones() {
        assert_eq!(name_from("Rovaniemi 24.5."), "rovaniemi-24-5");
        assert_eq!(name_from("HYVINSIVI 2018"), "hyvinsivi-2018");
        assert_eq!(name_from("Seinäjoki – Länsi"), "seinajoki-lansi");
        assert_eq!(name_from("??"), "sarja");
        assert_eq!(name_from("Å"), "a-1");
        let long = name_from(&"Pohjois-Pohjanmaan hyvinvointiseminaari".repeat(2));
        assert!(long.len() <= SLUG_MAX && !long.ends_with('-'), "{long}");
        let taken = |n: &SessionName| n.as_str() == "rovaniemi" || n.as_str() == "rovaniemi-2";
        assert_eq!(
            free_name("Rovaniemi", taken).unwrap().as_str(),
            "rovaniemi-3"
        );
        // A reserved name steps on to a free one.
        assert_eq!(
            free_name("Control", |_| false).unwrap().as_str(),
            "control-2"
        );
    }
}
