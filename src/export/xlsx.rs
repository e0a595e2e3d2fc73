//! XLSX: a workbook the organisers can filter, sort and quote from as it is.
//!
//! A summary sheet (the session, its date, when the file was made, how many took part, and a
//! table of the exported prompts with their counts), then one sheet per prompt, named by its
//! place in the agenda and its title (`3 Mitkä toimijat…`). A prompt's sheet shows its results
//! table first (poll, scale, word cloud, dot vote: the same tables as the per-prompt CSV, from
//! [`results_table`]), then its items (brainstorm, word cloud) with column, group, likes, dots,
//! hidden, starred, merged-into, edit history, pseudonym and time. The first table's heading row
//! is frozen; the items table has an autofilter. Times are real Excel date-times in the export's
//! time zone (Excel has no time zones, so the zone is named on the summary sheet). Every text
//! is written as a string cell, so a participant's `=SUM(…)` stays text and never runs.

use rust_xlsxwriter::{
    DocProperties, Format as Style, FormatAlign, Workbook, Worksheet, XlsxError,
};

use crate::session::{Item, Language, Millis, Prompt, PromptState};

use super::tables::{self, labels, place, results_table, Labels, Table, Value};
use super::{ExportError, View};

/// Excel's limit on a sheet name, in UTF-16 code units.
const SHEET_NAME_MAX: usize = 31;
/// Excel's limit on a cell's text, in characters.
const CELL_TEXT_MAX: usize = 32_767;
/// Characters Excel refuses in a sheet name.
const SHEET_NAME_FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

/// The row where a prompt sheet's first table starts (below the title and a line about it).
const FIRST_TABLE_ROW: u32 = 3;

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError::Workbook(e.to_string())
    }
}

/// The cell styles, made once per workbook.
struct Styles {
    heading: Style,
    title: Style,
    wrap: Style,
    /// Summary values sit beside their labels, numbers and dates included.
    left: Style,
    left_date: Style,
    left_datetime: Style,
    datetime: Style,
    mean: Style,
    share: Style,
}

impl Styles {
    fn new(language: Language) -> Styles {
        // Number format codes are stored in Excel's (English) notation and shown in the
        // reader's locale; the order of day, month and year is ours to choose.
        let (date, datetime) = match language {
            Language::Fi => ("d.m.yyyy", "d.m.yyyy h:mm:ss"),
            Language::Sv | Language::En => ("yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"),
        };
        Styles {
            heading: Style::new().set_bold(),
            title: Style::new().set_bold().set_font_size(14),
            wrap: Style::new().set_text_wrap(),
            left: Style::new().set_align(FormatAlign::Left),
            left_date: Style::new()
                .set_num_format(date)
                .set_align(FormatAlign::Left),
            left_datetime: Style::new()
                .set_num_format(datetime)
                .set_align(FormatAlign::Left),
            datetime: Style::new().set_num_format(datetime),
            mean: Style::new().set_num_format("0.00"),
            share: Style::new().set_num_format("0.0%"),
        }
    }
}

/// The workbook for `view`, stamped as made at `exported_at` (ms since the epoch).
pub fn xlsx(view: &View<'_>, exported_at: Millis) -> Result<Vec<u8>, ExportError> {
    let l = labels(view.language);
    let styles = Styles::new(view.language);
    let mut workbook = Workbook::new();
    let utc = super::local(exported_at, &jiff::tz::TimeZone::UTC);
    workbook.set_properties(
        &DocProperties::new()
            .set_title(view.session.meta.title.as_str())
            .set_author("Paja")
            .set_creation_datetime(&utc),
    );

    let mut names = SheetNames::default();
    let mut summary = Worksheet::new();
    summary.set_name(names.claim(l.summary))?;
    write_summary(&mut summary, view, l, &styles, exported_at)?;
    workbook.push_worksheet(summary);

    for prompt in &view.prompts {
        let mut sheet = Worksheet::new();
        let name = names.claim(&format!(
            "{} {}",
            place(view.session, prompt),
            prompt.draft.title
        ));
        sheet.set_name(name)?;
        write_prompt(&mut sheet, view, prompt, l, &styles)?;
        workbook.push_worksheet(sheet);
    }
    Ok(workbook.save_to_buffer()?)
}

