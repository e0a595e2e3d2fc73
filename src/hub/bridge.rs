//! The owner's bridge (cluster): serves the NATS requests for one owned session through the
//! task's own [`SessionHandle`], and forwards every frame the task publishes to the other
//! nodes on `paja.ev.<slug>`.
//!
//! Frames go out in bursts: whatever is queued when the bridge wakes travels as one
//! [`EventBatch`] (a prompt change is a handful of frames; one NATS message, one wake-up per
//! relay). A command's reply goes out only once the frames up to its ack seq have been
//! forwarded, so on the wire the events precede the ack. If the bridge's own stream lags it
//! says so (`lagged`): the relays then end, and their connections resume afresh.
//!
//! Requests are served concurrently, each by a task of its own (at most [`IN_FLIGHT`]): a
//! join's welcome and a command's durability wait never queue behind one another. Presence
//! reports become [`PresenceGuard`]s on the task's presence, per node; a node silent for
//! [`PRESENCE_SILENCE`] loses its guards.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use futures_util::StreamExt;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{broadcast, watch, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{CommandError, Frames, Hub, PresenceGuard, SessionHandle};
use crate::cluster::lease::Lease;
use crate::cluster::wire::{self, WireFrames, WIRE_VERSION};
use crate::cluster::{subject, Cluster};
use crate::session::{Command, SessionName};
use crate::store::JournalRecord;

/// Requests served at once; more wait (backpressure on the subscriptions).
const IN_FLIGHT: usize = 256;
/// Most frames in one event batch (a burst larger than this goes out in several).
const MAX_BATCH_FRAMES: usize = 512;
/// A node that has not reported its participants for this long is no longer counted.
const PRESENCE_SILENCE: Duration = Duration::from_secs(3);
/// Longest a reply waits for its frames to be forwarded (they go out within milliseconds;
/// a lagged stream may never show the seq).
const FORWARD_WAIT: Duration = Duration::from_secs(5);

/// `Frames` as they cross the network.
pub(super) fn to_wire(frames: &Frames) -> WireFrames {
    let text = |f: &Option<Utf8Bytes>| f.as_ref().map(|f| f.as_str().to_owned());
    WireFrames {
        seq: frames.seq,
        participant: text(&frames.participant),
        by_group: frames.by_group.as_ref().map(|groups| {
            groups
                .iter()
                .map(|(g, f)| (g.clone(), f.as_str().to_owned()))
                .collect()
        }),
        screen: text(&frames.screen),
        facilitator: text(&frames.facilitator),
    }
}

/// `Frames` back from the network.
pub(super) fn from_wire(frames: WireFrames) -> Frames {
    Frames {
        seq: frames.seq,
        participant: frames.participant.map(Utf8Bytes::from),
        by_group: frames.by_group.map(|groups| {
            groups
                .into_iter()
                .map(|(g, f)| (g, Utf8Bytes::from(f)))
                .collect()
        }),
        screen: frames.screen.map(Utf8Bytes::from),
        facilitator: frames.facilitator.map(Utf8Bytes::from),
    }
}

/// Starts the bridge of an owned session (on the hub's tracker); it ends when `stop` is
/// cancelled or the task's stream closes. It answers nothing while `lease` is not
/// [`Lease::valid`]: a woken zombie must not serve its stale state (or an `unavailable`)
/// before the real owner answers the same request.
pub(super) fn spawn_bridge(
    hub: &Arc<Hub>,
    cluster: Arc<Cluster>,
    handle: SessionHandle,
    lease: Arc<Lease>,
    stop: CancellationToken,
) {
    let epoch = lease.epoch();
    let hub = Arc::downgrade(hub);
    let span = tracing::info_span!(parent: None, "bridge", slug = %handle.slug, epoch);
    let Some(tasks) = hub.upgrade().map(|h| h.tasks.clone()) else {
        return;
    };
    tasks.spawn(tracing::Instrument::instrument(
        async move {
            if let Err(error) = run(hub, cluster, handle, lease, stop).await {
                tracing::warn!(%error, "the bridge stopped");
            }
        },
        span,
    ));
}

