//! The staff connections: the facilitator as a request/reply handle for the controller, and
//! the projector, which records when each item of this run reaches the screen.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::conn::{set_once, Shared};
use crate::ids::PhaseId;
use crate::wire::{frame_type, send_text, string_after, Ws};

/// A request to the facilitator connection: a command frame (with an `id`).
pub struct StaffRequest {
    /// The frame; its `id` field is set.
    pub frame: Value,
    /// Answered when the reply with that id arrives.
    pub reply: oneshot::Sender<StaffReply>,
}

/// The facilitator's answer to one request.
pub struct StaffReply {
    /// When the frame was handed to the socket.
    pub sent_at: Instant,
    /// The `ack` or `error` frame.
    pub reply: Value,
    /// Frames that arrived between sending and the reply (the command's events).
    pub before: Vec<Value>,
}

/// Runs the facilitator connection: one request at a time; frames outside a request (the
/// stream of `item_added` during submissions) are read and dropped so the socket never
/// backs up.
pub async fn run_staff(mut ws: Ws, mut requests: mpsc::Receiver<StaffRequest>) {
    let mut current: Option<(String, StaffReply, oneshot::Sender<StaffReply>)> = None;
    loop {
        tokio::select! {
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let Some((id, _, _)) = &current else { continue };
                    let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
                    if value["id"].as_str() == Some(id.as_str()) {
                        if let Some((_, mut reply, tx)) = current.take() {
                            reply.reply = value;
                            let _ = tx.send(reply);
                        }
                    } else if let Some((_, reply, _)) = &mut current {
                        reply.before.push(value);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            request = requests.recv(), if current.is_none() => {
                let Some(StaffRequest { frame, reply }) = request else { break };
                let id = frame["id"].as_str().unwrap_or_default().to_owned();
                let sent_at = Instant::now();
                if send_text(&mut ws, frame.to_string()).await.is_err() {
                    break;
                }
                current = Some((id, StaffReply { sent_at, reply: Value::Null, before: Vec::new() }, reply));
            }
        }
    }
}

/// Runs the projector connection: records when each item of this run reaches it, by an
/// `item_added` or, when the server resynced a projector that fell behind, by a welcome.
pub async fn run_screen(mut ws: Ws, shared: Arc<Shared>) {
    let seen = |phase: PhaseId, index: usize| {
        if let Some(phase) = shared.phases.get(usize::from(phase)) {
            if index < phase.on_screen.len() && set_once(&phase.on_screen[index], shared.now()) {
                phase.screened.fetch_add(1, Ordering::Relaxed);
            }
        }
    };
    while let Some(frame) = ws.next().await {
        let text = match frame {
            Ok(Message::Text(text)) => text,
            Ok(_) => continue,
            Err(_) => break,
        };
        match frame_type(&text) {
            Some("item_added") => {
                if let Some((phase, index)) =
                    string_after(&text, "\"item\":{\"id\":\"").and_then(|id| shared.ids.parse(id))
                {
                    seen(phase, index);
                }
            }
            Some("welcome") => {
                shared.resyncs.fetch_add(1, Ordering::Relaxed);
                for (phase, index) in shared.ids.scan(&text) {
                    seen(phase, index);
                }
            }
            _ => {}
        }
    }
}
