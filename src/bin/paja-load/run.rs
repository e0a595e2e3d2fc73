//! The controller: sets up sessions and prompts, then runs the phases one after another,
//! each bounded by its own timeout and by the run's overall deadline.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use uuid::Uuid;

use crate::conn::{
    self, ItemIds, Participant, PhaseId, Shared, StaffReply, StaffRequest, Submit, Ws, CLOSED,
    RATE, WALL,
};
use crate::report::{
    FanoutReport, HoldReport, JoinReport, PhaseCpu, Report, SubmitReport, WallReport,
};
use crate::stats::{ms, Sample, Summary, Watched};

/// How long setup steps (create, hello, add a prompt) may take.
const SETUP_WAIT: Duration = Duration::from_secs(20);
/// Pause after joining before memory is read, so the server's per-second work has run.
const SETTLE: Duration = Duration::from_millis(1500);
/// Pause between fan-out rounds, so one round's follow-up frames do not overlap the next.
const ROUND_GAP: Duration = Duration::from_millis(300);
/// How often the controller checks progress counters.
const POLL: Duration = Duration::from_millis(2);
/// Submissions one sender keeps in flight at a fixed rate (Paja reads up to 64 per connection).
const OPEN_LOOP_WINDOW: usize = 64;

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
    /// The server (loopback, checked).
    pub addr: SocketAddr,
    /// The floor server instead of Paja: no HTTP, no projector, fan-out only.
    pub floor: bool,
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

/// One session's facilitator connection, as a request/reply handle.
struct Rig {
    staff: mpsc::Sender<StaffRequest>,
}

impl Rig {
    /// Sends a command and waits for its ack; an error reply is an error.
    async fn request(&self, mut frame: Value, wait: Duration) -> Result<StaffReply, String> {
        frame["id"] = json!(Uuid::new_v4().to_string());
        let (reply, rx) = oneshot::channel();
        let kind = frame["type"].as_str().unwrap_or("command").to_owned();
        self.staff
            .send(StaffRequest { frame, reply })
            .await
            .map_err(|_| "the facilitator connection closed".to_owned())?;
        let answer = tokio::time::timeout(wait, rx)
            .await
            .map_err(|_| format!("{kind}: no reply within {wait:?}"))?
            .map_err(|_| "the facilitator connection closed".to_owned())?;
        if answer.reply["type"] != "ack" {
            return Err(format!("{kind} refused: {}", answer.reply));
        }
        Ok(answer)
    }
}

/// The prompts a run adds to every session before anyone joins, so adding them does not
/// disturb a measurement.
fn prompt_specs(rounds: usize) -> Vec<Value> {
    let brainstorm = |title: String, wall: bool| {
        json!({"type": "add_prompt", "prompt": {
            "kind": "brainstorm",
            "title": title,
            "instructions": "Write one idea at a time and press Send.",
            "wall": wall,
        }})
    };
    let mut specs: Vec<Value> = (1..=rounds)
        .map(|r| brainstorm(format!("Round {r}: what should the city do first?"), false))
        .collect();
    specs.push(brainstorm(
        "Closed loop: what slows you down?".into(),
        false,
    ));
    specs.push(brainstorm("Fixed rate: what would help?".into(), false));
    specs.push(brainstorm("Wall: what did you hear today?".into(), true));
    specs
}

