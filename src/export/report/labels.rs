//! The report's phrases in Finnish, Swedish and English, and how each language writes its
//! numbers and dates.

use crate::session::Language;

use crate::export::words::{self, Words};

/// The phrases of the report in one language; the words every export shares are in
/// [`Words`].
#[derive(Debug)]
pub struct Labels {
    /// The words every export shares: activities, states, the results tables' headings.
    pub words: &'static Words,
    /// The `lang` attribute.
    pub code: &'static str,
    /// "Report".
    pub report: &'static str,
    /// The table of contents.
    pub contents: &'static str,
    /// How many prompts the report covers.
    pub prompts: &'static str,
    /// `{tz}`: the time zone of the times shown.
    pub times_in: &'static str,
    /// Said when hidden answers are in.
    pub hidden_included: &'static str,
    /// Said first when the session is a rehearsal.
    pub rehearsal: &'static str,
    /// `{t}`: when the prompt was opened.
    pub opened: &'static str,
    /// `{t}`: when the prompt was closed.
    pub closed: &'static str,
    /// Before the facilitator's instructions.
    pub instructions: &'static str,
    /// A prompt nobody answered.
    pub no_answers: &'static str,
    /// A prompt that was never opened.
    pub not_opened: &'static str,
    /// `{n}`: items shown.
    pub answers_n: &'static str,
    /// `{n}`: participants who answered.
    pub answered_n: &'static str,
    /// `{n}`: participants who placed dots.
    pub voters_n: &'static str,
    /// Items sent before columns applied (none chosen).
    pub no_column: &'static str,
    /// Items of participants in no group.
    pub no_group: &'static str,
    /// The mark of a hidden item.
    pub hidden: &'static str,
    /// The mark of an item waiting for approval.
    pub pending: &'static str,
    /// The mark of a starred item.
    pub starred: &'static str,
    /// One like, `{n}` likes.
    pub likes: [&'static str; 2],
    /// One dot, `{n}` dots.
    pub dots: [&'static str; 2],
    /// `{n}` items merged into this one: one, many.
    pub similar: [&'static str; 2],
    /// Before the list of items merged into one.
    pub merged_here: &'static str,
    /// Under a multiple-choice poll.
    pub multiple_note: &'static str,
    /// The mean's short label on the chart.
    pub mean_short: &'static str,
    /// Table header: how many rated a statement (the workbook's "n"; English says "answers"
    /// as the web client does, not the workbook's "respondents" of a whole prompt).
    pub raters: &'static str,
    /// `{n}`: the place of the prompt whose items were voted on.
    pub ballot_from: &'static str,
    /// Before a word cloud's hidden answers.
    pub hidden_answers: &'static str,
    /// Month names, for English dates (Finnish and Swedish write 23.11.2026).
    pub months: Option<[&'static str; 12]>,
    /// Numbers as Finnish and Swedish write them, `3,5` and `50 %`, rather than `3.5`, `50%`.
    pub comma: bool,
}

/// Finnish.
pub static FI: Labels = Labels {
    words: &words::FI,
    code: "fi",
    report: "Raportti",
    contents: "Sisältö",
    prompts: "Kysymyksiä",
    times_in: "Kellonajat aikavyöhykkeellä {tz}.",
    hidden_included: "Piilotetut vastaukset ovat mukana, ja ne on merkitty.",
    rehearsal: "HARJOITUS: tämä tilaisuus on harjoitus, ei varsinainen seminaari.",
    opened: "avattu {t}",
    closed: "suljettu {t}",
    instructions: "Ohjeet",
    no_answers: "Ei vastauksia.",
    not_opened: "Kysymystä ei avattu, joten vastauksia ei ole.",
    answers_n: "Vastauksia: {n}",
    answered_n: "Vastanneita: {n}",
    voters_n: "Äänestäneitä: {n}",
    no_column: "Ei saraketta",
    no_group: "Ei ryhmää",
    hidden: "piilotettu",
    pending: "odottaa hyväksyntää",
    starred: "nostettu esiin",
    likes: ["1 tykkäys", "{n} tykkäystä"],
    dots: ["1 piste", "{n} pistettä"],
    similar: ["+1 samankaltainen", "+{n} samankaltaista"],
    merged_here: "Tähän yhdistetyt",
    multiple_note:
        "Monivalinta: osuudet on laskettu vastanneista, joten niiden summa voi olla yli 100\u{a0}%.",
    mean_short: "ka.",
    raters: "Vastaajia",
    ballot_from: "Äänestys kysymyksen {n} vastauksista.",
    hidden_answers: "Piilotetut vastaukset",
    months: None,
    comma: true,
};

/// Swedish (as written in Finland).
pub static SV: Labels = Labels {
    words: &words::SV,
    code: "sv",
    report: "Rapport",
    contents: "Innehåll",
    prompts: "Frågor",
    times_in: "Klockslagen anges i tidszonen {tz}.",
    hidden_included: "Dolda svar är med och markerade.",
    rehearsal: "ÖVNING: detta tillfälle är en övning, inte själva seminariet.",
    opened: "öppnad {t}",
    closed: "stängd {t}",
    instructions: "Instruktioner",
    no_answers: "Inga svar.",
    not_opened: "Frågan öppnades inte, så det finns inga svar.",
    answers_n: "Svar: {n}",
    answered_n: "Svarande: {n}",
    voters_n: "Röstande: {n}",
    no_column: "Ingen kolumn",
    no_group: "Ingen grupp",
    hidden: "dold",
    pending: "väntar på godkännande",
    starred: "framlyft",
    likes: ["1 gillning", "{n} gillningar"],
    dots: ["1 poäng", "{n} poäng"],
    similar: ["+1 liknande", "+{n} liknande"],
    merged_here: "Sammanslagna hit",
    multiple_note:
        "Flerval: andelarna är räknade av dem som svarade, så summan kan överstiga 100\u{a0}%.",
    mean_short: "medelv.",
    raters: "Svarande",
    ballot_from: "Röstning om svaren på fråga {n}.",
    hidden_answers: "Dolda svar",
    months: None,
    comma: true,
};

/// English.
pub static EN: Labels = Labels {
    words: &words::EN,
    code: "en",
    report: "Report",
    contents: "Contents",
    prompts: "Questions",
    times_in: "Times are in the {tz} time zone.",
    hidden_included: "Hidden answers are included and marked.",
    rehearsal: "REHEARSAL: this session is a rehearsal, not the seminar itself.",
    opened: "opened {t}",
    closed: "closed {t}",
    instructions: "Instructions",
    no_answers: "No answers.",
    not_opened: "Not opened, so there are no answers.",
    answers_n: "Answers: {n}",
    answered_n: "Answered: {n}",
    voters_n: "Voters: {n}",
    no_column: "No column",
    no_group: "No group",
    hidden: "hidden",
    pending: "awaiting approval",
    starred: "starred",
    likes: ["1 like", "{n} likes"],
    dots: ["1 dot", "{n} dots"],
    similar: ["+1 similar", "+{n} similar"],
    merged_here: "Merged into this",
    multiple_note:
        "Multiple choice: shares are of those who answered, so they may add up to more than 100%.",
    mean_short: "mean",
    raters: "Answers",
    ballot_from: "Voting on the answers to prompt {n}.",
    hidden_answers: "Hidden answers",
    months: Some([
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]),
    comma: false,
};

/// The labels of `language`.
pub fn labels(language: Language) -> &'static Labels {
    match language {
        Language::Fi => &FI,
        Language::Sv => &SV,
        Language::En => &EN,
    }
}

impl Labels {
    /// `template` with `{n}` replaced.
    pub fn n(&self, template: &str, n: impl std::fmt::Display) -> String {
        template.replace("{n}", &n.to_string())
    }

    /// The singular or plural form of a counted label.
    pub fn plural(&self, forms: [&str; 2], n: impl Into<u64>) -> String {
        let n = n.into();
        if n == 1 {
            forms[0].to_owned()
        } else {
            self.n(forms[1], n)
        }
    }

    /// A decimal number with one decimal, with a decimal comma in Finnish and Swedish.
    pub fn decimal(&self, x: f64) -> String {
        let s = format!("{x:.1}");
        if self.comma {
            s.replace('.', ",")
        } else {
            s
        }
    }

    /// A whole percentage as the language writes it: `50 %` (with a no-break space), `50%`.
    pub fn percent(&self, p: u32) -> String {
        if self.comma {
            format!("{p}\u{a0}%")
        } else {
            format!("{p}%")
        }
    }

    /// A civil date as the language writes it: `23.11.2026`, `23 November 2026`.
    pub fn date(&self, date: jiff::civil::Date) -> String {
        match &self.months {
            Some(months) => {
                let month = months[usize::try_from(date.month() - 1).unwrap_or(0)];
                format!("{} {month} {}", date.day(), date.year())
            }
            None => format!("{}.{}.{}", date.day(), date.month(), date.year()),
        }
    }
}

/// `count` of `total` as a whole percentage (0 when nobody answered).
pub fn percent_of(count: usize, total: usize) -> u32 {
    if total == 0 {
        return 0;
    }
    let p = (count as f64 * 100.0 / total as f64).round();
    p as u32
}
