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

mod process;

use std::sync::atomic::{AtomicBool, Ordering};
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

/// The roles in label order.
const ROLES: [Role; 3] = [Role::Participant, Role::Facilitator, Role::Screen];

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
    journal_failing: Gauge,
    /// Whether the last journal write failed (read by `/readyz`).
    journal_failed: AtomicBool,
    session_loads: Counter,
    session_unloads: Counter,
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
        register(
            r,
            "paja_connections",
            "Open websockets by role",
            &connections,
        );
        let roles =
            ROLES.map(|role| connections.get_or_create_owned(&[("role", role_label(role))]));
        let rate_limited = Family::<Label, Counter>::default();
        register(
            r,
            "paja_rate_limited",
            "Requests refused by a rate limit, by what was limited",
            &rate_limited,
        );
        let limited =
            Limited::ALL.map(|w| rate_limited.get_or_create_owned(&[("what", w.label())]));
        r.register(
            "paja_build",
            "The running build: its version and commit",
            Info::new(build_labels()),
        );
        Metrics {
            connections: roles,
            connections_opened: counter(
                r,
                "paja_connections_opened",
                "Websockets that said a valid hello",
            ),
            live_sessions: gauge(
                r,
                "paja_sessions_live",
                "Sessions with a running task (loaded)",
            ),
            stored_sessions: gauge(
                r,
                "paja_sessions_stored",
                "Sessions in the data directory, loaded or not",
            ),
            commands: family(
                r,
                "paja_commands",
                "Commands accepted (durable), by wire type",
            ),
            rejections: family(
                r,
                "paja_rejections",
                "Error frames sent to clients, by error code",
            ),
            rate_limited: limited,
            ack_seconds: histogram(
                r,
                "paja_ack_latency_seconds",
                "From a command's arrival to its durable reply",
                exponential_buckets(0.0005, 2.0, 14),
            ),
            fsync_seconds: histogram(
                r,
                "paja_fsync_latency_seconds",
                "One batch's journal write and fsync",
                exponential_buckets(0.0001, 2.0, 16),
            ),
            batch_records: histogram(
                r,
                "paja_batch_records",
                "Journal records per group commit",
                exponential_buckets(1.0, 2.0, 12),
            ),
            resyncs: counter(
                r,
                "paja_resyncs",
                "Connections that fell behind the broadcast and got a fresh welcome",
            ),
            lagged_frames: counter(
                r,
                "paja_lagged_frames",
                "Broadcast frames skipped by lagging connections (replaced by a welcome)",
            ),
            sent_bytes: counter(r, "paja_sent_bytes", "Websocket message payload bytes sent"),
            http_responses: family(r, "paja_http_responses", "HTTP responses by status class"),
            journal_failing: gauge(
                r,
                "paja_journal_write_failing",
                "1 while the last journal write failed",
            ),
            journal_failed: AtomicBool::new(false),
            session_loads: counter(
                r,
                "paja_session_loads",
                "Sessions loaded from disk (at start or on first use)",
            ),
            session_unloads: counter(
                r,
                "paja_session_unloads",
                "Sessions unloaded after being idle",
            ),
            process: process::Gauges::register(r),
            registry,
        }
    }

    /// A websocket said a valid hello as `role`: counted open until the guard drops.
    pub fn connection_opened(&self, role: Role) -> ConnectionCounted {
        let gauge = self.connections[ROLES.iter().position(|r| *r == role).unwrap_or(0)].clone();
        gauge.inc();
        self.connections_opened.inc();
        ConnectionCounted(gauge)
    }

    /// `bytes` of websocket payload went out.
    pub fn sent(&self, bytes: usize) {
        self.sent_bytes.inc_by(bytes as u64);
    }

    /// A command's reply arrived: accepted (its wire type) or refused (the error code), and
    /// `since` it arrived from the client.
    pub fn command_answered(
        &self,
        kind: &'static str,
        since: Instant,
        refused: Option<&'static str>,
    ) {
        self.ack_seconds.observe(since.elapsed().as_secs_f64());
        match refused {
            None => {
                self.commands.get_or_create(&[("type", kind)]).inc();
            }
            Some(code) => self.rejected(code),
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
        self.journal_failed.load(Ordering::Relaxed)
    }

    /// Records whether journal writes fail (a successful write probe clears it too).
    pub fn set_journal_failed(&self, failed: bool) {
        if self.journal_failed.swap(failed, Ordering::Relaxed) != failed {
            self.journal_failing.set(i64::from(failed));
        }
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

/// Keeps one connection counted in `paja_connections{role}` until dropped.
pub struct ConnectionCounted(Gauge);

impl Drop for ConnectionCounted {
    fn drop(&mut self) {
        self.0.dec();
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

fn register<M>(registry: &mut Registry, name: &str, help: &str, metric: &M)
where
    M: prometheus_client::registry::Metric + Clone,
{
    registry.register(name, help, metric.clone());
}

fn counter(registry: &mut Registry, name: &str, help: &str) -> Counter {
    let counter = Counter::default();
    register(registry, name, help, &counter);
    counter
}

fn gauge(registry: &mut Registry, name: &str, help: &str) -> Gauge {
    let gauge = Gauge::default();
    register(registry, name, help, &gauge);
    gauge
}

fn family(registry: &mut Registry, name: &str, help: &str) -> Family<Label, Counter> {
    let family = Family::default();
    register(registry, name, help, &family);
    family
}

fn histogram(
    registry: &mut Registry,
    name: &str,
    help: &str,
    buckets: impl Iterator<Item = f64>,
) -> Histogram {
    let histogram = Histogram::new(buckets);
    register(registry, name, help, &histogram);
    histogram
}
