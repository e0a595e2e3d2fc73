//! What a session task does differently when it runs as the cluster *owner* of its session
//! (`SessionTask::owner` is `Some`): each committed batch also goes to the replicated journal
//! before anything is acknowledged or shown, snapshots also go to `PAJA_SNAP`, relayed
//! commands are remembered by rid for two minutes, and the lease is given back when the task
//! stops. A single server never builds an [`Owner`], so its path is today's.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::task::SessionTask;
use crate::cluster::journal::{ClusterJournal, JournalError};
use crate::cluster::lease::Lease;
use crate::cluster::{snapshot, Cluster};

/// How long a release waits for a replicated snapshot still uploading.
const UPLOAD_WAIT: Duration = Duration::from_secs(10);

/// How long a relayed command's result is remembered (an edge retries for up to 30 s).
const RID_KEEP: Duration = Duration::from_secs(120);

/// The owner's part of a session task.
pub(super) struct Owner {
    pub cluster: Arc<Cluster>,
    pub lease: Arc<Lease>,
    pub journal: ClusterJournal,
    /// rid → (ack seq, when recorded).
    pub rids: HashMap<Uuid, (u64, Instant)>,
    /// Cancelled when the task ends: the bridge stops and the hub forgets the entry.
    pub stop: CancellationToken,
    /// The replicated snapshot being written in the background, if any.
    pub upload: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Owner {
    fn drop(&mut self) {
        // A task that ends without releasing (fenced, failed) stops renewing: the lease
        // expires and another node takes over.
        self.lease.deposed().cancel();
        self.stop.cancel();
        // Not this owner's to finish: a successor may be writing its own.
        if let Some(upload) = self.upload.take() {
            upload.abort();
        }
        self.cluster.metrics.cluster.owned.dec();
    }
}

impl Owner {
    /// The owner of a freshly loaded session (`rids`: rebuilt by the replay).
    pub fn new(
        cluster: Arc<Cluster>,
        lease: Arc<Lease>,
        journal: ClusterJournal,
        rids: HashMap<Uuid, u64>,
        stop: CancellationToken,
    ) -> Self {
        cluster.metrics.cluster.owned.inc();
        let now = Instant::now();
        let rids = rids.into_iter().map(|(r, s)| (r, (s, now))).collect();
        Owner {
            cluster,
            lease,
            journal,
            rids,
            stop,
            upload: None,
        }
    }

    /// The recorded result of a relayed command already applied (its retry is not applied
    /// again).
    pub fn known(&mut self, rid: &Uuid) -> Option<u64> {
        let now = Instant::now();
        self.rids
            .retain(|_, (_, at)| now.duration_since(*at) < RID_KEEP);
        self.rids.get(rid).map(|(seq, _)| *seq)
    }
}

impl SessionTask {
    /// A relayed command's earlier result, if its rid is known (cluster owner only).
    pub(super) fn known_rid(&mut self, rid: Option<Uuid>) -> Option<u64> {
        let (owner, rid) = (self.owner.as_mut()?, rid?);
        owner.known(&rid)
    }

    /// Appends a batch already in the local journal to the replicated one. `Err`: this owner
    /// is deposed or fenced (or JetStream is gone past the lease): the batch must not be
    /// acknowledged and the task stops; the local copy is marked read-only (never snapshotted
    /// again) and the next owner rewrites it from the stream.
    pub(super) async fn replicate(
        &mut self,
        lines: Vec<u8>,
        rids: &[(u64, Uuid)],
    ) -> Result<(), JournalError> {
        let last = self.session.seq();
        let Some(owner) = self.owner.as_mut() else {
            return Ok(());
        };
        let first = first_seq(&lines).unwrap_or(last);
        let lease = owner.lease.clone();
        let result = owner.journal.append(first, last, lines, rids, &lease).await;
        match &result {
            Ok(()) => {
                let now = Instant::now();
                for (seq, rid) in rids {
                    owner.rids.insert(*rid, (*seq, now));
                }
            }
            Err(error) => {
                tracing::error!(%error, "replicated journal append failed; this node stops owning the session");
                self.read_only = true;
                owner.stop.cancel();
                // The task ends (its loop watches this), so nothing lingers serving a
                // state the cluster does not hold.
                owner.lease.deposed().cancel();
            }
        }
        result
    }

