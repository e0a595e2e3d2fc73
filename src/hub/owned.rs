//! Owning sessions in a cluster: claiming a session's lease, loading it from JetStream
//! (`cluster::replay`), writing its local files fresh, running its ordinary `SessionTask` with
//! an [`Owner`] hook and its bridge, plus cluster creation, deletion and placement.
//!
//! Placement: every node heartbeats into `PAJA_NODES` every second; the preferred owner of a
//! session is the rendezvous hash (highest `hash(slug, node)`) over live nodes, so a session
//! stays put while nodes come and go unless its own owner leaves. A node that needs a session
//! nobody owns asks the preferred node (`paja.claim.<node>`, 1 s); if that node does not
//! answer, or it is itself the preferred one, it claims the session itself. Either way the
//! KV `create` decides: only one claim ever wins.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::bridge::spawn_bridge;
use super::owner::Owner;
use super::placement::preferred_node;
use super::registry::{Slot, State};
use super::{CreateError, Hub, SessionHandle};
use crate::cluster::lease::{holder, ClaimError, Lease};
use crate::cluster::wire::{self, ClaimReply, ClaimRequest, SessionRecord, WIRE_VERSION};
use crate::cluster::{replay, snapshot, Cluster};
use crate::session::{Session, SessionName};

/// Why this node could not find out who owns a session, or take it.
#[derive(Debug, thiserror::Error)]
#[cfg_attr(not(test), allow(dead_code))]
pub enum OwnerError {
    /// NATS failed (or the session's log does not verify; see the log).
    #[error("NATS: {0}")]
    Nats(String),
    /// No such session in `PAJA_SESSIONS`.
    #[error("the session is not in the cluster")]
    Unknown,
}

/// A session this node owns: its task's handle and the token that ends its bridge.
pub(super) struct OwnedEntry {
    #[allow(dead_code)] // the edge's relay on this node talks to it through NATS
    pub handle: SessionHandle,
    #[allow(dead_code)] // for the edge: an owner map with epochs
    pub epoch: u64,
    /// Cancelled when the task ends (deposed, released, deleted, stopped).
    pub stop: CancellationToken,
}

impl Hub {
    fn cluster_or(&self) -> Result<Arc<Cluster>, OwnerError> {
        self.cluster
            .clone()
            .ok_or_else(|| OwnerError::Nats("not a cluster".into()))
    }

    /// The handle of a session this node owns now.
    pub(super) fn owned_handle(&self, slug: &SessionName) -> Option<SessionHandle> {
        let entry = self.owned.get(slug)?;
        (!entry.stop.is_cancelled()).then(|| entry.handle.clone())
    }

    /// Whether a request waiting for `slug`'s owner should look who owns it now: true at
    /// most once per `every` per session on this node, so a few hundred waiting requests
    /// cost one KV read per period, not one each.
    pub(super) fn owner_check_due(&self, slug: &SessionName, every: Duration) -> bool {
        let now = std::time::Instant::now();
        if self.owner_checks.len() > 4096 {
            self.owner_checks
                .retain(|_, at| now.duration_since(*at) < Duration::from_secs(60));
        }
        let mut due = false;
        self.owner_checks
            .entry(slug.clone())
            .and_modify(|at| {
                if now.duration_since(*at) >= every {
                    *at = now;
                    due = true;
                }
            })
            .or_insert_with(|| {
                due = true;
                now
            });
        due
    }

    /// Makes sure somebody owns `slug`: Ok(true) when this node does now, Ok(false) when
    /// another node holds the lease (or was asked to take it and did).
    #[cfg_attr(not(test), allow(dead_code))] // the edge's relay and bridge call it
    pub(super) async fn ensure_owner(
        self: &Arc<Hub>,
        slug: &SessionName,
    ) -> Result<bool, OwnerError> {
        if self.owned_handle(slug).is_some() {
            return Ok(true);
        }
        let cluster = self.cluster_or()?;
        match cluster.sessions.get(slug.as_str()).await {
            Ok(Some(_)) => {}
            Ok(None) => return Err(OwnerError::Unknown),
            Err(error) => return Err(OwnerError::Nats(error.to_string())),
        }
        if let Some(node) = holder(&cluster, slug).await {
            // Our own name with no task here: a lease of this node's previous life, which
            // expires; until then the session waits.
            return Ok(node == cluster.node() && self.owned_handle(slug).is_some());
        }
        let preferred = preferred_node(&cluster, slug).await;
        if let Some(node) = preferred.filter(|n| n != cluster.node()) {
            let request = ClaimRequest {
                v: WIRE_VERSION,
                slug: slug.clone(),
            };
            let asked = cluster.client.request(
                crate::cluster::subject::claim(&node),
                wire::encode(&request),
            );
            if let Ok(Ok(reply)) = tokio::time::timeout(Duration::from_secs(1), asked).await {
                if wire::decode::<ClaimReply>(&reply.payload).is_ok_and(|r| r.owned) {
                    return Ok(false);
                }
            }
        }
        self.claim_here(slug).await
    }

