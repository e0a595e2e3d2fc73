//! Themes: the facilitator's named headings for a brainstorm's items ("Nuoret", "Digi"),
//! made while sorting the wall, in the facilitator's order. An item is in at most one theme;
//! a duplicate merged into another item is read as in its root's theme (see
//! [`Session::theme_of`]), so merging never splits an idea across two headings.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::types::*;
use super::{Item, Session};

/// Longest theme name, in characters: a heading on the projector, not a sentence.
pub const THEME_NAME_MAX: usize = 80;
/// Most themes one prompt may have: more than a wall can show as headings.
pub const THEMES_MAX: usize = 60;
/// Longest notes of one prompt, in characters: a page or two of the facilitator's writing.
pub const NOTES_MAX: usize = 20_000;
/// Most items one theme command may name: a whole wall's selection, bounded.
pub const THEME_ITEMS_MAX: usize = 500;

/// Identifies a theme; made by the console, so that a resent `add_theme` is recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ThemeId(pub Uuid);

impl fmt::Display for ThemeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A named heading of a brainstorm prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Theme {
    /// Made by the console.
    pub id: ThemeId,
    /// Cleaned with [`clean_text`], at most [`THEME_NAME_MAX`] characters.
    pub name: String,
}

impl Session {
    /// A prompt's themes in the facilitator's order (none for an unknown prompt).
    pub fn themes(&self, prompt: &PromptId) -> &[Theme] {
        self.prompt(prompt).map_or(&[], |p| p.themes.as_slice())
    }

    /// One theme of a prompt.
    pub fn theme(&self, prompt: &PromptId, theme: &ThemeId) -> Option<&Theme> {
        self.themes(prompt).iter().find(|t| &t.id == theme)
    }

    /// The facilitator's notes on a prompt, if any were written.
    pub fn notes(&self, prompt: &PromptId) -> Option<&str> {
        self.notes.get(prompt).map(String::as_str)
    }

    /// Every prompt's notes (facilitator-only: the welcome and the exports).
    pub fn all_notes(&self) -> &std::collections::BTreeMap<PromptId, String> {
        &self.notes
    }

    /// The theme an item is read in: its merge root's, so a duplicate follows the item it
    /// was merged into (and gets its own back when unmerged).
    pub fn theme_of(&self, item: &Item) -> Option<ThemeId> {
        if item.merged_into.is_none() {
            return item.theme;
        }
        self.item(&self.merge_root(&item.id))
            .and_then(|root| root.theme)
    }

    /// Whether `theme` is on a dot vote's frozen ballot, where it may be renamed but not
    /// removed or merged away (votes name it). False until dot votes can vote on themes.
    pub fn theme_on_ballot(&self, _prompt: &PromptId, theme: &ThemeId) -> bool {
        let id = ItemId(theme.0);
        self.prompts
            .iter()
            .any(|p| p.draft.activity.has_ballot() && p.ballot.contains(&id))
    }
}
