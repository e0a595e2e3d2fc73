//! Sessions: one task owns each loaded session's state; a registry maps every stored name to
//! its slot, loaded on first use and unloaded when idle (`registry.rs`, `unload.rs`).
//!
//! A connection talks to its session through a cheap, cloneable [`SessionHandle`]: commands
//! go in over a bounded `mpsc` (the session task is the only writer of the state), events come
//! out over a `broadcast` of frames serialized once per audience and shared by every socket
//! (two, in fact: one for phones and one for the facilitator and projector, so the many
//! staff-only events never wake a phone's task).
//! The registry is a `DashMap` of slots; callers clone a slot out and drop the map guard
//! before awaiting anything (the slot's own async lock is what a load or an unload holds).

mod bridge;
mod cluster_index;
mod cluster_retention;
mod compact;
mod create;
mod owned;
#[cfg(test)]
mod owned_tests;
mod owner;
mod placement;
mod resume;
pub(crate) use compact::erases;
pub(crate) use task::phone_seq;
mod delete;
mod errors;
mod fanout;
mod presence;
mod registry;
mod relay;
mod relay_calls;
mod series;
mod task;
mod timed;
mod unload;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use dashmap::DashMap;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::clock::Clock;
use crate::keys::{hash_key, new_key, random_bytes};
use crate::metrics::Metrics;
pub use crate::protocol::Frames;
use crate::protocol::Role;
#[cfg(test)]
use crate::session::Language;
use crate::session::{
    Command, GroupId, ImportError, ImportTarget, Millis, ParticipantId, SeriesName, Session,
    SessionName,
};
use crate::store::Store;
pub use errors::CommandError;
use presence::Presence;
pub use presence::PresenceGuard;
pub use registry::SessionCounts;
use registry::Slot;
pub use series::{SeriesEntry, SeriesError, SessionSummary};
use task::Request;

/// Requests waiting for a session task; senders wait when it is full (backpressure).
const REQUEST_QUEUE: usize = 4096;
/// Frames a connection may fall behind before it is resynced with a fresh welcome.
const BROADCAST_CAPACITY: usize = 1024;
/// How often expired sessions are swept and idle rate-limit buckets forgotten.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(3600);
/// A live session with no connection and no request for this long is unloaded (15 min: a
/// coffee break keeps it warm; a finished seminar stops costing memory within the hour).
pub const DEFAULT_UNLOAD_AFTER: Duration = Duration::from_secs(15 * 60);

/// What a connection gets when it joins: its welcome (or, resuming, the frames it missed)
/// and its event stream, taken at the same point in the session's history so nothing falls
/// in between.
pub struct Joined {
    /// A `welcome`, or a `resumed` followed by the missed frames: send them in order.
    pub frames: Vec<Utf8Bytes>,
    /// The welcome's seq: events at or below it are already in the welcome.
    pub seq: u64,
    /// The participant's group at that point.
    pub group: Option<GroupId>,
    /// Every later event.
    pub events: broadcast::Receiver<Arc<Frames>>,
}

/// The session task has stopped (shutdown).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the session is not available")]
pub struct Unavailable;

/// A cheap, cloneable handle to one live session.
#[derive(Clone)]
pub struct SessionHandle {
    requests: mpsc::Sender<Request>,
    slug: SessionName,
    key_hash: Arc<[u8; 32]>,
    presence: Arc<Presence>,
    /// When the session last changed, ms since the epoch (for retention).
    last_activity: Arc<AtomicU64>,
    /// The series it was made in (fixed at creation), whose key may read its exports.
    series: Option<SeriesName>,
    /// One count per handle: the task unloads only when the registry's is the last one
    /// (`unload.rs`).
    lease: Arc<()>,
}

impl SessionHandle {
    /// The session's name.
    pub fn slug(&self) -> &SessionName {
        &self.slug
    }

    /// The series it was made in, if any.
    pub fn series(&self) -> Option<&SeriesName> {
        self.series.as_ref()
    }

    /// Whether `key` is this session's facilitator key (constant-time over the hashes).
    pub fn verify_key(&self, key: &str) -> bool {
        crate::keys::verify(&self.key_hash, key)
    }

    /// Joins: a welcome for `role` (or, when `last_seq` is recent enough, the frames missed
    /// since) and the events after it.
    pub async fn join(
        &self,
        role: Role,
        participant: Option<ParticipantId>,
        last_seq: u64,
    ) -> Result<Joined, Unavailable> {
        let (reply, rx) = oneshot::channel();
        self.requests
            .send(Request::Join {
                role,
                participant,
                last_seq,
                reply,
            })
            .await
            .map_err(|_| Unavailable)?;
        rx.await.map_err(|_| Unavailable)
    }

