//! One real `paja` binary of the rig: `--nats` with every server's URL, its own data directory
//! and node id, a fixed port (chosen by binding port 0 first) so a restarted node comes back
//! where its phones knew it, optionally inside a network namespace (`ip netns exec`, which
//! execs, so the pid is paja's own and signals reach it).

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::http;

/// How long a node may take to serve and be ready (NATS provisioning included).
const START: Duration = Duration::from_secs(40);

/// A `paja --nats …` process.
pub struct Node {
    /// `n1`, `n2`, `n3`: its `--node-id`, as `PAJA_OWNER` records name it.
    pub id: String,
    /// Where phones reach it (loopback, or the namespace side of its phone link).
    pub addr: SocketAddr,
    /// The address it binds (`0.0.0.0` inside a namespace).
    bind: String,
    pub data_dir: PathBuf,
    /// The network namespace it runs in, if any.
    pub netns: Option<String>,
    nats: String,
    lease_secs: u64,
    child: Option<Child>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Node {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: &str,
        addr: SocketAddr,
        bind: &str,
        data_dir: PathBuf,
        netns: Option<String>,
        nats: String,
        lease_secs: u64,
    ) -> Node {
        std::fs::create_dir_all(&data_dir).expect("node data dir");
        Node {
            id: id.to_owned(),
            addr,
            bind: bind.to_owned(),
            data_dir,
            netns,
            nats,
            lease_secs,
            child: None,
            log: Arc::default(),
        }
    }

    /// Starts the process; [`Node::ready`] waits until it serves.
    pub fn start(&mut self) {
        assert!(self.child.is_none(), "{} is already running", self.id);
        let paja = env!("CARGO_BIN_EXE_paja");
        let mut command = match &self.netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns, paja]);
                c
            }
            None => Command::new(paja),
        };
        let lease = self.lease_secs.to_string();
        let bind = format!("{}:{}", self.bind, self.addr.port());
        let mut child = command
            .args(["--addr", &bind, "--data-dir"])
            .arg(&self.data_dir)
            .args(["--nats", &self.nats, "--node-id", &self.id])
            .args(["--nats-replicas", "3", "--lease-secs", &lease])
            .args(["--participant-rate", "1000", "--participant-burst", "1000"])
            .env(
                "RUST_LOG",
                std::env::var("PAJA_TEST_LOG").unwrap_or_else(|_| "info,paja=debug".to_owned()),
            )
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn paja");
        let stderr = child.stderr.take().expect("stderr");
        let sink = self.log.clone();
        let id = self.id.clone();
        // Kept whole in the rig's temporary directory too (every life of the node appended),
        // for a failure's post-mortem; the failing test prints each node's tail.
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .ok();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(file) = file.as_mut() {
                    let _ = writeln!(file, "{line}");
                }
                sink.lock().unwrap().push(format!("[{id}] {line}"));
            }
        });
        self.child = Some(child);
    }

    /// Waits until it serves and `/readyz` says ready; fails with its log when it exits or
    /// takes longer than a minute-ish.
    pub async fn ready(&mut self) {
        let limit = Instant::now() + START;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    // `Cluster::connect` gives up on a JetStream request timeout (a stream
                    // election still under way); a supervisor would start it again: so does
                    // the rig, until the limit.
                    let tail = self.log_tail(40);
                    if tail.contains("could not set up JetStream") && Instant::now() < limit {
                        eprintln!(
                            "{} exited while provisioning, started again:\n{tail}",
                            self.id
                        );
                        self.child = None;
                        tokio::time::sleep(Duration::from_millis(500)).await;
                        self.start();
                        continue;
                    }
                    panic!("{} exited ({status}):\n{tail}", self.id);
                }
            }
            let probe = tokio::time::timeout(
                Duration::from_secs(2),
                tokio::net::TcpStream::connect(self.addr),
            )
            .await;
            if matches!(probe, Ok(Ok(_))) {
                let response = http(self.addr, "GET", "/readyz", &[], None).await;
                if response.status == 200 {
                    return;
                }
            }
            assert!(
                Instant::now() < limit,
                "{} not ready after {START:?}:\n{}",
                self.id,
                self.log_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("node running").id()
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

    /// SIGTERM (a planned stop: the owner hands its sessions over) and waits for the exit.
    pub async fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            super::rig::signal(child.id(), "TERM");
            let limit = Instant::now() + Duration::from_secs(30);
            while child.try_wait().ok().flatten().is_none() {
                if Instant::now() > limit {
                    let _ = child.kill();
                    panic!("{} did not stop within 30 s of SIGTERM", self.id);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let _ = child.wait();
        }
    }

    /// Where its stderr is kept (`<rig tmp>/<id>.log`, next to its data directory).
    pub fn log_path(&self) -> PathBuf {
        self.data_dir.with_extension("log")
    }

    /// Everything it logged so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Its last `n` log lines, one string.
    pub fn log_tail(&self, n: usize) -> String {
        let log = self.log();
        log[log.len().saturating_sub(n)..].join("\n")
    }

    pub fn ws_url(&self, slug: &str) -> String {
        format!("ws://{}/ws/{slug}", self.addr)
    }

    /// The page base URL (for the browser test).
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // SIGKILL ends a SIGSTOPped process too.
        self.kill();
    }
}
