//! Scenario (e): a rolling restart under load, as a deploy does it: each Paja node in turn
//! (SIGTERM: its sessions are handed over, then it starts again), then each nats-server in
//! turn (its leaderships stepped down first, then SIGTERM: `planned.rs`). Nothing
//! acknowledged is lost; the journal is gap-free; the replicas agree; no planned step stalls
//! writes for more than the 2 s (× a CI margin).

use std::time::{Duration, Instant};

use super::checks::{assert_exact, check_journal, outcome, session, summary};
use super::phones::{stall_around, Fleet};
use super::rig::ClusterRig;

const SLUG: &str = "vaihto";
/// The bound on a planned step's write stall.
const PLANNED_STALL: Duration = Duration::from_secs(2);
/// Room for a busy CI machine.
const CI_MARGIN: f64 = 2.5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_rolling_restart_loses_nothing() {
    let mut rig = ClusterRig::start().await;
    let (key, prompt) = session(&rig, 0, SLUG).await;
    let addrs = rig.nodes.iter().map(|n| n.addr).collect();
    let mut fleet = Fleet::start(addrs, SLUG, &prompt, 6);
    fleet.wait_acks(40).await;
    let mut steps = Vec::new();
    for i in 0..3 {
        fleet.wait_acks(fleet.ack_count() + 20).await;
        let at = Instant::now();
        rig.roll_node(i).await;
        fleet.wait_acks(fleet.ack_count() + 20).await;
        steps.push((format!("paja n{}", i + 1), at, Instant::now()));
    }
    for i in 0..3 {
        fleet.wait_acks(fleet.ack_count() + 20).await;
        let at = Instant::now();
        rig.roll_nats(i).await;
        fleet.wait_acks(fleet.ack_count() + 20).await;
        steps.push((format!("nats s{}", i + 1), at, Instant::now()));
    }
    fleet.wait_acks(fleet.ack_count() + 30).await;
    let (reports, acks) = fleet.stop().await;
    let mut stalls = Vec::new();
    for (step, from, to) in &steps {
        if let Some(stall) = stall_around(&acks, *from, *to) {
            println!("restart {step}: write stall {:.2} s", stall.as_secs_f64());
            stalls.push((step, stall));
        }
    }
    summary(&reports);
    // The issue asks ≤ 2 s per planned step; a shared 2-core CI box running six servers and
    // the phones gets a margin of 2.5× (figures in docs/benchmarks.md).
    let limit = PLANNED_STALL.mul_f64(CI_MARGIN);
    for (step, stall) in &stalls {
        assert!(
            *stall <= limit,
            "planned restart of {step} stalled writes {stall:?} (limit {limit:?})"
        );
    }
    assert_exact(&outcome(&rig, 1, SLUG, &key, &acks).await, &reports);
    check_journal(&rig.batches(SLUG).await);
    rig.assert_replicas_equal().await;
}
