//! CSV for spreadsheets and qualitative analysis tools: UTF-8 with a BOM, `,` or `;` between
//! fields.
//!
//! Two shapes, chosen by what the export holds:
//! - **The whole session** (or several prompts, or one brainstorm): one row per item under
//!   [`CSV_HEADER`], in agenda order. The header is stable English machine names, whatever
//!   the export's language: scripts and analysis tools read these columns by name.
//! - **One poll, scale, word cloud or dot vote alone** (`?prompts=3`, or `paja export
//!   --per-prompt`): that prompt's results table, with the same columns as its table in the
//!   workbook ([`results_table`]) and their headings in the export's language, because such a
//!   file is read by people (pasted into the report), not parsed. A brainstorm alone keeps its
//!   item rows: its items are its results.
//!
//! With the `;` separator (what Excel expects in Finland and Sweden, where the comma is the
//! decimal separator) numbers with decimals are written with a decimal comma (`3,50`), so
//! Excel reads them as numbers there.
//!
//! Text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'`
//! (OWASP's advice against CSV injection): a spreadsheet would otherwise run a participant's
//! `=HYPERLINK(…)` or `@SUM(…)` as a formula on the organiser's machine. The price is a visible
//! apostrophe before such texts (`'- kohta yksi`); numbers are never escaped. The XLSX export
//! needs no such escaping: it writes every text as a string cell.

use std::borrow::Cow;

use super::tables::{column_name, group_name, history, results_table, theme_name, Table, Value};
use super::{iso8601, Delimiter, View};

/// The UTF-8 byte order mark: without it Excel decodes a CSV as the local code page.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV header: the core columns first, then what the workshop activities add, each new
/// column at the end so that a script reading columns by place keeps working (`theme`: the
/// name of the brainstorm theme the item counts under, empty when none).
pub const CSV_HEADER: [&str; 13] = [
    "prompt",
    "text",
    "participant",
    "time",
    "hidden",
    "column",
    "group",
    "likes",
    "dots",
    "merged_into",
    "history",
    "item_id",
    "theme",
];

/// The CSV for `view`: one prompt's results table when it holds a single poll, scale, word
/// cloud or dot vote, otherwise one row per item.
pub fn csv(view: &View<'_>) -> Vec<u8> {
    match view.prompts.as_slice() {
        [prompt] => match results_table(view, prompt) {
            Some(table) => results_csv(view, &table),
            None => items_csv(view),
        },
        _ => items_csv(view),
    }
}

fn writer<W: std::io::Write>(view: &View<'_>, out: W) -> ::csv::Writer<W> {
    ::csv::WriterBuilder::new()
        .delimiter(match view.delimiter {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
        })
        .from_writer(out)
}

/// A text cell made safe to open in a spreadsheet: a leading `'` when it would otherwise be
/// read as a formula (see the module's doc).
pub fn escape(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A number with `decimals` decimals, with a decimal comma when fields are `;`-separated.
fn decimal(view: &View<'_>, x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    match view.delimiter {
        Delimiter::Comma => text,
        Delimiter::Semicolon => text.replace('.', ","),
    }
}

/// One prompt's results table: headings in the export's language, a share in per cent with
/// one decimal, a mean with two.
fn results_csv(view: &View<'_>, table: &Table) -> Vec<u8> {
    let mut out = BOM.to_vec();
    {
        let mut writer = writer(view, &mut out);
        // Writing to a Vec cannot fail; a failed row would only mean a shorter file.
        let _ = writer.write_record(table.headers.iter().map(|h| escape(h).into_owned()));
        for row in &table.rows {
            let _ = writer.write_record(row.iter().map(|cell| match cell {
                Value::Text(t) => escape(t).into_owned(),
                Value::Count(n) => n.to_string(),
                Value::Mean(Some(m)) => decimal(view, *m, 2),
                Value::Mean(None) => String::new(),
                Value::Share(x) => decimal(view, x * 100.0, 1),
            }));
        }
        let _ = writer.flush();
    }
    out
}

