//! A brainstorm's themes in the exports: which theme an item counts under, the workbook's
//! summary of themes, and the report's layout by theme.
//!
//! A merged duplicate counts under the theme of the item it was merged into, as the console
//! and the projector show it: the curated structure is the roots', and a duplicate is one more
//! voice for its root. Items in no theme are listed after the themes under "Other", so the
//! counts of a prompt's themes always add up to its items.

use crate::session::{Item, Prompt, Session, Theme};

use super::brainstorm::{Column, Layout};
use crate::export::View;

/// The theme `item` counts under ([`Session::theme_of`]: its merge root's), else none (also
/// when the id names no theme of its prompt).
pub fn theme_of<'a>(session: &'a Session, item: &Item) -> Option<&'a Theme> {
    session.theme(&item.prompt_id, &session.theme_of(item)?)
}

/// The name of the theme `item` counts under, if any.
pub fn theme_name<'a>(session: &'a Session, item: &Item) -> Option<&'a str> {
    theme_of(session, item).map(|t| t.name.as_str())
}

/// One line of the workbook's summary of a brainstorm's themes.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeRow<'a> {
    /// The theme's name, or "Other" for the items in none.
    pub name: &'a str,
    /// Items under it, merged duplicates included.
    pub items: usize,
    /// Likes of its items (a duplicate's with its root's, each person once per root).
    pub likes: usize,
    /// Dots its items got over every dot vote on the prompt.
    pub dots: u32,
}

/// The themes of `prompt` with their counts over the items `view` shows, in the
/// facilitator's order, then "Other" when some items are in no theme. Empty when the prompt
/// has no themes.
pub fn summary<'a>(view: &View<'a>, prompt: &Prompt, other: &'a str) -> Vec<ThemeRow<'a>> {
    let session = view.session;
    let themes = session.themes(&prompt.id);
    if themes.is_empty() {
        return Vec::new();
    }
    let mut rows: Vec<ThemeRow<'a>> = themes
        .iter()
        .map(|t| ThemeRow {
            name: t.name.as_str(),
            items: 0,
            likes: 0,
            dots: 0,
        })
        .chain(std::iter::once(ThemeRow {
            name: other,
            items: 0,
            likes: 0,
            dots: 0,
        }))
        .collect();
    let other_at = themes.len();
    for item in view.items(prompt) {
        let at = theme_of(session, item)
            .and_then(|t| themes.iter().position(|x| x.id == t.id))
            .unwrap_or(other_at);
        let row = &mut rows[at];
        row.items += 1;
        // Likes and dots of duplicates are counted with their root.
        if item.merged_into.is_none() {
            row.likes += session.like_count(item);
            row.dots = row.dots.saturating_add(view.dots(item));
        }
    }
    if rows[other_at].items == 0 {
        rows.pop();
    }
    rows
}

impl<'a> Layout<'_, 'a> {
    /// The items under each theme in the facilitator's order, with their count (a theme
    /// nobody's item is in is shown, saying so), then those in no theme under "Other"; within
    /// each, by group as without themes.
    pub(super) fn by_theme(&self, themes: &'a [Theme], tops: Vec<&'a Item>) -> Vec<Column<'a>> {
        let session = self.view.session;
        let at: Vec<Option<usize>> = tops
            .iter()
            .map(|i| theme_of(session, i).and_then(|t| themes.iter().position(|x| x.id == t.id)))
            .collect();
        let part = |which: Option<usize>| -> Vec<&'a Item> {
            tops.iter()
                .zip(&at)
                .filter(|(_, a)| **a == which)
                .map(|(i, _)| *i)
                .collect()
        };
        let mut out: Vec<Column<'a>> = themes
            .iter()
            .enumerate()
            .map(|(n, theme)| self.theme_column(theme.name.clone(), part(Some(n))))
            .collect();
        let loose = part(None);
        if !loose.is_empty() {
            out.push(self.theme_column(self.l.words.other_theme.to_owned(), loose));
        }
        out
    }

    /// A theme's part: its items by group, counted with their duplicates.
    fn theme_column(&self, name: String, items: Vec<&'a Item>) -> Column<'a> {
        let duplicates = self
            .merged
            .iter()
            .filter(|(root, _)| items.iter().any(|i| i.id == *root))
            .count();
        Column {
            name: Some(name),
            count: Some(items.len() + duplicates),
            groups: self.in_groups(items),
        }
    }
}

#[cfg(test)]
mod tests;
