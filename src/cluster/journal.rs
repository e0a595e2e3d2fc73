//! A session's replicated journal: one JetStream message on `paja.j.<slug>` per group-commit
//! batch, its body exactly the batch's local journal lines.
//!
//! Every append carries `Nats-Expected-Last-Subject-Sequence: <tail>` (the stream sequence of
//! the session's last message as this owner knows it) and `Nats-Msg-Id:
//! <slug>:<last seq>:<epoch>`. A new owner first appends a **claim marker** (no records,
//! `Paja-Seq: 0-0`) with the tail it read, so a deposed owner's next append carries a stale
//! tail and is refused (10071): two writers can never both extend a session's log.
//!
//! A PubAck can be lost after the write landed (seen in testing during leader changes). So on a
//! timeout or a 10071 the owner reads the subject's last message from the stream leader: its
//! own epoch and the same `Paja-Seq` → it landed, adopt that tail; otherwise it was deposed
//! ([`JournalError::Fenced`]). A timeout while the lease is valid is retried with the same
//! message id (JetStream's dedupe window makes the retry harmless). While the lease is
//! self-fenced (no renewal for 0.8 × lease) the batch is held, unacknowledged, until a renewal
//! comes through or the whole lease has passed (then `Fenced`).
//!
//! Batches larger than [`MAX_MESSAGE`] are split at line boundaries into several messages, each
//! with its own expected tail and chain link (the server's `max_payload` is 1 MB by default and
//! is a server setting a client cannot raise, so splitting is the portable choice).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::context::PublishErrorKind;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::stream::{LastRawMessageErrorKind, Stream};
use async_nats::HeaderMap;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::lease::Lease;
use super::wire::header;
use super::{Cluster, JOURNAL_STREAM};
use crate::session::SessionName;

/// The largest body of one journal message; bigger batches are split.
pub const MAX_MESSAGE: usize = 900 * 1024;
/// The header listing a batch's relayed commands: `<ack seq>=<rid>,…`.
pub const RIDS: &str = "Paja-Rids";
/// How long one publish may wait for its PubAck before the tail is read. A publish in flight
/// while the stream's leader steps down (a planned NATS restart) or while the connection
/// moves to another server gets no PubAck at all: this wait is then the whole write stall
/// of the step, so it is short (a PubAck normally takes milliseconds; a slow one costs a
/// tail read and a deduplicated retry, nothing more).
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(1);

/// Why a batch is not in the replicated journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Another owner extended the log (or the lease is gone): this owner must stop.
    #[error("deposed: another owner holds the session")]
    Fenced,
    /// JetStream could not be reached or refused for another reason.
    #[error("the replicated journal is unavailable: {0}")]
    Unavailable(String),
}

