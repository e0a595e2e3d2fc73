//! STAND-IN for the owner's side (issue 16; the owner helper's `owned.rs` replaces this file
//! at the merge): just enough to run relays and bridges against a real task.
//!
//! No lease, no JetStream journal: a node "owns" a session when its own data directory holds
//! it (the node that created it), runs a plain task on it and serves it with a bridge
//! (epoch 1). Another node answers `Ok(false)` and waits for the owner to answer.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::registry::{Slot, State};
use super::{CreateError, Hub, SessionHandle};
use crate::cluster::wire::{self, SessionRecord, WIRE_VERSION};
use crate::session::{Session, SessionName};

/// A session this node owns: its task's handle and what stops its bridge.
pub(super) struct OwnedEntry {
    /// The task's handle.
    pub handle: SessionHandle,
    /// Cancelled to stop the bridge.
    pub stop: CancellationToken,
}

/// Why a session could not be got owned.
#[derive(Debug, thiserror::Error)]
pub enum OwnerError {
    /// NATS failed.
    #[error("NATS: {0}")]
    Nats(String),
    /// No such session.
    #[error("the session is not in the cluster")]
    Unknown,
}

impl Hub {
    /// Owns `slug` if this node's data directory holds it (stand-in: see the module doc).
    pub(super) async fn ensure_owner(
        self: &Arc<Hub>,
        slug: &SessionName,
    ) -> Result<bool, OwnerError> {
        if self.owned.contains_key(slug) {
            return Ok(true);
        }
        let cluster = self.cluster.clone().ok_or(OwnerError::Unknown)?;
        let _one_at_a_time = self.deleting.lock().await;
        if self.owned.contains_key(slug) {
            return Ok(true);
        }
        let (store, name) = (self.store.clone(), slug.clone());
        let loaded = tokio::task::spawn_blocking(move || {
            let here = store.list().is_ok_and(|names| names.contains(&name));
            here.then(|| store.load(&name))
        })
        .await
        .map_err(|e| OwnerError::Nats(e.to_string()))?;
        let (session, files) = match loaded {
            Some(Ok(loaded)) => loaded,
            None => return Ok(false),
            Some(Err(error)) => return Err(OwnerError::Nats(error.to_string())),
        };
        let slot = Slot::created(&session);
        let handle = self.spawn_task(session, files, &slot);
        *slot.state.lock().await = State::Live(handle.clone());
        let stop = CancellationToken::new();
        super::bridge::spawn_bridge(self, cluster, handle.clone(), 1, stop.clone());
        self.owned.insert(slug.clone(), OwnedEntry { handle, stop });
        Ok(true)
    }

    /// Deletes an owned session everywhere: its files, then its cluster record (every
    /// node's watch then forgets the name).
    pub(super) async fn delete_owned(self: &Arc<Hub>, slug: &SessionName) -> std::io::Result<()> {
        let Some((_, entry)) = self.owned.remove(slug) else {
            return Err(std::io::Error::other("this node does not own the session"));
        };
        let deleted = self.delete_task(entry.handle.clone()).await;
        if let Err(error) = deleted {
            self.owned.insert(slug.clone(), entry);
            return Err(error);
        }
        entry.stop.cancel();
        if let Some(cluster) = &self.cluster {
            cluster
                .sessions
                .delete(slug.as_str())
                .await
                .map_err(std::io::Error::other)?;
        }
        Ok(())
    }

    /// Creates a session in the cluster (stand-in: the name by CAS, the files here).
    #[allow(dead_code)] // the owner's `Hub::create` calls it (issue 16, at the merge)
    pub(super) async fn create_clustered(
        self: &Arc<Hub>,
        session: Session,
    ) -> Result<(), CreateError> {
        self.create_standin(session).await
    }

    /// `Hub::install` in a cluster: builds the session and creates it (stand-in).
    pub(super) async fn install_clustered(
        &self,
        build: impl FnOnce() -> Result<Session, CreateError> + Send + 'static,
    ) -> Result<(), CreateError> {
        let session = tokio::task::spawn_blocking(build)
            .await
            .map_err(|e| CreateError::Storage(e.to_string()))??;
        self.create_standin(session).await
    }

    /// [`Hub::create_clustered`] for `&self` callers.
    pub(super) async fn create_standin(&self, session: Session) -> Result<(), CreateError> {
        let cluster = self.cluster.clone().ok_or(CreateError::Taken)?;
        let meta = crate::store::encode_meta(&session.meta)
            .map_err(|e| CreateError::Storage(e.to_string()))?;
        let record = SessionRecord {
            v: WIRE_VERSION,
            meta: serde_json::from_slice(&meta).map_err(|e| CreateError::Storage(e.to_string()))?,
        };
        let slug = session.meta.slug.clone();
        cluster
            .sessions
            .create(slug.as_str(), wire::encode(&record))
            .await
            .map_err(|e| match e.kind() {
                async_nats::jetstream::kv::CreateErrorKind::AlreadyExists => CreateError::Taken,
                _ => CreateError::Storage(e.to_string()),
            })?;
        let store = self.store.clone();
        let slot = Slot::created(&session);
        tokio::task::spawn_blocking(move || store.create(&session).map(drop))
            .await
            .map_err(|e| CreateError::Storage(e.to_string()))?
            .map_err(|e| CreateError::Storage(e.to_string()))?;
        self.sessions.entry(slug.clone()).or_insert(slot);
        // As the real owner does: a new session is owned at once, so any node can serve it.
        if let Some(hub) = self.me.upgrade() {
            hub.ensure_owner(&slug)
                .await
                .map_err(|e| CreateError::Storage(e.to_string()))?;
        }
        Ok(())
    }
}
