//! Loading a session for takeover: the replicated snapshot, then every journal batch after it
//! on `paja.j.<slug>`, read from the stream leader in order.
//!
//! Before reading, the new owner appends its claim marker (`journal.rs`): from then on no older
//! epoch can extend the log, so what is read up to the marker is the whole log. Each batch must
//! link to the one before (`Paja-Prev`, the SHA-256 of its body) and each line must take the
//! session to exactly its recorded seq; a break means a duplicate, a gap or a diverged replica,
//! and the session is refused rather than served wrong ([`ReplayError::Broken`]).
//!
//! The replay also rebuilds what lets clients carry on as if nothing happened: the resume ring
//! (the last sequenced frames through `protocol::event_frames`, cleared by an erasing
//! command, as the task does) and the rid table (relayed commands of the last two minutes, so
//! an edge's retry after the takeover is answered, not applied twice).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::{pull::OrderedConfig, DeliverPolicy};
use async_nats::jetstream::stream::Stream;
use async_nats::HeaderMap;
use futures_util::StreamExt;
use uuid::Uuid;

use super::journal::{chain_hash, header_str, ClusterJournal, JournalError, RIDS};
use super::lease::Lease;
use super::snapshot::{self, SnapshotError};
use super::wire::header;
use super::Cluster;
use crate::protocol::{self, Frames};
use crate::session::{Millis, Session, SessionName};
use crate::store;

/// Frames kept for resuming clients (the task's ring size).
pub const RING: usize = 1024;
/// How long a relayed command's rid is remembered.
pub const RID_WINDOW_MS: Millis = 120_000;

/// Why a session could not be loaded for takeover.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// No snapshot: the session is not in the cluster (or its creation did not finish).
    #[error("the session has no snapshot in the cluster")]
    Unknown,
    /// NATS failed.
    #[error("NATS: {0}")]
    Nats(String),
    /// The journal does not verify: refuse to serve.
    #[error("the replicated journal is broken at stream seq {at}: {why}")]
    Broken {
        /// Stream sequence of the bad message.
        at: u64,
        /// What is wrong.
        why: String,
    },
}

impl From<SnapshotError> for ReplayError {
    fn from(error: SnapshotError) -> Self {
        ReplayError::Nats(error.to_string())
    }
}

impl From<JournalError> for ReplayError {
    fn from(error: JournalError) -> Self {
        ReplayError::Nats(error.to_string())
    }
}

/// A session loaded for its new owner.
pub struct Loaded {
    /// The state after every batch.
    pub session: Session,
    /// The journal, positioned after the claim marker, for this owner's appends.
    pub journal: ClusterJournal,
    /// The last ≤ [`RING`] sequenced frames.
    pub ring: VecDeque<Arc<Frames>>,
    /// The newest seq phones may have missed outside `ring` (`SessionTask::phone_horizon`).
    pub phone_horizon: u64,
    /// Relayed commands of the last [`RID_WINDOW_MS`]: rid → ack seq.
    pub rids: HashMap<Uuid, u64>,
    /// Batches replayed after the snapshot.
    pub batches: usize,
    /// The tail holds an erasure or a rehearsal's reset: its owner may have died before the
    /// snapshot and purge that follow one, so the words may still be in the stream. The new
    /// owner does them again ([`crate::hub`]'s `scrub`) before it serves anything else.
    pub erasure_owed: bool,
}

/// Claims the log (marker) and loads the session from snapshot + batches.
pub async fn load(
    cluster: &Arc<Cluster>,
    slug: &SessionName,
    lease: &Lease,
    now: Millis,
) -> Result<Loaded, ReplayError> {
    let started = Instant::now();
    let (record, session) = snapshot::get(cluster, slug)
        .await?
        .ok_or(ReplayError::Unknown)?;
    let mut journal = ClusterJournal::open(cluster, slug, lease.epoch(), 0, String::new()).await?;
    let marker = journal.claim(lease).await?;
    let stream = cluster
        .js
        .get_stream(super::JOURNAL_STREAM)
        .await
        .map_err(|e| ReplayError::Nats(e.to_string()))?;
    let mut replay = Replay {
        // Frames before the snapshot are not rebuilt: a phone that missed one of them for
        // phones gets a welcome; one that saw the last of them resumes.
        phone_horizon: record
            .phones_seq
            .unwrap_or(session.seq())
            .min(session.seq()),
        session,
        prev: record.prev,
        ring: VecDeque::new(),
        rids: HashMap::new(),
        batches: 0,
        erasure_owed: false,
        now,
    };
    let from = record.stream_seq + 1;
    if from < marker {
        let name = format!("paja-replay-{slug}-{}", lease.epoch());
        let mut batches = tail_batches(&stream, &journal.subject, from, &name).await?;
        loop {
            let next = tokio::time::timeout(READ_WAIT, batches.next()).await;
            let message = match next {
                Ok(Some(Ok(message))) => message,
                Ok(Some(Err(error))) => return Err(ReplayError::Nats(error.to_string())),
                Ok(None) => return Err(ReplayError::Nats("the journal read ended".into())),
                Err(_) => return Err(ReplayError::Nats("the journal read stalled".into())),
            };
            let at = message
                .info()
                .map_err(|e| ReplayError::Nats(e.to_string()))?
                .stream_sequence;
            if at >= marker {
                break;
            }
            let headers = message.headers.clone().unwrap_or_default();
            replay.batch(at, &headers, &message.payload)?;
        }
        drop(batches);
        // Gone now rather than 30 s from now: a stream has room for a limited number.
        if let Err(error) = stream.delete_consumer(&name).await {
            tracing::debug!(%error, "the replay's consumer was not deleted; it expires");
        }
    }
    journal.prev = replay.prev;
    cluster
        .metrics
        .cluster
        .takeover_load_seconds
        .observe(started.elapsed().as_secs_f64());
    tracing::info!(session = %slug, epoch = lease.epoch(), batches = replay.batches, seq = replay.session.seq(), took_ms = started.elapsed().as_millis() as u64, "session loaded from the cluster");
    Ok(Loaded {
        session: replay.session,
        journal,
        ring: replay.ring,
        phone_horizon: replay.phone_horizon,
        rids: replay.rids,
        batches: replay.batches,
        erasure_owed: replay.erasure_owed,
    })
}

