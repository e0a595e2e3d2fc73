//! The pure session state machine: commands in, events out, no I/O.
//!
//! A [`Session`] holds one workshop: its groups, its agenda of prompts (brainstorms, polls,
//! scales, word clouds, dot votes), every item participants sent and every answer they gave.
//! All rules live in [`Session::apply`], which either rejects a command and changes nothing,
//! or changes the state and returns the events that describe the change, each stamped with
//! the session's next gap-free sequence number. Time comes in as a parameter, so replaying
//! the journal (the same commands with the same times) rebuilds the same state.

mod activity;
pub mod document;
mod import;
mod prompt;
mod results;
mod types;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

pub use activity::*;
pub use import::*;
pub use prompt::*;
pub use results::*;
pub use types::*;

/// Most prompts one session may hold; an agenda for a long day fits many times over.
pub const MAX_PROMPTS: usize = 500;
/// Most items one session may hold: a bound on memory, far above any real seminar.
pub const MAX_ITEMS: usize = 200_000;
/// Most groups in a session.
pub const MAX_GROUPS: usize = 30;
/// Longest group name, in characters.
pub const GROUP_NAME_MAX: usize = 60;
/// Most time the facilitator can add in one go, in seconds.
pub const ADD_TIME_MAX_SECS: u32 = 3600;
/// A small group or theme table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// `g1`, `g2`, …
    pub id: GroupId,
    /// "Digital", "Family services + youth guidance", …
    pub name: String,
    /// Optional `#rrggbb` colour for the projector and the phones.
    #[serde(default)]
    pub color: Option<String>,
}

/// One answer a participant sent to a brainstorm or word cloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Made by the participant's device.
    pub id: ItemId,
    /// The prompt it answers.
    pub prompt_id: PromptId,
    /// Who sent it (never shown raw to anyone else).
    pub participant: ParticipantId,
    /// The current text (the facilitator may have edited it).
    pub text: String,
    /// When the server accepted it.
    pub created_at: Millis,
    /// Hidden by the facilitator: kept, but off the projector.
    pub hidden: bool,
    /// The sequence number of its `item_added` event, repeated in every ack for it.
    pub seq: u64,
    /// The column it went into (index into the prompt's columns).
    #[serde(default)]
    pub column: Option<u8>,
    /// The sender's group when it was sent.
    #[serde(default)]
    pub group: Option<GroupId>,
    /// Earlier texts, oldest first, when the facilitator edited it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Revision>,
    /// Merged as a duplicate into this item (kept, and traceable in exports).
    #[serde(default)]
    pub merged_into: Option<ItemId>,
    /// Shown large on the projector.
    #[serde(default)]
    pub starred: bool,
    /// False while waiting for the facilitator's approval (pre-moderated prompts).
    #[serde(default = "yes")]
    pub approved: bool,
    /// Participants who liked it on the wall.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub likes: BTreeSet<ParticipantId>,
}

fn yes() -> bool {
    true
}

impl Item {
    /// Whether the projector and the wall show it.
    pub fn is_visible(&self) -> bool {
        !self.hidden && self.approved && self.merged_into.is_none()
    }
}

/// What the projector shows, as the facilitator chose it. Phones are not affected: they
/// always show the current prompt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScreenView {
    /// The current prompt (the last opened), as phones see it: where every session starts.
    #[default]
    Follow,
    /// The join page (the address and a large QR code), even while a prompt is open: for the
    /// start of the day and for latecomers.
    Join,
    /// An earlier prompt, open or closed, never a draft: "let's look at this morning's poll".
    /// Never the current prompt itself, which is stored as [`ScreenView::Follow`].
    Prompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
}

