//! The hello: the first frame says who the client is (a phone with its participant id, the
//! facilitator with the key, the projector), and is checked before anything is joined.

use axum::extract::ws::Message;
use futures_util::{Sink, Stream, StreamExt};

use super::super::CLOSE_POLICY;
use super::replies::{error_frame, read_failure};
use super::{Connection, Identity, Refusal, HELLO_TIMEOUT, MAX_MESSAGE_BYTES};
use crate::protocol::{ClientMessage, Hello, Role, PROTOCOL_VERSION};
use crate::session::ParticipantId;

impl<S> Connection<S>
where
    S: Sink<Message> + Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    /// Reads and checks the hello. On refusal the client has been told why.
    pub(super) async fn hello(&mut self) -> Option<Identity> {
        let refusal = match self.read_hello().await {
            Ok(hello) => match self.admit(hello) {
                Ok(identity) => return Some(identity),
                Err(refusal) => refusal,
            },
            Err(Some(refusal)) => refusal,
            Err(None) => return None,
        };
        let (id, code, message) = refusal;
        self.metrics().rejected(code);
        let _ = self.send(error_frame(id, code, message)).await;
        self.close(CLOSE_POLICY, "hello refused").await;
        None
    }

    /// The first frame, if it is a hello (`Err(None)`: the client left without one).
    async fn read_hello(&mut self) -> Result<Hello, Option<Refusal>> {
        let not_hello = || {
            Some((
                None,
                "hello_required",
                "the first frame must be a hello".into(),
            ))
        };
        // Each way out that is not a refusal has already told the client (a close frame) or
        // found it gone: `Err(None)`.
        let text = match tokio::time::timeout(HELLO_TIMEOUT, self.socket.next()).await {
            // The same limit as every other frame: a hello is not read past 16 KiB.
            Ok(Some(Ok(Message::Text(text)))) if text.len() > MAX_MESSAGE_BYTES => {
                let _ = Box::pin(self.too_big()).await;
                return Err(None);
            }
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(Message::Close(_)))) => {
                let _ = Box::pin(self.answer_close()).await;
                return Err(None);
            }
            Ok(Some(Ok(_))) => return Err(not_hello()),
            Ok(Some(Err(error))) => {
                let _ = Box::pin(self.read_failed(read_failure(&error))).await;
                return Err(None);
            }
            Ok(None) => return Err(None),
            Err(_) => {
                return Err(Some((
                    None,
                    "hello_timeout",
                    "no hello within 10 seconds".into(),
                )))
            }
        };
        match ClientMessage::decode(&text) {
            Ok(ClientMessage::Hello(hello)) => Ok(hello),
            Ok(_) => Err(not_hello()),
            Err(e) => Err(Some((e.id, e.code, e.message))),
        }
    }

    /// Who the hello says the client is, if it may be that.
    fn admit(&self, hello: Hello) -> Result<Identity, Refusal> {
        let refuse = |code, message: &str| Err((None, code, message.to_string()));
        if hello.protocol.unwrap_or(1) > PROTOCOL_VERSION {
            return refuse("unsupported_protocol", "this server speaks protocol 1");
        }
        let participant = match hello.role {
            Role::Participant => match hello.participant_id {
                Some(id) => Some(ParticipantId(id)),
                None => {
                    let why = "a participant's hello needs its participant_id";
                    return refuse("participant_id_required", why);
                }
            },
            Role::Facilitator => {
                let key = hello.key.unwrap_or_default();
                if key.is_empty() {
                    return refuse("key_required", "the facilitator key is missing");
                }
                // Checked before the key, so guessing costs time whatever the guess.
                if !self.limits.may_check_key(self.slot.ip()) {
                    let why = "too many key attempts from your address; wait a minute";
                    return refuse("rate_limited", why);
                }
                if !self.handle.verify_key(&key) {
                    return refuse("invalid_key", "wrong facilitator key");
                }
                None
            }
            Role::Screen => None,
        };
        Ok(Identity {
            role: hello.role,
            participant,
            last_seq: hello.last_seq,
        })
    }
}
