//! The facilitator's notes on a prompt (the debrief's conclusions), under its results in the
//! report: paragraphs as typed (a blank line between two), line breaks within a paragraph
//! kept, every line escaped like any other text.

use std::fmt::Write;

use super::html::escape;
use super::md::escape_line;
use super::Labels;

/// The notes as paragraphs, each its lines without surrounding blanks; blank lines only
/// separate paragraphs, however many there are.
pub fn paragraphs(notes: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in notes.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The notes in HTML: a heading, then a `<p>` per paragraph with `<br>` between its lines.
pub fn html(out: &mut String, l: &Labels, notes: &str) {
    let _ = write!(
        out,
        "<div class=\"notes\">\n<h3>{}</h3>\n",
        escape(l.words.notes)
    );
    for paragraph in paragraphs(notes) {
        let lines: Vec<String> = paragraph.iter().map(|line| escape(line)).collect();
        let _ = writeln!(out, "<p>{}</p>", lines.join("<br>\n"));
    }
    out.push_str("</div>\n");
}

/// The notes in Markdown: a heading, then the paragraphs with hard line breaks within each.
pub fn md(out: &mut String, l: &Labels, notes: &str) {
    let _ = write!(out, "\n### {}\n", l.words.notes);
    for paragraph in paragraphs(notes) {
        let lines: Vec<String> = paragraph.iter().map(|line| escape_line(line)).collect();
        let _ = write!(out, "\n{}\n", lines.join("  \n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::report::{EN, FI};

    const NOTES: &str =
        "  Nuoret puuttuvat verkostosta.\n\n\n# Seuraavaksi:\n- kutsu <Ohjaamo>\r\n  & kunta  \n";

    #[test]
    fn blank_lines_separate_paragraphs_and_line_breaks_stay() {
        assert_eq!(
            paragraphs(NOTES),
            [
                vec!["Nuoret puuttuvat verkostosta."],
                vec!["# Seuraavaksi:", "- kutsu <Ohjaamo>", "& kunta"],
            ]
        );
        assert!(paragraphs(" \n\n").is_empty());
    }

    #[test]
    fn html_escapes_every_line_and_keeps_the_paragraphs() {
        let mut out = String::new();
        html(&mut out, &FI, NOTES);
        assert_eq!(
            out,
            "<div class=\"notes\">\n<h3>Muistiinpanot</h3>\n<p>Nuoret puuttuvat verkostosta.</p>\n\
             <p># Seuraavaksi:<br>\n- kutsu &lt;Ohjaamo&gt;<br>\n&amp; kunta</p>\n</div>\n"
        );
    }

    #[test]
    fn markdown_cannot_make_headings_or_lists_of_a_note() {
        let mut out = String::new();
        md(&mut out, &EN, NOTES);
        assert_eq!(
            out,
            "\n### Notes\n\nNuoret puuttuvat verkostosta.\n\n\\# Seuraavaksi:  \n\\- kutsu \\<Ohjaamo\\>  \n\\& kunta\n"
        );
    }
}
