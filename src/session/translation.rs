//! Translations: a prompt's (and a group's) texts in the session's other languages.
//!
//! Bilingual seminars ask in Finnish and Swedish (and sometimes English) at once. A prompt's
//! own text fields stay its texts in the session's *main* language (`meta.language`); a
//! [`PromptTranslation`] per other language holds the same texts in that language, each
//! optional. Phones show the variant of their own UI language where one is given, field by
//! field, else the main text with a language tag; the projector shows the main language, or
//! the main one with a second one stacked under it ([`Session::screen_language`]).
//!
//! Rules (see [`validate_translations`]): every text has its main field's length limit; an
//! empty text means "not given" and is dropped; a list (poll options, scale statements,
//! brainstorm columns), when given, has exactly as many entries as the main list, an empty
//! entry falling back to the main one; a language with nothing left is dropped. A variant in
//! the main language itself is dropped by the session when the prompt is saved (the main
//! text is that language's text), and ignored by clients if the main language changes later.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::activity::{
    Activity, AXIS_END_MAX, AXIS_LABEL_MAX, COLUMN_NAME_MAX, OPTION_MAX, SCALE_LABEL_MAX,
};
use super::groups::GROUP_NAME_MAX;
use super::types::*;
use super::{Event, Rejection, Session};

/// A prompt's texts in one other language; every field optional (empty: not given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptTranslation {
    /// The question.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// How to answer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instructions: String,
    /// A poll's options, as many as the main ones ("" for one not translated).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// A scale's statements, as many as the main ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<String>,
    /// A scale's label of 1.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub min_label: String,
    /// A scale's label of N.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub max_label: String,
    /// A brainstorm's column names, as many as the main ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// A matrix's horizontal axis.
    #[serde(default, skip_serializing_if = "AxisTranslation::is_empty")]
    pub x: AxisTranslation,
    /// A matrix's vertical axis.
    #[serde(default, skip_serializing_if = "AxisTranslation::is_empty")]
    pub y: AxisTranslation,
}

/// A matrix axis's texts in one other language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AxisTranslation {
    /// What the axis measures.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// The word at position 1.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub low: String,
    /// The word at the top position.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub high: String,
}

impl AxisTranslation {
    /// Whether nothing is given.
    pub fn is_empty(&self) -> bool {
        self.label.is_empty() && self.low.is_empty() && self.high.is_empty()
    }
}

impl PromptTranslation {
    /// Whether nothing is given.
    pub fn is_empty(&self) -> bool {
        *self == PromptTranslation::default()
    }
}

/// A prompt's translations, by language.
pub type Translations = BTreeMap<Language, PromptTranslation>;

/// A group's name in other languages.
pub type NameTranslations = BTreeMap<Language, String>;

fn invalid(reason: &'static str) -> Rejection {
    Rejection::InvalidPrompt(reason)
}

/// One optional text: cleaned, "" when not given, refused when longer than `max`.
fn optional(raw: &str, max: usize, too_long: &'static str) -> Result<String, Rejection> {
    match clean_text(raw, max) {
        Ok(text) => Ok(text),
        Err(Rejection::TextEmpty) => Ok(String::new()),
        Err(_) => Err(invalid(too_long)),
    }
}

/// One optional list: empty when not given or all entries empty, else exactly `len` entries.
fn optional_list(
    raw: &[String],
    len: usize,
    max: usize,
    what: &'static str,
) -> Result<Vec<String>, Rejection> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    if raw.len() != len {
        return Err(invalid(what));
    }
    let list = raw
        .iter()
        .map(|t| optional(t, max, what))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if list.iter().all(String::is_empty) {
        Vec::new()
    } else {
        list
    })
}

