//! Themes and notes in every export of a live session (CSV, XLSX read back with calamine,
//! HTML, Markdown, JSON), their round trip through an import, and version 2 export files
//! (written before themes existed) still importing.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader};
use paja::export::{self, Format, Options};
use paja::session::{document, ImportTarget, Session};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{add_and_open, command, ok, TestServer};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(path),
    )
    .expect("fixture")
}

/// `tests/fixtures/exports/tyopaja-v2.json` is the golden session's export as version 2 wrote
/// it. Imported, it exports as the golden session's version 3 export, byte for byte (both made
/// at time 0): nothing of a version 2 file is lost, and it reads as having no themes or notes.
#[test]
fn a_version_2_export_imports_and_exports_again_as_version_3() {
    let v2 = fixture("exports/tyopaja-v2.json");
    let doc = document::parse(&v2).expect("a version 2 file parses");
    assert_eq!(doc.version, 2);
    let session = Session::import(
        doc,
        ImportTarget {
            slug: None,
            title: None,
            key_hash: "00".into(),
            now: 1_800_000_000_000,
            salt: [3; 32],
        },
    )
    .expect("a version 2 file imports");
    assert!(session.prompts().iter().all(|p| p.themes.is_empty()));
    assert!(session.all_notes().is_empty());
    let view = export::View::new(&session, Format::Json, &Options::default()).expect("view");
    let again = document::to_bytes(&export::json::document(&view, 0));
    let v3 = fixture("golden/expected/export.json");
    assert_eq!(
        String::from_utf8(again).expect("utf-8"),
        String::from_utf8(v3).expect("utf-8"),
        "the version 3 export of the same session"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_2_file_imports_over_http() {
    let server = TestServer::start().await;
    let v2: Value = serde_json::from_slice(&fixture("exports/tyopaja-v2.json")).expect("JSON");
    let response = server
        .http("POST", "/api/sessions/import?slug=vanha", &[], Some(&v2))
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let key = response.json()["facilitator_key"]
        .as_str()
        .expect("key")
        .to_owned();
    let again = server
        .get_with_key("/api/sessions/vanha/export.json", &key)
        .await
        .json();
    assert_eq!(again["version"], json!(3));
    assert_eq!(again["prompts"], v2["prompts"], "the prompts as they were");
}

const SLUG: &str = "teemavienti";
const NOTES: &str = "Nuoret puuttuvat verkostosta.\n\nSeuraavaksi: <kutsu> Ohjaamo\nja kunta.";

/// A live workshop curated from the console: a brainstorm (made from template prompt `p1`)
/// with columns, three phones' items, a duplicate merged, two themes (one made with its items
/// in one command, one filled afterwards), an item in none, the by-theme layout, and notes on
/// the brainstorm. Returns the facilitator key.
async fn curated(server: &TestServer) -> String {
    let key = server.create_session(SLUG).await;
    let (mut fac, _) = server.facilitator(SLUG, &key).await;
    let ideas = add_and_open(
        &mut fac,
        json!({"kind":"brainstorm","title":"Mitkä asiat ovat tärkeimpiä?","template":"p1",
            "columns":["Nyt","Myöhemmin"],"wall":true}),
    )
    .await;
    let ids = [(); 5].map(|_| Uuid::new_v4().to_string());
    for (n, (id, text)) in ids
        .iter()
        .zip([
            "Nuorten osallisuus",
            "nuorten osallisuus!",
            "Digituki",
            "Tiedonkulku",
            "Rahoitus",
        ])
        .enumerate()
    {
        let (mut phone, _) = server.participant(SLUG).await;
        let frame = json!({"type":"submit","id":id,"prompt_id":ideas,"text":text,"column":n % 2});
        ok(&mut phone, frame).await;
    }
    command(
        &mut fac,
        json!({"type":"merge_items","into":ids[0],"items":[ids[1]]}),
    )
    .await;
    let (nuoret, tieto) = (Uuid::from_u128(1), Uuid::from_u128(2));
    command(
        &mut fac,
        json!({"type":"add_theme","prompt":ideas,"theme":nuoret,"name":"Nuoret","items":[ids[0]]}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"add_theme","prompt":ideas,"theme":tieto,"name":"Tieto & taito"}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"set_item_theme","items":[ids[2], ids[3]],"theme":tieto}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"set_notes","prompt":ideas,"notes":NOTES}),
    )
    .await;
    command(
        &mut fac,
        json!({"type":"show_by_theme","prompt":ideas,"on":true}),
    )
    .await;
    key
}