/// One row per item, in agenda order and then in the order items arrived.
fn items_csv(view: &View<'_>) -> Vec<u8> {
    let session = view.session;
    let mut out = BOM.to_vec();
    {
        let mut writer = writer(view, &mut out);
        // Writing to a Vec cannot fail; a failed row would only mean a shorter file.
        // A bilingual session's rows also carry the question in each other language, in
        // `prompt_<code>` columns after the stable ones (none in a one-language session).
        let languages = view.translated_languages();
        let extra: Vec<String> = languages
            .iter()
            .map(|l| format!("prompt_{}", super::language_code(*l)))
            .collect();
        let _ = writer.write_record(
            CSV_HEADER
                .iter()
                .copied()
                .chain(extra.iter().map(String::as_str)),
        );
        for prompt in &view.prompts {
            let variants: Vec<Cow<'_, str>> = languages
                .iter()
                .map(|l| {
                    prompt
                        .draft
                        .translations
                        .get(l)
                        .map_or(Cow::Borrowed(""), |v| escape(&v.title))
                })
                .collect();
            for item in view.items(prompt) {
                let column = column_name(prompt, item).unwrap_or_default();
                let group = group_name(session, item.group.as_ref()).unwrap_or_default();
                let history = history(item);
                let theme = theme_name(session, item).unwrap_or_default();
                let cells: [Cow<'_, str>; 13] = [
                    escape(&prompt.draft.title),
                    escape(&item.text),
                    session.pseudonym(&item.participant).into(),
                    iso8601(item.created_at).into(),
                    (if item.hidden { "true" } else { "false" }).into(),
                    escape(column),
                    escape(group),
                    session.like_count(item).to_string().into(),
                    view.dots(item).to_string().into(),
                    item.merged_into
                        .map(|m| m.to_string())
                        .unwrap_or_default()
                        .into(),
                    escape(&history),
                    item.id.to_string().into(),
                    escape(theme),
                ];
                let _ = writer.write_record(cells.iter().chain(&variants).map(|c| c.as_bytes()));
            }
        }
        let _ = writer.flush();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixture;
    use crate::export::{Format, Options, PromptSelector};
    use crate::session::Language;

    fn render(options: &Options) -> Vec<Vec<String>> {
        let w = fixture::workshop();
        let view = View::new(&w.session, Format::Csv, options).unwrap();
        let bytes = csv(&view);
        assert!(bytes.starts_with(BOM));
        ::csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(match options.delimiter {
                Delimiter::Comma => b',',
                Delimiter::Semicolon => b';',
            })
            .from_reader(&bytes[BOM.len()..])
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    fn one(place: usize, delimiter: Delimiter) -> Options {
        Options {
            prompts: Some(vec![PromptSelector::Position(place)]),
            delimiter,
            ..Options::default()
        }
    }

    #[test]
    fn formula_like_text_gets_a_leading_apostrophe() {
        for risky in ["=1+1", "+358 40", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(escape(risky), format!("'{risky}"));
        }
        for safe in ["Äänekoski", "1-2", "a=b", " =x", "", "'"] {
            assert_eq!(escape(safe), safe);
        }
    }

    #[test]
    fn the_whole_session_is_item_rows_under_the_stable_english_header() {
        let rows = render(&Options {
            delimiter: Delimiter::Semicolon,
            language: Some(Language::Sv),
            ..Options::default()
        });
        assert_eq!(
            rows[0], CSV_HEADER,
            "the header does not follow the language"
        );
        let texts: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
        assert_eq!(
            texts,
            [
                "Äänekosken nuorisopalvelut ja Ohjaamo",
                "'=HYPERLINK(\"http://x\")",
                "'- Ohjaamo",
                "Roskaa",
                "Yhteistyö",
                "yhteistyö",
                "Luottamus",
            ]
        );
        let first = &rows[1];
        assert_eq!(first[0], "Mitkä toimijat tulisi olla verkostossa mukana?");
        assert_eq!(first[5], "Toimivat nyt");
        assert_eq!(first[6], "Digitaalisuus");
        assert_eq!((first[7].as_str(), first[8].as_str()), ("1", "2"));
        assert_eq!(first[10], "Äänekosken nuorisopalvelut");
        assert_eq!(rows[4][4], "true");
    }

    #[test]
    fn one_poll_alone_is_its_results_table_with_a_decimal_comma_after_semicolons() {
        let rows = render(&one(2, Delimiter::Semicolon));
        assert_eq!(
            rows,
            [
                ["Vaihtoehto", "Ääniä", "Osuus %"],
                ["Kunta", "2", "66,7"],
                ["Järjestö", "0", "0,0"],
                ["Valtio", "1", "33,3"],
            ]
        );
        let rows = render(&one(2, Delimiter::Comma));
        assert_eq!(rows[1], ["Kunta", "2", "66.7"]);
    }

    #[test]
    fn one_scale_word_cloud_or_dot_vote_alone_is_its_results_table() {
        let scale = render(&one(3, Delimiter::Semicolon));
        assert_eq!(scale[0][..3], ["Väittämä", "n", "Keskiarvo"]);
        assert_eq!(
            scale[1],
            ["Yhteistyö toimii", "2", "3,50", "0", "1", "0", "0", "1"]
        );
        let words = render(&one(4, Delimiter::Comma));
        assert_eq!(words[1], ["yhteistyö", "2"]);
        let vote = render(&one(5, Delimiter::Comma));
        assert_eq!(vote[1], ["1", "Äänekosken nuorisopalvelut ja Ohjaamo", "2"]);
    }

    #[test]
    fn one_brainstorm_alone_keeps_its_item_rows() {
        let rows = render(&Options {
            hidden: Some(false),
            ..one(1, Delimiter::Comma)
        });
        assert_eq!(rows[0], CSV_HEADER);
        assert_eq!(rows.len(), 1 + 3, "three items, the hidden one left out");
    }
}
