//! The controller: sets up sessions and prompts, then runs the phases one after another,
//! each bounded by its own timeout and by the run's overall deadline.

mod setup;
mod verify;
mod workload;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use uuid::Uuid;

use crate::conn::{Participant, Shared, Submit};
use crate::ids::{ItemIds, CLOSED, RATE};
use crate::report::{HoldReport, JoinReport, PhaseCpu, Report, SubmitReport};
use crate::stats::{ms, Sample, Summary, Watched};
use setup::Rig;

/// How long setup steps (create, hello, add a prompt) may take.
const SETUP_WAIT: Duration = Duration::from_secs(20);
/// Pause after joining before memory is read, so the server's per-second work has run.
const SETTLE: Duration = Duration::from_millis(1500);
/// Pause between fan-out rounds, so one round's follow-up frames do not overlap the next.
const ROUND_GAP: Duration = Duration::from_millis(300);
/// How often the controller checks progress counters.
const POLL: Duration = Duration::from_millis(2);

/// Which phases to run after the join.
#[derive(Debug, Clone, Copy)]
pub struct Phases {
    /// Prompt fan-out rounds.
    pub fanout: bool,
    /// Closed-loop submissions.
    pub closed: bool,
    /// Fixed-rate submissions (needs a rate).
    pub rate: bool,
    /// The wall workload.
    pub wall: bool,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The server, or each node of a cluster (loopback, checked).
    pub addrs: Vec<SocketAddr>,
    /// The floor server instead of Paja: no HTTP, no projector, fan-out only.
    pub floor: bool,
    /// Phones join again when their connection ends (see `--reconnect`).
    pub reconnect: bool,
    /// Where to write the ack log.
    pub ack_log: Option<PathBuf>,
    /// The node to fetch the exports from for the loss check.
    pub check_from: Option<SocketAddr>,
    /// The file of fault instants, for the write stall.
    pub faults: Option<PathBuf>,
    /// Written (unix ms) when the first submission workload starts sending.
    pub started_file: Option<PathBuf>,
    /// How the target is described in the report.
    pub label: String,
    /// Participants in all.
    pub participants: usize,
    /// Sessions they are spread over (round-robin).
    pub sessions: usize,
    /// Prompts opened in the fan-out phase.
    pub rounds: usize,
    /// Items per submission workload.
    pub items: usize,
    /// Participants who send.
    pub senders: usize,
    /// Offered rate of the open-loop workload, items/s.
    pub rate: Option<f64>,
    /// Which phases.
    pub phases: Phases,
    /// Connections opening at once.
    pub concurrency: usize,
    /// Each client's websocket read buffer, bytes.
    pub read_buffer: usize,
    /// Longest one phase may take.
    pub phase_timeout: Duration,
    /// How long to hold everyone idle after joining.
    pub hold: Duration,
    /// When the whole run must be over.
    pub deadline: Instant,
    /// Whose CPU and memory to read.
    pub watched: Watched,
}

/// The running run.
struct Runner {
    plan: Plan,
    shared: Arc<Shared>,
    rigs: Vec<Rig>,
    /// Prompt ids by round slot (the same in every session).
    prompts: Vec<Arc<str>>,
    senders: Vec<mpsc::Sender<Submit>>,
    report: Report,
    /// Set when the run's deadline cut something short.
    cut: bool,
}

