//! Themes and notes in every single-session export, from one curated workshop
//! ([`fixture::themed_report_workshop`]): the report's layout by theme, the workbook's theme
//! column and summary, the CSV's theme column and the JSON document's fields.

use std::io::Cursor;

use calamine::{Data, Reader};

use super::*;
use crate::export::activity::Body;
use crate::export::fixture::{self, theme};
use crate::export::report::Report;
use crate::export::{render, Format, Options};
use crate::session::Language;

fn themed() -> fixture::Workshop {
    fixture::themed_report_workshop()
}

fn text(w: &fixture::Workshop, format: Format, options: &Options) -> String {
    String::from_utf8(render(&w.session, format, options, 0).expect("export")).expect("utf-8")
}

/// Each theme's heading, count and entries' texts, as the report lays them out.
fn layout(w: &fixture::Workshop, options: &Options) -> Vec<(String, Option<usize>, Vec<String>)> {
    let report = Report::new(&w.view(Format::Html, options));
    let Body::Brainstorm(items) = &report.sections[0].body else {
        panic!("{:?}", report.sections[0].body);
    };
    items
        .columns
        .iter()
        .map(|c| {
            let texts = c
                .groups
                .iter()
                .flat_map(|g| &g.entries)
                .map(|e| e.text.to_owned())
                .collect();
            (c.name.clone().unwrap_or_default(), c.count, texts)
        })
        .collect()
}

#[test]
fn the_report_lists_items_under_their_themes_with_counts_then_other() {
    let w = themed();
    let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        layout(&w, &Options::default()),
        [
            ("Nuoret".into(), Some(2), strings(&["Ohjaamo"])),
            (
                "Tieto & <kulku>".into(),
                Some(1),
                strings(&["Tiedonkulku & <script>alert(1)</script>"])
            ),
            ("Tyhjä".into(), Some(0), Vec::new()),
            (
                "Muut".into(),
                Some(1),
                strings(&["# otsikko | pipe *tähti*"])
            ),
        ],
        "the duplicate counts with its root; the hidden item is out; an empty theme says so"
    );
    let hidden = Options {
        hidden: Some(true),
        language: Some(Language::Sv),
        ..Options::default()
    };
    let with_hidden = layout(&w, &hidden);
    assert_eq!(with_hidden[1].1, Some(2));
    assert_eq!(with_hidden[3].0, "Övriga");
    // Without themes the columns are the headings, as before.
    let plain = fixture::report_workshop();
    assert_eq!(layout(&plain, &Options::default())[0].0, "Toimii nyt");
    assert_eq!(layout(&plain, &Options::default())[0].1, None);
}

#[test]
fn html_and_markdown_show_theme_headings_and_the_notes_escaped() {
    let w = themed();
    let html = text(&w, Format::Html, &Options::default());
    assert!(
        html.contains("<h3>Nuoret <span class=\"n\">(2)</span></h3>"),
        "{html}"
    );
    assert!(html.contains("<h3>Tieto &amp; &lt;kulku&gt; <span class=\"n\">(1)</span></h3>"));
    assert!(html.contains(
        "<h3>Tyhjä <span class=\"n\">(0)</span></h3>\n<p class=\"none\">Ei vastauksia.</p>"
    ));
    assert!(html.contains("<h3>Muut <span class=\"n\">(1)</span></h3>"));
    assert!(html.contains(
        "<div class=\"notes\">\n<h3>Muistiinpanot</h3>\n<p>Nuoret puuttuvat verkostosta.</p>\n\
         <p>Seuraavaksi: &lt;b&gt;kutsu&lt;/b&gt; Ohjaamo<br>\nja kunta.</p>\n</div>\n</section>"
    ));
    assert!(
        html.contains("<p>Kunta vahvasti mukana.</p>"),
        "a poll's notes too"
    );
    assert!(!html.contains("<b>kutsu"));
    let md = text(&w, Format::Md, &Options::default());
    assert!(
        md.contains("\n### Nuoret (2)\n\n#### Toimijat\n\n- Ohjaamo"),
        "{md}"
    );
    assert!(md.contains("\n### Tieto \\& \\<kulku\\> (1)\n"));
    assert!(md.contains("\n### Tyhjä (0)\n\nEi vastauksia.\n"));
    assert!(md.contains(
        "\n### Muistiinpanot\n\nNuoret puuttuvat verkostosta.\n\nSeuraavaksi: \\<b\\>kutsu\\</b\\> Ohjaamo  \nja kunta.\n"
    ));
    let en = text(
        &w,
        Format::Md,
        &Options {
            language: Some(Language::En),
            ..Options::default()
        },
    );
    assert!(en.contains("\n### Other (1)\n") && en.contains("\n### Notes\n"));
}

