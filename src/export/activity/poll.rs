//! Poll: a results table of votes and shares, a bar chart with its table in the report, and
//! each participant's chosen options in the JSON.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::session::{AnswerSet, ParticipantId, PromptId, Results, Session};

use crate::export::json::AnswerDoc;
use crate::export::report::html::{bar_chart, escape};
use crate::export::report::md::inline;
use crate::export::report::{percent_of, Labels};
use crate::export::tables::{count, Table, Value};
use crate::export::words::Words;

/// A poll in the report: its bars, then how many answered and a note on multiple choice.
#[derive(Debug)]
pub struct Bars<'a> {
    /// Participants who answered: the whole of every bar.
    pub answered: usize,
    /// One per option, in option order.
    pub bars: Vec<Bar<'a>>,
    /// How many answered, as a line of text.
    pub count: String,
    /// Why the shares may add up to more than 100 %, when several options could be chosen.
    pub note: Option<&'static str>,
}

/// A bar of a bar chart.
#[derive(Debug)]
pub struct Bar<'a> {
    /// The option.
    pub label: &'a str,
    /// Votes.
    pub count: usize,
    /// Share of those who answered, a whole percentage as the language writes it.
    pub share: String,
}

/// The results table: option, votes, share (0.0–1.0 of those who answered).
pub fn table(w: &Words, options: &[String], results: Option<Results>) -> Table {
    // The cells are bare numbers, so the heading carries the unit.
    let headers = vec![w.option.into(), w.votes.into(), format!("{} %", w.share)];
    let rows = match results {
        Some(Results::Poll { voters, counts }) => options
            .iter()
            .zip(counts)
            .map(|(option, n)| {
                let share = if voters == 0 {
                    0.0
                } else {
                    n as f64 / voters as f64
                };
                vec![Value::Text(option.clone()), count(n), Value::Share(share)]
            })
            .collect(),
        _ => Vec::new(),
    };
    Table { headers, rows }
}

/// The report's section; `None` when nobody answered.
pub fn section<'a>(
    l: &'static Labels,
    options: &'a [String],
    multiple: bool,
    results: Results,
) -> Option<Bars<'a>> {
    // The activity decides the results' kind; a mismatch cannot happen.
    let Results::Poll { voters, counts } = results else {
        return None;
    };
    if voters == 0 {
        return None;
    }
    let bars = options
        .iter()
        .zip(counts)
        .map(|(label, count)| Bar {
            label,
            count,
            share: l.percent(percent_of(count, voters)),
        })
        .collect();
    Some(Bars {
        answered: voters,
        bars,
        count: l.n(l.answered_n, voters),
        note: multiple.then_some(l.multiple_note),
    })
}

/// The section in HTML: the bar chart with its table, then the count and the note.
pub fn html(out: &mut String, l: &Labels, b: &Bars<'_>) {
    let w = l.words;
    let rows: Vec<(String, usize, String)> = b
        .bars
        .iter()
        .map(|b| {
            (
                b.label.to_owned(),
                b.count,
                format!("{} · {}", b.count, b.share),
            )
        })
        .collect();
    out.push_str("<figure class=\"chart\">\n");
    out.push_str(&bar_chart(&rows, b.answered));
    let _ = write!(
        out,
        "<table>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        w.option, w.votes, w.share
    );
    for b in &b.bars {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(b.label),
            b.count,
            escape(&b.share)
        );
    }
    out.push_str("</tbody>\n</table>\n</figure>\n");
    let _ = writeln!(out, "<p class=\"count\">{}</p>", escape(&b.count));
    if let Some(note) = b.note {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(note));
    }
}

/// The section in Markdown: the table, then the count and the note.
pub fn md(out: &mut String, l: &Labels, b: &Bars<'_>) {
    let w = l.words;
    let _ = write!(
        out,
        "\n| {} | {} | {} |\n|---|---:|---:|\n",
        w.option, w.votes, w.share
    );
    for b in &b.bars {
        let _ = writeln!(out, "| {} | {} | {} |", inline(b.label), b.count, b.share);
    }
    let _ = write!(out, "\n{}\n", b.count);
    if let Some(note) = b.note {
        let _ = write!(out, "\n*{note}*\n");
    }
}

/// Each voter's chosen options; adds the voters to `participants`.
pub fn answers(
    session: &Session,
    prompt: &PromptId,
    participants: &mut BTreeSet<ParticipantId>,
) -> Vec<AnswerDoc> {
    let Some(answers) = session.answers(prompt).and_then(AnswerSet::as_poll) else {
        return Default::default();
    };
    answers
        .chosen
        .iter()
        .map(|(who, options)| {
            participants.insert(*who);
            AnswerDoc {
                participant: session.pseudonym(who),
                options: Some(options.clone()),
                ..AnswerDoc::default()
            }
        })
        .collect()
}

/// Adds everyone who chose an option to `who`.
pub fn respondents(session: &Session, prompt: &PromptId, who: &mut BTreeSet<ParticipantId>) {
    let Some(answers) = session.answers(prompt).and_then(AnswerSet::as_poll) else {
        return Default::default();
    };
    who.extend(
        answers
            .chosen
            .iter()
            .filter(|(_, chosen)| !chosen.is_empty())
            .map(|(p, _)| *p),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::activity::{self, results_table, Body};
    use crate::export::fixture::{self, person};
    use crate::export::report::Report;
    use crate::export::{Format, Options};

    #[test]
    fn the_table_has_votes_and_shares_of_those_who_answered() {
        let w = fixture::workshop();
        let view = w.view(Format::Xlsx, &Options::default());
        let poll = results_table(&view, view.prompts[1]).expect("a poll has a table");
        assert_eq!(poll.headers, ["Vaihtoehto", "Ääniä", "Osuus %"]);
        let text = |s: &str| Value::Text(s.into());
        assert_eq!(
            poll.rows,
            [
                vec![text("Kunta"), Value::Count(2), Value::Share(2.0 / 3.0)],
                vec![text("Järjestö"), Value::Count(0), Value::Share(0.0)],
                vec![text("Valtio"), Value::Count(1), Value::Share(1.0 / 3.0)],
            ]
        );
    }

    #[test]
    fn the_report_shows_a_bar_per_option() {
        let w = fixture::report_workshop();
        let report = Report::new(&w.view(Format::Html, &Options::default()));
        let Body::Poll(b) = &report.sections[1].body else {
            panic!("{:?}", report.sections[1].body)
        };
        assert_eq!(
            (b.answered, b.count.as_str(), b.note),
            (4, "Vastanneita: 4", None)
        );
        let got: Vec<_> = b
            .bars
            .iter()
            .map(|b| (b.label, b.count, b.share.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Kunta", 3, "75\u{a0}%"),
                ("Järjestö", 1, "25\u{a0}%"),
                ("Valtio", 0, "0\u{a0}%")
            ]
        );
    }

    #[test]
    fn each_voters_options_are_the_json_answers() {
        let w = fixture::workshop();
        let poll = &w.session.prompts()[1];
        let mut who = BTreeSet::new();
        let docs = activity::answers(&w.session, poll, &BTreeSet::new(), &mut who);
        let options: Vec<_> = docs.iter().map(|d| d.options.clone()).collect();
        assert_eq!(options, [Some(vec![0]), Some(vec![0]), Some(vec![2])]);
        assert!(docs.iter().all(|d| d.ratings.is_none() && d.dots.is_none()));
        assert_eq!(who, (0..3).map(person).collect());
    }
}
