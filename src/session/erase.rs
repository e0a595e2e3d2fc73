//! Erasure: a person's words taken out of the session for good. The facilitator erases any
//! item ([`Command::EraseItem`]), a participant withdraws their own while its prompt is open
//! ([`Command::WithdrawItem`]), and the facilitator drops an edited item's earlier texts
//! ([`Command::EraseItemHistory`]).
//!
//! An erased item leaves the item list altogether, so no view, result or export can show it
//! by mistake; a [`Tombstone`] without text remembers that it existed (so a phone's resend is
//! acknowledged, not stored again, and the disk scrubber knows what to rewrite). What pointed
//! at it is settled here, the way a facilitator expects: items merged into it stand on their
//! own again (or join what it had joined), its likes go with it, dots on it go back to their
//! voters, matrix placements of it are taken off, and it leaves every frozen ballot.

use serde::{Deserialize, Serialize};

use super::types::*;
use super::{Command, Event, Rejection, Session};

/// Who erased an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasedBy {
    /// The facilitator ([`Command::EraseItem`]).
    Facilitator,
    /// Its author ([`Command::WithdrawItem`]).
    Author,
}

/// What is left of an erased item: that it existed, never what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    /// The erased item's id (never reused: a resend of it is acknowledged, not stored).
    pub id: ItemId,
    /// The prompt it answered.
    pub prompt_id: PromptId,
    /// Who sent it: a resend is told apart from another device reusing the id.
    pub participant: ParticipantId,
    /// When the server had accepted it.
    pub created_at: Millis,
    /// The seq of its `item_added`, repeated in the ack of a resend.
    pub seq: u64,
    /// Who erased it.
    pub erased_by: ErasedBy,
    /// When.
    pub erased_at: Millis,
}

impl Session {
    /// Whether an item was erased (withdrawn or erased by the facilitator).
    pub fn is_erased(&self, id: &ItemId) -> bool {
        self.tombstone(id).is_some()
    }

    /// Whether an item's earlier texts were dropped: after [`Command::EraseItemHistory`] or
    /// [`Command::EraseItem`]. The disk scrubber rewrites the files that still hold them.
    pub fn history_erased(&self, id: &ItemId) -> bool {
        self.is_erased(id) || self.history_erased.contains_key(id)
    }

    /// An erased item's tombstone.
    pub fn tombstone(&self, id: &ItemId) -> Option<&Tombstone> {
        self.tombstones.iter().find(|t| t.id == *id)
    }

    /// Every erased item's tombstone, in the order they were erased.
    pub fn tombstones(&self) -> &[Tombstone] {
        &self.tombstones
    }

    /// Items whose history was erased while they stayed, with when.
    pub fn erased_histories(&self) -> impl Iterator<Item = (&ItemId, &Millis)> {
        self.history_erased.iter()
    }

    /// Applies an erasure command; [`Session::apply`] routes only those here.
    pub(super) fn apply_erase(
        &mut self,
        command: &Command,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        match command {
            Command::EraseItem { item_id } => self.erase_item(item_id, None, now),
            Command::WithdrawItem {
                participant,
                item_id,
            } => self.erase_item(item_id, Some(participant), now),
            Command::EraseItemHistory { item_id } => self.erase_history(item_id, now),
            other => unreachable!("Session::apply routed {other:?} to erasure"),
        }
    }

    /// Erases an item: by the facilitator (`author` none) or withdrawn by its author, who
    /// may do so only while its prompt takes answers. Erasing an erased item changes nothing.
    fn erase_item(
        &mut self,
        item_id: &ItemId,
        author: Option<&ParticipantId>,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        let Some(&at) = self.item_index.get(item_id) else {
            return match (self.tombstone(item_id), author) {
                (Some(_), None) => Ok(Vec::new()),
                (Some(t), Some(who)) if t.participant == *who => Ok(Vec::new()),
                _ => Err(Rejection::ItemNotFound),
            };
        };
        let item = &self.items[at];
        if let Some(who) = author {
            if item.participant != *who {
                return Err(Rejection::NotYours);
            }
            self.prompt(&item.prompt_id)
                .ok_or(Rejection::PromptNotFound)?
                .accepting()?;
        }
        let item = self.remove_item(at);
        self.history_erased.remove(item_id);
        let tombstone = Tombstone {
            id: item.id,
            prompt_id: item.prompt_id.clone(),
            participant: item.participant,
            created_at: item.created_at,
            seq: item.seq,
            erased_by: match author {
                Some(_) => ErasedBy::Author,
                None => ErasedBy::Facilitator,
            },
            erased_at: now,
        };
        self.tombstones.push(tombstone.clone());
        // Its duplicates join what it had joined, or stand alone again.
        let mut freed = Vec::new();
        for &at in self.by_prompt.get(&item.prompt_id).into_iter().flatten() {
            let other = &mut self.items[at];
            if other.merged_into == Some(item.id) {
                other.merged_into = item.merged_into;
                freed.push(other.id);
            }
        }
        if item.merged_into.is_none() && !freed.is_empty() {
            if let Some(n) = self.merged_in.get_mut(&item.prompt_id) {
                *n = n.saturating_sub(freed.len());
            }
        }
        let mut events = vec![Event::ItemErased(tombstone)];
        events.extend(
            freed
                .iter()
                .filter_map(|id| self.item(id))
                .map(|i| Event::ItemUpdated(i.clone())),
        );
        if let Some(root) = item
            .merged_into
            .and_then(|r| self.item(&self.merge_root(&r)))
        {
            events.push(Event::ItemUpdated(root.clone()));
        }
        events.extend(self.drop_from_ballots(&item.id));
        Ok(events)
    }

