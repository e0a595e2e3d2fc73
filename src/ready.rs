//! Readiness: whether this server can take writes now (`GET /readyz`).
//!
//! `/healthz` says only that the process serves (liveness: restart it if that fails).
//! Readiness is stricter, for load balancers and monitoring: a server that is stopping, whose
//! data directory is read-only or nearly full, or whose last journal write failed would
//! accept phones only to refuse their answers, so it says so with a one-line reason.
//!
//! The disk is looked at with `statvfs` (read-only flag, free space) at most once per
//! [`CHECK_EVERY`]; between, the answer is cached, so a hammered `/readyz` costs a mutex and
//! two atomics. A failed journal write is remembered (in [`Metrics`]) until a write succeeds
//! again: the next journal write, or a small write probe that readiness itself makes.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::metrics::Metrics;
use crate::store::Store;

/// Below this many free bytes in the data directory the server is not ready: a journal
/// append of a busy session's batch and its next snapshot must fit, with room to spare for
/// exports and logs, and an admin alerted at this floor still has time to act.
pub const MIN_FREE_BYTES: u64 = 64 * 1024 * 1024;
/// How long one look at the disk is trusted.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Why the server is not ready (its `Display` is the one-line reason `/readyz` answers).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    /// Shutdown has begun.
    #[error("shutting down")]
    ShuttingDown,
    /// The data directory's file system is mounted read-only.
    #[error("the data directory is read-only")]
    ReadOnly,
    /// Free space is below [`MIN_FREE_BYTES`].
    #[error("the data directory has {free_mib} MiB free (needs at least 64 MiB)")]
    LowSpace {
        /// Free space available to Paja, in MiB.
        free_mib: u64,
    },
    /// The last journal write failed and a write probe fails too.
    #[error("journal writes are failing: {0}")]
    WritesFailing(String),
    /// The data directory cannot be examined.
    #[error("the data directory cannot be examined: {0}")]
    Unreadable(String),
}

/// What `/readyz` asks; one per server.
pub struct Readiness {
    data_dir: PathBuf,
    store: Store,
    shutdown: CancellationToken,
    metrics: Arc<Metrics>,
    /// The last look at the disk and when it was taken.
    cached: Mutex<Option<(Instant, Result<(), NotReady>)>>,
}

impl Readiness {
    /// Readiness of the server storing in `store` (at `data_dir`), stopping on `shutdown`.
    pub fn new(
        data_dir: PathBuf,
        store: Store,
        shutdown: CancellationToken,
        metrics: Arc<Metrics>,
    ) -> Self {
        Readiness {
            data_dir,
            store,
            shutdown,
            metrics,
            cached: Mutex::new(None),
        }
    }

    /// `Ok` when the server can take writes; else why not.
    pub async fn check(&self) -> Result<(), NotReady> {
        if self.shutdown.is_cancelled() {
            return Err(NotReady::ShuttingDown);
        }
        let failed = self.metrics.journal_failed();
        if let Ok(cached) = self.cached.lock() {
            if let Some((at, answer)) = &*cached {
                // A journal failure since the last look makes that look stale.
                let still_ok = answer.is_ok() && !failed;
                if at.elapsed() < CHECK_EVERY && (still_ok || answer.is_err()) {
                    return answer.clone();
                }
            }
        }
        let answer = self.look().await;
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some((Instant::now(), answer.clone()));
        }
        answer
    }

    /// Looks at the disk (on a blocking thread: a hung mount must not stall a worker).
    async fn look(&self) -> Result<(), NotReady> {
        let data_dir = self.data_dir.clone();
        let store = self.store.clone();
        let metrics = self.metrics.clone();
        tokio::task::spawn_blocking(move || {
            disk_ready(&data_dir)?;
            if metrics.journal_failed() {
                store
                    .probe_write()
                    .map_err(|e| NotReady::WritesFailing(e.to_string()))?;
                metrics.set_journal_failed(false);
            }
            Ok(())
        })
        .await
        .unwrap_or_else(|e| Err(NotReady::Unreadable(e.to_string())))
    }
}

/// The file system's read-only flag and free space.
fn disk_ready(data_dir: &std::path::Path) -> Result<(), NotReady> {
    let stat = rustix::fs::statvfs(data_dir).map_err(|e| NotReady::Unreadable(e.to_string()))?;
    if stat.f_flag.contains(rustix::fs::StatVfsMountFlags::RDONLY) {
        return Err(NotReady::ReadOnly);
    }
    let free = stat.f_bavail.saturating_mul(stat.f_frsize);
    if free < MIN_FREE_BYTES {
        return Err(NotReady::LowSpace {
            free_mib: free / (1024 * 1024),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readiness(dir: &std::path::Path) -> (Readiness, crate::store::WriteFault) {
        let fault = crate::store::WriteFault::default();
        let store = Store::open(dir).unwrap().with_fault(fault.clone());
        let ready = Readiness::new(
            dir.to_path_buf(),
            store,
            CancellationToken::new(),
            Arc::new(Metrics::new()),
        );
        (ready, fault)
    }

    #[tokio::test]
    async fn a_failed_journal_write_is_not_ready_until_a_probe_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let (ready, fault) = readiness(dir.path());
        assert_eq!(ready.check().await, Ok(()));
        fault.set(true);
        ready
            .metrics
            .journal_written(3, Duration::from_millis(1), false);
        // The failure makes the cached "ready" stale at once.
        let answer = ready.check().await;
        assert!(
            matches!(answer, Err(NotReady::WritesFailing(_))),
            "{answer:?}"
        );
        fault.set(false);
        *ready.cached.lock().unwrap() = None;
        assert_eq!(ready.check().await, Ok(()));
        assert!(!ready.metrics.journal_failed());
        assert!(
            std::fs::read_dir(dir.path())
                .unwrap()
                .all(|e| e.unwrap().file_name() != ".paja-write-probe"),
            "the probe cleans up"
        );
    }

    #[tokio::test]
    async fn shutdown_is_not_ready() {
        let dir = tempfile::tempdir().unwrap();
        let (ready, _) = readiness(dir.path());
        ready.shutdown.cancel();
        assert_eq!(ready.check().await, Err(NotReady::ShuttingDown));
        assert_eq!(NotReady::ShuttingDown.to_string(), "shutting down");
    }
}
