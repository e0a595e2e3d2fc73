//! One websocket connection: hello, welcome, then commands in and events out.
//!
//! The loop waits on three things at once: the client's next frame, the session's next
//! broadcast, and the replies to commands it has passed on. Replies are awaited concurrently
//! so one phone may have several items in flight (bounded by [`MAX_IN_FLIGHT`]); a client that
//! falls more than the broadcast capacity behind is sent a fresh welcome instead of the
//! frames it missed, so its memory use on the server stays bounded.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::stream::FuturesUnordered;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::{ApiError, AppState};
use crate::hub::{now_ms, CommandError, Joined, PresenceGuard, SessionHandle};
use crate::protocol::{ClientMessage, Hello, Role, ServerMessage, PROTOCOL_VERSION};
use crate::session::{Command, GroupId, ParticipantId};

/// Largest websocket message or frame accepted, in bytes (axum's default is 64 MiB).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Each socket's read buffer, in bytes. tungstenite allocates it up front and zero-fills all
/// of it before every read, so its default (128 KiB) cost 128 KiB of memory per idle phone
/// and a 128 KiB memset per frame received. Client frames are a few hundred bytes; larger
/// ones (up to [`MAX_MESSAGE_BYTES`]) still arrive, over several reads.
const READ_BUFFER_BYTES: usize = 4 * 1024;
/// How long a new connection has to say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Most queued event frames written together; then the loop looks at its other work again.
const MAX_FRAMES_PER_WRITE: usize = 16;
/// Bytes of queued frames buffered before they are written even without a flush: small frames
/// share a write, a large one goes out at once, and the buffer (kept per socket) stays small.
const WRITE_BUFFER_BYTES: usize = 8 * 1024;
/// Commands one connection may have waiting for the disk; past this we stop reading from it.
const MAX_IN_FLIGHT: usize = 64;

/// Close code: the server is restarting; reconnect (RFC 6455 registry, 1012).
const CLOSE_RESTART: u16 = 1012;
/// Close code: the hello was refused (policy violation, 1008).
const CLOSE_POLICY: u16 = 1008;

pub(super) async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Response {
    let Some(handle) = state.hub.get(&slug) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "session_not_found",
            "no such session",
        )
        .into_response();
    };
    let shutdown = state.hub.shutdown_token().clone();
    let hub = state.hub.clone();
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| async move {
            let conn = uuid::Uuid::new_v4();
            let span = tracing::debug_span!("ws", session = %handle.slug(), %conn);
            hub.track(tracing::Instrument::instrument(
                run(socket, handle, shutdown),
                span,
            ))
            .await;
        })
}

/// A command waiting for the disk: its request id, the group it moves the phone to (for
/// `choose_group`), and the session's answer.
type Pending = Pin<
    Box<
        dyn Future<
                Output = (
                    Option<String>,
                    Option<Option<GroupId>>,
                    Result<u64, CommandError>,
                ),
            > + Send,
    >,
>;

fn error_frame(id: Option<String>, code: &str, message: impl Into<String>) -> Message {
    Message::Text(
        ServerMessage::Error {
            id,
            code,
            message: message.into(),
        }
        .to_json()
        .into(),
    )
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        })))
        .await;
}

/// Who the client proved to be in its hello.
struct Identity {
    role: Role,
    participant: Option<ParticipantId>,
}

