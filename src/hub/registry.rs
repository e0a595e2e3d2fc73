//! The registry: every stored session by name, each either Stored (what a lookup needs, read
//! cheaply at start by [`Store::index`]) or Live (a running task and its handle).
//!
//! Each name has a [`Slot`]: its fixed facts (name, series, last change) and its state behind
//! an async mutex. The state changes only under that mutex, so it is the one place where the
//! questions "is there a task?" and "may I start one / stop it?" are answered:
//!
//! - [`Hub::get`] takes the slot's lock; Live: it clones the handle out; Stored: it loads the
//!   files on a blocking thread *holding the lock* and starts the task. Concurrent first joins
//!   of a cold session wait on the lock and find it Live: one load, one task. The lock guard
//!   travels with the blocking load, so a caller that gives up mid-load (a client hanging up)
//!   still leaves the lock held until the load is over: no second load overlaps it.
//! - A task unloads only under the same lock (see `unload.rs`), so a `get` sees either
//!   the running task (and then holds a handle, which stops the unload) or Stored after the
//!   files are closed (and then loads them afresh).
//! - Deletion moves the state to Gone under the lock; a waiter that finds Gone answers "no
//!   such session".
//!
//! Unknown names never touch the disk: a name not in the map is unknown.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::{broadcast, mpsc, Mutex, OwnedMutexGuard};

use super::task::SessionTask;
use super::{Hub, SessionHandle, BROADCAST_CAPACITY, REQUEST_QUEUE};
use crate::keys::parse_hash;
use crate::session::{Millis, SeriesName, Session, SessionName};
use crate::store::{SessionFiles, StoredInfo};

/// One session name in the registry.
pub(super) struct Slot {
    /// Its name.
    pub slug: SessionName,
    /// The series it was made in (fixed at creation): series pages filter without loading.
    pub series: Option<SeriesName>,
    /// When it last changed, ms since the epoch (retention); shared with its task while live.
    pub last_activity: Arc<AtomicU64>,
    /// Whether a task runs for it, changed only under this lock.
    pub state: Arc<Mutex<State>>,
}

/// Where a session is.
pub(super) enum State {
    /// On disk only.
    Stored,
    /// A task owns it; the registry's handle (the one that `get` clones).
    Live(SessionHandle),
    /// Its files did not load (logged once); answered as an unknown name until a restart.
    Failed,
    /// Deleted: a waiter that held the slot finds nothing.
    Gone,
}

/// How many sessions the registry holds and how many of them run a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionCounts {
    /// Sessions with a running task.
    pub live: usize,
    /// Every session on disk, loaded or not.
    pub stored: usize,
}

impl Slot {
    /// A slot for a session found on disk.
    pub(super) fn stored(info: StoredInfo) -> Arc<Self> {
        Arc::new(Slot {
            slug: info.meta.slug,
            series: info.meta.series,
            last_activity: Arc::new(AtomicU64::new(info.last_change_at)),
            state: Arc::new(Mutex::new(State::Stored)),
        })
    }

    /// A slot for a session whose files could not be read at start: listed (its name is
    /// taken), never served, never deleted by retention.
    pub(super) fn failed(slug: SessionName) -> Arc<Self> {
        Arc::new(Slot {
            slug,
            series: None,
            last_activity: Arc::new(AtomicU64::new(Millis::MAX)),
            state: Arc::new(Mutex::new(State::Failed)),
        })
    }

    /// A slot for a session just created, its task about to start.
    pub(super) fn created(session: &Session) -> Arc<Self> {
        Arc::new(Slot {
            slug: session.meta.slug.clone(),
            series: session.meta.series.clone(),
            last_activity: Arc::new(AtomicU64::new(session.last_activity())),
            state: Arc::new(Mutex::new(State::Stored)),
        })
    }
}

/// Counts a running task until dropped (whichever way the task ends).
pub(super) struct LiveGuard(Arc<AtomicUsize>);

