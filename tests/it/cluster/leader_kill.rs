//! Scenario (b): the JetStream leader of the journal stream SIGKILLed mid-brainstorm, twice.
//! Nothing acknowledged is lost, the journal is gap-free with its hash chain intact, and once
//! the killed server is back the three replicas hold the same messages and last seq (the
//! replica drift seen on nats-server 2.9.10 is what this would catch).

use std::time::Instant;

use super::checks::{assert_exact, check_journal, outcome, session, summary};
use super::phones::{stall_around, Fleet};
use super::rig::ClusterRig;

const SLUG: &str = "johtaja-kaatuu";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_stream_leader_sigkill_loses_nothing() {
    let mut rig = ClusterRig::start().await;
    let (key, prompt) = session(&rig, 1, SLUG).await;
    let addrs = rig.nodes.iter().map(|n| n.addr).collect();
    let mut fleet = Fleet::start(addrs, SLUG, &prompt, 6);
    fleet.wait_acks(40).await;
    let mut kills = Vec::new();
    for round in 1..=2 {
        let leader = rig.wait_stream_leader().await;
        fleet.wait_acks(fleet.ack_count() + 30).await;
        let killed_at = Instant::now();
        rig.kill_nats(leader);
        let next = rig.wait_stream_leader().await;
        fleet.wait_acks(fleet.ack_count() + 30).await;
        kills.push((killed_at, Instant::now()));
        rig.restart_nats(leader).await;
        println!(
            "kill {round}: stream leader {} → {}",
            rig.nats[leader].name, rig.nats[next].name
        );
    }
    fleet.wait_acks(fleet.ack_count() + 30).await;
    let (reports, acks) = fleet.stop().await;
    for (round, (from, to)) in kills.iter().enumerate() {
        if let Some(stall) = stall_around(&acks, *from, *to) {
            println!(
                "leader kill {}: write stall {:.2} s",
                round + 1,
                stall.as_secs_f64()
            );
        }
    }
    summary(&reports);
    assert_exact(&outcome(&rig, 0, SLUG, &key, &acks).await, &reports);
    check_journal(&rig.batches(SLUG).await);
    let (messages, last) = rig.assert_replicas_equal().await;
    println!("replicas equal: {messages} messages, last seq {last}");
}
