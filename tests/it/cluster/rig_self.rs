//! The rig itself, before any cluster behaviour: three servers form a JetStream cluster, the
//! three `paja --nats` nodes provision the R3 journal stream on it and serve, and every fault
//! the scenarios inject does what it says (a killed node or server comes back on its ports and
//! store; a killed stream leader is replaced and the replicas converge; a cut node cannot reach
//! NATS while its phones still reach it).

use std::time::{Duration, Instant};

use super::checks::{assert_exact, check_journal, outcome, session, summary, unexplained_drops};
use super::inspect::{Batch, STREAM};
use super::phones::{stall_around, Fleet};
use super::rig::ClusterRig;
use crate::support::http;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rig_starts_an_r3_cluster() {
    let mut rig = ClusterRig::start().await;
    // The journal stream, provisioned by `paja --nats … --nats-replicas 3`, has three replicas.
    let client = rig.client().await;
    let info = client
        .request(format!("$JS.API.STREAM.INFO.{STREAM}"), bytes::Bytes::new())
        .await
        .expect("stream info");
    let info: serde_json::Value = serde_json::from_slice(&info.payload).expect("JSON");
    assert_eq!(info["config"]["num_replicas"], 3, "{info}");
    assert_eq!(
        info["cluster"]["replicas"].as_array().map(Vec::len),
        Some(2),
        "{info}"
    );
    let leader = rig.wait_stream_leader().await;
    for state in rig.replicas().await {
        assert!(state.is_some(), "every server holds a replica of {STREAM}");
    }

    // A node killed with SIGKILL comes back on its port and data directory.
    rig.kill_node(0);
    assert!(tokio::net::TcpStream::connect(rig.nodes[0].addr)
        .await
        .is_err());
    rig.restart_node(0).await;
    // SIGSTOP freezes a node (its port accepts but nothing answers); SIGCONT wakes it.
    rig.pause_node(1);
    let frozen = tokio::time::timeout(
        Duration::from_millis(500),
        http(rig.nodes[1].addr, "GET", "/readyz", &[], None),
    )
    .await;
    assert!(frozen.is_err(), "a stopped node answered");
    rig.resume_node(1);
    assert_eq!(
        http(rig.nodes[1].addr, "GET", "/readyz", &[], None)
            .await
            .status,
        200
    );
    // A planned restart (SIGTERM) too.
    rig.roll_node(2).await;

    // The stream leader killed: another server leads; restarted, the replicas agree again.
    rig.kill_nats(leader);
    let next = rig.wait_stream_leader().await;
    assert_ne!(next, leader, "a killed server cannot lead");
    rig.restart_nats(leader).await;
    rig.assert_replicas_equal().await;
    // A frozen server (SIGSTOP) and its wake-up (SIGCONT).
    rig.pause_nats(0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    rig.resume_nats(0);
    rig.wait_meta().await;
    // Every node still serves after the NATS faults.
    for node in &mut rig.nodes {
        node.ready().await;
    }
}

/// Whether a TCP connection to `addr` can be made from inside namespace `ns` within 2 s.
fn reaches_from(ns: &str, addr: &str, port: u16) -> bool {
    std::process::Command::new("ip")
        .args(["netns", "exec", ns, "timeout", "2", "bash", "-c"])
        .arg(format!("echo > /dev/tcp/{addr}/{port}"))
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rig_cuts_a_node_off_from_nats() {
    let rig = ClusterRig::partitionable(0).await;
    let netns = rig.netns.as_ref().expect("netns");
    let (ns, nats) = (netns.name.clone(), netns.nats_root.to_string());
    let port = rig.nats[0].port;
    assert!(
        reaches_from(&ns, &nats, port),
        "the node reaches NATS before the cut"
    );
    rig.cut();
    assert!(
        !reaches_from(&ns, &nats, port),
        "the cut node still reaches NATS"
    );
    // Its phones still reach it (through the other link).
    let page = http(rig.nodes[0].addr, "GET", "/healthz", &[], None).await;
    assert_eq!(page.status, 200);
    rig.heal();
    assert!(
        reaches_from(&ns, &nats, port),
        "the healed node reaches NATS again"
    );
}

/// The phones and the final comparison, before the cluster exists: a session on one node (as
/// `paja --nats` serves today), its phones all there, the node SIGKILLed and restarted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rig_phones_log_acks_through_a_kill() {
    let mut rig = ClusterRig::start().await;
    let (key, prompt) = session(&rig, 0, "puhelimet").await;
    let mut fleet = Fleet::start(vec![rig.nodes[0].addr], "puhelimet", &prompt, 4);
    fleet.wait_acks(50).await;
    let killed = Instant::now();
    rig.kill_node(0);
    rig.restart_node(0).await;
    let windows = [(0, killed, Instant::now())];
    fleet.wait_acks(fleet.ack_count() + 30).await;
    let recovered = Instant::now();
    let (reports, acks) = fleet.stop().await;
    summary(&reports);
    assert!(
        reports.iter().all(|r| !r.drops.is_empty()),
        "every phone saw the kill"
    );
    assert!(unexplained_drops(&reports, &windows).is_empty());
    assert_exact(&outcome(&rig, 0, "puhelimet", &key, &acks).await, &reports);
    assert!(stall_around(&acks, killed, recovered).is_some());
}

fn batch(stream_seq: u64, epoch: u64, seqs: (u64, u64), prev: &[u8]) -> Batch {
    let body: String = (seqs.0..=seqs.1)
        .filter(|s| *s > 0)
        .map(|s| format!("{{\"seq\":{s},\"at\":1,\"cmd\":{{}}}}\n"))
        .collect();
    Batch {
        stream_seq,
        epoch,
        first: seqs.0,
        last: seqs.1,
        node: "n1".into(),
        prev: hex(prev),
        lines: body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        body: body.into(),
    }
}

fn hex(body: &[u8]) -> String {
    use sha2::Digest;
    if body.is_empty() {
        return String::new();
    }
    sha2::Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `check_journal` itself: it accepts a good journal and refuses a gap, a repeat, a stale
/// epoch after a claim and a broken chain.
#[test]
fn check_journal_catches_gaps_repeats_split_brain_and_broken_chains() {
    let b1 = batch(1, 1, (1, 2), b"");
    let claim = batch(2, 5, (0, 0), b"");
    let b2 = batch(3, 5, (3, 3), &b1.body.clone());
    assert_eq!(check_journal(&[b1.clone(), claim.clone(), b2.clone()]), 3);
    let gap = batch(3, 5, (4, 4), &b1.body.clone());
    let repeat = batch(3, 5, (2, 2), &b1.body.clone());
    let stale = batch(3, 1, (3, 3), &b1.body.clone());
    let broken = batch(3, 5, (3, 3), b"something else");
    for bad in [gap, repeat, stale, broken] {
        let journal = vec![b1.clone(), claim.clone(), bad];
        let caught = std::panic::catch_unwind(|| check_journal(&journal));
        assert!(caught.is_err(), "not caught: {:?}", journal[2]);
    }
}
