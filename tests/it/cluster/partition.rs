//! Scenario (d): the owner cut off from NATS but not from its phones (its node runs in a network
//! namespace; the cut downs the veth that carries NATS). It must stop acknowledging (no
//! PubAck can reach it, and it self-fences), another node takes the session over, no batch of
//! the old epoch follows the new claim, and after the heal the old owner stays deposed.
//! Needs root for the namespace: without it the test FAILS with that message.

use std::time::{Duration, Instant};

use super::checks::{assert_exact, check_journal, outcome, session, summary};
use super::phones::Fleet;
use super::rig::{ClusterRig, LEASE_SECS};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_owner_cut_off_from_nats_is_replaced_without_split_brain() {
    let mut rig = ClusterRig::partitionable(0).await;
    // The cut node must own the session: create sessions until one lands on n1 (rendezvous
    // hashing puts about a third there).
    let mut chosen = None;
    for k in 0..12 {
        let slug = format!("katko-{k}");
        let (key, prompt) = session(&rig, 0, &slug).await;
        let (owner, epoch) = rig.wait_owner(&slug, |_, _| true).await;
        if owner == 0 {
            chosen = Some((slug, key, prompt, epoch));
            break;
        }
    }
    let (slug, key, prompt, epoch) = chosen.expect("no session of 12 was owned by n1");
    let addrs = rig.nodes.iter().map(|n| n.addr).collect();
    let mut fleet = Fleet::start(addrs, &slug, &prompt, 6);
    fleet.wait_acks(40).await;
    rig.cut();
    let cut = Instant::now();
    let (successor, next) = rig
        .wait_owner(&slug, |node, e| node != "n1" && e > epoch)
        .await;
    fleet.wait_acks(fleet.ack_count() + 30).await;
    let apart = Duration::from_secs(2 * LEASE_SECS);
    tokio::time::sleep(apart.saturating_sub(cut.elapsed())).await;
    let healed = Instant::now();
    rig.heal();
    fleet.wait_acks(fleet.ack_count() + 30).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (holder, _) = rig.wait_owner(&slug, |_, _| true).await;
    assert_eq!(
        holder, successor,
        "the healed old owner took the session back"
    );
    println!(
        "n1 cut (epoch {epoch}); n{} took over (epoch {next})",
        successor + 1
    );
    let (reports, acks) = fleet.stop().await;
    // Nothing can be acknowledged through the cut node while it is cut (a second of slack for
    // acks already on their way).
    let cut_acks = acks
        .iter()
        .filter(|a| a.node == 0 && a.at > cut + Duration::from_secs(1) && a.at < healed)
        .count();
    assert_eq!(
        cut_acks, 0,
        "the node cut off from NATS acknowledged {cut_acks} items"
    );
    summary(&reports);
    assert_exact(&outcome(&rig, 1, &slug, &key, &acks).await, &reports);
    check_journal(&rig.batches(&slug).await);
}
