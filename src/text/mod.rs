//! Words that belong together: folding, stemming and grouping of short participant texts.
//!
//! A word cloud counts "Nuoret", "nuorten" and "nuorille" as one word, and the console's
//! theme suggestions gather items that talk about the same thing. Both rest on two functions:
//! [`fold`] (what two texts that are "the same" look like: Unicode NFC, lower case,
//! whitespace collapsed, å/ä/ö kept as letters) and [`key`] (what two texts that are "about
//! the same" share: each word folded and Snowball-stemmed in the session's language, stop words
//! dropped). [`Tally`] counts texts by key and remembers the surface forms, so what is shown is
//! always a word someone wrote, never a stem. [`suggest`] proposes themes from a prompt's items.
//!
//! Everything here is pure and local: no service is asked, nothing leaves the machine. It is
//! a leaf module: it imports nothing from the rest of the crate.
//!
//! Limits, honestly: Snowball is a light stemmer. Finnish consonant gradation is only partly
//! handled (see [`stem`]), compounds are not split ("nuorisotyö" stays apart from "nuoret"),
//! and derivations stay apart ("nuoriso" ≠ "nuori"). The tests in `tests.rs` list what groups
//! and what does not.

mod stem;
mod stop;
pub mod suggest;
mod tally;
#[cfg(test)]
mod tests;

use unicode_normalization::UnicodeNormalization;

pub use tally::{Form, Group, Tally};

/// A language the stemmer knows: the session's language (Paja's UI languages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Finnish (the default, as for sessions).
    #[default]
    Fi,
    /// Swedish.
    Sv,
    /// English.
    En,
}

impl Lang {
    /// The language of an ISO 639-1 code (`fi`, `sv`, `en`, any case), or `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "fi" => Some(Lang::Fi),
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }
}

/// A text as Paja compares it for sameness: trimmed, Unicode NFC (an "ä" typed as a +
/// combining diaeresis is the same letter), lower case, inner whitespace collapsed to one
/// space. Finnish and Swedish letters stay letters: "Ä" becomes "ä", never "a".
pub fn fold(text: &str) -> String {
    let composed: String = text.trim().nfc().collect();
    let lowered = composed.to_lowercase();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The words of a folded text: runs of letters and digits (punctuation and hyphens split).
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// What texts about the same thing share: the text folded, each word stemmed in `lang`,
/// joined with one space. Stop words ("ja", "och", "the") are dropped when the text has
/// other words, so "nuoret ja koulu" and "nuorten koulu" share a key but "ja" alone keeps
/// one. A text without letters or digits keys to its folded form.
pub fn key(text: &str, lang: Lang) -> String {
    let folded = fold(text);
    let all: Vec<&str> = words(&folded).collect();
    if all.is_empty() {
        return folded;
    }
    let content: Vec<&str> = all
        .iter()
        .copied()
        .filter(|w| !stop::is_stop(w, lang))
        .collect();
    let kept = if content.is_empty() { all } else { content };
    kept.iter()
        .map(|w| stem::stem(w, lang))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The content words of a text (stop words and words under three characters left out,
/// even when nothing else is left) as `(stem, folded word)`, each stem once, in the order
/// they first appear: what theme suggestions match on and label with.
pub fn content_words(text: &str, lang: Lang) -> Vec<(String, String)> {
    let folded = fold(text);
    let mut out: Vec<(String, String)> = Vec::new();
    for word in words(&folded) {
        if stop::is_stop(word, lang) || word.chars().count() < stem::CONTENT_MIN_CHARS {
            continue;
        }
        let stemmed = stem::stem(word, lang);
        if !out.iter().any(|(s, _)| *s == stemmed) {
            out.push((stemmed, word.to_owned()));
        }
    }
    out
}
