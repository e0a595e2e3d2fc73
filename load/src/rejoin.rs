//! Joining again after a connection ends (`--reconnect`): what a real phone does when the node
//! it was on dies or closes it. The same participant says hello with the last seq it saw, on
//! the same node first and then on the next ones (as a load balancer would send it), and the
//! run counts how often the server answered `resumed` (nothing missed) against a fresh
//! `welcome`, and on which node the dropped connections were.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use serde::Serialize;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use crate::conn::{Participant, PhoneState};
use crate::wire::{connect, frame_type, send_text, source_for, Ws};

/// How long one attempt (connect, hello, the first answer) may take: a frozen node accepts
/// TCP in its kernel and never answers, so the phone must move on.
const ATTEMPT: Duration = Duration::from_secs(3);
/// How long a phone keeps trying before it counts as gone for good.
const GIVE_UP: Duration = Duration::from_secs(90);
/// First pause between attempts; doubled up to [`MAX_BACKOFF`] (like the web client's).
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// Longest pause between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The run's counters of connections that ended and joined again.
pub struct Rejoins {
    /// Connections that ended after their welcome, by the node they were on.
    pub dropped_by_node: Vec<AtomicUsize>,
    /// Each drop: when (unix ms) and on which node (URL index), so that a fault's drops on
    /// the nodes it did not touch can be told from its own node's.
    pub drops: std::sync::Mutex<Vec<[u64; 2]>>,
    /// Joins again answered `resumed`.
    pub resumed: AtomicUsize,
    /// Joins again answered with a fresh `welcome`.
    pub welcomed: AtomicUsize,
    /// Phones that gave up after [`GIVE_UP`].
    pub gave_up: AtomicUsize,
    /// Attempts that failed (refused, timed out, closed) before one succeeded.
    pub failed_attempts: AtomicUsize,
    /// Phones that joined again at least once.
    pub phones: AtomicUsize,
}

impl Rejoins {
    /// Zeroed counters for `nodes` nodes.
    pub fn new(nodes: usize) -> Self {
        Self {
            dropped_by_node: (0..nodes.max(1)).map(|_| AtomicUsize::new(0)).collect(),
            drops: std::sync::Mutex::new(Vec::new()),
            resumed: AtomicUsize::new(0),
            welcomed: AtomicUsize::new(0),
            gave_up: AtomicUsize::new(0),
            failed_attempts: AtomicUsize::new(0),
            phones: AtomicUsize::new(0),
        }
    }

    /// The counters as a report section.
    pub fn report(&self) -> RejoinReport {
        let load = |a: &AtomicUsize| a.load(Ordering::Relaxed);
        let resumed = load(&self.resumed);
        let welcomed = load(&self.welcomed);
        RejoinReport {
            dropped_by_node: self.dropped_by_node.iter().map(load).collect(),
            drops: self.drops.lock().map(|d| d.clone()).unwrap_or_default(),
            resumed,
            welcomed,
            resumed_share: (resumed + welcomed > 0)
                .then(|| resumed as f64 / (resumed + welcomed) as f64),
            gave_up: load(&self.gave_up),
            failed_attempts: load(&self.failed_attempts),
            phones: load(&self.phones),
        }
    }
}

/// Reconnects, as reported.
#[derive(Debug, Serialize)]
pub struct RejoinReport {
    /// Connections that ended after their welcome, by the node they were on (URL order).
    pub dropped_by_node: Vec<usize>,
    /// Each drop as `[unix ms, node index]`, in the order they happened.
    pub drops: Vec<[u64; 2]>,
    /// Joins again answered `resumed`.
    pub resumed: usize,
    /// Joins again answered `welcome`.
    pub welcomed: usize,
    /// resumed / (resumed + welcomed).
    pub resumed_share: Option<f64>,
    /// Phones that never got back in.
    pub gave_up: usize,
    /// Attempts that failed before one succeeded.
    pub failed_attempts: usize,
    /// Phones that joined again at least once.
    pub phones: usize,
}

/// A participant's hello frame.
pub fn hello(participant_id: Uuid, last_seq: u64) -> String {
    format!(
        r#"{{"type":"hello","protocol":1,"role":"participant","participant_id":"{participant_id}","last_seq":{last_seq}}}"#
    )
}

/// Joins again after the connection on `state.node` ended; `None` when it gave up.
pub async fn rejoin(
    phone: &Participant,
    state: &mut PhoneState,
    path: &str,
    read_buffer: usize,
    participant_id: Uuid,
) -> Option<Ws> {
    let counters = &phone.shared.rejoins;
    if let Some(dropped) = counters.dropped_by_node.get(state.node) {
        dropped.fetch_add(1, Ordering::Relaxed);
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    if let Ok(mut drops) = counters.drops.lock() {
        drops.push([now_ms, state.node as u64]);
    }
    let give_up = Instant::now() + GIVE_UP;
    let mut backoff = FIRST_BACKOFF;
    let nodes = phone.addrs.len();
    for attempt in 0.. {
        // The same node first (it may only have closed this session), then round the others.
        let node = (state.node + attempt) % nodes;
        let addr = phone.addrs[node];
        let tried = attempt_once(phone, state, addr, path, read_buffer, participant_id);
        match tokio::time::timeout(ATTEMPT, tried).await {
            Ok(Ok(ws)) => {
                state.node = node;
                if !state.rejoined {
                    state.rejoined = true;
                    counters.phones.fetch_add(1, Ordering::Relaxed);
                }
                return Some(ws);
            }
            Ok(Err(_)) | Err(_) => {
                counters.failed_attempts.fetch_add(1, Ordering::Relaxed);
            }
        }
        if Instant::now() + backoff >= give_up {
            break;
        }
        // Only pause once every node was tried in this round.
        if (attempt + 1) % nodes == 0 {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }
    counters.gave_up.fetch_add(1, Ordering::Relaxed);
    None
}

/// One attempt: connect, hello with the last seq, read up to the `resumed` or `welcome`.
async fn attempt_once(
    phone: &Participant,
    state: &mut PhoneState,
    addr: SocketAddr,
    path: &str,
    read_buffer: usize,
    participant_id: Uuid,
) -> Result<Ws, String> {
    let mut ws = connect(addr, source_for(addr, phone.index), path, read_buffer).await?;
    send_text(&mut ws, hello(participant_id, state.last_seq)).await?;
    loop {
        let text = match ws.next().await {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("closed".into()),
        };
        match frame_type(&text) {
            Some("resumed") => {
                phone.shared.rejoins.resumed.fetch_add(1, Ordering::Relaxed);
                phone.on_frame(&text, state);
                return Ok(ws);
            }
            Some("welcome") => {
                phone
                    .shared
                    .rejoins
                    .welcomed
                    .fetch_add(1, Ordering::Relaxed);
                // Not a resync of a live connection: record only what it shows.
                if let Some(seq) = crate::conn::frame_seq(&text) {
                    state.last_seq = seq;
                }
                phone.welcome_content(&text, state);
                return Ok(ws);
            }
            Some("error") => return Err(text.to_string()),
            _ => {}
        }
    }
}