    /// What a replicated snapshot of the session as it is now covers.
    fn covers(&self) -> Option<snapshot::Covers> {
        let owner = self.owner.as_ref()?;
        Some(snapshot::Covers {
            seq: self.session.seq(),
            stream_seq: owner.journal.tail,
            prev: owner.journal.prev.clone(),
            epoch: owner.journal.epoch,
            // An erasure or a reload moved the horizon past every kept frame.
            phones_seq: self.last_phone_seq.max(self.phone_horizon),
        })
    }

    /// Writes the replicated snapshot of `document` (the local snapshot just written), after
    /// any upload still running; whether it succeeded.
    pub(super) async fn replicate_snapshot(&mut self, document: Arc<Vec<u8>>) -> bool {
        let Some(covers) = self.covers() else {
            return true;
        };
        let slug = self.session.meta.slug.clone();
        let Some(owner) = self.owner.as_mut() else {
            return true;
        };
        if let Some(running) = owner.upload.take() {
            let _ = running.await;
        }
        if !owner.lease.valid() {
            return false;
        }
        match snapshot::put_document(&owner.cluster, &slug, &document, &covers).await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "replicated snapshot failed; replay starts from the older one");
                false
            }
        }
    }

    /// Starts writing the replicated snapshot of `document` without waiting for it. Skipped
    /// while the previous one is still uploading: the next compaction writes a newer one, and
    /// until then a takeover replays a longer tail, nothing worse.
    pub(super) fn replicate_snapshot_behind(&mut self, document: Arc<Vec<u8>>) {
        let Some(covers) = self.covers() else {
            return;
        };
        let slug = self.session.meta.slug.clone();
        let Some(owner) = self.owner.as_mut() else {
            return;
        };
        if owner.upload.as_ref().is_some_and(|u| !u.is_finished()) {
            tracing::debug!("replicated snapshot still uploading; this one is skipped");
            return;
        }
        let (cluster, lease) = (owner.cluster.clone(), owner.lease.clone());
        let span = tracing::Span::current();
        owner.upload = Some(tokio::spawn(async move {
            if !lease.valid() {
                return;
            }
            if let Err(error) = snapshot::put_document(&cluster, &slug, &document, &covers).await {
                let _span = span.enter();
                tracing::warn!(%error, "replicated snapshot failed; replay starts from the older one");
            }
        }));
    }

    /// After an erasure's snapshot: the subject's older batches are purged so the erased
    /// words leave JetStream too.
    pub(super) async fn purge_replicated(&mut self) {
        let Some(owner) = self.owner.as_mut() else {
            return;
        };
        let lease = owner.lease.clone();
        if let Err(error) = owner.journal.purge_through(&lease).await {
            tracing::error!(%error, "could not purge erased words from the replicated journal");
        }
    }

    /// The task stops (idle, shutdown): the lease goes back so a successor claims at once,
    /// once an upload still running has landed or been dropped (a snapshot landing after the
    /// successor's could take the session back to before an erasure of its). At shutdown
    /// `SessionTask::stop` drops it first; an idle release waits for its last snapshot.
    pub(super) async fn release(&mut self) {
        if let Some(mut owner) = self.owner.take() {
            if let Some(running) = owner.upload.take() {
                if tokio::time::timeout(UPLOAD_WAIT, running).await.is_err() {
                    tracing::warn!("replicated snapshot still uploading at release; abandoned");
                }
            }
            owner.lease.release().await;
        }
    }

    /// Cancelled when this node must stop serving the session (lease lost).
    pub(super) fn deposed(&self) -> Option<CancellationToken> {
        self.owner.as_ref().map(|o| o.lease.deposed().clone())
    }
}

/// The seq of the first journal line (the header's `first`).
fn first_seq(lines: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Seq {
        seq: u64,
    }
    let line = lines.split(|b| *b == b'\n').next()?;
    serde_json::from_slice::<Seq>(line).ok().map(|s| s.seq)
}
