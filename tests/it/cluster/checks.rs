//! What every scenario checks at the end, as the issue states it: every acknowledged item is in
//! the JSON export fetched from a surviving node exactly once with the seq its ack carried,
//! no item is there twice, and the session's journal on JetStream is gap-free with epochs that
//! never go back and an unbroken hash chain.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::inspect::Batch;
use super::phones::{Ack, PhoneReport};
use super::rig::ClusterRig;
use crate::support::{http, open_prompt, Client};

/// Creates `slug` through node `node` and opens a brainstorm from a facilitator on it:
/// (facilitator key, prompt id).
pub async fn session(rig: &ClusterRig, node: usize, slug: &str) -> (String, String) {
    let addr = rig.nodes[node].addr;
    let body = json!({"slug":slug,"title":"Kestääkö klusteri?"});
    let created = http(addr, "POST", "/api/sessions", &[], Some(&body)).await;
    assert_eq!(created.status, 201, "create {slug}: {}", created.text());
    let key = created.json()["facilitator_key"]
        .as_str()
        .expect("key")
        .to_owned();
    let mut facilitator = Client::connect(&rig.nodes[node].ws_url(slug)).await;
    facilitator
        .send(json!({"type":"hello","role":"facilitator","key":key}))
        .await;
    facilitator.expect("welcome").await;
    let prompt = open_prompt(&mut facilitator, "Mikä kestää?").await;
    (key, prompt)
}

/// The export compared with the acks.
#[derive(Debug)]
pub struct Outcome {
    pub acked: usize,
    pub stored: usize,
    pub lost: usize,
    pub duplicated: usize,
    /// Acked items stored under another seq than their ack said.
    pub moved: usize,
}

