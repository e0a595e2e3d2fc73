//! What the server counts, for `/metrics` (Prometheus text, through `prometheus-client`).
//!
//! One [`Metrics`] per server (tests run many servers in one process, so it is never a
//! process global), shared as an `Arc` by the hub, the session tasks, the limits and every
//! connection. The hot path only touches atomics: each labelled series a connection or a
//! session task bumps per frame is looked up once, here, and kept as a handle (a counter's
//! clone shares its atomic). Labels take values from small fixed sets (roles, command types,
//! error codes), never a session's name, so the number of series stays bounded.
//!
//! Values that are cheaper to read than to keep (sessions, open files, memory) are read when
//! Prometheus scrapes, in [`Metrics::encode`].

mod cluster;
mod process;

pub use cluster::ClusterMetrics;

use std::time::{Duration, Instant};

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::protocol::Role;

/// One label, `name="value"`, both from fixed sets of words.
type Label = [(&'static str, &'static str); 1];

/// The content type of [`Metrics::encode`]'s text (OpenMetrics 1.0, which Prometheus asks for).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What a rate limit refused (the `what` label of `paja_rate_limited_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// A connection's commands per second.
    Command,
    /// Facilitator-key or admin-password attempts from one address.
    Key,
    /// Lookups of unknown session names from one address.
    Lookup,
    /// Sessions created from one address.
    Create,
    /// Concurrent websockets from one address.
    Connections,
}

impl Limited {
    const ALL: [Limited; 5] = [
        Limited::Command,
        Limited::Key,
        Limited::Lookup,
        Limited::Create,
        Limited::Connections,
    ];

    fn label(self) -> &'static str {
        match self {
            Limited::Command => "command",
            Limited::Key => "key",
            Limited::Lookup => "lookup",
            Limited::Create => "create",
            Limited::Connections => "connections",
        }
    }
}

/// A metric's name (without the `_total` a counter gets) and its help text.
type Named = (&'static str, &'static str);

const CONNECTIONS: Named = ("paja_connections", "Open websockets by role");
const CONNECTIONS_OPENED: Named = (
    "paja_connections_opened",
    "Websockets that said a valid hello",
);
const SESSIONS_LIVE: Named = (
    "paja_sessions_live",
    "Sessions with a running task (loaded)",
);
const SESSIONS_STORED: Named = (
    "paja_sessions_stored",
    "Sessions in the data directory, loaded or not",
);
const COMMANDS: Named = (
    "paja_commands",
    "Commands accepted by the session, by wire type",
);
const REJECTIONS: Named = (
    "paja_rejections",
    "Error frames sent to clients, by error code",
);
const RATE_LIMITED: Named = (
    "paja_rate_limited",
    "Requests refused by a rate limit, by what was limited",
);
const ACK_LATENCY: Named = (
    "paja_ack_latency_seconds",
    "From a command entering its session's queue to its durable reply",
);
const FSYNC_LATENCY: Named = (
    "paja_fsync_latency_seconds",
    "One group commit's journal write and fsync",
);
const BATCH_RECORDS: Named = ("paja_batch_records", "Journal records per group commit");
const RESYNCS: Named = (
    "paja_resyncs",
    "Connections that fell behind the broadcast and got a fresh welcome",
);
const LAGGED_FRAMES: Named = (
    "paja_lagged_frames",
    "Broadcast frames lagging connections skipped (replaced by a welcome)",
);
const SENT_BYTES: Named = ("paja_sent_bytes", "Websocket message payload bytes sent");
const HTTP_RESPONSES: Named = ("paja_http_responses", "HTTP responses by status class");
const JOURNAL_FAILING: Named = (
    "paja_journal_write_failing",
    "1 while the last journal write failed",
);
const SESSION_LOADS: Named = (
    "paja_session_loads",
    "Sessions loaded from disk (at start or on first use)",
);
const SESSION_UNLOADS: Named = ("paja_session_unloads", "Sessions unloaded after being idle");
const BUILD: Named = ("paja_build", "The running build: its version and commit");

/// The roles in label order.
const ROLES: [Role; 3] = [Role::Participant, Role::Facilitator, Role::Screen];

/// `role`'s place in [`ROLES`].
fn role_index(role: Role) -> usize {
    match role {
        Role::Participant => 0,
        Role::Facilitator => 1,
        Role::Screen => 2,
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Participant => "participant",
        Role::Facilitator => "facilitator",
        Role::Screen => "screen",
    }
}