/// What the request tasks share.
struct Shared {
    hub: Weak<Hub>,
    cluster: Arc<Cluster>,
    handle: SessionHandle,
    /// This owner's lease: no answers unless it is valid.
    lease: Arc<Lease>,
    /// The seq of the last frame forwarded.
    forwarded: watch::Sender<u64>,
    /// Relayed commands by rid, in flight or answered in the last [`RID_MEMORY`]: a retry
    /// (the relay timed out, the reply was lost) gets the first answer, never a second
    /// application. The owner's task keeps its own table across failovers; this one also
    /// covers a retry that arrives while the first try is still being applied.
    rids: Mutex<HashMap<Uuid, (Instant, Pending)>>,
}

/// A relayed command's answer.
type Answer = Result<u64, wire::RemoteError>;
/// A relayed command's answer once there is one.
type Pending = watch::Receiver<Option<Answer>>;

/// How long a rid's answer is kept (as long as the relay retries, with room).
const RID_MEMORY: Duration = Duration::from_secs(120);

/// The bridge's loop.
async fn run(
    hub: Weak<Hub>,
    cluster: Arc<Cluster>,
    handle: SessionHandle,
    lease: Arc<Lease>,
    stop: CancellationToken,
) -> Result<(), async_nats::Error> {
    let slug = handle.slug.clone();
    let epoch = lease.epoch();
    let (seq, mut frames) = handle.subscribe_all().await?;
    let client = cluster.client.clone();
    let mut commands = client.subscribe(subject::command(&slug)).await?;
    let mut joins = client.subscribe(subject::join(&slug)).await?;
    let mut reads = client.subscribe(subject::read(&slug)).await?;
    let mut rings = client.subscribe(subject::ring(&slug)).await?;
    let mut controls = client.subscribe(subject::control(&slug)).await?;
    let mut reports = client.subscribe(subject::presence(&slug)).await?;
    let shared = Arc::new(Shared {
        hub,
        cluster,
        handle,
        lease,
        forwarded: watch::Sender::new(seq),
        rids: Mutex::default(),
    });
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut presence: HashMap<String, (Instant, Vec<PresenceGuard>)> = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tracing::debug!(seq, "bridge serving");
    loop {
        let (kind, message) = tokio::select! {
            _ = stop.cancelled() => break,
            first = frames.recv() => {
                if !forward(&shared, &slug, epoch, first, &mut frames).await {
                    break;
                }
                continue;
            }
            _ = tick.tick() => {
                presence.retain(|_, (seen, _)| seen.elapsed() < PRESENCE_SILENCE);
                if let Ok(mut rids) = shared.rids.lock() {
                    rids.retain(|_, (at, _)| at.elapsed() < RID_MEMORY);
                }
                continue;
            }
            Some(m) = reports.next() => {
                on_report(&shared.handle, &mut presence, &m.payload);
                continue;
            }
            Some(m) = commands.next() => (Kind::Command, m),
            Some(m) = joins.next() => (Kind::Join, m),
            Some(m) = reads.next() => (Kind::Read, m),
            Some(m) = rings.next() => (Kind::Ring, m),
            Some(m) = controls.next() => (Kind::Control, m),
        };
        // The permit is taken inside the request's task, never here: this loop also forwards
        // the frames that in-flight commands wait for before replying, so blocking it on a
        // full set of permits stalled every command (seen at 2,000 items/s: the subscriptions
        // overflowed and NATS dropped requests as a slow consumer).
        let (shared, permits) = (shared.clone(), permits.clone());
        tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            serve(&shared, kind, message).await;
        });
    }
    Ok(())
}

/// Forwards a burst of frames as one batch; `false` when the task's stream closed.
async fn forward(
    shared: &Shared,
    slug: &SessionName,
    epoch: u64,
    first: Result<Arc<Frames>, RecvError>,
    frames: &mut broadcast::Receiver<Arc<Frames>>,
) -> bool {
    let mut batch = wire::EventBatch {
        v: WIRE_VERSION,
        epoch,
        frames: Vec::new(),
        lagged: false,
    };
    match first {
        Ok(f) => batch.frames.push(to_wire(&f)),
        Err(RecvError::Lagged(_)) => batch.lagged = true,
        Err(RecvError::Closed) => return false,
    }
    while !batch.lagged && batch.frames.len() < MAX_BATCH_FRAMES {
        match frames.try_recv() {
            Ok(f) => batch.frames.push(to_wire(&f)),
            Err(TryRecvError::Lagged(_)) => batch.lagged = true,
            Err(_) => break,
        }
    }
    let last = batch.frames.iter().filter_map(|f| f.seq).max();
    let client = &shared.cluster.client;
    if let Err(error) = client
        .publish(subject::events(slug), wire::encode(&batch))
        .await
    {
        tracing::warn!(%error, "an event batch was not published");
    }
    if let Some(last) = last {
        shared.forwarded.send_if_modified(|seq| {
            let newer = last > *seq;
            *seq = (*seq).max(last);
            newer
        });
    }
    true
}

