//! The websocket wire contract: what clients send, what the server answers, and which role
//! sees which event. `docs/protocol.md` is the prose version, with an example of each message.
//!
//! Every frame is a JSON text frame holding one object with a `"type"` field. The projector
//! page is public (anyone with the address can open it), so it never receives participant
//! ids; the facilitator sees pseudonyms only; a participant's own id never leaves its hello.
//!
//! Sequenced events (with `seq`) are durable changes. Derived, fast-changing views — results
//! of polls, scales, word clouds and dot votes, and the wall of items on phones — go out as
//! unsequenced `results` and `wall` frames, coalesced by the session task a few times a
//! second, so a thousand items in a room of ten thousand phones is a few frames per phone,
//! not ten million.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::session::{
    Activity, Command, Event, Group, GroupId, Item, ItemId, Language, Millis, ParticipantId,
    Prompt, PromptId, PromptState, Results, Revision, ScreenView, Session, Stamped,
};

/// The protocol version a client speaks in `hello`; bumped on incompatible changes.
pub const PROTOCOL_VERSION: u32 = 1;

/// Longest request id a client may attach, in characters.
pub const REQUEST_ID_MAX: usize = 64;

/// Who is on the other end of a websocket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A phone: sees the current prompt and its own answers (and the wall, when on).
    Participant,
    /// The facilitator's console: sees everything and runs the session (needs the key).
    Facilitator,
    /// The projector: sees the prompt the facilitator put on it (by default the current
    /// one), its visible items and public results, or the join page.
    Screen,
}

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
    /// Like or un-like an item on the wall.
    Like {
        /// The item.
        item_id: ItemId,
        /// Like (true) or take it back (false).
        liked: bool,
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
            } => Command::Submit {
                participant,
                item_id: ItemId(id),
                prompt_id,
                text,
                column,
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
            ParticipantAction::Like { item_id, liked } => Command::Like {
                participant,
                item_id,
                liked,
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
        id: Option<String>,
    },
    /// Something only participants do.
    Participant {
        /// Request id (for `submit`, the item id).
        id: Option<String>,
        /// What.
        action: ParticipantAction,
    },
    /// Something only the facilitator does: the session command itself.
    Staff {
        /// Request id.
        id: Option<String>,
        /// What.
        command: Command,
    },
}

/// The `type`s participants send (besides `hello` and `ping`).
const PARTICIPANT_TYPES: &[&str] = &[
    "submit",
    "vote",
    "withdraw_vote",
    "rate",
    "place_dot",
    "remove_dot",
    "like",
    "choose_group",
];

/// The `type`s only the facilitator sends: the staff [`Command`]s.
pub const STAFF_TYPES: &[&str] = &[
    "add_prompt",
    "update_prompt",
    "duplicate_prompt",
    "delete_prompt",
    "move_prompt",
    "import_agenda",
    "open_prompt",
    "next_prompt",
    "close_prompt",
    "lock_prompt",
    "add_time",
    "show_on_screen",
    "add_group",
    "update_group",
    "delete_group",
    "hide_item",
    "unhide_item",
    "edit_item",
    "merge_items",
    "unmerge_item",
    "star_item",
    "approve_item",
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
    /// The role whose message type it was, when the type was known: a malformed staff
    /// command from a phone is `forbidden`, not `invalid_message`.
    pub for_role: Option<Role>,
}

/// Only the envelope: the type and request id, read before the body.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    id: Option<serde_json::Value>,
}

