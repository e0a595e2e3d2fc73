//! A relay: the [`SessionHandle`] every local connection of a cluster session talks to, on
//! every node (the owner's too), served over NATS instead of by a local task. The connection
//! code cannot tell the difference.
//!
//! The relay's loop subscribes `paja.ev.<slug>` for its whole life and pushes each
//! [`EventBatch`]'s frames into two local broadcasts (phones, staff), exactly as a task's
//! `publish` does: a frame crosses the network once per node, not once per phone. It knows
//! the last seq it pushed: a batch from an older epoch (a deposed owner) is dropped, a gap
//! is filled from the owner's ring, and a gap that cannot be filled (or a lagged owner) ends
//! the relay, so its connections reconnect and resume as after a restart. Requests are
//! handed to tasks of their own (`relay_calls.rs`). Every second, and when it changes, it
//! reports its connected participants to the owner, who counts every node's.
//!
//! It ends when idle for `unload_after` (its slot goes back to Stored under the slot's lock,
//! as an unload does), when the session is deleted (the slot is forgotten first, so its
//! connections are told 4004), on shutdown, and when NATS has been unreachable for
//! [`OFFLINE_LIMIT`] (its slot goes back to Stored first, so its phones get 1012 and
//! reconnect through the load balancer, maybe to a node that can reach NATS).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{broadcast, mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::bridge::from_wire;
use super::registry::{LiveGuard, Slot, State};
use super::relay_calls::{Channels, RelayLink};
use super::task::Request;
use super::{Frames, Hub, Presence, SessionHandle, BROADCAST_CAPACITY, REQUEST_QUEUE};
use crate::cluster::wire::{self, EventBatch, RingReply, RingRequest, WIRE_VERSION};
use crate::cluster::{subject, Cluster};
use crate::session::SessionMeta;

/// How often the relay looks at its surroundings (deleted? offline? presence changed?).
const TICK: Duration = Duration::from_millis(250);
/// Presence goes out at least this often (the owner forgets a node silent for 3 s).
const PRESENCE_EVERY: Duration = Duration::from_secs(1);
/// NATS unreachable this long, the relay ends (its phones reconnect elsewhere).
const OFFLINE_LIMIT: Duration = Duration::from_secs(3);
/// How long a gap fill may take before the relay gives up and ends.
const RING_TIMEOUT: Duration = Duration::from_secs(3);

/// Why the relay's loop stopped.
enum End {
    /// Shutdown, or the session was deleted: the slot is left as it is.
    Leave,
    /// Idle, offline, or its stream broke: the slot goes back to Stored.
    Release,
}

/// The relay task's state.
struct Relay {
    link: Arc<RelayLink>,
    hub: Weak<Hub>,
    slot: Arc<Slot>,
    requests: mpsc::Receiver<Request>,
    behind: mpsc::Receiver<u64>,
    presence: Arc<Presence>,
    /// The registry's handle's lease: more than one strong count, somebody holds a handle.
    lease: Weak<()>,
    /// The last seq pushed to the local broadcasts.
    last_seq: u64,
    /// The newest owner epoch seen; older batches are a deposed owner's.
    epoch: u64,
    unload_after: Option<Duration>,
    last_used: Instant,
    offline_since: Option<Instant>,
    last_report: Instant,
    shutdown: CancellationToken,
    _live: LiveGuard,
}