/// Runs the plan; a setup failure is an error, anything later is in the report.
pub async fn run(plan: Plan) -> Result<Report, String> {
    let nonce = Uuid::new_v4().as_u64_pair().0;
    let mut staff_tasks = JoinSet::new();
    let (rigs, paths) = setup::facilitators(&plan, nonce, &mut staff_tasks).await?;
    let prompts = setup::prompts(&plan, &rigs).await?;
    let shared = Arc::new(Shared::new(
        ItemIds::new(nonce),
        setup::round_of(&prompts),
        plan.participants,
        plan.sessions,
        if plan.floor { 0 } else { plan.items },
        plan.addrs.len(),
    ));
    let mut screen_tasks = JoinSet::new();
    if !plan.floor {
        setup::screens(&plan, &paths, &shared, &mut screen_tasks).await?;
    }
    let mut runner = Runner {
        report: Report {
            target: plan.label.clone(),
            participants: plan.participants,
            sessions: plan.sessions,
            slugs: rigs.iter().map(|r| r.slug.clone()).collect(),
            ..Report::default()
        },
        plan,
        shared,
        rigs,
        prompts,
        senders: Vec::new(),
        cut: false,
    };
    runner.report.resources.memory_scope = runner.plan.watched.memory_scope().to_owned();
    let mut phones = JoinSet::new();
    runner.join(&paths, &mut phones).await;
    runner.hold().await;
    runner.phases().await;
    runner.check().await;
    let end = runner.plan.watched.sample();
    runner.report.resources.peak_rss_kib = end.hwm_kib;
    runner.finish();
    // Dropping the sockets closes them; nothing waits on the server for it.
    phones.abort_all();
    screen_tasks.abort_all();
    staff_tasks.abort_all();
    Ok(runner.report)
}

impl Runner {
    /// The instant the current phase must end by.
    fn phase_deadline(&self) -> Instant {
        (Instant::now() + self.plan.phase_timeout).min(self.plan.deadline)
    }

    /// Phones connected now.
    fn alive(&self) -> usize {
        self.shared.alive()
    }

    /// Starts a phase's CPU accounting; `None` (and a note) when the deadline has passed.
    fn begin(&mut self, name: &str) -> Option<(Sample, Instant)> {
        if Instant::now() >= self.plan.deadline {
            self.cut = true;
            self.report.notes.push(format!(
                "{name}: skipped, the run's --max-secs deadline passed"
            ));
            return None;
        }
        Some((self.plan.watched.sample(), Instant::now()))
    }

    /// Ends a phase's CPU accounting.
    fn account(&mut self, name: &str, (before, started): (Sample, Instant)) {
        let after = self.plan.watched.sample();
        self.report.resources.phases.push(PhaseCpu {
            phase: name.to_owned(),
            secs: started.elapsed().as_secs_f64(),
            server_cpu_secs: after.server_cpu - before.server_cpu,
            generator_cpu_secs: after.generator_cpu - before.generator_cpu,
        });
    }

