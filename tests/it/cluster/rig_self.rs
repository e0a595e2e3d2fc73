//! The rig itself, before any cluster behaviour: three servers form a JetStream cluster, the
//! three `paja --nats` nodes provision the R3 journal stream on it and serve, and every fault
//! the scenarios inject does what it says (a killed node or server comes back on its ports and
//! store; a killed stream leader is replaced and the replicas converge; a cut node cannot reach
//! NATS while its phones still reach it).

use std::time::Duration;

use super::inspect::STREAM;
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
    // Every node still serves after the NATS fault.
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
