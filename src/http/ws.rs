//! One websocket connection: hello, welcome (or resume), then commands in and events out.
//!
//! The loop waits on several things at once: the client's next frame, the session's next
//! broadcast, the replies to commands it has passed on, a heartbeat, and shutdown. Replies are
//! awaited concurrently so one phone may have several items in flight (bounded by
//! [`MAX_IN_FLIGHT`]). Everything is bounded: frame size, commands per second, time a send
//! may take (a phone that stops reading is dropped, not buffered for), and how far a
//! connection may lag behind the broadcast (then it gets a fresh welcome).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::stream::FuturesUnordered;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{client_ip, ApiError, AppState};
use crate::clock::Clock;
use crate::hub::{CommandError, Joined, SessionHandle};
use crate::limits::{ConnectionSlot, Limits};
use crate::protocol::{ClientMessage, Hello, Role, ServerMessage, PROTOCOL_VERSION};
use crate::session::{Command, GroupId, ParticipantId};

/// Largest websocket message or frame accepted, in bytes (axum's default is 64 MiB).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// What the websocket library itself accepts (still bounded). Larger than
/// [`MAX_MESSAGE_BYTES`] on purpose: a frame the library refuses is left unread in the
/// socket, and closing a socket with unread input makes the kernel reset the connection,
/// which can discard the error and close frames just sent. Frames between the two limits are
/// read whole and refused by Paja with `frame_too_large` and a clean close.
const HARD_MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Each socket's read buffer, in bytes. tungstenite allocates it up front and zero-fills all
/// of it before every read, so its default (128 KiB) cost 128 KiB of memory per idle phone
/// and a 128 KiB memset per frame received. Client frames are a few hundred bytes; larger
/// ones (up to [`MAX_MESSAGE_BYTES`]) still arrive, over several reads.
const READ_BUFFER_BYTES: usize = 4 * 1024;
/// Most queued event frames written together; then the loop looks at its other work again.
const MAX_FRAMES_PER_WRITE: usize = 16;
/// Bytes of queued frames buffered before they are written even without a flush: small frames
/// share a write, a large one goes out at once, and the buffer (kept per socket) stays small.
const WRITE_BUFFER_BYTES: usize = 8 * 1024;
/// How long a new connection has to say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Commands one connection may have waiting for the disk; past this we stop reading from it.
const MAX_IN_FLIGHT: usize = 64;
/// Longest one frame may take to go out: a phone that stops reading is dropped rather than
/// buffered for (its events wait in the shared broadcast ring, never in a private queue).
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a closing connection waits for the client's answering close frame (well inside
/// the shutdown grace period).
const CLOSE_DRAIN: Duration = Duration::from_secs(2);

/// Close code: the server is restarting; reconnect (RFC 6455 registry, 1012).
const CLOSE_RESTART: u16 = 1012;
/// Close code: the hello was refused (policy violation, 1008).
const CLOSE_POLICY: u16 = 1008;
/// Close code: a message was larger than allowed (1009).
const CLOSE_TOO_BIG: u16 = 1009;
/// Close code: gone idle (going away, 1001).
const CLOSE_IDLE: u16 = 1001;
/// Close code: the session was deleted; do not reconnect (application range).
pub const CLOSE_DELETED: u16 = 4004;

pub(super) async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !origin_allowed(&state, &headers) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "websockets are only accepted from this server's own pages",
        )
        .into_response();
    }
    let Some(handle) = state.hub.get(&slug) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "session_not_found",
            "no such session",
        )
        .into_response();
    };
    let ip = client_ip(&state, peer, &headers);
    let Some(slot) = state.limits.connect(ip) else {
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_connections",
            "too many connections from your address",
        )
        .into_response();
    };
    let shutdown = state.hub.shutdown_token().clone();
    let hub = state.hub.clone();
    let limits = state.limits.clone();
    ws.max_message_size(HARD_MAX_MESSAGE_BYTES)
        .max_frame_size(HARD_MAX_MESSAGE_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| async move {
            let conn = uuid::Uuid::new_v4();
            let span = tracing::debug_span!("ws", session = %handle.slug(), %conn);
            let connection = Connection {
                socket,
                clock: hub.clock(),
                handle,
                limits,
                ip,
                _slot: slot,
            };
            let gone = {
                let hub = hub.clone();
                let slug = connection.handle.slug().clone();
                move || hub.get(slug.as_str()).is_none()
            };
            hub.track(tracing::Instrument::instrument(
                connection.run(shutdown, gone),
                span,
            ))
            .await;
        })
}

