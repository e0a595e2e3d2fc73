//! A cluster node's counters (`--nats`): ownership, leases, fences, JetStream and relays.
//! Registered on every server (at zero on a single one), so dashboards need no second shape.
//! The handles are public: the owner and relay code counts with one atomic add each.

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use super::{counter, gauge, histogram, Named};

const OWNED: Named = (
    "paja_cluster_sessions_owned",
    "Sessions this node owns (holds the lease of and runs)",
);
const RELAYED: Named = (
    "paja_cluster_sessions_relayed",
    "Sessions this node relays for its connections to their owner",
);
const CLAIMS: Named = ("paja_cluster_claims", "Leases this node claimed");
const RENEWALS: Named = (
    "paja_cluster_lease_renewals",
    "Lease renewals that succeeded",
);
const RENEWAL_FAILURES: Named = (
    "paja_cluster_lease_renewal_failures",
    "Lease renewals that failed (NATS unreachable or the lease taken)",
);
const FENCES: Named = (
    "paja_cluster_fences",
    "Times an owner stopped writing: its lease lapsed (self-fence) or it was deposed",
);
const RELEASES: Named = (
    "paja_cluster_releases",
    "Leases given up on purpose (idle, drain, shutdown)",
);
const PUBLISH_LATENCY: Named = (
    "paja_cluster_journal_publish_seconds",
    "One journal batch's JetStream publish until its PubAck",
);
const PUBLISH_FAILURES: Named = (
    "paja_cluster_journal_publish_failures",
    "Journal batches JetStream did not take (timeout, refused, wrong last sequence)",
);
const RELAY_LATENCY: Named = (
    "paja_cluster_relay_seconds",
    "A relayed command from the edge to the owner's reply",
);
const RELAY_RETRIES: Named = (
    "paja_cluster_relay_retries",
    "Relayed requests sent again (no owner, timeout, owner moved)",
);
const EVENT_GAPS: Named = (
    "paja_cluster_event_gaps",
    "Gaps an edge saw in a session's event seqs (filled from the owner's ring or resynced)",
);
const REPLAY_LATENCY: Named = (
    "paja_cluster_takeover_load_seconds",
    "Loading a session from JetStream on claim (snapshot, journal tail, ring)",
);

/// The cluster's handles (see the module doc).
pub struct ClusterMetrics {
    /// [`OWNED`].
    pub owned: Gauge,
    /// [`RELAYED`].
    pub relayed: Gauge,
    /// [`CLAIMS`].
    pub claims: Counter,
    /// [`RENEWALS`].
    pub renewals: Counter,
    /// [`RENEWAL_FAILURES`].
    pub renewal_failures: Counter,
    /// [`FENCES`].
    pub fences: Counter,
    /// [`RELEASES`].
    pub releases: Counter,
    /// [`PUBLISH_LATENCY`].
    pub publish_seconds: Histogram,
    /// [`PUBLISH_FAILURES`].
    pub publish_failures: Counter,
    /// [`RELAY_LATENCY`].
    pub relay_seconds: Histogram,
    /// [`RELAY_RETRIES`].
    pub relay_retries: Counter,
    /// [`EVENT_GAPS`].
    pub event_gaps: Counter,
    /// [`REPLAY_LATENCY`].
    pub takeover_load_seconds: Histogram,
}

impl ClusterMetrics {
    pub(super) fn register(r: &mut Registry) -> Self {
        ClusterMetrics {
            owned: gauge(r, OWNED),
            relayed: gauge(r, RELAYED),
            claims: counter(r, CLAIMS),
            renewals: counter(r, RENEWALS),
            renewal_failures: counter(r, RENEWAL_FAILURES),
            fences: counter(r, FENCES),
            releases: counter(r, RELEASES),
            // 0.1 ms to 3.3 s: a loopback PubAck up to a leader election.
            publish_seconds: histogram(r, PUBLISH_LATENCY, exponential_buckets(0.0001, 2.0, 16)),
            publish_failures: counter(r, PUBLISH_FAILURES),
            relay_seconds: histogram(r, RELAY_LATENCY, exponential_buckets(0.0001, 2.0, 16)),
            relay_retries: counter(r, RELAY_RETRIES),
            event_gaps: counter(r, EVENT_GAPS),
            // 1 ms to 33 s.
            takeover_load_seconds: histogram(
                r,
                REPLAY_LATENCY,
                exponential_buckets(0.001, 2.0, 16),
            ),
        }
    }
}