#[test]
fn the_summary_counts_items_likes_and_dots_per_theme() {
    let w = themed();
    let view = w.view(Format::Xlsx, &Options::default());
    let rows = summary(&view, view.prompts[0], "Muut");
    let flat: Vec<(&str, usize, usize, u32)> = rows
        .iter()
        .map(|r| (r.name, r.items, r.likes, r.dots))
        .collect();
    assert_eq!(
        flat,
        [
            ("Nuoret", 2, 1, 1),
            ("Tieto & <kulku>", 2, 0, 0),
            ("Tyhjä", 0, 0, 0),
            ("Muut", 1, 0, 2),
        ]
    );
    assert!(
        summary(&view, view.prompts[3], "Muut").is_empty(),
        "a word cloud has none"
    );
}

#[test]
fn the_csv_names_each_items_theme_in_its_last_column() {
    let w = themed();
    let bytes = render(&w.session, Format::Csv, &Options::default(), 0).expect("csv");
    let rows: Vec<Vec<String>> = ::csv::ReaderBuilder::new()
        .from_reader(&bytes[3..])
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect();
    let theme_of = |text: &str| {
        rows.iter()
            .find(|r| r[1] == text)
            .map(|r| r[12].clone())
            .unwrap_or_else(|| panic!("no {text}"))
    };
    assert_eq!(theme_of("Ohjaamo"), "Nuoret");
    assert_eq!(
        theme_of("ohjaamo!"),
        "Nuoret",
        "a duplicate follows its root"
    );
    assert_eq!(theme_of("Roskaa"), "Tieto & <kulku>");
    assert_eq!(theme_of("# otsikko | pipe *tähti*"), "");
    assert_eq!(theme_of("Luottamus"), "");
}

#[test]
fn the_workbook_has_a_theme_column_and_a_table_of_themes() {
    let w = themed();
    let bytes = render(&w.session, Format::Xlsx, &Options::default(), 0).expect("xlsx");
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).expect("workbook");
    let name = book.sheet_names()[1].clone();
    let rows: Vec<Vec<Data>> = book
        .worksheet_range(&name)
        .expect("sheet")
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    let texts = |r: &[Data]| r.iter().map(ToString::to_string).collect::<Vec<_>>();
    let at = |first: &str| {
        rows.iter()
            .position(|r| r[0] == first)
            .unwrap_or_else(|| panic!("no row {first}"))
    };
    assert_eq!(
        texts(&rows[at("Teema")])[..4],
        ["Teema", "Vastauksia", "Tykkäykset", "Pisteitä"]
    );
    assert_eq!(texts(&rows[at("Nuoret")])[..4], ["Nuoret", "2", "1", "1"]);
    assert_eq!(texts(&rows[at("Muut")])[..4], ["Muut", "1", "0", "2"]);
    assert_eq!(rows[at("Teksti")][3].to_string(), "Teema");
    assert_eq!(rows[at("ohjaamo!")][3].to_string(), "Nuoret");
    assert_eq!(rows[at("Roskaa")][3].to_string(), "Tieto & <kulku>");
}

#[test]
fn the_json_document_holds_themes_item_themes_by_theme_and_notes() {
    let w = themed();
    let doc: serde_json::Value = serde_json::from_slice(
        &render(&w.session, Format::Json, &Options::default(), 0).expect("json"),
    )
    .expect("JSON");
    assert_eq!(doc["version"], 3);
    let first = &doc["prompts"][0];
    assert_eq!(first["themes"][0]["id"], theme(1).to_string());
    assert_eq!(first["themes"][1]["name"], "Tieto & <kulku>");
    assert_eq!(first["by_theme"], true);
    assert!(first["notes"]
        .as_str()
        .expect("notes")
        .contains("\n\nSeuraavaksi"));
    assert_eq!(first["items"][0]["theme"], theme(1).to_string());
    assert!(
        first["items"][1].get("theme").is_none(),
        "the duplicate's own theme: none"
    );
    let poll = &doc["prompts"][1];
    assert!(poll.get("themes").is_none() && poll.get("by_theme").is_none());
    assert_eq!(poll["notes"], "Kunta vahvasti mukana.");
    assert!(doc["prompts"][2].get("notes").is_none());
}
