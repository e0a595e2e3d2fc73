//! What a relay asks the owner of its session, one request each (cluster): commands, joins,
//! reads, walls and views, each served by a task of its own so that one slow answer never
//! holds up the others (the relay's loop only dispatches, `relay.rs`).
//!
//! Every request goes through [`ask_owner`]: on "no responders" (nobody owns the session
//! now) or a timeout while the lease is free it asks [`Hub::ensure_owner`] to get it owned,
//! then tries again, for up to [`GIVE_UP_AFTER`]. A command keeps the same `rid` on every
//! try, so the owner answers a retry of an applied command with its first result.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use async_nats::client::RequestErrorKind;
use axum::extract::ws::Utf8Bytes;
use bytes::Bytes;
use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::{CommandError, Frames, Hub, Joined};
use crate::cluster::reply::{self, AskError};
use crate::cluster::wire::{self, ReadWhat, WIRE_VERSION};
use crate::cluster::{subject, Cluster};
use crate::protocol::Role;
use crate::session::{Command, GroupId, ParticipantId, Session, SessionName};
use crate::store::JournalRecord;

/// How long one try waits for the owner (it answers a command after its batch is durable:
/// a few ms, a few hundred under a failover's backlog). Short, because a try that reached an
/// owner just as it handed the session over (a planned restart) is never answered: with 3 s
/// here, a relay's in-flight commands all waited out those 3 s before anyone claimed the
/// session (a rolling restart's step measured 3.6 s). A retry keeps its rid.
const ATTEMPT: Duration = Duration::from_secs(1);
/// The same for a reply that may be the whole session (a read, a welcome): tens of MB.
const ATTEMPT_LARGE: Duration = Duration::from_secs(3);
/// How long a request is retried before the caller hears `unavailable` (a failover takes
/// about a lease time; 30 s covers it with room to spare).
pub(super) const GIVE_UP_AFTER: Duration = Duration::from_secs(30);
/// Pause between tries (grows to [`MAX_PAUSE`]).
const PAUSE: Duration = Duration::from_millis(100);
/// Longest pause between tries.
const MAX_PAUSE: Duration = Duration::from_secs(1);
/// Pause between tries while nobody serves the session; also how often one node asks who
/// owns it (however many of its requests wait: [`Hub::owner_check_due`]).
const NO_OWNER_PAUSE: Duration = Duration::from_millis(200);
/// Commands a relay has out to the owner at once; more wait here. Without a bound, phones
/// that keep sending through a failover leave thousands of commands waiting on one node;
/// each retried every [`NO_OWNER_PAUSE`] while nobody owns the session, and all of them at
/// once at the new owner, whose answers then took longer than [`ATTEMPT`], so they were sent
/// again: one measured run spent 30 s like that and answered 11,413 commands `unavailable`.
/// At a few ms per answer, this many keep a relay at thousands of commands a second.
pub(super) const IN_FLIGHT: usize = 256;
/// How long a caller waits for the local event stream to reach a seq before asking the
/// relay to fetch what it missed (core NATS may drop a message).
const GAP_WAIT: Duration = Duration::from_secs(1);

/// The local broadcasts of a relay: phones, and the facilitator and projector.
pub(super) struct Channels {
    /// For phones.
    pub phones: broadcast::Sender<Arc<Frames>>,
    /// For the facilitator and the projector.
    pub staff: broadcast::Sender<Arc<Frames>>,
}

/// What a relay's request tasks share with its loop.
pub(super) struct RelayLink {
    /// The session.
    pub slug: SessionName,
    /// This node's cluster connection.
    pub cluster: Arc<Cluster>,
    /// The hub (for claims).
    pub hub: Weak<Hub>,
    /// The local broadcasts; `None` once the relay ended (its connections see the end).
    pub channels: Mutex<Option<Channels>>,
    /// The seq the local event stream has reached.
    pub seq: watch::Sender<u64>,
    /// A caller waiting for a seq the stream has not reached asks the loop to fetch it.
    pub behind: mpsc::Sender<u64>,
    /// Cancelled when the relay ends: every request task gives up.
    pub ended: CancellationToken,
    /// Commands being asked of the owner ([`IN_FLIGHT`] at most).
    pub in_flight: tokio::sync::Semaphore,
}

