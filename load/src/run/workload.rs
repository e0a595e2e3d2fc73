//! The measured phases after the join: prompt fan-out rounds, the two submission workloads
//! (closed loop and fixed rate) and the wall.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use super::{max_of, min_of, Runner, ROUND_GAP};
use crate::conn::Submit;
use crate::ids::{PhaseId, CLOSED, RATE, WALL};
use crate::report::{FanoutReport, SubmitReport, WallReport};
use crate::stats::{ms, Summary};

/// Submissions one sender keeps in flight at a fixed rate (Paja reads up to 64 per connection).
const OPEN_LOOP_WINDOW: usize = 64;

/// Round slots after the fan-out rounds: the prompts each submission workload answers.
fn workload_slot(rounds: usize, phase: PhaseId) -> usize {
    rounds + usize::from(phase)
}

impl Runner {
    /// Opens the prompt in `slot` in every session and waits until every phone has it.
    /// Returns when each session's `open_prompt` was sent, or `None` on failure.
    async fn open(&mut self, slot: usize, deadline: Instant) -> Option<Vec<u64>> {
        let prompt_id = self.prompts.get(slot)?.clone();
        let frame = json!({"type": "open_prompt", "prompt_id": &*prompt_id});
        let wait = deadline.saturating_duration_since(Instant::now());
        let replies = futures_util::future::join_all(
            self.rigs.iter().map(|rig| rig.request(frame.clone(), wait)),
        )
        .await;
        let mut sent = Vec::new();
        for reply in replies {
            match reply {
                Ok(reply) => sent.push(self.shared.at(reply.sent_at)),
                Err(error) => {
                    self.report.notes.push(format!("open {prompt_id}: {error}"));
                    return None;
                }
            }
        }
        let s = self.shared.clone();
        let round = &s.rounds[slot];
        let reached = self
            .wait_until(deadline, || {
                round.count.load(Ordering::Relaxed) >= s.alive()
            })
            .await;
        if !reached {
            self.report.notes.push(format!(
                "open {prompt_id}: {} of {} phones had it by the phase deadline",
                round.count.load(Ordering::Relaxed),
                self.alive()
            ));
        }
        Some(sent)
    }

    /// Fan-out rounds: send `open_prompt`, time its arrival on every phone.
    pub(super) async fn fanout(&mut self) {
        let Some(start) = self.begin("fan-out") else {
            return;
        };
        let mut samples = Vec::new();
        let mut round_p99_ms = Vec::new();
        let mut received = 0;
        let expected = self.alive();
        for round in 0..self.plan.rounds {
            if Instant::now() >= self.plan.deadline {
                self.cut = true;
                self.report.notes.push(format!(
                    "fan-out: stopped after {round} rounds at the deadline"
                ));
                break;
            }
            let deadline = self.phase_deadline();
            let Some(sent) = self.open(round, deadline).await else {
                break;
            };
            let s = self.shared.clone();
            let slots = &s.rounds[round];
            let mut this_round = Vec::new();
            for (who, at) in slots.at.iter().enumerate() {
                let at = at.load(Ordering::Relaxed);
                if at != 0 {
                    this_round.push(at.saturating_sub(sent[who % sent.len()]));
                }
            }
            received += this_round.len();
            if let Some(s) = Summary::of(this_round.clone()) {
                round_p99_ms.push(s.p99);
            }
            samples.extend(this_round);
            tokio::time::sleep(ROUND_GAP).await;
        }
        self.account("fan-out", start);
        self.report.fanout = Some(FanoutReport {
            rounds: self.plan.rounds,
            expected_per_round: expected,
            received,
            latency: Summary::of(samples),
            round_p99_ms,
        });
    }

    /// One submission workload: open its prompt, hand the items to the senders (closed loop,
    /// or at the offered rate), wait for every ack and for the projector.
    pub(super) async fn submissions(&mut self, phase: PhaseId) -> Option<SubmitReport> {
        let deadline = self.phase_deadline();
        let slot = workload_slot(self.plan.rounds, phase);
        self.open(slot, deadline).await?;
        let prompt_id = self.prompts.get(slot)?.clone();
        let items = self.plan.items;
        let senders = self.senders.len();
        if senders == 0 || items == 0 {
            return None;
        }
        let rate = if phase == RATE { self.plan.rate } else { None };
        let window = if rate.is_some() { OPEN_LOOP_WINDOW } else { 1 };
        let started = Instant::now();
        if let Some(path) = &self.plan.started_file {
            // Whoever injects faults waits for this: the setup is done, the load is on.
            let unix_ms = self.shared.base_unix_ms + self.shared.now() / 1_000_000;
            if let Err(e) = std::fs::write(path, format!("{unix_ms}\n")) {
                self.report.notes.push(format!("{}: {e}", path.display()));
            }
        }
        for index in 0..items {
            if let Some(rate) = rate {
                let due = started + Duration::from_secs_f64(index as f64 / rate);
                if due > Instant::now() {
                    tokio::time::sleep_until(due).await;
                }
            }
            let submit = Submit {
                phase,
                prompt_id: prompt_id.clone(),
                index,
                window,
            };
            let sent =
                tokio::time::timeout_at(deadline, self.senders[index % senders].send(submit));
            if !matches!(sent.await, Ok(Ok(()))) {
                self.report.notes.push(format!(
                    "{}: stopped handing out items at {index}",
                    phase_name(phase)
                ));
                break;
            }
        }
        let s = self.shared.clone();
        let p = &s.phases[usize::from(phase)];
        self.wait_until(deadline, || {
            p.acks.load(Ordering::Relaxed) + p.rejected.load(Ordering::Relaxed) >= items
        })
        .await;
        // The projector gets each item_added just before the sender's ack; allow it a moment.
        let screen_deadline = (Instant::now() + Duration::from_secs(2)).min(deadline);
        self.wait_until(screen_deadline, || {
            p.screened.load(Ordering::Relaxed) >= p.acks.load(Ordering::Relaxed)
        })
        .await;
        Some(self.submit_report(phase, senders, window, rate))
    }

