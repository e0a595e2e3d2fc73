//! The stage between prompts and items: each prompt's themes, its by-theme layout and its
//! notes (version 3 files; a version 2 file has none), with the rules of the live commands
//! (`add_theme`, `show_by_theme`, `set_notes`): only a brainstorm has themes, at most
//! [`THEMES_MAX`] of them, each id once, each name as a facilitator could type it. The items'
//! themes are checked with the items, against what passed here.

use std::collections::HashSet;

use super::check::Importer;
use super::ImportError;
use crate::session::document::PromptDoc;
use crate::session::*;

impl Importer<'_> {
    /// Themes, the by-theme flag and notes of every prompt, put on the prompts that passed.
    pub(super) fn themes(&mut self) -> Result<(), ImportError> {
        for (p, prompt) in self.doc.prompts.iter().zip(self.prompts.iter_mut()) {
            prompt.themes = prompt_themes(p, &prompt.draft.activity)?;
            prompt.by_theme = p.by_theme;
            if let Some(notes) = prompt_notes(p)? {
                self.notes.insert(p.id.clone(), notes);
            }
        }
        Ok(())
    }
}

/// A prompt's themes, cleaned, if its kind has themes and they are as the console makes them.
fn prompt_themes(p: &PromptDoc, activity: &Activity) -> Result<Vec<Theme>, ImportError> {
    if p.themes.is_empty() && !p.by_theme {
        return Ok(Vec::new());
    }
    let invalid = |theme: String, reason: String| ImportError::InvalidTheme {
        prompt: p.id.0.clone(),
        theme,
        reason,
    };
    if !matches!(activity, Activity::Brainstorm(_)) {
        let first = p.themes.first().map(|t| t.id.to_string());
        return Err(invalid(
            first.unwrap_or_default(),
            "only a brainstorm has themes".into(),
        ));
    }
    if p.themes.len() > THEMES_MAX {
        return Err(ImportError::TooMany {
            what: "themes in one prompt",
            max: THEMES_MAX,
        });
    }
    let mut seen = HashSet::with_capacity(p.themes.len());
    let mut themes = Vec::with_capacity(p.themes.len());
    for theme in &p.themes {
        if !seen.insert(theme.id) {
            return Err(ImportError::DuplicateId(theme.id.to_string()));
        }
        let name = clean_text(&theme.name, THEME_NAME_MAX)
            .map_err(|r| invalid(theme.id.to_string(), format!("its name: {r}")))?;
        themes.push(Theme { id: theme.id, name });
    }
    Ok(themes)
}

/// A prompt's notes, cleaned as typed; `None` when there are none (or only blanks).
fn prompt_notes(p: &PromptDoc) -> Result<Option<String>, ImportError> {
    let Some(notes) = p.notes.as_deref().filter(|n| !n.trim().is_empty()) else {
        return Ok(None);
    };
    clean_text(notes, NOTES_MAX)
        .map(Some)
        .map_err(|r| ImportError::InvalidPrompt {
            prompt: p.id.0.clone(),
            reason: format!("its notes: {r}"),
        })
}