/// Cross-site websocket hijacking guard: a browser always sends `Origin`; it must be this
/// server's own (same host as the request) or explicitly allowed. Clients that send no
/// `Origin` (load tools, tests) are not browsers acting for a victim and are let through.
fn origin_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    if state
        .settings
        .allowed_origins
        .iter()
        .any(|allowed| allowed.trim_end_matches('/') == origin)
    {
        return true;
    }
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'));
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
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

/// Who the client proved to be in its hello.
struct Identity {
    role: Role,
    participant: Option<ParticipantId>,
    last_seq: u64,
}

/// Why a connection ended, as far as the client should hear.
struct Closed;

struct Connection {
    socket: WebSocket,
    /// The server's clock, for `pong`'s `server_time`.
    clock: Clock,
    handle: SessionHandle,
    limits: std::sync::Arc<Limits>,
    ip: std::net::IpAddr,
    /// Held for the connection's life: one of its IP's connection slots.
    _slot: ConnectionSlot,
}

impl Connection {
    /// Sends one frame, giving up on a client that does not take it in time.
    async fn send(&mut self, message: Message) -> Result<(), Closed> {
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(Closed),
            Err(_) => {
                tracing::debug!("client stopped reading; dropping the connection");
                Err(Closed)
            }
        }
    }

    /// Queues one frame without flushing (it goes out with the next flush, or once the write
    /// buffer fills), within the same time limit as [`Connection::send`].
    async fn feed(&mut self, message: Message) -> Result<(), Closed> {
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.feed(message)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(Closed),
        }
    }

    /// Writes out what [`Connection::feed`] queued.
    async fn flush(&mut self) -> Result<(), Closed> {
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.flush()).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(Closed),
        }
    }

    /// Sends a close frame, then reads (and ignores) what the client still sends until its
    /// answering close frame, the end of the stream or [`CLOSE_DRAIN`]. Dropping a socket
    /// with unread input makes the kernel reset the connection, which can throw away what was
    /// just written: a phone still sending would lose its last acks and the close code.
    async fn close(&mut self, code: u16, reason: &'static str) {
        let sent = self
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: Utf8Bytes::from_static(reason),
            })))
            .await;
        if sent.is_err() {
            return;
        }
        let _ = tokio::time::timeout(CLOSE_DRAIN, async {
            while let Some(Ok(message)) = self.socket.recv().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }

    async fn refuse(&mut self, id: Option<String>, code: &str, message: impl Into<String>) {
        let _ = self.send(error_frame(id, code, message)).await;
        self.close(CLOSE_POLICY, "hello refused").await;
    }

    /// Reads and checks the hello. On refusal the client has been told why.
    async fn hello(&mut self) -> Option<Identity> {
        let text = match tokio::time::timeout(HELLO_TIMEOUT, self.socket.recv()).await {
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => {
                self.refuse(None, "hello_required", "the first frame must be a hello")
                    .await;
                return None;
            }
            Err(_) => {
                self.refuse(None, "hello_timeout", "no hello within 10 seconds")
                    .await;
                return None;
            }
            _ => return None,
        };
        let hello = match ClientMessage::decode(&text) {
            Ok(ClientMessage::Hello(hello)) => hello,
            Ok(_) => {
                self.refuse(None, "hello_required", "the first frame must be a hello")
                    .await;
                return None;
            }
            Err(e) => {
                self.refuse(e.id, e.code, e.message).await;
                return None;
            }
        };
        let Hello {
            protocol,
            role,
            participant_id,
            key,
            last_seq,
        } = hello;
        if protocol.unwrap_or(1) > PROTOCOL_VERSION {
            self.refuse(
                None,
                "unsupported_protocol",
                "this server speaks protocol 1",
            )
            .await;
            return None;
        }
        let participant = match role {
            Role::Participant => match participant_id {
                Some(id) => Some(ParticipantId(id)),
                None => {
                    self.refuse(
                        None,
                        "participant_id_required",
                        "a participant's hello needs its participant_id",
                    )
                    .await;
                    return None;
                }
            },
            Role::Facilitator => {
                let key = key.unwrap_or_default();
                if key.is_empty() {
                    self.refuse(None, "key_required", "the facilitator key is missing")
                        .await;
                    return None;
                }
                // Checked before the key, so guessing costs time whatever the guess.
                if !self.limits.may_check_key(self.ip) {
                    self.refuse(
                        None,
                        "rate_limited",
                        "too many key attempts from your address; wait a minute",
                    )
                    .await;
                    return None;
                }
                if !self.handle.verify_key(&key) {
                    self.refuse(None, "invalid_key", "wrong facilitator key")
                        .await;
                    return None;
                }
                None
            }
            Role::Screen => None,
        };
        Some(Identity {
            role,
            participant,
            last_seq,
        })
    }

    async fn run(mut self, shutdown: CancellationToken, session_gone: impl Fn() -> bool) {
        let Some(identity) = self.hello().await else {
            return;
        };
        let _presence = identity.participant.map(|p| self.handle.present(p));
        let Ok(Joined {
            frames,
            seq: mut last_seq,
            mut group,
            mut events,
        }) = self
            .handle
            .join(identity.role, identity.participant, identity.last_seq)
            .await
        else {
            self.close(CLOSE_RESTART, "restarting").await;
            return;
        };
        for frame in frames {
            if self.send(Message::Text(frame)).await.is_err() {
                return;
            }
        }
        let limiter = self
            .limits
            .connection_limiter(identity.role == Role::Facilitator);
        let mut pending: FuturesUnordered<Pending> = FuturesUnordered::new();
        // Ping a third of the idle timeout apart, so two unanswered pings still fit in it.
        let idle_timeout = self.limits.idle_timeout;
        let mut heartbeat = tokio::time::interval(idle_timeout / 3);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();
        // Made once, on a token of this connection's own: polling `cancelled()` of the shared
        // token on every wake locked one mutex that every connection shares, which was most of
        // the server's CPU time under load (docs/benchmarks.md).
        let cancelled = shutdown.child_token().cancelled_owned();
        tokio::pin!(cancelled);
        loop {
            // Biased, in this order: a command's events are broadcast before its reply is
            // sent, so polling events first delivers them before the ack; reading the client
            // comes last, so a flood of input cannot starve its own output.
            tokio::select! {
                biased;
                _ = &mut cancelled => {
                    // Let replies already on their way reach the client before closing.
                    while let Some((id, _, result)) = pending.next().await {
                        let _ = self.send(reply_frame(id, result)).await;
                    }
                    self.close(CLOSE_RESTART, "server restarting").await;
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
                                        if self.feed(Message::Text(frame.clone())).await.is_err() {
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
                                let Ok(joined) = self.handle.join(identity.role, identity.participant, 0).await else {
                                    self.close(CLOSE_RESTART, "restarting").await;
                                    open = false;
                                    break;
                                };
                                last_seq = joined.seq;
                                group = joined.group;
                                events = joined.events;
                                for frame in joined.frames {
                                    if self.feed(Message::Text(frame)).await.is_err() {
                                        open = false;
                                        break;
                                    }
                                    queued += 1;
                                }
                            }
                            Err(RecvError::Closed) => {
                                let _ = self.flush().await;
                                if session_gone() {
                                    self.close(CLOSE_DELETED, "session deleted").await;
                                } else {
                                    self.close(CLOSE_RESTART, "server restarting").await;
                                }
                                open = false;
                            }
                        }
                    }
                    if open && queued > 0 && self.flush().await.is_err() {
                        open = false;
                    }
                    if !open {
                        break;
                    }
                }
                Some((id, moves_to, result)) = pending.next(), if !pending.is_empty() => {
                    let mut new_wall = None;
                    if let (Some(to), Ok(_)) = (moves_to, &result) {
                        if group != to {
                            // Another group's wall: send the whole of it.
                            new_wall = self.handle.wall(to.clone()).await;
                        }
                        group = to;
                    }
                    if self.send(reply_frame(id, result)).await.is_err() {
                        break;
                    }
                    if let Some(wall) = new_wall {
                        if self.send(Message::Text(wall)).await.is_err() {
                            break;
                        }
                    }
                }
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > idle_timeout {
                        tracing::debug!("connection idle; closing");
                        self.close(CLOSE_IDLE, "idle").await;
                        break;
                    }
                    if self.send(Message::Ping(Default::default())).await.is_err() {
                        break;
                    }
                }
                frame = self.socket.recv(), if pending.len() < MAX_IN_FLIGHT => {
                    last_heard = Instant::now();
                    let text = match frame {
                        Some(Ok(Message::Text(text))) if text.len() > MAX_MESSAGE_BYTES => {
                            let _ = self
                                .send(error_frame(None, "frame_too_large", "frames are limited to 16 KiB"))
                                .await;
                            self.close(CLOSE_TOO_BIG, "frame too large").await;
                            break;
                        }
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Binary(_))) => {
                            if self.send(error_frame(None, "binary_not_supported", "send JSON text frames")).await.is_err() {
                                break;
                            }
                            continue;
                        }
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                        Some(Ok(Message::Close(_))) => {
                            // The library queued the answering close frame; flush it so the
                            // client sees a clean close, not 1006.
                            let _ = tokio::time::timeout(
                                SEND_TIMEOUT,
                                futures_util::SinkExt::close(&mut self.socket),
                            )
                            .await;
                            break;
                        }
                        None => break,
                        Some(Err(error)) => {
                            if is_too_big(error) {
                                let _ = self.send(error_frame(None, "frame_too_large", "frames are limited to 16 KiB")).await;
                                self.close(CLOSE_TOO_BIG, "frame too large").await;
                            }
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
                            if self.send(frame).await.is_err() {
                                break;
                            }
                            continue;
                        }
                    };
                    let id = match &message {
                        ClientMessage::Hello(_) => None,
                        ClientMessage::Ping { id }
                        | ClientMessage::Participant { id, .. }
                        | ClientMessage::Facilitator { id, .. } => id.clone(),
                    };
                    let reply = match command_for(&identity, message) {
                        Ok(Some(command)) if limiter.check().is_err() => {
                            drop(command);
                            error_frame(id, "rate_limited", "too many requests; slow down a little")
                        }
                        Ok(Some(command)) => {
                            let moves_to = match &command {
                                Command::ChooseGroup { group_id, .. } => Some(group_id.clone()),
                                _ => None,
                            };
                            let reply = self.handle.command(command).await;
                            pending.push(Box::pin(async move {
                                (id, moves_to, reply.await.unwrap_or(Err(CommandError::Unavailable)))
                            }));
                            continue;
                        }
                        Ok(None) => Message::Text(
                            ServerMessage::Pong { id, server_time: self.clock.now_ms() }.to_json().into(),
                        ),
                        Err((code, message)) => error_frame(id, code, message),
                    };
                    if self.send(reply).await.is_err() {
                        break;
                    }
                }
            }
        }
    }
}

