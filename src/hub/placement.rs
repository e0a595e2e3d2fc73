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
    let nodes = live_nodes(cluster).await?;
    rendezvous(slug, &nodes).map(str::to_owned)
}

/// The nodes that sent a heartbeat within the lease (`None`: NATS did not answer), listed
/// at most once per [`LIVE_FOR`] (a listing is a consumer on `PAJA_NODES` that lingers 30 s
/// after use; a mass takeover asked for one per session).
pub(super) async fn live_nodes(cluster: &Cluster) -> Option<Vec<String>> {
    if let Ok(live) = cluster.live.lock() {
        if let Some((_, nodes)) = live.as_ref().filter(|(at, _)| at.elapsed() < LIVE_FOR) {
            return Some(nodes.clone());
        }
    }
    let mut keys = cluster.nodes.keys().await.ok()?;
    let mut nodes = Vec::new();
    while let Some(Ok(node)) = keys.next().await {
        nodes.push(node);
    }
    if let Ok(mut live) = cluster.live.lock() {
        *live = Some((std::time::Instant::now(), nodes.clone()));
    }
    Some(nodes)
}

/// How long a listing of the live nodes is used (heartbeats come every second, and a dead
/// node's stays for a lease anyway).
const LIVE_FOR: Duration = Duration::from_secs(1);

/// Which of `nodes` should own `slug` (see [`preferred_node`]).
pub(super) fn rendezvous<'a>(slug: &SessionName, nodes: &'a [String]) -> Option<&'a str> {
    let mut best: Option<([u8; 32], &str)> = None;
    for node in nodes {
        let score: [u8; 32] = Sha256::new()
            .chain_update(slug.as_str())
            .chain_update([0])
            .chain_update(node)
            .finalize()
            .into();
        if best.is_none_or(|(b, _)| score > b) {
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
