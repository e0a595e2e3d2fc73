//! The websocket wire contract: what clients send, what the server answers, and which role
//! sees which event. `docs/protocol.md` is the prose version, with an example of each message.
//!
//! Every frame is a JSON text frame holding one object with a `"type"` field. The projector
//! page is public (anyone with the address can open it), so it never receives participant
//! ids; the facilitator sees pseudonyms only; a participant's own id never leaves its hello.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::session::{
    Event, Item, ItemId, Language, Millis, Prompt, PromptDraft, PromptId, PromptState, Session,
    Stamped,
};

/// The protocol version a client speaks in `hello`; bumped on incompatible changes.
pub const PROTOCOL_VERSION: u32 = 1;

/// Longest request id a client may attach, in bytes.
pub const REQUEST_ID_MAX: usize = 64;

/// Who is on the other end of a websocket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A phone: sees the current prompt and its own items; may only submit.
    Participant,
    /// The facilitator's console: sees everything and runs the session (needs the key).
    Facilitator,
    /// The projector: sees the current prompt and its visible items; sends nothing.
    Screen,
}

/// A frame from a client.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// The first frame on every connection.
    Hello {
        /// The protocol version the client speaks (absent means 1).
        #[serde(default)]
        protocol: Option<u32>,
        /// Who the client is.
        role: Role,
        /// The device's anonymous id (participants).
        #[serde(default)]
        participant_id: Option<Uuid>,
        /// The last `seq` the client has seen (0 for none).
        #[serde(default)]
        last_seq: u64,
        /// The facilitator key (facilitators).
        #[serde(default)]
        key: Option<String>,
    },
    /// A participant's item.
    Submit {
        /// Made by the device; a resend with the same id is stored once.
        id: Uuid,
        /// The prompt it answers.
        prompt_id: PromptId,
        /// The text, at most 280 characters after trimming.
        text: String,
    },
    /// Facilitator: add a draft prompt to the agenda.
    AddPrompt {
        /// Request id echoed in the ack or error.
        #[serde(default)]
        id: Option<String>,
        /// The prompt's content.
        prompt: PromptDraft,
    },
    /// Facilitator: change a prompt's content.
    UpdatePrompt {
        /// Request id.
        #[serde(default)]
        id: Option<String>,
        /// Which prompt.
        prompt_id: PromptId,
        /// The new content.
        prompt: PromptDraft,
    },
    /// Facilitator: remove a draft prompt.
    DeletePrompt {
        /// Request id.
        #[serde(default)]
        id: Option<String>,
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Facilitator: open a prompt on every phone.
    OpenPrompt {
        /// Request id.
        #[serde(default)]
        id: Option<String>,
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Facilitator: stop accepting items for a prompt.
    ClosePrompt {
        /// Request id.
        #[serde(default)]
        id: Option<String>,
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Facilitator: take an item off the projector.
    HideItem {
        /// Request id.
        #[serde(default)]
        id: Option<String>,
        /// Which item.
        item_id: ItemId,
    },
    /// Facilitator: show a hidden item again.
    UnhideItem {
        /// Request id.
        #[serde(default)]
        id: Option<String>,
        /// Which item.
        item_id: ItemId,
    },
    /// Any role: a liveness check; answered with `pong`.
    Ping {
        /// Request id.
        #[serde(default)]
        id: Option<String>,
    },
}

/// Every `type` a client may send, for telling an unknown type from a malformed known one.
const CLIENT_TYPES: &[&str] = &[
    "hello",
    "submit",
    "add_prompt",
    "update_prompt",
    "delete_prompt",
    "open_prompt",
    "close_prompt",
    "hide_item",
    "unhide_item",
    "ping",
];

/// Why a frame could not be read; each is a distinct wire code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The request id found in the frame, if any could be read.
    pub id: Option<String>,
    /// `invalid_json`, `unknown_type` or `invalid_message`.
    pub code: &'static str,
    /// A human-readable reason.
    pub message: String,
}

impl ClientMessage {
    /// Parses one text frame, telling bad JSON, an unknown type and bad fields apart.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        match serde_json::from_str::<ClientMessage>(text) {
            Ok(message) => Ok(message),
            Err(err) => Err(classify(text, err)),
        }
    }

    /// The request id, if the message carries one.
    pub fn request_id(&self) -> Option<String> {
        match self {
            ClientMessage::Hello { .. } => None,
            ClientMessage::Submit { id, .. } => Some(id.to_string()),
            ClientMessage::AddPrompt { id, .. }
            | ClientMessage::UpdatePrompt { id, .. }
            | ClientMessage::DeletePrompt { id, .. }
            | ClientMessage::OpenPrompt { id, .. }
            | ClientMessage::ClosePrompt { id, .. }
            | ClientMessage::HideItem { id, .. }
            | ClientMessage::UnhideItem { id, .. }
            | ClientMessage::Ping { id } => id.as_deref().map(truncate_id),
        }
    }
}