/// A change the facilitator, a participant or the clock asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Put a new draft prompt at the end of the agenda.
    AddPrompt {
        /// Its content.
        #[serde(rename = "prompt")]
        draft: PromptDraft,
    },
    /// Change a prompt. Drafts change freely; once opened, only wording, time and display
    /// settings change (never the activity, so answers keep their meaning).
    UpdatePrompt {
        /// Which prompt.
        prompt_id: PromptId,
        /// Its new content.
        #[serde(rename = "prompt")]
        draft: PromptDraft,
    },
    /// Copy a prompt as a new draft right after it.
    DuplicatePrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Remove a draft prompt from the agenda.
    DeletePrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Move a prompt to a new place in the agenda (0 = first).
    MovePrompt {
        /// Which prompt.
        prompt_id: PromptId,
        /// Its new index.
        position: usize,
    },
    /// Append a saved agenda (a template). A dot vote's `source` of `@N` means the N-th
    /// prompt of this import (0-based).
    ImportAgenda {
        /// The drafts, in order.
        prompts: Vec<PromptDraft>,
    },
    /// Show a prompt on every phone and accept answers; closes the prompt open before it.
    OpenPrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Open the next draft after the current prompt in agenda order.
    NextPrompt,
    /// Stop accepting answers for a prompt.
    ClosePrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Make an open prompt read-only for participants, or writable again.
    LockPrompt {
        /// Which prompt.
        prompt_id: PromptId,
        /// Locked or not.
        locked: bool,
    },
    /// Give an open prompt more time (starts a countdown if it had none).
    AddTime {
        /// Which prompt.
        prompt_id: PromptId,
        /// Seconds to add, 1 to 3600.
        secs: u32,
    },
    /// Choose what the projector shows: the current prompt, the join page, or an earlier
    /// prompt. Opening a prompt sets it back to following.
    ShowOnScreen {
        /// The new view.
        view: ScreenView,
    },
    /// The clock: close every auto-closing prompt whose time is up.
    Tick,
    /// Add a group.
    AddGroup {
        /// Its name.
        name: String,
        /// Optional `#rrggbb`.
        #[serde(default)]
        color: Option<String>,
    },
    /// Rename or recolour a group.
    UpdateGroup {
        /// Which group.
        group_id: GroupId,
        /// New name.
        name: String,
        /// New colour.
        #[serde(default)]
        color: Option<String>,
    },
    /// Remove a group nobody's item belongs to.
    DeleteGroup {
        /// Which group.
        group_id: GroupId,
    },
    /// A participant picks (or leaves) a group.
    ChooseGroup {
        /// Who.
        participant: ParticipantId,
        /// The group, or none.
        group_id: Option<GroupId>,
    },
    /// A participant's item for a brainstorm or word cloud.
    Submit {
        /// Who sends it.
        participant: ParticipantId,
        /// The device-made id that makes a resend harmless.
        item_id: ItemId,
        /// The prompt it answers.
        prompt_id: PromptId,
        /// The raw text.
        text: String,
        /// The column, when the brainstorm has columns.
        #[serde(default)]
        column: Option<u8>,
    },
    /// A participant answers a poll.
    Vote {
        /// Who.
        participant: ParticipantId,
        /// Which poll.
        prompt_id: PromptId,
        /// Chosen option indexes.
        options: Vec<u8>,
    },
    /// A participant takes back their poll answer: any time on a poll with `may_change`,
    /// otherwise within [`POLL_GRACE_MS`] of voting. Without an answer it changes nothing.
    WithdrawVote {
        /// Who.
        participant: ParticipantId,
        /// Which poll.
        prompt_id: PromptId,
    },
    /// A participant rates one statement of a scale.
    Rate {
        /// Who.
        participant: ParticipantId,
        /// Which scale.
        prompt_id: PromptId,
        /// Statement index.
        statement: u8,
        /// 1..=N.
        value: u8,
    },
    /// A participant puts one dot on an item of a dot vote.
    PlaceDot {
        /// Who.
        participant: ParticipantId,
        /// Which vote.
        prompt_id: PromptId,
        /// Which ballot item.
        item_id: ItemId,
    },
    /// A participant takes one dot back.
    RemoveDot {
        /// Who.
        participant: ParticipantId,
        /// Which vote.
        prompt_id: PromptId,
        /// Which ballot item.
        item_id: ItemId,
    },
    /// A participant likes (or un-likes) an item on the wall.
    Like {
        /// Who.
        participant: ParticipantId,
        /// Which item.
        item_id: ItemId,
        /// Like or take it back.
        liked: bool,
    },
    /// Take an item off the projector (kept, and in exports with `hidden`).
    HideItem {
        /// Which item.
        item_id: ItemId,
    },
    /// Put a hidden item back.
    UnhideItem {
        /// Which item.
        item_id: ItemId,
    },
    /// Correct an item's text; the earlier text is kept in its history.
    EditItem {
        /// Which item.
        item_id: ItemId,
        /// The new text.
        text: String,
    },
    /// Merge duplicates into one item: their likes and dots count for it, and they stay
    /// traceable (each keeps `merged_into`).
    MergeItems {
        /// The item that stays.
        into: ItemId,
        /// The duplicates.
        items: Vec<ItemId>,
    },
    /// Undo a merge for one item.
    UnmergeItem {
        /// Which item.
        item_id: ItemId,
    },
    /// Show an item large on the projector, or stop.
    StarItem {
        /// Which item.
        item_id: ItemId,
        /// Starred or not.
        starred: bool,
    },
    /// Let a pre-moderated item through to the projector and the wall.
    ApproveItem {
        /// Which item.
        item_id: ItemId,
    },
}

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
    /// Answers to a poll, scale or dot vote changed (the results are derived, not carried).
    AnswersChanged(PromptId),
    /// The projector shows something else now: the new view.
    ScreenChanged(ScreenView),
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

