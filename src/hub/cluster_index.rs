//! The registry of a cluster node: every session of the cluster (KV `PAJA_SESSIONS`), not
//! of the local data directory, as Stored slots; a watch keeps it current.
//!
//! At start the bucket's keys are listed and read (so `exists` and lookups answer at once),
//! with the watch opened *first* and replaying every key's last value: whatever changes
//! while the listing runs still arrives, and applying a record twice changes nothing. A
//! session created on another node gets a slot; a deleted one is forgotten, which ends its
//! relay here and tells its connections 4004, as a deletion on a single server does.
//!
//! `Hub::get` on such a slot starts a relay (`relay.rs`) with the meta read afresh from the
//! bucket.
//!
//! Retention in a cluster reads each session's last change from its journal instead
//! (`cluster_retention.rs`): a slot's `last_activity` here is only its creation.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::kv::{Entry, Operation, Watch};
use futures_util::StreamExt;
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::registry::{Slot, State};
use super::series::SeriesEntry;
use super::{Hub, SessionHandle};
use crate::cluster::wire::{self, SessionRecord};
use crate::session::{SessionMeta, SessionName};

/// Pause before the watch is opened again after it ended (NATS gone for a while).
const REWATCH_AFTER: Duration = Duration::from_secs(1);

impl Slot {
    /// A slot for a session of the cluster (not loaded here).
    pub(super) fn clustered(meta: &SessionMeta) -> Arc<Self> {
        Arc::new(Slot {
            slug: meta.slug.clone(),
            series: meta.series.clone(),
            last_activity: Arc::new(AtomicU64::new(meta.created_at)),
            state: Arc::new(Mutex::new(State::Stored)),
        })
    }
}

/// A session record's meta.
fn decode_record(value: &[u8]) -> Option<SessionMeta> {
    let record: SessionRecord = match wire::decode(value) {
        Ok(record) => record,
        Err(error) => {
            tracing::error!(%error, "a cluster session record does not read; not served");
            return None;
        }
    };
    let bytes = serde_json::to_vec(&record.meta).ok()?;
    match crate::store::format::decode_meta(&bytes, "PAJA_SESSIONS") {
        Ok(meta) => Some(meta),
        Err(error) => {
            tracing::error!(%error, "a cluster session's meta does not read; not served");
            None
        }
    }
}

impl Hub {
    /// Lists the cluster's sessions into the registry and starts watching for changes;
    /// `false` (nothing done) on a single server.
    pub(super) async fn list_cluster(self: &Arc<Self>) -> std::io::Result<bool> {
        let Some(cluster) = self.cluster.clone() else {
            return Ok(false);
        };
        let watch = cluster
            .sessions
            .watch_with_history(">")
            .await
            .map_err(std::io::Error::other)?;
        let mut keys = cluster
            .sessions
            .keys()
            .await
            .map_err(std::io::Error::other)?;
        while let Some(key) = keys.next().await {
            let key = key.map_err(std::io::Error::other)?;
            let entry = cluster
                .sessions
                .entry(key)
                .await
                .map_err(std::io::Error::other)?;
            if let Some(entry) = entry.filter(|e| e.operation == Operation::Put) {
                self.learn(&entry.value);
            }
        }
        let store = self.store.clone();
        let series = tokio::task::spawn_blocking(move || store.load_series())
            .await
            .map_err(std::io::Error::other)??;
        for one in series {
            self.series
                .insert(one.name.clone(), Arc::new(SeriesEntry::new(one)));
        }
        tracing::info!(sessions = self.sessions.len(), "cluster sessions listed");
        self.spawn_watch(watch);
        Ok(true)
    }

    /// Adds a slot for a session record, unless its name is known.
    fn learn(&self, value: &[u8]) {
        if let Some(meta) = decode_record(value) {
            self.sessions
                .entry(meta.slug.clone())
                .or_insert_with(|| Slot::clustered(&meta));
        }
    }

    /// Follows `PAJA_SESSIONS` until shutdown, opening the watch again if it ends.
    fn spawn_watch(self: &Arc<Self>, first: Watch) {
        let hub = Arc::downgrade(self);
        let shutdown = self.shutdown.clone();
        self.tasks.spawn(async move {
            let mut watch = Some(first);
            loop {
                if let Some(mut current) = watch.take() {
                    loop {
                        let entry = tokio::select! {
                            _ = shutdown.cancelled() => return,
                            entry = current.next() => entry,
                        };
                        let Some(hub) = hub.upgrade() else { return };
                        match entry {
                            Some(Ok(entry)) => hub.on_record(&entry).await,
                            Some(Err(error)) => {
                                tracing::warn!(%error, "the sessions watch failed");
                                break;
                            }
                            None => break,
                        }
                    }
                }
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(REWATCH_AFTER) => {}
                }
                let Some(hub) = hub.upgrade() else { return };
                let Some(cluster) = hub.cluster.clone() else {
                    return;
                };
                watch = cluster.sessions.watch_with_history(">").await.ok();
            }
        });
    }

    /// One change of `PAJA_SESSIONS`.
    async fn on_record(&self, entry: &Entry) {
        match entry.operation {
            Operation::Put => self.learn(&entry.value),
            Operation::Delete | Operation::Purge => {
                if let Ok(slug) = SessionName::parse(&entry.key) {
                    self.forget_cluster(&slug).await;
                }
            }
        }
    }

    /// Forgets a deleted session of the cluster: its slot becomes Gone (a waiter finds
    /// nothing) and leaves the registry, so its relay ends and its connections hear 4004.
    pub(super) async fn forget_cluster(&self, slug: &SessionName) {
        let Some(slot) = self.sessions.get(slug).map(|s| s.clone()) else {
            return;
        };
        *slot.state.lock().await = State::Gone;
        self.forget(&slot);
        tracing::info!(session = %slug, "session deleted in the cluster; forgotten here");
    }

    /// `get` of a cluster session's Stored slot: starts its relay, holding the slot's lock.
    pub(super) async fn start_relay(
        self: &Arc<Self>,
        slot: &Arc<Slot>,
        mut state: OwnedMutexGuard<State>,
    ) -> Option<SessionHandle> {
        let cluster = self.cluster.clone()?;
        let value = match cluster.sessions.get(slot.slug.as_str()).await {
            Ok(Some(value)) => value,
            Ok(None) => {
                // Deleted meanwhile; the watch forgets it too.
                *state = State::Gone;
                drop(state);
                self.forget(slot);
                return None;
            }
            Err(error) => {
                tracing::warn!(session = %slot.slug, %error, "could not read the session's record");
                return None;
            }
        };
        let meta = decode_record(&value)?;
        let handle = super::relay::spawn_relay(self, cluster, slot, &meta);
        *state = State::Live(handle.clone());
        Some(handle)
    }
}
