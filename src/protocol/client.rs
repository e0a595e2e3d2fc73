//! Frames from clients: the `hello`, `ping`, and what each role may ask, decoded so that a
//! bad frame, an unknown type and a known type with bad fields are told apart.

use serde::Deserialize;
use uuid::Uuid;

use super::{FacilitatorAction, RequestId, Role, REQUEST_ID_MAX};
use crate::session::{Command, GroupId, ItemId, ParticipantId, PromptId};

/// The first frame on every connection.
#[derive(Debug, Clone, Deserialize)]
pub struct Hello {
    /// The protocol version the client speaks (absent means 1).
    #[serde(default)]
    pub protocol: Option<u32>,
    /// Who the client is.
    pub role: Role,
    /// The device's anonymous id (participants).
    #[serde(default)]
    pub participant_id: Option<Uuid>,
    /// The last `seq` the client has seen (0 for none).
    #[serde(default)]
    pub last_seq: u64,
    /// The facilitator key (facilitators).
    #[serde(default)]
    pub key: Option<String>,
}

/// What a participant may do. The server adds who is doing it.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParticipantAction {
    /// An item for a brainstorm or word cloud.
    Submit {
        /// Made by the device; a resend with the same id is stored once.
        id: Uuid,
        /// The prompt it answers.
        prompt_id: PromptId,
        /// The text: at most 280 characters (word cloud: 40) after trimming.
        text: String,
        /// The column, when the brainstorm has columns.
        #[serde(default)]
        column: Option<u8>,
        /// An optional name on a question (questions prompts that take names; at most 40
        /// characters, empty meaning none).
        #[serde(default)]
        name: Option<String>,
    },
    /// A poll answer.
    Vote {
        /// The poll.
        prompt_id: PromptId,
        /// Chosen option indexes (exactly one for single choice).
        options: Vec<u8>,
    },
    /// Take one's poll answer back (see [`Command::WithdrawVote`]).
    WithdrawVote {
        /// The poll.
        prompt_id: PromptId,
    },
    /// A rating of one scale statement.
    Rate {
        /// The scale.
        prompt_id: PromptId,
        /// Statement index.
        statement: u8,
        /// 1..=N.
        value: u8,
    },
    /// One dot on a ballot item.
    PlaceDot {
        /// The vote.
        prompt_id: PromptId,
        /// The item.
        item_id: ItemId,
    },
    /// Take one dot back.
    RemoveDot {
        /// The vote.
        prompt_id: PromptId,
        /// The item.
        item_id: ItemId,
    },
    /// Place a ballot item on a matrix, or move it.
    Place {
        /// The matrix.
        prompt_id: PromptId,
        /// The item.
        item_id: ItemId,
        /// Horizontal position, 1..=5.
        x: u8,
        /// Vertical position, 1..=5.
        y: u8,
    },
    /// Take a placement back.
    Unplace {
        /// The matrix.
        prompt_id: PromptId,
        /// The item.
        item_id: ItemId,
    },
    /// Like or un-like an item on the wall.
    Like {
        /// The item.
        item_id: ItemId,
        /// Like (true) or take it back (false).
        liked: bool,
    },
    /// Take back one's own item while its prompt is open (see [`Command::WithdrawItem`]).
    Withdraw {
        /// The item.
        item_id: ItemId,
    },
    /// Pick a group, or `null` to leave it.
    ChooseGroup {
        /// The group.
        group_id: Option<GroupId>,
    },
}

impl ParticipantAction {
    /// The session command, done by `participant`.
    pub fn into_command(self, participant: ParticipantId) -> Command {
        match self {
            ParticipantAction::Submit {
                id,
                prompt_id,
                text,
                column,
                name,
            } => Command::Submit {
                participant,
                item_id: ItemId(id),
                prompt_id,
                text,
                column,
                // An empty name is none, also in the journal.
                name: name.filter(|n| !n.trim().is_empty()),
            },
            ParticipantAction::Vote { prompt_id, options } => Command::Vote {
                participant,
                prompt_id,
                options,
            },
            ParticipantAction::WithdrawVote { prompt_id } => Command::WithdrawVote {
                participant,
                prompt_id,
            },
            ParticipantAction::Rate {
                prompt_id,
                statement,
                value,
            } => Command::Rate {
                participant,
                prompt_id,
                statement,
                value,
            },
            ParticipantAction::PlaceDot { prompt_id, item_id } => Command::PlaceDot {
                participant,
                prompt_id,
                item_id,
            },
            ParticipantAction::RemoveDot { prompt_id, item_id } => Command::RemoveDot {
                participant,
                prompt_id,
                item_id,
            },
            ParticipantAction::Place {
                prompt_id,
                item_id,
                x,
                y,
            } => Command::Place {
                participant,
                prompt_id,
                item_id,
                x,
                y,
            },
            ParticipantAction::Unplace { prompt_id, item_id } => Command::Unplace {
                participant,
                prompt_id,
                item_id,
            },
            ParticipantAction::Like { item_id, liked } => Command::Like {
                participant,
                item_id,
                liked,
            },
            ParticipantAction::Withdraw { item_id } => Command::WithdrawItem {
                participant,
                item_id,
            },
            ParticipantAction::ChooseGroup { group_id } => Command::ChooseGroup {
                participant,
                group_id,
            },
        }
    }
}