/// Why a command was refused. Each has a stable snake_case code for the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The text is empty after trimming.
    #[error("the text is empty")]
    TextEmpty,
    /// The text is longer than allowed.
    #[error("the text is longer than {max} characters")]
    TextTooLong {
        /// The limit, in characters.
        max: usize,
    },
    /// A prompt's content or settings are out of bounds.
    #[error("invalid prompt: {0}")]
    InvalidPrompt(&'static str),
    /// No prompt has that id.
    #[error("no such prompt")]
    PromptNotFound,
    /// The prompt is closed.
    #[error("this prompt is closed")]
    PromptClosed,
    /// The prompt has not been opened yet.
    #[error("this prompt is not open")]
    PromptNotOpen,
    /// The prompt is already open.
    #[error("this prompt is already open")]
    PromptAlreadyOpen,
    /// The facilitator has made the prompt read-only for now.
    #[error("this prompt is locked for now")]
    PromptLocked,
    /// Only drafts may be deleted, or have their activity changed.
    #[error("only a draft can be changed that way")]
    PromptNotDraft,
    /// Another prompt depends on this one (a dot vote on its items).
    #[error("a dot vote uses this prompt's items")]
    PromptInUse,
    /// There is no draft after the current prompt.
    #[error("there is no next prompt on the agenda")]
    NoNextPrompt,
    /// A draft cannot go on the projector: nobody has been asked it yet, and its content may
    /// still change (open it instead).
    #[error("a prompt that has not been opened cannot be shown on the screen")]
    DraftNotShowable,
    /// The command does not fit this prompt's activity (a vote on a brainstorm).
    #[error("this prompt does not take that kind of answer")]
    WrongActivity,
    /// The brainstorm's columns need a valid column, or it has none.
    #[error("choose one of the prompt's columns")]
    InvalidColumn,
    /// A poll answer is not valid for its options.
    #[error("that is not a valid choice")]
    InvalidChoice,
    /// The poll does not allow changing an answer.
    #[error("you have already answered")]
    AlreadyAnswered,
    /// Word cloud: this participant gave all the answers allowed.
    #[error("you have given all your answers")]
    AnswerLimit,
    /// Dot vote: all dots are spent.
    #[error("you have no dots left")]
    DotBudgetExceeded,
    /// Dot vote: the most dots allowed on one item are there.
    #[error("no more dots fit on this item")]
    ItemDotLimit,
    /// Dot vote: no dot of yours to take back here.
    #[error("you have no dot on this item")]
    NoDotHere,
    /// Dot vote: the item is not on this vote's ballot.
    #[error("that item is not on the ballot")]
    NotOnBallot,
    /// Dot vote: the source prompt has no visible items to vote on.
    #[error("there are no items to vote on")]
    EmptyBallot,
    /// The prompt is per group and the participant has not picked one.
    #[error("pick your group first")]
    GroupRequired,
    /// No group has that id.
    #[error("no such group")]
    GroupNotFound,
    /// A group's name or colour is out of bounds.
    #[error("invalid group: {0}")]
    InvalidGroup(&'static str),
    /// Items belong to this group.
    #[error("items belong to this group")]
    GroupInUse,
    /// Likes need the wall to be on for the prompt.
    #[error("the wall is not on for this prompt")]
    WallOff,
    /// One's own items cannot be liked.
    #[error("you cannot like your own item")]
    OwnItem,
    /// Merging needs distinct, unmerged items of the same prompt.
    #[error("those items cannot be merged")]
    InvalidMerge,
    /// Time to add must be 1–3600 seconds.
    #[error("add between 1 second and 1 hour")]
    InvalidTime,
    /// No item has that id.
    #[error("no such item")]
    ItemNotFound,
    /// The item id is taken by a different item.
    #[error("that item id is already used by another item")]
    ItemIdConflict,
    /// The session holds as much as it may.
    #[error("the session is full")]
    SessionFull,
}

impl Rejection {
    /// The stable code sent on the wire.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::TextEmpty => "text_empty",
            Rejection::TextTooLong { .. } => "text_too_long",
            Rejection::InvalidPrompt(_) => "invalid_prompt",
            Rejection::PromptNotFound => "prompt_not_found",
            Rejection::PromptClosed => "prompt_closed",
            Rejection::PromptNotOpen => "prompt_not_open",
            Rejection::PromptAlreadyOpen => "prompt_already_open",
            Rejection::PromptLocked => "prompt_locked",
            Rejection::PromptNotDraft => "prompt_not_draft",
            Rejection::PromptInUse => "prompt_in_use",
            Rejection::NoNextPrompt => "no_next_prompt",
            Rejection::DraftNotShowable => "draft_not_showable",
            Rejection::WrongActivity => "wrong_activity",
            Rejection::InvalidColumn => "invalid_column",
            Rejection::InvalidChoice => "invalid_choice",
            Rejection::AlreadyAnswered => "already_answered",
            Rejection::AnswerLimit => "answer_limit",
            Rejection::DotBudgetExceeded => "dot_budget_exceeded",
            Rejection::ItemDotLimit => "item_dot_limit",
            Rejection::NoDotHere => "no_dot_here",
            Rejection::NotOnBallot => "not_on_ballot",
            Rejection::EmptyBallot => "empty_ballot",
            Rejection::GroupRequired => "group_required",
            Rejection::GroupNotFound => "group_not_found",
            Rejection::InvalidGroup(_) => "invalid_group",
            Rejection::GroupInUse => "group_in_use",
            Rejection::WallOff => "wall_off",
            Rejection::OwnItem => "own_item",
            Rejection::InvalidMerge => "invalid_merge",
            Rejection::InvalidTime => "invalid_time",
            Rejection::ItemNotFound => "item_not_found",
            Rejection::ItemIdConflict => "item_id_conflict",
            Rejection::SessionFull => "session_full",
        }
    }
}

/// Who runs the session and how it presents itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionMeta {
    /// The short name in every URL.
    pub slug: SessionName,
    /// The workshop's title.
    pub title: String,
    /// Default UI language.
    pub language: Language,
    /// When it was created.
    pub created_at: Millis,
    /// SHA-256 of the facilitator key, hex; the key itself is shown once and never stored.
    pub key_hash: String,
    /// The time zone exports show times in (sessions made before it existed: Helsinki's).
    #[serde(default)]
    pub time_zone: TimeZoneName,
}

/// One workshop's whole state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// Name, title, language, key hash.
    pub meta: SessionMeta,
    prompts: Vec<Prompt>,
    items: Vec<Item>,
    #[serde(default)]
    groups: Vec<Group>,
    /// Which group each participant picked.
    #[serde(default)]
    members: BTreeMap<ParticipantId, GroupId>,
    /// Answers to polls, scales and dot votes, per prompt, stored in their long-standing
    /// `{poll, poll_at, scale, dots}` shape.
    #[serde(default, with = "activity::stored")]
    answers: BTreeMap<PromptId, AnswerSet>,
    /// The prompt phones show now (open, or the one just closed).
    current: Option<PromptId>,
    /// What the projector shows. Snapshots from before the facilitator could choose have
    /// none, and showed the current prompt: following it.
    #[serde(default)]
    screen: ScreenView,
    /// The last sequence number handed out.
    seq: u64,
    /// The number in the next prompt id.
    next_prompt: u32,
    /// The number in the next group id.
    #[serde(default = "one")]
    next_group: u32,
    /// Pseudonyms carried over from an imported export, by the fresh id each was given: an
    /// imported session knows its participants only by these, and shows them unchanged (even
    /// under a new name). Empty for sessions that were not imported.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pseudonyms: BTreeMap<ParticipantId, String>,
    /// When the session was imported, if it was: counts as activity, so that an archive
    /// imported months later is not deleted by retention on the next sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    imported_at: Option<Millis>,
    #[serde(skip)]
    item_index: HashMap<ItemId, usize>,
    #[serde(skip)]
    by_participant: HashMap<ParticipantId, Vec<usize>>,
    #[serde(skip)]
    by_prompt: HashMap<PromptId, Vec<usize>>,
    /// Per prompt, how many of its items are merged into another: while none are (the usual
    /// case), like and merge counts need no scan of the prompt's items. Without this every
    /// item view cost a pass over all its prompt's items, so a welcome or a wall of n items
    /// cost n² (seconds at 20,000 items, with the session task blocked meanwhile).
    #[serde(skip)]
    merged_in: HashMap<PromptId, usize>,
}