/// The summary sheet: the session in a few lines, then the prompts with their counts.
fn write_summary(
    sheet: &mut Worksheet,
    view: &View<'_>,
    l: &Labels,
    s: &Styles,
    exported_at: Millis,
) -> Result<(), XlsxError> {
    let session = view.session;
    let w = l.words;
    sheet.write_string_with_format(0, 0, text(&session.meta.title), &s.title)?;
    let mut row = 2;
    let mut key = |sheet: &mut Worksheet, label: &str| -> Result<u32, XlsxError> {
        sheet.write_string_with_format(row, 0, label, &s.heading)?;
        row += 1;
        Ok(row - 1)
    };
    let r = key(sheet, l.title)?;
    sheet.write_string(r, 1, text(&session.meta.title))?;
    let r = key(sheet, l.slug)?;
    sheet.write_string(r, 1, session.meta.slug.as_str())?;
    let r = key(sheet, w.date)?;
    sheet.write_datetime_with_format(r, 1, view.local(view.held_at()).date(), &s.left_date)?;
    let r = key(sheet, l.exported)?;
    sheet.write_datetime_with_format(r, 1, view.local(exported_at), &s.left_datetime)?;
    let r = key(sheet, l.time_zone)?;
    sheet.write_string(r, 1, view.zone_name())?;
    let r = key(sheet, w.participants)?;
    let participants = tables::participants(view).len() as f64;
    sheet.write_number_with_format(r, 1, participants, &s.left)?;
    let r = key(sheet, l.hidden_included)?;
    sheet.write_string(r, 1, l.yes_no(view.hidden))?;

    let header = row + 1;
    sheet.write_string_with_format(header, 0, l.prompts, &s.title)?;
    let header = header + 1;
    let headings = [
        l.place,
        l.question,
        l.kind,
        l.state,
        l.opened,
        l.closed,
        l.items,
        l.respondents,
    ];
    write_headings(sheet, header, headings, s)?;
    for (row, prompt) in (header + 1..).zip(&view.prompts) {
        sheet.write_number_with_format(row, 0, place(session, prompt) as f64, &s.left)?;
        sheet.write_string_with_format(row, 1, text(&prompt.draft.title), &s.wrap)?;
        sheet.write_string(row, 2, w.kind_name(&prompt.draft.activity))?;
        sheet.write_string(row, 3, w.state_name(prompt.state))?;
        if let Some(at) = prompt.opened_at {
            sheet.write_datetime_with_format(row, 4, view.local(at), &s.datetime)?;
        }
        if let Some(at) = prompt.closed_at {
            sheet.write_datetime_with_format(row, 5, view.local(at), &s.datetime)?;
        }
        if prompt.draft.activity.takes_items() {
            sheet.write_number(row, 6, view.items(prompt).count() as f64)?;
        }
        let respondents = tables::respondents(session, prompt).len();
        sheet.write_number(row, 7, respondents as f64)?;
    }
    for (col, width) in [
        (0, 24),
        (1, 60),
        (2, 16),
        (3, 10),
        (4, 19),
        (5, 19),
        (6, 12),
        (7, 12),
    ] {
        sheet.set_column_width(col, width)?;
    }
    sheet.set_column_format(1, &s.wrap)?;
    Ok(())
}