/// Whether a read failed because the client's message exceeded the size limit.
fn is_too_big(error: axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::{error::CapacityError, Error};
    let inner = error.into_inner();
    matches!(
        inner.downcast_ref::<Error>(),
        Some(Error::Capacity(CapacityError::MessageTooLong { .. }))
    )
}

/// What a decoded frame asks of the session (`None`: a ping, answered here), or why this
/// role may not send it.
fn command_for(
    identity: &Identity,
    message: ClientMessage,
) -> Result<Option<Command>, (&'static str, &'static str)> {
    match message {
        ClientMessage::Ping { .. } => Ok(None),
        ClientMessage::Participant { action, .. } => match (identity.role, identity.participant) {
            (Role::Participant, Some(participant)) => Ok(Some(action.into_command(participant))),
            _ => Err(("forbidden", "only participants do that")),
        },
        ClientMessage::Facilitator { action, .. } if identity.role == Role::Facilitator => {
            Ok(Some(action.into_command()))
        }
        ClientMessage::Facilitator { .. } => Err(("forbidden", "only the facilitator may do that")),
        ClientMessage::Hello(_) => Err(("unexpected_hello", "this connection already said hello")),
    }
}

fn reply_frame(id: Option<String>, result: Result<u64, CommandError>) -> Message {
    match result {
        Ok(seq) => Message::Text(ServerMessage::Ack { id, seq }.to_json().into()),
        Err(error) => error_frame(id, error.code(), error.to_string()),
    }
}