impl ClientMessage {
    /// Parses one text frame, telling bad JSON, an unknown type and bad fields apart.
    pub fn decode(text: &str) -> Result<Self, DecodeError> {
        let envelope: Envelope<'_> = serde_json::from_str(text).map_err(|_| DecodeError {
            id: None,
            code: "invalid_json",
            message: "the frame is not a JSON object".into(),
            for_role: None,
        })?;
        let id = match &envelope.id {
            Some(serde_json::Value::String(s)) => Some(s.chars().take(REQUEST_ID_MAX).collect()),
            _ => None,
        };
        let Some(kind) = envelope.kind else {
            return Err(DecodeError {
                id,
                code: "unknown_type",
                message: "the frame has no \"type\" field".into(),
                for_role: None,
            });
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
        match kind.as_ref() {
            "hello" => Ok(ClientMessage::Hello(
                serde_json::from_str(text).map_err(invalid(None))?,
            )),
            "ping" => Ok(ClientMessage::Ping { id }),
            k if PARTICIPANT_TYPES.contains(&k) => Ok(ClientMessage::Participant {
                action: serde_json::from_str(text).map_err(invalid(Some(Role::Participant)))?,
                id,
            }),
            k if STAFF_TYPES.contains(&k) => Ok(ClientMessage::Staff {
                command: serde_json::from_str(text).map_err(invalid(Some(Role::Facilitator)))?,
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
    /// The (current) text.
    pub text: &'a str,
    /// When it was accepted, ms since the epoch.
    pub created_at: Millis,
    /// The seq of its `item_added`.
    pub seq: u64,
    /// Its column index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u8>,
    /// Its group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'a GroupId>,
    /// Whether the facilitator hid it.
    pub hidden: bool,
    /// False while waiting for approval (pre-moderation).
    pub approved: bool,
    /// Shown large on the projector.
    pub starred: bool,
    /// Merged as a duplicate into this item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<ItemId>,
    /// How many duplicates were merged into it.
    pub merged: usize,
    /// Likes (including those of merged duplicates).
    pub likes: usize,
    /// Whether the facilitator edited it.
    pub edited: bool,
    /// Earlier texts (facilitator only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<&'a [Revision]>,
    /// The sender's pseudonym (facilitator only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

impl<'a> ItemView<'a> {
    /// The view for `role`: only the facilitator learns the author's pseudonym and history.
    pub fn new(session: &Session, item: &'a Item, role: Role) -> Self {
        let staff = role == Role::Facilitator;
        Self {
            id: item.id,
            prompt_id: &item.prompt_id,
            text: &item.text,
            created_at: item.created_at,
            seq: item.seq,
            column: item.column,
            group: item.group.as_ref(),
            hidden: item.hidden,
            approved: item.approved,
            starred: item.starred,
            merged_into: item.merged_into,
            merged: session.merged_count(item),
            likes: session.like_count(item),
            edited: !item.history.is_empty(),
            history: staff.then_some(item.history.as_slice()),
            author: staff.then(|| session.pseudonym(&item.participant)),
        }
    }
}

/// A ballot entry of a dot vote, as phones see it.
#[derive(Debug, Serialize)]
pub struct BallotEntry<'a> {
    /// The item.
    pub id: ItemId,
    /// Its current text.
    pub text: &'a str,
}

/// A prompt on the wire: its fields, plus the ballot's texts for a dot vote.
#[derive(Debug, Serialize)]
pub struct PromptView<'a> {
    /// The prompt.
    #[serde(flatten)]
    pub prompt: &'a Prompt,
    /// The ballot's items in their frozen order (dot votes, once opened).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ballot_items: Option<Vec<BallotEntry<'a>>>,
}

impl<'a> PromptView<'a> {
    /// The view of `prompt`, with ballot texts looked up in `session`.
    pub fn new(session: &'a Session, prompt: &'a Prompt) -> Self {
        let ballot_items = prompt
            .draft
            .activity
            .has_ballot()
            .then(|| {
                prompt
                    .ballot
                    .iter()
                    .filter_map(|id| session.item(id))
                    .filter(|i| i.merged_into.is_none())
                    .map(|i| BallotEntry {
                        id: i.id,
                        text: &i.text,
                    })
                    .collect()
            })
            .filter(|b: &Vec<_>| !b.is_empty());
        Self {
            prompt,
            ballot_items,
        }
    }
}

/// A participant's own answers to the current prompt, so a reload shows them.
#[derive(Debug, Serialize, Default)]
pub struct Mine<'a> {
    /// The group picked.
    pub group: Option<&'a GroupId>,
    /// Poll: options chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll: Option<&'a [u8]>,
    /// Poll without `may_change`: until when (ms, the server's clock, as `server_time`) the
    /// answer may still be changed or withdrawn, so a reloaded phone offers it as long.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll_until: Option<Millis>,
    /// Scale: ratings per statement (0 = not rated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<&'a [u8]>,
    /// Dot vote: dots per item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dots: Option<&'a BTreeMap<ItemId, u32>>,
    /// Items on the wall this participant liked.
    pub liked: Vec<ItemId>,
}

/// The prompt on the projector's stage, as a `screen_changed` hands it to the screen: the
/// same fields, filtered the same way, as the screen's welcome.
#[derive(Debug, Serialize)]
pub struct Stage<'a> {
    /// The prompt on the stage ([`Session::screen_prompt`]), if any.
    pub prompt: Option<PromptView<'a>>,
    /// Its visible items (no authors, no history).
    pub items: Vec<ItemView<'a>>,
    /// Its results, by prompt id, when public.
    pub results: BTreeMap<&'a str, Results>,
}