    /// Queues a command; the returned receiver yields its seq once it is durable.
    /// Returning the receiver lets one connection pipeline several submissions.
    pub async fn command(&self, command: Command) -> oneshot::Receiver<Result<u64, CommandError>> {
        self.send_command(command, None).await
    }

    /// [`SessionHandle::command`] for a command relayed from another node of a cluster,
    /// with the id it is retried under.
    pub async fn command_relayed(
        &self,
        command: Command,
        rid: uuid::Uuid,
    ) -> oneshot::Receiver<Result<u64, CommandError>> {
        self.send_command(command, Some(rid)).await
    }

    async fn send_command(
        &self,
        command: Command,
        rid: Option<uuid::Uuid>,
    ) -> oneshot::Receiver<Result<u64, CommandError>> {
        let (reply, rx) = oneshot::channel();
        // If the task is gone, `reply` is dropped with the request and `rx` reports it.
        let _ = self
            .requests
            .send(Request::Command {
                command: Box::new(command),
                reply,
                queued: task::timing().then(std::time::Instant::now),
                rid,
            })
            .await;
        rx
    }

    /// Every frame the session publishes from now on, and the seq they follow (a cluster
    /// owner forwards them to the other nodes).
    pub async fn subscribe_all(
        &self,
    ) -> Result<(u64, broadcast::Receiver<Arc<Frames>>), Unavailable> {
        let (reply, rx) = oneshot::channel();
        self.requests
            .send(Request::Subscribe { reply })
            .await
            .map_err(|_| Unavailable)?;
        rx.await.map_err(|_| Unavailable)
    }

    /// The kept sequenced frames after `since` (`Ok(None)`: not all are kept any more).
    pub async fn ring(&self, since: u64) -> Result<Option<Vec<Arc<Frames>>>, Unavailable> {
        let (reply, rx) = oneshot::channel();
        self.requests
            .send(Request::Ring { since, reply })
            .await
            .map_err(|_| Unavailable)?;
        rx.await.map_err(|_| Unavailable)
    }

    /// The current prompt's whole wall as a phone in `group` sees it (none when its wall is
    /// off): what a phone needs after changing group.
    pub async fn wall(&self, group: Option<GroupId>) -> Option<Utf8Bytes> {
        let (reply, rx) = oneshot::channel();
        self.requests
            .send(Request::Wall { group, reply })
            .await
            .ok()?;
        rx.await.ok().flatten()
    }

    /// A frame built by `build` from the session's state as it is now (`None`: the session
    /// has stopped). Its events up to that state go out to connections before the answer.
    pub async fn view(
        &self,
        build: impl FnOnce(&Session) -> String + Send + 'static,
    ) -> Option<Utf8Bytes> {
        let (reply, rx) = oneshot::channel();
        let build = Box::new(build);
        self.requests
            .send(Request::View { build, reply })
            .await
            .ok()?;
        rx.await.ok().flatten()
    }

    /// A copy of the session's current state (for exports).
    pub async fn read(&self) -> Result<Session, Unavailable> {
        let (reply, rx) = oneshot::channel();
        self.requests
            .send(Request::Read { reply })
            .await
            .map_err(|_| Unavailable)?;
        rx.await.map_err(|_| Unavailable)
    }

    /// Counts `participant` as present until the guard is dropped.
    pub fn present(&self, participant: ParticipantId) -> PresenceGuard {
        if let Ok(mut map) = self.presence.connections.lock() {
            *map.entry(participant).or_default() += 1;
        }
        self.presence.changed.store(true, Ordering::Relaxed);
        PresenceGuard {
            presence: self.presence.clone(),
            participant,
        }
    }
}

/// Why a session could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The name is taken.
    #[error("a session with that name already exists")]
    Taken,
    /// The disk refused.
    #[error("could not store the session: {0}")]
    Storage(String),
    /// The export file cannot be imported.
    #[error(transparent)]
    Invalid(#[from] ImportError),
}

/// What the facilitator gets, once, when creating a session.
#[derive(Debug, Clone)]
pub struct Created {
    /// The session's name.
    pub slug: SessionName,
    /// The facilitator key (192 random bits, hex); only its hash is kept.
    pub key: String,
}

