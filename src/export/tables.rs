//! What the workbook and the per-prompt CSV share: their headings in Finnish, Swedish and
//! English, the cells of a results table and of an item row, and who took part.
//!
//! Both formats build their results from [`results_table`] (each kind's table is its own, in
//! [`super::activity`]), so a number in a sheet and the same number in a CSV cannot disagree,
//! and a heading is translated once. The words the report
//! uses too (activities, states, the results tables' headings) are in [`super::words`].

use std::collections::BTreeSet;

use crate::session::{GroupId, Item, Language, ParticipantId, Prompt, Session};

use super::words::{self, Words};
use super::View;

/// Re-exported so the workbook and the CSV find every table helper here.
pub use super::activity::themes::theme_name;
pub use super::activity::{column_name, results_table};

/// Headings and words of the workbook and the CSV in one language.
#[derive(Debug)]
pub struct Labels {
    /// The words every export shares.
    pub words: &'static Words,
    /// The summary sheet's name (≤ 31 characters, no `[]:*?/\`).
    pub summary: &'static str,
    /// "Title" of the session.
    pub title: &'static str,
    /// The session's short name (the slug in its address).
    pub slug: &'static str,
    /// When the file was made.
    pub exported: &'static str,
    /// The time zone times are shown in.
    pub time_zone: &'static str,
    /// Whether hidden items are in the file.
    pub hidden_included: &'static str,
    /// The prompts table's heading.
    pub prompts: &'static str,
    /// A prompt's place in the agenda (1, 2, …).
    pub place: &'static str,
    /// A prompt's title: the question.
    pub question: &'static str,
    /// The activity of a prompt.
    pub kind: &'static str,
    /// Draft, open or closed.
    pub state: &'static str,
    /// When a prompt was opened.
    pub opened: &'static str,
    /// When a prompt was closed.
    pub closed: &'static str,
    /// How many items a prompt got.
    pub items: &'static str,
    /// How many people answered a prompt.
    pub respondents: &'static str,
    /// An item's text.
    pub text: &'static str,
    /// A brainstorm column.
    pub column: &'static str,
    /// A group.
    pub group: &'static str,
    /// Likes on the wall.
    pub likes: &'static str,
    /// Hidden by the facilitator.
    pub hidden: &'static str,
    /// Starred for the projector.
    pub starred: &'static str,
    /// Merged as a duplicate into another item.
    pub merged_into: &'static str,
    /// Texts before the facilitator's edits.
    pub history: &'static str,
    /// The sender's pseudonym.
    pub participant: &'static str,
    /// When an item arrived.
    pub time: &'static str,
    /// Yes.
    pub yes: &'static str,
    /// No.
    pub no: &'static str,
    /// Heading above a prompt's answers.
    pub answers: &'static str,
    /// Said of a prompt that was never opened.
    pub not_opened: &'static str,
}

/// Finnish, as the web client's own words (web/i18n/fi.json) where it has them.
static FI: Labels = Labels {
    words: &words::FI,
    summary: "Yhteenveto",
    title: "Otsikko",
    slug: "Lyhyt nimi",
    exported: "Tiedosto luotu",
    time_zone: "Aikavyöhyke",
    hidden_included: "Piilotetut vastaukset mukana",
    prompts: "Kysymykset",
    place: "Nro",
    question: "Kysymys",
    kind: "Tehtävä",
    state: "Tila",
    opened: "Avattu",
    closed: "Suljettu",
    items: "Vastauksia",
    respondents: "Vastaajia",
    text: "Teksti",
    column: "Sarake",
    group: "Ryhmä",
    likes: "Tykkäykset",
    hidden: "Piilotettu",
    starred: "Nostettu esiin",
    merged_into: "Yhdistetty vastaukseen",
    history: "Aiemmat versiot",
    participant: "Osallistuja",
    time: "Aika",
    yes: "kyllä",
    no: "ei",
    answers: "Vastaukset",
    not_opened: "Kysymystä ei ole avattu.",
};

/// Swedish, as the web client's own words (web/i18n/sv.json) where it has them.
static SV: Labels = Labels {
    words: &words::SV,
    summary: "Sammanfattning",
    title: "Rubrik",
    slug: "Kortnamn",
    exported: "Filen skapad",
    time_zone: "Tidszon",
    hidden_included: "Dolda svar med",
    prompts: "Frågor",
    place: "Nr",
    question: "Fråga",
    kind: "Uppgift",
    state: "Status",
    opened: "Öppnad",
    closed: "Stängd",
    items: "Svar",
    respondents: "Svarande",
    text: "Text",
    column: "Kolumn",
    group: "Grupp",
    likes: "Gillningar",
    hidden: "Dold",
    starred: "Framlyft",
    merged_into: "Sammanslagen med",
    history: "Tidigare versioner",
    participant: "Deltagare",
    time: "Tid",
    yes: "ja",
    no: "nej",
    answers: "Svar",
    not_opened: "Frågan har inte öppnats.",
};