fn truncate_id(id: &str) -> String {
    id.chars().take(REQUEST_ID_MAX).collect()
}

/// Only runs on the error path, so re-parsing as a generic value costs nothing normally.
fn classify(text: &str, err: serde_json::Error) -> DecodeError {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return DecodeError {
            id: None,
            code: "invalid_json",
            message: "the frame is not valid JSON".into(),
        };
    };
    let id = value.get("id").and_then(|v| v.as_str()).map(truncate_id);
    let Some(kind) = value.get("type").and_then(|t| t.as_str()) else {
        return DecodeError {
            id,
            code: "unknown_type",
            message: "the frame has no \"type\" field".into(),
        };
    };
    if !CLIENT_TYPES.contains(&kind) {
        return DecodeError {
            id,
            code: "unknown_type",
            message: format!("unknown message type {:?}", truncate_id(kind)),
        };
    }
    DecodeError {
        id,
        code: "invalid_message",
        message: format!("invalid {kind}: {err}"),
    }
}

/// The session as every role sees it.
#[derive(Debug, Serialize)]
pub struct SessionView<'a> {
    /// The short name.
    pub slug: &'a str,
    /// The workshop's title.
    pub title: &'a str,
    /// Default UI language.
    pub language: Language,
}

/// An item as a role may see it.
#[derive(Debug, Serialize)]
pub struct ItemView<'a> {
    /// The item id.
    pub id: ItemId,
    /// Its prompt.
    pub prompt_id: &'a PromptId,
    /// The text.
    pub text: &'a str,
    /// When it was accepted, ms since the epoch.
    pub created_at: Millis,
    /// Whether the facilitator hid it.
    pub hidden: bool,
    /// The seq of its `item_added`.
    pub seq: u64,
    /// The sender's pseudonym (facilitator only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

impl<'a> ItemView<'a> {
    /// The view for `role`: only the facilitator learns the author's pseudonym.
    pub fn new(item: &'a Item, role: Role) -> Self {
        Self {
            id: item.id,
            prompt_id: &item.prompt_id,
            text: &item.text,
            created_at: item.created_at,
            hidden: item.hidden,
            seq: item.seq,
            author: (role == Role::Facilitator).then(|| item.participant.pseudonym()),
        }
    }
}

