//! One connection's life after the upgrade: hello, welcome (or resume), then the loop.
//!
//! The loop's `select!` only picks the source of the next thing to do (shutdown, the
//! session's broadcast, a reply to a command passed on, the heartbeat, the client's next
//! frame) and hands it to a handler of its own (`on_events`, `on_reply`, `on_heartbeat`,
//! `on_client_frame`). A handler returns `Err(Closed)` when the connection is over; the
//! client has then been told why, as far as it can be.
//!
//! The connection is generic over the socket (any `Sink` of messages that is also a `Stream`
//! of them), so its unit tests drive it over channels, as axum's `testing-websockets`
//! example does.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes};
use futures_util::stream::FuturesOrdered;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use governor::DefaultDirectRateLimiter;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{
    CLOSE_DELETED, CLOSE_DRAIN, CLOSE_IDLE, CLOSE_RESTART, CLOSE_TOO_BIG, HELLO_TIMEOUT,
    MAX_FRAMES_PER_WRITE, MAX_IN_FLIGHT, MAX_MESSAGE_BYTES, SEND_TIMEOUT, STAFF_MESSAGE_BYTES,
};
use crate::clock::Clock;
use crate::hub::{CommandError, Frames, Joined, SessionHandle};
use crate::limits::{ConnectionSlot, Limits};
use crate::metrics::{Limited, Metrics};
use crate::protocol::{self, ClientMessage, RequestId, Role, ServerMessage};
use crate::session::{Command, GroupId, ParticipantId};

mod hello;
mod replies;

use replies::{
    command_for, error_frame, read_failure, reply_frame, try_next, ReadFailure, CLOSE_INVALID_DATA,
    CLOSE_PROTOCOL,
};

/// What a command's reply future yields: its request id, the group it moves the phone to
/// (for `choose_group`), and the session's answer.
type Reply = (
    Option<RequestId>,
    Option<Option<GroupId>>,
    Result<u64, CommandError>,
);

/// A command waiting for the disk (boxed: one per command in flight, not per connection).
type Pending = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// The connection is over (the client has been told why, as far as it could be).
pub(super) struct Closed;

