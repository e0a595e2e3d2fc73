//! Activities: what kind of task a prompt is, one file per kind.
//!
//! [`Activity`] only dispatches, as mini-redis's `cmd/mod.rs` does: each kind's file owns its
//! settings and their validation, its answers (an [`AnswerSet`] variant, for kinds answered
//! with choices rather than items), the participant commands that change them, its results,
//! which events change those results, and its import checks. A kind that votes on an earlier
//! prompt's items has a *ballot* ([`Activity::ballot_source`]); the rest of the session treats
//! ballots as one concept instead of matching on the dot vote.
//!
//! Adding a kind: a new file here with its settings struct (and answers, if it has any), one
//! variant in [`Activity`] (and in [`AnswerSet`]), and its arms in the dispatching `match`es
//! below, which the compiler lists.

mod answers;
mod brainstorm;
mod dot_vote;
mod poll;
mod scale;
mod word_cloud;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

pub use answers::*;
pub use brainstorm::*;
pub use dot_vote::*;
pub use poll::*;
pub use scale::*;
pub use word_cloud::*;

use super::document::AnswerDoc;
use super::types::*;
use super::{Event, Prompt, Rejection, Results, Session};

/// What kind of activity a prompt is, with its own settings. On the wire and on disk the
/// kind is `"kind": "poll"` with that kind's fields beside it (flattened into the prompt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Activity {
    /// Participants send short free-text items, one at a time, optionally into named columns.
    Brainstorm(Brainstorm),
    /// Single or multiple choice.
    Poll(Poll),
    /// One or more statements rated 1–N.
    Scale(Scale),
    /// Up to three short answers each, shown as words sized by frequency.
    WordCloud(WordCloud),
    /// Participants spend dots on the items of an earlier prompt.
    DotVote(DotVote),
}

impl Default for Activity {
    fn default() -> Self {
        Activity::Brainstorm(Brainstorm::default())
    }
}

impl Activity {
    /// The wire name of the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Activity::Brainstorm(_) => "brainstorm",
            Activity::Poll(_) => "poll",
            Activity::Scale(_) => "scale",
            Activity::WordCloud(_) => "word_cloud",
            Activity::DotVote(_) => "dot_vote",
        }
    }

    /// Whether participants answer with items (texts) rather than choices: such a prompt
    /// can be per group, and can be an earlier prompt that a ballot draws on.
    pub fn takes_items(&self) -> bool {
        self.item_text_max().is_some()
    }

    /// Longest item text, for kinds answered with items (None for the others).
    pub fn item_text_max(&self) -> Option<usize> {
        match self {
            Activity::Brainstorm(_) => Some(ITEM_TEXT_MAX),
            Activity::WordCloud(_) => Some(WORDCLOUD_TEXT_MAX),
            Activity::Poll(_) | Activity::Scale(_) | Activity::DotVote(_) => None,
        }
    }

    /// The earlier prompt whose items this one puts on a ballot (a dot vote's source).
    pub fn ballot_source(&self) -> Option<&PromptId> {
        match self {
            Activity::DotVote(vote) => Some(&vote.source),
            Activity::Brainstorm(_)
            | Activity::Poll(_)
            | Activity::Scale(_)
            | Activity::WordCloud(_) => None,
        }
    }

    /// The ballot's source, to rewrite it (templates write it as `@N`).
    pub fn ballot_source_mut(&mut self) -> Option<&mut PromptId> {
        match self {
            Activity::DotVote(vote) => Some(&mut vote.source),
            Activity::Brainstorm(_)
            | Activity::Poll(_)
            | Activity::Scale(_)
            | Activity::WordCloud(_) => None,
        }
    }

    /// Whether this prompt puts an earlier prompt's items on a ballot.
    pub fn has_ballot(&self) -> bool {
        self.ballot_source().is_some()
    }

    /// Whether this prompt's ballot draws on `source`'s items.
    pub fn votes_on(&self, source: &PromptId) -> bool {
        self.ballot_source() == Some(source)
    }

    /// Whether the results change when one of the prompt's own items does (a word cloud
    /// counts its visible items; a brainstorm's counts are not pushed live).
    pub fn results_follow_items(&self) -> bool {
        match self {
            Activity::WordCloud(_) => true,
            Activity::Brainstorm(_)
            | Activity::Poll(_)
            | Activity::Scale(_)
            | Activity::DotVote(_) => false,
        }
    }

    /// Checks and cleans the kind's settings. Rules that look at other prompts (a ballot's
    /// source) are checked by the session.
    pub fn validate(&self) -> Result<Activity, Rejection> {
        Ok(match self {
            Activity::Brainstorm(a) => Activity::Brainstorm(a.validate()?),
            Activity::Poll(a) => Activity::Poll(a.validate()?),
            Activity::Scale(a) => Activity::Scale(a.validate()?),
            Activity::WordCloud(a) => Activity::WordCloud(a.validate()?),
            Activity::DotVote(a) => Activity::DotVote(a.validate()?),
        })
    }

    /// Checks an item a participant sends (its column, their answer count) and returns its
    /// cleaned text; kinds not answered with items refuse it.
    pub(crate) fn check_item(
        &self,
        session: &Session,
        prompt: &PromptId,
        participant: &ParticipantId,
        text: &str,
        column: Option<u8>,
    ) -> Result<String, Rejection> {
        match self {
            Activity::Brainstorm(a) => a.check_item(text, column),
            Activity::WordCloud(a) => a.check_item(session, prompt, participant, text, column),
            Activity::Poll(_) | Activity::Scale(_) | Activity::DotVote(_) => {
                Err(Rejection::WrongActivity)
            }
        }
    }

    /// The results of `prompt`, whose activity this is.
    pub(crate) fn results(&self, session: &Session, prompt: &Prompt) -> Results {
        match self {
            Activity::Brainstorm(a) => a.results(session, prompt),
            Activity::Poll(a) => a.results(session, prompt),
            Activity::Scale(a) => a.results(session, prompt),
            Activity::WordCloud(a) => a.results(session, prompt),
            Activity::DotVote(a) => a.results(session, prompt),
        }
    }

    /// The empty answers of this kind, for kinds answered with choices.
    pub(crate) fn empty_answers(&self) -> Option<AnswerSet> {
        match self {
            Activity::Poll(_) => Some(AnswerSet::Poll(PollAnswers::default())),
            Activity::Scale(_) => Some(AnswerSet::Scale(ScaleAnswers::default())),
            Activity::DotVote(_) => Some(AnswerSet::DotVote(DotAnswers::default())),
            Activity::Brainstorm(_) | Activity::WordCloud(_) => None,
        }
    }
}

