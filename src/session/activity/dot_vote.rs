//! Dot vote: participants spend dots on the items of an earlier prompt (its ballot), or on
//! the themes the facilitator sorted that brainstorm into (`vote_on: themes`).
//!
//! Either way the ballot is a frozen list of ids fixed when the vote first opens: item ids,
//! or theme ids (a theme's uuid in the same `ItemId` shape, so the phone's dot commands, the
//! answers and the persisted ballot keep their form). A theme on a frozen ballot can be
//! renamed but not removed or merged ([`Session::theme_on_ballot`]).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{invalid, AnswerMisfit, AnswerSet, Kind, KindAnswers, DOES_NOT_FIT};
use crate::session::document::AnswerDoc;
use crate::session::types::*;
use crate::session::{Event, Prompt, Ranked, Rejection, Results, Session, ThemeId};

/// Most dots one participant may be given.
pub const MAX_DOTS: u32 = 20;

/// A dot vote's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DotVote {
    /// The prompt whose items are voted on.
    pub source: PromptId,
    /// Dots per participant.
    pub dots: u32,
    /// Most dots one participant may put on one item.
    pub max_per_item: u32,
    /// What the dots go on: the source's items (the default, and every vote before themes)
    /// or its themes. Omitted from JSON when `items`, so older shapes stay as they were.
    #[serde(default, skip_serializing_if = "VoteOn::is_items")]
    pub vote_on: VoteOn,
}

/// What a dot vote's ballot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteOn {
    /// The source prompt's visible items.
    #[default]
    Items,
    /// The source brainstorm's themes ("which of the five themes matter most?").
    Themes,
}

impl VoteOn {
    /// Whether this is the default (serde omits it then).
    pub fn is_items(&self) -> bool {
        *self == VoteOn::Items
    }
}

/// Everyone's dots on one vote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DotAnswers {
    /// Each participant's dots per item.
    pub placed: BTreeMap<ParticipantId, BTreeMap<ItemId, u32>>,
}

impl DotVote {
    /// Import: why one participant's dots do not fit this vote, if they do not.
    fn misfit(&self, placed: &BTreeMap<ItemId, u32>) -> Option<&'static str> {
        if placed.is_empty() {
            return Some("no dots");
        }
        if placed.values().any(|n| *n == 0 || *n > self.max_per_item) {
            return Some("more dots on one item than the vote allows");
        }
        let spent = placed.values().fold(0u64, |s, n| s + u64::from(*n));
        (spent > u64::from(self.dots)).then_some("more dots than the vote gives")
    }
}

impl Session {
    /// The ballot a prompt of `activity` freezes when it first opens: the source's visible
    /// items in their order, or, for a dot vote on themes, the source's themes in the
    /// facilitator's order (as ids in the item shape).
    pub(in crate::session) fn ballot_to_freeze(
        &self,
        activity: &super::Activity,
        source: &PromptId,
    ) -> Vec<ItemId> {
        match activity {
            super::Activity::DotVote(vote) if vote.vote_on == VoteOn::Themes => {
                self.themes(source).iter().map(|t| ItemId(t.id.0)).collect()
            }
            _ => self.visible_items(source).map(|i| i.id).collect(),
        }
    }

    /// A draft's rule that needs the agenda: a dot vote on themes draws on a brainstorm
    /// (only brainstorms have themes).
    pub(in crate::session) fn check_vote_on(
        &self,
        activity: &super::Activity,
    ) -> Result<(), Rejection> {
        match activity {
            super::Activity::DotVote(vote) if vote.vote_on == VoteOn::Themes => {
                let themable = self
                    .prompt(&vote.source)
                    .is_some_and(|p| matches!(p.draft.activity, super::Activity::Brainstorm(_)));
                if themable {
                    Ok(())
                } else {
                    Err(invalid(
                        "a dot vote on themes needs a brainstorm as its source",
                    ))
                }
            }
            _ => Ok(()),
        }
    }

