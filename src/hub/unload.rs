//! Unloading an idle session: its task writes a snapshot, closes its files and stops, and the
//! registry's entry goes back to Stored, so a server holding a year of seminars keeps in
//! memory only the ones in use.
//!
//! A live session is idle when no request reached it for `unload_after` and it has no time
//! box running (`Session::next_deadline`: the tick that closes it must run first). Then its
//! task takes the registry slot's lock and checks, under it, that nobody but the registry
//! holds a [`SessionHandle`] (each handle carries a lease, an `Arc` whose count is the number
//! of handles), that no request is queued and that nobody is connected or subscribed.
//!
//! Why no request is lost or refused, and no session ever has two tasks:
//!
//! 1. Every request reaches a task through a handle, and handles come only from the registry,
//!    cloned under the slot's lock ([`Hub::get`](super::Hub::get)).
//! 2. The task decides under that same lock. With a lease count of one (the registry's own
//!    handle) nobody outside holds a handle, and none can get one until the lock is released,
//!    so no request can be sent any more; the queue was empty, so none is in flight either.
//!    A count above one (a connection, an HTTP request, a deletion between its awaits) means
//!    somebody may still send: the task stays and tries again after another `unload_after`.
//!    The count can only be too high (a clone being dropped), never too low, so a wrong read
//!    delays an unload and never allows a wrong one.
//! 3. Still under the lock the task closes its queue, writes its snapshot and drops its files
//!    (the journal's descriptor). Only then does the slot become Stored and the lock go. A
//!    `get` waiting on the lock meanwhile finds Stored and loads the files afresh: the old
//!    task has written its last byte, so the journal never has two writers, and the new task
//!    starts from everything the old one acknowledged (it was all fsynced to the journal
//!    before being acknowledged; the snapshot only saves the replay).
//! 4. A failed snapshot loses nothing: the journal holds every acknowledged command and the
//!    next load replays it.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::time::Instant;

use super::registry::State;
use super::task::SessionTask;

impl SessionTask {
    /// When the session becomes idle enough to unload, if it can unload at all: never with
    /// `unload_after` off, with a time box running (`deadline`) or when read-only (its memory
    /// may be ahead of its disk; a restart is what mends it).
    pub(super) fn idle_at(&self, deadline: bool) -> Option<Instant> {
        let after = self.unload_after?;
        (!deadline && !self.read_only && !self.scrub_owed).then(|| self.last_used + after)
    }

    /// Unloads the session if nobody uses it (see the module doc); whether it did, in which
    /// case the task must end without touching its files again.
    pub(super) async fn unload(&mut self) -> bool {
        if self.owner.is_some() {
            return self.unload_owned().await;
        }
        let slot = self.slot.clone();
        let mut state = slot.state.lock().await;
        let State::Live(handle) = &*state else {
            return false;
        };
        let used = Arc::strong_count(&handle.lease) > 1
            || !self.requests.is_empty()
            || self.presence.count() > 0
            || self.events.receiver_count() > 0
            || self.phone_events.receiver_count() > 0
            || self.session.next_deadline().is_some()
            || self.deleting.is_some();
        if used {
            return false;
        }
        self.requests.close();
        if !self.snapshot().await {
            tracing::warn!("unloading without a fresh snapshot; the journal holds everything");
        }
        // Closes the journal before anyone may open it again.
        self.files = None;
        // No longer counted as live once another task may start.
        self.live = None;
        *state = State::Stored;
        drop(state);
        self.metrics.session_unloaded();
        tracing::debug!(
            seq = self.session.seq(),
            last_change = self.last_activity.load(Ordering::Relaxed),
            "idle session unloaded"
        );
        true
    }
}

impl SessionTask {
    /// A cluster owner idle for `unload_after` (no request from any node, no time box): a
    /// final snapshot, here and in `PAJA_SNAP`, then the lease goes back, so the next request
    /// from any node claims it afresh (`owned.rs`). Requests that raced in find the queue
    /// closed and are retried by their relays with the same rid.
    async fn unload_owned(&mut self) -> bool {
        let used = !self.requests.is_empty()
            || self.presence.count() > 0
            || self.session.next_deadline().is_some()
            || self.deleting.is_some();
        if used {
            return false;
        }
        self.requests.close();
        if !self.snapshot().await {
            tracing::warn!("releasing without a fresh snapshot; the journal holds everything");
        }
        self.files = None;
        self.live = None;
        self.release().await;
        self.metrics.session_unloaded();
        tracing::debug!(seq = self.session.seq(), "idle owned session released");
        true
    }
}