impl<'a> Stage<'a> {
    /// The screen's stage in `session` now.
    pub fn new(session: &'a Session) -> Self {
        let prompt = session.screen_prompt();
        Self {
            prompt: prompt.map(|p| PromptView::new(session, p)),
            items: prompt
                .map(|p| {
                    session
                        .visible_items(&p.id)
                        .map(|i| ItemView::new(session, i, Role::Screen))
                        .collect()
                })
                .unwrap_or_default(),
            results: visible_results(session, Role::Screen),
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
        /// The current prompt; for the screen, the prompt on its stage (see
        /// [`Session::screen_prompt`]).
        prompt: Option<PromptView<'a>>,
        /// What the projector shows (facilitator and screen).
        #[serde(skip_serializing_if = "Option::is_none")]
        screen: Option<&'a ScreenView>,
        /// The whole agenda (facilitator only).
        #[serde(skip_serializing_if = "Option::is_none")]
        prompts: Option<Vec<PromptView<'a>>>,
        /// The session's groups.
        groups: &'a [Group],
        /// Items: the facilitator gets all; the screen the visible ones of the prompt on its
        /// stage; a participant its own for the current prompt.
        items: Vec<ItemView<'a>>,
        /// Participants: everyone's visible items of the current prompt when its wall is on.
        #[serde(skip_serializing_if = "Option::is_none")]
        wall: Option<Vec<ItemView<'a>>>,
        /// Results this role may see, by prompt id.
        results: BTreeMap<&'a str, Results>,
        /// Participants: their own answers and group.
        #[serde(skip_serializing_if = "Option::is_none")]
        mine: Option<Mine<'a>>,
        /// Participants connected now (facilitator and screen).
        #[serde(skip_serializing_if = "Option::is_none")]
        participants: Option<usize>,
    },
    /// The answer to a `hello` whose `last_seq` was recent: the frames missed since follow
    /// (then live events), instead of a welcome. The client keeps its state.
    Resumed {
        /// The session's seq now (the last replayed frame's).
        seq: u64,
        /// The server's clock.
        server_time: Millis,
    },
    /// A submission or command was accepted (and is durable on disk).
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
    /// Participants connected, in all and per group (facilitator and screen; ≤ 1/s).
    Presence {
        /// Distinct participants with at least one open connection.
        participants: usize,
        /// Of them, per group id (those in no group are not listed).
        groups: BTreeMap<&'a str, usize>,
    },
    /// Latest results of a prompt (coalesced; facilitator always, others when public).
    Results {
        /// The prompt.
        prompt_id: &'a PromptId,
        /// The results.
        results: Results,
    },
    /// Changes to the wall of the current prompt on phones (coalesced, ≤ 5/s).
    Wall {
        /// The prompt.
        prompt_id: &'a PromptId,
        /// True: `items` is the whole wall (replace what you show); false: changes only.
        full: bool,
        /// Items now visible or changed (likes, text), in arrival order.
        items: Vec<ItemView<'a>>,
        /// Items no longer on the wall.
        removed: Vec<ItemId>,
    },
    /// A draft was added (facilitator).
    PromptAdded {
        /// Event sequence number.
        seq: u64,
        /// The new prompt.
        prompt: PromptView<'a>,
    },
    /// A prompt changed: content, lock, added time (facilitator; everyone unless a draft).
    PromptUpdated {
        /// Event sequence number.
        seq: u64,
        /// The prompt as it is now.
        prompt: PromptView<'a>,
    },
    /// A draft was deleted (facilitator).
    PromptDeleted {
        /// Event sequence number.
        seq: u64,
        /// Which prompt.
        prompt_id: &'a PromptId,
    },
    /// The agenda's order changed (facilitator).
    AgendaReordered {
        /// Event sequence number.
        seq: u64,
        /// Every prompt id, in order.
        order: &'a [PromptId],
    },
    /// A prompt is now open (everyone).
    PromptOpened {
        /// Event sequence number.
        seq: u64,
        /// The prompt, with `closes_at` for the countdown.
        prompt: PromptView<'a>,
        /// The server's clock when it opened.
        server_time: Millis,
        /// Projector only: the prompt's visible items (a reopened prompt has some).
        #[serde(skip_serializing_if = "Option::is_none")]
        items: Option<Vec<ItemView<'a>>>,
    },
    /// A prompt stopped accepting answers (everyone).
    PromptClosed {
        /// Event sequence number.
        seq: u64,
        /// The prompt, now closed.
        prompt: PromptView<'a>,
    },
    /// The groups changed (everyone).
    GroupsChanged {
        /// Event sequence number.
        seq: u64,
        /// All groups.
        groups: &'a [Group],
    },
    /// The facilitator chose what the projector shows (facilitator; the screen with its
    /// new stage).
    ScreenChanged {
        /// Event sequence number.
        seq: u64,
        /// The new view.
        view: &'a ScreenView,
        /// Projector only: everything to draw, so it never waits for another frame.
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        stage: Option<Stage<'a>>,
    },
    /// An item was accepted (facilitator; screen once approved).
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
    /// Projector only: an item it showed is no longer to be shown (hidden, merged away).
    ItemRemoved {
        /// Event sequence number.
        seq: u64,
        /// Which item.
        item_id: ItemId,
        /// Its prompt.
        prompt_id: &'a PromptId,
    },
    /// An item changed: edited, merged, starred, approved, liked (facilitator; the projector
    /// gets it only while the item is visible, else `item_removed`).
    ItemUpdated {
        /// Event sequence number.
        seq: u64,
        /// The item as it is now.
        item: ItemView<'a>,
    },
}

impl ServerMessage<'_> {
    /// Serializes to a JSON text frame.
    pub fn to_json(&self) -> String {
        // Serializing these plain structs cannot fail: string map keys only, no I/O.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

/// Results of every prompt `role` may see (see [`sees_results`]).
fn visible_results(session: &Session, role: Role) -> BTreeMap<&str, Results> {
    session
        .prompts()
        .iter()
        .filter(|p| has_results(p) && sees_results(session, p, role))
        .map(|p| (p.id.0.as_str(), session.results(p)))
        .collect()
}

/// Whether `role` gets `prompt`'s results: the facilitator every opened prompt's; phones the
/// current prompt's and the projector those of the prompt on its stage, when public (the
/// prompt's `show_results`). Nobody gets a draft's.
pub fn sees_results(session: &Session, prompt: &Prompt, role: Role) -> bool {
    let is = |p: Option<&Prompt>| p.is_some_and(|p| p.id == prompt.id);
    prompt.state != PromptState::Draft
        && match role {
            Role::Facilitator => true,
            Role::Participant => is(session.current_prompt()) && prompt.results_public(),
            Role::Screen => is(session.screen_prompt()) && prompt.results_public(),
        }
}

/// Whether a prompt's results are worth a frame (brainstorm counts are derived by clients).
pub fn has_results(prompt: &Prompt) -> bool {
    !matches!(prompt.draft.activity, Activity::Brainstorm(_))
}

/// The items of the current prompt a participant's wall shows.
pub fn wall_items<'a>(
    session: &'a Session,
    prompt: &'a Prompt,
    group: Option<&GroupId>,
) -> impl Iterator<Item = &'a Item> + 'a {
    let per_group = prompt.draft.per_group;
    let group = group.cloned();
    session
        .visible_items(&prompt.id)
        .filter(move |i| !per_group || (group.is_some() && i.group == group))
}

/// Builds the welcome for `role`.
pub fn welcome(
    session: &Session,
    role: Role,
    participant: Option<&ParticipantId>,
    participants_online: usize,
    now: Millis,
) -> String {
    let current = session.current_prompt();
    let items: Vec<ItemView<'_>> = match role {
        Role::Facilitator => session
            .items()
            .iter()
            .map(|i| ItemView::new(session, i, role))
            .collect(),
        Role::Screen => match session.screen_prompt() {
            Some(prompt) => session
                .visible_items(&prompt.id)
                .map(|i| ItemView::new(session, i, role))
                .collect(),
            None => Vec::new(),
        },
        Role::Participant => match (current, participant) {
            (Some(prompt), Some(who)) => session
                .items_of(who)
                .filter(|i| i.prompt_id == prompt.id)
                .map(|i| ItemView::new(session, i, role))
                .collect(),
            _ => Vec::new(),
        },
    };
    let group = participant.and_then(|p| session.group_of(p));
    let wall = match (role, current) {
        (Role::Participant, Some(prompt)) if prompt.draft.wall => Some(
            wall_items(session, prompt, group)
                .map(|i| ItemView::new(session, i, role))
                .collect(),
        ),
        _ => None,
    };
    let mine = match (role, participant) {
        (Role::Participant, Some(who)) => {
            let answers = current.and_then(|p| session.answers(&p.id));
            Some(Mine {
                group,
                poll: answers.and_then(|a| a.poll_of(who)).map(Vec::as_slice),
                poll_until: current
                    .and_then(|p| session.poll_grace_until(p, who))
                    .filter(|&until| until > now),
                scale: answers.and_then(|a| a.ratings_of(who)).map(Vec::as_slice),
                dots: answers.and_then(|a| a.dots_of(who)),
                liked: current
                    .map(|p| {
                        session
                            .items_for(&p.id)
                            .filter(|i| i.likes.contains(who))
                            .map(|i| i.id)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        }
        _ => None,
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
        prompt: match role {
            Role::Screen => session.screen_prompt(),
            Role::Facilitator | Role::Participant => current,
        }
        .map(|p| PromptView::new(session, p)),
        screen: (role != Role::Participant).then(|| session.screen()),
        prompts: (role == Role::Facilitator).then(|| {
            session
                .prompts()
                .iter()
                .map(|p| PromptView::new(session, p))
                .collect()
        }),
        groups: session.groups(),
        items,
        wall,
        results: visible_results(session, role),
        mine,
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

/// Serializes an event for each audience. `session` is the state after the event.
pub fn event_frames(stamped: &Stamped, session: &Session, now: Millis) -> EventFrames {
    let seq = stamped.seq;
    let staff_only = |message: ServerMessage<'_>| EventFrames {
        seq,
        facilitator: Some(message.to_json()),
        ..Default::default()
    };
    let everyone = |message: ServerMessage<'_>| {
        let json = message.to_json();
        EventFrames {
            seq,
            participant: Some(json.clone()),
            screen: Some(json.clone()),
            facilitator: Some(json),
        }
    };
    // Item events: the facilitator always; the projector only ever sees visible items (an
    // unapproved or hidden item's text must not reach a public screen), and is told to drop
    // one that stops being visible.
    let item_frames = |item: &Item, make: &dyn Fn(ItemView<'_>) -> ServerMessage<'_>| {
        let screen = if item.is_visible() {
            make(ItemView::new(session, item, Role::Screen)).to_json()
        } else {
            ServerMessage::ItemRemoved {
                seq,
                item_id: item.id,
                prompt_id: &item.prompt_id,
            }
            .to_json()
        };
        EventFrames {
            seq,
            participant: None,
            screen: Some(screen),
            facilitator: Some(make(ItemView::new(session, item, Role::Facilitator)).to_json()),
        }
    };
    match &stamped.event {
        Event::PromptAdded(prompt) => staff_only(ServerMessage::PromptAdded {
            seq,
            prompt: PromptView::new(session, prompt),
        }),
        Event::PromptUpdated(prompt) => {
            let message = ServerMessage::PromptUpdated {
                seq,
                prompt: PromptView::new(session, prompt),
            };
            if prompt.state == PromptState::Draft {
                staff_only(message)
            } else {
                everyone(message)
            }
        }
        Event::PromptDeleted(prompt_id) => {
            staff_only(ServerMessage::PromptDeleted { seq, prompt_id })
        }
        Event::AgendaReordered(order) => staff_only(ServerMessage::AgendaReordered { seq, order }),
        Event::PromptOpened(prompt) => {
            let mut frames = everyone(ServerMessage::PromptOpened {
                seq,
                prompt: PromptView::new(session, prompt),
                server_time: now,
                items: None,
            });
            frames.screen = Some(
                ServerMessage::PromptOpened {
                    seq,
                    prompt: PromptView::new(session, prompt),
                    server_time: now,
                    items: Some(
                        session
                            .visible_items(&prompt.id)
                            .map(|i| ItemView::new(session, i, Role::Screen))
                            .collect(),
                    ),
                }
                .to_json(),
            );
            frames
        }
        Event::PromptClosed(prompt) => everyone(ServerMessage::PromptClosed {
            seq,
            prompt: PromptView::new(session, prompt),
        }),
        Event::GroupsChanged(groups) => everyone(ServerMessage::GroupsChanged { seq, groups }),
        // The projector gets its whole new stage even when only the join page went on or off
        // (a few screens, rarely): one rule, and a screen that missed nothing needs nothing else.
        Event::ScreenChanged(view) => EventFrames {
            seq,
            participant: None,
            screen: Some(
                ServerMessage::ScreenChanged {
                    seq,
                    view,
                    stage: Some(Stage::new(session)),
                }
                .to_json(),
            ),
            facilitator: Some(
                ServerMessage::ScreenChanged {
                    seq,
                    view,
                    stage: None,
                }
                .to_json(),
            ),
        },
        // Counted in presence; the participant itself has its ack.
        Event::ParticipantGrouped(..) | Event::AnswersChanged(_) => EventFrames {
            seq,
            ..Default::default()
        },
        Event::ItemAdded(item) => {
            let mut frames = item_frames(item, &|item| ServerMessage::ItemAdded { seq, item });
            if !item.is_visible() {
                // Waiting for approval: the projector has nothing to drop.
                frames.screen = None;
            }
            frames
        }
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
        Event::ItemUnhidden(item) => {
            item_frames(item, &|item| ServerMessage::ItemUnhidden { seq, item })
        }
        Event::ItemUpdated(item) | Event::ItemLiked(item) => {
            item_frames(item, &|item| ServerMessage::ItemUpdated { seq, item })
        }
    }
}

/// A `results` frame for `prompt`.
pub fn results_frame(session: &Session, prompt: &Prompt) -> String {
    ServerMessage::Results {
        prompt_id: &prompt.id,
        results: session.results(prompt),
    }
    .to_json()
}

/// A `wall` frame: `items` (still visible ones are sent, the rest listed as removed);
/// `full` when they are the whole wall.
pub fn wall_frame<'a>(
    session: &'a Session,
    prompt: &'a Prompt,
    items: impl Iterator<Item = &'a Item>,
    full: bool,
) -> String {
    let mut shown = Vec::new();
    let mut removed = Vec::new();
    for item in items {
        if item.is_visible() {
            shown.push(ItemView::new(session, item, Role::Participant));
        } else {
            removed.push(item.id);
        }
    }
    ServerMessage::Wall {
        prompt_id: &prompt.id,
        full,
        items: shown,
        removed,
    }
    .to_json()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frames_decode_from_the_documented_json() {
        let hello = ClientMessage::decode(
            r#"{"type":"hello","role":"participant","participant_id":"6f1c1f0e-8a4b-4d57-9a56-1a1e7c9e2b10","last_seq":0}"#,
        )
        .unwrap();
        assert!(matches!(
            hello,
            ClientMessage::Hello(Hello {
                role: Role::Participant,
                participant_id: Some(_),
                ..
            })
        ));
        let submit = ClientMessage::decode(
            r#"{"type":"submit","id":"0b7e4a52-3f0c-4c7e-9d8a-2f5b8c1d9e01","prompt_id":"p1","text":"Ohjaamo","column":1}"#,
        )
        .unwrap();
        assert!(matches!(
            submit,
            ClientMessage::Participant { id: Some(ref id), action: ParticipantAction::Submit { column: Some(1), .. } }
                if id == "0b7e4a52-3f0c-4c7e-9d8a-2f5b8c1d9e01"
        ));
        let add = ClientMessage::decode(
            r#"{"type":"add_prompt","id":"r1","prompt":{"kind":"poll","title":"Sektori?","options":["Kunta","Maakunta"]}}"#,
        )
        .unwrap();
        assert!(matches!(
            add,
            ClientMessage::Staff {
                command: Command::AddPrompt { .. },
                ..
            }
        ));
        let next = ClientMessage::decode(r#"{"type":"next_prompt","id":"r2"}"#).unwrap();
        assert!(matches!(
            next,
            ClientMessage::Staff {
                command: Command::NextPrompt,
                ..
            }
        ));
    }

    #[test]
    fn decode_errors_are_told_apart() {
        assert_eq!(
            ClientMessage::decode("{nope").unwrap_err().code,
            "invalid_json"
        );
        assert_eq!(
            ClientMessage::decode("[1,2]").unwrap_err().code,
            "invalid_json"
        );
        let e = ClientMessage::decode(r#"{"type":"fly","id":"r1"}"#).unwrap_err();
        assert_eq!((e.code, e.id.as_deref()), ("unknown_type", Some("r1")));
        assert_eq!(
            ClientMessage::decode(r#"{"x":1}"#).unwrap_err().code,
            "unknown_type"
        );
        // Internal commands are not on the wire.
        assert_eq!(
            ClientMessage::decode(r#"{"type":"tick"}"#)
                .unwrap_err()
                .code,
            "unknown_type"
        );
        let e = ClientMessage::decode(
            r#"{"type":"submit","id":"not-a-uuid","prompt_id":"p1","text":"x"}"#,
        )
        .unwrap_err();
        assert_eq!(e.code, "invalid_message");
        let e = ClientMessage::decode(r#"{"type":"vote","prompt_id":"p1","options":[300]}"#)
            .unwrap_err();
        assert_eq!(e.code, "invalid_message");
    }

    #[test]
    fn show_on_screen_is_a_staff_command() {
        let shown = ClientMessage::decode(
            r#"{"type":"show_on_screen","id":"r9","view":{"kind":"prompt","prompt_id":"p1"}}"#,
        )
        .unwrap();
        assert!(matches!(
            shown,
            ClientMessage::Staff {
                command: Command::ShowOnScreen {
                    view: ScreenView::Prompt { ref prompt_id }
                },
                ..
            } if prompt_id.0 == "p1"
        ));
        // A malformed one is still the facilitator's: a phone gets `forbidden` for it.
        let e = ClientMessage::decode(r#"{"type":"show_on_screen","view":{"kind":"all"}}"#)
            .unwrap_err();
        assert_eq!(
            (e.code, e.for_role),
            ("invalid_message", Some(Role::Facilitator))
        );
    }

    #[test]
    fn a_phone_is_told_how_long_its_poll_answer_may_still_change() {
        use crate::session::{SessionMeta, SessionName, POLL_GRACE_MS};
        let mut s = Session::new(SessionMeta {
            slug: SessionName::parse("kysely").unwrap(),
            title: "Kysely".into(),
            language: Language::Fi,
            created_at: 1,
            key_hash: "00".into(),
            time_zone: Default::default(),
        });
        let who = ParticipantId(Uuid::nil());
        for c in [
            json!({"type":"add_prompt","prompt":{"kind":"poll","title":"Sektori?","options":["Kunta","Järjestö"]}}),
            json!({"type":"open_prompt","prompt_id":"p1"}),
            json!({"type":"vote","participant":who,"prompt_id":"p1","options":[1]}),
        ] {
            s.apply(&serde_json::from_value(c).unwrap(), 1000).unwrap();
        }
        let mine = |now| {
            let w: serde_json::Value =
                serde_json::from_str(&welcome(&s, Role::Participant, Some(&who), 1, now)).unwrap();
            w["mine"].clone()
        };
        assert_eq!(mine(1500)["poll"], json!([1]));
        assert_eq!(mine(1500)["poll_until"], json!(1000 + POLL_GRACE_MS));
        // Once the window is over, the phone is not offered a change.
        assert!(mine(1000 + POLL_GRACE_MS).get("poll_until").is_none());

        let taken_back =
            ClientMessage::decode(r#"{"type":"withdraw_vote","id":"w1","prompt_id":"p1"}"#)
                .unwrap();
        let ClientMessage::Participant { id, action } = taken_back else {
            panic!("not a participant's action");
        };
        assert_eq!(id.as_deref(), Some("w1"));
        assert_eq!(
            action.into_command(who),
            Command::WithdrawVote {
                participant: who,
                prompt_id: PromptId("p1".into())
            }
        );
    }

    /// A session with a closed poll (`show_results` as given) with one vote, then an open
    /// brainstorm with one item, and the poll on the projector.
    fn poll_on_screen(show_results: &str) -> Session {
        use crate::session::{SessionMeta, SessionName};
        let mut s = Session::new(SessionMeta {
            slug: SessionName::parse("aamu").unwrap(),
            title: "Aamu".into(),
            language: Language::Fi,
            created_at: 1,
            key_hash: "00".into(),
            time_zone: Default::default(),
        });
        let who = ParticipantId(Uuid::nil());
        let commands = [
            json!({"type":"add_prompt","prompt":{"kind":"poll","title":"Sektori?","options":["Kunta","Järjestö"],"show_results":show_results}}),
            json!({"type":"add_prompt","prompt":{"kind":"brainstorm","title":"Ideat"}}),
            json!({"type":"open_prompt","prompt_id":"p1"}),
            json!({"type":"vote","participant":who,"prompt_id":"p1","options":[1]}),
            json!({"type":"open_prompt","prompt_id":"p2"}),
            json!({"type":"submit","participant":who,"item_id":Uuid::from_u128(7),"prompt_id":"p2","text":"Kirjasto"}),
            json!({"type":"show_on_screen","view":{"kind":"prompt","prompt_id":"p1"}}),
        ];
        for c in commands {
            s.apply(&serde_json::from_value(c).unwrap(), 2).unwrap();
        }
        s
    }

    fn frames_of_last_event(s: &Session) -> EventFrames {
        let stamped = Stamped {
            seq: s.seq(),
            event: Event::ScreenChanged(s.screen().clone()),
        };
        event_frames(&stamped, s, 3)
    }

    #[test]
    fn screen_changed_tells_the_console_the_view_and_the_projector_its_stage() {
        let s = poll_on_screen("live");
        let frames = frames_of_last_event(&s);
        assert!(frames.participant.is_none());
        let staff: serde_json::Value = serde_json::from_str(&frames.facilitator.unwrap()).unwrap();
        assert_eq!(
            staff,
            json!({"type":"screen_changed","seq":s.seq(),"view":{"kind":"prompt","prompt_id":"p1"}})
        );
        let screen: serde_json::Value = serde_json::from_str(&frames.screen.unwrap()).unwrap();
        assert_eq!(screen["view"], json!({"kind":"prompt","prompt_id":"p1"}));
        assert_eq!(screen["prompt"]["id"], "p1");
        assert_eq!(screen["prompt"]["state"], "closed");
        assert_eq!(screen["items"], json!([]));
        assert_eq!(
            screen["results"],
            json!({"p1":{"kind":"poll","voters":1,"counts":[0,1]}})
        );
        // The welcome of a projector that opens now shows the same.
        let w: serde_json::Value =
            serde_json::from_str(&welcome(&s, Role::Screen, None, 0, 3)).unwrap();
        assert_eq!(w["screen"], screen["view"]);
        assert_eq!(w["prompt"], screen["prompt"]);
        assert_eq!(w["items"], screen["items"]);
        assert_eq!(w["results"], screen["results"]);
        // The console's welcome keeps the current prompt and says what the projector shows;
        // a phone's welcome does neither.
        let staff: serde_json::Value =
            serde_json::from_str(&welcome(&s, Role::Facilitator, None, 0, 3)).unwrap();
        assert_eq!(staff["prompt"]["id"], "p2");
        assert_eq!(staff["screen"], screen["view"]);
        let phone: serde_json::Value = serde_json::from_str(&welcome(
            &s,
            Role::Participant,
            Some(&ParticipantId(Uuid::nil())),
            0,
            3,
        ))
        .unwrap();
        assert_eq!(phone["prompt"]["id"], "p2");
        assert!(phone.get("screen").is_none());
        assert_eq!(phone["results"], json!({}));
    }

    #[test]
    fn the_projector_gets_only_results_the_prompt_lets_it_see() {
        for (setting, public) in [("live", true), ("after_close", true), ("hidden", false)] {
            let mut s = poll_on_screen(setting);
            let poll = s.prompts()[0].clone();
            assert_eq!(sees_results(&s, &poll, Role::Screen), public, "{setting}");
            assert!(sees_results(&s, &poll, Role::Facilitator));
            // Phones have the current prompt, not the projector's.
            assert!(!sees_results(&s, &poll, Role::Participant));
            let screen: serde_json::Value =
                serde_json::from_str(&frames_of_last_event(&s).screen.unwrap()).unwrap();
            let w: serde_json::Value =
                serde_json::from_str(&welcome(&s, Role::Screen, None, 0, 3)).unwrap();
            assert_eq!(screen["results"].get("p1").is_some(), public, "{setting}");
            assert_eq!(w["results"].get("p1").is_some(), public, "{setting}");
            // Off the stage again, the poll's results are the console's only.
            s.apply(
                &serde_json::from_value(json!({"type":"show_on_screen","view":{"kind":"follow"}}))
                    .unwrap(),
                4,
            )
            .unwrap();
            assert!(!sees_results(&s, &poll, Role::Screen));
        }
    }

    #[test]
    fn the_join_page_keeps_the_current_prompt_on_the_stage_without_authors() {
        let mut s = poll_on_screen("live");
        s.apply(
            &serde_json::from_value(json!({"type":"show_on_screen","view":{"kind":"join"}}))
                .unwrap(),
            4,
        )
        .unwrap();
        let frames = frames_of_last_event(&s);
        let screen: serde_json::Value = serde_json::from_str(&frames.screen.unwrap()).unwrap();
        assert_eq!(screen["view"], json!({"kind":"join"}));
        assert_eq!(screen["prompt"]["id"], "p2");
        assert_eq!(screen["items"][0]["text"], "Kirjasto");
        assert!(screen["items"][0].get("author").is_none());
        assert!(screen["items"][0].get("history").is_none());
        // No prompt opened yet: the stage is empty.
        let mut fresh = Session::new(s.meta.clone());
        fresh
            .apply(
                &serde_json::from_value(json!({"type":"show_on_screen","view":{"kind":"join"}}))
                    .unwrap(),
                4,
            )
            .unwrap();
        let screen: serde_json::Value =
            serde_json::from_str(&frames_of_last_event(&fresh).screen.unwrap()).unwrap();
        assert_eq!(
            screen,
            json!({"type":"screen_changed","seq":1,"view":{"kind":"join"},"prompt":null,"items":[],"results":{}})
        );
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