/// Round slots after the fan-out rounds: the prompts each submission workload answers.
fn workload_slot(rounds: usize, phase: PhaseId) -> usize {
    rounds + usize::from(phase)
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
    let ids = ItemIds::new(nonce);
    let mut staff_tasks = JoinSet::new();
    let mut rigs = Vec::new();
    let mut paths = Vec::new();
    for s in 0..plan.sessions {
        let (path, hello) = if plan.floor {
            (
                "/ws/floor".to_owned(),
                json!({"type": "hello", "protocol": 1, "role": "facilitator", "key": "floor"}),
            )
        } else {
            let slug = format!("load-{:08x}-{s}", nonce as u32);
            let key = crate::target::create_session(plan.addr, &slug).await?;
            (
                format!("/ws/{slug}"),
                json!({"type": "hello", "protocol": 1, "role": "facilitator", "key": key, "last_seq": 0}),
            )
        };
        let ws = hello_and_welcome(&plan, &path, hello).await?;
        let (tx, rx) = mpsc::channel(4);
        staff_tasks.spawn(conn::run_staff(ws, rx));
        rigs.push(Rig { staff: tx });
        paths.push(Arc::<str>::from(path));
    }

    // Prompts: Paja numbers them per session, so every session must agree on the ids.
    let prompts: Vec<Arc<str>> = if plan.floor {
        (1..=plan.rounds)
            .map(|r| Arc::from(format!("p{r}")))
            .collect()
    } else {
        let mut per_session: Vec<Vec<String>> = Vec::new();
        for rig in &rigs {
            let mut ids = Vec::new();
            for spec in prompt_specs(plan.rounds) {
                let reply = rig.request(spec, SETUP_WAIT).await?;
                let id = reply
                    .before
                    .iter()
                    .find(|f| f["type"] == "prompt_added")
                    .and_then(|f| f["prompt"]["id"].as_str())
                    .ok_or("add_prompt: no prompt_added before the ack")?;
                ids.push(id.to_owned());
            }
            per_session.push(ids);
        }
        if per_session.windows(2).any(|w| w[0] != w[1]) {
            return Err("sessions numbered their prompts differently".into());
        }
        per_session
            .into_iter()
            .next()
            .unwrap_or_default()
            .into_iter()
            .map(Arc::from)
            .collect()
    };
    let round_of: HashMap<String, usize> = prompts
        .iter()
        .enumerate()
        .map(|(slot, id)| (id.to_string(), slot))
        .collect();
    let items = if plan.floor { 0 } else { plan.items };
    let shared = Arc::new(Shared::new(
        ids,
        round_of,
        plan.participants,
        plan.sessions,
        items,
    ));

    let mut screen_tasks = JoinSet::new();
    if !plan.floor {
        for path in &paths {
            let ws =
                hello_and_welcome(&plan, path, json!({"type": "hello", "role": "screen"})).await?;
            screen_tasks.spawn(conn::run_screen(ws, shared.clone()));
        }
    }

    let mut runner = Runner {
        report: Report {
            target: plan.label.clone(),
            participants: plan.participants,
            sessions: plan.sessions,
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
    if runner.plan.phases.fanout {
        runner.fanout().await;
    }
    if runner.plan.phases.closed {
        if let Some(start) = runner.begin("closed") {
            runner.report.closed = runner.submissions(CLOSED).await;
            runner.account("closed", start);
        }
    }
    if runner.plan.phases.rate {
        if let Some(start) = runner.begin("rate") {
            runner.report.rate = runner.submissions(RATE).await;
            runner.account("rate", start);
        }
    }
    if runner.plan.phases.wall {
        if let Some(start) = runner.begin("wall") {
            runner.report.wall = runner.wall().await;
            runner.account("wall", start);
        }
    }
    let end = runner.plan.watched.sample();
    runner.report.resources.peak_rss_kib = end.hwm_kib;
    runner.finish();
    // Dropping the sockets closes them; nothing waits on the server for it.
    phones.abort_all();
    screen_tasks.abort_all();
    staff_tasks.abort_all();
    Ok(runner.report)
}

/// Connects, says `hello` and waits for the welcome.
async fn hello_and_welcome(plan: &Plan, path: &str, hello: Value) -> Result<Ws, String> {
    let mut ws = conn::connect(plan.addr, None, path, plan.read_buffer).await?;
    conn::send_text(&mut ws, hello.to_string()).await?;
    conn::expect(&mut ws, "welcome", SETUP_WAIT).await?;
    Ok(ws)
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
            };
            phones.spawn(phone.run(
                self.plan.addr,
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
    async fn fanout(&mut self) {
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
    async fn submissions(&mut self, phase: PhaseId) -> Option<SubmitReport> {
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
    async fn wall(&mut self) -> Option<WallReport> {
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
        let all_acked = |x: &SubmitReport| x.acked == x.items && x.on_screen == x.items;
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
        r.complete = joined && held && fanout && closed && rate && wall && !self.cut;
    }
}

fn phase_name(phase: PhaseId) -> &'static str {
    match phase {
        CLOSED => "closed",
        RATE => "rate",
        _ => "wall",
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
