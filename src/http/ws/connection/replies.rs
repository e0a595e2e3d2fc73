//! The frames a connection answers with by itself (acks, errors), what a decoded frame asks
//! of the session, and how a failed read ends: which close code a broken frame earns.

use std::sync::Arc;

use axum::extract::ws::Message;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

use super::Identity;
use crate::hub::{CommandError, Frames};
use crate::protocol::{ClientMessage, RequestId, Role, ServerMessage};
use crate::session::Command;

/// The next broadcast already waiting, without waiting for one.
pub(super) fn try_next(
    events: &mut broadcast::Receiver<Arc<Frames>>,
) -> Option<Result<Arc<Frames>, RecvError>> {
    match events.try_recv() {
        Ok(frames) => Some(Ok(frames)),
        Err(TryRecvError::Empty) => None,
        Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
        Err(TryRecvError::Closed) => Some(Err(RecvError::Closed)),
    }
}

/// Close code: the client broke the websocket protocol (RFC 6455 §7.4.1, 1002).
pub(super) const CLOSE_PROTOCOL: u16 = 1002;
/// Close code: a text message (or a close reason) that is not UTF-8 (RFC 6455 §7.4.1, 1007).
pub(super) const CLOSE_INVALID_DATA: u16 = 1007;

/// Why a read failed, as far as the client deserves to be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReadFailure {
    /// A message or frame over the hard limit: `frame_too_large`, then 1009.
    TooBig,
    /// A frame that breaks RFC 6455: close 1002 with the reason.
    Protocol(&'static str),
    /// Text that is not UTF-8: close 1007.
    InvalidUtf8,
    /// The connection itself is gone (reset, I/O): nothing can be sent.
    Gone,
}

/// Sorts a failed read by what the client is told (see docs/protocol.md "Close codes").
pub(super) fn read_failure(error: &axum::Error) -> ReadFailure {
    use tokio_tungstenite::tungstenite::{error::CapacityError, error::ProtocolError, Error};
    let inner: &(dyn std::error::Error + 'static) = error;
    match inner.source().and_then(|e| e.downcast_ref::<Error>()) {
        Some(Error::Capacity(CapacityError::MessageTooLong { .. })) => ReadFailure::TooBig,
        Some(Error::Utf8(_)) => ReadFailure::InvalidUtf8,
        // The peer closed the TCP connection without a close frame: nobody to tell.
        Some(Error::Protocol(ProtocolError::ResetWithoutClosingHandshake)) => ReadFailure::Gone,
        Some(Error::Protocol(problem)) => ReadFailure::Protocol(match problem {
            ProtocolError::UnexpectedContinueFrame => "unexpected continuation frame",
            ProtocolError::ExpectedFragment(_) => "expected a continuation frame",
            ProtocolError::NonZeroReservedBits => "reserved bits set",
            ProtocolError::UnmaskedFrameFromClient => "unmasked frame",
            ProtocolError::FragmentedControlFrame | ProtocolError::ControlFrameTooBig => {
                "bad control frame"
            }
            ProtocolError::UnknownControlFrameType(_)
            | ProtocolError::UnknownDataFrameType(_)
            | ProtocolError::InvalidOpcode(_) => "unknown opcode",
            ProtocolError::InvalidCloseSequence => "bad close frame",
            _ => "protocol error",
        }),
        _ => ReadFailure::Gone,
    }
}

/// What a decoded frame asks of the session (`None`: a ping, answered here), or why this
/// role may not send it.
pub(super) fn command_for(
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
        // Answered by the connection itself (see `Connection::answer`); never a command.
        ClientMessage::Items { .. } => Err(("forbidden", "only the facilitator may do that")),
    }
}

/// The frame answering a command: `ack` with its seq, or `error`.
pub(super) fn reply_frame(id: Option<RequestId>, result: Result<u64, CommandError>) -> Message {
    match result {
        Ok(seq) => Message::Text(ServerMessage::Ack { id, seq }.to_json().into()),
        Err(error) => error_frame(id, error.code(), error.to_string()),
    }
}

/// An `error` frame.
pub(super) fn error_frame(
    id: Option<RequestId>,
    code: &str,
    message: impl Into<String>,
) -> Message {
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
