//! Where the comparison reads what other parts of issue 14 add to a session: the series
//! template ref of a prompt, its themes and notes, the series' title, and the key that
//! matches texts. Kept in one small file so that each is switched over in one place.

use crate::session::{Item, Language, Prompt, Session};

use super::model::Counted;

/// The series template's prompt id this prompt was made from (`PromptDraft.template`).
pub fn template(prompt: &Prompt) -> Option<&str> {
    let _ = prompt;
    None
}

/// A prompt's themes with how many visible items each holds, in the facilitator's order.
pub fn themes(session: &Session, prompt: &Prompt) -> Vec<Counted> {
    let _ = (session, prompt);
    Vec::new()
}

/// The name of an item's theme.
pub fn item_theme(session: &Session, item: &Item) -> Option<String> {
    let _ = (session, item);
    None
}

/// The facilitator's notes on a prompt.
pub fn notes(session: &Session, prompt: &Prompt) -> Option<String> {
    let _ = (session, prompt);
    None
}

/// The title of the series the sessions belong to, when they all belong to one.
pub fn series_title(sessions: &[&Session]) -> Option<String> {
    let _ = sessions;
    None
}

/// The key two texts match by: folded (case, Unicode form, whitespace).
pub fn match_key(text: &str, language: Language) -> String {
    let _ = language;
    crate::session::normalize_word(text)
}
