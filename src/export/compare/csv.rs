//! Every visible item of every session, one row each, with a `session` column: the table a
//! pivot table starts from. The conventions are the single-session CSV's
//! ([`crate::export::csv`]): UTF-8 with a BOM, stable English column names, formula-like texts
//! escaped, and `;` between fields for Finnish and Swedish (what Excel expects where the
//! comma is the decimal separator), `,` for English.

use std::borrow::Cow;

use crate::export::csv::escape;
use crate::export::iso8601;
use crate::session::Language;

use super::model::Comparison;

/// The UTF-8 byte order mark: without it Excel decodes a CSV as the local code page.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The header: stable machine names whatever the language.
pub const HEADER: [&str; 14] = [
    "session",
    "session_title",
    "date",
    "place",
    "prompt",
    "template",
    "text",
    "theme",
    "column",
    "group",
    "participant",
    "time",
    "likes",
    "dots",
];

/// The field separator for `lang`: `;` for fi and sv, `,` for en.
pub fn delimiter(lang: Language) -> u8 {
    match lang {
        Language::Fi | Language::Sv => b';',
        Language::En => b',',
    }
}

/// The CSV.
pub fn csv(c: &Comparison) -> Vec<u8> {
    let mut out = BOM.to_vec();
    {
        let mut writer = ::csv::WriterBuilder::new()
            .delimiter(delimiter(c.lang))
            .from_writer(&mut out);
        // Writing to a Vec cannot fail; a failed row would only mean a shorter file.
        let _ = writer.write_record(HEADER);
        for row in &c.items {
            let Some(session) = c.sessions.get(row.session) else {
                continue;
            };
            let cells: [Cow<'_, str>; 14] = [
                escape(&session.name),
                escape(&session.title),
                session.date.as_str().into(),
                row.place.to_string().into(),
                escape(&row.prompt),
                escape(row.template.as_deref().unwrap_or_default()),
                escape(&row.text),
                escape(row.theme.as_deref().unwrap_or_default()),
                escape(row.column.as_deref().unwrap_or_default()),
                escape(row.group.as_deref().unwrap_or_default()),
                row.participant.as_str().into(),
                iso8601(row.created_at).into(),
                row.likes.to_string().into(),
                row.dots.to_string().into(),
            ];
            let _ = writer.write_record(cells.iter().map(|c| c.as_bytes()));
        }
        let _ = writer.flush();
    }
    out
}
