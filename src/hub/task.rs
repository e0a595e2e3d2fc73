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

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{CommandError, Frames, Joined, Presence, Request};
use crate::clock::Clock;
use crate::protocol::{self, Role, ServerMessage};
use crate::session::{
    Activity, Command, Event, GroupId, Item, ItemId, Prompt, PromptId, PromptState, Session,
};
use crate::store::{self, SessionFiles, Store};

/// Most requests handled in one batch (one fsync); bounds the latency of the first in line.
const MAX_BATCH: usize = 2048;
/// How often coalesced results and wall changes go out (so ≤ 5 such frames a second).
const FLUSH_EVERY: Duration = Duration::from_millis(200);
/// Most items in one wall frame. Each connection's write buffer grows to its largest frame and
/// keeps that size for the connection's life: a thousand items in one frame were ~230 KB per
/// phone, 2.3 GB of fresh pages for 10,000 phones for the kernel to fault in and zero (and then
/// resident). In frames of 100 the buffer stays ~25 KB and is reused.
const WALL_ITEMS_PER_FRAME: usize = 100;
/// Participant counts go out every this many flush ticks (once a second).
const PRESENCE_TICKS: u32 = 5;

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
    pub presence: Arc<Presence>,
    pub shutdown: CancellationToken,
    pub dirty: Dirty,
    /// The latest sequenced frames, for replaying to a client that resumes after a short
    /// disconnection instead of sending it a whole welcome.
    pub recent: VecDeque<Arc<Frames>>,
    /// When the session last changed (shared with its handle, for retention).
    pub last_activity: Arc<AtomicU64>,
    /// Set when the session is being deleted: stop without a snapshot, then reply.
    pub deleting: Option<oneshot::Sender<()>>,
}

/// Frames kept for resuming clients (as many as a connection may lag before a resync).
const RECENT_CAPACITY: usize = 1024;

/// Derived views waiting to be flushed.
#[derive(Default)]
pub(super) struct Dirty {
    /// Prompts whose results changed.
    results: BTreeSet<PromptId>,
    /// Items whose wall view changed, per prompt, in order, once each.
    wall: BTreeMap<PromptId, Vec<ItemId>>,
    /// Prompts whose whole wall goes out (just opened, or its settings changed).
    full_wall: BTreeSet<PromptId>,
}

