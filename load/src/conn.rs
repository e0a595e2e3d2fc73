//! The simulated clients: one tokio task per websocket, writing what it sees into [`Shared`].
//!
//! Every instant is nanoseconds since [`Shared::base`], one monotonic clock in one process, so
//! "sent here, received there" needs no clock sync. Frames are classified by scanning for a
//! few fixed byte patterns instead of parsing JSON: Paja (and the floor) write `"type"` first
//! and ids never hold escapes, and a full parse of every wall frame on ten thousand phones
//! would make the generator, not the server, the bottleneck.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use tokio::sync::{mpsc, OwnedSemaphorePermit};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::ids::{ItemIds, PhaseId, PHASES, WALL};
use crate::wire::{connect, frame_type, send_text, source_for, string_after, Ws, JOIN_TIMEOUT};

/// "Not yet": instants are stored as nanoseconds since `base`, never 0 once set.
const UNSET: u64 = 0;

/// When each participant saw one prompt open.
pub struct Round {
    /// Per participant, when `prompt_opened` (or a welcome showing it) arrived.
    pub at: Vec<AtomicU64>,
    /// How many participants have seen it.
    pub count: AtomicUsize,
}

/// What happened to each item of one submission workload.
pub struct Phase {
    /// When its submit frame was sent.
    pub sent: Vec<AtomicU64>,
    /// When its ack arrived.
    pub acked: Vec<AtomicU64>,
    /// When the projector got its `item_added`.
    pub on_screen: Vec<AtomicU64>,
    /// Acks received.
    pub acks: AtomicUsize,
    /// Errors received instead of acks.
    pub rejected: AtomicUsize,
    /// `item_added` frames the projector got.
    pub screened: AtomicUsize,
}

/// Everything the connection tasks record and the controller reads.
pub struct Shared {
    /// Time zero of the run's one clock.
    pub base: Instant,
    /// This run's item ids.
    pub ids: ItemIds,
    /// Which [`Round`] slot each prompt id's opening is recorded in.
    pub round_of: HashMap<String, usize>,
    /// Per participant: when its TCP connect started.
    pub connect_at: Vec<AtomicU64>,
    /// Per participant: when its welcome arrived.
    pub welcome_at: Vec<AtomicU64>,
    /// Participants with a welcome.
    pub joined: AtomicUsize,
    /// Participants that never got one.
    pub failed: AtomicUsize,
    /// Participants whose connection ended after they had joined.
    pub lost: AtomicUsize,
    /// Welcomes after the first (the server resyncs a connection that fell behind).
    pub resyncs: AtomicUsize,
    /// One slot per prompt the run opens.
    pub rounds: Vec<Round>,
    /// One per submission workload.
    pub phases: Vec<Phase>,
    /// Items on the wall prompt (0 until that phase): the size of each phone's bitset.
    pub wall_items: AtomicUsize,
    /// Per session, how many of those items its phones must collect (a session's wall shows
    /// only its own items); set when the wall phase starts.
    pub wall_expected: std::sync::OnceLock<Vec<usize>>,
    /// Sessions the participants are spread over (participant `i` is in session `i % sessions`).
    pub sessions: usize,
    /// Per participant: when its wall held every item.
    pub wall_done_at: Vec<AtomicU64>,
    /// Phones whose wall is complete.
    pub wall_done: AtomicUsize,
    /// Error codes seen, with counts.
    pub errors: Mutex<BTreeMap<String, usize>>,
    /// Every ack the phones received, in arrival order per phone.
    pub ack_log: Mutex<Vec<AckRecord>>,
    /// [`Self::base`] as unix time, ms: the ack log's and the fault file's clock.
    pub base_unix_ms: u64,
    /// Connections that ended and joined again.
    pub rejoins: crate::rejoin::Rejoins,
}

/// One ack received by a phone.
#[derive(Debug, Clone, Copy)]
pub struct AckRecord {
    /// The item's workload.
    pub phase: PhaseId,
    /// Its index in the workload.
    pub index: usize,
    /// The seq the ack carried (the item's seq).
    pub seq: u64,
    /// The node (index into the addresses) the phone was connected to.
    pub node: usize,
    /// When it arrived, ns on the run's clock.
    pub at: u64,
}

