//! The messages between Paja nodes, and what the cluster keeps in JetStream: explicit,
//! versioned types (every message has `v`; a node refuses a `v` it does not know with
//! [`WireError::Version`] rather than guessing). Clients never see any of this: the websocket
//! protocol is the same on every node.
//!
//! | subject / key                 | body                                          |
//! |-------------------------------|-----------------------------------------------|
//! | `paja.cmd.<slug>` (request)   | [`CommandRequest`] → [`CommandReply`]         |
//! | `paja.join.<slug>` (request)  | [`JoinRequest`] → [`JoinReply`]               |
//! | `paja.read.<slug>` (request)  | [`ReadRequest`] → [`ReadReply`]               |
//! | `paja.ring.<slug>` (request)  | [`RingRequest`] → [`RingReply`]               |
//! | `paja.ctl.<slug>` (request)   | [`ControlRequest`] → [`ControlReply`]         |
//! | `paja.ev.<slug>`              | [`EventBatch`]                                |
//! | `paja.presence.<slug>`        | [`PresenceReport`]                            |
//! | `paja.claim.<node>` (request) | [`ClaimRequest`] → [`ClaimReply`]             |
//! | stream `PAJA_J`, `paja.j.<slug>` | today's journal lines, one batch a message; headers [`header`] |
//! | KV `PAJA_OWNER[<slug>]`       | [`OwnerRecord`] (revision = epoch)            |
//! | KV `PAJA_SESSIONS[<slug>]`    | [`SessionRecord`]                             |
//! | KV `PAJA_NODES[<node>]`       | [`NodeRecord`]                                |
//! | object `PAJA_SNAP/<slug>`     | [`SnapshotRecord`]                            |

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::protocol::Role;
use crate::session::{GroupId, Millis, ParticipantId, SessionName};

/// The version of every message and record below.
pub const WIRE_VERSION: u32 = 1;

/// JetStream headers on a journal batch.
pub mod header {
    /// The lease revision (epoch) of the owner that wrote the batch.
    pub const EPOCH: &str = "Paja-Epoch";
    /// `first-last`: the session seqs the batch holds (`0-0`: a claim marker, no records).
    pub const SEQ: &str = "Paja-Seq";
    /// Hex SHA-256 of the previous batch's body (empty for the first): a chain that makes a
    /// duplicate, a gap or a diverged replica visible on replay.
    pub const PREV: &str = "Paja-Prev";
    /// The node that wrote it.
    pub const NODE: &str = "Paja-Node";
}

/// Why a message could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Not JSON of the expected shape.
    #[error("malformed cluster message: {0}")]
    Malformed(#[from] serde_json::Error),
    /// A version this node does not know (a newer node in a rolling upgrade).
    #[error("cluster message version {0} is not supported (this node speaks {WIRE_VERSION})")]
    Version(u32),
}

/// Serializes a message (they are plain data; this cannot fail).
pub fn encode<T: Serialize>(message: &T) -> bytes::Bytes {
    bytes::Bytes::from(serde_json::to_vec(message).unwrap_or_default())
}

/// Reads a message and checks its version.
pub fn decode<'a, T: Deserialize<'a> + Versioned>(bytes: &'a [u8]) -> Result<T, WireError> {
    let message: T = serde_json::from_slice(bytes)?;
    match message.version() {
        WIRE_VERSION => Ok(message),
        other => Err(WireError::Version(other)),
    }
}

/// A message that carries its version.
pub trait Versioned {
    /// Its `v`.
    fn version(&self) -> u32;
}

macro_rules! versioned {
    ($($t:ty),* $(,)?) => {$(
        impl Versioned for $t {
            fn version(&self) -> u32 {
                self.v
            }
        }
    )*};
}

versioned!(
    CommandRequest,
    CommandReply,
    JoinRequest,
    JoinReply,
    ReadRequest,
    ReadReply,
    RingRequest,
    RingReply,
    ControlRequest,
    ControlReply,
    EventBatch,
    PresenceReport,
    ClaimRequest,
    ClaimReply,
    OwnerRecord,
    SessionRecord,
    NodeRecord,
    SnapshotRecord,
);

/// A command relayed by an edge for one of its connections.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandRequest {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// Chosen by the edge, the same on every retry: the owner answers a rid it has already
    /// applied with the first result instead of applying it again.
    pub rid: Uuid,
    /// The command in its journal form (`store::format::JournalRecord`).
    pub command: serde_json::Value,
}

/// The owner's answer, sent only after the batch is durable (local fsync and JetStream).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandReply {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// The ack's seq, or the error.
    pub result: Result<u64, RemoteError>,
}

/// A `CommandError` as it crosses the network: its wire code and message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteError {
    /// The client-facing code (`text_too_long`, `unavailable`, …).
    pub code: String,
    /// The client-facing message.
    pub message: String,
}

/// A connection's join (or resume) through an edge.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinRequest {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// Who joins.
    pub role: Role,
    /// The phone's participant id.
    pub participant: Option<ParticipantId>,
    /// The last seq the client saw (0: none).
    pub last_seq: u64,
}

