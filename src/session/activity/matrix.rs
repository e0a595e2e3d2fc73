//! Matrix (2×2): participants place the items of an earlier prompt (its ballot, as a dot
//! vote's) on two axes, each from 1 (low end) to [`MATRIX_STEPS`] (high end); the results
//! are each item's mean position and spread.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{invalid, Activity, AnswerMisfit, AnswerSet, Kind, KindAnswers, DOES_NOT_FIT};
use crate::session::document::AnswerDoc;
use crate::session::types::*;
use crate::session::{Event, Prompt, Rejection, Results, Session};

/// Positions on each axis run 1..=MATRIX_STEPS: few enough to tap one-handed and to step
/// with arrow keys, enough for a mean and a spread; 3 is the middle.
pub const MATRIX_STEPS: u8 = 5;
/// Longest axis label.
pub const AXIS_LABEL_MAX: usize = 60;
/// Longest label of an axis end.
pub const AXIS_END_MAX: usize = 40;

/// One axis of a matrix: what it measures and the words at its ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Axis {
    /// What the axis measures ("Vaikutus"), 1–60 characters.
    pub label: String,
    /// The word at position 1 ("pieni"), up to 40 characters, "" for none.
    #[serde(default)]
    pub low: String,
    /// The word at the top position ("suuri"), up to 40 characters, "" for none.
    #[serde(default)]
    pub high: String,
}

/// A matrix's settings. The axes are boxed so that [`Activity`], and with it every
/// `Command` the session task's channel carries, stays as small as the other kinds keep it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix {
    /// The prompt whose items are placed.
    pub source: PromptId,
    /// The horizontal axis (low at the left).
    pub x: Box<Axis>,
    /// The vertical axis (low at the bottom).
    pub y: Box<Axis>,
}

/// A placement: `[x, y]`, each 1..=[`MATRIX_STEPS`] (the wire and stored shape).
pub type Position = [u8; 2];

/// Everyone's placements on one matrix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatrixAnswers {
    /// Each participant's position per ballot item they placed.
    pub placed: BTreeMap<ParticipantId, BTreeMap<ItemId, Position>>,
}

/// One placement in an export (`{item_id, x, y}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceDoc {
    /// The ballot item.
    pub item_id: ItemId,
    /// Position on the horizontal axis.
    pub x: u8,
    /// Position on the vertical axis.
    pub y: u8,
}

/// One ballot item's place in a matrix's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placed {
    /// The item.
    pub item_id: ItemId,
    /// Its (current) text.
    pub text: String,
    /// How many participants placed it (or an item merged into it).
    pub n: usize,
    /// Mean horizontal position, if anyone placed it.
    pub x: Option<f64>,
    /// Mean vertical position, if anyone placed it.
    pub y: Option<f64>,
    /// Population standard deviation of the horizontal positions.
    pub sx: Option<f64>,
    /// Population standard deviation of the vertical positions.
    pub sy: Option<f64>,
}

/// Whether `v` is a position on an axis.
fn on_axis(v: u8) -> bool {
    (1..=MATRIX_STEPS).contains(&v)
}