fn one() -> u32 {
    1
}

impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        self.meta == other.meta
            && self.prompts == other.prompts
            && self.items == other.items
            && self.groups == other.groups
            && self.members == other.members
            && self.answers == other.answers
            && self.current == other.current
            && self.screen == other.screen
            && self.seq == other.seq
            && self.next_prompt == other.next_prompt
            && self.next_group == other.next_group
            && self.pseudonyms == other.pseudonyms
            && self.imported_at == other.imported_at
    }
}

impl Session {
    /// A new, empty session.
    pub fn new(meta: SessionMeta) -> Self {
        Self {
            meta,
            prompts: Vec::new(),
            items: Vec::new(),
            groups: Vec::new(),
            members: BTreeMap::new(),
            answers: BTreeMap::new(),
            current: None,
            screen: ScreenView::Follow,
            seq: 0,
            next_prompt: 1,
            next_group: 1,
            pseudonyms: BTreeMap::new(),
            imported_at: None,
            item_index: HashMap::new(),
            by_participant: HashMap::new(),
            by_prompt: HashMap::new(),
            merged_in: HashMap::new(),
        }
    }

    /// Rebuilds the lookup indexes after deserializing.
    pub fn reindex(&mut self) {
        self.item_index.clear();
        self.by_participant.clear();
        self.by_prompt.clear();
        self.merged_in.clear();
        for at in 0..self.items.len() {
            self.index_item(at);
        }
    }

    fn index_item(&mut self, at: usize) {
        let item = &self.items[at];
        self.item_index.insert(item.id, at);
        self.by_participant
            .entry(item.participant)
            .or_default()
            .push(at);
        self.by_prompt
            .entry(item.prompt_id.clone())
            .or_default()
            .push(at);
        if item.merged_into.is_some() {
            *self.merged_in.entry(item.prompt_id.clone()).or_default() += 1;
        }
    }

    /// Whether any item of `prompt` is merged into another.
    fn has_merges(&self, prompt: &PromptId) -> bool {
        self.merged_in.get(prompt).is_some_and(|&n| n > 0)
    }

    /// The last sequence number handed out (0 before the first event).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The agenda, in order.
    pub fn prompts(&self) -> &[Prompt] {
        &self.prompts
    }

    /// Every item, in the order they were accepted.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The groups.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The group a participant picked, if any.
    pub fn group_of(&self, participant: &ParticipantId) -> Option<&GroupId> {
        self.members.get(participant)
    }

    /// Every participant who picked a group, with it.
    pub fn members(&self) -> impl Iterator<Item = (&ParticipantId, &GroupId)> {
        self.members.iter()
    }

    /// The prompt phones show now, if any.
    pub fn current_prompt(&self) -> Option<&Prompt> {
        self.current.as_ref().and_then(|id| self.prompt(id))
    }

    /// What the facilitator chose to show on the projector.
    pub fn screen(&self) -> &ScreenView {
        &self.screen
    }

    /// The prompt on the projector's stage: the one the view names, else the current one.
    /// Under the join page the current prompt stays on the stage, out of sight, so the
    /// projector keeps it up to date and going back to it is instant.
    pub fn screen_prompt(&self) -> Option<&Prompt> {
        match &self.screen {
            // The named prompt always exists (it was not a draft, and only drafts are
            // deleted); the fallback only guards a hand-edited snapshot.
            ScreenView::Prompt { prompt_id } => {
                self.prompt(prompt_id).or_else(|| self.current_prompt())
            }
            ScreenView::Follow | ScreenView::Join => self.current_prompt(),
        }
    }

    /// A prompt by id.
    pub fn prompt(&self, id: &PromptId) -> Option<&Prompt> {
        self.prompts.iter().find(|p| &p.id == id)
    }

    /// An item by id.
    pub fn item(&self, id: &ItemId) -> Option<&Item> {
        self.item_index.get(id).map(|&i| &self.items[i])
    }

    /// One participant's items, oldest first.
    pub fn items_of(&self, participant: &ParticipantId) -> impl Iterator<Item = &Item> {
        self.by_participant
            .get(participant)
            .into_iter()
            .flatten()
            .map(|&i| &self.items[i])
    }

    /// A prompt's items, oldest first (all of them, hidden and merged included).
    pub fn items_for(&self, prompt: &PromptId) -> impl Iterator<Item = &Item> {
        self.by_prompt
            .get(prompt)
            .into_iter()
            .flatten()
            .map(|&i| &self.items[i])
    }

    /// A participant's pseudonym in this session, as exports and the console show it: the
    /// one an imported export gave them, else [`ParticipantId::pseudonym`] (salted with the
    /// session's name).
    pub fn pseudonym(&self, participant: &ParticipantId) -> String {
        match self.pseudonyms.get(participant) {
            Some(known) => known.clone(),
            None => participant.pseudonym(&self.meta.slug),
        }
    }

    /// Every participant the session knows of: authors, likers, answerers and group members.
    pub fn participants(&self) -> BTreeSet<ParticipantId> {
        let mut all: BTreeSet<ParticipantId> = self.members.keys().copied().collect();
        for item in &self.items {
            all.insert(item.participant);
            all.extend(item.likes.iter().copied());
        }
        for answers in self.answers.values() {
            all.extend(answers.participants().copied());
        }
        all
    }

    /// When the session was imported from an export, if it was.
    pub fn imported_at(&self) -> Option<Millis> {
        self.imported_at
    }