/// English.
static EN: Labels = Labels {
    words: &words::EN,
    summary: "Summary",
    title: "Title",
    slug: "Short name",
    exported: "Exported",
    time_zone: "Time zone",
    hidden_included: "Hidden answers included",
    prompts: "Questions",
    place: "No.",
    question: "Question",
    kind: "Activity",
    state: "State",
    opened: "Opened",
    closed: "Closed",
    items: "Answers",
    respondents: "Respondents",
    text: "Text",
    column: "Column",
    group: "Group",
    likes: "Likes",
    hidden: "Hidden",
    starred: "Starred",
    merged_into: "Merged into",
    history: "Earlier versions",
    participant: "Participant",
    time: "Time",
    yes: "yes",
    no: "no",
    answers: "Answers",
    not_opened: "This question has not been opened.",
};

/// The headings in `language`.
pub fn labels(language: Language) -> &'static Labels {
    match language {
        Language::Fi => &FI,
        Language::Sv => &SV,
        Language::En => &EN,
    }
}

impl Labels {
    /// `yes` or `no`.
    pub fn yes_no(&self, value: bool) -> &'static str {
        if value {
            self.yes
        } else {
            self.no
        }
    }

    /// The headings of the workbook's items table, in its column order: the three ways an
    /// item is sorted (column, group, theme) side by side.
    pub fn item_headings(&self) -> [&'static str; 12] {
        [
            self.text,
            self.column,
            self.group,
            self.words.theme,
            self.likes,
            self.words.dots,
            self.hidden,
            self.starred,
            self.merged_into,
            self.history,
            self.participant,
            self.time,
        ]
    }
}

/// A prompt's 1-based place in the session's agenda (as the facilitator counts, and as
/// `?prompts=3` selects it).
pub fn place(session: &Session, prompt: &Prompt) -> usize {
    session
        .prompts()
        .iter()
        .position(|p| p.id == prompt.id)
        .map_or(0, |at| at + 1)
}

/// The name of the group an item was sent from, if any (and the group still exists).
pub fn group_name<'a>(session: &'a Session, group: Option<&GroupId>) -> Option<&'a str> {
    group
        .and_then(|g| session.groups().iter().find(|x| &x.id == g))
        .map(|g| g.name.as_str())
}

/// An item's texts before the facilitator's edits, oldest first, joined by arrows.
pub fn history(item: &Item) -> String {
    item.history
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join(" → ")
}

/// One cell of a results table.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text: an option, a statement, a word, an item.
    Text(String),
    /// A whole number: votes, dots, places.
    Count(u64),
    /// A mean rating; `None` when nobody rated.
    Mean(Option<f64>),
    /// A share of the voters, 0.0–1.0 (an option of a multiple-choice poll may be chosen by
    /// everyone, so the shares of a poll may add up to more than 1).
    Share(f64),
}

/// A prompt's results as rows under headings.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The column headings, in the export's language.
    pub headers: Vec<String>,
    /// The rows, as many cells each as there are headings.
    pub rows: Vec<Vec<Value>>,
}

/// A count as a cell.
pub(crate) fn count(n: usize) -> Value {
    Value::Count(u64::try_from(n).unwrap_or(u64::MAX))
}

/// Who took part in `prompt`: sent an item (hidden or not: they took part), liked one on the
/// wall, voted, rated or placed a dot. The report and the workbook count the same people.
pub fn respondents(session: &Session, prompt: &Prompt) -> BTreeSet<ParticipantId> {
    let mut who: BTreeSet<ParticipantId> = BTreeSet::new();
    for item in session.items_for(&prompt.id) {
        who.insert(item.participant);
        who.extend(item.likes.iter().copied());
    }
    super::activity::respondents(session, prompt, &mut who);
    who
}

/// Everyone who answered any of the export's prompts.
pub fn participants(view: &View<'_>) -> BTreeSet<ParticipantId> {
    view.prompts
        .iter()
        .flat_map(|p| respondents(view.session, p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixture;
    use crate::export::{Format, Options};

    fn view_of<'a>(session: &'a Session, options: &Options) -> View<'a> {
        View::new(session, Format::Xlsx, options).unwrap()
    }

    #[test]
    fn respondents_and_participants_count_people_not_answers() {
        let w = fixture::workshop();
        let view = view_of(&w.session, &Options::default());
        let counts: Vec<usize> = view
            .prompts
            .iter()
            .map(|p| respondents(&w.session, p).len())
            .collect();
        assert_eq!(counts, [3, 3, 2, 3, 2]);
        assert_eq!(participants(&view).len(), 3);
        assert_eq!(place(&w.session, view.prompts[3]), 4);
    }

    #[test]
    fn every_language_has_distinct_item_headings() {
        for language in [Language::Fi, Language::Sv, Language::En] {
            let l = labels(language);
            let headings = l.item_headings();
            let distinct: BTreeSet<_> = headings.iter().collect();
            assert_eq!(distinct.len(), headings.len(), "{language:?}");
            assert!(l.summary.chars().count() <= 31);
        }
        assert_eq!(labels(Language::Fi).words.kinds[4], "Pisteäänestys");
        assert_eq!(labels(Language::Sv).hidden, "Dold");
    }
}
