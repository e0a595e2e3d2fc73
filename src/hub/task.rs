//! The task that owns one live session.
//!
//! It takes requests in batches: everything already queued when it wakes (up to
//! [`MAX_BATCH`]) is applied to the state machine in order, the accepted commands are written
//! to the journal with one write and one fsync (group commit), and only then are events
//! broadcast and replies sent. So nothing anyone sees (an ack, an item on the projector, a
//! welcome) was ever at risk of being lost by a crash.
//!
//! Fast-changing derived views are coalesced: results of polls, scales, word clouds and dot
//! votes, and the wall of items on phones, are marked dirty by events and flushed at most
//! every [`FLUSH_EVERY`] as one frame per audience. The task also watches the time (on the
//! hub's [`Clock`]): when an auto-closing prompt's time runs out it applies a journaled `Tick`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::compact::erases;
use super::delete::Deletion;
use super::fanout::Dirty;
use super::registry::{LiveGuard, Slot};
use super::timed::Timed;
use super::{CommandError, Frames, Joined, Presence};
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::protocol::{self, audience, Role, Topic};
use crate::session::{Command, GroupId, ParticipantId, Session};
use crate::store::{self, SessionFiles, Store};

/// Most requests handled in one batch (one fsync); bounds the latency of the first in line.
const MAX_BATCH: usize = 2048;
/// How often coalesced results and wall changes go out (so ≤ 5 such frames a second).
const FLUSH_EVERY: Duration = Duration::from_millis(200);
/// Participant counts go out every this many flush ticks (once a second).
const PRESENCE_TICKS: u32 = 5;

/// What a [`SessionHandle`] asks of its session's task.
pub(super) enum Request {
    /// A connection's welcome (or resume) and its event stream, taken at one point.
    Join {
        role: Role,
        participant: Option<ParticipantId>,
        last_seq: u64,
        reply: oneshot::Sender<Joined>,
    },
    /// Move the files aside between batches, then stop without a snapshot (`delete`).
    Delete(Deletion),
    /// The current prompt's whole wall for a phone in `group`.
    Wall {
        group: Option<GroupId>,
        reply: oneshot::Sender<Option<Utf8Bytes>>,
    },
    /// A command; the reply once it is durable. Boxed: a command (a prompt's draft with its
    /// translations) is many times the size of every other request.
    Command {
        command: Box<Command>,
        reply: oneshot::Sender<Result<u64, CommandError>>,
        /// When it was sent, if push stages are being timed ([`timing`]).
        queued: Option<std::time::Instant>,
        /// A relayed command's id (cluster): the same on every retry, so the owner can answer
        /// a retry with the first result instead of applying it twice.
        rid: Option<uuid::Uuid>,
    },
    /// Every frame the task publishes from now on, to every audience, with the seq they
    /// follow: what a cluster owner's bridge forwards to the other nodes.
    Subscribe {
        reply: oneshot::Sender<(u64, broadcast::Receiver<Arc<Frames>>)>,
    },
    /// The kept sequenced frames after `since` (`None`: not all of them are kept any more).
    Ring {
        since: u64,
        reply: oneshot::Sender<Option<Vec<Arc<Frames>>>>,
    },
    /// A copy of the state (exports).
    Read { reply: oneshot::Sender<Session> },
    /// A frame built from the state as it is now (a page of the facilitator's items). The
    /// reply goes out with the batch's, after its events: a connection that awaits it has
    /// every event the frame reflects queued before any event it does not.
    View {
        build: Box<dyn FnOnce(&Session) -> String + Send>,
        reply: oneshot::Sender<Option<Utf8Bytes>>,
    },
}