/// Every stored session, loaded or not (`registry.rs`).
pub struct Hub {
    sessions: DashMap<SessionName, Arc<Slot>>,
    /// Sessions with a running task.
    live: Arc<AtomicUsize>,
    /// Idle this long, a live session unloads (zero: never).
    unload_after: Duration,
    store: Store,
    /// The server's clock: time boxes, welcomes, retention.
    clock: Clock,
    shutdown: CancellationToken,
    tasks: TaskTracker,
    /// Held through a deletion, so two deletions (a retry, the retention sweep) never race.
    deleting: tokio::sync::Mutex<()>,
    /// Every series, by name (see [`series`]).
    series: DashMap<SeriesName, Arc<SeriesEntry>>,
    /// What the server counts (`/metrics`): the hub's tasks and connections share it.
    metrics: Arc<Metrics>,
    /// This node's cluster, when it runs as one (`--nats`); `None`: the single server.
    cluster: Option<Arc<crate::cluster::Cluster>>,
    /// Sessions this node owns in the cluster (`owned.rs`; their tasks: the registry's slots
    /// hold relays); empty on a single server.
    owned: DashMap<SessionName, owned::OwnedEntry>,
    /// One claim at a time per session on this node (claims of different sessions run side
    /// by side: a node that died may leave hundreds to take over at once).
    claiming: DashMap<SessionName, Arc<tokio::sync::Mutex<()>>>,
    /// When this node last asked who owns a session on behalf of a waiting request
    /// (`relay_calls::ask_owner`): one check per session per [`relay_calls`] pause, however
    /// many requests wait.
    owner_checks: DashMap<SessionName, std::time::Instant>,
    /// The hub itself, for what a `&self` method starts that must hold the hub (a relay).
    me: std::sync::Weak<Hub>,
}

impl Hub {
    /// [`Hub::start_with`] unloading idle sessions after [`DEFAULT_UNLOAD_AFTER`].
    pub async fn start(
        store: Store,
        clock: Clock,
        shutdown: CancellationToken,
    ) -> std::io::Result<Arc<Hub>> {
        Self::start_with(store, clock, shutdown, DEFAULT_UNLOAD_AFTER).await
    }

    /// Lists every stored session (reading only what a lookup needs: [`Store::index`]); none
    /// is loaded until first used, and a live one unloads when idle for `unload_after` (zero:
    /// never). Removes what a crash left of an unfinished creation and empties the trash. A
    /// session whose files cannot be read is logged and not served.
    pub async fn start_with(
        store: Store,
        clock: Clock,
        shutdown: CancellationToken,
        unload_after: Duration,
    ) -> std::io::Result<Arc<Hub>> {
        Self::start_node(
            store,
            clock,
            shutdown,
            unload_after,
            Arc::new(Metrics::new()),
            None,
        )
        .await
    }

    /// [`Hub::start_with`] with the server's counters, and, for a node of a cluster, its
    /// connection to NATS.
    pub async fn start_node(
        store: Store,
        clock: Clock,
        shutdown: CancellationToken,
        unload_after: Duration,
        metrics: Arc<Metrics>,
        cluster: Option<Arc<crate::cluster::Cluster>>,
    ) -> std::io::Result<Arc<Hub>> {
        let hub = Arc::new_cyclic(|me| Hub {
            me: me.clone(),
            sessions: DashMap::new(),
            live: Arc::default(),
            unload_after,
            store: store.clone(),
            clock,
            shutdown,
            tasks: TaskTracker::new(),
            deleting: tokio::sync::Mutex::new(()),
            series: DashMap::new(),
            metrics,
            cluster,
            owned: DashMap::new(),
            claiming: DashMap::new(),
            owner_checks: DashMap::new(),
        });
        if hub.list_cluster().await? {
            hub.start_placement(String::new());
            return Ok(hub);
        }
        let (stored, failing, series) = tokio::task::spawn_blocking(move || {
            let (mut stored, mut failing) = (Vec::new(), Vec::new());
            for slug in store.list()? {
                match store.index(&slug) {
                    Ok(info) => stored.push(info),
                    Err(crate::store::StoreError::Unfinished) => match store.retire(&slug) {
                        Ok(_) => tracing::warn!(session = %slug, "a creation cut short by a crash (never acknowledged) left this directory; removed to free the name"),
                        Err(e) => tracing::error!(session = %slug, error = %e, "could not remove an unfinished session's directory"),
                    },
                    Err(e) => {
                        tracing::error!(session = %slug, error = %e, "could not read session; not served");
                        failing.push(slug);
                    }
                }
            }
            if let Err(e) = store.empty_trash() {
                tracing::error!(error = %e, "could not empty the trash of deleted sessions");
            }
            Ok::<_, std::io::Error>((stored, failing, store.load_series()?))
        })
        .await
        .map_err(std::io::Error::other)??;
        tracing::info!(
            sessions = stored.len(),
            series = series.len(),
            "sessions listed"
        );
        for one in series {
            hub.series
                .insert(one.name.clone(), Arc::new(SeriesEntry::new(one)));
        }
        for info in stored {
            hub.sessions
                .insert(info.meta.slug.clone(), Slot::stored(info));
        }
        for slug in failing {
            hub.sessions.insert(slug.clone(), Slot::failed(slug));
        }
        hub.start_check();
        hub.start_placement(String::new());
        Ok(hub)
    }