/// A prompt's sheet: its title, a line about it, its results table, then its items.
fn write_prompt(
    sheet: &mut Worksheet,
    view: &View<'_>,
    prompt: &Prompt,
    l: &Labels,
    s: &Styles,
) -> Result<(), XlsxError> {
    let title = format!("{}. {}", place(view.session, prompt), prompt.draft.title);
    sheet.write_string_with_format(0, 0, text(&title), &s.title)?;
    let kind = l.words.kind_name(&prompt.draft.activity);
    let state = l.words.state_name(prompt.state);
    let about = if prompt.state == PromptState::Draft {
        format!("{kind} · {state} · {}", l.not_opened)
    } else {
        let respondents = tables::respondents(view.session, prompt).len();
        format!("{kind} · {state} · {}: {respondents}", l.respondents)
    };
    sheet.write_string(1, 0, about)?;

    let mut row = FIRST_TABLE_ROW;
    let results = results_table(view, prompt);
    if let Some(table) = &results {
        write_results(sheet, row, table, s)?;
        sheet.set_freeze_panes(row + 1, 0)?;
        row += table.rows.len() as u32 + 2;
    }
    if prompt.draft.activity.takes_items() {
        if results.is_some() {
            sheet.write_string_with_format(row, 0, l.answers, &s.title)?;
            row += 1;
        } else {
            sheet.set_freeze_panes(row + 1, 0)?;
        }
        write_items(sheet, row, view, prompt, l, s)?;
    }
    Ok(())
}

/// A results table at `top`: bold headings, then the rows; widths to fit a text column.
fn write_results(
    sheet: &mut Worksheet,
    top: u32,
    table: &Table,
    s: &Styles,
) -> Result<(), XlsxError> {
    write_headings(sheet, top, table.headers.iter().map(|h| text(h)), s)?;
    for (row, cells) in (top + 1..).zip(&table.rows) {
        for (col, cell) in (0u16..).zip(cells) {
            match cell {
                Value::Text(t) => {
                    sheet.write_string_with_format(row, col, text(t), &s.wrap)?;
                }
                Value::Count(n) => {
                    sheet.write_number(row, col, *n as f64)?;
                }
                Value::Mean(Some(m)) => {
                    sheet.write_number_with_format(row, col, *m, &s.mean)?;
                }
                Value::Mean(None) => {}
                Value::Share(x) => {
                    sheet.write_number_with_format(row, col, *x, &s.share)?;
                }
            }
        }
    }
    // The text column is wide, numbers fit their heading (an items table below sets its own).
    for (col, h) in (0u16..).zip(&table.headers) {
        let text_column = table
            .rows
            .first()
            .and_then(|r| r.get(usize::from(col)))
            .is_some_and(|c| matches!(c, Value::Text(_)));
        let width = if text_column {
            50.0
        } else {
            (h.chars().count() as f64 + 2.0).max(9.0)
        };
        sheet.set_column_width(col, width)?;
    }
    Ok(())
}

/// A row of bold headings at `row`, from the first column on.
fn write_headings<'h>(
    sheet: &mut Worksheet,
    row: u32,
    headings: impl IntoIterator<Item = &'h str>,
    s: &Styles,
) -> Result<(), XlsxError> {
    for (col, h) in (0u16..).zip(headings) {
        sheet.write_string_with_format(row, col, h, &s.heading)?;
    }
    Ok(())
}

/// The items table's column widths, in characters (text and history wide and wrapped).
const ITEM_WIDTHS: [f64; 11] = [
    60.0, 22.0, 22.0, 11.0, 9.0, 11.0, 14.0, 40.0, 40.0, 14.0, 19.0,
];

/// The items table at `top`: one row per item (hidden ones only when they are in), with an
/// autofilter over it.
fn write_items(
    sheet: &mut Worksheet,
    top: u32,
    view: &View<'_>,
    prompt: &Prompt,
    l: &Labels,
    s: &Styles,
) -> Result<(), XlsxError> {
    let headings = l.item_headings();
    write_headings(sheet, top, headings, s)?;
    let mut last = top;
    for (row, item) in (top + 1..).zip(view.items(prompt)) {
        last = row;
        write_item(sheet, row, view, prompt, item, l, s)?;
    }
    for (col, width) in (0u16..).zip(ITEM_WIDTHS) {
        sheet.set_column_width(col, width)?;
    }
    for col in [0, 1, 2, 7, 8] {
        sheet.set_column_format(col, &s.wrap)?;
    }
    sheet.autofilter(top, 0, last, (headings.len() - 1) as u16)?;
    Ok(())
}