/// One live session's owner: its state, its files and its channels.
pub(super) struct SessionTask {
    pub session: Session,
    /// `None` only while a blocking write has it.
    pub files: Option<SessionFiles>,
    pub store: Store,
    /// The server's clock.
    pub clock: Clock,
    pub requests: mpsc::Receiver<Request>,
    /// Frames for the facilitator and the projector.
    pub events: broadcast::Sender<Arc<Frames>>,
    /// Frames for phones: their own channel, see [`SessionTask::publish`].
    pub phone_events: broadcast::Sender<Arc<Frames>>,
    /// Every frame, for a cluster owner's bridge ([`Request::Subscribe`]); no receiver on a
    /// single server, where a send costs one atomic load.
    pub all_events: broadcast::Sender<Arc<Frames>>,
    pub presence: Arc<Presence>,
    pub shutdown: CancellationToken,
    pub dirty: Dirty,
    /// The latest sequenced frames, for replaying to a client that resumes after a short
    /// disconnection instead of sending it a whole welcome.
    pub recent: VecDeque<Arc<Frames>>,
    /// The newest seq a phone may have missed that is not in `recent` (a frame for phones
    /// that left the ring, or the point the ring starts from after a load or an erasure):
    /// a phone that saw up to here resumes even when staff frames before it are gone, since
    /// most events (other people's items, votes) never reach phones at all.
    pub phone_horizon: u64,
    /// The seq of the newest frame phones got anything from. A replicated snapshot carries
    /// it, so a phone that has seen it resumes on the next owner even though the ring that
    /// owner rebuilds starts at the snapshot (`cluster::replay`).
    pub last_phone_seq: u64,
    /// When the session last changed (shared with its handle, for retention).
    pub last_activity: Arc<AtomicU64>,
    /// Set when the session is asked to delete itself, until the batch is committed.
    pub deleting: Option<Deletion>,
    /// Set when a write failed and the reload after it failed too: memory may be ahead of
    /// the disk, so nothing is applied or shown from it any more (until a restart).
    pub read_only: bool,
    /// An erasure committed whose words are still in the files ([`SessionTask::scrub`]).
    pub scrub_owed: bool,
    /// Its registry entry, whose lock an unload takes (`unload.rs`).
    pub slot: Arc<Slot>,
    /// Idle this long, it unloads (`None`: never).
    pub unload_after: Option<Duration>,
    /// When it last handled a request.
    pub last_used: Instant,
    /// Counts the task as live until it ends (or, unloading, until it gives its slot back).
    pub live: Option<LiveGuard>,
    /// The server's counters (batch sizes, fsync times, journal failures).
    pub metrics: Arc<Metrics>,
    /// Set when this node is the session's cluster owner (`owner.rs`); `None`: single server.
    pub owner: Option<super::owner::Owner>,
}

/// Frames kept for resuming clients (as many as a connection may lag before a resync).
const RECENT_CAPACITY: usize = 1024;

/// What a batch produced, held back until the journal is durable.
#[derive(Default)]
struct Batch {
    journal: Vec<u8>,
    records: usize,
    events: Vec<Arc<Frames>>,
    /// How many of `events` never enter the resume ring: those before an erasure in this
    /// batch, which may carry the erased text (they are still broadcast, once).
    unkept: usize,
    replies: Vec<Reply>,
    /// Relayed commands accepted in the batch: ack seq and rid (cluster owner).
    rids: Vec<(u64, uuid::Uuid)>,
    /// The stages' times, when they are wanted ([`timing`]).
    timed: Option<Timed>,
}

/// Whether each batch's stages are timed and logged: only when `paja::push` debug events are
/// wanted (`RUST_LOG=paja::push=debug`). Otherwise no clock is read; the check itself is a
/// cached callsite interest.
pub(super) fn timing() -> bool {
    tracing::enabled!(target: "paja::push", tracing::Level::DEBUG)
}

enum Reply {
    Command(
        oneshot::Sender<Result<u64, CommandError>>,
        Result<u64, CommandError>,
    ),
    Join(oneshot::Sender<Joined>, Joined),
    Read(oneshot::Sender<Session>, Box<Session>),
    Wall(oneshot::Sender<Option<Utf8Bytes>>, Option<Utf8Bytes>),
}