impl Shared {
    /// Shared state for `participants` phones in `sessions`, one round slot per prompt in
    /// `round_of`, and `items` per submission workload.
    pub fn new(
        ids: ItemIds,
        round_of: HashMap<String, usize>,
        participants: usize,
        sessions: usize,
        items: usize,
        nodes: usize,
    ) -> Self {
        let zeros = |n: usize| (0..n).map(|_| AtomicU64::new(UNSET)).collect::<Vec<_>>();
        let slots = round_of.values().max().map_or(0, |m| m + 1);
        Self {
            base: Instant::now(),
            ids,
            round_of,
            connect_at: zeros(participants),
            welcome_at: zeros(participants),
            joined: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            lost: AtomicUsize::new(0),
            resyncs: AtomicUsize::new(0),
            rounds: (0..slots)
                .map(|_| Round {
                    at: zeros(participants),
                    count: AtomicUsize::new(0),
                })
                .collect(),
            phases: (0..PHASES)
                .map(|_| Phase {
                    sent: zeros(items),
                    acked: zeros(items),
                    on_screen: zeros(items),
                    acks: AtomicUsize::new(0),
                    rejected: AtomicUsize::new(0),
                    screened: AtomicUsize::new(0),
                })
                .collect(),
            wall_items: AtomicUsize::new(0),
            wall_expected: std::sync::OnceLock::new(),
            sessions: sessions.max(1),
            wall_done_at: zeros(participants),
            wall_done: AtomicUsize::new(0),
            errors: Mutex::default(),
            ack_log: Mutex::default(),
            base_unix_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            rejoins: crate::rejoin::Rejoins::new(nodes),
        }
    }

    /// Now on the run's clock, in ns (never [`UNSET`]).
    pub fn now(&self) -> u64 {
        (self.base.elapsed().as_nanos() as u64).max(1)
    }

    /// Converts an instant to the run's clock.
    pub fn at(&self, instant: Instant) -> u64 {
        (instant.saturating_duration_since(self.base).as_nanos() as u64).max(1)
    }

    /// Phones connected now: joined and not lost since.
    pub fn alive(&self) -> usize {
        self.joined
            .load(Ordering::Relaxed)
            .saturating_sub(self.lost.load(Ordering::Relaxed))
    }

    /// Counts an error by its code (or a short description).
    pub fn error(&self, code: &str) {
        if let Ok(mut errors) = self.errors.lock() {
            *errors.entry(code.to_owned()).or_default() += 1;
        }
    }

