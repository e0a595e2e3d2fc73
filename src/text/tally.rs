//! Counting texts by key while remembering how each was written.

use std::collections::BTreeMap;

use super::{fold, key, Lang};

/// A tally of short texts grouped by [`key`]: "Nuoret" ×2, "nuorten" ×1 → one group
/// labelled "nuoret" counted 3. Deterministic: the same texts in any order give the same
/// groups.
#[derive(Debug, Clone)]
pub struct Tally {
    lang: Lang,
    /// Key → folded surface form → how often it was given.
    groups: BTreeMap<String, BTreeMap<String, usize>>,
}

/// One surface form (a folded text as written) and how often it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The folded text.
    pub text: String,
    /// How often it was given.
    pub count: usize,
}

/// The texts that share a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The shared key (stems joined by spaces); an id, never shown.
    pub key: String,
    /// What to show: the most common surface form (ties: the shorter, then the first
    /// alphabetically), a word someone actually wrote.
    pub label: String,
    /// How often any of its forms was given.
    pub count: usize,
    /// Its forms, most common first (ties as for the label), so `forms[0]` is the label.
    pub forms: Vec<Form>,
}

impl Tally {
    /// An empty tally stemming in `lang`.
    pub fn new(lang: Lang) -> Tally {
        Tally {
            lang,
            groups: BTreeMap::new(),
        }
    }

    /// Counts one text (empty or blank texts are not counted).
    pub fn add(&mut self, text: &str) {
        let folded = fold(text);
        if folded.is_empty() {
            return;
        }
        let key = key(&folded, self.lang);
        *self
            .groups
            .entry(key)
            .or_default()
            .entry(folded)
            .or_insert(0) += 1;
    }

    /// The groups, biggest first (ties: by label).
    pub fn groups(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = self
            .groups
            .iter()
            .map(|(key, forms)| {
                let mut forms: Vec<Form> = forms
                    .iter()
                    .map(|(text, count)| Form {
                        text: text.clone(),
                        count: *count,
                    })
                    .collect();
                forms.sort_by(|a, b| {
                    b.count
                        .cmp(&a.count)
                        .then_with(|| a.text.chars().count().cmp(&b.text.chars().count()))
                        .then_with(|| a.text.cmp(&b.text))
                });
                Group {
                    key: key.clone(),
                    label: forms[0].text.clone(),
                    count: forms.iter().map(|f| f.count).sum(),
                    forms,
                }
            })
            .collect();
        groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
        groups
    }
}
