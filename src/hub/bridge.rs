//! The owner's bridge to the other nodes (stub: the edge helper's file replaces it at the
//! merge). Serves `paja.cmd/join/read/ring/ctl.<slug>` through the task's own handle and
//! forwards its frames on `paja.ev.<slug>`.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::{Hub, SessionHandle};
use crate::cluster::Cluster;

/// Starts the bridge of an owned session (runs on `hub.tasks`; ends when `stop` is cancelled
/// or the task's stream closes).
pub(super) fn spawn_bridge(
    hub: &Arc<Hub>,
    cluster: Arc<Cluster>,
    handle: SessionHandle,
    epoch: u64,
    stop: CancellationToken,
) {
    let _ = (hub, cluster, handle, epoch, stop);
}
