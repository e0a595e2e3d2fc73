//! Matrix (2×2): each ballot item's mean position and spread as a results table, a chart
//! drawn as inline SVG with a numbers table in the report, and each participant's
//! placements in the JSON. Its own phrases live here, so the shared word lists only gained
//! its name.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::session::ItemId;
use crate::session::{
    AnswerSet, Axis, Language, ParticipantId, PlaceDoc, Placed, Prompt, PromptId, Results, Session,
    MATRIX_STEPS,
};

use crate::export::json::AnswerDoc;
use crate::export::report::html::{escape, shorten, CHART_WIDTH};
use crate::export::report::md::inline;
use crate::export::report::Labels;
use crate::export::tables::{count, Table, Value};
use crate::export::words::Words;
use crate::export::View;

/// The matrix's own phrases in one language.
#[derive(Debug)]
pub struct MatrixWords {
    /// How many placed an item.
    pub placed_by: &'static str,
    /// `{axis}`: an axis's mean position.
    pub mean: &'static str,
    /// `{axis}`: an axis's standard deviation.
    pub sd: &'static str,
    /// `{n}`: participants who placed at least one item.
    pub placers_n: &'static str,
}

static FI: MatrixWords = MatrixWords {
    placed_by: "Sijoittaneita (n)",
    mean: "{axis}: keskiarvo",
    sd: "{axis}: keskihajonta",
    placers_n: "Sijoittaneita: {n}",
};

static SV: MatrixWords = MatrixWords {
    placed_by: "Placerad av (n)",
    mean: "{axis}: medelvärde",
    sd: "{axis}: standardavvikelse",
    placers_n: "Placerade: {n}",
};

static EN: MatrixWords = MatrixWords {
    placed_by: "Placed by (n)",
    mean: "{axis}: mean",
    sd: "{axis}: sd",
    placers_n: "Placed by: {n}",
};

/// The matrix's phrases in `language`.
pub fn words(language: Language) -> &'static MatrixWords {
    match language {
        Language::Fi => &FI,
        Language::Sv => &SV,
        Language::En => &EN,
    }
}

/// One item in the report: its number on the chart and its numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Its number on the chart and in the table, 1-based in ballot order.
    pub number: usize,
    /// Its position, spread and how many placed it.
    pub placed: Placed,
    /// Hidden since the matrix opened (only when hidden items are in).
    pub hidden: bool,
}

/// A matrix in the report: what was placed, the axes, the items, how many placed.
#[derive(Debug)]
pub struct Chart<'a> {
    /// Which prompt's items were placed, as a sentence.
    pub ballot: Option<String>,
    /// The horizontal axis.
    pub x: &'a Axis,
    /// The vertical axis.
    pub y: &'a Axis,
    /// The ballot items, in ballot order.
    pub entries: Vec<Entry>,
    /// How many placed items, as a line of text.
    pub count: String,
    /// The matrix's phrases.
    pub words: &'static MatrixWords,
}

/// The ballot items the export shows: an item hidden since the matrix opened is left out
/// unless hidden items are in (as a dot vote's ranking does).
fn entries(view: &View<'_>, items: Vec<Placed>) -> Vec<Entry> {
    items
        .into_iter()
        .filter_map(|placed| {
            let hidden = view.session.item(&placed.item_id).is_some_and(|i| i.hidden);
            (view.hidden || !hidden).then_some((placed, hidden))
        })
        .enumerate()
        .map(|(at, (placed, hidden))| Entry {
            number: at + 1,
            placed,
            hidden,
        })
        .collect()
}

/// A heading with its axis's label.
fn about(template: &str, axis: &Axis) -> String {
    template.replace("{axis}", &axis.label)
}

/// The results table: item, placed by (n), mean on x and y, sd on x and y.
pub fn table(
    view: &View<'_>,
    w: &Words,
    (x, y): (&Axis, &Axis),
    results: Option<Results>,
) -> Table {
    let m = words(view.language);
    let headers = vec![
        w.item.into(),
        m.placed_by.into(),
        about(m.mean, x),
        about(m.mean, y),
        about(m.sd, x),
        about(m.sd, y),
    ];
    let rows = match results {
        Some(Results::Matrix { items, .. }) => entries(view, items)
            .into_iter()
            .map(|e| {
                let p = e.placed;
                vec![
                    Value::Text(p.text),
                    count(p.n),
                    Value::Mean(p.x),
                    Value::Mean(p.y),
                    Value::Mean(p.sx),
                    Value::Mean(p.sy),
                ]
            })
            .collect(),
        _ => Vec::new(),
    };
    Table { headers, rows }
}

