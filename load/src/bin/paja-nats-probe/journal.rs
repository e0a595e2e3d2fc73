//! `paja-nats-probe journal`: one session's journal batches in stream order, checked.

use std::collections::BTreeSet;

use async_nats::jetstream::{self, consumer};
use futures_util::StreamExt;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The journal stream and its headers (src/cluster/mod.rs and wire.rs).
const STREAM: &str = "PAJA_J";
const EPOCH: &str = "Paja-Epoch";
const SEQ: &str = "Paja-Seq";
const PREV: &str = "Paja-Prev";
const NODE: &str = "Paja-Node";
/// Problems listed by stream sequence in the output.
const EXAMPLES: usize = 10;

/// What one pass over the batches found.
#[derive(Default)]
struct Findings {
    batches: u64,
    markers: u64,
    epochs: BTreeSet<u64>,
    nodes: BTreeSet<String>,
    epoch_regressions: u64,
    seq_gaps: u64,
    seq_overlaps: u64,
    chain_breaks: u64,
    unreadable: u64,
    examples: Vec<String>,
    last_epoch: u64,
    last_seq: u64,
    last_hash: String,
}

impl Findings {
    fn note(&mut self, what: String) {
        if self.examples.len() < EXAMPLES {
            self.examples.push(what);
        }
    }

    /// One batch, in stream order.
    fn batch(&mut self, stream_seq: u64, headers: Option<&async_nats::HeaderMap>, body: &[u8]) {
        let header = |name: &str| {
            headers
                .and_then(|h| h.get(name))
                .map(|v| v.as_str().to_owned())
        };
        let (Some(epoch), Some(seq)) = (
            header(EPOCH).and_then(|e| e.parse::<u64>().ok()),
            header(SEQ).and_then(|s| {
                let (a, b) = s.split_once('-')?;
                Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?))
            }),
        ) else {
            self.unreadable += 1;
            self.note(format!("#{stream_seq}: no readable {EPOCH}/{SEQ}"));
            return;
        };
        if let Some(node) = header(NODE) {
            self.nodes.insert(node);
        }
        self.epochs.insert(epoch);
        if epoch < self.last_epoch {
            self.epoch_regressions += 1;
            self.note(format!(
                "#{stream_seq}: epoch {epoch} after {}",
                self.last_epoch
            ));
        }
        self.last_epoch = self.last_epoch.max(epoch);
        if seq == (0, 0) {
            // A claim marker is written before its owner has read the log, so it cannot name
            // the batch before it; it holds no records and the chain runs past it (as the
            // replay and `tests/it/cluster/checks.rs` read it).
            self.markers += 1;
            return;
        }
        if let Some(prev) = header(PREV) {
            if prev != self.last_hash {
                self.chain_breaks += 1;
                self.note(format!(
                    "#{stream_seq}: {PREV} does not name the batch before"
                ));
            }
        }
        self.batches += 1;
        if seq.0 > self.last_seq + 1 {
            self.seq_gaps += 1;
            self.note(format!(
                "#{stream_seq}: seq {}-{} after {}",
                seq.0, seq.1, self.last_seq
            ));
        } else if seq.0 <= self.last_seq {
            self.seq_overlaps += 1;
            self.note(format!(
                "#{stream_seq}: seq {}-{} after {}",
                seq.0, seq.1, self.last_seq
            ));
        }
        self.last_seq = self.last_seq.max(seq.1);
        self.last_hash = hex(&Sha256::digest(body));
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads every batch of `slug` with an ordered consumer and checks it.
pub async fn check(js: &jetstream::Context, slug: &str) -> Result<serde_json::Value, String> {
    let subject = format!("paja.j.{slug}");
    let stream = js
        .get_stream(STREAM)
        .await
        .map_err(|e| format!("{STREAM}: {e}"))?;
    let mut findings = Findings::default();
    // An empty subject has nothing to deliver: ask for its last message first.
    if stream
        .get_last_raw_message_by_subject(&subject)
        .await
        .is_ok()
    {
        let consumer = stream
            .create_consumer(consumer::pull::OrderedConfig {
                filter_subject: subject.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| format!("consumer: {e}"))?;
        let mut messages = consumer
            .messages()
            .await
            .map_err(|e| format!("messages: {e}"))?;
        while let Some(message) = messages.next().await {
            let message = message.map_err(|e| format!("reading: {e}"))?;
            let info = message.info().map_err(|e| format!("info: {e}"))?;
            let (stream_seq, pending) = (info.stream_sequence, info.pending);
            findings.batch(stream_seq, message.headers.as_ref(), &message.payload);
            if pending == 0 {
                break;
            }
        }
    }
    let f = findings;
    let ok = f.epoch_regressions == 0
        && f.seq_gaps == 0
        && f.seq_overlaps == 0
        && f.chain_breaks == 0
        && f.unreadable == 0;
    Ok(json!({
        "probe": "journal", "slug": slug, "ok": ok,
        "batches": f.batches, "claim_markers": f.markers, "last_seq": f.last_seq,
        "epochs": f.epochs, "nodes": f.nodes,
        "epoch_regressions": f.epoch_regressions, "seq_gaps": f.seq_gaps,
        "seq_overlaps": f.seq_overlaps, "chain_breaks": f.chain_breaks,
        "unreadable": f.unreadable, "examples": f.examples,
    }))
}
