//! The report as one self-contained HTML page: inline style, inline SVG charts, no script and no
//! external resource (its own CSP says so), readable on screen and printable to A4 PDF.

use std::fmt::Write;

use super::{Labels, Report, Section};

/// Width of every chart's drawing, in SVG user units (CSS pixels at 100 %).
pub const CHART_WIDTH: u32 = 640;
/// Width of a bar chart's track: the rest is for the number at the bar's end.
const TRACK: u32 = 500;
/// Longest label drawn in a chart, in characters; the table under it has the whole text.
const CHART_LABEL_MAX: usize = 80;

/// The page's style: screen first, then A4 print in black on white with charts kept whole.
/// Colours meet WCAG AA: text 4.5:1 or more, bars 3:1 or more against white.
const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 52rem; padding: 2rem 1.25rem 4rem; color: #1a1a1a; background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 2rem; line-height: 1.2; margin: .2rem 0 1rem; }
h2 { font-size: 1.45rem; line-height: 1.25; margin: 0 0 .3rem; }
h3 { font-size: 1.15rem; margin: 1.4rem 0 .4rem; }
h4 { font-size: 1rem; margin: 1rem 0 .3rem; }
.kicker { margin: 0; text-transform: uppercase; letter-spacing: .08em; font-size: .85rem; color: #4a4a4a; }
.facts { display: flex; flex-wrap: wrap; gap: .4rem 2rem; margin: 0 0 .6rem; }
.facts div { display: flex; gap: .4rem; }
.facts dt { color: #4a4a4a; }
.facts dd { margin: 0; font-weight: 600; }
.note, .meta, .count, .none { color: #4a4a4a; }
.note { font-size: .9rem; margin: .2rem 0; }
.toc { border-top: 1px solid #c8c8c8; border-bottom: 1px solid #c8c8c8; margin: 1.5rem 0 2rem; padding: .6rem 0; }
.toc h2 { font-size: 1rem; margin: 0 0 .3rem; }
.toc ul { list-style: none; margin: 0; padding: 0; }
.toc a { color: #1a4f8f; }
.prompt { margin: 0 0 2.5rem; padding-top: 1rem; border-top: 3px solid #1f5fa8; }
.head { break-inside: avoid; page-break-inside: avoid; }
.place { color: #1a4f8f; }
.meta { margin: 0 0 .5rem; font-size: .95rem; }
.kind { font-weight: 600; color: #1a1a1a; }
.instructions { margin: .3rem 0 .8rem; padding: .4rem .8rem; border-left: 3px solid #c8c8c8; white-space: pre-line; }
.count { font-size: .95rem; margin: .4rem 0; }
.text { white-space: pre-line; }
.items { margin: .2rem 0 .6rem; padding-left: 1.3rem; }
.items > li { margin: .25rem 0; break-inside: avoid; page-break-inside: avoid; }
.items > li.starred > .text { font-weight: 700; }
.merged { margin: .1rem 0 .2rem; padding-left: 1.2rem; font-size: .92rem; color: #3d3d3d; }
.merged-label { display: block; font-size: .85rem; color: #4a4a4a; }
.tag { display: inline-block; margin-left: .35rem; padding: 0 .4rem; border-radius: .6rem; font-size: .8rem;
  white-space: nowrap; border: 1px solid #c8c8c8; color: #333; }
.tag.star { background: #fff4d6; border-color: #e0c27a; color: #5c3a00; }
.tag.hidden { background: #fde8e8; border-color: #e3a5a5; color: #8a1c1c; }
.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .4em; border-radius: 2px;
  vertical-align: -.05em; border: 1px solid #555; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
.chart { margin: .6rem 0 1rem; break-inside: avoid; page-break-inside: avoid; }
.chart svg { display: block; width: 100%; max-width: 640px; height: auto; }
svg text { font-family: inherit; font-size: 13px; fill: #1a1a1a; }
svg .value { font-weight: 600; }
svg .muted { fill: #4a4a4a; }
svg .mean { fill: #a31d14; font-weight: 600; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #c8c8c8; padding: .2rem .55rem; text-align: left; vertical-align: top; }
th { background: #eef2f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cloud { list-style: none; padding: 0; margin: .6rem 0 1rem; display: flex; flex-wrap: wrap; gap: .2rem 1.1rem;
  align-items: baseline; line-height: 1.2; }
.cloud li { color: #1a4f8f; font-weight: 600; }
.cloud .n { font-size: .8rem; font-weight: 400; color: #4a4a4a; }
h3 .n { font-weight: 400; color: #4a4a4a; }
.notes { margin: 1.2rem 0 0; padding: .4rem .9rem; border-left: 3px solid #1f5fa8; background: #f4f6f9;
  break-inside: avoid; page-break-inside: avoid; }
.notes h3 { margin: .3rem 0 .4rem; }
.notes p { margin: .3rem 0 .6rem; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@page { size: A4; margin: 18mm 16mm 20mm; }
@media print {
  body { max-width: none; padding: 0; color: #000; background: #fff; font-size: 10.5pt; }
  .kicker, .note, .meta, .count, .none, .facts dt, .merged, .merged-label, .cloud .n, h3 .n { color: #000; }
  .notes { background: #fff; border-left-color: #000; }
  .toc a, .place, .cloud li { color: #000; text-decoration: none; }
  .prompt { border-top: 2px solid #000; }
  h1, h2, h3, h4, .head { break-after: avoid; page-break-after: avoid; }
  th { background: #fff; }
  .tag, .tag.star, .tag.hidden { border-color: #000; color: #000; background: #fff; }
  svg text, svg .muted { fill: #000; }
  svg .bar { fill: #333; }
  svg .track { fill: #e4e4e4; }
}
"#;

/// The whole page.
pub fn render(report: &Report<'_>) -> String {
    let l = report.labels;
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"generator\" content=\"Paja\">\n<title>{} – {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        l.code,
        escape(report.title),
        l.report,
    );
    let _ = write!(
        out,
        "<header class=\"cover\">\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>\n<dl class=\"facts\">",
        l.report,
        escape(report.title),
    );
    for (label, value) in &report.facts {
        let _ = write!(
            out,
            "<div><dt>{}:</dt><dd>{}</dd></div>",
            escape(label),
            escape(value)
        );
    }
    let _ = write!(
        out,
        "</dl>\n<p class=\"note\">{}</p>\n</header>\n",
        escape(&report.note)
    );
    if report.sections.len() > 1 {
        let _ = write!(
            out,
            "<nav class=\"toc\" aria-labelledby=\"toc\">\n<h2 id=\"toc\">{}</h2>\n<ul>\n",
            l.contents
        );
        for s in &report.sections {
            let _ = writeln!(
                out,
                "<li><a href=\"#{}\">{}. {}</a></li>",
                s.anchor,
                s.place,
                escape(s.title)
            );
        }
        out.push_str("</ul>\n</nav>\n");
    }
    out.push_str("<main>\n");
    for section in &report.sections {
        render_section(&mut out, l, section);
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn render_section(out: &mut String, l: &Labels, s: &Section<'_>) {
    let _ = write!(
        out,
        "<section class=\"prompt\" id=\"{a}\" aria-labelledby=\"h-{a}\">\n<div class=\"head\">\n\
         <h2 id=\"h-{a}\"><span class=\"place\">{}.</span> {}</h2>\n\
         <p class=\"meta\"><span class=\"kind\">{}</span> · {}</p>\n",
        s.place,
        escape(s.title),
        escape(s.kind),
        escape(&s.status),
        a = s.anchor,
    );
    if !s.instructions.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"instructions\"><strong>{}:</strong> {}</p>",
            l.instructions,
            escape(s.instructions)
        );
    }
    out.push_str("</div>\n");
    crate::export::activity::html(out, l, &s.body);
    if let Some(notes) = s.notes {
        super::notes::html(out, l, notes);
    }
    out.push_str("</section>\n");
}

/// Text for HTML content and attribute values: `&`, `<`, `>`, `"` and `'` as entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// Width of a bar of `value` out of `whole` on a track of `TRACK` units, in tenths of a unit.
pub fn bar_width(value: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let w = f64::from(TRACK) * value.min(whole) as f64 / whole as f64;
    (w * 10.0).round() / 10.0
}

/// A horizontal bar chart: per row its label above a bar whose length is `value / whole` of the
/// track, and `text` (the numbers) at the bar's end. The table beside it carries the numbers
/// for screen readers, so the drawing is hidden from them.
pub fn bar_chart(rows: &[(String, usize, String)], whole: usize) -> String {
    const ROW: u32 = 46;
    let height = ROW * u32::try_from(rows.len()).unwrap_or(u32::MAX / ROW).max(1) + 4;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" viewBox=\"0 0 {CHART_WIDTH} {height}\" \
         width=\"{CHART_WIDTH}\" height=\"{height}\" aria-hidden=\"true\" focusable=\"false\">\n"
    );
    for (at, (label, value, text)) in rows.iter().enumerate() {
        let top = ROW * u32::try_from(at).unwrap_or(0);
        let width = bar_width(*value, whole);
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\">{}</text>\n\
             <rect class=\"track\" x=\"0\" y=\"{}\" width=\"{TRACK}\" height=\"16\" fill=\"#e6ebf2\"/>\n\
             <rect class=\"bar\" x=\"0\" y=\"{}\" width=\"{width}\" height=\"16\" fill=\"#1f5fa8\"/>\n\
             <text class=\"value\" x=\"{}\" y=\"{}\">{}</text>\n",
            top + 15,
            escape(&shorten(label, CHART_LABEL_MAX)),
            top + 21,
            top + 21,
            TRACK + 8,
            top + 34,
            escape(text),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixture::report_workshop as workshop;
    use crate::export::{render as export, Format, Options};
    use crate::session::Language;

    fn page(options: &Options) -> String {
        let w = workshop();
        String::from_utf8(export(&w.session, Format::Html, options, 0).expect("html"))
            .expect("utf-8")
    }

    #[test]
    fn participant_text_is_escaped_everywhere() {
        assert_eq!(escape("<script>\"'&"), "&lt;script&gt;&quot;&#39;&amp;");
        let mut w = workshop();
        let prompt = w.session.prompts()[0].id.clone();
        w.apply(crate::session::Command::OpenPrompt {
            prompt_id: prompt.clone(),
        });
        w.submit(3, &prompt, "\"><img src=x onerror=alert(1)>", Some(0));
        let html = String::from_utf8(
            export(&w.session, Format::Html, &Options::default(), 0).expect("html"),
        )
        .expect("utf-8");
        assert!(!html.contains("<script>alert"), "raw script in the page");
        assert!(html.contains("Tiedonkulku &amp; &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<img"), "raw img in the page");
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
        // The dot-vote chart's labels are escaped as well (the item is on its ballot).
        assert_eq!(html.matches("<script").count(), 0);
        // No external resource and nothing that runs.
        for banned in [
            "<script",
            "<link",
            "src=\"http",
            "href=\"http",
            "@import",
            "url(",
        ] {
            assert!(!html.contains(banned), "{banned} in the page");
        }
    }

    #[test]
    fn bars_are_as_long_as_their_counts() {
        assert_eq!(bar_width(3, 4), 375.0);
        assert_eq!(bar_width(1, 4), 125.0);
        assert_eq!(bar_width(0, 4), 0.0);
        assert_eq!(bar_width(1, 0), 0.0);
        assert_eq!(bar_width(1, 3), 166.7);
        let svg = bar_chart(
            &[
                ("Kunta".into(), 3, "3 · 75 %".into()),
                ("Järjestö".into(), 1, "1 · 25 %".into()),
            ],
            4,
        );
        let widths: Vec<&str> = svg
            .split("class=\"bar\"")
            .skip(1)
            .filter_map(|s| s.split("width=\"").nth(1)?.split('"').next())
            .collect();
        assert_eq!(widths, ["375", "125"]);
        assert!(svg.contains(">Järjestö</text>") && svg.contains(">3 · 75 %</text>"));
    }

    #[test]
    fn the_page_has_every_prompt_with_its_charts_and_numbers() {
        let html = page(&Options::default());
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fi\">"));
        assert!(html.contains("<h1>HYVINSIVI – työpaja</h1>"));
        assert!(html.contains("<dt>Osallistujia:</dt><dd>4</dd>"));
        assert!(html.contains("<dt>Päivämäärä:</dt><dd>23.11.2026</dd>"));
        // Brainstorm: columns, groups, the merge, the star, no hidden item.
        assert!(html.contains("<h3>Toimii nyt</h3>") && html.contains("<h3>Ei toimi</h3>"));
        assert!(html.contains("background:#1f77b4") && html.contains(">Digi</h4>"));
        assert!(html.contains("+1 samankaltainen") && html.contains(">ohjaamo!</span>"));
        assert!(html.contains("★ nostettu esiin") && html.contains("1 tykkäys"));
        assert!(!html.contains("Roskaa"));
        // Poll: the chart and the table.
        assert!(
            html.contains("<td>Kunta</td><td class=\"num\">3</td><td class=\"num\">75\u{a0}%</td>")
        );
        assert_eq!(
            html.matches("<svg").count(),
            1 + 2 + 1,
            "poll, two statements, dot vote"
        );
        // Scale: the mean marked (2, 4, 4 → 3,3) and the end labels.
        assert!(html.contains(">ka. 3,3</text>"));
        assert!(html.contains(">Huonosti</text>") && html.contains(">Erinomaisesti</text>"));
        // Word cloud: the frequent word larger.
        assert!(html.contains(
            "<li style=\"font-size:2.60em\">luottamus <span class=\"n\">(2)</span></li>"
        ));
        assert!(html.contains("<li style=\"font-size:1.00em\">avoimuus"));
        // Dot vote: ranked.
        assert!(html.contains("<tr><td class=\"num\">1</td><td><span class=\"text\"># otsikko | pipe *tähti*</span></td><td class=\"num\">2</td></tr>"));
        assert!(html.contains("Kysymystä ei avattu"));
        // Print: A4, charts kept whole, headings kept with what follows.
        assert!(html.contains("@page { size: A4;"));
        assert!(html.contains(".chart { margin: .6rem 0 1rem; break-inside: avoid;"));
        assert!(html.contains("h1, h2, h3, h4, .head { break-after: avoid;"));
    }

    #[test]
    fn hidden_items_only_when_asked_and_headings_in_the_asked_language() {
        let html = page(&Options {
            hidden: Some(true),
            language: Some(Language::Sv),
            ..Options::default()
        });
        assert!(html.contains("<html lang=\"sv\">"));
        assert!(html.contains(">Roskaa</span> <span class=\"tag hidden\">dold</span>"));
        assert!(html.contains("<dt>Deltagare:</dt>") && html.contains("Idéstorm"));
        assert!(html.contains(">medelv. 3,3</text>"));
        let en = page(&Options {
            language: Some(Language::En),
            ..Options::default()
        });
        assert!(
            en.contains("<html lang=\"en\">")
                && en.contains("<dt>Date:</dt><dd>23 November 2026</dd>")
        );
        assert!(en.contains(">mean 3.3</text>") && en.contains("75%"));
    }
}
