//! Replicated snapshots: object `PAJA_SNAP/<slug>` holding a [`SnapshotRecord`] (today's
//! snapshot document plus the stream sequence of the last journal batch it covers and that
//! batch's chain hash). Replay starts after `stream_seq`.
//!
//! Written by the lease holder only: at creation; every `compact_after` records (the local
//! snapshot's trigger) and at an idle release, from the local snapshot's bytes and in the
//! background, so a long session never pauses for its upload (a release waits for it);
//! after an erasure, awaited, and then the subject's batches before it are purged, so erased
//! words leave JetStream too. Not at a claim and not at shutdown: the next owner's resume
//! ring starts at the snapshot it loads, so a newer one would only shorten it.

use std::sync::Arc;

use tokio::io::AsyncReadExt;

use super::wire::{self, SnapshotRecord, WIRE_VERSION};
use super::Cluster;
use crate::session::{Session, SessionName};
use crate::store::{self, StoreError};

/// Why a snapshot could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// NATS refused or did not answer.
    #[error("NATS: {0}")]
    Nats(String),
    /// The stored document does not decode.
    #[error("bad snapshot: {0}")]
    Decode(String),
}

/// Writes `session` as the snapshot covering journal messages up to `stream_seq`.
pub async fn put(
    cluster: &Arc<Cluster>,
    session: &Session,
    stream_seq: u64,
    prev: &str,
    epoch: u64,
    phones_seq: u64,
) -> Result<(), SnapshotError> {
    let document =
        store::encode_snapshot(session).map_err(|e| SnapshotError::Decode(e.to_string()))?;
    let covers = Covers {
        seq: session.seq(),
        stream_seq,
        prev: prev.to_owned(),
        epoch,
        phones_seq,
    };
    put_document(cluster, &session.meta.slug, &Arc::new(document), &covers).await
}

/// What a replicated snapshot covers, besides its document (see [`SnapshotRecord`]).
#[derive(Debug, Clone)]
pub struct Covers {
    /// The session seq of the document.
    pub seq: u64,
    /// The stream sequence of the last journal batch in it.
    pub stream_seq: u64,
    /// That batch's chain hash.
    pub prev: String,
    /// The writer's epoch.
    pub epoch: u64,
    /// The seq of the newest frame phones got anything from.
    pub phones_seq: u64,
}

/// Writes an already encoded snapshot document (the local snapshot's bytes) as `slug`'s
/// replicated snapshot. The JSON work runs on a blocking thread: a long session's document
/// is tens of megabytes.
pub async fn put_document(
    cluster: &Arc<Cluster>,
    slug: &SessionName,
    document: &Arc<Vec<u8>>,
    covers: &Covers,
) -> Result<(), SnapshotError> {
    let (document, covers_) = (document.clone(), covers.clone());
    let bytes = tokio::task::spawn_blocking(move || {
        let snapshot: serde_json::Value =
            serde_json::from_slice(&document).map_err(|e| SnapshotError::Decode(e.to_string()))?;
        let record = SnapshotRecord {
            v: WIRE_VERSION,
            snapshot,
            seq: covers_.seq,
            stream_seq: covers_.stream_seq,
            epoch: covers_.epoch,
            prev: covers_.prev,
            phones_seq: Some(covers_.phones_seq.min(covers_.seq)),
        };
        Ok::<_, SnapshotError>(wire::encode(&record))
    })
    .await
    .map_err(|e| SnapshotError::Decode(e.to_string()))??;
    let started = std::time::Instant::now();
    cluster
        .snapshots
        .put(slug.as_str(), &mut bytes.as_ref())
        .await
        .map_err(|e| SnapshotError::Nats(e.to_string()))?;
    tracing::debug!(session = %slug, seq = covers.seq, bytes = bytes.len(), took_ms = started.elapsed().as_millis() as u64, "replicated snapshot written");
    Ok(())
}

/// The snapshot of `slug` and its session (`None`: there is none).
pub async fn get(
    cluster: &Cluster,
    slug: &SessionName,
) -> Result<Option<(SnapshotRecord, Session)>, SnapshotError> {
    let mut object = match cluster.snapshots.get(slug.as_str()).await {
        Ok(object) => object,
        Err(error)
            if error.kind() == async_nats::jetstream::object_store::GetErrorKind::NotFound =>
        {
            return Ok(None)
        }
        Err(error) => return Err(SnapshotError::Nats(error.to_string())),
    };
    let mut bytes = Vec::new();
    object
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| SnapshotError::Nats(e.to_string()))?;
    let record: SnapshotRecord =
        wire::decode(&bytes).map_err(|e| SnapshotError::Decode(e.to_string()))?;
    let document =
        serde_json::to_vec(&record.snapshot).map_err(|e| SnapshotError::Decode(e.to_string()))?;
    let session = store::decode_snapshot(&document, "PAJA_SNAP")
        .map_err(|e: StoreError| SnapshotError::Decode(e.to_string()))?;
    Ok(Some((record, session)))
}

/// Deletes the snapshot of `slug` (session deletion).
pub async fn delete(cluster: &Cluster, slug: &SessionName) -> Result<(), SnapshotError> {
    match cluster.snapshots.delete(slug.as_str()).await {
        Ok(()) => Ok(()),
        Err(error)
            if error.kind() == async_nats::jetstream::object_store::DeleteErrorKind::NotFound =>
        {
            Ok(())
        }
        Err(error) => Err(SnapshotError::Nats(error.to_string())),
    }
}
