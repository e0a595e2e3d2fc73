//! Results derived from a session's state: poll tallies, scale distributions, the word cloud,
//! the dot-vote ranking, counts per column and group. Pure functions of the state, so the
//! projector, the console and the exports all show the same numbers.

use std::collections::BTreeMap;

use serde::Serialize;

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
    /// Each ballot item's mean position and spread on the two axes.
    Matrix {
        /// Participants who placed at least one item.
        participants: usize,
        /// Ballot items in ballot order (merged items counted with the one they joined).
        items: Vec<super::Placed>,
    },
    /// Questions to the speaker: the clients rank them by votes from the items.
    Questions {
        /// Visible questions.
        total: usize,
        /// Of those, answered.
        answered: usize,
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

    /// The results of a prompt, as its activity derives them.
    pub fn results(&self, prompt: &Prompt) -> Results {
        prompt.draft.activity.results(self, prompt)
    }
}