/// Reads and checks the hello. On refusal the client has been told why.
async fn hello(socket: &mut WebSocket, handle: &SessionHandle) -> Option<Identity> {
    let text = match tokio::time::timeout(HELLO_TIMEOUT, socket.recv()).await {
        Ok(Some(Ok(Message::Text(text)))) => text,
        Ok(Some(Ok(_))) => {
            let _ = socket
                .send(error_frame(
                    None,
                    "hello_required",
                    "the first frame must be a hello",
                ))
                .await;
            close(socket, CLOSE_POLICY, "hello required").await;
            return None;
        }
        _ => return None,
    };
    let refuse = |code: &'static str, message: &'static str| (code, message);
    let outcome = match ClientMessage::decode(&text) {
        Ok(ClientMessage::Hello(Hello {
            protocol,
            role,
            participant_id,
            key,
            ..
        })) => {
            if protocol.unwrap_or(1) > PROTOCOL_VERSION {
                Err(refuse(
                    "unsupported_protocol",
                    "this server speaks protocol 1",
                ))
            } else {
                match role {
                    Role::Participant => match participant_id {
                        Some(id) => Ok(Identity {
                            role,
                            participant: Some(ParticipantId(id)),
                        }),
                        None => Err(refuse(
                            "participant_id_required",
                            "a participant's hello needs its participant_id",
                        )),
                    },
                    Role::Facilitator => match key.as_deref() {
                        None | Some("") => {
                            Err(refuse("key_required", "the facilitator key is missing"))
                        }
                        Some(key) if handle.verify_key(key) => Ok(Identity {
                            role,
                            participant: None,
                        }),
                        Some(_) => Err(refuse("invalid_key", "wrong facilitator key")),
                    },
                    Role::Screen => Ok(Identity {
                        role,
                        participant: None,
                    }),
                }
            }
        }
        Ok(_) => Err(refuse("hello_required", "the first frame must be a hello")),
        Err(e) => {
            let _ = socket.send(error_frame(e.id, e.code, e.message)).await;
            close(socket, CLOSE_POLICY, "bad hello").await;
            return None;
        }
    };
    match outcome {
        Ok(identity) => Some(identity),
        Err((code, message)) => {
            let _ = socket.send(error_frame(None, code, message)).await;
            close(socket, CLOSE_POLICY, "hello refused").await;
            None
        }
    }
}

/// What a decoded frame asks of the session, or why this role may not send it.
fn command_for(
    identity: &Identity,
    message: ClientMessage,
) -> Result<Command, (&'static str, &'static str)> {
    match message {
        ClientMessage::Participant { action, .. } => match (identity.role, identity.participant) {
            (Role::Participant, Some(participant)) => Ok(action.into_command(participant)),
            _ => Err(("forbidden", "only participants do that")),
        },
        ClientMessage::Staff { command, .. } if identity.role == Role::Facilitator => Ok(command),
        ClientMessage::Staff { .. } => Err(("forbidden", "only the facilitator may do that")),
        ClientMessage::Hello(_) => Err(("unexpected_hello", "this connection already said hello")),
        ClientMessage::Ping { .. } => Err(("internal", "ping is not a command")),
    }
}

