//! What a run found: one serializable report, printed as a table or as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::check::{CheckReport, StallReport};
use crate::rejoin::RejoinReport;
use crate::stats::Summary;

/// Everything one run measured. Absent sections were not run (or not reached).
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// What was loaded.
    pub target: String,
    /// Participants asked for.
    pub participants: usize,
    /// Sessions they were spread over.
    pub sessions: usize,
    /// The sessions' names (`load-<run>-<n>`), for looking them up afterwards.
    pub slugs: Vec<String>,
    /// Whether every phase ran and every expected frame arrived.
    pub complete: bool,
    /// Connecting everyone.
    pub join: Option<JoinReport>,
    /// Holding everyone connected and idle.
    pub hold: Option<HoldReport>,
    /// Opening prompts.
    pub fanout: Option<FanoutReport>,
    /// Submissions, each sender waiting for its ack before the next.
    pub closed: Option<SubmitReport>,
    /// Submissions at a fixed offered rate.
    pub rate: Option<SubmitReport>,
    /// Submissions on a prompt whose wall is on.
    pub wall: Option<WallReport>,
    /// CPU and memory.
    pub resources: ResourceReport,
    /// Welcomes sent again to connections that fell behind.
    pub resyncs: usize,
    /// Connections that ended and joined again (`--reconnect`).
    pub rejoins: Option<RejoinReport>,
    /// Acknowledged items against the exports (`--check-from`).
    pub check: Option<CheckReport>,
    /// The write stall around each fault (`--faults`).
    pub stall: Option<StallReport>,
    /// Error codes (and connection failures) seen, with counts.
    pub errors: BTreeMap<String, usize>,
    /// Anything cut short, and why.
    pub notes: Vec<String>,
}

/// The join phase.
#[derive(Debug, Serialize)]
pub struct JoinReport {
    /// Connections that got their welcome.
    pub joined: usize,
    /// Connections that did not.
    pub failed: usize,
    /// Most connections opening at once.
    pub concurrency: usize,
    /// From the first connect to the last welcome, ms.
    pub all_ms: f64,
    /// Per connection: TCP connect to welcome.
    pub connect_to_welcome: Option<Summary>,
}

/// Connections held idle after joining.
#[derive(Debug, Serialize)]
pub struct HoldReport {
    /// For how long.
    pub secs: u64,
    /// Still connected at the end.
    pub connected: usize,
}

/// Prompt fan-out: facilitator sends `open_prompt`, every phone gets `prompt_opened`.
#[derive(Debug, Serialize)]
pub struct FanoutReport {
    /// Prompts opened.
    pub rounds: usize,
    /// Phones expected each round.
    pub expected_per_round: usize,
    /// `prompt_opened` frames received in all.
    pub received: usize,
    /// Send of `open_prompt` to receipt on each phone, over all rounds.
    pub latency: Option<Summary>,
    /// Each round's p99, ms.
    pub round_p99_ms: Vec<f64>,
}

/// One submission workload.
#[derive(Debug, Serialize)]
pub struct SubmitReport {
    /// Items to send.
    pub items: usize,
    /// Participants sending them.
    pub senders: usize,
    /// Most submissions in flight per sender (1: closed loop).
    pub window: usize,
    /// Items per second offered (open loop only).
    pub offered_per_sec: Option<f64>,
    /// Items sent.
    pub sent: usize,
    /// Durable acks received.
    pub acked: usize,
    /// Errors instead of acks.
    pub rejected: usize,
    /// First submit to last ack, ms.
    pub duration_ms: f64,
    /// Acks per second over that time.
    pub acks_per_sec: f64,
    /// Submit to its ack.
    pub submit_to_ack: Option<Summary>,
    /// Items the projector showed.
    pub on_screen: usize,
    /// Submit to `item_added` on the projector.
    pub submit_to_screen: Option<Summary>,
}

/// The wall workload: every phone collects every item.
#[derive(Debug, Serialize)]
pub struct WallReport {
    /// The submissions themselves.
    pub submissions: SubmitReport,
    /// Phones that should see every item.
    pub phones: usize,
    /// Phones that saw every item.
    pub complete: usize,
    /// Per phone: from the last submission sent to having every item.
    pub after_last_submit: Option<Summary>,
    /// From the last submission sent until the last phone had every item, ms.
    pub all_phones_ms: Option<f64>,
    /// Items over the time from the first submission to the last phone complete.
    pub items_per_sec_to_all: Option<f64>,
}

/// CPU by phase and memory.
#[derive(Debug, Default, Serialize)]
pub struct ResourceReport {
    /// Whose memory the numbers are.
    pub memory_scope: String,
    /// Resident memory before the participants joined, KiB.
    pub rss_before_join_kib: u64,
    /// Resident memory with everyone joined and idle, KiB.
    pub rss_after_join_kib: u64,
    /// (after − before) / joined, bytes.
    pub bytes_per_idle_participant: Option<f64>,
    /// Peak resident memory over the run, KiB.
    pub peak_rss_kib: u64,
    /// CPU seconds per phase.
    pub phases: Vec<PhaseCpu>,
}

/// CPU used during one phase.
#[derive(Debug, Serialize)]
pub struct PhaseCpu {
    /// The phase.
    pub phase: String,
    /// Its wall-clock length, s.
    pub secs: f64,
    /// Server CPU, s (divide by `secs` for cores busy).
    pub server_cpu_secs: f64,
    /// Generator CPU, s.
    pub generator_cpu_secs: f64,
}

fn summary(s: &Option<Summary>) -> String {
    match s {
        Some(s) => format!(
            "p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1} ms  (n={})",
            s.p50, s.p95, s.p99, s.max, s.count
        ),
        None => "no samples".into(),
    }
}