    /// Likes on an item, counting the likes of items merged into it (each person once).
    pub fn like_count(&self, item: &Item) -> usize {
        if !self.has_merges(&item.prompt_id) {
            return item.likes.len();
        }
        let mut likers: BTreeSet<&ParticipantId> = item.likes.iter().collect();
        for other in self.items_for(&item.prompt_id) {
            if other.merged_into.is_some() && self.merge_root(&other.id) == item.id {
                likers.extend(other.likes.iter());
            }
        }
        likers.len()
    }

    /// How many items were merged into this one (directly or through others).
    pub fn merged_count(&self, item: &Item) -> usize {
        if !self.has_merges(&item.prompt_id) {
            return 0;
        }
        self.items_for(&item.prompt_id)
            .filter(|o| o.merged_into.is_some() && self.merge_root(&o.id) == item.id)
            .count()
    }

    /// When anything last happened in the session (for retention).
    pub fn last_activity(&self) -> Millis {
        let prompts = self
            .prompts
            .iter()
            .flat_map(|p| [Some(p.created_at), p.opened_at, p.closed_at])
            .flatten();
        let items = self
            .items
            .iter()
            .flat_map(|i| std::iter::once(i.created_at).chain(i.history.iter().map(|r| r.at)));
        prompts
            .chain(items)
            .chain(self.imported_at)
            .fold(self.meta.created_at, Millis::max)
    }

    /// When the next auto-closing prompt runs out, if any (the session task sleeps till then).
    pub fn next_deadline(&self) -> Option<Millis> {
        self.prompts
            .iter()
            .filter(|p| p.state == PromptState::Open && p.draft.auto_close)
            .filter_map(|p| p.closes_at)
            .min()
    }

    /// The agenda as a reusable template: the drafts in order, a dot vote's source written
    /// as `@N` (its position in the template).
    pub fn agenda_template(&self) -> Vec<PromptDraft> {
        self.prompts
            .iter()
            .map(|p| {
                let mut draft = p.draft.clone();
                if let Some(source) = draft.activity.ballot_source_mut() {
                    if let Some(at) = self.prompts.iter().position(|q| &q.id == source) {
                        *source = PromptId(format!("@{at}"));
                    }
                }
                draft
            })
            .collect()
    }

