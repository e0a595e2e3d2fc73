//! Exports for the seminar report: the same session as CSV, XLSX, JSON (complete, importable),
//! and a readable report as HTML or Markdown.
//!
//! Every format is rendered from the session as it is in memory (or read offline from disk)
//! with the same [`Options`]: which prompts, whether hidden items are in, the language of the
//! headings, the time zone of the times, and the CSV delimiter. They carry pseudonymous
//! participant ids only ([`Session::pseudonym`]), never device ids. The HTTP download and the
//! offline `paja export` call the same [`render`].

pub mod activity;
pub mod compare;
pub mod csv;
#[cfg(test)]
pub(crate) mod fixture;
pub mod json;
pub mod report;
pub mod tables;
pub mod words;
pub mod xlsx;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::session::{
    Item, ItemId, Language, Millis, Prompt, PromptId, PromptState, Results, Session,
};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One row per item (or one prompt's results), UTF-8 with a BOM so Excel reads ä, ö and å.
    Csv,
    /// The whole session in the versioned schema of docs/export-format.md; importable.
    Json,
    /// A workbook: a summary sheet and one sheet per prompt.
    Xlsx,
    /// The report as Markdown.
    Md,
    /// The report as one self-contained HTML page that prints cleanly to PDF.
    Html,
}

impl Format {
    /// Every format, for listings and errors.
    pub const ALL: [Format; 5] = [
        Format::Csv,
        Format::Json,
        Format::Xlsx,
        Format::Md,
        Format::Html,
    ];

    /// The MIME type for downloads.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Md => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
        }
    }

    /// The file extension (also the name used in URLs and on the command line).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
            Format::Md => "md",
            Format::Html => "html",
        }
    }

    /// The format with this extension.
    pub fn from_extension(ext: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == ext)
    }

    /// Whether this is a report for reading (hidden items are left out unless asked for)
    /// rather than data (hidden items are in, marked).
    pub fn is_report(self) -> bool {
        matches!(self, Format::Md | Format::Html)
    }
}

/// The CSV field separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Delimiter {
    /// `,` — the standard, and what most tools expect.
    #[default]
    Comma,
    /// `;` — what Excel expects where the comma is the decimal separator (Finland, Sweden);
    /// numbers are then written with a decimal comma too.
    Semicolon,
}

/// What goes into an export and how it reads.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these prompts, in agenda order; `None`: all of them.
    pub prompts: Option<Vec<PromptSelector>>,
    /// Whether hidden items are in; `None`: the format's default (in for data, out for reports).
    pub hidden: Option<bool>,
    /// The language of headings and labels; `None`: the session's.
    pub language: Option<Language>,
    /// The time zone of times shown (IANA name); `None`: the session's.
    pub time_zone: Option<String>,
    /// The CSV separator.
    pub delimiter: Delimiter,
}

/// Names a prompt: by id (`p3`) or by its 1-based place in the agenda (`3`), as a facilitator
/// counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptSelector {
    /// A prompt id.
    Id(PromptId),
    /// A place in the agenda, from 1.
    Position(usize),
}

impl PromptSelector {
    /// `"3"` is a position, anything else an id.
    pub fn parse(s: &str) -> PromptSelector {
        let s = s.trim();
        match s.parse::<usize>() {
            Ok(n) => PromptSelector::Position(n),
            Err(_) => PromptSelector::Id(PromptId(s.to_owned())),
        }
    }

    /// Parses a comma-separated list (`"1,3,p7"`), skipping empty entries.
    pub fn parse_list(s: &str) -> Vec<PromptSelector> {
        s.split(',')
            .filter(|p| !p.trim().is_empty())
            .map(PromptSelector::parse)
            .collect()
    }
}

/// Why an export could not be made: always the caller's options, never the session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// A prompt selector names no prompt of the session.
    #[error("no prompt {0} in this session")]
    UnknownPrompt(String),
    /// The time zone is not an IANA name known to the bundled database.
    #[error("unknown time zone {0:?} (use an IANA name such as Europe/Helsinki)")]
    UnknownTimeZone(String),
    /// The workbook writer failed.
    #[error("the workbook could not be written: {0}")]
    Workbook(String),
}

