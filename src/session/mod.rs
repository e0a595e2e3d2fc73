//! The pure session state machine: commands in, events out, no I/O.
//!
//! A [`Session`] holds one workshop: its prompts and every item participants sent. All rules
//! live in [`Session::apply`], which either rejects a command and changes nothing, or changes
//! the state and returns the events that describe the change, each stamped with the session's
//! next gap-free sequence number. Time comes in as a parameter, so replaying the journal
//! (the same commands with the same times) rebuilds the same state.

mod types;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use types::*;

/// Most prompts one session may hold; an agenda for a long day fits many times over.
pub const MAX_PROMPTS: usize = 500;
/// Most items one session may hold: a bound on memory, far above any real seminar.
pub const MAX_ITEMS: usize = 200_000;

/// What kind of activity a prompt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PromptKind {
    /// Participants send short free-text items, one at a time.
    #[default]
    Brainstorm,
}

/// Where a prompt is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptState {
    /// Prepared on the agenda, not yet shown to anyone but the facilitator.
    Draft,
    /// On every phone and accepting items.
    Open,
    /// Shown as closed; items are refused.
    Closed,
}

/// What the facilitator writes when preparing a prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptDraft {
    /// The activity type.
    #[serde(default)]
    pub kind: PromptKind,
    /// The question itself, shown large.
    pub title: String,
    /// How to answer ("Write one actor at a time and press Send.").
    #[serde(default)]
    pub instructions: String,
    /// Optional time box, in seconds, shown as a countdown.
    #[serde(default)]
    pub time_limit_secs: Option<u32>,
}

/// A prompt on the session's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    /// `p1`, `p2`, … in order of creation.
    pub id: PromptId,
    /// The activity type.
    pub kind: PromptKind,
    /// The question.
    pub title: String,
    /// How to answer.
    pub instructions: String,
    /// Time box in seconds, if any.
    pub time_limit_secs: Option<u32>,
    /// Draft, open or closed.
    pub state: PromptState,
    /// When it was added.
    pub created_at: Millis,
    /// When it was last opened.
    pub opened_at: Option<Millis>,
    /// When it was last closed.
    pub closed_at: Option<Millis>,
}

/// One answer a participant sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Made by the participant's device.
    pub id: ItemId,
    /// The prompt it answers.
    pub prompt_id: PromptId,
    /// Who sent it (never shown raw to anyone else).
    pub participant: ParticipantId,
    /// The cleaned text.
    pub text: String,
    /// When the server accepted it.
    pub created_at: Millis,
    /// Hidden by the facilitator: kept, but off the projector.
    pub hidden: bool,
    /// The sequence number of its `item_added` event, repeated in every ack for it.
    pub seq: u64,
}

/// A change the facilitator or a participant asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// Put a new draft prompt at the end of the agenda.
    AddPrompt {
        /// Its content.
        draft: PromptDraft,
    },
    /// Change a prompt's content (any state: fixing a typo live is normal).
    UpdatePrompt {
        /// Which prompt.
        prompt_id: PromptId,
        /// Its new content.
        draft: PromptDraft,
    },
    /// Remove a draft prompt from the agenda.
    DeletePrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Show a prompt on every phone and accept items; closes the prompt open before it.
    OpenPrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// Stop accepting items for a prompt.
    ClosePrompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
    /// A participant's item.
    Submit {
        /// Who sends it.
        participant: ParticipantId,
        /// The device-made id that makes a resend harmless.
        item_id: ItemId,
        /// The prompt it answers.
        prompt_id: PromptId,
        /// The raw text.
        text: String,
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
}

/// A change that happened, as the other parts of the system need to hear of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A draft was added to the agenda.
    PromptAdded(Prompt),
    /// A prompt's content changed.
    PromptUpdated(Prompt),
    /// A draft was removed.
    PromptDeleted(PromptId),
    /// A prompt is now on every phone.
    PromptOpened(Prompt),
    /// A prompt stopped accepting items.
    PromptClosed(Prompt),
    /// A participant's item was accepted.
    ItemAdded(Item),
    /// An item was hidden.
    ItemHidden(Item),
    /// A hidden item was shown again.
    ItemUnhidden(Item),
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
    /// A prompt's title, instructions or time box is out of bounds.
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
    /// Only drafts may be deleted.
    #[error("only draft prompts can be deleted")]
    PromptNotDraft,
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
            Rejection::PromptNotDraft => "prompt_not_draft",
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
}

/// One workshop's whole state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// Name, title, language, key hash.
    pub meta: SessionMeta,
    prompts: Vec<Prompt>,
    items: Vec<Item>,
    /// The prompt phones show now (open, or the one just closed).
    current: Option<PromptId>,
    /// The last sequence number handed out.
    seq: u64,
    /// The number in the next prompt id.
    next_prompt: u32,
    #[serde(skip)]
    item_index: HashMap<ItemId, usize>,
    #[serde(skip)]
    by_participant: HashMap<ParticipantId, Vec<usize>>,
}

impl PartialEq for Session {
    fn eq(&self, other: &Self) -> bool {
        self.meta == other.meta
            && self.prompts == other.prompts
            && self.items == other.items
            && self.current == other.current
            && self.seq == other.seq
            && self.next_prompt == other.next_prompt
    }
}

impl Session {
    /// A new, empty session.
    pub fn new(meta: SessionMeta) -> Self {
        Self {
            meta,
            prompts: Vec::new(),
            items: Vec::new(),
            current: None,
            seq: 0,
            next_prompt: 1,
            item_index: HashMap::new(),
            by_participant: HashMap::new(),
        }
    }

