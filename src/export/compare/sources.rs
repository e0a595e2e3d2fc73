//! Where the comparison reads what other parts of issue 14 add to a session: the series
//! template ref of a prompt, its themes and notes, the series' title, and the key that
//! matches texts. Kept in one small file so that each is switched over in one place.

use std::collections::BTreeMap;

use crate::session::{Item, Language, Prompt, Session, ThemeId};
use crate::text::Lang;

use super::model::Counted;

/// The series template's prompt id this prompt was made from (`PromptDraft.template`).
pub fn template(prompt: &Prompt) -> Option<&str> {
    prompt.draft.template.as_deref()
}

/// A prompt's themes with how many visible items each holds, in the facilitator's order.
pub fn themes(session: &Session, prompt: &Prompt) -> Vec<Counted> {
    let mut counts: BTreeMap<ThemeId, u64> = BTreeMap::new();
    for item in session.visible_items(&prompt.id) {
        if let Some(theme) = item.theme {
            *counts.entry(theme).or_insert(0) += 1;
        }
    }
    session
        .themes(&prompt.id)
        .iter()
        .map(|t| Counted {
            text: t.name.clone(),
            count: counts.get(&t.id).copied().unwrap_or(0),
        })
        .collect()
}

/// The name of an item's theme.
pub fn item_theme(session: &Session, item: &Item) -> Option<String> {
    let theme = session.theme_of(item)?;
    session
        .theme(&item.prompt_id, &theme)
        .map(|t| t.name.clone())
}

/// The facilitator's notes on a prompt.
pub fn notes(session: &Session, prompt: &Prompt) -> Option<String> {
    session
        .notes(&prompt.id)
        .filter(|n| !n.trim().is_empty())
        .map(str::to_owned)
}

/// The name of the series the sessions belong to, when they all belong to the same one (the
/// series' own title is the caller's to pass as the report's title).
pub fn series_title(sessions: &[&Session]) -> Option<String> {
    let first = sessions.first()?.meta.series.as_ref()?;
    sessions
        .iter()
        .all(|s| s.meta.series.as_ref() == Some(first))
        .then(|| first.to_string())
}

/// The key two texts match by: folded (case, Unicode form, whitespace), each word stemmed in
/// the session's language, stop words dropped ([`crate::text::key`]).
pub fn match_key(text: &str, language: Language) -> String {
    crate::text::key(text, lang(language))
}

/// The text module's language for a session's.
fn lang(language: Language) -> Lang {
    match language {
        Language::Fi => Lang::Fi,
        Language::Sv => Lang::Sv,
        Language::En => Lang::En,
    }
}