/// A frame from the server.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage<'a> {
    /// The answer to `hello`: everything this role may see now.
    Welcome {
        /// The server's protocol version.
        protocol: u32,
        /// The role the server accepted.
        role: Role,
        /// The last event already reflected in this state.
        seq: u64,
        /// The server's clock, ms since the epoch, for countdowns on phones with wrong clocks.
        server_time: Millis,
        /// Name, title, language.
        session: SessionView<'a>,
        /// The prompt phones show now.
        prompt: Option<&'a Prompt>,
        /// The whole agenda (facilitator only).
        #[serde(skip_serializing_if = "Option::is_none")]
        prompts: Option<&'a [Prompt]>,
        /// Items: the facilitator gets all, the screen the current prompt's visible ones,
        /// a participant its own for the current prompt.
        items: Vec<ItemView<'a>>,
        /// Participants connected now (facilitator and screen).
        #[serde(skip_serializing_if = "Option::is_none")]
        participants: Option<usize>,
    },
    /// A submission or facilitator command was accepted (and is durable on disk).
    Ack {
        /// The item id or request id.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The event that made the change (for a resent item, the original one).
        seq: u64,
    },
    /// A frame was refused; nothing changed.
    Error {
        /// The item id or request id, when the frame had one.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// Stable snake_case code.
        code: &'a str,
        /// Human-readable reason (English; clients show their own translation of `code`).
        message: String,
    },
    /// The answer to `ping`.
    Pong {
        /// The request id.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// The server's clock.
        server_time: Millis,
    },
    /// How many participants are connected (facilitator and screen; at most once a second).
    Presence {
        /// Distinct participants with at least one open connection.
        participants: usize,
    },
    /// A draft was added (facilitator).
    PromptAdded {
        /// Event sequence number.
        seq: u64,
        /// The new prompt.
        prompt: &'a Prompt,
    },
    /// A prompt's content changed (facilitator; everyone once it has been opened).
    PromptUpdated {
        /// Event sequence number.
        seq: u64,
        /// The prompt as it is now.
        prompt: &'a Prompt,
    },
    /// A draft was deleted (facilitator).
    PromptDeleted {
        /// Event sequence number.
        seq: u64,
        /// Which prompt.
        prompt_id: &'a PromptId,
    },
    /// A prompt is now open (everyone).
    PromptOpened {
        /// Event sequence number.
        seq: u64,
        /// The prompt, with `opened_at` and `time_limit_secs` for the countdown.
        prompt: &'a Prompt,
        /// The server's clock when it opened.
        server_time: Millis,
    },
    /// A prompt stopped accepting items (everyone).
    PromptClosed {
        /// Event sequence number.
        seq: u64,
        /// The prompt, now closed.
        prompt: &'a Prompt,
    },
    /// An item was accepted (facilitator and screen).
    ItemAdded {
        /// Event sequence number.
        seq: u64,
        /// The item.
        item: ItemView<'a>,
    },
    /// An item was hidden (facilitator and screen).
    ItemHidden {
        /// Event sequence number.
        seq: u64,
        /// Which item.
        item_id: ItemId,
        /// Its prompt.
        prompt_id: &'a PromptId,
    },
    /// A hidden item is shown again (facilitator and screen).
    ItemUnhidden {
        /// Event sequence number.
        seq: u64,
        /// The item.
        item: ItemView<'a>,
    },
}

impl ServerMessage<'_> {
    /// Serializes to a JSON text frame.
    pub fn to_json(&self) -> String {
        // Serializing these plain structs cannot fail: no maps with non-string keys, no I/O.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

/// Builds the welcome for `role`.
pub fn welcome(
    session: &Session,
    role: Role,
    participant: Option<&crate::session::ParticipantId>,
    participants_online: usize,
    now: Millis,
) -> String {
    let current = session.current_prompt();
    let items: Vec<ItemView<'_>> = match role {
        Role::Facilitator => session
            .items()
            .iter()
            .map(|i| ItemView::new(i, role))
            .collect(),
        Role::Screen => match current {
            Some(prompt) => session
                .items()
                .iter()
                .filter(|i| i.prompt_id == prompt.id && !i.hidden)
                .map(|i| ItemView::new(i, role))
                .collect(),
            None => Vec::new(),
        },
        Role::Participant => match (current, participant) {
            (Some(prompt), Some(who)) => session
                .items_of(who)
                .filter(|i| i.prompt_id == prompt.id)
                .map(|i| ItemView::new(i, role))
                .collect(),
            _ => Vec::new(),
        },
    };
    ServerMessage::Welcome {
        protocol: PROTOCOL_VERSION,
        role,
        seq: session.seq(),
        server_time: now,
        session: SessionView {
            slug: session.meta.slug.as_str(),
            title: &session.meta.title,
            language: session.meta.language,
        },
        prompt: current,
        prompts: (role == Role::Facilitator).then(|| session.prompts()),
        items,
        participants: (role != Role::Participant).then_some(participants_online),
    }
    .to_json()
}

/// One event, serialized once for each audience that may see it (`None`: not sent to them).
#[derive(Debug, Clone, Default)]
pub struct EventFrames {
    /// The event's sequence number.
    pub seq: u64,
    /// For phones.
    pub participant: Option<String>,
    /// For the projector.
    pub screen: Option<String>,
    /// For the facilitator console.
    pub facilitator: Option<String>,
}

impl EventFrames {
    /// The frame for `role`, if it may see this event.
    pub fn for_role(&self, role: Role) -> Option<&String> {
        match role {
            Role::Participant => self.participant.as_ref(),
            Role::Screen => self.screen.as_ref(),
            Role::Facilitator => self.facilitator.as_ref(),
        }
    }
}

