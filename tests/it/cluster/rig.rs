//! `ClusterRig`: three real `nats-server`s (JetStream R3, routes, `sync_interval: always`) and
//! three real `paja --nats …` binaries on loopback, each in a temporary directory of its own,
//! and the faults the scenarios inject: SIGKILL, SIGSTOP/SIGCONT, SIGTERM and restart of a
//! node or a server, and (with [`ClusterRig::partitionable`]) cutting one node off from NATS.
//! What the rig reads back from NATS (owners, stream leader, batches, replicas) is in
//! `inspect.rs`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Command;
use std::time::{Duration, Instant};

use super::nats::{free_port, NatsServer};
use super::netns::Netns;
use super::node::Node;

/// The lease the rig's nodes run with (`--lease-secs`): short, so failovers take seconds.
pub const LEASE_SECS: u64 = 3;

/// Sends `kill -<sig> <pid>`.
pub fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status();
}

/// One rig at a time: six processes each, and their failovers are what the scenarios watch;
/// two rigs at once on a small CI machine only make both slow.
static ONE_RIG: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The rig. Fields drop in order: nodes, then servers, then the namespace, then the files.
pub struct ClusterRig {
    pub nodes: Vec<Node>,
    pub nats: Vec<NatsServer>,
    pub netns: Option<Netns>,
    client: Option<async_nats::Client>,
    pub tmp: tempfile::TempDir,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl ClusterRig {
    /// Three servers and three nodes on loopback, every node ready.
    pub async fn start() -> ClusterRig {
        Self::start_with(None).await
    }

    /// As [`ClusterRig::start`], with node `netns_node` (0-based) inside a network namespace that
    /// [`ClusterRig::cut`] can disconnect from NATS. Needs root.
    pub async fn partitionable(netns_node: usize) -> ClusterRig {
        Self::start_with(Some(netns_node)).await
    }

    async fn start_with(netns_node: Option<usize>) -> ClusterRig {
        let turn = ONE_RIG.lock().await;
        let tmp = tempfile::tempdir().expect("tempdir");
        let netns = netns_node.map(|_| Netns::create());
        let listen = if netns.is_some() {
            "0.0.0.0"
        } else {
            "127.0.0.1"
        };
        let mut nats = NatsServer::configure(tmp.path(), 3, listen);
        for server in &mut nats {
            server.start();
        }
        let mut rig = ClusterRig {
            nodes: Vec::new(),
            nats,
            netns,
            client: None,
            tmp,
            _turn: turn,
        };
        rig.wait_meta().await;
        for i in 0..3 {
            let inside = netns_node == Some(i);
            let host = if inside {
                rig.netns.as_ref().expect("netns").nats_root.to_string()
            } else {
                "127.0.0.1".to_owned()
            };
            let urls: Vec<String> = rig.nats.iter().map(|s| s.url(&host)).collect();
            let (ip, bind, ns) = match (&rig.netns, inside) {
                (Some(n), true) => (IpAddr::V4(n.phone_ns), "0.0.0.0", Some(n.name.clone())),
                _ => (IpAddr::V4(Ipv4Addr::LOCALHOST), "127.0.0.1", None),
            };
            rig.nodes.push(Node::new(
                &format!("n{}", i + 1),
                SocketAddr::new(ip, free_port()),
                bind,
                rig.tmp.path().join(format!("n{}", i + 1)),
                ns,
                urls.join(","),
                LEASE_SECS,
            ));
        }
        // One after the other: the first provisions the stream and buckets (R3 creations on a
        // fresh cluster of a busy 2-core machine can take seconds).
        for node in &mut rig.nodes {
            node.start();
            node.ready().await;
        }
        rig
    }

    /// Waits until every running server sees a JetStream meta leader and all its peers.
    pub async fn wait_meta(&self) {
        let limit = Instant::now() + Duration::from_secs(60);
        loop {
            // Every running server sees the same leader, and the leader sees every peer current.
            let mut leaders = Vec::new();
            for server in self.nats.iter().filter(|s| s.running()) {
                leaders.push(server.meta().await.map(|(leader, _)| leader));
            }
            let mut ready = leaders.iter().all(|l| l.is_some() && *l == leaders[0]);
            if let Some(Some(leader)) = leaders.first().filter(|_| ready) {
                let peers = self.nats.iter().filter(|s| s.running()).count();
                let index = self.nats_index(leader);
                let seen = self.nats[index].meta().await.map(|(_, current)| current);
                ready = self.nats[index].running() && seen.is_some_and(|c| c + 1 >= peers);
            }
            if ready {
                return;
            }
            assert!(
                Instant::now() < limit,
                "the NATS cluster formed no JetStream meta group in 60 s:\n{}",
                self.nats_logs()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// A NATS client of the test itself (every server's URL), connected once.
    pub async fn client(&mut self) -> async_nats::Client {
        if let Some(client) = &self.client {
            return client.clone();
        }
        let urls: Vec<String> = self.nats.iter().map(|s| s.url("127.0.0.1")).collect();
        let client = async_nats::ConnectOptions::new()
            .name("paja-rig")
            .retry_on_initial_connect()
            .reconnect_delay_callback(|n| Duration::from_millis((100 * n as u64).min(500)))
            .connect(urls)
            .await
            .expect("the rig connects to NATS");
        self.client = Some(client.clone());
        client
    }

    /// The index of node `id` (`n2` → 1).
    pub fn node_index(&self, id: &str) -> usize {
        self.nodes
            .iter()
            .position(|n| n.id == id)
            .unwrap_or_else(|| panic!("no node {id}"))
    }

    /// The index of nats-server `name` (`s3` → 2).
    pub fn nats_index(&self, name: &str) -> usize {
        self.nats
            .iter()
            .position(|n| n.name == name)
            .unwrap_or_else(|| panic!("no nats-server {name}"))
    }

    pub fn kill_node(&mut self, i: usize) {
        self.nodes[i].kill();
    }

    pub fn pause_node(&self, i: usize) {
        signal(self.nodes[i].pid(), "STOP");
    }

    pub fn resume_node(&self, i: usize) {
        signal(self.nodes[i].pid(), "CONT");
    }

    /// Starts a stopped or killed node again on its data directory and port; waits until ready.
    pub async fn restart_node(&mut self, i: usize) {
        self.nodes[i].kill();
        self.nodes[i].start();
        self.nodes[i].ready().await;
    }

    /// A planned restart: SIGTERM, wait for the exit, start again, wait until ready.
    pub async fn roll_node(&mut self, i: usize) {
        self.nodes[i].terminate().await;
        self.nodes[i].start();
        self.nodes[i].ready().await;
    }

    pub fn kill_nats(&mut self, i: usize) {
        self.nats[i].kill();
    }

    pub fn pause_nats(&self, i: usize) {
        signal(self.nats[i].pid(), "STOP");
    }

    pub fn resume_nats(&self, i: usize) {
        signal(self.nats[i].pid(), "CONT");
    }

    /// Starts a killed server again on its store and ports; waits for the meta group.
    pub async fn restart_nats(&mut self, i: usize) {
        self.nats[i].kill();
        self.nats[i].start();
        self.wait_meta().await;
    }

    /// A planned restart of a server (`planned.rs`): every leadership it holds moved away
    /// first, then SIGTERM, start again, wait for the meta group.
    pub async fn roll_nats(&mut self, i: usize) {
        let moved = self.step_down_nats(i).await;
        println!("{} stepped down from {moved:?}", self.nats[i].name);
        self.nats[i].terminate().await;
        self.nats[i].start();
        self.wait_meta().await;
        self.wait_healthy(i).await;
    }

    /// Cuts the namespaced node off from NATS (its phones stay connected).
    pub fn cut(&self) {
        self.netns.as_ref().expect("a partitionable rig").cut();
    }

    pub fn heal(&self) {
        self.netns.as_ref().expect("a partitionable rig").heal();
    }

    /// Every server's log tail (for a failing test's message).
    pub fn nats_logs(&self) -> String {
        self.nats
            .iter()
            .map(|s| format!("--- {}\n{}", s.name, s.log_tail()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every node's log tail.
    pub fn node_logs(&self) -> String {
        self.nodes
            .iter()
            .map(|n| {
                let path = n.log_path();
                format!("--- {} ({})\n{}", n.id, path.display(), n.log_tail(60))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for ClusterRig {
    fn drop(&mut self) {
        // Keep the files (node logs, NATS stores) for a post-mortem: on failure, or always
        // with PAJA_RIG_KEEP set.
        if std::thread::panicking() || std::env::var_os("PAJA_RIG_KEEP").is_some() {
            let kept = std::mem::replace(&mut self.tmp, tempfile::tempdir().expect("tempdir"));
            eprintln!("cluster rig files kept in {}", kept.keep().display());
        }
        if std::thread::panicking() {
            eprintln!(
                "cluster rig logs:\n{}\n{}",
                self.node_logs(),
                self.nats_logs()
            );
        }
    }
}