    /// Applies a command at time `now`: either every change and its events, or a rejection
    /// and no change at all.
    pub fn apply(&mut self, command: &Command, now: Millis) -> Result<Applied, Rejection> {
        let events = match command {
            Command::AddPrompt { draft } => {
                let draft = self.check_draft(draft, None)?;
                vec![Event::PromptAdded(self.push_prompt(draft, now)?)]
            }
            Command::UpdatePrompt { prompt_id, draft } => {
                let at = self.prompt_index(prompt_id)?;
                let draft = self.check_draft(draft, Some(prompt_id))?;
                let prompt = &mut self.prompts[at];
                if prompt.state != PromptState::Draft
                    && (draft.activity != prompt.draft.activity
                        || draft.per_group != prompt.draft.per_group)
                {
                    return Err(Rejection::PromptNotDraft);
                }
                prompt.draft = draft;
                vec![Event::PromptUpdated(prompt.clone())]
            }
            Command::DuplicatePrompt { prompt_id } => {
                let at = self.prompt_index(prompt_id)?;
                let draft = self.prompts[at].draft.clone();
                let prompt = self.push_prompt(draft, now)?;
                // Move the copy from the end to right after its original.
                if let Some(copy) = self.prompts.pop() {
                    self.prompts.insert(at + 1, copy);
                }
                vec![Event::PromptAdded(prompt), self.agenda_order()]
            }
            Command::DeletePrompt { prompt_id } => {
                let at = self.prompt_index(prompt_id)?;
                if self.prompts[at].state != PromptState::Draft {
                    return Err(Rejection::PromptNotDraft);
                }
                if self
                    .prompts
                    .iter()
                    .any(|p| p.draft.activity.votes_on(prompt_id))
                {
                    return Err(Rejection::PromptInUse);
                }
                self.prompts.remove(at);
                vec![Event::PromptDeleted(prompt_id.clone())]
            }
            Command::MovePrompt {
                prompt_id,
                position,
            } => {
                let at = self.prompt_index(prompt_id)?;
                let prompt = self.prompts.remove(at);
                let to = (*position).min(self.prompts.len());
                self.prompts.insert(to, prompt);
                if to == at {
                    Vec::new()
                } else {
                    vec![self.agenda_order()]
                }
            }
            Command::ImportAgenda { prompts } => self.import_agenda(prompts, now)?,
            Command::OpenPrompt { prompt_id } => {
                let at = self.prompt_index(prompt_id)?;
                self.open_at(at, now)?
            }
            Command::NextPrompt => {
                let start = self
                    .current
                    .as_ref()
                    .and_then(|id| self.prompts.iter().position(|p| &p.id == id))
                    .map_or(0, |i| i + 1);
                let at = self.prompts[start.min(self.prompts.len())..]
                    .iter()
                    .position(|p| p.state == PromptState::Draft)
                    .map(|i| i + start)
                    .ok_or(Rejection::NoNextPrompt)?;
                self.open_at(at, now)?
            }
            Command::ClosePrompt { prompt_id } => {
                let prompt = self.prompt_mut(prompt_id)?;
                match prompt.state {
                    PromptState::Open => {}
                    PromptState::Closed => return Err(Rejection::PromptClosed),
                    PromptState::Draft => return Err(Rejection::PromptNotOpen),
                }
                close(prompt, now);
                vec![Event::PromptClosed(prompt.clone())]
            }
            Command::LockPrompt { prompt_id, locked } => {
                let prompt = self.prompt_mut(prompt_id)?;
                if prompt.state != PromptState::Open {
                    return Err(Rejection::PromptNotOpen);
                }
                if prompt.locked == *locked {
                    Vec::new()
                } else {
                    prompt.locked = *locked;
                    vec![Event::PromptUpdated(prompt.clone())]
                }
            }
            Command::AddTime { prompt_id, secs } => {
                if !(1..=ADD_TIME_MAX_SECS).contains(secs) {
                    return Err(Rejection::InvalidTime);
                }
                let prompt = self.prompt_mut(prompt_id)?;
                if prompt.state != PromptState::Open {
                    return Err(Rejection::PromptNotOpen);
                }
                let from = prompt.closes_at.unwrap_or(now).max(now);
                prompt.closes_at = Some(from + u64::from(*secs) * 1000);
                vec![Event::PromptUpdated(prompt.clone())]
            }
            Command::ShowOnScreen { view } => {
                let view = match view {
                    ScreenView::Prompt { prompt_id } => {
                        let prompt = self.prompt(prompt_id).ok_or(Rejection::PromptNotFound)?;
                        if prompt.state == PromptState::Draft {
                            return Err(Rejection::DraftNotShowable);
                        }
                        // The current prompt is what following shows, and stays so until
                        // another opens (which returns to following anyway): one state, one
                        // spelling, so the console's "on screen" mark has one meaning.
                        if self.current.as_ref() == Some(prompt_id) {
                            ScreenView::Follow
                        } else {
                            view.clone()
                        }
                    }
                    ScreenView::Follow | ScreenView::Join => view.clone(),
                };
                self.show_on_screen(view)
            }
            Command::Tick => {
                let mut events = Vec::new();
                for prompt in &mut self.prompts {
                    let due = prompt.state == PromptState::Open
                        && prompt.draft.auto_close
                        && prompt.closes_at.is_some_and(|at| at <= now);
                    if due {
                        close(prompt, now);
                        events.push(Event::PromptClosed(prompt.clone()));
                    }
                }
                events
            }
            Command::AddGroup { name, color } => {
                if self.groups.len() >= MAX_GROUPS {
                    return Err(Rejection::InvalidGroup("a session has at most 30 groups"));
                }
                let (name, color) = check_group(name, color)?;
                self.groups.push(Group {
                    id: GroupId(format!("g{}", self.next_group)),
                    name,
                    color,
                });
                self.next_group += 1;
                vec![Event::GroupsChanged(self.groups.clone())]
            }
            Command::UpdateGroup {
                group_id,
                name,
                color,
            } => {
                let (name, color) = check_group(name, color)?;
                let group = self
                    .groups
                    .iter_mut()
                    .find(|g| &g.id == group_id)
                    .ok_or(Rejection::GroupNotFound)?;
                group.name = name;
                group.color = color;
                vec![Event::GroupsChanged(self.groups.clone())]
            }
            Command::DeleteGroup { group_id } => {
                let at = self
                    .groups
                    .iter()
                    .position(|g| &g.id == group_id)
                    .ok_or(Rejection::GroupNotFound)?;
                if self
                    .items
                    .iter()
                    .any(|i| i.group.as_ref() == Some(group_id))
                {
                    return Err(Rejection::GroupInUse);
                }
                self.groups.remove(at);
                self.members.retain(|_, g| g != group_id);
                vec![Event::GroupsChanged(self.groups.clone())]
            }
            Command::ChooseGroup {
                participant,
                group_id,
            } => {
                if let Some(id) = group_id {
                    if !self.groups.iter().any(|g| &g.id == id) {
                        return Err(Rejection::GroupNotFound);
                    }
                }
                if self.members.get(participant) == group_id.as_ref() {
                    Vec::new()
                } else {
                    match group_id {
                        Some(id) => self.members.insert(*participant, id.clone()),
                        None => self.members.remove(participant),
                    };
                    vec![Event::ParticipantGrouped(*participant, group_id.clone())]
                }
            }
            Command::Submit {
                participant,
                item_id,
                prompt_id,
                text,
                column,
            } => {
                if let Some(existing) = self.item(item_id) {
                    // A resend after a lost ack: store once, acknowledge again.
                    if existing.participant == *participant && existing.prompt_id == *prompt_id {
                        return Ok(Applied {
                            events: Vec::new(),
                            ack_seq: existing.seq,
                        });
                    }
                    return Err(Rejection::ItemIdConflict);
                }
                let prompt = self.prompt(prompt_id).ok_or(Rejection::PromptNotFound)?;
                prompt.accepting()?;
                let group = self.members.get(participant).cloned();
                if prompt.draft.per_group && group.is_none() {
                    return Err(Rejection::GroupRequired);
                }
                let text = prompt.draft.activity.check_item(
                    self,
                    prompt_id,
                    participant,
                    text,
                    *column,
                )?;
                if self.items.len() >= MAX_ITEMS {
                    return Err(Rejection::SessionFull);
                }
                let item = Item {
                    id: *item_id,
                    prompt_id: prompt_id.clone(),
                    participant: *participant,
                    text,
                    created_at: now,
                    hidden: false,
                    seq: self.seq + 1,
                    column: *column,
                    group,
                    history: Vec::new(),
                    merged_into: None,
                    starred: false,
                    approved: !prompt.draft.premoderation,
                    likes: BTreeSet::new(),
                };
                self.items.push(item.clone());
                self.index_item(self.items.len() - 1);
                vec![Event::ItemAdded(item)]
            }
            Command::Vote {
                participant,
                prompt_id,
                options,
            } => self.vote(participant, prompt_id, options, now)?,
            Command::WithdrawVote {
                participant,
                prompt_id,
            } => self.withdraw_vote(participant, prompt_id, now)?,
            Command::Rate {
                participant,
                prompt_id,
                statement,
                value,
            } => self.rate(participant, prompt_id, *statement, *value)?,
            Command::PlaceDot {
                participant,
                prompt_id,
                item_id,
            } => self.place_dot(participant, prompt_id, item_id)?,
            Command::RemoveDot {
                participant,
                prompt_id,
                item_id,
            } => self.remove_dot(participant, prompt_id, item_id)?,
            Command::Like {
                participant,
                item_id,
                liked,
            } => {
                let at = *self
                    .item_index
                    .get(item_id)
                    .ok_or(Rejection::ItemNotFound)?;
                let item = &self.items[at];
                let prompt = self
                    .prompt(&item.prompt_id)
                    .ok_or(Rejection::PromptNotFound)?;
                if !prompt.draft.wall {
                    return Err(Rejection::WallOff);
                }
                prompt.accepting()?;
                // What a phone cannot see, it cannot like.
                let same_group =
                    !prompt.draft.per_group || item.group.as_ref() == self.members.get(participant);
                if !item.is_visible() || !same_group {
                    return Err(Rejection::ItemNotFound);
                }
                if item.participant == *participant {
                    return Err(Rejection::OwnItem);
                }
                let item = &mut self.items[at];
                let changed = if *liked {
                    item.likes.insert(*participant)
                } else {
                    item.likes.remove(participant)
                };
                if changed {
                    vec![Event::ItemLiked(item.clone())]
                } else {
                    Vec::new()
                }
            }
            Command::HideItem { item_id } => self.set_hidden(item_id, true)?,
            Command::UnhideItem { item_id } => self.set_hidden(item_id, false)?,
            Command::EditItem { item_id, text } => {
                let at = *self
                    .item_index
                    .get(item_id)
                    .ok_or(Rejection::ItemNotFound)?;
                let max = self
                    .prompt(&self.items[at].prompt_id)
                    .and_then(|p| p.draft.activity.item_text_max())
                    .unwrap_or(ITEM_TEXT_MAX);
                let text = clean_text(text, max)?;
                let item = &mut self.items[at];
                if item.text == text {
                    Vec::new()
                } else {
                    let old = std::mem::replace(&mut item.text, text);
                    item.history.push(Revision { text: old, at: now });
                    vec![Event::ItemUpdated(item.clone())]
                }
            }
            Command::MergeItems { into, items } => self.merge(into, items)?,
            Command::UnmergeItem { item_id } => {
                let at = *self
                    .item_index
                    .get(item_id)
                    .ok_or(Rejection::ItemNotFound)?;
                let item = &mut self.items[at];
                match item.merged_into.take() {
                    Some(target) => {
                        if let Some(n) = self.merged_in.get_mut(&item.prompt_id) {
                            *n = n.saturating_sub(1);
                        }
                        let mut events = vec![Event::ItemUpdated(item.clone())];
                        if let Some(t) = self.item(&target) {
                            events.push(Event::ItemUpdated(t.clone()));
                        }
                        events
                    }
                    None => Vec::new(),
                }
            }
            Command::StarItem { item_id, starred } => {
                let at = *self
                    .item_index
                    .get(item_id)
                    .ok_or(Rejection::ItemNotFound)?;
                let item = &mut self.items[at];
                if item.starred == *starred {
                    Vec::new()
                } else {
                    item.starred = *starred;
                    vec![Event::ItemUpdated(item.clone())]
                }
            }
            Command::ApproveItem { item_id } => {
                let at = *self
                    .item_index
                    .get(item_id)
                    .ok_or(Rejection::ItemNotFound)?;
                let item = &mut self.items[at];
                if item.approved {
                    Vec::new()
                } else {
                    item.approved = true;
                    vec![Event::ItemUpdated(item.clone())]
                }
            }
        };
        Ok(self.stamp(events))
    }

