//! The comparison report offline (issue 14 part 3): two short seminars run over real
//! websockets on a live server, their JSON exports downloaded, then the real binary's
//! `paja report` run on the two files in every format, each read back as a reader or a
//! spreadsheet would (XLSX with calamine, CSV with the csv crate).

use std::path::{Path, PathBuf};

use calamine::{Reader, Xlsx};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{add_and_open, command, ok, Client, TestServer};

const IDEAS: &str = "Mikä on tärkeintä nuorten hyvinvoinnille?";
const POLL: &str = "Millä sektorilla työskentelet?";
const HIDDEN: &str = "Asiaton viesti joka piilotetaan";

async fn submit(phone: &mut Client, prompt: &str, text: &str) -> String {
    let id = Uuid::new_v4().to_string();
    ok(
        phone,
        json!({"type":"submit","id":id,"prompt_id":prompt,"text":text}),
    )
    .await;
    id
}

/// A seminar: a brainstorm with `texts` (one per phone) and a hidden item, a dot vote on it,
/// a poll with `votes`. Returns its JSON export.
async fn seminar(server: &TestServer, slug: &str, texts: &[&str], votes: &[u8]) -> Vec<u8> {
    let key = server
        .create_session_from(
            json!({"slug": slug, "title": format!("Seminaari {slug}"), "language": "fi"}),
        )
        .await;
    let (mut fac, _) = server.facilitator(slug, &key).await;
    let mut phones = Vec::new();
    for _ in 0..texts.len() {
        phones.push(server.participant(slug).await.0);
    }
    let ideas = add_and_open(&mut fac, json!({"kind":"brainstorm","title":IDEAS})).await;
    let mut items = Vec::new();
    for (phone, text) in phones.iter_mut().zip(texts) {
        items.push(submit(phone, &ideas, text).await);
    }
    let hidden = submit(&mut phones[0], &ideas, HIDDEN).await;
    command(&mut fac, json!({"type":"hide_item","item_id":hidden})).await;
    let vote = add_and_open(
        &mut fac,
        json!({"kind":"dot_vote","title":"Äänestä","source":ideas,"dots":1,"max_per_item":1}),
    )
    .await;
    for phone in &mut phones {
        ok(
            phone,
            json!({"type":"place_dot","prompt_id":vote,"item_id":items[0]}),
        )
        .await;
    }
    let poll = add_and_open(
        &mut fac,
        json!({"kind":"poll","title":POLL,"options":["Kunta","Järjestö"]}),
    )
    .await;
    for (phone, option) in phones.iter_mut().zip(votes) {
        ok(
            phone,
            json!({"type":"vote","prompt_id":poll,"options":[option]}),
        )
        .await;
    }
    let export = server
        .get_with_key(&format!("/api/sessions/{slug}/export.json"), &key)
        .await;
    assert_eq!(export.status, 200, "{}", export.text());
    export.body
}

fn paja_report(files: &[&Path], extra: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_paja"))
        .arg("report")
        .args(files)
        .args(extra)
        .output()
        .expect("run paja report")
}