/// Starts a relay for the cluster session `meta` in `slot` and returns its handle (the
/// caller holds the slot's lock and records the handle in it).
pub(super) fn spawn_relay(
    hub: &Arc<Hub>,
    cluster: Arc<Cluster>,
    slot: &Arc<Slot>,
    meta: &SessionMeta,
) -> SessionHandle {
    let (handle, requests) = SessionHandle::for_relay(meta, slot.last_activity.clone());
    let (behind_tx, behind) = mpsc::channel(1);
    let (phones, _) = broadcast::channel(BROADCAST_CAPACITY);
    let (staff, _) = broadcast::channel(BROADCAST_CAPACITY);
    let link = Arc::new(RelayLink {
        slug: meta.slug.clone(),
        cluster,
        hub: Arc::downgrade(hub),
        channels: Mutex::new(Some(Channels { phones, staff })),
        seq: watch::Sender::new(0),
        behind: behind_tx,
        ended: CancellationToken::new(),
        in_flight: tokio::sync::Semaphore::new(super::relay_calls::IN_FLIGHT),
    });
    let relay = Relay {
        link,
        hub: Arc::downgrade(hub),
        slot: slot.clone(),
        requests,
        behind,
        presence: handle.presence.clone(),
        lease: Arc::downgrade(&handle.lease),
        last_seq: 0,
        epoch: 0,
        unload_after: Some(hub.unload_after).filter(|d| !d.is_zero()),
        last_used: Instant::now(),
        offline_since: None,
        last_report: Instant::now(),
        shutdown: hub.shutdown.clone(),
        _live: LiveGuard::count(&hub.live),
    };
    let span = tracing::info_span!(parent: None, "relay", slug = %meta.slug);
    hub.tasks
        .spawn(tracing::Instrument::instrument(relay.run(), span));
    handle
}

impl SessionHandle {
    /// A handle for a session of the cluster whose requests a relay serves (`relay.rs`),
    /// and the receiving end of its queue.
    fn for_relay(
        meta: &SessionMeta,
        last_activity: Arc<AtomicU64>,
    ) -> (SessionHandle, mpsc::Receiver<Request>) {
        let (tx, rx) = mpsc::channel(REQUEST_QUEUE);
        let handle = SessionHandle {
            requests: tx,
            slug: meta.slug.clone(),
            key_hash: Arc::new(crate::keys::parse_hash(&meta.key_hash)),
            presence: Arc::default(),
            last_activity,
            series: meta.series.clone(),
            lease: Arc::default(),
        };
        (handle, rx)
    }
}

impl Relay {
    async fn run(mut self) {
        let metrics = self.link.cluster.metrics.clone();
        metrics.cluster.relayed.inc();
        let end = match self.start().await {
            Some(events) => self.serve(events).await,
            None => End::Release,
        };
        metrics.cluster.relayed.dec();
        self.end(end).await;
    }

    /// Subscribes the event subject, then learns from the owner where its stream stands.
    async fn start(&mut self) -> Option<async_nats::Subscriber> {
        let client = &self.link.cluster.client;
        let events = match client.subscribe(subject::events(&self.link.slug)).await {
            Ok(events) => events,
            Err(error) => {
                tracing::warn!(%error, "could not subscribe to the session's events");
                return None;
            }
        };
        let request = RingRequest {
            v: WIRE_VERSION,
            since: u64::MAX,
        };
        let reply = self
            .link
            .ask(subject::ring(&self.link.slug), wire::encode(&request))
            .await?;
        let reply: RingReply = wire::decode(&reply.payload).ok()?;
        self.last_seq = reply.seq?;
        self.link.seq.send_replace(self.last_seq);
        Some(events)
    }