impl ExportError {
    /// The error's code, for HTTP and the command line.
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::UnknownPrompt(_) => "unknown_prompt",
            ExportError::UnknownTimeZone(_) => "unknown_time_zone",
            ExportError::Workbook(_) => "export_failed",
        }
    }
}

/// What a renderer works from: the session and the options, checked and resolved once.
pub struct View<'a> {
    /// The session.
    pub session: &'a Session,
    /// The chosen prompts, in agenda order.
    pub prompts: Vec<&'a Prompt>,
    /// Whether hidden items are in.
    pub hidden: bool,
    /// The language of headings.
    pub language: Language,
    /// The time zone of times shown.
    pub zone: jiff::tz::TimeZone,
    /// The CSV separator.
    pub delimiter: Delimiter,
    dots: BTreeMap<ItemId, u32>,
}

impl<'a> View<'a> {
    /// The languages other than the main one that any exported prompt has texts in, in order.
    pub fn translated_languages(&self) -> Vec<Language> {
        let mut all: Vec<Language> = self
            .prompts
            .iter()
            .flat_map(|p| p.draft.languages())
            .filter(|l| *l != self.session.meta.language)
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// Resolves `options` against `session` for `format`.
    pub fn new(
        session: &'a Session,
        format: Format,
        options: &Options,
    ) -> Result<View<'a>, ExportError> {
        let all = session.prompts();
        let prompts = match &options.prompts {
            None => all.iter().collect(),
            Some(selectors) => {
                let mut chosen = Vec::new();
                for selector in selectors {
                    let at = match selector {
                        PromptSelector::Id(id) => all.iter().position(|p| &p.id == id),
                        PromptSelector::Position(n) => n.checked_sub(1).filter(|i| *i < all.len()),
                    };
                    match at {
                        Some(at) => chosen.push(at),
                        None => {
                            return Err(ExportError::UnknownPrompt(match selector {
                                PromptSelector::Id(id) => id.0.clone(),
                                PromptSelector::Position(n) => n.to_string(),
                            }))
                        }
                    }
                }
                chosen.sort_unstable();
                chosen.dedup();
                chosen.into_iter().map(|at| &all[at]).collect()
            }
        };
        let zone_name = options
            .time_zone
            .as_deref()
            .unwrap_or(session.meta.time_zone.as_str());
        let zone = jiff::tz::TimeZone::get(zone_name)
            .map_err(|_| ExportError::UnknownTimeZone(zone_name.to_owned()))?;
        Ok(View {
            session,
            prompts,
            hidden: options.hidden.unwrap_or(!format.is_report()),
            language: options.language.unwrap_or(session.meta.language),
            zone,
            delimiter: options.delimiter,
            dots: activity::dots_per_item(session),
        })
    }

    /// A prompt's items in the order they arrived, without hidden ones unless they are in.
    pub fn items(&self, prompt: &Prompt) -> impl Iterator<Item = &'a Item> + '_ {
        let hidden = self.hidden;
        self.session
            .items_for(&prompt.id)
            .filter(move |i| hidden || !i.hidden)
    }

    /// Dots an item received over every dot vote on its prompt.
    pub fn dots(&self, item: &Item) -> u32 {
        self.dots.get(&item.id).copied().unwrap_or(0)
    }

    /// A time in the export's time zone, as a civil date and time.
    pub fn local(&self, ms: Millis) -> jiff::civil::DateTime {
        local(ms, &self.zone)
    }

    /// A time in the export's time zone as people write it: `2026-11-23 14:05`.
    pub fn local_text(&self, ms: Millis) -> String {
        self.local(ms).strftime("%Y-%m-%d %H:%M").to_string()
    }

    /// A prompt's results, when it has been opened (drafts have none).
    pub fn results(&self, prompt: &Prompt) -> Option<Results> {
        (prompt.state != PromptState::Draft).then(|| self.session.results(prompt))
    }

