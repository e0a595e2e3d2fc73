//! What the projector shows: the current prompt, the join page, or an earlier prompt.

use serde::{Deserialize, Serialize};

use super::types::*;
use super::{Event, Prompt, PromptState, Rejection, Session};

/// What the projector shows, as the facilitator chose it. Phones are not affected: they
/// always show the current prompt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScreenView {
    /// The current prompt (the last opened), as phones see it: where every session starts.
    #[default]
    Follow,
    /// The join page (the address and a large QR code), even while a prompt is open: for the
    /// start of the day and for latecomers.
    Join,
    /// An earlier prompt, open or closed, never a draft: "let's look at this morning's poll".
    /// Never the current prompt itself, which is stored as [`ScreenView::Follow`].
    Prompt {
        /// Which prompt.
        prompt_id: PromptId,
    },
}

impl Session {
    /// What the facilitator chose to show on the projector.
    pub fn screen(&self) -> &ScreenView {
        &self.screen
    }

    /// The prompt on the projector's stage: the one the view names, else the current one.
    /// Under the join page the current prompt stays on the stage, out of sight, so the
    /// projector keeps it up to date and going back to it is instant.
    pub fn screen_prompt(&self) -> Option<&Prompt> {
        match &self.screen {
            // The named prompt always exists (it was not a draft, and only drafts are
            // deleted); the fallback only guards a hand-edited snapshot.
            ScreenView::Prompt { prompt_id } => {
                self.prompt(prompt_id).or_else(|| self.current_prompt())
            }
            ScreenView::Follow | ScreenView::Join => self.current_prompt(),
        }
    }

    /// [`Command::ShowOnScreen`]: a draft cannot be shown; the current prompt is shown by following it.
    pub(super) fn choose_view(&mut self, view: &ScreenView) -> Result<Vec<Event>, Rejection> {
        let view = match view {
            ScreenView::Prompt { prompt_id } => {
                let prompt = self.prompt(prompt_id).ok_or(Rejection::PromptNotFound)?;
                if prompt.state == PromptState::Draft {
                    return Err(Rejection::DraftNotShowable);
                }
                // The current prompt is what following shows, and stays so until
                // another opens (which returns to following anyway): one state, one
                // spelling, so the console's "on screen" mark has one meaning.
                if self.current.as_ref() == Some(prompt_id) {
                    ScreenView::Follow
                } else {
                    view.clone()
                }
            }
            ScreenView::Follow | ScreenView::Join => view.clone(),
        };
        Ok(self.show_on_screen(view))
    }

    /// Sets the projector's view; an event only when it changes.
    pub(super) fn show_on_screen(&mut self, view: ScreenView) -> Vec<Event> {
        if self.screen == view {
            Vec::new()
        } else {
            self.screen = view.clone();
            vec![Event::ScreenChanged(view)]
        }
    }
}
