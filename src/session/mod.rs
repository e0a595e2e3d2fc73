//! The pure session state machine: commands in, events out, no I/O.
//!
//! A [`Session`] holds one workshop: its groups, its agenda of prompts (brainstorms, polls,
//! scales, word clouds, dot votes), every item participants sent and every answer they gave.
//! All rules live in [`Session::apply`], which either rejects a command and changes nothing,
//! or changes the state and returns the events that describe the change, each stamped with
//! the session's next gap-free sequence number. Time comes in as a parameter, so replaying
//! the journal (the same commands with the same times) rebuilds the same state.

mod activity;
mod agenda;
mod arrange;
mod command;
mod command_name;
pub mod document;
mod erase;
mod event;
mod groups;
mod import;
mod items;
mod kept;
mod model;
mod notes;
mod prompt;
mod rehearsal;
mod rejection;
mod results;
mod screen;
mod themes;
mod translation;
mod types;

pub use activity::*;
pub use agenda::*;
pub use arrange::deserialize_present;
pub use command::*;
pub use erase::*;
pub use event::*;
pub use groups::*;
pub use import::*;
pub use items::*;
pub use model::*;
pub use prompt::*;
pub use rehearsal::*;
pub use rejection::*;
pub use results::*;
pub use screen::*;
pub use themes::*;
pub use translation::*;
pub use types::*;

impl Session {
    /// Applies a command at time `now`: either every change and its events, or a rejection
    /// and no change at all. This only routes each command to its concept's `apply_*`, which
    /// holds the rules; the match is exhaustive, so a new command must be routed here.
    pub fn apply(&mut self, command: &Command, now: Millis) -> Result<Applied, Rejection> {
        use Command as C;
        let events = match command {
            C::AddPrompt { .. }
            | C::UpdatePrompt { .. }
            | C::DuplicatePrompt { .. }
            | C::DeletePrompt { .. }
            | C::MovePrompt { .. }
            | C::ImportAgenda { .. }
            | C::OpenPrompt { .. }
            | C::NextPrompt
            | C::ClosePrompt { .. }
            | C::LockPrompt { .. }
            | C::AddTime { .. }
            | C::Tick => self.apply_agenda(command, now)?,
            C::ShowOnScreen { view } => self.choose_view(view)?,
            C::AddGroup { .. }
            | C::UpdateGroup { .. }
            | C::DeleteGroup { .. }
            | C::ChooseGroup { .. } => self.apply_groups(command)?,
            C::Vote { .. }
            | C::WithdrawVote { .. }
            | C::Rate { .. }
            | C::PlaceDot { .. }
            | C::RemoveDot { .. }
            | C::Place { .. }
            | C::Unplace { .. } => self.apply_answer(command, now)?,
            // Items stamp their own events (a resend is acked with its first seq).
            C::Submit { .. }
            | C::Like { .. }
            | C::HideItem { .. }
            | C::UnhideItem { .. }
            | C::EditItem { .. }
            | C::MergeItems { .. }
            | C::UnmergeItem { .. }
            | C::StarItem { .. }
            | C::ApproveItem { .. }
            | C::MarkAnswered { .. } => return self.apply_items(command, now),
            C::EraseItem { .. } | C::WithdrawItem { .. } | C::EraseItemHistory { .. } => {
                self.apply_erase(command, now)?
            }
            C::AddTheme { .. }
            | C::RenameTheme { .. }
            | C::MergeThemes { .. }
            | C::RemoveTheme { .. }
            | C::MoveTheme { .. }
            | C::SetItemTheme { .. }
            | C::ShowByTheme { .. } => self.apply_themes(command)?,
            C::MoveItem {
                item,
                column,
                group,
            } => self.move_item(item, *column, group.as_ref())?,
            C::SetNotes { prompt, notes } => self.set_notes(prompt, notes)?,
            C::SetRehearsal { .. } | C::ResetRehearsal => self.apply_rehearsal(command)?,
            C::SetLanguages { main, screen } => self.set_languages(*main, *screen)?,
        };
        Ok(self.stamp(events))
    }
}

#[cfg(test)]
mod erase_tests;
#[cfg(test)]
mod rehearsal_tests;
#[cfg(test)]
mod template_tests;
#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod themes_tests;
