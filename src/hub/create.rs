//! Creating a session (`Hub::create`) or importing one (`Hub::import`): stored durably and
//! its task started on a single server; in a cluster, its name and first state registered in
//! NATS (`owned.rs`), its owner claimed on first use.

use super::registry::{Slot, State};
use super::{import_target, CreateError, Created, Hub};
use crate::keys::{hash_key, new_key};
use crate::session::document::SessionDoc;
use crate::session::{Language, SeriesName, Session, SessionMeta, SessionName, TimeZoneName};
use crate::store::StoreError;

impl Hub {
    /// Starts a task for a session just stored as new and registers it.
    fn spawn(&self, session: Session, files: crate::store::SessionFiles) {
        let slot = Slot::created(&session);
        // A fresh lock: nobody else can hold it yet.
        if let Ok(mut state) = slot.state.try_lock() {
            *state = State::Live(self.spawn_task(session, files, &slot));
        }
        self.sessions.insert(slot.slug.clone(), slot);
    }

    /// Creates a session, stores it durably, starts its task and returns its key (once).
    pub async fn create(
        &self,
        slug: SessionName,
        title: String,
        language: Language,
        time_zone: TimeZoneName,
    ) -> Result<Created, CreateError> {
        self.create_in(slug, title, language, time_zone, None).await
    }

    /// [`Hub::create`], the session belonging to `series` when given.
    pub(super) async fn create_in(
        &self,
        slug: SessionName,
        title: String,
        language: Language,
        time_zone: TimeZoneName,
        series: Option<SeriesName>,
    ) -> Result<Created, CreateError> {
        // The registry first: a session whose directory vanished may still be running and
        // must not be replaced by a new one under the same name; a stored one is taken too.
        if self.sessions.contains_key(&slug) {
            return Err(CreateError::Taken);
        }
        let key = new_key();
        let meta = SessionMeta {
            slug: slug.clone(),
            title,
            language,
            created_at: self.clock.now_ms(),
            key_hash: hash_key(&key),
            time_zone,
            series,
        };
        let session = Session::new(meta);
        self.install(move || Ok(session)).await?;
        tracing::info!(session = %slug, "session created");
        Ok(Created { slug, key })
    }

    /// Imports a session from its export under `slug` (default: the file's) and `title`,
    /// with a new facilitator key, stores it durably and starts its task.
    pub async fn import(
        &self,
        doc: SessionDoc,
        slug: Option<SessionName>,
        title: Option<String>,
    ) -> Result<Created, CreateError> {
        let slug = slug.unwrap_or_else(|| doc.session.slug.clone());
        if self.sessions.contains_key(&slug) {
            return Err(CreateError::Taken);
        }
        let (key, target) = import_target(Some(slug.clone()), title, self.clock.now_ms());
        // Validating a large file is CPU work: off the async workers, with the store write.
        self.install(move || Session::import(doc, target).map_err(CreateError::from))
            .await?;
        tracing::info!(session = %slug, "session imported");
        Ok(Created { slug, key })
    }

    /// Builds a session on a blocking thread, stores it as new and starts its task.
    async fn install(
        &self,
        build: impl FnOnce() -> Result<Session, CreateError> + Send + 'static,
    ) -> Result<(), CreateError> {
        if self.cluster.is_some() {
            return self.install_clustered(build).await;
        }
        let store = self.store.clone();
        let (session, files) = tokio::task::spawn_blocking(move || {
            let session = build()?;
            let files = store.create(&session).map_err(|e| match e {
                StoreError::Exists => CreateError::Taken,
                other => CreateError::Storage(other.to_string()),
            })?;
            Ok::<_, CreateError>((session, files))
        })
        .await
        .map_err(|e| CreateError::Storage(e.to_string()))??;
        self.spawn(session, files);
        Ok(())
    }
}
