//! Results derived from a session's state: poll tallies, scale distributions, the word cloud,
//! the dot-vote ranking, counts per column and group. Pure functions of the state, so the
//! projector, the console and the exports all show the same numbers.

use std::collections::BTreeMap;

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::prompt::Activity;
use super::types::*;
use super::{Item, Prompt, Session};

/// Results of one prompt, by kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Results {
    /// Counts per column and per group of the visible items.
    Brainstorm {
        /// Visible items.
        total: usize,
        /// Visible items per column index (empty without columns).
        columns: Vec<usize>,
        /// Visible items per group id (`""` for no group).
        groups: BTreeMap<String, usize>,
    },
    /// Votes per option.
    Poll {
        /// Participants who answered.
        voters: usize,
        /// Votes per option, in option order.
        counts: Vec<usize>,
    },
    /// Distribution and mean per statement.
    Scale {
        /// One entry per statement.
        statements: Vec<ScaleResult>,
    },
    /// Normalised answers and how often each was given, most frequent first.
    WordCloud {
        /// Participants who answered.
        participants: usize,
        /// The words.
        words: Vec<WordCount>,
    },
    /// The ballot ranked by dots (merged items counted together).
    DotVote {
        /// Participants who placed at least one dot.
        voters: usize,
        /// Ballot items, most dots first; ties keep ballot order.
        ranking: Vec<Ranked>,
    },
}

/// One statement's ratings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleResult {
    /// How many gave each value 1..=N (index 0 is value 1).
    pub counts: Vec<usize>,
    /// How many rated it.
    pub n: usize,
    /// Mean rating, if anyone rated it.
    pub mean: Option<f64>,
}

/// A word-cloud entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WordCount {
    /// The normalised word or phrase.
    pub text: String,
    /// How many gave it.
    pub count: usize,
}

/// A ballot item's place in a dot vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked {
    /// The item.
    pub item_id: ItemId,
    /// Its (current) text.
    pub text: String,
    /// Dots on it and on items merged into it.
    pub dots: u32,
}

/// Normalises a word-cloud answer: trimmed, Unicode NFC, inner whitespace collapsed,
/// lower-cased with Finnish and Swedish letters kept as letters (Ä stays ä, never a).
pub fn normalize_word(text: &str) -> String {
    let composed: String = text.trim().nfc().collect();
    let lowered = composed.to_lowercase();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Session {
    /// The item an item was merged into, followed to the end (itself if not merged).
    pub fn merge_root(&self, id: &ItemId) -> ItemId {
        let mut current = *id;
        // Merges form a forest (the session refuses cycles); the bound is a second guard.
        for _ in 0..64 {
            match self.item(&current).and_then(|i| i.merged_into) {
                Some(next) => current = next,
                None => break,
            }
        }
        current
    }

    /// Items of a prompt that the projector shows: not hidden, approved, not merged away.
    pub fn visible_items<'a>(&'a self, prompt: &'a PromptId) -> impl Iterator<Item = &'a Item> {
        self.items_for(prompt).filter(|i| i.is_visible())
    }

    /// The results of a prompt.
    pub fn results(&self, prompt: &Prompt) -> Results {
        match &prompt.draft.activity {
            Activity::Brainstorm { columns } => {
                let mut per_column = vec![0; columns.len()];
                let mut groups = BTreeMap::new();
                let mut total = 0;
                for item in self.visible_items(&prompt.id) {
                    total += 1;
                    if let Some(c) = item.column {
                        if let Some(n) = per_column.get_mut(usize::from(c)) {
                            *n += 1;
                        }
                    }
                    let key = item.group.as_ref().map(|g| g.0.clone()).unwrap_or_default();
                    *groups.entry(key).or_insert(0) += 1;
                }
                Results::Brainstorm {
                    total,
                    columns: per_column,
                    groups,
                }
            }
            Activity::Poll { options, .. } => {
                let answers = self.answers(&prompt.id);
                let mut counts = vec![0; options.len()];
                for chosen in answers.poll.values() {
                    for &o in chosen {
                        if let Some(n) = counts.get_mut(usize::from(o)) {
                            *n += 1;
                        }
                    }
                }
                Results::Poll {
                    voters: answers.poll.len(),
                    counts,
                }
            }
            Activity::Scale {
                statements, max, ..
            } => {
                let answers = self.answers(&prompt.id);
                let statements = (0..statements.len())
                    .map(|s| {
                        let mut counts = vec![0; usize::from(*max)];
                        let mut sum = 0u64;
                        let mut n = 0;
                        for ratings in answers.scale.values() {
                            if let Some(&v) = ratings.get(s).filter(|v| **v > 0) {
                                counts[usize::from(v - 1)] += 1;
                                sum += u64::from(v);
                                n += 1;
                            }
                        }
                        ScaleResult {
                            counts,
                            n,
                            mean: (n > 0).then(|| sum as f64 / n as f64),
                        }
                    })
                    .collect();
                Results::Scale { statements }
            }
            Activity::WordCloud { .. } => {
                let mut words: BTreeMap<String, usize> = BTreeMap::new();
                let mut participants = std::collections::BTreeSet::new();
                for item in self.visible_items(&prompt.id) {
                    participants.insert(item.participant);
                    *words.entry(normalize_word(&item.text)).or_insert(0) += 1;
                }
                let mut words: Vec<WordCount> = words
                    .into_iter()
                    .map(|(text, count)| WordCount { text, count })
                    .collect();
                words.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
                Results::WordCloud {
                    participants: participants.len(),
                    words,
                }
            }
            Activity::DotVote { .. } => {
                let answers = self.answers(&prompt.id);
                let mut dots: BTreeMap<ItemId, u32> = BTreeMap::new();
                for placed in answers.dots.values() {
                    for (item, n) in placed {
                        *dots.entry(self.merge_root(item)).or_insert(0) += n;
                    }
                }
                let mut ranking: Vec<Ranked> = prompt
                    .ballot
                    .iter()
                    .filter(|id| self.merge_root(id) == **id)
                    .filter_map(|id| self.item(id))
                    .map(|item| Ranked {
                        item_id: item.id,
                        text: item.text.clone(),
                        dots: dots.get(&item.id).copied().unwrap_or(0),
                    })
                    .collect();
                // Stable sort: ties keep the ballot's order.
                ranking.sort_by_key(|r| std::cmp::Reverse(r.dots));
                Results::DotVote {
                    voters: answers.dots.values().filter(|d| !d.is_empty()).count(),
                    ranking,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_normalised_with_nordic_letters_kept() {
        assert_eq!(normalize_word("  Yhteistyö "), "yhteistyö");
        assert_eq!(normalize_word("ÄÄNEKOSKI"), "äänekoski");
        assert_eq!(normalize_word("Åland"), "åland");
        // "ä" as a + combining diaeresis (as some phones send it) is the same word.
        assert_eq!(normalize_word("ya\u{308}"), normalize_word("yä"));
        assert_eq!(normalize_word("hyvä   yhteistyö"), "hyvä yhteistyö");
        assert_ne!(normalize_word("tärkeä"), normalize_word("tarkea"));
    }
}
