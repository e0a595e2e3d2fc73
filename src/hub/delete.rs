//! Deleting a live session so that a failure removes nothing (issue 13, part 8).
//!
//! The session task, the only owner of the session's files, moves its directory aside in one
//! `rename` between two batches. If that fails, nothing was moved, the requester hears the
//! error and the task goes on serving as if nothing happened: the DELETE can be retried. If it
//! succeeds, the hub forgets the name first and only then lets the task end, so connected
//! clients, seeing their event stream end, find the name gone and are told not to reconnect.
//! The moved directory is removed last; what a failed removal leaves in the trash goes at the
//! next start ([`Store::empty_trash`]).

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::registry::{Slot, State};
use super::task::Request;
use super::{Hub, SessionHandle};
use crate::cluster::wire::{self, ControlAction, ControlReply, ControlRequest, WIRE_VERSION};
use crate::session::SessionName;
use crate::store::Store;

/// A request to delete, as the session task holds it until its batch is committed.
pub(super) struct Deletion {
    /// Where the directory went, or why it could not be moved.
    pub(super) reply: oneshot::Sender<io::Result<PathBuf>>,
    /// Fires (or closes) once the hub has forgotten the session: then the task may end.
    pub(super) forgotten: oneshot::Receiver<()>,
}

impl Deletion {
    /// Moves the session's directory aside and tells the requester. `Some` (wait on it, then
    /// stop) when it moved; `None` when nothing moved and the task should keep serving.
    pub(super) async fn retire(
        self,
        store: &Store,
        slug: &SessionName,
    ) -> Option<oneshot::Receiver<()>> {
        let (store, name) = (store.clone(), slug.clone());
        let moved = tokio::task::spawn_blocking(move || store.retire(&name))
            .await
            .unwrap_or_else(|e| Err(io::Error::other(e)));
        let ok = moved.is_ok();
        if let Err(error) = &moved {
            tracing::error!(%error, "could not delete the session; nothing removed, still served");
        }
        let _ = self.reply.send(moved);
        ok.then_some(self.forgotten)
    }
}

impl Hub {
    /// Deletes a session: its directory is moved aside, the name is forgotten (connected
    /// clients are told the session is gone), then the files are removed. An error means
    /// nothing was removed and the session is still served.
    ///
    /// It runs as a task of its own, so a caller that gives up (a client that hangs up
    /// mid-request) cannot leave it half done, the directory moved but the name still known.
    pub async fn delete(self: &Arc<Self>, slug: &SessionName) -> io::Result<()> {
        let (hub, slug) = (self.clone(), slug.clone());
        if self.cluster.is_some() {
            return tokio::spawn(async move { hub.delete_clustered(&slug).await })
                .await
                .unwrap_or_else(|e| Err(io::Error::other(e)));
        }
        tokio::spawn(async move { hub.delete_now(&slug).await })
            .await
            .unwrap_or_else(|e| Err(io::Error::other(e)))
    }

    async fn delete_now(&self, slug: &SessionName) -> io::Result<()> {
        // One at a time, so a retry and the retention sweep never race for the same name.
        let _one_at_a_time = self.deleting.lock().await;
        let Some(slot) = self.sessions.get(slug).map(|s| s.clone()) else {
            return Ok(());
        };
        let mut state = slot.state.clone().lock_owned().await;
        let trash = match &*state {
            State::Gone => return Ok(()),
            State::Live(handle) => {
                // Its task moves the files; holding a handle keeps it from unloading.
                let handle = handle.clone();
                drop(state);
                return self.delete_live(&slot, handle).await;
            }
            // No task: the files are moved aside here, under the lock, so no load starts.
            State::Stored | State::Failed => {
                let (store, name) = (self.store.clone(), slug.clone());
                let moved = tokio::task::spawn_blocking(move || store.retire(&name))
                    .await
                    .unwrap_or_else(|e| Err(io::Error::other(e)))?;
                *state = State::Gone;
                moved
            }
        };
        self.forget(&slot);
        drop(state);
        tracing::info!(session = %slug, "stored session deleted");
        remove_trash(slug, trash).await;
        Ok(())
    }

    /// Deletes a session whose task runs: the task moves the files between two batches.
    async fn delete_live(&self, slot: &Arc<Slot>, handle: SessionHandle) -> io::Result<()> {
        let (reply, moved) = oneshot::channel();
        let (forget, forgotten) = oneshot::channel();
        let deletion = Deletion { reply, forgotten };
        let stopping = || io::Error::other("the session is stopping; try again");
        handle
            .requests
            .send(Request::Delete(deletion))
            .await
            .map_err(|_| stopping())?;
        let trash = moved.await.map_err(|_| stopping())??;
        *slot.state.lock().await = State::Gone;
        self.forget(slot);
        let _ = forget.send(());
        tracing::info!(session = %slot.slug, "session deleted");
        remove_trash(&slot.slug, trash).await;
        Ok(())
    }

    /// Deletes a session of the cluster: its owner deletes it everywhere (`paja.ctl`), then
    /// this node forgets the name at once (the others do when their watch sees the record
    /// go); the relay, finding its slot forgotten, ends, and its connections hear 4004.
    async fn delete_clustered(self: &Arc<Self>, slug: &SessionName) -> io::Result<()> {
        let Some(cluster) = self.cluster.clone() else {
            return Ok(());
        };
        if !self.sessions.contains_key(slug) {
            return Ok(());
        }
        let request = ControlRequest {
            v: WIRE_VERSION,
            action: ControlAction::Delete,
        };
        let never = tokio_util::sync::CancellationToken::new();
        let subject = crate::cluster::subject::control(slug);
        let body = wire::encode(&request);
        let unavailable = || io::Error::other("no node owns the session now; try again");
        let reply = super::relay_calls::ask_owner(self, &cluster, slug, subject, body, &never)
            .await
            .ok_or_else(unavailable)?;
        let reply: ControlReply = wire::decode(&reply.payload).map_err(io::Error::other)?;
        reply.result.map_err(|e| io::Error::other(e.message))?;
        self.forget_cluster(slug).await;
        tracing::info!(session = %slug, "session deleted in the cluster");
        Ok(())
    }

    /// Deletes the files of a task this node runs outside the registry (an owned session of
    /// the cluster): the task moves them aside between batches and stops.
    pub(super) async fn delete_task(&self, handle: SessionHandle) -> io::Result<()> {
        let (reply, moved) = oneshot::channel();
        let (forget, forgotten) = oneshot::channel();
        let stopping = || io::Error::other("the session is stopping; try again");
        handle
            .requests
            .send(Request::Delete(Deletion { reply, forgotten }))
            .await
            .map_err(|_| stopping())?;
        let trash = moved.await.map_err(|_| stopping())??;
        let _ = forget.send(());
        remove_trash(&handle.slug, trash).await;
        Ok(())
    }

    /// Removes `slot`'s name from the registry (unless a new session took it meanwhile).
    pub(super) fn forget(&self, slot: &Arc<Slot>) {
        self.sessions
            .remove_if(&slot.slug, |_, current| Arc::ptr_eq(current, slot));
    }
}

/// Removes a deleted session's directory from the trash.
async fn remove_trash(slug: &SessionName, trash: PathBuf) {
    let removed = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(trash)).await;
    if let Ok(Err(error)) = removed {
        // Unreachable already; the next start empties the trash.
        tracing::warn!(session = %slug, %error, "deleted session's files left in the trash");
    }
}