    /// Records that participant `who` saw prompt `prompt_id` open (the first time counts).
    fn opened(&self, who: usize, prompt_id: &str) {
        if let Some(round) = self
            .round_of
            .get(prompt_id)
            .and_then(|&r| self.rounds.get(r))
        {
            if set_once(&round.at[who], self.now()) {
                round.count.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Stores `value` unless a value is already there; true if it stored.
pub fn set_once(slot: &AtomicU64, value: u64) -> bool {
    slot.compare_exchange(UNSET, value, Ordering::Relaxed, Ordering::Relaxed)
        .is_ok()
}

/// An instruction to a sending participant: submit this item, keeping at most `window`
/// submissions waiting for their acks (1: closed loop).
#[derive(Debug, Clone)]
pub struct Submit {
    /// The workload.
    pub phase: PhaseId,
    /// The prompt it answers.
    pub prompt_id: Arc<str>,
    /// Its index in the workload.
    pub index: usize,
    /// Most submissions in flight on this connection.
    pub window: usize,
}

/// One simulated phone.
pub struct Participant {
    /// Its index among all participants.
    pub index: usize,
    /// Where the run's measurements go.
    pub shared: Arc<Shared>,
    /// Items to send (senders only).
    pub commands: Option<mpsc::Receiver<Submit>>,
    /// Every node; the phone starts on `index mod len`.
    pub addrs: Arc<[SocketAddr]>,
    /// Whether it joins again when its connection ends.
    pub reconnect: bool,
}

/// A participant's own bookkeeping.
#[derive(Default)]
pub(crate) struct PhoneState {
    pub(crate) welcomed: bool,
    queue: VecDeque<Submit>,
    /// Sent and not yet acknowledged: sent again after a reconnect (items are idempotent by id).
    unacked: Vec<Submit>,
    window: usize,
    /// The node (index into the addresses) the current connection is on.
    pub(crate) node: usize,
    /// The highest event seq seen, for `last_seq` when joining again.
    pub(crate) last_seq: u64,
    /// Whether it has joined again before (counted once per phone).
    pub(crate) rejoined: bool,
    /// Which wall items it has, one bit each (allocated at the first wall frame).
    wall: Vec<u64>,
    wall_count: usize,
}

impl Participant {
    /// Connects, says hello, then records what arrives and sends what it is told until the
    /// connection ends or the task is aborted; with `reconnect`, joins again after a drop.
    /// The permit (bounded connect concurrency) is held until the first welcome.
    pub async fn run(mut self, path: Arc<str>, read_buffer: usize, permit: OwnedSemaphorePermit) {
        let shared = self.shared.clone();
        let who = self.index;
        let participant_id = Uuid::new_v4();
        let mut state = PhoneState {
            window: 1,
            node: who % self.addrs.len(),
            ..PhoneState::default()
        };
        let addr = self.addrs[state.node];
        shared.connect_at[who].store(shared.now(), Ordering::Relaxed);
        let join_deadline = Instant::now() + JOIN_TIMEOUT;
        let hello = crate::rejoin::hello(participant_id, 0);
        let mut ws = match tokio::time::timeout_at(join_deadline, async {
            let mut ws = connect(addr, source_for(addr, who), &path, read_buffer).await?;
            send_text(&mut ws, hello).await?;
            Ok::<_, String>(ws)
        })
        .await
        {
            Ok(Ok(ws)) => ws,
            Ok(Err(error)) => {
                shared.failed.fetch_add(1, Ordering::Relaxed);
                shared.error(error.split(':').next().unwrap_or("connect"));
                return;
            }
            Err(_) => {
                shared.failed.fetch_add(1, Ordering::Relaxed);
                shared.error("join timed out");
                return;
            }
        };
        let mut permit = Some(permit);
        loop {
            if !self
                .serve(&mut ws, &mut state, &mut permit, join_deadline)
                .await
            {
                return;
            }
            if !state.welcomed {
                shared.failed.fetch_add(1, Ordering::Relaxed);
                shared.error("closed before welcome");
                return;
            }
            shared.lost.fetch_add(1, Ordering::Relaxed);
            if !self.reconnect {
                return;
            }
            let rejoined =
                crate::rejoin::rejoin(&self, &mut state, &path, read_buffer, participant_id).await;
            let Some(next) = rejoined else { return };
            ws = next;
            shared.lost.fetch_sub(1, Ordering::Relaxed);
            // What was in flight on the old connection goes again, first.
            for submit in state.unacked.drain(..).rev() {
                state.queue.push_front(submit);
            }
            if self.pump(&mut ws, &mut state).await.is_err() {
                continue;
            }
        }
    }

    /// One connection's loop: records frames, sends items. False when the phone gave up
    /// joining (counted already); true when the connection ended.
    async fn serve(
        &mut self,
        ws: &mut Ws,
        state: &mut PhoneState,
        permit: &mut Option<OwnedSemaphorePermit>,
        join_deadline: Instant,
    ) -> bool {
        loop {
            tokio::select! {
                frame = ws.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        self.on_frame(&text, state);
                        if state.welcomed {
                            *permit = None;
                        }
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => return true,
                },
                command = recv(&mut self.commands) => match command {
                    Some(submit) => {
                        state.window = submit.window;
                        state.queue.push_back(submit);
                    }
                    None => self.commands = None,
                },
                _ = tokio::time::sleep_until(join_deadline), if permit.is_some() => {
                    self.shared.failed.fetch_add(1, Ordering::Relaxed);
                    self.shared.error("join timed out");
                    return false;
                }
            }
            if self.pump(ws, state).await.is_err() {
                return true;
            }
        }
    }

    /// Sends queued items while the window allows.
    async fn pump(&self, ws: &mut Ws, state: &mut PhoneState) -> Result<(), String> {
        while state.unacked.len() < state.window {
            let Some(submit) = state.queue.pop_front() else {
                break;
            };
            let id = self.shared.ids.id(submit.phase, submit.index);
            let frame = format!(
                r#"{{"type":"submit","id":"{id}","prompt_id":"{}","text":"Idea {} from a phone: more time for questions"}}"#,
                submit.prompt_id, submit.index
            );
            if let Some(phase) = self.shared.phases.get(usize::from(submit.phase)) {
                set_once(&phase.sent[submit.index], self.shared.now());
            }
            state.unacked.push(submit);
            send_text(ws, frame).await?;
        }
        Ok(())
    }

    /// Takes `(phase, index)` off the unacknowledged list; false if it was not on it.
    fn settle(state: &mut PhoneState, phase: PhaseId, index: usize) -> bool {
        match state
            .unacked
            .iter()
            .position(|s| s.phase == phase && s.index == index)
        {
            Some(at) => {
                state.unacked.swap_remove(at);
                true
            }
            None => false,
        }
    }

    pub(crate) fn on_frame(&self, text: &str, state: &mut PhoneState) {
        let shared = &*self.shared;
        let who = self.index;
        if let Some(seq) = frame_seq(text) {
            state.last_seq = state.last_seq.max(seq);
        }
        match frame_type(text) {
            Some("prompt_opened") => {
                if let Some(prompt_id) = string_after(text, "\"prompt\":{\"id\":\"") {
                    shared.opened(who, prompt_id);
                }
            }
            Some("ack") => self.on_ack(text, state),
            Some("wall") => self.collect_wall(text, state),
            Some("welcome") => {
                if state.welcomed {
                    shared.resyncs.fetch_add(1, Ordering::Relaxed);
                } else {
                    state.welcomed = true;
                    shared.welcome_at[who].store(shared.now(), Ordering::Relaxed);
                    shared.joined.fetch_add(1, Ordering::Relaxed);
                }
                self.welcome_content(text, state);
            }
            Some("error") => {
                let code = string_after(text, "\"code\":\"").unwrap_or("error");
                shared.error(code);
                if let Some((phase, index)) =
                    string_after(text, "\"id\":\"").and_then(|id| shared.ids.parse(id))
                {
                    // `unavailable`: the node or owner is going away; like the web client,
                    // the item stays queued for the next connection.
                    if code == "unavailable" {
                        return;
                    }
                    Self::settle(state, phase, index);
                    if let Some(phase) = shared.phases.get(usize::from(phase)) {
                        phase.rejected.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            _ => {}
        }
    }

    /// An ack: the item is settled, its first ack timed, every ack logged.
    fn on_ack(&self, text: &str, state: &mut PhoneState) {
        let shared = &*self.shared;
        let Some((phase, index)) =
            string_after(text, "\"id\":\"").and_then(|id| shared.ids.parse(id))
        else {
            return;
        };
        Self::settle(state, phase, index);
        let now = shared.now();
        if let Some(p) = shared.phases.get(usize::from(phase)) {
            if index < p.acked.len() && set_once(&p.acked[index], now) {
                p.acks.fetch_add(1, Ordering::Relaxed);
            }
        }
        let seq = number_after(text, "\"seq\":").unwrap_or(0);
        if let Ok(mut log) = shared.ack_log.lock() {
            log.push(AckRecord {
                phase,
                index,
                seq,
                node: state.node,
                at: now,
            });
        }
    }

    /// What a welcome shows: the current prompt and wall (a phone that was resynced, joined
    /// late or joined again has them through it).
    pub(crate) fn welcome_content(&self, text: &str, state: &mut PhoneState) {
        if let Some(prompt_id) = string_after(text, "\"prompt\":{\"id\":\"") {
            self.shared.opened(self.index, prompt_id);
        }
        self.collect_wall(text, state);
    }

    /// Notes the wall items in `text`; records the instant the wall is complete.
    fn collect_wall(&self, text: &str, state: &mut PhoneState) {
        let shared = &*self.shared;
        let items = shared.wall_items.load(Ordering::Relaxed);
        let Some(&wanted) = shared
            .wall_expected
            .get()
            .and_then(|per_session| per_session.get(self.index % shared.sessions))
        else {
            return;
        };
        if items == 0 || state.wall_count >= wanted {
            return;
        }
        if state.wall.is_empty() {
            state.wall = vec![0; items.div_ceil(64)];
        }
        for (phase, index) in shared.ids.scan(text) {
            if phase != WALL || index >= items {
                continue;
            }
            let (word, bit) = (index / 64, 1u64 << (index % 64));
            if state.wall[word] & bit == 0 {
                state.wall[word] |= bit;
                state.wall_count += 1;
            }
        }
        if state.wall_count == wanted && set_once(&shared.wall_done_at[self.index], shared.now()) {
            shared.wall_done.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The `seq` of a server frame: its top-level `"seq"`, before any nested object (items inside
/// a frame carry seqs of their own, which must not count).
pub(crate) fn frame_seq(text: &str) -> Option<u64> {
    let rest = text.strip_prefix('{')?;
    let top = rest.find('{').map_or(rest, |nested| &rest[..nested]);
    number_after(top, "\"seq\":")
}

/// The unsigned number right after `pattern`.
fn number_after(text: &str, pattern: &str) -> Option<u64> {
    let start = text.find(pattern)? + pattern.len();
    let digits = text[start..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(&text[start..], |end| &text[start..start + end]);
    digits.parse().ok()
}

/// The next command, or never when there is no channel (non-senders).
async fn recv<T>(rx: &mut Option<mpsc::Receiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
