//! [`AnswerSet`]: everyone's answers to one prompt, one variant per kind answered with choices
//! (items are answers of their own, kept apart), and the serde adaptor that stores them in
//! the snapshot's long-standing shape `{poll, poll_at, scale, dots}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{DotAnswers, MatrixAnswers, PollAnswers, Position, ScaleAnswers};
use crate::session::types::*;
use crate::session::Session;

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

/// The stored shape of one prompt's answers, as snapshots have always written it (written).
#[derive(Default, Serialize)]
struct StoredRef<'a> {
    #[serde(skip_serializing_if = "is_empty")]
    poll: Option<&'a BTreeMap<ParticipantId, Vec<u8>>>,
    #[serde(skip_serializing_if = "is_empty")]
    poll_at: Option<&'a BTreeMap<ParticipantId, Millis>>,
    #[serde(skip_serializing_if = "is_empty")]
    scale: Option<&'a BTreeMap<ParticipantId, Vec<u8>>>,
    #[serde(skip_serializing_if = "is_empty")]
    dots: Option<&'a BTreeMap<ParticipantId, BTreeMap<ItemId, u32>>>,
    #[serde(skip_serializing_if = "is_empty")]
    places: Option<&'a BTreeMap<ParticipantId, BTreeMap<ItemId, Position>>>,
}

/// The stored shape of one prompt's answers (read).
#[derive(Deserialize)]
struct Stored {
    #[serde(default)]
    poll: BTreeMap<ParticipantId, Vec<u8>>,
    #[serde(default)]
    poll_at: BTreeMap<ParticipantId, Millis>,
    #[serde(default)]
    scale: BTreeMap<ParticipantId, Vec<u8>>,
    #[serde(default)]
    dots: BTreeMap<ParticipantId, BTreeMap<ItemId, u32>>,
    #[serde(default)]
    places: BTreeMap<ParticipantId, BTreeMap<ItemId, Position>>,
}

fn is_empty<K, V>(map: &Option<&BTreeMap<K, V>>) -> bool {
    map.is_none_or(BTreeMap::is_empty)
}

/// `#[serde(with = "...")]` for `BTreeMap<PromptId, AnswerSet>` in today's snapshot shape.
pub(crate) mod stored {
    use super::*;

    /// Writes each set as `{poll, poll_at}`, `{scale}` or `{dots}` (empty maps left out).
    pub fn serialize<S: Serializer>(
        sets: &BTreeMap<PromptId, AnswerSet>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_map(sets.iter().map(|(id, set)| {
            let stored = match set {
                AnswerSet::Poll(a) => StoredRef {
                    poll: Some(&a.chosen),
                    poll_at: Some(&a.at),
                    ..StoredRef::default()
                },
                AnswerSet::Scale(a) => StoredRef {
                    scale: Some(&a.ratings),
                    ..StoredRef::default()
                },
                AnswerSet::DotVote(a) => StoredRef {
                    dots: Some(&a.placed),
                    ..StoredRef::default()
                },
                AnswerSet::Matrix(a) => StoredRef {
                    places: Some(&a.placed),
                    ..StoredRef::default()
                },
            };
            (id, stored)
        }))
    }

    /// Reads the stored shape; the kind is the one whose fields are there. An empty set
    /// (`{}`) reads as an empty poll's: the session treats an empty set of another kind as
    /// no answers, and replaces it on the first answer.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<PromptId, AnswerSet>, D::Error> {
        let stored: BTreeMap<PromptId, Stored> = BTreeMap::deserialize(deserializer)?;
        Ok(stored
            .into_iter()
            .map(|(id, s)| {
                let set = if !s.scale.is_empty() {
                    AnswerSet::Scale(ScaleAnswers { ratings: s.scale })
                } else if !s.dots.is_empty() {
                    AnswerSet::DotVote(DotAnswers { placed: s.dots })
                } else if !s.places.is_empty() {
                    AnswerSet::Matrix(MatrixAnswers { placed: s.places })
                } else {
                    AnswerSet::Poll(PollAnswers {
                        chosen: s.poll,
                        at: s.poll_at,
                    })
                };
                (id, set)
            })
            .collect())
    }
}