    /// Starts the background sweep: deletes sessions idle longer than `retention_days`
    /// (0: never) and tidies the rate limiters, at startup and then hourly.
    pub fn start_housekeeping(
        self: &Arc<Self>,
        retention_days: u32,
        limits: Arc<crate::limits::Limits>,
    ) {
        let hub = Arc::downgrade(self);
        let shutdown = self.shutdown.clone();
        self.tasks.spawn(async move {
            let mut every = tokio::time::interval(HOUSEKEEPING_EVERY);
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = every.tick() => {}
                }
                let Some(hub) = hub.upgrade() else { return };
                limits.tidy();
                if retention_days > 0 {
                    hub.expire(retention_days, hub.clock.now_ms()).await;
                }
            }
        });
    }

    /// Deletes every session with no activity for `retention_days` before `now` (in a
    /// cluster: those this node sweeps, `cluster_retention.rs`).
    pub async fn expire(self: &Arc<Self>, retention_days: u32, now: Millis) {
        if self.cluster.is_some() {
            self.expire_cluster(retention_days, now).await;
            return;
        }
        let limit = u64::from(retention_days) * 24 * 60 * 60 * 1000;
        // Loaded or not: a stored session is deleted without starting its task.
        let expired: Vec<SessionName> = self
            .sessions
            .iter()
            .filter(|s| now.saturating_sub(s.last_activity.load(Ordering::Relaxed)) > limit)
            .map(|s| s.slug.clone())
            .collect();
        for slug in expired {
            tracing::info!(session = %slug, retention_days, "deleting a session past its retention period");
            if let Err(error) = self.delete(&slug).await {
                tracing::error!(session = %slug, %error, "retention delete failed");
            }
        }
    }

    /// Stops every session task: each finishes its batch, writes a snapshot and exits.
    pub async fn shutdown(&self) {
        self.shutdown.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }

    /// Runs a connection as a task of its own that shutdown waits for (its close frame goes
    /// out before the server stops). Spawned from the upgrade callback rather than awaited
    /// inside axum's upgrade task, so an idle phone costs one small task, not axum's upgrade
    /// state plus ours, and not the connection future twice (`async fn` state holding both
    /// its argument and the tracked future): 13.1 → 8.6 KiB per phone (docs/benchmarks.md).
    pub fn spawn_connection<F>(&self, connection: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        self.tasks.spawn(connection);
    }

    /// The server's clock (exports, pongs and tests read the time from it).
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// This node's cluster (`None`: a single server).
    pub fn cluster(&self) -> Option<&Arc<crate::cluster::Cluster>> {
        self.cluster.as_ref()
    }

    /// What the server counts (one per hub, so one per server).
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The token that tells connections the server is stopping.
    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.shutdown
    }
}

/// What an import needs from outside the pure session: a new facilitator key (returned, to
/// be shown once; only its hash goes into the target), the time and random salt for the
/// participants' fresh ids. Shared by the live import and the offline `paja import`.
pub fn import_target(
    slug: Option<SessionName>,
    title: Option<String>,
    now: Millis,
) -> (String, ImportTarget) {
    let key = new_key();
    let target = ImportTarget {
        slug,
        title,
        key_hash: hash_key(&key),
        now,
        salt: random_bytes(),
    };
    (key, target)
}

