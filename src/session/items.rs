//! Items, the participants' texts: sending, liking, and the facilitator's moderation (hide,
//! edit, merge and unmerge, star, approve).

use std::collections::BTreeSet;

use super::types::*;
use super::{Applied, Command, Event, Rejection, Session};

/// Most items one session may hold: a bound on memory, far above any real seminar.
pub const MAX_ITEMS: usize = 200_000;

/// One answer a participant sent to a brainstorm or word cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub column: Option<u8>,
    /// The sender's group when it was sent.
    pub group: Option<GroupId>,
    /// Earlier texts, oldest first, when the facilitator edited it.
    pub history: Vec<Revision>,
    /// Merged as a duplicate into this item (kept, and traceable in exports).
    pub merged_into: Option<ItemId>,
    /// Shown large on the projector.
    pub starred: bool,
    /// False while waiting for the facilitator's approval (pre-moderated prompts).
    pub approved: bool,
    /// Participants who liked it on the wall.
    pub likes: BTreeSet<ParticipantId>,
    /// The theme the facilitator put it in (one of its prompt's); a merged duplicate is
    /// read in its root's ([`Session::theme_of`]).
    pub theme: Option<super::ThemeId>,
    /// A question the facilitator marked answered (questions prompts only).
    pub answered: bool,
    /// The optional name a participant signed a question with (personal data: erased with
    /// the item).
    pub author_name: Option<String>,
}

impl Item {
    /// Whether the projector and the wall show it.
    pub fn is_visible(&self) -> bool {
        !self.hidden && self.approved && self.merged_into.is_none()
    }
}

/// What a participant sent with a [`Command::Submit`], as the session reads it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sent<'a> {
    /// The raw text.
    pub text: &'a str,
    /// The column, for a brainstorm with columns.
    pub column: Option<u8>,
    /// The optional name, for a questions prompt that takes names.
    pub name: Option<&'a str>,
}

