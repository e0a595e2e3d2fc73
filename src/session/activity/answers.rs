//! [`AnswerSet`]: everyone's answers to one prompt, one variant per kind answered with choices
//! (items are answers of their own, kept apart). Snapshots store them in their long-standing
//! shape `{poll, poll_at, scale, dots}` as `store::format::AnswersV1`.

use std::collections::BTreeMap;

use super::{DotAnswers, MatrixAnswers, PollAnswers, Position, ScaleAnswers};
use crate::session::types::*;
use crate::session::{Command, Event, Rejection, Session};

/// Everyone's answers to one poll, scale, dot vote or matrix.
#[derive(Debug, Clone, Eq)]
pub enum AnswerSet {
    /// A poll's choices.
    Poll(PollAnswers),
    /// A scale's ratings.
    Scale(ScaleAnswers),
    /// A dot vote's dots.
    DotVote(DotAnswers),
    /// A matrix's placements.
    Matrix(MatrixAnswers),
}

impl PartialEq for AnswerSet {
    /// Two empty sets are equal whatever their kind: the stored shape of an empty set (`{}`)
    /// does not say its kind, so a snapshot read back must equal the state that wrote it.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (AnswerSet::Poll(a), AnswerSet::Poll(b)) => a == b,
            (AnswerSet::Scale(a), AnswerSet::Scale(b)) => a == b,
            (AnswerSet::DotVote(a), AnswerSet::DotVote(b)) => a == b,
            (AnswerSet::Matrix(a), AnswerSet::Matrix(b)) => a == b,
            _ => self.is_empty() && other.is_empty(),
        }
    }
}

impl AnswerSet {
    /// Whether nobody's answer is in it.
    pub fn is_empty(&self) -> bool {
        match self {
            AnswerSet::Poll(a) => a.chosen.is_empty() && a.at.is_empty(),
            AnswerSet::Scale(a) => a.ratings.is_empty(),
            AnswerSet::DotVote(a) => a.placed.is_empty(),
            AnswerSet::Matrix(a) => a.placed.is_empty(),
        }
    }

    /// Everyone with an entry in it (an entry may be empty, e.g. a scale not yet rated).
    pub fn participants(&self) -> Box<dyn Iterator<Item = &ParticipantId> + '_> {
        match self {
            AnswerSet::Poll(a) => Box::new(a.chosen.keys()),
            AnswerSet::Scale(a) => Box::new(a.ratings.keys()),
            AnswerSet::DotVote(a) => Box::new(a.placed.keys()),
            AnswerSet::Matrix(a) => Box::new(a.placed.keys()),
        }
    }

    /// Everyone who gave an actual answer: a choice, a rating above 0, a dot.
    pub fn respondents(&self) -> Box<dyn Iterator<Item = &ParticipantId> + '_> {
        match self {
            AnswerSet::Poll(a) => Box::new(
                a.chosen
                    .iter()
                    .filter(|(_, chosen)| !chosen.is_empty())
                    .map(|(p, _)| p),
            ),
            AnswerSet::Scale(a) => Box::new(
                a.ratings
                    .iter()
                    .filter(|(_, rated)| rated.iter().any(|v| *v > 0))
                    .map(|(p, _)| p),
            ),
            AnswerSet::DotVote(a) => Box::new(
                a.placed
                    .iter()
                    .filter(|(_, placed)| placed.values().any(|n| *n > 0))
                    .map(|(p, _)| p),
            ),
            AnswerSet::Matrix(a) => Box::new(a.placed.keys()),
        }
    }

    /// The poll answers, if this is a poll's set.
    pub fn as_poll(&self) -> Option<&PollAnswers> {
        match self {
            AnswerSet::Poll(a) => Some(a),
            _ => None,
        }
    }

    /// The scale answers, if this is a scale's set.
    pub fn as_scale(&self) -> Option<&ScaleAnswers> {
        match self {
            AnswerSet::Scale(a) => Some(a),
            _ => None,
        }
    }

    /// The dot-vote answers, if this is a dot vote's set.
    pub fn as_dot_vote(&self) -> Option<&DotAnswers> {
        match self {
            AnswerSet::DotVote(a) => Some(a),
            _ => None,
        }
    }

    /// The matrix answers, if this is a matrix's set.
    pub fn as_matrix(&self) -> Option<&MatrixAnswers> {
        MatrixAnswers::of(self)
    }

    /// One participant's placements, if they placed anything on this matrix.
    pub fn places_of(&self, who: &ParticipantId) -> Option<&BTreeMap<ItemId, Position>> {
        self.as_matrix().and_then(|a| a.placed.get(who))
    }

    /// One participant's poll choices, if they answered this poll.
    pub fn poll_of(&self, who: &ParticipantId) -> Option<&Vec<u8>> {
        self.as_poll().and_then(|a| a.chosen.get(who))
    }

    /// One participant's ratings, if they rated this scale.
    pub fn ratings_of(&self, who: &ParticipantId) -> Option<&Vec<u8>> {
        self.as_scale().and_then(|a| a.ratings.get(who))
    }

    /// One participant's dots per item, if they placed any on this vote.
    pub fn dots_of(&self, who: &ParticipantId) -> Option<&BTreeMap<ItemId, u32>> {
        self.as_dot_vote().and_then(|a| a.placed.get(who))
    }
}