/// Every family and the handles the hot path uses.
pub struct Metrics {
    registry: Registry,
    /// Open websockets by role (participant, facilitator, screen, in [`ROLES`] order).
    connections: [Gauge; 3],
    connections_opened: Counter,
    live_sessions: Gauge,
    stored_sessions: Gauge,
    commands: Family<Label, Counter>,
    rejections: Family<Label, Counter>,
    rate_limited: [Counter; 5],
    ack_seconds: Histogram,
    fsync_seconds: Histogram,
    batch_records: Histogram,
    resyncs: Counter,
    lagged_frames: Counter,
    sent_bytes: Counter,
    http_responses: Family<Label, Counter>,
    /// 1 while journal writes fail: also what `/readyz` reads.
    journal_failing: Gauge,
    session_loads: Counter,
    session_unloads: Counter,
    /// A cluster node's counters (zero on a single server).
    pub cluster: ClusterMetrics,
    process: process::Gauges,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric, each at zero.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let r = &mut registry;
        let connections = Family::<Label, Gauge>::default();
        register(r, CONNECTIONS, &connections);
        let roles =
            ROLES.map(|role| connections.get_or_create_owned(&[("role", role_label(role))]));
        let rate_limited = Family::<Label, Counter>::default();
        register(r, RATE_LIMITED, &rate_limited);
        let limited =
            Limited::ALL.map(|w| rate_limited.get_or_create_owned(&[("what", w.label())]));
        r.register(BUILD.0, BUILD.1, Info::new(build_labels()));
        Metrics {
            connections: roles,
            connections_opened: counter(r, CONNECTIONS_OPENED),
            live_sessions: gauge(r, SESSIONS_LIVE),
            stored_sessions: gauge(r, SESSIONS_STORED),
            commands: family(r, COMMANDS),
            rejections: family(r, REJECTIONS),
            rate_limited: limited,
            // 0.5 ms to 4 s: a batch's fsync on a good SSD up to a disk in trouble.
            ack_seconds: histogram(r, ACK_LATENCY, exponential_buckets(0.0005, 2.0, 14)),
            // 0.1 ms to 3.3 s.
            fsync_seconds: histogram(r, FSYNC_LATENCY, exponential_buckets(0.0001, 2.0, 16)),
            // 1 to 2048 records: a batch's bound is `MAX_BATCH` (2048).
            batch_records: histogram(r, BATCH_RECORDS, exponential_buckets(1.0, 2.0, 12)),
            resyncs: counter(r, RESYNCS),
            lagged_frames: counter(r, LAGGED_FRAMES),
            sent_bytes: counter(r, SENT_BYTES),
            http_responses: family(r, HTTP_RESPONSES),
            journal_failing: gauge(r, JOURNAL_FAILING),
            session_loads: counter(r, SESSION_LOADS),
            session_unloads: counter(r, SESSION_UNLOADS),
            cluster: ClusterMetrics::register(r),
            process: process::Gauges::register(r),
            registry,
        }
    }

    /// A websocket said a valid hello as `role`: open until [`Metrics::connection_closed`].
    pub fn connection_opened(&self, role: Role) {
        self.connections[role_index(role)].inc();
        self.connections_opened.inc();
    }

    /// A websocket counted by [`Metrics::connection_opened`] ended.
    pub fn connection_closed(&self, role: Role) {
        self.connections[role_index(role)].dec();
    }

    /// `bytes` of websocket payload went out.
    pub fn sent(&self, bytes: usize) {
        self.sent_bytes.inc_by(bytes as u64);
    }

    /// The session accepted a command of this wire type (`submit`, …): counted as it is
    /// applied; if its batch then fails to reach the disk, its reply counts a rejection too.
    pub fn command_accepted(&self, kind: &'static str) {
        self.commands.get_or_create(&[("type", kind)]).inc();
    }

    /// A command's reply reached its connection, `queued` being when the connection handed
    /// it to the session: the ack latency, and the error code if it was refused.
    pub fn command_answered(&self, queued: Instant, refused: Option<&'static str>) {
        self.ack_seconds.observe(queued.elapsed().as_secs_f64());
        if let Some(code) = refused {
            self.rejected(code);
        }
    }

    /// An error frame with `code` went to a client.
    pub fn rejected(&self, code: &'static str) {
        self.rejections.get_or_create(&[("code", code)]).inc();
    }

    /// A rate limit refused something.
    pub fn rate_limited(&self, what: Limited) {
        self.rate_limited[what as usize].inc();
    }

    /// A connection fell `missed` frames behind the broadcast and is resynced.
    pub fn lagged(&self, missed: u64) {
        self.resyncs.inc();
        self.lagged_frames.inc_by(missed);
    }

    /// One group commit: `records` journal lines written and fsynced in `took` (or failed).
    pub fn journal_written(&self, records: usize, took: Duration, ok: bool) {
        self.batch_records.observe(records as f64);
        if ok {
            self.fsync_seconds.observe(took.as_secs_f64());
        }
        self.set_journal_failed(!ok);
    }

    /// Whether the last journal write failed (and no write or probe succeeded since).
    pub fn journal_failed(&self) -> bool {
        self.journal_failing.get() != 0
    }

    /// Records whether journal writes fail (a successful write probe clears it too).
    pub fn set_journal_failed(&self, failed: bool) {
        self.journal_failing.set(i64::from(failed));
    }

    /// A session was loaded from disk and its task started.
    pub fn session_loaded(&self) {
        self.session_loads.inc();
    }

    /// An idle session was flushed, snapshotted and unloaded.
    pub fn session_unloaded(&self) {
        self.session_unloads.inc();
    }

    /// An HTTP response with `status` went out (websocket upgrades count as 1xx).
    pub fn http_response(&self, status: u16) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.http_responses.get_or_create(&[("class", class)]).inc();
    }

    /// The text Prometheus scrapes: every metric, with the values read now (`live` and
    /// `stored` sessions from the hub, the process's files and memory from `/proc`).
    pub fn encode(&self, live: usize, stored: usize) -> String {
        self.live_sessions.set(live as i64);
        self.stored_sessions.set(stored as i64);
        self.process.refresh();
        let mut text = String::with_capacity(8 * 1024);
        if encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}

