//! Configuration, binding, serving and graceful shutdown.
//!
//! axum's graceful shutdown does not wait for upgraded websockets, so shutdown is ours: a
//! cancellation token reaches every connection (which sends its pending acks, then a close
//! frame with code 1012 "restarting" so clients reconnect) and every session task (which
//! flushes its journal and writes a snapshot).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpSocket};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::http::{self, AppState, HttpSettings};
use crate::hub::Hub;
use crate::limits::Limits;
use crate::ready::Readiness;
use crate::store::{Store, WriteFault};

/// Default listen address.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// Default data directory, relative to where the service starts.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// Connections the kernel queues until they are accepted (capped by `net.core.somaxconn`).
/// tokio's default of 128 overflowed when a room of phones joined at once: each dropped
/// connection attempt waits a full second before the phone retries.
pub const LISTEN_BACKLOG: u32 = 4096;
/// How long shutdown may take before we give up waiting (the brief allows 5 s).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(4);

/// Default retention: sessions untouched this many days are deleted.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// Default cap on concurrent websockets from one IP (a whole venue may share one NAT address).
pub const DEFAULT_MAX_CONNECTIONS_PER_IP: usize = 5000;

/// What the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Where sessions are stored.
    pub data_dir: PathBuf,
    /// When set, creating a session needs this password (a public deployment).
    pub admin_password: Option<String>,
    /// Origins besides the server's own that may open websockets (`https://example.org`).
    pub allowed_origins: Vec<String>,
    /// The addresses the server is published at (`--public-url`): the only host names it
    /// answers for besides loopback and the bind address, and the join address shown.
    pub public_urls: Vec<crate::http::PublicUrl>,
    /// Sessions with no activity for this many days are deleted (0: keep forever).
    pub retention_days: u32,
    /// Most concurrent websockets from one IP address.
    pub max_connections_per_ip: usize,
    /// Take the client's address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// A participant connection's commands per second, sustained (load tests raise it).
    pub participant_rate: u32,
    /// …and how many it may send at once.
    pub participant_burst: u32,
    /// Longest time to produce an HTTP response (503 `timeout` past it); a websocket's life
    /// and a download's sending are not counted.
    pub request_timeout: Duration,
    /// A websocket silent this long (not even answering pings) is closed.
    pub idle_timeout: Duration,
    /// A loaded session with no connection and no request for this long is flushed,
    /// snapshotted and unloaded (zero: never); it loads again on its next use.
    pub unload_after: Duration,
    /// Test hook: journal writes fail with ENOSPC while set.
    pub write_fault: WriteFault,
    /// Where the server reads the time (tests with paused tokio time move it).
    pub clock: Clock,
    /// When set, `GET /metrics` needs `Authorization: Bearer <this>` (else it is open).
    pub metrics_token: Option<String>,
    /// Run as a node of a cluster on NATS JetStream (`--nats`); `None`: the single server.
    pub cluster: Option<crate::cluster::ClusterConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            admin_password: None,
            allowed_origins: Vec::new(),
            public_urls: Vec::new(),
            retention_days: DEFAULT_RETENTION_DAYS,
            max_connections_per_ip: DEFAULT_MAX_CONNECTIONS_PER_IP,
            trust_proxy: false,
            participant_rate: crate::limits::PARTICIPANT_PER_SEC,
            participant_burst: crate::limits::PARTICIPANT_BURST,
            request_timeout: http::DEFAULT_REQUEST_TIMEOUT,
            idle_timeout: crate::limits::DEFAULT_IDLE_TIMEOUT,
            unload_after: crate::hub::DEFAULT_UNLOAD_AFTER,
            write_fault: WriteFault::default(),
            clock: Clock::system(),
            metrics_token: None,
            cluster: None,
        }
    }
}

/// A running server.
pub struct Server {
    addr: SocketAddr,
    hub: Arc<Hub>,
    stop_accepting: CancellationToken,
    serving: JoinHandle<std::io::Result<()>>,
}

/// Binds like `TcpListener::bind` does (with `SO_REUSEADDR`), with a deeper accept queue.
fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

impl Server {
    /// Opens the data directory, lists every session (each loads on first use), binds and
    /// starts serving.
    pub async fn start(config: Config) -> std::io::Result<Server> {
        let store = Store::open(&config.data_dir)?
            .with_fault(config.write_fault.clone())
            .with_clock(config.clock);
        let metrics = Arc::new(crate::metrics::Metrics::new());
        let cluster = match &config.cluster {
            Some(cluster) => Some(
                crate::cluster::Cluster::connect(cluster.clone(), metrics.clone())
                    .await
                    .map_err(std::io::Error::other)?,
            ),
            None => None,
        };
        let hub = Hub::start_node(
            store.clone(),
            config.clock,
            CancellationToken::new(),
            config.unload_after,
            metrics,
            cluster,
        )
        .await?;
        let metrics = hub.metrics().clone();
        let listener = listen(config.addr)?;
        let addr = listener.local_addr()?;
        let limits = Limits::with_rate(
            config.max_connections_per_ip,
            config.participant_rate,
            config.participant_burst,
            config.idle_timeout,
            metrics.clone(),
        );
        let readiness = Readiness::new(
            config.data_dir.clone(),
            store,
            hub.shutdown_token().clone(),
            metrics.clone(),
        );
        hub.start_housekeeping(config.retention_days, limits.clone());
        let app = http::app(AppState {
            hub: hub.clone(),
            limits,
            settings: Arc::new(HttpSettings {
                admin_password: config.admin_password.clone(),
                allowed_origins: config.allowed_origins.clone(),
                trust_proxy: config.trust_proxy,
                public_urls: config.public_urls.clone(),
                bind: Some(addr.ip()),
                request_timeout: config.request_timeout,
                metrics_token: config.metrics_token.clone(),
            }),
            metrics,
            readiness: Arc::new(readiness),
        })
        .into_make_service_with_connect_info::<SocketAddr>();
        let stop_accepting = CancellationToken::new();
        let stop = stop_accepting.clone();
        let serving = tokio::spawn(async move {
            // Frames are small and latency matters (a prompt reaching every phone, an ack after
            // a close): no Nagle delay waiting to coalesce them with the next write.
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await
        });
        tracing::info!(%addr, data_dir = %config.data_dir.display(), "Paja is serving");
        Ok(Server {
            addr,
            hub,
            stop_accepting,
            serving,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The live sessions (tests and embedders reach retention and deletion through it).
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Stops accepting, tells every client to reconnect, flushes and snapshots every session.
    pub async fn shutdown(self) {
        self.stop_accepting.cancel();
        let hub = self.hub.clone();
        let stopped = tokio::time::timeout(SHUTDOWN_GRACE, async move {
            hub.shutdown().await;
            let _ = self.serving.await;
        })
        .await;
        if stopped.is_err() {
            tracing::warn!(
                "shutdown took too long; exiting anyway (the journal is already durable)"
            );
        }
    }
}