/// A decoded frame from a client.
#[derive(Debug, Clone)]
pub enum ClientMessage {
    /// The first frame.
    Hello(Hello),
    /// A liveness check; answered with `pong`.
    Ping {
        /// Request id.
        id: Option<RequestId>,
    },
    /// The facilitator asks for a page of older items (its welcome carries only the newest).
    Items {
        /// Request id.
        id: Option<RequestId>,
        /// Items with a `seq` below this one (the welcome's or the last page's `items_before`).
        before: u64,
    },
    /// Something only participants do.
    Participant {
        /// Request id (for `submit`, the item id).
        id: Option<RequestId>,
        /// What.
        action: ParticipantAction,
    },
    /// Something only the facilitator does.
    Facilitator {
        /// Request id.
        id: Option<RequestId>,
        /// What.
        action: FacilitatorAction,
    },
}

/// Why a frame could not be read; each is a distinct wire code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The request id found in the frame, if any could be read.
    pub id: Option<RequestId>,
    /// `invalid_json`, `unknown_type` or `invalid_message`.
    pub code: &'static str,
    /// A human-readable reason.
    pub message: String,
    /// The role whose message type it was, when the type was known: a malformed staff
    /// command from a phone is `forbidden`, not `invalid_message`.
    pub for_role: Option<Role>,
}

/// Only the envelope: the type and request id, read before the body. Both are any JSON value
/// here, so a frame whose `type` is a number is still an object with an `id` to echo.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type", default)]
    kind: Option<serde_json::Value>,
    #[serde(default)]
    id: Option<serde_json::Value>,
}

impl ClientMessage {
    /// Parses one text frame, telling bad JSON, an unknown type and bad fields apart.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        let not_an_object = || DecodeError {
            id: None,
            code: "invalid_json",
            message: "the frame is not a JSON object".into(),
            for_role: None,
        };
        // serde reads a struct from an array too (`[1,2]`): only an object is a frame.
        if !text.trim_start().starts_with('{') {
            return Err(not_an_object());
        }
        let envelope: Envelope = serde_json::from_str(text).map_err(|_| not_an_object())?;
        let id = envelope.id.as_ref().and_then(RequestId::from_json);
        let kind = match envelope.kind {
            Some(serde_json::Value::String(kind)) => kind,
            other => {
                let message = match other {
                    None | Some(serde_json::Value::Null) => "the frame has no \"type\" field",
                    Some(_) => "the frame's \"type\" is not a string",
                };
                return Err(DecodeError {
                    id,
                    code: "unknown_type",
                    message: message.into(),
                    for_role: None,
                });
            }
        };
        let invalid = |for_role: Option<Role>| {
            let id = id.clone();
            let kind = kind.clone();
            move |e: serde_json::Error| DecodeError {
                id,
                code: "invalid_message",
                message: format!("invalid {kind}: {e}"),
                for_role,
            }
        };
        match kind.as_str() {
            "hello" => Ok(ClientMessage::Hello(
                serde_json::from_str(text).map_err(invalid(None))?,
            )),
            "ping" => Ok(ClientMessage::Ping { id }),
            "items" => {
                let page: ItemsRequest =
                    serde_json::from_str(text).map_err(invalid(Some(Role::Facilitator)))?;
                Ok(ClientMessage::Items {
                    id,
                    before: page.before,
                })
            }
            k if is_variant::<ParticipantAction>(k) => Ok(ClientMessage::Participant {
                action: serde_json::from_str(text).map_err(invalid(Some(Role::Participant)))?,
                id,
            }),
            k if is_variant::<FacilitatorAction>(k) => Ok(ClientMessage::Facilitator {
                action: serde_json::from_str(text).map_err(invalid(Some(Role::Facilitator)))?,
                id,
            }),
            other => Err(DecodeError {
                id,
                code: "unknown_type",
                message: format!(
                    "unknown message type {:?}",
                    other.chars().take(REQUEST_ID_MAX).collect::<String>()
                ),
                for_role: None,
            }),
        }
    }
}

/// The body of an `items` request.
#[derive(Deserialize)]
struct ItemsRequest {
    before: u64,
}

/// Whether `kind` is one of `T`'s `type`s (see [`variant_names`]).
fn is_variant<T: VariantNames>(kind: &str) -> bool {
    T::names().contains(&kind)
}

/// The `type`s a tagged wire enum accepts, read from its own `Deserialize` (once, then kept),
/// so no hand-kept list can drift from the enum.
trait VariantNames {
    /// Its `type`s, in declaration order.
    fn names() -> &'static [&'static str];
}

impl VariantNames for ParticipantAction {
    fn names() -> &'static [&'static str] {
        static NAMES: std::sync::OnceLock<&'static [&'static str]> = std::sync::OnceLock::new();
        NAMES.get_or_init(variant_names::<ParticipantAction>)
    }
}

impl VariantNames for FacilitatorAction {
    fn names() -> &'static [&'static str] {
        static NAMES: std::sync::OnceLock<&'static [&'static str]> = std::sync::OnceLock::new();
        NAMES.get_or_init(variant_names::<FacilitatorAction>)
    }
}

/// The variant names of a `#[serde(tag = "type")]` enum: decoding one with a `type` no variant
/// has makes serde report every name it expected, and this error type keeps that list.
pub(super) fn variant_names<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::value::MapDeserializer;
    let probe = [("type", "\u{0}not a variant")];
    match T::deserialize(MapDeserializer::<_, Expected>::new(probe.into_iter())) {
        Err(Expected(names)) => names,
        Ok(_) => &[],
    }
}

/// A deserializer error that remembers the variants serde expected (empty for other errors).
#[derive(Debug)]
struct Expected(&'static [&'static str]);

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected one of {:?}", self.0)
    }
}

impl std::error::Error for Expected {}

impl serde::de::Error for Expected {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Expected(&[])
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        Expected(expected)
    }
}