    /// Claims `slug` for this node and starts serving it (Ok(false): someone else won).
    pub(super) async fn claim_here(
        self: &Arc<Hub>,
        slug: &SessionName,
    ) -> Result<bool, OwnerError> {
        let cluster = self.cluster_or()?;
        let one = self.claiming.entry(slug.clone()).or_default().clone();
        let _one = one.lock().await;
        let claimed = self.claim_locked(&cluster, slug).await;
        self.claiming.remove_if(slug, |_, lock| {
            Arc::ptr_eq(lock, &one) && Arc::strong_count(lock) <= 2
        });
        claimed
    }

    /// [`Hub::claim_here`] under the session's claim lock.
    async fn claim_locked(
        self: &Arc<Hub>,
        cluster: &Arc<Cluster>,
        slug: &SessionName,
    ) -> Result<bool, OwnerError> {
        if self.owned_handle(slug).is_some() {
            return Ok(true);
        }
        if self.shutdown.is_cancelled() {
            return Ok(false);
        }
        let lease = match Lease::claim(cluster, slug).await {
            Ok(lease) => lease,
            Err(ClaimError::Held(_)) => return Ok(false),
            Err(ClaimError::Nats(error)) => return Err(OwnerError::Nats(error)),
        };
        match self.start_owned(cluster, slug, lease.clone()).await {
            Ok(()) => Ok(true),
            Err(error) => {
                tracing::error!(session = %slug, %error, "could not take the session over; releasing it");
                lease.release().await;
                Err(error)
            }
        }
    }

    /// Loads the session from the cluster under a fresh lease, rewrites its local files and
    /// starts its task and bridge.
    async fn start_owned(
        self: &Arc<Hub>,
        cluster: &Arc<Cluster>,
        slug: &SessionName,
        lease: Arc<Lease>,
    ) -> Result<(), OwnerError> {
        let now = self.clock.now_ms();
        let loaded = replay::load(cluster, slug, &lease, now)
            .await
            .map_err(|e| match e {
                replay::ReplayError::Unknown => OwnerError::Unknown,
                other => OwnerError::Nats(other.to_string()),
            })?;
        let epoch = lease.epoch();
        // No snapshot at the claim: the next takeover replays from the older one, and so
        // rebuilds a whole resume ring (a snapshot here would leave the next owner a ring
        // of only what came after it, and phones a fresh welcome instead of `resumed`).
        let files = self.write_fresh(loaded.session.clone()).await?;
        let stop = CancellationToken::new();
        let owner = Owner::new(
            cluster.clone(),
            lease.clone(),
            loaded.journal,
            loaded.rids,
            stop.clone(),
        );
        let slot = Slot::created(&loaded.session);
        let start = super::registry::TaskStart {
            recent: loaded.ring,
            phone_horizon: loaded.phone_horizon,
            scrub_owed: loaded.erasure_owed,
        };
        let handle = self.spawn_owned(loaded.session, files, &slot, Some(owner), start);
        if let Ok(mut state) = slot.state.try_lock() {
            *state = State::Live(handle.clone());
        }
        let entry = OwnedEntry {
            handle: handle.clone(),
            epoch,
            stop: stop.clone(),
        };
        self.owned.insert(slug.clone(), entry);
        spawn_bridge(self, cluster.clone(), handle, lease, stop);
        tracing::info!(session = %slug, epoch, "this node owns the session");
        Ok(())
    }

