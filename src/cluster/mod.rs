//! Paja as a cluster on NATS JetStream (opt-in with `--nats`; one machine with no flags is
//! exactly the single-node server).
//!
//! Every node accepts websockets for every session; exactly one node, the session's *owner*,
//! runs its [`SessionTask`](crate::hub) (today's rules, unchanged). The owner holds a lease in
//! the KV bucket [`OWNER_BUCKET`] whose revision is the fencing epoch, appends each group-commit
//! batch to the JetStream stream [`JOURNAL_STREAM`] with `Nats-Expected-Last-Subject-Sequence`
//! (a deposed owner can never extend a session's log, whatever the clocks did) as well as to
//! its local journal, and only then acks and publishes the batch's frames once on
//! `paja.ev.<slug>` for every interested node. The other nodes (edges) relay their phones'
//! requests to the owner over core NATS request/reply. See `docs/architecture.md`, "The
//! cluster", for the whole argument and `docs/operations.md` for running one.
//!
//! This module holds what every part shares: the connection, the names of subjects, streams
//! and buckets, and their provisioning. [`wire`] holds the versioned messages between nodes.

pub mod journal;
pub mod lease;
pub mod replay;
pub mod reply;
pub mod snapshot;
pub mod wire;

#[cfg(test)]
pub(crate) mod tests;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, kv, object_store, stream};

use crate::metrics::Metrics;
use crate::session::SessionName;

/// The stream holding every session's journal: one message per group-commit batch on
/// `paja.j.<slug>`.
pub const JOURNAL_STREAM: &str = "PAJA_J";
/// Leases: `<slug>` → the owning node ([`wire::OwnerRecord`]); the revision is the epoch.
pub const OWNER_BUCKET: &str = "PAJA_OWNER";
/// Every session of the cluster: `<slug>` → [`wire::SessionRecord`] (created by CAS, so a
/// name is taken once cluster-wide).
pub const SESSIONS_BUCKET: &str = "PAJA_SESSIONS";
/// Live nodes: `<node id>` → [`wire::NodeRecord`], refreshed every second, expiring.
pub const NODES_BUCKET: &str = "PAJA_NODES";
/// Snapshots: object `<slug>` holding a [`wire::SnapshotRecord`].
pub const SNAPSHOT_BUCKET: &str = "PAJA_SNAP";

/// The default lease time: an owner that has not renewed for this long may be replaced.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(10);

/// Subject names. A session name is `a–z0–9-`, a valid subject token as it is.
pub mod subject {
    use crate::session::SessionName;

    /// A session's journal batches (stream [`super::JOURNAL_STREAM`]).
    pub fn journal(slug: &SessionName) -> String {
        format!("paja.j.{slug}")
    }
    /// Commands for the owner (request/reply; only the owner subscribes).
    pub fn command(slug: &SessionName) -> String {
        format!("paja.cmd.{slug}")
    }
    /// Joins and resumes (request/reply to the owner).
    pub fn join(slug: &SessionName) -> String {
        format!("paja.join.{slug}")
    }
    /// Reads: a copy of the state, a phone's wall (request/reply to the owner).
    pub fn read(slug: &SessionName) -> String {
        format!("paja.read.{slug}")
    }
    /// Frames missed by an edge that saw a gap (request/reply to the owner).
    pub fn ring(slug: &SessionName) -> String {
        format!("paja.ring.{slug}")
    }
    /// Deletion (request/reply to the owner).
    pub fn control(slug: &SessionName) -> String {
        format!("paja.ctl.{slug}")
    }
    /// The owner's frames, once per batch, for every node with a connection of the session.
    pub fn events(slug: &SessionName) -> String {
        format!("paja.ev.{slug}")
    }
    /// Each edge's connected participants, every second, for the owner to count.
    pub fn presence(slug: &SessionName) -> String {
        format!("paja.presence.{slug}")
    }
    /// Asks a node to take a session it is the preferred owner of (request/reply).
    pub fn claim(node: &str) -> String {
        format!("paja.claim.{node}")
    }
}

