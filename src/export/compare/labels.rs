//! The comparison report's phrases in Finnish, Swedish and English. Numbers and dates are
//! written as the single-session report writes them ([`crate::export::report::Labels`]).

use crate::export::report::{self, Labels};
use crate::session::Language;

/// The phrases of the comparison in one language.
#[derive(Debug)]
pub struct CompareLabels {
    /// The single-session report's labels: shared words, numbers and dates.
    pub report: &'static Labels,
    /// "Comparison report", above the title.
    pub kicker: &'static str,
    /// The title when none is given.
    pub default_title: &'static str,
    /// A session's title, as a table heading.
    pub title: &'static str,
    /// The sessions compared.
    pub sessions: &'static str,
    /// One session (a table's first column).
    pub session: &'static str,
    /// How many items (answers) a session or prompt has.
    pub items: &'static str,
    /// The heading of the prompts the sessions share.
    pub shared: &'static str,
    /// A question (prompt) as a table heading.
    pub prompt: &'static str,
    /// The themes of a prompt.
    pub themes: &'static str,
    /// One theme.
    pub theme: &'static str,
    /// The items or themes a dot vote on the prompt ranked highest.
    pub top_voted: &'static str,
    /// The facilitator's notes.
    pub notes: &'static str,
    /// A session that did not have this prompt.
    pub not_in: &'static str,
    /// The recurring items' heading.
    pub recurring: &'static str,
    /// Under the recurring heading: what it lists.
    pub recurring_intro: &'static str,
    /// When nothing recurred.
    pub none_recurring: &'static str,
    /// "Answer" or "theme" in the recurring table.
    pub kinds: [&'static str; 2],
    /// The kind column of the recurring table.
    pub kind: &'static str,
    /// In how many sessions an item or theme came up.
    pub in_sessions: &'static str,
    /// The sum over sessions.
    pub total: &'static str,
    /// The summary sheet's name.
    pub summary: &'static str,
    /// The all-items sheet's name.
    pub all_items: &'static str,
    /// When no prompt is shared.
    pub none_shared: &'static str,
}

/// Finnish.
pub static FI: CompareLabels = CompareLabels {
    report: &report::FI,
    kicker: "Vertailuraportti",
    default_title: "Tilaisuuksien vertailu",
    title: "Otsikko",
    sessions: "Tilaisuudet",
    session: "Tilaisuus",
    items: "Vastauksia",
    shared: "Yhteiset kysymykset",
    prompt: "Kysymys",
    themes: "Teemat",
    theme: "Teema",
    top_voted: "Eniten pisteitä",
    notes: "Muistiinpanot",
    not_in: "ei tässä tilaisuudessa",
    recurring: "Toistuvat vastaukset ja teemat",
    recurring_intro: "Vastaukset ja teemat, jotka tulivat esiin vähintään kahdessa tilaisuudessa, \
                      laajimmin esiintyneet ensin.",
    none_recurring: "Mikään vastaus tai teema ei toistunut.",
    kinds: ["Vastaus", "Teema"],
    kind: "Laji",
    in_sessions: "Tilaisuuksia",
    total: "Yhteensä",
    summary: "Yhteenveto",
    all_items: "Kaikki vastaukset",
    none_shared: "Tilaisuuksilla ei ole yhteisiä kysymyksiä.",
};

/// Swedish (as written in Finland).
pub static SV: CompareLabels = CompareLabels {
    report: &report::SV,
    kicker: "Jämförelserapport",
    default_title: "Jämförelse av tillfällena",
    title: "Rubrik",
    sessions: "Tillfällen",
    session: "Tillfälle",
    items: "Svar",
    shared: "Gemensamma frågor",
    prompt: "Fråga",
    themes: "Teman",
    theme: "Tema",
    top_voted: "Flest poäng",
    notes: "Anteckningar",
    not_in: "inte vid detta tillfälle",
    recurring: "Återkommande svar och teman",
    recurring_intro: "Svar och teman som kom upp vid minst två tillfällen, de mest spridda först.",
    none_recurring: "Inget svar eller tema återkom.",
    kinds: ["Svar", "Tema"],
    kind: "Typ",
    in_sessions: "Tillfällen",
    total: "Totalt",
    summary: "Sammanfattning",
    all_items: "Alla svar",
    none_shared: "Tillfällena har inga gemensamma frågor.",
};

/// English.
pub static EN: CompareLabels = CompareLabels {
    report: &report::EN,
    kicker: "Comparison report",
    default_title: "Comparison of the sessions",
    title: "Title",
    sessions: "Sessions",
    session: "Session",
    items: "Answers",
    shared: "Shared prompts",
    prompt: "Prompt",
    themes: "Themes",
    theme: "Theme",
    top_voted: "Most dots",
    notes: "Notes",
    not_in: "not in this session",
    recurring: "Recurring answers and themes",
    recurring_intro:
        "Answers and themes raised in at least two sessions, the most widespread first.",
    none_recurring: "No answer or theme recurred.",
    kinds: ["Answer", "Theme"],
    kind: "Kind",
    in_sessions: "Sessions",
    total: "Total",
    summary: "Summary",
    all_items: "All answers",
    none_shared: "The sessions share no prompt.",
};

/// The phrases in `language`.
pub fn labels(language: Language) -> &'static CompareLabels {
    match language {
        Language::Fi => &FI,
        Language::Sv => &SV,
        Language::En => &EN,
    }
}
