//! Rehearsal: a session tried out before the seminar, then reset to its agenda.
//!
//! A facilitator puts a session in rehearsal ([`Command::SetRehearsal`]); everything works as
//! live and every view says so ("HARJOITUS / ÖVNING / REHEARSAL"). The reset
//! ([`Command::ResetRehearsal`], refused unless rehearsing, so a live seminar cannot be wiped
//! by a stray click) takes out every answer, item, vote, like, group choice, participant and
//! tombstone, and keeps exactly what the facilitator prepared: the agenda (each prompt back to
//! a draft, its themes and notes kept), the groups and the settings. Sequence numbers go on
//! (clients' resumes stay gap-free); the reset's own seq is remembered ([`Rehearsal::last_reset`])
//! so that phones drop what they still hold from before it and the store knows its history
//! before that point must leave the disk (`store::rebase`), as a deleted session's does.

use super::{Command, Event, PromptState, Rejection, ScreenView, Session};

/// Whether a session is a rehearsal, and when it was last reset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rehearsal {
    /// Every view is marked as a rehearsal, and the reset is allowed.
    pub on: bool,
    /// The seq of the last reset's `session_reset` event, if there was one: phones that knew
    /// the session before it drop their unsent texts, and no file may hold anything older.
    pub last_reset: Option<u64>,
}

impl Rehearsal {
    /// Neither on nor ever reset (what older snapshots hold).
    pub fn is_default(&self) -> bool {
        *self == Rehearsal::default()
    }
}

impl Session {
    /// Whether the session is a rehearsal, and its last reset.
    pub fn rehearsal(&self) -> Rehearsal {
        self.rehearsal
    }

    /// Applies [`Command::SetRehearsal`] or [`Command::ResetRehearsal`].
    pub(super) fn apply_rehearsal(&mut self, command: &Command) -> Result<Vec<Event>, Rejection> {
        match command {
            Command::SetRehearsal { on } if *on == self.rehearsal.on => Ok(Vec::new()),
            Command::SetRehearsal { on } => {
                self.rehearsal.on = *on;
                Ok(vec![Event::RehearsalChanged(*on)])
            }
            Command::ResetRehearsal => self.reset(),
            other => unreachable!("Session::apply routed {other:?} to the rehearsal"),
        }
    }

    /// Everything participants brought leaves; what the facilitator prepared stays.
    fn reset(&mut self) -> Result<Vec<Event>, Rejection> {
        if !self.rehearsal.on {
            return Err(Rejection::NotRehearsing);
        }
        self.items.clear();
        self.tombstones.clear();
        self.history_erased.clear();
        self.answers.clear();
        self.members.clear();
        self.pseudonyms.clear();
        for prompt in &mut self.prompts {
            prompt.state = PromptState::Draft;
            prompt.locked = false;
            prompt.opened_at = None;
            prompt.closed_at = None;
            prompt.closes_at = None;
            prompt.ballot.clear();
        }
        self.current = None;
        self.screen = ScreenView::Follow;
        self.reindex();
        // The one event this command makes is stamped next.
        self.rehearsal.last_reset = Some(self.seq + 1);
        Ok(vec![Event::SessionReset])
    }
}