async fn run(
    mut socket: WebSocket,
    handle: SessionHandle,
    shutdown: tokio_util::sync::CancellationToken,
) {
    let Some(identity) = hello(&mut socket, &handle).await else {
        return;
    };
    let _presence: Option<PresenceGuard> = identity.participant.map(|p| handle.present(p));
    let Ok(Joined {
        welcome,
        seq: mut last_seq,
        mut group,
        mut events,
    }) = handle.join(identity.role, identity.participant).await
    else {
        close(&mut socket, CLOSE_RESTART, "restarting").await;
        return;
    };
    if socket.send(Message::Text(welcome)).await.is_err() {
        return;
    }
    let mut pending: FuturesUnordered<Pending> = FuturesUnordered::new();
    // Made once, on a token of this connection's own: polling `cancelled()` of the shared
    // token on every wake locked one mutex that every connection shares, which was most of
    // the server's CPU time under load (docs/benchmarks.md).
    let cancelled = shutdown.child_token().cancelled_owned();
    tokio::pin!(cancelled);
    loop {
        // Biased, in this order: a command's events are broadcast before its reply is sent,
        // so polling events first delivers them before the ack; reading the client comes
        // last, so a flood of input cannot starve its own output.
        tokio::select! {
            biased;
            _ = &mut cancelled => {
                // Let replies already on their way reach the client before closing.
                while let Some((id, _, result)) = pending.next().await {
                    let _ = socket.send(reply_frame(id, result)).await;
                }
                close(&mut socket, CLOSE_RESTART, "server restarting").await;
                break;
            }
            event = events.recv() => {
                // Frames already queued behind this one go out with it in one write (one
                // flush): a prompt change is two frames to every phone, a wall burst several.
                let mut next = Some(event);
                let mut queued = 0;
                let mut open = true;
                while let Some(event) = next.take() {
                    match event {
                        Ok(frames) => {
                            let seen = frames.seq.is_some_and(|seq| seq <= last_seq);
                            if !seen {
                                last_seq = frames.seq.unwrap_or(last_seq);
                                if let Some(frame) = frames.for_conn(identity.role, group.as_ref()) {
                                    if socket.feed(Message::Text(frame.clone())).await.is_err() {
                                        open = false;
                                        break;
                                    }
                                    queued += 1;
                                }
                            }
                            if queued < MAX_FRAMES_PER_WRITE {
                                next = match events.try_recv() {
                                    Ok(frames) => Some(Ok(frames)),
                                    Err(TryRecvError::Empty) => None,
                                    Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
                                    Err(TryRecvError::Closed) => Some(Err(RecvError::Closed)),
                                };
                            }
                        }
                        Err(RecvError::Lagged(missed)) => {
                            tracing::debug!(missed, "connection lagged; resyncing with a fresh welcome");
                            let Ok(joined) = handle.join(identity.role, identity.participant).await else {
                                close(&mut socket, CLOSE_RESTART, "restarting").await;
                                open = false;
                                break;
                            };
                            last_seq = joined.seq;
                            group = joined.group;
                            events = joined.events;
                            if socket.feed(Message::Text(joined.welcome)).await.is_err() {
                                open = false;
                                break;
                            }
                            queued += 1;
                        }
                        Err(RecvError::Closed) => {
                            let _ = socket.flush().await;
                            close(&mut socket, CLOSE_RESTART, "server restarting").await;
                            open = false;
                        }
                    }
                }
                if !open || (queued > 0 && socket.flush().await.is_err()) {
                    break;
                }
            }
            Some((id, moves_to, result)) = pending.next(), if !pending.is_empty() => {
                if let (Some(to), Ok(_)) = (moves_to, &result) {
                    group = to;
                }
                if socket.send(reply_frame(id, result)).await.is_err() {
                    break;
                }
            }
            frame = socket.recv(), if pending.len() < MAX_IN_FLIGHT => {
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Binary(_))) => {
                        if socket.send(error_frame(None, "binary_not_supported", "send JSON text frames")).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) => {
                        // Answer the client's close so it sees a clean 1000, not 1006.
                        let _ = socket.send(Message::Close(None)).await;
                        break;
                    }
                    None => break,
                    Some(Err(error)) => {
                        tracing::debug!(%error, "websocket read failed");
                        break;
                    }
                };
                let message = match ClientMessage::decode(&text) {
                    Ok(message) => message,
                    Err(e) => {
                        let frame = match e.for_role {
                            Some(role) if role != identity.role => {
                                error_frame(e.id, "forbidden", "your role may not do that")
                            }
                            _ => error_frame(e.id, e.code, e.message),
                        };
                        if socket.send(frame).await.is_err() {
                            break;
                        }
                        continue;
                    }
                };
                let id = match &message {
                    ClientMessage::Hello(_) => None,
                    ClientMessage::Ping { id }
                    | ClientMessage::Participant { id, .. }
                    | ClientMessage::Staff { id, .. } => id.clone(),
                };
                if let ClientMessage::Ping { .. } = message {
                    let pong = ServerMessage::Pong { id, server_time: now_ms() }.to_json();
                    if socket.send(Message::Text(pong.into())).await.is_err() {
                        break;
                    }
                    continue;
                }
                match command_for(&identity, message) {
                    Ok(command) => {
                        let moves_to = match &command {
                            Command::ChooseGroup { group_id, .. } => Some(group_id.clone()),
                            _ => None,
                        };
                        let reply = handle.command(command).await;
                        pending.push(Box::pin(async move {
                            (id, moves_to, reply.await.unwrap_or(Err(CommandError::Unavailable)))
                        }));
                    }
                    Err((code, message)) => {
                        if socket.send(error_frame(id, code, message)).await.is_err() {
                            break;
                        }
                    }
                }
            }
        }
    }
}

fn reply_frame(id: Option<String>, result: Result<u64, CommandError>) -> Message {
    match result {
        Ok(seq) => Message::Text(ServerMessage::Ack { id, seq }.to_json().into()),
        Err(error) => error_frame(id, error.code(), error.to_string()),
    }
}
