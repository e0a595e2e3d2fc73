//! Replicated snapshots: object `PAJA_SNAP/<slug>` holding a [`SnapshotRecord`] (today's
//! snapshot document plus the stream sequence of the last journal batch it covers and that
//! batch's chain hash). Replay starts after `stream_seq`.
//!
//! Written by the lease holder only: at creation, on claim, every `compact_after` records
//! (the local snapshot's trigger), after an erasure (then the subject's batches before it are
//! purged, so erased words leave JetStream too), on release and at shutdown.

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
    let snapshot: serde_json::Value =
        serde_json::from_slice(&document).map_err(|e| SnapshotError::Decode(e.to_string()))?;
    let record = SnapshotRecord {
        v: WIRE_VERSION,
        snapshot,
        seq: session.seq(),
        stream_seq,
        epoch,
        prev: prev.to_owned(),
        phones_seq: Some(phones_seq.min(session.seq())),
    };
    let bytes = wire::encode(&record);
    let name = session.meta.slug.as_str();
    cluster
        .snapshots
        .put(name, &mut bytes.as_ref())
        .await
        .map_err(|e| SnapshotError::Nats(e.to_string()))?;
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
