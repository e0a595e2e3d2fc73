//! Theme suggestions: items that share a content word's stem, proposed as a theme.
//!
//! The console asks for them (`GET /api/sessions/{slug}/suggestions`) and shows each as a
//! proposal the facilitator accepts with one click or ignores; nothing here changes a
//! session. The caller picks the candidates (the prompt's unthemed, visible root items), so
//! this stays a pure function of texts.

use std::collections::BTreeMap;

use super::{content_words, Lang};

/// Most suggestions offered at once: a console panel's worth, the biggest groups.
pub const SUGGESTIONS_MAX: usize = 12;

/// Fewest items a suggestion gathers: a theme of one is no grouping.
pub const SUGGESTION_MIN_ITEMS: usize = 2;

/// A proposed theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion<I> {
    /// The proposed name: the most common way the shared word was written in these items.
    pub label: String,
    /// The items it gathers, in the order they were given.
    pub items: Vec<I>,
}

/// Stem → (candidate index, the word as written there), indices ascending.
type Uses = BTreeMap<String, Vec<(usize, String)>>;

/// Groups of at least two items sharing a content-word stem, biggest first (ties: by label),
/// at most [`SUGGESTIONS_MAX`], each item in at most one. Greedy: the stem shared by the most
/// items not yet suggested wins, so "nuoret" ×5 is proposed before "koulu" ×3 claims some of
/// the same items.
pub fn suggest<I: Clone>(candidates: &[(I, &str)], lang: Lang) -> Vec<Suggestion<I>> {
    let mut uses: Uses = BTreeMap::new();
    for (index, (_, text)) in candidates.iter().enumerate() {
        for (stem, word) in content_words(text, lang) {
            uses.entry(stem).or_default().push((index, word));
        }
    }
    let mut taken = vec![false; candidates.len()];
    let mut out = Vec::new();
    while out.len() < SUGGESTIONS_MAX {
        let free = |list: &Vec<(usize, String)>| list.iter().filter(|(i, _)| !taken[*i]).count();
        let most = uses.values().map(free).max().unwrap_or(0);
        if most < SUGGESTION_MIN_ITEMS {
            break;
        }
        let Some((label, stem)) = uses
            .iter()
            .filter(|(_, list)| free(list) == most)
            .map(|(stem, list)| (label_of(list, &taken), stem.clone()))
            .min()
        else {
            break;
        };
        let Some(list) = uses.remove(&stem) else {
            break;
        };
        let mut items = Vec::new();
        for (i, _) in list {
            if !taken[i] {
                taken[i] = true;
                items.push(candidates[i].0.clone());
            }
        }
        out.push(Suggestion { label, items });
    }
    out
}

/// The most common form among the free uses (ties: the shorter, then the first
/// alphabetically).
fn label_of(list: &[(usize, String)], taken: &[bool]) -> String {
    let mut forms: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, word) in list {
        if !taken[*i] {
            *forms.entry(word.as_str()).or_insert(0) += 1;
        }
    }
    forms
        .into_iter()
        .min_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| a.0.chars().count().cmp(&b.0.chars().count()))
                .then_with(|| a.0.cmp(b.0))
        })
        .map(|(form, _)| form.to_owned())
        .unwrap_or_default()
}
