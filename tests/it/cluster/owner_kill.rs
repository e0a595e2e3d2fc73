//! Scenario (a): the owner of a session SIGKILLed mid-brainstorm, three times, phones on all
//! three nodes. Nothing acknowledged is lost or stored twice, the journal is gap-free, phones
//! on the surviving nodes keep their connections, and the phones of the killed node that
//! reconnect (to another node) get `resumed`. The write stall is printed; its only bound is
//! the (lease + 3 s) doubled, as a sanity check that stays robust on a busy CI machine.

use std::time::{Duration, Instant};

use super::checks::{
    assert_exact, check_journal, outcome, resumed_share, session, summary, unexplained_drops,
};
use super::phones::{stall_around, Fleet};
use super::rig::{ClusterRig, LEASE_SECS};

const SLUG: &str = "omistaja-kaatuu";
const KILLS: usize = 3;
const PHONES: usize = 9;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_owner_sigkill_loses_nothing() {
    let mut rig = ClusterRig::start().await;
    let (key, prompt) = session(&rig, 0, SLUG).await;
    let addrs = rig.nodes.iter().map(|n| n.addr).collect();
    let mut fleet = Fleet::start(addrs, SLUG, &prompt, PHONES);
    fleet.wait_acks(40).await;
    let mut windows = Vec::new();
    let mut kills = Vec::new();
    for round in 1..=KILLS {
        let (owner, epoch) = rig.wait_owner(SLUG, |_, _| true).await;
        fleet.wait_acks(fleet.ack_count() + 30).await;
        let killed_at = Instant::now();
        rig.kill_node(owner);
        let dead = rig.nodes[owner].id.clone();
        let (successor, next) = rig
            .wait_owner(SLUG, |node, e| node != dead && e > epoch)
            .await;
        // Acks flow again (through the successor) before the killed node comes back.
        fleet.wait_acks(fleet.ack_count() + 30).await;
        kills.push((killed_at, Instant::now()));
        rig.restart_node(owner).await;
        windows.push((owner, killed_at, Instant::now()));
        println!(
            "kill {round}: owner n{} (epoch {epoch}) → n{} (epoch {next})",
            owner + 1,
            successor + 1
        );
    }
    fleet.wait_acks(fleet.ack_count() + 30).await;
    let (reports, acks) = fleet.stop().await;
    let bound = Duration::from_secs(2 * (LEASE_SECS + 3));
    for (round, (from, to)) in kills.iter().enumerate() {
        let stall = stall_around(&acks, *from, *to).expect("acks before and after the kill");
        println!(
            "kill {}: write stall {:.2} s (sanity bound {bound:?})",
            round + 1,
            stall.as_secs_f64()
        );
        assert!(
            stall <= bound,
            "kill {}: writes stalled {stall:?}, over twice the issue's bound",
            round + 1
        );
    }
    summary(&reports);
    let survivor = (0..3).find(|i| rig.nodes[*i].running()).expect("a node");
    assert_exact(&outcome(&rig, survivor, SLUG, &key, &acks).await, &reports);
    check_journal(&rig.batches(SLUG).await);
    let unexplained = unexplained_drops(&reports, &windows);
    assert!(
        unexplained.is_empty(),
        "phones on surviving nodes lost their connection (phone, node): {unexplained:?}"
    );
    let share = resumed_share(&reports);
    let welcomes: Vec<_> = reports.iter().flat_map(|r| &r.welcomes).collect();
    println!("reconnections answered welcome (node, last_seq, seq): {welcomes:?}");
    assert!(
        share >= 0.99,
        "only {:.1} % of reconnections resumed",
        share * 100.0
    );
}
