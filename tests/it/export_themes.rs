//! Themes and notes in every export of a live session (CSV, XLSX read back with calamine,
//! HTML, Markdown, JSON), their round trip through an import, and version 2 export files
//! (written before themes existed) still importing.

use std::path::Path;

use paja::export::{self, Format, Options};
use paja::session::{document, ImportTarget, Session};
use serde_json::{json, Value};

use crate::support::TestServer;

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
