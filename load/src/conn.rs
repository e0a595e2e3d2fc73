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
}

/// A participant's own bookkeeping.
#[derive(Default)]
struct PhoneState {
    welcomed: bool,
    queue: VecDeque<Submit>,
    in_flight: usize,
    window: usize,
    /// Which wall items it has, one bit each (allocated at the first wall frame).
    wall: Vec<u64>,
    wall_count: usize,
}

impl Participant {
    /// Connects, says hello, then records what arrives and sends what it is told until the
    /// connection ends or the task is aborted. The permit (bounded connect concurrency) is
    /// held until the welcome.
    pub async fn run(
        mut self,
        addr: SocketAddr,
        path: Arc<str>,
        read_buffer: usize,
        permit: OwnedSemaphorePermit,
    ) {
        let shared = self.shared.clone();
        let who = self.index;
        shared.connect_at[who].store(shared.now(), Ordering::Relaxed);
        let join_deadline = Instant::now() + JOIN_TIMEOUT;
        let hello = format!(
            r#"{{"type":"hello","protocol":1,"role":"participant","participant_id":"{}","last_seq":0}}"#,
            Uuid::new_v4()
        );
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
        let mut state = PhoneState {
            window: 1,
            ..PhoneState::default()
        };
        loop {
            tokio::select! {
                frame = ws.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        self.on_frame(&text, &mut state);
                        if state.welcomed {
                            permit = None;
                        }
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(_)) | None => break,
                },
                command = recv(&mut self.commands) => match command {
                    Some(submit) => {
                        state.window = submit.window;
                        state.queue.push_back(submit);
                    }
                    None => self.commands = None,
                },
                _ = tokio::time::sleep_until(join_deadline), if permit.is_some() => {
                    shared.failed.fetch_add(1, Ordering::Relaxed);
                    shared.error("join timed out");
                    return;
                }
            }
            if self.pump(&mut ws, &mut state).await.is_err() {
                break;
            }
        }
        if state.welcomed {
            shared.lost.fetch_add(1, Ordering::Relaxed);
        } else {
            shared.failed.fetch_add(1, Ordering::Relaxed);
            shared.error("closed before welcome");
        }
    }

    /// Sends queued items while the window allows.
    async fn pump(&self, ws: &mut Ws, state: &mut PhoneState) -> Result<(), String> {
        while state.in_flight < state.window {
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
            state.in_flight += 1;
            send_text(ws, frame).await?;
        }
        Ok(())
    }

    fn on_frame(&self, text: &str, state: &mut PhoneState) {
        let shared = &*self.shared;
        let who = self.index;
        match frame_type(text) {
            Some("prompt_opened") => {
                if let Some(prompt_id) = string_after(text, "\"prompt\":{\"id\":\"") {
                    shared.opened(who, prompt_id);
                }
            }
            Some("ack") => {
                if let Some((phase, index)) =
                    string_after(text, "\"id\":\"").and_then(|id| shared.ids.parse(id))
                {
                    state.in_flight = state.in_flight.saturating_sub(1);
                    if let Some(phase) = shared.phases.get(usize::from(phase)) {
                        if index < phase.acked.len() && set_once(&phase.acked[index], shared.now())
                        {
                            phase.acks.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
            Some("wall") => self.collect_wall(text, state),
            Some("welcome") => {
                if state.welcomed {
                    shared.resyncs.fetch_add(1, Ordering::Relaxed);
                } else {
                    state.welcomed = true;
                    shared.welcome_at[who].store(shared.now(), Ordering::Relaxed);
                    shared.joined.fetch_add(1, Ordering::Relaxed);
                }
                // A welcome shows the current prompt and wall: a phone that was resynced
                // (or joined late) has them through it.
                if let Some(prompt_id) = string_after(text, "\"prompt\":{\"id\":\"") {
                    shared.opened(who, prompt_id);
                }
                self.collect_wall(text, state);
            }
            Some("error") => {
                shared.error(string_after(text, "\"code\":\"").unwrap_or("error"));
                if let Some((phase, _)) =
                    string_after(text, "\"id\":\"").and_then(|id| shared.ids.parse(id))
                {
                    state.in_flight = state.in_flight.saturating_sub(1);
                    if let Some(phase) = shared.phases.get(usize::from(phase)) {
                        phase.rejected.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            _ => {}
        }
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

/// The next command, or never when there is no channel (non-senders).
async fn recv<T>(rx: &mut Option<mpsc::Receiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
