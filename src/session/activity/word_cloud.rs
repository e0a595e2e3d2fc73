//! Word cloud: up to three short answers each, shown as words sized by frequency.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{invalid, Kind, COLUMN_MISFIT};
use crate::session::types::*;
use crate::session::{Prompt, Rejection, Results, Session, WordCount};

/// Most word-cloud answers one participant may give.
pub const WORDCLOUD_MAX_ANSWERS: u8 = 3;
/// Longest word-cloud answer, in characters: a word or a short phrase.
pub const WORDCLOUD_TEXT_MAX: usize = 40;

/// A word cloud's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordCloud {
    /// Answers per participant, 1 to 3.
    #[serde(default = "default_max_answers")]
    pub max_answers: u8,
}

fn default_max_answers() -> u8 {
    WORDCLOUD_MAX_ANSWERS
}

impl Default for WordCloud {
    fn default() -> Self {
        WordCloud {
            max_answers: WORDCLOUD_MAX_ANSWERS,
        }
    }
}

impl WordCloud {}

/// Normalises a word-cloud answer; the rule now lives in [`crate::text::fold`].
pub use crate::text::fold as normalize_word;

impl Kind for WordCloud {
    const NAME: &'static str = "word_cloud";

    /// Checks the settings.
    fn validate(&self) -> Result<Self, Rejection> {
        if !(1..=WORDCLOUD_MAX_ANSWERS).contains(&self.max_answers) {
            return Err(invalid("a word cloud takes 1 to 3 answers each"));
        }
        Ok(self.clone())
    }

    /// The normalised answers and how often each was given, most frequent first.
    fn results(&self, session: &Session, prompt: &Prompt) -> Results {
        let mut words: BTreeMap<String, usize> = BTreeMap::new();
        let mut participants = BTreeSet::new();
        for item in session.visible_items(&prompt.id) {
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

    /// Checks a participant's answer (no column, within their allowance); returns its text.
    fn check_item(
        &self,
        session: &Session,
        prompt: &PromptId,
        participant: &ParticipantId,
        text: &str,
        column: Option<u8>,
    ) -> Result<String, Rejection> {
        if column.is_some() {
            return Err(Rejection::InvalidColumn);
        }
        let text = clean_text(text, WORDCLOUD_TEXT_MAX)?;
        let given = session
            .items_of(participant)
            .filter(|i| &i.prompt_id == prompt)
            .count();
        if given >= usize::from(self.max_answers) {
            return Err(Rejection::AnswerLimit);
        }
        Ok(text)
    }

    fn item_text_max(&self) -> Option<usize> {
        Some(WORDCLOUD_TEXT_MAX)
    }

    fn results_follow_items(&self) -> bool {
        true
    }

    fn import_item(&self, column: Option<u8>, given: u8) -> Result<(), &'static str> {
        if column.is_some() {
            return Err(COLUMN_MISFIT);
        }
        if given > self.max_answers {
            return Err("more word-cloud answers than the prompt allows");
        }
        Ok(())
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