/// What the owner's `Joined` holds, minus the event stream (the edge has its own).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinReply {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// A `welcome`, or a `resumed` and the missed frames, each a JSON text.
    pub frames: Vec<String>,
    /// The welcome's seq: events at or below it are in `frames`.
    pub seq: u64,
    /// The participant's group at that point.
    pub group: Option<GroupId>,
}

/// A read of the owner's state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadRequest {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// What to read.
    pub what: ReadWhat,
}

/// What a [`ReadRequest`] reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReadWhat {
    /// The whole session, as a snapshot document (`{"format":1,"session":…}`).
    Session,
    /// The current prompt's whole wall as a phone in `group` sees it.
    Wall {
        /// The phone's group.
        group: Option<GroupId>,
    },
}

/// The answer to a [`ReadRequest`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReadReply {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// The session's seq when read: an edge answers its caller only once its own event
    /// stream has reached it (so a view never runs ahead of the events before it).
    pub seq: u64,
    /// The snapshot document (for [`ReadWhat::Session`]).
    pub session: Option<serde_json::Value>,
    /// The wall frame (for [`ReadWhat::Wall`]; `None`: the wall is off).
    pub wall: Option<String>,
}

/// Frames an edge missed (it saw a gap in the seqs of [`EventBatch`]es).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RingRequest {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// The last seq the edge has.
    pub since: u64,
}

/// The sequenced frames after `since`, or `None` when the owner no longer holds them all
/// (the edge then sends its connections a fresh welcome).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RingReply {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// The frames, oldest first.
    pub frames: Option<Vec<WireFrames>>,
    /// The seq of the last frame the owner has forwarded on `paja.ev.<slug>` when it
    /// answered: a relay starting up asks `since: u64::MAX` and takes this as the point its
    /// event stream starts from (later frames reach it on the subject it subscribed first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

/// A request for the owner that is not a command.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlRequest {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// What to do.
    pub action: ControlAction,
}

/// What a [`ControlRequest`] asks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ControlAction {
    /// Delete the session everywhere (journal subject, snapshot, records, local files).
    Delete,
    /// Hand the session over (drain): final batch, snapshot, release the lease.
    Release,
}

/// The answer to a [`ControlRequest`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlReply {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// Done, or why not.
    pub result: Result<(), RemoteError>,
}

/// `protocol::Frames` as it crosses the network: each audience's frame, serialized once.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WireFrames {
    /// The event's seq (`None`: a coalesced frame: results, wall, presence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// For phones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participant: Option<String>,
    /// For phones, per group (a per-group wall).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_group: Option<Vec<(GroupId, String)>>,
    /// For the projector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen: Option<String>,
    /// For the console.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facilitator: Option<String>,
}

/// What the owner publishes on `paja.ev.<slug>`: frames in the order its task published
/// them. `epoch` lets an edge drop a deposed owner's late messages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventBatch {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// The publishing owner's lease revision.
    pub epoch: u64,
    /// The frames.
    pub frames: Vec<WireFrames>,
    /// Set when the owner's own stream lagged: frames were lost, so every edge gives its
    /// connections a fresh welcome (as a lagging connection gets one today).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lagged: bool,
}

/// An edge's connected participants of one session (sent every second).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PresenceReport {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// The reporting node.
    pub node: String,
    /// Its connected participants (each once, however many tabs).
    pub participants: Vec<ParticipantId>,
}

/// Asks the preferred owner of a session to claim it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClaimRequest {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// The session.
    pub slug: SessionName,
}

/// Whether the node now owns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClaimReply {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// It owns the session now (or already did).
    pub owned: bool,
}

/// The lease: who owns a session. Its KV revision is the fencing epoch.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OwnerRecord {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// The owning node.
    pub node: String,
    /// When claimed (ms since the epoch, the owner's clock; for people, not for safety).
    pub since: Millis,
}

/// A session of the cluster: what a lookup, a key check and retention need without loading
/// it (the session's meta).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// The session's `meta.json` document (`store::format::encode_meta`).
    pub meta: serde_json::Value,
}

/// A live node (its heartbeat).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeRecord {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// Where its HTTP listens (for people and dashboards).
    pub addr: String,
    /// Sessions it owns now.
    pub owned: usize,
}

/// A replicated snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotRecord {
    /// [`WIRE_VERSION`].
    pub v: u32,
    /// The snapshot document (`{"format":1,"session":…}`, `store::format::encode_snapshot`).
    pub snapshot: serde_json::Value,
    /// The session seq it holds.
    pub seq: u64,
    /// The stream sequence of the last journal batch it covers (replay starts after it).
    pub stream_seq: u64,
    /// The epoch that wrote it.
    pub epoch: u64,
    /// The chain hash (`Paja-Prev`) the first batch after it must carry (added; "" when
    /// absent).
    #[serde(default)]
    pub prev: String,
    /// The seq of the newest frame phones got anything from before it (added; absent: a
    /// phone must have seen `seq` itself to resume after a takeover).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phones_seq: Option<u64>,
}