    /// The loop: requests, events, gap fills and the tick.
    async fn serve(&mut self, mut events: async_nats::Subscriber) -> End {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = self.shutdown.cancelled() => return End::Leave,
                request = self.requests.recv() => match request {
                    Some(request) => self.dispatch(request),
                    // Every handle is gone: the slot was forgotten and nobody is connected.
                    None => return End::Leave,
                },
                message = events.next() => match message {
                    Some(message) => {
                        if !self.on_batch(&message.payload).await {
                            return End::Release;
                        }
                    }
                    None => return End::Release,
                },
                Some(seq) = self.behind.recv() => {
                    if seq > self.last_seq && !self.fill().await {
                        return End::Release;
                    }
                }
                _ = tick.tick() => {
                    if let Some(end) = self.on_tick().await {
                        return end;
                    }
                }
            }
        }
    }

    /// Hands a request to a task of its own.
    fn dispatch(&mut self, request: Request) {
        self.last_used = Instant::now();
        let link = self.link.clone();
        match request {
            Request::Join {
                role,
                participant,
                last_seq,
                reply,
            } => {
                tokio::spawn(async move {
                    if let Some(joined) = link.join(role, participant, last_seq).await {
                        let _ = reply.send(joined);
                    }
                });
            }
            Request::Command { command, reply, .. } => {
                tokio::spawn(async move {
                    let _ = reply.send(link.command(*command).await);
                });
            }
            Request::Read { reply } => {
                tokio::spawn(async move {
                    if let Some((_, session)) = link.read().await {
                        let _ = reply.send(session);
                    }
                });
            }
            Request::View { build, reply } => {
                tokio::spawn(async move {
                    let _ = reply.send(link.view(build).await);
                });
            }
            Request::Wall { group, reply } => {
                tokio::spawn(async move {
                    let _ = reply.send(link.wall(group).await);
                });
            }
            Request::Ring { reply, .. } => {
                let _ = reply.send(None);
            }
            // Never sent to a relay: `Hub::delete` asks the owner itself (`delete.rs`), and
            // only an owner's bridge subscribes. Dropping the reply reads as "unavailable".
            Request::Delete(_) | Request::Subscribe { .. } => {}
        }
    }

    /// One [`EventBatch`]; `false` when the relay must end (a gap it could not fill).
    async fn on_batch(&mut self, payload: &[u8]) -> bool {
        let batch: EventBatch = match wire::decode(payload) {
            Ok(batch) => batch,
            Err(error) => {
                tracing::warn!(%error, "an event batch does not read; dropped");
                return true;
            }
        };
        if batch.epoch < self.epoch {
            return true;
        }
        self.epoch = batch.epoch;
        if batch.lagged {
            tracing::warn!("the owner's stream lagged; connections resume afresh");
            self.link.cluster.metrics.cluster.event_gaps.inc();
            return false;
        }
        for frames in batch.frames {
            match frames.seq {
                Some(seq) if seq <= self.last_seq => continue,
                Some(seq) if seq > self.last_seq + 1 => {
                    if !self.fill().await {
                        return false;
                    }
                    if seq <= self.last_seq {
                        continue;
                    }
                    if seq > self.last_seq + 1 {
                        return false;
                    }
                }
                _ => {}
            }
            self.push(from_wire(frames));
        }
        self.link.seq.send_replace(self.last_seq);
        true
    }

    /// Fetches the frames after `last_seq` from the owner's ring; `false`: it cannot.
    async fn fill(&mut self) -> bool {
        self.link.cluster.metrics.cluster.event_gaps.inc();
        let request = RingRequest {
            v: WIRE_VERSION,
            since: self.last_seq,
        };
        let client = &self.link.cluster.client;
        let subject = subject::ring(&self.link.slug);
        let body = wire::encode(&request);
        // 1024 kept frames may outgrow one NATS message: the reply may come in parts.
        let asked = crate::cluster::reply::request(client, subject, body, RING_TIMEOUT);
        let Ok(reply) = asked.await else {
            return false;
        };
        let Ok(RingReply {
            frames: Some(frames),
            ..
        }) = wire::decode(&reply.payload)
        else {
            tracing::info!(since = self.last_seq, "missed events are no longer kept");
            return false;
        };
        for frames in frames {
            if frames.seq.is_some_and(|s| s > self.last_seq) {
                self.push(from_wire(frames));
            }
        }
        self.link.seq.send_replace(self.last_seq);
        true
    }

    /// Pushes frames into the local broadcasts (as a task's `publish` does).
    fn push(&mut self, frames: Frames) {
        self.last_seq = frames.seq.unwrap_or(self.last_seq).max(self.last_seq);
        let frames = Arc::new(frames);
        let Ok(channels) = self.link.channels.lock() else {
            return;
        };
        let Some(channels) = channels.as_ref() else {
            return;
        };
        if frames.participant.is_some() || frames.by_group.is_some() {
            let _ = channels.phones.send(frames.clone());
        }
        if frames.screen.is_some() || frames.facilitator.is_some() {
            let _ = channels.staff.send(frames);
        }
    }

    /// Deleted? offline? idle? Presence to report? `Some`: the relay ends.
    async fn on_tick(&mut self) -> Option<End> {
        let hub = self.hub.upgrade()?;
        let ours = hub
            .sessions
            .get(&self.slot.slug)
            .is_some_and(|s| Arc::ptr_eq(&s, &self.slot));
        if !ours {
            return Some(End::Leave);
        }
        let connected =
            self.link.cluster.client.connection_state() == async_nats::connection::State::Connected;
        match (connected, self.offline_since) {
            (true, _) => self.offline_since = None,
            (false, None) => self.offline_since = Some(Instant::now()),
            (false, Some(since)) if since.elapsed() > OFFLINE_LIMIT => {
                tracing::warn!("NATS unreachable; closing this node's connections of the session");
                return Some(End::Release);
            }
            (false, Some(_)) => {}
        }
        let changed = self.presence.changed.swap(false, Ordering::Relaxed);
        if changed || self.last_report.elapsed() >= PRESENCE_EVERY {
            self.report().await;
        }
        if self.presence.count() > 0 || self.listeners() > 0 {
            self.last_used = Instant::now();
        }
        let idle = self
            .unload_after
            .is_some_and(|d| self.last_used.elapsed() >= d);
        (idle && self.idle_release().await).then_some(End::Leave)
    }

    /// Local receivers of the relay's broadcasts.
    fn listeners(&self) -> usize {
        self.link
            .channels
            .lock()
            .ok()
            .and_then(|c| {
                c.as_ref()
                    .map(|c| c.phones.receiver_count() + c.staff.receiver_count())
            })
            .unwrap_or(0)
    }

    /// This node's connected participants, for the owner.
    async fn report(&mut self) {
        self.last_report = Instant::now();
        self.report_participants(self.presence.present()).await;
    }

    /// Publishes a presence report of `participants`.
    async fn report_participants(&self, participants: Vec<crate::session::ParticipantId>) {
        let report = wire::PresenceReport {
            v: WIRE_VERSION,
            node: self.link.cluster.node().to_owned(),
            participants,
        };
        let client = &self.link.cluster.client;
        let subject = subject::presence(&self.link.slug);
        if let Err(error) = client.publish(subject, wire::encode(&report)).await {
            tracing::debug!(%error, "presence report not sent");
        }
    }

    /// Gives the slot back (Stored) if nobody uses the relay, under the slot's lock (see
    /// `unload.rs` for why the lease count and the lock make this safe); whether it did.
    async fn idle_release(&mut self) -> bool {
        let mut state = self.slot.state.lock().await;
        let State::Live(handle) = &*state else {
            return false;
        };
        let used = Arc::strong_count(&handle.lease) > 1
            || !Weak::ptr_eq(&Arc::downgrade(&handle.lease), &self.lease)
            || !self.requests.is_empty()
            || self.presence.count() > 0
            || self.listeners() > 0;
        if used {
            self.last_used = Instant::now();
            return false;
        }
        self.requests.close();
        *state = State::Stored;
        tracing::debug!("idle relay ended");
        true
    }

    /// Ends: the slot goes back to Stored when asked (and still ours), then the broadcasts
    /// close, so connections find the session still there (1012) or gone (4004).
    async fn end(mut self, end: End) {
        if matches!(end, End::Release) {
            let mut state = self.slot.state.lock().await;
            if let State::Live(handle) = &*state {
                if Weak::ptr_eq(&Arc::downgrade(&handle.lease), &self.lease) {
                    *state = State::Stored;
                }
            }
        }
        self.link.ended.cancel();
        if let Ok(mut channels) = self.link.channels.lock() {
            channels.take();
        }
        // The owner stops counting this node's participants now rather than in 3 s.
        self.report_participants(Vec::new()).await;
        self.requests.close();
    }
}
