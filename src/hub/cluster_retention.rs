//! Retention in a cluster (`--retention-days`, as on a single server): a session untouched
//! for longer is deleted everywhere, through the same path as a person's deletion.
//!
//! No node holds every session's last activity (a node knows only what it owns or relays),
//! but the cluster does: every change is a journal batch on `paja.j.<slug>`, and JetStream
//! stamps each message with the time it stored it. So a session's last change is the time of
//! its subject's last message (a claim marker or an erasure's marker counts too, which only
//! ever delays a deletion), or its creation when it has none.
//!
//! Each node sweeps hourly, like a single server, but only the sessions it is the rendezvous
//! choice for among the live nodes (`placement.rs`): every session is looked at by one node,
//! and by another as soon as that node leaves. A deletion both nodes start while the node list
//! changes is harmless: it is idempotent.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use async_nats::jetstream::stream::LastRawMessageErrorKind;

use super::placement::{live_nodes, rendezvous};
use super::Hub;
use crate::cluster::{subject, Cluster, JOURNAL_STREAM};
use crate::session::{Millis, SessionName};

impl Hub {
    /// [`Hub::expire`] in a cluster: deletes the sessions this node sweeps whose last change
    /// is more than `retention_days` before `now`. Returns the sessions it deleted.
    pub(super) async fn expire_cluster(
        self: &Arc<Self>,
        retention_days: u32,
        now: Millis,
    ) -> Vec<SessionName> {
        let Some(cluster) = self.cluster.clone() else {
            return Vec::new();
        };
        let cluster = &cluster;
        let limit = u64::from(retention_days) * 24 * 60 * 60 * 1000;
        let Some(nodes) = live_nodes(cluster).await else {
            tracing::warn!("retention: NATS did not list the live nodes; next hour");
            return Vec::new();
        };
        let mine: Vec<(SessionName, Millis)> = self
            .sessions
            .iter()
            .filter(|s| rendezvous(&s.slug, &nodes) == Some(cluster.node()))
            .map(|s| (s.slug.clone(), s.last_activity.load(Ordering::Relaxed)))
            .collect();
        let mut deleted = Vec::new();
        for (slug, created) in mine {
            let last = match last_change(cluster, &slug).await {
                Ok(last) => last.unwrap_or(created),
                Err(error) => {
                    tracing::warn!(session = %slug, %error, "retention: could not read the session's last change; next hour");
                    continue;
                }
            };
            if now.saturating_sub(last) <= limit {
                continue;
            }
            tracing::info!(session = %slug, retention_days, "deleting a session past its retention period");
            match self.delete(&slug).await {
                Ok(()) => deleted.push(slug),
                Err(error) => {
                    tracing::error!(session = %slug, %error, "retention delete failed");
                }
            }
        }
        deleted
    }
}

/// When `slug`'s journal last changed (ms since the epoch, JetStream's stamp on its last
/// message); `None` when it has no message.
async fn last_change(cluster: &Cluster, slug: &SessionName) -> Result<Option<Millis>, String> {
    let stream = cluster
        .js
        .get_stream(JOURNAL_STREAM)
        .await
        .map_err(|e| e.to_string())?;
    match stream
        .raw_message_builder()
        .last_by_subject(subject::journal(slug))
        .send()
        .await
    {
        Ok(message) => {
            let ms = message.time.unix_timestamp_nanos() / 1_000_000;
            Ok(Some(u64::try_from(ms).unwrap_or(0)))
        }
        Err(error) if error.kind() == LastRawMessageErrorKind::NoMessageFound => Ok(None),
        Err(error) => Err(error.to_string()),
    }
}