/// Turns a node's presence report into guards on the task's presence (new ones first, so
/// a participant still there is never counted out in between).
fn on_report(
    handle: &SessionHandle,
    presence: &mut HashMap<String, (Instant, Vec<PresenceGuard>)>,
    payload: &[u8],
) {
    let Ok(report) = wire::decode::<wire::PresenceReport>(payload) else {
        return;
    };
    let guards: Vec<PresenceGuard> = report
        .participants
        .iter()
        .map(|p| handle.present(*p))
        .collect();
    if guards.is_empty() {
        presence.remove(&report.node);
    } else {
        presence.insert(report.node, (Instant::now(), guards));
    }
}

/// Which subject a request came on.
#[derive(Clone, Copy)]
enum Kind {
    Command,
    Join,
    Read,
    Ring,
    Control,
}

/// Serves one request and replies (no reply: the asker times out and tries again).
async fn serve(shared: &Shared, kind: Kind, message: async_nats::Message) {
    let Some(reply_to) = message.reply.clone() else {
        return;
    };
    // A zombie (frozen past its lease, deposed, fencing) answers no join, read or ring,
    // before or after serving: the asker times out and asks again, and the real owner
    // answers. A command may still go to the task: it holds it while the lease is fenced
    // (answered as soon as a renewal comes through) and a deposed task's append is refused,
    // which gets no reply (`command`); a durable result is true whoever owns the session now.
    let durable = matches!(kind, Kind::Command | Kind::Control);
    if !durable && !shared.lease.valid() {
        return;
    }
    let payload = &message.payload;
    let reply = match kind {
        Kind::Command => command(shared, payload).await,
        Kind::Join => join(shared, payload).await,
        Kind::Read => read(shared, payload).await,
        Kind::Ring => ring(shared, payload).await,
        Kind::Control => control(shared, payload).await,
    };
    // A command's result stands (applied and durable under the lease, or refused; an
    // `unavailable` gets no reply at all, see `command`), even when the lease went on
    // shutdown just after; a join's or a read's state may be stale now.
    if !durable && !shared.lease.valid() {
        tracing::debug!("the lease lapsed while serving; no reply");
        return;
    }
    if let Some(reply) = reply {
        // A read of a big session outgrows one NATS message: it goes in parts.
        let client = &shared.cluster.client;
        if let Err(error) = crate::cluster::reply::send(client, reply_to, reply).await {
            tracing::warn!(%error, "reply not sent");
        }
    }
}

/// A relayed command: applied once per rid, replied once durable and its frames forwarded.
async fn command(shared: &Shared, payload: &[u8]) -> Option<bytes::Bytes> {
    let request: wire::CommandRequest = wire::decode(payload).ok()?;
    let rid = request.rid;
    let (tx, earlier) = {
        let mut rids = shared.rids.lock().ok()?;
        match rids.get(&rid) {
            Some((_, answer)) => (None, Some(answer.clone())),
            None => {
                let (tx, rx) = watch::channel(None);
                rids.insert(rid, (Instant::now(), rx));
                (Some(tx), None)
            }
        }
    };
    let result = match (tx, earlier) {
        (_, Some(mut earlier)) => {
            let answer = earlier.wait_for(Option::is_some).await.ok()?;
            answer.clone()?
        }
        (Some(tx), None) => {
            let result = apply(shared, request).await;
            let unavailable = matches!(&result, Err(e) if e.code == "unavailable");
            let kept =
                !unavailable && !matches!(&result, Err(e) if e.code == "storage_unavailable");
            if kept {
                tx.send_replace(Some(result.clone()));
            } else if let Ok(mut rids) = shared.rids.lock() {
                // Not applied: a retry may try again (a waiting duplicate hears "unavailable").
                rids.remove(&rid);
            }
            if unavailable {
                // This task stopped (deposed, fenced): no reply, so the relay sends the same
                // rid again, to the next owner, instead of failing the phone's command.
                return None;
            }
            result
        }
        (None, None) => return None,
    };
    let reply = wire::CommandReply {
        v: WIRE_VERSION,
        result,
    };
    Some(wire::encode(&reply))
}