/// One item's row, its cells under [`Labels::item_headings`].
fn write_item(
    sheet: &mut Worksheet,
    row: u32,
    view: &View<'_>,
    prompt: &Prompt,
    item: &Item,
    l: &Labels,
    s: &Styles,
) -> Result<(), XlsxError> {
    let session = view.session;
    sheet.write_string_with_format(row, 0, text(&item.text), &s.wrap)?;
    if let Some(column) = tables::column_name(prompt, item) {
        sheet.write_string_with_format(row, 1, text(column), &s.wrap)?;
    }
    let group = tables::group_name(session, item.group.as_ref()).unwrap_or_default();
    if !group.is_empty() {
        sheet.write_string_with_format(row, 2, text(group), &s.wrap)?;
    }
    sheet.write_number(row, 3, session.like_count(item) as f64)?;
    sheet.write_number(row, 4, f64::from(view.dots(item)))?;
    sheet.write_string(row, 5, l.yes_no(item.hidden))?;
    sheet.write_string(row, 6, l.yes_no(item.starred))?;
    if let Some(into) = item.merged_into.and_then(|id| session.item(&id)) {
        sheet.write_string_with_format(row, 7, text(&into.text), &s.wrap)?;
    }
    if !item.history.is_empty() {
        let history = tables::history(item);
        sheet.write_string_with_format(row, 8, text(&history), &s.wrap)?;
    }
    sheet.write_string(row, 9, session.pseudonym(&item.participant))?;
    sheet.write_datetime_with_format(row, 10, view.local(item.created_at), &s.datetime)?;
    Ok(())
}

/// Text as a cell can hold it: at most Excel's 32,767 characters.
fn text(s: &str) -> &str {
    match s.char_indices().nth(CELL_TEXT_MAX) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

/// Sheet names handed out so far, so none repeats (Excel compares them case-insensitively).
#[derive(Default)]
struct SheetNames {
    taken: Vec<String>,
}

impl SheetNames {
    /// A valid, unused sheet name made from `wanted`: the characters Excel refuses become
    /// spaces, control characters go, and a name past 31 UTF-16 units is cut with `…`.
    fn claim(&mut self, wanted: &str) -> String {
        let base = sheet_name(wanted);
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name.to_lowercase()) || name.eq_ignore_ascii_case("history") {
            let suffix = format!(" ({n})");
            name = format!("{}{suffix}", cut(&base, SHEET_NAME_MAX - suffix.len()));
            n += 1;
        }
        self.taken.push(name.to_lowercase());
        name
    }
}

/// `wanted` as a sheet name Excel accepts (not yet checked for uniqueness).
fn sheet_name(wanted: &str) -> String {
    let cleaned: String = wanted
        .chars()
        .map(|c| {
            if SHEET_NAME_FORBIDDEN.contains(&c) || c.is_whitespace() {
                ' '
            } else {
                c
            }
        })
        .filter(|c| !c.is_control())
        .collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = if collapsed.encode_utf16().count() > SHEET_NAME_MAX {
        format!("{}…", cut(&collapsed, SHEET_NAME_MAX - 1).trim_end())
    } else {
        collapsed
    };
    // Excel refuses a name that starts or ends with an apostrophe, and an empty one.
    let name = name.trim_matches('\'').trim().to_owned();
    if name.is_empty() {
        "-".to_owned()
    } else {
        name
    }
}