/// How this node joins the cluster (`--nats`, `--node-id`, …).
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// NATS server URLs (`nats://host:4222`), every server of the NATS cluster.
    pub urls: Vec<String>,
    /// This node's name, unique in the cluster (`[A-Za-z0-9_-]`).
    pub node_id: String,
    /// Replicas of every stream and bucket (3 in production; 1 against a lone test server).
    pub replicas: usize,
    /// The lease time ([`DEFAULT_LEASE`]); renewals every fifth of it, self-fence at 80 %.
    pub lease: Duration,
    /// Credentials and TLS for the NATS connection (none: a private network).
    pub security: NatsSecurity,
}

/// How a node proves who it is to NATS and checks that it talks to the real servers
/// (`--nats-user`, `--nats-password-file`, `--nats-ca`, `--nats-cert`, `--nats-key`).
#[derive(Clone, Default)]
pub struct NatsSecurity {
    /// User name (with `password`): the servers' `authorization { users = [...] }`.
    pub user: Option<String>,
    /// The user's password (read from a file, never a flag: not in `ps`).
    pub password: Option<String>,
    /// The CA that signed the servers' certificates: TLS is required when set.
    pub ca: Option<PathBuf>,
    /// This node's client certificate and key, for servers that verify clients (mutual TLS).
    pub client: Option<(PathBuf, PathBuf)>,
}

impl std::fmt::Debug for NatsSecurity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsSecurity")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("ca", &self.ca)
            .field("client", &self.client)
            .finish()
    }
}

impl NatsSecurity {
    /// `options` with these credentials and TLS settings.
    fn apply(&self, mut options: async_nats::ConnectOptions) -> async_nats::ConnectOptions {
        if let (Some(user), Some(password)) = (&self.user, &self.password) {
            options = options.user_and_password(user.clone(), password.clone());
        }
        if let Some(ca) = &self.ca {
            options = options.add_root_certificates(ca.clone()).require_tls(true);
        }
        if let Some((cert, key)) = &self.client {
            options = options
                .add_client_certificate(cert.clone(), key.clone())
                .require_tls(true);
        }
        options
    }
}

/// Why the cluster could not be joined.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The node id is empty or has characters NATS subjects and KV keys refuse.
    #[error("the node id must be 1–64 characters of A–Z, a–z, 0–9, '-' and '_'")]
    NodeId,
    /// No NATS server answered.
    #[error("could not connect to NATS: {0}")]
    Connect(String),
    /// A stream or bucket could not be created or opened (JetStream off, too few servers
    /// for the replicas, or a conflicting configuration).
    #[error("could not set up JetStream {what}: {error}")]
    Provision {
        /// The stream or bucket.
        what: &'static str,
        /// What NATS said.
        error: String,
    },
}

/// Whether a node id is usable in subjects and KV keys: 1–64 of `A–Z a–z 0–9 - _`.
fn valid_node_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// This node's connection to the cluster: shared by the hub, the owners and the relays.
pub struct Cluster {
    /// Core NATS (requests, fan-out, presence).
    pub client: async_nats::Client,
    /// JetStream (the journal stream).
    pub js: jetstream::Context,
    /// How this node was configured.
    pub config: ClusterConfig,
    /// [`OWNER_BUCKET`].
    pub owners: kv::Store,
    /// [`SESSIONS_BUCKET`].
    pub sessions: kv::Store,
    /// [`NODES_BUCKET`].
    pub nodes: kv::Store,
    /// [`SNAPSHOT_BUCKET`].
    pub snapshots: object_store::ObjectStore,
    /// The server's counters.
    pub metrics: Arc<Metrics>,
    /// The live nodes as last listed, and when (`hub::placement::live_nodes`): listing
    /// costs a short-lived consumer, so it happens at most once a second, however many
    /// claims ask.
    pub live: std::sync::Mutex<Option<(std::time::Instant, Vec<String>)>>,
}

