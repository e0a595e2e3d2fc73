//! The comparison as one self-contained HTML page that prints to A4: inline style and SVG, no
//! script and no external resource (its own CSP says so), tables that fit 210 mm (fixed
//! layout, words wrap), each shared prompt on a page of its own when printed. Every text is
//! escaped: participants' items and facilitators' wording alike are untrusted.

use std::fmt::Write;

use crate::export::report::html::{escape, shorten};

use super::labels::{labels, CompareLabels};
use super::model::{BarUnit, Bars, Comparison, Counted, RecurringKind, SharedPrompt, Side};
use super::{bar_text, shown_date};

/// Width of a chart's drawing, in SVG user units.
const CHART_WIDTH: u32 = 640;
/// Where bars start (the session's name is left of them).
const BAR_LEFT: u32 = 150;
/// The longest bar; the number is written after it.
const TRACK: u32 = 380;
/// Height of one session's bar row.
const BAR_ROW: u32 = 20;
/// Longest label drawn in a chart, in characters.
const CHART_LABEL_MAX: usize = 80;
/// The sessions' colours, in turn (3:1 or more against white; print keeps them).
const COLOURS: [&str; 6] = [
    "#1f5fa8", "#b3541e", "#2e7d32", "#7b3fa0", "#a31d4f", "#5d6b00",
];