    /// The entries of a frozen ballot as phones and results show them, in ballot order:
    /// each item not merged away with its text, or each theme with its current name.
    pub fn ballot_entries<'a>(&'a self, prompt: &'a Prompt) -> Vec<(ItemId, &'a str)> {
        match &prompt.draft.activity {
            super::Activity::DotVote(vote) if vote.vote_on == VoteOn::Themes => prompt
                .ballot
                .iter()
                .filter_map(|id| {
                    self.theme(&vote.source, &ThemeId(id.0))
                        .map(|t| (*id, t.name.as_str()))
                })
                .collect(),
            _ => prompt
                .ballot
                .iter()
                .filter_map(|id| self.item(id))
                .filter(|i| i.merged_into.is_none())
                .map(|i| (i.id, i.text.as_str()))
                .collect(),
        }
    }

    /// Checks a dot's prompt and item; returns the vote's settings. A dot may be taken back
    /// from an item merged away after the ballot froze, not placed.
    fn ballot_check(
        &self,
        prompt_id: &PromptId,
        item_id: &ItemId,
        placing: bool,
    ) -> Result<DotVote, Rejection> {
        let prompt = self.prompt(prompt_id).ok_or(Rejection::PromptNotFound)?;
        prompt.accepting()?;
        let super::Activity::DotVote(vote) = &prompt.draft.activity else {
            return Err(Rejection::WrongActivity);
        };
        // Merged away after the ballot froze: its dots belong on the item it joined.
        let merged = placing && self.item(item_id).is_some_and(|i| i.merged_into.is_some());
        if !prompt.ballot.contains(item_id) || merged {
            return Err(Rejection::NotOnBallot);
        }
        Ok(vote.clone())
    }

    /// [`Command::PlaceDot`](crate::session::Command::PlaceDot): one more dot on an item.
    pub(in crate::session) fn place_dot(
        &mut self,
        participant: &ParticipantId,
        prompt_id: &PromptId,
        item_id: &ItemId,
    ) -> Result<Vec<Event>, Rejection> {
        let vote = self.ballot_check(prompt_id, item_id, true)?;
        let mine = self
            .answers_of::<DotAnswers>(prompt_id)
            .and_then(|a| a.placed.get(participant));
        let spent: u32 = mine.map_or(0, |m| m.values().sum());
        let here = mine.and_then(|m| m.get(item_id)).copied().unwrap_or(0);
        if spent >= vote.dots {
            return Err(Rejection::DotBudgetExceeded);
        }
        if here >= vote.max_per_item {
            return Err(Rejection::ItemDotLimit);
        }
        *self
            .answers_mut::<DotAnswers>(prompt_id)
            .placed
            .entry(*participant)
            .or_default()
            .entry(*item_id)
            .or_insert(0) += 1;
        Ok(vec![Event::AnswersChanged(prompt_id.clone())])
    }

    /// [`Command::RemoveDot`](crate::session::Command::RemoveDot): takes one dot back.
    pub(in crate::session) fn remove_dot(
        &mut self,
        participant: &ParticipantId,
        prompt_id: &PromptId,
        item_id: &ItemId,
    ) -> Result<Vec<Event>, Rejection> {
        self.ballot_check(prompt_id, item_id, false)?;
        let answers = self
            .answers
            .get_mut(prompt_id)
            .and_then(DotAnswers::of_mut)
            .ok_or(Rejection::NoDotHere)?;
        let mine = answers
            .placed
            .get_mut(participant)
            .ok_or(Rejection::NoDotHere)?;
        let on_item = mine.get_mut(item_id).ok_or(Rejection::NoDotHere)?;
        *on_item -= 1;
        if *on_item == 0 {
            mine.remove(item_id);
        }
        if mine.is_empty() {
            answers.placed.remove(participant);
        }
        Ok(vec![Event::AnswersChanged(prompt_id.clone())])
    }
}

impl Kind for DotVote {
    const NAME: &'static str = "dot_vote";

    /// Checks the settings (the source is checked by the session, which knows the prompts).
    fn validate(&self) -> Result<Self, Rejection> {
        if !(1..=MAX_DOTS).contains(&self.dots) {
            return Err(invalid("each participant gets 1 to 20 dots"));
        }
        if self.max_per_item == 0 || self.max_per_item > self.dots {
            return Err(invalid("dots per item must be between 1 and the dots each"));
        }
        Ok(self.clone())
    }

    /// The ballot ranked by dots (merged items counted together; themes by their names).
    fn results(&self, session: &Session, prompt: &Prompt) -> Results {
        let answers = session.answers_of::<DotAnswers>(&prompt.id);
        let mut dots: BTreeMap<ItemId, u32> = BTreeMap::new();
        for placed in answers.iter().flat_map(|a| a.placed.values()) {
            for (item, n) in placed {
                // A theme id is no item: its root is itself.
                *dots.entry(session.merge_root(item)).or_insert(0) += n;
            }
        }
        let mut ranking: Vec<Ranked> = session
            .ballot_entries(prompt)
            .into_iter()
            .map(|(id, text)| Ranked {
                item_id: id,
                text: text.to_owned(),
                dots: dots.get(&id).copied().unwrap_or(0),
            })
            .collect();
        // Stable sort: ties keep the ballot's order.
        ranking.sort_by_key(|r| std::cmp::Reverse(r.dots));
        Results::DotVote {
            voters: answers.map_or(0, |a| a.placed.values().filter(|d| !d.is_empty()).count()),
            ranking,
        }
    }

    fn ballot_source(&self) -> Option<&PromptId> {
        Some(&self.source)
    }

    fn ballot_source_mut(&mut self) -> Option<&mut PromptId> {
        Some(&mut self.source)
    }

    fn empty_answers(&self) -> Option<AnswerSet> {
        Some(AnswerSet::DotVote(DotAnswers::default()))
    }

    fn import_answer(
        &self,
        set: Option<&mut AnswerSet>,
        participant: ParticipantId,
        answer: &AnswerDoc,
        ballot: &HashSet<ItemId>,
    ) -> Result<bool, AnswerMisfit> {
        let (Some(set), Some(placed)) = (set.and_then(DotAnswers::of_mut), &answer.dots) else {
            return Err(DOES_NOT_FIT);
        };
        if let Some(id) = placed.keys().find(|id| !ballot.contains(*id)) {
            return Err(AnswerMisfit::OffBallot(*id));
        }
        if let Some(reason) = self.misfit(placed) {
            return Err(AnswerMisfit::Invalid(reason));
        }
        Ok(set.placed.insert(participant, placed.clone()).is_none())
    }
}

#[cfg(test)]
#[path = "dot_themes_tests.rs"]
mod themes_tests;