/// The report's section; `None` when nobody placed an item.
pub fn section<'a>(
    view: &View<'_>,
    l: &'static Labels,
    (source, x, y): (&PromptId, &'a Axis, &'a Axis),
    results: Results,
) -> Option<Chart<'a>> {
    // The activity decides the results' kind; a mismatch cannot happen.
    let Results::Matrix {
        participants,
        items,
    } = results
    else {
        return None;
    };
    if participants == 0 {
        return None;
    }
    let m = words(view.language);
    Some(Chart {
        ballot: view
            .session
            .prompt(source)
            .map(|p| l.n(l.ballot_from, crate::export::tables::place(view.session, p))),
        x,
        y,
        entries: entries(view, items),
        count: l.n(m.placers_n, participants),
        words: m,
    })
}

/// A number for the report's table, "–" when nobody placed the item.
fn number(l: &Labels, x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |x| l.decimal(x))
}

/// The chart: the plot's side and margins, in SVG units.
const SIDE: f64 = 420.0;
const LEFT: f64 = 150.0;
const TOP: f64 = 30.0;

/// Where position `v` (1..=STEPS) falls along the plot's side, from its low end.
fn along(v: f64) -> f64 {
    SIDE * (v - 1.0) / f64::from(MATRIX_STEPS - 1)
}

