//! The report: every chosen prompt's results as a document people read, as one self-contained
//! HTML page (inline style and SVG charts, prints to PDF) or as Markdown.
//!
//! Both come from one [`Report`] built here from the [`View`]: what is shown, in which order,
//! grouped how, with which numbers and in which language is decided once, so the HTML and the
//! Markdown cannot disagree. The renderers in [`html`](mod@html) and [`md`](mod@md) only lay
//! out the page and escape every text (participants' items and facilitators' wording alike
//! are untrusted); each kind's section is laid out by its module in [`super::activity`], and
//! the facilitator's notes under it by [`notes`].

pub mod html;
mod labels;
pub mod md;
pub mod notes;

use crate::session::{Millis, Prompt, PromptState};

use super::{tables, View};

// The parts of the model that belong to one kind live in its module; here under their old
// names, so the report's model reads as one.
pub use super::activity::brainstorm::{Column, Entry, GroupItems, Mark, MarkKind};
pub use super::activity::poll::Bar;
pub use super::activity::scale::Rated;
pub use super::activity::Body;
pub use labels::{labels, percent_of, Labels, EN, FI, SV};

/// The report as a self-contained HTML page.
pub fn html(view: &View<'_>) -> Vec<u8> {
    html::render(&Report::new(view)).into_bytes()
}

/// The report as Markdown.
pub fn md(view: &View<'_>) -> Vec<u8> {
    md::render(&Report::new(view)).into_bytes()
}

/// Everything the report shows, decided once for both renderers: what is shown, in which
/// order, and every number as the language writes it. The renderers only lay it out.
#[derive(Debug)]
pub struct Report<'a> {
    /// Headings and labels.
    pub labels: &'static Labels,
    /// The session's title.
    pub title: &'a str,
    /// The cover's facts, label and value: the day of the session (its first opened prompt,
    /// else its creation, in the time zone), everyone who sent, voted, rated, placed a dot or
    /// liked anything, and how many prompts the report covers.
    pub facts: [(&'static str, String); 3],
    /// Under the facts: the time zone of the times, and whether hidden answers are in.
    pub note: String,
    /// The chosen prompts, in agenda order.
    pub sections: Vec<Section<'a>>,
}

/// One prompt.
#[derive(Debug)]
pub struct Section<'a> {
    /// Its 1-based place in the whole agenda, as the facilitator counted.
    pub place: usize,
    /// An id for links (the prompt id: ASCII letters and digits).
    pub anchor: String,
    /// The question.
    pub title: &'a str,
    /// Its kind, in the report's language.
    pub kind: &'static str,
    /// The facilitator's instructions (may be empty).
    pub instructions: &'a str,
    /// Draft, open, closed, and when it was opened and closed.
    pub status: String,
    /// The results.
    pub body: Body<'a>,
    /// The facilitator's notes on it (the debrief's conclusions), after the results.
    pub notes: Option<&'a str>,
}