impl Session {
    /// Applies an items command; [`Session::apply`] routes only those here. It stamps the
    /// events itself because a resent item is acked with its first seq, not a new one.
    pub(super) fn apply_items(
        &mut self,
        command: &Command,
        now: Millis,
    ) -> Result<Applied, Rejection> {
        use Command as C;
        let events = match command {
            C::Submit {
                participant,
                item_id,
                prompt_id,
                text,
                column,
                name,
            } => {
                let sent = Sent {
                    text,
                    column: *column,
                    name: name.as_deref(),
                };
                return self.submit(participant, item_id, prompt_id, sent, now);
            }
            C::Like {
                participant,
                item_id,
                liked,
            } => self.like(participant, item_id, *liked)?,
            C::HideItem { item_id } => self.set_hidden(item_id, true)?,
            C::UnhideItem { item_id } => self.set_hidden(item_id, false)?,
            C::EditItem { item_id, text } => self.edit_item(item_id, text, now)?,
            C::MergeItems { into, items } => self.merge(into, items)?,
            C::UnmergeItem { item_id } => self.unmerge_item(item_id)?,
            C::StarItem { item_id, starred } => self.star_item(item_id, *starred)?,
            C::ApproveItem { item_id } => self.approve_item(item_id)?,
            C::MarkAnswered { item_id, answered } => self.mark_answered(item_id, *answered)?,
            other => unreachable!("Session::apply routed {other:?} to the items"),
        };
        Ok(self.stamp(events))
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

    /// [`Command::Submit`]: a participant's item; a resend is stored once and acked with its first seq.
    pub(super) fn submit(
        &mut self,
        participant: &ParticipantId,
        item_id: &ItemId,
        prompt_id: &PromptId,
        sent: Sent<'_>,
        now: Millis,
    ) -> Result<Applied, Rejection> {
        let Sent { text, column, name } = sent;
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
        if let Some(gone) = self.tombstone(item_id) {
            // A resend of an item withdrawn meanwhile: acknowledged, never stored again.
            if gone.participant == *participant && gone.prompt_id == *prompt_id {
                return Ok(Applied {
                    events: Vec::new(),
                    ack_seq: gone.seq,
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
        let text = prompt
            .draft
            .activity
            .check_item(self, prompt_id, participant, text, column)?;
        let author_name = match &prompt.draft.activity {
            super::Activity::Questions(q) => q.clean_name(name)?,
            _ if name.is_some_and(|n| !n.trim().is_empty()) => return Err(Rejection::NamesOff),
            _ => None,
        };
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
            column,
            group,
            history: Vec::new(),
            merged_into: None,
            starred: false,
            approved: !prompt.draft.premoderation,
            likes: BTreeSet::new(),
            theme: None,
            answered: false,
            author_name,
        };
        self.items.push(item.clone());
        self.index_item(self.items.len() - 1);
        Ok(self.stamp(vec![Event::ItemAdded(item)]))
    }

    /// [`Command::Like`]: only what the phone can see, never one's own.
    pub(super) fn like(
        &mut self,
        participant: &ParticipantId,
        item_id: &ItemId,
        liked: bool,
    ) -> Result<Vec<Event>, Rejection> {
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
        let changed = if liked {
            item.likes.insert(*participant)
        } else {
            item.likes.remove(participant)
        };
        Ok(if changed {
            vec![Event::ItemLiked(item.clone())]
        } else {
            Vec::new()
        })
    }

    /// [`Command::EditItem`]: the earlier text goes into the history.
    pub(super) fn edit_item(
        &mut self,
        item_id: &ItemId,
        text: &str,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
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
        Ok(if item.text == text {
            Vec::new()
        } else {
            let old = std::mem::replace(&mut item.text, text);
            item.history.push(Revision { text: old, at: now });
            vec![Event::ItemUpdated(item.clone())]
        })
    }

    /// [`Command::UnmergeItem`].
    pub(super) fn unmerge_item(&mut self, item_id: &ItemId) -> Result<Vec<Event>, Rejection> {
        let at = *self
            .item_index
            .get(item_id)
            .ok_or(Rejection::ItemNotFound)?;
        let item = &mut self.items[at];
        Ok(match item.merged_into.take() {
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
        })
    }

    /// [`Command::StarItem`].
    pub(super) fn star_item(
        &mut self,
        item_id: &ItemId,
        starred: bool,
    ) -> Result<Vec<Event>, Rejection> {
        let at = *self
            .item_index
            .get(item_id)
            .ok_or(Rejection::ItemNotFound)?;
        if self.items[at].starred == starred {
            return Ok(Vec::new());
        }
        // A questions prompt highlights one question at a time: the previous one goes out.
        let mut events = Vec::new();
        let prompt = self.items[at].prompt_id.clone();
        if starred && self.is_questions(&prompt) {
            let others: Vec<usize> = (self.by_prompt.get(&prompt).into_iter().flatten())
                .copied()
                .filter(|&i| i != at && self.items[i].starred)
                .collect();
            for i in others {
                self.items[i].starred = false;
                events.push(Event::ItemUpdated(self.items[i].clone()));
            }
        }
        let item = &mut self.items[at];
        item.starred = starred;
        events.push(Event::ItemUpdated(item.clone()));
        Ok(events)
    }

    /// Whether `prompt` is a questions prompt.
    fn is_questions(&self, prompt: &PromptId) -> bool {
        self.prompt(prompt)
            .is_some_and(|p| matches!(p.draft.activity, super::Activity::Questions(_)))
    }

    /// [`Command::MarkAnswered`]: only a questions prompt's items; answering unhighlights.
    pub(super) fn mark_answered(
        &mut self,
        item_id: &ItemId,
        answered: bool,
    ) -> Result<Vec<Event>, Rejection> {
        let at = *self
            .item_index
            .get(item_id)
            .ok_or(Rejection::ItemNotFound)?;
        if !self.is_questions(&self.items[at].prompt_id) {
            return Err(Rejection::WrongActivity);
        }
        let item = &mut self.items[at];
        if item.answered == answered && !(answered && item.starred) {
            return Ok(Vec::new());
        }
        item.answered = answered;
        if answered {
            item.starred = false;
        }
        Ok(vec![Event::ItemUpdated(item.clone())])
    }

    /// [`Command::ApproveItem`]: a pre-moderated item goes through.
    pub(super) fn approve_item(&mut self, item_id: &ItemId) -> Result<Vec<Event>, Rejection> {
        let at = *self
            .item_index
            .get(item_id)
            .ok_or(Rejection::ItemNotFound)?;
        let item = &mut self.items[at];
        Ok(if item.approved {
            Vec::new()
        } else {
            item.approved = true;
            vec![Event::ItemUpdated(item.clone())]
        })
    }

    pub(super) fn merge(
        &mut self,
        into: &ItemId,
        items: &[ItemId],
    ) -> Result<Vec<Event>, Rejection> {
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

    pub(super) fn set_hidden(
        &mut self,
        item_id: &ItemId,
        hidden: bool,
    ) -> Result<Vec<Event>, Rejection> {
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
}