impl SessionTask {
    pub async fn run(mut self) {
        let slug = self.session.meta.slug.clone();
        let mut flush = tokio::time::interval(FLUSH_EVERY);
        flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut ticks: u32 = 0;
        // Once the files are moved aside for deletion: fires when the hub has forgotten us.
        let mut deleted = None;
        let deposed = self.deposed().unwrap_or_default();
        if self.scrub_owed {
            // A takeover whose replayed tail held an erasure: its snapshot and purge again.
            self.scrub().await;
        }
        loop {
            // A few ms past the deadline, so the tick surely finds the time up (no spinning on
            // a deadline that rounds a millisecond early).
            let deadline = self
                .session
                .next_deadline()
                .filter(|_| !self.read_only)
                .map(|at| self.clock.instant_at(at) + Duration::from_millis(5));
            let idle = self.idle_at(deadline.is_some());
            let first = tokio::select! {
                _ = self.shutdown.cancelled() => break,
                _ = deposed.cancelled(), if self.owner.is_some() => break,
                request = self.requests.recv() => match request {
                    Some(request) => request,
                    None => break,
                },
                _ = flush.tick() => {
                    self.flush();
                    ticks = ticks.wrapping_add(1);
                    if ticks.is_multiple_of(PRESENCE_TICKS) {
                        self.publish_presence();
                    }
                    continue;
                }
                _ = sleep_until(deadline), if deadline.is_some() => {
                    // The clock is a command like any other: journaled, so a replay closes
                    // the same prompts at the same times.
                    let (reply, _) = oneshot::channel();
                    Request::Command { command: Box::new(Command::Tick), reply, queued: None, rid: None }
                }
                _ = sleep_until(idle), if idle.is_some() => {
                    if self.unload().await {
                        return;
                    }
                    self.last_used = Instant::now();
                    continue;
                }
            };
            let mut batch = Batch {
                timed: timing().then(Timed::start),
                ..Batch::default()
            };
            self.handle(first, &mut batch);
            while batch.replies.len() < MAX_BATCH {
                match self.requests.try_recv() {
                    Ok(request) => self.handle(request, &mut batch),
                    Err(_) => break,
                }
            }
            self.commit(batch).await;
            self.last_used = Instant::now();
            if let Some(deletion) = self.deleting.take() {
                deleted = deletion.retire(&self.store, &slug).await;
                if deleted.is_some() {
                    break;
                }
            }
            if self.scrub_owed {
                self.scrub().await;
            }
            if self.files.as_ref().is_some_and(|f| f.wants_snapshot()) {
                self.snapshot().await;
            }
        }
        self.stop(deleted).await;
    }

    /// Stopping (shutdown or deletion): what is already queued is still handled, then a final
    /// snapshot, or, deleted, no snapshot once the hub has forgotten the session.
    async fn stop(mut self, deleted: Option<oneshot::Receiver<()>>) {
        let slug = self.session.meta.slug.clone();
        self.requests.close();
        let mut batch = Batch::default();
        while let Ok(request) = self.requests.try_recv() {
            self.handle(request, &mut batch);
        }
        self.commit(batch).await;
        if let Some(forgotten) = deleted {
            let _ = forgotten.await;
            tracing::info!(session = %slug, "session task stopped for deletion");
            // Dropping the task drops the broadcast sender: connections see the end.
            return;
        }
        if let Some(owner) = self.owner.as_mut() {
            // A compaction's upload still running is dropped, not waited for: the successor
            // waits for this release, and a big session's upload takes seconds (the older
            // snapshot stays; the successor replays a longer tail, which is quick).
            if let Some(upload) = owner.upload.take() {
                upload.abort();
            }
            // The local copy only: a replicated snapshot now would cut the next owner's
            // resume ring short (see `owned.rs`); the replay of the tail is quick.
            self.snapshot_local().await;
        } else {
            self.snapshot().await;
        }
        self.release().await;
        tracing::info!(session = %slug, seq = self.session.seq(), "session stopped");
    }

    fn handle(&mut self, request: Request, batch: &mut Batch) {
        if self.read_only {
            return self.refuse(request);
        }
        match request {
            Request::Command {
                command,
                reply,
                queued,
                rid,
            } => {
                if let (Some(timed), Some(queued)) = (&mut batch.timed, queued) {
                    timed.oldest_queued =
                        Some(timed.oldest_queued.map_or(queued, |q| q.min(queued)));
                }
                if let Some(seq) = self.known_rid(rid) {
                    return batch.replies.push(Reply::Command(reply, Ok(seq)));
                }
                self.apply(*command, reply, batch);
                if let (Some(rid), Some(Reply::Command(_, Ok(seq)))) = (rid, batch.replies.last()) {
                    batch.rids.push((*seq, rid));
                }
            }
            Request::Join {
                role,
                participant,
                last_seq,
                reply,
            } => self.join(role, participant, last_seq, reply, batch),
            Request::Delete(deletion) => {
                self.deleting = Some(deletion);
            }
            Request::Wall { group, reply } => {
                let wall = self
                    .session
                    .current_prompt()
                    .filter(|p| p.draft.wall)
                    .map(|p| Utf8Bytes::from(self.full_wall(p, group.as_ref())));
                batch.replies.push(Reply::Wall(reply, wall));
            }
            Request::View { build, reply } => {
                let frame = Utf8Bytes::from(build(&self.session));
                batch.replies.push(Reply::Wall(reply, Some(frame)));
            }
            Request::Read { reply } => {
                batch
                    .replies
                    .push(Reply::Read(reply, Box::new(self.session.clone())));
            }
            Request::Subscribe { reply } => {
                // Frames of this batch's earlier commands are published at commit, so the
                // receiver sees them: the seq it follows is the one before them.
                let pending = batch.events.iter().find_map(|f| f.seq);
                let seq = pending.map_or(self.session.seq(), |s| s - 1);
                let _ = reply.send((seq, self.all_events.subscribe()));
            }
            Request::Ring { since, reply } => {
                let _ = reply.send(self.ring_since(since));
            }
        }
    }