impl<'a> Report<'a> {
    /// Decides what the report shows.
    pub fn new(view: &View<'a>) -> Report<'a> {
        let session = view.session;
        let labels = labels(view.language);
        let day = view.local(view.held_at()).date();
        let sections: Vec<Section<'a>> = view
            .prompts
            .iter()
            .map(|prompt| section(view, labels, day, prompt))
            .collect();
        let mut note = labels.times_in.replace("{tz}", view.zone_name());
        if session.rehearsal().on {
            note = format!("{} {note}", labels.rehearsal);
        }
        if view.hidden {
            note.push(' ');
            note.push_str(labels.hidden_included);
        }
        Report {
            labels,
            title: &session.meta.title,
            facts: [
                (labels.words.date, labels.date(day)),
                (
                    labels.words.participants,
                    tables::participants(view).len().to_string(),
                ),
                (labels.prompts, sections.len().to_string()),
            ],
            note,
            sections,
        }
    }
}

fn section<'a>(
    view: &View<'a>,
    labels: &'static Labels,
    day: jiff::civil::Date,
    prompt: &'a Prompt,
) -> Section<'a> {
    let time = |ms: Millis| {
        let local = view.local(ms);
        if local.date() == day {
            local.strftime("%H:%M").to_string()
        } else {
            view.local_text(ms)
        }
    };
    let mut status = vec![labels.words.state_name(prompt.state).to_owned()];
    if let (Some(at), true) = (prompt.opened_at, prompt.state != PromptState::Draft) {
        status.push(labels.opened.replace("{t}", &time(at)));
    }
    if let (Some(at), PromptState::Closed) = (prompt.closed_at, prompt.state) {
        status.push(labels.closed.replace("{t}", &time(at)));
    }
    Section {
        place: tables::place(view.session, prompt),
        anchor: prompt
            .id
            .0
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect(),
        title: &prompt.draft.title,
        kind: labels.words.kind_name(&prompt.draft.activity),
        instructions: &prompt.draft.instructions,
        status: status.join(" · "),
        body: super::activity::body(view, labels, prompt),
        notes: view
            .session
            .notes(&prompt.id)
            .filter(|n| !n.trim().is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixture::report_workshop as workshop;
    use crate::export::{Format, Options};
    use crate::session::Language;

    #[test]
    fn a_cover_then_a_section_per_prompt_with_its_status() {
        let w = workshop();
        let view = w.view(Format::Html, &Options::default());
        let report = Report::new(&view);
        assert_eq!(report.title, "HYVINSIVI – työpaja");
        assert_eq!(
            report.facts,
            [
                ("Päivämäärä", "23.11.2026".to_owned()),
                ("Osallistujia", "4".to_owned()),
                ("Kysymyksiä", "6".to_owned()),
            ]
        );
        assert_eq!(report.note, "Kellonajat aikavyöhykkeellä Europe/Helsinki.");
        assert_eq!(report.sections.len(), 6);
        let first = &report.sections[0];
        assert_eq!((first.place, first.kind), (1, "Ideointi"));
        assert!(
            first.status.starts_with("Suljettu · avattu 10:"),
            "{}",
            first.status
        );
        assert!(matches!(report.sections[5].body, Body::Nothing(why) if why == FI.not_opened));
        assert_eq!(report.sections[5].status, "Luonnos");
    }

    #[test]
    fn hidden_answers_are_said_to_be_in() {
        let w = workshop();
        let hidden = Options {
            hidden: Some(true),
            ..Options::default()
        };
        let report = Report::new(&w.view(Format::Md, &hidden));
        assert!(report
            .note
            .ends_with(" Piilotetut vastaukset ovat mukana, ja ne on merkitty."));
    }

    #[test]
    fn labels_in_three_languages_with_their_numbers() {
        assert_eq!(FI.decimal(3.333), "3,3");
        assert_eq!(SV.decimal(3.35), "3,4");
        assert_eq!(EN.decimal(3.25), "3.2");
        assert_eq!(FI.percent(50), "50\u{a0}%");
        assert_eq!(EN.percent(50), "50%");
        let day = jiff::civil::date(2026, 11, 3);
        assert_eq!(FI.date(day), "3.11.2026");
        assert_eq!(EN.date(day), "3 November 2026");
        assert_eq!(FI.plural(FI.likes, 1u8), "1 tykkäys");
        assert_eq!(FI.plural(FI.likes, 3u8), "3 tykkäystä");
        assert_eq!(SV.plural(SV.similar, 2u8), "+2 liknande");
        assert_eq!(EN.plural(EN.dots, 2u8), "2 dots");
        for l in [&FI, &SV, &EN] {
            assert_eq!(labels(Language::Fi).code, "fi");
            assert!(l.times_in.contains("{tz}") && l.answers_n.contains("{n}"));
            assert!(l.ballot_from.contains("{n}") && l.opened.contains("{t}"));
        }
        assert_eq!(percent_of(1, 3), 33);
        assert_eq!(percent_of(2, 3), 67);
        assert_eq!(percent_of(0, 0), 0);
    }
}