impl RelayLink {
    /// Sends `body` to the owner on `subject`, retrying (see the module doc); `None` when
    /// no owner answered within [`GIVE_UP_AFTER`] or the relay ended.
    pub async fn ask(&self, subject: String, body: Bytes) -> Option<async_nats::Message> {
        let hub = self.hub.upgrade()?;
        let (slug, ended) = (&self.slug, &self.ended);
        ask_owner_with(&hub, &self.cluster, slug, subject, body, ended, false).await
    }

    /// As [`RelayLink::ask`], for a reply that may outgrow one NATS message (a read of
    /// the whole session, a welcome): it may come in parts (`cluster::reply`).
    pub async fn ask_large(&self, subject: String, body: Bytes) -> Option<async_nats::Message> {
        let hub = self.hub.upgrade()?;
        let (slug, ended) = (&self.slug, &self.ended);
        ask_owner_with(&hub, &self.cluster, slug, subject, body, ended, true).await
    }

    /// Waits until the local event stream has reached `seq` (so a reply never overtakes
    /// the events before it on a connection).
    pub async fn reached(&self, seq: u64) -> Result<(), CommandError> {
        let mut rx = self.seq.subscribe();
        loop {
            if *rx.borrow_and_update() >= seq {
                return Ok(());
            }
            tokio::select! {
                _ = self.ended.cancelled() => return Err(CommandError::Unavailable),
                changed = tokio::time::timeout(GAP_WAIT, rx.changed()) => match changed {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => return Err(CommandError::Unavailable),
                    Err(_) => {
                        let _ = self.behind.try_send(seq);
                    }
                },
            }
        }
    }

    /// A command: relayed under a fresh rid, answered once its events are local.
    pub async fn command(&self, command: Command) -> Result<u64, CommandError> {
        let metrics = &self.cluster.metrics.cluster;
        let started = Instant::now();
        let permit = tokio::select! {
            _ = self.ended.cancelled() => return Err(CommandError::Unavailable),
            permit = tokio::time::timeout(GIVE_UP_AFTER, self.in_flight.acquire()) => permit,
        };
        let _permit = match permit {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) | Err(_) => return Err(CommandError::Unavailable),
        };
        let request = wire::CommandRequest {
            v: WIRE_VERSION,
            rid: uuid::Uuid::new_v4(),
            command: serde_json::to_value(JournalRecord::from(command))
                .map_err(|_| CommandError::Unavailable)?,
        };
        let body = wire::encode(&request);
        let reply = self
            .ask(subject::command(&self.slug), body)
            .await
            .ok_or(CommandError::Unavailable)?;
        let reply: wire::CommandReply =
            wire::decode(&reply.payload).map_err(|_| CommandError::Unavailable)?;
        let seq = reply.result.map_err(CommandError::from)?;
        self.reached(seq).await?;
        metrics
            .relay_seconds
            .observe(started.elapsed().as_secs_f64());
        Ok(seq)
    }

    /// A join: subscribed to the local stream first, then the owner's welcome (or resume).
    pub async fn join(
        &self,
        role: Role,
        participant: Option<ParticipantId>,
        last_seq: u64,
    ) -> Option<Joined> {
        let events = {
            let channels = self.channels.lock().ok()?;
            let channels = channels.as_ref()?;
            match role {
                Role::Participant => channels.phones.subscribe(),
                Role::Facilitator | Role::Screen => channels.staff.subscribe(),
            }
        };
        let request = wire::JoinRequest {
            v: WIRE_VERSION,
            role,
            participant,
            last_seq,
        };
        let reply = self
            .ask_large(subject::join(&self.slug), wire::encode(&request))
            .await?;
        let reply: wire::JoinReply = wire::decode(&reply.payload).ok()?;
        Some(Joined {
            frames: reply.frames.into_iter().map(Utf8Bytes::from).collect(),
            seq: reply.seq,
            group: reply.group,
            events,
        })
    }

    /// The owner's answer to a read.
    async fn read_what(&self, what: ReadWhat) -> Option<wire::ReadReply> {
        let request = wire::ReadRequest {
            v: WIRE_VERSION,
            what,
        };
        let reply = self
            .ask_large(subject::read(&self.slug), wire::encode(&request))
            .await?;
        wire::decode(&reply.payload).ok()
    }

    /// A copy of the owner's state, and its seq.
    pub async fn read(&self) -> Option<(u64, Session)> {
        let reply = self.read_what(ReadWhat::Session).await?;
        let bytes = serde_json::to_vec(&reply.session?).ok()?;
        match crate::store::decode_snapshot(&bytes, "cluster read") {
            Ok(session) => Some((reply.seq, session)),
            Err(error) => {
                tracing::error!(%error, "the owner's copy of the session does not read");
                None
            }
        }
    }

    /// A frame built from the owner's state, once the local stream has reached it.
    pub async fn view(
        &self,
        build: Box<dyn FnOnce(&Session) -> String + Send>,
    ) -> Option<Utf8Bytes> {
        let (seq, session) = self.read().await?;
        self.reached(seq).await.ok()?;
        Some(Utf8Bytes::from(build(&session)))
    }

    /// The current prompt's whole wall for a phone in `group` (`None`: the wall is off).
    pub async fn wall(&self, group: Option<GroupId>) -> Option<Utf8Bytes> {
        let reply = self.read_what(ReadWhat::Wall { group }).await?;
        self.reached(reply.seq).await.ok()?;
        reply.wall.map(Utf8Bytes::from)
    }
}

