//! The facilitator's notes per prompt: what the room said aloud, written down during the
//! session and kept with it (facilitator-only; exports carry them).

use super::types::*;
use super::{Event, Rejection, Session, NOTES_MAX};

impl Session {
    /// [`super::Command::SetNotes`]: the whole text, cleaned keeping its line breaks; empty
    /// notes are none.
    pub(super) fn set_notes(
        &mut self,
        prompt: &PromptId,
        notes: &str,
    ) -> Result<Vec<Event>, Rejection> {
        self.prompt_index(prompt)?;
        let notes = match clean_text(notes, NOTES_MAX) {
            Ok(text) => text,
            Err(Rejection::TextEmpty) => String::new(),
            Err(other) => return Err(other),
        };
        if self.notes(prompt).unwrap_or_default() == notes {
            return Ok(Vec::new());
        }
        if notes.is_empty() {
            self.notes.remove(prompt);
        } else {
            self.notes.insert(prompt.clone(), notes.clone());
        }
        Ok(vec![Event::NotesChanged(prompt.clone(), notes)])
    }
}
