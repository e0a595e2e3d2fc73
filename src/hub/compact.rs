//! The session task's writes beyond the journal: snapshots (compaction, which also rotates
//! the journal) and, after an erasure commits, the snapshot, rotation and background scrub
//! that take the erased words out of every file ([`crate::store::Store::scrub`]).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::task::SessionTask;
use crate::session::Command;
use crate::store;

/// Whether a command erases words ([`Command::EraseItem`], [`Command::WithdrawItem`],
/// [`Command::EraseItemHistory`]): the resume ring forgets what came before it.
pub(crate) fn erases(command: &Command) -> bool {
    matches!(
        command,
        Command::EraseItem { .. }
            | Command::WithdrawItem { .. }
            | Command::EraseItemHistory { .. }
            | Command::ResetRehearsal
    )
}

impl SessionTask {
    /// After an erasure commits: a snapshot (which holds only the tombstone) and a rotation,
    /// so the archived segments hold the whole history, then a scrub of them on a blocking
    /// thread, not awaited (the session goes on serving; scrubs serialize in the store). A
    /// failed snapshot leaves the scrub owed to the next erasure or the next load.
    pub(super) async fn scrub(&mut self) {
        let Some(document) = self.snapshot_local().await else {
            return;
        };
        // Cluster owner: the replicated snapshot holds only the tombstone; the older batches,
        // which hold the words, are then purged from the stream. Awaited (unlike a
        // compaction's): the purge must follow it.
        if self.replicate_snapshot(document).await {
            self.purge_replicated().await;
        }
        self.scrub_owed = false;
        let store = self.store.clone();
        let slug = self.session.meta.slug.clone();
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _span = span.enter();
            match store.scrub(&slug) {
                Ok(report) => tracing::info!(?report, "erased words scrubbed from the files"),
                Err(error) => tracing::error!(%error, "scrub failed; the next start retries"),
            }
        });
    }

    /// Writes a snapshot and rotates the journal (and, a cluster owner, starts writing the
    /// replicated snapshot in the background: a long session's is tens of megabytes, and
    /// the session keeps acknowledging meanwhile); whether the local one succeeded.
    pub(super) async fn snapshot(&mut self) -> bool {
        let Some(document) = self.snapshot_local().await else {
            return false;
        };
        self.replicate_snapshot_behind(document);
        true
    }

    /// The local snapshot and rotation; its document when it succeeded.
    pub(super) async fn snapshot_local(&mut self) -> Option<Arc<Vec<u8>>> {
        if self.read_only {
            // Memory may be ahead of the disk: never write it down.
            return None;
        }
        let started = std::time::Instant::now();
        let last_change = self.last_activity.load(Ordering::Relaxed);
        let bytes = match store::encode_snapshot_at(&self.session, Some(last_change)) {
            Ok(bytes) => Arc::new(bytes),
            Err(error) => {
                tracing::error!(%error, "could not encode snapshot");
                return None;
            }
        };
        let mut files = self.files.take()?;
        let seq = self.session.seq();
        let document = bytes.clone();
        match tokio::task::spawn_blocking(move || {
            let result = files.snapshot(&document, seq);
            (files, result)
        })
        .await
        {
            Ok((files, result)) => {
                self.files = Some(files);
                if let Err(error) = result {
                    // The journal is intact; the next snapshot tries again.
                    tracing::error!(%error, "snapshot failed");
                    return None;
                }
                tracing::debug!(
                    seq,
                    bytes = bytes.len(),
                    took_ms = started.elapsed().as_millis() as u64,
                    "snapshot written"
                );
                Some(bytes)
            }
            Err(error) => {
                tracing::error!(%error, "snapshot task failed");
                None
            }
        }
    }
}
