//! Scenario (c): the owner frozen (SIGSTOP) for three leases, then woken (SIGCONT): a zombie
//! that still believes it owns the session. Another node takes over while it sleeps; once
//! awake, its first append carries a stale expected tail and is refused, so no batch of the
//! old epoch follows the new owner's claim marker, and nothing acknowledged is lost.

use std::time::{Duration, Instant};

use super::checks::{assert_exact, check_journal, outcome, session, summary};
use super::phones::Fleet;
use super::rig::{ClusterRig, LEASE_SECS};

const SLUG: &str = "zombi";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_zombie_owner_never_writes_after_the_new_claim() {
    let mut rig = ClusterRig::start().await;
    let (key, prompt) = session(&rig, 2, SLUG).await;
    let addrs = rig.nodes.iter().map(|n| n.addr).collect();
    let mut fleet = Fleet::start(addrs, SLUG, &prompt, 6);
    fleet.wait_acks(40).await;
    for round in 1..=2 {
        let (owner, epoch) = rig.wait_owner(SLUG, |_, _| true).await;
        fleet.wait_acks(fleet.ack_count() + 30).await;
        let frozen = Instant::now();
        rig.pause_node(owner);
        let zombie = rig.nodes[owner].id.clone();
        let (successor, next) = rig
            .wait_owner(SLUG, |node, e| node != zombie && e > epoch)
            .await;
        fleet.wait_acks(fleet.ack_count() + 20).await;
        let asleep = Duration::from_secs(3 * LEASE_SECS);
        tokio::time::sleep(asleep.saturating_sub(frozen.elapsed())).await;
        rig.resume_node(owner);
        // The zombie wakes with commands in flight; give it the chance to (wrongly) write.
        fleet.wait_acks(fleet.ack_count() + 30).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (holder, _) = rig.wait_owner(SLUG, |_, _| true).await;
        assert_eq!(
            holder, successor,
            "round {round}: the woken zombie took the session back"
        );
        println!(
            "round {round}: n{} frozen (epoch {epoch}), n{} took over (epoch {next})",
            owner + 1,
            successor + 1
        );
    }
    let (reports, acks) = fleet.stop().await;
    summary(&reports);
    // The export from the owner's node (a woken zombie's part is the journal check below).
    let (holder, _) = rig.wait_owner(SLUG, |_, _| true).await;
    assert_exact(&outcome(&rig, holder, SLUG, &key, &acks).await, &reports);
    let batches = rig.batches(SLUG).await;
    check_journal(&batches);
    let claims = batches.iter().filter(|b| b.is_claim()).count();
    assert!(
        claims >= 3,
        "a claim marker per owner expected, found {claims}"
    );
}