/// Why a hello was refused: the request id, the wire code and the reason.
type Refusal = (Option<RequestId>, &'static str, String);

/// Who the client proved to be in its hello.
pub(super) struct Identity {
    role: Role,
    participant: Option<ParticipantId>,
    last_seq: u64,
}

/// The loop's state once welcomed.
struct Live {
    identity: Identity,
    /// Events at or below it are already reflected on the client.
    last_seq: u64,
    /// A phone's group (which wall frames it gets).
    group: Option<GroupId>,
    events: broadcast::Receiver<Arc<Frames>>,
    /// Replies to commands passed on, in the order the client sent them.
    pending: FuturesOrdered<Pending>,
    limiter: DefaultDirectRateLimiter,
    /// When the client was last heard from (any frame).
    last_heard: Instant,
}

/// What a client's text frame calls for.
enum Answer {
    /// A frame answered here (`pong`).
    Frame(Message),
    /// A refusal: its request id, code and reason.
    Refuse(Option<RequestId>, &'static str, Cow<'static, str>),
    /// A command for the session: its request id and the group it moves the phone to.
    Pass(Option<RequestId>, Option<Option<GroupId>>, Command),
    /// A page of the facilitator's older items: its request id and `before`.
    Page(Option<RequestId>, u64),
}

/// The next thing the loop has to do, picked by its `select!`.
enum Input {
    Shutdown,
    Events(Result<Arc<Frames>, RecvError>),
    Reply(Reply),
    Heartbeat,
    Frame(Option<Result<Message, axum::Error>>),
}

/// One websocket connection to one session.
pub(super) struct Connection<S> {
    /// The socket: a sink and a stream of messages.
    pub socket: S,
    /// The server's clock, for `pong`'s `server_time`.
    pub clock: Clock,
    /// The session.
    pub handle: SessionHandle,
    /// Rate limits and the idle timeout.
    pub limits: Arc<Limits>,
    /// Held for the connection's life: one of its IP's connection slots (which also keeps
    /// it counted by role in `/metrics`, once it has said who it is). It knows the client's
    /// address (key attempts are limited per address), so the connection does not hold it
    /// twice: every byte here is paid once per phone.
    pub slot: ConnectionSlot,
}

impl<S> Connection<S>
where
    S: Sink<Message> + Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    /// Runs the connection to its end. `session_gone` tells a deleted session (close 4004)
    /// from a stopping server (1012) when the session's broadcast ends.
    pub async fn run(mut self, shutdown: CancellationToken, session_gone: impl Fn() -> bool) {
        // The hello and the welcome run once: boxed, they take memory only while they run
        // (the future held for the connection's life is an idle phone's largest cost).
        let Some(identity) = Box::pin(self.hello()).await else {
            return;
        };
        let _presence = identity.participant.map(|p| self.handle.present(p));
        self.slot.count_as(identity.role);
        let Some(mut live) = Box::pin(self.welcome(identity)).await else {
            return;
        };
        // Ping a third of the idle timeout apart, so two unanswered pings still fit in it.
        let mut heartbeat = tokio::time::interval(self.limits.idle_timeout / 3);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Made once, on a token of this connection's own: polling `cancelled()` of the shared
        // token on every wake locked one mutex that every connection shares, which was most of
        // the server's CPU time under load (docs/benchmarks.md).
        let cancelled = shutdown.child_token().cancelled_owned();
        tokio::pin!(cancelled);
        loop {
            // Biased, in this order: a command's events are broadcast before its reply is
            // sent, so polling events first delivers them before the ack; reading the client
            // comes last, so a flood of input cannot starve its own output.
            let input = tokio::select! {
                biased;
                _ = &mut cancelled => Input::Shutdown,
                event = live.events.recv() => Input::Events(event),
                Some(reply) = live.pending.next(), if !live.pending.is_empty() => Input::Reply(reply),
                _ = heartbeat.tick() => Input::Heartbeat,
                frame = self.socket.next(), if live.pending.len() < MAX_IN_FLIGHT => Input::Frame(frame),
            };
            let step = match input {
                Input::Shutdown => Box::pin(self.on_shutdown(&mut live)).await,
                Input::Events(event) => self.on_events(&mut live, event, &session_gone).await,
                Input::Reply(reply) => self.on_reply(&mut live, reply).await,
                Input::Heartbeat => self.on_heartbeat(live.last_heard).await,
                Input::Frame(frame) => self.on_client_frame(&mut live, frame).await,
            };
            if step.is_err() {
                break;
            }
        }
    }

    /// Joins the session and sends the welcome (or the resume); `None` when it could not.
    async fn welcome(&mut self, identity: Identity) -> Option<Live> {
        let joined = self
            .handle
            .join(identity.role, identity.participant, identity.last_seq)
            .await;
        let Ok(Joined {
            frames,
            seq,
            group,
            events,
        }) = joined
        else {
            self.close(CLOSE_RESTART, "restarting").await;
            return None;
        };
        for frame in frames {
            self.send(Message::Text(frame)).await.ok()?;
        }
        Some(Live {
            limiter: self
                .limits
                .connection_limiter(identity.role == Role::Facilitator),
            identity,
            last_seq: seq,
            group,
            events,
            pending: FuturesOrdered::new(),
            last_heard: Instant::now(),
        })
    }

    /// The server is stopping: replies already on their way reach the client, then 1012.
    async fn on_shutdown(&mut self, live: &mut Live) -> Result<(), Closed> {
        while let Some((id, _, result)) = live.pending.next().await {
            let _ = self.send(reply_frame(id, result)).await;
        }
        self.close(CLOSE_RESTART, "server restarting").await;
        Err(Closed)
    }

    /// Broadcast frames: this one and those already queued behind it (up to
    /// [`MAX_FRAMES_PER_WRITE`]) go out in one write, one flush: a prompt change is two
    /// frames to every phone, a wall burst several.
    async fn on_events(
        &mut self,
        live: &mut Live,
        first: Result<Arc<Frames>, RecvError>,
        session_gone: &impl Fn() -> bool,
    ) -> Result<(), Closed> {
        let mut next = Some(first);
        let mut queued = 0;
        while let Some(event) = next.take() {
            match event {
                Ok(frames) => {
                    queued += self.feed_event(live, &frames).await?;
                    if queued < MAX_FRAMES_PER_WRITE {
                        next = try_next(&mut live.events);
                    }
                }
                Err(RecvError::Lagged(missed)) => {
                    queued += Box::pin(self.resync(live, missed)).await?;
                }
                Err(RecvError::Closed) => {
                    let _ = self.flush().await;
                    let deleted = session_gone();
                    let (code, reason) = match deleted {
                        true => (CLOSE_DELETED, "session deleted"),
                        false => (CLOSE_RESTART, "server restarting"),
                    };
                    Box::pin(self.close(code, reason)).await;
                    return Err(Closed);
                }
            }
        }
        if queued > 0 {
            self.flush().await?;
        }
        Ok(())
    }

    /// Queues this connection's frame of one broadcast, unless already seen; how many queued.
    async fn feed_event(&mut self, live: &mut Live, frames: &Frames) -> Result<usize, Closed> {
        if frames.seq.is_some_and(|seq| seq <= live.last_seq) {
            return Ok(0);
        }
        live.last_seq = frames.seq.unwrap_or(live.last_seq);
        let Some(frame) = frames.for_conn(live.identity.role, live.group.as_ref()) else {
            return Ok(0);
        };
        self.feed(Message::Text(frame.clone())).await?;
        Ok(1)
    }

    /// The connection fell more than the broadcast's capacity behind: it starts over from a
    /// fresh welcome (and a fresh subscription) instead of silently missing events.
    async fn resync(&mut self, live: &mut Live, missed: u64) -> Result<usize, Closed> {
        tracing::debug!(missed, "connection lagged; resyncing with a fresh welcome");
        self.metrics().lagged(missed);
        let Ok(joined) = self
            .handle
            .join(live.identity.role, live.identity.participant, 0)
            .await
        else {
            self.close(CLOSE_RESTART, "restarting").await;
            return Err(Closed);
        };
        live.last_seq = joined.seq;
        live.group = joined.group;
        live.events = joined.events;
        let queued = joined.frames.len();
        for frame in joined.frames {
            self.feed(Message::Text(frame)).await?;
        }
        Ok(queued)
    }

    /// A command's reply: the ack or error, and after a change of group that group's wall.
    async fn on_reply(&mut self, live: &mut Live, reply: Reply) -> Result<(), Closed> {
        let (id, moves_to, result) = reply;
        let mut new_wall = None;
        if let (Some(to), Ok(_)) = (moves_to, &result) {
            if live.group != to {
                // Another group's wall: send the whole of it.
                new_wall = Box::pin(self.handle.wall(to.clone())).await;
            }
            live.group = to;
        }
        self.send(reply_frame(id, result)).await?;
        if let Some(wall) = new_wall {
            self.send(Message::Text(wall)).await?;
        }
        Ok(())
    }

    /// Closes a connection silent for the idle timeout, else pings it.
    async fn on_heartbeat(&mut self, last_heard: Instant) -> Result<(), Closed> {
        if last_heard.elapsed() > self.limits.idle_timeout {
            tracing::debug!("connection idle; closing");
            Box::pin(self.close(CLOSE_IDLE, "idle")).await;
            return Err(Closed);
        }
        self.send(Message::Ping(Default::default())).await
    }

    /// The client's next frame (`None`: the stream ended).
    async fn on_client_frame(
        &mut self,
        live: &mut Live,
        frame: Option<Result<Message, axum::Error>>,
    ) -> Result<(), Closed> {
        live.last_heard = Instant::now();
        let limit = match live.identity.role {
            Role::Facilitator => STAFF_MESSAGE_BYTES,
            Role::Participant | Role::Screen => MAX_MESSAGE_BYTES,
        };
        let text = match frame {
            Some(Ok(Message::Text(text))) if text.len() > limit => {
                return Box::pin(self.too_big()).await;
            }
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Binary(_))) => {
                self.metrics().rejected("binary_not_supported");
                let refusal = error_frame(None, "binary_not_supported", "send JSON text frames");
                return self.send(refusal).await;
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => return Ok(()),
            Some(Ok(Message::Close(_))) => return Box::pin(self.answer_close()).await,
            None => return Err(Closed),
            Some(Err(error)) => return Box::pin(self.read_failed(read_failure(&error))).await,
        };
        self.on_text(live, &text).await
    }

    /// A text frame: decoded, checked against the role and the rate limit, then answered here
    /// (`ping`, refusals) or passed on to the session (its reply joins `pending`).
    async fn on_text(&mut self, live: &mut Live, text: &str) -> Result<(), Closed> {
        match self.answer(live, text) {
            Answer::Frame(frame) => self.send(frame).await,
            Answer::Refuse(id, code, message) => {
                self.metrics().rejected(code);
                self.send(error_frame(id, code, message)).await
            }
            Answer::Pass(id, moves_to, command) => {
                // Boxed: the queue's send future holds the whole request inline, which would
                // make every idle phone's task that much larger.
                let reply = Box::pin(self.handle.command(command)).await;
                // Taken once queued, so nothing more is held across the await above.
                let (metrics, queued) = (self.limits.metrics().clone(), std::time::Instant::now());
                live.pending.push_back(Box::pin(async move {
                    let result = reply.await.unwrap_or(Err(CommandError::Unavailable));
                    let refused = result.as_ref().err().map(CommandError::code);
                    metrics.command_answered(queued, refused);
                    (id, moves_to, result)
                }));
                Ok(())
            }
            Answer::Page(id, before) => {
                // Awaited here, not queued with the commands: until the page is sent no event
                // is forwarded, so every event the page does not reflect comes after it.
                let refusal = reply_frame(id.clone(), Err(CommandError::Unavailable));
                let build = move |s: &_| protocol::items_page(s, id, before);
                match Box::pin(self.handle.view(build)).await {
                    Some(page) => self.send(Message::Text(page)).await,
                    None => self.send(refusal).await,
                }
            }
        }
    }

    /// What to do with a text frame, decided without awaiting anything (so the decoded
    /// message is never part of the connection's future).
    fn answer(&self, live: &mut Live, text: &str) -> Answer {
        const SLOW_DOWN: &str = "too many requests; slow down a little";
        let message = match ClientMessage::decode(text) {
            Ok(message) => message,
            Err(e) => {
                return match e.for_role {
                    Some(role) if role != live.identity.role => {
                        Answer::Refuse(e.id, "forbidden", "your role may not do that".into())
                    }
                    _ => Answer::Refuse(e.id, e.code, e.message.into()),
                };
            }
        };
        let limited = |live: &Live| {
            let limited = live.limiter.check().is_err();
            if limited {
                self.metrics().rate_limited(Limited::Command);
            }
            limited
        };
        if let ClientMessage::Items { id, before } = message {
            return match live.identity.role {
                Role::Facilitator if limited(live) => {
                    Answer::Refuse(id, "rate_limited", SLOW_DOWN.into())
                }
                Role::Facilitator => Answer::Page(id, before),
                _ => Answer::Refuse(id, "forbidden", "only the facilitator may do that".into()),
            };
        }
        let id = match &message {
            ClientMessage::Hello(_) => None,
            ClientMessage::Items { id, .. }
            | ClientMessage::Ping { id }
            | ClientMessage::Participant { id, .. }
            | ClientMessage::Facilitator { id, .. } => id.clone(),
        };
        match command_for(&live.identity, message) {
            Ok(Some(_)) if limited(live) => Answer::Refuse(id, "rate_limited", SLOW_DOWN.into()),
            Ok(Some(command)) => {
                let moves_to = match &command {
                    Command::ChooseGroup { group_id, .. } => Some(group_id.clone()),
                    _ => None,
                };
                Answer::Pass(id, moves_to, command)
            }
            Ok(None) => {
                let server_time = self.clock.now_ms();
                Answer::Frame(Message::Text(
                    ServerMessage::Pong { id, server_time }.to_json().into(),
                ))
            }
            Err((code, message)) => Answer::Refuse(id, code, message.into()),
        }
    }

    /// A frame over the size limit: say so, close with 1009.
    async fn too_big(&mut self) -> Result<(), Closed> {
        self.metrics().rejected("frame_too_large");
        let refusal = error_frame(None, "frame_too_large", "frames are limited to 16 KiB");
        let _ = self.send(refusal).await;
        self.close(CLOSE_TOO_BIG, "frame too large").await;
        Err(Closed)
    }

    /// The client's close frame: the library queued the answering close frame; flushing it
    /// completes the closing handshake (RFC 6455 §5.5.1), so the client sees a clean close,
    /// not 1006. The connection is over.
    async fn answer_close(&mut self) -> Result<(), Closed> {
        let closing = SinkExt::close(&mut self.socket);
        let _ = Box::pin(tokio::time::timeout(SEND_TIMEOUT, closing)).await;
        Err(Closed)
    }

    /// A read failed: the client is told why with the close code its fault earns (1009, 1002,
    /// 1007), as a close frame rather than a dropped connection. The connection is over.
    async fn read_failed(&mut self, failure: ReadFailure) -> Result<(), Closed> {
        match failure {
            ReadFailure::TooBig => return Box::pin(self.too_big()).await,
            ReadFailure::Protocol(reason) => self.close(CLOSE_PROTOCOL, reason).await,
            ReadFailure::InvalidUtf8 => self.close(CLOSE_INVALID_DATA, "invalid UTF-8").await,
            ReadFailure::Gone => {}
        }
        Err(Closed)
    }

    /// What the server counts (reached through the limits, so that a phone's task holds no
    /// extra pointer: its future's size is budgeted, see `tests.rs`).
    fn metrics(&self) -> &Metrics {
        self.limits.metrics()
    }

    /// Sends one frame, giving up on a client that does not take it in time.
    async fn send(&mut self, message: Message) -> Result<(), Closed> {
        self.metrics().sent(payload_len(&message));
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
        self.metrics().sent(payload_len(&message));
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
        tracing::Span::current().record("close_code", code);
        let reason = Utf8Bytes::from_static(reason);
        let frame = Message::Close(Some(CloseFrame { code, reason }));
        if self.send(frame).await.is_err() {
            return;
        }
        let _ = tokio::time::timeout(CLOSE_DRAIN, async {
            while let Some(Ok(message)) = self.socket.next().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
}

/// A message's payload in bytes, as counted in `paja_sent_bytes_total` (framing not included).
fn payload_len(message: &Message) -> usize {
    match message {
        Message::Text(text) => text.len(),
        Message::Binary(bytes) | Message::Ping(bytes) | Message::Pong(bytes) => bytes.len(),
        Message::Close(frame) => frame.as_ref().map_or(0, |f| 2 + f.reason.len()),
    }
}
