//! Live series: the hub's registry of [`Series`], and the flows that change one — creating a
//! series, replacing its agenda, creating a session in it.
//!
//! Each series sits behind its own async mutex, held across the awaits of one change (the
//! store write; for a new session, its creation and agenda), so two changes of one series
//! never interleave and the file on disk is always the last change whole. The registry's map
//! guard is never held across an await: the entry is cloned out first. A session in a series
//! stays an ordinary session: the series only copies its agenda in at creation (through the
//! session's journal, like any `import_agenda`) and lists its name.

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::Mutex;

use super::{CreateError, Created, Hub, SessionHandle};
use crate::keys::{hash_key, new_key, parse_hash, KeyDigest};
use crate::series::{checked_agenda, Series, SERIES_SESSIONS_MAX};
use crate::session::{
    iso8601, Command, Language, PromptDraft, Rejection, SeriesName, Session, SessionName,
    TimeZoneName,
};
use crate::store::StoreError;

/// Why a series change did not happen.
#[derive(Debug, thiserror::Error)]
pub enum SeriesError {
    /// A series by that name exists.
    #[error("a series with that name already exists")]
    Taken,
    /// The agenda is not one a session would take.
    #[error("the agenda cannot be used: {0}")]
    InvalidAgenda(Rejection),
    /// The series lists as many sessions as it may.
    #[error("the series has {SERIES_SESSIONS_MAX} sessions, as many as it may")]
    Full,
    /// The session could not be created (name taken, disk).
    #[error(transparent)]
    Session(#[from] CreateError),
    /// The disk refused.
    #[error("could not store the series: {0}")]
    Storage(String),
}

/// One series in the registry: its key's digest (fixed, read without locking) and its record.
pub struct SeriesEntry {
    key_hash: KeyDigest,
    record: Mutex<Series>,
}

impl SeriesEntry {
    /// Wraps a loaded or new series.
    pub(super) fn new(series: Series) -> Self {
        Self {
            key_hash: parse_hash(&series.key_hash),
            record: Mutex::new(series),
        }
    }

    /// Whether `key` is this series' key (constant-time over the digests).
    pub fn verify_key(&self, key: &str) -> bool {
        crate::keys::verify(&self.key_hash, key)
    }

    /// A copy of the series as it is now.
    pub async fn read(&self) -> Series {
        self.record.lock().await.clone()
    }
}

/// A session of a series as its page lists it: counts only, never a link to control it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct SessionSummary {
    /// Its name.
    pub name: SessionName,
    /// Its title.
    pub title: String,
    /// When it was created (ISO 8601, UTC).
    pub created_at: String,
    /// How many took part (wrote, liked, voted, rated or placed a dot), counted as the session's
    /// own report and the comparison report count them, so the page and the report agree: one
    /// who only picked a group is not counted.
    pub participants: usize,
    /// Its items, hidden and merged ones left out.
    pub items: usize,
    /// A rehearsal (the series page marks it, so a tried-out seminar is not read as held).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rehearsal: bool,
}

/// Everyone who answered any prompt of `session` ([`crate::export::tables::participants`] over
/// the whole agenda).
fn respondents(session: &Session) -> usize {
    let mut who = std::collections::BTreeSet::new();
    for prompt in session.prompts() {
        who.extend(crate::export::tables::respondents(session, prompt));
    }
    who.len()
}

impl Hub {
    /// A series by name.
    pub fn series(&self, name: &str) -> Option<Arc<SeriesEntry>> {
        let name = SeriesName::parse(name).ok()?;
        self.series.get(&name).map(|e| e.clone())
    }

    /// Whether `key` is the key of the series `handle`'s session was made in: what lets a
    /// series' key read its sessions' exports, and nothing else.
    pub fn series_may_read(&self, handle: &SessionHandle, key: &str) -> bool {
        handle
            .series()
            .and_then(|name| self.series.get(name).map(|e| e.clone()))
            .is_some_and(|entry| entry.verify_key(key))
    }

    /// Creates a series with `agenda` (checked as [`checked_agenda`] does), stores it and
    /// returns its key (once).
    pub async fn create_series(
        &self,
        name: SeriesName,
        title: String,
        agenda: &[PromptDraft],
    ) -> Result<Created, SeriesError> {
        if self.series.contains_key(&name) {
            return Err(SeriesError::Taken);
        }
        let agenda = checked_agenda(&name, agenda).map_err(SeriesError::InvalidAgenda)?;
        let key = new_key();
        let series = Series {
            name: name.clone(),
            title,
            key_hash: hash_key(&key),
            created_at: self.clock.now_ms(),
            agenda,
            sessions: Vec::new(),
        };
        let store = self.store.clone();
        let stored = series.clone();
        tokio::task::spawn_blocking(move || store.create_series(&stored))
            .await
            .map_err(|e| SeriesError::Storage(e.to_string()))?
            .map_err(|e| match e {
                StoreError::Exists => SeriesError::Taken,
                other => SeriesError::Storage(other.to_string()),
            })?;
        self.series
            .insert(name.clone(), Arc::new(SeriesEntry::new(series)));
        tracing::info!(series = %name, "series created");
        Ok(Created { slug: name, key })
    }

