//! `GET /api/sessions/{slug}/suggestions?prompt=p3`: theme suggestions for a brainstorm.
//!
//! The console's suggestions panel asks for them with the facilitator key (as a Bearer
//! token, checked and rate-limited like the exports). The answer only proposes: each
//! suggestion is a label and the items it would gather, and nothing changes until the
//! facilitator accepts one (an `add_theme` with those items). The candidates are the
//! prompt's visible root items that are in no theme yet, grouped by [`crate::text::suggest`]
//! in the session's language; nothing leaves the machine.

use std::net::SocketAddr;

use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::{authorized, ApiError, AppState};
use crate::session::{Activity, ItemId, PromptId, Session};
use crate::text::suggest::suggest;

/// The query: which prompt.
#[derive(Debug, Deserialize)]
pub(super) struct SuggestionsQuery {
    /// The brainstorm's prompt id (`p3`).
    prompt: String,
}

/// The answer.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Suggestions {
    /// The prompt asked about.
    pub prompt: PromptId,
    /// Biggest first, at most [`crate::text::suggest::SUGGESTIONS_MAX`]; an item in at most one.
    pub suggestions: Vec<Suggestion>,
}

/// One proposed theme.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Suggestion {
    /// The proposed name: the shared word as it was most often written.
    pub label: String,
    /// The items it would gather, in the order they were sent.
    pub items: Vec<ItemId>,
}

/// The suggestions for one of `session`'s prompts: 404 for no such prompt, 400 for a prompt
/// that is not a brainstorm (only brainstorms have themes).
pub fn suggestions_for(session: &Session, prompt: &str) -> Result<Suggestions, ApiError> {
    let prompt = session
        .prompts()
        .iter()
        .find(|p| p.id.0 == prompt)
        .ok_or_else(|| ApiError::PromptNotFound(prompt.to_owned()))?;
    if !matches!(prompt.draft.activity, Activity::Brainstorm(_)) {
        return Err(ApiError::NotThemable);
    }
    let candidates: Vec<(ItemId, &str)> = session
        .visible_items(&prompt.id)
        .filter(|item| session.theme_of(item).is_none())
        .map(|item| (item.id, item.text.as_str()))
        .collect();
    let suggestions = suggest(&candidates, session.meta.language.into())
        .into_iter()
        .map(|s| Suggestion {
            label: s.label,
            items: s.items,
        })
        .collect();
    Ok(Suggestions {
        prompt: prompt.id.clone(),
        suggestions,
    })
}

/// The handler: the key, the query, then [`suggestions_for`] off the async threads.
pub(super) async fn suggestions(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(slug): Path<String>,
    query: Result<Query<SuggestionsQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::InvalidOptions(e.body_text()))?;
    let handle = authorized(&state, peer, &slug, &headers).await?;
    let session = handle.read().await.map_err(|_| ApiError::Unavailable)?;
    let body = tokio::task::spawn_blocking(move || suggestions_for(&session, &query.prompt))
        .await
        .map_err(|_| ApiError::Internal("suggestions failed"))??;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response())
}
