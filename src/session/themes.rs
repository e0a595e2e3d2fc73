//! Themes: the facilitator's named headings for a brainstorm's items ("Nuoret", "Digi"),
//! made while sorting the wall, in the facilitator's order. An item is in at most one theme;
//! a duplicate merged into another item is read as in its root's theme (see
//! [`Session::theme_of`]), so merging never splits an idea across two headings.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::types::*;
use super::{Activity, Command, Event, Item, Rejection, Session};

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
    /// removed or merged away (votes name it): a vote on `prompt` whose ballot holds the
    /// theme's id (a vote on themes freezes theme ids where a vote on items keeps item ids).
    pub fn theme_on_ballot(&self, prompt: &PromptId, theme: &ThemeId) -> bool {
        let id = ItemId(theme.0);
        self.prompts
            .iter()
            .any(|p| p.draft.activity.votes_on(prompt) && p.ballot.contains(&id))
    }

    /// Applies a themes command; [`Session::apply`] routes only those here.
    pub(super) fn apply_themes(&mut self, command: &Command) -> Result<Vec<Event>, Rejection> {
        use Command as C;
        match command {
            C::AddTheme {
                prompt,
                theme,
                name,
                items,
            } => self.add_theme(prompt, *theme, name, items),
            C::RenameTheme {
                prompt,
                theme,
                name,
            } => self.rename_theme(prompt, theme, name),
            C::MergeThemes { prompt, from, into } => self.merge_themes(prompt, from, into),
            C::RemoveTheme { prompt, theme } => self.remove_theme(prompt, theme),
            C::MoveTheme { prompt, theme, to } => self.move_theme(prompt, theme, *to),
            C::SetItemTheme { items, theme } => self.set_item_theme(items, theme.as_ref()),
            C::ShowByTheme { prompt, on } => self.show_by_theme(prompt, *on),
            other => unreachable!("Session::apply routed {other:?} to the themes"),
        }
    }

    /// The index of a prompt that may have themes: a brainstorm.
    fn themable(&self, prompt: &PromptId) -> Result<usize, Rejection> {
        let at = self.prompt_index(prompt)?;
        match self.prompts[at].draft.activity {
            Activity::Brainstorm(_) => Ok(at),
            _ => Err(Rejection::NotThemable),
        }
    }

    /// The index of a theme within the prompt at `at`.
    fn theme_index(&self, at: usize, theme: &ThemeId) -> Result<usize, Rejection> {
        self.prompts[at]
            .themes
            .iter()
            .position(|t| &t.id == theme)
            .ok_or(Rejection::UnknownTheme)
    }

    /// The items a command names, as the indexes of their merge roots (a duplicate follows
    /// its root), each once; all must be items of `prompt`.
    fn theme_items(&self, prompt: &PromptId, items: &[ItemId]) -> Result<Vec<usize>, Rejection> {
        if items.len() > THEME_ITEMS_MAX {
            return Err(Rejection::TooManyItems {
                max: THEME_ITEMS_MAX,
            });
        }
        let mut roots = BTreeSet::new();
        for id in items {
            let item = self.item(id).ok_or(Rejection::ItemNotFound)?;
            if &item.prompt_id != prompt {
                return Err(Rejection::ItemNotFound);
            }
            roots.insert(self.item_index[&self.merge_root(id)]);
        }
        Ok(roots.into_iter().collect())
    }

    /// Puts the items at `ats` in `theme`: an `item_updated` for each that changed and for
    /// each duplicate merged into one (it is read in its root's theme).
    fn retheme(&mut self, ats: &[usize], theme: Option<ThemeId>) -> Vec<Event> {
        let mut changed = BTreeSet::new();
        for &at in ats {
            if self.items[at].theme != theme {
                self.items[at].theme = theme;
                changed.insert(at);
            }
        }
        self.item_events(changed)
    }

    /// `item_updated` for the items at `changed` and for the duplicates merged into them.
    fn item_events(&self, mut changed: BTreeSet<usize>) -> Vec<Event> {
        let Some(&first) = changed.first() else {
            return Vec::new();
        };
        let prompt = &self.items[first].prompt_id;
        if self.has_merges(prompt) {
            let roots: BTreeSet<ItemId> = changed.iter().map(|&at| self.items[at].id).collect();
            let dups: Vec<usize> = self.by_prompt[prompt]
                .iter()
                .copied()
                .filter(|&at| {
                    let item = &self.items[at];
                    item.merged_into.is_some() && roots.contains(&self.merge_root(&item.id))
                })
                .collect();
            changed.extend(dups);
        }
        changed
            .into_iter()
            .map(|at| Event::ItemUpdated(self.items[at].clone()))
            .collect()
    }

    /// [`Command::AddTheme`].
    fn add_theme(
        &mut self,
        prompt: &PromptId,
        theme: ThemeId,
        name: &str,
        items: &[ItemId],
    ) -> Result<Vec<Event>, Rejection> {
        let at = self.themable(prompt)?;
        let name = clean_text(name, THEME_NAME_MAX)?;
        if let Ok(t) = self.theme_index(at, &theme) {
            // A resend after a lost ack changes nothing; another name under its id is a clash.
            return match self.prompts[at].themes[t].name == name {
                true => Ok(Vec::new()),
                false => Err(Rejection::ThemeExists),
            };
        }
        if self
            .prompts
            .iter()
            .any(|p| p.themes.iter().any(|t| t.id == theme))
        {
            return Err(Rejection::ThemeExists);
        }
        if self.prompts[at].themes.len() >= THEMES_MAX {
            return Err(Rejection::TooManyThemes);
        }
        let ats = self.theme_items(prompt, items)?;
        self.prompts[at].themes.push(Theme { id: theme, name });
        let mut events = vec![Event::PromptUpdated(self.prompts[at].clone())];
        events.extend(self.retheme(&ats, Some(theme)));
        Ok(events)
    }

    /// [`Command::RenameTheme`]: also of a theme on a ballot, whose vote shows the new name.
    fn rename_theme(
        &mut self,
        prompt: &PromptId,
        theme: &ThemeId,
        name: &str,
    ) -> Result<Vec<Event>, Rejection> {
        let at = self.themable(prompt)?;
        let t = self.theme_index(at, theme)?;
        let name = clean_text(name, THEME_NAME_MAX)?;
        if self.prompts[at].themes[t].name == name {
            return Ok(Vec::new());
        }
        self.prompts[at].themes[t].name = name;
        let mut events = vec![Event::PromptUpdated(self.prompts[at].clone())];
        let id = ItemId(theme.0);
        events.extend(
            self.prompts
                .iter()
                .filter(|p| p.draft.activity.votes_on(prompt) && p.ballot.contains(&id))
                .map(|p| Event::PromptUpdated(p.clone())),
        );
        Ok(events)
    }

    /// [`Command::MergeThemes`].
    fn merge_themes(
        &mut self,
        prompt: &PromptId,
        from: &ThemeId,
        into: &ThemeId,
    ) -> Result<Vec<Event>, Rejection> {
        let at = self.themable(prompt)?;
        let f = self.theme_index(at, from)?;
        self.theme_index(at, into)?;
        if from == into {
            return Ok(Vec::new());
        }
        if self.theme_on_ballot(prompt, from) {
            return Err(Rejection::ThemeOnBallot);
        }
        self.prompts[at].themes.remove(f);
        Ok(self.drop_theme(at, from, Some(*into)))
    }

    /// [`Command::RemoveTheme`]: its items stay, unthemed.
    fn remove_theme(
        &mut self,
        prompt: &PromptId,
        theme: &ThemeId,
    ) -> Result<Vec<Event>, Rejection> {
        let at = self.themable(prompt)?;
        let t = self.theme_index(at, theme)?;
        if self.theme_on_ballot(prompt, theme) {
            return Err(Rejection::ThemeOnBallot);
        }
        self.prompts[at].themes.remove(t);
        Ok(self.drop_theme(at, theme, None))
    }

    /// After `gone` left the prompt at `at`: every item that named it (a duplicate too, so
    /// none names a theme that is gone once unmerged) is put in `instead`.
    fn drop_theme(&mut self, at: usize, gone: &ThemeId, instead: Option<ThemeId>) -> Vec<Event> {
        let prompt = self.prompts[at].id.clone();
        let ats: Vec<usize> = self
            .by_prompt
            .get(&prompt)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| self.items[i].theme.as_ref() == Some(gone))
            .collect();
        let mut events = vec![Event::PromptUpdated(self.prompts[at].clone())];
        events.extend(self.retheme(&ats, instead));
        events
    }

    /// [`Command::MoveTheme`]: an event only when it moves.
    fn move_theme(
        &mut self,
        prompt: &PromptId,
        theme: &ThemeId,
        to: usize,
    ) -> Result<Vec<Event>, Rejection> {
        let at = self.themable(prompt)?;
        let from = self.theme_index(at, theme)?;
        let themes = &mut self.prompts[at].themes;
        let moved = themes.remove(from);
        let to = to.min(themes.len());
        themes.insert(to, moved);
        Ok(if to == from {
            Vec::new()
        } else {
            vec![Event::PromptUpdated(self.prompts[at].clone())]
        })
    }

    /// [`Command::SetItemTheme`]: items of one brainstorm into one of its themes, or none.
    fn set_item_theme(
        &mut self,
        items: &[ItemId],
        theme: Option<&ThemeId>,
    ) -> Result<Vec<Event>, Rejection> {
        let Some(first) = items.first() else {
            return Ok(Vec::new());
        };
        let prompt = self
            .item(first)
            .ok_or(Rejection::ItemNotFound)?
            .prompt_id
            .clone();
        let at = self.themable(&prompt)?;
        if let Some(theme) = theme {
            self.theme_index(at, theme)?;
        }
        let ats = self.theme_items(&prompt, items)?;
        Ok(self.retheme(&ats, theme.copied()))
    }

    /// [`Command::ShowByTheme`].
    fn show_by_theme(&mut self, prompt: &PromptId, on: bool) -> Result<Vec<Event>, Rejection> {
        let at = self.themable(prompt)?;
        let p = &mut self.prompts[at];
        Ok(if p.by_theme == on {
            Vec::new()
        } else {
            p.by_theme = on;
            vec![Event::PromptUpdated(p.clone())]
        })
    }
}
