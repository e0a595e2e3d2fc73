//! The comparison as a workbook: a summary sheet (the sessions and the shared prompts with
//! their counts), a sheet per shared prompt (each session side by side, then a poll's or
//! scale's numbers), a "recurring" sheet, and an "all items" sheet with a `session` column
//! and an autofilter, ready for a pivot table (its headings are the CSV's stable names).
//! Every text is a string cell, so a participant's `=SUM(…)` stays text.

use rust_xlsxwriter::{DocProperties, Format as Style, Workbook, Worksheet, XlsxError};

use crate::export::ExportError;

use super::labels::{labels, CompareLabels};
use super::model::{BarUnit, Bars, Comparison, Counted, SharedPrompt};

/// Excel's limit on a cell's text, in characters.
const CELL_TEXT_MAX: usize = 32_767;
/// Excel's limit on a sheet name, in UTF-16 units (kept to 28 to leave room for `(n)`).
const SHEET_NAME_MAX: usize = 28;

struct Styles {
    heading: Style,
    title: Style,
    wrap: Style,
    mean: Style,
    share: Style,
}

/// The workbook.
pub fn xlsx(c: &Comparison) -> Result<Vec<u8>, ExportError> {
    let l = labels(c.lang);
    let s = Styles {
        heading: Style::new().set_bold(),
        title: Style::new().set_bold().set_font_size(14),
        wrap: Style::new().set_text_wrap(),
        mean: Style::new().set_num_format("0.00"),
        share: Style::new().set_num_format("0.0%"),
    };
    let mut workbook = Workbook::new();
    workbook.set_properties(
        &DocProperties::new()
            .set_title(c.title.as_str())
            .set_author("Paja"),
    );
    let mut names: Vec<String> = Vec::new();
    let mut sheet = Worksheet::new();
    sheet.set_name(claim(&mut names, l.summary))?;
    write_summary(&mut sheet, c, l, &s)?;
    workbook.push_worksheet(sheet);
    for (n, prompt) in c.prompts.iter().enumerate() {
        let mut sheet = Worksheet::new();
        sheet.set_name(claim(&mut names, &format!("{} {}", n + 1, prompt.title)))?;
        write_prompt(&mut sheet, c, prompt, l, &s)?;
        workbook.push_worksheet(sheet);
    }
    let mut sheet = Worksheet::new();
    sheet.set_name(claim(&mut names, l.recurring))?;
    write_recurring(&mut sheet, c, l, &s)?;
    workbook.push_worksheet(sheet);
    let mut sheet = Worksheet::new();
    sheet.set_name(claim(&mut names, l.all_items))?;
    write_items(&mut sheet, c, &s)?;
    workbook.push_worksheet(sheet);
    Ok(workbook.save_to_buffer()?)
}

/// A sheet name Excel accepts and no other sheet has (compared without case).
fn claim(taken: &mut Vec<String>, wanted: &str) -> String {
    let cleaned: String = wanted
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => ' ',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .filter(|c| !c.is_control())
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let cleaned = cleaned.trim_matches('\'');
    let mut base = String::new();
    for c in cleaned.chars() {
        if base.encode_utf16().count() + c.len_utf16() > SHEET_NAME_MAX {
            break;
        }
        base.push(c);
    }
    if base.is_empty() || base.eq_ignore_ascii_case("history") {
        base = format!("{} ", taken.len() + 1) + base.as_str();
    }
    let mut name = base.trim().to_owned();
    let mut n = 2;
    while taken.contains(&name.to_lowercase()) {
        name = format!("{} ({n})", base.trim());
        n += 1;
    }
    taken.push(name.to_lowercase());
    name
}

/// A text as a cell takes it.
fn text(t: &str) -> String {
    t.chars().take(CELL_TEXT_MAX).collect()
}

fn headings(sheet: &mut Worksheet, row: u32, names: &[&str], s: &Styles) -> Result<(), XlsxError> {
    for (col, name) in (0u16..).zip(names) {
        sheet.write_string_with_format(row, col, *name, &s.heading)?;
    }
    Ok(())
}