    /// Read-only: commands are refused with the reason; joins, walls and reads get no
    /// answer (their callers see the session unavailable), since the state in memory may
    /// hold what the disk does not.
    fn refuse(&mut self, request: Request) {
        match request {
            Request::Command { reply, .. } => {
                // A cluster owner that lost its lease is not broken: the next owner takes
                // the command when the phone sends it again.
                let error = match self.owner {
                    Some(_) => CommandError::Unavailable,
                    None => CommandError::ReadOnly,
                };
                let _ = reply.send(Err(error));
            }
            Request::Delete(deletion) => self.deleting = Some(deletion),
            Request::Join { .. } | Request::Wall { .. } => {}
            Request::View { .. } | Request::Read { .. } => {}
            Request::Subscribe { .. } | Request::Ring { .. } => {}
        }
    }

    /// Applies one command; its journal record, frames and reply join the batch.
    fn apply(
        &mut self,
        command: Command,
        reply: oneshot::Sender<Result<u64, CommandError>>,
        batch: &mut Batch,
    ) {
        let now = self.clock.now_ms();
        let result = match self.session.apply(&command, now) {
            Ok(applied) => {
                self.metrics.command_accepted(command.name());
                if erases(&command) && !applied.events.is_empty() {
                    // Erased words must not be replayed to a resuming client: kept frames
                    // may carry them, so resumes from before now get a fresh welcome.
                    self.recent.clear();
                    self.phone_horizon = self.session.seq();
                    batch.unkept = batch.events.len();
                }
                if !applied.events.is_empty() {
                    // The command as the session kept it, never the raw frame (issue 13).
                    self.scrub_owed |= erases(&command);
                    let kept = command.normalized();
                    store::encode_record(&mut batch.journal, self.session.seq(), now, &kept);
                    batch.records += 1;
                }
                for stamped in &applied.events {
                    self.mark_dirty(&stamped.event);
                    let frames = protocol::event_frames(stamped, &self.session, now);
                    batch.events.push(Arc::new(frames));
                }
                Ok(applied.ack_seq)
            }
            Err(rejection) => Err(CommandError::Rejected(rejection)),
        };
        batch.replies.push(Reply::Command(reply, result));
    }

    /// A welcome (or the frames missed since `last_seq`) and the events after it.
    fn join(
        &mut self,
        role: Role,
        participant: Option<ParticipantId>,
        last_seq: u64,
        reply: oneshot::Sender<Joined>,
        batch: &mut Batch,
    ) {
        // Subscribing and building the welcome in one step: no event falls between.
        let events = match role {
            Role::Participant => self.phone_events.subscribe(),
            Role::Facilitator | Role::Screen => self.events.subscribe(),
        };
        let group = participant.and_then(|p| self.session.group_of(&p).cloned());
        let pending = &batch.events[batch.unkept..];
        let frames = match self.resume(role, group.as_ref(), last_seq, pending) {
            Some(frames) => frames,
            None => vec![Utf8Bytes::from(protocol::welcome(
                &self.session,
                role,
                participant.as_ref(),
                self.presence.count(),
                self.clock.now_ms(),
            ))],
        };
        let mut frames = frames;
        if audience(Topic::Presence).includes(role) {
            frames.push(self.presence_frame());
        }
        let joined = Joined {
            frames,
            seq: self.session.seq(),
            group,
            events,
        };
        batch.replies.push(Reply::Join(reply, joined));
    }