    /// Replaces a series' agenda (sessions made before keep theirs).
    pub async fn set_series_agenda(
        &self,
        entry: &SeriesEntry,
        agenda: &[PromptDraft],
    ) -> Result<(), SeriesError> {
        let mut record = entry.record.lock().await;
        let agenda = checked_agenda(&record.name, agenda).map_err(SeriesError::InvalidAgenda)?;
        let mut changed = record.clone();
        changed.agenda = agenda;
        self.save_series(&changed).await?;
        *record = changed;
        Ok(())
    }

    /// Creates a session in a series: an ordinary session (own name, key and data) that
    /// belongs to the series, with the series' agenda copied in (each prompt keeping its
    /// template ref, a dot vote's source pointed at the new session's prompt), listed in the
    /// series. When a step fails, the session is deleted again and nothing is listed.
    pub async fn create_in_series(
        self: &Arc<Self>,
        entry: &SeriesEntry,
        slug: SessionName,
        title: String,
        language: Language,
        time_zone: TimeZoneName,
    ) -> Result<Created, SeriesError> {
        let mut record = entry.record.lock().await;
        if record.sessions.len() >= SERIES_SESSIONS_MAX {
            return Err(SeriesError::Full);
        }
        let created = self
            .create_in(
                slug.clone(),
                title,
                language,
                time_zone,
                Some(record.name.clone()),
            )
            .await?;
        let mut changed = record.clone();
        changed.sessions.retain(|s| s != &slug);
        changed.sessions.push(slug.clone());
        let filled = self.copy_agenda(&slug, &record.agenda).await;
        let listed = match filled {
            Ok(()) => self.save_series(&changed).await,
            Err(e) => Err(e),
        };
        if let Err(error) = listed {
            if let Err(e) = self.delete(&slug).await {
                tracing::error!(session = %slug, error = %e, "could not remove a session whose series creation failed");
            }
            return Err(error);
        }
        *record = changed;
        tracing::info!(session = %slug, series = %record.name, "session created in a series");
        Ok(created)
    }

    /// Loads `agenda` into the new session `slug` as one journaled `import_agenda`.
    async fn copy_agenda(
        &self,
        slug: &SessionName,
        agenda: &[PromptDraft],
    ) -> Result<(), SeriesError> {
        if agenda.is_empty() {
            return Ok(());
        }
        let handle = self
            .get(slug.as_str())
            .await
            .ok_or_else(|| SeriesError::Storage("the new session stopped".into()))?;
        let command = Command::ImportAgenda {
            prompts: agenda.to_vec(),
        };
        match handle.command(command).await.await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(SeriesError::Storage(e.to_string())),
            Err(_) => Err(SeriesError::Storage("the new session stopped".into())),
        }
    }

    /// Writes `series` to its file.
    async fn save_series(&self, series: &Series) -> Result<(), SeriesError> {
        let store = self.store.clone();
        let series = series.clone();
        tokio::task::spawn_blocking(move || store.save_series(&series))
            .await
            .map_err(|e| SeriesError::Storage(e.to_string()))?
            .map_err(|e| SeriesError::Storage(e.to_string()))
    }

    /// The sessions a series lists that still exist and belong to it, oldest first. Each is
    /// loaded if it is not (a series page or report reads every session's state; a series
    /// holds at most [`SERIES_SESSIONS_MAX`]).
    async fn members(&self, series: &Series) -> Vec<SessionHandle> {
        let mut out = Vec::with_capacity(series.sessions.len());
        for name in &series.sessions {
            // A later session may have taken a deleted one's name: it is not the series'.
            let belongs = self
                .sessions
                .get(name)
                .is_some_and(|slot| slot.series.as_ref() == Some(&series.name));
            if !belongs {
                continue;
            }
            if let Some(handle) = self.get(name.as_str()).await {
                out.push(handle);
            }
        }
        out
    }

    /// The series' sessions with their counts.
    pub async fn series_sessions(&self, series: &Series) -> Vec<SessionSummary> {
        let mut out = Vec::with_capacity(series.sessions.len());
        for handle in self.members(series).await {
            let summary = handle
                .view(|s| {
                    serde_json::to_string(&SessionSummary {
                        name: s.meta.slug.clone(),
                        title: s.meta.title.clone(),
                        created_at: iso8601(s.meta.created_at),
                        participants: respondents(s),
                        items: s.items().iter().filter(|i| i.is_visible()).count(),
                        rehearsal: s.rehearsal().on,
                    })
                    .unwrap_or_default()
                })
                .await;
            if let Some(summary) = summary.and_then(|b| serde_json::from_str(b.as_str()).ok()) {
                out.push(summary);
            }
        }
        out
    }

    /// A copy of each of the series' sessions as it is now (for the comparison report).
    pub async fn series_states(&self, series: &Series) -> Vec<Session> {
        let mut out = Vec::with_capacity(series.sessions.len());
        for handle in self.members(series).await {
            if let Ok(session) = handle.read().await {
                out.push(session);
            }
        }
        out
    }
}