    /// Rebuilds the lookup indexes after deserializing.
    pub fn reindex(&mut self) {
        self.item_index.clear();
        self.by_participant.clear();
        for (i, item) in self.items.iter().enumerate() {
            self.item_index.insert(item.id, i);
            self.by_participant
                .entry(item.participant)
                .or_default()
                .push(i);
        }
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

    /// The prompt phones show now, if any.
    pub fn current_prompt(&self) -> Option<&Prompt> {
        self.current.as_ref().and_then(|id| self.prompt(id))
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

    /// Applies a command at time `now`: either every change and its events, or a rejection
    /// and no change at all.
    pub fn apply(&mut self, command: &Command, now: Millis) -> Result<Applied, Rejection> {
        let events = match command {
            Command::AddPrompt { draft } => {
                if self.prompts.len() >= MAX_PROMPTS {
                    return Err(Rejection::SessionFull);
                }
                let draft = validate_draft(draft)?;
                let prompt = Prompt {
                    id: PromptId(format!("p{}", self.next_prompt)),
                    kind: draft.kind,
                    title: draft.title,
                    instructions: draft.instructions,
                    time_limit_secs: draft.time_limit_secs,
                    state: PromptState::Draft,
                    created_at: now,
                    opened_at: None,
                    closed_at: None,
                };
                self.next_prompt += 1;
                self.prompts.push(prompt.clone());
                vec![Event::PromptAdded(prompt)]
            }
            Command::UpdatePrompt { prompt_id, draft } => {
                let draft = validate_draft(draft)?;
                let prompt = self.prompt_mut(prompt_id)?;
                prompt.kind = draft.kind;
                prompt.title = draft.title;
                prompt.instructions = draft.instructions;
                prompt.time_limit_secs = draft.time_limit_secs;
                vec![Event::PromptUpdated(prompt.clone())]
            }
            Command::DeletePrompt { prompt_id } => {
                let at = self.prompt_index(prompt_id)?;
                if self.prompts[at].state != PromptState::Draft {
                    return Err(Rejection::PromptNotDraft);
                }
                self.prompts.remove(at);
                vec![Event::PromptDeleted(prompt_id.clone())]
            }
            Command::OpenPrompt { prompt_id } => {
                let at = self.prompt_index(prompt_id)?;
                if self.prompts[at].state == PromptState::Open {
                    return Err(Rejection::PromptAlreadyOpen);
                }
                let mut events = Vec::with_capacity(2);
                // One prompt on the phones at a time: opening the next closes the last.
                if let Some(open) = self
                    .prompts
                    .iter_mut()
                    .find(|p| p.state == PromptState::Open)
                {
                    open.state = PromptState::Closed;
                    open.closed_at = Some(now);
                    events.push(Event::PromptClosed(open.clone()));
                }
                let prompt = &mut self.prompts[at];
                prompt.state = PromptState::Open;
                prompt.opened_at = Some(now);
                prompt.closed_at = None;
                self.current = Some(prompt.id.clone());
                events.push(Event::PromptOpened(prompt.clone()));
                events
            }
            Command::ClosePrompt { prompt_id } => {
                let prompt = self.prompt_mut(prompt_id)?;
                match prompt.state {
                    PromptState::Open => {}
                    PromptState::Closed => return Err(Rejection::PromptClosed),
                    PromptState::Draft => return Err(Rejection::PromptNotOpen),
                }
                prompt.state = PromptState::Closed;
                prompt.closed_at = Some(now);
                vec![Event::PromptClosed(prompt.clone())]
            }
            Command::Submit {
                participant,
                item_id,
                prompt_id,
                text,
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
                match prompt.state {
                    PromptState::Open => {}
                    PromptState::Closed => return Err(Rejection::PromptClosed),
                    PromptState::Draft => return Err(Rejection::PromptNotOpen),
                }
                let text = clean_text(text, ITEM_TEXT_MAX)?;
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
                };
                let at = self.items.len();
                self.item_index.insert(item.id, at);
                self.by_participant
                    .entry(*participant)
                    .or_default()
                    .push(at);
                self.items.push(item.clone());
                vec![Event::ItemAdded(item)]
            }
            Command::HideItem { item_id } => self.set_hidden(item_id, true)?,
            Command::UnhideItem { item_id } => self.set_hidden(item_id, false)?,
        };
        Ok(self.stamp(events))
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

/// Checks and cleans a facilitator's draft.
fn validate_draft(draft: &PromptDraft) -> Result<PromptDraft, Rejection> {
    let title = clean_text(&draft.title, PROMPT_TITLE_MAX).map_err(|r| match r {
        Rejection::TextEmpty => Rejection::InvalidPrompt("the question is empty"),
        _ => Rejection::InvalidPrompt("the question is longer than 500 characters"),
    })?;
    let instructions = match clean_text(&draft.instructions, PROMPT_INSTRUCTIONS_MAX) {
        Ok(text) => text,
        Err(Rejection::TextEmpty) => String::new(),
        Err(_) => {
            return Err(Rejection::InvalidPrompt(
                "the instructions are longer than 2000 characters",
            ))
        }
    };
    if let Some(secs) = draft.time_limit_secs {
        if !(TIME_LIMIT_MIN_SECS..=TIME_LIMIT_MAX_SECS).contains(&secs) {
            return Err(Rejection::InvalidPrompt(
                "the time box must be between 10 seconds and 3 hours",
            ));
        }
    }
    Ok(PromptDraft {
        kind: draft.kind,
        title,
        instructions,
        time_limit_secs: draft.time_limit_secs,
    })
}

#[cfg(test)]
mod tests;