    /// Writes the batch's journal records (one write, one fsync), then broadcasts its frames
    /// and sends its replies.
    async fn commit(&mut self, mut batch: Batch) {
        let applied = batch.timed.as_ref().map(|_| std::time::Instant::now());
        let counts = (batch.replies.len(), batch.records, batch.events.len());
        if batch.records > 0 && self.store.sabotage().ack_before_write {
            // A deliberate bug, switched on only by the power-loss test's own test.
            batch.replies.retain_mut(|reply| match reply {
                Reply::Command(tx, result) => {
                    let (dummy, _) = oneshot::channel();
                    let _ = std::mem::replace(tx, dummy).send(result.clone());
                    false
                }
                _ => true,
            });
        }
        if batch.records > 0 {
            let replicated = self.owner.as_ref().map(|_| batch.journal.clone());
            if let Err(error) = self.append(batch.journal, batch.records).await {
                tracing::error!(%error, "journal write failed; refusing this batch and reloading from disk");
                self.reload().await;
                for reply in batch.replies {
                    // Joins and reads are dropped too: they saw state that is not on disk.
                    if let Reply::Command(tx, _) = reply {
                        let _ = tx.send(Err(CommandError::Storage));
                    }
                }
                return;
            }
            if let Some(lines) = replicated {
                if self.replicate(lines, &batch.rids).await.is_err() {
                    for reply in batch.replies {
                        if let Reply::Command(tx, _) = reply {
                            let _ = tx.send(Err(CommandError::Unavailable));
                        }
                    }
                    return;
                }
            }
        }
        let written = batch.timed.as_ref().map(|_| std::time::Instant::now());
        if batch.records > 0 {
            self.last_activity
                .store(self.clock.now_ms(), Ordering::Relaxed);
        }
        for (n, frames) in batch.events.into_iter().enumerate() {
            self.last_phone_seq = self.last_phone_seq.max(phone_seq(&frames));
            if frames.seq.is_some() && n >= batch.unkept {
                if self.recent.len() == RECENT_CAPACITY {
                    if let Some(gone) = self.recent.pop_front() {
                        self.phone_horizon = self.phone_horizon.max(phone_seq(&gone));
                    }
                }
                self.recent.push_back(frames.clone());
            }
            self.publish(frames);
        }
        for reply in batch.replies {
            match reply {
                Reply::Command(tx, result) => {
                    let _ = tx.send(result);
                }
                Reply::Join(tx, joined) => {
                    let _ = tx.send(joined);
                }
                Reply::Read(tx, session) => {
                    let _ = tx.send(*session);
                }
                Reply::Wall(tx, wall) => {
                    let _ = tx.send(wall);
                }
            }
        }
        if let (Some(timed), Some(applied), Some(written)) = (batch.timed, applied, written) {
            timed.log(applied, written, counts);
        }
    }

    async fn append(&mut self, lines: Vec<u8>, records: usize) -> std::io::Result<()> {
        let Some(mut files) = self.files.take() else {
            return Err(std::io::Error::other("session files are not open"));
        };
        let metrics = self.metrics.clone();
        let (files, result) = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let result = files.append(&lines, records);
            metrics.journal_written(records, started.elapsed(), result.is_ok());
            (files, result)
        })
        .await
        .map_err(std::io::Error::other)?;
        self.files = Some(files);
        result
    }

    /// After a failed write the in-memory state is ahead of the disk: go back to the disk.
    async fn reload(&mut self) {
        let store = self.store.clone();
        let slug = self.session.meta.slug.clone();
        match tokio::task::spawn_blocking(move || store.load(&slug)).await {
            Ok(Ok((session, files))) => {
                self.session = session;
                self.files = Some(files);
                self.dirty = Dirty::default();
                // Kept frames may describe what was just undone.
                self.recent.clear();
                self.phone_horizon = self.session.seq();
            }
            Ok(Err(error)) => {
                tracing::error!(%error, "reload after a failed write failed; the session is read-only until a restart");
                self.read_only = true;
            }
            Err(error) => {
                tracing::error!(%error, "reload task failed; the session is read-only until a restart");
                self.read_only = true;
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// The seq of `frames` if phones get anything from them (else 0): what a phone may miss when
/// they leave the ring.
pub(crate) fn phone_seq(frames: &Frames) -> u64 {
    match (
        frames.participant.is_some() || frames.by_group.is_some(),
        frames.seq,
    ) {
        (true, Some(seq)) => seq,
        _ => 0,
    }
}
