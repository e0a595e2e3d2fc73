//! The workbook read back as a spreadsheet would read it (calamine), and its cell limits.

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
    assert_eq!(text(&header[3]), "Teema");
    assert_eq!(text(&header[11]), "Aika");
    let items = &sheet[FIRST_TABLE_ROW as usize + 1..];
    assert_eq!(items.len(), 4);
    let first = &items[0];
    assert_eq!(text(&first[0]), "Äänekosken nuorisopalvelut ja Ohjaamo");
    assert_eq!(text(&first[1]), "Toimivat nyt");
    assert_eq!(text(&first[2]), "Digitaalisuus");
    assert_eq!(first[3], Data::Empty, "in no theme");
    assert_eq!(
        (first[4].clone(), first[5].clone()),
        (Data::Float(1.0), Data::Float(2.0))
    );
    assert_eq!(
        (text(&first[6]), text(&first[7])),
        ("ei".into(), "kyllä".into())
    );
    assert_eq!(text(&first[9]), "Äänekosken nuorisopalvelut");
    assert!(text(&first[10]).starts_with("p-"));
    // The fourth command after T0 (12:00 UTC): 14:04 in Helsinki, as an Excel date-time.
    match &first[11] {
        Data::DateTime(d) => {
            let expected = 46349.0 + (14.0 * 60.0 + 4.0) / (24.0 * 60.0);
            assert!((d.as_f64() - expected).abs() < 1e-6, "{}", d.as_f64());
        }
        other => panic!("not a date-time: {other:?}"),
    }
    // A formula-like text is a string cell, unescaped.
    assert_eq!(items[1][0], Data::String("=HYPERLINK(\"http://x\")".into()));
    assert_eq!(
        (text(&items[3][0]), text(&items[3][6])),
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

#[test]
fn cell_text_is_cut_at_excels_limit() {
    let long = "ä".repeat(CELL_TEXT_MAX + 5);
    assert_eq!(super::text(&long).chars().count(), CELL_TEXT_MAX);
    assert_eq!(super::text("lyhyt"), "lyhyt");
}
