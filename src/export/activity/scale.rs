//! Scale: a results table of each statement's distribution and mean, a column chart per
//! statement with one table under them in the report, and each participant's ratings in the
//! JSON.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::session::{AnswerSet, ParticipantId, PromptId, Results, ScaleResult, Session};

use crate::export::json::AnswerDoc;
use crate::export::report::html::{escape, shorten, CHART_WIDTH};
use crate::export::report::md::inline;
use crate::export::report::Labels;
use crate::export::tables::{count, Table, Value};
use crate::export::words::Words;

/// A scale in the report: its distributions, then the labels of its ends.
#[derive(Debug)]
pub struct Ratings<'a> {
    /// N: the scale runs 1..=N.
    pub max: u8,
    /// The label of 1 (may be empty).
    pub min_label: &'a str,
    /// The label of N (may be empty).
    pub max_label: &'a str,
    /// One per statement.
    pub statements: Vec<Rated<'a>>,
    /// Whether the ends' labels are spelled out under the table (either has one).
    pub legend: bool,
}

/// One scale statement's ratings.
#[derive(Debug)]
pub struct Rated<'a> {
    /// The statement.
    pub text: &'a str,
    /// How many gave each value, how many rated, the mean.
    pub result: ScaleResult,
    /// The mean with one decimal as the language writes it; empty when nobody rated.
    pub mean: String,
}

/// The results table: statement, n, mean, then how many gave each value 1..=`max` (the ends
/// headed with their `labels`, low and high).
pub fn table(
    w: &Words,
    statements: &[String],
    max: u8,
    labels: (&str, &str),
    results: Option<Results>,
) -> Table {
    let mut headers: Vec<String> = vec![w.statement.into(), "n".into(), w.mean.into()];
    for value in 1..=max {
        let label = match value {
            1 => labels.0,
            v if v == max => labels.1,
            _ => "",
        };
        headers.push(if label.is_empty() {
            value.to_string()
        } else {
            format!("{value} – {label}")
        });
    }
    let rows = match results {
        Some(Results::Scale { statements: rated }) => statements
            .iter()
            .zip(rated)
            .map(|(statement, r)| {
                let mut row = vec![Value::Text(statement.clone()), count(r.n)];
                row.push(Value::Mean(r.mean));
                row.extend(r.counts.iter().map(|&n| count(n)));
                row
            })
            .collect(),
        _ => Vec::new(),
    };
    Table { headers, rows }
}

/// The report's section; `None` when nobody rated anything.
pub fn section<'a>(
    l: &'static Labels,
    statements: &'a [String],
    max: u8,
    (min_label, max_label): (&'a str, &'a str),
    results: Results,
) -> Option<Ratings<'a>> {
    // The activity decides the results' kind; a mismatch cannot happen.
    let Results::Scale { statements: rated } = results else {
        return None;
    };
    if rated.iter().all(|r| r.n == 0) {
        return None;
    }
    let statements = statements
        .iter()
        .zip(rated)
        .map(|(text, result)| Rated {
            text,
            mean: result.mean.map(|m| l.decimal(m)).unwrap_or_default(),
            result,
        })
        .collect();
    Some(Ratings {
        max,
        min_label,
        max_label,
        statements,
        legend: !min_label.is_empty() || !max_label.is_empty(),
    })
}