/// The longest start of `s` that fits in `units` UTF-16 code units.
fn cut(s: &str, units: usize) -> &str {
    let mut used = 0;
    for (at, c) in s.char_indices() {
        used += c.len_utf16();
        if used > units {
            return &s[..at];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_short_valid_and_unique() {
        let mut names = SheetNames::default();
        assert_eq!(names.claim("Yhteenveto"), "Yhteenveto");
        let long = names.claim("3 Mitkä toimijat tulisi olla verkostossa mukana?");
        assert_eq!(long, "3 Mitkä toimijat tulisi olla v…");
        assert_eq!(long.encode_utf16().count(), 31);
        assert_eq!(names.claim("4 a/b [c]: *d?\\e"), "4 a b c d e");
        assert_eq!(names.claim("5 'lainaus'"), "5 'lainaus");
        assert_eq!(names.claim("YHTEENVETO"), "YHTEENVETO (2)");
        assert_eq!(names.claim("History"), "History (2)");
        assert_eq!(names.claim("'"), "-");
        assert_eq!(names.claim("6 rivi\nkaksi\ttab"), "6 rivi kaksi tab");
        // Emoji take two UTF-16 units each: Excel's limit counts those, not characters.
        let emoji = names.claim(&format!("7 {}", "🙂".repeat(20)));
        assert!(emoji.encode_utf16().count() <= 31, "{emoji}");
        for name in &names.taken {
            assert!(!name.contains(SHEET_NAME_FORBIDDEN), "{name}");
        }
    }

    #[test]
    fn cell_text_is_cut_at_excels_limit() {
        let long = "ä".repeat(CELL_TEXT_MAX + 5);
        assert_eq!(text(&long).chars().count(), CELL_TEXT_MAX);
        assert_eq!(text("lyhyt"), "lyhyt");
    }
}

#[cfg(test)]
mod workbook_tests {
    use std::io::Cursor;

    use calamine::{Data, Reader};

    use super::*;
    use crate::export::fixture::{self, T0};
    use crate::export::{Format, Options, PromptSelector};

    fn workbook(options: &Options) -> calamine::Xlsx<Cursor<Vec<u8>>> {
        let w = fixture::workshop();
        let view = View::new(&w.session, Format::Xlsx, options).unwrap();
        let bytes = xlsx(&view, T0 + 86_400_000).unwrap();
        calamine::Xlsx::new(Cursor::new(bytes)).unwrap()
    }

    /// A sheet as text, row by row (empty cells as "").
    fn rows(book: &mut calamine::Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> Vec<Vec<Data>> {
        let range = book.worksheet_range(sheet).unwrap();
        range.rows().map(|r| r.to_vec()).collect()
    }

    fn text(d: &Data) -> String {
        d.to_string()
    }

    #[test]
    fn summary_and_a_sheet_per_prompt() {
        let mut book = workbook(&Options::default());
        assert_eq!(
            book.sheet_names(),
            [
                "Yhteenveto",
                "1 Mitkä toimijat tulisi olla v…",
                "2 Millä sektorilla työskentelet",
                "3 Kunnan ja järjestöjen yhteis…",
                "4 Yksi sana yhteistyöstä",
                "5 Tärkeimmät toimijat",
            ]
        );
        let summary = rows(&mut book, "Yhteenveto");
        assert_eq!(text(&summary[0][0]), "HYVINSIVI – työpaja");
        let value = |label: &str| {
            summary
                .iter()
                .find(|r| text(&r[0]) == label)
                .map(|r| r[1].clone())
                .unwrap_or_else(|| panic!("no {label}"))
        };
        assert_eq!(text(&value("Lyhyt nimi")), "hyvinsivi");
        assert_eq!(value("Osallistujia"), Data::Float(3.0));
        assert_eq!(text(&value("Aikavyöhyke")), "Europe/Helsinki");
        // The day the first prompt opened, as a date (not when the session was made).
        match value("Päivämäärä") {
            Data::DateTime(d) => assert_eq!(d.as_f64(), 46349.0, "2026-11-23"),
            other => panic!("not a date: {other:?}"),
        }
        let header = summary.iter().position(|r| text(&r[0]) == "Nro").unwrap();
        assert_eq!(
            summary[header].iter().map(text).collect::<Vec<_>>(),
            [
                "Nro",
                "Kysymys",
                "Tehtävä",
                "Tila",
                "Avattu",
                "Suljettu",
                "Vastauksia",
                "Vastaajia"
            ]
        );
        let poll = &summary[header + 2];
        assert_eq!(text(&poll[2]), "Kysely");
        assert_eq!(text(&poll[3]), "Suljettu", "opening the next one closed it");
        assert_eq!(poll[6], Data::Empty, "a poll has no items");
        assert_eq!(poll[7], Data::Float(3.0));
        assert!(matches!(poll[4], Data::DateTime(_)));
        assert_eq!(summary[header + 1][6], Data::Float(4.0));
    }

    #[test]
    fn items_with_their_columns_and_times_in_helsinki() {
        let mut book = workbook(&Options::default());
        let sheet = rows(&mut book, "1 Mitkä toimijat tulisi olla v…");
        assert_eq!(
            text(&sheet[0][0]),
            "1. Mitkä toimijat tulisi olla verkostossa mukana?"
        );
        let header = &sheet[FIRST_TABLE_ROW as usize];
        assert_eq!(text(&header[0]), "Teksti");
        assert_eq!(text(&header[10]), "Aika");
        let items = &sheet[FIRST_TABLE_ROW as usize + 1..];
        assert_eq!(items.len(), 4);
        let first = &items[0];
        assert_eq!(text(&first[0]), "Äänekosken nuorisopalvelut ja Ohjaamo");
        assert_eq!(text(&first[1]), "Toimivat nyt");
        assert_eq!(text(&first[2]), "Digitaalisuus");
        assert_eq!(
            (first[3].clone(), first[4].clone()),
            (Data::Float(1.0), Data::Float(2.0))
        );
        assert_eq!(
            (text(&first[5]), text(&first[6])),
            ("ei".into(), "kyllä".into())
        );
        assert_eq!(text(&first[8]), "Äänekosken nuorisopalvelut");
        assert!(text(&first[9]).starts_with("p-"));
        // The fourth command after T0 (12:00 UTC): 14:04 in Helsinki, as an Excel date-time.
        match &first[10] {
            Data::DateTime(d) => {
                let expected = 46349.0 + (14.0 * 60.0 + 4.0) / (24.0 * 60.0);
                assert!((d.as_f64() - expected).abs() < 1e-6, "{}", d.as_f64());
            }
            other => panic!("not a date-time: {other:?}"),
        }
        // A formula-like text is a string cell, unescaped.
        assert_eq!(items[1][0], Data::String("=HYPERLINK(\"http://x\")".into()));
        assert_eq!(
            (text(&items[3][0]), text(&items[3][5])),
            ("Roskaa".into(), "kyllä".into())
        );
    }

    #[test]
    fn results_tables_then_answers() {
        let mut book = workbook(&Options {
            language: Some(Language::Sv),
            ..Options::default()
        });
        let poll = rows(&mut book, "2 Millä sektorilla työskentelet");
        let top = FIRST_TABLE_ROW as usize;
        assert_eq!(
            poll[top].iter().map(text).collect::<Vec<_>>(),
            ["Alternativ", "Röster", "Andel %"]
        );
        assert_eq!(
            poll[top + 1][..2],
            [Data::String("Kunta".into()), Data::Float(2.0)]
        );
        assert!(matches!(poll[top + 3][2], Data::Float(x) if (x - 1.0 / 3.0).abs() < 1e-9));
        let words = rows(&mut book, "4 Yksi sana yhteistyöstä");
        assert_eq!(
            words[top + 1][..2],
            [Data::String("yhteistyö".into()), Data::Float(2.0)]
        );
        let answers = words.iter().position(|r| text(&r[0]) == "Svar").unwrap();
        assert_eq!(text(&words[answers + 1][0]), "Text");
        assert_eq!(text(&words[answers + 2][0]), "Yhteistyö");
        assert_eq!(book.sheet_names()[0], "Sammanfattning");
    }

    #[test]
    fn hidden_items_out_and_one_prompt() {
        let mut book = workbook(&Options {
            hidden: Some(false),
            prompts: Some(vec![PromptSelector::Position(1)]),
            ..Options::default()
        });
        assert_eq!(book.sheet_names().len(), 2);
        let sheet = rows(&mut book, "1 Mitkä toimijat tulisi olla v…");
        assert_eq!(sheet.len(), FIRST_TABLE_ROW as usize + 1 + 3);
        assert!(sheet.iter().all(|r| text(&r[0]) != "Roskaa"));
    }
}
