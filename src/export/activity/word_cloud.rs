//! Word cloud: a results table of words and how often each was given, the words sized by
//! frequency in the report with the hidden answers under them. Its answers are items, so the
//! JSON lists them with the items and it has no answers of its own.

use std::fmt::Write;

use crate::session::{Prompt, Results, WordCount};

use crate::export::report::html::escape;
use crate::export::report::md::{inline, item};
use crate::export::report::Labels;
use crate::export::tables::{count, Table, Value};
use crate::export::words::Words;
use crate::export::View;

/// Font sizes of the word cloud's least and most frequent words, in em.
const CLOUD_EM: (f64, f64) = (1.0, 2.6);

/// A word cloud in the report: the words, how many answered and the hidden answers.
#[derive(Debug)]
pub struct Cloud<'a> {
    /// The words, most frequent first.
    pub words: Vec<WordCount>,
    /// How many answered, as a line of text.
    pub count: String,
    /// Hidden or unapproved answers, when hidden ones are in.
    pub hidden: Vec<&'a str>,
}

/// The results table: word, count.
pub fn table(w: &Words, results: Option<Results>) -> Table {
    let headers = vec![w.word.into(), w.count.into()];
    let rows = match results {
        Some(Results::WordCloud { words, .. }) => words
            .into_iter()
            .map(|w| vec![Value::Text(w.text), count(w.count)])
            .collect(),
        _ => Vec::new(),
    };
    Table { headers, rows }
}

/// The report's section; `None` when there are neither words nor hidden answers.
pub fn section<'a>(
    view: &View<'a>,
    l: &'static Labels,
    prompt: &'a Prompt,
    results: Results,
) -> Option<Cloud<'a>> {
    // The activity decides the results' kind; a mismatch cannot happen.
    let Results::WordCloud {
        participants,
        words,
    } = results
    else {
        return None;
    };
    let hidden: Vec<&str> = view
        .items(prompt)
        .filter(|i| i.merged_into.is_none() && (i.hidden || !i.approved))
        .map(|i| i.text.as_str())
        .collect();
    if words.is_empty() && hidden.is_empty() {
        return None;
    }
    Some(Cloud {
        words,
        count: l.n(l.answered_n, participants),
        hidden,
    })
}

/// The section in HTML: the words sized by frequency, the count, then the hidden answers.
pub fn html(out: &mut String, l: &Labels, c: &Cloud<'_>) {
    let top = c.words.iter().map(|w| w.count).max().unwrap_or(1);
    let low = c.words.iter().map(|w| w.count).min().unwrap_or(1);
    out.push_str("<ul class=\"cloud\">\n");
    for w in &c.words {
        let _ = writeln!(
            out,
            "<li style=\"font-size:{:.2}em\">{} <span class=\"n\">({})</span></li>",
            size(w.count, low, top),
            escape(&w.text),
            w.count
        );
    }
    out.push_str("</ul>\n");
    let _ = writeln!(out, "<p class=\"count\">{}</p>", escape(&c.count));
    if !c.hidden.is_empty() {
        let _ = writeln!(out, "<h3>{}</h3>\n<ul class=\"items\">", l.hidden_answers);
        for text in &c.hidden {
            let _ = writeln!(
                out,
                "<li><span class=\"text\">{}</span> <span class=\"tag hidden\">{}</span></li>",
                escape(text),
                l.hidden
            );
        }
        out.push_str("</ul>\n");
    }
}

/// The section in Markdown: the words with their counts, the count, then the hidden answers.
pub fn md(out: &mut String, l: &Labels, c: &Cloud<'_>) {
    out.push('\n');
    for w in &c.words {
        let _ = writeln!(out, "- {} ({})", inline(&w.text), w.count);
    }
    let _ = write!(out, "\n{}\n", c.count);
    if !c.hidden.is_empty() {
        let _ = write!(out, "\n### {}\n\n", l.hidden_answers);
        for text in &c.hidden {
            let _ = writeln!(out, "- {} *({})*", item(text, "  "), l.hidden);
        }
    }
}

/// A word's font size: the least frequent at the smallest size, the most frequent the largest.
fn size(count: usize, low: usize, top: usize) -> f64 {
    if top <= low {
        return CLOUD_EM.0;
    }
    CLOUD_EM.0 + (CLOUD_EM.1 - CLOUD_EM.0) * (count - low) as f64 / (top - low) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::activity::{results_table, Body};
    use crate::export::fixture;
    use crate::export::report::Report;
    use crate::export::{Format, Options};

    #[test]
    fn the_table_counts_each_word_as_the_projector_showed_it() {
        let w = fixture::workshop();
        let view = w.view(Format::Xlsx, &Options::default());
        let words = results_table(&view, view.prompts[3]).expect("a word cloud has a table");
        assert_eq!(words.headers, ["Sana", "Määrä"]);
        assert_eq!(
            words.rows,
            [
                [Value::Text("yhteistyö".into()), Value::Count(2)],
                [Value::Text("luottamus".into()), Value::Count(1)],
            ]
        );
    }

    #[test]
    fn the_report_sizes_words_by_frequency() {
        let w = fixture::report_workshop();
        let report = Report::new(&w.view(Format::Html, &Options::default()));
        let Body::WordCloud(c) = &report.sections[3].body else {
            panic!("{:?}", report.sections[3].body)
        };
        let words: Vec<_> = c.words.iter().map(|w| (w.text.as_str(), w.count)).collect();
        assert_eq!(words, [("luottamus", 2), ("avoimuus", 1)]);
        assert_eq!((c.count.as_str(), c.hidden.len()), ("Vastanneita: 2", 0));
        assert_eq!(size(2, 1, 2), CLOUD_EM.1);
        assert_eq!(size(1, 1, 2), CLOUD_EM.0);
        assert_eq!(size(3, 3, 3), CLOUD_EM.0, "all equal: the smallest size");
    }
}
