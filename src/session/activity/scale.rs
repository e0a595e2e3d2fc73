//! Scale: one or more statements, each rated 1–N.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{
    clean_labels, invalid, AnswerMisfit, AnswerSet, Kind, KindAnswers, DOES_NOT_FIT, OPTION_MAX,
};
use crate::session::document::AnswerDoc;
use crate::session::types::*;
use crate::session::{Event, Prompt, Rejection, Results, ScaleResult, Session};

/// Most statements on one scale prompt.
pub const MAX_STATEMENTS: usize = 10;
/// Allowed scale sizes (1–N).
pub const SCALE_SIZES: std::ops::RangeInclusive<u8> = 3..=10;
/// Longest scale end label.
pub const SCALE_LABEL_MAX: usize = 60;

/// A scale's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    /// The statements.
    pub statements: Vec<String>,
    /// N, from 3 to 10.
    pub max: u8,
    /// Label of 1 ("not at all").
    #[serde(default)]
    pub min_label: String,
    /// Label of N ("very well").
    #[serde(default)]
    pub max_label: String,
}

/// Everyone's ratings on one scale.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScaleAnswers {
    /// Each participant's rating per statement (0 = not rated).
    pub ratings: BTreeMap<ParticipantId, Vec<u8>>,
}

impl Scale {
    /// Import: whether `ratings` holds a rating per statement, each 0 (not rated) to N.
    pub fn fits(&self, ratings: &[u8]) -> bool {
        ratings.len() == self.statements.len() && ratings.iter().all(|v| *v <= self.max)
    }
}

impl Session {
    /// [`Command::Rate`](crate::session::Command::Rate): a participant rates one statement.
    pub(in crate::session) fn rate(
        &mut self,
        participant: &ParticipantId,
        prompt_id: &PromptId,
        statement: u8,
        value: u8,
    ) -> Result<Vec<Event>, Rejection> {
        let prompt = self.prompt(prompt_id).ok_or(Rejection::PromptNotFound)?;
        prompt.accepting()?;
        let super::Activity::Scale(scale) = &prompt.draft.activity else {
            return Err(Rejection::WrongActivity);
        };
        if usize::from(statement) >= scale.statements.len() || !(1..=scale.max).contains(&value) {
            return Err(Rejection::InvalidChoice);
        }
        let count = scale.statements.len();
        let ratings = self
            .answers_mut::<ScaleAnswers>(prompt_id)
            .ratings
            .entry(*participant)
            .or_insert_with(|| vec![0; count]);
        let slot = &mut ratings[usize::from(statement)];
        if *slot == value {
            return Ok(Vec::new());
        }
        *slot = value;
        Ok(vec![Event::AnswersChanged(prompt_id.clone())])
    }
}

impl Kind for Scale {
    const NAME: &'static str = "scale";

    /// Checks and cleans the settings.
    fn validate(&self) -> Result<Self, Rejection> {
        if self.statements.is_empty() || self.statements.len() > MAX_STATEMENTS {
            return Err(invalid("a scale has 1 to 10 statements"));
        }
        if !SCALE_SIZES.contains(&self.max) {
            return Err(invalid("a scale runs from 1 to between 3 and 10"));
        }
        let label = |l: &String| match clean_text(l, SCALE_LABEL_MAX) {
            Ok(t) => Ok(t),
            Err(Rejection::TextEmpty) => Ok(String::new()),
            Err(_) => Err(invalid("a scale label is at most 60 characters")),
        };
        Ok(Scale {
            statements: clean_labels(
                &self.statements,
                OPTION_MAX,
                "a statement must be 1–200 characters",
            )?,
            max: self.max,
            min_label: label(&self.min_label)?,
            max_label: label(&self.max_label)?,
        })
    }

    /// Distribution and mean per statement.
    fn results(&self, session: &Session, prompt: &Prompt) -> Results {
        let answers = session.answers_of::<ScaleAnswers>(&prompt.id);
        let statements = (0..self.statements.len())
            .map(|s| {
                let mut counts = vec![0; usize::from(self.max)];
                let mut sum = 0u64;
                let mut n = 0;
                for ratings in answers.iter().flat_map(|a| a.ratings.values()) {
                    if let Some(&v) = ratings.get(s).filter(|v| **v > 0) {
                        counts[usize::from(v - 1)] += 1;
                        sum += u64::from(v);
                        n += 1;
                    }
                }
                ScaleResult {
                    counts,
                    n,
                    mean: (n > 0).then(|| sum as f64 / n as f64),
                }
            })
            .collect();
        Results::Scale { statements }
    }

    fn empty_answers(&self) -> Option<AnswerSet> {
        Some(AnswerSet::Scale(ScaleAnswers::default()))
    }

    fn import_answer(
        &self,
        set: Option<&mut AnswerSet>,
        participant: ParticipantId,
        answer: &AnswerDoc,
        _ballot: &HashSet<ItemId>,
    ) -> Result<bool, AnswerMisfit> {
        let (Some(set), Some(ratings)) = (set.and_then(ScaleAnswers::of_mut), &answer.ratings)
        else {
            return Err(DOES_NOT_FIT);
        };
        if !self.fits(ratings) {
            return Err(AnswerMisfit::Invalid(
                "a rating per statement, each 0 to the scale's max",
            ));
        }
        Ok(set.ratings.insert(participant, ratings.clone()).is_none())
    }
}
