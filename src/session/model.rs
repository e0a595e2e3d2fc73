//! The session's state ([`Session`], [`SessionMeta`]) and its read accessors. Every change
//! goes through [`Session::apply`]; the fields are visible to the session's own modules only.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::types::*;
use super::{
    AnswerSet, Applied, Event, Group, Item, Prompt, Rehearsal, Rejection, ScreenView, Stamped,
    Tombstone,
};

/// Who runs the session and how it presents itself (stored as `store::format::MetaV1`).
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub time_zone: TimeZoneName,
    /// The series it was made in, if any: that series' key may read its exports. Set once at
    /// creation; imports start outside any series.
    pub series: Option<SeriesName>,
}

/// One workshop's whole state. It has no serde shape of its own: snapshots store it as
/// `store::format::SnapshotV1`, built from and into [`SessionParts`].
#[derive(Debug, Clone)]
pub struct Session {
    /// Name, title, language, key hash.
    pub meta: SessionMeta,
    pub(super) prompts: Vec<Prompt>,
    pub(super) items: Vec<Item>,
    pub(super) groups: Vec<Group>,
    /// Which group each participant picked.
    pub(super) members: BTreeMap<ParticipantId, GroupId>,
    /// Answers to polls, scales and dot votes, per prompt.
    pub(super) answers: BTreeMap<PromptId, AnswerSet>,
    /// The prompt phones show now (open, or the one just closed).
    pub(super) current: Option<PromptId>,
    /// What the projector shows.
    pub(super) screen: ScreenView,
    /// The language the projector stacks under the main one (see [`super::translation`]).
    pub(super) screen_language: Option<Language>,
    /// The last sequence number handed out.
    pub(super) seq: u64,
    /// The number in the next prompt id.
    pub(super) next_prompt: u32,
    /// The number in the next group id.
    pub(super) next_group: u32,
    /// Pseudonyms carried over from an imported export, by the fresh id each was given: an
    /// imported session knows its participants only by these, and shows them unchanged (even
    /// under a new name). Empty for sessions that were not imported.
    pub(super) pseudonyms: BTreeMap<ParticipantId, String>,
    /// When the session was imported, if it was: counts as activity, so that an archive
    /// imported months later is not deleted by retention on the next sweep.
    pub(super) imported_at: Option<Millis>,
    /// What is left of erased items (no text), in the order they were erased.
    pub(super) tombstones: Vec<Tombstone>,
    /// Items whose earlier texts were erased while they stayed, with when.
    pub(super) history_erased: BTreeMap<ItemId, Millis>,
    /// The facilitator's notes per prompt (never shown to phones or the projector).
    pub(super) notes: BTreeMap<PromptId, String>,
    /// Whether the session is a rehearsal, and its last reset.
    pub(super) rehearsal: Rehearsal,
    pub(super) item_index: HashMap<ItemId, usize>,
    pub(super) by_participant: HashMap<ParticipantId, Vec<usize>>,
    pub(super) by_prompt: HashMap<PromptId, Vec<usize>>,
    /// Per prompt, how many of its items are merged into another: while none are (the usual
    /// case), like and merge counts need no scan of the prompt's items. Without this every
    /// item view cost a pass over all its prompt's items, so a welcome or a wall of n items
    /// cost n² (seconds at 20,000 items, with the session task blocked meanwhile).
    pub(super) merged_in: HashMap<PromptId, usize>,
}