impl LiveGuard {
    /// Counts one more running task (or relay) on `live`.
    pub(super) fn count(live: &Arc<AtomicUsize>) -> LiveGuard {
        live.fetch_add(1, Ordering::Relaxed);
        LiveGuard(live.clone())
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Hub {
    /// A session by name, loading it from disk on first use (see the module doc). `None`: no
    /// such session, its files do not load, or the server is stopping and it is not loaded.
    /// In a cluster the slot's task is a relay to the session's owner (`relay.rs`).
    pub async fn get(&self, slug: &str) -> Option<SessionHandle> {
        let slug = SessionName::parse(slug).ok()?;
        let slot = self.sessions.get(&slug).map(|s| s.clone())?;
        let state = slot.state.clone().lock_owned().await;
        match &*state {
            State::Live(handle) => Some(handle.clone()),
            State::Failed | State::Gone => None,
            // No task is started once shutdown began: it would outlive the hub's wait.
            State::Stored if self.shutdown.is_cancelled() => None,
            State::Stored if self.cluster.is_some() => {
                self.me.upgrade()?.start_relay(&slot, state).await
            }
            State::Stored => self.load(&slot, state).await,
        }
    }

    /// Whether a session by that name exists (loaded or not), without loading it: names
    /// that are taken, and whether a connection's session was deleted.
    pub fn exists(&self, slug: &str) -> bool {
        SessionName::parse(slug).is_ok_and(|slug| self.sessions.contains_key(&slug))
    }

    /// Sessions with a running task, and every session on disk.
    pub fn session_counts(&self) -> SessionCounts {
        SessionCounts {
            live: self.live.load(Ordering::Relaxed),
            stored: self.sessions.len(),
        }
    }

    /// Loads `slot`'s files and starts its task, holding its lock throughout.
    async fn load(&self, slot: &Arc<Slot>, state: OwnedMutexGuard<State>) -> Option<SessionHandle> {
        let store = self.store.clone();
        let name = slot.slug.clone();
        let loaded = tokio::task::spawn_blocking(move || (store.load(&name), state)).await;
        let Ok((result, mut state)) = loaded else {
            tracing::error!(session = %slot.slug, "loading the session panicked");
            return None;
        };
        match result {
            Ok((session, files)) => {
                let handle = self.spawn_task(session, files, slot);
                *state = State::Live(handle.clone());
                self.metrics.session_loaded();
                tracing::debug!(session = %slot.slug, "session loaded");
                Some(handle)
            }
            Err(error) => {
                tracing::error!(session = %slot.slug, %error, "could not load session; not served");
                // Never deleted by retention: its files wait for a person to look at them.
                slot.last_activity.store(Millis::MAX, Ordering::Relaxed);
                *state = State::Failed;
                None
            }
        }
    }

    /// Walks every stored session once, in the background after start, one at a time: loads
    /// it (which moves a corrupt snapshot aside and finishes a scrub of erased words that a
    /// crash left owed, as the eager start did) and drops it again, and marks one whose files
    /// do not load as failing (logged once). A session in use meanwhile is skipped: its load
    /// did the same.
    pub(super) fn start_check(self: &Arc<Self>) {
        let hub = Arc::downgrade(self);
        let shutdown = self.shutdown.clone();
        let slots: Vec<Arc<Slot>> = self.sessions.iter().map(|s| s.clone()).collect();
        self.tasks.spawn(async move {
            let started = std::time::Instant::now();
            let count = slots.len();
            for slot in slots {
                let Some(hub) = hub.upgrade().filter(|_| !shutdown.is_cancelled()) else {
                    return;
                };
                hub.check(&slot).await;
            }
            let elapsed_ms = started.elapsed().as_millis() as u64;
            tracing::info!(sessions = count, elapsed_ms, "stored sessions checked");
        });
    }

    /// Loads and drops one stored session (see [`Hub::start_check`]).
    async fn check(&self, slot: &Arc<Slot>) {
        let state = slot.state.clone().lock_owned().await;
        if !matches!(*state, State::Stored) {
            return;
        }
        let store = self.store.clone();
        let name = slot.slug.clone();
        let checked =
            tokio::task::spawn_blocking(move || (store.load(&name).map(drop), state)).await;
        if let Ok((Err(error), mut state)) = checked {
            tracing::error!(session = %slot.slug, %error, "could not load session; not served");
            slot.last_activity.store(Millis::MAX, Ordering::Relaxed);
            *state = State::Failed;
        }
    }

    /// Starts the task that owns `session` (tracked by the hub, so shutdown waits for it).
    /// The caller holds `slot`'s lock and records the handle in it.
    pub(super) fn spawn_task(
        &self,
        session: Session,
        files: SessionFiles,
        slot: &Arc<Slot>,
    ) -> SessionHandle {
        let horizon = session.seq();
        let start = TaskStart {
            phone_horizon: horizon,
            ..TaskStart::default()
        };
        self.spawn_owned(session, files, slot, None, start)
    }

    /// [`Hub::spawn_task`] for a cluster owner (`owner.rs`), with the resume ring its replay
    /// rebuilt and the phones' horizon (`SessionTask::phone_horizon`).
    pub(super) fn spawn_owned(
        &self,
        session: Session,
        files: SessionFiles,
        slot: &Arc<Slot>,
        owner: Option<super::owner::Owner>,
        start: TaskStart,
    ) -> SessionHandle {
        let TaskStart {
            recent,
            phone_horizon,
            scrub_owed,
        } = start;
        let (tx, rx) = mpsc::channel(REQUEST_QUEUE);
        let last_phone_seq = recent
            .iter()
            .map(|frames| super::task::phone_seq(frames))
            .fold(phone_horizon, u64::max);
        // Votes, likes and hides leave no time in the session's state; the files remember.
        let changed = session
            .last_activity()
            .max(files.last_change_at().unwrap_or(0));
        slot.last_activity.fetch_max(changed, Ordering::Relaxed);
        let handle = SessionHandle {
            requests: tx,
            slug: session.meta.slug.clone(),
            series: session.meta.series.clone(),
            key_hash: Arc::new(parse_hash(&session.meta.key_hash)),
            presence: Arc::default(),
            last_activity: slot.last_activity.clone(),
            lease: Arc::default(),
        };
        let (events, _) = broadcast::channel(BROADCAST_CAPACITY);
        let (phone_events, _) = broadcast::channel(BROADCAST_CAPACITY);
        let (all_events, _) = broadcast::channel(BROADCAST_CAPACITY);
        self.live.fetch_add(1, Ordering::Relaxed);
        let actor = SessionTask {
            session,
            files: Some(files),
            store: self.store.clone(),
            clock: self.clock,
            requests: rx,
            events,
            phone_events,
            all_events,
            presence: handle.presence.clone(),
            shutdown: self.shutdown.clone(),
            dirty: Default::default(),
            recent,
            phone_horizon,
            last_phone_seq,
            last_activity: handle.last_activity.clone(),
            deleting: None,
            read_only: false,
            scrub_owed,
            slot: slot.clone(),
            unload_after: Some(self.unload_after).filter(|d| !d.is_zero()),
            last_used: tokio::time::Instant::now(),
            live: Some(LiveGuard(self.live.clone())),
            metrics: self.metrics.clone(),
            owner,
        };
        // No parent: a session loaded by a request must not carry that request's id forever.
        let span = tracing::info_span!(parent: None, "session", slug = %handle.slug);
        self.tasks
            .spawn(tracing::Instrument::instrument(actor.run(), span));
        handle
    }
}

/// What a session task starts from besides its state and files.
#[derive(Default)]
pub(super) struct TaskStart {
    /// The resume ring (a takeover rebuilds it from the replicated journal's tail).
    pub(super) recent: std::collections::VecDeque<Arc<super::Frames>>,
    /// The newest seq phones may have missed outside the ring (`SessionTask::phone_horizon`).
    pub(super) phone_horizon: u64,
    /// An erasure's snapshot and purge are owed (a takeover whose tail held one).
    pub(super) scrub_owed: bool,
}
