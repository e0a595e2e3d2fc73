//! Word cloud: up to three short answers each, shown as words sized by frequency.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{invalid, Kind, COLUMN_MISFIT};
use crate::session::types::*;
use crate::session::{Prompt, Rejection, Results, Session, WordCount};
use crate::text::Tally;

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

    /// The answers grouped by [`crate::text::key`] in the session's language ("nuoret",
    /// "nuorten" and "nuorille" are one word), each shown as its most common folded form
    /// with the group's summed count, most frequent first.
    fn results(&self, session: &Session, prompt: &Prompt) -> Results {
        let mut tally = Tally::new(session.meta.language.into());
        let mut participants = BTreeSet::new();
        for item in session.visible_items(&prompt.id) {
            participants.insert(item.participant);
            tally.add(&item.text);
        }
        let words: Vec<WordCount> = tally
            .groups()
            .into_iter()
            .map(|g| WordCount {
                text: g.label,
                count: g.count,
            })
            .collect();
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

    fn cloud(language: Language, answers: &[&str]) -> Vec<WordCount> {
        let mut t = crate::session::testkit::TestSession::new();
        t.session.meta.language = language;
        let p = t.add_open(super::super::Activity::WordCloud(WordCloud::default()));
        for text in answers {
            // One answer each, so the allowance never limits the test.
            t.submit(crate::session::testkit::pid(), &p, text);
        }
        let prompt = t.session.prompt(&p).unwrap().clone();
        match WordCloud::default().results(&t.session, &prompt) {
            Results::WordCloud { words, .. } => words,
            other => panic!("{other:?}"),
        }
    }

    fn wc(text: &str, count: usize) -> WordCount {
        WordCount {
            text: text.into(),
            count,
        }
    }

    #[test]
    fn inflections_count_as_one_word_shown_as_the_most_common_form() {
        let words = cloud(
            Language::Fi,
            &[
                "Nuoret", "nuorten", "nuoret", "nuorille", "Kunnat", "kunta", "kuntien", "Ohjaamo",
            ],
        );
        assert_eq!(
            words,
            vec![wc("nuoret", 4), wc("kunta", 3), wc("ohjaamo", 1)]
        );
    }

    #[test]
    fn the_session_language_picks_the_stemmer() {
        let answers = ["kommunen", "kommuner", "Kommunen", "ungdomar", "ungdomarna"];
        assert_eq!(
            cloud(Language::Sv, &answers),
            vec![wc("kommunen", 3), wc("ungdomar", 2)]
        );
        // In a Finnish session the Swedish plural "-er" is not an ending: only the case
        // folding joins "kommunen" and "Kommunen".
        assert_eq!(
            cloud(Language::Fi, &answers),
            vec![wc("kommunen", 2), wc("ungdomar", 2), wc("kommuner", 1)]
        );
    }
}