/// Runs `paja report` into `out` in `format` and returns the file's bytes.
fn report(files: &[&Path], dir: &Path, format: &str, lang: &str) -> Vec<u8> {
    let out = dir.join(format!("vertailu-{lang}.{format}"));
    let output = paja_report(
        files,
        &[
            "--format",
            format,
            "--lang",
            lang,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        output.status.success(),
        "{format}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read(&out).unwrap()
}

/// The brainstorm's visible items as the session's own export counts them.
fn own_total(export: &Value) -> u64 {
    export["prompts"][0]["results"]["total"].as_u64().unwrap()
}

async fn two_exports(dir: &Path) -> (PathBuf, PathBuf, Value, Value) {
    let server = TestServer::start().await;
    let a = seminar(
        &server,
        "rovaniemi",
        &["Nuorten osallisuus", "Harrastukset", "Yhteisöllisyys"],
        &[0, 0, 1],
    )
    .await;
    let b = seminar(
        &server,
        "seinajoki",
        &["nuorten osallisuus", "Liikenne"],
        &[1, 1],
    )
    .await;
    let (path_a, path_b) = (dir.join("rovaniemi.json"), dir.join("seinajoki.json"));
    std::fs::write(&path_a, &a).unwrap();
    std::fs::write(&path_b, &b).unwrap();
    let a: Value = serde_json::from_slice(&a).unwrap();
    let b: Value = serde_json::from_slice(&b).unwrap();
    (path_a, path_b, a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paja_report_compares_two_live_exports_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, export_a, export_b) = two_exports(dir.path()).await;
    let files = [a.as_path(), b.as_path()];

    let doc: Value = serde_json::from_slice(&report(&files, dir.path(), "json", "en")).unwrap();
    assert_eq!(
        (doc["format"].as_str(), doc["version"].as_u64()),
        (Some("paja-comparison"), Some(1))
    );
    let names: Vec<&str> = doc["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["rovaniemi", "seinajoki"]);
    let kinds: Vec<&str> = doc["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["brainstorm", "dot_vote", "poll"]);
    let ideas = &doc["prompts"][0]["sessions"];
    assert_eq!(ideas[0]["items"].as_u64(), Some(own_total(&export_a)));
    assert_eq!(ideas[1]["items"].as_u64(), Some(own_total(&export_b)));
    assert_eq!(
        (own_total(&export_a), own_total(&export_b)),
        (3, 2),
        "the hidden one is out"
    );
    assert_eq!(
        ideas[0]["top"][0],
        json!({"text":"Nuorten osallisuus","count":3})
    );
    let recurring = &doc["recurring"][0];
    assert_eq!(recurring["label"], "Nuorten osallisuus");
    assert_eq!(recurring["kind"], "item");
    assert_eq!(recurring["sessions"], json!([1, 1]));
    assert_eq!(doc["recurring"].as_array().unwrap().len(), 1);
    let poll = &doc["prompts"][2]["bars"];
    assert_eq!(poll["answered"], json!([3, 2]));
    assert_eq!(poll["rows"][1]["values"][1]["count"], 2);

    let html = String::from_utf8(report(&files, dir.path(), "html", "fi")).unwrap();
    assert!(html.contains("@page { size: A4"), "prints to A4");
    assert!(html.contains("Toistuvat vastaukset ja teemat"));
    assert!(html.contains("Nuorten osallisuus") && html.contains("<svg"));
    assert!(!html.contains(HIDDEN), "a hidden item never appears");
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src="));

    let md = String::from_utf8(report(&files, dir.path(), "md", "sv")).unwrap();
    assert!(md.contains("## Återkommande svar och teman"), "{md}");
    assert!(
        md.contains("| Nuorten osallisuus | Svar | 2 | 1 | 1 |"),
        "{md}"
    );

    let csv = report(&files, dir.path(), "csv", "fi");
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&csv[3..]);
    assert_eq!(&reader.headers().unwrap()[0], "session");
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3 + 2);
    let per_session = |name: &str| rows.iter().filter(|r| &r[0] == name).count() as u64;
    assert_eq!(per_session("rovaniemi"), own_total(&export_a));
    assert_eq!(per_session("seinajoki"), own_total(&export_b));
    assert!(rows.iter().all(|r| &r[6] != HIDDEN));

    let xlsx = report(&files, dir.path(), "xlsx", "en");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let sheets = book.sheet_names();
    assert_eq!(sheets.len(), 1 + 3 + 2, "{sheets:?}");
    assert_eq!(sheets[0], "Summary");
    let recurring = book
        .worksheet_range("Recurring answers and themes")
        .unwrap();
    assert_eq!(
        recurring.get((4, 0)).unwrap().to_string(),
        "Nuorten osallisuus"
    );
    let all = book.worksheet_range("All answers").unwrap();
    assert_eq!(all.height(), 1 + 5);
    assert_eq!(all.get((0, 0)).unwrap().to_string(), "session");
}

#[test]
fn paja_report_names_the_file_it_cannot_read_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("puuttuu.json");
    let output = paja_report(&[&missing], &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("puuttuu.json"), "{stderr}");

    let agenda = dir.path().join("agenda.json");
    std::fs::write(
        &agenda,
        br#"{"format":"paja-agenda","version":1,"title":"x","prompts":[]}"#,
    )
    .unwrap();
    let output = paja_report(&[&agenda], &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("agenda.json") && stderr.contains("wrong_format"),
        "{stderr}"
    );
}