/// What a batch produced, held back until the journal is durable.
#[derive(Default)]
struct Batch {
    journal: Vec<u8>,
    records: usize,
    events: Vec<Arc<Frames>>,
    replies: Vec<Reply>,
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
        loop {
            // A few ms past the deadline, so the tick surely finds the time up (no spinning on
            // a deadline that rounds a millisecond early).
            let deadline = self
                .session
                .next_deadline()
                .map(|at| self.clock.instant_at(at) + Duration::from_millis(5));
            let first = tokio::select! {
                _ = self.shutdown.cancelled() => break,
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
                    Request::Command { command: Command::Tick, reply }
                }
            };
            let mut batch = Batch::default();
            self.handle(first, &mut batch);
            while batch.replies.len() < MAX_BATCH {
                match self.requests.try_recv() {
                    Ok(request) => self.handle(request, &mut batch),
                    Err(_) => break,
                }
            }
            self.commit(batch).await;
            if self.deleting.is_some() {
                break;
            }
            if self.files.as_ref().is_some_and(|f| f.wants_snapshot()) {
                self.snapshot().await;
            }
        }
        // Stopping: what is already queued is still handled, then a final snapshot.
        self.requests.close();
        let mut batch = Batch::default();
        while let Ok(request) = self.requests.try_recv() {
            self.handle(request, &mut batch);
        }
        self.commit(batch).await;
        if let Some(done) = self.deleting.take() {
            tracing::info!(session = %slug, "session task stopped for deletion");
            // Dropping the task drops the broadcast sender: connections see the end.
            let _ = done.send(());
            return;
        }
        self.snapshot().await;
        tracing::info!(session = %slug, seq = self.session.seq(), "session stopped");
    }

    fn handle(&mut self, request: Request, batch: &mut Batch) {
        match request {
            Request::Command { command, reply } => {
                let now = self.clock.now_ms();
                let result = match self.session.apply(&command, now) {
                    Ok(applied) => {
                        if !applied.events.is_empty() {
                            store::encode_record(
                                &mut batch.journal,
                                self.session.seq(),
                                now,
                                &command,
                            );
                            batch.records += 1;
                        }
                        for stamped in &applied.events {
                            self.mark_dirty(&stamped.event);
                            let frames = protocol::event_frames(stamped, &self.session, now);
                            batch.events.push(Arc::new(Frames {
                                seq: Some(frames.seq),
                                participant: frames.participant.map(Utf8Bytes::from),
                                by_group: None,
                                screen: frames.screen.map(Utf8Bytes::from),
                                facilitator: frames.facilitator.map(Utf8Bytes::from),
                            }));
                        }
                        Ok(applied.ack_seq)
                    }
                    Err(rejection) => Err(CommandError::Rejected(rejection)),
                };
                batch.replies.push(Reply::Command(reply, result));
            }
            Request::Join {
                role,
                participant,
                last_seq,
                reply,
            } => {
                // Subscribing and building the welcome in one step: no event falls between.
                let events = match role {
                    Role::Participant => self.phone_events.subscribe(),
                    Role::Facilitator | Role::Screen => self.events.subscribe(),
                };
                let group = participant.and_then(|p| self.session.group_of(&p).cloned());
                let frames = match self.resume(role, group.as_ref(), last_seq, &batch.events) {
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
                if role != Role::Participant {
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
            Request::Delete { reply } => {
                self.deleting = Some(reply);
            }
            Request::Wall { group, reply } => {
                let wall = self
                    .session
                    .current_prompt()
                    .filter(|p| p.draft.wall)
                    .map(|p| Utf8Bytes::from(self.full_wall(p, group.as_ref())));
                batch.replies.push(Reply::Wall(reply, wall));
            }
            Request::Read { reply } => {
                batch
                    .replies
                    .push(Reply::Read(reply, Box::new(self.session.clone())));
            }
        }
    }

    /// The whole wall of `prompt` as a phone in `group` sees it.
    fn full_wall(&self, prompt: &crate::session::Prompt, group: Option<&GroupId>) -> String {
        protocol::wall_frame(
            &self.session,
            prompt,
            protocol::wall_items(&self.session, prompt, group),
            true,
        )
    }

    /// The frames a client that has seen everything up to `last_seq` needs to be current
    /// again, or `None` when a fresh welcome is needed: it has seen nothing yet, it is further
    /// behind than the frames kept, or (a phone) its wall is unsequenced and may have changed.
    ///
    /// `pending` are the frames of this batch's earlier commands: they already count in the
    /// session's seq but reach the ring only at commit. The resume claims that seq, so it must
    /// carry them too; the connection drops their broadcast copies as already seen.
    fn resume(
        &self,
        role: Role,
        group: Option<&GroupId>,
        last_seq: u64,
        pending: &[Arc<Frames>],
    ) -> Option<Vec<Utf8Bytes>> {
        let seq = self.session.seq();
        if last_seq == 0 || last_seq > seq {
            return None;
        }
        let current = self.session.current_prompt();
        if role == Role::Participant && current.is_some_and(|p| p.draft.wall) {
            return None;
        }
        let kept = || self.recent.iter().chain(pending);
        let oldest_kept = kept().find_map(|f| f.seq).unwrap_or(seq + 1);
        if last_seq < seq && oldest_kept > last_seq + 1 {
            return None;
        }
        let mut frames = vec![Utf8Bytes::from(
            ServerMessage::Resumed {
                seq,
                server_time: self.clock.now_ms(),
            }
            .to_json(),
        )];
        frames.extend(
            kept()
                .filter(|f| f.seq.is_some_and(|s| s > last_seq))
                .filter_map(|f| f.for_conn(role, group).cloned()),
        );
        // Results are unsequenced: send the ones the role may see, as its welcome would (the
        // facilitator every opened prompt's; phones the current prompt's and the projector
        // its stage's, when public).
        for prompt in self.session.prompts() {
            if protocol::has_results(prompt) && protocol::sees_results(&self.session, prompt, role)
            {
                frames.push(Utf8Bytes::from(protocol::results_frame(
                    &self.session,
                    prompt,
                )));
            }
        }
        Some(frames)
    }

    /// Notes which derived views an event changes.
    fn mark_dirty(&mut self, event: &Event) {
        let item = match event {
            Event::PromptOpened(prompt) | Event::PromptUpdated(prompt) => {
                self.dirty.results.insert(prompt.id.clone());
                if prompt.draft.wall {
                    self.dirty.full_wall.insert(prompt.id.clone());
                }
                return;
            }
            Event::AnswersChanged(prompt)
            | Event::PromptClosed(crate::session::Prompt { id: prompt, .. }) => {
                self.dirty.results.insert(prompt.clone());
                return;
            }
            Event::ParticipantGrouped(..) | Event::GroupsChanged(_) => {
                self.presence.changed.store(true, Ordering::Relaxed);
                return;
            }
            Event::ItemAdded(item)
            | Event::ItemHidden(item)
            | Event::ItemUnhidden(item)
            | Event::ItemUpdated(item)
            | Event::ItemLiked(item) => item,
            // A screen_changed carries the stage's results itself.
            Event::PromptAdded(_)
            | Event::PromptDeleted(_)
            | Event::AgendaReordered(_)
            | Event::ScreenChanged(_) => return,
        };
        let Some(prompt) = self.session.prompt(&item.prompt_id) else {
            return;
        };
        if matches!(prompt.draft.activity, Activity::WordCloud { .. }) {
            self.dirty.results.insert(prompt.id.clone());
        }
        // Dot votes on this prompt's items show their texts and merged counts.
        for vote in self.session.prompts() {
            if matches!(&vote.draft.activity, Activity::DotVote { source, .. } if *source == item.prompt_id)
            {
                self.dirty.results.insert(vote.id.clone());
            }
        }
        let on_wall =
            prompt.draft.wall && (item.is_visible() || !matches!(event, Event::ItemAdded(_)));
        if on_wall {
            let pending = self.dirty.wall.entry(item.prompt_id.clone()).or_default();
            if !pending.contains(&item.id) {
                pending.push(item.id);
            }
        }
    }

    /// Sends the coalesced results and wall changes.
    fn flush(&mut self) {
        let current = self.session.current_prompt().map(|p| p.id.clone());
        for prompt_id in std::mem::take(&mut self.dirty.results) {
            let Some(prompt) = self.session.prompt(&prompt_id) else {
                continue;
            };
            if !protocol::has_results(prompt) || prompt.state == PromptState::Draft {
                continue;
            }
            let json = Utf8Bytes::from(protocol::results_frame(&self.session, prompt));
            // Phones see the current prompt's results and the projector its stage's (an
            // earlier prompt it was asked to show, say), when public.
            let sees = |role| protocol::sees_results(&self.session, prompt, role);
            self.publish(Arc::new(Frames {
                seq: None,
                participant: sees(Role::Participant).then(|| json.clone()),
                by_group: None,
                screen: sees(Role::Screen).then(|| json.clone()),
                facilitator: Some(json),
            }));
        }
        for prompt_id in std::mem::take(&mut self.dirty.full_wall) {
            if current.as_ref() != Some(&prompt_id) {
                continue;
            }
            let Some(prompt) = self.session.prompt(&prompt_id) else {
                continue;
            };
            // The whole wall supersedes pending changes to it.
            self.dirty.wall.remove(&prompt_id);
            let items: Vec<&Item> = self.session.visible_items(&prompt_id).collect();
            self.publish_wall(prompt, &items, true);
        }
        for (prompt_id, ids) in std::mem::take(&mut self.dirty.wall) {
            // Phones show only the current prompt; a later welcome covers the rest.
            if current.as_ref() != Some(&prompt_id) {
                continue;
            }
            let Some(prompt) = self.session.prompt(&prompt_id) else {
                continue;
            };
            let items: Vec<&Item> = ids.iter().filter_map(|id| self.session.item(id)).collect();
            self.publish_wall(prompt, &items, false);
        }
    }

    /// Publishes wall frames of at most [`WALL_ITEMS_PER_FRAME`] items: one per group for a
    /// per-group prompt (each phone gets only its group's), else one for every phone. With
    /// `full`, the first frame replaces the wall (every group gets one, even empty).
    fn publish_wall(&self, prompt: &Prompt, items: &[&Item], full: bool) {
        let chunks: Vec<&[&Item]> = if items.is_empty() {
            vec![&[]]
        } else {
            items.chunks(WALL_ITEMS_PER_FRAME).collect()
        };
        for (n, chunk) in chunks.into_iter().enumerate() {
            let full = full && n == 0;
            let frame = |items: Vec<&Item>| {
                Utf8Bytes::from(protocol::wall_frame(
                    &self.session,
                    prompt,
                    items.into_iter(),
                    full,
                ))
            };
            let frames = if prompt.draft.per_group {
                let mut groups: BTreeMap<GroupId, Vec<&Item>> = BTreeMap::new();
                if full {
                    for group in self.session.groups() {
                        groups.entry(group.id.clone()).or_default();
                    }
                }
                for item in chunk {
                    if let Some(g) = &item.group {
                        groups.entry(g.clone()).or_default().push(*item);
                    }
                }
                Frames {
                    by_group: Some(
                        groups
                            .into_iter()
                            .map(|(g, items)| (g, frame(items)))
                            .collect(),
                    ),
                    ..Default::default()
                }
            } else {
                Frames {
                    participant: Some(frame(chunk.to_vec())),
                    ..Default::default()
                }
            };
            self.publish(Arc::new(frames));
        }
    }

    /// Sends frames on the channels of the roles that get them: phones have their own, so
    /// an event only the facilitator and projector see wakes none of ten thousand phones.
    fn publish(&self, frames: Arc<Frames>) {
        // No receivers is fine: nobody is connected.
        if frames.participant.is_some() || frames.by_group.is_some() {
            let _ = self.phone_events.send(frames.clone());
        }
        if frames.screen.is_some() || frames.facilitator.is_some() {
            let _ = self.events.send(frames);
        }
    }

    async fn commit(&mut self, batch: Batch) {
        if batch.records > 0 {
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
        }
        if batch.records > 0 {
            self.last_activity
                .store(self.clock.now_ms(), Ordering::Relaxed);
        }
        for frames in batch.events {
            if frames.seq.is_some() {
                if self.recent.len() == RECENT_CAPACITY {
                    self.recent.pop_front();
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
    }

    async fn append(&mut self, lines: Vec<u8>, records: usize) -> std::io::Result<()> {
        let Some(mut files) = self.files.take() else {
            return Err(std::io::Error::other("session files are not open"));
        };
        let (files, result) = tokio::task::spawn_blocking(move || {
            let result = files.append(&lines, records);
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
            }
            Ok(Err(error)) => tracing::error!(%error, "reload after a failed write failed"),
            Err(error) => tracing::error!(%error, "reload task failed"),
        }
    }

    async fn snapshot(&mut self) {
        let bytes = match store::encode_snapshot(&self.session) {
            Ok(bytes) => bytes,
            Err(error) => {
                tracing::error!(%error, "could not encode snapshot");
                return;
            }
        };
        let Some(mut files) = self.files.take() else {
            return;
        };
        let seq = self.session.seq();
        match tokio::task::spawn_blocking(move || {
            let result = files.snapshot(&bytes, seq);
            (files, result)
        })
        .await
        {
            Ok((files, result)) => {
                self.files = Some(files);
                if let Err(error) = result {
                    // The journal is intact; the next snapshot tries again.
                    tracing::error!(%error, "snapshot failed");
                }
            }
            Err(error) => tracing::error!(%error, "snapshot task failed"),
        }
    }

    /// Participants connected, in all and per group.
    fn presence_frame(&self) -> Utf8Bytes {
        let present = self.presence.present();
        let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
        for participant in &present {
            if let Some(group) = self.session.group_of(participant) {
                *groups.entry(group.0.as_str()).or_insert(0) += 1;
            }
        }
        Utf8Bytes::from(
            ServerMessage::Presence {
                participants: present.len(),
                groups,
            }
            .to_json(),
        )
    }

    fn publish_presence(&self) {
        if !self.presence.changed.swap(false, Ordering::Relaxed) {
            return;
        }
        let json = self.presence_frame();
        self.publish(Arc::new(Frames {
            seq: None,
            screen: Some(json.clone()),
            facilitator: Some(json),
            ..Default::default()
        }));
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
