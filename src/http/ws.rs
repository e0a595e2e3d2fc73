//! One websocket connection: hello, welcome (or resume), then commands in and events out.
//!
//! The loop waits on several things at once: the client's next frame, the session's next
//! broadcast, the replies to commands it has passed on, a heartbeat, and shutdown. Replies are
//! awaited concurrently so one phone may have several items in flight (bounded by
//! [`MAX_IN_FLIGHT`]). Everything is bounded: frame size, commands per second, time a send
//! may take (a phone that stops reading is dropped, not buffered for), and how far a
//! connection may lag behind the broadcast (then it gets a fresh welcome).

mod connection;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use super::{client_ip, lookup, ApiError, AppState};
use connection::Connection;

/// Largest websocket message or frame accepted, in bytes (axum's default is 64 MiB).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
/// Largest message a facilitator's console may send after its hello, in bytes: one command
/// may carry 500 item ids (`add_theme`, `set_item_theme`: 20 KB) or a prompt's notes (20,000
/// characters), which a phone's [`MAX_MESSAGE_BYTES`] would refuse. The console holds the
/// key, and this is still no more than the library reads anyway.
pub const STAFF_MESSAGE_BYTES: usize = HARD_MAX_MESSAGE_BYTES;
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
    // Cross-site websocket hijacking: a browser always sends `Origin`, and it must be ours or
    // allowed (`trust`). Clients with none (load tools, tests) act for no victim.
    let origin = headers
        .get(header::ORIGIN)
        .map(|o| o.to_str().unwrap_or("null"));
    if origin.is_some_and(|o| !state.settings.origin_allowed(o, &headers)) {
        return ApiError::OriginNotAllowed.into_response();
    }
    let ip = client_ip(&state, peer, &headers);
    let handle = match lookup(&state, ip, &slug).await {
        Ok(handle) => handle,
        Err(e) => return e.into_response(),
    };
    let Some(slot) = state.limits.connect(ip) else {
        return ApiError::TooManyConnections.into_response();
    };
    // The request's span (its id): the connection's lines are logged in a child of it.
    let request_span = tracing::Span::current();
    let shutdown = state.hub.shutdown_token().clone();
    let hub = state.hub.clone();
    let limits = state.limits.clone();
    ws.max_message_size(HARD_MAX_MESSAGE_BYTES)
        .max_frame_size(HARD_MAX_MESSAGE_BYTES)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| async move {
            let conn = uuid::Uuid::new_v4();
            let span = tracing::debug_span!(
                parent: &request_span,
                "ws",
                session = %handle.slug(),
                %conn,
                close_code = tracing::field::Empty,
            );
            let connection = Connection {
                socket,
                clock: hub.clock(),
                handle,
                limits,
                slot,
            };
            let gone = {
                let hub = hub.clone();
                let slug = connection.handle.slug().clone();
                move || !hub.exists(slug.as_str())
            };
            // Spawned, not awaited here: axum's upgrade task (its handshake state and this
            // closure) ends now, and the phone costs only its connection's own future.
            let opened = tokio::time::Instant::now();
            hub.spawn_connection(tracing::Instrument::instrument(
                async move {
                    connection.run(shutdown, gone).await;
                    let duration_ms = u64::try_from(opened.elapsed().as_millis()).unwrap_or(0);
                    // `close_code` (in the span) is ours; none: the client closed or vanished.
                    tracing::debug!(duration_ms, "websocket closed");
                },
                span,
            ));
        })
}
