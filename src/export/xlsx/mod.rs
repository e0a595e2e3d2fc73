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

use super::activity::themes;
use super::tables::{self, labels, place, results_table, Labels, Table, Value};
use super::{language_code, ExportError, View};

mod names;
#[cfg(test)]
mod tests;

use names::SheetNames;

/// Excel's limit on a cell's text, in characters.
const CELL_TEXT_MAX: usize = 32_767;

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
    write_prompt_list(sheet, row + 1, view, l, s)
}

/// The summary's table of the exported prompts at `top`: place, question, activity, state,
/// when opened and closed, how many items and how many respondents.
fn write_prompt_list(
    sheet: &mut Worksheet,
    top: u32,
    view: &View<'_>,
    l: &Labels,
    s: &Styles,
) -> Result<(), XlsxError> {
    let (session, w) = (view.session, l.words);
    sheet.write_string_with_format(top, 0, l.prompts, &s.title)?;
    let header = top + 1;
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
    // The question in each other language any listed prompt has, a column each after these.
    let languages = view.translated_languages();
    for (col, language) in (headings.len() as u16..).zip(&languages) {
        let heading = format!("{} ({})", l.question, language_code(*language));
        sheet.write_string_with_format(header, col, heading, &s.heading)?;
        sheet.set_column_width(col, 60)?;
    }
    for (row, prompt) in (header + 1..).zip(&view.prompts) {
        for (col, language) in (headings.len() as u16..).zip(&languages) {
            if let Some(v) = prompt.draft.translations.get(language) {
                sheet.write_string_with_format(row, col, text(&v.title), &s.wrap)?;
            }
        }
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
    let widths = [24, 60, 16, 10, 19, 19, 12, 12];
    for (col, width) in (0u16..).zip(widths) {
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
    // A brainstorm's items are its results; its themes, when it has some, sum them up.
    let results = results_table(view, prompt).or_else(|| themes_table(view, prompt, l));
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

/// A themed brainstorm's themes with how many items, likes and dots each got, and "Other"
/// for the items in none; `None` without themes.
fn themes_table(view: &View<'_>, prompt: &Prompt, l: &Labels) -> Option<Table> {
    let w = l.words;
    let rows = themes::summary(view, prompt, w.other_theme);
    if rows.is_empty() {
        return None;
    }
    Some(Table {
        headers: [w.theme, l.items, l.likes, w.dots]
            .map(str::to_owned)
            .to_vec(),
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    Value::Text(r.name.to_owned()),
                    tables::count(r.items),
                    tables::count(r.likes),
                    Value::Count(u64::from(r.dots)),
                ]
            })
            .collect(),
    })
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
const ITEM_WIDTHS: [f64; 12] = [
    60.0, 22.0, 22.0, 22.0, 11.0, 9.0, 11.0, 14.0, 40.0, 40.0, 14.0, 19.0,
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
    for col in [0, 1, 2, 3, 8, 9] {
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
    if let Some(theme) = tables::theme_name(session, item) {
        sheet.write_string_with_format(row, 3, text(theme), &s.wrap)?;
    }
    sheet.write_number(row, 4, session.like_count(item) as f64)?;
    sheet.write_number(row, 5, f64::from(view.dots(item)))?;
    sheet.write_string(row, 6, l.yes_no(item.hidden))?;
    sheet.write_string(row, 7, l.yes_no(item.starred))?;
    if let Some(into) = item.merged_into.and_then(|id| session.item(&id)) {
        sheet.write_string_with_format(row, 8, text(&into.text), &s.wrap)?;
    }
    if !item.history.is_empty() {
        let history = tables::history(item);
        sheet.write_string_with_format(row, 9, text(&history), &s.wrap)?;
    }
    sheet.write_string(row, 10, session.pseudonym(&item.participant))?;
    sheet.write_datetime_with_format(row, 11, view.local(item.created_at), &s.datetime)?;
    Ok(())
}

/// Text as a cell can hold it: at most Excel's 32,767 characters.
fn text(s: &str) -> &str {
    match s.char_indices().nth(CELL_TEXT_MAX) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}