    /// Waits until `done` holds or `deadline` passes; true if it held. Running into the
    /// run's own deadline marks the run as cut short.
    async fn wait_until(&mut self, deadline: Instant, done: impl Fn() -> bool) -> bool {
        loop {
            if done() {
                return true;
            }
            if Instant::now() >= deadline {
                if deadline >= self.plan.deadline {
                    self.cut = true;
                }
                return false;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Connects every participant, `concurrency` at a time, and reads memory before and after.
    async fn join(&mut self, paths: &[Arc<str>], phones: &mut JoinSet<()>) {
        tokio::time::sleep(SETTLE / 3).await;
        let start = (self.plan.watched.sample(), Instant::now());
        let before = start.0;
        let start_ns = self.shared.now();
        let deadline = self.phase_deadline();
        let gate = Arc::new(Semaphore::new(self.plan.concurrency.max(1)));
        let mut spawned = 0;
        for index in 0..self.plan.participants {
            let Ok(Ok(permit)) =
                tokio::time::timeout_at(deadline, gate.clone().acquire_owned()).await
            else {
                break;
            };
            let commands = (index < self.plan.senders).then(|| {
                let (tx, rx) = mpsc::channel(1024);
                self.senders.push(tx);
                rx
            });
            let phone = Participant {
                index,
                shared: self.shared.clone(),
                commands,
                addrs: self.plan.addrs.clone().into(),
                reconnect: self.plan.reconnect,
            };
            phones.spawn(phone.run(
                paths[index % paths.len()].clone(),
                self.plan.read_buffer,
                permit,
            ));
            spawned += 1;
        }
        if spawned < self.plan.participants {
            self.report.notes.push(format!(
                "join: only {spawned} of {} connections were started before the deadline",
                self.plan.participants
            ));
        }
        let s = self.shared.clone();
        self.wait_until(deadline, || {
            s.joined.load(Ordering::Relaxed) + s.failed.load(Ordering::Relaxed) >= spawned
        })
        .await;
        self.account("join", start);
        let joined = s.joined.load(Ordering::Relaxed);
        let last = max_of(&s.welcome_at);
        let per_connection = (0..self.plan.participants)
            .filter_map(|i| {
                let welcome = s.welcome_at[i].load(Ordering::Relaxed);
                (welcome != 0)
                    .then(|| welcome.saturating_sub(s.connect_at[i].load(Ordering::Relaxed)))
            })
            .collect();
        self.report.join = Some(JoinReport {
            joined,
            failed: self.plan.participants - joined,
            concurrency: self.plan.concurrency,
            all_ms: ms(last.saturating_sub(start_ns)),
            connect_to_welcome: Summary::of(per_connection),
        });
        tokio::time::sleep(SETTLE).await;
        let after = self.plan.watched.sample();
        let r = &mut self.report.resources;
        r.rss_before_join_kib = before.rss_kib;
        r.rss_after_join_kib = after.rss_kib;
        if joined > 0 && after.rss_kib > 0 {
            r.bytes_per_idle_participant =
                Some((after.rss_kib as f64 - before.rss_kib as f64) * 1024.0 / joined as f64);
        }
    }

    /// Keeps everyone connected and idle for `--hold-secs`.
    async fn hold(&mut self) {
        if self.plan.hold.is_zero() {
            return;
        }
        let until = (Instant::now() + self.plan.hold).min(self.plan.deadline);
        tokio::time::sleep_until(until).await;
        self.report.hold = Some(HoldReport {
            secs: self.plan.hold.as_secs(),
            connected: self.alive(),
        });
    }

    /// The measured phases after the join, in order, each skipped once the deadline passed.
    async fn phases(&mut self) {
        if self.plan.phases.fanout {
            self.fanout().await;
        }
        if self.plan.phases.closed {
            if let Some(start) = self.begin("closed") {
                self.report.closed = self.submissions(CLOSED).await;
                self.account("closed", start);
            }
        }
        if self.plan.phases.rate {
            if let Some(start) = self.begin("rate") {
                self.report.rate = self.submissions(RATE).await;
                self.account("rate", start);
            }
        }
        if self.plan.phases.wall {
            if let Some(start) = self.begin("wall") {
                self.report.wall = self.wall().await;
                self.account("wall", start);
            }
        }
    }

    /// Decides whether the run is complete and copies the counters into the report.
    fn finish(&mut self) {
        let s = &self.shared;
        let r = &mut self.report;
        r.resyncs = s.resyncs.load(Ordering::Relaxed);
        if let Ok(errors) = s.errors.lock() {
            r.errors = errors.clone();
        }
        let phases = self.plan.phases;
        let joined = r
            .join
            .as_ref()
            .is_some_and(|j| j.joined == self.plan.participants);
        let fanout = !phases.fanout
            || r.fanout.as_ref().is_some_and(|f| {
                f.received == f.rounds * self.plan.participants && f.latency.is_some()
            });
        // With reconnects the projector may be on a node that died: its count is not required.
        let reconnect = self.plan.reconnect;
        let all_acked =
            |x: &SubmitReport| x.acked == x.items && (reconnect || x.on_screen == x.items);
        let closed = !phases.closed || r.closed.as_ref().is_some_and(all_acked);
        let rate = !phases.rate || r.rate.as_ref().is_some_and(all_acked);
        let wall = !phases.wall
            || r.wall
                .as_ref()
                .is_some_and(|w| all_acked(&w.submissions) && w.complete == self.plan.participants);
        let held = r
            .hold
            .as_ref()
            .is_none_or(|h| h.connected == self.plan.participants);
        let checked = r.check.as_ref().is_none_or(|c| c.passed());
        r.complete = joined && held && fanout && closed && rate && wall && checked && !self.cut;
    }
}

fn max_of(slots: &[AtomicU64]) -> u64 {
    slots
        .iter()
        .map(|a| a.load(Ordering::Relaxed))
        .max()
        .unwrap_or(0)
}

fn min_of(slots: &[AtomicU64]) -> u64 {
    slots
        .iter()
        .map(|a| a.load(Ordering::Relaxed))
        .filter(|&a| a != 0)
        .min()
        .unwrap_or(0)
}
