//! After the run: the ack log, the loss check and the write stall around faults.
//!
//! The loss check is the cluster's promise made measurable: every item a phone got an `ack`
//! for must be in the session's export exactly once, at the seq the ack named. A lost batch
//! shows as `lost`; a batch applied twice (a replay that doubled it, an owner that re-applied
//! a resend as new) as `duplicated` or `seq_mismatch`; two items at one seq (two writers that
//! both extended the log) as `seq_collisions`. Items stored but never acknowledged are fine
//! (the phone resends them, and a resend is stored once).

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::conn::AckRecord;
use crate::ids::{ItemIds, PhaseId};
use crate::stats::{ms, Summary};

/// Examples of each kind of failure kept in the report.
const EXAMPLES: usize = 5;

/// Acknowledged items against the exports.
#[derive(Debug, Default, Serialize)]
pub struct CheckReport {
    /// The node the exports came from.
    pub from: String,
    /// Distinct items acknowledged.
    pub acked_items: usize,
    /// Acks received in all (a resend is acknowledged again).
    pub ack_frames: usize,
    /// This run's items in the exports.
    pub in_export: usize,
    /// Acknowledged, and not in the export.
    pub lost: usize,
    /// In the export more than once, or acknowledged at two different seqs.
    pub duplicated: usize,
    /// In the export at another seq than its ack named.
    pub seq_mismatch: usize,
    /// Two items of one session at one seq.
    pub seq_collisions: usize,
    /// In the export and never acknowledged (allowed: the ack was lost, not the item).
    pub unacked_stored: usize,
    /// A few offending item ids, with what was wrong.
    pub examples: Vec<String>,
}

impl CheckReport {
    /// Nothing acknowledged was lost or doubled.
    pub fn passed(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.seq_mismatch == 0 && self.seq_collisions == 0
    }

    fn example(&mut self, what: String) {
        if self.examples.len() < EXAMPLES {
            self.examples.push(what);
        }
    }
}

/// Compares the ack log with the exports (one per session, already fetched).
pub fn compare(
    acks: &[AckRecord],
    ids: &ItemIds,
    exports: &[Value],
    from: SocketAddr,
) -> CheckReport {
    let mut report = CheckReport {
        from: from.to_string(),
        ack_frames: acks.len(),
        ..CheckReport::default()
    };
    // Every seq an item was acknowledged at.
    let mut acked: HashMap<(PhaseId, usize), Vec<u64>> = HashMap::new();
    for ack in acks {
        let seqs = acked.entry((ack.phase, ack.index)).or_default();
        if !seqs.contains(&ack.seq) {
            seqs.push(ack.seq);
        }
    }
    report.acked_items = acked.len();
    let mut stored: HashMap<(PhaseId, usize), Vec<u64>> = HashMap::new();
    for export in exports {
        let mut seqs_here: BTreeMap<u64, usize> = BTreeMap::new();
        for item in items(export) {
            let seq = item["seq"].as_u64().unwrap_or(0);
            *seqs_here.entry(seq).or_default() += 1;
            if let Some(key) = item["id"].as_str().and_then(|id| ids.parse(id)) {
                stored.entry(key).or_default().push(seq);
            }
        }
        report.seq_collisions += seqs_here.values().filter(|&&n| n > 1).count();
    }
    report.in_export = stored.values().map(Vec::len).sum();
    for (key, seqs) in &acked {
        let id = ids.id(key.0, key.1);
        match stored.get(key).map(Vec::as_slice) {
            None | Some([]) => {
                report.lost += 1;
                report.example(format!("{id}: acked at seq {seqs:?}, not in the export"));
            }
            Some([seq]) if seqs.len() == 1 => {
                if *seq != seqs[0] {
                    report.seq_mismatch += 1;
                    report.example(format!("{id}: acked at seq {}, stored at {seq}", seqs[0]));
                }
            }
            Some(found) => {
                report.duplicated += 1;
                report.example(format!("{id}: acked at {seqs:?}, stored at {found:?}"));
            }
        }
    }
    report.unacked_stored = stored.keys().filter(|k| !acked.contains_key(k)).count();
    report
}