/// One kind's answers inside an [`AnswerSet`], so the session can reach them by type.
pub(crate) trait KindAnswers: Default + Sized {
    /// This kind's answers, if `set` holds them.
    fn of(set: &AnswerSet) -> Option<&Self>;
    /// This kind's answers, to change them.
    fn of_mut(set: &mut AnswerSet) -> Option<&mut Self>;
    /// The set holding them.
    fn into_set(self) -> AnswerSet;
}

macro_rules! kind_answers {
    ($answers:ty, $variant:ident) => {
        impl KindAnswers for $answers {
            fn of(set: &AnswerSet) -> Option<&Self> {
                match set {
                    AnswerSet::$variant(a) => Some(a),
                    _ => None,
                }
            }
            fn of_mut(set: &mut AnswerSet) -> Option<&mut Self> {
                match set {
                    AnswerSet::$variant(a) => Some(a),
                    _ => None,
                }
            }
            fn into_set(self) -> AnswerSet {
                AnswerSet::$variant(self)
            }
        }
    };
}

kind_answers!(PollAnswers, Poll);
kind_answers!(ScaleAnswers, Scale);
kind_answers!(DotAnswers, DotVote);
kind_answers!(MatrixAnswers, Matrix);

impl Session {
    /// Applies a participant's answer (a vote, a rating, a dot) through its kind's file;
    /// [`Session::apply`] routes only those here. A new kind's answer commands get an arm here.
    pub(in crate::session) fn apply_answer(
        &mut self,
        command: &Command,
        now: Millis,
    ) -> Result<Vec<Event>, Rejection> {
        use Command as C;
        match command {
            C::Vote {
                participant,
                prompt_id,
                options,
            } => self.vote(participant, prompt_id, options, now),
            C::WithdrawVote {
                participant,
                prompt_id,
            } => self.withdraw_vote(participant, prompt_id, now),
            C::Rate {
                participant,
                prompt_id,
                statement,
                value,
            } => self.rate(participant, prompt_id, *statement, *value),
            C::PlaceDot {
                participant,
                prompt_id,
                item_id,
            } => self.place_dot(participant, prompt_id, item_id),
            C::RemoveDot {
                participant,
                prompt_id,
                item_id,
            } => self.remove_dot(participant, prompt_id, item_id),
            C::Place {
                participant,
                prompt_id,
                item_id,
                x,
                y,
            } => self.place(participant, prompt_id, item_id, [*x, *y]),
            C::Unplace {
                participant,
                prompt_id,
                item_id,
            } => self.unplace(participant, prompt_id, item_id),
            other => unreachable!("Session::apply routed {other:?} to the answers"),
        }
    }

    /// Everyone's answers to a poll, scale or dot vote; None before the first answer.
    pub fn answers(&self, prompt: &PromptId) -> Option<&AnswerSet> {
        self.answers.get(prompt)
    }

    /// One kind's answers to `prompt`, if any were given.
    pub(crate) fn answers_of<A: KindAnswers>(&self, prompt: &PromptId) -> Option<&A> {
        self.answers.get(prompt).and_then(A::of)
    }

    /// One kind's answers to `prompt`, made empty first if there are none of that kind.
    pub(crate) fn answers_mut<A: KindAnswers>(&mut self, prompt: &PromptId) -> &mut A {
        let set = self
            .answers
            .entry(prompt.clone())
            .or_insert_with(|| A::default().into_set());
        if A::of(set).is_none() {
            // An empty set read back from a snapshot, whose stored shape has no kind.
            *set = A::default().into_set();
        }
        match A::of_mut(set) {
            Some(answers) => answers,
            None => unreachable!("the set was just made of this kind"),
        }
    }
}