/// A session's stored state, field by field, without its lookup indexes: what a persisted
/// format (`store::format`) reads a session out of and builds one back from, so that the
/// disk's shape is the store's own type and not `Session`'s private layout.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionParts {
    /// Name, title, language, key hash.
    pub meta: SessionMeta,
    /// The agenda, in order.
    pub prompts: Vec<Prompt>,
    /// Every item, in the order they were accepted.
    pub items: Vec<Item>,
    /// The groups.
    pub groups: Vec<Group>,
    /// Which group each participant picked.
    pub members: BTreeMap<ParticipantId, GroupId>,
    /// Answers to polls, scales and dot votes, per prompt.
    pub answers: BTreeMap<PromptId, AnswerSet>,
    /// The prompt phones show now.
    pub current: Option<PromptId>,
    /// What the projector shows.
    pub screen: ScreenView,
    /// The language the projector stacks under the main one.
    pub screen_language: Option<Language>,
    /// The last sequence number handed out.
    pub seq: u64,
    /// The number in the next prompt id.
    pub next_prompt: u32,
    /// The number in the next group id.
    pub next_group: u32,
    /// Pseudonyms carried over from an imported export.
    pub pseudonyms: BTreeMap<ParticipantId, String>,
    /// When the session was imported, if it was.
    pub imported_at: Option<Millis>,
    /// What is left of erased items.
    pub tombstones: Vec<Tombstone>,
    /// Items whose earlier texts were erased, with when.
    pub history_erased: BTreeMap<ItemId, Millis>,
    /// The facilitator's notes per prompt.
    pub notes: BTreeMap<PromptId, String>,
    /// Whether the session is a rehearsal, and its last reset.
    pub rehearsal: Rehearsal,
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
            && self.screen_language == other.screen_language
            && self.seq == other.seq
            && self.next_prompt == other.next_prompt
            && self.next_group == other.next_group
            && self.pseudonyms == other.pseudonyms
            && self.imported_at == other.imported_at
            && self.tombstones == other.tombstones
            && self.history_erased == other.history_erased
            && self.notes == other.notes
            && self.rehearsal == other.rehearsal
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
            screen_language: None,
            seq: 0,
            next_prompt: 1,
            next_group: 1,
            pseudonyms: BTreeMap::new(),
            imported_at: None,
            tombstones: Vec::new(),
            history_erased: BTreeMap::new(),
            notes: BTreeMap::new(),
            rehearsal: Rehearsal::default(),
            item_index: HashMap::new(),
            by_participant: HashMap::new(),
            by_prompt: HashMap::new(),
            merged_in: HashMap::new(),
        }
    }

    /// The stored state, copied out (the lookup indexes are derived, so not part of it).
    pub fn to_parts(&self) -> SessionParts {
        SessionParts {
            meta: self.meta.clone(),
            prompts: self.prompts.clone(),
            items: self.items.clone(),
            groups: self.groups.clone(),
            members: self.members.clone(),
            answers: self.answers.clone(),
            current: self.current.clone(),
            screen: self.screen.clone(),
            screen_language: self.screen_language,
            seq: self.seq,
            next_prompt: self.next_prompt,
            next_group: self.next_group,
            pseudonyms: self.pseudonyms.clone(),
            imported_at: self.imported_at,
            tombstones: self.tombstones.clone(),
            history_erased: self.history_erased.clone(),
            notes: self.notes.clone(),
            rehearsal: self.rehearsal,
        }
    }

    /// A session from its stored state, with its lookup indexes rebuilt.
    pub fn from_parts(parts: SessionParts) -> Self {
        let SessionParts {
            meta,
            prompts,
            items,
            groups,
            members,
            answers,
            current,
            screen,
            screen_language,
            seq,
            next_prompt,
            next_group,
            pseudonyms,
            imported_at,
            tombstones,
            history_erased,
            notes,
            rehearsal,
        } = parts;
        let mut session = Self {
            prompts,
            items,
            groups,
            members,
            answers,
            current,
            screen,
            screen_language,
            seq,
            next_prompt,
            next_group,
            pseudonyms,
            imported_at,
            tombstones,
            history_erased,
            notes,
            rehearsal,
            ..Self::new(meta)
        };
        session.reindex();
        session
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

    pub(super) fn index_item(&mut self, at: usize) {
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
    pub(super) fn has_merges(&self, prompt: &PromptId) -> bool {
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

    pub(super) fn stamp(&mut self, events: Vec<Event>) -> Applied {
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

    pub(super) fn prompt_index(&self, id: &PromptId) -> Result<usize, Rejection> {
        self.prompts
            .iter()
            .position(|p| &p.id == id)
            .ok_or(Rejection::PromptNotFound)
    }

    pub(super) fn prompt_mut(&mut self, id: &PromptId) -> Result<&mut Prompt, Rejection> {
        let at = self.prompt_index(id)?;
        Ok(&mut self.prompts[at])
    }
}