    /// Takes the item at `at` out of the list and its lookup indexes, which shift down past
    /// it: one pass over plain integers, where rebuilding them (hashing every item again)
    /// cost tens of milliseconds at 20,000 items with the session task blocked.
    fn remove_item(&mut self, at: usize) -> super::Item {
        let item = self.items.remove(at);
        self.item_index.remove(&item.id);
        for i in self.item_index.values_mut() {
            if *i > at {
                *i -= 1;
            }
        }
        let lists = self
            .by_participant
            .values_mut()
            .chain(self.by_prompt.values_mut());
        for list in lists {
            list.retain(|&i| i != at);
            for i in list.iter_mut() {
                if *i > at {
                    *i -= 1;
                }
            }
        }
        self.by_participant.retain(|_, list| !list.is_empty());
        self.by_prompt.retain(|_, list| !list.is_empty());
        if item.merged_into.is_some() {
            if let Some(n) = self.merged_in.get_mut(&item.prompt_id) {
                *n = n.saturating_sub(1);
            }
        }
        item
    }

    /// Takes an erased item off every frozen ballot with the dots and placements on it
    /// (voters get their dots back); one `AnswersChanged` per ballot it was on.
    fn drop_from_ballots(&mut self, id: &ItemId) -> Vec<Event> {
        let mut events = Vec::new();
        for prompt in &mut self.prompts {
            let before = prompt.ballot.len();
            prompt.ballot.retain(|b| b != id);
            if prompt.ballot.len() == before {
                continue;
            }
            if let Some(set) = self.answers.get_mut(&prompt.id) {
                set.forget_item(id);
            }
            events.push(Event::PromptUpdated(prompt.clone()));
            events.push(Event::AnswersChanged(prompt.id.clone()));
        }
        events
    }

    /// [`Command::EraseItemHistory`]: drops an item's earlier texts, keeps its current one.
    fn erase_history(&mut self, item_id: &ItemId, now: Millis) -> Result<Vec<Event>, Rejection> {
        let Some(&at) = self.item_index.get(item_id) else {
            return if self.is_erased(item_id) {
                Ok(Vec::new())
            } else {
                Err(Rejection::ItemNotFound)
            };
        };
        let item = &mut self.items[at];
        // Without earlier texts there is nothing to erase, and nothing changes: a command
        // without events is not journaled, so it must leave the state as it was.
        if item.history.is_empty() {
            return Ok(Vec::new());
        }
        item.history.clear();
        self.history_erased.insert(*item_id, now);
        Ok(vec![Event::ItemUpdated(item.clone())])
    }
}

impl super::AnswerSet {
    /// Takes every answer about an item away: dots go back to their voters, placements come
    /// off the matrix; a participant left with nothing is left out, as if they never voted.
    fn forget_item(&mut self, id: &ItemId) {
        fn forget<V>(
            placed: &mut std::collections::BTreeMap<
                ParticipantId,
                std::collections::BTreeMap<ItemId, V>,
            >,
            id: &ItemId,
        ) {
            for mine in placed.values_mut() {
                mine.remove(id);
            }
            placed.retain(|_, mine| !mine.is_empty());
        }
        match self {
            super::AnswerSet::DotVote(a) => forget(&mut a.placed, id),
            super::AnswerSet::Matrix(a) => forget(&mut a.placed, id),
            super::AnswerSet::Poll(_) | super::AnswerSet::Scale(_) => {}
        }
    }
}