    /// Validates a draft, including rules that look at other prompts.
    fn check_draft(
        &self,
        draft: &PromptDraft,
        own: Option<&PromptId>,
    ) -> Result<PromptDraft, Rejection> {
        let draft = validate_draft(draft)?;
        if let Some(source) = draft.activity.ballot_source() {
            let ok = Some(source) != own
                && self
                    .prompt(source)
                    .is_some_and(|p| p.draft.activity.takes_items());
            if !ok {
                return Err(Rejection::InvalidPrompt(
                    "a dot vote's source must be a brainstorm or word cloud of this session",
                ));
            }
        }
        Ok(draft)
    }

    fn push_prompt(&mut self, draft: PromptDraft, now: Millis) -> Result<Prompt, Rejection> {
        if self.prompts.len() >= MAX_PROMPTS {
            return Err(Rejection::SessionFull);
        }
        let prompt = Prompt {
            id: PromptId(format!("p{}", self.next_prompt)),
            draft,
            state: PromptState::Draft,
            locked: false,
            created_at: now,
            opened_at: None,
            closed_at: None,
            closes_at: None,
            ballot: Vec::new(),
        };
        self.next_prompt += 1;
        self.prompts.push(prompt.clone());
        Ok(prompt)
    }

    fn agenda_order(&self) -> Event {
        Event::AgendaReordered(self.prompts.iter().map(|p| p.id.clone()).collect())
    }

    fn import_agenda(
        &mut self,
        drafts: &[PromptDraft],
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        if self.prompts.len() + drafts.len() > MAX_PROMPTS {
            return Err(Rejection::SessionFull);
        }
        let first = self.next_prompt;
        // Check everything before changing anything.
        let mut checked = Vec::with_capacity(drafts.len());
        for (n, draft) in drafts.iter().enumerate() {
            let mut draft = validate_draft(draft)?;
            if let Some(source) = draft.activity.ballot_source_mut() {
                let resolved =
                    match source.0.strip_prefix('@').map(str::parse::<usize>) {
                        // Any other prompt of the import, before or after (the agenda may
                        // have been reordered so that a vote sits above its source).
                        Some(Ok(i))
                            if i != n && i < drafts.len() && drafts[i].activity.takes_items() =>
                        {
                            PromptId(format!("p{}", first as usize + i))
                        }
                        Some(_) => return Err(Rejection::InvalidPrompt(
                            "a dot vote's @N source must name a brainstorm or word cloud of the template",
                        )),
                        None => {
                            if !self
                                .prompt(source)
                                .is_some_and(|p| p.draft.activity.takes_items())
                            {
                                return Err(Rejection::InvalidPrompt(
                                    "a dot vote's source is not in this session",
                                ));
                            }
                            source.clone()
                        }
                    };
                *source = resolved;
            }
            checked.push(draft);
        }
        let mut events = Vec::with_capacity(checked.len());
        for draft in checked {
            events.push(Event::PromptAdded(self.push_prompt(draft, now)?));
        }
        Ok(events)
    }

