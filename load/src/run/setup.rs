//! Setup before anyone joins: the facilitator connection of each session (as a request/reply
//! handle), the prompts every session gets, and the projectors.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use uuid::Uuid;

use super::{Plan, SETUP_WAIT};
use crate::conn::Shared;
use crate::staff::{self, StaffReply, StaffRequest};
use crate::wire::{self, Ws};

/// One session's facilitator connection, as a request/reply handle.
pub(super) struct Rig {
    staff: mpsc::Sender<StaffRequest>,
    /// The session's name and facilitator key (the loss check fetches its export with them).
    pub(super) slug: String,
    /// See `slug`; empty for the floor.
    pub(super) key: String,
}

impl Rig {
    /// Sends a command and waits for its ack; an error reply is an error.
    pub(super) async fn request(
        &self,
        mut frame: Value,
        wait: Duration,
    ) -> Result<StaffReply, String> {
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

/// Connects to `addr` (from `source` when given), says `hello` and waits for the welcome.
async fn hello_and_welcome(
    plan: &Plan,
    (addr, source): (SocketAddr, Option<IpAddr>),
    path: &str,
    hello: Value,
) -> Result<Ws, String> {
    let mut ws = wire::connect(addr, source, path, plan.read_buffer).await?;
    wire::send_text(&mut ws, hello.to_string()).await?;
    wire::expect(&mut ws, "welcome", SETUP_WAIT).await?;
    Ok(ws)
}

/// Connects each session's facilitator (creating the sessions on Paja) and returns their
/// handles and the websocket path of each session. Session `s` is created on, and its staff
/// connect to, node `s mod n`: in a cluster any node serves any session.
pub(super) async fn facilitators(
    plan: &Plan,
    nonce: u64,
    tasks: &mut JoinSet<()>,
) -> Result<(Vec<Rig>, Vec<Arc<str>>), String> {
    let mut rigs = Vec::new();
    let mut paths = Vec::new();
    for s in 0..plan.sessions {
        let addr = plan.addrs[s % plan.addrs.len()];
        let mut name = (String::new(), String::new());
        let (path, hello) = if plan.floor {
            (
                "/ws/floor".to_owned(),
                json!({"type": "hello", "protocol": 1, "role": "facilitator", "key": "floor"}),
            )
        } else {
            let slug = format!("load-{:08x}-{s}", nonce as u32);
            let source = crate::target::create_source(addr, s, nonce);
            let key = crate::target::create_session(addr, &slug, source).await?;
            let hello = json!({"type": "hello", "protocol": 1, "role": "facilitator", "key": key, "last_seq": 0});
            let path = format!("/ws/{slug}");
            name = (slug, key);
            (path, hello)
        };
        // The facilitator's key check is rate-limited per address (30 at once) like the
        // creation: it comes from the address that created the session.
        let source = crate::target::create_source(addr, s, nonce);
        let ws = hello_and_welcome(plan, (addr, source), &path, hello).await?;
        let (tx, rx) = mpsc::channel(4);
        tasks.spawn(staff::run_staff(ws, rx));
        rigs.push(Rig {
            staff: tx,
            slug: name.0,
            key: name.1,
        });
        paths.push(Arc::<str>::from(path));
    }
    Ok((rigs, paths))
}

/// Adds the run's prompts to every session (the floor has fixed ids) and returns their ids
/// by round slot. Paja numbers prompts per session, so every session must agree on them.
pub(super) async fn prompts(plan: &Plan, rigs: &[Rig]) -> Result<Vec<Arc<str>>, String> {
    if plan.floor {
        return Ok((1..=plan.rounds)
            .map(|r| Arc::from(format!("p{r}")))
            .collect());
    }
    let mut per_session: Vec<Vec<String>> = Vec::new();
    for rig in rigs {
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
    Ok(per_session
        .into_iter()
        .next()
        .unwrap_or_default()
        .into_iter()
        .map(Arc::from)
        .collect())
}

/// Round slot by prompt id, for the phones' classification of `prompt_opened`.
pub(super) fn round_of(prompts: &[Arc<str>]) -> HashMap<String, usize> {
    prompts
        .iter()
        .enumerate()
        .map(|(slot, id)| (id.to_string(), slot))
        .collect()
}

/// Connects one projector per session; each records when items reach the screen.
pub(super) async fn screens(
    plan: &Plan,
    paths: &[Arc<str>],
    shared: &Arc<Shared>,
    tasks: &mut JoinSet<()>,
) -> Result<(), String> {
    for (s, path) in paths.iter().enumerate() {
        let addr = plan.addrs[s % plan.addrs.len()];
        let hello = json!({"type": "hello", "role": "screen"});
        let ws = hello_and_welcome(plan, (addr, None), path, hello).await?;
        tasks.spawn(staff::run_screen(ws, shared.clone()));
    }
    Ok(())
}