impl Cluster {
    /// Connects to NATS and creates (or opens) the streams and buckets.
    pub async fn connect(
        config: ClusterConfig,
        metrics: Arc<Metrics>,
    ) -> Result<Arc<Cluster>, ClusterError> {
        if !valid_node_id(&config.node_id) {
            return Err(ClusterError::NodeId);
        }
        // A refused login or certificate is not going to pass on the next try: remember it,
        // so provisioning stops at once with the reason instead of retrying for 30 s.
        let (refused_tx, mut refused) = tokio::sync::watch::channel(None::<String>);
        let options = config.security.apply(async_nats::ConnectOptions::new());
        let client = options
            .event_callback(move |event| {
                let refused_tx = refused_tx.clone();
                async move {
                    if let Some(why) = refusal(&event) {
                        tracing::error!(reason = %why, "NATS refused the connection");
                        refused_tx.send_replace(Some(why));
                    }
                }
            })
            .name(format!("paja-{}", config.node_id))
            // Reconnect quickly to another server of the cluster; never give up.
            .retry_on_initial_connect()
            .reconnect_delay_callback(|attempts| {
                Duration::from_millis((100 * attempts as u64).min(1000))
            })
            .connect(config.urls.clone())
            .await
            .map_err(|e| ClusterError::Connect(e.to_string()))?;
        let js = jetstream::new(client.clone());
        // Several nodes starting together against a fresh NATS cluster race to create the
        // same streams, and JetStream may still be electing its meta leader: try again for a
        // while rather than exit (systemd would restart us, but slower and noisier).
        let mut attempt = 1;
        let (owners, sessions, nodes, snapshots) = loop {
            let provisioned = tokio::select! {
                provisioned = provision(&js, &config) => provisioned,
                Ok(why) = refused.wait_for(Option::is_some) => {
                    let why = why.clone().unwrap_or_default();
                    return Err(ClusterError::Connect(why));
                }
            };
            match provisioned {
                Ok(done) => break done,
                Err(error) if attempt < PROVISION_ATTEMPTS => {
                    tracing::warn!(%error, attempt, "JetStream not ready yet; trying again");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(error) => return Err(error),
            }
        };
        let replicas = config.replicas;
        tracing::info!(node = %config.node_id, urls = ?config.urls, replicas, "joined the NATS cluster");
        Ok(Arc::new(Cluster {
            client,
            js,
            config,
            owners,
            sessions,
            nodes,
            snapshots,
            metrics,
            live: std::sync::Mutex::new(None),
        }))
    }

    /// This node's id.
    pub fn node(&self) -> &str {
        &self.config.node_id
    }

    /// The journal subject of `slug`.
    pub fn journal_subject(&self, slug: &SessionName) -> String {
        subject::journal(slug)
    }
}

/// Why NATS will not take this node, if `event` says so: a login or a certificate refused
/// (async-nats reports the server's "Authorization Violation" as a client error too).
fn refusal(event: &async_nats::Event) -> Option<String> {
    let text = match event {
        async_nats::Event::ServerError(async_nats::ServerError::AuthorizationViolation) => {
            "authorization violation".to_owned()
        }
        async_nats::Event::ServerError(error) => error.to_string(),
        async_nats::Event::ClientError(error) => error.to_string(),
        _ => return None,
    };
    let lower = text.to_lowercase();
    if lower.contains("authorization") || lower.contains("authentication") {
        Some(format!("NATS refused this node's credentials ({text})"))
    } else if ["tls", "certificate", "handshake"]
        .iter()
        .any(|w| lower.contains(w))
    {
        Some(format!("TLS with NATS failed: {text}"))
    } else {
        None
    }
}

/// How many times [`Cluster::connect`] tries to create the streams and buckets (a second apart).
const PROVISION_ATTEMPTS: u32 = 30;

/// The buckets [`provision`] opens.
type Buckets = (kv::Store, kv::Store, kv::Store, object_store::ObjectStore);

/// Creates (or opens) the journal stream, the KV buckets and the snapshot store.
async fn provision(
    js: &jetstream::Context,
    config: &ClusterConfig,
) -> Result<Buckets, ClusterError> {
    let replicas = config.replicas;
    let provision =
        |what: &'static str| move |error: String| ClusterError::Provision { what, error };
    js.create_or_update_stream(stream::Config {
        name: JOURNAL_STREAM.into(),
        subjects: vec!["paja.j.>".into()],
        storage: stream::StorageType::File,
        num_replicas: replicas,
        duplicate_window: Duration::from_secs(120),
        allow_direct: true,
        ..Default::default()
    })
    .await
    .map_err(|e| provision(JOURNAL_STREAM)(e.to_string()))?;
    let bucket = |name: &str, max_age: Duration| kv::Config {
        bucket: name.into(),
        history: 1,
        max_age,
        storage: stream::StorageType::File,
        num_replicas: replicas,
        ..Default::default()
    };
    let owners = js
        .create_or_update_key_value(bucket(OWNER_BUCKET, config.lease))
        .await
        .map_err(|e| provision(OWNER_BUCKET)(e.to_string()))?;
    let sessions = js
        .create_or_update_key_value(bucket(SESSIONS_BUCKET, Duration::ZERO))
        .await
        .map_err(|e| provision(SESSIONS_BUCKET)(e.to_string()))?;
    let nodes = js
        .create_or_update_key_value(bucket(NODES_BUCKET, config.lease))
        .await
        .map_err(|e| provision(NODES_BUCKET)(e.to_string()))?;
    let snapshots = match js.get_object_store(SNAPSHOT_BUCKET).await {
        Ok(store) => store,
        Err(_) => js
            .create_object_store(object_store::Config {
                bucket: SNAPSHOT_BUCKET.into(),
                storage: stream::StorageType::File,
                num_replicas: replicas,
                ..Default::default()
            })
            .await
            .map_err(|e| provision(SNAPSHOT_BUCKET)(e.to_string()))?,
    };
    for name in [
        JOURNAL_STREAM.to_owned(),
        format!("KV_{OWNER_BUCKET}"),
        format!("KV_{SESSIONS_BUCKET}"),
        format!("KV_{NODES_BUCKET}"),
        format!("OBJ_{SNAPSHOT_BUCKET}"),
    ] {
        raise_consumer_limit(js, &name).await;
    }
    Ok((owners, sessions, nodes, snapshots))
}

/// Consumers a stream may have at once. Every takeover reads its session through short-lived
/// consumers (the snapshot's object, the journal's tail, the live nodes), each lingering 30 s
/// after use; nats-server 2.15 limits a stream to 1,000 unless the stream says otherwise (and
/// reads "unlimited" as its default), so a node dying with a few hundred sessions could have
/// had their takeovers refused ("maximum consumers limit reached").
pub const MAX_CONSUMERS: i32 = 100_000;

/// Sets a bucket's stream to [`MAX_CONSUMERS`]; a server that cannot change it (older than
/// the 1,000 default, so unlimited anyway) is only logged.
async fn raise_consumer_limit(js: &jetstream::Context, name: &str) {
    let mut config = match js.get_stream(name).await {
        Ok(stream) => stream.cached_info().config.clone(),
        Err(error) => {
            tracing::warn!(stream = name, %error, "could not read the stream's limits");
            return;
        }
    };
    if config.max_consumers == MAX_CONSUMERS {
        return;
    }
    config.max_consumers = MAX_CONSUMERS;
    if let Err(error) = js.update_stream(&config).await {
        tracing::warn!(stream = name, %error, "could not raise the stream's consumer limit");
    }
}
