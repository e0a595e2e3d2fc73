//! What an accepted command did: [`Event`]s, each [`Stamped`] with the session's gap-free
//! sequence number, gathered in an [`Applied`].

use super::types::*;
use super::{Group, Item, Prompt, ScreenView, Tombstone};

/// A change that happened, as the other parts of the system need to hear of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A draft was added to the agenda.
    PromptAdded(Prompt),
    /// A prompt's content or settings changed (also lock and added time).
    PromptUpdated(Prompt),
    /// A draft was removed.
    PromptDeleted(PromptId),
    /// The agenda's order changed: all prompt ids in the new order.
    AgendaReordered(Vec<PromptId>),
    /// A prompt is now on every phone.
    PromptOpened(Prompt),
    /// A prompt stopped accepting answers.
    PromptClosed(Prompt),
    /// The groups changed: the whole list.
    GroupsChanged(Vec<Group>),
    /// A participant joined or left a group.
    ParticipantGrouped(ParticipantId, Option<GroupId>),
    /// A participant's item was accepted.
    ItemAdded(Item),
    /// An item was hidden.
    ItemHidden(Item),
    /// A hidden item was shown again.
    ItemUnhidden(Item),
    /// An item was edited, merged, unmerged, starred or approved.
    ItemUpdated(Item),
    /// An item's likes changed.
    ItemLiked(Item),
    /// An item was erased (withdrawn by its author or erased by the facilitator): what is
    /// left of it, without its text.
    ItemErased(Tombstone),
    /// Answers to a poll, scale or dot vote changed (the results are derived, not carried).
    AnswersChanged(PromptId),
    /// The projector shows something else now: the new view.
    ScreenChanged(ScreenView),
    /// The facilitator's notes on a prompt changed: the prompt and the whole new text
    /// (empty: none).
    NotesChanged(PromptId, String),
    /// The session was put in rehearsal (true) or made live again (false).
    RehearsalChanged(bool),
    /// A rehearsal was reset: every client starts over from a fresh welcome.
    SessionReset,
    /// The session's main language or the projector's second language changed.
    LanguagesChanged {
        /// The main language.
        main: Language,
        /// The language the projector stacks under it, if any.
        screen: Option<Language>,
    },
}

/// An event with its place in the session's gap-free sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped {
    /// 1 for the session's first event, then +1 each.
    pub seq: u64,
    /// What happened.
    pub event: Event,
}

/// What an accepted command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The events, in order; empty when the command changed nothing (a resend, a repeated hide).
    pub events: Vec<Stamped>,
    /// The sequence number to acknowledge with: the last event's, or for a resent item the
    /// original `item_added`'s, or the current one when nothing changed.
    pub ack_seq: u64,
}