/// Every item of every prompt in an export.
fn items(export: &Value) -> impl Iterator<Item = &Value> {
    export["prompts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|prompt| prompt["items"].as_array())
        .flatten()
}

/// The write stall around each fault.
#[derive(Debug, Serialize)]
pub struct StallReport {
    /// Faults in the file (inside the run).
    pub faults: usize,
    /// Per fault: the longest gap between two consecutive acks (any phone) that ended after it
    /// and not after the next fault, ms (so the gap it caused counts from the last ack before
    /// it); `None` when no ack came after it.
    pub stalls_ms: Vec<Option<f64>>,
    /// Over the faults with an ack after them.
    pub stall: Option<Summary>,
}

/// Reads fault instants: the first field of each line, unix ms; `#` starts a comment.
pub fn read_faults(path: &Path) -> Result<Vec<u64>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut faults = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        let Some(first) = line.split_whitespace().next() else {
            continue;
        };
        let at = first
            .parse::<u64>()
            .map_err(|_| format!("{}: {first:?} is not unix ms", path.display()))?;
        faults.push(at);
    }
    faults.sort_unstable();
    Ok(faults)
}

/// The stall per fault, from ack arrival instants (ns on the run's clock) and fault instants
/// (unix ms), the run's clock starting at `base_unix_ms`.
pub fn stalls(acks: &[AckRecord], faults_unix_ms: &[u64], base_unix_ms: u64) -> StallReport {
    let mut times: Vec<u64> = acks.iter().map(|a| a.at).collect();
    times.sort_unstable();
    let faults: Vec<u64> = faults_unix_ms
        .iter()
        .filter(|&&f| f >= base_unix_ms)
        .map(|f| (f - base_unix_ms) * 1_000_000)
        .collect();
    let mut stalls_ms = Vec::new();
    for (k, &fault) in faults.iter().enumerate() {
        let until = faults.get(k + 1).copied().unwrap_or(u64::MAX);
        let gap = times
            .windows(2)
            .filter(|w| w[1] > fault && w[1] <= until)
            .map(|w| w[1] - w[0])
            .max();
        stalls_ms.push(gap.map(ms));
    }
    let samples = stalls_ms
        .iter()
        .flatten()
        .map(|ms| (ms * 1e6) as u64)
        .collect();
    StallReport {
        faults: faults.len(),
        stalls_ms,
        stall: Summary::of(samples),
    }
}

/// Writes the ack log: one line per ack, `item_id seq node unix_ms`, tab-separated.
pub fn write_ack_log(
    path: &Path,
    acks: &[AckRecord],
    ids: &ItemIds,
    nodes: &[SocketAddr],
    base_unix_ms: u64,
) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    let file = std::fs::File::create(path).map_err(fail)?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "# item_id\tseq\tnode\tunix_ms").map_err(fail)?;
    for ack in acks {
        let node = nodes.get(ack.node).map_or("?".into(), ToString::to_string);
        let at = base_unix_ms as f64 + ack.at as f64 / 1e6;
        writeln!(
            out,
            "{}\t{}\t{node}\t{at:.3}",
            ids.id(ack.phase, ack.index),
            ack.seq
        )
        .map_err(fail)?;
    }
    out.flush().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RATE;

    fn ack(index: usize, seq: u64, at_ms: u64) -> AckRecord {
        AckRecord {
            phase: RATE,
            index,
            seq,
            node: 0,
            at: at_ms * 1_000_000,
        }
    }

    #[test]
    fn lost_doubled_and_moved_items_are_found() {
        let ids = ItemIds::new(42);
        let item =
            |i: usize, seq: u64| serde_json::json!({"id": ids.id(RATE, i).to_string(), "seq": seq});
        let export = serde_json::json!({"prompts": [
            {"items": [item(0, 10), item(2, 12), item(2, 13), item(3, 99), item(4, 14)]},
            {"items": [{"id": "someone-else", "seq": 14}]},
        ]});
        let acks = [
            ack(0, 10, 1),
            ack(0, 10, 2),
            ack(1, 11, 3),
            ack(2, 12, 4),
            ack(3, 13, 5),
        ];
        let from = "127.0.0.1:1".parse().unwrap();
        let r = compare(&acks, &ids, &[export], from);
        assert_eq!((r.acked_items, r.ack_frames, r.in_export), (4, 5, 5));
        assert_eq!((r.lost, r.duplicated, r.seq_mismatch), (1, 1, 1));
        assert_eq!((r.seq_collisions, r.unacked_stored), (1, 1));
        assert!(!r.passed());
    }

    #[test]
    fn the_stall_is_the_longest_gap_after_each_fault() {
        let base = 1_000_000;
        let acks: Vec<_> = [0, 10, 20, 3020, 3030, 3040, 3050, 9050]
            .iter()
            .map(|&t| ack(0, 1, t))
            .collect();
        let r = stalls(&acks, &[base + 25, base + 5000, base + 20_000], base);
        assert_eq!(r.faults, 3);
        assert_eq!(r.stalls_ms, vec![Some(3000.0), Some(6000.0), None]);
        assert_eq!(r.stall.map(|s| s.max), Some(6000.0));
    }
}