/// Why an answer in an export does not fit its prompt (import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerMisfit {
    /// The answer breaks the prompt's rules.
    Invalid(&'static str),
    /// A dot on an item that is not on the ballot.
    OffBallot(ItemId),
}

impl Activity {
    /// Import: whether an item from an export fits: its column, and the sender's `given`-th
    /// item (1-based) within what the kind allows each participant.
    pub(crate) fn import_item(&self, column: Option<u8>, given: u8) -> Result<(), &'static str> {
        let column_ok = match self {
            Activity::Brainstorm(brainstorm) => brainstorm.column_fits(column),
            _ => column.is_none(),
        };
        if !column_ok {
            return Err("its column is not one of the prompt's");
        }
        match self {
            Activity::WordCloud(cloud) if !cloud.allows(given) => {
                Err("more word-cloud answers than the prompt allows")
            }
            _ => Ok(()),
        }
    }

    /// Import: adds one participant's answer from an export to `set` (the prompt's answers so
    /// far, None for kinds answered with items), after the checks the live command makes.
    /// Ok(false) when the participant already had an answer there.
    pub(crate) fn import_answer(
        &self,
        set: Option<&mut AnswerSet>,
        participant: ParticipantId,
        answer: &AnswerDoc,
        ballot: &HashSet<ItemId>,
    ) -> Result<bool, AnswerMisfit> {
        match (self, set, answer) {
            (
                Activity::Poll(poll),
                Some(AnswerSet::Poll(set)),
                AnswerDoc {
                    options: Some(chosen),
                    ..
                },
            ) => poll.import_answer(set, participant, chosen),
            (
                Activity::Scale(scale),
                Some(AnswerSet::Scale(set)),
                AnswerDoc {
                    ratings: Some(ratings),
                    ..
                },
            ) => scale.import_answer(set, participant, ratings),
            (
                Activity::DotVote(vote),
                Some(AnswerSet::DotVote(set)),
                AnswerDoc {
                    dots: Some(placed), ..
                },
            ) => vote.import_answer(set, participant, placed, ballot),
            _ => Err(AnswerMisfit::Invalid(
                "the answer does not fit the prompt's activity",
            )),
        }
    }
}

/// The message of an invalid draft.
pub(super) fn invalid(reason: &'static str) -> Rejection {
    Rejection::InvalidPrompt(reason)
}

/// Cleans a list of labels (options, statements, columns), each 1..=max characters.
pub(super) fn clean_labels(
    labels: &[String],
    max: usize,
    what: &'static str,
) -> Result<Vec<String>, Rejection> {
    labels
        .iter()
        .map(|label| clean_text(label, max).map_err(|_| invalid(what)))
        .collect()
}

impl Session {
    /// The prompts whose results `event` changes, so the live views can refresh exactly
    /// those: the prompt itself when it opens, changes, closes or gets answers; for an item
    /// event, its prompt when the kind counts items, and every ballot on that prompt (it
    /// shows the items' texts and merged counts).
    pub fn results_touched<'a>(&'a self, event: &'a Event) -> impl Iterator<Item = &'a PromptId> {
        let (own, source) = match event {
            Event::PromptOpened(prompt)
            | Event::PromptUpdated(prompt)
            | Event::PromptClosed(prompt) => (Some(&prompt.id), None),
            Event::AnswersChanged(prompt) => (Some(prompt), None),
            Event::ItemAdded(item)
            | Event::ItemHidden(item)
            | Event::ItemUnhidden(item)
            | Event::ItemUpdated(item)
            | Event::ItemLiked(item) => {
                let own = self
                    .prompt(&item.prompt_id)
                    .filter(|p| p.draft.activity.results_follow_items())
                    .map(|p| &p.id);
                (own, Some(&item.prompt_id))
            }
            Event::PromptAdded(_)
            | Event::PromptDeleted(_)
            | Event::AgendaReordered(_)
            | Event::GroupsChanged(_)
            | Event::ParticipantGrouped(..)
            | Event::ScreenChanged(_) => (None, None),
        };
        // Only item events can touch a ballot: the others skip the scan of the agenda.
        let candidates = if source.is_some() {
            self.prompts()
        } else {
            &[]
        };
        let ballots = candidates
            .iter()
            .filter(move |p| source.is_some_and(|s| p.draft.activity.votes_on(s)))
            .map(|p| &p.id);
        own.into_iter().chain(ballots)
    }
}

#[cfg(test)]
mod tests;
