//! A planned restart of a nats-server, as `docs/operations.md` tells operators to do it:
//! first move every JetStream leadership the server holds elsewhere (each stream it leads —
//! the journal `PAJA_J` and the KV/object buckets' `KV_*`/`OBJ_*` streams — with
//! `$JS.API.STREAM.LEADER.STEPDOWN.<stream>`), wait until every stream has a leader again
//! and none is this server, then SIGTERM it; once restarted, wait until its `/healthz` says
//! its JetStream replicas are current before the next server. Killed while leading, a stream
//! stalls writes until its followers notice and elect (seconds); stepped down first, the
//! election happens while the leader still answers. (The meta group's leadership, moved with
//! `$JS.API.META.LEADER.STEPDOWN`, needs the system account, which the rig does not
//! configure; losing the meta leader at SIGTERM costs tens of milliseconds and no writes.)

use std::time::{Duration, Instant};

use serde_json::Value;

use super::rig::ClusterRig;

/// How long the step-downs may take before the rig gives up.
const STEP_DOWN_LIMIT: Duration = Duration::from_secs(30);

impl ClusterRig {
    /// Every stream's name (`$JS.API.STREAM.NAMES`).
    async fn stream_names(&mut self) -> Vec<String> {
        let client = self.client().await;
        let asked = client.request("$JS.API.STREAM.NAMES", bytes::Bytes::new());
        let Ok(Ok(reply)) = tokio::time::timeout(Duration::from_secs(3), asked).await else {
            return Vec::new();
        };
        let names: Value = serde_json::from_slice(&reply.payload).unwrap_or_default();
        names["streams"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The leader of `stream`'s Raft group, if it has one now.
    async fn leader_of(&mut self, stream: &str) -> Option<String> {
        let client = self.client().await;
        let asked = client.request(format!("$JS.API.STREAM.INFO.{stream}"), bytes::Bytes::new());
        let reply = tokio::time::timeout(Duration::from_secs(3), asked)
            .await
            .ok()?
            .ok()?;
        let info: Value = serde_json::from_slice(&reply.payload).ok()?;
        info["cluster"]["leader"].as_str().map(str::to_owned)
    }

    /// Moves every stream leadership off server `i` and waits until every stream has a
    /// leader elsewhere; what it stepped down, for the log.
    pub async fn step_down_nats(&mut self, i: usize) -> Vec<String> {
        let name = self.nats[i].name.clone();
        let client = self.client().await;
        let limit = Instant::now() + STEP_DOWN_LIMIT;
        let mut moved = Vec::new();
        loop {
            // Done when every stream has a leader and none is this server (a stream in the
            // middle of an election has none: stopping the server then can cost seconds).
            let (mut led, mut electing) = (Vec::new(), false);
            for stream in self.stream_names().await {
                match self.leader_of(&stream).await.filter(|l| !l.is_empty()) {
                    Some(leader) if leader == name => led.push(stream),
                    Some(_) => {}
                    None => electing = true,
                }
            }
            if led.is_empty() && !electing {
                return moved;
            }
            for stream in led {
                let subject = format!("$JS.API.STREAM.LEADER.STEPDOWN.{stream}");
                let _ = client.request(subject, bytes::Bytes::new()).await;
                moved.push(stream);
            }
            assert!(
                Instant::now() < limit,
                "{name} still leads after {STEP_DOWN_LIMIT:?}:\n{}",
                self.nats_logs()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until server `i`'s `/healthz` is 200: its JetStream is current with the meta
    /// leader and every replica it holds has caught up.
    pub async fn wait_healthy(&self, i: usize) {
        let limit = Instant::now() + STEP_DOWN_LIMIT;
        while !self.nats[i].healthy().await {
            assert!(
                Instant::now() < limit,
                "{} not healthy after {STEP_DOWN_LIMIT:?}:\n{}",
                self.nats[i].name,
                self.nats_logs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
