//! The report as Markdown (CommonMark with GitHub's tables): the same headings, lists and
//! numbers as the HTML page, for pasting into a findings document or a wiki.

use std::fmt::Write;

use super::{Labels, Report, Section};

/// The whole document.
pub fn render(report: &Report<'_>) -> String {
    let l = report.labels;
    let mut out = String::with_capacity(8 * 1024);
    let _ = write!(out, "# {}\n\n*{}*\n\n", inline(report.title), l.report);
    // The facts' values are our own dates and numbers: no escaping (23.11.2026 is no list).
    for (label, value) in &report.facts {
        let _ = writeln!(out, "- **{label}:** {value}");
    }
    let _ = writeln!(out, "\n{}", inline(&report.note));
    for section in &report.sections {
        render_section(&mut out, l, section);
    }
    out
}

fn render_section(out: &mut String, l: &Labels, s: &Section<'_>) {
    let _ = write!(
        out,
        "\n## {}. {}\n\n**{}** · {}\n",
        s.place,
        inline(s.title),
        s.kind,
        inline(&s.status)
    );
    if !s.instructions.is_empty() {
        let quoted: Vec<String> = s.instructions.lines().map(escape_line).collect();
        let _ = write!(
            out,
            "\n> **{}:** {}\n",
            l.instructions,
            quoted.join("  \n> ")
        );
    }
    crate::export::activity::md(out, l, &s.body);
    if let Some(notes) = s.notes {
        super::notes::md(out, l, notes);
    }
}

/// A list item's text: escaped, its line breaks kept as hard breaks indented under the item.
pub fn item(text: &str, indent: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(escape_line)
        .collect::<Vec<_>>()
        .join(&format!("  \n{indent}"))
}