/// How long the replay waits for the next batch before it gives up (they are all in the
/// stream already: a wait this long means the server is gone).
const READ_WAIT: Duration = Duration::from_secs(5);

/// Every batch of `subject` from stream sequence `from` on, streamed in order by an ordered
/// (ephemeral, flow-controlled) consumer: one round trip per few hundred batches rather than
/// one per batch, which is what a takeover waits for when the session was written in many
/// small batches since its last snapshot. The caller deletes the consumer (`name`) after.
async fn tail_batches(
    stream: &Stream,
    subject: &str,
    from: u64,
    name: &str,
) -> Result<async_nats::jetstream::consumer::pull::Ordered, ReplayError> {
    let config = OrderedConfig {
        name: Some(name.to_owned()),
        filter_subject: subject.to_owned(),
        deliver_policy: DeliverPolicy::ByStartSequence {
            start_sequence: from,
        },
        ..Default::default()
    };
    let consumer = stream
        .create_consumer(config)
        .await
        .map_err(|e| ReplayError::Nats(e.to_string()))?;
    consumer
        .messages()
        .await
        .map_err(|e| ReplayError::Nats(e.to_string()))
}

struct Replay {
    session: Session,
    prev: String,
    ring: VecDeque<Arc<Frames>>,
    phone_horizon: u64,
    rids: HashMap<Uuid, u64>,
    batches: usize,
    erasure_owed: bool,
    now: Millis,
}

impl Replay {
    /// Checks and applies one journal message (a claim marker only passes).
    fn batch(&mut self, at: u64, headers: &HeaderMap, payload: &[u8]) -> Result<(), ReplayError> {
        let broken = |why: String| ReplayError::Broken { at, why };
        let seqs = header_str(headers, header::SEQ).unwrap_or_default();
        if seqs == "0-0" {
            return Ok(());
        }
        let prev = header_str(headers, header::PREV).unwrap_or_default();
        if prev != self.prev {
            return Err(broken(format!("chain link {prev:?} ≠ {:?}", self.prev)));
        }
        let mut last_at = 0;
        for line in payload.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let record = store::decode_record(line).map_err(|e| broken(e.to_string()))?;
            let applied = self
                .session
                .apply(&record.cmd, record.at)
                .map_err(|e| broken(format!("seq {} rejected: {e:?}", record.seq)))?;
            if self.session.seq() != record.seq {
                return Err(broken(format!(
                    "seq {} replayed as {}",
                    record.seq,
                    self.session.seq()
                )));
            }
            if crate::hub::erases(&record.cmd) && !applied.events.is_empty() {
                self.ring.clear();
                self.phone_horizon = self.session.seq();
                self.erasure_owed = true;
            }
            for stamped in &applied.events {
                if self.ring.len() == RING {
                    if let Some(gone) = self.ring.pop_front() {
                        self.phone_horizon = self.phone_horizon.max(crate::hub::phone_seq(&gone));
                    }
                }
                let frames = protocol::event_frames(stamped, &self.session, record.at);
                self.ring.push_back(Arc::new(frames));
            }
            last_at = record.at;
        }
        if last_at + RID_WINDOW_MS >= self.now {
            let list = header_str(headers, RIDS).unwrap_or_default();
            for (seq, rid) in list.split(',').filter_map(|p| p.split_once('=')) {
                if let (Ok(seq), Ok(rid)) = (seq.parse(), rid.parse()) {
                    self.rids.insert(rid, seq);
                }
            }
        }
        self.prev = chain_hash(payload);
        self.batches += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{testkit, Command};

    fn replay_of(session: Session) -> Replay {
        Replay {
            phone_horizon: session.seq(),
            session,
            prev: String::new(),
            ring: VecDeque::new(),
            rids: HashMap::new(),
            batches: 0,
            erasure_owed: false,
            now: 0,
        }
    }

    /// Replays one batch of `commands` as an owner would have written it.
    fn batch(replay: &mut Replay, commands: &[Command]) {
        let mut scratch = replay.session.clone();
        let (first, mut payload) = (scratch.seq() + 1, Vec::new());
        for command in commands {
            scratch.apply(command, 5).expect("applies");
            store::encode_record(&mut payload, scratch.seq(), 5, command);
        }
        let mut headers = HeaderMap::new();
        headers.insert(header::SEQ, format!("{first}-{}", scratch.seq()).as_str());
        headers.insert(header::PREV, replay.prev.as_str());
        replay.batch(1, &headers, &payload).expect("replays");
    }

    #[test]
    fn an_erasure_or_a_reset_in_the_tail_is_owed_to_the_next_owner() {
        let mut replay = replay_of(testkit::session());
        let draft = testkit::draft("Q");
        batch(&mut replay, &[Command::AddPrompt { draft }]);
        batch(&mut replay, &[Command::SetRehearsal { on: true }]);
        assert!(!replay.erasure_owed, "nothing erased yet");
        batch(&mut replay, &[Command::ResetRehearsal]);
        assert!(replay.erasure_owed, "the reset's purge may not have run");
        assert!(
            replay.ring.len() <= 1,
            "nothing before the reset is resumable"
        );
    }
}