    fn submit_report(
        &self,
        phase: PhaseId,
        senders: usize,
        window: usize,
        rate: Option<f64>,
    ) -> SubmitReport {
        let p = &self.shared.phases[usize::from(phase)];
        let mut to_ack = Vec::new();
        let mut to_screen = Vec::new();
        let mut sent = 0;
        for i in 0..p.sent.len() {
            let at = p.sent[i].load(Ordering::Relaxed);
            if at == 0 {
                continue;
            }
            sent += 1;
            let acked = p.acked[i].load(Ordering::Relaxed);
            if acked != 0 {
                to_ack.push(acked.saturating_sub(at));
            }
            let shown = p.on_screen[i].load(Ordering::Relaxed);
            if shown != 0 {
                to_screen.push(shown.saturating_sub(at));
            }
        }
        let first = min_of(&p.sent);
        let last = max_of(&p.acked);
        let acked = p.acks.load(Ordering::Relaxed);
        let span_ns = last.saturating_sub(first);
        SubmitReport {
            items: self.plan.items,
            senders,
            window,
            offered_per_sec: rate,
            sent,
            acked,
            rejected: p.rejected.load(Ordering::Relaxed),
            duration_ms: ms(span_ns),
            acks_per_sec: if span_ns > 0 {
                acked as f64 / (span_ns as f64 / 1e9)
            } else {
                0.0
            },
            submit_to_ack: Summary::of(to_ack),
            on_screen: p.screened.load(Ordering::Relaxed),
            submit_to_screen: Summary::of(to_screen),
        }
    }

    /// The wall workload: the same submissions on a prompt whose wall is on, then the time
    /// until every phone holds every item.
    pub(super) async fn wall(&mut self) -> Option<WallReport> {
        // Item i is sent by sender i % M, participant i % M, in session (i % M) % S.
        let (items, senders, sessions) = (
            self.plan.items,
            self.senders.len().max(1),
            self.plan.sessions,
        );
        let mut expected = vec![0; sessions];
        for index in 0..items {
            expected[(index % senders) % sessions] += 1;
        }
        let _ = self.shared.wall_expected.set(expected);
        self.shared.wall_items.store(items, Ordering::Relaxed);
        let submissions = self.submissions(WALL).await?;
        let deadline = self.phase_deadline();
        let s = self.shared.clone();
        self.wait_until(deadline, || {
            s.wall_done.load(Ordering::Relaxed) >= s.alive()
        })
        .await;
        let p = &s.phases[usize::from(WALL)];
        let first_sent = min_of(&p.sent);
        let last_sent = max_of(&p.sent);
        let done: Vec<u64> = s
            .wall_done_at
            .iter()
            .map(|a| a.load(Ordering::Relaxed))
            .filter(|&a| a != 0)
            .collect();
        let complete = done.len();
        let phones = self.alive();
        let last_done = done.iter().copied().max();
        let all_phones_ms = last_done
            .filter(|_| complete >= phones)
            .map(|d| ms(d.saturating_sub(last_sent)));
        let items_per_sec_to_all = last_done
            .filter(|_| complete >= phones)
            .map(|d| self.plan.items as f64 / (d.saturating_sub(first_sent).max(1) as f64 / 1e9));
        Some(WallReport {
            submissions,
            phones,
            complete,
            after_last_submit: Summary::of(
                done.iter().map(|d| d.saturating_sub(last_sent)).collect(),
            ),
            all_phones_ms,
            items_per_sec_to_all,
        })
    }
}

/// The phase's name in notes.
fn phase_name(phase: PhaseId) -> &'static str {
    match phase {
        CLOSED => "closed",
        RATE => "rate",
        _ => "wall",
    }
}