    fn open_at(&mut self, at: usize, now: Millis) -> Result<Vec<Event>, Rejection> {
        if self.prompts[at].state == PromptState::Open {
            return Err(Rejection::PromptAlreadyOpen);
        }
        // A dot vote's ballot is frozen when it first opens: the source's visible items, in
        // their order (a list that moves under the thumb makes voting chaotic).
        let ballot = match self.prompts[at].draft.activity.ballot_source() {
            Some(source) if self.prompts[at].ballot.is_empty() => {
                let ballot: Vec<ItemId> = self.visible_items(source).map(|i| i.id).collect();
                if ballot.is_empty() {
                    return Err(Rejection::EmptyBallot);
                }
                Some(ballot)
            }
            _ => None,
        };
        let mut events = Vec::with_capacity(2);
        // One prompt on the phones at a time: opening the next closes the last.
        if let Some(open) = self
            .prompts
            .iter_mut()
            .find(|p| p.state == PromptState::Open)
        {
            close(open, now);
            events.push(Event::PromptClosed(open.clone()));
        }
        let prompt = &mut self.prompts[at];
        if let Some(ballot) = ballot {
            prompt.ballot = ballot;
        }
        prompt.state = PromptState::Open;
        prompt.locked = false;
        prompt.opened_at = Some(now);
        prompt.closed_at = None;
        prompt.closes_at = prompt
            .draft
            .time_limit_secs
            .map(|secs| now + u64::from(secs) * 1000);
        self.current = Some(prompt.id.clone());
        events.push(Event::PromptOpened(prompt.clone()));
        // A facilitator who opens a prompt wants the room to see it: the projector follows
        // again, whatever it showed (the join page, an earlier prompt). Showing the join page
        // over a fresh prompt takes one more press; missing the new prompt on the wall would
        // be the worse surprise.
        events.extend(self.show_on_screen(ScreenView::Follow));
        Ok(events)
    }

    /// Sets the projector's view; an event only when it changes.
    fn show_on_screen(&mut self, view: ScreenView) -> Vec<Event> {
        if self.screen == view {
            Vec::new()
        } else {
            self.screen = view.clone();
            vec![Event::ScreenChanged(view)]
        }
    }

    fn merge(&mut self, into: &ItemId, items: &[ItemId]) -> Result<Vec<Event>, Rejection> {
        let target = self.item(into).ok_or(Rejection::ItemNotFound)?;
        if target.merged_into.is_some() || items.is_empty() {
            return Err(Rejection::InvalidMerge);
        }
        let prompt = target.prompt_id.clone();
        let mut seen = BTreeSet::new();
        for id in items {
            let item = self.item(id).ok_or(Rejection::ItemNotFound)?;
            if id == into
                || item.prompt_id != prompt
                || item.merged_into.is_some()
                || !seen.insert(*id)
            {
                return Err(Rejection::InvalidMerge);
            }
        }
        let mut events = Vec::with_capacity(items.len() + 1);
        for id in items {
            let at = self.item_index[id];
            self.items[at].merged_into = Some(*into);
            *self.merged_in.entry(prompt.clone()).or_default() += 1;
            events.push(Event::ItemUpdated(self.items[at].clone()));
        }
        // Items that had been merged into a merged item now resolve to the new root through
        // `merge_root`; the target's event lets views refresh its counts.
        if let Some(t) = self.item(into) {
            events.push(Event::ItemUpdated(t.clone()));
        }
        Ok(events)
    }

    fn set_hidden(&mut self, item_id: &ItemId, hidden: bool) -> Result<Vec<Event>, Rejection> {
        let &at = self
            .item_index
            .get(item_id)
            .ok_or(Rejection::ItemNotFound)?;
        let item = &mut self.items[at];
        if item.hidden == hidden {
            return Ok(Vec::new());
        }
        item.hidden = hidden;
        let item = item.clone();
        Ok(vec![if hidden {
            Event::ItemHidden(item)
        } else {
            Event::ItemUnhidden(item)
        }])
    }

    fn stamp(&mut self, events: Vec<Event>) -> Applied {
        let events: Vec<Stamped> = events
            .into_iter()
            .map(|event| {
                self.seq += 1;
                Stamped {
                    seq: self.seq,
                    event,
                }
            })
            .collect();
        Applied {
            events,
            ack_seq: self.seq,
        }
    }

    fn prompt_index(&self, id: &PromptId) -> Result<usize, Rejection> {
        self.prompts
            .iter()
            .position(|p| &p.id == id)
            .ok_or(Rejection::PromptNotFound)
    }

    fn prompt_mut(&mut self, id: &PromptId) -> Result<&mut Prompt, Rejection> {
        let at = self.prompt_index(id)?;
        Ok(&mut self.prompts[at])
    }
}

fn close(prompt: &mut Prompt, now: Millis) {
    prompt.state = PromptState::Closed;
    prompt.locked = false;
    prompt.closed_at = Some(now);
}

fn check_group(name: &str, color: &Option<String>) -> Result<(String, Option<String>), Rejection> {
    let name = clean_text(name, GROUP_NAME_MAX)
        .map_err(|_| Rejection::InvalidGroup("a group name must be 1–60 characters"))?;
    if let Some(c) = color {
        let ok =
            c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit());
        if !ok {
            return Err(Rejection::InvalidGroup("a colour is #rrggbb"));
        }
    }
    Ok((name, color.clone()))
}

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;
