//! Who is connected: participants counted by distinct id, kept by a guard whose `Drop`
//! removes them, so every way a connection ends is counted.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::session::ParticipantId;

/// Connected participants of one session, counted by distinct participant id.
#[derive(Debug, Default)]
pub(super) struct Presence {
    pub(super) connections: Mutex<HashMap<ParticipantId, u32>>,
    pub(super) changed: AtomicBool,
}

impl Presence {
    pub(super) fn count(&self) -> usize {
        self.connections.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// The participants present now.
    pub(super) fn present(&self) -> Vec<ParticipantId> {
        self.connections
            .lock()
            .map(|m| m.keys().copied().collect())
            .unwrap_or_default()
    }
}

/// Keeps a participant counted as present until dropped, whichever way the connection ends.
pub struct PresenceGuard {
    pub(super) presence: Arc<Presence>,
    pub(super) participant: ParticipantId,
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        if let Ok(mut map) = self.presence.connections.lock() {
            if let Some(n) = map.get_mut(&self.participant) {
                *n -= 1;
                if *n == 0 {
                    map.remove(&self.participant);
                }
            }
        }
        self.presence.changed.store(true, Ordering::Relaxed);
    }
}