const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 60rem; padding: 2rem 1.25rem 4rem; color: #1a1a1a; background: #fff;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 2rem; line-height: 1.2; margin: .2rem 0 1rem; }
h2 { font-size: 1.4rem; line-height: 1.25; margin: 0 0 .3rem; }
h3 { font-size: 1.1rem; margin: 1.2rem 0 .4rem; }
.kicker { margin: 0; text-transform: uppercase; letter-spacing: .08em; font-size: .85rem; color: #4a4a4a; }
.meta, .none, .intro { color: #4a4a4a; }
.prompt, .recurring { margin: 0 0 2.5rem; padding-top: 1rem; border-top: 3px solid #1f5fa8; }
table { width: 100%; table-layout: fixed; border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #c8c8c8; padding: .2rem .45rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #eef2f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
ul.counted { margin: 0; padding-left: 1rem; }
.notes { white-space: pre-line; }
.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .35em; border-radius: 2px;
  vertical-align: -.05em; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
.chart { margin: .6rem 0 1rem; break-inside: avoid; page-break-inside: avoid; }
.chart svg { display: block; width: 100%; max-width: 640px; height: auto; }
svg text { font-family: inherit; font-size: 12px; fill: #1a1a1a; }
svg .label { font-weight: 600; }
svg rect { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  body { max-width: none; padding: 0; color: #000; font-size: 10pt; }
  .kicker, .meta, .none, .intro { color: #000; }
  .prompt, .recurring { break-before: page; page-break-before: always; border-top: 2px solid #000; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  th { background: #fff; }
}
"#;

/// The whole page.
pub fn render(c: &Comparison) -> String {
    let l = labels(c.lang);
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"generator\" content=\"Paja\">\n<title>{} – {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header>\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n",
        l.report.code,
        escape(&c.title),
        l.kicker,
        l.kicker,
        escape(&c.title),
    );
    sessions_table(&mut out, c, l);
    out.push_str("</header>\n<main>\n");
    if c.prompts.is_empty() {
        let _ = writeln!(out, "<p class=\"none\">{}</p>", l.none_shared);
    }
    for (n, prompt) in c.prompts.iter().enumerate() {
        prompt_section(&mut out, c, l, n + 1, prompt);
    }
    recurring(&mut out, c, l);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn sessions_table(out: &mut String, c: &Comparison, l: &CompareLabels) {
    let w = l.report.words;
    let _ = write!(
        out,
        "<h2>{}</h2>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        l.sessions, l.session, w.date, w.participants, l.items
    );
    for (s, f) in c.sessions.iter().enumerate() {
        let _ = writeln!(
            out,
            "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            COLOURS[s % COLOURS.len()],
            escape(&f.title),
            shown_date(l, &f.date),
            f.participants,
            f.items
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn counted(list: &[Counted]) -> String {
    if list.is_empty() {
        return "–".to_owned();
    }
    let mut out = String::from("<ul class=\"counted\">");
    for c in list {
        let _ = write!(out, "<li>{} ({})</li>", escape(&c.text), c.count);
    }
    out.push_str("</ul>");
    out
}

fn prompt_section(out: &mut String, c: &Comparison, l: &CompareLabels, n: usize, p: &SharedPrompt) {
    let kind = super::kind_label(l, p.kind);
    let _ = write!(
        out,
        "<section class=\"prompt\" id=\"q{n}\">\n<h2>{n}. {}</h2>\n<p class=\"meta\">{}</p>\n\
         <table>\n<thead><tr><th></th>",
        escape(&p.title),
        escape(kind),
    );
    for f in &c.sessions {
        let _ = write!(out, "<th>{}</th>", escape(&f.title));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    let w = l.report.words;
    type Cell = fn(&Side) -> String;
    type Has = fn(&Side) -> bool;
    let rows: [(&str, Has, Cell); 6] = [
        (
            l.prompt,
            |_| true,
            |s| format!("{}. {}", s.place, escape(&s.title)),
        ),
        (
            l.items,
            |s| s.items.is_some(),
            |s| s.items.map_or("–".into(), |n| n.to_string()),
        ),
        (w.participants, |_| true, |s| s.participants.to_string()),
        (l.themes, |s| !s.themes.is_empty(), |s| counted(&s.themes)),
        (l.top_voted, |s| !s.top.is_empty(), |s| counted(&s.top)),
        (
            l.notes,
            |s| s.notes.is_some(),
            |s| {
                let notes = s.notes.as_deref().unwrap_or("–");
                format!("<div class=\"notes\">{}</div>", escape(notes))
            },
        ),
    ];
    for (label, has, cell) in rows {
        if !p.any(has) {
            continue;
        }
        let _ = write!(out, "<tr><th>{label}</th>");
        for side in &p.sessions {
            match side {
                Some(side) => {
                    let _ = write!(out, "<td>{}</td>", cell(side));
                }
                None => {
                    let _ = write!(out, "<td class=\"none\">{}</td>", l.not_in);
                }
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if let Some(bars) = &p.bars {
        let _ = writeln!(out, "<div class=\"chart\">{}</div>", chart(c, l, bars));
    }
    out.push_str("</section>\n");
}

/// Grouped horizontal bars: per option or statement its label, then a bar per session in the
/// session's colour with the numbers at its end.
fn chart(c: &Comparison, l: &CompareLabels, bars: &Bars) -> String {
    let per_row = 22 + BAR_ROW * u32::try_from(c.sessions.len()).unwrap_or(0) + 10;
    let rows = u32::try_from(bars.rows.len()).unwrap_or(0).max(1);
    let height = per_row * rows;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {CHART_WIDTH} {height}\" \
         width=\"{CHART_WIDTH}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">\n",
        escape(&bars_summary(c, l, bars))
    );
    let whole = match bars.unit {
        BarUnit::Share => 1.0,
        BarUnit::Mean => f64::from(bars.max.max(1)),
    };
    for (r, row) in bars.rows.iter().enumerate() {
        let top = per_row * u32::try_from(r).unwrap_or(0);
        let _ = writeln!(
            svg,
            "<text class=\"label\" x=\"0\" y=\"{}\">{}</text>",
            top + 15,
            escape(&shorten(&row.label, CHART_LABEL_MAX))
        );
        for (s, (f, value)) in c.sessions.iter().zip(&row.values).enumerate() {
            let y = top + 22 + BAR_ROW * u32::try_from(s).unwrap_or(0);
            let name = shorten(&f.title, 22);
            let _ = writeln!(
                svg,
                "<text x=\"0\" y=\"{}\">{}</text>",
                y + 13,
                escape(&name)
            );
            let Some(v) = value else {
                let _ = writeln!(svg, "<text x=\"{BAR_LEFT}\" y=\"{}\">–</text>", y + 13);
                continue;
            };
            let width =
                (f64::from(TRACK) * (v.value / whole).clamp(0.0, 1.0) * 10.0).round() / 10.0;
            let _ = writeln!(
                svg,
                "<rect x=\"{BAR_LEFT}\" y=\"{}\" width=\"{width}\" height=\"14\" fill=\"{}\"/>\
                 <text x=\"{}\" y=\"{}\">{}</text>",
                y + 2,
                COLOURS[s % COLOURS.len()],
                f64::from(BAR_LEFT) + width + 6.0,
                y + 13,
                escape(&bar_text(l, bars.unit, v))
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The chart's numbers in words, for screen readers.
fn bars_summary(c: &Comparison, l: &CompareLabels, bars: &Bars) -> String {
    let mut parts = Vec::new();
    for row in &bars.rows {
        let values: Vec<String> = c
            .sessions
            .iter()
            .zip(&row.values)
            .map(|(f, v)| match v {
                Some(v) => format!("{} {}", f.title, bar_text(l, bars.unit, v)),
                None => format!("{} –", f.title),
            })
            .collect();
        parts.push(format!(
            "{}: {}",
            shorten(&row.label, CHART_LABEL_MAX),
            values.join(", ")
        ));
    }
    parts.join("; ")
}

fn recurring(out: &mut String, c: &Comparison, l: &CompareLabels) {
    let _ = write!(
        out,
        "<section class=\"recurring\" id=\"recurring\">\n<h2>{}</h2>\n<p class=\"intro\">{}</p>\n",
        l.recurring, l.recurring_intro
    );
    if c.recurring.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"none\">{}</p>\n</section>",
            l.none_recurring
        );
        return;
    }
    let _ = write!(
        out,
        "<table>\n<thead><tr><th style=\"width:30%\">{}</th><th>{}</th><th class=\"num\">{}</th>",
        l.report.words.item, l.kind, l.in_sessions
    );
    for f in &c.sessions {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(&f.title));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &c.recurring {
        let kind = match r.kind {
            RecurringKind::Item => l.kinds[0],
            RecurringKind::Theme => l.kinds[1],
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{kind}</td><td class=\"num\">{}</td>",
            escape(&r.label),
            r.spread()
        );
        for n in &r.sessions {
            match n {
                Some(n) => {
                    let _ = write!(out, "<td class=\"num\">{n}</td>");
                }
                None => out.push_str("<td class=\"num\">–</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}
