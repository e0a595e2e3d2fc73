//! Frames from the server: one enum, a struct variant per `type`, borrowing from the session
//! so a frame is serialized without copying the state first.

use std::collections::BTreeMap;

use serde::Serialize;

use super::views::{ItemView, Mine, PromptView, SessionView, Stage};
use super::{RequestId, Role};
use crate::session::{Group, ItemId, Language, Millis, PromptId, Results, ScreenView};

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
        /// Facilitator: set when older items were left out (see [`super::WELCOME_ITEMS_MAX`]):
        /// those with a `seq` below it, to be fetched with `items` requests.
        #[serde(skip_serializing_if = "Option::is_none")]
        items_before: Option<u64>,
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
        /// Facilitator: the notes per prompt, when any were written.
        #[serde(skip_serializing_if = "Option::is_none")]
        notes: Option<&'a BTreeMap<PromptId, String>>,
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
        id: Option<RequestId>,
        /// The event that made the change (for a resent item, the original one).
        seq: u64,
    },
    /// A frame was refused; nothing changed.
    Error {
        /// The item id or request id, when the frame had one.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<RequestId>,
        /// Stable snake_case code.
        code: &'a str,
        /// Human-readable reason (English; clients show their own translation of `code`).
        message: String,
    },
    /// The answer to a facilitator's `items` request: the next page of older items.
    Items {
        /// The request id.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<RequestId>,
        /// The newest items (at most [`super::ITEMS_PAGE_MAX`]) with a `seq` below the
        /// request's `before`, oldest first.
        items: Vec<ItemView<'a>>,
        /// Set when there are still older ones: the next request's `before`.
        #[serde(skip_serializing_if = "Option::is_none")]
        items_before: Option<u64>,
    },
    /// The answer to `ping`.
    Pong {
        /// The request id.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<RequestId>,
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
    /// An item was erased: withdrawn by its author or erased by the facilitator (every role:
    /// phones drop it from their own list and the wall, the projector and console drop it).
    /// Only its id: what it said is gone.
    ItemErased {
        /// Event sequence number.
        seq: u64,
        /// Which item.
        item_id: ItemId,
    },
    /// An item changed: edited, merged, starred, approved, liked (facilitator; the projector
    /// gets it only while the item is visible, else `item_removed`).
    ItemUpdated {
        /// Event sequence number.
        seq: u64,
        /// The item as it is now.
        item: ItemView<'a>,
    },
    /// The facilitator's notes on a prompt changed (facilitator only).
    NotesChanged {
        /// Event sequence number.
        seq: u64,
        /// Which prompt.
        prompt: &'a PromptId,
        /// The whole text (empty: none).
        notes: &'a str,
    },
    /// The session was put in rehearsal (`on`) or made live again: every view shows or drops
    /// its "rehearsal" mark.
    Rehearsal {
        /// Event sequence number.
        seq: u64,
        /// Rehearsal or not.
        on: bool,
    },
    /// A rehearsal was reset: every answer, item and participant is gone. Clients start over
    /// with a fresh welcome (a phone first drops the texts it has not had acknowledged).
    SessionReset {
        /// Event sequence number (the welcome's `last_reset` from now on).
        seq: u64,
    },
    /// The session's main language or the projector's second language changed (everyone:
    /// phones fall back to the main language, the projector stacks the second one).
    LanguagesChanged {
        /// Event sequence number.
        seq: u64,
        /// The main language.
        language: Language,
        /// The language the projector stacks under the main one; omitted when none.
        #[serde(skip_serializing_if = "Option::is_none")]
        screen_language: Option<Language>,
    },
}

impl ServerMessage<'_> {
    /// Serializes to a JSON text frame.
    pub fn to_json(&self) -> String {
        // Serializing these plain structs cannot fail: string map keys only, no I/O.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}
