//! Questions to the speaker (Q&A): participants send questions, which are the prompt's items
//! (at most [`QUESTION_TEXT_MAX`] characters), and upvote others' with the wall's like.
//!
//! The rules beyond an ordinary item's: the wall is always on (validation sets it, so phones
//! always see the approved questions); a questions prompt is never per group; a participant
//! may sign a question with an optional name only when the settings allow it
//! ([`Questions::names`]); only one question is highlighted (starred) at a time; the
//! facilitator marks questions answered (`Command::MarkAnswered`), which also unhighlights
//! them. Upvotes are likes: one per participant, retractable, never on one's own question,
//! and the votes of merged duplicates count once per person for the question they joined.

use serde::{Deserialize, Serialize};

use super::{invalid, Kind};
use crate::session::types::*;
use crate::session::{Prompt, Rejection, Results, Session};

/// Longest question, in characters: two or three sentences, still readable large.
pub const QUESTION_TEXT_MAX: usize = 300;
/// Longest optional name on a question, in characters.
pub const QUESTION_NAME_MAX: usize = 40;

/// A questions prompt's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Questions {
    /// Participants may sign a question with an optional name (default: anonymous only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub names: bool,
}

impl Questions {
    /// The name a participant gave, cleaned: trimmed, `None` when empty; refused when the
    /// settings do not allow names or it is longer than [`QUESTION_NAME_MAX`].
    pub fn clean_name(&self, name: Option<&str>) -> Result<Option<String>, Rejection> {
        let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
            return Ok(None);
        };
        if !self.names {
            return Err(Rejection::NamesOff);
        }
        if name.chars().count() > QUESTION_NAME_MAX || name.chars().any(char::is_control) {
            return Err(Rejection::InvalidName);
        }
        Ok(Some(name.to_owned()))
    }
}

impl Kind for Questions {
    const NAME: &'static str = "questions";

    /// No: the clients rank the questions they already have (with their votes).
    fn sends_results(&self) -> bool {
        false
    }

    fn validate(&self) -> Result<Self, Rejection> {
        Ok(self.clone())
    }

    /// Counts of the visible questions and of those answered.
    fn results(&self, session: &Session, prompt: &Prompt) -> Results {
        let (mut total, mut answered) = (0, 0);
        for item in session.visible_items(&prompt.id) {
            total += 1;
            answered += usize::from(item.answered);
        }
        Results::Questions { total, answered }
    }

    fn item_text_max(&self) -> Option<usize> {
        Some(QUESTION_TEXT_MAX)
    }

    fn check_item(
        &self,
        _session: &Session,
        _prompt: &PromptId,
        _participant: &ParticipantId,
        text: &str,
        column: Option<u8>,
    ) -> Result<String, Rejection> {
        if column.is_some() {
            return Err(Rejection::InvalidColumn);
        }
        clean_text(text, QUESTION_TEXT_MAX)
    }
}

/// The draft rules of a questions prompt: never per group.
pub(crate) fn check_draft(per_group: bool) -> Result<(), Rejection> {
    if per_group {
        return Err(invalid("questions cannot be per group"));
    }
    Ok(())
}

#[cfg(test)]
#[path = "questions_tests.rs"]
mod tests;
