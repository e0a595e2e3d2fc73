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
mod command;
pub mod document;
mod event;
mod groups;
mod import;
mod items;
mod model;
mod prompt;
mod rejection;
mod results;
mod screen;
mod types;

pub use activity::*;
pub use agenda::*;
pub use command::*;
pub use event::*;
pub use groups::*;
pub use import::*;
pub use items::*;
pub use model::*;
pub use prompt::*;
pub use rejection::*;
pub use results::*;
pub use screen::*;
pub use types::*;

impl Session {
    /// Applies a command at time `now`: either every change and its events, or a rejection
    /// and no change at all. Each concept's file holds the rules; this only dispatches.
    pub fn apply(&mut self, command: &Command, now: Millis) -> Result<Applied, Rejection> {
        use Command as C;
        let events = match command {
            C::AddPrompt { draft } => self.add_prompt(draft, now)?,
            C::UpdatePrompt { prompt_id, draft } => self.update_prompt(prompt_id, draft)?,
            C::DuplicatePrompt { prompt_id } => self.duplicate_prompt(prompt_id, now)?,
            C::DeletePrompt { prompt_id } => self.delete_prompt(prompt_id)?,
            C::MovePrompt {
                prompt_id,
                position,
            } => self.move_prompt(prompt_id, *position)?,
            C::ImportAgenda { prompts } => self.import_agenda(prompts, now)?,
            C::OpenPrompt { prompt_id } => self.open_prompt(prompt_id, now)?,
            C::NextPrompt => self.next_prompt(now)?,
            C::ClosePrompt { prompt_id } => self.close_prompt(prompt_id, now)?,
            C::LockPrompt { prompt_id, locked } => self.lock_prompt(prompt_id, *locked)?,
            C::AddTime { prompt_id, secs } => self.add_time(prompt_id, *secs, now)?,
            C::ShowOnScreen { view } => self.choose_view(view)?,
            C::Tick => self.tick(now)?,
            C::AddGroup { name, color } => self.add_group(name, color)?,
            C::UpdateGroup {
                group_id,
                name,
                color,
            } => self.update_group(group_id, name, color)?,
            C::DeleteGroup { group_id } => self.delete_group(group_id)?,
            C::ChooseGroup {
                participant,
                group_id,
            } => self.choose_group(participant, group_id)?,
            C::Submit {
                participant,
                item_id,
                prompt_id,
                text,
                column,
            } => return self.submit(participant, item_id, prompt_id, text, *column, now),
            C::Vote {
                participant,
                prompt_id,
                options,
            } => self.vote(participant, prompt_id, options, now)?,
            C::WithdrawVote {
                participant,
                prompt_id,
            } => self.withdraw_vote(participant, prompt_id, now)?,
            C::Rate {
                participant,
                prompt_id,
                statement,
                value,
            } => self.rate(participant, prompt_id, *statement, *value)?,
            C::PlaceDot {
                participant,
                prompt_id,
                item_id,
            } => self.place_dot(participant, prompt_id, item_id)?,
            C::RemoveDot {
                participant,
                prompt_id,
                item_id,
            } => self.remove_dot(participant, prompt_id, item_id)?,
            C::Place {
                participant,
                prompt_id,
                item_id,
                x,
                y,
            } => self.place(participant, prompt_id, item_id, [*x, *y])?,
            C::Unplace {
                participant,
                prompt_id,
                item_id,
            } => self.unplace(participant, prompt_id, item_id)?,
            C::Like {
                participant,
                item_id,
                liked,
            } => self.like(participant, item_id, *liked)?,
            C::HideItem { item_id } => self.set_hidden(item_id, true)?,
            C::UnhideItem { item_id } => self.set_hidden(item_id, false)?,
            C::EditItem { item_id, text } => self.edit_item(item_id, text, now)?,
            C::MergeItems { into, items } => self.merge(into, items)?,
            C::UnmergeItem { item_id } => self.unmerge_item(item_id)?,
            C::StarItem { item_id, starred } => self.star_item(item_id, *starred)?,
            C::ApproveItem { item_id } => self.approve_item(item_id)?,
        };
        Ok(self.stamp(events))
    }
}

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;