/// Hex SHA-256 of a batch body (the `Paja-Prev` chain link of the next batch).
pub fn chain_hash(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The owner's append position on one session's subject.
pub struct ClusterJournal {
    cluster: Arc<Cluster>,
    stream: Stream,
    slug: SessionName,
    /// `paja.j.<slug>`.
    pub subject: String,
    /// This owner's lease revision.
    pub epoch: u64,
    /// The stream sequence of the subject's last message (0: none).
    pub tail: u64,
    /// Hex SHA-256 of the last batch's body ("" before the first).
    pub prev: String,
}

/// The subject's last message, as read from the stream leader: its stream seq, epoch and
/// `Paja-Seq`. `None`: the subject is empty.
pub struct Last {
    /// Stream sequence.
    pub sequence: u64,
    /// `Paja-Epoch`.
    pub epoch: u64,
    /// `Paja-Seq` (`first-last`).
    pub seqs: String,
}

impl ClusterJournal {
    /// The journal of `slug` for an owner of `epoch` that has read the subject up to `tail`.
    pub async fn open(
        cluster: &Arc<Cluster>,
        slug: &SessionName,
        epoch: u64,
        tail: u64,
        prev: String,
    ) -> Result<Self, JournalError> {
        let stream = cluster
            .js
            .get_stream(JOURNAL_STREAM)
            .await
            .map_err(|e| JournalError::Unavailable(e.to_string()))?;
        Ok(ClusterJournal {
            cluster: cluster.clone(),
            stream,
            slug: slug.clone(),
            subject: super::subject::journal(slug),
            epoch,
            tail,
            prev,
        })
    }

    /// The subject's last message, read from the stream leader.
    pub async fn last(&self) -> Result<Option<Last>, JournalError> {
        read_last(&self.stream, &self.subject).await
    }

    /// Appends the claim marker at the subject's current end (read now): after it, every
    /// append of an older epoch is refused. Returns the marker's stream sequence.
    ///
    /// A deposed owner that has not noticed yet may append between the read and the marker;
    /// the marker is then refused (10071) and simply placed again after that batch (the lease
    /// says this owner is the rightful one; the replay reads that batch too).
    pub async fn claim(&mut self, lease: &Lease) -> Result<u64, JournalError> {
        let mut tries = 0;
        loop {
            self.tail = self.last().await?.map_or(0, |l| l.sequence);
            match self.publish(0, 0, Bytes::new(), &[], lease).await {
                Ok(()) => return Ok(self.tail),
                Err(JournalError::Fenced) if lease.valid() && tries < 5 => tries += 1,
                Err(error) => return Err(error),
            }
        }
    }

    /// Appends a marker (no records) at the end and purges every message of the subject
    /// before it: after an erasure's snapshot (which covers up to `covered`), so the erased
    /// words leave JetStream too. The marker stays as the subject's tail, so the expected-tail
    /// fencing keeps working. Returns the marker's stream sequence.
    pub async fn purge_through(&mut self, lease: &Lease) -> Result<u64, JournalError> {
        self.publish(0, 0, Bytes::new(), &[], lease).await?;
        self.stream
            .purge()
            .filter(self.subject.clone())
            .sequence(self.tail)
            .await
            .map_err(|e| JournalError::Unavailable(e.to_string()))?;
        Ok(self.tail)
    }

    /// Deletes every message of the subject (the session is deleted).
    pub async fn purge_all(&self) -> Result<(), JournalError> {
        self.stream
            .purge()
            .filter(self.subject.clone())
            .await
            .map(drop)
            .map_err(|e| JournalError::Unavailable(e.to_string()))
    }

    /// Appends a batch (`body`: its journal lines, seqs `first..=last`; `rids`: the ack seq and
    /// rid of each relayed command in it). Returns once JetStream holds it (PubAck from a
    /// quorum), or why not.
    pub async fn append(
        &mut self,
        first: u64,
        last: u64,
        body: Vec<u8>,
        rids: &[(u64, Uuid)],
        lease: &Lease,
    ) -> Result<(), JournalError> {
        if body.len() <= MAX_MESSAGE {
            return self
                .publish(first, last, Bytes::from(body), rids, lease)
                .await;
        }
        let chunks = split(&body);
        let count = chunks.len();
        for (n, (from, to, range)) in chunks.into_iter().enumerate() {
            let part = Bytes::copy_from_slice(&body[range]);
            let rids = if n + 1 == count { rids } else { &[] };
            self.publish(from.max(first), to.min(last), part, rids, lease)
                .await?;
        }
        Ok(())
    }

    /// One message, retried until it is known to be in the stream or known not to be.
    async fn publish(
        &mut self,
        first: u64,
        last: u64,
        body: Bytes,
        rids: &[(u64, Uuid)],
        lease: &Lease,
    ) -> Result<(), JournalError> {
        let seqs = format!("{first}-{last}");
        let id = match last {
            0 => format!("{}:mark:{}:{}", self.slug, self.epoch, self.tail),
            _ => format!("{}:{last}:{}", self.slug, self.epoch),
        };
        let started = Instant::now();
        loop {
            if !lease.valid() {
                // Self-fenced: hold the batch (nothing is acknowledged) while a renewal may
                // still come through; give up once the lease is lost or over.
                if lease.expired() {
                    self.cluster.metrics.cluster.publish_failures.inc();
                    return Err(JournalError::Fenced);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            let message = self.message(&seqs, &id, body.clone(), rids);
            let error = match self.send(message).await {
                Ok(sequence) => {
                    self.landed(sequence, &body, last);
                    self.cluster
                        .metrics
                        .cluster
                        .publish_seconds
                        .observe(started.elapsed().as_secs_f64());
                    return Ok(());
                }
                Err(error) => error,
            };
            self.cluster.metrics.cluster.publish_failures.inc();
            tracing::debug!(session = %self.slug, ?error, waited = ?started.elapsed(), "journal publish failed");
            // Whatever went wrong, the leader's last message says whether the write is in.
            // Bounded like the publish: a read lost with its server (a restart) must not
            // hold the batch for the client's whole request timeout; on no answer, retry.
            let tail = tokio::time::timeout(PUBLISH_TIMEOUT, self.last())
                .await
                .unwrap_or_else(|_| Err(JournalError::Unavailable("no answer".into())));
            tracing::debug!(session = %self.slug, ok = tail.is_ok(), waited = ?started.elapsed(), "journal tail read");
            match tail {
                Ok(Some(tail))
                    if tail.epoch == self.epoch
                        && tail.seqs == seqs
                        && tail.sequence > self.tail =>
                {
                    self.landed(tail.sequence, &body, last);
                    return Ok(());
                }
                Ok(_) if error == Some(PublishErrorKind::WrongLastSequence) => {
                    tracing::warn!(session = %self.slug, epoch = self.epoch, "journal append refused: deposed");
                    self.cluster.metrics.cluster.fences.inc();
                    return Err(JournalError::Fenced);
                }
                Ok(_) | Err(_) => {
                    tracing::warn!(session = %self.slug, ?error, "journal append failed; retrying");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn landed(&mut self, sequence: u64, body: &[u8], last: u64) {
        self.tail = sequence;
        if last > 0 {
            self.prev = chain_hash(body);
        }
    }

    fn message(&self, seqs: &str, id: &str, body: Bytes, rids: &[(u64, Uuid)]) -> PublishMessage {
        let mut headers = HeaderMap::new();
        headers.insert(header::EPOCH, self.epoch.to_string().as_str());
        headers.insert(header::SEQ, seqs);
        headers.insert(header::PREV, self.prev.as_str());
        headers.insert(header::NODE, self.cluster.node());
        if !rids.is_empty() {
            let list: Vec<String> = rids.iter().map(|(s, r)| format!("{s}={r}")).collect();
            headers.insert(RIDS, list.join(",").as_str());
        }
        PublishMessage::build()
            .payload(body)
            .headers(headers)
            .message_id(id)
            .expected_last_subject_sequence(self.tail)
    }

    /// Publishes and waits for the PubAck: the stream sequence, or the error's kind (`None`:
    /// no answer in time).
    async fn send(&self, message: PublishMessage) -> Result<u64, Option<PublishErrorKind>> {
        let ack = self
            .cluster
            .js
            .send_publish(self.subject.clone(), message)
            .await
            .map_err(|e| Some(e.kind()))?;
        match tokio::time::timeout(PUBLISH_TIMEOUT, ack).await {
            Ok(Ok(ack)) => Ok(ack.sequence),
            Ok(Err(error)) => Err(Some(error.kind())),
            Err(_) => Err(None),
        }
    }
}

/// The last message of `subject`, from the stream leader (`None`: no message).
pub async fn read_last(stream: &Stream, subject: &str) -> Result<Option<Last>, JournalError> {
    match stream
        .raw_message_builder()
        .last_by_subject(subject)
        .send()
        .await
    {
        Ok(message) => Ok(Some(Last {
            sequence: message.sequence,
            epoch: header_u64(&message.headers, header::EPOCH).unwrap_or(0),
            seqs: header_str(&message.headers, header::SEQ).unwrap_or_default(),
        })),
        Err(error) if error.kind() == LastRawMessageErrorKind::NoMessageFound => Ok(None),
        Err(error) => Err(JournalError::Unavailable(error.to_string())),
    }
}

/// A header's text.
pub fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).map(|v| v.as_str().to_owned())
}

/// A numeric header.
pub fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.as_str().parse().ok()
}

/// Splits journal lines into runs of at most [`MAX_MESSAGE`] bytes (a longer single line gets
/// a run of its own): each run's first and last record seq and byte range.
fn split(body: &[u8]) -> Vec<(u64, u64, std::ops::Range<usize>)> {
    #[derive(serde::Deserialize)]
    struct Seq {
        seq: u64,
    }
    let mut runs: Vec<(u64, u64, std::ops::Range<usize>)> = Vec::new();
    let mut start = 0;
    for line in body.split_inclusive(|b| *b == b'\n') {
        let seq = serde_json::from_slice::<Seq>(line.trim_ascii_end()).map_or(0, |s| s.seq);
        let end = start + line.len();
        match runs.last_mut() {
            Some(run) if end - run.2.start <= MAX_MESSAGE => {
                run.1 = seq;
                run.2.end = end;
            }
            _ => runs.push((seq, seq, start..end)),
        }
        start = end;
    }
    runs
}
