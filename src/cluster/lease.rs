//! A session's lease: the KV entry `PAJA_OWNER[<slug>]` whose revision is the fencing epoch.
//!
//! Claiming is a `create` (a second claimant gets "already exists"); the holder renews every
//! fifth of the lease with `update(last = rev)`. Two ways to stop serving, both without
//! waiting for anyone:
//!
//! - **self-fence**: no successful renewal for 0.8 × lease on this node's own monotonic clock
//!   ([`Lease::valid`] turns false) — before any other node may claim (the bucket's `max_age`
//!   is the whole lease);
//! - **deposed**: a renewal refused with "wrong last revision" means someone else holds it;
//!   [`Lease::deposed`] is cancelled and whoever serves the session stops at once.
//!
//! Safety does not rest on these timers: the journal's expected-tail append refuses a deposed
//! owner's writes whatever the clocks did (`journal.rs`). The timers only keep a stalled owner
//! from acknowledging what it could not write anyway.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::kv;
use tokio_util::sync::CancellationToken;

use super::wire::{self, OwnerRecord, WIRE_VERSION};
use super::Cluster;
use crate::session::SessionName;

/// How soon a failed renewal is tried again.
const RETRY: Duration = Duration::from_millis(250);

/// Why a claim did not give this node the lease.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    /// Another node holds it (its name, when it could be read).
    #[error("the session is owned by {0:?}")]
    Held(Option<String>),
    /// NATS did not answer or refused for another reason.
    #[error("NATS: {0}")]
    Nats(String),
}

/// A held lease. Cheap to share: the renewal loop and the session task read the same state.
pub struct Lease {
    cluster: Arc<Cluster>,
    slug: SessionName,
    /// The revision this lease was claimed at: the fencing epoch, fixed for its life.
    epoch: u64,
    /// The latest revision (each renewal bumps it).
    revision: AtomicU64,
    /// When the lease was last confirmed, as µs since `origin` (monotonic).
    renewed: AtomicU64,
    origin: Instant,
    /// Cancelled when the lease is lost (deposed, released, fenced for good) or the node stops.
    deposed: CancellationToken,
}

impl Lease {
    /// Claims `slug` for this node (`create`: only if nobody holds it) and starts renewing.
    pub async fn claim(
        cluster: &Arc<Cluster>,
        slug: &SessionName,
    ) -> Result<Arc<Lease>, ClaimError> {
        let record = OwnerRecord {
            v: WIRE_VERSION,
            node: cluster.node().to_owned(),
            since: crate::clock::Clock::system().now_ms(),
        };
        let started = Instant::now();
        match cluster
            .owners
            .create(slug.as_str(), wire::encode(&record))
            .await
        {
            Ok(revision) => {
                cluster.metrics.cluster.claims.inc();
                let lease = Arc::new(Lease {
                    cluster: cluster.clone(),
                    slug: slug.clone(),
                    epoch: revision,
                    revision: AtomicU64::new(revision),
                    renewed: AtomicU64::new(0),
                    origin: started,
                    deposed: CancellationToken::new(),
                });
                tokio::spawn(lease.clone().renew_loop());
                Ok(lease)
            }
            Err(error) if error.kind() == kv::CreateErrorKind::AlreadyExists => {
                Err(ClaimError::Held(holder(cluster, slug).await))
            }
            Err(error) => Err(ClaimError::Nats(error.to_string())),
        }
    }

    /// The fencing epoch (the revision of the claim).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The session.
    pub fn slug(&self) -> &SessionName {
        &self.slug
    }

    /// Whether this node may still acknowledge: renewed within 0.8 × lease and not deposed.
    /// No await: the session task asks before every commit.
    pub fn valid(&self) -> bool {
        if self.deposed.is_cancelled() {
            return false;
        }
        let renewed = Duration::from_micros(self.renewed.load(Ordering::Acquire));
        let fence = self.cluster.config.lease.mul_f64(0.8);
        self.origin.elapsed().saturating_sub(renewed) < fence
    }

    /// Whether the whole lease has passed since the last renewal (or it was lost): another
    /// node may own the session now, so holding on is pointless.
    pub fn expired(&self) -> bool {
        let renewed = Duration::from_micros(self.renewed.load(Ordering::Acquire));
        self.deposed.is_cancelled()
            || self.origin.elapsed().saturating_sub(renewed) >= self.cluster.config.lease
    }

    /// Cancelled when the lease is lost: whoever serves the session stops on it.
    pub fn deposed(&self) -> &CancellationToken {
        &self.deposed
    }

    /// Gives the lease up (planned handoff: the successor may claim at once).
    pub async fn release(&self) {
        if self.deposed.is_cancelled() {
            return;
        }
        self.deposed.cancel();
        let revision = self.revision.load(Ordering::Acquire);
        let owners = &self.cluster.owners;
        match owners
            .purge_expect_revision(self.slug.as_str(), Some(revision))
            .await
        {
            Ok(()) => {
                self.cluster.metrics.cluster.releases.inc();
            }
            Err(error) => {
                tracing::warn!(session = %self.slug, %error, "lease release failed; it expires");
            }
        }
    }

    /// Renews every fifth of the lease until it is lost. A failed renewal (the bucket's
    /// leader is being elected after a NATS server died, or this node's connection moves) is
    /// tried again after [`RETRY`], not a whole period later: a KV leader election takes
    /// 4–9 s, and every second lost waiting here brings the self-fence closer.
    async fn renew_loop(self: Arc<Self>) {
        let every = self.cluster.config.lease / 5;
        let mut wait = every;
        let record = OwnerRecord {
            v: WIRE_VERSION,
            node: self.cluster.node().to_owned(),
            since: crate::clock::Clock::system().now_ms(),
        };
        let body = wire::encode(&record);
        loop {
            tokio::select! {
                _ = self.deposed.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
            }
            wait = RETRY.min(every);
            let sent = Instant::now();
            let last = self.revision.load(Ordering::Acquire);
            let renewal = self
                .cluster
                .owners
                .update(self.slug.as_str(), body.clone(), last);
            match tokio::time::timeout(every.min(Duration::from_secs(1)), renewal).await {
                Ok(Ok(revision)) => {
                    self.revision.store(revision, Ordering::Release);
                    // The lease runs from when the renewal was sent, not when it came back.
                    let at = sent.duration_since(self.origin).as_micros() as u64;
                    self.renewed.fetch_max(at, Ordering::AcqRel);
                    self.cluster.metrics.cluster.renewals.inc();
                    wait = every;
                }
                Ok(Err(error)) if error.kind() == kv::UpdateErrorKind::WrongLastRevision => {
                    tracing::warn!(session = %self.slug, epoch = self.epoch, "lease lost to another node; stopping");
                    self.cluster.metrics.cluster.renewal_failures.inc();
                    self.cluster.metrics.cluster.fences.inc();
                    self.deposed.cancel();
                    return;
                }
                Ok(Err(error)) => {
                    tracing::warn!(session = %self.slug, %error, "lease renewal failed");
                    self.cluster.metrics.cluster.renewal_failures.inc();
                }
                Err(_) => {
                    tracing::warn!(session = %self.slug, "lease renewal timed out");
                    self.cluster.metrics.cluster.renewal_failures.inc();
                }
            }
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.deposed.cancel();
    }
}

/// Who holds `slug`'s lease, if anyone can tell.
pub async fn holder(cluster: &Cluster, slug: &SessionName) -> Option<String> {
    let bytes = cluster.owners.get(slug.as_str()).await.ok()??;
    wire::decode::<OwnerRecord>(&bytes).ok().map(|r| r.node)
}