    /// Replaces the session's local directory with its state as loaded (a snapshot and an
    /// empty journal): the local copy is the second line, never the source of a takeover.
    async fn write_fresh(
        &self,
        session: Session,
    ) -> Result<crate::store::SessionFiles, OwnerError> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let slug = session.meta.slug.clone();
            match store.retire(&slug) {
                Ok(trash) => {
                    let _ = std::fs::remove_dir_all(trash);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(OwnerError::Nats(format!("local files: {e}"))),
            }
            store
                .create(&session)
                .map_err(|e| OwnerError::Nats(format!("local files: {e}")))
        })
        .await
        .map_err(|e| OwnerError::Nats(e.to_string()))?
    }

    /// `Hub::create`/`import` in a cluster: builds the session (CPU work, off the async
    /// workers) and registers it ([`Hub::register_clustered`]); no local task starts here.
    pub(super) async fn install_clustered(
        &self,
        build: impl FnOnce() -> Result<Session, CreateError> + Send + 'static,
    ) -> Result<(), CreateError> {
        let session = tokio::task::spawn_blocking(build)
            .await
            .map_err(|e| CreateError::Storage(e.to_string()))??;
        self.register_clustered(&session).await?;
        // Known here at once (the other nodes learn it from the bucket's watch), and owned
        // at once by its preferred node, so the first phone finds it served.
        let slug = session.meta.slug.clone();
        self.sessions
            .entry(slug.clone())
            .or_insert_with(|| super::registry::Slot::clustered(&session.meta));
        if let Some(hub) = self.me.upgrade() {
            if let Err(error) = hub.ensure_owner(&slug).await {
                tracing::warn!(session = %slug, %error, "new session not claimed yet; its first use claims it");
            }
        }
        Ok(())
    }

    /// Registers a new session in the cluster: its name by CAS in `PAJA_SESSIONS` (taken once
    /// cluster-wide) and its first snapshot. Nobody owns it yet; the first use claims it.
    pub(super) async fn register_clustered(&self, session: &Session) -> Result<(), CreateError> {
        let Some(cluster) = self.cluster.clone() else {
            return Err(CreateError::Storage("not a cluster".into()));
        };
        let meta = crate::store::encode_meta(&session.meta)
            .map_err(|e| CreateError::Storage(e.to_string()))?;
        let record = SessionRecord {
            v: WIRE_VERSION,
            meta: serde_json::from_slice(&meta).map_err(|e| CreateError::Storage(e.to_string()))?,
        };
        let slug = session.meta.slug.as_str();
        // The name first (never overwrite another session's snapshot), then its first state;
        // until that is in, a claim finds no snapshot and fails (the caller retries).
        match cluster.sessions.create(slug, wire::encode(&record)).await {
            Ok(_) => {}
            Err(e) if e.kind() == async_nats::jetstream::kv::CreateErrorKind::AlreadyExists => {
                return Err(CreateError::Taken)
            }
            Err(e) => return Err(CreateError::Storage(e.to_string())),
        }
        if let Err(error) = snapshot::put(&cluster, session, 0, "", 0, session.seq()).await {
            let _ = cluster.sessions.purge(slug).await;
            return Err(CreateError::Storage(error.to_string()));
        }
        Ok(())
    }

    /// Deletes a session everywhere (the bridge's `Delete`, or a deletion on this node): the
    /// name first (so nobody claims it again), then the owner's task (today's delete flow:
    /// its files go, its connections end), the journal subject, the snapshot and the lease.
    #[cfg_attr(not(test), allow(dead_code))] // the edge's relay and bridge call it
    pub(super) async fn delete_owned(self: &Arc<Hub>, slug: &SessionName) -> std::io::Result<()> {
        let cluster = self.cluster_or().map_err(std::io::Error::other)?;
        let nats = |e: String| std::io::Error::other(format!("NATS: {e}"));
        cluster
            .sessions
            .purge(slug.as_str())
            .await
            .map_err(|e| nats(e.to_string()))?;
        if let Some(handle) = self.owned_handle(slug) {
            // The name is gone already: a failed move leaves files only on this node, which
            // the next claim of a new session by that name replaces.
            if let Err(error) = self.delete_task(handle).await {
                tracing::warn!(session = %slug, %error, "the owner's local files were not moved aside");
            }
            if let Some((_, entry)) = self.owned.remove(slug) {
                entry.stop.cancel();
            }
        }
        let journal =
            crate::cluster::journal::ClusterJournal::open(&cluster, slug, 0, 0, String::new())
                .await
                .map_err(|e| nats(e.to_string()))?;
        journal.purge_all().await.map_err(|e| nats(e.to_string()))?;
        snapshot::delete(&cluster, slug)
            .await
            .map_err(|e| nats(e.to_string()))?;
        let _ = cluster.owners.purge(slug.as_str()).await;
        tracing::info!(session = %slug, "session deleted from the cluster");
        Ok(())
    }

    /// Creates a session in the cluster and makes sure somebody owns it.
    #[cfg_attr(not(test), allow(dead_code))] // the edge's relay and bridge call it
    pub(super) async fn create_clustered(
        self: &Arc<Hub>,
        session: Session,
    ) -> Result<(), CreateError> {
        let slug = session.meta.slug.clone();
        self.register_clustered(&session).await?;
        if let Err(error) = self.ensure_owner(&slug).await {
            // Created all the same: the first use claims it.
            tracing::warn!(session = %slug, %error, "new session not claimed yet");
        }
        Ok(())
    }
}