    /// When the workshop was held: when its first prompt was opened, or when it was made.
    pub fn held_at(&self) -> Millis {
        held_at(self.session)
    }

    /// The name of the time zone times are shown in.
    pub fn zone_name(&self) -> &str {
        self.zone.iana_name().unwrap_or("UTC")
    }
}

pub use activity::dot_vote::Standing;

/// Renders `session` in `format` with `options`; `now` (ms since the epoch) is when the
/// export was made, as the JSON and XLSX files record it.
pub fn render(
    session: &Session,
    format: Format,
    options: &Options,
    now: Millis,
) -> Result<Vec<u8>, ExportError> {
    // The report reads in its heading language: each prompt text in it where a variant gives
    // it (every other format keeps the main texts, and the JSON every variant besides).
    let localized;
    let session = match (format, options.language) {
        (Format::Md | Format::Html, Some(language)) if language != session.meta.language => {
            localized = session.in_language(language);
            &localized
        }
        _ => session,
    };
    let view = View::new(session, format, options)?;
    match format {
        Format::Csv => Ok(csv::csv(&view)),
        Format::Json => Ok(json::json(&view, now)),
        Format::Md => Ok(report::md(&view)),
        Format::Html => Ok(report::html(&view)),
        Format::Xlsx => xlsx::xlsx(&view, now),
    }
}

/// A language's code as exports write it in headings: `fi`, `sv`, `en`.
pub fn language_code(language: Language) -> &'static str {
    match language {
        Language::Fi => "fi",
        Language::Sv => "sv",
        Language::En => "en",
    }
}

/// The download's file name: the session and the day it was held, `hyvinsivi-2018-05-24.xlsx`,
/// or `hyvinsivi-2018-05-24-3.csv` for the third prompt alone, so a facilitator's downloads
/// folder tells seminars apart. The day is in the export's time zone (the session's unless the
/// options name another), as the people in the room count days.
pub fn file_name(session: &Session, format: Format, options: &Options) -> String {
    let part = match options.prompts.as_deref() {
        Some([PromptSelector::Position(n)]) => format!("-{n}"),
        Some([PromptSelector::Id(id)]) => format!("-{}", id.0),
        _ => String::new(),
    };
    let safe: String = part
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    // An unknown zone fails the export itself; the name then falls back to the session's.
    let zone = options
        .time_zone
        .as_deref()
        .and_then(|name| jiff::tz::TimeZone::get(name).ok())
        .or_else(|| jiff::tz::TimeZone::get(session.meta.time_zone.as_str()).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let day = local(held_at(session), &zone).strftime("%Y-%m-%d");
    format!("{}-{day}{safe}.{}", session.meta.slug, format.extension())
}

/// When the workshop was held: when its first prompt was opened (a session is often made days
/// before), or when it was made if nothing was ever opened.
fn held_at(session: &Session) -> Millis {
    session
        .prompts()
        .iter()
        .filter_map(|p| p.opened_at)
        .min()
        .unwrap_or(session.meta.created_at)
}

/// `ms` since the epoch as a civil date and time in `zone`.
pub fn local(ms: Millis, zone: &jiff::tz::TimeZone) -> jiff::civil::DateTime {
    let ms = i64::try_from(ms).unwrap_or(i64::MAX);
    jiff::Timestamp::from_millisecond(ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone())
        .datetime()
}

/// The agenda template's format name.
pub const AGENDA_FORMAT: &str = "paja-agenda";

#[derive(Serialize)]
struct AgendaTemplate {
    format: &'static str,
    version: u32,
    title: String,
    prompts: Vec<crate::session::PromptDraft>,
}

/// The agenda as a reusable template, for `import_agenda` in a new session: the drafts in
/// order, a dot vote's source written as `@N` (the N-th prompt of the template).
pub fn agenda(session: &Session) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&AgendaTemplate {
        format: AGENDA_FORMAT,
        version: 1,
        title: session.meta.title.clone(),
        prompts: session.agenda_template(),
    })
    .unwrap_or_default();
    out.push(b'\n');
    out
}

pub use crate::session::iso8601;
