//! The words every export shares, in Finnish, Swedish and English: the activity and state
//! names, the facts about a session, and the headings of the results tables.
//!
//! The workbook and CSV ([`super::tables::Labels`]) and the report ([`super::report::Labels`])
//! each keep only the phrases of their own and refer here for the rest, so a poll's "Ääniä" or
//! a dot vote's "Sija" reads the same in every file and is translated once. The wording is the
//! web client's (web/i18n/*.json) where it has one.

use crate::session::{Activity, Language, PromptState};

/// Words and table headings the exports share, in one language.
#[derive(Debug)]
pub struct Words {
    /// The day the session was held.
    pub date: &'static str,
    /// How many took part.
    pub participants: &'static str,
    /// The activity names: brainstorm, poll, scale, word cloud, dot vote, matrix, questions.
    pub kinds: [&'static str; 7],
    /// The prompt states: draft, open, closed.
    pub states: [&'static str; 3],
    /// A poll option.
    pub option: &'static str,
    /// Votes for a poll option.
    pub votes: &'static str,
    /// An option's share of those who answered (the workbook adds the unit, `%`).
    pub share: &'static str,
    /// A scale statement.
    pub statement: &'static str,
    /// A statement's mean rating.
    pub mean: &'static str,
    /// A word-cloud word.
    pub word: &'static str,
    /// How often a word was given.
    pub count: &'static str,
    /// An item's place in a dot-vote ranking.
    pub rank: &'static str,
    /// The ranked item.
    pub item: &'static str,
    /// Dots an item received.
    pub dots: &'static str,
    /// A brainstorm theme the facilitator put an item in.
    pub theme: &'static str,
    /// A brainstorm's themes, as a heading.
    pub themes: &'static str,
    /// Where items in no theme are listed beside the themes.
    pub other_theme: &'static str,
    /// The facilitator's notes on a prompt.
    pub notes: &'static str,
}

/// Finnish.
pub static FI: Words = Words {
    date: "Päivämäärä",
    participants: "Osallistujia",
    kinds: [
        "Ideointi",
        "Kysely",
        "Asteikko",
        "Sanapilvi",
        "Pisteäänestys",
        "Nelikenttä",
        "Kysymykset puhujalle",
    ],
    states: ["Luonnos", "Auki", "Suljettu"],
    option: "Vaihtoehto",
    votes: "Ääniä",
    share: "Osuus",
    statement: "Väittämä",
    mean: "Keskiarvo",
    word: "Sana",
    count: "Määrä",
    rank: "Sija",
    item: "Vastaus",
    dots: "Pisteitä",
    theme: "Teema",
    themes: "Teemat",
    other_theme: "Muut",
    notes: "Muistiinpanot",
};

/// Swedish (as written in Finland).
pub static SV: Words = Words {
    date: "Datum",
    participants: "Deltagare",
    kinds: [
        "Idéstorm",
        "Enkät",
        "Skala",
        "Ordmoln",
        "Poängröstning",
        "Fyrfältsmatris",
        "Frågor till talaren",
    ],
    states: ["Utkast", "Öppen", "Stängd"],
    option: "Alternativ",
    votes: "Röster",
    share: "Andel",
    statement: "Påstående",
    mean: "Medelvärde",
    word: "Ord",
    count: "Antal",
    rank: "Placering",
    item: "Svar",
    dots: "Poäng",
    theme: "Tema",
    themes: "Teman",
    other_theme: "Övriga",
    notes: "Anteckningar",
};

/// English.
pub static EN: Words = Words {
    date: "Date",
    participants: "Participants",
    kinds: [
        "Brainstorm",
        "Poll",
        "Scale",
        "Word cloud",
        "Dot vote",
        "2×2 matrix",
        "Questions to the speaker",
    ],
    states: ["Draft", "Open", "Closed"],
    option: "Option",
    votes: "Votes",
    share: "Share",
    statement: "Statement",
    mean: "Mean",
    word: "Word",
    count: "Count",
    rank: "Rank",
    item: "Answer",
    dots: "Dots",
    theme: "Theme",
    themes: "Themes",
    other_theme: "Other",
    notes: "Notes",
};

/// The shared words in `language`.
pub fn words(language: Language) -> &'static Words {
    match language {
        Language::Fi => &FI,
        Language::Sv => &SV,
        Language::En => &EN,
    }
}

impl Words {
    /// The name of a prompt's activity.
    pub fn kind_name(&self, activity: &Activity) -> &'static str {
        super::activity::kind_name(self, activity)
    }

    /// The name of a prompt's state.
    pub fn state_name(&self, state: PromptState) -> &'static str {
        self.states[match state {
            PromptState::Draft => 0,
            PromptState::Open => 1,
            PromptState::Closed => 2,
        }]
    }
}