/// Serializes an event for each audience. Roles that see the same view share one string.
pub fn event_frames(stamped: &Stamped, now: Millis) -> EventFrames {
    let seq = stamped.seq;
    let everyone = |message: ServerMessage<'_>| {
        let json = message.to_json();
        EventFrames {
            seq,
            participant: Some(json.clone()),
            screen: Some(json.clone()),
            facilitator: Some(json),
        }
    };
    match &stamped.event {
        Event::PromptAdded(prompt) => EventFrames {
            seq,
            facilitator: Some(ServerMessage::PromptAdded { seq, prompt }.to_json()),
            ..Default::default()
        },
        Event::PromptUpdated(prompt) => {
            let message = ServerMessage::PromptUpdated { seq, prompt };
            if prompt.state == PromptState::Draft {
                EventFrames {
                    seq,
                    facilitator: Some(message.to_json()),
                    ..Default::default()
                }
            } else {
                everyone(message)
            }
        }
        Event::PromptDeleted(prompt_id) => EventFrames {
            seq,
            facilitator: Some(ServerMessage::PromptDeleted { seq, prompt_id }.to_json()),
            ..Default::default()
        },
        Event::PromptOpened(prompt) => everyone(ServerMessage::PromptOpened {
            seq,
            prompt,
            server_time: now,
        }),
        Event::PromptClosed(prompt) => everyone(ServerMessage::PromptClosed { seq, prompt }),
        Event::ItemAdded(item) => staff_only(seq, |role| ServerMessage::ItemAdded {
            seq,
            item: ItemView::new(item, role),
        }),
        Event::ItemHidden(item) => {
            let json = ServerMessage::ItemHidden {
                seq,
                item_id: item.id,
                prompt_id: &item.prompt_id,
            }
            .to_json();
            EventFrames {
                seq,
                participant: None,
                screen: Some(json.clone()),
                facilitator: Some(json),
            }
        }
        Event::ItemUnhidden(item) => staff_only(seq, |role| ServerMessage::ItemUnhidden {
            seq,
            item: ItemView::new(item, role),
        }),
    }
}

/// Frames for the projector and the facilitator, who see an item differently (pseudonyms).
fn staff_only<'a>(seq: u64, view: impl Fn(Role) -> ServerMessage<'a>) -> EventFrames {
    EventFrames {
        seq,
        participant: None,
        screen: Some(view(Role::Screen).to_json()),
        facilitator: Some(view(Role::Facilitator).to_json()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hello_and_submit_decode_from_the_documented_json() {
        let hello = ClientMessage::decode(
            r#"{"type":"hello","role":"participant","participant_id":"6f1c1f0e-8a4b-4d57-9a56-1a1e7c9e2b10","last_seq":0}"#,
        )
        .unwrap();
        assert!(matches!(
            hello,
            ClientMessage::Hello {
                role: Role::Participant,
                participant_id: Some(_),
                ..
            }
        ));
        let submit = ClientMessage::decode(
            r#"{"type":"submit","id":"0b7e4a52-3f0c-4c7e-9d8a-2f5b8c1d9e01","prompt_id":"p1","text":"Ohjaamo"}"#,
        )
        .unwrap();
        assert_eq!(
            submit.request_id().as_deref(),
            Some("0b7e4a52-3f0c-4c7e-9d8a-2f5b8c1d9e01")
        );
    }

    #[test]
    fn decode_errors_are_told_apart() {
        assert_eq!(
            ClientMessage::decode("{nope").unwrap_err().code,
            "invalid_json"
        );
        let e = ClientMessage::decode(r#"{"type":"fly","id":"r1"}"#).unwrap_err();
        assert_eq!((e.code, e.id.as_deref()), ("unknown_type", Some("r1")));
        assert_eq!(
            ClientMessage::decode(r#"{"x":1}"#).unwrap_err().code,
            "unknown_type"
        );
        let e = ClientMessage::decode(
            r#"{"type":"submit","id":"not-a-uuid","prompt_id":"p1","text":"x"}"#,
        )
        .unwrap_err();
        assert_eq!(e.code, "invalid_message");
    }

    #[test]
    fn server_frames_match_the_documented_json() {
        let ack = ServerMessage::Ack {
            id: Some("abc".into()),
            seq: 7,
        };
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&ack.to_json()).unwrap(),
            json!({"type":"ack","id":"abc","seq":7})
        );
        let err = ServerMessage::Error {
            id: None,
            code: "prompt_closed",
            message: "this prompt is closed".into(),
        };
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&err.to_json()).unwrap(),
            json!({"type":"error","code":"prompt_closed","message":"this prompt is closed"})
        );
    }
}