/// Fetches `export.json` from node `from` (retrying for 30 s: the session may be moving) and
/// compares it with `acks`.
pub async fn outcome(
    rig: &ClusterRig,
    from: usize,
    slug: &str,
    key: &str,
    acks: &[Ack],
) -> Outcome {
    let path = format!("/api/sessions/{slug}/export.json");
    let bearer = format!("Bearer {key}");
    let limit = Instant::now() + Duration::from_secs(30);
    let export = loop {
        let response = http(
            rig.nodes[from].addr,
            "GET",
            &path,
            &[("Authorization", &bearer)],
            None,
        )
        .await;
        if response.status == 200 {
            break response.json();
        }
        assert!(
            Instant::now() < limit,
            "export from node {from}: {} {}",
            response.status,
            response.text()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let mut stored: HashMap<String, u64> = HashMap::new();
    let mut duplicated = 0;
    let items = export["prompts"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["items"].as_array().into_iter().flatten());
    for item in items {
        let id = item["id"].as_str().unwrap_or_default().to_owned();
        if stored
            .insert(id, item["seq"].as_u64().unwrap_or(0))
            .is_some()
        {
            duplicated += 1;
        }
    }
    let (mut lost, mut moved) = (0, 0);
    for ack in acks {
        match stored.get(&ack.item.to_string()) {
            None => lost += 1,
            Some(seq) if *seq != ack.seq => moved += 1,
            Some(_) => {}
        }
    }
    Outcome {
        acked: acks.len(),
        stored: stored.len(),
        lost,
        duplicated,
        moved,
    }
}

/// Lost 0, duplicated 0, moved 0; and the phones saw nothing a correct server never says.
pub fn assert_exact(outcome: &Outcome, reports: &[PhoneReport]) {
    println!("{outcome:?}");
    assert!(outcome.acked > 0, "no item was acknowledged at all");
    assert!(
        outcome.stored >= outcome.acked - outcome.lost,
        "{outcome:?}"
    );
    assert_eq!(outcome.lost, 0, "acknowledged items lost: {outcome:?}");
    assert_eq!(outcome.duplicated, 0, "items stored twice: {outcome:?}");
    assert_eq!(
        outcome.moved, 0,
        "items stored under another seq than acked: {outcome:?}"
    );
    let wrong: Vec<&String> = reports.iter().flat_map(|r| &r.wrong).collect();
    assert!(wrong.is_empty(), "phones were told wrong things: {wrong:?}");
}

/// The journal's safety properties over `batches`: session seqs gap-free and never repeated
/// (1, 2, … across batches, claim markers aside); epochs never go back, so no batch of an old
/// epoch follows a newer epoch's claim marker (split brain); every `Paja-Prev` is the hash of
/// the batch before it. Returns the last seq.
pub fn check_journal(batches: &[Batch]) -> u64 {
    assert!(
        !batches.is_empty(),
        "the session's journal subject is empty"
    );
    let mut expected = 1;
    let mut epoch = 0;
    let mut previous: Option<&Batch> = None;
    for batch in batches {
        assert!(
            batch.epoch >= epoch,
            "stream seq {}: a batch of epoch {} (node {}) after epoch {epoch}: two writers",
            batch.stream_seq,
            batch.epoch,
            batch.node
        );
        epoch = batch.epoch;
        if batch.is_claim() {
            continue;
        }
        // The chain links record batches; a claim marker in between may be a link of its own
        // (then the batch after it names the marker's empty body).
        if let Some(before) = previous {
            let links = [hex_sha256(&before.body), hex_sha256(b"")];
            assert!(
                links.contains(&batch.prev),
                "stream seq {}: Paja-Prev {:?} is not the hash of batch {}-{}: the chain breaks",
                batch.stream_seq,
                batch.prev,
                before.first,
                before.last
            );
        }
        previous = Some(batch);
        assert_eq!(
            batch.first,
            expected,
            "stream seq {}: batch {}-{} after seq {}: a gap or a repeat",
            batch.stream_seq,
            batch.first,
            batch.last,
            expected - 1
        );
        for line in &batch.lines {
            assert_eq!(
                line["seq"].as_u64(),
                Some(expected),
                "stream seq {}: line {line}",
                batch.stream_seq
            );
            expected += 1;
        }
        assert_eq!(
            batch.last + 1,
            expected,
            "stream seq {}: Paja-Seq vs its lines",
            batch.stream_seq
        );
    }
    expected - 1
}

fn hex_sha256(body: &[u8]) -> String {
    Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Connection losses not explained by a fault: a drop on a node is expected only while that
/// node was down (`windows`: node, from, to; a second of slack after).
pub fn unexplained_drops(
    reports: &[PhoneReport],
    windows: &[(usize, Instant, Instant)],
) -> Vec<(usize, usize)> {
    let mut wrong = Vec::new();
    for (phone, report) in reports.iter().enumerate() {
        for (node, at) in &report.drops {
            let explained = windows.iter().any(|(n, from, to)| {
                n == node && at >= from && *at <= *to + Duration::from_secs(1)
            });
            if !explained {
                wrong.push((phone, *node));
            }
        }
    }
    wrong
}

/// Share of reconnections answered `resumed` (1.0 when there were none).
pub fn resumed_share(reports: &[PhoneReport]) -> f64 {
    let resumed: usize = reports.iter().map(|r| r.resumed).sum();
    let welcomed: usize = reports.iter().map(|r| r.welcomed_again).sum();
    if resumed + welcomed == 0 {
        return 1.0;
    }
    resumed as f64 / (resumed + welcomed) as f64
}

/// Prints what the phones saw (for the report and a failing test).
pub fn summary(reports: &[PhoneReport]) -> Value {
    let drops: usize = reports.iter().map(|r| r.drops.len()).sum();
    let unacked: usize = reports.iter().map(|r| r.unacked).sum();
    let share = resumed_share(reports);
    let homes: Vec<usize> = (0..3)
        .map(|n| reports.iter().filter(|r| r.home == n).count())
        .collect();
    let value = json!({"phones":reports.len(),"per_node":homes,"drops":drops,
        "unacked_left":unacked,"resumed_share":share});
    println!("phones: {value}");
    value
}