/// Checks and cleans a prompt's translations against its (validated) activity: lengths as
/// the main fields', list lengths as the main lists'. Empty texts and empty languages are
/// dropped.
pub fn validate_translations(
    translations: &Translations,
    activity: &Activity,
) -> Result<Translations, Rejection> {
    let (options, statements, columns) = match activity {
        Activity::Poll(p) => (p.options.len(), 0, 0),
        Activity::Scale(s) => (0, s.statements.len(), 0),
        Activity::Brainstorm(b) => (0, 0, b.columns.len()),
        _ => (0, 0, 0),
    };
    let scale = matches!(activity, Activity::Scale(_));
    let matrix = matches!(activity, Activity::Matrix(_));
    let mut out = Translations::new();
    for (language, t) in translations {
        let axis = |a: &AxisTranslation| validate_axis(a, matrix);
        let end = |raw: &str| {
            if !scale && !raw.trim().is_empty() {
                return Err(invalid("only a scale has end labels to translate"));
            }
            optional(
                raw,
                SCALE_LABEL_MAX,
                "a translated scale label is longer than 60 characters",
            )
        };
        let cleaned = PromptTranslation {
            title: optional(
                &t.title,
                PROMPT_TITLE_MAX,
                "a translated question is longer than 500 characters",
            )?,
            instructions: optional(
                &t.instructions,
                PROMPT_INSTRUCTIONS_MAX,
                "translated instructions are longer than 2000 characters",
            )?,
            options: optional_list(
                &t.options,
                options,
                OPTION_MAX,
                "translated options must match the options, each at most 200 characters",
            )?,
            statements: optional_list(
                &t.statements,
                statements,
                OPTION_MAX,
                "translated statements must match the statements, each at most 200 characters",
            )?,
            min_label: end(&t.min_label)?,
            max_label: end(&t.max_label)?,
            columns: optional_list(
                &t.columns,
                columns,
                COLUMN_NAME_MAX,
                "translated columns must match the columns, each at most 60 characters",
            )?,
            x: axis(&t.x)?,
            y: axis(&t.y)?,
        };
        if !cleaned.is_empty() {
            out.insert(*language, cleaned);
        }
    }
    Ok(out)
}

/// A matrix axis's translated texts, cleaned; refused on a prompt that is not a matrix.
fn validate_axis(a: &AxisTranslation, matrix: bool) -> Result<AxisTranslation, Rejection> {
    if !matrix && !a.is_empty() {
        return Err(invalid("only a matrix has axes to translate"));
    }
    let end = |raw: &str| {
        optional(
            raw,
            AXIS_END_MAX,
            "a translated axis end is longer than 40 characters",
        )
    };
    Ok(AxisTranslation {
        label: optional(
            &a.label,
            AXIS_LABEL_MAX,
            "a translated axis label is longer than 60 characters",
        )?,
        low: end(&a.low)?,
        high: end(&a.high)?,
    })
}

/// Checks and cleans a group's translated names: each at most [`GROUP_NAME_MAX`], empty
/// ones dropped.
pub fn validate_names(names: &NameTranslations) -> Result<NameTranslations, Rejection> {
    let mut out = NameTranslations::new();
    for (language, name) in names {
        match clean_text(name, GROUP_NAME_MAX) {
            Ok(name) => {
                out.insert(*language, name);
            }
            Err(Rejection::TextEmpty) => {}
            Err(_) => {
                return Err(Rejection::InvalidGroup(
                    "a translated group name is at most 60 characters",
                ))
            }
        }
    }
    Ok(out)
}

impl super::PromptDraft {
    /// The languages this prompt has texts in besides the main one.
    pub fn languages(&self) -> impl Iterator<Item = Language> + '_ {
        self.translations.keys().copied()
    }

    /// The draft with each text in `language` where a variant gives it, else the main text
    /// (as a phone in that language shows it; the report in its heading language).
    pub fn in_language(&self, language: Language) -> super::PromptDraft {
        let mut out = self.clone();
        let Some(v) = self.translations.get(&language) else {
            return out;
        };
        let pick = |main: &mut String, given: &str| {
            if !given.is_empty() {
                *main = given.to_owned();
            }
        };
        let pick_all = |main: &mut Vec<String>, given: &[String]| {
            for (m, g) in main.iter_mut().zip(given) {
                pick(m, g);
            }
        };
        pick(&mut out.title, &v.title);
        pick(&mut out.instructions, &v.instructions);
        match &mut out.activity {
            Activity::Poll(p) => pick_all(&mut p.options, &v.options),
            Activity::Scale(s) => {
                pick_all(&mut s.statements, &v.statements);
                pick(&mut s.min_label, &v.min_label);
                pick(&mut s.max_label, &v.max_label);
            }
            Activity::Brainstorm(b) => pick_all(&mut b.columns, &v.columns),
            Activity::Matrix(m) => {
                for (axis, t) in [(&mut m.x, &v.x), (&mut m.y, &v.y)] {
                    pick(&mut axis.label, &t.label);
                    pick(&mut axis.low, &t.low);
                    pick(&mut axis.high, &t.high);
                }
            }
            Activity::WordCloud(_) | Activity::DotVote(_) | Activity::Questions(_) => {}
        }
        out
    }
}

