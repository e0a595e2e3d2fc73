//! Real `nats-server` processes for the cluster rig: three servers with JetStream, cluster routes
//! and `sync_interval: always` (JetStream does not fsync by default), each with its own store
//! directory, on ports chosen by binding port 0 first, so a killed server comes back on the
//! same ports and store (as a restarted machine would).

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::http;

/// The nats-server binary: `PAJA_NATS_SERVER`, else the venv scripts/install-nats makes. A
/// missing binary, or one older than 2.11, fails the test (never a skip): the cluster tests are
/// what proves the cluster, and 2.9 showed replica drift after leader kills.
pub fn binary() -> PathBuf {
    static CHECKED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let path = find_binary();
            let output = Command::new(&path)
                .arg("--version")
                .output()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
            let text = String::from_utf8_lossy(&output.stdout).into_owned();
            let version: Vec<u64> = text
                .trim()
                .trim_start_matches("nats-server: v")
                .split('.')
                .take(2)
                .map(|p| p.parse().unwrap_or(0))
                .collect();
            assert!(
                version.as_slice() >= [2, 11].as_slice(),
                "{} is {text:?}; the cluster tests need nats-server >= 2.11 (scripts/install-nats)",
                path.display()
            );
            path
        })
        .clone()
}

fn find_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("PAJA_NATS_SERVER") {
        return PathBuf::from(path);
    }
    let mut candidates = vec![PathBuf::from("/opt/natsvenv/bin/nats-server")];
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cache/paja/natsvenv/bin/nats-server"));
    }
    candidates
        .into_iter()
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "nats-server is missing: the cluster tests need nats-server >= 2.11; \
                 scripts/install-nats installs it (or set PAJA_NATS_SERVER)"
            )
        })
}

/// A free TCP port on loopback (bound, then released for the server to take), never one
/// this test process handed out before: the kernel may give a just-released port again, and
/// two servers of one rig were once configured with the same route port (one of them died
/// with "address already in use" and the cluster never formed).
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("bind port 0")
            .port();
        let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// One nats-server of the rig's NATS cluster.
pub struct NatsServer {
    /// `s1`, `s2`, `s3`: the server name JetStream reports as a stream leader.
    pub name: String,
    /// The client port.
    pub port: u16,
    /// The monitoring port (`/jsz`: each replica's own view of a stream).
    pub http_port: u16,
    config: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

impl NatsServer {
    /// Writes the configurations of `count` servers under `dir` (listening on `listen`: loopback,
    /// or every address when a Paja node in a network namespace must reach them).
    pub fn configure(dir: &Path, count: usize, listen: &str) -> Vec<NatsServer> {
        let ports: Vec<(u16, u16, u16)> = (0..count)
            .map(|_| (free_port(), free_port(), free_port()))
            .collect();
        (0..count)
            .map(|i| {
                let name = format!("s{}", i + 1);
                let store = dir.join(format!("{name}-store"));
                let (port, route_port, http_port) = ports[i];
                let _ = route_port;
                let routes: Vec<String> = ports
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, (_, r, _))| format!("\"nats-route://127.0.0.1:{r}\""))
                    .collect();
                let text = format!(
                    "server_name: {name}\nlisten: \"{listen}:{port}\"\nhttp: \"127.0.0.1:{http_port}\"\n\
                     jetstream {{\n  store_dir: \"{}\"\n  sync_interval: always\n}}\n\
                     cluster {{\n  name: paja-rig\n  listen: \"127.0.0.1:{route_port}\"\n  routes: [{}]\n}}\n",
                    store.display(),
                    routes.join(", ")
                );
                let config = dir.join(format!("{name}.conf"));
                std::fs::write(&config, text).expect("write nats config");
                NatsServer {
                    log: dir.join(format!("{name}.log")),
                    name,
                    port,
                    http_port,
                    config,
                    child: None,
                }
            })
            .collect()
    }

    /// Starts the process (its output appended to its log file).
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "{} is already running", self.name);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("nats log");
        let child = Command::new(binary())
            .arg("-c")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary().display()));
        self.child = Some(child);
    }

    /// The pid of the running process.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn running(&self) -> bool {
        self.child.is_some()
    }

    /// SIGKILL, and reap it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM (nats-server shuts down cleanly: a planned restart), and reap it.
    pub async fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            super::rig::signal(child.id(), "TERM");
            let limit = Instant::now() + Duration::from_secs(20);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < limit {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The URL Paja nodes connect to, on `host`.
    pub fn url(&self, host: &str) -> String {
        format!("nats://{host}:{}", self.port)
    }

    /// The last lines of its log (for a failing test's message).
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// `/jsz` of this server (its own view: the meta group, and with `streams` each stream's
    /// local state), or `None` while it does not answer.
    pub async fn jsz(&self, query: &str) -> Option<Value> {
        let addr: SocketAddr = ([127, 0, 0, 1], self.http_port).into();
        let connect = tokio::net::TcpStream::connect(addr);
        if tokio::time::timeout(Duration::from_secs(2), connect)
            .await
            .ok()?
            .is_err()
        {
            return None;
        }
        let path = format!("/jsz?{query}");
        let response =
            tokio::time::timeout(Duration::from_secs(5), http(addr, "GET", &path, &[], None))
                .await
                .ok()?;
        (response.status == 200)
            .then(|| serde_json::from_slice(&response.body).ok())
            .flatten()
    }

    /// Whether `/healthz` answers 200 (JetStream current, every replica caught up).
    pub async fn healthy(&self) -> bool {
        let addr: SocketAddr = ([127, 0, 0, 1], self.http_port).into();
        let probe = http(addr, "GET", "/healthz", &[], None);
        matches!(
            tokio::time::timeout(Duration::from_secs(2), probe).await,
            Ok(response) if response.status == 200
        )
    }

    /// The JetStream meta leader this server sees, and (meaningful on the leader only: a
    /// follower does not track its peers) how many other peers are current.
    pub async fn meta(&self) -> Option<(String, usize)> {
        let jsz = self.jsz("").await?;
        let meta = &jsz["meta_cluster"];
        let leader = meta["leader"].as_str().filter(|l| !l.is_empty())?;
        let current = meta["replicas"]
            .as_array()
            .map(|r| r.iter().filter(|p| p["current"] == true).count())
            .unwrap_or(0);
        Some((leader.to_owned(), current))
    }

    /// A stream's state as this server holds it: (messages, last seq), `None` when it has no
    /// replica of it (or does not answer).
    pub async fn stream_state(&self, stream: &str) -> Option<(u64, u64)> {
        let jsz = self.jsz("accounts=true&streams=true").await?;
        let accounts = jsz["account_details"].as_array()?;
        accounts
            .iter()
            .flat_map(|a| a["stream_detail"].as_array().into_iter().flatten())
            .find(|s| s["name"] == stream)
            .map(|s| {
                (
                    s["state"]["messages"].as_u64().unwrap_or(0),
                    s["state"]["last_seq"].as_u64().unwrap_or(0),
                )
            })
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}