/// Text on one line (headings, table cells): escaped, line breaks as spaces.
pub fn inline(text: &str) -> String {
    escape_line(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Escapes one line so that it reads as the text it is: no emphasis, link, code, HTML, table
/// cell break, heading, list or quote can come out of it.
pub fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    // At the start of a line, `-`, `+` and `=` could make a list or a heading underline, and
    // digits followed by `.` or `)` an ordered list.
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    for (at, c) in line.chars().enumerate() {
        let special = matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' | '$'
        ) || (at == 0 && matches!(c, '-' | '+' | '='))
            || (at == digits && digits > 0 && matches!(c, '.' | ')'));
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::fixture::report_workshop as workshop;
    use crate::export::{render as export, Format, Options};
    use crate::session::Language;

    fn doc(options: &Options) -> String {
        let w = workshop();
        String::from_utf8(export(&w.session, Format::Md, options, 0).expect("md")).expect("utf-8")
    }

    #[test]
    fn participant_text_cannot_break_the_structure() {
        assert_eq!(escape_line("# hi"), "\\# hi");
        assert_eq!(escape_line("a | b"), "a \\| b");
        assert_eq!(escape_line("*x* _y_ `z`"), "\\*x\\* \\_y\\_ \\`z\\`");
        assert_eq!(
            escape_line("<script>alert(1)</script>"),
            "\\<script\\>alert(1)\\</script\\>"
        );
        assert_eq!(escape_line("[link](http://x)"), "\\[link\\](http://x)");
        assert_eq!(escape_line("- item"), "\\- item");
        assert_eq!(escape_line("1. first"), "1\\. first");
        assert_eq!(escape_line("2026) year"), "2026\\) year");
        assert_eq!(escape_line("a - b 1. c"), "a - b 1. c");
        assert_eq!(escape_line("&amp; \\"), "\\&amp; \\\\");
        assert_eq!(escape_line("Yhteistyö – ÄÖÅ"), "Yhteistyö – ÄÖÅ");
        assert_eq!(inline("kaksi\nriviä"), "kaksi riviä");
        assert_eq!(item("kaksi\n# riviä", "  "), "kaksi  \n  \\# riviä");
    }

    #[test]
    fn the_document_has_headings_lists_and_tables() {
        let md = doc(&Options::default());
        assert!(md.starts_with("# HYVINSIVI – työpaja\n\n*Raportti*\n\n- **Päivämäärä:** 23.11.2026\n- **Osallistujia:** 4\n"), "{md}");
        assert!(md.contains(
            "\n## 1. Mikä toimii yhdyspinnoilla?\n\n**Ideointi** · Suljettu · avattu 10:"
        ));
        assert!(md.contains("\n> **Ohjeet:** Yksi ajatus kerrallaan.\n"));
        assert!(md.contains("\n### Toimii nyt\n\n#### Toimijat\n\n- Ohjaamo — *♥ 1 tykkäys · ● 1 piste · +1 samankaltainen*\n  - ohjaamo!\n"), "{md}");
        assert!(md.contains(
            "- ★ **\\# otsikko \\| pipe \\*tähti\\*** — *nostettu esiin · ● 2 pistettä*\n"
        ));
        assert!(md.contains("- Tiedonkulku \\& \\<script\\>alert(1)\\</script\\>\n"));
        assert!(!md.contains("Roskaa"));
        assert!(md.contains("| Vaihtoehto | Ääniä | Osuus |\n|---|---:|---:|\n| Kunta | 3 | 75\u{a0}% |\n| Järjestö | 1 | 25\u{a0}% |\n| Valtio | 0 | 0\u{a0}% |\n\nVastanneita: 4\n"));
        assert!(md.contains("| Väittämä | 1 | 2 | 3 | 4 | 5 | Vastaajia | Keskiarvo |\n|---|---:|---:|---:|---:|---:|---:|---:|\n| Tiedonkulku | 0 | 1 | 0 | 2 | 0 | 3 | 3,3 |\n| Yhteiset tavoitteet | 0 | 0 | 0 | 0 | 1 | 1 | 5,0 |\n"));
        assert!(md.contains("\n1 = Huonosti · 5 = Erinomaisesti\n"));
        assert!(md.contains("\n- luottamus (2)\n- avoimuus (1)\n\nVastanneita: 2\n"));
        assert!(md.contains("Äänestys kysymyksen 1 vastauksista.\n\n| Sija | Vastaus | Pisteitä |\n|---:|---|---:|\n| 1 | \\# otsikko \\| pipe \\*tähti\\* | 2 |\n| 2 | Ohjaamo | 1 |\n"));
        assert!(md.contains("\n## 6. Seuraavat askeleet\n\n**Ideointi** · Luonnos\n"));
        assert!(md.contains("Kysymystä ei avattu, joten vastauksia ei ole.\n"));
        // Every table row has as many cells as its header.
        for table in md.split("\n\n").filter(|b| b.starts_with('|')) {
            let cells: Vec<usize> = table
                .lines()
                .map(|row| row.replace("\\|", "").matches('|').count())
                .collect();
            assert!(cells.windows(2).all(|w| w[0] == w[1]), "{table}");
        }
    }

    #[test]
    fn hidden_and_languages() {
        let md = doc(&Options {
            hidden: Some(true),
            language: Some(Language::En),
            prompts: Some(vec![crate::export::PromptSelector::Position(1)]),
            ..Options::default()
        });
        assert!(md.contains("- Roskaa — *hidden*\n"), "{md}");
        assert!(md.contains("Hidden answers are included and marked."));
        assert!(md.contains("**Brainstorm** · Closed · opened 10:"));
        assert!(md.contains("- **Questions:** 1\n") && !md.contains("## 2."));
        let sv = doc(&Options {
            language: Some(Language::Sv),
            ..Options::default()
        });
        assert!(sv.contains("| Alternativ | Röster | Andel |") && sv.contains("Svarande: 4"));
        assert!(sv.contains("Frågan öppnades inte"));
    }
}
