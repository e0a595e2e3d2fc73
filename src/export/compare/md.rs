//! The comparison as Markdown (CommonMark with GitHub's tables): the same tables and numbers
//! as the HTML page, for pasting into a findings document. Every text is escaped.

use std::fmt::Write;

use crate::export::report::md::inline;

use super::labels::{labels, CompareLabels};
use super::model::{Comparison, Counted, RecurringKind, SharedPrompt, Side};
use super::{bar_text, kind_label, shown_date};

/// The whole document.
pub fn render(c: &Comparison) -> String {
    let l = labels(c.lang);
    let w = l.report.words;
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "# {}\n\n*{}*\n\n## {}\n\n",
        inline(&c.title),
        l.kicker,
        l.sessions
    );
    let _ = write!(
        out,
        "| {} | {} | {} | {} |\n|---|---|--:|--:|\n",
        l.session, w.date, w.participants, l.items
    );
    for f in &c.sessions {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            inline(&f.title),
            shown_date(l, &f.date),
            f.participants,
            f.items
        );
    }
    if c.prompts.is_empty() {
        let _ = write!(out, "\n{}\n", l.none_shared);
    }
    for (n, p) in c.prompts.iter().enumerate() {
        prompt(&mut out, c, l, n + 1, p);
    }
    recurring(&mut out, c, l);
    out
}

/// A count, or `–` when the kind has none.
fn count(n: Option<usize>) -> String {
    n.map_or_else(|| "–".to_owned(), |n| n.to_string())
}

fn counted(list: &[Counted]) -> String {
    if list.is_empty() {
        return "–".to_owned();
    }
    let parts: Vec<String> = list
        .iter()
        .map(|c| format!("{} ({})", inline(&c.text), c.count))
        .collect();
    parts.join("<br>")
}

fn prompt(out: &mut String, c: &Comparison, l: &CompareLabels, n: usize, p: &SharedPrompt) {
    let _ = write!(
        out,
        "\n## {n}. {}\n\n*{}*\n\n|  |",
        inline(&p.title),
        kind_label(l, p.kind)
    );
    for f in &c.sessions {
        let _ = write!(out, " {} |", inline(&f.title));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(c.sessions.len()));
    out.push('\n');
    let w = l.report.words;
    type Cell = fn(&Side) -> String;
    type Has = fn(&Side) -> bool;
    let rows: [(&str, Has, Cell); 5] = [
        (
            l.prompt,
            |_| true,
            |s| format!("{}. {}", s.place, inline(&s.title)),
        ),
        (l.items, |s| s.items.is_some(), |s| count(s.items)),
        (w.participants, |_| true, |s| s.participants.to_string()),
        (l.themes, |s| !s.themes.is_empty(), |s| counted(&s.themes)),
        (l.top_voted, |s| !s.top.is_empty(), |s| counted(&s.top)),
    ];
    for (label, has, cell) in rows {
        if !p.any(has) {
            continue;
        }
        let _ = write!(out, "| **{label}** |");
        for side in &p.sessions {
            let text = side
                .as_ref()
                .map(cell)
                .unwrap_or_else(|| l.not_in.to_owned());
            let _ = write!(out, " {text} |");
        }
        out.push('\n');
    }
    if let Some(bars) = &p.bars {
        let _ = write!(out, "\n|  |");
        for f in &c.sessions {
            let _ = write!(out, " {} |", inline(&f.title));
        }
        out.push_str("\n|---|");
        out.push_str(&"--:|".repeat(c.sessions.len()));
        out.push('\n');
        for row in &bars.rows {
            let _ = write!(out, "| {} |", inline(&row.label));
            for v in &row.values {
                // Our own numbers: nothing to escape (and `3.5` must not read `3\.5`).
                let text = v.map(|v| bar_text(l, bars.unit, &v)).unwrap_or("–".into());
                let _ = write!(out, " {text} |");
            }
            out.push('\n');
        }
    }
    for (f, side) in c.sessions.iter().zip(&p.sessions) {
        if let Some(notes) = side.as_ref().and_then(|s| s.notes.as_deref()) {
            let lines: Vec<String> = notes
                .lines()
                .map(crate::export::report::md::escape_line)
                .collect();
            let _ = write!(
                out,
                "\n**{} – {}:**\n\n> {}\n",
                l.notes,
                inline(&f.title),
                lines.join("  \n> ")
            );
        }
    }
}

fn recurring(out: &mut String, c: &Comparison, l: &CompareLabels) {
    let _ = write!(out, "\n## {}\n\n{}\n\n", l.recurring, l.recurring_intro);
    if c.recurring.is_empty() {
        let _ = writeln!(out, "{}", l.none_recurring);
        return;
    }
    let _ = write!(
        out,
        "| {} | {} | {} |",
        l.report.words.item, l.kind, l.in_sessions
    );
    for f in &c.sessions {
        let _ = write!(out, " {} |", inline(&f.title));
    }
    out.push_str("\n|---|---|--:|");
    out.push_str(&"--:|".repeat(c.sessions.len()));
    out.push('\n');
    for r in &c.recurring {
        let kind = match r.kind {
            RecurringKind::Item => l.kinds[0],
            RecurringKind::Theme => l.kinds[1],
        };
        let _ = write!(out, "| {} | {kind} | {} |", inline(&r.label), r.spread());
        for n in &r.sessions {
            match n {
                Some(n) => {
                    let _ = write!(out, " {n} |");
                }
                None => out.push_str(" – |"),
            }
        }
        out.push('\n');
    }
}
