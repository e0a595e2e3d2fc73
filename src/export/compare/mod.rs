//! The comparison report: several sessions of one series (or any sessions, even from different
//! servers) side by side, per prompt they share, with the items and themes that recur across
//! them — the first draft of a study's findings.
//!
//! One model ([`model::Comparison`]) is built from the sessions once; every format only lays
//! it out, so the HTML, Markdown, XLSX, CSV and JSON cannot disagree. Hidden and erased items
//! never appear: the report is for reading and for sharing beyond the facilitators.

use serde::Serialize;

mod bars;
pub mod csv;
pub mod files;
pub mod html;
pub mod labels;
pub mod md;
pub mod model;
mod sources;
pub mod xlsx;

#[cfg(test)]
mod tests;

use crate::session::{Language, Session};

use super::ExportError;

/// The comparison comes in the single-session exports' formats (the same names in URLs and on
/// the command line, the same content types), so it uses their type.
pub use super::Format;

/// How the comparison reads.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    /// The language of headings and labels (and, for CSV, `;` with a decimal comma for fi/sv).
    pub lang: Language,
    /// The report's title; `None`: the sessions' series, else a generic heading.
    pub title: Option<String>,
    /// The time zone of dates shown (IANA name); `None`: each session's own.
    pub time_zone: Option<String>,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            lang: Language::Fi,
            title: None,
            time_zone: None,
        }
    }
}

/// The JSON document's format name.
pub const COMPARISON_FORMAT: &str = "paja-comparison";
/// The JSON document's schema version.
pub const COMPARISON_VERSION: u32 = 1;

/// Renders the comparison of `sessions` (in the order given) in `format`.
pub fn render(
    sessions: &[&Session],
    options: &CompareOptions,
    format: Format,
) -> Result<Vec<u8>, ExportError> {
    let comparison = model::Comparison::new(sessions, options)?;
    match format {
        Format::Html => Ok(html::render(&comparison).into_bytes()),
        Format::Md => Ok(md::render(&comparison).into_bytes()),
        Format::Xlsx => xlsx::xlsx(&comparison),
        Format::Csv => Ok(csv::csv(&comparison)),
        Format::Json => Ok(json(&comparison)),
    }
}

/// A bar's numbers as the language writes them: a poll's `3 (60 %)`, a scale's `3,5 (n = 4)`.
fn bar_text(l: &labels::CompareLabels, unit: model::BarUnit, v: &model::BarValue) -> String {
    match unit {
        model::BarUnit::Share => {
            let p = (v.value * 100.0).round().clamp(0.0, 1000.0) as u32;
            format!("{} ({})", v.count, l.report.percent(p))
        }
        model::BarUnit::Mean => format!("{} (n = {})", l.report.decimal(v.value), v.count),
    }
}

/// An ISO date (`2018-05-24`) as the language writes it.
fn shown_date(l: &labels::CompareLabels, iso: &str) -> String {
    match iso.parse::<jiff::civil::Date>() {
        Ok(date) => l.report.date(date),
        Err(_) => iso.to_owned(),
    }
}

/// The name of a kind (its wire name) in the report's language.
fn kind_label(l: &labels::CompareLabels, kind: &str) -> &'static str {
    let at = [
        "brainstorm",
        "poll",
        "scale",
        "word_cloud",
        "dot_vote",
        "matrix",
    ]
    .iter()
    .position(|k| *k == kind)
    .unwrap_or(0);
    l.report.words.kinds[at]
}

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    version: u32,
    #[serde(flatten)]
    comparison: &'a model::Comparison,
}

/// The comparison as the versioned JSON document.
fn json(comparison: &model::Comparison) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&Document {
        format: COMPARISON_FORMAT,
        version: COMPARISON_VERSION,
        comparison,
    })
    .unwrap_or_default();
    out.push(b'\n');
    out
}