#[cfg(test)]
mod registry_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::parse_hash;

    #[test]
    fn keys_are_long_random_and_verify_only_themselves() {
        let a = new_key();
        let b = new_key();
        assert_eq!(a.len(), 48);
        assert_ne!(a, b);
        let hash = parse_hash(&hash_key(&a));
        let (tx, _rx) = mpsc::channel(1);
        let handle = SessionHandle {
            requests: tx,
            slug: SessionName::parse("abc").unwrap(),
            key_hash: Arc::new(hash),
            presence: Arc::default(),
            last_activity: Arc::default(),
            series: None,
            lease: Arc::default(),
        };
        assert!(handle.verify_key(&a));
        assert!(!handle.verify_key(&b));
        assert!(!handle.verify_key(""));
    }

    /// A join handled in the same batch as earlier commands resumes with their frames: its
    /// `resumed` claims the session's seq, which already counts them, so leaving them to the
    /// broadcast (which the connection then drops as already seen) lost them (issue 11). On a
    /// current-thread runtime the command and the join are queued before the task runs, so they
    /// surely share a batch.
    #[tokio::test(flavor = "current_thread")]
    async fn a_resume_in_the_same_batch_as_commands_carries_their_frames() {
        let dir = tempfile::tempdir().unwrap();
        let hub = Hub::start(
            Store::open(dir.path()).unwrap(),
            Clock::system(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
        let slug = SessionName::parse("era").unwrap();
        hub.create(
            slug.clone(),
            "Erä".into(),
            Language::default(),
            Default::default(),
        )
        .await
        .unwrap();
        let handle = hub.get("era").await.unwrap();
        let command = |json: serde_json::Value| serde_json::from_value::<Command>(json).unwrap();
        let draft = serde_json::json!({"kind":"brainstorm","title":"Mitä?"});
        handle
            .command(command(
                serde_json::json!({"type":"add_prompt","prompt":draft}),
            ))
            .await
            .await
            .unwrap()
            .unwrap();
        let seen = handle
            .command(command(serde_json::json!({"type":"next_prompt"})))
            .await
            .await
            .unwrap()
            .unwrap();
        // Both queued before the task runs: one batch.
        let submit = handle
            .command(command(serde_json::json!({
                "type": "submit",
                "participant": uuid::Uuid::new_v4(),
                "item_id": uuid::Uuid::new_v4(),
                "prompt_id": "p1",
                "text": "samassa erässä",
            })))
            .await;
        let joined = handle.join(Role::Screen, None, seen).await.unwrap();
        let frames: Vec<serde_json::Value> = joined
            .frames
            .iter()
            .map(|f| serde_json::from_str(f.as_str()).unwrap())
            .collect();
        assert_eq!(frames[0]["type"], "resumed", "{frames:?}");
        assert_eq!(frames[0]["seq"], seen + 1);
        assert_eq!(joined.seq, seen + 1);
        let added: Vec<_> = frames
            .iter()
            .filter(|f| f["type"] == "item_added")
            .collect();
        assert_eq!(
            added.len(),
            1,
            "the item's frame is in the resume: {frames:?}"
        );
        assert_eq!(added[0]["seq"], seen + 1);
        assert_eq!(submit.await.unwrap().unwrap(), seen + 1);
    }

    /// What `paja::push` debug logs say about a command's batch: each stage's time. Off (the
    /// default filter), nothing is timed; on, one event per batch names every stage.
    #[tokio::test(flavor = "current_thread")]
    async fn batches_log_their_stages_when_push_timing_is_wanted() {
        #[derive(Clone, Default)]
        struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);
        impl std::io::Write for Captured {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter("paja::push=debug")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        assert!(task::timing());
        let dir = tempfile::tempdir().unwrap();
        let hub = Hub::start(
            Store::open(dir.path()).unwrap(),
            Clock::system(),
            CancellationToken::new(),
        )
        .await
        .unwrap();
        let slug = SessionName::parse("ajat").unwrap();
        hub.create(slug, "Ajat".into(), Language::default(), Default::default())
            .await
            .unwrap();
        let draft =
            serde_json::json!({"type":"add_prompt","prompt":{"kind":"brainstorm","title":"?"}});
        let command = serde_json::from_value::<Command>(draft).unwrap();
        let handle = hub.get("ajat").await.unwrap();
        handle.command(command).await.await.unwrap().unwrap();
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let line = log
            .lines()
            .find(|l| l.contains("batch committed") && l.contains("records=1"))
            .unwrap_or_else(|| panic!("no batch logged: {log}"));
        for stage in ["queue_us=", "apply_us=", "journal_us=", "broadcast_us="] {
            assert!(line.contains(stage), "{stage} missing: {line}");
        }
    }
}