fn write_summary(
    sheet: &mut Worksheet,
    c: &Comparison,
    l: &CompareLabels,
    s: &Styles,
) -> Result<(), XlsxError> {
    let w = l.report.words;
    sheet.write_string_with_format(0, 0, text(&c.title), &s.title)?;
    sheet.write_string_with_format(2, 0, l.sessions, &s.title)?;
    headings(
        sheet,
        3,
        &[l.session, l.title, w.date, w.participants, l.items],
        s,
    )?;
    for (row, f) in (4u32..).zip(&c.sessions) {
        sheet.write_string(row, 0, text(&f.name))?;
        sheet.write_string(row, 1, text(&f.title))?;
        sheet.write_string(row, 2, &f.date)?;
        sheet.write_number(row, 3, f.participants as f64)?;
        sheet.write_number(row, 4, f.items as f64)?;
    }
    let top = 5 + c.sessions.len() as u32;
    sheet.write_string_with_format(top, 0, l.shared, &s.title)?;
    headings(sheet, top + 1, &[l.prompt, l.kind], s)?;
    for (col, f) in (2u16..).zip(&c.sessions) {
        sheet.write_string_with_format(top + 1, col, text(&f.name), &s.heading)?;
    }
    for (row, p) in (top + 2..).zip(&c.prompts) {
        sheet.write_string_with_format(row, 0, text(&p.title), &s.wrap)?;
        sheet.write_string(row, 1, p.kind)?;
        for (col, side) in (2u16..).zip(&p.sessions) {
            if let Some(items) = side.as_ref().and_then(|s| s.items) {
                sheet.write_number(row, col, items as f64)?;
            }
        }
    }
    sheet.set_column_width(0, 40)?;
    sheet.set_column_width(1, 30)?;
    Ok(())
}

fn joined(list: &[Counted]) -> String {
    let parts: Vec<String> = list
        .iter()
        .map(|c| format!("{} ({})", c.text, c.count))
        .collect();
    parts.join("; ")
}

fn write_prompt(
    sheet: &mut Worksheet,
    c: &Comparison,
    p: &SharedPrompt,
    l: &CompareLabels,
    s: &Styles,
) -> Result<(), XlsxError> {
    let w = l.report.words;
    sheet.write_string_with_format(0, 0, text(&p.title), &s.title)?;
    let names = [
        l.session,
        l.prompt,
        l.items,
        w.participants,
        l.themes,
        l.top_voted,
        l.notes,
    ];
    headings(sheet, 2, &names, s)?;
    sheet.set_freeze_panes(3, 0)?;
    for (row, (f, side)) in (3u32..).zip(c.sessions.iter().zip(&p.sessions)) {
        sheet.write_string(row, 0, text(&f.name))?;
        let Some(side) = side else {
            sheet.write_string(row, 1, l.not_in)?;
            continue;
        };
        sheet.write_string(row, 1, text(&format!("{}. {}", side.place, side.title)))?;
        if let Some(items) = side.items {
            sheet.write_number(row, 2, items as f64)?;
        }
        sheet.write_number(row, 3, side.participants as f64)?;
        sheet.write_string_with_format(row, 4, text(&joined(&side.themes)), &s.wrap)?;
        sheet.write_string_with_format(row, 5, text(&joined(&side.top)), &s.wrap)?;
        let notes = side.notes.as_deref().unwrap_or_default();
        sheet.write_string_with_format(row, 6, text(notes), &s.wrap)?;
    }
    for (col, width) in (0u16..).zip([18, 40, 10, 12, 40, 40, 50]) {
        sheet.set_column_width(col, width)?;
    }
    if let Some(bars) = &p.bars {
        write_bars(sheet, 5 + c.sessions.len() as u32, c, bars, l, s)?;
    }
    Ok(())
}