async fn download(server: &TestServer, slug: &str, key: &str, file: &str) -> Vec<u8> {
    let response = server
        .get_with_key(&format!("/api/sessions/{slug}/{file}"), key)
        .await;
    assert_eq!(response.status, 200, "{file}: {}", response.text());
    response.body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn themes_and_notes_are_in_every_export_and_survive_an_import() {
    let server = TestServer::start().await;
    let key = curated(&server).await;

    // CSV: the theme's name in the last column; a duplicate under its root's.
    let csv = download(&server, SLUG, &key, "export.csv").await;
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&csv[3..])
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows[0].last().map(String::as_str), Some("theme"));
    let themes: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[1].as_str(), r[12].as_str()))
        .collect();
    assert_eq!(
        themes,
        [
            ("Nuorten osallisuus", "Nuoret"),
            ("nuorten osallisuus!", "Nuoret"),
            ("Digituki", "Tieto & taito"),
            ("Tiedonkulku", "Tieto & taito"),
            ("Rahoitus", ""),
        ]
    );

    // XLSX: the table of themes above the items, and the theme column.
    let xlsx = download(&server, SLUG, &key, "export.xlsx").await;
    let mut book = calamine::Xlsx::new(Cursor::new(xlsx)).expect("workbook");
    let name = book.sheet_names()[1].clone();
    let sheet: Vec<Vec<Data>> = book
        .worksheet_range(&name)
        .expect("sheet")
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    let row = |first: &str| -> Vec<String> {
        sheet
            .iter()
            .find(|r| r[0] == first)
            .unwrap_or_else(|| panic!("no row {first}"))
            .iter()
            .map(Data::to_string)
            .collect()
    };
    assert_eq!(
        row("Teema")[..4],
        ["Teema", "Vastauksia", "Tykkäykset", "Pisteitä"]
    );
    assert_eq!(row("Nuoret")[..2], ["Nuoret", "2"]);
    assert_eq!(row("Tieto & taito")[..2], ["Tieto & taito", "2"]);
    assert_eq!(row("Muut")[..2], ["Muut", "1"]);
    assert_eq!(row("Teksti")[3], "Teema");
    assert_eq!(row("nuorten osallisuus!")[3], "Nuoret");
    assert_eq!(row("Rahoitus")[3], "");

    // The report: headings by theme with counts, then the notes, escaped.
    let html = String::from_utf8(download(&server, SLUG, &key, "export.html").await).unwrap();
    assert!(
        html.contains("<h3>Nuoret <span class=\"n\">(2)</span></h3>"),
        "{html}"
    );
    assert!(html.contains("<h3>Tieto &amp; taito <span class=\"n\">(2)</span></h3>"));
    assert!(html.contains("<h3>Muut <span class=\"n\">(1)</span></h3>"));
    assert!(html.contains("<p>Seuraavaksi: &lt;kutsu&gt; Ohjaamo<br>\nja kunta.</p>"));
    let md = String::from_utf8(download(&server, SLUG, &key, "export.md?lang=sv").await).unwrap();
    assert!(md.contains("\n### Nuoret (2)\n"), "{md}");
    assert!(md.contains("\n### Övriga (1)\n"));
    assert!(md.contains("\n### Anteckningar\n\nNuoret puuttuvat verkostosta.\n\n"));

    // JSON: version 3 with themes, item themes, by_theme, notes and the template ref.
    let exported = download(&server, SLUG, &key, "export.json").await;
    let doc: Value = serde_json::from_slice(&exported).expect("JSON");
    assert_eq!(doc["version"], 3);
    let prompt = &doc["prompts"][0];
    assert_eq!(prompt["template"], "p1");
    assert_eq!(prompt["by_theme"], true);
    assert_eq!(prompt["notes"], NOTES);
    assert_eq!(
        prompt["themes"],
        json!([{"id":Uuid::from_u128(1),"name":"Nuoret"},{"id":Uuid::from_u128(2),"name":"Tieto & taito"}])
    );
    assert_eq!(prompt["items"][0]["theme"], json!(Uuid::from_u128(1)));
    assert!(prompt["items"][4].get("theme").is_none());

    // Imported under a new name, it exports the same, and the console sees it all.
    let response = server
        .http(
            "POST",
            "/api/sessions/import?slug=teemat-kopio",
            &[],
            Some(&doc),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text());
    let copy_key = response.json()["facilitator_key"]
        .as_str()
        .expect("key")
        .to_owned();
    let again = download(&server, "teemat-kopio", &copy_key, "export.json").await;
    let mut again: Value = serde_json::from_slice(&again).expect("JSON");
    let mut expected = doc.clone();
    for d in [&mut again, &mut expected] {
        d.as_object_mut().expect("object").remove("exported_at");
        d["session"].as_object_mut().expect("object").remove("slug");
    }
    assert_eq!(again, expected);
    let (_, welcome) = server.facilitator("teemat-kopio", &copy_key).await;
    assert_eq!(welcome["notes"][prompt["id"].as_str().unwrap()], NOTES);
    assert_eq!(welcome["prompts"][0]["themes"], prompt["themes"]);
}
