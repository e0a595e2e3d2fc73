//! Where sessions live in a cluster: this node's heartbeat in `PAJA_NODES` (every second;
//! the bucket's `max_age` drops a dead node after the lease) and its `paja.claim.<node>`
//! service, which claims a session for this node when another node found it unowned and this
//! node is its preferred owner (the rendezvous hash over live nodes).

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::Hub;
use crate::cluster::wire::{self, ClaimReply, ClaimRequest, NodeRecord, WIRE_VERSION};
use crate::cluster::{subject, Cluster};
use crate::session::SessionName;

/// How often this node says it is alive.
const HEARTBEAT: Duration = Duration::from_secs(1);

/// The live node that should own `slug`: highest SHA-256(slug, node) (rendezvous hashing:
/// a node joining or leaving moves only the sessions it wins or held).
pub(super) async fn preferred_node(cluster: &Cluster, slug: &SessionName) -> Option<String> {
    let mut keys = cluster.nodes.keys().await.ok()?;
    let mut best: Option<([u8; 32], String)> = None;
    while let Some(Ok(node)) = keys.next().await {
        let score: [u8; 32] = Sha256::new()
            .chain_update(slug.as_str())
            .chain_update([0])
            .chain_update(&node)
            .finalize()
            .into();
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, node));
        }
    }
    best.map(|(_, node)| node)
}

impl Hub {
    /// Starts the heartbeat and the claim service (cluster only; both end at shutdown).
    pub(super) fn start_placement(self: &Arc<Self>, addr: String) {
        let Some(cluster) = self.cluster.clone() else {
            return;
        };
        let shutdown = self.shutdown.clone();
        let hub = Arc::downgrade(self);
        let beat = cluster.clone();
        let stop = shutdown.clone();
        self.tasks.spawn(async move {
            loop {
                let owned = hub.upgrade().map_or(0, |h| {
                    h.owned.retain(|_, e| !e.stop.is_cancelled());
                    h.owned.len()
                });
                let record = NodeRecord {
                    v: WIRE_VERSION,
                    addr: addr.clone(),
                    owned,
                };
                if let Err(error) = beat.nodes.put(beat.node(), wire::encode(&record)).await {
                    tracing::warn!(%error, "node heartbeat failed");
                }
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(HEARTBEAT) => {}
                }
            }
            let _ = beat.nodes.purge(beat.node()).await;
        });
        let hub = Arc::downgrade(self);
        self.tasks.spawn(async move {
            let Ok(mut requests) = cluster
                .client
                .subscribe(subject::claim(cluster.node()))
                .await
            else {
                tracing::error!("could not serve claim requests");
                return;
            };
            loop {
                let message = tokio::select! {
                    _ = shutdown.cancelled() => break,
                    message = requests.next() => match message {
                        Some(message) => message,
                        None => break,
                    },
                };
                let (Some(reply), Some(hub)) = (message.reply, hub.upgrade()) else {
                    continue;
                };
                let Ok(request) = wire::decode::<ClaimRequest>(&message.payload) else {
                    continue;
                };
                let client = cluster.client.clone();
                tokio::spawn(async move {
                    let owned = hub.claim_here(&request.slug).await.unwrap_or(false);
                    let answer = ClaimReply {
                        v: WIRE_VERSION,
                        owned,
                    };
                    let _ = client.publish(reply, wire::encode(&answer)).await;
                });
            }
        });
    }
}