/// Mean and population standard deviation of `values` (None when empty).
fn mean_sd(values: &[f64]) -> (Option<f64>, Option<f64>) {
    if values.is_empty() {
        return (None, None);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (Some(mean), Some(var.sqrt()))
}

impl Axis {
    /// Checks and cleans the axis: a label, optional ends.
    fn validate(&self) -> Result<Axis, Rejection> {
        let label = clean_text(&self.label, AXIS_LABEL_MAX)
            .map_err(|_| invalid("an axis label must be 1–60 characters"))?;
        let end = |t: &String| match clean_text(t, AXIS_END_MAX) {
            Ok(t) => Ok(t),
            Err(Rejection::TextEmpty) => Ok(String::new()),
            Err(_) => Err(invalid("an axis end is at most 40 characters")),
        };
        Ok(Axis {
            label,
            low: end(&self.low)?,
            high: end(&self.high)?,
        })
    }
}

impl Session {
    /// Checks a placement's prompt and item. An item merged away after the ballot froze may
    /// be taken off, not placed (its placements count for the item it joined).
    fn matrix_check(
        &self,
        prompt_id: &PromptId,
        item_id: &ItemId,
        placing: bool,
    ) -> Result<(), Rejection> {
        let prompt = self.prompt(prompt_id).ok_or(Rejection::PromptNotFound)?;
        prompt.accepting()?;
        let Activity::Matrix(_) = &prompt.draft.activity else {
            return Err(Rejection::WrongActivity);
        };
        let merged = placing && self.item(item_id).is_some_and(|i| i.merged_into.is_some());
        if !prompt.ballot.contains(item_id) || merged {
            return Err(Rejection::NotOnBallot);
        }
        Ok(())
    }

    /// [`Command::Place`](crate::session::Command::Place): puts a ballot item at `[x, y]`,
    /// or moves it there.
    pub(in crate::session) fn place(
        &mut self,
        participant: &ParticipantId,
        prompt_id: &PromptId,
        item_id: &ItemId,
        at: Position,
    ) -> Result<Vec<Event>, Rejection> {
        self.matrix_check(prompt_id, item_id, true)?;
        if !at.iter().all(|v| on_axis(*v)) {
            return Err(Rejection::InvalidChoice);
        }
        let mine = self
            .answers_of::<MatrixAnswers>(prompt_id)
            .and_then(|a| a.placed.get(participant));
        if mine.and_then(|m| m.get(item_id)) == Some(&at) {
            return Ok(Vec::new());
        }
        self.answers_mut::<MatrixAnswers>(prompt_id)
            .placed
            .entry(*participant)
            .or_default()
            .insert(*item_id, at);
        Ok(vec![Event::AnswersChanged(prompt_id.clone())])
    }

    /// [`Command::Unplace`](crate::session::Command::Unplace): takes a placement back; no
    /// change when the item was not placed.
    pub(in crate::session) fn unplace(
        &mut self,
        participant: &ParticipantId,
        prompt_id: &PromptId,
        item_id: &ItemId,
    ) -> Result<Vec<Event>, Rejection> {
        self.matrix_check(prompt_id, item_id, false)?;
        let placed = self
            .answers_of::<MatrixAnswers>(prompt_id)
            .and_then(|a| a.placed.get(participant))
            .is_some_and(|m| m.contains_key(item_id));
        if !placed {
            return Ok(Vec::new());
        }
        let answers = self.answers_mut::<MatrixAnswers>(prompt_id);
        if let Some(mine) = answers.placed.get_mut(participant) {
            mine.remove(item_id);
            if mine.is_empty() {
                answers.placed.remove(participant);
            }
        }
        Ok(vec![Event::AnswersChanged(prompt_id.clone())])
    }
}

impl Kind for Matrix {
    const NAME: &'static str = "matrix";

    /// Checks the axes (the source is checked by the session, which knows the prompts).
    fn validate(&self) -> Result<Self, Rejection> {
        Ok(Matrix {
            source: self.source.clone(),
            x: Box::new(self.x.validate()?),
            y: Box::new(self.y.validate()?),
        })
    }

    /// Each ballot item that is its own merge root, in ballot order, at its mean position.
    /// A participant who placed an item and a duplicate merged into it counts once, at the
    /// mean of their placements.
    fn results(&self, session: &Session, prompt: &Prompt) -> Results {
        let answers = session.answers_of::<MatrixAnswers>(&prompt.id);
        let mut points: BTreeMap<ItemId, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
        for placed in answers.iter().flat_map(|a| a.placed.values()) {
            let mut mine: BTreeMap<ItemId, (f64, f64, f64)> = BTreeMap::new();
            for (item, [x, y]) in placed {
                let sum = mine.entry(session.merge_root(item)).or_default();
                *sum = (sum.0 + f64::from(*x), sum.1 + f64::from(*y), sum.2 + 1.0);
            }
            for (root, (x, y, n)) in mine {
                let at = points.entry(root).or_default();
                at.0.push(x / n);
                at.1.push(y / n);
            }
        }
        let items = prompt
            .ballot
            .iter()
            .filter(|id| session.merge_root(id) == **id)
            .filter_map(|id| session.item(id))
            .map(|item| {
                let (xs, ys) = points.remove(&item.id).unwrap_or_default();
                let ((x, sx), (y, sy)) = (mean_sd(&xs), mean_sd(&ys));
                Placed {
                    item_id: item.id,
                    text: item.text.clone(),
                    n: xs.len(),
                    x,
                    y,
                    sx,
                    sy,
                }
            })
            .collect();
        Results::Matrix {
            participants: answers
                .map_or(0, |a| a.placed.values().filter(|m| !m.is_empty()).count()),
            items,
        }
    }

    fn ballot_source(&self) -> Option<&PromptId> {
        Some(&self.source)
    }

    fn ballot_source_mut(&mut self) -> Option<&mut PromptId> {
        Some(&mut self.source)
    }

    fn empty_answers(&self) -> Option<AnswerSet> {
        Some(AnswerSet::Matrix(MatrixAnswers::default()))
    }

    fn import_answer(
        &self,
        set: Option<&mut AnswerSet>,
        participant: ParticipantId,
        answer: &AnswerDoc,
        ballot: &HashSet<ItemId>,
    ) -> Result<bool, AnswerMisfit> {
        let (Some(set), Some(places)) = (set.and_then(MatrixAnswers::of_mut), &answer.places)
        else {
            return Err(DOES_NOT_FIT);
        };
        if places.is_empty() {
            return Err(AnswerMisfit::Invalid("no placements"));
        }
        let mut mine = BTreeMap::new();
        for place in places {
            if !ballot.contains(&place.item_id) {
                return Err(AnswerMisfit::OffBallot(place.item_id));
            }
            if !on_axis(place.x) || !on_axis(place.y) {
                return Err(AnswerMisfit::Invalid("a position is 1 to 5 on each axis"));
            }
            if mine.insert(place.item_id, [place.x, place.y]).is_some() {
                return Err(AnswerMisfit::Invalid("one item placed twice"));
            }
        }
        Ok(set.placed.insert(participant, mine).is_none())
    }
}

#[cfg(test)]
#[path = "matrix_tests.rs"]
mod tests;