/// Applies a relayed command through the task and waits until its frames are forwarded.
async fn apply(shared: &Shared, request: wire::CommandRequest) -> Answer {
    let result = match serde_json::from_value::<JournalRecord>(request.command) {
        Ok(record) => {
            let command = Command::from(record);
            let rx = shared.handle.command_relayed(command, request.rid).await;
            rx.await.unwrap_or(Err(CommandError::Unavailable))
        }
        Err(error) => {
            tracing::warn!(%error, "a relayed command does not read");
            Err(CommandError::Unavailable)
        }
    };
    if let Ok(seq) = result {
        let mut forwarded = shared.forwarded.subscribe();
        let reached = forwarded.wait_for(|f| *f >= seq);
        let _ = tokio::time::timeout(FORWARD_WAIT, reached).await;
    }
    result.map_err(|e| wire::RemoteError::from(&e))
}

/// A join through an edge: the welcome (or resume); the edge has its own event stream.
async fn join(shared: &Shared, payload: &[u8]) -> Option<bytes::Bytes> {
    let request: wire::JoinRequest = wire::decode(payload).ok()?;
    let joined = shared
        .handle
        .join(request.role, request.participant, request.last_seq)
        .await
        .ok()?;
    let reply = wire::JoinReply {
        v: WIRE_VERSION,
        frames: joined
            .frames
            .iter()
            .map(|f| f.as_str().to_owned())
            .collect(),
        seq: joined.seq,
        group: joined.group,
    };
    Some(wire::encode(&reply))
}

/// A read: the whole session (as a snapshot document) or a phone's wall.
async fn read(shared: &Shared, payload: &[u8]) -> Option<bytes::Bytes> {
    let request: wire::ReadRequest = wire::decode(payload).ok()?;
    let reply = match request.what {
        wire::ReadWhat::Session => {
            let session = shared.handle.read().await.ok()?;
            let bytes = crate::store::encode_snapshot(&session).ok()?;
            wire::ReadReply {
                v: WIRE_VERSION,
                seq: session.seq(),
                session: serde_json::from_slice(&bytes).ok(),
                wall: None,
            }
        }
        wire::ReadWhat::Wall { group } => {
            let wall = shared.handle.wall(group).await;
            wire::ReadReply {
                v: WIRE_VERSION,
                seq: *shared.forwarded.borrow(),
                session: None,
                wall: wall.map(|w| w.as_str().to_owned()),
            }
        }
    };
    Some(wire::encode(&reply))
}

/// Kept frames after `since`, and how far the forwarded stream is.
async fn ring(shared: &Shared, payload: &[u8]) -> Option<bytes::Bytes> {
    let request: wire::RingRequest = wire::decode(payload).ok()?;
    // Read before asking: every frame after it goes out on the event subject later.
    let seq = *shared.forwarded.borrow();
    let frames = shared.handle.ring(request.since).await.ok()?;
    let reply = wire::RingReply {
        v: WIRE_VERSION,
        frames: frames.map(|frames| frames.iter().map(|f| to_wire(f)).collect()),
        seq: Some(seq),
    };
    Some(wire::encode(&reply))
}

/// Deletion (everywhere) and release.
async fn control(shared: &Shared, payload: &[u8]) -> Option<bytes::Bytes> {
    let request: wire::ControlRequest = wire::decode(payload).ok()?;
    let result = match request.action {
        wire::ControlAction::Delete => {
            let hub = shared.hub.upgrade()?;
            hub.delete_owned(&shared.handle.slug)
                .await
                .map_err(|error| wire::RemoteError {
                    code: "storage_unavailable".into(),
                    message: error.to_string(),
                })
        }
        wire::ControlAction::Release => Err(wire::RemoteError {
            code: "unsupported".into(),
            message: "release is not served by this node".into(),
        }),
    };
    let reply = wire::ControlReply {
        v: WIRE_VERSION,
        result,
    };
    Some(wire::encode(&reply))
}