/// The version and commit labels of `paja_build_info` (the commit comes from `build.rs`
/// through `PAJA_COMMIT`; "unknown" in builds without it).
pub fn build_labels() -> [(&'static str, &'static str); 2] {
    [
        ("version", env!("CARGO_PKG_VERSION")),
        ("commit", option_env!("PAJA_COMMIT").unwrap_or("unknown")),
    ]
}

fn register<M>(registry: &mut Registry, (name, help): Named, metric: &M)
where
    M: prometheus_client::registry::Metric + Clone,
{
    registry.register(name, help, metric.clone());
}

fn counter(registry: &mut Registry, named: Named) -> Counter {
    let counter = Counter::default();
    register(registry, named, &counter);
    counter
}

fn gauge(registry: &mut Registry, named: Named) -> Gauge {
    let gauge = Gauge::default();
    register(registry, named, &gauge);
    gauge
}

fn family(registry: &mut Registry, named: Named) -> Family<Label, Counter> {
    let family = Family::default();
    register(registry, named, &family);
    family
}

fn histogram(
    registry: &mut Registry,
    named: Named,
    buckets: impl Iterator<Item = f64>,
) -> Histogram {
    let histogram = Histogram::new(buckets);
    register(registry, named, &histogram);
    histogram
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_units_and_totals_and_the_build() {
        let metrics = Metrics::new();
        metrics.connection_opened(Role::Screen);
        metrics.command_accepted("submit");
        metrics.rate_limited(Limited::Lookup);
        metrics.journal_written(4, Duration::from_millis(3), true);
        let text = metrics.encode(2, 5);
        let [(_, version), (_, commit)] = build_labels();
        for line in [
            format!(r#"paja_build_info{{version="{version}",commit="{commit}"}} 1"#),
            r#"paja_connections{role="screen"} 1"#.to_owned(),
            r#"paja_connections{role="participant"} 0"#.to_owned(),
            r#"paja_commands_total{type="submit"} 1"#.to_owned(),
            r#"paja_rate_limited_total{what="lookup"} 1"#.to_owned(),
            "paja_batch_records_sum 4.0".to_owned(),
            "paja_fsync_latency_seconds_count 1".to_owned(),
            "paja_sessions_live 2".to_owned(),
            "paja_sessions_stored 5".to_owned(),
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{line} missing in:\n{text}"
            );
        }
        assert!(text.ends_with("# EOF\n"));
        metrics.connection_closed(Role::Screen);
        assert!(metrics
            .encode(0, 0)
            .contains(r#"paja_connections{role="screen"} 0"#));
    }

    #[test]
    fn a_failed_write_sets_the_gauge_until_one_succeeds() {
        let metrics = Metrics::new();
        metrics.journal_written(1, Duration::ZERO, false);
        assert!(metrics.journal_failed());
        assert!(metrics
            .encode(0, 0)
            .contains("paja_journal_write_failing 1"));
        metrics.journal_written(1, Duration::ZERO, true);
        assert!(!metrics.journal_failed());
        assert!(metrics
            .encode(0, 0)
            .contains("paja_journal_write_failing 0"));
    }
}
