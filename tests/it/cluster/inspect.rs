//! What the rig reads from NATS itself, never through Paja: who holds a session's lease
//! (`PAJA_OWNER`), which server leads the journal stream, every batch of a session's journal
//! subject with its headers, and each replica's own state of the stream (monitoring `/jsz`),
//! so a scenario checks the cluster's claims against the log they are about.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::rig::ClusterRig;

/// The journal stream and lease bucket Paja provisions.
pub const STREAM: &str = "PAJA_J";
const OWNERS: &str = "PAJA_OWNER";

/// One message of `paja.j.<slug>`: a group-commit batch or a claim marker (`Paja-Seq: 0-0`).
#[derive(Debug, Clone)]
pub struct Batch {
    /// Its stream sequence.
    pub stream_seq: u64,
    pub epoch: u64,
    /// The session seqs it holds; `(0, 0)` for a claim marker.
    pub first: u64,
    pub last: u64,
    pub node: String,
    /// `Paja-Prev`: the hash of the batch before it.
    pub prev: String,
    /// Its journal lines, as stored and parsed.
    pub body: bytes::Bytes,
    pub lines: Vec<Value>,
}

impl Batch {
    pub fn is_claim(&self) -> bool {
        self.first == 0 && self.last == 0
    }
}

impl ClusterRig {
    /// The lease holder of `slug` and the lease's revision (the epoch), `None` when free.
    pub async fn owner(&mut self, slug: &str) -> Option<(String, u64)> {
        let js = async_nats::jetstream::new(self.client().await);
        let store = js.get_key_value(OWNERS).await.ok()?;
        let entry = store.entry(slug).await.ok()??;
        if entry.operation != async_nats::jetstream::kv::Operation::Put {
            return None;
        }
        let record: Value = serde_json::from_slice(&entry.value).ok()?;
        Some((record["node"].as_str()?.to_owned(), entry.revision))
    }

    /// Waits (up to 30 s) until `slug` has an owner for which `accept` holds; its node index
    /// and epoch.
    pub async fn wait_owner(
        &mut self,
        slug: &str,
        accept: impl Fn(&str, u64) -> bool,
    ) -> (usize, u64) {
        let limit = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some((node, epoch)) = self.owner(slug).await {
                if accept(&node, epoch) {
                    return (self.node_index(&node), epoch);
                }
            }
            assert!(
                Instant::now() < limit,
                "{slug}: no acceptable owner within 30 s (now {:?})",
                self.owner(slug).await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The server leading the journal stream's Raft group (`$JS.API.STREAM.INFO`).
    pub async fn stream_leader(&mut self) -> Option<String> {
        let client = self.client().await;
        let subject = format!("$JS.API.STREAM.INFO.{STREAM}");
        let reply = tokio::time::timeout(
            Duration::from_secs(3),
            client.request(subject, bytes::Bytes::new()),
        )
        .await
        .ok()?
        .ok()?;
        let info: Value = serde_json::from_slice(&reply.payload).ok()?;
        info["cluster"]["leader"]
            .as_str()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
    }

    /// Waits (up to 30 s) for a stream leader; its server index.
    pub async fn wait_stream_leader(&mut self) -> usize {
        let limit = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(leader) = self.stream_leader().await {
                return self.nats_index(&leader);
            }
            assert!(
                Instant::now() < limit,
                "{STREAM} has no leader after 30 s:\n{}",
                self.nats_logs()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every message of `paja.j.<slug>`, in stream order (direct gets, from any replica).
    pub async fn batches(&mut self, slug: &str) -> Vec<Batch> {
        let js = async_nats::jetstream::new(self.client().await);
        let stream = js.get_stream(STREAM).await.expect("the journal stream");
        let subject = format!("paja.j.{slug}");
        let mut batches = Vec::new();
        let mut next = 1;
        while let Ok(message) = stream
            .direct_get_next_for_subject(subject.clone(), Some(next))
            .await
        {
            next = message.sequence + 1;
            let header = |name: &str| {
                message
                    .headers
                    .get(name)
                    .map(|v| v.as_str().to_owned())
                    .unwrap_or_default()
            };
            let seq = header("Paja-Seq");
            let (first, last) = seq.split_once('-').unwrap_or(("", ""));
            let lines = String::from_utf8_lossy(&message.payload)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap_or(Value::Null))
                .collect();
            batches.push(Batch {
                stream_seq: message.sequence,
                epoch: header("Paja-Epoch").parse().unwrap_or(0),
                first: first.parse().unwrap_or(0),
                last: last.parse().unwrap_or(0),
                node: header("Paja-Node"),
                prev: header("Paja-Prev"),
                body: message.payload.clone(),
                lines,
            });
        }
        batches
    }

    /// Each server's own (messages, last seq) of the journal stream; `None` for a server that
    /// does not answer or holds no replica.
    pub async fn replicas(&self) -> Vec<Option<(u64, u64)>> {
        let mut states = Vec::new();
        for server in &self.nats {
            states.push(server.stream_state(STREAM).await);
        }
        states
    }

    /// Waits (up to 30 s: a restarted replica catches up) until the three replicas hold the
    /// same messages and last seq; fails with what each holds.
    pub async fn assert_replicas_equal(&self) -> (u64, u64) {
        let limit = Instant::now() + Duration::from_secs(30);
        loop {
            let states = self.replicas().await;
            if let Some(Some(first)) = states.first() {
                if states.iter().all(|s| s.as_ref() == Some(first)) {
                    return *first;
                }
            }
            assert!(
                Instant::now() < limit,
                "the replicas of {STREAM} differ (messages, last seq) per server: {states:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}