/// The section in HTML: a chart per statement, then one table of them all and the legend.
pub fn html(out: &mut String, l: &Labels, r: &Ratings<'_>) {
    let (w, max) = (l.words, r.max);
    for rated in &r.statements {
        let _ = writeln!(out, "<h3>{}</h3>", escape(rated.text));
        out.push_str("<figure class=\"chart\">\n");
        out.push_str(&chart(l, max, r.min_label, r.max_label, rated));
        out.push_str("</figure>\n");
    }
    let _ = write!(
        out,
        "<table>\n<thead><tr><th scope=\"col\">{}</th>",
        w.statement
    );
    for v in 1..=max {
        let _ = write!(out, "<th scope=\"col\" class=\"num\">{v}</th>");
    }
    let _ = write!(
        out,
        "<th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        l.raters, w.mean
    );
    for rated in &r.statements {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", escape(rated.text));
        for c in &rated.result.counts {
            let _ = write!(out, "<td class=\"num\">{c}</td>");
        }
        let _ = writeln!(
            out,
            "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            rated.result.n,
            escape(&rated.mean)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if r.legend {
        let _ = writeln!(
            out,
            "<p class=\"note\">1 = {} · {max} = {}</p>",
            escape(r.min_label),
            escape(r.max_label)
        );
    }
}

/// The section in Markdown: one table of every statement, then the legend.
pub fn md(out: &mut String, l: &Labels, r: &Ratings<'_>) {
    let (w, max) = (l.words, r.max);
    let _ = write!(out, "\n| {} |", w.statement);
    for v in 1..=max {
        let _ = write!(out, " {v} |");
    }
    let _ = write!(out, " {} | {} |\n|---|", l.raters, w.mean);
    for _ in 0..=max + 1 {
        out.push_str("---:|");
    }
    out.push('\n');
    for rated in &r.statements {
        let _ = write!(out, "| {} |", inline(rated.text));
        for c in &rated.result.counts {
            let _ = write!(out, " {c} |");
        }
        let _ = writeln!(out, " {} | {} |", rated.result.n, rated.mean);
    }
    if r.legend {
        let _ = write!(
            out,
            "\n1 = {} · {max} = {}\n",
            inline(r.min_label),
            inline(r.max_label)
        );
    }
}

/// A scale statement's distribution: a column per value 1..=N with its count, the end labels
/// under 1 and N, and the mean marked with a dashed line.
pub fn chart(l: &Labels, max: u8, min_label: &str, max_label: &str, rated: &Rated<'_>) -> String {
    const LEFT: f64 = 40.0;
    const RIGHT: f64 = 600.0;
    const BASE: f64 = 140.0;
    const TALL: f64 = 95.0;
    let result = &rated.result;
    let n = f64::from(max.max(1));
    let slot = (RIGHT - LEFT) / n;
    let top = result.counts.iter().copied().max().unwrap_or(0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"scale\" viewBox=\"0 0 {CHART_WIDTH} 190\" \
         width=\"{CHART_WIDTH}\" height=\"190\" aria-hidden=\"true\" focusable=\"false\">\n\
         <line x1=\"{LEFT}\" y1=\"{BASE}\" x2=\"{RIGHT}\" y2=\"{BASE}\" stroke=\"#4a4a4a\" stroke-width=\"1\"/>\n"
    );
    for (v, count) in result.counts.iter().enumerate() {
        let centre = LEFT + slot * (v as f64 + 0.5);
        let h = if top == 0 {
            0.0
        } else {
            (TALL * *count as f64 / top as f64 * 10.0).round() / 10.0
        };
        let w = (slot * 0.6).min(60.0);
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"#1f5fa8\"/>\n\
             <text class=\"value\" x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{count}</text>\n\
             <text class=\"muted\" x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            centre - w / 2.0,
            BASE - h,
            BASE - h - 5.0,
            BASE + 17.0,
            v + 1,
        );
    }
    if !min_label.is_empty() {
        let _ = writeln!(
            svg,
            "<text class=\"muted\" x=\"{LEFT}\" y=\"{}\">{}</text>",
            BASE + 40.0,
            escape(&shorten(min_label, 40))
        );
    }
    if !max_label.is_empty() {
        let _ = writeln!(
            svg,
            "<text class=\"muted\" x=\"{RIGHT}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            BASE + 40.0,
            escape(&shorten(max_label, 40))
        );
    }
    if let Some(mean) = result.mean {
        let x = LEFT + slot * (mean - 0.5);
        let anchor = x.clamp(LEFT + 30.0, RIGHT - 30.0);
        let _ = write!(
            svg,
            "<line class=\"mean-line\" x1=\"{x:.1}\" y1=\"19\" x2=\"{x:.1}\" y2=\"{BASE}\" stroke=\"#a31d14\" \
             stroke-width=\"2\" stroke-dasharray=\"5 3\"/>\n\
             <text class=\"mean\" x=\"{anchor:.1}\" y=\"14\" text-anchor=\"middle\">{} {}</text>\n",
            escape(l.mean_short),
            escape(&rated.mean),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Each rater's ratings; adds the raters to `participants`.
pub fn answers(
    session: &Session,
    prompt: &PromptId,
    participants: &mut BTreeSet<ParticipantId>,
) -> Vec<AnswerDoc> {
    let Some(answers) = session.answers(prompt).and_then(AnswerSet::as_scale) else {
        return Default::default();
    };
    answers
        .ratings
        .iter()
        .map(|(who, ratings)| {
            participants.insert(*who);
            AnswerDoc {
                participant: session.pseudonym(who),
                ratings: Some(ratings.clone()),
                ..AnswerDoc::default()
            }
        })
        .collect()
}

/// Adds everyone who rated a statement to `who`.
pub fn respondents(session: &Session, prompt: &PromptId, who: &mut BTreeSet<ParticipantId>) {
    let Some(answers) = session.answers(prompt).and_then(AnswerSet::as_scale) else {
        return Default::default();
    };
    who.extend(
        answers
            .ratings
            .iter()
            .filter(|(_, rated)| rated.iter().any(|v| *v > 0))
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
    fn the_table_has_n_mean_and_each_value_with_the_ends_labelled() {
        let w = fixture::workshop();
        let view = w.view(Format::Xlsx, &Options::default());
        let scale = results_table(&view, view.prompts[2]).expect("a scale has a table");
        assert_eq!(
            scale.headers,
            [
                "Väittämä",
                "n",
                "Keskiarvo",
                "1 – Huonosti",
                "2",
                "3",
                "4",
                "5 – Hyvin"
            ]
        );
        let mut expected = vec![
            Value::Text("Yhteistyö toimii".into()),
            Value::Count(2),
            Value::Mean(Some(3.5)),
        ];
        expected.extend([0, 1, 0, 0, 1].map(Value::Count));
        assert_eq!(scale.rows, [expected]);
    }

    #[test]
    fn the_report_has_each_statements_distribution_and_mean() {
        let w = fixture::report_workshop();
        let report = Report::new(&w.view(Format::Html, &Options::default()));
        let Body::Scale(r) = &report.sections[2].body else {
            panic!("{:?}", report.sections[2].body)
        };
        assert_eq!(
            (r.max, r.min_label, r.max_label),
            (5, "Huonosti", "Erinomaisesti")
        );
        assert!(r.legend);
        let got: Vec<_> = r
            .statements
            .iter()
            .map(|s| (s.text, s.result.n, s.mean.as_str()))
            .collect();
        assert_eq!(
            got,
            [("Tiedonkulku", 3, "3,3"), ("Yhteiset tavoitteet", 1, "5,0")]
        );
    }

    #[test]
    fn each_raters_ratings_are_the_json_answers() {
        let w = fixture::workshop();
        let scale = &w.session.prompts()[2];
        let mut who = BTreeSet::new();
        let docs = activity::answers(&w.session, scale, &BTreeSet::new(), &mut who);
        let ratings: Vec<_> = docs.iter().map(|d| d.ratings.clone()).collect();
        assert_eq!(ratings, [Some(vec![2]), Some(vec![5])]);
        assert_eq!(who, [person(0), person(1)].into());
    }
}