/// The session's language settings: its main language and the projector's second one.
impl Session {
    /// A copy with every prompt's and group's texts in `language` where a variant gives them
    /// (for the report in its heading language); the main language's texts elsewhere.
    pub fn in_language(&self, language: Language) -> Session {
        let mut out = self.clone();
        if language == self.meta.language {
            return out;
        }
        for prompt in &mut out.prompts {
            prompt.draft = prompt.draft.in_language(language);
        }
        for group in &mut out.groups {
            if let Some(name) = group.translations.get(&language) {
                group.name = name.clone();
            }
        }
        out
    }

    /// The language the projector stacks under the main one, if any.
    pub fn screen_language(&self) -> Option<Language> {
        self.screen_language
    }

    /// [`Command::SetLanguages`](super::Command::SetLanguages): a new main language (the one
    /// the prompts' own texts are in) and projector stacking. A second language equal to the
    /// main one means none. An event only when something changes.
    pub(super) fn set_languages(
        &mut self,
        main: Language,
        screen: Option<Language>,
    ) -> Result<Vec<Event>, Rejection> {
        let screen = screen.filter(|s| *s != main);
        if self.meta.language == main && self.screen_language == screen {
            return Ok(Vec::new());
        }
        self.meta.language = main;
        self.screen_language = screen;
        Ok(vec![Event::LanguagesChanged { main, screen }])
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::session::testkit::*;
    use crate::session::{Command, PromptDraft};

    fn poll_draft(translations: serde_json::Value) -> PromptDraft {
        serde_json::from_value(json!({
            "kind": "poll", "options": ["Kyllä", "Ei"], "title": "Onko?",
            "translations": translations,
        }))
        .unwrap()
    }

    #[test]
    fn a_translation_is_cleaned_and_empty_texts_dropped() {
        let draft = poll_draft(json!({
            "sv": {"title": "  Är det? ", "instructions": "", "options": ["Ja", ""]},
            "en": {"title": " ", "options": ["", ""]},
        }));
        let cleaned = crate::session::validate_draft(&draft).unwrap();
        assert_eq!(cleaned.translations.len(), 1, "en had nothing: dropped");
        let sv = &cleaned.translations[&Language::Sv];
        assert_eq!(sv.title, "Är det?");
        assert_eq!(sv.options, vec!["Ja".to_owned(), String::new()]);
        assert_eq!(
            serde_json::to_value(&cleaned.translations).unwrap(),
            json!({"sv": {"title": "Är det?", "options": ["Ja", ""]}})
        );
    }

    #[test]
    fn a_list_of_another_length_or_a_long_text_is_refused() {
        for bad in [
            json!({"sv": {"options": ["Ja"]}}),
            json!({"sv": {"options": ["Ja", "Nej", "Kanske"]}}),
            json!({"sv": {"title": "x".repeat(PROMPT_TITLE_MAX + 1)}}),
            json!({"sv": {"options": ["Ja", "x".repeat(OPTION_MAX + 1)]}}),
            json!({"sv": {"columns": ["A", "B"]}}),
            json!({"sv": {"min_label": "inte alls"}}),
            json!({"sv": {"x": {"label": "Effekt"}}}),
        ] {
            let draft = poll_draft(bad.clone());
            assert!(
                matches!(
                    crate::session::validate_draft(&draft),
                    Err(Rejection::InvalidPrompt(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_rejected_translation_changes_nothing() {
        let mut s = session();
        let before = s.clone();
        let draft = poll_draft(json!({"sv": {"options": ["Ja"]}}));
        let result = s.apply(&Command::AddPrompt { draft }, 1);
        assert!(matches!(result, Err(Rejection::InvalidPrompt(_))));
        assert_eq!(s, before);
    }

    #[test]
    fn a_variant_in_the_main_language_is_dropped() {
        let mut s = session();
        assert_eq!(s.meta.language, Language::Fi);
        let draft = poll_draft(json!({"fi": {"title": "Onko?"}, "sv": {"title": "Är det?"}}));
        s.apply(&Command::AddPrompt { draft }, 1).unwrap();
        let kept = &s.prompts()[0].draft.translations;
        assert_eq!(kept.keys().copied().collect::<Vec<_>>(), vec![Language::Sv]);
    }

    #[test]
    fn a_matrix_and_a_scale_translate_their_own_labels() {
        let scale: PromptDraft = serde_json::from_value(json!({
            "kind": "scale", "statements": ["Hyvä", "Selkeä"], "max": 5, "title": "Arvioi",
            "translations": {"sv": {"statements": ["Bra", "Tydlig"], "min_label": "inte alls"}},
        }))
        .unwrap();
        let cleaned = crate::session::validate_draft(&scale).unwrap();
        assert_eq!(cleaned.translations[&Language::Sv].min_label, "inte alls");
        let matrix: PromptDraft = serde_json::from_value(json!({
            "kind": "matrix", "source": "p1", "title": "Sijoita",
            "x": {"label": "Vaikutus"}, "y": {"label": "Vaiva"},
            "translations": {"sv": {"x": {"label": "Effekt", "low": "liten"}}},
        }))
        .unwrap();
        let cleaned = crate::session::validate_draft(&matrix).unwrap();
        assert_eq!(cleaned.translations[&Language::Sv].x.low, "liten");
        assert!(cleaned.translations[&Language::Sv].y.is_empty());
    }

    #[test]
    fn a_draft_in_another_language_falls_back_field_by_field() {
        let draft = crate::session::validate_draft(&poll_draft(
            json!({"sv": {"title": "Är det?", "options": ["", "Nej"]}}),
        ))
        .unwrap();
        let sv = draft.in_language(Language::Sv);
        assert_eq!(sv.title, "Är det?");
        let Activity::Poll(poll) = &sv.activity else {
            panic!("a poll")
        };
        assert_eq!(poll.options, vec!["Kyllä".to_owned(), "Nej".to_owned()]);
        assert_eq!(draft.in_language(Language::En), draft);
    }

    #[test]
    fn group_names_are_cleaned_and_checked() {
        let names = NameTranslations::from([
            (Language::Sv, " Digital ".to_owned()),
            (Language::En, String::new()),
        ]);
        assert_eq!(
            validate_names(&names).unwrap(),
            NameTranslations::from([(Language::Sv, "Digital".to_owned())])
        );
        let long = NameTranslations::from([(Language::Sv, "x".repeat(GROUP_NAME_MAX + 1))]);
        assert!(matches!(
            validate_names(&long),
            Err(Rejection::InvalidGroup(_))
        ));
    }

    #[test]
    fn set_languages_changes_the_main_and_the_screen_language_once() {
        let mut s = session();
        let set = |main, screen| Command::SetLanguages { main, screen };
        let applied = s.apply(&set(Language::Fi, Some(Language::Sv)), 1).unwrap();
        assert_eq!(
            applied.events[0].event,
            Event::LanguagesChanged {
                main: Language::Fi,
                screen: Some(Language::Sv)
            }
        );
        assert_eq!(s.screen_language(), Some(Language::Sv));
        assert!(s
            .apply(&set(Language::Fi, Some(Language::Sv)), 2)
            .unwrap()
            .events
            .is_empty());
        // The main language as the second one means none.
        s.apply(&set(Language::Sv, Some(Language::Sv)), 3).unwrap();
        assert_eq!(s.meta.language, Language::Sv);
        assert_eq!(s.screen_language(), None);
    }
}
