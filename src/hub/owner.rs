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
}

impl Drop for Owner {
    fn drop(&mut self) {
        // A task that ends without releasing (fenced, failed) stops renewing: the lease
        // expires and another node takes over.
        self.lease.deposed().cancel();
        self.stop.cancel();
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

    /// Writes the replicated snapshot (after a local one); whether it succeeded.
    pub(super) async fn replicate_snapshot(&mut self) -> bool {
        let Some(owner) = self.owner.as_ref() else {
            return true;
        };
        if !owner.lease.valid() {
            return false;
        }
        let (tail, prev, epoch) = (
            owner.journal.tail,
            owner.journal.prev.clone(),
            owner.journal.epoch,
        );
        // An erasure or a reload moved the horizon past every kept frame.
        let phones = self.last_phone_seq.max(self.phone_horizon);
        let written = snapshot::put(&owner.cluster, &self.session, tail, &prev, epoch, phones);
        match written.await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, "replicated snapshot failed; replay starts from the older one");
                false
            }
        }
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

    /// The task stops (idle, shutdown): the lease goes back so a successor claims at once.
    pub(super) async fn release(&mut self) {
        if let Some(owner) = self.owner.take() {
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