/// The chart as inline SVG: the plot with its quadrant lines, the axes' labels and ends,
/// each placed item a numbered dot at its mean with a cross of ±1 sd. The table under it
/// carries the numbers and the texts for screen readers, so the drawing is hidden from them.
pub fn chart(c: &Chart<'_>) -> String {
    let (right, bottom) = (LEFT + SIDE, TOP + SIDE);
    let (mid_x, mid_y) = (LEFT + SIDE / 2.0, TOP + SIDE / 2.0);
    let height = bottom + 60.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"matrix\" viewBox=\"0 0 {CHART_WIDTH} {height}\" \
         width=\"{CHART_WIDTH}\" height=\"{height}\" aria-hidden=\"true\" focusable=\"false\">\n\
         <rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{SIDE}\" height=\"{SIDE}\" fill=\"#f4f6fa\" stroke=\"#4a4a4a\"/>\n\
         <line x1=\"{mid_x}\" y1=\"{TOP}\" x2=\"{mid_x}\" y2=\"{bottom}\" stroke=\"#9aa5b5\" stroke-dasharray=\"4 4\"/>\n\
         <line x1=\"{LEFT}\" y1=\"{mid_y}\" x2=\"{right}\" y2=\"{mid_y}\" stroke=\"#9aa5b5\" stroke-dasharray=\"4 4\"/>\n"
    );
    let text = |t: &str| escape(&shorten(t, 40));
    let _ = write!(
        svg,
        "<text class=\"muted\" x=\"{LEFT}\" y=\"{}\">{}</text>\n\
         <text class=\"muted\" x=\"{right}\" y=\"{}\" text-anchor=\"end\">{}</text>\n\
         <text x=\"{mid_x}\" y=\"{}\" text-anchor=\"middle\">{} →</text>\n\
         <text class=\"muted\" x=\"{}\" y=\"{bottom}\" text-anchor=\"end\">{}</text>\n\
         <text class=\"muted\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n\
         <text x=\"{}\" y=\"{mid_y}\" text-anchor=\"end\">{} ↑</text>\n",
        bottom + 20.0,
        text(&c.x.low),
        bottom + 20.0,
        text(&c.x.high),
        bottom + 44.0,
        text(&c.x.label),
        LEFT - 8.0,
        text(&c.y.low),
        LEFT - 8.0,
        TOP + 12.0,
        text(&c.y.high),
        LEFT - 8.0,
        escape(&shorten(&c.y.label, 20)),
    );
    for e in &c.entries {
        let p = &e.placed;
        let (Some(x), Some(y)) = (p.x, p.y) else {
            continue;
        };
        let (cx, cy) = (LEFT + along(x), bottom - along(y));
        let (dx, dy) = (
            SIDE * p.sx.unwrap_or(0.0) / 4.0,
            SIDE * p.sy.unwrap_or(0.0) / 4.0,
        );
        let _ = write!(
            svg,
            "<line class=\"spread\" x1=\"{:.1}\" y1=\"{cy:.1}\" x2=\"{:.1}\" y2=\"{cy:.1}\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>\n\
             <line class=\"spread\" x1=\"{cx:.1}\" y1=\"{:.1}\" x2=\"{cx:.1}\" y2=\"{:.1}\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>\n\
             <circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"11\" fill=\"#1f5fa8\"/>\n\
             <text class=\"dot\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#ffffff\">{}</text>\n",
            (cx - dx).max(LEFT),
            (cx + dx).min(right),
            (cy - dy).max(TOP),
            (cy + dy).min(bottom),
            cy + 4.5,
            e.number,
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The section in HTML: what was placed, the chart with its numbers table, then the count.
pub fn html(out: &mut String, l: &Labels, c: &Chart<'_>) {
    let (w, m) = (l.words, c.words);
    if let Some(ballot) = &c.ballot {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(ballot));
    }
    out.push_str("<figure class=\"chart\">\n");
    out.push_str(&chart(c));
    let _ = write!(
        out,
        "<table>\n<thead><tr><th scope=\"col\" class=\"num\">#</th><th scope=\"col\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th>\
         <th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        w.item,
        escape(m.placed_by),
        escape(&about(m.mean, c.x)),
        escape(&about(m.mean, c.y)),
        escape(&about(m.sd, c.x)),
        escape(&about(m.sd, c.y)),
    );
    for e in &c.entries {
        let p = &e.placed;
        let _ = writeln!(
            out,
            "<tr><td class=\"num\">{}</td><td><span class=\"text\">{}</span>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            e.number,
            escape(&p.text),
            if e.hidden {
                format!(" <span class=\"tag hidden\">{}</span>", l.hidden)
            } else {
                String::new()
            },
            p.n,
            number(l, p.x),
            number(l, p.y),
            number(l, p.sx),
            number(l, p.sy),
        );
    }
    out.push_str("</tbody>\n</table>\n</figure>\n");
    let _ = writeln!(out, "<p class=\"count\">{}</p>", escape(&c.count));
}

/// The section in Markdown: what was placed, the numbers table, then the count.
pub fn md(out: &mut String, l: &Labels, c: &Chart<'_>) {
    let (w, m) = (l.words, c.words);
    if let Some(ballot) = &c.ballot {
        let _ = write!(out, "\n{ballot}\n");
    }
    let _ = write!(
        out,
        "\n| # | {} | {} | {} | {} | {} | {} |\n|---:|---|---:|---:|---:|---:|---:|\n",
        w.item,
        m.placed_by,
        inline(&about(m.mean, c.x)),
        inline(&about(m.mean, c.y)),
        inline(&about(m.sd, c.x)),
        inline(&about(m.sd, c.y)),
    );
    for e in &c.entries {
        let p = &e.placed;
        let _ = writeln!(
            out,
            "| {} | {}{} | {} | {} | {} | {} | {} |",
            e.number,
            inline(&p.text),
            if e.hidden {
                format!(" *({})*", l.hidden)
            } else {
                String::new()
            },
            p.n,
            number(l, p.x),
            number(l, p.y),
            number(l, p.sx),
            number(l, p.sy),
        );
    }
    let _ = write!(out, "\n{}\n", c.count);
}

/// Each participant's placements on `included` items, in item order; a participant whose
/// placements were all on left-out items is left out. Adds those kept to `participants`.
pub fn answers(
    session: &Session,
    prompt: &PromptId,
    included: &BTreeSet<ItemId>,
    participants: &mut BTreeSet<ParticipantId>,
) -> Vec<AnswerDoc> {
    let Some(answers) = session.answers(prompt).and_then(AnswerSet::as_matrix) else {
        return Vec::new();
    };
    let mut docs = Vec::new();
    for (who, placed) in &answers.placed {
        let places: Vec<PlaceDoc> = placed
            .iter()
            .filter(|(id, _)| included.contains(id))
            .map(|(id, [x, y])| PlaceDoc {
                item_id: *id,
                x: *x,
                y: *y,
            })
            .collect();
        if places.is_empty() {
            continue;
        }
        participants.insert(*who);
        docs.push(AnswerDoc {
            participant: session.pseudonym(who),
            places: Some(places),
            ..AnswerDoc::default()
        });
    }
    docs
}

/// Adds everyone who placed an item to `who`.
pub fn respondents(session: &Session, prompt: &Prompt, who: &mut BTreeSet<ParticipantId>) {
    if let Some(answers) = session.answers(&prompt.id).and_then(AnswerSet::as_matrix) {
        who.extend(
            answers
                .placed
                .iter()
                .filter(|(_, placed)| !placed.is_empty())
                .map(|(p, _)| *p),
        );
    }
}