/// Sends a request to the owner of `slug`, retrying for [`GIVE_UP_AFTER`] (or until `until`
/// is cancelled): on no responders, and on a timeout while the lease is free, the session is
/// got owned first ([`Hub::ensure_owner`]).
pub(super) async fn ask_owner(
    hub: &Arc<Hub>,
    cluster: &Cluster,
    slug: &SessionName,
    subject: String,
    body: Bytes,
    until: &CancellationToken,
) -> Option<async_nats::Message> {
    ask_owner_with(hub, cluster, slug, subject, body, until, false).await
}

/// [`ask_owner`]; `large`: the reply may come in parts.
async fn ask_owner_with(
    hub: &Arc<Hub>,
    cluster: &Cluster,
    slug: &SessionName,
    subject: String,
    body: Bytes,
    until: &CancellationToken,
    large: bool,
) -> Option<async_nats::Message> {
    let give_up = Instant::now() + GIVE_UP_AFTER;
    let mut pause = PAUSE;
    loop {
        // No responders: nobody serves the session right now (its owner died, or is loading
        // it). The local NATS server says so at once, so this is polled briskly: the sooner
        // a request sees the new owner's bridge, the shorter the stall.
        let (claim, wait) = match try_once(cluster, &subject, body.clone(), large).await {
            Ok(message) => return Some(message),
            Err(AskError::NoResponders) => (true, NO_OWNER_PAUSE),
            Err(AskError::TimedOut) => (lease_free(cluster, slug).await, pause),
            Err(AskError::Failed(error)) => {
                tracing::debug!(%error, "request to the owner failed");
                (false, pause)
            }
        };
        if claim && hub.owner_check_due(slug, NO_OWNER_PAUSE) {
            if let Err(error) = hub.ensure_owner(slug).await {
                tracing::warn!(session = %slug, %error, "could not get the session owned");
            }
        }
        if Instant::now() >= give_up {
            tracing::warn!(session = %slug, subject, "no owner answered; giving up");
            return None;
        }
        cluster.metrics.cluster.relay_retries.inc();
        tokio::select! {
            _ = until.cancelled() => return None,
            _ = tokio::time::sleep(wait) => {}
        }
        if wait == pause {
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }
}

/// One try: a plain request (one message back), or one whose reply may come in parts.
async fn try_once(
    cluster: &Cluster,
    subject: &str,
    body: Bytes,
    large: bool,
) -> Result<async_nats::Message, AskError> {
    let client = &cluster.client;
    if large {
        return reply::request(client, subject.to_owned(), body, ATTEMPT_LARGE).await;
    }
    let request = async_nats::Request::new()
        .payload(body)
        .timeout(Some(ATTEMPT));
    client
        .send_request(subject.to_owned(), request)
        .await
        .map_err(|error| match error.kind() {
            RequestErrorKind::NoResponders => AskError::NoResponders,
            RequestErrorKind::TimedOut => AskError::TimedOut,
            _ => AskError::Failed(error.to_string()),
        })
}

/// Whether nobody holds `slug`'s lease (a timed-out owner may simply be busy).
async fn lease_free(cluster: &Cluster, slug: &SessionName) -> bool {
    match cluster.owners.entry(slug.as_str()).await {
        Ok(Some(entry)) => entry.operation != async_nats::jetstream::kv::Operation::Put,
        Ok(None) => true,
        Err(_) => false,
    }
}