fn submit_lines(out: &mut String, name: &str, r: &SubmitReport) {
    let offered = r
        .offered_per_sec
        .map(|o| format!(", offered {o:.0}/s"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{name:<9} {}/{} acked ({} rejected) by {} senders, window {}{offered}",
        r.acked, r.items, r.rejected, r.senders, r.window
    );
    let _ = writeln!(
        out,
        "{:<9} {:.0} durable acks/s over {:.0} ms",
        "", r.acks_per_sec, r.duration_ms
    );
    let _ = writeln!(
        out,
        "{:<9} submit→ack     {}",
        "",
        summary(&r.submit_to_ack)
    );
    let _ = writeln!(
        out,
        "{:<9} submit→screen  {}  ({} on screen)",
        "",
        summary(&r.submit_to_screen),
        r.on_screen
    );
}

impl Report {
    /// The report as an aligned, human-readable table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "paja-load: {} — {} participants in {} session(s){}",
            self.target,
            self.participants,
            self.sessions,
            if self.complete { "" } else { " — INCOMPLETE" }
        );
        if let Some(j) = &self.join {
            let _ = writeln!(
                out,
                "join      {}/{} joined in {:.0} ms ({} failed, {} at a time)",
                j.joined, self.participants, j.all_ms, j.failed, j.concurrency
            );
            let _ = writeln!(
                out,
                "{:<9} connect→welcome {}",
                "",
                summary(&j.connect_to_welcome)
            );
        }
        if let Some(h) = &self.hold {
            let _ = writeln!(
                out,
                "hold      {} still connected after {} s idle",
                h.connected, h.secs
            );
        }
        if let Some(f) = &self.fanout {
            let _ = writeln!(
                out,
                "fan-out   {} rounds × {} phones, {} received",
                f.rounds, f.expected_per_round, f.received
            );
            let _ = writeln!(out, "{:<9} open→phone     {}", "", summary(&f.latency));
        }
        if let Some(r) = &self.closed {
            submit_lines(&mut out, "closed", r);
        }
        if let Some(r) = &self.rate {
            submit_lines(&mut out, "rate", r);
        }
        if let Some(w) = &self.wall {
            wall_lines(&mut out, w);
        }
        self.resource_lines(&mut out);
        self.cluster_lines(&mut out);
        for (code, n) in &self.errors {
            let _ = writeln!(out, "error     {code}: {n}");
        }
        for note in &self.notes {
            let _ = writeln!(out, "note      {note}");
        }
        out
    }

    /// The memory line and each phase's CPU.
    fn resource_lines(&self, out: &mut String) {
        let r = &self.resources;
        let _ = writeln!(out, "memory    ({})", r.memory_scope);
        let _ = writeln!(
            out,
            "{:<9} RSS {} KiB before join, {} KiB joined and idle, peak {} KiB; {} bytes per idle participant",
            "",
            r.rss_before_join_kib,
            r.rss_after_join_kib,
            r.peak_rss_kib,
            r.bytes_per_idle_participant
                .map_or("—".into(), |b| format!("{b:.0}"))
        );
        for p in &r.phases {
            let _ = writeln!(
                out,
                "cpu       {:<8} {:>6.2} s: server {:.2} s ({:.2} cores), generator {:.2} s ({:.2} cores)",
                p.phase,
                p.secs,
                p.server_cpu_secs,
                p.server_cpu_secs / p.secs.max(1e-9),
                p.generator_cpu_secs,
                p.generator_cpu_secs / p.secs.max(1e-9),
            );
        }
        if self.resyncs > 0 {
            let _ = writeln!(
                out,
                "resyncs   {} (connections that fell behind)",
                self.resyncs
            );
        }
    }
}

impl Report {
    /// Reconnects, the loss check and the stall, when they were asked for.
    fn cluster_lines(&self, out: &mut String) {
        if let Some(r) = &self.rejoins {
            let _ = writeln!(
                out,
                "rejoin    {} phones joined again: {} resumed, {} welcome ({}), {} gave up; dropped by node {:?}",
                r.phones,
                r.resumed,
                r.welcomed,
                r.resumed_share
                    .map_or("—".into(), |s| format!("{:.1}% resumed", s * 100.0)),
                r.gave_up,
                r.dropped_by_node
            );
        }
        if let Some(c) = &self.check {
            let _ = writeln!(
                out,
                "check     {} acked items ({} acks) against the export from {}: lost {}, duplicated {}, seq moved {}, seq collisions {}; {} stored unacked{}",
                c.acked_items,
                c.ack_frames,
                c.from,
                c.lost,
                c.duplicated,
                c.seq_mismatch,
                c.seq_collisions,
                c.unacked_stored,
                if c.passed() { "" } else { " — FAILED" }
            );
            for example in &c.examples {
                let _ = writeln!(out, "{:<9} {example}", "");
            }
        }
        if let Some(s) = &self.stall {
            let _ = writeln!(
                out,
                "stall     {} faults: write stall {}",
                s.faults,
                summary(&s.stall)
            );
        }
    }
}

/// The wall workload's lines: its submissions, then how fast every phone had every item.
fn wall_lines(out: &mut String, w: &WallReport) {
    submit_lines(out, "wall", &w.submissions);
    let _ = writeln!(
            out,
            "{:<9} {}/{} phones have every item ({} in all); the last {} ms after the last submit; {} items/s to all",
            "",
            w.complete,
            w.phones,
            w.submissions.items,
            w.all_phones_ms.map_or("—".into(), |v| format!("{v:.0}")),
            w.items_per_sec_to_all.map_or("—".into(), |v| format!("{v:.0}")),
        );
    let _ = writeln!(
        out,
        "{:<9} last submit→phone complete {}",
        "",
        summary(&w.after_last_submit)
    );
}