/// A poll's shares (votes over voters) or a scale's means, an option or statement per row,
/// a session per column.
fn write_bars(
    sheet: &mut Worksheet,
    top: u32,
    c: &Comparison,
    bars: &Bars,
    l: &CompareLabels,
    s: &Styles,
) -> Result<(), XlsxError> {
    let w = l.report.words;
    let (first, unit) = match bars.unit {
        BarUnit::Share => (w.option, w.share),
        BarUnit::Mean => (w.statement, w.mean),
    };
    sheet.write_string_with_format(top, 0, first, &s.heading)?;
    for (col, f) in (1u16..).zip(&c.sessions) {
        let heading = format!("{} – {unit}", f.name);
        sheet.write_string_with_format(top, col, text(&heading), &s.heading)?;
    }
    for (row, r) in (top + 1..).zip(&bars.rows) {
        sheet.write_string_with_format(row, 0, text(&r.label), &s.wrap)?;
        for (col, v) in (1u16..).zip(&r.values) {
            if let Some(v) = v {
                let style = match bars.unit {
                    BarUnit::Share => &s.share,
                    BarUnit::Mean => &s.mean,
                };
                sheet.write_number_with_format(row, col, v.value, style)?;
            }
        }
    }
    Ok(())
}

fn write_recurring(
    sheet: &mut Worksheet,
    c: &Comparison,
    l: &CompareLabels,
    s: &Styles,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(0, 0, l.recurring, &s.title)?;
    sheet.write_string(1, 0, l.recurring_intro)?;
    headings(
        sheet,
        3,
        &[l.report.words.item, l.kind, l.in_sessions, l.total],
        s,
    )?;
    for (col, f) in (4u16..).zip(&c.sessions) {
        sheet.write_string_with_format(3, col, text(&f.name), &s.heading)?;
    }
    sheet.set_freeze_panes(4, 0)?;
    for (row, r) in (4u32..).zip(&c.recurring) {
        sheet.write_string_with_format(row, 0, text(&r.label), &s.wrap)?;
        let kind = match r.kind {
            super::model::RecurringKind::Item => l.kinds[0],
            super::model::RecurringKind::Theme => l.kinds[1],
        };
        sheet.write_string(row, 1, kind)?;
        sheet.write_number(row, 2, r.spread() as f64)?;
        sheet.write_number(row, 3, r.total() as f64)?;
        for (col, n) in (4u16..).zip(&r.sessions) {
            if let Some(n) = n {
                sheet.write_number(row, col, *n as f64)?;
            }
        }
    }
    sheet.set_column_width(0, 50)?;
    Ok(())
}

/// Every item under the CSV's column names, with an autofilter for pivoting.
fn write_items(sheet: &mut Worksheet, c: &Comparison, s: &Styles) -> Result<(), XlsxError> {
    headings(sheet, 0, &super::csv::HEADER, s)?;
    sheet.set_freeze_panes(1, 0)?;
    let mut last = 0;
    for (row, item) in (1u32..).zip(&c.items) {
        let Some(f) = c.sessions.get(item.session) else {
            continue;
        };
        let cells = [
            f.name.as_str(),
            &f.title,
            &f.date,
            "",
            &item.prompt,
            item.template.as_deref().unwrap_or_default(),
            &item.text,
            item.theme.as_deref().unwrap_or_default(),
            item.column.as_deref().unwrap_or_default(),
            item.group.as_deref().unwrap_or_default(),
            &item.participant,
        ];
        for (col, cell) in (0u16..).zip(cells) {
            sheet.write_string(row, col, text(cell))?;
        }
        sheet.write_number(row, 3, item.place as f64)?;
        sheet.write_string(row, 11, crate::export::iso8601(item.created_at))?;
        sheet.write_number(row, 12, item.likes as f64)?;
        sheet.write_number(row, 13, f64::from(item.dots))?;
        last = row;
    }
    sheet.autofilter(0, 0, last, 13)?;
    sheet.set_column_width(4, 40)?;
    sheet.set_column_width(6, 50)?;
    Ok(())
}
